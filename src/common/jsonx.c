/* jsonx.c -- see jsonx.h. */
#include "jsonx.h"

#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "ipint.h"
#include "json_quick.h"
#include "textbuf.h"

int jsonx_depth(const char *buf, size_t len)
{
	int depth = 0, max = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return max;
}

int jsonx_check_text(const char *buf, size_t len, int max_depth, char *err,
		     size_t errlen)
{
	/* jansson reads "[13\0]" as [13]: its lexer takes the NUL after a
	 * number or a literal for the end of the token.  A NUL byte is valid
	 * nowhere in JSON text (in a string it must be escaped). */
	const char *nul = memchr(buf, 0, len);
	if (nul) {
		snprintf(err, errlen, "invalid JSON at byte %zu: NUL byte",
			 (size_t)(nul - buf));
		return -1;
	}
	if (max_depth > 0 && jsonx_depth(buf, len) > max_depth) {
		snprintf(err, errlen, "JSON nested deeper than %d levels", max_depth);
		return -1;
	}
	return 0;
}

json_t *jsonx_parse(const char *buf, size_t len, int max_depth, char *err,
		    size_t errlen)
{
	/* the plain texts most bodies are, without jansson's lexer; the tree
	 * is the one jansson builds, a text it takes passes the checks below,
	 * and anything else is theirs and jansson's */
	json_t *quick = json_quick_parse(buf, len, max_depth);
	if (quick)
		return quick;
	if (jsonx_check_text(buf, len, max_depth, err, errlen) < 0)
		return NULL;
	json_error_t je;
	json_t *v = json_loadb(buf, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!v)
		snprintf(err, errlen, "invalid JSON at line %d, column %d: %s",
			 je.line, je.column, je.text);
	return v;
}

json_t *jsonx_error(const char *code, const char *message)
{
	return json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
}

int jsonx_get_int(const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	return v ? ipint_decode(v, out) : -1;
}

int jsonx_get_num(const json_t *obj, const char *key, double *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

int jsonx_truthy(const json_t *v)
{
	if (json_is_true(v))
		return 1;
	if (json_is_string(v))
		return strcmp(json_string_value(v), "true") == 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return 0;
}

static int is_known(const char *key, const char *const known[])
{
	for (size_t i = 0; known[i]; i++)
		if (strcmp(known[i], key) == 0)
			return 1;
	return 0;
}

int jsonx_check_keys(const json_t *obj, const char *const known[], char *err,
		     size_t errlen)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)obj, key, v) {
		if (!is_known(key, known))
			return errmsg(err, errlen, "%.*s: unknown field",
				      (int)utf8_cut(key, strlen(key), JSONX_QUOTED_KEY_MAX), key);
	}
	return 0;
}
