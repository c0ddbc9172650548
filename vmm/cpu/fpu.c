/* fpu.c — software IEEE 754 binary32/binary64 arithmetic for the RISC-V F and D
 * extensions: add/sub/mul/div/sqrt/fused multiply-add, min/max, comparisons, fclass and
 * all conversions, in every rounding mode with exact accrued flags. Integer code only;
 * the contract is vmm/cpu/fpu.h.
 *
 * How it works. Each operand is unpacked into a class plus, for finite non-zero values,
 * a sign, an unbiased exponent e and a 64-bit significand `sig` with its leading one at
 * bit 62, so the value is sig * 2^(e - 62) whatever the format. Wide intermediates
 * (products, sums inside fused multiply-add, quotients) are 128-bit integers R with the
 * value R * 2^(e - 125). All results funnel through round_pack(), which rounds the
 * 63-bit significand to the format's precision (bits below that act as guard/sticky:
 * every right shift "jams" lost bits into bit 0), detects tininess after rounding,
 * handles subnormal results and overflow, and raises NX/UF/OF.
 */
#include "vmm/cpu/fpu.h"

typedef unsigned __int128 u128;

/* ---- formats ---------------------------------------------------------------------- */

struct fmt {
    int frac_bits;      /* stored fraction bits: 23 or 52 */
    int exp_bits;       /* 8 or 11 */
    int bias;           /* 127 or 1023 */
    uint64_t nan;       /* canonical NaN */
};

static const struct fmt F32 = { 23, 8, 127, FPU_F32_CANONICAL_NAN };
static const struct fmt F64 = { 52, 11, 1023, FPU_F64_CANONICAL_NAN };

static uint64_t sign_mask(const struct fmt *f) { return 1ull << (f->frac_bits + f->exp_bits); }
static uint64_t frac_mask(const struct fmt *f) { return (1ull << f->frac_bits) - 1; }
static int exp_field_max(const struct fmt *f) { return (1 << f->exp_bits) - 1; }
static int emin(const struct fmt *f) { return 1 - f->bias; }
static int emax(const struct fmt *f) { return f->bias; }

static uint64_t pack_zero(const struct fmt *f, bool sign) { return sign ? sign_mask(f) : 0; }

static uint64_t pack_inf(const struct fmt *f, bool sign)
{
    return pack_zero(f, sign) | ((uint64_t)exp_field_max(f) << f->frac_bits);
}

static uint64_t pack_max_finite(const struct fmt *f, bool sign)
{
    return pack_inf(f, sign) - 1;
}

/* ---- unpacking -------------------------------------------------------------------- */

enum fclass { FC_ZERO, FC_FINITE, FC_INF, FC_QNAN, FC_SNAN };

struct unpacked {
    enum fclass cls;
    bool sign;
    int exp;            /* FC_FINITE only: value = sig * 2^(exp - 62) */
    uint64_t sig;       /* FC_FINITE only: bit 62 set, bit 63 clear */
};

static int clz64(uint64_t x) { return __builtin_clzll(x); } /* x != 0 */

static int clz128(u128 x) /* x != 0 */
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)x);
}

static struct unpacked unpack(const struct fmt *f, uint64_t bits)
{
    struct unpacked u = { .cls = FC_ZERO, .sign = (bits & sign_mask(f)) != 0 };
    int field = (int)((bits >> f->frac_bits) & (uint64_t)exp_field_max(f));
    uint64_t frac = bits & frac_mask(f);

    if (field == exp_field_max(f)) {
        if (frac == 0)
            u.cls = FC_INF;
        else
            u.cls = (frac >> (f->frac_bits - 1)) ? FC_QNAN : FC_SNAN;
    } else if (field == 0) {
        if (frac != 0) { /* subnormal: normalize */
            int lead = 63 - clz64(frac);
            u.cls = FC_FINITE;
            u.sig = frac << (62 - lead);
            u.exp = emin(f) - f->frac_bits + lead;
        }
    } else {
        u.cls = FC_FINITE;
        u.sig = (frac | (1ull << f->frac_bits)) << (62 - f->frac_bits);
        u.exp = field - f->bias;
    }
    return u;
}

static bool is_nan(const struct unpacked *u) { return u->cls == FC_QNAN || u->cls == FC_SNAN; }

/* ---- shifting and rounding -------------------------------------------------------- */

/* Shift right by n (any n >= 0), ORing every bit shifted out into bit 0 ("sticky"). */
static uint64_t shr_jam64(uint64_t x, int64_t n)
{
    if (n <= 0)
        return x;
    if (n >= 64)
        return x != 0;
    return (x >> n) | ((x & ((1ull << n) - 1)) != 0);
}

static u128 shr_jam128(u128 x, int64_t n)
{
    if (n <= 0)
        return x;
    if (n >= 128)
        return x != 0;
    return (x >> n) | ((x & (((u128)1 << n) - 1)) != 0);
}

/* Round x / 2^drop (1 <= drop <= 63) to an integer according to rm for a value of the
 * given sign. Sets *inexact when any dropped bit was set. */
static uint64_t round_shift(bool sign, uint64_t x, int drop, int rm, bool *inexact)
{
    uint64_t q = x >> drop;
    uint64_t rem = x & ((1ull << drop) - 1);
    uint64_t half = 1ull << (drop - 1);
    bool up;

    *inexact = rem != 0;
    switch (rm) {
    case FPU_RNE: up = rem > half || (rem == half && (q & 1)); break;
    case FPU_RMM: up = rem >= half; break;
    case FPU_RDN: up = rem != 0 && sign; break;
    case FPU_RUP: up = rem != 0 && !sign; break;
    default:      up = false; break; /* FPU_RTZ */
    }
    return q + up;
}

/* Does an overflow in this direction produce infinity (else the largest finite)? */
static bool overflow_to_inf(bool sign, int rm)
{
    switch (rm) {
    case FPU_RTZ: return false;
    case FPU_RDN: return sign;
    case FPU_RUP: return !sign;
    default:      return true; /* RNE, RMM */
    }
}

/* Round sign * sig * 2^(exp - 62) to format f and pack it. sig must have bit 62 set and
 * bit 63 clear; any bits below the format's precision are exact guard bits except bit 0,
 * which may be a sticky bit. exp may lie far outside the format's range. */
static uint64_t round_pack(const struct fmt *f, bool sign, int64_t exp, uint64_t sig, int rm,
                           uint32_t *flags)
{
    const int prec = f->frac_bits + 1;
    const int drop = 63 - prec;
    bool inexact;
    uint64_t q;

    if (exp < emin(f)) {
        /* Tiny if, rounded to prec bits with an unbounded exponent, the magnitude is still
         * below 2^emin. Only exp == emin - 1 can round up to 2^emin. */
        bool tiny = true;
        if (exp == emin(f) - 1) {
            bool unused;
            tiny = round_shift(sign, sig, drop, rm, &unused) < (1ull << prec);
        }
        q = round_shift(sign, shr_jam64(sig, emin(f) - exp), drop, rm, &inexact);
        if (inexact)
            *flags |= FPU_NX | (tiny ? FPU_UF : 0);
        /* q <= 2^(prec-1); if rounding reached 2^(prec-1), that bit lands in the exponent
         * field as 1, giving the smallest normal number. */
        return pack_zero(f, sign) | q;
    }

    q = round_shift(sign, sig, drop, rm, &inexact);
    if (q >> prec) { /* rounded up to the next power of two (exact shift) */
        q >>= 1;
        exp++;
    }
    if (exp > emax(f)) {
        *flags |= FPU_OF | FPU_NX;
        return overflow_to_inf(sign, rm) ? pack_inf(f, sign) : pack_max_finite(f, sign);
    }
    if (inexact)
        *flags |= FPU_NX;
    return pack_zero(f, sign) | ((uint64_t)(exp + f->bias) << f->frac_bits) | (q & frac_mask(f));
}

/* Round and pack sign * r * 2^(exp - 125) for any non-zero 128-bit r (bit 0 may be sticky;
 * r must keep at least two exact guard bits below the format's precision after
 * normalization, which every caller guarantees). */
static uint64_t round_pack128(const struct fmt *f, bool sign, int64_t exp, u128 r, int rm,
                              uint32_t *flags)
{
    int lead = 127 - clz128(r);
    uint64_t sig;

    if (lead >= 62)
        sig = (uint64_t)shr_jam128(r, lead - 62);
    else
        sig = (uint64_t)r << (62 - lead);
    return round_pack(f, sign, exp + (lead - 125), sig, rm, flags);
}

/* ---- NaN helpers ------------------------------------------------------------------ */

/* If either operand is NaN: raise NV for a signaling one and report the canonical NaN. */
static bool nan_operands2(const struct fmt *f, const struct unpacked *a, const struct unpacked *b,
                          uint64_t *out, uint32_t *flags)
{
    if (!is_nan(a) && !is_nan(b))
        return false;
    if (a->cls == FC_SNAN || b->cls == FC_SNAN)
        *flags |= FPU_NV;
    *out = f->nan;
    return true;
}

static uint64_t invalid(const struct fmt *f, uint32_t *flags)
{
    *flags |= FPU_NV;
    return f->nan;
}

/* ---- addition --------------------------------------------------------------------- */

/* sa*A*2^(ea-125) + sb*B*2^(eb-125) for non-zero A, B each with leading one at bit 125.
 * The smaller operand is shifted right with a sticky bit; because the larger one has
 * zero low bits and its leading one can move by at most one place whenever anything was
 * lost to the shift, the sticky bit never reaches the rounding position. */
static uint64_t add_finite(const struct fmt *f, bool sa, int64_t ea, u128 A, bool sb, int64_t eb,
                           u128 B, int rm, uint32_t *flags)
{
    if (ea < eb || (ea == eb && A < B)) { /* make |A| >= |B| */
        bool ts = sa; int64_t te = ea; u128 tm = A;
        sa = sb; ea = eb; A = B;
        sb = ts; eb = te; B = tm;
    }
    B = shr_jam128(B, ea - eb);
    if (sa == sb)
        return round_pack128(f, sa, ea, A + B, rm, flags);
    if (A == B) /* exact cancellation */
        return pack_zero(f, rm == FPU_RDN);
    return round_pack128(f, sa, ea, A - B, rm, flags);
}

/* The sign of an exact zero sum x + y where both are zero. */
static bool zero_sum_sign(bool sx, bool sy, int rm)
{
    return sx == sy ? sx : rm == FPU_RDN;
}

static uint64_t add(const struct fmt *f, uint64_t abits, uint64_t bbits, bool negate_b, int rm,
                    uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);
    uint64_t out;

    if (nan_operands2(f, &a, &b, &out, flags))
        return out;
    b.sign ^= negate_b;
    if (a.cls == FC_INF) {
        if (b.cls == FC_INF && a.sign != b.sign)
            return invalid(f, flags);
        return pack_inf(f, a.sign);
    }
    if (b.cls == FC_INF)
        return pack_inf(f, b.sign);
    if (a.cls == FC_ZERO && b.cls == FC_ZERO)
        return pack_zero(f, zero_sum_sign(a.sign, b.sign, rm));
    if (b.cls == FC_ZERO)
        return abits;
    if (a.cls == FC_ZERO)
        return negate_b ? bbits ^ sign_mask(f) : bbits;
    return add_finite(f, a.sign, a.exp, (u128)a.sig << 63, b.sign, b.exp, (u128)b.sig << 63, rm,
                      flags);
}

/* ---- multiplication, division, square root ---------------------------------------- */

static uint64_t mul(const struct fmt *f, uint64_t abits, uint64_t bbits, int rm, uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);
    bool sign = a.sign ^ b.sign;
    uint64_t out;

    if (nan_operands2(f, &a, &b, &out, flags))
        return out;
    if (a.cls == FC_INF || b.cls == FC_INF) {
        if (a.cls == FC_ZERO || b.cls == FC_ZERO)
            return invalid(f, flags);
        return pack_inf(f, sign);
    }
    if (a.cls == FC_ZERO || b.cls == FC_ZERO)
        return pack_zero(f, sign);
    /* (sa * 2^(ea-62)) * (sb * 2^(eb-62)) = P * 2^((ea+eb+1) - 125) */
    return round_pack128(f, sign, (int64_t)a.exp + b.exp + 1, (u128)a.sig * b.sig, rm, flags);
}

static uint64_t divide(const struct fmt *f, uint64_t abits, uint64_t bbits, int rm, uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);
    bool sign = a.sign ^ b.sign;
    uint64_t out;
    u128 num, q;

    if (nan_operands2(f, &a, &b, &out, flags))
        return out;
    if (a.cls == FC_INF) {
        if (b.cls == FC_INF)
            return invalid(f, flags);
        return pack_inf(f, sign);
    }
    if (b.cls == FC_INF)
        return pack_zero(f, sign);
    if (b.cls == FC_ZERO) {
        if (a.cls == FC_ZERO)
            return invalid(f, flags);
        *flags |= FPU_DZ;
        return pack_inf(f, sign);
    }
    if (a.cls == FC_ZERO)
        return pack_zero(f, sign);
    /* q = floor(sa * 2^64 / sb) lies in (2^63, 2^65): at least 64 quotient bits, and the
     * remainder becomes the sticky bit. Value = q * 2^(ea - eb - 64). */
    num = (u128)a.sig << 64;
    q = num / b.sig;
    q |= (num % b.sig) != 0;
    return round_pack128(f, sign, (int64_t)a.exp - b.exp + 61, q, rm, flags);
}

/* floor(sqrt(n)) for n < 2^128, by the digit-by-digit method; *exact when n is a square. */
static uint64_t isqrt128(u128 n, bool *exact)
{
    uint64_t root = 0;
    u128 rem = 0; /* n's prefix minus root^2; always <= 2 * root */

    for (int i = 63; i >= 0; i--) {
        u128 trial = ((u128)root << 2) | 1; /* (2*root + 1)^2 - 4*root^2 */
        rem = (rem << 2) | ((n >> (2 * i)) & 3);
        root <<= 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    *exact = rem == 0;
    return root;
}

static uint64_t square_root(const struct fmt *f, uint64_t abits, int rm, uint32_t *flags)
{
    struct unpacked a = unpack(f, abits);
    uint64_t sig, root;
    int64_t exp;
    bool exact;

    if (a.cls == FC_SNAN)
        return invalid(f, flags);
    if (a.cls == FC_QNAN)
        return f->nan;
    if (a.cls == FC_ZERO)
        return abits; /* sqrt(-0) = -0 */
    if (a.sign)
        return invalid(f, flags);
    if (a.cls == FC_INF)
        return abits;
    /* Make the exponent even, then sqrt(sig * 2^64) is a 64-bit root with its leading one
     * at bit 63: value = root * 2^(exp/2 - 63) = root * 2^((exp/2 + 62) - 125). */
    sig = a.sig;
    exp = a.exp;
    if (exp & 1) {
        sig <<= 1;
        exp--;
    }
    root = isqrt128((u128)sig << 64, &exact);
    return round_pack128(f, false, exp / 2 + 62, (u128)root | !exact, rm, flags);
}

/* ---- fused multiply-add ----------------------------------------------------------- */

static uint64_t muladd(const struct fmt *f, uint64_t abits, uint64_t bbits, uint64_t cbits,
                       bool negate_product, bool negate_addend, int rm, uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits), c = unpack(f, cbits);
    bool psign = a.sign ^ b.sign ^ negate_product;
    bool csign = c.sign ^ negate_addend;
    bool pinf = a.cls == FC_INF || b.cls == FC_INF;
    bool pzero = a.cls == FC_ZERO || b.cls == FC_ZERO;
    int64_t pexp;
    u128 p;

    if (a.cls == FC_SNAN || b.cls == FC_SNAN || c.cls == FC_SNAN)
        *flags |= FPU_NV;
    /* RISC-V raises NV for inf * 0 even when the addend is a quiet NaN. */
    if (pinf && pzero)
        return invalid(f, flags);
    if (is_nan(&a) || is_nan(&b) || is_nan(&c))
        return f->nan;
    if (pinf) {
        if (c.cls == FC_INF && csign != psign)
            return invalid(f, flags);
        return pack_inf(f, psign);
    }
    if (c.cls == FC_INF)
        return pack_inf(f, csign);
    if (pzero) {
        if (c.cls == FC_ZERO)
            return pack_zero(f, zero_sum_sign(psign, csign, rm));
        return cbits ^ (negate_addend ? sign_mask(f) : 0);
    }
    /* Exact product with its leading one at bit 125 (it starts at bit 124 or 125). */
    p = (u128)a.sig * b.sig;
    pexp = (int64_t)a.exp + b.exp + 1;
    if (!(p >> 125)) {
        p <<= 1;
        pexp--;
    }
    if (c.cls == FC_ZERO)
        return round_pack128(f, psign, pexp, p, rm, flags);
    return add_finite(f, psign, pexp, p, csign, c.exp, (u128)c.sig << 63, rm, flags);
}

/* ---- min/max, comparisons, classification ----------------------------------------- */

/* a < b for non-NaN bit patterns, with -0 < +0. */
static bool ordered_less(const struct fmt *f, uint64_t a, uint64_t b)
{
    bool sa = (a & sign_mask(f)) != 0, sb = (b & sign_mask(f)) != 0;
    uint64_t ma = a & ~sign_mask(f), mb = b & ~sign_mask(f);

    if (sa != sb)
        return sa;
    return sa ? ma > mb : ma < mb;
}

static uint64_t minmax(const struct fmt *f, uint64_t abits, uint64_t bbits, bool want_max,
                       uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);

    if (a.cls == FC_SNAN || b.cls == FC_SNAN)
        *flags |= FPU_NV;
    if (is_nan(&a) && is_nan(&b))
        return f->nan;
    if (is_nan(&a))
        return bbits;
    if (is_nan(&b))
        return abits;
    return ordered_less(f, abits, bbits) != want_max ? abits : bbits;
}

static bool both_zero(const struct unpacked *a, const struct unpacked *b)
{
    return a->cls == FC_ZERO && b->cls == FC_ZERO;
}

static bool cmp_eq(const struct fmt *f, uint64_t abits, uint64_t bbits, uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);

    if (is_nan(&a) || is_nan(&b)) {
        if (a.cls == FC_SNAN || b.cls == FC_SNAN)
            *flags |= FPU_NV;
        return false;
    }
    return abits == bbits || both_zero(&a, &b);
}

static bool cmp_lt(const struct fmt *f, uint64_t abits, uint64_t bbits, bool or_equal,
                   uint32_t *flags)
{
    struct unpacked a = unpack(f, abits), b = unpack(f, bbits);

    if (is_nan(&a) || is_nan(&b)) {
        *flags |= FPU_NV;
        return false;
    }
    if (abits == bbits || both_zero(&a, &b))
        return or_equal;
    return ordered_less(f, abits, bbits);
}

static uint32_t classify(const struct fmt *f, uint64_t bits)
{
    struct unpacked a = unpack(f, bits);
    bool subnormal = ((bits >> f->frac_bits) & (uint64_t)exp_field_max(f)) == 0;

    switch (a.cls) {
    case FC_SNAN: return 1u << 8;
    case FC_QNAN: return 1u << 9;
    case FC_INF:  return a.sign ? 1u << 0 : 1u << 7;
    case FC_ZERO: return a.sign ? 1u << 3 : 1u << 4;
    default:
        if (subnormal)
            return a.sign ? 1u << 2 : 1u << 5;
        return a.sign ? 1u << 1 : 1u << 6;
    }
}

/* ---- conversions ------------------------------------------------------------------ */

/* Convert to a width-bit (32 or 64) integer, saturating as RISC-V specifies. Returns the
 * two's-complement result in 64 bits (negative values sign-extended). */
static uint64_t to_int(const struct fmt *f, uint64_t bits, int width, bool is_signed, int rm,
                       uint32_t *flags)
{
    struct unpacked a = unpack(f, bits);
    uint64_t max_pos, max_neg; /* largest magnitudes allowed for each sign */
    uint64_t mag = 0;
    bool inexact = false;

    if (is_signed) {
        max_pos = (1ull << (width - 1)) - 1;
        max_neg = 1ull << (width - 1);
    } else {
        max_pos = width == 64 ? ~0ull : (1ull << width) - 1;
        max_neg = 0;
    }

    if (is_nan(&a)) {
        *flags |= FPU_NV;
        return max_pos;
    }
    if (a.cls == FC_INF)
        goto out_of_range;
    if (a.cls == FC_FINITE) {
        if (a.exp >= 64)
            goto out_of_range;
        if (a.exp >= 62) {
            mag = a.sig << (a.exp - 62);
        } else {
            /* drop 62 - exp fraction bits; beyond 62 only stickiness matters */
            int drop = 62 - a.exp;
            uint64_t x = a.sig;
            if (drop > 62) {
                x = shr_jam64(x, drop - 62);
                drop = 62;
            }
            mag = round_shift(a.sign, x, drop, rm, &inexact);
        }
    }
    if (a.sign ? mag > max_neg : mag > max_pos)
        goto out_of_range;
    if (inexact)
        *flags |= FPU_NX;
    return a.sign ? 0 - mag : mag;

out_of_range:
    *flags |= FPU_NV;
    return a.sign ? 0 - max_neg : max_pos;
}

static uint64_t from_int(const struct fmt *f, bool sign, uint64_t mag, int rm, uint32_t *flags)
{
    if (mag == 0)
        return pack_zero(f, false);
    return round_pack128(f, sign, 125, mag, rm, flags); /* value = mag * 2^0 */
}

static uint64_t convert_float(const struct fmt *to, const struct fmt *from, uint64_t bits, int rm,
                              uint32_t *flags)
{
    struct unpacked a = unpack(from, bits);

    switch (a.cls) {
    case FC_SNAN: return invalid(to, flags);
    case FC_QNAN: return to->nan;
    case FC_INF:  return pack_inf(to, a.sign);
    case FC_ZERO: return pack_zero(to, a.sign);
    default:      return round_pack(to, a.sign, a.exp, a.sig, rm, flags);
    }
}

static int64_t sext32(uint64_t v) { return (int64_t)(int32_t)(uint32_t)v; }

static uint64_t abs_i64(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

/* ---- public binary32 interface ---------------------------------------------------- */

uint32_t fpu_f32_add(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return (uint32_t)add(&F32, a, b, false, rm, flags);
}

uint32_t fpu_f32_sub(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return (uint32_t)add(&F32, a, b, true, rm, flags);
}

uint32_t fpu_f32_mul(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return (uint32_t)mul(&F32, a, b, rm, flags);
}

uint32_t fpu_f32_div(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return (uint32_t)divide(&F32, a, b, rm, flags);
}

uint32_t fpu_f32_sqrt(uint32_t a, int rm, uint32_t *flags)
{
    return (uint32_t)square_root(&F32, a, rm, flags);
}

uint32_t fpu_f32_muladd(uint32_t a, uint32_t b, uint32_t c, bool negate_product,
                        bool negate_addend, int rm, uint32_t *flags)
{
    return (uint32_t)muladd(&F32, a, b, c, negate_product, negate_addend, rm, flags);
}

uint32_t fpu_f32_min(uint32_t a, uint32_t b, uint32_t *flags)
{
    return (uint32_t)minmax(&F32, a, b, false, flags);
}

uint32_t fpu_f32_max(uint32_t a, uint32_t b, uint32_t *flags)
{
    return (uint32_t)minmax(&F32, a, b, true, flags);
}

bool fpu_f32_eq(uint32_t a, uint32_t b, uint32_t *flags) { return cmp_eq(&F32, a, b, flags); }
bool fpu_f32_lt(uint32_t a, uint32_t b, uint32_t *flags) { return cmp_lt(&F32, a, b, false, flags); }
bool fpu_f32_le(uint32_t a, uint32_t b, uint32_t *flags) { return cmp_lt(&F32, a, b, true, flags); }
uint32_t fpu_f32_classify(uint32_t a) { return classify(&F32, a); }

int64_t fpu_f32_to_i32(uint32_t a, int rm, uint32_t *flags)
{
    return sext32(to_int(&F32, a, 32, true, rm, flags));
}

int64_t fpu_f32_to_u32(uint32_t a, int rm, uint32_t *flags)
{
    return sext32(to_int(&F32, a, 32, false, rm, flags));
}

int64_t fpu_f32_to_i64(uint32_t a, int rm, uint32_t *flags)
{
    return (int64_t)to_int(&F32, a, 64, true, rm, flags);
}

uint64_t fpu_f32_to_u64(uint32_t a, int rm, uint32_t *flags)
{
    return to_int(&F32, a, 64, false, rm, flags);
}

uint32_t fpu_i32_to_f32(int32_t v, int rm, uint32_t *flags)
{
    return (uint32_t)from_int(&F32, v < 0, abs_i64(v), rm, flags);
}

uint32_t fpu_u32_to_f32(uint32_t v, int rm, uint32_t *flags)
{
    return (uint32_t)from_int(&F32, false, v, rm, flags);
}

uint32_t fpu_i64_to_f32(int64_t v, int rm, uint32_t *flags)
{
    return (uint32_t)from_int(&F32, v < 0, abs_i64(v), rm, flags);
}

uint32_t fpu_u64_to_f32(uint64_t v, int rm, uint32_t *flags)
{
    return (uint32_t)from_int(&F32, false, v, rm, flags);
}

/* ---- public binary64 interface ---------------------------------------------------- */

uint64_t fpu_f64_add(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return add(&F64, a, b, false, rm, flags);
}

uint64_t fpu_f64_sub(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return add(&F64, a, b, true, rm, flags);
}

uint64_t fpu_f64_mul(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return mul(&F64, a, b, rm, flags);
}

uint64_t fpu_f64_div(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return divide(&F64, a, b, rm, flags);
}

uint64_t fpu_f64_sqrt(uint64_t a, int rm, uint32_t *flags)
{
    return square_root(&F64, a, rm, flags);
}

uint64_t fpu_f64_muladd(uint64_t a, uint64_t b, uint64_t c, bool negate_product,
                        bool negate_addend, int rm, uint32_t *flags)
{
    return muladd(&F64, a, b, c, negate_product, negate_addend, rm, flags);
}

uint64_t fpu_f64_min(uint64_t a, uint64_t b, uint32_t *flags) { return minmax(&F64, a, b, false, flags); }
uint64_t fpu_f64_max(uint64_t a, uint64_t b, uint32_t *flags) { return minmax(&F64, a, b, true, flags); }
bool fpu_f64_eq(uint64_t a, uint64_t b, uint32_t *flags) { return cmp_eq(&F64, a, b, flags); }
bool fpu_f64_lt(uint64_t a, uint64_t b, uint32_t *flags) { return cmp_lt(&F64, a, b, false, flags); }
bool fpu_f64_le(uint64_t a, uint64_t b, uint32_t *flags) { return cmp_lt(&F64, a, b, true, flags); }
uint32_t fpu_f64_classify(uint64_t a) { return classify(&F64, a); }

int64_t fpu_f64_to_i32(uint64_t a, int rm, uint32_t *flags)
{
    return sext32(to_int(&F64, a, 32, true, rm, flags));
}

int64_t fpu_f64_to_u32(uint64_t a, int rm, uint32_t *flags)
{
    return sext32(to_int(&F64, a, 32, false, rm, flags));
}

int64_t fpu_f64_to_i64(uint64_t a, int rm, uint32_t *flags)
{
    return (int64_t)to_int(&F64, a, 64, true, rm, flags);
}

uint64_t fpu_f64_to_u64(uint64_t a, int rm, uint32_t *flags)
{
    return to_int(&F64, a, 64, false, rm, flags);
}

uint64_t fpu_i32_to_f64(int32_t v, int rm, uint32_t *flags)
{
    return from_int(&F64, v < 0, abs_i64(v), rm, flags);
}

uint64_t fpu_u32_to_f64(uint32_t v, int rm, uint32_t *flags)
{
    return from_int(&F64, false, v, rm, flags);
}

uint64_t fpu_i64_to_f64(int64_t v, int rm, uint32_t *flags)
{
    return from_int(&F64, v < 0, abs_i64(v), rm, flags);
}

uint64_t fpu_u64_to_f64(uint64_t v, int rm, uint32_t *flags)
{
    return from_int(&F64, false, v, rm, flags);
}

/* ---- between formats -------------------------------------------------------------- */

uint64_t fpu_f32_to_f64(uint32_t a, uint32_t *flags)
{
    return convert_float(&F64, &F32, a, FPU_RNE, flags); /* always exact */
}

uint32_t fpu_f64_to_f32(uint64_t a, int rm, uint32_t *flags)
{
    return (uint32_t)convert_float(&F32, &F64, a, rm, flags);
}
