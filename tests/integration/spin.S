# spin.S — loops forever (for --max-insns).
    .section .text.init, "ax"
    .globl _start
_start:
    addi a0, a0, 1
    j _start

    .section .tohost, "aw"
    .align 6
    .globl tohost
tohost: .dword 0
