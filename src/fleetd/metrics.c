/* metrics.c -- see metrics.h.  The text is built in one growing buffer per
 * scrape; a failed allocation marks the writer broken and the scrape
 * answers 500 instead of a truncated exposition. */
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

const double metrics_hist_bounds[METRICS_HIST_BUCKETS] = {
	0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 1, 5,
};

struct http_count {
	char *method, *route;
	unsigned status;
	uint64_t n;
};

struct http_route_hist {
	char *method, *route;
	struct metrics_hist h;
};

struct collector {
	metrics_collect_fn fn;
	void *arg;
};

struct metrics {
	struct http_count *counts;
	size_t ncounts;
	struct http_route_hist *hists;
	size_t nhists;
	struct metrics_hist turn, commit;
	struct collector *coll;
	size_t ncoll;
	uint64_t scrapes;
};

struct metrics_w {
	char *buf;
	size_t len, cap;
	int broken;
	char family[128];
};

/* ------------------------------------------------------------ histograms */

void metrics_hist_observe(struct metrics_hist *h, int64_t ns)
{
	double s = (double)ns / 1e9;
	h->sum += s;
	for (size_t i = 0; i < METRICS_HIST_BUCKETS; i++)
		if (s <= metrics_hist_bounds[i]) {
			h->counts[i]++;
			return;
		}
	h->overflow++;
}

/* ---------------------------------------------------------------- writer */

static void w_printf(struct metrics_w *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void w_printf(struct metrics_w *w, const char *fmt, ...)
{
	if (w->broken)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			w->broken = 1;
			return;
		}
		if ((size_t)n < w->cap - w->len) {
			w->len += (size_t)n;
			return;
		}
		size_t cap = (w->cap + (size_t)n + 1) * 2;
		char *b = realloc(w->buf, cap);
		if (!b) {
			w->broken = 1;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
}

/* Label values: backslash, double quote and newline are escaped. */
static void w_label_value(struct metrics_w *w, const char *v)
{
	char tmp[512];
	size_t o = 0;
	for (; v && *v && o + 3 < sizeof tmp; v++) {
		if (*v == '\\' || *v == '"') {
			tmp[o++] = '\\';
			tmp[o++] = *v;
		} else if (*v == '\n') {
			tmp[o++] = '\\';
			tmp[o++] = 'n';
		} else {
			tmp[o++] = *v;
		}
	}
	tmp[o] = 0;
	w_printf(w, "\"%s\"", tmp);
}

static void w_labels(struct metrics_w *w, const char *const *labels,
		     const char *extra_name, const char *extra_value)
{
	int any = 0;
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		w_printf(w, "%s%s=", any ? "," : "{", labels[i]);
		w_label_value(w, labels[i + 1]);
		any = 1;
	}
	if (extra_name) {
		w_printf(w, "%s%s=", any ? "," : "{", extra_name);
		w_label_value(w, extra_value);
		any = 1;
	}
	if (any)
		w_printf(w, "}");
}

void metrics_w_family(struct metrics_w *w, const char *name, const char *type,
		      const char *help)
{
	snprintf(w->family, sizeof w->family, "%s", name);
	w_printf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void w_value(struct metrics_w *w, double v)
{
	if (v == (double)(int64_t)v && v < 9e15 && v > -9e15)
		w_printf(w, " %lld\n", (long long)v);
	else
		w_printf(w, " %.9g\n", v);
}

void metrics_w_sample(struct metrics_w *w, const char *suffix, double value,
		      const char *const *labels)
{
	w_printf(w, "%s%s", w->family, suffix ? suffix : "");
	w_labels(w, labels, NULL, NULL);
	w_value(w, value);
}

void metrics_w_scalars(struct metrics_w *w, const struct metrics_scalar *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		metrics_w_family(w, v[i].name, v[i].type, v[i].help);
		metrics_w_sample(w, NULL, v[i].value, NULL);
	}
}

void metrics_w_histogram(struct metrics_w *w, const char *const *labels,
			 const double *bounds, const uint64_t *counts,
			 size_t n, uint64_t overflow, double sum)
{
	uint64_t cum = 0;
	char le[32];
	for (size_t i = 0; i < n; i++) {
		cum += counts[i];
		snprintf(le, sizeof le, "%g", bounds[i]);
		w_printf(w, "%s_bucket", w->family);
		w_labels(w, labels, "le", le);
		w_value(w, (double)cum);
	}
	cum += overflow;
	w_printf(w, "%s_bucket", w->family);
	w_labels(w, labels, "le", "+Inf");
	w_value(w, (double)cum);
	metrics_w_sample(w, "_sum", sum, labels);
	metrics_w_sample(w, "_count", (double)cum, labels);
}

void metrics_w_hist(struct metrics_w *w, const char *const *labels,
		    const struct metrics_hist *h)
{
	metrics_w_histogram(w, labels, metrics_hist_bounds, h->counts,
			    METRICS_HIST_BUCKETS, h->overflow, h->sum);
}

/* ------------------------------------------------------------- counting */

struct metrics *metrics_new(void)
{
	return calloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ncounts; i++) {
		free(m->counts[i].method);
		free(m->counts[i].route);
	}
	for (size_t i = 0; i < m->nhists; i++) {
		free(m->hists[i].method);
		free(m->hists[i].route);
	}
	free(m->counts);
	free(m->hists);
	free(m->coll);
	free(m);
}

/* Only the methods the API knows become label values; anything else is
 * "other", so a client cannot grow the table with invented methods. */
static const char *method_label(const char *m)
{
	static const char *const known[] = {"GET", "HEAD", "POST", "PUT",
					    "DELETE", "PATCH", "OPTIONS"};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (m && strcmp(m, known[i]) == 0)
			return known[i];
	return "other";
}

static struct http_count *find_count(struct metrics *m, const char *method,
				     const char *route, unsigned status)
{
	for (size_t i = 0; i < m->ncounts; i++) {
		struct http_count *c = &m->counts[i];
		if (c->status == status && strcmp(c->method, method) == 0 &&
		    strcmp(c->route, route) == 0)
			return c;
	}
	struct http_count *a = realloc(m->counts, (m->ncounts + 1) * sizeof *a);
	if (!a)
		return NULL;
	m->counts = a;
	struct http_count *c = &a[m->ncounts];
	c->method = strdup(method);
	c->route = strdup(route);
	c->status = status;
	c->n = 0;
	if (!c->method || !c->route) {
		free(c->method);
		free(c->route);
		return NULL;
	}
	m->ncounts++;
	return c;
}

static struct metrics_hist *find_hist(struct metrics *m, const char *method,
				      const char *route)
{
	for (size_t i = 0; i < m->nhists; i++)
		if (strcmp(m->hists[i].method, method) == 0 &&
		    strcmp(m->hists[i].route, route) == 0)
			return &m->hists[i].h;
	struct http_route_hist *a = realloc(m->hists, (m->nhists + 1) * sizeof *a);
	if (!a)
		return NULL;
	m->hists = a;
	struct http_route_hist *r = &a[m->nhists];
	memset(r, 0, sizeof *r);
	r->method = strdup(method);
	r->route = strdup(route);
	if (!r->method || !r->route) {
		free(r->method);
		free(r->route);
		return NULL;
	}
	m->nhists++;
	return &r->h;
}

void metrics_observe_http(struct metrics *m, const char *method,
			  const char *route, unsigned status,
			  int64_t duration_ns)
{
	const char *ml = method_label(method);
	const char *rl = route ? route : "unmatched";
	struct http_count *c = find_count(m, ml, rl, status);
	if (c)
		c->n++;
	struct metrics_hist *h = find_hist(m, ml, rl);
	if (h)
		metrics_hist_observe(h, duration_ns);
}

void metrics_observe_turn(struct metrics *m, int64_t ns)
{
	metrics_hist_observe(&m->turn, ns);
}

void metrics_observe_commit(struct metrics *m, int64_t ns)
{
	metrics_hist_observe(&m->commit, ns);
}

int metrics_add_collector(struct metrics *m, metrics_collect_fn fn, void *arg)
{
	struct collector *c = realloc(m->coll, (m->ncoll + 1) * sizeof *c);
	if (!c)
		return -1;
	m->coll = c;
	c[m->ncoll].fn = fn;
	c[m->ncoll].arg = arg;
	m->ncoll++;
	return 0;
}

/* ------------------------------------------------------------ rendering */

static void write_own(struct metrics *m, struct metrics_w *w)
{
	metrics_w_family(w, "fleetd_http_requests_total", "counter",
			 "HTTP requests answered, by method, route pattern and status.");
	for (size_t i = 0; i < m->ncounts; i++) {
		char st[16];
		snprintf(st, sizeof st, "%u", m->counts[i].status);
		const char *l[] = {"method", m->counts[i].method, "route",
				   m->counts[i].route, "status", st, NULL};
		metrics_w_sample(w, NULL, (double)m->counts[i].n, l);
	}
	metrics_w_family(w, "fleetd_http_request_duration_seconds", "histogram",
			 "Time from the first byte of a request to its completion.");
	for (size_t i = 0; i < m->nhists; i++) {
		const char *l[] = {"method", m->hists[i].method, "route",
				   m->hists[i].route, NULL};
		metrics_w_hist(w, l, &m->hists[i].h);
	}
	metrics_w_family(w, "fleetd_loop_turn_duration_seconds", "histogram",
			 "Work time of one loop turn (select() excluded).");
	metrics_w_hist(w, NULL, &m->turn);
	metrics_w_family(w, "fleetd_store_commit_duration_seconds", "histogram",
			 "Latency of one group commit to SQLite.");
	metrics_w_hist(w, NULL, &m->commit);
	metrics_w_family(w, "fleetd_metrics_scrapes_total", "counter",
			 "Scrapes of /metrics, this one included.");
	metrics_w_sample(w, NULL, (double)m->scrapes, NULL);
}

char *metrics_render(struct metrics *m, size_t *len)
{
	struct metrics_w w;
	memset(&w, 0, sizeof w);
	m->scrapes++;
	write_own(m, &w);
	for (size_t i = 0; i < m->ncoll; i++)
		m->coll[i].fn(m->coll[i].arg, &w);
	if (w.broken || !w.buf) {
		free(w.buf);
		return NULL;
	}
	*len = w.len;
	return w.buf;
}

static void on_metrics(struct http_req *req, void *arg)
{
	size_t len = 0;
	char *text = metrics_render(arg, &len);
	if (!text) {
		http_reply_error(req, 500, "internal", "out of memory");
		return;
	}
	http_reply(req, 200, METRICS_CONTENT_TYPE, text, len);
	free(text);
}

int metrics_register(struct metrics *m, struct http_server *srv)
{
	return http_route(srv, "GET", "/metrics", on_metrics, m);
}
