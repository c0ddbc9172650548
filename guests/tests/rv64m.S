/* guests/tests/rv64m.S — RV64M multiply/divide, self-checking.
 *
 * Covers mul/mulh/mulhsu/mulhu/mulw (signs, extremes, W sign extension and W
 * forms ignoring the upper input bits) and div/divu/rem/remu and their W forms,
 * including division by zero (quotient all ones, remainder = dividend) and the
 * signed overflow case MIN / -1 (quotient MIN, remainder 0).
 * Expected values were computed independently (Python model of the spec). */
#include "asm_test.h"

TEST_BEGIN "rv64m"

        TEST_RR mul, 3, 7, 0x15
        TEST_RR mul, -3, 7, 0xffffffffffffffeb
        TEST_RR mul, 0x100000000, 0x100000000, 0
        TEST_RR mul, 0x8000000000000000, -1, 0x8000000000000000
        TEST_RR mul, 0x123456789abcdef0, 0xfedcba987654321, 0x2236d88fe5618cf0
        TEST_RR mulh, 3, 7, 0
        TEST_RR mulh, -1, -1, 0
        TEST_RR mulh, -1, 1, 0xffffffffffffffff
        TEST_RR mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
        TEST_RR mulh, 0x8000000000000000, -1, 0
        TEST_RR mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff
        TEST_RR mulh, 0x123456789abcdef0, -1147797409030816545, 0xfede05ff528828bd
        TEST_RR mulhsu, -1, -1, 0xffffffffffffffff
        TEST_RR mulhsu, -1, 1, 0xffffffffffffffff
        TEST_RR mulhsu, 0x8000000000000000, -1, 0x8000000000000000
        TEST_RR mulhsu, 2, -1, 1
        TEST_RR mulhsu, 0x7fffffffffffffff, -1, 0x7ffffffffffffffe
        TEST_RR mulhsu, -2, 0x8000000000000000, 0xffffffffffffffff
        TEST_RR mulhu, -1, -1, 0xfffffffffffffffe
        TEST_RR mulhu, -1, 1, 0
        TEST_RR mulhu, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
        TEST_RR mulhu, 2, -1, 1
        TEST_RR mulhu, 0x123456789abcdef0, 0xfedcba987654321, 0x121fa00ad77d742
        TEST_RR mulw, 3, 7, 0x15
        TEST_RR mulw, 0x10000, 0x10000, 0
        TEST_RR mulw, 0x7fffffff, 2, 0xfffffffffffffffe
        TEST_RR mulw, 0x100000003, 0x500000007, 0x15
        TEST_RR mulw, -1, -1, 1
        TEST_RR div, 0x14, 6, 3
        TEST_RR div, -20, 6, 0xfffffffffffffffd
        TEST_RR div, 0x14, -6, 0xfffffffffffffffd
        TEST_RR div, -20, -6, 3
        TEST_RR div, 5, 0, 0xffffffffffffffff
        TEST_RR div, -5, 0, 0xffffffffffffffff
        TEST_RR div, 0, 0, 0xffffffffffffffff
        TEST_RR div, 0x8000000000000000, -1, 0x8000000000000000
        TEST_RR div, 0x8000000000000000, 1, 0x8000000000000000
        TEST_RR div, 0x8000000000000000, 2, 0xc000000000000000
        TEST_RR divu, 0x14, 6, 3
        TEST_RR divu, -20, 6, 0x2aaaaaaaaaaaaaa7
        TEST_RR divu, 5, 0, 0xffffffffffffffff
        TEST_RR divu, 0, 0, 0xffffffffffffffff
        TEST_RR divu, 0x8000000000000000, -1, 0
        TEST_RR divu, -1, 2, 0x7fffffffffffffff
        TEST_RR rem, 0x14, 6, 2
        TEST_RR rem, -20, 6, 0xfffffffffffffffe
        TEST_RR rem, 0x14, -6, 2
        TEST_RR rem, -20, -6, 0xfffffffffffffffe
        TEST_RR rem, 5, 0, 5
        TEST_RR rem, -5, 0, 0xfffffffffffffffb
        TEST_RR rem, 0x8000000000000000, -1, 0
        TEST_RR rem, 0x8000000000000000, 3, 0xfffffffffffffffe
        TEST_RR remu, 0x14, 6, 2
        TEST_RR remu, -20, 6, 2
        TEST_RR remu, 5, 0, 5
        TEST_RR remu, -5, 0, 0xfffffffffffffffb
        TEST_RR remu, 0x8000000000000000, -1, 0x8000000000000000
        TEST_RR divw, 0x14, 6, 3
        TEST_RR divw, -20, 6, 0xfffffffffffffffd
        TEST_RR divw, 5, 0, 0xffffffffffffffff
        TEST_RR divw, 0x80000000, -1, 0xffffffff80000000
        TEST_RR divw, 0x80000000, 0xffffffff, 0xffffffff80000000
        TEST_RR divw, 0x100000014, 0x200000006, 3
        TEST_RR divw, 0x7fffffff, -1, 0xffffffff80000001
        TEST_RR divuw, 0x14, 6, 3
        TEST_RR divuw, 0xfffffff6, 3, 0x55555552
        TEST_RR divuw, 5, 0, 0xffffffffffffffff
        TEST_RR divuw, 0x80000000, 0xffffffff, 0
        TEST_RR divuw, 0x180000000, 2, 0x40000000
        TEST_RR remw, 0x14, 6, 2
        TEST_RR remw, -20, 6, 0xfffffffffffffffe
        TEST_RR remw, 0x14, -6, 2
        TEST_RR remw, 5, 0, 5
        TEST_RR remw, -5, 0, 0xfffffffffffffffb
        TEST_RR remw, 0x80000000, -1, 0
        TEST_RR remw, 0x1fffffff1, 4, 0xfffffffffffffffd
        TEST_RR remuw, 0x14, 6, 2
        TEST_RR remuw, 0xfffffff6, 7, 1
        TEST_RR remuw, 5, 0, 5
        TEST_RR remuw, 0xfffffffb, 0, 0xfffffffffffffffb
        TEST_RR remuw, 0x180000001, 0x80000000, 1

        /* destination overlapping a source, and the mulh/mul pairing */
        li      a1, 0x0123456789abcdef
        mul     a1, a1, a1
        CHECK_EQ a1, 0xdca5e20890f2a521, "mul rd = rs1 = rs2"
        li      a1, 0x0123456789abcdef
        li      a2, 0x0123456789abcdef
        mulhu   a3, a1, a2
        mul     a4, a1, a2
        CHECK_EQ a3, 0x14b66dc33f6ac, "mulhu of the same pair"
        CHECK_EQ a4, 0xdca5e20890f2a521, "mul of the same pair"
        li      a1, 100
        li      a2, 7
        div     a2, a1, a2
        CHECK_EQ a2, 14, "div rd = rs2"
        li      a1, 100
        li      a2, 7
        rem     a1, a1, a2
        CHECK_EQ a1, 2, "rem rd = rs1"
        li      a1, 9
        divu    x0, a1, x0
        CHECK_EQ x0, 0, "divu to x0 by zero"

TEST_END
