/* api_guard.h -- the one request filter of fleetd's HTTP server: the Host
 * check first (421 for a Host that is not this server's: DNS rebinding),
 * then CORS (so preflights and refused origins are answered before
 * anything else), then the bearer token, then storage: while the database
 * cannot be written (commit.h), a request that would write -- any method
 * but GET, HEAD and OPTIONS -- gets 503 storage_unavailable with
 * Retry-After, and reads go on.  Routes exempt from the token: /healthz
 * (probes) and CORS preflights (browsers never send credentials on them).
 * It runs as soon as a request's headers are in (http_set_filter), so a
 * request it refuses never has its body read: no token, nothing buffered.
 * Owns nothing: hosts, cors and auth belong to the caller and outlive the
 * server. */
#ifndef FLEETD_API_GUARD_H
#define FLEETD_API_GUARD_H

struct http_server;
struct http_req;
struct cors;
struct auth;
struct commit;
struct hostcheck;

struct api_guard {
	struct hostcheck *hosts; /* never NULL */
	struct cors *cors; /* never NULL */
	struct auth *auth; /* NULL: no token required */
	const struct commit *commit; /* NULL: no storage check */
};

void api_guard_install(struct http_server *srv, struct api_guard *guard);

/* The answer to a write while storage is unavailable: 503
 * {"error": {"code": "storage_unavailable", ...}} with Retry-After (the
 * seconds until the next probe; 1 when commit is NULL or the store came
 * back meanwhile).  message says what was not done. */
void api_reply_storage_unavailable(struct http_req *req, const struct commit *commit,
				   const char *message);

#endif
