/* devices: the parts the virtio device files share. The split virtqueue
 * (virtio 1.2 section 2.7) read from guest memory through mem_gpa_to_hva(),
 * and the virtio-mmio transport (section 4.2) that each device plugs into
 * through struct virtio_dev_ops. Private to devices/virtio_*.c and their
 * tests; vmm/ uses devices/virtio.h. */
#ifndef COVE_DEVICES_VIRTQ_H
#define COVE_DEVICES_VIRTQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio.h"
#include "mem/mem.h"
#include "vmm/evloop.h"

/* Largest queue a device offers (QueueNumMax), and the most buffers one
 * chain may have, indirect tables included. */
#define VIRTQ_MAX_SIZE 256
#define VIRTQ_MAX_IOV 256

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

#define VIRTIO_INT_USED 1
#define VIRTIO_INT_CONFIG 2

/* virtio-mmio registers (section 4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976u
#define VIRTIO_MMIO_VENDOR 0x45564f43u /* "COVE" */

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

/* One split virtqueue, device side. The ring pointers are host addresses
 * checked once, when the driver sets QueueReady; everything read through
 * them afterwards is copied before use, because the guest may change it at
 * any time. */
struct virtq {
	uint16_t num; /* queue size, a power of 2 <= VIRTQ_MAX_SIZE */
	bool ready;
	bool event_idx;
	bool indirect;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	volatile uint8_t *desc;  /* 16 * num bytes */
	volatile uint8_t *avail; /* 6 + 2 * num */
	volatile uint8_t *used;  /* 6 + 8 * num */
	uint16_t last_avail;     /* next avail entry to take */
	uint16_t used_idx;       /* our copy of used->idx */
	uint16_t signalled_used; /* used_idx at the last interrupt */
	bool signalled_valid;
	bool suppressed; /* the device polls: the driver was asked not to notify */
	const struct mem_map *mem;
};

/* One chain taken off the avail ring: device-readable buffers first
 * (iov[0 .. nout)), then device-writable ones (iov[nout .. nout + nin)).
 * Each iov points into guest RAM, already checked. */
struct virtq_elem {
	uint16_t head;
	unsigned nout, nin;
	uint64_t out_len, in_len;
	struct iovec iov[VIRTQ_MAX_IOV];
};

/* Checks and maps the rings set in q's gpa fields: sizes, alignment
 * (desc 16, avail 2, used 4) and that each ring lies in guest RAM. 0, or
 * -EINVAL / -EFAULT and the queue stays not ready. */
int virtq_enable(struct virtq *q, const struct mem_map *m);
/* Back to the state after reset (addresses and size cleared). */
void virtq_reset(struct virtq *q);
/* Takes the next available chain into e. 1: got one; 0: ring empty;
 * -EPROTO: the driver broke the ring (loop, chain too long, bad index,
 * readable after writable, nested indirect, avail index ran ahead by
 * more than num); -EFAULT: a buffer outside guest RAM. After an error
 * the device must stop using the queue (NEEDS_RESET). */
int virtq_pop(struct virtq *q, struct virtq_elem *e);
/* Gives the last popped chain back (nothing to run it with yet). */
void virtq_unpop(struct virtq *q);
/* Puts head on the used ring with len bytes written. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* After pushes: does the driver want an interrupt now (EVENT_IDX's
 * used_event, or the NO_INTERRUPT flag)? Updates the signalled mark. */
bool virtq_need_irq(struct virtq *q);
/* With EVENT_IDX, tells the driver to notify at the next avail entry
 * (avail_event = last_avail); otherwise clears NO_NOTIFY. Returns true when
 * more entries arrived meanwhile, so the caller pops again. While the queue
 * is suppressed it leaves notifications off and only looks. */
bool virtq_arm_notify(struct virtq *q);
/* Notification suppression (2.7.10) for a device that polls the ring:
 * asks the driver not to notify (NO_NOTIFY in used->flags; with EVENT_IDX,
 * an avail_event the driver has already passed) until
 * virtq_enable_notify(). The device must then look at the ring itself. */
void virtq_suppress_notify(struct virtq *q);
/* Ends the suppression race-free: notifications back on, then a second
 * look at avail->idx; true when entries are waiting, which no notification
 * will announce (the driver may have looked before they were back on). */
bool virtq_enable_notify(struct virtq *q);
/* Does the avail ring hold entries the device has not taken? A cheap look
 * for a polling device; virtq_pop still checks what it finds. */
bool virtq_avail_pending(const struct virtq *q);

/* Copies between an iovec array and a flat buffer, from byte off; returns
 * the bytes copied. */
size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *buf, size_t len);
/* Makes dst the bytes [off, off + len) of src; returns the number of dst
 * entries (<= max) or -1 when the range is not inside src or does not fit. */
int iov_slice(const struct iovec *src, unsigned n, size_t off, size_t len, struct iovec *dst, unsigned max);

/* The transport. A device fills ops and its feature bits; the transport
 * handles registers, feature negotiation, queue set-up, status and reset,
 * interrupts and notifications (an ioeventfd per queue, read by the I/O
 * thread). */
struct virtio_mmio;

struct virtio_dev_ops {
	/* Reads from device config space; off + len <= config_len. Under the
	 * device lock. */
	void (*config_read)(void *dev, uint64_t off, void *data, unsigned len);
	/* Writes to config space (most devices ignore them). Under the lock. */
	void (*config_write)(void *dev, uint64_t off, const void *data, unsigned len);
	/* A queue was notified (or DRIVER_OK came with buffers queued). Runs on
	 * the I/O thread, with the device lock held. */
	void (*queue_notify)(void *dev, unsigned qi);
	/* The driver reset the device: drop what is pending. Under the lock,
	 * on a vCPU thread: must not block on I/O. */
	void (*reset)(void *dev);
	/* Requests started before the last reset are still in flight and may
	 * yet write guest memory: the reset is not done, and Status does not
	 * read 0 until they end (2.4.1). Under the lock; NULL: never. */
	bool (*resetting)(void *dev);
	/* The VM ends: flush and quiesce (virtio_shutdown). Any thread. */
	void (*shutdown)(void *dev);
	/* Bit i: after a notification on queue i, the I/O thread polls it for
	 * a while with the driver's notifications suppressed (struct
	 * ev_poller). For queues where the driver posts work (requests), not
	 * buffers that wait for input. */
	unsigned poll_queues;
};

/* A queue's notification eventfd and the I/O thread's read armed on it. */
struct virtio_kick {
	struct ev_waiter w; /* first: the completion finds the kick from it */
	struct virtio_mmio *t;
	unsigned qi;
	int fd;       /* written by KVM (ioeventfd) or by a QueueNotify exit */
	uint64_t buf; /* the armed read's buffer */
	bool armed;
};

struct virtio_mmio {
	pthread_mutex_t lock; /* guards everything below; taken by MMIO
			       * handlers (vCPU threads) and the I/O thread */
	uint32_t device_id;
	uint64_t host_features;
	uint64_t driver_features;
	uint32_t dev_feat_sel, drv_feat_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t reset_status; /* Status before the last reset, read while resetting */
	uint32_t isr;
	uint32_t config_gen;
	uint32_t config_len;
	uint32_t generation; /* bumped on every reset; in-flight I/O of an
			      * older generation is dropped on completion */
	unsigned nqueues;
	struct virtq vq[4];
	struct virtio_kick kick[4];
	int irq_fd;    /* eventfd bound with env->irqfd, or -1 */
	bool irq_line; /* with no irqfd: the level given to ev->set_irq */
	unsigned gsi;
	uint64_t base;
	struct virtio_env env;
	const struct virtio_dev_ops *ops;
	void *dev;
	struct ev_poller poller; /* the I/O thread's, for ops->poll_queues */
	uint64_t stat_kicks, stat_irqs;
};

/* Sets up t for a device with nqueues queues (<= 4): eventfds, irqfd,
 * KVM_IOEVENTFD on QueueNotify when env->vmfd >= 0, the bus range when
 * env->bus is set, and a read armed on each eventfd when env->loop is set.
 * 0 or -errno. */
int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_env *env, uint64_t base, unsigned gsi,
		     uint32_t device_id, uint64_t features, uint32_t config_len, unsigned nqueues,
		     const struct virtio_dev_ops *ops, void *dev);
void virtio_mmio_destroy(struct virtio_mmio *t);
/* The register handlers (also reached through the bus). */
void virtio_mmio_read(void *opaque, uint64_t off, void *data, unsigned len);
void virtio_mmio_write(void *opaque, uint64_t off, const void *data, unsigned len);
/* Runs queue qi's notify as the I/O thread would after a kick (but starts
 * no polling); for tests and for devices that retry. Takes the lock. */
void virtio_mmio_kick(struct virtio_mmio *t, unsigned qi);
/* With the lock held: is the device live (DRIVER_OK, no NEEDS_RESET)? */
bool virtio_mmio_live(const struct virtio_mmio *t);
/* With the lock held: pushes done, raises the used-buffer interrupt if the
 * driver wants one. */
void virtio_mmio_notify_used(struct virtio_mmio *t, unsigned qi);
/* With the lock held: the driver broke queue rules: NEEDS_RESET and a
 * config-change interrupt (section 2.1.2). */
void virtio_mmio_needs_reset(struct virtio_mmio *t);
/* With the lock held: config space changed; bumps ConfigGeneration and
 * raises the config interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *t);
/* Did the driver accept feature bit f? */
bool virtio_mmio_has(const struct virtio_mmio *t, unsigned f);

/* The devices (devices/virtio_<name>.c). Each opens its backend, sets up
 * its transport at base/gsi and returns it in *out; on failure a one-line
 * reason goes to err and the return value is -errno. */
int virtio_blk_new(const struct virtio_env *env, uint64_t base, unsigned gsi, const struct vm_disk_config *d,
		   struct virtio_mmio **out, char *err, size_t errlen);
int virtio_net_new(const struct virtio_env *env, uint64_t base, unsigned gsi, const struct vm_net_config *n,
		   struct virtio_mmio **out, char *err, size_t errlen);
/* Port 0 reads in_fd and writes out_fd (cove's stdin and stdout). */
int virtio_console_new(const struct virtio_env *env, uint64_t base, unsigned gsi, int in_fd, int out_fd,
		       struct virtio_mmio **out, char *err, size_t errlen);
/* rng_path: the host randomness source (NULL: /dev/urandom). */
int virtio_rng_new(const struct virtio_env *env, uint64_t base, unsigned gsi, const char *rng_path,
		   struct virtio_mmio **out, char *err, size_t errlen);

#endif
