/* fuzz_json_quick.c -- the plain-JSON parser in front of jansson
 * (src/common/json_quick.c) against jansson itself: whenever it gives a
 * tree, json_loadb(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES) gives the
 * same one, with the same kinds of numbers and the keys in the same
 * order; and at a depth limit of 3 it takes nothing jsonx_check_text()
 * would refuse.  (When it gives none, jsonx_parse() asks jansson: nothing
 * to compare.) */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json_quick.h"
#include "jsonx.h"

#define ORDER_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY) /* keys as stored */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* jsonx_parse() refuses a NUL byte before either parser runs */
	if (memchr(data, 0, size))
		return 0;
	json_t *quick = json_quick_parse((const char *)data, size, 0);
	if (!quick)
		return 0;
	json_error_t e;
	json_t *full = json_loadb((const char *)data, size,
				 JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
	if (!full)
		fprintf(stderr, "quick took what jansson refuses: %s\n", e.text);
	FUZZ_CHECK(full != NULL);
	FUZZ_CHECK(json_equal(quick, full));
	char *a = json_dumps(quick, ORDER_FLAGS), *b = json_dumps(full, ORDER_FLAGS);
	FUZZ_CHECK(a && b && strcmp(a, b) == 0);
	free(a);
	free(b);
	json_decref(quick);
	json_decref(full);
	json_t *shallow = json_quick_parse((const char *)data, size, 3);
	char err[200];
	FUZZ_CHECK(!shallow || jsonx_check_text((const char *)data, size, 3, err, sizeof err) == 0);
	json_decref(shallow);
	return 0;
}
