/* test_specmemo.c -- the memo of parsed specs: a tree comes back equal to
 * json_loads() of the same text, the second parse of an unchanged text is
 * a hit sharing the tree, a changed text (an id used again, a changed row)
 * is parsed again, bad JSON is refused, forget drops exactly that job, a
 * job sharing a slot evicts the older one, and the caps are kept. */
#include <stdlib.h>
#include <string.h>

#include "specmemo.h"
#include "tap.h"

static int parses_as(struct specmemo *m, int64_t id, const char *text)
{
	json_t *got = specmemo_parse(m, id, text, strlen(text));
	json_t *want = json_loads(text, 0, NULL);
	int ok = got && want && json_equal(got, want);
	json_decref(got);
	json_decref(want);
	return ok;
}

int main(void)
{
	static struct specmemo m;
	specmemo_init(&m);
	const char *a = "{\"fleet\":7,\"steps\":[{\"op\":\"move\",\"to\":12}]}";
	const char *b = "{\"fleet\":7,\"steps\":[{\"op\":\"move\",\"to\":13}]}";

	CHECK(parses_as(&m, 1, a));
	CHECK_EQ_INT((int)m.misses, 1);
	CHECK(parses_as(&m, 1, a));
	CHECK_EQ_INT((int)m.hits, 1);

	/* the same tree, shared */
	json_t *t1 = specmemo_parse(&m, 1, a, strlen(a));
	json_t *t2 = specmemo_parse(&m, 1, a, strlen(a));
	CHECK(t1 && t1 == t2);
	json_decref(t1);
	json_decref(t2);

	/* another text under the same id is parsed again, never the old tree */
	CHECK(parses_as(&m, 1, b));
	CHECK(parses_as(&m, 1, a));
	CHECK_EQ_INT((int)m.bytes, (int)strlen(a));

	/* a prefix of the text is not the text */
	json_t *t = specmemo_parse(&m, 1, a, strlen(a) - 1);
	CHECK(t == NULL);

	/* bad JSON: NULL, nothing kept for it */
	CHECK(specmemo_parse(&m, 2, "{\"fleet\":", 9) == NULL);
	CHECK(m.slot[2].id == 0);

	/* forget drops that job only */
	CHECK(parses_as(&m, 2, b));
	specmemo_forget(&m, 1);
	specmemo_forget(&m, 1);
	CHECK(m.slot[1].id == 0);
	CHECK(m.slot[2].id == 2);
	CHECK_EQ_INT((int)m.bytes, (int)strlen(b));

	/* a job in the same slot evicts the older one */
	CHECK(parses_as(&m, 2 + SPECMEMO_SLOTS, a));
	CHECK(m.slot[2].id == 2 + SPECMEMO_SLOTS);
	CHECK_EQ_INT((int)m.bytes, (int)strlen(a));

	/* a long text is answered but not kept */
	size_t n = SPECMEMO_MAX_TEXT + 100;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "{\"fleet\":7}", 11);
	big[n] = 0;
	CHECK(parses_as(&m, 5, big));
	CHECK(m.slot[5].id == 0);
	free(big);

	/* the byte cap holds however many jobs pass */
	for (int64_t id = 100; id < 100 + 4 * SPECMEMO_SLOTS; id++)
		json_decref(specmemo_parse(&m, id, a, strlen(a)));
	CHECK(m.bytes <= SPECMEMO_MAX_BYTES);
	size_t held = 0;
	for (size_t i = 0; i < SPECMEMO_SLOTS; i++)
		held += m.slot[i].id ? m.slot[i].len : 0;
	CHECK_EQ_INT((long long)held, (long long)m.bytes);

	/* no ids of 0 or below */
	json_decref(specmemo_parse(&m, 0, a, strlen(a)));
	json_decref(specmemo_parse(&m, -3, a, strlen(a)));
	CHECK(parses_as(&m, 0, a));

	specmemo_free(&m);
	CHECK_EQ_INT((int)m.bytes, 0);
	return tap_done();
}
