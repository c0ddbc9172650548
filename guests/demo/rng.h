/* rng.h — a small pseudo-random generator (SplitMix64).  Each task owns one
 * stream; the boot seed (device tree /chosen/rng-seed) decides them all. */
#ifndef DEMO_RNG_H
#define DEMO_RNG_H

#include <stdint.h>

struct rng {
    uint64_t state;
};

void rng_seed(struct rng *r, uint64_t seed);
/* Stir more entropy into the stream (a key press and the time it came). */
void rng_mix(struct rng *r, uint64_t entropy);
uint64_t rng_next(struct rng *r);
/* Uniform in [lo, hi] (hi >= lo, range well below 2^32). */
uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi);

#endif
