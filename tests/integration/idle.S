# idle.S — waits for an interrupt that no device in bare-metal mode can raise.
    .section .text.init, "ax"
    .globl _start
_start:
    wfi
    j _start

    .section .tohost, "aw"
    .align 6
    .globl tohost
tohost: .dword 0
