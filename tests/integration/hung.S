# hung.S — keeps a software interrupt pending and enabled in mie but never enables
# interrupts globally, and spins: a hart hung with interrupts off.
    .section .text.init, "ax"
    .globl _start
_start:
    li t0, 1 << 3          # mie.MSIE
    csrw mie, t0
    li t0, 2               # SSIP pending, SSIE enabled, but SIE/MIE off and in M-mode
    csrw mip, t0
    csrw mie, t0
1:  j 1b
    .section .tohost, "aw"
    .align 6
    .globl tohost
tohost: .dword 0
