/* fuzz.h -- what every fuzz target shares.
 *
 * A target is one LLVMFuzzerTestOneInput() that must never crash, leak or
 * hit undefined behaviour, whatever the bytes; where the code under test
 * promises more (a round trip, agreement with jansson), the target checks
 * it with FUZZ_CHECK, which aborts so that libFuzzer keeps the input and
 * the replay driver (replay.c) fails.  The same file is built two ways:
 * with clang's -fsanitize=fuzzer by `make fuzz`, and with the project's
 * compiler and a plain main() (replay.c) for `make check`, which feeds it
 * every file of the committed corpus. */
#ifndef FLEETD_FUZZ_H
#define FLEETD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,   \
				__LINE__, #cond);                                \
			abort();                                                 \
		}                                                                \
	} while (0)

#endif
