/* elf_load.h — loading a RISC-V ELF executable into guest RAM, with every bounds check. */
#ifndef REWIND_ELF_LOAD_H
#define REWIND_ELF_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_image {
    uint64_t entry;
    uint64_t lowest, highest;       /* physical range the loadable segments occupy */
    bool has_tohost, has_fromhost;
    uint64_t tohost, fromhost;      /* addresses of the HTIF symbols, if present */
    bool has_signature;             /* begin_signature/end_signature (compliance tests) */
    uint64_t signature_begin, signature_end;
};

/* Load the ELF file at `path` into the RAM window [ram_base, ram_base + ram_size) whose host
 * copy is `ram`. On error returns -1 and writes a one-line message into err. */
int elf_load(const char *path, uint8_t *ram, uint64_t ram_base, uint64_t ram_size,
             struct elf_image *out, char *err, size_t errlen);

/* Address of the symbol `name` in the ELF file at path (any type). Returns 0, or -1 with a
 * message (not found, not an ELF, no symbol table). */
int elf_symbol_address(const char *path, const char *name, uint64_t *addr, char *err,
                       size_t errlen);

#endif
