/* cond.c -- see cond.h.  The tests an atom may make are one table (name,
 * subject, argument); validation, the id listing, evaluation and the words
 * all walk the condition with it, so a test is added in one row and one
 * case of test_value(). */
#include "cond.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "jobspec.h"
#include "mirror.h"
#include "textbuf.h"

enum subject { SUBJ_FLEET, SUBJ_WORLD };

enum arg {
	ARG_BOOL,  /* true | false */
	ARG_WORLD, /* a REF naming a world */
	ARG_SOV,   /* a sovereign id */
	ARG_QTY,   /* {"resource": id, "at_least"|"below": n} */
	ARG_NUM,   /* {"at_least"|"below": n} */
};

enum test {
	T_AT,
	T_MOVING,
	T_EXISTS,
	T_IN_BATTLE,
	T_CARGO,
	T_MINE,
	T_OWNER,
	T_BATTLE,
	T_STOCK,
	T_FOREIGN_FLEETS,
	T_COUNT
};

static const struct {
	const char *name;
	enum subject subj;
	enum arg arg;
	const char *words; /* for cond_describe() */
	/* 1: the value is read from the subject's own record alone, so it
	 * can change only when the mirror reports that object changed (a
	 * compiled condition keeps it until then: cond_prog_judge) */
	int alone;
} tests[T_COUNT] = {
	[T_AT] = {"at", SUBJ_FLEET, ARG_WORLD, "at", 1},
	[T_MOVING] = {"moving", SUBJ_FLEET, ARG_BOOL, "moving", 1},
	[T_EXISTS] = {"exists", SUBJ_FLEET, ARG_BOOL, "exists", 1},
	[T_IN_BATTLE] = {"in_battle", SUBJ_FLEET, ARG_BOOL, "in a battle", 1},
	[T_CARGO] = {"cargo", SUBJ_FLEET, ARG_QTY, "cargo of", 1},
	[T_MINE] = {"mine", SUBJ_WORLD, ARG_BOOL, "mine", 1},
	[T_OWNER] = {"owner", SUBJ_WORLD, ARG_SOV, "owned by sovereign", 1},
	[T_BATTLE] = {"battle", SUBJ_WORLD, ARG_BOOL, "a battle on", 1},
	[T_STOCK] = {"stock", SUBJ_WORLD, ARG_QTY, "stock of", 1},
	/* counts the other fleets at the world */
	[T_FOREIGN_FLEETS] = {"foreign_fleets", SUBJ_WORLD, ARG_NUM, "foreign fleets", 0},
};

static const char *const subject_key[] = {"fleet", "world"};

#define PATH_MAX_LEN 256

/* out = path followed by the formatted suffix (cut at PATH_MAX_LEN: a path
 * that long is only ever shown, and shown cut). */
static void subpath(char *out, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void subpath(char *out, const char *path, const char *fmt, ...)
{
	size_t n = strlen(path);
	if (n >= PATH_MAX_LEN)
		n = PATH_MAX_LEN - 1;
	memmove(out, path, n);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out + n, PATH_MAX_LEN - n, fmt, ap);
	va_end(ap);
}

/* --- reading an atom ------------------------------------------------------ */

/* The subject and test of an atom (an object that is not all/any/not);
 * -1 if it has no subject key. */
static int atom_subject(const json_t *a)
{
	int has_fleet = json_object_get(a, "fleet") != NULL;
	int has_world = json_object_get(a, "world") != NULL;
	if (has_fleet == has_world)
		return -1;
	return has_fleet ? SUBJ_FLEET : SUBJ_WORLD;
}

static int test_of(const char *key)
{
	for (int t = 0; t < T_COUNT; t++)
		if (strcmp(tests[t].name, key) == 0)
			return t;
	return -1;
}

/* The test key of a valid atom and its value. */
static enum test atom_test(const json_t *a, const json_t **value)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)a, key, v) {
		int t = test_of(key);
		if (t >= 0) {
			*value = v;
			return (enum test)t;
		}
	}
	*value = NULL;
	return T_COUNT;
}

static const char *combinator(const json_t *c, const json_t **value)
{
	static const char *const names[] = {"all", "any", "not"};
	for (size_t i = 0; i < 3; i++)
		if ((*value = json_object_get(c, names[i])))
			return names[i];
	return NULL;
}

/* --- validation ----------------------------------------------------------- */

static int var_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > COND_MAX_VAR)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int is_id(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 1 &&
	       json_integer_value(v) <= JOBSPEC_MAX_ID;
}

/* A REF standing for a fleet (fleet_ref) or a world. */
static int check_ref(const json_t *v, int fleet_ref, const char *path, char *err,
		     size_t errlen)
{
	const char *what = fleet_ref ? "fleet" : "world";
	if (is_id(v))
		return 0;
	const char *s = json_string_value(v);
	if (!s || s[0] != '$')
		return errmsg(err, errlen, "%s: must be a %s id, \"$self\", \"$here\" or \"$NAME\"",
			    path, what);
	if (strcmp(s, "$self") == 0)
		return fleet_ref ? 0 :
				   errmsg(err, errlen, "%s: \"$self\" is the job's fleet, not a world",
					path);
	if (strcmp(s, "$here") == 0)
		return fleet_ref ? errmsg(err, errlen, "%s: \"$here\" is a world, not a fleet",
					path) :
				   0;
	if (!var_name_ok(s + 1))
		return errmsg(err, errlen,
			    "%s: a variable is \"$\" and 1 to %d letters, digits or _",
			    path, COND_MAX_VAR);
	return 0;
}

static int check_count(const json_t *v, const char *path, char *err, size_t errlen)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > JOBSPEC_MAX_ID)
		return errmsg(err, errlen, "%s: must be a whole number from 0", path);
	return 0;
}

/* {"at_least": n} or {"below": n}, with the extra key `with` allowed. */
static int check_bound(const json_t *v, const char *with, const char *path, char *err,
		       size_t errlen)
{
	const json_t *lo = json_object_get(v, "at_least"), *hi = json_object_get(v, "below");
	size_t want = 1 + (with != NULL);
	char sub[PATH_MAX_LEN];
	if (!json_is_object(v) || (lo != NULL) == (hi != NULL) || json_object_size(v) != want ||
	    (with && !json_object_get(v, with)))
		return errmsg(err, errlen, "%s: must be %s", path,
			    with ? "{\"resource\": id, \"at_least\": n} or {\"resource\": id, \"below\": n}" :
				   "{\"at_least\": n} or {\"below\": n}");
	subpath(sub, path, ".%s", lo ? "at_least" : "below");
	return check_count(lo ? lo : hi, sub, err, errlen);
}

static int check_arg(enum test t, const json_t *v, const char *path, char *err,
		     size_t errlen)
{
	char sub[PATH_MAX_LEN];
	switch (tests[t].arg) {
	case ARG_BOOL:
		return json_is_boolean(v) ? 0 : errmsg(err, errlen, "%s: must be true or false", path);
	case ARG_WORLD:
		return check_ref(v, 0, path, err, errlen);
	case ARG_SOV:
		return is_id(v) ? 0 : errmsg(err, errlen, "%s: must be a sovereign id", path);
	case ARG_QTY:
		if (check_bound(v, "resource", path, err, errlen) < 0)
			return -1;
		subpath(sub, path, ".resource");
		return is_id(json_object_get(v, "resource")) ?
			       0 :
			       errmsg(err, errlen, "%s: must be a resource id", sub);
	case ARG_NUM:
		return check_bound(v, NULL, path, err, errlen);
	}
	return -1;
}

static int check_atom(const json_t *a, const char *path, char *err, size_t errlen)
{
	int subj = atom_subject(a);
	char sub[PATH_MAX_LEN];
	if (subj < 0)
		return errmsg(err, errlen,
			    "%s: must be all, any, not, or an atom naming one fleet or one world",
			    path);
	subpath(sub, path, ".%s", subject_key[subj]);
	if (check_ref(json_object_get(a, subject_key[subj]), subj == SUBJ_FLEET, sub, err,
		      errlen) < 0)
		return -1;
	const char *key;
	json_t *v;
	int ntests = 0;
	json_object_foreach((json_t *)a, key, v) {
		if (strcmp(key, subject_key[subj]) == 0)
			continue;
		subpath(sub, path, ".%s", key);
		int t = test_of(key);
		if (t < 0)
			return errmsg(err, errlen, "%s: unknown test", sub);
		if (tests[t].subj != (enum subject)subj)
			return errmsg(err, errlen, "%s: not a test of a %s", sub, subject_key[subj]);
		if (check_arg((enum test)t, v, sub, err, errlen) < 0)
			return -1;
		ntests++;
	}
	if (ntests != 1)
		return errmsg(err, errlen, "%s: an atom makes exactly one test", path);
	return 0;
}

static int check_node(const json_t *c, const char *path, int depth, int *atoms, char *err,
		      size_t errlen)
{
	if (!json_is_object(c))
		return errmsg(err, errlen, "%s: must be a condition object", path);
	if (depth > COND_MAX_DEPTH)
		return errmsg(err, errlen, "%s: nested deeper than %d", path, COND_MAX_DEPTH);
	const json_t *v;
	const char *op = combinator(c, &v);
	char sub[PATH_MAX_LEN];
	if (!op) {
		if (++*atoms > COND_MAX_ATOMS)
			return errmsg(err, errlen, "%s: more than %d atoms in one condition", path,
				    COND_MAX_ATOMS);
		return check_atom(c, path, err, errlen);
	}
	if (json_object_size(c) != 1)
		return errmsg(err, errlen, "%s: \"%s\" stands alone in its object", path, op);
	subpath(sub, path, ".%s", op);
	if (strcmp(op, "not") == 0)
		return check_node(v, sub, depth + 1, atoms, err, errlen);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return errmsg(err, errlen, "%s: must be a non-empty list of conditions", sub);
	for (size_t i = 0; i < json_array_size(v); i++) {
		char item[PATH_MAX_LEN];
		subpath(item, sub, "[%zu]", i);
		if (check_node(json_array_get(v, i), item, depth + 1, atoms, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int cond_validate(const json_t *c, const char *path, char *err, size_t errlen)
{
	int atoms = 0;
	return check_node(c, path, 1, &atoms, err, errlen);
}

/* --- walking the atoms ---------------------------------------------------- */

typedef int (*atom_fn)(void *arg, const json_t *atom, const char *path);

/* Call fn for every atom of a valid condition, with its path. */
static int each_atom(const json_t *c, const char *path, atom_fn fn, void *arg)
{
	const json_t *v;
	const char *op = combinator(c, &v);
	char sub[PATH_MAX_LEN];
	if (!op)
		return fn(arg, c, path);
	subpath(sub, path, ".%s", op);
	if (strcmp(op, "not") == 0)
		return each_atom(v, sub, fn, arg);
	for (size_t i = 0; i < json_array_size(v); i++) {
		char item[PATH_MAX_LEN];
		subpath(item, sub, "[%zu]", i);
		int rc = each_atom(json_array_get(v, i), item, fn, arg);
		if (rc)
			return rc;
	}
	return 0;
}

struct refs_walk {
	int (*fn)(void *arg, const char *path, enum cond_ref_kind kind, int64_t id);
	void *arg;
};

static int ref_of_atom(void *arg, const json_t *a, const char *path)
{
	struct refs_walk *w = arg;
	int subj = atom_subject(a);
	const json_t *ref = json_object_get(a, subject_key[subj]), *v;
	enum test t = atom_test(a, &v);
	char sub[PATH_MAX_LEN];
	int rc = 0;
	subpath(sub, path, ".%s", subject_key[subj]);
	if (json_is_integer(ref))
		rc = w->fn(w->arg, sub, subj == SUBJ_FLEET ? COND_REF_FLEET : COND_REF_WORLD,
			   json_integer_value(ref));
	subpath(sub, path, ".%s", tests[t].name);
	if (!rc && tests[t].arg == ARG_WORLD && json_is_integer(v))
		rc = w->fn(w->arg, sub, COND_REF_WORLD, json_integer_value(v));
	if (!rc && tests[t].arg == ARG_SOV)
		rc = w->fn(w->arg, sub, COND_REF_SOVEREIGN, json_integer_value(v));
	if (!rc && tests[t].arg == ARG_QTY) {
		subpath(sub, path, ".%s.resource", tests[t].name);
		rc = w->fn(w->arg, sub, COND_REF_RESOURCE,
			   json_integer_value(json_object_get(v, "resource")));
	}
	return rc;
}

int cond_refs(const json_t *c, const char *path,
	      int (*fn)(void *arg, const char *path, enum cond_ref_kind kind,
			int64_t id),
	      void *arg)
{
	struct refs_walk w = {fn, arg};
	return each_atom(c, path, ref_of_atom, &w);
}

static int uses_ref(void *arg, const json_t *a, const char *path)
{
	const char *ref = arg;
	const json_t *v;
	(void)path;
	const char *s = json_string_value(json_object_get(a, subject_key[atom_subject(a)]));
	if (s && strcmp(s, ref) == 0)
		return 1;
	enum test t = atom_test(a, &v);
	s = tests[t].arg == ARG_WORLD ? json_string_value(v) : NULL;
	return s && strcmp(s, ref) == 0;
}

int cond_uses(const json_t *c, const char *ref)
{
	return c && each_atom(c, "", uses_ref, (void *)ref) == 1;
}

int64_t cond_vars_get(void *arg, const char *name)
{
	const json_t *v = json_object_get((const json_t *)arg, name);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* --- compiled: every reference resolved, judged without JSON ------------- */

enum node_kind { N_ALL, N_ANY, N_NOT, N_ATOM };

struct cnode {
	uint8_t kind;  /* enum node_kind */
	uint8_t test;  /* enum test, for atoms */
	uint8_t flag;  /* the boolean argument; for a bound: 1 for "below" */
	uint8_t memo;  /* an atom's value kept by cond_prog_judge: 0 none, else 1 + it */
	uint32_t size; /* nodes in this subtree, itself included */
	int64_t id;    /* the fleet or world the atom names */
	int64_t arg;   /* at: the world; owner: the sovereign; cargo, stock: the resource */
	int64_t n;     /* the bound's number */
};

struct cond_prog {
	size_t n;
	struct cnode v[];
};

static size_t count_nodes(const json_t *c)
{
	const json_t *v;
	const char *op = combinator(c, &v);
	if (!op)
		return 1;
	if (strcmp(op, "not") == 0)
		return 1 + count_nodes(v);
	size_t n = 1;
	for (size_t i = 0; i < json_array_size(v); i++)
		n += count_nodes(json_array_get(v, i));
	return n;
}

/* The id a REF stands for: 0, or -1 with err. */
static int resolve(const json_t *ref, const struct cond_env *env, int64_t *id, char *err,
		   size_t errlen)
{
	if (json_is_integer(ref)) {
		*id = json_integer_value(ref);
		return 0;
	}
	const char *s = json_string_value(ref);
	if (!s)
		return errmsg(err, errlen, "invalid reference");
	if (strcmp(s, "$self") == 0)
		*id = env->self;
	else if (strcmp(s, "$here") == 0)
		*id = env->here;
	else
		*id = env->var ? env->var(env->var_arg, s + 1) : 0;
	if (*id <= 0)
		return errmsg(err, errlen, "unbound_variable: %s is not bound", s);
	return 0;
}

static int compile_atom(const json_t *a, const struct cond_env *env, struct cnode *x,
			char *err, size_t errlen)
{
	int subj = atom_subject(a);
	const json_t *v;
	x->kind = N_ATOM;
	x->test = (uint8_t)atom_test(a, &v);
	if (resolve(json_object_get(a, subject_key[subj]), env, &x->id, err, errlen) < 0)
		return -1;
	switch (tests[x->test].arg) {
	case ARG_BOOL:
		x->flag = json_is_true(v);
		return 0;
	case ARG_WORLD:
		return resolve(v, env, &x->arg, err, errlen);
	case ARG_SOV:
		x->arg = json_integer_value(v);
		return 0;
	case ARG_QTY:
		x->arg = json_integer_value(json_object_get(v, "resource"));
		break;
	case ARG_NUM:
		break;
	}
	const json_t *lo = json_object_get(v, "at_least"); /* the bound of QTY and NUM */
	x->flag = lo == NULL;
	x->n = json_integer_value(lo ? lo : json_object_get(v, "below"));
	return 0;
}

/* Fill p->v from index *at with c's nodes in prefix order. */
static int compile_node(const json_t *c, const struct cond_env *env, struct cond_prog *p,
			size_t *at, char *err, size_t errlen)
{
	const json_t *v;
	const char *op = combinator(c, &v);
	size_t me = (*at)++;
	struct cnode *x = &p->v[me];
	if (!op) {
		x->size = 1;
		return compile_atom(c, env, x, err, errlen);
	}
	x->kind = strcmp(op, "all") == 0 ? N_ALL : strcmp(op, "any") == 0 ? N_ANY : N_NOT;
	if (x->kind == N_NOT) {
		if (compile_node(v, env, p, at, err, errlen) < 0)
			return -1;
	} else {
		for (size_t i = 0; i < json_array_size(v); i++)
			if (compile_node(json_array_get(v, i), env, p, at, err, errlen) < 0)
				return -1;
	}
	p->v[me].size = (uint32_t)(*at - me);
	return 0;
}

struct cond_prog *cond_compile(const json_t *c, const struct cond_env *env, char *err,
			       size_t errlen)
{
	size_t n = count_nodes(c), at = 0;
	struct cond_prog *p = calloc(1, sizeof *p + n * sizeof p->v[0]);
	if (!p) {
		errmsg(err, errlen, "out of memory");
		return NULL;
	}
	p->n = n;
	if (compile_node(c, env, p, &at, err, errlen) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void cond_prog_free(struct cond_prog *p)
{
	free(p);
}

static int bound_holds(const struct cnode *x, int64_t value)
{
	return x->flag ? value < x->n : value >= x->n;
}

static int foreign_fleets(const struct mirror *m, int64_t world)
{
	const int64_t *ids;
	size_t n = mirror_fleets_at(m, world, &ids);
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		const struct mirror_fleet *f = mirror_fleet(m, ids[i]);
		count += f && f->sovereign != mirror_player(m);
	}
	return count;
}

static int fleet_value(const struct cnode *x, const struct mirror_fleet *f)
{
	if (x->test == T_EXISTS)
		return (f != NULL) == x->flag;
	if (!f)
		return 0;
	switch (x->test) {
	case T_AT:
		return !f->dest_id && f->anchor == x->arg;
	case T_MOVING:
		return (f->dest_id != 0) == x->flag;
	case T_IN_BATTLE:
		return (f->in_battle != 0) == x->flag;
	case T_CARGO:
		return bound_holds(x, mirror_qty(f->res, f->nres, x->arg));
	default:
		return 0;
	}
}

static int world_value(const struct cnode *x, const struct mirror *m,
		       const struct mirror_world *w)
{
	if (!w)
		return 0;
	switch (x->test) {
	case T_MINE:
		return (w->sovereign == mirror_player(m)) == x->flag;
	case T_OWNER:
		return w->sovereign == x->arg;
	case T_BATTLE:
		return (w->in_battle != 0) == x->flag;
	case T_STOCK:
		return bound_holds(x, mirror_qty(w->res, w->nres, x->arg));
	case T_FOREIGN_FLEETS:
		return bound_holds(x, foreign_fleets(m, w->id));
	default:
		return 0;
	}
}

static int atom_value(const struct cnode *x, const struct mirror *m)
{
	return tests[x->test].subj == SUBJ_FLEET ? fleet_value(x, mirror_fleet(m, x->id)) :
						    world_value(x, m, mirror_world(m, x->id));
}

/* The value of node i.  memo: NULL to read every atom from the mirror, or
 * p's own nodes (writable) to use and keep the values of atoms. */
static int run_node(const struct cond_prog *p, struct cnode *memo, size_t i,
		    const struct mirror *m)
{
	const struct cnode *x = &p->v[i];
	if (x->kind == N_ATOM) {
		if (memo && x->memo)
			return x->memo - 1;
		int v = atom_value(x, m);
		if (memo && tests[x->test].alone)
			memo[i].memo = (uint8_t)(1 + v);
		return v;
	}
	if (x->kind == N_NOT)
		return !run_node(p, memo, i + 1, m);
	int any = x->kind == N_ANY;
	for (size_t k = i + 1; k < i + x->size; k += p->v[k].size)
		if (run_node(p, memo, k, m) == any) /* any: the first true decides; all: the first false */
			return any;
	return !any;
}

int cond_prog_eval(const struct cond_prog *p, const struct mirror *m)
{
	return run_node(p, NULL, 0, m);
}

int cond_prog_judge(struct cond_prog *p, const struct mirror *m, int64_t changed)
{
	for (size_t i = 0; i < p->n; i++) {
		struct cnode *x = &p->v[i];
		if (x->kind == N_ATOM && (x->id == changed ||
					  (tests[x->test].arg == ARG_WORLD && x->arg == changed)))
			x->memo = 0;
	}
	return run_node(p, p->v, 0, m);
}

size_t cond_prog_size(const struct cond_prog *p)
{
	return sizeof *p + p->n * sizeof p->v[0];
}

struct cond_prog *cond_prog_copy(void *mem, const struct cond_prog *p)
{
	return memcpy(mem, p, cond_prog_size(p));
}

int cond_eval(const json_t *c, const struct mirror *m, const struct cond_env *env,
	      char *err, size_t errlen)
{
	struct cond_prog *p = cond_compile(c, env, err, errlen);
	if (!p)
		return -1;
	int v = cond_prog_eval(p, m);
	cond_prog_free(p);
	return v;
}

/* --- what a waiting condition depends on ---------------------------------- */

static void add_object(int64_t *ids, size_t max, size_t *n, int64_t id)
{
	size_t stored = *n < max ? *n : max;
	for (size_t i = 0; i < stored; i++)
		if (ids[i] == id)
			return;
	if (*n < max)
		ids[*n] = id;
	(*n)++;
}

size_t cond_prog_objects(const struct cond_prog *p, int64_t *ids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct cnode *x = &p->v[i];
		if (x->kind != N_ATOM)
			continue;
		add_object(ids, max, &n, x->id);
		if (tests[x->test].arg == ARG_WORLD)
			add_object(ids, max, &n, x->arg);
	}
	return n;
}

int cond_objects(const json_t *c, const struct cond_env *env, int64_t *ids, size_t max)
{
	char err[8];
	struct cond_prog *p = cond_compile(c, env, err, sizeof err);
	if (!p)
		return -1;
	size_t n = cond_prog_objects(p, ids, max);
	cond_prog_free(p);
	return (int)n;
}

/* --- in words ------------------------------------------------------------- */

/* 40000 -> "40,000" */
static void put_count(struct textbuf *b, int64_t v)
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%lld", (long long)v);
	for (int i = 0; i < n; i++) {
		textbuf_put(b, &digits[i], 1);
		if (digits[i] != '-' && (n - i - 1) % 3 == 0 && i < n - 1)
			textbuf_put(b, ",", 1);
	}
}

static void put_ref(struct textbuf *b, const json_t *ref)
{
	if (json_is_integer(ref))
		textbuf_int(b, json_integer_value(ref));
	else
		textbuf_puts(b, json_string_value(ref));
}

static void put_bound(struct textbuf *b, const json_t *bound)
{
	const json_t *lo = json_object_get(bound, "at_least");
	textbuf_puts(b, lo ? " at least " : " below ");
	put_count(b, json_integer_value(lo ? lo : json_object_get(bound, "below")));
}

static void describe_atom(const json_t *a, struct textbuf *b)
{
	int subj = atom_subject(a);
	const json_t *v;
	enum test t = atom_test(a, &v);
	textbuf_puts(b, subject_key[subj]);
	textbuf_put(b, " ", 1);
	put_ref(b, json_object_get(a, subject_key[subj]));
	textbuf_puts(b, ": ");
	if (tests[t].arg == ARG_BOOL && !json_is_true(v))
		textbuf_puts(b, "not ");
	textbuf_puts(b, tests[t].words);
	switch (tests[t].arg) {
	case ARG_WORLD:
		textbuf_puts(b, " world ");
		put_ref(b, v);
		break;
	case ARG_SOV:
		textbuf_put(b, " ", 1);
		textbuf_int(b, json_integer_value(v));
		break;
	case ARG_QTY:
		textbuf_put(b, " ", 1);
		textbuf_int(b, json_integer_value(json_object_get(v, "resource")));
		put_bound(b, v);
		break;
	case ARG_NUM:
		put_bound(b, v);
		break;
	case ARG_BOOL:
		break;
	}
}

static void describe(const json_t *c, struct textbuf *b)
{
	const json_t *v;
	const char *op = combinator(c, &v);
	if (!op) {
		describe_atom(c, b);
		return;
	}
	if (strcmp(op, "not") == 0) {
		textbuf_puts(b, "not (");
		describe(v, b);
		textbuf_put(b, ")", 1);
		return;
	}
	textbuf_puts(b, strcmp(op, "all") == 0 ? "all of (" : "any of (");
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (i)
			textbuf_puts(b, "; ");
		describe(json_array_get(v, i), b);
	}
	textbuf_put(b, ")", 1);
}

int cond_describe(const json_t *c, struct textbuf *b)
{
	describe(c, b);
	return b->oom ? -1 : 0;
}
