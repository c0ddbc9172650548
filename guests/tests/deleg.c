/* guests/tests/deleg.c — trap delegation and interrupts, self-checking.
 *
 * Covers medeleg (ecall from U and illegal instruction handled by the S
 * handler with scause/sepc/stval, ecall from S not delegated), mideleg of the
 * supervisor software interrupt (M sets mip.SSIP, S takes it with
 * scause = interrupt|1 once sstatus.SIE is set, at the right sepc; in U it is
 * taken regardless of SIE; S can raise it itself through sip), a pending
 * delegated interrupt never being taken in M, a non-delegated SSI taken in M
 * from S even with mstatus.MIE = 0, M-mode interrupt enable (MIE) semantics,
 * sie as a view of mie, and vectored mtvec/stvec (interrupt -> base + 4*cause,
 * exceptions -> base). */
#include "rt.h"

TEST_NAME("deleg");

#define SITE(label, insn) \
    __asm__ volatile(".option push\n.option norvc\n.globl " #label "\n" #label ":\n\t" insn \
                     "\n.option pop" ::: "memory")

#define INT_SSI (CAUSE_INTERRUPT | IRQ_S_SOFT)

extern char dg_ecall_u[], dg_ecall_s[], dg_bad_u[], dg_sie_site[], dg_sip_site[];
extern char dg_m_site[], dg_mvec_site[], dg_mvec_ecall[], dg_svec_site[];

static void reset_irq(void)
{
    last_irq.count = 0;
    last_irq.cause = last_irq.epc = last_irq.handler = last_irq.from = 0;
    vector_slot = 0;
}

/* ---------------------------------------------------------------- lower-mode code */

static long u_ecall(long arg) { SITE(dg_ecall_u, "ecall"); return arg + 1; }
static long s_ecall(long arg) { SITE(dg_ecall_s, "ecall"); return arg + 2; }
static long u_bad(long arg) { SITE(dg_bad_u, ".word 0xfe000033"); return arg + 3; }

/* S: returns how many interrupts happened while SIE was still 0, then enables
 * SIE; the pending SSI must be taken right after the csrs. */
static long s_enable_sie(long arg)
{
    (void)arg;
    long before = (long)last_irq.count;
    __asm__ volatile("csrsi sstatus, 2\n.globl dg_sie_site\ndg_sie_site:\n\tnop\n\tcsrci sstatus, 2"
                     ::: "memory");
    return before;
}

/* S: with SIE set, raise the SSI by writing sip itself */
static long s_raise_own(long arg)
{
    (void)arg;
    __asm__ volatile("csrsi sstatus, 2\n\tcsrsi sip, 2\n.globl dg_sip_site\ndg_sip_site:\n\tnop\n\t"
                     "csrci sstatus, 2" ::: "memory");
    return 0;
}

/* S: same as s_enable_sie, for the vectored stvec test */
static long s_enable_sie_vec(long arg)
{
    (void)arg;
    __asm__ volatile("csrsi sstatus, 2\n.globl dg_svec_site\ndg_svec_site:\n\tnop\n\tcsrci sstatus, 2"
                     ::: "memory");
    return 0;
}

static long u_first(long arg) { return arg + 4; }
static long s_first(long arg) { return arg + 5; }

/* ---------------------------------------------------------------- tests */

static void test_exception_delegation(void)
{
    csr_write(stvec, (uintptr_t)strap_entry);
    csr_write(medeleg, (1UL << CAUSE_USER_ECALL) | (1UL << CAUSE_ILLEGAL_INSTRUCTION));

    expect_trap();
    CHECK_EQ(run_in(PRV_U, u_ecall, 1, 0), 2, "U function resumed by the S handler");
    CHECK_EQ(last_trap.count, 1, "delegated ecall from U: one trap");
    CHECK_EQ(last_trap.handler, PRV_S, "ecall from U handled in S");
    CHECK_EQ(last_trap.cause, CAUSE_USER_ECALL, "scause = 8");
    CHECK_EQ(last_trap.epc, (uintptr_t)dg_ecall_u, "sepc = the ecall");
    CHECK_EQ(last_trap.tval, 0, "stval = 0");
    CHECK_EQ(last_trap.from, PRV_U, "sstatus.SPP = U");

    expect_trap();
    CHECK_EQ(run_in(PRV_U, u_bad, 1, 0), 4, "U function resumed after illegal instruction");
    CHECK_EQ(last_trap.handler, PRV_S, "illegal instruction from U handled in S");
    CHECK_EQ(last_trap.cause, CAUSE_ILLEGAL_INSTRUCTION, "scause = 2");
    CHECK_EQ(last_trap.epc, (uintptr_t)dg_bad_u, "sepc = the bad instruction");
    CHECK_ILLEGAL_TVAL(last_trap.tval, 0xfe000033UL, "stval = instruction bits");

    /* ecall from S is not delegated: M takes it */
    expect_trap();
    CHECK_EQ(run_in(PRV_S, s_ecall, 1, 0), 3, "S function resumed");
    CHECK_EQ(last_trap.handler, PRV_M, "ecall from S (not delegated) handled in M");
    CHECK_EQ(last_trap.cause, CAUSE_SUPERVISOR_ECALL, "mcause = 9");
    CHECK_EQ(last_trap.epc, (uintptr_t)dg_ecall_s, "mepc = the ecall");

    /* delegation only applies below M: an illegal instruction in M goes to M */
    expect_trap();
    __asm__ volatile(".word 0xfe000033");
    CHECK_EQ(last_trap.handler, PRV_M, "exception in M is never delegated");
    expect_no_trap();
    csr_write(medeleg, 0);
}

static void test_ssi_delegated(void)
{
    csr_write(stvec, (uintptr_t)strap_entry);
    csr_write(mideleg, MIP_SSIP);
    csr_write(mie, MIP_SSIP);
    CHECK_EQ(csr_read(sie) & MIP_SSIP, MIP_SSIP, "sie.SSIE mirrors mie.SSIE when delegated");
    csr_clear(sstatus, MSTATUS_SIE);

    /* pending in M: never taken there, even with MIE and SIE set */
    reset_irq();
    csr_set(mip, MIP_SSIP);
    csr_set(mstatus, MSTATUS_MIE | MSTATUS_SIE);
    __asm__ volatile("nop\n\tnop\n\tnop");
    csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
    CHECK_EQ(last_irq.count, 0, "delegated interrupt not taken in M");
    CHECK_EQ(csr_read(mip) & MIP_SSIP, MIP_SSIP, "mip.SSIP still pending");
    CHECK_EQ(csr_read(sip) & MIP_SSIP, MIP_SSIP, "sip.SSIP shows it");

    /* in S: only once SIE is set, right after the csrs */
    CHECK_EQ(run_in(PRV_S, s_enable_sie, 0, 0), 0, "not taken in S while SIE = 0");
    CHECK_EQ(last_irq.count, 1, "taken in S once SIE = 1");
    CHECK_EQ(last_irq.handler, PRV_S, "delegated SSI handled in S");
    CHECK_EQ(last_irq.cause, INT_SSI, "scause = interrupt | 1");
    CHECK_EQ(last_irq.epc, (uintptr_t)dg_sie_site, "sepc = the instruction after csrsi");
    CHECK_EQ(last_irq.from, PRV_S, "SPP = S");
    CHECK_EQ(last_irq.status & MSTATUS_SPIE, MSTATUS_SPIE, "SPIE = old SIE (1)");
    CHECK_EQ(last_irq.status & MSTATUS_SIE, 0, "SIE cleared on trap");
    CHECK_EQ(csr_read(mip) & MIP_SSIP, 0, "handler cleared SSIP");

    /* in U: taken at once whatever SIE says */
    reset_irq();
    csr_set(mip, MIP_SSIP);
    CHECK_EQ(run_in(PRV_U, u_first, 1, 0), 5, "U function ran after the interrupt");
    CHECK_EQ(last_irq.count, 1, "SSI taken in U");
    CHECK_EQ(last_irq.handler, PRV_S, "SSI from U handled in S");
    CHECK_EQ(last_irq.from, PRV_U, "SPP = U");
    CHECK_EQ(last_irq.epc, (uintptr_t)u_first, "sepc = first U instruction");

    /* S raises its own software interrupt through sip */
    reset_irq();
    run_in(PRV_S, s_raise_own, 0, 0);
    CHECK_EQ(last_irq.count, 1, "S-raised SSI taken");
    CHECK_EQ(last_irq.cause, INT_SSI, "S-raised SSI cause");
    CHECK_EQ(last_irq.epc, (uintptr_t)dg_sip_site, "S-raised SSI sepc");

    /* vectored stvec: interrupt cause 1 -> base + 4 */
    reset_irq();
    csr_write(stvec, (uintptr_t)stvec_table | 1);
    csr_set(mip, MIP_SSIP);
    run_in(PRV_S, s_enable_sie_vec, 0, 0);
    CHECK_EQ(last_irq.count, 1, "vectored: SSI taken");
    CHECK_EQ(vector_slot, 1, "vectored stvec: entered at base + 4*1");
    CHECK_EQ(last_irq.cause, INT_SSI, "vectored stvec: scause");
    CHECK_EQ(last_irq.epc, (uintptr_t)dg_svec_site, "vectored stvec: sepc");
    /* exceptions still go to base with a vectored stvec */
    csr_write(medeleg, 1UL << CAUSE_USER_ECALL);
    expect_trap();
    run_in(PRV_U, u_ecall, 0, 0);
    CHECK_EQ(last_trap.handler, PRV_S, "vectored stvec: exception handled via base");
    CHECK_EQ(last_trap.cause, CAUSE_USER_ECALL, "vectored stvec: exception cause");
    csr_write(medeleg, 0);
    csr_write(stvec, (uintptr_t)strap_entry);

    csr_write(mideleg, 0);
    csr_write(mie, 0);
}

static void test_ssi_in_m(void)
{
    csr_write(mideleg, 0);
    csr_write(mie, MIP_SSIP);

    /* M with MIE = 0: pending and enabled in mie, still not taken */
    reset_irq();
    csr_set(mip, MIP_SSIP);
    __asm__ volatile("nop\n\tnop");
    CHECK_EQ(last_irq.count, 0, "not taken in M while MIE = 0");

    /* from S with MIE = 0: M-level interrupts are always enabled below M */
    CHECK_EQ(run_in(PRV_S, s_first, 1, 0), 6, "S function ran after the interrupt");
    CHECK_EQ(last_irq.count, 1, "non-delegated SSI taken from S");
    CHECK_EQ(last_irq.handler, PRV_M, "non-delegated SSI handled in M");
    CHECK_EQ(last_irq.cause, INT_SSI, "mcause = interrupt | 1");
    CHECK_EQ(last_irq.from, PRV_S, "MPP = S");
    CHECK_EQ(last_irq.epc, (uintptr_t)s_first, "mepc = first S instruction");

    /* in M once MIE is set */
    reset_irq();
    csr_set(mip, MIP_SSIP);
    __asm__ volatile("csrsi mstatus, 8\n.globl dg_m_site\ndg_m_site:\n\tnop\n\tcsrci mstatus, 8"
                     ::: "memory");
    CHECK_EQ(last_irq.count, 1, "taken in M once MIE = 1");
    CHECK_EQ(last_irq.epc, (uintptr_t)dg_m_site, "mepc = the instruction after csrsi");
    CHECK_EQ(last_irq.status & MSTATUS_MPIE, MSTATUS_MPIE, "MPIE = old MIE (1)");
    CHECK_EQ((last_irq.status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, PRV_M, "MPP = M");

    /* vectored mtvec */
    reset_irq();
    csr_write(mtvec, (uintptr_t)mtvec_table | 1);
    csr_set(mip, MIP_SSIP);
    __asm__ volatile("csrsi mstatus, 8\n.globl dg_mvec_site\ndg_mvec_site:\n\tnop\n\tcsrci mstatus, 8"
                     ::: "memory");
    CHECK_EQ(last_irq.count, 1, "vectored mtvec: taken");
    CHECK_EQ(vector_slot, 1, "vectored mtvec: entered at base + 4*1");
    CHECK_EQ(last_irq.cause, INT_SSI, "vectored mtvec: mcause");
    CHECK_EQ(last_irq.epc, (uintptr_t)dg_mvec_site, "vectored mtvec: mepc");
    CHECK_EQ(csr_read(mtvec), (uintptr_t)mtvec_table | 1, "mtvec keeps MODE = 1");
    expect_trap();
    SITE(dg_mvec_ecall, "ecall");
    CHECK_EQ(last_trap.cause, CAUSE_MACHINE_ECALL, "vectored mtvec: exception goes to base");
    CHECK_EQ(last_trap.epc, (uintptr_t)dg_mvec_ecall, "vectored mtvec: exception mepc");
    expect_no_trap();
    csr_write(mtvec, (uintptr_t)mtrap_entry);
    csr_write(mie, 0);
}

int main(void)
{
    test_exception_delegation();
    test_ssi_delegated();
    test_ssi_in_m();
    return 0;
}
