/* gdb_target_xml.c — the target description document (features org.gnu.gdb.riscv.cpu, .fpu,
 * .csr and .virtual) as a compile-time constant, and the list of CSRs it describes. */
#include "vmm/gdb_target_xml.h"

#include <string.h>

#define X(n, name) "    <reg name=\"" name "\" bitsize=\"64\" type=\"int\" regnum=\"" #n "\"/>\n"
#define F(n, name) "    <reg name=\"" name "\" bitsize=\"64\" type=\"riscv_double\" regnum=\"" #n "\"/>\n"
#define C(n, name) "    <reg name=\"" name "\" bitsize=\"64\" type=\"int\" regnum=\"" #n "\"/>\n"

static const char target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "  <architecture>riscv:rv64</architecture>\n"
    "  <feature name=\"org.gnu.gdb.riscv.cpu\">\n"
    X(0, "zero") X(1, "ra") X(2, "sp") X(3, "gp") X(4, "tp") X(5, "t0") X(6, "t1") X(7, "t2")
    X(8, "fp") X(9, "s1") X(10, "a0") X(11, "a1") X(12, "a2") X(13, "a3") X(14, "a4")
    X(15, "a5") X(16, "a6") X(17, "a7") X(18, "s2") X(19, "s3") X(20, "s4") X(21, "s5")
    X(22, "s6") X(23, "s7") X(24, "s8") X(25, "s9") X(26, "s10") X(27, "s11") X(28, "t3")
    X(29, "t4") X(30, "t5") X(31, "t6")
    "    <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n"
    "  </feature>\n"
    "  <feature name=\"org.gnu.gdb.riscv.fpu\">\n"
    "    <union id=\"riscv_double\">\n"
    "      <field name=\"float\" type=\"ieee_single\"/>\n"
    "      <field name=\"double\" type=\"ieee_double\"/>\n"
    "    </union>\n"
    F(33, "ft0") F(34, "ft1") F(35, "ft2") F(36, "ft3") F(37, "ft4") F(38, "ft5") F(39, "ft6")
    F(40, "ft7") F(41, "fs0") F(42, "fs1") F(43, "fa0") F(44, "fa1") F(45, "fa2") F(46, "fa3")
    F(47, "fa4") F(48, "fa5") F(49, "fa6") F(50, "fa7") F(51, "fs2") F(52, "fs3") F(53, "fs4")
    F(54, "fs5") F(55, "fs6") F(56, "fs7") F(57, "fs8") F(58, "fs9") F(59, "fs10")
    F(60, "fs11") F(61, "ft8") F(62, "ft9") F(63, "ft10") F(64, "ft11")
    "    <reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"66\"/>\n"
    "    <reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"67\"/>\n"
    "    <reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\"/>\n"
    "  </feature>\n"
    "  <feature name=\"org.gnu.gdb.riscv.csr\">\n"
    /* regnum = 65 + CSR number */
    C(3137, "cycle") C(3138, "time") C(3139, "instret")
    C(321, "sstatus") C(325, "sie") C(326, "stvec") C(327, "scounteren") C(331, "senvcfg")
    C(385, "sscratch") C(386, "sepc") C(387, "scause") C(388, "stval") C(389, "sip")
    C(449, "satp")
    C(3922, "mvendorid") C(3923, "marchid") C(3924, "mimpid") C(3925, "mhartid")
    C(833, "mstatus") C(834, "misa") C(835, "medeleg") C(836, "mideleg") C(837, "mie")
    C(838, "mtvec") C(839, "mcounteren") C(843, "menvcfg") C(897, "mscratch") C(898, "mepc")
    C(899, "mcause") C(900, "mtval") C(901, "mip")
    C(993, "pmpcfg0") C(995, "pmpcfg2")
    C(1009, "pmpaddr0") C(1010, "pmpaddr1") C(1011, "pmpaddr2") C(1012, "pmpaddr3")
    C(1013, "pmpaddr4") C(1014, "pmpaddr5") C(1015, "pmpaddr6") C(1016, "pmpaddr7")
    C(1017, "pmpaddr8") C(1018, "pmpaddr9") C(1019, "pmpaddr10") C(1020, "pmpaddr11")
    C(1021, "pmpaddr12") C(1022, "pmpaddr13") C(1023, "pmpaddr14") C(1024, "pmpaddr15")
    C(2881, "mcycle") C(2883, "minstret")
    "  </feature>\n"
    "  <feature name=\"org.gnu.gdb.riscv.virtual\">\n"
    "    <reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"4161\"/>\n"
    "  </feature>\n"
    "</target>\n";

static const unsigned described_csrs[] = {
    0x001, 0x002, 0x003, 0xc00, 0xc01, 0xc02, 0x100, 0x104, 0x105, 0x106, 0x10a, 0x140, 0x141,
    0x142, 0x143, 0x144, 0x180, 0xf11, 0xf12, 0xf13, 0xf14, 0x300, 0x301, 0x302, 0x303, 0x304,
    0x305, 0x306, 0x30a, 0x340, 0x341, 0x342, 0x343, 0x344, 0x3a0, 0x3a2, 0x3b0, 0x3b1, 0x3b2,
    0x3b3, 0x3b4, 0x3b5, 0x3b6, 0x3b7, 0x3b8, 0x3b9, 0x3ba, 0x3bb, 0x3bc, 0x3bd, 0x3be, 0x3bf,
    0xb00, 0xb02,
};

const char *gdb_riscv_target_xml(const char *annex)
{
    return strcmp(annex, "target.xml") == 0 ? target_xml : NULL;
}

int gdb_riscv_csr_described(unsigned csr)
{
    for (unsigned i = 0; i < sizeof(described_csrs) / sizeof(described_csrs[0]); i++)
        if (described_csrs[i] == csr)
            return 1;
    return 0;
}
