/* fuzz_queue.c -- what fleetd reads from a client about queues
 * (src/fleetd/queue.c): the body of POST /v1/queues/{name} as raw bytes
 * through jsonx_parse(), then queue_items_check(); and the bytes as a
 * queue name (the path segment), through queue_name_ok().  An accepted
 * body holds 1 to QUEUE_POST_MAX ids in range and nothing else; an
 * accepted name is a short run of the allowed characters. */
#include <string.h>

#include "fuzz.h"
#include "jobspec.h"
#include "jsonx.h"
#include "queue.h"

static void check_name(const uint8_t *data, size_t size)
{
	char s[QUEUE_NAME_MAX + 2];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = 0;
	if (!queue_name_ok(s, n))
		return;
	FUZZ_CHECK(n >= 1 && n <= QUEUE_NAME_MAX && strlen(s) == n);
	FUZZ_CHECK(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_name(data, size);
	char err[200];
	json_t *body = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!body)
		return 0;
	if (queue_items_check(body, err, sizeof err) < 0) {
		FUZZ_CHECK(err[0] != 0 && strchr(err, ':') != NULL);
		json_decref(body);
		return 0;
	}
	const json_t *items = json_object_get(body, "items");
	FUZZ_CHECK(json_object_size(body) == 1);
	FUZZ_CHECK(json_array_size(items) >= 1 && json_array_size(items) <= QUEUE_POST_MAX);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_int_t v = json_integer_value(json_array_get(items, i));
		FUZZ_CHECK(json_is_integer(json_array_get(items, i)) && v >= 1 && v <= JOBSPEC_MAX_ID);
	}
	json_decref(body);
	return 0;
}
