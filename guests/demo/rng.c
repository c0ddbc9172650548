/* rng.c — SplitMix64 (Steele, Lea, Flood 2014): one add and a finaliser per
 * number; good enough to decide how much work a task does. */
#include "rng.h"

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
    r->state = mix64(seed);
}

void rng_mix(struct rng *r, uint64_t entropy)
{
    r->state ^= mix64(entropy + 0x9e3779b97f4a7c15ull);
}

uint64_t rng_next(struct rng *r)
{
    r->state += 0x9e3779b97f4a7c15ull;
    return mix64(r->state);
}

uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rng_next(r) % ((uint64_t)hi - lo + 1));
}
