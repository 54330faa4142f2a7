/* test_group.c -- group jobs' pure parts (group.h): the limits of a list,
 * the parent's end state from its children's states, a child's spec, the
 * ids a group names; and the reads of a group's rows on a real database
 * (migration 0007's column and index).  What `fleets` may say, case by
 * case, is group_cases.txt, run by test_jobspec through the job
 * language's validator as a submission is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "group.h"
#include "idmap.h"
#include "jobspec.h"
#include "store.h"
#include "schema.h"
#include "tap.h"
#include "tmpdb.h"

#define NOW_MS 1795000000000LL /* 2026-11-18 */

/* A list one over the limit, and one at it (awkward on one line). */
static void test_list_limits(void)
{
	json_t *ids = json_array();
	for (int i = 0; i < GROUP_MAX_FLEETS + 1; i++)
		json_array_append_new(ids, json_integer(6000001 + i));
	char err[200];
	CHECK(group_validate(ids, err, sizeof err) < 0);
	CHECK(strcmp(err, "fleets: must list 2 to 1000 fleet ids (has 1001); one fleet is "
		      "a job with `fleet`") == 0);
	json_array_remove(ids, 0);
	CHECK(group_validate(ids, err, sizeof err) == 0);
	int64_t *out = NULL;
	CHECK_EQ_INT(group_resolve(ids, NULL, NULL, NULL, &out, err, sizeof err),
		     GROUP_MAX_FLEETS);
	CHECK(out && out[0] == 6000002 && out[GROUP_MAX_FLEETS - 1] == 6000001 + GROUP_MAX_FLEETS);
	free(out);
	json_decref(ids);
}

/* group_end_state: the spec's rule, case by case. */
static void test_end_state(void)
{
	static const struct {
		int q, r, w, p, s, f, c; /* children in each state */
		int want;
	} cases[] = {
		{0, 0, 0, 0, 3, 0, 0, JOB_SUCCEEDED},
		{0, 0, 0, 0, 2, 1, 0, JOB_FAILED},
		{0, 0, 0, 0, 2, 1, 5, JOB_FAILED},  /* any failed: failed */
		{0, 0, 0, 0, 2, 0, 1, JOB_CANCELLED},
		{0, 0, 0, 0, 0, 0, 4, JOB_CANCELLED},
		{1, 0, 0, 0, 2, 1, 0, -1},          /* one still live */
		{0, 1, 0, 0, 0, 0, 0, -1},
		{0, 0, 1, 0, 0, 0, 0, -1},
		{0, 0, 0, 1, 9, 9, 9, -1},          /* paused is live */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint64_t n[JOB_STATE_COUNT] = {0};
		n[JOB_QUEUED] = (uint64_t)cases[i].q;
		n[JOB_RUNNING] = (uint64_t)cases[i].r;
		n[JOB_WAITING] = (uint64_t)cases[i].w;
		n[JOB_PAUSED] = (uint64_t)cases[i].p;
		n[JOB_SUCCEEDED] = (uint64_t)cases[i].s;
		n[JOB_FAILED] = (uint64_t)cases[i].f;
		n[JOB_CANCELLED] = (uint64_t)cases[i].c;
		if (group_end_state(n) != cases[i].want)
			fprintf(stderr, "end state case %zu: %d, wanted %d\n", i,
				group_end_state(n), cases[i].want);
		CHECK(group_end_state(n) == cases[i].want);
	}
}

static void test_child_spec(void)
{
	json_t *spec = json_loads("{\"name\":\"g\",\"fleets\":[5,6],\"steps\":[{\"op\":\"move\","
				  "\"to\":20}],\"repeat\":2}", 0, NULL);
	json_t *c = group_child_spec(spec, 6);
	char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK(text && strcmp(text, "{\"fleet\":6,\"name\":\"g\",\"repeat\":2,\"steps\":"
			    "[{\"op\":\"move\",\"to\":20}]}") == 0);
	char err[200];
	CHECK(jobspec_validate(c, NOW_MS, err, sizeof err) == 0);
	CHECK(json_object_get(spec, "fleets") != NULL); /* the group's spec is kept */
	free(text);
	json_decref(c);
	json_decref(spec);
}

struct seen {
	char paths[8][48];
	int kinds[8];
	int64_t ids[8];
	int n;
};

static int note_ref(void *arg, const char *path, enum jobspec_ref kind, int64_t id)
{
	struct seen *s = arg;
	if (s->n < 8) {
		snprintf(s->paths[s->n], sizeof s->paths[0], "%s", path);
		s->kinds[s->n] = (int)kind;
		s->ids[s->n] = id;
	}
	s->n++;
	return 0;
}

/* The ids of a group, with their paths, as the API checks them. */
static void test_refs(void)
{
	struct seen s = {.n = 0};
	json_t *g = json_loads("{\"fleets\":[5,6],\"steps\":[{\"op\":\"wait\",\"seconds\":1}]}",
			       0, NULL);
	CHECK(jobspec_refs(g, note_ref, &s) == 0);
	CHECK_EQ_INT(s.n, 2);
	CHECK(strcmp(s.paths[1], "fleets[1]") == 0 && s.kinds[1] == REF_FLEET && s.ids[1] == 6);
	json_decref(g);
	s.n = 0;
	g = json_loads("{\"fleets\":{\"filter\":{\"at\":20,\"cargo\":{\"resource\":90,"
		       "\"at_least\":1}}},\"steps\":[{\"op\":\"wait\",\"seconds\":1}]}", 0, NULL);
	CHECK(jobspec_refs(g, note_ref, &s) == 0);
	CHECK_EQ_INT(s.n, 2);
	CHECK(strcmp(s.paths[0], "fleets.filter.at") == 0 && s.kinds[0] == REF_WORLD);
	CHECK(strcmp(s.paths[1], "fleets.filter.cargo.resource") == 0 &&
	      s.kinds[1] == REF_RESOURCE && s.ids[1] == 90);
	json_decref(g);
}

/* The reads by the parent's id on a real database. */
static void test_reads(void)
{
	char path[128];
	struct store *st = tmpdb_open(path, sizeof path, "group", migrations_files);
	CHECK(st != NULL);
	if (!st) {
		tmpdb_remove(path);
		return;
	}
	static const char *const rows[] = {
		"INSERT INTO jobs (id, spec, state, wait_kind, created_at, updated_at) "
		"VALUES (1, '{}', 'waiting', 'children', 0, 0)",
		"INSERT INTO jobs (id, parent, fleet, spec, state, created_at, updated_at) "
		"VALUES (2, 1, 5, '{}', 'running', 0, 0)",
		"INSERT INTO jobs (id, parent, fleet, spec, state, created_at, updated_at) "
		"VALUES (3, 1, 6, '{}', 'failed', 0, 0)",
		"INSERT INTO jobs (id, parent, fleet, spec, state, created_at, updated_at) "
		"VALUES (4, 1, 7, '{}', 'paused', 0, 0)",
		"INSERT INTO jobs (id, fleet, spec, state, created_at, updated_at) "
		"VALUES (5, 8, '{}', 'running', 0, 0)",
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		CHECK(store_exec(st, rows[i]) == 0);
	CHECK_EQ_INT(group_live_child(st, 1), 1);
	CHECK_EQ_INT(group_live_child(st, 5), 0);
	uint64_t n[JOB_STATE_COUNT];
	CHECK(group_counts(st, 1, n) == 0);
	CHECK(n[JOB_RUNNING] == 1 && n[JOB_FAILED] == 1 && n[JOB_PAUSED] == 1 &&
	      n[JOB_SUCCEEDED] == 0);
	CHECK_EQ_INT(group_end_state(n), -1);
	struct idvec all = {0}, live = {0};
	CHECK(group_children(st, 1, 0, &all) == 0 && group_children(st, 1, 1, &live) == 0);
	CHECK(all.n == 3 && all.v[0] == 2 && all.v[2] == 4);
	CHECK(live.n == 2 && live.v[0] == 2 && live.v[1] == 4);
	CHECK(store_exec(st, "UPDATE jobs SET state = 'succeeded' WHERE id IN (2, 4)") == 0);
	CHECK_EQ_INT(group_live_child(st, 1), 0);
	CHECK(group_counts(st, 1, n) == 0);
	CHECK_EQ_INT(group_end_state(n), JOB_FAILED);
	/* the live-child probe is answered from the index */
	sqlite3_stmt *q;
	CHECK(sqlite3_prepare_v2(store_db(st), "EXPLAIN QUERY PLAN SELECT 1 FROM jobs WHERE "
				 "parent = 1 AND (state = 'queued' OR state = 'running') LIMIT 1",
				 -1, &q, NULL) == SQLITE_OK);
	int indexed = 0;
	while (sqlite3_step(q) == SQLITE_ROW)
		indexed |= strstr((const char *)sqlite3_column_text(q, 3), "jobs_parent") != NULL;
	sqlite3_finalize(q);
	CHECK(indexed);
	idvec_free(&all);
	idvec_free(&live);
	tmpdb_close(st, path);
}

int main(void)
{
	test_list_limits();
	test_end_state();
	test_child_spec();
	test_refs();
	test_reads();
	return tap_done();
}
