/* cors.h -- Cross-Origin Resource Sharing for browser front ends.
 *
 * Off unless --cors-origin names origins.  An allowed origin gets
 * Access-Control-Allow-Origin echoing it (with Vary: Origin) on every
 * answer, and preflights (OPTIONS with Access-Control-Request-Method) are
 * answered here with 204.  No Access-Control-Allow-Credentials is ever
 * sent: the API authenticates with a bearer header, not cookies, so a
 * wildcard origin never comes with credentials (and config.c refuses "*"
 * together with an API token).
 *
 * As a guard against cross-site request forgery, a request carrying an
 * Origin that is neither allowed nor the server's own (Origin equal to
 * scheme://Host) is refused with 403 unless its method is GET or HEAD.
 * Owns its copy of the origin list; knows nothing of routes or auth. */
#ifndef FLEETD_CORS_H
#define FLEETD_CORS_H

#include <stddef.h>

struct cors;
struct http_req;

/* The methods and request headers a preflight may ask for. */
#define CORS_ALLOW_METHODS "GET, POST, DELETE, OPTIONS"
#define CORS_ALLOW_HEADERS "Authorization, Content-Type, Idempotency-Key, Last-Event-ID"
#define CORS_EXPOSE_HEADERS "Location, Retry-After"
#define CORS_MAX_AGE "600"

/* Is s an origin as browsers send it ("http(s)://host[:port]", no path),
 * or "*"? */
int cors_origin_valid(const char *s);

/* origins may be empty (CORS off).  NULL only when out of memory. */
struct cors *cors_new(char *const *origins, size_t n);
void cors_free(struct cors *c);

/* Run on every request before auth: adds the CORS headers for an allowed
 * origin.  Returns 1 when it answered the request itself (a preflight, or
 * a refused cross-origin request), 0 to let it go on. */
int cors_filter(struct cors *c, struct http_req *req);

#endif
