/* readmodel.c -- see readmodel.h.  Owns the JSON shapes of the read
 * model's derived parts and the checks of its query values; must not
 * answer HTTP (api_readmodel.c and api_mirror.c do) nor change the
 * mirror. */
#include "readmodel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *num_or_null(unsigned has, double v)
{
	return has ? json_real(v) : json_null();
}

/* {"id", "unid", "name"} of a catalogue id (unid and name null when the
 * catalogue does not know it). */
static json_t *named_id(const struct mirror *m, int64_t id)
{
	const struct mirror_cat *c = mirror_cat(m, id);
	return json_pack("{s:I,s:o,s:o}", "id", (json_int_t)id, "unid",
			 str_or_null(c ? c->unid : NULL), "name",
			 str_or_null(c ? c->name : NULL));
}

static json_t *build_json(const struct mirror *m, const struct mirror_trait *t)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < t->nbuild; i++) {
		const struct mirror_build *b = &t->build[i];
		json_array_append_new(a, json_pack("{s:I,s:o,s:f}", "resource",
						   (json_int_t)b->resource, "name",
						   str_or_null(mirror_resource_name(m, b->resource)),
						   "percent", b->percent));
	}
	return a;
}

static json_t *industry_json(const struct mirror *m, const struct mirror_trait *t)
{
	json_t *o = named_id(m, t->id);
	if (!o)
		return NULL;
	if (t->structured) {
		json_object_set_new(o, "target_allocation", json_real(t->target_alloc));
		json_object_set_new(o, "allocation", json_real(t->alloc));
		json_object_set_new(o, "build", build_json(m, t));
	} else {
		/* a world of another empire: the game shows no allocations */
		json_object_set_new(o, "target_allocation", json_null());
		json_object_set_new(o, "allocation", json_null());
		json_object_set_new(o, "build", json_null());
	}
	return o;
}

static json_t *flows_json(const struct mirror *m, const struct mirror_flow *f, uint32_t n)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{s:I,s:o,s:f,s:f}", "resource",
						   (json_int_t)f[i].resource, "name",
						   str_or_null(mirror_resource_name(m, f[i].resource)),
						   "percent", f[i].percent, "amount", f[i].amount));
	return a;
}

static json_t *route_json(const struct mirror *m, const struct mirror_route *r)
{
	return json_pack("{s:I,s:b,s:o,s:o}", "partner", (json_int_t)r->partner, "return",
			 r->is_return, "imports", flows_json(m, r->imports, r->nimports),
			 "exports", flows_json(m, r->exports, r->nexports));
}

int readmodel_world_add(const struct mirror *m, const struct mirror_world *w, json_t *obj)
{
	json_t *imp = json_array(), *ind = json_array(), *other = json_array();
	json_t *routes = json_array();
	const struct mirror_cat *d = w->designation ? mirror_cat(m, w->designation) : NULL;
	int rc = imp && ind && other && routes ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < w->ntraits; i++) {
		const struct mirror_trait *t = &w->traits[i];
		switch (mirror_trait_kind(m, t)) {
		case MIRROR_TRAIT_IMPROVEMENT:
			rc = json_array_append_new(imp, named_id(m, t->id));
			break;
		case MIRROR_TRAIT_INDUSTRY:
			rc = json_array_append_new(ind, industry_json(m, t));
			break;
		default:
			rc = json_array_append_new(other, json_integer(t->id));
		}
	}
	for (size_t i = 0; rc == 0 && i < w->nroutes; i++)
		rc = json_array_append_new(routes, route_json(m, &w->routes[i]));
	if (rc == 0)
		rc = json_object_set_new(obj, "designation_unid", str_or_null(d ? d->unid : NULL));
	if (rc == 0) {
		rc = json_object_set(obj, "improvements", imp) |
		     json_object_set(obj, "industries", ind) |
		     json_object_set(obj, "other_traits", other) |
		     json_object_set(obj, "trade_routes", routes);
	}
	json_decref(imp);
	json_decref(ind);
	json_decref(other);
	json_decref(routes);
	return rc ? -1 : 0;
}

json_t *readmodel_strength(const struct mirror *m, const struct mirror_fleet *f)
{
	struct mirror_strength s;
	if (mirror_fleet_strength(m, f, &s) < 0)
		return json_null();
	return json_pack("{s:f,s:f,s:I,s:I}", "space", s.space, "ground", s.ground, "known",
			 (json_int_t)s.known, "unknown", (json_int_t)s.unknown);
}

json_t *readmodel_cat_json(const struct mirror_cat *c)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)c->id,
			 "unid", str_or_null(c->unid), "name", str_or_null(c->name), "class",
			 str_or_null(c->class_name), "category", str_or_null(c->category),
			 "role", str_or_null(c->role), "attack_value",
			 num_or_null(c->has_attack, c->attack), "cargo_space",
			 num_or_null(c->has_cargo, c->cargo), "mass",
			 num_or_null(c->has_mass, c->mass));
}

json_t *readmodel_sovereign_json(const struct mirror *m, const struct mirror_sovereign *s)
{
	const int64_t *ids;
	size_t nfleets = mirror_fleets_of(m, s->id, &ids);
	json_t *rel = s->relationship ? json_incref(s->relationship) : json_null();
	return json_pack("{s:I,s:s,s:o,s:f,s:b,s:o,s:I,s:I}", "id", (json_int_t)s->id,
			 "name", s->name ? s->name : "", "capital",
			 s->capital > 0 ? json_integer(s->capital) : json_null(),
			 "imperial_might", s->might, "mine", s->id == mirror_player(m),
			 "relationship", rel, "worlds",
			 (json_int_t)mirror_world_count_of(m, s->id), "fleets",
			 (json_int_t)nfleets);
}

/* --- query values ----------------------------------------------------------- */

static int parse_count(const char *s, int64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end || errno || v < 0)
		return -1;
	*out = v;
	return 0;
}

int readmodel_page_args(const char *limit, const char *cursor, int64_t *limit_out,
			int64_t *after, char *err, size_t errlen)
{
	*limit_out = READMODEL_DEFAULT_LIMIT;
	*after = 0;
	if (limit && (parse_count(limit, limit_out) < 0 || *limit_out < 1 ||
		      *limit_out > READMODEL_MAX_LIMIT)) {
		snprintf(err, errlen, "limit: want 1 to %d", READMODEL_MAX_LIMIT);
		return -1;
	}
	if (cursor && parse_count(cursor, after) < 0) {
		snprintf(err, errlen, "cursor: not one this server gave out");
		return -1;
	}
	return 0;
}

int readmodel_check_category(const char *category, char *err, size_t errlen)
{
	size_t n = strlen(category);
	int ok = n >= 1 && n <= READMODEL_MAX_WORD;
	for (size_t i = 0; ok && i < n; i++)
		ok = (category[i] >= 'a' && category[i] <= 'z') ||
		     (category[i] >= 'A' && category[i] <= 'Z');
	if (!ok)
		snprintf(err, errlen,
			 "category: want a catalogue category such as maneuveringUnit, "
			 "designation, improvement or industry (1 to %d letters)",
			 READMODEL_MAX_WORD);
	return ok ? 0 : -1;
}

int readmodel_check_unid(const char *unid, char *err, size_t errlen)
{
	size_t n = strlen(unid);
	int ok = n >= 1 && n <= READMODEL_MAX_UNID;
	for (size_t i = 0; ok && i < n; i++)
		ok = unid[i] > ' ' && unid[i] < 0x7f;
	if (!ok)
		snprintf(err, errlen,
			 "unid: want a catalogue unid such as core.tradingHubDesignation "
			 "(1 to %d printable characters, no space)",
			 READMODEL_MAX_UNID);
	return ok ? 0 : -1;
}
