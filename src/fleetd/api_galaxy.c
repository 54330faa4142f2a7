/* api_galaxy.c -- see api_galaxy.h.  Owns the galaxy routes' 503, their
 * JSON writing and their pages; knows no route. */
#include "api_galaxy.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "mirror.h"
#include "session.h"

#define REAL_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

const struct mirror *api_galaxy_mirror(struct app *app, struct http_req *req)
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

size_t api_galaxy_first_after(const struct mirror *m, size_t n, int64_t after,
			      api_galaxy_id_fn id_at)
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

void api_galaxy_reply(struct http_req *req, json_t *body)
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

void api_galaxy_get(struct http_req *req, struct app *app, const char *what,
		    api_galaxy_find_fn find)
{
	const struct mirror *m = api_galaxy_mirror(app, req);
	if (!m)
		return;
	int64_t id = http_param_id(req, 0);
	int found = 0;
	json_t *item = find(m, id, &found);
	if (found)
		api_galaxy_reply(req, item);
	else
		http_reply_error(req, 404, "not_found", "no %s %lld in the game state", what,
				 (long long)id);
}

void api_page_add(struct api_page *p, json_t *item, int64_t id)
{
	char *text = item ? json_dumps(item, REAL_FLAGS) : NULL;
	json_decref(item);
	size_t n = text ? strlen(text) : 0;
	if (!text) {
		p->items.oom = 1;
	} else if (p->count > 0 && p->items.len + 1 + n > p->max_bytes) {
		p->full = 1;
	} else {
		if (p->count++)
			textbuf_put(&p->items, ",", 1);
		textbuf_put(&p->items, text, n);
		p->last = id;
	}
	free(text);
}

void api_page_reply(struct http_req *req, const struct mirror *m, struct api_page *p,
		    const char *key)
{
	struct textbuf t = {0};
	char *wtext = NULL;
	if (m) {
		json_t *watch = json_real(mirror_watch(m));
		wtext = watch ? json_dumps(watch, JSON_ENCODE_ANY | REAL_FLAGS) : NULL;
		json_decref(watch);
	}
	textbuf_puts(&t, "{\"count\":");
	textbuf_int(&t, (int64_t)p->count);
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
	if (wtext) {
		textbuf_puts(&t, ",\"watch\":");
		textbuf_puts(&t, wtext);
	}
	textbuf_put(&t, "}", 1);
	size_t len;
	char *text = p->items.oom || (m && !wtext) ? NULL : textbuf_take(&t, &len);
	free(wtext);
	textbuf_free(&t);
	textbuf_free(&p->items);
	if (!text) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	http_reply(req, 200, "application/json; charset=utf-8", text, len);
	free(text);
}
