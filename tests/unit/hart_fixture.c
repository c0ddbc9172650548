/* hart_fixture.c — see hart_fixture.h. */
#include "hart_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/cpu/code_cache.h"

struct machine *machine_new(void)
{
    struct machine *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    m->ram = calloc(1, RAM_SIZE);
    assert_non_null(m->ram);
    bus_init(&m->bus);
    assert_int_equal(bus_add_ram(&m->bus, "ram", RAM_BASE, RAM_SIZE, m->ram), 0);
    m->cc = code_cache_create(RAM_BASE, RAM_SIZE);
    assert_non_null(m->cc);
    hart_init(&m->h, 0, &m->bus, m->cc, (struct hart_platform){ 0 });
    m->h.pc = CODE_BASE;
    wr32(m, MTRAP_PC, J_SELF);
    wr32(m, STRAP_PC, J_SELF);
    csr_set(m, CSR_MTVEC, MTRAP_PC);
    csr_set(m, CSR_STVEC, STRAP_PC);
    /* entry 15: NAPOT covering all of the address space, RWX */
    csr_set(m, CSR_PMPADDR0 + 15, (1ull << 54) - 1);
    csr_set(m, CSR_PMPCFG2, 0x1full << 56);
    m->at = CODE_BASE;
    return m;
}

void machine_free(struct machine *m)
{
    if (!m)
        return;
    code_cache_destroy(m->cc);
    free(m->ram);
    free(m);
}

uint8_t *ram_ptr(struct machine *m, uint64_t pa)
{
    assert_true(pa >= RAM_BASE && pa - RAM_BASE < RAM_SIZE);
    return m->ram + (pa - RAM_BASE);
}

void wr8(struct machine *m, uint64_t pa, uint8_t v) { *ram_ptr(m, pa) = v; }
void wr16(struct machine *m, uint64_t pa, uint16_t v) { memcpy(ram_ptr(m, pa), &v, 2); }
void wr32(struct machine *m, uint64_t pa, uint32_t v) { memcpy(ram_ptr(m, pa), &v, 4); }
void wr64(struct machine *m, uint64_t pa, uint64_t v) { memcpy(ram_ptr(m, pa), &v, 8); }
uint8_t rd8(struct machine *m, uint64_t pa) { return *ram_ptr(m, pa); }
uint16_t rd16(struct machine *m, uint64_t pa) { uint16_t v; memcpy(&v, ram_ptr(m, pa), 2); return v; }
uint32_t rd32(struct machine *m, uint64_t pa) { uint32_t v; memcpy(&v, ram_ptr(m, pa), 4); return v; }
uint64_t rd64(struct machine *m, uint64_t pa) { uint64_t v; memcpy(&v, ram_ptr(m, pa), 8); return v; }

void org(struct machine *m, uint64_t pa)
{
    m->at = pa;
}

uint64_t emit(struct machine *m, uint32_t insn)
{
    uint64_t a = m->at;
    wr32(m, a, insn);
    m->at += 4;
    return a;
}

uint64_t emit16(struct machine *m, uint16_t insn)
{
    uint64_t a = m->at;
    wr16(m, a, insn);
    m->at += 2;
    return a;
}

uint64_t run(struct machine *m, uint64_t n)
{
    return hart_run(&m->h, n, &m->stop);
}

void enter_priv(struct machine *m, enum priv p)
{
    m->h.priv = p;
    hart_update_dmode(&m->h);
}

void csr_set(struct machine *m, uint32_t csr, uint64_t v)
{
    enum priv saved = m->h.priv;
    m->h.priv = PRIV_M;
    assert_int_equal(hart_csr_write(&m->h, csr, v), 0);
    m->h.priv = saved;
    hart_update_dmode(&m->h);
}

uint64_t csr_get(struct machine *m, uint32_t csr)
{
    enum priv saved = m->h.priv;
    uint64_t v = 0;
    m->h.priv = PRIV_M;
    assert_int_equal(hart_csr_read(&m->h, csr, &v), 0);
    m->h.priv = saved;
    return v;
}
