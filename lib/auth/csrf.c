/*
 * csrf.c — CSRF tokens for HTML forms (auth.h).
 *
 * A token is 32 bytes in base64url (43 characters): the minute it was made
 * (4 bytes, big-endian minutes since 1970) and the first 28 bytes of
 * HMAC-SHA256(server secret, binding and minute).  The binding is the
 * session id for a signed-in browser, so a token taken from another
 * session (another account, or this account before a logout) fails; for a
 * guest it is a random value in a cookie of its own.  An attacker's page can
 * make the browser send cookies but can neither read them nor compute the
 * HMAC, so it cannot fill in the form field.  The minute lets an old token
 * be refused: a form left open longer than CSRF_MAX_AGE_S must be reloaded,
 * which bounds what a leaked token (a screenshot, a cached page) is worth.
 *
 * Requests carrying a verified Bearer token are not exposed to CSRF (a
 * browser never adds that header by itself) and need no token.  JSON calls
 * that a browser authenticates with the session cookie are: they must send
 * the token in X-CSRF-Token.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"

#define CSRF_MAX_AGE_S	(12 * 3600)
#define CSRF_SKEW_S	120		/* clocks of two web nodes may differ */
#define TOKEN_LEN	43		/* base64url of 32 bytes */
#define BINDING_LEN	43		/* the guest cookie: base64url of 32 random bytes */
#define MAC_BYTES	28

static unsigned char secret[64];	/* the first 64 bytes of the file are the key */
static size_t secret_len;
static int secret_failed;		/* prod without a usable file: fail closed */

/*
 * The HMAC key, read once.  Without a usable ECOM_SECRET_FILE a dev or test
 * process makes up its own key (tokens then fail across FastCGI workers,
 * which is why prod refuses: every form would break at random).
 */
static int
load_secret(void)
{
	FILE *f;

	if (secret_len > 0)
		return 0;
	if (secret_failed)
		return -1;
	if (cfg->secret_file[0] != '\0') {
		if ((f = fopen(cfg->secret_file, "rb")) != NULL) {
			secret_len = fread(secret, 1, sizeof secret, f);
			fclose(f);
			if (secret_len >= 32)
				return 0;
			secret_len = 0;
			log_msg(LOG_ERROR, "csrf: %s holds fewer than 32 bytes", cfg->secret_file);
		} else {
			log_msg(LOG_ERROR, "csrf: cannot read %s", cfg->secret_file);
		}
	}
	if (strcmp(cfg->env, "prod") == 0) {
		log_msg(LOG_ERROR, "csrf: ECOM_SECRET_FILE (32+ bytes) is required in prod; "
		    "forms are refused until it is set");
		secret_failed = 1;
		return -1;
	}
	log_msg(LOG_WARN, "csrf: no usable ECOM_SECRET_FILE; using a per-process secret");
	if (getrandom(secret, 32, 0) != 32)
		return -1;
	secret_len = 32;
	return 0;
}

static void
b64url(const unsigned char *in, size_t n, char *out)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = tbl[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = tbl[v & 63];
	}
	out[o] = '\0';
}

static const char *
cookie_name(const request *req)
{
	/* __Host- requires Secure, which browsers refuse to set over http */
	return req->https ? "__Host-csrf" : "csrf";
}

/* The 32 raw bytes of a 43-character base64url token; -1 if malformed. */
static int
b64url_decode32(const char *in, unsigned char out[32])
{
	unsigned v = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < TOKEN_LEN; i++) {
		char c = in[i];
		unsigned d;

		if (c >= 'A' && c <= 'Z')
			d = (unsigned)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			d = (unsigned)(c - 'a') + 26;
		else if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0') + 52;
		else if (c == '-')
			d = 62;
		else if (c == '_')
			d = 63;
		else
			return -1;
		v = (v << 6 | d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < 32)
				out[o++] = (unsigned char)(v >> bits);
		}
	}
	return o == 32 ? 0 : -1;
}

/*
 * The token for binding (kind 's' session id, 'g' guest cookie) made in
 * `minute`.  The kind is part of the MAC input so a guest cookie that
 * happens to equal a session id cannot stand in for it.
 */
int
auth_hmac(const void *msg, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	if (load_secret() != 0 ||
	    HMAC(EVP_sha256(), secret, (int)secret_len, msg, n, out, &len) == NULL || len != 32)
		return -1;
	return 0;
}

const char *
auth_hmac_hex(arena *a, const char *purpose, const char *id)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[32];
	char *msg, *out;

	if (!id || !(msg = arena_printf(a, "%s:%s", purpose, id)) ||
	    auth_hmac(msg, strlen(msg), mac) != 0 || !(out = arena_alloc(a, 65)))
		return NULL;
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
	return out;
}

static int
token_for(char kind, const char *binding, uint32_t minute, char out[TOKEN_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE], raw[32];
	char msg[160];
	unsigned int maclen = 0;
	int n = snprintf(msg, sizeof msg, "csrf|%c|%s|%u", kind, binding, (unsigned)minute);

	if (n < 0 || (size_t)n >= sizeof msg || load_secret() != 0 ||
	    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)msg,
	    (size_t)n, mac, &maclen) == NULL || maclen < MAC_BYTES)
		return -1;
	raw[0] = (unsigned char)(minute >> 24);
	raw[1] = (unsigned char)(minute >> 16);
	raw[2] = (unsigned char)(minute >> 8);
	raw[3] = (unsigned char)minute;
	memcpy(raw + 4, mac, MAC_BYTES);
	b64url(raw, sizeof raw, out);
	return 0;
}

/* What this request's tokens are bound to: the session when there is one
 * (the gate filled req->session_id from the token's sid), else the guest
 * cookie (NULL when the browser has none yet). */
static const char *
binding_of(const request *req, char *kind)
{
	const char *b;

	if (req->user_id != NULL && req->session_id != NULL && *req->session_id != '\0') {
		*kind = 's';
		return req->session_id;
	}
	*kind = 'g';
	b = req_cookie(req, cookie_name(req));
	return b != NULL && strlen(b) == BINDING_LEN ? b : NULL;
}

const char *
csrf_token(request *req, response *res)
{
	char kind, fresh[BINDING_LEN + 1], tok[TOKEN_LEN + 1];
	const char *binding = binding_of(req, &kind);

	if (binding == NULL) {
		unsigned char raw[32];
		if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
			return NULL;
		b64url(raw, sizeof raw, fresh);
		binding = fresh;
		if (resp_cookie(res, cookie_name(req), fresh, req->https ?
		    "Path=/; HttpOnly; Secure; SameSite=Lax" : "Path=/; HttpOnly; SameSite=Lax") != 0)
			return NULL;
	}
	if (token_for(kind, binding, (uint32_t)(time(NULL) / 60), tok) != 0)
		return NULL;
	return arena_strdup(req->a, tok);
}

/* The token the request sent: the form field, or the header.  A JSON body
 * has no form field, so a cookie-authenticated JSON call must use the
 * header (what a same-origin script can set and a cross-site form cannot). */
static const char *
sent_token(const request *req)
{
	const char *t = req->form != NULL ? req_form(req, "csrf_token") : NULL;

	return t != NULL ? t : req_header(req, "X-CSRF-Token");
}

bool
csrf_check(request *req)
{
	const char *auth = req_header(req, "Authorization");
	const char *sent = sent_token(req), *binding;
	unsigned char raw[32];
	char kind, want[TOKEN_LEN + 1];
	uint32_t minute;
	int64_t age;

	/* The gate verified this Bearer token (it refuses the request
	 * otherwise, and a Bearer header wins over the cookie there), and a
	 * browser never attaches one by itself: nothing to forge. */
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0 && req->user_id != NULL)
		return true;
	binding = binding_of(req, &kind);
	if (binding == NULL || sent == NULL || strlen(sent) != TOKEN_LEN ||
	    b64url_decode32(sent, raw) != 0)
		return false;
	minute = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | (uint32_t)raw[2] << 8 | raw[3];
	age = (int64_t)time(NULL) - (int64_t)minute * 60;
	if (age > CSRF_MAX_AGE_S || age < -CSRF_SKEW_S) {
		log_msg(LOG_INFO, "csrf: token from %lld s ago refused", (long long)age);
		return false;
	}
	if (token_for(kind, binding, minute, want) != 0)
		return false;
	return ct_equal(sent, want, TOKEN_LEN);
}
