/* auth.h -- the API token: read from --api-token-file once at start-up,
 * checked against `Authorization: Bearer <token>` in constant time.
 *
 * Owns the token bytes (wiped when freed).  Knows nothing of routes: the
 * request filter (api_guard.c) decides which requests need a token.  The
 * token is never logged, echoed or put in an error message. */
#ifndef FLEETD_AUTH_H
#define FLEETD_AUTH_H

#include <stddef.h>

struct auth;

/* Longest token accepted; longer files are refused at start-up. */
#define AUTH_MAX_TOKEN 4096

/* Read the token (surrounding whitespace trimmed).  NULL with a message in
 * err if the file is unreadable, empty, too long or holds a control
 * character or space inside the token. */
struct auth *auth_load(const char *path, char *err, size_t errlen);
/* A token given directly (tests). */
struct auth *auth_new(const char *token, char *err, size_t errlen);
void auth_free(struct auth *a);

/* 1 if the Authorization header value carries the right bearer token.
 * The time taken depends only on the lengths of the header and the
 * token, never on where the first differing byte is. */
int auth_check_header(const struct auth *a, const char *authorization);

/* Byte strings equal?  Runs over max(alen, blen) bytes whatever the
 * content, so an attacker timing answers learns nothing of a prefix. */
int auth_equal(const void *a, size_t alen, const void *b, size_t blen);

#endif
