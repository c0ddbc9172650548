/* fpu.h — IEEE 754 binary32/binary64 arithmetic in software, exactly as the RISC-V
 * F and D extensions specify: every rounding mode (including RMM), tininess detected
 * after rounding, canonical NaNs, RISC-V saturating conversions and exact accrued
 * exception flags. No host floating point is used, so results are the same on every host.
 *
 * Values are raw bit patterns (uint32_t for binary32, uint64_t for binary64). NaN-boxing
 * of binary32 values in 64-bit registers is the hart's job, not this file's.
 * Every operation ORs the exception flags it raises into *flags; it never clears them.
 */
#ifndef REWIND_FPU_H
#define REWIND_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* Rounding modes, numbered as in the RISC-V frm field. */
enum fpu_rm {
    FPU_RNE = 0, /* to nearest, ties to even */
    FPU_RTZ = 1, /* towards zero */
    FPU_RDN = 2, /* down (towards -inf) */
    FPU_RUP = 3, /* up (towards +inf) */
    FPU_RMM = 4, /* to nearest, ties to max magnitude */
};

/* Exception flags, bit positions as in the RISC-V fflags CSR. */
enum fpu_flag {
    FPU_NX = 0x01, /* inexact */
    FPU_UF = 0x02, /* underflow */
    FPU_OF = 0x04, /* overflow */
    FPU_DZ = 0x08, /* divide by zero */
    FPU_NV = 0x10, /* invalid operation */
};

#define FPU_F32_CANONICAL_NAN 0x7fc00000u
#define FPU_F64_CANONICAL_NAN 0x7ff8000000000000ull

/* Arithmetic. rm must be 0..4 (the hart rejects other values before calling). */
uint32_t fpu_f32_add(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_f32_sub(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_f32_mul(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_f32_div(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_f32_sqrt(uint32_t a, int rm, uint32_t *flags);
/* Fused a*b+c with one rounding; negate_product / negate_addend give fmsub/fnmsub/fnmadd:
 * fmadd = (0,0), fmsub = (0,1), fnmsub = (1,0), fnmadd = (1,1). */
uint32_t fpu_f32_muladd(uint32_t a, uint32_t b, uint32_t c, bool negate_product,
                        bool negate_addend, int rm, uint32_t *flags);
/* fmin/fmax as in RISC-V F 2.2: minimumNumber/maximumNumber, -0 < +0, NV on signaling NaN,
 * canonical NaN when both inputs are NaN. */
uint32_t fpu_f32_min(uint32_t a, uint32_t b, uint32_t *flags);
uint32_t fpu_f32_max(uint32_t a, uint32_t b, uint32_t *flags);
/* Comparisons: feq is quiet (NV only for signaling NaN), flt/fle signal NV for any NaN. */
bool fpu_f32_eq(uint32_t a, uint32_t b, uint32_t *flags);
bool fpu_f32_lt(uint32_t a, uint32_t b, uint32_t *flags);
bool fpu_f32_le(uint32_t a, uint32_t b, uint32_t *flags);
/* fclass: the 10-bit one-hot mask of the RISC-V fclass instruction. */
uint32_t fpu_f32_classify(uint32_t a);

/* Conversions to integers saturate as RISC-V specifies (NaN -> max positive, out of range ->
 * the nearest limit, NV raised; NX for inexact in-range results). Results are returned
 * sign-extended to 64 bits for the 32-bit variants, as the hart writes them. */
int64_t  fpu_f32_to_i32(uint32_t a, int rm, uint32_t *flags);
int64_t  fpu_f32_to_u32(uint32_t a, int rm, uint32_t *flags); /* sign-extended 32-bit result */
int64_t  fpu_f32_to_i64(uint32_t a, int rm, uint32_t *flags);
uint64_t fpu_f32_to_u64(uint32_t a, int rm, uint32_t *flags);
uint32_t fpu_i32_to_f32(int32_t v, int rm, uint32_t *flags);
uint32_t fpu_u32_to_f32(uint32_t v, int rm, uint32_t *flags);
uint32_t fpu_i64_to_f32(int64_t v, int rm, uint32_t *flags);
uint32_t fpu_u64_to_f32(uint64_t v, int rm, uint32_t *flags);

/* The same set for binary64. */
uint64_t fpu_f64_add(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_f64_sub(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_f64_mul(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_f64_div(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_f64_sqrt(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_f64_muladd(uint64_t a, uint64_t b, uint64_t c, bool negate_product,
                        bool negate_addend, int rm, uint32_t *flags);
uint64_t fpu_f64_min(uint64_t a, uint64_t b, uint32_t *flags);
uint64_t fpu_f64_max(uint64_t a, uint64_t b, uint32_t *flags);
bool fpu_f64_eq(uint64_t a, uint64_t b, uint32_t *flags);
bool fpu_f64_lt(uint64_t a, uint64_t b, uint32_t *flags);
bool fpu_f64_le(uint64_t a, uint64_t b, uint32_t *flags);
uint32_t fpu_f64_classify(uint64_t a);

int64_t  fpu_f64_to_i32(uint64_t a, int rm, uint32_t *flags);
int64_t  fpu_f64_to_u32(uint64_t a, int rm, uint32_t *flags);
int64_t  fpu_f64_to_i64(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_f64_to_u64(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_i32_to_f64(int32_t v, int rm, uint32_t *flags);
uint64_t fpu_u32_to_f64(uint32_t v, int rm, uint32_t *flags);
uint64_t fpu_i64_to_f64(int64_t v, int rm, uint32_t *flags);
uint64_t fpu_u64_to_f64(uint64_t v, int rm, uint32_t *flags);

/* Between formats: f32->f64 is exact (NV for signaling NaN, canonical NaN out);
 * f64->f32 rounds with rm. */
uint64_t fpu_f32_to_f64(uint32_t a, uint32_t *flags);
uint32_t fpu_f64_to_f32(uint64_t a, int rm, uint32_t *flags);

#endif
