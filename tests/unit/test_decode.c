/* test_decode.c — unit tests for vmm/cpu/decode.c and the isa.def table: the table has no
 * ambiguous encodings (pairwise proof, every opcode/funct combination, random sampling), every
 * entry decodes from a known assembler encoding, immediates and register fields come out right
 * for every format, and the RVC expander produces exactly the 32-bit equivalent of every
 * compressed form while rejecting the reserved ones. Known encodings were produced with
 * riscv64-unknown-elf-as (-march=rv64gc_zba_zbb, objdump -M no-aliases); the assembly is in the
 * comment next to each word. DECODE_RANDOM_WORDS overrides the random sample size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hart_fixture.h"
#include "vmm/cpu/insn.h"

/* Number of isa.def entries that match a 32-bit word; *which = the last one. */
static int count_matches(uint32_t w, int *which)
{
    int n = 0;
    for (int op = 0; op < OP_illegal; op++)
        if ((w & insn_table[op].mask) == insn_table[op].match) {
            n++;
            *which = op;
        }
    return n;
}

static int op_by_name(const char *name)
{
    for (int op = 0; op < OP_COUNT; op++)
        if (strcmp(insn_table[op].name, name) == 0)
            return op;
    return -1;
}

/* ---------------------------------------------------------------- table shape */

static void test_table_sanity(void **state)
{
    (void)state;
    int entries = 0;
    for (int op = 0; op < OP_illegal; op++) {
        const struct insn_info *ii = &insn_table[op];
        assert_non_null(ii->name);
        /* every entry identifies a 32-bit instruction by at least its major opcode */
        assert_int_equal(ii->mask & 0x7f, 0x7f);
        assert_int_equal(ii->match & 3, 3);
        /* match has no bits outside the mask (else nothing could ever match) */
        if (ii->match & ~ii->mask)
            fail_msg("%s: match 0x%08x has bits outside mask 0x%08x", ii->name, ii->match, ii->mask);
        for (int o = op + 1; o < OP_illegal; o++)
            if (strcmp(insn_table[o].name, ii->name) == 0)
                fail_msg("duplicate entry %s", ii->name);
        entries++;
    }
    /* RV64I 49 + Zifencei 1 + system 6 + Zicsr 6 + M 13 + A 22 + F 30 + D 32 + Zba 8 + Zbb 25 */
    assert_int_equal(entries, 192);
    assert_string_equal(insn_table[OP_illegal].name, "illegal");
    assert_true(insn_table[OP_illegal].flags & F_END);
}

/* Two entries overlap iff some word fits both: the bits both masks fix must agree. */
static void test_no_two_entries_overlap_pairwise(void **state)
{
    (void)state;
    for (int a = 0; a < OP_illegal; a++)
        for (int b = a + 1; b < OP_illegal; b++) {
            const struct insn_info *x = &insn_table[a], *y = &insn_table[b];
            uint32_t common = x->mask & y->mask;
            if (((x->match ^ y->match) & common) == 0)
                fail_msg("%s and %s both match 0x%08x", x->name, y->name, x->match | y->match);
        }
}

/* Every major opcode x funct3 x bits 31:20 (funct7, rs2/funct5, the whole funct12) with
 * several rd/rs1 fields: at most one entry matches, and decode_insn picks that one. */
static void test_no_overlap_every_opcode_funct(void **state)
{
    (void)state;
    static const uint32_t regs[][2] = { { 0, 0 }, { 31, 31 }, { 1, 0 }, { 0, 1 } };
    /* candidate lists per major opcode keep this fast */
    static int by_opc[128][OP_illegal];
    static int n_opc[128];
    memset(n_opc, 0, sizeof(n_opc));
    for (int op = 0; op < OP_illegal; op++) {
        unsigned o = insn_table[op].match & 0x7f;
        by_opc[o][n_opc[o]++] = op;
    }
    uint64_t decoded = 0;
    for (uint32_t opc = 3; opc < 128; opc += 4)
        for (uint32_t f3 = 0; f3 < 8; f3++)
            for (uint32_t hi = 0; hi < 4096; hi++)
                for (unsigned r = 0; r < 4; r++) {
                    uint32_t w = opc | regs[r][0] << 7 | f3 << 12 | regs[r][1] << 15 | hi << 20;
                    int n = 0, which = -1;
                    for (int k = 0; k < n_opc[opc]; k++) {
                        int op = by_opc[opc][k];
                        if ((w & insn_table[op].mask) == insn_table[op].match) {
                            n++;
                            which = op;
                        }
                    }
                    if (n > 1)
                        fail_msg("0x%08x matches %d entries (one is %s)", w, n, insn_table[which].name);
                    if ((w & 0xffff) == 0x0073 || (hi & 0x3f) == 0) { /* sample decode_insn */
                        struct insn in;
                        decode_insn(w, 4, &in);
                        assert_int_equal(in.op, n ? which : OP_illegal);
                        decoded++;
                    }
                }
    assert_true(decoded > 1000);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_no_overlap_random_words(void **state)
{
    (void)state;
    long n = 4000000;
    const char *env = getenv("DECODE_RANDOM_WORDS");
    if (env)
        n = atol(env);
    for (long i = 0; i < n; i++) {
        uint32_t w = (uint32_t)rng() | 3; /* 32-bit instructions only */
        int which = -1;
        int c = count_matches(w, &which);
        if (c > 1)
            fail_msg("0x%08x matches %d entries", w, c);
        struct insn in;
        decode_insn(w, 4, &in);
        assert_int_equal(in.op, c ? which : OP_illegal);
        assert_int_equal(in.len, 4);
        assert_int_equal(in.raw, w);
    }
}

/* ---------------------------------------------------------------- every entry, known bits */

static const struct { uint32_t bits; const char *name; } known[] = {
    { 0x123450b7, "lui" }, /* lui x1, 0x12345 */
    { 0xfffff117, "auipc" }, /* auipc x2, 0xfffff */
    { 0x010001ef, "jal" }, /* jal x3, . + 16 */
    { 0x00828267, "jalr" }, /* jalr x4, 8(x5) */
    { 0x00208463, "beq" }, /* beq x1, x2, . + 8 */
    { 0x00209463, "bne" }, /* bne x1, x2, . + 8 */
    { 0x0020c463, "blt" }, /* blt x1, x2, . + 8 */
    { 0x0020d463, "bge" }, /* bge x1, x2, . + 8 */
    { 0x0020e463, "bltu" }, /* bltu x1, x2, . + 8 */
    { 0x0020f463, "bgeu" }, /* bgeu x1, x2, . + 8 */
    { 0x00110083, "lb" }, /* lb x1, 1(x2) */
    { 0x00211083, "lh" }, /* lh x1, 2(x2) */
    { 0x00412083, "lw" }, /* lw x1, 4(x2) */
    { 0x00813083, "ld" }, /* ld x1, 8(x2) */
    { 0xfff14083, "lbu" }, /* lbu x1, -1(x2) */
    { 0xffe15083, "lhu" }, /* lhu x1, -2(x2) */
    { 0xffc16083, "lwu" }, /* lwu x1, -4(x2) */
    { 0x003200a3, "sb" }, /* sb x3, 1(x4) */
    { 0x00321123, "sh" }, /* sh x3, 2(x4) */
    { 0x00322223, "sw" }, /* sw x3, 4(x4) */
    { 0x00323423, "sd" }, /* sd x3, 8(x4) */
    { 0x00310093, "addi" }, /* addi x1, x2, 3 */
    { 0xffd12093, "slti" }, /* slti x1, x2, -3 */
    { 0x00313093, "sltiu" }, /* sltiu x1, x2, 3 */
    { 0xfff14093, "xori" }, /* xori x1, x2, -1 */
    { 0x00516093, "ori" }, /* ori x1, x2, 5 */
    { 0x00617093, "andi" }, /* andi x1, x2, 6 */
    { 0x02111093, "slli" }, /* slli x1, x2, 33 */
    { 0x02215093, "srli" }, /* srli x1, x2, 34 */
    { 0x42315093, "srai" }, /* srai x1, x2, 35 */
    { 0x003100b3, "add" }, /* add x1, x2, x3 */
    { 0x403100b3, "sub" }, /* sub x1, x2, x3 */
    { 0x003110b3, "sll" }, /* sll x1, x2, x3 */
    { 0x003120b3, "slt" }, /* slt x1, x2, x3 */
    { 0x003130b3, "sltu" }, /* sltu x1, x2, x3 */
    { 0x003140b3, "xor" }, /* xor x1, x2, x3 */
    { 0x003150b3, "srl" }, /* srl x1, x2, x3 */
    { 0x403150b3, "sra" }, /* sra x1, x2, x3 */
    { 0x003160b3, "or" }, /* or x1, x2, x3 */
    { 0x003170b3, "and" }, /* and x1, x2, x3 */
    { 0xff91009b, "addiw" }, /* addiw x1, x2, -7 */
    { 0x01f1109b, "slliw" }, /* slliw x1, x2, 31 */
    { 0x01e1509b, "srliw" }, /* srliw x1, x2, 30 */
    { 0x41d1509b, "sraiw" }, /* sraiw x1, x2, 29 */
    { 0x003100bb, "addw" }, /* addw x1, x2, x3 */
    { 0x403100bb, "subw" }, /* subw x1, x2, x3 */
    { 0x003110bb, "sllw" }, /* sllw x1, x2, x3 */
    { 0x003150bb, "srlw" }, /* srlw x1, x2, x3 */
    { 0x403150bb, "sraw" }, /* sraw x1, x2, x3 */
    { 0x0330000f, "fence" }, /* fence rw, rw */
    { 0x0000100f, "fence_i" }, /* fence.i */
    { 0x00000073, "ecall" }, /* ecall */
    { 0x00100073, "ebreak" }, /* ebreak */
    { 0x10200073, "sret" }, /* sret */
    { 0x30200073, "mret" }, /* mret */
    { 0x10500073, "wfi" }, /* wfi */
    { 0x12208073, "sfence_vma" }, /* sfence.vma x1, x2 */
    { 0x340110f3, "csrrw" }, /* csrrw x1, mscratch, x2 */
    { 0x340120f3, "csrrs" }, /* csrrs x1, mscratch, x2 */
    { 0x340130f3, "csrrc" }, /* csrrc x1, mscratch, x2 */
    { 0x3402d0f3, "csrrwi" }, /* csrrwi x1, mscratch, 5 */
    { 0x340360f3, "csrrsi" }, /* csrrsi x1, mscratch, 6 */
    { 0x3403f0f3, "csrrci" }, /* csrrci x1, mscratch, 7 */
    { 0x023100b3, "mul" }, /* mul x1, x2, x3 */
    { 0x023110b3, "mulh" }, /* mulh x1, x2, x3 */
    { 0x023120b3, "mulhsu" }, /* mulhsu x1, x2, x3 */
    { 0x023130b3, "mulhu" }, /* mulhu x1, x2, x3 */
    { 0x023140b3, "div" }, /* div x1, x2, x3 */
    { 0x023150b3, "divu" }, /* divu x1, x2, x3 */
    { 0x023160b3, "rem" }, /* rem x1, x2, x3 */
    { 0x023170b3, "remu" }, /* remu x1, x2, x3 */
    { 0x023100bb, "mulw" }, /* mulw x1, x2, x3 */
    { 0x023140bb, "divw" }, /* divw x1, x2, x3 */
    { 0x023150bb, "divuw" }, /* divuw x1, x2, x3 */
    { 0x023160bb, "remw" }, /* remw x1, x2, x3 */
    { 0x023170bb, "remuw" }, /* remuw x1, x2, x3 */
    { 0x100120af, "lr_w" }, /* lr.w x1, (x2) */
    { 0x183120af, "sc_w" }, /* sc.w x1, x3, (x2) */
    { 0x083120af, "amoswap_w" }, /* amoswap.w x1, x3, (x2) */
    { 0x003120af, "amoadd_w" }, /* amoadd.w x1, x3, (x2) */
    { 0x203120af, "amoxor_w" }, /* amoxor.w x1, x3, (x2) */
    { 0x603120af, "amoand_w" }, /* amoand.w x1, x3, (x2) */
    { 0x403120af, "amoor_w" }, /* amoor.w x1, x3, (x2) */
    { 0x803120af, "amomin_w" }, /* amomin.w x1, x3, (x2) */
    { 0xa03120af, "amomax_w" }, /* amomax.w x1, x3, (x2) */
    { 0xc03120af, "amominu_w" }, /* amominu.w x1, x3, (x2) */
    { 0xe03120af, "amomaxu_w" }, /* amomaxu.w x1, x3, (x2) */
    { 0x100130af, "lr_d" }, /* lr.d x1, (x2) */
    { 0x183130af, "sc_d" }, /* sc.d x1, x3, (x2) */
    { 0x083130af, "amoswap_d" }, /* amoswap.d x1, x3, (x2) */
    { 0x003130af, "amoadd_d" }, /* amoadd.d x1, x3, (x2) */
    { 0x203130af, "amoxor_d" }, /* amoxor.d x1, x3, (x2) */
    { 0x603130af, "amoand_d" }, /* amoand.d x1, x3, (x2) */
    { 0x403130af, "amoor_d" }, /* amoor.d x1, x3, (x2) */
    { 0x803130af, "amomin_d" }, /* amomin.d x1, x3, (x2) */
    { 0xa03130af, "amomax_d" }, /* amomax.d x1, x3, (x2) */
    { 0xc03130af, "amominu_d" }, /* amominu.d x1, x3, (x2) */
    { 0xe03130af, "amomaxu_d" }, /* amomaxu.d x1, x3, (x2) */
    { 0x00412087, "flw" }, /* flw f1, 4(x2) */
    { 0x00312227, "fsw" }, /* fsw f3, 4(x2) */
    { 0x203170c3, "fmadd_s" }, /* fmadd.s f1, f2, f3, f4 */
    { 0x203170c7, "fmsub_s" }, /* fmsub.s f1, f2, f3, f4 */
    { 0x203170cb, "fnmsub_s" }, /* fnmsub.s f1, f2, f3, f4 */
    { 0x203170cf, "fnmadd_s" }, /* fnmadd.s f1, f2, f3, f4 */
    { 0x003170d3, "fadd_s" }, /* fadd.s f1, f2, f3 */
    { 0x083170d3, "fsub_s" }, /* fsub.s f1, f2, f3 */
    { 0x103170d3, "fmul_s" }, /* fmul.s f1, f2, f3 */
    { 0x183170d3, "fdiv_s" }, /* fdiv.s f1, f2, f3 */
    { 0x580170d3, "fsqrt_s" }, /* fsqrt.s f1, f2 */
    { 0x203100d3, "fsgnj_s" }, /* fsgnj.s f1, f2, f3 */
    { 0x203110d3, "fsgnjn_s" }, /* fsgnjn.s f1, f2, f3 */
    { 0x203120d3, "fsgnjx_s" }, /* fsgnjx.s f1, f2, f3 */
    { 0x283100d3, "fmin_s" }, /* fmin.s f1, f2, f3 */
    { 0x283110d3, "fmax_s" }, /* fmax.s f1, f2, f3 */
    { 0xc00170d3, "fcvt_w_s" }, /* fcvt.w.s x1, f2 */
    { 0xc01170d3, "fcvt_wu_s" }, /* fcvt.wu.s x1, f2 */
    { 0xc02170d3, "fcvt_l_s" }, /* fcvt.l.s x1, f2 */
    { 0xc03170d3, "fcvt_lu_s" }, /* fcvt.lu.s x1, f2 */
    { 0xe00100d3, "fmv_x_w" }, /* fmv.x.w x1, f2 */
    { 0xe00110d3, "fclass_s" }, /* fclass.s x1, f2 */
    { 0xa03120d3, "feq_s" }, /* feq.s x1, f2, f3 */
    { 0xa03110d3, "flt_s" }, /* flt.s x1, f2, f3 */
    { 0xa03100d3, "fle_s" }, /* fle.s x1, f2, f3 */
    { 0xd00170d3, "fcvt_s_w" }, /* fcvt.s.w f1, x2 */
    { 0xd01170d3, "fcvt_s_wu" }, /* fcvt.s.wu f1, x2 */
    { 0xd02170d3, "fcvt_s_l" }, /* fcvt.s.l f1, x2 */
    { 0xd03170d3, "fcvt_s_lu" }, /* fcvt.s.lu f1, x2 */
    { 0xf00100d3, "fmv_w_x" }, /* fmv.w.x f1, x2 */
    { 0x00813087, "fld" }, /* fld f1, 8(x2) */
    { 0x00313427, "fsd" }, /* fsd f3, 8(x2) */
    { 0x223170c3, "fmadd_d" }, /* fmadd.d f1, f2, f3, f4 */
    { 0x223170c7, "fmsub_d" }, /* fmsub.d f1, f2, f3, f4 */
    { 0x223170cb, "fnmsub_d" }, /* fnmsub.d f1, f2, f3, f4 */
    { 0x223170cf, "fnmadd_d" }, /* fnmadd.d f1, f2, f3, f4 */
    { 0x023170d3, "fadd_d" }, /* fadd.d f1, f2, f3 */
    { 0x0a3170d3, "fsub_d" }, /* fsub.d f1, f2, f3 */
    { 0x123170d3, "fmul_d" }, /* fmul.d f1, f2, f3 */
    { 0x1a3170d3, "fdiv_d" }, /* fdiv.d f1, f2, f3 */
    { 0x5a0170d3, "fsqrt_d" }, /* fsqrt.d f1, f2 */
    { 0x223100d3, "fsgnj_d" }, /* fsgnj.d f1, f2, f3 */
    { 0x223110d3, "fsgnjn_d" }, /* fsgnjn.d f1, f2, f3 */
    { 0x223120d3, "fsgnjx_d" }, /* fsgnjx.d f1, f2, f3 */
    { 0x2a3100d3, "fmin_d" }, /* fmin.d f1, f2, f3 */
    { 0x2a3110d3, "fmax_d" }, /* fmax.d f1, f2, f3 */
    { 0x401170d3, "fcvt_s_d" }, /* fcvt.s.d f1, f2 */
    { 0x420100d3, "fcvt_d_s" }, /* fcvt.d.s f1, f2 */
    { 0xa23120d3, "feq_d" }, /* feq.d x1, f2, f3 */
    { 0xa23110d3, "flt_d" }, /* flt.d x1, f2, f3 */
    { 0xa23100d3, "fle_d" }, /* fle.d x1, f2, f3 */
    { 0xe20110d3, "fclass_d" }, /* fclass.d x1, f2 */
    { 0xc20170d3, "fcvt_w_d" }, /* fcvt.w.d x1, f2 */
    { 0xc21170d3, "fcvt_wu_d" }, /* fcvt.wu.d x1, f2 */
    { 0xc22170d3, "fcvt_l_d" }, /* fcvt.l.d x1, f2 */
    { 0xc23170d3, "fcvt_lu_d" }, /* fcvt.lu.d x1, f2 */
    { 0xd20100d3, "fcvt_d_w" }, /* fcvt.d.w f1, x2 */
    { 0xd21100d3, "fcvt_d_wu" }, /* fcvt.d.wu f1, x2 */
    { 0xd22170d3, "fcvt_d_l" }, /* fcvt.d.l f1, x2 */
    { 0xd23170d3, "fcvt_d_lu" }, /* fcvt.d.lu f1, x2 */
    { 0xe20100d3, "fmv_x_d" }, /* fmv.x.d x1, f2 */
    { 0xf20100d3, "fmv_d_x" }, /* fmv.d.x f1, x2 */
    { 0x083100bb, "add_uw" }, /* add.uw x1, x2, x3 */
    { 0x203120b3, "sh1add" }, /* sh1add x1, x2, x3 */
    { 0x203140b3, "sh2add" }, /* sh2add x1, x2, x3 */
    { 0x203160b3, "sh3add" }, /* sh3add x1, x2, x3 */
    { 0x203120bb, "sh1add_uw" }, /* sh1add.uw x1, x2, x3 */
    { 0x203140bb, "sh2add_uw" }, /* sh2add.uw x1, x2, x3 */
    { 0x203160bb, "sh3add_uw" }, /* sh3add.uw x1, x2, x3 */
    { 0x0a81109b, "slli_uw" }, /* slli.uw x1, x2, 40 */
    { 0x403170b3, "andn" }, /* andn x1, x2, x3 */
    { 0x403160b3, "orn" }, /* orn x1, x2, x3 */
    { 0x403140b3, "xnor" }, /* xnor x1, x2, x3 */
    { 0x60011093, "clz" }, /* clz x1, x2 */
    { 0x60111093, "ctz" }, /* ctz x1, x2 */
    { 0x60211093, "cpop" }, /* cpop x1, x2 */
    { 0x60411093, "sext_b" }, /* sext.b x1, x2 */
    { 0x60511093, "sext_h" }, /* sext.h x1, x2 */
    { 0x6001109b, "clzw" }, /* clzw x1, x2 */
    { 0x6011109b, "ctzw" }, /* ctzw x1, x2 */
    { 0x6021109b, "cpopw" }, /* cpopw x1, x2 */
    { 0x0a3160b3, "max" }, /* max x1, x2, x3 */
    { 0x0a3170b3, "maxu" }, /* maxu x1, x2, x3 */
    { 0x0a3140b3, "min" }, /* min x1, x2, x3 */
    { 0x0a3150b3, "minu" }, /* minu x1, x2, x3 */
    { 0x080140bb, "zext_h" }, /* zext.h x1, x2 */
    { 0x603110b3, "rol" }, /* rol x1, x2, x3 */
    { 0x603150b3, "ror" }, /* ror x1, x2, x3 */
    { 0x603110bb, "rolw" }, /* rolw x1, x2, x3 */
    { 0x603150bb, "rorw" }, /* rorw x1, x2, x3 */
    { 0x63c15093, "rori" }, /* rori x1, x2, 60 */
    { 0x6111509b, "roriw" }, /* roriw x1, x2, 17 */
    { 0x28715093, "orc_b" }, /* orc.b x1, x2 */
    { 0x6b815093, "rev8" }, /* rev8 x1, x2 */
};

static void test_every_entry_decodes_from_assembler_encoding(void **state)
{
    (void)state;
    assert_int_equal(sizeof(known) / sizeof(known[0]), 192);
    bool seen[OP_COUNT] = { false };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        struct insn in;
        decode_insn(known[i].bits, 4, &in);
        int want = op_by_name(known[i].name);
        if (want < 0)
            fail_msg("no isa.def entry named %s", known[i].name);
        if (in.op != want)
            fail_msg("0x%08x decoded as %s, expected %s", known[i].bits, insn_table[in.op].name,
                     known[i].name);
        seen[in.op] = true;
    }
    for (int op = 0; op < OP_illegal; op++)
        if (!seen[op])
            fail_msg("no known encoding for %s", insn_table[op].name);
}

/* ---------------------------------------------------------------- fields per format */

struct field_case {
    uint32_t bits;
    const char *name;
    int rd, rs1, rs2, rs3, rm; /* -1: don't care */
    int32_t imm;
    const char *text;
};

static const struct field_case fields[] = {
    /* I */
    { 0x80030293, "addi", 5, 6, -1, -1, 0, -2048, "addi x5, x6, -2048" },
    { 0x7ff62583, "lw", 11, 12, -1, -1, 2, 2047, "lw x11, 2047(x12)" },
    { 0xfff100e7, "jalr", 1, 2, -1, -1, 0, -1, "jalr x1, -1(x2)" },
    { 0x03f41393, "slli", 7, 8, -1, -1, 1, 63, "slli x7, x8, 63" },
    { 0x40155493, "srai", 9, 10, -1, -1, 5, 0x401, "srai x9, x10, 1 (imm holds funct6)" },
    { 0xffc12087, "flw", 1, 2, -1, -1, 2, -4, "flw f1, -4(x2)" },
    { 0x00000013, "addi", 32, 0, -1, -1, 0, 0, "addi x0, x0, 0: rd x0 -> sink 32" },
    /* S */
    { 0xfe713c23, "sd", -1, 2, 7, -1, 3, -8, "sd x7, -8(x2)" },
    { 0x7ff08fa3, "sb", -1, 1, 31, -1, 0, 2047, "sb x31, 2047(x1)" },
    { 0x80111023, "sh", -1, 2, 1, -1, 1, -2048, "sh x1, -2048(x2)" },
    { 0x7fffbc27, "fsd", -1, 31, 31, -1, 3, 2040, "fsd f31, 2040(x31)" },
    /* B */
    { 0x80208063, "beq", -1, 1, 2, -1, 0, -4096, "beq x1, x2, .-4096" },
    { 0x7e419fe3, "bne", -1, 3, 4, -1, 1, 4094, "bne x3, x4, .+4094" },
    { 0x0062c163, "blt", -1, 5, 6, -1, 4, 2, "blt x5, x6, .+2" },
    { 0xffefffe3, "bgeu", -1, 31, 30, -1, 7, -2, "bgeu x31, x30, .-2" },
    { 0x5483da63, "bge", -1, 7, 8, -1, 5, 0x554, "bge x7, x8, .+0x554" },
    { 0xd4a4eb63, "bltu", -1, 9, 10, -1, 6, -0xaaa, "bltu x9, x10, .-0xaaa" },
    /* U */
    { 0xfffff537, "lui", 10, -1, -1, -1, -1, -4096, "lui x10, 0xfffff" },
    { 0x80000fb7, "lui", 31, -1, -1, -1, -1, INT32_MIN, "lui x31, 0x80000" },
    { 0x12345397, "auipc", 7, -1, -1, -1, -1, 0x12345000, "auipc x7, 0x12345" },
    /* J */
    { 0x800000ef, "jal", 1, -1, -1, -1, -1, -1048576, "jal x1, .-1048576" },
    { 0x7ffff06f, "jal", 32, -1, -1, -1, -1, 1048574, "jal x0, .+1048574" },
    { 0x00100fef, "jal", 31, -1, -1, -1, -1, 2048, "jal x31, .+2048" },
    { 0x54a552ef, "jal", 5, -1, -1, -1, -1, 0x5554a, "jal x5, .+0x5554a" },
    /* R (incl. A with aq/rl, FP with rm) */
    { 0x005201b3, "add", 3, 4, 5, -1, 0, 0, "add x3, x4, x5" },
    { 0x41df0fb3, "sub", 31, 30, 29, -1, 0, 0, "sub x31, x30, x29" },
    { 0x063120af, "amoadd_w", 1, 2, 3, -1, 2, 0, "amoadd.w.aqrl x1, x3, (x2)" },
    { 0x140332af, "lr_d", 5, 6, 0, -1, 3, 0, "lr.d.aq x5, (x6)" },
    { 0x1a84b3af, "sc_d", 7, 9, 8, -1, 3, 0, "sc.d.rl x7, x8, (x9)" },
    { 0xc2259553, "fcvt_l_d", 10, 11, 2, -1, 1, 0, "fcvt.l.d x10, f11, rtz" },
    /* R4 */
    { 0x223100c3, "fmadd_d", 1, 2, 3, 4, 0, 0, "fmadd.d f1, f2, f3, f4, rne" },
    { 0xe1df7fcb, "fnmsub_s", 31, 30, 29, 28, 7, 0, "fnmsub.s f31, f30, f29, f28, dyn" },
    /* CSR: imm is the unsigned CSR number */
    { 0x300110f3, "csrrw", 1, 2, -1, -1, 1, 0x300, "csrrw x1, mstatus, x2" },
    { 0xffffe1f3, "csrrsi", 3, 31, -1, -1, 6, 0xfff, "csrrsi x3, 0xfff, 31" },
    { 0x1002b073, "csrrc", 32, 5, -1, -1, 3, 0x100, "csrrc x0, sstatus, x5" },
    /* no operands */
    { 0x12000073, "sfence_vma", 32, 0, 0, -1, 0, 0, "sfence.vma x0, x0" },
    { 0x0000100f, "fence_i", -1, -1, -1, -1, -1, 0, "fence.i" },
    { 0x0ff0000f, "fence", -1, -1, -1, -1, -1, 0, "fence iorw, iorw" },
    { 0x0210000f, "fence", -1, -1, -1, -1, -1, 0, "fence r, w" },
};

static void test_fields_every_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const struct field_case *c = &fields[i];
        struct insn in;
        decode_insn(c->bits, 4, &in);
        if (in.op != op_by_name(c->name))
            fail_msg("%s: decoded as %s", c->text, insn_table[in.op].name);
        if (c->rd >= 0 && in.rd != c->rd)
            fail_msg("%s: rd %d", c->text, in.rd);
        if (c->rs1 >= 0 && in.rs1 != c->rs1)
            fail_msg("%s: rs1 %d", c->text, in.rs1);
        if (c->rs2 >= 0 && in.rs2 != c->rs2)
            fail_msg("%s: rs2 %d", c->text, in.rs2);
        if (c->rs3 >= 0 && in.rs3 != c->rs3)
            fail_msg("%s: rs3 %d", c->text, in.rs3);
        if (c->rm >= 0 && in.rm != c->rm)
            fail_msg("%s: rm %d", c->text, in.rm);
        if (in.imm != c->imm)
            fail_msg("%s: imm %d, expected %d", c->text, in.imm, c->imm);
        assert_int_equal(in.len, 4);
        assert_int_equal(in.raw, c->bits);
    }
}

/* ---------------------------------------------------------------- RVC */

/* compressed form -> the assembler's encoding of its 32-bit expansion (-march=rv64g) */
static const struct { uint16_t c; uint32_t e; } rvc[] = {
    { 0x0040, 0x00410413 }, /* c.addi4spn x8, x2, 4   -> addi x8, x2, 4 */
    { 0x1ffc, 0x3fc10793 }, /* c.addi4spn x15, x2, 1020 -> addi x15, x2, 1020 */
    { 0x0428, 0x20810513 }, /* c.addi4spn x10, x2, 520 -> addi x10, x2, 520 */
    { 0x3fe4, 0x0f87b487 }, /* c.fld f9, 248(x15)     -> fld f9, 248(x15) */
    { 0x2440, 0x08843407 }, /* c.fld f8, 136(x8)      -> fld f8, 136(x8) */
    { 0x5fe0, 0x07c7a403 }, /* c.lw x8, 124(x15)      -> lw x8, 124(x15) */
    { 0x40e8, 0x0444a503 }, /* c.lw x10, 68(x9)       -> lw x10, 68(x9) */
    { 0x7ef0, 0x0f86b603 }, /* c.ld x12, 248(x13)     -> ld x12, 248(x13) */
    { 0x672c, 0x04873583 }, /* c.ld x11, 72(x14)      -> ld x11, 72(x14) */
    { 0xa468, 0x0ca43427 }, /* c.fsd f10, 200(x8)     -> fsd f10, 200(x8) */
    { 0xc124, 0x04952023 }, /* c.sw x9, 64(x10)       -> sw x9, 64(x10) */
    { 0xdc7c, 0x06f42e23 }, /* c.sw x15, 124(x8)      -> sw x15, 124(x8) */
    { 0xe45c, 0x08f43423 }, /* c.sd x15, 136(x8)      -> sd x15, 136(x8) */
    { 0x0001, 0x00000013 }, /* c.nop                  -> addi x0, x0, 0 */
    { 0x1281, 0xfe028293 }, /* c.addi x5, -32         -> addi x5, x5, -32 */
    { 0x0ffd, 0x01ff8f93 }, /* c.addi x31, 31         -> addi x31, x31, 31 */
    { 0x337d, 0xfff3031b }, /* c.addiw x6, -1         -> addiw x6, x6, -1 */
    { 0x2381, 0x0003839b }, /* c.addiw x7, 0          -> addiw x7, x7, 0 */
    { 0x5501, 0xfe000513 }, /* c.li x10, -32          -> addi x10, x0, -32 */
    { 0x40d5, 0x01500093 }, /* c.li x1, 21            -> addi x1, x0, 21 */
    { 0x7101, 0xe0010113 }, /* c.addi16sp x2, -512    -> addi x2, x2, -512 */
    { 0x617d, 0x1f010113 }, /* c.addi16sp x2, 496     -> addi x2, x2, 496 */
    { 0x6161, 0x05010113 }, /* c.addi16sp x2, 80      -> addi x2, x2, 80 */
    { 0x7181, 0xfffe01b7 }, /* c.lui x3, 0xfffe0      -> lui x3, 0xfffe0 */
    { 0x6f85, 0x00001fb7 }, /* c.lui x31, 1           -> lui x31, 1 */
    { 0x62d5, 0x000152b7 }, /* c.lui x5, 0x15         -> lui x5, 0x15 */
    { 0x907d, 0x03f45413 }, /* c.srli x8, 63          -> srli x8, x8, 63 */
    { 0x8085, 0x0014d493 }, /* c.srli x9, 1           -> srli x9, x9, 1 */
    { 0x9501, 0x42055513 }, /* c.srai x10, 32         -> srai x10, x10, 32 */
    { 0x8795, 0x4057d793 }, /* c.srai x15, 5          -> srai x15, x15, 5 */
    { 0x99fd, 0xfff5f593 }, /* c.andi x11, -1         -> andi x11, x11, -1 */
    { 0x8a55, 0x01567613 }, /* c.andi x12, 21         -> andi x12, x12, 21 */
    { 0x8c05, 0x40940433 }, /* c.sub x8, x9           -> sub x8, x8, x9 */
    { 0x8d2d, 0x00b54533 }, /* c.xor x10, x11         -> xor x10, x10, x11 */
    { 0x8e55, 0x00d66633 }, /* c.or x12, x13          -> or x12, x12, x13 */
    { 0x8f7d, 0x00f77733 }, /* c.and x14, x15         -> and x14, x14, x15 */
    { 0x9c1d, 0x40f4043b }, /* c.subw x8, x15         -> subw x8, x8, x15 */
    { 0x9fa1, 0x008787bb }, /* c.addw x15, x8         -> addw x15, x15, x8 */
    { 0xaffd, 0x7fe0006f }, /* c.j . + 2046           -> jal x0, . + 2046 */
    { 0xb001, 0x801ff06f }, /* c.j . - 2048           -> jal x0, . - 2048 */
    { 0xab91, 0x5540006f }, /* c.j . + 0x554          -> jal x0, . + 0x554 */
    { 0xb46d, 0xaabff06f }, /* c.j . - 0x556          -> jal x0, . - 0x556 */
    { 0xd001, 0xf00400e3 }, /* c.beqz x8, . - 256     -> beq x8, x0, . - 256 */
    { 0xeffd, 0x0e079f63 }, /* c.bnez x15, . + 254    -> bne x15, x0, . + 254 */
    { 0xc4cd, 0x0a048563 }, /* c.beqz x9, . + 0xaa    -> beq x9, x0, . + 0xaa */
    { 0xf54d, 0xfa0515e3 }, /* c.bnez x10, . - 0x56   -> bne x10, x0, . - 0x56 */
    { 0x10fe, 0x03f09093 }, /* c.slli x1, 63          -> slli x1, x1, 63 */
    { 0x0f86, 0x001f9f93 }, /* c.slli x31, 1          -> slli x31, x31, 1 */
    { 0x30fe, 0x1f813087 }, /* c.fldsp f1, 504(x2)    -> fld f1, 504(x2) */
    { 0x312a, 0x0a813107 }, /* c.fldsp f2, 168(x2)    -> fld f2, 168(x2) */
    { 0x50fe, 0x0fc12083 }, /* c.lwsp x1, 252(x2)     -> lw x1, 252(x2) */
    { 0x42d6, 0x05412283 }, /* c.lwsp x5, 84(x2)      -> lw x5, 84(x2) */
    { 0x7ffe, 0x1f813f83 }, /* c.ldsp x31, 504(x2)    -> ld x31, 504(x2) */
    { 0x6356, 0x15013303 }, /* c.ldsp x6, 336(x2)     -> ld x6, 336(x2) */
    { 0x8082, 0x00008067 }, /* c.jr x1                -> jalr x0, 0(x1) */
    { 0x8f82, 0x000f8067 }, /* c.jr x31               -> jalr x0, 0(x31) */
    { 0x829a, 0x006002b3 }, /* c.mv x5, x6            -> add x5, x0, x6 */
    { 0x9002, 0x00100073 }, /* c.ebreak               -> ebreak */
    { 0x9382, 0x000380e7 }, /* c.jalr x7              -> jalr x1, 0(x7) */
    { 0x9082, 0x000080e7 }, /* c.jalr x1              -> jalr x1, 0(x1) */
    { 0x9426, 0x00940433 }, /* c.add x8, x9           -> add x8, x8, x9 */
    { 0xbffe, 0x1ff13c27 }, /* c.fsdsp f31, 504(x2)   -> fsd f31, 504(x2) */
    { 0xa68e, 0x14313427 }, /* c.fsdsp f3, 328(x2)    -> fsd f3, 328(x2) */
    { 0xdffe, 0x0ff12e23 }, /* c.swsp x31, 252(x2)    -> sw x31, 252(x2) */
    { 0xd512, 0x0a412423 }, /* c.swsp x4, 168(x2)     -> sw x4, 168(x2) */
    { 0xff86, 0x1e113c23 }, /* c.sdsp x1, 504(x2)     -> sd x1, 504(x2) */
    { 0xeaa6, 0x14913823 }, /* c.sdsp x9, 336(x2)     -> sd x9, 336(x2) */
    /* HINTs are not reserved: they expand to the base instruction writing x0 */
    { 0x4015, 0x00500013 }, /* c.li x0, 5             -> addi x0, x0, 5 */
    { 0x801a, 0x00600033 }, /* c.mv x0, x6            -> add x0, x0, x6 */
    { 0x0006, 0x00101013 }, /* c.slli x0, 1           -> slli x0, x0, 1 */
    { 0x6005, 0x00001037 }, /* c.lui x0, 1            -> lui x0, 1 */
    { 0x0081, 0x00008093 }, /* c.addi x1, 0           -> addi x1, x1, 0 */
};

static void test_rvc_expansion_every_form(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rvc) / sizeof(rvc[0]); i++) {
        uint32_t got = decode_expand_rvc(rvc[i].c);
        if (got != rvc[i].e)
            fail_msg("c 0x%04x expanded to 0x%08x, expected 0x%08x", rvc[i].c, got, rvc[i].e);
        /* decoding the compressed form = decoding the expansion, with len 2 and raw kept */
        struct insn a, b;
        decode_insn(rvc[i].c, 2, &a);
        decode_insn(rvc[i].e, 4, &b);
        assert_int_not_equal(a.op, OP_illegal);
        assert_int_equal(a.op, b.op);
        assert_int_equal(a.rd, b.rd);
        assert_int_equal(a.rs1, b.rs1);
        assert_int_equal(a.rs2, b.rs2);
        assert_int_equal(a.imm, b.imm);
        assert_int_equal(a.len, 2);
        assert_int_equal(a.raw, rvc[i].c);
    }
}

static const struct { uint16_t c; const char *what; } reserved[] = {
    { 0x0000, "all-zero parcel (c.addi4spn, nzuimm=0, rd'=x8)" },
    { 0x0004, "c.addi4spn nzuimm=0, rd'=x9" },
    { 0x001c, "c.addi4spn nzuimm=0, rd'=x15" },
    { 0x8000, "quadrant 0, funct3=100" },
    { 0x9ffc, "quadrant 0, funct3=100, all other bits set" },
    { 0x2005, "c.addiw rd=x0" },
    { 0x307d, "c.addiw rd=x0, imm=-1" },
    { 0x6101, "c.addi16sp nzimm=0" },
    { 0x6081, "c.lui x1, nzimm=0" },
    { 0x6f81, "c.lui x31, nzimm=0" },
    { 0x9c41, "quadrant 1 funct3=100 funct2=11 bit12=1 funct2'=10" },
    { 0x9c61, "quadrant 1 funct3=100 funct2=11 bit12=1 funct2'=11" },
    { 0x4002, "c.lwsp rd=x0" },
    { 0x6002, "c.ldsp rd=x0" },
    { 0x707e, "c.ldsp rd=x0, imm bits set" },
    { 0x8002, "c.jr x0" },
};

static void test_rvc_reserved_encodings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        uint32_t got = decode_expand_rvc(reserved[i].c);
        if (got != 0)
            fail_msg("%s (0x%04x) expanded to 0x%08x", reserved[i].what, reserved[i].c, got);
        struct insn in;
        decode_insn(reserved[i].c, 2, &in);
        assert_int_equal(in.op, OP_illegal);
        assert_int_equal(in.raw, reserved[i].c);
        assert_int_equal(in.len, 2);
    }
    /* the same forms with the field that makes them reserved set are valid */
    assert_int_equal(decode_expand_rvc(0x50fe), 0x0fc12083); /* c.lwsp x1, 252(x2) */
    assert_int_equal(decode_expand_rvc(0x0040), 0x00410413); /* c.addi4spn x8, x2, 4 */
}

/* Every 16-bit parcel: an expansion is either 0 or a 32-bit word that decodes to a real op. */
static void test_rvc_exhaustive_expansions_are_valid(void **state)
{
    (void)state;
    unsigned valid = 0;
    for (uint32_t c = 0; c < 0x10000; c++) {
        if ((c & 3) == 3)
            continue;
        uint32_t e = decode_expand_rvc((uint16_t)c);
        if (!e)
            continue;
        valid++;
        if ((e & 3) != 3)
            fail_msg("0x%04x -> 0x%08x is not a 32-bit encoding", c, e);
        int which = -1;
        if (count_matches(e, &which) != 1)
            fail_msg("0x%04x -> 0x%08x does not decode to exactly one op", c, e);
        /* compressed loads/stores address with x2 or x8..x15 only */
        unsigned opc = e & 0x7f;
        if (opc == 0x03 || opc == 0x07 || opc == 0x23 || opc == 0x27) {
            unsigned rs1 = (e >> 15) & 31;
            if (rs1 != 2 && (rs1 < 8 || rs1 > 15))
                fail_msg("0x%04x -> 0x%08x uses base x%u", c, e, rs1);
        }
    }
    /* 3 x 16384 parcels minus the reserved ones: quadrant 0 f3=100 (2048) and c.addi4spn with
     * nzuimm=0 (8); c.addiw x0 (64), c.addi16sp 0 (1), c.lui with nzimm=0 (31), the two reserved
     * arithmetic forms (128); c.lwsp/c.ldsp x0 (64 + 64) and c.jr x0 (1). */
    assert_int_equal(valid, 3 * 16384 - (2048 + 8) - (64 + 1 + 31 + 128) - (64 + 64 + 1));
}

static void test_illegal_words(void **state)
{
    (void)state;
    struct insn in;
    decode_insn(0x0000, 2, &in);
    assert_int_equal(in.op, OP_illegal);
    decode_insn(0x00000000, 4, &in); /* not even a 32-bit encoding */
    assert_int_equal(in.op, OP_illegal);
    decode_insn(0x0000000b, 4, &in); /* custom-0 */
    assert_int_equal(in.op, OP_illegal);
    assert_int_equal(in.raw, 0x0000000b);
    assert_int_equal(in.imm, 0);
    decode_insn(0x00200073, 4, &in); /* SYSTEM funct12=2 (uret, not implemented) */
    assert_int_equal(in.op, OP_illegal);
    decode_insn(0x10400073, 4, &in); /* SYSTEM funct12=0x104 (nothing) */
    assert_int_equal(in.op, OP_illegal);
    decode_insn(0x0000203b, 4, &in); /* OP-32 funct3=2 funct7=0: reserved */
    assert_int_equal(in.op, OP_illegal);
    decode_insn(0x0000005b, 4, &in); /* custom-2 */
    assert_int_equal(in.op, OP_illegal);
    decode_insn(0x04001013, 4, &in); /* OP-IMM funct3=1 with funct6=000001: reserved */
    assert_int_equal(in.op, OP_illegal);
    /* RV64 *W shifts with imm[5] set are reserved */
    static const uint32_t w_shamt5[] = { 0x0200101b /* slliw */, 0x0200501b /* srliw */,
                                         0x4200501b /* sraiw */, 0x6200501b /* roriw */ };
    for (size_t i = 0; i < 4; i++) {
        decode_insn(w_shamt5[i], 4, &in);
        if (in.op != OP_illegal)
            fail_msg("0x%08x decoded as %s", w_shamt5[i], insn_table[in.op].name);
    }
    decode_insn(0xffffffff, 4, &in);
    assert_int_equal(in.op, OP_illegal);
}

/* Instructions that can change control flow, privilege, translation or interrupt state end a
 * block; plain computation does not. */
static void test_block_end_flags(void **state)
{
    (void)state;
    static const char *const ends[] = { "jal", "jalr", "beq", "bne", "blt", "bge", "bltu",
                                        "bgeu", "ecall", "ebreak", "mret", "sret", "wfi",
                                        "sfence_vma", "fence_i", "csrrw", "csrrs", "csrrc",
                                        "csrrwi", "csrrsi", "csrrci" };
    static const char *const plain[] = { "addi", "lw", "sd", "mul", "amoadd_w", "lr_d",
                                         "fadd_d", "fld", "rev8", "fence" };
    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
        if (!(insn_table[op_by_name(ends[i])].flags & F_END))
            fail_msg("%s does not end a block", ends[i]);
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
        assert_false(insn_table[op_by_name(plain[i])].flags & F_END);
    /* FP instructions need mstatus.FS; integer ones don't */
    assert_true(insn_table[op_by_name("fmadd_s")].flags & F_FP);
    assert_true(insn_table[op_by_name("fsd")].flags & F_FP);
    assert_false(insn_table[op_by_name("amoadd_d")].flags & F_FP);
}

/* The fixture's encoders, checked against the assembler (they build every other test). */
static void test_fixture_encoders(void **state)
{
    (void)state;
    const struct { uint32_t got, want; } e[] = {
        { LUI(1, 0x12345), 0x123450b7 }, { AUIPC(2, 0xfffff), 0xfffff117 },
        { JAL(3, 16), 0x010001ef }, { JALR(4, 8, 5), 0x00828267 },
        { JAL(1, -1048576), 0x800000ef }, { JAL(5, 0x5554a), 0x54a552ef },
        { BEQ(1, 2, 8), 0x00208463 }, { BNE(1, 2, 8), 0x00209463 }, { BLT(1, 2, 8), 0x0020c463 },
        { BGE(1, 2, 8), 0x0020d463 }, { BLTU(1, 2, 8), 0x0020e463 }, { BGEU(1, 2, 8), 0x0020f463 },
        { BEQ(1, 2, -4096), 0x80208063 }, { BLTU(9, 10, -0xaaa), 0xd4a4eb63 },
        { BGE(7, 8, 0x554), 0x5483da63 },
        { LB(1, 1, 2), 0x00110083 }, { LH(1, 2, 2), 0x00211083 }, { LW(1, 4, 2), 0x00412083 },
        { LD(1, 8, 2), 0x00813083 }, { LBU(1, -1, 2), 0xfff14083 }, { LHU(1, -2, 2), 0xffe15083 },
        { LWU(1, -4, 2), 0xffc16083 }, { SB(3, 1, 4), 0x003200a3 }, { SH(3, 2, 4), 0x00321123 },
        { SW(3, 4, 4), 0x00322223 }, { SD(3, 8, 4), 0x00323423 }, { SD(7, -8, 2), 0xfe713c23 },
        { SH(1, -2048, 2), 0x80111023 },
        { ADDI(1, 2, 3), 0x00310093 }, { SLTI(1, 2, -3), 0xffd12093 }, { SLTIU(1, 2, 3), 0x00313093 },
        { XORI(1, 2, -1), 0xfff14093 }, { ORI(1, 2, 5), 0x00516093 }, { ANDI(1, 2, 6), 0x00617093 },
        { SLLI(1, 2, 33), 0x02111093 }, { SRLI(1, 2, 34), 0x02215093 }, { SRAI(1, 2, 35), 0x42315093 },
        { ADD(1, 2, 3), 0x003100b3 }, { SUB(1, 2, 3), 0x403100b3 }, { SLL(1, 2, 3), 0x003110b3 },
        { SLT(1, 2, 3), 0x003120b3 }, { SLTU(1, 2, 3), 0x003130b3 }, { XOR(1, 2, 3), 0x003140b3 },
        { SRL(1, 2, 3), 0x003150b3 }, { SRA(1, 2, 3), 0x403150b3 }, { OR(1, 2, 3), 0x003160b3 },
        { AND(1, 2, 3), 0x003170b3 }, { ADDIW(1, 2, -7), 0xff91009b }, { SLLIW(1, 2, 31), 0x01f1109b },
        { SRLIW(1, 2, 30), 0x01e1509b }, { SRAIW(1, 2, 29), 0x41d1509b }, { ADDW(1, 2, 3), 0x003100bb },
        { SUBW(1, 2, 3), 0x403100bb }, { SLLW(1, 2, 3), 0x003110bb }, { SRLW(1, 2, 3), 0x003150bb },
        { SRAW(1, 2, 3), 0x403150bb },
        { ECALL, 0x00000073 }, { EBREAK, 0x00100073 }, { SRET, 0x10200073 }, { MRET, 0x30200073 },
        { WFI, 0x10500073 }, { SFENCE_VMA(1, 2), 0x12208073 }, { FENCE_I, 0x0000100f },
        { CSRRW(1, 0x340, 2), 0x340110f3 }, { CSRRS(1, 0x340, 2), 0x340120f3 },
        { CSRRC(1, 0x340, 2), 0x340130f3 }, { CSRRWI(1, 0x340, 5), 0x3402d0f3 },
        { CSRRSI(1, 0x340, 6), 0x340360f3 }, { CSRRCI(1, 0x340, 7), 0x3403f0f3 },
        { CSRRSI(3, 0xfff, 31), 0xffffe1f3 },
        { MUL(1, 2, 3), 0x023100b3 }, { MULH(1, 2, 3), 0x023110b3 }, { MULHSU(1, 2, 3), 0x023120b3 },
        { MULHU(1, 2, 3), 0x023130b3 }, { DIV(1, 2, 3), 0x023140b3 }, { DIVU(1, 2, 3), 0x023150b3 },
        { REM(1, 2, 3), 0x023160b3 }, { REMU(1, 2, 3), 0x023170b3 }, { MULW(1, 2, 3), 0x023100bb },
        { DIVW(1, 2, 3), 0x023140bb }, { DIVUW(1, 2, 3), 0x023150bb }, { REMW(1, 2, 3), 0x023160bb },
        { REMUW(1, 2, 3), 0x023170bb },
        { LR_W(1, 2), 0x100120af }, { SC_W(1, 3, 2), 0x183120af }, { LR_D(1, 2), 0x100130af },
        { SC_D(1, 3, 2), 0x183130af },
        { AMO(AMO_SWAP, 2, 1, 3, 2), 0x083120af }, { AMO(AMO_ADD, 2, 1, 3, 2), 0x003120af },
        { AMO(AMO_XOR, 2, 1, 3, 2), 0x203120af }, { AMO(AMO_AND, 2, 1, 3, 2), 0x603120af },
        { AMO(AMO_OR, 2, 1, 3, 2), 0x403120af }, { AMO(AMO_MIN, 2, 1, 3, 2), 0x803120af },
        { AMO(AMO_MAX, 2, 1, 3, 2), 0xa03120af }, { AMO(AMO_MINU, 2, 1, 3, 2), 0xc03120af },
        { AMO(AMO_MAXU, 2, 1, 3, 2), 0xe03120af }, { AMO(AMO_MAXU, 3, 1, 3, 2), 0xe03130af },
        { AMO(AMO_SWAP, 3, 1, 3, 2), 0x083130af },
        { ADD_UW(1, 2, 3), 0x083100bb }, { SH1ADD(1, 2, 3), 0x203120b3 }, { SH2ADD(1, 2, 3), 0x203140b3 },
        { SH3ADD(1, 2, 3), 0x203160b3 }, { SH1ADD_UW(1, 2, 3), 0x203120bb },
        { SH2ADD_UW(1, 2, 3), 0x203140bb }, { SH3ADD_UW(1, 2, 3), 0x203160bb },
        { SLLI_UW(1, 2, 40), 0x0a81109b }, { ANDN(1, 2, 3), 0x403170b3 }, { ORN(1, 2, 3), 0x403160b3 },
        { XNOR(1, 2, 3), 0x403140b3 }, { CLZ(1, 2), 0x60011093 }, { CTZ(1, 2), 0x60111093 },
        { CPOP(1, 2), 0x60211093 }, { SEXT_B(1, 2), 0x60411093 }, { SEXT_H(1, 2), 0x60511093 },
        { CLZW(1, 2), 0x6001109b }, { CTZW(1, 2), 0x6011109b }, { CPOPW(1, 2), 0x6021109b },
        { MAX(1, 2, 3), 0x0a3160b3 }, { MAXU(1, 2, 3), 0x0a3170b3 }, { MIN(1, 2, 3), 0x0a3140b3 },
        { MINU(1, 2, 3), 0x0a3150b3 }, { ZEXT_H(1, 2), 0x080140bb }, { ROL(1, 2, 3), 0x603110b3 },
        { ROR(1, 2, 3), 0x603150b3 }, { ROLW(1, 2, 3), 0x603110bb }, { RORW(1, 2, 3), 0x603150bb },
        { RORI(1, 2, 60), 0x63c15093 }, { RORIW(1, 2, 17), 0x6111509b }, { ORC_B(1, 2), 0x28715093 },
        { REV8(1, 2), 0x6b815093 },
    };
    for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
        if (e[i].got != e[i].want)
            fail_msg("encoder row %zu: 0x%08x, assembler says 0x%08x", i, e[i].got, e[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sanity),
        cmocka_unit_test(test_no_two_entries_overlap_pairwise),
        cmocka_unit_test(test_no_overlap_every_opcode_funct),
        cmocka_unit_test(test_no_overlap_random_words),
        cmocka_unit_test(test_every_entry_decodes_from_assembler_encoding),
        cmocka_unit_test(test_fields_every_format),
        cmocka_unit_test(test_rvc_expansion_every_form),
        cmocka_unit_test(test_rvc_reserved_encodings),
        cmocka_unit_test(test_rvc_exhaustive_expansions_are_valid),
        cmocka_unit_test(test_illegal_words),
        cmocka_unit_test(test_block_end_flags),
        cmocka_unit_test(test_fixture_encoders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
