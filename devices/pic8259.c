/* devices: two cascaded 8259A PICs (Intel 8259A datasheet, order 231468)
 * and the edge/level control registers at 0x4d0/0x4d1 (PIIX/ICH ELCR).
 * The slave's INT drives the master's IR2. One mutex covers both chips:
 * pic_set_irq comes from the I/O thread and devices, pic_ack from the vCPU
 * thread. ev->pic_intr is called after the lock is dropped, so the VM may
 * call pic_ack from inside it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/legacy.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE	0xa0
#define PIC_ELCR_BASE	0x4d0
#define PIC_CASCADE_IRQ 2

#define PIC_ICW1      0x10 /* A0=0, D4=1 */
#define PIC_ICW1_IC4  0x01
#define PIC_ICW1_SNGL 0x02
#define PIC_OCW3      0x08 /* A0=0, D4=0, D3=1 */
#define PIC_OCW3_RIS  0x01
#define PIC_OCW3_RR   0x02
#define PIC_OCW3_P    0x04
#define PIC_OCW3_SMM  0x20
#define PIC_OCW3_ESMM 0x40
#define PIC_ICW4_AEOI 0x02
#define PIC_ICW4_SFNM 0x10

/* OCW2 R/SL/EOI commands (bits 7:5) */
#define PIC_OCW2_ROTATE_AEOI_CLEAR   0
#define PIC_OCW2_EOI		     1
#define PIC_OCW2_NOP		     2
#define PIC_OCW2_SPECIFIC_EOI	     3
#define PIC_OCW2_ROTATE_AEOI_SET     4
#define PIC_OCW2_ROTATE_EOI	     5
#define PIC_OCW2_SET_PRIORITY	     6
#define PIC_OCW2_ROTATE_SPECIFIC_EOI 7

/* ELCR: IRQ 0, 1, 2, 8 and 13 are always edge. */
#define PIC_ELCR_MASK_MASTER 0xf8
#define PIC_ELCR_MASK_SLAVE  0xde

struct pic_chip {
	uint8_t irr, isr, imr;
	uint8_t lines; /* input levels, for edge detection */
	uint8_t elcr, elcr_mask;
	uint8_t base;	   /* ICW2 vector base */
	uint8_t lowest;	   /* priority rotation: the IR with lowest priority is lowest - 1 */
	uint8_t init_step; /* 0: ready; 1-3: expecting ICW2-ICW4 */
	bool icw4, single, aeoi, rotate_aeoi, sfnm, special_mask, read_isr, poll;
};

struct pic {
	pthread_mutex_t lock;
	struct pic_chip c[2];
	bool intr;
	const struct vm_events *ev;
};

/* Priority rank of the highest set bit in mask (0 = highest), 8 if none. */
static unsigned pic_rank(const struct pic_chip *c, uint8_t mask)
{
	unsigned r;

	for (r = 0; r < 8; r++)
		if (mask & (1u << ((r + c->lowest) & 7)))
			return r;
	return 8;
}

/* The IR this chip would interrupt for now, or -1. */
static int pic_pending(const struct pic_chip *c, bool master)
{
	uint8_t req = c->irr & (uint8_t)~c->imr;
	uint8_t in_service = c->isr;
	unsigned want = pic_rank(c, req);

	if (want == 8)
		return -1;
	/* Special mask mode: masked IRs do not block lower ones. */
	if (c->special_mask)
		in_service &= (uint8_t)~c->imr;
	/* Special fully nested: the slave may interrupt again while its
	 * cascade IR is in service, for a higher slave priority. */
	if (master && c->sfnm)
		in_service &= (uint8_t) ~(1u << PIC_CASCADE_IRQ);
	if (want < pic_rank(c, in_service))
		return (int)((want + c->lowest) & 7);
	return -1;
}

static void pic_line(struct pic_chip *c, unsigned ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->elcr & bit) {
		/* level: the request follows the line */
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit; /* rising edge */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= (uint8_t)~bit;
}

/* Recomputes the cascade and INTR; true when INTR rose. Lock held. */
static bool pic_update(struct pic *p)
{
	bool was = p->intr;

	/* The cascade acts as a level input: a slave request that goes away
	 * before INTA takes IR2's request with it (no spurious IRQ15), and one
	 * the slave still has after an INTA asks again. */
	if (pic_pending(&p->c[1], false) >= 0)
		p->c[0].irr |= 1u << PIC_CASCADE_IRQ;
	else
		p->c[0].irr &= (uint8_t) ~(1u << PIC_CASCADE_IRQ);
	p->intr = pic_pending(&p->c[0], true) >= 0;
	return p->intr && !was;
}

static void pic_notify(struct pic *p, bool rose)
{
	if (rose && p->ev && p->ev->pic_intr)
		p->ev->pic_intr(p->ev->ctx);
}

static void pic_ack_chip(struct pic_chip *c, unsigned ir)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (c->aeoi) {
		if (c->rotate_aeoi)
			c->lowest = (uint8_t)((ir + 1) & 7);
	} else {
		c->isr |= bit;
	}
	/* An edge request is consumed by the INTA; a level one stays while
	 * the line is high. */
	if (!(c->elcr & bit))
		c->irr &= (uint8_t)~bit;
}

static int pic_ack_locked(struct pic *p)
{
	int ir = pic_pending(&p->c[0], true), sir;

	if (ir < 0)
		return p->c[0].base + 7; /* spurious IR7 */
	pic_ack_chip(&p->c[0], (unsigned)ir);
	if (ir != PIC_CASCADE_IRQ || p->c[0].single)
		return p->c[0].base + ir;
	sir = pic_pending(&p->c[1], false);
	if (sir < 0)
		return p->c[1].base + 7; /* the slave's request went away: spurious IR15 */
	pic_ack_chip(&p->c[1], (unsigned)sir);
	return p->c[1].base + sir;
}

int pic_ack(struct pic *p)
{
	int v;
	bool rose;

	pthread_mutex_lock(&p->lock);
	v = pic_ack_locked(p);
	rose = pic_update(p);
	pthread_mutex_unlock(&p->lock);
	pic_notify(p, rose);
	return v;
}

bool pic_intr(struct pic *p)
{
	bool v;

	pthread_mutex_lock(&p->lock);
	v = p->intr;
	pthread_mutex_unlock(&p->lock);
	return v;
}

void pic_set_irq(struct pic *p, unsigned irq, bool level)
{
	bool rose;

	if (irq >= 16 || irq == PIC_CASCADE_IRQ)
		return; /* IR2 is the cascade, driven only by the slave */
	pthread_mutex_lock(&p->lock);
	pic_line(&p->c[irq >> 3], irq & 7, level);
	rose = pic_update(p);
	pthread_mutex_unlock(&p->lock);
	pic_notify(p, rose);
}

static void pic_eoi(struct pic_chip *c, bool specific, unsigned ir, bool rotate)
{
	if (!specific) {
		unsigned r = pic_rank(c, c->isr);

		if (r == 8)
			return;
		ir = (r + c->lowest) & 7;
	}
	c->isr &= (uint8_t) ~(1u << ir);
	if (rotate)
		c->lowest = (uint8_t)((ir + 1) & 7);
}

static void pic_ocw2(struct pic_chip *c, uint8_t v)
{
	unsigned ir = v & 7;

	switch (v >> 5) {
	case PIC_OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_aeoi = false;
		break;
	case PIC_OCW2_ROTATE_AEOI_SET:
		c->rotate_aeoi = true;
		break;
	case PIC_OCW2_EOI:
		pic_eoi(c, false, 0, false);
		break;
	case PIC_OCW2_ROTATE_EOI:
		pic_eoi(c, false, 0, true);
		break;
	case PIC_OCW2_SPECIFIC_EOI:
		pic_eoi(c, true, ir, false);
		break;
	case PIC_OCW2_ROTATE_SPECIFIC_EOI:
		pic_eoi(c, true, ir, true);
		break;
	case PIC_OCW2_SET_PRIORITY:
		c->lowest = (uint8_t)((ir + 1) & 7);
		break;
	default: /* PIC_OCW2_NOP */
		break;
	}
}

static void pic_icw1(struct pic_chip *c, uint8_t v)
{
	/* ICW1 restarts initialisation: mask, ISR and edge memory cleared,
	 * IRR read selected, priorities back to IR0 highest. */
	c->imr = 0;
	c->isr = 0;
	c->irr &= c->elcr;
	c->lines &= c->elcr;
	c->lowest = 0;
	c->read_isr = false;
	c->poll = false;
	c->special_mask = false;
	c->aeoi = false;
	c->rotate_aeoi = false;
	c->sfnm = false;
	c->icw4 = v & PIC_ICW1_IC4;
	c->single = v & PIC_ICW1_SNGL;
	c->init_step = 1;
}

static void pic_data_write(struct pic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 1: /* ICW2 */
		c->base = v & 0xf8;
		c->init_step = c->single ? (c->icw4 ? 3 : 0) : 2;
		break;
	case 2: /* ICW3: the cascade wiring is fixed here */
		c->init_step = c->icw4 ? 3 : 0;
		break;
	case 3: /* ICW4 */
		c->aeoi = v & PIC_ICW4_AEOI;
		c->sfnm = v & PIC_ICW4_SFNM;
		c->init_step = 0;
		break;
	default: /* OCW1 */
		c->imr = v;
		break;
	}
}

static void pic_cmd_write(struct pic_chip *c, uint8_t v)
{
	if (v & PIC_ICW1) {
		pic_icw1(c, v);
	} else if (v & PIC_OCW3) {
		if (v & PIC_OCW3_P)
			c->poll = true;
		if (v & PIC_OCW3_RR)
			c->read_isr = v & PIC_OCW3_RIS;
		if (v & PIC_OCW3_ESMM)
			c->special_mask = v & PIC_OCW3_SMM;
	} else {
		pic_ocw2(c, v);
	}
}

/* Poll mode: the read is the INTA. Bit 7 set with the IR when one is pending. */
static uint8_t pic_poll_read(struct pic *p, unsigned chip)
{
	struct pic_chip *c = &p->c[chip];
	int ir = pic_pending(c, chip == 0);

	c->poll = false;
	if (ir < 0)
		return 0;
	pic_ack_chip(c, (unsigned)ir);
	if (chip == 1) {
		/* the slave's poll also ends the master's cascade request */
		p->c[0].irr &= (uint8_t) ~(1u << PIC_CASCADE_IRQ);
	}
	return (uint8_t)(0x80 | ir);
}

static uint8_t pic_reg_read(struct pic *p, unsigned chip, unsigned a0)
{
	struct pic_chip *c = &p->c[chip];

	if (c->poll)
		return pic_poll_read(p, chip);
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

/* opaque is the struct pic; the range base is told apart by the ops. */
static void pic_access(struct pic *p, unsigned chip, uint64_t off, void *data, unsigned len, bool write)
{
	uint8_t *d = data;
	unsigned i;
	bool rose;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < len; i++) {
		uint64_t o = off + i;

		if (o > 1) {
			if (!write)
				d[i] = 0xff;
			continue;
		}
		if (!write)
			d[i] = pic_reg_read(p, chip, (unsigned)o);
		else if (o == 0)
			pic_cmd_write(&p->c[chip], d[i]);
		else
			pic_data_write(&p->c[chip], d[i]);
	}
	rose = pic_update(p);
	pthread_mutex_unlock(&p->lock);
	pic_notify(p, rose);
}

static void pic_master_read(void *o, uint64_t off, void *d, unsigned len)
{
	pic_access(o, 0, off, d, len, false);
}
static void pic_master_write(void *o, uint64_t off, const void *d, unsigned len)
{
	pic_access(o, 0, off, (void *)d, len, true);
}
static void pic_slave_read(void *o, uint64_t off, void *d, unsigned len)
{
	pic_access(o, 1, off, d, len, false);
}
static void pic_slave_write(void *o, uint64_t off, const void *d, unsigned len)
{
	pic_access(o, 1, off, (void *)d, len, true);
}

static void pic_elcr_read(void *opaque, uint64_t off, void *data, unsigned len)
{
	struct pic *p = opaque;
	uint8_t *d = data;
	unsigned i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < len; i++)
		d[i] = off + i < 2 ? p->c[off + i].elcr : 0xff;
	pthread_mutex_unlock(&p->lock);
}

static void pic_elcr_write(void *opaque, uint64_t off, const void *data, unsigned len)
{
	struct pic *p = opaque;
	const uint8_t *d = data;
	unsigned i;
	bool rose;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < len; i++)
		if (off + i < 2)
			p->c[off + i].elcr = d[i] & p->c[off + i].elcr_mask;
	rose = pic_update(p);
	pthread_mutex_unlock(&p->lock);
	pic_notify(p, rose);
}

static const struct bus_ops pic_master_ops = {pic_master_read, pic_master_write};
static const struct bus_ops pic_slave_ops = {pic_slave_read, pic_slave_write};
static const struct bus_ops pic_elcr_ops = {pic_elcr_read, pic_elcr_write};

struct pic *pic_new(struct bus *b, const struct vm_events *ev)
{
	static const uint16_t bases[3] = {PIC_MASTER_BASE, PIC_SLAVE_BASE, PIC_ELCR_BASE};
	const struct bus_ops *ops[3] = {&pic_master_ops, &pic_slave_ops, &pic_elcr_ops};
	/* Described once, on the master: FDT and ACPI get one device. */
	const struct bus_dev_info infos[3] = {
	    {"pic", "intel,i8259", "PNP0000", -1},
	    {"pic-slave", NULL, NULL, -1},
	    {"elcr", NULL, NULL, -1},
	};
	struct pic *p = calloc(1, sizeof(*p));
	unsigned n;
	int rc = 0;

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->ev = ev;
	p->c[0].elcr_mask = PIC_ELCR_MASK_MASTER;
	p->c[1].elcr_mask = PIC_ELCR_MASK_SLAVE;
	for (n = 0; n < 3; n++) {
		rc = bus_register(b, BUS_PIO, bases[n], 2, ops[n], p, &infos[n]);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		while (n-- > 0)
			bus_unregister(b, BUS_PIO, bases[n]);
		pic_free(p);
		errno = -rc;
		return NULL;
	}
	return p;
}

void pic_free(struct pic *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}
