#!/bin/sh
# The shipped binary as issue 2 asks for it: `file` says statically linked,
# it carries liburing and libfdt, and stripped it is at most 512 KiB.
# tests/release.ninja fills in the paths.
cove='@COVE@'
stripped='@STRIPPED@'
max=$((512 * 1024))
ok=true
desc=$(file -b "$cove") || exit 1
case "$desc" in
*"statically linked"*) ;;
*) echo "cove-binary: $cove is not statically linked: $desc"; ok=false ;;
esac
for sym in io_uring_queue_init fdt_create; do
	nm "$cove" | grep -q " T $sym\$" || { echo "cove-binary: $cove lacks $sym"; ok=false; }
done
size=$(stat -c %s "$stripped") || exit 1
echo "cove-binary: stripped $size bytes ($((size / 1024)) KiB), at most $max"
[ "$size" -le "$max" ] || { echo "cove-binary: $stripped is larger than $max bytes"; ok=false; }
$ok
