/* test_json_quick.c -- the plain-JSON parser in front of jansson
 * (src/common/json_quick.c): texts in its plain form give jansson's tree
 * (same values, number kinds and key order); every other text -- reals,
 * escapes, non-ASCII, duplicate keys, integers beyond 64 bits, leading
 * zeros, run-on literals, trailing garbage, too deep -- is left to
 * jansson (NULL), and jsonx_parse() then answers exactly as jansson
 * alone did, errors included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_quick.h"
#include "jsonx.h"
#include "tap.h"

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES)

static const char *const plain[] = {
	"{\"fleet\":6000001,\"steps\":[{\"op\":\"wait\",\"seconds\":604800}]}",
	"{}", "[]", "0", "-0", "7", "-12", "true", "false", "null", "\"\"", "\"a b~\x7f\"",
	"9223372036854775807", "-9223372036854775808",
	" \t\r\n{ \"z\" : [ 1 , 2 ] , \"a\" : { } , \"\" : null } \n",
	"{\"b\":1,\"a\":2,\"c\":{\"y\":[true,false,null,[[]]],\"x\":\"s\"}}",
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
};

static const char *const left[] = {
	"", " ", "1.5", "1e3", "1E3", "-0.0", "[1.0]", "\"a\\nb\"", "\"\\u0041\"",
	"\"caf\xc3\xa9\"", "\"\x01\"", "{\"a\":1,\"a\":2}", "9223372036854775808",
	"-9223372036854775809", "01", "-01", "-", "[1,]", "{\"a\":1,}", "[,1]", "{,}",
	"truex", "[truex]", "[true1]", "nul", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{1:2}",
	"[1]x", "\xef\xbb\xbf[]", "[", "{\"a\":[}", "\"open", "[1-2]", "{'a':1}",
};

static void same_as_jansson(const char *text)
{
	size_t len = strlen(text);
	char e1[300] = "", e2[300] = "";
	json_t *ours = jsonx_parse(text, len, 0, e1, sizeof e1);
	json_error_t je;
	json_t *theirs = json_loadb(text, len, LOAD_FLAGS, &je);
	if (!theirs)
		snprintf(e2, sizeof e2, "invalid JSON at line %d, column %d: %s", je.line,
			 je.column, je.text);
	CHECK(!ours == !theirs);
	CHECK(!ours || json_equal(ours, theirs));
	CHECK(ours || strcmp(e1, e2) == 0);
	if (!ours && strcmp(e1, e2) != 0)
		fprintf(stderr, "# %s: '%s' vs '%s'\n", text, e1, e2);
	json_decref(ours);
	json_decref(theirs);
}

int main(void)
{
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		const char *t = plain[i];
		json_t *q = json_quick_parse(t, strlen(t), 0);
		json_t *j = json_loadb(t, strlen(t), LOAD_FLAGS, NULL);
		CHECK(q != NULL && j != NULL);
		if (!q)
			fprintf(stderr, "# not taken: %s\n", t);
		if (q && j) {
			char *a = json_dumps(q, JSON_COMPACT | JSON_ENCODE_ANY);
			char *b = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
			CHECK(json_equal(q, j) && a && b && strcmp(a, b) == 0);
			free(a);
			free(b);
		}
		json_decref(q);
		json_decref(j);
		same_as_jansson(t);
	}
	for (size_t i = 0; i < sizeof left / sizeof left[0]; i++) {
		const char *t = left[i];
		json_t *q = json_quick_parse(t, strlen(t), 0);
		CHECK(q == NULL);
		if (q)
			fprintf(stderr, "# taken, but it is jansson's: %s\n", t);
		json_decref(q);
		same_as_jansson(t);
	}
	/* deeper than the quick parser goes: jansson's, same tree */
	char deep[2 * (JSON_QUICK_MAX_DEPTH + 1) + 2];
	size_t n = 0;
	for (int i = 0; i <= JSON_QUICK_MAX_DEPTH; i++)
		deep[n++] = '[';
	deep[n++] = '1';
	for (int i = 0; i <= JSON_QUICK_MAX_DEPTH; i++)
		deep[n++] = ']';
	deep[n] = 0;
	json_t *q = json_quick_parse(deep, n, 0);
	CHECK(q == NULL);
	json_decref(q);
	same_as_jansson(deep);
	/* a depth limit: what is deeper is left to jsonx_parse's own check */
	const char *three = "{\"a\":[[1]]}";
	q = json_quick_parse(three, strlen(three), 2);
	CHECK(q == NULL);
	json_decref(q);
	q = json_quick_parse(three, strlen(three), 3);
	CHECK(q != NULL);
	json_decref(q);
	char err[200] = "";
	q = jsonx_parse(three, strlen(three), 2, err, sizeof err);
	CHECK(q == NULL && strcmp(err, "JSON nested deeper than 2 levels") == 0);
	json_decref(q);
	return tap_done();
}
