/* test_http_check.c -- the rules the HTTP layer applies before reading a
 * body (framing, URIs), and the UTF-8 cut and scrub its error messages
 * go through.  No socket: the same bytes a client would send. */
#include <string.h>

#include "http_check.h"
#include "tap.h"
#include "textbuf.h"

/* Feed "Name: value" pairs (NULL-terminated list) and return the verdict. */
static const char *framing_of(struct http_framing *f, const char *const *hdrs)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; hdrs[i]; i += 2)
		http_framing_add(f, hdrs[i], strlen(hdrs[i]), hdrs[i + 1],
				 strlen(hdrs[i + 1]));
	return http_framing_verdict(f);
}

static void test_framing(void)
{
	struct http_framing f;
	const char *ok_cl[] = {"Host", "x", "Content-Length", "12", NULL};
	CHECK(framing_of(&f, ok_cl) == NULL);
	CHECK(http_framing_has_body(&f));
	CHECK_EQ_INT(f.content_length, 12);
	const char *ok_te[] = {"transfer-encoding", "Chunked", NULL};
	CHECK(framing_of(&f, ok_te) == NULL);
	CHECK(http_framing_has_body(&f));
	const char *none[] = {"Host", "x", NULL};
	CHECK(framing_of(&f, none) == NULL);
	CHECK(!http_framing_has_body(&f));
	const char *zero[] = {"Content-Length", "0", NULL};
	CHECK(framing_of(&f, zero) == NULL);
	CHECK(!http_framing_has_body(&f));

	const char *both[] = {"Content-Length", "4", "Transfer-Encoding", "chunked", NULL};
	CHECK(framing_of(&f, both) != NULL);
	const char *two[] = {"Content-Length", "0", "content-length", "45", NULL};
	CHECK(framing_of(&f, two) != NULL);
	const char *same[] = {"Content-Length", "5", "Content-Length", "5", NULL};
	CHECK(framing_of(&f, same) != NULL);
	const char *space[] = {"Content-Length ", "5", NULL};
	CHECK(framing_of(&f, space) != NULL);
	const char *gzip[] = {"Transfer-Encoding", "gzip, chunked", NULL};
	CHECK(framing_of(&f, gzip) != NULL);
	const char *two_te[] = {"Transfer-Encoding", "chunked", "Transfer-Encoding",
				"chunked", NULL};
	CHECK(framing_of(&f, two_te) != NULL);
	const char *signed_cl[] = {"Content-Length", "+5", NULL};
	CHECK(framing_of(&f, signed_cl) != NULL);
	const char *list_cl[] = {"Content-Length", "5, 5", NULL};
	CHECK(framing_of(&f, list_cl) != NULL);
	const char *empty_name[] = {"", "x", NULL};
	CHECK(framing_of(&f, empty_name) != NULL);

	memset(&f, 0, sizeof f);
	http_framing_add(&f, "Authorization", 13, "Bearer a\0b", 10);
	CHECK(http_framing_verdict(&f) != NULL);
	CHECK_EQ_INT(f.header_bytes, 13 + 10 + 4);
}

static void test_uri(void)
{
	CHECK(http_check_uri("/v1/fleets/12") == NULL);
	CHECK(http_check_uri("/v1/jobs?name=a%2Fb") == NULL); /* / in a value */
	CHECK(http_check_uri("/web/%41bc%2") == NULL);
	CHECK(http_check_uri("/%") == NULL);
	CHECK(http_check_uri("/%ff") == NULL);
	CHECK(http_check_uri("/v1/fleets/%00abc") != NULL);
	CHECK(http_check_uri("/v1/jobs?state=%00") != NULL);
	CHECK(http_check_uri("/v1%2ffleets") != NULL);
	CHECK(http_check_uri("/v1%2Ffleets") != NULL);
}

static void test_utf8(void)
{
	const char *e = "\xc3\xa9\xc3\xa9"; /* two 2-byte characters */
	CHECK_EQ_INT(utf8_cut(e, 4, 4), 4);
	CHECK_EQ_INT(utf8_cut(e, 4, 3), 2);
	CHECK_EQ_INT(utf8_cut(e, 4, 1), 0);
	CHECK_EQ_INT(utf8_cut("abc", 3, 40), 3);
	CHECK_EQ_INT(utf8_cut("a\xff" "b", 3, 2), 2); /* a stray byte is one */
	const char *four = "x\xf0\x9f\x98\x80y";
	CHECK_EQ_INT(utf8_cut(four, 6, 4), 1);
	CHECK_EQ_INT(utf8_cut(four, 6, 5), 5);

	char s[] = "ok\xff\xc3" "x\xc3\xa9\xe2\x82";
	utf8_scrub(s, strlen(s));
	CHECK(strcmp(s, "ok?" "?x\xc3\xa9?" "?") == 0);
}

int main(void)
{
	test_framing();
	test_uri();
	test_utf8();
	return tap_done();
}
