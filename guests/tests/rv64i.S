/* guests/tests/rv64i.S — RV64I base integer instructions, self-checking.
 *
 * Covers: every ALU op (register and immediate forms, W forms), shifts by
 * 0/31/32/63 and by register amounts >= 64 (only the low 6 / 5 bits count),
 * x0 as destination, rd == rs, lui/auipc, every branch taken and not taken
 * (signed vs unsigned), jal/jalr link values and jalr clearing bit 0, loads
 * with sign/zero extension, stores of every width, fence.
 * Expected values were computed independently (by hand / a Python model). */
#include "asm_test.h"

TEST_BEGIN "rv64i"

/* ---------------------------------------------------------------- ALU */
        TEST_RR add, 1, 2, 3
        TEST_RR add, 0x7fffffffffffffff, 1, 0x8000000000000000
        TEST_RR add, -1, 1, 0
        TEST_RR add, 0x8000000000000000, -1, 0x7fffffffffffffff
        TEST_RR sub, 1, 2, 0xffffffffffffffff
        TEST_RR sub, 0, 1, 0xffffffffffffffff
        TEST_RR sub, 0x8000000000000000, 1, 0x7fffffffffffffff
        TEST_RR sub, -1, -1, 0
        TEST_RR sll, 1, 0, 1
        TEST_RR sll, 1, 0x1f, 0x80000000
        TEST_RR sll, 1, 0x20, 0x100000000
        TEST_RR sll, 1, 0x3f, 0x8000000000000000
        TEST_RR sll, 0x8000000000000001, 1, 2
        TEST_RR sll, 3, 0x40, 3
        TEST_RR sll, 3, 0x7f, 0x8000000000000000
        TEST_RR srl, 0x8000000000000000, 0, 0x8000000000000000
        TEST_RR srl, 0x8000000000000000, 0x1f, 0x100000000
        TEST_RR srl, 0x8000000000000000, 0x20, 0x80000000
        TEST_RR srl, 0x8000000000000000, 0x3f, 1
        TEST_RR srl, -1, 4, 0xfffffffffffffff
        TEST_RR srl, 0x100, 0x48, 1
        TEST_RR sra, 0x8000000000000000, 0, 0x8000000000000000
        TEST_RR sra, 0x8000000000000000, 0x1f, 0xffffffff00000000
        TEST_RR sra, 0x8000000000000000, 0x20, 0xffffffff80000000
        TEST_RR sra, 0x8000000000000000, 0x3f, 0xffffffffffffffff
        TEST_RR sra, 0x7fffffffffffffff, 0x3e, 1
        TEST_RR sra, -16, 0x42, 0xfffffffffffffffc
        TEST_RR slt, 1, 2, 1
        TEST_RR slt, 2, 1, 0
        TEST_RR slt, -1, 1, 1
        TEST_RR slt, 1, -1, 0
        TEST_RR slt, 5, 5, 0
        TEST_RR sltu, 1, 2, 1
        TEST_RR sltu, 2, 1, 0
        TEST_RR sltu, -1, 1, 0
        TEST_RR sltu, 1, -1, 1
        TEST_RR sltu, 5, 5, 0
        TEST_RR xor, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
        TEST_RR or, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xfff0fff0fff0fff0
        TEST_RR and, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xf000f000f000f00
        TEST_RR addw, 0x7fffffff, 1, 0xffffffff80000000
        TEST_RR addw, 0xffffffff, 1, 0
        TEST_RR addw, 0x123456789, 0x100000000, 0x23456789
        TEST_RR addw, -1, 0, 0xffffffffffffffff
        TEST_RR subw, 0, 1, 0xffffffffffffffff
        TEST_RR subw, 0x80000000, 1, 0x7fffffff
        TEST_RR subw, 0x100000000, 0, 0
        TEST_RR sllw, 1, 0, 1
        TEST_RR sllw, 1, 0x1f, 0xffffffff80000000
        TEST_RR sllw, 1, 0x20, 1
        TEST_RR sllw, 0xffffffff00000001, 1, 2
        TEST_RR sllw, 3, 0x3f, 0xffffffff80000000
        TEST_RR srlw, 0x80000000, 0, 0xffffffff80000000
        TEST_RR srlw, 0x80000000, 0x1f, 1
        TEST_RR srlw, 0x80000000, 0x20, 0xffffffff80000000
        TEST_RR srlw, 0xffffffff80000000, 1, 0x40000000
        TEST_RR srlw, -1, 0x3f, 1
        TEST_RR sraw, 0x80000000, 0, 0xffffffff80000000
        TEST_RR sraw, 0x80000000, 0x1f, 0xffffffffffffffff
        TEST_RR sraw, 0x80000000, 0x20, 0xffffffff80000000
        TEST_RR sraw, 0x7fffffff, 0x1e, 1
        TEST_RR sraw, 0xffffffff80000000, 4, 0xfffffffff8000000
        TEST_RR sraw, 0x140000000, 1, 0x20000000

/* ---------------------------------------------------------------- ALU immediates */
        TEST_RI addi, 1, 2047, 0x800
        TEST_RI addi, 1, -2048, 0xfffffffffffff801
        TEST_RI addi, -1, 1, 0
        TEST_RI addi, 0x7fffffffffffffff, 1, 0x8000000000000000
        TEST_RI slti, -1, 0, 1
        TEST_RI slti, 0, -1, 0
        TEST_RI slti, 5, 5, 0
        TEST_RI slti, 4, 5, 1
        TEST_RI sltiu, 1, -1, 1
        TEST_RI sltiu, -1, -1, 0
        TEST_RI sltiu, 0, 1, 1
        TEST_RI sltiu, 5, 1, 0
        TEST_RI xori, 0xff00ff, -1, 0xffffffffff00ff00
        TEST_RI xori, 0xff00ff, 240, 0xff000f
        TEST_RI ori, 0xff00ff00, -2048, 0xffffffffffffff00
        TEST_RI ori, 0, 2047, 0x7ff
        TEST_RI andi, 0xff00ff00ff, -256, 0xff00ff0000
        TEST_RI andi, 0x12345, 240, 0x40
        TEST_RI slli, 1, 0, 1
        TEST_RI slli, 1, 31, 0x80000000
        TEST_RI slli, 1, 32, 0x100000000
        TEST_RI slli, 1, 63, 0x8000000000000000
        TEST_RI slli, 0xf, 62, 0xc000000000000000
        TEST_RI srli, 0x8000000000000000, 0, 0x8000000000000000
        TEST_RI srli, 0x8000000000000000, 31, 0x100000000
        TEST_RI srli, 0x8000000000000000, 32, 0x80000000
        TEST_RI srli, 0x8000000000000000, 63, 1
        TEST_RI srai, 0x8000000000000000, 0, 0x8000000000000000
        TEST_RI srai, 0x8000000000000000, 31, 0xffffffff00000000
        TEST_RI srai, 0x8000000000000000, 32, 0xffffffff80000000
        TEST_RI srai, 0x8000000000000000, 63, 0xffffffffffffffff
        TEST_RI srai, 0x4000000000000000, 62, 1
        TEST_RI addiw, 0x7fffffff, 1, 0xffffffff80000000
        TEST_RI addiw, 0xffffffff, 0, 0xffffffffffffffff
        TEST_RI addiw, 0x100000001, -2, 0xffffffffffffffff
        TEST_RI addiw, 5, -2048, 0xfffffffffffff805
        TEST_RI slliw, 1, 0, 1
        TEST_RI slliw, 1, 31, 0xffffffff80000000
        TEST_RI slliw, 0x100000003, 30, 0xffffffffc0000000
        TEST_RI slliw, 0x80000001, 1, 2
        TEST_RI srliw, 0x80000000, 0, 0xffffffff80000000
        TEST_RI srliw, 0x80000000, 31, 1
        TEST_RI srliw, 0xffffffff80000000, 4, 0x8000000
        TEST_RI srliw, 0x80000000, 1, 0x40000000
        TEST_RI sraiw, 0x80000000, 0, 0xffffffff80000000
        TEST_RI sraiw, 0x80000000, 31, 0xffffffffffffffff
        TEST_RI sraiw, 0x7fffffff, 31, 0
        TEST_RI sraiw, 0x180000000, 4, 0xfffffffff8000000

/* ---------------------------------------------------------------- x0 and rd == rs */
        li      a1, 123
        add     x0, a1, a1
        addi    x0, x0, 5
        lui     x0, 0x12345
        CHECK_EQ x0, 0, "writes to x0 are discarded"
        mv      a0, x0
        CHECK_EQ a0, 0, "x0 reads as zero"
        li      a1, 0x10
        add     a1, a1, a1
        CHECK_EQ a1, 0x20, "add rd=rs1=rs2"
        li      a1, 7
        li      a2, 2
        sll     a2, a1, a2
        CHECK_EQ a2, 28, "sll rd=rs2"
        li      a1, -1
        srli    a1, a1, 60
        CHECK_EQ a1, 15, "srli rd=rs1"

/* ---------------------------------------------------------------- lui / auipc */
        lui     a0, 0x12345
        CHECK_EQ a0, 0x12345000, "lui 0x12345"
        lui     a0, 0x80000
        CHECK_EQ a0, 0xffffffff80000000, "lui 0x80000 sign-extends"
        lui     a0, 0xfffff
        CHECK_EQ a0, 0xfffffffffffff000, "lui 0xfffff"
        lui     a0, 0x7ffff
        addiw   a0, a0, 0x7ff
        CHECK_EQ a0, 0x7ffff7ff, "lui+addiw"
.Lauipc0:
        auipc   a0, 0
        ld      a1, .Lauipc0_addr
        CHECK_REGS a0, a1, "auipc 0 = its own address"
.Lauipc1:
        auipc   a0, 0x1
        j       .Lauipc1_check
        .balign 8
.Lauipc0_addr:
        .dword  .Lauipc0
.Lauipc1_addr:
        .dword  .Lauipc1
.Lauipc_neg_addr:
        .dword  .Lauipc_neg
.Lauipc1_check:
        ld      a1, .Lauipc1_addr
        li      t0, 0x1000
        add     a1, a1, t0
        CHECK_REGS a0, a1, "auipc 1 = pc + 0x1000"
.Lauipc_neg:
        auipc   a0, 0xfffff         /* pc - 0x1000 */
        ld      a1, .Lauipc_neg_addr
        li      t0, -0x1000
        add     a1, a1, t0
        CHECK_REGS a0, a1, "auipc -1 = pc - 0x1000"

/* ---------------------------------------------------------------- branches */
.macro BR_TAKEN insn, a, b
        li      a1, \a
        li      a2, \b
        li      a0, 0
        \insn   a1, a2, 1f
        li      a0, 1               /* fall-through: wrong */
1:
        CHECK_EQ a0, 0, "\insn \a, \b must be taken"
.endm
.macro BR_NOT_TAKEN insn, a, b
        li      a1, \a
        li      a2, \b
        li      a0, 1
        \insn   a1, a2, 1f
        li      a0, 0               /* fall-through: right */
1:
        CHECK_EQ a0, 0, "\insn \a, \b must not be taken"
.endm
        BR_TAKEN     beq, 5, 5
        BR_NOT_TAKEN beq, 5, 6
        BR_TAKEN     bne, 5, 6
        BR_NOT_TAKEN bne, -1, -1
        BR_TAKEN     blt, -1, 1
        BR_NOT_TAKEN blt, 1, -1
        BR_NOT_TAKEN blt, 3, 3
        BR_TAKEN     bge, 1, -1
        BR_TAKEN     bge, 3, 3
        BR_NOT_TAKEN bge, -1, 1
        BR_TAKEN     bltu, 1, -1
        BR_NOT_TAKEN bltu, -1, 1
        BR_NOT_TAKEN bltu, 3, 3
        BR_TAKEN     bgeu, -1, 1
        BR_TAKEN     bgeu, 3, 3
        BR_NOT_TAKEN bgeu, 1, -1
        BR_TAKEN     blt, 0x8000000000000000, 0x7fffffffffffffff
        BR_TAKEN     bltu, 0x7fffffffffffffff, 0x8000000000000000

        /* a backward branch: count a loop down */
        li      a1, 10
        li      a0, 0
2:      addi    a0, a0, 3
        addi    a1, a1, -1
        bnez    a1, 2b
        CHECK_EQ a0, 30, "backward bnez loop"

/* ---------------------------------------------------------------- jal / jalr */
.Ljal_site:
        jal     a0, .Ljal_target    /* a0 = .Ljal_site + 4 */
        li      a0, 0               /* skipped */
.Ljal_target:
        ld      a1, .Ljal_site_addr
        addi    a1, a1, 4
        CHECK_REGS a0, a1, "jal link = pc + 4"

        la      t0, .Ljalr_target
.Ljalr_site:
        jalr    a0, 0(t0)
        li      a0, 0               /* skipped */
.Ljalr_target:
        ld      a1, .Ljalr_site_addr
        addi    a1, a1, 4
        CHECK_REGS a0, a1, "jalr link = pc + 4"

        /* target with bit 0 set: jalr clears it */
        la      t0, .Ljalr_odd_target
        addi    t0, t0, -3          /* odd base; offset 4 gives target+1 */
        li      a2, 0
        jalr    ra, 4(t0)
        li      a2, 99              /* skipped */
.Ljalr_odd_target:
        CHECK_EQ a2, 0, "jalr ignores bit 0 of the target"

        /* rd == rs1: the target uses the old register value */
        la      t1, .Ljalr_same_target
.Ljalr_same_site:
        jalr    t1, 0(t1)
        li      t1, 0
.Ljalr_same_target:
        ld      a1, .Ljalr_same_site_addr
        addi    a1, a1, 4
        CHECK_REGS t1, a1, "jalr rd == rs1 links after reading rs1"

        /* jal x0 (plain jump) and negative jalr offsets */
        la      t0, .Ljalr_neg_target + 16
        li      a0, 1
        jalr    x0, -16(t0)
        li      a0, 2
.Ljalr_neg_target:
        CHECK_EQ a0, 1, "jalr with negative offset"
        j       .Ljumps_done
        .balign 8
.Ljal_site_addr:      .dword .Ljal_site
.Ljalr_site_addr:     .dword .Ljalr_site
.Ljalr_same_site_addr: .dword .Ljalr_same_site
.Ljumps_done:

/* ---------------------------------------------------------------- loads */
        la      s0, load_data
        lb      a0, 0(s0)
        CHECK_EQ a0, 0xffffffffffffff81, "lb sign-extends"
        lbu     a0, 0(s0)
        CHECK_EQ a0, 0x81, "lbu zero-extends"
        lb      a0, 1(s0)
        CHECK_EQ a0, 0x72, "lb positive"
        lh      a0, 2(s0)
        CHECK_EQ a0, 0xffffffffffff8384, "lh sign-extends"
        lhu     a0, 2(s0)
        CHECK_EQ a0, 0x8384, "lhu zero-extends"
        lw      a0, 4(s0)
        CHECK_EQ a0, 0xffffffff85868788, "lw sign-extends"
        lwu     a0, 4(s0)
        CHECK_EQ a0, 0x85868788, "lwu zero-extends"
        lw      a0, 0(s0)
        CHECK_EQ a0, 0xffffffff83847281, "lw of bytes 0..3"
        ld      a0, 0(s0)
        CHECK_EQ a0, 0x8586878883847281, "ld"
        ld      a0, 8(s0)
        CHECK_EQ a0, 0x7f00000012345678, "ld positive"
        lw      a0, 8(s0)
        CHECK_EQ a0, 0x12345678, "lw positive"
        lh      a0, 14(s0)
        CHECK_EQ a0, 0x7f00, "lh positive"
        addi    s1, s0, 16
        lb      a0, -1(s1)
        CHECK_EQ a0, 0x7f, "lb negative offset"
        ld      a0, -16(s1)
        CHECK_EQ a0, 0x8586878883847281, "ld negative offset"

/* ---------------------------------------------------------------- stores */
        la      s0, store_area
        li      a1, -1
        sd      a1, 0(s0)
        sd      a1, 8(s0)
        li      a1, 0x1122334455667788
        sb      a1, 0(s0)
        ld      a0, 0(s0)
        CHECK_EQ a0, 0xffffffffffffff88, "sb writes one byte"
        sh      a1, 2(s0)
        ld      a0, 0(s0)
        CHECK_EQ a0, 0xffffffff7788ff88, "sh writes two bytes"
        sw      a1, 4(s0)
        ld      a0, 0(s0)
        CHECK_EQ a0, 0x556677887788ff88, "sw writes four bytes"
        sd      a1, 8(s0)
        ld      a0, 8(s0)
        CHECK_EQ a0, 0x1122334455667788, "sd writes eight bytes"
        lbu     a0, 15(s0)
        CHECK_EQ a0, 0x11, "little-endian byte order"
        addi    s1, s0, 32
        sw      a1, -12(s1)
        lwu     a0, 20(s0)
        CHECK_EQ a0, 0x55667788, "sw negative offset"
        /* store then load back through x0-based address arithmetic */
        sb      x0, 15(s0)
        ld      a0, 8(s0)
        CHECK_EQ a0, 0x0022334455667788, "sb of x0"

/* ---------------------------------------------------------------- fence */
        fence
        fence   rw, rw
        fence.tso
        fence   i, o
        li      a0, 42
        CHECK_EQ a0, 42, "fences are no-ops here"

TEST_END

        .data
        .balign 16
load_data:
        .byte   0x81, 0x72, 0x84, 0x83, 0x88, 0x87, 0x86, 0x85
        .byte   0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x7f
        .bss
        .balign 16
store_area:
        .skip   32
