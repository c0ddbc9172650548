/* guests/tests/zba_zbb.S — Zba (address generation) and Zbb (basic bit
 * manipulation), self-checking.
 *
 * Zba: sh1add/sh2add/sh3add, add.uw, sh{1,2,3}add.uw, slli.uw (zero-extending
 * the low word of rs1), zext.w.  Zbb: andn/orn/xnor, clz/clzw/ctz/ctzw of zero
 * (64/32) and W forms ignoring the upper word, cpop/cpopw, min/max (signed and
 * unsigned), sext.b/sext.h/zext.h, rol/ror/rori and the W forms (shift amount
 * masking, result sign extension), orc.b, rev8.
 * Expected values from an independent Python model of the spec. */
#include "asm_test.h"

TEST_BEGIN "zba_zbb"

        TEST_RR sh1add, 3, 4, 0xa
        TEST_RR sh1add, -1, 1, 0xffffffffffffffff
        TEST_RR sh1add, 0x8000000000000001, 0, 2
        TEST_RR sh2add, 3, 4, 0x10
        TEST_RR sh2add, 0x4000000000000000, 5, 5
        TEST_RR sh3add, 3, 4, 0x1c
        TEST_RR sh3add, -1, 8, 0
        TEST_RR add.uw, 0xffffffff80000000, 1, 0x80000001
        TEST_RR add.uw, 0x100000005, -5, 0
        TEST_RR sh1add.uw, 0xffffffff80000000, 1, 0x100000001
        TEST_RR sh1add.uw, 0x100000003, 0x10, 0x16
        TEST_RR sh2add.uw, 0xffffffffffffffff, 0, 0x3fffffffc
        TEST_RR sh3add.uw, 0xffffffff00000001, 0x100, 0x108
        TEST_RR andn, 0xff00ff, 0xf0f0f, 0xf000f0
        TEST_RR orn, 0xff00ff, 0xf0f0f, 0xfffffffffffff0ff
        TEST_RR xnor, 0xff00ff, 0xf0f0f, 0xffffffffff0ff00f
        TEST_RR max, -1, 1, 1
        TEST_RR max, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
        TEST_RR max, 5, 5, 5
        TEST_RR min, -1, 1, 0xffffffffffffffff
        TEST_RR min, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
        TEST_RR maxu, -1, 1, 0xffffffffffffffff
        TEST_RR maxu, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
        TEST_RR minu, -1, 1, 1
        TEST_RR minu, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
        TEST_RR rol, 0x123456789abcdef, 0, 0x123456789abcdef
        TEST_RR rol, 0x123456789abcdef, 4, 0x123456789abcdef0
        TEST_RR rol, 0x123456789abcdef, 0x3f, 0x8091a2b3c4d5e6f7
        TEST_RR rol, 0x123456789abcdef, 0x48, 0x23456789abcdef01
        TEST_RR rol, 0x8000000000000000, 1, 1
        TEST_RR ror, 0x123456789abcdef, 0, 0x123456789abcdef
        TEST_RR ror, 0x123456789abcdef, 4, 0xf0123456789abcde
        TEST_RR ror, 0x123456789abcdef, 0x3f, 0x2468acf13579bde
        TEST_RR ror, 1, 1, 0x8000000000000000
        TEST_RR rolw, 0x80000001, 1, 3
        TEST_RR rolw, 0x1234567880000001, 0, 0xffffffff80000001
        TEST_RR rolw, 0x12345678, 0x24, 0x23456781
        TEST_RR rolw, 0x40000000, 1, 0xffffffff80000000
        TEST_RR rorw, 1, 1, 0xffffffff80000000
        TEST_RR rorw, 0x1234567800000002, 1, 1
        TEST_RR rorw, 0x12345678, 0x24, 0xffffffff81234567
        TEST_R1 clz, 0, 0x40
        TEST_R1 clz, 1, 0x3f
        TEST_R1 clz, -1, 0
        TEST_R1 clz, 0x8000000000000000, 0
        TEST_R1 clz, 0xffffffff, 0x20
        TEST_R1 clzw, 0, 0x20
        TEST_R1 clzw, 1, 0x1f
        TEST_R1 clzw, 0x80000000, 0
        TEST_R1 clzw, 0xffffffff00000000, 0x20
        TEST_R1 clzw, 0xffff, 0x10
        TEST_R1 ctz, 0, 0x40
        TEST_R1 ctz, 1, 0
        TEST_R1 ctz, 0x8000000000000000, 0x3f
        TEST_R1 ctz, 0x10, 4
        TEST_R1 ctzw, 0, 0x20
        TEST_R1 ctzw, 0x100000000, 0x20
        TEST_R1 ctzw, 0x80000000, 0x1f
        TEST_R1 ctzw, 0xffffffff00000100, 8
        TEST_R1 cpop, 0, 0
        TEST_R1 cpop, -1, 0x40
        TEST_R1 cpop, 0x123456789abcdef, 0x20
        TEST_R1 cpopw, 0xffffffff00000000, 0
        TEST_R1 cpopw, 0x12345678ffffffff, 0x20
        TEST_R1 cpopw, 0xf0f0, 8
        TEST_R1 sext.b, 0x80, 0xffffffffffffff80
        TEST_R1 sext.b, 0x7f, 0x7f
        TEST_R1 sext.b, 0x1234, 0x34
        TEST_R1 sext.h, 0x8000, 0xffffffffffff8000
        TEST_R1 sext.h, 0x7fff, 0x7fff
        TEST_R1 sext.h, 0x123456789, 0x6789
        TEST_R1 zext.h, -1, 0xffff
        TEST_R1 zext.h, 0x12345678, 0x5678
        TEST_R1 orc.b, 0x100200003004000, 0xff00ff00ff00ff00
        TEST_R1 orc.b, 0, 0
        TEST_R1 orc.b, -1, 0xffffffffffffffff
        TEST_R1 orc.b, 0x80, 0xff
        TEST_R1 rev8, 0x123456789abcdef, 0xefcdab8967452301
        TEST_R1 rev8, 0xff, 0xff00000000000000
        TEST_RI slli.uw, 0xffffffff80000001, 0, 0x80000001
        TEST_RI slli.uw, 0xffffffff80000001, 1, 0x100000002
        TEST_RI slli.uw, 0xffffffff80000001, 32, 0x8000000100000000
        TEST_RI slli.uw, 0x1ffffffff, 63, 0x8000000000000000
        TEST_RI rori, 0x123456789abcdef, 0, 0x123456789abcdef
        TEST_RI rori, 0x123456789abcdef, 8, 0xef0123456789abcd
        TEST_RI rori, 0x123456789abcdef, 63, 0x2468acf13579bde
        TEST_RI rori, 0x123456789abcdef, 32, 0x89abcdef01234567
        TEST_RI roriw, 0x80000001, 1, 0xffffffffc0000000
        TEST_RI roriw, 0xffffffff12345678, 0, 0x12345678
        TEST_RI roriw, 0x12345678, 31, 0x2468acf0
        TEST_RI roriw, 1, 31, 2

        li      a1, 0xfedcba9880000000
        zext.w  a0, a1
        CHECK_EQ a0, 0x80000000, "zext.w"
        /* rd = rs forms */
        li      a1, 0x00ff
        clz     a1, a1
        CHECK_EQ a1, 56, "clz rd = rs"
        li      a1, 0x10
        sh3add  a1, a1, a1
        CHECK_EQ a1, 0x90, "sh3add rd = rs1 = rs2"
TEST_END
