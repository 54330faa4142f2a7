/* test_cond.c -- the condition language (src/fleetd/cond.c): the parser
 * from a table of valid and invalid conditions with their messages
 * (cond_cases.txt); the limits; the ids it names; evaluation against the
 * mirror of the real game's excerpt (SKIP, 77, without it); the objects a
 * waiting condition is woken for; the words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "fixture.h"
#include "mirror.h"
#include "cases.h"
#include "tap.h"
#include "textbuf.h"

#define PLAYER 3913334

static json_t *parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
	if (!v)
		fprintf(stderr, "not JSON: %s: %s\n", text, je.text);
	return v;
}

static void run_case(const char *expect, const char *text, int line)
{
	json_t *c = parse(text);
	char err[300] = "";
	CHECK(c != NULL);
	if (!c)
		return;
	int rc = cond_validate(c, "until", err, sizeof err);
	int ok = strcmp(expect, "ok") == 0 ? rc == 0 :
					     rc < 0 && strncmp(err, expect, strlen(expect)) == 0;
	if (!ok)
		fprintf(stderr, "cond_cases.txt:%d: expected \"%s\", got rc=%d \"%s\"\n", line,
			expect, rc, err);
	CHECK(ok);
	json_decref(c);
}

static void test_cases(void)
{
	int cases = cases_run("cond_cases.txt", run_case);
	CHECK(cases >= 50);
}

/* 33 atoms under one "all" is one too many; 32 pass. */
static void test_atom_limit(void)
{
	json_t *list = json_array();
	for (int i = 0; i < 32; i++)
		json_array_append_new(list, json_pack("{s:i,s:b}", "fleet", i + 1, "moving", 1));
	json_t *c = json_pack("{s:O}", "all", list);
	char err[300];
	CHECK(cond_validate(c, "steps[3].if", err, sizeof err) == 0);
	json_array_append_new(list, json_pack("{s:i,s:b}", "fleet", 99, "moving", 1));
	CHECK(cond_validate(c, "steps[3].if", err, sizeof err) < 0);
	CHECK(strcmp(err, "steps[3].if.all[32]: more than 32 atoms in one condition") == 0);
	json_decref(list);
	json_decref(c);
}

struct seen {
	char text[1024];
};

static int on_ref(void *arg, const char *path, enum cond_ref_kind kind, int64_t id)
{
	static const char *const kinds[] = {"fleet", "world", "sovereign", "resource"};
	struct seen *s = arg;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof s->text - n, "%s=%s:%lld ", path, kinds[kind],
		 (long long)id);
	return 0;
}

static void test_refs(void)
{
	json_t *c = parse("{\"all\": [{\"fleet\": 5, \"at\": 20}, {\"fleet\": \"$self\", \"at\": 7},"
			  " {\"not\": {\"world\": 99, \"owner\": 4}},"
			  " {\"world\": \"$w\", \"stock\": {\"resource\": 130, \"below\": 9}}]}");
	struct seen s = {""};
	CHECK(cond_refs(c, "until", on_ref, &s) == 0);
	CHECK(strcmp(s.text, "until.all[0].fleet=fleet:5 until.all[0].at=world:20 "
			     "until.all[1].at=world:7 until.all[2].not.world=world:99 "
			     "until.all[2].not.owner=sovereign:4 "
			     "until.all[3].stock.resource=resource:130 ") == 0);
	if (strcmp(s.text, "") && !strstr(s.text, "until.all[0]"))
		fprintf(stderr, "refs: %s\n", s.text);
	CHECK(cond_uses(c, "$self") && !cond_uses(c, "$here"));
	json_decref(c);
}

static int64_t vars(void *arg, const char *name)
{
	(void)arg;
	if (strcmp(name, "home") == 0)
		return 99;
	if (strcmp(name, "scout") == 0)
		return 4695169;
	return 0;
}

static int eval(const struct mirror *m, const char *text, const struct cond_env *env)
{
	json_t *c = parse(text);
	char err[200] = "";
	CHECK(c && cond_validate(c, "c", err, sizeof err) == 0);
	int r = c ? cond_eval(c, m, env, err, sizeof err) : -2;
	if (r < 0)
		fprintf(stderr, "eval %s: %s\n", text, err);
	json_decref(c);
	return r;
}

static void test_eval(const struct mirror *m)
{
	/* fleet 4647969 is the player's, at 1175 with 403 of 122; world 99 is
	 * the player's, holds 4,598 of 130, and the rival fleet 4925173 */
	struct cond_env env = {4647969, 1175, vars, NULL};
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"at\": \"$here\"}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"at\": 99}", &env), 0);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"moving\": false}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"exists\": true}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"fleet\": 12345, \"exists\": false}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"fleet\": 12345, \"moving\": false}", &env), 0);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"in_battle\": false}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"cargo\": {\"resource\": 122, \"at_least\": 403}}",
			  &env), 1);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"cargo\": {\"resource\": 122, \"at_least\": 404}}",
			  &env), 0);
	CHECK_EQ_INT(eval(m, "{\"fleet\": \"$self\", \"cargo\": {\"resource\": 130, \"below\": 1}}",
			  &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": \"$home\", \"mine\": true}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": 1410, \"mine\": false}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": 1410, \"owner\": 1}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": 99, \"owner\": 1}", &env), 0);
	CHECK_EQ_INT(eval(m, "{\"world\": 99, \"battle\": false}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": 99, \"stock\": {\"resource\": 130, \"at_least\": 4598}}", &env),
		     1);
	CHECK_EQ_INT(eval(m, "{\"world\": 99, \"stock\": {\"resource\": 130, \"below\": 4598}}", &env),
		     0);
	CHECK_EQ_INT(eval(m, "{\"world\": 99, \"foreign_fleets\": {\"at_least\": 1}}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": 99, \"foreign_fleets\": {\"at_least\": 2}}", &env), 0);
	CHECK_EQ_INT(eval(m, "{\"world\": 1175, \"foreign_fleets\": {\"below\": 1}}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"world\": 424242, \"mine\": false}", &env), 0); /* unknown: false */
	CHECK_EQ_INT(eval(m, "{\"all\": [{\"world\": 99, \"mine\": true}, "
			     "{\"world\": 99, \"battle\": true}]}", &env), 0);
	CHECK_EQ_INT(eval(m, "{\"any\": [{\"world\": 99, \"battle\": true}, "
			     "{\"fleet\": \"$scout\", \"at\": 1529}]}", &env), 1);
	CHECK_EQ_INT(eval(m, "{\"not\": {\"world\": 99, \"mine\": true}}", &env), 0);
	/* unbound references fail, and only when reached */
	char err[200];
	json_t *c = parse("{\"fleet\": \"$nobody\", \"moving\": true}");
	CHECK(cond_eval(c, m, &env, err, sizeof err) == -1);
	CHECK(strcmp(err, "unbound_variable: $nobody is not bound") == 0);
	json_decref(c);
	struct cond_env bare = {0, 0, NULL, NULL};
	c = parse("{\"world\": \"$here\", \"mine\": true}");
	CHECK(cond_eval(c, m, &bare, err, sizeof err) == -1);
	CHECK(strcmp(err, "unbound_variable: $here is not bound") == 0);
	json_decref(c);
	/* an unbound variable anywhere is an error, whatever the rest says */
	c = parse("{\"any\": [{\"world\": 99, \"mine\": true}, "
		  "{\"fleet\": \"$nobody\", \"moving\": true}]}");
	CHECK(cond_eval(c, m, &env, err, sizeof err) == -1);
	json_decref(c);
	/* compiled once, judged again: the same answers as cond_eval */
	c = parse("{\"all\": [{\"world\": \"$home\", \"mine\": true}, {\"not\": "
		  "{\"fleet\": \"$self\", \"moving\": true}}, {\"any\": [{\"world\": 1410, "
		  "\"owner\": 2}, {\"world\": 99, \"foreign_fleets\": {\"at_least\": 1}}]}]}");
	struct cond_prog *p = cond_compile(c, &env, err, sizeof err);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(cond_prog_eval(p, m), 1);
		CHECK_EQ_INT(cond_prog_eval(p, m), 1);
		int64_t ids[8];
		CHECK_EQ_INT(cond_prog_objects(p, ids, 8), 3); /* 99 twice */
		CHECK(ids[0] == 99 && ids[1] == 4647969 && ids[2] == 1410);
		cond_prog_free(p);
	}
	json_decref(c);
}

/* A delta of one fleet: the player's 4647969 at 1175 with these resources,
 * or the rival 4925173 anchored at `at`. */
static void merge_fleet(struct mirror *m, const char *json)
{
	char err[128];
	json_t *d = parse(json);
	CHECK(d && mirror_merge(m, d, 0, err, sizeof err) == 0);
	json_decref(d);
}

/* cond_prog_judge keeps the value of an atom read from one record until
 * that object is told changed; foreign_fleets, which counts other fleets,
 * is always read again.  Changes the mirror (run last). */
static void test_judge(struct mirror *m)
{
	struct cond_env env = {4647969, 1175, vars, NULL};
	char err[200];
	json_t *c = parse("{\"any\": [{\"world\": 99, \"stock\": {\"resource\": 130, "
			  "\"at_least\": 4599}}, {\"fleet\": \"$self\", \"cargo\": "
			  "{\"resource\": 122, \"at_least\": 500}}]}");
	struct cond_prog *p = cond_compile(c, &env, err, sizeof err);
	CHECK(p != NULL);
	if (!p) {
		json_decref(c);
		return;
	}
	CHECK_EQ_INT(cond_prog_judge(p, m, 99), 0); /* the first reads both */
	merge_fleet(m, "[{\"anchorObjID\": 1175, \"class\": \"fleet\", \"ftlType\": \"warp\", "
		       "\"id\": 4647969, \"name\": \"320th Fleet\", \"pos\": [-432.82, -891.51], "
		       "\"resources\": [170, 1, 122, 600], \"sovereignID\": 3913334}]");
	CHECK_EQ_INT(cond_prog_eval(p, m), 1);          /* read fresh: the cargo holds */
	CHECK_EQ_INT(cond_prog_judge(p, m, 99), 0);     /* told of 99 only: cargo kept */
	CHECK_EQ_INT(cond_prog_judge(p, m, 4647969), 1); /* told of the fleet */
	/* a copy judges as the original, and keeps its own values */
	void *mem = malloc(cond_prog_size(p));
	struct cond_prog *q = mem ? cond_prog_copy(mem, p) : NULL;
	CHECK(q && cond_prog_judge(q, m, 99) == 1);
	free(mem);
	cond_prog_free(p);
	json_decref(c);
	/* the rival 4925173 at 99 leaves: foreign_fleets is read again
	 * whatever object is told */
	c = parse("{\"world\": 99, \"foreign_fleets\": {\"at_least\": 1}}");
	p = cond_compile(c, &env, err, sizeof err);
	CHECK(p != NULL);
	if (p) {
		CHECK_EQ_INT(cond_prog_judge(p, m, 99), 1);
		merge_fleet(m, "[{\"anchorObjID\": 1175, \"class\": \"fleet\", \"ftlType\": "
			       "\"explorer\", \"id\": 4925173, \"name\": \"91st Fleet\", "
			       "\"pos\": [-432.82, -891.51], \"resources\": [102, 1200], "
			       "\"sovereignID\": 4900178}]");
		CHECK_EQ_INT(cond_prog_judge(p, m, 12345), 0);
		cond_prog_free(p);
	}
	json_decref(c);
}

static void test_objects(void)
{
	struct cond_env env = {4647969, 1175, vars, NULL};
	json_t *c = parse("{\"all\": [{\"fleet\": \"$self\", \"at\": \"$home\"}, "
			  "{\"not\": {\"world\": 99, \"battle\": true}}, "
			  "{\"world\": \"$here\", \"stock\": {\"resource\": 130, \"below\": 5}}]}");
	int64_t ids[8];
	CHECK_EQ_INT(cond_objects(c, &env, ids, 8), 3); /* 99 named twice */
	CHECK(ids[0] == 4647969 && ids[1] == 99 && ids[2] == 1175);
	CHECK(cond_objects(c, &env, ids, 1) >= 3); /* past max: a bound on the count */
	CHECK(ids[0] == 4647969);
	json_decref(c);
	c = parse("{\"fleet\": \"$nobody\", \"moving\": true}");
	CHECK_EQ_INT(cond_objects(c, &env, ids, 8), -1);
	json_decref(c);
}

static void test_describe(void)
{
	json_t *c = parse("{\"any\": [{\"world\": 1000, \"stock\": {\"resource\": 130, "
			  "\"at_least\": 40000}}, {\"not\": {\"fleet\": \"$self\", \"moving\": true}},"
			  " {\"fleet\": 5, \"at\": \"$here\"}, {\"world\": 7, \"foreign_fleets\": "
			  "{\"below\": 1}}, {\"world\": 7, \"battle\": false}]}");
	struct textbuf b = {0};
	CHECK(cond_describe(c, &b) == 0);
	const char *want = "any of (world 1000: stock of 130 at least 40,000; "
			   "not (fleet $self: moving); fleet 5: at world $here; "
			   "world 7: foreign fleets below 1; world 7: not a battle on)";
	CHECK(b.p && strcmp(b.p, want) == 0);
	if (b.p && strcmp(b.p, want))
		fprintf(stderr, "describe: %s\n", b.p);
	textbuf_free(&b);
	json_decref(c);
}

int main(void)
{
	test_cases();
	test_atom_limit();
	test_refs();
	test_objects();
	test_describe();
	char path[1024];
	if (fixture_excerpt(path, sizeof path) < 0)
		return tap_done() ? 1 : 77;
	json_error_t je;
	json_t *a = json_load_file(path, 0, &je);
	json_t *info = json_pack("{s:{s:i}}", "userInfo", "sovereignID", PLAYER);
	struct mirror *m = mirror_new();
	char err[128];
	CHECK(a && m && mirror_set_game_info(m, info, err, sizeof err) == 0 &&
	      mirror_merge(m, a, 1, err, sizeof err) == 0);
	if (mirror_ready(m)) {
		test_eval(m);
		test_judge(m);
	}
	mirror_free(m);
	json_decref(info);
	json_decref(a);
	return tap_done();
}
