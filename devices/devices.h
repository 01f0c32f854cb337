/* devices: the device models cove attaches to the bus. Each device is one
 * file with its registers named at the top; its constructor registers its
 * ranges and returns its state (NULL with errno on failure). */
#ifndef COVE_DEVICES_H
#define COVE_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/bus.h"

/* What a device asks of the VM. Set by vmm/; any member may be NULL. Called
 * from vCPU threads (or the I/O thread), so implementations are thread-safe. */
struct vm_events {
	void *ctx;
	void (*poweroff)(void *ctx);
	void (*reset)(void *ctx);
	void (*debug_exit)(void *ctx, unsigned value); /* value written to 0xf4 */
	void (*set_a20)(void *ctx, bool enabled);
	bool (*get_a20)(void *ctx);
	/* Interrupt line gsi to level (edge devices pulse 1 then 0). */
	void (*set_irq)(void *ctx, unsigned gsi, bool level);
	/* The PIC's INTR output went high: wake the boot vCPU to take it. */
	void (*pic_intr)(void *ctx);
};

/* Port numbers and IRQs (DESIGN.md, "Guest-facing conventions"). */
#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ 4
#define DEBUGEXIT_PORT 0xf4
#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define PORT92_PORT 0x92
#define CMOS_PORT 0x70
/* cove's power device: ACPI hardware-reduced sleep control/status and reset
 * registers (FADT SLEEP_CONTROL_REG, SLEEP_STATUS_REG, RESET_REG). A write of
 * SLP_EN | SLP_TYP(5) to POWER_SLEEP_CTL powers off; POWER_RESET_VALUE to
 * POWER_RESET_PORT resets. Unikernels find it in the FDT ("cove,power"). */
#define POWER_SLEEP_CTL_PORT 0x600
#define POWER_SLEEP_STS_PORT 0x601
#define POWER_RESET_PORT 0x602
#define POWER_RESET_VALUE 0x1
#define POWER_SLP_EN (1u << 5)
#define POWER_SLP_TYP_S5 5u
#define POWER_SLP_TYP_SHIFT 2

struct uart;
/* out_fd: where transmitted bytes go (-1: nowhere). A vCPU writes it while
 * it takes bytes; it must never block (a regular file, or O_NONBLOCK). What
 * it refuses (EAGAIN) waits in a 4 KiB FIFO, THRE clears while fewer than
 * 16 bytes fit, and the guest's next THR write or LSR read retries. */
struct uart *uart_new(struct bus *b, uint16_t base, unsigned gsi, int out_fd, const struct vm_events *ev);
/* Hands waiting bytes to a drain (the I/O thread): wake(ctx) is called when
 * bytes start to wait (under the UART's lock, on a vCPU thread: it must not
 * block), and from then on the drain alone writes out_fd: uart_tx_peek,
 * write, uart_tx_sent, until uart_tx_peek returns 0. With direct false no
 * vCPU writes out_fd at all (it may block): every byte goes to the drain. */
void uart_set_tx_drain(struct uart *u, bool direct, void (*wake)(void *ctx), void *ctx);
/* The drain: the waiting bytes at the head of the FIFO (*buf, valid until
 * uart_tx_sent), or 0 when none wait, which ends the drain's turn. */
size_t uart_tx_peek(struct uart *u, const void **buf);
/* The drain: n bytes of the head went out; THRE (and its interrupt) come
 * back once 16 bytes fit again. */
void uart_tx_sent(struct uart *u, size_t n);
/* The drain: out_fd failed for good (EPIPE): drops what waits (counted)
 * and ends the drain's turn. */
void uart_tx_fail(struct uart *u);
/* Bytes that wait for out_fd. */
size_t uart_tx_waiting(struct uart *u);
/* Bytes from the host (stdin) into the receive FIFO; called by the I/O thread. */
void uart_input(struct uart *u, const void *buf, size_t len);
/* Bytes lost: transmit when the guest wrote THR with the FIFO full (it
 * ignored THRE) or out_fd failed, receive when the 4 KiB input ring behind
 * the FIFO was full. */
/* Up to len bytes into the transmit FIFO at once, as that many THR
 * writes (the console port's path); returns how many it took: fewer when
 * the FIFO fills. */
size_t uart_write_bytes(struct uart *u, const void *buf, size_t len);
uint64_t uart_tx_dropped(struct uart *u);
uint64_t uart_rx_dropped(struct uart *u);
/* Ownership: every device below with an int or struct constructor is
 * adopted by the bus (bus_adopt) and freed by bus_free(); do not free it. */
int debugexit_new(struct bus *b, const struct vm_events *ev);
/* cove's console port (conport.c): a record's bytes out through u in one
 * exit. */
#define CONPORT_PORT 0x610
#define CONPORT_MAX  4096 /* longest record */
struct mem_map;
int conport_new(struct bus *b, struct mem_map *m, struct uart *u);
int i8042_new(struct bus *b, const struct vm_events *ev); /* also port 0x92 */
int cmos_new(struct bus *b, uint64_t ram_below_4g, uint64_t ram_above_4g);
int power_new(struct bus *b, const struct vm_events *ev);

#endif
