/* guests/common/fp_test.h — macros for the F and D assembly tests (on top of
 * asm_test.h).  `fmt` is s or d; operands and results are raw IEEE bit patterns.
 * Each macro clears fflags, runs one instruction and checks the result bits
 * and the exact fflags value.  Single-precision results are also checked to
 * be NaN-boxed (upper 32 bits of the f register all ones), and read back with
 * fmv.x.w, which sign-extends bit 31 (the expected value is sign-extended here).
 * Register use: ft0..ft3, t0, a0, a1, a3 (plus what CHECK_EQ uses). */
#ifndef GUESTS_FP_TEST_H
#define GUESTS_FP_TEST_H
#include "asm_test.h"

#define SEXT32(x) ((((x) & 0xffffffff) ^ 0x80000000) - 0x80000000)

.macro FP_SET freg, fmt, bits
        li      t0, \bits
        .ifc \fmt, s
        fmv.w.x \freg, t0
        .else
        fmv.d.x \freg, t0
        .endif
.endm

.macro FP_EXPECT freg, fmt, result, flags, desc
        csrr    a1, fflags
        .ifc \fmt, s
        fmv.x.w a0, \freg
        CHECK_EQ a0, SEXT32(\result), "\desc"
        fmv.x.d a3, \freg
        srai    a3, a3, 32
        CHECK_EQ a3, -1, "\desc: result NaN-boxed"
        .else
        fmv.x.d a0, \freg
        CHECK_EQ a0, \result, "\desc"
        .endif
        CHECK_EQ a1, \flags, "\desc: fflags"
.endm

/* one f source, f result, rounding mode */
.macro FT1 insn, fmt, a, result, flags, rm=dyn
        FP_SET  ft0, \fmt, \a
        csrwi   fflags, 0
        \insn   ft3, ft0, \rm
        FP_EXPECT ft3, \fmt, \result, \flags, "\insn \a rm=\rm"
.endm

/* two f sources, f result, rounding mode */
.macro FT2 insn, fmt, a, b, result, flags, rm=dyn
        FP_SET  ft0, \fmt, \a
        FP_SET  ft1, \fmt, \b
        csrwi   fflags, 0
        \insn   ft3, ft0, ft1, \rm
        FP_EXPECT ft3, \fmt, \result, \flags, "\insn \a, \b rm=\rm"
.endm

/* two f sources, f result, no rounding mode (fmin/fmax/fsgnj*) */
.macro FT2N insn, fmt, a, b, result, flags
        FP_SET  ft0, \fmt, \a
        FP_SET  ft1, \fmt, \b
        csrwi   fflags, 0
        \insn   ft3, ft0, ft1
        FP_EXPECT ft3, \fmt, \result, \flags, "\insn \a, \b"
.endm

/* three f sources (fused multiply-add family) */
.macro FT3 insn, fmt, a, b, c, result, flags, rm=dyn
        FP_SET  ft0, \fmt, \a
        FP_SET  ft1, \fmt, \b
        FP_SET  ft2, \fmt, \c
        csrwi   fflags, 0
        \insn   ft3, ft0, ft1, ft2, \rm
        FP_EXPECT ft3, \fmt, \result, \flags, "\insn \a, \b, \c rm=\rm"
.endm

/* comparisons: integer result */
.macro FTCMP insn, fmt, a, b, result, flags
        FP_SET  ft0, \fmt, \a
        FP_SET  ft1, \fmt, \b
        csrwi   fflags, 0
        \insn   a0, ft0, ft1
        csrr    a1, fflags
        CHECK_EQ a0, \result, "\insn \a, \b"
        CHECK_EQ a1, \flags, "\insn \a, \b: fflags"
.endm

/* fclass: integer result, never sets flags */
.macro FTCLASS insn, fmt, a, result
        FP_SET  ft0, \fmt, \a
        csrwi   fflags, 0
        \insn   a0, ft0
        csrr    a1, fflags
        CHECK_EQ a0, \result, "\insn \a"
        CHECK_EQ a1, 0, "\insn \a: fflags"
.endm

/* float -> integer conversion (full 64-bit integer result checked) */
.macro FTF2I insn, fmt, a, result, flags, rm=dyn
        FP_SET  ft0, \fmt, \a
        csrwi   fflags, 0
        \insn   a0, ft0, \rm
        csrr    a1, fflags
        CHECK_EQ a0, \result, "\insn \a rm=\rm"
        CHECK_EQ a1, \flags, "\insn \a rm=\rm: fflags"
.endm

/* integer -> float conversion into format fmt (rm=none: exact, no rm operand) */
.macro FTI2F insn, fmt, a, result, flags, rm=dyn
        li      a2, \a
        csrwi   fflags, 0
        .ifc \rm, none
        \insn   ft3, a2
        .else
        \insn   ft3, a2, \rm
        .endif
        FP_EXPECT ft3, \fmt, \result, \flags, "\insn \a rm=\rm"
.endm

/* float -> float conversion: source format sfmt, destination format dfmt
 * (rm=none for the exact widening fcvt.d.s) */
.macro FTF2F insn, sfmt, dfmt, a, result, flags, rm=dyn
        FP_SET  ft0, \sfmt, \a
        csrwi   fflags, 0
        .ifc \rm, none
        \insn   ft3, ft0
        .else
        \insn   ft3, ft0, \rm
        .endif
        FP_EXPECT ft3, \dfmt, \result, \flags, "\insn \a rm=\rm"
.endm

/* expect the next instruction(s) to raise an illegal-instruction trap:
 *   EXPECT_TRAP_BEGIN ; <instruction> ; EXPECT_TRAP_END cause, "desc" */
.macro EXPECT_TRAP_BEGIN
        call    expect_trap
.endm
.macro EXPECT_TRAP_END cause, desc
        la      t0, last_trap
        ld      a0, 0(t0)
        CHECK_EQ a0, 1, "\desc: trap taken"
        la      t0, last_trap
        ld      a0, 8(t0)
        CHECK_EQ a0, \cause, "\desc: cause"
.endm

#endif
