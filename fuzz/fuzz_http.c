/* fuzz_http.c -- the HTTP layer's path and header handling
 * (src/common/http.c), with the header checks fleetd puts in front of its
 * routes (CORS, the bearer token), as a client meets them: each input is
 * sent as raw bytes on a fresh loopback connection to an http_server run
 * on its own loop, in this process, with routes shaped like fleetd's.
 *
 * Checked: the answer, if any, starts with a status line, and the
 * connection ends within FUZZ_HANG_MS (no hang); a route is chosen only for a path with the
 * same segments (literal ones equal, "{id}" ones decimal ids of at most 18
 * digits, "{}" ones non-empty and without '/'), each compared with a
 * split written here; http_parse_id() takes exactly what that reference
 * takes, directly and on Last-Event-ID.  The sanitizers do the rest. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth.h"
#include "clock.h"
#include "cors.h"
#include "fuzz.h"
#include "http.h"
#include "jsonx.h"
#include "loop.h"

#define FUZZ_MAX_INPUT 16384
#define FUZZ_HANG_MS 5000

static struct loop *lp;
static struct http_server *srv;
static struct cors *cors;
static struct auth *auth;
static int port;

/* The reference for ids: 1 to 18 decimal digits, nothing else. */
static int ref_id(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	if (n < 1 || n > 18 || strspn(s, "0123456789") != n)
		return -1;
	*out = strtoll(s, NULL, 10);
	return 0;
}

static void check_id(const char *s)
{
	int64_t a = -7, b = -7;
	int ra = http_parse_id(s, &a), rb = ref_id(s, &b);
	FUZZ_CHECK(ra == rb);
	FUZZ_CHECK(ra < 0 || a == b);
}

/* The path's segments as the router must see them: the non-empty runs
 * between slashes.  -1 when there are more than max. */
static int ref_split(const char *path, char segs[][256], int max)
{
	int n = 0;
	while (*path) {
		path += strspn(path, "/");
		size_t len = strcspn(path, "/");
		if (!len)
			break;
		if (n == max)
			return -1;
		snprintf(segs[n++], 256, "%.*s", (int)len, path);
		path += len;
	}
	return n;
}

/* The request matched pattern (also the handler's arg): check it. */
static void on_route(struct http_req *req, void *arg)
{
	const char *pattern = arg;
	FUZZ_CHECK(http_route_pattern(req) && !strcmp(http_route_pattern(req), pattern));
	char pseg[8][256], seg[8][256];
	int np = ref_split(pattern, pseg, 8);
	int n = ref_split(http_path(req), seg, 8);
	FUZZ_CHECK(n == np);
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(pseg[i], "{id}")) {
			int64_t want;
			FUZZ_CHECK(ref_id(seg[i], &want) == 0);
			FUZZ_CHECK(http_param_id(req, k) == want);
			FUZZ_CHECK(!strcmp(http_param(req, k), seg[i]));
			k++;
		} else if (!strcmp(pseg[i], "{}")) {
			const char *p = http_param(req, k++);
			FUZZ_CHECK(p && *p && !strchr(p, '/') && !strcmp(p, seg[i]));
		} else {
			FUZZ_CHECK(!strcmp(pseg[i], seg[i]));
		}
	}
	FUZZ_CHECK(http_param(req, k) == NULL);
	size_t len;
	const char *body = http_body(req, &len);
	FUZZ_CHECK(body != NULL);
	if (len) {
		char err[256];
		json_t *j = jsonx_parse(body, len, JSONX_MAX_DEPTH, err, sizeof err);
		if (!j) {
			http_reply_error(req, 400, "bad_json", "%s", err);
			return;
		}
		json_decref(j);
	}
	http_reply_json(req, 200, json_pack("{s:s}", "path", http_path(req)));
}

/* fleetd's guard, in its order: CORS, then the token for /v1/. */
static int guard(struct http_req *req, void *arg)
{
	(void)arg;
	FUZZ_CHECK(http_method(req) && http_path(req));
	const char *last = http_header(req, "Last-Event-ID");
	if (last)
		check_id(last);
	const char *q = http_query(req, "job_id");
	if (q)
		check_id(q);
	if (cors_filter(cors, req))
		return 1;
	if (!strncmp(http_path(req), "/v1/", 4) &&
	    !auth_check_header(auth, http_header(req, "Authorization"))) {
		http_reply_error(req, 401, "unauthorized", "a bearer token is required");
		return 1;
	}
	return 0;
}

static void server_start(void)
{
	static const char *const routes[][2] = {
		{"GET", "/healthz"},
		{"GET", "/v1/jobs"},
		{"POST", "/v1/jobs"},
		{"GET", "/v1/jobs/{id}"},
		{"POST", "/v1/jobs/{id}/{}"},
		{"GET", "/v1/worlds/{id}"},
		{"GET", "/v1/fleets/{id}/{}/{id}"},
		{"GET", "/v1/events"},
	};
	char err[256];
	char *origins[] = {"http://localhost:8080"};
	lp = loop_new();
	cors = cors_new(origins, 1);
	auth = auth_new("fuzz-token", err, sizeof err);
	struct http_config hc = {.listen = "127.0.0.1:0", .conn_limit = 64,
				 .body_limit = 4096, .conn_timeout_s = 5,
				 .conn_memory_limit = 16384};
	srv = lp && cors && auth ? http_server_new(lp, &hc, err, sizeof err) : NULL;
	if (!srv) {
		fprintf(stderr, "fuzz_http: cannot start the server: %s\n", err);
		abort();
	}
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		FUZZ_CHECK(http_route(srv, routes[i][0], routes[i][1], on_route,
				      (void *)routes[i][1]) == 0);
	http_set_filter(srv, guard, NULL);
	port = http_server_port(srv);
}

/* Send the request, half-close, and read the answer to the end while the
 * server's loop turns.  The answer's length (capped) in *len. */
static void exchange(const uint8_t *data, size_t size, char *answer, size_t cap,
		     size_t *len)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	FUZZ_CHECK(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
	size_t sent = 0;
	int closed = 0;
	*len = 0;
	int64_t deadline = clock_mono_ns() / 1000000 + FUZZ_HANG_MS;
	for (;;) {
		if (sent < size) {
			ssize_t w = send(fd, data + sent, size - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0)
				sent += (size_t)w;
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				sent = size; /* the server closed early: fine */
		}
		if (sent == size && !closed) {
			shutdown(fd, SHUT_WR);
			closed = 1;
		}
		loop_run_once(lp, 1);
		char buf[4096];
		ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			break;
		if (r > 0) {
			size_t take = (size_t)r < cap - *len ? (size_t)r : cap - *len;
			memcpy(answer + *len, buf, take);
			*len += take;
		}
		if (clock_mono_ns() / 1000000 > deadline) {
			fprintf(stderr, "fuzz_http: no end of answer after %d ms\n", FUZZ_HANG_MS);
			abort();
		}
	}
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (size < 40) {
		char s[40];
		memcpy(s, data, size);
		s[size] = 0;
		check_id(s);
	}
	if (!srv)
		server_start();
	static char answer[65536];
	size_t len;
	exchange(data, size, answer, sizeof answer, &len);
	/* nothing (a request MHD dropped), or one status line to start */
	FUZZ_CHECK(len == 0 || (len >= 12 && !memcmp(answer, "HTTP/1.", 7)));
	/* let the server finish with the connection */
	for (int i = 0; i < 4 && http_server_connections(srv); i++)
		loop_run_once(lp, 0);
	return 0;
}
