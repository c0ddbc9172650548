/* start.S — entry from the boot ROM, the trap entry/exit, and the first
 * instruction of every task.
 *
 * The boot ROM jumps here in M-mode with a0 = hart id, a1 = device tree.
 * Hart 0 runs the kernel; any other hart parks in wfi with interrupts off.
 *
 * Traps are taken on the stack of whatever was interrupted (every context is a
 * task or the boot code): trap_entry saves the registers there as a struct
 * trap_frame (sched.h), calls trap_handler(frame), and resumes the frame it
 * returns — the same one, or another task's after a timer tick.  The CFI below
 * describes that frame, so a debugger can unwind from an interrupt handler
 * back into the task it interrupted (caller pc = the saved mepc). */

#define FRAME_SIZE      272             /* sizeof(struct trap_frame) */
#define FRAME_MEPC      0
#define FRAME_X(n)      (8 + 8 * (n))
#define FRAME_MSTATUS   264
#define DWARF_MEPC      (4096 + 0x341)  /* DWARF number of the CSR mepc */

        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        csrw    mie, zero
        la      t0, trap_entry
        csrw    mtvec, t0
        bnez    a0, park_hart

        la      sp, __boot_stack_top
        mv      s0, zero                /* the end of the frame-pointer chain */
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      call    kmain                   /* kmain(hart id, device tree): never returns */
        j       park_hart

park_hart:
        csrw    mie, zero
1:      wfi
        j       1b

        .text
/* void task_trampoline(void): a0 = argument, a1 = the task's function.
 * The outermost frame of every task: gdb's backtrace ends here. */
        .globl  task_trampoline
        .type   task_trampoline, @function
task_trampoline:
        .cfi_startproc
        .cfi_undefined ra
        mv      s0, zero
        jalr    a1
        call    task_exited
        .cfi_endproc
        .size   task_trampoline, . - task_trampoline

/* The machine trap vector (mtvec, direct mode). */
        .balign 4
        .globl  trap_entry
        .type   trap_entry, @function
trap_entry:
        .cfi_startproc
        .cfi_signal_frame
        .cfi_return_column DWARF_MEPC
        .cfi_def_cfa sp, 0
        addi    sp, sp, -FRAME_SIZE
        .cfi_def_cfa_offset FRAME_SIZE
        sd      x1, FRAME_X(1)(sp)
        .cfi_offset x1, FRAME_X(1) - FRAME_SIZE
        .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        sd      x\n, FRAME_X(\n)(sp)
        .cfi_offset x\n, FRAME_X(\n) - FRAME_SIZE
        .endr
        csrr    t0, mepc
        sd      t0, FRAME_MEPC(sp)
        .cfi_offset DWARF_MEPC, FRAME_MEPC - FRAME_SIZE
        csrr    t0, mstatus
        sd      t0, FRAME_MSTATUS(sp)
        addi    t0, sp, FRAME_SIZE
        sd      t0, FRAME_X(2)(sp)      /* the interrupted sp, for C */
        mv      a0, sp
        call    trap_handler            /* returns the frame to resume */

/* void trap_return_to(struct trap_frame *f): resume the context saved in f. */
        .globl  trap_return_to
trap_return_to:
        mv      sp, a0
        ld      t0, FRAME_MEPC(sp)
        csrw    mepc, t0
        ld      t0, FRAME_MSTATUS(sp)
        csrw    mstatus, t0
        ld      x1, FRAME_X(1)(sp)
        .irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        ld      x\n, FRAME_X(\n)(sp)
        .endr
        addi    sp, sp, FRAME_SIZE
        mret
        .cfi_endproc
        .size   trap_entry, . - trap_entry
