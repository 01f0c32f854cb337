#!/bin/bash
# Sets up, builds and runs every test: the Criterion unit and integration
# tests, then the checks in <build>/tests/check/ (each an executable that
# exits 0 when it passes). `--asan` does the same under ASan+UBSan
# (build-asan.ninja); `--linux` adds the Debian kernel boot test. Prints
# "N passed, N failed" last.
set -u
cd "$(dirname "$0")/.."
variant=build
nf=build.ninja
linux=false
for a in "$@"; do
	case "$a" in
	--asan) variant=build-asan nf=build-asan.ninja ;;
	--linux) linux=true ;;
	*) echo "usage: scripts/test.sh [--asan] [--linux]"; exit 2 ;;
	esac
done
scripts/setup.sh || { echo "test.sh: setup failed"; exit 1; }
scripts/genlink.sh || { echo "test.sh: genlink failed"; exit 1; }
ninja -f "$nf" || { echo "test.sh: build failed"; exit 1; }

export COVE="$PWD/$variant/cove"
export COVE_BUILD="$PWD/$variant"
pass=0
fail=0
failed=()
log=$(mktemp)
# The Linux boot (--linux) takes many minutes on hosts where KVM emulates
# guest CPL0 code (HOST.md): it runs beside the other tests, collected last.
slow=()
for t in $($linux && echo "$variant"/tests/integration/test_linux*); do
	[ -x "$t" ] && [ -f "$t" ] || continue
	slowlog=$(mktemp)
	"$t" --jobs=1 >"$slowlog" 2>&1 &
	slow+=("$t|$!|$slowlog")
done
report() { # name status logfile
	local t=$1 rc=$2 log=$3
	echo "== $t"
	cat "$log"
	line=$(grep -a 'Synthesis: Tested:' "$log" | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g')
	p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
	c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
	if [ -z "$p" ]; then
		fail=$((fail + 1))
		failed+=("$t (no result, status $rc)")
		return
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	[ "$f" -eq 0 ] && [ "$rc" -eq 0 ] || failed+=("$t")
	[ "$rc" -eq 0 ] || [ "$f" -ne 0 ] || { fail=$((fail + 1)); }
}
for t in "$variant"/tests/unit/* "$variant"/tests/integration/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case "$t" in */test_linux*) continue ;; esac
	"$t" --jobs=2 >"$log" 2>&1
	report "$t" $? "$log"
done
for s in "${slow[@]}"; do
	IFS='|' read -r t pid slowlog <<<"$s"
	wait "$pid"
	report "$t" $? "$slowlog"
	rm -f "$slowlog"
done
for t in "$variant"/tests/check/*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	echo "== $t"
	if "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed+=("$t")
	fi
done
rm -f "$log"
for f in "${failed[@]}"; do echo "FAILED: $f"; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
