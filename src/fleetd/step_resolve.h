/* step_resolve.h -- a step's computed arguments ("$NAME", {"nearest":
 * filter}, computed quantities), fixed from the mirror when the step
 * starts; see step_resolve.c for the rules.  Owns nothing. */
#ifndef FLEETD_STEP_RESOLVE_H
#define FLEETD_STEP_RESOLVE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mirror;

/* 1 if the step as submitted has anything to resolve when it starts. */
int step_resolve_needed(const json_t *args);
/* The step's resolved arguments as a new object {key: value} (*out), for
 * the job's fleet and variables (vars may be NULL).  *nothing is set when
 * its resources all came to 0 (the step is then skipped).  0, or -1 with
 * "no_match: ..." or "unbound_variable: ..." in err. */
int step_resolve(const json_t *args, const struct mirror *m, int64_t fleet,
		 const json_t *vars, json_t **out, int *nothing, char *err, size_t errlen);

#endif
