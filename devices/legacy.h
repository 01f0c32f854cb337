/* devices: the legacy PC interrupt controllers and timer, attached only for
 * guests that need them (real mode, firmware): 8259A PIC pair, 8254 PIT,
 * and the IOAPIC (always; with the split irqchip the local APICs are in KVM,
 * the IOAPIC is here and delivers through MSI routes). */
#ifndef COVE_DEVICES_LEGACY_H
#define COVE_DEVICES_LEGACY_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "devices/devices.h"

/* 8259A master/slave at 0x20/0xa0, ELCR at 0x4d0/0x4d1. */
struct pic;
struct pic *pic_new(struct bus *b, const struct vm_events *ev);
/* pic_free, pit_free, ioapic_free: call once no vCPU runs any more; they
 * free the state and leave the bus alone (bus_free may come before or after). */
void pic_free(struct pic *p);
void pic_set_irq(struct pic *p, unsigned irq, bool level);
/* INTR output: an unmasked request is pending. ev->pic_intr is called when
 * it goes high. */
bool pic_intr(struct pic *p);
/* The INTA cycle: the vector to inject now (spurious 7/15 if none). */
int pic_ack(struct pic *p);

/* 8254 PIT at 0x40-0x43 and port 0x61 (gate 2, speaker, refresh toggle). */
struct pit;
struct pit *pit_new(struct bus *b, const struct vm_events *ev);
void pit_free(struct pit *p);
/* CLOCK_MONOTONIC ns of the next IRQ0 edge, or -1 when none is due. */
int64_t pit_next_event(struct pit *p);
/* Raises IRQ0 (through ev->set_irq) for periods that ended by now_ns. */
void pit_advance(struct pit *p, int64_t now_ns);
/* fn is called (on the vCPU thread, no lock held) after the guest
 * reprogrammed counter 0: re-read pit_next_event and re-arm the timer. */
void pit_set_notify(struct pit *p, void (*fn)(void *ctx), void *ctx);
/* The time source, ns; NULL restores CLOCK_MONOTONIC. For tests. */
void pit_set_clock(struct pit *p, int64_t (*now_ns)(void *ctx), void *ctx);

/* IOAPIC (82093AA register model), 24 pins, at IOAPIC_BASE. */
#define IOAPIC_BASE 0xfec00000ULL
#define IOAPIC_SIZE 0x1000ULL
#define IOAPIC_PINS 24
struct ioapic_ops {
	void *ctx;
	/* A redirection entry changed: pin's MSI (address, data) and mask, for
	 * the GSI route an irqfd uses. */
	void (*route)(void *ctx, unsigned pin, uint64_t msi_addr, uint32_t msi_data, bool masked);
	/* Deliver one interrupt now (KVM_SIGNAL_MSI). */
	void (*deliver)(void *ctx, uint64_t msi_addr, uint32_t msi_data);
};
struct ioapic;
struct ioapic *ioapic_new(struct bus *b, const struct ioapic_ops *ops);
void ioapic_free(struct ioapic *io);
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);
/* The guest's EOI for vector reached us (KVM_EXIT_IOAPIC_EOI): re-deliver
 * a level-triggered pin that is still asserted. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
