#!/bin/sh
# musl-gcc does not search /usr/include (and must not: glibc's headers break
# it), so the few headers cove needs from Debian's -dev packages and the kernel
# uapi are copied into a private folder. Usage: musl-headers.sh OUTDIR
set -eu
out=$1
rm -rf "$out"
mkdir -p "$out"
cp -r /usr/include/liburing.h /usr/include/liburing "$out/"
cp /usr/include/libfdt.h /usr/include/libfdt_env.h /usr/include/fdt.h "$out/"
cp -r /usr/include/linux /usr/include/asm-generic "$out/"
cp -r /usr/include/x86_64-linux-gnu/asm "$out/asm"
touch "$out/.stamp"
