/*
 * store_form.c — the pieces every storefront form page shares (store_form.h),
 * and the account part of the layout (signed-in header, flash message).
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "store_form.h"
#include "user/user.h"

#define FLASH_COOKIE	"flash"
#define FLASH_TTL_S	60

/* ------------------------------------------------------------ small pieces */

/* Flash messages are codes in the cookie, texts here: a cookie set by
 * someone else can only pick one of these sentences. */
static const struct {
	const char *code, *text;
} flashes[] = {
	{ "signed-in", "Welcome back. You are signed in." },
	{ "registered", "Your account is ready. We sent you an e-mail to confirm your address." },
	{ "signed-out", "You are signed out." },
	{ "reset-sent", "If an account uses that e-mail address, we have sent it a link to "
	    "choose a new password. The link works for one hour." },
	{ "password-reset", "Your password is changed. Sign in with the new one." },
	{ "profile-saved", "Your profile is saved." },
	{ "password-changed", "Your password is changed. Other devices were signed out." },
	{ "verification-sent", "We sent you a new confirmation e-mail." },
	{ "address-added", "The address is added." },
	{ "address-saved", "The address is saved." },
	{ "address-deleted", "The address is deleted." },
	{ "2fa-disabled", "Two-step sign-in is switched off." },
	{ "wishlist-added", "Added to your wishlist." },
	{ "wishlist-removed", "Removed from your wishlist." },
	{ "cart-added", "Added to your cart." },
	{ "cart-updated", "Your cart is updated." },
	{ "cart-removed", "Removed from your cart." },
	{ "coupon-applied", "The coupon is applied." },
	{ "coupon-removed", "The coupon is removed." },
	{ "restock-subscribed", "Thank you. We will e-mail you once when it is back in stock." },
	{ "restock-already", "You are already on the list for this option: we will e-mail you"
	    " once when it is back in stock." },
};

static const char *
flash_attrs(const request *req, int max_age)
{
	return arena_printf(req->a, "Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", max_age,
	    req->https ? "; Secure" : "");
}

void
form_flash_set(request *req, response *res, const char *code)
{
	const char *attrs = flash_attrs(req, FLASH_TTL_S);

	if (attrs != NULL)
		resp_cookie(res, FLASH_COOKIE, code, attrs);
}

/* The pending flash text (and the cookie cleared), or NULL. */
const char *
form_flash_take(request *req, response *res)
{
	const char *code = req_cookie(req, FLASH_COOKIE), *attrs;

	if (code == NULL)
		return NULL;
	if ((attrs = flash_attrs(req, 0)) != NULL)
		resp_cookie(res, FLASH_COOKIE, "", attrs);
	for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++)
		if (strcmp(code, flashes[i].code) == 0)
			return flashes[i].text;
	return NULL;
}

/*
 * A ?next= or back= value, if it is a path on this site: "/x" but not
 * "//host" or "/\host" (both leave the site), and no space or control
 * byte, which browsers strip so "/\t/host" would become "//host".
 */
const char *
form_local_path(const char *s)
{
	if (s == NULL || s[0] != '/' || s[1] == '/' || s[1] == '\\' || strlen(s) > NEXT_MAX)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			return NULL;
	return s;
}

ecode
form_see_other(request *req, response *res, const char *to, const char *flash, error *e)
{
	if (flash != NULL)
		form_flash_set(req, res, flash);
	if (resp_redirect(res, 303, to) != 0)
		return err_set(e, E_INTERNAL, "redirect to %s refused", to);
	return E_OK;
}

json_object *
form_jstr(const char *s)
{
	return json_object_new_string(s != NULL ? s : "");
}

/* The submitted value of a form field ("" when absent), for re-display. */
const char *
form_val(const request *req, const char *key)
{
	const char *v = req_form(req, key);

	return v != NULL ? v : "";
}

/* A form field or NULL when absent or empty (optional inputs). */
const char *
form_opt(const request *req, const char *key)
{
	const char *v = req_form(req, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* {field: message} of a validation error, for "errors.<field>" in a form. */
json_object *
form_errors_json(const error *err)
{
	json_object *o = json_object_new_object();

	for (int i = 0; err != NULL && i < err->nfields; i++)
		if (!json_object_object_get_ex(o, err->fields[i].name, NULL))
			json_object_object_add(o, err->fields[i].name, form_jstr(err->fields[i].message));
	return o;
}

/* The submitted values of keys (never a password field: not listed). */
json_object *
form_values_json(const request *req, const char *const *keys)
{
	json_object *o = json_object_new_object();

	for (; *keys != NULL; keys++)
		json_object_object_add(o, *keys, form_jstr(form_val(req, *keys)));
	return o;
}

/* A page context holding the form token every form carries. */
json_object *
form_ctx(request *req, response *res, error *e)
{
	const char *tok = csrf_token(req, res);
	json_object *ctx;

	if (tok == NULL) {
		err_set(e, E_INTERNAL, "no CSRF token could be made");
		return NULL;
	}
	/* account pages: never in a search engine (no-store is the default) */
	if (resp_set_header(res, "X-Robots-Tag", "noindex, nofollow") != 0) {
		err_set(e, E_INTERNAL, "header refused");
		return NULL;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "csrf", form_jstr(tok));
	json_object_object_add(ctx, "password_hint", form_jstr(PASSWORD_HINT));
	return ctx;
}

/* Status of a re-displayed form; 429 also says when to come back. */
int
form_refusal_status(response *res, const error *err)
{
	if (err->code == E_RATE_LIMITED && err->retry_after > 0) {
		char v[24];
		snprintf(v, sizeof v, "%d", err->retry_after);
		resp_set_header(res, "Retry-After", v);
	}
	return ecode_status(err->code);
}

/* Whether rc is a refusal the form shows (as opposed to a failure of ours). */
bool
form_shown(ecode rc)
{
	return rc == E_VALIDATION || rc == E_UNAUTHORIZED || rc == E_ALREADY_EXISTS ||
	    rc == E_CONFLICT || rc == E_RATE_LIMITED || rc == E_INVALID_INPUT;
}

const char *
form_field_message(const error *err, const char *name)
{
	for (int i = 0; i < err->nfields; i++)
		if (strcmp(err->fields[i].name, name) == 0)
			return err->fields[i].message;
	return NULL;
}

/* ------------------------------------------------------------ the layout */

void
store_account_layout(request *req, response *res, json_object *ctx)
{
	const char *flash = form_flash_take(req, res), *tok;

	if (flash != NULL)
		json_object_object_add(ctx, "flash", form_jstr(flash));
	if (req->user_id == NULL)
		return;
	/* the header's sign-out button is a form: it needs the token too */
	tok = csrf_token(req, res);
	json_object *acc = json_object_new_object();
	json_object_object_add(acc, "email", form_jstr(req->user_email));
	json_object_object_add(acc, "csrf", form_jstr(tok));
	json_object_object_add(ctx, "account", acc);
}

