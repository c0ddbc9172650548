/* mmu.h — address translation (Sv39/Sv48), PMP, the TLB fill, and the slow paths of loads,
 * stores, AMOs and fetches. Internal to vmm/cpu. */
#ifndef REWIND_MMU_H
#define REWIND_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/cpu/hart.h"

/* Results of a slow-path memory access. */
enum mem_result {
    MEM_OK = 0,
    MEM_FAULT = 1, /* h->exc_cause / h->exc_tval are set */
    MEM_EXIT = 2,  /* done, but leave the decoded block (MMIO side effects, code changed) */
};

/* Translate vaddr for an access of the given type as privilege `mode` would make it.
 * Returns 0 and the physical address, or the exception cause (page or access fault). */
int mmu_translate(struct hart *h, uint64_t vaddr, enum tlb_access access, int mode,
                  uint64_t *paddr);

/* The same without side effects (no A/D update, no page marking): for debuggers. */
int mmu_translate_quiet(struct hart *h, uint64_t vaddr, enum tlb_access access, int mode,
                        uint64_t *paddr);

/* PMP check of [paddr, paddr+len) for an access by privilege `mode`. */
bool pmp_allows(const struct hart *h, uint64_t paddr, uint64_t len, enum tlb_access access,
                int mode);
/* Whether the whole 4 KiB page at paddr gets one PMP verdict (so it may be cached). */
bool pmp_page_uniform(const struct hart *h, uint64_t page, enum tlb_access access, int mode,
                      bool *allowed);

int mmu_load_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value);
/* LR: an aligned load that also takes a reservation on its (RAM) page. MEM_OK/MEM_FAULT. */
int mmu_load_reserved(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value);
int mmu_store_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t value);
/* Host pointer for an aligned read-modify-write (AMO, SC) of `size` bytes; faults as a
 * store. Translation through the write TLB. Returns MEM_OK or MEM_FAULT. Also gives the
 * physical address. */
int mmu_amo_prepare(struct hart *h, uint64_t vaddr, unsigned size, uint8_t **host,
                    uint64_t *paddr);
/* After an AMO/SC wrote through the pointer: invalidate guarded pages. MEM_OK or MEM_EXIT. */
int mmu_amo_written(struct hart *h, uint64_t paddr, unsigned size);

/* Fetch translation for the block at vpc: physical pc and a host pointer to its page
 * (NULL if not RAM/ROM). Returns 0 or the exception cause. */
int mmu_fetch(struct hart *h, uint64_t vpc, uint64_t *ppc, const uint8_t **page_host);

#endif
