/* test_pmp.c — unit tests for vmm/cpu/pmp.c and the PMP CSRs: TOR / NA4 / NAPOT ranges,
 * first-match priority, partial matches, the no-match rule, locking (M-mode enforcement, frozen
 * cfg/addr, the TOR address below a locked entry), WARL legalisation, pmp_page_uniform, and
 * enforcement through execution (loads, stores, AMOs, fetches, sub-page regions, page-table
 * walks, TLB flush on PMP writes). Ranges are worked out by hand from the privileged spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hart_fixture.h"
#include "vmm/cpu/mmu.h"

/* pmpcfg bits */
#define R 0x01
#define W 0x02
#define X 0x04
#define TOR 0x08
#define NA4 0x10
#define NAPOT 0x18
#define L 0x80

static int setup(void **state)
{
    struct machine *m = machine_new();
    /* start from no active entry (the fixture's catch-all entry 15 is removed) */
    csr_set(m, CSR_PMPCFG0, 0);
    csr_set(m, CSR_PMPCFG2, 0);
    for (unsigned i = 0; i < 16; i++)
        csr_set(m, CSR_PMPADDR0 + i, 0);
    org(m, RAM_BASE + 0x10000);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    machine_free(*state);
    return 0;
}

static uint32_t cfg_csr(unsigned i)
{
    return CSR_PMPCFG0 + 2 * (i / 8);
}

static void set_cfg(struct machine *m, unsigned i, uint8_t cfg)
{
    uint64_t v = csr_get(m, cfg_csr(i));
    unsigned sh = 8 * (i % 8);
    v = (v & ~(0xffull << sh)) | (uint64_t)cfg << sh;
    csr_set(m, cfg_csr(i), v);
}

static uint8_t get_cfg(struct machine *m, unsigned i)
{
    return (uint8_t)(csr_get(m, cfg_csr(i)) >> (8 * (i % 8)));
}

static void entry(struct machine *m, unsigned i, uint64_t pmpaddr, uint8_t cfg)
{
    csr_set(m, CSR_PMPADDR0 + i, pmpaddr);
    set_cfg(m, i, cfg);
}

static bool allows(struct machine *m, uint64_t pa, uint64_t len, enum tlb_access a, int mode)
{
    return pmp_allows(&m->h, pa, len, a, mode);
}

/* ------------------------------------------------------------------ CSRs */

static void test_pmp_csr_layout_and_warl(void **state)
{
    struct machine *m = *state;
    /* pmpaddr holds bits 55:2 of the address: 54 bits */
    csr_set(m, CSR_PMPADDR0, ~0ull);
    assert_int_equal(csr_get(m, CSR_PMPADDR0), 0x003fffffffffffffull);
    csr_set(m, CSR_PMPADDR0 + 15, 0x123456789);
    assert_int_equal(csr_get(m, CSR_PMPADDR0 + 15), 0x123456789);
    /* pmpcfg0 holds entries 0..7, one byte each */
    csr_set(m, CSR_PMPCFG0, 0x0066120d1f620301ull);
    uint64_t v = csr_get(m, CSR_PMPCFG0);
    assert_int_equal(v & 0xff, 0x01);
    assert_int_equal((v >> 8) & 0xff, 0x03);
    assert_int_equal((v >> 24) & 0xff, 0x1f);
    assert_int_equal((v >> 32) & 0xff, 0x0d);
    assert_int_equal((v >> 56) & 0xff, 0x00);
    /* bits 6:5 read as zero; R = 0 with W = 1 is reserved and never reads back */
    static const unsigned odd[] = { 2, 5, 6 }; /* written 0x62, 0x12, 0x66 */
    for (size_t k = 0; k < 3; k++) {
        uint8_t c = (uint8_t)(v >> (8 * odd[k]));
        assert_int_equal(c & 0x60, 0);
        assert_int_not_equal(c & (R | W), W);
    }
    /* pmpcfg2 holds entries 8..15 */
    csr_set(m, CSR_PMPCFG2, 0x1900000000000000ull);
    assert_int_equal(get_cfg(m, 15), 0x19);
    assert_int_equal(get_cfg(m, 8), 0);
    /* odd pmpcfg registers do not exist on RV64 */
    uint64_t dummy;
    assert_int_equal(hart_csr_read(&m->h, 0x3a1, &dummy), -1);
    assert_int_equal(hart_csr_write(&m->h, 0x3a3, 0), -1);
    /* entries 16..63 are not implemented: read-only zero */
    csr_set(m, 0x3a4, ~0ull);
    assert_int_equal(csr_get(m, 0x3a4), 0);
    csr_set(m, CSR_PMPADDR0 + 16, ~0ull);
    assert_int_equal(csr_get(m, CSR_PMPADDR0 + 16), 0);
    csr_set(m, CSR_PMPADDR0 + 63, ~0ull);
    assert_int_equal(csr_get(m, CSR_PMPADDR0 + 63), 0);
    /* M-level CSRs */
    m->h.priv = PRIV_S;
    assert_int_equal(hart_csr_read(&m->h, CSR_PMPCFG0, &dummy), -1);
    assert_int_equal(hart_csr_write(&m->h, CSR_PMPADDR0, 0), -1);
    m->h.priv = PRIV_M;
}

/* ------------------------------------------------------------------ matching */

static void test_pmp_tor(void **state)
{
    struct machine *m = *state;
    entry(m, 0, 0x80001000 >> 2, TOR | R | X); /* [0, 0x80001000) */
    entry(m, 1, 0x80002000 >> 2, TOR | R | W); /* [0x80001000, 0x80002000) */
    for (int mode = PRIV_U; mode <= PRIV_S; mode++) {
        assert_true(allows(m, 0x80000ffc, 4, TLB_READ, mode));
        assert_false(allows(m, 0x80000ffc, 4, TLB_WRITE, mode));
        assert_true(allows(m, 0x80000000, 2, TLB_EXEC, mode));
        assert_true(allows(m, 0, 8, TLB_READ, mode));
        assert_true(allows(m, 0x80001000, 8, TLB_WRITE, mode));
        assert_false(allows(m, 0x80001000, 4, TLB_EXEC, mode));
        assert_true(allows(m, 0x80001ffc, 4, TLB_READ, mode));
        assert_false(allows(m, 0x80002000, 4, TLB_READ, mode));    /* no match */
        /* straddling the two entries: entry 0 matches only part of it */
        assert_false(allows(m, 0x80000ffe, 4, TLB_READ, mode));
        assert_false(allows(m, 0x80001ffc, 8, TLB_READ, mode));
    }
    /* M: unlocked entries do not restrict it, no match allows it, a partial match fails */
    assert_true(allows(m, 0x80000ffc, 4, TLB_WRITE, PRIV_M));
    assert_true(allows(m, 0x80002000, 4, TLB_WRITE, PRIV_M));
    assert_false(allows(m, 0x80000ffe, 4, TLB_READ, PRIV_M));
    /* a TOR entry whose address is not above the previous one matches nothing */
    entry(m, 2, 0x80001800 >> 2, TOR | R | W | X);
    assert_false(allows(m, 0x80001800, 4, TLB_EXEC, PRIV_S));
    assert_false(allows(m, 0x80002000, 4, TLB_EXEC, PRIV_S));
}

static void test_pmp_na4(void **state)
{
    struct machine *m = *state;
    entry(m, 0, 0x80000010 >> 2, NA4 | R);
    assert_true(allows(m, 0x80000010, 4, TLB_READ, PRIV_S));
    assert_true(allows(m, 0x80000012, 2, TLB_READ, PRIV_U));
    assert_true(allows(m, 0x80000013, 1, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80000014, 4, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x8000000c, 4, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80000012, 4, TLB_READ, PRIV_S)); /* partial */
    assert_false(allows(m, 0x80000010, 8, TLB_READ, PRIV_S)); /* partial */
    assert_false(allows(m, 0x80000010, 4, TLB_WRITE, PRIV_S));
    assert_true(allows(m, 0x80000010, 4, TLB_WRITE, PRIV_M));
}

static void test_pmp_napot(void **state)
{
    struct machine *m = *state;
    entry(m, 0, 0x200001ff, NAPOT | R | W);      /* 4 KiB at 0x80000000 */
    entry(m, 1, 0x20004040, NAPOT | X);          /* 8 bytes at 0x80010100 */
    entry(m, 2, 0x2005ffff, NAPOT | R);          /* 1 MiB at 0x80100000 */
    assert_true(allows(m, 0x80000000, 8, TLB_WRITE, PRIV_S));
    assert_true(allows(m, 0x80000ff8, 8, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80001000, 4, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x7ffffff8, 8, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80000ffc, 8, TLB_READ, PRIV_S)); /* runs past the end */
    assert_true(allows(m, 0x80010100, 4, TLB_EXEC, PRIV_U));
    assert_true(allows(m, 0x80010104, 4, TLB_EXEC, PRIV_U));
    assert_false(allows(m, 0x80010108, 2, TLB_EXEC, PRIV_U));
    assert_false(allows(m, 0x800100fe, 2, TLB_EXEC, PRIV_U));
    assert_false(allows(m, 0x80010100, 4, TLB_READ, PRIV_U));
    assert_true(allows(m, 0x80100000, 8, TLB_READ, PRIV_S));
    assert_true(allows(m, 0x801ffff8, 8, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80200000, 1, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x800ffff8, 8, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80100000, 8, TLB_WRITE, PRIV_S));
    /* all ones: the whole physical address space */
    entry(m, 3, 0x003fffffffffffffull, NAPOT | R);
    assert_true(allows(m, 0, 8, TLB_READ, PRIV_S));
    assert_true(allows(m, 0x00fffffffffffff8ull, 8, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x00fffffffffffff8ull, 8, TLB_WRITE, PRIV_S));
}

static void test_pmp_first_match_wins(void **state)
{
    struct machine *m = *state;
    entry(m, 0, 0x80000010 >> 2, NA4);           /* no permissions */
    entry(m, 1, 0x200001ff, NAPOT | R | W);      /* the page around it */
    assert_false(allows(m, 0x80000010, 4, TLB_READ, PRIV_S));
    assert_true(allows(m, 0x80000014, 4, TLB_READ, PRIV_S));
    assert_true(allows(m, 0x8000000c, 4, TLB_READ, PRIV_S));
    /* matches entry 0 partly: fails although entry 1 covers all of it */
    assert_false(allows(m, 0x8000000e, 4, TLB_READ, PRIV_S));
    /* swapped priorities */
    entry(m, 0, 0x200001ff, NAPOT | R | W);
    entry(m, 1, 0x80000010 >> 2, NA4);
    assert_true(allows(m, 0x80000010, 4, TLB_READ, PRIV_S));
    assert_true(allows(m, 0x8000000e, 4, TLB_WRITE, PRIV_S));
}

static void test_pmp_no_match(void **state)
{
    struct machine *m = *state;
    /* no active entry: M may do anything, S and U nothing (entries are implemented) */
    static const enum tlb_access acc[] = { TLB_READ, TLB_WRITE, TLB_EXEC };
    for (size_t a = 0; a < 3; a++) {
        assert_true(allows(m, 0x80000000, 4, acc[a], PRIV_M));
        assert_true(allows(m, 0x10000000, 4, acc[a], PRIV_M));
        assert_false(allows(m, 0x80000000, 4, acc[a], PRIV_S));
        assert_false(allows(m, 0x80000000, 4, acc[a], PRIV_U));
    }
    /* an address register alone (entry OFF) matches nothing */
    csr_set(m, CSR_PMPADDR0, 0x003fffffffffffffull);
    set_cfg(m, 0, R | W | X);
    assert_false(allows(m, 0x80000000, 4, TLB_READ, PRIV_S));
}

static void test_pmp_lock(void **state)
{
    struct machine *m = *state;
    /* locked entries bind M too */
    entry(m, 0, 0x200001ff, L | NAPOT | R);
    assert_true(allows(m, 0x80000100, 8, TLB_READ, PRIV_M));
    assert_false(allows(m, 0x80000100, 8, TLB_WRITE, PRIV_M));
    assert_false(allows(m, 0x80000100, 4, TLB_EXEC, PRIV_M));
    assert_true(allows(m, 0x80000100, 8, TLB_READ, PRIV_S));
    assert_false(allows(m, 0x80000100, 8, TLB_WRITE, PRIV_S));
    /* ... and freeze the entry: cfg and address writes are ignored, neighbours still work */
    csr_set(m, CSR_PMPCFG0, 0x0b1f); /* entry 1 = TOR|R|W, entry 0 = NAPOT|RWX (ignored) */
    assert_int_equal(get_cfg(m, 0), L | NAPOT | R);
    assert_int_equal(get_cfg(m, 1), TOR | R | W);
    csr_set(m, CSR_PMPADDR0, 0x20000000);
    assert_int_equal(csr_get(m, CSR_PMPADDR0), 0x200001ff);
    csr_set(m, CSR_PMPCFG0, 0x0b00); /* cannot unlock */
    assert_int_equal(get_cfg(m, 0), L | NAPOT | R);
    /* a locked TOR entry also freezes the address register below it */
    csr_set(m, CSR_PMPADDR0 + 2, 0x20000800);
    csr_set(m, CSR_PMPADDR0 + 3, 0x20000c00);
    set_cfg(m, 3, L | TOR | R);
    csr_set(m, CSR_PMPADDR0 + 2, 0x20000900);
    assert_int_equal(csr_get(m, CSR_PMPADDR0 + 2), 0x20000800);
    csr_set(m, CSR_PMPADDR0 + 3, 0x20000d00);
    assert_int_equal(csr_get(m, CSR_PMPADDR0 + 3), 0x20000c00);
    /* ... but a locked NAPOT entry does not */
    csr_set(m, CSR_PMPADDR0 + 5, 0x20001000);
    entry(m, 6, 0x200021ff, L | NAPOT | R);
    csr_set(m, CSR_PMPADDR0 + 5, 0x20001100);
    assert_int_equal(csr_get(m, CSR_PMPADDR0 + 5), 0x20001100);
    /* unlocked: M unrestricted */
    entry(m, 7, 0x200041ff, NAPOT | R);
    assert_true(allows(m, 0x80010000, 8, TLB_WRITE, PRIV_M));
}

static void test_pmp_page_uniform(void **state)
{
    struct machine *m = *state;
    bool ok = false;
    /* nothing active: uniform, M allowed, S not */
    assert_true(pmp_page_uniform(&m->h, 0x80000000, TLB_READ, PRIV_M, &ok));
    assert_true(ok);
    assert_true(pmp_page_uniform(&m->h, 0x80000000, TLB_READ, PRIV_S, &ok));
    assert_false(ok);
    /* an entry covering exactly the page */
    entry(m, 0, 0x200001ff, NAPOT | R | W);
    assert_true(pmp_page_uniform(&m->h, 0x80000000, TLB_WRITE, PRIV_S, &ok));
    assert_true(ok);
    assert_true(pmp_page_uniform(&m->h, 0x80000000, TLB_EXEC, PRIV_S, &ok));
    assert_false(ok);
    assert_true(pmp_page_uniform(&m->h, 0x80001000, TLB_READ, PRIV_S, &ok));
    assert_false(ok);
    assert_true(pmp_page_uniform(&m->h, 0x80001000, TLB_READ, PRIV_M, &ok));
    assert_true(ok);
    /* a lower-priority entry inside the page changes nothing */
    entry(m, 1, 0x80000010 >> 2, NA4);
    assert_true(pmp_page_uniform(&m->h, 0x80000000, TLB_READ, PRIV_S, &ok));
    assert_true(ok);
    /* a higher-priority one does */
    entry(m, 0, 0x80000010 >> 2, NA4);
    entry(m, 1, 0x200001ff, NAPOT | R | W);
    assert_false(pmp_page_uniform(&m->h, 0x80000000, TLB_READ, PRIV_S, &ok));
    assert_false(pmp_page_uniform(&m->h, 0x80000000, TLB_READ, PRIV_M, &ok));
    /* a TOR region ending in the middle of a page */
    entry(m, 0, 0x80000800 >> 2, TOR | R);
    set_cfg(m, 1, 0);
    assert_false(pmp_page_uniform(&m->h, 0x80000000, TLB_READ, PRIV_S, &ok));
    assert_true(pmp_page_uniform(&m->h, 0x7ffff000, TLB_READ, PRIV_S, &ok));
    assert_true(ok);
    assert_true(pmp_page_uniform(&m->h, 0x80001000, TLB_READ, PRIV_S, &ok));
    assert_false(ok);
    /* a region larger than the page, covering it */
    entry(m, 0, 0x2005ffff, NAPOT | X);
    assert_true(pmp_page_uniform(&m->h, 0x80155000, TLB_EXEC, PRIV_U, &ok));
    assert_true(ok);
    assert_true(pmp_page_uniform(&m->h, 0x80155000, TLB_READ, PRIV_U, &ok));
    assert_false(ok);
}

/* ------------------------------------------------------------------ through execution */

static uint64_t step(struct machine *m, enum priv p, uint32_t insn)
{
    uint64_t pc = emit(m, insn);
    m->h.pc = pc;
    m->h.mcause = m->h.mtval = m->h.mepc = 0x5eed;
    enter_priv(m, p);
    run(m, 1);
    return pc;
}

static void expect_fault(struct machine *m, uint64_t pc, uint64_t cause, uint64_t tval)
{
    if (m->h.pc != MTRAP_PC || m->h.mcause != cause)
        fail_msg("pc 0x%llx mcause 0x%llx, expected cause %llu", (unsigned long long)m->h.pc,
                 (unsigned long long)m->h.mcause, (unsigned long long)cause);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, tval);
}

static void test_pmp_enforced_for_user_accesses(void **state)
{
    struct machine *m = *state;
    entry(m, 0, 0x20005fff, NAPOT | R | X);  /* code: 64 KiB at 0x80010000 */
    entry(m, 1, 0x200401ff, NAPOT | R);      /* 0x80100000: read-only */
    entry(m, 2, 0x200405ff, NAPOT | R | W);  /* 0x80101000: read-write */
    wr64(m, 0x80100008, 0x1234);
    uint64_t pc;
    m->h.x[5] = 0x80100008;
    step(m, PRIV_U, LD(7, 0, 5));
    assert_int_equal(m->h.x[7], 0x1234);
    pc = step(m, PRIV_U, SD(7, 0, 5));
    expect_fault(m, pc, EXC_STORE_ACCESS, 0x80100008);
    pc = step(m, PRIV_U, AMO(AMO_ADD, 3, 7, 7, 5));
    expect_fault(m, pc, EXC_STORE_ACCESS, 0x80100008);
    assert_int_equal(rd64(m, 0x80100008), 0x1234);
    m->h.x[5] = 0x80101008;
    step(m, PRIV_U, SD(7, 0, 5));
    assert_int_equal(rd64(m, 0x80101008), 0x1234);
    m->h.x[5] = 0x80102000;
    pc = step(m, PRIV_U, LW(7, 4, 5));
    expect_fault(m, pc, EXC_LOAD_ACCESS, 0x80102004);
    /* across the end of the read-write page into unmatched memory */
    m->h.x[5] = 0x80101ffc;
    pc = step(m, PRIV_U, LD(7, 0, 5));
    assert_int_equal(m->h.mcause, EXC_LOAD_ACCESS);
    assert_int_equal(m->h.mepc, pc);
    assert_true(m->h.mtval >= 0x80102000 && m->h.mtval < 0x80102004);
    /* fetch outside the executable region, and from the non-executable data page */
    static const uint64_t targets[] = { 0x80020000, 0x80101000 };
    for (size_t i = 0; i < 2; i++) {
        m->h.x[5] = targets[i];
        m->h.pc = emit(m, JALR(0, 0, 5));
        enter_priv(m, PRIV_U);
        run(m, 2);
        expect_fault(m, targets[i], EXC_INSN_ACCESS, targets[i]);
    }
    /* S is bound the same way */
    m->h.x[5] = 0x80100008;
    pc = step(m, PRIV_S, SW(7, 0, 5));
    expect_fault(m, pc, EXC_STORE_ACCESS, 0x80100008);
}

/* Regions smaller than a page: every access is checked exactly, also on a second pass. */
static void test_pmp_sub_page_regions(void **state)
{
    struct machine *m = *state;
    entry(m, 0, 0x20005fff, NAPOT | R | X);
    entry(m, 1, 0x80100010 >> 2, NA4 | R);
    wr32(m, 0x80100010, 0xabcd);
    m->h.x[5] = 0x80100010;
    uint64_t a = emit(m, LW(7, 0, 5));
    uint64_t b = emit(m, LW(8, 4, 5));
    emit(m, J_SELF);
    for (int pass = 0; pass < 2; pass++) {
        m->h.x[7] = m->h.x[8] = 0;
        m->h.pc = a;
        enter_priv(m, PRIV_U);
        run(m, 2);
        assert_int_equal(m->h.x[7], 0xabcd);
        assert_int_equal(m->h.x[8], 0);
        expect_fault(m, b, EXC_LOAD_ACCESS, 0x80100014);
    }
    /* code on a page PMP splits: the first 8 bytes are executable, the rest is not */
    set_cfg(m, 0, 0);
    set_cfg(m, 1, 0);
    const uint64_t C = RAM_BASE + 0x30000;
    entry(m, 2, C >> 2, NAPOT | X); /* ...0 in bit 0: 8 bytes */
    wr32(m, C, ADDI(7, 0, 1));
    wr32(m, C + 4, ADDI(8, 0, 2));
    wr32(m, C + 8, ADDI(9, 0, 3));
    for (int pass = 0; pass < 2; pass++) {
        m->h.x[7] = m->h.x[8] = m->h.x[9] = 0;
        m->h.pc = C;
        enter_priv(m, PRIV_U);
        assert_int_equal(run(m, 3), 3);
        assert_int_equal(m->h.x[7], 1);
        assert_int_equal(m->h.x[8], 2);
        assert_int_equal(m->h.x[9], 0);
        expect_fault(m, C + 8, EXC_INSN_ACCESS, C + 8);
    }
}

/* Locking from guest code: the TLB must forget what M could do before. */
static void test_pmp_lock_from_m_mode_code(void **state)
{
    struct machine *m = *state;
    wr64(m, 0x80100008, 0x99);
    m->h.x[5] = 0x80100008;
    m->h.x[6] = 0x200401ff;        /* 4 KiB at 0x80100000 */
    m->h.x[8] = L | NAPOT | X;     /* locked, execute only */
    uint64_t start = emit(m, LD(7, 0, 5));
    emit(m, SD(7, 8, 5));
    emit(m, CSRRW(0, CSR_PMPADDR0, 6));
    emit(m, CSRRW(0, CSR_PMPCFG0, 8));
    uint64_t ld = emit(m, LD(9, 0, 5));
    m->h.pc = start;
    m->h.x[9] = 0x77;
    assert_int_equal(run(m, 5), 5);
    assert_int_equal(m->h.x[7], 0x99);
    assert_int_equal(rd64(m, 0x80100010), 0x99);
    assert_int_equal(m->h.x[9], 0x77);
    expect_fault(m, ld, EXC_LOAD_ACCESS, 0x80100008);
    uint64_t pc = step(m, PRIV_M, SD(7, 8, 5));
    expect_fault(m, pc, EXC_STORE_ACCESS, 0x80100010);
    /* the locked region is executable for M */
    wr32(m, 0x80100000, ADDI(10, 0, 5));
    wr32(m, 0x80100004, J_SELF);
    m->h.pc = 0x80100000;
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->h.x[10], 5);
    assert_int_equal(m->h.pc, 0x80100004);
}

/* Page-table reads are implicit S-mode accesses checked by PMP; a denied one raises the access
 * fault of the original access type. */
static void test_pmp_checks_page_walk(void **state)
{
    struct machine *m = *state;
    const uint64_t root = PT_BASE;
    memset(ram_ptr(m, root), 0, 4096);
    /* VA 0x40000000 -> PA 0x80000000 as a gigapage, in the root table */
    wr64(m, root + 8 * 1, (0x80000000ull >> 12) << 10 | 0xcf); /* V R W X A D */
    csr_set(m, CSR_SATP, 8ull << 60 | root >> 12);
    entry(m, 0, 0x003fffffffffffffull, NAPOT | R | W | X);
    uint64_t pa;
    assert_int_equal(mmu_translate(&m->h, 0x40000100, TLB_READ, PRIV_S, &pa), 0);
    assert_int_equal(pa, 0x80000100);
    /* deny the page-table page (higher priority) */
    entry(m, 0, (root >> 2) | 0x1ff, NAPOT);
    entry(m, 1, 0x003fffffffffffffull, NAPOT | R | W | X);
    assert_int_equal(mmu_translate(&m->h, 0x40000100, TLB_READ, PRIV_S, &pa), EXC_LOAD_ACCESS);
    assert_int_equal(mmu_translate(&m->h, 0x40000100, TLB_WRITE, PRIV_S, &pa), EXC_STORE_ACCESS);
    assert_int_equal(mmu_translate(&m->h, 0x40000100, TLB_EXEC, PRIV_S, &pa), EXC_INSN_ACCESS);
    /* also when M walks through MPRV */
    assert_int_equal(mmu_translate(&m->h, 0x40000100, TLB_READ, PRIV_U, &pa), EXC_LOAD_ACCESS);
    csr_set(m, CSR_MSTATUS, MSTATUS_MPRV | 1ull << MSTATUS_MPP_SHIFT);
    m->h.x[5] = 0x40000100;
    uint64_t pc = step(m, PRIV_M, LD(7, 0, 5));
    expect_fault(m, pc, EXC_LOAD_ACCESS, 0x40000100);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_pmp_csr_layout_and_warl),
        T(test_pmp_tor),
        T(test_pmp_na4),
        T(test_pmp_napot),
        T(test_pmp_first_match_wins),
        T(test_pmp_no_match),
        T(test_pmp_lock),
        T(test_pmp_page_uniform),
        T(test_pmp_enforced_for_user_accesses),
        T(test_pmp_sub_page_regions),
        T(test_pmp_lock_from_m_mode_code),
        T(test_pmp_checks_page_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
