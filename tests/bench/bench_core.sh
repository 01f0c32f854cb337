#!/bin/sh
# cove's core benchmark: a tiny real-mode blob under cove, the raw KVM floor
# and QEMU microvm; the hello guest under cove and QEMU; cove's peak RSS,
# its own share and its stripped size. Prints figures and ratios against
# the peers measured in the same run; never fails on a timing.
# Usage: tests/bench/bench_core.sh [RUNS]   (default 50)
set -eu
cd "$(dirname "$0")/../.."
ninja -j 2 build/cove build/cove.stripped build/guests/hello.elf build/tests/bench/kvmfloor build/tests/bench/bench_core
exec build/tests/bench/bench_core build "${1:-50}"
