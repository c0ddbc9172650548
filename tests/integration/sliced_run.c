/* sliced_run.c — vm_run may stop anywhere (an instruction budget, a debugger) and go on with
 * exactly the same interleaving of harts: a 2-hart Linux boot run in one call and in many
 * calls of odd sizes must end identically (console output, icount of every hart, exit). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vm.h"

struct captured {
    char *text;
    size_t len, cap;
};

static void capture(void *ctx, const uint8_t *bytes, size_t len)
{
    struct captured *c = ctx;
    if (c->len + len + 1 > c->cap) {
        c->cap = (c->len + len + 1) * 2;
        c->text = realloc(c->text, c->cap);
        if (!c->text)
            exit(2);
    }
    memcpy(c->text + c->len, bytes, len);
    c->len += len;
    c->text[c->len] = 0;
}

/* A fixed outside world: the same wall clock and entropy every time, no console input. */
static uint64_t fixed_clock(void *ctx, struct vm *vm)
{
    (void)ctx;
    (void)vm;
    return 1767225600ull * 1000000000ull; /* 2026-01-01 */
}

static void fixed_entropy(void *ctx, struct vm *vm, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)vm;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
}

static struct vm *boot(const char *image, const char *initrd, struct captured *out)
{
    char err[256];
    struct vm_config cfg = { .ram_size = 128ull << 20, .num_harts = 2, .console_write = capture,
                             .console_ctx = out,
                             .gate = { .wall_clock_ns = fixed_clock, .entropy = fixed_entropy } };
    struct vm *vm = vm_create(&cfg, err, sizeof(err));
    if (!vm || vm_load_kernel(vm, image, initrd, "console=ttyS0", err, sizeof(err))) {
        fprintf(stderr, "sliced_run: %s\n", err);
        exit(2);
    }
    return vm;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sliced_run Image initramfs\n");
        return 2;
    }
    struct captured whole = { 0 }, sliced = { 0 };
    struct vm *a = boot(argv[1], argv[2], &whole);
    struct vm_exit ea;
    vm_run(a, 400000000, &ea);

    struct vm *b = boot(argv[1], argv[2], &sliced);
    struct vm_exit eb;
    uint64_t seed = 12345, calls = 0;
    do {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t n = 1 + (seed >> 33) % 150000;
        vm_run(b, n, &eb);
        calls++;
    } while (eb.reason == VM_EXIT_INSN_LIMIT && vm_icount(b) < 400000000);

    int failed = 0;
    if (ea.reason != VM_EXIT_GUEST || ea.exit_code != 0 || !strstr(whole.text ? whole.text : "",
                                                                       "all checks passed")) {
        printf("FAIL: the reference boot did not pass (reason %d)\n", ea.reason);
        failed++;
    }
    if (eb.reason != ea.reason || eb.exit_code != ea.exit_code || eb.icount != ea.icount) {
        printf("FAIL: sliced run ended differently: reason %d/%d icount %" PRIu64 "/%" PRIu64 "\n",
               eb.reason, ea.reason, eb.icount, ea.icount);
        failed++;
    }
    for (unsigned i = 0; i < 2; i++)
        if (vm_hart(a, i)->icount != vm_hart(b, i)->icount || vm_hart(a, i)->pc != vm_hart(b, i)->pc) {
            printf("FAIL: hart %u differs: icount %" PRIu64 "/%" PRIu64 "\n", i,
                   vm_hart(b, i)->icount, vm_hart(a, i)->icount);
            failed++;
        }
    if (whole.len != sliced.len || memcmp(whole.text, sliced.text, whole.len)) {
        printf("FAIL: console output differs (%zu vs %zu bytes)\n", sliced.len, whole.len);
        failed++;
    }
    printf("sliced_run: %" PRIu64 " calls, %" PRIu64 " instructions; %d passed, %d failed\n",
           calls, eb.icount, failed ? 0 : 1, failed);
    vm_destroy(a);
    vm_destroy(b);
    free(whole.text);
    free(sliced.text);
    return failed != 0;
}
