/* x86emu: lifecycle, the lazy register cache, the step loop (commit,
 * rollback, replay of the operation queue), exception reporting and real-mode
 * delivery through the IVT, statistics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86emu/internal.h"

struct x86emu *x86emu_new(const struct x86emu_ops *ops, void *ctx)
{
	struct x86emu *e = aligned_alloc(64, (sizeof(*e) + 63) & ~(size_t)63);
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->ops = ops;
	e->ctx = ctx;
	e->tlb = calloc(X86EMU_TLB_MAX_ENTRIES, sizeof(*e->tlb));
	e->tlb_hash = calloc(TLB_HASH, sizeof(*e->tlb_hash));
	e->hash_gen = calloc(TLB_HASH, sizeof(*e->hash_gen));
	e->dcache = calloc(DC_ENTRIES, sizeof(*e->dcache));
	if (!e->tlb || !e->tlb_hash || !e->hash_gen || !e->dcache) {
		x86emu_free(e);
		return NULL;
	}
	x86emu_reset(e);
	return e;
}

void x86emu_free(struct x86emu *e)
{
	if (!e)
		return;
	free(e->tlb);
	free(e->tlb_hash);
	free(e->hash_gen);
	free(e->dcache);
	free(e);
}

void x86emu_reset(struct x86emu *e)
{
	x86emu_invalidate(e);
	e->cur = &e->in;
	e->pending = false;
	e->qlen = e->qpos = e->qdlen = 0;
	memset(&e->exc, 0, sizeof(e->exc));
	memset(&e->unh, 0, sizeof(e->unh));
	e->a20 = true;
	e->shadow = false;
	e->rep_limit = 65536;
	e->tlb_size = X86EMU_TLB_DEFAULT_ENTRIES;
	e->tlb_policy = X86EMU_TLB_CLOCK;
	mmu_init(e);
	x86emu_reset_stats(e);
}

void x86emu_invalidate(struct x86emu *e)
{
	/* CR0/CR3/CPL may differ now: forget the remembered page lookups. */
	e->mmu_epoch++;
	e->mode_ok = false;
	/* Whatever changed the registers (KVM_RUN) may have written code. */
	dcache_flush(e);
	e->gpr_valid = e->gpr_dirty = e->gpr_partial = 0;
	e->rip_valid = e->rip_dirty = false;
	e->fl_valid = e->fl_dirty = false;
	e->seg_valid = e->seg_dirty = 0;
	e->cr_valid = e->cr_dirty = 0;
	e->dr_valid = e->dr_dirty = 0;
	e->dt_valid = e->dt_dirty = 0;
	e->xs_valid = e->xs_dirty = false;
}

uint64_t emu_fetch_gpr(struct x86emu *e, unsigned r)
{
	uint64_t v = e->ops->get_gpr(e->ctx, (enum x86emu_gpr)r);

	if (e->gpr_partial & (1u << r)) {
		/* written in part before: those bits are newer than the caller's */
		v = (v & ~e->gpr_pmask[r]) | (e->gpr[r] & e->gpr_pmask[r]);
		e->gpr_partial &= ~(1u << r);
	}
	e->gpr[r] = v;
	e->gpr_valid |= 1u << r;
	return v;
}

void emu_fetch_gprs(struct x86emu *e, uint32_t mask)
{
	for (unsigned r = 0; mask; r++, mask >>= 1)
		if (mask & 1)
			emu_fetch_gpr(e, r);
}

void emu_fetch_seg(struct x86emu *e, unsigned s)
{
	e->ops->get_sreg(e->ctx, (enum x86emu_sreg)s, &e->seg[s]);
	e->seg_valid |= 1u << s;
}

uint64_t emu_fetch_cr(struct x86emu *e, unsigned c)
{
	e->cr[c] = e->ops->get_creg(e->ctx, (enum x86emu_creg)c);
	e->cr_valid |= 1u << c;
	return e->cr[c];
}

void emu_fetch_rflags(struct x86emu *e)
{
	e->rflags = e->ops->get_rflags(e->ctx);
	e->fl_valid = true;
}

__attribute__((noinline, cold)) int emu_with_flags(struct x86emu *e, struct x86emu_insn *in, exec_fn f)
{
	emu_fetch_rflags(e);
	return f(e, in);
}

void emu_xsave_load(struct x86emu *e)
{
	if (e->xs_valid)
		return;
	if (e->ops->get_xsave)
		e->ops->get_xsave(e->ctx, e->xsave);
	else
		memset(e->xsave, 0, sizeof(e->xsave));
	/* A component whose XSTATE_BV bit is clear is in its init state and
	 * its bytes in the image mean nothing: make them the init values. */
	uint64_t bv;
	memcpy(&bv, e->xsave + 512, 8);
	if (!(bv & 1)) {
		memset(e->xsave, 0, 24);
		e->xsave[0] = 0x7f, e->xsave[1] = 0x03;
		memset(e->xsave + 32, 0, 128);
	}
	if (!(bv & 2))
		memset(e->xsave + 160, 0, 256);
	if (!(bv & 6)) {
		uint32_t mx = 0x1f80;
		memcpy(e->xsave + 24, &mx, 4);
	}
	if (!(bv & 4))
		memset(e->xsave + 576, 0, 256);
	bv |= 7;
	memcpy(e->xsave + 512, &bv, 8);
	memset(e->xsave + 520, 0, 8);
	e->xs_valid = true;
}

static uint64_t rip_get(struct x86emu *e)
{
	if (!e->rip_valid) {
		e->rip = e->ops->get_rip(e->ctx);
		e->rip_valid = true;
	}
	return e->rip;
}

void x86emu_flush_state(struct x86emu *e)
{
	for (unsigned r = 0; r < 16; r++)
		if (e->gpr_dirty & (1u << r)) {
			if (!(e->gpr_partial & (1u << r)))
				e->ops->set_gpr(e->ctx, (enum x86emu_gpr)r, e->gpr[r]);
			else if (e->ops->set_gpr_bits)
				e->ops->set_gpr_bits(e->ctx, (enum x86emu_gpr)r, e->gpr[r], e->gpr_pmask[r]);
			else
				e->ops->set_gpr(e->ctx, (enum x86emu_gpr)r, emu_fetch_gpr(e, r));
		}
	e->gpr_dirty = 0;
	e->gpr_partial = 0;
	if (e->rip_dirty)
		e->ops->set_rip(e->ctx, e->rip);
	e->rip_dirty = false;
	if (e->fl_dirty)
		e->ops->set_rflags(e->ctx, e->rflags);
	e->fl_dirty = false;
	for (unsigned s = 0; s < X86EMU_NR_SREGS; s++)
		if (e->seg_dirty & (1u << s))
			e->ops->set_sreg(e->ctx, (enum x86emu_sreg)s, &e->seg[s]);
	e->seg_dirty = 0;
	for (unsigned c = 0; c < X86EMU_NR_CREGS; c++)
		if (e->cr_dirty & (1u << c))
			e->ops->set_creg(e->ctx, (enum x86emu_creg)c, e->cr[c]);
	e->cr_dirty = 0;
	for (unsigned d = 0; d < 8; d++)
		if (e->dr_dirty & (1u << d))
			e->ops->set_dreg(e->ctx, d, e->dr[d]);
	e->dr_dirty = 0;
	for (unsigned t = 0; t < 2; t++)
		if (e->dt_dirty & (1u << t))
			e->ops->set_dtable(e->ctx, (enum x86emu_dtreg)t, &e->dt[t]);
	e->dt_dirty = 0;
	if (e->xs_dirty && e->ops->set_xsave)
		e->ops->set_xsave(e->ctx, e->xsave);
	e->xs_dirty = false;
}

void emu_undo_push(struct x86emu *e, unsigned r, uint64_t old)
{
	if (e->nundo < 48) {
		e->undo[e->nundo].reg = (uint8_t)r;
		e->undo[e->nundo++].val = old;
	} else {
		e->undo_overflow = true;
	}
}

int emu_raise(struct x86emu *e, unsigned vec, bool has_ec, uint32_t ec)
{
	memset(&e->exc, 0, sizeof(e->exc));
	e->exc.vector = (uint8_t)vec;
	e->exc.has_error_code = has_ec && e->mode != X86EMU_MODE_REAL;
	e->exc.error_code = e->exc.has_error_code ? ec : 0;
	return X86EMU_EXCEPTION;
}

int emu_raise_pf(struct x86emu *e, uint64_t la, uint32_t ec)
{
	emu_raise(e, X86EMU_EXC_PF, true, ec);
	e->exc.cr2 = la;
	return X86EMU_EXCEPTION;
}

int emu_unhandled(struct x86emu *e, const char *reason)
{
	e->unh.reason = reason;
	return X86EMU_UNHANDLED;
}

/* Undo this instruction's (or REP iteration's) register changes. */
static int rollback(struct x86emu *e)
{
	while (e->nundo) {
		e->nundo--;
		e->gpr[e->undo[e->nundo].reg] = e->undo[e->nundo].val;
	}
	e->rflags = e->saved_rflags;
	e->fl_valid = e->saved_fl_valid;
	if (e->undo_overflow)
		return emu_unhandled(e, "instruction changed too many registers to roll back");
	return RC_OK;
}

/* Sets e->mode, returns the CPL. */
static unsigned derive_mode(struct x86emu *e)
{
	uint64_t cr0 = cr_get(e, X86EMU_CR0);
	const struct x86emu_segment *cs = seg_get(e, X86EMU_CS);

	if (!(cr0 & CR0_PE)) {
		e->mode = X86EMU_MODE_REAL;
		return 0;
	}
	if (cr_get(e, X86EMU_EFER) & EFER_LMA) {
		if (cs->l)
			e->mode = X86EMU_MODE_LONG64;
		else
			e->mode = cs->db ? X86EMU_MODE_COMPAT32 : X86EMU_MODE_COMPAT16;
	} else if (flags_get(e) & FL_VM) {
		e->mode = X86EMU_MODE_VM86;
		return 3;
	} else {
		e->mode = cs->db ? X86EMU_MODE_PROT32 : X86EMU_MODE_PROT16;
	}
	return cs->selector & 3;
}

void emu_derive_mode(struct x86emu *e)
{
	uint8_t mode = e->mode;
	unsigned cpl = derive_mode(e);

	e->mode_ok = true;
	if (cpl != e->cpl || mode != e->mode) {
		/* The remembered page lookups were checked for the old CPL,
		 * the cached decodes found for the old mode. */
		e->cpl = (uint8_t)cpl;
		e->mmu_epoch++;
	}
}

enum x86emu_mode x86emu_mode(struct x86emu *e)
{
	emu_derive_mode(e);
	return (enum x86emu_mode)e->mode;
}

/* Real mode: push FLAGS, CS, IP and load CS:IP from the IVT. */
int emu_deliver_real(struct x86emu *e, unsigned vec, uint64_t ret_ip)
{
	struct x86emu_dtable *idt = &e->dt[X86EMU_IDTR];
	uint8_t ent[4];
	int rc;

	if (!(e->dt_valid & (1u << X86EMU_IDTR))) {
		e->ops->get_dtable(e->ctx, X86EMU_IDTR, idt);
		e->dt_valid |= 1u << X86EMU_IDTR;
	}
	if ((uint32_t)vec * 4 + 3 > idt->limit)
		return emu_unhandled(e, "real-mode interrupt vector beyond the IVT limit (shutdown)");
	rc = mem_read_lin(e, idt->base + vec * 4, 4, ent, true);
	if (rc)
		return rc;
	uint64_t fl = flags_get(e);
	uint16_t cs = seg_get(e, X86EMU_CS)->selector;
	if ((rc = stack_push(e, 2, fl & 0xffff)) || (rc = stack_push(e, 2, cs)) ||
	    (rc = stack_push(e, 2, ret_ip & 0xffff)))
		return rc;
	flags_set(e, fl & ~(uint64_t)(FL_IF | FL_TF | FL_AC | FL_RF));
	rc = seg_load(e, X86EMU_CS, (uint16_t)(ent[2] | ent[3] << 8), true);
	if (rc)
		return rc;
	insn_jump(e, e->cur, (uint64_t)(ent[0] | ent[1] << 8));
	return RC_OK;
}

static void commit(struct x86emu *e, uint64_t next_rip)
{
	e->rip = next_rip;
	e->rip_valid = e->rip_dirty = true;
	e->shadow = e->next_shadow;
	/* The queue and undo log are emptied by the next step. */
}

/* Everything but a completed instruction: pending access, exception,
 * unhandled. Out of line, so the step below stays small. */
static __attribute__((noinline)) enum x86emu_result step_end(struct x86emu *e, int rc)
{
	struct x86emu_insn *in = e->cur;

	switch (rc) {
	case X86EMU_HLT:
		commit(e, e->cur->next_rip);
		e->st.insns++;
		e->opcount[in->opidx]++;
		return X86EMU_HLT;
	case X86EMU_PENDING:
		rc = rollback(e);
		if (rc) {
			e->st.unhandled++;
			return X86EMU_UNHANDLED;
		}
		e->pending = true;
		e->pending_done = false;
		e->st.pendings++;
		return X86EMU_PENDING;
	case X86EMU_EXCEPTION:
		e->st.exceptions++;
		rc = rollback(e);
		if (rc) {
			e->st.unhandled++;
			return X86EMU_UNHANDLED;
		}
		e->qlen = e->qpos = e->qdlen = 0;
		if (e->mode == X86EMU_MODE_REAL) {
			uint64_t ret = e->exc.soft ? in->next_rip : e->rip;
			rc = emu_deliver_real(e, e->exc.vector, ret);
			if (rc == X86EMU_EXCEPTION)
				rc = emu_unhandled(e, "fault while delivering a real-mode interrupt");
			if (rc == X86EMU_PENDING)
				rc = emu_unhandled(e, "real-mode IVT or stack is not in RAM");
			if (rc) {
				e->nundo = 0;
				e->st.unhandled++;
				return X86EMU_UNHANDLED;
			}
			e->exc.delivered = true;
			commit(e, e->cur->next_rip);
		} else if (e->exc.soft) {
			commit(e, e->cur->next_rip);
		}
		return X86EMU_EXCEPTION;
	default:
		rollback(e);
		e->nundo = 0;
		e->qlen = e->qpos = e->qdlen = 0;
		e->unh.rip = e->rip;
		e->unh.len = in->len;
		memcpy(e->unh.bytes, in->bytes, sizeof(e->unh.bytes));
		e->st.unhandled++;
		return X86EMU_UNHANDLED;
	}
}

/* One instruction. Inline in x86emu_run's loop: one frame for all of a
 * step's common path. *rip is e->rip, kept by the caller in a register:
 * the address of the next instruction is on the critical path from one
 * step to the next, so it does not go through memory when the instruction
 * did not jump. */
static inline __attribute__((always_inline)) enum x86emu_result step(struct x86emu *e, uint64_t *rip)
{
	struct x86emu_insn *in;
	uint64_t next = 0;
	int rc;

	if (__builtin_expect(e->pending, 0)) {
		if (!e->pending_done)
			return X86EMU_PENDING;
		e->pending = false;
		e->qpos = 0; /* replay what the queue holds */
	} else {
		e->qlen = e->qpos = e->qdlen = 0;
	}
	e->nundo = 0;
	e->undo_overflow = e->next_shadow = e->jumped = false;
	e->saved_fl_valid = e->fl_valid;
	e->saved_rflags = e->rflags;

	if (__builtin_expect(!e->mode_ok, 0))
		emu_derive_mode(e);
	in = decode_hit(e, *rip);
	rc = in ? RC_OK : decode_cached(e, &in);
	e->cur = in;
	if (__builtin_expect(rc == RC_OK, 1)) {
		next = insn_begin(e, in, *rip);
		rc = op_execute(e, in);
	}
	if (__builtin_expect(rc != X86EMU_OK, 0)) {
		rc = step_end(e, rc);
		*rip = e->rip;
		return rc;
	}
	if (e->jumped)
		next = in->next_rip;
#ifdef COVE_SANITIZE
	else if (in->next_rip != next)
		abort(); /* an instruction set next_rip without insn_jump() */
#endif
	*rip = next;
	commit(e, next);
	e->st.insns++;
	e->opcount[in->opidx]++;
	return X86EMU_OK;
}

enum x86emu_result x86emu_step(struct x86emu *e)
{
	uint64_t rip = rip_get(e);
	return step(e, &rip);
}

enum x86emu_result x86emu_run(struct x86emu *e, uint64_t max, uint64_t *done)
{
	uint64_t n = 0, rip = max ? rip_get(e) : 0;
	enum x86emu_result r = X86EMU_OK;

	while (n < max) {
		r = step(e, &rip);
		if (r != X86EMU_OK)
			break;
		n++;
	}
	if (done)
		*done = n;
	return r;
}

int x86emu_complete(struct x86emu *e, const void *data, unsigned size)
{
	if (!e->pending || e->pending_done || size != e->pend.size)
		return -EINVAL;
	for (unsigned i = 0; i < e->qlen; i++) {
		struct qent *q = &e->q[i];
		if (q->done)
			continue;
		if ((q->kind == Q_READ || q->kind == Q_IN)) {
			if (!data)
				return -EINVAL;
			memcpy(e->qdata + q->doff, data, size);
		}
		q->done = 1;
		e->pending_done = true;
		return 0;
	}
	return -EINVAL;
}

const struct x86emu_pending *x86emu_pending(const struct x86emu *e)
{
	return e->pending ? &e->pend : NULL;
}

void x86emu_cancel(struct x86emu *e)
{
	e->pending = false;
	e->qlen = e->qpos = e->qdlen = 0;
}

const struct x86emu_exception *x86emu_exception(const struct x86emu *e) { return &e->exc; }

const struct x86emu_unhandled *x86emu_unhandled(const struct x86emu *e) { return &e->unh; }

void x86emu_set_a20(struct x86emu *e, bool enabled)
{
	if (e->a20 != enabled) {
		e->a20 = enabled;
		mmu_flush(e);
	}
}

void x86emu_set_rep_limit(struct x86emu *e, uint64_t iterations)
{
	e->rep_limit = iterations ? iterations : 1;
}

bool x86emu_interrupt_shadow(const struct x86emu *e) { return e->shadow; }

void x86emu_get_stats(const struct x86emu *e, struct x86emu_stats *st) { *st = e->st; }

void x86emu_reset_stats(struct x86emu *e)
{
	memset(&e->st, 0, sizeof(e->st));
	memset(e->opcount, 0, sizeof(e->opcount));
}

uint64_t x86emu_opcode_count(const struct x86emu *e, enum x86emu_map map, uint8_t opcode)
{
	if ((unsigned)map >= X86EMU_NR_MAPS)
		return 0;
	return e->opcount[map << 8 | opcode];
}

const char *x86emu_opcode_name(enum x86emu_map map, uint8_t opcode)
{
	if ((unsigned)map >= X86EMU_NR_MAPS)
		return NULL;
	return tables_name(map, opcode);
}
