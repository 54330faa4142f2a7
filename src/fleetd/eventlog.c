/* eventlog.c -- see eventlog.h.  Owns the `events` table (migration 0002)
 * and nothing else: rows are appended inside the turn's transaction and
 * subscribers hear of them only after that transaction commits, so no
 * watcher ever sees an event whose state change could still be lost.
 *
 * An appended row is held in memory, with its id already given (the next
 * after the highest: read again at the first append of each transaction,
 * whose write lock no other writer of the file can then take until the
 * commit, so that id is the one SQLite would give), and the held rows are
 * written together just before the transaction commits (store_add_flush),
 * before the table is read, and whenever many are held: one INSERT of up
 * to EVENTLOG_HOLD_ROWS rows, not one statement per event (a woken job writes
 * two or three events; a statement's own cost was half of each row's).
 * The INSERT lets SQLite append each row at the highest id + 1, and the
 * flush fails unless those are the ids the appends gave.
 * A flush that fails fails the commit, which rolls the transaction back
 * as any failed commit does. */
#include "eventlog.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "clock.h"
#include "hooks.h"
#include "log.h"
#include "store.h"
#include "textbuf.h"

#define EVENTLOG_MAX_SUBS 8
#define EVENTLOG_MAX_TAPS 4
/* Written before this many rows or bytes are held, whatever the commit. */
#define EVENTLOG_HOLD_ROWS 256
#define EVENTLOG_HOLD_BYTES (64 * 1024)

/* A row appended and not yet written: its strings are in held_text. */
struct held_row {
	int64_t id, ts, job_id;
	size_t type, data;         /* offsets into held_text */
	size_t type_len, data_len; /* without their NULs */
};

struct eventlog {
	struct store *st;
	int64_t last_id;        /* highest id written (committed or not) */
	int commit_queued;      /* a store_on_commit callback is pending */
	HOOKS(eventlog_fn, EVENTLOG_MAX_SUBS) subs;
	HOOKS(eventlog_tap_fn, EVENTLOG_MAX_TAPS) taps;
	int tapping;            /* inside a tap: appends are not tapped */
	struct held_row *held;  /* appended, not yet written (in id order) */
	size_t nheld, capheld;
	struct textbuf held_text;
	int flush_failed;       /* rows were lost: the commit must fail */
};

/* The INSERTs of 1, 4, 16, 64 and 256 held rows (EVENTLOG_HOLD_ROWS, a
 * whole hold), each row's four parameters numbered in turn: a held set is
 * written by the largest that fits, then the next ones.  A statement's
 * own cost (its cursors opened and their first seeks, halting, resetting)
 * is ~7 K instructions whatever its rows, against ~5 K per row.  The
 * larger ones cost more to prepare (~180 K instructions per 16 rows),
 * which is done once, at start-up.  The id is not bound: SQLite
 * gives each row the highest id + 1, which is the id the row was held
 * with (write_rows() checks it), and an append found that way costs a
 * third of an insert at a given id, which seeks the table for each row.
 * OR FAIL: a batch needs no statement journal of its own, since a flush
 * that fails fails the whole transaction anyway. */
#define EV_ROW "(?, ?, ?, ?)"
#define EV_ROWS4 EV_ROW ", " EV_ROW ", " EV_ROW ", " EV_ROW
#define EV_ROWS16 EV_ROWS4 ", " EV_ROWS4 ", " EV_ROWS4 ", " EV_ROWS4
#define EV_ROWS64 EV_ROWS16 ", " EV_ROWS16 ", " EV_ROWS16 ", " EV_ROWS16
#define EV_ROWS256 EV_ROWS64 ", " EV_ROWS64 ", " EV_ROWS64 ", " EV_ROWS64
#define EV_INSERT "INSERT OR FAIL INTO events (ts, job_id, type, data) VALUES "
static const struct batch {
	int rows;
	const char *sql;
} batches[] = { /* largest first */
	{EVENTLOG_HOLD_ROWS, EV_INSERT EV_ROWS256},
	{64, EV_INSERT EV_ROWS64},
	{16, EV_INSERT EV_ROWS16},
	{4, EV_INSERT EV_ROWS4},
	{1, EV_INSERT EV_ROW},
};
#define NBATCHES (sizeof batches / sizeof batches[0])
_Static_assert(EVENTLOG_HOLD_ROWS == 256, "the largest INSERT writes a whole hold");
static const char SQL_LAST[] = "SELECT coalesce(max(id), 0) FROM events";
static const char SQL_READ_ALL[] =
	"SELECT id, ts, job_id, type, data FROM events WHERE id > ?1 "
	"ORDER BY id LIMIT ?2";
static const char SQL_READ_JOB[] =
	"SELECT id, ts, job_id, type, data FROM events WHERE job_id = ?3 "
	"AND id > ?1 ORDER BY id LIMIT ?2";

static int eventlog_flush_hook(void *arg);

const char *eventlog_read_sql(int64_t job_id)
{
	return job_id > 0 ? SQL_READ_JOB : SQL_READ_ALL;
}

/* The highest id in the table; 0 for none, -1 if it cannot be read. */
static int64_t read_last(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LAST);
	int64_t id = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	if (s)
		sqlite3_reset(s);
	return id;
}

struct eventlog *eventlog_new(struct store *st)
{
	struct eventlog *el = calloc(1, sizeof *el);
	if (!el)
		return NULL;
	el->st = st;
	if (store_add_flush(st, eventlog_flush_hook, el) < 0) {
		free(el);
		return NULL;
	}
	int64_t last = read_last(st);
	el->last_id = last > 0 ? last : 0;
	/* prepared now, not in the first turn that writes many events */
	for (size_t b = 0; b < NBATCHES; b++)
		store_stmt(st, batches[b].sql);
	return el;
}

void eventlog_free(struct eventlog *el)
{
	if (!el)
		return;
	store_remove_flush(el->st, eventlog_flush_hook, el);
	free(el->held);
	textbuf_free(&el->held_text);
	free(el);
}

/* Forget the held rows (written, or rolled back with their transaction);
 * a buffer grown by a large transaction is given back. */
static void held_clear(struct eventlog *el)
{
	el->nheld = 0;
	el->held_text.len = 0;
	if (el->held_text.cap > 2 * EVENTLOG_HOLD_BYTES || el->held_text.oom)
		textbuf_free(&el->held_text);
	if (el->capheld > 2 * EVENTLOG_HOLD_ROWS) {
		free(el->held);
		el->held = NULL;
		el->capheld = 0;
	}
}

/* A held text's length as SQLite takes it (-1: SQLite measures it). */
static int bind_len(size_t n)
{
	return n <= INT_MAX ? (int)n : -1;
}

/* Bind held row r as the i-th row of s. */
static void bind_held(struct eventlog *el, sqlite3_stmt *s, int i, const struct held_row *r)
{
	int p = i * 4;
	sqlite3_bind_int64(s, p + 1, r->ts);
	if (r->job_id > 0)
		sqlite3_bind_int64(s, p + 2, r->job_id);
	else
		sqlite3_bind_null(s, p + 2);
	sqlite3_bind_text(s, p + 3, el->held_text.p + r->type, bind_len(r->type_len), SQLITE_STATIC);
	sqlite3_bind_text(s, p + 4, el->held_text.p + r->data, bind_len(r->data_len), SQLITE_STATIC);
}

/* Write n held rows from first with one statement of n rows; the ids
 * SQLite gave them must be the ones they were held with (consecutive, so
 * the last one tells).  Every parameter is bound below, so the statement's
 * old bindings are not cleared first. */
static int write_rows(struct eventlog *el, const char *sql, size_t first, int n)
{
	sqlite3_stmt *s = store_stmt_bound(el->st, sql);
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		bind_held(el, s, i, &el->held[first + (size_t)i]);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("event append failed", "type=%s error=\"%s\"",
			  el->held_text.p + el->held[first].type,
			  sqlite3_errmsg(store_db(el->st)));
		return -1;
	}
	int64_t want = el->held[first + (size_t)n - 1].id;
	int64_t got = sqlite3_last_insert_rowid(store_db(el->st));
	if (got != want) {
		log_error("event ids out of step; the transaction is rolled back",
			  "held=%lld written=%lld", (long long)want, (long long)got);
		return -1;
	}
	return 0;
}

int eventlog_flush(struct eventlog *el)
{
	if (el->flush_failed)
		return -1;
	if (el->nheld == 0)
		return 0;
	size_t i = 0, b = 0;
	int rc = 0;
	while (rc == 0 && i < el->nheld) {
		while ((size_t)batches[b].rows > el->nheld - i)
			b++; /* the last one has 1 row */
		rc = write_rows(el, batches[b].sql, i, batches[b].rows);
		i += (size_t)batches[b].rows;
	}
	if (rc < 0) {
		el->flush_failed = 1; /* until the commit reports the rollback */
		return -1;
	}
	held_clear(el);
	return 0;
}

void eventlog_rewind(struct eventlog *el, int64_t last_id)
{
	held_clear(el);
	el->last_id = last_id;
}

static int eventlog_flush_hook(void *arg)
{
	return eventlog_flush(arg);
}

static void eventlog_committed(void *arg, int ok)
{
	struct eventlog *el = arg;
	el->commit_queued = 0;
	held_clear(el); /* written before the commit, or rolled back with it */
	el->flush_failed = 0;
	if (!ok) {
		/* rolled back: the next id SQLite hands out is what decides */
		int64_t last = read_last(el->st);
		if (last >= 0)
			el->last_id = last;
		return;
	}
	HOOKS_EACH(i, &el->subs)
		el->subs.at[i].fn(el->subs.at[i].arg, el->last_id);
}

int64_t eventlog_append(struct eventlog *el, int64_t job_id, const char *type,
			const json_t *data)
{
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	int64_t id = eventlog_append_text(el, job_id, type, text);
	free(text);
	return id;
}

int eventlog_tap(struct eventlog *el, eventlog_tap_fn fn, void *arg)
{
	return HOOKS_ADD(&el->taps, fn, arg);
}

static int run_taps(struct eventlog *el, int64_t ts, int64_t job_id,
		    const char *type, const char *text, size_t text_len)
{
	if (el->taps.n == 0 || el->tapping)
		return 0;
	struct eventlog_row row = {
		.id = el->last_id, .ts = ts,
		.job_id = job_id > 0 ? job_id : 0, .type = type,
		.data = text, .data_len = text_len,
	};
	int rc = 0;
	el->tapping = 1;
	HOOKS_EACH(i, &el->taps)
		if ((rc = el->taps.at[i].fn(el->taps.at[i].arg, &row)) != 0)
			break;
	el->tapping = 0;
	return rc;
}

/* Hold one row (r's id, ts, job_id and lengths set); -1 (nothing held)
 * if it cannot be copied. */
static int hold(struct eventlog *el, struct held_row r, const char *type, const char *text)
{
	/* room for a whole batch of short rows from the first row on (most
	 * events' type and data take under 64 bytes): grown by doubling, the
	 * row array and the text were copied three or four times in the first
	 * busy turn after a start or after a big turn gave them back */
	if (el->nheld == el->capheld) {
		struct held_row *h = array_grow(el->held, &el->capheld, el->nheld, sizeof *h,
						EVENTLOG_HOLD_ROWS);
		if (!h)
			return -1;
		el->held = h;
	}
	struct textbuf *t = &el->held_text;
	if (!t->cap)
		textbuf_reserve(t, EVENTLOG_HOLD_ROWS * 64);
	size_t len = t->len;
	r.type = len;
	textbuf_put(t, type, r.type_len + 1);
	r.data = t->len;
	textbuf_put(t, text, r.data_len + 1);
	if (t->oom) {
		t->oom = 0; /* the text so far is intact: only this row is lost */
		t->len = len;
		return -1;
	}
	el->held[el->nheld++] = r;
	return 0;
}

/* The open transaction's first use of the log: the highest id as it is
 * now (another connection may have written events since the last commit),
 * and the commit callback, queued even without subscribers (a failed
 * commit must drop the held rows). */
static int tx_open(struct eventlog *el)
{
	if (store_begin(el->st) < 0 || el->flush_failed)
		return -1;
	if (el->commit_queued)
		return 0;
	int64_t last = read_last(el->st);
	if (last < 0 || store_on_commit(el->st, eventlog_committed, el) < 0)
		return -1;
	el->last_id = last;
	el->commit_queued = 1;
	return 0;
}

int64_t eventlog_mark(struct eventlog *el)
{
	if (tx_open(el) < 0 || eventlog_flush(el) < 0)
		return -1;
	return el->last_id;
}

int64_t eventlog_append_text(struct eventlog *el, int64_t job_id, const char *type,
			     const char *text)
{
	if (tx_open(el) < 0)
		return -1;
	if (!text)
		text = "{}";
	struct held_row r = {.id = el->last_id + 1, .ts = clock_now_ms(),
			     .job_id = job_id > 0 ? job_id : 0,
			     .type_len = strlen(type), .data_len = strlen(text)};
	if (hold(el, r, type, text) < 0) {
		log_error("event append failed", "type=%s error=\"out of memory\"", type);
		return -1;
	}
	el->last_id++;
	if (run_taps(el, r.ts, job_id, type, text, r.data_len) < 0)
		return -1;
	if ((el->nheld >= EVENTLOG_HOLD_ROWS || el->held_text.len >= EVENTLOG_HOLD_BYTES) &&
	    eventlog_flush(el) < 0)
		return -1;
	return el->last_id;
}

int eventlog_subscribe(struct eventlog *el, eventlog_fn fn, void *arg)
{
	return HOOKS_ADD(&el->subs, fn, arg);
}

json_t *eventlog_row_json(const struct eventlog_row *row)
{
	json_t *d = json_loadb(row->data, row->data_len, JSON_DECODE_ANY, NULL);
	json_t *job = row->job_id > 0 ? json_integer(row->job_id) : json_null();
	return json_pack("{s:I,s:I,s:o,s:s,s:o}", "id", (json_int_t)row->id, "ts",
			 (json_int_t)row->ts, "job_id", job, "type", row->type,
			 "data", d ? d : json_object());
}

size_t eventlog_row_size(const struct eventlog_row *row)
{
	/* the keys, three integers of at most 20 digits and the type */
	return row->data_len + strlen(row->type) + 120;
}

static void row_of(sqlite3_stmt *s, struct eventlog_row *row)
{
	const char *data = (const char *)sqlite3_column_text(s, 4);
	const char *type = (const char *)sqlite3_column_text(s, 3);
	row->id = sqlite3_column_int64(s, 0);
	row->ts = sqlite3_column_int64(s, 1);
	row->job_id = sqlite3_column_type(s, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 2);
	row->type = type ? type : "";
	row->data = data ? data : "{}";
	row->data_len = data ? (size_t)sqlite3_column_bytes(s, 4) : 2;
}

int eventlog_scan(struct eventlog *el, int64_t after, int64_t job_id, int limit,
		  eventlog_row_fn fn, void *arg, int *more)
{
	int dummy, taken = 0, rc;
	if (!more)
		more = &dummy;
	*more = 0;
	if (limit <= 0)
		limit = 100;
	if (eventlog_flush(el) < 0)
		return -1;
	sqlite3_stmt *s = store_stmt(el->st, eventlog_read_sql(job_id));
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, limit + 1); /* one more, to tell whether more follow */
	if (job_id > 0)
		sqlite3_bind_int64(s, 3, job_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct eventlog_row row;
		row_of(s, &row);
		if (taken == limit || !fn(arg, &row)) {
			*more = 1;
			break;
		}
		taken++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? taken : -1;
}

struct page {
	json_t *out;
	size_t bytes, max_bytes;
	int failed;
};

static int page_take(void *arg, const struct eventlog_row *row)
{
	struct page *p = arg;
	size_t size = eventlog_row_size(row);
	if (json_array_size(p->out) > 0 && p->bytes + size > p->max_bytes)
		return 0;
	json_t *j = eventlog_row_json(row);
	if (!j || json_array_append_new(p->out, j) < 0) {
		p->failed = 1;
		return 0;
	}
	p->bytes += size;
	return 1;
}

json_t *eventlog_page(struct eventlog *el, int64_t after, int64_t job_id,
		      int limit, size_t max_bytes, int *more)
{
	struct page p = {json_array(), 0, max_bytes, 0};
	if (!p.out)
		return NULL;
	if (eventlog_scan(el, after, job_id, limit, page_take, &p, more) < 0 || p.failed) {
		json_decref(p.out);
		return NULL;
	}
	return p.out;
}

json_t *eventlog_read(struct eventlog *el, int64_t after, int64_t job_id,
		      int limit)
{
	return eventlog_page(el, after, job_id, limit, SIZE_MAX, NULL);
}

int64_t eventlog_last_id(struct eventlog *el)
{
	return el->last_id;
}

static void not_recorded(const struct eventlog *el, const char *type)
{
	if (!store_available(el->st))
		log_debug("event not recorded: storage unavailable", "type=%s", type);
	else
		log_warn("event not recorded", "type=%s", type);
}

void eventlog_note(struct eventlog *el, const char *type, const char *text)
{
	if (eventlog_append_text(el, 0, type, text) < 0)
		not_recorded(el, type);
}

void eventlog_note_json(struct eventlog *el, const char *type, json_t *data)
{
	if (!data || eventlog_append(el, 0, type, data) < 0)
		not_recorded(el, type);
	json_decref(data);
}
