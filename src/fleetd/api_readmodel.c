/* api_readmodel.c -- GET /v1/catalogue, /v1/catalogue/{id},
 * /v1/sovereigns, /v1/sovereigns/{id}: the game's catalogue (from
 * getGameInfo) and the sovereigns the mirror knows, as JSON.  Reads the
 * mirror; changes nothing and never calls the game.  Answers 503 until the
 * first full state is loaded, as the other mirror routes do.
 *
 * Lists are in id order, paged by ?limit= and ?cursor= (the last id of the
 * page, given back as next_cursor while more follow), and cut by bytes
 * too (api_galaxy.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_common.h"
#include "api_galaxy.h"
#include "app.h"
#include "config.h"
#include "http.h"
#include "mirror.h"
#include "readmodel.h"

/* A page of at most limit items (and --max-page-bytes). */
struct page {
	struct api_page p;
	int64_t limit;
};

/* The page's limit and start from the query; -1 after answering 400. */
static int page_start(struct app *app, struct http_req *req, struct page *p, int64_t *after)
{
	char err[160];
	memset(p, 0, sizeof *p);
	p->p.max_bytes = (size_t)app->cfg->max_page_bytes;
	if (readmodel_page_args(http_query(req, "limit"), http_query(req, "cursor"), &p->limit,
				after, err, sizeof err) < 0) {
		http_reply_error(req, 400, "bad_request", "%s", err);
		return -1;
	}
	return 0;
}

/* Add an item unless the page has its count: then it is full. */
static void page_add(struct page *p, json_t *item, int64_t id)
{
	if ((int64_t)p->p.count == p->limit) {
		json_decref(item);
		p->p.full = 1;
		return;
	}
	api_page_add(&p->p, item, id);
}

/* --- catalogue ------------------------------------------------------------- */

static int64_t cat_id_at(const struct mirror *m, size_t i)
{
	return mirror_cat_at(m, i)->id;
}

static int64_t sov_id_at(const struct mirror *m, size_t i)
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
	const struct mirror *m = api_galaxy_mirror(arg, req);
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
	if (page_start(arg, req, &p, &after) < 0)
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
		api_page_reply(req, NULL, &p.p, "catalogue");
		return;
	}
	size_t n = mirror_cat_count(m);
	for (size_t i = api_galaxy_first_after(m, n, after, cat_id_at); i < n && !p.p.full; i++) {
		const struct mirror_cat *c = mirror_cat_at(m, i);
		if (!category || same_str(c->category, category))
			page_add(&p, readmodel_cat_json(c), c->id);
	}
	api_page_reply(req, NULL, &p.p, "catalogue");
}

static json_t *cat_by_id(const struct mirror *m, int64_t id, int *found)
{
	const struct mirror_cat *c = mirror_cat(m, id);
	*found = c != NULL;
	return c ? readmodel_cat_json(c) : NULL;
}

static void on_catalogue_entry(struct http_req *req, void *arg)
{
	api_galaxy_get(req, arg, "catalogue entry", cat_by_id);
}

/* --- sovereigns ------------------------------------------------------------ */

static void on_sovereigns(struct http_req *req, void *arg)
{
	const struct mirror *m = api_galaxy_mirror(arg, req);
	if (!m)
		return;
	struct page p;
	int64_t after;
	if (page_start(arg, req, &p, &after) < 0)
		return;
	size_t n = mirror_sovereign_count(m);
	for (size_t i = api_galaxy_first_after(m, n, after, sov_id_at); i < n && !p.p.full; i++) {
		const struct mirror_sovereign *s = mirror_sovereign_at(m, i);
		if (s)
			page_add(&p, readmodel_sovereign_json(m, s), s->id);
	}
	api_page_reply(req, NULL, &p.p, "sovereigns");
}

static json_t *sovereign_by_id(const struct mirror *m, int64_t id, int *found)
{
	const struct mirror_sovereign *s = mirror_sovereign(m, id);
	*found = s != NULL;
	return s ? readmodel_sovereign_json(m, s) : NULL;
}

static void on_sovereign(struct http_req *req, void *arg)
{
	api_galaxy_get(req, arg, "sovereign", sovereign_by_id);
}

int api_readmodel_register(struct app *app)
{
	static const struct api_resource catalogue = {.base = "/v1/catalogue",
						      .list = on_catalogue,
						      .get = on_catalogue_entry};
	static const struct api_resource sovereigns = {.base = "/v1/sovereigns",
						       .list = on_sovereigns,
						       .get = on_sovereign};
	if (api_resource_register(app, &catalogue) < 0)
		return -1;
	return api_resource_register(app, &sovereigns);
}
