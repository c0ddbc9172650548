/* code_cache.h — decoded blocks shared by the harts of one machine, looked up by physical pc,
 * and the per-page flags that keep them (and the TLBs) exact: a page holding decoded code or
 * page-table entries is never writable through a TLB, so every store to it goes through the
 * slow path, which invalidates what the store made stale. */
#ifndef REWIND_CODE_CACHE_H
#define REWIND_CODE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/cpu/insn.h"

struct hart;

#define PAGE_HAS_CODE 1u  /* blocks were decoded from this page */
#define PAGE_HAS_PTE  2u  /* a page walk read a PTE from this page */
#define PAGE_HAS_RESERVATION 4u /* a hart holds an LR reservation in this page */
#define PAGE_IN_WRITE_TLB 0x80u  /* some hart may hold a write translation of this page */

#define CODE_CACHE_MAX_HARTS 8

struct code_cache;

/* RAM [ram_base, ram_base + ram_size) is tracked; code elsewhere (ROM) is never written. */
struct code_cache *code_cache_create(uint64_t ram_base, uint64_t ram_size);
void code_cache_destroy(struct code_cache *cc);
int code_cache_attach_hart(struct code_cache *cc, struct hart *h);

struct block *code_cache_lookup(struct code_cache *cc, uint64_t ppc);
/* Allocate a block with room for `count` instructions plus the end sentinel. Returns NULL when
 * the arena is full: the caller then calls code_cache_flush (never while executing a block). */
struct block *code_cache_alloc(struct code_cache *cc, uint32_t count);
void code_cache_insert(struct code_cache *cc, struct block *b);
void code_cache_flush(struct code_cache *cc);

/* Mark a page; marking flushes the write-TLB entries that map it in every hart. */
void code_cache_mark_page(struct code_cache *cc, uint64_t paddr, unsigned flag);
/* A store of len bytes at paddr is about to happen / happened. Invalidates blocks decoded from
 * the page, flushes TLBs if a PTE page changed, and clears LR reservations in the page.
 * Returns true if anything was invalidated. */
bool code_cache_note_write(struct code_cache *cc, uint64_t paddr, uint64_t len);
/* Dirty-page tracking for incremental checkpoints: every RAM page written since the last
 * code_cache_take_dirty (through a write-TLB fill, a slow-path store, a page walk's A/D update
 * or a device) is marked. The machine marks what it loads itself; pages never written are
 * zero. */
void code_cache_mark_dirty(struct code_cache *cc, uint64_t paddr);
void code_cache_mark_all_dirty(struct code_cache *cc);
void code_cache_mark_range_dirty(struct code_cache *cc, uint64_t paddr, uint64_t len);
/* Call fn for each dirty page (index from the RAM base), clear the marks, and drop every
 * hart's write translations so that the next write to any page marks it again. */
void code_cache_take_dirty(struct code_cache *cc, void (*fn)(void *ctx, uint64_t page), void *ctx);

/* A hart put this page in its write TLB (so marking it must look for the entry). */
void code_cache_note_write_tlb(struct code_cache *cc, uint64_t paddr);

/* True if stores to this page must take the slow path. */
bool code_cache_page_guarded(const struct code_cache *cc, uint64_t paddr);

#endif
