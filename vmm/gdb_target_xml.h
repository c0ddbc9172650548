/* gdb_target_xml.h — the RISC-V target description rewind gives gdb, and the register
 * numbering it uses (gdb's RISC-V numbering: x0..x31 0..31, pc 32, f0..f31 33..64, CSR n at
 * 65 + n, priv at 65 + 4096). */
#ifndef REWIND_GDB_TARGET_XML_H
#define REWIND_GDB_TARGET_XML_H

#define GDB_REG_PC 32
#define GDB_REG_F0 33
#define GDB_REG_CSR0 65
#define GDB_REG_PRIV (65 + 4096)
#define GDB_G_PACKET_REGS 33   /* x0..x31 and pc travel in 'g'; the rest one by one with 'p' */

/* The document for annex ("target.xml"), or NULL. */
const char *gdb_riscv_target_xml(const char *annex);
/* True if CSR number csr is described (and so may be read as a register). */
int gdb_riscv_csr_described(unsigned csr);

#endif
