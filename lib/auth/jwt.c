/*
 * jwt.c — access tokens: the auth gate, minting, roles (auth.h).
 *
 * libjwt 1.10 checks only the signature, and will even accept an HS256
 * token MACed with our public key as the secret (ENVIRONMENT.md §5), so
 * after decoding we pin the algorithm to RS256 and check exp, iat, iss,
 * typ, sub, role and sid ourselves, and ask the accounts module whether
 * the token's session was revoked.  Nothing about why a token failed
 * reaches the client; the reason goes to the debug log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth.h"
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "user/user.h"

#define KEY_MAX   16384
#define TOKEN_MAX 8192
#define LEEWAY_S  30
#define TTL_MAX   (366L * 86400)	/* longest token auth_mint signs */

static unsigned char *pub_key, *priv_key;
static size_t pub_len, priv_len;

static unsigned char *
read_key(const char *path, size_t *len)
{
	FILE *f;
	unsigned char *p;
	size_t n;

	if (path == NULL || *path == '\0')
		return NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		log_msg(LOG_ERROR, "auth: cannot read key %s: %s", path, strerror(errno));
		return NULL;
	}
	p = malloc(KEY_MAX + 1);
	n = p != NULL ? fread(p, 1, KEY_MAX + 1, f) : 0;
	fclose(f);
	if (p == NULL || n == 0 || n > KEY_MAX) {
		log_msg(LOG_ERROR, "auth: key %s is empty or larger than %d bytes", path, KEY_MAX);
		free(p);
		return NULL;
	}
	p[n] = '\0';
	*len = n;
	return p;
}

/* OpenSSL's default would prompt on the terminal for an encrypted key. */
static int
no_passphrase(char *out, int size, int rwflag, void *u)
{
	(void)out;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Whether pem is an RSA key of 2048 bits or more (private or public). */
static bool
rsa_key_ok(const unsigned char *pem, size_t len, bool private)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *k = NULL;
	bool ok;

	if (b != NULL)
		k = private ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) :
		    PEM_read_bio_PUBKEY(b, NULL, no_passphrase, NULL);
	ok = k != NULL && EVP_PKEY_base_id(k) == EVP_PKEY_RSA && EVP_PKEY_bits(k) >= 2048;
	EVP_PKEY_free(k);
	BIO_free(b);
	return ok;
}

/*
 * A key file that is named but unusable is a configuration error at start,
 * not a mystery 401 on every request later (STYLE 13): it must parse as an
 * unencrypted RSA key of 2048+ bits.
 */
int
auth_init(void)
{
	if (pub_key == NULL)
		pub_key = read_key(cfg->jwt_public_key, &pub_len);
	if (priv_key == NULL)
		priv_key = read_key(cfg->jwt_private_key, &priv_len);
	if ((cfg->jwt_public_key[0] != '\0' &&
	    (pub_key == NULL || !rsa_key_ok(pub_key, pub_len, false))) ||
	    (cfg->jwt_private_key[0] != '\0' &&
	    (priv_key == NULL || !rsa_key_ok(priv_key, priv_len, true)))) {
		log_msg(LOG_ERROR, "auth: ECOM_JWT_PUBLIC_KEY / ECOM_JWT_PRIVATE_KEY must name "
		    "readable, unencrypted RSA PEM keys of 2048 bits or more");
		goto fail;
	}
	if (pub_key == NULL && strcmp(cfg->env, "prod") == 0) {
		log_msg(LOG_ERROR, "auth: ECOM_JWT_PUBLIC_KEY is required in prod");
		goto fail;
	}
	return 0;
fail:
	free(pub_key);
	free(priv_key);
	pub_key = priv_key = NULL;
	return -1;
}

static const char *const role_names[] = { "public", "customer", "seller", "admin" };

const char *
role_name(role r)
{
	return r <= ROLE_ADMIN ? role_names[r] : "public";
}

int
role_parse(const char *s, role *out)
{
	for (int i = ROLE_CUSTOMER; i <= ROLE_ADMIN; i++)
		if (s != NULL && strcmp(s, role_names[i]) == 0) {
			*out = (role)i;
			return 0;
		}
	return -1;
}

/*
 * Decode tok and check everything but the principal: signature, RS256,
 * exp, iat, iss and typ.  The caller frees *out.  1 if valid, else 0.
 */
static int
decode_checked(const char *tok, const char *want_typ, jwt_t **out)
{
	jwt_t *j = NULL;
	const char *typ, *iss;
	long exp, iat;
	time_t now = time(NULL);

	*out = NULL;
	if (pub_key == NULL || strnlen(tok, TOKEN_MAX + 1) > TOKEN_MAX ||
	    jwt_decode(&j, tok, pub_key, (int)pub_len) != 0 || j == NULL) {
		log_msg(LOG_DEBUG, "auth: signature check failed");
		goto fail;
	}
	if (jwt_get_alg(j) != JWT_ALG_RS256) {
		log_msg(LOG_DEBUG, "auth: algorithm is not RS256");
		goto fail;
	}
	/* compare as exp < now - leeway: exp + leeway would overflow for an
	 * exp near LONG_MAX and wrap a valid token into an expired one */
	errno = 0;
	exp = jwt_get_grant_int(j, "exp");
	if (errno != 0 || exp < now - LEEWAY_S) {
		log_msg(LOG_DEBUG, "auth: token expired or without exp");
		goto fail;
	}
	errno = 0;
	iat = jwt_get_grant_int(j, "iat");
	if (errno != 0 || iat > now + LEEWAY_S) {
		log_msg(LOG_DEBUG, "auth: iat missing or in the future");
		goto fail;
	}
	iss = jwt_get_grant(j, "iss");
	typ = jwt_get_grant(j, "typ");
	if (iss == NULL || strcmp(iss, cfg->jwt_issuer) != 0 || typ == NULL ||
	    strcmp(typ, want_typ) != 0) {
		log_msg(LOG_DEBUG, "auth: wrong iss or typ");
		goto fail;
	}
	*out = j;
	return 1;
fail:
	jwt_free(j);
	return 0;
}

/* Verify an access token; on success copy the claims into the arena. */
static int
verify(request *req, const char *tok)
{
	jwt_t *j;
	const char *sub, *rl, *email, *sid;
	role r;
	int ok = 0;

	if (!decode_checked(tok, "access", &j))
		return 0;
	sub = jwt_get_grant(j, "sub");
	rl = jwt_get_grant(j, "role");
	email = jwt_get_grant(j, "email");
	sid = jwt_get_grant(j, "sid");
	if (!uuid_valid(sub) || role_parse(rl, &r) != 0 || (sid != NULL && !uuid_valid(sid))) {
		log_msg(LOG_DEBUG, "auth: wrong sub, role or sid");
		goto out;
	}
	/* all or nothing: a half-filled principal must not survive a failure */
	req->user_id = arena_strdup(req->a, sub);
	req->user_email = email != NULL ? arena_strdup(req->a, email) : NULL;
	req->session_id = sid != NULL ? arena_strdup(req->a, sid) : NULL;
	ok = req->user_id != NULL && (email == NULL || req->user_email != NULL) &&
	    (sid == NULL || req->session_id != NULL);
	if (ok) {
		req->user_role = r;
	} else {
		req->user_id = NULL;
		req->user_email = NULL;
		req->session_id = NULL;
	}
out:
	jwt_free(j);
	return ok;
}

int
auth_verify_refresh(const char *tok, auth_refresh_claims *out)
{
	jwt_t *j;
	const char *sub, *sid, *jti;
	int ok = 0;

	memset(out, 0, sizeof *out);
	if (tok == NULL || !decode_checked(tok, "refresh", &j))
		return -1;
	sub = jwt_get_grant(j, "sub");
	sid = jwt_get_grant(j, "sid");
	jti = jwt_get_grant(j, "jti");
	if (uuid_valid(sub) && uuid_valid(sid) && uuid_valid(jti)) {
		memcpy(out->sub, sub, 37);
		memcpy(out->sid, sid, 37);
		memcpy(out->jti, jti, 37);
		out->exp = (int64_t)jwt_get_grant_int(j, "exp");
		ok = 1;
	} else {
		log_msg(LOG_DEBUG, "auth: refresh token without sub, sid or jti");
	}
	jwt_free(j);
	return ok ? 0 : -1;
}

/* Drop whatever verify() put into the principal. */
static void
clear_principal(request *req)
{
	req->user_id = NULL;
	req->user_email = NULL;
	req->session_id = NULL;
	req->user_role = ROLE_PUBLIC;
}

ecode
auth_gate(request *req, error *e)
{
	const char *h = req_header(req, "Authorization"), *tok = NULL;

	clear_principal(req);
	if (h != NULL && *h != '\0') {
		/* the scheme name is case-insensitive (RFC 7235 §2.1); a header
		 * that names Bearer but carries nothing is a failed login, not a
		 * guest */
		if (strncasecmp(h, "Bearer ", 7) != 0)
			return err_set(e, E_UNAUTHORIZED, "use Authorization: Bearer <access token>");
		tok = h + 7;
		if (*tok == '\0')
			return err_set(e, E_UNAUTHORIZED, "invalid or expired token");
	} else {
		tok = req_cookie(req, session_access_cookie(req));
		if (tok == NULL || *tok == '\0')
			return E_OK;
	}
	if (!verify(req, tok))
		return err_set(e, E_UNAUTHORIZED, "invalid or expired token");
	/* a logout or a detected refresh-token theft must end the session's
	 * access tokens now, not when they expire */
	if (req->session_id != NULL && user_session_revoked(req->a, req->session_id)) {
		clear_principal(req);
		return err_set(e, E_UNAUTHORIZED, "invalid or expired token");
	}
	return E_OK;
}

char *
auth_mint(const char *sub, const char *email, role r, const char *typ,
    const char *sid, int64_t ttl_s, char jti_out[37], error *e)
{
	jwt_t *j = NULL;
	char jti[37], *tok = NULL;
	time_t now = time(NULL);

	if (priv_key == NULL) {
		err_set(e, E_INTERNAL, "no private key configured (ECOM_JWT_PRIVATE_KEY)");
		return NULL;
	}
	if (!uuid_valid(sub) || r <= ROLE_PUBLIC || r > ROLE_ADMIN || ttl_s <= 0 ||
	    ttl_s > TTL_MAX || typ == NULL ||
	    (strcmp(typ, "access") != 0 && strcmp(typ, "refresh") != 0) ||
	    (sid != NULL && !uuid_valid(sid))) {
		err_set(e, E_INVALID_INPUT, "sub must be a UUID, role customer, seller or admin, "
		    "typ access or refresh, sid a UUID if given, ttl 1 s to 366 days");
		return NULL;
	}
	if (uuid_v4(jti) != 0) {
		err_set(e, E_INTERNAL, "no randomness for the token id");
		return NULL;
	}
	if (jwt_new(&j) != 0 ||
	    jwt_add_grant(j, "sub", sub) != 0 ||
	    jwt_add_grant(j, "role", role_name(r)) != 0 ||
	    (email != NULL && jwt_add_grant(j, "email", email) != 0) ||
	    jwt_add_grant(j, "typ", typ) != 0 ||
	    jwt_add_grant(j, "iss", cfg->jwt_issuer) != 0 ||
	    jwt_add_grant(j, "jti", jti) != 0 ||
	    (sid != NULL && jwt_add_grant(j, "sid", sid) != 0) ||
	    jwt_add_grant_int(j, "iat", (long)now) != 0 ||
	    jwt_add_grant_int(j, "exp", (long)(now + ttl_s)) != 0 ||
	    jwt_set_alg(j, JWT_ALG_RS256, priv_key, (int)priv_len) != 0 ||
	    (tok = jwt_encode_str(j)) == NULL)
		err_set(e, E_INTERNAL, "could not sign the token");
	else if (jti_out != NULL)
		memcpy(jti_out, jti, sizeof jti);
	jwt_free(j);
	return tok;
}
