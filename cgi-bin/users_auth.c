/*
 * users_auth.c — handlers for /api/v1/auth/... (register, login, refresh,
 * logout, the password and e-mail flows) and the caller's two-factor
 * enrolment under /api/v1/users/me/2fa.
 *
 * Tokens go to API clients in the body only; browsers sign in through the
 * HTML login, which sets the cookies.  Each handler reads its fields
 * (wrong types and missing required fields are listed together in one
 * 400), calls lib/user, and renders; the rules (password policy, login
 * throttling, refresh rotation and reuse detection) are lib/user's.
 */
#include "auth/auth.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "cart/cart.h"
#include "core/log.h"
#include "order/order.h"
#include "users.h"

#define TOKEN_MAX	4096	/* characters of a JWT or a one-time token */

/* {"user": ..., "tokens": ...}: what register, login and refresh answer. */
static json_object *
session_json(const user *u, const user_tokens *t)
{
	json_object *o = json_object_new_object(), *uj = user_to_json(u),
	    *tj = user_tokens_to_json(t);

	if (!o || !uj || !tj) {
		json_object_put(o);
		json_object_put(uj);
		json_object_put(tj);
		return NULL;
	}
	json_object_object_add(o, "user", uj);
	json_object_object_add(o, "tokens", tj);
	return o;
}

ecode
h_register(request *req, response *res, error *e)
{
	user_ctx            ctx = user_ctx_of(req);
	user_register_input in = { 0 };
	user                u = { 0 };
	user_tokens         t = { 0 };

	if (users_body(req, e) != E_OK)
		return e->code;
	/* Presence and format are user_register's to judge, so that one 400
	 * names every bad field; here only wrong JSON types stop us. */
	users_str(req, "email", USER_EMAIL_MAX, false, &in.email, e);
	users_str(req, "password", PASSWORD_MAX_BYTES, false, &in.password, e);
	users_str(req, "first_name", USER_NAME_MAX, false, &in.first_name, e);
	users_str(req, "last_name", USER_NAME_MAX, false, &in.last_name, e);
	if (e->code != E_OK ||
	    user_register(req->a, &ctx, &in, &u, &t, e) != E_OK)
		return e->code;
	cart_login_merge(req, res, u.id);	/* the guest cart of X-Cart-ID becomes theirs */
	return users_reply(req, res, 201, session_json(&u, &t), e);
}

ecode
h_login(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *email, *password, *otp;
	user        u = { 0 };
	user_tokens t = { 0 };
	bool        need_enrolment = false;
	error       e2;
	ecode       rc;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "email", USER_EMAIL_MAX, true, &email, e);
	users_str(req, "password", PASSWORD_MAX_BYTES, true, &password, e);
	users_str(req, "otp", USER_OTP_MAX, false, &otp, e);
	if (e->code != E_OK)
		return e->code;
	rc = user_login(req->a, &ctx, email, password, otp, &u, &t, &need_enrolment, e);
	if (rc != E_OK) {
		/* A missing or wrong otp is a 401 that still carries fields.otp
		 * (err_field would have made it a validation error), so a client
		 * knows to ask for the code rather than for the password. */
		if (rc == E_UNAUTHORIZED)
			e->code = E_UNAUTHORIZED;
		return rc;
	}
	if (need_enrolment) {
		/* An API client cannot enrol (the admin responder walks the
		 * admin through it), so it gets no tokens: close the session
		 * the login opened.  Failing to is logged, not fatal — its
		 * tokens were never sent anywhere. */
		err_clear(&e2);
		if (user_logout(req->a, &ctx, u.id, t.session_id, &e2) != E_OK)
			log_msg(LOG_WARN, "login: closing the unenrolled session failed: %s",
			    e2.message);
		return err_set(e, E_FORBIDDEN, "two-factor authentication must be set up "
		    "first: sign in at /admin/login");
	}
	cart_login_merge(req, res, u.id);	/* the guest cart of X-Cart-ID becomes theirs */
	return users_reply(req, res, 200, session_json(&u, &t), e);
}

ecode
h_refresh(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *token;
	user        u = { 0 };
	user_tokens t = { 0 };

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "refresh_token", TOKEN_MAX, true, &token, e);
	if (e->code != E_OK ||
	    user_refresh(req->a, &ctx, token, &u, &t, e) != E_OK)
		return e->code;
	return users_reply(req, res, 200, session_json(&u, &t), e);
}

/*
 * Ends the session the access token belongs to and, when the client also
 * sends its refresh token, that token's family (they usually are the same;
 * a client holding several sessions may name another of its own).  Only
 * the caller's own families can be revoked: user_logout is scoped to the
 * caller's id.  A refresh token that does not verify is ignored — it can
 * no longer be used anyway, and logout should not fail on a stale one.
 */
ecode
h_logout(request *req, response *res, error *e)
{
	user_ctx            ctx = user_ctx_of(req);
	const char         *token = NULL;
	auth_refresh_claims cl;

	if (users_optional_body(req, e) != E_OK)
		return e->code;
	if (req->json)
		users_str(req, "refresh_token", TOKEN_MAX, false, &token, e);
	if (e->code != E_OK)
		return e->code;
	if (req->session_id &&
	    user_logout(req->a, &ctx, req->user_id, req->session_id, e) != E_OK)
		return e->code;
	if (token && auth_verify_refresh(token, &cl) == 0 &&
	    user_logout(req->a, &ctx, req->user_id, cl.sid, e) != E_OK)
		return e->code;
	/* a browser calling the API with its cookies is signed out too */
	if (req_header(req, "Authorization") == NULL)
		session_clear_cookies(req, res);
	return users_reply_msg(req, res, "status", "logged_out", e);
}

ecode
h_forgot_password(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *email;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "email", USER_EMAIL_MAX, true, &email, e);
	if (e->code != E_OK ||
	    user_forgot_password(req->a, &ctx, email, e) != E_OK)
		return e->code;
	/* the same words whether or not the account exists */
	return users_reply_msg(req, res, "message", "If an account exists for this "
	    "e-mail address, a link to reset its password is on its way.", e);
}

ecode
h_reset_password(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *token, *password;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "token", TOKEN_MAX, true, &token, e);
	users_str(req, "new_password", PASSWORD_MAX_BYTES, true, &password, e);
	if (e->code != E_OK ||
	    user_reset_password(req->a, &ctx, token, password, e) != E_OK)
		return e->code;
	return users_reply_msg(req, res, "message",
	    "Your password has been reset; sign in with the new one.", e);
}

ecode
h_change_password(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *current, *password;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "current_password", PASSWORD_MAX_BYTES, true, &current, e);
	users_str(req, "new_password", PASSWORD_MAX_BYTES, true, &password, e);
	/* the caller's own session survives; every other one is closed */
	if (e->code != E_OK ||
	    user_change_password(req->a, &ctx, req->user_id, current, password,
	    req->session_id, e) != E_OK)
		return e->code;
	return users_reply_msg(req, res, "message", "Your password has been changed.", e);
}

ecode
h_verify_email(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *token;
	int64_t     claimed;
	error       ce;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "token", TOKEN_MAX, true, &token, e);
	if (e->code != E_OK ||
	    user_verify_email(req->a, &ctx, token, e) != E_OK)
		return e->code;
	/* a signed-in caller's verified address now owns its guest orders */
	err_clear(&ce);
	if (order_claim_verified(req->a, req->user_id, &claimed, &ce) != E_OK)
		log_msg(LOG_WARN, "claiming guest orders failed: %s", ce.message);
	return users_reply_msg(req, res, "message", "Your e-mail address is verified.", e);
}

/* ------------------------------------------------------------ 2FA */

ecode
h_2fa_setup(request *req, response *res, error *e)
{
	user_ctx     ctx = user_ctx_of(req);
	const char  *secret = NULL, *uri = NULL;
	json_object *o;

	if (users_optional_body(req, e) != E_OK ||
	    user_totp_begin(req->a, &ctx, req->user_id, &secret, &uri, e) != E_OK)
		return e->code;
	if (!(o = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "secret", json_object_new_string(secret));
	json_object_object_add(o, "otpauth_uri", json_object_new_string(uri));
	return users_reply(req, res, 200, o, e);
}

ecode
h_2fa_confirm(request *req, response *res, error *e)
{
	user_ctx     ctx = user_ctx_of(req);
	const char  *otp, **codes = NULL;
	json_object *o, *arr;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "otp", USER_OTP_MAX, true, &otp, e);
	if (e->code != E_OK ||
	    user_totp_confirm(req->a, &ctx, req->user_id, otp, &codes, e) != E_OK)
		return e->code;
	o = json_object_new_object();
	arr = json_object_new_array();
	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; codes && i < RECOVERY_CODES && codes[i]; i++)
		json_object_array_add(arr, json_object_new_string(codes[i]));
	json_object_object_add(o, "recovery_codes", arr);
	return users_reply(req, res, 200, o, e);
}

ecode
h_2fa_disable(request *req, response *res, error *e)
{
	user_ctx     ctx = user_ctx_of(req);
	const char  *password;
	json_object *o;

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "password", PASSWORD_MAX_BYTES, true, &password, e);
	if (e->code != E_OK ||
	    user_totp_disable(req->a, &ctx, req->user_id, password, e) != E_OK)
		return e->code;
	if (!(o = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "totp_enabled", json_object_new_boolean(0));
	return users_reply(req, res, 200, o, e);
}
