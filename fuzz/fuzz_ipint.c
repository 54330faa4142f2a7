/* fuzz_ipint.c -- ipInteger decoding and encoding (src/common/ipint.c).
 *
 * The first 8 bytes (when there are 8) are an int64: both encodings of it
 * must decode to it again.  The whole input is then read as JSON: whatever
 * ipint_decode() accepts must encode and decode back to the same value,
 * and the decoder must never read out of bounds, whatever the base64. */
#include <string.h>

#include "fuzz.h"
#include "ipint.h"
#include "jsonx.h"

static void round_trip(int64_t v)
{
	int64_t back;
	json_t *e = ipint_encode(v);
	FUZZ_CHECK(e != NULL);
	FUZZ_CHECK(ipint_decode(e, &back) == 0 && back == v);
	/* the plain form only when it fits in 32 bits */
	FUZZ_CHECK(json_is_integer(e) == (v >= INT32_MIN && v <= INT32_MAX));
	json_decref(e);
	e = ipint_encode_wide(v);
	FUZZ_CHECK(e != NULL && json_is_array(e));
	FUZZ_CHECK(ipint_decode(e, &back) == 0 && back == v);
	json_decref(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 8) {
		int64_t v;
		memcpy(&v, data, sizeof v);
		round_trip(v);
	}
	char err[256];
	json_t *j = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!j)
		return 0;
	int64_t v;
	if (ipint_decode(j, &v) == 0)
		round_trip(v);
	/* a list of candidates: each is decoded on its own */
	if (json_is_array(j))
		for (size_t i = 0; i < json_array_size(j); i++)
			if (ipint_decode(json_array_get(j, i), &v) == 0)
				round_trip(v);
	json_decref(j);
	return 0;
}
