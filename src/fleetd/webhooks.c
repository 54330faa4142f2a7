/* webhooks.c -- see webhooks.h.  Owns the tables `webhooks` and
 * `webhook_outbox` and the in-memory copy of the first; must not send
 * anything (webhook_send.c) or know HTTP (api_webhooks.c). */
#include "webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "eventlog.h"
#include "log.h"
#include "row_page.h"
#include "store.h"
#include "webhook_spec.h"

struct webhooks {
	struct store *st;
	struct eventlog *el;
	int64_t max_age_ms;
	struct webhook **v;
	size_t n;
	void (*kick)(void *arg);
	void *kick_arg;
	/* Rows are handed to the sender only when their event is committed:
	 * committed_event is the highest such event id, tx_event the
	 * highest one this module wrote a row for in the open transaction. */
	int64_t committed_event, tx_event;
	int commit_queued;
	int tapping;
};

static const char SQL_LOAD[] =
	"SELECT id, url, events, format, secret FROM webhooks ORDER BY id";
static const char SQL_INSERT_HOOK[] =
	"INSERT INTO webhooks (url, events, format, secret, created_ms) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_DELETE_HOOK[] = "DELETE FROM webhooks WHERE id = ?1";
static const char SQL_GET_HOOK[] =
	"SELECT id, url, events, format, created_ms FROM webhooks WHERE id = ?1";
static const char SQL_COUNTS[] =
	"SELECT state, count(*) FROM webhook_outbox WHERE webhook_id = ?1 "
	"GROUP BY state";
static const char SQL_OUTBOX_ADD[] =
	"INSERT INTO webhook_outbox (webhook_id, event_id, type, body, created_ms, "
	"next_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)";
static const char SQL_HEAD[] =
	"SELECT id, event_id, type, body, attempts, expires_ms, next_ms "
	"FROM webhook_outbox WHERE webhook_id = ?1 AND state = 'pending' "
	"ORDER BY id LIMIT 1";
static const char SQL_DELIVERED[] =
	"UPDATE webhook_outbox SET state = 'delivered', attempts = attempts + 1, "
	"last_ms = ?2, last_status = ?3, last_error = NULL, done_ms = ?2 WHERE id = ?1";
static const char SQL_RETRY[] =
	"UPDATE webhook_outbox SET attempts = attempts + 1, last_ms = ?2, "
	"last_status = ?3, last_error = ?4, next_ms = ?5 WHERE id = ?1";
static const char SQL_DEAD[] =
	"UPDATE webhook_outbox SET state = 'dead', attempts = attempts + 1, "
	"last_ms = ?2, last_status = ?3, last_error = ?4, done_ms = ?2 WHERE id = ?1";
static const char SQL_REDELIVER[] =
	"UPDATE webhook_outbox SET state = 'pending', next_ms = ?3, "
	"expires_ms = ?4, done_ms = NULL WHERE id = ?2 AND webhook_id = ?1";
static const char SQL_DELIVERIES[] =
	"SELECT id, event_id, type, state, attempts, created_ms, next_ms, expires_ms, "
	"last_ms, last_status, last_error, done_ms, body FROM webhook_outbox "
	"WHERE webhook_id = ?1 AND id < ?2 AND (?3 IS NULL OR state = ?3) "
	"ORDER BY id DESC LIMIT ?4";
static const char SQL_PRUNE[] =
	"DELETE FROM webhook_outbox WHERE id IN (SELECT id FROM webhook_outbox "
	"WHERE state = 'delivered' AND done_ms < ?1 LIMIT ?2)";
static const char SQL_DELIVERY[] =
	"SELECT id, event_id, type, state, attempts, created_ms, next_ms, expires_ms, "
	"last_ms, last_status, last_error, done_ms, body FROM webhook_outbox "
	"WHERE id = ?2 AND (?1 = 0 OR webhook_id = ?1)";

/* --- the in-memory list -------------------------------------------------- */

static void hook_free(struct webhook *h)
{
	if (!h)
		return;
	if (h->secret) {
		memset(h->secret, 0, strlen(h->secret));
		free(h->secret);
	}
	free(h->url);
	free(h);
}

static void hooks_clear(struct webhooks *wh)
{
	for (size_t i = 0; i < wh->n; i++)
		hook_free(wh->v[i]);
	free(wh->v);
	wh->v = NULL;
	wh->n = 0;
}

static int hooks_add(struct webhooks *wh, struct webhook *h)
{
	struct webhook **v = realloc(wh->v, (wh->n + 1) * sizeof *v);
	if (!v)
		return -1;
	wh->v = v;
	wh->v[wh->n++] = h;
	return 0;
}

static struct webhook *hook_new(int64_t id, const char *url, uint32_t events,
				enum webhook_format fmt, const char *secret)
{
	struct webhook *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->id = id;
	h->events = events;
	h->format = fmt;
	h->url = strdup(url);
	h->secret = strdup(secret);
	if (!h->url || !h->secret) {
		hook_free(h);
		return NULL;
	}
	return h;
}

static uint32_t events_of_text(const char *text)
{
	json_t *a = json_loads(text, 0, NULL);
	size_t i;
	json_t *e;
	uint32_t bits = 0;
	json_array_foreach(a, i, e)
		if (json_is_string(e))
			bits |= webhook_event_bit(json_string_value(e));
	json_decref(a);
	return bits;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? (const char *)t : "";
}

/* (Re)read the table.  The sender's in-flight marks survive: a webhook
 * being sent to must not get a second transfer. */
static int hooks_read(struct webhooks *wh)
{
	struct webhook **old = wh->v;
	size_t nold = wh->n;
	wh->v = NULL;
	wh->n = 0;
	sqlite3_stmt *s = store_stmt(wh->st, SQL_LOAD);
	int rc = s ? 0 : -1, step;
	while (s && (step = sqlite3_step(s)) == SQLITE_ROW) {
		int fmt = webhook_format_of(col_text(s, 3));
		struct webhook *h = hook_new(sqlite3_column_int64(s, 0), col_text(s, 1),
					     events_of_text(col_text(s, 2)),
					     fmt < 0 ? WEBHOOK_JSON : (enum webhook_format)fmt,
					     col_text(s, 4));
		if (!h || hooks_add(wh, h) < 0) {
			hook_free(h);
			rc = -1;
			break;
		}
		for (size_t i = 0; i < nold; i++)
			if (old[i]->id == h->id)
				h->inflight = old[i]->inflight;
	}
	if (s)
		sqlite3_reset(s);
	for (size_t i = 0; i < nold; i++)
		hook_free(old[i]);
	free(old);
	return rc;
}

size_t webhooks_count(const struct webhooks *wh)
{
	return wh->n;
}

struct webhook *webhooks_at(struct webhooks *wh, size_t i)
{
	return i < wh->n ? wh->v[i] : NULL;
}

struct webhook *webhooks_find(struct webhooks *wh, int64_t id)
{
	for (size_t i = 0; i < wh->n; i++)
		if (wh->v[i]->id == id)
			return wh->v[i];
	return NULL;
}

int64_t webhooks_max_age_ms(const struct webhooks *wh)
{
	return wh->max_age_ms;
}

void webhooks_on_kick(struct webhooks *wh, void (*fn)(void *arg), void *arg)
{
	wh->kick = fn;
	wh->kick_arg = arg;
}

/* --- commits --------------------------------------------------------------- */

/* After the commit of a transaction this module wrote in: the rows are
 * now the sender's to take.  After a failed one nothing of it is left:
 * the list is read again (a webhook created then is gone, a deleted one
 * back). */
static void committed(void *arg, int ok)
{
	struct webhooks *wh = arg;
	wh->commit_queued = 0;
	if (ok) {
		if (wh->tx_event > wh->committed_event)
			wh->committed_event = wh->tx_event;
	} else if (hooks_read(wh) < 0) {
		log_error("cannot reread the webhooks", NULL);
	}
	wh->tx_event = 0;
	for (size_t i = 0; i < wh->n; i++)
		wh->v[i]->idle = 0;
	if (wh->kick)
		wh->kick(wh->kick_arg);
}

static int after_commit(struct webhooks *wh)
{
	if (wh->commit_queued)
		return 0;
	if (store_on_commit(wh->st, committed, wh) < 0)
		return -1;
	wh->commit_queued = 1;
	return 0;
}

/* --- the tap: one outbox row per matching webhook ------------------------ */

static int outbox_add(struct webhooks *wh, const struct webhook *h,
		      const struct eventlog_row *row, const char *name,
		      const char *body, size_t len)
{
	sqlite3_stmt *s = store_stmt(wh->st, SQL_OUTBOX_ADD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, h->id);
	sqlite3_bind_int64(s, 2, row->id);
	sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, row->ts);
	sqlite3_bind_int64(s, 6, row->ts + wh->max_age_ms);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int on_event(void *arg, const struct eventlog_row *row)
{
	struct webhooks *wh = arg;
	char name[WEBHOOK_EVENT_NAME_MAX];
	if (wh->n == 0 || !webhook_event_name(row, name))
		return 0;
	uint32_t bit = webhook_event_bit(name);
	char *body[2] = {NULL, NULL};
	size_t len[2] = {0, 0};
	int rc = 0;
	for (size_t i = 0; i < wh->n && rc == 0; i++) {
		const struct webhook *h = wh->v[i];
		if (!(h->events & bit))
			continue;
		int f = h->format == WEBHOOK_DISCORD;
		if (!body[f])
			body[f] = webhook_event_body(h->format, name, row, &len[f]);
		rc = body[f] ? outbox_add(wh, h, row, name, body[f], len[f]) : -1;
		if (rc == 0 && row->id > wh->tx_event)
			wh->tx_event = row->id;
	}
	free(body[0]);
	free(body[1]);
	if (rc == 0)
		rc = after_commit(wh);
	if (rc < 0)
		log_error("webhook outbox row not written", "event=%lld type=%s",
			  (long long)row->id, name);
	return rc;
}

/* --- life ------------------------------------------------------------------ */

struct webhooks *webhooks_new(struct store *st, struct eventlog *el,
			      int64_t max_age_ms)
{
	struct webhooks *wh = calloc(1, sizeof *wh);
	if (!wh)
		return NULL;
	wh->st = st;
	wh->el = el;
	wh->max_age_ms = max_age_ms;
	return wh;
}

void webhooks_free(struct webhooks *wh)
{
	if (!wh)
		return;
	hooks_clear(wh);
	free(wh);
}

int webhooks_load(struct webhooks *wh, char *err, size_t errlen)
{
	if (hooks_read(wh) < 0)
		return errmsg(err, errlen, "cannot read the webhooks table");
	wh->committed_event = eventlog_last_id(wh->el);
	if (!wh->tapping && eventlog_tap(wh->el, on_event, wh) < 0)
		return errmsg(err, errlen, "too many event-log taps");
	wh->tapping = 1;
	return 0;
}

/* --- registration ------------------------------------------------------------ */

int64_t webhooks_create(struct webhooks *wh, const struct webhook_spec *spec,
			int64_t now_ms)
{
	if (wh->n >= WEBHOOKS_MAX)
		return 0;
	json_t *ev = webhook_events_json(spec->events);
	char *events = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	json_decref(ev);
	sqlite3_stmt *s = events && store_begin(wh->st) == 0
				  ? store_stmt(wh->st, SQL_INSERT_HOOK) : NULL;
	if (!s) {
		free(events);
		return -1;
	}
	sqlite3_bind_text(s, 1, spec->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, events, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, webhook_format_name(spec->format), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, spec->secret, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, now_ms);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	free(events);
	if (rc != SQLITE_DONE)
		return -1;
	int64_t id = sqlite3_last_insert_rowid(store_db(wh->st));
	struct webhook *h = hook_new(id, spec->url, spec->events, spec->format,
				     spec->secret);
	if (!h || hooks_add(wh, h) < 0 || after_commit(wh) < 0) {
		/* the row is in the transaction: the list is read again after it */
		hook_free(h);
		return -1;
	}
	return id;
}

int webhooks_delete(struct webhooks *wh, int64_t id)
{
	if (!webhooks_find(wh, id))
		return 1;
	sqlite3_stmt *s = store_begin(wh->st) == 0 ? store_stmt(wh->st, SQL_DELETE_HOOK)
						    : NULL;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	for (size_t i = 0; i < wh->n; i++) {
		if (wh->v[i]->id != id)
			continue;
		hook_free(wh->v[i]);
		memmove(wh->v + i, wh->v + i + 1, (wh->n - i - 1) * sizeof *wh->v);
		wh->n--;
		break;
	}
	return after_commit(wh);
}

/* --- answers ------------------------------------------------------------------ */

static json_t *counts_json(struct webhooks *wh, int64_t id)
{
	json_t *c = json_pack("{s:i,s:i,s:i}", "pending", 0, "delivered", 0, "dead", 0);
	sqlite3_stmt *s = store_stmt(wh->st, SQL_COUNTS);
	if (!s || !c) {
		json_decref(c);
		return NULL;
	}
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_object_set_new(c, col_text(s, 0),
				    json_integer(sqlite3_column_int64(s, 1)));
	sqlite3_reset(s);
	return c;
}

json_t *webhooks_json(struct webhooks *wh, int64_t id)
{
	sqlite3_stmt *s = store_stmt(wh->st, SQL_GET_HOOK);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	json_t *o = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		o = json_pack("{s:I,s:s,s:o,s:s,s:I}", "id",
			      (json_int_t)sqlite3_column_int64(s, 0), "url", col_text(s, 1),
			      "events", webhook_events_json(events_of_text(col_text(s, 2))),
			      "format", col_text(s, 3), "created_ms",
			      (json_int_t)sqlite3_column_int64(s, 4));
	sqlite3_reset(s);
	if (o)
		json_object_set_new(o, "deliveries", counts_json(wh, id));
	return o;
}

json_t *webhooks_list_json(struct webhooks *wh)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < wh->n; i++) {
		json_t *o = webhooks_json(wh, wh->v[i]->id);
		if (o)
			json_array_append_new(a, o);
	}
	return a;
}

/* --- the sender's side --------------------------------------------------------- */

void webhook_delivery_clear(struct webhook_delivery *d)
{
	free(d->body);
	memset(d, 0, sizeof *d);
}

int webhooks_head(struct webhooks *wh, int64_t webhook_id, struct webhook_delivery *d)
{
	memset(d, 0, sizeof *d);
	sqlite3_stmt *s = store_stmt(wh->st, SQL_HEAD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, webhook_id);
	int rc = sqlite3_step(s);
	int found = 0;
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 1) <= wh->committed_event) {
		d->id = sqlite3_column_int64(s, 0);
		d->webhook_id = webhook_id;
		d->event_id = sqlite3_column_int64(s, 1);
		snprintf(d->type, sizeof d->type, "%s", col_text(s, 2));
		d->body_len = (size_t)sqlite3_column_bytes(s, 3);
		d->body = malloc(d->body_len + 1);
		if (d->body) {
			memcpy(d->body, col_text(s, 3), d->body_len);
			d->body[d->body_len] = 0;
		}
		d->attempts = sqlite3_column_int64(s, 4);
		d->expires_ms = sqlite3_column_int64(s, 5);
		d->next_ms = sqlite3_column_int64(s, 6);
		found = d->body ? 1 : -1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		found = -1;
	}
	sqlite3_reset(s);
	return found;
}

int webhooks_record(struct webhooks *wh, int64_t delivery_id,
		    enum webhook_outcome outcome, long status, const char *error,
		    int64_t now_ms, int64_t next_ms)
{
	const char *sql = outcome == WEBHOOK_DELIVERED ? SQL_DELIVERED
			  : outcome == WEBHOOK_DEAD    ? SQL_DEAD
						       : SQL_RETRY;
	sqlite3_stmt *s = store_begin(wh->st) == 0 ? store_stmt(wh->st, sql) : NULL;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, delivery_id);
	sqlite3_bind_int64(s, 2, now_ms);
	if (status > 0)
		sqlite3_bind_int64(s, 3, status);
	else
		sqlite3_bind_null(s, 3);
	if (outcome != WEBHOOK_DELIVERED)
		sqlite3_bind_text(s, 4, error ? error : "", -1, SQLITE_TRANSIENT);
	if (outcome == WEBHOOK_RETRY)
		sqlite3_bind_int64(s, 5, next_ms);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int webhooks_redeliver(struct webhooks *wh, int64_t webhook_id,
		       int64_t delivery_id, int64_t now_ms)
{
	sqlite3_stmt *s = store_begin(wh->st) == 0 ? store_stmt(wh->st, SQL_REDELIVER)
						    : NULL;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, webhook_id);
	sqlite3_bind_int64(s, 2, delivery_id);
	sqlite3_bind_int64(s, 3, now_ms);
	sqlite3_bind_int64(s, 4, now_ms + wh->max_age_ms);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(store_db(wh->st)) == 0)
		return 1;
	return after_commit(wh);
}

static void set_int_or_null(json_t *o, const char *key, sqlite3_stmt *s, int col)
{
	json_object_set_new(o, key, sqlite3_column_type(s, col) == SQLITE_NULL
					    ? json_null()
					    : json_integer(sqlite3_column_int64(s, col)));
}

/* One row of SQL_DELIVERIES / SQL_DELIVERY as the API shows it. */
static json_t *delivery_row_json(sqlite3_stmt *s)
{
	const char *state = col_text(s, 3);
	int pending = strcmp(state, "pending") == 0;
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:I,s:I}", "id",
			      (json_int_t)sqlite3_column_int64(s, 0), "event_id",
			      (json_int_t)sqlite3_column_int64(s, 1), "event", col_text(s, 2),
			      "state", state, "attempts",
			      (json_int_t)sqlite3_column_int64(s, 4), "created_ms",
			      (json_int_t)sqlite3_column_int64(s, 5));
	if (!o)
		return NULL;
	json_object_set_new(o, "next_attempt_ms",
			    pending ? json_integer(sqlite3_column_int64(s, 6)) : json_null());
	json_object_set_new(o, "expires_ms",
			    pending ? json_integer(sqlite3_column_int64(s, 7)) : json_null());
	set_int_or_null(o, "last_attempt_ms", s, 8);
	set_int_or_null(o, "last_status", s, 9);
	json_object_set_new(o, "last_error", sqlite3_column_type(s, 10) == SQLITE_NULL
						     ? json_null()
						     : json_string(col_text(s, 10)));
	set_int_or_null(o, "done_ms", s, 11);
	json_t *body = json_loads(col_text(s, 12), 0, NULL);
	json_object_set_new(o, "body", body ? body : json_null());
	return o;
}

static json_t *page_row(void *arg, sqlite3_stmt *s)
{
	(void)arg;
	return delivery_row_json(s);
}

json_t *webhooks_deliveries_json(struct webhooks *wh, int64_t webhook_id,
				 const char *state, int64_t before, int limit,
				 int64_t *next)
{
	*next = 0;
	sqlite3_stmt *s = store_stmt(wh->st, SQL_DELIVERIES);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, webhook_id);
	sqlite3_bind_int64(s, 2, before > 0 ? before : INT64_MAX);
	if (state)
		sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 3);
	return row_page(s, 4, limit, page_row, NULL, next);
}

json_t *webhooks_delivery_json(struct webhooks *wh, int64_t webhook_id,
			       int64_t delivery_id)
{
	sqlite3_stmt *s = store_stmt(wh->st, SQL_DELIVERY);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, webhook_id);
	sqlite3_bind_int64(s, 2, delivery_id);
	json_t *o = sqlite3_step(s) == SQLITE_ROW ? delivery_row_json(s) : NULL;
	sqlite3_reset(s);
	return o;
}

int webhooks_prune(void *arg, int64_t cutoff_ms, int max)
{
	struct webhooks *wh = arg;
	sqlite3_stmt *s = store_begin(wh->st) == 0 ? store_stmt(wh->st, SQL_PRUNE) : NULL;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, cutoff_ms);
	sqlite3_bind_int64(s, 2, max);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? sqlite3_changes(store_db(wh->st)) : -1;
}
