/* test_http_stream.c -- http_stream_copy(), the window arithmetic every
 * stream's read() leans on: each call hands over what fits, the offset
 * moves past it, and an empty window or an empty buf gives 0 and leaves
 * both alone.  No socket: the reads MHD would make, in a row. */
#include <string.h>

#include "http.h"
#include "tap.h"

/* Reads of max bytes from src[off, end) until a read gives 0; what they
 * gave, joined, in out (NUL-terminated), and how many reads gave bytes. */
static int drain(const char *src, size_t end, size_t off, size_t max, char *out)
{
	int reads = 0;
	size_t got = 0;
	for (;;) {
		char buf[16];
		memset(buf, '#', sizeof buf);
		size_t before = off;
		long n = http_stream_copy(buf, max, src, end, &off);
		CHECK(n >= 0 && (size_t)n <= max);
		CHECK_EQ_INT(off, before + (size_t)n);
		CHECK(n >= (long)sizeof buf || buf[n] == '#'); /* nothing past n */
		if (n <= 0)
			break;
		memcpy(out + got, buf, (size_t)n);
		got += (size_t)n;
		reads++;
	}
	out[got] = 0;
	CHECK_EQ_INT(off, end);
	return reads;
}

int main(void)
{
	static const struct {
		const char *src;
		size_t end, off, max;
		const char *want;
		int reads;
	} cases[] = {
		{"0123456789", 10, 0, 4, "0123456789", 3}, /* 4, 4, then 2 */
		{"0123456789", 10, 0, 10, "0123456789", 1},
		{"0123456789", 10, 0, 16, "0123456789", 1}, /* more room than bytes */
		{"0123456789", 10, 7, 2, "789", 2},         /* starts mid-way */
		{"0123456789", 6, 2, 3, "2345", 2},         /* the end is not strlen */
		{"0123456789", 10, 10, 4, "", 0},           /* nothing left */
		{"", 0, 0, 4, "", 0},
		{"0123456789", 10, 0, 1, "0123456789", 10},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[32];
		int reads = drain(cases[i].src, cases[i].end, cases[i].off, cases[i].max, out);
		CHECK_EQ_INT(reads, cases[i].reads);
		CHECK(strcmp(out, cases[i].want) == 0);
		if (strcmp(out, cases[i].want) != 0)
			fprintf(stderr, "# case %zu: '%s', want '%s'\n", i, out, cases[i].want);
	}

	/* a buf of no room takes nothing, even from a full window */
	size_t off = 3;
	char one = '#';
	CHECK_EQ_INT(http_stream_copy(&one, 0, "abcdef", 6, &off), 0);
	CHECK_EQ_INT(off, 3);
	CHECK(one == '#');
	/* no source at all (a stream that never buffered anything) */
	off = 0;
	CHECK_EQ_INT(http_stream_copy(&one, 1, NULL, 0, &off), 0);
	CHECK_EQ_INT(off, 0);
	return tap_done();
}
