/* devices: virtio-blk, virtio 1.2 section 5.2, on a file or block device.
 *
 * Requests run on the I/O thread as io_uring readv/writev/fsync/fallocate,
 * as many in flight as the queue holds. A request remembers the transport's
 * generation: one that completes after a device reset is dropped instead of
 * being put on a ring the driver has already forgotten, and the reset is
 * done (Status reads 0) only once none is left to write guest memory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtq.h"
#include "vmm/evloop.h"

/* musl's <fcntl.h> has KEEP_SIZE and PUNCH_HOLE but not ZERO_RANGE;
 * <linux/falloc.h> would redefine the first two. */
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_WRITE_ZEROES_F_UNMAP 1

/* struct virtio_blk_config offsets (5.2.4). */
#define BLK_CFG_CAPACITY 0
#define BLK_CFG_SEG_MAX 12
#define BLK_CFG_BLK_SIZE 20
#define BLK_CFG_MAX_DISCARD_SECTORS 36
#define BLK_CFG_MAX_DISCARD_SEG 40
#define BLK_CFG_DISCARD_ALIGN 44
#define BLK_CFG_MAX_WZ_SECTORS 48
#define BLK_CFG_MAX_WZ_SEG 52
#define BLK_CFG_WZ_MAY_UNMAP 56
#define BLK_CFG_LEN 60

#define SECTOR 512ULL
/* One discard or write-zeroes request covers at most this many sectors. */
#define BLK_MAX_RANGE_SECTORS (1u << 22)

struct virtio_blk;

struct blk_req {
	struct ev_waiter w; /* first: the completion finds the request */
	struct virtio_blk *blk;
	struct blk_req *next_free;
	uint32_t generation;
	uint16_t head;
	bool zero_fallback; /* WRITE_ZEROES retried as PUNCH_HOLE */
	volatile uint8_t *status;
	uint32_t used_len;
	int64_t expect; /* the result that means success */
	uint64_t off, len;
	unsigned niov;
	struct iovec iov[VIRTQ_MAX_IOV];
};

struct virtio_blk {
	struct virtio_mmio t; /* first */
	int fd;
	bool ro;
	bool stalled;	   /* popping stopped for want of a request or an SQE */
	unsigned inflight; /* requests the ring has not completed */
	unsigned draining; /* of those, the ones started before the last reset */
	uint64_t sectors;
	uint8_t config[BLK_CFG_LEN];
	char id[VIRTIO_BLK_ID_BYTES];
	struct blk_req *free;
	struct virtq_elem elem;
	struct blk_req reqs[VIRTQ_MAX_SIZE];
};

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct blk_range {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

static void blk_queue_notify(void *dev, unsigned qi);

static void blk_put(struct virtio_blk *b, struct blk_req *r)
{
	r->next_free = b->free;
	b->free = r;
}

static void blk_finish(struct virtio_blk *b, struct blk_req *r, uint8_t status)
{
	*r->status = status;
	virtq_push(&b->t.vq[0], r->head, r->used_len);
	blk_put(b, r);
}

static void blk_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct blk_req *r = (struct blk_req *)w;
	struct virtio_blk *b = r->blk;
	struct virtio_mmio *t = &b->t;

	(void)flags;
	pthread_mutex_lock(&t->lock);
	if (r->generation != t->generation) {
		/* The driver reset the device meanwhile: the old ring is not
		 * touched, and the reset is done once the last such ends. */
		b->draining--;
		b->inflight--;
		blk_put(b, r);
	} else if (!virtio_mmio_live(t)) {
		b->inflight--;
		blk_put(b, r);
	} else if (res == -EOPNOTSUPP && r->expect == 0 && r->len && !r->zero_fallback) {
		/* ZERO_RANGE is missing on some file systems (tmpfs); a punched
		 * hole reads back as zeroes too. */
		struct io_uring_sqe *sqe = evloop_sqe(t->env.loop, &r->w);

		r->zero_fallback = true;
		if (sqe) {
			io_uring_prep_fallocate(sqe, b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						(off_t)r->off, (off_t)r->len);
		} else {
			b->inflight--;
			blk_finish(b, r, VIRTIO_BLK_S_IOERR);
		}
	} else {
		b->inflight--;
		blk_finish(b, r, res == r->expect ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
	}
	virtio_mmio_notify_used(t, 0);
	if (b->stalled && virtio_mmio_live(t))
		blk_queue_notify(b, 0);
	pthread_mutex_unlock(&t->lock);
}

/* An SQE for r, counted in flight until blk_done finishes r. */
static struct io_uring_sqe *blk_sqe(struct virtio_blk *b, struct blk_req *r)
{
	struct io_uring_sqe *sqe = evloop_sqe(b->t.env.loop, &r->w);

	if (sqe)
		b->inflight++;
	return sqe;
}

/* Is [sector, sector + bytes / 512) on the disk? */
static bool blk_in_range(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	return sector <= b->sectors && bytes / SECTOR <= b->sectors - sector;
}

/* Starts one request. 0: done or in flight; -EAGAIN: no SQE, try later;
 * -EPROTO: the chain is not a virtio-blk request at all. */
static int blk_start(struct virtio_blk *b, struct virtq_elem *e, struct blk_req *r)
{
	struct io_uring_sqe *sqe;
	struct blk_hdr h;
	struct blk_range rg;
	struct iovec *last;
	uint64_t len;
	int n, mode;

	/* 5.2.6: a readable header, then data, then a writable status byte. */
	if (e->out_len < sizeof(h) || e->nin == 0)
		return -EPROTO;
	iov_to_buf(e->iov, e->nout, 0, &h, sizeof(h));
	last = &e->iov[e->nout + e->nin - 1];
	r->status = (volatile uint8_t *)last->iov_base + last->iov_len - 1;
	r->head = e->head;
	r->generation = b->t.generation;
	r->used_len = 1;
	r->zero_fallback = false;
	r->off = r->len = 0;
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (h.type == VIRTIO_BLK_T_IN) {
			len = e->in_len - 1;
			n = iov_slice(e->iov + e->nout, e->nin, 0, len, r->iov, VIRTQ_MAX_IOV);
		} else {
			len = e->out_len - sizeof(h);
			n = iov_slice(e->iov, e->nout, sizeof(h), len, r->iov, VIRTQ_MAX_IOV);
		}
		if (h.type == VIRTIO_BLK_T_OUT && b->ro)
			goto ioerr;
		if (n < 0 || len % SECTOR || !blk_in_range(b, h.sector, len))
			goto ioerr;
		if (len == 0)
			goto ok;
		sqe = blk_sqe(b, r);
		if (!sqe)
			return -EAGAIN;
		r->niov = (unsigned)n;
		r->expect = (int64_t)len;
		if (h.type == VIRTIO_BLK_T_IN) {
			r->used_len = (uint32_t)len + 1;
			io_uring_prep_readv(sqe, b->fd, r->iov, r->niov, h.sector * SECTOR);
		} else {
			io_uring_prep_writev(sqe, b->fd, r->iov, r->niov, h.sector * SECTOR);
		}
		return 0;
	case VIRTIO_BLK_T_FLUSH:
		sqe = blk_sqe(b, r);
		if (!sqe)
			return -EAGAIN;
		r->expect = 0;
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		return 0;
	case VIRTIO_BLK_T_GET_ID:
		len = e->in_len - 1 < VIRTIO_BLK_ID_BYTES ? e->in_len - 1 : VIRTIO_BLK_ID_BYTES;
		r->used_len = (uint32_t)iov_from_buf(e->iov + e->nout, e->nin, 0, b->id, len) + 1;
		goto ok;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		/* One segment per request (max_*_seg is 1). */
		if (b->ro || e->out_len - sizeof(h) != sizeof(rg))
			goto ioerr;
		iov_to_buf(e->iov, e->nout, sizeof(h), &rg, sizeof(rg));
		if (rg.num_sectors > BLK_MAX_RANGE_SECTORS || !blk_in_range(b, rg.sector, rg.num_sectors * SECTOR))
			goto ioerr;
		if (h.type == VIRTIO_BLK_T_DISCARD && rg.flags)
			goto unsupp;
		if (h.type == VIRTIO_BLK_T_WRITE_ZEROES && (rg.flags & ~VIRTIO_BLK_WRITE_ZEROES_F_UNMAP))
			goto unsupp;
		if (rg.num_sectors == 0)
			goto ok;
		sqe = blk_sqe(b, r);
		if (!sqe)
			return -EAGAIN;
		r->expect = 0;
		r->off = rg.sector * SECTOR;
		r->len = rg.num_sectors * SECTOR;
		mode = FALLOC_FL_KEEP_SIZE |
		       (h.type == VIRTIO_BLK_T_DISCARD ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE);
		/* Only WRITE_ZEROES may fall back to a hole; a DISCARD that fails fails. */
		r->zero_fallback = h.type == VIRTIO_BLK_T_DISCARD;
		io_uring_prep_fallocate(sqe, b->fd, mode, (off_t)r->off, (off_t)r->len);
		return 0;
	default:
		goto unsupp;
	}
ok:
	blk_finish(b, r, VIRTIO_BLK_S_OK);
	return 0;
ioerr:
	blk_finish(b, r, VIRTIO_BLK_S_IOERR);
	return 0;
unsupp:
	blk_finish(b, r, VIRTIO_BLK_S_UNSUPP);
	return 0;
}

static void blk_queue_notify(void *dev, unsigned qi)
{
	struct virtio_blk *b = dev;
	struct virtq *q = &b->t.vq[qi];

	b->stalled = false;
	for (;;) {
		struct blk_req *r = b->free;
		int n;

		if (!r) {
			b->stalled = true; /* blk_done pops again */
			break;
		}
		n = virtq_pop(q, &b->elem);
		if (n < 0) {
			virtio_mmio_needs_reset(&b->t);
			return;
		}
		if (n == 0) {
			if (virtq_arm_notify(q))
				continue;
			break;
		}
		b->free = r->next_free;
		n = blk_start(b, &b->elem, r);
		if (n == -EAGAIN) {
			blk_put(b, r);
			virtq_unpop(q);
			b->stalled = true;
			break;
		}
		if (n < 0) {
			blk_put(b, r);
			virtio_mmio_needs_reset(&b->t);
			return;
		}
	}
	virtio_mmio_notify_used(&b->t, qi);
}

static void blk_config_read(void *dev, uint64_t off, void *data, unsigned len)
{
	struct virtio_blk *b = dev;

	memcpy(data, b->config + off, len);
}

static void blk_reset(void *dev)
{
	struct virtio_blk *b = dev;

	/* In-flight requests stay out of the free list until they complete,
	 * and the reset is not done until then (blk_resetting). */
	b->stalled = false;
	b->draining = b->inflight;
}

static bool blk_resetting(void *dev)
{
	return ((struct virtio_blk *)dev)->draining != 0;
}

static void blk_shutdown(void *dev)
{
	struct virtio_blk *b = dev;

	if (!b->ro)
		fdatasync(b->fd);
}

static const struct virtio_dev_ops blk_ops = {
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
	.resetting = blk_resetting,
	.shutdown = blk_shutdown,
	.poll_queues = 1,
};

static void blk_put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Opens and locks the image: 0 or -errno with the reason in err. */
static int blk_open(struct virtio_blk *b, const struct vm_disk_config *d, char *err, size_t errlen)
{
	struct stat st;
	uint64_t size;
	int r;

	b->fd = open(d->path, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0) {
		r = -errno;
		snprintf(err, errlen, "disk '%s': %s", d->path, strerror(errno));
		return r;
	}
	/* One writer per image: a second cove on it would corrupt it. */
	if (flock(b->fd, (d->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		r = -errno;
		if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "disk '%s': in use by another process (locked)", d->path);
		else
			snprintf(err, errlen, "disk '%s': lock: %s", d->path, strerror(errno));
		return r;
	}
	if (fstat(b->fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "disk '%s': %s", d->path, strerror(errno));
		return r;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(b->fd, BLKGETSIZE64, &size) < 0) {
			r = -errno;
			snprintf(err, errlen, "disk '%s': size: %s", d->path, strerror(errno));
			return r;
		}
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		snprintf(err, errlen, "disk '%s': not a regular file or block device", d->path);
		return -EINVAL;
	}
	if (size % SECTOR) {
		snprintf(err, errlen, "disk '%s': size %llu is not a multiple of 512", d->path,
			 (unsigned long long)size);
		return -EINVAL;
	}
	b->sectors = size / SECTOR;
	snprintf(b->id, sizeof(b->id), "cove%llx-%llx", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	return 0;
}

int virtio_blk_new(const struct virtio_env *env, uint64_t base, unsigned gsi, const struct vm_disk_config *d,
		   struct virtio_mmio **out, char *err, size_t errlen)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	uint64_t feat = (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX) |
			(1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			(1ULL << VIRTIO_BLK_F_FLUSH);
	int r;

	if (!b) {
		snprintf(err, errlen, "disk '%s': out of memory", d->path);
		return -ENOMEM;
	}
	b->ro = d->readonly;
	r = blk_open(b, d, err, errlen);
	if (r < 0)
		goto fail;
	if (b->ro)
		feat |= 1ULL << VIRTIO_BLK_F_RO;
	else
		feat |= (1ULL << VIRTIO_BLK_F_DISCARD) | (1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	memcpy(b->config + BLK_CFG_CAPACITY, &b->sectors, 8);
	blk_put32(b->config + BLK_CFG_SEG_MAX, VIRTQ_MAX_IOV - 2);
	blk_put32(b->config + BLK_CFG_BLK_SIZE, SECTOR);
	blk_put32(b->config + BLK_CFG_MAX_DISCARD_SECTORS, BLK_MAX_RANGE_SECTORS);
	blk_put32(b->config + BLK_CFG_MAX_DISCARD_SEG, 1);
	blk_put32(b->config + BLK_CFG_DISCARD_ALIGN, 1);
	blk_put32(b->config + BLK_CFG_MAX_WZ_SECTORS, BLK_MAX_RANGE_SECTORS);
	blk_put32(b->config + BLK_CFG_MAX_WZ_SEG, 1);
	b->config[BLK_CFG_WZ_MAY_UNMAP] = 1;
	for (unsigned i = 0; i < VIRTQ_MAX_SIZE; i++) {
		b->reqs[i].w.fn = blk_done;
		b->reqs[i].blk = b;
		blk_put(b, &b->reqs[i]);
	}
	r = virtio_mmio_init(&b->t, env, base, gsi, VIRTIO_ID_BLOCK, feat, BLK_CFG_LEN, 1, &blk_ops, b);
	if (r < 0) {
		snprintf(err, errlen, "disk '%s': virtio-mmio set-up: %s", d->path, strerror(-r));
		goto fail;
	}
	*out = &b->t;
	return 0;
fail:
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	return r;
}
