/* vm.c — assembling a machine (RAM, bus, code cache, hart, HTIF) and running it. */
#include "vmm/vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/htif.h"
#include "vmm/bus.h"
#include "vmm/cpu/code_cache.h"
#include "vmm/elf_load.h"

/* Instructions a hart runs before the loop looks at the machine again. */
#define VM_SLICE 1000000ull

struct vm {
    struct vm_config cfg;
    uint8_t *ram;
    struct bus bus;
    struct code_cache *code;
    struct hart hart;
    struct htif htif;
    bool has_htif;
    struct elf_image image;
    bool exit_requested;
    uint64_t exit_code;
};

static uint64_t vm_read_time(void *ctx, uint64_t icount)
{
    (void)ctx;
    /* Bare-metal mode has no timer device: time is the retired-instruction count. */
    return icount;
}

static void vm_ram_written(void *ctx, uint64_t paddr, uint64_t len)
{
    struct vm *vm = ctx;
    code_cache_note_write(vm->code, paddr, len);
}

struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen)
{
    if (cfg->ram_size == 0 || (cfg->ram_size & 0xfff) || cfg->ram_size > (64ull << 30)) {
        snprintf(err, errlen, "RAM size must be a multiple of 4 KiB between 4 KiB and 64 GiB");
        return NULL;
    }
    struct vm *vm = calloc(1, sizeof(*vm));
    if (!vm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    vm->cfg = *cfg;
    vm->ram = mmap(NULL, cfg->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
                   MAP_NORESERVE, -1, 0);
    if (vm->ram == MAP_FAILED) {
        vm->ram = NULL;
        snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM",
                 (unsigned long long)(cfg->ram_size >> 20));
        vm_destroy(vm);
        return NULL;
    }
    bus_init(&vm->bus);
    bus_add_ram(&vm->bus, "ram", VM_RAM_BASE, cfg->ram_size, vm->ram);
    vm->bus.ram_write_hook = vm_ram_written;
    vm->bus.ram_write_ctx = vm;
    vm->code = code_cache_create(VM_RAM_BASE, cfg->ram_size);
    if (!vm->code) {
        snprintf(err, errlen, "out of memory for the code cache");
        vm_destroy(vm);
        return NULL;
    }
    hart_init(&vm->hart, 0, &vm->bus, vm->code,
              (struct hart_platform){ .read_time = vm_read_time, .ctx = vm });
    hart_reset(&vm->hart, VM_RAM_BASE);
    return vm;
}

void vm_destroy(struct vm *vm)
{
    if (!vm)
        return;
    if (vm->ram)
        munmap(vm->ram, vm->cfg.ram_size);
    code_cache_destroy(vm->code);
    free(vm);
}

struct hart *vm_hart(struct vm *vm, int index)
{
    return index == 0 ? &vm->hart : NULL;
}

bool vm_has_htif(const struct vm *vm)
{
    return vm->has_htif;
}

static void vm_htif_exit(void *ctx, uint64_t code)
{
    struct vm *vm = ctx;
    vm->exit_requested = true;
    vm->exit_code = code;
    hart_request_stop(&vm->hart);
}

static void vm_console_write(void *ctx, const uint8_t *bytes, size_t len)
{
    struct vm *vm = ctx;
    if (vm->cfg.console_write)
        vm->cfg.console_write(vm->cfg.console_ctx, bytes, len);
}

int vm_load_program(struct vm *vm, const char *path, char *err, size_t errlen)
{
    struct elf_image img;
    if (elf_load(path, vm->ram, VM_RAM_BASE, vm->cfg.ram_size, &img, err, errlen))
        return -1;
    if (img.has_tohost) {
        struct htif_host host = { .console_write = vm_console_write, .exit = vm_htif_exit,
                                  .ctx = vm };
        if (htif_attach(&vm->htif, &vm->bus, img.tohost, img.has_fromhost, img.fromhost, host)) {
            snprintf(err, errlen, "%s: cannot map HTIF at tohost=0x%llx (must be 8-byte aligned)",
                     path, (unsigned long long)img.tohost);
            return -1;
        }
        vm->has_htif = true;
    }
    vm->image = img;
    hart_reset(&vm->hart, img.entry);
    return 0;
}

int vm_write_signature(struct vm *vm, const char *path, unsigned granularity, char *err,
                       size_t errlen)
{
    const struct elf_image *img = &vm->image;
    if (!img->has_signature) {
        snprintf(err, errlen, "the program has no begin_signature/end_signature symbols");
        return -1;
    }
    if (granularity != 1 && granularity != 2 && granularity != 4 && granularity != 8) {
        snprintf(err, errlen, "signature granularity must be 1, 2, 4 or 8");
        return -1;
    }
    uint64_t begin = img->signature_begin, end = img->signature_end;
    if (begin < VM_RAM_BASE || end - VM_RAM_BASE > vm->cfg.ram_size) {
        snprintf(err, errlen, "signature range 0x%llx..0x%llx is outside RAM",
                 (unsigned long long)begin, (unsigned long long)end);
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create signature file", path);
        return -1;
    }
    for (uint64_t a = begin; a < end; a += granularity) {
        for (unsigned i = granularity; i > 0; i--) {
            uint64_t byte_addr = a + i - 1;
            unsigned v = byte_addr < VM_RAM_BASE + vm->cfg.ram_size ? vm->ram[byte_addr - VM_RAM_BASE] : 0;
            fprintf(f, "%02x", v);
        }
        fputc('\n', f);
    }
    if (fclose(f)) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}

int vm_run(struct vm *vm, uint64_t max_insns, struct vm_exit *exit)
{
    struct hart *h = &vm->hart;
    uint64_t start = h->icount;
    memset(exit, 0, sizeof(*exit));
    for (;;) {
        if (vm->exit_requested) {
            exit->reason = VM_EXIT_GUEST;
            exit->exit_code = vm->exit_code;
            break;
        }
        uint64_t done = h->icount - start;
        if (max_insns && done >= max_insns) {
            exit->reason = VM_EXIT_INSN_LIMIT;
            break;
        }
        uint64_t slice = VM_SLICE;
        if (max_insns && max_insns - done < slice)
            slice = max_insns - done;
        enum hart_stop stop;
        hart_run(h, slice, &stop);
        if (stop == HART_STOP_WFI && !vm->exit_requested) {
            /* No device can raise an interrupt in this machine: waiting would be forever. */
            exit->reason = VM_EXIT_IDLE;
            break;
        }
    }
    exit->icount = h->icount;
    return 0;
}
