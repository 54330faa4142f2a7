/* mirror_events.c -- see mirror_events.h.  Owns the subscription and the
 * priming; the memory of each kind of news and what is news are
 * fleet_events.c's and game_events.c's.  Writes nothing but events (they
 * do); knows nothing of jobs or HTTP. */
#include "mirror_events.h"

#include <stdlib.h>

#include "fleet_events.h"
#include "game_events.h"
#include "mirror.h"

struct mirror_events {
	int primed;
	struct fleet_events fleets;
	struct game_events game;
};

static void on_changes(void *arg, const struct mirror_changes *ch)
{
	struct mirror_events *me = arg;
	if (!me->primed) {
		fleet_events_prime(&me->fleets);
		game_events_prime(&me->game);
		me->primed = 1;
		return;
	}
	fleet_events_apply(&me->fleets, ch);
	game_events_apply(&me->game, ch);
}

void mirror_events_free(struct mirror_events *me)
{
	if (!me)
		return;
	fleet_events_clear(&me->fleets);
	game_events_clear(&me->game);
	free(me);
}

struct mirror_events *mirror_events_new(struct mirror *m, struct eventlog *el)
{
	struct mirror_events *me = calloc(1, sizeof *me);
	if (!me)
		return NULL;
	fleet_events_init(&me->fleets, m, el);
	game_events_init(&me->game, m, el);
	if (mirror_subscribe(m, on_changes, me) < 0) {
		mirror_events_free(me);
		return NULL;
	}
	return me;
}
