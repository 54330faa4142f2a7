/* test_eventlog.c -- the event log's taps, on a real database with
 * fleetd's schema: a tap hears each appended event inside the appending
 * transaction (its row id, job, type and data as stored); a tap's failure
 * makes the append fail; an event a tap appends is stored but not tapped
 * again; what taps and appends wrote is committed together.
 * The held rows: an appended row reaches the table at the commit or at
 * eventlog_flush(), with the id the append gave, in order, through every
 * size of batch; a rollback to a savepoint drops the rows held since and
 * gives their ids again; a flush that fails fails the commit; a row
 * another writer added between two transactions is not overwritten (the
 * ids are read again at each transaction's first append).
 * The notes (eventlog_note, eventlog_note_json): stored as appends of no
 * job; one whose JSON is missing (out of memory) stores nothing and does
 * not stop the transaction.
 * The reads: one job's events page inside events_job, keyed by the job
 * alone (migration 0017), by the rowid each entry ends with; all events
 * walk the ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "eventlog.h"
#include "schema.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

struct heard {
	struct eventlog *el;
	int calls, fail, append_inside;
	int64_t last_id, last_job;
	char last_type[32], last_data[64];
};

static int tap(void *arg, const struct eventlog_row *row)
{
	struct heard *h = arg;
	h->calls++;
	h->last_id = row->id;
	h->last_job = row->job_id;
	snprintf(h->last_type, sizeof h->last_type, "%s", row->type);
	snprintf(h->last_data, sizeof h->last_data, "%.*s", (int)row->data_len,
		 row->data);
	if (h->append_inside)
		eventlog_append_text(h->el, 0, "tap.inside", NULL);
	return h->fail ? -1 : 0;
}

static int64_t count_type(struct store *st, const char *type)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM events WHERE type = ?1");
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

/* Are the rows of type stored with the ids first..first+n-1, in order? */
static int ids_in_order(struct store *st, const char *type, int64_t first, int n)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT id, data FROM events WHERE type = ?1 "
				     "ORDER BY id");
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	int i = 0, ok = 1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		char want[32];
		snprintf(want, sizeof want, "{\"i\":%d}", i);
		ok &= sqlite3_column_int64(s, 0) == first + i &&
			strcmp((const char *)sqlite3_column_text(s, 1), want) == 0;
		i++;
	}
	sqlite3_reset(s);
	return ok && i == n;
}

/* n appends of type, data {"i": k}; the first id, or -1. */
static int64_t append_n(struct eventlog *el, const char *type, int n)
{
	int64_t first = -1;
	for (int i = 0; i < n; i++) {
		char data[32];
		snprintf(data, sizeof data, "{\"i\":%d}", i);
		int64_t id = eventlog_append_text(el, 9, type, data);
		if (i == 0)
			first = id;
		else if (id != first + i)
			return -1;
	}
	return first;
}

/* Over the row and byte limits (written early) and the three batch sizes:
 * 16, 4 and single rows. */
static void held_rows(struct store *st, struct eventlog *el)
{
	int64_t first = append_n(el, "bulk", 303);
	CHECK(first > 0);
	CHECK(count_type(st, "bulk") >= 256); /* the row limit wrote some */
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK(ids_in_order(st, "bulk", first, 303));
	int64_t big = append_n(el, "few", 3);
	static char text[70 * 1024];
	memset(text, ' ', sizeof text - 3);
	memcpy(text, "{}", 2);
	text[sizeof text - 1] = 0;
	CHECK_EQ_INT(eventlog_append_text(el, 0, "big", text), big + 3);
	CHECK_EQ_INT(count_type(st, "few"), 3); /* the byte limit wrote them */
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(count_type(st, "big"), 1);
	CHECK_EQ_INT(eventlog_last_id(el), big + 3);
}

/* As the engine's group does: rows held and written after the savepoint
 * go, those before it stay, and the ids after it are given again. */
static void savepoint_rewind(struct store *st, struct eventlog *el)
{
	int64_t before = append_n(el, "before", 2);
	int64_t mark = eventlog_mark(el);
	CHECK_EQ_INT(mark, before + 1);
	CHECK_EQ_INT(store_exec(st, "SAVEPOINT t"), 0);
	CHECK(append_n(el, "undone", 300) == mark + 1);
	CHECK_EQ_INT(store_exec(st, "ROLLBACK TO t"), 0);
	eventlog_rewind(el, mark);
	CHECK_EQ_INT(store_exec(st, "RELEASE t"), 0);
	CHECK_EQ_INT(append_n(el, "after", 1), mark + 1);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(count_type(st, "undone"), 0);
	CHECK(ids_in_order(st, "before", before, 2));
	CHECK(ids_in_order(st, "after", mark + 1, 1));
}

static int told_ok = -1;
static void told(void *arg, int ok)
{
	(void)arg;
	told_ok = ok;
}

/* A held row whose id was taken meanwhile: SQLite would give the row the
 * next id, not the one its append returned and its taps heard, so the
 * flush fails, and with it the commit, which rolls the whole transaction
 * back. */
static void failed_flush(struct store *st, struct eventlog *el)
{
	int64_t id = append_n(el, "lost", 1);
	CHECK(id > 0);
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO events (id, ts, type) VALUES (%lld, 0, 'taker')",
		 (long long)id);
	CHECK_EQ_INT(store_exec(st, sql), 0);
	CHECK_EQ_INT(store_on_commit(st, told, NULL), 0);
	CHECK_EQ_INT(store_commit(st), -1);
	CHECK_EQ_INT(told_ok, 0);
	CHECK_EQ_INT(count_type(st, "lost") + count_type(st, "taker"), 0);
	CHECK_EQ_INT(store_probe(st), 0);
	CHECK_EQ_INT(append_n(el, "again", 1), id); /* the id read back */
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK(ids_in_order(st, "again", id, 1));
}

/* Between two transactions a second writer adds an event (as an operator
 * with sqlite3 might): the next append comes after it. */
static void other_writer(struct store *st, struct eventlog *el)
{
	int64_t last = append_n(el, "mine", 1);
	CHECK_EQ_INT(store_commit(st), 0);
	sqlite3 *db;
	CHECK_EQ_INT(sqlite3_open(sqlite3_db_filename(store_db(st), "main"), &db), SQLITE_OK);
	CHECK_EQ_INT(sqlite3_exec(db, "INSERT INTO events (ts, type) VALUES (1, 'theirs')",
				  NULL, NULL, NULL), SQLITE_OK);
	int64_t theirs = sqlite3_last_insert_rowid(db);
	sqlite3_close(db);
	CHECK_EQ_INT(theirs, last + 1);
	CHECK_EQ_INT(append_n(el, "mine", 1), last + 2);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(count_type(st, "theirs"), 1);
	CHECK_EQ_INT(count_type(st, "mine"), 2);
}

/* The job and data of the one event of type, as "job data"; "" if none. */
static const char *stored(struct store *st, const char *type, char *buf, size_t len)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT job_id, data FROM events WHERE type = ?1");
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	buf[0] = 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, len, "%lld %s", (long long)sqlite3_column_int64(s, 0),
			 (const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	return buf;
}

static void notes(struct store *st, struct eventlog *el)
{
	char buf[128];
	eventlog_note(el, "note.text", "{\"fleet\":7}");
	eventlog_note_json(el, "note.json", json_pack("{s:I,s:n}", "fleet", (json_int_t)8,
							"world"));
	eventlog_note_json(el, "note.none", NULL);
	eventlog_note(el, "note.after", NULL);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK(strcmp(stored(st, "note.text", buf, sizeof buf), "0 {\"fleet\":7}") == 0);
	CHECK(strcmp(stored(st, "note.json", buf, sizeof buf),
		     "0 {\"fleet\":8,\"world\":null}") == 0);
	CHECK(strcmp(stored(st, "note.after", buf, sizeof buf), "0 {}") == 0);
	CHECK_EQ_INT(count_type(st, "note.none"), 0);
}

/* The plan of sql, its lines joined by '|', into buf. */
static void plan_of(struct store *st, const char *sql, char *buf, size_t len)
{
	char q[1024];
	sqlite3_stmt *s = NULL;
	buf[0] = 0;
	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	if (sqlite3_prepare_v2(store_db(st), q, -1, &s, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(s) == SQLITE_ROW) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s|", (const char *)sqlite3_column_text(s, 3));
	}
	sqlite3_finalize(s);
}

static void read_plans(struct store *st)
{
	char plan[512];
	plan_of(st, eventlog_read_sql(7), plan, sizeof plan);
	CHECK(strstr(plan, "USING INDEX events_job (job_id=? AND rowid>?)") != NULL);
	CHECK(strstr(plan, "ORDER BY") == NULL); /* no sort: the index is in id order */
	plan_of(st, eventlog_read_sql(0), plan, sizeof plan);
	CHECK(strstr(plan, "USING INTEGER PRIMARY KEY (rowid>?)") != NULL);
	if (!strstr(plan, "rowid"))
		fprintf(stderr, "# plan: %s\n", plan);
}

int main(void)
{
	char path[128];
	struct store *st = tmpdb_open(path, sizeof path, "eventlog", migrations_files);
	CHECK(st != NULL);
	if (!st)
		return tap_done();
	struct eventlog *el = eventlog_new(st);
	struct heard h = {.el = el};
	CHECK_EQ_INT(eventlog_tap(el, tap, &h), 0);

	int64_t id = eventlog_append_text(el, 7, "job.state", "{\"state\":\"failed\"}");
	CHECK(id > 0);
	CHECK_EQ_INT(h.calls, 1);
	CHECK_EQ_INT(h.last_id, id);
	CHECK_EQ_INT(h.last_job, 7);
	CHECK(strcmp(h.last_type, "job.state") == 0);
	CHECK(strcmp(h.last_data, "{\"state\":\"failed\"}") == 0);

	eventlog_append_text(el, 0, "watch", NULL);
	CHECK_EQ_INT(h.last_job, 0);
	CHECK(strcmp(h.last_data, "{}") == 0);

	h.append_inside = 1;
	CHECK(eventlog_append_text(el, 0, "outer", NULL) > 0);
	CHECK_EQ_INT(h.calls, 3); /* the inner append was not tapped */
	CHECK(strcmp(h.last_type, "outer") == 0);
	CHECK_EQ_INT(count_type(st, "tap.inside"), 0); /* held until written */
	CHECK_EQ_INT(eventlog_flush(el), 0);
	CHECK_EQ_INT(count_type(st, "tap.inside"), 1);
	h.append_inside = 0;

	h.fail = 1;
	CHECK(eventlog_append_text(el, 0, "refused", NULL) < 0);
	h.fail = 0;
	CHECK(eventlog_append_text(el, 1, "kept", NULL) > 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(count_type(st, "kept"), 1);
	CHECK_EQ_INT(count_type(st, "job.state"), 1);
	CHECK_EQ_INT(count_type(st, "tap.inside"), 1);

	held_rows(st, el);
	savepoint_rewind(st, el);
	failed_flush(st, el);
	other_writer(st, el);
	notes(st, el);
	read_plans(st);

	eventlog_free(el);
	tmpdb_close(st, path);
	return tap_done();
}
