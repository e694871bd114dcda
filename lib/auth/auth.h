/*
 * auth.h — who is calling: JWT (RS256) verification and minting, and CSRF.
 *
 * The accounts issue builds users, sessions and refresh tokens on top of
 * this; here is what every responder's gate needs: verify an access token
 * from `Authorization: Bearer` (or the session cookie) with the algorithm
 * pinned to RS256 and exp/iss/typ checked by hand (libjwt 1.10 checks only
 * the signature), and mint tokens for tools and tests with the dev key.
 */
#ifndef ECOM_AUTH_H
#define ECOM_AUTH_H

#include <stdint.h>
#include "core/http.h"

#define AUTH_ACCESS_COOKIE  "__Host-access"
#define AUTH_ACCESS_TTL     900

/* Load keys named in config; 0 or -1 (message logged).  Missing keys are
 * allowed in dev (no authenticated calls possible) but not in prod. */
int auth_init(void);

/*
 * The gate: reads the Bearer token or the access cookie.  No credentials ->
 * E_OK with req->user_role = ROLE_PUBLIC.  Invalid, expired, wrong alg,
 * wrong issuer, not typ=access, or carrying the sid of a revoked session
 * (user_session_revoked) -> E_UNAUTHORIZED.  Valid -> fills req->user_id,
 * user_email, user_role and session_id (NULL for a token minted without a
 * session, e.g. by `ecomctl token`).
 */
ecode auth_gate(request *req, error *e);

/*
 * Mint a signed token with the claims sub, role, email (when not NULL),
 * typ (access|refresh), iat, exp, iss, jti (a fresh UUID, copied into
 * jti_out when not NULL) and sid (the session, when not NULL; tools mint
 * tokens without one).  Malloc'd string (free it) or NULL with e filled.
 */
char *auth_mint(const char *sub, const char *email, role r, const char *typ,
    const char *sid, int64_t ttl_s, char jti_out[37], error *e);

/* The claims of a verified refresh token. */
typedef struct auth_refresh_claims {
	char    sub[37];
	char    sid[37];
	char    jti[37];
	int64_t exp;
} auth_refresh_claims;

/*
 * Verify a refresh token as the gate verifies access tokens (signature,
 * RS256 pinned, exp, iat, iss) plus typ=refresh and UUIDs in sub, sid and
 * jti.  0 with *out filled, or -1 (the reason goes to the debug log only).
 */
int auth_verify_refresh(const char *tok, auth_refresh_claims *out);

const char *role_name(role r);		/* "customer", ... */
int         role_parse(const char *s, role *out);	/* 0 or -1 */

/*
 * Browser sessions (session.c): the access and refresh tokens live in
 * __Host- cookies (HttpOnly, SameSite=Lax, Secure over https).
 * session_gate() is the gate app_main runs: auth_gate(), and when the
 * access cookie is missing or expired but the refresh cookie is valid, a
 * transparent rotation that sets both cookies again on `res`.
 */
#define AUTH_REFRESH_COOKIE "__Host-refresh"
ecode session_gate(request *req, response *res, error *e);
/* Set both cookies after a login / refresh (refresh_token NULL: only the
 * access cookie); clear them at logout. */
void  session_set_cookies(request *req, response *res, const char *access_token,
    const char *refresh_token);
void  session_clear_cookies(request *req, response *res);
/* The access cookie's name for this request's scheme: the __Host- name
 * over https; over plain http (dev, tests) browsers refuse __Host- cookies
 * without Secure, so the plain name "access" (and "refresh"). */
const char *session_access_cookie(const request *req);

/* HMAC-SHA256 of msg with the server secret (ECOM_SECRET_FILE; a
 * per-process key in dev/test, refused in prod without one), for anything
 * the server signs and later checks: CSRF tokens, the admin's pending
 * sign-in cookie.  0 or -1. */
int auth_hmac(const void *msg, size_t n, unsigned char out[32]);
/* The same of "purpose:id" as 64 lower-case hex digits in a, for links
 * that name one thing (a guest's order, an alert to unsubscribe); NULL
 * when id is NULL or it cannot be made. */
const char *auth_hmac_hex(arena *a, const char *purpose, const char *id);

/*
 * CSRF for HTML forms: a token that is an HMAC (server secret) of the
 * browser's session binding (a random __Host-csrf cookie until accounts
 * give a session id).  csrf_token() sets the cookie when missing.
 */
const char *csrf_token(request *req, response *res);
bool        csrf_check(request *req);

#endif
