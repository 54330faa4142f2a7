/* test_mirror_scan.c -- the fast reader of getObjects answers against
 * jansson: on the real excerpt (SKIP when absent) both paths give the same
 * mirror, field by field; tricky strings decode the same; malformed texts
 * are refused by both; and randomly damaged copies of the excerpt are
 * accepted by the scanner exactly when jansson accepts them, with the same
 * mirror when they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mirror.h"
#include "mirror_scan.h"
#include "tap.h"

static struct mirror *load_with(const char *text, size_t len, int scan, int *ok)
{
	char err[256];
	json_t *a;
	if (scan) {
		a = mirror_scan_answer(text, len, 1000, err, sizeof err);
	} else {
		json_error_t je;
		a = json_loadb(text, len, 0, &je);
		if (a && !json_is_array(a)) {
			json_decref(a);
			a = NULL;
		}
	}
	*ok = a != NULL;
	struct mirror *m = mirror_new();
	json_t *info = json_loads("{\"userInfo\":{\"sovereignID\":3913334},\"scenarioInfo\":"
				  "[{\"id\":39,\"role\":\"tradingHub\",\"nameDesc\":\"hub\"},"
				  "{\"id\":6,\"category\":\"bureauOfTrade\"}]}", 0, NULL);
	mirror_set_game_info(m, info, err, sizeof err);
	json_decref(info);
	if (a)
		mirror_merge(m, a, 1, err, sizeof err);
	json_decref(a);
	return m;
}

static int same_res(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, 2 * na * sizeof *a));
}

/* Every field of every fleet and world, and the update. */
static int same_mirror(const struct mirror *a, const struct mirror *b)
{
	if (mirror_fleet_count(a) != mirror_fleet_count(b) ||
	    mirror_world_count(a) != mirror_world_count(b) ||
	    mirror_ready(a) != mirror_ready(b) || mirror_watch(a) != mirror_watch(b) ||
	    mirror_sequence_value(a) != mirror_sequence_value(b))
		return 0;
	if (!mirror_sequence(a) != !mirror_sequence(b) ||
	    (mirror_sequence(a) && !json_equal((json_t *)mirror_sequence(a),
					       (json_t *)mirror_sequence(b))))
		return 0;
	if (!mirror_history(a) != !mirror_history(b) ||
	    (mirror_history(a) &&
	     !json_equal((json_t *)mirror_history(a), (json_t *)mirror_history(b))))
		return 0;
	for (size_t i = 0; i < mirror_fleet_count(a); i++) {
		const struct mirror_fleet *x = mirror_fleet_at(a, i), *y = mirror_fleet_at(b, i);
		if (x->id != y->id || strcmp(x->name, y->name) || x->sovereign != y->sovereign ||
		    strcmp(x->ftl_type, y->ftl_type) || x->x != y->x || x->y != y->y ||
		    x->anchor != y->anchor || x->dest_id != y->dest_id ||
		    x->dest_x != y->dest_x || x->dest_y != y->dest_y || x->eta != y->eta ||
		    x->in_battle != y->in_battle || !same_res(x->res, x->nres, y->res, y->nres))
			return 0;
	}
	for (size_t i = 0; i < mirror_world_count(a); i++) {
		const struct mirror_world *x = mirror_world_at(a, i), *y = mirror_world_at(b, i);
		if (x->id != y->id || strcmp(x->name, y->name) || x->sovereign != y->sovereign ||
		    x->x != y->x || x->y != y->y || x->designation != y->designation ||
		    x->tech_level != y->tech_level || x->population != y->population ||
		    x->in_battle != y->in_battle || x->trading != y->trading ||
		    !same_res(x->res, x->nres, y->res, y->nres) || x->nnear != y->nnear ||
		    (x->nnear && memcmp(x->near, y->near, x->nnear * sizeof *x->near)))
			return 0;
	}
	return 1;
}

static void differential(const char *text, size_t len, int *accepted, int *equal)
{
	int ok1, ok2;
	struct mirror *a = load_with(text, len, 0, &ok1);
	struct mirror *b = load_with(text, len, 1, &ok2);
	*accepted = ok1 == ok2 ? ok1 : -1;
	*equal = same_mirror(a, b);
	mirror_free(a);
	mirror_free(b);
}

static void test_cases(void)
{
	static const char *const bad[] = {
		"", "[", "[1,]", "[{\"a\":1,}]", "[\"\\x\"]", "[\"\xff\"]", "[01]", "[1.]",
		"[-]", "[tru]", "[] x", "[\"\\ud800\"]", "[\"a\nb\"]",
		"[99999999999999999999]", "[1e999]", "[{\"a\" 1}]", "[{1:2}]",
		"[\"\\u0000\"]", "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[[[[[[1]]]]]]",
		"{\"class\":\"world\"}", "[{\"class\":\"world\",\"name\":\"\\q\"}]",
		"[{\"class\":\"fleet\",\"id\":1,\"resources\":[1,]}]",
	};
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *a = mirror_scan_answer(bad[i], strlen(bad[i]), 5, err, sizeof err);
		if (a)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(a == NULL && err[0]);
		json_decref(a);
	}
	/* names with escapes decode as jansson decodes them; -0.0 and reals */
	const char *good =
		" [ {\"class\":\"world\",\"id\":7,\"name\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\\/\","
		"\"pos\":[-0.0,1e2],\"population\":12.5,\"traits\":[1,{\"traitID\":39,\"x\":[]}],"
		"\"skipped\":{\"deep\":[[\"\\u1234\"]]},\"battlePlan\":{\"a\":1}},"
		"{\"class\":\"fleet\",\"id\":8,\"name\":\"\\u0041\",\"battlePlan\":\"true\","
		"\"resources\":[1,[\"AEON2011:ipInteger:v1\",\"KzFQSQUAAAABNg8pfg==\"]]},"
		"{\"class\":\"update\",\"sequence\":[\"AEON2011:ipInteger:v1\",\"KzFQSQUAAAABNg8pfg==\"],"
		"\"update\":5.0}, 3, \"x\", [] ] ";
	int accepted, equal;
	differential(good, strlen(good), &accepted, &equal);
	CHECK_EQ_INT(accepted, 1);
	CHECK(equal);
	json_t *a = mirror_scan_answer(good, strlen(good), 100, err, sizeof err);
	CHECK(a && json_array_size(a) == 3); /* non-objects are dropped */
	CHECK(a && !strcmp(json_string_value(json_object_get(json_array_get(a, 0), "name")),
			   "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80/"));
	CHECK(a && !json_object_get(json_array_get(a, 0), "skipped"));
	json_decref(a);
	a = mirror_scan_answer("{}", 2, 5, err, sizeof err);
	CHECK(!a && strstr(err, "not a list"));
}

static void test_fixture(const char *path)
{
	FILE *fp = fopen(path, "rb");
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	char *text = malloc((size_t)n);
	CHECK(fread(text, 1, (size_t)n, fp) == (size_t)n);
	fclose(fp);
	int accepted, equal;
	differential(text, (size_t)n, &accepted, &equal);
	CHECK_EQ_INT(accepted, 1);
	CHECK(equal);
	int ok;
	struct mirror *m = load_with(text, (size_t)n, 1, &ok);
	const int64_t *ids;
	CHECK_EQ_INT(mirror_world_count_of(m, 3913334), 54);
	CHECK_EQ_INT(mirror_fleets_of(m, 3913334, &ids), 11);
	CHECK_EQ_INT(mirror_sequence_value(m), 5201930622LL);
	CHECK(mirror_world(m, 99) && mirror_world(m, 99)->trading);
	mirror_free(m);

	/* damaged copies of a slice: same verdict, same mirror */
	json_t *all = json_loadb(text, (size_t)n, 0, NULL);
	json_t *slice = json_array();
	for (size_t i = 0; i < json_array_size(all); i += 4)
		json_array_append(slice, json_array_get(all, i));
	char *small = json_dumps(slice, JSON_COMPACT);
	json_decref(all);
	json_decref(slice);
	size_t len = strlen(small);
	static const char pool[] = "\"\\{}[],:0-.eu nt\xff\xc3";
	unsigned seed = 1234;
	int disagree = 0, differ = 0, accepted_n = 0;
	char *copy = malloc(len + 1);
	for (int it = 0; it < 150; it++) {
		memcpy(copy, small, len + 1);
		size_t clen = len;
		int edits = 1 + rand_r(&seed) % 3;
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)rand_r(&seed) % clen;
			if (rand_r(&seed) % 4 == 0) { /* delete a byte */
				memmove(copy + at, copy + at + 1, clen - at);
				clen--;
			} else {
				copy[at] = pool[rand_r(&seed) % (sizeof pool - 1)];
			}
		}
		differential(copy, clen, &accepted, &equal);
		if (accepted < 0)
			disagree++;
		if (accepted == 1) {
			accepted_n++;
			if (!equal)
				differ++;
		}
	}
	CHECK_EQ_INT(disagree, 0);
	CHECK_EQ_INT(differ, 0);
	CHECK(accepted_n > 0); /* some damage lands inside strings and stays valid */
	free(copy);
	free(small);
	free(text);
}

int main(void)
{
	test_cases();
	const char *shared = getenv("FLEETD_SHARED");
	const char *top = getenv("TOP_SRCDIR");
	char path[4096];
	if (shared && *shared)
		snprintf(path, sizeof path, "%s/fixtures/anacreon/getObjects-excerpt.json",
			 shared);
	else
		snprintf(path, sizeof path,
			 "%s/../shared/fixtures/anacreon/getObjects-excerpt.json",
			 top && *top ? top : "..");
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "SKIP: no fixture at %s\n", path);
		int rc = tap_done();
		return rc ? rc : 77;
	}
	fclose(fp);
	test_fixture(path);
	return tap_done();
}
