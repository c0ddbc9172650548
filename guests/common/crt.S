/* guests/common/crt.S — start-up code and trap plumbing shared by every guest.
 *
 * Owns: the entry point _start (M-mode, registers may all be zero), the HTIF
 * words tohost/fromhost, the M- and S-mode trap entries (full integer register
 * frame handed to C: m_trap_c / s_trap_c), the vectored trap tables used by the
 * interrupt tests, and run_in(): "call a function in S- or U-mode and come back".
 */
#include "riscv_defs.h"

#define FRAME_SIZE (32 * 8)

/* Save x1..x31 into a frame on the trap stack whose top is in \scratch;
 * the interrupted sp is stored as x2 of the frame. */
.macro SAVE_FRAME scratch
        csrrw   sp, \scratch, sp        /* sp = trap stack, scratch = old sp */
        addi    sp, sp, -FRAME_SIZE
        sd      x1, 1*8(sp)
        .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd      x\r, \r*8(sp)
        .endr
        csrr    t0, \scratch
        sd      t0, 2*8(sp)
        sd      x0, 0(sp)
.endm

/* Restore from the frame (the C code may have edited it), reset the scratch
 * register to the trap stack top, and leave sp as stored in the frame. */
.macro RESTORE_FRAME scratch
        addi    t0, sp, FRAME_SIZE
        csrw    \scratch, t0
        ld      x1, 1*8(sp)
        .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld      x\r, \r*8(sp)
        .endr
        ld      sp, 2*8(sp)
.endm

        .section .text.init, "ax", @progbits
        .option push
        .option norvc
        .globl  _start
_start:
        /* 0x80000000: keep this first instruction 4 bytes wide and simple */
        la      sp, __stack_top
        la      t0, mtrap_entry
        csrw    mtvec, t0
        la      t0, __mtrap_stack_top
        csrw    mscratch, t0
        la      t0, __strap_stack_top
        csrw    sscratch, t0
        /* PMP: one NAPOT entry covering everything, R|W|X, so S and U can run. */
        li      t0, -1
        csrw    pmpaddr0, t0
        li      t0, (PMP_R | PMP_W | PMP_X | PMP_NAPOT)
        csrw    pmpcfg0, t0
        /* Known machine state: no delegation, no interrupts, no paging, FPU on. */
        csrw    medeleg, zero
        csrw    mideleg, zero
        csrw    mie, zero
        csrw    satp, zero
        li      t0, (MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPRV | MSTATUS_FS | MSTATUS_MPP)
        csrc    mstatus, t0
        li      t0, MSTATUS_FS_INITIAL
        csrs    mstatus, t0
        csrw    fcsr, zero
        /* zero .bss */
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:
        li      a0, 0
        li      a1, 0
        call    main
        call    rt_finish               /* prints the verdict, never returns */
3:      j       3b
        .option pop

        .text
/* ---------------- M-mode trap entry (direct mode) ---------------- */
        .balign 4
        .globl  mtrap_entry
mtrap_entry:
        SAVE_FRAME mscratch
        mv      a0, sp
        call    m_trap_c
        RESTORE_FRAME mscratch
        mret

/* ---------------- S-mode trap entry (direct mode) ---------------- */
        .balign 4
        .globl  strap_entry
strap_entry:
        SAVE_FRAME sscratch
        mv      a0, sp
        call    s_trap_c
        RESTORE_FRAME sscratch
        sret

/* ---------------- vectored tables ----------------
 * Slot 0 (exceptions) goes to the direct-mode entry; slot N>0 saves a frame and
 * calls m_vector_c(frame, N) / s_vector_c(frame, N). */
        .option push
        .option norvc
        .balign 256
        .globl  mtvec_table
mtvec_table:
        j       mtrap_entry
        .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        j       mvec_slot_\n
        .endr

        .balign 256
        .globl  stvec_table
stvec_table:
        j       strap_entry
        .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        j       svec_slot_\n
        .endr
        .option pop

        .irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
mvec_slot_\n:
        SAVE_FRAME mscratch
        li      a1, \n
        j       mvec_common
svec_slot_\n:
        SAVE_FRAME sscratch
        li      a1, \n
        j       svec_common
        .endr

mvec_common:
        mv      a0, sp
        call    m_vector_c
        RESTORE_FRAME mscratch
        mret

svec_common:
        mv      a0, sp
        call    s_vector_c
        RESTORE_FRAME sscratch
        sret

/* ---------------- run_in ----------------
 * long run_in_raw(mode, pc, arg, sp, ra)
 * Enters `mode` (PRV_S or PRV_U) at pc with a0=arg, sp, ra; the code there comes
 * back by "ecall" with a7 = RUN_IN_EXIT_MAGIC (run_in_trampoline does that when
 * the function returns), and m_trap_c then calls run_in_return(a0). */
        .globl  run_in_raw
run_in_raw:
        la      t0, run_in_ctx
        sd      ra, 0*8(t0)
        sd      sp, 1*8(t0)
        sd      gp, 2*8(t0)
        sd      tp, 3*8(t0)
        sd      s0, 4*8(t0)
        sd      s1, 5*8(t0)
        sd      s2, 6*8(t0)
        sd      s3, 7*8(t0)
        sd      s4, 8*8(t0)
        sd      s5, 9*8(t0)
        sd      s6, 10*8(t0)
        sd      s7, 11*8(t0)
        sd      s8, 12*8(t0)
        sd      s9, 13*8(t0)
        sd      s10, 14*8(t0)
        sd      s11, 15*8(t0)
        li      t1, MSTATUS_MPP
        csrc    mstatus, t1
        slli    t2, a0, MSTATUS_MPP_SHIFT
        csrs    mstatus, t2
        csrw    mepc, a1
        mv      a0, a2
        mv      sp, a3
        mv      ra, a4
        /* no stale values (a7 = RUN_IN_EXIT_MAGIC in particular) leak down */
        .irp r, a1,a2,a3,a4,a5,a6,a7,t0,t1,t2,t3,t4,t5,t6
        li      \r, 0
        .endr
        mret

        .globl  run_in_return
run_in_return:
        la      t0, __mtrap_stack_top
        csrw    mscratch, t0
        la      t0, run_in_ctx
        ld      ra, 0*8(t0)
        ld      sp, 1*8(t0)
        ld      gp, 2*8(t0)
        ld      tp, 3*8(t0)
        ld      s0, 4*8(t0)
        ld      s1, 5*8(t0)
        ld      s2, 6*8(t0)
        ld      s3, 7*8(t0)
        ld      s4, 8*8(t0)
        ld      s5, 9*8(t0)
        ld      s6, 10*8(t0)
        ld      s7, 11*8(t0)
        ld      s8, 12*8(t0)
        ld      s9, 13*8(t0)
        ld      s10, 14*8(t0)
        ld      s11, 15*8(t0)
        ret

        .option push
        .option norvc
        .balign 4
        .globl  run_in_trampoline
run_in_trampoline:
        li      a7, RUN_IN_EXIT_MAGIC
        ecall
1:      j       1b
        .option pop

/* uint64_t m_load_half_as_prev(uintptr_t va): lhu with mstatus.MPRV set, so the
 * access is translated/checked as the privilege in mstatus.MPP (the mode a trap
 * came from).  Used by the M-mode handler to read the trapping instruction. */
        .globl  m_load_half_as_prev
m_load_half_as_prev:
        li      t0, MSTATUS_MPRV
        csrs    mstatus, t0
        lhu     a0, 0(a0)
        csrc    mstatus, t0
        ret

        .bss
        .balign 8
run_in_ctx:
        .skip   16 * 8

/* ---------------- HTIF ---------------- */
        .section .tohost, "aw", @progbits
        .balign 64
        .globl  tohost
        .type   tohost, @object
        .size   tohost, 8
tohost: .dword  0
        .globl  fromhost
        .type   fromhost, @object
        .size   fromhost, 8
fromhost: .dword 0
