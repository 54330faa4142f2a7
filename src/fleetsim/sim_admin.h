/* sim_admin.h -- fleetsim's test routes that act for other empires and the
 * game (POST /sim/move, /sim/battle, /sim/owner, /sim/stock), beside
 * /sim/tick and /sim/stats.  Never faulted nor delayed.  Owns only the
 * HTTP face: what each change does is sim_rules_admin(). */
#ifndef FLEETD_SIM_ADMIN_H
#define FLEETD_SIM_ADMIN_H

#include "http.h"
#include "sim_galaxy.h"

/* Register the routes on http; they change g.  0 or -1. */
int sim_admin_routes(struct http_server *http, struct sim_galaxy *g);

#endif
