/* test_hostcheck.c -- the DNS-rebinding guard's decision for Host header
 * values: loopback names and addresses in every spelling a client may
 * send, the listen host, --allowed-host names and addresses; and the
 * hostile ones (a rebinding name, loopback-looking names, user info,
 * bare IPv6, bad ports, control bytes, over-long names) refused.  Also
 * which --allowed-host values are accepted. */
#include <stdio.h>
#include <string.h>

#include "hostcheck.h"
#include "tap.h"

static int allows(const struct hostcheck *hc, const char *host, int want)
{
	int got = hostcheck_allows(hc, host);
	if (got != want)
		fprintf(stderr, "Host '%s': got %d, wanted %d\n", host ? host : "(none)",
			got, want);
	return got == want;
}

static void test_loopback_only(void)
{
	struct hostcheck *hc = hostcheck_new("127.0.0.1", NULL, 0);
	CHECK(hc != NULL);
	const char *ok[] = {
		"localhost", "localhost:8080", "LOCALHOST:8080", "localhost.",
		"localhost.:80", "127.0.0.1", "127.0.0.1:8080", "127.1.2.3:1",
		"127.255.255.255", "[::1]", "[::1]:8080", "[0:0:0:0:0:0:0:1]:8080",
		"[::ffff:127.0.0.1]:8080", "localhost:", "[::1]:", NULL};
	for (int i = 0; ok[i]; i++)
		CHECK(allows(hc, ok[i], 1));
	CHECK(allows(hc, NULL, 1)); /* HTTP/1.0 without Host: no browser */
	char longname[400];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	const char *bad[] = {
		"rebind.example:8080", "rebind.example", "127.evil.invalid",
		"127.0.0.1.evil.invalid", "localhost.evil.invalid", "evil.localhost",
		"evil-localhost", "localhost..", ".localhost", "2130706433",
		"0x7f000001", "127.1", "0.0.0.0", "[::]", "10.0.0.1", "::1",
		"[::1", "::1]:80", "[127.0.0.1]", "[localhost]:80", "[::1]x",
		"[::1]:80:80", "localhost:80:80", "localhost:8o",
		"localhost:123456", "localhost:-1", "localhost :80", " localhost",
		"user@localhost", "localhost/path", "localhost?x", "localhost#x",
		"local\thost", "localhost\r\nX: y", "", ":80", "[]", "[]:80",
		"[fe80::1%25eth0]:80", "l\xc3\xb6" "calhost", "*", "*.localhost",
		longname, NULL};
	for (int i = 0; bad[i]; i++)
		CHECK(allows(hc, bad[i], 0));
	hostcheck_free(hc);
}

static void test_listen_and_allowed(void)
{
	char *allowed[] = {"Fleet.Example.com", "192.168.1.5", "[fe80::1]", "2001:db8::7",
			   "trailing.example."};
	struct hostcheck *hc = hostcheck_new("fleetd.lan", allowed, 5);
	CHECK(hc != NULL);
	const char *ok[] = {
		"fleetd.lan", "FLEETD.LAN:8080", "fleetd.lan.", "fleet.example.com",
		"fleet.example.com.:443", "192.168.1.5:8080", "[fe80::1]:80",
		"[FE80:0::1]", "[2001:db8::7]", "[2001:0db8:0:0:0:0:0:7]:9",
		"trailing.example", "localhost", NULL};
	for (int i = 0; ok[i]; i++)
		CHECK(allows(hc, ok[i], 1));
	const char *bad[] = {
		"fleetd.lan.evil.invalid", "evil.fleetd.lan", "example.com",
		"fleet.example.co", "192.168.1.50", "192.168.1", "[fe80::2]",
		"fe80::1", "[2001:db8::8]", "fleetd", NULL};
	for (int i = 0; bad[i]; i++)
		CHECK(allows(hc, bad[i], 0));
	hostcheck_free(hc);

	/* an IPv6 listen host compares as an address */
	hc = hostcheck_new("2001:db8::1", NULL, 0);
	CHECK(allows(hc, "[2001:DB8:0::1]:8080", 1));
	CHECK(allows(hc, "[2001:db8::2]:8080", 0));
	hostcheck_free(hc);
	/* a wildcard listener names no host but its own literal */
	hc = hostcheck_new("0.0.0.0", NULL, 0);
	CHECK(allows(hc, "192.168.1.5:8080", 0));
	CHECK(allows(hc, "myhost:8080", 0));
	CHECK(allows(hc, "localhost:8080", 1));
	hostcheck_free(hc);
}

static void test_name_valid(void)
{
	const char *ok[] = {"fleet.example.com", "a", "my_host", "host-1.lan.",
			    "192.168.1.5", "::1", "[::1]", "fe80::1",
			    "[2001:db8::7]", "::ffff:10.0.0.1", NULL};
	for (int i = 0; ok[i]; i++)
		CHECK(hostcheck_name_valid(ok[i]));
	const char *bad[] = {"", ".", "*", "*.example.com", ".example.com",
			     "example.com:8080", "[::1]:80", "http://example.com",
			     "example.com/", "user@example.com", "exa mple.com",
			     "ex\nample", "[127.0.0.1]", "[::1", "fe80::1%eth0",
			     "caf\xc3\xa9" ".example", "a..b:", NULL};
	for (int i = 0; bad[i]; i++) {
		if (hostcheck_name_valid(bad[i]))
			fprintf(stderr, "accepted --allowed-host '%s'\n", bad[i]);
		CHECK(!hostcheck_name_valid(bad[i]));
	}
	CHECK(!hostcheck_name_valid(NULL));
	char *bad_list[] = {"ok.example", "not ok"};
	CHECK(hostcheck_new("127.0.0.1", bad_list, 2) == NULL);
}

int main(void)
{
	test_loopback_only();
	test_listen_and_allowed();
	test_name_valid();
	return tap_done();
}
