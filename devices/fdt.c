/* fdt.c — device tree generation for the rewind virt board (libfdt sequential writer). */
#include "devices/fdt.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "devices/virt_map.h"

/* phandles: 1..8 the harts' interrupt controllers, then the PLIC and the test device. */
#define PHANDLE_CPU_INTC(h) (1u + (h))
#define PHANDLE_PLIC 16u
#define PHANDLE_TEST 17u

/* Interrupt numbers on a hart's local controller. */
enum { INTC_SSI = 1, INTC_MSI = 3, INTC_STI = 5, INTC_MTI = 7, INTC_SEI = 9, INTC_MEI = 11 };

struct writer {
    void *fdt;
    int err;
};

static void check(struct writer *w, int rc)
{
    if (rc < 0 && !w->err)
        w->err = rc;
}

static void prop_u32(struct writer *w, const char *name, uint32_t v)
{
    check(w, fdt_property_u32(w->fdt, name, v));
}

static void prop_str(struct writer *w, const char *name, const char *s)
{
    check(w, fdt_property_string(w->fdt, name, s));
}

/* A property of several big-endian cells. */
static void prop_cells(struct writer *w, const char *name, const uint32_t *cells, unsigned n)
{
    fdt32_t be[64];
    if (n > 64) {
        w->err = -FDT_ERR_NOSPACE;
        return;
    }
    for (unsigned i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    check(w, fdt_property(w->fdt, name, be, (int)(n * sizeof(fdt32_t))));
}

/* reg = <addr-hi addr-lo size-hi size-lo> with #address-cells = #size-cells = 2. */
static void prop_reg(struct writer *w, uint64_t base, uint64_t size)
{
    uint32_t cells[4] = { (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                          (uint32_t)size };
    prop_cells(w, "reg", cells, 4);
}

/* A string-list property ("a\0b\0"). */
static void prop_strings(struct writer *w, const char *name, const char *packed, int len)
{
    check(w, fdt_property(w->fdt, name, packed, len));
}

static void begin(struct writer *w, const char *name)
{
    check(w, fdt_begin_node(w->fdt, name));
}

static void end(struct writer *w)
{
    check(w, fdt_end_node(w->fdt));
}

static void cpus(struct writer *w, const struct fdt_machine *m)
{
    begin(w, "cpus");
    prop_u32(w, "#address-cells", 1);
    prop_u32(w, "#size-cells", 0);
    prop_u32(w, "timebase-frequency", (uint32_t)VIRT_TIMEBASE_HZ);
    for (unsigned h = 0; h < m->num_harts; h++) {
        char name[32];
        snprintf(name, sizeof(name), "cpu@%u", h);
        begin(w, name);
        prop_str(w, "device_type", "cpu");
        prop_u32(w, "reg", h);
        prop_str(w, "status", "okay");
        prop_str(w, "compatible", "riscv");
        prop_str(w, "riscv,isa", m->isa);
        prop_str(w, "mmu-type", m->mmu_type);
        begin(w, "interrupt-controller");
        prop_u32(w, "#interrupt-cells", 1);
        check(w, fdt_property(w->fdt, "interrupt-controller", NULL, 0));
        prop_str(w, "compatible", "riscv,cpu-intc");
        prop_u32(w, "phandle", PHANDLE_CPU_INTC(h));
        end(w);
        end(w);
    }
    end(w);
}

static void soc(struct writer *w, const struct fdt_machine *m)
{
    char name[64];
    begin(w, "soc");
    prop_u32(w, "#address-cells", 2);
    prop_u32(w, "#size-cells", 2);
    prop_str(w, "compatible", "simple-bus");
    check(w, fdt_property(w->fdt, "ranges", NULL, 0));

    /* CLINT: per hart, machine software and machine timer interrupts. */
    snprintf(name, sizeof(name), "clint@%llx", (unsigned long long)VIRT_CLINT_BASE);
    begin(w, name);
    prop_strings(w, "compatible", "sifive,clint0\0riscv,clint0", sizeof("sifive,clint0\0riscv,clint0"));
    prop_reg(w, VIRT_CLINT_BASE, VIRT_CLINT_SIZE);
    {
        uint32_t cells[4 * VIRT_MAX_HARTS];
        unsigned n = 0;
        for (unsigned h = 0; h < m->num_harts; h++) {
            cells[n++] = PHANDLE_CPU_INTC(h);
            cells[n++] = INTC_MSI;
            cells[n++] = PHANDLE_CPU_INTC(h);
            cells[n++] = INTC_MTI;
        }
        prop_cells(w, "interrupts-extended", cells, n);
    }
    end(w);

    /* PLIC: contexts 2h (M-mode external) and 2h+1 (S-mode external). */
    snprintf(name, sizeof(name), "plic@%llx", (unsigned long long)VIRT_PLIC_BASE);
    begin(w, name);
    prop_strings(w, "compatible", "sifive,plic-1.0.0\0riscv,plic0",
                 sizeof("sifive,plic-1.0.0\0riscv,plic0"));
    prop_reg(w, VIRT_PLIC_BASE, VIRT_PLIC_SIZE);
    prop_u32(w, "#address-cells", 0);
    prop_u32(w, "#interrupt-cells", 1);
    check(w, fdt_property(w->fdt, "interrupt-controller", NULL, 0));
    prop_u32(w, "riscv,ndev", 63);
    prop_u32(w, "phandle", PHANDLE_PLIC);
    {
        uint32_t cells[4 * VIRT_MAX_HARTS];
        unsigned n = 0;
        for (unsigned h = 0; h < m->num_harts; h++) {
            cells[n++] = PHANDLE_CPU_INTC(h);
            cells[n++] = INTC_MEI;
            cells[n++] = PHANDLE_CPU_INTC(h);
            cells[n++] = INTC_SEI;
        }
        prop_cells(w, "interrupts-extended", cells, n);
    }
    end(w);

    snprintf(name, sizeof(name), "serial@%llx", (unsigned long long)VIRT_UART_BASE);
    begin(w, name);
    prop_str(w, "compatible", "ns16550a");
    prop_reg(w, VIRT_UART_BASE, VIRT_UART_SIZE);
    prop_u32(w, "clock-frequency", VIRT_UART_CLOCK_HZ);
    prop_u32(w, "interrupt-parent", PHANDLE_PLIC);
    prop_u32(w, "interrupts", VIRT_IRQ_UART);
    end(w);

    snprintf(name, sizeof(name), "test@%llx", (unsigned long long)VIRT_TEST_BASE);
    begin(w, name);
    prop_strings(w, "compatible", "sifive,test1\0sifive,test0\0syscon",
                 sizeof("sifive,test1\0sifive,test0\0syscon"));
    prop_reg(w, VIRT_TEST_BASE, VIRT_TEST_SIZE);
    prop_u32(w, "phandle", PHANDLE_TEST);
    end(w);

    snprintf(name, sizeof(name), "rtc@%llx", (unsigned long long)VIRT_RTC_BASE);
    begin(w, name);
    prop_str(w, "compatible", "google,goldfish-rtc");
    prop_reg(w, VIRT_RTC_BASE, VIRT_RTC_SIZE);
    prop_u32(w, "interrupt-parent", PHANDLE_PLIC);
    prop_u32(w, "interrupts", VIRT_IRQ_RTC);
    end(w);

    for (unsigned i = 0; i < m->virtio_slots && i < VIRT_VIRTIO_SLOTS; i++) {
        uint64_t base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE;
        snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)base);
        begin(w, name);
        prop_str(w, "compatible", "virtio,mmio");
        prop_reg(w, base, VIRT_VIRTIO_STRIDE);
        prop_u32(w, "interrupt-parent", PHANDLE_PLIC);
        prop_u32(w, "interrupts", VIRT_IRQ_VIRTIO0 + i);
        end(w);
    }
    end(w);
}

long fdt_build(const struct fdt_machine *m, void *buf, size_t bufsize, char *err, size_t errlen)
{
    if (m->num_harts == 0 || m->num_harts > VIRT_MAX_HARTS) {
        snprintf(err, errlen, "device tree: %u harts (1..%d supported)", m->num_harts,
                 VIRT_MAX_HARTS);
        return -1;
    }
    struct writer w = { .fdt = buf };
    check(&w, fdt_create(buf, (int)bufsize));
    if (w.err) { /* buf holds no tree to continue with (and may be shorter than a header) */
        snprintf(err, errlen, "device tree: %s", fdt_strerror(w.err));
        return -1;
    }
    check(&w, fdt_finish_reservemap(buf));
    begin(&w, "");
    prop_u32(&w, "#address-cells", 2);
    prop_u32(&w, "#size-cells", 2);
    prop_str(&w, "compatible", "rewind,virt");
    prop_str(&w, "model", "rewind virt");

    begin(&w, "chosen");
    {
        char path[64];
        snprintf(path, sizeof(path), "/soc/serial@%llx", (unsigned long long)VIRT_UART_BASE);
        prop_str(&w, "stdout-path", path);
    }
    if (m->bootargs)
        prop_str(&w, "bootargs", m->bootargs);
    if (m->has_initrd) {
        check(&w, fdt_property_u64(buf, "linux,initrd-start", m->initrd_start));
        check(&w, fdt_property_u64(buf, "linux,initrd-end", m->initrd_end));
    }
    if (m->rng_seed && m->rng_seed_len)
        check(&w, fdt_property(buf, "rng-seed", m->rng_seed, (int)m->rng_seed_len));
    end(&w);

    {
        char name[64];
        snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)m->ram_base);
        begin(&w, name);
        prop_str(&w, "device_type", "memory");
        prop_reg(&w, m->ram_base, m->ram_size);
        end(&w);
    }
    cpus(&w, m);
    soc(&w, m);

    begin(&w, "poweroff");
    prop_str(&w, "compatible", "syscon-poweroff");
    prop_u32(&w, "regmap", PHANDLE_TEST);
    prop_u32(&w, "offset", 0);
    prop_u32(&w, "value", 0x5555);
    end(&w);
    begin(&w, "reboot");
    prop_str(&w, "compatible", "syscon-reboot");
    prop_u32(&w, "regmap", PHANDLE_TEST);
    prop_u32(&w, "offset", 0);
    prop_u32(&w, "value", 0x7777);
    end(&w);

    end(&w);
    check(&w, fdt_finish(buf));
    if (w.err) {
        snprintf(err, errlen, "device tree: %s", fdt_strerror(w.err));
        return -1;
    }
    return (long)fdt_totalsize(buf);
}
