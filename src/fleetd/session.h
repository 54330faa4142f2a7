/* session.h -- fleetd's conversation with the game: login, getGameInfo,
 * the full getObjects, then one delta getObjects per watch, and actions on
 * behalf of jobs.  Every answer is merged into the mirror before the caller
 * hears of it, except one the mirror cannot take: older than the mirror
 * (which then already shows it), or sent from a sequence that a late full
 * answer took the mirror back from (mirror_continues).  The latter's caller
 * is told only once the mirror holds an answer asked for after it came (the
 * next poll, or a later call's answer), which brings what it said: so a
 * caller never looks in the mirror for an effect it lacks.  Adds the
 * common fields (authToken, gameID, sovereignID, sequence) to every call;
 * logs in again when the game says the token is invalid.  Never logs or
 * returns the password or the auth token. */
#ifndef FLEETD_SESSION_H
#define FLEETD_SESSION_H

#include <jansson.h>
#include <stdint.h>

#include "call_flags.h"

struct app;
struct session;
struct loop;
struct upstream;
struct mirror;

enum session_state {
	SESSION_DOWN,       /* not logged in / no upstream */
	SESSION_DEGRADED,   /* retrying after transient faults */
	SESSION_CONNECTED,
};

enum call_outcome {
	CALL_OK,          /* answer is the (merged) list of changed objects */
	CALL_GAME_ERROR,  /* hexeError: code and message from the game */
	CALL_TRANSIENT,   /* failed without effect (refused, 5xx, busy) after retries */
	CALL_AMBIGUOUS,   /* may or may not have taken effect (timeout, cut answer) */
};

struct call_result {
	enum call_outcome outcome;
	const json_t *answer;     /* CALL_OK only; borrowed for the callback */
	const char *code;         /* CALL_GAME_ERROR: the game's error code */
	const char *message;      /* human-readable; the game's 4th string */
};

typedef void (*call_done_fn)(void *arg, const struct call_result *r);

/* Send an action (e.g. "setDestination") with its own fields; the common
 * fields are added here.  params is stolen; flags are those of
 * call_flags.h.  done is called exactly once, from a loop callback, never
 * from inside this function. */
int session_call(struct session *s, const char *endpoint, json_t *params,
		 int flags, call_done_fn done, void *arg);

enum session_state session_state(const struct session *s);
const char *session_state_name(enum session_state st);

/* --- life ------------------------------------------------------------------ */

struct session_config {
	const char *username;
	const char *password_file;  /* NULL: the password is in FLEETD_PASSWORD */
	const char *game;
	int64_t poll_margin_ms;     /* after nextUpdateTime; 0: 250 */
	int64_t relogin_max_ms;     /* longest wait between failed logins; 0: 60000 */
};

/* Reads the password (from the file, else FLEETD_PASSWORD; never from a
 * flag value) and keeps it in memory only.  NULL with err (which never
 * holds the password) when there is none. */
struct session *session_new(struct loop *loop, struct upstream *up,
			    struct mirror *m, const struct session_config *cfg,
			    char *err, size_t errlen);
/* Log in, then getGameInfo, the full getObjects, and one delta per watch. */
int session_start(struct session *s);
/* Drops calls without calling back (shutdown). */
void session_free(struct session *s);

struct session_stats {
	uint64_t logins;           /* successful logins (re-logins included) */
	uint64_t relogins;         /* after the game said the token was invalid */
	uint64_t full_loads;       /* full getObjects merged */
	uint64_t deltas;           /* delta getObjects merged */
	uint64_t watches_seen;     /* distinct watch numbers seen after the first */
	uint64_t actions;          /* session_call()s answered (any outcome) */
	uint64_t degraded_episodes;/* times the state went to degraded */
	int64_t state_since_ms;    /* wall clock of the last state change */
	int64_t next_poll_ms;      /* wall clock of the next delta; 0 if none */
	char last_error[200];      /* last upstream problem ("" if none) */
};
const struct session_stats *session_get_stats(const struct session *s);

#endif
