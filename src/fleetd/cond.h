/* cond.h -- the condition language of reactive jobs (spec: "Conditions"):
 *
 *   COND := {"all": [COND..]} | {"any": [COND..]} | {"not": COND} | ATOM
 *   ATOM := {"fleet": REF, TEST} | {"world": REF, TEST}, one test each
 *   REF  := an id | "$self" | "$here" | "$NAME"
 *
 * A condition stays the JSON the job was submitted with (it is part of the
 * job's spec, so it survives a restart with the job); these functions read
 * it.  Validation is pure, as jobspec's is: cond_validate() checks the
 * shape and the limits and names the offending path; cond_refs() lists the
 * ids a condition names so the caller can check them against the galaxy;
 * cond_eval() reads the mirror.  cond_objects() gives the ids a waiting
 * condition must be woken for (the engine indexes it under each).
 *
 * Owns no state of its own (a compiled program, the caller's, keeps the
 * last values of its atoms: cond_prog_judge).  Must not touch SQLite nor
 * the engine's tables; knows the mirror only through mirror.h's read
 * functions. */
#ifndef FLEETD_COND_H
#define FLEETD_COND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mirror;
struct textbuf;

#define COND_MAX_ATOMS 32
#define COND_MAX_DEPTH 8
#define COND_MAX_VAR 32 /* bytes of a variable's name after the '$' */

/* 0 if c is a well-formed condition; else -1 with "PATH.where: problem" in
 * err, PATH being the condition's own path (e.g. "steps[1].until"). */
int cond_validate(const json_t *c, const char *path, char *err, size_t errlen);

/* What an id of a condition must name. */
enum cond_ref_kind {
	COND_REF_FLEET,
	COND_REF_WORLD,
	COND_REF_SOVEREIGN,
	COND_REF_RESOURCE,
};
/* Call fn for each literal id of a valid condition with its path; stop at
 * the first non-zero return and return it. */
int cond_refs(const json_t *c, const char *path,
	      int (*fn)(void *arg, const char *path, enum cond_ref_kind kind,
			int64_t id),
	      void *arg);
/* 1 if the condition uses "$here" (the caller resolves it when the step
 * starts and persists it), 0 otherwise (and for c NULL); likewise "$self". */
int cond_uses(const json_t *c, const char *ref);

/* What the symbolic references stand for when a condition is read. */
struct cond_env {
	int64_t self; /* the job's fleet; 0 if the job has none */
	int64_t here; /* the world "$here" was resolved to; 0 if none */
	/* a variable's id, or 0 if unbound; NULL: every variable is unbound */
	int64_t (*var)(void *arg, const char *name);
	void *var_arg;
};

/* For env->var: the variables of a job, a JSON object {"NAME": id} (arg;
 * NULL binds none). */
int64_t cond_vars_get(void *arg, const char *name);

/* 1 if c holds, 0 if not, -1 with err ("unbound_variable: $x ...") when a
 * reference it makes cannot be resolved (anywhere in it: a condition that
 * names an unbound variable is an error whatever its other atoms say).  A
 * test of a fleet or world the mirror does not hold is false, except
 * {"exists": false}, which is then true. */
int cond_eval(const json_t *c, const struct mirror *m, const struct cond_env *env,
	      char *err, size_t errlen);

/* A condition compiled with its references resolved: judged again and
 * again without JSON (a waiting job keeps one, so a change of an object
 * it names is judged in memory).  cond_eval() is compile, judge, free. */
struct cond_prog;
/* NULL with err when a reference is unbound or memory is out. */
struct cond_prog *cond_compile(const json_t *c, const struct cond_env *env, char *err,
			       size_t errlen);
int cond_prog_eval(const struct cond_prog *p, const struct mirror *m);
/* The same for a waiting condition told that object `changed` (a fleet or
 * world it names; 0 for none) changed, appeared or vanished: an atom read
 * from one object's record alone keeps its value until that object
 * changes, so only the atoms naming `changed` (and those that read other
 * records) are read from the mirror again.  The first judgement reads
 * them all.  Correct only if every change of the objects it names is
 * told. */
int cond_prog_judge(struct cond_prog *p, const struct mirror *m, int64_t changed);
/* For a caller keeping the program inside its own allocation: its size,
 * and a copy of it at mem (aligned for int64_t; never cond_prog_free()d). */
size_t cond_prog_size(const struct cond_prog *p);
struct cond_prog *cond_prog_copy(void *mem, const struct cond_prog *p);
/* The objects it names, as cond_objects(). */
size_t cond_prog_objects(const struct cond_prog *p, int64_t *ids, size_t max);
void cond_prog_free(struct cond_prog *p);

/* The distinct ids whose change, appearance or disappearance can change
 * the value of c (fleets and worlds named, resolved through env; the world
 * of an "at" test too).  Writes at most max and returns how many there
 * are; past max the count is an upper bound (an id met again then may count
 * twice), so a caller retries with that many.  -1 when a reference cannot
 * be resolved. */
int cond_objects(const json_t *c, const struct cond_env *env, int64_t *ids,
		 size_t max);

/* The condition in words for people ("world 1000: stock of 130 at least
 * 40,000"), appended to b.  0, or -1 when out of memory. */
int cond_describe(const json_t *c, struct textbuf *b);

#endif
