/*
 * totp.h — time-based one-time passwords (RFC 6238 over RFC 4226 HOTP,
 * HMAC-SHA1, 6 digits, 30 s steps: what every authenticator app speaks),
 * base32 secrets (RFC 4648, no padding), and recovery codes.
 */
#ifndef ECOM_TOTP_H
#define ECOM_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES	20	/* 160-bit secret, RFC 4226 recommendation */
#define TOTP_SECRET_B32_MAX	64	/* buffer for a base32 secret + NUL */
#define TOTP_STEP_S		30
#define TOTP_DIGITS		6
#define TOTP_WINDOW		1	/* steps accepted either side of now */
#define RECOVERY_CODES		10
#define RECOVERY_CODE_MAX	16	/* "xxxxx-xxxxx" + NUL, lower-case base32 */

/* A new random secret, base32-encoded.  0 or -1. */
int totp_secret_new(char out[TOTP_SECRET_B32_MAX]);
/* Base32 (upper or lower case, spaces and '=' ignored) to bytes; returns
 * the byte count or -1 on a bad character or overflow. */
int base32_decode(const char *in, unsigned char *out, size_t cap);
/* Bytes to base32 without padding; returns 0 or -1 if cap is too small. */
int base32_encode(const unsigned char *in, size_t n, char *out, size_t cap);
/* The code for a secret at time t (Unix seconds); -1 on a bad secret. */
int totp_code(const char *secret_b32, int64_t t);
/*
 * Check a 6-digit code (spaces allowed) against now +-TOTP_WINDOW steps.
 * Returns the matched step (> last_step) or -1.  A step <= last_step is
 * refused, so a code cannot be used twice; store the returned step.
 */
int64_t totp_verify(const char *secret_b32, const char *code, int64_t now,
    int64_t last_step);
/* otpauth://totp/ISSUER:EMAIL?secret=...&issuer=ISSUER for QR codes and
 * manual entry; malloc'd (free it) or NULL. */
char *totp_uri(const char *issuer, const char *email, const char *secret_b32);
/* A random recovery code "abcde-fghij".  0 or -1. */
int recovery_code_new(char out[RECOVERY_CODE_MAX]);
/* Canonical form for hashing: lower case, '-' and spaces removed; 0 or -1
 * when it cannot be a recovery code. */
int recovery_code_normalize(const char *in, char out[RECOVERY_CODE_MAX]);

#endif
