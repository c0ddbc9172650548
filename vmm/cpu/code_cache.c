/* code_cache.c — the decoded-block arena and hash table, and the per-page guard flags
 * (see code_cache.h). */
#include "vmm/cpu/code_cache.h"

#include <stdlib.h>
#include <string.h>

#include "vmm/cpu/hart.h"

#define HASH_BITS 16
#define ARENA_BYTES (64u << 20)

struct code_cache {
    uint64_t ram_base, ram_pages;
    uint8_t *page_flags;
    struct block **page_blocks;     /* per RAM page: blocks decoded from it */
    struct block *hash[1u << HASH_BITS];
    uint8_t *arena;
    size_t arena_used;
    struct hart *harts[CODE_CACHE_MAX_HARTS];
    int hart_count;
    uint64_t *dirty;                /* bitmap over RAM pages */
};

struct code_cache *code_cache_create(uint64_t ram_base, uint64_t ram_size)
{
    struct code_cache *cc = calloc(1, sizeof(*cc));
    if (!cc)
        return NULL;
    cc->ram_base = ram_base;
    cc->ram_pages = ram_size >> 12;
    cc->page_flags = calloc(cc->ram_pages ? cc->ram_pages : 1, 1);
    cc->page_blocks = calloc(cc->ram_pages ? cc->ram_pages : 1, sizeof(struct block *));
    cc->arena = malloc(ARENA_BYTES);
    cc->dirty = calloc((cc->ram_pages + 63) / 64 + 1, sizeof(uint64_t));
    if (!cc->page_flags || !cc->page_blocks || !cc->arena || !cc->dirty) {
        code_cache_destroy(cc);
        return NULL;
    }
    return cc;
}

void code_cache_destroy(struct code_cache *cc)
{
    if (!cc)
        return;
    free(cc->page_flags);
    free(cc->page_blocks);
    free(cc->dirty);
    free(cc->arena);
    free(cc);
}

int code_cache_attach_hart(struct code_cache *cc, struct hart *h)
{
    if (cc->hart_count >= CODE_CACHE_MAX_HARTS)
        return -1;
    cc->harts[cc->hart_count++] = h;
    return 0;
}

static unsigned hash_of(uint64_t ppc)
{
    return (unsigned)((ppc >> 1) ^ (ppc >> (HASH_BITS + 1))) & ((1u << HASH_BITS) - 1);
}

static bool ram_page_index(const struct code_cache *cc, uint64_t paddr, uint64_t *index)
{
    if (paddr < cc->ram_base)
        return false;
    uint64_t i = (paddr - cc->ram_base) >> 12;
    if (i >= cc->ram_pages)
        return false;
    *index = i;
    return true;
}

struct block *code_cache_lookup(struct code_cache *cc, uint64_t ppc)
{
    for (struct block *b = cc->hash[hash_of(ppc)]; b; b = b->hash_next)
        if (b->ppc == ppc)
            return b;
    return NULL;
}

struct block *code_cache_alloc(struct code_cache *cc, uint32_t count)
{
    size_t bytes = sizeof(struct block) + (count + 1) * sizeof(struct insn);
    bytes = (bytes + 15) & ~(size_t)15;
    if (cc->arena_used + bytes > ARENA_BYTES)
        return NULL;
    struct block *b = (struct block *)(cc->arena + cc->arena_used);
    cc->arena_used += bytes;
    memset(b, 0, sizeof(*b));
    return b;
}

void code_cache_insert(struct code_cache *cc, struct block *b)
{
    unsigned hv = hash_of(b->ppc);
    b->hash_next = cc->hash[hv];
    cc->hash[hv] = b;
    b->valid = true;
    uint64_t pi;
    if (ram_page_index(cc, b->ppc, &pi)) {
        b->page_next = cc->page_blocks[pi];
        cc->page_blocks[pi] = b;
    }
    code_cache_mark_page(cc, b->ppc, PAGE_HAS_CODE);
}

void code_cache_flush(struct code_cache *cc)
{
    memset(cc->hash, 0, sizeof(cc->hash));
    memset(cc->page_blocks, 0, cc->ram_pages * sizeof(struct block *));
    for (uint64_t i = 0; i < cc->ram_pages; i++)
        cc->page_flags[i] &= (uint8_t)~PAGE_HAS_CODE;
    cc->arena_used = 0;
    /* The arena is about to be reused: no hart's jump cache may point into it any more. */
    for (int i = 0; i < cc->hart_count; i++)
        memset(cc->harts[i]->jcache, 0, sizeof(cc->harts[i]->jcache));
}

void code_cache_mark_page(struct code_cache *cc, uint64_t paddr, unsigned flag)
{
    uint64_t pi;
    if (!ram_page_index(cc, paddr, &pi) || (cc->page_flags[pi] & flag))
        return;
    cc->page_flags[pi] |= (uint8_t)flag;
    /* Only a page that was ever put in a write TLB can be there: look only then. */
    if (cc->page_flags[pi] & PAGE_IN_WRITE_TLB) {
        cc->page_flags[pi] &= (uint8_t)~PAGE_IN_WRITE_TLB;
        for (int i = 0; i < cc->hart_count; i++)
            hart_tlb_flush_ppage(cc->harts[i], paddr >> 12, TLB_WRITE);
    }
}

void code_cache_note_write_tlb(struct code_cache *cc, uint64_t paddr)
{
    uint64_t pi;
    if (ram_page_index(cc, paddr, &pi))
        cc->page_flags[pi] |= PAGE_IN_WRITE_TLB;
}

bool code_cache_page_guarded(const struct code_cache *cc, uint64_t paddr)
{
    uint64_t pi;
    return ram_page_index(cc, paddr, &pi) && (cc->page_flags[pi] & ~PAGE_IN_WRITE_TLB) != 0;
}

static void unlink_from_hash(struct code_cache *cc, struct block *b)
{
    struct block **pp = &cc->hash[hash_of(b->ppc)];
    while (*pp) {
        if (*pp == b) {
            *pp = b->hash_next;
            return;
        }
        pp = &(*pp)->hash_next;
    }
}

static bool note_page_write(struct code_cache *cc, uint64_t paddr)
{
    uint64_t pi;
    if (!ram_page_index(cc, paddr, &pi) || !(cc->page_flags[pi] & ~PAGE_IN_WRITE_TLB))
        return false;
    if (cc->page_flags[pi] & PAGE_HAS_CODE) {
        /* Blocks stay in the arena (a hart may be executing one right now) but are
         * unreachable from now on. */
        for (struct block *b = cc->page_blocks[pi]; b; b = b->page_next) {
            b->valid = false;
            unlink_from_hash(cc, b);
        }
        cc->page_blocks[pi] = NULL;
    }
    if (cc->page_flags[pi] & PAGE_HAS_PTE) {
        /* A page-table entry may have changed: no TLB may keep a translation derived from
         * it, so that the TLB never makes behaviour depend on its own contents. */
        for (int i = 0; i < cc->hart_count; i++)
            hart_tlb_flush(cc->harts[i]);
    }
    if (cc->page_flags[pi] & PAGE_HAS_RESERVATION) {
        /* A store to a reserved page: no SC may succeed on it any more. */
        for (int i = 0; i < cc->hart_count; i++) {
            struct hart *h = cc->harts[i];
            if (h->reservation_valid && (h->reservation_paddr >> 12) == (paddr >> 12))
                h->reservation_valid = false;
        }
    }
    cc->page_flags[pi] &= PAGE_IN_WRITE_TLB;
    return true;
}

void code_cache_mark_dirty(struct code_cache *cc, uint64_t paddr)
{
    uint64_t pi;
    if (ram_page_index(cc, paddr, &pi))
        cc->dirty[pi / 64] |= 1ull << (pi % 64);
}

void code_cache_mark_all_dirty(struct code_cache *cc)
{
    for (uint64_t pi = 0; pi < cc->ram_pages; pi++)
        cc->dirty[pi / 64] |= 1ull << (pi % 64);
}

void code_cache_mark_range_dirty(struct code_cache *cc, uint64_t paddr, uint64_t len)
{
    if (!len)
        return;
    for (uint64_t a = paddr & ~0xfffull; a < paddr + len; a += 4096)
        code_cache_mark_dirty(cc, a);
}

void code_cache_take_dirty(struct code_cache *cc, void (*fn)(void *ctx, uint64_t page), void *ctx)
{
    for (uint64_t w = 0; w < (cc->ram_pages + 63) / 64; w++) {
        uint64_t bits = cc->dirty[w];
        cc->dirty[w] = 0;
        while (bits) {
            unsigned b = (unsigned)__builtin_ctzll(bits);
            bits &= bits - 1;
            uint64_t pi = w * 64 + b;
            if (pi < cc->ram_pages)
                fn(ctx, pi);
        }
    }
    for (int i = 0; i < cc->hart_count; i++)
        hart_tlb_flush_writes(cc->harts[i]);
}

bool code_cache_note_write(struct code_cache *cc, uint64_t paddr, uint64_t len)
{
    if (len) {
        code_cache_mark_dirty(cc, paddr);
        code_cache_mark_dirty(cc, paddr + len - 1);
    }
    if (len == 0)
        return false;
    bool hit = false;
    uint64_t first = paddr >> 12, last = (paddr + len - 1) >> 12;
    for (uint64_t p = first; p <= last; p++)
        hit |= note_page_write(cc, p << 12);
    return hit;
}
