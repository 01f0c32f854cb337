/* devices: virtio-net, virtio 1.2 section 5.1, on a tap device
 * (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, 12-byte header = struct
 * virtio_net_hdr with num_buffers, so guest buffers go to the tap as they
 * are). Every posted receive buffer becomes an io_uring readv on the tap,
 * every transmit chain a writev; no offloads are offered, so the tap never
 * hands us GSO frames. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
/* musl's <sys/ioctl.h> defines the _IO* macros without a guard; let the
 * kernel's definitions (the same encoding) replace them. */
#ifndef __GLIBC__
#undef _IOC
#undef _IO
#undef _IOR
#undef _IOW
#undef _IOWR
#endif
#include <sys/random.h>
#include <unistd.h>

#include "devices/virtq.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define NET_HDR_LEN 12
#define NET_HDR_NUM_BUFFERS 10
#define NET_RXQ 0
#define NET_TXQ 1
#define NET_CFG_LEN 8 /* mac[6], status */

struct virtio_net;

struct net_req {
	struct ev_waiter w; /* first */
	struct virtio_net *net;
	struct net_req *next_free;
	uint32_t generation;
	uint16_t head;
	unsigned qi, niov;
	struct iovec iov[VIRTQ_MAX_IOV];
};

struct virtio_net {
	struct virtio_mmio t; /* first */
	int fd;
	uint8_t config[NET_CFG_LEN];
	bool stalled[2];
	struct net_req *free;
	struct virtq_elem elem;
	struct net_req reqs[2 * VIRTQ_MAX_SIZE];
};

static void net_queue_notify(void *dev, unsigned qi);

static void net_put(struct virtio_net *n, struct net_req *r)
{
	r->next_free = n->free;
	n->free = r;
}

static void net_done(struct ev_waiter *w, int res, unsigned flags)
{
	struct net_req *r = (struct net_req *)w;
	struct virtio_net *n = r->net;
	struct virtio_mmio *t = &n->t;

	(void)flags;
	pthread_mutex_lock(&t->lock);
	if (r->generation == t->generation && virtio_mmio_live(t)) {
		uint32_t len = 0;

		if (r->qi == NET_RXQ && res >= NET_HDR_LEN) {
			uint16_t one = 1;

			/* 5.1.6.4: without MRG_RXBUF the device sets num_buffers to 1. */
			iov_from_buf(r->iov, r->niov, NET_HDR_NUM_BUFFERS, &one, sizeof(one));
			len = (uint32_t)res;
		}
		virtq_push(&t->vq[r->qi], r->head, len);
		virtio_mmio_notify_used(t, r->qi);
	}
	net_put(n, r);
	for (unsigned qi = 0; qi < 2; qi++)
		if (n->stalled[qi] && virtio_mmio_live(t))
			net_queue_notify(n, qi);
	pthread_mutex_unlock(&t->lock);
}

static void net_queue_notify(void *dev, unsigned qi)
{
	struct virtio_net *n = dev;
	struct virtq *q = &n->t.vq[qi];

	n->stalled[qi] = false;
	for (;;) {
		struct net_req *r = n->free;
		struct io_uring_sqe *sqe;
		bool rx = qi == NET_RXQ;
		int k;

		if (!r) {
			n->stalled[qi] = true;
			break;
		}
		k = virtq_pop(q, &n->elem);
		/* Receive buffers are all writable, transmit ones all readable. */
		if (k < 0 || (k > 0 && (rx ? n->elem.nout : n->elem.nin))) {
			virtio_mmio_needs_reset(&n->t);
			return;
		}
		if (k == 0) {
			if (virtq_arm_notify(q))
				continue;
			break;
		}
		if ((rx ? n->elem.in_len : n->elem.out_len) < NET_HDR_LEN) {
			virtq_push(q, n->elem.head, 0);
			continue;
		}
		sqe = evloop_sqe(n->t.env.loop, &r->w);
		if (!sqe) {
			virtq_unpop(q);
			n->stalled[qi] = true;
			break;
		}
		n->free = r->next_free;
		r->head = n->elem.head;
		r->qi = qi;
		r->generation = n->t.generation;
		r->niov = rx ? n->elem.nin : n->elem.nout;
		memcpy(r->iov, n->elem.iov, sizeof(r->iov[0]) * r->niov);
		if (rx)
			io_uring_prep_readv(sqe, n->fd, r->iov, r->niov, 0);
		else
			io_uring_prep_writev(sqe, n->fd, r->iov, r->niov, 0);
	}
	virtio_mmio_notify_used(&n->t, qi);
}

static void net_config_read(void *dev, uint64_t off, void *data, unsigned len)
{
	memcpy(data, ((struct virtio_net *)dev)->config + off, len);
}

static void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	n->stalled[0] = n->stalled[1] = false;
}

static const struct virtio_dev_ops net_ops = {
	.config_read = net_config_read,
	.queue_notify = net_queue_notify,
	.reset = net_reset,
};

static int net_open_tap(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int hdr = NET_HDR_LEN, fd, r;

	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "net tap '%s': name longer than %d bytes", name, IFNAMSIZ - 1);
		return -EINVAL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "net tap '%s': /dev/net/tun: %s", name, strerror(errno));
		return r;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		r = -errno;
		snprintf(err, errlen, "net tap '%s': %s", name, strerror(errno));
		close(fd);
		return r;
	}
	return fd;
}

int virtio_net_new(const struct virtio_env *env, uint64_t base, unsigned gsi, const struct vm_net_config *nc,
		   struct virtio_mmio **out, char *err, size_t errlen)
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	int r;

	if (!n) {
		snprintf(err, errlen, "net tap '%s': out of memory", nc->tap);
		return -ENOMEM;
	}
	n->fd = net_open_tap(nc->tap, err, errlen);
	if (n->fd < 0) {
		r = n->fd;
		free(n);
		return r;
	}
	if (nc->has_mac) {
		memcpy(n->config, nc->mac, 6);
	} else {
		/* A random locally administered unicast address. */
		if (getrandom(n->config, 6, 0) != 6)
			memcpy(n->config, &n, 6);
		n->config[0] = (uint8_t)((n->config[0] & 0xfe) | 0x02);
	}
	n->config[6] = VIRTIO_NET_S_LINK_UP;
	for (unsigned i = 0; i < 2 * VIRTQ_MAX_SIZE; i++) {
		n->reqs[i].w.fn = net_done;
		n->reqs[i].net = n;
		net_put(n, &n->reqs[i]);
	}
	r = virtio_mmio_init(&n->t, env, base, gsi, VIRTIO_ID_NET,
			     (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX) |
				     (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS),
			     NET_CFG_LEN, 2, &net_ops, n);
	if (r < 0) {
		snprintf(err, errlen, "net tap '%s': virtio-mmio set-up: %s", nc->tap, strerror(-r));
		close(n->fd);
		free(n);
		return r;
	}
	*out = &n->t;
	return 0;
}
