/* test_job_filter.c -- the filters of GET /v1/jobs (job_filter.c): each
 * parameter's values case by case (job_filter_cases.txt), and the
 * conditions they write run by SQLite against a real jobs table (fleetd's
 * migrations): an absent filter lets every row through, the given ones
 * combine, `since` is "at or after". */
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "job_filter.h"
#include "schema.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

/* --- values, from the case file ------------------------------------------- */

struct one_param {
	char name[32];
	const char *value;
};

static const char *get_one(void *arg, const char *name)
{
	const struct one_param *p = arg;
	return strcmp(p->name, name) == 0 ? p->value : NULL;
}

static void run_case(const char *expect, const char *input, int line)
{
	const char *eq = strchr(input, '=');
	struct one_param p = {{0}, eq ? eq + 1 : ""};
	snprintf(p.name, sizeof p.name, "%.*s", eq ? (int)(eq - input) : 0, input);
	struct job_filters f;
	char err[300] = "";
	int rc = job_filters_read(&f, get_one, &p, err, sizeof err);
	int ok = strncmp(expect, "ok", 2) == 0;
	int good = ok ? rc == 0 : rc < 0 && strncmp(err, expect, strlen(expect)) == 0;
	if (good && ok && expect[2] == ' ') {
		good = 0;
		for (int i = 0; i < JF_COUNT; i++)
			if (f.set[i])
				good = f.num[i] == strtoll(expect + 3, NULL, 10);
	}
	if (!good)
		fprintf(stderr, "job_filter_cases.txt:%d: %s -> %d \"%s\"\n", line, input, rc, err);
	CHECK(good);
}

/* --- conditions, run by SQLite -------------------------------------------- */

static char path[256];

static void cleanup(void)
{
	tmpdb_remove(path);
}

/* A query of several parameters: "a=1&b=2" (no escapes). */
struct query {
	char text[256];
	const char *name[8], *value[8];
	int n;
};

static const char *get_query(void *arg, const char *name)
{
	const struct query *q = arg;
	for (int i = 0; i < q->n; i++)
		if (strcmp(q->name[i], name) == 0)
			return q->value[i];
	return NULL;
}

/* The ids the filters of query select, as "1,3"; "" for none. */
static const char *selected(struct store *st, const char *query)
{
	static char out[256];
	struct query q = {.n = 0};
	snprintf(q.text, sizeof q.text, "%s", query);
	for (char *tok = strtok(q.text, "&"); tok && q.n < 8; tok = strtok(NULL, "&")) {
		char *eq = strchr(tok, '=');
		*eq = 0;
		q.name[q.n] = tok;
		q.value[q.n++] = eq + 1;
	}
	struct job_filters f;
	char err[300], where[2048], sql[2200];
	CHECK(job_filters_read(&f, get_query, &q, err, sizeof err) == 0);
	CHECK(job_filters_sql(where, sizeof where, 1, -1) == 0);
	snprintf(sql, sizeof sql, "SELECT id FROM jobs WHERE %s ORDER BY id", where);
	sqlite3_stmt *s;
	out[0] = 0;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		CHECK(!"the conditions prepare");
		return out;
	}
	job_filters_bind(s, 1, &f);
	while (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%lld", *out ? "," : "",
			 (long long)sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	return out;
}

static void test_conditions(void)
{
	char err[300];
	snprintf(path, sizeof path, "/tmp/test_job_filter.%d.db", (int)getpid());
	cleanup();
	struct store *st = store_open(path, err, sizeof err);
	CHECK(st != NULL);
	if (!st)
		return;
	/* id, name, fleet, state, created_at, retry_of */
	CHECK(store_exec(st,
			 "INSERT INTO jobs (id, name, fleet, spec, state, created_at, updated_at, retry_of) VALUES "
			 "(1, 'upkeep', 10, '{}', 'failed', 1000, 1000, NULL),"
			 "(2, 'upkeep', 11, '{}', 'succeeded', 2000, 2000, 1),"
			 "(3, 'raid', 10, '{}', 'waiting', 3000, 3000, NULL),"
			 "(4, NULL, 12, '{}', 'failed', 4000, 4000, 1)") == 0);
	CHECK(strcmp(selected(st, ""), "1,2,3,4") == 0);
	CHECK(strcmp(selected(st, "name=upkeep"), "1,2") == 0);
	CHECK(strcmp(selected(st, "name=upkeep&state=failed"), "1") == 0);
	CHECK(strcmp(selected(st, "fleet=10&state=waiting"), "3") == 0);
	CHECK(strcmp(selected(st, "since=2000"), "2,3,4") == 0); /* at or after */
	CHECK(strcmp(selected(st, "since=2001&state=failed"), "4") == 0);
	CHECK(strcmp(selected(st, "retry_of=1"), "2,4") == 0);
	CHECK(strcmp(selected(st, "retry_of=1&name=upkeep"), "2") == 0);
	CHECK(strcmp(selected(st, "name=nobody"), "") == 0);
	store_close(st);
	cleanup();
}

static void test_sql_text(void)
{
	char buf[2048];
	CHECK(job_filters_sql(buf, sizeof buf, 3, -1) == 0);
	CHECK(strstr(buf, "(?3 IS NULL OR parent = ?3)") == buf);
	CHECK(strstr(buf, "(?8 IS NULL OR state = ?8)") != NULL);
	CHECK(strstr(buf, "created_at >= ?10") != NULL);
	CHECK(job_filters_sql(buf, 40, 3, -1) < 0); /* does not fit: refused */
	/* the driving filter is a plain condition an index can answer */
	CHECK(job_filters_sql(buf, sizeof buf, 3, JF_STATE) == 0);
	CHECK(strstr(buf, " AND state = ?8 AND ") != NULL && !strstr(buf, "OR state"));
	int64_t n;
	CHECK(job_query_int("17", 1, 100, &n) == 0 && n == 17);
	CHECK(job_query_int("101", 1, 100, &n) < 0);
	CHECK(job_query_int(NULL, 1, 100, &n) < 0);
	CHECK(job_query_int("", 1, 100, &n) < 0);
}

int main(void)
{
	CHECK(cases_run("job_filter_cases.txt", run_case) >= 30);
	test_conditions();
	test_sql_text();
	return tap_done();
}
