/* fuzz_mirror_scan.c -- the fast reader of getObjects answers
 * (src/fleetd/mirror_scan.c), differential against jansson.
 *
 * The reference is what jansson makes of the same bytes, with the checks
 * jsonx_parse() adds on the raw text (jsonx_check_text(): no NUL, the
 * nesting cap); duplicate keys are allowed, the last one winning, as the
 * scanner documents.  The two must agree:
 *   - acceptance: the scanner gives a list exactly when jansson reads a
 *     list from the text;
 *   - values: every value the scanner keeps equals jansson's value at the
 *     same place, bit for bit (same JSON type, same integer, same double
 *     bits, same string bytes), allowing only the scanner's documented
 *     reductions: packed integer lists, traits as their ids, a battle plan
 *     as its truth;
 *   - elements: the scanner keeps the top-level objects in order, dropping
 *     only whole classes (the class decides), never a world, fleet or
 *     sovereign, and keeps the class and id of a reduced object.
 * Which other fields a reduced class keeps is the scanner's table, not
 * checked here: only that what it keeps is right. */
#include <string.h>

#include "fuzz.h"
#include "jsonx.h"
#include "mirror_scan.h"

#define FUZZ_MAX_DEPTH JSONX_MAX_DEPTH

static int same_bits(const json_t *a, const json_t *b);

static int same_object(const json_t *a, const json_t *b)
{
	if (json_object_size(a) != json_object_size(b))
		return 0;
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)a, k, v) {
		const json_t *w = json_object_get(b, k);
		if (!w || !same_bits(v, w))
			return 0;
	}
	return 1;
}

/* Deep equality where a double equals only the same bits (json_equal()
 * would take 0.0 for -0.0). */
static int same_bits(const json_t *a, const json_t *b)
{
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_INTEGER:
		return json_integer_value(a) == json_integer_value(b);
	case JSON_REAL: {
		double x = json_real_value(a), y = json_real_value(b);
		return memcmp(&x, &y, sizeof x) == 0;
	}
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b),
			      json_string_length(a)) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same_bits(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT:
		return same_object(a, b);
	default:
		return 1; /* true, false, null */
	}
}

static int is_reduced(const json_t *cls)
{
	const char *c = json_string_value(cls);
	return c && json_string_length(cls) == strlen(c) &&
	       (!strcmp(c, "world") || !strcmp(c, "fleet") || !strcmp(c, "sovereign"));
}

/* A packed list (see mirror_scan_ints()) against jansson's list. */
static int same_ints(const json_t *packed, const json_t *ref)
{
	const char *vals;
	size_t n = mirror_scan_ints(packed, &vals);
	if (!json_is_array(ref) || json_array_size(ref) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int64_t v;
		memcpy(&v, vals + i * sizeof v, sizeof v);
		const json_t *r = json_array_get(ref, i);
		if (!json_is_integer(r) || json_integer_value(r) != v)
			return 0;
	}
	return 1;
}

/* Traits: each element as it is, or for an object the traitID it names
 * (none when absent or itself an object). */
static int same_traits(const json_t *got, const json_t *ref)
{
	if (!json_is_array(ref))
		return same_bits(got, ref);
	json_t *want = json_array();
	FUZZ_CHECK(want != NULL);
	for (size_t i = 0; i < json_array_size(ref); i++) {
		const json_t *e = json_array_get(ref, i);
		if (json_is_object(e)) {
			e = json_object_get(e, "traitID");
			if (!e || json_is_object(e))
				continue;
		}
		json_array_append(want, (json_t *)e);
	}
	int same = same_bits(got, want);
	json_decref(want);
	return same;
}

/* A battle plan: null, false and strings as they are; the rest as true. */
static int same_battle(const json_t *got, const json_t *ref)
{
	if (json_is_null(ref) || json_is_false(ref) || json_is_string(ref))
		return same_bits(got, ref);
	return json_is_true(got);
}

static void check_reduced(const json_t *got, const json_t *ref)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)got, k, v) {
		const json_t *r = json_object_get(ref, k);
		FUZZ_CHECK(r != NULL); /* nothing invented */
		const char *unused;
		if (mirror_scan_ints(v, &unused) != (size_t)-1)
			FUZZ_CHECK(same_ints(v, r));
		else if (!strcmp(k, "traits"))
			FUZZ_CHECK(same_traits(v, r));
		else if (!strcmp(k, "battlePlan"))
			FUZZ_CHECK(same_battle(v, r));
		else
			FUZZ_CHECK(same_bits(v, r));
	}
	FUZZ_CHECK(!json_object_get(ref, "id") || json_object_get(got, "id"));
}

static void check_elements(const json_t *got, const json_t *ref)
{
	size_t j = 0;
	for (size_t i = 0; i < json_array_size(ref); i++) {
		const json_t *r = json_array_get(ref, i);
		if (!json_is_object(r))
			continue;
		const json_t *cls = json_object_get(r, "class");
		const json_t *g = json_array_get(got, j);
		/* the class alone decides: an element whose class matches the
		 * next kept one is that one, any other was dropped */
		if (!cls || !g || !same_bits(json_object_get(g, "class"), cls)) {
			FUZZ_CHECK(!is_reduced(cls));
			continue;
		}
		if (is_reduced(cls))
			check_reduced(g, r);
		else
			FUZZ_CHECK(same_bits(g, r));
		j++;
	}
	FUZZ_CHECK(j == json_array_size(got));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[256], rerr[256];
	json_t *got = mirror_scan_answer(text, size, FUZZ_MAX_DEPTH, err, sizeof err);
	json_t *ref = NULL;
	if (jsonx_check_text(text, size, FUZZ_MAX_DEPTH, rerr, sizeof rerr) == 0) {
		json_error_t je;
		ref = json_loadb(text, size, 0, &je);
		if (!ref)
			snprintf(rerr, sizeof rerr, "%s", je.text);
	}
	if (ref && !json_is_array(ref)) {
		json_decref(ref);
		ref = NULL;
		snprintf(rerr, sizeof rerr, "not a list");
	}
	if (!got != !ref)
		fprintf(stderr, "scanner: %s\njansson: %s\n", got ? "accepted" : err,
			ref ? "accepted" : rerr);
	FUZZ_CHECK(!got == !ref);
	if (got)
		check_elements(got, ref);
	json_decref(got);
	json_decref(ref);
	return 0;
}
