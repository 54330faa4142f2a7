/* mirror_scan.c -- see mirror_scan.h.  Owns no state between calls; must
 * not interpret game semantics: which classes and keys to keep, and how to
 * read each, is mirror_fields.h's table; the merge rules stay in mirror.c.
 *
 * A recursive-descent validator over the text, in one pass, with two modes
 * per value: skip (validate only) or build.  The common shapes go fast
 * ways first, each of which gives up (the text unread) at anything it is
 * not sure of, and then the general reader reads it with its checks and
 * its error: a value skipped in one loop (quick_skip()), a key read in
 * place (scan_key()), or not even searched when it is the key met at the
 * same place of the previous object (memo_key()), a short number in one
 * pass (plain_num()), an id list eight digits at a time, each id after two
 * of one layout (digits, comma, space) with one test of its word
 * (plain_ints()), strings searched eight bytes at a time (plain_run()).  The small steps called once per value
 * or per member (opening, the next comma, a key, a number, a skip, a
 * packed slot) are marked inline: a call costs as much as their work.
 * A top-level object is read
 * key by key, keeping only the fields a world, fleet or sovereign keeps,
 * as flat values in the answer's arrays (struct mirror_scan_value; a
 * value of another shape as the jansson value it is); its class is known
 * at its end (keys come in any order), and then a reduced class keeps
 * what was read, a class merged whole is handed to jansson from its span,
 * and any other is dropped (its values rolled back).
 * Numbers are converted here: integers and short decimals exactly as
 * strtoll/strtod would, the rest by strtod. */
#include "mirror_scan.h"
#include "mirror_fields.h"
#include "array.h"
#include "textbuf.h"

#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys a reduced class keeps (its rows, and every object's class and
 * id), one row per key, by length: keys of n bytes are rows[start[n]] up
 * to rows[start[n + 1]].  Built from the table for each answer. */
struct kept {
	const struct mirror_field *rows[MIRROR_NFIELDS];
	unsigned char num[MIRROR_NFIELDS]; /* the key number of rows[i] */
	unsigned short start[MIRROR_KEY_MAX + 2];
	/* the rows of each inner class (a trait's, a trade route's) */
	const struct mirror_field *inner[MIRROR_NCLASSES][MIRROR_NFIELDS];
	size_t ninner[MIRROR_NCLASSES];
};

/* Keys repeat: the objects of a class carry the same keys in the same
 * order.  What was decided of the key at the same place of the last object
 * read in the same context (a top-level object, a trait, a trade route) is
 * kept with its text in the answer; a key whose bytes, with the `":` after
 * them, are those is the same key (its text was a valid string without
 * escapes, and so is this one), read without a search (memo_key()). */
struct key_memo {
	const char *text; /* the key after its quote, followed by `":`; NULL: none */
	size_t len;
	int row;          /* the decision: top level, a row of mirror_fields[];
			   * inner, a place among its class's rows; -1 none */
	unsigned num;     /* top level: the key's number */
	/* the text from the opening quote to the colon as three words and the
	 * bytes of each it covers, when they hold it (a key of up to 21
	 * bytes, most); else mask[0] is 0 */
	uint64_t word[3], mask[3];
};
#define MEMO_KEYS 32 /* members of an object with a memo; the rest search */

struct scan {
	const char *p, *end, *start;
	int depth, max_depth;
	char *err;
	size_t errlen;
	int failed;
	char *scratch; /* decoded escaped strings; reused, freed at the end */
	size_t scratch_cap;
	json_t **small; /* shared values of small integers (NULL until one) */
	size_t small_hi; /* entries below it may be set */
	int64_t *ints; /* a list of integers being read; reused, freed at the end */
	size_t ints_cap; /* in values */
	char *pack; /* packed traits or trade routes being read; reused */
	size_t pack_cap;
	struct kept kept;
	struct key_memo memo_top[MEMO_KEYS];
	/* a trait's, a trade route's (next_member()): only these, the scan
	 * zeroes them all at its start */
	struct key_memo memo_inner[2][MEMO_KEYS];
	struct mirror_scanned *a; /* what is being built */
	size_t arena_len, arena_cap;
};

/* Ids of resources and traits repeat in every world: one shared value per
 * small integer saves most allocations of a load (the answer is only read,
 * never changed, so sharing is invisible to the merge). */
#define SMALL_INTS 4096

/* Bytes that stand for themselves inside a string: printable ASCII but the
 * quote and the backslash.  Anything else takes the slow path. */
#define PLAIN(c) ((c) >= 0x20 && (c) < 0x80 && (c) != '"' && (c) != '\\')
#define PLAIN4(c) PLAIN(c), PLAIN(c + 1), PLAIN(c + 2), PLAIN(c + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4(c + 4), PLAIN4(c + 8), PLAIN4(c + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16(c + 16), PLAIN16(c + 32), PLAIN16(c + 48)
static const unsigned char plain_byte[256] = {PLAIN64(0), PLAIN64(64), PLAIN64(128),
					      PLAIN64(192)};

static int fail_at(struct scan *s, const char *what)
{
	if (!s->failed)
		snprintf(s->err, s->errlen, "invalid JSON at byte %zu: %s",
			 (size_t)(s->p - s->start), what);
	s->failed = 1;
	return -1;
}

static inline void ws(struct scan *s)
{
	/* most calls find a token right away: one comparison for them */
	if (s->p < s->end && (unsigned char)*s->p > ' ')
		return;
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

/* One escape after its backslash: its code point in *cp. */
static int read_escape(struct scan *s, unsigned *cp)
{
	if (s->p >= s->end)
		return fail_at(s, "unterminated escape");
	switch (*s->p++) {
	case '"': *cp = '"'; return 0;
	case '\\': *cp = '\\'; return 0;
	case '/': *cp = '/'; return 0;
	case 'b': *cp = '\b'; return 0;
	case 'f': *cp = '\f'; return 0;
	case 'n': *cp = '\n'; return 0;
	case 'r': *cp = '\r'; return 0;
	case 't': *cp = '\t'; return 0;
	case 'u': break;
	default: return fail_at(s, "bad escape");
	}
	if (read_hex4(s, cp) < 0)
		return -1;
	if (*cp >= 0xd800 && *cp <= 0xdbff) {
		unsigned lo;
		if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
			return fail_at(s, "lone surrogate");
		s->p += 2;
		if (read_hex4(s, &lo) < 0)
			return -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail_at(s, "bad surrogate pair");
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (*cp >= 0xdc00 && *cp <= 0xdfff) {
		return fail_at(s, "lone surrogate");
	}
	if (*cp == 0)
		return fail_at(s, "\\u0000 in a string");
	return 0;
}

/* Integers' digits eight at a time where the machine allows it (plain_int()):
 * little-endian words read with memcpy (no alignment needed), and a count
 * of trailing zeros.  A watch's delta is mostly lists of 7-digit fleet ids. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#define ONES UINT64_C(0x0101010101010101)

static inline uint64_t word_at(const char *p)
{
	uint64_t x;
	memcpy(&x, p, sizeof x);
	return x;
}

/* A flag byte for each of the eight bytes of x that is not an ASCII digit,
 * found by its high nibble, or by adding 6 to it.  Exact up to the first
 * non-digit (a carry out of a byte only reaches later bytes), and for
 * every byte of text without a byte of 0xfa or more before it. */
static inline uint64_t non_digits(uint64_t x)
{
	return ((x & (ONES * 0xf0)) | (((x + ONES * 6) & (ONES * 0xf0)) >> 4)) ^ (ONES * 0x33);
}

/* The value of the digits held as bytes of 0 to 9 in the top bytes of x
 * (the bytes below them 0): pairs, then fours, then the eight, each step
 * one multiply. */
static inline uint64_t digit_bytes_value(uint64_t x)
{
	x = (x * 2561) >> 8 & UINT64_C(0x00ff00ff00ff00ff);
	x = (x * 6553601) >> 16 & UINT64_C(0x0000ffff0000ffff);
	return (x * UINT64_C(42949672960001)) >> 32;
}

/* The same of ASCII digits in the top bytes of x. */
static inline uint64_t digits_value(uint64_t x)
{
	return digit_bytes_value(x & ONES * 0x0f);
}

/* The first byte of eight at p that does not stand for itself in a string
 * (a quote, a backslash, a control character, a byte of 0x80 or more), as
 * an index; 8 when all do.  Each test may also flag bytes after the first
 * true one (a borrow runs upwards), never before it, so the lowest flag is
 * exact. */
static inline size_t plain8(const char *p)
{
	uint64_t x = word_at(p), hi = ONES * 0x80;
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
	uint64_t odd = (((q - ONES) & ~q) | ((b - ONES) & ~b) | (x - ONES * 0x20) | x) & hi;
	return odd ? (size_t)__builtin_ctzll(odd) / 8 : 8;
}
#else
#define SWAR 0
#endif

/* The first byte from p on (before end) that does not stand for itself in
 * a string; end when there is none. */
static inline const char *plain_run(const char *p, const char *end)
{
#if SWAR
	while (end - p >= 8) {
		size_t n = plain8(p);
		if (n < 8)
			return p + n;
		p += 8;
	}
#endif
	while (p < end && plain_byte[(unsigned char)*p])
		p++;
	return p;
}

/* The body of a string after its opening quote, up to and past the
 * closing one.  With o, the decoded text is written there (never longer
 * than the escaped text) and *o moves past it.  1: it had escapes. */
static int string_body(struct scan *s, char **o)
{
	int escaped = 0;
	const char *end = s->end;
	for (;;) {
		/* locals: stores through *o may alias s */
		const char *p = s->p, *q = plain_run(p, end);
		if (o) {
			memcpy(*o, p, (size_t)(q - p));
			*o += q - p;
		}
		s->p = q;
		if (q >= end)
			return fail_at(s, "unterminated string");
		unsigned char c = (unsigned char)*q;
		if (c == '"') {
			s->p++;
			return escaped;
		}
		if (c < 0x20)
			return fail_at(s, "control character in a string");
		if (c == '\\') {
			unsigned cp;
			s->p++;
			if (read_escape(s, &cp) < 0)
				return -1;
			if (o)
				put_utf8(o, cp);
			escaped = 1;
			continue;
		}
		int n = (int)utf8_seq_len((const unsigned char *)q, (size_t)(end - q));
		if (!n)
			return fail_at(s, "invalid UTF-8");
		if (o) {
			memcpy(*o, q, (size_t)n);
			*o += n;
		}
		s->p += n;
	}
}

/* A string at s->p (the opening quote).  With text, its decoded bytes:
 * the raw text when it has no escape (no copy), else the scan's scratch
 * buffer, valid until the next string is read. */
static int scan_string(struct scan *s, const char **text, size_t *len)
{
	ws(s);
	if (s->p >= s->end || *s->p != '"')
		return fail_at(s, "expected a string");
	const char *begin = ++s->p;
	int escaped = string_body(s, NULL);
	if (escaped < 0 || !text)
		return escaped < 0 ? -1 : 0;
	size_t raw = (size_t)(s->p - 1 - begin);
	if (!escaped) {
		*text = begin;
		*len = raw;
		return 0;
	}
	/* rare: decode in a second walk over the text just validated */
	if (raw + 1 > s->scratch_cap) {
		char *nb = realloc(s->scratch, raw + 1);
		if (!nb)
			return fail_at(s, "out of memory");
		s->scratch = nb;
		s->scratch_cap = raw + 1;
	}
	char *o = s->scratch;
	s->p = begin;
	string_body(s, &o);
	*text = s->scratch;
	*len = (size_t)(o - s->scratch);
	return 0;
}

/* An object's key and its colon.  The common key (plain bytes, the colon
 * right after the closing quote) is read in place; any other goes the
 * way of every string.  With kb, the key's text as scan_string() gives
 * it. */
static inline int scan_key(struct scan *s, const char **kb, size_t *kl)
{
	ws(s);
	const char *p = s->p, *end = s->end;
	if (p < end && *p == '"') {
		const char *q = plain_run(p + 1, end);
		if (end - q >= 2 && q[0] == '"' && q[1] == ':') {
			if (kb) {
				*kb = p + 1;
				*kl = (size_t)(q - p - 1);
			}
			s->p = q + 2;
			return 0;
		}
	}
	return scan_string(s, kb, kl) < 0 || expect(s, ':') < 0 ? -1 : 0;
}

/* Whether a key (kl bytes at kb) is a row's: length and first byte first,
 * which most keys fail. */
static int key_is_row(const char *kb, size_t kl, const struct mirror_field *f)
{
	return kl == f->key_len && kl && kb[0] == f->key[0] && memcmp(kb, f->key, kl) == 0;
}

/* Whether the scanner keeps a row's key in the objects it reduces. */
static int kept_row(const struct mirror_field *f)
{
	return f->cls == MIRROR_C_any || mirror_class_use(f->cls) == MIRROR_USE_REDUCE;
}

/* The first kept row of each key, ordered by key length (a counting sort),
 * and the keys' numbers in the answer (the order of their first rows).  A
 * key is read the same way in every class that keeps it (the table's test
 * checks), so one row per key says how. */
static void kept_init(struct kept *k, struct mirror_scanned *a)
{
	const struct mirror_field *uniq[MIRROR_NFIELDS];
	unsigned short count[MIRROR_KEY_MAX + 2] = {0};
	size_t n = 0;
	memset(a->key_of, MIRROR_SCAN_NO_KEY, sizeof a->key_of);
	for (size_t i = 0; i < MIRROR_NFIELDS; i++) {
		const struct mirror_field *f = &mirror_fields[i];
		if (!kept_row(f))
			continue;
		size_t j = 0;
		while (j < n && !key_is_row(f->key, f->key_len, uniq[j]))
			j++;
		a->key_of[i] = (unsigned char)j;
		if (j < n)
			continue;
		uniq[n++] = f;
		count[f->key_len + 1]++;
	}
	memcpy(a->key_row, uniq, n * sizeof *uniq);
	a->nkeys = (unsigned)n;
	k->start[0] = 0;
	for (size_t len = 1; len <= MIRROR_KEY_MAX + 1; len++)
		k->start[len] = (unsigned short)(k->start[len - 1] + count[len]);
	unsigned short next[MIRROR_KEY_MAX + 1];
	memcpy(next, k->start, sizeof next);
	for (size_t j = 0; j < n; j++) {
		k->num[next[uniq[j]->key_len]] = (unsigned char)j;
		k->rows[next[uniq[j]->key_len]++] = uniq[j];
	}
	for (size_t i = 0; i < MIRROR_NFIELDS; i++) {
		const struct mirror_field *f = &mirror_fields[i];
		if (mirror_class_use(f->cls) == MIRROR_USE_INNER && f->cls != MIRROR_C_any)
			k->inner[f->cls][k->ninner[f->cls]++] = f;
	}
}

/* The row of a kept key and its number in *num, or NULL: most keys fail on
 * length or first byte. */
static const struct mirror_field *kept(const struct scan *s, const char *key, size_t n,
				       unsigned *num)
{
	if (n > MIRROR_KEY_MAX)
		return NULL;
	for (unsigned i = s->kept.start[n]; i < s->kept.start[n + 1]; i++) {
		const struct mirror_field *f = s->kept.rows[i];
		if (f->key[0] == key[0] && memcmp(f->key, key, n) == 0) {
			*num = s->kept.num[i];
			return f;
		}
	}
	return NULL;
}

/* Whether the n bytes at a and at b are the same; whole words are read
 * (n rounded up to 8 bytes must be readable at both). */
static inline int same_run(const char *a, const char *b, size_t n)
{
#if SWAR
	for (; n >= 8; a += 8, b += 8, n -= 8)
		if (word_at(a) != word_at(b))
			return 0;
	return !n || ((word_at(a) ^ word_at(b)) & ((UINT64_C(1) << (8 * n)) - 1)) == 0;
#else
	return memcmp(a, b, n) == 0;
#endif
}

/* The key at s->p (its opening quote next) when it is memo's: 1 with s->p
 * past its colon and the key in *kb, *kl; else 0, s->p unchanged.  Three
 * words compared under masks, without a branch, while 24 bytes remain. */
static inline int memo_key(struct scan *s, const struct key_memo *m, const char **kb,
			   size_t *kl)
{
	ws(s);
	const char *p = s->p;
	size_t n = m->len + 2; /* the key, its closing quote and the colon */
#if SWAR
	if (m->mask[0] && s->end - p >= 24) {
		if (((word_at(p) ^ m->word[0]) & m->mask[0]) |
		    ((word_at(p + 8) ^ m->word[1]) & m->mask[1]) |
		    ((word_at(p + 16) ^ m->word[2]) & m->mask[2]))
			return 0;
	} else
#endif
	if (!m->text || p >= s->end || *p != '"' ||
	    (size_t)(s->end - p - 1) < ((n + 7) & ~(size_t)7) || !same_run(p + 1, m->text, n))
		return 0;
	*kb = p + 1;
	*kl = m->len;
	s->p = p + 1 + n;
	return 1;
}

/* Remember what was decided of a key just read (kl bytes at kb), when it
 * lies in the answer right before `":` (and so right after its quote). */
static inline void memo_put(const struct scan *s, struct key_memo *m, const char *kb,
			    size_t kl, int row, unsigned num)
{
	if (kb == s->scratch || (size_t)(s->end - kb) < kl + 2 || kb[kl] != '"' || kb[kl + 1] != ':')
		return;
	*m = (struct key_memo){kb, kl, row, num, {0}, {0}};
#if SWAR
	char text[24] = {0};
	size_t n = kl + 3;
	if (n > sizeof text)
		return;
	memcpy(text, kb - 1, n);
	for (size_t i = 0; i < 3; i++) {
		size_t bytes = n > 8 * i ? n - 8 * i : 0;
		m->word[i] = word_at(text + 8 * i);
		m->mask[i] = bytes >= 8 ? UINT64_MAX : (UINT64_C(1) << 8 * bytes) - 1;
	}
#endif
}

/* Inner objects (traits, trade routes) leave keys out: a trait names
 * isPrimary only when it is primary.  Their memo is the union of the keys
 * met, in order: a key is looked for at the place the object has reached
 * and at the next one (the previous object had a key there that this one
 * lacks); a key found in neither is put at that place, the places after
 * it moving one on (the last is dropped).  So the objects of a list meet
 * each key where the memo has it, whichever optional keys each carries. */
static inline const struct key_memo *memo_find(struct scan *s, struct key_memo *mm,
					       unsigned *at, const char **kb, size_t *kl)
{
	for (unsigned i = *at; i < *at + 2 && i < MEMO_KEYS; i++) {
		if (memo_key(s, &mm[i], kb, kl)) {
			*at = i + 1;
			return &mm[i];
		}
	}
	return NULL;
}

static void memo_learn(const struct scan *s, struct key_memo *mm, unsigned *at,
		       const char *kb, size_t kl, int row)
{
	unsigned i = *at;
	struct key_memo m = {0};
	if (i >= MEMO_KEYS)
		return;
	*at = i + 1;
	memo_put(s, &m, kb, kl, row, 0);
	if (!m.text)
		return;
	memmove(&mm[i + 1], &mm[i], (MEMO_KEYS - 1 - i) * sizeof *mm);
	mm[i] = m;
}

/* --- numbers ------------------------------------------------------------- */

/* m / 10^k is exact for m <= 2^53 and k <= 22 when doubles are evaluated
 * as doubles: both operands are exact, so IEEE division rounds once, as
 * strtod does. */
#if FLT_EVAL_METHOD == 0
#define FAST_REALS 1
#else
#define FAST_REALS 0
#endif
static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A number's parts, as read by scan_number(). */
struct num {
	const char *b;       /* its text */
	size_t n;
	int neg, exp;
	const char *ib, *fb; /* integer digits and fraction digits */
	size_t ni, nf;
};

static const char *digit_run(const char *p, const char *end)
{
	while (p < end && (unsigned)(*p - '0') < 10)
		p++;
	return p;
}

/* The integer and fraction digits as one integer; at most 19 digits. */
static uint64_t mantissa(const struct num *x)
{
	uint64_t m = 0;
	for (size_t i = 0; i < x->ni; i++)
		m = m * 10 + (unsigned)(x->ib[i] - '0');
	for (size_t i = 0; i < x->nf; i++)
		m = m * 10 + (unsigned)(x->fb[i] - '0');
	return m;
}

/* Refuse what jansson refuses: reals beyond double.  strtod wants a
 * terminated copy; numbers that long are rare. */
static int slow_real(struct scan *s, const struct num *x, double *d)
{
	char small[64], *tmp = small;
	if (x->n >= sizeof small && !(tmp = malloc(x->n + 1)))
		return fail_at(s, "out of memory");
	memcpy(tmp, x->b, x->n);
	tmp[x->n] = 0;
	errno = 0;
	*d = strtod(tmp, NULL);
	int range = errno == ERANGE && (*d > 1 || *d < -1);
	if (tmp != small)
		free(tmp);
	return range ? fail_at(s, "real out of range") : 0;
}

static int integer_value(struct scan *s, const struct num *x, json_t **out)
{
	/* JSON has no leading zeros: the digit count is the magnitude, and
	 * 19 digits still fit in 64 unsigned bits */
	uint64_t lim = (uint64_t)INT64_MAX + (uint64_t)x->neg;
	if (x->ni > 19)
		return fail_at(s, "integer out of range");
	if (!out && x->ni < 19)
		return 0;
	uint64_t m = mantissa(x);
	if (m > lim)
		return fail_at(s, "integer out of range");
	if (!out)
		return 0;
	int64_t v = x->neg ? (m == lim ? INT64_MIN : -(int64_t)m) : (int64_t)m;
	if (v < 0 || v >= SMALL_INTS) {
		if (!(*out = json_integer(v)))
			return fail_at(s, "out of memory");
		return 0;
	}
	if (!s->small && !(s->small = calloc(SMALL_INTS, sizeof *s->small)))
		return fail_at(s, "out of memory");
	if (!s->small[v] && !(s->small[v] = json_integer(v)))
		return fail_at(s, "out of memory");
	if ((size_t)v >= s->small_hi)
		s->small_hi = (size_t)v + 1;
	*out = json_incref(s->small[v]);
	return 0;
}

/* A real's value, as strtod() (and so jansson) reads it. */
static int real_of(struct scan *s, const struct num *x, double *d)
{
	uint64_t m;
	if (FAST_REALS && !x->exp && x->ni + x->nf <= 19 && x->nf <= 22 &&
	    (m = mantissa(x)) <= (UINT64_C(1) << 53)) {
		*d = (double)m / pow10_exact[x->nf];
		if (x->neg)
			*d = -*d;
		return 0;
	}
	return slow_real(s, x, d);
}

static int real_value(struct scan *s, const struct num *x, json_t **out)
{
	double d;
	if (!out) {
		/* only exponents can take a plain decimal shorter than 300
		 * bytes out of range */
		return x->exp || x->n >= 300 ? slow_real(s, x, &d) : 0;
	}
	if (real_of(s, x, &d) < 0)
		return -1;
	if (!(*out = json_real(d)))
		return fail_at(s, "out of memory");
	return 0;
}

/* A number's text at s->p split into its parts; 1 when it is integral. */
static int read_num(struct scan *s, struct num *xp)
{
	struct num x = {.b = s->p};
	const char *p = s->p, *end = s->end;
	if (p < end && *p == '-') {
		x.neg = 1;
		p++;
	}
	x.ib = p;
	/* a lone zero, or digits not starting with one */
	p = p < end && *p == '0' ? p + 1 : digit_run(p, end);
	if (p == x.ib)
		return fail_at(s, "bad number");
	x.ni = (size_t)(p - x.ib);
	int integral = 1;
	if (p < end && *p == '.') {
		integral = 0;
		x.fb = ++p;
		p = digit_run(p, end);
		if (p == x.fb)
			return fail_at(s, "bad number");
		x.nf = (size_t)(p - x.fb);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		integral = 0;
		x.exp = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		const char *e = p;
		if ((p = digit_run(p, end)) == e)
			return fail_at(s, "bad number");
	}
	x.n = (size_t)(p - x.b);
	s->p = p;
	*xp = x;
	return integral;
}

static int scan_number(struct scan *s, json_t **out)
{
	struct num x;
	int integral = read_num(s, &x);
	if (integral < 0)
		return -1;
	return integral ? integer_value(s, &x, out) : real_value(s, &x, out);
}

/* An integer's value, range-checked as integer_value() checks it. */
static int integer_of(struct scan *s, const struct num *x, int64_t *v)
{
	uint64_t lim = (uint64_t)INT64_MAX + (uint64_t)x->neg;
	uint64_t m;
	if (x->ni > 19 || (m = mantissa(x)) > lim)
		return fail_at(s, "integer out of range");
	*v = x->neg ? (m == lim ? INT64_MIN : -(int64_t)m) : (int64_t)m;
	return 0;
}

/* A number in its common form, read in one pass: an optional minus, 1 to
 * 18 digits in all, no leading zero, an optional fraction, followed by
 * neither a digit nor an exponent (nor a fraction after the integer's
 * digits when frac is 0).  Returns 1 with s->p past it, its digits as one
 * integer in *m and the count of fraction digits in *nf; or 0 with s->p
 * unchanged, and then read_num() reads it (or refuses it) as for any
 * number.  Most numbers of an answer are these (every world lists the
 * fleets stationed there, every trait its allocations): read_num() and
 * mantissa() walk the digits twice and cost about three times as much. */
static inline int plain_num(struct scan *s, int frac, uint64_t *mp, size_t *nf, int *negp)
{
	const char *p = s->p, *end = s->end;
	int neg = p < end && *p == '-';
	p += neg;
	const char *b = p, *lim = end - p > 19 ? p + 19 : end;
	uint64_t m = 0;
	unsigned c;
	/* byte by byte: most are short (an allocation, a coordinate); the
	 * id lists, where eight at a time pays, have a way of their own */
	while (p < lim && (c = (unsigned)(*p - '0')) < 10) {
		m = m * 10 + c;
		p++;
	}
	size_t nd = (size_t)(p - b);
	if (nd == 0 || nd > 18 || (nd > 1 && *b == '0'))
		return 0;
	*nf = 0;
	if (frac && p < end && *p == '.') {
		const char *f = ++p;
		lim = end - b > 19 ? b + 20 : end; /* 19 digits and the point */
		while (p < lim && (c = (unsigned)(*p - '0')) < 10) {
			m = m * 10 + c;
			p++;
		}
		*nf = (size_t)(p - f);
		if (!*nf || nd + *nf > 18)
			return 0;
	}
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E' || (unsigned)(*p - '0') < 10))
		return 0;
	*mp = m;
	*negp = neg;
	s->p = p;
	return 1;
}

/* An integer in the common form of plain_num() (such a value always fits
 * in int64_t): 1 with *v set, or 0 with s->p unchanged. */
static inline int plain_int(struct scan *s, int64_t *v)
{
	uint64_t m;
	size_t nf;
	int neg;
	if (!plain_num(s, 0, &m, &nf, &neg))
		return 0;
	*v = neg ? -(int64_t)m : (int64_t)m;
	return 1;
}

/* A number in the common form of plain_num() whose value real_of() would
 * compute exactly as a double: 1 with *d set and *integral telling whether
 * it was written as an integer, or 0 with s->p unchanged. */
static inline int plain_real(struct scan *s, double *d, int *integral)
{
	const char *b = s->p;
	uint64_t m;
	size_t nf;
	int neg;
	if (!plain_num(s, FAST_REALS, &m, &nf, &neg))
		return 0;
	if (m > (UINT64_C(1) << 53)) {
		s->p = b;
		return 0;
	}
	*integral = nf == 0;
	if (*integral) {
		/* as (double) of integer_of()'s value: "-0" is 0 */
		*d = (double)(neg ? -(int64_t)m : (int64_t)m);
		return 1;
	}
	*d = (double)m / pow10_exact[nf];
	if (neg)
		*d = -*d;
	return 1;
}

/* --- values --------------------------------------------------------------- */

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

/* Steps past an opening bracket.  1: the container was empty and is
 * closed, 0: an element follows, -1: nested too deep. */
static inline int scan_open(struct scan *s, char close)
{
	s->p++;
	if (++s->depth > s->max_depth)
		return fail_at(s, "nested too deep");
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return 1;
	}
	return 0;
}

/* After an element: 1 when a comma announces another, 0 at the closing
 * bracket (stepped past), -1 on anything else. */
static inline int scan_next(struct scan *s, char close)
{
	/* most often the comma, right after the element */
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		return 1;
	}
	ws(s);
	if (s->p < s->end && *s->p == ',') {
		s->p++;
		return 1;
	}
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	char what[32];
	snprintf(what, sizeof what, "expected ',' or '%c'", close);
	return fail_at(s, what);
}

/* Reads one element of an array or one value of an object (after its key,
 * kl bytes at kb, and the colon).  NULL: validate and skip. */
typedef int (*item_fn)(struct scan *s, void *ctx, const char *kb, size_t kl);

/* An array's elements, or with keys an object's members, each handed to
 * fn (or skipped). */
static int scan_items(struct scan *s, int keys, item_fn fn, void *ctx)
{
	char close = keys ? '}' : ']';
	int empty = scan_open(s, close);
	if (empty)
		return empty < 0 ? -1 : 0;
	for (;;) {
		const char *kb = NULL;
		size_t kl = 0;
		if (keys && scan_key(s, fn ? &kb : NULL, &kl) < 0)
			return -1;
		if ((fn ? fn(s, ctx, kb, kl) : scan_value(s, NULL)) < 0)
			return -1;
		int more = scan_next(s, close);
		if (more <= 0) {
			if (more < 0)
				return -1;
			s->depth--;
			return 0;
		}
	}
}

static int build_element(struct scan *s, void *list, const char *kb, size_t kl)
{
	(void)kb, (void)kl;
	json_t *v;
	if (scan_value(s, &v) < 0)
		return -1;
	if (json_array_append_new(list, v) < 0)
		return fail_at(s, "out of memory");
	return 0;
}

static int build_member(struct scan *s, void *obj, const char *kb, size_t kl)
{
	/* kb may be the scratch buffer, which the value's strings reuse */
	char *key = strndup(kb, kl);
	json_t *v;
	if (!key)
		return fail_at(s, "out of memory");
	if (scan_value(s, &v) < 0) {
		free(key);
		return -1;
	}
	int rc = json_object_set_new_nocheck(obj, key, v);
	free(key);
	return rc < 0 ? fail_at(s, "out of memory") : 0;
}

/* A new object (keys) or array, each item handed to fn to add. */
static int build_items(struct scan *s, int keys, item_fn fn, json_t **out)
{
	json_t *c = keys ? json_object() : json_array();
	if (!c)
		return fail_at(s, "out of memory");
	if (scan_items(s, keys, fn, c) < 0) {
		json_decref(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* A container: skipped, or built with its elements appended or set. */
static int scan_container(struct scan *s, int keys, json_t **out)
{
	if (!out)
		return scan_items(s, keys, NULL, NULL);
	return build_items(s, keys, keys ? build_member : build_element, out);
}

static int scan_value(struct scan *s, json_t **out)
{
	ws(s);
	if (s->p >= s->end)
		return fail_at(s, "unexpected end");
	json_t *v;
	switch (*s->p) {
	case '{':
		return scan_container(s, 1, out);
	case '[':
		return scan_container(s, 0, out);
	case '"': {
		const char *str;
		size_t n;
		if (scan_string(s, out ? &str : NULL, &n) < 0)
			return -1;
		if (!out)
			return 0;
		/* validated above: UTF-8 and no NUL */
		v = json_stringn_nocheck(str, n);
		break;
	}
	case 't':
		if (literal(s, "true") < 0)
			return -1;
		v = json_true();
		break;
	case 'f':
		if (literal(s, "false") < 0)
			return -1;
		v = json_false();
		break;
	case 'n':
		if (literal(s, "null") < 0)
			return -1;
		v = json_null();
		break;
	default:
		return scan_number(s, out);
	}
	if (out && !(*out = v))
		return fail_at(s, "out of memory");
	return 0;
}

/* --- values skipped in one pass --------------------------------------------
 *
 * Most of what an object holds and the mirror does not keep is small and
 * plain: numbers, literals, strings of plain text, short lists.  quick_skip()
 * walks such a value in one loop (no call per element, no number
 * converted); at anything it does not know for certain (an escape it does
 * not read, an exponent, a long or malformed number, deep nesting, bad
 * syntax) it gives up and scan_value() reads the value again from its
 * start, with its checks and its error.  So a value is never accepted
 * here that scan_value() refuses. */

static inline const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past a string's closing quote (p after the opening one), or NULL. */
static const char *quick_string(const char *p, const char *end)
{
	for (;;) {
		p = plain_run(p, end);
		if (p >= end)
			return NULL;
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c == '\\') {
			/* the one-letter escapes; \u goes the slow way */
			if (end - p < 2 || !strchr("\"\\/bfnrt", p[1]) || !p[1])
				return NULL;
			p += 2;
			continue;
		}
		size_t n = c >= 0x80 ? utf8_seq_len((const unsigned char *)p, (size_t)(end - p)) : 0;
		if (!n)
			return NULL;
		p += n;
	}
}

/* Past a number of the form -?(0|[1-9][0-9]*)(.[0-9]+)? with fewer than 19
 * integer digits, not followed by a digit or an exponent; or NULL. */
static const char *quick_number(const char *p, const char *end)
{
	p += p < end && *p == '-';
	const char *b = p;
	if (p < end && *p == '0')
		p++;
	else
		p = digit_run(p, end);
	if (p == b || p - b >= 19)
		return NULL;
	if (p < end && *p == '.') {
		const char *f = ++p;
		p = digit_run(p, end);
		if (p == f)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E' || (unsigned)(*p - '0') < 10))
		return NULL;
	return p;
}

/* Past an object's key and its colon (p before the key), or NULL. */
static const char *quick_key(const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (p >= end || *p != '"' || !(p = quick_string(p + 1, end)))
		return NULL;
	p = skip_ws(p, end);
	return p < end && *p == ':' ? p + 1 : NULL;
}

/* Past a scalar at p, or NULL. */
static const char *quick_scalar(const char *p, const char *end)
{
	switch (*p) {
	case '"':
		return quick_string(p + 1, end);
	case 't':
		return end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n':
		return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	default:
		return quick_number(p, end);
	}
}

/* The value at s->p skipped as above: 1 with s->p past it, 0 with s->p
 * unchanged.  Containers nest up to 63 levels here (and never beyond
 * max_depth); open is a bit per level, set for an object. */
static int quick_skip(struct scan *s)
{
	const char *p = s->p, *end = s->end;
	uint64_t open = 0;
	int level = 0;
	for (;;) {
		p = skip_ws(p, end);
		if (p >= end)
			return 0;
		if (*p == '{' || *p == '[') {
			int obj = *p == '{';
			if (level == 63 || s->depth + level + 1 > s->max_depth)
				return 0;
			open = open << 1 | (uint64_t)obj;
			level++;
			p = skip_ws(p + 1, end);
			if (p < end && *p == (obj ? '}' : ']')) {
				p++;
				open >>= 1;
				level--;
			} else {
				if (obj && !(p = quick_key(p, end)))
					return 0;
				continue;
			}
		} else if (!(p = quick_scalar(p, end))) {
			return 0;
		}
		/* after a value: close what ends here, then the next value */
		for (;;) {
			if (!level) {
				s->p = p;
				return 1;
			}
			p = skip_ws(p, end);
			if (p >= end)
				return 0;
			int obj = (int)(open & 1);
			if (*p == ',') {
				p++;
				if (obj && !(p = quick_key(p, end)))
					return 0;
				break;
			}
			if (*p != (obj ? '}' : ']'))
				return 0;
			p++;
			open >>= 1;
			level--;
		}
	}
}

/* A value validated and skipped.  The commonest, a number (counts,
 * allocations, work units) or null (a build entry's note, a world's
 * news), is read without quick_skip()'s loop. */
static inline int skip_value(struct scan *s)
{
	ws(s);
	const char *p = s->p, *end = s->end;
	if (p < end && ((unsigned)(*p - '0') < 10 || *p == '-')) {
		const char *q = quick_number(p, end);
		if (q) {
			s->p = q;
			return 0;
		}
	} else if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
		s->p = p + 4;
		return 0;
	}
	return quick_skip(s) ? 0 : scan_value(s, NULL);
}

/* --- what a world or fleet keeps ------------------------------------------ */

/* An object inside a list a record keeps (a trait, a trade route): built
 * with only the keys of its class's rows; the last duplicate wins, as in
 * jansson. */
struct inner {
	enum mirror_class cls;
	json_t *obj;
};

static int inner_member(struct scan *s, void *ctx, const char *kb, size_t kl)
{
	struct inner *in = ctx;
	const struct mirror_field *f = NULL;
	for (size_t i = 0; i < s->kept.ninner[in->cls] && !f; i++)
		if (key_is_row(kb, kl, s->kept.inner[in->cls][i]))
			f = s->kept.inner[in->cls][i];
	if (!f)
		return scan_value(s, NULL);
	json_t *v;
	if (scan_value(s, &v) < 0)
		return -1;
	if (json_object_set_new_nocheck(in->obj, f->key, v) < 0)
		return fail_at(s, "out of memory");
	return 0;
}

static int inner_element(struct scan *s, void *ctx, enum mirror_class cls)
{
	json_t *list = ctx;
	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return build_element(s, list, NULL, 0);
	struct inner in = {cls, json_object()};
	if (!in.obj)
		return fail_at(s, "out of memory");
	if (scan_items(s, 1, inner_member, &in) < 0 ||
	    json_array_append_new(list, in.obj) < 0) {
		json_decref(in.obj);
		return s->failed ? -1 : fail_at(s, "out of memory");
	}
	return 0;
}

static int trait_element(struct scan *s, void *list, const char *kb, size_t kl)
{
	(void)kb, (void)kl;
	return inner_element(s, list, MIRROR_C_trait);
}

static int route_element(struct scan *s, void *list, const char *kb, size_t kl)
{
	(void)kb, (void)kl;
	return inner_element(s, list, MIRROR_C_tradeRoute);
}

/* A list of inner objects (traits: ids or objects; trade routes), each
 * object reduced to its class's rows. */
static int build_inner_list(struct scan *s, item_fn element, json_t **out)
{
	ws(s);
	if (s->p >= s->end || *s->p != '[')
		return scan_value(s, out);
	return build_items(s, 0, element, out);
}


/* --- traits and trade routes, packed ----------------------------------------
 *
 * A world's traits and tradeRoutes are most of what the mirror keeps of
 * it, and as JSON they are an object per trait or route.  Read in the
 * common shapes (ids and allocations as plain numbers), they come out as
 * one string each, the values the merge would read from the JSON (see
 * mirror_scan.h).  Anything else met on the way (an id that is not a plain
 * integer, a duplicate key) and the list is read again and built as JSON:
 * the merge's rules then apply as they would to jansson's tree. */

/* After a member or element: 0 with *done set at the closing bracket
 * (stepped past, depth restored), -1 on anything but a comma or it. */
static inline int close_next(struct scan *s, char close, int *done)
{
	int more = scan_next(s, close);
	if (more < 0)
		return -1;
	if (!more)
		s->depth--;
	*done = !more;
	return 0;
}

/* Not packable: the caller reads the list again as JSON. */
#define UNPACKABLE 1

static inline int pack_put(struct scan *s, size_t *n, const void *slot)
{
	if (*n + 8 > s->pack_cap) {
		size_t cap = s->pack_cap ? s->pack_cap * 2 : 4096;
		char *nb = realloc(s->pack, cap);
		if (!nb)
			return fail_at(s, "out of memory");
		s->pack = nb;
		s->pack_cap = cap;
	}
	memcpy(s->pack + *n, slot, 8);
	*n += 8;
	return 0;
}

static int pack_i64(struct scan *s, size_t *n, int64_t v)
{
	return pack_put(s, n, &v);
}

static int pack_double(struct scan *s, size_t *n, double v)
{
	return pack_put(s, n, &v);
}

static int starts_number(const struct scan *s)
{
	return s->p < s->end && (*s->p == '-' || (unsigned)(*s->p - '0') < 10);
}

/* Past the digits at p, their value in *m: 1 to 15 of them, no leading
 * zero; NULL for anything else.  16 bytes must be readable at p. */
static inline const char *tuple_digits(const char *p, uint64_t *m)
{
	const char *b = p;
	uint64_t v = 0;
	unsigned c;
	while (p - b < 16 && (c = (unsigned)(*p - '0')) < 10) {
		v = v * 10 + c;
		p++;
	}
	if (p == b || p - b > 15 || (*b == '0' && p - b > 1))
		return NULL;
	*m = v;
	return p;
}

/* A number in the game's own form (plain digits, an optional fraction,
 * 15 digits in all: exact as a double; no sign, no exponent) at p: past
 * it, the digits as one integer in *m and the fraction's length in *nf,
 * as plain_num() reads them; NULL for any other.  17 bytes must be
 * readable at p; the caller checks the byte after it. */
static inline const char *own_number(const char *p, uint64_t *m, unsigned *nf)
{
	const char *q = tuple_digits(p, m);
	*nf = 0;
	if (!q || *q != '.')
		return q;
	const char *f = ++q;
	while (q - p < 16 && (unsigned)(*q - '0') < 10)
		*m = *m * 10 + (unsigned)(*q++ - '0');
	*nf = (unsigned)(q - f);
	return *nf ? q : NULL;
}

/* Whether a number's text may end before byte c (not a digit, a point or
 * an exponent). */
static inline int ends_number(char c)
{
	return (unsigned)(c - '0') >= 10 && c != '.' && c != 'e' && c != 'E';
}

/* A number's value as the merge reads it (num_or: jansson's double, -0.0
 * as 0); anything else reads as 0 and is skipped. */
static inline int pack_number(struct scan *s, double *d)
{
	ws(s);
	uint64_t m;
	unsigned nf;
	const char *q;
	if (s->end - s->p >= 17 && (q = own_number(s->p, &m, &nf)) && ends_number(*q)) {
		*d = nf ? (double)m / pow10_exact[nf] : (double)m;
		s->p = q;
		return 0;
	}
	int plain;
	if (plain_real(s, d, &plain)) {
		*d += 0.0;
		return 0;
	}
	*d = 0;
	if (!starts_number(s))
		return scan_value(s, NULL);
	struct num x;
	int integral = read_num(s, &x);
	if (integral < 0)
		return -1;
	if (integral) {
		int64_t v;
		if (integer_of(s, &x, &v) < 0)
			return -1;
		*d = (double)v;
		return 0;
	}
	if (real_of(s, &x, d) < 0)
		return -1;
	*d += 0.0;
	return 0;
}

/* An id as the merge reads it: a plain integer; null, strings, booleans
 * and objects read as 0 (no id).  Reals and lists (ipIntegers) are not
 * packed. */
static inline int pack_id(struct scan *s, int64_t *id)
{
	ws(s);
	*id = 0;
	if (s->p < s->end && *s->p == '[')
		return UNPACKABLE;
	if (!starts_number(s))
		return scan_value(s, NULL);
	uint64_t m;
	const char *q;
	if (s->end - s->p >= 17 && (q = tuple_digits(s->p, &m)) && ends_number(*q)) {
		*id = (int64_t)m;
		s->p = q;
		return 0;
	}
	if (plain_int(s, id))
		return 0;
	struct num x;
	int integral = read_num(s, &x);
	if (integral <= 0)
		return integral < 0 ? -1 : UNPACKABLE;
	return integer_of(s, &x, id);
}

/* A boolean as jsonx_truthy() reads it: true, "true", a non-zero integer. */
static int pack_truth(struct scan *s, int *on)
{
	ws(s);
	*on = 0;
	if (s->p < s->end && *s->p == '"') {
		const char *t;
		size_t n;
		if (scan_string(s, &t, &n) < 0)
			return -1;
		*on = n == 4 && memcmp(t, "true", 4) == 0;
		return 0;
	}
	if (s->p < s->end && *s->p == 't') {
		*on = 1;
		return literal(s, "true");
	}
	if (!starts_number(s))
		return scan_value(s, NULL);
	struct num x;
	int integral = read_num(s, &x);
	if (integral <= 0)
		return integral;
	int64_t v;
	if (integer_of(s, &x, &v) < 0)
		return -1;
	*on = v != 0;
	return 0;
}

/* The tuples of a list at s->p (its bracket) in the game's own form, in
 * one loop: no spaces, ids and numbers of plain digits with an optional
 * fraction (15 digits in all: exact as doubles), `null` for what is
 * skipped.  Packed as pack_tuples() packs them: 1 with s->p past the
 * list; 0 at anything else (or near the text's end), with nothing packed
 * and s->p unchanged; -1 when out of memory. */
static int pack_tuples_plain(struct scan *s, size_t *n, int width, int nnum, int64_t *count)
{
	const char *p = s->p + 1, *end = s->end;
	size_t n0 = *n;
	if (s->depth + 1 > s->max_depth || end - p < 2 || *p == ']')
		return 0;
	for (;;) {
		uint64_t id, m;
		double num[4];
		if (end - p < 64 || !(p = tuple_digits(p, &id)) || *p++ != ',')
			goto other;
		for (int k = 0; k < nnum; k++) {
			/* as plain_real(): the digits as one integer over 10^nf */
			unsigned nf;
			const char *q = own_number(p, &m, &nf);
			if (!q || *q != ',')
				goto other;
			num[k] = nf ? (double)m / pow10_exact[nf] : (double)m;
			p = q + 1;
		}
		for (int k = 1 + nnum; k < width; k++) {
			if (memcmp(p, "null", 4) != 0 || (k + 1 < width && p[4] != ','))
				goto other;
			p += 4 + (k + 1 < width);
		}
		if (id > 0) {
			if (pack_i64(s, n, (int64_t)id) < 0)
				return -1;
			for (int k = 0; k < nnum; k++)
				if (pack_double(s, n, num[k]) < 0)
					return -1;
			++*count;
		}
		if (*p == ']') {
			s->p = p + 1;
			return 1;
		}
		if (*p++ != ',')
			goto other;
	}
other:
	*n = n0;
	*count = 0;
	return 0;
}

/* A flat list of tuples of width values (buildData: 3, imports/exports:
 * 4): an id, nnum numbers, the rest skipped.  Whole tuples with an id > 0
 * are packed (id, numbers); *count of them.  Not a list: none. */
static int pack_tuples(struct scan *s, size_t *n, int width, int nnum, int64_t *count)
{
	*count = 0;
	ws(s);
	if (s->p >= s->end || *s->p != '[')
		return scan_value(s, NULL);
	int plain = pack_tuples_plain(s, n, width, nnum, count);
	if (plain)
		return plain < 0 ? -1 : 0;
	int empty = scan_open(s, ']');
	if (empty)
		return empty < 0 ? -1 : 0;
	int64_t id = 0;
	double num[4];
	for (int i = 0;; i = i + 1 == width ? 0 : i + 1) {
		int rc = 0;
		if (i == 0)
			rc = pack_id(s, &id);
		else if (i <= nnum)
			rc = pack_number(s, &num[i - 1]);
		else
			rc = skip_value(s);
		if (rc)
			return rc;
		if (i == width - 1 && id > 0) {
			if (pack_i64(s, n, id) < 0)
				return -1;
			for (int k = 0; k < nnum; k++)
				if (pack_double(s, n, num[k]) < 0)
					return -1;
			++*count;
		}
		int done;
		if (close_next(s, ']', &done) < 0)
			return -1;
		if (done)
			return 0;
	}
}

/* Which of an inner class's rows a key is; -1 for none.  seen: bit per
 * row, a key seen twice is not packed. */
/* The place of a key among its inner class's rows, or -1. */
static inline int inner_find(const struct scan *s, enum mirror_class cls, const char *kb,
			     size_t kl)
{
	for (size_t i = 0; i < s->kept.ninner[cls]; i++)
		if (key_is_row(kb, kl, s->kept.inner[cls][i]))
			return (int)i;
	return -1;
}

/* The row at a place of an inner class: its number in mirror_fields[], or
 * -2 when the object met it before (seen: a bit per place). */
static inline int inner_seen(const struct scan *s, enum mirror_class cls, unsigned place,
			     unsigned *seen)
{
	if (*seen & 1u << place)
		return -2;
	*seen |= 1u << place;
	return (int)(s->kept.inner[cls][place] - mirror_fields);
}

/* The kept members of an inner object (a trait, a trade route), one at a
 * time.  Start with {0}; `seen` holds inner_row's marks of the keys met. */
struct members {
	int open;
	unsigned seen;
	unsigned count; /* members read so far */
};

/* The next kept member of the object of class cls at s: its field
 * (mirror_fields index) with s at its value, to be read before the next
 * call.  Members not kept are skipped.  -1 when there is none: *rc is 0
 * after the closing brace, UNPACKABLE for a key given twice (the caller
 * reads the list again as JSON, whose rule then applies), -1 on bad
 * JSON.
 * Inlined into its two callers whatever the compiler estimates: it runs
 * once per member, and a call saving the registers it uses cost about as
 * much as its work. */
static inline __attribute__((always_inline)) int next_member(struct scan *s,
							     struct members *it,
							     enum mirror_class cls, int *rc)
{
	for (;;) {
		int done;
		if (!it->open) {
			it->open = 1;
			done = scan_open(s, '}');
		} else if (close_next(s, '}', &done) < 0) {
			done = -1;
		}
		if (done) {
			*rc = done < 0 ? -1 : 0;
			return -1;
		}
		const char *kb;
		size_t kl;
		int row = -3; /* bad JSON */
		struct key_memo *mm = s->memo_inner[cls == MIRROR_C_trait ? 0 : 1];
		const struct key_memo *m = memo_find(s, mm, &it->count, &kb, &kl);
		int place = -2;
		if (m) {
			place = m->row;
		} else if (scan_key(s, &kb, &kl) == 0) {
			place = inner_find(s, cls, kb, kl);
			memo_learn(s, mm, &it->count, kb, kl, place);
		}
		if (place >= -1)
			row = place < 0 ? -1 : inner_seen(s, cls, (unsigned)place, &it->seen);
		if (row >= 0)
			return row;
		/* not kept: skip its value, then the next; repeated: give up */
		*rc = row == -1 ? skip_value(s) : row == -2 ? UNPACKABLE : -1;
		if (*rc)
			return -1;
	}
}

/* The slots of one packed trait: id, nbuild | structured << 32, target,
 * allocation, then nbuild (resource, percent) pairs. */
static int pack_trait_object(struct scan *s, size_t *n)
{
	size_t head = *n;
	for (int i = 0; i < 4; i++)
		if (pack_i64(s, n, 0) < 0)
			return -1;
	int64_t id = 0, nbuild = 0;
	double target = 0, alloc = 0;
	struct members it = {0};
	int row, rc;
	while ((row = next_member(s, &it, MIRROR_C_trait, &rc)) >= 0) {
		switch (row) {
		case MIRROR_F_trait_traitID: rc = pack_id(s, &id); break;
		case MIRROR_F_trait_targetAllocation: rc = pack_number(s, &target); break;
		case MIRROR_F_trait_allocation: rc = pack_number(s, &alloc); break;
		case MIRROR_F_trait_buildData: rc = pack_tuples(s, n, 3, 1, &nbuild); break;
		default: rc = skip_value(s);
		}
		if (rc)
			return rc;
	}
	if (rc)
		return rc;
	int64_t flags = nbuild | (int64_t)1 << 32;
	memcpy(s->pack + head, &id, 8);
	memcpy(s->pack + head + 8, &flags, 8);
	memcpy(s->pack + head + 16, &target, 8);
	memcpy(s->pack + head + 24, &alloc, 8);
	return 0;
}

/* The slots of one packed route: partner, nimports | nexports << 24 |
 * return << 48 | exports first << 49, then the flows (resource, percent,
 * amount) of the list that came first, then the other's. */
static int pack_route_object(struct scan *s, size_t *n)
{
	size_t head = *n;
	if (pack_i64(s, n, 0) < 0 || pack_i64(s, n, 0) < 0)
		return -1;
	int64_t partner = 0, nimp = 0, nexp = 0, exports_first = 0, imports_seen = 0;
	int ret = 0;
	struct members it = {0};
	int row, rc;
	while ((row = next_member(s, &it, MIRROR_C_tradeRoute, &rc)) >= 0) {
		switch (row) {
		case MIRROR_F_tradeRoute_partnerObjID: rc = pack_id(s, &partner); break;
		case MIRROR_F_tradeRoute_imports:
			imports_seen = 1;
			rc = pack_tuples(s, n, 4, 2, &nimp);
			break;
		case MIRROR_F_tradeRoute_exports:
			exports_first = !imports_seen;
			rc = pack_tuples(s, n, 4, 2, &nexp);
			break;
		case MIRROR_F_tradeRoute_return: rc = pack_truth(s, &ret); break;
		default: rc = skip_value(s);
		}
		if (rc)
			return rc;
	}
	if (rc)
		return rc;
	if (nimp >= 1 << 24 || nexp >= 1 << 24)
		return UNPACKABLE;
	int64_t flags = nimp | nexp << 24 | (int64_t)ret << 48 | exports_first << 49;
	memcpy(s->pack + head, &partner, 8);
	memcpy(s->pack + head + 8, &flags, 8);
	return 0;
}

/* One element of a traits list: an id, or a trait object. */
static int pack_trait(struct scan *s, size_t *n)
{
	ws(s);
	if (s->p < s->end && *s->p == '{')
		return pack_trait_object(s, n);
	int64_t id;
	int rc = pack_id(s, &id);
	if (rc || id <= 0)
		return rc;
	int64_t zero = 0;
	return pack_i64(s, n, id) < 0 || pack_i64(s, n, zero) < 0 ||
			       pack_i64(s, n, zero) < 0 || pack_i64(s, n, zero) < 0
		       ? -1
		       : 0;
}

/* One element of a trade routes list: objects; anything else has no
 * partner. */
static int pack_route(struct scan *s, size_t *n)
{
	ws(s);
	if (s->p < s->end && *s->p == '{')
		return pack_route_object(s, n);
	return scan_value(s, NULL);
}

/* n bytes into the arena, aligned for int64_t; their offset, or -1. */
static int64_t arena_put(struct scan *s, const void *b, size_t n, int nul)
{
	size_t off = (s->arena_len + 7) & ~(size_t)7;
	size_t need = off + n + (size_t)nul;
	if (need > s->arena_cap) {
		size_t cap = s->arena_cap * 2 > need ? s->arena_cap * 2 : need;
		char *nb = realloc(s->a->arena, cap);
		if (!nb)
			return fail_at(s, "out of memory");
		s->a->arena = nb;
		s->arena_cap = cap;
	}
	memcpy(s->a->arena + off, b, n);
	if (nul)
		s->a->arena[off + n] = 0;
	s->arena_len = need;
	return (int64_t)off;
}

/* A traits or tradeRoutes list as one packed value (tag, then slots);
 * UNPACKABLE when an element is not in a common shape. */
static int pack_list(struct scan *s, const char *tag, int (*element)(struct scan *, size_t *),
		     struct mirror_scan_value *v)
{
	size_t n = 0;
	if (pack_put(s, &n, tag) < 0)
		return -1;
	int empty = scan_open(s, ']');
	if (empty < 0)
		return -1;
	while (!empty) {
		int rc = element(s, &n);
		if (rc)
			return rc;
		if (close_next(s, ']', &empty) < 0)
			return -1;
	}
	int64_t off = arena_put(s, s->pack, n, 0);
	if (off < 0)
		return -1;
	v->kind = MIRROR_V_PACKED;
	v->n = n;
	v->u.i = off; /* a pointer once the arena stops moving */
	return 0;
}

/* Traits or trade routes: packed when they can be (see above), else built
 * as JSON with their objects reduced to their class's rows. */
static int build_packed_list(struct scan *s, enum mirror_class cls,
			     struct mirror_scan_value *v)
{
	ws(s);
	v->kind = MIRROR_V_JSON;
	if (s->p >= s->end || *s->p != '[')
		return scan_value(s, &v->u.json);
	const char *begin = s->p;
	int depth = s->depth;
	int rc = cls == MIRROR_C_trait ? pack_list(s, MIRROR_SCAN_TRAITS_TAG, pack_trait, v)
				       : pack_list(s, MIRROR_SCAN_ROUTES_TAG, pack_route, v);
	if (rc != UNPACKABLE)
		return rc;
	s->p = begin;
	s->depth = depth;
	v->kind = MIRROR_V_JSON;
	return build_inner_list(s, cls == MIRROR_C_trait ? trait_element : route_element,
				&v->u.json);
}

/* --- flat values of reduced objects --------------------------------------- */

/* One more integer in s->ints (n held so far). */
static int ints_push(struct scan *s, size_t n, int64_t v)
{
	if (n == s->ints_cap) {
		int64_t *nb = realloc(s->ints, 2 * s->ints_cap * sizeof *nb);
		if (!nb)
			return fail_at(s, "out of memory");
		s->ints = nb;
		s->ints_cap *= 2;
	}
	s->ints[n] = v;
	return 0;
}

/* Integers of s->ints as a value of kind INTS: kept in the
 * arena until the end of the answer. */
static int flat_ints_value(struct scan *s, enum mirror_scan_kind kind, size_t n,
			   struct mirror_scan_value *v)
{
	int64_t off = arena_put(s, s->ints, n * sizeof *s->ints, 0);
	if (off < 0)
		return -1;
	v->kind = kind;
	v->n = n;
	v->u.i = off; /* a pointer once the arena stops moving */
	return 0;
}

/* Any value, built as jansson builds it. */
static int json_kind(struct scan *s, struct mirror_scan_value *v)
{
	if (scan_value(s, &v->u.json) < 0)
		return -1;
	v->kind = MIRROR_V_JSON;
	return 0;
}

/* A scalar flat; containers built. */
static int flat_scalar(struct scan *s, struct mirror_scan_value *v)
{
	ws(s);
	if (s->p >= s->end)
		return fail_at(s, "unexpected end");
	switch (*s->p) {
	case '{':
	case '[':
		return json_kind(s, v);
	case '"': {
		/* a string of plain bytes is read in place (most are: a class, a
		 * name); any other as scan_string() reads it */
		const char *str = s->p + 1, *q = plain_run(str, s->end);
		size_t n = (size_t)(q - str);
		int64_t off;
		if (q < s->end && *q == '"')
			s->p = q + 1;
		else if (scan_string(s, &str, &n) < 0)
			return -1;
		if ((off = arena_put(s, str, n, 1)) < 0)
			return -1;
		v->kind = MIRROR_V_STRING;
		v->n = n;
		v->u.i = off;
		return 0;
	}
	case 't':
		v->kind = MIRROR_V_TRUE;
		return literal(s, "true");
	case 'f':
		v->kind = MIRROR_V_FALSE;
		return literal(s, "false");
	case 'n':
		v->kind = MIRROR_V_NULL;
		return literal(s, "null");
	default:
		break;
	}
	if (plain_int(s, &v->u.i)) {
		v->kind = MIRROR_V_INT;
		return 0;
	}
	int integral_text;
	if (plain_real(s, &v->u.d, &integral_text)) {
		/* not integral: plain_int() took those */
		v->kind = MIRROR_V_REAL;
		return 0;
	}
	struct num x;
	int integral = read_num(s, &x);
	if (integral < 0)
		return -1;
	v->kind = integral ? MIRROR_V_INT : MIRROR_V_REAL;
	return integral ? integer_of(s, &x, &v->u.i) : real_of(s, &x, &v->u.d);
}

#if SWAR
/* The layout of an id of a list: w digits (the first not 0), a comma, and
 * a space after it when the game writes one.  The ids of a list share it
 * (a galaxy numbers its fleets from one base), and then each is read from
 * the eight bytes at it with one test.  XORed with the text the layout
 * expects (t), its digit bytes hold the digits' values: each below 16 and
 * below 10 (+6 is below 16), the first not 0 (t - 1 borrows no bit into
 * the high nibble), and every other byte the layout fixes is 0.  A borrow
 * out of the first byte only happens when it fails. */
struct id_layout {
	uint64_t text;    /* 0x30 per digit byte, then ',' (and ' ') */
	uint64_t fixed;   /* the bits of text that must match */
	uint64_t digits;  /* 0xf0 per digit byte */
	unsigned shift;   /* 64 - 8w: the digits to the top of the word */
	unsigned step;    /* from one id to the next */
	int ninth;        /* 7 digits and the space: the ninth byte is it */
};

#define ID_DIGITS(w) ((UINT64_C(1) << 8 * (w)) - 1)
/* the byte b right after the comma, when the word holds it */
#define ID_AFTER(w, sp, b) ((sp) && (w) < 7 ? (uint64_t)(b) << 8 * ((w) + 1 - ((w) == 7)) : 0)
#define ID_LAYOUT(w, sp)                                                                   \
	{(ONES * 0x30 & ID_DIGITS(w)) | (uint64_t)',' << 8 * (w) | ID_AFTER(w, sp, ' '),    \
	 (ONES * 0xf0 & ID_DIGITS(w)) | UINT64_C(0xff) << 8 * (w) | ID_AFTER(w, sp, 0xff), \
	 ONES * 0xf0 & ID_DIGITS(w), 64 - 8 * (w), (w) + 1 + (sp), (sp) && (w) == 7}
/* by spaced, then w (none of 0) */
static const struct id_layout id_layouts[2][8] = {
	{{0}, ID_LAYOUT(1, 0), ID_LAYOUT(2, 0), ID_LAYOUT(3, 0), ID_LAYOUT(4, 0), ID_LAYOUT(5, 0),
	 ID_LAYOUT(6, 0), ID_LAYOUT(7, 0)},
	{{0}, ID_LAYOUT(1, 1), ID_LAYOUT(2, 1), ID_LAYOUT(3, 1), ID_LAYOUT(4, 1), ID_LAYOUT(5, 1),
	 ID_LAYOUT(6, 1), ID_LAYOUT(7, 1)},
};

/* Ids of layout l from q on, into out while out < stop and nine bytes
 * remain at q (last: the last place where they do); the first one that
 * is not of it stops it.  Returns past the last id read, its end in
 * *outp.  ninth is l's, a constant where it is inlined. */
static inline __attribute__((always_inline)) const char *
ids_of_layout(const char *q, const char *last, const struct id_layout *lp, int ninth,
	      int64_t **outp, const int64_t *stop)
{
	const uint64_t text = lp->text, fixed = lp->fixed, digits = lp->digits;
	const unsigned shift = lp->shift, step = lp->step;
	int64_t *out = *outp;
	for (; out < stop && q <= last; q += step) {
		uint64_t t = word_at(q) ^ text, u = t - 1;
		if ((u & fixed) | ((t + ONES * 6) & digits) || (ninth && q[8] != ' '))
			break;
		*out++ = (int64_t)digit_bytes_value(t << shift);
	}
	*outp = out;
	return q;
}

/* The common elements of an integer list from s->p on, in one loop: 1 to
 * 7 digits, no sign, no leading zero, right before the comma (and the
 * space the game writes after it) or the bracket, appended to s->ints
 * while it has room (*n held so far).  Each is read from the eight bytes
 * at it, while nine remain (the space may be the ninth): one's end is
 * found, then those of its layout that follow are read as such.  Returns
 * how many, with s->p past them and *closed set when the bracket was
 * stepped past.  Not inlined: a call per list, and the loop's constants
 * keep their registers. */
static __attribute__((noinline)) size_t plain_ints(struct scan *s, size_t *n, int *closed)
{
	const char *q = s->p, *end = s->end;
	int64_t *out = s->ints + *n, *stop = s->ints + s->ints_cap;
	const int64_t *first = out;
	const struct id_layout *prev = NULL;
	*closed = 0;
	if (end - q < 9)
		return 0;
	const char *last = end - 9;
	while (out < stop && q <= last) {
		uint64_t x = word_at(q);
		/* 8 * the digits before the first other byte (an eighth digit
		 * counts as a byte that ends none: too long here) */
		unsigned at = (unsigned)__builtin_ctzll(non_digits(x) | UINT64_C(0xff) << 56) & 56;
		char next = (char)(x >> at);
		if (!at || (char)x == '0' || (next != ',' && next != ']'))
			break;
		*out++ = (int64_t)digits_value(x << (64 - at));
		q += at / 8 + 1;
		if (next == ']') {
			*closed = 1;
			break;
		}
		int spaced = *q == ' ';
		const struct id_layout *l = &id_layouts[spaced][at / 8];
		q += spaced;
		/* the fast way once two in a row share a layout: not for lists
		 * of numbers of all lengths (resources) */
		if (l == prev)
			q = l->ninth ? ids_of_layout(q, last, l, 1, &out, stop)
				     : ids_of_layout(q, last, l, 0, &out, stop);
		prev = l;
	}
	s->p = q;
	*n = (size_t)(out - s->ints);
	return (size_t)(out - first);
}
#endif

/* A list of integers the mirror copies into an array of its own
 * (nearObjIDs, resources): flat when every element is a JSON integer.
 * Anything else in it (reals, ipIntegers, strings, nested lists) and the
 * list is read again and built, for the merge's rules on such elements. */
static int flat_int_list(struct scan *s, struct mirror_scan_value *v)
{
	ws(s);
	if (s->p >= s->end || *s->p != '[')
		return flat_scalar(s, v);
	const char *begin = s->p;
	int depth = s->depth;
	int empty = scan_open(s, ']');
	if (empty < 0)
		return -1;
	size_t n = 0;
	int positive = 1; /* plain_ints() reads only those */
	while (!empty) {
#if SWAR
		int closed;
		if (plain_ints(s, &n, &closed)) {
			if (closed) {
				s->depth--;
				empty = 1;
			}
			continue;
		}
#endif
		ws(s);
		int64_t x;
		if (!plain_int(s, &x)) {
			struct num num;
			int integral = s->p < s->end &&
				(*s->p == '-' || (unsigned)(*s->p - '0') < 10) ? read_num(s, &num) : 0;
			if (integral < 0)
				return -1;
			if (!integral) {
				s->p = begin;
				s->depth = depth;
				return json_kind(s, v);
			}
			if (integer_of(s, &num, &x) < 0)
				return -1;
		}
		positive &= x > 0;
		if (ints_push(s, n++, x) < 0)
			return -1;
		int more = s->p < s->end && *s->p == ',' ? (s->p++, 1) : scan_next(s, ']');
		if (more < 0)
			return -1;
		if (!more)
			s->depth--;
		empty = !more;
	}
	return flat_ints_value(s, positive ? MIRROR_V_POSITIVE : MIRROR_V_INTS, n, v);
}

/* One coordinate of a position: a real, or an integer a double holds
 * exactly; 0 when it is neither (the list is then built). */
static int flat_coord(struct scan *s, double *d, int *integral)
{
	ws(s);
	if (s->p >= s->end || (*s->p != '-' && (unsigned)(*s->p - '0') >= 10))
		return 0;
	const char *b = s->p;
	if (plain_real(s, d, integral))
		return 1;
	int64_t i;
	if (plain_int(s, &i)) {
		/* beyond what a double holds exactly: built as JSON */
		s->p = b;
		return 0;
	}
	struct num x;
	int r = read_num(s, &x);
	if (r != 0)
		return r < 0 ? -1 : 0;
	*integral = 0;
	return real_of(s, &x, d) < 0 ? -1 : 1;
}

/* A position: flat when it is a list of two numbers. */
static int flat_pos(struct scan *s, struct mirror_scan_value *v)
{
	ws(s);
	if (s->p >= s->end || *s->p != '[')
		return flat_scalar(s, v);
	const char *begin = s->p;
	int depth = s->depth;
	int empty = scan_open(s, ']');
	if (empty < 0)
		return -1;
	v->n = 0;
	/* an empty list is closed already: it is no position */
	for (int i = 0; !empty && i < 2; i++) {
		int integral = 0;
		int r = flat_coord(s, &v->u.xy[i], &integral);
		if (r < 0)
			return -1;
		ws(s);
		if (!r || s->p >= s->end || *s->p != (i ? ']' : ','))
			break;
		v->n |= (size_t)integral << i;
		s->p++;
		if (i) {
			s->depth--;
			v->kind = MIRROR_V_POS;
			return 0;
		}
	}
	s->p = begin;
	s->depth = depth;
	return json_kind(s, v);
}

/* A battle plan only matters as "on" or "off": keep its truth, not its
 * body (mirror.c's battle_on() reads null, false, strings and the rest). */
static int flat_battle(struct scan *s, struct mirror_scan_value *v)
{
	ws(s);
	if (s->p < s->end && (*s->p == 'n' || *s->p == 'f' || *s->p == '"'))
		return flat_scalar(s, v);
	v->kind = MIRROR_V_TRUE;
	return skip_value(s);
}

static void value_release(struct mirror_scan_value *v)
{
	if (v->kind == MIRROR_V_JSON)
		json_decref(v->u.json);
}

/* The value of a kept key (row f, key number key) of a top-level object,
 * into the answer's values (duplicates: all kept, the last wins in the
 * merge). */
static int top_value(struct scan *s, const struct mirror_field *f, unsigned key)
{
	struct mirror_scan_value v = {.kind = MIRROR_V_NULL, .key = key};
	int rc;
	switch (f->read) {
	case MIRROR_READ_TRAITS:
		rc = build_packed_list(s, MIRROR_C_trait, &v);
		break;
	case MIRROR_READ_ROUTES:
		rc = build_packed_list(s, MIRROR_C_tradeRoute, &v);
		break;
	case MIRROR_READ_BATTLE:
		rc = flat_battle(s, &v);
		break;
	case MIRROR_READ_IDS:
	case MIRROR_READ_RES:
		rc = flat_int_list(s, &v);
		break;
	case MIRROR_READ_POS:
		rc = flat_pos(s, &v);
		break;
	case MIRROR_READ_JSON:
		rc = json_kind(s, &v);
		break;
	default:
		rc = flat_scalar(s, &v);
	}
	if (rc < 0)
		return -1;
	struct mirror_scanned *a = s->a;
	struct mirror_scan_value *vs = a->values;
	/* sized from the text (mirror_scan()): a call only when it is full */
	if (a->nvalues == a->cap_values &&
	    !(vs = array_grow(a->values, &a->cap_values, a->nvalues, sizeof *vs, 256))) {
		value_release(&v);
		return fail_at(s, "out of memory");
	}
	a->values = vs;
	vs[a->nvalues++] = v;
	return 0;
}

/* A top-level object's members: kept when a reduced class keeps the key,
 * else skipped. */
static int top_members(struct scan *s)
{
	int done = scan_open(s, '}');
	if (done)
		return done < 0 ? -1 : 0;
	for (unsigned i = 0;; i++) {
		struct key_memo *m = i < MEMO_KEYS ? &s->memo_top[i] : NULL;
		const char *kb;
		size_t kl;
		const struct mirror_field *f;
		unsigned key = 0;
		if (m && memo_key(s, m, &kb, &kl)) {
			f = m->row < 0 ? NULL : &mirror_fields[m->row];
			key = m->num;
		} else {
			if (scan_key(s, &kb, &kl) < 0)
				return -1;
			f = kept(s, kb, kl, &key);
			if (m)
				memo_put(s, m, kb, kl, f ? (int)(f - mirror_fields) : -1, key);
		}
		if ((f ? top_value(s, f, key) : skip_value(s)) < 0 || close_next(s, '}', &done) < 0)
			return -1;
		if (done)
			return 0;
	}
}

/* What the mirror does with a class (mirror_fields.h): world, fleet and
 * sovereign (whose territory and exploration grid are most of its text)
 * are reduced, the classes it merges otherwise are kept whole, the rest
 * (region, selection, unknown ones) is dropped here as mirror_merge()
 * would ignore it.  The class of an object is its last "class" key. */
static int class_of_values(const struct scan *s, size_t first, enum mirror_use *use)
{
	const struct mirror_scanned *a = s->a;
	unsigned key = a->key_of[MIRROR_F_any_class];
	for (size_t i = a->nvalues; i > first; i--) {
		const struct mirror_scan_value *v = &a->values[i - 1];
		if (v->key != key)
			continue;
		if (v->kind != MIRROR_V_STRING)
			return -1;
		int k = mirror_class_find(a->arena + v->u.i, v->n);
		if (k >= 0)
			*use = mirror_class_use((enum mirror_class)k);
		return k >= 0 && *use != MIRROR_USE_INNER ? k : -1;
	}
	return -1;
}

/* One top-level element, read once.  A world, fleet or sovereign keeps
 * only the fields the mirror reads; other classes it merges are kept
 * whole. */
static int scan_element(struct scan *s)
{
	ws(s);
	if (s->p >= s->end || *s->p != '{')
		return scan_value(s, NULL); /* not an object: nothing for the mirror */
	struct mirror_scanned *a = s->a;
	const char *begin = s->p;
	size_t first = a->nvalues, arena = s->arena_len;
	if (top_members(s) < 0)
		return -1;
	enum mirror_use use = MIRROR_USE_INNER;
	int cls = class_of_values(s, first, &use);
	struct mirror_scan_item it = {.cls = (enum mirror_class)cls, .first = first,
				      .n = a->nvalues - first};
	if (use != MIRROR_USE_REDUCE) {
		for (size_t i = first; i < a->nvalues; i++)
			value_release(&a->values[i]);
		a->nvalues = first;
		s->arena_len = arena;
		it.n = 0;
	}
	if (cls < 0)
		return 0;
	if (use == MIRROR_USE_WHOLE) {
		json_error_t je;
		if (!(it.whole = json_loadb(begin, (size_t)(s->p - begin), 0, &je)))
			return fail_at(s, je.text);
	}
	struct mirror_scan_item *items =
		array_grow(a->items, &a->cap_items, a->nitems, sizeof *items, 64);
	if (!items) {
		json_decref(it.whole);
		return fail_at(s, "out of memory");
	}
	a->items = items;
	items[a->nitems++] = it;
	return 0;
}

static int scan_list(struct scan *s)
{
	ws(s);
	if (s->p >= s->end || *s->p != '[') {
		/* not a list: let the caller see why */
		if (scan_value(s, NULL) == 0)
			snprintf(s->err, s->errlen, "answer is not a list of objects");
		return -1;
	}
	/* the outer list counts as depth 1, which max_depth always allows */
	int done = scan_open(s, ']');
	if (done < 0)
		return -1;
	while (!done) {
		if (scan_element(s) < 0)
			return -1;
		int more = scan_next(s, ']');
		if (more < 0)
			return -1;
		done = !more;
	}
	ws(s);
	if (s->p != s->end)
		return fail_at(s, "text after the answer");
	return 0;
}

void mirror_scanned_free(struct mirror_scanned *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nitems; i++)
		json_decref(a->items[i].whole);
	for (size_t i = 0; i < a->nvalues; i++)
		value_release(&a->values[i]);
	free(a->items);
	free(a->values);
	free(a->arena);
	free(a);
}

struct mirror_scanned *mirror_scan(const char *buf, size_t len, int max_depth, char *err,
				   size_t errlen)
{
	struct scan s = {.p = buf, .end = buf + len, .start = buf,
			 .max_depth = max_depth > 0 ? max_depth : 1 << 30,
			 .err = err, .errlen = errlen};
	struct mirror_scanned *a = calloc(1, sizeof *a);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s.a = a;
	/* sized from the text so that a watch's delta does not grow them
	 * (growing copies them): a kept value per 32 bytes, as many bytes of
	 * strings and lists as of text (a list of 7-digit ids, the bulk of a
	 * delta, takes 8 bytes per 9 of text).  Pages never written cost no
	 * memory. */
	s.ints_cap = 1024;
	s.arena_cap = 4096 + len;
	a->cap_values = 256 + len / 32;
	if (!(s.ints = malloc(s.ints_cap * sizeof *s.ints)) ||
	    !(a->arena = malloc(s.arena_cap)) ||
	    !(a->values = malloc(a->cap_values * sizeof *a->values))) {
		free(s.ints);
		mirror_scanned_free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	kept_init(&s.kept, a);
	int rc = scan_list(&s);
	free(s.ints);
	free(s.pack);
	free(s.scratch);
	for (size_t i = 0; i < s.small_hi; i++)
		json_decref(s.small[i]);
	free(s.small);
	if (rc < 0) {
		mirror_scanned_free(a);
		return NULL;
	}
	/* the arena no longer moves: offsets become pointers */
	for (size_t i = 0; i < a->nvalues; i++) {
		struct mirror_scan_value *v = &a->values[i];
		if (v->kind == MIRROR_V_STRING || v->kind == MIRROR_V_PACKED)
			v->u.s = a->arena + v->u.i;
		else if (v->kind == MIRROR_V_INTS || v->kind == MIRROR_V_POSITIVE)
			v->u.ints = (const int64_t *)(void *)(a->arena + v->u.i);
	}
	return a;
}

/* --- the answer as JSON ---------------------------------------------------- */

static json_t *coord(double d, int integral)
{
	return integral ? json_integer((json_int_t)d) : json_real(d);
}

json_t *mirror_scan_value_json(const struct mirror_scan_value *v)
{
	switch (v->kind) {
	case MIRROR_V_NULL:
		return json_null();
	case MIRROR_V_FALSE:
		return json_false();
	case MIRROR_V_TRUE:
		return json_true();
	case MIRROR_V_INT:
		return json_integer(v->u.i);
	case MIRROR_V_REAL:
		return json_real(v->u.d);
	case MIRROR_V_STRING:
	case MIRROR_V_PACKED:
		return json_stringn_nocheck(v->u.s, v->n);
	case MIRROR_V_INTS:
	case MIRROR_V_POSITIVE: {
		size_t bytes = (v->n + 1) * sizeof(int64_t);
		char *b = malloc(bytes);
		if (!b)
			return NULL;
		memcpy(b, MIRROR_SCAN_INTS_TAG, sizeof(int64_t));
		if (v->n)
			memcpy(b + sizeof(int64_t), v->u.ints, v->n * sizeof(int64_t));
		json_t *j = json_stringn_nocheck(b, bytes);
		free(b);
		return j;
	}
	case MIRROR_V_POS: {
		json_t *l = json_array();
		if (l && (json_array_append_new(l, coord(v->u.xy[0], v->n & 1)) < 0 ||
			  json_array_append_new(l, coord(v->u.xy[1], v->n >> 1 & 1)) < 0)) {
			json_decref(l);
			return NULL;
		}
		return l;
	}
	case MIRROR_V_JSON:
		return json_incref(v->u.json);
	}
	return NULL;
}

json_t *mirror_scan_answer(const char *buf, size_t len, int max_depth, char *err,
			   size_t errlen)
{
	struct mirror_scanned *a = mirror_scan(buf, len, max_depth, err, errlen);
	if (!a)
		return NULL;
	json_t *list = json_array();
	for (size_t i = 0; list && i < a->nitems; i++) {
		const struct mirror_scan_item *it = &a->items[i];
		json_t *o = it->whole ? json_incref(it->whole) : json_object();
		for (size_t k = 0; o && !it->whole && k < it->n; k++) {
			const struct mirror_scan_value *v = &a->values[it->first + k];
			if (json_object_set_new_nocheck(o, a->key_row[v->key]->key,
							mirror_scan_value_json(v)) < 0) {
				json_decref(o);
				o = NULL;
			}
		}
		if (!o || json_array_append_new(list, o) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	mirror_scanned_free(a);
	if (!list)
		snprintf(err, errlen, "out of memory");
	return list;
}

size_t mirror_scan_packed_bytes(const char *b, size_t n, const char *tag, const char **slots)
{
	if (!b || n < 8 || n % 8 || memcmp(b, tag, 8) != 0)
		return (size_t)-1;
	*slots = b + 8;
	return n / 8 - 1;
}

size_t mirror_scan_packed(const json_t *v, const char *tag, const char **slots)
{
	return mirror_scan_packed_bytes(json_string_value(v), json_string_length(v), tag, slots);
}

size_t mirror_scan_ints(const json_t *v, const char **values)
{
	size_t n = json_string_length(v);
	const char *b = json_string_value(v);
	if (!b || n < sizeof(int64_t) || n % sizeof(int64_t) ||
	    memcmp(b, MIRROR_SCAN_INTS_TAG, sizeof(int64_t)) != 0)
		return (size_t)-1;
	*values = b + sizeof(int64_t);
	return n / sizeof(int64_t) - 1;
}
