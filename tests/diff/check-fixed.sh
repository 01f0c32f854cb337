#!/bin/sh
# x86diff on a fixed seed: the same 30000 sequences every run.
exec @X86DIFF@ --count 30000 --families alu,incdec,shift,shxd,muldiv,bit,bsf,setcc,cmov,bswap,xchg,cmpxchg,lea,mov,movx,stack,string,bcd,conv,flags,jcc,sse --seed 20261201 --out "${TMPDIR:-/tmp}/x86diff-fixed.txt"
