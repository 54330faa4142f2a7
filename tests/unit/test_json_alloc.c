/* test_json_alloc.c -- jansson's allocator (json_alloc.c), installed as
 * fleetd_main does it: trees built and freed through it come out equal to
 * what they were; a freed block is handed out again for a request of its
 * class; json_dumps() text is given to free() as jansson documents; each
 * class keeps JSON_ALLOC_KEEP_BYTES at most.  In a sanitizer build, or
 * without glibc, it is not installed (jansson's default is checked). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json_alloc.h"
#include "sanitizer.h"
#include "tap.h"

/* A tree of the kinds a job's spec holds: objects, arrays, strings of
 * several lengths (several classes), integers, reals, and a long string
 * past the classes. */
static json_t *tree(int seed)
{
	char big[600];
	memset(big, 'a' + seed % 26, sizeof big - 1);
	big[sizeof big - 1] = '\0';
	json_t *steps = json_array();
	for (int i = 0; i < 20; i++)
		json_array_append_new(steps, json_pack("{s:s, s:I, s:f, s:[i,i], s:s}", "op",
						       i % 2 ? "move" : "transfer", "to",
						       (json_int_t)(seed * 1000 + i), "x", i * 0.5,
						       "pair", i, -i, "note",
						       i % 5 ? "short" : "a somewhat longer note text"));
	return json_pack("{s:i, s:o, s:s}", "seed", seed, "steps", steps, "big", big);
}

static void test_trees(void)
{
	char *first = NULL;
	for (int round = 0; round < 50; round++) {
		json_t *t = tree(round % 3);
		char *text = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
		CHECK(text != NULL);
		json_t *back = text ? json_loads(text, 0, NULL) : NULL;
		CHECK(back && json_equal(back, t));
		if (round == 0)
			first = text;
		else if (round % 3 == 0)
			CHECK(text && first && strcmp(text, first) == 0);
		if (round)
			free(text); /* jansson's text goes to free() */
		json_decref(back);
		json_decref(t);
	}
	free(first);
}

static void test_lists(void)
{
	json_t *s = json_string("reused"); /* a few small blocks */
	json_decref(s);
	size_t before = json_alloc_cached();
	CHECK(before > 0);
	json_t *again = json_string("reused");
	CHECK(json_alloc_cached() < before); /* taken from the lists */
	json_decref(again);
	CHECK_EQ_INT(json_alloc_cached(), before);

	/* many blocks of one class freed at once: the class keeps its bound */
	enum { N = JSON_ALLOC_KEEP_BYTES / 16 * 2 };
	json_t *a = json_array();
	for (int i = 0; i < N; i++)
		json_array_append_new(a, json_integer(i));
	json_decref(a);
	CHECK(json_alloc_cached() <= JSON_ALLOC_MAX / JSON_ALLOC_GRAIN *
					     (JSON_ALLOC_KEEP_BYTES / JSON_ALLOC_GRAIN));
}

int main(void)
{
	int installed = json_alloc_install() == 0;
#if FLEETD_UNDER_ASAN || !defined(__GLIBC__)
	CHECK(!installed);
#endif
	test_trees();
	if (installed)
		test_lists();
	else
		CHECK_EQ_INT(json_alloc_cached(), 0);
	return tap_done();
}
