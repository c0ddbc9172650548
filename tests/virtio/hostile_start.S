/* hostile_start.S — entry and trap stub of the hostile virtio guest (tests/virtio/hostile.c).
 * Owns: _start (M-mode, at the ELF entry the boot ROM jumps to: a0 = hart id, a1 = device
 * tree), the stack, zeroing .bss, and the trap vector: every trap is unexpected and goes to
 * unexpected_trap(mcause, mepc, mtval), which reports it and powers off. */
        .section .text.init, "ax", @progbits
        .globl  _start
_start:
        .option push
        .option norelax
        la      gp, __global_pointer$
        .option pop
        la      sp, __stack_top
        la      t0, trap_entry
        csrw    mtvec, t0
        csrw    mie, zero
        la      t0, __bss_start
        la      t1, __bss_end
1:      bgeu    t0, t1, 2f
        sd      zero, 0(t0)
        addi    t0, t0, 8
        j       1b
2:      call    main
3:      j       3b

        .text
        .balign 4
trap_entry:
        la      sp, __stack_top
        csrr    a0, mcause
        csrr    a1, mepc
        csrr    a2, mtval
        call    unexpected_trap
4:      j       4b
