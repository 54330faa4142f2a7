/* test_backoff.c -- the one random stream (src/common/rng.c) and the one
 * retry delay rule (src/common/backoff.c): growth, cap, jitter bounds and
 * spread, reproducibility. */
#include <stdint.h>

#include "backoff.h"
#include "rng.h"
#include "tap.h"

static void test_rng_reproducible(void)
{
	struct rng a, b;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	int same = 1;
	for (int i = 0; i < 1000; i++)
		same &= rng_next(&a) == rng_next(&b);
	CHECK(same);
	rng_seed(&b, 43);
	CHECK(rng_next(&a) != rng_next(&b));
	/* the first splitmix64 output of seed 0, known from its definition */
	rng_seed(&a, 0);
	CHECK(rng_next(&a) == 0xE220A8397B1DCDAFull);
}

static void test_rng_ranges(void)
{
	struct rng r;
	rng_seed(&r, 7);
	int lo_seen = 0, hi_seen = 0, in = 1, unit_ok = 1;
	for (int i = 0; i < 10000; i++) {
		int64_t v = rng_range(&r, -3, 3);
		in &= v >= -3 && v <= 3;
		lo_seen |= v == -3;
		hi_seen |= v == 3;
		double u = rng_unit(&r);
		unit_ok &= u >= 0.0 && u < 1.0;
	}
	CHECK(in && lo_seen && hi_seen && unit_ok);
	CHECK_EQ_INT(rng_range(&r, 5, 5), 5);
}

static void test_backoff_growth(void)
{
	CHECK_EQ_INT(backoff_ms(200, 15000, 0), 200);
	CHECK_EQ_INT(backoff_ms(200, 15000, 1), 200);
	CHECK_EQ_INT(backoff_ms(200, 15000, 2), 400);
	CHECK_EQ_INT(backoff_ms(200, 15000, 7), 12800);
	CHECK_EQ_INT(backoff_ms(200, 15000, 8), 15000);
	CHECK_EQ_INT(backoff_ms(1000, 300000, 1000000), 300000); /* no overflow */
	CHECK_EQ_INT(backoff_ms(500, 300, 1), 300);		  /* base over the cap */
}

static void test_backoff_jitter(void)
{
	struct rng r;
	rng_seed(&r, 1);
	int64_t min = INT64_MAX, max = 0;
	for (int i = 0; i < 5000; i++) {
		int64_t d = backoff_jittered_ms(1000, 300000, 3, &r); /* d = 4000 */
		min = d < min ? d : min;
		max = d > max ? d : max;
	}
	CHECK(min >= 2000 && max <= 4000);
	CHECK(min < 2100 && max > 3900); /* it does spread over the range */
	int64_t s = backoff_spread_ms(200, 499, &r);
	CHECK(s >= 200 && s <= 499);
}

int main(void)
{
	test_rng_reproducible();
	test_rng_ranges();
	test_backoff_growth();
	test_backoff_jitter();
	return tap_done();
}
