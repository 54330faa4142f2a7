/* json_quick.c -- see json_quick.h.
 *
 * Every reader returns NULL as soon as the text leaves the plain form
 * (the caller then gives the whole text to jansson), so no error is
 * reported here and nothing is ever accepted that jansson refuses:
 * integers follow jansson's grammar (an optional '-', no leading zero, no
 * fraction or exponent, within int64_t), a literal or number must be
 * followed by whitespace, ',', ']', '}' or the end, and whitespace is
 * jansson's four characters. */
#include "json_quick.h"

#include <stdint.h>
#include <string.h>

struct reader {
	const char *p, *end;
	int max_depth; /* containers inside each other at most */
};

static void skip_ws(struct reader *r)
{
	while (r->p < r->end &&
	       (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

/* At the current character, if there is one. */
static int at(const struct reader *r, char c)
{
	return r->p < r->end && *r->p == c;
}

/* A string of printable ASCII (DEL too) without escapes: its bytes in
 * *s, *n, the reader past its closing quote; -1 for any other string. */
static int read_plain_string(struct reader *r, const char **s, size_t *n)
{
	if (!at(r, '"'))
		return -1;
	const char *start = ++r->p;
	for (; r->p < r->end; r->p++) {
		unsigned char c = (unsigned char)*r->p;
		if (c == '"') {
			*s = start;
			*n = (size_t)(r->p - start);
			r->p++;
			return 0;
		}
		if (c < 0x20 || c > 0x7f || c == '\\')
			return -1;
	}
	return -1;
}

static int is_digit(const struct reader *r, const char *p)
{
	return p < r->end && *p >= '0' && *p <= '9';
}

static json_t *read_int(struct reader *r)
{
	const char *p = r->p;
	int neg = *p == '-';
	p += neg;
	if (!is_digit(r, p) || (*p == '0' && is_digit(r, p + 1)))
		return NULL;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, u = 0;
	for (; is_digit(r, p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (u > (limit - d) / 10)
			return NULL; /* beyond int64_t: jansson's error */
		u = u * 10 + d;
	}
	if (p < r->end && (*p == '.' || *p == 'e' || *p == 'E'))
		return NULL; /* a real */
	r->p = p;
	int64_t v = !neg ? (int64_t)u : u > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)u;
	return json_integer(v);
}

static json_t *read_word(struct reader *r)
{
	static const struct {
		const char *text;
		size_t len;
	} words[] = {{"true", 4}, {"false", 5}, {"null", 4}};
	size_t left = (size_t)(r->end - r->p);
	for (int i = 0; i < 3; i++)
		if (left >= words[i].len && memcmp(r->p, words[i].text, words[i].len) == 0) {
			r->p += words[i].len;
			return i == 0 ? json_true() : i == 1 ? json_false() : json_null();
		}
	return NULL;
}

static json_t *read_value(struct reader *r, int depth);

/* After a member or an element: 1 for ',' (and the next one follows), 0
 * for the closing character, -1 for anything else. */
static int next_or_close(struct reader *r, char close)
{
	skip_ws(r);
	if (at(r, ',')) {
		r->p++;
		skip_ws(r);
		return 1;
	}
	if (at(r, close)) {
		r->p++;
		return 0;
	}
	return -1;
}

/* Past a container's opening character: 1 when the closing one follows
 * (the reader then past it too: the container is empty), 0 when a first
 * member or element does. */
static int enter(struct reader *r, char close)
{
	r->p++;
	skip_ws(r);
	if (!at(r, close))
		return 0;
	r->p++;
	return 1;
}

static json_t *read_object(struct reader *r, int depth)
{
	json_t *obj = json_object();
	if (enter(r, '}'))
		return obj;
	for (int more = 1; obj && more > 0;) {
		const char *k = NULL;
		size_t kn = 0;
		json_t *v = NULL;
		if (read_plain_string(r, &k, &kn) == 0) {
			skip_ws(r);
			if (at(r, ':') && (r->p++, skip_ws(r), !json_object_getn(obj, k, kn)))
				v = read_value(r, depth + 1);
		}
		/* a duplicate key is jansson's error; set_new takes v even
		 * when it fails */
		if (!v || json_object_setn_new_nocheck(obj, k, kn, v) < 0 ||
		    (more = next_or_close(r, '}')) < 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *read_array(struct reader *r, int depth)
{
	json_t *arr = json_array();
	if (enter(r, ']'))
		return arr;
	for (int more = 1; arr && more > 0;) {
		json_t *v = read_value(r, depth + 1);
		if (!v || json_array_append_new(arr, v) < 0 || (more = next_or_close(r, ']')) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *read_value(struct reader *r, int depth)
{
	if (r->p >= r->end)
		return NULL;
	const char *s;
	size_t n;
	switch (*r->p) {
	case '{':
		return depth < r->max_depth ? read_object(r, depth) : NULL;
	case '[':
		return depth < r->max_depth ? read_array(r, depth) : NULL;
	case '"':
		return read_plain_string(r, &s, &n) == 0 ? json_stringn_nocheck(s, n) : NULL;
	case 't':
	case 'f':
	case 'n':
		return read_word(r);
	default:
		return *r->p == '-' || (*r->p >= '0' && *r->p <= '9') ? read_int(r) : NULL;
	}
}

json_t *json_quick_parse(const char *buf, size_t len, int max_depth)
{
	struct reader r = {buf, buf + len,
			   max_depth > 0 && max_depth < JSON_QUICK_MAX_DEPTH ? max_depth
									  : JSON_QUICK_MAX_DEPTH};
	skip_ws(&r);
	json_t *v = read_value(&r, 0);
	if (!v)
		return NULL;
	/* a literal or number runs into the next token in jansson's lexer
	 * ("truex", "1a"): anything but whitespace after the value is its
	 * error; inside containers next_or_close() refuses the same */
	skip_ws(&r);
	if (r.p != r.end) {
		json_decref(v);
		return NULL;
	}
	return v;
}
