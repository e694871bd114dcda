/*
 * csrf.c — CSRF tokens for HTML forms (auth.h).
 *
 * The token is HMAC-SHA256(server secret, binding), where the binding is a
 * random value in a cookie of its own; an attacker's page can make the
 * browser send the cookie but can neither read it nor compute the HMAC, so
 * it cannot fill in the form field.  The accounts issue will bind to the
 * session instead.  Requests carrying a Bearer token are not exposed to
 * CSRF and the gate does not ask them for a token.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth.h"
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"

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

static int
token_for(const char *binding, char out[44])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (load_secret() != 0 ||
	    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)binding,
	    strlen(binding), mac, &maclen) == NULL)
		return -1;
	b64url(mac, 32, out);
	return 0;
}

const char *
csrf_token(request *req, response *res)
{
	const char *binding = req_cookie(req, cookie_name(req));
	char fresh[44], tok[44];

	if (binding == NULL || strlen(binding) != 43) {
		unsigned char raw[32];
		if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
			return NULL;
		b64url(raw, sizeof raw, fresh);
		binding = fresh;
		if (resp_cookie(res, cookie_name(req), fresh, req->https ?
		    "Path=/; HttpOnly; Secure; SameSite=Lax" : "Path=/; HttpOnly; SameSite=Lax") != 0)
			return NULL;
	}
	if (token_for(binding, tok) != 0)
		return NULL;
	return arena_strdup(req->a, tok);
}

bool
csrf_check(request *req)
{
	const char *binding = req_cookie(req, cookie_name(req));
	const char *sent = req_form(req, "csrf_token");
	const char *auth = req_header(req, "Authorization");
	char want[44];

	/* The gate verified this Bearer token (it refuses the request
	 * otherwise, and a Bearer header wins over the cookie there), and a
	 * browser never attaches one by itself: nothing to forge. */
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0 && req->user_id != NULL)
		return true;
	if (sent == NULL)
		sent = req_header(req, "X-CSRF-Token");
	if (binding == NULL || strlen(binding) != 43 || sent == NULL || strlen(sent) != 43 ||
	    token_for(binding, want) != 0)
		return false;
	return ct_equal(sent, want, 43);
}
