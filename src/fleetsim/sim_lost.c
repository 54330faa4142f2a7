/* sim_lost.c -- see sim_lost.h. */
#include "sim_lost.h"

#include <string.h>

const char *const sim_lost_actions[SIM_LOST_ACTIONS] = {
	"setDestination", "deployFleet", "transferFleet", "disbandFleet", "renameObject",
	"attack", "abortAttack", "sellFleet", "buyItem", "launchLAMs", "designateWorld",
	"buildImprovement", "destroyImprovement", "setIndustryAlloc", "setProductAlloc",
	"setTradeRoute", "stopTradeRoute"};

void sim_lost_init(struct sim_lost *l, double rate, uint64_t seed)
{
	memset(l, 0, sizeof *l);
	l->rate = rate;
	/* a constant of its own: the faults before the effect use another */
	rng_seed(&l->rng, seed ^ 0x10575A5Eull);
}

enum sim_lost_kind sim_lost_applied(struct sim_lost *l, const char *name)
{
	for (size_t i = 0; i < SIM_LOST_ACTIONS; i++)
		if (strcmp(sim_lost_actions[i], name) == 0)
			l->applied[i]++;
	if (l->rate <= 0 || rng_unit(&l->rng) >= l->rate)
		return SIM_LOST_NONE;
	l->lost++;
	return (enum sim_lost_kind)(rng_next(&l->rng) % SIM_LOST_KINDS);
}
