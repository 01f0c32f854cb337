/* x86emu: lifecycle and statistics (the decoder and executor follow). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "x86emu/x86emu.h"

struct x86emu {
	const struct x86emu_ops *ops;
	void *ctx;
	struct x86emu_stats st;
	struct x86emu_exception exc;
	struct x86emu_unhandled unh;
	uint64_t opcount[X86EMU_NR_MAPS][256];
};

struct x86emu *x86emu_new(const struct x86emu_ops *ops, void *ctx)
{
	struct x86emu *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ops = ops;
	e->ctx = ctx;
	return e;
}

void x86emu_free(struct x86emu *e) { free(e); }

void x86emu_get_stats(const struct x86emu *e, struct x86emu_stats *st) { *st = e->st; }

enum x86emu_result x86emu_step(struct x86emu *e)
{
	e->unh.reason = "unknown opcode";
	e->st.unhandled++;
	return X86EMU_UNHANDLED;
}
