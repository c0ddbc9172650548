/* hart_fixture.h — a hand-built machine for the cpu unit tests: one hart on a bus with 8 MiB of
 * RAM at 0x80000000 and a code cache, instruction encoders, and small helpers to place code,
 * poke memory and run. Encoders follow assembler operand order, e.g. SD(rs2, imm, rs1) is
 * `sd rs2, imm(rs1)`; test_decode checks them against cross-assembler output. */
#ifndef REWIND_TEST_HART_FIXTURE_H
#define REWIND_TEST_HART_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"
#include "vmm/cpu/hart.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (8ull << 20)
/* Layout used by the tests (all inside RAM). */
#define CODE_BASE RAM_BASE               /* default pc */
#define MTRAP_PC (RAM_BASE + 0x3000)     /* mtvec: `j .` */
#define STRAP_PC (RAM_BASE + 0x3800)     /* stvec: `j .` */
#define DATA_BASE (RAM_BASE + 0x100000)  /* scratch data */
#define PT_BASE (RAM_BASE + 0x600000)    /* page tables */

struct machine {
    struct bus bus;
    uint8_t *ram;
    struct code_cache *cc;
    struct hart h;
    uint64_t at;            /* emit cursor (physical address) */
    enum hart_stop stop;    /* stop reason of the last run() */
};

/* A fresh machine: hart reset at CODE_BASE in M-mode, mtvec = MTRAP_PC, stvec = STRAP_PC (both
 * holding `j .`), PMP entry 15 = NAPOT over everything with RWX (so S/U may access memory;
 * lower entries take priority). */
struct machine *machine_new(void);
void machine_free(struct machine *m);

uint8_t *ram_ptr(struct machine *m, uint64_t pa);
void wr8(struct machine *m, uint64_t pa, uint8_t v);
void wr16(struct machine *m, uint64_t pa, uint16_t v);
void wr32(struct machine *m, uint64_t pa, uint32_t v);
void wr64(struct machine *m, uint64_t pa, uint64_t v);
uint8_t rd8(struct machine *m, uint64_t pa);
uint16_t rd16(struct machine *m, uint64_t pa);
uint32_t rd32(struct machine *m, uint64_t pa);
uint64_t rd64(struct machine *m, uint64_t pa);

/* Place instructions at the cursor (written straight into RAM: only for code not yet run). */
void org(struct machine *m, uint64_t pa);
uint64_t emit(struct machine *m, uint32_t insn);    /* returns the address it was put at */
uint64_t emit16(struct machine *m, uint16_t insn);

/* hart_run(&m->h, n, &m->stop). */
uint64_t run(struct machine *m, uint64_t n);
/* Put the hart in privilege p (as if an xRET had got there). */
void enter_priv(struct machine *m, enum priv p);
/* CSR access through the hart's own interface; fails the test if it is refused. */
void csr_set(struct machine *m, uint32_t csr, uint64_t v);
uint64_t csr_get(struct machine *m, uint32_t csr);

/* ---- CSR numbers ---- */
enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02, CSR_HPMCOUNTER3 = 0xc03,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142, CSR_STVAL = 0x143,
    CSR_SIP = 0x144, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MHARTID = 0xf14,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG2 = 0x3a2, CSR_PMPADDR0 = 0x3b0,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
};

/* ---- instruction encoders ---- */
static inline uint32_t rv_r(uint32_t opc, uint32_t f3, uint32_t f7, uint32_t rd, uint32_t rs1,
                            uint32_t rs2)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25;
}
static inline uint32_t rv_i(uint32_t opc, uint32_t f3, uint32_t rd, uint32_t rs1, int32_t imm)
{
    return opc | rd << 7 | f3 << 12 | rs1 << 15 | ((uint32_t)imm & 0xfffu) << 20;
}
static inline uint32_t rv_s(uint32_t opc, uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return opc | (u & 0x1f) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | ((u >> 5) & 0x7f) << 25;
}
static inline uint32_t rv_b(uint32_t f3, uint32_t rs1, uint32_t rs2, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return 0x63 | ((u >> 11) & 1) << 7 | ((u >> 1) & 0xf) << 8 | f3 << 12 | rs1 << 15 |
           rs2 << 20 | ((u >> 5) & 0x3f) << 25 | ((u >> 12) & 1) << 31;
}
static inline uint32_t rv_u(uint32_t opc, uint32_t rd, uint32_t imm20)
{
    return opc | rd << 7 | (imm20 & 0xfffffu) << 12;
}
static inline uint32_t rv_j(uint32_t rd, int32_t off)
{
    uint32_t u = (uint32_t)off;
    return 0x6f | rd << 7 | ((u >> 12) & 0xff) << 12 | ((u >> 11) & 1) << 20 |
           ((u >> 1) & 0x3ff) << 21 | ((u >> 20) & 1) << 31;
}

#define LUI(rd, imm20)        rv_u(0x37, rd, imm20)
#define AUIPC(rd, imm20)      rv_u(0x17, rd, imm20)
#define JAL(rd, off)          rv_j(rd, off)
#define JALR(rd, imm, rs1)    rv_i(0x67, 0, rd, rs1, imm)
#define BEQ(rs1, rs2, off)    rv_b(0, rs1, rs2, off)
#define BNE(rs1, rs2, off)    rv_b(1, rs1, rs2, off)
#define BLT(rs1, rs2, off)    rv_b(4, rs1, rs2, off)
#define BGE(rs1, rs2, off)    rv_b(5, rs1, rs2, off)
#define BLTU(rs1, rs2, off)   rv_b(6, rs1, rs2, off)
#define BGEU(rs1, rs2, off)   rv_b(7, rs1, rs2, off)
#define LB(rd, imm, rs1)      rv_i(0x03, 0, rd, rs1, imm)
#define LH(rd, imm, rs1)      rv_i(0x03, 1, rd, rs1, imm)
#define LW(rd, imm, rs1)      rv_i(0x03, 2, rd, rs1, imm)
#define LD(rd, imm, rs1)      rv_i(0x03, 3, rd, rs1, imm)
#define LBU(rd, imm, rs1)     rv_i(0x03, 4, rd, rs1, imm)
#define LHU(rd, imm, rs1)     rv_i(0x03, 5, rd, rs1, imm)
#define LWU(rd, imm, rs1)     rv_i(0x03, 6, rd, rs1, imm)
#define SB(rs2, imm, rs1)     rv_s(0x23, 0, rs1, rs2, imm)
#define SH(rs2, imm, rs1)     rv_s(0x23, 1, rs1, rs2, imm)
#define SW(rs2, imm, rs1)     rv_s(0x23, 2, rs1, rs2, imm)
#define SD(rs2, imm, rs1)     rv_s(0x23, 3, rs1, rs2, imm)
#define ADDI(rd, rs1, imm)    rv_i(0x13, 0, rd, rs1, imm)
#define SLTI(rd, rs1, imm)    rv_i(0x13, 2, rd, rs1, imm)
#define SLTIU(rd, rs1, imm)   rv_i(0x13, 3, rd, rs1, imm)
#define XORI(rd, rs1, imm)    rv_i(0x13, 4, rd, rs1, imm)
#define ORI(rd, rs1, imm)     rv_i(0x13, 6, rd, rs1, imm)
#define ANDI(rd, rs1, imm)    rv_i(0x13, 7, rd, rs1, imm)
#define SLLI(rd, rs1, sh)     rv_i(0x13, 1, rd, rs1, sh)
#define SRLI(rd, rs1, sh)     rv_i(0x13, 5, rd, rs1, sh)
#define SRAI(rd, rs1, sh)     rv_i(0x13, 5, rd, rs1, 0x400 | (sh))
#define ADD(rd, rs1, rs2)     rv_r(0x33, 0, 0x00, rd, rs1, rs2)
#define SUB(rd, rs1, rs2)     rv_r(0x33, 0, 0x20, rd, rs1, rs2)
#define SLL(rd, rs1, rs2)     rv_r(0x33, 1, 0x00, rd, rs1, rs2)
#define SLT(rd, rs1, rs2)     rv_r(0x33, 2, 0x00, rd, rs1, rs2)
#define SLTU(rd, rs1, rs2)    rv_r(0x33, 3, 0x00, rd, rs1, rs2)
#define XOR(rd, rs1, rs2)     rv_r(0x33, 4, 0x00, rd, rs1, rs2)
#define SRL(rd, rs1, rs2)     rv_r(0x33, 5, 0x00, rd, rs1, rs2)
#define SRA(rd, rs1, rs2)     rv_r(0x33, 5, 0x20, rd, rs1, rs2)
#define OR(rd, rs1, rs2)      rv_r(0x33, 6, 0x00, rd, rs1, rs2)
#define AND(rd, rs1, rs2)     rv_r(0x33, 7, 0x00, rd, rs1, rs2)
#define ADDIW(rd, rs1, imm)   rv_i(0x1b, 0, rd, rs1, imm)
#define SLLIW(rd, rs1, sh)    rv_i(0x1b, 1, rd, rs1, sh)
#define SRLIW(rd, rs1, sh)    rv_i(0x1b, 5, rd, rs1, sh)
#define SRAIW(rd, rs1, sh)    rv_i(0x1b, 5, rd, rs1, 0x400 | (sh))
#define ADDW(rd, rs1, rs2)    rv_r(0x3b, 0, 0x00, rd, rs1, rs2)
#define SUBW(rd, rs1, rs2)    rv_r(0x3b, 0, 0x20, rd, rs1, rs2)
#define SLLW(rd, rs1, rs2)    rv_r(0x3b, 1, 0x00, rd, rs1, rs2)
#define SRLW(rd, rs1, rs2)    rv_r(0x3b, 5, 0x00, rd, rs1, rs2)
#define SRAW(rd, rs1, rs2)    rv_r(0x3b, 5, 0x20, rd, rs1, rs2)
#define MUL(rd, rs1, rs2)     rv_r(0x33, 0, 0x01, rd, rs1, rs2)
#define MULH(rd, rs1, rs2)    rv_r(0x33, 1, 0x01, rd, rs1, rs2)
#define MULHSU(rd, rs1, rs2)  rv_r(0x33, 2, 0x01, rd, rs1, rs2)
#define MULHU(rd, rs1, rs2)   rv_r(0x33, 3, 0x01, rd, rs1, rs2)
#define DIV(rd, rs1, rs2)     rv_r(0x33, 4, 0x01, rd, rs1, rs2)
#define DIVU(rd, rs1, rs2)    rv_r(0x33, 5, 0x01, rd, rs1, rs2)
#define REM(rd, rs1, rs2)     rv_r(0x33, 6, 0x01, rd, rs1, rs2)
#define REMU(rd, rs1, rs2)    rv_r(0x33, 7, 0x01, rd, rs1, rs2)
#define MULW(rd, rs1, rs2)    rv_r(0x3b, 0, 0x01, rd, rs1, rs2)
#define DIVW(rd, rs1, rs2)    rv_r(0x3b, 4, 0x01, rd, rs1, rs2)
#define DIVUW(rd, rs1, rs2)   rv_r(0x3b, 5, 0x01, rd, rs1, rs2)
#define REMW(rd, rs1, rs2)    rv_r(0x3b, 6, 0x01, rd, rs1, rs2)
#define REMUW(rd, rs1, rs2)   rv_r(0x3b, 7, 0x01, rd, rs1, rs2)
/* A: asm order `amoadd.w rd, rs2, (rs1)`; aq = rl = 0. */
#define AMO(f5, f3, rd, rs2, rs1) rv_r(0x2f, f3, (uint32_t)(f5) << 2, rd, rs1, rs2)
#define LR_W(rd, rs1)            AMO(0x02, 2, rd, 0, rs1)
#define SC_W(rd, rs2, rs1)       AMO(0x03, 2, rd, rs2, rs1)
#define LR_D(rd, rs1)            AMO(0x02, 3, rd, 0, rs1)
#define SC_D(rd, rs2, rs1)       AMO(0x03, 3, rd, rs2, rs1)
enum { AMO_ADD = 0x00, AMO_SWAP = 0x01, AMO_XOR = 0x04, AMO_OR = 0x08, AMO_AND = 0x0c,
       AMO_MIN = 0x10, AMO_MAX = 0x14, AMO_MINU = 0x18, AMO_MAXU = 0x1c };
/* Zba / Zbb */
#define ADD_UW(rd, rs1, rs2)    rv_r(0x3b, 0, 0x04, rd, rs1, rs2)
#define SH1ADD(rd, rs1, rs2)    rv_r(0x33, 2, 0x10, rd, rs1, rs2)
#define SH2ADD(rd, rs1, rs2)    rv_r(0x33, 4, 0x10, rd, rs1, rs2)
#define SH3ADD(rd, rs1, rs2)    rv_r(0x33, 6, 0x10, rd, rs1, rs2)
#define SH1ADD_UW(rd, rs1, rs2) rv_r(0x3b, 2, 0x10, rd, rs1, rs2)
#define SH2ADD_UW(rd, rs1, rs2) rv_r(0x3b, 4, 0x10, rd, rs1, rs2)
#define SH3ADD_UW(rd, rs1, rs2) rv_r(0x3b, 6, 0x10, rd, rs1, rs2)
#define SLLI_UW(rd, rs1, sh)    rv_i(0x1b, 1, rd, rs1, 0x080 | (sh))
#define ANDN(rd, rs1, rs2)      rv_r(0x33, 7, 0x20, rd, rs1, rs2)
#define ORN(rd, rs1, rs2)       rv_r(0x33, 6, 0x20, rd, rs1, rs2)
#define XNOR(rd, rs1, rs2)      rv_r(0x33, 4, 0x20, rd, rs1, rs2)
#define CLZ(rd, rs1)            rv_i(0x13, 1, rd, rs1, 0x600)
#define CTZ(rd, rs1)            rv_i(0x13, 1, rd, rs1, 0x601)
#define CPOP(rd, rs1)           rv_i(0x13, 1, rd, rs1, 0x602)
#define SEXT_B(rd, rs1)         rv_i(0x13, 1, rd, rs1, 0x604)
#define SEXT_H(rd, rs1)         rv_i(0x13, 1, rd, rs1, 0x605)
#define CLZW(rd, rs1)           rv_i(0x1b, 1, rd, rs1, 0x600)
#define CTZW(rd, rs1)           rv_i(0x1b, 1, rd, rs1, 0x601)
#define CPOPW(rd, rs1)          rv_i(0x1b, 1, rd, rs1, 0x602)
#define MAX(rd, rs1, rs2)       rv_r(0x33, 6, 0x05, rd, rs1, rs2)
#define MAXU(rd, rs1, rs2)      rv_r(0x33, 7, 0x05, rd, rs1, rs2)
#define MIN(rd, rs1, rs2)       rv_r(0x33, 4, 0x05, rd, rs1, rs2)
#define MINU(rd, rs1, rs2)      rv_r(0x33, 5, 0x05, rd, rs1, rs2)
#define ZEXT_H(rd, rs1)         rv_i(0x3b, 4, rd, rs1, 0x080)
#define ROL(rd, rs1, rs2)       rv_r(0x33, 1, 0x30, rd, rs1, rs2)
#define ROR(rd, rs1, rs2)       rv_r(0x33, 5, 0x30, rd, rs1, rs2)
#define ROLW(rd, rs1, rs2)      rv_r(0x3b, 1, 0x30, rd, rs1, rs2)
#define RORW(rd, rs1, rs2)      rv_r(0x3b, 5, 0x30, rd, rs1, rs2)
#define RORI(rd, rs1, sh)       rv_i(0x13, 5, rd, rs1, 0x600 | (sh))
#define RORIW(rd, rs1, sh)      rv_i(0x1b, 5, rd, rs1, 0x600 | (sh))
#define ORC_B(rd, rs1)          rv_i(0x13, 5, rd, rs1, 0x287)
#define REV8(rd, rs1)           rv_i(0x13, 5, rd, rs1, 0x6b8)
/* system */
#define CSRRW(rd, csr, rs1)   rv_i(0x73, 1, rd, rs1, (int32_t)(csr))
#define CSRRS(rd, csr, rs1)   rv_i(0x73, 2, rd, rs1, (int32_t)(csr))
#define CSRRC(rd, csr, rs1)   rv_i(0x73, 3, rd, rs1, (int32_t)(csr))
#define CSRRWI(rd, csr, u)    rv_i(0x73, 5, rd, u, (int32_t)(csr))
#define CSRRSI(rd, csr, u)    rv_i(0x73, 6, rd, u, (int32_t)(csr))
#define CSRRCI(rd, csr, u)    rv_i(0x73, 7, rd, u, (int32_t)(csr))
#define ECALL                 0x00000073u
#define EBREAK                0x00100073u
#define SRET                  0x10200073u
#define MRET                  0x30200073u
#define WFI                   0x10500073u
#define SFENCE_VMA(rs1, rs2)  rv_r(0x73, 0, 0x09, 0, rs1, rs2)
#define FENCE_I               0x0000100fu
#define NOP                   ADDI(0, 0, 0)
#define J_SELF                JAL(0, 0)
/* a few FP instructions (rm = dyn) for the FS tests */
#define FADD_D(rd, rs1, rs2)  rv_r(0x53, 7, 0x01, rd, rs1, rs2)
#define FLD(rd, imm, rs1)     rv_i(0x07, 3, rd, rs1, imm)
#define FMV_X_D(rd, rs1)      rv_r(0x53, 0, 0x71, rd, rs1, 0)

#endif
