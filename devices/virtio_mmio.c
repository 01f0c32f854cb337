/* devices: the virtio-mmio transport, virtio 1.2 section 4.2 (Version 2,
 * modern only). Register handlers run on vCPU threads and only touch device
 * state under t->lock; a QueueNotify write reaches the I/O thread through
 * the queue's eventfd (KVM_IOEVENTFD, so normally without an exit to us),
 * and the device's queue work runs there. Interrupts go out through an
 * irqfd, or through ev->set_irq as a level when vmm/ gave no irqfd. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
/* musl's <sys/ioctl.h> defines the _IO* macros without a guard; let the
 * kernel's definitions (the same encoding) replace them. */
#ifndef __GLIBC__
#undef _IOC
#undef _IO
#undef _IOR
#undef _IOW
#undef _IOWR
#endif
#include <linux/kvm.h>

#include "devices/virtq.h"
#include "vmm/evloop.h"

static const struct bus_ops virtio_mmio_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};

bool virtio_mmio_has(const struct virtio_mmio *t, unsigned f)
{
	return (t->driver_features >> f) & 1;
}

bool virtio_mmio_live(const struct virtio_mmio *t)
{
	return (t->status & VIRTIO_STATUS_DRIVER_OK) && !(t->status & VIRTIO_STATUS_NEEDS_RESET);
}

static void virtio_mmio_raise(struct virtio_mmio *t, uint32_t bit)
{
	uint64_t one = 1;

	t->isr |= bit;
	t->stat_irqs++;
	if (t->irq_fd >= 0) {
		/* EAGAIN means the counter is saturated: an interrupt is pending. */
		if (write(t->irq_fd, &one, sizeof(one)) < 0)
			return;
	} else if (t->env.ev && t->env.ev->set_irq && !t->irq_line) {
		t->irq_line = true;
		t->env.ev->set_irq(t->env.ev->ctx, t->gsi, true);
	}
}

static void virtio_mmio_lower(struct virtio_mmio *t)
{
	if (t->irq_fd < 0 && t->irq_line && t->env.ev && t->env.ev->set_irq) {
		t->irq_line = false;
		t->env.ev->set_irq(t->env.ev->ctx, t->gsi, false);
	}
}

void virtio_mmio_notify_used(struct virtio_mmio *t, unsigned qi)
{
	if (qi < t->nqueues && virtq_need_irq(&t->vq[qi]))
		virtio_mmio_raise(t, VIRTIO_INT_USED);
}

void virtio_mmio_needs_reset(struct virtio_mmio *t)
{
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* Only a driver that has got past ACKNOWLEDGE listens for it. */
	if (t->status & VIRTIO_STATUS_DRIVER)
		virtio_mmio_raise(t, VIRTIO_INT_CONFIG);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	t->config_gen++;
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_raise(t, VIRTIO_INT_CONFIG);
}

static void virtio_mmio_reset(struct virtio_mmio *t)
{
	if (t->status)
		t->reset_status = t->status;
	t->status = 0;
	t->driver_features = 0;
	t->dev_feat_sel = t->drv_feat_sel = 0;
	t->queue_sel = 0;
	t->isr = 0;
	t->generation++;
	for (unsigned i = 0; i < t->nqueues; i++)
		virtq_reset(&t->vq[i]);
	virtio_mmio_lower(t);
	if (t->ops->reset)
		t->ops->reset(t->dev);
}

/* Wakes the I/O thread for queue qi, as the ioeventfd would. */
static void virtio_mmio_signal_kick(struct virtio_mmio *t, unsigned qi)
{
	uint64_t one = 1;

	if (write(t->kick[qi].fd, &one, sizeof(one)) < 0)
		return; /* saturated: a kick is pending anyway */
}

/* With the lock held, the device live and queue qi ready: runs the
 * queue, first suppressing its notifications and handing it to the I/O
 * thread's poller when the device asked for that. I/O thread only. */
static void virtio_mmio_serve(struct virtio_mmio *t, unsigned qi)
{
	if ((t->ops->poll_queues >> qi & 1) && t->env.loop) {
		virtq_suppress_notify(&t->vq[qi]);
		evloop_poll_start(t->env.loop, &t->poller);
	}
	t->ops->queue_notify(t->dev, qi);
}

/* The poller: runs each suppressed queue that has entries waiting. Work
 * found is entries taken: a device that cannot take more yet (all its
 * requests in flight) resumes from its completions, not from here. */
static bool virtio_mmio_poll(struct ev_poller *p)
{
	struct virtio_mmio *t = (struct virtio_mmio *)((char *)p - offsetof(struct virtio_mmio, poller));
	bool found = false;

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < t->nqueues; i++) {
		struct virtq *q = &t->vq[i];
		uint16_t before = q->last_avail;

		if (q->suppressed && virtq_avail_pending(q) && virtio_mmio_live(t)) {
			t->ops->queue_notify(t->dev, i);
			found |= q->last_avail != before;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

/* The loop stops polling: notifications back on for each suppressed queue,
 * then what the driver posted before it could see them (it did not notify
 * for that) is run now, not left on the ring. */
static void virtio_mmio_poll_stop(struct ev_poller *p)
{
	struct virtio_mmio *t = (struct virtio_mmio *)((char *)p - offsetof(struct virtio_mmio, poller));

	pthread_mutex_lock(&t->lock);
	for (unsigned i = 0; i < t->nqueues; i++)
		if (t->vq[i].suppressed && virtq_enable_notify(&t->vq[i]) && virtio_mmio_live(t))
			t->ops->queue_notify(t->dev, i);
	pthread_mutex_unlock(&t->lock);
}

/* A notification on queue qi: runs the queue, and with serve (the I/O
 * thread's kick) may start polling it. A notification before DRIVER_OK is
 * ignored; DRIVER_OK kicks again. */
static void virtio_mmio_notified(struct virtio_mmio *t, unsigned qi, bool serve)
{
	pthread_mutex_lock(&t->lock);
	t->stat_kicks++;
	if (virtio_mmio_live(t) && t->vq[qi].ready) {
		if (serve)
			virtio_mmio_serve(t, qi);
		else
			t->ops->queue_notify(t->dev, qi);
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_kick(struct virtio_mmio *t, unsigned qi)
{
	if (qi < t->nqueues)
		virtio_mmio_notified(t, qi, false);
}

static void virtio_mmio_arm_kick(struct virtio_kick *k)
{
	struct io_uring_sqe *sqe = evloop_sqe(k->t->env.loop, &k->w);

	k->armed = sqe != NULL;
	if (sqe)
		io_uring_prep_read(sqe, k->fd, &k->buf, sizeof(k->buf), 0);
}

static void virtio_mmio_kick_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct virtio_kick *k = (struct virtio_kick *)w;

	(void)flags;
	if (res < 0 && res != -EAGAIN && res != -EINTR) {
		k->armed = false;
		return;
	}
	virtio_mmio_arm_kick(k);
	virtio_mmio_notified(k->t, k->qi, true);
}

static void virtio_mmio_set_ready(struct virtio_mmio *t, struct virtq *q, uint32_t v)
{
	if (!v) {
		q->ready = false;
		return;
	}
	if (q->ready)
		return;
	q->event_idx = virtio_mmio_has(t, VIRTIO_F_EVENT_IDX);
	q->indirect = virtio_mmio_has(t, VIRTIO_F_INDIRECT_DESC);
	if (virtq_enable(q, t->env.mem) < 0)
		virtio_mmio_needs_reset(t);
}

static void virtio_mmio_set_status(struct virtio_mmio *t, uint32_t v)
{
	uint32_t old = t->status;

	if (v == 0) {
		virtio_mmio_reset(t);
		return;
	}
	v &= 0xff;
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		/* 2.2: a driver must accept VERSION_1 and nothing we did not offer. */
		if ((t->driver_features & ~t->host_features) || !virtio_mmio_has(t, VIRTIO_F_VERSION_1))
			v &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	}
	/* DRIVER_OK without FEATURES_OK is a driver bug: do not go live. */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK))
		v &= ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
	/* NEEDS_RESET is the device's bit: the driver can neither set nor clear it. */
	v = (v & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET);
	t->status = v;
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		for (unsigned i = 0; i < t->nqueues; i++)
			if (t->vq[i].ready)
				virtio_mmio_signal_kick(t, i);
}

static void virtio_mmio_config_rw(struct virtio_mmio *t, uint64_t off, void *data, unsigned len, bool wr)
{
	if (off > t->config_len || len > t->config_len - off) {
		if (!wr)
			memset(data, 0, len);
		return;
	}
	if (wr) {
		if (t->ops->config_write)
			t->ops->config_write(t->dev, off, data, len);
	} else {
		memset(data, 0, len);
		if (t->ops->config_read)
			t->ops->config_read(t->dev, off, data, len);
	}
}

void virtio_mmio_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct virtio_mmio *t = opaque;
	struct virtq *q;
	uint32_t v = 0;

	pthread_mutex_lock(&t->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_mmio_config_rw(t, off - VIRTIO_MMIO_CONFIG, data, len, false);
		pthread_mutex_unlock(&t->lock);
		return;
	}
	q = t->queue_sel < t->nqueues ? &t->vq[t->queue_sel] : NULL;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		v = VIRTIO_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		v = 2;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		v = t->device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		v = VIRTIO_MMIO_VENDOR;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_feat_sel < 2)
			v = (uint32_t)(t->host_features >> (32 * t->dev_feat_sel));
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		v = q ? VIRTQ_MAX_SIZE : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		v = q ? q->ready : 0;
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		v = t->isr;
		break;
	case VIRTIO_MMIO_STATUS:
		v = t->status;
		/* 2.4.1: 0 only once the reset is done, so that no request of
		 * the old driver writes guest memory the new one reuses. */
		if (!v && t->ops->resetting && t->ops->resetting(t->dev))
			v = t->reset_status;
		break;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		v = 0xffffffffu; /* no shared memory regions */
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		v = t->config_gen;
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&t->lock);
	memset(data, 0, len);
	memcpy(data, &v, len < 4 ? len : 4);
}

static void virtio_mmio_set_addr(struct virtq *q, uint64_t *field, bool high, uint32_t v)
{
	if (q->ready)
		return; /* 4.2.2: only while the queue is not ready */
	if (high)
		*field = (*field & 0xffffffffULL) | ((uint64_t)v << 32);
	else
		*field = (*field & ~0xffffffffULL) | v;
}

void virtio_mmio_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct virtio_mmio *t = opaque;
	struct virtq *q;
	uint32_t v = 0;

	pthread_mutex_lock(&t->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_mmio_config_rw(t, off - VIRTIO_MMIO_CONFIG, (void *)(uintptr_t)data, len, true);
		pthread_mutex_unlock(&t->lock);
		return;
	}
	/* Registers below the config space are 32 bits wide (4.2.2). */
	if (len != 4 || off % 4) {
		pthread_mutex_unlock(&t->lock);
		return;
	}
	memcpy(&v, data, 4);
	q = t->queue_sel < t->nqueues ? &t->vq[t->queue_sel] : NULL;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_feat_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->drv_feat_sel < 2 && !(t->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * t->drv_feat_sel;

			t->driver_features = (t->driver_features & ~(0xffffffffULL << sh)) | ((uint64_t)v << sh);
		}
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_feat_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q && !q->ready)
			q->num = v > 0xffff ? 0 : (uint16_t)v; /* checked at QueueReady */
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			virtio_mmio_set_ready(t, q, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Reached only without ioeventfd (or with a value it did not match). */
		if (v < t->nqueues)
			virtio_mmio_signal_kick(t, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->isr &= ~v;
		if (!t->isr)
			virtio_mmio_lower(t);
		break;
	case VIRTIO_MMIO_STATUS:
		virtio_mmio_set_status(t, v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (q)
			virtio_mmio_set_addr(q, &q->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (q)
			virtio_mmio_set_addr(q, &q->avail_gpa, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (q)
			virtio_mmio_set_addr(q, &q->used_gpa, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&t->lock);
}

int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_env *env, uint64_t base, unsigned gsi,
		     uint32_t device_id, uint64_t features, uint32_t config_len, unsigned nqueues,
		     const struct virtio_dev_ops *ops, void *dev)
{
	const struct bus_dev_info info = {"virtio_mmio", "virtio,mmio", "LNRO0005", (int)gsi};
	int r;

	if (nqueues == 0 || nqueues > 4 || config_len > VIRTIO_MMIO_SLOT - VIRTIO_MMIO_CONFIG)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->env = *env;
	t->base = base;
	t->gsi = gsi;
	t->device_id = device_id;
	t->host_features = features | (1ULL << VIRTIO_F_VERSION_1);
	t->config_len = config_len;
	t->nqueues = nqueues;
	t->ops = ops;
	t->dev = dev;
	t->irq_fd = -1;
	t->poller.poll = virtio_mmio_poll;
	t->poller.stop = virtio_mmio_poll_stop;
	for (unsigned i = 0; i < 4; i++) {
		t->kick[i].fd = -1;
		t->kick[i].t = t;
		t->kick[i].qi = i;
		t->kick[i].w.fn = virtio_mmio_kick_done;
		t->vq[i].mem = env->mem;
	}
	for (unsigned i = 0; i < nqueues; i++) {
		t->kick[i].fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->kick[i].fd < 0) {
			r = -errno;
			goto fail;
		}
		if (env->vmfd >= 0) {
			struct kvm_ioeventfd io = {
				.datamatch = i,
				.addr = base + VIRTIO_MMIO_QUEUE_NOTIFY,
				.len = 4,
				.fd = t->kick[i].fd,
				.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
			};

			if (ioctl(env->vmfd, KVM_IOEVENTFD, &io) < 0) {
				r = -errno;
				goto fail;
			}
		}
	}
	if (env->irqfd) {
		t->irq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->irq_fd < 0) {
			r = -errno;
			goto fail;
		}
		r = env->irqfd(env->ctx, gsi, t->irq_fd);
		if (r < 0)
			goto fail;
	}
	if (env->loop) {
		for (unsigned i = 0; i < nqueues; i++) {
			virtio_mmio_arm_kick(&t->kick[i]);
			if (!t->kick[i].armed) {
				r = -EBUSY;
				goto fail;
			}
		}
	}
	if (env->bus) {
		r = bus_register(env->bus, BUS_MMIO, base, VIRTIO_MMIO_SLOT, &virtio_mmio_ops, t, &info);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	virtio_mmio_destroy(t);
	return r;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	for (unsigned i = 0; i < 4; i++) {
		if (t->kick[i].fd >= 0)
			close(t->kick[i].fd);
		t->kick[i].fd = -1;
	}
	if (t->irq_fd >= 0)
		close(t->irq_fd);
	t->irq_fd = -1;
}
