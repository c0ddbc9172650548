/* main.c — kmain: the banner, the seed, the queue, the tasks; then the
 * scheduler takes over. */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "fdt.h"
#include "hw.h"
#include "mailq.h"
#include "sched.h"
#include "tasks.h"

void kmain(uint64_t hartid, const void *fdt);

/* Parse "seed=<hex>" out of the kernel command line. */
static bool bootargs_seed(const char *args, uint32_t len, uint64_t *seed)
{
    static const char key[] = "seed=";
    for (uint32_t i = 0; i + sizeof(key) - 1 < len; i++) {
        if (i > 0 && args[i - 1] != ' ')
            continue;
        uint32_t k = 0;
        while (key[k] && args[i + k] == key[k])
            k++;
        if (key[k])
            continue;
        uint64_t v = 0;
        uint32_t j = i + k, digits = 0;
        if (j + 1 < len && args[j] == '0' && (args[j + 1] == 'x' || args[j + 1] == 'X'))
            j += 2;
        for (; j < len && digits < 16; j++, digits++) {
            char c = args[j];
            unsigned d;
            if (c >= '0' && c <= '9')
                d = (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = (unsigned)(c - 'A' + 10);
            else
                break;
            v = v << 4 | d;
        }
        if (digits == 0)
            return false;
        *seed = v;
        return true;
    }
    return false;
}

/* Where the run's randomness comes from: `seed=<hex>` on the command line
 * (rewind --append, to repeat a run), else /chosen/rng-seed (the board's
 * entropy input), else the time at boot. */
static uint64_t boot_seed(const void *fdt, const char **source)
{
    const void *value;
    uint32_t len;
    uint64_t seed;
    if (fdt_chosen_property(fdt, "bootargs", &value, &len) &&
        bootargs_seed(value, len, &seed)) {
        *source = "seed= on the command line";
        return seed;
    }
    if (fdt_chosen_property(fdt, "rng-seed", &value, &len) && len > 0) {
        const uint8_t *bytes = value;
        seed = 0xcbf29ce484222325ull;           /* FNV-1a over the seed bytes */
        for (uint32_t i = 0; i < len; i++)
            seed = (seed ^ bytes[i]) * 0x100000001b3ull;
        *source = "/chosen/rng-seed";
        return seed;
    }
    *source = fdt_valid(fdt) ? "mtime (no /chosen/rng-seed)" : "mtime (no device tree)";
    return mtime_now();
}

void kmain(uint64_t hartid, const void *fdt)
{
    console_init();
    kprintf("\nrewind demo kernel: 2 sensors, a logger and a monitor, round-robin every %lu ms\n",
            TICK_MTIME * 1000 / TIMEBASE_HZ);
    const char *source;
    uint64_t seed = boot_seed(fdt, &source);
    kprintf("hart %lu, device tree at %p, seed 0x%016lx from %s\n", hartid, fdt, seed, source);

    msg_pool_init();
    mailq_init(&mailq);
    tasks_create(seed);
    sched_start();
}
