/*
 * password.c — bcrypt-sha256 hashing and the NIST SP 800-63B policy
 * (password.h).
 *
 * bcrypt keys on at most 72 bytes and stops at a NUL, so every password is
 * first reduced to base64(SHA-256(password)): 44 printable bytes that carry
 * all of a long passphrase.  The hash is libxcrypt's "$2b$" at
 * cfg->password_cost with a salt from the OS; verification recomputes it
 * and compares in constant time.  Only the "$2b$" form this file writes is
 * accepted, so a stored string of another scheme (or a truncated one)
 * never verifies.
 *
 * The common-password list is lib/auth/common-passwords.txt: the 10,000
 * most frequent passwords of the "passwords" frequency list shipped in the
 * npm package zxcvbn 4.4.2 (lib/frequency_lists.js; Copyright (c) 2012-2016
 * Dan Wheeler and Dropbox, Inc., MIT licence), lower-cased, deduplicated
 * and sorted.  The build turns it into a sorted array of C strings
 * (common-passwords.inc, see Makefile.am) that is compiled in, so a
 * responder never depends on a data file at run time, and a lookup is a
 * binary search.
 */
#include <crypt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "password.h"
#include "core/config.h"
#include "core/log.h"

/* The Makefile sorts the list in the C locale, lower-cased and unique. */
static const char *const common_passwords[] = {
#include "lib/auth/common-passwords.inc"
};
#define NCOMMON (sizeof common_passwords / sizeof common_passwords[0])
#define COMMON_MAX 64	/* longer inputs cannot be in the list (longest is 18) */

#define PREHASH_LEN	44	/* base64 of 32 bytes */
#define BCRYPT_LEN	60	/* "$2b$NN$" + 22 salt + 31 hash characters */
#define BCRYPT_PREFIX	"$2b$"

/* base64(SHA-256(pw)) into out[PREHASH_LEN + 1]; 0 or -1. */
static int
prehash(const char *pw, size_t n, char out[PREHASH_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = -1;

	if (EVP_Digest(pw, n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32 &&
	    EVP_EncodeBlock((unsigned char *)out, md, 32) == PREHASH_LEN)
		rc = 0;
	OPENSSL_cleanse(md, sizeof md);
	return rc;
}

/* Whether c belongs to bcrypt's base64 alphabet ("./A-Za-z0-9"). */
static bool
bcrypt_b64(char c)
{
	return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The cost of a well-formed "$2b$NN$..." hash, or -1 for anything else. */
static int
hash_cost(const char *hash)
{
	int cost;

	if (hash == NULL || strnlen(hash, BCRYPT_LEN + 1) != BCRYPT_LEN ||
	    strncmp(hash, BCRYPT_PREFIX, 4) != 0 ||
	    hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9' ||
	    hash[6] != '$')
		return -1;
	cost = (hash[4] - '0') * 10 + (hash[5] - '0');
	if (cost < 4 || cost > 31)
		return -1;
	for (int i = 7; i < BCRYPT_LEN; i++)
		if (!bcrypt_b64(hash[i]))
			return -1;
	return cost;
}

/*
 * bcrypt of pw's prehash with setting (a salt string or a full hash, whose
 * salt and cost are reused) into out[PASSWORD_HASH_MAX].  0 or -1.  The
 * crypt_data is 32 KiB and holds key material, hence on the stack and wiped.
 */
static int
bcrypt_with(const char *pw, const char *setting, char out[PASSWORD_HASH_MAX])
{
	struct crypt_data data;
	char pre[PREHASH_LEN + 1];
	const char *h;
	size_t n;
	int rc = -1;

	if (pw == NULL || (n = strnlen(pw, PASSWORD_MAX_BYTES + 1)) > PASSWORD_MAX_BYTES)
		return -1;
	if (prehash(pw, n, pre) != 0)
		return -1;
	memset(&data, 0, sizeof data);
	h = crypt_r(pre, setting, &data);
	/* libxcrypt reports failure as NULL or as a string starting with '*'. */
	if (h != NULL && h[0] != '*' && strlen(h) < PASSWORD_HASH_MAX) {
		memcpy(out, h, strlen(h) + 1);
		rc = 0;
	}
	OPENSSL_cleanse(&data, sizeof data);
	OPENSSL_cleanse(pre, sizeof pre);
	return rc;
}

int
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];

	/* Not a failure worth a log line: the policy keeps such input out. */
	if (cfg == NULL || pw == NULL || strnlen(pw, PASSWORD_MAX_BYTES + 1) > PASSWORD_MAX_BYTES)
		return -1;
	/* NULL random bytes: libxcrypt reads them from getrandom(2) itself. */
	if (crypt_gensalt_rn(BCRYPT_PREFIX, (unsigned long)cfg->password_cost,
	    NULL, 0, salt, (int)sizeof salt) == NULL) {
		log_msg(LOG_ERROR, "password: crypt_gensalt_rn failed");
		return -1;
	}
	if (bcrypt_with(pw, salt, out) != 0 || hash_cost(out) < 0) {
		log_msg(LOG_ERROR, "password: bcrypt failed");
		return -1;
	}
	return 0;
}

bool
password_verify(const char *pw, const char *hash)
{
	char got[PASSWORD_HASH_MAX];
	bool ok;

	if (hash_cost(hash) < 0 || bcrypt_with(pw, hash, got) != 0)
		return false;
	ok = strlen(got) == BCRYPT_LEN && CRYPTO_memcmp(got, hash, BCRYPT_LEN) == 0;
	OPENSSL_cleanse(got, sizeof got);
	return ok;
}

/*
 * Made on first use from 32 random bytes nobody keeps.  Should that fail,
 * a fixed well-formed hash at the configured cost stands in: verifying
 * against it costs the same, and no password is known to produce it.
 */
const char *
password_dummy_hash(void)
{
	static char dummy[PASSWORD_HASH_MAX];
	unsigned char raw[32];
	char pw[2 * sizeof raw + 1];

	if (dummy[0] != '\0')
		return dummy;
	if (getrandom(raw, sizeof raw, 0) == (ssize_t)sizeof raw) {
		for (size_t i = 0; i < sizeof raw; i++)
			snprintf(pw + 2 * i, 3, "%02x", raw[i]);
		if (password_hash(pw, dummy) != 0)
			dummy[0] = '\0';
	}
	OPENSSL_cleanse(raw, sizeof raw);
	OPENSSL_cleanse(pw, sizeof pw);
	if (dummy[0] == '\0') {
		log_msg(LOG_WARN, "password: using the fixed dummy hash");
		snprintf(dummy, sizeof dummy, "$2b$%02d$%.22s%.31s",
		    cfg != NULL ? (int)cfg->password_cost : 12,
		    "......................", "JYcMDRFL0vY1VqKpd1cS7vVrdVzPL7S");
	}
	return dummy;
}

bool
password_needs_rehash(const char *hash)
{
	int cost = hash_cost(hash);

	return cost < 0 || cfg == NULL || cost != cfg->password_cost;
}

static int
cmp_common(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool
password_is_common(const char *pw)
{
	char low[COMMON_MAX + 1];
	size_t n;

	if (pw == NULL || (n = strnlen(pw, COMMON_MAX + 1)) > COMMON_MAX)
		return false;
	/* The list is ASCII; other bytes are left as they are. */
	for (size_t i = 0; i <= n; i++)
		low[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] - 'A' + 'a') : pw[i];
	return bsearch(low, common_passwords, NCOMMON, sizeof common_passwords[0],
	    cmp_common) != NULL;
}

/*
 * The number of code points in s[0..n), or -1 when it is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF).
 */
static long
utf8_count(const unsigned char *s, size_t n)
{
	long count = 0;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			count++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2, cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3, cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4, cp = c & 0x07;
		} else {
			return -1;
		}
		if (n - i < len)
			return -1;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return -1;
		i += len;
		count++;
	}
	return count;
}

/* Whether pw is the e-mail address or its local part, ignoring ASCII case. */
static bool
is_email(const char *pw, const char *email)
{
	const char *at;

	if (email == NULL || email[0] == '\0')
		return false;
	if (strcasecmp(pw, email) == 0)
		return true;
	at = strrchr(email, '@');
	return at != NULL && at > email && strlen(pw) == (size_t)(at - email) &&
	    strncasecmp(pw, email, (size_t)(at - email)) == 0;
}

ecode
password_check_policy(const char *pw, const char *email, const char *field,
    error *e)
{
	size_t n;
	long chars;

	if (pw == NULL)
		pw = "";
	/* Length in bytes first, so nothing below walks an unbounded string. */
	if ((n = strnlen(pw, PASSWORD_MAX_BYTES + 1)) > PASSWORD_MAX_BYTES)
		return err_field(e, field, "use at most %d bytes (a shorter passphrase)",
		    PASSWORD_MAX_BYTES);
	if ((chars = utf8_count((const unsigned char *)pw, n)) < 0)
		return err_field(e, field, "the password is not valid UTF-8 text; type it again");
	if (chars < PASSWORD_MIN_CHARS)
		return err_field(e, field, "use at least %d characters (%d or more is better)",
		    PASSWORD_MIN_CHARS, PASSWORD_RECOMMENDED);
	if (password_is_common(pw))
		return err_field(e, field, "this password is too common; choose another");
	if (is_email(pw, email))
		return err_field(e, field, "do not use your e-mail address; choose another password");
	return E_OK;
}
