/* group.h -- group jobs (spec: "Fleets working together", Groups): a
 * submission naming `"fleets": [id, ...]` or `"fleets": {"filter": ...}`
 * instead of `fleet` is stored as a parent job, which holds no fleet, and
 * one child job per fleet with the same steps.
 *
 * What a group is, as data: the parent is a row whose wait kind is
 * WAIT_CHILDREN (state `waiting` while any child is live, `paused` while
 * the group is paused); each child's row names it in `parent`.  Nothing
 * of a group lives in memory: a parent has no engine record, no timer and
 * no condition; it is written only when a child ends (the last one ends
 * it) and when it is controlled.
 *
 * Owns: what `fleets` may say (checked purely, errors naming the path),
 * its resolution against the mirror (once, at submission), a child's spec,
 * the parent's end state from its children's states, a failed parent's
 * last_error from its first failed child, and the reads of a group's rows
 * by the parent's id (index jobs_parent, migrations 0007 and 0018).
 * Must not touch: a job's life (the engine stores the rows, controls the
 * children and ends the parent), the HTTP answers (api_jobs.c,
 * job_answer.c), the mirror's state (read only). */
#ifndef FLEETD_GROUP_H
#define FLEETD_GROUP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"

struct mirror;
struct store;
struct idvec;

#define GROUP_MIN_FLEETS 2    /* a list: fewer is a single job */
#define GROUP_MAX_FLEETS 1000 /* a list, or what a filter may match */

/* 0 if v (the value of `fleets`) is a list of GROUP_MIN_FLEETS to
 * GROUP_MAX_FLEETS distinct fleet ids or {"filter": FLEET_FILTER}; else -1
 * with "fleets...: problem" in err.  Pure. */
int group_validate(const json_t *v, char *err, size_t errlen);

/* What an id of a valid `fleets` must name (jobspec_refs). */
enum group_ref { GROUP_REF_FLEET, GROUP_REF_WORLD, GROUP_REF_RESOURCE };
/* Call fn for each literal id of v with its path; stops at the first
 * non-zero return and returns it. */
int group_refs(const json_t *v,
	       int (*fn)(void *arg, const char *path, enum group_ref kind, int64_t id),
	       void *arg);

/* Does the filter (a valid `fleets` that is one) need the galaxy? */
int group_is_filter(const json_t *v);

/* The fleets of a valid `fleets`: a list as given; a filter matched now
 * against m (the player's fleets only, in id order; `idle` asks holder
 * for the live job holding a fleet, 0 if none).  Returns how many, with
 * *out a new array the caller frees; -1 with err when a filter matches
 * nothing or more than GROUP_MAX_FLEETS, or memory is out. */
long group_resolve(const json_t *v, const struct mirror *m,
		   int64_t (*holder)(void *arg, int64_t fleet), void *arg,
		   int64_t **out, char *err, size_t errlen);

/* Why a group was refused, in words: "fleet A is held by job X; fleet B
 * is held by job Y" for each fleets[i] with a holder (holders[i] != 0),
 * the first `named` of them, then " (and N more)".  For every creator's
 * message (the 409 of POST /v1/jobs, a trigger's skipped firing). */
#define GROUP_BUSY_NAMED 5
struct textbuf;
void group_busy_text(struct textbuf *t, const int64_t *fleets, const int64_t *holders,
		     size_t n, size_t named);

/* A child's spec: the group's spec without `fleets`, with `fleet`.  New
 * reference; NULL when memory is out. */
json_t *group_child_spec(const json_t *spec, int64_t fleet);

/* The state a parent ends in, from its children counted by state: -1
 * while one is live; else succeeded if all did, failed if any failed,
 * cancelled otherwise (none failed, some cancelled). */
int group_end_state(const uint64_t counts[JOB_STATE_COUNT]);

/* --- reads of a group's rows (in the caller's transaction, if any) --- */

/* 1 if a child of parent is live, 0 if none, -1 on a database error. */
int group_live_child(struct store *st, int64_t parent);
/* The children of parent counted by state; 0, or -1. */
int group_counts(struct store *st, int64_t parent, uint64_t counts[JOB_STATE_COUNT]);
/* The ids of parent's children (only the live ones with live_only) in id
 * order, appended to out; 0, or -1. */
int group_children(struct store *st, int64_t parent, int live_only, struct idvec *out);
/* A failed parent's last_error, written in the open transaction (the one
 * that writes its end): "child ID: ERROR" of the child that failed first
 * (by finished_at, then id), its error "failed" if it has none.  0, or -1
 * on a database error. */
int group_note_failure(struct store *st, int64_t parent);

#endif
