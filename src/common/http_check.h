/* http_check.h -- what the HTTP layer refuses in a request before reading
 * its body: framing that two parsers could read two ways (the ground of
 * request smuggling), and URIs whose decoding would change their meaning.
 *
 * Pure functions over bytes, so the rules are tested without a socket;
 * http.c feeds them the headers and the URI as the client sent them.
 * Each verdict is NULL (fine) or a message for the 400 answer. */
#ifndef FLEETD_HTTP_CHECK_H
#define FLEETD_HTTP_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* What the headers say about where the body ends. */
struct http_framing {
	unsigned content_lengths;    /* Content-Length headers */
	unsigned transfer_encodings; /* Transfer-Encoding headers */
	int te_chunked;              /* the last one is exactly "chunked" */
	int cl_valid;                /* the Content-Length is all digits */
	uint64_t content_length;
	size_t header_bytes;         /* names, values, ": " and CRLF */
	const char *bad;             /* first malformed header, if any */
};

/* Account one header (key and value with their lengths as received: a
 * NUL inside either is refused). */
void http_framing_add(struct http_framing *f, const char *key, size_t key_len,
		      const char *value, size_t value_len);
/* NULL if the body's end is unambiguous: at most one Content-Length (all
 * digits), at most one Transfer-Encoding and then exactly "chunked" and no
 * Content-Length, header names that are RFC 9110 tokens (so no
 * "Content-Length :"), no NUL anywhere. */
const char *http_framing_verdict(const struct http_framing *f);
/* Does the request carry a body (a Content-Length above 0, or chunked)? */
int http_framing_has_body(const struct http_framing *f);

/* NULL if the URI (path and query, as sent, before percent-decoding) has
 * no %00 anywhere and no %2F inside the path: decoded, the first would cut
 * the path or a value short, the second would split a segment in two. */
const char *http_check_uri(const char *raw);

#endif
