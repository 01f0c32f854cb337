/* guests/virtio: a polling virtio-blk driver for test guests (vblk.c). */
#ifndef COVE_GUESTS_VBLK_H
#define COVE_GUESTS_VBLK_H

#include "rt.h"

#define MAGIC 0x74726976u /* "virt" */

/* Optional features blk_init may negotiate (the driver's own numbering). */
#define BLK_INDIRECT  1u /* VIRTIO_F_INDIRECT_DESC: each request as one indirect descriptor */
#define BLK_EVENT_IDX 2u /* VIRTIO_F_EVENT_IDX: notify when avail_event asks; used_event set */

/* The device's MMIO base: set before blk_init(). */
extern uint64_t blk_base;
/* What blk_init negotiated: BLK_* bits. */
extern unsigned blk_features;

/* The BLK_* bits the guest's command line asks for: the words "indirect"
 * and "event_idx". */
unsigned blk_args(void);
/* Finds and sets up the device, with the features of want that it offers;
 * 0, or -1 when there is no usable device. */
int blk_init(unsigned want);
/* One request of type (VIRTIO_BLK_T_*) at sector; the device's status byte. */
int blk_rw(uint32_t type, uint64_t sector, void *buf, uint32_t len);
/* With BLK_EVENT_IDX: the device's avail_event (the avail index at which it
 * wants the next notification), and where blk_rw puts used_event: ahead
 * entries past the request's own (0: interrupt on its completion). */
uint16_t blk_avail_event(void);
void blk_used_event_ahead(uint16_t ahead);
/* The next avail index (requests sent so far, mod 2^16). */
uint16_t blk_avail_idx(void);
/* InterruptStatus (bit 0: used buffer), and acknowledging all of it. */
uint32_t blk_isr_take(void);

#endif
