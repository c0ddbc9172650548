/* decode.c — instruction decoding: the lookup table generated from isa.def, immediate
 * extraction by format, and the RVC (compressed) expander. */
#include <stdbool.h>
#include "vmm/cpu/insn.h"

const struct insn_info insn_table[OP_COUNT] = {
#define INSN(name, mask, match, fmt, flags) [OP_##name] = { #name, mask, match, FMT_##fmt, flags },
#include "vmm/cpu/isa.def"
#undef INSN
    [OP_illegal] = { "illegal", 0, 0, FMT_NONE, F_END },
    [OP_block_end] = { "block_end", 0, 0, FMT_NONE, F_END },
};

static int32_t sext(uint32_t v, unsigned bits)
{
    return (int32_t)(v << (32 - bits)) >> (32 - bits);
}

static uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static int32_t imm_of(uint32_t raw, enum insn_format fmt)
{
    switch (fmt) {
    case FMT_I: return (int32_t)raw >> 20;
    case FMT_S: return sext((raw >> 25) << 5 | bits(raw, 11, 7), 12);
    case FMT_B:
        return sext((bits(raw, 31, 31) << 12) | (bits(raw, 7, 7) << 11) |
                    (bits(raw, 30, 25) << 5) | (bits(raw, 11, 8) << 1), 13);
    case FMT_U: return (int32_t)(raw & 0xfffff000u);
    case FMT_J:
        return sext((bits(raw, 31, 31) << 20) | (bits(raw, 19, 12) << 12) |
                    (bits(raw, 20, 20) << 11) | (bits(raw, 30, 21) << 1), 21);
    case FMT_CSR: return (int32_t)(raw >> 20);
    default: return 0;
    }
}

/* First table entry whose mask/match fits. Decoding happens once per decoded block, so a
 * scan is cheap; the unit tests check that no encoding fits two entries. */
static enum insn_op match_op(uint32_t raw)
{
    for (int op = 0; op < OP_illegal; op++) {
        const struct insn_info *ii = &insn_table[op];
        if ((raw & ii->mask) == ii->match)
            return (enum insn_op)op;
    }
    return OP_illegal;
}

void decode_insn(uint32_t raw, unsigned len, struct insn *out)
{
    uint32_t word = raw;
    enum insn_op op = OP_illegal;
    if (len == 2) {
        word = decode_expand_rvc((uint16_t)raw);
        if (word)
            op = match_op(word);
    } else if ((raw & 3) == 3) {
        op = match_op(raw);
    }
    unsigned rd = bits(word, 11, 7);
    *out = (struct insn){
        .op = (uint16_t)op,
        .rd = (uint8_t)(rd ? rd : 32),
        .rs1 = (uint8_t)bits(word, 19, 15),
        .rs2 = (uint8_t)bits(word, 24, 20),
        .rs3 = (uint8_t)bits(word, 31, 27),
        .rm = (uint8_t)bits(word, 14, 12),
        .len = (uint8_t)len,
        .imm = op == OP_illegal ? 0 : imm_of(word, insn_table[op].fmt),
        .raw = raw,
    };
}

/* --- RVC expansion: build the equivalent 32-bit encoding --- */

static uint32_t enc_r(uint32_t opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1, unsigned rs2)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25;
}

static uint32_t enc_i(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | ((uint32_t)imm & 0xfff) << 20;
}

static uint32_t enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return opc | (u & 0x1f) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | ((u >> 5) & 0x7f) << 25;
}

static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return 0x63 | ((u >> 11) & 1) << 7 | ((u >> 1) & 0xf) << 8 | f3 << 12 | rs1 << 15 |
           rs2 << 20 | ((u >> 5) & 0x3f) << 25 | ((u >> 12) & 1) << 31;
}

static uint32_t enc_j(unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return 0x6f | rd << 7 | ((u >> 12) & 0xff) << 12 | ((u >> 11) & 1) << 20 |
           ((u >> 1) & 0x3ff) << 21 | ((u >> 20) & 1) << 31;
}

enum { OPC_LOAD = 0x03, OPC_LOAD_FP = 0x07, OPC_OP_IMM = 0x13, OPC_OP_IMM32 = 0x1b,
       OPC_STORE = 0x23, OPC_STORE_FP = 0x27, OPC_OP = 0x33, OPC_LUI = 0x37, OPC_OP32 = 0x3b,
       OPC_JALR = 0x67 };

uint32_t decode_expand_rvc(uint16_t c)
{
    unsigned op = c & 3, f3 = bits(c, 15, 13);
    unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    unsigned rdp = bits(c, 4, 2) + 8, rs1p = bits(c, 9, 7) + 8;
    int32_t imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);

    switch (op << 3 | f3) {
    /* quadrant 0 */
    case 000: { /* c.addi4spn */
        uint32_t nz = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 3;
        return nz ? enc_i(OPC_OP_IMM, 0, rdp, 2, (int32_t)nz) : 0;
    }
    case 001: /* c.fld */
        return enc_i(OPC_LOAD_FP, 3, rdp, rs1p, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    case 002: /* c.lw */
        return enc_i(OPC_LOAD, 2, rdp, rs1p,
                     (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6));
    case 003: /* c.ld */
        return enc_i(OPC_LOAD, 3, rdp, rs1p, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    case 005: /* c.fsd */
        return enc_s(OPC_STORE_FP, 3, rs1p, rdp, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    case 006: /* c.sw */
        return enc_s(OPC_STORE, 2, rs1p, rdp,
                     (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6));
    case 007: /* c.sd */
        return enc_s(OPC_STORE, 3, rs1p, rdp, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    /* quadrant 1 */
    case 010: /* c.addi / c.nop */
        return enc_i(OPC_OP_IMM, 0, rd, rd, imm6);
    case 011: /* c.addiw */
        return rd ? enc_i(OPC_OP_IMM32, 0, rd, rd, imm6) : 0;
    case 012: /* c.li */
        return enc_i(OPC_OP_IMM, 0, rd, 0, imm6);
    case 013:
        if (rd == 2) { /* c.addi16sp */
            int32_t nz = sext(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
                              bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5, 10);
            return nz ? enc_i(OPC_OP_IMM, 0, 2, 2, nz) : 0;
        } else { /* c.lui */
            int32_t nz = sext(bits(c, 12, 12) << 17 | bits(c, 6, 2) << 12, 18);
            return nz ? (OPC_LUI | rd << 7 | ((uint32_t)nz & 0xfffff000u)) : 0;
        }
    case 014: {
        unsigned f2 = bits(c, 11, 10);
        unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);
        switch (f2) {
        case 0: return enc_i(OPC_OP_IMM, 5, rs1p, rs1p, (int32_t)shamt);           /* c.srli */
        case 1: return enc_i(OPC_OP_IMM, 5, rs1p, rs1p, (int32_t)(shamt | 0x400)); /* c.srai */
        case 2: return enc_i(OPC_OP_IMM, 7, rs1p, rs1p, imm6);                     /* c.andi */
        default: {
            unsigned sel = bits(c, 12, 12) << 2 | bits(c, 6, 5);
            switch (sel) {
            case 0: return enc_r(OPC_OP, 0, 0x20, rs1p, rs1p, rdp);   /* c.sub */
            case 1: return enc_r(OPC_OP, 4, 0, rs1p, rs1p, rdp);      /* c.xor */
            case 2: return enc_r(OPC_OP, 6, 0, rs1p, rs1p, rdp);      /* c.or */
            case 3: return enc_r(OPC_OP, 7, 0, rs1p, rs1p, rdp);      /* c.and */
            case 4: return enc_r(OPC_OP32, 0, 0x20, rs1p, rs1p, rdp); /* c.subw */
            case 5: return enc_r(OPC_OP32, 0, 0, rs1p, rs1p, rdp);    /* c.addw */
            default: return 0;
            }
        }
        }
    }
    case 015: /* c.j */
        return enc_j(0, sext(bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
                             bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                             bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5, 12));
    case 016: /* c.beqz */
    case 017: /* c.bnez */
        return enc_b(f3 == 6 ? 0 : 1, rs1p, 0,
                     sext(bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                          bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5, 9));
    /* quadrant 2 */
    case 020: /* c.slli */
        return enc_i(OPC_OP_IMM, 1, rd, rd, (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 2)));
    case 021: /* c.fldsp */
        return enc_i(OPC_LOAD_FP, 3, rd, 2,
                     (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6));
    case 022: /* c.lwsp */
        return rd ? enc_i(OPC_LOAD, 2, rd, 2,
                          (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6))
                  : 0;
    case 023: /* c.ldsp */
        return rd ? enc_i(OPC_LOAD, 3, rd, 2,
                          (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6))
                  : 0;
    case 024:
        if (!bits(c, 12, 12)) {
            if (rs2 == 0) /* c.jr */
                return rd ? enc_i(OPC_JALR, 0, 0, rd, 0) : 0;
            return enc_r(OPC_OP, 0, 0, rd, 0, rs2); /* c.mv */
        }
        if (rs2 == 0) {
            if (rd == 0)
                return 0x00100073; /* c.ebreak */
            return enc_i(OPC_JALR, 0, 1, rd, 0); /* c.jalr */
        }
        return enc_r(OPC_OP, 0, 0, rd, rd, rs2); /* c.add */
    case 025: /* c.fsdsp */
        return enc_s(OPC_STORE_FP, 3, 2, rs2, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6));
    case 026: /* c.swsp */
        return enc_s(OPC_STORE, 2, 2, rs2, (int32_t)(bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6));
    case 027: /* c.sdsp */
        return enc_s(OPC_STORE, 3, 2, rs2, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6));
    default:
        return 0;
    }
}
