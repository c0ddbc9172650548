/* guests/tests/misaligned.c — misaligned memory accesses, self-checking.
 *
 * rewind performs misaligned loads and stores in hardware (as QEMU does), so:
 *   - every load width (lh/lhu/lw/lwu/ld, flw/fld, c.lw/c.ld) at every
 *     misalignment returns the right little-endian value with the right
 *     extension, and every store width (sh/sw/sd, fsw/fsd) writes exactly its
 *     bytes;
 *   - accesses crossing a 4 KiB boundary work, both physically (M-mode) and
 *     under Sv39 where the two virtual pages map to non-adjacent physical
 *     pages; when the second page is unmapped / read-only the access takes a
 *     load/store page fault whose tval lies inside the access (the spec allows
 *     either the start address or the start of the faulting page);
 *   - misaligned AMOs raise store/AMO-address-misaligned (cause 6) with
 *     tval = address, misaligned LR raises load-address-misaligned (cause 4)
 *     and misaligned SC cause 6, and memory is left untouched. */
#include "rt.h"

TEST_NAME("misaligned");

#define DEF_LOAD(name, insn) \
    static uint64_t name(uintptr_t a) { uint64_t v; __asm__ volatile(insn " %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
#define DEF_STORE(name, insn) \
    static void name(uintptr_t a, uint64_t v) { __asm__ volatile(insn " %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }

DEF_LOAD(do_lh, "lh")
DEF_LOAD(do_lhu, "lhu")
DEF_LOAD(do_lw, "lw")
DEF_LOAD(do_lwu, "lwu")
DEF_LOAD(do_ld, "ld")
DEF_STORE(do_sh, "sh")
DEF_STORE(do_sw, "sw")
DEF_STORE(do_sd, "sd")

static uint64_t do_flw(uintptr_t a)
{
    uint64_t v;
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.w %0, ft0" : "=r"(v) : "r"(a) : "ft0", "memory");
    return v & 0xffffffffUL;
}
static uint64_t do_fld(uintptr_t a)
{
    uint64_t v;
    __asm__ volatile("fld ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(v) : "r"(a) : "ft0", "memory");
    return v;
}
static void do_fsw(uintptr_t a, uint64_t v)
{
    __asm__ volatile("fmv.w.x ft0, %0\n\tfsw ft0, 0(%1)" :: "r"(v), "r"(a) : "ft0", "memory");
}
static void do_fsd(uintptr_t a, uint64_t v)
{
    __asm__ volatile("fmv.d.x ft0, %0\n\tfsd ft0, 0(%1)" :: "r"(v), "r"(a) : "ft0", "memory");
}
static uint64_t do_clw(uintptr_t a)
{
    register uintptr_t base __asm__("a0") = a - 4;
    register uint64_t v __asm__("a1");
    __asm__ volatile("c.lw a1, 4(a0)" : "=r"(v) : "r"(base) : "memory");
    return v;
}
static uint64_t do_cld(uintptr_t a)
{
    register uintptr_t base __asm__("a0") = a - 8;
    register uint64_t v __asm__("a1");
    __asm__ volatile("c.ld a1, 8(a0)" : "=r"(v) : "r"(base) : "memory");
    return v;
}

static uint8_t buf[64] __attribute__((aligned(64)));
static uint8_t two_pages[2 * 4096] __attribute__((aligned(4096)));

static void fill(uint8_t *p, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(0x80 + i * 3);   /* bytes with the top bit set and clear */
}

/* little-endian value of n bytes at p (the independent reference) */
static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}
static uint64_t sext(uint64_t v, int bits)
{
    uint64_t m = 1UL << (bits - 1);
    v &= (bits == 64) ? ~0UL : ((1UL << bits) - 1);
    return (v ^ m) - m;
}

static void test_loads(uint8_t *base, const char *where)
{
    (void)where;
    for (int off = 0; off < 8; off++) {
        uintptr_t a = (uintptr_t)base + off;
        CHECK_EQ(do_lh(a), sext(le(base + off, 2), 16), "lh");
        CHECK_EQ(do_lhu(a), le(base + off, 2), "lhu");
        CHECK_EQ(do_lw(a), sext(le(base + off, 4), 32), "lw");
        CHECK_EQ(do_lwu(a), le(base + off, 4), "lwu");
        CHECK_EQ(do_ld(a), le(base + off, 8), "ld");
        CHECK_EQ(do_flw(a), le(base + off, 4), "flw");
        CHECK_EQ(do_fld(a), le(base + off, 8), "fld");
        CHECK_EQ(do_clw(a), sext(le(base + off, 4), 32), "c.lw");
        CHECK_EQ(do_cld(a), le(base + off, 8), "c.ld");
    }
}

static void test_stores(uint8_t *base)
{
    static const struct { int size; int fp; } kinds[] = { {2, 0}, {4, 0}, {8, 0}, {4, 1}, {8, 1} };
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (int off = 1; off < 8; off++) {
            uint8_t ref[24];
            fill(base, 24);
            memcpy(ref, base, 24);
            uint64_t v = 0x1122334455667788UL ^ ((uint64_t)off << 56);
            uintptr_t a = (uintptr_t)base + 8 + off;
            int n = kinds[k].size;
            if (kinds[k].fp)
                (n == 4 ? do_fsw : do_fsd)(a, v);
            else
                (n == 2 ? do_sh : n == 4 ? do_sw : do_sd)(a, v);
            for (int i = 0; i < n; i++)
                ref[8 + off + i] = (uint8_t)(v >> (8 * i));
            for (int i = 0; i < 24; i++)
                CHECK_EQ(base[i], ref[i], kinds[k].fp ? "misaligned fsw/fsd bytes" : "misaligned sh/sw/sd bytes");
        }
    }
}

static void test_physical_page_cross(void)
{
    uint8_t *edge = two_pages + 4096 - 8;
    fill(edge, 16);
    for (int off = 1; off < 8; off++) {
        uintptr_t a = (uintptr_t)edge + off;
        CHECK_EQ(do_ld(a), le(edge + off, 8), "ld across a 4K boundary (physical)");
        if (off > 4)
            CHECK_EQ(do_lw(a), sext(le(edge + off, 4), 32), "lw across a 4K boundary (physical)");
    }
    CHECK_EQ(do_lh((uintptr_t)edge + 7), sext(le(edge + 7, 2), 16), "lh across a 4K boundary (physical)");
    CHECK_EQ(do_lhu((uintptr_t)edge + 7), le(edge + 7, 2), "lhu across a 4K boundary (physical)");
    CHECK_EQ(do_lwu((uintptr_t)edge + 6), le(edge + 6, 4), "lwu across a 4K boundary (physical)");
    CHECK_EQ(do_fld((uintptr_t)edge + 4), le(edge + 4, 8), "fld across a 4K boundary (physical)");
    do_sd((uintptr_t)edge + 5, 0x0102030405060708UL);
    CHECK_EQ(le(edge + 5, 8), 0x0102030405060708UL, "sd across a 4K boundary (physical)");
    do_sw((uintptr_t)edge + 6, 0xa0b0c0d0UL);
    CHECK_EQ(le(edge + 6, 4), 0xa0b0c0d0UL, "sw across a 4K boundary (physical)");
    do_sh((uintptr_t)edge + 7, 0xe0f0UL);
    CHECK_EQ(le(edge + 7, 2), 0xe0f0UL, "sh across a 4K boundary (physical)");
    CHECK_EQ(le(edge + 5, 2), 0xd008UL, "bytes before the sh untouched");
    CHECK_EQ(le(edge + 9, 2), 0x03a0UL, "bytes after the sh untouched");
    do_fsw((uintptr_t)edge + 5, 0x11223344UL);
    CHECK_EQ(le(edge + 5, 4), 0x11223344UL, "fsw across a 4K boundary (physical)");
}

/* ---- misaligned access across virtual pages (Sv39) ---- */

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint8_t phys[3][4096] __attribute__((aligned(4096)));
#define VA_A 0x1000UL      /* -> phys[2] */
#define VA_B 0x2000UL      /* -> phys[0] (not adjacent to phys[2]) */
#define VA_C 0x3000UL      /* unmapped */
#define VA_D 0x4000UL      /* -> phys[1], read-only */

static uint64_t leaf(void *pa, uint64_t flags)
{
    return (((uintptr_t)pa >> 12) << PTE_PPN_SHIFT) | flags | PTE_V;
}

static long s_ld(long va) { return (long)do_ld((uintptr_t)va); }
static long s_sd(long va) { do_sd((uintptr_t)va, 0xa1a2a3a4a5a6a7a8UL); return 0; }
static long s_lw(long va) { return (long)do_lw((uintptr_t)va); }

static void test_virtual_page_cross(void)
{
    memset(root, 0, sizeof root);
    memset(l1, 0, sizeof l1);
    memset(l0, 0, sizeof l0);
    root[0] = leaf(l1, 0);
    l1[0] = leaf(l0, 0);
    root[2] = leaf((void *)0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    l0[VA_A >> 12] = leaf(phys[2], PTE_R | PTE_W);     /* A/D clear */
    l0[VA_B >> 12] = leaf(phys[0], PTE_R | PTE_W);
    l0[VA_D >> 12] = leaf(phys[1], PTE_R | PTE_A);
    for (int p = 0; p < 3; p++)
        fill(phys[p], 4096);
    phys[2][4093] = 0x11; phys[2][4094] = 0x22; phys[2][4095] = 0x33;
    phys[0][0] = 0x44; phys[0][1] = 0x55; phys[0][2] = 0x66; phys[0][3] = 0x77; phys[0][4] = 0x88;

    csr_write(satp, (SATP_MODE_SV39 << SATP_MODE_SHIFT) | ((uintptr_t)root >> 12));
    sfence_vma_all();

    expect_no_trap();
    CHECK_EQ(run_in(PRV_S, s_ld, VA_B - 3, 0), 0x8877665544332211UL,
             "ld across virtual pages mapped to non-adjacent frames");
    CHECK_EQ(run_in(PRV_S, s_lw, VA_B - 1, 0), 0x0000000066554433UL, "lw across virtual pages");
    CHECK_EQ(l0[VA_A >> 12] & (PTE_A | PTE_D), PTE_A, "first page: A set by the crossing load");
    CHECK_EQ(l0[VA_B >> 12] & (PTE_A | PTE_D), PTE_A, "second page: A set by the crossing load");
    run_in(PRV_S, s_sd, VA_B - 5, 0);
    CHECK_EQ(le(&phys[2][4091], 5), 0xa4a5a6a7a8UL, "sd across pages: low bytes in the first frame");
    CHECK_EQ(le(&phys[0][0], 3), 0xa1a2a3UL, "sd across pages: high bytes in the second frame");
    CHECK_EQ(l0[VA_A >> 12] & PTE_D, PTE_D, "first page: D set by the crossing store");
    CHECK_EQ(l0[VA_B >> 12] & PTE_D, PTE_D, "second page: D set by the crossing store");

    /* second page unmapped: load page fault; tval inside the access */
    expect_trap();
    run_in(PRV_S, s_ld, VA_C - 2, 0);
    CHECK_EQ(last_trap.cause, CAUSE_LOAD_PAGE_FAULT, "ld into an unmapped page: cause");
    CHECK(last_trap.tval == VA_C - 2 || last_trap.tval == VA_C, "ld into an unmapped page: tval");
    /* second page read-only: store page fault */
    expect_trap();
    run_in(PRV_S, s_sd, VA_D - 4, 0);
    CHECK_EQ(last_trap.cause, CAUSE_STORE_PAGE_FAULT, "sd into a read-only page: cause");
    CHECK(last_trap.tval == VA_D - 4 || last_trap.tval == VA_D, "sd into a read-only page: tval");
    CHECK_EQ(le(&phys[1][0], 4), le((const uint8_t[]){0x80, 0x83, 0x86, 0x89}, 4),
             "read-only frame unchanged");
    expect_no_trap();
    csr_write(satp, 0);
    sfence_vma_all();
}

/* ---- misaligned atomics ---- */

static uint64_t amo_area[4] __attribute__((aligned(32)));

#define AMO_AT(insn, a, v) do {                                                    \
        uint64_t r_;                                                               \
        __asm__ volatile(".option push\n.option norvc\n" insn " %0, %1, (%2)\n.option pop" \
                         : "=r"(r_) : "r"(v), "r"(a) : "memory");                  \
        (void)r_;                                                                  \
    } while (0)

/* QEMU 7.2 reports misaligned AMOs as load-address-misaligned (4); the spec
 * says store/AMO-address-misaligned (6).  Accepted under QEMU only. */
static void check_amo_trap(uintptr_t a, uint64_t cause, const char *what)
{
    static int noted;
    CHECK_EQ(last_trap.count, 1, what);
    if (on_qemu() && cause == CAUSE_MISALIGNED_STORE && last_trap.cause == CAUSE_MISALIGNED_LOAD) {
        if (!noted)
            rt_printf("NOTE %s: QEMU 7.2 reports misaligned AMOs with cause 4 (load), the spec "
                      "says 6 (store/AMO); accepted under QEMU only\n", test_name);
        noted = 1;
    } else {
        CHECK_EQ(last_trap.cause, cause, what);
    }
    CHECK_EQ(last_trap.tval, a, what);
    CHECK_EQ(amo_area[0], 0x1111111111111111UL, "memory untouched by a faulting AMO");
    CHECK_EQ(amo_area[1], 0x2222222222222222UL, "memory untouched by a faulting AMO");
}

static void test_amo(void)
{
    uintptr_t base = (uintptr_t)amo_area;
    amo_area[0] = 0x1111111111111111UL;
    amo_area[1] = 0x2222222222222222UL;
    static const int offs_w[] = { 1, 2, 3, 6 };
    static const int offs_d[] = { 1, 4, 7 };
    for (unsigned i = 0; i < 4; i++) {
        uintptr_t a = base + offs_w[i];
        expect_trap(); AMO_AT("amoadd.w", a, 1); check_amo_trap(a, CAUSE_MISALIGNED_STORE, "amoadd.w misaligned");
        expect_trap(); AMO_AT("amoswap.w", a, 1); check_amo_trap(a, CAUSE_MISALIGNED_STORE, "amoswap.w misaligned");
        expect_trap(); AMO_AT("amomaxu.w", a, 1); check_amo_trap(a, CAUSE_MISALIGNED_STORE, "amomaxu.w misaligned");
    }
    for (unsigned i = 0; i < 3; i++) {
        uintptr_t a = base + offs_d[i];
        expect_trap(); AMO_AT("amoor.d", a, 1); check_amo_trap(a, CAUSE_MISALIGNED_STORE, "amoor.d misaligned");
        expect_trap(); AMO_AT("amomin.d", a, 1); check_amo_trap(a, CAUSE_MISALIGNED_STORE, "amomin.d misaligned");
        expect_trap();
        __asm__ volatile(".option push\n.option norvc\nlr.d t0, (%0)\n.option pop" :: "r"(a) : "t0", "memory");
        check_amo_trap(a, CAUSE_MISALIGNED_LOAD, "lr.d misaligned: load-address-misaligned");
        expect_trap();
        uint64_t sc_rd = 0;
        __asm__ volatile(".option push\n.option norvc\nsc.d %0, %2, (%1)\n.option pop"
                         : "=&r"(sc_rd) : "r"(a), "r"(5UL) : "memory");
        if (on_qemu() && last_trap.count == 0 && sc_rd != 0) {
            /* QEMU 7.2 fails an SC without a reservation before checking
             * alignment; the spec (and Spike) raise the misaligned exception */
            if (i == 0)
                rt_printf("NOTE %s: QEMU 7.2 lets a misaligned sc.d simply fail instead of trapping; "
                      "accepted under QEMU only\n", test_name);
            CHECK_EQ(amo_area[0], 0x1111111111111111UL, "memory untouched by a failed sc.d");
            expect_no_trap();
        } else {
            check_amo_trap(a, CAUSE_MISALIGNED_STORE, "sc.d misaligned");
        }
    }
    expect_trap();
    __asm__ volatile(".option push\n.option norvc\nlr.w t0, (%0)\n.option pop" :: "r"(base + 2) : "t0", "memory");
    check_amo_trap(base + 2, CAUSE_MISALIGNED_LOAD, "lr.w misaligned");
    /* an 8-byte AMO that is 4-aligned is still misaligned */
    expect_trap(); AMO_AT("amoadd.d", base + 12, 1); check_amo_trap(base + 12, CAUSE_MISALIGNED_STORE, "amoadd.d 4-aligned");
    expect_no_trap();
}

int main(void)
{
    fill(buf, 64);
    test_loads(buf, "buf");
    test_loads(buf + 40, "buf+40");
    test_stores(buf + 8);
    test_physical_page_cross();
    test_virtual_page_cross();
    test_amo();
    return 0;
}
