/*
 * admin_login.c — signing in to the admin panel, the code step, signing
 * out, and TOTP enrolment.
 *
 * Sign-in is two steps for an account with 2FA.  The first form checks the
 * e-mail and password (user_login without a code); when the domain answers
 * "otp required" the password was right, and what the second step needs is
 * carried in a short-lived cookie signed with the server secret: the
 * e-mail, an expiry and an HMAC that also covers the browser's CSRF
 * binding.  The second form then asks only the code.  The password is
 * never written into a page or a cookie, so it is not in the browser's
 * form cache, the page source or a proxy log.
 *
 * A signed-in account that is neither an admin nor a seller is refused and
 * its new session revoked at once, so signing in here never leaves a
 * customer session behind.  A seller is let in to the pages of their own
 * products only (admin_begin_seller); they land on /admin/products.  An admin who must still enrol in 2FA is signed in but sent to
 * /admin/2fa/enrol by every page (admin_begin) until enrolment succeeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/site.h"
#include "core/util.h"
#include "admin.h"

#define PENDING_TTL_S	300	/* time to type the code */
#define PASSWORD_FORM_MAX 1024	/* bytes; the domain applies the real policy */

/* ------------------------------------------------------------ pending cookie */

static const char *
pending_cookie_name(const request *req)
{
	/* __Host- needs Secure, which a browser refuses over plain http */
	return req->https ? "__Host-admin-2fa" : "admin-2fa";
}

static const char *
csrf_binding(const request *req)
{
	const char *b = req_cookie(req, req->https ? "__Host-csrf" : "csrf");

	return b != NULL ? b : "";
}

/* Lower-case hex HMAC-SHA256 of "admin-2fa\n<email hex>\n<exp>\n<binding>". */
static int
pending_mac(const request *req, const char *email_hex, const char *exp, char out[65])
{
	unsigned char mac[32];
	const char *msg;

	msg = arena_printf(req->a, "admin-2fa\n%s\n%s\n%s", email_hex, exp, csrf_binding(req));
	if (msg == NULL || auth_hmac(msg, strlen(msg), mac) != 0)
		return -1;
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	return 0;
}

static int
pending_set(request *req, response *res, const char *email)
{
	size_t n = strlen(email);
	char *hex = arena_alloc(req->a, 2 * n + 1), mac[65];
	const char *exp;

	if (hex == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)email[i]);
	exp = arena_printf(req->a, "%lld", (long long)time(NULL) + PENDING_TTL_S);
	if (exp == NULL || pending_mac(req, hex, exp, mac) != 0)
		return -1;
	return resp_cookie(res, pending_cookie_name(req), arena_printf(req->a, "%s.%s.%s", hex, exp, mac),
	    arena_printf(req->a, "Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
	    PENDING_TTL_S, req->https ? "; Secure" : ""));
}

static void
pending_clear(request *req, response *res)
{
	resp_cookie(res, pending_cookie_name(req), "",
	    req->https ? "Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict" :
	    "Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

/* The e-mail of a valid, unexpired pending cookie, or NULL. */
static const char *
pending_email(request *req)
{
	const char *v = req_cookie(req, pending_cookie_name(req)), *d1, *d2;
	char want[65], *email, *exp;
	int64_t t;
	size_t hn;

	if (v == NULL || (d1 = strchr(v, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) == NULL)
		return NULL;
	hn = (size_t)(d1 - v);
	if (hn == 0 || hn % 2 != 0 || hn > 2 * USER_EMAIL_MAX || strlen(d2 + 1) != 64 ||
	    parse_i64n(d1 + 1, (size_t)(d2 - d1 - 1), 0, INT64_MAX, &t) != 0 || t < time(NULL))
		return NULL;
	exp = arena_alloc(req->a, (size_t)(d2 - d1));
	email = arena_alloc(req->a, hn / 2 + 1);
	if (exp == NULL || email == NULL)
		return NULL;
	memcpy(exp, d1 + 1, (size_t)(d2 - d1 - 1));
	exp[d2 - d1 - 1] = '\0';
	if (pending_mac(req, arena_printf(req->a, "%.*s", (int)hn, v), exp, want) != 0 ||
	    !ct_equal(want, d2 + 1, 64))
		return NULL;
	for (size_t i = 0; i < hn / 2; i++) {
		unsigned b;
		if (sscanf(v + 2 * i, "%2x", &b) != 1)
			return NULL;
		email[i] = (char)b;
	}
	email[hn / 2] = '\0';
	return strlen(email) == hn / 2 ? email : NULL;
}

/* ------------------------------------------------------------ sign-in */

static bool
field_is(const error *e, const char *name, const char *msg)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0 && strcmp(e->fields[i].message, msg) == 0)
			return true;
	return false;
}

static ecode
login_page(request *req, response *res, int status, const char *email, const char *next,
    const char *message, error *e)
{
	json_object *ctx = json_object_new_object();

	json_object_object_add(ctx, "email", json_object_new_string(email != NULL ? email : ""));
	json_object_object_add(ctx, "next", json_object_new_string(next));
	if (message != NULL)
		json_object_object_add(ctx, "error", json_object_new_string(message));
	return admin_render(req, res, status, "admin/login", ctx, NULL, "Sign in", e);
}

static ecode
code_page(request *req, response *res, int status, const char *email, const char *next,
    const char *message, error *e)
{
	json_object *ctx = json_object_new_object();

	json_object_object_add(ctx, "email", json_object_new_string(email));
	json_object_object_add(ctx, "next", json_object_new_string(next));
	if (message != NULL)
		json_object_object_add(ctx, "error", json_object_new_string(message));
	return admin_render(req, res, status, "admin/login_code", ctx, NULL, "Sign-in code", e);
}

/*
 * After user_login succeeded: keep the session only for an admin or a
 * seller.  A customer gets the refusal and their fresh session revoked.
 */
static ecode
signed_in(request *req, response *res, const user *u, const user_tokens *tok,
    bool need_enrol, const char *next, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	error e2;

	pending_clear(req, res);
	if (u->role != ROLE_ADMIN && u->role != ROLE_SELLER) {
		err_clear(&e2);
		if (user_logout(req->a, &ctx, u->id, tok->session_id, &e2) != E_OK)
			log_msg(LOG_WARN, "admin: revoking a non-admin session failed: %s", e2.message);
		return login_page(req, res, 403, u->email, next,
		    "This account has no admin access.", e);
	}
	session_set_cookies(req, res, tok->access_token, tok->refresh_token);
	if (u->role == ROLE_SELLER)
		return admin_see_other(res, admin_seller_next(next), e);
	return admin_see_other(res, need_enrol ? ADMIN_ENROL_URL : next, e);
}

/* A failed sign-in step shown on its form; other errors go to the error page. */
static const char *
login_failure(ecode rc, const error *e)
{
	switch (rc) {
	case E_UNAUTHORIZED:
	case E_VALIDATION:
	case E_INVALID_INPUT:
		return e->message[0] != '\0' ? e->message : "Wrong e-mail or password.";
	case E_RATE_LIMITED:
		return "Too many attempts. Wait a little and try again.";
	default:
		return NULL;
	}
}

ecode
h_login_form(request *req, response *res, error *e)
{
	const char *next = admin_safe_next(req_query(req, "next"));

	if (req->user_id != NULL && req->user_role == ROLE_ADMIN)
		return admin_see_other(res, next, e);
	if (req->user_id != NULL && req->user_role == ROLE_SELLER)
		return admin_see_other(res, admin_seller_next(next), e);
	return login_page(req, res, 200, NULL, next, NULL, e);
}

ecode
h_login(request *req, response *res, error *e)
{
	const char *email = req_form(req, "email"), *pw = req_form(req, "password");
	const char *next = admin_safe_next(req_form(req, "next")), *msg;
	user_ctx ctx = user_ctx_of(req);
	user_tokens tok;
	bool need_enrol = false;
	user u;
	ecode rc;

	if (email == NULL || pw == NULL || email[0] == '\0' || pw[0] == '\0')
		return login_page(req, res, 400, email, next, "Enter your e-mail and password.", e);
	if (strlen(email) > USER_EMAIL_MAX || strlen(pw) > PASSWORD_FORM_MAX)
		return login_page(req, res, 400, NULL, next, "Wrong e-mail or password.", e);
	rc = user_login(req->a, &ctx, email, pw, NULL, &u, &tok, &need_enrol, e);
	if (rc == E_OK)
		return signed_in(req, res, &u, &tok, need_enrol, next, e);
	if (rc == E_UNAUTHORIZED && field_is(e, "otp", "required")) {
		/* the password was right: the code step carries only the e-mail */
		if (pending_set(req, res, email) != 0)
			return err_set(e, E_INTERNAL, "cannot sign the pending sign-in");
		return admin_see_other(res, arena_printf(req->a, "/admin/login/code?next=%s",
		    url_encode(req->a, next)), e);
	}
	if ((msg = login_failure(rc, e)) == NULL)
		return rc;
	if (rc == E_RATE_LIMITED && e->retry_after > 0)
		resp_set_header(res, "Retry-After", arena_printf(req->a, "%d", e->retry_after));
	int status = ecode_status(rc);
	err_clear(e);
	return login_page(req, res, status, email, next, msg, e);
}

ecode
h_login_otp_form(request *req, response *res, error *e)
{
	const char *email = pending_email(req);
	const char *next = admin_safe_next(req_query(req, "next"));

	if (email == NULL)
		return admin_see_other(res, "/admin/login", e);
	return code_page(req, res, 200, email, next, NULL, e);
}

ecode
h_login_otp(request *req, response *res, error *e)
{
	const char *email = pending_email(req), *code = req_form(req, "code");
	const char *next = admin_safe_next(req_form(req, "next")), *msg;
	user_ctx ctx = user_ctx_of(req);
	user_tokens tok = { 0 };
	bool need_enrol = false;
	user u = { 0 };
	ecode rc;

	if (email == NULL)
		return login_page(req, res, 401, NULL, next,
		    "The sign-in took too long. Enter your e-mail and password again.", e);
	if (code == NULL || code[0] == '\0' || strlen(code) > USER_OTP_MAX)
		return code_page(req, res, 400, email, next,
		    "Enter the 6-digit code from your app, or a recovery code.", e);
	rc = user_login_otp(req->a, &ctx, email, code, &u, &tok, &need_enrol, e);
	if (rc == E_OK)
		return signed_in(req, res, &u, &tok, need_enrol, next, e);
	if ((msg = login_failure(rc, e)) == NULL)
		return rc;
	if (field_is(e, "otp", "invalid"))
		msg = "That code is not right. Codes change every 30 seconds; try the current one.";
	int status = ecode_status(rc);
	err_clear(e);
	return code_page(req, res, status, email, next, msg, e);
}

ecode
h_logout(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	error e2;

	err_clear(&e2);
	/* revoke the family so the refresh cookie is dead even if it was copied */
	if (req->session_id != NULL &&
	    user_logout(req->a, &ctx, req->user_id, req->session_id, &e2) != E_OK)
		log_msg(LOG_WARN, "admin: logout could not revoke the session: %s", e2.message);
	session_clear_cookies(req, res);
	return admin_see_other(res, "/admin/login", e);
}

/* ------------------------------------------------------------ enrolment */

static ecode
enrol_page(request *req, response *res, int status, const user *me, const char *secret_b32,
    const char *message, error *e)
{
	json_object *ctx = json_object_new_object();
	char *uri = totp_uri(site_store_name(), me->email, secret_b32);

	if (uri == NULL) {
		json_object_put(ctx);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	json_object_object_add(ctx, "secret", json_object_new_string(secret_b32));
	json_object_object_add(ctx, "otpauth_uri", json_object_new_string(uri));
	free(uri);
	if (message != NULL)
		json_object_object_add(ctx, "error", json_object_new_string(message));
	return admin_render(req, res, status, "admin/enrol", ctx, me, "Set up two-factor sign-in", e);
}

ecode
h_enrol_form(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *secret_b32, *uri;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, true, &me, &done, e)) != E_OK)
		return rc;
	if (me.totp_enabled)
		return admin_see_other(res, "/admin", e);
	if ((rc = user_totp_begin(req->a, &ctx, me.id, &secret_b32, &uri, e)) != E_OK)
		return rc;
	return enrol_page(req, res, 200, &me, secret_b32, NULL, e);
}

ecode
h_enrol(request *req, response *res, error *e)
{
	const char *code = req_form(req, "code"), *shown = req_form(req, "secret");
	const char **codes = NULL;
	user_ctx ctx = user_ctx_of(req);
	json_object *ctx_json, *list;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, true, &me, &done, e)) != E_OK)
		return rc;
	if (me.totp_enabled)
		return admin_see_other(res, "/admin", e);
	/* the secret field only re-displays what the first page showed; the
	 * domain checks the code against the pending secret it stored */
	if (shown == NULL || shown[0] == '\0' || strlen(shown) >= TOTP_SECRET_B32_MAX ||
	    strspn(shown, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != strlen(shown))
		return admin_see_other(res, ADMIN_ENROL_URL, e);
	if (code == NULL || code[0] == '\0' || strlen(code) > USER_OTP_MAX)
		return enrol_page(req, res, 400, &me, shown, "Enter the 6-digit code from your app.", e);
	rc = user_totp_confirm(req->a, &ctx, me.id, code, &codes, e);
	if (rc == E_VALIDATION || rc == E_UNAUTHORIZED) {
		err_clear(e);
		return enrol_page(req, res, 400, &me, shown,
		    "That code is not right. Check the app's clock and try the current code.", e);
	}
	if (rc != E_OK)
		return rc;
	ctx_json = json_object_new_object();
	list = json_object_new_array();
	for (size_t i = 0; codes != NULL && i < RECOVERY_CODES && codes[i] != NULL; i++)
		json_object_array_add(list, json_object_new_string(codes[i]));
	json_object_object_add(ctx_json, "codes", list);
	return admin_render(req, res, 200, "admin/recovery_codes", ctx_json, &me,
	    "Your recovery codes", e);
}
