/* guests/virtio: a polling virtio-blk driver for test guests (vblk.c). */
#ifndef COVE_GUESTS_VBLK_H
#define COVE_GUESTS_VBLK_H

#include "rt.h"

#define MAGIC 0x74726976u /* "virt" */

/* The device's MMIO base: set before blk_init(). */
extern uint64_t blk_base;

/* Finds and sets up the device; 0, or the failing step (1..). */
int blk_init(void);
/* One request of type (VIRTIO_BLK_T_*) at sector; the device's status byte. */
int blk_rw(uint32_t type, uint64_t sector, void *buf, uint32_t len);

#endif
