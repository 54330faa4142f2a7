/* sim_lost.h -- fleetsim's faults *after* the effect (--lost-answer-rate):
 * the game applies an action, then its answer is lost, so a client cannot
 * tell from the transport whether the call acted.  Two kinds, drawn evenly:
 * the connection is cut mid-answer at once (not held by --latency-ms, so
 * the loss may reach the client before the answers of calls the game
 * served earlier, as on a live connection), or the answer is held for
 * --latency-ms plus --fault-delay-ms (past the client's timeout) and then
 * cut as well, so a client that waited longer still gets no usable answer.
 *
 * The die is a stream of its own, seeded from --seed like the faults
 * before the effect, so that turning one kind on does not shift the draws
 * of the other, and the same seed with the same order of actions loses the
 * same answers.  Owns the die and the counters of applied actions and lost
 * answers; knows nothing of HTTP. */
#ifndef FLEETD_SIM_LOST_H
#define FLEETD_SIM_LOST_H

#include <stdint.h>

#include "rng.h"

enum sim_lost_kind {
	SIM_LOST_NONE = -1,
	SIM_LOST_CUT,  /* half the answer, then the connection closed */
	SIM_LOST_HELD, /* held for the fault delay, then cut */
	SIM_LOST_KINDS
};

/* The endpoints that change the galaxy (fleet actions, then world
 * actions), in the order /sim/stats lists them under "applied". */
#define SIM_LOST_ACTIONS 17
extern const char *const sim_lost_actions[SIM_LOST_ACTIONS];

struct sim_lost {
	struct rng rng;
	double rate;                        /* 0..1 */
	uint64_t lost;                      /* answers lost so far */
	uint64_t applied[SIM_LOST_ACTIONS]; /* actions the game carried out */
};

void sim_lost_init(struct sim_lost *l, double rate, uint64_t seed);
/* Endpoint `name` has just acted: count it, and draw whether its answer is
 * lost (counted too when it is). */
enum sim_lost_kind sim_lost_applied(struct sim_lost *l, const char *name);

#endif
