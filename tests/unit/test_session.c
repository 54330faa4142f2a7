/* test_session.c -- the game session against a real fleetsim ($FLEETSIM,
 * started here on a free port; SKIP when it is not built): where the
 * password comes from, a call made before the state is loaded waits for
 * it, an action's answer is merged into the mirror before the callback,
 * a game refusal comes back as CALL_GAME_ERROR with the game's code, and a
 * refused auth token leads to one re-login and a transparent resend.
 * Calls waiting for a session that cannot log in fail in the order they
 * were made, and a session freed with calls waiting drops them silently.
 * An action's answer sent from a sequence that a late full answer took the
 * mirror back from is not merged, and its caller hears of it only once the
 * mirror shows its effect (test_full_rewinds). */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "session.h"
#include "tap.h"
#include "upstream.h"

extern char **environ;

#define FRIGATE 122 /* a ship of fleetsim's catalogue */

static struct loop *loop;
static int in_call;

struct answer {
	int called, during_call;
	enum call_outcome outcome;
	char code[64], message[256];
	int64_t dest_seen;      /* the fleet's dest_id in the mirror at callback */
	char name_seen[64];
	int64_t selection;      /* a deploy's new fleet, named in the answer */
	int selection_seen;     /* ... and in the mirror at callback */
	struct mirror *m;
	int64_t fleet;
};

static void on_done(void *arg, const struct call_result *r)
{
	struct answer *a = arg;
	a->called++;
	a->during_call = in_call;
	a->outcome = r->outcome;
	snprintf(a->code, sizeof a->code, "%s", r->code ? r->code : "");
	snprintf(a->message, sizeof a->message, "%s", r->message ? r->message : "");
	const struct mirror_fleet *f = a->m ? mirror_fleet(a->m, a->fleet) : NULL;
	if (f) {
		a->dest_seen = f->dest_id;
		snprintf(a->name_seen, sizeof a->name_seen, "%s", f->name);
	}
	if (r->outcome == CALL_OK)
		CHECK(json_is_array(r->answer));
	size_t i;
	const json_t *o;
	json_array_foreach(r->outcome == CALL_OK ? r->answer : NULL, i, o) {
		const char *cls = json_string_value(json_object_get(o, "class"));
		if (cls && !strcmp(cls, "selection"))
			a->selection = json_integer_value(json_object_get(o, "id"));
	}
	a->selection_seen = a->m && a->selection && mirror_fleet(a->m, a->selection);
}

static int run_until(int (*cond)(void *), void *arg, int64_t ms)
{
	int64_t end = clock_now_ms() + ms;
	while (!cond(arg)) {
		if (clock_now_ms() > end)
			return 0;
		loop_run_once(loop, 50);
	}
	return 1;
}

static int called(void *arg)
{
	return ((struct answer *)arg)->called > 0;
}

static void count_login(void *arg, const struct upstream_result *r)
{
	if (r->outcome == UPSTREAM_OK)
		++*(int *)arg;
}

static int all_logged(void *arg)
{
	return *(int *)arg == 1100;
}

static int ready(void *arg)
{
	return mirror_ready(arg);
}

/* An answer of our own upstream calls, kept (json_null() if it failed). */
static void keep_answer(void *arg, const struct upstream_result *r)
{
	json_t **out = arg;
	*out = r->outcome == UPSTREAM_OK ? json_incref((json_t *)r->answer) : json_null();
}

static int kept(void *arg)
{
	return *(json_t **)arg != NULL;
}

static json_t *call_kept(struct upstream *up, const char *endpoint, json_t *body)
{
	json_t *out = NULL;
	if (upstream_post(up, endpoint, body, UPSTREAM_IDEMPOTENT, keep_answer, &out) < 0 ||
	    !run_until(kept, &out, 20000))
		return NULL;
	return out;
}

/* Everything the game shows now, as a full getObjects answers it, fetched
 * with a token of our own; *asked_ms is when it was asked for. */
static json_t *fetch_full(struct upstream *up, int64_t sovereign, int64_t *asked_ms)
{
	json_t *login = call_kept(up, "login",
				  json_pack("{s:s,s:s,s:b}", "username", "demo", "password",
					    "demo", "actual", 1));
	const char *tok = json_string_value(json_object_get(login, "authToken"));
	json_t *full = NULL;
	*asked_ms = clock_now_ms();
	if (tok)
		full = call_kept(up, "getObjects",
				 json_pack("{s:s,s:s,s:I}", "authToken", tok, "gameID", "sim",
					   "sovereignID", (json_int_t)sovereign));
	json_decref(login);
	return full;
}

static int gap_skipped(void *arg)
{
	return mirror_gaps_skipped(arg) > 0;
}

static void rename_call(struct session *s, int64_t obj, const char *name,
			struct answer *a)
{
	CHECK(session_call(s, "renameObject",
			   json_pack("{s:I,s:s}", "objID", (json_int_t)obj, "name", name), 0,
			   on_done, a) == 0);
}

/* A full getObjects the game answered before an action, merged after the
 * action's answer, takes the mirror back (as it must: a full answer also
 * settles a game that went back in time).  A call sent from the newer
 * sequence meanwhile answers only what changed after that sequence:
 * merged, it would leave the change in between out of the mirror for good
 * while its asked time tells the steps that the mirror shows all the game
 * did before the call (a transfer whose answer was lost was judged not
 * done and sent again).  It is left out, and the next answer, asked from
 * the mirror's sequence, brings everything.  Its caller is told only then:
 * told at once, a deploy's job went on to a fleet the mirror did not know
 * ("fleet no longer exists", the deploy applied yet the job failed). */
static void test_full_rewinds(struct session *s, struct upstream *up, struct mirror *m,
			      int64_t fleet)
{
	int64_t world = 0; /* ours, with a frigate to deploy */
	for (size_t i = 0; i < mirror_world_count(m) && !world; i++) {
		const struct mirror_world *w = mirror_world_at(m, i);
		if (w->sovereign == mirror_player(m) && mirror_qty(w->res, w->nres, FRIGATE) > 0)
			world = w->id;
	}
	CHECK(world != 0);
	int64_t full_asked;
	json_t *old = fetch_full(up, mirror_player(m), &full_asked);
	CHECK(json_is_array(old));
	if (!world || !json_is_array(old)) {
		json_decref(old);
		return;
	}
	struct answer gap = {.m = m, .fleet = fleet};
	rename_call(s, world, "renamed in the gap", &gap);
	CHECK(run_until(called, &gap, 20000));
	CHECK(!strcmp(mirror_world(m, world)->name, "renamed in the gap"));

	/* a deploy sent from the sequence after the rename; the late full
	 * comes first */
	struct answer after = {.m = m, .fleet = fleet};
	usleep(2000); /* asked a clock tick after the full */
	int64_t after_asked = clock_now_ms();
	CHECK(session_call(s, "deployFleet",
			   json_pack("{s:I,s:[i,i]}", "sourceObjID", (json_int_t)world,
				     "resources", FRIGATE, 1),
			   0, on_done, &after) == 0);
	char err[160];
	CHECK(mirror_merge(m, old, 1, err, sizeof err) == 0);
	mirror_note_asked(m, full_asked, 1);
	json_decref(old);
	CHECK(strcmp(mirror_world(m, world)->name, "renamed in the gap") != 0);
	/* its answer came and was left out; the caller is not told yet */
	CHECK(run_until(gap_skipped, m, 20000));
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 10);
	CHECK_EQ_INT(after.called, 0);
	CHECK(mirror_asked_ms(m) < after_asked);
	CHECK(strcmp(mirror_world(m, world)->name, "renamed in the gap") != 0);

	/* the next answer, asked from the mirror's sequence, brings
	 * everything; then the deploy's caller is told, and the mirror shows
	 * the fleet it made */
	struct answer next = {.m = m, .fleet = fleet};
	usleep(2000); /* asked a clock tick after the deploy's answer came */
	int64_t next_asked = clock_now_ms();
	rename_call(s, fleet, "renamed next", &next);
	CHECK(run_until(called, &next, 20000));
	CHECK_EQ_INT(after.called, 1);
	CHECK_EQ_INT(after.outcome, CALL_OK);
	CHECK(after.selection != 0);
	CHECK(after.selection_seen);
	CHECK(!strcmp(next.name_seen, "renamed next"));
	CHECK(!strcmp(mirror_world(m, world)->name, "renamed in the gap"));
	CHECK(mirror_asked_ms(m) >= next_asked);
	CHECK_EQ_INT(mirror_gaps_skipped(m), 1);
}

static int start_sim(const char *bin, const char *logpath, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	char *argv[] = {(char *)bin, "--listen", "127.0.0.1:0", "--watch-ms", "600000",
			"--seed", "9", "--worlds", "40", "--fleets", "6", NULL};
	int rc = posix_spawn(pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	for (int i = 0; i < 400; i++) {
		FILE *fp = fopen(logpath, "r");
		char line[512];
		while (fp && fgets(line, sizeof line, fp)) {
			const char *p = strstr(line, "msg=\"listening\"");
			p = p ? strstr(p, " port=") : NULL;
			if (p) {
				fclose(fp);
				return atoi(p + 6);
			}
		}
		if (fp)
			fclose(fp);
		usleep(25000);
	}
	return -1;
}

static void test_password_sources(struct upstream *up, struct mirror *m)
{
	char err[256];
	struct session_config sc = {.username = "demo", .game = "sim"};
	unsetenv("FLEETD_PASSWORD");
	CHECK(session_new(loop, up, m, &sc, err, sizeof err) == NULL);
	CHECK(strstr(err, "no game password") != NULL);
	sc.password_file = "/nonexistent/pw";
	CHECK(session_new(loop, up, m, &sc, err, sizeof err) == NULL);
	CHECK(strstr(err, "/nonexistent/pw") != NULL);
	char path[] = "/tmp/fleetd-pw-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "\n", 1) == 1);
	close(fd);
	sc.password_file = path;
	CHECK(session_new(loop, up, m, &sc, err, sizeof err) == NULL);
	CHECK(strstr(err, "holds no password") != NULL);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "demo\n", 5) == 5);
	close(fd);
	struct session *s = session_new(loop, up, m, &sc, err, sizeof err);
	CHECK(s != NULL);
	session_free(s);
	unlink(path);
	sc.username = NULL;
	CHECK(session_new(loop, up, m, &sc, err, sizeof err) == NULL);
}

/* Completion order of the calls of test_pending_order. */
static int order[4], norder;

static void on_ordered(void *arg, const struct call_result *r)
{
	const int *index = arg;
	if (norder < 4)
		order[norder] = r->outcome == CALL_TRANSIENT ? *index : -1;
	norder++;
}

static int three_done(void *arg)
{
	(void)arg;
	return norder >= 3;
}

/* Nothing listens: the log-in fails and the waiting calls with it, first
 * made first; a call made after that waits for the next log-in and is
 * dropped, without a callback, when the session goes. */
static void test_pending_order(void)
{
	static const int index[4] = {0, 1, 2, 3};
	char err[256];
	struct upstream_config uc = {.base_url = "http://127.0.0.1:1/api/", .rate = 1000,
				     .max_attempts = 1};
	struct upstream *up = upstream_new(loop, &uc, err, sizeof err);
	struct mirror *m = mirror_new();
	struct session_config sc = {.username = "demo", .game = "sim",
				    .relogin_max_ms = 600000};
	struct session *s = up && m ? session_new(loop, up, m, &sc, err, sizeof err) : NULL;
	CHECK(s != NULL);
	if (!s)
		goto out;
	CHECK(session_start(s) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(session_call(s, "getTactical", json_pack("{s:i}", "objID", 1),
				   CALL_IDEMPOTENT, on_ordered, (void *)&index[i]) == 0);
	CHECK(run_until(three_done, NULL, 20000));
	CHECK_EQ_INT(norder, 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(order[i], i);
	CHECK(session_call(s, "getTactical", json_pack("{s:i}", "objID", 1),
			   CALL_IDEMPOTENT, on_ordered, (void *)&index[3]) == 0);
	session_free(s);
	CHECK_EQ_INT(norder, 3);
out:
	upstream_free(up);
	mirror_free(m);
}

int main(void)
{
	const char *bin = getenv("FLEETSIM");
	if (!bin || access(bin, X_OK) != 0) {
		fprintf(stderr, "SKIP: no fleetsim ($FLEETSIM)\n");
		return 77;
	}
	log_set_level(LOG_WARN);
	char logpath[] = "/tmp/fleetd-test-session-XXXXXX";
	int lfd = mkstemp(logpath);
	close(lfd);
	pid_t pid;
	int port = start_sim(bin, logpath, &pid);
	if (port <= 0) {
		fprintf(stderr, "fleetsim did not start\n");
		return 1;
	}
	loop = loop_new();
	struct mirror *m = mirror_new();
	char base[64], err[256];
	snprintf(base, sizeof base, "http://127.0.0.1:%d/api/", port);
	struct upstream_config uc = {.base_url = base, .rate = 1000, .burst = 1000};
	struct upstream *up = upstream_new(loop, &uc, err, sizeof err);
	CHECK(up != NULL);
	test_password_sources(up, m);
	setenv("FLEETD_PASSWORD", "demo", 1);
	test_pending_order();

	setenv("FLEETD_PASSWORD", "demo", 1);
	struct session_config sc = {.username = "demo", .game = "sim"};
	struct session *s = session_new(loop, up, m, &sc, err, sizeof err);
	CHECK(s != NULL);
	CHECK(session_state(s) == SESSION_DOWN);
	CHECK(session_start(s) == 0);

	/* a call made before the state is loaded waits for it */
	struct answer early = {0};
	in_call = 1;
	CHECK(session_call(s, "getTactical", json_pack("{s:i}", "objID", 1), CALL_IDEMPOTENT,
			   on_done, &early) == 0);
	CHECK(session_call(s, "renameObject", json_array(), 0, on_done, &early) == -1);
	in_call = 0;
	CHECK(run_until(ready, m, 20000));
	CHECK(session_state(s) == SESSION_CONNECTED);
	CHECK(run_until(called, &early, 20000));
	CHECK(!early.during_call);

	/* an own fleet anchored somewhere, and another world */
	const int64_t *ids;
	size_t n = mirror_fleets_of(m, mirror_player(m), &ids);
	CHECK(n > 0);
	int64_t fleet = 0, target = 0;
	for (size_t i = 0; i < n && !fleet; i++)
		if (mirror_fleet(m, ids[i])->anchor)
			fleet = ids[i];
	const struct mirror_fleet *f = mirror_fleet(m, fleet);
	for (size_t i = 0; f && i < mirror_world_count(m) && !target; i++)
		if (mirror_world_at(m, i)->id != f->anchor)
			target = mirror_world_at(m, i)->id;
	CHECK(fleet && target);

	/* the answer is merged before the callback */
	struct answer mv = {.m = m, .fleet = fleet};
	in_call = 1;
	CHECK(session_call(s, "setDestination",
			   json_pack("{s:I,s:I}", "objID", (json_int_t)fleet, "dest",
				     (json_int_t)target),
			   CALL_IDEMPOTENT, on_done, &mv) == 0);
	in_call = 0;
	CHECK_EQ_INT(mv.called, 0);
	CHECK(run_until(called, &mv, 20000));
	CHECK_EQ_INT(mv.outcome, CALL_OK);
	CHECK_EQ_INT(mv.dest_seen, target);

	/* a refusal by the game */
	struct answer bad = {0};
	CHECK(session_call(s, "setDestination",
			   json_pack("{s:i,s:I}", "objID", 1, "dest", (json_int_t)target),
			   CALL_IDEMPOTENT, on_done, &bad) == 0);
	CHECK(run_until(called, &bad, 20000));
	CHECK_EQ_INT(bad.outcome, CALL_GAME_ERROR);
	CHECK(bad.code[0] && bad.message[0]);

	/* push our token out of fleetsim's memory with 1100 other logins */
	int logged = 0;
	for (int i = 0; i < 1100; i++)
		upstream_post(up, "login",
			      json_pack("{s:s,s:s,s:b}", "username", "demo", "password", "demo",
					"actual", 1),
			      UPSTREAM_IDEMPOTENT, count_login, &logged);
	CHECK(run_until(all_logged, &logged, 60000));
	uint64_t logins_before = session_get_stats(s)->logins;
	struct answer ren = {.m = m, .fleet = fleet};
	CHECK(session_call(s, "renameObject",
			   json_pack("{s:I,s:s}", "objID", (json_int_t)fleet, "name", "renamed"),
			   0, on_done, &ren) == 0);
	CHECK(run_until(called, &ren, 20000));
	CHECK_EQ_INT(ren.outcome, CALL_OK);
	CHECK(!strcmp(ren.name_seen, "renamed"));
	CHECK_EQ_INT(session_get_stats(s)->relogins, 1);
	CHECK_EQ_INT(session_get_stats(s)->logins, logins_before + 1);
	CHECK_EQ_INT(session_get_stats(s)->full_loads, 1);

	test_full_rewinds(s, up, m, fleet);

	session_free(s);
	upstream_free(up);
	mirror_free(m);
	loop_free(loop);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(logpath);
	return tap_done();
}
