/* json_canon.c -- see json_canon.h. */
#include "json_canon.h"

#include <stdlib.h>
#include <string.h>

#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
/* Objects with at most this many keys sort them on the stack. */
#define SMALL_OBJECT 16

struct member {
	const char *key;
	size_t len;
	json_t *value;
};

static int put_cb(const char *buf, size_t size, void *arg)
{
	textbuf_put(arg, buf, size);
	return 0;
}

/* jansson's own text of v, for what this file does not write itself. */
static int put_by_jansson(struct textbuf *t, const json_t *v)
{
	return json_dump_callback(v, put_cb, t, CANON_FLAGS);
}

/* 1 if jansson writes s[0..len) between its quotes as it is: printable
 * ASCII (and DEL) without '"' or '\\'. */
static int plain_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7f || c == '"' || c == '\\')
			return 0;
	}
	return 1;
}

/* s[0..len) as jansson quotes it; with tail (a key's ':'), that byte
 * after the closing quote.  A short plain string goes out in one put. */
static int put_string(struct textbuf *t, const char *s, size_t len, const char *tail)
{
	size_t tn = tail ? 1 : 0;
	if (!plain_ascii(s, len)) {
		json_t *v = json_stringn_nocheck(s, len);
		int rc = v ? put_by_jansson(t, v) : -1;
		json_decref(v);
		if (tail)
			textbuf_put(t, tail, 1);
		return rc;
	}
	char q[64];
	if (len + 2 + tn <= sizeof q) {
		q[0] = '"';
		memcpy(q + 1, s, len);
		q[len + 1] = '"';
		if (tail)
			q[len + 2] = *tail;
		textbuf_put(t, q, len + 2 + tn);
		return 0;
	}
	textbuf_put(t, "\"", 1);
	textbuf_put(t, s, len);
	textbuf_put(t, "\"", 1);
	if (tail)
		textbuf_put(t, tail, 1);
	return 0;
}

/* jansson's order of keys: bytes compared unsigned, a prefix first. */
static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static void sort_members(struct member *m, size_t n)
{
	if (n > SMALL_OBJECT) {
		qsort(m, n, sizeof *m, member_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct member cur = m[i];
		size_t j = i;
		for (; j > 0 && member_cmp(&m[j - 1], &cur) > 0; j--)
			m[j] = m[j - 1];
		m[j] = cur;
	}
}

static int put_value(struct textbuf *t, const json_t *v, int depth);

static int put_object(struct textbuf *t, const json_t *obj, int depth)
{
	size_t n = json_object_size(obj);
	struct member small[SMALL_OBJECT];
	struct member *m = n <= SMALL_OBJECT ? small : malloc(n * sizeof *m);
	if (!m)
		return -1;
	size_t k = 0;
	for (void *it = json_object_iter((json_t *)obj); it && k < n;
	     it = json_object_iter_next((json_t *)obj, it), k++)
		m[k] = (struct member){json_object_iter_key(it), json_object_iter_key_len(it),
				       json_object_iter_value(it)};
	sort_members(m, k);
	int rc = 0;
	textbuf_put(t, "{", 1);
	for (size_t i = 0; i < k && rc == 0; i++) {
		if (i)
			textbuf_put(t, ",", 1);
		rc = put_string(t, m[i].key, m[i].len, ":");
		if (rc == 0)
			rc = put_value(t, m[i].value, depth + 1);
	}
	textbuf_put(t, "}", 1);
	if (m != small)
		free(m);
	return rc;
}

static int put_array(struct textbuf *t, const json_t *arr, int depth)
{
	size_t n = json_array_size(arr);
	int rc = 0;
	textbuf_put(t, "[", 1);
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (i)
			textbuf_put(t, ",", 1);
		rc = put_value(t, json_array_get(arr, i), depth + 1);
	}
	textbuf_put(t, "]", 1);
	return rc;
}

static int put_value(struct textbuf *t, const json_t *v, int depth)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return depth < JSON_CANON_MAX_DEPTH ? put_object(t, v, depth)
						    : put_by_jansson(t, v);
	case JSON_ARRAY:
		return depth < JSON_CANON_MAX_DEPTH ? put_array(t, v, depth)
						    : put_by_jansson(t, v);
	case JSON_STRING:
		return put_string(t, json_string_value(v), json_string_length(v), NULL);
	case JSON_INTEGER:
		textbuf_int(t, json_integer_value(v));
		return 0;
	case JSON_TRUE:
		textbuf_put(t, "true", 4);
		return 0;
	case JSON_FALSE:
		textbuf_put(t, "false", 5);
		return 0;
	case JSON_NULL:
		textbuf_put(t, "null", 4);
		return 0;
	default: /* reals: jansson's own format */
		return put_by_jansson(t, v);
	}
}

int json_canon_put(struct textbuf *t, const json_t *v)
{
	if (!v)
		return -1;
	int rc = put_value(t, v, 0);
	return rc < 0 || t->oom ? -1 : 0;
}

char *json_canon_text(const json_t *v, size_t *len)
{
	struct textbuf t = {0};
	size_t n;
	if (json_canon_put(&t, v) < 0) {
		textbuf_free(&t);
		return NULL;
	}
	char *s = textbuf_take(&t, &n);
	if (len)
		*len = n;
	return s;
}
