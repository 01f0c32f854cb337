#!/bin/sh
# Installs the Debian packages that cove's build, tests and benchmarks need.
# Idempotent: packages already present are left alone by apt-get.
set -eu
PKGS="build-essential musl-tools liburing-dev libfdt-dev libcriterion-dev \
ninja-build pkg-config file binutils clang lld llvm libclang-rt-14-dev \
qemu-system-x86 seabios acpica-tools busybox-static cpio gzip xz-utils lz4 zstd \
iproute2 kmod util-linux procps time strace"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
$SUDO apt-get update -q >/dev/null
if [ -n "$missing" ]; then
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
