/* devices: virtio over MMIO (virtio 1.x, modern only). Devices sit in a
 * fixed window below 4 GiB, one 4 KiB page each, each with its own GSI. */
#ifndef COVE_DEVICES_VIRTIO_H
#define COVE_DEVICES_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/devices.h"
#include "mem/mem.h"
#include "vmm/vmm.h"

#define VIRTIO_MMIO_BASE 0xd0000000ULL
#define VIRTIO_MMIO_SLOT 0x1000ULL
#define VIRTIO_MMIO_MAX 18
/* GSIs of the slots, in order: IOAPIC pins 5..23 without 8 (RTC). */
#define VIRTIO_GSIS {5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}

struct evloop;

/* What vmm/ hands the virtio devices. */
struct virtio_env {
	struct bus *bus;
	struct mem_map *mem;
	struct evloop *loop; /* the I/O thread's loop; set-up runs before it starts */
	int vmfd;            /* for KVM_IOEVENTFD */
	/* Binds eventfd efd to raise gsi (KVM_IRQFD through the IOAPIC's route). */
	int (*irqfd)(void *ctx, unsigned gsi, int efd);
	const struct vm_events *ev;
	void *ctx;
};

/* Creates every virtio device cfg asks for (--disk, --net, --console,
 * --rng), in that order, in consecutive slots. 0, or -errno with a one-line
 * reason in err ("disk 'a.img': size 1000 is not a multiple of 512"). */
int virtio_attach(const struct vm_config *cfg, struct virtio_env *env, char *err, size_t errlen);
/* Flushes disks and quiesces backends; called once at VM end. */
void virtio_shutdown(void);

#endif
