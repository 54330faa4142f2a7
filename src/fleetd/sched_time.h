/* sched_time.h -- when a schedule's firings are due, and which of them run
 * after a gap: pure arithmetic, no clock, no store, no loop.
 *
 * A schedule's firing n (n = 0, 1, ...) is due at base + n * every, in the
 * schedule's unit: a watch number, or wall-clock ms.  Times are absolute,
 * so a restart never shifts them.  A firing handled before due + grace is
 * on time; one handled later was missed (the daemon was down, or paused).
 * When several firings are due at once (after downtime), only the last of
 * them may run: on time, it runs whatever catch_up says; late, it runs
 * only with catch_up "one" (so at most one missed firing ever runs), and
 * the earlier ones are recorded missed as one run of numbers. */
#ifndef FLEETD_SCHED_TIME_H
#define FLEETD_SCHED_TIME_H

#include <stdint.h>

/* A watch firing is on time during its own watch. */
#define SCHED_GRACE_WATCHES 1
/* A seconds firing is on time for this long after its due time, or until
 * the next firing is due, whichever is sooner. */
#define SCHED_GRACE_MS 60000

/* The due time of firing n (saturates at INT64_MAX). */
int64_t sched_due(int64_t base, int64_t every, int64_t n);
/* The last firing due at now, -1 if none is (now < base). */
int64_t sched_last_due(int64_t base, int64_t every, int64_t now);
/* The base of a seconds schedule created at now that starts at start:
 * start itself when it is not past, else the first start + k * every at
 * or after now (a past start_at only sets the phase: "on the hour"). */
int64_t sched_first_base(int64_t start, int64_t every, int64_t now);
/* How long after its due time a firing is still on time. */
int64_t sched_grace(int watches, int64_t every);

/* What to do with a schedule whose next unrecorded firing is next, at now. */
struct sched_plan {
	int64_t missed_from, missed_through; /* recorded missed; from > through: none */
	int64_t run;                         /* the firing to run, -1 for none */
	int64_t next;                        /* the next unrecorded firing after this */
};
void sched_plan(int64_t base, int64_t every, int64_t next, int64_t now, int64_t grace,
		int catch_up_one, struct sched_plan *p);

#endif
