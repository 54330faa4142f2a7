/* api_guard.c -- see api_guard.h. */
#include "api_guard.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "commit.h"
#include "cors.h"
#include "hostcheck.h"
#include "http.h"

/* /healthz for probes; the dashboard's static files (api_web.c) because
 * the page must load before it can ask for the token -- they hold no data. */
static int exempt(const struct http_req *req)
{
	const char *path = http_path(req);
	if (strcmp(path, "/healthz") == 0 || strcmp(path, "/healthz/") == 0)
		return 1;
	const char *m = http_method(req);
	if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)
		return 0;
	return strcmp(path, "/") == 0 || strcmp(path, "/web") == 0 ||
	       strncmp(path, "/web/", 5) == 0;
}

void api_reply_storage_unavailable(struct http_req *req, const struct commit *commit,
				   const char *message)
{
	char secs[16];
	int s = commit ? commit_retry_after_s(commit) : 1;
	snprintf(secs, sizeof secs, "%d", s > 0 ? s : 1);
	http_add_header(req, "Retry-After", secs);
	http_reply_error(req, 503, "storage_unavailable",
			 "%s: the database cannot be written now (disk full or I/O "
			 "error); reads still work, retry later", message);
}

/* Methods that only read; every other one may write. */
static int reads_only(const struct http_req *req)
{
	const char *m = http_method(req);
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* Every route, /healthz and the static files included: a page re-pointed
 * to 127.0.0.1 by DNS rebinding sends its own name as Host. */
static int host_refused(const struct api_guard *g, struct http_req *req)
{
	if (hostcheck_allows(g->hosts, http_header(req, "Host")))
		return 0;
	http_reply_error(req, 421, "host_not_allowed",
			 "the Host header does not name this server: use localhost, "
			 "a loopback address, the listen address or a host named "
			 "with --allowed-host");
	return 1;
}

static int guard_filter(struct http_req *req, void *arg)
{
	struct api_guard *g = arg;
	if (host_refused(g, req) || cors_filter(g->cors, req))
		return 1;
	if (g->auth && !exempt(req) &&
	    !auth_check_header(g->auth, http_header(req, "Authorization"))) {
		http_add_header(req, "WWW-Authenticate", "Bearer realm=\"fleetd\"");
		http_reply_error(req, 401, "unauthorized",
				 "this route needs Authorization: Bearer <token>");
		return 1;
	}
	if (g->commit && commit_retry_after_s(g->commit) > 0 && !reads_only(req)) {
		api_reply_storage_unavailable(req, g->commit, "nothing was changed");
		return 1;
	}
	return 0;
}

void api_guard_install(struct http_server *srv, struct api_guard *guard)
{
	http_set_filter(srv, guard_filter, guard);
}
