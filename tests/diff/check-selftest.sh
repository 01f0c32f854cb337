#!/bin/sh
# The comparison itself: a flipped bit in registers, flags or memory must be
# caught, a flipped undefined flag ignored.
exec @X86DIFF@ --self-test --seed 7
