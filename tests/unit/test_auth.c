/* test_auth.c -- the API token: loading (trimmed, refused when missing,
 * empty, too long or odd), the bearer header check, the constant-time
 * comparison's answers (timing itself is a benchmark matter, not a test),
 * and the start-up checks of src/fleetd/config.c that depend on the token:
 * no non-loopback listener without one, no "*" origin with one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "cors.h"
#include "tap.h"

static char dir[] = "/tmp/test_auth.XXXXXX";

static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

static void test_equal(void)
{
	CHECK(auth_equal("abc", 3, "abc", 3));
	CHECK(!auth_equal("abc", 3, "abd", 3));
	CHECK(!auth_equal("abc", 3, "xbc", 3));
	CHECK(!auth_equal("abc", 3, "abcd", 4));
	CHECK(!auth_equal("abcd", 4, "abc", 3));
	CHECK(!auth_equal("", 0, "a", 1));
	CHECK(auth_equal("", 0, "", 0));
	/* a zero byte past the end of the shorter string is no match either */
	CHECK(!auth_equal("ab\0", 3, "ab", 2));
}

static void test_header(void)
{
	char err[256];
	struct auth *a = auth_new("s3cr3t-Token", err, sizeof err);
	CHECK(a != NULL);
	CHECK(auth_check_header(a, "Bearer s3cr3t-Token"));
	CHECK(auth_check_header(a, "bearer s3cr3t-Token"));
	CHECK(auth_check_header(a, "BEARER   s3cr3t-Token "));
	CHECK(!auth_check_header(a, NULL));
	CHECK(!auth_check_header(a, ""));
	CHECK(!auth_check_header(a, "Bearer"));
	CHECK(!auth_check_header(a, "Bearer "));
	CHECK(!auth_check_header(a, "Bearers3cr3t-Token"));
	CHECK(!auth_check_header(a, "Basic s3cr3t-Token"));
	CHECK(!auth_check_header(a, "Bearer s3cr3t-token"));
	CHECK(!auth_check_header(a, "Bearer s3cr3t-Token2"));
	CHECK(!auth_check_header(a, "Bearer s3cr3t-Toke"));
	CHECK(!auth_check_header(a, "s3cr3t-Token"));
	auth_free(a);
	CHECK(auth_new("", err, sizeof err) == NULL);
	CHECK(auth_new("two words", err, sizeof err) == NULL);
}

static void test_load(void)
{
	char err[512];
	struct auth *a = auth_load(write_file("ok", "  tok-123\n", 10), err, sizeof err);
	CHECK(a != NULL);
	CHECK(a && auth_check_header(a, "Bearer tok-123"));
	auth_free(a);

	CHECK(auth_load(write_file("empty", "", 0), err, sizeof err) == NULL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(auth_load(write_file("blank", " \n\n", 3), err, sizeof err) == NULL);
	CHECK(auth_load(write_file("inner", "a b\n", 4), err, sizeof err) == NULL);
	CHECK(auth_load(write_file("nul", "ab\0cd", 5), err, sizeof err) == NULL);
	char big[AUTH_MAX_TOKEN + 100];
	memset(big, 'x', sizeof big);
	CHECK(auth_load(write_file("big", big, sizeof big), err, sizeof err) == NULL);
	CHECK(auth_load("/nonexistent/token", err, sizeof err) == NULL);
	CHECK(strstr(err, "cannot read /nonexistent/token") != NULL);
	/* the error never quotes the file's content */
	CHECK(auth_load(write_file("inner2", "SECRETVALUE x\n", 14), err, sizeof err) == NULL);
	CHECK(strstr(err, "SECRETVALUE") == NULL);
}

static int parse(char *err, int argc, char **argv)
{
	struct fleetd_config c;
	FILE *out = fopen("/dev/null", "w");
	int rc = config_parse(&c, argc, argv, out, err, 256);
	fclose(out);
	config_free(&c);
	return rc;
}

static void test_config_exposure(void)
{
	char err[256];
	char *public_no_token[] = {"fleetd", "--listen", "0.0.0.0:8080"};
	CHECK_EQ_INT(parse(err, 3, public_no_token), 2);
	CHECK(strstr(err, "non-loopback") != NULL);
	char *public_token[] = {"fleetd", "--listen", "0.0.0.0:8080",
				"--api-token-file", "/x"};
	CHECK_EQ_INT(parse(err, 5, public_token), 0);
	char *v6_loop[] = {"fleetd", "--listen", "[::1]:8080"};
	CHECK_EQ_INT(parse(err, 3, v6_loop), 0);
	/* the listen host is resolved, not compared as text */
	const char *loop[] = {"127.0.0.1", "127.2.3.4", "localhost", "::1",
			      "::ffff:127.0.0.1", "127.1", NULL};
	for (int i = 0; loop[i]; i++) {
		char listen[64];
		snprintf(listen, sizeof listen, "%s%s%s:8080", strchr(loop[i], ':') ? "[" : "",
			 loop[i], strchr(loop[i], ':') ? "]" : "");
		char *a[] = {"fleetd", "--listen", listen};
		CHECK_EQ_INT(parse(err, 3, a), 0);
	}
	const char *public[] = {"127.evil.invalid", "127.0.0.1.evil.invalid",
				"localhost.evil.invalid", "0.0.0.0", "::", "10.0.0.1",
				"::ffff:10.0.0.1", "128.0.0.1", "no-such-host.invalid", NULL};
	for (int i = 0; public[i]; i++) {
		char listen[64];
		snprintf(listen, sizeof listen, "%s%s%s:8080", strchr(public[i], ':') ? "[" : "",
			 public[i], strchr(public[i], ':') ? "]" : "");
		char *a[] = {"fleetd", "--listen", listen};
		CHECK_EQ_INT(parse(err, 3, a), 2);
		CHECK(strstr(err, "non-loopback") != NULL);
	}
	char *star_token[] = {"fleetd", "--cors-origin", "*", "--api-token-file", "/x"};
	CHECK_EQ_INT(parse(err, 5, star_token), 2);
	char *star[] = {"fleetd", "--cors-origin", "*"};
	CHECK_EQ_INT(parse(err, 3, star), 0);
	char *bad_origin[] = {"fleetd", "--cors-origin", "https://x.example/path"};
	CHECK_EQ_INT(parse(err, 3, bad_origin), 2);
	CHECK(cors_origin_valid("http://localhost:3000"));
	CHECK(cors_origin_valid("https://fleet.example.com"));
	CHECK(cors_origin_valid("http://[::1]:8080"));
	CHECK(!cors_origin_valid("fleet.example.com"));
	CHECK(!cors_origin_valid("https://"));
	CHECK(!cors_origin_valid("https://a b"));
}

int main(void)
{
	if (!mkdtemp(dir))
		return 99;
	test_equal();
	test_header();
	test_load();
	test_config_exposure();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}
