/* auth.c -- see auth.h.  The comparison touches every byte of the longer
 * string and folds differences with OR, so there is no early exit; the
 * "Bearer " scheme word is matched case-insensitively as RFC 7235 asks. */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct auth {
	char *token;
	size_t len;
};

int auth_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char *pa = a, *pb = b;
	size_t n = alen > blen ? alen : blen;
	unsigned diff = alen != blen;
	for (size_t i = 0; i < n; i++) {
		unsigned char ca = i < alen ? pa[i] : 0;
		unsigned char cb = i < blen ? pb[i] : 0;
		diff |= (unsigned)(ca ^ cb);
	}
	return diff == 0;
}

static int token_valid(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

struct auth *auth_new(const char *token, char *err, size_t errlen)
{
	size_t len = strlen(token);
	if (len == 0) {
		snprintf(err, errlen, "the API token is empty");
		return NULL;
	}
	if (len > AUTH_MAX_TOKEN) {
		snprintf(err, errlen, "the API token is longer than %d bytes",
			 AUTH_MAX_TOKEN);
		return NULL;
	}
	if (!token_valid(token, len)) {
		snprintf(err, errlen,
			 "the API token holds a space or control character");
		return NULL;
	}
	struct auth *a = calloc(1, sizeof *a);
	if (!a || !(a->token = strdup(token))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->len = len;
	return a;
}

/* Whitespace around the token (a trailing newline from `echo`) is not part
 * of it. */
static char *trim(char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

struct auth *auth_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "--api-token-file: cannot read %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	char buf[AUTH_MAX_TOKEN + 64];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	int bad = ferror(f);
	int more = !feof(f) && fgetc(f) != EOF;
	fclose(f);
	buf[n] = 0;
	if (bad) {
		snprintf(err, errlen, "--api-token-file: cannot read %s", path);
		return NULL;
	}
	if (more || memchr(buf, 0, n)) {
		snprintf(err, errlen, "--api-token-file: %s is not a token file "
			 "(too long or binary)", path);
		return NULL;
	}
	char inner[256];
	struct auth *a = auth_new(trim(buf), inner, sizeof inner);
	if (!a)
		snprintf(err, errlen, "--api-token-file: %s: %s", path, inner);
	/* do not leave a copy of the secret on the stack */
	memset(buf, 0, sizeof buf);
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	volatile char *p = a->token;
	for (size_t i = 0; i < a->len; i++)
		p[i] = 0;
	free(a->token);
	free(a);
}

int auth_check_header(const struct auth *a, const char *h)
{
	if (!h)
		return 0;
	static const char scheme[] = "bearer";
	for (size_t i = 0; i < sizeof scheme - 1; i++)
		if (tolower((unsigned char)h[i]) != scheme[i])
			return 0; /* also stops at the string's end */
	h += sizeof scheme - 1;
	if (*h != ' ')
		return 0;
	while (*h == ' ')
		h++;
	size_t n = strlen(h);
	while (n && h[n - 1] == ' ')
		n--;
	return auth_equal(h, n, a->token, a->len);
}
