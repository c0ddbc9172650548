/* exec.c — the interpreter: the run loop (interrupts, wfi, budget), block building from the
 * code cache, and one direct-threaded function with a handler for every entry of isa.def.
 *
 * Exactness: icount counts retired instructions only and is derived from the position inside
 * the executing block, never from how code was cached. A block ends at every instruction that
 * may change control flow, privilege, translation or interrupt state, and after any store
 * that hits decoded code or a page table and any MMIO access, so pending interrupts are taken
 * at the first instruction boundary where they are pending and enabled. */
#include <string.h>

#include "vmm/cpu/code_cache.h"
#include "vmm/cpu/fpu.h"
#include "vmm/cpu/hart.h"
#include "vmm/cpu/insn.h"
#include "vmm/cpu/mmu.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline uint32_t unbox32(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : FPU_F32_CANONICAL_NAN;
}

static inline int64_t sext32(uint64_t v)
{
    return (int64_t)(int32_t)(uint32_t)v;
}

static inline unsigned jcache_index(uint64_t vpc)
{
    return (unsigned)((vpc >> 1) ^ (vpc >> (JCACHE_BITS + 1))) & (JCACHE_SIZE - 1);
}

static inline const struct block *jcache_lookup(const struct hart *h, uint64_t vpc)
{
    const struct jcache_entry *e = &h->jcache[jcache_index(vpc)];
    if (e->vpc == vpc && e->block && e->epoch == h->tlb_epoch && e->priv == (uint32_t)h->priv &&
        e->block->valid)
        return e->block;
    return NULL;
}

/* Execute from block b (at virtual pc base_pc) and, after plain jumps and branches, chain on
 * into the next cached block while the whole of it fits before icount `end`. */
static const void *const *exec_block(struct hart *h, const struct block *b, uint64_t base_pc,
                                     uint64_t end)
{
    static const void *const labels[OP_COUNT] = {
#define INSN(name, mask, match, fmt, flags) [OP_##name] = &&op_##name,
#include "vmm/cpu/isa.def"
#undef INSN
        [OP_illegal] = &&op_illegal,
        [OP_block_end] = &&op_block_end,
    };
    if (!h)
        return labels; /* block building asks for the handler addresses */
    const struct insn *in = b->insns;
    const struct insn *first = in; /* instructions before `in` since `first` have retired */
    uint64_t *const X = h->x;
    const struct tlb_entry *const rtlb = h->tlb[h->dmode][TLB_READ];
    const struct tlb_entry *const wtlb = h->tlb[h->dmode][TLB_WRITE];
    bool mem_exit = false;

#define PC (base_pc + in->offset)
#define NEXT_PC (PC + in->len)
#define DISPATCH() goto *in->handler
#define NEXT() do { in++; DISPATCH(); } while (0)
/* Bring h->icount up to date (instructions before `in` retired). */
#define SYNC() do { h->icount += (uint64_t)(in - first); first = in; } while (0)
/* The current instruction retired; continue at newpc outside this block. */
#define EXIT_TO(newpc) do { h->pc = (newpc); h->icount += (uint64_t)(in - first) + 1; return NULL; } while (0)
/* The current instruction retired and control goes to newpc: chain into the next block if
 * it is cached and fits in the budget (no interrupt can have become pending: only CSR
 * writes, MMIO and traps change that, and they leave through EXIT_TO). */
#define CHAIN_TO(newpc) do {                                                            \
        uint64_t t_ = (newpc);                                                          \
        h->icount += (uint64_t)(in - first) + 1;                                        \
        h->pc = t_;                                                                     \
        const struct block *nb_ = jcache_lookup(h, t_);                                 \
        if (nb_ && nb_->count <= end - h->icount && h->icount < end &&                  \
            !h->breakpoint_count) {                                                     \
            base_pc = t_;                                                               \
            in = first = nb_->insns;                                                    \
            DISPATCH();                                                                 \
        }                                                                               \
        return NULL;                                                                         \
    } while (0)
/* The current instruction traps (does not retire). */
#define EXCEPTION(cause, tval) do { SYNC(); h->pc = PC; hart_raise(h, (cause), (tval)); return NULL; } while (0)
#define ILLEGAL() EXCEPTION(EXC_ILLEGAL_INSN, in->raw)
#define MEM_EXCEPTION() EXCEPTION(h->exc_cause, h->exc_tval)
#define END_MEM() do { if (unlikely(mem_exit)) EXIT_TO(NEXT_PC); NEXT(); } while (0)
#define RS1 X[in->rs1]
#define RS2 X[in->rs2]
#define RD X[in->rd]
#define IMM ((int64_t)in->imm)

#define LOAD(T, addr, dst) do {                                                         \
        uint64_t a_ = (addr);                                                           \
        const struct tlb_entry *e_ = &rtlb[(a_ >> 12) & (TLB_SIZE - 1)];                \
        if (likely(e_->vpage == (a_ >> 12) && (a_ & 0xfff) <= 0x1000 - sizeof(T))) {    \
            T v_;                                                                       \
            memcpy(&v_, (const void *)(e_->addend + a_), sizeof(T));                    \
            dst = v_;                                                                   \
        } else {                                                                        \
            uint64_t v_;                                                                \
            SYNC(); /* a device may read the clock */                                   \
            int r_ = mmu_load_slow(h, a_, sizeof(T), &v_);                              \
            if (unlikely(r_ == MEM_FAULT))                                              \
                MEM_EXCEPTION();                                                        \
            mem_exit |= r_ == MEM_EXIT;                                                 \
            dst = (T)v_;                                                                \
        }                                                                               \
    } while (0)

#define STORE(T, addr, val) do {                                                        \
        uint64_t a_ = (addr);                                                           \
        const struct tlb_entry *e_ = &wtlb[(a_ >> 12) & (TLB_SIZE - 1)];                \
        T v_ = (T)(val);                                                                \
        if (likely(e_->vpage == (a_ >> 12) && (a_ & 0xfff) <= 0x1000 - sizeof(T))) {    \
            memcpy((void *)(e_->addend + a_), &v_, sizeof(T));                          \
        } else {                                                                        \
            SYNC();                                                                     \
            int r_ = mmu_store_slow(h, a_, sizeof(T), (uint64_t)v_);                    \
            if (unlikely(r_ == MEM_FAULT))                                              \
                MEM_EXCEPTION();                                                        \
            mem_exit |= r_ == MEM_EXIT;                                                 \
        }                                                                               \
    } while (0)

/* Host pointer for an aligned atomic access of sizeof(T) bytes; faults as a store. */
#define AMO_PTR(T, addr, ptr) do {                                                      \
        uint64_t a_ = (addr);                                                           \
        if (unlikely(a_ & (sizeof(T) - 1)))                                             \
            EXCEPTION(EXC_STORE_MISALIGNED, a_);                                        \
        const struct tlb_entry *e_ = &wtlb[(a_ >> 12) & (TLB_SIZE - 1)];                \
        if (likely(e_->vpage == (a_ >> 12))) {                                          \
            ptr = (uint8_t *)(e_->addend + a_);                                         \
            amo_paddr = UINT64_MAX;                                                     \
        } else if (mmu_amo_prepare(h, a_, sizeof(T), &ptr, &amo_paddr) == MEM_FAULT) {  \
            MEM_EXCEPTION();                                                            \
        }                                                                               \
    } while (0)
#define AMO_DONE(T) do {                                                                \
        if (amo_paddr != UINT64_MAX && mmu_amo_written(h, amo_paddr, sizeof(T)) == MEM_EXIT) \
            mem_exit = true;                                                            \
    } while (0)

#define AMO_OP(T, ST, expr) do {                                                        \
        uint8_t *p_;                                                                    \
        uint64_t amo_paddr;                                                             \
        AMO_PTR(T, RS1, p_);                                                            \
        T old_, src_ = (T)RS2, new_;                                                    \
        memcpy(&old_, p_, sizeof(T));                                                   \
        { T a = old_, b = src_; (void)a; (void)b; new_ = (T)(expr); }                   \
        memcpy(p_, &new_, sizeof(T));                                                   \
        AMO_DONE(T);                                                                    \
        RD = (uint64_t)(int64_t)(ST)old_;                                               \
        END_MEM();                                                                      \
    } while (0)

/* --- floating point --- */
#define FP_CHECK() do { if (unlikely(!(h->mstatus & MSTATUS_FS))) ILLEGAL(); } while (0)
#define RM() ({ unsigned r_ = in->rm == 7 ? h->frm : in->rm; if (unlikely(r_ > 4)) ILLEGAL(); (int)r_; })
#define FRD (in->rd & 31)
#define F32(r) unbox32(h->f[r])
#define F64(r) (h->f[r])
#define SET_F32(v) (h->f[FRD] = 0xffffffff00000000ull | (uint32_t)(v))
#define SET_F64(v) (h->f[FRD] = (uint64_t)(v))
#define FP_DONE(fl) do { h->fflags |= (fl); h->mstatus |= MSTATUS_FS; NEXT(); } while (0)
#define FP_DONE_INT(fl) do { if (fl) { h->fflags |= (fl); h->mstatus |= MSTATUS_FS; } NEXT(); } while (0)

#define FBIN(name, W, fn) op_##name: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0;        \
        SET_F##W(fn(F##W(in->rs1), F##W(in->rs2), rm_, &fl)); FP_DONE(fl); }
#define FMINMAX(name, W, fn) op_##name: { FP_CHECK(); uint32_t fl = 0;                   \
        SET_F##W(fn(F##W(in->rs1), F##W(in->rs2), &fl)); FP_DONE(fl); }
#define FFMA(name, W, fn, np, na) op_##name: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0; \
        SET_F##W(fn(F##W(in->rs1), F##W(in->rs2), F##W(in->rs3), np, na, rm_, &fl));     \
        FP_DONE(fl); }
#define FCMP(name, W, fn) op_##name: { FP_CHECK(); uint32_t fl = 0;                      \
        RD = fn(F##W(in->rs1), F##W(in->rs2), &fl); FP_DONE_INT(fl); }
#define FTOI(name, W, fn) op_##name: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0;       \
        RD = (uint64_t)fn(F##W(in->rs1), rm_, &fl); FP_DONE_INT(fl); }
#define ITOF(name, W, fn, T) op_##name: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0;    \
        SET_F##W(fn((T)RS1, rm_, &fl)); FP_DONE(fl); }

    DISPATCH();

    /* ---------------- RV64I ---------------- */
op_lui: RD = (uint64_t)IMM; NEXT();
op_auipc: RD = PC + (uint64_t)IMM; NEXT();
op_jal: { uint64_t t = PC + (uint64_t)IMM; RD = NEXT_PC; CHAIN_TO(t); }
op_jalr: { uint64_t t = (RS1 + (uint64_t)IMM) & ~1ull; RD = NEXT_PC; CHAIN_TO(t); }
op_beq: if (RS1 == RS2) CHAIN_TO(PC + (uint64_t)IMM); NEXT();
op_bne: if (RS1 != RS2) CHAIN_TO(PC + (uint64_t)IMM); NEXT();
op_blt: if ((int64_t)RS1 < (int64_t)RS2) CHAIN_TO(PC + (uint64_t)IMM); NEXT();
op_bge: if ((int64_t)RS1 >= (int64_t)RS2) CHAIN_TO(PC + (uint64_t)IMM); NEXT();
op_bltu: if (RS1 < RS2) CHAIN_TO(PC + (uint64_t)IMM); NEXT();
op_bgeu: if (RS1 >= RS2) CHAIN_TO(PC + (uint64_t)IMM); NEXT();
op_lb: { int8_t v; LOAD(int8_t, RS1 + (uint64_t)IMM, v); RD = (uint64_t)(int64_t)v; END_MEM(); }
op_lh: { int16_t v; LOAD(int16_t, RS1 + (uint64_t)IMM, v); RD = (uint64_t)(int64_t)v; END_MEM(); }
op_lw: { int32_t v; LOAD(int32_t, RS1 + (uint64_t)IMM, v); RD = (uint64_t)(int64_t)v; END_MEM(); }
op_ld: { uint64_t v; LOAD(uint64_t, RS1 + (uint64_t)IMM, v); RD = v; END_MEM(); }
op_lbu: { uint8_t v; LOAD(uint8_t, RS1 + (uint64_t)IMM, v); RD = v; END_MEM(); }
op_lhu: { uint16_t v; LOAD(uint16_t, RS1 + (uint64_t)IMM, v); RD = v; END_MEM(); }
op_lwu: { uint32_t v; LOAD(uint32_t, RS1 + (uint64_t)IMM, v); RD = v; END_MEM(); }
op_sb: STORE(uint8_t, RS1 + (uint64_t)IMM, RS2); END_MEM();
op_sh: STORE(uint16_t, RS1 + (uint64_t)IMM, RS2); END_MEM();
op_sw: STORE(uint32_t, RS1 + (uint64_t)IMM, RS2); END_MEM();
op_sd: STORE(uint64_t, RS1 + (uint64_t)IMM, RS2); END_MEM();
op_addi: RD = RS1 + (uint64_t)IMM; NEXT();
op_slti: RD = (int64_t)RS1 < IMM; NEXT();
op_sltiu: RD = RS1 < (uint64_t)IMM; NEXT();
op_xori: RD = RS1 ^ (uint64_t)IMM; NEXT();
op_ori: RD = RS1 | (uint64_t)IMM; NEXT();
op_andi: RD = RS1 & (uint64_t)IMM; NEXT();
op_slli: RD = RS1 << (IMM & 63); NEXT();
op_srli: RD = RS1 >> (IMM & 63); NEXT();
op_srai: RD = (uint64_t)((int64_t)RS1 >> (IMM & 63)); NEXT();
op_add: RD = RS1 + RS2; NEXT();
op_sub: RD = RS1 - RS2; NEXT();
op_sll: RD = RS1 << (RS2 & 63); NEXT();
op_slt: RD = (int64_t)RS1 < (int64_t)RS2; NEXT();
op_sltu: RD = RS1 < RS2; NEXT();
op_xor: RD = RS1 ^ RS2; NEXT();
op_srl: RD = RS1 >> (RS2 & 63); NEXT();
op_sra: RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT();
op_or: RD = RS1 | RS2; NEXT();
op_and: RD = RS1 & RS2; NEXT();
op_addiw: RD = (uint64_t)sext32(RS1 + (uint64_t)IMM); NEXT();
op_slliw: RD = (uint64_t)sext32((uint32_t)RS1 << (IMM & 31)); NEXT();
op_srliw: RD = (uint64_t)sext32((uint32_t)RS1 >> (IMM & 31)); NEXT();
op_sraiw: RD = (uint64_t)(int64_t)((int32_t)RS1 >> (IMM & 31)); NEXT();
op_addw: RD = (uint64_t)sext32(RS1 + RS2); NEXT();
op_subw: RD = (uint64_t)sext32(RS1 - RS2); NEXT();
op_sllw: RD = (uint64_t)sext32((uint32_t)RS1 << (RS2 & 31)); NEXT();
op_srlw: RD = (uint64_t)sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT();
op_sraw: RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); NEXT();
op_fence: NEXT();
op_fence_i: EXIT_TO(NEXT_PC); /* decoded code is always coherent with memory */

    /* ---------------- system ---------------- */
op_ecall:
    if (h->platform.ecall) {
        SYNC();
        h->pc = PC;
        if (h->platform.ecall(h->platform.ctx, h)) {
            h->icount++;
            h->pc += 4;
            return NULL;
        }
    }
    EXCEPTION(EXC_ECALL_U + (unsigned)h->priv, 0);
op_ebreak: EXCEPTION(EXC_BREAKPOINT, PC);
op_mret:
    if (h->priv != PRIV_M)
        ILLEGAL();
    SYNC();
    h->icount++;
    hart_mret(h);
    return NULL;
op_sret:
    if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TSR)))
        ILLEGAL();
    SYNC();
    h->icount++;
    hart_sret(h);
    return NULL;
op_wfi:
    if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TW)))
        ILLEGAL();
    h->wfi = true;
    EXIT_TO(NEXT_PC);
op_sfence_vma:
    if (h->priv == PRIV_U || (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM)))
        ILLEGAL();
    hart_tlb_flush(h);
    EXIT_TO(NEXT_PC);

    /* Zicsr: rd = x0 on csrrw(i) skips the read; rs1 = x0 / uimm = 0 on the set/clear forms
     * skips the write (so read-only CSRs can be read with them). */
#define CSR_NUM ((uint32_t)in->imm & 0xfff)
#define CSR_DO(kind, src, writes) do {                                                  \
        uint64_t old_ = 0, src_ = (src);                                                \
        bool read_ = (kind) != 0 || in->rd != 32;                                       \
        SYNC();                                                                         \
        if (read_ && hart_csr_read(h, CSR_NUM, &old_))                                  \
            ILLEGAL();                                                                  \
        if (writes) {                                                                   \
            /* mip.SEIP: read-modify-write acts on the software bit, not the line */     \
            uint64_t base_ = CSR_NUM == 0x344 ? ((old_ & ~MIP_SEIP) | (h->mip_sw & MIP_SEIP)) \
                                              : old_;                                   \
            uint64_t new_ = (kind) == 0 ? src_ : (kind) == 1 ? (base_ | src_) : (base_ & ~src_); \
            if (hart_csr_write(h, CSR_NUM, new_))                                       \
                ILLEGAL();                                                              \
        }                                                                               \
        RD = old_;                                                                      \
        if (!(writes))                                                                  \
            NEXT(); /* a pure read changes nothing: the block goes on */               \
        EXIT_TO(NEXT_PC);                                                               \
    } while (0)
op_csrrw: CSR_DO(0, RS1, true);
op_csrrs: CSR_DO(1, RS1, in->rs1 != 0);
op_csrrc: CSR_DO(2, RS1, in->rs1 != 0);
op_csrrwi: CSR_DO(0, (uint64_t)in->rs1, true);
op_csrrsi: CSR_DO(1, (uint64_t)in->rs1, in->rs1 != 0);
op_csrrci: CSR_DO(2, (uint64_t)in->rs1, in->rs1 != 0);

    /* ---------------- M ---------------- */
op_mul: RD = RS1 * RS2; NEXT();
op_mulh: RD = (uint64_t)(((__int128)(int64_t)RS1 * (__int128)(int64_t)RS2) >> 64); NEXT();
op_mulhsu: RD = (uint64_t)(((__int128)(int64_t)RS1 * (__int128)RS2) >> 64); NEXT();
op_mulhu: RD = (uint64_t)(((unsigned __int128)RS1 * RS2) >> 64); NEXT();
op_div: {
    int64_t a = (int64_t)RS1, b = (int64_t)RS2;
    RD = b == 0 ? UINT64_MAX : (a == INT64_MIN && b == -1) ? (uint64_t)a : (uint64_t)(a / b);
    NEXT();
}
op_divu: RD = RS2 == 0 ? UINT64_MAX : RS1 / RS2; NEXT();
op_rem: {
    int64_t a = (int64_t)RS1, b = (int64_t)RS2;
    RD = b == 0 ? (uint64_t)a : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
    NEXT();
}
op_remu: RD = RS2 == 0 ? RS1 : RS1 % RS2; NEXT();
op_mulw: RD = (uint64_t)sext32(RS1 * RS2); NEXT();
op_divw: {
    int32_t a = (int32_t)RS1, b = (int32_t)RS2;
    RD = (uint64_t)(int64_t)(b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b);
    NEXT();
}
op_divuw: {
    uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
    RD = (uint64_t)sext32(b == 0 ? UINT32_MAX : a / b);
    NEXT();
}
op_remw: {
    int32_t a = (int32_t)RS1, b = (int32_t)RS2;
    RD = (uint64_t)(int64_t)(b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b);
    NEXT();
}
op_remuw: {
    uint32_t a = (uint32_t)RS1, b = (uint32_t)RS2;
    RD = (uint64_t)sext32(b == 0 ? a : a % b);
    NEXT();
}

    /* ---------------- A ---------------- */
op_lr_w: {
    uint64_t a = RS1, v;
    if (a & 3)
        EXCEPTION(EXC_LOAD_MISALIGNED, a);
    SYNC();
    if (mmu_load_reserved(h, a, 4, &v) == MEM_FAULT)
        MEM_EXCEPTION();
    RD = (uint64_t)sext32(v);
    mem_exit |= h->watch_hit;
    END_MEM();
}
op_lr_d: {
    uint64_t a = RS1, v;
    if (a & 7)
        EXCEPTION(EXC_LOAD_MISALIGNED, a);
    SYNC();
    if (mmu_load_reserved(h, a, 8, &v) == MEM_FAULT)
        MEM_EXCEPTION();
    RD = v;
    mem_exit |= h->watch_hit;
    END_MEM();
}
    /* SC succeeds if this hart still holds the reservation LR took on the address: any store
     * to the reserved page by another hart or a device clears it (see code_cache.c). */
#define SC_OP(T, align)                                                                 \
    do {                                                                                \
        uint64_t a = RS1;                                                               \
        if (a & (align))                                                                \
            EXCEPTION(EXC_STORE_MISALIGNED, a);                                         \
        if (!h->reservation_valid || h->reservation_addr != a) {                        \
            h->reservation_valid = false;                                               \
            RD = 1;                                                                     \
            NEXT();                                                                     \
        }                                                                               \
        uint8_t *p;                                                                     \
        uint64_t amo_paddr;                                                             \
        AMO_PTR(T, a, p);                                                               \
        h->reservation_valid = false;                                                   \
        T nv = (T)RS2;                                                                  \
        memcpy(p, &nv, sizeof(T));                                                      \
        AMO_DONE(T);                                                                    \
        RD = 0;                                                                         \
        END_MEM();                                                                      \
    } while (0)
op_sc_w: SC_OP(uint32_t, 3);
op_sc_d: SC_OP(uint64_t, 7);
op_amoswap_w: AMO_OP(uint32_t, int32_t, b);
op_amoadd_w: AMO_OP(uint32_t, int32_t, a + b);
op_amoxor_w: AMO_OP(uint32_t, int32_t, a ^ b);
op_amoand_w: AMO_OP(uint32_t, int32_t, a & b);
op_amoor_w: AMO_OP(uint32_t, int32_t, a | b);
op_amomin_w: AMO_OP(uint32_t, int32_t, (int32_t)a < (int32_t)b ? a : b);
op_amomax_w: AMO_OP(uint32_t, int32_t, (int32_t)a > (int32_t)b ? a : b);
op_amominu_w: AMO_OP(uint32_t, int32_t, a < b ? a : b);
op_amomaxu_w: AMO_OP(uint32_t, int32_t, a > b ? a : b);
op_amoswap_d: AMO_OP(uint64_t, int64_t, b);
op_amoadd_d: AMO_OP(uint64_t, int64_t, a + b);
op_amoxor_d: AMO_OP(uint64_t, int64_t, a ^ b);
op_amoand_d: AMO_OP(uint64_t, int64_t, a & b);
op_amoor_d: AMO_OP(uint64_t, int64_t, a | b);
op_amomin_d: AMO_OP(uint64_t, int64_t, (int64_t)a < (int64_t)b ? a : b);
op_amomax_d: AMO_OP(uint64_t, int64_t, (int64_t)a > (int64_t)b ? a : b);
op_amominu_d: AMO_OP(uint64_t, int64_t, a < b ? a : b);
op_amomaxu_d: AMO_OP(uint64_t, int64_t, a > b ? a : b);

    /* ---------------- F ---------------- */
op_flw: { FP_CHECK(); uint32_t v; LOAD(uint32_t, RS1 + (uint64_t)IMM, v); SET_F32(v);
          h->mstatus |= MSTATUS_FS; END_MEM(); }
op_fsw: { FP_CHECK(); STORE(uint32_t, RS1 + (uint64_t)IMM, h->f[in->rs2]); END_MEM(); }
FFMA(fmadd_s, 32, fpu_f32_muladd, false, false)
FFMA(fmsub_s, 32, fpu_f32_muladd, false, true)
FFMA(fnmsub_s, 32, fpu_f32_muladd, true, false)
FFMA(fnmadd_s, 32, fpu_f32_muladd, true, true)
FBIN(fadd_s, 32, fpu_f32_add)
FBIN(fsub_s, 32, fpu_f32_sub)
FBIN(fmul_s, 32, fpu_f32_mul)
FBIN(fdiv_s, 32, fpu_f32_div)
op_fsqrt_s: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0;
              SET_F32(fpu_f32_sqrt(F32(in->rs1), rm_, &fl)); FP_DONE(fl); }
op_fsgnj_s: { FP_CHECK(); SET_F32((F32(in->rs1) & 0x7fffffffu) | (F32(in->rs2) & 0x80000000u)); FP_DONE(0); }
op_fsgnjn_s: { FP_CHECK(); SET_F32((F32(in->rs1) & 0x7fffffffu) | (~F32(in->rs2) & 0x80000000u)); FP_DONE(0); }
op_fsgnjx_s: { FP_CHECK(); SET_F32(F32(in->rs1) ^ (F32(in->rs2) & 0x80000000u)); FP_DONE(0); }
FMINMAX(fmin_s, 32, fpu_f32_min)
FMINMAX(fmax_s, 32, fpu_f32_max)
FTOI(fcvt_w_s, 32, fpu_f32_to_i32)
FTOI(fcvt_wu_s, 32, fpu_f32_to_u32)
FTOI(fcvt_l_s, 32, fpu_f32_to_i64)
FTOI(fcvt_lu_s, 32, fpu_f32_to_u64)
op_fmv_x_w: { FP_CHECK(); RD = (uint64_t)sext32(h->f[in->rs1]); NEXT(); }
op_fclass_s: { FP_CHECK(); RD = fpu_f32_classify(F32(in->rs1)); NEXT(); }
FCMP(feq_s, 32, fpu_f32_eq)
FCMP(flt_s, 32, fpu_f32_lt)
FCMP(fle_s, 32, fpu_f32_le)
ITOF(fcvt_s_w, 32, fpu_i32_to_f32, int32_t)
ITOF(fcvt_s_wu, 32, fpu_u32_to_f32, uint32_t)
ITOF(fcvt_s_l, 32, fpu_i64_to_f32, int64_t)
ITOF(fcvt_s_lu, 32, fpu_u64_to_f32, uint64_t)
op_fmv_w_x: { FP_CHECK(); SET_F32((uint32_t)RS1); FP_DONE(0); }

    /* ---------------- D ---------------- */
op_fld: { FP_CHECK(); uint64_t v; LOAD(uint64_t, RS1 + (uint64_t)IMM, v); SET_F64(v);
          h->mstatus |= MSTATUS_FS; END_MEM(); }
op_fsd: { FP_CHECK(); STORE(uint64_t, RS1 + (uint64_t)IMM, h->f[in->rs2]); END_MEM(); }
FFMA(fmadd_d, 64, fpu_f64_muladd, false, false)
FFMA(fmsub_d, 64, fpu_f64_muladd, false, true)
FFMA(fnmsub_d, 64, fpu_f64_muladd, true, false)
FFMA(fnmadd_d, 64, fpu_f64_muladd, true, true)
FBIN(fadd_d, 64, fpu_f64_add)
FBIN(fsub_d, 64, fpu_f64_sub)
FBIN(fmul_d, 64, fpu_f64_mul)
FBIN(fdiv_d, 64, fpu_f64_div)
op_fsqrt_d: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0;
              SET_F64(fpu_f64_sqrt(F64(in->rs1), rm_, &fl)); FP_DONE(fl); }
op_fsgnj_d: { FP_CHECK(); SET_F64((F64(in->rs1) & ~(1ull << 63)) | (F64(in->rs2) & (1ull << 63))); FP_DONE(0); }
op_fsgnjn_d: { FP_CHECK(); SET_F64((F64(in->rs1) & ~(1ull << 63)) | (~F64(in->rs2) & (1ull << 63))); FP_DONE(0); }
op_fsgnjx_d: { FP_CHECK(); SET_F64(F64(in->rs1) ^ (F64(in->rs2) & (1ull << 63))); FP_DONE(0); }
FMINMAX(fmin_d, 64, fpu_f64_min)
FMINMAX(fmax_d, 64, fpu_f64_max)
op_fcvt_s_d: { FP_CHECK(); int rm_ = RM(); uint32_t fl = 0;
               SET_F32(fpu_f64_to_f32(F64(in->rs1), rm_, &fl)); FP_DONE(fl); }
op_fcvt_d_s: { FP_CHECK(); (void)RM(); uint32_t fl = 0;
               SET_F64(fpu_f32_to_f64(F32(in->rs1), &fl)); FP_DONE(fl); }
FCMP(feq_d, 64, fpu_f64_eq)
FCMP(flt_d, 64, fpu_f64_lt)
FCMP(fle_d, 64, fpu_f64_le)
op_fclass_d: { FP_CHECK(); RD = fpu_f64_classify(F64(in->rs1)); NEXT(); }
FTOI(fcvt_w_d, 64, fpu_f64_to_i32)
FTOI(fcvt_wu_d, 64, fpu_f64_to_u32)
FTOI(fcvt_l_d, 64, fpu_f64_to_i64)
FTOI(fcvt_lu_d, 64, fpu_f64_to_u64)
ITOF(fcvt_d_w, 64, fpu_i32_to_f64, int32_t)
ITOF(fcvt_d_wu, 64, fpu_u32_to_f64, uint32_t)
ITOF(fcvt_d_l, 64, fpu_i64_to_f64, int64_t)
ITOF(fcvt_d_lu, 64, fpu_u64_to_f64, uint64_t)
op_fmv_x_d: { FP_CHECK(); RD = h->f[in->rs1]; NEXT(); }
op_fmv_d_x: { FP_CHECK(); SET_F64(RS1); FP_DONE(0); }

    /* ---------------- Zba ---------------- */
op_add_uw: RD = RS2 + (uint32_t)RS1; NEXT();
op_sh1add: RD = RS2 + (RS1 << 1); NEXT();
op_sh2add: RD = RS2 + (RS1 << 2); NEXT();
op_sh3add: RD = RS2 + (RS1 << 3); NEXT();
op_sh1add_uw: RD = RS2 + ((uint64_t)(uint32_t)RS1 << 1); NEXT();
op_sh2add_uw: RD = RS2 + ((uint64_t)(uint32_t)RS1 << 2); NEXT();
op_sh3add_uw: RD = RS2 + ((uint64_t)(uint32_t)RS1 << 3); NEXT();
op_slli_uw: RD = (uint64_t)(uint32_t)RS1 << (IMM & 63); NEXT();

    /* ---------------- Zbb ---------------- */
op_andn: RD = RS1 & ~RS2; NEXT();
op_orn: RD = RS1 | ~RS2; NEXT();
op_xnor: RD = ~(RS1 ^ RS2); NEXT();
op_clz: RD = RS1 ? (uint64_t)__builtin_clzll(RS1) : 64; NEXT();
op_ctz: RD = RS1 ? (uint64_t)__builtin_ctzll(RS1) : 64; NEXT();
op_cpop: RD = (uint64_t)__builtin_popcountll(RS1); NEXT();
op_sext_b: RD = (uint64_t)(int64_t)(int8_t)RS1; NEXT();
op_sext_h: RD = (uint64_t)(int64_t)(int16_t)RS1; NEXT();
op_clzw: RD = (uint32_t)RS1 ? (uint64_t)__builtin_clz((uint32_t)RS1) : 32; NEXT();
op_ctzw: RD = (uint32_t)RS1 ? (uint64_t)__builtin_ctz((uint32_t)RS1) : 32; NEXT();
op_cpopw: RD = (uint64_t)__builtin_popcount((uint32_t)RS1); NEXT();
op_max: RD = (int64_t)RS1 > (int64_t)RS2 ? RS1 : RS2; NEXT();
op_maxu: RD = RS1 > RS2 ? RS1 : RS2; NEXT();
op_min: RD = (int64_t)RS1 < (int64_t)RS2 ? RS1 : RS2; NEXT();
op_minu: RD = RS1 < RS2 ? RS1 : RS2; NEXT();
op_zext_h: RD = (uint16_t)RS1; NEXT();
op_rol: { unsigned s = RS2 & 63; RD = s ? (RS1 << s) | (RS1 >> (64 - s)) : RS1; NEXT(); }
op_ror: { unsigned s = RS2 & 63; RD = s ? (RS1 >> s) | (RS1 << (64 - s)) : RS1; NEXT(); }
op_rolw: { uint32_t v = (uint32_t)RS1; unsigned s = RS2 & 31;
           RD = (uint64_t)sext32(s ? (v << s) | (v >> (32 - s)) : v); NEXT(); }
op_rorw: { uint32_t v = (uint32_t)RS1; unsigned s = RS2 & 31;
           RD = (uint64_t)sext32(s ? (v >> s) | (v << (32 - s)) : v); NEXT(); }
op_rori: { unsigned s = IMM & 63; RD = s ? (RS1 >> s) | (RS1 << (64 - s)) : RS1; NEXT(); }
op_roriw: { uint32_t v = (uint32_t)RS1; unsigned s = IMM & 31;
            RD = (uint64_t)sext32(s ? (v >> s) | (v << (32 - s)) : v); NEXT(); }
op_orc_b: {
    uint64_t v = RS1, r = 0;
    for (int i = 0; i < 8; i++)
        if ((v >> (8 * i)) & 0xff)
            r |= 0xffull << (8 * i);
    RD = r;
    NEXT();
}
op_rev8: RD = __builtin_bswap64(RS1); NEXT();

    /* ---------------- pseudo-ops ---------------- */
op_illegal: ILLEGAL();
op_block_end:
    /* Fell off the end of the block: the previous instruction is the last one retired. */
    in--;
    CHAIN_TO(NEXT_PC);
}

/* --- block building --- */

static void resolve_handlers(struct block *b)
{
    const void *const *labels = exec_block(NULL, NULL, 0, 0);
    for (uint32_t i = 0; i <= b->count; i++)
        b->insns[i].handler = labels[b->insns[i].op];
}

static bool straddles_page(const uint8_t *page, uint64_t vpc)
{
    return (vpc & 0xfff) == 0xffe && (page[0xffe] & 3) == 3;
}

/* csrrs/csrrc rd, csr, x0 and their immediate forms with 0 only read a CSR: they do not end
 * a block. */
static bool is_csr_read(const struct insn *in)
{
    switch (in->op) {
    case OP_csrrs: case OP_csrrc: case OP_csrrsi: case OP_csrrci:
        return in->rs1 == 0;
    default:
        return false;
    }
}

/* Decode a block from `page` (host view of the physical page holding ppc). */
static struct block *build_block(struct hart *h, uint64_t ppc, const uint8_t *page)
{
    struct insn tmp[BLOCK_MAX_INSNS];
    unsigned off = (unsigned)(ppc & 0xfff), count = 0, bytes = 0;
    while (count < BLOCK_MAX_INSNS) {
        unsigned o = off + bytes;
        if (o >= 0x1000)
            break;
        uint16_t lo = (uint16_t)(page[o] | page[o + 1] << 8);
        unsigned len = (lo & 3) == 3 ? 4 : 2;
        if (o + len > 0x1000)
            break; /* straddles the page: executed alone by the uncached path */
        uint32_t raw = lo;
        if (len == 4)
            raw |= (uint32_t)(page[o + 2] | page[o + 3] << 8) << 16;
        decode_insn(raw, len, &tmp[count]);
        tmp[count].offset = (uint16_t)bytes;
        bytes += len;
        count++;
        if ((insn_table[tmp[count - 1].op].flags & F_END) && !is_csr_read(&tmp[count - 1]))
            break;
    }
    struct block *b = code_cache_alloc(h->code, count);
    if (!b) {
        code_cache_flush(h->code);
        b = code_cache_alloc(h->code, count);
    }
    b->ppc = ppc;
    b->count = count;
    b->bytes = bytes;
    memcpy(b->insns, tmp, count * sizeof(struct insn));
    b->insns[count] = (struct insn){ .op = OP_block_end, .offset = (uint16_t)bytes };
    resolve_handlers(b);
    code_cache_insert(h->code, b);
    return b;
}

/* A block of one instruction that is not cached: it straddles two pages, or it lives on a
 * page that PMP does not treat uniformly. Fetches it (and checks PMP) exactly. `sb` has room
 * for two instructions (the instruction and the sentinel). */
static int fetch_single(struct hart *h, uint64_t vpc, uint64_t ppc, struct block *sb)
{
    uint64_t lo;
    if (bus_read(h->bus, ppc, 2, &lo))
        return EXC_INSN_ACCESS;
    unsigned len = (lo & 3) == 3 ? 4 : 2;
    uint32_t raw = (uint32_t)lo;
    if (len == 4) {
        uint64_t vhi = vpc + 2, phi, hi;
        if ((vhi & 0xfff) == 0) {
            const uint8_t *unused;
            int cause = mmu_fetch(h, vhi, &phi, &unused);
            if (cause) {
                h->exc_tval = vhi;
                return cause;
            }
        } else {
            phi = ppc + 2;
            if (!pmp_allows(h, phi, 2, TLB_EXEC, h->priv))
                return EXC_INSN_ACCESS;
        }
        if (bus_read(h->bus, phi, 2, &hi))
            return EXC_INSN_ACCESS;
        raw |= (uint32_t)hi << 16;
    }
    memset(sb, 0, sizeof(*sb));
    decode_insn(raw, len, &sb->insns[0]);
    sb->insns[0].offset = 0;
    sb->insns[1] = (struct insn){ .op = OP_block_end, .offset = (uint16_t)len };
    sb->ppc = ppc;
    sb->count = 1;
    sb->bytes = len;
    resolve_handlers(sb);
    return 0;
}

static bool is_breakpoint(const struct hart *h, uint64_t vpc)
{
    for (int i = 0; i < h->breakpoint_count; i++)
        if (h->breakpoints[i] == vpc)
            return true;
    return false;
}

int hart_breakpoint_add(struct hart *h, uint64_t vpc)
{
    if (is_breakpoint(h, vpc))
        return 0;
    if (h->breakpoint_count >= HART_MAX_BREAKPOINTS)
        return -1;
    h->breakpoints[h->breakpoint_count++] = vpc;
    return 0;
}

int hart_breakpoint_remove(struct hart *h, uint64_t vpc)
{
    for (int i = 0; i < h->breakpoint_count; i++)
        if (h->breakpoints[i] == vpc) {
            h->breakpoints[i] = h->breakpoints[--h->breakpoint_count];
            return 0;
        }
    return -1;
}

/* Run one block starting at h->pc, stopping before icount `end` and before any breakpoint
 * other than one at the first instruction. */
static void run_block(struct hart *h, uint64_t end)
{
    uint64_t vpc = h->pc, ppc;
    const uint8_t *page;
    int cause = mmu_fetch(h, vpc, &ppc, &page);
    if (cause) {
        hart_raise(h, (uint32_t)cause, vpc);
        return;
    }
    const struct block *b;
    /* Room for a temporary block: a single uncached instruction or a truncated copy. */
    _Alignas(struct block) uint8_t scratch[sizeof(struct block) +
                                           (BLOCK_MAX_INSNS + 1) * sizeof(struct insn)];
    struct block *tmp = (struct block *)scratch;
    if (!page || straddles_page(page, vpc)) {
        h->exc_tval = vpc;
        cause = fetch_single(h, vpc, ppc, tmp);
        if (cause) {
            hart_raise(h, (uint32_t)cause, h->exc_tval);
            return;
        }
        b = tmp;
    } else {
        b = code_cache_lookup(h->code, ppc);
        if (!b)
            b = build_block(h, ppc, page);
        struct jcache_entry *e = &h->jcache[jcache_index(vpc)];
        *e = (struct jcache_entry){ .vpc = vpc, .block = b, .epoch = h->tlb_epoch,
                                    .priv = (uint32_t)h->priv };
    }
    uint64_t budget = end - h->icount;
    if (unlikely(h->breakpoint_count)) {
        for (uint32_t i = 1; i < b->count && i < budget; i++)
            if (is_breakpoint(h, vpc + b->insns[i].offset)) {
                budget = i;
                break;
            }
    }
    if (b->count > budget) {
        /* Run exactly `budget` instructions: a truncated copy ending in the sentinel. */
        unsigned n = (unsigned)budget;
        if (b != tmp) {
            memcpy(tmp, b, sizeof(struct block));
            memcpy(tmp->insns, b->insns, n * sizeof(struct insn));
        }
        tmp->count = n;
        tmp->insns[n] = (struct insn){ .op = OP_block_end, .offset = b->insns[n].offset };
        resolve_handlers(tmp);
        b = tmp;
    }
    exec_block(h, b, vpc, end);
}

uint64_t hart_run(struct hart *h, uint64_t max_insns, enum hart_stop *stop)
{
    uint64_t start = h->icount, end = start + max_insns;
    for (;;) {
        if (unlikely(h->watch_hit)) {
            /* Reported once: the hart stops after the watched access. */
            h->stop_requested = false;
            *stop = HART_STOP_WATCH;
            break;
        }
        if (h->stop_requested) {
            h->stop_requested = false;
            *stop = HART_STOP_REQUEST;
            break;
        }
        if (h->icount >= end) {
            *stop = HART_STOP_BUDGET;
            break;
        }
        if (unlikely(h->mip & h->mie)) {
            h->wfi = false;  /* wfi resumes when an interrupt is pending, enabled or not */
            hart_take_interrupt(h);
        }
        if (unlikely(h->wfi)) {
            *stop = HART_STOP_WFI;
            break;
        }
        if (unlikely(h->breakpoint_count) && is_breakpoint(h, h->pc)) {
            if (!(h->at_breakpoint && h->icount == h->bp_icount && h->pc == h->bp_pc)) {
                h->at_breakpoint = true;
                h->bp_pc = h->pc;
                h->bp_icount = h->icount;
                *stop = HART_STOP_BREAKPOINT;
                break;
            }
        }
        uint64_t before = h->icount;
        run_block(h, end);
        /* A trap whose handler traps again at once never retires anything, and time (which
         * is instructions) stands still: after this many in a row the hart is stuck. */
        if (unlikely(h->icount == before) && !h->wfi && !h->stop_requested) {
            if (++h->traps_without_progress >= HART_STUCK_TRAPS) {
                *stop = HART_STOP_STUCK;
                break;
            }
        } else {
            h->traps_without_progress = 0;
        }
    }
    return h->icount - start;
}

int hart_vwrite(struct hart *h, uint64_t vaddr, const void *buf, uint64_t len)
{
    const uint8_t *in = buf;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t pa;
        /* A debugger may write where the guest may only read (code): translate as a read. */
        int cause = mmu_translate_quiet(h, vaddr + i, TLB_READ, h->dmode, &pa);
        if (cause)
            return cause;
        if (bus_is_mmio(h->bus, pa) || bus_write(h->bus, pa, 1, in[i]))
            return EXC_STORE_ACCESS;
    }
    return 0;
}

int hart_vread(struct hart *h, uint64_t vaddr, void *buf, uint64_t len)
{
    uint8_t *out = buf;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t pa, v;
        int cause = mmu_translate_quiet(h, vaddr + i, TLB_READ, h->dmode, &pa);
        if (cause)
            return cause;
        if (bus_is_mmio(h->bus, pa) || bus_read(h->bus, pa, 1, &v))
            return EXC_LOAD_ACCESS;
        out[i] = (uint8_t)v;
    }
    return 0;
}
