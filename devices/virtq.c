/* devices: the split virtqueue, device side (virtio 1.2 section 2.7).
 *
 * Every ring access goes through host pointers that virtq_enable() checked
 * against guest RAM once; every descriptor is copied before it is looked at,
 * and every buffer it names is checked with mem_gpa_to_hva() before it
 * becomes an iovec. A chain is bounded by the table it lives in, so a loop
 * ends as an error, never as a hang. */
#include <errno.h>
#include <string.h>

#include "devices/virtq.h"

struct virtq_desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint16_t virtq_load16(const volatile uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)(uintptr_t)p, __ATOMIC_RELAXED);
}

static void virtq_store16(volatile uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(uintptr_t)p, v, __ATOMIC_RELAXED);
}

static void virtq_store32(volatile uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(uintptr_t)p, v, __ATOMIC_RELAXED);
}

/* An indirect table need not be aligned, so descriptors are copied bytewise. */
static void virtq_read_desc(const volatile uint8_t *table, unsigned i, struct virtq_desc_copy *d)
{
	uint8_t raw[16];

	memcpy(raw, (const void *)(uintptr_t)(table + 16 * (size_t)i), sizeof(raw));
	memcpy(&d->addr, raw, 8);
	memcpy(&d->len, raw + 8, 4);
	memcpy(&d->flags, raw + 12, 2);
	memcpy(&d->next, raw + 14, 2);
}

void virtq_reset(struct virtq *q)
{
	const struct mem_map *m = q->mem;

	memset(q, 0, sizeof(*q));
	q->mem = m;
}

int virtq_enable(struct virtq *q, const struct mem_map *m)
{
	uint64_t n = q->num;

	q->ready = false;
	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	if (q->desc_gpa % 16 || q->avail_gpa % 2 || q->used_gpa % 4)
		return -EINVAL;
	q->mem = m;
	q->desc = mem_gpa_to_hva(m, q->desc_gpa, 16 * n, false);
	q->avail = mem_gpa_to_hva(m, q->avail_gpa, 6 + 2 * n, false);
	q->used = mem_gpa_to_hva(m, q->used_gpa, 6 + 8 * n, true);
	if (!q->desc || !q->avail || !q->used) {
		q->desc = q->avail = q->used = NULL;
		return -EFAULT;
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->signalled_valid = false;
	q->suppressed = false;
	q->ready = true;
	return 0;
}

/* Follows the chain at head (section 2.7.5 and 2.7.7 for indirect tables). */
static int virtq_walk(struct virtq *q, uint16_t head, struct virtq_elem *e)
{
	const volatile uint8_t *table = q->desc;
	unsigned tsize = q->num, count = 0, i = head;
	bool in_indirect = false;

	e->head = head;
	e->nout = e->nin = 0;
	e->out_len = e->in_len = 0;
	for (;;) {
		struct virtq_desc_copy d;
		bool wr;
		void *p;

		/* More descriptors than the table holds means a loop. */
		if (++count > tsize)
			return -EPROTO;
		virtq_read_desc(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!q->indirect || in_indirect || (d.flags & VIRTQ_DESC_F_NEXT))
				return -EPROTO;
			if (d.len == 0 || d.len % 16 || d.len / 16 > VIRTQ_MAX_IOV)
				return -EPROTO;
			table = mem_gpa_to_hva(q->mem, d.addr, d.len, false);
			if (!table)
				return -EFAULT;
			tsize = d.len / 16;
			count = 0;
			i = 0;
			in_indirect = true;
			continue;
		}
		wr = d.flags & VIRTQ_DESC_F_WRITE;
		/* Readable buffers come before writable ones (2.7.4.2). */
		if (!wr && e->nin)
			return -EPROTO;
		if (d.len) {
			if (e->nout + e->nin >= VIRTQ_MAX_IOV)
				return -EPROTO;
			p = mem_gpa_to_hva(q->mem, d.addr, d.len, wr);
			if (!p)
				return -EFAULT;
			e->iov[e->nout + e->nin].iov_base = p;
			e->iov[e->nout + e->nin].iov_len = d.len;
			if (wr) {
				e->nin++;
				e->in_len += d.len;
			} else {
				e->nout++;
				e->out_len += d.len;
			}
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
		if (i >= tsize)
			return -EPROTO;
	}
}

int virtq_pop(struct virtq *q, struct virtq_elem *e)
{
	uint16_t avail_idx, pending, head;
	int r;

	if (!q->ready)
		return 0;
	avail_idx = virtq_load16(q->avail + 2);
	/* Ring entries written before idx must be seen after it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending == 0)
		return 0;
	if (pending > q->num)
		return -EPROTO;
	head = virtq_load16(q->avail + 4 + 2 * (q->last_avail % q->num));
	if (head >= q->num)
		return -EPROTO;
	r = virtq_walk(q, head, e);
	if (r < 0)
		return r;
	q->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *q)
{
	q->last_avail--;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	volatile uint8_t *ent = q->used + 4 + 8 * (size_t)(q->used_idx % q->num);

	virtq_store32(ent, head);
	virtq_store32(ent + 4, len);
	q->used_idx++;
	/* The entry must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	virtq_store16(q->used + 2, q->used_idx);
}

bool virtq_need_irq(struct virtq *q)
{
	uint16_t old, cur, ev;
	bool valid;

	if (!q->ready)
		return false;
	/* used->idx must be visible before we read what the driver wants. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx) {
		bool want = !(virtq_load16(q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);

		want = want && (!q->signalled_valid || q->signalled_used != q->used_idx);
		q->signalled_used = q->used_idx;
		q->signalled_valid = true;
		return want;
	}
	ev = virtq_load16(q->avail + 4 + 2 * (size_t)q->num);
	old = q->signalled_used;
	cur = q->used_idx;
	valid = q->signalled_valid;
	q->signalled_used = cur;
	q->signalled_valid = true;
	if (!valid)
		return true;
	/* vring_need_event: did used->idx pass used_event since the last time? */
	return (uint16_t)(cur - ev - 1) < (uint16_t)(cur - old);
}

/* avail_event: the driver notifies when its avail->idx moves past it. */
static void virtq_set_avail_event(struct virtq *q, uint16_t v)
{
	virtq_store16(q->used + 4 + 8 * (size_t)q->num, v);
}

bool virtq_arm_notify(struct virtq *q)
{
	if (!q->ready)
		return false;
	if (q->suppressed) {
		/* Keep avail_event just behind the driver, so that it never
		 * comes round to it again (mod 2^16) while we poll. */
		if (q->event_idx)
			virtq_set_avail_event(q, (uint16_t)(q->last_avail - 1));
	} else if (q->event_idx) {
		virtq_set_avail_event(q, q->last_avail);
	} else {
		virtq_store16(q->used, 0);
	}
	/* Our avail_event must be visible before we look at avail->idx again;
	 * the driver orders its avail->idx before its look at ours the same
	 * way, so one of us sees the other. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return virtq_load16(q->avail + 2) != q->last_avail;
}

void virtq_suppress_notify(struct virtq *q)
{
	if (!q->ready || q->suppressed)
		return;
	q->suppressed = true;
	/* An avail_event of last_avail - 1 lies behind every index the driver
	 * can publish next (it is at most num entries ahead of us). */
	if (q->event_idx)
		virtq_set_avail_event(q, (uint16_t)(q->last_avail - 1));
	else
		virtq_store16(q->used, VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_enable_notify(struct virtq *q)
{
	q->suppressed = false;
	return virtq_arm_notify(q);
}

bool virtq_avail_pending(const struct virtq *q)
{
	return q->ready && virtq_load16(q->avail + 2) != q->last_avail;
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, size_t off, void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (off >= l) {
			off -= l;
			continue;
		}
		c = l - off < len - done ? l - off : len - done;
		memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + off, c);
		done += c;
		off = 0;
	}
	return done;
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, size_t off, const void *buf, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len, c;

		if (off >= l) {
			off -= l;
			continue;
		}
		c = l - off < len - done ? l - off : len - done;
		memcpy((uint8_t *)iov[i].iov_base + off, (const uint8_t *)buf + done, c);
		done += c;
		off = 0;
	}
	return done;
}

int iov_slice(const struct iovec *src, unsigned n, size_t off, size_t len, struct iovec *dst, unsigned max)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n && len; i++) {
		size_t l = src[i].iov_len, c;

		if (off >= l) {
			off -= l;
			continue;
		}
		if (k == max)
			return -1;
		c = l - off < len ? l - off : len;
		dst[k].iov_base = (uint8_t *)src[i].iov_base + off;
		dst[k].iov_len = c;
		k++;
		len -= c;
		off = 0;
	}
	return len ? -1 : (int)k;
}
