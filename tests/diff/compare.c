/* x86diff: comparing two end states under a sequence's masks, and writing a
 * mismatch down so the x86emu owner can replay it. */
#include <stdio.h>
#include <string.h>

#include "tests/diff/xd.h"

static const char *const gpr_name[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
					 "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

/* The masks that hold where the native run stopped. */
static void masks_at(const struct xd_seq *s, const struct xd_result *n, uint32_t *fl, uint32_t *gp)
{
	*fl = s->flags_undef;
	*gp = s->gpr_undef;
	if (n->end != XD_END_EXC)
		return;
	uint64_t off = n->st.rip - XD_CODE;
	if (s->mode == XD_REAL) {
		/* the faulting IP is in the frame the delivery pushed */
		uint64_t sp = n->st.gpr[4] & 0xffff;
		if (sp < XD_SCRATCH || sp + 6 > XD_SCRATCH + XD_SCRATCH_SIZE)
			return;
		off = (uint64_t)(n->scratch[sp - XD_SCRATCH] | n->scratch[sp - XD_SCRATCH + 1] << 8);
	}
	for (unsigned i = s->nchunks; i-- > 0;)
		if (s->chunk_at[i] <= off) {
			*fl = s->poison_at[i].flags;
			*gp = s->poison_at[i].gprs;
			return;
		}
}

bool xd_compare(const struct xd_seq *s, const struct xd_result *a, const struct xd_result *b,
		char *why, size_t whylen)
{
	uint32_t fl, gp;
	masks_at(s, a, &fl, &gp);
	if (a->end != b->end) {
		snprintf(why, whylen, "end: native %d (%s) vs x86emu %d (%s)", a->end, a->reason,
			 b->end, b->reason);
		return false;
	}
	if (a->end == XD_END_OTHER || a->end == XD_END_UNHANDLED) {
		snprintf(why, whylen, "both ended oddly: %s / %s", a->reason, b->reason);
		return false;
	}
	if (a->end == XD_END_EXC) {
		if (a->vector != b->vector) {
			snprintf(why, whylen, "exception vector %u vs %u", a->vector, b->vector);
			return false;
		}
		if (a->has_error_code && b->has_error_code && a->error_code != b->error_code) {
			snprintf(why, whylen, "error code %#x vs %#x", a->error_code, b->error_code);
			return false;
		}
	}
	for (unsigned i = 0; i < 16; i++) {
		if (gp >> i & 1)
			continue;
		if (a->st.gpr[i] != b->st.gpr[i]) {
			snprintf(why, whylen, "%s: native %#llx vs x86emu %#llx", gpr_name[i],
				 (unsigned long long)a->st.gpr[i], (unsigned long long)b->st.gpr[i]);
			return false;
		}
	}
	if (a->st.rip != b->st.rip) {
		snprintf(why, whylen, "rip: native %#llx vs x86emu %#llx",
			 (unsigned long long)a->st.rip, (unsigned long long)b->st.rip);
		return false;
	}
	/* RF is set in a fault's pushed image; bits above 21 are reserved */
	uint64_t fmask = 0x3fffffull & ~(uint64_t)fl & ~0x10000ull;
	if ((a->st.rflags ^ b->st.rflags) & fmask) {
		snprintf(why, whylen, "rflags: native %#llx vs x86emu %#llx (compared %#llx)",
			 (unsigned long long)a->st.rflags, (unsigned long long)b->st.rflags,
			 (unsigned long long)fmask);
		return false;
	}
	if (s->uses_sse) {
		for (unsigned i = 0; i < 16; i++)
			if (memcmp(a->st.xmm[i], b->st.xmm[i], 16)) {
				snprintf(why, whylen, "xmm%u differs", i);
				return false;
			}
	}
	/* a real-mode exception pushed FLAGS: its undefined bits are masked too */
	static uint8_t sa[XD_SCRATCH_SIZE], sb[XD_SCRATCH_SIZE];
	memcpy(sa, a->scratch, XD_SCRATCH_SIZE);
	memcpy(sb, b->scratch, XD_SCRATCH_SIZE);
	if (s->mode == XD_REAL && a->end == XD_END_EXC) {
		uint64_t sp = a->st.gpr[4] & 0xffff;
		if (sp >= XD_SCRATCH && sp + 6 <= XD_SCRATCH + XD_SCRATCH_SIZE) {
			unsigned o = (unsigned)(sp - XD_SCRATCH) + 4;
			sa[o] &= (uint8_t)~fl, sb[o] &= (uint8_t)~fl;
			sa[o + 1] &= (uint8_t)~(fl >> 8), sb[o + 1] &= (uint8_t)~(fl >> 8);
		}
	}
	if (memcmp(sa, sb, XD_SCRATCH_SIZE)) {
		unsigned o = 0;
		while (sa[o] == sb[o])
			o++;
		snprintf(why, whylen, "memory at %#x: native %02x vs x86emu %02x", XD_SCRATCH + o,
			 a->scratch[o], b->scratch[o]);
		return false;
	}
	return true;
}

static void dump_state(FILE *f, const char *title, const struct xd_state *st)
{
	fprintf(f, "%s:\n", title);
	for (unsigned i = 0; i < 16; i++)
		fprintf(f, "  %-3s %016llx%s", gpr_name[i], (unsigned long long)st->gpr[i],
			i % 4 == 3 ? "\n" : "");
	fprintf(f, "  rip %016llx  rflags %08llx\n", (unsigned long long)st->rip,
		(unsigned long long)st->rflags);
}

static void dump_mem_diff(FILE *f, const struct xd_seq *s, const struct xd_result *n,
			  const struct xd_result *e)
{
	unsigned shown = 0;
	for (unsigned o = 0; o < XD_SCRATCH_SIZE && shown < 32; o++)
		if (n->scratch[o] != e->scratch[o] || n->scratch[o] != s->scratch[o]) {
			fprintf(f, "  mem %#06x: start %02x native %02x x86emu %02x\n", XD_SCRATCH + o,
				s->scratch[o], n->scratch[o], e->scratch[o]);
			shown++;
		}
}

int xd_dump(const char *path, const struct xd_seq *s, const struct xd_result *n,
	    const struct xd_result *e, const char *why)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	fprintf(f, "== mismatch (%s mode): %s\n", s->mode == XD_REAL ? "real" : "64-bit CPL3", why);
	fprintf(f, "code (%zu bytes at %s):", s->len, s->mode == XD_REAL ? "1000:0000" : "0x10000");
	for (size_t i = 0; i < s->len; i++)
		fprintf(f, " %02x", s->code[i]);
	fprintf(f, "\nmasked flags %#x, masked gprs %#x\n", s->flags_undef, s->gpr_undef);
	dump_state(f, "start", &s->start);
	dump_state(f, "native end", &n->st);
	fprintf(f, "  end %d vector %u %s\n", n->end, n->vector, n->reason);
	dump_state(f, "x86emu end", &e->st);
	fprintf(f, "  end %d vector %u %s\n", e->end, e->vector, e->reason);
	fprintf(f, "memory differences (changed or mismatching bytes):\n");
	dump_mem_diff(f, s, n, e);
	fclose(f);
	return 0;
}
