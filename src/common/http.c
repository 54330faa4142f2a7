/* http.c -- libmicrohttpd driven from the loop (see http.h).
 *
 * Life of a request: MHD calls on_request() first with no upload, once the
 * headers are in.  We allocate the http_req and run every check that needs
 * no body (framing, path, sizes, capacity, then the caller's filter): a
 * request refused there is answered at once and its body is never read.
 * Then come body pieces (accumulated up to the cap), then one call with
 * nothing left: we route it.  The handler either answers, which stores a
 * response in req->resp, or suspends.  A response stored for a suspended
 * request resumes the connection; MHD then calls on_request() again and we
 * queue the response.  on_completed() frees the request.
 *
 * Connections are tracked from accept to close (struct http_conn, MHD's
 * socket context): whether they came beyond the soft cap, the request URI
 * as sent (before MHD decodes it), and, while a request is being read,
 * since when: the ones waiting for a request sit in a list oldest first,
 * and a connection whose request has not arrived in full within the
 * timeout is shut down.  Nothing here blocks. */
#include "http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "clock.h"
#include "http_check.h"
#include "jsonx.h"
#include "loop.h"
#include "opts.h"
#include "textbuf.h"

#define MAX_SEGS 8
#define MAX_PARAMS 4
#define MAX_EXTRA_HEADERS 16
/* Longest error message (bytes, cut at a UTF-8 boundary). */
#define MAX_MESSAGE 512
/* MHD's own buffer for the request line and headers is this many times
 * ours: requests over our limits still reach us, to be answered 414/431
 * in JSON, unless they are far over (then MHD answers them itself).  Not
 * more: libmicrohttpd 0.9.75 zeroes a connection's whole pool before each
 * request and half of it again as it reads one, which at 4 times (64 KiB)
 * was the largest single cost of a POST /v1/jobs (~7% of its CPU). */
#define MHD_POOL_FACTOR 2

struct route {
	char *method;
	char *pattern;
	char *segs[MAX_SEGS];
	int nsegs;
	http_handler_fn fn;
	void *arg;
};

/* One client connection, from accept to close. */
struct http_conn {
	struct MHD_Connection *conn;
	TAILQ_ENTRY(http_conn) link; /* in waiting while reading a request */
	int waiting;
	int64_t ready_ns;  /* since when it has been reading its request */
	int over_cap;      /* accepted beyond the soft cap */
	char *raw_uri;     /* the current request's URI as sent */
};

TAILQ_HEAD(conn_list, http_conn);

struct http_server {
	struct loop *loop;
	struct MHD_Daemon *mhd;
	struct http_config cfg;
	int port;
	struct route *routes;
	size_t nroutes;
	http_filter_fn filter;
	void *filter_arg;
	http_observer_fn observer;
	void *observer_arg;
	unsigned inflight;
	unsigned connections;
	struct conn_list waiting; /* oldest ready_ns first */
	int resumed; /* a connection was resumed: do not sleep in select() */
	int quiesced;
};

enum req_state { REQ_READING, REQ_HANDLING, REQ_SUSPENDED, REQ_ANSWERED, REQ_QUEUED };

/* The stream outlives neither side: MHD may free the request (on_completed)
 * before or after it destroys the response, so each side clears the
 * other's pointer when it goes, and done() runs at the first of the two. */
struct stream {
	http_stream_fn read;
	void (*done)(void *arg);
	void *arg;
	struct http_req *req; /* NULL once the request is freed */
};

struct http_req {
	struct http_server *srv;
	struct MHD_Connection *conn;
	struct http_conn *hc; /* NULL if it could not be tracked */
	enum req_state state;
	int mhd_suspended;
	char *method, *path;
	const char *pattern;
	char *body;
	size_t body_len;
	int too_large;
	int64_t ids[MAX_PARAMS];
	char *params[MAX_PARAMS];
	int nparams;
	char *hdr_name[MAX_EXTRA_HEADERS], *hdr_value[MAX_EXTRA_HEADERS];
	int nhdr;
	struct MHD_Response *resp;
	unsigned status;
	int64_t t0;
	void *userdata;
	struct stream *stream;
	int stream_parked;
	int has_body; /* the headers announce a body */
};

/* ---------------------------------------------------------------- router */

static int split_path(char *path, char **segs, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *s = strtok_r(path, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == max)
			return -1;
		segs[n++] = s;
	}
	return n;
}

static void route_clear(struct route *r)
{
	free(r->method);
	free(r->pattern);
	for (int i = 0; i < r->nsegs; i++)
		free(r->segs[i]);
	memset(r, 0, sizeof *r);
}

/* Fill r from the pattern; -1 (r left empty) if it has too many segments
 * or memory runs out. */
static int route_init(struct route *r, const char *method, const char *pattern)
{
	memset(r, 0, sizeof *r);
	char *copy = strdup(pattern);
	char *segs[MAX_SEGS];
	int n = copy ? split_path(copy, segs, MAX_SEGS) : -1;
	r->method = strdup(method);
	r->pattern = strdup(pattern);
	int ok = n >= 0 && r->method && r->pattern;
	for (int i = 0; ok && i < n; i++) {
		if (!(r->segs[i] = strdup(segs[i])))
			ok = 0;
		r->nsegs = i + 1;
	}
	free(copy);
	if (!ok) {
		route_clear(r);
		return -1;
	}
	return 0;
}

int http_route(struct http_server *srv, const char *method, const char *pattern,
	       http_handler_fn fn, void *arg)
{
	struct route *r = realloc(srv->routes, (srv->nroutes + 1) * sizeof *r);
	if (!r)
		return -1;
	srv->routes = r;
	r = &srv->routes[srv->nroutes];
	if (route_init(r, method, pattern) < 0)
		return -1;
	r->fn = fn;
	r->arg = arg;
	srv->nroutes++;
	return 0;
}

int http_parse_id(const char *s, int64_t *out)
{
	if (!s || !*s || strlen(s) > 18)
		return -1;
	int64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

static int route_match(const struct route *r, char **segs, int n,
		       struct http_req *req)
{
	if (n != r->nsegs)
		return 0;
	int np = 0;
	for (int i = 0; i < n; i++) {
		const char *p = r->segs[i];
		if (strcmp(p, "{id}") == 0) {
			if (np == MAX_PARAMS || http_parse_id(segs[i], &req->ids[np]) < 0)
				return 0;
			req->params[np++] = segs[i];
		} else if (strcmp(p, "{}") == 0) {
			if (np == MAX_PARAMS)
				return 0;
			req->ids[np] = -1;
			req->params[np++] = segs[i];
		} else if (strcmp(p, segs[i]) != 0)
			return 0;
	}
	req->nparams = np;
	return 1;
}

static void dispatch(struct http_req *req)
{
	struct http_server *srv = req->srv;
	char *copy = strdup(req->path);
	char *segs[MAX_SEGS];
	int n = copy ? split_path(copy, segs, MAX_SEGS) : -1;
	const struct route *path_hit = NULL;
	for (size_t i = 0; n >= 0 && i < srv->nroutes; i++) {
		const struct route *r = &srv->routes[i];
		if (!route_match(r, segs, n, req))
			continue;
		path_hit = r;
		if (strcmp(r->method, req->method) != 0)
			continue;
		/* params point into copy: keep copies owned by the request */
		int k = 0;
		for (; k < req->nparams; k++)
			if (!(req->params[k] = strdup(req->params[k])))
				break;
		free(copy);
		if (k < req->nparams) {
			req->nparams = k;
			http_reply_error(req, 503, "overloaded", "out of memory");
			return;
		}
		req->pattern = r->pattern;
		r->fn(req, r->arg);
		return;
	}
	req->nparams = 0;
	free(copy);
	if (!copy)
		http_reply_error(req, 503, "overloaded", "out of memory");
	else if (path_hit)
		http_reply_error(req, 405, "method_not_allowed",
				 "%s is not allowed on %s", req->method, req->path);
	else
		http_reply_error(req, 404, "not_found", "no route for %s %s",
				 req->method, req->path);
}

/* ---------------------------------------------------------------- answers */

static void attach_headers(struct http_req *req, struct MHD_Response *resp,
			   const char *content_type)
{
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (int i = 0; i < req->nhdr; i++)
		MHD_add_response_header(resp, req->hdr_name[i], req->hdr_value[i]);
}

/* Store the response; resume the connection if it was parked. */
static void set_response(struct http_req *req, unsigned status,
			 struct MHD_Response *resp)
{
	if (req->resp || req->state >= REQ_ANSWERED) {
		if (resp)
			MHD_destroy_response(resp);
		return; /* answered twice: keep the first */
	}
	req->resp = resp;
	req->status = resp ? status : 500;
	req->state = REQ_ANSWERED;
	if (req->mhd_suspended) {
		req->mhd_suspended = 0;
		MHD_resume_connection(req->conn);
		req->srv->resumed = 1;
		loop_wake(req->srv->loop);
	}
}

int http_add_header(struct http_req *req, const char *name, const char *value)
{
	if (req->nhdr == MAX_EXTRA_HEADERS)
		return -1;
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return -1;
	}
	req->hdr_name[req->nhdr] = n;
	req->hdr_value[req->nhdr] = v;
	req->nhdr++;
	return 0;
}

void http_reply(struct http_req *req, unsigned status, const char *content_type,
		const void *body, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp)
		attach_headers(req, resp, content_type);
	set_response(req, status, resp);
}

void http_reply_json(struct http_req *req, unsigned status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	json_decref(body);
	if (!text) {
		static const char oom[] =
			"{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
		http_reply(req, 500, "application/json; charset=utf-8", oom,
			   sizeof oom - 1);
		return;
	}
	size_t len = strlen(text);
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (resp)
		attach_headers(req, resp, "application/json; charset=utf-8");
	else
		free(text);
	set_response(req, status, resp);
}

/* The message is cut at MAX_MESSAGE bytes on a UTF-8 boundary, and bytes
 * that are not UTF-8 (a path or field name as a client sent it) become
 * '?': jansson refuses such strings, and bad input must never turn into
 * a 500. */
void http_reply_error(struct http_req *req, unsigned status, const char *code,
		      const char *fmt, ...)
{
	char msg[MAX_MESSAGE + 1];
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *full = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (full)
		vsnprintf(full, (size_t)n + 1, fmt, again);
	va_end(again);
	size_t len = 0;
	if (full) {
		len = utf8_cut(full, (size_t)n, MAX_MESSAGE);
		memcpy(msg, full, len);
		free(full);
	}
	msg[len] = 0;
	utf8_scrub(msg, len);
	http_reply_json(req, status, jsonx_error(code, msg));
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *st = cls;
	struct http_req *req = st->req;
	if (!req)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	long n = st->read(st->arg, buf, max);
	if (n == HTTP_STREAM_ABORT)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n < 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n == 0 && !req->mhd_suspended) {
		/* nothing to send: park the connection until http_stream_wake() */
		req->stream_parked = 1;
		req->mhd_suspended = 1;
		MHD_suspend_connection(req->conn);
	}
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	if (st->req)
		st->req->stream = NULL;
	if (st->done)
		st->done(st->arg);
	free(st);
}

static void reply_callback(struct http_req *req, unsigned status,
			   const char *content_type, uint64_t size,
			   http_stream_fn read, void (*done)(void *arg), void *arg)
{
	struct stream *st = calloc(1, sizeof *st);
	if (!st) {
		if (done)
			done(arg);
		set_response(req, 500, NULL);
		return;
	}
	st->read = read;
	st->done = done;
	st->arg = arg;
	st->req = req;
	req->stream = st;
	struct MHD_Response *resp = MHD_create_response_from_callback(
		size, 16384, stream_reader, st, stream_free);
	if (resp) {
		attach_headers(req, resp, content_type);
		if (size == MHD_SIZE_UNKNOWN)
			MHD_add_response_header(resp, "Cache-Control", "no-cache");
	} else {
		req->stream = NULL;
		free(st);
		if (done)
			done(arg);
	}
	set_response(req, status, resp);
}

void http_reply_stream(struct http_req *req, unsigned status,
		       const char *content_type, http_stream_fn read,
		       void (*done)(void *arg), void *arg)
{
	reply_callback(req, status, content_type, MHD_SIZE_UNKNOWN, read, done, arg);
}

void http_reply_sized(struct http_req *req, unsigned status,
		      const char *content_type, uint64_t size,
		      http_stream_fn read, void (*done)(void *arg), void *arg)
{
	reply_callback(req, status, content_type, size, read, done, arg);
}

long http_stream_copy(char *buf, size_t max, const char *src, size_t end,
		      size_t *off)
{
	size_t n = end > *off ? end - *off : 0;
	if (n > max)
		n = max;
	if (n == 0)
		return 0;
	memcpy(buf, src + *off, n);
	*off += n;
	return (long)n;
}

void http_stream_wake(struct http_req *req)
{
	if (req && req->stream_parked && req->mhd_suspended) {
		req->stream_parked = 0;
		req->mhd_suspended = 0;
		MHD_resume_connection(req->conn);
		req->srv->resumed = 1;
		loop_wake(req->srv->loop);
	}
}

void http_suspend(struct http_req *req)
{
	if (req->state == REQ_HANDLING)
		req->state = REQ_SUSPENDED;
}

int http_replied(const struct http_req *req)
{
	return req->state >= REQ_ANSWERED;
}

/* --------------------------------------------------------------- accessors */

const char *http_method(const struct http_req *req) { return req->method; }
const char *http_path(const struct http_req *req) { return req->path; }
const char *http_route_pattern(const struct http_req *req) { return req->pattern; }
void http_set_userdata(struct http_req *req, void *d) { req->userdata = d; }
void *http_userdata(const struct http_req *req) { return req->userdata; }

const char *http_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_body(const struct http_req *req, size_t *len)
{
	if (len)
		*len = req->body_len;
	return req->body ? req->body : "";
}

json_t *http_body_json(const struct http_req *req, char *err, size_t errlen)
{
	return jsonx_parse(req->body ? req->body : "", req->body_len, JSONX_MAX_DEPTH, err,
			   errlen);
}

int64_t http_param_id(const struct http_req *req, int i)
{
	return i < req->nparams ? req->ids[i] : -1;
}

const char *http_param(const struct http_req *req, int i)
{
	return i < req->nparams ? req->params[i] : NULL;
}

/* ------------------------------------------------------------ connections */

/* The connection starts (again) to wait for a request: it goes to the
 * tail of the waiting list, which therefore stays oldest first. */
static void conn_wait(struct http_server *srv, struct http_conn *c)
{
	if (c->waiting)
		TAILQ_REMOVE(&srv->waiting, c, link);
	c->ready_ns = clock_mono_ns();
	c->waiting = 1;
	TAILQ_INSERT_TAIL(&srv->waiting, c, link);
}

static void conn_unwait(struct http_server *srv, struct http_conn *c)
{
	if (!c || !c->waiting)
		return;
	TAILQ_REMOVE(&srv->waiting, c, link);
	c->waiting = 0;
}

static int64_t request_deadline_ns(const struct http_server *srv)
{
	return (int64_t)srv->cfg.conn_timeout_s * 1000000000;
}

/* Shut down every connection whose request has not arrived in full in
 * time.  MHD's own timeout only counts idle time, so a client sending a
 * byte a second would hold its connection for ever.  The socket is shut
 * down rather than closed: MHD owns it, reads its end and cleans up. */
static void expire_slow(struct http_server *srv)
{
	if (!srv->cfg.conn_timeout_s)
		return;
	int64_t now = clock_mono_ns();
	struct http_conn *c;
	while ((c = TAILQ_FIRST(&srv->waiting)) &&
	       now - c->ready_ns >= request_deadline_ns(srv)) {
		conn_unwait(srv, c);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci)
			shutdown(ci->connect_fd, SHUT_RDWR);
	}
}

static struct http_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* The request line is in: keep the URI as sent, before MHD decodes it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	struct http_conn *c = conn_of(conn);
	if (c) {
		free(c->raw_uri);
		c->raw_uri = strdup(uri);
	}
	return NULL;
}

/* A request MHD answered by itself (headers beyond its buffer, or
 * malformed) never reached on_request(), but MHD tells us it is over: it
 * is counted all the same, with the status MHD gave it.  (A request line
 * beyond MHD's buffer is answered 414 before even that, unseen.) */
static void observe_refused(struct http_server *srv, struct MHD_Connection *conn,
			    const struct http_conn *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
	if (!srv->observer || !ci || ci->http_status < 400)
		return;
	char dash[] = "-";
	struct http_req fake = {.srv = srv, .conn = conn, .method = dash,
				.path = dash, .state = REQ_QUEUED,
				.status = ci->http_status};
	int64_t t0 = c ? c->ready_ns : clock_mono_ns();
	srv->observer(srv->observer_arg, &fake, ci->http_status,
		      clock_mono_ns() - t0);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_ctx, enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *srv = cls;
	struct http_conn *c = *socket_ctx;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		srv->connections++;
		c = calloc(1, sizeof *c);
		if (c) {
			c->conn = conn;
			c->over_cap = srv->cfg.conn_limit &&
				      srv->connections > srv->cfg.conn_limit;
			conn_wait(srv, c);
		}
		*socket_ctx = c;
		return;
	}
	if (srv->connections)
		srv->connections--;
	if (c) {
		conn_unwait(srv, c);
		free(c->raw_uri);
		free(c);
		*socket_ctx = NULL;
	}
}

/* ------------------------------------------------- checks on the headers */

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
				  const char *key, size_t key_len,
				  const char *value, size_t value_len)
{
	(void)kind;
	http_framing_add(cls, key, key_len, value, value_len);
	return MHD_YES;
}

/* A framing that two parsers could read two ways is refused, and the
 * connection closed: what follows it cannot be trusted to be a request. */
static int refuse_framing(struct http_req *req, struct http_framing *f)
{
	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, add_header, f);
	req->has_body = http_framing_has_body(f);
	const char *why = http_framing_verdict(f);
	if (!why)
		return 0;
	http_add_header(req, "Connection", "close");
	http_reply_error(req, 400, "bad_request", "%s", why);
	return 1;
}

static int refuse_uri(struct http_req *req)
{
	struct http_conn *c = req->hc;
	if (!c || !c->raw_uri) {
		http_reply_error(req, 503, "overloaded", "out of memory");
		return 1;
	}
	const char *why = http_check_uri(c->raw_uri);
	if (why) {
		http_reply_error(req, 400, "bad_path", "%s", why);
		return 1;
	}
	return 0;
}

/* Answered as MHD would its own (connection closed), but in JSON. */
static int refuse_size(struct http_req *req, const struct http_framing *f)
{
	size_t limit = req->srv->cfg.conn_memory_limit;
	size_t uri_len = req->hc && req->hc->raw_uri ? strlen(req->hc->raw_uri) : 0;
	if (uri_len > limit || f->header_bytes > limit)
		http_add_header(req, "Connection", "close");
	if (uri_len > limit) {
		http_reply_error(req, 414, "uri_too_long",
				 "the request URI exceeds %zu bytes", limit);
		return 1;
	}
	if (f->header_bytes > limit) {
		http_reply_error(req, 431, "headers_too_large",
				 "the request headers exceed %zu bytes in all", limit);
		return 1;
	}
	return 0;
}

static int is_reserved(const struct http_req *req)
{
	const char *r = req->srv->cfg.reserved_path;
	if (!r)
		return 0;
	size_t n = strlen(r);
	return strncmp(req->path, r, n) == 0 &&
	       (req->path[n] == 0 || strcmp(req->path + n, "/") == 0);
}

/* The soft connection cap: MHD's own limit sits HTTP_CONN_RESERVE above
 * it, so connections beyond the cap are still accepted and told 503 with
 * Retry-After instead of being reset unanswered -- but for the reserved
 * path, so a health probe is answered at the cap.  Connections opened
 * within the cap are served whatever came after them. */
static int over_capacity(struct http_req *req)
{
	if (req->hc && !req->hc->over_cap)
		return 0;
	http_add_header(req, "Connection", "close"); /* free the slot soon */
	if (is_reserved(req))
		return 0;
	http_add_header(req, "Retry-After", "1");
	http_reply_error(req, 503, "overloaded",
			 "too many open connections (limit %u)",
			 req->srv->cfg.conn_limit);
	return 1;
}

static int refuse_body_size(struct http_req *req, const struct http_framing *f)
{
	if (!f->cl_valid || f->content_length <= req->srv->cfg.body_limit)
		return 0;
	http_reply_error(req, 413, "body_too_large", "request body exceeds %zu bytes",
			 req->srv->cfg.body_limit);
	return 1;
}

/* Everything that can be decided from the headers, decided before a byte
 * of the body is read.  A request answered here that announced a body is
 * answered with Connection: close (its body is never read). */
static void headers_in(struct http_req *req)
{
	struct http_server *srv = req->srv;
	struct http_framing f = {0};
	if (refuse_framing(req, &f))
		return;
	if (!refuse_uri(req) && !refuse_size(req, &f) && !over_capacity(req) &&
	    !(srv->filter && srv->filter(req, srv->filter_arg)))
		refuse_body_size(req, &f);
	if (req->state >= REQ_ANSWERED && req->has_body)
		http_add_header(req, "Connection", "close");
}

/* --------------------------------------------------------- MHD callbacks */

static struct http_req *req_new(struct http_server *srv,
				struct MHD_Connection *conn, const char *url,
				const char *method)
{
	struct http_req *req = calloc(1, sizeof *req);
	if (!req)
		return NULL;
	req->srv = srv;
	req->conn = conn;
	req->hc = conn_of(conn);
	req->method = strdup(method);
	req->path = strdup(url);
	req->t0 = clock_mono_ns();
	if (!req->method || !req->path) {
		free(req->method);
		free(req->path);
		free(req);
		return NULL;
	}
	srv->inflight++;
	return req;
}

static void req_free(struct http_req *req)
{
	/* the stream's owner hears now, while it can still forget the
	 * request; MHD may free the response (stream_free) only later */
	if (req->stream) {
		struct stream *st = req->stream;
		st->req = NULL;
		if (st->done)
			st->done(st->arg);
		st->done = NULL;
		req->stream = NULL;
	}
	free(req->method);
	free(req->path);
	free(req->body);
	for (int i = 0; i < req->nparams; i++)
		free(req->params[i]);
	for (int i = 0; i < req->nhdr; i++) {
		free(req->hdr_name[i]);
		free(req->hdr_value[i]);
	}
	if (req->resp)
		MHD_destroy_response(req->resp);
	free(req);
}

static int append_body(struct http_req *req, const char *data, size_t len)
{
	if (req->too_large || req->body_len + len > req->srv->cfg.body_limit) {
		req->too_large = 1;
		return 0;
	}
	char *b = realloc(req->body, req->body_len + len + 1);
	if (!b)
		return -1;
	memcpy(b + req->body_len, data, len);
	req->body = b;
	req->body_len += len;
	req->body[req->body_len] = 0;
	return 0;
}

/* The whole request is in: route it (it no longer races the deadline). */
static void request_in(struct http_req *req)
{
	struct http_server *srv = req->srv;
	req->state = REQ_HANDLING;
	conn_unwait(srv, req->hc);
	if (req->too_large)
		http_reply_error(req, 413, "body_too_large",
				 "request body exceeds %zu bytes", srv->cfg.body_limit);
	else
		dispatch(req);
	if (req->state == REQ_HANDLING)
		http_reply_error(req, 500, "internal", "handler gave no answer");
}

/* Park a suspended request, or hand MHD the answer stored for it. */
static enum MHD_Result pass_on(struct http_req *req)
{
	if (req->state == REQ_SUSPENDED) {
		if (!req->mhd_suspended) {
			req->mhd_suspended = 1;
			MHD_suspend_connection(req->conn);
		}
		return MHD_YES;
	}
	if (req->state == REQ_ANSWERED) {
		req->state = REQ_QUEUED;
		conn_unwait(req->srv, req->hc);
		if (!req->resp)
			return MHD_NO;
		enum MHD_Result r = MHD_queue_response(req->conn, req->status, req->resp);
		MHD_destroy_response(req->resp);
		req->resp = NULL;
		return r;
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	if (!req) {
		req = req_new(srv, conn, url, method);
		if (!req)
			return MHD_NO;
		*con_cls = req;
		headers_in(req);
		return pass_on(req);
	}
	if (*upload_size) {
		/* a body after an early answer is not kept */
		if (req->state == REQ_READING &&
		    append_body(req, upload, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->state == REQ_READING)
		request_in(req);
	return pass_on(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	struct http_conn *c = conn_of(conn);
	if (c && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		conn_wait(srv, c); /* kept alive: the next request's clock */
	if (!req) {
		observe_refused(srv, conn, c);
		return;
	}
	*con_cls = NULL;
	srv->inflight--;
	if (srv->observer)
		srv->observer(srv->observer_arg, req,
			      req->state >= REQ_ANSWERED ? req->status : 0,
			      clock_mono_ns() - req->t0);
	req_free(req);
}

/* ------------------------------------------------------------ loop source */

static void http_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	struct http_server *srv = arg;
	MHD_socket max = -1;
	if (MHD_get_fdset2(srv->mhd, &fds->rd, &fds->wr, &fds->ex, &max,
			   FD_SETSIZE) == MHD_YES &&
	    max > fds->maxfd)
		fds->maxfd = max;
	MHD_UNSIGNED_LONG_LONG t;
	if (MHD_get_timeout(srv->mhd, &t) == MHD_YES &&
	    (*timeout_ms < 0 || (int64_t)t < *timeout_ms))
		*timeout_ms = (int64_t)t;
	struct http_conn *oldest = TAILQ_FIRST(&srv->waiting);
	if (oldest && srv->cfg.conn_timeout_s) {
		int64_t left = oldest->ready_ns + request_deadline_ns(srv) - clock_mono_ns();
		int64_t ms = left > 0 ? left / 1000000 + 1 : 0;
		if (*timeout_ms < 0 || ms < *timeout_ms)
			*timeout_ms = ms;
	}
	if (srv->resumed)
		*timeout_ms = 0;
}

static void http_dispatch(void *arg, const struct loop_fds *fds)
{
	struct http_server *srv = arg;
	struct loop_fds copy = *fds;
	srv->resumed = 0;
	MHD_run_from_select(srv->mhd, &copy.rd, &copy.wr, &copy.ex);
	expire_slow(srv);
}

static int resolve(const char *listen, struct sockaddr_storage *ss,
		   char *err, size_t errlen)
{
	char host[256];
	int port;
	if (opts_split_hostport(listen, host, sizeof host, &port) < 0) {
		snprintf(err, errlen, "invalid listen address '%s' (want host:port)", listen);
		return -1;
	}
	struct addrinfo hints = {0}, *ai = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int rc = getaddrinfo(host, NULL, &hints, &ai);
	if (rc != 0 || !ai) {
		snprintf(err, errlen, "cannot resolve listen host '%s': %s", host,
			 gai_strerror(rc));
		return -1;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	return 0;
}

struct http_server *http_server_new(struct loop *loop,
				    const struct http_config *cfg, char *err,
				    size_t errlen)
{
	struct sockaddr_storage ss;
	if (resolve(cfg->listen, &ss, err, errlen) < 0)
		return NULL;
	struct http_server *srv = calloc(1, sizeof *srv);
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->loop = loop;
	srv->cfg = *cfg;
	if (!srv->cfg.conn_memory_limit)
		srv->cfg.conn_memory_limit = 16384;
	TAILQ_INIT(&srv->waiting);
	/* hard limit: the soft cap plus room to answer 503, below FD_SETSIZE
	 * (select() cannot watch descriptors beyond it) */
	unsigned limit = cfg->conn_limit + HTTP_CONN_RESERVE;
	if (cfg->conn_limit == 0 || limit > FD_SETSIZE - 64)
		limit = FD_SETSIZE - 64;
	unsigned flags = MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, limit,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout_s,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		srv->cfg.conn_memory_limit * MHD_POOL_FACTOR,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_END);
	if (!srv->mhd) {
		snprintf(err, errlen, "cannot listen on %s (address in use or not permitted)",
			 cfg->listen);
		free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	struct loop_source src = {"http", http_prepare, http_dispatch, srv};
	if (loop_add_source(loop, &src) < 0) {
		snprintf(err, errlen, "out of memory");
		MHD_stop_daemon(srv->mhd);
		free(srv);
		return NULL;
	}
	return srv;
}

int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void http_server_quiesce(struct http_server *srv)
{
	if (srv->quiesced)
		return;
	srv->quiesced = 1;
	MHD_socket s = MHD_quiesce_daemon(srv->mhd);
	if (s != MHD_INVALID_SOCKET)
		close(s);
}

unsigned http_server_inflight(const struct http_server *srv)
{
	return srv->inflight;
}

unsigned http_server_connections(const struct http_server *srv)
{
	return srv->connections;
}

void http_set_filter(struct http_server *srv, http_filter_fn fn, void *arg)
{
	srv->filter = fn;
	srv->filter_arg = arg;
}

void http_set_observer(struct http_server *srv, http_observer_fn fn, void *arg)
{
	srv->observer = fn;
	srv->observer_arg = arg;
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	loop_remove_source(srv->loop, srv);
	MHD_stop_daemon(srv->mhd);
	for (size_t i = 0; i < srv->nroutes; i++)
		route_clear(&srv->routes[i]);
	free(srv->routes);
	free(srv);
}
