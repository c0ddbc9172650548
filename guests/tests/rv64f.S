/* guests/tests/rv64f.S — RV64F single precision, self-checking.
 *
 * Covers arithmetic (add/sub/mul/div/sqrt, the fused family incl. a case only a
 * fused implementation gets right and inf*0+qNaN raising NV), exact fflags for
 * every case (NX/UF/OF/DZ/NV), canonical NaN results, signed zeros, fmin/fmax
 * with quiet/signalling NaNs and -0/+0, sign injection (no NaN canonicalising),
 * compares (quiet vs signalling), fclass (all ten classes), conversions to and
 * from w/wu/l/lu at and beyond their limits, all static rounding modes and the
 * dynamic mode from frm, fmv.x.w sign extension, NaN-boxing (results boxed,
 * unboxed inputs read as the canonical NaN, moves/stores ignore the boxing),
 * flw/fsw, fcsr/frm/fflags CSR behaviour, illegal rounding modes and FS=Off
 * traps, and FS becoming Dirty.  Expected bit patterns were derived by hand
 * from IEEE 754 and the RISC-V spec (cross-checked with Python's struct). */
#include "fp_test.h"

#define ONE    0x3f800000
#define TWO    0x40000000
#define THREE  0x40400000
#define MONE   0xbf800000
#define HALF   0x3f000000
#define PINF   0x7f800000
#define NINF   0xff800000
#define QNAN   0x7fc00000
#define SNAN   0x7f800001
#define PZERO  0x00000000
#define NZERO  0x80000000
#define FMAX   0x7f7fffff

TEST_BEGIN "rv64f"

/* ---------------------------------------------------------------- add/sub/mul/div */
        FT2 fadd.s, s, ONE, TWO, THREE, 0
        FT2 fadd.s, s, ONE, 0x30800000, ONE, FFLAG_NX              /* 1 + 2^-30 */
        FT2 fadd.s, s, PINF, NINF, QNAN, FFLAG_NV
        FT2 fadd.s, s, 0x7fc12345, ONE, QNAN, 0                    /* payload dropped */
        FT2 fadd.s, s, SNAN, ONE, QNAN, FFLAG_NV
        FT2 fadd.s, s, FMAX, FMAX, PINF, FFLAG_OF | FFLAG_NX
        FT2 fadd.s, s, FMAX, FMAX, FMAX, FFLAG_OF | FFLAG_NX, rtz  /* overflow rounds to max */
        FT2 fadd.s, s, PZERO, NZERO, PZERO, 0
        FT2 fadd.s, s, PZERO, NZERO, NZERO, 0, rdn
        FT2 fsub.s, s, ONE, ONE, PZERO, 0
        FT2 fsub.s, s, ONE, ONE, NZERO, 0, rdn
        FT2 fsub.s, s, THREE, ONE, TWO, 0
        FT2 fsub.s, s, NZERO, PZERO, NZERO, 0
        FT2 fmul.s, s, TWO, THREE, 0x40c00000, 0
        FT2 fmul.s, s, 0x00800001, HALF, 0x00400000, FFLAG_UF | FFLAG_NX /* tie to even, subnormal */
        FT2 fmul.s, s, 0x00800000, HALF, 0x00400000, 0             /* exact subnormal: no UF */
        FT2 fmul.s, s, PINF, PZERO, QNAN, FFLAG_NV
        FT2 fmul.s, s, MONE, PZERO, NZERO, 0
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaab, FFLAG_NX
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaaa, FFLAG_NX, rtz
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaaa, FFLAG_NX, rdn
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaab, FFLAG_NX, rup
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaab, FFLAG_NX, rmm
        FT2 fdiv.s, s, MONE, THREE, 0xbeaaaaab, FFLAG_NX, rdn
        FT2 fdiv.s, s, MONE, THREE, 0xbeaaaaaa, FFLAG_NX, rup
        FT2 fdiv.s, s, ONE, PZERO, PINF, FFLAG_DZ
        FT2 fdiv.s, s, MONE, PZERO, NINF, FFLAG_DZ
        FT2 fdiv.s, s, PZERO, PZERO, QNAN, FFLAG_NV
        FT2 fdiv.s, s, PINF, PINF, QNAN, FFLAG_NV
        FT1 fsqrt.s, s, 0x40800000, TWO, 0
        FT1 fsqrt.s, s, TWO, 0x3fb504f3, FFLAG_NX
        FT1 fsqrt.s, s, TWO, 0x3fb504f4, FFLAG_NX, rup
        FT1 fsqrt.s, s, TWO, 0x3fb504f3, FFLAG_NX, rdn
        FT1 fsqrt.s, s, MONE, QNAN, FFLAG_NV
        FT1 fsqrt.s, s, NZERO, NZERO, 0
        FT1 fsqrt.s, s, PINF, PINF, 0

/* ---------------------------------------------------------------- fused */
        FT3 fmadd.s,  s, ONE, TWO, THREE, 0x40a00000, 0             /*  1*2+3 =  5 */
        FT3 fmsub.s,  s, ONE, TWO, THREE, MONE, 0                   /*  1*2-3 = -1 */
        FT3 fnmsub.s, s, ONE, TWO, THREE, ONE, 0                    /* -1*2+3 =  1 */
        FT3 fnmadd.s, s, ONE, TWO, THREE, 0xc0a00000, 0             /* -1*2-3 = -5 */
        /* (1+2^-23)(1-2^-23) - 1 = -2^-46 exactly: only without intermediate rounding */
        FT3 fmadd.s,  s, 0x3f800001, 0x3f7ffffe, MONE, 0xa8800000, 0
        FT3 fmadd.s,  s, PINF, PZERO, QNAN, QNAN, FFLAG_NV          /* inf*0 + qNaN: NV */
        FT3 fmadd.s,  s, PINF, ONE, NINF, QNAN, FFLAG_NV
        FT3 fmadd.s,  s, ONE, ONE, SNAN, QNAN, FFLAG_NV

/* ---------------------------------------------------------------- min / max */
        FT2N fmin.s, s, ONE, TWO, ONE, 0
        FT2N fmax.s, s, ONE, TWO, TWO, 0
        FT2N fmin.s, s, NZERO, PZERO, NZERO, 0
        FT2N fmin.s, s, PZERO, NZERO, NZERO, 0
        FT2N fmax.s, s, NZERO, PZERO, PZERO, 0
        FT2N fmax.s, s, PZERO, NZERO, PZERO, 0
        FT2N fmin.s, s, QNAN, ONE, ONE, 0
        FT2N fmin.s, s, ONE, 0x7fc12345, ONE, 0
        FT2N fmax.s, s, SNAN, ONE, ONE, FFLAG_NV
        FT2N fmin.s, s, NINF, SNAN, NINF, FFLAG_NV
        FT2N fmin.s, s, QNAN, 0xffc00000, QNAN, 0
        FT2N fmax.s, s, SNAN, QNAN, QNAN, FFLAG_NV
        FT2N fmax.s, s, NINF, PINF, PINF, 0

/* ---------------------------------------------------------------- sign injection */
        FT2N fsgnj.s,  s, ONE, 0xc0000000, MONE, 0
        FT2N fsgnj.s,  s, MONE, TWO, ONE, 0
        FT2N fsgnjn.s, s, ONE, 0xc0000000, ONE, 0
        FT2N fsgnjn.s, s, ONE, TWO, MONE, 0
        FT2N fsgnjx.s, s, MONE, 0xc0000000, ONE, 0
        FT2N fsgnjx.s, s, ONE, 0xc0000000, MONE, 0
        FT2N fsgnj.s,  s, SNAN, MONE, 0xff800001, 0                /* NaN kept as is, no NV */
        FT2N fsgnjx.s, s, 0xffc12345, MONE, 0x7fc12345, 0

/* ---------------------------------------------------------------- compares */
        FTCMP feq.s, s, ONE, ONE, 1, 0
        FTCMP feq.s, s, ONE, TWO, 0, 0
        FTCMP feq.s, s, QNAN, ONE, 0, 0
        FTCMP feq.s, s, SNAN, ONE, 0, FFLAG_NV
        FTCMP feq.s, s, NZERO, PZERO, 1, 0
        FTCMP flt.s, s, ONE, TWO, 1, 0
        FTCMP flt.s, s, TWO, ONE, 0, 0
        FTCMP flt.s, s, ONE, ONE, 0, 0
        FTCMP flt.s, s, QNAN, ONE, 0, FFLAG_NV
        FTCMP flt.s, s, NZERO, PZERO, 0, 0
        FTCMP flt.s, s, NINF, PINF, 1, 0
        FTCMP fle.s, s, ONE, ONE, 1, 0
        FTCMP fle.s, s, TWO, ONE, 0, 0
        FTCMP fle.s, s, NZERO, PZERO, 1, 0
        FTCMP fle.s, s, ONE, QNAN, 0, FFLAG_NV

/* ---------------------------------------------------------------- fclass */
        FTCLASS fclass.s, s, NINF, 0x001
        FTCLASS fclass.s, s, MONE, 0x002
        FTCLASS fclass.s, s, 0x80000001, 0x004
        FTCLASS fclass.s, s, NZERO, 0x008
        FTCLASS fclass.s, s, PZERO, 0x010
        FTCLASS fclass.s, s, 0x00000001, 0x020
        FTCLASS fclass.s, s, ONE, 0x040
        FTCLASS fclass.s, s, PINF, 0x080
        FTCLASS fclass.s, s, SNAN, 0x100
        FTCLASS fclass.s, s, QNAN, 0x200

/* ---------------------------------------------------------------- float -> int */
        FTF2I fcvt.w.s, s, 0x3fc00000, 2, FFLAG_NX                 /*  1.5 -> 2 */
        FTF2I fcvt.w.s, s, 0xbfc00000, -2, FFLAG_NX                /* -1.5 -> -2 */
        FTF2I fcvt.w.s, s, 0x40200000, 2, FFLAG_NX                 /*  2.5 -> 2 (even) */
        FTF2I fcvt.w.s, s, 0x40200000, 3, FFLAG_NX, rmm
        FTF2I fcvt.w.s, s, 0xc0200000, -3, FFLAG_NX, rmm
        FTF2I fcvt.w.s, s, 0xbff33333, -1, FFLAG_NX, rtz           /* -1.9 */
        FTF2I fcvt.w.s, s, 0xbf8ccccd, -2, FFLAG_NX, rdn           /* -1.1 */
        FTF2I fcvt.w.s, s, 0x3f8ccccd, 2, FFLAG_NX, rup            /*  1.1 */
        FTF2I fcvt.w.s, s, 0x3f8ccccd, 1, FFLAG_NX, rdn
        FTF2I fcvt.w.s, s, 0x4effffff, 0x7fffff80, 0               /* 2^31-128 */
        FTF2I fcvt.w.s, s, 0x4f000000, 0x7fffffff, FFLAG_NV        /* 2^31 */
        FTF2I fcvt.w.s, s, 0xcf000000, 0xffffffff80000000, 0       /* -2^31 exact */
        FTF2I fcvt.w.s, s, 0xcf800000, 0xffffffff80000000, FFLAG_NV /* -2^32 */
        FTF2I fcvt.w.s, s, QNAN, 0x7fffffff, FFLAG_NV
        FTF2I fcvt.w.s, s, SNAN, 0x7fffffff, FFLAG_NV
        FTF2I fcvt.w.s, s, 0xffc00000, 0x7fffffff, FFLAG_NV        /* NaN with sign set */
        FTF2I fcvt.w.s, s, PINF, 0x7fffffff, FFLAG_NV
        FTF2I fcvt.w.s, s, NINF, 0xffffffff80000000, FFLAG_NV
        FTF2I fcvt.wu.s, s, 0x4f32d05e, 0xffffffffb2d05e00, 0      /* 3e9: sign-extended */
        FTF2I fcvt.wu.s, s, MONE, 0, FFLAG_NV
        FTF2I fcvt.wu.s, s, 0xbf000000, 0, FFLAG_NX, rtz           /* -0.5 -> -0 -> 0 */
        FTF2I fcvt.wu.s, s, 0xbf19999a, 0, FFLAG_NV                /* -0.6 -> -1: invalid */
        FTF2I fcvt.wu.s, s, 0x4f800000, 0xffffffffffffffff, FFLAG_NV /* 2^32 */
        FTF2I fcvt.wu.s, s, QNAN, 0xffffffffffffffff, FFLAG_NV
        FTF2I fcvt.wu.s, s, NINF, 0, FFLAG_NV
        FTF2I fcvt.l.s, s, 0x5f000000, 0x7fffffffffffffff, FFLAG_NV /* 2^63 */
        FTF2I fcvt.l.s, s, 0xdf000000, 0x8000000000000000, 0       /* -2^63 exact */
        FTF2I fcvt.l.s, s, 0x3fc00000, 2, FFLAG_NX
        FTF2I fcvt.l.s, s, 0x4f32d05e, 3000000000, 0
        FTF2I fcvt.l.s, s, QNAN, 0x7fffffffffffffff, FFLAG_NV
        FTF2I fcvt.l.s, s, NINF, 0x8000000000000000, FFLAG_NV
        FTF2I fcvt.lu.s, s, MONE, 0, FFLAG_NV
        FTF2I fcvt.lu.s, s, 0x5f800000, 0xffffffffffffffff, FFLAG_NV /* 2^64 */
        FTF2I fcvt.lu.s, s, 0x5f000000, 0x8000000000000000, 0      /* 2^63 */
        FTF2I fcvt.lu.s, s, QNAN, 0xffffffffffffffff, FFLAG_NV

/* ---------------------------------------------------------------- int -> float */
        FTI2F fcvt.s.w, s, -1, MONE, 0
        FTI2F fcvt.s.w, s, 0x100000005, 0x40a00000, 0              /* upper bits ignored */
        FTI2F fcvt.s.w, s, 16777217, 0x4b800000, FFLAG_NX          /* tie -> even */
        FTI2F fcvt.s.w, s, 16777217, 0x4b800000, FFLAG_NX, rne
        FTI2F fcvt.s.w, s, 16777217, 0x4b800001, FFLAG_NX, rup
        FTI2F fcvt.s.w, s, 16777217, 0x4b800001, FFLAG_NX, rmm
        FTI2F fcvt.s.w, s, 16777217, 0x4b800000, FFLAG_NX, rtz
        FTI2F fcvt.s.w, s, 16777217, 0x4b800000, FFLAG_NX, rdn
        FTI2F fcvt.s.w, s, -16777217, 0xcb800001, FFLAG_NX, rdn
        FTI2F fcvt.s.w, s, -16777217, 0xcb800000, FFLAG_NX, rup
        FTI2F fcvt.s.w, s, -16777217, 0xcb800001, FFLAG_NX, rmm
        FTI2F fcvt.s.w, s, 0x80000000, 0xcf000000, 0
        FTI2F fcvt.s.wu, s, 0xffffffff, 0x4f800000, FFLAG_NX
        FTI2F fcvt.s.wu, s, 0xffffffff00000003, THREE, 0           /* upper bits ignored */
        FTI2F fcvt.s.l, s, 0x7fffffffffffffff, 0x5f000000, FFLAG_NX
        FTI2F fcvt.s.l, s, -1, MONE, 0
        FTI2F fcvt.s.l, s, 0x8000000000000000, 0xdf000000, 0
        FTI2F fcvt.s.lu, s, 0xffffffffffffffff, 0x5f800000, FFLAG_NX
        FTI2F fcvt.s.lu, s, 0xffffffffffffffff, 0x5f7fffff, FFLAG_NX, rtz

/* ---------------------------------------------------------------- dynamic rounding (frm) */
        csrwi   frm, RM_RUP
        FTI2F fcvt.s.w, s, 16777217, 0x4b800001, FFLAG_NX          /* dyn = RUP */
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaab, FFLAG_NX
        FTI2F fcvt.s.w, s, 16777217, 0x4b800000, FFLAG_NX, rne     /* static wins */
        csrwi   frm, RM_RTZ
        FT2 fdiv.s, s, ONE, THREE, 0x3eaaaaaa, FFLAG_NX
        FTF2I fcvt.w.s, s, 0xbff33333, -1, FFLAG_NX                /* -1.9 -> -1 */
        csrwi   frm, RM_RDN
        FT2 fsub.s, s, ONE, ONE, NZERO, 0
        FTF2I fcvt.w.s, s, 0x3fc00000, 1, FFLAG_NX
        csrwi   frm, RM_RMM
        FTF2I fcvt.w.s, s, 0x40200000, 3, FFLAG_NX
        csrwi   frm, RM_RNE
        FTF2I fcvt.w.s, s, 0x40200000, 2, FFLAG_NX

/* ---------------------------------------------------------------- moves and NaN-boxing */
        li      t0, 0x80000000
        fmv.w.x ft0, t0
        fmv.x.w a0, ft0
        CHECK_EQ a0, 0xffffffff80000000, "fmv.x.w sign-extends"
        li      t0, 0x123456783f800000
        fmv.w.x ft0, t0
        fmv.x.d a0, ft0
        CHECK_EQ a0, 0xffffffff3f800000, "fmv.w.x takes the low 32 bits and NaN-boxes"
        /* an unboxed single (upper bits not all ones) reads as the canonical NaN */
        li      t0, 0x000000003f800000
        fmv.d.x ft0, t0
        li      t0, ONE
        fmv.w.x ft1, t0
        csrwi   fflags, 0
        fadd.s  ft2, ft0, ft1
        FP_EXPECT ft2, s, QNAN, 0, "fadd.s with an unboxed operand"
        li      t0, 0xfffffffe3f800000                             /* almost boxed */
        fmv.d.x ft0, t0
        csrwi   fflags, 0
        fmul.s  ft2, ft1, ft0
        FP_EXPECT ft2, s, QNAN, 0, "fmul.s with a partly boxed operand"
        li      t0, 0x000000003f800000
        fmv.d.x ft0, t0
        fclass.s a0, ft0
        CHECK_EQ a0, 0x200, "fclass.s of an unboxed value is quiet NaN"
        li      t0, MONE
        fmv.w.x ft1, t0
        csrwi   fflags, 0
        fsgnj.s ft2, ft0, ft1
        FP_EXPECT ft2, s, 0xffc00000, 0, "fsgnj.s of an unboxed value"
        fmv.x.w a0, ft0
        CHECK_EQ a0, 0x3f800000, "fmv.x.w ignores the boxing"
        la      s0, fp_mem
        fsw     ft0, 0(s0)
        lwu     a0, 0(s0)
        CHECK_EQ a0, 0x3f800000, "fsw ignores the boxing"
        csrwi   fflags, 0
        fcvt.d.s ft2, ft0
        csrr    a1, fflags
        fmv.x.d a0, ft2
        CHECK_EQ a0, 0x7ff8000000000000, "fcvt.d.s of an unboxed value"
        CHECK_EQ a1, 0, "fcvt.d.s of an unboxed value: fflags"
        /* flw boxes, fsw stores 32 bits only */
        li      t0, 0xaaaaaaaabf800000
        sd      t0, 0(s0)
        flw     ft0, 0(s0)
        fmv.x.d a0, ft0
        CHECK_EQ a0, 0xffffffffbf800000, "flw NaN-boxes"
        li      t0, -1
        sd      t0, 8(s0)
        li      t0, 0x40490fdb
        fmv.w.x ft1, t0
        fsw     ft1, 8(s0)
        ld      a0, 8(s0)
        CHECK_EQ a0, 0xffffffff40490fdb, "fsw writes 4 bytes"
        flw     ft2, 8(s0)
        fmv.x.w a0, ft2
        CHECK_EQ a0, 0x40490fdb, "flw/fsw round trip"

/* ---------------------------------------------------------------- fcsr / frm / fflags */
        li      t0, 0xffffffff
        csrw    fcsr, t0
        csrr    a0, fcsr
        CHECK_EQ a0, 0xff, "fcsr keeps only bits 7:0"
        csrr    a0, frm
        CHECK_EQ a0, 7, "frm = fcsr[7:5]"
        csrr    a0, fflags
        CHECK_EQ a0, 0x1f, "fflags = fcsr[4:0]"
        csrwi   frm, 2
        csrr    a0, fcsr
        CHECK_EQ a0, 0x5f, "writing frm changes fcsr[7:5] only"
        csrrwi  a0, frm, 1
        CHECK_EQ a0, 2, "csrrwi frm returns the old frm"
        csrr    a0, fcsr
        CHECK_EQ a0, 0x3f, "fcsr after csrrwi frm"
        csrwi   fflags, 0
        csrr    a0, fcsr
        CHECK_EQ a0, 0x20, "writing fflags changes fcsr[4:0] only"
        li      t0, 0xff
        csrw    fflags, t0
        csrr    a0, fflags
        CHECK_EQ a0, 0x1f, "fflags is 5 bits"
        csrw    fcsr, zero
        /* flags accrue */
        li      t0, ONE
        fmv.w.x ft0, t0
        li      t0, THREE
        fmv.w.x ft1, t0
        fmv.w.x ft2, zero
        fdiv.s  ft3, ft0, ft1                                      /* NX */
        fdiv.s  ft3, ft0, ft2                                      /* DZ */
        fadd.s  ft3, ft0, ft0                                      /* exact: nothing */
        csrr    a0, fflags
        CHECK_EQ a0, FFLAG_NX | FFLAG_DZ, "fflags accrue"
        csrrci  a0, fflags, FFLAG_NX
        CHECK_EQ a0, FFLAG_NX | FFLAG_DZ, "csrrci fflags returns the old flags"
        csrr    a0, fflags
        CHECK_EQ a0, FFLAG_DZ, "csrrci fflags clears NX"
        csrrsi  a0, fflags, FFLAG_OF
        csrr    a0, fcsr
        CHECK_EQ a0, FFLAG_DZ | FFLAG_OF, "csrrsi fflags sets OF"
        csrw    fcsr, zero

/* ---------------------------------------------------------------- illegal rounding modes */
        EXPECT_TRAP_BEGIN
        csrwi   frm, 5
        fadd.s  ft3, ft0, ft1, dyn
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "dyn rounding with frm = 5"
        EXPECT_TRAP_BEGIN
        csrwi   frm, 7
        fcvt.w.s a0, ft0, dyn
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "dyn rounding with frm = 7"
        csrwi   frm, 0
        EXPECT_TRAP_BEGIN
        .insn r 0x53, 5, 0x00, ft3, ft0, ft1                      /* fadd.s rm=5 */
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "static rm = 5"
        EXPECT_TRAP_BEGIN
        .insn r 0x53, 6, 0x08, ft3, ft0, ft1                      /* fmul.s rm=6 */
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "static rm = 6"

/* ---------------------------------------------------------------- mstatus.FS */
        li      t0, MSTATUS_FS
        csrc    mstatus, t0
        EXPECT_TRAP_BEGIN
        fadd.s  ft3, ft0, ft1
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "fadd.s with FS=Off"
        EXPECT_TRAP_BEGIN
        csrr    a0, fflags
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "csrr fflags with FS=Off"
        EXPECT_TRAP_BEGIN
        fmv.x.w a0, ft0
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "fmv.x.w with FS=Off"
        EXPECT_TRAP_BEGIN
        flw     ft0, 0(s0)
        EXPECT_TRAP_END CAUSE_ILLEGAL_INSTRUCTION, "flw with FS=Off"
        li      t0, MSTATUS_FS_INITIAL
        csrs    mstatus, t0
        csrr    a0, mstatus
        srli    a0, a0, 13
        andi    a0, a0, 3
        CHECK_EQ a0, 1, "FS = Initial"
        li      t0, ONE
        fmv.w.x ft0, t0
        csrr    a0, mstatus
        srli    a1, a0, 13
        andi    a1, a1, 3
        CHECK_EQ a1, 3, "FS = Dirty after writing an f register"
        srli    a0, a0, 63
        CHECK_EQ a0, 1, "mstatus.SD set when FS = Dirty"

TEST_END

        .bss
        .balign 16
fp_mem: .skip 16
