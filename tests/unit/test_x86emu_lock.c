/* LOCK on guest memory under contention: two threads, each with its own
 * x86emu and registers, run locked read-modify-writes on the same host
 * mapping. Every increment must land: x86emu does a locked instruction on
 * RAM as one host atomic operation. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "tests/unit/test_x86emu_fake.h"

#define ROUNDS 200000u
#define XADD_COUNTER 0x40000u
#define CMPXCHG_COUNTER 0x40040u

/* Each round: lock xadd [rdi], 1; then lock cmpxchg [rsi] in a retry loop. */
static const uint8_t loop_code[] = {
	0xb8, 0x01, 0x00, 0x00, 0x00, /* 0x00 mov eax, 1 */
	0xf0, 0x0f, 0xc1, 0x07,       /* 0x05 lock xadd [rdi], eax */
	0x8b, 0x06,                   /* 0x09 mov eax, [rsi] */
	0x8d, 0x48, 0x01,             /* 0x0b lea ecx, [rax+1] */
	0xf0, 0x0f, 0xb1, 0x0e,       /* 0x0e lock cmpxchg [rsi], ecx */
	0x75, 0xf5,                   /* 0x12 jnz 0x09 */
	0xff, 0xcd,                   /* 0x14 dec ebp */
	0x75, 0xe8,                   /* 0x16 jnz 0x00 */
	0xf4,                         /* 0x18 hlt */
};

static pthread_barrier_t start;

struct worker {
	struct fake *f;
	enum x86emu_result end;
	uint64_t retries;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	enum x86emu_result r;
	pthread_barrier_wait(&start); /* both run at once, or there is no contention */
	do
		r = x86emu_step(w->f->e);
	while (r == X86EMU_OK);
	x86emu_flush_state(w->f->e);
	w->end = r;
	w->retries = x86emu_opcode_count(w->f->e, X86EMU_MAP_0F, 0xb1) - ROUNDS;
	return NULL;
}

Test(x86emu_lock, locked_xadd_and_cmpxchg_from_two_threads_lose_no_update)
{
	struct worker w[2];
	for (unsigned i = 0; i < 2; i++) {
		w[i].f = fake_new();
		if (i) { /* one guest memory for both */
			free(w[i].f->ram);
			w[i].f->ram = w[0].f->ram;
		}
		fake_long64(w[i].f, 0x20000, loop_code, sizeof(loop_code));
		w[i].f->gpr[X86EMU_RDI] = XADD_COUNTER;
		w[i].f->gpr[X86EMU_RSI] = CMPXCHG_COUNTER;
		w[i].f->gpr[X86EMU_RBP] = ROUNDS;
	}
	/* Accessed and dirty set in advance: the threads' page walks do not
	 * race on them. */
	for (uint64_t a = 0x100000; a < 0x10b000; a += 8)
		if (*(u64u *)(w[0].f->ram + a))
			*(u64u *)(w[0].f->ram + a) |= 0x60;
	pthread_t t[2];
	cr_assert_eq(pthread_barrier_init(&start, NULL, 2), 0);
	for (unsigned i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (unsigned i = 0; i < 2; i++)
		cr_assert_eq(w[i].end, X86EMU_HLT, "thread %u ended with %d", i, w[i].end);
	uint32_t xadd = *(u32u *)(w[0].f->ram + XADD_COUNTER);
	uint32_t cmpxchg = *(u32u *)(w[0].f->ram + CMPXCHG_COUNTER);
	cr_assert_eq(xadd, 2 * ROUNDS, "lock xadd: %u of %u increments", xadd, 2 * ROUNDS);
	cr_assert_eq(cmpxchg, 2 * ROUNDS, "lock cmpxchg: %u of %u increments", cmpxchg, 2 * ROUNDS);
	cr_log_info("cmpxchg retries (contention seen): %lu, %lu", (unsigned long)w[0].retries,
		    (unsigned long)w[1].retries);
	w[1].f->ram = NULL;
	fake_free(w[1].f);
	fake_free(w[0].f);
}
