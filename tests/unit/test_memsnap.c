/* test_memsnap.c — in-memory checkpoints (replay-log/memsnap.h) on a real machine: the Linux
 * guest on 2 harts with a virtio disk it writes to. Snapshots taken at several points and
 * restored in any order into the same machine give back exactly the machine that was saved
 * (state hash over registers, devices, every RAM page and the disk overlay); running on from
 * a restored snapshot reaches the same later state as the original run (decoded code that
 * survived the restore is still right); a tight budget drops snapshots, keeps the pinned one,
 * and what remains still restores exactly.
 *
 * Inputs from the environment (set by CMake): REWIND_LINUX_IMAGE, REWIND_LINUX_INITRAMFS,
 * REWIND_LINUX_DISK. The test is skipped when they are missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "replay-log/memsnap.h"
#include "vmm/disk_image.h"
#include "vmm/snapshot.h"
#include "vmm/vm.h"

#define POINTS 4

/* Where the snapshots are taken: fractions of the run to power-off (found by a probe run);
 * the last is after the guest wrote its disk. */
static uint64_t at[POINTS];
static const double fraction[POINTS] = { 0.25, 0.5, 0.75, 0.99 };

struct fixture {
    char disk[64];
    struct vm *vm;
};

static int setup(void **state)
{
    const char *image = getenv("REWIND_LINUX_IMAGE"), *initrd = getenv("REWIND_LINUX_INITRAMFS");
    const char *disk = getenv("REWIND_LINUX_DISK");
    if (!image || !initrd || !disk || access(image, R_OK) || access(initrd, R_OK) ||
        access(disk, R_OK))
        return -1;
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    /* a private copy of the disk image (the machine never writes it, but stay safe) */
    snprintf(f->disk, sizeof(f->disk), "/tmp/test_memsnap_XXXXXX");
    int fd = mkstemp(f->disk);
    assert_true(fd >= 0);
    FILE *in = fopen(disk, "rb");
    assert_non_null(in);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        assert_int_equal(write(fd, buf, n), (ssize_t)n);
    fclose(in);
    close(fd);
    struct vm_config cfg = { .ram_size = 128ull << 20, .num_harts = 2, .num_disks = 1 };
    cfg.disks[0] = (struct vm_disk_config){ .path = f->disk };
    char err[256];
    f->vm = vm_create(&cfg, err, sizeof(err));
    assert_non_null(f->vm);
    assert_int_equal(vm_load_kernel(f->vm, image, initrd, "console=ttyS0", err, sizeof(err)), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    vm_destroy(f->vm);
    unlink(f->disk);
    free(f);
    return 0;
}

static void run_to(struct vm *vm, uint64_t icount)
{
    while (vm_icount(vm) < icount) {
        struct vm_exit ex;
        vm_run(vm, icount - vm_icount(vm), &ex);
        assert_int_equal(ex.reason, VM_EXIT_INSN_LIMIT);
    }
    assert_int_equal(vm_icount(vm), icount);
}

static void restore(struct memsnap_store *s, struct vm *vm, uint64_t icount, uint64_t hash)
{
    uint64_t found = 0;
    int k = memsnap_find(s, icount, &found);
    assert_true(k >= 0);
    assert_int_equal(found, icount);
    struct replayer_pos pos;
    char err[256];
    assert_int_equal(memsnap_restore(s, k, vm, &pos, err, sizeof(err)), 0);
    assert_int_equal(vm_icount(vm), icount);
    assert_int_equal(pos.checked, icount); /* what take was given (below) */
    assert_true(vm_state_hash(vm) == hash);
}

static void take(struct memsnap_store *s, struct vm *vm)
{
    struct replayer_pos pos = { .checked = vm_icount(vm) };
    char err[256];
    assert_int_equal(memsnap_take(s, vm, &pos, vm_icount(vm), err, sizeof(err)), 0);
}

/* Snapshots restore exactly, in any order, and the machine goes on exactly from them. */
static void test_restore_any_order(void **state)
{
    struct fixture *f = *state;
    struct memsnap_store *s = memsnap_create(1ull << 30);
    assert_non_null(s);
    take(s, f->vm);
    memsnap_pin(s, memsnap_find(s, 0, NULL));
    uint64_t h0 = vm_state_hash(f->vm), h[POINTS];
    for (int i = 0; i < POINTS; i++) {
        run_to(f->vm, at[i]);
        h[i] = vm_state_hash(f->vm);
        take(s, f->vm);
    }
    /* the guest wrote its disk in between: the overlay is part of what is compared */
    assert_true(disk_image_overlay_blocks(vm_disk(f->vm, 0)) > 0);
    restore(s, f->vm, at[1], h[1]);
    restore(s, f->vm, 0, h0);
    restore(s, f->vm, at[3], h[3]);
    restore(s, f->vm, at[0], h[0]);
    restore(s, f->vm, at[2], h[2]);
    /* from a restored snapshot, running on reaches the later states again */
    restore(s, f->vm, at[0], h[0]);
    run_to(f->vm, at[2]);
    assert_true(vm_state_hash(f->vm) == h[2]);
    run_to(f->vm, at[3]);
    assert_true(vm_state_hash(f->vm) == h[3]);
    /* the pages the machine wrote since the snapshot it came from go back too */
    restore(s, f->vm, at[1], h[1]);
    run_to(f->vm, (at[1] + at[2]) / 2);
    restore(s, f->vm, at[0], h[0]);
    /* and the disk blocks it wrote (the guest writes its disk between at[2] and at[3]) */
    restore(s, f->vm, at[2], h[2]);
    uint64_t blocks = disk_image_overlay_blocks(vm_disk(f->vm, 0));
    run_to(f->vm, at[3]);
    assert_true(disk_image_overlay_blocks(vm_disk(f->vm, 0)) > blocks);
    restore(s, f->vm, at[2], h[2]);
    assert_int_equal(disk_image_overlay_blocks(vm_disk(f->vm, 0)), blocks);
    struct memsnap_stats st;
    memsnap_stats(s, &st);
    assert_int_equal(st.count, POINTS + 1);
    assert_int_equal(st.evicted, 0);
    assert_true(st.restored >= 10);
    /* restores copy back changed pages only, far fewer than all of RAM each time */
    assert_true(st.pages_copied < st.restored * (128ull << 20) / 4096 / 2);
    memsnap_destroy(s);
}

/* A budget smaller than the snapshots: the oldest far from the present go, the pinned one
 * stays, the memory used stays within the budget (or the pinned snapshot's size), and every
 * snapshot left still restores exactly. */
static void test_budget(void **state)
{
    struct fixture *f = *state;
    const uint64_t budget = 24ull << 20;
    struct memsnap_store *s = memsnap_create(budget);
    assert_non_null(s);
    take(s, f->vm);
    memsnap_pin(s, memsnap_find(s, 0, NULL));
    uint64_t pinned_bytes;
    struct memsnap_stats st;
    memsnap_stats(s, &st);
    pinned_bytes = st.bytes;
    uint64_t hashes[64], points[64];
    unsigned n = 0;
    for (uint64_t icount = 2000000; icount <= at[POINTS - 1]; icount += 2000000) {
        run_to(f->vm, icount);
        take(s, f->vm);
        points[n] = icount;
        hashes[n++] = vm_state_hash(f->vm);
    }
    memsnap_stats(s, &st);
    assert_true(st.evicted > 0);
    assert_true(st.bytes <= (budget > pinned_bytes ? budget : pinned_bytes));
    assert_true(memsnap_find(s, 0, NULL) == 0); /* the pinned one is still there */
    unsigned left = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t found;
        int k = memsnap_find(s, points[i], &found);
        if (k < 0 || found != points[i])
            continue;
        restore(s, f->vm, points[i], hashes[i]);
        left++;
    }
    assert_true(left >= 1);
    memsnap_stats(s, &st);
    assert_int_equal(st.count, left + 1);
    memsnap_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_restore_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
    };
    if (!getenv("REWIND_LINUX_IMAGE") || access(getenv("REWIND_LINUX_IMAGE"), R_OK)) {
        printf("test_memsnap: no Linux guest (REWIND_LINUX_IMAGE); skipped\n");
        return 0;
    }
    /* The probe: how long the guest runs to its power-off. */
    void *probe;
    if (setup(&probe))
        return 1;
    struct fixture *f = probe;
    struct vm_exit ex;
    vm_run(f->vm, 0, &ex);
    uint64_t end = ex.icount;
    bool wrote = disk_image_overlay_blocks(vm_disk(f->vm, 0)) > 0;
    teardown(&probe);
    if (ex.reason != VM_EXIT_GUEST || !wrote) {
        printf("test_memsnap: the probe run ended with reason %d at %llu, disk written: %d\n",
               ex.reason, (unsigned long long)end, wrote);
        return 1;
    }
    for (int i = 0; i < POINTS; i++)
        at[i] = (uint64_t)((double)end * fraction[i]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
