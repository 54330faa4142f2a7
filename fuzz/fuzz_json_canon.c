/* fuzz_json_canon.c -- the canonical writer (src/common/json_canon.c)
 * against jansson: any bytes jsonx_parse() takes, at any depth, are
 * written by json_canon_text() exactly as json_dumps(COMPACT | SORT_KEYS
 * | ENCODE_ANY) writes them, and refused by both or by neither. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json_canon.h"
#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[200];
	json_t *v = jsonx_parse((const char *)data, size, 0, err, sizeof err);
	if (!v)
		return 0;
	size_t len = 0;
	char *ours = json_canon_text(v, &len);
	char *theirs = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	FUZZ_CHECK(!ours == !theirs);
	if (ours && strcmp(ours, theirs) != 0)
		fprintf(stderr, "ours:   %s\ntheirs: %s\n", ours, theirs);
	FUZZ_CHECK(!ours || (strcmp(ours, theirs) == 0 && len == strlen(theirs)));
	free(ours);
	free(theirs);
	json_decref(v);
	return 0;
}
