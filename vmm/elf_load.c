/* elf_load.c — ELF64 RISC-V executables into guest RAM (libelf for parsing, our own checks
 * for every offset and address), plus the HTIF symbol lookup. */
#include "vmm/elf_load.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void find_symbols(Elf *elf, struct elf_image *out)
{
    bool has_begin = false, has_end = false;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data)
            continue;
        size_t count = data->d_size / sh.sh_entsize;
        for (size_t i = 0; i < count; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym))
                break;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (!name)
                continue;
            if (!strcmp(name, "tohost")) {
                out->has_tohost = true;
                out->tohost = sym.st_value;
            } else if (!strcmp(name, "fromhost")) {
                out->has_fromhost = true;
                out->fromhost = sym.st_value;
            } else if (!strcmp(name, "begin_signature")) {
                has_begin = true;
                out->signature_begin = sym.st_value;
            } else if (!strcmp(name, "end_signature")) {
                has_end = true;
                out->signature_end = sym.st_value;
            }
        }
    }
    out->has_signature = has_begin && has_end && out->signature_begin <= out->signature_end;
}

int elf_load(const char *path, uint8_t *ram, uint64_t ram_base, uint64_t ram_size,
             struct elf_image *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(err, errlen, "libelf initialisation failed");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, errlen, "%s: not a regular file", path);
    }
    uint64_t file_size = (uint64_t)st.st_size;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int rc = -1;
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        fail(err, errlen, "%s: not an ELF file", path);
        goto out;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(elf, &eh)) {
        fail(err, errlen, "%s: truncated or malformed ELF header", path);
        goto out;
    }
    if (gelf_getclass(elf) != ELFCLASS64) {
        fail(err, errlen, "%s: not a 64-bit ELF (rewind runs RV64 guests)", path);
        goto out;
    }
    if (eh.e_machine != EM_RISCV) {
        fail(err, errlen, "%s: ELF machine %u is not RISC-V", path, (unsigned)eh.e_machine);
        goto out;
    }
    if (eh.e_type != ET_EXEC) {
        fail(err, errlen, "%s: not an executable ELF (type %u)", path, (unsigned)eh.e_type);
        goto out;
    }
    if (eh.e_phoff > file_size || (uint64_t)eh.e_phnum * eh.e_phentsize > file_size - eh.e_phoff) {
        fail(err, errlen, "%s: program header table extends past the end of the file (truncated?)",
             path);
        goto out;
    }
    if (eh.e_shoff && (eh.e_shoff > file_size ||
                       (uint64_t)eh.e_shnum * eh.e_shentsize > file_size - eh.e_shoff)) {
        fail(err, errlen, "%s: section header table extends past the end of the file (truncated?)",
             path);
        goto out;
    }
    size_t phnum;
    if (elf_getphdrnum(elf, &phnum) || phnum == 0) {
        fail(err, errlen, "%s: no program headers", path);
        goto out;
    }
    out->lowest = UINT64_MAX;
    int loaded = 0;
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph)) {
            fail(err, errlen, "%s: malformed program header %zu", path, i);
            goto out;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz) {
            fail(err, errlen, "%s: segment %zu has file size larger than memory size", path, i);
            goto out;
        }
        if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset) {
            fail(err, errlen, "%s: segment %zu extends past the end of the file (truncated?)",
                 path, i);
            goto out;
        }
        uint64_t pa = ph.p_paddr;
        if (pa < ram_base || pa - ram_base > ram_size || ph.p_memsz > ram_size - (pa - ram_base)) {
            fail(err, errlen,
                 "%s: segment %zu at 0x%llx..0x%llx lies outside RAM 0x%llx..0x%llx", path, i,
                 (unsigned long long)pa, (unsigned long long)(pa + ph.p_memsz),
                 (unsigned long long)ram_base, (unsigned long long)(ram_base + ram_size));
            goto out;
        }
        uint8_t *dst = ram + (pa - ram_base);
        if (ph.p_filesz) {
            if (pread(fd, dst, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) {
                fail(err, errlen, "%s: short read of segment %zu", path, i);
                goto out;
            }
        }
        memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
        if (pa < out->lowest)
            out->lowest = pa;
        if (pa + ph.p_memsz > out->highest)
            out->highest = pa + ph.p_memsz;
        loaded++;
    }
    if (!loaded) {
        fail(err, errlen, "%s: no loadable segments", path);
        goto out;
    }
    if (eh.e_entry < ram_base || eh.e_entry - ram_base >= ram_size) {
        fail(err, errlen, "%s: entry point 0x%llx is outside RAM", path,
             (unsigned long long)eh.e_entry);
        goto out;
    }
    out->entry = eh.e_entry;
    find_symbols(elf, out);
    rc = 0;
out:
    if (elf)
        elf_end(elf);
    close(fd);
    return rc;
}

int elf_symbol_address(const char *path, const char *name, uint64_t *addr, char *err,
                       size_t errlen)
{
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(err, errlen, "libelf initialisation failed");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int rc = -1;
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        fail(err, errlen, "%s: not an ELF file", path);
        goto out;
    }
    Elf_Scn *scn = NULL;
    bool have_symtab = false;
    while ((scn = elf_nextscn(elf, scn)) != NULL && rc) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        have_symtab = true;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data)
            continue;
        size_t count = data->d_size / sh.sh_entsize;
        for (size_t i = 0; i < count; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym))
                break;
            const char *n = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (n && !strcmp(n, name) && sym.st_value) {
                *addr = sym.st_value;
                rc = 0;
                break;
            }
        }
    }
    if (rc)
        fail(err, errlen, have_symtab ? "%s: no symbol '%s'" : "%s: no symbol table (for '%s')",
             path, name);
out:
    if (elf)
        elf_end(elf);
    close(fd);
    return rc;
}
