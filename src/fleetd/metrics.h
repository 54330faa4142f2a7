/* metrics.h -- GET /metrics in the Prometheus text exposition format
 * (version 0.0.4).
 *
 * Two kinds of numbers: those counted here as they happen (HTTP requests
 * by route and status, request durations, loop turn and commit latency
 * histograms), and those read at scrape time from their owners through
 * collectors (jobs by state, upstream calls, connections, ...).  A
 * collector writes families through the metrics_w_* calls; this module
 * does the text format, escaping and ordering.  Owns its counters and the
 * list of collectors, never the collectors' data. */
#ifndef FLEETD_METRICS_H
#define FLEETD_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct metrics;
struct metrics_w;
struct http_server;

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* Count one finished HTTP request.  route is the matched pattern, or NULL
 * (counted as "unmatched", so stray paths cannot grow the table). */
void metrics_observe_http(struct metrics *m, const char *method,
			  const char *route, unsigned status,
			  int64_t duration_ns);
/* Durations in ns for the built-in histograms. */
void metrics_observe_turn(struct metrics *m, int64_t ns);
void metrics_observe_commit(struct metrics *m, int64_t ns);

typedef void (*metrics_collect_fn)(void *arg, struct metrics_w *w);
int metrics_add_collector(struct metrics *m, metrics_collect_fn fn, void *arg);

/* Serve GET /metrics on srv. */
int metrics_register(struct metrics *m, struct http_server *srv);
/* The whole exposition as a new string (*len set); NULL on ENOMEM. */
char *metrics_render(struct metrics *m, size_t *len);

/* --- for collectors ------------------------------------------------------ */
/* Start a family: type is "counter", "gauge" or "histogram". */
void metrics_w_family(struct metrics_w *w, const char *name, const char *type,
		      const char *help);
/* One sample of the current family.  labels is NULL or pairs of
 * name, value strings ending with NULL; values are escaped here. */
void metrics_w_sample(struct metrics_w *w, const char *suffix, double value,
		      const char *const *labels);
/* A family of one sample without labels, the most common kind: a
 * collector lists them in a table and writes them in its order. */
struct metrics_scalar {
	const char *name, *type, *help;
	double value;
};
void metrics_w_scalars(struct metrics_w *w, const struct metrics_scalar *v, size_t n);
/* A whole histogram sample set: bounds[n] upper bounds in seconds,
 * counts[n] per-bucket (not cumulative) counts, plus the overflow
 * count, the sum in seconds and the total. */
void metrics_w_histogram(struct metrics_w *w, const char *const *labels,
			 const double *bounds, const uint64_t *counts,
			 size_t n, uint64_t overflow, double sum);

/* A fixed-bucket histogram any module may keep and hand to the writer. */
#define METRICS_HIST_BUCKETS 12
struct metrics_hist {
	uint64_t counts[METRICS_HIST_BUCKETS];
	uint64_t overflow;
	double sum; /* seconds */
};
extern const double metrics_hist_bounds[METRICS_HIST_BUCKETS];
void metrics_hist_observe(struct metrics_hist *h, int64_t ns);
void metrics_w_hist(struct metrics_w *w, const char *const *labels,
		    const struct metrics_hist *h);

#endif
