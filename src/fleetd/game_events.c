/* game_events.c -- see game_events.h.  Two id maps are the memory:
 * `ours` (each of the player's worlds -> whether a battle was on at it)
 * and `foreign` (each foreign fleet anchored at one of our worlds -> that
 * world).  Both hold small integers in the map's pointer slot (never
 * NULL: a tag bit is set), so a galaxy's worth of entries allocates
 * nothing beyond the maps' arrays.  After each merge only the changed
 * worlds and fleets are compared.
 *
 * The subscription, and what a failed commit means for this memory, are
 * mirror_events.c's. */
#include "game_events.h"

#include <stdint.h>
#include <stdio.h>

#include "eventlog.h"
#include "log.h"
#include "mirror.h"

/* An integer as a map value: never NULL. */
static void *tag(int64_t v)
{
	return (void *)(uintptr_t)(((uint64_t)v << 1) | 1);
}

static int64_t untag(const void *p)
{
	return (int64_t)((uint64_t)(uintptr_t)p >> 1);
}

static void remember(struct game_events *ge, struct idmap *map, int64_t key, int64_t v)
{
	if (idmap_put(map, key, tag(v)) < 0)
		log_warn("out of memory", "what=game_events");
}

static int is_ours(const struct game_events *ge, int64_t world)
{
	return idmap_get(&ge->ours, world) != NULL;
}

/* Only a world that changes hands or comes under attack writes an event;
 * the text is made then, not for every changed world of ours. */
static void world_changed(struct game_events *ge, const struct mirror_world *w,
			  int announce)
{
	char d[96];
	void *had = idmap_get(&ge->ours, w->id);
	int now = w->sovereign == mirror_player(ge->m) && w->sovereign;
	if (had && !now) {
		idmap_del(&ge->ours, w->id);
		if (!announce)
			return;
		if (w->sovereign)
			snprintf(d, sizeof d, "{\"world\":%lld,\"sovereign\":%lld}",
				 (long long)w->id, (long long)w->sovereign);
		else
			snprintf(d, sizeof d, "{\"world\":%lld,\"sovereign\":null}",
				 (long long)w->id);
		eventlog_note(ge->el, "world.lost", d);
		return;
	}
	if (!now)
		return;
	int battle_was = had && untag(had);
	if (!had || battle_was != (w->in_battle != 0))
		remember(ge, &ge->ours, w->id, w->in_battle != 0);
	if (!announce || (had && (!w->in_battle || battle_was)))
		return;
	snprintf(d, sizeof d, "{\"world\":%lld}", (long long)w->id);
	eventlog_note(ge->el, had ? "world.attacked" : "world.gained", d);
}

static void fleet_changed(struct game_events *ge, const struct mirror_fleet *f,
			  int announce)
{
	if (f->sovereign == mirror_player(ge->m))
		return;
	void *had = idmap_get(&ge->foreign, f->id);
	int64_t was = had ? untag(had) : 0;
	if (!f->anchor || !is_ours(ge, f->anchor)) {
		if (had)
			idmap_del(&ge->foreign, f->id);
		return;
	}
	if (was == f->anchor)
		return;
	remember(ge, &ge->foreign, f->id, f->anchor);
	if (!announce)
		return;
	char d[128];
	snprintf(d, sizeof d, "{\"world\":%lld,\"sovereign\":%lld,\"fleet\":%lld}",
		 (long long)f->anchor, (long long)f->sovereign, (long long)f->id);
	eventlog_note(ge->el, "fleet.sighted", d);
}

void game_events_prime(struct game_events *ge)
{
	size_t n = mirror_world_count(ge->m);
	for (size_t i = 0; i < n; i++)
		world_changed(ge, mirror_world_at(ge->m, i), 0);
	n = mirror_fleet_count(ge->m);
	for (size_t i = 0; i < n; i++)
		fleet_changed(ge, mirror_fleet_at(ge->m, i), 0);
}

static void object_removed(struct game_events *ge, int64_t id)
{
	idmap_del(&ge->foreign, id);
	if (!idmap_del(&ge->ours, id))
		return;
	char d[64];
	snprintf(d, sizeof d, "{\"world\":%lld,\"sovereign\":null}", (long long)id);
	eventlog_note(ge->el, "world.lost", d);
}

void game_events_apply(struct game_events *ge, const struct mirror_changes *ch)
{
	/* worlds first: a fleet sighted at a world gained in the same merge
	 * is at one of ours */
	for (size_t i = 0; i < ch->nworlds; i++) {
		const struct mirror_world *w = mirror_world(ge->m, ch->worlds[i]);
		if (w)
			world_changed(ge, w, 1);
	}
	for (size_t i = 0; i < ch->nfleets; i++) {
		const struct mirror_fleet *f = mirror_fleet(ge->m, ch->fleets[i]);
		if (f)
			fleet_changed(ge, f, 1);
	}
	for (size_t i = 0; i < ch->nremoved; i++)
		object_removed(ge, ch->removed[i]);
}

void game_events_init(struct game_events *ge, struct mirror *m, struct eventlog *el)
{
	*ge = (struct game_events){.m = m, .el = el};
	idmap_init(&ge->ours);
	idmap_init(&ge->foreign);
}

void game_events_clear(struct game_events *ge)
{
	idmap_free(&ge->ours);
	idmap_free(&ge->foreign);
}
