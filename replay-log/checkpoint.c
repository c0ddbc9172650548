/* checkpoint.c — taking incremental checkpoints (see checkpoint.h). */
#include "replay-log/checkpoint.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>
#include <zstd.h>

#include "vmm/disk_image.h"
#include "vmm/snapshot.h"
#include "vmm/state.h"

#define PAGE 4096

struct checkpointer {
    struct trace *trace;
    uint8_t *ram;
    uint64_t pages;
    uint64_t *page_hash;     /* hash of each RAM page as of the last checkpoint */
    uint64_t zero_hash;
    /* while taking one */
    int64_t cp_id;
    uint64_t changed, bytes;
    bool failed;
    ZSTD_CCtx *zctx;         /* reused: creating a context per call costs more than the work */
    uint8_t zbuf[ZSTD_COMPRESSBOUND(PAGE)];
    struct checkpoint_stats stats;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void baseline_page(void *ctx, uint64_t page)
{
    struct checkpointer *c = ctx;
    c->page_hash[page] = XXH3_64bits(c->ram + page * PAGE, PAGE);
}

static int ignore_block(void *ctx, uint64_t block, const uint8_t *data)
{
    (void)ctx;
    (void)block;
    (void)data;
    return 0;
}

struct disk_ctx {
    struct checkpointer *c;
    unsigned disk;
};

/* A disk block written since the last checkpoint: stored like a RAM page. */
static int take_block(void *ctx, uint64_t block, const uint8_t *data)
{
    struct disk_ctx *dc = ctx;
    struct checkpointer *c = dc->c;
    if (!data)
        return 0; /* back to the base image: only time travel does that, never a recording */
    c->changed++;
    if (!c->trace || c->failed)
        return 0;
    size_t zn = ZSTD_compressCCtx(c->zctx, c->zbuf, sizeof(c->zbuf), data, PAGE, 1);
    if (ZSTD_isError(zn) || trace_add_disk_block(c->trace, c->cp_id, dc->disk, block, c->zbuf, zn))
        c->failed = true;
    else
        c->bytes += zn;
    return 0;
}

struct checkpointer *checkpointer_create(struct trace *trace, struct vm *vm)
{
    struct checkpointer *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    uint64_t size;
    c->trace = trace;
    c->ram = vm_ram(vm, &size);
    c->pages = size / PAGE;
    c->page_hash = calloc(c->pages ? c->pages : 1, sizeof(uint64_t));
    c->zctx = ZSTD_createCCtx();
    if (!c->page_hash || !c->zctx) {
        checkpointer_destroy(c);
        return NULL;
    }
    static const uint8_t zero[PAGE];
    c->zero_hash = XXH3_64bits(zero, PAGE);
    /* RAM starts as zeros; the pages the machine loaded are marked dirty and hashed now. */
    for (uint64_t i = 0; i < c->pages; i++)
        c->page_hash[i] = c->zero_hash;
    /* The RAM as loaded (from the images the trace names) is the baseline: replay loads the
     * same images, so only pages written after this point need storing. The same holds for
     * the disks' overlays (empty, or restored from a checkpoint). */
    vm_take_dirty_pages(vm, baseline_page, c);
    for (unsigned i = 0; vm_disk(vm, i); i++)
        disk_image_take_dirty(vm_disk(vm, i), ignore_block, NULL);
    return c;
}

void checkpointer_destroy(struct checkpointer *c)
{
    if (!c)
        return;
    free(c->page_hash);
    ZSTD_freeCCtx(c->zctx);
    free(c);
}

static void take_page(void *ctx, uint64_t page)
{
    struct checkpointer *c = ctx;
    const uint8_t *p = c->ram + page * PAGE;
    uint64_t h = XXH3_64bits(p, PAGE);
    if (h == c->page_hash[page])
        return;
    c->page_hash[page] = h;
    c->changed++;
    if (!c->trace || c->failed)
        return;
    int rc;
    if (h == c->zero_hash) {
        rc = trace_add_page(c->trace, c->cp_id, page, NULL, 0);
    } else {
        size_t zn = ZSTD_compressCCtx(c->zctx, c->zbuf, sizeof(c->zbuf), p, PAGE, 1);
        if (ZSTD_isError(zn)) {
            c->failed = true;
            return;
        }
        rc = trace_add_page(c->trace, c->cp_id, page, c->zbuf, zn);
        c->bytes += zn;
    }
    if (rc)
        c->failed = true;
}

int checkpointer_take(struct checkpointer *c, struct vm *vm, uint64_t *hash)
{
    double t0 = now_seconds();
    struct state_writer w;
    state_writer_init(&w);
    if (vm_save_state(vm, &w)) {
        state_writer_free(&w);
        return -1;
    }
    size_t len;
    const uint8_t *state = state_writer_data(&w, &len);
    size_t zcap = ZSTD_compressBound(len);
    uint8_t *z = malloc(zcap ? zcap : 1);
    size_t zn = z ? ZSTD_compressCCtx(c->zctx, z, zcap, state, len, 3) : 0;
    if (!z || ZSTD_isError(zn)) {
        free(z);
        state_writer_free(&w);
        return -1;
    }
    c->changed = 0;
    c->bytes = 0;
    c->failed = false;
    c->cp_id = 0;
    /* The row first (pages refer to it), then the pages, then its totals. */
    if (c->trace && trace_add_checkpoint(c->trace, vm_icount(vm), 0, z, zn, 0, 0, &c->cp_id)) {
        free(z);
        state_writer_free(&w);
        return -1;
    }
    vm_take_dirty_pages(vm, take_page, c);
    for (unsigned i = 0; vm_disk(vm, i); i++) {
        struct disk_ctx dc = { c, i };
        disk_image_take_dirty(vm_disk(vm, i), take_block, &dc);
    }
    /* The hash covers the state stream and every page's hash. */
    XXH3_state_t *hs = XXH3_createState();
    uint64_t h = 0;
    if (hs) {
        XXH3_64bits_reset(hs);
        XXH3_64bits_update(hs, state, len);
        XXH3_64bits_update(hs, c->page_hash, c->pages * sizeof(uint64_t));
        h = XXH3_64bits_digest(hs);
        XXH3_freeState(hs);
    }
    *hash = h;
    int rc = c->failed || !hs ? -1 : 0;
    if (c->trace && rc == 0)
        rc = trace_update_checkpoint(c->trace, c->cp_id, h, c->changed, c->bytes + zn);
    c->stats.count++;
    c->stats.pages += c->changed;
    c->stats.bytes += c->bytes + zn;
    c->stats.seconds += now_seconds() - t0;
    free(z);
    state_writer_free(&w);
    return rc;
}

void checkpointer_stats(const struct checkpointer *c, struct checkpoint_stats *s)
{
    *s = c->stats;
}

static int restore_block(void *ctx, unsigned disk, uint64_t block, const uint8_t *data, size_t len)
{
    struct disk_image *d = vm_disk(ctx, disk);
    return d && len == PAGE ? disk_image_set_block(d, block, data) : -1;
}

int checkpoint_restore_disks(struct trace *t, int64_t id, struct vm *vm, char *err, size_t errlen)
{
    for (unsigned i = 0; vm_disk(vm, i); i++)
        disk_image_clear_overlay(vm_disk(vm, i));
    return trace_load_disk_blocks(t, id, restore_block, vm, err, errlen) < 0 ? -1 : 0;
}
