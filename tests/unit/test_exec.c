/* test_exec.c — unit tests for the interpreter (vmm/cpu/exec.c) on a hand-built machine: every
 * integer instruction class (RV64I incl. W forms, M, A, Zba, Zbb, RVC), loads and stores
 * (misaligned, page-crossing, MMIO), LR/SC, branches and link values, exact instruction counts
 * (hart_run(h, N) retires exactly N; the result does not depend on how the run is sliced or on
 * what the code cache holds), self-modifying code and fence.i. Expected values are worked out
 * by hand from the RISC-V unprivileged spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hart_fixture.h"

static int setup(void **state)
{
    *state = machine_new();
    return 0;
}

static struct hart *second_hart; /* freed here so that a failing assertion does not leak it */

static int teardown(void **state)
{
    machine_free(*state);
    free(second_hart);
    second_hart = NULL;
    return 0;
}

/* ------------------------------------------------------------------ one-instruction cases */

/* Execute `insn` (rd = x7, rs1 = x5, rs2 = x6) alone at a fresh address; return x7. */
static uint64_t op1(struct machine *m, uint32_t insn, uint64_t a, uint64_t b)
{
    uint64_t pc = emit(m, insn);
    m->h.pc = pc;
    m->h.x[5] = a;
    m->h.x[6] = b;
    m->h.x[7] = 0x5555555555555555ull;
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, pc + 4);
    return m->h.x[7];
}

struct alu_case {
    uint32_t insn;
    uint64_t a, b, want;
    const char *text;
};

static void check_alu(struct machine *m, const struct alu_case *c, size_t n)
{
    org(m, RAM_BASE + 0x10000);
    for (size_t i = 0; i < n; i++) {
        uint64_t got = op1(m, c[i].insn, c[i].a, c[i].b);
        if (got != c[i].want)
            fail_msg("%s: a=0x%llx b=0x%llx -> 0x%llx, expected 0x%llx", c[i].text,
                     (unsigned long long)c[i].a, (unsigned long long)c[i].b,
                     (unsigned long long)got, (unsigned long long)c[i].want);
    }
}
#define CHECK_ALU(m, table) check_alu(m, table, sizeof(table) / sizeof(table[0]))

static const uint64_t ONES = 0xffffffffffffffffull;
static const uint64_t MIN64 = 0x8000000000000000ull;

static void test_rv64i_register_ops(void **state)
{
    const struct alu_case c[] = {
        { ADD(7, 5, 6), 0x7fffffffffffffff, 1, MIN64, "add overflow wraps" },
        { ADD(7, 5, 6), ONES, 2, 1, "add carry out dropped" },
        { SUB(7, 5, 6), 0, 1, ONES, "sub borrow" },
        { SUB(7, 5, 6), MIN64, 1, 0x7fffffffffffffff, "sub" },
        { SLL(7, 5, 6), 1, 63, MIN64, "sll 63" },
        { SLL(7, 5, 6), 1, 64, 1, "sll uses rs2[5:0] (64 -> 0)" },
        { SLL(7, 5, 6), 3, 0x41, 6, "sll 65 -> 1" },
        { SLT(7, 5, 6), ONES, 0, 1, "slt -1 < 0" },
        { SLT(7, 5, 6), 0, ONES, 0, "slt 0 < -1" },
        { SLT(7, 5, 6), 5, 5, 0, "slt equal" },
        { SLTU(7, 5, 6), ONES, 0, 0, "sltu max < 0" },
        { SLTU(7, 5, 6), 0, ONES, 1, "sltu 0 < max" },
        { XOR(7, 5, 6), 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0, "xor" },
        { SRL(7, 5, 6), MIN64, 63, 1, "srl 63" },
        { SRL(7, 5, 6), MIN64, 127, 1, "srl uses rs2[5:0] (127 -> 63)" },
        { SRL(7, 5, 6), 0xf0, 4, 0xf, "srl" },
        { SRA(7, 5, 6), MIN64, 63, ONES, "sra 63" },
        { SRA(7, 5, 6), MIN64, 1, 0xc000000000000000, "sra 1" },
        { SRA(7, 5, 6), 0x4000000000000000, 62, 1, "sra positive" },
        { SRA(7, 5, 6), MIN64, 64, MIN64, "sra 64 -> 0" },
        { OR(7, 5, 6), 0xf0, 0x0f, 0xff, "or" },
        { AND(7, 5, 6), 0xff00, 0x0ff0, 0x0f00, "and" },
    };
    CHECK_ALU(*state, c);
}

static void test_rv64i_immediate_ops(void **state)
{
    const struct alu_case c[] = {
        { ADDI(7, 5, -2048), 0, 0, 0xfffffffffffff800, "addi -2048" },
        { ADDI(7, 5, 2047), 1, 0, 0x800, "addi 2047" },
        { SLTI(7, 5, -4), (uint64_t)-5, 0, 1, "slti -5 < -4" },
        { SLTI(7, 5, -4), (uint64_t)-4, 0, 0, "slti -4 < -4" },
        { SLTIU(7, 5, -1), 5, 0, 1, "sltiu: imm sign-extended then unsigned" },
        { SLTIU(7, 5, -1), ONES, 0, 0, "sltiu max < max" },
        { SLTIU(7, 5, 1), 0, 0, 1, "sltiu (seqz)" },
        { XORI(7, 5, -1), 0x1234, 0, 0xffffffffffffedcb, "xori -1 (not)" },
        { ORI(7, 5, 0x7ff), MIN64, 0, 0x80000000000007ff, "ori" },
        { ORI(7, 5, -2048), 0, 0, 0xfffffffffffff800, "ori negative" },
        { ANDI(7, 5, -2048), ONES, 0, 0xfffffffffffff800, "andi negative" },
        { ANDI(7, 5, 0xff), 0x1234, 0, 0x34, "andi" },
        { SLLI(7, 5, 63), 1, 0, MIN64, "slli 63" },
        { SLLI(7, 5, 60), 0xff, 0, 0xf000000000000000, "slli 60" },
        { SRLI(7, 5, 63), MIN64, 0, 1, "srli 63" },
        { SRLI(7, 5, 32), ONES, 0, 0xffffffff, "srli 32" },
        { SRAI(7, 5, 63), MIN64, 0, ONES, "srai 63" },
        { SRAI(7, 5, 32), 0xffffffff00000000, 0, ONES, "srai 32 negative" },
        { SRAI(7, 5, 32), 0x7fffffff00000000, 0, 0x7fffffff, "srai 32 positive" },
        { SRAI(7, 5, 0), MIN64, 0, MIN64, "srai 0" },
    };
    CHECK_ALU(*state, c);
}

static void test_rv64i_word_ops(void **state)
{
    const struct alu_case c[] = {
        { ADDW(7, 5, 6), 0x7fffffff, 1, 0xffffffff80000000, "addw overflow sign-extends" },
        { ADDW(7, 5, 6), 0xffffffff00000001, 0xffffffff, 0, "addw ignores upper bits" },
        { SUBW(7, 5, 6), 0, 1, ONES, "subw" },
        { SUBW(7, 5, 6), 0x80000000, 1, 0x7fffffff, "subw" },
        { SLLW(7, 5, 6), 1, 31, 0xffffffff80000000, "sllw 31" },
        { SLLW(7, 5, 6), 1, 32, 1, "sllw uses rs2[4:0] (32 -> 0)" },
        { SLLW(7, 5, 6), 1, 33, 2, "sllw 33 -> 1" },
        { SRLW(7, 5, 6), 0xffffffff80000000, 31, 1, "srlw 31" },
        { SRLW(7, 5, 6), 0x80000000, 0, 0xffffffff80000000, "srlw 0 sign-extends bit 31" },
        { SRLW(7, 5, 6), 0xffffffff, 4, 0x0fffffff, "srlw" },
        { SRAW(7, 5, 6), 0x80000000, 31, ONES, "sraw 31" },
        { SRAW(7, 5, 6), 0x7fffffff00000000, 1, 0, "sraw ignores upper bits" },
        { SRAW(7, 5, 6), 0x80000000, 4, 0xfffffffff8000000, "sraw 4" },
        { SRAW(7, 5, 6), 0x80000000, 36, 0xfffffffff8000000, "sraw 36 -> 4" },
        { ADDIW(7, 5, 1), 0x7fffffff, 0, 0xffffffff80000000, "addiw overflow" },
        { ADDIW(7, 5, 1), 0xffffffff, 0, 0, "addiw wraps in 32 bits" },
        { ADDIW(7, 5, 0), 0x123456789, 0, 0x23456789, "sext.w positive" },
        { ADDIW(7, 5, 0), 0x80000000, 0, 0xffffffff80000000, "sext.w negative" },
        { ADDIW(7, 5, -2048), 0, 0, 0xfffffffffffff800, "addiw -2048" },
        { SLLIW(7, 5, 31), 1, 0, 0xffffffff80000000, "slliw 31" },
        { SLLIW(7, 5, 31), 3, 0, 0xffffffff80000000, "slliw drops bit 32" },
        { SRLIW(7, 5, 31), 0x80000000, 0, 1, "srliw 31" },
        { SRLIW(7, 5, 4), 0xffffffff00000010, 0, 1, "srliw ignores upper bits" },
        { SRLIW(7, 5, 0), 0x80000000, 0, 0xffffffff80000000, "srliw 0" },
        { SRAIW(7, 5, 31), 0x80000000, 0, ONES, "sraiw 31" },
        { SRAIW(7, 5, 4), 0x80000000, 0, 0xfffffffff8000000, "sraiw 4" },
        { SRAIW(7, 5, 1), 0xffffffff7fffffff, 0, 0x3fffffff, "sraiw positive word" },
    };
    CHECK_ALU(*state, c);
}

static void test_lui_auipc(void **state)
{
    struct machine *m = *state;
    org(m, RAM_BASE + 0x10000);
    assert_int_equal(op1(m, LUI(7, 0x80000), 0, 0), 0xffffffff80000000);
    assert_int_equal(op1(m, LUI(7, 0x12345), 0, 0), 0x12345000);
    assert_int_equal(op1(m, LUI(7, 0xfffff), 0, 0), 0xfffffffffffff000);
    uint64_t pc = m->at;
    assert_int_equal(op1(m, AUIPC(7, 1), 0, 0), pc + 0x1000);
    pc = m->at;
    /* 0x80000 << 12 sign-extends to -2^31: the result wraps around below the pc */
    assert_int_equal(op1(m, AUIPC(7, 0x80000), 0, 0), pc - 0x80000000ull);
    pc = m->at;
    assert_int_equal(op1(m, AUIPC(7, 0), 0, 0), pc);
}

static void test_m_extension(void **state)
{
    const uint64_t MIN32 = 0xffffffff80000000ull;
    const struct alu_case c[] = {
        { MUL(7, 5, 6), ONES, ONES, 1, "mul -1*-1" },
        { MUL(7, 5, 6), 0x100000000, 0x100000000, 0, "mul low bits" },
        { MUL(7, 5, 6), 0x123456789, 0x10, 0x1234567890, "mul" },
        { MULH(7, 5, 6), ONES, ONES, 0, "mulh -1*-1" },
        { MULH(7, 5, 6), MIN64, MIN64, 0x4000000000000000, "mulh min*min" },
        { MULH(7, 5, 6), ONES, 1, ONES, "mulh -1*1" },
        { MULH(7, 5, 6), 0x7fffffffffffffff, 2, 0, "mulh" },
        { MULHSU(7, 5, 6), ONES, ONES, ONES, "mulhsu -1 * (2^64-1)" },
        { MULHSU(7, 5, 6), 2, MIN64, 1, "mulhsu 2 * 2^63" },
        { MULHSU(7, 5, 6), (uint64_t)-2, MIN64, ONES, "mulhsu -2 * 2^63" },
        { MULHU(7, 5, 6), ONES, ONES, 0xfffffffffffffffe, "mulhu max*max" },
        { MULHU(7, 5, 6), 2, MIN64, 1, "mulhu" },
        { DIV(7, 5, 6), (uint64_t)-7, 2, (uint64_t)-3, "div truncates toward zero" },
        { DIV(7, 5, 6), 7, (uint64_t)-2, (uint64_t)-3, "div" },
        { DIV(7, 5, 6), 1234, 0, ONES, "div by zero -> -1" },
        { DIV(7, 5, 6), MIN64, ONES, MIN64, "div overflow -> dividend" },
        { DIVU(7, 5, 6), 7, 2, 3, "divu" },
        { DIVU(7, 5, 6), 1234, 0, ONES, "divu by zero -> 2^64-1" },
        { DIVU(7, 5, 6), ONES, 2, 0x7fffffffffffffff, "divu" },
        { REM(7, 5, 6), (uint64_t)-7, 2, ONES, "rem sign of dividend" },
        { REM(7, 5, 6), 7, (uint64_t)-2, 1, "rem" },
        { REM(7, 5, 6), (uint64_t)-7, 0, (uint64_t)-7, "rem by zero -> dividend" },
        { REM(7, 5, 6), MIN64, ONES, 0, "rem overflow -> 0" },
        { REMU(7, 5, 6), 7, 2, 1, "remu" },
        { REMU(7, 5, 6), 0x123, 0, 0x123, "remu by zero -> dividend" },
        { REMU(7, 5, 6), ONES, 10, 5, "remu" },
        { MULW(7, 5, 6), 0x7fffffff, 2, 0xfffffffffffffffe, "mulw sign-extends" },
        { MULW(7, 5, 6), 0x100000001, 0x100000001, 1, "mulw uses low words" },
        { DIVW(7, 5, 6), 0xfffffffffffffff9, 2, (uint64_t)-3, "divw" },
        { DIVW(7, 5, 6), 0x100000007, 0xffffffff00000002, 3, "divw ignores upper bits" },
        { DIVW(7, 5, 6), 5, 0x100000000, ONES, "divw by zero (low word 0) -> -1" },
        { DIVW(7, 5, 6), 0x80000000, 0xffffffff, MIN32, "divw overflow" },
        { DIVUW(7, 5, 6), 0xffffffff, 2, 0x7fffffff, "divuw" },
        { DIVUW(7, 5, 6), 5, 0, ONES, "divuw by zero -> all ones" },
        { DIVUW(7, 5, 6), 0x80000000, 1, MIN32, "divuw result sign-extended" },
        { REMW(7, 5, 6), 0xfffffffffffffff9, 2, ONES, "remw" },
        { REMW(7, 5, 6), 0x180000000, 0, MIN32, "remw by zero -> sext(dividend word)" },
        { REMW(7, 5, 6), 0x80000000, 0xffffffff, 0, "remw overflow -> 0" },
        { REMUW(7, 5, 6), 0xffffffff, 0x10, 0xf, "remuw" },
        { REMUW(7, 5, 6), 0x80000001, 0, 0xffffffff80000001, "remuw by zero -> sext(dividend)" },
        { REMUW(7, 5, 6), 5, 0x100000003, 2, "remuw ignores upper bits" },
    };
    CHECK_ALU(*state, c);
}

static void test_zba(void **state)
{
    const struct alu_case c[] = {
        { ADD_UW(7, 5, 6), 0xffffffff80000000, 1, 0x80000001, "add.uw zero-extends rs1" },
        { SH1ADD(7, 5, 6), 3, 100, 106, "sh1add" },
        { SH2ADD(7, 5, 6), 3, 100, 112, "sh2add" },
        { SH3ADD(7, 5, 6), 3, 100, 124, "sh3add" },
        { SH3ADD(7, 5, 6), MIN64 | 1, 0, 8, "sh3add drops shifted-out bits" },
        { SH1ADD_UW(7, 5, 6), ONES, 0, 0x1fffffffe, "sh1add.uw" },
        { SH2ADD_UW(7, 5, 6), ONES, 0, 0x3fffffffc, "sh2add.uw" },
        { SH3ADD_UW(7, 5, 6), ONES, 1, 0x7fffffff9, "sh3add.uw" },
        { SLLI_UW(7, 5, 40), 0xffffffff80000001, 0, 0x10000000000, "slli.uw 40" },
        { SLLI_UW(7, 5, 0), 0xffffffff80000001, 0, 0x80000001, "slli.uw 0 (zext.w)" },
    };
    CHECK_ALU(*state, c);
}

static void test_zbb(void **state)
{
    const struct alu_case c[] = {
        { ANDN(7, 5, 6), 0xff, 0x0f, 0xf0, "andn" },
        { ORN(7, 5, 6), 0, 0xffffffffffffff00, 0xff, "orn" },
        { XNOR(7, 5, 6), 0xf0f0, 0xff00, 0xfffffffffffff00f, "xnor" },
        { CLZ(7, 5), 0, 0, 64, "clz 0" },
        { CLZ(7, 5), 1, 0, 63, "clz 1" },
        { CLZ(7, 5), MIN64, 0, 0, "clz msb" },
        { CTZ(7, 5), 0, 0, 64, "ctz 0" },
        { CTZ(7, 5), MIN64, 0, 63, "ctz msb" },
        { CTZ(7, 5), 0x10, 0, 4, "ctz" },
        { CPOP(7, 5), ONES, 0, 64, "cpop all" },
        { CPOP(7, 5), 0xf0f0, 0, 8, "cpop" },
        { SEXT_B(7, 5), 0x80, 0, 0xffffffffffffff80, "sext.b negative" },
        { SEXT_B(7, 5), 0x17f, 0, 0x7f, "sext.b positive" },
        { SEXT_H(7, 5), 0x8000, 0, 0xffffffffffff8000, "sext.h negative" },
        { SEXT_H(7, 5), 0x12347fff, 0, 0x7fff, "sext.h positive" },
        { CLZW(7, 5), 0xffffffff00000000, 0, 32, "clzw of zero word" },
        { CLZW(7, 5), 0x8000, 0, 16, "clzw" },
        { CTZW(7, 5), 0xffffffff00000000, 0, 32, "ctzw of zero word" },
        { CTZW(7, 5), 0x80000000, 0, 31, "ctzw" },
        { CPOPW(7, 5), 0xffffffff0000000f, 0, 4, "cpopw" },
        { MAX(7, 5, 6), ONES, 1, 1, "max signed" },
        { MAXU(7, 5, 6), ONES, 1, ONES, "maxu" },
        { MIN(7, 5, 6), ONES, 1, ONES, "min signed" },
        { MINU(7, 5, 6), ONES, 1, 1, "minu" },
        { ZEXT_H(7, 5), 0xffffffffffff8001, 0, 0x8001, "zext.h" },
        { ROL(7, 5, 6), 0x8000000000000001, 1, 3, "rol 1" },
        { ROL(7, 5, 6), 0x1234, 64, 0x1234, "rol 64 -> 0" },
        { ROR(7, 5, 6), 1, 1, MIN64, "ror 1" },
        { ROR(7, 5, 6), 0x12, 68, 0x2000000000000001, "ror 68 -> 4" },
        { ROLW(7, 5, 6), 0x80000001, 1, 3, "rolw" },
        { ROLW(7, 5, 6), 0x40000000, 1, 0xffffffff80000000, "rolw sign-extends" },
        { RORW(7, 5, 6), 1, 1, 0xffffffff80000000, "rorw" },
        { RORW(7, 5, 6), 0xffffffff00000002, 33, 1, "rorw 33 -> 1, upper bits ignored" },
        { RORI(7, 5, 60), 1, 0, 0x10, "rori 60" },
        { RORI(7, 5, 63), MIN64, 0, 1, "rori 63" },
        { RORIW(7, 5, 17), 1, 0, 0x8000, "roriw 17" },
        { RORIW(7, 5, 2), 2, 0, 0xffffffff80000000, "roriw sign-extends" },
        { ORC_B(7, 5), 0x0100000000800001, 0, 0xff00000000ff00ff, "orc.b" },
        { REV8(7, 5), 0x0102030405060708, 0, 0x0807060504030201, "rev8" },
    };
    CHECK_ALU(*state, c);
}

static void test_x0_is_hardwired(void **state)
{
    struct machine *m = *state;
    org(m, RAM_BASE + 0x10000);
    m->h.pc = emit(m, ADDI(0, 0, 5));
    emit(m, LUI(0, 0x12345));
    emit(m, ADD(7, 0, 0));
    emit(m, JAL(0, 8));      /* jal x0 does not link */
    emit(m, NOP);
    emit(m, ADDI(8, 0, 0));  /* reads x0 */
    m->h.x[7] = m->h.x[8] = 99;
    assert_int_equal(run(m, 5), 5);
    assert_int_equal(m->h.x[0], 0);
    assert_int_equal(m->h.x[7], 0);
    assert_int_equal(m->h.x[8], 0);
}

/* ------------------------------------------------------------------ loads and stores */

static void test_loads_sign_zero_extension_and_misaligned(void **state)
{
    struct machine *m = *state;
    const uint64_t D = DATA_BASE, P = DATA_BASE + 0x1ffc;
    /* D: 80 01 ff 7f 11 22 33 84 | 55 66 77 88, and 0x99 just below D */
    wr64(m, D, 0x843322117fff0180);
    wr32(m, D + 8, 0x88776655);
    wr8(m, D - 1, 0x99);
    /* across the page boundary at D + 0x2000: a1 a2 a3 a4 | b1 b2 b3 b4 b5 */
    wr32(m, P, 0xa4a3a2a1);
    wr32(m, P + 4, 0xb4b3b2b1);
    wr8(m, P + 8, 0xb5);
    m->h.x[10] = D;
    m->h.x[24] = P;
    emit(m, LB(11, 0, 10));
    emit(m, LBU(12, 0, 10));
    emit(m, LH(13, 0, 10));
    emit(m, LH(14, 2, 10));
    emit(m, LH(15, 6, 10));
    emit(m, LHU(16, 6, 10));
    emit(m, LW(17, 0, 10));
    emit(m, LW(18, 4, 10));
    emit(m, LWU(19, 4, 10));
    emit(m, LD(20, 0, 10));
    emit(m, LW(21, 1, 10));   /* misaligned */
    emit(m, LD(22, 3, 10));   /* misaligned */
    emit(m, LH(23, -1, 10));  /* misaligned, negative offset */
    emit(m, LD(25, 1, 24));   /* crosses into the next page */
    emit(m, LW(26, 2, 24));
    emit(m, LHU(27, 3, 24));
    emit(m, LWU(28, 3, 24));
    uint64_t end = emit(m, J_SELF);
    assert_int_equal(run(m, 17), 17);
    assert_int_equal(m->h.pc, end);
    assert_int_equal(m->h.x[11], 0xffffffffffffff80);
    assert_int_equal(m->h.x[12], 0x80);
    assert_int_equal(m->h.x[13], 0x0180);
    assert_int_equal(m->h.x[14], 0x7fff);
    assert_int_equal(m->h.x[15], 0xffffffffffff8433);
    assert_int_equal(m->h.x[16], 0x8433);
    assert_int_equal(m->h.x[17], 0x7fff0180);
    assert_int_equal(m->h.x[18], 0xffffffff84332211);
    assert_int_equal(m->h.x[19], 0x84332211);
    assert_int_equal(m->h.x[20], 0x843322117fff0180);
    assert_int_equal(m->h.x[21], 0x117fff01);
    assert_int_equal(m->h.x[22], 0x776655843322117f);
    assert_int_equal(m->h.x[23], 0xffffffffffff8099);
    assert_int_equal(m->h.x[25], 0xb5b4b3b2b1a4a3a2);
    assert_int_equal(m->h.x[26], 0xffffffffb2b1a4a3);
    assert_int_equal(m->h.x[27], 0xb1a4);
    assert_int_equal(m->h.x[28], 0xb3b2b1a4);
    /* the same loads again from S-mode (its own TLB, filled on the first pass) */
    m->h.pc = CODE_BASE;
    memset(&m->h.x[11], 0, 18 * sizeof(uint64_t));
    m->h.x[24] = P;
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 17), 17);
    assert_int_equal(m->h.pc, end);
    assert_int_equal(m->h.x[11], 0xffffffffffffff80);
    assert_int_equal(m->h.x[22], 0x776655843322117f);
    assert_int_equal(m->h.x[25], 0xb5b4b3b2b1a4a3a2);
    assert_int_equal(m->h.x[28], 0xb3b2b1a4);
}

static void test_stores_widths_misaligned_and_page_crossing(void **state)
{
    struct machine *m = *state;
    const uint64_t S = DATA_BASE + 0x800, X = DATA_BASE + 0x2ffd;
    m->h.x[29] = S;
    m->h.x[30] = 0x1122334455667788;
    m->h.x[31] = X;
    emit(m, SB(30, 0, 29));
    emit(m, SH(30, 2, 29));
    emit(m, SW(30, 4, 29));
    emit(m, SD(30, 8, 29));
    emit(m, SD(30, 17, 29));  /* misaligned */
    emit(m, SW(30, 27, 29));  /* misaligned */
    emit(m, SD(30, 0, 31));   /* crosses into the page at DATA_BASE + 0x3000 */
    emit(m, SH(30, 2, 31));   /* 0x...2fff: crosses too */
    uint64_t end = emit(m, J_SELF);
    assert_int_equal(run(m, 8), 8);
    assert_int_equal(m->h.pc, end);
    assert_int_equal(rd64(m, S), 0x5566778877880088);
    assert_int_equal(rd64(m, S + 8), 0x1122334455667788);
    assert_int_equal(rd64(m, S + 16), 0x2233445566778800);
    assert_int_equal(rd64(m, S + 24), 0x0055667788000011);
    assert_int_equal(rd64(m, S + 32), 0);
    /* X .. X+7 = 88 77 66 55 44 33 22 11, then the halfword at X+2 = 88 77 */
    assert_int_equal(rd8(m, X - 1), 0);
    assert_int_equal(rd8(m, X), 0x88);
    assert_int_equal(rd8(m, X + 1), 0x77);
    assert_int_equal(rd8(m, X + 2), 0x88);
    assert_int_equal(rd8(m, X + 3), 0x77);  /* first byte of the next page */
    assert_int_equal(rd8(m, X + 4), 0x44);
    assert_int_equal(rd8(m, X + 7), 0x11);
    assert_int_equal(rd8(m, X + 8), 0);
}

/* ------------------------------------------------------------------ atomics */

struct amo_case {
    unsigned f5, width; /* width: 2 = .w, 3 = .d */
    uint64_t mem, src, want_rd, want_mem;
    const char *text;
};

static void test_amo_every_op(void **state)
{
    struct machine *m = *state;
    const uint64_t A = DATA_BASE + 0x3000;
    const struct amo_case c[] = {
        { AMO_SWAP, 2, 0x80000000, 0xffffffff00000001, 0xffffffff80000000, 1, "amoswap.w" },
        { AMO_ADD, 2, 0x7fffffff, 1, 0x7fffffff, 0x80000000, "amoadd.w" },
        { AMO_ADD, 2, 0xffffffff, 1, ONES, 0, "amoadd.w carry stays in the word" },
        { AMO_XOR, 2, 0xf0f0f0f0, 0xff, 0xfffffffff0f0f0f0, 0xf0f0f00f, "amoxor.w" },
        { AMO_AND, 2, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x0f000f00, "amoand.w" },
        { AMO_OR, 2, 1, 0x80000000, 1, 0x80000001, "amoor.w" },
        { AMO_MIN, 2, 0xffffffff, 0xffffffff00000001, ONES, 0xffffffff, "amomin.w signed" },
        { AMO_MIN, 2, 5, 0x180000000, 5, 0x80000000, "amomin.w uses the low word of rs2" },
        { AMO_MAX, 2, 0xffffffff, 0xffffffff00000001, ONES, 1, "amomax.w signed" },
        { AMO_MINU, 2, 0xffffffff, 1, ONES, 1, "amominu.w" },
        { AMO_MAXU, 2, 0xffffffff, 1, ONES, 0xffffffff, "amomaxu.w" },
        { AMO_MAXU, 2, 5, 0xffffffff00000003, 5, 5, "amomaxu.w uses the low word of rs2" },
        { AMO_SWAP, 3, 0x1122334455667788, MIN64, 0x1122334455667788, MIN64, "amoswap.d" },
        { AMO_ADD, 3, ONES, 2, ONES, 1, "amoadd.d" },
        { AMO_XOR, 3, 0xff00, 0x0ff0, 0xff00, 0xf0f0, "amoxor.d" },
        { AMO_AND, 3, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00,
          0x0f000f000f000f00, "amoand.d" },
        { AMO_OR, 3, MIN64, 1, MIN64, MIN64 | 1, "amoor.d" },
        { AMO_MIN, 3, MIN64, 1, MIN64, MIN64, "amomin.d" },
        { AMO_MAX, 3, MIN64, 1, MIN64, 1, "amomax.d" },
        { AMO_MINU, 3, MIN64, 1, MIN64, 1, "amominu.d" },
        { AMO_MAXU, 3, MIN64, 1, MIN64, MIN64, "amomaxu.d" },
    };
    org(m, RAM_BASE + 0x10000);
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        if (c[i].width == 2) {
            wr32(m, A, (uint32_t)c[i].mem);
            wr32(m, A + 4, 0xcafebabe);
        } else {
            wr64(m, A, c[i].mem);
        }
        wr64(m, A + 8, 0x0123456789abcdef);
        m->h.x[5] = A;
        uint64_t got = op1(m, AMO(c[i].f5, c[i].width, 7, 6, 5), A, c[i].src);
        uint64_t mem = c[i].width == 2 ? rd32(m, A) : rd64(m, A);
        if (got != c[i].want_rd || mem != c[i].want_mem)
            fail_msg("%s: rd 0x%llx mem 0x%llx, expected rd 0x%llx mem 0x%llx", c[i].text,
                     (unsigned long long)got, (unsigned long long)mem,
                     (unsigned long long)c[i].want_rd, (unsigned long long)c[i].want_mem);
        if (c[i].width == 2)
            assert_int_equal(rd32(m, A + 4), 0xcafebabe);
        assert_int_equal(rd64(m, A + 8), 0x0123456789abcdef);
    }
}

/* A misaligned AMO raises a store/AMO address-misaligned or access-fault exception and
 * writes nothing; a misaligned LR raises a load one. */
static void test_amo_misaligned_traps(void **state)
{
    struct machine *m = *state;
    const uint64_t A = DATA_BASE + 0x3000;
    static const struct { unsigned f5, width, off; bool load; } c[] = {
        { AMO_ADD, 2, 2, false }, { AMO_SWAP, 3, 4, false }, { AMO_OR, 3, 1, false },
        { 0x03 /* sc */, 2, 2, false }, { 0x02 /* lr */, 3, 4, true },
    };
    org(m, RAM_BASE + 0x10000);
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        wr64(m, A, 0x1111111111111111);
        wr64(m, A + 8, 0x2222222222222222);
        uint64_t pc = emit(m, AMO(c[i].f5, c[i].width, 7, c[i].f5 == 0x02 ? 0 : 6, 5));
        m->h.pc = pc;
        m->h.x[5] = A + c[i].off;
        m->h.x[6] = 0xffffffffffffffff;
        m->h.x[7] = 0x77;
        run(m, 1);
        assert_int_equal(m->h.pc, MTRAP_PC);
        uint64_t cause = m->h.mcause;
        if (c[i].load)
            assert_true(cause == EXC_LOAD_MISALIGNED || cause == EXC_LOAD_ACCESS);
        else
            assert_true(cause == EXC_STORE_MISALIGNED || cause == EXC_STORE_ACCESS);
        assert_int_equal(m->h.mepc, pc);
        assert_int_equal(m->h.mtval, A + c[i].off);
        assert_int_equal(m->h.x[7], 0x77);
        assert_int_equal(rd64(m, A), 0x1111111111111111);
        assert_int_equal(rd64(m, A + 8), 0x2222222222222222);
    }
}

static void test_lr_sc(void **state)
{
    struct machine *m = *state;
    const uint64_t A = DATA_BASE + 0x3000;
    wr64(m, A, 0xffffffff87654321);
    wr64(m, A + 8, 0x4444444444444444);
    m->h.x[5] = A;
    m->h.x[6] = 0x0000000012345678;
    m->h.x[11] = 0xdead;
    m->h.x[12] = A + 8;
    emit(m, LR_W(7, 5));
    emit(m, SC_W(8, 6, 5));      /* succeeds */
    emit(m, SC_W(9, 11, 5));     /* no reservation: fails, no store */
    emit(m, LR_D(13, 5));
    emit(m, SC_D(14, 11, 12));   /* other address: fails, no store */
    emit(m, SC_D(15, 11, 5));    /* the failed SC dropped the reservation: fails */
    emit(m, LR_D(16, 12));
    emit(m, SC_D(17, 6, 12));    /* succeeds */
    uint64_t end = emit(m, J_SELF);
    m->h.x[8] = m->h.x[9] = m->h.x[14] = m->h.x[15] = m->h.x[17] = 0x99;
    assert_int_equal(run(m, 8), 8);
    assert_int_equal(m->h.pc, end);
    assert_int_equal(m->h.x[7], 0xffffffff87654321); /* lr.w sign-extends */
    assert_int_equal(m->h.x[8], 0);
    assert_int_equal(m->h.x[9], 1);
    assert_int_equal(m->h.x[13], 0xffffffff12345678);
    assert_int_equal(m->h.x[14], 1);
    assert_int_equal(m->h.x[15], 1);
    assert_int_equal(m->h.x[16], 0x4444444444444444);
    assert_int_equal(m->h.x[17], 0);
    assert_int_equal(rd64(m, A), 0xffffffff12345678);
    assert_int_equal(rd64(m, A + 8), 0x0000000012345678);
}

/* Two harts on one bus: a store by another hart between LR and SC must make the SC fail —
 * the LR/SC atomicity axiom (unprivileged spec, RVWMO: "there can be no store from a hart
 * other than h to byte x following s and preceding w in the global memory order"). */
static void two_hart_lr_sc(struct machine *m, uint64_t v1, uint64_t v2)
{
    const uint64_t A = DATA_BASE + 0x3000;
    struct hart *b = second_hart = calloc(1, sizeof(*b));
    assert_non_null(b);
    hart_init(b, 1, &m->bus, m->cc, (struct hart_platform){ 0 });
    wr64(m, A, 0x5555);
    /* hart 0: lr.d x7, (x5); sc.d x8, x6, (x5) */
    m->h.x[5] = A;
    m->h.x[6] = 0x6666;
    m->h.pc = emit(m, LR_D(7, 5));
    emit(m, SC_D(8, 6, 5));
    emit(m, J_SELF);
    /* hart 1: sd x6, 0(x5); sd x7, 0(x5) */
    org(m, RAM_BASE + 0x20000);
    b->pc = emit(m, SD(6, 0, 5));
    emit(m, SD(7, 0, 5));
    emit(m, J_SELF);
    b->x[5] = A;
    b->x[6] = v1;
    b->x[7] = v2;
    enum hart_stop st;
    assert_int_equal(run(m, 1), 1);              /* LR */
    assert_int_equal(hart_run(b, 2, &st), 2);    /* the other hart stores twice */
    m->h.x[8] = 0x99;
    assert_int_equal(run(m, 1), 1);              /* SC */
    assert_int_equal(m->h.x[7], 0x5555);
    assert_int_equal(m->h.x[8], 1);
    assert_int_equal(rd64(m, A), v2);
}

static void test_sc_fails_after_store_by_other_hart(void **state)
{
    two_hart_lr_sc(*state, 0x7777, 0x8888);
}

/* The same with the other hart putting the original value back (ABA): the stores still sit
 * between LR and SC, so SC must still fail. */
static void test_sc_fails_after_aba_store_by_other_hart(void **state)
{
    two_hart_lr_sc(*state, 0x7777, 0x5555);
}

/* ------------------------------------------------------------------ control transfer */

static void branch_case(struct machine *m, uint32_t insn, uint64_t a, uint64_t b, bool taken,
                        const char *text)
{
    uint64_t pc = emit(m, insn);  /* offset +8 */
    emit(m, ADDI(7, 0, 1));
    emit(m, ADDI(8, 0, 1));
    m->h.pc = pc;
    m->h.x[5] = a;
    m->h.x[6] = b;
    m->h.x[7] = m->h.x[8] = 0;
    assert_int_equal(run(m, 2), 2);
    bool was_taken = m->h.x[8] == 1 && m->h.x[7] == 0 && m->h.pc == pc + 12;
    bool fell = m->h.x[7] == 1 && m->h.x[8] == 0 && m->h.pc == pc + 8;
    if (taken ? !was_taken : !fell)
        fail_msg("%s: expected %s", text, taken ? "taken" : "not taken");
}

static void test_branches(void **state)
{
    struct machine *m = *state;
    org(m, RAM_BASE + 0x10000);
    branch_case(m, BEQ(5, 6, 8), 5, 5, true, "beq equal");
    branch_case(m, BEQ(5, 6, 8), 5, 6, false, "beq different");
    branch_case(m, BNE(5, 6, 8), 5, 6, true, "bne different");
    branch_case(m, BNE(5, 6, 8), 7, 7, false, "bne equal");
    branch_case(m, BLT(5, 6, 8), ONES, 0, true, "blt -1 < 0");
    branch_case(m, BLT(5, 6, 8), 0, ONES, false, "blt 0 < -1");
    branch_case(m, BLT(5, 6, 8), 3, 3, false, "blt equal");
    branch_case(m, BLTU(5, 6, 8), ONES, 0, false, "bltu max < 0");
    branch_case(m, BLTU(5, 6, 8), 0, ONES, true, "bltu 0 < max");
    branch_case(m, BGE(5, 6, 8), ONES, 0, false, "bge -1 >= 0");
    branch_case(m, BGE(5, 6, 8), 0, ONES, true, "bge 0 >= -1");
    branch_case(m, BGE(5, 6, 8), MIN64, MIN64, true, "bge equal");
    branch_case(m, BGEU(5, 6, 8), ONES, 0, true, "bgeu max >= 0");
    branch_case(m, BGEU(5, 6, 8), 0, ONES, false, "bgeu 0 >= max");
    branch_case(m, BGEU(5, 6, 8), 9, 9, true, "bgeu equal");
    branch_case(m, BNE(5, 0, 8), 1, 0, true, "bne against x0");

    /* far targets both ways */
    org(m, RAM_BASE + 0x30000);
    m->h.pc = emit(m, BEQ(0, 0, -4096));
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, RAM_BASE + 0x30000 - 4096);
    org(m, RAM_BASE + 0x30010);
    m->h.pc = emit(m, BGE(0, 0, 4094));
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, RAM_BASE + 0x30010 + 4094);
}

static void test_jumps_and_link_values(void **state)
{
    struct machine *m = *state;
    /* jal x1, -1 MiB */
    org(m, RAM_BASE + 0x200000);
    m->h.pc = emit(m, JAL(1, -1048576));
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, RAM_BASE + 0x100000);
    assert_int_equal(m->h.x[1], RAM_BASE + 0x200004);
    /* jal x31, +2048 */
    org(m, RAM_BASE + 0x40000);
    m->h.pc = emit(m, JAL(31, 2048));
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, RAM_BASE + 0x40800);
    assert_int_equal(m->h.x[31], RAM_BASE + 0x40004);
    /* jalr clears bit 0 of the sum */
    const uint64_t T = RAM_BASE + 0x50000;
    org(m, RAM_BASE + 0x41000);
    m->h.pc = emit(m, JALR(1, 3, 5));
    m->h.x[5] = T - 2;
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, T);
    assert_int_equal(m->h.x[1], RAM_BASE + 0x41004);
    /* jalr with rd == rs1 uses the old value */
    m->h.pc = emit(m, JALR(1, 0, 1));
    m->h.x[1] = T + 0x100;
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, T + 0x100);
    assert_int_equal(m->h.x[1], RAM_BASE + 0x41008);
    /* negative offset, no link */
    m->h.pc = emit(m, JALR(0, -2048, 5));
    m->h.x[5] = T + 0x800;
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, T);
    assert_int_equal(m->h.x[0], 0);
}

/* A compressed program (assembled with -march=rv64gc) mixing every integer RVC form with
 * 32-bit instructions; register values worked out by hand. */
static const struct { uint32_t bits; const char *text; } rvc_prog[] = {
    { 0x546d, "c.li s0,-5" },             /* x8 = -5 */
    { 0x041d, "c.addi s0,7" },            /* x8 = 2 */
    { 0x64fd, "c.lui s1,0x1f" },          /* x9 = 0x1f000 */
    { 0x34fd, "c.addiw s1,-1" },          /* x9 = 0x1efff */
    { 0x8526, "c.mv a0,s1" },             /* x10 = 0x1efff */
    { 0x9522, "c.add a0,s0" },            /* x10 = 0x1f001 */
    { 0x0512, "c.slli a0,0x4" },          /* x10 = 0x1f0010 */
    { 0x8105, "c.srli a0,0x1" },          /* x10 = 0xf8008 */
    { 0x9941, "c.andi a0,-16" },          /* x10 = 0xf8000 */
    { 0x55fd, "c.li a1,-1" },             /* x11 = -1 */
    { 0x95f1, "c.srai a1,0x3c" },         /* x11 = -1 */
    { 0x91f1, "c.srli a1,0x3c" },         /* x11 = 0xf */
    { 0x8d0d, "c.sub a0,a1" },            /* x10 = 0xf7ff1 */
    { 0x8da1, "c.xor a1,s0" },            /* x11 = 0xd */
    { 0x8dc1, "c.or a1,s0" },             /* x11 = 0xf */
    { 0x8de9, "c.and a1,a0" },            /* x11 = 1 */
    { 0x9da5, "c.addw a1,s1" },           /* x11 = 0x1f000 */
    { 0x9c81, "c.subw s1,s0" },           /* x9 = 0x1effd */
    { 0x7139, "c.addi16sp sp,-64" },      /* sp = S0 - 64 */
    { 0x0810, "c.addi4spn a2,sp,16" },    /* x12 = sp + 16 */
    { 0xe42a, "c.sdsp a0,8(sp)" },
    { 0xc82e, "c.swsp a1,16(sp)" },
    { 0x66a2, "c.ldsp a3,8(sp)" },        /* x13 = 0xf7ff1 */
    { 0x4742, "c.lwsp a4,16(sp)" },       /* x14 = 0x1f000 */
    { 0xe608, "c.sd a0,8(a2)" },
    { 0xca00, "c.sw s0,16(a2)" },
    { 0x661c, "c.ld a5,8(a2)" },          /* x15 = 0xf7ff1 */
    { 0x4a14, "c.lw a3,16(a2)" },         /* x13 = 2 */
    { 0xc011, "c.beqz s0,+4" },           /* not taken */
    { 0xe011, "c.bnez s0,+4" },           /* taken */
    { 0x4401, "c.li s0,0" },              /* skipped */
    { 0xa011, "c.j +4" },
    { 0x4401, "c.li s0,0" },              /* skipped */
    { 0x00000297, "auipc t0,0x0" },       /* x5 = base + 0x42 */
    { 0x00c28293, "addi t0,t0,12" },      /* x5 = base + 0x4e */
    { 0x9282, "c.jalr t0" },              /* x1 = base + 0x4c */
    { 0x4401, "c.li s0,0" },              /* skipped */
    { 0x00008313, "addi t1,ra,0" },       /* x6 = x1 */
    { 0x0001, "c.nop" },
    { 0xa001, "c.j ." },                  /* at base + 0x54 */
};
#define RVC_PROG_EXECUTED 37 /* instructions up to and including the first c.j . */

static uint64_t place_rvc_prog(struct machine *m)
{
    uint64_t base = m->at;
    for (size_t i = 0; i < sizeof(rvc_prog) / sizeof(rvc_prog[0]); i++) {
        if ((rvc_prog[i].bits & 3) == 3)
            emit(m, rvc_prog[i].bits);
        else
            emit16(m, (uint16_t)rvc_prog[i].bits);
    }
    return base;
}

static void check_rvc_prog_result(struct machine *m, uint64_t base, uint64_t sp0)
{
    assert_int_equal(m->h.pc, base + 0x54);
    assert_int_equal(m->h.x[8], 2);
    assert_int_equal(m->h.x[9], 0x1effd);
    assert_int_equal(m->h.x[10], 0xf7ff1);
    assert_int_equal(m->h.x[11], 0x1f000);
    assert_int_equal(m->h.x[2], sp0 - 64);
    assert_int_equal(m->h.x[12], sp0 - 48);
    assert_int_equal(m->h.x[13], 2);
    assert_int_equal(m->h.x[14], 0x1f000);
    assert_int_equal(m->h.x[15], 0xf7ff1);
    assert_int_equal(m->h.x[5], base + 0x4e);
    assert_int_equal(m->h.x[1], base + 0x4c);
    assert_int_equal(m->h.x[6], base + 0x4c);
    assert_int_equal(rd64(m, sp0 - 56), 0xf7ff1);
    assert_int_equal(rd64(m, sp0 - 48), 0x1f000);
    assert_int_equal(rd64(m, sp0 - 40), 0xf7ff1);
    assert_int_equal(rd64(m, sp0 - 32), 2);
}

static void test_compressed_program(void **state)
{
    struct machine *m = *state;
    const uint64_t sp0 = DATA_BASE + 0x100;
    uint64_t base = place_rvc_prog(m);
    m->h.x[2] = sp0;
    assert_int_equal(run(m, RVC_PROG_EXECUTED + 3), RVC_PROG_EXECUTED + 3);
    assert_int_equal(m->h.icount, RVC_PROG_EXECUTED + 3);
    check_rvc_prog_result(m, base, sp0);
}

/* ------------------------------------------------------------------ exact instruction counts */

static void test_run_retires_exactly_n_straight_line(void **state)
{
    struct machine *m = *state;
    for (int i = 0; i < 200; i++)
        emit(m, ADDI(5, 5, 1));
    uint64_t end = emit(m, J_SELF);
    /* budgets that end inside, at and across the 64-instruction block limit; cold first */
    static const uint64_t ns[] = { 1, 2, 3, 7, 63, 64, 65, 127, 128, 129, 199, 200, 201, 1000, 0, 5 };
    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        uint64_t n = ns[i];
        m->h.pc = CODE_BASE;
        m->h.x[5] = 0;
        uint64_t before = m->h.icount;
        assert_int_equal(run(m, n), n);
        assert_int_equal(m->stop, HART_STOP_BUDGET);
        assert_int_equal(m->h.icount - before, n);
        uint64_t adds = n < 200 ? n : 200;
        assert_int_equal(m->h.x[5], adds);
        assert_int_equal(m->h.pc, n <= 200 ? CODE_BASE + 4 * n : end);
    }
}

static void test_run_retires_exactly_n_loop(void **state)
{
    struct machine *m = *state;
    uint64_t L = emit(m, ADDI(5, 5, 1));
    emit(m, ADDI(6, 6, -1));
    emit(m, BNE(6, 0, -8));
    emit(m, ADDI(7, 0, 99));
    uint64_t end = emit(m, J_SELF);
    static const struct { uint64_t n, x5, x6, x7, pc_off; } c[] = {
        { 5, 2, 8, 0, 8 },   /* a, b, bne, a, b: next is the bne */
        { 6, 2, 8, 0, 0 },
        { 29, 10, 0, 0, 8 }, /* the last bne not yet executed */
        { 30, 10, 0, 0, 12 },
        { 31, 10, 0, 99, 16 },
        { 1000, 10, 0, 99, 16 },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        m->h.pc = L;
        m->h.x[5] = 0;
        m->h.x[6] = 10;
        m->h.x[7] = 0;
        assert_int_equal(run(m, c[i].n), c[i].n);
        assert_int_equal(m->h.x[5], c[i].x5);
        assert_int_equal(m->h.x[6], c[i].x6);
        assert_int_equal(m->h.x[7], c[i].x7);
        assert_int_equal(m->h.pc, L + c[i].pc_off);
    }
    (void)end;
}

/* A program whose result depends on exact instruction counts (it sums minstret), with loads,
 * stores, a loop and the compressed program as its tail. */
#define CHUNK_ARRAY (DATA_BASE + 0x400)
#define CHUNK_SP (DATA_BASE + 0x100)
#define CHUNK_TOTAL 230

static void chunk_prog_init(struct machine *m, bool place_code)
{
    if (place_code) {
        org(m, CODE_BASE);
        emit(m, LD(14, 0, 10));                  /* loop: */
        emit(m, ADD(12, 12, 14));
        emit(m, CSRRS(15, CSR_MINSTRET, 0));
        emit(m, ADD(13, 13, 15));
        emit(m, SLLI(16, 12, 1));
        emit(m, SD(16, 8, 10));                  /* feeds the next iteration's load */
        emit(m, ADDI(10, 10, 8));
        emit(m, ADDI(11, 11, -1));
        emit(m, BNE(11, 0, -32));
        place_rvc_prog(m);                       /* at CODE_BASE + 36 */
    }
    memset(m->h.x, 0, sizeof(m->h.x));
    m->h.pc = CODE_BASE;
    m->h.icount = 0;
    m->h.x[10] = CHUNK_ARRAY;
    m->h.x[11] = 20;
    m->h.x[2] = CHUNK_SP;
    for (int k = 0; k < 21; k++)
        wr64(m, CHUNK_ARRAY + 8 * k, (uint64_t)k + 1);
    memset(ram_ptr(m, CHUNK_SP - 64), 0, 64);
}

static void run_chunked(struct machine *m, uint64_t total, uint64_t seed)
{
    uint64_t done = 0;
    while (done < total) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t n = 1 + (seed >> 33) % 7;
        if (n > total - done)
            n = total - done;
        assert_int_equal(run(m, n), n);
        done += n;
    }
}

static void assert_same_state(struct machine *a, struct machine *b)
{
    for (int r = 0; r < 32; r++)
        if (a->h.x[r] != b->h.x[r])
            fail_msg("x%d: 0x%llx vs 0x%llx", r, (unsigned long long)a->h.x[r],
                     (unsigned long long)b->h.x[r]);
    assert_int_equal(a->h.pc, b->h.pc);
    assert_int_equal(a->h.icount, b->h.icount);
    assert_memory_equal(ram_ptr(a, DATA_BASE), ram_ptr(b, DATA_BASE), 0x1000);
}

static void test_state_independent_of_slicing_and_cache(void **state)
{
    (void)state;
    struct machine *a = machine_new(), *b = machine_new(), *c = machine_new();
    chunk_prog_init(a, true);
    chunk_prog_init(b, true);
    chunk_prog_init(c, true);
    /* a: one call */
    assert_int_equal(run(a, CHUNK_TOTAL), CHUNK_TOTAL);
    /* hand-worked results: acc_i = 3^i, so acc = 3^19 after 20 iterations; minstret is read
     * as the 3rd instruction of iteration i, when 9i + 2 instructions have retired */
    assert_int_equal(rd64(a, CHUNK_ARRAY + 8 * 20), 2 * 1162261467ull);
    assert_int_equal(a->h.x[16], 2 * 1162261467ull);
    check_rvc_prog_result(a, CODE_BASE + 36, CHUNK_SP);
    /* the loop's results live on in registers the tail does not touch */
    assert_int_equal(a->h.icount, CHUNK_TOTAL);
    /* b: cold cache, sliced into runs of 1..7 */
    run_chunked(b, CHUNK_TOTAL, 1);
    assert_same_state(a, b);
    /* c: warm cache (a full run first), then sliced differently */
    assert_int_equal(run(c, CHUNK_TOTAL), CHUNK_TOTAL);
    chunk_prog_init(c, false);
    run_chunked(c, CHUNK_TOTAL, 12345);
    assert_same_state(a, c);
    /* and sliced once more on the now warm cache of b with a third seed */
    chunk_prog_init(b, false);
    run_chunked(b, CHUNK_TOTAL, 777);
    assert_same_state(a, b);
    machine_free(a);
    machine_free(b);
    machine_free(c);
}

/* The loop's own registers (x12, x13) are overwritten by the tail, so check the exact-count
 * sum on the loop alone. */
static void test_minstret_sum_exact(void **state)
{
    struct machine *m = *state;
    chunk_prog_init(m, true);
    /* 20 iterations of 9 instructions */
    run_chunked(m, 180, 99);
    assert_int_equal(m->h.pc, CODE_BASE + 36);
    assert_int_equal(m->h.x[12], 1162261467ull);  /* 3^19 */
    assert_int_equal(m->h.x[13], 1750);           /* sum of 9i + 2, i = 0..19 */
}

static void test_run_zero_budget(void **state)
{
    struct machine *m = *state;
    emit(m, ADDI(5, 5, 1));
    assert_int_equal(run(m, 0), 0);
    assert_int_equal(m->stop, HART_STOP_BUDGET);
    assert_int_equal(m->h.pc, CODE_BASE);
    assert_int_equal(m->h.x[5], 0);
}

/* When the decoded-code arena fills up it is flushed and reused. Nothing may keep pointing at
 * the old blocks: a jump must still reach the code at its target. The program runs X, then a
 * chain of a million one-instruction blocks (more than the arena holds), then jumps back to X.
 * The filler skips addresses that share X's jump-cache slot (exec.c's index function), so a
 * stale slot for X survives the flush if nothing clears it. */
static unsigned jslot(uint64_t vpc)
{
    return (unsigned)((vpc >> 1) ^ (vpc >> (JCACHE_BITS + 1))) & (JCACHE_SIZE - 1);
}

static void test_jump_after_code_arena_flush(void **state)
{
    struct machine *m = *state;
    const uint64_t X = CODE_BASE, F0 = DATA_BASE;
    const unsigned N = 1000000;
    org(m, X);
    emit(m, ADDI(7, 7, 1));
    emit(m, BEQ(7, 8, 8));
    emit(m, JALR(0, 0, 6));
    uint64_t done = emit(m, J_SELF);
    uint64_t a = F0, prev = 0;
    for (unsigned i = 0; i < N; i++) {
        while (jslot(a) == jslot(X))
            a += 4;
        if (prev)
            wr32(m, prev, JAL(0, (int32_t)(a - prev)));
        prev = a;
        a += 4;
    }
    wr32(m, prev, JALR(0, 0, 5));
    assert_true(a < PT_BASE);
    m->h.x[5] = X;
    m->h.x[6] = F0;
    m->h.x[8] = 2;
    m->h.pc = X;
    uint64_t total = 3 + N + 2 + 5;
    assert_int_equal(run(m, total), total);
    assert_int_equal(m->h.x[7], 2);
    assert_int_equal(m->h.pc, done);
}

/* ------------------------------------------------------------------ self-modifying code */

static void test_smc_store_into_same_block(void **state)
{
    struct machine *m = *state;
    uint64_t base = emit(m, SW(6, 12, 5));
    emit(m, NOP);
    emit(m, NOP);
    emit(m, ADDI(7, 0, 1));  /* overwritten by the store */
    uint64_t end = emit(m, J_SELF);
    m->h.x[5] = base;
    static const int32_t vals[] = { 1, 42, 43, -5 };
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        m->h.pc = base;
        m->h.x[6] = ADDI(7, 0, vals[i]);
        m->h.x[7] = 0;
        assert_int_equal(run(m, 4), 4);
        assert_int_equal(m->h.pc, end);
        assert_int_equal(m->h.x[7], (uint64_t)(int64_t)vals[i]);
    }
}

static void test_smc_budget_boundary(void **state)
{
    struct machine *m = *state;
    uint64_t base = emit(m, SW(6, 8, 5));
    emit(m, NOP);
    emit(m, ADDI(7, 0, 1));
    emit(m, J_SELF);
    m->h.x[5] = base;
    /* warm the block, then change the instruction between two runs of one block */
    m->h.x[6] = ADDI(7, 0, 1);
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.x[7], 1);
    m->h.pc = base;
    m->h.x[6] = ADDI(7, 0, 77);
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->h.x[7], 77);
}

static void test_smc_compressed_store_halfword(void **state)
{
    struct machine *m = *state;
    uint64_t base = emit(m, SH(6, 8, 5));
    emit(m, NOP);
    emit16(m, 0x4385);        /* c.li x7, 1 */
    uint64_t end = emit16(m, 0xa001); /* c.j . */
    m->h.x[5] = base;
    m->h.x[6] = 0x43a5;       /* c.li x7, 9 */
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.x[7], 9);
    assert_int_equal(m->h.pc, end);
}

static void test_smc_amo_into_same_block(void **state)
{
    struct machine *m = *state;
    uint64_t base = emit(m, AMO(AMO_SWAP, 2, 0, 6, 5));
    emit(m, ADDI(7, 0, 1));   /* replaced by the AMO */
    uint64_t end = emit(m, J_SELF);
    m->h.x[5] = base + 4;
    m->h.x[6] = ADDI(7, 0, 55);
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->h.x[7], 55);
    assert_int_equal(m->h.pc, end);
}

/* Patch a subroutine that already ran (its block is cached), with and without fence.i. */
static void smc_other_block(struct machine *m, bool fence)
{
    const uint64_t F = CODE_BASE + 0x800;
    org(m, F);
    emit(m, ADDI(7, 0, 1));
    emit(m, JALR(0, 0, 1));
    org(m, CODE_BASE);
    emit(m, JAL(1, (int32_t)(F - CODE_BASE)));
    uint64_t st = emit(m, SW(6, 0, 5));
    if (fence)
        emit(m, FENCE_I);
    uint64_t call2 = emit(m, 0);
    wr32(m, call2, JAL(1, (int32_t)(F - call2)));
    uint64_t end = emit(m, J_SELF);
    m->h.x[5] = F;
    m->h.x[6] = ADDI(7, 7, 41);  /* x7 = 1 + 41 */
    uint64_t n = fence ? 8 : 7;
    assert_int_equal(run(m, n), n);
    assert_int_equal(m->h.pc, end);
    assert_int_equal(m->h.x[7], 42);
    assert_int_equal(rd32(m, F), ADDI(7, 7, 41));
    (void)st;
}

static void test_smc_patch_cached_subroutine(void **state)
{
    smc_other_block(*state, false);
}

static void test_smc_patch_cached_subroutine_fence_i(void **state)
{
    smc_other_block(*state, true);
}

/* ------------------------------------------------------------------ MMIO */

struct dev {
    int reads, writes;
    uint64_t last_off, last_val;
    unsigned last_size;
    uint64_t next;
    struct hart *h;
};

static int dev_read(void *opaque, uint64_t off, unsigned size, uint64_t *v)
{
    struct dev *d = opaque;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    *v = d->next++;
    return off >= 0x800 ? -1 : 0;
}

static int dev_write(void *opaque, uint64_t off, unsigned size, uint64_t v)
{
    struct dev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_size = size;
    d->last_val = v;
    if (d->h && off == 0x10)
        hart_set_irq(d->h, MIP_MEIP, true);
    if (d->h && off == 0x18)
        hart_request_stop(d->h);
    return off >= 0x800 ? -1 : 0;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write };
#define DEV_BASE 0x10000000ull

static void test_mmio_goes_through_callbacks_uncached(void **state)
{
    struct machine *m = *state;
    struct dev d = { .next = 0x100 };
    assert_int_equal(bus_add_mmio(&m->bus, "dev", DEV_BASE, 0x1000, &dev_ops, &d), 0);
    m->h.x[5] = DEV_BASE;
    m->h.x[6] = 0x1122334455667788;
    emit(m, LW(7, 0, 5));
    emit(m, LW(8, 0, 5));
    emit(m, SD(6, 8, 5));
    emit(m, LBU(9, 3, 5));
    uint64_t end = emit(m, J_SELF);
    assert_int_equal(run(m, 4), 4);
    assert_int_equal(m->h.pc, end);
    assert_int_equal(d.reads, 3);
    assert_int_equal(d.writes, 1);
    assert_int_equal(m->h.x[7], 0x100);
    assert_int_equal(m->h.x[8], 0x101);
    assert_int_equal(m->h.x[9], 0x02);
    assert_int_equal(d.last_off, 3);
    assert_int_equal(d.last_size, 1);
    /* warm code cache, same addresses: every access still reaches the device */
    m->h.pc = CODE_BASE;
    assert_int_equal(run(m, 4), 4);
    assert_int_equal(d.reads, 6);
    assert_int_equal(d.writes, 2);
    assert_int_equal(m->h.x[7], 0x103);
    assert_int_equal(d.last_val, 0x1122334455667788);
    /* sign extension on the slow path */
    d.next = 0x80000000;
    m->h.pc = CODE_BASE;
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.x[7], 0xffffffff80000000);
    /* x0 destination: the read (and its side effect) still happens */
    org(m, CODE_BASE + 0x100);
    m->h.pc = emit(m, LD(0, 0, 5));
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(d.reads, 8);
    assert_int_equal(d.last_size, 8);
    assert_int_equal(m->h.x[0], 0);
}

static void test_mmio_window_inside_ram_page(void **state)
{
    struct machine *m = *state;
    struct dev d = { .next = 0x500 };
    const uint64_t W = DATA_BASE + 0x5000;
    assert_int_equal(bus_add_mmio(&m->bus, "win", W, 8, &dev_ops, &d), 0);
    wr64(m, W, 0xaaaaaaaaaaaaaaaa);
    wr64(m, W + 8, 0xbbbbbbbbbbbbbbbb);
    m->h.x[5] = W;
    m->h.x[6] = 0x1234;
    emit(m, SD(6, 0, 5));     /* device */
    emit(m, LD(7, 8, 5));     /* RAM in the same page */
    emit(m, LD(8, 0, 5));     /* device */
    emit(m, SD(6, 16, 5));    /* RAM */
    emit(m, LD(9, 16, 5));
    emit(m, J_SELF);
    assert_int_equal(run(m, 5), 5);
    assert_int_equal(d.writes, 1);
    assert_int_equal(d.reads, 1);
    assert_int_equal(d.last_val, 0x1234);
    assert_int_equal(rd64(m, W), 0xaaaaaaaaaaaaaaaa);
    assert_int_equal(m->h.x[7], 0xbbbbbbbbbbbbbbbb);
    assert_int_equal(m->h.x[8], 0x500);
    assert_int_equal(rd64(m, W + 16), 0x1234);
    assert_int_equal(m->h.x[9], 0x1234);
}

static void test_mmio_faults(void **state)
{
    struct machine *m = *state;
    struct dev d = { .next = 1 };
    assert_int_equal(bus_add_mmio(&m->bus, "dev", DEV_BASE, 0x1000, &dev_ops, &d), 0);
    m->h.x[5] = DEV_BASE + 0x800;
    uint64_t pc = emit(m, LW(7, 4, 5));
    m->h.x[7] = 0x77;
    run(m, 1);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_LOAD_ACCESS);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, DEV_BASE + 0x804);
    assert_int_equal(m->h.x[7], 0x77);
    pc = emit(m, SW(7, 8, 5));
    m->h.pc = pc;
    run(m, 1);
    assert_int_equal(m->h.mcause, EXC_STORE_ACCESS);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, DEV_BASE + 0x808);
    /* nothing mapped at all */
    m->h.x[5] = 0x20000000;
    pc = emit(m, LD(7, 0, 5));
    m->h.pc = pc;
    run(m, 1);
    assert_int_equal(m->h.mcause, EXC_LOAD_ACCESS);
    assert_int_equal(m->h.mtval, 0x20000000);
    /* misaligned device access: misaligned or access fault, never a partial access */
    m->h.x[5] = DEV_BASE;
    int reads = d.reads;
    pc = emit(m, LW(7, 2, 5));
    m->h.pc = pc;
    run(m, 1);
    assert_true(m->h.mcause == EXC_LOAD_MISALIGNED || m->h.mcause == EXC_LOAD_ACCESS);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(d.reads, reads);
}

/* A device raising an interrupt from a store: it is taken at the very next boundary. */
static void test_mmio_store_interrupt_taken_at_next_boundary(void **state)
{
    struct machine *m = *state;
    struct dev d = { .h = &m->h };
    assert_int_equal(bus_add_mmio(&m->bus, "dev", DEV_BASE, 0x1000, &dev_ops, &d), 0);
    csr_set(m, CSR_MIE, MIP_MEIP);
    csr_set(m, CSR_MSTATUS, MSTATUS_MIE);
    m->h.x[5] = DEV_BASE;
    emit(m, ADDI(8, 0, 1));
    uint64_t st = emit(m, SW(6, 0x10, 5));
    emit(m, ADDI(7, 0, 1));
    emit(m, ADDI(7, 0, 2));
    assert_int_equal(run(m, 3), 3); /* addi, sw, then the handler's j . */
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, (1ull << 63) | IRQ_MEI);
    assert_int_equal(m->h.mepc, st + 4);
    assert_int_equal(m->h.x[7], 0);
    assert_int_equal(m->h.x[8], 1);
}

static void test_stop_request_from_device(void **state)
{
    struct machine *m = *state;
    struct dev d = { .h = &m->h };
    assert_int_equal(bus_add_mmio(&m->bus, "dev", DEV_BASE, 0x1000, &dev_ops, &d), 0);
    m->h.x[5] = DEV_BASE;
    emit(m, ADDI(8, 0, 1));
    uint64_t st = emit(m, SW(6, 0x18, 5));
    emit(m, ADDI(7, 0, 1));
    emit(m, J_SELF);
    assert_int_equal(run(m, 100), 2);
    assert_int_equal(m->stop, HART_STOP_REQUEST);
    assert_int_equal(m->h.pc, st + 4);
    assert_int_equal(m->h.x[7], 0);
    assert_int_equal(run(m, 2), 2); /* the request was consumed */
    assert_int_equal(m->h.x[7], 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rv64i_register_ops),
        T(test_rv64i_immediate_ops),
        T(test_rv64i_word_ops),
        T(test_lui_auipc),
        T(test_m_extension),
        T(test_zba),
        T(test_zbb),
        T(test_x0_is_hardwired),
        T(test_loads_sign_zero_extension_and_misaligned),
        T(test_stores_widths_misaligned_and_page_crossing),
        T(test_amo_every_op),
        T(test_amo_misaligned_traps),
        T(test_lr_sc),
        T(test_sc_fails_after_store_by_other_hart),
        T(test_sc_fails_after_aba_store_by_other_hart),
        T(test_branches),
        T(test_jumps_and_link_values),
        T(test_compressed_program),
        T(test_run_retires_exactly_n_straight_line),
        T(test_run_retires_exactly_n_loop),
        T(test_state_independent_of_slicing_and_cache),
        T(test_minstret_sum_exact),
        T(test_run_zero_budget),
        T(test_jump_after_code_arena_flush),
        T(test_smc_store_into_same_block),
        T(test_smc_budget_boundary),
        T(test_smc_compressed_store_halfword),
        T(test_smc_amo_into_same_block),
        T(test_smc_patch_cached_subroutine),
        T(test_smc_patch_cached_subroutine_fence_i),
        T(test_mmio_goes_through_callbacks_uncached),
        T(test_mmio_window_inside_ram_page),
        T(test_mmio_faults),
        T(test_mmio_store_interrupt_taken_at_next_boundary),
        T(test_stop_request_from_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
