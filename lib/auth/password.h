/*
 * password.h — password hashing and the password policy.
 *
 * Hashes are bcrypt ($2b$, libxcrypt crypt_r) at cost cfg->password_cost
 * (12 by default).  bcrypt reads only 72 bytes, so the password is first
 * reduced to base64(SHA-256(password)) — 44 bytes — and long passphrases
 * keep all their strength (the "bcrypt-sha256" construction).  The policy
 * follows NIST SP 800-63B: at least 8 characters, at most 256 bytes, no
 * composition rules, and refused when it is in the bundled list of common
 * passwords (lib/auth/common-passwords.txt, compiled in at build time) or
 * is the account's own e-mail address or its local part.
 */
#ifndef ECOM_PASSWORD_H
#define ECOM_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include "core/error.h"

#define PASSWORD_MIN_CHARS	8	/* code points */
#define PASSWORD_RECOMMENDED	15	/* what the forms suggest */
#define PASSWORD_MAX_BYTES	256
#define PASSWORD_HASH_MAX	128	/* buffer for a hash string */

/* Hash at the configured cost into out (NUL-terminated).  0, or -1 when pw
 * is NULL or longer than PASSWORD_MAX_BYTES or bcrypt fails (logged). */
int  password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);
/* Whether pw matches hash; constant time in the comparison.  A malformed
 * hash (anything but the "$2b$" form password_hash writes) is false.
 * Takes as long for a missing account when given password_dummy_hash(),
 * so timing does not reveal which e-mails exist. */
bool password_verify(const char *pw, const char *hash);
/* A valid hash of a random password at the configured cost (made once). */
const char *password_dummy_hash(void);
/* Whether hash was made at another cost than the configured one (true for
 * a malformed hash too: it cannot verify and should be replaced). */
bool password_needs_rehash(const char *hash);
/*
 * The policy.  E_OK, or an E_VALIDATION field error on `field` saying what
 * to change ("use at least 8 characters", "this password is too common").
 * email may be NULL.
 */
ecode password_check_policy(const char *pw, const char *email, const char *field,
    error *e);
/* Whether pw (ASCII case-insensitively) is in the common-password list. */
bool password_is_common(const char *pw);

#endif
