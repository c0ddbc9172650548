/* test_sbi.c — the built-in SBI against the SBI specification v2.0: a fake machine
 * (struct sbi_host) records every call, a real hart on a bus with a little RAM makes the
 * ecalls (a7 = EID, a6 = FID, a0..a5 = arguments; a0 = error, a1 = value on return). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/bus.h"
#include "vmm/cpu/code_cache.h"
#include "vmm/cpu/hart.h"
#include "vmm/sbi.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (64u << 10)
#define NHARTS 4
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

/* SBI v2.0 error codes (chapter 3, table "Standard SBI Errors") */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

/* extension IDs */
#define EID_BASE 0x10
#define EID_TIME 0x54494d45
#define EID_IPI 0x735049
#define EID_RFENCE 0x52464e43
#define EID_HSM 0x48534d
#define EID_SRST 0x53525354
#define EID_DBCN 0x4442434e
#define EID_PMU 0x504d55
#define EID_SUSP 0x53555350
#define EID_LEGACY_SET_TIMER 0x00
#define EID_LEGACY_PUTCHAR 0x01
#define EID_LEGACY_GETCHAR 0x02
#define EID_LEGACY_CLEAR_IPI 0x03
#define EID_LEGACY_SEND_IPI 0x04
#define EID_LEGACY_FENCE_I 0x05
#define EID_LEGACY_SFENCE_VMA 0x06
#define EID_LEGACY_SFENCE_VMA_ASID 0x07
#define EID_LEGACY_SHUTDOWN 0x08

/* ---- the fake machine ---- */

struct fake {
    struct bus bus;
    uint8_t *ram;
    struct code_cache *cc;
    struct hart *h;          /* the calling hart */
    struct sbi_host host;

    unsigned calls;          /* every host callback except hart()/hart_state() */
    unsigned timer_calls, timer_hart;
    uint64_t timer_value;
    unsigned ipis[NHARTS], ipi_calls;
    unsigned sfences[NHARTS], sfence_calls;
    uint8_t console[16384];
    size_t console_len;
    unsigned console_calls;
    uint8_t input[64];
    size_t input_head, input_len;
    enum sbi_hart_state state[NHARTS];
    unsigned start_calls, start_hart;
    uint64_t start_addr, start_opaque;
    unsigned stop_calls, stop_hart;
    unsigned reset_calls;
    uint32_t reset_type, reset_reason;
};

static struct hart *f_hart(void *ctx, unsigned id)
{
    struct fake *f = ctx;
    return id == f->h->mhartid ? f->h : NULL;
}

static void f_set_timer(void *ctx, unsigned hart, uint64_t v)
{
    struct fake *f = ctx;
    f->calls++;
    f->timer_calls++;
    f->timer_hart = hart;
    f->timer_value = v;
}

static void f_send_ipi(void *ctx, unsigned hart)
{
    struct fake *f = ctx;
    assert_true(hart < NHARTS);
    f->calls++;
    f->ipi_calls++;
    f->ipis[hart]++;
}

static void f_remote_sfence(void *ctx, unsigned hart)
{
    struct fake *f = ctx;
    assert_true(hart < NHARTS);
    f->calls++;
    f->sfence_calls++;
    f->sfences[hart]++;
}

static void f_console_write(void *ctx, const uint8_t *bytes, size_t len)
{
    struct fake *f = ctx;
    assert_true(f->console_len + len <= sizeof(f->console));
    f->calls++;
    f->console_calls++;
    memcpy(f->console + f->console_len, bytes, len);
    f->console_len += len;
}

static int f_console_read(void *ctx)
{
    struct fake *f = ctx;
    f->calls++;
    if (f->input_head == f->input_len)
        return -1;
    return f->input[f->input_head++];
}

static enum sbi_hart_state f_hart_state(void *ctx, unsigned hart)
{
    struct fake *f = ctx;
    assert_true(hart < NHARTS);
    return f->state[hart];
}

static void f_hart_start(void *ctx, unsigned hart, uint64_t addr, uint64_t opaque)
{
    struct fake *f = ctx;
    assert_true(hart < NHARTS);
    f->calls++;
    f->start_calls++;
    f->start_hart = hart;
    f->start_addr = addr;
    f->start_opaque = opaque;
    f->state[hart] = SBI_HART_START_PENDING;
}

static void f_hart_stop(void *ctx, unsigned hart)
{
    struct fake *f = ctx;
    f->calls++;
    f->stop_calls++;
    f->stop_hart = hart;
    f->state[hart] = SBI_HART_STOPPED;
}

static void f_system_reset(void *ctx, uint32_t type, uint32_t reason)
{
    struct fake *f = ctx;
    f->calls++;
    f->reset_calls++;
    f->reset_type = type;
    f->reset_reason = reason;
}

/* A machine of NHARTS harts; the calling hart is `self`, in S-mode with satp = 0. */
static struct fake *fake_new(unsigned self)
{
    struct fake *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->ram = calloc(1, RAM_SIZE);
    assert_non_null(f->ram);
    bus_init(&f->bus);
    assert_int_equal(bus_add_ram(&f->bus, "ram", RAM_BASE, RAM_SIZE, f->ram), 0);
    f->cc = code_cache_create(RAM_BASE, RAM_SIZE);
    assert_non_null(f->cc);
    f->h = calloc(1, sizeof(*f->h));
    assert_non_null(f->h);
    hart_init(f->h, self, &f->bus, f->cc, (struct hart_platform){ 0 });
    hart_reset(f->h, RAM_BASE);
    /* PMP entry 0: NAPOT over everything, RWX, so S-mode may touch memory (as the VM sets it) */
    assert_int_equal(hart_csr_write(f->h, 0x3b0, (1ull << 54) - 1), 0);
    assert_int_equal(hart_csr_write(f->h, 0x3a0, 0x1f), 0);
    f->h->priv = PRIV_S;
    hart_update_dmode(f->h);
    for (unsigned i = 0; i < NHARTS; i++)
        f->state[i] = i == self ? SBI_HART_STARTED : SBI_HART_STOPPED;
    f->host = (struct sbi_host){
        .num_harts = NHARTS, .hart = f_hart, .set_timer = f_set_timer,
        .send_ipi = f_send_ipi, .remote_sfence = f_remote_sfence,
        .console_write = f_console_write, .console_read = f_console_read,
        .hart_state = f_hart_state, .hart_start = f_hart_start, .hart_stop = f_hart_stop,
        .system_reset = f_system_reset, .bus = &f->bus, .ctx = f,
    };
    return f;
}

static void fake_free(struct fake *f)
{
    code_cache_destroy(f->cc);
    free(f->h);
    free(f->ram);
    free(f);
}

static int setup(void **state)
{
    *state = fake_new(0);
    return 0;
}

static int teardown(void **state)
{
    fake_free(*state);
    return 0;
}

static void pending_input(struct fake *f, const char *s)
{
    size_t n = strlen(s);
    assert_true(n <= sizeof(f->input));
    memcpy(f->input, s, n);
    f->input_head = 0;
    f->input_len = n;
}

/* Make an SBI call from the hart; returns sbiret.error, *value gets sbiret.value. */
static int64_t sbi(struct fake *f, uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
                   uint64_t a2, uint64_t a3, uint64_t *value)
{
    struct hart *h = f->h;
    h->x[17] = eid;
    h->x[16] = fid;
    h->x[10] = a0;
    h->x[11] = a1;
    h->x[12] = a2;
    h->x[13] = a3;
    h->x[14] = SENTINEL;
    h->x[15] = SENTINEL;
    uint64_t pc = h->pc;
    assert_true(sbi_handle_ecall(&f->host, h));
    /* the hook does not move the pc (the hart retires the ecall) and only writes a0/a1 */
    assert_int_equal(h->pc, pc);
    assert_int_equal(h->x[17], eid);
    assert_int_equal(h->x[16], fid);
    assert_int_equal(h->x[12], a2);
    assert_int_equal(h->x[13], a3);
    assert_int_equal(h->x[14], SENTINEL);
    assert_int_equal(h->x[15], SENTINEL);
    if (value)
        *value = h->x[11];
    return (int64_t)h->x[10];
}

#define SBI0(f, e, fn, v) sbi(f, e, fn, 0, 0, 0, 0, v)
#define SBI1(f, e, fn, a, v) sbi(f, e, fn, a, 0, 0, 0, v)
#define SBI2(f, e, fn, a, b, v) sbi(f, e, fn, a, b, 0, 0, v)
#define SBI3(f, e, fn, a, b, c, v) sbi(f, e, fn, a, b, c, 0, v)

/* A legacy (v0.1) call: the result is in a0 only; a1 is left alone. */
static int64_t legacy(struct fake *f, uint64_t eid, uint64_t a0)
{
    uint64_t a1;
    int64_t r = sbi(f, eid, 0, a0, SENTINEL, 0, 0, &a1);
    assert_int_equal(a1, SENTINEL);
    return r;
}

/* ---- Base ---- */

static void test_base(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    assert_int_equal(SBI0(f, EID_BASE, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, (2u << 24) | 0u);        /* spec 2.0: major in [30:24], minor [23:0] */
    assert_int_equal(v >> 31, 0);
    assert_int_equal(SBI0(f, EID_BASE, 1, &v), SBI_SUCCESS);
    assert_int_equal(v, SBI_IMPL_ID_REWIND);
    assert_int_equal(SBI0(f, EID_BASE, 2, &v), SBI_SUCCESS);
    for (uint64_t fid = 4; fid <= 6; fid++) {    /* mvendorid, marchid, mimpid */
        v = 1234;
        assert_int_equal(SBI0(f, EID_BASE, fid, &v), SBI_SUCCESS);
        assert_int_equal(v, 0);
    }
    assert_int_equal(SBI0(f, EID_BASE, 7, &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->calls, 0);
}

static void test_probe(void **state)
{
    struct fake *f = *state;
    static const uint64_t present[] = {
        EID_BASE, EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_DBCN,
        EID_LEGACY_SET_TIMER, EID_LEGACY_PUTCHAR, EID_LEGACY_GETCHAR, EID_LEGACY_CLEAR_IPI,
        EID_LEGACY_SEND_IPI, EID_LEGACY_FENCE_I, EID_LEGACY_SFENCE_VMA,
        EID_LEGACY_SFENCE_VMA_ASID, EID_LEGACY_SHUTDOWN,
    };
    static const uint64_t absent[] = {
        0x09, 0x0f, 0x11, EID_PMU, EID_SUSP, 0x43505043 /* CPPC */, 0x12345678,
        0x0a000000 /* experimental */, 0xffffffff, 0x100000000ull | EID_TIME,
    };
    uint64_t v;
    for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
        v = 0;
        assert_int_equal(SBI1(f, EID_BASE, 3, present[i], &v), SBI_SUCCESS);
        if (v == 0)
            fail_msg("probe_extension(%#llx) = 0", (unsigned long long)present[i]);
    }
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
        v = 99;
        assert_int_equal(SBI1(f, EID_BASE, 3, absent[i], &v), SBI_SUCCESS);
        if (v != 0)
            fail_msg("probe_extension(%#llx) = %llu", (unsigned long long)absent[i],
                     (unsigned long long)v);
    }
}

/* ---- TIME ---- */

static void test_time(void **state)
{
    struct fake *f = *state;
    uint64_t v = 7;
    assert_int_equal(SBI1(f, EID_TIME, 0, 0x123456789abcdefull, &v), SBI_SUCCESS);
    assert_int_equal(v, 0);
    assert_int_equal(f->timer_calls, 1);
    assert_int_equal(f->timer_hart, 0);
    assert_int_equal(f->timer_value, 0x123456789abcdefull);
    /* "infinitely far in the future" to cancel */
    assert_int_equal(SBI1(f, EID_TIME, 0, UINT64_MAX, &v), SBI_SUCCESS);
    assert_int_equal(f->timer_value, UINT64_MAX);
    assert_int_equal(f->timer_calls, 2);
    assert_int_equal(SBI1(f, EID_TIME, 1, 5, &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->timer_calls, 2);
}

static void test_time_other_hart(void **state)
{
    (void)state;
    struct fake *f = fake_new(3);
    assert_int_equal(SBI1(f, EID_TIME, 0, 42, NULL), SBI_SUCCESS);
    assert_int_equal(f->timer_hart, 3);
    assert_int_equal(f->timer_value, 42);
    fake_free(f);
}

/* ---- IPI ---- */

static void expect_harts(const unsigned *got, unsigned h0, unsigned h1, unsigned h2, unsigned h3)
{
    assert_int_equal(got[0], h0);
    assert_int_equal(got[1], h1);
    assert_int_equal(got[2], h2);
    assert_int_equal(got[3], h3);
}

static void test_ipi(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x5, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 0);
    expect_harts(f->ipis, 1, 0, 1, 0);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x1, 3, NULL), SBI_SUCCESS);
    expect_harts(f->ipis, 1, 0, 1, 1);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x3, 2, NULL), SBI_SUCCESS);
    expect_harts(f->ipis, 1, 0, 2, 2);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x6, 0, NULL), SBI_SUCCESS);
    expect_harts(f->ipis, 1, 1, 3, 2);
    /* base = -1: hart_mask is ignored, every hart */
    assert_int_equal(SBI2(f, EID_IPI, 0, 0, UINT64_MAX, NULL), SBI_SUCCESS);
    expect_harts(f->ipis, 2, 2, 4, 3);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x1, UINT64_MAX, NULL), SBI_SUCCESS);
    expect_harts(f->ipis, 3, 3, 5, 4);
    /* empty mask: nobody */
    assert_int_equal(SBI2(f, EID_IPI, 0, 0, 0, NULL), SBI_SUCCESS);
    assert_int_equal(f->ipi_calls, 15);
}

static void test_ipi_invalid(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    /* any hart out of range: INVALID_PARAM and no IPI at all, not even to the valid ones */
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x1, NHARTS, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x11, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_IPI, 0, 1ull << 63, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x3, 3, &v), SBI_ERR_INVALID_PARAM);
    /* base + bit wrapping around to a valid id is not valid */
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x4, UINT64_MAX - 1, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_IPI, 0, 0x1, UINT64_MAX - 1, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(f->ipi_calls, 0);
    assert_int_equal(f->calls, 0);
    assert_int_equal(SBI2(f, EID_IPI, 1, 0x1, 0, &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->ipi_calls, 0);
}

/* ---- RFENCE ---- */

static void test_rfence(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    /* remote_sfence_vma(hart_mask, hart_mask_base, start_addr, size) */
    assert_int_equal(sbi(f, EID_RFENCE, 1, 0x6, 0, 0x1000, 0x2000, &v), SBI_SUCCESS);
    assert_int_equal(v, 0);
    expect_harts(f->sfences, 0, 1, 1, 0);
    /* remote_sfence_vma_asid(hart_mask, hart_mask_base, start_addr, size, asid) */
    assert_int_equal(sbi(f, EID_RFENCE, 2, 0x1, 3, 0, UINT64_MAX, &v), SBI_SUCCESS);
    expect_harts(f->sfences, 0, 1, 1, 1);
    assert_int_equal(sbi(f, EID_RFENCE, 1, 0, UINT64_MAX, 0, 0, &v), SBI_SUCCESS);
    expect_harts(f->sfences, 1, 2, 2, 2);
    /* remote_fence_i: succeeds, no TLB work */
    assert_int_equal(SBI2(f, EID_RFENCE, 0, 0xf, 0, &v), SBI_SUCCESS);
    assert_int_equal(f->sfence_calls, 7);
    /* an invalid hart: nothing done */
    assert_int_equal(sbi(f, EID_RFENCE, 1, 0x3, 3, 0, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(sbi(f, EID_RFENCE, 2, 0x10, 0, 0, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_RFENCE, 0, 0x10, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(f->sfence_calls, 7);
    /* hypervisor fences without the H extension: not supported */
    for (uint64_t fid = 3; fid <= 6; fid++)
        assert_int_equal(SBI2(f, EID_RFENCE, fid, 0x1, 0, &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->sfence_calls, 7);
}

/* ---- HSM ---- */

static void test_hsm_start(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    assert_int_equal(SBI3(f, EID_HSM, 0, 2, 0x80200000, 0xfeedfacecafeull, &v), SBI_SUCCESS);
    assert_int_equal(f->start_calls, 1);
    assert_int_equal(f->start_hart, 2);
    assert_int_equal(f->start_addr, 0x80200000);
    assert_int_equal(f->start_opaque, 0xfeedfacecafeull);
    /* a 2-byte aligned start address is fine (C extension) */
    assert_int_equal(SBI3(f, EID_HSM, 0, 3, 0x80200002, 0, &v), SBI_SUCCESS);
    assert_int_equal(f->start_calls, 2);
    assert_int_equal(f->start_hart, 3);
    assert_int_equal(f->start_addr, 0x80200002);
}

static void test_hsm_start_errors(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    /* already started: the caller itself, and a hart that is started */
    assert_int_equal(SBI3(f, EID_HSM, 0, 0, 0x80200000, 0, &v), SBI_ERR_ALREADY_AVAILABLE);
    f->state[1] = SBI_HART_STARTED;
    assert_int_equal(SBI3(f, EID_HSM, 0, 1, 0x80200000, 0, &v), SBI_ERR_ALREADY_AVAILABLE);
    /* odd start address on a stopped hart */
    assert_int_equal(SBI3(f, EID_HSM, 0, 2, 0x80200001, 0, &v), SBI_ERR_INVALID_ADDRESS);
    /* invalid hartids */
    assert_int_equal(SBI3(f, EID_HSM, 0, NHARTS, 0x80200000, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI3(f, EID_HSM, 0, UINT64_MAX, 0x80200000, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI3(f, EID_HSM, 0, 1ull << 32, 0x80200000, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(f->start_calls, 0);
    assert_int_equal(f->calls, 0);
    assert_int_equal(f->state[2], SBI_HART_STOPPED);
}

static void test_hsm_status(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    static const enum sbi_hart_state states[NHARTS] = {
        SBI_HART_STARTED, SBI_HART_STOPPED, SBI_HART_START_PENDING, SBI_HART_SUSPENDED,
    };
    static const uint64_t ids[NHARTS] = { 0, 1, 2, 4 }; /* HSM state ids, spec table 9.1 */
    memcpy(f->state, states, sizeof(states));
    for (unsigned h = 0; h < NHARTS; h++) {
        v = 99;
        assert_int_equal(SBI1(f, EID_HSM, 2, h, &v), SBI_SUCCESS);
        assert_int_equal(v, ids[h]);
    }
    assert_int_equal(SBI1(f, EID_HSM, 2, NHARTS, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI1(f, EID_HSM, 2, UINT64_MAX, &v), SBI_ERR_INVALID_PARAM);
    /* start then status */
    f->state[1] = SBI_HART_STOPPED;
    assert_int_equal(SBI3(f, EID_HSM, 0, 1, 0x80000000, 0, NULL), SBI_SUCCESS);
    assert_int_equal(SBI1(f, EID_HSM, 2, 1, &v), SBI_SUCCESS);
    assert_int_equal(v, SBI_HART_START_PENDING);
}

static void test_hsm_stop(void **state)
{
    (void)state;
    struct fake *f = fake_new(2);
    assert_int_equal(SBI0(f, EID_HSM, 1, NULL), SBI_SUCCESS);
    assert_int_equal(f->stop_calls, 1);
    assert_int_equal(f->stop_hart, 2);  /* the calling hart, not a0 */
    uint64_t v;
    assert_int_equal(SBI1(f, EID_HSM, 2, 2, &v), SBI_SUCCESS);
    assert_int_equal(v, SBI_HART_STOPPED);
    /* and it can be started again by someone else */
    assert_int_equal(SBI3(f, EID_HSM, 0, 2, 0x80001000, 5, NULL), SBI_SUCCESS);
    assert_int_equal(f->start_hart, 2);
    fake_free(f);
}

static void test_hsm_suspend(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    /* default retentive suspend: returns success after an interrupt (wfi) */
    assert_false(f->h->wfi);
    assert_int_equal(SBI3(f, EID_HSM, 3, 0, 0, 0, &v), SBI_SUCCESS);
    assert_true(f->h->wfi);
    f->h->wfi = false;
    /* reserved suspend types: INVALID_PARAM (spec 2.0 §9.4, table 9.9) */
    static const uint64_t reserved[] = { 0x1, 0x0fffffff, 0x80000001, 0x8fffffff };
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        assert_int_equal(SBI3(f, EID_HSM, 3, reserved[i], 0x80000000, 0, &v),
                         SBI_ERR_INVALID_PARAM);
    /* platform-specific types that are not implemented: INVALID_PARAM as well */
    assert_int_equal(SBI3(f, EID_HSM, 3, 0x10000000, 0x80000000, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI3(f, EID_HSM, 3, 0x90000000, 0x80000000, 0, &v), SBI_ERR_INVALID_PARAM);
    /* default non-retentive: not reserved, just not available here */
    int64_t r = SBI3(f, EID_HSM, 3, 0x80000000, 0x80000000, 0, &v);
    assert_true(r == SBI_ERR_NOT_SUPPORTED || r == SBI_ERR_FAILED);
    assert_false(f->h->wfi);
    assert_int_equal(SBI0(f, EID_HSM, 4, &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->calls, 0);
}

/* ---- SRST ---- */

static void test_srst(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    assert_int_equal(SBI2(f, EID_SRST, 0, 0, 0, &v), SBI_SUCCESS);  /* shutdown, no reason */
    assert_int_equal(f->reset_calls, 1);
    assert_int_equal(f->reset_type, 0);
    assert_int_equal(f->reset_reason, 0);
    assert_int_equal(SBI2(f, EID_SRST, 0, 1, 1, &v), SBI_SUCCESS);  /* cold reboot, failure */
    assert_int_equal(f->reset_calls, 2);
    assert_int_equal(f->reset_type, 1);
    assert_int_equal(f->reset_reason, 1);
    assert_int_equal(SBI2(f, EID_SRST, 0, 2, 0, &v), SBI_SUCCESS);  /* warm reboot */
    assert_int_equal(f->reset_calls, 3);
    assert_int_equal(f->reset_type, 2);
    assert_int_equal(f->reset_reason, 0);
}

static void test_srst_invalid(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    /* reserved / unimplemented vendor types, reserved reasons */
    assert_int_equal(SBI2(f, EID_SRST, 0, 3, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_SRST, 0, 0xefffffff, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_SRST, 0, 0xf0000000, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_SRST, 0, 0, 2, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI2(f, EID_SRST, 0, 1, 0xdfffffff, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(f->reset_calls, 0);
    assert_int_equal(SBI2(f, EID_SRST, 1, 0, 0, &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->reset_calls, 0);
    assert_int_equal(f->calls, 0);
}

/* ---- DBCN ---- */

static void test_dbcn_write(void **state)
{
    struct fake *f = *state;
    static const char msg[] = "Hello from S-mode\r\n";
    const size_t n = sizeof(msg) - 1;
    memcpy(f->ram + 0x1000, msg, n);
    uint64_t v = 0;
    assert_int_equal(SBI3(f, EID_DBCN, 0, n, RAM_BASE + 0x1000, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, n);
    assert_int_equal(f->console_len, n);
    assert_memory_equal(f->console, msg, n);
    /* zero bytes: nothing */
    assert_int_equal(SBI3(f, EID_DBCN, 0, 0, RAM_BASE + 0x1000, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 0);
    assert_int_equal(f->console_len, n);
}

static void test_dbcn_write_long(void **state)
{
    struct fake *f = *state;
    const size_t n = 3000; /* several internal chunks */
    for (size_t i = 0; i < n; i++)
        f->ram[0x2000 + i] = (uint8_t)(i * 7 + 3);
    uint64_t v = 0;
    assert_int_equal(SBI3(f, EID_DBCN, 0, n, RAM_BASE + 0x2000, 0, &v), SBI_SUCCESS);
    /* a partial write is allowed, but it must be a prefix and be what value says */
    assert_true(v > 0 && v <= n);
    assert_int_equal(f->console_len, v);
    assert_memory_equal(f->console, f->ram + 0x2000, v);
    assert_int_equal(v, n);
}

static void test_dbcn_write_bad_memory(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    memcpy(f->ram, "ABCDEFGH", 8);
    /* nothing mapped there */
    assert_int_equal(SBI3(f, EID_DBCN, 0, 4, 0x1000, 0, &v), SBI_ERR_INVALID_PARAM);
    /* base_addr_hi holds the upper XLEN bits: 2^64 + RAM_BASE is no memory of ours */
    assert_int_equal(SBI3(f, EID_DBCN, 0, 8, RAM_BASE, 1, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(f->console_len, 0);
    /* running off the end of RAM: at most the bytes that exist */
    memcpy(f->ram + RAM_SIZE - 4, "WXYZ", 4);
    int64_t r = SBI3(f, EID_DBCN, 0, 10, RAM_BASE + RAM_SIZE - 4, 0, &v);
    if (r == SBI_SUCCESS) {
        assert_true(v <= 4);
        assert_int_equal(f->console_len, v);
        assert_memory_equal(f->console, "WXYZ", v);
    } else {
        assert_int_equal(r, SBI_ERR_INVALID_PARAM);
        assert_int_equal(f->console_len, 0);
    }
}

static void test_dbcn_write_byte(void **state)
{
    struct fake *f = *state;
    uint64_t v = 7;
    assert_int_equal(SBI1(f, EID_DBCN, 2, 'X', &v), SBI_SUCCESS);
    assert_int_equal(v, 0);
    assert_int_equal(SBI1(f, EID_DBCN, 2, 0x100 | 'y', &v), SBI_SUCCESS); /* a byte: low 8 bits */
    assert_int_equal(f->console_len, 2);
    assert_memory_equal(f->console, "Xy", 2);
    assert_int_equal(SBI1(f, EID_DBCN, 3, 'z', &v), SBI_ERR_NOT_SUPPORTED);
    assert_int_equal(f->console_len, 2);
}

static void test_dbcn_read(void **state)
{
    struct fake *f = *state;
    uint64_t v = 99;
    memset(f->ram + 0x3000, '.', 16);
    /* nothing waiting: success, 0 bytes, memory untouched */
    assert_int_equal(SBI3(f, EID_DBCN, 1, 8, RAM_BASE + 0x3000, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 0);
    assert_memory_equal(f->ram + 0x3000, "................", 16);
    pending_input(f, "abc");
    assert_int_equal(SBI3(f, EID_DBCN, 1, 8, RAM_BASE + 0x3000, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 3);
    assert_memory_equal(f->ram + 0x3000, "abc.............", 16);
    /* no more than num_bytes; the rest stays pending */
    pending_input(f, "wxyz");
    assert_int_equal(SBI3(f, EID_DBCN, 1, 2, RAM_BASE + 0x3008, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 2);
    assert_memory_equal(f->ram + 0x3000, "abc.....wx......", 16);
    assert_int_equal(SBI3(f, EID_DBCN, 1, 16, RAM_BASE + 0x3004, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 2);
    assert_memory_equal(f->ram + 0x3000, "abc.yz..wx......", 16);
}

static void test_dbcn_read_bad_memory(void **state)
{
    struct fake *f = *state;
    uint64_t v;
    pending_input(f, "q");
    memset(f->ram, '.', 4);
    assert_int_equal(SBI3(f, EID_DBCN, 1, 4, 0x1000, 0, &v), SBI_ERR_INVALID_PARAM);
    assert_int_equal(SBI3(f, EID_DBCN, 1, 4, RAM_BASE, 1, &v), SBI_ERR_INVALID_PARAM);
    assert_memory_equal(f->ram, "....", 4);
    /* the byte is still there for a good call */
    assert_int_equal(SBI3(f, EID_DBCN, 1, 4, RAM_BASE, 0, &v), SBI_SUCCESS);
    assert_int_equal(v, 1);
    assert_memory_equal(f->ram, "q...", 4);
}

/* ---- legacy (v0.1) ---- */

static void test_legacy_console(void **state)
{
    struct fake *f = *state;
    assert_int_equal(legacy(f, EID_LEGACY_PUTCHAR, 'Q'), 0);
    assert_int_equal(f->console_len, 1);
    assert_int_equal(f->console[0], 'Q');
    /* nothing pending: -1 */
    assert_int_equal(legacy(f, EID_LEGACY_GETCHAR, 0), -1);
    pending_input(f, "k\xff");
    assert_int_equal(legacy(f, EID_LEGACY_GETCHAR, 0), 'k');
    assert_int_equal(legacy(f, EID_LEGACY_GETCHAR, 0), 0xff);
    assert_int_equal(legacy(f, EID_LEGACY_GETCHAR, 0), -1);
}

static void test_legacy_timer_and_shutdown(void **state)
{
    struct fake *f = *state;
    assert_int_equal(legacy(f, EID_LEGACY_SET_TIMER, 123456), 0);
    assert_int_equal(f->timer_calls, 1);
    assert_int_equal(f->timer_value, 123456);
    assert_int_equal(f->reset_calls, 0);
    assert_int_equal(legacy(f, EID_LEGACY_SHUTDOWN, 0), 0);
    assert_int_equal(f->reset_calls, 1);
    assert_int_equal(f->reset_type, 0); /* shutdown */
}

static void test_legacy_ipi_fences(void **state)
{
    struct fake *f = *state;
    /* a0 points at an unsigned long hart mask in memory (satp = 0: physical) */
    uint64_t mask = 0xa;
    memcpy(f->ram + 0x4000, &mask, 8);
    assert_int_equal(legacy(f, EID_LEGACY_SEND_IPI, RAM_BASE + 0x4000), 0);
    expect_harts(f->ipis, 0, 1, 0, 1);
    /* NULL: all harts */
    assert_int_equal(legacy(f, EID_LEGACY_SEND_IPI, 0), 0);
    expect_harts(f->ipis, 1, 2, 1, 2);
    assert_int_equal(legacy(f, EID_LEGACY_SFENCE_VMA, RAM_BASE + 0x4000), 0);
    expect_harts(f->sfences, 0, 1, 0, 1);
    assert_int_equal(legacy(f, EID_LEGACY_SFENCE_VMA_ASID, 0), 0);
    expect_harts(f->sfences, 1, 2, 1, 2);
    assert_int_equal(legacy(f, EID_LEGACY_FENCE_I, RAM_BASE + 0x4000), 0);
    assert_int_equal(f->sfence_calls, 6);
    assert_int_equal(f->ipi_calls, 6);
    /* a mask naming a hart that does not exist: an error, no IPI */
    mask = 0x11;
    memcpy(f->ram + 0x4000, &mask, 8);
    assert_true(legacy(f, EID_LEGACY_SEND_IPI, RAM_BASE + 0x4000) < 0);
    assert_int_equal(f->ipi_calls, 6);
    /* clear_ipi clears sip.SSIP */
    hart_set_sw_irq(f->h, MIP_SSIP, true);
    assert_true(f->h->mip & MIP_SSIP);
    assert_int_equal(legacy(f, EID_LEGACY_CLEAR_IPI, 0), 0);
    assert_false(f->h->mip & MIP_SSIP);
}

/* ---- dispatch ---- */

static void test_unknown(void **state)
{
    struct fake *f = *state;
    static const uint64_t eids[] = { EID_PMU, EID_SUSP, 0x09, 0x0f, 0x12345678, 0xffffffff,
                                     0x100000000ull | EID_BASE };
    for (size_t i = 0; i < sizeof(eids) / sizeof(eids[0]); i++) {
        uint64_t v;
        assert_int_equal(SBI1(f, eids[i], 0, 1, &v), SBI_ERR_NOT_SUPPORTED);
    }
    assert_int_equal(f->calls, 0);
}

static void test_not_from_s_mode(void **state)
{
    struct fake *f = *state;
    static const enum priv privs[] = { PRIV_U, PRIV_M };
    for (size_t i = 0; i < 2; i++) {
        struct hart *h = f->h;
        h->priv = privs[i];
        hart_update_dmode(h);
        h->x[17] = EID_LEGACY_PUTCHAR;
        h->x[16] = 0;
        h->x[10] = 'U';
        h->x[11] = SENTINEL;
        assert_false(sbi_handle_ecall(&f->host, h));
        assert_int_equal(h->x[10], 'U');
        assert_int_equal(h->x[11], SENTINEL);
        h->x[17] = EID_BASE;
        h->x[16] = 0;
        h->x[10] = 0;
        assert_false(sbi_handle_ecall(&f->host, h));
        assert_int_equal(h->x[10], 0);
        assert_int_equal(h->x[11], SENTINEL);
        h->x[17] = EID_SRST;
        assert_false(sbi_handle_ecall(&f->host, h));
    }
    assert_int_equal(f->calls, 0);
    assert_int_equal(f->console_len, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_base),
        T(test_probe),
        T(test_time),
        cmocka_unit_test(test_time_other_hart),
        T(test_ipi),
        T(test_ipi_invalid),
        T(test_rfence),
        T(test_hsm_start),
        T(test_hsm_start_errors),
        T(test_hsm_status),
        cmocka_unit_test(test_hsm_stop),
        T(test_hsm_suspend),
        T(test_srst),
        T(test_srst_invalid),
        T(test_dbcn_write),
        T(test_dbcn_write_long),
        T(test_dbcn_write_bad_memory),
        T(test_dbcn_write_byte),
        T(test_dbcn_read),
        T(test_dbcn_read_bad_memory),
        T(test_legacy_console),
        T(test_legacy_timer_and_shutdown),
        T(test_legacy_ipi_fences),
        T(test_unknown),
        T(test_not_from_s_mode),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
