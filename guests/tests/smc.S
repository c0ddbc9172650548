/* guests/tests/smc.S — self-modifying code, self-checking.
 *
 * Stores new instructions over code, executes fence.i, runs the code and
 * checks the new behaviour:
 *   1. a function already executed (so cached by a block translator) is
 *      patched and called again, several times;
 *   2. the instruction right after the fence.i, in the same straight-line
 *      sequence as the store, is patched (twice, in a loop, so the second pass
 *      runs an already-patched block);
 *   3. a compressed (16-bit) instruction is patched with another one;
 *   4. a 32-bit instruction is replaced by two 16-bit ones;
 *   5. code is generated into a data buffer and called, then regenerated.
 * Instruction encodings are written out by hand (see the comments). */
#include "asm_test.h"

#define ADDI_A0_ZERO(imm) (((imm) << 20) | 0x513)   /* addi a0, zero, imm */
#define ADDI_A0_A0(imm)   (((imm) << 20) | 0x50513) /* addi a0, a0, imm */
#define C_LI_A0(imm)      (0x4501 | ((imm) << 2))   /* c.li a0, imm (0..31) */
#define C_ADDI_A0(imm)    (0x0501 | ((imm) << 2))   /* c.addi a0, imm (1..31) */
#define INSN_RET          0x00008067                /* jalr x0, 0(ra) */

        .text
        .option push
        .option norvc
        .balign 4
patch_func:                               /* returns 1, then whatever is patched in */
        addi    a0, zero, 1
        ret
        .option pop

TEST_BEGIN "smc"

/* ---------------------------------------------------------------- 1. patched function */
        call    patch_func
        CHECK_EQ a0, 1, "patch_func before patching"
        call    patch_func
        CHECK_EQ a0, 1, "patch_func again (now surely cached)"
        li      s1, 2
        la      s0, patch_func
1:      li      t0, ADDI_A0_ZERO(0)
        slli    t1, s1, 20
        or      t0, t0, t1                /* addi a0, zero, s1 */
        sw      t0, 0(s0)
        fence.i
        call    patch_func
        CHECK_REGS a0, s1, "patch_func after patching"
        addi    s1, s1, 1
        li      t0, 6
        bltu    s1, t0, 1b

/* ---------------------------------------------------------------- 2. next instruction */
        li      s1, 0                     /* pass */
2:      la      t0, smc_next
        li      t1, ADDI_A0_ZERO(7)
        beqz    s1, 3f
        li      t1, ADDI_A0_ZERO(9)
3:      li      a0, 0
        sw      t1, 0(t0)
        fence.i
        .option push
        .option norvc
smc_next:
        addi    a0, zero, 5               /* replaced before it runs */
        .option pop
        bnez    s1, 4f
        CHECK_EQ a0, 7, "instruction right after fence.i, first pass"
        li      s1, 1
        j       2b
4:      CHECK_EQ a0, 9, "instruction right after fence.i, second pass"

/* ---------------------------------------------------------------- 3. compressed */
        la      t0, smc_c
        li      t1, C_LI_A0(11)
        li      a0, 0
        sh      t1, 0(t0)
        fence.i
        .option push
        .option rvc
smc_c:
        c.li    a0, 3                     /* replaced by c.li a0, 11 */
        c.addi  a0, 1
        .option pop
        CHECK_EQ a0, 12, "patched compressed instruction"

/* ---------------------------------------------------------------- 4. 32-bit -> 2 x 16-bit */
        la      t0, smc_split
        li      t1, (C_ADDI_A0(2) << 16) | C_LI_A0(1)   /* c.li a0,1 ; c.addi a0,2 */
        li      a0, 0
        sw      t1, 0(t0)
        fence.i
        .option push
        .option norvc
smc_split:
        addi    a0, zero, 20              /* replaced by two compressed instructions */
        addi    a0, a0, 100
        .option pop
        CHECK_EQ a0, 103, "32-bit instruction split into two 16-bit ones"

/* ---------------------------------------------------------------- 5. generated code */
        la      s0, code_buf
        li      t0, ADDI_A0_A0(1)
        sw      t0, 0(s0)
        li      t0, INSN_RET
        sw      t0, 4(s0)
        fence.i
        li      a0, 41
        jalr    ra, 0(s0)
        CHECK_EQ a0, 42, "generated function: addi a0, a0, 1"
        li      t0, ADDI_A0_A0(-100) & 0xffffffff
        sw      t0, 0(s0)
        fence.i
        li      a0, 41
        jalr    ra, 0(s0)
        CHECK_EQ a0, -59, "regenerated function: addi a0, a0, -100"
        /* generated compressed code: c.li a0, 5 ; c.addi a0, 3 ; ret */
        li      t0, (C_ADDI_A0(3) << 16) | C_LI_A0(5)
        sw      t0, 0(s0)
        sw      t0, 8(s0)                 /* unrelated bytes after the code */
        li      t0, INSN_RET
        sw      t0, 4(s0)
        fence.i
        jalr    ra, 0(s0)
        CHECK_EQ a0, 8, "generated compressed code"

TEST_END

        .bss
        .balign 64
code_buf:
        .skip   64
