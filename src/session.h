/* session.h -- fleetd's conversation with the game: login, getGameInfo,
 * the full getObjects, then one delta getObjects per watch, and actions on
 * behalf of jobs.  Every answer is merged into the mirror before the caller
 * hears of it.  Adds the common fields (authToken, gameID, sovereignID,
 * sequence) to every call; logs in again when the game says the token is
 * invalid.  Never logs or returns the password or the auth token. */
#ifndef FLEETD_SESSION_H
#define FLEETD_SESSION_H

#include <jansson.h>
#include <stdint.h>

struct app;
struct session;

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

/* Call flags. */
#define CALL_IDEMPOTENT 1 /* safe to resend after an ambiguous failure */

/* Send an action (e.g. "setDestination") with its own fields; the common
 * fields are added here.  params is stolen.  done is called exactly once,
 * from a loop callback, never from inside this function. */
int session_call(struct session *s, const char *endpoint, json_t *params,
		 int flags, call_done_fn done, void *arg);

enum session_state session_state(const struct session *s);
const char *session_state_name(enum session_state st);

#endif
