/* http.h -- HTTP serving on the loop: libmicrohttpd in external-select mode,
 * a small router, bodies with a hard cap, JSON answers, suspended requests.
 *
 * Every request gets exactly one answer through an http_reply*() call.  A
 * handler answers at once, or calls http_suspend() and answers later from
 * any loop callback (the connection is parked meanwhile).  A suspended
 * request stays valid until it is answered.  Shared by fleetd and fleetsim;
 * knows nothing of jobs, the game or SQLite.
 *
 * Refused here once the headers are in, before a byte of the body is read
 * (JSON error bodies; a refused request that announced a body gets
 * Connection: close): framing two parsers could read two ways (400), a
 * URI with %00 anywhere or %2F in a path segment (400), a request line or
 * headers over conn_memory_limit (414, 431), a request on a connection
 * opened beyond the cap (503); then the filter; then a Content-Length
 * over body_limit (413).  Error messages are valid UTF-8 whatever the
 * client sent. */
#ifndef FLEETD_HTTP_H
#define FLEETD_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct http_server;
struct http_req;

struct http_config {
	const char *listen;        /* "host:port"; port 0 picks a free one */
	unsigned conn_limit;       /* soft cap: requests on connections opened
				    * beyond it get 503 (but reserved_path);
				    * MHD's hard cap is HTTP_CONN_RESERVE
				    * higher and kept below FD_SETSIZE */
	unsigned per_ip_limit;     /* connections from one address; more are
				    * closed at accept (0: no limit) */
	size_t body_limit;         /* bytes; larger bodies get 413 */
	unsigned conn_timeout_s;   /* idle connections are closed after this,
				    * and a request must have arrived in full
				    * this long after its connection was ready
				    * for it (accepted, or the last answer
				    * sent) */
	size_t conn_memory_limit;  /* request line, and all headers: beyond
				    * it 414 or 431 */
	const char *reserved_path; /* served even on connections beyond the
				    * soft cap (a health probe); may be NULL */
};

/* Connections accepted beyond the soft cap, to answer 503 (or the
 * reserved path) rather than reset. */
#define HTTP_CONN_RESERVE 16

typedef void (*http_handler_fn)(struct http_req *req, void *arg);
/* Runs before routing; answers (and returns 1) to stop the request there. */
typedef int (*http_filter_fn)(struct http_req *req, void *arg);
/* Told about every finished request (for logs and metrics). */
typedef void (*http_observer_fn)(void *arg, const struct http_req *req,
				  unsigned status, int64_t duration_ns);

struct http_server *http_server_new(struct loop *loop,
				    const struct http_config *cfg, char *err,
				    size_t errlen);
void http_server_free(struct http_server *srv);
int http_server_port(const struct http_server *srv);
/* Stop accepting new connections (graceful shutdown). */
void http_server_quiesce(struct http_server *srv);
/* Requests received and not yet completed (suspended ones included). */
unsigned http_server_inflight(const struct http_server *srv);
unsigned http_server_connections(const struct http_server *srv);

/* Route a method + pattern.  Pattern segments are literals, "{id}" (a
 * decimal integer >= 0, read with http_param_id) or "{}" (any segment, read
 * with http_param).  One trailing slash on the request path is ignored.
 * -1 (nothing registered) when out of memory or the pattern has more
 * segments than a route may. */
int http_route(struct http_server *srv, const char *method,
	       const char *pattern, http_handler_fn fn, void *arg);
/* The filter runs once the request's headers are in, before any byte of
 * its body is read: a request it answers never has its body buffered. */
void http_set_filter(struct http_server *srv, http_filter_fn fn, void *arg);
void http_set_observer(struct http_server *srv, http_observer_fn fn, void *arg);

/* --- the request -------------------------------------------------------- */
const char *http_method(const struct http_req *req);
const char *http_path(const struct http_req *req);
/* The matched route pattern ("/v1/jobs/{id}") or NULL if none matched. */
const char *http_route_pattern(const struct http_req *req);
const char *http_header(const struct http_req *req, const char *name);
const char *http_query(const struct http_req *req, const char *name);
const char *http_body(const struct http_req *req, size_t *len);
/* The body parsed as strict JSON (jsonx_parse: no duplicate keys, depth
 * JSONX_MAX_DEPTH); NULL with the reason in err. */
json_t *http_body_json(const struct http_req *req, char *err, size_t errlen);
int64_t http_param_id(const struct http_req *req, int index);
const char *http_param(const struct http_req *req, int index);
/* A decimal id of 1 to 18 digits (no sign): 0, or -1 for NULL or
 * anything else.  The {id} route segments are read with it. */
int http_parse_id(const char *s, int64_t *out);
/* Opaque per-request slot for the handler's own use. */
void http_set_userdata(struct http_req *req, void *data);
void *http_userdata(const struct http_req *req);

/* --- the answer --------------------------------------------------------- */
/* Extra header for the answer to come (copied). */
int http_add_header(struct http_req *req, const char *name, const char *value);
void http_suspend(struct http_req *req);
void http_reply(struct http_req *req, unsigned status, const char *content_type,
		const void *body, size_t len);
/* Serialises and releases body (the reference is stolen). */
void http_reply_json(struct http_req *req, unsigned status, json_t *body);
/* {"error": {"code": code, "message": <printf>}} */
void http_reply_error(struct http_req *req, unsigned status, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Stream an answer: read() is called whenever the connection can take
 * more; it returns bytes written into buf, 0 for "nothing now" (the
 * connection is then parked until http_stream_wake), -1 to end the answer
 * cleanly, or HTTP_STREAM_ABORT to close the connection at once.  done()
 * is called exactly once, when the stream is over (also if it could not
 * be set up); the request must not be used after it. */
#define HTTP_STREAM_ABORT (-2)
typedef long (*http_stream_fn)(void *arg, char *buf, size_t max);
void http_reply_stream(struct http_req *req, unsigned status,
		       const char *content_type, http_stream_fn read,
		       void (*done)(void *arg), void *arg);
/* The same with a Content-Length of size bytes announced (read must
 * supply them; HTTP_STREAM_ABORT drops the connection short of them). */
void http_reply_sized(struct http_req *req, unsigned status,
		      const char *content_type, uint64_t size,
		      http_stream_fn read, void (*done)(void *arg), void *arg);
/* For a read(): copies the next bytes of the window src[*off, end) that
 * fit in buf (max of them), moves *off past them and returns how many --
 * 0 when the window is empty. */
long http_stream_copy(char *buf, size_t max, const char *src, size_t end,
		      size_t *off);
/* New data is ready for a parked stream. */
void http_stream_wake(struct http_req *req);
int http_replied(const struct http_req *req);

#endif
