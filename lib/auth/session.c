/*
 * session.c — browser sessions in cookies (auth.h).
 *
 * A signed-in browser holds two cookies: the access token (15 minutes, what
 * the gate verifies on every request) and the refresh token (7 days, what
 * lib/user rotates into a new pair).  session_gate() makes the expiry of
 * the access token invisible: when it is missing or stale and the refresh
 * cookie still works, the pair is rotated inside the same request and both
 * cookies are sent again with the reply.  Bearer callers (the JSON API,
 * tools) never read or receive cookies.
 *
 * Cookie names.  The __Host- prefix (RFC 6265bis §4.1.3.2) makes a browser
 * refuse the cookie unless it has Secure, Path=/ and no Domain, so neither
 * a sibling sub-domain nor a plain-http page can plant or shadow it.  The
 * same rule means a browser drops a __Host- cookie set over plain http, so
 * the dev stack and the test suites (http://127.0.0.1) would never keep a
 * session.  Over plain http the cookies are therefore called "access" and
 * "refresh"; the names are chosen here and nowhere else (cookie_names()),
 * the way csrf.c names its "__Host-csrf"/"csrf" binding cookie.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "core/log.h"
#include "user/user.h"

#define ACCESS_COOKIE_PLAIN	"access"
#define REFRESH_COOKIE_PLAIN	"refresh"
#define TOKEN_COOKIE_MAX	8192	/* longer than any token we sign */

typedef struct cookie_names {
	const char *access, *refresh;
} cookie_names;

static cookie_names
cookie_names_of(const request *req)
{
	cookie_names n = { AUTH_ACCESS_COOKIE, AUTH_REFRESH_COOKIE };

	if (!req->https) {
		n.access = ACCESS_COOKIE_PLAIN;
		n.refresh = REFRESH_COOKIE_PLAIN;
	}
	return n;
}

/* Max-Age and the attributes every session cookie shares. */
static void
set_one(request *req, response *res, const char *name, const char *value, long max_age)
{
	const char *attrs = arena_printf(req->a, "Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
	    max_age, req->https ? "; Secure" : "");

	if (attrs == NULL || resp_cookie(res, name, value, attrs) != 0)
		log_msg(LOG_ERROR, "session: could not set the %s cookie", name);
}

void
session_set_cookies(request *req, response *res, const char *access_token,
    const char *refresh_token)
{
	cookie_names n = cookie_names_of(req);

	set_one(req, res, n.access, access_token, ACCESS_TTL_S);
	if (refresh_token != NULL)	/* NULL: keep the browser's refresh cookie */
		set_one(req, res, n.refresh, refresh_token, REFRESH_TTL_S);
}

void
session_clear_cookies(request *req, response *res)
{
	cookie_names n = cookie_names_of(req);

	/* Max-Age=0 with the same name, path and prefix rules deletes it */
	set_one(req, res, n.access, "", 0);
	set_one(req, res, n.refresh, "", 0);
}

static bool
has_bearer(const request *req)
{
	const char *h = req_header(req, "Authorization");

	return h != NULL && *h != '\0';
}

const char *
session_access_cookie(const request *req)
{
	return cookie_names_of(req).access;
}

static void
as_guest(request *req)
{
	req->user_id = NULL;
	req->user_email = NULL;
	req->user_role = ROLE_PUBLIC;
	req->session_id = NULL;
}

/* Rotate the refresh cookie into a new pair; false when it does not work
 * (unknown, expired, reused, revoked, or the accounts store is down). */
static bool
refresh_session(request *req, response *res, const char *refresh_token)
{
	user_ctx ctx = user_ctx_of(req);
	user u = { 0 };
	user_tokens tok = { 0 };
	error e;

	err_clear(&e);
	if (user_refresh_cookie(req->a, &ctx, refresh_token, &u, &tok, &e) != E_OK) {
		if (e.code == E_INTERNAL || e.code == E_UNAVAILABLE)
			log_msg(LOG_WARN, "session: refresh failed: %s", e.message);
		return false;
	}
	session_set_cookies(req, res, tok.access_token, tok.refresh_token);
	req->user_id = u.id;
	req->user_email = u.email;
	req->user_role = u.role;
	req->session_id = tok.session_id;
	return true;
}

ecode
session_gate(request *req, response *res, error *e)
{
	cookie_names n = cookie_names_of(req);
	const char *refresh;
	ecode rc;

	if (has_bearer(req))
		return auth_gate(req, e);
	rc = auth_gate(req, e);
	if (rc == E_OK && req->user_id != NULL)
		return E_OK;
	refresh = req_cookie(req, n.refresh);
	if (refresh == NULL || *refresh == '\0' || strlen(refresh) > TOKEN_COOKIE_MAX) {
		if (rc != E_OK || req_cookie(req, n.access) != NULL)
			session_clear_cookies(req, res);	/* a dead access cookie: drop it */
		return rc;
	}
	if (refresh_session(req, res, refresh)) {
		err_clear(e);
		return E_OK;
	}
	/* the session is over (logged out elsewhere, expired, stolen and
	 * revoked): forget it, and let the route decide whether a guest will do */
	session_clear_cookies(req, res);
	err_clear(e);
	as_guest(req);
	return E_OK;
}
