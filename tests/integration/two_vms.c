/* two_vms.c — two machines in one process, run interleaved in small slices, must each end
 * exactly as they do alone (no shared mutable state between VM instances). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vm.h"

struct captured {
    char text[4096];
    size_t len;
};

static void capture(void *ctx, const uint8_t *bytes, size_t len)
{
    struct captured *c = ctx;
    for (size_t i = 0; i < len && c->len + 1 < sizeof(c->text); i++)
        c->text[c->len++] = (char)bytes[i];
    c->text[c->len] = 0;
}

static struct vm *make(const char *path, struct captured *out)
{
    char err[256];
    struct vm_config cfg = { .ram_size = 64ull << 20, .console_write = capture, .console_ctx = out };
    struct vm *vm = vm_create(&cfg, err, sizeof(err));
    if (!vm || vm_load_program(vm, path, err, sizeof(err))) {
        fprintf(stderr, "two_vms: %s\n", err);
        exit(1);
    }
    return vm;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: two_vms A.elf B.elf\n");
        return 2;
    }
    struct captured alone[2] = { 0 }, together[2] = { 0 };
    struct vm_exit ex_alone[2], ex_together[2];
    for (int i = 0; i < 2; i++) {
        struct vm *vm = make(argv[1 + i], &alone[i]);
        vm_run(vm, 0, &ex_alone[i]);
        vm_destroy(vm);
    }
    struct vm *vms[2] = { make(argv[1], &together[0]), make(argv[2], &together[1]) };
    bool done[2] = { false, false };
    while (!done[0] || !done[1]) {
        for (int i = 0; i < 2; i++) {
            if (done[i])
                continue;
            struct vm_exit ex;
            vm_run(vms[i], 997, &ex); /* an odd slice: boundaries fall mid-block */
            if (ex.reason != VM_EXIT_INSN_LIMIT) {
                done[i] = true;
                ex_together[i] = ex;
            }
        }
    }
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        if (ex_alone[i].reason != VM_EXIT_GUEST || ex_alone[i].exit_code != 0) {
            printf("FAIL: %s alone did not pass (reason %d code %llu)\n", argv[1 + i],
                   ex_alone[i].reason, (unsigned long long)ex_alone[i].exit_code);
            bad++;
        }
        if (ex_together[i].reason != ex_alone[i].reason ||
            ex_together[i].exit_code != ex_alone[i].exit_code ||
            ex_together[i].icount != ex_alone[i].icount || strcmp(alone[i].text, together[i].text)) {
            printf("FAIL: %s interleaved differs: icount %llu vs %llu\n", argv[1 + i],
                   (unsigned long long)ex_together[i].icount, (unsigned long long)ex_alone[i].icount);
            bad++;
        }
        vm_destroy(vms[i]);
    }
    printf("two_vms: %d passed, %d failed\n", bad ? 0 : 2, bad);
    return bad != 0;
}
