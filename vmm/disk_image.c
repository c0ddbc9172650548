/* disk_image.c — a raw image mapped read-only with a copy-on-write overlay of blocks, or
 * mapped shared for --disk-persist (see disk_image.h). */
#include "vmm/disk_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "vmm/state.h"

#define DISK_STATE_VERSION 2

struct disk_image {
    uint8_t *base;          /* the mapped file */
    uint64_t size;
    bool readonly, persist;
    uint64_t nblocks;
    uint8_t **overlay;      /* per block: NULL (base) or our copy */
    uint8_t *dirty;         /* per block: written since disk_image_take_dirty */
    uint64_t used;          /* blocks in the overlay */
    bool hash_known;        /* hash is the overlay's hash (cleared by every change) */
    uint64_t hash;
};

struct disk_image *disk_image_open(const char *path, bool readonly, bool persist, char *err,
                                   size_t errlen)
{
    bool shared = persist && !readonly;
    int fd = open(path, (shared ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "disk image %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "disk image %s: not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_size < 512) {
        snprintf(err, errlen, "disk image %s: %lld bytes; a disk needs at least one 512-byte "
                 "sector", path, (long long)st.st_size);
        close(fd);
        return NULL;
    }
    struct disk_image *d = calloc(1, sizeof(*d));
    if (!d) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        return NULL;
    }
    d->size = (uint64_t)st.st_size;
    d->readonly = readonly;
    d->persist = shared;
    d->base = mmap(NULL, d->size, shared ? PROT_READ | PROT_WRITE : PROT_READ,
                   shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
    close(fd);
    if (d->base == MAP_FAILED) {
        snprintf(err, errlen, "disk image %s: cannot map it: %s", path, strerror(errno));
        free(d);
        return NULL;
    }
    d->nblocks = (d->size + DISK_BLOCK - 1) / DISK_BLOCK;
    if (!shared) {
        d->overlay = calloc(d->nblocks, sizeof(*d->overlay));
        d->dirty = calloc(d->nblocks, 1);
        if (!d->overlay || !d->dirty) {
            free(d->overlay);
            free(d->dirty);
            snprintf(err, errlen, "out of memory for the overlay of %s", path);
            munmap(d->base, d->size);
            free(d);
            return NULL;
        }
    }
    return d;
}

static void drop_overlay(uint8_t **overlay, uint64_t nblocks)
{
    if (!overlay)
        return;
    for (uint64_t i = 0; i < nblocks; i++)
        free(overlay[i]);
}

void disk_image_close(struct disk_image *d)
{
    if (!d)
        return;
    drop_overlay(d->overlay, d->nblocks);
    free(d->overlay);
    free(d->dirty);
    munmap(d->base, d->size);
    free(d);
}

uint64_t disk_image_size(const struct disk_image *d)
{
    return d->size;
}

bool disk_image_readonly(const struct disk_image *d)
{
    return d->readonly;
}

static uint64_t block_len(const struct disk_image *d, uint64_t block)
{
    uint64_t start = block * DISK_BLOCK;
    return d->size - start < DISK_BLOCK ? d->size - start : DISK_BLOCK;
}

static bool range_ok(const struct disk_image *d, uint64_t off, uint64_t len)
{
    return off <= d->size && len <= d->size - off;
}

int disk_image_read(struct disk_image *d, uint64_t off, void *buf, uint64_t len)
{
    if (!range_ok(d, off, len))
        return -1;
    uint8_t *out = buf;
    while (len) {
        uint64_t block = off / DISK_BLOCK, in = off % DISK_BLOCK;
        uint64_t n = DISK_BLOCK - in < len ? DISK_BLOCK - in : len;
        const uint8_t *src = d->overlay && d->overlay[block] ? d->overlay[block] + in
                                                             : d->base + off;
        memcpy(out, src, n);
        out += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* The overlay's copy of a block, made from the base on first use. */
static uint8_t *own_block(struct disk_image *d, uint64_t block)
{
    if (!d->overlay[block]) {
        uint8_t *b = calloc(1, DISK_BLOCK);
        if (!b)
            return NULL;
        memcpy(b, d->base + block * DISK_BLOCK, block_len(d, block));
        d->overlay[block] = b;
        d->used++;
    }
    return d->overlay[block];
}

static int modify(struct disk_image *d, uint64_t off, const void *buf, uint64_t len)
{
    if (d->readonly || !range_ok(d, off, len))
        return -1;
    if (d->persist) {
        if (buf)
            memcpy(d->base + off, buf, len);
        else
            memset(d->base + off, 0, len);
        return 0;
    }
    const uint8_t *in = buf;
    while (len) {
        uint64_t block = off / DISK_BLOCK, at = off % DISK_BLOCK;
        uint64_t n = DISK_BLOCK - at < len ? DISK_BLOCK - at : len;
        uint8_t *dst = own_block(d, block);
        if (!dst)
            return -1;
        d->dirty[block] = 1;
        d->hash_known = false;
        if (in) {
            memcpy(dst + at, in, n);
            in += n;
        } else {
            memset(dst + at, 0, n);
        }
        off += n;
        len -= n;
    }
    return 0;
}

int disk_image_write(struct disk_image *d, uint64_t off, const void *buf, uint64_t len)
{
    return buf ? modify(d, off, buf, len) : -1;
}

int disk_image_zero(struct disk_image *d, uint64_t off, uint64_t len)
{
    return modify(d, off, NULL, len);
}

int disk_image_flush(struct disk_image *d)
{
    if (d->persist && msync(d->base, d->size, MS_SYNC))
        return -1;
    return 0;
}

uint64_t disk_image_overlay_blocks(const struct disk_image *d)
{
    return d->used;
}

int disk_image_foreach_block(const struct disk_image *d,
                             int (*fn)(void *ctx, uint64_t block, const uint8_t *data), void *ctx)
{
    if (!d->overlay)
        return 0;
    for (uint64_t i = 0; i < d->nblocks; i++)
        if (d->overlay[i]) {
            int rc = fn(ctx, i, d->overlay[i]);
            if (rc)
                return rc;
        }
    return 0;
}

static int hash_block(void *ctx, uint64_t block, const uint8_t *data)
{
    XXH3_state_t *st = ctx;
    XXH3_64bits_update(st, &block, sizeof(block));
    XXH3_64bits_update(st, data, DISK_BLOCK);
    return 0;
}

uint64_t disk_image_overlay_hash(struct disk_image *d)
{
    /* Snapshots, checkpoints and their loads ask for it again and again; it only changes
     * when a block does. */
    if (d->hash_known)
        return d->hash;
    if (!d->used)
        return 0;
    XXH3_state_t *st = XXH3_createState();
    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    disk_image_foreach_block(d, hash_block, st);
    d->hash = XXH3_64bits_digest(st);
    d->hash_known = true;
    XXH3_freeState(st);
    return d->hash;
}

int disk_image_set_block(struct disk_image *d, uint64_t block, const uint8_t *data)
{
    if (!d->overlay || block >= d->nblocks)
        return -1;
    uint8_t *b = own_block(d, block);
    if (!b)
        return -1;
    memcpy(b, data, DISK_BLOCK);
    d->dirty[block] = 1;
    d->hash_known = false;
    return 0;
}

int disk_image_take_dirty(struct disk_image *d,
                          int (*fn)(void *ctx, uint64_t block, const uint8_t *data), void *ctx)
{
    if (!d->overlay)
        return 0;
    int rc = 0;
    for (uint64_t i = 0; i < d->nblocks; i++)
        if (d->dirty[i]) {
            d->dirty[i] = 0;
            if (!rc)
                rc = fn(ctx, i, d->overlay[i]);
        }
    return rc;
}

const uint8_t *disk_image_overlay_block(const struct disk_image *d, uint64_t block)
{
    return d->overlay && block < d->nblocks ? d->overlay[block] : NULL;
}

int disk_image_drop_block(struct disk_image *d, uint64_t block)
{
    if (!d->overlay || block >= d->nblocks)
        return -1;
    if (d->overlay[block]) {
        free(d->overlay[block]);
        d->overlay[block] = NULL;
        d->used--;
    }
    d->dirty[block] = 1;
    d->hash_known = false;
    return 0;
}

uint64_t disk_image_blocks(const struct disk_image *d)
{
    return d->nblocks;
}

void disk_image_clear_overlay(struct disk_image *d)
{
    if (!d->overlay)
        return;
    drop_overlay(d->overlay, d->nblocks);
    memset(d->overlay, 0, d->nblocks * sizeof(*d->overlay));
    memset(d->dirty, 0, d->nblocks);
    d->used = 0;
    d->hash_known = false;
}

int disk_image_export(const struct disk_image *d, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    bool ok = true;
    for (uint64_t i = 0; i < d->nblocks && ok; i++) {
        const uint8_t *src = d->overlay && d->overlay[i] ? d->overlay[i] : d->base + i * DISK_BLOCK;
        ok = fwrite(src, 1, block_len(d, i), f) == block_len(d, i);
    }
    if (fclose(f))
        ok = false;
    if (!ok)
        snprintf(err, errlen, "%s: write failed", path);
    return ok ? 0 : -1;
}

/* ---- state ---- */

void disk_image_save(struct disk_image *d, struct state_writer *w)
{
    state_begin_section(w, "disk", DISK_STATE_VERSION);
    state_put_u64(w, d->size);
    state_put_u64(w, d->used);
    state_put_u64(w, disk_image_overlay_hash(d));
    state_end_section(w);
}

int disk_image_load(struct disk_image *d, struct state_reader *r)
{
    uint32_t version = DISK_STATE_VERSION;
    if (state_open_section(r, "disk", &version))
        return -1;
    uint64_t size = state_get_u64(r), used = state_get_u64(r), hash = state_get_u64(r);
    if (state_close_section(r))
        return -1;
    if (size != d->size)
        return state_fail(r, "a disk of %llu bytes in the state, this one has %llu",
                          (unsigned long long)size, (unsigned long long)d->size);
    if (used != d->used || hash != disk_image_overlay_hash(d))
        return state_fail(r, "the disk's overlay (%llu blocks) is not the one the state "
                          "describes (%llu blocks, hash %016llx): restore its blocks first",
                          (unsigned long long)d->used, (unsigned long long)used,
                          (unsigned long long)hash);
    return 0;
}
