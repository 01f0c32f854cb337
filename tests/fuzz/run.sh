#!/bin/sh
# Builds the libFuzzer target over x86emu and runs it for SECONDS (default
# 60), then prints executions and crashes. Crash inputs land in
# tests/fuzz/crashes/; copy small ones to tests/fuzz/regress/ so the
# x86diff-fuzz-replay check replays them on every test run.
#   tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags]
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-60}
[ $# -gt 0 ] && shift
out=build/fuzz
mkdir -p "$out" tests/fuzz/crashes "$out/corpus"
clang -O1 -g -std=gnu11 -I. -DCOVE_SANITIZE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-o "$out/fuzz_x86emu" tests/fuzz/fuzz_x86emu.c x86emu/*.c
log="$out/fuzz.log"
rc=0
"$out/fuzz_x86emu" -max_total_time="$secs" -max_len=512 -artifact_prefix=tests/fuzz/crashes/ \
	-print_final_stats=1 "$@" "$out/corpus" tests/fuzz/regress >"$log" 2>&1 || rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
crashes=$(grep -c '^==[0-9]*==ERROR\|^SUMMARY: \|deadly signal' "$log" || true)
echo "fuzz_x86emu: ${execs:-0} executions in ${secs}s, ${crashes} crashes (exit $rc, log $log)"
[ "$rc" -eq 0 ]
