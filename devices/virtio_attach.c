/* devices: virtio_attach() and virtio_shutdown(), the two calls vmm/ makes.
 * Devices take consecutive slots in the virtio-mmio window, each with the
 * next GSI of VIRTIO_GSIS. The device list is written once by the main
 * thread during set-up and only read afterwards (virtio_shutdown). */
#include <errno.h>
#include <stdio.h>

#include "devices/virtq.h"

static const unsigned virtio_gsis[VIRTIO_MMIO_MAX] = VIRTIO_GSIS;
static struct virtio_mmio *virtio_devs[VIRTIO_MMIO_MAX];
static unsigned virtio_ndevs;

static int virtio_slot(char *err, size_t errlen, const char *what)
{
	if (virtio_ndevs == VIRTIO_MMIO_MAX) {
		snprintf(err, errlen, "%s: no free virtio-mmio slot (at most %d devices)", what, VIRTIO_MMIO_MAX);
		return -ENOSPC;
	}
	return (int)virtio_ndevs;
}

int virtio_attach(const struct vm_config *cfg, struct virtio_env *env, char *err, size_t errlen)
{
	int r;

	for (unsigned i = 0; i < cfg->ndisks; i++) {
		struct virtio_mmio *t;
		int s = virtio_slot(err, errlen, "--disk");

		if (s < 0)
			return s;
		r = virtio_blk_new(env, VIRTIO_MMIO_BASE + (uint64_t)s * VIRTIO_MMIO_SLOT, virtio_gsis[s],
				   &cfg->disks[i], &t, err, errlen);
		if (r < 0)
			return r;
		virtio_devs[virtio_ndevs++] = t;
	}
	for (unsigned i = 0; i < cfg->nnets; i++) {
		struct virtio_mmio *t;
		int s = virtio_slot(err, errlen, "--net");

		if (s < 0)
			return s;
		r = virtio_net_new(env, VIRTIO_MMIO_BASE + (uint64_t)s * VIRTIO_MMIO_SLOT, virtio_gsis[s],
				   &cfg->nets[i], &t, err, errlen);
		if (r < 0)
			return r;
		virtio_devs[virtio_ndevs++] = t;
	}
	if (cfg->console) {
		struct virtio_mmio *t;
		int s = virtio_slot(err, errlen, "--console");

		if (s < 0)
			return s;
		r = virtio_console_new(env, VIRTIO_MMIO_BASE + (uint64_t)s * VIRTIO_MMIO_SLOT, virtio_gsis[s], 0, 1,
				       &t, err, errlen);
		if (r < 0)
			return r;
		virtio_devs[virtio_ndevs++] = t;
	}
	if (cfg->rng) {
		struct virtio_mmio *t;
		int s = virtio_slot(err, errlen, "--rng");

		if (s < 0)
			return s;
		r = virtio_rng_new(env, VIRTIO_MMIO_BASE + (uint64_t)s * VIRTIO_MMIO_SLOT, virtio_gsis[s], NULL, &t,
				   err, errlen);
		if (r < 0)
			return r;
		virtio_devs[virtio_ndevs++] = t;
	}
	return 0;
}

void virtio_shutdown(void)
{
	for (unsigned i = 0; i < virtio_ndevs; i++) {
		struct virtio_mmio *t = virtio_devs[i];

		if (t->ops->shutdown)
			t->ops->shutdown(t->dev);
	}
}
