#!/bin/sh
# Fetches Debian's cloud kernel (apt-get download, cached) and builds the
# test initramfs: Debian's busybox-static, the virtio modules from the same
# kernel package, and tests/linux/init. Prints the cache folder.
# Usage: tests/linux/fetch.sh [CACHE_DIR]   (default ~/.cache/cove/linux)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${COVE_CACHE:-$HOME/.cache/cove}/linux}
mkdir -p "$cache"
cd "$cache"
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
kdir=$(ls -d root/lib/modules/*/kernel)
rm -rf initramfs initramfs.cpio.gz
mkdir -p initramfs/bin initramfs/lib/modules initramfs/proc initramfs/sys initramfs/dev initramfs/tmp
cp /bin/busybox initramfs/bin/busybox
for m in drivers/virtio/virtio_ring.ko drivers/virtio/virtio.ko drivers/virtio/virtio_mmio.ko \
	drivers/block/virtio_blk.ko drivers/char/hw_random/virtio-rng.ko; do
	cp "$kdir/$m" initramfs/lib/modules/
done
cp "$here/init" initramfs/init
chmod +x initramfs/init
(cd initramfs && find . | cpio -o -H newc --quiet | gzip -1) > initramfs.cpio.gz
echo "$cache"
