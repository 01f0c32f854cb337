#!/bin/bash
# Sets up, builds and runs every test: the Criterion unit and integration
# tests, the Debian kernel boot tests (tests/integration/test_linux.c, many
# minutes on hosts where KVM emulates guest kernel code: they run beside the
# rest, collected last), then the checks in <build>/tests/check/ (each an
# executable that exits 0 when it passes). `--asan` does the same under
# ASan+UBSan (build-asan.ninja), with one Linux boot (the bzImage) instead of
# both; `--no-linux` leaves the Linux boots out. Prints "N passed, N failed"
# last.
set -u
cd "$(dirname "$0")/.."
variant=build
nf=build.ninja
linux=true
for a in "$@"; do
	case "$a" in
	--asan) variant=build-asan nf=build-asan.ninja ;;
	--linux) linux=true ;;
	--no-linux) linux=false ;;
	*) echo "usage: scripts/test.sh [--asan] [--no-linux]"; exit 2 ;;
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
# The Linux boots last, alone: they take many minutes on hosts where KVM
# emulates guest kernel code (HOST.md) and keep both cores busy, which
# would upset the timing of the tests above.
if $linux; then
	for t in "$variant"/tests/integration/test_linux*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		if [ "$variant" = build-asan ]; then
			"$t" --jobs=1 --filter 'linux_boot/debian_bzimage*' >"$log" 2>&1
		else
			"$t" --jobs=2 >"$log" 2>&1
		fi
		report "$t" $? "$log"
	done
fi
rm -f "$log"
for f in "${failed[@]}"; do echo "FAILED: $f"; done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
