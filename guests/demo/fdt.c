/* fdt.c — walks the structure block of a flattened device tree (devicetree
 * specification v0.4, chapter 5) to find a property of /chosen.  Everything
 * read from the blob is checked against the sizes its header declares, and the
 * header against fixed limits, so a damaged or absent tree only means "not
 * found". */
#include "fdt.h"

#include <stddef.h>

#include "hw.h"

#define FDT_MAGIC       0xd00dfeedu
#define FDT_MAX_SIZE    (4u << 20)
#define FDT_BEGIN_NODE  1u
#define FDT_END_NODE    2u
#define FDT_PROP        3u
#define FDT_NOP         4u
#define FDT_END         9u

struct fdt_header {
    uint32_t magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
        last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Length of the NUL-terminated string at s, if it ends before `limit`; else -1. */
static long bounded_strlen(const char *s, const char *limit)
{
    for (const char *p = s; p < limit; p++)
        if (!*p)
            return p - s;
    return -1;
}

bool fdt_valid(const void *fdt)
{
    uintptr_t at = (uintptr_t)fdt;
    if (at < RAM_BASE || (at & 7))
        return false;
    const struct fdt_header *h = fdt;
    uint32_t total = be32(&h->totalsize);
    uint32_t off_struct = be32(&h->off_dt_struct), size_struct = be32(&h->size_dt_struct);
    uint32_t off_strings = be32(&h->off_dt_strings), size_strings = be32(&h->size_dt_strings);
    return be32(&h->magic) == FDT_MAGIC && be32(&h->version) >= 17 &&
           total >= sizeof(*h) && total <= FDT_MAX_SIZE &&
           off_struct <= total && size_struct <= total - off_struct && (off_struct & 3) == 0 &&
           off_strings <= total && size_strings <= total - off_strings;
}

bool fdt_chosen_property(const void *fdt, const char *name, const void **value, uint32_t *len)
{
    if (!fdt_valid(fdt))
        return false;
    const struct fdt_header *h = fdt;
    const uint8_t *base = fdt;
    const uint8_t *pos = base + be32(&h->off_dt_struct);
    const uint8_t *end = pos + be32(&h->size_dt_struct);
    const char *strings = (const char *)base + be32(&h->off_dt_strings);
    uint32_t size_strings = be32(&h->size_dt_strings);
    int depth = 0;              /* 1 inside the root node, 2 inside its children */
    bool in_chosen = false;

    while (end - pos >= 4) {
        uint32_t token = be32(pos);
        pos += 4;
        switch (token) {
        case FDT_BEGIN_NODE: {
            long n = bounded_strlen((const char *)pos, (const char *)end);
            if (n < 0)
                return false;
            depth++;
            if (depth == 2 && str_eq((const char *)pos, "chosen"))
                in_chosen = true;
            pos += (n + 1 + 3) & ~3l;
            break;
        }
        case FDT_END_NODE:
            if (depth == 2)
                in_chosen = false;
            if (--depth < 0)
                return false;
            break;
        case FDT_PROP: {
            if (end - pos < 8)
                return false;
            uint32_t plen = be32(pos), nameoff = be32(pos + 4);
            pos += 8;
            if (plen > (uint64_t)(end - pos) || nameoff >= size_strings)
                return false;
            const char *pname = strings + nameoff;
            if (bounded_strlen(pname, strings + size_strings) < 0)
                return false;
            if (in_chosen && depth == 2 && str_eq(pname, name)) {
                *value = pos;
                *len = plen;
                return true;
            }
            pos += (plen + 3) & ~3u;
            break;
        }
        case FDT_NOP:
            break;
        case FDT_END:
        default:
            return false;
        }
    }
    return false;
}
