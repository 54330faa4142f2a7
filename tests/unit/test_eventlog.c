/* test_eventlog.c -- the event log's taps, on a real database with
 * fleetd's schema: a tap hears each appended event inside the appending
 * transaction (its row id, job, type and data as stored); a tap's failure
 * makes the append fail; an event a tap appends is stored but not tapped
 * again; what taps and appends wrote is committed together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "eventlog.h"
#include "schema.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"

struct heard {
	struct eventlog *el;
	int calls, fail, append_inside;
	int64_t last_id, last_job;
	char last_type[32], last_data[64];
};

static int tap(void *arg, const struct eventlog_row *row)
{
	struct heard *h = arg;
	h->calls++;
	h->last_id = row->id;
	h->last_job = row->job_id;
	snprintf(h->last_type, sizeof h->last_type, "%s", row->type);
	snprintf(h->last_data, sizeof h->last_data, "%.*s", (int)row->data_len,
		 row->data);
	if (h->append_inside)
		eventlog_append_text(h->el, 0, "tap.inside", NULL);
	return h->fail ? -1 : 0;
}

static int64_t count_type(struct store *st, const char *type)
{
	sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM events WHERE type = ?1");
	sqlite3_bind_text(s, 1, type, -1, SQLITE_STATIC);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

int main(void)
{
	char path[128];
	struct store *st = tmpdb_open(path, sizeof path, "eventlog", migrations_files);
	CHECK(st != NULL);
	if (!st)
		return tap_done();
	struct eventlog *el = eventlog_new(st);
	struct heard h = {.el = el};
	CHECK_EQ_INT(eventlog_tap(el, tap, &h), 0);

	int64_t id = eventlog_append_text(el, 7, "job.state", "{\"state\":\"failed\"}");
	CHECK(id > 0);
	CHECK_EQ_INT(h.calls, 1);
	CHECK_EQ_INT(h.last_id, id);
	CHECK_EQ_INT(h.last_job, 7);
	CHECK(strcmp(h.last_type, "job.state") == 0);
	CHECK(strcmp(h.last_data, "{\"state\":\"failed\"}") == 0);

	eventlog_append_text(el, 0, "watch", NULL);
	CHECK_EQ_INT(h.last_job, 0);
	CHECK(strcmp(h.last_data, "{}") == 0);

	h.append_inside = 1;
	CHECK(eventlog_append_text(el, 0, "outer", NULL) > 0);
	CHECK_EQ_INT(h.calls, 3); /* the inner append was not tapped */
	CHECK(strcmp(h.last_type, "outer") == 0);
	CHECK_EQ_INT(count_type(st, "tap.inside"), 1);
	h.append_inside = 0;

	h.fail = 1;
	CHECK(eventlog_append_text(el, 0, "refused", NULL) < 0);
	h.fail = 0;
	CHECK(eventlog_append_text(el, 1, "kept", NULL) > 0);
	CHECK_EQ_INT(store_commit(st), 0);
	CHECK_EQ_INT(count_type(st, "kept"), 1);
	CHECK_EQ_INT(count_type(st, "job.state"), 1);
	CHECK_EQ_INT(count_type(st, "tap.inside"), 1);

	eventlog_free(el);
	tmpdb_close(st, path);
	return tap_done();
}
