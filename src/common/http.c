/* http.c -- libmicrohttpd driven from the loop (see http.h).
 *
 * Life of a request: MHD calls on_request() first with no upload (we
 * allocate the http_req), then with body pieces (accumulated up to the cap),
 * then once more with nothing left: we route it.  The handler either
 * answers, which stores a response in req->resp, or suspends.  A response
 * stored for a suspended request resumes the connection; MHD then calls
 * on_request() again and we queue the response.  on_completed() frees the
 * request.  Nothing here blocks. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "clock.h"
#include "jsonx.h"
#include "loop.h"
#include "opts.h"

#define MAX_SEGS 8
#define MAX_PARAMS 4
#define MAX_EXTRA_HEADERS 16
/* Connections accepted beyond the soft cap, to be answered 503. */
#define HTTP_OVERFLOW_CONNS 16

struct route {
	char *method;
	char *pattern;
	char *segs[MAX_SEGS];
	int nsegs;
	http_handler_fn fn;
	void *arg;
};

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
	size_t cut_sent;
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

int http_route(struct http_server *srv, const char *method, const char *pattern,
	       http_handler_fn fn, void *arg)
{
	struct route *r = realloc(srv->routes, (srv->nroutes + 1) * sizeof *r);
	if (!r)
		return -1;
	srv->routes = r;
	r = &srv->routes[srv->nroutes];
	memset(r, 0, sizeof *r);
	r->method = strdup(method);
	r->pattern = strdup(pattern);
	char *copy = strdup(pattern);
	if (!r->method || !r->pattern || !copy) {
		free(r->method);
		free(r->pattern);
		free(copy);
		return -1;
	}
	char *segs[MAX_SEGS];
	r->nsegs = split_path(copy, segs, MAX_SEGS);
	for (int i = 0; i < r->nsegs; i++)
		r->segs[i] = strdup(segs[i]);
	free(copy);
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

/* The soft connection cap: MHD's own limit sits a little above it (see
 * http_server_new), so connections beyond the cap are still accepted and
 * told 503 with Retry-After instead of being reset unanswered. */
static int over_capacity(struct http_req *req)
{
	struct http_server *srv = req->srv;
	if (!srv->cfg.conn_limit || srv->connections <= srv->cfg.conn_limit)
		return 0;
	http_add_header(req, "Retry-After", "1");
	http_add_header(req, "Connection", "close");
	http_reply_error(req, 503, "overloaded",
			 "too many open connections (limit %u)", srv->cfg.conn_limit);
	return 1;
}

static void dispatch(struct http_req *req)
{
	struct http_server *srv = req->srv;
	if (over_capacity(req))
		return;
	if (srv->filter && srv->filter(req, srv->filter_arg))
		return;
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
		for (int k = 0; k < req->nparams; k++)
			req->params[k] = strdup(req->params[k]);
		req->pattern = r->pattern;
		free(copy);
		r->fn(req, r->arg);
		return;
	}
	req->nparams = 0;
	free(copy);
	if (path_hit)
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
	req->hdr_name[req->nhdr] = strdup(name);
	req->hdr_value[req->nhdr] = strdup(value);
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

void http_reply_error(struct http_req *req, unsigned status, const char *code,
		      const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	http_reply_json(req, status, jsonx_error(code, msg));
}

struct cut_body {
	char *data;
	size_t cut;
};

static ssize_t cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut_body *cb = cls;
	if (pos >= cb->cut)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = cb->cut - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, cb->data + pos, n);
	return (ssize_t)n;
}

static void cut_free(void *cls)
{
	struct cut_body *cb = cls;
	free(cb->data);
	free(cb);
}

void http_reply_truncated(struct http_req *req, unsigned status,
			  const char *content_type, const void *body, size_t len,
			  size_t cut)
{
	struct cut_body *cb = calloc(1, sizeof *cb);
	if (cb && (cb->data = malloc(len ? len : 1)))
		memcpy(cb->data, body, len);
	if (!cb || !cb->data) {
		free(cb);
		set_response(req, 500, NULL);
		return;
	}
	cb->cut = cut < len ? cut : len;
	struct MHD_Response *resp =
		MHD_create_response_from_callback(len, 4096, cut_reader, cb, cut_free);
	if (resp)
		attach_headers(req, resp, content_type);
	else
		cut_free(cb);
	set_response(req, status, resp);
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

void http_reply_stream(struct http_req *req, unsigned status,
		       const char *content_type, http_stream_fn read,
		       void (*done)(void *arg), void *arg)
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
		MHD_SIZE_UNKNOWN, 16384, stream_reader, st, stream_free);
	if (resp) {
		attach_headers(req, resp, content_type);
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
	} else {
		req->stream = NULL;
		free(st);
		if (done)
			done(arg);
	}
	set_response(req, status, resp);
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

int64_t http_param_id(const struct http_req *req, int i)
{
	return i < req->nparams ? req->ids[i] : -1;
}

const char *http_param(const struct http_req *req, int i)
{
	return i < req->nparams ? req->params[i] : NULL;
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
		return MHD_YES;
	}
	if (*upload_size) {
		if (append_body(req, upload, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->state == REQ_READING) {
		req->state = REQ_HANDLING;
		if (req->too_large)
			http_reply_error(req, 413, "body_too_large",
					 "request body exceeds %zu bytes",
					 srv->cfg.body_limit);
		else
			dispatch(req);
		if (req->state == REQ_HANDLING)
			http_reply_error(req, 500, "internal", "handler gave no answer");
	}
	if (req->state == REQ_SUSPENDED) {
		if (!req->mhd_suspended) {
			req->mhd_suspended = 1;
			MHD_suspend_connection(conn);
		}
		return MHD_YES;
	}
	if (req->state == REQ_ANSWERED) {
		req->state = REQ_QUEUED;
		if (!req->resp)
			return MHD_NO;
		enum MHD_Result r = MHD_queue_response(conn, req->status, req->resp);
		MHD_destroy_response(req->resp);
		req->resp = NULL;
		return r;
	}
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	if (!req)
		return;
	*con_cls = NULL;
	srv->inflight--;
	if (srv->observer)
		srv->observer(srv->observer_arg, req,
			      req->state >= REQ_ANSWERED ? req->status : 0,
			      clock_mono_ns() - req->t0);
	req_free(req);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_ctx, enum MHD_ConnectionNotificationCode toe)
{
	(void)conn;
	(void)socket_ctx;
	struct http_server *srv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		srv->connections++;
	else if (srv->connections)
		srv->connections--;
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
	if (MHD_get_timeout(srv->mhd, &t) == MHD_YES)
		*timeout_ms = (int64_t)t;
	if (srv->resumed)
		*timeout_ms = 0;
}

static void http_dispatch(void *arg, const struct loop_fds *fds)
{
	struct http_server *srv = arg;
	struct loop_fds copy = *fds;
	srv->resumed = 0;
	MHD_run_from_select(srv->mhd, &copy.rd, &copy.wr, &copy.ex);
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
	/* hard limit: the soft cap plus room to answer 503, below FD_SETSIZE
	 * (select() cannot watch descriptors beyond it) */
	unsigned limit = cfg->conn_limit + HTTP_OVERFLOW_CONNS;
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
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		cfg->conn_memory_limit ? cfg->conn_memory_limit : (size_t)32768,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
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
	loop_add_source(loop, &src);
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
	MHD_stop_daemon(srv->mhd);
	for (size_t i = 0; i < srv->nroutes; i++) {
		free(srv->routes[i].method);
		free(srv->routes[i].pattern);
		for (int k = 0; k < srv->routes[i].nsegs; k++)
			free(srv->routes[i].segs[k]);
	}
	free(srv->routes);
	free(srv);
}
