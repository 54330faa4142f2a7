/* api_readmodel.c -- GET /v1/catalogue, /v1/catalogue/{id},
 * /v1/sovereigns, /v1/sovereigns/{id}: the game's catalogue (from
 * getGameInfo) and the sovereigns the mirror knows, as JSON.  Reads the
 * mirror; changes nothing and never calls the game.  Answers 503 until the
 * first full state is loaded, as the other mirror routes do.
 *
 * Lists are in id order, paged by ?limit= and ?cursor= (the last id of the
 * page, given back as next_cursor while more follow), and a page also ends
 * before the item that would take it past API_PAGE_MAX_BYTES (one item
 * always goes): no query builds an answer of unbounded size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "mirror.h"
#include "readmodel.h"
#include "session.h"
#include "textbuf.h"

/* The most bytes of items one page holds (the list's items as written;
 * the envelope adds a few dozen). */
#define API_PAGE_MAX_BYTES (1024 * 1024)
#define REAL_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* The mirror, or NULL after answering 503. */
static const struct mirror *ready_mirror(struct app *app, struct http_req *req)
{
	if (!app->mirror) {
		http_reply_error(req, 503, "no_upstream",
				 "fleetd runs without --upstream, so it has no game state");
		return NULL;
	}
	if (!mirror_ready(app->mirror)) {
		http_add_header(req, "Retry-After", "5");
		http_reply_error(req, 503, "not_ready",
				 "the game state is not loaded yet (upstream %s); try again shortly",
				 session_state_name(session_state(app->session)));
		return NULL;
	}
	return app->mirror;
}

static void reply_json(struct http_req *req, json_t *body)
{
	char *text = body ? json_dumps(body, REAL_FLAGS) : NULL;
	json_decref(body);
	if (!text) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	http_reply(req, 200, "application/json; charset=utf-8", text, strlen(text));
	free(text);
}

/* --- pages ----------------------------------------------------------------- */

struct page {
	struct textbuf items; /* the items written so far, comma-separated */
	int64_t count, limit;
	int64_t last;         /* id of the last item written */
	int full;             /* an item was left for the next page */
};

/* Write item (stolen), whose id is id, unless the page has its count or
 * the item would take it past its bytes: then it is full and the item
 * starts the next page. */
static void page_add(struct page *p, json_t *item, int64_t id)
{
	if (p->count == p->limit) {
		json_decref(item);
		p->full = 1;
		return;
	}
	char *text = item ? json_dumps(item, REAL_FLAGS) : NULL;
	json_decref(item);
	size_t n = text ? strlen(text) : 0;
	if (!text) {
		p->items.oom = 1;
	} else if (p->count > 0 && p->items.len + 1 + n > API_PAGE_MAX_BYTES) {
		p->full = 1;
	} else {
		if (p->count++)
			textbuf_put(&p->items, ",", 1);
		textbuf_put(&p->items, text, n);
		p->last = id;
	}
	free(text);
}

/* {"count":N,"<key>":[...],"next_cursor":"<id>"}, next_cursor only when
 * more items follow. */
static void page_reply(struct http_req *req, struct page *p, const char *key)
{
	struct textbuf t = {0};
	textbuf_puts(&t, "{\"count\":");
	textbuf_int(&t, p->count);
	textbuf_puts(&t, ",\"");
	textbuf_puts(&t, key);
	textbuf_puts(&t, "\":[");
	textbuf_put(&t, p->items.p ? p->items.p : "", p->items.len);
	textbuf_put(&t, "]", 1);
	if (p->full) {
		textbuf_puts(&t, ",\"next_cursor\":\"");
		textbuf_int(&t, p->last);
		textbuf_put(&t, "\"", 1);
	}
	textbuf_put(&t, "}", 1);
	size_t len;
	char *text = p->items.oom ? NULL : textbuf_take(&t, &len);
	textbuf_free(&t);
	textbuf_free(&p->items);
	if (!text) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	http_reply(req, 200, "application/json; charset=utf-8", text, len);
	free(text);
}

/* The page's limit and start from the query; -1 after answering 400. */
static int page_start(struct http_req *req, struct page *p, int64_t *after)
{
	char err[160];
	memset(p, 0, sizeof *p);
	if (readmodel_page_args(http_query(req, "limit"), http_query(req, "cursor"), &p->limit,
				after, err, sizeof err) < 0) {
		http_reply_error(req, 400, "bad_request", "%s", err);
		return -1;
	}
	return 0;
}

/* --- catalogue ------------------------------------------------------------- */

/* First index whose id is > after, in a list in id order of n items. */
static size_t first_after(const void *m, size_t n, int64_t after,
			  int64_t (*id_at)(const void *m, size_t i))
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (id_at(m, mid) <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t cat_id_at(const void *m, size_t i)
{
	return mirror_cat_at(m, i)->id;
}

static int64_t sov_id_at(const void *m, size_t i)
{
	const struct mirror_sovereign *s = mirror_sovereign_at(m, i);
	return s ? s->id : 0;
}

static int same_str(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void on_catalogue(struct http_req *req, void *arg)
{
	const struct mirror *m = ready_mirror(arg, req);
	if (!m)
		return;
	const char *unid = http_query(req, "unid");
	const char *category = http_query(req, "category");
	char err[200];
	if ((category && readmodel_check_category(category, err, sizeof err) < 0) ||
	    (unid && readmodel_check_unid(unid, err, sizeof err) < 0)) {
		http_reply_error(req, 400, "bad_request", "%s", err);
		return;
	}
	struct page p;
	int64_t after;
	if (page_start(req, &p, &after) < 0)
		return;
	if (unid) {
		const struct mirror_cat *c = mirror_cat_by_unid(m, unid);
		if (!c) {
			http_reply_error(req, 404, "not_found",
					 "no catalogue entry has the unid '%s'", unid);
			return;
		}
		if (c->id > after && (!category || same_str(c->category, category)))
			page_add(&p, readmodel_cat_json(c), c->id);
		page_reply(req, &p, "catalogue");
		return;
	}
	size_t n = mirror_cat_count(m);
	for (size_t i = first_after(m, n, after, cat_id_at); i < n && !p.full; i++) {
		const struct mirror_cat *c = mirror_cat_at(m, i);
		if (!category || same_str(c->category, category))
			page_add(&p, readmodel_cat_json(c), c->id);
	}
	page_reply(req, &p, "catalogue");
}

static void on_catalogue_entry(struct http_req *req, void *arg)
{
	const struct mirror *m = ready_mirror(arg, req);
	if (!m)
		return;
	int64_t id = http_param_id(req, 0);
	const struct mirror_cat *c = mirror_cat(m, id);
	if (!c) {
		http_reply_error(req, 404, "not_found", "no catalogue entry %lld",
				 (long long)id);
		return;
	}
	reply_json(req, readmodel_cat_json(c));
}

/* --- sovereigns ------------------------------------------------------------ */

static void on_sovereigns(struct http_req *req, void *arg)
{
	const struct mirror *m = ready_mirror(arg, req);
	if (!m)
		return;
	struct page p;
	int64_t after;
	if (page_start(req, &p, &after) < 0)
		return;
	size_t n = mirror_sovereign_count(m);
	for (size_t i = first_after(m, n, after, sov_id_at); i < n && !p.full; i++) {
		const struct mirror_sovereign *s = mirror_sovereign_at(m, i);
		if (s)
			page_add(&p, readmodel_sovereign_json(m, s), s->id);
	}
	page_reply(req, &p, "sovereigns");
}

static void on_sovereign(struct http_req *req, void *arg)
{
	const struct mirror *m = ready_mirror(arg, req);
	if (!m)
		return;
	int64_t id = http_param_id(req, 0);
	const struct mirror_sovereign *s = mirror_sovereign(m, id);
	if (!s) {
		http_reply_error(req, 404, "not_found", "no sovereign %lld in the game state",
				 (long long)id);
		return;
	}
	reply_json(req, readmodel_sovereign_json(m, s));
}

void api_readmodel_register(struct app *app)
{
	http_route(app->http, "GET", "/v1/catalogue", on_catalogue, app);
	http_route(app->http, "GET", "/v1/catalogue/{id}", on_catalogue_entry, app);
	http_route(app->http, "GET", "/v1/sovereigns", on_sovereigns, app);
	http_route(app->http, "GET", "/v1/sovereigns/{id}", on_sovereign, app);
}
