/* test_textbuf.c -- textbuf_int (textbuf.c): the decimal form of an
 * int64_t as printf's "%lld" writes it, at zero, the signs and both ends
 * of the range, appended after what the buffer held.  textbuf_reserve():
 * the room asked for is there (the block does not move while the text
 * fits), what was written is kept, and a smaller request changes nothing. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "textbuf.h"

static void check_int(int64_t v)
{
	char want[32];
	snprintf(want, sizeof want, "x%" PRId64, v);
	struct textbuf b = {0};
	textbuf_put(&b, "x", 1);
	textbuf_int(&b, v);
	size_t len;
	char *got = textbuf_take(&b, &len);
	CHECK(got && strcmp(got, want) == 0 && len == strlen(want));
	if (got && strcmp(got, want) != 0)
		fprintf(stderr, "# %s, wanted %s\n", got, want);
	free(got);
}

static void check_reserve(void)
{
	struct textbuf b = {0};
	textbuf_put(&b, "abc", 3);
	textbuf_reserve(&b, 5000);
	CHECK(b.cap >= 5000 && b.len == 3 && strcmp(b.p, "abc") == 0);
	const char *block = b.p;
	size_t cap = b.cap;
	for (int i = 0; i < 4996 / 4; i++)
		textbuf_put(&b, "wxyz", 4);
	CHECK(b.p == block && b.cap == cap && b.len == 3 + 4996 / 4 * 4 && !b.oom);
	textbuf_reserve(&b, 10); /* smaller: nothing changes */
	CHECK(b.p == block && b.cap == cap);
	CHECK(memcmp(b.p, "abcwxyzw", 8) == 0);
	textbuf_free(&b);
}

int main(void)
{
	check_reserve();
	int64_t vals[] = {0, 1, -1, 9, 10, -10, 99, 100, 1234567890, -987654321,
			  INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		check_int(vals[i]);
	for (int64_t v = 1; v < INT64_MAX / 7; v *= 7)
		check_int(v), check_int(-v);
	return tap_done();
}
