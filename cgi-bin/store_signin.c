/*
 * store_signin.c — signing in and out of the storefront: sign in, register,
 * forgotten and reset passwords, e-mail verification, sign out.
 *
 * Every POST is a form with the CSRF token (checked by the gate) and ends in
 * a redirect with a flash message, so reloading never posts twice; a refused
 * form comes back with the message next to each field and the values as
 * sent — never a password.  The sign-in form goes back to ?next= when it is
 * a local path.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "cart/cart.h"
#include "core/log.h"
#include "core/util.h"
#include "order/order.h"
#include "store_form.h"
#include "user/user.h"

#define TOKEN_PARAM_MAX	256		/* a one-time token from a mail link */

/* ------------------------------------------------------------ sign in */

static ecode
render_login(request *req, response *res, int status, const char *next, const error *err,
    bool show_otp, error *e)
{
	static const char *const keys[] = { "email", NULL };
	json_object *ctx = form_ctx(req, res, e);

	if (ctx == NULL)
		return e->code;
	json_object_object_add(ctx, "values", form_values_json(req, keys));
	json_object_object_add(ctx, "next", form_jstr(next));
	if (show_otp)
		json_object_object_add(ctx, "show_otp", json_object_new_boolean(1));
	if (err != NULL) {
		const char *otp = form_field_message(err, "otp");
		json_object_object_add(ctx, "errors", form_errors_json(err));
		if (err->code == E_RATE_LIMITED)
			json_object_object_add(ctx, "form_error", form_jstr(arena_printf(req->a,
			    "Too many attempts. Wait %d seconds, then try again.",
			    err->retry_after > 0 ? err->retry_after : 60)));
		else if (otp != NULL && strcmp(otp, "required") == 0)
			json_object_object_add(ctx, "form_error", form_jstr("This account uses two-step "
			    "sign-in: enter your password again with the code from your "
			    "authenticator app (or a recovery code)."));
		else if (otp != NULL)
			json_object_object_add(ctx, "form_error", form_jstr("That code did not work. "
			    "Enter your password and the current code."));
		else if (err->code == E_UNAUTHORIZED)
			json_object_object_add(ctx, "form_error", form_jstr("Wrong e-mail or password."));
		else if (err->nfields == 0)
			json_object_object_add(ctx, "form_error", form_jstr(err->message));
	}
	return store_render_status(req, res, status, "store/login", ctx, "Sign in",
	    "Sign in to your account.", e);
}

ecode
h_login_form(request *req, response *res, error *e)
{
	const char *next = form_local_path(req_query(req, "next"));

	if (req->user_id != NULL)
		return form_see_other(req, res, next != NULL ? next : "/account", NULL, e);
	return render_login(req, res, 200, next, NULL, false, e);
}

ecode
h_login(request *req, response *res, error *e)
{
	const char *next = form_local_path(req_form(req, "next"));
	user_ctx ctx = user_ctx_of(req);
	user u;
	user_tokens tok;
	bool enrol = false;
	error le;
	ecode rc;

	err_clear(&le);
	rc = user_login(req->a, &ctx, form_val(req, "email"), form_val(req, "password"),
	    form_opt(req, "otp"), &u, &tok, &enrol, &le);
	if (rc == E_OK) {
		/* an admin's pending 2FA enrolment is the admin responder's
		 * business; the shop itself only needs the session */
		session_set_cookies(req, res, tok.access_token, tok.refresh_token);
		cart_login_merge(req, res, u.id);	/* the guest cart becomes theirs */
		return form_see_other(req, res, next != NULL ? next : "/account", "signed-in", e);
	}
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	return render_login(req, res, form_refusal_status(res, &le), next, &le,
	    form_field_message(&le, "otp") != NULL || form_opt(req, "otp") != NULL, e);
}

/* ------------------------------------------------------------ register */

static ecode
render_register(request *req, response *res, int status, const error *err, error *e)
{
	static const char *const keys[] = { "first_name", "last_name", "email", NULL };
	json_object *ctx = form_ctx(req, res, e);

	if (ctx == NULL)
		return e->code;
	json_object_object_add(ctx, "values", form_values_json(req, keys));
	if (err != NULL) {
		json_object *errs = form_errors_json(err);
		if (err->code == E_ALREADY_EXISTS)
			json_object_object_add(errs, "email", form_jstr("An account with this e-mail "
			    "address exists. Sign in, or ask for a new password."));
		else if (err->code == E_RATE_LIMITED)
			json_object_object_add(ctx, "form_error",
			    form_jstr("Too many new accounts from here. Try again later."));
		else if (err->nfields == 0)
			json_object_object_add(ctx, "form_error", form_jstr(err->message));
		json_object_object_add(ctx, "errors", errs);
	}
	return store_render_status(req, res, status, "store/register", ctx, "Create an account",
	    "Create an account to keep your addresses, wishlist and orders.", e);
}

ecode
h_register_form(request *req, response *res, error *e)
{
	if (req->user_id != NULL)
		return form_see_other(req, res, "/account", NULL, e);
	return render_register(req, res, 200, NULL, e);
}

ecode
h_register(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	user_register_input in = {
		form_val(req, "email"), form_val(req, "password"), form_val(req, "first_name"),
		form_val(req, "last_name")
	};
	user u = { 0 };
	user_tokens tok = { 0 };
	error le;
	ecode rc;

	err_clear(&le);
	rc = user_register(req->a, &ctx, &in, &u, &tok, &le);
	if (rc == E_OK) {
		session_set_cookies(req, res, tok.access_token, tok.refresh_token);
		cart_login_merge(req, res, u.id);	/* the guest cart becomes theirs */
		return form_see_other(req, res, "/account", "registered", e);
	}
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	return render_register(req, res, form_refusal_status(res, &le), &le, e);
}

/* ------------------------------------------------------------ passwords */

static ecode
render_forgot(request *req, response *res, int status, const error *err, error *e)
{
	static const char *const keys[] = { "email", NULL };
	json_object *ctx = form_ctx(req, res, e);

	if (ctx == NULL)
		return e->code;
	json_object_object_add(ctx, "values", form_values_json(req, keys));
	if (err != NULL) {
		json_object_object_add(ctx, "errors", form_errors_json(err));
		if (err->nfields == 0)
			json_object_object_add(ctx, "form_error", form_jstr(err->code == E_RATE_LIMITED ?
			    "Too many requests. Wait a little, then try again." : err->message));
	}
	return store_render_status(req, res, status, "store/forgot-password", ctx,
	    "Forgotten password", "Get a link to choose a new password.", e);
}

ecode
h_forgot_form(request *req, response *res, error *e)
{
	return render_forgot(req, res, 200, NULL, e);
}

ecode
h_forgot(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	error le;
	ecode rc;

	err_clear(&le);
	rc = user_forgot_password(req->a, &ctx, form_val(req, "email"), &le);
	/* the same answer whether or not the address has an account */
	if (rc == E_OK)
		return form_see_other(req, res, "/forgot-password", "reset-sent", e);
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	return render_forgot(req, res, form_refusal_status(res, &le), &le, e);
}

static ecode
render_reset(request *req, response *res, int status, const char *token, const error *err,
    error *e)
{
	json_object *ctx = form_ctx(req, res, e);

	if (ctx == NULL)
		return e->code;
	if (token != NULL && *token != '\0')
		json_object_object_add(ctx, "token", form_jstr(token));
	if (err != NULL) {
		json_object_object_add(ctx, "errors", form_errors_json(err));
		if (form_field_message(err, "token") != NULL || token == NULL || *token == '\0')
			json_object_object_add(ctx, "bad_link", json_object_new_boolean(1));
		else if (err->nfields == 0)
			json_object_object_add(ctx, "form_error", form_jstr(err->message));
	}
	return store_render_status(req, res, status, "store/reset-password", ctx,
	    "Choose a new password", "Choose a new password for your account.", e);
}

ecode
h_reset_form(request *req, response *res, error *e)
{
	const char *token = req_query(req, "token");

	if (token == NULL || *token == '\0' || strlen(token) > TOKEN_PARAM_MAX) {
		error le;
		err_clear(&le);
		err_field(&le, "token", "this link is incomplete");
		return render_reset(req, res, 400, NULL, &le, e);
	}
	return render_reset(req, res, 200, token, NULL, e);
}

ecode
h_reset(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *token = form_val(req, "token");
	error le;
	ecode rc;

	err_clear(&le);
	if (*token == '\0' || strlen(token) > TOKEN_PARAM_MAX)
		rc = err_field(&le, "token", "this link is incomplete");
	else
		rc = user_reset_password(req->a, &ctx, token, form_val(req, "password"), &le);
	if (rc == E_OK)
		return form_see_other(req, res, "/login", "password-reset", e);
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	return render_reset(req, res, form_refusal_status(res, &le), token, &le, e);
}

ecode
h_verify_email(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *token = req_query(req, "token");
	json_object *ctx_j = json_object_new_object();
	error le;
	ecode rc;
	int status = 200;

	err_clear(&le);
	if (token == NULL || *token == '\0' || strlen(token) > TOKEN_PARAM_MAX)
		rc = err_field(&le, "token", "this link is incomplete");
	else
		rc = user_verify_email(req->a, &ctx, token, &le);
	if (rc == E_OK) {
		int64_t claimed;
		/* a signed-in visitor's verified address now owns its guest orders */
		if (order_claim_verified(req->a, req->user_id, &claimed, &le) != E_OK)
			log_msg(LOG_WARN, "claiming guest orders failed: %s", le.message);
		json_object_object_add(ctx_j, "verified", json_object_new_boolean(1));
	} else if (form_shown(rc)) {
		status = form_refusal_status(res, &le);
	} else {
		json_object_put(ctx_j);
		*e = le;
		return rc;
	}
	if (req->user_id != NULL)
		json_object_object_add(ctx_j, "signed_in", json_object_new_boolean(1));
	return store_render_status(req, res, status, "store/verify-email", ctx_j,
	    "Confirm your e-mail address", "Confirm the e-mail address of your account.", e);
}

/* ------------------------------------------------------------ sign out */

ecode
h_logout(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	error le;

	err_clear(&le);
	/* a failed revocation must not keep the browser signed in: the
	 * cookies go either way, and the family expires on its own */
	if (req->user_id != NULL && req->session_id != NULL &&
	    user_logout(req->a, &ctx, req->user_id, req->session_id, &le) != E_OK)
		log_msg(LOG_WARN, "logout: %s", le.message);
	session_clear_cookies(req, res);
	return form_see_other(req, res, "/", "signed-out", e);
}

