/* test_fdt.c — the generated device tree, parsed back with libfdt and checked against the
 * devicetree specification (v0.4: root cells, /memory, /cpus, /chosen) and the Linux bindings
 * the kernel relies on (riscv,cpu-intc, sifive,clint0, sifive,plic-1.0.0, ns16550a,
 * google,goldfish-rtc, syscon-poweroff/-reboot, virtio,mmio), for 1, 2 and 8 harts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "devices/fdt.h"
#include "devices/virt_map.h"

#define BUF_SIZE (64 * 1024)
#define ISA "rv64imafdc_zicntr_zicsr_zifencei_zba_zbb"
#define MMU "riscv,sv48"
#define RAM_SIZE_T (256ull << 20)

static const uint8_t seed[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03,
                                0xff, 0x7f, 0x80, 0x10, 0x20, 0x30, 0x40, 0x55 };

static struct fdt_machine base_machine(unsigned harts)
{
    return (struct fdt_machine){
        .num_harts = harts, .isa = ISA, .mmu_type = MMU,
        .ram_base = VIRT_RAM_BASE, .ram_size = RAM_SIZE_T,
    };
}

/* Build into a fresh buffer and check the blob is well formed. */
static void *build(const struct fdt_machine *m)
{
    void *buf = malloc(BUF_SIZE);
    assert_non_null(buf);
    memset(buf, 0xa5, BUF_SIZE);
    char err[256] = "";
    long n = fdt_build(m, buf, BUF_SIZE, err, sizeof(err));
    if (n < 0)
        fail_msg("fdt_build failed: %s", err);
    assert_true(n > 0 && n <= BUF_SIZE);
    assert_int_equal(fdt_check_header(buf), 0);
    assert_int_equal((long)fdt_totalsize(buf), n);
    assert_int_equal(fdt_magic(buf), FDT_MAGIC);
    return buf;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    if (off < 0)
        fail_msg("no node %s: %s", path, fdt_strerror(off));
    return off;
}

static const void *prop(const void *fdt, int off, const char *name, int *len)
{
    int l = -1;
    const void *p = fdt_getprop(fdt, off, name, &l);
    if (!p)
        fail_msg("node %s has no property %s", fdt_get_name(fdt, off, NULL), name);
    if (len)
        *len = l;
    return p;
}

static uint32_t prop_u32(const void *fdt, int off, const char *name)
{
    int len;
    const fdt32_t *p = prop(fdt, off, name, &len);
    assert_int_equal(len, 4);
    return fdt32_to_cpu(*p);
}

static uint32_t cell(const void *p, int i)
{
    fdt32_t v;
    memcpy(&v, (const uint8_t *)p + 4 * i, 4);
    return fdt32_to_cpu(v);
}

static uint64_t u64_at(const void *p, int i)
{
    return ((uint64_t)cell(p, 2 * i) << 32) | cell(p, 2 * i + 1);
}

static void assert_str_prop(const void *fdt, int off, const char *name, const char *want)
{
    int len;
    const char *s = prop(fdt, off, name, &len);
    assert_int_equal(len, (int)strlen(want) + 1);
    assert_string_equal(s, want);
}

/* reg with #address-cells = #size-cells = 2 */
static void assert_reg(const void *fdt, int off, uint64_t base, uint64_t size)
{
    int len;
    const void *p = prop(fdt, off, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(u64_at(p, 0), base);
    assert_int_equal(u64_at(p, 1), size);
}

static void assert_bool_prop(const void *fdt, int off, const char *name)
{
    int len;
    prop(fdt, off, name, &len);
    assert_int_equal(len, 0);
}

/* Path of the node at off, e.g. "/soc/serial@10000000". */
static const char *path_of(const void *fdt, int off)
{
    static char path[256];
    assert_int_equal(fdt_get_path(fdt, off, path, sizeof(path)), 0);
    return path;
}

/* The phandle of cpu@h's interrupt controller, checked to lead back to that node. */
static uint32_t intc_phandle(const void *fdt, unsigned h)
{
    char path[64];
    snprintf(path, sizeof(path), "/cpus/cpu@%u/interrupt-controller", h);
    int off = node(fdt, path);
    uint32_t ph = fdt_get_phandle(fdt, off);
    assert_true(ph != 0 && ph != (uint32_t)-1);
    assert_int_equal(fdt_node_offset_by_phandle(fdt, ph), off);
    return ph;
}

/* ---- the checks ---- */

static void check_root(const void *fdt)
{
    int root = node(fdt, "/");
    assert_int_equal(prop_u32(fdt, root, "#address-cells"), 2);
    assert_int_equal(prop_u32(fdt, root, "#size-cells"), 2);
    assert_int_equal(fdt_address_cells(fdt, root), 2);
    assert_int_equal(fdt_size_cells(fdt, root), 2);
    prop(fdt, root, "compatible", NULL);
    prop(fdt, root, "model", NULL);
    int soc = node(fdt, "/soc");
    assert_int_equal(fdt_address_cells(fdt, soc), 2);
    assert_int_equal(fdt_size_cells(fdt, soc), 2);
    assert_int_equal(fdt_node_check_compatible(fdt, soc, "simple-bus"), 0);
    assert_bool_prop(fdt, soc, "ranges");
}

static void check_memory(const void *fdt, uint64_t base, uint64_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/memory@%llx", (unsigned long long)base);
    int off = node(fdt, path);
    assert_str_prop(fdt, off, "device_type", "memory");
    assert_reg(fdt, off, base, size);
}

static void check_stdout(const void *fdt)
{
    int chosen = node(fdt, "/chosen");
    int len;
    const char *path = prop(fdt, chosen, "stdout-path", &len);
    assert_true(len > 1 && path[len - 1] == '\0');
    /* stdout-path may carry ":options" after the path */
    char p[128];
    snprintf(p, sizeof(p), "%s", path);
    char *colon = strchr(p, ':');
    if (colon)
        *colon = '\0';
    int off = fdt_path_offset(fdt, p);
    assert_true(off >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, off, "ns16550a"), 0);
    int uart = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
    assert_int_equal(off, uart);
}

static void check_cpus(const void *fdt, unsigned harts)
{
    int cpus = node(fdt, "/cpus");
    assert_int_equal(prop_u32(fdt, cpus, "#address-cells"), 1);
    assert_int_equal(prop_u32(fdt, cpus, "#size-cells"), 0);
    assert_int_equal(prop_u32(fdt, cpus, "timebase-frequency"), 10000000u);
    assert_int_equal(VIRT_TIMEBASE_HZ, 10000000u);

    unsigned count = 0;
    int child;
    fdt_for_each_subnode(child, fdt, cpus) {
        int len;
        const char *dt = fdt_getprop(fdt, child, "device_type", &len);
        if (dt && strcmp(dt, "cpu") == 0)
            count++;
    }
    assert_int_equal(count, harts);

    uint32_t seen[VIRT_MAX_HARTS];
    for (unsigned h = 0; h < harts; h++) {
        char path[64];
        snprintf(path, sizeof(path), "/cpus/cpu@%u", h);
        int cpu = node(fdt, path);
        assert_str_prop(fdt, cpu, "device_type", "cpu");
        assert_int_equal(prop_u32(fdt, cpu, "reg"), h);
        assert_str_prop(fdt, cpu, "status", "okay");
        assert_int_equal(fdt_node_check_compatible(fdt, cpu, "riscv"), 0);
        const char *isa = prop(fdt, cpu, "riscv,isa", NULL);
        assert_int_equal(strncmp(isa, "rv64imafdc", 10), 0);
        assert_string_equal(isa, ISA);
        assert_str_prop(fdt, cpu, "mmu-type", MMU);

        int intc = fdt_subnode_offset(fdt, cpu, "interrupt-controller");
        assert_true(intc >= 0);
        assert_int_equal(fdt_parent_offset(fdt, intc), cpu);
        assert_str_prop(fdt, intc, "compatible", "riscv,cpu-intc");
        assert_int_equal(prop_u32(fdt, intc, "#interrupt-cells"), 1);
        assert_bool_prop(fdt, intc, "interrupt-controller");
        seen[h] = intc_phandle(fdt, h);
        for (unsigned j = 0; j < h; j++)
            assert_true(seen[j] != seen[h]);
    }
    char path[64];
    snprintf(path, sizeof(path), "/cpus/cpu@%u", harts);
    assert_true(fdt_path_offset(fdt, path) < 0);
}

static void check_clint(const void *fdt, unsigned harts)
{
    int off = fdt_node_offset_by_compatible(fdt, -1, "sifive,clint0");
    assert_true(off >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, off, "riscv,clint0"), 0);
    assert_string_equal(path_of(fdt, off), "/soc/clint@2000000");
    assert_reg(fdt, off, VIRT_CLINT_BASE, VIRT_CLINT_SIZE);
    int len;
    const void *ie = prop(fdt, off, "interrupts-extended", &len);
    assert_int_equal(len, (int)(harts * 4 * 4));
    for (unsigned h = 0; h < harts; h++) {
        uint32_t ph = intc_phandle(fdt, h);
        assert_int_equal(cell(ie, 4 * h + 0), ph);
        assert_int_equal(cell(ie, 4 * h + 1), 3);  /* machine software interrupt */
        assert_int_equal(cell(ie, 4 * h + 2), ph);
        assert_int_equal(cell(ie, 4 * h + 3), 7);  /* machine timer interrupt */
    }
}

static uint32_t check_plic(const void *fdt, unsigned harts)
{
    int off = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
    assert_true(off >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, off, "riscv,plic0"), 0);
    assert_string_equal(path_of(fdt, off), "/soc/plic@c000000");
    assert_reg(fdt, off, VIRT_PLIC_BASE, VIRT_PLIC_SIZE);
    assert_bool_prop(fdt, off, "interrupt-controller");
    assert_int_equal(prop_u32(fdt, off, "#interrupt-cells"), 1);
    assert_int_equal(prop_u32(fdt, off, "riscv,ndev"), 63);
    uint32_t ph = fdt_get_phandle(fdt, off);
    assert_true(ph != 0 && ph != (uint32_t)-1);
    assert_int_equal(fdt_node_offset_by_phandle(fdt, ph), off);
    int len;
    const void *ie = prop(fdt, off, "interrupts-extended", &len);
    assert_int_equal(len, (int)(harts * 4 * 4));
    /* contexts in order: hart h M-mode (2h), then S-mode (2h + 1) */
    for (unsigned h = 0; h < harts; h++) {
        uint32_t intc = intc_phandle(fdt, h);
        assert_int_equal(cell(ie, 4 * h + 0), intc);
        assert_int_equal(cell(ie, 4 * h + 1), 11); /* machine external */
        assert_int_equal(cell(ie, 4 * h + 2), intc);
        assert_int_equal(cell(ie, 4 * h + 3), 9);  /* supervisor external */
    }
    return ph;
}

static void check_devices(const void *fdt, uint32_t plic)
{
    int uart = node(fdt, "/soc/serial@10000000");
    assert_str_prop(fdt, uart, "compatible", "ns16550a");
    assert_reg(fdt, uart, VIRT_UART_BASE, VIRT_UART_SIZE);
    assert_int_equal(prop_u32(fdt, uart, "interrupts"), 10);
    assert_int_equal(VIRT_IRQ_UART, 10);
    assert_int_equal(prop_u32(fdt, uart, "interrupt-parent"), plic);
    assert_int_equal(prop_u32(fdt, uart, "clock-frequency"), VIRT_UART_CLOCK_HZ);

    int rtc = fdt_node_offset_by_compatible(fdt, -1, "google,goldfish-rtc");
    assert_true(rtc >= 0);
    assert_string_equal(path_of(fdt, rtc), "/soc/rtc@101000");
    assert_reg(fdt, rtc, VIRT_RTC_BASE, VIRT_RTC_SIZE);
    assert_int_equal(prop_u32(fdt, rtc, "interrupts"), 11);
    assert_int_equal(prop_u32(fdt, rtc, "interrupt-parent"), plic);

    int test = fdt_node_offset_by_compatible(fdt, -1, "sifive,test0");
    assert_true(test >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, test, "syscon"), 0);
    assert_string_equal(path_of(fdt, test), "/soc/test@100000");
    assert_reg(fdt, test, VIRT_TEST_BASE, VIRT_TEST_SIZE);
    uint32_t test_ph = fdt_get_phandle(fdt, test);
    assert_true(test_ph != 0 && test_ph != (uint32_t)-1);

    static const struct { const char *compat; uint32_t value; } syscons[] = {
        { "syscon-poweroff", 0x5555 },
        { "syscon-reboot", 0x7777 },
    };
    for (size_t i = 0; i < 2; i++) {
        int off = fdt_node_offset_by_compatible(fdt, -1, syscons[i].compat);
        assert_true(off >= 0);
        uint32_t regmap = prop_u32(fdt, off, "regmap");
        assert_int_equal(regmap, test_ph);
        assert_int_equal(fdt_node_offset_by_phandle(fdt, regmap), test);
        assert_int_equal(prop_u32(fdt, off, "offset"), 0);
        assert_int_equal(prop_u32(fdt, off, "value"), syscons[i].value);
    }

    /* every phandle in the tree is unique */
    uint32_t phs[64];
    int n = 0;
    for (int off = fdt_next_node(fdt, -1, NULL); off >= 0; off = fdt_next_node(fdt, off, NULL)) {
        uint32_t ph = fdt_get_phandle(fdt, off);
        if (!ph)
            continue;
        for (int j = 0; j < n; j++)
            assert_true(phs[j] != ph);
        assert_true(n < 64);
        phs[n++] = ph;
    }
}

static void check_virtio(const void *fdt, unsigned slots, uint32_t plic)
{
    unsigned count = 0;
    for (int off = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); off >= 0;
         off = fdt_node_offset_by_compatible(fdt, off, "virtio,mmio"))
        count++;
    assert_int_equal(count, slots);
    for (unsigned i = 0; i < slots; i++) {
        uint64_t base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_STRIDE;
        char path[64];
        snprintf(path, sizeof(path), "/soc/virtio_mmio@%llx", (unsigned long long)base);
        int off = node(fdt, path);
        assert_int_equal(fdt_node_check_compatible(fdt, off, "virtio,mmio"), 0);
        assert_reg(fdt, off, base, VIRT_VIRTIO_STRIDE);
        assert_int_equal(prop_u32(fdt, off, "interrupts"), 1 + i);
        assert_int_equal(prop_u32(fdt, off, "interrupt-parent"), plic);
    }
}

static void check_all(const void *fdt, const struct fdt_machine *m)
{
    check_root(fdt);
    check_memory(fdt, m->ram_base, m->ram_size);
    check_stdout(fdt);
    check_cpus(fdt, m->num_harts);
    check_clint(fdt, m->num_harts);
    uint32_t plic = check_plic(fdt, m->num_harts);
    check_devices(fdt, plic);
    check_virtio(fdt, m->virtio_slots, plic);
}

/* ---- tests ---- */

static void test_harts(unsigned harts)
{
    struct fdt_machine m = base_machine(harts);
    void *fdt = build(&m);
    check_all(fdt, &m);
    /* nothing optional in /chosen */
    int chosen = node(fdt, "/chosen");
    assert_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
    assert_null(fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
    assert_null(fdt_getprop(fdt, chosen, "linux,initrd-end", NULL));
    assert_null(fdt_getprop(fdt, chosen, "rng-seed", NULL));
    free(fdt);
}

static void test_one_hart(void **state) { (void)state; test_harts(1); }
static void test_two_harts(void **state) { (void)state; test_harts(2); }
static void test_eight_harts(void **state) { (void)state; test_harts(8); }

static void test_chosen_everything(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(2);
    m.bootargs = "console=ttyS0 earlycon=sbi root=/dev/vda rw";
    m.has_initrd = true;
    m.initrd_start = 0x100000000ull;
    m.initrd_end = 0x101234567ull;
    m.rng_seed = seed;
    m.rng_seed_len = sizeof(seed);
    m.ram_size = 5ull << 30; /* > 4 GiB: both reg cells matter */
    void *fdt = build(&m);
    check_all(fdt, &m);
    int chosen = node(fdt, "/chosen");
    assert_str_prop(fdt, chosen, "bootargs", m.bootargs);
    int len;
    const void *p = prop(fdt, chosen, "linux,initrd-start", &len);
    assert_int_equal(len, 8);
    assert_int_equal(u64_at(p, 0), 0x100000000ull);
    p = prop(fdt, chosen, "linux,initrd-end", &len);
    assert_int_equal(len, 8);
    assert_int_equal(u64_at(p, 0), 0x101234567ull);
    p = prop(fdt, chosen, "rng-seed", &len);
    assert_int_equal(len, (int)sizeof(seed));
    assert_memory_equal(p, seed, sizeof(seed));
    free(fdt);
}

static void test_chosen_bootargs_only(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(1);
    m.bootargs = "";
    void *fdt = build(&m);
    int chosen = node(fdt, "/chosen");
    assert_str_prop(fdt, chosen, "bootargs", "");
    assert_null(fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
    assert_null(fdt_getprop(fdt, chosen, "rng-seed", NULL));
    free(fdt);

    m.bootargs = "quiet";
    m.has_initrd = true;
    m.initrd_start = 0x84000000ull;
    m.initrd_end = 0x84100000ull;
    fdt = build(&m);
    chosen = node(fdt, "/chosen");
    assert_str_prop(fdt, chosen, "bootargs", "quiet");
    int len;
    const void *p = prop(fdt, chosen, "linux,initrd-start", &len);
    assert_int_equal(len, 8);
    assert_int_equal(u64_at(p, 0), 0x84000000ull);
    p = prop(fdt, chosen, "linux,initrd-end", &len);
    assert_int_equal(len, 8);
    assert_int_equal(u64_at(p, 0), 0x84100000ull);
    free(fdt);
}

static void test_rng_seed_only(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(1);
    m.rng_seed = seed;
    m.rng_seed_len = 5;
    void *fdt = build(&m);
    int chosen = node(fdt, "/chosen");
    int len;
    const void *p = prop(fdt, chosen, "rng-seed", &len);
    assert_int_equal(len, 5);
    assert_memory_equal(p, seed, 5);
    assert_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
    free(fdt);
    /* a zero-length seed is no seed */
    m.rng_seed_len = 0;
    fdt = build(&m);
    assert_null(fdt_getprop(fdt, node(fdt, "/chosen"), "rng-seed", NULL));
    free(fdt);
}

static void test_memory_node(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(1);
    m.ram_size = 16ull << 20;
    void *fdt = build(&m);
    check_memory(fdt, 0x80000000ull, 16ull << 20);
    free(fdt);
    /* the node is named after, and reg follows, the configured base */
    m.ram_base = 0x100000000ull;
    m.ram_size = 0x80000000ull;
    fdt = build(&m);
    check_memory(fdt, 0x100000000ull, 0x80000000ull);
    assert_true(fdt_path_offset(fdt, "/memory@80000000") < 0);
    free(fdt);
}

static void test_virtio_slots(void **state)
{
    (void)state;
    for (unsigned slots = 0; slots <= VIRT_VIRTIO_SLOTS; slots++) {
        struct fdt_machine m = base_machine(slots % 2 ? 2 : 1);
        m.virtio_slots = slots;
        void *fdt = build(&m);
        check_all(fdt, &m);
        free(fdt);
    }
}

static void test_bad_hart_counts(void **state)
{
    (void)state;
    static uint8_t buf[BUF_SIZE];
    unsigned bad[] = { 0, VIRT_MAX_HARTS + 1, 64 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct fdt_machine m = base_machine(bad[i]);
        char err[256] = "";
        assert_int_equal(fdt_build(&m, buf, sizeof(buf), err, sizeof(err)), -1);
        assert_true(strlen(err) > 0);
        assert_non_null(strstr(err, "hart"));
    }
}

static void test_small_buffers(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(8);
    m.bootargs = "console=ttyS0";
    m.virtio_slots = 8;
    /* how much the full tree needs */
    void *full = build(&m);
    size_t need = fdt_totalsize(full);
    free(full);

    size_t sizes[] = { 0, 1, 4, 16, 39, 40, 64, 200, 1024, need / 2, need - 1 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t sz = sizes[i];
        /* exactly sz bytes of heap so that the sanitizers (or a guard) catch an overrun */
        uint8_t *buf = calloc(1, sz + 256);
        assert_non_null(buf);
        memset(buf + sz, 0x5a, 256);
        char err[256] = "";
        assert_int_equal(fdt_build(&m, buf, sz, err, sizeof(err)), -1);
        assert_true(strlen(err) > 0);
        for (size_t j = 0; j < 256; j++)
            assert_int_equal(buf[sz + j], 0x5a);
        free(buf);
    }
    /* and it fits exactly in what it reported */
    uint8_t *buf = malloc(need);
    char err[256] = "";
    assert_int_equal(fdt_build(&m, buf, need, err, sizeof(err)), (long)need);
    assert_int_equal(fdt_check_header(buf), 0);
    free(buf);
}

/* A buffer offered with a size smaller than a header must not be written past that size,
 * whatever it held before: here, the start of a tree someone else was writing with libfdt
 * (a header that says 4096 bytes). */
static void test_stale_buffer_too_small(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(2);
    uint8_t *buf = calloc(1, 4096);
    assert_non_null(buf);
    assert_int_equal(fdt_create(buf, 4096), 0);
    memset(buf + 64, 0x5a, 4096 - 64);
    char err[256] = "";
    assert_int_equal(fdt_build(&m, buf, 16, err, sizeof(err)), -1);
    assert_true(strlen(err) > 0);
    for (size_t j = 64; j < 4096; j++)
        if (buf[j] != 0x5a)
            fail_msg("byte %zu written with bufsize 16", j);
    free(buf);
}

static void test_no_buffer(void **state)
{
    (void)state;
    struct fdt_machine m = base_machine(1);
    char err[256] = "";
    assert_int_equal(fdt_build(&m, NULL, 0, err, sizeof(err)), -1);
    assert_true(strlen(err) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_hart),
        cmocka_unit_test(test_two_harts),
        cmocka_unit_test(test_eight_harts),
        cmocka_unit_test(test_chosen_everything),
        cmocka_unit_test(test_chosen_bootargs_only),
        cmocka_unit_test(test_rng_seed_only),
        cmocka_unit_test(test_memory_node),
        cmocka_unit_test(test_virtio_slots),
        cmocka_unit_test(test_bad_hart_counts),
        cmocka_unit_test(test_small_buffers),
        cmocka_unit_test(test_stale_buffer_too_small),
        cmocka_unit_test(test_no_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
