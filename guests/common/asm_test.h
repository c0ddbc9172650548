/* guests/common/asm_test.h — macros for self-checking assembly tests.
 *
 *   TEST_BEGIN "name"      defines test_name and the start of main()
 *   CHECK_EQ reg, value, "description"
 *   CHECK_REGS reg, reg2, "description"
 *   TEST_END               main returns 0 (rt_finish prints PASS and exits 0)
 *
 * Every check gets the next number (check_id); a failing check calls
 * asm_check_failed(id, got, expected, description), which prints them and exits
 * with a nonzero code derived from the id.  Checks use t6 and a0..a3 only on the
 * failure path; t6 is clobbered on every check.  s11 is reserved by the harness. */
#ifndef GUESTS_ASM_TEST_H
#define GUESTS_ASM_TEST_H
#include "riscv_defs.h"

.set check_id, 0

.macro TEST_BEGIN name
        .pushsection .rodata
        .globl  test_name
test_name:
        .asciz  "\name"
        .popsection
        .text
        .globl  main
        .balign 4
main:
        addi    sp, sp, -16
        sd      ra, 0(sp)
        sd      s11, 8(sp)
.endm

.macro TEST_END
        li      t0, check_id
        la      t1, rt_checks
        sd      t0, 0(t1)
        ld      ra, 0(sp)
        ld      s11, 8(sp)
        addi    sp, sp, 16
        li      a0, 0
        ret
.endm

.macro CHECK_FAIL_PATH got, desc
        mv      a1, \got
        mv      a2, t6
        li      a0, check_id
        la      a3, .Lcheck_desc\@
        j       asm_check_failed
        .pushsection .rodata.checkdesc, "a", @progbits
.Lcheck_desc\@:
        .asciz  "\desc"
        .popsection
.endm

/* reg == immediate value (any 64-bit constant) */
.macro CHECK_EQ reg, value, desc
        .set    check_id, check_id + 1
        li      t6, \value
        beq     \reg, t6, .Lcheck_ok\@
        CHECK_FAIL_PATH \reg, "\desc"
.Lcheck_ok\@:
.endm

/* reg == reg2 */
.macro CHECK_REGS reg, reg2, desc
        .set    check_id, check_id + 1
        mv      t6, \reg2
        beq     \reg, t6, .Lcheck_ok\@
        CHECK_FAIL_PATH \reg, "\desc"
.Lcheck_ok\@:
.endm

/* rd = insn(a, b) for register-register ops */
.macro TEST_RR insn, a, b, expected
        li      a1, \a
        li      a2, \b
        \insn   a0, a1, a2
        CHECK_EQ a0, \expected, "\insn \a, \b"
.endm

/* rd = insn(a, imm) for register-immediate ops */
.macro TEST_RI insn, a, imm, expected
        li      a1, \a
        \insn   a0, a1, \imm
        CHECK_EQ a0, \expected, "\insn \a, \imm"
.endm

/* rd = insn(a) for unary ops */
.macro TEST_R1 insn, a, expected
        li      a1, \a
        \insn   a0, a1
        CHECK_EQ a0, \expected, "\insn \a"
.endm

#endif
