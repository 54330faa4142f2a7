/* rng.c -- splitmix64 (see rng.h). */
#include "rng.h"

#include <unistd.h>

#include "clock.h"

void rng_seed(struct rng *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t rng_seed_now(void)
{
	return (uint64_t)clock_mono_ns() ^ (uint64_t)clock_now_ms() << 20 ^
	       (uint64_t)getpid() << 44;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) / 9007199254740992.0; /* 2^53 */
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;
	return span ? lo + (int64_t)(rng_next(r) % span) : lo + (int64_t)rng_next(r);
}
