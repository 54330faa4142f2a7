/* step_intent.c -- see step_intent.h. */
#include "step_intent.h"

#include "engine.h"
#include "mirror.h"

json_t *intent_snapshot(const struct mirror *m, int64_t obj, const json_t *list)
{
	json_t *out = json_array();
	for (size_t i = 0; i + 1 < json_array_size(list); i += 2) {
		int64_t id = json_integer_value(json_array_get(list, i));
		json_array_append_new(out, json_integer(id));
		json_array_append_new(out, json_integer(mirror_held(m, obj, id)));
	}
	return out;
}

int intent_changed(const struct mirror *m, int64_t obj, const json_t *snap)
{
	for (size_t i = 0; i + 1 < json_array_size(snap); i += 2) {
		int64_t id = json_integer_value(json_array_get(snap, i));
		int64_t q = json_integer_value(json_array_get(snap, i + 1));
		if (mirror_held(m, obj, id) != q)
			return 1;
	}
	return 0;
}

static int mine_at(const struct mirror *m, const struct mirror_fleet *f, int64_t w)
{
	return f->anchor == w && f->dest_id == 0 && f->sovereign == mirror_player(m);
}

json_t *intent_fleet_qty_at(const struct mirror *m, int64_t w, int64_t res)
{
	json_t *out = json_array();
	size_t n = mirror_fleet_count(m);
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (!mine_at(m, f, w))
			continue;
		json_array_append_new(out, json_integer(f->id));
		json_array_append_new(out, json_integer(mirror_qty(f->res, f->nres, res)));
	}
	return out;
}

int64_t intent_sum_qty(const struct mirror *m, const json_t *snap, int64_t res)
{
	int64_t total = 0;
	for (size_t i = 0; i + 1 < json_array_size(snap); i += 2) {
		const struct mirror_fleet *f =
			mirror_fleet(m, json_integer_value(json_array_get(snap, i)));
		if (f)
			total += mirror_qty(f->res, f->nres, res);
	}
	return total;
}

json_t *intent_fleets_at(const struct mirror *m, int64_t w)
{
	json_t *out = json_array();
	size_t n = mirror_fleet_count(m);
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (mine_at(m, f, w))
			json_array_append_new(out, json_integer(f->id));
	}
	return out;
}

/* Exactly the resources asked for, in any order. */
static int holds_exactly(const struct mirror_fleet *f, const json_t *want)
{
	size_t pairs = json_array_size(want) / 2, matched = 0;
	for (size_t i = 0; i < pairs; i++) {
		int64_t id = json_integer_value(json_array_get(want, 2 * i));
		int64_t q = json_integer_value(json_array_get(want, 2 * i + 1));
		if (mirror_qty(f->res, f->nres, id) != q)
			return 0;
		matched++;
	}
	size_t nonzero = 0;
	for (size_t i = 0; i < f->nres; i++)
		nonzero += f->res[2 * i + 1] != 0;
	return nonzero == matched;
}

int64_t intent_new_fleet_at(const struct mirror *m, const struct engine *e,
			    int64_t w, const json_t *before, const json_t *want)
{
	size_t n = mirror_fleet_count(m);
	int64_t found = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (!mine_at(m, f, w) || engine_fleet_holder(e, f->id) ||
		    !holds_exactly(f, want))
			continue;
		int old = 0;
		for (size_t j = 0; j < json_array_size(before); j++)
			old |= json_integer_value(json_array_get(before, j)) == f->id;
		if (!old && (found == 0 || f->id < found))
			found = f->id; /* the oldest candidate: ids grow */
	}
	return found;
}

void intent_deploy_record(const struct mirror *m, int64_t source, const json_t *want,
			  json_t *data)
{
	int64_t top = 0;
	size_t n = mirror_fleet_count(m);
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (f->id > top)
			top = f->id;
	}
	json_t *src = json_array();
	for (size_t i = 0; i + 1 < json_array_size(want); i += 2) {
		int64_t id = json_integer_value(json_array_get(want, i));
		json_array_append_new(src, json_integer(id));
		json_array_append_new(src, json_integer(mirror_held(m, source, id)));
	}
	json_object_set_new(data, "max_fleet", json_integer(top));
	json_object_set_new(data, "source_before", src);
}

/* Has the source given up at least the deployed amounts since the intent?
 * Nothing else takes from it meanwhile: the intent lock keeps the other
 * effectively-once actions at the world off until this one is settled. */
static int source_fell(const struct mirror *m, int64_t source, const json_t *before,
		       const json_t *want)
{
	for (size_t i = 0; i + 1 < json_array_size(want); i += 2) {
		int64_t id = json_integer_value(json_array_get(want, i));
		int64_t q = json_integer_value(json_array_get(want, i + 1));
		int64_t was = -1;
		for (size_t j = 0; j + 1 < json_array_size(before); j += 2)
			if (json_integer_value(json_array_get(before, j)) == id)
				was = json_integer_value(json_array_get(before, j + 1));
		if (was < 0 || mirror_held(m, source, id) > was - q)
			return 0;
	}
	return 1;
}

int64_t intent_deployed_fleet(const struct mirror *m, const struct engine *e,
			      int64_t w, int64_t source, const json_t *data,
			      const json_t *want)
{
	const json_t *before = json_object_get(data, "before");
	const json_t *top = json_object_get(data, "max_fleet");
	if (!json_is_integer(top))
		return intent_new_fleet_at(m, e, w, before, want);
	if (!source_fell(m, source, json_object_get(data, "source_before"), want))
		return 0;
	size_t n = mirror_fleet_count(m);
	int64_t found = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (f->id <= json_integer_value(top) || !mine_at(m, f, w) ||
		    engine_fleet_holder(e, f->id) || !holds_exactly(f, want))
			continue;
		if (found == 0 || f->id < found)
			found = f->id;
	}
	return found;
}
