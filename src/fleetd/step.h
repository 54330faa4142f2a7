/* step.h -- the contract between the job engine and one step op.
 *
 * Each op (src/step_<op>.c) is a small state machine: an enum of
 * sub-states (index 0 is always START; an op that sends one call and
 * waits for it has the shared STEP_START and STEP_SENT, below) whose
 * names are persisted in jobs.sub_state, a JSON object of persisted
 * fields (jobs.step_data), and one function that advances it.  The
 * function looks at the mirror and at the answer of the call it asked
 * for, updates sub and data, and says what happens next: done, wait until
 * a time, wait for a condition, send a game call, or fail.  It never
 * blocks, never keeps anything in C memory between calls, and may be
 * re-run at any persisted sub-state (after a restart, a resume or a lost
 * answer): re-running it must be harmless.
 *
 * The engine handles what every op shares: persistence, events, the lease,
 * game errors (the job fails with the game's message, or with on_error
 * "continue" goes on with the next step), transient faults
 * (backoff, then the op runs again with resend = 1) and ambiguous outcomes
 * (the op runs again with no answer, after a fresh watch).  So an op in a
 * "call sent" sub-state sees either reply (the call succeeded), resend (it
 * certainly had no effect) or neither (unknown: reconcile). */
#ifndef FLEETD_STEP_H
#define FLEETD_STEP_H

#include <jansson.h>
#include <stdint.h>

#include "call_flags.h"

struct engine;
struct mirror;
struct mirror_fleet;
struct mirror_world;
struct rng;
struct store;

enum step_verdict {
	STEP_DONE,       /* the step is complete: go on to the next */
	STEP_WAIT_UNTIL, /* sleep until until_ms (absolute wall clock) */
	STEP_WAIT_FOR,   /* sleep until the mirror reports the condition may hold */
	STEP_CALL,       /* send endpoint(params) once the state is committed */
	STEP_ERROR,      /* the job fails with msg */
};

/* What a waiting job is woken by (persisted in jobs.wait_kind). */
enum wait_kind {
	WAIT_NONE,
	WAIT_ANCHORED, /* key: fleet, arg: world -- fleet F changed */
	WAIT_BATTLE,   /* key: world -- world W changed */
	WAIT_WATCH,    /* key: watch number -- watch >= key */
	WAIT_READY,    /* the mirror has the galaxy (after start-up) */
	WAIT_FLEET,    /* key: fleet -- fleet F changed or vanished */
	WAIT_COND,     /* a condition (cond.h) of the step: any object it
			* names changed, appeared or vanished; with until_ms,
			* also that deadline */
	WAIT_CHILDREN, /* a group's parent (group.h): never a step's wait; the
			* parent is written when its children end, and holds
			* no record in memory */
	WAIT_QUEUE,    /* key: queue id, arg: the take's ticket -- an item
			* was put into (or given back to) the queue for it */
	WAIT_KIND_COUNT
};

struct step_result {
	enum step_verdict verdict;
	int64_t until_ms;
	enum wait_kind wait;
	int64_t key, arg;
	const char *endpoint;
	json_t *params; /* owned by the result until the engine takes it */
	int flags;      /* CALL_IDEMPOTENT */
	int soft;       /* STEP_ERROR that on_error "continue" passes over */
	char msg[256];
};

struct step_ctx {
	struct engine *eng;
	struct store *store;
	const struct mirror *m;   /* never NULL when the op runs with needs_mirror */
	int64_t now_ms;
	int64_t job_id;
	int64_t fleet;            /* the job's fleet; deploy replaces it */
	int64_t world;            /* a world job's world (0: a fleet job) */
	const json_t *args;       /* this step as submitted */
	int sub;                  /* the op's sub-state */
	json_t *data;             /* the op's persisted fields (engine-owned) */
	const json_t *reply;      /* the answer to this op's call, or NULL */
	const json_t *vars;       /* the job's variables {name: id}, or NULL */
	int resend;               /* the last call certainly had no effect */
	struct rng *rng;          /* draws for waits that spread jobs out; NULL:
				   * one seeded from now_ms and job_id */
	int64_t step, iteration;  /* where the job is (take: what an item is
				   * held for) */
	/* out: the op binds the job variable bind (borrowed from args) to
	 * bind_value; written with the job's row (take) */
	const char *bind;
	int64_t bind_value;
};

struct step_op {
	const char *name;
	const char *const *states; /* names of the sub-states, [0] = "START" */
	int nstates;
	int needs_mirror;          /* 0 only for wait with seconds */
	void (*advance)(struct step_ctx *c, struct step_result *r);
	/* Optional: the job leaves this step unfinished (it failed, was
	 * cancelled, or a game error was passed over with on_error
	 * "continue").  Give back what the step holds for other jobs; c->m may
	 * be NULL or not ready, and c->reply is NULL. */
	void (*abandon)(struct step_ctx *c);
	/* Optional: the job is cancelled while at sub-state c->sub.  Return
	 * 1 if the step must first undo what it started (attack with
	 * on_cancel "abort": its battle may be on): it has moved c->sub to
	 * the sub-state that does that work.  The engine then writes the
	 * cancel as that sub-state in the same transaction, keeps the job
	 * live (and its fleet held) and ends it cancelled once the step is
	 * done or fails; so the work survives a restart like any step.
	 * Return 0 (nothing to undo): the job ends now and abandon runs.
	 * Runs inside the cancel's transaction: c->m may be NULL or not
	 * ready, c->reply is NULL, and it must not call the game. */
	int (*cancel)(struct step_ctx *c);
};

extern const struct step_op step_move, step_wait, step_explore, step_attack,
	step_transfer, step_deploy, step_sell, step_buy, step_disband,
	step_rename, step_abort_attack, step_designate, step_build, step_demolish,
	step_industry, step_products, step_trade_route, step_stop_trade_route,
	step_launch_lams, step_put, step_take;

/* --- helpers for ops (step_common.c) ----------------------------------- */
void step_done(struct step_result *r);
void step_wait_until(struct step_result *r, int64_t until_ms);
void step_wait_for(struct step_result *r, enum wait_kind kind, int64_t key,
		   int64_t arg);
/* params is stolen. */
void step_call(struct step_result *r, const char *endpoint, json_t *params,
	       int flags);
void step_error(struct step_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The current watch as an integer (0 before the mirror is ready). */
int64_t step_watch(const struct step_ctx *c);
int64_t step_data_int(const struct step_ctx *c, const char *key, int64_t dflt);
void step_data_set_int(struct step_ctx *c, const char *key, int64_t v);
/* An argument of the step as it runs: the value resolved when the step
 * started (a {"nearest": ...} target, a "$NAME", a computed quantity;
 * kept in the step's data under "args") or else as submitted. */
const json_t *step_arg(const struct step_ctx *c, const char *key);
/* The id of an argument of the step (0 if absent). */
int64_t step_arg_id(const struct step_ctx *c, const char *key);
/* Fill env for the conditions of this step: the job's fleet, the world
 * "$here" was resolved to when the step started, the job's variables. */
struct cond_env;
void step_cond_env(const struct step_ctx *c, struct cond_env *env);
/* The job's fleet from the mirror, or NULL after step_error() saying it no
 * longer exists. */
const struct mirror_fleet *step_fleet(struct step_ctx *c, struct step_result *r);
/* The same, and it must be stationed at a world (not under way). */
const struct mirror_fleet *step_anchored_fleet(struct step_ctx *c,
					       struct step_result *r);
/* Travel to a world, shared by move and explore (step_move.c).  The op
 * names its two sub-states: SENT (setDestination is out) and TRAVELLING. */
struct step_travel {
	int sent, travelling;
};
/* Send setDestination(fleet, to) (idempotent) and go to t->sent. */
void step_move_send(struct step_ctx *c, struct step_result *r, int64_t to,
		     int sent);
/* In SENT or TRAVELLING towards world `to`: returns 1 once fleet f is
 * anchored there.  Otherwise fills r and returns 0: the order sent again
 * (SENT without the answer while the fleet does not head there, or a
 * resend; TRAVELLING stationary elsewhere, at most 3 times, persisted as
 * `resends`, then an error), or a wait for the fleet to be anchored. */
int step_move_travel(struct step_ctx *c, struct step_result *r,
		     const struct mirror_fleet *f, int64_t to,
		     const struct step_travel *t);
/* Abort the player's battle at world `world` (step_abort.c), shared by
 * abort_attack and attack's on_cancel "abort".  The op names its two
 * sub-states and keeps the world in its data as "world".  In a->decide:
 * a battle on at the world -> a->sent, abortAttack sent (job.abort_sent);
 * none -> done (job.abort_skipped).  In a->sent: step_settle() with "no
 * battle at the world" as the effect, taken at once (conclusive): the
 * battle was on when the call left, so a world without one means it is
 * over.  Still on without an answer: after a fresh watch the call did not
 * act -> sent again.  The mirror does not say whose battle it is: a
 * rival's is refused by the game (noBattle), a game error of the step. */
struct step_abort {
	int decide, sent;
};
void step_abort_advance(struct step_ctx *c, struct step_result *r,
			const struct step_abort *a);
/* Append an event to the job's history (e.g. "job.reconciled"). */
void step_note(struct step_ctx *c, const char *type, json_t *data);

/* Effectively-once ops (transfer, deploy, sell, buy) share this rule for
 * an intent whose outcome is unknown: the galaxy may only be judged once
 * the mirror holds an answer fetched after the call could have acted, that
 * is a watch later than the one recorded with the intent (and later than
 * the watch of an ambiguous outcome), and after an ambiguous outcome an
 * answer asked for after it (`ambiguous_at` against mirror_asked_ms: an
 * answer written before the call acted may carry the later watch).
 * Returns 1 when the mirror is fresh enough; otherwise fills r with a wait
 * for the next watch and returns 0. */
int step_intent_fresh(struct step_ctx *c, struct step_result *r);
/* Record the watch the intent was written in (before the call). */
void step_intent_open(struct step_ctx *c);
/* The send of such an op: step_intent_open, move to the op's sub-state
 * `sent`, and call endpoint(params) -- not idempotent, so the engine sends
 * it once the state is committed.  params is stolen. */
void step_intent_send(struct step_ctx *c, struct step_result *r, int sent,
		      const char *endpoint, json_t *params);
/* Only one effectively-once intent may be open per world: a reconciliation
 * reads quantities and fleets at that world, and another job's action
 * there would look like (or hide) this one's effect.  Returns 1 and takes
 * the world for this job, or 0 with r filled with a short wait if another
 * live job holds it (INTENT_LOCK_POLL_MIN_MS .. _MAX_MS, drawn from
 * c->rng so that jobs waiting for the same world spread out). */
int step_intent_lock(struct step_ctx *c, int64_t world, struct step_result *r);
#define INTENT_LOCK_POLL_MIN_MS 200
#define INTENT_LOCK_POLL_MAX_MS 500

/* What an op whose call must act once (transfer, deploy, sell, buy,
 * disband) tells step_settle about its effect. */
struct step_effect {
	const char *op; /* named in the job.reconciled event */
	/* Write a new intent and send the call again (step_intent_send). */
	void (*send)(struct step_ctx *c, struct step_result *r);
	/* Nonzero if the galaxy shows that the call acted (deploy: the new
	 * fleet's id). */
	int64_t (*found)(struct step_ctx *c);
	/* Instead of found, for an op that acts on the world of its intent
	 * (intent_world, step_world.h): nonzero if world w, NULL when the
	 * mirror does not know it, shows the call's effect. */
	int (*shows)(const struct step_ctx *c, const struct mirror_world *w);
	/* The call acted: effect is what found() returned, or 0 with the
	 * answer in c->reply.  NULL: the step is done. */
	void (*acted)(struct step_ctx *c, struct step_result *r, int64_t effect);
	/* START: the world whose intent lock the op takes (step_intent_lock),
	 * or 0 after step_error(); NULL: no lock, the job's fleet must only
	 * exist (disband). */
	int64_t (*world)(struct step_ctx *c, struct step_result *r);
	int names_fleet; /* the event also says "fleet": the effect */
	int conclusive;  /* an effect seen is this call's whatever the watch
			  * (disband: the fleet gone), so it is taken at once
			  * instead of after a fresher watch */
};

/* The SENT sub-state of such an op.  With the answer: acted.  After a
 * transient fault (resend: certainly no effect): send again.  With neither
 * (a crash or a lost answer) the call may or may not have acted: once
 * step_intent_fresh allows it, found() decides, a job.reconciled event
 * says what it found, and the step is acted or sent again -- so the action
 * is never performed twice and never skipped. */
void step_settle(struct step_ctx *c, struct step_result *r,
		 const struct step_effect *e);
/* The whole life of such an op: START takes the world's lock and sends;
 * SENT is step_settle(). */
void step_effect_advance(struct step_ctx *c, struct step_result *r,
			 const struct step_effect *e);
/* For e->world: the world the job's fleet is anchored at (0 after
 * step_error() if it is under way or gone). */
int64_t step_anchored_world(struct step_ctx *c, struct step_result *r);

/* The two sub-states of an op that sends one call and waits for it
 * (these ops, the world ops, sell, rename, abort_attack): START decides
 * and sends (step_intent_send or step_call, going to STEP_SENT), SENT
 * waits for the answer (the effectively-once ones: step_settle). */
enum step_sent_state { STEP_START, STEP_SENT, STEP_SENT_NSTATES };
extern const char *const step_sent_states[STEP_SENT_NSTATES];

/* The step_op of such an op, named name_, that needs the mirror and
 * advances with advance_: `const struct step_op step_x =
 * STEP_SENT_OP("x", x_advance);`. */
#define STEP_SENT_OP(name_, advance_)                                    \
	{                                                                 \
		.name = name_, .states = step_sent_states,                \
		.nstates = STEP_SENT_NSTATES, .needs_mirror = 1,          \
		.advance = advance_,                                      \
	}

/* Define `const struct step_op var` for such an op whose whole life is
 * run(c, r, spec): run is step_effect_advance and spec its struct
 * step_effect, or step_world_advance (step_world.h) and its struct
 * world_op.  Its advance, static var##_advance, only calls run. */
#define STEP_SENT_OP_DEFINE(var, name_, run, spec)                       \
	static void var##_advance(struct step_ctx *c, struct step_result *r) \
	{                                                                 \
		run(c, r, spec);                                          \
	}                                                                 \
	const struct step_op var = STEP_SENT_OP(name_, var##_advance)

/* The cargo ops (transfer, sell): their call moves the resources res
 * ([id, qty, ...]) between the job's fleet and the step's `to`.  The
 * send keeps the fleet's quantities of them now as "before" and sends
 * endpoint {fleet_key: the fleet, to_key: `to`, "resources": res}
 * (step_intent_send, to STEP_SENT). */
void step_cargo_send(struct step_ctx *c, struct step_result *r, const char *endpoint,
		     const char *fleet_key, const char *to_key, const json_t *res);
/* A step_effect .found for them: the fleet's quantities differ from
 * "before", so the call acted (the fleet is leased to the job: nothing
 * else moves its cargo). */
int64_t step_cargo_moved(struct step_ctx *c);

#endif
