/* job_check.c -- see job_check.h.  Moved here from api_jobs.c so that
 * every way a job is created (POST /v1/jobs, a trigger's firing, a
 * trigger's template) checks it by the same rules.  Reads the mirror;
 * writes nothing. */
#include "job_check.h"

#include <stdio.h>
#include <string.h>

#include "jobspec.h"
#include "mirror.h"
#include "step_world.h"

struct ref_check {
	const struct mirror *m;
	char *err;
	size_t errlen;
};

/* The spec's form for the ids of conditions and filters. */
static int unknown(struct ref_check *rc, const char *path, const char *what, int64_t id)
{
	snprintf(rc->err, rc->errlen, "%s: unknown %s %lld", path, what, (long long)id);
	return 1;
}

static int check_ref(void *arg, const char *path, enum jobspec_ref kind, int64_t id)
{
	struct ref_check *rc = arg;
	const struct mirror_fleet *f = mirror_fleet(rc->m, id);
	const struct mirror_world *w = mirror_world(rc->m, id);
	switch (kind) {
	case REF_FLEET:
		if (!f) {
			snprintf(rc->err, rc->errlen, "%s: no fleet %lld is known", path,
				 (long long)id);
			return 1;
		}
		if (f->sovereign != mirror_player(rc->m)) {
			snprintf(rc->err, rc->errlen, "%s: fleet %lld is not one of your fleets",
				 path, (long long)id);
			return 1;
		}
		return 0;
	case REF_WORLD:
		if (!w) {
			snprintf(rc->err, rc->errlen, "%s: must be a world id (no world %lld is known)",
				 path, (long long)id);
			return 1;
		}
		return 0;
	case REF_OBJECT:
		if (!w && !f) {
			snprintf(rc->err, rc->errlen, "%s: no world or fleet %lld is known",
				 path, (long long)id);
			return 1;
		}
		return 0;
	case REF_ANY_FLEET:
		return f ? 0 : unknown(rc, path, "fleet", id);
	case REF_COND_WORLD:
		return w ? 0 : unknown(rc, path, "world", id);
	case REF_SOVEREIGN:
		return mirror_sovereign_name(rc->m, id) ? 0 : unknown(rc, path, "sovereign", id);
	case REF_RESOURCE:
		return mirror_resource_name(rc->m, id) ? 0 : unknown(rc, path, "resource", id);
	case REF_OWN_WORLD:
		if (!w || w->sovereign != mirror_player(rc->m)) {
			snprintf(rc->err, rc->errlen, "%s: world %lld is not one of your worlds",
				 path, (long long)id);
			return 1;
		}
		return 0;
	}
	return 0;
}

/* A world op's catalogue reference: an id or unid of the right category
 * in getGameInfo's catalogue. */
static int check_cat_ref(void *arg, const char *path, const char *category,
			 const json_t *v)
{
	struct ref_check *rc = arg;
	char why[200];
	if (world_cat_resolve(rc->m, v, category, why, sizeof why))
		return 0;
	snprintf(rc->err, rc->errlen, "%s: %s", path, why);
	return 1;
}

/* The template form: the top-level "world" stands for a "$NAME" bound
 * when the job is made, so only the rest is checked now. */
static int check_template_ref(void *arg, const char *path, enum jobspec_ref kind,
			      int64_t id)
{
	if (strcmp(path, "world") == 0)
		return 0;
	return check_ref(arg, path, kind, id);
}

int job_check(const struct mirror *m, const json_t *spec, int64_t now_ms,
	      unsigned flags, char *err, size_t errlen)
{
	if (jobspec_validate(spec, now_ms, err, errlen) < 0)
		return -1;
	if (!m || !mirror_ready(m))
		return 0;
	struct ref_check rc = {m, err, errlen};
	if (jobspec_refs(spec, (flags & JOB_CHECK_TEMPLATE) ? check_template_ref : check_ref,
			 &rc) ||
	    jobspec_cat_refs(spec, check_cat_ref, &rc))
		return -1;
	return 0;
}
