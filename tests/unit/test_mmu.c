/* test_mmu.c — unit tests for vmm/cpu/mmu.c: Sv39 and Sv48 walks with every page size,
 * canonical-address and PTE validity checks, permission rules (U/SUM, MXR, execute), hardware
 * A/D updates, fault causes and tval through real execution (incl. page-crossing accesses and
 * fetches), MPRV, sfence.vma, satp switches, and the write-guarded page tables that keep the
 * software TLB transparent. Expected physical addresses are worked out by hand. */
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

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define SV39 (8ull << 60)
#define SV48 (9ull << 60)
#define NO_FAULT 0
#define MPP(v) (((v) >> MSTATUS_MPP_SHIFT) & 3)

struct pt {
    struct machine *m;
    uint64_t root, next;
    int levels;
};

static uint64_t pt_alloc(struct pt *p)
{
    uint64_t a = p->next;
    p->next += 4096;
    memset(ram_ptr(p->m, a), 0, 4096);
    return a;
}

static void pt_init(struct pt *p, struct machine *m, int levels, uint64_t first_page)
{
    p->m = m;
    p->next = first_page;
    p->levels = levels;
    p->root = pt_alloc(p);
}

/* Install a leaf for va at `level` (0: 4 KiB, 1: 2 MiB, 2: 1 GiB, 3: 512 GiB) with raw PTE
 * bits `pte` (PPN and flags); intermediate tables are created as needed. Returns the leaf's
 * physical address. */
static uint64_t pt_set(struct pt *p, uint64_t va, int level, uint64_t pte)
{
    uint64_t table = p->root;
    for (int l = p->levels - 1; l > level; l--) {
        uint64_t a = table + ((va >> (12 + 9 * l)) & 0x1ff) * 8;
        uint64_t e = rd64(p->m, a);
        if (!(e & PTE_V)) {
            e = (pt_alloc(p) >> 12) << 10 | PTE_V;
            wr64(p->m, a, e);
        }
        table = ((e >> 10) & ((1ull << 44) - 1)) << 12;
    }
    uint64_t a = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
    wr64(p->m, a, pte);
    return a;
}

static uint64_t pt_map(struct pt *p, uint64_t va, uint64_t pa, int level, uint64_t flags)
{
    return pt_set(p, va, level, (pa >> 12) << 10 | flags);
}

static uint64_t satp_of(const struct pt *p)
{
    return (p->levels == 3 ? SV39 : SV48) | p->root >> 12;
}

/* Sv39 with RAM identity-mapped by a supervisor gigapage (so S-mode code runs in place). */
static void sv39_identity(struct machine *m, struct pt *p)
{
    pt_init(p, m, 3, PT_BASE);
    pt_map(p, RAM_BASE, RAM_BASE, 2, RWXAD);
    csr_set(m, CSR_SATP, satp_of(p));
}

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

/* Translate and check: want_cause 0 means success with physical address want_pa. */
static void xlate(struct machine *m, uint64_t va, enum tlb_access acc, int mode, int want_cause,
                  uint64_t want_pa)
{
    uint64_t pa = 0x1234;
    int cause = mmu_translate(&m->h, va, acc, mode, &pa);
    if (cause != want_cause)
        fail_msg("va 0x%llx access %d mode %d: cause %d, expected %d", (unsigned long long)va,
                 acc, mode, cause, want_cause);
    if (!want_cause && pa != want_pa)
        fail_msg("va 0x%llx: pa 0x%llx, expected 0x%llx", (unsigned long long)va,
                 (unsigned long long)pa, (unsigned long long)want_pa);
}

/* Execute one instruction in privilege p at a fresh address (identity-mapped). */
static uint64_t step(struct machine *m, enum priv p, uint32_t insn)
{
    uint64_t pc = emit(m, insn);
    m->h.pc = pc;
    m->h.mcause = m->h.mtval = m->h.mepc = 0x5eed;
    enter_priv(m, p);
    run(m, 1);
    return pc;
}

/* ------------------------------------------------------------------ walks */

static void test_sv39_4k(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    pt_map(&p, 0x00401000, 0x80105000, 0, RWAD);
    csr_set(m, CSR_SATP, satp_of(&p));
    xlate(m, 0x00401abc, TLB_READ, PRIV_S, NO_FAULT, 0x80105abc);
    xlate(m, 0x00401000, TLB_WRITE, PRIV_S, NO_FAULT, 0x80105000);
    xlate(m, 0x00401fff, TLB_READ, PRIV_S, NO_FAULT, 0x80105fff);
    xlate(m, 0x00401abc, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0);   /* not X */
    xlate(m, 0x00401abc, TLB_READ, PRIV_U, EXC_LOAD_PAGE_FAULT, 0);   /* not U */
    xlate(m, 0x00401abc, TLB_WRITE, PRIV_U, EXC_STORE_PAGE_FAULT, 0);
    xlate(m, 0x00402000, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);   /* unmapped */
    xlate(m, 0x00400ffc, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    /* M-mode is never translated */
    xlate(m, 0x00401abc, TLB_READ, PRIV_M, NO_FAULT, 0x00401abc);
    /* satp = Bare: no translation for S either */
    csr_set(m, CSR_SATP, 0);
    xlate(m, 0x00401abc, TLB_READ, PRIV_S, NO_FAULT, 0x00401abc);
}

static void test_sv39_superpages(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    pt_map(&p, 0x00600000, 0x80200000, 1, RWAD);             /* 2 MiB */
    pt_map(&p, 0x40000000, 0x80000000, 2, RWAD);             /* 1 GiB */
    pt_map(&p, 0xffffffffc0000000ull, 0x80000000, 2, RWAD);  /* top of the upper half */
    csr_set(m, CSR_SATP, satp_of(&p));
    xlate(m, 0x006abcde, TLB_READ, PRIV_S, NO_FAULT, 0x802abcde);
    xlate(m, 0x007fffff, TLB_WRITE, PRIV_S, NO_FAULT, 0x803fffff);
    xlate(m, 0x00800000, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
    xlate(m, 0x7fedcba8, TLB_READ, PRIV_S, NO_FAULT, 0xbfedcba8);
    xlate(m, 0x40000000, TLB_WRITE, PRIV_S, NO_FAULT, 0x80000000);
    xlate(m, 0xffffffffc0001234ull, TLB_READ, PRIV_S, NO_FAULT, 0x80001234);
    xlate(m, 0xffffffffffffffffull, TLB_READ, PRIV_S, NO_FAULT, 0xbfffffff);
}

static void test_sv48_all_page_sizes(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 4, PT_BASE);
    pt_map(&p, 0x00007ffffffff000ull, 0x80105000, 0, RWAD); /* last 4K page of the lower half */
    pt_map(&p, 0x0000123456600000ull, 0x80200000, 1, RWAD);
    pt_map(&p, 0x0000400040000000ull, 0x80000000, 2, RWAD);
    pt_map(&p, 0x0000008000000000ull, 0, 3, RWAD);          /* 512 GiB at PA 0 */
    pt_map(&p, 0xffff800000000000ull, 0x80106000, 0, RWAD); /* first page of the upper half */
    csr_set(m, CSR_SATP, satp_of(&p));
    xlate(m, 0x00007ffffffff123ull, TLB_READ, PRIV_S, NO_FAULT, 0x80105123);
    xlate(m, 0x00001234567abcdeull, TLB_READ, PRIV_S, NO_FAULT, 0x803abcde);
    xlate(m, 0x0000400076543210ull, TLB_WRITE, PRIV_S, NO_FAULT, 0xb6543210);
    xlate(m, 0x0000008080001234ull, TLB_READ, PRIV_S, NO_FAULT, 0x80001234);
    xlate(m, 0x000000ffffffffffull, TLB_READ, PRIV_S, NO_FAULT, 0x7fffffffffull);
    xlate(m, 0xffff800000000008ull, TLB_READ, PRIV_S, NO_FAULT, 0x80106008);
    /* same low 48 bits, non-canonical upper bits */
    xlate(m, 0x00ff7ffffffff123ull, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
    xlate(m, 0x7fff800000000008ull, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    xlate(m, 0x0000800000000008ull, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0);
}

static void test_sv39_non_canonical(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    pt_map(&p, 0x00401000, 0x80105000, 0, RWXAD);
    csr_set(m, CSR_SATP, satp_of(&p));
    xlate(m, 0x00401008, TLB_READ, PRIV_S, NO_FAULT, 0x80105008);
    /* bits 63:39 must equal bit 38; these alias 0x00401008 in bits 38:0 */
    xlate(m, 0x0000008000401008ull, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
    xlate(m, 0xffffff8000401008ull, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    xlate(m, 0x8000000000401008ull, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0);
    /* a Sv48-canonical address is not Sv39-canonical */
    xlate(m, 0x0000400000401008ull, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
}

static void test_invalid_ptes(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    const uint64_t pa = 0x80105000;
    pt_map(&p, 0x00410000, pa, 0, PTE_R | PTE_W | PTE_A | PTE_D);             /* V = 0 */
    pt_map(&p, 0x00411000, pa, 0, PTE_V | PTE_W | PTE_A | PTE_D);             /* W without R */
    pt_map(&p, 0x00412000, pa, 0, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D);     /* W without R */
    pt_set(&p, 0x00413000, 0, (pa >> 12) << 10 | RWAD | 1ull << 54);          /* reserved */
    pt_set(&p, 0x00414000, 0, (pa >> 12) << 10 | RWAD | 1ull << 60);          /* reserved */
    pt_set(&p, 0x00415000, 0, (pa >> 12) << 10 | RWAD | 1ull << 61);          /* PBMT: no Svpbmt */
    pt_set(&p, 0x00416000, 0, (pa >> 12) << 10 | RWAD | 1ull << 63);          /* N: no Svnapot */
    pt_map(&p, 0x00417000, pa, 0, PTE_V);                    /* pointer at level 0 */
    pt_map(&p, 0x00800000, 0x80201000, 1, RWAD);             /* 2 MiB leaf, PPN not aligned */
    pt_map(&p, 0x40000000, 0x80200000, 2, RWAD);             /* 1 GiB leaf, PPN not aligned */
    pt_map(&p, 0x00418000, pa, 0, RWAD);                     /* the control: valid */
    csr_set(m, CSR_SATP, satp_of(&p));
    static const uint64_t bad[] = { 0x00410000, 0x00411000, 0x00412000, 0x00413000, 0x00414000,
                                    0x00415000, 0x00416000, 0x00417000, 0x00800000, 0x40000000 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xlate(m, bad[i] + 8, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
        xlate(m, bad[i] + 8, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
        xlate(m, bad[i] + 8, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0);
    }
    xlate(m, 0x00418008, TLB_READ, PRIV_S, NO_FAULT, pa + 8);
    /* an invalid pointer at the root level */
    wr64(m, p.root + 8 * 5, PTE_R); /* VPN[2] = 5: V = 0 */
    xlate(m, 5ull << 30, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
}

static void test_user_bit_and_sum(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    pt_map(&p, 0x00420000, 0x80106000, 0, RWXAD | PTE_U);
    pt_map(&p, 0x00421000, 0x80107000, 0, RWXAD);
    csr_set(m, CSR_SATP, satp_of(&p));
    const uint64_t u = 0x00420010, s = 0x00421010;
    /* S on a U page: data only with SUM, never execute */
    xlate(m, u, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
    xlate(m, u, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    xlate(m, u, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0);
    csr_set(m, CSR_MSTATUS, MSTATUS_SUM);
    xlate(m, u, TLB_READ, PRIV_S, NO_FAULT, 0x80106010);
    xlate(m, u, TLB_WRITE, PRIV_S, NO_FAULT, 0x80106010);
    xlate(m, u, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0);
    /* U: only U pages, SUM irrelevant */
    xlate(m, u, TLB_READ, PRIV_U, NO_FAULT, 0x80106010);
    xlate(m, u, TLB_EXEC, PRIV_U, NO_FAULT, 0x80106010);
    xlate(m, s, TLB_READ, PRIV_U, EXC_LOAD_PAGE_FAULT, 0);
    xlate(m, s, TLB_EXEC, PRIV_U, EXC_INSN_PAGE_FAULT, 0);
    csr_set(m, CSR_MSTATUS, 0);
    xlate(m, s, TLB_READ, PRIV_S, NO_FAULT, 0x80107010);
    xlate(m, s, TLB_EXEC, PRIV_S, NO_FAULT, 0x80107010);
    xlate(m, s, TLB_WRITE, PRIV_U, EXC_STORE_PAGE_FAULT, 0);
}

static void test_mxr_and_execute_only(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    pt_map(&p, 0x00430000, 0x80108000, 0, PTE_V | PTE_X | PTE_A);
    pt_map(&p, 0x00431000, 0x80109000, 0, PTE_V | PTE_X | PTE_A | PTE_U);
    pt_map(&p, 0x00432000, 0x8010a000, 0, PTE_V | PTE_R | PTE_A);
    csr_set(m, CSR_SATP, satp_of(&p));
    xlate(m, 0x00430004, TLB_EXEC, PRIV_S, NO_FAULT, 0x80108004);
    xlate(m, 0x00430004, TLB_READ, PRIV_S, EXC_LOAD_PAGE_FAULT, 0);
    xlate(m, 0x00430004, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    xlate(m, 0x00432004, TLB_EXEC, PRIV_S, EXC_INSN_PAGE_FAULT, 0); /* read-only, no X */
    xlate(m, 0x00432004, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    csr_set(m, CSR_MSTATUS, MSTATUS_MXR);
    xlate(m, 0x00430004, TLB_READ, PRIV_S, NO_FAULT, 0x80108004);
    xlate(m, 0x00430004, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    xlate(m, 0x00431004, TLB_READ, PRIV_U, NO_FAULT, 0x80109004);
    csr_set(m, CSR_MSTATUS, 0);
    xlate(m, 0x00431004, TLB_READ, PRIV_U, EXC_LOAD_PAGE_FAULT, 0);
}

static void test_hardware_ad_bits(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    const uint64_t base = PTE_V | PTE_R | PTE_W | PTE_X;
    uint64_t e1 = pt_map(&p, 0x00440000, 0x80108000, 0, base);
    uint64_t e2 = pt_map(&p, 0x00441000, 0x80109000, 0, base);
    uint64_t e3 = pt_map(&p, 0x00442000, 0x8010a000, 0, base);
    uint64_t e4 = pt_map(&p, 0x00600000, 0x80200000, 1, base);
    csr_set(m, CSR_SATP, satp_of(&p));
    const uint64_t pte1 = (0x80108000ull >> 12) << 10 | base;
    /* the debugger walk leaves the PTE alone */
    uint64_t pa;
    assert_int_equal(mmu_translate_quiet(&m->h, 0x00440000, TLB_WRITE, PRIV_S, &pa), 0);
    assert_int_equal(pa, 0x80108000);
    assert_int_equal(rd64(m, e1), pte1);
    /* a read sets A only, a write sets A and D */
    xlate(m, 0x00440000, TLB_READ, PRIV_S, NO_FAULT, 0x80108000);
    assert_int_equal(rd64(m, e1), pte1 | PTE_A);
    xlate(m, 0x00440000, TLB_WRITE, PRIV_S, NO_FAULT, 0x80108000);
    assert_int_equal(rd64(m, e1), pte1 | PTE_A | PTE_D);
    xlate(m, 0x00441000, TLB_WRITE, PRIV_S, NO_FAULT, 0x80109000);
    assert_int_equal(rd64(m, e2) & (PTE_A | PTE_D), PTE_A | PTE_D);
    xlate(m, 0x00442000, TLB_EXEC, PRIV_S, NO_FAULT, 0x8010a000);
    assert_int_equal(rd64(m, e3) & (PTE_A | PTE_D), PTE_A);
    /* superpage leaves too */
    xlate(m, 0x00612345, TLB_READ, PRIV_S, NO_FAULT, 0x80212345);
    assert_int_equal(rd64(m, e4) & (PTE_A | PTE_D), PTE_A);
    /* a faulting access sets nothing */
    uint64_t e5 = pt_map(&p, 0x00443000, 0x8010b000, 0, PTE_V | PTE_R);
    xlate(m, 0x00443000, TLB_WRITE, PRIV_S, EXC_STORE_PAGE_FAULT, 0);
    assert_int_equal(rd64(m, e5) & (PTE_A | PTE_D), 0);
}

/* ------------------------------------------------------------------ through execution */

static void test_page_faults_through_execution(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    pt_map(&p, 0x00450000, 0x80108000, 0, RWAD);
    pt_map(&p, 0x00451000, 0x80109000, 0, PTE_V | PTE_R | PTE_A);      /* read-only */
    pt_map(&p, 0x00452000, 0x8010a000, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); /* no X */
    wr64(m, 0x80108010, 0x1111222233334444);
    uint64_t pc;
    /* a working load and store */
    m->h.x[5] = 0x00450010;
    step(m, PRIV_S, LD(7, 0, 5));
    assert_int_equal(m->h.x[7], 0x1111222233334444);
    m->h.x[6] = 0xabcdef;
    step(m, PRIV_S, SD(6, 8, 5));
    assert_int_equal(rd64(m, 0x80108018), 0xabcdef);
    /* load from an unmapped page: 13 */
    m->h.x[5] = 0x00500008;
    m->h.x[7] = 0x77;
    pc = step(m, PRIV_S, LD(7, 0, 5));
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_LOAD_PAGE_FAULT);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, 0x00500008);
    assert_int_equal(m->h.x[7], 0x77);
    /* store to an unmapped page and to a read-only page: 15 */
    pc = step(m, PRIV_S, SW(6, 4, 5));
    assert_int_equal(m->h.mcause, EXC_STORE_PAGE_FAULT);
    assert_int_equal(m->h.mtval, 0x0050000c);
    assert_int_equal(m->h.mepc, pc);
    m->h.x[5] = 0x00451000;
    step(m, PRIV_S, SB(6, 0x7ff, 5));
    assert_int_equal(m->h.mcause, EXC_STORE_PAGE_FAULT);
    assert_int_equal(m->h.mtval, 0x004517ff);
    /* AMOs fault as stores */
    step(m, PRIV_S, AMO(AMO_ADD, 3, 7, 6, 5));
    assert_int_equal(m->h.mcause, EXC_STORE_PAGE_FAULT);
    assert_int_equal(m->h.mtval, 0x00451000);
    /* jump to an unmapped page and to a non-executable page: 12 at the target */
    m->h.x[5] = 0x00600000;
    pc = emit(m, JALR(1, 0, 5));
    m->h.pc = pc;
    enter_priv(m, PRIV_S);
    run(m, 2); /* the jalr retires, then the fetch faults and the handler runs */
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_INSN_PAGE_FAULT);
    assert_int_equal(m->h.mepc, 0x00600000);
    assert_int_equal(m->h.mtval, 0x00600000);
    assert_int_equal(m->h.x[1], pc + 4);
    m->h.x[5] = 0x00452010;
    m->h.pc = emit(m, JALR(0, 0, 5));
    enter_priv(m, PRIV_S);
    run(m, 2);
    assert_int_equal(m->h.mcause, EXC_INSN_PAGE_FAULT);
    assert_int_equal(m->h.mepc, 0x00452010);
    assert_int_equal(m->h.mtval, 0x00452010);
}

/* A page fault in U-mode code delegated to S: scause/sepc/stval, M untouched. */
static void test_page_fault_delegated_from_user(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    /* RAM also appears at VA 0x40000000 (supervisor gigapage) for the S trap handler */
    pt_map(&p, 0x40000000, 0x80000000, 2, RWXAD);
    const uint64_t UCODE = 0x00470000, UPA = RAM_BASE + 0x20000;
    pt_map(&p, UCODE, UPA, 0, RWXAD | PTE_U);
    pt_map(&p, 0x00471000, 0x80109000, 0, RWAD | PTE_U);
    csr_set(m, CSR_SATP, satp_of(&p));
    /* stvec: the S handler at VA 0x40003800 (= STRAP_PC physical) */
    csr_set(m, CSR_STVEC, 0x40000000 + (STRAP_PC - RAM_BASE));
    csr_set(m, CSR_MEDELEG, 1u << EXC_LOAD_PAGE_FAULT | 1u << EXC_STORE_PAGE_FAULT |
                                1u << EXC_INSN_PAGE_FAULT);
    wr32(m, UPA, LD(7, 0, 5));
    wr32(m, UPA + 4, SD(7, 0, 6));
    wr32(m, UPA + 8, J_SELF);
    m->h.x[5] = 0x00471008;
    m->h.x[6] = 0x00472000; /* unmapped */
    wr64(m, 0x80109008, 0x42);
    m->h.pc = UCODE;
    enter_priv(m, PRIV_U);
    m->h.mcause = 0x5eed;
    assert_int_equal(run(m, 2), 2); /* ld, sd faults, S handler's j . */
    assert_int_equal(m->h.x[7], 0x42);
    assert_int_equal(m->h.priv, PRIV_S);
    assert_int_equal(m->h.pc, 0x40000000 + (STRAP_PC - RAM_BASE));
    assert_int_equal(m->h.scause, EXC_STORE_PAGE_FAULT);
    assert_int_equal(m->h.sepc, UCODE + 4);
    assert_int_equal(m->h.stval, 0x00472000);
    assert_int_equal(m->h.mcause, 0x5eed);
}

static void test_page_crossing_accesses(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    /* two virtually adjacent pages on physically distant frames */
    pt_map(&p, 0x00450000, 0x8010c000, 0, RWAD);
    pt_map(&p, 0x00451000, 0x80108000, 0, RWAD);
    pt_map(&p, 0x00452000, 0x8010e000, 0, PTE_V | PTE_R | PTE_A); /* read-only */
    wr32(m, 0x8010cffc, 0x44332211);
    wr32(m, 0x80108000, 0x88776655);
    m->h.x[5] = 0x00450ffc;
    step(m, PRIV_S, LD(7, 0, 5));
    assert_int_equal(m->h.x[7], 0x8877665544332211);
    m->h.x[6] = 0x0102030405060708;
    step(m, PRIV_S, SD(6, 2, 5));
    assert_int_equal(rd16(m, 0x8010cffe), 0x0708);
    assert_int_equal(rd32(m, 0x80108000), 0x03040506);
    assert_int_equal(rd16(m, 0x80108004), 0x0102);
    /* second page unmapped: the fault names an address in the part that faulted */
    m->h.x[5] = 0x00452ffc;
    m->h.x[7] = 0x77;
    uint64_t pc = step(m, PRIV_S, LD(7, 0, 5));
    assert_int_equal(m->h.mcause, EXC_LOAD_PAGE_FAULT);
    assert_int_equal(m->h.mepc, pc);
    assert_true(m->h.mtval >= 0x00453000 && m->h.mtval < 0x00453004);
    assert_int_equal(m->h.x[7], 0x77);
    /* first page read-only: the store faults in the first part */
    m->h.x[5] = 0x00452ffc;
    pc = step(m, PRIV_S, SD(6, 0, 5));
    assert_int_equal(m->h.mcause, EXC_STORE_PAGE_FAULT);
    assert_true(m->h.mtval >= 0x00452ffc && m->h.mtval < 0x00453000);
    /* first page writable, second read-only */
    m->h.x[5] = 0x00451ffc;
    pc = step(m, PRIV_S, SD(6, 0, 5));
    assert_int_equal(m->h.mcause, EXC_STORE_PAGE_FAULT);
    assert_int_equal(m->h.mepc, pc);
    assert_true(m->h.mtval >= 0x00452000 && m->h.mtval < 0x00452004);
}

static void test_page_crossing_fetch(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    /* addi x7, x0, 123 = 0x07b00393, split across VA 0x00460ffe / 0x00461000, which live on
     * non-adjacent frames */
    pt_map(&p, 0x00460000, 0x8010a000, 0, RWXAD);
    pt_map(&p, 0x00461000, 0x8010d000, 0, RWXAD);
    wr16(m, 0x8010affe, 0x0393);
    wr16(m, 0x8010d000, 0x07b0);
    wr32(m, 0x8010d002, J_SELF);
    m->h.x[5] = 0x00460ffe;
    m->h.pc = emit(m, JALR(0, 0, 5));
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.x[7], 123);
    assert_int_equal(m->h.pc, 0x00461002);
    /* second half unmapped: fault at the instruction, tval = the second page */
    pt_map(&p, 0x00470000, 0x8010a000, 0, RWXAD);
    m->h.x[5] = 0x00470ffe;
    m->h.pc = emit(m, JALR(0, 0, 5));
    enter_priv(m, PRIV_S);
    m->h.x[7] = 0;
    run(m, 2);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_INSN_PAGE_FAULT);
    assert_int_equal(m->h.mepc, 0x00470ffe);
    assert_int_equal(m->h.mtval, 0x00471000);
    assert_int_equal(m->h.x[7], 0);
}

static void test_mprv(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE); /* RAM itself is not mapped: M fetches must stay physical */
    pt_map(&p, 0x00401000, 0x80105000, 0, RWAD);
    pt_map(&p, 0x00420000, 0x80106000, 0, RWAD | PTE_U);
    csr_set(m, CSR_SATP, satp_of(&p));
    wr64(m, 0x80105008, 0xaaaa);
    wr64(m, 0x80106008, 0xbbbb);
    /* MPRV = 0: physical */
    m->h.x[5] = 0x80105008;
    step(m, PRIV_M, LD(7, 0, 5));
    assert_int_equal(m->h.x[7], 0xaaaa);
    /* MPRV = 1, MPP = S: loads and stores translated as S */
    csr_set(m, CSR_MSTATUS, MSTATUS_MPRV | 1ull << MSTATUS_MPP_SHIFT);
    m->h.x[5] = 0x00401008;
    step(m, PRIV_M, LD(7, 0, 5));
    assert_int_equal(m->h.pc, m->at);
    assert_int_equal(m->h.x[7], 0xaaaa);
    m->h.x[6] = 0xcccc;
    step(m, PRIV_M, SD(6, 8, 5));
    assert_int_equal(rd64(m, 0x80105010), 0xcccc);
    /* S may not touch a U page without SUM */
    m->h.x[5] = 0x00420008;
    uint64_t pc = step(m, PRIV_M, LD(7, 0, 5));
    assert_int_equal(m->h.mcause, EXC_LOAD_PAGE_FAULT);
    assert_int_equal(m->h.mepc, pc);
    assert_int_equal(m->h.mtval, 0x00420008);
    assert_int_equal(MPP(m->h.mstatus), PRIV_M); /* the trap came from M */
    /* MPP = U: U pages only */
    csr_set(m, CSR_MSTATUS, MSTATUS_MPRV);
    step(m, PRIV_M, LD(7, 0, 5));
    assert_int_equal(m->h.x[7], 0xbbbb);
    m->h.x[5] = 0x00401008;
    step(m, PRIV_M, LD(7, 0, 5));
    assert_int_equal(m->h.mcause, EXC_LOAD_PAGE_FAULT);
    /* MPP = M: physical again */
    csr_set(m, CSR_MSTATUS, MSTATUS_MPRV | 3ull << MSTATUS_MPP_SHIFT);
    m->h.x[5] = 0x80106008;
    step(m, PRIV_M, LD(7, 0, 5));
    assert_int_equal(m->h.x[7], 0xbbbb);
    /* MPRV changes in the middle of a run: the next load uses the new mode */
    org(m, RAM_BASE + 0x30000);
    csr_set(m, CSR_MSTATUS, 3ull << MSTATUS_MPP_SHIFT);
    m->h.x[5] = 0x00401008;
    m->h.x[6] = MSTATUS_MPRV | 1ull << MSTATUS_MPP_SHIFT;
    m->h.x[8] = 0x80105008;
    m->h.pc = emit(m, LD(7, 0, 8));
    emit(m, CSRRW(0, CSR_MSTATUS, 6));
    emit(m, LD(9, 0, 5));
    emit(m, J_SELF);
    enter_priv(m, PRIV_M);
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.x[7], 0xaaaa);
    assert_int_equal(m->h.x[9], 0xaaaa);
}

static void test_sfence_vma_picks_up_new_ptes(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    uint64_t e = pt_map(&p, 0x00401000, 0x80105000, 0, RWAD);
    wr64(m, 0x80105008, 0x1111);
    wr64(m, 0x80106008, 0x2222);
    wr64(m, 0x80107008, 0x3333);
    m->h.x[5] = 0x00401008;
    uint64_t start = emit(m, LD(7, 0, 5));
    emit(m, SFENCE_VMA(0, 0));
    emit(m, LD(8, 0, 5));
    emit(m, SFENCE_VMA(5, 0)); /* address-specific */
    emit(m, LD(9, 0, 5));
    emit(m, J_SELF);
    m->h.pc = start;
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 1), 1);
    assert_int_equal(m->h.x[7], 0x1111);
    /* the PTE changes behind the hart's back (not through a guest store) */
    wr64(m, e, (0x80106000ull >> 12) << 10 | RWAD);
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->h.x[8], 0x2222);
    wr64(m, e, (0x80107000ull >> 12) << 10 | RWAD);
    assert_int_equal(run(m, 2), 2);
    assert_int_equal(m->h.x[9], 0x3333);
}

/* The TLB is transparent: a PTE rewritten by a guest store (or AMO) takes effect at once. */
static void test_guest_pte_store_takes_effect_immediately(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    uint64_t e = pt_map(&p, 0x00401000, 0x80105000, 0, RWAD);
    wr64(m, 0x80105008, 0x1111);
    wr64(m, 0x80106008, 0x2222);
    wr64(m, 0x80107008, 0x3333);
    m->h.x[5] = 0x00401008;
    m->h.x[10] = e; /* the PTE, through the identity mapping */
    m->h.x[9] = (0x80106000ull >> 12) << 10 | RWAD;
    m->h.x[11] = (0x80107000ull >> 12) << 10 | RWAD;
    m->h.x[13] = 0x4444;
    uint64_t start = emit(m, LD(7, 0, 5));
    emit(m, SD(13, 8, 5));                  /* fill the write TLB too */
    emit(m, SD(9, 0, 10));                  /* remap to 0x80106000 */
    emit(m, LD(8, 0, 5));
    emit(m, SD(13, 8, 5));                  /* lands in the new frame */
    emit(m, AMO(AMO_SWAP, 3, 0, 11, 10));   /* remap to 0x80107000 */
    emit(m, LD(12, 0, 5));
    emit(m, SD(0, 0, 10));                  /* unmap */
    uint64_t last = emit(m, LD(14, 0, 5));
    m->h.pc = start;
    enter_priv(m, PRIV_S);
    m->h.x[14] = 0x77;
    assert_int_equal(run(m, 9), 9);         /* 8 retire, the 9th faults, the handler's j . */
    assert_int_equal(m->h.x[7], 0x1111);
    assert_int_equal(m->h.x[8], 0x2222);
    assert_int_equal(m->h.x[12], 0x3333);
    assert_int_equal(rd64(m, 0x80105010), 0x4444);
    assert_int_equal(rd64(m, 0x80106010), 0x4444);
    assert_int_equal(m->h.x[14], 0x77);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_LOAD_PAGE_FAULT);
    assert_int_equal(m->h.mepc, last);
    assert_int_equal(m->h.mtval, 0x00401008);
}

/* Also when the mapping that changes is the one the code runs from. */
static void test_guest_remaps_its_own_code_page(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    /* code at VA 0x00480000, first on frame F1, then on F2 */
    const uint64_t F1 = RAM_BASE + 0x40000, F2 = RAM_BASE + 0x41000;
    uint64_t e = pt_map(&p, 0x00480000, F1, 0, RWXAD);
    wr32(m, F1 + 0, SD(9, 0, 10));        /* remap to F2 */
    wr32(m, F1 + 4, ADDI(7, 0, 1));       /* not reached: the next fetch comes from F2 */
    wr32(m, F2 + 4, ADDI(7, 0, 2));
    wr32(m, F2 + 8, J_SELF);
    m->h.x[10] = e;
    m->h.x[9] = (F2 >> 12) << 10 | RWXAD;
    m->h.pc = 0x00480000;
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.x[7], 2);
    assert_int_equal(m->h.pc, 0x00480008);
}

static void test_satp_write_switches_immediately(void **state)
{
    struct machine *m = *state;
    struct pt a, b;
    pt_init(&a, m, 3, PT_BASE);
    pt_map(&a, RAM_BASE, RAM_BASE, 2, RWXAD);
    pt_map(&a, 0x00401000, 0x80105000, 0, RWAD);
    pt_init(&b, m, 4, PT_BASE + 0x10000); /* Sv48 */
    pt_map(&b, RAM_BASE, RAM_BASE, 2, RWXAD);
    pt_map(&b, 0x00401000, 0x80106000, 0, RWAD);
    wr64(m, 0x80105000, 0xa);
    wr64(m, 0x80106000, 0xb);
    csr_set(m, CSR_SATP, satp_of(&a));
    m->h.x[5] = 0x00401000;
    m->h.x[6] = satp_of(&b);
    m->h.pc = emit(m, LD(7, 0, 5));
    emit(m, CSRRW(0, CSR_SATP, 6));
    emit(m, LD(8, 0, 5));
    emit(m, J_SELF);
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 3), 3);
    assert_int_equal(m->h.x[7], 0xa);
    assert_int_equal(m->h.x[8], 0xb);
}

/* A jump to a virtual address whose code changed frame (satp switch) or whose execute
 * permission differs for the current privilege must see the new translation, even right after
 * that address ran. */
static void test_jump_after_satp_switch_runs_new_code(void **state)
{
    struct machine *m = *state;
    struct pt a, b;
    const uint64_t V = 0x00480000, F1 = RAM_BASE + 0x40000, F2 = RAM_BASE + 0x41000;
    pt_init(&a, m, 3, PT_BASE);
    pt_map(&a, RAM_BASE, RAM_BASE, 2, RWXAD);
    pt_map(&a, V, F1, 0, RWXAD);
    pt_init(&b, m, 3, PT_BASE + 0x10000);
    pt_map(&b, RAM_BASE, RAM_BASE, 2, RWXAD);
    pt_map(&b, V, F2, 0, RWXAD);
    wr32(m, F1, ADDI(7, 7, 1));
    wr32(m, F1 + 4, JALR(0, 0, 1));
    wr32(m, F2, ADDI(7, 7, 10));
    wr32(m, F2 + 4, JALR(0, 0, 1));
    csr_set(m, CSR_SATP, satp_of(&a));
    m->h.x[5] = V;
    m->h.x[6] = satp_of(&b);
    m->h.pc = emit(m, JALR(1, 0, 5));
    emit(m, JALR(1, 0, 5));
    emit(m, CSRRW(0, CSR_SATP, 6));
    emit(m, JALR(1, 0, 5));
    uint64_t end = emit(m, J_SELF);
    enter_priv(m, PRIV_S);
    assert_int_equal(run(m, 10), 10);
    assert_int_equal(m->h.x[7], 1 + 1 + 10);
    assert_int_equal(m->h.pc, end);
}

static void test_jump_to_user_code_from_supervisor_faults(void **state)
{
    struct machine *m = *state;
    struct pt p;
    sv39_identity(m, &p);
    const uint64_t V = 0x00490000, F = RAM_BASE + 0x42000;
    pt_map(&p, V, F, 0, RWXAD | PTE_U);
    wr32(m, F, ADDI(7, 7, 1));
    wr32(m, F + 4, JALR(0, 0, 1));
    /* U runs it (and returns to a U page) */
    pt_map(&p, V + 0x1000, F + 0x1000, 0, RWXAD | PTE_U);
    wr32(m, F + 0x1000, JALR(1, 0, 5));
    wr32(m, F + 0x1004, J_SELF);
    m->h.x[5] = V;
    m->h.pc = V + 0x1000;
    enter_priv(m, PRIV_U);
    assert_int_equal(run(m, 4), 4);
    assert_int_equal(m->h.x[7], 1);
    assert_int_equal(m->h.pc, V + 0x1004);
    /* S may not execute it, with or without SUM */
    csr_set(m, CSR_MSTATUS, MSTATUS_SUM);
    m->h.pc = emit(m, JALR(1, 0, 5));
    enter_priv(m, PRIV_S);
    run(m, 2);
    assert_int_equal(m->h.x[7], 1);
    assert_int_equal(m->h.pc, MTRAP_PC);
    assert_int_equal(m->h.mcause, EXC_INSN_PAGE_FAULT);
    assert_int_equal(m->h.mepc, V);
}

static void test_debugger_read(void **state)
{
    struct machine *m = *state;
    struct pt p;
    pt_init(&p, m, 3, PT_BASE);
    uint64_t e = pt_map(&p, 0x00401000, 0x80105000, 0, PTE_V | PTE_R | PTE_W);
    csr_set(m, CSR_SATP, satp_of(&p));
    wr64(m, 0x80105ff8, 0x0807060504030201);
    enter_priv(m, PRIV_S);
    uint8_t buf[8];
    assert_int_equal(hart_vread(&m->h, 0x00401ff8, buf, 8), 0);
    assert_int_equal(buf[0], 1);
    assert_int_equal(buf[7], 8);
    assert_int_equal(rd64(m, e) & (PTE_A | PTE_D), 0); /* no A/D side effect */
    assert_int_equal(hart_vread(&m->h, 0x00401ffc, buf, 8), EXC_LOAD_PAGE_FAULT);
}

/* Watchpoints: only the accesses that touch a watched range stop the hart, right after the
 * instruction; the rest of its page and other pages are unaffected (they may stay in the
 * TLB), and a read watch ignores stores. */
static void test_watchpoints_by_page(void **state)
{
    struct machine *m = *state;
    org(m, CODE_BASE);
    uint64_t first = emit(m, SD(2, 0, 1));     /* other page: no stop */
    emit(m, LD(3, 0, 1));
    emit(m, SD(2, 8, 4));                      /* watched page, next to the range: no stop */
    uint64_t hit = emit(m, SD(2, 0, 4));       /* the watched doubleword: stop after it */
    uint64_t after = emit(m, LD(3, 0, 4));     /* a load of it: no stop for a write watch */
    emit(m, SD(2, 0, 1));
    emit(m, SD(2, 0, 1));
    emit(m, J_SELF);
    (void)first;
    m->h.x[1] = DATA_BASE;                     /* a page with no watch */
    m->h.x[4] = DATA_BASE + 0x2000;            /* holds the watched range */
    m->h.x[2] = 0x1122334455667788ull;
    assert_int_equal(hart_watch_add(&m->h, DATA_BASE + 0x2000, 8, HART_WATCH_WRITE), 0);
    uint64_t n = run(m, 100);
    assert_int_equal(m->stop, HART_STOP_WATCH);
    assert_int_equal(n, 4);
    assert_int_equal(m->h.pc, after);
    assert_int_equal(m->h.watch_hit_addr, DATA_BASE + 0x2000);
    assert_int_equal(rd64(m, DATA_BASE + 0x2000), 0x1122334455667788ull); /* it completed */
    assert_int_equal(rd64(m, DATA_BASE + 0x2008), 0x1122334455667788ull);
    (void)hit;
    m->h.watch_hit = false; /* taken by the caller, as vm_run does */
    /* The load of the watched doubleword and the stores elsewhere run on. */
    n = run(m, 4);
    assert_int_equal(m->stop, HART_STOP_BUDGET);
    assert_int_equal(n, 4);
    assert_int_equal(m->h.x[3], 0x1122334455667788ull);
    assert_false(m->h.watch_hit);
    /* A read watch on the same range: stores do not stop, the load does. */
    assert_int_equal(hart_watch_remove(&m->h, DATA_BASE + 0x2000, 8, HART_WATCH_WRITE), 0);
    assert_int_equal(hart_watch_add(&m->h, DATA_BASE + 0x2004, 1, HART_WATCH_READ), 0);
    m->h.pc = hit;
    n = run(m, 100);
    assert_int_equal(m->stop, HART_STOP_WATCH);
    assert_int_equal(n, 2);
    assert_int_equal(m->h.pc, after + 4);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sv39_4k),
        T(test_sv39_superpages),
        T(test_sv48_all_page_sizes),
        T(test_sv39_non_canonical),
        T(test_invalid_ptes),
        T(test_user_bit_and_sum),
        T(test_mxr_and_execute_only),
        T(test_hardware_ad_bits),
        T(test_page_faults_through_execution),
        T(test_page_fault_delegated_from_user),
        T(test_page_crossing_accesses),
        T(test_page_crossing_fetch),
        T(test_mprv),
        T(test_sfence_vma_picks_up_new_ptes),
        T(test_guest_pte_store_takes_effect_immediately),
        T(test_guest_remaps_its_own_code_page),
        T(test_satp_write_switches_immediately),
        T(test_jump_after_satp_switch_runs_new_code),
        T(test_jump_to_user_code_from_supervisor_faults),
        T(test_debugger_read),
        T(test_watchpoints_by_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
