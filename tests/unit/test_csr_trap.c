/* test_csr_trap.c — unit tests for vmm/cpu/csr.c and trap.c (and the system instructions of
 * exec.c): WARL behaviour of every implemented CSR, access rules (privilege, read-only,
 * unimplemented, counter enables, FS, TVM), trap entry and delegation, vectored interrupts,
 * interrupt priority and enabling, xRET, WFI, TW/TSR/TVM. Expected values come from the RISC-V
 * privileged spec (v1.12), worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hart_fixture.h"

#define INT_BIT (1ull << 63)
#define SENTINEL 0x5eed5eed5eedull
#define MPP(v) (((v) >> MSTATUS_MPP_SHIFT) & 3)

static int setup(void **state)
{
    struct machine *m = machine_new();
    org(m, RAM_BASE + 0x10000);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    machine_free(*state);
    return 0;
}

/* Run `insn` alone at a fresh address in privilege p. Returns its address. The trap handlers
 * are `j .`, so after one retired instruction pc is either pc+4 (it retired) or a handler. */
static uint64_t step(struct machine *m, enum priv p, uint32_t insn)
{
    uint64_t pc = emit(m, insn);
    m->h.pc = pc;
    m->h.mcause = m->h.scause = SENTINEL;
    m->h.mepc = m->h.sepc = SENTINEL;
    m->h.mtval = m->h.stval = SENTINEL;
    m->h.wfi = false;
    enter_priv(m, p);
    run(m, 1);
    return pc;
}

static void expect_retired(struct machine *m, enum priv p, uint32_t insn)
{
    uint64_t pc = step(m, p, insn);
    if (m->h.pc != pc + 4)
        fail_msg("0x%08x in priv %d did not retire (pc 0x%llx, mcause 0x%llx)", insn, p,
                 (unsigned long long)m->h.pc, (unsigned long long)m->h.mcause);
    assert_int_equal(m->h.priv, p);
}

static void expect_illegal(struct machine *m, enum priv p, uint32_t insn)
{
    uint64_t pc = step(m, p, insn);
    if (m->h.pc != MTRAP_PC || m->h.mcause != EXC_ILLEGAL_INSN)
        fail_msg("0x%08x in priv %d: pc 0x%llx mcause 0x%llx, expected illegal", insn, p,
                 (unsigned long long)m->h.pc, (unsigned long long)m->h.mcause);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, insn);
    assert_int_equal(MPP(m->h.mstatus), p);
    assert_int_equal(m->h.priv, PRIV_M);
}

/* csrrw x0 / csrrs rd, x0 through the instruction path, in M-mode (no sentinels: these may
 * access the trap CSRs themselves) */
static void m_insn(struct machine *m, uint32_t insn)
{
    uint64_t pc = emit(m, insn);
    m->h.pc = pc;
    enter_priv(m, PRIV_M);
    assert_int_equal(run(m, 1), 1);
    if (m->h.pc != pc + 4)
        fail_msg("0x%08x did not retire (mcause 0x%llx)", insn, (unsigned long long)m->h.mcause);
}

static void csrw_insn(struct machine *m, uint32_t csr, uint64_t v)
{
    m->h.x[5] = v;
    m_insn(m, CSRRW(0, csr, 5));
}

static uint64_t csrr_insn(struct machine *m, uint32_t csr)
{
    m->h.x[7] = SENTINEL;
    m_insn(m, CSRRS(7, csr, 0));
    return m->h.x[7];
}

/* ------------------------------------------------------------------ reset, identification */

static void test_reset_state(void **state)
{
    struct machine *m = *state;
    assert_int_equal(m->h.priv, PRIV_M);
    /* RV64 (MXL=2) with A C D F I M S U */
    assert_int_equal(csrr_insn(m, CSR_MISA), 0x800000000014112dull);
    /* MIE = MPRV = 0 at reset; UXL = SXL = 2 (64-bit) */
    assert_int_equal(csrr_insn(m, CSR_MSTATUS), 0x0000000a00000000ull);
    assert_int_equal(csrr_insn(m, CSR_MHARTID), 0);
    assert_int_equal(csrr_insn(m, CSR_MVENDORID), 0);
    /* writes to misa are ignored (extensions cannot be switched off) */
    csrw_insn(m, CSR_MISA, 0);
    assert_int_equal(csrr_insn(m, CSR_MISA), 0x800000000014112dull);

    struct hart *h2 = calloc(1, sizeof(*h2));
    assert_non_null(h2);
    hart_init(h2, 3, &m->bus, NULL, (struct hart_platform){ 0 });
    uint64_t v = 0;
    int r = hart_csr_read(h2, CSR_MHARTID, &v);
    free(h2);
    assert_int_equal(r, 0);
    assert_int_equal(v, 3);
}

/* ------------------------------------------------------------------ mstatus / sstatus */

static void test_mstatus_warl(void **state)
{
    struct machine *m = *state;
    /* all ones: SIE MIE SPIE MPIE SPP MPP FS MPRV SUM MXR TVM TW TSR stick, UXL=SXL=2 stay,
     * SD reports FS=Dirty; VS, XS, xBE, SBE/MBE read 0 */
    csrw_insn(m, CSR_MSTATUS, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_MSTATUS), 0x8000000a007e79aaull);
    csrw_insn(m, CSR_MSTATUS, 0);
    assert_int_equal(csrr_insn(m, CSR_MSTATUS), 0x0000000a00000000ull);
    /* MPP is WARL over {U, S, M}: writing the reserved 2 leaves a legal value */
    static const uint64_t mpp_legal[] = { 0, 1, 3 };
    for (size_t i = 0; i < 3; i++) {
        csrw_insn(m, CSR_MSTATUS, mpp_legal[i] << MSTATUS_MPP_SHIFT);
        assert_int_equal(MPP(csrr_insn(m, CSR_MSTATUS)), mpp_legal[i]);
        csrw_insn(m, CSR_MSTATUS, 2ull << MSTATUS_MPP_SHIFT);
        assert_int_not_equal(MPP(csrr_insn(m, CSR_MSTATUS)), 2);
    }
    /* SD = (FS == Dirty) (no V, no XS) */
    static const struct { uint64_t fs; bool sd; } fs[] = { { 0, false }, { 1, false },
                                                          { 2, false }, { 3, true } };
    for (size_t i = 0; i < 4; i++) {
        csrw_insn(m, CSR_MSTATUS, fs[i].fs << MSTATUS_FS_SHIFT);
        uint64_t v = csrr_insn(m, CSR_MSTATUS);
        assert_int_equal((v >> MSTATUS_FS_SHIFT) & 3, fs[i].fs);
        assert_int_equal(v >> 63, fs[i].sd);
        assert_int_equal(csrr_insn(m, CSR_SSTATUS) >> 63, fs[i].sd);
    }
    /* UXL/SXL are not writable */
    csrw_insn(m, CSR_MSTATUS, 0);
    assert_int_equal(csrr_insn(m, CSR_MSTATUS) & (MSTATUS_UXL | MSTATUS_SXL), 0xa00000000ull);
}

static void test_sstatus_is_a_view(void **state)
{
    struct machine *m = *state;
    csrw_insn(m, CSR_MSTATUS, ~0ull);
    /* SIE SPIE SPP FS SUM MXR, UXL = 2 and SD */
    assert_int_equal(csrr_insn(m, CSR_SSTATUS), 0x80000002000c6122ull);
    /* clearing sstatus leaves the M-only fields (MIE MPIE MPP MPRV TVM TW TSR) alone */
    csrw_insn(m, CSR_SSTATUS, 0);
    assert_int_equal(csrr_insn(m, CSR_MSTATUS), 0x0000000a00721888ull);
    assert_int_equal(csrr_insn(m, CSR_SSTATUS), 0x0000000200000000ull);
    csrw_insn(m, CSR_SSTATUS, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_MSTATUS), 0x8000000a007e79aaull);
    /* from S-mode */
    csrw_insn(m, CSR_MSTATUS, 0);
    m->h.x[5] = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SUM | MSTATUS_MPRV;
    expect_retired(m, PRIV_S, CSRRW(0, CSR_SSTATUS, 5));
    assert_int_equal(m->h.mstatus & (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SUM | MSTATUS_MPRV),
                     MSTATUS_SIE | MSTATUS_SUM);
}

/* ------------------------------------------------------------------ interrupt registers */

static void test_mie_mip_mideleg_sie_sip(void **state)
{
    struct machine *m = *state;
    /* only the S-level interrupts can be delegated */
    csrw_insn(m, CSR_MIDELEG, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_MIDELEG), 0x222);
    csrw_insn(m, CSR_MIE, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_MIE), 0xaaa);
    /* sie / sip show the delegated bits only */
    csrw_insn(m, CSR_MIDELEG, MIP_SSIP | MIP_STIP);
    assert_int_equal(csrr_insn(m, CSR_SIE), 0x22);
    csrw_insn(m, CSR_SIE, 0);
    assert_int_equal(csrr_insn(m, CSR_MIE), 0xa88);
    csrw_insn(m, CSR_SIE, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_MIE), 0xaaa);
    csrw_insn(m, CSR_MIE, 0);
    csrw_insn(m, CSR_SIE, MIP_SEIP); /* not delegated: no effect */
    assert_int_equal(csrr_insn(m, CSR_MIE), 0);
    /* mip: SEIP, STIP, SSIP writable by M; MEIP, MTIP, MSIP only by the platform */
    csrw_insn(m, CSR_MIP, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_MIP), 0x222);
    assert_int_equal(csrr_insn(m, CSR_SIP), 0x22);
    csrw_insn(m, CSR_MIDELEG, 0);
    assert_int_equal(csrr_insn(m, CSR_SIP), 0);
    csrw_insn(m, CSR_MIP, 0);
    hart_set_irq(&m->h, MIP_MTIP | MIP_MEIP, true);
    csrw_insn(m, CSR_MIP, 0);
    assert_int_equal(csrr_insn(m, CSR_MIP), MIP_MTIP | MIP_MEIP);
    hart_set_irq(&m->h, MIP_MTIP | MIP_MEIP, false);
    assert_int_equal(csrr_insn(m, CSR_MIP), 0);
    /* sip: only SSIP is writable, and only when delegated */
    csrw_insn(m, CSR_SIP, MIP_SSIP);
    assert_int_equal(csrr_insn(m, CSR_MIP), 0);
    csrw_insn(m, CSR_MIDELEG, 0x222);
    m->h.x[5] = ~0ull;
    expect_retired(m, PRIV_S, CSRRW(0, CSR_SIP, 5));
    assert_int_equal(m->h.mip, MIP_SSIP);
    m->h.x[5] = 0;
    expect_retired(m, PRIV_S, CSRRW(0, CSR_SIP, 5));
    assert_int_equal(m->h.mip, 0);
}

static void test_medeleg_mask(void **state)
{
    struct machine *m = *state;
    csrw_insn(m, CSR_MEDELEG, ~0ull);
    uint64_t v = csrr_insn(m, CSR_MEDELEG);
    assert_int_equal(v & (1ull << EXC_ECALL_M), 0); /* read-only zero */
    /* every other implemented exception can be delegated: 0-9, 12, 13, 15 */
    assert_int_equal(v & 0xb3ff, 0xb3ff);
    csrw_insn(m, CSR_MEDELEG, 0);
    assert_int_equal(csrr_insn(m, CSR_MEDELEG), 0);
}

static void test_tvec_modes(void **state)
{
    struct machine *m = *state;
    static const uint32_t csrs[] = { CSR_MTVEC, CSR_STVEC };
    for (size_t i = 0; i < 2; i++) {
        csrw_insn(m, csrs[i], RAM_BASE + 0x4000);
        assert_int_equal(csrr_insn(m, csrs[i]), RAM_BASE + 0x4000);
        csrw_insn(m, csrs[i], RAM_BASE + 0x4001); /* vectored */
        assert_int_equal(csrr_insn(m, csrs[i]), RAM_BASE + 0x4001);
        csrw_insn(m, csrs[i], RAM_BASE + 0x8002); /* reserved mode */
        assert_true((csrr_insn(m, csrs[i]) & 3) < 2);
        csrw_insn(m, csrs[i], RAM_BASE + 0x8003); /* reserved mode */
        assert_true((csrr_insn(m, csrs[i]) & 3) < 2);
    }
}

static void test_satp_modes(void **state)
{
    struct machine *m = *state;
    const uint64_t sv39 = 8ull << 60 | 0x80600, sv48 = 9ull << 60 | 0x80601;
    csrw_insn(m, CSR_SATP, sv39);
    assert_int_equal(csrr_insn(m, CSR_SATP), sv39);
    /* unsupported modes (Sv32 encoding 1, Sv57 = 10, reserved 15): the write has no effect */
    csrw_insn(m, CSR_SATP, 1ull << 60 | 0x123);
    assert_int_equal(csrr_insn(m, CSR_SATP), sv39);
    csrw_insn(m, CSR_SATP, 10ull << 60 | 0x123);
    assert_int_equal(csrr_insn(m, CSR_SATP), sv39);
    csrw_insn(m, CSR_SATP, 15ull << 60);
    assert_int_equal(csrr_insn(m, CSR_SATP), sv39);
    csrw_insn(m, CSR_SATP, sv48);
    assert_int_equal(csrr_insn(m, CSR_SATP), sv48);
    csrw_insn(m, CSR_SATP, 0);
    assert_int_equal(csrr_insn(m, CSR_SATP), 0);
}

static void test_epc_alignment_and_scratch(void **state)
{
    struct machine *m = *state;
    /* IALIGN = 16: bit 0 of xepc is always zero */
    csrw_insn(m, CSR_MEPC, RAM_BASE + 0x123);
    assert_int_equal(csrr_insn(m, CSR_MEPC), RAM_BASE + 0x122);
    csrw_insn(m, CSR_SEPC, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_SEPC), ~1ull);
    csrw_insn(m, CSR_MSCRATCH, 0x0123456789abcdefull);
    assert_int_equal(csrr_insn(m, CSR_MSCRATCH), 0x0123456789abcdefull);
    csrw_insn(m, CSR_SSCRATCH, ~0ull);
    assert_int_equal(csrr_insn(m, CSR_SSCRATCH), ~0ull);
    csrw_insn(m, CSR_MCAUSE, INT_BIT | 7);
    assert_int_equal(csrr_insn(m, CSR_MCAUSE), INT_BIT | 7);
}

/* ------------------------------------------------------------------ counters */

static void test_minstret_mcycle_writes(void **state)
{
    struct machine *m = *state;
    org(m, CODE_BASE);
    m->h.x[5] = 1000;
    m->h.x[6] = 5000;
    emit(m, CSRRS(7, CSR_MINSTRET, 0));  /* 0 retired before it */
    emit(m, NOP);
    emit(m, NOP);
    emit(m, CSRRS(8, CSR_INSTRET, 0));   /* 3 */
    emit(m, CSRRW(0, CSR_MINSTRET, 5));  /* the write replaces the increment */
    emit(m, CSRRS(10, CSR_MINSTRET, 0)); /* 1000 */
    emit(m, CSRRS(11, CSR_INSTRET, 0));  /* 1001 */
    emit(m, CSRRW(12, CSR_MINSTRET, 6)); /* old value 1002, then 5000 */
    emit(m, CSRRS(13, CSR_MINSTRET, 0)); /* 5000 */
    emit(m, CSRRW(0, CSR_MCYCLE, 6));
    emit(m, CSRRS(14, CSR_MCYCLE, 0));
    emit(m, CSRRS(15, CSR_CYCLE, 0));
    emit(m, J_SELF);
    assert_int_equal(run(m, 12), 12);
    assert_int_equal(m->h.x[7], 0);
    assert_int_equal(m->h.x[8], 3);
    assert_int_equal(m->h.x[10], 1000);
    assert_int_equal(m->h.x[11], 1001);
    assert_int_equal(m->h.x[12], 1002);
    assert_int_equal(m->h.x[13], 5000);
    /* mcycle counts on from the written value */
    assert_true(m->h.x[14] >= 5000 && m->h.x[14] <= 5001);
    assert_true(m->h.x[15] > m->h.x[14]);
}

static uint64_t fake_time(void *ctx, uint64_t icount)
{
    (void)ctx;
    return icount * 10 + 7;
}

static void test_counter_enables(void **state)
{
    struct machine *m = *state;
    m->h.platform.read_time = fake_time;
    /* M: always */
    uint64_t at = m->h.icount;
    assert_int_equal(csrr_insn(m, CSR_TIME), at * 10 + 7);
    /* S: governed by mcounteren */
    csr_set(m, CSR_MCOUNTEREN, 0);
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_CYCLE, 0));
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_TIME, 0));
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_INSTRET, 0));
    csr_set(m, CSR_MCOUNTEREN, 1); /* CY */
    expect_retired(m, PRIV_S, CSRRS(7, CSR_CYCLE, 0));
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_TIME, 0));
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_INSTRET, 0));
    csr_set(m, CSR_MCOUNTEREN, 7);
    at = m->h.icount;
    expect_retired(m, PRIV_S, CSRRS(7, CSR_TIME, 0));
    assert_int_equal(m->h.x[7], at * 10 + 7);
    at = m->h.icount;
    expect_retired(m, PRIV_S, CSRRS(7, CSR_INSTRET, 0));
    assert_int_equal(m->h.x[7], at);
    /* hpmcounter3: gated by bit 3, reads zero */
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_HPMCOUNTER3, 0));
    csr_set(m, CSR_MCOUNTEREN, 0xf);
    expect_retired(m, PRIV_S, CSRRS(7, CSR_HPMCOUNTER3, 0));
    assert_int_equal(m->h.x[7], 0);
    /* U: needs both mcounteren and scounteren */
    csr_set(m, CSR_SCOUNTEREN, 0);
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_CYCLE, 0));
    csr_set(m, CSR_SCOUNTEREN, 5); /* CY, IR */
    expect_retired(m, PRIV_U, CSRRS(7, CSR_CYCLE, 0));
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_TIME, 0));
    at = m->h.icount;
    expect_retired(m, PRIV_U, CSRRS(7, CSR_INSTRET, 0));
    assert_int_equal(m->h.x[7], at);
    csr_set(m, CSR_MCOUNTEREN, 0);
    csr_set(m, CSR_SCOUNTEREN, 7);
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_CYCLE, 0));
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_INSTRET, 0));
    /* the enables are 32-bit registers */
    csr_set(m, CSR_MCOUNTEREN, ~0ull);
    assert_int_equal(csr_get(m, CSR_MCOUNTEREN), 0xffffffffull);
    csr_set(m, CSR_SCOUNTEREN, ~0ull);
    assert_int_equal(csr_get(m, CSR_SCOUNTEREN), 0xffffffffull);
    /* scounteren is an S-mode CSR: U cannot touch it */
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_SCOUNTEREN, 0));
    expect_retired(m, PRIV_S, CSRRS(7, CSR_SCOUNTEREN, 0));
}

/* ------------------------------------------------------------------ access rules */

static void test_read_only_csr_writes_are_illegal(void **state)
{
    struct machine *m = *state;
    m->h.x[5] = 0;
    expect_illegal(m, PRIV_M, CSRRW(0, CSR_MHARTID, 5));
    expect_retired(m, PRIV_M, CSRRS(7, CSR_MHARTID, 0));  /* rs1 = x0: no write */
    expect_illegal(m, PRIV_M, CSRRS(7, CSR_MHARTID, 5));  /* rs1 != x0: a write, even of 0 */
    expect_illegal(m, PRIV_M, CSRRC(7, CSR_MVENDORID, 5));
    expect_retired(m, PRIV_M, CSRRSI(7, CSR_CYCLE, 0));
    expect_retired(m, PRIV_M, CSRRCI(7, CSR_INSTRET, 0));
    expect_illegal(m, PRIV_M, CSRRWI(0, CSR_CYCLE, 0));
    expect_illegal(m, PRIV_M, CSRRCI(7, CSR_TIME, 1));
    expect_illegal(m, PRIV_M, CSRRSI(7, CSR_MVENDORID, 1));
    /* the destination keeps its value when the instruction traps */
    m->h.x[7] = 0x77;
    step(m, PRIV_M, CSRRW(7, CSR_MHARTID, 5));
    assert_int_equal(m->h.x[7], 0x77);
}

static void test_unimplemented_csrs_are_illegal(void **state)
{
    struct machine *m = *state;
    static const uint32_t csrs[] = {
        0x7c0, /* custom M */
        0x5c0, /* custom S */
        0x800, /* custom U */
        0x680, /* hgatp: no H extension */
        0x3a1, /* pmpcfg1 does not exist on RV64 */
        0x3a3, /* pmpcfg3 */
        0x015, /* seed: no Zkr */
        0xda0, /* scountovf: no Sscofpmf */
        0x7b0, /* dcsr: debug mode only */
    };
    for (size_t i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++) {
        m->h.x[7] = 0x77;
        expect_illegal(m, PRIV_M, CSRRS(7, csrs[i], 0));
        assert_int_equal(m->h.x[7], 0x77);
        expect_illegal(m, PRIV_M, CSRRW(0, csrs[i], 5));
    }
}

static void test_csr_privilege_levels(void **state)
{
    struct machine *m = *state;
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_MSTATUS, 0));
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_MSCRATCH, 0));
    expect_illegal(m, PRIV_S, CSRRW(0, CSR_MIE, 5));
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_MHARTID, 0));
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_SSTATUS, 0));
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_SSCRATCH, 0));
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_SATP, 0));
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_MSTATUS, 0));
    m->h.x[5] = 0xabc;
    expect_retired(m, PRIV_S, CSRRW(0, CSR_SSCRATCH, 5));
    expect_retired(m, PRIV_S, CSRRS(7, CSR_SSCRATCH, 0));
    assert_int_equal(m->h.x[7], 0xabc);
    expect_retired(m, PRIV_S, CSRRS(7, CSR_SATP, 0));
    /* FP CSRs are user-level */
    csr_set(m, CSR_MSTATUS, 1ull << MSTATUS_FS_SHIFT);
    expect_retired(m, PRIV_U, CSRRS(7, CSR_FCSR, 0));
}

static void test_fs_off_makes_fp_illegal(void **state)
{
    struct machine *m = *state;
    /* reset: FS = Off */
    assert_int_equal(m->h.mstatus & MSTATUS_FS, 0);
    m->h.x[5] = DATA_BASE;
    expect_illegal(m, PRIV_M, FADD_D(1, 2, 3));
    expect_illegal(m, PRIV_M, FLD(1, 0, 5));
    expect_illegal(m, PRIV_M, FMV_X_D(7, 1));
    expect_illegal(m, PRIV_M, CSRRS(7, CSR_FCSR, 0));
    expect_illegal(m, PRIV_M, CSRRS(7, CSR_FRM, 0));
    expect_illegal(m, PRIV_M, CSRRW(0, CSR_FFLAGS, 5));
    expect_illegal(m, PRIV_U, FADD_D(1, 2, 3));
    /* Initial: allowed, and modifying FP state makes it Dirty (SD = 1) */
    csr_set(m, CSR_MSTATUS, 1ull << MSTATUS_FS_SHIFT);
    expect_retired(m, PRIV_M, FADD_D(1, 2, 3));
    assert_int_equal((m->h.mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT, 3);
    assert_int_equal(csr_get(m, CSR_MSTATUS) >> 63, 1);
    /* fcsr = frm << 5 | fflags; writing FP CSRs also dirties the state */
    csr_set(m, CSR_MSTATUS, 2ull << MSTATUS_FS_SHIFT);
    m->h.x[5] = 0xff;
    expect_retired(m, PRIV_M, CSRRW(0, CSR_FCSR, 5));
    assert_int_equal((m->h.mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT, 3);
    expect_retired(m, PRIV_M, CSRRS(7, CSR_FRM, 0));
    assert_int_equal(m->h.x[7], 7);
    expect_retired(m, PRIV_M, CSRRS(7, CSR_FFLAGS, 0));
    assert_int_equal(m->h.x[7], 0x1f);
    m->h.x[5] = 0x1ff;
    expect_retired(m, PRIV_M, CSRRW(0, CSR_FCSR, 5));
    expect_retired(m, PRIV_M, CSRRS(7, CSR_FCSR, 0));
    assert_int_equal(m->h.x[7], 0xff);
    expect_retired(m, PRIV_M, CSRRWI(0, CSR_FRM, 5));
    expect_retired(m, PRIV_M, CSRRCI(0, CSR_FFLAGS, 0x10));
    expect_retired(m, PRIV_M, CSRRS(7, CSR_FCSR, 0));
    assert_int_equal(m->h.x[7], 0xaf);
    /* Off again: even a read of fflags traps */
    csr_set(m, CSR_MSTATUS, 0);
    expect_illegal(m, PRIV_U, CSRRS(7, CSR_FFLAGS, 0));
}

/* ------------------------------------------------------------------ traps */

static void test_trap_entry_state(void **state)
{
    struct machine *m = *state;
    static const enum priv from[] = { PRIV_U, PRIV_S, PRIV_M };
    for (size_t i = 0; i < 3; i++) {
        for (int mie = 0; mie < 2; mie++) {
            csr_set(m, CSR_MSTATUS, mie ? MSTATUS_MIE : MSTATUS_MPIE);
            uint64_t pc = step(m, from[i], 0x0000000b); /* custom-0: illegal */
            assert_int_equal(m->h.pc, MTRAP_PC);
            assert_int_equal(m->h.priv, PRIV_M);
            assert_int_equal(m->h.mcause, EXC_ILLEGAL_INSN);
            assert_int_equal(m->h.mepc, pc);
            assert_int_equal(m->h.mtval, 0x0000000b);
            assert_int_equal(MPP(m->h.mstatus), from[i]);
            assert_int_equal(!!(m->h.mstatus & MSTATUS_MPIE), mie);
            assert_int_equal(m->h.mstatus & MSTATUS_MIE, 0);
            /* nothing of S changed */
            assert_int_equal(m->h.scause, SENTINEL);
            assert_int_equal(m->h.sepc, SENTINEL);
        }
    }
    /* a reserved compressed encoding: mtval holds its 16 bits */
    uint64_t pc = m->at;
    emit16(m, 0x8002); /* c.jr x0 */
    emit16(m, 0x0001);
    m->h.pc = pc;
    enter_priv(m, PRIV_M);
    run(m, 1);
    assert_int_equal(m->h.mcause, EXC_ILLEGAL_INSN);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, 0x8002);
}

static void test_ecall_ebreak_causes(void **state)
{
    struct machine *m = *state;
    static const struct { enum priv p; uint64_t cause; } e[] = {
        { PRIV_U, EXC_ECALL_U }, { PRIV_S, EXC_ECALL_S }, { PRIV_M, EXC_ECALL_M },
    };
    for (size_t i = 0; i < 3; i++) {
        uint64_t pc = step(m, e[i].p, ECALL);
        assert_int_equal(m->h.pc, MTRAP_PC);
        assert_int_equal(m->h.mcause, e[i].cause);
        assert_int_equal(m->h.mepc, pc);
        assert_int_equal(m->h.mtval, 0);
        assert_int_equal(MPP(m->h.mstatus), e[i].p);
    }
    uint64_t pc = step(m, PRIV_M, EBREAK);
    assert_int_equal(m->h.mcause, EXC_BREAKPOINT);
    assert_int_equal(m->h.mepc, pc);
    assert_true(m->h.mtval == 0 || m->h.mtval == pc);
    /* c.ebreak */
    pc = m->at;
    emit16(m, 0x9002);
    emit16(m, 0x0001);
    m->h.pc = pc;
    enter_priv(m, PRIV_U);
    run(m, 1);
    assert_int_equal(m->h.mcause, EXC_BREAKPOINT);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(MPP(m->h.mstatus), PRIV_U);
    /* ecall does not retire: minstret does not count it */
    uint64_t before = m->h.icount;
    step(m, PRIV_U, ECALL);
    assert_int_equal(m->h.icount - before, 1); /* only the handler's j . */
}

static void test_exception_delegation(void **state)
{
    struct machine *m = *state;
    csr_set(m, CSR_MEDELEG, 1ull << EXC_ECALL_U | 1ull << EXC_ECALL_S | 1ull << EXC_BREAKPOINT |
                                1ull << EXC_ILLEGAL_INSN);
    /* from U: to S */
    csr_set(m, CSR_MSTATUS, MSTATUS_SIE | MSTATUS_SPP);
    uint64_t pc = step(m, PRIV_U, ECALL);
    assert_int_equal(m->h.pc, STRAP_PC);
    assert_int_equal(m->h.priv, PRIV_S);
    assert_int_equal(m->h.scause, EXC_ECALL_U);
    assert_int_equal(m->h.sepc, pc);
    assert_int_equal(m->h.stval, 0);
    assert_int_equal(m->h.mstatus & MSTATUS_SPP, 0);
    assert_int_equal(m->h.mstatus & (MSTATUS_SIE | MSTATUS_SPIE), MSTATUS_SPIE);
    assert_int_equal(m->h.mcause, SENTINEL);
    assert_int_equal(m->h.mepc, SENTINEL);
    /* from S: to S, SPP = 1, SPIE = old SIE = 0 */
    csr_set(m, CSR_MSTATUS, 0);
    pc = step(m, PRIV_S, ECALL);
    assert_int_equal(m->h.pc, STRAP_PC);
    assert_int_equal(m->h.scause, EXC_ECALL_S);
    assert_int_equal(m->h.sepc, pc);
    assert_int_equal(m->h.mstatus & (MSTATUS_SPP | MSTATUS_SPIE), MSTATUS_SPP);
    /* illegal instruction from S: delegated, stval = the instruction */
    pc = step(m, PRIV_S, 0x0000000b);
    assert_int_equal(m->h.scause, EXC_ILLEGAL_INSN);
    assert_int_equal(m->h.stval, 0x0000000b);
    /* from M: never delegated to a lower privilege */
    pc = step(m, PRIV_M, 0x0000000b);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_ILLEGAL_INSN);
    assert_int_equal(m->h.scause, SENTINEL);
    csr_set(m, CSR_MEDELEG, ~0ull);
    step(m, PRIV_M, ECALL);
    assert_int_equal(m->h.mcause, EXC_ECALL_M);
    assert_int_equal(m->h.priv, PRIV_M);
    /* not delegated: goes to M even from U */
    csr_set(m, CSR_MEDELEG, 0);
    step(m, PRIV_U, EBREAK);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_BREAKPOINT);
    /* vectored stvec: exceptions still go to the base */
    csr_set(m, CSR_MEDELEG, 1ull << EXC_ECALL_U);
    csr_set(m, CSR_STVEC, STRAP_PC | 1);
    step(m, PRIV_U, ECALL);
    assert_int_equal(m->h.pc, STRAP_PC);
}

/* ------------------------------------------------------------------ interrupts */

/* Run one nop in privilege p with the given interrupt state; return where the hart went. */
static uint64_t irq_step(struct machine *m, enum priv p, uint64_t mstatus)
{
    csr_set(m, CSR_MSTATUS, mstatus);
    return step(m, p, NOP);
}

static void test_vectored_interrupt_offsets(void **state)
{
    struct machine *m = *state;
    const uint64_t V = RAM_BASE + 0x4000, W = RAM_BASE + 0x5000;
    for (int k = 0; k < 16; k++) {
        wr32(m, V + 4 * k, J_SELF);
        wr32(m, W + 4 * k, J_SELF);
    }
    csr_set(m, CSR_MTVEC, V | 1);
    csr_set(m, CSR_STVEC, W | 1);
    csr_set(m, CSR_MIE, 0xaaa);
    static const struct { uint64_t bit; unsigned code; } mi[] = {
        { MIP_MEIP, IRQ_MEI }, { MIP_MSIP, IRQ_MSI }, { MIP_MTIP, IRQ_MTI },
    };
    for (size_t i = 0; i < 3; i++) {
        hart_set_irq(&m->h, mi[i].bit, true);
        uint64_t pc = irq_step(m, PRIV_M, MSTATUS_MIE);
        assert_int_equal(m->h.pc, V + 4 * mi[i].code);
        assert_int_equal(m->h.mcause, INT_BIT | mi[i].code);
        assert_int_equal(m->h.mepc, pc);
        assert_int_equal(m->h.mtval, 0);
        hart_set_irq(&m->h, mi[i].bit, false);
    }
    /* S-level interrupts not delegated also use mtvec */
    csr_set(m, CSR_MIP, MIP_SSIP);
    irq_step(m, PRIV_M, MSTATUS_MIE);
    assert_int_equal(m->h.pc, V + 4 * IRQ_SSI);
    csr_set(m, CSR_MIP, 0);
    /* delegated ones use stvec */
    csr_set(m, CSR_MIDELEG, 0x222);
    static const struct { uint64_t bit; unsigned code; } si[] = {
        { MIP_SEIP, IRQ_SEI }, { MIP_SSIP, IRQ_SSI }, { MIP_STIP, IRQ_STI },
    };
    for (size_t i = 0; i < 3; i++) {
        csr_set(m, CSR_MIP, si[i].bit);
        uint64_t pc = irq_step(m, PRIV_S, MSTATUS_SIE);
        assert_int_equal(m->h.pc, W + 4 * si[i].code);
        assert_int_equal(m->h.scause, INT_BIT | si[i].code);
        assert_int_equal(m->h.sepc, pc);
        assert_int_equal(m->h.priv, PRIV_S);
        csr_set(m, CSR_MIP, 0);
    }
    /* exceptions go to the base even in vectored mode */
    step(m, PRIV_M, ECALL);
    assert_int_equal(m->h.pc, V);
}

static void test_interrupt_priority_same_destination(void **state)
{
    struct machine *m = *state;
    csr_set(m, CSR_MIE, 0xaaa);
    hart_set_irq(&m->h, MIP_MEIP | MIP_MSIP | MIP_MTIP, true);
    csr_set(m, CSR_MIP, MIP_SEIP | MIP_SSIP | MIP_STIP);
    /* all destined for M: MEI, MSI, MTI, SEI, SSI, STI */
    static const unsigned order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
    for (size_t i = 0; i < 6; i++) {
        irq_step(m, PRIV_M, MSTATUS_MIE);
        assert_int_equal(m->h.pc, MTRAP_PC);
        assert_int_equal(m->h.mcause, INT_BIT | order[i]);
        if (order[i] == IRQ_MEI || order[i] == IRQ_MSI || order[i] == IRQ_MTI)
            hart_set_irq(&m->h, 1ull << order[i], false);
        else
            csr_set(m, CSR_MIP, csr_get(m, CSR_MIP) & ~(1ull << order[i]));
    }
    /* all delegated, taken in U: SEI, SSI, STI */
    csr_set(m, CSR_MIDELEG, 0x222);
    csr_set(m, CSR_MIP, MIP_SEIP | MIP_SSIP | MIP_STIP);
    static const unsigned sorder[] = { IRQ_SEI, IRQ_SSI, IRQ_STI };
    for (size_t i = 0; i < 3; i++) {
        irq_step(m, PRIV_U, 0);
        assert_int_equal(m->h.pc, STRAP_PC);
        assert_int_equal(m->h.scause, INT_BIT | sorder[i]);
        csr_set(m, CSR_MIP, csr_get(m, CSR_MIP) & ~(1ull << sorder[i]));
    }
}

/* "Multiple simultaneous interrupts destined for different privilege modes are handled in
 * decreasing order of destined privilege mode" (privileged spec, mip/mie). */
static void test_interrupt_priority_across_destinations(void **state)
{
    struct machine *m = *state;
    /* SEI delegated to S, SSI kept in M: SSI first although SEI > SSI within one mode */
    csr_set(m, CSR_MIE, MIP_SEIP | MIP_SSIP);
    csr_set(m, CSR_MIDELEG, MIP_SEIP);
    csr_set(m, CSR_MIP, MIP_SEIP | MIP_SSIP);
    irq_step(m, PRIV_U, 0);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, INT_BIT | IRQ_SSI);
    assert_int_equal(m->h.scause, SENTINEL);
    /* the same from S with SIE set, STI kept in M and SEI delegated */
    csr_set(m, CSR_MIE, MIP_SEIP | MIP_STIP);
    csr_set(m, CSR_MIP, MIP_SEIP | MIP_STIP);
    irq_step(m, PRIV_S, MSTATUS_SIE);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, INT_BIT | IRQ_STI);
    assert_int_equal(MPP(m->h.mstatus), PRIV_S);
    /* once the M one is gone the S one is taken */
    csr_set(m, CSR_MIP, MIP_SEIP);
    irq_step(m, PRIV_S, MSTATUS_SIE);
    assert_int_equal(m->h.pc, STRAP_PC);
    assert_int_equal(m->h.scause, INT_BIT | IRQ_SEI);
}

static void test_interrupt_enable_rules(void **state)
{
    struct machine *m = *state;
    uint64_t pc;
    csr_set(m, CSR_MIE, MIP_MTIP | MIP_STIP);
    hart_set_irq(&m->h, MIP_MTIP, true);
    /* M with MIE = 0: masked */
    pc = irq_step(m, PRIV_M, 0);
    assert_int_equal(m->h.pc, pc + 4);
    assert_int_equal(m->h.mcause, SENTINEL);
    /* M with MIE = 1: taken; MPIE = 1, MIE = 0, MPP = M */
    pc = irq_step(m, PRIV_M, MSTATUS_MIE);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, INT_BIT | IRQ_MTI);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mstatus & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);
    assert_int_equal(MPP(m->h.mstatus), PRIV_M);
    /* S and U: M-level interrupts are enabled whatever MIE says */
    pc = irq_step(m, PRIV_S, 0);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(MPP(m->h.mstatus), PRIV_S);
    pc = irq_step(m, PRIV_U, 0);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(MPP(m->h.mstatus), PRIV_U);
    /* not enabled in mie: never taken */
    csr_set(m, CSR_MIE, 0);
    pc = irq_step(m, PRIV_U, MSTATUS_MIE);
    assert_int_equal(m->h.pc, pc + 4);
    hart_set_irq(&m->h, MIP_MTIP, false);
    csr_set(m, CSR_MIE, MIP_STIP);

    /* a delegated S interrupt is never taken in M, even with MIE and SIE set */
    csr_set(m, CSR_MIDELEG, MIP_STIP);
    csr_set(m, CSR_MIP, MIP_STIP);
    pc = irq_step(m, PRIV_M, MSTATUS_MIE | MSTATUS_SIE);
    assert_int_equal(m->h.pc, pc + 4);
    /* in S it needs SIE */
    pc = irq_step(m, PRIV_S, MSTATUS_MIE);
    assert_int_equal(m->h.pc, pc + 4);
    pc = irq_step(m, PRIV_S, MSTATUS_SIE);
    assert_int_equal(m->h.pc, STRAP_PC);
    assert_int_equal(m->h.priv, PRIV_S);
    assert_int_equal(m->h.scause, INT_BIT | IRQ_STI);
    assert_int_equal(m->h.sepc, pc);
    assert_int_equal(m->h.stval, 0);
    assert_int_equal(m->h.mstatus & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP),
                     MSTATUS_SPIE | MSTATUS_SPP);
    assert_int_equal(m->h.mcause, SENTINEL);
    /* in U it is always enabled */
    pc = irq_step(m, PRIV_U, 0);
    assert_int_equal(m->h.pc, STRAP_PC);
    assert_int_equal(m->h.sepc, pc);
    assert_int_equal(m->h.mstatus & (MSTATUS_SPIE | MSTATUS_SPP), 0);
    /* not delegated: an M-level interrupt like any other (enabled in S even with MIE = 0) */
    csr_set(m, CSR_MIDELEG, 0);
    pc = irq_step(m, PRIV_S, 0);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, INT_BIT | IRQ_STI);
    pc = irq_step(m, PRIV_M, MSTATUS_SIE);
    assert_int_equal(m->h.pc, pc + 4);
}

/* Interrupts become pending-and-enabled through CSR writes: taken right after them. */
static void test_interrupt_taken_right_after_enabling_write(void **state)
{
    struct machine *m = *state;
    csr_set(m, CSR_MIE, MIP_MTIP | MIP_SSIP);
    hart_set_irq(&m->h, MIP_MTIP, true);
    org(m, CODE_BASE);
    emit(m, ADDI(8, 0, 1));
    uint64_t w = emit(m, CSRRSI(0, CSR_MSTATUS, 8)); /* set MIE */
    emit(m, ADDI(7, 0, 1));
    m->h.pc = CODE_BASE;
    uint64_t before = m->h.icount;
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.icount - before, 3);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mepc, w + 4);
    assert_int_equal(m->h.x[7], 0);
    /* a software interrupt raised by writing mip */
    hart_set_irq(&m->h, MIP_MTIP, false);
    csr_set(m, CSR_MSTATUS, MSTATUS_MIE);
    org(m, CODE_BASE + 0x100);
    uint64_t s = emit(m, CSRRSI(0, CSR_MIP, 2));
    emit(m, ADDI(7, 0, 2));
    m->h.pc = s;
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, INT_BIT | IRQ_SSI);
    assert_int_equal(m->h.mepc, s + 4);
    assert_int_equal(m->h.x[7], 0);
}

/* ------------------------------------------------------------------ xRET */

static void test_mret(void **state)
{
    struct machine *m = *state;
    const uint64_t X = RAM_BASE + 0x6000;
    wr32(m, X, J_SELF);
    static const struct { enum priv mpp; bool mprv_kept; } c[] = {
        { PRIV_S, false }, { PRIV_U, false }, { PRIV_M, true },
    };
    for (size_t i = 0; i < 3; i++) {
        csr_set(m, CSR_MSTATUS, (uint64_t)c[i].mpp << MSTATUS_MPP_SHIFT | MSTATUS_MPIE |
                                    MSTATUS_MPRV);
        csr_set(m, CSR_MEPC, X);
        uint64_t pc = emit(m, MRET);
        m->h.pc = pc;
        enter_priv(m, PRIV_M);
        assert_int_equal(run(m, 1), 1);
        assert_int_equal(m->h.pc, X);
        assert_int_equal(m->h.priv, c[i].mpp);
        /* MIE = old MPIE, MPIE = 1, MPP = U (least privileged) */
        assert_int_equal(m->h.mstatus & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MIE | MSTATUS_MPIE);
        assert_int_equal(MPP(m->h.mstatus), PRIV_U);
        assert_int_equal(!!(m->h.mstatus & MSTATUS_MPRV), c[i].mprv_kept);
    }
    /* MIE comes from MPIE = 0 */
    csr_set(m, CSR_MSTATUS, MSTATUS_MIE | 3ull << MSTATUS_MPP_SHIFT);
    csr_set(m, CSR_MEPC, X);
    m->h.pc = emit(m, MRET);
    enter_priv(m, PRIV_M);
    run(m, 1);
    assert_int_equal(m->h.mstatus & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE);
    /* only M may execute mret */
    expect_illegal(m, PRIV_S, MRET);
    expect_illegal(m, PRIV_U, MRET);
}

static void test_sret(void **state)
{
    struct machine *m = *state;
    const uint64_t X = RAM_BASE + 0x6000;
    wr32(m, X, J_SELF);
    /* from M: to SPP = S; SIE = SPIE, SPIE = 1, SPP = U, MPRV = 0 */
    csr_set(m, CSR_MSTATUS, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_MPRV |
                                3ull << MSTATUS_MPP_SHIFT);
    csr_set(m, CSR_SEPC, X);
    m->h.pc = emit(m, SRET);
    enter_priv(m, PRIV_M);
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, X);
    assert_int_equal(m->h.priv, PRIV_S);
    assert_int_equal(m->h.mstatus & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MPRV),
                     MSTATUS_SIE | MSTATUS_SPIE);
    /* from S with SPP = U, SPIE = 0 */
    csr_set(m, CSR_MSTATUS, MSTATUS_SIE);
    m->h.pc = emit(m, SRET);
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, X);
    assert_int_equal(m->h.priv, PRIV_U);
    assert_int_equal(m->h.mstatus & (MSTATUS_SIE | MSTATUS_SPIE), MSTATUS_SPIE);
    /* U may not; S may not when TSR = 1; M may even then */
    expect_illegal(m, PRIV_U, SRET);
    csr_set(m, CSR_MSTATUS, MSTATUS_TSR | MSTATUS_SPP);
    expect_illegal(m, PRIV_S, SRET);
    csr_set(m, CSR_MSTATUS, MSTATUS_TSR | MSTATUS_SPP);
    csr_set(m, CSR_SEPC, X);
    m->h.pc = emit(m, SRET);
    enter_priv(m, PRIV_M);
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, X);
    assert_int_equal(m->h.priv, PRIV_S);
}

/* ------------------------------------------------------------------ WFI, TW, TVM */

static void test_wfi(void **state)
{
    struct machine *m = *state;
    org(m, CODE_BASE);
    uint64_t w = emit(m, WFI);
    emit(m, ADDI(7, 7, 1));
    emit(m, J_SELF);
    /* nothing pending: stop, with the wfi retired */
    assert_int_equal(run(m, 10), 1);
    assert_int_equal(m->stop, HART_STOP_WFI);
    assert_int_equal(m->h.pc, w + 4);
    assert_int_equal(run(m, 10), 0);
    assert_int_equal(m->stop, HART_STOP_WFI);
    /* pending but not enabled in mie: still waiting */
    hart_set_irq(&m->h, MIP_MTIP, true);
    assert_int_equal(run(m, 10), 0);
    assert_int_equal(m->stop, HART_STOP_WFI);
    /* enabled in mie, globally disabled (MIE = 0): wakes up without a trap */
    csr_set(m, CSR_MIE, MIP_MTIP);
    m->h.mcause = SENTINEL;
    assert_int_equal(run(m, 10), 10);
    assert_int_equal(m->stop, HART_STOP_BUDGET);
    assert_int_equal(m->h.x[7], 1);
    assert_int_equal(m->h.mcause, SENTINEL);
    /* globally enabled: the interrupt is taken after the wfi */
    hart_set_irq(&m->h, MIP_MTIP, false);
    csr_set(m, CSR_MSTATUS, MSTATUS_MIE);
    m->h.pc = w;
    m->h.x[7] = 0;
    assert_int_equal(run(m, 10), 1);
    assert_int_equal(m->stop, HART_STOP_WFI);
    hart_set_irq(&m->h, MIP_MTIP, true);
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, INT_BIT | IRQ_MTI);
    assert_int_equal(m->h.mepc, w + 4);
    assert_int_equal(m->h.x[7], 0);
    /* an interrupt already pending and enabled: wfi does not stop */
    csr_set(m, CSR_MSTATUS, 0);
    m->h.pc = w;
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->stop, HART_STOP_BUDGET);
    assert_int_equal(m->h.x[7], 1);
}

static void test_wfi_tw_and_privilege(void **state)
{
    struct machine *m = *state;
    /* S with TW = 0: allowed (it retires and the hart waits) */
    uint64_t pc = step(m, PRIV_S, WFI);
    assert_int_equal(m->h.pc, pc + 4);
    assert_int_equal(m->h.priv, PRIV_S);
    assert_int_equal(run(m, 5), 0);
    assert_int_equal(m->stop, HART_STOP_WFI);
    /* TW = 1: S and U trap (the time limit may be zero; nothing will ever be pending here) */
    csr_set(m, CSR_MSTATUS, MSTATUS_TW);
    expect_illegal(m, PRIV_S, WFI);
    csr_set(m, CSR_MSTATUS, MSTATUS_TW);
    expect_illegal(m, PRIV_U, WFI);
    /* M ignores TW */
    csr_set(m, CSR_MSTATUS, MSTATUS_TW);
    pc = step(m, PRIV_M, WFI);
    assert_int_equal(m->h.pc, pc + 4);
    assert_int_equal(run(m, 5), 0);
    assert_int_equal(m->stop, HART_STOP_WFI);
}

static void test_tvm(void **state)
{
    struct machine *m = *state;
    m->h.x[5] = 0;
    csr_set(m, CSR_MSTATUS, MSTATUS_TVM);
    expect_illegal(m, PRIV_S, CSRRS(7, CSR_SATP, 0));
    csr_set(m, CSR_MSTATUS, MSTATUS_TVM);
    expect_illegal(m, PRIV_S, CSRRW(0, CSR_SATP, 5));
    csr_set(m, CSR_MSTATUS, MSTATUS_TVM);
    expect_illegal(m, PRIV_S, SFENCE_VMA(0, 0));
    /* M is not affected */
    csr_set(m, CSR_MSTATUS, MSTATUS_TVM);
    expect_retired(m, PRIV_M, CSRRW(0, CSR_SATP, 5));
    expect_retired(m, PRIV_M, SFENCE_VMA(0, 0));
    /* TVM = 0: S may */
    csr_set(m, CSR_MSTATUS, 0);
    expect_retired(m, PRIV_S, CSRRW(0, CSR_SATP, 5));
    expect_retired(m, PRIV_S, SFENCE_VMA(5, 0));
    /* U never may */
    expect_illegal(m, PRIV_U, SFENCE_VMA(0, 0));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_reset_state),
        T(test_mstatus_warl),
        T(test_sstatus_is_a_view),
        T(test_mie_mip_mideleg_sie_sip),
        T(test_medeleg_mask),
        T(test_tvec_modes),
        T(test_satp_modes),
        T(test_epc_alignment_and_scratch),
        T(test_minstret_mcycle_writes),
        T(test_counter_enables),
        T(test_read_only_csr_writes_are_illegal),
        T(test_unimplemented_csrs_are_illegal),
        T(test_csr_privilege_levels),
        T(test_fs_off_makes_fp_illegal),
        T(test_trap_entry_state),
        T(test_ecall_ebreak_causes),
        T(test_exception_delegation),
        T(test_vectored_interrupt_offsets),
        T(test_interrupt_priority_same_destination),
        T(test_interrupt_priority_across_destinations),
        T(test_interrupt_enable_rules),
        T(test_interrupt_taken_right_after_enabling_write),
        T(test_mret),
        T(test_sret),
        T(test_wfi),
        T(test_wfi_tw_and_privilege),
        T(test_tvm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
