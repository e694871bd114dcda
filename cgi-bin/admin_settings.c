/*
 * admin_settings.c — /admin/settings: the shop's settings (issue 7) on one
 * form: store name, contact e-mail, currency, e-mail sender, shipping
 * methods, tax rates and who is told of a new order.  lib/settings validates (a message per field,
 * the form shown again with what was typed, 400, nothing stored) and
 * stores them; every responder uses them within ECOM_SETTINGS_TTL_MS.
 */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "settings/settings.h"
#include "admin.h"

static ecode
settings_render(request *req, response *res, int status, const user *me,
    const shop_settings *s, const error *ferr, error *e)
{
	json_object *ctx = json_object_new_object(), *f = json_object_new_object();
	const char *saved = req_query(req, "saved");

	if (!ctx || !f) {
		json_object_put(ctx);
		json_object_put(f);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	admin_put_str(f, "store_name", s->store_name);
	admin_put_str(f, "contact_email", s->contact_email);
	admin_put_str(f, "currency", s->currency);
	admin_put_str(f, "mail_from", s->mail_from);
	admin_put_str(f, "shipping_methods", s->shipping_methods);
	admin_put_str(f, "tax_rates", s->tax_rates);
	admin_put_flag(f, "prices_include_tax", s->prices_include_tax);
	admin_put_str(f, "orders_notify_email", s->orders_notify_email);
	if (ferr) {
		json_object_object_add(f, "errors", admin_field_errors(ferr));
		admin_put_str(ctx, "error", ferr->message);
	}
	json_object_object_add(ctx, "form", f);
	admin_put_flag(ctx, "saved", !ferr && saved && strcmp(saved, "1") == 0);
	admin_put_flag(ctx, "unchanged", !ferr && saved && strcmp(saved, "0") == 0);
	return admin_render(req, res, status, "admin/settings", ctx, me, "Settings", e);
}

ecode
h_settings(request *req, response *res, error *e)
{
	shop_settings s;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = settings_get(req->a, &s, e)) != E_OK)
		return rc;
	return settings_render(req, res, 200, &me, &s, NULL, e);
}

static const char *
field(request *req, const char *name)
{
	const char *v = req_form(req, name);

	return v ? v : "";
}

ecode
h_settings_update(request *req, response *res, error *e)
{
	settings_actor who = { req->user_id, req->user_role, req->request_id };
	shop_settings in = {
		field(req, "store_name"), field(req, "contact_email"), field(req, "currency"),
		field(req, "mail_from"), field(req, "shipping_methods"), field(req, "tax_rates"),
		req_form(req, "prices_include_tax") != NULL, field(req, "orders_notify_email"),
	};
	error verr;
	user me;
	bool done;
	int changed;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	err_clear(&verr);
	rc = settings_update(req->a, &who, &in, &changed, &verr);
	if (rc == E_OK)
		return admin_see_other(res, changed ? "/admin/settings?saved=1" :
		    "/admin/settings?saved=0", e);
	if (rc != E_VALIDATION) {
		*e = verr;
		return rc;
	}
	snprintf(verr.message, sizeof verr.message, "Nothing was saved: check the fields marked below.");
	return settings_render(req, res, 400, &me, &in, &verr, e);
}
