/* test_ev_text.c -- the event-text writer (ev_text.c): integers at both
 * ends of int64_t, ids written as null for 0, a NULL name written as
 * printf did, a literal (EV_LIT) and counted bytes (ev_putn) written as
 * ev_put writes them, and a text longer than the buffer cut at the
 * buffer's end, still terminated, never overrun. */
#include <stdint.h>
#include <string.h>

#include "ev_text.h"
#include "tap.h"

static const char *ints(int64_t v)
{
	static struct ev_text t;
	t.n = 0;
	ev_int(&t, v);
	return t.b;
}

static void test_ints(void)
{
	CHECK(strcmp(ints(0), "0") == 0);
	CHECK(strcmp(ints(7), "7") == 0);
	CHECK(strcmp(ints(-42), "-42") == 0);
	CHECK(strcmp(ints(INT64_MAX), "9223372036854775807") == 0);
	CHECK(strcmp(ints(INT64_MIN), "-9223372036854775808") == 0);
}

static void test_fleet_text(void)
{
	struct ev_text t = {.n = 0};
	ev_put(&t, "{\"fleet\":");
	ev_int(&t, 4100);
	ev_put(&t, ",\"from\":");
	ev_id(&t, 0);
	ev_put(&t, ",\"to\":");
	ev_id(&t, 17);
	ev_put(&t, "}");
	CHECK(strcmp(t.b, "{\"fleet\":4100,\"from\":null,\"to\":17}") == 0);
	CHECK_EQ_INT((int)t.n, (int)strlen(t.b));
	t.n = 0;
	ev_put(&t, NULL);
	CHECK(strcmp(t.b, "(null)") == 0);
}

/* The counted forms write what ev_put writes: nothing past n, even where
 * the bytes after n are not a terminator. */
static void test_counted(void)
{
	struct ev_text t = {.n = 0};
	EV_LIT(&t, "{\"step\":");
	ev_int(&t, 3);
	ev_putn(&t, ",\"op\":\"movexyz", 11);
	EV_LIT(&t, "\"}");
	CHECK(strcmp(t.b, "{\"step\":3,\"op\":\"move\"}") == 0);
	CHECK_EQ_INT((int)t.n, (int)strlen(t.b));
	t.n = 0;
	EV_LIT(&t, "");
	CHECK_EQ_INT((int)t.n, 0);
	CHECK(t.b[0] == 0);
}

static void test_cut(void)
{
	struct ev_text t = {.n = 0};
	for (int i = 0; i < 100; i++)
		ev_put(&t, "abc");
	CHECK_EQ_INT((int)t.n, (int)sizeof t.b - 1);
	CHECK_EQ_INT((int)strlen(t.b), (int)sizeof t.b - 1);
	EV_LIT(&t, "x"); /* a literal is cut the same way */
	CHECK_EQ_INT((int)t.n, (int)sizeof t.b - 1);
	ev_int(&t, 12345); /* no room left: nothing is written */
	CHECK_EQ_INT((int)t.n, (int)sizeof t.b - 1);
	CHECK(t.b[sizeof t.b - 1] == 0);
}

int main(void)
{
	test_ints();
	test_fleet_text();
	test_counted();
	test_cut();
	return tap_done();
}
