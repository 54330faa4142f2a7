/* engine.c -- see engine.h.
 *
 * Life of a wake: a timer fires, the mirror reports a change a waiting job
 * cares about, a call answers, or a job is submitted/resumed.  The record
 * goes on the run queue; the loop source below drains it, and for each job
 * run_job() loads the row, lets the current op advance (several steps if
 * they complete at once), writes the row and its events back in the turn's
 * transaction, and then registers the job's new wait in memory.  A game
 * call is queued with store_on_commit(), so it leaves only once the state
 * that expects its answer is durable.  Nothing about a job's progress is
 * kept between wakes except the compact record.
 *
 * A failed commit undoes every row the transaction wrote; the records of
 * those jobs are then put back as their rows say (engine_revert), the
 * calls queued with it are dropped unsent, and while the store is
 * unavailable no job is advanced (woken jobs wait on the run queue) --
 * see "A failed commit" below.
 *
 * Owns: the life of a wake (the run queue, the waits registered in the
 * loop's timer heap and the condition index, advancing a job through its
 * ops, the game calls between commit and answer), submission, control,
 * the lease of fleets and of worlds (a world job holds its world), the
 * rows of a group (storing it whole, controlling it, ending its parent --
 * what a group is, is group.h), the takes waiting on queues and who
 * gets a queue's item, and the counters.
 * Must not touch: how a row is stored (job_row.c: every read and write of
 * whole columns goes through it) or how a job is answered (job_read.c,
 * which the engine only tells which rows it writes). */
#include "engine.h"
#include "job_read.h"
#include "job_row.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "backoff.h"
#include "clock.h"
#include "cond.h"
#include "condidx.h"
#include "ev_text.h"
#include "eventlog.h"
#include "group.h"
#include "idmap.h"
#include "jobmemo.h"
#include "json_canon.h"
#include "jsonx.h"
#include "jobspec.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "queue.h"
#include "queue_wait.h"
#include "rng.h"
#include "session.h"
#include "step.h"
#include "step_resolve.h"
#include "store.h"
#include "textbuf.h"

#define RUN_BATCH 256       /* jobs advanced per loop turn */
#define MAX_HOPS 64         /* step transitions in one advance */
#define BACKOFF_BASE_MS 1000
#define BACKOFF_MAX_MS 300000

enum rec_flag { REC_IN_FLIGHT = 1, REC_IN_WATCH = 2 };

/* A job waiting on a condition (WAIT_COND) is indexed under every object
 * the condition names, in the engine's second index (cwi): any of them
 * changing wakes it, and it reads the condition again.  The nodes and the
 * compiled condition share one allocation (the program is copied in after
 * v[n]), so judging a condition reads a few adjacent cache lines rather
 * than the job's record and a separate program: a change of an object
 * named by thousands of conditions is bound by those memory reads. */
struct cond_wait;
struct cond_wait_node {
	struct cond_node node;
	struct cond_wait *cw;
};
struct cond_wait {
	struct job_rec *r;
	struct cond_prog *prog; /* the condition, its references resolved; in this block */
	uint64_t judged;        /* the change batch it was last judged in */
	size_t n;
	struct cond_wait_node v[];
};

/* The whole in-memory cost of a live job. */
struct job_rec {
	struct loop_timer timer; /* timed waits; its node doubles as the watch-heap node */
	struct cond_node cond;   /* fleet/world condition */
	struct list_node qlink;  /* on the run queue (linked while queued) */
	struct cond_wait *cw;    /* a condition wait: one node per object named */
	struct engine *eng;
	int64_t id, fleet, wait_arg;
	int64_t world;           /* a world job's world (set once), else 0 */
	uint8_t state, wait, flags;
};

/* The statements of the engine, written once by the row codec. */
enum {
	SAVE_FLEET = 1, SAVE_STATE = 2, SAVE_INTENT = 4, SAVE_FINISHED = 8,
	SAVE_VARIANTS = 16
};
struct engine_sql {
	char load[1024], insert[1024], live[512], state_of[256], set_state[256];
	/* the write of an advanced job, naming the indexed columns of the
	 * SAVE_* bits: SQLite maintains an index only for the columns an
	 * UPDATE names */
	char save[SAVE_VARIANTS][1024];
	char locked_by[512]; /* engine_world_locked_by */
	char revert[512];    /* a record's columns, by id (engine_revert) */
	char vars[256];      /* a job's variables, bound by its take */
	char counts[160];    /* the jobs by state but succeeded (load_counts) */
};

struct engine {
	struct app *app;
	struct loop *loop;
	struct store *st;
	struct eventlog *el;
	struct idmap recs;  /* id -> live job */
	struct idmap lease; /* fleet -> live job */
	struct idmap wlease; /* world -> live world job */
	struct condidx ci;
	struct condidx cwi;     /* condition waits (struct cond_wait_node) */
	struct qwaits qw;       /* takes waiting for an item, per queue */
	struct list_node runq;  /* job_rec.qlink: to run, oldest first */
	struct list_node calls; /* pending_call.link: sent, not answered */
	uint64_t counts[JOB_STATE_COUNT];
	uint64_t transitions;
	uint64_t cond_evals; /* waiting conditions judged on a change */
	uint64_t batch;      /* change batches seen (on_changes) */
	size_t cond_jobs;    /* jobs with a struct cond_wait */
	struct rng rng; /* retry jitter */
	int mirror_attached;
	struct jobread *reads; /* answers; told of every row written */
	struct jobmemo memo; /* specs and rows of recently run jobs */
	int memo_armed;      /* memo_committed() waits for this transaction */
	struct engine_sql sql;
	/* a failed commit: the jobs the open transaction writes, and those
	 * whose records must be put back as their rows say */
	struct idvec touched, revert;
	int touch_hooked;       /* touched_committed() is queued */
	uint64_t answers_lost;  /* answers that came while nothing could be written */
	uint64_t tx_transitions; /* e->transitions when the transaction began */
	int64_t group_open; /* the parent whose children are being stored */
	int64_t id_floor;   /* ids up to this were handed out (a group undone) */
	int64_t next_id;    /* the next id once read from the table; 0: read it */
};

/* A job's row while it is being advanced.  row_* are the indexed columns
 * as the row holds them: a write sets only those that changed, so SQLite
 * touches an index only when its key moves. */
struct job {
	int64_t world; /* a world job's world, 0 for a fleet job */
	int64_t parent; /* a group child's parent, else 0 */
	int64_t id, fleet, step, iteration, wake_at, wait_key, wait_arg, attempts;
	int64_t started_at, finished_at, created_at;
	int state, paused_from, wait;
	char sub[32];
	json_t *spec, *data;
	const json_t *steps; /* the spec's "steps", looked up once when j is made */
	json_t *vars; /* {"NAME": id}, NULL for none */
	int vars_dirty; /* a take bound one: the row's vars are written */
	char *last_error;
	int64_t row_fleet, row_intent, row_finished;
	int row_state;
};

static const struct step_op *const step_ops[OP_COUNT] = {
	[OP_MOVE] = &step_move,         [OP_WAIT] = &step_wait,
	[OP_EXPLORE] = &step_explore,   [OP_ATTACK] = &step_attack,
	[OP_TRANSFER] = &step_transfer, [OP_DEPLOY] = &step_deploy,
	[OP_SELL] = &step_sell,         [OP_BUY] = &step_buy,
	[OP_DISBAND] = &step_disband,   [OP_RENAME] = &step_rename,
	[OP_ABORT_ATTACK] = &step_abort_attack,
	[OP_DESIGNATE] = &step_designate, [OP_BUILD] = &step_build,
	[OP_DEMOLISH] = &step_demolish, [OP_INDUSTRY] = &step_industry,
	[OP_PRODUCTS] = &step_products, [OP_TRADE_ROUTE] = &step_trade_route,
	[OP_STOP_TRADE_ROUTE] = &step_stop_trade_route,
	[OP_LAUNCH_LAMS] = &step_launch_lams,
	[OP_PUT] = &step_put,           [OP_TAKE] = &step_take,
};

static int is_live(int state)
{
	return job_state_live(state);
}

/* --- the run queue and waking ------------------------------------------ */

static void enqueue(struct engine *e, struct job_rec *r)
{
	if (list_linked(&r->qlink) || (r->flags & REC_IN_FLIGHT))
		return;
	list_push_back(&e->runq, &r->qlink);
}

static void unregister_wait(struct engine *e, struct job_rec *r)
{
	if (r->flags & REC_IN_WATCH) {
		condidx_remove_watch(&e->ci, &r->timer.node);
		r->flags &= (uint8_t)~REC_IN_WATCH;
	} else {
		loop_timer_disarm(e->loop, &r->timer);
	}
	condidx_remove(&e->ci, &r->cond);
	if (r->cw) {
		for (size_t i = 0; i < r->cw->n; i++)
			condidx_remove(&e->cwi, &r->cw->v[i].node);
		free(r->cw); /* its program with it */
		r->cw = NULL;
		e->cond_jobs--;
	}
	if (r->wait == WAIT_QUEUE)
		qwaits_remove(&e->qw, r->id);
	r->wait = WAIT_NONE;
}

static void wake(struct engine *e, struct job_rec *r)
{
	unregister_wait(e, r);
	enqueue(e, r);
}

static void on_timer(struct loop *loop, void *arg)
{
	(void)loop;
	struct job_rec *r = arg;
	r->wait = WAIT_NONE;
	enqueue(r->eng, r);
}

static int64_t mirror_watch_int(const struct engine *e)
{
	const struct mirror *m = e->app->mirror;
	return m && mirror_ready(m) ? (int64_t)floor(mirror_watch(m)) : -1;
}

/* Register r's wait in memory.  A condition that already holds (known
 * from the mirror without touching the row) wakes it at once. */
static void register_wait(struct engine *e, struct job_rec *r, int kind,
			  int64_t key, int64_t arg, int64_t wake_at)
{
	r->wait = (uint8_t)kind;
	r->wait_arg = arg;
	int rc = 0;
	switch (kind) {
	case WAIT_NONE:
		if (wake_at > 0)
			rc = loop_timer_arm(e->loop, &r->timer, wake_at);
		else
			enqueue(e, r);
		break;
	case WAIT_ANCHORED:
	case WAIT_FLEET:
		rc = condidx_add(&e->ci, &r->cond, COND_SPACE_FLEET, key);
		break;
	case WAIT_BATTLE:
		rc = condidx_add(&e->ci, &r->cond, COND_SPACE_WORLD, key);
		break;
	case WAIT_QUEUE: /* from a row: the take runs again and takes its place
			  * among the waiters by its ticket */
		r->wait = WAIT_NONE;
		enqueue(e, r);
		break;
	case WAIT_COND: /* from a row at start-up: judged again at the first watch */
	case WAIT_WATCH:
	case WAIT_READY: {
		/* "ready" sits at -1 in the heap: the first watch the mirror
		 * reports wakes it */
		int64_t w = kind == WAIT_WATCH ? key : -1, now = mirror_watch_int(e);
		if (now >= 0 && now >= w) {
			enqueue(e, r);
			break;
		}
		rc = condidx_add_watch(&e->ci, &r->timer.node, w);
		if (rc == 0)
			r->flags |= REC_IN_WATCH;
		break;
	}
	}
	if (rc < 0) {
		log_error("cannot register a wait", "job=%lld", (long long)r->id);
		r->wait = WAIT_NONE;
		loop_timer_arm(e->loop, &r->timer, clock_now_ms() + 1000);
	}
}

/* A field of j's step data, NULL if it has none.  Most steps keep no
 * fields, and jansson hashes the key even to search an empty object: the
 * flags a woken job reads (resend, cancelling, intent_world, ...) would
 * cost about 150 instructions each. */
static json_t *data_get(const struct job *j, const char *key)
{
	return jsonx_field(j->data, key);
}

/* The arguments of j's current step. */
static const json_t *step_args(const struct job *j)
{
	return json_array_get(j->steps, (size_t)j->step);
}

/* What a job's conditions' references stand for now. */
static void job_cond_env(const struct job *j, struct cond_env *env)
{
	env->self = j->fleet;
	env->here = json_integer_value(data_get(j, "here"));
	env->var = cond_vars_get;
	env->var_arg = j->vars;
}

/* The condition a WAIT_COND job waits on: its wait step's `until`. */
static const json_t *waiting_cond(const struct job *j)
{
	const json_t *args = step_args(j);
	return json_object_get(args, "until");
}

/* Index r under every object its condition names, and arm its deadline.
 * The condition is kept compiled, so a change of one of its objects is
 * judged in memory (on_cond_wait) and only a condition that now holds
 * costs a run of the job.  One whose references cannot be resolved, or
 * that cannot be indexed, is left to the step: the job runs again at the
 * next watch and reads it itself. */
static void register_cond(struct engine *e, struct job_rec *r, const struct job *j)
{
	int64_t ids[2 * COND_MAX_ATOMS];
	char err[8];
	const json_t *c = waiting_cond(j);
	struct cond_env env;
	job_cond_env(j, &env);
	struct cond_prog *prog = c ? cond_compile(c, &env, err, sizeof err) : NULL;
	size_t n = prog ? cond_prog_objects(prog, ids, sizeof ids / sizeof ids[0]) : 0;
	size_t nodes = sizeof(struct cond_wait) + n * sizeof(struct cond_wait_node);
	struct cond_wait *cw = n > 0 && n <= sizeof ids / sizeof ids[0] ?
		calloc(1, nodes + cond_prog_size(prog)) : NULL;
	if (!cw) {
		cond_prog_free(prog);
		register_wait(e, r, WAIT_WATCH, mirror_watch_int(e) + 1, 0, 0);
		return;
	}
	cw->prog = cond_prog_copy((char *)cw + nodes, prog);
	cond_prog_free(prog);
	cw->r = r;
	r->cw = cw;
	r->wait = WAIT_COND;
	e->cond_jobs++;
	for (size_t i = 0; i < n; i++) {
		cw->v[i].cw = cw;
		if (condidx_add(&e->cwi, &cw->v[i].node, COND_SPACE_FLEET, ids[i]) < 0)
			break;
		cw->n++;
	}
	if (cw->n < n) {
		unregister_wait(e, r);
		register_wait(e, r, WAIT_WATCH, mirror_watch_int(e) + 1, 0, 0);
		return;
	}
	/* the values of its atoms as of now (the step has just found it
	 * false), so that a change reads only the object that changed */
	const struct mirror *m = e->app->mirror;
	if (m && mirror_ready(m))
		cond_prog_judge(cw->prog, m, 0);
	if (j->wake_at > 0 && loop_timer_arm(e->loop, &r->timer, j->wake_at) < 0)
		log_error("cannot arm a wait's deadline", "job=%lld", (long long)r->id);
}

static void queue_hand_over(struct engine *e, int64_t q, int64_t now);

/* A take waits for an item of its queue (wait_key) in the place its
 * ticket (wait_arg) gives it; an item put there is held for the first
 * waiter and wakes it (queue_hand_over). */
static void register_queue(struct engine *e, struct job_rec *r, const struct job *j)
{
	struct qwaiter w = {.job = j->id, .queue = j->wait_key, .ticket = j->wait_arg,
			    .step = j->step, .iter = j->iteration, .owner = r};
	list_init(&w.link);
	if (qwaits_add(&e->qw, &w) < 0) {
		log_error("cannot register a take's wait", "job=%lld", (long long)r->id);
		loop_timer_arm(e->loop, &r->timer, clock_now_ms() + 1000);
		return;
	}
	r->wait = WAIT_QUEUE;
	/* an item with no taker while takes wait (one that came while the
	 * takes ahead were still being loaded after a restart) goes to the
	 * first of them now: the queue never stalls */
	queue_hand_over(e, j->wait_key, clock_now_ms());
}

/* May the condition of r have come true?  Answered from the mirror alone,
 * so a fleet still under way costs no database read. */
static int cond_may_hold(struct engine *e, struct job_rec *r)
{
	const struct mirror *m = e->app->mirror;
	if (!m)
		return 1;
	if (r->wait == WAIT_ANCHORED) {
		const struct mirror_fleet *f = mirror_fleet(m, r->cond.id);
		return !f || f->dest_id == 0; /* arrived, stopped or gone */
	}
	if (r->wait == WAIT_BATTLE) {
		const struct mirror_world *w = mirror_world(m, r->cond.id);
		return !w || !w->in_battle;
	}
	return 1;
}

static void on_cond(void *arg, struct cond_node *n)
{
	struct engine *e = arg;
	struct job_rec *r = (struct job_rec *)((char *)n - offsetof(struct job_rec, cond));
	int64_t key = n->id; /* the fleet or world it was taken under */
	if (cond_may_hold(e, r)) {
		r->wait = WAIT_NONE;
		enqueue(e, r);
		return;
	}
	cond_node_init(&r->cond);
	condidx_add(&e->ci, &r->cond,
		    r->wait == WAIT_BATTLE ? COND_SPACE_WORLD : COND_SPACE_FLEET, key);
}

static void on_watch(void *arg, struct theap_node *n)
{
	struct engine *e = arg;
	struct job_rec *r = (struct job_rec *)((char *)n - offsetof(struct job_rec, timer));
	r->flags &= (uint8_t)~REC_IN_WATCH;
	r->wait = WAIT_NONE;
	enqueue(e, r);
}

/* An object a waiting condition names changed: judge the condition in
 * memory; still false, the node stays where it is (condidx_visit). */
static void on_cond_wait(void *arg, struct cond_node *n)
{
	struct engine *e = arg;
	struct cond_wait_node *cn = (struct cond_wait_node *)n;
	struct cond_wait *cw = cn->cw;
	const struct mirror *m = e->app->mirror;
	/* counted once per batch, however many of its objects changed */
	if (cw->judged != e->batch) {
		cw->judged = e->batch;
		e->cond_evals++;
	}
	/* Only the atoms of the object taken under are read again.  Another
	 * object it names may have changed in the same batch and not been
	 * told yet: a value it kept may then be stale, which can make the
	 * condition look true too early (the fresh reading below guards the
	 * wake) or false (that object's own turn, later in this batch,
	 * judges it again). */
	if (m && mirror_ready(m) &&
	    (cond_prog_judge(cw->prog, m, n->id) == 0 || cond_prog_eval(cw->prog, m) == 0))
		return;
	wake(e, cw->r); /* unregisters and frees cn: condidx_visit goes on without it */
}

static void take_cond_waits(struct engine *e, const int64_t *ids, size_t n)
{
	for (size_t i = 0; i < n && e->cwi.n; i++)
		condidx_visit(&e->cwi, COND_SPACE_FLEET, ids[i], on_cond_wait, e);
}

static void on_changes(void *arg, const struct mirror_changes *ch)
{
	struct engine *e = arg;
	e->batch++;
	take_cond_waits(e, ch->fleets, ch->nfleets);
	take_cond_waits(e, ch->worlds, ch->nworlds);
	take_cond_waits(e, ch->removed, ch->nremoved);
	for (size_t i = 0; i < ch->nfleets; i++)
		condidx_take(&e->ci, COND_SPACE_FLEET, ch->fleets[i], on_cond, e);
	for (size_t i = 0; i < ch->nworlds; i++)
		condidx_take(&e->ci, COND_SPACE_WORLD, ch->worlds[i], on_cond, e);
	for (size_t i = 0; i < ch->nremoved; i++) {
		condidx_take(&e->ci, COND_SPACE_FLEET, ch->removed[i], on_cond, e);
		condidx_take(&e->ci, COND_SPACE_WORLD, ch->removed[i], on_cond, e);
	}
	int64_t w = mirror_watch_int(e);
	if (w >= 0)
		condidx_take_watch(&e->ci, w, on_watch, e);
	if (!list_empty(&e->runq))
		loop_wake(e->loop);
}

/* --- records ------------------------------------------------------------- */

static struct job_rec *rec_new(struct engine *e, int64_t id, int64_t fleet,
			       int64_t world, int state)
{
	struct job_rec *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	loop_timer_init(&r->timer, on_timer, r);
	cond_node_init(&r->cond);
	list_init(&r->qlink);
	r->eng = e;
	r->id = id;
	r->fleet = fleet;
	r->world = world;
	r->state = (uint8_t)state;
	if (idmap_put(&e->recs, id, r) < 0 ||
	    (fleet && idmap_put(&e->lease, fleet, r) < 0) ||
	    (world && idmap_put(&e->wlease, world, r) < 0)) {
		if (fleet && idmap_get(&e->lease, fleet) == r)
			idmap_del(&e->lease, fleet);
		idmap_del(&e->recs, id);
		free(r);
		return NULL;
	}
	return r;
}

/* The world job ended (or its end is being answered): the world is free. */
static void rec_free_world(struct engine *e, struct job_rec *r)
{
	if (r->world && idmap_get(&e->wlease, r->world) == r)
		idmap_del(&e->wlease, r->world);
	r->world = 0;
}

/* A job left the live states: forget it (its row stays). */
static void rec_drop(struct engine *e, struct job_rec *r)
{
	unregister_wait(e, r);
	list_remove(&r->qlink);
	if (r->fleet && idmap_get(&e->lease, r->fleet) == r)
		idmap_del(&e->lease, r->fleet);
	rec_free_world(e, r);
	idmap_del(&e->recs, r->id);
	jobmemo_forget(&e->memo, r->id);
	free(r);
}

static void rec_set_fleet(struct engine *e, struct job_rec *r, int64_t fleet)
{
	if (r->fleet == fleet)
		return;
	if (r->fleet && idmap_get(&e->lease, r->fleet) == r)
		idmap_del(&e->lease, r->fleet);
	r->fleet = fleet;
	if (fleet)
		idmap_put(&e->lease, fleet, r);
}

/* --- rows ---------------------------------------------------------------- */

/* What the engine reads of a row to advance it. */
#define LOAD_COLS (JOB_COLS_READ & ~(JC_BIT(JC_NAME) | JC_BIT(JC_UPDATED_AT)))
/* What a row holds where only the compact record is kept (start-up). */
#define LIVE_COLS                                                              \
	(JC_BIT(JC_ID) | JC_BIT(JC_FLEET) | JC_BIT(JC_STATE) | JC_BIT(JC_WAKE_AT) | \
	 JC_BIT(JC_WAIT_KIND) | JC_BIT(JC_WAIT_KEY) | JC_BIT(JC_WAIT_ARG) |      \
	 JC_BIT(JC_WORLD))
/* What control reads and writes. */
#define CTL_READ_COLS                                                     \
	(JC_BIT(JC_STATE) | JC_BIT(JC_PAUSED_FROM) | JC_BIT(JC_WAIT_KIND) |  \
	 JC_BIT(JC_PARENT))
#define CTL_WRITE_COLS                                                    \
	(JC_BIT(JC_ID) | JC_BIT(JC_STATE) | JC_BIT(JC_PAUSED_FROM) |         \
	 JC_BIT(JC_UPDATED_AT) | JC_BIT(JC_FINISHED_AT))

/* The columns of a write of an advanced job: the indexed ones only when
 * they changed (SAVE_* bits). */
static job_cols save_cols(int variant)
{
	return JOB_COLS_SAVE | JC_BIT(JC_ID) |
		(variant & SAVE_FLEET ? JC_BIT(JC_FLEET) : 0) |
		(variant & SAVE_STATE ? JC_BIT(JC_STATE) : 0) |
		(variant & SAVE_INTENT ? JC_BIT(JC_INTENT_WORLD) : 0) |
		(variant & SAVE_FINISHED ? JC_BIT(JC_FINISHED_AT) : 0);
}

/* --- a failed commit ------------------------------------------------------- */

/* Every job whose row the open transaction writes is noted (duplicates
 * are harmless).  If the commit fails, SQLite has undone all of them:
 * their records -- state, fleet lease, wait, run queue -- must follow the
 * rows again, which engine_revert() does in the next turn, once every
 * other callback of that commit has run (send_after_commit() drops the
 * calls it would have sent).  The counts by state are read again, and the
 * transition counter goes back to where the transaction found it. */
static void touched_committed(void *arg, int ok)
{
	struct engine *e = arg;
	e->touch_hooked = 0;
	if (ok) {
		e->touched.n = 0;
		return;
	}
	e->next_id = 0; /* the rows are gone: their ids are free again */
	e->transitions = e->tx_transitions;
	if (e->revert.n == 0) {
		struct idvec t = e->revert;
		e->revert = e->touched;
		e->touched = t;
	} else {
		for (size_t i = 0; i < e->touched.n; i++)
			if (idvec_push(&e->revert, e->touched.v[i]) < 0)
				log_error("cannot note a job to put back; it is reloaded at "
					  "its next wake", "job=%lld", (long long)e->touched.v[i]);
	}
	e->touched.n = 0;
	loop_wake(e->loop);
}

/* Note that the open transaction writes job id's row.  -1 (the write is
 * then not made) if the note or its commit hook cannot be queued. */
static int touch(struct engine *e, int64_t id)
{
	if (!e->touch_hooked) {
		if (store_on_commit(e->st, touched_committed, e) < 0)
			return -1;
		e->touch_hooked = 1;
		e->tx_transitions = e->transitions;
	}
	return idvec_push(&e->touched, id);
}

/* All the jobs: SQLite counts the entries of its smallest full index. */
static const char SQL_TOTAL[] = "SELECT count(*) FROM jobs";

/* The counts by state, from the table: each but succeeded from jobs_state
 * (which holds no succeeded job), and succeeded as the rest of the total. */
static int load_counts(struct engine *e)
{
	sqlite3_stmt *s = store_stmt(e->st, e->sql.counts);
	sqlite3_stmt *t = s ? store_stmt(e->st, SQL_TOTAL) : NULL;
	if (!t)
		return -1;
	memset(e->counts, 0, sizeof e->counts);
	uint64_t others = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int st = job_state_of((const char *)sqlite3_column_text(s, 0));
		uint64_t n = (uint64_t)sqlite3_column_int64(s, 1);
		others += n;
		if (st >= 0)
			e->counts[st] = n;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || sqlite3_step(t) != SQLITE_ROW) {
		sqlite3_reset(t);
		return -1;
	}
	uint64_t total = (uint64_t)sqlite3_column_int64(t, 0);
	sqlite3_reset(t);
	e->counts[JOB_STATE_UNINDEXED] = total > others ? total - others : 0;
	return 0;
}

/* Arm a record that is not in flight as its row (LIVE_COLS) says. */
static void place_from_row(struct engine *e, struct job_rec *r, const struct job_row *row)
{
	if (row->state == JOB_PAUSED)
		return;
	if (row->state == JOB_WAITING)
		register_wait(e, r, row->wait, row->wait_key, row->wait_arg, row->wake_at);
	else if (row->state == JOB_QUEUED)
		register_wait(e, r, WAIT_NONE, 0, 0, row->wake_at);
	else
		enqueue(e, r); /* running: its op finds out where it stood */
}

/* Put job id's record back as its row says after a failed commit: gone
 * with its row (a submission rolled back) or with its end; created again
 * if the job's end was rolled back; else its state and fleet from the
 * row, and its wait registered anew.  A record with a call in flight (sent
 * after an earlier commit) keeps waiting for its answer. */
static int revert_one(struct engine *e, int64_t id)
{
	sqlite3_stmt *s = store_stmt(e->st, e->sql.revert);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	struct job_row row;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		job_row_decode(s, LIVE_COLS, &row);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	struct job_rec *r = idmap_get(&e->recs, id);
	if (rc == SQLITE_DONE || !is_live(row.state) || row.wait == WAIT_CHILDREN) {
		/* gone, ended, or a group's parent (which has no record) */
		if (r && !(r->flags & REC_IN_FLIGHT))
			rec_drop(e, r);
		return 0;
	}
	if (!r && !(r = rec_new(e, id, row.fleet, row.world, row.state)))
		return -1;
	rec_set_fleet(e, r, row.fleet);
	if (row.world && !r->world) { /* a cancel rolled back: held again */
		r->world = row.world;
		idmap_put(&e->wlease, row.world, r);
	}
	r->state = (uint8_t)row.state;
	if (r->flags & REC_IN_FLIGHT)
		return 0;
	unregister_wait(e, r);
	list_remove(&r->qlink);
	place_from_row(e, r, &row);
	return 0;
}

/* After a failed commit: every record the transaction touched follows its
 * row again.  Reads only, so it runs while the store is unavailable.  A
 * record that cannot be read now is tried again at the next turn. */
static void engine_revert(struct engine *e)
{
	struct idvec again = {0};
	size_t n = e->revert.n;
	for (size_t i = 0; i < n; i++) {
		int64_t id = e->revert.v[i];
		if (revert_one(e, id) < 0 && idvec_push(&again, id) < 0)
			log_error("cannot put a job back as its row says", "job=%lld",
				  (long long)id);
	}
	idvec_free(&e->revert);
	e->revert = again;
	if (load_counts(e) < 0)
		log_error("cannot count the jobs again", NULL);
	log_info("jobs put back after a failed commit", "jobs=%zu pending=%zu", n,
		 again.n);
}

/* Write every statement text of the engine; -1 if one does not fit. */
static int sql_init(struct engine_sql *q)
{
	char live[256], where[400], indexed[64];
	if (job_row_live_sql(live, sizeof live) < 0 ||
	    job_row_indexed_state_sql(indexed, sizeof indexed) < 0)
		return -1;
	int n = snprintf(q->counts, sizeof q->counts,
			 "SELECT state, count(*) FROM jobs WHERE %s GROUP BY state", indexed);
	if (n < 0 || (size_t)n >= sizeof q->counts)
		return -1;
	int rc = job_row_select_sql(q->load, sizeof q->load, LOAD_COLS, "WHERE id = ?1");
	snprintf(where, sizeof where, "WHERE %s", live);
	rc |= job_row_select_sql(q->live, sizeof q->live, LIVE_COLS, where);
	rc |= job_row_select_sql(q->state_of, sizeof q->state_of, CTL_READ_COLS,
				 "WHERE id = ?1");
	rc |= job_row_select_sql(q->revert, sizeof q->revert, LIVE_COLS, "WHERE id = ?1");
	rc |= job_row_update_sql(q->set_state, sizeof q->set_state, CTL_WRITE_COLS);
	rc |= job_row_update_sql(q->vars, sizeof q->vars, JC_BIT(JC_ID) | JC_BIT(JC_VARS));
	rc |= job_row_insert_sql(q->insert, sizeof q->insert, JOB_COLS_ALL);
	for (int v = 0; v < SAVE_VARIANTS; v++)
		rc |= job_row_update_sql(q->save[v], sizeof q->save[v], save_cols(v));
	snprintf(where, sizeof where,
		 "WHERE intent_world = ?1 AND id != ?2 AND %s LIMIT 1", live);
	rc |= job_row_select_sql(q->locked_by, sizeof q->locked_by, JC_BIT(JC_ID), where);
	return rc ? -1 : 0;
}

/* j's sub-state name, cut as the column's reader would (a name longer
 * than the buffer is not one of the op's). */
static void set_sub(struct job *j, const char *name)
{
	size_t n = strlen(name);
	if (n >= sizeof j->sub)
		n = sizeof j->sub - 1;
	memcpy(j->sub, name, n);
	j->sub[n] = 0;
}

static const char SQL_NEXT_ID[] = "SELECT coalesce(max(id), 0) + 1 FROM jobs";

static void job_clear(struct job *j)
{
	json_decref(j->spec);
	json_decref(j->data);
	json_decref(j->vars);
	free(j->last_error);
	memset(j, 0, sizeof *j);
}

/* A step's persisted fields from their text.  Most steps persist nothing
 * ("{}"), and parsing that costs more than reading the row. */
static json_t *data_parse(const char *text)
{
	if (!text)
		return NULL;
	return strcmp(text, "{}") == 0 ? json_object() : json_loads(text, 0, NULL);
}

/* The step_data text of data; *owned is what the caller frees (NULL
 * when nothing was allocated: the fields are empty). */
static const char *data_text(const json_t *data, char **owned)
{
	*owned = NULL;
	if (json_is_object(data) && json_object_size(data) == 0)
		return "{}";
	return *owned = json_canon_text(data, NULL);
}

/* j from a row of LOAD_COLS and its parsed spec (taken). */
static int job_from_row(struct job *j, const struct job_row *row, json_t *spec)
{
	*j = (struct job){
		.id = row->id, .fleet = row->fleet, .world = row->world,
		.parent = row->parent, .step = row->step,
		.iteration = row->iteration, .wake_at = row->wake_at,
		.wait_key = row->wait_key, .wait_arg = row->wait_arg,
		.attempts = row->attempts, .started_at = row->started_at,
		.finished_at = row->finished_at, .created_at = row->created_at,
		.state = row->state, .paused_from = row->paused_from, .wait = row->wait,
		.spec = spec, .steps = json_object_get(spec, "steps"),
		.data = data_parse(row->step_data),
		.vars = row->vars ? json_loads(row->vars, 0, NULL) : NULL,
		.last_error = row->last_error ? strdup(row->last_error) : NULL,
		.row_fleet = row->fleet, .row_state = row->state,
		.row_intent = row->intent_world, .row_finished = row->finished_at,
	};
	set_sub(j, row->sub_state ? row->sub_state : "");
	/* a strdup or a parse failed */
	int lost = (row->last_error && !j->last_error) ||
		(row->vars && !json_is_object(j->vars));
	if (!j->spec || !j->data || j->state < 0 || lost) {
		job_clear(j);
		return -1;
	}
	return 0;
}

/* Read job id: from the memo when this process wrote its row last and
 * nothing may have changed it since, else from the row. */
static int job_load(struct engine *e, int64_t id, struct job *j)
{
	memset(j, 0, sizeof *j);
	json_t *spec;
	const struct job_row *kept = jobmemo_row(&e->memo, id, &spec);
	if (kept)
		return job_from_row(j, kept, spec);
	sqlite3_stmt *s = store_stmt(e->st, e->sql.load);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -1;
	}
	struct job_row row;
	job_row_decode(s, LOAD_COLS, &row);
	row.id = id;
	spec = row.spec ? jobmemo_parse(&e->memo, id, row.spec, strlen(row.spec)) : NULL;
	int rc = job_from_row(j, &row, spec);
	sqlite3_reset(s);
	return rc;
}

static void memo_committed(void *arg, int ok)
{
	struct engine *e = arg;
	e->memo_armed = 0;
	if (!ok) /* rolled back: the rows kept may be ahead of the table */
		jobmemo_forget_rows(&e->memo);
}

/* The row of j was just written as row: keep it for j's next wake.  A
 * job with variables is read from its row: a save never writes them, so
 * the memo would have to keep them beside the row (their writers, groups
 * and triggers, must drop the job's kept row as any other writer does). */
static void memo_keep(struct engine *e, const struct job *j, const struct job_row *row)
{
	/* an ended job is not run again: rec_drop() forgets all of it */
	if (j->vars || !is_live(j->state)) {
		jobmemo_forget_row(&e->memo, row->id);
		return;
	}
	if (!e->memo_armed) {
		if (store_on_commit(e->st, memo_committed, e) < 0) {
			jobmemo_forget_row(&e->memo, row->id);
			return;
		}
		e->memo_armed = 1;
	}
	struct job_row as;
	job_row_as_stored(LOAD_COLS, row, &as);
	jobmemo_keep_row(&e->memo, &as);
}

/* The intent_world column: an open intent holds its world until the step
 * is done or the job ends. */
static int64_t intent_of(const struct job *j)
{
	const json_t *iw = data_get(j, "intent_world");
	return is_live(j->state) && json_is_integer(iw) ? json_integer_value(iw) : 0;
}

/* The row of j as it is written; data is its step_data text (borrowed). */
static struct job_row row_of(const struct job *j, const char *data, int64_t intent,
			     int64_t now)
{
	return (struct job_row){
		.id = j->id, .fleet = j->fleet, .state = j->state,
		.paused_from = j->state == JOB_PAUSED ? j->paused_from : -1,
		.step = j->step, .sub_state = j->sub, .step_data = data ? data : "{}",
		.iteration = j->iteration, .wake_at = j->wake_at, .wait = j->wait,
		.wait_key = j->wait_key, .wait_arg = j->wait_arg, .attempts = j->attempts,
		.last_error = j->last_error, .updated_at = now,
		.started_at = j->started_at, .finished_at = j->finished_at,
		.intent_world = intent, .created_at = j->created_at,
		.world = j->world, .parent = j->parent,
	};
}

static int step_stmt(struct engine *e, sqlite3_stmt *s, const struct job *j)
{
	jobread_forget(e->reads, j->id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_error("job write failed", "job=%lld error=\"%s\"", (long long)j->id,
			  sqlite3_errmsg(store_db(e->st)));
		return -1;
	}
	return 0;
}

/* The job's variables, after its take bound one (a save of an advanced
 * job does not name the column otherwise). */
static int vars_save(struct engine *e, struct job *j)
{
	sqlite3_stmt *s = store_stmt(e->st, e->sql.vars);
	char *text = json_dumps(j->vars, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s || !text) {
		free(text);
		return -1;
	}
	struct job_row row = {.id = j->id, .vars = text};
	job_row_bind(s, JC_BIT(JC_ID) | JC_BIT(JC_VARS), &row);
	int rc = step_stmt(e, s, j);
	free(text);
	if (rc == 0)
		j->vars_dirty = 0;
	return rc;
}

/* Write back a loaded job; the row then matches j. */
static int job_save(struct engine *e, struct job *j, int64_t now)
{
	if (touch(e, j->id) < 0)
		return -1;
	int64_t intent = intent_of(j);
	int v = (j->fleet != j->row_fleet ? SAVE_FLEET : 0) |
		(j->state != j->row_state ? SAVE_STATE : 0) |
		(intent != j->row_intent ? SAVE_INTENT : 0) |
		(j->finished_at != j->row_finished ? SAVE_FINISHED : 0);
	/* job_row_bind() below binds every column the UPDATE names */
	sqlite3_stmt *s = store_stmt_bound(e->st, e->sql.save[v]);
	if (!s)
		return -1;
	char *owned;
	const char *data = data_text(j->data, &owned);
	struct job_row row = row_of(j, data, intent, now);
	job_row_bind(s, save_cols(v), &row);
	int rc = step_stmt(e, s, j);
	if (rc == 0 && j->vars_dirty)
		rc = vars_save(e, j);
	if (rc == 0) {
		memo_keep(e, j, &row);
		j->row_fleet = j->fleet;
		j->row_state = j->state;
		j->row_intent = intent;
		j->row_finished = j->finished_at;
	} else {
		jobmemo_forget_row(&e->memo, j->id);
	}
	free(owned);
	return rc;
}

/* The first write of a submitted job; its answer (as GET will show it
 * once committed) is made from the row in hand, so a POST is answered
 * without reading the row back. */
/* The first write of j's row: every column, those set once from o. */
static int job_insert(struct engine *e, const struct job *j, const char *spec,
		      const struct engine_submit_opts *o, int64_t now)
{
	if (touch(e, j->id) < 0)
		return -1;
	/* job_row_bind() below binds every column the INSERT names */
	sqlite3_stmt *s = store_stmt_bound(e->st, e->sql.insert);
	if (!s)
		return -1;
	char *owned, *vars = NULL;
	if (j->vars && !(vars = json_dumps(j->vars, JSON_COMPACT | JSON_SORT_KEYS)))
		return -1;
	const char *data = data_text(j->data, &owned);
	struct job_row row = row_of(j, data, intent_of(j), now);
	row.name = json_string_value(json_object_get(j->spec, "name"));
	row.spec = spec ? spec : "{}";
	row.vars = vars;
	row.retry_of = o->retry_of;
	row.schedule = o->schedule;
	row.trigger = o->trigger;
	if (o->idem_key) {
		row.idem_key = o->idem_key;
		row.idem_body = o->idem_body;
	}
	job_row_bind(s, JOB_COLS_ALL, &row);
	jobmemo_forget(&e->memo, j->id); /* an id used again after a rollback */
	int rc = step_stmt(e, s, j);
	e->next_id = rc == 0 ? j->id + 1 : 0;
	/* a group's POST answers its parent: a child's answer is made when it
	 * is first read, not held for each of up to 1,000 children; nor is
	 * one made for a schedule's job (no request waits for it, and a
	 * watch's batch makes up to 10,000 of them) */
	if (rc == 0 && !j->parent && !o->schedule)
		jobread_fresh(e->reads, &row, j->spec);
	else if (rc == 0)
		jobread_forget(e->reads, j->id);
	free(owned);
	free(vars);
	return rc;
}

void engine_note(struct engine *e, int64_t job_id, const char *type,
		 const json_t *data)
{
	eventlog_append(e->el, job_id, type, data);
}

static void note_new(struct engine *e, int64_t job_id, const char *type, json_t *data)
{
	engine_note(e, job_id, type, data);
	json_decref(data);
}

static void note_step_started(struct engine *e, const struct job *j)
{
	struct ev_text t = {.n = 0};
	const json_t *args = step_args(j);
	EV_LIT(&t, "{\"step\":");
	ev_int(&t, j->step);
	EV_LIT(&t, ",\"op\":\"");
	ev_put(&t, jobspec_op_name(jobspec_step_op(args)));
	EV_LIT(&t, "\",\"iteration\":");
	ev_int(&t, j->iteration);
	EV_LIT(&t, "}");
	eventlog_append_text(e->el, j->id, "job.step_started", t.b);
}

static void note_step_done(struct engine *e, const struct job *j, const char *op)
{
	struct ev_text t = {.n = 0};
	EV_LIT(&t, "{\"step\":");
	ev_int(&t, j->step);
	EV_LIT(&t, ",\"op\":\"");
	ev_put(&t, op);
	EV_LIT(&t, "\"}");
	eventlog_append_text(e->el, j->id, "job.step_done", t.b);
}

static void set_error(struct job *j, const char *msg)
{
	free(j->last_error);
	j->last_error = strdup(msg);
}

/* --- game calls ---------------------------------------------------------- */

/* A call between its commit and its answer.  Listed in the engine so a
 * shutdown (the session drops calls without answering) frees them. */
struct pending_call {
	struct engine *e;
	struct list_node link; /* on e->calls once sent */
	int64_t job_id;
	const char *endpoint;
	json_t *params;
	int flags;
};

static void run_job(struct engine *e, struct job_rec *r, const struct call_result *res);

static void pc_free(struct pending_call *pc)
{
	list_remove(&pc->link);
	json_decref(pc->params);
	free(pc);
}

static void call_done(void *arg, const struct call_result *res)
{
	struct pending_call *pc = arg;
	struct job_rec *r = idmap_get(&pc->e->recs, pc->job_id);
	if (r) {
		r->flags &= (uint8_t)~REC_IN_FLIGHT;
		run_job(pc->e, r, res);
		if (!list_empty(&pc->e->runq))
			loop_wake(pc->e->loop);
	}
	pc_free(pc);
}

/* Runs after the commit that recorded the call's sub-state (and intent). */
static void send_after_commit(void *arg, int ok)
{
	struct pending_call *pc = arg;
	struct engine *e = pc->e;
	struct job_rec *r = idmap_get(&e->recs, pc->job_id);
	struct call_result t = {.outcome = CALL_TRANSIENT};
	if (!ok) {
		/* the commit failed: the state that expects this call is gone
		 * with it, and engine_revert() puts the job back as its row
		 * says.  Never sent. */
		if (r)
			r->flags &= (uint8_t)~REC_IN_FLIGHT;
		pc_free(pc);
		return;
	}
	if (!r || !e->app->session) {
		/* nobody to send it: it certainly did not act */
		t.message = "no upstream session";
	} else {
		json_t *params = pc->params;
		pc->params = NULL; /* session_call steals it */
		list_push_front(&e->calls, &pc->link);
		if (session_call(e->app->session, pc->endpoint, params, pc->flags,
				 call_done, pc) == 0)
			return;
		t.message = "the call could not be queued";
	}
	if (r) {
		r->flags &= (uint8_t)~REC_IN_FLIGHT;
		run_job(e, r, &t);
	}
	pc_free(pc);
}

/* --- queues ----------------------------------------------------------------
 * queue.c holds the rows; the engine decides who gets an item.  An item put
 * into (or given back to) a queue with waiting takers is held at once for
 * the first of them (queue_wait.h: FIFO by ticket), in the same
 * transaction, and that job is woken: its take finds it held and binds it.
 * A take that finds none held for it takes the front item only if no
 * earlier taker waits.  What a job holds is used up when its next step
 * completes, and given back to the front when it ends otherwise. */

/* A queue event: {"queue": name, "value": id}, about job (0: the API). */
static void queue_note(struct engine *e, int64_t job, const char *type,
		       const char *queue, int64_t value)
{
	note_new(e, job, type, json_pack("{s:s,s:I}", "queue", queue, "value",
					  (json_int_t)value));
}

/* Hold queue q's front items for its first waiters and wake them. */
static void queue_hand_over(struct engine *e, int64_t q, int64_t now)
{
	const struct qwaiter *w;
	struct queue_item it;
	int woke = 0;
	while ((w = qwaits_first(&e->qw, q)) && queue_front(e->st, q, &it) == 1) {
		struct job_rec *r = w->owner;
		if (queue_hold(e->st, it.id, w->job, w->step, w->iter, now) < 0) {
			log_error("cannot hand a queue item over", "job=%lld", (long long)w->job);
			return;
		}
		wake(e, r); /* unregisters the wait: w is gone */
		woke = 1;
	}
	if (woke)
		loop_wake(e->loop);
}

/* Job ended (or was cancelled) holding items: each goes back to the front
 * of its queue (queue.returned) and on to a waiting taker if any. */
static void queue_give_back_job(struct engine *e, int64_t job, int64_t now)
{
	struct queue_item back[32];
	char name[QUEUE_NAME_MAX + 1];
	int n = queue_give_back(e->st, job, back, sizeof back / sizeof back[0]);
	if (n < 0)
		log_error("cannot give a job's queue items back", "job=%lld", (long long)job);
	for (int i = 0; i < n && i < (int)(sizeof back / sizeof back[0]); i++) {
		if (queue_name_of(e->st, back[i].queue, name, sizeof name) == 0)
			queue_note(e, job, "queue.returned", name, back[i].value);
		queue_hand_over(e, back[i].queue, now);
	}
}

static int spec_takes(const json_t *steps)
{
	for (size_t i = 0; i < json_array_size(steps); i++)
		if (jobspec_step_op(json_array_get(steps, i)) == OP_TAKE)
			return 1;
	return 0;
}

/* j is ending: succeeded, what it holds is used up; else given back. */
static void queue_job_ended(struct engine *e, struct job *j, int64_t now)
{
	if (!spec_takes(j->steps))
		return;
	if (j->state != JOB_SUCCEEDED)
		queue_give_back_job(e, j->id, now);
	else if (queue_consume_all(e->st, j->id) < 0)
		log_error("cannot use up a job's queue items", "job=%lld", (long long)j->id);
}

/* j's current step completed: if the step before it (in this pass, or the
 * last of the pass before) is a take, its item is used up. */
static void queue_step_done(struct engine *e, const struct job *j, const json_t *steps,
			    size_t nsteps)
{
	int64_t prev = j->step > 0 ? j->step - 1 : (int64_t)nsteps - 1;
	int64_t iter = j->step > 0 ? j->iteration : j->iteration - 1;
	if (iter < 0 || jobspec_step_op(json_array_get(steps, (size_t)prev)) != OP_TAKE)
		return;
	if (queue_consume(e->st, j->id, prev, iter) < 0)
		log_error("cannot use up a taken queue item", "job=%lld", (long long)j->id);
}

/* The id of queue name, created if new; a queue_err with err. */
static int64_t queue_of(struct engine *e, const char *name, int64_t now, char *err,
			size_t errlen)
{
	int64_t q = queue_ensure(e->st, name, now);
	if (q == QUEUE_ERR_LIMIT)
		snprintf(err, errlen, "%s: there are already %d queues",
			 queue_err_code(QUEUE_ERR_LIMIT), QUEUE_MAX_QUEUES);
	else if (q < 0)
		snprintf(err, errlen, "store: the queues could not be read");
	return q == QUEUE_ERR_LIMIT ? QUEUE_ERR_LIMIT : q < 0 ? QUEUE_ERR_STORE : q;
}

int engine_queue_put(struct engine *e, const char *name, int64_t value, int64_t by,
		     char *err, size_t errlen)
{
	int64_t now = clock_now_ms(), q, n;
	if (!store_available(e->st) || store_begin(e->st) < 0) {
		snprintf(err, errlen, "store: unavailable");
		return -1;
	}
	if ((q = queue_of(e, name, now, err, errlen)) < 0)
		return (int)q;
	if ((n = queue_size(e->st, q)) >= QUEUE_MAX_ITEMS) {
		snprintf(err, errlen, "%s: queue %s holds %d items", queue_err_code(QUEUE_ERR_FULL),
			 name, QUEUE_MAX_ITEMS);
		return QUEUE_ERR_FULL;
	}
	if (n < 0 || queue_put(e->st, q, value, by, now) < 0) {
		snprintf(err, errlen, "store: the item could not be written");
		return -1;
	}
	queue_note(e, by, "queue.put", name, value);
	queue_hand_over(e, q, now);
	return 0;
}

int engine_queue_take(struct engine *e, const char *name, int64_t job, int64_t step,
		      int64_t iter, int64_t ticket, int64_t *qid, int64_t *value,
		      char *err, size_t errlen)
{
	int64_t now = clock_now_ms();
	struct queue_item it;
	int64_t q = queue_of(e, name, now, err, errlen);
	if (q < 0)
		return -1;
	*qid = q;
	int rc = queue_held(e->st, job, step, iter, &it);
	if (rc == 0 && !qwaits_ahead(&e->qw, q, ticket, job)) {
		rc = queue_front(e->st, q, &it);
		if (rc == 1 && queue_hold(e->st, it.id, job, step, iter, now) < 0)
			rc = -1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "store: queue %s could not be read", name);
		return -1;
	}
	if (rc == 1) {
		*value = it.value;
		queue_note(e, job, "queue.taken", name, it.value);
	}
	return rc;
}

struct waiters_walk {
	void (*fn)(void *arg, int64_t job, int64_t since);
	void *arg;
};

static void waiter_told(void *arg, const struct qwaiter *w)
{
	struct waiters_walk *ww = arg;
	ww->fn(ww->arg, w->job, w->ticket);
}

void engine_queue_waiters(const struct engine *e, int64_t qid,
			  void (*fn)(void *arg, int64_t job, int64_t since), void *arg)
{
	struct waiters_walk ww = {fn, arg};
	qwaits_each(&e->qw, qid, waiter_told, &ww);
}

size_t engine_queue_waiting(const struct engine *e, int64_t qid)
{
	return qwaits_count(&e->qw, qid);
}

/* --- advancing a job ------------------------------------------------------ */

static int sub_index(const struct step_op *op, const char *name)
{
	for (int i = 0; i < op->nstates; i++)
		if (strcmp(op->states[i], name) == 0)
			return i;
	return -1;
}

/* The job leaves its current step unfinished: let the op give back what
 * it holds for others (explore: a claimed world it never reached). */
static void abandon_step(struct engine *e, struct job *j, int64_t now)
{
	const json_t *args = step_args(j);
	int opi = jobspec_step_op(args);
	const struct step_op *op = opi >= 0 ? step_ops[opi] : NULL;
	int sub = op ? sub_index(op, j->sub) : -1;
	if (sub < 0 || !op->abandon)
		return;
	struct step_ctx c = {
		.eng = e, .store = e->st, .m = e->app->mirror, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .world = j->world, .args = args,
		.sub = sub, .data = j->data,
	};
	op->abandon(&c);
}

/* A cancel whose step had work to do first (step_op.cancel): the mark is
 * in the step's data, written with the cancel, so it survives a restart. */
static int job_cancelling(const struct job *j)
{
	return json_is_true(data_get(j, "cancelling"));
}

static void finish(struct engine *e, struct job *j, int state, const char *msg,
		   int64_t now)
{
	if (job_cancelling(j))
		state = JOB_CANCELLED; /* its undoing done or failed: as asked */
	if (state != JOB_SUCCEEDED) {
		abandon_step(e, j, now);
	} else if (j->last_error) {
		/* what went wrong on the way (a retried fault, a step passed
		 * over) stays in the history; the outcome has no error */
		free(j->last_error);
		j->last_error = NULL;
	}
	j->state = state;
	j->finished_at = now;
	j->wait = WAIT_NONE;
	j->wake_at = 0;
	queue_job_ended(e, j, now);
	if (msg) {
		set_error(j, msg);
		note_new(e, j->id, "job.error",
			 json_pack("{s:I,s:s}", "step", (json_int_t)j->step, "message", msg));
	}
}

/* A job being sent to sleep keeps its paused state if it was paused. */
static void go_wait(struct job *j)
{
	if (j->state != JOB_PAUSED)
		j->state = JOB_WAITING;
}

/* Does the galaxy agree that the job's fleet is the player's?  Checked when
 * a job first starts, for jobs accepted before the mirror was ready. */
static const char *foreign_fleet(const struct mirror *m, const struct job *j)
{
	if (!j->fleet || j->step != 0 || j->iteration != 0 || strcmp(j->sub, "START"))
		return NULL;
	const struct mirror_fleet *f = mirror_fleet(m, j->fleet);
	if (f && f->sovereign != mirror_player(m))
		return "fleet: is not one of your fleets";
	return NULL;
}

/* The same for a world job's world (accepted before the galaxy was known,
 * or lost since): it must still be the player's when the job starts. */
static const char *foreign_world(const struct mirror *m, const struct job *j)
{
	if (!j->world || j->step != 0 || j->iteration != 0 || strcmp(j->sub, "START"))
		return NULL;
	const struct mirror_world *w = mirror_world(m, j->world);
	if (!w || w->sovereign != mirror_player(m))
		return "world: is not one of your worlds";
	return NULL;
}

/* Bind the job's variable name to id (a take's item); the row's vars are
 * written with the job. */
static int job_bind(struct job *j, const char *name, int64_t id)
{
	if (!j->vars && !(j->vars = json_object()))
		return -1;
	if (json_object_set_new(j->vars, name, json_integer(id)) < 0)
		return -1;
	j->vars_dirty = 1;
	return 0;
}

/* Run the current op once.  Returns -1 if the job cannot run it now (it
 * was sent to wait for the mirror, or failed); else sr says what next. */
static int run_op(struct engine *e, struct job_rec *r, struct job *j,
		  const struct step_op *op, int sub, const json_t *args,
		  const json_t *reply, int64_t now, struct step_result *sr)
{
	const struct mirror *m = e->app->mirror;
	int needs = op->needs_mirror ||
		(op == &step_wait && (json_object_get(args, "watches") ||
				      json_object_get(args, "until")));
	if (needs && (!m || !mirror_ready(m))) {
		go_wait(j);
		j->wait = WAIT_READY;
		return -1;
	}
	const char *bad = needs ? foreign_fleet(m, j) : NULL;
	if (!bad && needs)
		bad = foreign_world(m, j);
	if (bad) {
		finish(e, j, JOB_FAILED, bad, now);
		return -1;
	}
	const json_t *resend = data_get(j, "resend");
	struct step_ctx c = {
		.eng = e, .store = e->st, .m = m, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .world = j->world, .args = args,
		.sub = sub, .data = j->data, .reply = reply, .rng = &e->rng, .vars = j->vars,
		.resend = json_is_true(resend), .step = j->step, .iteration = j->iteration,
	};
	if (resend)
		json_object_del(j->data, "resend");
	op->advance(&c, sr);
	if (c.bind && job_bind(j, c.bind, c.bind_value) < 0) {
		memset(sr, 0, sizeof *sr);
		step_error(sr, "cannot bind $%s", c.bind);
	}
	if (c.sub >= 0 && c.sub < op->nstates)
		set_sub(j, op->states[c.sub]);
	if (c.fleet != j->fleet) {
		j->fleet = c.fleet;
		rec_set_fleet(e, r, c.fleet);
	}
	return 0;
}

/* --- what a step says before it runs ------------------------------------
 * Reactive jobs (spec: "Reactive jobs"): before the first sub-state of a
 * step runs, the job's `until` (first step of a pass), the step's `if`
 * and its computed arguments are settled from the mirror, each once: the
 * decision is kept in the step's data and written with the row before the
 * step acts, so a restart never judges it again (an `if` that held is
 * never skipped after a crash). */

enum prelude_verdict { PRE_RUN, PRE_SKIP, PRE_STOP };

static int data_has(const struct job *j, const char *key)
{
	return data_get(j, key) != NULL;
}

static int step_uses_here(const json_t *spec, const json_t *args, int64_t step)
{
	return cond_uses(json_object_get(args, "if"), "$here") ||
	       cond_uses(json_object_get(args, "until"), "$here") ||
	       (step == 0 && cond_uses(json_object_get(spec, "until"), "$here"));
}

/* Read condition c for job j now: 1, 0, or -1 after failing the job. */
static int judge(struct engine *e, struct job *j, const json_t *c, int64_t now)
{
	char err[200];
	struct cond_env env;
	job_cond_env(j, &env);
	int v = cond_eval(c, e->app->mirror, &env, err, sizeof err);
	if (v < 0)
		finish(e, j, JOB_FAILED, err, now);
	return v;
}

static int prelude_needed(const struct job *j, const json_t *args)
{
	return (j->step == 0 && json_object_get(j->spec, "until")) ||
	       json_object_get(args, "if") || json_object_get(args, "until") ||
	       step_resolve_needed(args);
}

/* The job's until, before a pass: 1 if it ended the job (or failed it). */
static int until_met(struct engine *e, struct job *j, int64_t now)
{
	const json_t *until = json_object_get(j->spec, "until");
	if (j->step != 0 || !until || data_has(j, "until_checked"))
		return 0;
	int v = judge(e, j, until, now);
	if (v < 0)
		return 1;
	if (v) {
		note_new(e, j->id, "job.until_met",
			 json_pack("{s:I,s:b}", "iteration", (json_int_t)j->iteration, "value", 1));
		finish(e, j, JOB_SUCCEEDED, NULL, now);
		return 1;
	}
	json_object_set_new(j->data, "until_checked", json_true());
	return 0;
}

static enum prelude_verdict resolve_args(struct engine *e, struct job *j,
					 const struct step_op *op, const json_t *args,
					 int64_t now)
{
	json_t *out;
	int nothing;
	char err[200];
	if (step_resolve(args, e->app->mirror, j->fleet, j->vars, &out, &nothing, err,
			 sizeof err) < 0) {
		finish(e, j, JOB_FAILED, err, now);
		return PRE_STOP;
	}
	json_object_set_new(j->data, "args", out);
	note_new(e, j->id, "job.resolved",
		 json_pack("{s:I,s:s,s:O}", "step", (json_int_t)j->step, "op", op->name,
			   "args", out));
	if (!nothing)
		return PRE_RUN;
	note_new(e, j->id, "job.step_skipped",
		 json_pack("{s:I,s:s,s:s}", "step", (json_int_t)j->step, "op", op->name,
			   "reason", "every quantity came to 0"));
	return PRE_SKIP;
}

static enum prelude_verdict prelude(struct engine *e, struct job *j,
				    const struct step_op *op, const json_t *args,
				    int64_t now)
{
	const struct mirror *m = e->app->mirror;
	if (!prelude_needed(j, args))
		return PRE_RUN;
	if (!m || !mirror_ready(m)) {
		go_wait(j);
		j->wait = WAIT_READY;
		return PRE_STOP;
	}
	if (until_met(e, j, now))
		return PRE_STOP;
	if (!data_has(j, "here") && step_uses_here(j->spec, args, j->step)) {
		const struct mirror_fleet *f = mirror_fleet(m, j->fleet);
		/* a world job is always "here", at its world */
		json_object_set_new(j->data, "here",
				    json_integer(j->world ? j->world
					    : f && !f->dest_id ? f->anchor : 0));
	}
	const json_t *cond_if = json_object_get(args, "if");
	if (cond_if && !data_has(j, "if")) {
		int v = judge(e, j, cond_if, now);
		if (v < 0)
			return PRE_STOP;
		if (!v) {
			note_new(e, j->id, "job.step_skipped",
				 json_pack("{s:I,s:s,s:b}", "step", (json_int_t)j->step, "op",
					   op->name, "value", 0));
			return PRE_SKIP;
		}
		json_object_set_new(j->data, "if", json_true());
	}
	if (step_resolve_needed(args) && !data_has(j, "args"))
		return resolve_args(e, j, op, args, now);
	return PRE_RUN;
}

/* Let the ops advance the loaded job as far as they can now.  With
 * skipped (the message of a game error the step passes over, on_error
 * "continue"), the current step is left unfinished first.  Returns a call
 * to send after the commit, or NULL. */
static struct pending_call *advance(struct engine *e, struct job_rec *r,
				    struct job *j, const json_t *reply,
				    const char *skipped, int64_t now)
{
	const struct mirror *m = e->app->mirror;
	const json_t *steps = j->steps;
	size_t nsteps = json_array_size(steps);
	int paused = j->state == JOB_PAUSED, pre;
	/* one pass per watch: a pass that began in this run and ends without
	 * having waited for anything waits for the next watch */
	int fresh_pass = j->step == 0 && strcmp(j->sub, "START") == 0;
	j->wait = WAIT_NONE;
	j->wake_at = 0;
	for (int hop = 0; hop < MAX_HOPS; hop++) {
		const json_t *args = json_array_get(steps, (size_t)j->step);
		int opi = jobspec_step_op(args);
		const struct step_op *op = opi >= 0 ? step_ops[opi] : NULL;
		int sub = op ? sub_index(op, j->sub) : -1;
		if (sub < 0) {
			finish(e, j, JOB_FAILED, "the stored step is not understood", now);
			return NULL;
		}
		struct step_result sr;
		memset(&sr, 0, sizeof sr);
		if (skipped) {
			abandon_step(e, j, now);
			note_new(e, j->id, "job.step_error",
				 json_pack("{s:I,s:s,s:s}", "step", (json_int_t)j->step,
					   "op", op->name, "message", skipped));
			skipped = NULL;
			sr.verdict = STEP_DONE;
		} else if (sub == 0 && !reply && (pre = prelude(e, j, op, args, now)) != PRE_RUN) {
			if (pre == PRE_STOP)
				return NULL;
			sr.verdict = STEP_DONE; /* skipped: its if was false, or nothing to move */
		} else if (run_op(e, r, j, op, sub, args, reply, now, &sr) < 0) {
			return NULL;
		} else {
			if (sr.verdict == STEP_DONE && !job_cancelling(j))
				note_step_done(e, j, op->name);
		}
		reply = NULL;
		if (sr.verdict == STEP_ERROR && sr.soft && jobspec_step_continues(args)) {
			/* on_error "continue" (a wait's timeout): recorded, and on
			 * with the next step */
			set_error(j, sr.msg);
			note_new(e, j->id, "job.step_error",
				 json_pack("{s:I,s:s,s:s}", "step", (json_int_t)j->step,
					   "op", op->name, "message", sr.msg));
			abandon_step(e, j, now);
			sr.verdict = STEP_DONE;
		}
		switch (sr.verdict) {
		case STEP_DONE:
			if (job_cancelling(j)) {
				/* the step undid what it started: the cancel ends the job */
				finish(e, j, JOB_CANCELLED, NULL, now);
				return NULL;
			}
			queue_step_done(e, j, steps, nsteps);
			j->step++;
			set_sub(j, "START");
			json_object_clear(j->data);
			if ((size_t)j->step >= nsteps) {
				j->iteration++;
				int64_t passes = jobspec_passes(j->spec);
				if (passes >= 0 && j->iteration >= passes) {
					finish(e, j, JOB_SUCCEEDED, NULL, now);
					return NULL;
				}
				j->step = 0;
				if (fresh_pass) {
					/* a whole pass went by without waiting: never
					 * spin, give the galaxy a watch; the next pass's
					 * first step starts now, waiting for it */
					note_step_started(e, j);
					go_wait(j);
					if (m && mirror_ready(m)) {
						j->wait = WAIT_WATCH;
						j->wait_key = mirror_watch_int(e) + 1;
					} else {
						j->wake_at = now + 1000;
					}
					return NULL;
				}
				fresh_pass = 1;
			}
			if (paused)
				return NULL;
			note_step_started(e, j);
			continue;
		case STEP_WAIT_UNTIL:
			go_wait(j);
			j->wake_at = sr.until_ms;
			return NULL;
		case STEP_WAIT_FOR:
			go_wait(j);
			j->wait = sr.wait;
			j->wait_key = sr.key;
			j->wait_arg = sr.arg;
			j->wake_at = sr.wait == WAIT_COND ? sr.until_ms : 0;
			return NULL;
		case STEP_CALL: {
			if (paused) {
				/* recorded, not sent: on resume the op finds its
				 * call sub-state without an answer and reconciles */
				json_decref(sr.params);
				return NULL;
			}
			struct pending_call *pc = malloc(sizeof *pc);
			if (!pc) {
				json_decref(sr.params);
				j->wake_at = now + 1000;
				go_wait(j);
				return NULL;
			}
			*pc = (struct pending_call){.e = e, .job_id = j->id,
						    .endpoint = sr.endpoint,
						    .params = sr.params, .flags = sr.flags};
			list_init(&pc->link);
			j->state = JOB_RUNNING;
			return pc;
		}
		case STEP_ERROR:
			finish(e, j, JOB_FAILED, sr.msg, now);
			return NULL;
		}
	}
	/* many steps done at once: let the others have a turn */
	j->state = JOB_RUNNING;
	return NULL;
}

/* Apply a call's outcome that the ops never see.  Returns 1 if handled.
 * A game error on a step with on_error "continue" is left to advance():
 * skipped (skipped_len bytes) gets its message. */
static int call_outcome(struct engine *e, struct job *j, const struct call_result *res,
			int64_t now, char *skipped, size_t skipped_len)
{
	char msg[300];
	switch (res->outcome) {
	case CALL_OK:
		j->attempts = 0;
		return 0;
	case CALL_GAME_ERROR:
		snprintf(msg, sizeof msg, "game error: %s",
			 res->message ? res->message : (res->code ? res->code : "?"));
		if (jobspec_step_continues(step_args(j))) {
			j->attempts = 0;
			set_error(j, msg);
			snprintf(skipped, skipped_len, "%s", msg);
			return 0;
		}
		finish(e, j, JOB_FAILED, msg, now);
		return 1;
	case CALL_TRANSIENT: {
		j->attempts++;
		int64_t d = backoff_jittered_ms(BACKOFF_BASE_MS, BACKOFF_MAX_MS, j->attempts,
						 &e->rng);
		snprintf(msg, sizeof msg, "upstream: %s", res->message ? res->message : "transient failure");
		set_error(j, msg);
		json_object_set_new(j->data, "resend", json_true());
		go_wait(j);
		j->wait = WAIT_NONE;
		j->wake_at = now + d;
		note_new(e, j->id, "job.retry",
			 json_pack("{s:I,s:I,s:s,s:b}", "attempt", (json_int_t)j->attempts,
				   "delay_ms", (json_int_t)d, "message", msg, "ambiguous", 0));
		return 1;
	}
	case CALL_AMBIGUOUS: {
		j->attempts++;
		int64_t w = mirror_watch_int(e);
		if (w < 0)
			w = 0;
		snprintf(msg, sizeof msg, "upstream: %s", res->message ? res->message : "outcome unknown");
		set_error(j, msg);
		json_object_set_new(j->data, "ambiguous_watch", json_integer(w));
		/* and an answer asked for after this, which a later watch alone
		 * does not prove (step_intent_fresh) */
		json_object_set_new(j->data, "ambiguous_at", json_integer(now));
		go_wait(j);
		j->wait = WAIT_WATCH;
		j->wait_key = w + 1;
		j->wake_at = 0;
		note_new(e, j->id, "job.retry",
			 json_pack("{s:I,s:s,s:b}", "attempt", (json_int_t)j->attempts,
				   "message", msg, "ambiguous", 1));
		return 1;
	}
	}
	return 0;
}

static void count_move(struct engine *e, int from, int to)
{
	if (from == to)
		return;
	if (from >= 0 && e->counts[from] > 0)
		e->counts[from]--;
	e->counts[to]++;
	e->transitions++;
}

/* After the row is written: put the record where its new state says. */
static void settle(struct engine *e, struct job_rec *r, const struct job *j,
		   struct pending_call *pc)
{
	r->state = (uint8_t)j->state;
	if (!is_live(j->state)) {
		rec_drop(e, r);
		return;
	}
	if (pc) {
		r->flags |= REC_IN_FLIGHT;
		if (store_on_commit(e->st, send_after_commit, pc) < 0) {
			r->flags &= (uint8_t)~REC_IN_FLIGHT;
			pc_free(pc);
			loop_timer_arm(e->loop, &r->timer, clock_now_ms() + 1000);
		}
		return;
	}
	if (j->state == JOB_PAUSED)
		return;
	if (j->state == JOB_RUNNING) {
		enqueue(e, r);
		return;
	}
	if (j->wait == WAIT_COND)
		register_cond(e, r, j);
	else if (j->wait == WAIT_QUEUE)
		register_queue(e, r, j);
	else
		register_wait(e, r, j->wait, j->wait_key, j->wait_arg, j->wake_at);
}

/* What the row said before this run: the events describe the change. */
struct job_was {
	int state, wait;
	int64_t key, wake;
};

static struct job_was job_was(const struct job *j)
{
	return (struct job_was){j->state, j->wait, j->wait_key, j->wake_at};
}

static void note_transition(struct engine *e, const struct job *j,
			    const struct job_was *was)
{
	if (j->state != was->state) {
		struct ev_text t = {.n = 0};
		EV_LIT(&t, "{\"from\":\"");
		ev_put(&t, job_state_name(was->state));
		EV_LIT(&t, "\",\"to\":\"");
		ev_put(&t, job_state_name(j->state));
		EV_LIT(&t, "\",\"step\":");
		ev_int(&t, j->step);
		EV_LIT(&t, "}");
		eventlog_append_text(e->el, j->id, "job.state", t.b);
	}
	if (j->state != JOB_WAITING ||
	    (j->wait == was->wait && j->wait_key == was->key && j->wake_at == was->wake &&
	     was->state == JOB_WAITING))
		return;
	struct ev_text t = {.n = 0};
	EV_LIT(&t, "{\"kind\":\"");
	ev_put(&t, j->wait ? job_wait_name(j->wait) : "time");
	EV_LIT(&t, "\",");
	if (j->wait) {
		EV_LIT(&t, "\"key\":");
		ev_int(&t, j->wait_key);
		EV_LIT(&t, ",");
	}
	ev_put(&t, j->wait == WAIT_ANCHORED ? "\"world\":" : "\"until_ms\":");
	ev_int(&t, j->wait == WAIT_ANCHORED ? j->wait_arg : j->wake_at);
	EV_LIT(&t, "}");
	eventlog_append_text(e->el, j->id, "job.wait", t.b);
}

/* Advance a live job that may run now; res is a call's answer or NULL,
 * skipped the message of a game error its step passes over.  Returns a
 * call to send after the commit, or NULL. */
static struct pending_call *job_run_live(struct engine *e, struct job_rec *r,
					 struct job *j, const struct call_result *res,
					 const char *skipped, int64_t now)
{
	if (j->state == JOB_QUEUED) {
		j->started_at = now;
		note_step_started(e, j);
	}
	if (j->state != JOB_PAUSED)
		j->state = JOB_RUNNING;
	return advance(e, r, j, res ? res->answer : NULL, skipped, now);
}

/* The row is written: events, counters, and the record's new wait. */
static void child_changed(struct engine *e, int64_t parent, int from, int to);

static void job_written(struct engine *e, struct job_rec *r, const struct job *j,
			const struct job_was *was, struct pending_call *pc)
{
	note_transition(e, j, was);
	count_move(e, was->state, j->state);
	if (j->parent)
		child_changed(e, j->parent, was->state, j->state);
	settle(e, r, j, pc);
}

static void run_job(struct engine *e, struct job_rec *r, const struct call_result *res)
{
	int64_t now = clock_now_ms();
	struct job j;
	if (!store_available(e->st) || e->revert.n) {
		/* nothing can be written: the job waits on the run queue for
		 * the store; an answer is not recorded, and the op finds its
		 * effect in the galaxy as after a restart */
		if (res) {
			log_debug("answer not recorded: storage unavailable", "job=%lld",
				  (long long)r->id);
			e->answers_lost++;
		}
		unregister_wait(e, r);
		enqueue(e, r);
		return;
	}
	if (store_begin(e->st) < 0 || job_load(e, r->id, &j) < 0) {
		log_error("cannot load job", "job=%lld", (long long)r->id);
		unregister_wait(e, r);
		loop_timer_arm(e->loop, &r->timer, now + 1000);
		return;
	}
	struct job_was was = job_was(&j);
	struct pending_call *pc = NULL;
	if (!is_live(j.state)) {
		if (res)
			note_new(e, j.id, "job.late_answer",
				 json_pack("{s:i}", "outcome", (int)res->outcome));
		rec_drop(e, r);
		job_clear(&j);
		return;
	}
	char skipped[300] = "";
	if (res && call_outcome(e, &j, res, now, skipped, sizeof skipped))
		goto save;
	if (!res && j.state == JOB_PAUSED) {
		job_clear(&j);
		return;
	}
	if (j.state == JOB_QUEUED && j.wake_at > now) {
		register_wait(e, r, WAIT_NONE, 0, 0, j.wake_at);
		job_clear(&j);
		return;
	}
	pc = job_run_live(e, r, &j, res, skipped[0] ? skipped : NULL, now);
save:
	if (job_save(e, &j, now) < 0) {
		if (pc)
			pc_free(pc);
		job_clear(&j);
		unregister_wait(e, r);
		loop_timer_arm(e->loop, &r->timer, now + 1000);
		return;
	}
	job_written(e, r, &j, &was, pc);
	job_clear(&j);
}

/* --- the run queue as a loop source -------------------------------------- */

static void engine_prepare(void *arg, struct loop_fds *fds, int64_t *timeout_ms)
{
	(void)fds;
	struct engine *e = arg;
	if ((!list_empty(&e->runq) && store_available(e->st)) || e->revert.n)
		*timeout_ms = 0;
}

static void engine_dispatch(void *arg, const struct loop_fds *fds)
{
	(void)fds;
	struct engine *e = arg;
	struct list_node *n;
	if (e->revert.n)
		engine_revert(e);
	if (!store_available(e->st) || e->revert.n)
		return; /* woken jobs wait on the run queue for the store */
	if (e->answers_lost) {
		log_warn("answers not recorded during the storage outage; their steps "
			 "find the effect in the galaxy", "answers=%llu",
			 (unsigned long long)e->answers_lost);
		e->answers_lost = 0;
	}
	for (int i = 0; i < RUN_BATCH && (n = list_pop_front(&e->runq)); i++)
		run_job(e, LIST_ELEM(n, struct job_rec, qlink), NULL);
}

/* --- submission and control --------------------------------------------- */

/* The id the next job gets: the writer holds the transaction, so no one
 * else can take it between here and the INSERT.  The table's max(id) + 1
 * is read once and then followed in memory (job_insert() moves it past
 * each row written): fleetd is the jobs table's only writer (the second
 * writer of the tests adds events), and retention never deletes the
 * newest job.  Whatever may have undone rows -- a failed INSERT, a failed
 * commit, a group rolled back -- sets it to 0, and it is read again, so
 * an id is handed out exactly as reading max(id) every time would. */
static int64_t next_job_id(struct engine *e)
{
	if (!e->next_id) {
		sqlite3_stmt *s = store_stmt(e->st, SQL_NEXT_ID);
		if (!s || sqlite3_step(s) != SQLITE_ROW) {
			if (s)
				sqlite3_reset(s);
			return -1;
		}
		e->next_id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	return e->next_id > e->id_floor ? e->next_id : e->id_floor + 1;
}

/* The data of job.created: {"spec":SPEC}, from the spec's text, and for a
 * retry where it starts: "retry_of", "step", "iteration"; for a group's
 * child its "parent" (the caller frees it; NULL on ENOMEM). */
static char *created_event(const char *spec_text, const struct engine_submit_opts *o)
{
	struct textbuf t = {0};
	textbuf_puts(&t, "{\"spec\":");
	textbuf_puts(&t, spec_text);
	if (o->retry_of) {
		textbuf_puts(&t, ",\"retry_of\":");
		textbuf_int(&t, o->retry_of);
		textbuf_puts(&t, ",\"step\":");
		textbuf_int(&t, o->step);
		textbuf_puts(&t, ",\"iteration\":");
		textbuf_int(&t, o->iteration);
	}
	if (o->parent) {
		textbuf_puts(&t, ",\"parent\":");
		textbuf_int(&t, o->parent);
	}
	textbuf_puts(&t, "}");
	return textbuf_take(&t, &(size_t){0});
}

/* A job due now is started before its row is first written, so a
 * submission is one INSERT (not an INSERT and then an UPDATE of the same
 * row when it starts).  A failed INSERT leaves the turn's events of the
 * job in the transaction; SQLite fails such a write only on I/O or
 * memory errors, which fail that commit too. */
int64_t engine_spec_holder(const struct engine *e, const json_t *spec)
{
	int64_t fleet = json_integer_value(json_object_get(spec, "fleet"));
	int64_t world = json_integer_value(json_object_get(spec, "world"));
	const struct job_rec *h = fleet ? idmap_get(&e->lease, fleet) : NULL;
	if (!h && world)
		h = idmap_get(&e->wlease, world);
	return h ? h->id : 0;
}

int engine_job_live(const struct engine *e, int64_t id)
{
	return id > 0 && idmap_get(&e->recs, id) != NULL;
}

static int64_t submit_group_spec(struct engine *e, const json_t *spec,
				 const struct engine_submit_opts *o, int64_t *holder);

int64_t engine_submit(struct engine *e, const json_t *spec,
		      const struct engine_submit_opts *o, int64_t *holder)
{
	static const struct engine_submit_opts none;
	if (!o)
		o = &none;
	if (json_object_get(spec, "fleets") && !o->parent)
		return submit_group_spec(e, spec, o, holder);
	int64_t now = clock_now_ms();
	int64_t fleet = o->fleet ? o->fleet : json_integer_value(json_object_get(spec, "fleet"));
	int64_t world = json_integer_value(json_object_get(spec, "world"));
	if (e->revert.n)
		engine_revert(e);
	if (!store_available(e->st) || e->revert.n)
		return -1;
	struct job_rec *h = fleet ? idmap_get(&e->lease, fleet) : NULL;
	if (!h && world)
		h = idmap_get(&e->wlease, world);
	if (h) {
		*holder = h->id;
		return 0;
	}
	if (store_begin(e->st) < 0)
		return -1;
	struct job j = {
		.id = next_job_id(e), .fleet = fleet, .world = world, .state = JOB_QUEUED,
		.parent = o->parent, .paused_from = -1, .spec = json_incref((json_t *)spec),
		.steps = json_object_get(spec, "steps"), .data = json_object(), .created_at = now,
		.wake_at = o->start_now ? now : jobspec_start_ms(spec, now),
		.step = o->step, .iteration = o->iteration,
		.vars = o->vars ? json_deep_copy(o->vars) : NULL,
	};
	set_sub(&j, "START");
	/* the spec's text serves the row and the job.created event */
	char *text = o->spec_text ? strdup(o->spec_text) : json_canon_text(spec, NULL);
	char *created = text ? created_event(text, o) : NULL;
	struct job_rec *r = j.id > 0 && j.data && created && (!o->vars || j.vars)
		? rec_new(e, j.id, fleet, world, JOB_QUEUED) : NULL;
	if (r && o->on_id && o->on_id(o->on_id_arg, j.id) != 0) {
		rec_drop(e, r);
		r = NULL;
	}
	if (!r) {
		free(text);
		free(created);
		job_clear(&j);
		return -1;
	}
	eventlog_append_text(e->el, j.id, "job.created", created);
	free(created);
	struct job_was was = job_was(&j);
	struct pending_call *pc = NULL;
	if (j.wake_at <= now)
		pc = job_run_live(e, r, &j, NULL, NULL, now);
	int rc = job_insert(e, &j, text, o, now);
	free(text);
	if (rc < 0) {
		if (pc)
			pc_free(pc);
		rec_drop(e, r);
		job_clear(&j);
		return -1;
	}
	e->counts[JOB_QUEUED]++;
	e->transitions++;
	job_written(e, r, &j, &was, pc);
	int64_t id = j.id;
	job_clear(&j);
	return id;
}

/* A cancel whose step must first undo what it started (its op's cancel
 * hook says so, e.g. attack with on_cancel "abort"): the job stays live
 * at the sub-state the hook chose, marked "cancelling" in its data, and
 * all of it is written in the cancel's transaction, so after a kill -9 the
 * engine carries on from the row.  It runs at once (or when the answer of
 * a call in flight comes) and ends cancelled when the step is done or
 * fails (finish()).  The fleet stays held until then.  Returns 1 if so, 0
 * if the step has nothing to undo (the job is not changed), -1 if the
 * row could not be written. */
static int cancel_deferred(struct engine *e, struct job_rec *r, struct job *j,
			   int64_t now)
{
	const json_t *args = step_args(j);
	int opi = jobspec_step_op(args);
	const struct step_op *op = opi >= 0 ? step_ops[opi] : NULL;
	int sub = op ? sub_index(op, j->sub) : -1;
	if (sub < 0 || !op->cancel)
		return 0;
	struct step_ctx c = {
		.eng = e, .store = e->st, .m = e->app->mirror, .now_ms = now,
		.job_id = j->id, .fleet = j->fleet, .args = args, .sub = sub,
		.data = j->data,
	};
	if (!op->cancel(&c) || c.sub < 0 || c.sub >= op->nstates)
		return 0;
	struct job_was was = job_was(j);
	snprintf(j->sub, sizeof j->sub, "%s", op->states[c.sub]);
	json_object_set_new(j->data, "cancelling", json_true());
	j->state = JOB_RUNNING;
	j->wait = WAIT_NONE;
	j->wake_at = 0;
	note_new(e, j->id, "job.cancelling",
		 json_pack("{s:s,s:I,s:s,s:s}", "by", "api", "step", (json_int_t)j->step,
			   "op", op->name, "sub_state", j->sub));
	if (job_save(e, j, now) < 0)
		return -1;
	unregister_wait(e, r);
	job_written(e, r, j, &was, NULL);
	loop_wake(e->loop);
	return 1;
}

/* What a cancel or a pause finds in the row (loaded is 0 if it could not
 * be read: the cancel then ends the job and its step keeps what it holds
 * -- an explore claim stays, which skips a world, never visits one twice).
 * Returns 409 for a job already being cancelled, 202 for a cancel carried
 * on by its step, 0 to go on with the plain state change, -1 on a failed
 * write. */
static int control_row(struct engine *e, struct job_rec *r, struct job *j,
		       int loaded, enum engine_ctl ctl, int64_t now, char *err,
		       size_t errlen)
{
	if (!loaded)
		return 0;
	if (job_cancelling(j)) {
		snprintf(err, errlen, "job %lld is being cancelled: its step is undoing what "
			 "it started, then it ends cancelled", (long long)j->id);
		return 409;
	}
	if (ctl != CTL_CANCEL)
		return 0;
	int rc = cancel_deferred(e, r, j, now);
	return rc < 0 ? -1 : rc ? 202 : 0;
}

/* The columns control reads (CTL_READ_COLS) of job id: 1, 0 if there is
 * no such job, -1 on a database error. */
static int ctl_row(struct engine *e, int64_t id, struct job_row *row)
{
	sqlite3_stmt *s = store_stmt(e->st, e->sql.state_of);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		job_row_decode(s, CTL_READ_COLS, row);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Control one job (not a parent) whose control columns are row. */
static int control_job(struct engine *e, int64_t id, const struct job_row *cr,
		       enum engine_ctl ctl, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct job_row row;
	int state = cr->state, from = cr->paused_from;
	struct job_rec *r = idmap_get(&e->recs, id);
	int64_t now = clock_now_ms();
	int to;
	if (!is_live(state) || !r) {
		snprintf(err, errlen, "job %lld has already ended (%s); only live jobs "
			 "can be %s", (long long)id, job_state_name(state),
			 ctl == CTL_CANCEL ? "cancelled" : ctl == CTL_PAUSE ? "paused" : "resumed");
		return 409;
	}
	switch (ctl) {
	case CTL_CANCEL:
		to = JOB_CANCELLED;
		break;
	case CTL_PAUSE:
		if (state == JOB_PAUSED) {
			snprintf(err, errlen, "job %lld is already paused", (long long)id);
			return 409;
		}
		to = JOB_PAUSED;
		from = state;
		break;
	case CTL_RESUME:
		if (state != JOB_PAUSED) {
			snprintf(err, errlen, "job %lld is %s, not paused; only paused "
				 "jobs can be resumed", (long long)id, job_state_name(state));
			return 409;
		}
		to = from == JOB_QUEUED ? JOB_QUEUED : JOB_RUNNING;
		break;
	default:
		return -1;
	}
	if (store_begin(e->st) < 0)
		return -1;
	struct job j;
	int loaded = ctl != CTL_RESUME && job_load(e, id, &j) == 0;
	int rc = control_row(e, r, &j, loaded, ctl, now, err, errlen);
	if (rc == 0 && (touch(e, id) < 0 || !(s = store_stmt(e->st, e->sql.set_state))))
		rc = -1;
	if (rc != 0) {
		if (loaded)
			job_clear(&j);
		return rc;
	}
	row = (struct job_row){
		.id = id, .state = to, .paused_from = to == JOB_PAUSED ? from : -1,
		.updated_at = now, .finished_at = to == JOB_CANCELLED ? now : 0,
	};
	job_row_bind(s, CTL_WRITE_COLS, &row);
	jobread_forget(e->reads, id);
	jobmemo_forget_row(&e->memo, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (loaded && rc == SQLITE_DONE && to == JOB_CANCELLED)
		abandon_step(e, &j, now); /* in the same transaction as the state */
	if (loaded)
		job_clear(&j);
	if (rc != SQLITE_DONE)
		return -1;
	note_new(e, id, "job.state",
		 json_pack("{s:s,s:s,s:s}", "from", job_state_name(state), "to",
			   job_state_name(to), "by", "api"));
	count_move(e, state, to);
	r->state = (uint8_t)to;
	if (cr->parent)
		child_changed(e, cr->parent, state, to);
	if (to == JOB_CANCELLED) {
		if (r->flags & REC_IN_FLIGHT) {
			/* the answer will find the job ended and drop the record;
			 * the fleet is free now */
			unregister_wait(e, r);
			rec_set_fleet(e, r, 0);
			rec_free_world(e, r);
		} else {
			rec_drop(e, r);
		}
	} else if (to == JOB_PAUSED) {
		unregister_wait(e, r);
		list_remove(&r->qlink);
	} else {
		wake(e, r);
		loop_wake(e->loop);
	}
	if (to == JOB_CANCELLED) /* once the job waits for nothing */
		queue_give_back_job(e, id, now);
	return 0;
}

/* --- groups (group.h) ------------------------------------------------------
 *
 * A parent is a row and nothing else: it is written when its group is
 * stored, when it is controlled and when its last live child ends, each
 * time in the transaction of that change.  Its children are ordinary jobs
 * whose rows name it; every change of one passes here (child_changed). */

static const char SQL_GROUP_SAVEPOINT[] = "SAVEPOINT job_group";
static const char SQL_GROUP_RELEASE[] = "RELEASE job_group";
static const char SQL_GROUP_ROLLBACK[] = "ROLLBACK TO job_group";

/* The group's savepoint, in the open transaction.  The event log holds
 * its rows until the commit: those appended before the savepoint are
 * written first, so that a rollback to it takes exactly the group's
 * (group_rollback).  *ev_mark: the last event id before the group. */
static int group_savepoint(struct engine *e, int64_t *ev_mark)
{
	if (store_begin(e->st) < 0 || (*ev_mark = eventlog_mark(e->el)) < 0 ||
	    store_exec(e->st, SQL_GROUP_SAVEPOINT) < 0)
		return -1;
	return 0;
}

/* Undo the group's rows, its events (held or written) among them. */
static int group_rollback(struct engine *e, int64_t ev_mark)
{
	int rc = store_exec(e->st, SQL_GROUP_ROLLBACK);
	e->next_id = 0;
	eventlog_rewind(e->el, ev_mark);
	if (store_exec(e->st, SQL_GROUP_RELEASE) < 0)
		rc = -1;
	return rc;
}

/* Write a parent's new state, with its event and count. */
static int parent_set(struct engine *e, int64_t id, int from, int to, int64_t now,
		      const char *by)
{
	sqlite3_stmt *s;
	if (touch(e, id) < 0 || !(s = store_stmt(e->st, e->sql.set_state)))
		return -1;
	struct job_row row = {
		.id = id, .state = to, .paused_from = to == JOB_PAUSED ? from : -1,
		.updated_at = now, .finished_at = is_live(to) ? 0 : now,
	};
	job_row_bind(s, CTL_WRITE_COLS, &row);
	jobread_forget(e->reads, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return -1;
	note_new(e, id, "job.state",
		 json_pack("{s:s,s:s,s:s}", "from", job_state_name(from), "to",
			   job_state_name(to), "by", by));
	count_move(e, from, to);
	return 0;
}

/* End the parent if none of its children is live any more (the spec's
 * rule: group_end_state).  0 (ended or not), -1 on a database error. */
static int group_settle(struct engine *e, int64_t parent)
{
	uint64_t counts[JOB_STATE_COUNT];
	struct job_row row;
	int live = group_live_child(e->st, parent);
	if (live != 0)
		return live < 0 ? -1 : 0;
	if (group_counts(e->st, parent, counts) < 0 || ctl_row(e, parent, &row) < 0)
		return -1;
	if (!is_live(row.state))
		return 0;
	int end = group_end_state(counts);
	if (end == JOB_FAILED && group_note_failure(e->st, parent) < 0)
		return -1;
	return parent_set(e, parent, row.state, end, clock_now_ms(), "group");
}

/* A child's state changed from -> to (its row is written). */
static void child_changed(struct engine *e, int64_t parent, int from, int to)
{
	if (from == to)
		return;
	jobread_forget(e->reads, parent); /* its answer counts the children by state */
	if (!is_live(from) || is_live(to) || parent == e->group_open)
		return;
	if (group_settle(e, parent) < 0)
		log_error("cannot end a group's parent; it is checked again at start-up",
			  "job=%lld", (long long)parent);
}

/* The parent's row: state waiting on its children from the start. */
static int64_t parent_insert(struct engine *e, const json_t *spec,
			     const struct engine_submit_opts *o, int64_t now)
{
	struct job j = {
		.id = next_job_id(e), .state = JOB_WAITING, .wait = WAIT_CHILDREN,
		.paused_from = -1, .spec = json_incref((json_t *)spec), .data = json_object(),
		.steps = json_object_get(spec, "steps"), .created_at = now, .started_at = now,
	};
	set_sub(&j, "START");
	char *text = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
	char *created = text ? created_event(text, o) : NULL;
	int rc = j.id > 0 && j.data && created ? 0 : -1;
	if (rc == 0 && eventlog_append_text(e->el, j.id, "job.created", created) < 0)
		rc = -1;
	if (rc == 0)
		rc = job_insert(e, &j, text, o, now);
	free(text);
	free(created);
	int64_t id = rc == 0 ? j.id : -1;
	job_clear(&j);
	if (id > 0) {
		e->counts[JOB_WAITING]++;
		e->transitions++;
	}
	return id;
}

/* A group that could not be stored whole: its rows are rolled back to the
 * savepoint, and what memory holds of them (records, answers, the counts)
 * goes with them.  Its ids are not handed out again in this process, so a
 * call queued for a child's first step finds no job and is dropped. */
static void group_undo(struct engine *e, int64_t first, int64_t upto, uint64_t transitions,
		       int64_t ev_mark)
{
	if (group_rollback(e, ev_mark) < 0)
		log_error("cannot roll a group back to its savepoint", NULL);
	for (int64_t id = first; id > 0 && id <= upto; id++) {
		struct job_rec *r = idmap_get(&e->recs, id);
		jobread_forget(e->reads, id);
		jobmemo_forget(&e->memo, id);
		if (r)
			rec_drop(e, r);
	}
	if (upto > e->id_floor)
		e->id_floor = upto;
	e->transitions = transitions;
	if (load_counts(e) < 0)
		log_error("cannot count the jobs again", NULL);
}

int64_t engine_submit_group(struct engine *e, const json_t *spec,
			    const int64_t *fleets, size_t n,
			    const struct engine_submit_opts *opts, int64_t *holders)
{
	int64_t now = clock_now_ms();
	if (e->revert.n)
		engine_revert(e);
	if (!store_available(e->st) || e->revert.n)
		return -1;
	int busy = 0;
	for (size_t i = 0; i < n; i++) {
		struct job_rec *h = idmap_get(&e->lease, fleets[i]);
		holders[i] = h ? h->id : 0;
		busy |= h != NULL;
	}
	if (busy)
		return 0;
	int64_t ev_mark;
	if (group_savepoint(e, &ev_mark) < 0)
		return -1;
	uint64_t transitions = e->transitions;
	int64_t first = next_job_id(e), last = first;
	int64_t parent = first > 0 ? parent_insert(e, spec, opts, now) : -1;
	e->group_open = parent;
	for (size_t i = 0; parent > 0 && i < n; i++) {
		json_t *cs = group_child_spec(spec, fleets[i]);
		/* a child: the group's variables (a trigger's) and start */
		struct engine_submit_opts co = {.parent = parent, .vars = opts->vars,
						.start_now = opts->start_now};
		int64_t h = 0, id = cs ? engine_submit(e, cs, &co, &h) : -1;
		json_decref(cs);
		last++; /* the id it took, or would have */
		if (id <= 0)
			parent = -1;
	}
	e->group_open = 0;
	if (parent > 0 && (group_settle(e, parent) < 0 ||
			   store_exec(e->st, SQL_GROUP_RELEASE) < 0))
		parent = -1;
	if (parent < 0) {
		group_undo(e, first, last, transitions, ev_mark);
		return -1;
	}
	jobread_forget(e->reads, parent); /* its answer now lists the children */
	return parent;
}

static int64_t lease_holder(void *arg, int64_t fleet)
{
	return engine_fleet_holder(arg, fleet);
}

/* A group's spec from a creator other than POST /v1/jobs (a schedule's or
 * a trigger's template, a retry of a parent): its fleets resolved now (a
 * filter against the mirror as it is), then stored as the API stores it.
 * A filter that matches nothing, or a galaxy not yet known, is -1 (no job
 * made, logged); a held fleet is 0 with *holder the first holder. */
static int64_t submit_group_spec(struct engine *e, const json_t *spec,
				 const struct engine_submit_opts *o, int64_t *holder)
{
	char err[300];
	int64_t *ids = NULL;
	long n = group_resolve(json_object_get(spec, "fleets"), e->app->mirror, lease_holder,
			       e, &ids, err, sizeof err);
	if (n < 0) {
		log_warn("a group's fleets cannot be resolved; no job made", "error=\"%s\"", err);
		return -1;
	}
	int64_t *holders = calloc((size_t)n, sizeof *holders);
	int64_t id = holders ? engine_submit_group(e, spec, ids, (size_t)n, o, holders) : -1;
	for (long i = 0; id == 0 && i < n && !*holder; i++)
		*holder = holders[i];
	free(ids);
	free(holders);
	return id;
}

/* Control every live child of a parent it applies to (a child already
 * paused is not paused again, one not paused is not resumed), then the
 * parent: paused or waiting again; a cancel ends it through the last
 * child (group_settle).  All or nothing, under a savepoint. */
static int group_control(struct engine *e, int64_t id, const struct job_row *pr,
			 enum engine_ctl ctl, char *err, size_t errlen)
{
	const char *verb = ctl == CTL_CANCEL ? "cancelled" : ctl == CTL_PAUSE ? "paused"
								    : "resumed";
	if (!is_live(pr->state)) {
		snprintf(err, errlen, "group %lld has already ended (%s); only live groups "
			 "can be %s", (long long)id, job_state_name(pr->state), verb);
		return 409;
	}
	if (ctl == CTL_PAUSE && pr->state == JOB_PAUSED) {
		snprintf(err, errlen, "group %lld is already paused", (long long)id);
		return 409;
	}
	if (ctl == CTL_RESUME && pr->state != JOB_PAUSED) {
		snprintf(err, errlen, "group %lld is %s, not paused; only paused groups can "
			 "be resumed", (long long)id, job_state_name(pr->state));
		return 409;
	}
	struct idvec kids = {0};
	int64_t ev_mark;
	if (group_savepoint(e, &ev_mark) < 0)
		return -1;
	int rc = group_children(e->st, id, 1, &kids), deferred = 0;
	for (size_t i = 0; rc == 0 && i < kids.n; i++) {
		struct job_row kr;
		char kerr[200];
		int found = ctl_row(e, kids.v[i], &kr);
		int c = found > 0 ? control_job(e, kids.v[i], &kr, ctl, kerr, sizeof kerr) : found;
		if (c < 0)
			rc = -1;
		deferred |= c == 202; /* 409: not in a state this control applies to */
	}
	int64_t now = clock_now_ms();
	if (rc == 0 && ctl == CTL_PAUSE)
		rc = parent_set(e, id, pr->state, JOB_PAUSED, now, "api");
	else if (rc == 0 && ctl == CTL_RESUME)
		rc = parent_set(e, id, JOB_PAUSED, JOB_WAITING, now, "api");
	else if (rc == 0)
		rc = group_settle(e, id);
	if (rc == 0 && store_exec(e->st, SQL_GROUP_RELEASE) < 0)
		rc = -1;
	if (rc < 0) {
		/* the children's rows go back; their records follow them */
		group_rollback(e, ev_mark);
		for (size_t i = 0; i < kids.n; i++)
			idvec_push(&e->revert, kids.v[i]);
		idvec_push(&e->revert, id);
		engine_revert(e);
	}
	idvec_free(&kids);
	return rc < 0 ? -1 : deferred ? 202 : 0;
}

int engine_control(struct engine *e, int64_t id, enum engine_ctl ctl, char *err,
		   size_t errlen)
{
	if (e->revert.n)
		engine_revert(e);
	if (!store_available(e->st) || e->revert.n)
		return -1;
	struct job_row row;
	int found = ctl_row(e, id, &row);
	if (found <= 0) {
		snprintf(err, errlen, "no job %lld", (long long)id);
		return found < 0 ? -1 : 404;
	}
	if (row.wait == WAIT_CHILDREN)
		return group_control(e, id, &row, ctl, err, errlen);
	return control_job(e, id, &row, ctl, err, errlen);
}

/* --- what the steps ask the engine -------------------------------------- */

int64_t engine_world_locked_by(struct engine *e, int64_t world, int64_t job_id)
{
	sqlite3_stmt *s = store_stmt(e->st, e->sql.locked_by);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, world);
	sqlite3_bind_int64(s, 2, job_id);
	int64_t holder = 0;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		struct job_row row;
		job_row_decode(s, JC_BIT(JC_ID), &row);
		holder = row.id;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? holder : -1;
}

static const char SQL_CLAIM[] =
	"INSERT OR IGNORE INTO explore_visited (grp, world, job_id, at) "
	"VALUES (?1, ?2, ?3, ?4)";
static const char SQL_UNCLAIM[] =
	"DELETE FROM explore_visited WHERE grp = ?1 AND world = ?2 AND job_id = ?3";
static const char SQL_VISITED[] = "SELECT world FROM explore_visited WHERE grp = ?1";

/* SQL_CLAIM or SQL_UNCLAIM with the claim bound: ?1 grp, ?2 world, ?3 the
 * job; NULL if it cannot be prepared. */
static sqlite3_stmt *claim_stmt(struct engine *e, const char *sql, const char *grp,
				int64_t world, int64_t job_id)
{
	sqlite3_stmt *s = store_stmt(e->st, sql);
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, grp, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, world);
	sqlite3_bind_int64(s, 3, job_id);
	return s;
}

int engine_explore_claim(struct engine *e, const char *grp, int64_t world,
			 int64_t job_id, int64_t now_ms)
{
	sqlite3_stmt *s = claim_stmt(e, SQL_CLAIM, grp, world, job_id);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 4, now_ms);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int engine_explore_unclaim(struct engine *e, const char *grp, int64_t world,
			   int64_t job_id)
{
	sqlite3_stmt *s = claim_stmt(e, SQL_UNCLAIM, grp, world, job_id);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	int gone = rc == SQLITE_DONE && sqlite3_changes(store_db(e->st)) > 0;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? gone : -1;
}

int engine_explore_visited(struct engine *e, const char *grp, struct idmap *seen)
{
	sqlite3_stmt *s = store_stmt(e->st, SQL_VISITED);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, grp, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (idmap_put(seen, sqlite3_column_int64(s, 0), seen) < 0)
			break;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct jobread *engine_reads(struct engine *e)
{
	return e->reads;
}

int64_t engine_fleet_holder(const struct engine *e, int64_t fleet)
{
	const struct job_rec *r = idmap_get(&e->lease, fleet);
	return r ? r->id : 0;
}

int64_t engine_world_holder(const struct engine *e, int64_t world)
{
	const struct job_rec *r = idmap_get(&e->wlease, world);
	return r ? r->id : 0;
}

void engine_counts(const struct engine *e, uint64_t counts[JOB_STATE_COUNT])
{
	memcpy(counts, e->counts, sizeof e->counts);
}

uint64_t engine_transitions(const struct engine *e)
{
	return e->transitions;
}

size_t engine_live(const struct engine *e)
{
	return e->recs.n;
}

size_t engine_waiting_conditions(const struct engine *e)
{
	return condidx_count(&e->ci) + e->cond_jobs;
}

uint64_t engine_cond_evaluations(const struct engine *e)
{
	return e->cond_evals;
}

/* --- start-up ------------------------------------------------------------ */

struct engine *engine_new(struct app *app)
{
	struct engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->app = app;
	e->loop = app->loop;
	e->st = app->store;
	e->el = app->eventlog;
	idmap_init(&e->recs);
	idmap_init(&e->lease);
	idmap_init(&e->wlease);
	list_init(&e->runq);
	list_init(&e->calls);
	condidx_init(&e->ci);
	condidx_init(&e->cwi);
	qwaits_init(&e->qw);
	jobmemo_init(&e->memo);
	rng_seed(&e->rng, rng_seed_now());
	if (sql_init(&e->sql) < 0 || !(e->reads = jobread_new(e->st))) {
		log_error("cannot set up the job engine", NULL);
		free(e);
		return NULL;
	}
	/* prepared now, not by the first watch that ends jobs this way (a
	 * job row's write takes ~40 K instructions to prepare; the variants
	 * are kept by the store's cache either way) */
	for (int v = 0; v < SAVE_VARIANTS; v++)
		store_stmt(e->st, e->sql.save[v]);
	struct loop_source src = {
		.name = "jobs", .prepare = engine_prepare,
		.dispatch = engine_dispatch, .arg = e,
	};
	if (loop_add_source(app->loop, &src) < 0) {
		jobread_free(e->reads);
		free(e);
		return NULL;
	}
	return e;
}

static int64_t job_lookup(void *arg, int64_t fleet)
{
	return engine_fleet_holder(arg, fleet);
}

int engine_attach_mirror(struct engine *e)
{
	if (!e->app->mirror || e->mirror_attached)
		return 0;
	e->mirror_attached = 1;
	mirror_set_job_lookup(e->app->mirror, job_lookup, e);
	return mirror_subscribe(e->app->mirror, on_changes, e);
}

int engine_load(struct engine *e, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	if (load_counts(e) < 0 || !(s = store_stmt(e->st, e->sql.live))) {
		snprintf(err, errlen, "cannot read the jobs table");
		return -1;
	}
	size_t n = 0;
	struct idvec parents = {0};
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct job_row row;
		job_row_decode(s, LIVE_COLS, &row);
		if (row.wait == WAIT_CHILDREN) {
			/* a group's parent: its row is all it has */
			if (idvec_push(&parents, row.id) < 0)
				log_error("cannot note a group to check", "job=%lld",
					  (long long)row.id);
			continue;
		}
		struct job_rec *r = rec_new(e, row.id, row.fleet, row.world, row.state);
		if (!r) {
			sqlite3_reset(s);
			snprintf(err, errlen, "out of memory loading job %lld", (long long)row.id);
			return -1;
		}
		n++;
		place_from_row(e, r, &row);
	}
	sqlite3_reset(s);
	/* a parent whose last child's end could not write it (group_settle
	 * failed) ends now, as that end should have ended it */
	for (size_t i = 0; i < parents.n; i++)
		if (store_begin(e->st) < 0 || group_settle(e, parents.v[i]) < 0)
			log_error("cannot check a group's parent", "job=%lld",
				  (long long)parents.v[i]);
	log_info("jobs loaded", "live=%zu groups=%zu", n, parents.n);
	idvec_free(&parents);
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	size_t pos = 0;
	int64_t key;
	void *val;
	while (idmap_next(&e->recs, &pos, &key, &val)) {
		struct job_rec *r = val;
		if (r->flags & REC_IN_WATCH)
			condidx_remove_watch(&e->ci, &r->timer.node);
		else
			loop_timer_disarm(e->loop, &r->timer);
		free(r);
	}
	/* the session dropped these without answering (it is freed first) */
	struct list_node *n;
	while ((n = list_first(&e->calls)))
		pc_free(LIST_ELEM(n, struct pending_call, link));
	idmap_free(&e->recs);
	idmap_free(&e->lease);
	idmap_free(&e->wlease);
	idvec_free(&e->touched);
	idvec_free(&e->revert);
	condidx_free(&e->ci);
	condidx_free(&e->cwi);
	qwaits_free(&e->qw);
	jobmemo_free(&e->memo);
	jobread_free(e->reads);
	free(e);
}
