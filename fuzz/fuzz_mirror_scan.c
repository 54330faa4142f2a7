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
 *     reductions: packed integer lists, traits and trade routes packed
 *     (every slot what the reference says, and packed only when they can
 *     be) or with their objects reduced to their rows, a battle plan as
 *     its truth;
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

/* --- traits and trade routes: packed, or objects reduced to their rows --- */

/* What the packed form holds of one value (mirror_scan.h): an id is a
 * plain integer (0 for null, strings, booleans, objects; reals and lists
 * are never packed), a number is jansson's double (-0.0 as 0, anything
 * else 0), a truth is jsonx_truthy()'s. */
static int packable_id(const json_t *v, int64_t *id)
{
	*id = json_is_integer(v) ? json_integer_value(v) : 0;
	return !json_is_real(v) && !json_is_array(v);
}

static double packed_num(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) + 0.0 : 0.0;
}

/* Slots read in order; 0 when they run out or differ. */
struct slots {
	const char *p;
	size_t left;
	int ok;
};

static void want_i64(struct slots *s, int64_t want)
{
	int64_t v;
	if (!s->left) {
		s->ok = 0;
		return;
	}
	memcpy(&v, s->p, 8);
	s->ok &= v == want;
	s->p += 8;
	s->left--;
}

static void want_double(struct slots *s, double want)
{
	double v;
	if (!s->left) {
		s->ok = 0;
		return;
	}
	memcpy(&v, s->p, 8);
	s->ok &= memcmp(&v, &want, 8) == 0;
	s->p += 8;
	s->left--;
}

/* Whole tuples of width values with an id > 0: id, then nnum numbers.
 * Returns how many, or -1 if one is not packable. */
static int64_t want_tuples(struct slots *s, const json_t *v, size_t width, size_t nnum,
			   int dry)
{
	int64_t n = 0;
	for (size_t i = 0; i + width <= json_array_size(v); i += width) {
		int64_t id;
		if (!packable_id(json_array_get(v, i), &id))
			return -1;
		if (id <= 0)
			continue;
		n++;
		if (dry)
			continue;
		want_i64(s, id);
		for (size_t k = 1; k <= nnum; k++)
			want_double(s, packed_num(json_array_get(v, i + k)));
	}
	/* a trailing partial tuple is skipped, but its id must be packable */
	size_t tail = json_array_size(v) - json_array_size(v) % width;
	int64_t id;
	if (tail < json_array_size(v) && !packable_id(json_array_get(v, tail), &id))
		return -1;
	return n;
}

/* The packed slots of a trait list against jansson's list; -1 when the
 * list holds something the scanner must not pack. */
static int want_traits(struct slots *s, const json_t *ref)
{
	for (size_t i = 0; i < json_array_size(ref); i++) {
		const json_t *e = json_array_get(ref, i);
		int64_t id;
		if (!json_is_object(e)) {
			if (!packable_id(e, &id))
				return -1;
			if (id > 0) {
				want_i64(s, id);
				want_i64(s, 0);
				want_double(s, 0);
				want_double(s, 0);
			}
			continue;
		}
		if (!packable_id(json_object_get(e, "traitID"), &id))
			return -1;
		const json_t *bd = json_object_get(e, "buildData");
		int64_t nb = want_tuples(s, bd, 3, 1, 1);
		if (nb < 0)
			return -1;
		want_i64(s, id);
		want_i64(s, nb | (int64_t)1 << 32);
		want_double(s, packed_num(json_object_get(e, "targetAllocation")));
		want_double(s, packed_num(json_object_get(e, "allocation")));
		want_tuples(s, bd, 3, 1, 0);
	}
	return 0;
}

static int truthy(const json_t *v)
{
	return json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), "true") &&
				   json_string_length(v) == 4) ||
	       (json_is_integer(v) && json_integer_value(v) != 0);
}

/* The same for trade routes; which list came first is not known from
 * jansson's object (its key order is its own), so both orders are tried by
 * the caller through the flag the scanner wrote. */
static int want_routes(struct slots *s, const json_t *ref)
{
	for (size_t i = 0; i < json_array_size(ref); i++) {
		const json_t *e = json_array_get(ref, i);
		int64_t partner;
		if (!json_is_object(e))
			continue;
		if (!packable_id(json_object_get(e, "partnerObjID"), &partner))
			return -1;
		const json_t *im = json_object_get(e, "imports"), *ex = json_object_get(e, "exports");
		int64_t ni = want_tuples(s, im, 4, 2, 1), ne = want_tuples(s, ex, 4, 2, 1);
		if (ni < 0 || ne < 0)
			return -1;
		want_i64(s, partner);
		int64_t flags = 0;
		if (s->left)
			memcpy(&flags, s->p, 8);
		int exports_first = (int)(flags >> 49 & 1);
		want_i64(s, ni | ne << 24 | (int64_t)truthy(json_object_get(e, "return")) << 48 |
				    (int64_t)exports_first << 49);
		want_tuples(s, exports_first ? ex : im, 4, 2, 0);
		want_tuples(s, exports_first ? im : ex, 4, 2, 0);
	}
	return 0;
}

/* An object of a trait or route list reduced to the keys in keys[]. */
static int same_reduced_inner(const json_t *got, const json_t *ref, const char *const *keys)
{
	if (!json_is_object(ref))
		return same_bits(got, ref);
	if (!json_is_object(got))
		return 0;
	size_t n = 0;
	for (const char *const *k = keys; *k; k++) {
		const json_t *r = json_object_get(ref, *k), *g = json_object_get(got, *k);
		if (!r != !g || (r && !same_bits(g, r)))
			return 0;
		n += r != NULL;
	}
	return json_object_size(got) == n;
}

/* Traits or tradeRoutes: packed (then every slot as the reference says,
 * and only when it is packable), or a list of the reference's elements,
 * objects reduced to their rows. */
static int same_inner_list(const json_t *got, const json_t *ref, int traits)
{
	static const char *const trait_keys[] = {"traitID", "targetAllocation", "allocation",
						 "buildData", NULL};
	static const char *const route_keys[] = {"partnerObjID", "imports", "exports", "return",
						 NULL};
	struct slots s = {.ok = 1};
	s.left = mirror_scan_packed(got, traits ? MIRROR_SCAN_TRAITS_TAG : MIRROR_SCAN_ROUTES_TAG,
				    &s.p);
	if (s.left != (size_t)-1) {
		if (!json_is_array(ref))
			return 0;
		int rc = traits ? want_traits(&s, ref) : want_routes(&s, ref);
		return rc == 0 && s.ok && s.left == 0;
	}
	if (!json_is_array(ref) || !json_is_array(got))
		return same_bits(got, ref);
	if (json_array_size(got) != json_array_size(ref))
		return 0;
	for (size_t i = 0; i < json_array_size(ref); i++)
		if (!same_reduced_inner(json_array_get(got, i), json_array_get(ref, i),
					traits ? trait_keys : route_keys))
			return 0;
	return 1;
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
			FUZZ_CHECK(same_inner_list(v, r, 1));
		else if (!strcmp(k, "tradeRoutes"))
			FUZZ_CHECK(same_inner_list(v, r, 0));
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
