/* sim_time.h -- what happens when a watch ends: moving fleets advance at
 * their FTL speed and arrive on their eta watch; battles lose forces and
 * end after a few watches.  Knows the galaxy and the rules' strength
 * helpers; knows nothing of timers or HTTP (the caller decides when a
 * watch ends). */
#ifndef FLEETD_SIM_TIME_H
#define FLEETD_SIM_TIME_H

#include "sim_galaxy.h"

/* End the current watch: the watch number goes up by one and the galaxy
 * moves on. */
void sim_time_end_watch(struct sim_galaxy *g);

#endif
