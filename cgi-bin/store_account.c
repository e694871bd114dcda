/*
 * store_account.c — the customer's account pages: profile, password, e-mail
 * verification, addresses, two-step sign-in, wishlist.  All plain HTML forms
 * (JavaScript off), redirect-after-POST with a flash message; the rows need
 * ROLE_CUSTOMER and the gate sends a guest's GET to /login?next=<page>.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "store_form.h"
#include "user/user.h"

#define OTP_SECRET_MAX	64
#define OTP_URI_MAX	512

/* ------------------------------------------------------------ the account page */

/* Which form of the account page was refused, to re-display it. */
typedef struct refused {
	const char  *form;		/* "profile", "password", "address", "new_address" */
	const char  *address_id;	/* for "address" */
	const error *err;
} refused;

static const char *const address_keys[] = {
	"label", "first_name", "last_name", "address_line1", "address_line2", "city", "state",
	"postal_code", "country_code", "phone", NULL
};

static json_object *
address_values(const address *ad)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "label", form_jstr(ad->label));
	json_object_object_add(o, "first_name", form_jstr(ad->first_name));
	json_object_object_add(o, "last_name", form_jstr(ad->last_name));
	json_object_object_add(o, "address_line1", form_jstr(ad->address_line1));
	json_object_object_add(o, "address_line2", form_jstr(ad->address_line2));
	json_object_object_add(o, "city", form_jstr(ad->city));
	json_object_object_add(o, "state", form_jstr(ad->state));
	json_object_object_add(o, "postal_code", form_jstr(ad->postal_code));
	json_object_object_add(o, "country_code", form_jstr(ad->country_code));
	json_object_object_add(o, "phone", form_jstr(ad->phone));
	if (ad->is_default)
		json_object_object_add(o, "is_default", json_object_new_boolean(1));
	return o;
}

/* One form's {values, errors, open}; the submitted values when it was
 * the refused one, else `current` (ownership taken either way). */
static json_object *
form_state(const request *req, const refused *rf, const char *form, const char *id,
    json_object *current, const char *const *keys)
{
	json_object *o = json_object_new_object();
	bool mine = rf != NULL && strcmp(rf->form, form) == 0 &&
	    (id == NULL || (rf->address_id != NULL && strcmp(rf->address_id, id) == 0));

	if (mine) {
		json_object *v = form_values_json(req, keys);
		json_object_put(current);
		if (req_form(req, "is_default") != NULL)
			json_object_object_add(v, "is_default", json_object_new_boolean(1));
		json_object_object_add(o, "values", v);
		json_object_object_add(o, "errors", form_errors_json(rf->err));
		json_object_object_add(o, "open", json_object_new_boolean(1));
		if (rf->err->nfields == 0)
			json_object_object_add(o, "form_error", form_jstr(rf->err->message));
	} else {
		json_object_object_add(o, "values", current);
		json_object_object_add(o, "errors", json_object_new_object());
	}
	return o;
}

static json_object *
address_line(arena *a, const address *ad)
{
	return form_jstr(arena_printf(a, "%s %s, %s%s%s, %s %s, %s", ad->first_name, ad->last_name,
	    ad->address_line1, *ad->address_line2 != '\0' ? ", " : "", ad->address_line2,
	    ad->postal_code, ad->city, ad->country_code));
}

static ecode
render_account(request *req, response *res, int status, const refused *rf, error *e)
{
	static const char *const profile_keys[] = { "first_name", "last_name", "phone", NULL };
	json_object *ctx, *prof, *list;
	address *ads;
	size_t n;
	user u;
	ecode rc;

	if ((rc = user_get(req->a, req->user_id, &u, e)) != E_OK ||
	    (rc = address_list(req->a, req->user_id, &ads, &n, e)) != E_OK)
		return rc;
	if ((ctx = form_ctx(req, res, e)) == NULL)
		return e->code;
	json_object_object_add(ctx, "email", form_jstr(u.email));
	json_object_object_add(ctx, "email_verified", json_object_new_boolean(u.email_verified));
	json_object_object_add(ctx, "totp_enabled", json_object_new_boolean(u.totp_enabled));
	prof = json_object_new_object();
	json_object_object_add(prof, "first_name", form_jstr(u.first_name));
	json_object_object_add(prof, "last_name", form_jstr(u.last_name));
	json_object_object_add(prof, "phone", form_jstr(u.phone));
	json_object_object_add(ctx, "profile", form_state(req, rf, "profile", NULL, prof, profile_keys));
	json_object_object_add(ctx, "password", form_state(req, rf, "password", NULL,
	    json_object_new_object(), (const char *const[]){ NULL }));
	list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = form_state(req, rf, "address", ads[i].id, address_values(&ads[i]),
		    address_keys);
		json_object_object_add(o, "id", form_jstr(ads[i].id));
		json_object_object_add(o, "prefix", form_jstr(arena_printf(req->a, "a-%s", ads[i].id)));
		json_object_object_add(o, "line", address_line(req->a, &ads[i]));
		json_object_object_add(o, "label", form_jstr(ads[i].label));
		if (ads[i].is_default)
			json_object_object_add(o, "is_default", json_object_new_boolean(1));
		json_object_array_add(list, o);
	}
	json_object_object_add(ctx, "addresses", list);
	json_object_object_add(ctx, "can_add_address", json_object_new_boolean(n < ADDRESSES_MAX));
	list = form_state(req, rf, "new_address", NULL, json_object_new_object(), address_keys);
	json_object_object_add(list, "prefix", form_jstr("new"));
	json_object_object_add(ctx, "new_address", list);
	return store_render_status(req, res, status, "store/account", ctx, "Your account",
	    "Your profile, password and addresses.", e);
}

ecode
h_account(request *req, response *res, error *e)
{
	return render_account(req, res, 200, NULL, e);
}

/* After an account form: on success back to the page with a flash; on a
 * refusal the page again with that form's errors. */
static ecode
account_done(request *req, response *res, ecode rc, error *le, const char *form,
    const char *address_id, const char *flash, error *e)
{
	refused rf = { form, address_id, le };

	if (rc == E_OK)
		return form_see_other(req, res, "/account", flash, e);
	if (!form_shown(rc) && rc != E_NOT_FOUND) {
		*e = *le;
		return rc;
	}
	return render_account(req, res, form_refusal_status(res, le), &rf, e);
}

ecode
h_account_profile(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	user_profile_input in = { form_val(req, "first_name"), form_val(req, "last_name"), form_val(req, "phone") };
	user u = { 0 };
	error le;

	err_clear(&le);
	return account_done(req, res, user_update_profile(req->a, &ctx, req->user_id, &in, &u, &le),
	    &le, "profile", NULL, "profile-saved", e);
}

ecode
h_account_password(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	error le;

	err_clear(&le);
	return account_done(req, res, user_change_password(req->a, &ctx, req->user_id,
	    form_val(req, "current_password"), form_val(req, "new_password"), req->session_id, &le),
	    &le, "password", NULL, "password-changed", e);
}

ecode
h_account_verification(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	ecode rc;

	if ((rc = user_resend_verification(req->a, &ctx, req->user_id, e)) != E_OK)
		return rc;
	return form_see_other(req, res, "/account", "verification-sent", e);
}

/* The address form as the domain's input: every field as sent (the form
 * always sends them all), the checkbox as 0/1. */
static void
address_from_form(const request *req, address_input *in)
{
	in->label = form_val(req, "label");
	in->first_name = form_val(req, "first_name");
	in->last_name = form_val(req, "last_name");
	in->address_line1 = form_val(req, "address_line1");
	in->address_line2 = form_val(req, "address_line2");
	in->city = form_val(req, "city");
	in->state = form_val(req, "state");
	in->postal_code = form_val(req, "postal_code");
	in->country_code = form_val(req, "country_code");
	in->phone = form_val(req, "phone");
	in->is_default = req_form(req, "is_default") != NULL ? 1 : 0;
}

ecode
h_address_create(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	address_input in;
	address out;
	error le;

	err_clear(&le);
	address_from_form(req, &in);
	return account_done(req, res, address_create(req->a, &ctx, req->user_id, &in, &out, &le),
	    &le, "new_address", NULL, "address-added", e);
}

ecode
h_address_update(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *id = req_param(req, "id");
	address_input in;
	address out;
	error le;
	ecode rc;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no such address");
	err_clear(&le);
	address_from_form(req, &in);
	rc = address_update(req->a, &ctx, req->user_id, id, &in, &out, &le);
	if (rc == E_NOT_FOUND) {
		*e = le;
		return rc;
	}
	return account_done(req, res, rc, &le, "address", id, "address-saved", e);
}

ecode
h_address_delete(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *id = req_param(req, "id");
	ecode rc;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no such address");
	if ((rc = address_delete(req->a, &ctx, req->user_id, id, e)) != E_OK)
		return rc;
	return form_see_other(req, res, "/account", "address-deleted", e);
}

/* ------------------------------------------------------------ two-step sign-in */

typedef struct twofa_view {
	const char  *secret, *uri;	/* enrolment in progress */
	const char **codes;		/* just confirmed: shown once */
	const error *err;
	const char  *form;		/* "confirm" or "disable" when refused */
} twofa_view;

static ecode
render_2fa(request *req, response *res, int status, const twofa_view *v, error *e)
{
	json_object *ctx;
	user u;
	ecode rc;

	if ((rc = user_get(req->a, req->user_id, &u, e)) != E_OK)
		return rc;
	if ((ctx = form_ctx(req, res, e)) == NULL)
		return e->code;
	json_object_object_add(ctx, "totp_enabled", json_object_new_boolean(u.totp_enabled));
	if (v->secret != NULL) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "secret", form_jstr(v->secret));
		json_object_object_add(s, "uri", form_jstr(v->uri));
		json_object_object_add(ctx, "setup", s);
	}
	if (v->codes != NULL) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; v->codes[i] != NULL; i++)
			json_object_array_add(arr, form_jstr(v->codes[i]));
		json_object_object_add(ctx, "recovery_codes", arr);
	}
	if (v->err != NULL) {
		json_object_object_add(ctx, arena_printf(req->a, "%s_errors", v->form),
		    form_errors_json(v->err));
		if (v->err->nfields == 0)
			json_object_object_add(ctx, "form_error", form_jstr(v->err->message));
	}
	return store_render_status(req, res, status, "store/account-2fa", ctx,
	    "Two-step sign-in", "Protect your account with a code from an authenticator app.", e);
}

ecode
h_account_2fa(request *req, response *res, error *e)
{
	twofa_view v = { 0 };

	return render_2fa(req, res, 200, &v, e);
}

ecode
h_2fa_setup(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	twofa_view v = { 0 };
	ecode rc;

	if ((rc = user_totp_begin(req->a, &ctx, req->user_id, &v.secret, &v.uri, e)) != E_OK)
		return rc;
	return render_2fa(req, res, 200, &v, e);
}

/* The secret and URI the confirm form carries back, only to show them
 * again after a wrong code (the domain checks against its stored secret).
 * Anything but base32 and an otpauth URI of sane length is dropped. */
static void
setup_echo(const request *req, twofa_view *v)
{
	const char *s = form_val(req, "secret"), *u = form_val(req, "uri");
	size_t n = strlen(s);

	if (n < 16 || n > OTP_SECRET_MAX || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567=") != n ||
	    strncmp(u, "otpauth://", 10) != 0 || strlen(u) > OTP_URI_MAX)
		return;
	v->secret = s;
	v->uri = u;
}

ecode
h_2fa_confirm(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	twofa_view v = { 0 };
	error le;
	ecode rc;

	err_clear(&le);
	rc = user_totp_confirm(req->a, &ctx, req->user_id, form_val(req, "otp"), &v.codes, &le);
	if (rc == E_OK)
		return render_2fa(req, res, 200, &v, e);
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	setup_echo(req, &v);
	v.err = &le;
	v.form = "confirm";
	return render_2fa(req, res, form_refusal_status(res, &le), &v, e);
}

ecode
h_2fa_disable(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	twofa_view v = { 0 };
	error le;
	ecode rc;

	err_clear(&le);
	rc = user_totp_disable(req->a, &ctx, req->user_id, form_val(req, "password"), &le);
	if (rc == E_OK)
		return form_see_other(req, res, "/account/2fa", "2fa-disabled", e);
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	v.err = &le;
	v.form = "disable";
	return render_2fa(req, res, form_refusal_status(res, &le), &v, e);
}

/* ------------------------------------------------------------ wishlist */

#define WISHLIST_IMAGE_SIZES "64px"	/* .wishlist img in store.css */

ecode
h_wishlist(request *req, response *res, error *e)
{
	catalog_actor who = { NULL, ROLE_PUBLIC, req->request_id };
	wishlist_item *items;
	json_object *ctx, *arr;
	size_t n;
	ecode rc;

	if ((rc = wishlist_list(req->a, req->user_id, &items, &n, e)) != E_OK)
		return rc;
	if ((ctx = form_ctx(req, res, e)) == NULL)
		return e->code;
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o;
		product p;

		/* a product taken off sale stays listed, so it can be removed */
		if ((rc = product_get(req->a, &who, items[i].product_id, &p, e)) == E_OK) {
			json_object *im;
			o = store_card(req->a, &p.s);
			/* a card's picture, shown at thumbnail size (store.css) */
			if (json_object_object_get_ex(o, "image", &im) &&
			    json_object_object_get_ex(im, "sizes", NULL))
				json_object_object_add(im, "sizes",
				    json_object_new_string(WISHLIST_IMAGE_SIZES));
		} else if (rc == E_NOT_FOUND) {
			err_clear(e);
			o = json_object_new_object();
			json_object_object_add(o, "unavailable", json_object_new_boolean(1));
		} else {
			json_object_put(arr);
			json_object_put(ctx);
			return rc;
		}
		json_object_object_add(o, "product_id", form_jstr(items[i].product_id));
		json_object_array_add(arr, o);
	}
	json_object_object_add(ctx, "items", arr);
	return store_render_status(req, res, 200, "store/wishlist", ctx, "Your wishlist",
	    "Products you saved for later.", e);
}

/* Where a wishlist button sends the browser back to (the product page). */
static const char *
wishlist_back(const request *req)
{
	const char *back = form_local_path(req_form(req, "back"));

	return back != NULL ? back : "/account/wishlist";
}

ecode
h_wishlist_add(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *id = req_param(req, "productId");
	ecode rc;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no such product");
	if ((rc = wishlist_add(req->a, &ctx, req->user_id, id, e)) != E_OK)
		return rc;
	return form_see_other(req, res, wishlist_back(req), "wishlist-added", e);
}

ecode
h_wishlist_remove(request *req, response *res, error *e)
{
	user_ctx ctx = user_ctx_of(req);
	const char *id = req_param(req, "productId");
	ecode rc;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no such product");
	/* removing what is already gone (a second click) is done, not an error */
	rc = wishlist_remove(req->a, &ctx, req->user_id, id, e);
	if (rc != E_OK && rc != E_NOT_FOUND)
		return rc;
	err_clear(e);
	return form_see_other(req, res, wishlist_back(req), "wishlist-removed", e);
}
