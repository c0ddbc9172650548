/* guests/tests/paging.c — Sv39 and Sv48 address translation, self-checking.
 *
 * Covers 4 KiB, 2 MiB and 1 GiB pages (and the 512 GiB Sv48 level), hardware
 * A/D updates checked in the PTE in memory (load sets A, store sets A and D,
 * fetch sets A, also on superpages), load/store/fetch page faults (causes
 * 13/15/12, tval = the virtual address) for unmapped, read-only, no-execute,
 * reserved W-without-R, non-leaf-at-level-0, misaligned superpages and
 * non-canonical addresses, the U bit (U cannot touch S pages, S touches U
 * pages only with SUM and never executes them), MXR, sfence.vma (global and
 * by address) after changing a PTE, MPRV with MPP = S/U from M-mode, and
 * delegation of page faults to the S-mode handler (medeleg 12/13/15).
 *
 * Layout (identical under Sv39 and Sv48, whose root[0] points to the Sv39 root):
 *   VA 0x0000_0000 + i*4K   4 KiB test pages        (root39[0] -> l1_small -> l0)
 *   VA 0x4000_0000 + x      2 MiB pages -> PA 0x8000_0000 + x   (root39[1] -> l1_big)
 *   VA 0x8000_0000 + x      identity gigapage, S only (code, data, stacks)
 *   VA 0xC000_0000 + x      gigapage with U=1 -> PA 0x8000_0000 + x (U code alias)
 *   VA 0x1_0000_0000 + x    gigapage, A=D=0 -> PA 0x8000_0000 + x
 *   VA 0x1_4000_0000        misaligned gigapage
 *   Sv48 only: VA 0x80_0000_0000 + x (gigapage behind root48[1]), terapage
 *   root48[2] (VA 0x100_0000_0000 + PA), misaligned terapage root48[3].
 */
#include "rt.h"

TEST_NAME("paging");

#define PG 4096UL
#define U_ALIAS 0x40000000UL            /* U code runs at PA + U_ALIAS */
#define BIG_BASE 0x40000000UL           /* 2 MiB pages window */
#define GIGA_AD_BASE 0x100000000UL      /* gigapage with A/D clear */
#define GIGA_BAD 0x140000000UL          /* misaligned gigapage */
#define SV48_HIGH 0x8000000000UL        /* 512 GiB: only reachable with Sv48 */
#define TERA_BASE 0x10000000000UL       /* root48[2]: terapage mapping PA 0.. */
#define TERA_BAD 0x18000000000UL        /* root48[3]: misaligned terapage */
#define RAM_BASE 0x80000000UL

/* 4 KiB test page slots (VA = slot * 4K) */
enum {
    S_RW = 1,        /* R W A D          -> data page 0 */
    S_AD = 2,        /* R W, A=D=0       -> data page 1 */
    S_UNMAPPED = 3,  /* invalid */
    S_RO = 4,        /* R A              -> data page 2 */
    S_XONLY = 5,     /* X A              -> data page 3 */
    S_WONLY = 6,     /* W (reserved)     -> data page 0 */
    S_CODE = 7,      /* X, A=0           -> the code page */
    S_URW = 8,       /* U R W A D        -> data page 4 */
    S_URO = 9,       /* U R A            -> data page 5 */
    S_AD2 = 10,      /* R W, A=D=0 (store first) -> data page 6 */
    S_NOTLEAF = 11,  /* pointer PTE at level 0 */
    S_SFENCE = 12,   /* remapped by S between data pages 0 and 1 */
    S_VZERO = 13,    /* V=0 with R W X set */
};

static uint64_t root39[512] __attribute__((aligned(4096)));
static uint64_t root48[512] __attribute__((aligned(4096)));
static uint64_t l1_small[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t l1_big[512] __attribute__((aligned(4096)));
static uint64_t l2_high[512] __attribute__((aligned(4096)));
static uint8_t data[8][4096] __attribute__((aligned(4096)));

extern char paging_code_page[];
__asm__(".pushsection .text.paging_code, \"ax\", @progbits\n"
        ".balign 4096\n"
        ".globl paging_code_page\n"
        "paging_code_page:\n"
        "\tli a0, 42\n"
        "\tret\n"
        ".balign 4096\n"
        ".popsection");

static uint64_t pte(uintptr_t pa, uint64_t flags)
{
    return ((pa >> 12) << PTE_PPN_SHIFT) | flags | PTE_V;
}
static uint64_t ptr_pte(void *table) { return pte((uintptr_t)table, 0); }

#define RWX (PTE_R | PTE_W | PTE_X)
#define AD (PTE_A | PTE_D)

static void build_tables(void)
{
    memset(root39, 0, sizeof root39);
    memset(root48, 0, sizeof root48);
    memset(l1_small, 0, sizeof l1_small);
    memset(l0, 0, sizeof l0);
    memset(l1_big, 0, sizeof l1_big);
    memset(l2_high, 0, sizeof l2_high);

    root39[0] = ptr_pte(l1_small);
    l1_small[0] = ptr_pte(l0);
    root39[1] = ptr_pte(l1_big);
    for (int k = 0; k < 64; k++)
        l1_big[k] = pte(RAM_BASE + k * 0x200000UL, PTE_R | PTE_W | AD);
    l1_big[1] &= ~AD;           /* A/D test on a 2 MiB page (PA 0x8020_0000: beyond the image) */
    l1_big[64] = pte(RAM_BASE + PG, PTE_R | PTE_W | AD); /* misaligned 2 MiB page */
    root39[2] = pte(RAM_BASE, RWX | AD | PTE_G);
    root39[3] = pte(RAM_BASE, RWX | AD | PTE_U);
    root39[4] = pte(RAM_BASE, PTE_R | PTE_W);           /* A = D = 0 */
    root39[5] = pte(RAM_BASE + 0x200000UL, PTE_R | PTE_W | AD); /* misaligned gigapage */

    l0[S_RW] = pte((uintptr_t)data[0], PTE_R | PTE_W | AD);
    l0[S_AD] = pte((uintptr_t)data[1], PTE_R | PTE_W);
    l0[S_RO] = pte((uintptr_t)data[2], PTE_R | PTE_A);
    l0[S_XONLY] = pte((uintptr_t)data[3], PTE_X | PTE_A);
    l0[S_WONLY] = pte((uintptr_t)data[0], PTE_W | AD);
    l0[S_CODE] = pte((uintptr_t)paging_code_page, PTE_X);
    l0[S_URW] = pte((uintptr_t)data[4], PTE_U | PTE_R | PTE_W | AD);
    l0[S_URO] = pte((uintptr_t)data[5], PTE_U | PTE_R | PTE_A);
    l0[S_AD2] = pte((uintptr_t)data[6], PTE_R | PTE_W);
    l0[S_NOTLEAF] = ptr_pte(l0);
    l0[S_SFENCE] = pte((uintptr_t)data[0], PTE_R | PTE_W | AD);
    l0[S_VZERO] = (((uintptr_t)data[0] >> 12) << PTE_PPN_SHIFT) | RWX | AD; /* V = 0 */

    /* Sv48 */
    root48[0] = ptr_pte(root39);
    root48[1] = ptr_pte(l2_high);
    l2_high[0] = pte(RAM_BASE, PTE_R | PTE_W | AD);
    root48[2] = pte(0, PTE_R | PTE_W | AD);             /* terapage at PA 0 */
    root48[3] = pte(RAM_BASE, PTE_R | PTE_W | AD);      /* misaligned terapage */

    for (int p = 0; p < 8; p++)
        for (int i = 0; i < 512; i++)
            ((uint64_t *)data[p])[i] = ((uint64_t)p << 32) | (uint64_t)i;
}

static uint64_t satp_sv39(void) { return (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uintptr_t)root39 >> 12); }
static uint64_t satp_sv48(void) { return (SATP_MODE_SV48 << SATP_MODE_SHIFT) | ((uintptr_t)root48 >> 12); }

static void set_satp(uint64_t v)
{
    csr_write(satp, v);
    sfence_vma_all();
}

/* value pattern stored in data page p at dword i */
static uint64_t pat(int p, int i) { return ((uint64_t)p << 32) | (uint64_t)i; }

/* ---------------------------------------------------------------- lower-mode code */

static long s_load(long va) { return (long)load64((uintptr_t)va); }
static long s_store(long va) { store64((uintptr_t)va, 0x5151); return 0; }
static long s_store_then_load(long va) { store64((uintptr_t)va, 0xabcdef); return (long)load64((uintptr_t)va); }
static long s_call(long va) { return ((long (*)(void))va)(); }
static long s_jump(long va)
{
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(va) : "ra", "memory");
    return 7;
}
static long s_load_sum(long va)
{
    csr_set(sstatus, MSTATUS_SUM);
    long v = (long)load64((uintptr_t)va);
    csr_clear(sstatus, MSTATUS_SUM);
    return v;
}
static long s_jump_sum(long va)
{
    csr_set(sstatus, MSTATUS_SUM);
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(va) : "ra", "memory");
    csr_clear(sstatus, MSTATUS_SUM);
    return 7;
}
static long s_load_mxr(long va)
{
    csr_set(sstatus, MSTATUS_MXR);
    long v = (long)load64((uintptr_t)va);
    csr_clear(sstatus, MSTATUS_MXR);
    return v;
}

/* S: read slot S_SFENCE, point it at data page 1, sfence.vma (mode in arg:
 * 0 = global, 1 = by address), read again; returns (first << 8) | second page
 * numbers seen */
static long s_remap(long how)
{
    uintptr_t va = S_SFENCE * PG;
    uint64_t first = load64(va) >> 32;
    l0[S_SFENCE] = pte((uintptr_t)data[1], PTE_R | PTE_W | AD);
    if (how)
        __asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
    else
        __asm__ volatile("sfence.vma" ::: "memory");
    uint64_t second = load64(va) >> 32;
    l0[S_SFENCE] = pte((uintptr_t)data[0], PTE_R | PTE_W | AD);
    __asm__ volatile("sfence.vma" ::: "memory");
    return (long)((first << 8) | second);
}

/* U-mode (runs at the alias; touches only what its arguments point to) */
static long u_load(long va) { return (long)load64((uintptr_t)va); }
static long u_store(long va) { store64((uintptr_t)va, 0x7777); return 0; }
static long u_jump(long va)
{
    __asm__ volatile("jalr ra, 0(%0)" :: "r"(va) : "ra", "memory");
    return 9;
}

/* ---------------------------------------------------------------- helpers */

#define CHECK_PF(cause_, va_, what) do {                                     \
        CHECK_EQ(last_trap.count, 1, what ": one trap");                    \
        CHECK_EQ(last_trap.cause, (cause_), what ": cause");                \
        CHECK_EQ(last_trap.tval, (uint64_t)(va_), what ": tval");            \
    } while (0)

static long in_s(long (*fn)(long), uint64_t arg) { return run_in(PRV_S, fn, (long)arg, 0); }
static long in_u(long (*fn)(long), uint64_t arg) { return run_in(PRV_U, fn, (long)arg, U_ALIAS); }

/* ---------------------------------------------------------------- tests */

/* checks that hold for both Sv39 and Sv48 */
static void test_common(const char *mode)
{
    extern char _end[];
    CHECK((uintptr_t)_end <= RAM_BASE + 0x200000, "image fits in the first 2 MiB (layout assumption)");
    rt_printf("  %s: 4K/2M/1G pages, faults, A/D, U/SUM/MXR, sfence\n", mode);
    build_tables();
    sfence_vma_all();

    /* 4 KiB pages */
    expect_no_trap();
    CHECK_EQ(in_s(s_load, S_RW * PG + 8 * 3), pat(0, 3), "S load through a 4K page");
    CHECK_EQ(in_s(s_store_then_load, S_RW * PG + 16), 0xabcdef, "S store+load through a 4K page");
    CHECK_EQ(((uint64_t *)data[0])[2], 0xabcdef, "the store reached the physical page");

    /* A/D in the PTE */
    CHECK_EQ(l0[S_AD] & AD, 0, "A/D start clear");
    CHECK_EQ(in_s(s_load, S_AD * PG + 8), pat(1, 1), "S load, A=0 page");
    CHECK_EQ(l0[S_AD] & AD, PTE_A, "load set A only");
    in_s(s_store, S_AD * PG + 8);
    CHECK_EQ(l0[S_AD] & AD, AD, "store set D");
    CHECK_EQ(((uint64_t *)data[1])[1], 0x5151, "store through the A/D page landed");
    in_s(s_store, S_AD2 * PG);
    CHECK_EQ(l0[S_AD2] & AD, AD, "first access a store: A and D set");
    CHECK_EQ(in_s(s_call, S_CODE * PG), 42, "S executes from an X-only page");
    CHECK_EQ(l0[S_CODE] & AD, PTE_A, "fetch set A, not D");

    /* 2 MiB pages */
    uint64_t *probe = &((uint64_t *)data[7])[5];
    uintptr_t off = (uintptr_t)probe - RAM_BASE;
    CHECK_EQ(in_s(s_load, BIG_BASE + off), pat(7, 5), "S load through a 2M page");
    CHECK_EQ(l1_big[off >> 21] & AD, AD, "2M page keeps A/D");
    CHECK_EQ(l1_big[1] & AD, 0, "2M page 1 A/D clear before use");
    store64(RAM_BASE + 0x200018, 0x2222);
    CHECK_EQ(in_s(s_load, BIG_BASE + 0x200018), 0x2222, "S load through 2M page 1");
    CHECK_EQ(l1_big[1] & AD, PTE_A, "load set A on a 2M page");
    in_s(s_store, BIG_BASE + 0x3ffff8);
    CHECK_EQ(l1_big[1] & AD, AD, "store set D on a 2M page");
    CHECK_EQ(load64(RAM_BASE + 0x3ffff8), 0x5151, "store through a 2M page landed");

    /* 1 GiB pages */
    CHECK_EQ(in_s(s_load, GIGA_AD_BASE + off), pat(7, 5), "S load through a 1G page");
    CHECK_EQ(root39[4] & AD, PTE_A, "load set A on a 1G page");
    in_s(s_store, GIGA_AD_BASE + ((uintptr_t)&data[7][72] - RAM_BASE));
    CHECK_EQ(root39[4] & AD, AD, "store set D on a 1G page");
    CHECK_EQ(load64((uintptr_t)&data[7][72]), 0x5151, "store through a 1G page landed");

    /* page faults */
    expect_trap();
    in_s(s_load, S_UNMAPPED * PG + 0x10);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_UNMAPPED * PG + 0x10, "load from unmapped page");
    CHECK_EQ(last_trap.from, PRV_S, "fault came from S");
    expect_trap();
    in_s(s_store, S_UNMAPPED * PG + 0x18);
    CHECK_PF(CAUSE_STORE_PAGE_FAULT, S_UNMAPPED * PG + 0x18, "store to unmapped page");
    expect_trap();
    in_s(s_store, S_RO * PG + 0x20);
    CHECK_PF(CAUSE_STORE_PAGE_FAULT, S_RO * PG + 0x20, "store to read-only page");
    CHECK_EQ(((uint64_t *)data[2])[4], pat(2, 4), "read-only page unchanged");
    expect_trap();
    CHECK_EQ(in_s(s_jump, S_RW * PG + 0x40), 7, "S resumed after fetch fault");
    CHECK_PF(CAUSE_FETCH_PAGE_FAULT, S_RW * PG + 0x40, "fetch from non-executable page");
    CHECK_EQ(last_trap.epc, S_RW * PG + 0x40, "fetch fault epc = target");
    expect_trap();
    in_s(s_jump, S_UNMAPPED * PG);
    CHECK_PF(CAUSE_FETCH_PAGE_FAULT, S_UNMAPPED * PG, "fetch from unmapped page");
    expect_trap();
    in_s(s_load, S_XONLY * PG);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_XONLY * PG, "load from execute-only page (MXR=0)");
    expect_no_trap();
    CHECK_EQ(in_s(s_load_mxr, S_XONLY * PG + 8), pat(3, 1), "load from execute-only page with MXR=1");
    expect_trap();
    in_s(s_load, S_WONLY * PG);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_WONLY * PG, "load from W-only (reserved) PTE");
    expect_trap();
    in_s(s_store, S_WONLY * PG);
    CHECK_PF(CAUSE_STORE_PAGE_FAULT, S_WONLY * PG, "store to W-only (reserved) PTE");
    expect_trap();
    in_s(s_load, S_NOTLEAF * PG);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_NOTLEAF * PG, "pointer PTE at level 0");
    expect_trap();
    in_s(s_load, S_VZERO * PG);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_VZERO * PG, "PTE with V=0");
    expect_trap();
    in_s(s_load, BIG_BASE + 64 * 0x200000UL + 0x100);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, BIG_BASE + 64 * 0x200000UL + 0x100, "misaligned 2M superpage");
    expect_trap();
    in_s(s_load, GIGA_BAD + 0x200);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, GIGA_BAD + 0x200, "misaligned 1G superpage");

    /* U bit, SUM */
    expect_no_trap();
    CHECK_EQ(in_u(u_load, S_URW * PG + 8), pat(4, 1), "U load from a U page");
    in_u(u_store, S_URW * PG + 16);
    CHECK_EQ(((uint64_t *)data[4])[2], 0x7777, "U store to a U page");
    expect_trap();
    in_u(u_store, S_URO * PG);
    CHECK_PF(CAUSE_STORE_PAGE_FAULT, S_URO * PG, "U store to a read-only U page");
    CHECK_EQ(last_trap.from, PRV_U, "fault came from U");
    expect_trap();
    in_u(u_load, S_RW * PG);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_RW * PG, "U load from an S page");
    expect_trap();
    in_u(u_load, (uintptr_t)&data[0][0]);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, (uintptr_t)&data[0][0], "U load from the S identity map");
    expect_trap();
    CHECK_EQ(in_u(u_jump, (uintptr_t)paging_code_page), 9, "U resumed after fetch fault");
    CHECK_PF(CAUSE_FETCH_PAGE_FAULT, (uintptr_t)paging_code_page, "U fetch from an S page");
    expect_trap();
    in_s(s_load, S_URW * PG);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_URW * PG, "S load from a U page with SUM=0");
    expect_no_trap();
    CHECK_EQ(in_s(s_load_sum, S_URW * PG + 24), pat(4, 3), "S load from a U page with SUM=1");
    expect_trap();
    in_s(s_jump_sum, (uintptr_t)paging_code_page + U_ALIAS);
    CHECK_PF(CAUSE_FETCH_PAGE_FAULT, (uintptr_t)paging_code_page + U_ALIAS,
             "S fetch from a U page (even with SUM=1)");
    csr_clear(sstatus, MSTATUS_SUM);

    /* sfence.vma after changing a PTE */
    expect_no_trap();
    CHECK_EQ(in_s(s_remap, 0), (0 << 8) | 1, "global sfence.vma picks up the new PTE");
    CHECK_EQ(in_s(s_remap, 1), (0 << 8) | 1, "sfence.vma by address picks up the new PTE");
}

static void test_sv39_only(void)
{
    set_satp(satp_sv39());
    CHECK_EQ(csr_read(satp), satp_sv39(), "satp holds Sv39 mode and root");
    expect_trap();
    in_s(s_load, SV48_HIGH);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, SV48_HIGH, "Sv39: non-canonical address (bit 39 set)");
    expect_trap();
    in_s(s_load, 0xffffffc000000000UL);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, 0xffffffc000000000UL, "Sv39: canonical high address, unmapped");
}

static void test_sv48_only(void)
{
    uintptr_t off = (uintptr_t)&data[6][7 * 8] - RAM_BASE;
    set_satp(satp_sv48());
    CHECK_EQ(csr_read(satp), satp_sv48(), "satp holds Sv48 mode and root");
    expect_no_trap();
    ((uint64_t *)data[6])[7] = 0x4848;
    CHECK_EQ(in_s(s_load, SV48_HIGH + off), 0x4848, "Sv48: VA above 2^39");
    CHECK_EQ(in_s(s_load, TERA_BASE + RAM_BASE + off), 0x4848, "Sv48: 512 GiB page");
    expect_trap();
    in_s(s_load, TERA_BAD + 0x40);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, TERA_BAD + 0x40, "Sv48: misaligned 512 GiB page");
    expect_trap();
    in_s(s_load, 0x0000800000000000UL);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, 0x0000800000000000UL, "Sv48: non-canonical address (bit 47)");
}

static void test_mprv(void)
{
    set_satp(satp_sv39());
    build_tables();
    sfence_vma_all();
    uint64_t v;

    /* MPRV=1, MPP=S: M-mode loads are translated */
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, (uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
    expect_no_trap();
    __asm__ volatile("csrs mstatus, %1\n\tld %0, 0(%2)\n\tcsrc mstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(S_RW * PG + 8 * 9) : "memory");
    CHECK_EQ(v, pat(0, 9), "MPRV with MPP=S translates M-mode loads");
    __asm__ volatile("csrs mstatus, %0\n\tsd %1, 0(%2)\n\tcsrc mstatus, %0"
                     :: "r"(MSTATUS_MPRV), "r"(0x3939UL), "r"(S_AD * PG + 8 * 9) : "memory");
    CHECK_EQ(((uint64_t *)data[1])[9], 0x3939, "MPRV with MPP=S translates M-mode stores");
    CHECK_EQ(l0[S_AD] & AD, AD, "MPRV store set A and D");

    /* MPRV=1, MPP=U: U permission checks apply */
    csr_clear(mstatus, MSTATUS_MPP);
    expect_trap();
    __asm__ volatile(".option push\n.option norvc\n"
                     "csrs mstatus, %1\n\tld %0, 0(%2)\n\tcsrc mstatus, %1\n.option pop"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(S_RW * PG) : "memory");
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_RW * PG, "MPRV with MPP=U: S page faults");
    CHECK_EQ(last_trap.from, PRV_M, "MPRV fault is taken from M");
    csr_clear(mstatus, MSTATUS_MPP | MSTATUS_MPRV);
    expect_no_trap();
    __asm__ volatile("csrs mstatus, %1\n\tld %0, 0(%2)\n\tcsrc mstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_MPRV), "r"(S_URW * PG + 8 * 11) : "memory");
    CHECK_EQ(v, pat(4, 11), "MPRV with MPP=U reads a U page");
    /* instruction fetch is never affected by MPRV: this code keeps running */
    csr_set(mstatus, MSTATUS_MPRV);
    __asm__ volatile("nop\n\tnop");
    csr_clear(mstatus, MSTATUS_MPRV);
    CHECK(1, "fetch unaffected by MPRV");
}

static void test_delegated_faults(void)
{
    set_satp(satp_sv39());
    build_tables();
    sfence_vma_all();
    csr_write(stvec, (uintptr_t)strap_entry);
    csr_write(medeleg, (1UL << CAUSE_FETCH_PAGE_FAULT) | (1UL << CAUSE_LOAD_PAGE_FAULT) |
                       (1UL << CAUSE_STORE_PAGE_FAULT));

    expect_trap();
    in_u(u_load, S_UNMAPPED * PG + 0x28);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_UNMAPPED * PG + 0x28, "delegated U load fault");
    CHECK_EQ(last_trap.handler, PRV_S, "U load fault handled in S");
    CHECK_EQ(last_trap.from, PRV_U, "SPP = U");
    expect_trap();
    in_u(u_store, S_URO * PG + 0x30);
    CHECK_PF(CAUSE_STORE_PAGE_FAULT, S_URO * PG + 0x30, "delegated U store fault");
    CHECK_EQ(last_trap.handler, PRV_S, "U store fault handled in S");
    expect_trap();
    CHECK_EQ(in_u(u_jump, S_UNMAPPED * PG + 0x100), 9, "U resumed after delegated fetch fault");
    CHECK_PF(CAUSE_FETCH_PAGE_FAULT, S_UNMAPPED * PG + 0x100, "delegated U fetch fault");
    CHECK_EQ(last_trap.handler, PRV_S, "U fetch fault handled in S");
    CHECK_EQ(last_trap.epc, S_UNMAPPED * PG + 0x100, "sepc = fetch target");
    expect_trap();
    in_s(s_load, S_UNMAPPED * PG + 0x38);
    CHECK_PF(CAUSE_LOAD_PAGE_FAULT, S_UNMAPPED * PG + 0x38, "delegated S load fault");
    CHECK_EQ(last_trap.handler, PRV_S, "S load fault handled in S");
    CHECK_EQ(last_trap.from, PRV_S, "SPP = S");
    expect_no_trap();
    csr_write(medeleg, 0);
}

int main(void)
{
    set_satp(satp_sv39());
    test_common("Sv39");
    test_sv39_only();
    set_satp(satp_sv48());
    test_common("Sv48");
    test_sv48_only();
    test_mprv();
    test_delegated_faults();
    set_satp(0);
    return 0;
}
