/* group.c -- see group.h.
 *
 * A filter's `cargo` is the condition language's fleet test of the same
 * name (cond.h): checked and judged as the atom {"fleet": F, "cargo": QTY},
 * so a QTY means one thing wherever a job says it. */
#include "group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "errmsg.h"
#include "idmap.h"
#include "job_row.h"
#include "jobspec.h"
#include "mirror.h"
#include "store.h"
#include "textbuf.h"

#define KEY_QUOTE_MAX 64 /* bytes of an unknown key an error quotes */

static const char *const ftl_types[] = {"jump", "warp", "explorer", "ramjet", NULL};

static int is_id(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 1 &&
		json_integer_value(v) <= JOBSPEC_MAX_ID;
}

static int quote_len(const char *key)
{
	size_t n = strlen(key);
	return (int)(n > KEY_QUOTE_MAX ? KEY_QUOTE_MAX : n);
}

/* The atom a filter's cargo test is judged as (new reference). */
static json_t *cargo_atom(int64_t fleet, const json_t *qty)
{
	return json_pack("{s:I,s:O}", "fleet", (json_int_t)fleet, "cargo", qty);
}

/* --- what `fleets` may say ------------------------------------------------ */

static int validate_list(const json_t *v, char *err, size_t errlen)
{
	size_t n = json_array_size(v);
	if (n < GROUP_MIN_FLEETS || n > GROUP_MAX_FLEETS)
		return errmsg(err, errlen,
			      "fleets: must list %d to %d fleet ids (has %zu); one fleet is a "
			      "job with `fleet`", GROUP_MIN_FLEETS, GROUP_MAX_FLEETS, n);
	struct idmap seen;
	idmap_init(&seen);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *f = json_array_get(v, i);
		if (!is_id(f)) {
			rc = errmsg(err, errlen,
				    "fleets[%zu]: must be a fleet id (a positive integer)", i);
		} else if (idmap_get(&seen, json_integer_value(f))) {
			rc = errmsg(err, errlen, "fleets[%zu]: fleet %lld is listed twice", i,
				    (long long)json_integer_value(f));
		} else if (idmap_put(&seen, json_integer_value(f), (void *)f) < 0) {
			rc = errmsg(err, errlen, "fleets: out of memory");
		}
	}
	idmap_free(&seen);
	return rc;
}

static int validate_ftl(const json_t *v, char *err, size_t errlen)
{
	const char *s = json_string_value(v);
	for (int i = 0; s && ftl_types[i]; i++)
		if (strcmp(s, ftl_types[i]) == 0)
			return 0;
	return errmsg(err, errlen,
		      "fleets.filter.ftl_type: must be one of jump, warp, explorer, ramjet");
}

static int validate_filter(const json_t *f, char *err, size_t errlen)
{
	if (!json_is_object(f))
		return errmsg(err, errlen,
			      "fleets.filter: must be an object of ftl_type, at, idle, cargo");
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)f, key, v) {
		if (strcmp(key, "ftl_type") == 0) {
			if (validate_ftl(v, err, errlen) < 0)
				return -1;
		} else if (strcmp(key, "at") == 0) {
			if (!is_id(v))
				return errmsg(err, errlen,
					      "fleets.filter.at: must be a world id (a positive integer)");
		} else if (strcmp(key, "idle") == 0) {
			if (!json_is_boolean(v))
				return errmsg(err, errlen, "fleets.filter.idle: must be true or false");
		} else if (strcmp(key, "cargo") == 0) {
			json_t *atom = cargo_atom(1, v);
			int rc = atom ? cond_validate(atom, "fleets.filter", err, errlen)
				      : errmsg(err, errlen, "fleets.filter: out of memory");
			json_decref(atom);
			if (rc < 0)
				return -1;
		} else {
			return errmsg(err, errlen, "fleets.filter.%.*s: unknown field",
				      quote_len(key), key);
		}
	}
	return 0;
}

int group_validate(const json_t *v, char *err, size_t errlen)
{
	if (json_is_array(v))
		return validate_list(v, err, errlen);
	if (!json_is_object(v))
		return errmsg(err, errlen,
			      "fleets: must be a list of fleet ids or {\"filter\": {...}}");
	const char *key;
	const json_t *f;
	json_object_foreach((json_t *)v, key, f)
		if (strcmp(key, "filter") != 0)
			return errmsg(err, errlen, "fleets.%.*s: unknown field (only filter)",
				      quote_len(key), key);
	f = json_object_get(v, "filter");
	if (!f)
		return errmsg(err, errlen, "fleets.filter: is required");
	return validate_filter(f, err, errlen);
}

int group_is_filter(const json_t *v)
{
	return json_is_object(v);
}

int group_refs(const json_t *v,
	       int (*fn)(void *arg, const char *path, enum group_ref kind, int64_t id),
	       void *arg)
{
	char path[48];
	int rc;
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			snprintf(path, sizeof path, "fleets[%zu]", i);
			if ((rc = fn(arg, path, GROUP_REF_FLEET,
				     json_integer_value(json_array_get(v, i)))))
				return rc;
		}
		return 0;
	}
	const json_t *f = json_object_get(v, "filter");
	const json_t *at = json_object_get(f, "at");
	if (at && (rc = fn(arg, "fleets.filter.at", GROUP_REF_WORLD, json_integer_value(at))))
		return rc;
	const json_t *res = json_object_get(json_object_get(f, "cargo"), "resource");
	if (json_is_integer(res))
		return fn(arg, "fleets.filter.cargo.resource", GROUP_REF_RESOURCE,
			  json_integer_value(res));
	return 0;
}

/* --- resolution ------------------------------------------------------------ */

struct match {
	const struct mirror *m;
	const json_t *f;
	int64_t (*holder)(void *arg, int64_t fleet);
	void *arg;
};

static int matches(const struct match *mt, const struct mirror_fleet *fl)
{
	const json_t *v;
	if (fl->sovereign != mirror_player(mt->m))
		return 0;
	if ((v = json_object_get(mt->f, "ftl_type")) &&
	    strcmp(fl->ftl_type ? fl->ftl_type : "", json_string_value(v)) != 0)
		return 0;
	if ((v = json_object_get(mt->f, "at")) &&
	    (fl->dest_id != 0 || fl->anchor != json_integer_value(v)))
		return 0;
	if ((v = json_object_get(mt->f, "idle")) &&
	    (mt->holder(mt->arg, fl->id) == 0) != json_is_true(v))
		return 0;
	if ((v = json_object_get(mt->f, "cargo"))) {
		char err[8];
		struct cond_env env = {0};
		json_t *atom = cargo_atom(fl->id, v);
		int ok = atom && cond_eval(atom, mt->m, &env, err, sizeof err) == 1;
		json_decref(atom);
		if (!ok)
			return 0;
	}
	return 1;
}

static long resolve_filter(const struct match *mt, int64_t **out, char *err,
			   size_t errlen)
{
	size_t n = mirror_fleet_count(mt->m), k = 0, found = 0;
	int64_t *ids = malloc(GROUP_MAX_FLEETS * sizeof *ids);
	if (!ids)
		return errmsg(err, errlen, "fleets.filter: out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *fl = mirror_fleet_at(mt->m, i);
		if (!fl || !matches(mt, fl))
			continue;
		if (k < GROUP_MAX_FLEETS)
			ids[k++] = fl->id;
		found++;
	}
	if (found == 0 || found > GROUP_MAX_FLEETS) {
		free(ids);
		if (found == 0)
			return errmsg(err, errlen, "fleets.filter: matches none of your fleets");
		return errmsg(err, errlen, "fleets.filter: matches %zu fleets; a group holds "
			      "at most %d", found, GROUP_MAX_FLEETS);
	}
	*out = ids;
	return (long)k;
}

long group_resolve(const json_t *v, const struct mirror *m,
		   int64_t (*holder)(void *arg, int64_t fleet), void *arg,
		   int64_t **out, char *err, size_t errlen)
{
	*out = NULL;
	if (group_is_filter(v)) {
		if (!m || !mirror_ready(m))
			return errmsg(err, errlen, "fleets.filter: the galaxy is not known yet");
		struct match mt = {m, json_object_get(v, "filter"), holder, arg};
		return resolve_filter(&mt, out, err, errlen);
	}
	size_t n = json_array_size(v);
	int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
	if (!ids)
		return errmsg(err, errlen, "fleets: out of memory");
	for (size_t i = 0; i < n; i++)
		ids[i] = json_integer_value(json_array_get(v, i));
	*out = ids;
	return (long)n;
}

void group_busy_text(struct textbuf *t, const int64_t *fleets, const int64_t *holders,
		     size_t n, size_t named)
{
	size_t busy = 0;
	char one[96];
	for (size_t i = 0; i < n; i++) {
		if (!holders[i])
			continue;
		if (busy++ >= named)
			continue;
		snprintf(one, sizeof one, "%sfleet %lld is held by job %lld", busy > 1 ? "; " : "",
			 (long long)fleets[i], (long long)holders[i]);
		textbuf_puts(t, one);
	}
	if (busy > named) {
		snprintf(one, sizeof one, " (and %zu more)", busy - named);
		textbuf_puts(t, one);
	}
}

json_t *group_child_spec(const json_t *spec, int64_t fleet)
{
	json_t *c = json_copy((json_t *)spec);
	if (!c)
		return NULL;
	json_object_del(c, "fleets");
	if (json_object_set_new(c, "fleet", json_integer(fleet)) < 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

int group_end_state(const uint64_t counts[JOB_STATE_COUNT])
{
	for (int s = 0; s < JOB_STATE_COUNT; s++)
		if (job_state_live(s) && counts[s])
			return -1;
	if (counts[JOB_FAILED])
		return JOB_FAILED;
	if (counts[JOB_CANCELLED])
		return JOB_CANCELLED;
	return JOB_SUCCEEDED;
}

/* --- reads --------------------------------------------------------------- */

/* The statements, written once from the row codec's live states (the
 * store keys its prepared statements by the text's address). */
static struct {
	int ready;
	char live_child[256], children[320], live_children[320];
} sql;

static int sql_ready(void)
{
	if (sql.ready)
		return 0;
	char live[200];
	if (job_row_live_sql(live, sizeof live) < 0)
		return -1;
	int n = snprintf(sql.live_child, sizeof sql.live_child,
			 "SELECT 1 FROM jobs WHERE parent = ?1 AND %s LIMIT 1", live);
	int m = snprintf(sql.live_children, sizeof sql.live_children,
			 "SELECT id FROM jobs WHERE parent = ?1 AND %s ORDER BY id", live);
	snprintf(sql.children, sizeof sql.children,
		 "SELECT id FROM jobs WHERE parent = ?1 ORDER BY id");
	if (n < 0 || (size_t)n >= sizeof sql.live_child || m < 0 ||
	    (size_t)m >= sizeof sql.live_children)
		return -1;
	sql.ready = 1;
	return 0;
}

static const char SQL_COUNTS[] =
	"SELECT state, count(*) FROM jobs WHERE parent = ?1 GROUP BY state";

static sqlite3_stmt *stmt(struct store *st, const char *text, int64_t parent)
{
	sqlite3_stmt *s = sql_ready() == 0 ? store_stmt(st, text) : NULL;
	if (s)
		sqlite3_bind_int64(s, 1, parent);
	return s;
}

int group_live_child(struct store *st, int64_t parent)
{
	sqlite3_stmt *s = stmt(st, sql.live_child, parent);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int group_counts(struct store *st, int64_t parent, uint64_t counts[JOB_STATE_COUNT])
{
	memset(counts, 0, JOB_STATE_COUNT * sizeof counts[0]);
	sqlite3_stmt *s = stmt(st, SQL_COUNTS, parent);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int state = job_state_of((const char *)sqlite3_column_text(s, 0));
		if (state >= 0)
			counts[state] = (uint64_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int group_children(struct store *st, int64_t parent, int live_only, struct idvec *out)
{
	sqlite3_stmt *s = stmt(st, live_only ? sql.live_children : sql.children, parent);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (idvec_push(out, sqlite3_column_int64(s, 0)) < 0)
			break;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* --- the failed parent's error --------------------------------------------- */

static const char SQL_NOTE_FAILURE[] =
	"UPDATE jobs SET last_error = (SELECT 'child ' || id || ': ' || "
	"coalesce(last_error, 'failed') FROM jobs WHERE parent = ?1 AND state = ?2 "
	"ORDER BY finished_at, id LIMIT 1) WHERE id = ?1";

int group_note_failure(struct store *st, int64_t parent)
{
	sqlite3_stmt *s = store_stmt(st, SQL_NOTE_FAILURE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, parent);
	sqlite3_bind_text(s, 2, job_state_name(JOB_FAILED), -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}
