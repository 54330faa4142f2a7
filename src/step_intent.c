/* step_intent.c -- see step_intent.h. */
#include "step_intent.h"

#include "mirror.h"

static int64_t held(const struct mirror *m, int64_t obj, int64_t res)
{
	const struct mirror_fleet *f = mirror_fleet(m, obj);
	if (f)
		return mirror_qty(f->res, f->nres, res);
	const struct mirror_world *w = mirror_world(m, obj);
	return w ? mirror_qty(w->res, w->nres, res) : 0;
}

json_t *intent_snapshot(const struct mirror *m, int64_t obj, const json_t *ids)
{
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(ids); i++) {
		int64_t id = json_integer_value(json_array_get(ids, i));
		json_array_append_new(out, json_integer(id));
		json_array_append_new(out, json_integer(held(m, obj, id)));
	}
	return out;
}

int intent_changed(const struct mirror *m, int64_t obj, const json_t *snap)
{
	for (size_t i = 0; i + 1 < json_array_size(snap); i += 2) {
		int64_t id = json_integer_value(json_array_get(snap, i));
		int64_t q = json_integer_value(json_array_get(snap, i + 1));
		if (held(m, obj, id) != q)
			return 1;
	}
	return 0;
}

static int mine_at(const struct mirror *m, const struct mirror_fleet *f, int64_t w)
{
	return f->anchor == w && f->dest_id == 0 && f->sovereign == mirror_player(m);
}

int64_t intent_total_at(const struct mirror *m, int64_t w, int64_t res)
{
	int64_t total = 0;
	size_t n = mirror_fleet_count(m);
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (mine_at(m, f, w))
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

int64_t intent_new_fleet_at(const struct mirror *m, int64_t w, const json_t *before)
{
	size_t n = mirror_fleet_count(m);
	int64_t found = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet_at(m, i);
		if (!mine_at(m, f, w))
			continue;
		int old = 0;
		for (size_t j = 0; j < json_array_size(before); j++)
			old |= json_integer_value(json_array_get(before, j)) == f->id;
		if (!old && f->id > found)
			found = f->id; /* ids grow: the newest one */
	}
	return found;
}
