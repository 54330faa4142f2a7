/* test_jobcache.c -- the job answer cache: a put answer comes back byte
 * for byte, forget drops exactly that job, a job sharing a slot evicts the
 * older one, the byte cap is kept, and bad ids are never stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobcache.h"
#include "tap.h"

static int same(struct jobcache *c, int64_t id, const char *want)
{
	size_t len = 0;
	const char *got = jobcache_get(c, id, &len);
	if (!want)
		return got == NULL;
	return got && len == strlen(want) && memcmp(got, want, len) == 0;
}

int main(void)
{
	static struct jobcache c;
	jobcache_init(&c);

	CHECK(same(&c, 1, NULL));
	CHECK_EQ_INT(jobcache_put(&c, 1, "{\"id\":1}", 8), 1);
	CHECK_EQ_INT(jobcache_put(&c, 2, "{\"id\":2}", 8), 1);
	CHECK(same(&c, 1, "{\"id\":1}"));
	CHECK(same(&c, 2, "{\"id\":2}"));

	/* a newer answer replaces the old one */
	CHECK_EQ_INT(jobcache_put(&c, 1, "{\"id\":1,\"x\":2}", 14), 1);
	CHECK(same(&c, 1, "{\"id\":1,\"x\":2}"));
	CHECK_EQ_INT((int)c.bytes, 22);

	/* forget drops that job only */
	jobcache_forget(&c, 1);
	CHECK(same(&c, 1, NULL));
	CHECK(same(&c, 2, "{\"id\":2}"));
	jobcache_forget(&c, 1); /* twice is harmless */
	CHECK_EQ_INT((int)c.bytes, 8);

	/* the id sharing job 2's slot evicts it; forgetting job 2 then must
	 * not drop the newcomer */
	int64_t twin = 2 + JOBCACHE_SLOTS;
	CHECK_EQ_INT(jobcache_put(&c, twin, "twin", 4), 1);
	CHECK(same(&c, 2, NULL));
	CHECK(same(&c, twin, "twin"));
	jobcache_forget(&c, 2);
	CHECK(same(&c, twin, "twin"));
	CHECK_EQ_INT((int)c.bytes, 4);

	/* ids that are not jobs are never stored */
	CHECK_EQ_INT(jobcache_put(&c, 0, "zero", 4), 0);
	CHECK_EQ_INT(jobcache_put(&c, -5, "neg", 3), 0);
	CHECK(same(&c, 0, NULL));
	CHECK(same(&c, -5, NULL));

	/* the byte cap: an answer that would pass it is not kept */
	size_t big = JOBCACHE_MAX_BYTES / 2;
	char *blob = malloc(big);
	CHECK(blob != NULL);
	if (blob) {
		memset(blob, 'a', big);
		CHECK_EQ_INT(jobcache_put(&c, 10, blob, big), 1);
		CHECK_EQ_INT(jobcache_put(&c, 11, blob, big), 0);
		CHECK(same(&c, 11, NULL));
		CHECK(c.bytes <= JOBCACHE_MAX_BYTES);
		jobcache_forget(&c, 10);
		CHECK_EQ_INT(jobcache_put(&c, 11, blob, big), 1);
		free(blob);
	}

	/* many jobs: the table never holds more than its slots */
	char buf[32];
	for (int64_t id = 100; id < 100 + 3 * JOBCACHE_SLOTS; id++) {
		int n = snprintf(buf, sizeof buf, "job %lld", (long long)id);
		jobcache_put(&c, id, buf, (size_t)n);
	}
	int held = 0;
	for (size_t i = 0; i < JOBCACHE_SLOTS; i++)
		held += c.slot[i].id != 0;
	CHECK(held <= JOBCACHE_SLOTS);
	snprintf(buf, sizeof buf, "job %lld", (long long)(99 + 3 * JOBCACHE_SLOTS));
	CHECK(same(&c, 99 + 3 * JOBCACHE_SLOTS, buf));
	CHECK(same(&c, 100, NULL));

	jobcache_free(&c);
	CHECK_EQ_INT((int)c.bytes, 0);
	return tap_done();
}
