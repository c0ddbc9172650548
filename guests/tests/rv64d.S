/* guests/tests/rv64d.S — RV64D double precision, self-checking.
 *
 * Same structure as rv64f.S for doubles: arithmetic with exact fflags, fused
 * ops (incl. a result only fused evaluation gives), canonical NaNs, signed
 * zeros, fmin/fmax with NaNs and zeros, sign injection, compares, fclass,
 * conversions to/from w/wu/l/lu at their limits, static and dynamic rounding,
 * float<->double conversions (overflow, underflow, NaN canonicalisation,
 * subnormal widening), fmv.x.d/fmv.d.x and fld/fsd.  Expected bit patterns
 * derived from IEEE 754 and the RISC-V spec (cross-checked with Python). */
#include "fp_test.h"

#define D1     0x3ff0000000000000
#define D2     0x4000000000000000
#define D3     0x4008000000000000
#define DM1    0xbff0000000000000
#define DHALF  0x3fe0000000000000
#define DPINF  0x7ff0000000000000
#define DNINF  0xfff0000000000000
#define DQNAN  0x7ff8000000000000
#define DSNAN  0x7ff0000000000001
#define DPZERO 0x0000000000000000
#define DNZERO 0x8000000000000000
#define DMAX   0x7fefffffffffffff

TEST_BEGIN "rv64d"

/* ---------------------------------------------------------------- add/sub/mul/div/sqrt */
        FT2 fadd.d, d, D1, D2, D3, 0
        FT2 fadd.d, d, D1, 0x3c30000000000000, D1, FFLAG_NX        /* 1 + 2^-60 */
        FT2 fadd.d, d, DPINF, DNINF, DQNAN, FFLAG_NV
        FT2 fadd.d, d, 0x7ff8000012345678, D1, DQNAN, 0
        FT2 fadd.d, d, DSNAN, D1, DQNAN, FFLAG_NV
        FT2 fadd.d, d, DMAX, DMAX, DPINF, FFLAG_OF | FFLAG_NX
        FT2 fadd.d, d, DMAX, DMAX, DMAX, FFLAG_OF | FFLAG_NX, rtz
        FT2 fadd.d, d, DNINF, DNINF, DNINF, 0
        FT2 fsub.d, d, D1, D1, DPZERO, 0
        FT2 fsub.d, d, D1, D1, DNZERO, 0, rdn
        FT2 fsub.d, d, D1, D3, 0xc000000000000000, 0
        FT2 fmul.d, d, D2, D3, 0x4018000000000000, 0
        FT2 fmul.d, d, 0x0010000000000001, DHALF, 0x0008000000000000, FFLAG_UF | FFLAG_NX
        FT2 fmul.d, d, DMAX, D2, DPINF, FFLAG_OF | FFLAG_NX
        FT2 fmul.d, d, DMAX, 0xc000000000000000, 0xffefffffffffffff, FFLAG_OF | FFLAG_NX, rup
        FT2 fmul.d, d, DNINF, DPZERO, DQNAN, FFLAG_NV
        FT2 fdiv.d, d, D1, D3, 0x3fd5555555555555, FFLAG_NX
        FT2 fdiv.d, d, D1, D3, 0x3fd5555555555556, FFLAG_NX, rup
        FT2 fdiv.d, d, D1, D3, 0x3fd5555555555555, FFLAG_NX, rtz
        FT2 fdiv.d, d, DM1, D3, 0xbfd5555555555556, FFLAG_NX, rdn
        FT2 fdiv.d, d, DM1, D3, 0xbfd5555555555555, FFLAG_NX, rmm
        FT2 fdiv.d, d, D1, DPZERO, DPINF, FFLAG_DZ
        FT2 fdiv.d, d, D1, DNZERO, DNINF, FFLAG_DZ
        FT2 fdiv.d, d, DPZERO, DPZERO, DQNAN, FFLAG_NV
        FT1 fsqrt.d, d, 0x4010000000000000, D2, 0
        FT1 fsqrt.d, d, D2, 0x3ff6a09e667f3bcd, FFLAG_NX
        FT1 fsqrt.d, d, D2, 0x3ff6a09e667f3bcc, FFLAG_NX, rdn
        FT1 fsqrt.d, d, D2, 0x3ff6a09e667f3bcd, FFLAG_NX, rup
        FT1 fsqrt.d, d, DM1, DQNAN, FFLAG_NV
        FT1 fsqrt.d, d, DNZERO, DNZERO, 0

/* ---------------------------------------------------------------- fused */
        FT3 fmadd.d,  d, D1, D2, D3, 0x4014000000000000, 0
        FT3 fmsub.d,  d, D1, D2, D3, DM1, 0
        FT3 fnmsub.d, d, D1, D2, D3, D1, 0
        FT3 fnmadd.d, d, D1, D2, D3, 0xc014000000000000, 0
        FT3 fmadd.d,  d, 0x3ff0000000000001, 0x3feffffffffffffe, DM1, 0xb970000000000000, 0
        FT3 fmadd.d,  d, DPZERO, DPINF, DQNAN, DQNAN, FFLAG_NV
        FT3 fnmsub.d, d, D1, D1, DSNAN, DQNAN, FFLAG_NV

/* ---------------------------------------------------------------- min / max / sign injection */
        FT2N fmin.d, d, D1, D2, D1, 0
        FT2N fmax.d, d, D1, D2, D2, 0
        FT2N fmin.d, d, DPZERO, DNZERO, DNZERO, 0
        FT2N fmax.d, d, DNZERO, DPZERO, DPZERO, 0
        FT2N fmin.d, d, DQNAN, DM1, DM1, 0
        FT2N fmax.d, d, DM1, DSNAN, DM1, FFLAG_NV
        FT2N fmin.d, d, DQNAN, DQNAN, DQNAN, 0
        FT2N fmin.d, d, DSNAN, 0xfff8000000000000, DQNAN, FFLAG_NV
        FT2N fsgnj.d,  d, D1, DM1, DM1, 0
        FT2N fsgnjn.d, d, D1, DM1, D1, 0
        FT2N fsgnjx.d, d, DM1, DM1, D1, 0
        FT2N fsgnj.d,  d, DSNAN, DM1, 0xfff0000000000001, 0

/* ---------------------------------------------------------------- compares / fclass */
        FTCMP feq.d, d, D1, D1, 1, 0
        FTCMP feq.d, d, DQNAN, DQNAN, 0, 0
        FTCMP feq.d, d, DSNAN, D1, 0, FFLAG_NV
        FTCMP feq.d, d, DNZERO, DPZERO, 1, 0
        FTCMP flt.d, d, DM1, D1, 1, 0
        FTCMP flt.d, d, D1, DQNAN, 0, FFLAG_NV
        FTCMP fle.d, d, D1, D1, 1, 0
        FTCMP fle.d, d, DQNAN, D1, 0, FFLAG_NV
        FTCLASS fclass.d, d, DNINF, 0x001
        FTCLASS fclass.d, d, DM1, 0x002
        FTCLASS fclass.d, d, 0x800fffffffffffff, 0x004
        FTCLASS fclass.d, d, DNZERO, 0x008
        FTCLASS fclass.d, d, DPZERO, 0x010
        FTCLASS fclass.d, d, 0x0000000000000001, 0x020
        FTCLASS fclass.d, d, D1, 0x040
        FTCLASS fclass.d, d, DPINF, 0x080
        FTCLASS fclass.d, d, DSNAN, 0x100
        FTCLASS fclass.d, d, DQNAN, 0x200

/* ---------------------------------------------------------------- double -> int */
        FTF2I fcvt.w.d, d, 0x41dfffffffd9999a, 0x7fffffff, FFLAG_NX          /*  2147483647.4 */
        FTF2I fcvt.w.d, d, 0xc1e0000000166666, 0xffffffff80000000, FFLAG_NX, rtz /* -2147483648.7 */
        FTF2I fcvt.w.d, d, 0xc1e0000000166666, 0xffffffff80000000, FFLAG_NV, rdn
        FTF2I fcvt.w.d, d, 0xc1e0000000200000, 0xffffffff80000000, FFLAG_NV  /* -2147483649 */
        FTF2I fcvt.w.d, d, 0x41e0000000000000, 0x7fffffff, FFLAG_NV          /* 2^31 */
        FTF2I fcvt.w.d, d, DQNAN, 0x7fffffff, FFLAG_NV
        FTF2I fcvt.w.d, d, DNINF, 0xffffffff80000000, FFLAG_NV
        FTF2I fcvt.w.d, d, 0x3ff199999999999a, 2, FFLAG_NX, rup              /* 1.1 */
        FTF2I fcvt.w.d, d, 0xbff199999999999a, -1, FFLAG_NX, rtz             /* -1.1 */
        FTF2I fcvt.wu.d, d, 0x41efffffffe00000, 0xffffffffffffffff, 0        /* 2^32-1 */
        FTF2I fcvt.wu.d, d, 0x41f0000000000000, 0xffffffffffffffff, FFLAG_NV /* 2^32 */
        FTF2I fcvt.wu.d, d, DM1, 0, FFLAG_NV
        FTF2I fcvt.wu.d, d, DQNAN, 0xffffffffffffffff, FFLAG_NV
        FTF2I fcvt.l.d, d, 0x43e0000000000000, 0x7fffffffffffffff, FFLAG_NV  /* 2^63 */
        FTF2I fcvt.l.d, d, 0xc3e0000000000000, 0x8000000000000000, 0         /* -2^63 */
        FTF2I fcvt.l.d, d, 0x3ff8000000000000, 2, FFLAG_NX
        FTF2I fcvt.l.d, d, 0x4004000000000000, 3, FFLAG_NX, rmm              /* 2.5 */
        FTF2I fcvt.l.d, d, 0x4004000000000000, 2, FFLAG_NX, rne
        FTF2I fcvt.l.d, d, DSNAN, 0x7fffffffffffffff, FFLAG_NV
        FTF2I fcvt.l.d, d, DNINF, 0x8000000000000000, FFLAG_NV
        FTF2I fcvt.lu.d, d, 0x43efffffffffffff, 0xfffffffffffff800, 0
        FTF2I fcvt.lu.d, d, 0x43f0000000000000, 0xffffffffffffffff, FFLAG_NV /* 2^64 */
        FTF2I fcvt.lu.d, d, DM1, 0, FFLAG_NV
        FTF2I fcvt.lu.d, d, DPINF, 0xffffffffffffffff, FFLAG_NV

/* ---------------------------------------------------------------- int -> double */
        FTI2F fcvt.d.w, d, -1, DM1, 0, none
        FTI2F fcvt.d.w, d, 0x80000000, 0xc1e0000000000000, 0, none
        FTI2F fcvt.d.w, d, 0x100000005, 0x4014000000000000, 0, none  /* upper bits ignored */
        FTI2F fcvt.d.wu, d, 0xffffffff, 0x41efffffffe00000, 0, none
        FTI2F fcvt.d.wu, d, 0xffffffff00000003, D3, 0, none
        FTI2F fcvt.d.l, d, 9007199254740993, 0x4340000000000000, FFLAG_NX   /* 2^53+1 */
        FTI2F fcvt.d.l, d, 9007199254740993, 0x4340000000000001, FFLAG_NX, rup
        FTI2F fcvt.d.l, d, 9007199254740993, 0x4340000000000001, FFLAG_NX, rmm
        FTI2F fcvt.d.l, d, -9007199254740993, 0xc340000000000001, FFLAG_NX, rdn
        FTI2F fcvt.d.l, d, -1, DM1, 0
        FTI2F fcvt.d.lu, d, 0xffffffffffffffff, 0x43f0000000000000, FFLAG_NX
        FTI2F fcvt.d.lu, d, 0xffffffffffffffff, 0x43efffffffffffff, FFLAG_NX, rtz

/* ---------------------------------------------------------------- double <-> single */
        FTF2F fcvt.s.d, d, s, 0x3fd5555555555555, 0x3eaaaaab, FFLAG_NX
        FTF2F fcvt.s.d, d, s, 0x3fd5555555555555, 0x3eaaaaaa, FFLAG_NX, rtz
        FTF2F fcvt.s.d, d, s, 0x7e37e43c8800759c, 0x7f800000, FFLAG_OF | FFLAG_NX  /* 1e300 */
        FTF2F fcvt.s.d, d, s, 0x7e37e43c8800759c, 0x7f7fffff, FFLAG_OF | FFLAG_NX, rtz
        FTF2F fcvt.s.d, d, s, 0x01a56e1fc2f8f359, 0x00000000, FFLAG_UF | FFLAG_NX  /* 1e-300 */
        FTF2F fcvt.s.d, d, s, 0x01a56e1fc2f8f359, 0x00000001, FFLAG_UF | FFLAG_NX, rup
        FTF2F fcvt.s.d, d, s, DSNAN, 0x7fc00000, FFLAG_NV
        FTF2F fcvt.s.d, d, s, 0xfff8000012345678, 0x7fc00000, 0
        FTF2F fcvt.s.d, d, s, DM1, 0xbf800000, 0
        FTF2F fcvt.s.d, d, s, DNZERO, 0x80000000, 0
        FTF2F fcvt.d.s, s, d, 0x3f800000, D1, 0, none
        FTF2F fcvt.d.s, s, d, 0x7f800001, DQNAN, FFLAG_NV, none
        FTF2F fcvt.d.s, s, d, 0x00000001, 0x36a0000000000000, 0, none  /* 2^-149 */
        FTF2F fcvt.d.s, s, d, 0xff800000, DNINF, 0, none

/* ---------------------------------------------------------------- dynamic rounding */
        csrwi   frm, RM_RUP
        FT2 fdiv.d, d, D1, D3, 0x3fd5555555555556, FFLAG_NX
        FT2 fdiv.d, d, D1, D3, 0x3fd5555555555555, FFLAG_NX, rne
        csrwi   frm, RM_RDN
        FT2 fsub.d, d, D3, D3, DNZERO, 0
        FTI2F fcvt.d.l, d, 9007199254740995, 0x4340000000000001, FFLAG_NX
        csrwi   frm, RM_RMM
        FTI2F fcvt.d.l, d, 9007199254740993, 0x4340000000000001, FFLAG_NX
        csrwi   frm, RM_RNE

/* ---------------------------------------------------------------- moves, loads, stores */
        li      t0, 0x8123456789abcdef
        fmv.d.x ft0, t0
        fmv.x.d a0, ft0
        CHECK_EQ a0, 0x8123456789abcdef, "fmv.d.x / fmv.x.d round trip"
        la      s0, fp_mem
        fsd     ft0, 8(s0)
        ld      a0, 8(s0)
        CHECK_EQ a0, 0x8123456789abcdef, "fsd"
        li      t0, 0x400921fb54442d18
        sd      t0, 0(s0)
        fld     ft1, 0(s0)
        fmv.x.d a0, ft1
        CHECK_EQ a0, 0x400921fb54442d18, "fld"
        /* a double register read as single is not boxed -> canonical NaN */
        fmv.s   ft2, ft1
        fmv.x.d a0, ft2
        CHECK_EQ a0, 0xffffffff7fc00000, "fmv.s (fsgnj.s) of a double reads the canonical NaN"
        /* dyn rounding with an invalid frm traps for D too */
        EXPECT_TRAP_BEGIN
        csrwi   frm, 6
        fadd.d  ft3, ft0, ft1, dyn
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "fadd.d dyn with frm = 6"
        csrwi   frm, 0
        EXPECT_TRAP_BEGIN
        .insn r 0x53, 5, 0x01, ft3, ft0, ft1                      /* fadd.d rm=5 */
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "fadd.d static rm = 5"

TEST_END

        .bss
        .balign 16
fp_mem: .skip 16
