/* test_row_page.c -- row_page() and row_page_after(), the pager of the
 * stored lists, and row_list(), on a real database file whose table's
 * ids have gaps.  row_list gives every row in order; a failing row or a
 * database error fails it (NULL) and leaves the statement reset.  Pages:
 * walking the pages (ascending with row_page_after, descending with
 * row_page, every limit from 1 to past the end) gives every row once, in
 * order, each page at most limit rows, the cursor the last id sent and 0
 * on the last page; a row whose JSON cannot be made and a database error
 * in the middle of a page both fail the page (NULL, cursor 0) and leave
 * the statement reset for the next call; a statement that cannot be
 * prepared is NULL too. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "embed.h"
#include "row_page.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

static const int64_t IDS[] = {3, 4, 7, 10, 11, 12, 20, 31, 32};
#define NIDS (sizeof IDS / sizeof IDS[0])

static const char SQL_UP[] = "SELECT id, v FROM t WHERE id > ?1 ORDER BY id LIMIT ?2";
static const char SQL_DOWN[] =
	"SELECT id, v FROM t WHERE id < ?1 ORDER BY id DESC LIMIT ?2";
/* a runtime error (integer overflow) on the row with id 11 */
static const char SQL_BROKEN[] =
	"SELECT id, v FROM t WHERE id > ?1 AND "
	"(CASE WHEN id = 11 THEN abs(-9223372036854775807 - 1) ELSE 1 END) "
	"ORDER BY id LIMIT ?2";

static const char SQL_ALL[] = "SELECT id, v FROM t ORDER BY id";
static const char SQL_ALL_BROKEN[] =
	"SELECT id, v FROM t WHERE "
	"(CASE WHEN id = 20 THEN abs(-9223372036854775807 - 1) ELSE 1 END) ORDER BY id";
static const char SQL_NO_TABLE[] =
	"SELECT id FROM no_such_table WHERE id > ?1 ORDER BY id LIMIT ?2";

struct seen {
	int calls, fail_at; /* fail_at: the id whose JSON "cannot be made" */
};

static json_t *row_json(void *arg, sqlite3_stmt *s)
{
	struct seen *sn = arg;
	sn->calls++;
	int64_t id = sqlite3_column_int64(s, 0);
	if (id == sn->fail_at)
		return NULL;
	return json_pack("{s:I,s:s}", "id", (json_int_t)id, "v",
			 (const char *)sqlite3_column_text(s, 1));
}

static const struct embed_file no_migrations[] = {{NULL, NULL, 0}};

static struct store *open_db(const char *path)
{
	char err[256];
	tmpdb_remove(path);
	struct store *st = store_open_with(path, no_migrations, err, sizeof err);
	if (!st) {
		fprintf(stderr, "store_open_with: %s\n", err);
		return NULL;
	}
	sqlite3 *db = store_db(st);
	sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", NULL, NULL, NULL);
	for (size_t i = 0; i < NIDS; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "INSERT INTO t VALUES (%lld, 'row %lld')",
			 (long long)IDS[i], (long long)IDS[i]);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return st;
}

/* One page: ascending by row_page_after, descending by row_page. */
static json_t *page(struct store *st, const char *sql, int down, int64_t cursor, int limit,
		    struct seen *sn, int64_t *next)
{
	if (!down)
		return row_page_after(st, sql, cursor, limit, row_json, sn, next);
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, cursor);
	return row_page(s, 2, limit, row_json, sn, next);
}

/* Walk every page of sql with limit; the ids in order of IDS (down:
 * reversed), each page's size and cursor checked. */
static void walk(struct store *st, const char *sql, int down, int limit)
{
	int64_t cursor = down ? INT64_MAX : 0;
	size_t got = 0, pages = 0;
	for (;;) {
		struct seen sn = {0};
		int64_t next = -1;
		json_t *a = page(st, sql, down, cursor, limit, &sn, &next);
		CHECK(a != NULL);
		if (!a)
			break;
		size_t n = json_array_size(a);
		pages++;
		CHECK(n >= 1 || got == NIDS);
		CHECK(n <= (size_t)limit);
		for (size_t i = 0; i < n && got < NIDS; i++, got++) {
			int64_t want = IDS[down ? NIDS - 1 - got : got];
			CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(a, i), "id")),
				     want);
		}
		int64_t last = n ? json_integer_value(json_object_get(json_array_get(a, n - 1), "id"))
				 : 0;
		json_decref(a);
		if (got == NIDS) {
			CHECK_EQ_INT(next, 0); /* the last page says so */
			break;
		}
		CHECK_EQ_INT(n, limit); /* only the last page is short */
		CHECK_EQ_INT(next, last);
		if (next <= 0 || pages > NIDS)
			break;
		cursor = next;
	}
	CHECK_EQ_INT(got, NIDS);
	CHECK_EQ_INT(pages, (NIDS + (size_t)limit - 1) / (size_t)limit);
}

/* A failure inside the page: NULL, cursor 0, the statement reset (the
 * same statement answers a good page right after). */
static void failing(struct store *st, const char *sql, int fail_at)
{
	struct seen sn = {.fail_at = fail_at};
	int64_t next = -1;
	CHECK(row_page_after(st, sql, 0, 100, row_json, &sn, &next) == NULL);
	CHECK_EQ_INT(next, 0);
	struct seen ok = {0};
	json_t *a = row_page_after(st, sql, 0, 2, row_json, &ok, &next);
	CHECK(a != NULL && json_array_size(a) == 2);
	CHECK_EQ_INT(next, IDS[1]);
	json_decref(a);
}

/* row_list: every row; failures NULL; the statement reusable after. */
static void test_list(struct store *st)
{
	static const struct {
		const char *sql;
		int fail_at, ok;
	} runs[] = {
		{SQL_ALL, 0, 1},
		{SQL_ALL, 12, 0},       /* a row's JSON cannot be made */
		{SQL_ALL_BROKEN, 0, 0}, /* the database fails mid-list */
		{SQL_ALL, 0, 1},        /* the same statement again */
	};
	for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
		sqlite3_stmt *s = store_stmt(st, runs[r].sql);
		CHECK(s != NULL);
		if (!s)
			continue;
		struct seen sn = {.fail_at = runs[r].fail_at};
		json_t *a = row_list(s, row_json, &sn);
		CHECK(!a == !runs[r].ok);
		if (a) {
			CHECK_EQ_INT(json_array_size(a), NIDS);
			for (size_t i = 0; i < json_array_size(a) && i < NIDS; i++)
				CHECK_EQ_INT(json_integer_value(
						     json_object_get(json_array_get(a, i), "id")),
					     IDS[i]);
		}
		json_decref(a);
	}
}

int main(void)
{
	char path[256];
	snprintf(path, sizeof path, "test_row_page.%d.db", (int)getpid());
	struct store *st = open_db(path);
	CHECK(st != NULL);
	if (!st)
		return tap_done();
	for (int limit = 1; limit <= (int)NIDS + 2; limit++) {
		walk(st, SQL_UP, 0, limit);
		walk(st, SQL_DOWN, 1, limit);
	}
	failing(st, SQL_UP, 10);    /* a row's JSON cannot be made */
	failing(st, SQL_BROKEN, 0); /* the database fails mid-page */
	test_list(st);
	struct seen sn = {0};
	int64_t next = -1;
	CHECK(row_page_after(st, SQL_NO_TABLE, 0, 10, row_json, &sn, &next) == NULL);
	CHECK_EQ_INT(next, 0);
	CHECK_EQ_INT(sn.calls, 0);
	store_close(st);
	tmpdb_remove(path);
	return tap_done();
}
