/* test_metrics.c -- the Prometheus text the metrics module writes:
 * HELP/TYPE lines before samples, counters keyed by method/route/status,
 * unmatched routes folded into one label, cumulative histogram buckets
 * ending in +Inf with _sum and _count, escaped label values, and
 * collectors called at scrape time. */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "tap.h"

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

static int calls;

static void collect(void *arg, struct metrics_w *w)
{
	calls++;
	metrics_w_family(w, "test_things", "gauge", "Things.");
	const char *l[] = {"kind", "a\"b\\c\nd", NULL};
	metrics_w_sample(w, NULL, 2.5, l);
}

/* metrics_w_scalars: each row its own family, in the table's order */
static void collect_scalars(void *arg, struct metrics_w *w)
{
	(void)arg;
	const struct metrics_scalar v[] = {
		{"test_first_total", "counter", "First.", 7},
		{"test_second", "gauge", "Second.", 0.25},
	};
	metrics_w_scalars(w, v, 2);
}

int main(void)
{
	struct metrics *m = metrics_new();
	metrics_observe_http(m, "GET", "/v1/jobs/{id}", 200, 2000000);   /* 2 ms */
	metrics_observe_http(m, "GET", "/v1/jobs/{id}", 200, 30000000);  /* 30 ms */
	metrics_observe_http(m, "GET", "/v1/jobs/{id}", 404, 1000);
	metrics_observe_http(m, "GET", NULL, 404, 1000);
	metrics_observe_http(m, "BREW", NULL, 404, 1000);
	metrics_observe_http(m, "GET", "/slow", 200, 9000000000LL);      /* 9 s */
	CHECK_EQ_INT(metrics_add_collector(m, collect, NULL), 0);
	CHECK_EQ_INT(metrics_add_collector(m, collect_scalars, NULL), 0);
	size_t len = 0;
	char *t = metrics_render(m, &len);
	CHECK(t != NULL);
	if (!t)
		return tap_done();
	CHECK_EQ_INT(strlen(t), len);
	CHECK_EQ_INT(calls, 1);
	CHECK(has_line(t, "# TYPE fleetd_http_requests_total counter"));
	CHECK(has_line(t, "fleetd_http_requests_total{method=\"GET\",route=\"/v1/jobs/{id}\",status=\"200\"} 2"));
	CHECK(has_line(t, "fleetd_http_requests_total{method=\"GET\",route=\"/v1/jobs/{id}\",status=\"404\"} 1"));
	CHECK(has_line(t, "fleetd_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"));
	CHECK(has_line(t, "fleetd_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 1"));
	CHECK(strstr(t, "BREW") == NULL);
	/* 2 ms lands in le=0.0025, 30 ms in le=0.05; buckets are cumulative */
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"0.001\"} 1"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"0.0025\"} 2"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"0.025\"} 2"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"0.05\"} 3"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/jobs/{id}\",le=\"+Inf\"} 3"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/jobs/{id}\"} 3"));
	/* beyond the last bound: only +Inf counts it */
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/slow\",le=\"5\"} 0"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/slow\",le=\"+Inf\"} 1"));
	CHECK(has_line(t, "fleetd_http_request_duration_seconds_sum{method=\"GET\",route=\"/slow\"} 9"));
	CHECK(has_line(t, "# TYPE test_things gauge"));
	CHECK(has_line(t, "test_things{kind=\"a\\\"b\\\\c\\nd\"} 2.5"));
	CHECK(has_line(t, "# HELP test_first_total First."));
	CHECK(has_line(t, "# TYPE test_first_total counter"));
	CHECK(has_line(t, "test_first_total 7"));
	CHECK(has_line(t, "# TYPE test_second gauge"));
	CHECK(has_line(t, "test_second 0.25"));
	CHECK(strstr(t, "test_first_total 7") < strstr(t, "# HELP test_second"));
	/* every sample follows its family's TYPE line */
	CHECK(strstr(t, "# TYPE test_things") < strstr(t, "test_things{"));
	free(t);
	metrics_observe_turn(m, 1000);
	metrics_observe_commit(m, 3000000);
	t = metrics_render(m, &len);
	CHECK(has_line(t, "fleetd_loop_turn_duration_seconds_count 1"));
	CHECK(has_line(t, "fleetd_store_commit_duration_seconds_bucket{le=\"0.005\"} 1"));
	CHECK(has_line(t, "fleetd_metrics_scrapes_total 2"));
	CHECK_EQ_INT(calls, 2);
	free(t);
	metrics_free(m);
	return tap_done();
}
