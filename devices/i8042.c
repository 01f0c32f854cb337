/* devices: the 8042 keyboard controller (IBM PC/AT Technical Reference,
 * "Keyboard Controller") with a keyboard that answers probes but never has
 * keys, no mouse, and System Control Port A (0x92). Enough for BIOS POST
 * and Linux's i8042 driver to probe without hanging, to gate A20 (output
 * port bit 1, 0x92 bit 1) and to reset (command 0xfe, 0x92 bit 0). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "devices/devices.h"

/* status register (read 0x64) */
#define I8042_STR_OBF	  0x01
#define I8042_STR_IBF	  0x02
#define I8042_STR_SYSFLAG 0x04
#define I8042_STR_CMDDAT  0x08 /* last write was to 0x64 */
#define I8042_STR_KEYLOCK 0x10 /* 1 = not inhibited */
#define I8042_STR_AUXDATA 0x20

/* command byte */
#define I8042_CTR_KBDINT  0x01
#define I8042_CTR_AUXINT  0x02
#define I8042_CTR_SYSFLAG 0x04
#define I8042_CTR_KBDDIS  0x10
#define I8042_CTR_AUXDIS  0x20
#define I8042_CTR_XLATE	  0x40

/* controller commands (write 0x64) */
#define I8042_CMD_CTL_RCTR     0x20
#define I8042_CMD_CTL_WCTR     0x60
#define I8042_CMD_AUX_DISABLE  0xa7
#define I8042_CMD_AUX_ENABLE   0xa8
#define I8042_CMD_AUX_TEST     0xa9
#define I8042_CMD_CTL_TEST     0xaa
#define I8042_CMD_KBD_TEST     0xab
#define I8042_CMD_KBD_DISABLE  0xad
#define I8042_CMD_KBD_ENABLE   0xae
#define I8042_CMD_READ_INPUT   0xc0
#define I8042_CMD_READ_OUTPUT  0xd0
#define I8042_CMD_WRITE_OUTPUT 0xd1
#define I8042_CMD_KBD_LOOP     0xd2
#define I8042_CMD_AUX_LOOP     0xd3
#define I8042_CMD_AUX_SEND     0xd4
#define I8042_CMD_READ_TEST    0xe0
#define I8042_CMD_PULSE_BASE   0xf0 /* 0xf0-0xff: pulse output bits whose bit is 0 */

/* output port */
#define I8042_OUT_RESET 0x01 /* 0 holds the CPU in reset */
#define I8042_OUT_A20	0x02

/* keyboard commands (write 0x60) and replies */
#define KBD_CMD_SET_LEDS 0xed
#define KBD_CMD_ECHO	 0xee
#define KBD_CMD_SCANSET	 0xf0
#define KBD_CMD_GET_ID	 0xf2
#define KBD_CMD_SET_RATE 0xf3
#define KBD_CMD_RESET	 0xff
#define KBD_REPLY_ACK	 0xfa
#define KBD_REPLY_POR	 0xaa
#define KBD_REPLY_ECHO	 0xee
#define KBD_REPLY_RESEND 0xfe

/* System Control Port A */
#define PORT92_RESET 0x01
#define PORT92_A20   0x02

#define I8042_KBD_IRQ 1
#define I8042_AUX_IRQ 12
#define I8042_QUEUE   16

struct i8042 {
	pthread_mutex_t lock;
	uint8_t ctr;	     /* command byte */
	uint8_t status_cmd;  /* I8042_STR_CMDDAT and SYSFLAG as last set */
	uint8_t pending;     /* controller command waiting for its data byte, or 0 */
	uint8_t kbd_pending; /* keyboard command waiting for its argument, or 0 */
	uint8_t scanset;
	bool a20;
	struct {
		uint8_t val;
		bool aux;
	} q[I8042_QUEUE];
	unsigned qhead, qlen;
	uint8_t last; /* re-read when the queue is empty */
	bool kbd_irq, aux_irq;
	const struct vm_events *ev;
};

static void i8042_push(struct i8042 *k, uint8_t v, bool aux)
{
	if (k->qlen == I8042_QUEUE)
		return; /* the guest is not reading; newest bytes are lost */
	k->q[(k->qhead + k->qlen) % I8042_QUEUE].val = v;
	k->q[(k->qhead + k->qlen) % I8042_QUEUE].aux = aux;
	k->qlen++;
}

/* IRQ1/IRQ12 follow "output buffer full with a byte of that kind" when the
 * command byte enables them. Called with the lock held. */
static void i8042_update_irq(struct i8042 *k)
{
	bool head_aux = k->qlen && k->q[k->qhead].aux;
	bool kbd = k->qlen && !head_aux && (k->ctr & I8042_CTR_KBDINT);
	bool aux = k->qlen && head_aux && (k->ctr & I8042_CTR_AUXINT);
	const struct vm_events *ev = k->ev;

	if (kbd != k->kbd_irq && ev && ev->set_irq)
		ev->set_irq(ev->ctx, I8042_KBD_IRQ, kbd);
	if (aux != k->aux_irq && ev && ev->set_irq)
		ev->set_irq(ev->ctx, I8042_AUX_IRQ, aux);
	k->kbd_irq = kbd;
	k->aux_irq = aux;
}

static bool i8042_get_a20(struct i8042 *k)
{
	if (k->ev && k->ev->get_a20)
		return k->ev->get_a20(k->ev->ctx);
	return k->a20;
}

static void i8042_set_a20(struct i8042 *k, bool on)
{
	k->a20 = on;
	if (k->ev && k->ev->set_a20)
		k->ev->set_a20(k->ev->ctx, on);
}

static void i8042_reset(struct i8042 *k)
{
	if (k->ev && k->ev->reset)
		k->ev->reset(k->ev->ctx);
}

static uint8_t i8042_output_port(struct i8042 *k)
{
	uint8_t v = I8042_OUT_RESET;

	if (i8042_get_a20(k))
		v |= I8042_OUT_A20;
	if (k->qlen)
		v |= k->q[k->qhead].aux ? 0x20 : 0x10; /* output buffer full lines */
	return v;
}

static void i8042_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case I8042_CMD_CTL_RCTR:
		i8042_push(k, k->ctr, false);
		return;
	case I8042_CMD_CTL_WCTR:
	case I8042_CMD_WRITE_OUTPUT:
	case I8042_CMD_KBD_LOOP:
	case I8042_CMD_AUX_LOOP:
	case I8042_CMD_AUX_SEND:
		k->pending = cmd;
		return;
	case I8042_CMD_AUX_DISABLE:
		k->ctr |= I8042_CTR_AUXDIS;
		return;
	case I8042_CMD_AUX_ENABLE:
		k->ctr &= (uint8_t)~I8042_CTR_AUXDIS;
		return;
	case I8042_CMD_AUX_TEST:
	case I8042_CMD_KBD_TEST:
		i8042_push(k, 0x00, false); /* interface OK */
		return;
	case I8042_CMD_CTL_TEST:
		k->status_cmd |= I8042_STR_SYSFLAG;
		i8042_push(k, 0x55, false);
		return;
	case I8042_CMD_KBD_DISABLE:
		k->ctr |= I8042_CTR_KBDDIS;
		return;
	case I8042_CMD_KBD_ENABLE:
		k->ctr &= (uint8_t)~I8042_CTR_KBDDIS;
		return;
	case I8042_CMD_READ_INPUT:
		i8042_push(k, 0x80, false); /* keyboard not inhibited */
		return;
	case I8042_CMD_READ_OUTPUT:
		i8042_push(k, i8042_output_port(k), false);
		return;
	case I8042_CMD_READ_TEST:
		i8042_push(k, 0x00, false);
		return;
	default:
		/* 0xf0-0xff pulse the output lines whose bit is 0; bit 0 is reset. */
		if (cmd >= I8042_CMD_PULSE_BASE && !(cmd & I8042_OUT_RESET))
			i8042_reset(k);
		return; /* unknown commands are ignored, as real 8042s do */
	}
}

/* A byte for the keyboard itself. */
static void i8042_kbd_write(struct i8042 *k, uint8_t v)
{
	if (k->kbd_pending) {
		uint8_t cmd = k->kbd_pending;

		k->kbd_pending = 0;
		i8042_push(k, KBD_REPLY_ACK, false);
		if (cmd == KBD_CMD_SCANSET) {
			if (v == 0)
				i8042_push(k, k->scanset, false);
			else if (v <= 3)
				k->scanset = v;
		}
		return;
	}
	switch (v) {
	case KBD_CMD_ECHO:
		i8042_push(k, KBD_REPLY_ECHO, false);
		return;
	case KBD_CMD_GET_ID:
		i8042_push(k, KBD_REPLY_ACK, false);
		i8042_push(k, 0xab, false);
		i8042_push(k, 0x83, false); /* MF2 keyboard */
		return;
	case KBD_CMD_RESET:
		k->scanset = 2;
		i8042_push(k, KBD_REPLY_ACK, false);
		i8042_push(k, KBD_REPLY_POR, false);
		return;
	case KBD_CMD_SET_LEDS:
	case KBD_CMD_SET_RATE:
	case KBD_CMD_SCANSET:
		k->kbd_pending = v;
		i8042_push(k, KBD_REPLY_ACK, false);
		return;
	default:
		/* enable/disable scanning, defaults, typematic modes */
		i8042_push(k, v >= 0xf4 ? KBD_REPLY_ACK : KBD_REPLY_RESEND, false);
		return;
	}
}

static void i8042_data_write(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case I8042_CMD_CTL_WCTR:
		k->ctr = v;
		k->status_cmd = (uint8_t)((k->status_cmd & ~I8042_STR_SYSFLAG) | (v & I8042_CTR_SYSFLAG));
		return;
	case I8042_CMD_WRITE_OUTPUT:
		i8042_set_a20(k, v & I8042_OUT_A20);
		if (!(v & I8042_OUT_RESET))
			i8042_reset(k);
		return;
	case I8042_CMD_KBD_LOOP:
		i8042_push(k, v, false);
		return;
	case I8042_CMD_AUX_LOOP:
		i8042_push(k, v, true);
		return;
	case I8042_CMD_AUX_SEND:
		return; /* no mouse: the byte goes nowhere and nothing answers */
	default:
		i8042_kbd_write(k, v);
		return;
	}
}

static uint8_t i8042_status(struct i8042 *k)
{
	uint8_t v = I8042_STR_KEYLOCK | (k->status_cmd & (I8042_STR_SYSFLAG | I8042_STR_CMDDAT));

	if (k->qlen) {
		v |= I8042_STR_OBF;
		if (k->q[k->qhead].aux)
			v |= I8042_STR_AUXDATA;
	}
	return v;
}

static uint8_t i8042_data_read(struct i8042 *k)
{
	if (k->qlen) {
		k->last = k->q[k->qhead].val;
		k->qhead = (k->qhead + 1) % I8042_QUEUE;
		k->qlen--;
	}
	return k->last;
}

/* One range per port: 0x60, 0x64 and 0x92; opaque differs only by base. */
struct i8042_port {
	struct i8042 *k;
	uint16_t port;
};

static void i8042_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct i8042_port *p = opaque;
	struct i8042 *k = p->k;
	uint8_t *d = data;
	unsigned i;

	(void)off; /* every range is one byte long */
	pthread_mutex_lock(&k->lock);
	for (i = 0; i < len; i++) {
		if (p->port == I8042_DATA_PORT)
			d[i] = i8042_data_read(k);
		else if (p->port == I8042_CMD_PORT)
			d[i] = i8042_status(k);
		else
			d[i] = i8042_get_a20(k) ? PORT92_A20 : 0;
	}
	i8042_update_irq(k);
	pthread_mutex_unlock(&k->lock);
}

static void i8042_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct i8042_port *p = opaque;
	struct i8042 *k = p->k;
	const uint8_t *d = data;
	unsigned i;

	(void)off;
	pthread_mutex_lock(&k->lock);
	for (i = 0; i < len; i++) {
		if (p->port == I8042_DATA_PORT) {
			k->status_cmd &= (uint8_t)~I8042_STR_CMDDAT;
			i8042_data_write(k, d[i]);
		} else if (p->port == I8042_CMD_PORT) {
			k->status_cmd |= I8042_STR_CMDDAT;
			k->pending = 0;
			i8042_command(k, d[i]);
		} else {
			if ((bool)(d[i] & PORT92_A20) != i8042_get_a20(k))
				i8042_set_a20(k, d[i] & PORT92_A20);
			if (d[i] & PORT92_RESET)
				i8042_reset(k);
		}
	}
	i8042_update_irq(k);
	pthread_mutex_unlock(&k->lock);
}

static const struct bus_ops i8042_ops = {i8042_read, i8042_write};

struct i8042_all {
	struct i8042 k;
	struct i8042_port ports[3];
};

static void i8042_free(void *p)
{
	struct i8042_all *a = p;

	pthread_mutex_destroy(&a->k.lock);
	free(a);
}

int i8042_new(struct bus *b, const struct vm_events *ev)
{
	static const uint16_t ports[3] = {I8042_DATA_PORT, I8042_CMD_PORT, PORT92_PORT};
	/* One ACPI device for the controller, on the data port: Linux's i8042
	 * PNP probe takes its first port as data and assumes 0x64 for the
	 * command port; a second PNP0303 would overwrite the data port. */
	const struct bus_dev_info infos[3] = {
	    {"i8042", NULL, "PNP0303", I8042_KBD_IRQ},
	    {"i8042-cmd", NULL, NULL, -1},
	    {"port92", NULL, NULL, -1},
	};
	struct i8042_all *a = calloc(1, sizeof(*a));
	unsigned n = 0;
	int rc = 0;

	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->k.lock, NULL);
	a->k.ev = ev;
	a->k.ctr = I8042_CTR_KBDINT | I8042_CTR_SYSFLAG | I8042_CTR_XLATE;
	a->k.status_cmd = I8042_STR_SYSFLAG;
	a->k.scanset = 2;
	a->k.a20 = true; /* matches mem/: A20 starts enabled */
	for (n = 0; n < 3; n++) {
		a->ports[n] = (struct i8042_port){&a->k, ports[n]};
		rc = bus_register(b, BUS_PIO, ports[n], 1, &i8042_ops, &a->ports[n], &infos[n]);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = bus_adopt(b, a, i8042_free);
	if (rc < 0) {
		while (n-- > 0) /* only the ranges we registered */
			bus_unregister(b, BUS_PIO, ports[n]);
		i8042_free(a);
	}
	return rc;
}
