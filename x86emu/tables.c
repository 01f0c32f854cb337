/* x86emu: the opcode tables, one per map, written as data: each row names
 * its operands (dst, src, src2 in SDM notation: E = ModRM r/m, G = ModRM
 * reg, I = immediate), flags (NonPT, LOCK, Mov, NoWrite, ...) and the
 * function that executes it. Groups are selected by ModRM.reg, SSE rows
 * by mandatory prefix, some rows by ModRM.mod (register or memory). */
#include <stddef.h>

#include "x86emu/internal.h"
#include "x86emu/ops.h"

static const struct opdesc grp1[8] = {
	[0x00] = { .flags = 0 | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x01] = { .flags = 0 | F_LOCK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x02] = { .flags = 0 | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x03] = { .flags = 0 | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x04] = { .flags = 0 | F_LOCK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x05] = { .flags = 0 | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x06] = { .flags = 0 | F_LOCK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x07] = { .flags = 0 | F_NONPT | F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
};

static const struct opdesc grp1a[8] = {
	[0x00] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x01] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x04] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x05] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x06] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x07] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc grp2[8] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_shift, .name = "rol" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_shift, .name = "ror" },
	[0x02] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_shift, .name = "rcl" },
	[0x03] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_shift, .name = "rcr" },
	[0x04] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_shift, .name = "shl" },
	[0x05] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 5, .exec = ex_shift, .name = "shr" },
	[0x06] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_shift, .name = "sal" },
	[0x07] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_shift, .name = "sar" },
};

static const struct opdesc grp11b[8] = {
	[0x00] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0x01] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x04] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x05] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x06] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x07] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc grp3[8] = {
	[0x00] = { .flags = F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_test, .name = "test" },
	[0x01] = { .flags = F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_test, .name = "test" },
	[0x02] = { .flags = F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_not, .name = "not" },
	[0x03] = { .flags = F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_neg, .name = "neg" },
	[0x04] = { .flags = F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_muldiv, .name = "mul" },
	[0x05] = { .flags = F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 5, .exec = ex_muldiv, .name = "imul" },
	[0x06] = { .flags = F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_muldiv, .name = "div" },
	[0x07] = { .flags = F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_muldiv, .name = "idiv" },
};

static const struct opdesc grp4[8] = {
	[0x00] = { .flags = F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x01] = { .flags = F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x02] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp4 (reserved)" },
	[0x03] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp4 (reserved)" },
	[0x04] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp4 (reserved)" },
	[0x05] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp4 (reserved)" },
	[0x06] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp4 (reserved)" },
	[0x07] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp4 (reserved)" },
};

static const struct opdesc grp5[8] = {
	[0x00] = { .flags = F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x01] = { .flags = F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x02] = { .flags = F_OP64 | F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_call_ind, .name = "call" },
	[0x03] = { .flags = F_MEMONLY | F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_call_far, .name = "call far" },
	[0x04] = { .flags = F_OP64 | F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_jmp_ind, .name = "jmp" },
	[0x05] = { .flags = F_MEMONLY | F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_jmp_far, .name = "jmp far" },
	[0x06] = { .flags = F_STACK | F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x07] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp5 (reserved)" },
};

static const struct opdesc grp6[8] = {
	[0x00] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp6, .name = "sldt" },
	[0x01] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_grp6, .name = "str" },
	[0x02] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_grp6, .name = "lldt" },
	[0x03] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_grp6, .name = "ltr" },
	[0x04] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_EW, .src2 = K_NONE, .aux = 4, .exec = ex_grp6, .name = "verr" },
	[0x05] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_EW, .src2 = K_NONE, .aux = 5, .exec = ex_grp6, .name = "verw" },
	[0x06] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp6 (reserved)" },
	[0x07] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp6 (reserved)" },
};

static const struct opdesc grp7m[8] = {
	[0x00] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp7, .name = "sgdt" },
	[0x01] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_grp7, .name = "sidt" },
	[0x02] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_grp7, .name = "lgdt" },
	[0x03] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_grp7, .name = "lidt" },
	[0x04] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_grp7, .name = "smsw" },
	[0x05] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x06] = { .flags = F_MOV | F_NOWRITE | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_grp7, .name = "lmsw" },
	[0x07] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_grp7, .name = "invlpg" },
};

static const struct opdesc grp7[2] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp7m, .name = "grp7" },
	[0x01] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp7_reg, .name = "grp7" },
};

static const struct opdesc pfx_10[4] = {
	[0x00] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_vmov, .name = "movups" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_vmov, .name = "movupd" },
	[0x02] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_movs_scalar, .name = "movss" },
	[0x03] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 8, .exec = ex_movs_scalar, .name = "movsd" },
};

static const struct opdesc pfx_11[4] = {
	[0x00] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_vmov, .name = "movups" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_vmov, .name = "movupd" },
	[0x02] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 20, .exec = ex_movs_scalar, .name = "movss" },
	[0x03] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 24, .exec = ex_movs_scalar, .name = "movsd" },
};

static const struct opdesc pfx_12[4] = {
	[0x00] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movhl, .name = "movlps" },
	[0x01] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movhl, .name = "movlpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_13[4] = {
	[0x00] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_movhl, .name = "movlps" },
	[0x01] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_movhl, .name = "movlpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_16[4] = {
	[0x00] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_movhl, .name = "movhps" },
	[0x01] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_movhl, .name = "movhpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_17[4] = {
	[0x00] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_movhl, .name = "movhps" },
	[0x01] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_movhl, .name = "movhpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_28[4] = {
	[0x00] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_vmov, .name = "movaps" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_vmov, .name = "movapd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_29[4] = {
	[0x00] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_vmov, .name = "movaps" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_vmov, .name = "movapd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_2b[4] = {
	[0x00] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_vmov, .name = "movntps" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_vmov, .name = "movntpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_6e[4] = {
	[0x00] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movd, .name = "movd" },
	[0x01] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movd, .name = "movd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_7e[4] = {
	[0x00] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movd, .name = "movd" },
	[0x01] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movd, .name = "movd" },
	[0x02] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movq_xmm, .name = "movq" },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_6f[4] = {
	[0x00] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movq_mmx, .name = "movq" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_vmov, .name = "movdqa" },
	[0x02] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_vmov, .name = "movdqu" },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_7f[4] = {
	[0x00] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movq_mmx, .name = "movq" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_vmov, .name = "movdqa" },
	[0x02] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_vmov, .name = "movdqu" },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc grp15m[8] = {
	[0x00] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp15, .name = "fxsave" },
	[0x01] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_grp15, .name = "fxrstor" },
	[0x02] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_grp15, .name = "ldmxcsr" },
	[0x03] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_grp15, .name = "stmxcsr" },
	[0x04] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_grp15, .name = "xsave" },
	[0x05] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 5, .exec = ex_grp15, .name = "xrstor" },
	[0x06] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_grp15, .name = "xsaveopt" },
	[0x07] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_grp15, .name = "clflush" },
};

static const struct opdesc grp15r[8] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x01] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x04] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x05] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "lfence" },
	[0x06] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "mfence" },
	[0x07] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "sfence" },
};

static const struct opdesc grp15[2] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp15m, .name = "grp15" },
	[0x01] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp15r, .name = "fence" },
};

static const struct opdesc grp8[8] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x01] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x04] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bt, .name = "bt" },
	[0x05] = { .flags = F_LOCK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_bt, .name = "bts" },
	[0x06] = { .flags = F_LOCK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_bt, .name = "btr" },
	[0x07] = { .flags = F_LOCK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_bt, .name = "btc" },
};

static const struct opdesc grp9[8] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x01] = { .flags = F_MEMONLY | F_LOCK | F_MOV | F_NOWRITE | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_cmpxchg8b, .name = "cmpxchg8b" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp15, .name = "xrstors" },
	[0x04] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp15, .name = "xsavec" },
	[0x05] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_grp15, .name = "xsaves" },
	[0x06] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x07] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d6[4] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x01] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movq_xmm, .name = "movq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e7[4] = {
	[0x00] = { .flags = F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movq_mmx, .name = "movntq" },
	[0x01] = { .flags = F_VEX | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 7, .exec = ex_vmov, .name = "movntdq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

/* Packed integer SSE2/SSSE3 (MMX without prefix, XMM with 66) and the
 * ps/pd bitwise ops: ex_simd, aux = S_* of ops.h. */
static const struct opdesc pfx_60[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLBW, .exec = ex_simd, .name = "punpcklbw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLBW, .exec = ex_simd, .name = "punpcklbw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_61[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLWD, .exec = ex_simd, .name = "punpcklwd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLWD, .exec = ex_simd, .name = "punpcklwd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_62[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLDQ, .exec = ex_simd, .name = "punpckldq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLDQ, .exec = ex_simd, .name = "punpckldq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_63[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PACKSSWB, .exec = ex_simd, .name = "packsswb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PACKSSWB, .exec = ex_simd, .name = "packsswb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_64[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPGTB, .exec = ex_simd, .name = "pcmpgtb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPGTB, .exec = ex_simd, .name = "pcmpgtb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_65[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPGTW, .exec = ex_simd, .name = "pcmpgtw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPGTW, .exec = ex_simd, .name = "pcmpgtw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_66[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPGTD, .exec = ex_simd, .name = "pcmpgtd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPGTD, .exec = ex_simd, .name = "pcmpgtd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_67[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PACKUSWB, .exec = ex_simd, .name = "packuswb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PACKUSWB, .exec = ex_simd, .name = "packuswb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_68[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHBW, .exec = ex_simd, .name = "punpckhbw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHBW, .exec = ex_simd, .name = "punpckhbw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_69[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHWD, .exec = ex_simd, .name = "punpckhwd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHWD, .exec = ex_simd, .name = "punpckhwd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_6a[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHDQ, .exec = ex_simd, .name = "punpckhdq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHDQ, .exec = ex_simd, .name = "punpckhdq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_6b[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PACKSSDW, .exec = ex_simd, .name = "packssdw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PACKSSDW, .exec = ex_simd, .name = "packssdw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_6c[4] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKLQDQ, .exec = ex_simd, .name = "punpcklqdq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_6d[4] = {
	[0x00] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PUNPCKHQDQ, .exec = ex_simd, .name = "punpckhqdq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_70[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSHUFW, .exec = ex_simd, .name = "pshufw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSHUFD, .exec = ex_simd, .name = "pshufd" },
	[0x02] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSHUFHW, .exec = ex_simd, .name = "pshufhw" },
	[0x03] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSHUFLW, .exec = ex_simd, .name = "pshuflw" },
};

static const struct opdesc pfx_74[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPEQB, .exec = ex_simd, .name = "pcmpeqb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPEQB, .exec = ex_simd, .name = "pcmpeqb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_75[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPEQW, .exec = ex_simd, .name = "pcmpeqw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPEQW, .exec = ex_simd, .name = "pcmpeqw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_76[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPEQD, .exec = ex_simd, .name = "pcmpeqd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PCMPEQD, .exec = ex_simd, .name = "pcmpeqd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_54[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAND, .exec = ex_simd, .name = "andps" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAND, .exec = ex_simd, .name = "andpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_55[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PANDN, .exec = ex_simd, .name = "andnps" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PANDN, .exec = ex_simd, .name = "andnpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_56[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_POR, .exec = ex_simd, .name = "orps" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_POR, .exec = ex_simd, .name = "orpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_57[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PXOR, .exec = ex_simd, .name = "xorps" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PXOR, .exec = ex_simd, .name = "xorpd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_c6[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_SHUFPS, .exec = ex_simd, .name = "shufps" },
	[0x01] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d1[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLW, .exec = ex_simd, .name = "psrlw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLW, .exec = ex_simd, .name = "psrlw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d2[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLD, .exec = ex_simd, .name = "psrld" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLD, .exec = ex_simd, .name = "psrld" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d3[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLQ, .exec = ex_simd, .name = "psrlq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLQ, .exec = ex_simd, .name = "psrlq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d4[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDQ, .exec = ex_simd, .name = "paddq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDQ, .exec = ex_simd, .name = "paddq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d5[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMULLW, .exec = ex_simd, .name = "pmullw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMULLW, .exec = ex_simd, .name = "pmullw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d7[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMOVMSKB, .exec = ex_pmovmskb, .name = "pmovmskb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMOVMSKB, .exec = ex_pmovmskb, .name = "pmovmskb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d8[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBUSB, .exec = ex_simd, .name = "psubusb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBUSB, .exec = ex_simd, .name = "psubusb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_d9[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBUSW, .exec = ex_simd, .name = "psubusw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBUSW, .exec = ex_simd, .name = "psubusw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_da[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMINUB, .exec = ex_simd, .name = "pminub" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMINUB, .exec = ex_simd, .name = "pminub" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_db[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAND, .exec = ex_simd, .name = "pand" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAND, .exec = ex_simd, .name = "pand" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_dc[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDUSB, .exec = ex_simd, .name = "paddusb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDUSB, .exec = ex_simd, .name = "paddusb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_dd[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDUSW, .exec = ex_simd, .name = "paddusw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDUSW, .exec = ex_simd, .name = "paddusw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_de[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMAXUB, .exec = ex_simd, .name = "pmaxub" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMAXUB, .exec = ex_simd, .name = "pmaxub" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_df[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PANDN, .exec = ex_simd, .name = "pandn" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PANDN, .exec = ex_simd, .name = "pandn" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e0[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAVGB, .exec = ex_simd, .name = "pavgb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAVGB, .exec = ex_simd, .name = "pavgb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e1[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRAW, .exec = ex_simd, .name = "psraw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRAW, .exec = ex_simd, .name = "psraw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e2[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRAD, .exec = ex_simd, .name = "psrad" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRAD, .exec = ex_simd, .name = "psrad" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e3[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAVGW, .exec = ex_simd, .name = "pavgw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PAVGW, .exec = ex_simd, .name = "pavgw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e8[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBSB, .exec = ex_simd, .name = "psubsb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBSB, .exec = ex_simd, .name = "psubsb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_e9[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBSW, .exec = ex_simd, .name = "psubsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBSW, .exec = ex_simd, .name = "psubsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_ea[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMINSW, .exec = ex_simd, .name = "pminsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMINSW, .exec = ex_simd, .name = "pminsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_eb[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_POR, .exec = ex_simd, .name = "por" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_POR, .exec = ex_simd, .name = "por" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_ec[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDSB, .exec = ex_simd, .name = "paddsb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDSB, .exec = ex_simd, .name = "paddsb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_ed[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDSW, .exec = ex_simd, .name = "paddsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDSW, .exec = ex_simd, .name = "paddsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_ee[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMAXSW, .exec = ex_simd, .name = "pmaxsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMAXSW, .exec = ex_simd, .name = "pmaxsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_ef[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PXOR, .exec = ex_simd, .name = "pxor" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PXOR, .exec = ex_simd, .name = "pxor" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f1[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLW, .exec = ex_simd, .name = "psllw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLW, .exec = ex_simd, .name = "psllw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f2[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLD, .exec = ex_simd, .name = "pslld" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLD, .exec = ex_simd, .name = "pslld" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f3[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLQ, .exec = ex_simd, .name = "psllq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLQ, .exec = ex_simd, .name = "psllq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f4[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMULUDQ, .exec = ex_simd, .name = "pmuludq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMULUDQ, .exec = ex_simd, .name = "pmuludq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f5[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMADDWD, .exec = ex_simd, .name = "pmaddwd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMADDWD, .exec = ex_simd, .name = "pmaddwd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f6[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSADBW, .exec = ex_simd, .name = "psadbw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSADBW, .exec = ex_simd, .name = "psadbw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f8[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBB, .exec = ex_simd, .name = "psubb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBB, .exec = ex_simd, .name = "psubb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_f9[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBW, .exec = ex_simd, .name = "psubw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBW, .exec = ex_simd, .name = "psubw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_fa[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBD, .exec = ex_simd, .name = "psubd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBD, .exec = ex_simd, .name = "psubd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_fb[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBQ, .exec = ex_simd, .name = "psubq" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSUBQ, .exec = ex_simd, .name = "psubq" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_fc[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDB, .exec = ex_simd, .name = "paddb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDB, .exec = ex_simd, .name = "paddb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_fd[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDW, .exec = ex_simd, .name = "paddw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDW, .exec = ex_simd, .name = "paddw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx_fe[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDD, .exec = ex_simd, .name = "paddd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PADDD, .exec = ex_simd, .name = "paddd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_00[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSHUFB, .exec = ex_simd, .name = "pshufb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSHUFB, .exec = ex_simd, .name = "pshufb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_01[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PHADDW, .exec = ex_simd, .name = "phaddw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PHADDW, .exec = ex_simd, .name = "phaddw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_02[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PHADDD, .exec = ex_simd, .name = "phaddd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PHADDD, .exec = ex_simd, .name = "phaddd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_04[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMADDUBSW, .exec = ex_simd, .name = "pmaddubsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMADDUBSW, .exec = ex_simd, .name = "pmaddubsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_0b[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMULHRSW, .exec = ex_simd, .name = "pmulhrsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PMULHRSW, .exec = ex_simd, .name = "pmulhrsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_1c[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PABSB, .exec = ex_simd, .name = "pabsb" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PABSB, .exec = ex_simd, .name = "pabsb" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_1d[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PABSW, .exec = ex_simd, .name = "pabsw" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PABSW, .exec = ex_simd, .name = "pabsw" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx38_1e[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PABSD, .exec = ex_simd, .name = "pabsd" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PABSD, .exec = ex_simd, .name = "pabsd" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc pfx3a_0f[4] = {
	[0x00] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PALIGNR, .exec = ex_simd, .name = "palignr" },
	[0x01] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PALIGNR, .exec = ex_simd, .name = "palignr" },
	[0x02] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
	[0x03] = { .flags = 0, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = NULL },
};

static const struct opdesc grp12[8] = {
	[0x00] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp12 (reserved)" },
	[0x01] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp12 (reserved)" },
	[0x02] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLI_W, .exec = ex_simd_shift_imm, .name = "psrlw" },
	[0x03] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp12 (reserved)" },
	[0x04] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRAI_W, .exec = ex_simd_shift_imm, .name = "psraw" },
	[0x05] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp12 (reserved)" },
	[0x06] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLI_W, .exec = ex_simd_shift_imm, .name = "psllw" },
	[0x07] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp12 (reserved)" },
};

static const struct opdesc grp13[8] = {
	[0x00] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp13 (reserved)" },
	[0x01] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp13 (reserved)" },
	[0x02] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLI_D, .exec = ex_simd_shift_imm, .name = "psrld" },
	[0x03] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp13 (reserved)" },
	[0x04] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRAI_D, .exec = ex_simd_shift_imm, .name = "psrad" },
	[0x05] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp13 (reserved)" },
	[0x06] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLI_D, .exec = ex_simd_shift_imm, .name = "pslld" },
	[0x07] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp13 (reserved)" },
};

static const struct opdesc grp14[8] = {
	[0x00] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp14 (reserved)" },
	[0x01] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp14 (reserved)" },
	[0x02] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLI_Q, .exec = ex_simd_shift_imm, .name = "psrlq" },
	[0x03] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSRLDQ, .exec = ex_simd_shift_imm, .name = "psrldq" },
	[0x04] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp14 (reserved)" },
	[0x05] = { .flags = F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "grp14 (reserved)" },
	[0x06] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLI_Q, .exec = ex_simd_shift_imm, .name = "psllq" },
	[0x07] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = S_PSLLDQ, .exec = ex_simd_shift_imm, .name = "pslldq" },
};

const struct opdesc op_table_1b[256] = {
	[0x00] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x01] = { .flags = F_MODRM | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x02] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x03] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x04] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x05] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_alu, .name = "add" },
	[0x06] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_ES, .exec = ex_push_sreg, .name = "push es" },
	[0x07] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_ES, .exec = ex_pop_sreg, .name = "pop es" },
	[0x08] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x09] = { .flags = F_MODRM | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x0a] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x0b] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x0c] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x0d] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 1, .exec = ex_alu, .name = "or" },
	[0x0e] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_CS, .exec = ex_push_sreg, .name = "push cs" },
	[0x10] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x11] = { .flags = F_MODRM | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x12] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x13] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x14] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x15] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 2, .exec = ex_alu, .name = "adc" },
	[0x16] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_SS, .exec = ex_push_sreg, .name = "push ss" },
	[0x17] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_SS, .exec = ex_pop_sreg, .name = "pop ss" },
	[0x18] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x19] = { .flags = F_MODRM | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x1a] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x1b] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x1c] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x1d] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 3, .exec = ex_alu, .name = "sbb" },
	[0x1e] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_DS, .exec = ex_push_sreg, .name = "push ds" },
	[0x1f] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_DS, .exec = ex_pop_sreg, .name = "pop ds" },
	[0x20] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x21] = { .flags = F_MODRM | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x22] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x23] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x24] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x25] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 4, .exec = ex_alu, .name = "and" },
	[0x27] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bcd, .name = "daa" },
	[0x28] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x29] = { .flags = F_MODRM | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x2a] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x2b] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x2c] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x2d] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 5, .exec = ex_alu, .name = "sub" },
	[0x2f] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bcd, .name = "das" },
	[0x30] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x31] = { .flags = F_MODRM | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x32] = { .flags = F_MODRM | F_BYTE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x33] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x34] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x35] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 6, .exec = ex_alu, .name = "xor" },
	[0x37] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bcd, .name = "aaa" },
	[0x38] = { .flags = F_MODRM | F_BYTE | F_NONPT | F_NOWRITE | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
	[0x39] = { .flags = F_MODRM | F_NONPT | F_NOWRITE | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
	[0x3a] = { .flags = F_MODRM | F_BYTE | F_NOWRITE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
	[0x3b] = { .flags = F_MODRM | F_NOWRITE | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
	[0x3c] = { .flags = F_BYTE | F_NOWRITE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
	[0x3d] = { .flags = 0 | F_NOWRITE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 7, .exec = ex_alu, .name = "cmp" },
	[0x3f] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bcd, .name = "aas" },
	[0x40] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x41] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x42] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x43] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x44] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x45] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x46] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x47] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_incdec, .name = "inc" },
	[0x48] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x49] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x4a] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x4b] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x4c] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x4d] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x4e] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x4f] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_incdec, .name = "dec" },
	[0x50] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x51] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x52] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x53] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x54] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x55] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x56] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x57] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x58] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x59] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x5a] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x5b] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x5c] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x5d] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x5e] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x5f] = { .flags = F_STACK | F_MOV | F_NONPT | F_IMPLEMENTED, .dst = K_OREG, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pop, .name = "pop" },
	[0x60] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pusha, .name = "pusha" },
	[0x61] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_popa, .name = "popa" },
	[0x63] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_ED, .src2 = K_NONE, .aux = 0, .exec = ex_movsxd, .name = "movsxd" },
	[0x68] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x69] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_IMM, .aux = 0, .exec = ex_imul2, .name = "imul" },
	[0x6a] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_push, .name = "push" },
	[0x6b] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_IMMB, .aux = 0, .exec = ex_imul2, .name = "imul" },
	[0x6c] = { .flags = F_BYTE | F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 5, .exec = ex_string, .name = "insb" },
	[0x6d] = { .flags = F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 5, .exec = ex_string, .name = "ins" },
	[0x6e] = { .flags = F_BYTE | F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_string, .name = "outsb" },
	[0x6f] = { .flags = F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 6, .exec = ex_string, .name = "outs" },
	[0x70] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x71] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x72] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x73] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x74] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x75] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x76] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x77] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x78] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x79] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x7a] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x7b] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x7c] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x7d] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x7e] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x7f] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x80] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_IMM, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp1, .name = "grp1" },
	[0x81] = { .flags = F_MODRM, .dst = K_E, .src = K_IMM, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp1, .name = "grp1" },
	[0x82] = { .flags = F_MODRM | F_BYTE | F_NO64, .dst = K_E, .src = K_IMM, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp1, .name = "grp1" },
	[0x83] = { .flags = F_MODRM, .dst = K_E, .src = K_IMMB, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp1, .name = "grp1" },
	[0x84] = { .flags = F_MODRM | F_BYTE | F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_test, .name = "test" },
	[0x85] = { .flags = F_MODRM | F_NOWRITE | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_test, .name = "test" },
	[0x86] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_xchg, .name = "xchg" },
	[0x87] = { .flags = F_MODRM | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_xchg, .name = "xchg" },
	[0x88] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0x89] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0x8a] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0x8b] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0x8c] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_mov_from_sreg, .name = "mov sreg" },
	[0x8d] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_lea, .name = "lea" },
	[0x8e] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_EW, .src2 = K_NONE, .aux = 0, .exec = ex_mov_to_sreg, .name = "mov sreg" },
	[0x8f] = { .flags = F_MODRM, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp1a, .name = "pop" },
	[0x90] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop90, .name = "nop" },
	[0x91] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x92] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x93] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x94] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x95] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x96] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x97] = { .flags = 0 | F_IMPLEMENTED, .dst = K_ACC, .src = K_OREG, .src2 = K_NONE, .aux = 0, .exec = ex_xchg_acc, .name = "xchg" },
	[0x98] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_cbw, .name = "cbw" },
	[0x99] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_cwd, .name = "cwd" },
	[0x9a] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_IMM16, .aux = 0, .exec = ex_call_far, .name = "call far" },
	[0x9b] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "wait" },
	[0x9c] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_pushf, .name = "pushf" },
	[0x9d] = { .flags = F_STACK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_popf, .name = "popf" },
	[0x9e] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_sahf, .name = "sahf" },
	[0x9f] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_lahf, .name = "lahf" },
	[0xa0] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_ACC, .src = K_MOFFS, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xa1] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_ACC, .src = K_MOFFS, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xa2] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_MOFFS, .src = K_ACC, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xa3] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_MOFFS, .src = K_ACC, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xa4] = { .flags = F_BYTE | F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_string, .name = "movsb" },
	[0xa5] = { .flags = F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_string, .name = "movs" },
	[0xa6] = { .flags = F_BYTE | F_STRING | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_string, .name = "cmpsb" },
	[0xa7] = { .flags = F_STRING | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 1, .exec = ex_string, .name = "cmps" },
	[0xa8] = { .flags = F_BYTE | F_NOWRITE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_test, .name = "test" },
	[0xa9] = { .flags = F_NOWRITE | F_IMPLEMENTED, .dst = K_ACC, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_test, .name = "test" },
	[0xaa] = { .flags = F_BYTE | F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_string, .name = "stosb" },
	[0xab] = { .flags = F_STRING | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 2, .exec = ex_string, .name = "stos" },
	[0xac] = { .flags = F_BYTE | F_STRING | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_string, .name = "lodsb" },
	[0xad] = { .flags = F_STRING | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 3, .exec = ex_string, .name = "lods" },
	[0xae] = { .flags = F_BYTE | F_STRING | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_string, .name = "scasb" },
	[0xaf] = { .flags = F_STRING | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 4, .exec = ex_string, .name = "scas" },
	[0xb0] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb1] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb2] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb3] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb4] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb5] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb6] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb7] = { .flags = F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb8] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xb9] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xba] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xbb] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xbc] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xbd] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xbe] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xbf] = { .flags = F_MOV | F_IMPLEMENTED, .dst = K_OREG, .src = K_IMMV, .src2 = K_NONE, .aux = 0, .exec = ex_mov, .name = "mov" },
	[0xc0] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp2, .name = "grp2" },
	[0xc1] = { .flags = F_MODRM, .dst = K_E, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp2, .name = "grp2" },
	[0xc2] = { .flags = F_OP64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM16, .src2 = K_NONE, .aux = 0, .exec = ex_ret, .name = "ret" },
	[0xc3] = { .flags = F_OP64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ret, .name = "ret" },
	[0xc4] = { .flags = F_MODRM | F_NO64 | F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_ES, .exec = ex_lseg, .name = "les" },
	[0xc5] = { .flags = F_MODRM | F_NO64 | F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_DS, .exec = ex_lseg, .name = "lds" },
	[0xc6] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_IMM, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp11b, .name = "mov" },
	[0xc7] = { .flags = F_MODRM, .dst = K_E, .src = K_IMM, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp11b, .name = "mov" },
	[0xc8] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM16, .src2 = K_IMM8, .aux = 0, .exec = ex_enter, .name = "enter" },
	[0xc9] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_leave, .name = "leave" },
	[0xca] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM16, .src2 = K_NONE, .aux = 0, .exec = ex_retf, .name = "retf" },
	[0xcb] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_retf, .name = "retf" },
	[0xcc] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_int, .name = "int3" },
	[0xcd] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_int, .name = "int" },
	[0xce] = { .flags = F_NO64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_int, .name = "into" },
	[0xcf] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_iret, .name = "iret" },
	[0xd0] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_ONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp2, .name = "grp2" },
	[0xd1] = { .flags = F_MODRM, .dst = K_E, .src = K_ONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp2, .name = "grp2" },
	[0xd2] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_CL, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp2, .name = "grp2" },
	[0xd3] = { .flags = F_MODRM, .dst = K_E, .src = K_CL, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp2, .name = "grp2" },
	[0xd4] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_bcd, .name = "aam" },
	[0xd5] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_bcd, .name = "aad" },
	[0xd7] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_xlat, .name = "xlat" },
	[0xd8] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xd9] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xda] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xdb] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xdc] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xdd] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xde] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xdf] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = NULL, .name = "x87" },
	[0xe0] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_loop, .name = "loopne" },
	[0xe1] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_loop, .name = "loope" },
	[0xe2] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_loop, .name = "loop" },
	[0xe3] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_loop, .name = "jcxz" },
	[0xe4] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_in, .name = "in" },
	[0xe5] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_in, .name = "in" },
	[0xe6] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_out, .name = "out" },
	[0xe7] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .aux = 0, .exec = ex_out, .name = "out" },
	[0xe8] = { .flags = F_OP64 | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_call_rel, .name = "call" },
	[0xe9] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jmp_rel, .name = "jmp" },
	[0xea] = { .flags = F_NO64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_IMM16, .aux = 0, .exec = ex_jmp_far, .name = "jmp far" },
	[0xeb] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMMB, .src2 = K_NONE, .aux = 0, .exec = ex_jmp_rel, .name = "jmp" },
	[0xec] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_NONE, .src = K_DX, .src2 = K_NONE, .aux = 0, .exec = ex_in, .name = "in" },
	[0xed] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_DX, .src2 = K_NONE, .aux = 0, .exec = ex_in, .name = "in" },
	[0xee] = { .flags = F_BYTE | F_IMPLEMENTED, .dst = K_NONE, .src = K_DX, .src2 = K_NONE, .aux = 0, .exec = ex_out, .name = "out" },
	[0xef] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_DX, .src2 = K_NONE, .aux = 0, .exec = ex_out, .name = "out" },
	[0xf1] = { .flags = F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_int, .name = "int1" },
	[0xf4] = { .flags = F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_hlt, .name = "hlt" },
	[0xf5] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "cmc" },
	[0xf6] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp3, .name = "grp3" },
	[0xf7] = { .flags = F_MODRM, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp3, .name = "grp3" },
	[0xf8] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "clc" },
	[0xf9] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "stc" },
	[0xfa] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "cli" },
	[0xfb] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "sti" },
	[0xfc] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "cld" },
	[0xfd] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_flagop, .name = "std" },
	[0xfe] = { .flags = F_MODRM | F_BYTE, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp4, .name = "grp4" },
	[0xff] = { .flags = F_MODRM, .dst = K_NONE, .kind = OPD_GROUP, .sub = grp5, .name = "grp5" },
};

const struct opdesc op_table_0f[256] = {
	[0x00] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp6, .name = "grp6" },
	[0x01] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_MODSPLIT, .sub = grp7, .name = "grp7" },
	[0x02] = { .flags = F_MODRM | F_MOV | F_NOWRITE | F_IMPLEMENTED, .dst = K_G, .src = K_EW, .src2 = K_NONE, .aux = 0, .exec = ex_lar_lsl, .name = "lar" },
	[0x03] = { .flags = F_MODRM | F_MOV | F_NOWRITE | F_IMPLEMENTED, .dst = K_G, .src = K_EW, .src2 = K_NONE, .aux = 1, .exec = ex_lar_lsl, .name = "lsl" },
	[0x06] = { .flags = F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_clts, .name = "clts" },
	[0x08] = { .flags = F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_wbinvd, .name = "invd" },
	[0x09] = { .flags = F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_wbinvd, .name = "wbinvd" },
	[0x0b] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "ud2" },
	[0x0d] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "prefetch" },
	[0x10] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_10, .name = "movups" },
	[0x11] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_11, .name = "movups" },
	[0x12] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_12, .name = "movlps" },
	[0x13] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_13, .name = "movlps" },
	[0x16] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_16, .name = "movhps" },
	[0x17] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_17, .name = "movhps" },
	[0x18] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x19] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x1a] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x1b] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x1c] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x1d] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x1e] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x1f] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_nop, .name = "nop" },
	[0x20] = { .flags = F_MODRM | F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_mov_cr, .name = "mov cr" },
	[0x21] = { .flags = F_MODRM | F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_mov_dr, .name = "mov dr" },
	[0x22] = { .flags = F_MODRM | F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_mov_cr, .name = "mov cr" },
	[0x23] = { .flags = F_MODRM | F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_mov_dr, .name = "mov dr" },
	[0x28] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_28, .name = "movaps" },
	[0x29] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_29, .name = "movaps" },
	[0x2b] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_2b, .name = "movntps" },
	[0x30] = { .flags = F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_wrmsr, .name = "wrmsr" },
	[0x31] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_rdtsc, .name = "rdtsc" },
	[0x32] = { .flags = F_PRIV | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_rdmsr, .name = "rdmsr" },
	[0x40] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x41] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x42] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x43] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x44] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x45] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x46] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x47] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x48] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x49] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x4a] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x4b] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x4c] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x4d] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x4e] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x4f] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_cmov, .name = "cmovcc" },
	[0x54] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_54, .name = "andps" },
	[0x55] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_55, .name = "andnps" },
	[0x56] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_56, .name = "orps" },
	[0x57] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_57, .name = "xorps" },
	[0x60] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_60, .name = "punpcklbw" },
	[0x61] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_61, .name = "punpcklwd" },
	[0x62] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_62, .name = "punpckldq" },
	[0x63] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_63, .name = "packsswb" },
	[0x64] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_64, .name = "pcmpgtb" },
	[0x65] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_65, .name = "pcmpgtw" },
	[0x66] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_66, .name = "pcmpgtd" },
	[0x67] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_67, .name = "packuswb" },
	[0x68] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_68, .name = "punpckhbw" },
	[0x69] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_69, .name = "punpckhwd" },
	[0x6a] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_6a, .name = "punpckhdq" },
	[0x6b] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_6b, .name = "packssdw" },
	[0x6c] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_6c, .name = "punpcklqdq" },
	[0x6d] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_6d, .name = "punpckhqdq" },
	[0x6e] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_6e, .name = "movd" },
	[0x6f] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_6f, .name = "movq" },
	[0x70] = { .flags = F_MODRM, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_70, .name = "pshufw" },
	[0x71] = { .flags = F_MODRM, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp12, .name = "grp12" },
	[0x72] = { .flags = F_MODRM, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp13, .name = "grp13" },
	[0x73] = { .flags = F_MODRM, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp14, .name = "grp14" },
	[0x74] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_74, .name = "pcmpeqb" },
	[0x75] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_75, .name = "pcmpeqw" },
	[0x76] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_76, .name = "pcmpeqd" },
	[0x7e] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_7e, .name = "movd" },
	[0x7f] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_7f, .name = "movq" },
	[0x80] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x81] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x82] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x83] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x84] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x85] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x86] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x87] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x88] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x89] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x8a] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x8b] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x8c] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x8d] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x8e] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x8f] = { .flags = F_OP64 | F_IMPLEMENTED, .dst = K_NONE, .src = K_IMM, .src2 = K_NONE, .aux = 0, .exec = ex_jcc, .name = "jcc" },
	[0x90] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x91] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x92] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x93] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x94] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x95] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x96] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x97] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x98] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x99] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x9a] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x9b] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x9c] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x9d] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x9e] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0x9f] = { .flags = F_MODRM | F_BYTE | F_MOV | F_IMPLEMENTED, .dst = K_E, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_setcc, .name = "setcc" },
	[0xa0] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_FS, .exec = ex_push_sreg, .name = "push fs" },
	[0xa1] = { .flags = F_STACK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_FS, .exec = ex_pop_sreg, .name = "pop fs" },
	[0xa2] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_cpuid, .name = "cpuid" },
	[0xa3] = { .flags = F_MODRM | F_NOWRITE | F_BITOFF | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_bt, .name = "bt" },
	[0xa4] = { .flags = F_MODRM | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_IMM8, .aux = 0, .exec = ex_shxd, .name = "shld" },
	[0xa5] = { .flags = F_MODRM | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_CL, .aux = 0, .exec = ex_shxd, .name = "shld" },
	[0xa8] = { .flags = F_STACK | F_NONPT | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_GS, .exec = ex_push_sreg, .name = "push gs" },
	[0xa9] = { .flags = F_STACK | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_GS, .exec = ex_pop_sreg, .name = "pop gs" },
	[0xab] = { .flags = F_MODRM | F_LOCK | F_BITOFF | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 1, .exec = ex_bt, .name = "bts" },
	[0xac] = { .flags = F_MODRM | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_IMM8, .aux = 1, .exec = ex_shxd, .name = "shrd" },
	[0xad] = { .flags = F_MODRM | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_CL, .aux = 1, .exec = ex_shxd, .name = "shrd" },
	[0xae] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_MODSPLIT, .sub = grp15, .name = "grp15" },
	[0xaf] = { .flags = F_MODRM | F_NONPT | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_imul2, .name = "imul" },
	[0xb0] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_cmpxchg, .name = "cmpxchg" },
	[0xb1] = { .flags = F_MODRM | F_LOCK | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_cmpxchg, .name = "cmpxchg" },
	[0xb2] = { .flags = F_MODRM | F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_SS, .exec = ex_lseg, .name = "lss" },
	[0xb3] = { .flags = F_MODRM | F_LOCK | F_BITOFF | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 2, .exec = ex_bt, .name = "btr" },
	[0xb4] = { .flags = F_MODRM | F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_FS, .exec = ex_lseg, .name = "lfs" },
	[0xb5] = { .flags = F_MODRM | F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = X86EMU_GS, .exec = ex_lseg, .name = "lgs" },
	[0xb6] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_EB, .src2 = K_NONE, .aux = 0, .exec = ex_movzx, .name = "movzx" },
	[0xb7] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_EW, .src2 = K_NONE, .aux = 0, .exec = ex_movzx, .name = "movzx" },
	[0xb8] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_popcnt, .name = "popcnt" },
	[0xb9] = { .flags = F_MODRM | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_ud, .name = "ud1" },
	[0xba] = { .flags = F_MODRM, .dst = K_E, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp8, .name = "grp8" },
	[0xbb] = { .flags = F_MODRM | F_LOCK | F_BITOFF | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 3, .exec = ex_bt, .name = "btc" },
	[0xbc] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 0, .exec = ex_bsf, .name = "bsf" },
	[0xbd] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_E, .src2 = K_NONE, .aux = 1, .exec = ex_bsf, .name = "bsr" },
	[0xbe] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_EB, .src2 = K_NONE, .aux = 0, .exec = ex_movsx, .name = "movsx" },
	[0xbf] = { .flags = F_MODRM | F_MOV | F_IMPLEMENTED, .dst = K_G, .src = K_EW, .src2 = K_NONE, .aux = 0, .exec = ex_movsx, .name = "movsx" },
	[0xc0] = { .flags = F_MODRM | F_BYTE | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_xadd, .name = "xadd" },
	[0xc1] = { .flags = F_MODRM | F_LOCK | F_NONPT | F_IMPLEMENTED, .dst = K_E, .src = K_G, .src2 = K_NONE, .aux = 0, .exec = ex_xadd, .name = "xadd" },
	[0xc3] = { .flags = F_MODRM | F_MEMONLY | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_movnti, .name = "movnti" },
	[0xc6] = { .flags = F_MODRM, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_c6, .name = "shufps" },
	[0xc7] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_GROUP, .sub = grp9, .name = "grp9" },
	[0xc8] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xc9] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xca] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xcb] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xcc] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xcd] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xce] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xcf] = { .flags = 0 | F_IMPLEMENTED, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .aux = 0, .exec = ex_bswap, .name = "bswap" },
	[0xd1] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d1, .name = "psrlw" },
	[0xd2] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d2, .name = "psrld" },
	[0xd3] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d3, .name = "psrlq" },
	[0xd4] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d4, .name = "paddq" },
	[0xd5] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d5, .name = "pmullw" },
	[0xd6] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d6, .name = "movq" },
	[0xd7] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d7, .name = "pmovmskb" },
	[0xd8] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d8, .name = "psubusb" },
	[0xd9] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_d9, .name = "psubusw" },
	[0xda] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_da, .name = "pminub" },
	[0xdb] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_db, .name = "pand" },
	[0xdc] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_dc, .name = "paddusb" },
	[0xdd] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_dd, .name = "paddusw" },
	[0xde] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_de, .name = "pmaxub" },
	[0xdf] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_df, .name = "pandn" },
	[0xe0] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e0, .name = "pavgb" },
	[0xe1] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e1, .name = "psraw" },
	[0xe2] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e2, .name = "psrad" },
	[0xe3] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e3, .name = "pavgw" },
	[0xe7] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e7, .name = "movntq" },
	[0xe8] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e8, .name = "psubsb" },
	[0xe9] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_e9, .name = "psubsw" },
	[0xea] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_ea, .name = "pminsw" },
	[0xeb] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_eb, .name = "por" },
	[0xec] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_ec, .name = "paddsb" },
	[0xed] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_ed, .name = "paddsw" },
	[0xee] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_ee, .name = "pmaxsw" },
	[0xef] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_ef, .name = "pxor" },
	[0xf1] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f1, .name = "psllw" },
	[0xf2] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f2, .name = "pslld" },
	[0xf3] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f3, .name = "psllq" },
	[0xf4] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f4, .name = "pmuludq" },
	[0xf5] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f5, .name = "pmaddwd" },
	[0xf6] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f6, .name = "psadbw" },
	[0xf8] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f8, .name = "psubb" },
	[0xf9] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_f9, .name = "psubw" },
	[0xfa] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_fa, .name = "psubd" },
	[0xfb] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_fb, .name = "psubq" },
	[0xfc] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_fc, .name = "paddb" },
	[0xfd] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_fd, .name = "paddw" },
	[0xfe] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx_fe, .name = "paddd" },
};

const struct opdesc op_table_0f38[256] = {
	[0x00] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_00, .name = "pshufb" },
	[0x01] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_01, .name = "phaddw" },
	[0x02] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_02, .name = "phaddd" },
	[0x04] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_04, .name = "pmaddubsw" },
	[0x0b] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_0b, .name = "pmulhrsw" },
	[0x1c] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_1c, .name = "pabsb" },
	[0x1d] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_1d, .name = "pabsw" },
	[0x1e] = { .flags = F_MODRM, .dst = K_NONE, .src = K_NONE, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx38_1e, .name = "pabsd" },
};

const struct opdesc op_table_0f3a[256] = {
	[0x0f] = { .flags = F_MODRM, .dst = K_NONE, .src = K_IMM8, .src2 = K_NONE, .kind = OPD_PREFIX, .sub = pfx3a_0f, .name = "palignr" },
};

const char *tables_name(unsigned map, unsigned op)
{
	static const struct opdesc *const maps[X86EMU_NR_MAPS] = {op_table_1b, op_table_0f, op_table_0f38, op_table_0f3a};
	if (map >= X86EMU_NR_MAPS || op > 255)
		return NULL;
	return maps[map][op].name;
}
