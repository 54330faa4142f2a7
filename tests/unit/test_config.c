/* test_config.c -- fleetd's flags and FLEETD_* variables: defaults, the
 * flag beating the variable, both --x v and --x=v, and one clear error for
 * each kind of bad input. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

static int parse(struct fleetd_config *c, char *err, int argc, ...)
{
	char *argv[16];
	va_list ap;
	va_start(ap, argc);
	argv[0] = "fleetd";
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	FILE *out = fopen("/dev/null", "w");
	int rc = config_parse(c, argc, argv, out, err, 256);
	fclose(out);
	return rc;
}

static void test_defaults(void)
{
	struct fleetd_config c;
	char err[256];
	CHECK_EQ_INT(parse(&c, err, 1), 0);
	CHECK(strcmp(c.listen, "127.0.0.1:8080") == 0);
	CHECK(strcmp(c.db, "fleetd.db") == 0);
	CHECK_EQ_INT(c.listen_port, 8080);
	CHECK(config_listen_is_loopback(&c));
	CHECK(c.rate == 5.0);
	config_free(&c);
}

static void test_env_and_flags(void)
{
	struct fleetd_config c;
	char err[256];
	setenv("FLEETD_DB", "/tmp/from-env.db", 1);
	setenv("FLEETD_RATE", "2.5", 1);
	CHECK_EQ_INT(parse(&c, err, 3, "--db", "/tmp/from-flag.db"), 0);
	CHECK(strcmp(c.db, "/tmp/from-flag.db") == 0);
	CHECK(c.rate == 2.5);
	config_free(&c);
	/* a public address needs a token (test_auth.c checks the refusal) */
	CHECK_EQ_INT(parse(&c, err, 4, "--listen=0.0.0.0:9", "--cors-origin=http://a",
			   "--api-token-file=/t"), 0);
	CHECK(!config_listen_is_loopback(&c));
	CHECK_EQ_INT(c.cors_origins.n, 1);
	config_free(&c);
	unsetenv("FLEETD_DB");
	unsetenv("FLEETD_RATE");
}

static void expect_error(const char *a, const char *b, const char *needle)
{
	struct fleetd_config c;
	char err[256] = "";
	int rc = b ? parse(&c, err, 3, a, b) : parse(&c, err, 2, a);
	CHECK_EQ_INT(rc, 2);
	CHECK(strstr(err, needle) != NULL);
	CHECK(strchr(err, '\n') == NULL);
	if (!strstr(err, needle))
		fprintf(stderr, "  got: %s (wanted %s)\n", err, needle);
	config_free(&c);
}

static void test_errors(void)
{
	expect_error("--bogus", NULL, "unknown option '--bogus'");
	expect_error("--db", NULL, "needs a value");
	expect_error("--rate", "fast", "--rate: invalid value 'fast'");
	expect_error("--rate", "0", "--rate: invalid value '0'");
	expect_error("--listen", "nonsense", "--listen: invalid value");
	expect_error("--listen", "127.0.0.1:99999", "--listen: invalid value");
	expect_error("--log-level", "loud", "--log-level: invalid value 'loud'");
	expect_error("--max-connections", "5000", "--max-connections: invalid value");
	expect_error("--upstream", "ftp://x", "--upstream: invalid value");
	expect_error("--upstream", "http://x/api/", "needs --username");
	expect_error("stray", NULL, "unexpected argument 'stray'");
	setenv("FLEETD_MAX_BODY", "12x", 1);
	expect_error("--db", "x.db", "FLEETD_MAX_BODY: invalid value '12x'");
	unsetenv("FLEETD_MAX_BODY");
}

/* --max-connections-per-ip: a quarter of the cap unless given, also by
 * its variable. */
static void test_per_ip(void)
{
	struct fleetd_config c;
	char err[256];
	CHECK_EQ_INT(parse(&c, err, 1), 0);
	CHECK_EQ_INT(c.max_connections_per_ip, 128);
	config_free(&c);
	CHECK_EQ_INT(parse(&c, err, 3, "--max-connections", "10"), 0);
	CHECK_EQ_INT(c.max_connections_per_ip, 3);
	config_free(&c);
	CHECK_EQ_INT(parse(&c, err, 3, "--max-connections", "1"), 0);
	CHECK_EQ_INT(c.max_connections_per_ip, 1);
	config_free(&c);
	setenv("FLEETD_MAX_CONNECTIONS_PER_IP", "7", 1);
	CHECK_EQ_INT(parse(&c, err, 1), 0);
	CHECK_EQ_INT(c.max_connections_per_ip, 7);
	config_free(&c);
	unsetenv("FLEETD_MAX_CONNECTIONS_PER_IP");
	expect_error("--max-connections-per-ip", "0",
		     "--max-connections-per-ip: invalid value '0'");
}

static void test_help(void)
{
	struct fleetd_config c;
	char err[256];
	CHECK_EQ_INT(parse(&c, err, 2, "--help"), 1);
	config_free(&c);
	CHECK_EQ_INT(parse(&c, err, 2, "--version"), 1);
	config_free(&c);
}

int main(void)
{
	test_defaults();
	test_env_and_flags();
	test_errors();
	test_per_ip();
	test_help();
	return tap_done();
}
