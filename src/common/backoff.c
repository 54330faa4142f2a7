/* backoff.c -- retry delays (see backoff.h). */
#include "backoff.h"

#include "rng.h"

int64_t backoff_ms(int64_t base_ms, int64_t max_ms, int64_t attempt)
{
	int64_t d = base_ms;
	for (int64_t i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	return d > max_ms ? max_ms : d;
}

int64_t backoff_jittered_ms(int64_t base_ms, int64_t max_ms, int64_t attempt,
			    struct rng *r)
{
	int64_t d = backoff_ms(base_ms, max_ms, attempt);
	return rng_range(r, d / 2, d);
}

int64_t backoff_spread_ms(int64_t lo_ms, int64_t hi_ms, struct rng *r)
{
	return rng_range(r, lo_ms, hi_ms);
}
