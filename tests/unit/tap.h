/* tap.h -- the smallest test helper: CHECK() records a failure with its
 * line and carries on; tap_done() is the exit status (0 only if all held).
 * Exit 77 (skip) is the caller's business. */
#ifndef FLEETD_TAP_H
#define FLEETD_TAP_H

#include <stdio.h>

static int tap_failed, tap_checks;

#define CHECK(cond)                                                          \
	do {                                                                 \
		tap_checks++;                                                \
		if (!(cond)) {                                               \
			tap_failed++;                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                   \
	do {                                                                 \
		long long tap_a = (long long)(a), tap_b = (long long)(b);     \
		tap_checks++;                                                \
		if (tap_a != tap_b) {                                        \
			tap_failed++;                                        \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",  \
				__FILE__, __LINE__, #a, tap_a, tap_b);       \
		}                                                            \
	} while (0)

static inline int tap_done(void)
{
	fprintf(stderr, "%d checks, %d failed\n", tap_checks, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
