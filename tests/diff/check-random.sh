#!/bin/sh
# x86diff on a fresh seed (printed, so a failure can be replayed with --seed).
# SSE is left out here: on this host KVM sometimes does not load the XMM
# state set through KVM_SET_FPU for the native run, so a CI check over SSE
# would fail on the reference, not on x86emu. test_x86emu_sse/simd compare
# SSE against the host CPU directly; x86diff --families ...,sse by hand.
exec @X86DIFF@ --count 30000 --families alu,incdec,shift,shxd,muldiv,bit,bsf,setcc,cmov,bswap,xchg,cmpxchg,lea,mov,movx,stack,string,bcd,conv,flags,jcc,call,enter,pusha,xlat,far,int,sreg,sys --out "${TMPDIR:-/tmp}/x86diff-random.txt"
