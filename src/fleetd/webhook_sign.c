/* webhook_sign.c -- see webhook_sign.h.  Owns no state; must not log or
 * keep the key or the body. */
#include "webhook_sign.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

int webhook_hmac_hex(const void *key, size_t key_len, const void *msg, size_t len,
		     char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	/* HMAC() takes an int key length: keys are bounded well below */
	if (key_len > 1 << 20 ||
	    !HMAC(EVP_sha256(), key, (int)key_len, msg, len, mac, &mac_len) ||
	    mac_len != 32)
		return -1;
	to_hex(mac, mac_len, out);
	return 0;
}

int webhook_sign(const void *key, size_t key_len, const void *body, size_t len,
		 char out[WEBHOOK_SIG_LEN])
{
	memcpy(out, "sha256=", 7);
	return webhook_hmac_hex(key, key_len, body, len, out + 7);
}

int webhook_new_secret(char out[WEBHOOK_SECRET_LEN])
{
	unsigned char b[32];
	size_t got = 0;
	while (got < sizeof b) {
		ssize_t n = getrandom(b + got, sizeof b - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	to_hex(b, sizeof b, out);
	memset(b, 0, sizeof b);
	return 0;
}
