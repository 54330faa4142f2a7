/* queue.c -- see queue.h.  Plain statements over the two tables, each
 * prepared once (store_stmt); no state of its own. */
#include "queue.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "jobspec.h"
#include "jsonx.h"
#include "row_page.h"
#include "store.h"

int queue_name_ok(const char *name, size_t len)
{
	if (!name || len == 0 || len > QUEUE_NAME_MAX || strlen(name) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

int queue_items_check(const json_t *body, char *err, size_t errlen)
{
	static const char *const known[] = {"items", NULL};
	if (!json_is_object(body))
		return errmsg(err, errlen, "(body): must be a JSON object {\"items\": [ids]}");
	if (jsonx_check_keys(body, known, err, errlen) < 0)
		return -1;
	const json_t *items = json_object_get(body, "items");
	size_t n = json_array_size(items);
	if (!json_is_array(items) || n == 0 || n > QUEUE_POST_MAX)
		return errmsg(err, errlen, "items: must be a list of 1 to %d ids", QUEUE_POST_MAX);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(items, i);
		if (!json_is_integer(e) || json_integer_value(e) < 1 ||
		    json_integer_value(e) > JOBSPEC_MAX_ID)
			return errmsg(err, errlen, "items[%zu]: must be an id (a positive integer)", i);
	}
	return 0;
}

/* The statement of sql with n integers bound to ?1..?n, or NULL. */
static sqlite3_stmt *bound(struct store *st, const char *sql, int n, ...)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	va_list ap;
	va_start(ap, n);
	for (int i = 1; s && i <= n; i++)
		sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
	va_end(ap);
	return s;
}

/* Step s (its parameters bound) to its end; SQLITE_DONE or an error. */
static int run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc;
}

/* The first column of the one row of s as an integer: *v, 1 if a row
 * came, 0 if none, -1 on an error. */
static int one_int(sqlite3_stmt *s, int64_t *v)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const char SQL_LOOKUP[] = "SELECT id FROM queues WHERE name = ?1";
static const char SQL_COUNT_QUEUES[] = "SELECT count(*) FROM queues";
static const char SQL_CREATE[] = "INSERT INTO queues (name, created_at) VALUES (?1, ?2)";
static const char SQL_NAME[] = "SELECT name FROM queues WHERE id = ?1";
static const char SQL_SIZE[] = "SELECT count(*) FROM queue_items WHERE queue = ?1";

int64_t queue_lookup(struct store *st, const char *name)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LOOKUP);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	int64_t id = 0;
	return one_int(s, &id) < 0 ? -1 : id;
}

const char *queue_err_code(int rc)
{
	switch (rc) {
	case QUEUE_ERR_LIMIT:
		return "queue_limit";
	case QUEUE_ERR_FULL:
		return "queue_full";
	default:
		return "store";
	}
}

int64_t queue_ensure(struct store *st, const char *name, int64_t now)
{
	int64_t id = queue_lookup(st, name), n = 0;
	if (id != 0)
		return id;
	sqlite3_stmt *s = store_stmt(st, SQL_COUNT_QUEUES);
	if (!s || one_int(s, &n) < 0)
		return -1;
	if (n >= QUEUE_MAX_QUEUES)
		return QUEUE_ERR_LIMIT;
	if (!(s = store_stmt(st, SQL_CREATE)))
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	if (run(s) != SQLITE_DONE)
		return -1;
	return sqlite3_last_insert_rowid(store_db(st));
}

int queue_name_of(struct store *st, int64_t id, char *buf, size_t len)
{
	sqlite3_stmt *s = store_stmt(st, SQL_NAME);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int64_t queue_size(struct store *st, int64_t q)
{
	sqlite3_stmt *s = bound(st, SQL_SIZE, 1, q);
	int64_t n = 0;
	return !s || one_int(s, &n) < 0 ? -1 : n;
}

/* --- items ------------------------------------------------------------------ */

#define ITEM_COLS \
	"id, queue, pos, value, put_by, put_at, taken_by, taken_step, taken_iter, taken_at"

static const char SQL_PUT[] =
	"INSERT INTO queue_items (queue, pos, value, put_by, put_at) VALUES "
	"(?1, (SELECT coalesce(max(pos), 0) + 1 FROM queue_items WHERE queue = ?1), "
	"?2, nullif(?3, 0), ?4)";
static const char SQL_FRONT[] = "SELECT " ITEM_COLS " FROM queue_items "
	"WHERE queue = ?1 AND taken_by IS NULL ORDER BY pos LIMIT 1";
static const char SQL_HOLD[] = "UPDATE queue_items SET taken_by = ?2, taken_step = ?3, "
	"taken_iter = ?4, taken_at = ?5 WHERE id = ?1 AND taken_by IS NULL";
static const char SQL_HELD[] = "SELECT " ITEM_COLS " FROM queue_items "
	"WHERE taken_by = ?1 AND taken_step = ?2 AND taken_iter = ?3 LIMIT 1";
static const char SQL_CONSUME[] =
	"DELETE FROM queue_items WHERE taken_by = ?1 AND taken_step = ?2 AND taken_iter = ?3";
static const char SQL_CONSUME_ALL[] = "DELETE FROM queue_items WHERE taken_by = ?1";
/* the last taken first: given back one by one to the front, the item
 * taken first ends up foremost */
static const char SQL_HOLDS[] = "SELECT " ITEM_COLS " FROM queue_items "
	"WHERE taken_by = ?1 ORDER BY taken_at DESC, id DESC";
static const char SQL_GIVE_BACK[] = "UPDATE queue_items SET taken_by = NULL, "
	"taken_step = NULL, taken_iter = NULL, taken_at = NULL, "
	"pos = (SELECT min(pos) - 1 FROM queue_items WHERE queue = ?2) WHERE id = ?1";

static void item_read(sqlite3_stmt *s, struct queue_item *it)
{
	int64_t *f[] = {&it->id, &it->queue, &it->pos, &it->value, &it->put_by,
			&it->put_at, &it->taken_by, &it->taken_step, &it->taken_iter,
			&it->taken_at};
	for (int i = 0; i < (int)(sizeof f / sizeof f[0]); i++)
		*f[i] = sqlite3_column_int64(s, i); /* NULL reads as 0 */
}

/* The one row of s into *it: 1, 0 if none, -1. */
static int one_item(sqlite3_stmt *s, struct queue_item *it)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		item_read(s, it);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int64_t queue_put(struct store *st, int64_t q, int64_t value, int64_t put_by,
		  int64_t now)
{
	sqlite3_stmt *s = bound(st, SQL_PUT, 4, q, value, put_by, now);
	if (!s || run(s) != SQLITE_DONE)
		return -1;
	return sqlite3_last_insert_rowid(store_db(st));
}

int queue_front(struct store *st, int64_t q, struct queue_item *it)
{
	sqlite3_stmt *s = bound(st, SQL_FRONT, 1, q);
	return s ? one_item(s, it) : -1;
}

int queue_hold(struct store *st, int64_t item, int64_t job, int64_t step,
	       int64_t iter, int64_t now)
{
	sqlite3_stmt *s = bound(st, SQL_HOLD, 5, item, job, step, iter, now);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int changed = rc == SQLITE_DONE && sqlite3_changes(store_db(st)) == 1;
	sqlite3_reset(s);
	return changed ? 0 : -1;
}

int queue_held(struct store *st, int64_t job, int64_t step, int64_t iter,
	       struct queue_item *it)
{
	sqlite3_stmt *s = bound(st, SQL_HELD, 3, job, step, iter);
	return s ? one_item(s, it) : -1;
}

/* Run a DELETE of s: rows deleted, or -1. */
static int deleted(struct store *st, sqlite3_stmt *s)
{
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int n = rc == SQLITE_DONE ? sqlite3_changes(store_db(st)) : -1;
	sqlite3_reset(s);
	return n;
}

int queue_consume(struct store *st, int64_t job, int64_t step, int64_t iter)
{
	return deleted(st, bound(st, SQL_CONSUME, 3, job, step, iter));
}

int queue_consume_all(struct store *st, int64_t job)
{
	return deleted(st, bound(st, SQL_CONSUME_ALL, 1, job));
}

int queue_give_back(struct store *st, int64_t job, struct queue_item *out, size_t max)
{
	/* read all first: the rows are then changed by another statement */
	struct queue_item held[64];
	sqlite3_stmt *s = store_stmt(st, SQL_HOLDS);
	if (!s)
		return -1;
	int total = 0;
	for (;;) {
		size_t n = 0;
		int rc = SQLITE_DONE;
		sqlite3_bind_int64(s, 1, job);
		while (n < sizeof held / sizeof held[0] && (rc = sqlite3_step(s)) == SQLITE_ROW)
			item_read(s, &held[n++]);
		sqlite3_reset(s);
		if (n == 0)
			return rc == SQLITE_DONE || rc == SQLITE_ROW ? total : -1;
		for (size_t i = 0; i < n; i++) {
			sqlite3_stmt *u = bound(st, SQL_GIVE_BACK, 2, held[i].id, held[i].queue);
			if (!u || run(u) != SQLITE_DONE)
				return -1;
			if ((size_t)total < max)
				out[total] = held[i];
			total++;
		}
	}
}

/* --- reads for the routes ------------------------------------------------- */

static const char SQL_LIST[] =
	"SELECT q.name, count(i.id) - count(i.taken_by), count(i.taken_by), q.id "
	"FROM queues q LEFT JOIN queue_items i ON i.queue = q.id "
	"GROUP BY q.id ORDER BY q.name";
static const char SQL_SHOW_IN[] = "SELECT " ITEM_COLS " FROM queue_items "
	"WHERE queue = ?1 AND taken_by IS NULL ORDER BY pos LIMIT ?2";
static const char SQL_SHOW_TAKEN[] = "SELECT " ITEM_COLS " FROM queue_items "
	"WHERE queue = ?1 AND taken_by IS NOT NULL ORDER BY taken_at, id LIMIT ?2";
static const char SQL_COUNTS[] = "SELECT count(*) - count(taken_by), count(taken_by) "
	"FROM queue_items WHERE queue = ?1";

json_t *queue_list_json(struct store *st, size_t (*waiting)(void *arg, int64_t q),
			void *arg)
{
	sqlite3_stmt *s = store_stmt(st, SQL_LIST);
	json_t *out = json_array();
	if (!s || !out) {
		json_decref(out);
		return NULL;
	}
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:I}", "name",
				(const char *)sqlite3_column_text(s, 0), "size",
				(json_int_t)sqlite3_column_int64(s, 1), "taken_count",
				(json_int_t)sqlite3_column_int64(s, 2), "waiting_count",
				(json_int_t)waiting(arg, sqlite3_column_int64(s, 3))));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *time_json(int64_t ms)
{
	char t[40];
	jobspec_format_time(ms, t, sizeof t);
	return json_string(t);
}

static json_t *item_json(const struct queue_item *it)
{
	if (it->taken_by)
		return json_pack("{s:I,s:I,s:o}", "value", (json_int_t)it->value, "job",
				 (json_int_t)it->taken_by, "taken_at", time_json(it->taken_at));
	return json_pack("{s:I,s:o,s:o}", "value", (json_int_t)it->value, "put_by",
			 it->put_by ? json_integer(it->put_by) : json_null(), "put_at",
			 time_json(it->put_at));
}

static json_t *item_row(void *arg, sqlite3_stmt *s)
{
	(void)arg;
	struct queue_item it;
	item_read(s, &it);
	return item_json(&it);
}

/* The items of s (queue q, at most QUEUE_SHOW_MAX) as an array, or NULL. */
static json_t *items_json(struct store *st, const char *sql, int64_t q)
{
	sqlite3_stmt *s = store_stmt(st, sql);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, q);
	sqlite3_bind_int64(s, 2, QUEUE_SHOW_MAX);
	return row_list(s, item_row, NULL);
}

json_t *queue_show_json(struct store *st, const char *name, int64_t *q)
{
	*q = queue_lookup(st, name);
	if (*q <= 0)
		return NULL;
	sqlite3_stmt *s = store_stmt(st, SQL_COUNTS);
	json_t *in = items_json(st, SQL_SHOW_IN, *q);
	json_t *taken = in ? items_json(st, SQL_SHOW_TAKEN, *q) : NULL;
	if (!s || !taken) {
		json_decref(in);
		*q = -1;
		return NULL;
	}
	sqlite3_bind_int64(s, 1, *q);
	int rc = sqlite3_step(s);
	int64_t nin = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	int64_t ntaken = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW) {
		json_decref(in);
		json_decref(taken);
		*q = -1;
		return NULL;
	}
	return json_pack("{s:s,s:I,s:I,s:o,s:o}", "name", name, "size", (json_int_t)nin,
			 "taken_count", (json_int_t)ntaken, "items", in, "taken", taken);
}
