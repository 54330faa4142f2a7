/* fuzz_cond.c -- the condition language (src/fleetd/cond.c) as a job's
 * `until` or `if` meets it: raw bytes through jsonx_parse(), then
 * cond_validate().  A refusal names its path; an accepted condition keeps
 * the promises the engine relies on: its ids are in range, it compiles
 * with every reference bound (and fails to with one unbound, never
 * crashing), its compiled and JSON readings agree, it names at most 64
 * objects, and it can be put in words. */
#include <string.h>

#include "cond.h"
#include "fuzz.h"
#include "jobspec.h"
#include "jsonx.h"
#include "mirror.h"
#include "textbuf.h"

static int check_ref(void *arg, const char *path, enum cond_ref_kind kind, int64_t id)
{
	(void)arg;
	FUZZ_CHECK(strncmp(path, "c", 1) == 0);
	FUZZ_CHECK(kind >= COND_REF_FLEET && kind <= COND_REF_RESOURCE);
	FUZZ_CHECK(id >= 1 && id <= JOBSPEC_MAX_ID);
	return 0;
}

/* Every variable bound: to an id made from its name. */
static int64_t any_var(void *arg, const char *name)
{
	(void)arg;
	return 1000 + (int64_t)strlen(name);
}

static void judge(const json_t *c, const struct mirror *m)
{
	struct cond_env bound = {5, 7, any_var, NULL}, bare = {0, 0, NULL, NULL};
	char err[200];
	struct cond_prog *p = cond_compile(c, &bound, err, sizeof err);
	FUZZ_CHECK(p != NULL);
	int v = cond_prog_eval(p, m);
	FUZZ_CHECK(v == 0 || v == 1);
	FUZZ_CHECK(cond_eval(c, m, &bound, err, sizeof err) == v);
	int64_t ids[2 * COND_MAX_ATOMS];
	size_t n = cond_prog_objects(p, ids, sizeof ids / sizeof ids[0]);
	FUZZ_CHECK(n >= 1 && n <= 2 * COND_MAX_ATOMS);
	FUZZ_CHECK(cond_objects(c, &bound, ids, sizeof ids / sizeof ids[0]) == (int)n);
	cond_prog_free(p);
	/* unbound: an error with its reason, or (nothing symbolic) a value */
	int u = cond_eval(c, m, &bare, err, sizeof err);
	FUZZ_CHECK(u >= 0 || strncmp(err, "unbound_variable: $", 19) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mirror *m;
	if (!m)
		m = mirror_new(); /* an empty galaxy: every object unknown */
	char err[300];
	json_t *c = jsonx_parse((const char *)data, size, JSONX_MAX_DEPTH, err, sizeof err);
	if (!c || !m)
		return 0;
	if (cond_validate(c, "c", err, sizeof err) < 0) {
		FUZZ_CHECK(strncmp(err, "c", 1) == 0 && strstr(err, ": ") != NULL);
		json_decref(c);
		return 0;
	}
	FUZZ_CHECK(cond_refs(c, "c", check_ref, NULL) == 0);
	judge(c, m);
	struct textbuf b = {0};
	FUZZ_CHECK(cond_describe(c, &b) == 0 && b.p && b.len > 0);
	textbuf_free(&b);
	json_decref(c);
	return 0;
}
