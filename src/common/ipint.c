/* ipint.c -- see ipint.h.  Base64 is small enough to carry here. */
#include "ipint.h"

#include <math.h>
#include <string.h>

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* Decode standard base64 (padding optional); -1 on a bad character. */
static int b64_decode(const char *s, unsigned char *out, size_t cap, size_t *len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	for (; *s && *s != '='; s++) {
		int v = b64val(*s);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	*len = n;
	return 0;
}

static void b64_encode(const unsigned char *in, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64[v & 63] : '=';
	}
	out[o] = 0;
}

int ipint_decode(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!isfinite(d) || d != floor(d) || fabs(d) > 9.0e15)
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) != 2)
		return -1;
	const char *tag = json_string_value(json_array_get(v, 0));
	const char *data = json_string_value(json_array_get(v, 1));
	if (!tag || !data || strcmp(tag, IPINT_MARKER) != 0)
		return -1;
	unsigned char buf[64];
	size_t len;
	if (b64_decode(data, buf, sizeof buf, &len) < 0 || len < 6)
		return -1;
	int neg;
	if (memcmp(buf, "+1PI", 4) == 0)
		neg = 0;
	else if (memcmp(buf, "-1PI", 4) == 0)
		neg = 1;
	else
		return -1;
	/* The magnitude may reach 2^63 when negative: INT64_MIN, which
	 * ipint_encode_wide() writes as "-1PI" and 2^63. */
	uint64_t mag = 0, lim = (uint64_t)INT64_MAX + (uint64_t)neg;
	for (size_t i = 6; i < len; i++) {
		if (mag >> 56)
			return -1; /* the shift would lose bits */
		mag = (mag << 8) | buf[i];
	}
	if (mag > lim)
		return -1;
	*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : neg ? -(int64_t)mag : (int64_t)mag;
	return 0;
}

json_t *ipint_encode_wide(int64_t v)
{
	unsigned char buf[14];
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	memcpy(buf, v < 0 ? "-1PI" : "+1PI", 4);
	buf[4] = 6; /* magnitude bytes minus two, as the server writes it */
	buf[5] = 0;
	for (int i = 0; i < 8; i++)
		buf[6 + i] = (unsigned char)(mag >> (56 - 8 * i));
	char text[32];
	b64_encode(buf, sizeof buf, text);
	return json_pack("[ss]", IPINT_MARKER, text);
}

json_t *ipint_encode(int64_t v)
{
	if (v >= INT32_MIN && v <= INT32_MAX)
		return json_integer(v);
	return ipint_encode_wide(v);
}
