# sig.S — writes into its signature region and exits 0 (for --signature).
    .section .text.init, "ax"
    .globl _start
_start:
    la t0, begin_signature
    li t1, 0xcafef00d
    sw t1, 4(t0)
    la t0, tohost
    li t1, 1
    sd t1, 0(t0)
1:  j 1b

    .data
    .align 4
    .globl begin_signature
begin_signature:
    .word 0x11223344
    .word 0
    .globl end_signature
end_signature:

    .section .tohost, "aw"
    .align 6
    .globl tohost
tohost: .dword 0
