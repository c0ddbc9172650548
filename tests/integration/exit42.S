# exit42.S — smallest HTIF program: prints "x" and exits with status 42.
    .section .text.init, "ax"
    .globl _start
_start:
    la t0, tohost
    li t1, (1 << 56) | (1 << 48) | 'x'
    sd t1, 0(t0)
    li t1, (42 << 1) | 1
    sd t1, 0(t0)
1:  j 1b

    .section .tohost, "aw"
    .align 6
    .globl tohost
tohost: .dword 0
    .align 6
    .globl fromhost
fromhost: .dword 0
