/* cors.c -- see cors.h.  Origins are compared as exact strings after
 * lower-casing, as browsers serialise them (scheme and host lower-case, no
 * default port, no trailing slash). */
#include "cors.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

struct cors {
	char **origins;
	size_t n;
	int any; /* "*" was given */
};

int cors_origin_valid(const char *s)
{
	if (strcmp(s, "*") == 0)
		return 1;
	const char *host;
	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	if (!*host)
		return 0;
	for (const char *p = host; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr(".-:[]", *p)))
			return 0; /* a path, query, user info or space */
	return 1;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s);
	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

struct cors *cors_new(char *const *origins, size_t n)
{
	struct cors *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (n && !(c->origins = calloc(n, sizeof *c->origins))) {
		free(c);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(origins[i], "*") == 0) {
			c->any = 1;
			continue;
		}
		if (!(c->origins[c->n] = lower_dup(origins[i]))) {
			cors_free(c);
			return NULL;
		}
		c->n++;
	}
	return c;
}

void cors_free(struct cors *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->origins[i]);
	free(c->origins);
	free(c);
}

static int allowed(const struct cors *c, const char *origin)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->origins[i], origin) == 0)
			return 1;
	return 0;
}

/* Origin "scheme://host[:port]" naming this server as the Host header
 * does: a same-origin request from the dashboard fleetd serves itself. */
static int same_origin(const char *origin, const char *host)
{
	if (!host || !*host)
		return 0;
	const char *p = strstr(origin, "://");
	return p && strcasecmp(p + 3, host) == 0;
}

static int safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

static void allow_headers(const struct cors *c, struct http_req *req,
			  const char *origin)
{
	int exact = allowed(c, origin);
	http_add_header(req, "Access-Control-Allow-Origin", exact ? origin : "*");
	if (exact)
		http_add_header(req, "Vary", "Origin");
}

int cors_filter(struct cors *c, struct http_req *req)
{
	const char *origin = http_header(req, "Origin");
	if (!origin)
		return 0;
	int ok = c->any || allowed(c, origin);
	int preflight = strcmp(http_method(req), "OPTIONS") == 0 &&
			http_header(req, "Access-Control-Request-Method");
	if (preflight) {
		if (!ok) {
			http_reply_error(req, 403, "cors_denied",
					 "origin is not allowed (see --cors-origin)");
			return 1;
		}
		allow_headers(c, req, origin);
		http_add_header(req, "Access-Control-Allow-Methods", CORS_ALLOW_METHODS);
		http_add_header(req, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
		http_add_header(req, "Access-Control-Max-Age", CORS_MAX_AGE);
		http_reply(req, 204, NULL, "", 0);
		return 1;
	}
	if (ok) {
		allow_headers(c, req, origin);
		http_add_header(req, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
		return 0;
	}
	if (!safe_method(http_method(req)) &&
	    !same_origin(origin, http_header(req, "Host"))) {
		http_reply_error(req, 403, "cors_denied",
				 "cross-origin %s from an origin not allowed "
				 "(see --cors-origin)", http_method(req));
		return 1;
	}
	return 0;
}
