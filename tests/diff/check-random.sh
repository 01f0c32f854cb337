#!/bin/sh
# x86diff on a fresh seed (printed, so a failure can be replayed with --seed).
exec @X86DIFF@ --count 30000 --families alu,incdec,shift,shxd,muldiv,bit,bsf,setcc,cmov,bswap,xchg,cmpxchg,lea,mov,movx,stack,string,bcd,conv,flags,jcc,sse --out "${TMPDIR:-/tmp}/x86diff-random.txt"
