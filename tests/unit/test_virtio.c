/* virtio-mmio + virtio-blk end to end without a VM: the test plays the
 * guest driver through the register handlers on real guest memory, and the
 * real I/O loop runs the requests against a real file on its own thread. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtq.h"

#define RAM (16ULL << 20)
#define DESC 0x10000ULL
#define AVAIL 0x20000ULL
#define USED 0x30000ULL
#define HDR 0x40000ULL
#define DATA 0x100000ULL
#define STATUS 0x50000ULL
#define N 16

static struct mem_map m;
static struct evloop *loop;
static pthread_t io;
static struct virtio_mmio *t;
static char path[64];
static uint16_t aidx;

static void *io_main(void *arg)
{
	(void)arg;
	evloop_run(loop);
	return NULL;
}

static void wr(uint64_t off, uint32_t v)
{
	virtio_mmio_write(t, off, &v, 4);
}

static uint32_t rd(uint64_t off)
{
	uint32_t v;

	virtio_mmio_read(t, off, &v, 4);
	return v;
}

static void make_disk(size_t size)
{
	int fd;

	strcpy(path, "/tmp/test_virtio_XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static int open_dev(bool ro, char *err, size_t errlen)
{
	struct virtio_env env = {.mem = &m, .loop = loop, .vmfd = -1};
	struct vm_disk_config d = {.path = path, .readonly = ro};

	return virtio_blk_new(&env, VIRTIO_MMIO_BASE, 5, &d, &t, err, errlen);
}

static void setup(void)
{
	cr_assert_eq(mem_init(&m, RAM), 0);
	cr_assert_eq(evloop_new(&loop, 256), 0);
	make_disk(1 << 20);
	t = NULL;
	aidx = 0;
}

static void teardown(void)
{
	if (io) {
		evloop_stop(loop);
		pthread_join(io, NULL);
		io = 0;
	}
	evloop_free(loop);
	if (t)
		virtio_mmio_destroy(t);
	unlink(path);
	mem_destroy(&m);
}

static void start_io(void)
{
	cr_assert_eq(pthread_create(&io, NULL, io_main, NULL), 0);
}

/* Negotiates VERSION_1 and sets up queue 0 at desc/avail/used, all but
 * DRIVER_OK. */
static void driver_setup(uint64_t desc)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	cr_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, "VERSION_1 alone is accepted");
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, N);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void driver_ok(void)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
				   VIRTIO_STATUS_DRIVER_OK);
}

/* driver_setup, DRIVER_OK, and the I/O thread runs. */
static void driver_init(uint64_t desc)
{
	driver_setup(desc);
	driver_ok();
	start_io();
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t d[16];

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	mem_write(&m, DESC + 16 * i, d, 16);
}

/* Puts one request (header, data, status) on the avail ring, unnotified. */
static void blk_post(uint32_t type, uint64_t sector, uint32_t len)
{
	uint8_t hdr[16] = {0}, st = 0xff;
	uint16_t head = 0;
	unsigned d = 0;

	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	mem_write(&m, HDR, hdr, 16);
	mem_write(&m, STATUS, &st, 1);
	put_desc(d, HDR, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
	d++;
	if (len) {
		put_desc(d, DATA, len, VIRTQ_DESC_F_NEXT | (type == 0 || type == 8 ? VIRTQ_DESC_F_WRITE : 0), (uint16_t)(d + 1));
		d++;
	}
	put_desc(d, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	mem_write(&m, AVAIL + 4 + 2 * (aidx % N), &head, 2);
	aidx++;
	mem_write(&m, AVAIL + 2, &aidx, 2);
}

static uint16_t used_idx(void)
{
	uint16_t uidx;

	mem_read(&m, USED + 2, &uidx, 2);
	return uidx;
}

/* Sends one request (header, data, status) and waits for its used entry;
 * returns the status byte. */
static uint8_t blk_req(uint32_t type, uint64_t sector, uint32_t len)
{
	uint16_t uidx = 0, want = (uint16_t)(aidx + 1);
	struct timespec ts = {0, 1000000};
	uint8_t st;

	blk_post(type, sector, len);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000; i++) {
		mem_read(&m, USED + 2, &uidx, 2);
		if (uidx == want)
			break;
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(uidx, want, "the request completed within 5 s");
	mem_read(&m, STATUS, &st, 1);
	return st;
}

TestSuite(virtio_blk, .init = setup, .fini = teardown);

Test(virtio_blk, transport_identifies_itself_as_a_modern_block_device)
{
	char err[128];

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
	cr_assert_eq(rd(VIRTIO_MMIO_VERSION), 2);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	cr_assert(rd(VIRTIO_MMIO_DEVICE_FEATURES) & 1, "VERSION_1 offered");
	uint64_t cap = 0;
	virtio_mmio_read(t, VIRTIO_MMIO_CONFIG, &cap, 8);
	cr_assert_eq(cap, (1 << 20) / 512, "capacity in sectors");
}

Test(virtio_blk, features_ok_is_refused_without_version_1_or_with_unoffered_bits)
{
	char err[128];

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	cr_assert_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0, "no VERSION_1");
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1 | 0x80000000u);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	cr_assert_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0, "bit 63 was never offered");
}

Test(virtio_blk, written_pattern_survives_flush_and_reads_back_and_is_in_the_file)
{
	char err[128], pat[4096], back[4096];
	int fd;

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	driver_init(DESC);
	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (char)(i * 7 + 3);
	mem_write(&m, DATA, pat, sizeof(pat));
	cr_assert_eq(blk_req(1, 8, sizeof(pat)), 0, "write OK");
	cr_assert_eq(blk_req(4, 0, 0), 0, "flush OK");
	memset(m.ram + DATA, 0, sizeof(pat));
	cr_assert_eq(blk_req(0, 8, sizeof(pat)), 0, "read OK");
	cr_assert_eq(memcmp(m.ram + DATA, pat, sizeof(pat)), 0, "read back what was written");
	fd = open(path, O_RDONLY);
	cr_assert_eq(pread(fd, back, sizeof(back), 8 * 512), (ssize_t)sizeof(back));
	close(fd);
	cr_assert_eq(memcmp(back, pat, sizeof(pat)), 0, "the file holds the pattern at sector 8");
	cr_assert_eq(blk_req(0, (1 << 20) / 512, 512), 1, "a read past the end is IOERR");
	cr_assert_eq(blk_req(1, 0, 100), 1, "a write of a partial sector is IOERR");
	cr_assert_eq(blk_req(77, 0, 0), 2, "an unknown type is UNSUPP");
}

Test(virtio_blk, read_only_disk_answers_writes_with_ioerr_and_leaves_the_file)
{
	char err[128], back[512];
	int fd;

	cr_assert_eq(open_dev(true, err, sizeof(err)), 0, "%s", err);
	driver_init(DESC);
	memset(m.ram + DATA, 0xab, 512);
	cr_assert_eq(blk_req(1, 0, 512), 1, "write to a ro disk is IOERR");
	fd = open(path, O_RDONLY);
	cr_assert_eq(pread(fd, back, sizeof(back), 0), 512);
	close(fd);
	for (unsigned i = 0; i < sizeof(back); i++)
		cr_assert_eq(back[i], 0, "file byte %u untouched", i);
}

Test(virtio_blk, bad_images_get_one_line_reasons)
{
	char err[128];
	int fd;

	unlink(path);
	make_disk(1000);
	cr_assert_eq(open_dev(false, err, sizeof(err)), -EINVAL);
	char want[128];
	snprintf(want, sizeof(want), "disk '%s': size 1000 is not a multiple of 512", path);
	cr_assert_str_eq(err, want);
	unlink(path);
	make_disk(4096);
	fd = open(path, O_RDWR);
	cr_assert_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	cr_assert_eq(open_dev(false, err, sizeof(err)), -EWOULDBLOCK);
	cr_assert(strstr(err, "locked"), "says the image is locked: %s", err);
	close(fd);
	unlink(path);
	cr_assert_eq(open_dev(false, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "No such file"), "%s", err);
	t = NULL;
	make_disk(512);
}

Test(virtio_blk, misaligned_ring_sets_needs_reset_and_raises_config_interrupt)
{
	char err[128];

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_NUM, N);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC + 4);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	cr_assert_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	cr_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	cr_assert(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG);
	wr(VIRTIO_MMIO_STATUS, 0);
	cr_assert_eq(rd(VIRTIO_MMIO_STATUS), 0, "reset clears NEEDS_RESET");
}

Test(virtio_blk, descriptor_loop_sets_needs_reset_without_hanging)
{
	char err[128];
	struct timespec ts = {0, 1000000};
	uint16_t head = 0;

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	driver_init(DESC);
	put_desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, STATUS, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
	mem_write(&m, AVAIL + 4, &head, 2);
	aidx = 1;
	mem_write(&m, AVAIL + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && !(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET); i++)
		nanosleep(&ts, NULL);
	cr_assert(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	cr_assert(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG);
}

Test(virtio_blk, rng_fills_posted_buffers_with_host_entropy)
{
	struct virtio_env env = {.mem = &m, .loop = loop, .vmfd = -1};
	char err[128];
	uint16_t head = 0, uidx = 0;
	uint32_t used_len = 0;
	struct timespec ts = {0, 1000000};
	unsigned nonzero = 0;

	cr_assert_eq(virtio_rng_new(&env, VIRTIO_MMIO_BASE, 5, NULL, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	driver_init(DESC);
	memset(m.ram + DATA, 0, 256);
	put_desc(0, DATA, 256, VIRTQ_DESC_F_WRITE, 0);
	mem_write(&m, AVAIL + 4, &head, 2);
	aidx = 1;
	mem_write(&m, AVAIL + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && uidx != 1; i++) {
		mem_read(&m, USED + 2, &uidx, 2);
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(uidx, 1, "the buffer came back");
	mem_read(&m, USED + 8, &used_len, 4);
	cr_assert_eq(used_len, 256, "all 256 bytes filled");
	for (unsigned i = 0; i < 256; i++)
		nonzero += m.ram[DATA + i] != 0;
	cr_assert_gt(nonzero, 200, "random bytes, not zeroes (%u of 256 nonzero)", nonzero);
	cr_assert_eq(virtio_rng_new(&env, VIRTIO_MMIO_BASE, 5, "/nonexistent/rng", &t, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "rng '/nonexistent/rng'"), "%s", err);
}

Test(virtio_blk, get_id_discard_and_write_zeroes_reach_the_file)
{
	char err[128], back[1024], pat[1024];
	struct {
		uint64_t sector;
		uint32_t num, flags;
	} rg = {2, 2, 0};
	int fd;

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	driver_init(DESC);
	memset(m.ram + DATA, 0, 20);
	cr_assert_eq(blk_req(8, 0, 20), 0, "GET_ID OK");
	cr_assert_eq(memcmp(m.ram + DATA, "cove", 4), 0, "the id names cove");
	memset(pat, 0x5a, sizeof(pat));
	mem_write(&m, DATA, pat, sizeof(pat));
	cr_assert_eq(blk_req(1, 0, sizeof(pat)), 0);
	cr_assert_eq(blk_req(1, 4, sizeof(pat)), 0);
	mem_write(&m, DATA, &rg, sizeof(rg));
	cr_assert_eq(blk_req(13, 0, sizeof(rg)), 0, "WRITE_ZEROES of sectors 2-3");
	rg.sector = 4;
	mem_write(&m, DATA, &rg, sizeof(rg));
	cr_assert_eq(blk_req(11, 0, sizeof(rg)), 0, "DISCARD of sectors 4-5");
	rg.sector = (1 << 20) / 512 - 1;
	mem_write(&m, DATA, &rg, sizeof(rg));
	cr_assert_eq(blk_req(11, 0, sizeof(rg)), 1, "a range past the end is IOERR");
	fd = open(path, O_RDONLY);
	cr_assert_eq(pread(fd, back, sizeof(back), 0), (ssize_t)sizeof(back));
	for (unsigned i = 0; i < 1024; i++)
		cr_assert_eq(back[i], i >= 2 * 512 ? 0 : 0x5a, "sector 0-1 kept, 2-3 zeroed (byte %u)", i);
	cr_assert_eq(pread(fd, back, sizeof(back), 4 * 512), (ssize_t)sizeof(back));
	for (unsigned i = 0; i < 1024; i++)
		cr_assert_eq(back[i], 0, "sectors 4-5 discarded read back as zeroes (byte %u)", i);
	close(fd);
}

Test(virtio_blk, many_reads_in_flight_all_complete_with_their_own_data)
{
	char err[128];
	struct timespec ts = {0, 1000000};
	uint16_t uidx = 0;
	int fd;

	/* Sector i of the file holds byte i+1 everywhere. */
	fd = open(path, O_RDWR);
	for (unsigned i = 0; i < 5; i++) {
		char s[512];

		memset(s, (int)(i + 1), sizeof(s));
		cr_assert_eq(pwrite(fd, s, sizeof(s), i * 512), 512);
	}
	close(fd);
	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	driver_init(DESC);
	/* Five chains of 3 descriptors, offered in one go, one notify. */
	for (unsigned r = 0; r < 5; r++) {
		uint8_t hdr[16] = {0};
		uint64_t sector = r;
		uint16_t head = (uint16_t)(3 * r);

		memcpy(hdr + 8, &sector, 8);
		mem_write(&m, HDR + 16 * r, hdr, 16);
		put_desc(3 * r, HDR + 16 * r, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(3 * r + 1));
		put_desc(3 * r + 1, DATA + 512 * r, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, (uint16_t)(3 * r + 2));
		put_desc(3 * r + 2, STATUS + r, 1, VIRTQ_DESC_F_WRITE, 0);
		mem_write(&m, AVAIL + 4 + 2 * r, &head, 2);
	}
	aidx = 5;
	mem_write(&m, AVAIL + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && uidx != 5; i++) {
		mem_read(&m, USED + 2, &uidx, 2);
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(uidx, 5, "all five completed");
	for (unsigned r = 0; r < 5; r++) {
		cr_assert_eq(m.ram[STATUS + r], 0, "request %u OK", r);
		cr_assert_eq(m.ram[DATA + 512 * r + 100], r + 1, "request %u got sector %u", r, r);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void file_sector(unsigned sector, char *buf)
{
	int fd = open(path, O_RDONLY);

	cr_assert_eq(pread(fd, buf, 512, sector * 512), 512);
	close(fd);
}

/* 4.2.3.1.1 and 3.1.1: the driver must not notify before DRIVER_OK. One
 * that does is ignored (no request runs, nothing breaks), and DRIVER_OK
 * then serves what is on the ring. */
Test(virtio_blk, notify_before_driver_ok_is_ignored_and_driver_ok_serves_the_queue)
{
	char err[128], pat[512], back[512], zero[512] = {0};

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	start_io();
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* nothing set up at all */
	driver_setup(DESC);
	memset(pat, 0x6b, sizeof(pat));
	mem_write(&m, DATA, pat, sizeof(pat));
	blk_post(1, 8, sizeof(pat));
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 3);	   /* no such queue */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffffu); /* nor this */
	virtio_mmio_kick(t, 0);			   /* as the ioeventfd's read would */
	sleep_ms(100);				   /* a request that ran would be done by now */
	cr_assert_eq(used_idx(), 0, "no request ran before DRIVER_OK");
	cr_assert_eq(m.ram[STATUS], 0xff, "the status byte is untouched");
	file_sector(8, back);
	cr_assert_eq(memcmp(back, zero, 512), 0, "the file is untouched");
	cr_assert_eq(rd(VIRTIO_MMIO_STATUS) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED), 0,
		     "an early notification is no reason for NEEDS_RESET");
	driver_ok();
	for (int i = 0; i < 5000 && used_idx() != 1; i++)
		sleep_ms(1);
	cr_assert_eq(used_idx(), 1, "DRIVER_OK ran the request waiting on the ring");
	cr_assert_eq(m.ram[STATUS], 0, "write OK");
	file_sector(8, back);
	cr_assert_eq(memcmp(back, pat, 512), 0, "the write reached the file");
	cr_assert_eq(blk_req(0, 8, 512), 0, "and the device goes on serving requests");
}

/* 2.4.1: a reset while a request is in flight. The request's completion is
 * dropped (the old ring, which the new driver reuses, is not touched),
 * Status reads 0 only once it has ended, and the device works afterwards. */
Test(virtio_blk, reset_with_a_request_in_flight_drops_its_completion_and_the_device_works_after)
{
	char err[128], pat[512];

	cr_assert_eq(open_dev(false, err, sizeof(err)), 0, "%s", err);
	driver_setup(DESC);
	driver_ok();
	/* The I/O thread does not run yet: the read's SQE waits in the ring,
	 * so the request is in flight, deterministically, when the reset
	 * comes. */
	blk_post(0, 0, 512);
	virtio_mmio_kick(t, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	cr_assert_neq(rd(VIRTIO_MMIO_STATUS), 0, "the reset is not done while the read is in flight");
	start_io();
	for (int i = 0; i < 5000 && rd(VIRTIO_MMIO_STATUS); i++)
		sleep_ms(1);
	cr_assert_eq(rd(VIRTIO_MMIO_STATUS), 0, "Status reads 0 once the read ended");
	cr_assert_eq(used_idx(), 0, "the dropped completion did not reach the used ring");
	cr_assert_eq(m.ram[STATUS], 0xff, "nor the status byte");
	/* The new driver reuses the same ring memory. */
	memset(m.ram + AVAIL, 0, 0x1000);
	memset(m.ram + USED, 0, 0x1000);
	aidx = 0;
	driver_setup(DESC);
	driver_ok();
	memset(pat, 0x3c, sizeof(pat));
	mem_write(&m, DATA, pat, sizeof(pat));
	cr_assert_eq(blk_req(1, 2, 512), 0, "a write after the reset");
	memset(m.ram + DATA, 0, 512);
	cr_assert_eq(blk_req(0, 2, 512), 0, "a read after the reset");
	cr_assert_eq(memcmp(m.ram + DATA, pat, 512), 0, "reads back what was written");
	cr_assert_eq(used_idx(), 2, "two used entries, the new driver's only");
}

/* A device of the test's own whose config space is one 64-bit value that
 * changes at run time (cove's devices set theirs up once). */
struct cfgdev {
	struct virtio_mmio t;
	uint64_t value;
	atomic_bool stop;
};

static void cfg_read(void *dev, uint64_t off, void *data, unsigned len)
{
	memcpy(data, (uint8_t *)&((struct cfgdev *)dev)->value + off, len);
}

static void cfg_notify(void *dev, unsigned qi)
{
	(void)dev;
	(void)qi;
}

static const struct virtio_dev_ops cfg_ops = {.config_read = cfg_read, .queue_notify = cfg_notify};

static struct cfgdev *cfg_new(void)
{
	struct virtio_env env = {.mem = &m, .vmfd = -1};
	static struct cfgdev d;

	memset(&d, 0, sizeof(d));
	cr_assert_eq(virtio_mmio_init(&d.t, &env, VIRTIO_MMIO_BASE, 5, 42, 0, 8, 1, &cfg_ops, &d), 0);
	t = &d.t;
	return &d;
}

/* The device changes its config the only correct way: under the lock,
 * with virtio_mmio_config_changed. */
static void cfg_set(struct cfgdev *d, uint64_t v)
{
	pthread_mutex_lock(&d->t.lock);
	d->value = v;
	virtio_mmio_config_changed(&d->t);
	pthread_mutex_unlock(&d->t.lock);
}

/* 4.2.2: ConfigGeneration changes with every config change, and after
 * DRIVER_OK a change raises the configuration change interrupt. */
Test(virtio_blk, config_generation_changes_with_the_config_and_driver_ok_gets_the_interrupt)
{
	struct cfgdev *d = cfg_new();
	uint32_t g0 = rd(VIRTIO_MMIO_CONFIG_GENERATION), g1, g2;

	cfg_set(d, 0x1122334455667788ULL);
	g1 = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	cr_assert_neq(g1, g0, "the generation changed with the config");
	cr_assert_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), g1, "and stays while the config does");
	cr_assert_eq(rd(VIRTIO_MMIO_CONFIG + 4), 0x11223344u);
	cr_assert_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG, 0,
		     "no interrupt before DRIVER_OK");
	driver_setup(DESC);
	driver_ok();
	cfg_set(d, 7);
	g2 = rd(VIRTIO_MMIO_CONFIG_GENERATION);
	cr_assert_neq(g2, g1);
	cr_assert(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG,
		  "a live driver gets the config interrupt");
}

static void *cfg_writer(void *arg)
{
	struct cfgdev *d = arg;

	for (uint64_t i = 1; !atomic_load(&d->stop); i++)
		cfg_set(d, i << 32 | (uint32_t)i);
	return NULL;
}

/* 4.2.2.1: a driver reads a 64-bit field as two 32-bit halves between two
 * reads of ConfigGeneration and retries while they differ. Whatever it then
 * accepts must be one value the device had, never halves of two, however
 * the device's changes fall between its reads. */
Test(virtio_blk, config_reads_bracketed_by_an_unchanged_generation_are_consistent)
{
	struct cfgdev *d = cfg_new();
	unsigned accepted = 0, retried = 0, torn = 0;
	pthread_t w;

	cr_assert_eq(pthread_create(&w, NULL, cfg_writer, d), 0);
	while (accepted < 20000) {
		uint32_t g0 = rd(VIRTIO_MMIO_CONFIG_GENERATION);
		uint32_t lo = rd(VIRTIO_MMIO_CONFIG), hi;

		if (accepted % 64 == 0)
			sched_yield(); /* let the writer in between the halves now and then */
		hi = rd(VIRTIO_MMIO_CONFIG + 4);
		if (rd(VIRTIO_MMIO_CONFIG_GENERATION) != g0) {
			retried++;
			torn += lo != hi;
			continue;
		}
		cr_assert_eq(lo, hi, "accepted a torn value %08x:%08x with an unchanged generation %u", hi,
			     lo, g0);
		accepted++;
	}
	atomic_store(&d->stop, true);
	pthread_join(w, NULL);
	cr_log_info("%u consistent reads, %u retried (%u of them torn)", accepted, retried, torn);
}

Test(virtio_blk, console_carries_input_to_the_guest_and_output_to_the_host)
{
	struct virtio_env env = {.mem = &m, .loop = loop, .vmfd = -1};
	int in[2], out[2];
	char err[128], got[16] = {0};
	struct timespec ts = {0, 1000000};
	uint16_t head = 0, uidx = 0;
	uint32_t len = 0;

	cr_assert_eq(pipe(in), 0);
	cr_assert_eq(pipe(out), 0);
	cr_assert_eq(virtio_console_new(&env, VIRTIO_MMIO_BASE, 5, in[0], out[1], &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	cr_assert_eq(write(in[1], "ping\n", 5), 5);
	driver_init(DESC); /* receiveq 0 at DESC/AVAIL/USED */
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_NUM, N);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	put_desc(0, DATA, 64, VIRTQ_DESC_F_WRITE, 0);
	mem_write(&m, AVAIL + 4, &head, 2);
	aidx = 1;
	mem_write(&m, AVAIL + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && uidx != 1; i++) {
		mem_read(&m, USED + 2, &uidx, 2);
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(uidx, 1, "input delivered");
	mem_read(&m, USED + 8, &len, 4);
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(m.ram + DATA, "ping\n", 5), 0);
	/* transmitq: descriptor 0 of the second table. */
	memcpy(m.ram + DATA + 0x1000, "pong\n", 5);
	uint8_t d[16] = {0};
	uint64_t a = DATA + 0x1000;
	uint32_t l = 5;
	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	mem_write(&m, DESC + 0x1000, d, 16);
	mem_write(&m, AVAIL + 0x1000 + 4, &head, 2);
	mem_write(&m, AVAIL + 0x1000 + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	cr_assert_eq(read(out[0], got, 5), 5, "output reached the host fd");
	cr_assert_str_eq(got, "pong\n");
}

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

/* In a network namespace of its own (this test's process only), so the
 * tap and its frames never reach the host's network. */
Test(virtio_blk, net_moves_frames_both_ways_through_a_real_tap)
{
	struct virtio_env env = {.mem = &m, .loop = loop, .vmfd = -1};
	struct vm_net_config nc = {.tap = "covetest0", .has_mac = true, .mac = {2, 0, 0, 0, 0, 7}};
	struct timespec ts = {0, 1000000};
	char err[128];
	uint8_t frame[60], got[128], mac[6];
	struct ifreq ifr = {0};
	struct sockaddr_ll sll = {0};
	uint16_t head = 0, uidx = 0;
	uint32_t len = 0;
	int s;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET) (needs root)");
	cr_assert_eq(virtio_net_new(&env, VIRTIO_MMIO_BASE, 5, &nc, &t, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	virtio_mmio_read(t, VIRTIO_MMIO_CONFIG, mac, 6);
	cr_assert_eq(memcmp(mac, nc.mac, 6), 0, "config space has the mac= address");
	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	cr_assert(s >= 0);
	strcpy(ifr.ifr_name, "covetest0");
	cr_assert_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("covetest0");
	cr_assert_eq(bind(s, (struct sockaddr *)&sll, sizeof(sll)), 0);
	/* receiveq 0 at DESC, transmitq 1 at DESC + 0x1000. */
	driver_init(DESC);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	wr(VIRTIO_MMIO_QUEUE_NUM, N);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED + 0x1000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	/* Guest to host: header + a frame with an odd ethertype. */
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6);
	memcpy(frame + 6, nc.mac, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	memcpy(frame + 14, "cove-tx", 7);
	memset(m.ram + DATA + 0x1000, 0, 12);
	memcpy(m.ram + DATA + 0x1000 + 12, frame, sizeof(frame));
	uint8_t d[16] = {0};
	uint64_t a = DATA + 0x1000;
	uint32_t l = 12 + sizeof(frame);
	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	mem_write(&m, DESC + 0x1000, d, 16);
	mem_write(&m, AVAIL + 0x1000 + 4, &head, 2);
	aidx = 1;
	mem_write(&m, AVAIL + 0x1000 + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	ssize_t n;
	do
		n = recv(s, got, sizeof(got), 0);
	while (n > 0 && !(got[12] == 0x88 && got[13] == 0xb5)); /* skip IPv6 chatter */
	cr_assert_eq(n, (ssize_t)sizeof(frame), "the host saw the guest's frame");
	cr_assert_eq(memcmp(got + 14, "cove-tx", 7), 0);
	/* Host to guest: post a receive buffer, send a frame into the tap. */
	put_desc(0, DATA, 2048, VIRTQ_DESC_F_WRITE, 0);
	mem_write(&m, AVAIL + 4, &head, 2);
	mem_write(&m, AVAIL + 2, &aidx, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	memcpy(frame, nc.mac, 6);
	memcpy(frame + 14, "cove-rx", 7);
	cr_assert_eq(send(s, frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	for (int i = 0; i < 5000 && uidx != 1; i++) {
		mem_read(&m, USED + 2, &uidx, 2);
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(uidx, 1, "a frame arrived in the guest's buffer");
	mem_read(&m, USED + 8, &len, 4);
	cr_assert_geq(len, 12 + 60);
	uint16_t nb;
	memcpy(&nb, m.ram + DATA + 10, 2);
	cr_assert_eq(nb, 1, "num_buffers is 1");
	close(s);
}
