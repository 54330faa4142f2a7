/* ops_collect.h -- the metrics collector reading the job engine, the
 * upstream client and the session at scrape time (arg: struct app *). */
#ifndef FLEETD_OPS_COLLECT_H
#define FLEETD_OPS_COLLECT_H

struct metrics_w;

void ops_collect_parts(void *arg, struct metrics_w *w);

#endif
