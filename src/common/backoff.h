/* backoff.h -- the one retry-delay rule of fleetd: exponential from a base,
 * doubling per attempt up to a cap, optionally jittered.
 *
 * Used by the upstream client (failed calls), the engine (failed steps),
 * the session (log-in) and the steps that wait for a lock.  Owns no state:
 * the caller keeps its attempt count and its random stream. */
#ifndef FLEETD_BACKOFF_H
#define FLEETD_BACKOFF_H

#include <stdint.h>

struct rng;

/* base_ms * 2^(attempt-1), at most max_ms; attempt < 1 counts as 1. */
int64_t backoff_ms(int64_t base_ms, int64_t max_ms, int64_t attempt);
/* The same delay d, drawn uniformly from [d/2, d] so that the retries of
 * many callers that failed together spread out instead of returning in
 * one burst. */
int64_t backoff_jittered_ms(int64_t base_ms, int64_t max_ms, int64_t attempt,
			    struct rng *r);
/* A delay drawn uniformly from [lo_ms, hi_ms]: to spread callers that poll
 * for the same thing (a free lock) without any growth. */
int64_t backoff_spread_ms(int64_t lo_ms, int64_t hi_ms, struct rng *r);

#endif
