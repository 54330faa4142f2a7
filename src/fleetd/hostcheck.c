/* hostcheck.c -- see hostcheck.h.  Every host (the listen host, each
 * --allowed-host, each Host header) is reduced to a key -- an address, an
 * IPv4-mapped IPv6 address taken as its IPv4 address, or a lower-case name
 * without its trailing dot -- and keys are compared, never raw strings. */
#include "hostcheck.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define HOST_MAX 253 /* the longest DNS name */
#define PORT_DIGITS 5

enum key_kind { KEY_NAME, KEY_V4, KEY_V6 };

struct host_key {
	enum key_kind kind;
	unsigned char addr[16]; /* 4 bytes for KEY_V4 */
	char name[HOST_MAX + 1];
};

struct hostcheck {
	struct host_key *keys; /* keys[0]: the listen host */
	size_t n;
};

/* Plain ASCII ranges: the C library's ctype follows the locale. */
static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int key_of_v6(const char *text, struct host_key *k)
{
	struct in6_addr a;
	if (inet_pton(AF_INET6, text, &a) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a)) {
		k->kind = KEY_V4;
		memcpy(k->addr, a.s6_addr + 12, 4);
	} else {
		k->kind = KEY_V6;
		memcpy(k->addr, a.s6_addr, 16);
	}
	return 0;
}

/* The key of s[0..len): an IPv6 address when it holds a ':' (no
 * brackets), else an IPv4 address or a name.  -1 when it is neither. */
static int key_of(const char *s, size_t len, struct host_key *k)
{
	memset(k, 0, sizeof *k);
	if (len == 0 || len > HOST_MAX + 1)
		return -1;
	char buf[HOST_MAX + 2];
	memcpy(buf, s, len);
	buf[len] = 0;
	if (memchr(buf, 0, len))
		return -1;
	if (strchr(buf, ':'))
		return key_of_v6(buf, k);
	if (len > 1 && buf[len - 1] == '.')
		buf[--len] = 0; /* "localhost." is "localhost" */
	for (size_t i = 0; i < len; i++)
		if (!name_char(buf[i]))
			return -1;
	if (buf[0] == '.' || len > HOST_MAX)
		return -1;
	struct in_addr a4;
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		k->kind = KEY_V4;
		memcpy(k->addr, &a4, 4);
		return 0;
	}
	k->kind = KEY_NAME;
	for (size_t i = 0; i <= len; i++)
		k->name[i] = lower(buf[i]);
	return 0;
}

/* "[v6]" or a bare host, with no port. */
static int key_of_host(const char *s, struct host_key *k)
{
	size_t len = strlen(s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		if (!memchr(s + 1, ':', len - 2))
			return -1; /* "[127.0.0.1]", "[localhost]" */
		return key_of(s + 1, len - 2, k);
	}
	return key_of(s, len, k);
}

static int key_eq(const struct host_key *a, const struct host_key *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case KEY_NAME:
		return strcmp(a->name, b->name) == 0;
	case KEY_V4:
		return memcmp(a->addr, b->addr, 4) == 0;
	case KEY_V6:
		return memcmp(a->addr, b->addr, 16) == 0;
	}
	return 0;
}

static int key_is_loopback(const struct host_key *k)
{
	switch (k->kind) {
	case KEY_NAME:
		return strcmp(k->name, "localhost") == 0;
	case KEY_V4:
		return k->addr[0] == 127;
	case KEY_V6:
		return memcmp(k->addr, in6addr_loopback.s6_addr, 16) == 0;
	}
	return 0;
}

int hostcheck_name_valid(const char *s)
{
	struct host_key k;
	return s && key_of_host(s, &k) == 0;
}

struct hostcheck *hostcheck_new(const char *listen_host, char *const *allowed,
				size_t n)
{
	struct hostcheck *hc = calloc(1, sizeof *hc);
	if (!hc || !(hc->keys = calloc(n + 1, sizeof *hc->keys))) {
		free(hc);
		return NULL;
	}
	/* a listen host that is no key (none should be) matches nothing */
	if (key_of_host(listen_host, &hc->keys[0]) < 0)
		hc->keys[0].kind = KEY_NAME;
	hc->n = 1;
	for (size_t i = 0; i < n; i++) {
		if (key_of_host(allowed[i], &hc->keys[hc->n]) < 0) {
			hostcheck_free(hc);
			return NULL;
		}
		hc->n++;
	}
	return hc;
}

void hostcheck_free(struct hostcheck *hc)
{
	if (!hc)
		return;
	free(hc->keys);
	free(hc);
}

/* "" or ":" followed by up to five digits. */
static int port_ok(const char *p)
{
	if (!*p)
		return 1;
	if (*p++ != ':')
		return 0;
	size_t n = 0;
	for (; *p; p++, n++)
		if (*p < '0' || *p > '9' || n == PORT_DIGITS)
			return 0;
	return 1;
}

/* Host header: "[v6]" or "host", then an optional ":port". */
static int key_of_header(const char *h, struct host_key *k)
{
	const char *port;
	if (h[0] == '[') {
		const char *rb = strchr(h, ']');
		if (!rb || !memchr(h + 1, ':', (size_t)(rb - h - 1)) ||
		    key_of(h + 1, (size_t)(rb - h - 1), k) < 0)
			return -1;
		port = rb + 1;
	} else {
		size_t hl = strcspn(h, ":");
		if (key_of(h, hl, k) < 0)
			return -1;
		port = h + hl;
	}
	return port_ok(port) ? 0 : -1;
}

int hostcheck_allows(const struct hostcheck *hc, const char *host_header)
{
	if (!host_header)
		return 1;
	struct host_key k;
	if (key_of_header(host_header, &k) < 0)
		return 0;
	if (key_is_loopback(&k))
		return 1;
	for (size_t i = 0; i < hc->n; i++)
		if (key_eq(&k, &hc->keys[i]))
			return 1;
	return 0;
}

static int sockaddr_is_loopback(const struct sockaddr *sa)
{
	struct host_key k = {0};
	if (sa->sa_family == AF_INET) {
		k.kind = KEY_V4;
		memcpy(k.addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		k.kind = IN6_IS_ADDR_V4MAPPED(a) ? KEY_V4 : KEY_V6;
		if (k.kind == KEY_V4)
			memcpy(k.addr, a->s6_addr + 12, 4);
		else
			memcpy(k.addr, a->s6_addr, 16);
	} else {
		return 0;
	}
	return key_is_loopback(&k);
}

int hostcheck_is_loopback(const char *host)
{
	struct addrinfo hints, *ai = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (!host || !*host || getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
		return 0;
	int all = 1;
	for (const struct addrinfo *p = ai; p; p = p->ai_next)
		if (!sockaddr_is_loopback(p->ai_addr))
			all = 0;
	freeaddrinfo(ai);
	return all;
}
