/* guests/tests/rv64a.S — RV64A atomics, self-checking.
 *
 * Covers every AMO in .w and .d form (returned old value, with sign extension
 * of .w results, memory result, neighbouring word untouched, .w ops ignoring
 * the upper half of rs2 — including the signed/unsigned min/max comparisons),
 * rd = x0 and rd = rs2 forms, the aq/rl encodings, and LR/SC: success,
 * failure of SC without a reservation, failure of a second SC, failure of SC
 * to another address (4 KiB away) and the invalidation that follows it, and a
 * classic LR/SC retry loop. */
#include "asm_test.h"

/* amo on a 32-bit word followed by a guard word (0x5a5a5a5a) */
.macro TEST_AMO_W insn, init, operand, old, new
        la      s0, amo_area
        li      t0, \init
        sw      t0, 0(s0)
        li      t0, 0x5a5a5a5a
        sw      t0, 4(s0)
        li      a2, \operand
        \insn   a0, a2, (s0)
        CHECK_EQ a0, \old, "\insn \init, \operand: old value (sign-extended)"
        ld      a1, 0(s0)
        CHECK_EQ a1, (0x5a5a5a5a << 32) | ((\new) & 0xffffffff), "\insn \init, \operand: memory"
.endm

.macro TEST_AMO_D insn, init, operand, old, new
        la      s0, amo_area
        li      t0, \init
        sd      t0, 0(s0)
        li      a2, \operand
        \insn   a0, a2, (s0)
        CHECK_EQ a0, \old, "\insn \init, \operand: old value"
        ld      a1, 0(s0)
        CHECK_EQ a1, \new, "\insn \init, \operand: memory"
.endm

TEST_BEGIN "rv64a"

/* ---------------------------------------------------------------- AMO .w */
        TEST_AMO_W amoswap.w, 0x80000001, 0x12345678, 0xffffffff80000001, 0x12345678
        TEST_AMO_W amoswap.w, 0x00000007, 0xffffffff89abcdef, 7, 0x89abcdef
        TEST_AMO_W amoadd.w,  0x7fffffff, 1, 0x7fffffff, 0x80000000
        TEST_AMO_W amoadd.w,  0xfffffffe, 0xffffffff00000003, 0xfffffffffffffffe, 1
        TEST_AMO_W amoxor.w,  0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf0f0f0f0
        TEST_AMO_W amoand.w,  0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x0f000f00
        TEST_AMO_W amoor.w,   0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xfff0fff0
        TEST_AMO_W amomin.w,  1, 0xffffffff, 1, 0xffffffff
        TEST_AMO_W amomin.w,  5, 0x80000000, 5, 0x80000000
        TEST_AMO_W amomin.w,  0xfffffffe, 0x00000003, 0xfffffffffffffffe, 0xfffffffe
        TEST_AMO_W amomax.w,  0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff
        TEST_AMO_W amomax.w,  5, 0x1ffffffff, 5, 5
        TEST_AMO_W amominu.w, 1, 0xffffffff, 1, 1
        TEST_AMO_W amominu.w, 5, 0x100000003, 5, 3
        TEST_AMO_W amomaxu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000
        TEST_AMO_W amomaxu.w, 1, 0xffffffff, 1, 0xffffffff

/* ---------------------------------------------------------------- AMO .d */
        TEST_AMO_D amoswap.d, 0x0123456789abcdef, -1, 0x0123456789abcdef, 0xffffffffffffffff
        TEST_AMO_D amoadd.d,  0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000
        TEST_AMO_D amoadd.d,  0x00000000ffffffff, 1, 0x00000000ffffffff, 0x100000000
        TEST_AMO_D amoxor.d,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0
        TEST_AMO_D amoand.d,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00
        TEST_AMO_D amoor.d,   0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0
        TEST_AMO_D amomin.d,  1, -1, 1, 0xffffffffffffffff
        TEST_AMO_D amomin.d,  0x80000000, 0x7fffffff, 0x80000000, 0x7fffffff
        TEST_AMO_D amomax.d,  0x8000000000000000, 1, 0x8000000000000000, 1
        TEST_AMO_D amomax.d,  0x80000000, 0x7fffffff, 0x80000000, 0x80000000
        TEST_AMO_D amominu.d, 1, -1, 1, 1
        TEST_AMO_D amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff
        TEST_AMO_D amomaxu.d, 1, -1, 1, 0xffffffffffffffff
        TEST_AMO_D amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000

        /* ordering bits are accepted (same results) */
        TEST_AMO_W amoadd.w.aq,   10, 5, 10, 15
        TEST_AMO_W amoor.w.rl,    0x10, 0x01, 0x10, 0x11
        TEST_AMO_D amoadd.d.aqrl, 10, -3, 10, 7
        TEST_AMO_D amoswap.d.aq,  3, 4, 3, 4

        /* rd = x0: memory still updated */
        la      s0, amo_area
        li      t0, 40
        sd      t0, 0(s0)
        li      a2, 2
        amoadd.d x0, a2, (s0)
        ld      a0, 0(s0)
        CHECK_EQ a0, 42, "amoadd.d with rd = x0 updates memory"
        /* rd = rs2: rd gets the old value, memory the old rs2 */
        li      a2, 7
        amoswap.d a2, a2, (s0)
        CHECK_EQ a2, 42, "amoswap.d rd = rs2: old value"
        ld      a0, 0(s0)
        CHECK_EQ a0, 7, "amoswap.d rd = rs2: memory"

/* ---------------------------------------------------------------- LR / SC */
        la      s0, lrsc_area
        li      t0, 0x1111
        sd      t0, 0(s0)
        /* make sure no reservation is held, then SC must fail */
        sc.d    t1, t0, (s0)
        li      t0, 0x1111
        sd      t0, 0(s0)
        li      a2, 0x2222
        sc.d    a0, a2, (s0)
        li      t6, 0
        bne     a0, zero, 1f
        li      t6, 1               /* sc reported success */
1:      CHECK_EQ t6, 0, "sc.d without reservation fails (rd != 0)"
        ld      a0, 0(s0)
        CHECK_EQ a0, 0x1111, "failed sc.d leaves memory alone"

        /* lr.w sign-extends; sc.w succeeds with rd = 0 */
        li      t0, 0x80000002
        sw      t0, 0(s0)
        lr.w    a0, (s0)
        CHECK_EQ a0, 0xffffffff80000002, "lr.w sign-extends"
        li      a2, 0x7654321
        sc.w    a1, a2, (s0)
        CHECK_EQ a1, 0, "sc.w after lr.w succeeds"
        lwu     a0, 0(s0)
        CHECK_EQ a0, 0x7654321, "sc.w stored"
        /* a second sc without a new lr fails */
        li      a2, 0x5555
        sc.w    a1, a2, (s0)
        li      t6, 0
        bne     a1, zero, 1f
        li      t6, 1
1:      CHECK_EQ t6, 0, "second sc.w fails"
        lwu     a0, 0(s0)
        CHECK_EQ a0, 0x7654321, "second sc.w did not store"

        /* lr.d / sc.d */
        li      t0, 0x0123456789abcdef
        sd      t0, 8(s0)
        addi    s1, s0, 8
        lr.d    a0, (s1)
        CHECK_EQ a0, 0x0123456789abcdef, "lr.d"
        addi    a0, a0, 1
        sc.d    a1, a0, (s1)
        CHECK_EQ a1, 0, "sc.d after lr.d succeeds"
        ld      a0, 8(s0)
        CHECK_EQ a0, 0x0123456789abcdf0, "sc.d stored"

        /* sc to an address outside the reservation (4 KiB away) fails,
         * and the failed sc also ends the reservation */
        li      t0, 0x77
        sd      t0, 0(s0)
        li      t1, 4096
        add     s2, s0, t1
        li      t0, 0x88
        sd      t0, 0(s2)
        lr.d    a0, (s0)
        li      a2, 0x99
        sc.d    a1, a2, (s2)
        li      t6, 0
        bne     a1, zero, 1f
        li      t6, 1
1:      CHECK_EQ t6, 0, "sc.d to another address fails"
        ld      a0, 0(s2)
        CHECK_EQ a0, 0x88, "sc.d to another address did not store"
        sc.d    a1, a2, (s0)
        li      t6, 0
        bne     a1, zero, 1f
        li      t6, 1
1:      CHECK_EQ t6, 0, "reservation gone after a failed sc.d"
        ld      a0, 0(s0)
        CHECK_EQ a0, 0x77, "memory unchanged after the failed sc.d"

        /* lr/sc retry loop: atomic add of 5, ten times */
        sd      zero, 0(s0)
        li      s3, 10
2:      lr.d    a0, (s0)
        addi    a0, a0, 5
        sc.d    a1, a0, (s0)
        bnez    a1, 2b
        addi    s3, s3, -1
        bnez    s3, 2b
        ld      a0, 0(s0)
        CHECK_EQ a0, 50, "lr/sc increment loop"

        /* aq/rl encodings of lr/sc */
        li      t0, 3
        sd      t0, 0(s0)
        lr.d.aq a0, (s0)
        addi    a0, a0, 1
        sc.d.rl a1, a0, (s0)
        CHECK_EQ a1, 0, "lr.d.aq/sc.d.rl succeeds"
        ld      a0, 0(s0)
        CHECK_EQ a0, 4, "lr.d.aq/sc.d.rl stored"

TEST_END

        .bss
        .balign 16
amo_area:
        .skip   16
        .balign 4096
lrsc_area:
        .skip   8192
