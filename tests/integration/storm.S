# storm.S — points mtvec at memory that does not exist and traps: every trap then faults
# again without executing anything (a trap storm), which must end the run, not hang it.
    .section .text.init, "ax"
    .globl _start
_start:
    li t0, 0x1000000      # mtvec: nothing there
    csrw mtvec, t0
    ecall
    .section .tohost, "aw"
    .align 6
    .globl tohost
tohost: .dword 0
