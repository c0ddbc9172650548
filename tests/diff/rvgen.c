/*
 * rvgen — random RV64GC + Zba/Zbb instruction-sequence generator for the
 * differential test of the rewind hart against QEMU (tests/diff/).
 *
 *   rvgen --seed S --sequences K --length L [--first F] [--no-bitmanip] -o out.S
 *
 * Writes one self-contained assembly file (its own _start, stack, HTIF
 * console/exit routines, trap handler and .tohost section; link it with
 * tests/diff/rvgen.ld).  The file holds sequences F .. F+K-1.  Sequence N is
 * generated from its own PRNG stream derived from (S, N) only, so
 * `--first N --sequences 1` reproduces sequence N of any larger run, and
 * `--length M` (M < L) gives the first M items of the same sequence (used to
 * shrink a failing sequence).  --no-bitmanip leaves out Zba/Zbb.
 *
 * Each sequence:
 *   1. loads the scratch buffer, fcsr, mscratch, f0-f31 and x1-x31 from a
 *      per-sequence table of biased random values;
 *   2. runs L random "items" (an item is one instruction, or a short group
 *      that must stay together, e.g. `la base` + load, or lr + sc);
 *   3. stores x1-x31, f0-f31 and fcsr, then prints a signature over HTIF:
 *        seq N
 *        x1 <16 hex> ... x31, f0 ... f31, fcsr, m0 ... m31 (scratch dwords)
 * After the last sequence it prints "end" and exits with status 0.  Any trap
 * prints "TRAP mcause mepc mtval" and exits with status 3.
 *
 * Nothing generated may trap or depend on implementation-defined behaviour
 * (except misaligned loads/stores, generated on purpose: QEMU performs them
 * and so must rewind): memory accesses use a base register that is set right
 * before them, AMO and
 * LR/SC addresses are naturally aligned and LR/SC come as adjacent pairs,
 * control flow only goes forward inside the sequence, frm always stays valid,
 * and no counter, misa, ecall/ebreak or wfi instruction is used.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- PRNG -- */

typedef struct {
	uint64_t s[4];
} Rng;

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(Rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t st = seed;
	uint64_t mix = splitmix64(&st) ^ (stream * 0xd1342543de82ef95ULL);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&mix);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rnd(Rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return res;
}

/* uniform in [0, n) (n > 0) */
static uint32_t below(Rng *r, uint32_t n)
{
	return (uint32_t)(((rnd(r) >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static int64_t range(Rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd(r) % (uint64_t)(hi - lo + 1));
}

static int chance(Rng *r, unsigned pct)
{
	return below(r, 100) < pct;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[below((r), (uint32_t)NELEM(a))])

/* ------------------------------------------------------ biased values -- */

static uint64_t gen_int(Rng *r)
{
	static const uint64_t special[] = {
		0, 1, UINT64_MAX, 2, UINT64_MAX - 1,
		0x8000000000000000ULL, 0x7fffffffffffffffULL,
		0xffffffff80000000ULL, 0x7fffffffULL, 0xffffffffULL,
		0x80000000ULL, 0x100000000ULL, 0xffffffff7fffffffULL,
		0x8000000000000001ULL, 0x00000000ffff8000ULL, 0xffffULL,
		0x8000ULL, 0xffffffffffff8000ULL, 0xffULL, 0x80ULL,
		0x0101010101010101ULL, 0x8080808080808080ULL,
	};
	int k = (int)below(r, 100);
	if (k < 15)
		return PICK(r, special);
	if (k < 25)
		return (uint64_t)range(r, -16, 16);
	if (k < 35)
		return 1ULL << below(r, 64);
	if (k < 42)
		return (uint64_t)0 - (1ULL << below(r, 64));
	if (k < 48)
		return (1ULL << below(r, 64)) - 1;
	if (k < 62)
		return (uint64_t)(int64_t)(int32_t)(uint32_t)rnd(r);
	if (k < 68)
		return (uint32_t)rnd(r);
	if (k < 74)
		return (uint64_t)(int64_t)(int16_t)(uint16_t)rnd(r);
	if (k < 78) /* few bits set */
		return rnd(r) & rnd(r) & rnd(r);
	return rnd(r);
}

static int64_t gen_imm12(Rng *r)
{
	static const int64_t special[] = {0, 1, -1, 2047, -2048, 2, -2, 1024, -1024, 0x7ff, 0x800 - 2048};
	int k = (int)below(r, 10);
	if (k < 3)
		return PICK(r, special);
	if (k < 6)
		return range(r, -16, 16);
	return range(r, -2048, 2047);
}

static uint64_t f64_of(double d)
{
	uint64_t u;
	memcpy(&u, &d, sizeof u);
	return u;
}

static uint32_t f32_of(float f)
{
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

#define D_SIGN 0x8000000000000000ULL
#define D_MANT 0x000fffffffffffffULL
#define S_SIGN 0x80000000U
#define S_MANT 0x007fffffU

static uint64_t d_make(uint64_t sign, uint64_t exp, uint64_t mant)
{
	return (sign ? D_SIGN : 0) | ((exp & 0x7ff) << 52) | (mant & D_MANT);
}

static uint32_t s_make(uint32_t sign, uint32_t exp, uint32_t mant)
{
	return (sign ? S_SIGN : 0) | ((exp & 0xff) << 23) | (mant & S_MANT);
}

static uint64_t gen_f64(Rng *r)
{
	static const uint64_t special[] = {
		0x0000000000000000ULL, 0x8000000000000000ULL, /* +-0 */
		0x3ff0000000000000ULL, 0xbff0000000000000ULL, /* +-1 */
		0x7ff0000000000000ULL, 0xfff0000000000000ULL, /* +-inf */
		0x7ff8000000000000ULL, 0xfff8000000000000ULL, /* qNaN */
		0x7ff8000000001234ULL, 0x7fffffffffffffffULL, /* qNaN with payload */
		0x7ff0000000000001ULL, 0x7ff4000000000000ULL, /* sNaN */
		0xfff0000000000001ULL, 0x7ff7ffffffffffffULL,
		0x0000000000000001ULL, 0x800fffffffffffffULL, /* subnormals */
		0x0010000000000000ULL, 0x8010000000000000ULL, /* min normal */
		0x7fefffffffffffffULL, 0xffefffffffffffffULL, /* max finite */
		0x3fe0000000000000ULL, 0x4000000000000000ULL, /* 0.5, 2 */
		0x3ff8000000000000ULL, 0x4004000000000000ULL, /* 1.5, 2.5 */
		0xbfe0000000000000ULL, 0xc004000000000000ULL, /* -0.5, -2.5 */
		0x3ff0000000000001ULL, 0x3fefffffffffffffULL, /* 1 +- ulp */
		0x47efffffe0000000ULL, 0x3810000000000000ULL, /* FLT_MAX, FLT_MIN */
		0x47effffff0000000ULL, 0x36a0000000000000ULL, /* FLT_MAX + half ulp, min f32 subnormal */
		0x3690000000000000ULL, 0x36a8000000000000ULL, /* half / 1.5 x min f32 subnormal */
	};
	/* integer-conversion boundaries */
	static const uint64_t bounds[] = {
		0x41e0000000000000ULL, 0x41f0000000000000ULL, /* 2^31, 2^32 */
		0x43e0000000000000ULL, 0x43f0000000000000ULL, /* 2^63, 2^64 */
		0x41dfffffffc00000ULL, 0x41efffffffe00000ULL, /* 2^31-1, 2^32-1 */
		0x41dfffffffe00000ULL, 0x41effffffff00000ULL, /* 2^31-0.5, 2^32-0.5 */
	};
	uint64_t sign = rnd(r) & 1;
	uint64_t m = rnd(r); /* random mantissa bits, used by most cases */
	int k = (int)below(r, 16);
	switch (k) {
	case 0:
	case 1:
		return PICK(r, special);
	case 2: /* subnormal */
	{
		uint64_t sh = below(r, 52);
		uint64_t low = below(r, 8) ? 0 : 1;
		return d_make(sign, 0, (m >> sh) | low);
	}
	case 3: /* near 1 */
		return d_make(sign, 1023 + (uint64_t)range(r, -4, 4), m);
	case 4: /* short mantissa: sums and products hit rounding ties */
	{
		uint64_t e = 1023 + (uint64_t)range(r, -40, 40);
		uint64_t keep = ~(D_MANT >> below(r, 10));
		return d_make(sign, e, m & keep);
	}
	case 5: /* (near) ties when rounded to single precision */
	{
		uint64_t t = ((m & D_MANT & ~0x1fffffffULL) | 0x10000000ULL) + (uint64_t)range(r, -1, 1);
		uint64_t e;
		if (below(r, 4))
			e = 1023 + (uint64_t)range(r, -20, 20);
		else if (below(r, 2))
			e = 1023 + 127;
		else
			e = 1023 - 126 - below(r, 24);
		return d_make(sign, e, t);
	}
	case 6: /* integer valued */
		return f64_of((double)(int64_t)gen_int(r));
	case 7: /* half-integers: ties for fcvt to integer */
	{
		int64_t v = below(r, 2) ? range(r, -8, 8) : (int64_t)(int32_t)(uint32_t)m;
		return f64_of((double)v + 0.5);
	}
	case 8: /* around integer bounds */
	{
		uint64_t b = PICK(r, bounds);
		return (sign ? D_SIGN : 0) | (b + (uint64_t)range(r, -1, 1));
	}
	case 9: /* huge */
		return d_make(sign, 2046 - below(r, 64), m);
	case 10: /* tiny normal */
		return d_make(sign, 1 + below(r, 64), m);
	case 11: /* around the single-precision overflow / underflow edges */
	{
		uint64_t e = below(r, 2) ? 1023 + 127 + below(r, 2) : 1023 - 150 + below(r, 30);
		uint64_t keep = ~(D_MANT >> below(r, 24));
		return d_make(sign, e, m & keep);
	}
	case 12:
	case 13: /* moderate exponent */
		return d_make(sign, 1023 + (uint64_t)range(r, -70, 70), m);
	default:
		return m;
	}
}

static uint32_t gen_f32(Rng *r)
{
	static const uint32_t special[] = {
		0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
		0x7fc00000, 0xffc00000, 0x7fc01234, 0x7fffffff, 0x7f800001, 0x7fa00000,
		0xff800001, 0x7fbfffff, 0x00000001, 0x807fffff, 0x00800000, 0x80800000,
		0x7f7fffff, 0xff7fffff, 0x3f000000, 0x40000000, 0x3fc00000, 0x40200000,
		0xbf000000, 0xc0200000, 0x3f800001, 0x3f7fffff,
	};
	static const uint32_t bounds[] = {
		0x4f000000, 0x4f800000, 0x5f000000, 0x5f800000, /* 2^31, 2^32, 2^63, 2^64 */
		0x4effffff, 0x4f7fffff, 0x5effffff, 0x5f7fffff,
	};
	uint32_t sign = (uint32_t)rnd(r) & 1;
	uint32_t m = (uint32_t)rnd(r);
	int k = (int)below(r, 14);
	switch (k) {
	case 0:
	case 1:
		return PICK(r, special);
	case 2: /* subnormal */
	{
		uint32_t sh = below(r, 23);
		uint32_t low = below(r, 8) ? 0 : 1;
		return s_make(sign, 0, (m >> sh) | low);
	}
	case 3:
		return s_make(sign, 127 + (uint32_t)range(r, -4, 4), m);
	case 4:
	{
		uint32_t e = 127 + (uint32_t)range(r, -20, 20);
		uint32_t keep = ~(S_MANT >> below(r, 8));
		return s_make(sign, e, m & keep);
	}
	case 5:
		return f32_of((float)(int64_t)gen_int(r));
	case 6:
	{
		int32_t v = below(r, 2) ? (int32_t)range(r, -8, 8) : (int32_t)range(r, -(1 << 22), 1 << 22);
		return f32_of((float)v + 0.5f);
	}
	case 7:
	{
		uint32_t b = PICK(r, bounds);
		return (sign ? S_SIGN : 0) | (uint32_t)((int64_t)b + range(r, -1, 1));
	}
	case 8:
		return s_make(sign, 254 - below(r, 32), m);
	case 9:
		return s_make(sign, 1 + below(r, 32), m);
	case 10:
	case 11:
		return s_make(sign, 127 + (uint32_t)range(r, -30, 30), m);
	default:
		return m;
	}
}

/* a single-precision value with its upper half not all ones (not NaN-boxed) */
static uint64_t gen_unboxed(Rng *r)
{
	uint64_t s = gen_f32(r);
	switch (below(r, 4)) {
	case 0:
		return s;
	case 1:
		return 0xfffffffe00000000ULL | s;
	case 2:
		return 0x7fffffff00000000ULL | s;
	default:
	{
		uint64_t hi = rnd(r) & 0xffffffff00000000ULL;
		if (hi == 0xffffffff00000000ULL)
			hi = 0;
		return hi | s;
	}
	}
}

/* raw 64-bit content of an f register that mostly holds singles (NaN-boxed,
 * sometimes not) or mostly holds doubles */
static uint64_t gen_freg_as(Rng *r, int single)
{
	int k = (int)below(r, 100);
	if (single) {
		if (k < 85)
			return 0xffffffff00000000ULL | gen_f32(r);
		return k < 93 ? gen_unboxed(r) : gen_f64(r);
	}
	return k < 90 ? gen_f64(r) : 0xffffffff00000000ULL | gen_f32(r);
}

static uint64_t gen_freg(Rng *r)
{
	int single = (int)below(r, 2);
	return gen_freg_as(r, single);
}

/* ------------------------------------------------------------ emitter -- */

#define SCRATCH_SIZE 256
#define REGSAVE_F 256
#define REGSAVE_FCSR 512
#define INIT_FCSR 512
#define INIT_MSCRATCH 520
#define INIT_BUF 528

typedef struct {
	Rng r;
	FILE *o;
	uint64_t seq;
	int item;      /* index of the item being generated */
	int nitems;
	int nlab;
	int *lab_target;
	int rvc;       /* current `.option rvc` state */
	int hotx[6];
	int hotf[6];
	int fsingle[32]; /* preferred format of each f register */
} Gen;

__attribute__((format(printf, 2, 3))) static void E(Gen *g, const char *fmt, ...)
{
	va_list ap;
	fputc('\t', g->o);
	va_start(ap, fmt);
	vfprintf(g->o, fmt, ap);
	va_end(ap);
	fputc('\n', g->o);
}

static void need_rvc(Gen *g)
{
	if (!g->rvc) {
		E(g, ".option rvc");
		g->rvc = 1;
	}
}

/* new forward label, placed `skip` items after the current one (clamped to
 * the end of the sequence); returns its id */
static int fwd_label(Gen *g, int skip)
{
	int t = g->item + 1 + skip;
	if (t > g->nitems)
		t = g->nitems;
	g->lab_target[g->nlab] = t;
	return g->nlab++;
}

static void place_labels(Gen *g, int at)
{
	for (int i = 0; i < g->nlab; i++)
		if (g->lab_target[i] == at)
			fprintf(g->o, ".Lq%" PRIu64 "_%d:\n", g->seq, i);
}

#define LAB "%s%" PRIu64 "_%d"
#define LABARG(g, id) ".Lq", (g)->seq, (id)

/* register pickers */
static int px(Gen *g) /* any x register, x0 included */
{
	int k = (int)below(&g->r, 100);
	if (k < 4)
		return 0;
	if (k < 50)
		return g->hotx[below(&g->r, 6)];
	return (int)below(&g->r, 32);
}

static int pxnz(Gen *g) /* x1..x31 */
{
	int x;
	do
		x = px(g);
	while (x == 0);
	return x;
}

static int pxd(Gen *g) /* destination: mostly nonzero */
{
	return chance(&g->r, 3) ? 0 : pxnz(g);
}

static int pxc(Gen *g) /* x8..x15 */
{
	return 8 + (int)below(&g->r, 8);
}

static int pf(Gen *g)
{
	if (chance(&g->r, 50))
		return g->hotf[below(&g->r, 6)];
	return (int)below(&g->r, 32);
}

static int pfc(Gen *g)
{
	return 8 + (int)below(&g->r, 8);
}

/* an f register for an operand of format f ('s' or 'd'): mostly one whose
 * preferred format matches, so that few values decay into canonical NaNs */
static int pff(Gen *g, char f)
{
	int want = f == 's';
	if (chance(&g->r, 85))
		for (int i = 0; i < 8; i++) {
			int x = pf(g);
			if (g->fsingle[x] == want)
				return x;
		}
	return pf(g);
}

/* sometimes read-and-clear fflags into an x register right after an FP op,
 * so that flags are checked per operation and not only once accumulated */
static void maybe_flags(Gen *g)
{
	static const char *const f[] = {"csrrw x%d, fflags, x0", "csrrci x%d, fflags, 31", "frflags x%d"};
	if (!chance(&g->r, 25))
		return;
	const char *o = PICK(&g->r, f);
	int d = pxnz(g);
	E(g, o, d);
}

static const char *rm(Gen *g)
{
	static const char *const m[] = {", rne", ", rtz", ", rdn", ", rup", ", rmm", ", dyn", ""};
	return PICK(&g->r, m);
}

/* byte offset in the scratch buffer for an access of `size` bytes;
 * misaligned only when allowed */
static int pick_addr(Gen *g, int size, int may_misalign)
{
	if (may_misalign && size > 1 && chance(&g->r, 25))
		return (int)below(&g->r, (uint32_t)(SCRATCH_SIZE - size + 1));
	return (int)below(&g->r, (uint32_t)(SCRATCH_SIZE / size)) * size;
}

/* point `rb` at scratch+addr-imm and return imm, so that imm(rb) == addr */
static int set_base(Gen *g, int rb, int addr, int imm_lo, int imm_hi)
{
	int imm = (int)range(&g->r, imm_lo, imm_hi);
	E(g, "la x%d, scratch%+d", rb, addr - imm);
	return imm;
}

static int mem_imm_lo(Gen *g)
{
	return chance(&g->r, 70) ? -64 : -2048;
}

/* ------------------------------------------------------ item generators */
/* Every random draw is made into a local, in program order: the order in
 * which C evaluates function arguments is unspecified, and a seed must give
 * the same program whatever compiler built rvgen. */

static void gen_alu_rr(Gen *g)
{
	static const char *const op[] = {"add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra",
					 "or", "and", "addw", "subw", "sllw", "srlw", "sraw"};
	const char *o = PICK(&g->r, op);
	int d = pxd(g), a = px(g);
	int b = chance(&g->r, 8) ? a : px(g);
	E(g, "%s x%d, x%d, x%d", o, d, a, b);
}

static void gen_alu_imm(Gen *g)
{
	static const char *const op[] = {"addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"};
	static const char *const sh[] = {"slli", "srli", "srai"};
	static const char *const shw[] = {"slliw", "srliw", "sraiw"};
	int k = (int)below(&g->r, 4);
	const char *o = k < 2 ? PICK(&g->r, op) : k == 2 ? PICK(&g->r, sh) : PICK(&g->r, shw);
	int d = pxd(g), a = px(g);
	int64_t imm = k < 2 ? gen_imm12(&g->r) : (int64_t)below(&g->r, k == 2 ? 64 : 32);
	E(g, "%s x%d, x%d, %" PRId64, o, d, a, imm);
}

static uint32_t gen_imm20(Gen *g)
{
	static const uint32_t special[] = {0, 1, 0x80000, 0x7ffff, 0xfffff, 0x7ff, 0x800};
	return chance(&g->r, 30) ? PICK(&g->r, special) : (uint32_t)rnd(&g->r) & 0xfffff;
}

static void gen_upper(Gen *g)
{
	const char *o = chance(&g->r, 60) ? "lui" : "auipc";
	int d = pxd(g);
	uint32_t imm = gen_imm20(g);
	E(g, "%s x%d, 0x%x", o, d, imm);
}

static void gen_li(Gen *g)
{
	int d = pxnz(g);
	int64_t v = (int64_t)gen_int(&g->r);
	E(g, "li x%d, %" PRId64, d, v);
}

static int is_w_op(const char *op)
{
	return op[strlen(op) - 1] == 'w';
}

static void gen_muldiv(Gen *g)
{
	static const char *const mul[] = {"mul", "mulh", "mulhsu", "mulhu", "mulw"};
	static const char *const div[] = {"div", "divu", "rem", "remu", "divw", "divuw", "remw", "remuw"};
	if (chance(&g->r, 40)) {
		const char *o = PICK(&g->r, mul);
		int d = pxd(g), a = px(g);
		int b = chance(&g->r, 10) ? a : px(g);
		E(g, "%s x%d, x%d, x%d", o, d, a, b);
		return;
	}
	const char *o = PICK(&g->r, div);
	int k = (int)below(&g->r, 100);
	if (k < 12) { /* division by zero */
		int d = pxd(g), a = px(g);
		E(g, "%s x%d, x%d, x0", o, d, a);
	} else if (k < 24) { /* signed overflow: INT_MIN / -1 */
		int a = pxnz(g), b;
		do
			b = pxnz(g);
		while (b == a);
		const char *va = "0x8000000000000000";
		if (is_w_op(o))
			va = chance(&g->r, 50) ? "-2147483648" : "0x7fffffff80000000";
		const char *vb = is_w_op(o) && chance(&g->r, 30) ? "0xffffffff" : "-1";
		int d = pxd(g);
		E(g, "li x%d, %s", a, va);
		E(g, "li x%d, %s", b, vb);
		E(g, "%s x%d, x%d, x%d", o, d, a, b);
	} else {
		int d = pxd(g), a = px(g), b = px(g);
		E(g, "%s x%d, x%d, x%d", o, d, a, b);
	}
}

static void gen_bitmanip(Gen *g)
{
	static const char *const rr[] = {"andn", "orn", "xnor", "max", "maxu", "min", "minu", "rol",
					 "ror", "rolw", "rorw", "add.uw", "sh1add", "sh2add", "sh3add",
					 "sh1add.uw", "sh2add.uw", "sh3add.uw"};
	static const char *const un[] = {"clz", "clzw", "ctz", "ctzw", "cpop", "cpopw", "sext.b",
					 "sext.h", "zext.h", "orc.b", "rev8", "zext.w"};
	static const char *const ri[] = {"rori", "roriw", "slli.uw"};
	int k = (int)below(&g->r, 5);
	if (k < 2) {
		const char *o = PICK(&g->r, rr);
		int d = pxd(g), a = px(g);
		int b = chance(&g->r, 8) ? a : px(g);
		E(g, "%s x%d, x%d, x%d", o, d, a, b);
	} else if (k < 4) {
		const char *o = PICK(&g->r, un);
		int d = pxd(g), a = px(g);
		if (!strcmp(o, "ctzw")) {
			/* QEMU 7.2 bug (fixed in 8.0): its ctzw ignores the
			 * zero-extension of rs1, so when bits 31:0 are zero it
			 * returns ctz of all 64 bits instead of 32.  Feed ctzw a
			 * copy of rs1 with bit 32 set (and random bits above):
			 * then both answers agree, and upper bits that must be
			 * ignored are still there. */
			int t = pxnz(g);
			while (t == a)
				t = pxnz(g);
			uint64_t mask = (rnd(&g->r) << 33) | (1ULL << 32);
			E(g, "li x%d, %" PRId64, t, (int64_t)mask);
			E(g, "or x%d, x%d, x%d", t, t, a);
			a = t;
		}
		E(g, "%s x%d, x%d", o, d, a);
	} else {
		const char *o = PICK(&g->r, ri);
		int d = pxd(g), a = px(g);
		uint32_t sh = below(&g->r, strcmp(o, "roriw") ? 64 : 32);
		E(g, "%s x%d, x%d, %u", o, d, a, sh);
	}
}

static void gen_load_store(Gen *g)
{
	static const struct {
		const char *op;
		int size, store;
	} ops[] = {
		{"lb", 1, 0}, {"lh", 2, 0}, {"lw", 4, 0}, {"ld", 8, 0}, {"lbu", 1, 0},
		{"lhu", 2, 0}, {"lwu", 4, 0}, {"sb", 1, 1}, {"sh", 2, 1}, {"sw", 4, 1}, {"sd", 8, 1},
	};
	int i = (int)below(&g->r, NELEM(ops));
	int rb = pxnz(g);
	int addr = pick_addr(g, ops[i].size, 1);
	int lo = mem_imm_lo(g);
	int hi = chance(&g->r, 70) ? 64 : 2047;
	int imm = set_base(g, rb, addr, lo, hi);
	int rv = ops[i].store ? px(g) : pxd(g);
	E(g, "%s x%d, %d(x%d)", ops[i].op, rv, imm, rb);
}

static void gen_fp_mem(Gen *g)
{
	static const char *const op[] = {"flw", "fsw", "fld", "fsd"};
	int i = (int)below(&g->r, 4);
	int size = i < 2 ? 4 : 8;
	int rb = pxnz(g);
	int addr = chance(&g->r, 60) ? pick_addr(g, size, 0) : pick_addr(g, size, 1);
	int lo = mem_imm_lo(g);
	int imm = set_base(g, rb, addr, lo, 64);
	int f = pff(g, size == 4 ? 's' : 'd');
	E(g, "%s f%d, %d(x%d)", op[i], f, imm, rb);
}

static const char *aqrl(Gen *g)
{
	static const char *const s[] = {"", ".aq", ".rl", ".aqrl"};
	return PICK(&g->r, s);
}

static void gen_amo(Gen *g)
{
	static const char *const op[] = {"amoswap", "amoadd", "amoxor", "amoand", "amoor",
					 "amomin", "amomax", "amominu", "amomaxu"};
	const char *o = PICK(&g->r, op);
	int dbl = chance(&g->r, 50);
	const char *ord = aqrl(g);
	int rb = pxnz(g);
	int addr = pick_addr(g, dbl ? 8 : 4, 0);
	int d = pxd(g), s = px(g);
	E(g, "la x%d, scratch+%d", rb, addr);
	E(g, "%s.%c%s x%d, x%d, (x%d)", o, dbl ? 'd' : 'w', ord, d, s, rb);
}

/* lr immediately followed by sc to the same address: must succeed */
static void gen_lrsc(Gen *g)
{
	int dbl = chance(&g->r, 50);
	int rb = pxnz(g), rd;
	do
		rd = pxd(g);
	while (rd == rb);
	int addr = pick_addr(g, dbl ? 8 : 4, 0);
	const char *o1 = aqrl(g), *o2 = aqrl(g);
	int d2 = pxd(g), s = px(g);
	E(g, "la x%d, scratch+%d", rb, addr);
	E(g, "lr.%c%s x%d, (x%d)", dbl ? 'd' : 'w', o1, rd, rb);
	E(g, "sc.%c%s x%d, x%d, (x%d)", dbl ? 'd' : 'w', o2, d2, s, rb);
}

static int skip_len(Gen *g)
{
	int n = (int)below(&g->r, 4);
	if (chance(&g->r, 15))
		n += (int)below(&g->r, 8);
	return n;
}

static void gen_branch(Gen *g)
{
	static const char *const op[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
	if (chance(&g->r, 20)) {
		/* c.beqz/c.bnez reach only +-256 bytes: skip at most 3 items */
		int l = fwd_label(g, (int)below(&g->r, 4));
		const char *o = chance(&g->r, 50) ? "c.beqz" : "c.bnez";
		int a = pxc(g);
		need_rvc(g);
		E(g, "%s x%d, " LAB, o, a, LABARG(g, l));
		return;
	}
	int l = fwd_label(g, skip_len(g));
	const char *o = PICK(&g->r, op);
	int a = px(g);
	int b = chance(&g->r, 10) ? a : px(g);
	E(g, "%s x%d, x%d, " LAB, o, a, b, LABARG(g, l));
}

static void gen_jump(Gen *g)
{
	int l = fwd_label(g, skip_len(g));
	int rx = pxnz(g);
	int k = (int)below(&g->r, 6);
	if (k < 2) {
		int d = pxd(g);
		E(g, "jal x%d, " LAB, d, LABARG(g, l));
	} else if (k == 2) {
		need_rvc(g);
		E(g, "c.j " LAB, LABARG(g, l));
	} else if (k == 3) {
		int off = chance(&g->r, 50) ? 0 : (int)range(&g->r, -2048, 2047);
		int odd = chance(&g->r, 25); /* jalr clears bit 0 of the target */
		int d = pxd(g);
		E(g, "la x%d, " LAB "%+d", rx, LABARG(g, l), odd - off);
		E(g, "jalr x%d, %d(x%d)", d, off, rx);
	} else {
		const char *o = chance(&g->r, 50) ? "c.jr" : "c.jalr";
		E(g, "la x%d, " LAB, rx, LABARG(g, l));
		need_rvc(g);
		E(g, "%s x%d", o, rx);
	}
}

static char fmt_sd(Gen *g)
{
	return chance(&g->r, 50) ? 's' : 'd';
}

static void gen_fp_arith(Gen *g)
{
	static const char *const op[] = {"fadd", "fsub", "fmul", "fdiv"};
	char f = fmt_sd(g);
	if (chance(&g->r, 15)) {
		int d = pff(g, f), a = pff(g, f);
		const char *m = rm(g);
		E(g, "fsqrt.%c f%d, f%d%s", f, d, a, m);
	} else {
		const char *o = PICK(&g->r, op);
		int d = pff(g, f), a = pff(g, f);
		int b = chance(&g->r, 8) ? a : pff(g, f);
		const char *m = rm(g);
		E(g, "%s.%c f%d, f%d, f%d%s", o, f, d, a, b, m);
	}
	maybe_flags(g);
}

static void gen_fp_fma(Gen *g)
{
	static const char *const op[] = {"fmadd", "fmsub", "fnmadd", "fnmsub"};
	const char *o = PICK(&g->r, op);
	char f = fmt_sd(g);
	int d = pff(g, f), a = pff(g, f), b = pff(g, f), c = pff(g, f);
	const char *m = rm(g);
	E(g, "%s.%c f%d, f%d, f%d, f%d%s", o, f, d, a, b, c, m);
	maybe_flags(g);
}

static void gen_fp_misc(Gen *g)
{
	static const char *const ff[] = {"fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx"};
	static const char *const cmp[] = {"feq", "flt", "fle"};
	static const char *const un[] = {"fmv", "fabs", "fneg"};
	char f = fmt_sd(g);
	int a = pff(g, f);
	int k = (int)below(&g->r, 8);
	if (k < 3) {
		const char *o = PICK(&g->r, ff);
		int d = pff(g, f);
		int b = chance(&g->r, 15) ? a : pff(g, f);
		E(g, "%s.%c f%d, f%d, f%d", o, f, d, a, b);
	} else if (k < 5) {
		const char *o = PICK(&g->r, cmp);
		int d = pxd(g);
		int b = chance(&g->r, 15) ? a : pff(g, f);
		E(g, "%s.%c x%d, f%d, f%d", o, f, d, a, b);
	} else if (k < 7) {
		int d = pxd(g);
		E(g, "fclass.%c x%d, f%d", f, d, a);
	} else {
		const char *o = PICK(&g->r, un);
		int d = pff(g, f);
		E(g, "%s.%c f%d, f%d", o, f, d, a);
	}
	maybe_flags(g);
}

static void gen_fp_mv(Gen *g)
{
	int k = (int)below(&g->r, 4);
	if (k < 2) {
		int d = pxd(g), a = pff(g, k ? 'd' : 's');
		E(g, "fmv.x.%c x%d, f%d", k ? 'd' : 'w', d, a);
	} else {
		int d = pff(g, k == 3 ? 'd' : 's'), a = px(g);
		E(g, "fmv.%c.x f%d, x%d", k == 3 ? 'd' : 'w', d, a);
	}
}

/* load a fresh special value into an f register */
static void gen_fp_special(Gen *g)
{
	int t = pxnz(g);
	int single = (int)below(&g->r, 2);
	uint64_t v = gen_freg_as(&g->r, single);
	int d = pff(g, single ? 's' : 'd');
	E(g, "li x%d, 0x%016" PRIx64, t, v);
	E(g, "fmv.d.x f%d, x%d", d, t);
}

static void gen_fp_cvt(Gen *g)
{
	static const char *const ints[] = {"w", "wu", "l", "lu"};
	const char *i = PICK(&g->r, ints);
	char f = fmt_sd(g);
	int k = (int)below(&g->r, 5);
	if (k < 2) {
		int d = pxd(g), a = pff(g, f);
		const char *m = rm(g);
		E(g, "fcvt.%s.%c x%d, f%d%s", i, f, d, a, m);
	} else if (k < 4) {
		int d = pff(g, f), a = px(g);
		if (f == 'd' && i[0] == 'w') { /* exact: no rounding-mode operand */
			E(g, "fcvt.d.%s f%d, x%d", i, d, a);
		} else {
			const char *m = rm(g);
			E(g, "fcvt.%c.%s f%d, x%d%s", f, i, d, a, m);
		}
	} else if (f == 's') {
		int d = pff(g, 's'), a = pff(g, 'd');
		const char *m = rm(g);
		E(g, "fcvt.s.d f%d, f%d%s", d, a, m);
	} else {
		int d = pff(g, 'd'), a = pff(g, 's');
		E(g, "fcvt.d.s f%d, f%d", d, a);
	}
	maybe_flags(g);
}

/* CSR ops on fflags/frm/fcsr/mscratch.  frm must stay in 0..4 (5..7 would
 * make dynamic-rounding FP instructions trap), so writes that could set an
 * invalid frm use a register loaded with a known-good value. */
static void gen_csr(Gen *g)
{
	static const char *const csrs[] = {"fflags", "frm", "fcsr", "mscratch"};
	static const char *const names[] = {"csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"};
	const char *csr = PICK(&g->r, csrs);
	int is_frm = !strcmp(csr, "frm"), is_fcsr = !strcmp(csr, "fcsr");
	int frm_shift = is_frm ? 0 : 5;
	int op = (int)below(&g->r, 8);
	int rd = pxd(g);

	if (op >= 6) { /* plain read */
		E(g, "csrr x%d, %s", rd == 0 ? 1 : rd, csr);
		return;
	}
	if (op < 3) {
		int rs = px(g);
		if ((is_frm || is_fcsr) && op != 2) {
			uint64_t v = gen_int(&g->r);
			uint64_t field = op == 0 ? below(&g->r, 5) : 0;
			v = (v & ~(7ULL << frm_shift)) | (field << frm_shift);
			if (rs == 0)
				rs = pxnz(g);
			E(g, "li x%d, %" PRId64, rs, (int64_t)v);
		}
		E(g, "%s x%d, %s, x%d", names[op], rd, csr, rs);
		return;
	}
	uint32_t u = below(&g->r, 32);
	if (is_frm) {
		if (op == 3)
			u = (u & ~7U) | below(&g->r, 5);
		else if (op == 4)
			u &= ~7U;
	}
	/* fcsr: csrrwi writes frm=0 and csrrsi only touches fflags: always valid */
	E(g, "%s x%d, %s, %u", names[op], rd, csr, u);
}

static int c_nzimm6(Gen *g)
{
	return chance(&g->r, 50) ? (int)range(&g->r, 1, 31) : (int)range(&g->r, -32, -1);
}

/* offset for a compressed load/store of `size` bytes at scratch+addr,
 * at most `max` */
static int c_off(Gen *g, int addr, int size, int max)
{
	int off = (int)below(&g->r, (uint32_t)(addr / size + 1)) * size;
	return off > max ? 0 : off;
}

static void gen_compressed(Gen *g)
{
	static const char *const cab[] = {"c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"};
	static const char *const csp[] = {"c.lwsp", "c.ldsp", "c.fldsp", "c.swsp", "c.sdsp", "c.fsdsp"};
	need_rvc(g);
	int k = (int)below(&g->r, 26);
	int d = pxnz(g);
	if (k == 0) {
		E(g, "c.addi x%d, %d", d, c_nzimm6(g));
	} else if (k == 1) {
		E(g, "c.addiw x%d, %d", d, (int)range(&g->r, -32, 31));
	} else if (k == 2) {
		E(g, "c.li x%d, %d", d, (int)range(&g->r, -32, 31));
	} else if (k == 3) {
		unsigned imm = chance(&g->r, 50) ? (unsigned)range(&g->r, 1, 31) : (unsigned)range(&g->r, 0xfffe0, 0xfffff);
		E(g, "c.lui x%d, 0x%x", d == 2 ? 1 : d, imm);
	} else if (k == 4) {
		E(g, "c.slli x%d, %d", d, (int)range(&g->r, 1, 63));
	} else if (k == 5 || k == 6) {
		int c = pxc(g);
		E(g, "%s x%d, %d", k == 5 ? "c.srli" : "c.srai", c, (int)range(&g->r, 1, 63));
	} else if (k == 7) {
		int c = pxc(g);
		E(g, "c.andi x%d, %d", c, (int)range(&g->r, -32, 31));
	} else if (k == 8 || k == 9) {
		int s = pxnz(g);
		E(g, "%s x%d, x%d", k == 8 ? "c.mv" : "c.add", d, s);
	} else if (k == 10 || k == 11) {
		const char *o = PICK(&g->r, cab);
		int a = pxc(g), b = pxc(g);
		E(g, "%s x%d, x%d", o, a, b);
	} else if (k == 12) {
		E(g, "c.addi16sp sp, %d", c_nzimm6(g) * 16);
	} else if (k == 13) {
		int c = pxc(g);
		E(g, "c.addi4spn x%d, sp, %d", c, (int)range(&g->r, 1, 255) * 4);
	} else if (k == 14) {
		E(g, "c.nop");
	} else if (k <= 18) { /* c.lw c.ld c.fld c.sw c.sd c.fsd, base x8-x15 */
		int store = k >= 17;
		int t = (int)below(&g->r, 3), size = t == 0 ? 4 : 8;
		int rb = pxc(g);
		int addr = pick_addr(g, size, 0);
		int off = c_off(g, addr, size, size == 4 ? 124 : 248);
		int v = t == 2 ? pfc(g) : pxc(g);
		E(g, "la x%d, scratch+%d", rb, addr - off);
		if (t == 2)
			E(g, "c.f%s f%d, %d(x%d)", store ? "sd" : "ld", v, off, rb);
		else
			E(g, "c.%c%c x%d, %d(x%d)", store ? 's' : 'l', t ? 'd' : 'w', v, off, rb);
	} else if (k <= 21) { /* sp-relative */
		int t = (int)below(&g->r, 6), size = (t % 3) == 0 ? 4 : 8;
		int addr = pick_addr(g, size, 0);
		int off = c_off(g, addr, size, 504);
		int v = (t == 2 || t == 5) ? pf(g) : t < 3 ? pxnz(g) : px(g);
		E(g, "la sp, scratch+%d", addr - off);
		E(g, "%s %c%d, %d(sp)", csp[t], (t == 2 || t == 5) ? 'f' : 'x', v, off);
	} else { /* let the assembler pick compressed encodings */
		int t = (int)below(&g->r, 5);
		int s = pxnz(g), c1 = pxc(g), c2 = pxc(g);
		int imm = (int)range(&g->r, -32, 31);
		if (t == 0)
			E(g, "add x%d, x%d, x%d", d, d, s);
		else if (t == 1)
			E(g, "addi x%d, x%d, %d", d, d, imm);
		else if (t == 2)
			E(g, "mv x%d, x%d", d, s);
		else if (t == 3)
			E(g, "and x%d, x%d, x%d", c1, c1, c2);
		else
			E(g, "addiw x%d, x%d, %d", d, d, imm);
	}
}

static void gen_fence(Gen *g)
{
	static const char *const f[] = {"fence", "fence rw, rw", "fence r, w", "fence.i", "nop"};
	E(g, "%s", PICK(&g->r, f));
}

typedef struct {
	void (*fn)(Gen *);
	int weight;
} Kind;

static const Kind kinds[] = {
	{gen_alu_rr, 10}, {gen_alu_imm, 10}, {gen_upper, 3}, {gen_li, 3}, {gen_muldiv, 7},
	{gen_bitmanip, 8}, {gen_load_store, 9}, {gen_fp_mem, 3}, {gen_amo, 3}, {gen_lrsc, 2},
	{gen_branch, 4}, {gen_jump, 2}, {gen_fp_arith, 10}, {gen_fp_fma, 5}, {gen_fp_misc, 7},
	{gen_fp_cvt, 9}, {gen_fp_mv, 3}, {gen_fp_special, 3}, {gen_csr, 4}, {gen_compressed, 8},
	{gen_fence, 1},
};

static int no_bitmanip; /* --no-bitmanip: leave out Zba/Zbb */

static int kind_weight(size_t i)
{
	return no_bitmanip && kinds[i].fn == gen_bitmanip ? 0 : kinds[i].weight;
}

static void gen_item(Gen *g)
{
	int total = 0;
	for (size_t i = 0; i < NELEM(kinds); i++)
		total += kind_weight(i);
	int k = (int)below(&g->r, (uint32_t)total);
	for (size_t i = 0; i < NELEM(kinds); i++) {
		if (k < kind_weight(i)) {
			kinds[i].fn(g);
			return;
		}
		k -= kind_weight(i);
	}
}

/* ------------------------------------------------------------- output -- */

static const char *const runtime_asm =
	"\t.option norelax\n"
	"\t.section .text.init,\"ax\",@progbits\n"
	"\t.globl _start\n"
	"_start:\n"
	"\tla sp, stack_top\n"
	"\tla t0, trap_handler\n"
	"\tcsrw mtvec, t0\n"
	"\tli t0, 0x6000\n" /* mstatus.FS = dirty: enable the FPU */
	"\tcsrs mstatus, t0\n"
	"\tcsrwi fcsr, 0\n"
	"\tj sequences\n"
	"\n"
	"# putc(a0): HTIF console write; waits for the host's fromhost reply\n"
	"putc:\n"
	"\tli t0, 0x0101000000000000\n"
	"\tor t0, t0, a0\n"
	"\tla t1, tohost\n"
	"\tsd t0, 0(t1)\n"
	"\tla t1, fromhost\n"
	"1:\tld t2, 0(t1)\n"
	"\tbeqz t2, 1b\n"
	"\tsd zero, 0(t1)\n"
	"\tret\n"
	"\n"
	"# exit(a0): HTIF exit with status a0\n"
	"do_exit:\n"
	"\tslli a0, a0, 1\n"
	"\tori a0, a0, 1\n"
	"\tla t1, tohost\n"
	"\tsd a0, 0(t1)\n"
	"1:\tj 1b\n"
	"\n"
	"puts:\n"
	"\taddi sp, sp, -16\n"
	"\tsd ra, 0(sp)\n"
	"\tsd s0, 8(sp)\n"
	"\tmv s0, a0\n"
	"1:\tlbu a0, 0(s0)\n"
	"\tbeqz a0, 2f\n"
	"\tcall putc\n"
	"\taddi s0, s0, 1\n"
	"\tj 1b\n"
	"2:\tld ra, 0(sp)\n"
	"\tld s0, 8(sp)\n"
	"\taddi sp, sp, 16\n"
	"\tret\n"
	"\n"
	"# puthex(a0): 16 hex digits\n"
	"puthex:\n"
	"\taddi sp, sp, -32\n"
	"\tsd ra, 0(sp)\n"
	"\tsd s0, 8(sp)\n"
	"\tsd s1, 16(sp)\n"
	"\tmv s0, a0\n"
	"\tli s1, 60\n"
	"1:\tsrl a0, s0, s1\n"
	"\tandi a0, a0, 15\n"
	"\tli t0, 10\n"
	"\tblt a0, t0, 2f\n"
	"\taddi a0, a0, 'a' - '0' - 10\n"
	"2:\taddi a0, a0, '0'\n"
	"\tcall putc\n"
	"\taddi s1, s1, -4\n"
	"\tbgez s1, 1b\n"
	"\tld ra, 0(sp)\n"
	"\tld s0, 8(sp)\n"
	"\tld s1, 16(sp)\n"
	"\taddi sp, sp, 32\n"
	"\tret\n"
	"\n"
	"# putdec(a0): unsigned decimal\n"
	"putdec:\n"
	"\taddi sp, sp, -48\n"
	"\tsd ra, 0(sp)\n"
	"\tsd s0, 8(sp)\n"
	"\tsd s1, 16(sp)\n"
	"\taddi s0, sp, 47\n"
	"\tmv s1, s0\n"
	"\tli t0, 10\n"
	"1:\tremu t1, a0, t0\n"
	"\tdivu a0, a0, t0\n"
	"\taddi t1, t1, '0'\n"
	"\taddi s1, s1, -1\n"
	"\tsb t1, 0(s1)\n"
	"\tbnez a0, 1b\n"
	"2:\tlbu a0, 0(s1)\n"
	"\tcall putc\n"
	"\taddi s1, s1, 1\n"
	"\tbne s1, s0, 2b\n"
	"\tld ra, 0(sp)\n"
	"\tld s0, 8(sp)\n"
	"\tld s1, 16(sp)\n"
	"\taddi sp, sp, 48\n"
	"\tret\n"
	"\n"
	"# putreg(a0 = prefix char, a1 = index, a2 = value): \"<c><index> <hex>\\n\"\n"
	"putreg:\n"
	"\taddi sp, sp, -32\n"
	"\tsd ra, 0(sp)\n"
	"\tsd s0, 8(sp)\n"
	"\tsd s1, 16(sp)\n"
	"\tmv s0, a1\n"
	"\tmv s1, a2\n"
	"\tcall putc\n"
	"\tmv a0, s0\n"
	"\tcall putdec\n"
	"\tli a0, ' '\n"
	"\tcall putc\n"
	"\tmv a0, s1\n"
	"\tcall puthex\n"
	"\tli a0, '\\n'\n"
	"\tcall putc\n"
	"\tld ra, 0(sp)\n"
	"\tld s0, 8(sp)\n"
	"\tld s1, 16(sp)\n"
	"\taddi sp, sp, 32\n"
	"\tret\n"
	"\n"
	"# dump_sig(a0 = sequence number): print regsave and the scratch buffer\n"
	"dump_sig:\n"
	"\taddi sp, sp, -32\n"
	"\tsd ra, 0(sp)\n"
	"\tsd s0, 8(sp)\n"
	"\tsd s1, 16(sp)\n"
	"\tmv s0, a0\n"
	"\tla a0, str_seq\n"
	"\tcall puts\n"
	"\tmv a0, s0\n"
	"\tcall putdec\n"
	"\tli a0, '\\n'\n"
	"\tcall putc\n"
	"\tli s1, 1\n"
	"1:\tla t0, regsave\n"
	"\tslli t1, s1, 3\n"
	"\tadd t0, t0, t1\n"
	"\tld a2, 0(t0)\n"
	"\tmv a1, s1\n"
	"\tli a0, 'x'\n"
	"\tcall putreg\n"
	"\taddi s1, s1, 1\n"
	"\tli t0, 32\n"
	"\tbltu s1, t0, 1b\n"
	"\tli s1, 0\n"
	"2:\tla t0, regsave + 256\n"
	"\tslli t1, s1, 3\n"
	"\tadd t0, t0, t1\n"
	"\tld a2, 0(t0)\n"
	"\tmv a1, s1\n"
	"\tli a0, 'f'\n"
	"\tcall putreg\n"
	"\taddi s1, s1, 1\n"
	"\tli t0, 32\n"
	"\tbltu s1, t0, 2b\n"
	"\tla a0, str_fcsr\n"
	"\tcall puts\n"
	"\tla t0, regsave\n"
	"\tld a0, 512(t0)\n"
	"\tcall puthex\n"
	"\tli a0, '\\n'\n"
	"\tcall putc\n"
	"\tli s1, 0\n"
	"3:\tla t0, scratch\n"
	"\tslli t1, s1, 3\n"
	"\tadd t0, t0, t1\n"
	"\tld a2, 0(t0)\n"
	"\tmv a1, s1\n"
	"\tli a0, 'm'\n"
	"\tcall putreg\n"
	"\taddi s1, s1, 1\n"
	"\tli t0, 32\n"
	"\tbltu s1, t0, 3b\n"
	"\tld ra, 0(sp)\n"
	"\tld s0, 8(sp)\n"
	"\tld s1, 16(sp)\n"
	"\taddi sp, sp, 32\n"
	"\tret\n"
	"\n"
	"# any trap is a generator bug: report it and exit with status 3\n"
	"\t.balign 4\n"
	"trap_handler:\n"
	"\tla sp, stack_top\n"
	"\tla a0, str_trap\n"
	"\tcall puts\n"
	"\tcsrr a0, mcause\n"
	"\tcall puthex\n"
	"\tli a0, ' '\n"
	"\tcall putc\n"
	"\tcsrr a0, mepc\n"
	"\tcall puthex\n"
	"\tli a0, ' '\n"
	"\tcall putc\n"
	"\tcsrr a0, mtval\n"
	"\tcall puthex\n"
	"\tli a0, '\\n'\n"
	"\tcall putc\n"
	"\tli a0, 3\n"
	"\tj do_exit\n"
	"\n"
	"\t.section .tohost,\"aw\",@progbits\n"
	"\t.balign 64\n"
	"\t.globl tohost\n"
	"\t.type tohost, @object\n"
	"tohost:\t.dword 0\n"
	"\t.size tohost, 8\n"
	"\t.balign 64\n"
	"\t.globl fromhost\n"
	"\t.type fromhost, @object\n"
	"fromhost:\t.dword 0\n"
	"\t.size fromhost, 8\n"
	"\n"
	"\t.data\n"
	"str_seq:\t.asciz \"seq \"\n"
	"str_fcsr:\t.asciz \"fcsr \"\n"
	"str_end:\t.asciz \"end\\n\"\n"
	"str_trap:\t.asciz \"TRAP \"\n"
	"\t.balign 256\n"
	"scratch:\t.zero 256\n"
	"regsave:\t.zero 520\n"
	"\t.balign 16\n"
	"stack:\t.zero 4096\n"
	"stack_top:\n"
	"\n"
	"\t.text\n"
	"sequences:\n";

static void gen_sequence(FILE *o, uint64_t seed, uint64_t seq, int length)
{
	Gen g;
	memset(&g, 0, sizeof g);
	rng_seed(&g.r, seed, seq);
	g.o = o;
	g.seq = seq;
	g.nitems = length;
	g.lab_target = calloc((size_t)length + 1, sizeof *g.lab_target);
	if (!g.lab_target) {
		perror("rvgen");
		exit(1);
	}
	for (int i = 0; i < 6; i++) {
		g.hotx[i] = 1 + (int)below(&g.r, 31);
		g.hotf[i] = (int)below(&g.r, 32);
	}
	for (int i = 0; i < 32; i++)
		g.fsingle[i] = (int)below(&g.r, 2);

	fprintf(o, "\n# ==== sequence %" PRIu64 " begin ====\n", seq);
	/* initial state table */
	fprintf(o, "\t.data\n\t.balign 8\n.Linit%" PRIu64 ":\n", seq);
	fprintf(o, "\t.dword 0 # x0 (unused)\n");
	for (int i = 1; i < 32; i++)
		fprintf(o, "\t.dword 0x%016" PRIx64 " # x%d\n", gen_int(&g.r), i);
	for (int i = 0; i < 32; i++)
		fprintf(o, "\t.dword 0x%016" PRIx64 " # f%d\n", gen_freg_as(&g.r, g.fsingle[i]), i);
	/* mostly clear flags, so that the final fflags say something */
	uint64_t fcsr = (uint64_t)below(&g.r, 5) << 5;
	if (chance(&g.r, 30))
		fcsr |= rnd(&g.r) & 0x1f;
	fprintf(o, "\t.dword 0x%016" PRIx64 " # fcsr\n", fcsr);
	fprintf(o, "\t.dword 0x%016" PRIx64 " # mscratch\n", gen_int(&g.r));
	for (int i = 0; i < SCRATCH_SIZE / 8; i++)
		fprintf(o, "\t.dword 0x%016" PRIx64 " # m%d\n",
			chance(&g.r, 30) ? gen_freg(&g.r) : gen_int(&g.r), i);

	/* load the state */
	fprintf(o, "\t.text\n\t.option rvc\nseq%" PRIu64 ":\n", seq);
	E(&g, "la x31, .Linit%" PRIu64, seq);
	E(&g, "la x1, scratch");
	E(&g, "addi x2, x31, %d", INIT_BUF);
	E(&g, "li x3, %d", SCRATCH_SIZE / 8);
	fprintf(o, "1:\tld x4, 0(x2)\n");
	E(&g, "sd x4, 0(x1)");
	E(&g, "addi x1, x1, 8");
	E(&g, "addi x2, x2, 8");
	E(&g, "addi x3, x3, -1");
	E(&g, "bnez x3, 1b");
	E(&g, "ld x1, %d(x31)", INIT_FCSR);
	E(&g, "fscsr x1");
	E(&g, "ld x1, %d(x31)", INIT_MSCRATCH);
	E(&g, "csrw mscratch, x1");
	for (int i = 0; i < 32; i++)
		E(&g, "fld f%d, %d(x31)", i, 256 + 8 * i);
	for (int i = 1; i < 32; i++)
		E(&g, "ld x%d, %d(x31)", i, 8 * i);

	/* the random body */
	g.rvc = 1;
	fprintf(o, "# body\n");
	for (g.item = 0; g.item < length; g.item++) {
		place_labels(&g, g.item);
		fprintf(o, "# item %d\n", g.item);
		if (chance(&g.r, 4)) {
			g.rvc = !g.rvc;
			E(&g, ".option %s", g.rvc ? "rvc" : "norvc");
		}
		gen_item(&g);
	}
	place_labels(&g, length);
	fprintf(o, "# end of body\n");
	E(&g, ".option rvc");

	/* save the state and print the signature */
	E(&g, "csrw mscratch, x1");
	E(&g, "la x1, regsave");
	for (int i = 2; i < 32; i++)
		E(&g, "sd x%d, %d(x1)", i, 8 * i);
	E(&g, "csrr x2, mscratch");
	E(&g, "sd x2, 8(x1)");
	for (int i = 0; i < 32; i++)
		E(&g, "fsd f%d, %d(x1)", i, REGSAVE_F + 8 * i);
	E(&g, "frcsr x2");
	E(&g, "sd x2, %d(x1)", REGSAVE_FCSR);
	E(&g, "la sp, stack_top");
	E(&g, "li a0, %" PRIu64, seq);
	E(&g, "call dump_sig");
	fprintf(o, "# ==== sequence %" PRIu64 " end ====\n", seq);
	free(g.lab_target);
}

static void usage(void)
{
	fprintf(stderr, "usage: rvgen --seed S --sequences K --length L [--first F] [--no-bitmanip] -o out.S\n");
	exit(2);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	if (!s || !*s)
		usage();
	unsigned long long v = strtoull(s, &end, 0);
	if (*end)
		usage();
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	uint64_t seed = 1, nseq = 10, length = 100, first = 0;
	const char *out = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--seed"))
			seed = parse_u64(v), i++;
		else if (!strcmp(a, "--sequences"))
			nseq = parse_u64(v), i++;
		else if (!strcmp(a, "--length"))
			length = parse_u64(v), i++;
		else if (!strcmp(a, "--first"))
			first = parse_u64(v), i++;
		else if (!strcmp(a, "--no-bitmanip"))
			no_bitmanip = 1;
		else if (!strcmp(a, "-o"))
			out = v, i++;
		else
			usage();
	}
	if (!out || length < 1 || length > 100000 || nseq < 1 || nseq > 100000)
		usage();
	FILE *o = strcmp(out, "-") ? fopen(out, "w") : stdout;
	if (!o) {
		perror(out);
		return 1;
	}
	fprintf(o, "# generated by: rvgen --seed %" PRIu64 " --first %" PRIu64 " --sequences %" PRIu64
		   " --length %" PRIu64 "\n",
		seed, first, nseq, length);
	fputs(runtime_asm, o);
	for (uint64_t s = first; s < first + nseq; s++)
		gen_sequence(o, seed, s, (int)length);
	fprintf(o, "\n# all sequences done\n\tla a0, str_end\n\tcall puts\n\tli a0, 0\n\tj do_exit\n");
	if (o != stdout && fclose(o)) {
		perror(out);
		return 1;
	}
	return 0;
}
