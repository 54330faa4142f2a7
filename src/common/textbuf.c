/* textbuf.c -- see textbuf.h.  Knows nothing of what the text says. */
#include "textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(struct textbuf *b, size_t n)
{
	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void textbuf_reserve(struct textbuf *b, size_t cap)
{
	if (b->oom || cap <= b->cap)
		return;
	char *p = realloc(b->p, cap);
	if (!p)
		return;
	b->p = p;
	b->cap = cap;
}

void textbuf_put(struct textbuf *b, const char *s, size_t n)
{
	/* the room is checked here first: answers are written a few bytes
	 * at a time, and a call to reserve() for each cost as much as the
	 * copy */
	if (b->oom || (b->len + n + 1 > b->cap && reserve(b, n) < 0))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void textbuf_puts(struct textbuf *b, const char *s)
{
	textbuf_put(b, s, strlen(s));
}

/* Digits written backwards from the end of a small buffer: answers carry
 * many integers, and snprintf() parses its format for each. */
void textbuf_int(struct textbuf *b, int64_t v)
{
	char t[24];
	char *p = t + sizeof t;
	/* the magnitude as unsigned, so INT64_MIN has one too */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	textbuf_put(b, p, (size_t)(t + sizeof t - p));
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t need;
	uint32_t min, cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		need = 2, min = 0x80, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		need = 3, min = 0x800, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		need = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

size_t utf8_cut(const char *str, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		size_t k = utf8_seq_len(s + i, len - i);
		if (!k)
			k = 1;
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

void utf8_scrub(char *str, size_t len)
{
	unsigned char *s = (unsigned char *)str;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq_len(s + i, len - i);
		if (!k) {
			s[i] = '?';
			k = 1;
		}
		i += k;
	}
}

void textbuf_json_str(struct textbuf *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* bytes before i that go out as they are */
	textbuf_put(b, "\"", 1);
	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq_len(s + i, len - i);
		if (k && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\') {
			i += k;
			run += k;
			continue;
		}
		textbuf_put(b, str + i - run, run);
		run = 0;
		char esc[8];
		if (!k)
			snprintf(esc, sizeof esc, "\\ufffd");
		else if (s[i] == '"' || s[i] == '\\')
			snprintf(esc, sizeof esc, "\\%c", s[i]);
		else if (s[i] == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else
			snprintf(esc, sizeof esc, "\\u%04x", s[i]);
		textbuf_puts(b, esc);
		i++;
	}
	textbuf_put(b, str + len - run, run);
	textbuf_put(b, "\"", 1);
}

char *textbuf_take(struct textbuf *b, size_t *len)
{
	if (reserve(b, 0) < 0) {
		textbuf_free(b);
		return NULL;
	}
	b->p[b->len] = '\0';
	char *p = b->p;
	if (len)
		*len = b->len;
	memset(b, 0, sizeof *b);
	return p;
}

void textbuf_free(struct textbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
