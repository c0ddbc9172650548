/* guests/tests/rv64c.S — RV64C compressed instructions, self-checking.
 *
 * Every RV64C instruction is written with its explicit c.* mnemonic, so the
 * 16-bit encodings are certain: c.li/c.lui (sign extension, negative immediate),
 * c.addi/c.addiw/c.addi16sp/c.addi4spn, c.slli/c.srli/c.srai (shift 1..63),
 * c.andi, c.mv/c.add, c.sub/c.xor/c.or/c.and/c.subw/c.addw, c.lw/c.ld/c.sw/c.sd,
 * c.lwsp/c.ldsp/c.swsp/c.sdsp, c.fld/c.fsd/c.fldsp/c.fsdsp, c.j (both
 * directions), c.beqz/c.bnez (taken and not), c.jr, c.jalr (link = pc + 2),
 * c.nop, c.ebreak (cause 3, resumes 2 bytes on), mixed 16/32-bit sequences, and
 * reserved encodings (0x0000, c.addi4spn/c.lui/c.addi16sp with zero immediate,
 * c.jr x0, c.ldsp x0) raising illegal instruction with mtval = the 16 bits. */
#include "asm_test.h"

/* expect an illegal-instruction trap from the 16-bit encoding `bits` */
.macro ILLEGAL16 bits, desc
        call    expect_trap
        la      s1, .Lill_site\@
.Lill_site\@:
        .half   \bits
        la      t0, last_trap
        ld      a0, 0(t0)
        CHECK_EQ a0, 1, "\desc: trap taken"
        la      t0, last_trap
        ld      a0, 8(t0)
        CHECK_EQ a0, CAUSE_ILLEGAL_INSTRUCTION, "\desc: cause"
        la      t0, last_trap
        ld      a0, 24(t0)
        CHECK_REGS a0, s1, "\desc: mepc"
        la      t0, last_trap
        ld      a0, 16(t0)
        CHECK_EQ a0, \bits, "\desc: mtval = instruction bits"
.endm

TEST_BEGIN "rv64c"
        .option push
        .option rvc

/* ---------------------------------------------------------------- constants */
        c.li    a0, -32
        CHECK_EQ a0, -32, "c.li -32"
        c.li    a0, 31
        CHECK_EQ a0, 31, "c.li 31"
        c.lui   a0, 0xfffe0
        CHECK_EQ a0, 0xfffffffffffe0000, "c.lui negative sign-extends"
        c.lui   a0, 1
        CHECK_EQ a0, 0x1000, "c.lui 1"
        c.lui   a0, 0x1f
        CHECK_EQ a0, 0x1f000, "c.lui 0x1f"

/* ---------------------------------------------------------------- add immediates */
        li      a0, 100
        c.addi  a0, -32
        CHECK_EQ a0, 68, "c.addi -32"
        c.addi  a0, 31
        CHECK_EQ a0, 99, "c.addi 31"
        li      a0, 0x7fffffff
        c.addiw a0, 1
        CHECK_EQ a0, 0xffffffff80000000, "c.addiw overflows and sign-extends"
        li      a0, 0x1234567880000000
        c.addiw a0, 0
        CHECK_EQ a0, 0xffffffff80000000, "c.addiw 0 = sext.w"
        li      a0, 5
        c.addiw a0, -6
        CHECK_EQ a0, -1, "c.addiw negative"
        mv      s2, sp
        c.addi16sp sp, -64
        sub     a0, s2, sp
        CHECK_EQ a0, 64, "c.addi16sp -64"
        c.addi16sp sp, -512
        sub     a0, s2, sp
        CHECK_EQ a0, 576, "c.addi16sp -512"
        c.addi16sp sp, 496
        c.addi16sp sp, 80
        CHECK_REGS sp, s2, "c.addi16sp 496 + 80 restores sp"
        c.addi4spn a0, sp, 1020
        addi    a1, sp, 1020
        CHECK_REGS a0, a1, "c.addi4spn 1020"
        c.addi4spn a5, sp, 4
        addi    a1, sp, 4
        CHECK_REGS a5, a1, "c.addi4spn 4"

/* ---------------------------------------------------------------- shifts / andi */
        li      a0, 1
        c.slli  a0, 63
        CHECK_EQ a0, 0x8000000000000000, "c.slli 63"
        li      a0, 3
        c.slli  a0, 32
        CHECK_EQ a0, 0x300000000, "c.slli 32"
        li      s0, 0x8000000000000000
        c.srli  s0, 63
        CHECK_EQ s0, 1, "c.srli 63"
        li      s0, 0x8000000000000000
        c.srli  s0, 32
        CHECK_EQ s0, 0x80000000, "c.srli 32"
        li      a5, 0x8000000000000000
        c.srai  a5, 63
        CHECK_EQ a5, -1, "c.srai 63"
        li      a5, 0x8000000000000000
        c.srai  a5, 1
        CHECK_EQ a5, 0xc000000000000000, "c.srai 1"
        li      a4, 0x7ff
        c.andi  a4, -32
        CHECK_EQ a4, 0x7e0, "c.andi -32"
        li      a4, -1
        c.andi  a4, 31
        CHECK_EQ a4, 31, "c.andi 31"

/* ---------------------------------------------------------------- register ops */
        li      a1, 0x123456789
        c.mv    a0, a1
        CHECK_EQ a0, 0x123456789, "c.mv"
        li      a0, 40
        li      a1, 2
        c.add   a0, a1
        CHECK_EQ a0, 42, "c.add"
        li      t3, 3
        li      t4, -5
        c.add   t3, t4
        CHECK_EQ t3, -2, "c.add with non-prime registers"
        li      s0, 10
        li      s1, 25
        c.sub   s0, s1
        CHECK_EQ s0, -15, "c.sub"
        li      a2, 0xff00
        li      a3, 0x0ff0
        c.xor   a2, a3
        CHECK_EQ a2, 0xf0f0, "c.xor"
        li      a2, 0xff00
        c.or    a2, a3
        CHECK_EQ a2, 0xfff0, "c.or"
        li      a2, 0xff00
        c.and   a2, a3
        CHECK_EQ a2, 0x0f00, "c.and"
        li      a4, 0x80000000
        li      a5, 1
        c.subw  a4, a5
        CHECK_EQ a4, 0x7fffffff, "c.subw"
        li      a4, 0x7fffffff
        c.addw  a4, a5
        CHECK_EQ a4, 0xffffffff80000000, "c.addw sign-extends"
        li      a4, 0x100000001
        li      a5, 0x200000002
        c.addw  a4, a5
        CHECK_EQ a4, 3, "c.addw ignores upper bits"

/* ---------------------------------------------------------------- loads / stores */
        la      s0, c_data
        c.lw    a0, 0(s0)
        CHECK_EQ a0, 0xffffffff89abcdef, "c.lw sign-extends"
        c.lw    a1, 124(s0)
        CHECK_EQ a1, 0x7c7c7c7c, "c.lw offset 124"
        c.ld    a2, 0(s0)
        CHECK_EQ a2, 0x0123456789abcdef, "c.ld"
        c.ld    a3, 248(s0)
        CHECK_EQ a3, 0xf8f8f8f8f8f8f8f8, "c.ld offset 248"
        li      a4, 0x55aa55aa
        c.sw    a4, 8(s0)
        ld      a0, 8(s0)
        CHECK_EQ a0, 0x1010101055aa55aa, "c.sw writes 4 bytes"
        li      a5, 0x0102030405060708
        c.sd    a5, 16(s0)
        ld      a0, 16(s0)
        CHECK_EQ a0, 0x0102030405060708, "c.sd"
        /* fp loads/stores */
        c.fld   fa0, 0(s0)
        fmv.x.d a0, fa0
        CHECK_EQ a0, 0x0123456789abcdef, "c.fld"
        c.fsd   fa0, 24(s0)
        ld      a0, 24(s0)
        CHECK_EQ a0, 0x0123456789abcdef, "c.fsd"
        /* sp-relative forms on a scratch area of the stack */
        mv      s2, sp
        c.addi16sp sp, -512
        li      t1, 0xfedcba9876543210
        c.sdsp  t1, 504(sp)
        ld      a0, 504(sp)
        CHECK_EQ a0, 0xfedcba9876543210, "c.sdsp 504"
        c.ldsp  t2, 504(sp)
        CHECK_EQ t2, 0xfedcba9876543210, "c.ldsp 504"
        li      t1, 0x80000001
        c.swsp  t1, 252(sp)
        c.lwsp  t2, 252(sp)
        CHECK_EQ t2, 0xffffffff80000001, "c.swsp/c.lwsp 252 sign-extends"
        c.sdsp  zero, 0(sp)
        c.lwsp  t2, 0(sp)
        CHECK_EQ t2, 0, "c.sdsp of x0"
        li      t1, 0x3ff8000000000000
        fmv.d.x ft5, t1
        c.fsdsp ft5, 8(sp)
        c.fldsp ft6, 8(sp)
        fmv.x.d a0, ft6
        CHECK_EQ a0, 0x3ff8000000000000, "c.fsdsp/c.fldsp"
        ld      a0, 8(sp)
        CHECK_EQ a0, 0x3ff8000000000000, "c.fsdsp stored 8 bytes"
        c.addi16sp sp, 496
        c.addi16sp sp, 16
        CHECK_REGS sp, s2, "sp restored"

/* ---------------------------------------------------------------- control flow */
        li      a0, 0
        c.j     1f
        c.li    a0, 1                    /* skipped */
1:      CHECK_EQ a0, 0, "c.j forward"
        li      a0, 3
        li      a1, 0
        c.j     3f
2:      c.addi  a1, 1                    /* reached by the backward c.j */
        c.addi  a0, -1
        c.bnez  a0, 2b
        c.j     4f
3:      c.j     2b                       /* backward c.j */
4:      CHECK_EQ a1, 3, "c.j backward + c.bnez loop"
        li      s0, 0
        li      a0, 1
        c.beqz  s0, 5f
        li      a0, 0
5:      CHECK_EQ a0, 1, "c.beqz taken"
        li      s0, 7
        li      a0, 1
        c.beqz  s0, 6f
        li      a0, 0
6:      CHECK_EQ a0, 0, "c.beqz not taken"
        li      s1, 0
        li      a0, 1
        c.bnez  s1, 7f
        li      a0, 0
7:      CHECK_EQ a0, 0, "c.bnez not taken"
        la      t0, 8f
        li      a0, 1
        c.jr    t0
        li      a0, 0
8:      CHECK_EQ a0, 1, "c.jr"
        /* c.jalr: ra = address of the c.jalr + 2 */
        la      t0, .Lcjalr_target
.Lcjalr_site:
        c.jalr  t0
        c.nop
.Lcjalr_target:
        ld      a1, .Lcjalr_site_addr
        addi    a1, a1, 2
        CHECK_REGS ra, a1, "c.jalr links pc + 2"
        /* mixed widths: 16-bit, 32-bit, 16-bit in a row */
        li      a0, 0
        c.addi  a0, 1
        addi    a0, a0, 0x100
        c.addi  a0, 2
        add     a0, a0, a0
        c.nop
        CHECK_EQ a0, 0x206, "mixed 16/32-bit sequence"

/* ---------------------------------------------------------------- ebreak */
        call    expect_trap
        la      s1, .Lcebreak_site
.Lcebreak_site:
        c.ebreak
        la      t0, last_trap
        ld      a0, 8(t0)
        CHECK_EQ a0, CAUSE_BREAKPOINT, "c.ebreak cause"
        la      t0, last_trap
        ld      a0, 24(t0)
        CHECK_REGS a0, s1, "c.ebreak mepc"
        la      t0, last_trap
        ld      a0, 56(t0)
        CHECK_EQ a0, 0x9002, "c.ebreak encoding seen by the handler"

/* ---------------------------------------------------------------- reserved encodings */
        ILLEGAL16 0x0000, "c.unimp (all zeros)"
        ILLEGAL16 0x0004, "c.addi4spn with zero immediate"
        ILLEGAL16 0x6501, "c.lui with zero immediate"
        ILLEGAL16 0x6101, "c.addi16sp with zero immediate"
        ILLEGAL16 0x8002, "c.jr x0"
        ILLEGAL16 0x6002, "c.ldsp x0"

        .option pop
        j       .Lrv64c_done
        .balign 8
.Lcjalr_site_addr:
        .dword  .Lcjalr_site
.Lrv64c_done:
TEST_END

        .data
        .balign 8
c_data:                                  /* 256 bytes */
        .dword  0x0123456789abcdef       /* 0 */
        .dword  0x1010101010101010       /* 8 */
        .fill   13, 8, 0                 /* 16..119 */
        .word   0                        /* 120 */
        .word   0x7c7c7c7c               /* 124 */
        .fill   15, 8, 0                 /* 128..247 */
        .dword  0xf8f8f8f8f8f8f8f8       /* 248 */
