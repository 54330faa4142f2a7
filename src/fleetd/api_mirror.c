/* api_mirror.c -- GET /v1/fleets, /v1/fleets/{id}, /v1/worlds,
 * /v1/worlds/{id}: the mirror as JSON.  Reads the mirror (and, through its
 * job lookup, which job holds a fleet); changes nothing and never calls the
 * game.  Answers 503 until the first full state is loaded.  The lists are
 * pages cut by bytes as well as by count (api_galaxy.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_common.h"
#include "api_galaxy.h"
#include "app.h"
#include "config.h"
#include "http.h"
#include "mirror.h"
#include "readmodel.h"

static void rfc3339(int64_t ms, char *buf, size_t len)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(ms % 1000));
}

static json_t *resources_json(const struct mirror *m, const int64_t *res, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *name = mirror_resource_name(m, res[2 * i]);
		json_array_append_new(a, json_pack("{s:I,s:I,s:s*}", "id",
						   (json_int_t)res[2 * i], "qty",
						   (json_int_t)res[2 * i + 1], "name", name));
	}
	return a;
}

static json_t *id_or_null(int64_t id)
{
	return id > 0 ? json_integer(id) : json_null();
}

static json_t *pos_json(double x, double y)
{
	return json_pack("{s:f,s:f}", "x", x, "y", y);
}

static json_t *fleet_json(const struct mirror *m, const struct mirror_fleet *f)
{
	json_t *dest = json_null(), *eta = json_null();
	int moving = f->dest_id > 0 || f->eta > 0;
	if (moving)
		dest = json_pack("{s:o,s:f,s:f}", "id", id_or_null(f->dest_id), "x",
				 f->dest_x, "y", f->dest_y);
	if (f->eta > 0) {
		char ts[40];
		int64_t at = mirror_watch_time_ms(m, f->eta);
		rfc3339(at, ts, sizeof ts);
		eta = json_pack("{s:f,s:s,s:I}", "watch", f->eta, "estimated_at", ts,
				"estimated_ms", (json_int_t)at);
	}
	return json_pack("{s:o,s:I,s:s,s:I,s:b,s:s,s:o,s:o,s:o,s:o,s:b,s:b,s:o,s:o}",
			 "strength", readmodel_strength(m, f), "id", (json_int_t)f->id, "name", f->name ? f->name : "",
			 "sovereign", (json_int_t)f->sovereign, "mine",
			 f->sovereign == mirror_player(m), "ftl_type", f->ftl_type,
			 "position", pos_json(f->x, f->y), "anchor", id_or_null(f->anchor),
			 "destination", dest, "eta", eta, "moving", moving, "in_battle",
			 f->in_battle, "resources", resources_json(m, f->res, f->nres), "job",
			 id_or_null(mirror_fleet_job(m, f->id)));
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static json_t *world_json(const struct mirror *m, const struct mirror_world *w)
{
	const int64_t *ids;
	size_t n = mirror_fleets_at(m, w->id, &ids);
	int64_t *sorted = n ? malloc(n * sizeof *sorted) : NULL;
	json_t *fleets = json_array();
	if (sorted) {
		memcpy(sorted, ids, n * sizeof *sorted);
		qsort(sorted, n, sizeof *sorted, cmp_id);
		for (size_t i = 0; i < n; i++)
			json_array_append_new(fleets, json_integer(sorted[i]));
		free(sorted);
	}
	const char *dname = w->designation ? mirror_resource_name(m, w->designation) : NULL;
	json_t *o = json_pack("{s:I,s:s,s:I,s:b,s:o,s:o,s:s*,s:i,s:f,s:b,s:b,s:o,s:o}",
			 "id", (json_int_t)w->id, "name", w->name ? w->name : "",
			 "sovereign", (json_int_t)w->sovereign, "mine",
			 w->sovereign == mirror_player(m), "position", pos_json(w->x, w->y),
			 "designation", id_or_null(w->designation), "designation_name",
			 dname, "tech_level", w->tech_level, "population", w->population,
			 "in_battle", w->in_battle, "trading", w->trading, "resources",
			 resources_json(m, w->res, w->nres), "fleets", fleets);
	if (o && readmodel_world_add(m, w, o) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* --- fleets ---------------------------------------------------------------- */

static int64_t fleet_id_at(const struct mirror *m, size_t i)
{
	return mirror_fleet_at(m, i)->id;
}

static void on_fleets(struct http_req *req, void *arg)
{
	struct app *app = arg;
	const struct mirror *m = api_galaxy_mirror(app, req);
	if (!m)
		return;
	const char *sov = http_query(req, "sovereign");
	const char *cursor = http_query(req, "cursor");
	int all = sov && strcmp(sov, "all") == 0;
	int64_t who = mirror_player(m), after = 0;
	if (sov && !all && strcmp(sov, "me") != 0 && parse_i64(sov, &who) < 0) {
		http_reply_error(req, 400, "bad_request",
				 "sovereign: want \"all\", \"me\" or a sovereign id, not '%s'", sov);
		return;
	}
	if (cursor && parse_i64(cursor, &after) < 0) {
		http_reply_error(req, 400, "bad_request",
				 "cursor: not one this server gave out");
		return;
	}
	struct api_page p = {.max_bytes = (size_t)app->cfg->max_page_bytes};
	if (all) {
		size_t n = mirror_fleet_count(m);
		for (size_t i = api_galaxy_first_after(m, n, after, fleet_id_at); i < n && !p.full;
		     i++) {
			const struct mirror_fleet *f = mirror_fleet_at(m, i);
			api_page_add(&p, fleet_json(m, f), f->id);
		}
	} else {
		const int64_t *ids;
		size_t n = mirror_fleets_of(m, who, &ids);
		int64_t *sorted = n ? malloc(n * sizeof *sorted) : NULL;
		if (n && !sorted) {
			http_reply_error(req, 500, "internal", "out of memory");
			return;
		}
		if (n)
			memcpy(sorted, ids, n * sizeof *sorted);
		qsort(sorted, n, sizeof *sorted, cmp_id);
		for (size_t i = 0; i < n && !p.full; i++)
			if (sorted[i] > after)
				api_page_add(&p, fleet_json(m, mirror_fleet(m, sorted[i])), sorted[i]);
		free(sorted);
	}
	api_page_reply(req, m, &p, "fleets");
}

static json_t *fleet_by_id(const struct mirror *m, int64_t id, int *found)
{
	const struct mirror_fleet *f = mirror_fleet(m, id);
	*found = f != NULL;
	return f ? fleet_json(m, f) : NULL;
}

static void on_fleet(struct http_req *req, void *arg)
{
	api_galaxy_get(req, arg, "fleet", fleet_by_id);
}

/* --- worlds ---------------------------------------------------------------- */

struct world_filter {
	int by_sov;
	int64_t sov;
	int near;
	double x, y, r;
	int64_t after;
	int64_t limit;
};

static int world_filter_parse(struct http_req *req, const struct mirror *m,
			      struct world_filter *f)
{
	memset(f, 0, sizeof *f);
	const char *sov = http_query(req, "sovereign");
	const char *near = http_query(req, "near");
	const char *radius = http_query(req, "radius");
	const char *limit = http_query(req, "limit");
	const char *cursor = http_query(req, "cursor");
	if (sov && strcmp(sov, "all") != 0) {
		f->by_sov = 1;
		f->sov = mirror_player(m);
		if (strcmp(sov, "me") != 0 && parse_i64(sov, &f->sov) < 0) {
			http_reply_error(req, 400, "bad_request",
					 "sovereign: want \"all\", \"me\" or a sovereign id, not '%s'",
					 sov);
			return -1;
		}
	}
	if (!near != !radius) {
		http_reply_error(req, 400, "bad_request",
				 "near and radius go together: near=x,y&radius=r");
		return -1;
	}
	if (near) {
		char xs[64];
		const char *comma = strchr(near, ',');
		size_t xl = comma ? (size_t)(comma - near) : 0;
		if (!comma || xl >= sizeof xs) {
			http_reply_error(req, 400, "bad_request", "near: want x,y");
			return -1;
		}
		memcpy(xs, near, xl);
		xs[xl] = 0;
		if (parse_double(xs, &f->x) < 0 || parse_double(comma + 1, &f->y) < 0) {
			http_reply_error(req, 400, "bad_request", "near: want x,y (numbers)");
			return -1;
		}
		if (parse_double(radius, &f->r) < 0 || f->r < 0) {
			http_reply_error(req, 400, "bad_request",
					 "radius: want a number of light-years >= 0");
			return -1;
		}
		f->near = 1;
	}
	char err[160];
	if (readmodel_page_args(limit, cursor, &f->limit, &f->after, err, sizeof err) < 0) {
		http_reply_error(req, 400, "bad_request", "%s", err);
		return -1;
	}
	return 0;
}

static int64_t world_id_at(const struct mirror *m, size_t i)
{
	return mirror_world_at(m, i)->id;
}

static void on_worlds(struct http_req *req, void *arg)
{
	struct app *app = arg;
	const struct mirror *m = api_galaxy_mirror(app, req);
	if (!m)
		return;
	struct world_filter f;
	if (world_filter_parse(req, m, &f) < 0)
		return;
	struct api_page p = {.max_bytes = (size_t)app->cfg->max_page_bytes};
	size_t n = mirror_world_count(m);
	for (size_t i = api_galaxy_first_after(m, n, f.after, world_id_at); i < n && !p.full;
	     i++) {
		const struct mirror_world *w = mirror_world_at(m, i);
		if (f.by_sov && w->sovereign != f.sov)
			continue;
		double d = 0;
		if (f.near) {
			d = hypot(w->x - f.x, w->y - f.y);
			if (d > f.r)
				continue;
		}
		if ((int64_t)p.count == f.limit) {
			p.full = 1;
			break;
		}
		json_t *wj = world_json(m, w);
		if (f.near)
			json_object_set_new(wj, "distance", json_real(d));
		api_page_add(&p, wj, w->id);
	}
	api_page_reply(req, m, &p, "worlds");
}

static json_t *world_by_id(const struct mirror *m, int64_t id, int *found)
{
	const struct mirror_world *w = mirror_world(m, id);
	*found = w != NULL;
	return w ? world_json(m, w) : NULL;
}

static void on_world(struct http_req *req, void *arg)
{
	api_galaxy_get(req, arg, "world", world_by_id);
}

int api_mirror_register(struct app *app)
{
	static const struct api_resource fleets = {.base = "/v1/fleets", .list = on_fleets,
						   .get = on_fleet};
	static const struct api_resource worlds = {.base = "/v1/worlds", .list = on_worlds,
						   .get = on_world};
	if (api_resource_register(app, &fleets) < 0)
		return -1;
	return api_resource_register(app, &worlds);
}
