/* test_opts.c -- the checks of the two flags fleetd and fleetsim share
 * (src/common/opts.c): --listen split into host and port, --log-level
 * read, and the one-line message each gives for a bad value. */
#include <string.h>

#include "log.h"
#include "opts.h"
#include "tap.h"

static void test_listen(void)
{
	static const struct {
		const char *value, *host; /* host NULL: refused */
		int port;
	} cases[] = {
		{"127.0.0.1:8080", "127.0.0.1", 8080},
		{"localhost:0", "localhost", 0},
		{"[::1]:65535", "::1", 65535},
		{"a:b:1", "a:b", 1}, /* the last colon splits */
		{"nonsense", NULL, 0},
		{"127.0.0.1:99999", NULL, 0},
		{"127.0.0.1:", NULL, 0},
		{":80", NULL, 0},
		{"[::1]80", NULL, 0},
		{"host:8x", NULL, 0},
		{"", NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char host[64] = "", err[128] = "";
		int port = -1;
		int rc = opts_check_listen(cases[i].value, host, sizeof host, &port, err,
					   sizeof err);
		if (cases[i].host) {
			CHECK_EQ_INT(rc, 0);
			CHECK(strcmp(host, cases[i].host) == 0);
			CHECK_EQ_INT(port, cases[i].port);
			CHECK(err[0] == 0);
		} else {
			char want[128];
			snprintf(want, sizeof want,
				 "--listen: invalid value '%s' (want HOST:PORT)", cases[i].value);
			CHECK_EQ_INT(rc, -1);
			CHECK(strcmp(err, want) == 0);
		}
	}
	/* a host longer than the caller's room is refused, not cut */
	char small[4], err[128];
	int port;
	CHECK_EQ_INT(opts_check_listen("abcd:1", small, sizeof small, &port, err, sizeof err), -1);
}

static void test_log_level(void)
{
	static const struct {
		const char *value;
		int level;
	} cases[] = {
		{"debug", LOG_DEBUG}, {"info", LOG_INFO}, {"warn", LOG_WARN},
		{"error", LOG_ERROR}, {"loud", -1},       {"", -1},
		{"INFO", -1},       {"warning", LOG_WARN}, /* the one alias */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[128] = "";
		CHECK_EQ_INT(opts_check_log_level(cases[i].value, err, sizeof err),
			     cases[i].level);
		char want[128] = "";
		if (cases[i].level < 0)
			snprintf(want, sizeof want,
				 "--log-level: invalid value '%s' (debug, info, warn or error)",
				 cases[i].value);
		CHECK(strcmp(err, want) == 0);
	}
}

int main(void)
{
	test_listen();
	test_log_level();
	return tap_done();
}
