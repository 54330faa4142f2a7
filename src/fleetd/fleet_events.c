/* fleet_events.c -- see fleet_events.h.  Keeps, for each of the player's
 * fleets, the world it was last seen anchored at (a sorted array: a player
 * has hundreds of fleets, not millions), compares it with the mirror after
 * each merge and appends what changed to the event log.  Reads the mirror;
 * writes nothing but events; knows nothing of jobs or HTTP; the
 * subscription is mirror_events.c's. */
#include "fleet_events.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "ev_text.h"
#include "eventlog.h"
#include "log.h"
#include "mirror.h"

struct fleet_seen {
	int64_t fleet;
	int64_t anchor; /* 0 while under way */
};

/* Index of fleet in seen, or of where it would go (with *found = 0). */
static size_t seen_find(const struct fleet_events *fe, int64_t fleet, int *found)
{
	size_t lo = 0, hi = fe->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fe->seen[mid].fleet < fleet)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < fe->n && fe->seen[lo].fleet == fleet;
	return lo;
}

static int seen_insert(struct fleet_events *fe, size_t at, int64_t fleet,
		       int64_t anchor)
{
	struct fleet_seen *v = array_grow(fe->seen, &fe->cap, fe->n, sizeof *v, 64);
	if (!v)
		return -1;
	fe->seen = v;
	memmove(&fe->seen[at + 1], &fe->seen[at], (fe->n - at) * sizeof *fe->seen);
	fe->seen[at].fleet = fleet;
	fe->seen[at].anchor = anchor;
	fe->n++;
	return 0;
}

static void seen_remove(struct fleet_events *fe, size_t at)
{
	memmove(&fe->seen[at], &fe->seen[at + 1], (fe->n - at - 1) * sizeof *fe->seen);
	fe->n--;
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static void fleet_changed(struct fleet_events *fe, int64_t id, int announce)
{
	const struct mirror_fleet *f = mirror_fleet(fe->m, id);
	if (!f || f->sovereign != mirror_player(fe->m))
		return;
	int found;
	size_t at = seen_find(fe, id, &found);
	if (!found) {
		if (seen_insert(fe, at, id, f->anchor) < 0) {
			log_warn("out of memory", "what=fleet_events");
			return;
		}
		if (announce)
			eventlog_note_json(fe->el, "fleet.new",
					   json_pack("{s:I,s:o}", "fleet", (json_int_t)id,
						     "world", id_or_null(f->anchor)));
		return;
	}
	int64_t was = fe->seen[at].anchor;
	if (was == f->anchor)
		return;
	fe->seen[at].anchor = f->anchor;
	/* the per-fleet events are many in a busy watch: written as text */
	struct ev_text t = {.n = 0};
	EV_LIT(&t, "{\"fleet\":");
	ev_int(&t, id);
	if (f->anchor) {
		EV_LIT(&t, ",\"world\":");
		ev_int(&t, f->anchor);
		EV_LIT(&t, "}");
		eventlog_note(fe->el, "fleet.arrived", t.b);
	} else {
		EV_LIT(&t, ",\"from\":");
		ev_id(&t, was);
		EV_LIT(&t, ",\"to\":");
		ev_id(&t, f->dest_id);
		EV_LIT(&t, "}");
		eventlog_note(fe->el, "fleet.departed", t.b);
	}
}

void fleet_events_prime(struct fleet_events *fe)
{
	size_t n = mirror_fleet_count(fe->m);
	for (size_t i = 0; i < n; i++)
		fleet_changed(fe, mirror_fleet_at(fe->m, i)->id, 0);
	fe->watch = mirror_watch(fe->m);
}

void fleet_events_apply(struct fleet_events *fe, const struct mirror_changes *ch)
{
	if (ch->watch_changed && ch->watch != fe->watch) {
		fe->watch = ch->watch;
		eventlog_note_json(fe->el, "watch", json_pack("{s:f}", "watch", ch->watch));
	}
	for (size_t i = 0; i < ch->nfleets; i++)
		fleet_changed(fe, ch->fleets[i], 1);
	for (size_t i = 0; i < ch->nremoved; i++) {
		int found;
		size_t at = seen_find(fe, ch->removed[i], &found);
		if (!found)
			continue;
		seen_remove(fe, at);
		eventlog_note_json(fe->el, "fleet.gone",
				   json_pack("{s:I}", "fleet", (json_int_t)ch->removed[i]));
	}
}

void fleet_events_init(struct fleet_events *fe, struct mirror *m, struct eventlog *el)
{
	*fe = (struct fleet_events){.m = m, .el = el};
}

void fleet_events_clear(struct fleet_events *fe)
{
	free(fe->seen);
	*fe = (struct fleet_events){0};
}
