/* session.c -- see session.h.  Owns the password and the auth token (in
 * memory only, never logged or returned), the rhythm of getObjects, and the
 * queue of actions waiting for a usable session.  Must not keep game state
 * of its own: everything the game says goes into the mirror.
 *
 * Phases: LOGIN -> INFO (getGameInfo) -> FULL (first getObjects) -> RUNNING.
 * An invalid-token error at any point sends the session back to LOGIN
 * without losing the mirror: the sequence stays valid across logins, so a
 * re-login is followed by a delta, not a second full load. */
#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "backoff.h"
#include "clock.h"
#include "jsonx.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "mirror_scan.h"
#include "upstream.h"

#define PASSWORD_MAX 4096

enum phase { PH_IDLE, PH_LOGIN, PH_INFO, PH_FULL, PH_RUNNING };

struct sess_call {
	struct list_node link;           /* on session.calls: every live call */
	struct list_node plink;          /* on session.pending, or unlinked */
	struct session *s;
	char endpoint[48];
	json_t *params;
	int flags;
	call_done_fn done;
	void *arg;
	int relogin_tried;
	int64_t asked_ms;                /* when it was last handed to upstream */
	int64_t since;                   /* the mirror's sequence it was sent from */
	json_t *held;                    /* its answer, not merged (on session.held) */
	int64_t held_at;                 /* when that answer came */
};

struct session {
	struct loop *loop;
	struct upstream *up;
	struct mirror *m;
	char *username, *password, *game;
	char *token;
	int64_t sovereign;
	enum phase phase;
	int have_info;
	enum session_state state;
	int login_inflight, poll_inflight, poll_due;
	int need_full;          /* the next poll asks for everything again */
	int login_failures, poll_failures;
	int64_t last_poll_ms;
	int64_t poll_since;     /* the sequence the last poll was sent from; -1: full */
	int64_t margin_ms, relogin_max_ms;
	struct loop_timer poll_timer, login_timer;
	struct list_node calls;          /* of sess_call.link */
	struct list_node pending;        /* of sess_call.plink: waiting for a usable session */
	struct list_node held;           /* of sess_call.plink: answered, the answer not
					  * merged, the caller not yet told (hold_answer) */
	struct session_stats stats;
};

static void send_login(struct session *s);
static void send_info(struct session *s);
static void send_objects(struct session *s, int full);
static void flush_pending(struct session *s);
static void release_held(struct session *s);

const char *session_state_name(enum session_state st)
{
	switch (st) {
	case SESSION_DOWN:
		return "down";
	case SESSION_DEGRADED:
		return "degraded";
	case SESSION_CONNECTED:
		return "connected";
	}
	return "down";
}

enum session_state session_state(const struct session *s)
{
	return s ? s->state : SESSION_DOWN;
}

const struct session_stats *session_get_stats(const struct session *s)
{
	return &s->stats;
}

static void set_state(struct session *s, enum session_state st)
{
	if (s->state == st)
		return;
	s->state = st;
	s->stats.state_since_ms = clock_now_ms();
	if (st == SESSION_DEGRADED)
		s->stats.degraded_episodes++;
	log_write(st == SESSION_CONNECTED ? LOG_INFO : LOG_WARN, "upstream state",
		  "state=%s", session_state_name(st));
}

static void note_error(struct session *s, const char *what,
		       const struct upstream_result *r)
{
	snprintf(s->stats.last_error, sizeof s->stats.last_error, "%s: %s%s%s%s%s", what,
		 upstream_outcome_name(r->outcome), r->code ? " " : "",
		 r->code ? r->code : "", r->message && *r->message ? ": " : "",
		 r->message ? r->message : "");
}

/* Every attempt: the game answering at all means the link is good. */
static void on_attempt(void *arg, const char *endpoint, enum upstream_outcome o,
		       int will_retry)
{
	struct session *s = arg;
	(void)endpoint;
	if (!mirror_ready(s->m) || !s->token)
		return;
	if (o == UPSTREAM_OK || o == UPSTREAM_GAME_ERROR)
		set_state(s, SESSION_CONNECTED);
	else if (will_retry)
		set_state(s, SESSION_DEGRADED);
}

static int is_auth_error(const char *code, const char *msg)
{
	const char *hay[2] = {code, msg};
	for (int i = 0; i < 2; i++) {
		const char *h = hay[i];
		if (h && strcasestr(h, "token") &&
		    (strcasestr(h, "invalid") || strcasestr(h, "expired") ||
		     strcasestr(h, "unknown") || strcasestr(h, "auth")))
			return 1;
	}
	return 0;
}

/* --- the body of a call ---------------------------------------------------- */

static json_t *common_body(struct session *s, const json_t *params, int with_seq)
{
	json_t *b = params ? json_copy((json_t *)params) : json_object();
	if (!b)
		return NULL;
	json_object_set_new(b, "authToken", json_string(s->token ? s->token : ""));
	json_object_set_new(b, "gameID", json_string(s->game));
	json_object_set_new(b, "sovereignID", json_integer(s->sovereign));
	const json_t *seq = mirror_sequence(s->m);
	if (with_seq && seq)
		json_object_set(b, "sequence", (json_t *)seq); /* exactly as received */
	return b;
}

/* --- login ----------------------------------------------------------------- */

static int64_t login_delay_ms(struct session *s)
{
	return backoff_ms(1000, s->relogin_max_ms, s->login_failures);
}

static void fail_pending(struct session *s, const char *why);

static void login_later(struct session *s)
{
	s->login_failures++;
	s->phase = PH_LOGIN;
	loop_timer_arm(s->loop, &s->login_timer, clock_now_ms() + login_delay_ms(s));
}

static void on_login_timer(struct loop *loop, void *arg)
{
	(void)loop;
	send_login(arg);
}

/* last_error says why; try again later and fail what waits. */
static void login_failed(struct session *s)
{
	login_later(s);
	char qu[128], qe[256];
	log_error("login failed", "username=%s error=%s retry_ms=%lld",
		  log_quote(qu, sizeof qu, s->username),
		  log_quote(qe, sizeof qe, s->stats.last_error),
		  (long long)login_delay_ms(s));
	set_state(s, SESSION_DOWN);
	fail_pending(s, "the game session is down (login failed)");
}

static void on_login(void *arg, const struct upstream_result *r)
{
	struct session *s = arg;
	s->login_inflight = 0;
	const char *tok = json_string_value(json_object_get(r->answer, "authToken"));
	char *token = r->outcome == UPSTREAM_OK && tok && *tok ? strdup(tok) : NULL;
	if (!token) {
		if (r->outcome != UPSTREAM_OK)
			note_error(s, "login", r);
		else
			snprintf(s->stats.last_error, sizeof s->stats.last_error, "login: %s",
				 tok && *tok ? "out of memory for the token"
					     : "the game's answer has no authToken");
		login_failed(s);
		return;
	}
	free(s->token);
	s->token = token;
	s->login_failures = 0;
	s->stats.logins++;
	char q[128];
	log_info("logged in", "username=%s", log_quote(q, sizeof q, s->username));
	if (!s->have_info) {
		send_info(s);
	} else if (!mirror_ready(s->m)) {
		send_objects(s, 1);
	} else {
		s->phase = PH_RUNNING;
		set_state(s, SESSION_CONNECTED);
		flush_pending(s);
		if (s->poll_due)
			send_objects(s, s->need_full);
	}
}

static void send_login(struct session *s)
{
	if (s->login_inflight)
		return;
	loop_timer_disarm(s->loop, &s->login_timer);
	free(s->token);
	s->token = NULL;
	s->phase = PH_LOGIN;
	json_t *b = json_pack("{s:s,s:s,s:b}", "username", s->username, "password",
			      s->password, "actual", 1);
	if (b && upstream_post(s->up, "login", b, UPSTREAM_IDEMPOTENT, on_login, s) == 0)
		s->login_inflight = 1;
	else
		login_later(s);
}

/* The game no longer knows our token: log in again (once at a time). */
static void relogin(struct session *s)
{
	if (s->login_inflight || loop_timer_armed(&s->login_timer))
		return;
	s->stats.relogins++;
	/* a new token may come from a game that was reset: reload everything
	 * at the next poll rather than trust our sequence */
	s->need_full = 1;
	log_info("auth token refused; logging in again", NULL);
	send_login(s);
}

/* --- game info and objects -------------------------------------------------- */

static void on_info(void *arg, const struct upstream_result *r)
{
	struct session *s = arg;
	s->login_inflight = 0;
	char err[160];
	if (r->outcome == UPSTREAM_GAME_ERROR && is_auth_error(r->code, r->message)) {
		note_error(s, "getGameInfo", r);
		login_later(s);
		return;
	}
	if (r->outcome != UPSTREAM_OK ||
	    mirror_set_game_info(s->m, r->answer, err, sizeof err) < 0) {
		if (r->outcome == UPSTREAM_OK)
			snprintf(s->stats.last_error, sizeof s->stats.last_error,
				 "getGameInfo: %s", err);
		else
			note_error(s, "getGameInfo", r);
		char q[256];
		log_error("getGameInfo failed", "error=%s",
			  log_quote(q, sizeof q, s->stats.last_error));
		fail_pending(s, "the game session is down (getGameInfo failed)");
		login_later(s);
		return;
	}
	s->have_info = 1;
	s->sovereign = mirror_player(s->m);
	log_info("game info", "sovereign=%lld", (long long)s->sovereign);
	send_objects(s, 1);
}

static void send_info(struct session *s)
{
	s->phase = PH_INFO;
	json_t *b = json_pack("{s:s,s:s}", "authToken", s->token, "gameID", s->game);
	if (b && upstream_post(s->up, "getGameInfo", b, UPSTREAM_IDEMPOTENT, on_info, s) == 0)
		s->login_inflight = 1; /* part of getting a usable session */
	else
		login_later(s);
}

static void arm_poll(struct session *s)
{
	int64_t now = clock_now_ms();
	int64_t at = mirror_next_watch_ms(s->m) + s->margin_ms;
	/* never faster than the margin, whatever nextUpdateTime says */
	if (at < s->last_poll_ms + s->margin_ms)
		at = s->last_poll_ms + s->margin_ms;
	if (at < now)
		at = now;
	loop_timer_arm(s->loop, &s->poll_timer, at);
	s->stats.next_poll_ms = at;
}

static void poll_later(struct session *s, int64_t delay_ms)
{
	int64_t at = clock_now_ms() + delay_ms;
	loop_timer_arm(s->loop, &s->poll_timer, at);
	s->stats.next_poll_ms = at;
}

static void count_watch(struct session *s, double before, int was_ready)
{
	if (was_ready && mirror_watch(s->m) != before)
		s->stats.watches_seen++;
}

/* May the answer to a request sent from sequence `since` be merged?  Not
 * after a full answer took the mirror back below it (mirror_continues). */
static int continues(struct session *s, int64_t since, const char *endpoint)
{
	if (mirror_continues(s->m, since))
		return 1;
	log_info("answer not merged: sent from a sequence the mirror went back from",
		 "endpoint=%s since=%lld sequence=%lld", endpoint, (long long)since,
		 (long long)mirror_sequence_value(s->m));
	return 0;
}

static void on_objects(void *arg, const struct upstream_result *r, int full)
{
	struct session *s = arg;
	/* the first full load is part of getting a session; a later one
	 * (after a re-login) is only a bigger poll */
	int initial = full && !mirror_ready(s->m);
	s->poll_inflight = 0;
	if (initial)
		s->login_inflight = 0;
	if (r->outcome == UPSTREAM_GAME_ERROR && is_auth_error(r->code, r->message)) {
		note_error(s, "getObjects", r);
		if (initial) {
			login_later(s);
		} else {
			s->poll_due = 1;
			relogin(s);
		}
		return;
	}
	if (r->outcome != UPSTREAM_OK) {
		note_error(s, "getObjects", r);
		char q[256];
		log_warn("getObjects failed", "full=%d error=%s", full,
			 log_quote(q, sizeof q, s->stats.last_error));
		if (initial) {
			fail_pending(s, "the game session is down (getObjects failed)");
			login_later(s);
			return;
		}
		if (r->outcome != UPSTREAM_GAME_ERROR)
			set_state(s, SESSION_DOWN);
		s->poll_failures++;
		poll_later(s, s->poll_failures < 5 ? 1000LL << s->poll_failures : 30000);
		return;
	}
	char err[160];
	int was_ready = mirror_ready(s->m);
	double before = mirror_watch(s->m);
	uint64_t stale = mirror_stale_skipped(s->m);
	/* megabytes for a full answer: read with the scanner, which builds only
	 * what the mirror keeps */
	int gap = !full && !continues(s, s->poll_since, "getObjects");
	struct mirror_scanned *answer =
		gap ? NULL
		    : mirror_scan(r->text ? r->text : "", r->text_len, JSONX_MAX_DEPTH, err,
				  sizeof err);
	int merged = gap ? 0
		     : answer ? mirror_merge_scanned(s->m, answer, full, err, sizeof err)
			      : -1;
	mirror_scanned_free(answer);
	if (merged >= 0 && !gap)
		mirror_note_asked(s->m, s->last_poll_ms, full); /* set when it was sent */
	if (merged < 0) {
		snprintf(s->stats.last_error, sizeof s->stats.last_error, "getObjects: %s", err);
		log_warn("getObjects answer not merged", "error=%s", err);
		if (initial) {
			login_later(s);
			return;
		}
		s->poll_failures++;
		poll_later(s, 1000);
		return;
	}
	s->poll_failures = 0;
	count_watch(s, before, was_ready);
	if (!full && mirror_stale_skipped(s->m) != stale) {
		/* older than what an action's answer showed, or the game went
		 * back in time: only a full answer settles which */
		s->need_full = 1;
		log_info("getObjects answer older than the mirror; the next poll reloads",
			 NULL);
	}
	if (full)
		s->need_full = 0;
	if (full && !initial) {
		s->stats.full_loads++;
		set_state(s, SESSION_CONNECTED);
	} else if (full) {
		s->stats.full_loads++;
		s->phase = PH_RUNNING;
		log_info("game state loaded", "worlds=%zu fleets=%zu watch=%.1f",
			 mirror_world_count(s->m), mirror_fleet_count(s->m),
			 mirror_watch(s->m));
		set_state(s, SESSION_CONNECTED);
		flush_pending(s);
	} else {
		s->stats.deltas++;
		set_state(s, SESSION_CONNECTED);
	}
	arm_poll(s);
	release_held(s);
}

static void on_full(void *arg, const struct upstream_result *r)
{
	on_objects(arg, r, 1);
}

static void on_delta(void *arg, const struct upstream_result *r)
{
	on_objects(arg, r, 0);
}

static void send_objects(struct session *s, int full)
{
	int initial = full && !mirror_ready(s->m);
	if (initial)
		s->phase = PH_FULL;
	s->poll_due = 0;
	json_t *b = common_body(s, NULL, !full);
	s->last_poll_ms = clock_now_ms();
	s->poll_since = full ? -1 : mirror_sequence_value(s->m);
	s->stats.next_poll_ms = 0;
	if (b && upstream_post(s->up, "getObjects", b,
			       UPSTREAM_IDEMPOTENT | UPSTREAM_RAW_ANSWER,
			       full ? on_full : on_delta, s) == 0) {
		s->poll_inflight = 1;
		if (initial)
			s->login_inflight = 1;
	} else if (initial) {
		login_later(s);
	} else {
		poll_later(s, 1000);
	}
}

static void on_poll_timer(struct loop *loop, void *arg)
{
	struct session *s = arg;
	(void)loop;
	s->stats.next_poll_ms = 0;
	if (s->poll_inflight)
		return; /* its answer re-arms the timer */
	if (s->phase != PH_RUNNING || !s->token) {
		s->poll_due = 1; /* after the login */
		return;
	}
	send_objects(s, s->need_full);
}

/* --- actions ----------------------------------------------------------------- */

static void call_free(struct sess_call *c)
{
	list_remove(&c->link);
	list_remove(&c->plink);
	json_decref(c->params);
	json_decref(c->held);
	free(c);
}

static void call_finish(struct sess_call *c, const struct call_result *r)
{
	c->s->stats.actions++;
	c->done(c->arg, r);
	call_free(c);
}

static void pend(struct session *s, struct sess_call *c, int front)
{
	if (front)
		list_push_front(&s->pending, &c->plink);
	else
		list_push_back(&s->pending, &c->plink);
}

/* Move every waiting call, in order, to batch: calls that callbacks pend
 * while the batch is handled wait for the next round. */
static void take_pending(struct session *s, struct list_node *batch)
{
	struct list_node *n;
	while ((n = list_pop_front(&s->pending)))
		list_push_back(batch, n);
}

static void fail_pending(struct session *s, const char *why)
{
	struct list_node batch = LIST_HEAD_INIT(batch), *n;
	take_pending(s, &batch);
	while ((n = list_pop_front(&batch))) {
		struct call_result r = {CALL_TRANSIENT, NULL, NULL, why};
		call_finish(LIST_ELEM(n, struct sess_call, plink), &r);
	}
}

/* The answer of call c could not be merged (sent from a sequence a late
 * full answer took the mirror back from): its effect is not in the mirror
 * yet, and a step told of it now would look for it there and miss it (a
 * deploy's next step: "fleet no longer exists").  The caller is told once
 * the mirror holds an answer asked for after this one came (release_held):
 * the next poll, or the answer of any later call. */
static void hold_answer(struct session *s, struct sess_call *c, const json_t *answer)
{
	c->held = json_incref((json_t *)answer);
	c->held_at = clock_now_ms();
	list_push_back(&s->held, &c->plink);
}

/* Tell the callers whose answers were held and whose effect the mirror now
 * shows: it holds an answer asked for after theirs came, in a later
 * millisecond (one asked in the same millisecond may have been asked
 * before).  Runs after every merge; callbacks may call again. */
static void release_held(struct session *s)
{
	struct list_node batch = LIST_HEAD_INIT(batch), *n, *next;
	int64_t asked = mirror_asked_ms(s->m);
	LIST_EACH_SAFE(n, next, &s->held) {
		if (LIST_ELEM(n, struct sess_call, plink)->held_at < asked) {
			list_remove(n);
			list_push_back(&batch, n);
		}
	}
	while ((n = list_pop_front(&batch))) {
		struct sess_call *c = LIST_ELEM(n, struct sess_call, plink);
		struct call_result cr = {CALL_OK, c->held, NULL, NULL};
		call_finish(c, &cr);
	}
}

static void on_action(void *arg, const struct upstream_result *r)
{
	struct sess_call *c = arg;
	struct session *s = c->s;
	if (r->outcome == UPSTREAM_GAME_ERROR && is_auth_error(r->code, r->message) &&
	    !c->relogin_tried) {
		/* refused before it could act: safe to send again, even if not
		 * idempotent, once a new token is there */
		c->relogin_tried = 1;
		pend(s, c, 1);
		relogin(s);
		return;
	}
	struct call_result cr = {CALL_OK, NULL, NULL, r->message};
	switch (r->outcome) {
	case UPSTREAM_OK: {
		char err[160];
		int was_ready = mirror_ready(s->m);
		double before = mirror_watch(s->m);
		if (json_is_array(r->answer) && !continues(s, c->since, c->endpoint)) {
			hold_answer(s, c, r->answer);
			return;
		}
		if (json_is_array(r->answer)) {
			if (mirror_merge(s->m, r->answer, 0, err, sizeof err) < 0)
				log_warn("action answer not merged", "endpoint=%s error=%s",
					 c->endpoint, err);
			else
				mirror_note_asked(s->m, c->asked_ms, 0);
			/* the poll keeps the schedule of the last getObjects, even
			 * if this answer already showed the next watch: exactly one
			 * getObjects per watch, whatever the actions */
			count_watch(s, before, was_ready);
			release_held(s);
		}
		cr.answer = r->answer;
		break;
	}
	case UPSTREAM_GAME_ERROR:
		cr.outcome = CALL_GAME_ERROR;
		cr.code = r->code;
		break;
	case UPSTREAM_TRANSIENT:
		cr.outcome = CALL_TRANSIENT;
		note_error(s, c->endpoint, r);
		break;
	case UPSTREAM_AMBIGUOUS:
		cr.outcome = CALL_AMBIGUOUS;
		note_error(s, c->endpoint, r);
		break;
	}
	call_finish(c, &cr);
}

static int send_call(struct session *s, struct sess_call *c)
{
	json_t *b = common_body(s, c->params, 1);
	int fl = (c->flags & CALL_IDEMPOTENT) ? UPSTREAM_IDEMPOTENT : 0;
	if (!b)
		return -1;
	c->asked_ms = clock_now_ms();
	c->since = mirror_sequence_value(s->m);
	return upstream_post(s->up, c->endpoint, b, fl, on_action, c);
}

/* Called from loop callbacks only, so failing a call here is allowed. */
static void flush_pending(struct session *s)
{
	struct list_node batch = LIST_HEAD_INIT(batch), *n;
	take_pending(s, &batch);
	while ((n = list_pop_front(&batch))) {
		struct sess_call *c = LIST_ELEM(n, struct sess_call, plink);
		if (send_call(s, c) < 0) {
			struct call_result r = {CALL_TRANSIENT, NULL, NULL,
						"out of memory: not sent"};
			call_finish(c, &r);
		}
	}
}

int session_call(struct session *s, const char *endpoint, json_t *params,
		 int flags, call_done_fn done, void *arg)
{
	if (!s || !endpoint || !*endpoint || !done || (params && !json_is_object(params))) {
		json_decref(params);
		return -1;
	}
	struct sess_call *c = calloc(1, sizeof *c);
	if (!c) {
		json_decref(params);
		return -1;
	}
	c->s = s;
	snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
	c->params = params ? params : json_object();
	c->flags = flags;
	c->done = done;
	c->arg = arg;
	list_init(&c->plink);
	list_push_back(&s->calls, &c->link);
	/* callbacks come from the upstream's completion, a later loop turn */
	if (s->phase == PH_RUNNING && s->token && mirror_ready(s->m)) {
		if (send_call(s, c) < 0) {
			call_free(c);
			return -1;
		}
	} else {
		pend(s, c, 0);
	}
	return 0;
}

/* --- life ------------------------------------------------------------------------ */

static char *read_password(const struct session_config *cfg, char *err, size_t errlen)
{
	if (!cfg->password_file) {
		const char *env = getenv("FLEETD_PASSWORD");
		if (!env || !*env) {
			snprintf(err, errlen,
				 "no game password: use --password-file FILE or set FLEETD_PASSWORD");
			return NULL;
		}
		char *pw = strdup(env);
		if (!pw)
			snprintf(err, errlen, "out of memory");
		return pw;
	}
	FILE *fp = fopen(cfg->password_file, "r");
	if (!fp) {
		snprintf(err, errlen, "--password-file: cannot read '%s': %s",
			 cfg->password_file, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 077))
		log_warn("password file is readable by others", "file=%s mode=%o",
			 cfg->password_file, (unsigned)(st.st_mode & 0777));
	char *buf = calloc(1, PASSWORD_MAX + 1);
	size_t n = buf ? fread(buf, 1, PASSWORD_MAX, fp) : 0;
	fclose(fp);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	if (!n || strlen(buf) != n) {
		snprintf(err, errlen, "--password-file: '%s' holds no password",
			 cfg->password_file);
		free(buf);
		return NULL;
	}
	return buf;
}

static void wipe_free(char *p)
{
	if (p) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

struct session *session_new(struct loop *loop, struct upstream *up,
			    struct mirror *m, const struct session_config *cfg,
			    char *err, size_t errlen)
{
	if (!cfg->username || !*cfg->username) {
		snprintf(err, errlen, "no game username (--username)");
		return NULL;
	}
	char *pw = read_password(cfg, err, errlen);
	if (!pw)
		return NULL;
	struct session *s = calloc(1, sizeof *s);
	if (!s) {
		wipe_free(pw);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->up = up;
	s->m = m;
	list_init(&s->calls);
	list_init(&s->pending);
	list_init(&s->held);
	s->password = pw;
	s->username = strdup(cfg->username);
	s->game = strdup(cfg->game ? cfg->game : "sim");
	s->margin_ms = cfg->poll_margin_ms > 0 ? cfg->poll_margin_ms : 250;
	s->relogin_max_ms = cfg->relogin_max_ms > 0 ? cfg->relogin_max_ms : 60000;
	s->state = SESSION_DOWN;
	s->stats.state_since_ms = clock_now_ms();
	loop_timer_init(&s->poll_timer, on_poll_timer, s);
	loop_timer_init(&s->login_timer, on_login_timer, s);
	if (!s->username || !s->game) {
		session_free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	upstream_set_observer(up, on_attempt, s);
	return s;
}

int session_start(struct session *s)
{
	send_login(s);
	return 0;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	loop_timer_disarm(s->loop, &s->poll_timer);
	loop_timer_disarm(s->loop, &s->login_timer);
	struct list_node *n;
	while ((n = list_first(&s->calls)))
		call_free(LIST_ELEM(n, struct sess_call, link));
	wipe_free(s->password);
	wipe_free(s->token);
	free(s->username);
	free(s->game);
	free(s);
}
