/* textbuf.h -- a growing text buffer, and JSON strings written into it.
 *
 * Used where answers are written as text rather than built as jansson
 * trees (fleetsim's galaxy, fleetd's job answers).  Once an allocation
 * fails the buffer stops growing and remembers it (oom): writers go on
 * without checking every call and look once at the end.  Owns only its
 * bytes. */
#ifndef FLEETD_TEXTBUF_H
#define FLEETD_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

struct textbuf {
	char *p;     /* NUL-terminated once anything was written */
	size_t len, cap;
	int oom;
};

void textbuf_put(struct textbuf *b, const char *s, size_t n);
/* Room for cap bytes in all (the NUL included) before the buffer next
 * grows: for a buffer known to fill to about that, which would otherwise
 * double its way there, a copy each time.  A hint: if the memory is not
 * there, nothing changes (the buffer is not marked oom). */
void textbuf_reserve(struct textbuf *b, size_t cap);
void textbuf_puts(struct textbuf *b, const char *s);
void textbuf_int(struct textbuf *b, int64_t v);
/* s[0..len) as a JSON string: quoted, '"', '\\' and control characters
 * escaped, bytes that are not UTF-8 written as U+FFFD. */
void textbuf_json_str(struct textbuf *b, const char *s, size_t len);
/* Length (1-4) of the well-formed UTF-8 sequence at s, reading at most n
 * bytes; 0 if there is none there (stray continuation byte, overlong
 * form, surrogate, beyond U+10FFFF, cut short). */
size_t utf8_seq_len(const unsigned char *s, size_t n);
/* The longest prefix of s[0..len) of at most max bytes that does not end
 * inside a UTF-8 sequence (a byte that starts none counts as one): where
 * to cut a message, a field name or a path quoted in one. */
size_t utf8_cut(const char *s, size_t len, size_t max);
/* Replace, in place, every byte of s[0..len) that is not part of a
 * well-formed UTF-8 sequence with '?' (so jansson takes the text). */
void utf8_scrub(char *s, size_t len);
/* The text, now the caller's (NULL, and the buffer freed, after oom). */
char *textbuf_take(struct textbuf *b, size_t *len);
void textbuf_free(struct textbuf *b);

#endif
