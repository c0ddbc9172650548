/* fdt.h — the device tree of a rewind virt machine, generated with libfdt from the actual
 * configuration: harts and their ISA string, memory, every device present, /chosen. */
#ifndef REWIND_FDT_H
#define REWIND_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt_machine {
    unsigned num_harts;
    const char *isa;            /* e.g. "rv64imafdc_zicntr_zicsr_zifencei_zba_zbb" */
    const char *mmu_type;       /* e.g. "riscv,sv48" */
    uint64_t ram_base, ram_size;
    const char *bootargs;       /* NULL: none */
    bool has_initrd;
    uint64_t initrd_start, initrd_end;
    const uint8_t *rng_seed;    /* NULL: none */
    size_t rng_seed_len;
    unsigned virtio_slots;      /* how many virtio-mmio nodes (0..8) */
};

/* Build the blob into buf (bufsize bytes). Returns its size, or -1 with a message. */
long fdt_build(const struct fdt_machine *m, void *buf, size_t bufsize, char *err, size_t errlen);

#endif
