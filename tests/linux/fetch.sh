#!/bin/sh
# Fetches Debian's cloud kernel (apt-get download, cached) and builds the
# test inputs: the initramfs (Debian's busybox-static, the virtio modules
# from the same kernel package, tests/linux/init) and the uncompressed
# vmlinux from inside the bzImage (for the PVH boot). Prints the cache folder.
#
# The initramfs is an uncompressed cpio and the modules have their
# signatures removed: on hosts where KVM emulates every guest kernel
# instruction (../shared/HOST.md), inflating a gzip archive and checking a
# module signature each cost the guest minutes. The kernel accepts unsigned
# modules unless module.sig_enforce is set (it is not by default).
# Usage: tests/linux/fetch.sh [CACHE_DIR]   (default ~/.cache/cove/linux)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${COVE_CACHE:-$HOME/.cache/cove}/linux}
mkdir -p "$cache"
cd "$cache"
# Tests run in parallel each call this script: one builds, the others wait.
exec 9>"$cache/.lock"
flock 9
if [ ! -s vmlinuz ] || [ ! -d root ]; then
	# The meta package names the current kernel package.
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || { echo "fetch.sh: no linux-image-cloud-amd64 in apt (run apt-get update)" >&2; exit 1; }
	rm -rf dl root
	mkdir dl
	(cd dl && apt-get download "$pkg" >/dev/null 2>&1) || { echo "fetch.sh: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb -x dl/*.deb root
	cp root/boot/vmlinuz-* vmlinuz.tmp && mv vmlinuz.tmp vmlinuz
	rm -rf dl
fi

# Little-endian u32 at a byte offset of a file.
le32() {
	od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '
}

# vmlinux: the bzImage's payload (boot.rst: payload_offset at 0x248 and
# payload_length at 0x24c, from the start of the protected-mode code),
# decompressed by whichever tool its magic names.
if [ ! -s vmlinux ]; then
	sects=$(od -An -tu1 -j 497 -N 1 vmlinuz | tr -d ' ')
	[ "$sects" -ne 0 ] || sects=4
	off=$(( (sects + 1) * 512 + $(le32 vmlinuz 584) ))
	len=$(le32 vmlinuz 588)
	magic=$(od -An -tx1 -j "$off" -N 4 vmlinuz | tr -d ' \n')
	case "$magic" in
	02214c18) dec="lz4 -dc" ;;
	28b52ffd) dec="zstd -dc" ;;
	fd377a58) dec="xz -dc" ;;
	1f8b*) dec="gzip -dc" ;;
	*) echo "fetch.sh: unknown bzImage payload compression (magic $magic)" >&2; exit 1 ;;
	esac
	tail -c +$((off + 1)) vmlinuz | head -c "$len" | $dec > vmlinux.tmp 2>/dev/null || true
	[ -s vmlinux.tmp ] || { echo "fetch.sh: cannot decompress the bzImage payload ($dec)" >&2; exit 1; }
	mv vmlinux.tmp vmlinux
fi

kdir=$(ls -d root/lib/modules/*/kernel)
rm -rf initramfs initramfs.cpio.tmp
mkdir -p initramfs/bin initramfs/lib/modules initramfs/proc initramfs/sys initramfs/dev initramfs/tmp
cp /bin/busybox initramfs/bin/busybox
for m in drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_mmio.ko \
	drivers/block/virtio_blk.ko drivers/char/hw_random/virtio-rng.ko; do
	ko=initramfs/lib/modules/$(basename "$m")
	cp "$kdir/$m" "$ko"
	# An appended signature ends with struct module_signature (its last
	# four bytes: the signature's length, big-endian) and the 28-byte
	# marker "~Module signature appended~\n".
	if tail -c 28 "$ko" | grep -q 'Module signature appended'; then
		size=$(stat -c %s "$ko")
		siglen=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
		head -c $((size - siglen - 40)) "$ko" > "$ko.tmp"
		mv "$ko.tmp" "$ko"
	fi
done
cp "$here/init" initramfs/init
chmod +x initramfs/init
(cd initramfs && find . | cpio -o -H newc --quiet) > initramfs.cpio.tmp
mv initramfs.cpio.tmp initramfs.cpio
echo "$cache"
