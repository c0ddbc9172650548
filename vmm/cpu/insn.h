/* insn.h — decoded instructions and blocks: the interpreter's private format, generated from
 * isa.def. Internal to vmm/cpu. */
#ifndef REWIND_INSN_H
#define REWIND_INSN_H

#include <stdint.h>

enum insn_format { FMT_R, FMT_R4, FMT_I, FMT_S, FMT_B, FMT_U, FMT_J, FMT_CSR, FMT_NONE };
#define F_END 1u
#define F_FP  2u

enum insn_op {
#define INSN(name, mask, match, fmt, flags) OP_##name,
#include "vmm/cpu/isa.def"
#undef INSN
    OP_illegal,     /* undecodable bits: raises illegal instruction */
    OP_block_end,   /* sentinel after the last instruction of a block: fall through */
    OP_COUNT
};

struct insn {
    const void *handler; /* the interpreter's handler for op (filled when a block is built) */
    uint16_t op;
    uint8_t rd;      /* integer rd, with x0 mapped to the sink register 32 */
    uint8_t rs1, rs2, rs3;
    uint8_t rm;      /* funct3 (rounding mode for FP) */
    uint8_t len;     /* 2 or 4 bytes */
    uint16_t offset; /* byte offset of this instruction from the block's first pc */
    int32_t imm;
    uint32_t raw;    /* the instruction bits as fetched (16-bit for compressed) */
};

struct insn_info {
    const char *name;
    uint32_t mask, match;
    enum insn_format fmt;
    uint32_t flags;
};
extern const struct insn_info insn_table[OP_COUNT];

/* Expand a 16-bit compressed instruction to its 32-bit equivalent; 0 if reserved/illegal. */
uint32_t decode_expand_rvc(uint16_t c);
/* Decode one instruction (raw is 16 or 32 bits, len 2 or 4) into *out. */
void decode_insn(uint32_t raw, unsigned len, struct insn *out);

/* A decoded straight-line run of instructions within one 4 KiB physical page. */
#define BLOCK_MAX_INSNS 64
struct block {
    uint64_t ppc;               /* physical address of the first instruction */
    struct block *hash_next;    /* chain in the lookup table */
    struct block *page_next;    /* chain of blocks decoded from the same page */
    uint32_t count;             /* real instructions; insns[count] is OP_block_end */
    uint32_t bytes;
    bool valid;
    struct insn insns[];
};

#endif
