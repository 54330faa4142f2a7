/* http_check.c -- see http_check.h.  Knows HTTP/1.1's grammar, nothing of
 * libmicrohttpd or of any route. */
#include "http_check.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 5.6.2: tchar. */
static int is_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_token(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return 0;
	return 1;
}

static int named(const char *key, size_t len, const char *name)
{
	return len == strlen(name) && strncasecmp(key, name, len) == 0;
}

/* Content-Length: 1*DIGIT (no sign, no list, no spaces inside). */
static int parse_length(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

void http_framing_add(struct http_framing *f, const char *key, size_t key_len,
		      const char *value, size_t value_len)
{
	f->header_bytes += key_len + value_len + 4;
	if (!key || !value || memchr(key, 0, key_len) || memchr(value, 0, value_len)) {
		if (!f->bad)
			f->bad = "a header holds a NUL byte";
		return;
	}
	if (!is_token(key, key_len)) {
		if (!f->bad)
			f->bad = "a header name is not a token (space before the colon?)";
		return;
	}
	if (named(key, key_len, "Content-Length")) {
		f->content_lengths++;
		f->cl_valid = parse_length(value, value_len, &f->content_length) == 0;
	} else if (named(key, key_len, "Transfer-Encoding")) {
		f->transfer_encodings++;
		f->te_chunked = named(value, value_len, "chunked");
	}
}

const char *http_framing_verdict(const struct http_framing *f)
{
	if (f->bad)
		return f->bad;
	if (f->content_lengths > 1)
		return "more than one Content-Length header";
	if (f->transfer_encodings && f->content_lengths)
		return "both Content-Length and Transfer-Encoding";
	if (f->transfer_encodings > 1)
		return "more than one Transfer-Encoding header";
	if (f->transfer_encodings && !f->te_chunked)
		return "Transfer-Encoding other than chunked";
	if (f->content_lengths && !f->cl_valid)
		return "Content-Length is not a decimal number";
	return NULL;
}

int http_framing_has_body(const struct http_framing *f)
{
	return f->te_chunked || (f->cl_valid && f->content_length > 0);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

const char *http_check_uri(const char *raw)
{
	int in_query = 0;
	for (const char *p = raw; *p; p++) {
		if (*p == '?')
			in_query = 1;
		if (*p != '%')
			continue;
		int hi = hexval((unsigned char)p[1]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
		if (lo < 0)
			continue;
		int c = hi * 16 + lo;
		if (c == 0)
			return "the URI holds a percent-encoded NUL (%00)";
		if (c == '/' && !in_query)
			return "a path segment holds a percent-encoded / (%2F)";
	}
	return NULL;
}
