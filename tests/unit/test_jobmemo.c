/* test_jobmemo.c -- the memo of recently run jobs.  Specs: a tree comes
 * back equal to json_loads() of the same text, the second parse of an
 * unchanged text is a hit sharing the tree, a changed text (an id used
 * again, a changed row) is parsed again, bad JSON is refused, forget drops
 * exactly that job, a job sharing a slot evicts the older one, and the
 * caps are kept.  Rows: kept only beside their job's spec, handed back as
 * kept with their own copies of the texts, and dropped by forget_row,
 * forget_rows, forget and eviction. */
#include <stdlib.h>
#include <string.h>

#include "jobmemo.h"
#include "step.h"
#include "tap.h"

static int parses_as(struct jobmemo *m, int64_t id, const char *text)
{
	json_t *got = jobmemo_parse(m, id, text, strlen(text));
	json_t *want = json_loads(text, 0, NULL);
	int ok = got && want && json_equal(got, want);
	json_decref(got);
	json_decref(want);
	return ok;
}

static void test_rows(void)
{
	static struct jobmemo m;
	jobmemo_init(&m);
	const char *a = "{\"fleet\":7,\"steps\":[{\"op\":\"move\",\"to\":12}]}";
	char sub[32] = "TRAVELLING", data[32] = "{\"resends\":1}";
	struct job_row row = {
		.id = 9, .fleet = 7, .state = JOB_WAITING, .paused_from = -1, .step = 0,
		.sub_state = sub, .step_data = data, .wait = WAIT_ANCHORED, .wait_key = 7,
		.wait_arg = 12, .created_at = 5, .last_error = NULL,
		.spec = "not kept", .name = "not kept",
	};
	json_t *spec = NULL;

	/* no spec of the job: no row */
	jobmemo_keep_row(&m, &row);
	CHECK(jobmemo_row(&m, 9, &spec) == NULL);

	json_decref(jobmemo_parse(&m, 9, a, strlen(a)));
	jobmemo_keep_row(&m, &row);
	memset(sub, 'x', sizeof sub - 1); /* the memo has its own copies */
	memset(data, 'x', sizeof data - 1);
	const struct job_row *k = jobmemo_row(&m, 9, &spec);
	CHECK(k && k->id == 9 && k->fleet == 7 && k->wait == WAIT_ANCHORED &&
	      k->wait_arg == 12 && k->created_at == 5 && k->paused_from == -1);
	CHECK(k && !strcmp(k->sub_state, "TRAVELLING") &&
	      !strcmp(k->step_data, "{\"resends\":1}") && !k->last_error);
	CHECK(k && !k->spec && !k->name);
	CHECK(spec && json_integer_value(json_object_get(spec, "fleet")) == 7);
	json_decref(spec);
	CHECK(jobmemo_row(&m, 9 + JOBMEMO_SLOTS, &spec) == NULL);

	/* a newer row replaces it, even one made from the kept texts */
	struct job_row again = *k;
	again.last_error = "upstream: busy";
	jobmemo_keep_row(&m, &again);
	k = jobmemo_row(&m, 9, &spec);
	json_decref(spec);
	CHECK(k && !strcmp(k->sub_state, "TRAVELLING") && !strcmp(k->last_error, "upstream: busy"));
	/* again's texts were the old row's, freed by that keep: the kept row
	 * is valid only until the memo next changes */
	again.sub_state = "TRAVELLING";
	again.step_data = "{}";

	/* forget_row keeps the spec; forget_rows drops every row */
	jobmemo_forget_row(&m, 9);
	CHECK(jobmemo_row(&m, 9, &spec) == NULL);
	CHECK(m.slot[9].id == 9);
	CHECK_EQ_INT((int)m.bytes, (int)strlen(a));
	jobmemo_keep_row(&m, &again);
	json_decref(jobmemo_parse(&m, 10, a, strlen(a)));
	again.id = 10;
	jobmemo_keep_row(&m, &again);
	jobmemo_forget_rows(&m);
	CHECK(jobmemo_row(&m, 9, &spec) == NULL && jobmemo_row(&m, 10, &spec) == NULL);
	CHECK_EQ_INT((int)m.bytes, 2 * (int)strlen(a));

	/* forget and eviction drop the row with the spec */
	jobmemo_keep_row(&m, &again);
	jobmemo_forget(&m, 10);
	CHECK(jobmemo_row(&m, 10, &spec) == NULL && m.slot[10].id == 0);
	again.id = 9;
	jobmemo_keep_row(&m, &again);
	json_decref(jobmemo_parse(&m, 9 + JOBMEMO_SLOTS, a, strlen(a)));
	CHECK(jobmemo_row(&m, 9, &spec) == NULL);
	CHECK_EQ_INT((int)m.bytes, (int)strlen(a));

	jobmemo_free(&m);
	CHECK_EQ_INT((int)m.bytes, 0);
}

int main(void)
{
	static struct jobmemo m;
	jobmemo_init(&m);
	const char *a = "{\"fleet\":7,\"steps\":[{\"op\":\"move\",\"to\":12}]}";
	const char *b = "{\"fleet\":7,\"steps\":[{\"op\":\"move\",\"to\":13}]}";

	CHECK(parses_as(&m, 1, a));
	CHECK_EQ_INT((int)m.misses, 1);
	CHECK(parses_as(&m, 1, a));
	CHECK_EQ_INT((int)m.hits, 1);

	/* the same tree, shared */
	json_t *t1 = jobmemo_parse(&m, 1, a, strlen(a));
	json_t *t2 = jobmemo_parse(&m, 1, a, strlen(a));
	CHECK(t1 && t1 == t2);
	json_decref(t1);
	json_decref(t2);

	/* another text under the same id is parsed again, never the old tree */
	CHECK(parses_as(&m, 1, b));
	CHECK(parses_as(&m, 1, a));
	CHECK_EQ_INT((int)m.bytes, (int)strlen(a));

	/* a prefix of the text is not the text */
	json_t *t = jobmemo_parse(&m, 1, a, strlen(a) - 1);
	CHECK(t == NULL);

	/* bad JSON: NULL, nothing kept for it */
	CHECK(jobmemo_parse(&m, 2, "{\"fleet\":", 9) == NULL);
	CHECK(m.slot[2].id == 0);

	/* forget drops that job only */
	CHECK(parses_as(&m, 2, b));
	jobmemo_forget(&m, 1);
	jobmemo_forget(&m, 1);
	CHECK(m.slot[1].id == 0);
	CHECK(m.slot[2].id == 2);
	CHECK_EQ_INT((int)m.bytes, (int)strlen(b));

	/* a job in the same slot evicts the older one */
	CHECK(parses_as(&m, 2 + JOBMEMO_SLOTS, a));
	CHECK(m.slot[2].id == 2 + JOBMEMO_SLOTS);
	CHECK_EQ_INT((int)m.bytes, (int)strlen(a));

	/* a long text is answered but not kept */
	size_t n = JOBMEMO_MAX_TEXT + 100;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "{\"fleet\":7}", 11);
	big[n] = 0;
	CHECK(parses_as(&m, 5, big));
	CHECK(m.slot[5].id == 0);
	free(big);

	/* the byte cap holds however many jobs pass */
	for (int64_t id = 100; id < 100 + 4 * JOBMEMO_SLOTS; id++)
		json_decref(jobmemo_parse(&m, id, a, strlen(a)));
	CHECK(m.bytes <= JOBMEMO_MAX_BYTES);
	size_t held = 0;
	for (size_t i = 0; i < JOBMEMO_SLOTS; i++)
		held += m.slot[i].id ? m.slot[i].len : 0;
	CHECK_EQ_INT((long long)held, (long long)m.bytes);

	/* no ids of 0 or below */
	json_decref(jobmemo_parse(&m, 0, a, strlen(a)));
	json_decref(jobmemo_parse(&m, -3, a, strlen(a)));
	CHECK(parses_as(&m, 0, a));

	jobmemo_free(&m);
	CHECK_EQ_INT((int)m.bytes, 0);
	test_rows();
	return tap_done();
}
