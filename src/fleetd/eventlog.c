/* eventlog.c -- see eventlog.h.  Owns the `events` table (migration 0002)
 * and nothing else: rows are appended inside the turn's transaction and
 * subscribers hear of them only after that transaction commits, so no
 * watcher ever sees an event whose state change could still be lost. */
#include "eventlog.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "store.h"

#define EVENTLOG_MAX_SUBS 8

struct eventlog_sub {
	eventlog_fn fn;
	void *arg;
};

struct eventlog {
	struct store *st;
	int64_t last_id;        /* highest id written (committed or not) */
	int commit_queued;      /* a store_on_commit callback is pending */
	struct eventlog_sub subs[EVENTLOG_MAX_SUBS];
	int nsubs;
};

static const char SQL_INSERT[] =
	"INSERT INTO events (ts, job_id, type, data) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_LAST[] = "SELECT coalesce(max(id), 0) FROM events";
static const char SQL_READ_ALL[] =
	"SELECT id, ts, job_id, type, data FROM events WHERE id > ?1 "
	"ORDER BY id LIMIT ?2";
static const char SQL_READ_JOB[] =
	"SELECT id, ts, job_id, type, data FROM events WHERE job_id = ?3 "
	"AND id > ?1 ORDER BY id LIMIT ?2";

struct eventlog *eventlog_new(struct store *st)
{
	struct eventlog *el = calloc(1, sizeof *el);
	if (!el)
		return NULL;
	el->st = st;
	sqlite3_stmt *s = store_stmt(st, SQL_LAST);
	if (s && sqlite3_step(s) == SQLITE_ROW)
		el->last_id = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return el;
}

void eventlog_free(struct eventlog *el)
{
	free(el);
}

static void eventlog_committed(void *arg, int ok)
{
	struct eventlog *el = arg;
	el->commit_queued = 0;
	if (!ok) {
		/* the rows were rolled back: the next id SQLite hands out is
		 * what decides; re-read the truth */
		sqlite3_stmt *s = store_stmt(el->st, SQL_LAST);
		if (s && sqlite3_step(s) == SQLITE_ROW)
			el->last_id = sqlite3_column_int64(s, 0);
		if (s)
			sqlite3_reset(s);
		return;
	}
	for (int i = 0; i < el->nsubs; i++)
		el->subs[i].fn(el->subs[i].arg, el->last_id);
}

int64_t eventlog_append(struct eventlog *el, int64_t job_id, const char *type,
			const json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	int64_t id = eventlog_append_text(el, job_id, type, text);
	free(text);
	return id;
}

int64_t eventlog_append_text(struct eventlog *el, int64_t job_id, const char *type,
			     const char *text)
{
	if (store_begin(el->st) < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(el->st, SQL_INSERT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, clock_now_ms());
	if (job_id > 0)
		sqlite3_bind_int64(s, 2, job_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, text ? text : "{}", -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("event append failed", "type=%s error=\"%s\"", type,
			  sqlite3_errmsg(store_db(el->st)));
		return -1;
	}
	el->last_id = sqlite3_last_insert_rowid(store_db(el->st));
	/* queued even without subscribers: a failed commit must reset last_id */
	if (!el->commit_queued && store_on_commit(el->st, eventlog_committed, el) == 0)
		el->commit_queued = 1;
	return el->last_id;
}

int eventlog_subscribe(struct eventlog *el, eventlog_fn fn, void *arg)
{
	if (el->nsubs == EVENTLOG_MAX_SUBS)
		return -1;
	el->subs[el->nsubs].fn = fn;
	el->subs[el->nsubs].arg = arg;
	el->nsubs++;
	return 0;
}

static json_t *row_json(sqlite3_stmt *s)
{
	const char *data = (const char *)sqlite3_column_text(s, 4);
	json_t *d = data ? json_loads(data, JSON_DECODE_ANY, NULL) : NULL;
	json_t *job = sqlite3_column_type(s, 2) == SQLITE_NULL
		? json_null()
		: json_integer(sqlite3_column_int64(s, 2));
	return json_pack("{s:I,s:I,s:o,s:s,s:o}", "id",
			 (json_int_t)sqlite3_column_int64(s, 0), "ts",
			 (json_int_t)sqlite3_column_int64(s, 1), "job_id", job,
			 "type", (const char *)sqlite3_column_text(s, 3), "data",
			 d ? d : json_object());
}

json_t *eventlog_read(struct eventlog *el, int64_t after, int64_t job_id,
		      int limit)
{
	sqlite3_stmt *s = store_stmt(el->st, job_id > 0 ? SQL_READ_JOB : SQL_READ_ALL);
	json_t *out = json_array();
	if (!s || !out)
		return out;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : 100);
	if (job_id > 0)
		sqlite3_bind_int64(s, 3, job_id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *row = row_json(s);
		if (row)
			json_array_append_new(out, row);
	}
	sqlite3_reset(s);
	return out;
}

int64_t eventlog_last_id(struct eventlog *el)
{
	return el->last_id;
}

int eventlog_store_unavailable(const struct eventlog *el)
{
	return !store_available(el->st);
}
