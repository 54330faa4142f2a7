/* mirror_scan.c -- see mirror_scan.h.  Owns no state between calls; must
 * not interpret game semantics beyond choosing which fields to keep (the
 * merge rules stay in mirror.c).
 *
 * A recursive-descent validator over the text with two modes per value:
 * skip (validate only) or build (a jansson value).  Objects of class world
 * and fleet are read key by key and only the kept keys are built; any other
 * top-level element is handed to jansson whole, from its span. */
#include "mirror_scan.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const char *p, *end, *start;
	int depth, max_depth;
	char *err;
	size_t errlen;
	int failed;
};

/* Fields of worlds and fleets that mirror_merge() reads. */
static const char *const kept_keys[] = {
	"class", "id", "name", "sovereignID", "pos", "anchorObjID", "destID", "dest",
	"eta", "ftlType", "resources", "nearObjIDs", "battlePlan", "designation",
	"techLevel", "population", "traits"};

static int fail_at(struct scan *s, const char *what)
{
	if (!s->failed)
		snprintf(s->err, s->errlen, "invalid JSON at byte %zu: %s",
			 (size_t)(s->p - s->start), what);
	s->failed = 1;
	return -1;
}

static void ws(struct scan *s)
{
	while (s->p < s->end &&
	       (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int expect(struct scan *s, char c)
{
	ws(s);
	if (s->p >= s->end || *s->p != c) {
		char what[32];
		snprintf(what, sizeof what, "expected '%c'", c);
		return fail_at(s, what);
	}
	s->p++;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(struct scan *s, unsigned *out)
{
	if (s->end - s->p < 4)
		return fail_at(s, "short \\u escape");
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s->p[i]);
		if (h < 0)
			return fail_at(s, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	s->p += 4;
	*out = v;
	return 0;
}

/* Length of the UTF-8 sequence at p (1..4) or 0 if invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	int n;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	if (end - p < n)
		return 0;
	unsigned v = c & (0x3f >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

static void put_utf8(char **o, unsigned cp)
{
	char *q = *o;
	if (cp < 0x80) {
		*q++ = (char)cp;
	} else if (cp < 0x800) {
		*q++ = (char)(0xc0 | cp >> 6);
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*q++ = (char)(0xe0 | cp >> 12);
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*q++ = (char)(0xf0 | cp >> 18);
		*q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*q++ = (char)(0x80 | (cp & 0x3f));
	}
	*o = q;
}

/* A string at s->p (the opening quote).  With out, its decoded text goes
 * to a malloc'd buffer (*out, *outlen); decoded text is never longer than
 * the escaped text. */
static int scan_string(struct scan *s, char **out, size_t *outlen)
{
	ws(s);
	if (s->p >= s->end || *s->p != '"')
		return fail_at(s, "expected a string");
	s->p++;
	char *buf = NULL, *o = NULL;
	size_t cap = 0;
	if (out) {
		/* escapes only shrink text, but may hide the closing quote: the
		 * loop below grows the buffer when needed */
		const char *q = memchr(s->p, '"', (size_t)(s->end - s->p));
		cap = (size_t)((q ? q : s->end) - s->p) + 8;
		if (!(buf = malloc(cap)))
			return fail_at(s, "out of memory");
		o = buf;
	}
	for (;;) {
		if (s->p >= s->end) {
			free(buf);
			return fail_at(s, "unterminated string");
		}
		unsigned char c = (unsigned char)*s->p;
		if (buf && (size_t)(o - buf) + 8 > cap) {
			size_t used = (size_t)(o - buf);
			cap = cap * 2 + 16;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return fail_at(s, "out of memory");
			}
			buf = nb;
			o = buf + used;
		}
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			/* the common case: a run of plain ASCII */
			const char *q = s->p + 1;
			while (q < s->end && (unsigned char)*q >= 0x20 && (unsigned char)*q < 0x80 &&
			       *q != '"' && *q != '\\')
				q++;
			size_t run = (size_t)(q - s->p);
			if (buf) {
				if ((size_t)(o - buf) + run + 8 > cap) {
					size_t used = (size_t)(o - buf);
					cap = used + run + 64;
					char *nb = realloc(buf, cap);
					if (!nb) {
						free(buf);
						return fail_at(s, "out of memory");
					}
					buf = nb;
					o = buf + used;
				}
				memcpy(o, s->p, run);
				o += run;
			}
			s->p = q;
			continue;
		}
		if (c == '"') {
			s->p++;
			break;
		}
		if (c < 0x20) {
			free(buf);
			return fail_at(s, "control character in a string");
		}
		if (c == '\\') {
			s->p++;
			if (s->p >= s->end) {
				free(buf);
				return fail_at(s, "unterminated escape");
			}
			char e = *s->p++;
			unsigned cp;
			switch (e) {
			case '"': cp = '"'; break;
			case '\\': cp = '\\'; break;
			case '/': cp = '/'; break;
			case 'b': cp = '\b'; break;
			case 'f': cp = '\f'; break;
			case 'n': cp = '\n'; break;
			case 'r': cp = '\r'; break;
			case 't': cp = '\t'; break;
			case 'u':
				if (read_hex4(s, &cp) < 0) {
					free(buf);
					return -1;
				}
				if (cp >= 0xd800 && cp <= 0xdbff) {
					unsigned lo;
					if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u') {
						free(buf);
						return fail_at(s, "lone surrogate");
					}
					s->p += 2;
					if (read_hex4(s, &lo) < 0) {
						free(buf);
						return -1;
					}
					if (lo < 0xdc00 || lo > 0xdfff) {
						free(buf);
						return fail_at(s, "bad surrogate pair");
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp <= 0xdfff) {
					free(buf);
					return fail_at(s, "lone surrogate");
				}
				if (cp == 0) {
					free(buf);
					return fail_at(s, "\\u0000 in a string");
				}
				break;
			default:
				free(buf);
				return fail_at(s, "bad escape");
			}
			if (buf)
				put_utf8(&o, cp);
			continue;
		}
		int n = utf8_len((const unsigned char *)s->p, (const unsigned char *)s->end);
		if (!n) {
			free(buf);
			return fail_at(s, "invalid UTF-8");
		}
		if (buf) {
			memcpy(o, s->p, (size_t)n);
			o += n;
		}
		s->p += n;
	}
	if (out) {
		*out = buf;
		*outlen = (size_t)(o - buf);
	}
	return 0;
}

/* A key: its raw bytes when it has no escape (the usual case, no copy),
 * else a decoded copy in *owned (free it). */
static int scan_key(struct scan *s, const char **kb, size_t *kl, char **owned)
{
	*owned = NULL;
	ws(s);
	const char *begin = s->p + 1;
	if (scan_string(s, NULL, NULL) < 0)
		return -1;
	*kb = begin;
	*kl = (size_t)(s->p - 1 - begin);
	if (!memchr(begin, '\\', *kl))
		return 0;
	s->p = begin - 1;
	if (scan_string(s, owned, kl) < 0)
		return -1;
	*kb = *owned;
	return 0;
}

static int key_is(const char *kb, size_t kl, const char *word)
{
	return strlen(word) == kl && memcmp(kb, word, kl) == 0;
}

/* Refuse what jansson refuses: integers beyond int64, reals beyond double.
 * Cheap for the common case: only long digit runs and exponents are
 * converted. */
static int range_ok(struct scan *s, const char *b, size_t n, int integral, int exp)
{
	int neg = *b == '-';
	size_t digits = n - (size_t)neg;
	if (integral) {
		const char *lim = neg ? "9223372036854775808" : "9223372036854775807";
		if (digits > 19 || (digits == 19 && memcmp(b + neg, lim, 19) > 0))
			return fail_at(s, "integer out of range");
		return 0;
	}
	if (!exp && n < 300)
		return 0;
	char *tmp = strndup(b, n);
	if (!tmp)
		return fail_at(s, "out of memory");
	errno = 0;
	double d = strtod(tmp, NULL);
	free(tmp);
	if (errno == ERANGE && (d > 1 || d < -1))
		return fail_at(s, "real out of range");
	return 0;
}

/* A number's span; *integral when it has no fraction and no exponent. */
static int scan_number(struct scan *s, const char **b, size_t *n, int *integral)
{
	const char *p = s->p;
	*b = p;
	*integral = 1;
	if (p < s->end && *p == '-')
		p++;
	if (p >= s->end || *p < '0' || *p > '9')
		return fail_at(s, "bad number");
	if (*p == '0')
		p++;
	else
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	if (p < s->end && *p == '.') {
		*integral = 0;
		p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return fail_at(s, "bad number");
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	int exp = 0;
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		*integral = 0;
		exp = 1;
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || *p < '0' || *p > '9')
			return fail_at(s, "bad number");
		while (p < s->end && *p >= '0' && *p <= '9')
			p++;
	}
	*n = (size_t)(p - *b);
	s->p = p;
	return range_ok(s, *b, *n, *integral, exp);
}

static json_t *number_value(struct scan *s, const char *b, size_t n, int integral)
{
	char tmp[64];
	if (n >= sizeof tmp) {
		fail_at(s, "number too long");
		return NULL;
	}
	memcpy(tmp, b, n);
	tmp[n] = 0;
	errno = 0;
	if (integral) {
		long long v = strtoll(tmp, NULL, 10);
		if (errno) {
			fail_at(s, "integer out of range");
			return NULL;
		}
		return json_integer(v);
	}
	double d = strtod(tmp, NULL);
	if (errno == ERANGE && (d > 1 || d < -1)) {
		fail_at(s, "real out of range");
		return NULL;
	}
	return json_real(d);
}

static int literal(struct scan *s, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail_at(s, "unexpected character");
	s->p += n;
	return 0;
}

/* Validate one value; with out, build it.  */
static int scan_value(struct scan *s, json_t **out);

static int scan_array(struct scan *s, json_t **out)
{
	s->p++; /* [ */
	if (++s->depth > s->max_depth)
		return fail_at(s, "nested too deep");
	json_t *a = out ? json_array() : NULL;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		s->depth--;
		if (out)
			*out = a;
		return 0;
	}
	for (;;) {
		json_t *v = NULL;
		if (scan_value(s, out ? &v : NULL) < 0) {
			json_decref(a);
			return -1;
		}
		if (a && json_array_append_new(a, v) < 0) {
			json_decref(a);
			return fail_at(s, "out of memory");
		}
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			break;
		}
		json_decref(a);
		return fail_at(s, "expected ',' or ']'");
	}
	s->depth--;
	if (out)
		*out = a;
	return 0;
}

static int scan_object(struct scan *s, json_t **out)
{
	s->p++; /* { */
	if (++s->depth > s->max_depth)
		return fail_at(s, "nested too deep");
	json_t *o = out ? json_object() : NULL;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		if (out)
			*out = o;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen = 0;
		json_t *v = NULL;
		if (scan_string(s, out ? &key : NULL, &klen) < 0 || expect(s, ':') < 0 ||
		    scan_value(s, out ? &v : NULL) < 0) {
			free(key);
			json_decref(o);
			return -1;
		}
		if (o) {
			int bad = memchr(key, 0, klen) != NULL;
			key[klen] = 0;
			if (bad || json_object_set_new(o, key, v) < 0) {
				free(key);
				json_decref(o);
				return fail_at(s, "bad key");
			}
		}
		free(key);
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			break;
		}
		json_decref(o);
		return fail_at(s, "expected ',' or '}'");
	}
	s->depth--;
	if (out)
		*out = o;
	return 0;
}

static int scan_value(struct scan *s, json_t **out)
{
	ws(s);
	if (s->p >= s->end)
		return fail_at(s, "unexpected end");
	switch (*s->p) {
	case '{':
		return scan_object(s, out);
	case '[':
		return scan_array(s, out);
	case '"': {
		char *str = NULL;
		size_t n = 0;
		if (scan_string(s, out ? &str : NULL, &n) < 0)
			return -1;
		if (out) {
			*out = json_stringn(str, n);
			free(str);
			if (!*out)
				return fail_at(s, "bad string");
		}
		return 0;
	}
	case 't':
		if (literal(s, "true") < 0)
			return -1;
		if (out)
			*out = json_true();
		return 0;
	case 'f':
		if (literal(s, "false") < 0)
			return -1;
		if (out)
			*out = json_false();
		return 0;
	case 'n':
		if (literal(s, "null") < 0)
			return -1;
		if (out)
			*out = json_null();
		return 0;
	default: {
		const char *b;
		size_t n;
		int integral;
		if (scan_number(s, &b, &n, &integral) < 0)
			return -1;
		if (out && !(*out = number_value(s, b, n, integral)))
			return -1;
		return 0;
	}
	}
}

static int kept(const char *key, size_t n)
{
	/* kept keys are 2 to 11 bytes: most keys fail on length or first byte */
	if (n < 2 || n > 11)
		return 0;
	for (size_t i = 0; i < sizeof kept_keys / sizeof kept_keys[0]; i++)
		if (kept_keys[i][0] == key[0] && strlen(kept_keys[i]) == n &&
		    memcmp(kept_keys[i], key, n) == 0)
			return 1;
	return 0;
}

/* Traits: ids, or objects naming one in traitID; only the ids are kept. */
static json_t *reduce_traits(json_t *traits)
{
	if (!json_is_array(traits))
		return traits;
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(traits, i, t) {
		json_t *id = json_is_object(t) ? json_object_get(t, "traitID") : t;
		if (id)
			json_array_append(out, id);
	}
	json_decref(traits);
	return out;
}

/* A battle plan only matters as "on" or "off": keep its truth, not its
 * body (mirror.c's battle_on() reads null, false, strings and the rest). */
static json_t *reduce_battle(json_t *plan)
{
	if (json_is_null(plan) || json_is_false(plan) || json_is_string(plan))
		return plan;
	json_decref(plan);
	return json_true();
}

/* What the mirror does with a class: world and fleet are reduced, the
 * classes it merges otherwise are kept whole, the rest (region, selection,
 * unknown ones) is dropped here as mirror_merge() would ignore it. */
static int class_use(const char *c, size_t n)
{
	static const char *const whole[] = {"update", "history", "sovereign",
					    "destroyedSpaceObject", "battlePlan",
					    "relationship", "siege"};
	if (key_is(c, n, "world") || key_is(c, n, "fleet"))
		return 2;
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
		if (key_is(c, n, whole[i]))
			return 1;
	return 0;
}

/* One top-level element.  Objects are read key by key; a world or fleet
 * keeps only the fields the mirror reads, other classes are kept whole. */
static int scan_element(struct scan *s, json_t *list)
{
	ws(s);
	const char *begin = s->p;
	if (s->p >= s->end || *s->p != '{') {
		if (scan_value(s, NULL) < 0)
			return -1;
		return 0; /* not an object: nothing the mirror could use */
	}
	/* first pass: validate, and find the class */
	int d0 = s->depth;
	if (scan_object(s, NULL) < 0)
		return -1;
	const char *after = s->p;
	s->depth = d0;
	/* the class: a second look at the top-level keys only */
	struct scan k = *s;
	k.p = begin + 1;
	k.end = after;
	enum { DROP, WHOLE, REDUCE } how = DROP;
	for (;;) {
		const char *kb;
		size_t kl;
		char *owned;
		ws(&k);
		if (k.p >= k.end || *k.p == '}')
			break;
		if (scan_key(&k, &kb, &kl, &owned) < 0 || expect(&k, ':') < 0) {
			free(owned);
			break;
		}
		int is_class = key_is(kb, kl, "class");
		free(owned);
		ws(&k);
		if (is_class && k.p < k.end && *k.p == '"') {
			if (scan_key(&k, &kb, &kl, &owned) == 0)
				how = class_use(kb, kl);
			free(owned);
			break;
		}
		if (scan_value(&k, NULL) < 0)
			break;
		ws(&k);
		if (k.p < k.end && *k.p == ',')
			k.p++;
	}
	if (how == DROP)
		return 0;
	json_t *obj;
	if (how == WHOLE) {
		json_error_t je;
		obj = json_loadb(begin, (size_t)(after - begin), 0, &je);
		if (!obj)
			return fail_at(s, je.text);
		json_array_append_new(list, obj);
		return 0;
	}
	obj = json_object();
	k.p = begin + 1;
	for (;;) {
		const char *kb;
		size_t kl;
		char *owned;
		ws(&k);
		if (k.p >= k.end || *k.p == '}')
			break;
		if (scan_key(&k, &kb, &kl, &owned) < 0 || expect(&k, ':') < 0) {
			free(owned);
			json_decref(obj);
			return fail_at(s, "bad key");
		}
		json_t *v = NULL;
		int keep = kept(kb, kl);
		if (scan_value(&k, keep ? &v : NULL) < 0) {
			free(owned);
			json_decref(obj);
			return fail_at(s, "bad value");
		}
		if (keep) {
			if (key_is(kb, kl, "traits"))
				v = reduce_traits(v);
			else if (key_is(kb, kl, "battlePlan"))
				v = reduce_battle(v);
			char name[16]; /* kept keys are short */
			memcpy(name, kb, kl);
			name[kl] = 0;
			json_object_set_new(obj, name, v);
		}
		free(owned);
		ws(&k);
		if (k.p < k.end && *k.p == ',')
			k.p++;
	}
	json_array_append_new(list, obj);
	return 0;
}

json_t *mirror_scan_answer(const char *buf, size_t len, int max_depth, char *err,
			   size_t errlen)
{
	struct scan s = {.p = buf, .end = buf + len, .start = buf,
			 .max_depth = max_depth > 0 ? max_depth : 1 << 30,
			 .err = err, .errlen = errlen};
	ws(&s);
	if (s.p >= s.end || *s.p != '[') {
		/* not a list: let the caller see why */
		if (scan_value(&s, NULL) == 0)
			snprintf(err, errlen, "answer is not a list of objects");
		return NULL;
	}
	s.p++;
	s.depth = 1;
	json_t *list = json_array();
	ws(&s);
	if (s.p < s.end && *s.p == ']') {
		s.p++;
	} else {
		for (;;) {
			if (scan_element(&s, list) < 0) {
				json_decref(list);
				return NULL;
			}
			ws(&s);
			if (s.p < s.end && *s.p == ',') {
				s.p++;
				continue;
			}
			if (s.p < s.end && *s.p == ']') {
				s.p++;
				break;
			}
			fail_at(&s, "expected ',' or ']'");
			json_decref(list);
			return NULL;
		}
	}
	ws(&s);
	if (s.p != s.end) {
		fail_at(&s, "text after the answer");
		json_decref(list);
		return NULL;
	}
	return list;
}
