/*
 * totp.c — TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA1, base32
 * secrets (RFC 4648 §6) and recovery codes (totp.h).
 *
 * Codes are compared in constant time at every step of the window, so the
 * time a check takes says nothing about which step (if any) matched.  The
 * caller stores the step returned and passes it back as last_step; a step
 * not after it is refused, which makes every code single-use (RFC 6238
 * §5.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "totp.h"

#define SECRET_MIN_BYTES	16	/* RFC 4226 §4 R6: at least 128 bits */
#define SECRET_MAX_BYTES	64	/* what fits TOTP_SECRET_B32_MAX-sized input */
#define CODE_INPUT_MAX		32	/* "123 456" with generous spacing */
#define URI_PART_MAX		320	/* issuer or e-mail (RFC 5321 limits an address to 254) */

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Fill buf from getrandom(2), which may return short; 0 or -1. */
static int
random_bytes(unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = getrandom(buf + got, n - got, 0);

		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

int
base32_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
	uint32_t bits = 0;
	int nbits = 0;
	size_t o = 0;

	/* ceil(8n / 5) characters and a NUL; n is small, but check anyway. */
	if (n > (SIZE_MAX - 5) / 8 || cap < (n * 8 + 4) / 5 + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bits = (bits << 8) | in[i];
		nbits += 8;
		while (nbits >= 5) {
			out[o++] = b32_alphabet[(bits >> (nbits - 5)) & 31];
			nbits -= 5;
		}
	}
	if (nbits > 0)
		out[o++] = b32_alphabet[(bits << (5 - nbits)) & 31];
	out[o] = '\0';
	return 0;
}

/* The 5-bit value of a base32 character (either case), or -1. */
static int
b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
base32_decode(const char *in, unsigned char *out, size_t cap)
{
	uint32_t bits = 0;
	int nbits = 0, v;
	size_t o = 0;

	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '=')
			continue;
		if ((v = b32_value(*in)) < 0)
			return -1;
		bits = (bits << 5) | (uint32_t)v;
		nbits += 5;
		if (nbits >= 8) {
			if (o >= cap || o >= INT32_MAX)
				return -1;
			out[o++] = (unsigned char)(bits >> (nbits - 8));
			nbits -= 8;
		}
		bits &= (1u << nbits) - 1;	/* keep only the bits not yet output */
	}
	/* Fewer than 8 bits left over are the encoder's padding (RFC 4648 §6). */
	return (int)o;
}

/* RFC 4226 §5.3: HOTP value for counter, truncated to TOTP_DIGITS. */
static int
hotp(const unsigned char *key, size_t keylen, uint64_t counter)
{
	unsigned char msg[8], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint32_t bin;
	int off;

	for (int i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (unsigned char)(counter & 0xff);
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof msg, md, &mdlen) == NULL ||
	    mdlen != 20)
		return -1;
	off = md[19] & 0x0f;
	bin = ((uint32_t)(md[off] & 0x7f) << 24) | ((uint32_t)md[off + 1] << 16) |
	    ((uint32_t)md[off + 2] << 8) | md[off + 3];
	OPENSSL_cleanse(md, sizeof md);
	return (int)(bin % 1000000u);	/* 10^TOTP_DIGITS */
}

/* Decode a secret into key[SECRET_MAX_BYTES]; its length or -1 if unusable. */
static int
secret_key(const char *secret_b32, unsigned char key[SECRET_MAX_BYTES])
{
	int n = base32_decode(secret_b32, key, SECRET_MAX_BYTES);

	return n >= SECRET_MIN_BYTES ? n : -1;
}

int
totp_secret_new(char out[TOTP_SECRET_B32_MAX])
{
	unsigned char raw[TOTP_SECRET_BYTES];
	int rc = -1;

	if (random_bytes(raw, sizeof raw) == 0)
		rc = base32_encode(raw, sizeof raw, out, TOTP_SECRET_B32_MAX);
	OPENSSL_cleanse(raw, sizeof raw);
	return rc;
}

int
totp_code(const char *secret_b32, int64_t t)
{
	unsigned char key[SECRET_MAX_BYTES];
	int n, code = -1;

	if (t < 0)
		return -1;
	if ((n = secret_key(secret_b32, key)) > 0)
		code = hotp(key, (size_t)n, (uint64_t)(t / TOTP_STEP_S));
	OPENSSL_cleanse(key, sizeof key);
	return code;
}

/* The 6 digits of a typed code (spaces allowed) into d[6]; 0 or -1. */
static int
code_digits(const char *code, char d[TOTP_DIGITS])
{
	int nd = 0;

	if (code == NULL || strnlen(code, CODE_INPUT_MAX + 1) > CODE_INPUT_MAX)
		return -1;
	for (; *code != '\0'; code++) {
		if (*code == ' ')
			continue;
		if (*code < '0' || *code > '9' || nd == TOTP_DIGITS)
			return -1;
		d[nd++] = *code;
	}
	return nd == TOTP_DIGITS ? 0 : -1;
}

/* v (below 10^6) as the 6 zero-padded digits an app shows, no NUL. */
static void
digits_of(int v, char d[TOTP_DIGITS])
{
	for (int i = TOTP_DIGITS - 1; i >= 0; i--, v /= 10)
		d[i] = (char)('0' + v % 10);
}

int64_t
totp_verify(const char *secret_b32, const char *code, int64_t now,
    int64_t last_step)
{
	unsigned char key[SECRET_MAX_BYTES];
	char want[TOTP_DIGITS], got[TOTP_DIGITS];
	int64_t step, matched = -1;
	int n;

	if (now < 0 || code_digits(code, want) != 0)
		return -1;
	if ((n = secret_key(secret_b32, key)) < 0) {
		OPENSSL_cleanse(key, sizeof key);
		return -1;
	}
	step = now / TOTP_STEP_S;
	/*
	 * Every step of the window is computed and compared, match or not;
	 * the first one after last_step that matches is the answer.
	 */
	for (int64_t s = step - TOTP_WINDOW; s <= step + TOTP_WINDOW; s++) {
		int v = s >= 0 ? hotp(key, (size_t)n, (uint64_t)s) : -1;
		bool eq;

		digits_of(v >= 0 ? v : 0, got);
		eq = v >= 0 && CRYPTO_memcmp(got, want, TOTP_DIGITS) == 0;
		if (eq && s > last_step && matched < 0)
			matched = s;
	}
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(got, sizeof got);
	return matched;
}

/* Append s percent-encoded (RFC 3986: all but unreserved characters). */
static char *
pct_append(char *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	return o;
}

/*
 * Key URI format of Google Authenticator, which every app reads: the label
 * is "issuer:account" and the issuer is repeated as a parameter.
 */
char *
totp_uri(const char *issuer, const char *email, const char *secret_b32)
{
	static const char scheme[] = "otpauth://totp/";
	size_t li, le, ls, cap;
	char *uri, *o;

	if (issuer == NULL || email == NULL || secret_b32 == NULL)
		return NULL;
	li = strnlen(issuer, URI_PART_MAX + 1);
	le = strnlen(email, URI_PART_MAX + 1);
	ls = strnlen(secret_b32, TOTP_SECRET_B32_MAX);
	if (li == 0 || li > URI_PART_MAX || le == 0 || le > URI_PART_MAX ||
	    ls == 0 || ls >= TOTP_SECRET_B32_MAX)
		return NULL;
	/* The secret goes in as it is, so it must be canonical base32. */
	for (size_t i = 0; i < ls; i++)
		if (strchr(b32_alphabet, secret_b32[i]) == NULL)
			return NULL;
	/* Bounded above, so this cannot overflow: each byte grows to 3 at most. */
	cap = sizeof scheme + 3 * li + 3 + 3 * le + sizeof "?secret=" + ls +
	    sizeof "&issuer=" + 3 * li + 1;
	if ((uri = malloc(cap)) == NULL)
		return NULL;
	o = uri;
	memcpy(o, scheme, sizeof scheme - 1);
	o += sizeof scheme - 1;
	o = pct_append(o, issuer);
	*o++ = ':';
	o = pct_append(o, email);
	o += snprintf(o, cap - (size_t)(o - uri), "?secret=%s&issuer=", secret_b32);
	o = pct_append(o, issuer);
	*o = '\0';
	return uri;
}

/*
 * Ten characters of lower-case base32 (50 bits) from one random byte each:
 * 256 is a multiple of 32, so byte & 31 is uniform.
 */
int
recovery_code_new(char out[RECOVERY_CODE_MAX])
{
	unsigned char raw[10];
	int o = 0;

	if (random_bytes(raw, sizeof raw) != 0)
		return -1;
	for (int i = 0; i < 10; i++) {
		if (i == 5)
			out[o++] = '-';
		out[o++] = (char)(b32_alphabet[raw[i] & 31] | 0x20);	/* lower case; digits unchanged */
	}
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return 0;
}

int
recovery_code_normalize(const char *in, char out[RECOVERY_CODE_MAX])
{
	int n = 0;

	if (in == NULL || strnlen(in, CODE_INPUT_MAX + 1) > CODE_INPUT_MAX)
		return -1;
	for (; *in != '\0'; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (b32_value(*in) < 0 || n == 10)
			return -1;
		out[n++] = (*in >= 'A' && *in <= 'Z') ? (char)(*in - 'A' + 'a') : *in;
	}
	out[n] = '\0';
	return n == 10 ? 0 : -1;
}
