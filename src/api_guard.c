/* api_guard.c -- see api_guard.h. */
#include "api_guard.h"

#include <string.h>

#include "auth.h"
#include "cors.h"
#include "http.h"

static int exempt(const char *path)
{
	return strcmp(path, "/healthz") == 0 || strcmp(path, "/healthz/") == 0;
}

static int guard_filter(struct http_req *req, void *arg)
{
	struct api_guard *g = arg;
	if (cors_filter(g->cors, req))
		return 1;
	if (!g->auth || exempt(http_path(req)))
		return 0;
	if (auth_check_header(g->auth, http_header(req, "Authorization")))
		return 0;
	http_add_header(req, "WWW-Authenticate", "Bearer realm=\"fleetd\"");
	http_reply_error(req, 401, "unauthorized",
			 "this route needs Authorization: Bearer <token>");
	return 1;
}

void api_guard_install(struct http_server *srv, struct api_guard *guard)
{
	http_set_filter(srv, guard_filter, guard);
}
