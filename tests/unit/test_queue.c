/* test_queue.c -- the queue store (queue.c) on a real database with
 * fleetd's schema, and the waiting takers (queue_wait.c):
 *   - names: the charset and the length limit;
 *   - FIFO: items come out in the order they were put; a held item is
 *     not the front; the take's (step, pass) finds what it holds;
 *   - consume deletes only that take's item; give back puts the items a
 *     job held at the front, the first taken foremost; consume_all;
 *   - the reads of the routes (counts, lists);
 *   - the queue limit: a new queue past QUEUE_MAX_QUEUES is refused with
 *     QUEUE_ERR_LIMIT (named "queue_limit"), an existing one still opens;
 *   - waiters: FIFO by ticket then job id, a late registration with an
 *     old ticket goes back to its place, removal, "ahead". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "queue.h"
#include "queue_wait.h"
#include "schema.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

static void test_names(void)
{
	char long_name[QUEUE_NAME_MAX + 2];
	memset(long_name, 'a', sizeof long_name);
	long_name[QUEUE_NAME_MAX + 1] = 0;
	CHECK(queue_name_ok("cleared", 7));
	CHECK(queue_name_ok("a.b-c_D9", 8));
	CHECK(queue_name_ok(long_name + 1, QUEUE_NAME_MAX));
	CHECK(!queue_name_ok(long_name, QUEUE_NAME_MAX + 1));
	CHECK(!queue_name_ok("", 0));
	CHECK(!queue_name_ok("a b", 3));
	CHECK(!queue_name_ok("a/b", 3));
	CHECK(!queue_name_ok("a%2f", 4));
	CHECK(!queue_name_ok("caf\xc3\xa9", 5));
	CHECK(!queue_name_ok("a\0b", 3)); /* a NUL inside */
}

static void test_fifo(struct store *st)
{
	struct queue_item it, back[8];
	CHECK(store_begin(st) == 0);
	CHECK_EQ_INT(queue_lookup(st, "q"), 0);
	int64_t q = queue_ensure(st, "q", 1000);
	CHECK(q > 0);
	CHECK_EQ_INT(queue_ensure(st, "q", 2000), q);
	CHECK_EQ_INT(queue_lookup(st, "q"), q);
	for (int64_t v = 101; v <= 103; v++)
		CHECK(queue_put(st, q, v, v == 102 ? 7 : 0, 1000 + v) > 0);
	CHECK_EQ_INT(queue_size(st, q), 3);
	CHECK(queue_front(st, q, &it) == 1 && it.value == 101 && it.put_by == 0);
	/* job 5 takes the front at step 0 of pass 0 */
	CHECK(queue_hold(st, it.id, 5, 0, 0, 2000) == 0);
	CHECK(queue_hold(st, it.id, 6, 0, 0, 2000) < 0); /* taken already */
	CHECK(queue_front(st, q, &it) == 1 && it.value == 102 && it.put_by == 7);
	CHECK(queue_held(st, 5, 0, 0, &it) == 1 && it.value == 101 && it.taken_by == 5);
	CHECK(queue_held(st, 5, 0, 1, &it) == 0);
	CHECK(queue_held(st, 5, 1, 0, &it) == 0);
	/* job 5 takes the next one in its next pass */
	CHECK(queue_front(st, q, &it) == 1);
	CHECK(queue_hold(st, it.id, 5, 0, 1, 2100) == 0);
	/* consume the first pass's take only */
	CHECK_EQ_INT(queue_consume(st, 5, 0, 0), 1);
	CHECK_EQ_INT(queue_consume(st, 5, 0, 0), 0);
	CHECK_EQ_INT(queue_size(st, q), 2);
	/* the rest goes back: 102 (held) before 103 */
	CHECK_EQ_INT(queue_give_back(st, 5, back, 8), 1);
	CHECK(back[0].value == 102 && back[0].queue == q);
	CHECK(queue_front(st, q, &it) == 1 && it.value == 102 && it.taken_by == 0);
	/* two held by job 8, given back: the first taken is foremost */
	CHECK(queue_hold(st, it.id, 8, 0, 0, 3000) == 0);
	CHECK(queue_front(st, q, &it) == 1 && it.value == 103);
	CHECK(queue_hold(st, it.id, 8, 2, 0, 3001) == 0);
	CHECK(queue_front(st, q, &it) == 0);
	CHECK(queue_put(st, q, 104, 0, 3002) > 0);
	CHECK_EQ_INT(queue_give_back(st, 8, back, 1), 2); /* only one copied */
	CHECK(queue_front(st, q, &it) == 1 && it.value == 102);
	CHECK(queue_hold(st, it.id, 9, 0, 0, 4000) == 0);
	CHECK(queue_front(st, q, &it) == 1 && it.value == 103);
	CHECK(queue_hold(st, it.id, 9, 1, 0, 4000) == 0);
	CHECK(queue_front(st, q, &it) == 1 && it.value == 104);
	CHECK_EQ_INT(queue_consume_all(st, 9), 2);
	CHECK_EQ_INT(queue_size(st, q), 1);
	CHECK(store_commit(st) == 0);
}

static size_t no_waiters(void *arg, int64_t q)
{
	(void)arg;
	return q > 0 ? 2 : 0;
}

static void test_reads(struct store *st)
{
	struct queue_item it;
	int64_t q;
	CHECK(store_begin(st) == 0);
	int64_t r = queue_ensure(st, "a-first", 6000);
	CHECK(r > 0);
	CHECK(queue_put(st, r, 5, 0, 6000) > 0);
	CHECK(queue_put(st, r, 6, 0, 6001) > 0);
	CHECK(queue_front(st, r, &it) == 1 && queue_hold(st, it.id, 3, 1, 0, 6002) == 0);
	CHECK(store_commit(st) == 0);
	json_t *l = queue_list_json(st, no_waiters, NULL);
	CHECK(json_array_size(l) == 2);
	json_t *a = json_array_get(l, 0);
	CHECK(strcmp(json_string_value(json_object_get(a, "name")), "a-first") == 0);
	CHECK(json_integer_value(json_object_get(a, "size")) == 1);
	CHECK(json_integer_value(json_object_get(a, "taken_count")) == 1);
	CHECK(json_integer_value(json_object_get(a, "waiting_count")) == 2);
	json_decref(l);
	json_t *s = queue_show_json(st, "a-first", &q);
	CHECK(s && q == r);
	json_t *items = json_object_get(s, "items"), *taken = json_object_get(s, "taken");
	CHECK(json_array_size(items) == 1 &&
	      json_integer_value(json_object_get(json_array_get(items, 0), "value")) == 6);
	CHECK(json_is_null(json_object_get(json_array_get(items, 0), "put_by")));
	CHECK(json_array_size(taken) == 1 &&
	      json_integer_value(json_object_get(json_array_get(taken, 0), "job")) == 3);
	json_decref(s);
	CHECK(queue_show_json(st, "nope", &q) == NULL && q == 0);
	char name[QUEUE_NAME_MAX + 1];
	CHECK(queue_name_of(st, r, name, sizeof name) == 0 && strcmp(name, "a-first") == 0);
	CHECK(queue_name_of(st, 999, name, sizeof name) < 0);
}

static void collect(void *arg, const struct qwaiter *w)
{
	char *out = arg;
	size_t n = strlen(out);
	snprintf(out + n, 64 - n, "%lld,", (long long)w->job);
}

static void test_waiters(void)
{
	struct qwaits qw;
	char order[64] = "";
	qwaits_init(&qw);
	struct qwaiter w = {.queue = 1};
	int64_t jobs[][2] = {{10, 500}, {11, 400}, {12, 500}, {9, 500}, {13, 600}};
	for (size_t i = 0; i < 5; i++) {
		w.job = jobs[i][0];
		w.ticket = jobs[i][1];
		CHECK(qwaits_add(&qw, &w) == 0);
	}
	w.queue = 2;
	w.job = 20;
	w.ticket = 1;
	CHECK(qwaits_add(&qw, &w) == 0);
	qwaits_each(&qw, 1, collect, order);
	CHECK(strcmp(order, "11,9,10,12,13,") == 0);
	CHECK_EQ_INT((int64_t)qwaits_count(&qw, 1), 5);
	CHECK_EQ_INT((int64_t)qwaits_count(&qw, 2), 1);
	CHECK_EQ_INT(qwaits_first(&qw, 1)->job, 11);
	CHECK(qwaits_ahead(&qw, 1, 500, 10));
	CHECK(!qwaits_ahead(&qw, 1, 400, 11)); /* itself */
	CHECK(!qwaits_ahead(&qw, 1, 300, 99));
	CHECK(!qwaits_ahead(&qw, 3, 300, 99));
	qwaits_remove(&qw, 11);
	qwaits_remove(&qw, 11);
	CHECK_EQ_INT(qwaits_first(&qw, 1)->job, 9);
	/* a job registered again moves to its ticket's place */
	w.queue = 1;
	w.job = 13;
	w.ticket = 100;
	CHECK(qwaits_add(&qw, &w) == 0);
	order[0] = 0;
	qwaits_each(&qw, 1, collect, order);
	CHECK(strcmp(order, "13,9,10,12,") == 0);
	qwaits_remove(&qw, 20);
	CHECK(qwaits_first(&qw, 2) == NULL);
	CHECK_EQ_INT((int64_t)qw.n, 4);
	qwaits_free(&qw);
}

static void test_limit(struct store *st)
{
	char name[32];
	CHECK(store_begin(st) == 0);
	int64_t first = queue_ensure(st, "limit-0", 7000), q = first;
	for (int i = 1; q > 0 && i < QUEUE_MAX_QUEUES; i++) {
		snprintf(name, sizeof name, "limit-%d", i);
		q = queue_ensure(st, name, 7000);
	}
	/* the earlier tests' queues count too: the limit is reached before
	 * the last of these, and the refusal is the code, not a store error */
	CHECK_EQ_INT(q, QUEUE_ERR_LIMIT);
	CHECK_EQ_INT(queue_ensure(st, "one-more", 7000), QUEUE_ERR_LIMIT);
	CHECK_EQ_INT(queue_lookup(st, "one-more"), 0);
	CHECK_EQ_INT(queue_ensure(st, "limit-0", 8000), first);
	CHECK(store_commit(st) == 0);
	CHECK(strcmp(queue_err_code(QUEUE_ERR_LIMIT), "queue_limit") == 0);
	CHECK(strcmp(queue_err_code(QUEUE_ERR_FULL), "queue_full") == 0);
	CHECK(strcmp(queue_err_code(QUEUE_ERR_STORE), "store") == 0);
}

int main(void)
{
	char path[128];
	test_names();
	test_waiters();
	struct store *st = tmpdb_open(path, sizeof path, "queue", migrations_files);
	CHECK(st != NULL);
	if (st) {
		test_fifo(st);
		test_reads(st);
		test_limit(st);
	}
	tmpdb_close(st, path);
	return tap_done();
}
