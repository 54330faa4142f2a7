/* webhook_sign.h -- the X-Fleetd-Signature header of a webhook delivery:
 * "sha256=" and the lowercase hex HMAC-SHA256 (RFC 2104, FIPS 180-4) of
 * the exact request body keyed with the webhook's secret; and the secrets
 * fleetd makes when a client gives none.
 *
 * The HMAC is OpenSSL's libcrypto.  Owns nothing; never logs (the key and
 * the body may both be sensitive). */
#ifndef FLEETD_WEBHOOK_SIGN_H
#define FLEETD_WEBHOOK_SIGN_H

#include <stddef.h>

/* "sha256=" + 64 hex digits + NUL */
#define WEBHOOK_SIG_LEN (7 + 64 + 1)

/* Write the header's value into out; -1 if the HMAC could not be made. */
int webhook_sign(const void *key, size_t key_len, const void *body, size_t len,
		 char out[WEBHOOK_SIG_LEN]);

/* The hex HMAC-SHA256 alone (64 digits + NUL): the test vectors' form. */
int webhook_hmac_hex(const void *key, size_t key_len, const void *msg, size_t len,
		     char out[65]);

/* A new secret: 32 bytes from the kernel's random source (getrandom),
 * written as 64 hex digits + NUL.  -1 if the kernel gave none. */
#define WEBHOOK_SECRET_LEN 65
int webhook_new_secret(char out[WEBHOOK_SECRET_LEN]);

#endif
