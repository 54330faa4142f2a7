/* rng.h -- the one pseudo-random source of both programs: a splitmix64
 * stream (a 64-bit counter stepped by the golden ratio, then mixed).
 *
 * Not for secrets (tokens that must be unguessable come from the OS).  The
 * same seed gives the same stream on every machine, which is what fleetsim's
 * generated galaxy and its seeded faults rely on; fleetd seeds its streams
 * from the clock so retries of two daemons do not fall in step.  Owns only
 * its state word; knows nothing of what the draws are for. */
#ifndef FLEETD_RNG_H
#define FLEETD_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed);
/* A seed that differs between runs and processes (clock and pid). */
uint64_t rng_seed_now(void);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1) with 53 bits. */
double rng_unit(struct rng *r);
/* In [lo, hi] (lo <= hi); the modulo bias is below 2^-32 for our ranges. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);

#endif
