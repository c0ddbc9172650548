/* memsnap.c — in-memory checkpoints with shared, reference-counted pages (see memsnap.h). */
#include "replay-log/memsnap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/disk_image.h"
#include "vmm/snapshot.h"
#include "vmm/state.h"

#define PAGE 4096

/* An immutable copy of a RAM page or disk block, shared by every snapshot that has it. */
struct page {
    uint32_t refs;
    uint8_t data[PAGE];
};

struct snap {
    uint64_t icount;
    bool pinned;
    uint8_t *state;
    size_t state_len;
    struct replayer_pos pos;
    uint64_t npages;
    struct page **ram;                 /* NULL: a page of zeros */
    unsigned ndisks;
    uint64_t nblocks[VM_MAX_DISKS];
    struct page **disk[VM_MAX_DISKS];  /* NULL: the base image's block */
};

struct memsnap_store {
    struct snap **snaps;               /* in icount order */
    unsigned n, cap;
    struct snap *live;                 /* what the machine holds, apart from pages marked dirty
                                          since; NULL: unknown */
    uint64_t bytes, budget;
    struct memsnap_stats stats;
    uint8_t *mark;                     /* scratch: one byte per page or block */
    uint64_t mark_len;
};

static const uint8_t zero_page[PAGE];

/* ---- pages ---- */

static struct page *page_new(struct memsnap_store *s, const uint8_t *data)
{
    struct page *p = malloc(sizeof(*p));
    if (!p)
        return NULL;
    p->refs = 1;
    memcpy(p->data, data, PAGE);
    s->bytes += sizeof(*p);
    return p;
}

static void page_unref(struct memsnap_store *s, struct page *p)
{
    if (p && --p->refs == 0) {
        free(p);
        s->bytes -= sizeof(*p);
    }
}

static void pages_ref(struct page **pages, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (pages[i])
            pages[i]->refs++;
}

static const uint8_t *page_data(const struct page *p)
{
    return p ? p->data : NULL;
}

static uint64_t snap_overhead(const struct snap *sn)
{
    uint64_t b = sizeof(*sn) + sn->state_len + sn->npages * sizeof(struct page *);
    for (unsigned i = 0; i < sn->ndisks; i++)
        b += sn->nblocks[i] * sizeof(struct page *);
    return b;
}

static void snap_free(struct memsnap_store *s, struct snap *sn)
{
    if (!sn)
        return;
    s->bytes -= snap_overhead(sn);
    if (sn->ram)
        for (uint64_t i = 0; i < sn->npages; i++)
            page_unref(s, sn->ram[i]);
    for (unsigned d = 0; d < sn->ndisks; d++)
        if (sn->disk[d])
            for (uint64_t b = 0; b < sn->nblocks[d]; b++)
                page_unref(s, sn->disk[d][b]);
    free(sn->ram);
    for (unsigned d = 0; d < sn->ndisks; d++)
        free(sn->disk[d]);
    free(sn->state);
    free(sn);
}

static uint8_t *marks(struct memsnap_store *s, uint64_t n)
{
    if (n > s->mark_len) {
        uint8_t *m = realloc(s->mark, n);
        if (!m)
            return NULL;
        s->mark = m;
        s->mark_len = n;
    }
    memset(s->mark, 0, n);
    return s->mark;
}

/* ---- the store ---- */

struct memsnap_store *memsnap_create(uint64_t budget_bytes)
{
    struct memsnap_store *s = calloc(1, sizeof(*s));
    if (s)
        s->budget = s->stats.budget = budget_bytes;
    return s;
}

static void remove_at(struct memsnap_store *s, unsigned i)
{
    struct snap *sn = s->snaps[i];
    if (sn == s->live)
        s->live = NULL;
    memmove(s->snaps + i, s->snaps + i + 1, (s->n - i - 1) * sizeof(*s->snaps));
    s->n--;
    snap_free(s, sn);
}

void memsnap_destroy(struct memsnap_store *s)
{
    if (!s)
        return;
    while (s->n)
        remove_at(s, s->n - 1);
    free(s->snaps);
    free(s->mark);
    free(s);
}

void memsnap_forget_live(struct memsnap_store *s, bool drop_all)
{
    s->live = NULL;
    while (drop_all && s->n)
        remove_at(s, s->n - 1);
}

int memsnap_find(const struct memsnap_store *s, uint64_t icount, uint64_t *at)
{
    int k = -1;
    for (unsigned i = 0; i < s->n && s->snaps[i]->icount <= icount; i++)
        k = (int)i;
    if (k >= 0 && at)
        *at = s->snaps[k]->icount;
    return k;
}

void memsnap_pin(struct memsnap_store *s, int index)
{
    if (index >= 0 && (unsigned)index < s->n)
        s->snaps[index]->pinned = true;
}

uint64_t memsnap_icount(const struct memsnap_store *s, unsigned i)
{
    return i < s->n ? s->snaps[i]->icount : 0;
}

void memsnap_stats(const struct memsnap_store *s, struct memsnap_stats *st)
{
    *st = s->stats;
    st->count = s->n;
    st->bytes = s->bytes;
    st->budget = s->budget;
}

/* Over budget: drop the snapshot whose neighbours are closest together relative to its
 * distance from the present, so that snapshots thin out far away first; the one the machine
 * holds (the next snapshot is built from it) only when nothing else is left. Never a pinned
 * one. */
static void evict(struct memsnap_store *s, uint64_t present)
{
    while (s->bytes > s->budget && s->n > 1) {
        int victim = -1;
        double best = 0;
        for (unsigned pass = 0; pass < 2 && victim < 0; pass++) {
            for (unsigned i = 0; i < s->n; i++) {
                if (s->snaps[i]->pinned || (pass == 0 && s->snaps[i] == s->live))
                    continue;
                uint64_t at = s->snaps[i]->icount;
                uint64_t lo = i ? s->snaps[i - 1]->icount : 0;
                uint64_t hi = i + 1 < s->n ? s->snaps[i + 1]->icount : at;
                uint64_t dist = at > present ? at - present : present - at;
                double score = (double)(hi - lo) / (1.0 + (double)dist);
                if (victim < 0 || score < best) {
                    victim = (int)i;
                    best = score;
                }
            }
        }
        if (victim < 0)
            break;
        remove_at(s, (unsigned)victim);
        s->stats.evicted++;
    }
}

void memsnap_set_budget(struct memsnap_store *s, uint64_t budget_bytes, uint64_t present)
{
    s->budget = s->stats.budget = budget_bytes;
    evict(s, present);
}

/* ---- taking ---- */

struct take_ctx {
    struct memsnap_store *s;
    struct page **pages;
    const uint8_t *ram;
    bool failed;
};

static struct page *copy_unless_zero(struct memsnap_store *s, const uint8_t *data, bool *failed)
{
    if (!data || !memcmp(data, zero_page, PAGE))
        return NULL;
    struct page *p = page_new(s, data);
    if (!p)
        *failed = true;
    return p;
}

static void take_ram_page(void *ctx, uint64_t page)
{
    struct take_ctx *t = ctx;
    page_unref(t->s, t->pages[page]);
    t->pages[page] = copy_unless_zero(t->s, t->ram + page * PAGE, &t->failed);
}

static void ignore_page(void *ctx, uint64_t page)
{
    (void)ctx;
    (void)page;
}

static int take_disk_block(void *ctx, uint64_t block, const uint8_t *data)
{
    struct take_ctx *t = ctx;
    page_unref(t->s, t->pages[block]);
    t->pages[block] = data ? page_new(t->s, data) : NULL;
    if (data && !t->pages[block])
        t->failed = true;
    return 0;
}

static int ignore_block(void *ctx, uint64_t block, const uint8_t *data)
{
    (void)ctx;
    (void)block;
    (void)data;
    return 0;
}

/* The machine equals snapshot sn now: forget what was marked dirty before. */
static void settle(struct vm *vm)
{
    vm_take_dirty_pages(vm, ignore_page, NULL);
    for (unsigned i = 0; vm_disk(vm, i); i++)
        disk_image_take_dirty(vm_disk(vm, i), ignore_block, NULL);
}

static int insert(struct memsnap_store *s, struct snap *sn)
{
    if (s->n == s->cap) {
        unsigned cap = s->cap ? s->cap * 2 : 64;
        struct snap **a = realloc(s->snaps, cap * sizeof(*a));
        if (!a)
            return -1;
        s->snaps = a;
        s->cap = cap;
    }
    unsigned i = s->n;
    while (i > 0 && s->snaps[i - 1]->icount > sn->icount)
        i--;
    memmove(s->snaps + i + 1, s->snaps + i, (s->n - i) * sizeof(*s->snaps));
    s->snaps[i] = sn;
    s->n++;
    return 0;
}

int memsnap_take(struct memsnap_store *s, struct vm *vm, const struct replayer_pos *pos,
                 uint64_t present, char *err, size_t errlen)
{
    uint64_t now = vm_icount(vm);
    int k = memsnap_find(s, now, NULL);
    if (k >= 0 && s->snaps[k]->icount == now) {
        /* A replay is deterministic: the machine is that snapshot again. */
        settle(vm);
        s->live = s->snaps[k];
        return 0;
    }
    uint64_t ram_size;
    const uint8_t *ram = vm_ram(vm, &ram_size);
    struct snap *sn = calloc(1, sizeof(*sn));
    if (!sn)
        goto oom;
    sn->icount = now;
    sn->pos = *pos;
    sn->npages = ram_size / PAGE;
    sn->ram = calloc(sn->npages, sizeof(*sn->ram));
    if (!sn->ram)
        goto oom;
    struct snap *live = s->live && s->live->npages == sn->npages ? s->live : NULL;
    struct take_ctx t = { .s = s, .pages = sn->ram, .ram = ram };
    if (live) {
        memcpy(sn->ram, live->ram, sn->npages * sizeof(*sn->ram));
        pages_ref(sn->ram, sn->npages);
        vm_take_dirty_pages(vm, take_ram_page, &t);
    } else {
        vm_take_dirty_pages(vm, ignore_page, NULL);
        for (uint64_t p = 0; p < sn->npages && !t.failed; p++)
            sn->ram[p] = copy_unless_zero(s, ram + p * PAGE, &t.failed);
    }
    for (unsigned d = 0; vm_disk(vm, d) && !t.failed; d++) {
        struct disk_image *di = vm_disk(vm, d);
        uint64_t nb = disk_image_blocks(di);
        sn->ndisks = d + 1;
        sn->nblocks[d] = nb;
        sn->disk[d] = calloc(nb ? nb : 1, sizeof(struct page *));
        if (!sn->disk[d]) {
            t.failed = true;
            break;
        }
        t.pages = sn->disk[d];
        if (live && live->ndisks > d && live->nblocks[d] == nb) {
            memcpy(sn->disk[d], live->disk[d], nb * sizeof(struct page *));
            pages_ref(sn->disk[d], nb);
            disk_image_take_dirty(di, take_disk_block, &t);
        } else {
            disk_image_take_dirty(di, ignore_block, NULL);
            for (uint64_t b = 0; b < nb && !t.failed; b++) {
                const uint8_t *data = disk_image_overlay_block(di, b);
                if (data && !(sn->disk[d][b] = page_new(s, data)))
                    t.failed = true;
            }
        }
    }
    struct state_writer w;
    state_writer_init(&w);
    if (!t.failed && vm_save_state(vm, &w) == 0) {
        size_t len;
        const uint8_t *data = state_writer_data(&w, &len);
        sn->state = malloc(len ? len : 1);
        if (sn->state) {
            memcpy(sn->state, data, len);
            sn->state_len = len;
        }
    }
    state_writer_free(&w);
    if (t.failed || !sn->state)
        goto oom;
    s->bytes += snap_overhead(sn);
    if (insert(s, sn)) {
        s->bytes -= snap_overhead(sn);
        goto oom;
    }
    s->live = sn;
    s->stats.taken++;
    evict(s, present);
    return 0;
oom:
    if (sn)
        s->bytes += snap_overhead(sn); /* snap_free takes it off again */
    snap_free(s, sn);
    s->live = NULL; /* the dirty marks were consumed: the machine is unknown to the store */
    snprintf(err, errlen, "out of memory for an in-memory checkpoint");
    return -1;
}

/* ---- restoring ---- */

static void mark_page(void *ctx, uint64_t page)
{
    struct memsnap_store *s = ctx;
    if (page < s->mark_len)
        s->mark[page] = 1;
}

static int mark_block(void *ctx, uint64_t block, const uint8_t *data)
{
    (void)data;
    mark_page(ctx, block);
    return 0;
}

static int restore_disk(struct memsnap_store *s, const struct snap *sn, unsigned d,
                        struct disk_image *di, const struct snap *live)
{
    uint64_t nb = sn->nblocks[d];
    if (!marks(s, nb))
        return -1;
    disk_image_take_dirty(di, mark_block, s);
    bool known = live && live->ndisks > d && live->nblocks[d] == nb;
    for (uint64_t b = 0; b < nb; b++) {
        const struct page *want = sn->disk[d][b];
        bool differs = known ? s->mark[b] || want != live->disk[d][b]
                             : (want != NULL) != (disk_image_overlay_block(di, b) != NULL) ||
                                   (want && memcmp(want->data, disk_image_overlay_block(di, b),
                                                   PAGE));
        if (!differs)
            continue;
        int rc = want ? disk_image_set_block(di, b, want->data) : disk_image_drop_block(di, b);
        if (rc)
            return -1;
    }
    disk_image_take_dirty(di, ignore_block, NULL);
    return 0;
}

int memsnap_restore(struct memsnap_store *s, int index, struct vm *vm, struct replayer_pos *pos,
                    char *err, size_t errlen)
{
    if (index < 0 || (unsigned)index >= s->n) {
        snprintf(err, errlen, "no in-memory checkpoint %d", index);
        return -1;
    }
    struct snap *sn = s->snaps[index];
    uint64_t ram_size;
    uint8_t *ram = vm_ram(vm, &ram_size);
    if (ram_size / PAGE != sn->npages) {
        snprintf(err, errlen, "the in-memory checkpoint is of another machine");
        return -1;
    }
    struct snap *live = s->live;
    s->live = NULL; /* until the restore has succeeded */
    if (!marks(s, sn->npages)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    vm_take_dirty_pages(vm, mark_page, s);
    for (uint64_t p = 0; p < sn->npages; p++) {
        const uint8_t *want = page_data(sn->ram[p]);
        bool differs = live ? s->mark[p] || sn->ram[p] != live->ram[p]
                            : memcmp(ram + p * PAGE, want ? want : zero_page, PAGE) != 0;
        if (differs) {
            vm_restore_ram_page(vm, p, want, false);
            s->stats.pages_copied++;
        }
    }
    for (unsigned d = 0; d < sn->ndisks; d++) {
        struct disk_image *di = vm_disk(vm, d);
        if (!di || disk_image_blocks(di) != sn->nblocks[d] || restore_disk(s, sn, d, di, live)) {
            snprintf(err, errlen, "cannot restore disk %u from an in-memory checkpoint", d);
            return -1;
        }
    }
    struct state_reader r;
    state_reader_init(&r, sn->state, sn->state_len);
    if (vm_restore_state(vm, &r, err, errlen))
        return -1;
    vm_debug_clear(vm);
    settle(vm);
    s->live = sn;
    *pos = sn->pos;
    s->stats.restored++;
    return 0;
}
