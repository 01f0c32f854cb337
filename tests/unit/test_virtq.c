/* The split virtqueue against hostile rings: every case hands virtq_pop a
 * ring crafted in real guest memory (mem_init) and checks that it is refused
 * (or accepted) without touching anything outside guest RAM. */
#include <criterion/criterion.h>
#include <string.h>

#include "devices/virtq.h"

#define RAM (16ULL << 20)
#define DESC 0x10000ULL
#define AVAIL 0x20000ULL
#define USED 0x30000ULL
#define BUF 0x100000ULL
#define IND 0x40000ULL
#define N 16

static struct mem_map m;
static struct virtq q;

static void setup(void)
{
	cr_assert_eq(mem_init(&m, RAM), 0, "mem_init");
	memset(&q, 0, sizeof(q));
	q.num = N;
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	q.indirect = true;
	cr_assert_eq(virtq_enable(&q, &m), 0, "a well-formed ring is accepted");
}

static void teardown(void)
{
	mem_destroy(&m);
}

static void put_desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t d[16];

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	cr_assert_eq(mem_write(&m, table + 16 * i, d, 16), 0);
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put_desc_at(DESC, i, addr, len, flags, next);
}

static uint16_t avail_idx;

/* Makes head available and publishes the new avail->idx. */
static void offer(uint16_t head)
{
	uint16_t slot = avail_idx % N;

	mem_write(&m, AVAIL + 4 + 2 * slot, &head, 2);
	avail_idx++;
	mem_write(&m, AVAIL + 2, &avail_idx, 2);
}

TestSuite(virtq, .init = setup, .fini = teardown);

Test(virtq, pops_a_chain_readable_then_writable_into_guest_ram)
{
	struct virtq_elem e;

	avail_idx = 0;
	put_desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF + 0x1000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(2, BUF + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), 1);
	cr_assert_eq(e.head, 0);
	cr_assert_eq(e.nout, 1);
	cr_assert_eq(e.nin, 2);
	cr_assert_eq(e.out_len, 16);
	cr_assert_eq(e.in_len, 513);
	cr_assert_eq(e.iov[0].iov_base, m.ram + BUF, "iov points at the guest's buffer");
	cr_assert_eq(virtq_pop(&q, &e), 0, "the ring is empty after one pop");
	virtq_push(&q, 0, 513);
	uint16_t uidx;
	uint32_t ent[2];
	mem_read(&m, USED + 2, &uidx, 2);
	mem_read(&m, USED + 4, ent, 8);
	cr_assert_eq(uidx, 1, "used->idx published");
	cr_assert_eq(ent[0], 0);
	cr_assert_eq(ent[1], 513);
}

Test(virtq, refuses_a_descriptor_loop)
{
	struct virtq_elem e;

	avail_idx = 0;
	put_desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), -EPROTO, "a loop ends as an error, not a hang");
}

Test(virtq, refuses_a_self_loop_and_accepts_a_chain_of_exactly_num)
{
	struct virtq_elem e;

	avail_idx = 0;
	for (unsigned i = 0; i < N; i++)
		put_desc(i, BUF + i * 64, 64, i + 1 < N ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), 1, "a chain using the whole table is legal");
	cr_assert_eq(e.nout, N);
	put_desc(3, BUF, 64, VIRTQ_DESC_F_NEXT, 3);
	offer(3);
	cr_assert_eq(virtq_pop(&q, &e), -EPROTO);
}

Test(virtq, refuses_next_and_head_outside_the_table)
{
	struct virtq_elem e;

	avail_idx = 0;
	put_desc(0, BUF, 16, VIRTQ_DESC_F_NEXT, N);
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), -EPROTO, "next >= num");
	setup();
	avail_idx = 0;
	offer(N + 3);
	cr_assert_eq(virtq_pop(&q, &e), -EPROTO, "head >= num");
	teardown();
}

Test(virtq, refuses_buffers_outside_guest_ram)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
		const char *why;
	} bad[] = {
		{RAM, 16, "just past the end of RAM"},
		{RAM - 8, 16, "crossing the end of RAM"},
		{0xffffffffffffff00ULL, 0x200, "wrapping past 2^64"},
		{MEM_HOLE_START + 0x1000, 16, "in the MMIO hole"},
		{0x4000000000ULL, 1, "far above RAM"},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct virtq_elem e;

		teardown();
		setup();
		avail_idx = 0;
		put_desc(0, bad[i].addr, bad[i].len, 0, 0);
		offer(0);
		cr_assert_eq(virtq_pop(&q, &e), -EFAULT, "buffer %s is refused", bad[i].why);
	}
}

Test(virtq, skips_zero_length_buffers)
{
	struct virtq_elem e;

	avail_idx = 0;
	put_desc(0, 0xffffffffffff0000ULL, 0, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), 1);
	cr_assert_eq(e.nout, 0, "a zero-length buffer makes no iovec, wherever it points");
	cr_assert_eq(e.nin, 1);
}

Test(virtq, refuses_readable_after_writable)
{
	struct virtq_elem e;

	avail_idx = 0;
	put_desc(0, BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, BUF + 64, 8, 0, 0);
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), -EPROTO);
}

Test(virtq, refuses_a_write_only_buffer_in_rom_or_a_hole)
{
	struct virtq_elem e;

	/* ROM at 0xfff00000 in the hole: readable by the device, never writable. */
	static uint8_t rom[0x1000];
	cr_assert_eq(mem_add(&m, 0xfffff000ULL, sizeof(rom), MEM_ROM, rom), 0);
	avail_idx = 0;
	put_desc(0, 0xfffff000ULL, 16, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	cr_assert_eq(virtq_pop(&q, &e), -EFAULT, "the device must not write guest ROM");
}

Test(virtq, refuses_avail_index_running_ahead_by_more_than_num)
{
	struct virtq_elem e;
	uint16_t idx = N + 1;

	put_desc(0, BUF, 8, 0, 0);
	mem_write(&m, AVAIL + 2, &idx, 2);
	cr_assert_eq(virtq_pop(&q, &e), -EPROTO);
	idx = N;
	mem_write(&m, AVAIL + 2, &idx, 2);
	cr_assert_eq(virtq_pop(&q, &e), 1, "exactly num outstanding is legal");
}

Test(virtq, refuses_misaligned_or_unmapped_rings_and_bad_sizes)
{
	struct virtq r = {.num = N, .desc_gpa = DESC + 8, .avail_gpa = AVAIL, .used_gpa = USED};

	cr_assert_eq(virtq_enable(&r, &m), -EINVAL, "desc not 16-aligned");
	cr_assert(!r.ready);
	r.desc_gpa = DESC;
	r.avail_gpa = AVAIL + 1;
	cr_assert_eq(virtq_enable(&r, &m), -EINVAL, "avail not 2-aligned");
	r.avail_gpa = AVAIL;
	r.used_gpa = USED + 2;
	cr_assert_eq(virtq_enable(&r, &m), -EINVAL, "used not 4-aligned");
	r.used_gpa = RAM - 16;
	cr_assert_eq(virtq_enable(&r, &m), -EFAULT, "used ring crossing the end of RAM");
	r.used_gpa = USED;
	r.num = 12;
	cr_assert_eq(virtq_enable(&r, &m), -EINVAL, "size not a power of 2");
	r.num = 512;
	cr_assert_eq(virtq_enable(&r, &m), -EINVAL, "size above QueueNumMax");
	r.num = 0;
	cr_assert_eq(virtq_enable(&r, &m), -EINVAL, "size 0");
	struct virtq_elem e;
	cr_assert_eq(virtq_pop(&r, &e), 0, "a queue that is not ready yields nothing");
}

Test(virtq, follows_an_indirect_table)
{
	struct virtq_elem e;

	avail_idx = 0;
	put_desc_at(IND, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc_at(IND, 1, BUF + 0x1000, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc_at(IND, 2, BUF + 0x3000, 1, VIRTQ_DESC_F_WRITE, 0);
	put_desc(5, IND, 48, VIRTQ_DESC_F_INDIRECT, 0);
	offer(5);
	cr_assert_eq(virtq_pop(&q, &e), 1);
	cr_assert_eq(e.head, 5);
	cr_assert_eq(e.nout, 1);
	cr_assert_eq(e.nin, 2);
	cr_assert_eq(e.in_len, 4097);
}

Test(virtq, refuses_bad_indirect_tables)
{
	static const struct {
		uint32_t len;
		uint16_t flags;
		bool nested, loop, negotiated;
		const char *why;
	} bad[] = {
		{48, VIRTQ_DESC_F_INDIRECT, false, false, false, "indirect not negotiated"},
		{40, VIRTQ_DESC_F_INDIRECT, false, false, true, "length not a multiple of 16"},
		{0, VIRTQ_DESC_F_INDIRECT, false, false, true, "empty table"},
		{48, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, false, false, true, "INDIRECT with NEXT"},
		{48, VIRTQ_DESC_F_INDIRECT, true, false, true, "an indirect descriptor inside a table"},
		{48, VIRTQ_DESC_F_INDIRECT, false, true, true, "a loop inside the table"},
		{16 * (VIRTQ_MAX_IOV + 1), VIRTQ_DESC_F_INDIRECT, false, false, true, "more than VIRTQ_MAX_IOV"},
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct virtq_elem e;

		teardown();
		setup();
		q.indirect = bad[i].negotiated;
		avail_idx = 0;
		put_desc_at(IND, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
		put_desc_at(IND, 1, bad[i].nested ? IND : BUF, bad[i].nested ? 48 : 16,
			    (bad[i].nested ? VIRTQ_DESC_F_INDIRECT : 0) | VIRTQ_DESC_F_NEXT, 2);
		put_desc_at(IND, 2, BUF, 16, bad[i].loop ? VIRTQ_DESC_F_NEXT : 0, 0);
		put_desc(0, IND, bad[i].len, bad[i].flags, 1);
		offer(0);
		cr_assert_eq(virtq_pop(&q, &e), -EPROTO, "refused: %s", bad[i].why);
	}
	teardown();
	setup();
	avail_idx = 0;
	put_desc(0, RAM - 16, 48, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	struct virtq_elem e;
	cr_assert_eq(virtq_pop(&q, &e), -EFAULT, "indirect table crossing the end of RAM");
}

Test(virtq, event_idx_interrupts_only_when_used_passes_used_event)
{
	struct virtq_elem e;
	uint16_t used_event = 1, avail_event;

	q.event_idx = true;
	avail_idx = 0;
	mem_write(&m, AVAIL + 4 + 2 * N, &used_event, 2);
	for (unsigned i = 0; i < 3; i++) {
		put_desc(i, BUF + 64 * i, 8, VIRTQ_DESC_F_WRITE, 0);
		offer((uint16_t)i);
	}
	cr_assert_eq(virtq_pop(&q, &e), 1);
	virtq_push(&q, e.head, 8);
	cr_assert(virtq_need_irq(&q), "the first interrupt is always sent");
	cr_assert_eq(virtq_pop(&q, &e), 1);
	virtq_push(&q, e.head, 8);
	cr_assert(virtq_need_irq(&q), "used idx moved 1 -> 2 past used_event 1");
	cr_assert_eq(virtq_pop(&q, &e), 1);
	virtq_push(&q, e.head, 8);
	cr_assert(!virtq_need_irq(&q), "used_event 1 was already passed: no interrupt");
	cr_assert(!virtq_arm_notify(&q), "nothing new in the avail ring");
	mem_read(&m, USED + 4 + 8 * N, &avail_event, 2);
	cr_assert_eq(avail_event, 3, "avail_event asks for a kick at the next entry");
	offer(0);
	cr_assert(virtq_arm_notify(&q), "an entry that arrived meanwhile is reported");
}

Test(virtq, no_interrupt_flag_is_honoured_without_event_idx)
{
	uint16_t flags = VIRTQ_AVAIL_F_NO_INTERRUPT;

	mem_write(&m, AVAIL, &flags, 2);
	virtq_push(&q, 0, 0);
	cr_assert(!virtq_need_irq(&q));
	flags = 0;
	mem_write(&m, AVAIL, &flags, 2);
	virtq_push(&q, 0, 0);
	cr_assert(virtq_need_irq(&q));
	cr_assert(!virtq_need_irq(&q), "nothing pushed since: no second interrupt");
}

/* vring_need_event as the driver computes it (2.7.10). */
static bool driver_must_notify(uint16_t avail_event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - avail_event - 1) < (uint16_t)(new_idx - old_idx);
}

static uint16_t used_flags(void)
{
	uint16_t f;

	mem_read(&m, USED, &f, 2);
	return f;
}

static uint16_t avail_event(void)
{
	uint16_t v;

	mem_read(&m, USED + 4 + 8 * N, &v, 2);
	return v;
}

Test(virtq, suppress_sets_no_notify_until_enable_clears_it)
{
	struct virtq_elem e;

	avail_idx = 0;
	virtq_suppress_notify(&q);
	cr_assert(q.suppressed);
	cr_assert_eq(used_flags(), VIRTQ_USED_F_NO_NOTIFY, "the driver is asked not to notify");
	put_desc(0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	cr_assert(virtq_avail_pending(&q), "the poller sees the entry without a notification");
	cr_assert_eq(virtq_pop(&q, &e), 1);
	cr_assert_not(virtq_avail_pending(&q));
	cr_assert_not(virtq_arm_notify(&q), "ring empty");
	cr_assert_eq(used_flags(), VIRTQ_USED_F_NO_NOTIFY, "arm_notify leaves a suppressed queue quiet");
	cr_assert_not(virtq_enable_notify(&q), "nothing posted meanwhile");
	cr_assert_not(q.suppressed);
	cr_assert_eq(used_flags(), 0, "notifications are back on");
}

Test(virtq, event_idx_suppression_keeps_avail_event_behind_the_driver)
{
	struct virtq_elem e;

	q.event_idx = true;
	avail_idx = 0;
	virtq_suppress_notify(&q);
	/* The driver posts a whole ring's worth in batches; however it
	 * batches, avail_event never falls inside [old, new). */
	for (unsigned i = 0; i < 3 * N; i++) {
		uint16_t old = avail_idx;

		put_desc(i % N, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
		offer((uint16_t)(i % N));
		cr_assert_not(driver_must_notify(avail_event(), avail_idx, old),
			      "entry %u: avail_event %u asks for a kick while the device polls", i,
			      avail_event());
		cr_assert_eq(virtq_pop(&q, &e), 1);
		virtq_push(&q, e.head, 8);
		cr_assert_not(virtq_arm_notify(&q));
	}
	cr_assert_not(virtq_enable_notify(&q));
	cr_assert_eq(avail_event(), avail_idx, "after enable the next entry is kicked");
	cr_assert(driver_must_notify(avail_event(), (uint16_t)(avail_idx + 1), avail_idx));
}

Test(virtq, entries_posted_in_the_enable_race_are_reported)
{
	struct virtq_elem e;

	/* Both modes: the driver looked at the flag (or avail_event) while
	 * the queue was still suppressed, posted, and did not notify; the
	 * device's second look at avail->idx must find the entry. */
	for (int ev = 0; ev < 2; ev++) {
		q.event_idx = ev;
		virtq_suppress_notify(&q);
		put_desc(0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
		offer(0);
		cr_assert(virtq_enable_notify(&q), "event_idx %d: the entry posted unannounced is reported",
			  ev);
		cr_assert_eq(virtq_pop(&q, &e), 1, "and it is there to pop");
		virtq_push(&q, e.head, 8);
		cr_assert_not(virtq_arm_notify(&q));
	}
}

Test(virtq, reset_and_enable_end_suppression)
{
	virtq_suppress_notify(&q);
	cr_assert(q.suppressed);
	cr_assert(virtq_enable(&q, &m) == 0);
	cr_assert_not(q.suppressed, "a queue enabled again starts with notifications on");
	virtq_suppress_notify(&q);
	virtq_reset(&q);
	cr_assert_not(q.suppressed);
	cr_assert_not(virtq_avail_pending(&q), "a reset queue has nothing to poll");
	virtq_suppress_notify(&q);
	cr_assert_not(q.suppressed, "a queue that is not ready is not suppressed");
}

Test(virtq, iov_slice_stays_inside_its_source)
{
	uint8_t a[10], b[6];
	struct iovec src[2] = {{a, sizeof(a)}, {b, sizeof(b)}}, dst[4];

	cr_assert_eq(iov_slice(src, 2, 8, 4, dst, 4), 2);
	cr_assert_eq(dst[0].iov_base, a + 8);
	cr_assert_eq(dst[0].iov_len, 2);
	cr_assert_eq(dst[1].iov_base, b);
	cr_assert_eq(dst[1].iov_len, 2);
	cr_assert_eq(iov_slice(src, 2, 8, 9, dst, 4), -1, "past the end");
	cr_assert_eq(iov_slice(src, 2, 0, 16, dst, 1), -1, "more entries than room");
	cr_assert_eq(iov_slice(src, 2, 0, 0, dst, 4), 0);
}
