/* sim_api.h -- fleetsim's HTTP face: the game API under /api/ (login,
 * getGameInfo, getObjects, the actions, getTactical), the test hooks
 * GET /sim/stats and POST /sim/tick, the watch timer, fault injection
 * (before the effect here, after it in sim_lost.h) and added latency.  Owns the tokens, the counters and the delayed answers;
 * the galaxy is the caller's. */
#ifndef FLEETD_SIM_API_H
#define FLEETD_SIM_API_H

#include <stdint.h>

struct loop;
struct http_server;
struct sim_galaxy;
struct sim_api;

struct sim_api_config {
	const char *username, *password; /* the one account */
	const char *game;                 /* the game id */
	int64_t watch_ms;
	double fault_rate;                /* 0..1 */
	uint64_t fault_seed;
	int64_t latency_ms;
	int64_t fault_delay_ms;           /* the "answer too late" fault */
	double lost_answer_rate;          /* 0..1: acted, then answer lost */
};

struct sim_api *sim_api_new(struct loop *loop, struct http_server *http,
			    struct sim_galaxy *g, const struct sim_api_config *cfg);
/* Answer every delayed request now (for shutdown). */
void sim_api_flush(struct sim_api *api);
void sim_api_free(struct sim_api *api);

#endif
