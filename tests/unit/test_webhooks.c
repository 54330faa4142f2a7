/* test_webhooks.c -- the webhook parts that need no network:
 *  - the signature: HMAC-SHA256 against the test vectors of RFC 4231
 *    (cases 1-4, 6, 7; case 5 is a truncated MAC, which fleetd never
 *    sends) and the header's form;
 *  - made secrets: 64 hex digits, two never equal;
 *  - which events a webhook can receive, under which names;
 *  - the Discord body: Discord's fields only, one line, at most 2000
 *    characters, no mention parsed;
 *  - registration checks (hostile URLs, events, secrets, unknown fields);
 *  - the outbox on a real database: one row per matching webhook,
 *    written by the event log's tap in the event's transaction, handed to
 *    the sender only once committed, in id order per webhook; dead
 *    letters redelivered; delivered rows pruned by retention. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "eventlog.h"
#include "schema.h"
#include "store.h"
#include "tap.h"
#include "tmpdb.h"
#include "webhook_event.h"
#include "webhook_sign.h"
#include "webhook_spec.h"
#include "webhooks.h"

static void fill(unsigned char *b, int c, size_t n)
{
	memset(b, c, n);
}

static int hmac_is(const void *key, size_t klen, const char *msg, size_t mlen,
		   const char *want)
{
	char hex[65];
	if (webhook_hmac_hex(key, klen, msg, mlen, hex) < 0)
		return 0;
	return strcmp(hex, want) == 0;
}

static void test_rfc4231(void)
{
	unsigned char k[131], d[50];
	fill(k, 0x0b, 20);
	CHECK(hmac_is(k, 20, "Hi There", 8,
		      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
	CHECK(hmac_is("Jefe", 4, "what do ya want for nothing?", 28,
		      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
	fill(k, 0xaa, 20);
	fill(d, 0xdd, 50);
	CHECK(hmac_is(k, 20, (const char *)d, 50,
		      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"));
	for (int i = 0; i < 25; i++)
		k[i] = (unsigned char)(i + 1);
	fill(d, 0xcd, 50);
	CHECK(hmac_is(k, 25, (const char *)d, 50,
		      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"));
	fill(k, 0xaa, 131);
	const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	CHECK(hmac_is(k, 131, m6, strlen(m6),
		      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
	const char *m7 = "This is a test using a larger than block-size key and a larger "
			 "than block-size data. The key needs to be hashed before being "
			 "used by the HMAC algorithm.";
	CHECK(hmac_is(k, 131, m7, strlen(m7),
		      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"));
	char sig[WEBHOOK_SIG_LEN];
	CHECK(webhook_sign("Jefe", 4, "what do ya want for nothing?", 28, sig) == 0);
	CHECK(strcmp(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
			  "64ec3843") == 0);
}

static void test_secrets(void)
{
	char a[WEBHOOK_SECRET_LEN], b[WEBHOOK_SECRET_LEN];
	CHECK(webhook_new_secret(a) == 0 && webhook_new_secret(b) == 0);
	CHECK_EQ_INT(strlen(a), 64);
	CHECK(strspn(a, "0123456789abcdef") == 64);
	CHECK(strcmp(a, b) != 0);
}

static struct eventlog_row ev(int64_t id, int64_t job, const char *type,
			      const char *data)
{
	struct eventlog_row r = {.id = id, .ts = 1700000000000, .job_id = job,
				 .type = type, .data = data, .data_len = strlen(data)};
	return r;
}

static int named(const char *type, const char *data, const char *want)
{
	char name[WEBHOOK_EVENT_NAME_MAX];
	struct eventlog_row r = ev(1, 7, type, data);
	int got = webhook_event_name(&r, name);
	return want ? got && strcmp(name, want) == 0 : !got && name[0] == 0;
}

static void test_names(void)
{
	CHECK(named("job.state", "{\"from\":\"running\",\"to\":\"failed\",\"step\":2}",
		    "job.failed"));
	CHECK(named("job.state", "{\"from\":\"running\",\"to\":\"succeeded\",\"step\":3}",
		    "job.succeeded"));
	CHECK(named("job.state", "{\"from\":\"paused\",\"to\":\"cancelled\",\"by\":\"api\"}",
		    "job.cancelled"));
	CHECK(named("job.state", "{\"from\":\"queued\",\"to\":\"running\",\"step\":0}", NULL));
	CHECK(named("job.step_done", "{\"step\":1}", NULL));
	CHECK(named("job.failed", "{}", NULL)); /* only the engine's job.state counts */
	CHECK(named("fleet.arrived", "{\"fleet\":5,\"world\":9}", "fleet.arrived"));
	CHECK(named("world.attacked", "{\"world\":9}", "world.attacked"));
	CHECK(named("fleet.sighted", "{\"world\":9,\"fleet\":3,\"sovereign\":4}",
		    "fleet.sighted"));
	CHECK(named("watch", "{\"watch\":12}", NULL));
	CHECK(named("fleet.new", "{\"fleet\":5}", NULL));
}

/* The Discord body: only fields of Discord's "execute webhook" request,
 * content one line of at most 2000 characters. */
static int discord_ok(const char *body, const char *want_line)
{
	json_t *o = json_loads(body, 0, NULL);
	const char *k;
	json_t *v;
	int ok = json_is_object(o);
	json_object_foreach(o, k, v)
		if (strcmp(k, "content") != 0 && strcmp(k, "username") != 0 &&
		    strcmp(k, "allowed_mentions") != 0)
			ok = 0;
	const char *c = json_string_value(json_object_get(o, "content"));
	ok = ok && c && !strchr(c, '\n') && !strchr(c, '\r');
	ok = ok && json_array_size(json_object_get(json_object_get(o, "allowed_mentions"),
						   "parse")) == 0;
	if (ok && want_line)
		ok = strcmp(c, want_line) == 0;
	if (ok) { /* characters, as Discord counts them */
		size_t chars = 0;
		for (const unsigned char *p = (const unsigned char *)c; *p; p++)
			chars += (*p & 0xc0) != 0x80;
		ok = chars <= WEBHOOK_DISCORD_MAX && chars > 0;
	}
	json_decref(o);
	return ok;
}

static int discord_is(int64_t job, const char *type, const char *data, const char *want)
{
	char name[WEBHOOK_EVENT_NAME_MAX];
	struct eventlog_row r = ev(3, job, type, data);
	if (!webhook_event_name(&r, name))
		return 0;
	size_t len;
	char *body = webhook_event_body(WEBHOOK_DISCORD, name, &r, &len);
	int ok = body && strlen(body) == len && discord_ok(body, want);
	free(body);
	return ok;
}

static void test_discord(void)
{
	CHECK(discord_is(12, "job.state", "{\"from\":\"running\",\"to\":\"failed\",\"step\":3}",
			 "fleetd: Job 12 failed at step 3."));
	CHECK(discord_is(12, "job.state", "{\"from\":\"running\",\"to\":\"succeeded\",\"step\":4}",
			 "fleetd: Job 12 succeeded."));
	CHECK(discord_is(12, "job.state", "{\"from\":\"waiting\",\"to\":\"cancelled\",\"by\":\"api\"}",
			 "fleetd: Job 12 was cancelled."));
	CHECK(discord_is(0, "fleet.arrived", "{\"fleet\":101,\"world\":55}",
			 "fleetd: Fleet 101 arrived at world 55."));
	CHECK(discord_is(0, "fleet.departed", "{\"fleet\":101,\"from\":55,\"to\":60}",
			 "fleetd: Fleet 101 left world 55."));
	CHECK(discord_is(0, "world.attacked", "{\"world\":55}",
			 "fleetd: World 55 is under attack."));
	CHECK(discord_is(0, "fleet.sighted", "{\"world\":55,\"fleet\":7,\"sovereign\":2}",
			 "fleetd: Foreign fleet 7 of sovereign 2 sighted at world 55."));
	CHECK(discord_is(0, "world.lost", "{\"world\":55}", "fleetd: World 55 was lost."));
	CHECK(discord_is(0, "world.gained", "{}", "fleetd: World ? was gained."));
	/* the JSON body carries the event as the log holds it */
	struct eventlog_row r = ev(9, 0, "fleet.arrived", "{\"fleet\":1,\"world\":2}");
	size_t len;
	char *b = webhook_event_body(WEBHOOK_JSON, "fleet.arrived", &r, &len);
	CHECK(b && strcmp(b, "{\"event\":\"fleet.arrived\",\"event_id\":9,\"ts\":1700000000000,"
			     "\"job_id\":null,\"data\":{\"fleet\":1,\"world\":2}}") == 0);
	free(b);
}

static int spec_refused(const char *json, const char *want_in_err)
{
	json_t *b = json_loads(json, JSON_ALLOW_NUL, NULL);
	struct webhook_spec s;
	char err[400] = "";
	int rc = b ? webhook_spec_parse(b, &s, err, sizeof err) : -2;
	json_decref(b);
	if (rc == -2) {
		fprintf(stderr, "not JSON: %s\n", json);
		return 0;
	}
	if (rc == 0) {
		webhook_spec_clear(&s);
		fprintf(stderr, "accepted: %s\n", json);
		return 0;
	}
	if (want_in_err && !strstr(err, want_in_err)) {
		fprintf(stderr, "%s: error %s\n", json, err);
		return 0;
	}
	return 1;
}

static void test_spec(void)
{
	json_t *b = json_loads("{\"url\":\"https://example.com/hook?x=1\","
			       "\"events\":[\"job.failed\",\"world.attacked\"],"
			       "\"format\":\"discord\",\"secret\":\"0123456789abcdef\"}",
			       0, NULL);
	struct webhook_spec s;
	char err[400];
	CHECK(webhook_spec_parse(b, &s, err, sizeof err) == 0);
	CHECK(s.format == WEBHOOK_DISCORD && s.secret && s.url);
	CHECK(s.events == (webhook_event_bit("job.failed") | webhook_event_bit("world.attacked")));
	webhook_spec_clear(&s);
	json_decref(b);
	CHECK(spec_refused("[]", "object"));
	CHECK(spec_refused("{\"events\":[\"job.failed\"]}", "url"));
	CHECK(spec_refused("{\"url\":\"ftp://h/x\",\"events\":[\"job.failed\"]}", "http"));
	CHECK(spec_refused("{\"url\":\"file:///etc/passwd\",\"events\":[\"job.failed\"]}", "http"));
	CHECK(spec_refused("{\"url\":\"http://u:pw@h/x\",\"events\":[\"job.failed\"]}",
			   "credentials"));
	CHECK(spec_refused("{\"url\":\"http://u@h/x\",\"events\":[\"job.failed\"]}",
			   "credentials"));
	CHECK(spec_refused("{\"url\":\"http:///x\",\"events\":[\"job.failed\"]}", "host"));
	CHECK(spec_refused("{\"url\":\"http://h/a b\",\"events\":[\"job.failed\"]}", "spaces"));
	CHECK(spec_refused("{\"url\":\"http://h/\\u0000\",\"events\":[\"job.failed\"]}", "NUL"));
	CHECK(spec_refused("{\"url\":\"http://h/\\u00e9\",\"events\":[\"job.failed\"]}", "ASCII"));
	CHECK(spec_refused("{\"url\":7,\"events\":[\"job.failed\"]}", "url"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[]}", "events"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":\"job.failed\"}", "events"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[\"job.state\"]}", "events[0]"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[\"job.failed\",\"job.failed\"]}",
			   "twice"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[\"job.failed\"],\"format\":\"xml\"}",
			   "format"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[\"job.failed\"],\"secret\":\"short\"}",
			   "secret"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[\"job.failed\"],\"secret\":5}",
			   "secret"));
	CHECK(spec_refused("{\"url\":\"http://h/\",\"events\":[\"job.failed\"],\"key_file\":\"/etc/x\"}",
			   "unknown field"));
	char big[WEBHOOK_URL_MAX + 64];
	snprintf(big, sizeof big, "{\"url\":\"http://h/%0*d\",\"events\":[\"job.failed\"]}",
		 WEBHOOK_URL_MAX, 0);
	CHECK(spec_refused(big, "bytes"));
}

/* --- the outbox on a real database -------------------------------------- */

static int64_t count(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);
	int64_t n = s && sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}

static int64_t hook(struct webhooks *wh, const char *events_json, const char *fmt)
{
	char text[300];
	snprintf(text, sizeof text,
		 "{\"url\":\"http://127.0.0.1:9/x\",\"events\":%s,\"format\":\"%s\","
		 "\"secret\":\"0123456789abcdef\"}", events_json, fmt);
	json_t *b = json_loads(text, 0, NULL);
	struct webhook_spec s;
	char err[300];
	int64_t id = -1;
	if (webhook_spec_parse(b, &s, err, sizeof err) == 0)
		id = webhooks_create(wh, &s, 1000);
	webhook_spec_clear(&s);
	json_decref(b);
	return id;
}

static void test_outbox(void)
{
	char path[128], err[256];
	struct store *st = tmpdb_open(path, sizeof path, "webhooks", migrations_files);
	CHECK(st != NULL);
	if (!st)
		return;
	struct eventlog *el = eventlog_new(st);
	struct webhooks *wh = webhooks_new(st, el, 60000);
	CHECK(webhooks_load(wh, err, sizeof err) == 0);
	int64_t a = hook(wh, "[\"job.failed\",\"fleet.arrived\"]", "json");
	int64_t b = hook(wh, "[\"fleet.arrived\"]", "discord");
	CHECK(a > 0 && b > a);
	CHECK(store_commit(st) == 0);

	/* three events, two of them for a, one for both */
	eventlog_append_text(el, 4, "job.state", "{\"from\":\"running\",\"to\":\"failed\",\"step\":1}");
	eventlog_append_text(el, 4, "job.step_done", "{\"step\":1}");
	int64_t e3 = eventlog_append_text(el, 0, "fleet.arrived", "{\"fleet\":3,\"world\":8}");
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox"), 3);
	/* written, but not the sender's before the commit */
	struct webhook_delivery d;
	CHECK_EQ_INT(webhooks_head(wh, a, &d), 0);
	CHECK(store_commit(st) == 0);
	CHECK_EQ_INT(webhooks_head(wh, a, &d), 1);
	CHECK(strcmp(d.type, "job.failed") == 0);
	int64_t first = d.id;
	webhook_delivery_clear(&d);
	/* a's rows go in order: the second only once the first is done */
	CHECK(webhooks_record(wh, first, WEBHOOK_DELIVERED, 204, NULL, 2000, 0) == 0);
	/* retention takes delivered rows done before its cutoff, no other */
	CHECK_EQ_INT(webhooks_prune(wh, 2000, 10), 0);
	CHECK_EQ_INT(webhooks_prune(wh, 2001, 10), 1);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox"), 2);
	CHECK_EQ_INT(webhooks_head(wh, a, &d), 1);
	CHECK(strcmp(d.type, "fleet.arrived") == 0 && d.id > first && d.event_id == e3);
	webhook_delivery_clear(&d);
	CHECK_EQ_INT(webhooks_head(wh, b, &d), 1);
	CHECK(d.body && strstr(d.body, "\"content\":\"fleetd: Fleet 3 arrived at world 8.\""));
	int64_t bd = d.id;
	webhook_delivery_clear(&d);
	/* a dead letter leaves the line; redelivered it is pending again */
	CHECK(webhooks_record(wh, bd, WEBHOOK_DEAD, 500, "HTTP 500", 3000, 0) == 0);
	CHECK_EQ_INT(webhooks_head(wh, b, &d), 0);
	CHECK_EQ_INT(webhooks_redeliver(wh, b, bd, 4000), 0);
	CHECK_EQ_INT(webhooks_redeliver(wh, a, bd, 4000), 1); /* not a's */
	CHECK_EQ_INT(webhooks_head(wh, b, &d), 1);
	CHECK(d.id == bd && d.attempts == 1 && d.expires_ms == 4000 + 60000);
	webhook_delivery_clear(&d);
	CHECK(store_commit(st) == 0);

	/* deleting a webhook takes its rows; its events no longer match */
	CHECK_EQ_INT(webhooks_delete(wh, a), 0);
	CHECK_EQ_INT(webhooks_delete(wh, a), 1);
	eventlog_append_text(el, 5, "job.state", "{\"from\":\"running\",\"to\":\"failed\",\"step\":1}");
	CHECK(store_commit(st) == 0);
	CHECK_EQ_INT(count(st, "SELECT count(*) FROM webhook_outbox"), 1);
	CHECK_EQ_INT(webhooks_count(wh), 1);

	/* the answers never hold the secret */
	json_t *list = webhooks_list_json(wh);
	char *text = json_dumps(list, 0);
	CHECK(text && !strstr(text, "0123456789abcdef") && strstr(text, "\"discord\""));
	free(text);
	json_decref(list);

	webhooks_free(wh);
	eventlog_free(el);
	tmpdb_close(st, path);
}

int main(void)
{
	test_rfc4231();
	test_secrets();
	test_names();
	test_discord();
	test_spec();
	test_outbox();
	return tap_done();
}
