/* test_json_canon.c -- json_canon_text() (src/common/json_canon.c) writes
 * what json_dumps(COMPACT | SORT_KEYS | ENCODE_ANY) writes, byte for byte:
 * parsed texts of every kind of value, and values no parse makes (keys
 * that are prefixes of each other or need escaping, strings that are not
 * UTF-8, a tree deeper than the writer goes itself, a reference cycle),
 * where both must refuse alike. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_canon.h"
#include "tap.h"

#define FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)

static void same(const json_t *v, const char *what)
{
	size_t len = 0;
	char *ours = json_canon_text(v, &len);
	char *theirs = json_dumps(v, FLAGS);
	CHECK(!ours == !theirs);
	int eq = ours && theirs && strcmp(ours, theirs) == 0 && len == strlen(theirs);
	CHECK(eq || (!ours && !theirs));
	if (!eq && (ours || theirs))
		fprintf(stderr, "# %s: ours %s, jansson %s\n", what, ours ? ours : "(null)",
			theirs ? theirs : "(null)");
	free(ours);
	free(theirs);
}

static void same_text(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
	CHECK(v != NULL);
	if (!v) {
		fprintf(stderr, "# cannot parse %s: %s\n", text, e.text);
		return;
	}
	same(v, text);
	json_decref(v);
}

static const char *const texts[] = {
	"{\"fleet\":6000001,\"steps\":[{\"op\":\"wait\",\"seconds\":604800}]}",
	"{}", "[]", "null", "true", "false", "0", "-1", "\"\"",
	"9223372036854775807", "-9223372036854775808",
	"[1.5,-0.0,0.1,1e300,2.5e-7,123456789.125,-3.0]",
	"{\"b\":1,\"a\":2,\"ab\":3,\"\":4,\"B\":5,\"a b\":6}",
	"\"tab\\there\\n\\r\\b\\f \\u0001 \\u001f \\u007f / \\\\ \\\"\"",
	"\"\\u00e9\\u20ac\\ud83d\\ude00 caf\\u00e9\"",
	"{\"k\\n\":1,\"k\\u00e9\":2,\"k\":3,\"k\\\"\":4,\"\\u00e9\":5,\"z\":6}",
	"{\"spec\":{\"steps\":[{\"op\":\"move\",\"to\":{\"world\":12}},{\"op\":\"sell\","
	"\"resource\":130,\"quantity\":\"all\"}],\"repeat\":{\"times\":3},\"name\":\"run\"}}",
	"[[[[[[[[[[{\"deep\":[1,{\"x\":[]}]}]]]]]]]]]]",
};

int main(void)
{
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		same_text(texts[i]);

	/* more keys than the writer sorts on its stack, given in reverse */
	json_t *big = json_object();
	for (int i = 60; i > 0; i--) {
		char k[16];
		snprintf(k, sizeof k, "k%d", i);
		json_object_set_new(big, k, json_integer(i));
	}
	same(big, "60 keys");
	json_decref(big);

	/* a key with a NUL inside and its prefix: jansson orders by length */
	json_t *nul = json_object();
	json_object_setn_new(nul, "a\0b", 3, json_integer(1));
	json_object_set_new(nul, "a", json_integer(2));
	same(nul, "key with NUL");
	json_decref(nul);

	/* a string that is not UTF-8: both refuse */
	json_t *bad = json_pack("{s:o}", "s", json_stringn_nocheck("\xff\xfe", 2));
	same(bad, "not UTF-8");
	json_decref(bad);

	/* deeper than JSON_CANON_MAX_DEPTH: the rest written by jansson */
	json_t *deep = json_pack("{s:i}", "leaf", 1);
	for (int i = 0; i < 3 * JSON_CANON_MAX_DEPTH; i++)
		deep = i % 2 ? json_pack("[o]", deep) : json_pack("{s:o}", "n", deep);
	CHECK(deep != NULL);
	same(deep, "deep tree");
	json_decref(deep);

	/* a cycle below the depth the writer goes itself: both refuse */
	json_t *loop = json_array();
	json_array_append(loop, loop);
	same(loop, "cycle");
	json_array_clear(loop);
	json_decref(loop);

	/* appended after what the buffer held */
	struct textbuf t = {0};
	textbuf_puts(&t, "x=");
	json_t *v = json_pack("{s:i,s:s}", "b", 2, "a", "y");
	CHECK(json_canon_put(&t, v) == 0);
	size_t len;
	char *s = textbuf_take(&t, &len);
	CHECK(s && strcmp(s, "x={\"a\":\"y\",\"b\":2}") == 0);
	free(s);
	json_decref(v);
	CHECK(json_canon_put(&t, NULL) == -1);
	textbuf_free(&t);
	return tap_done();
}
