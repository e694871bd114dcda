/*
 * store_restock.c — "E-mail me when it is back" (notification.h,
 * restock_subscribe): the product page's form for an out-of-stock
 * variant, and the page behind the unsubscribe link of the mail.
 *
 * POST /p/{slug}/restock       subscribe; 303 back to the product page
 *                              with a flash (a repeat is answered the
 *                              same friendly way, with no second row);
 *                              a refused address comes back on the
 *                              product page with the field's message
 * GET  /restock/unsubscribe    ?id=&token= (the mail's link): what the
 *                              alert is, and a button — a GET changes
 *                              nothing, as mail scanners follow links
 * POST /restock/unsubscribe    the button: the subscription is deleted
 *
 * The routes share RL_PASSWORD with forgot-password: each lets a
 * stranger make the shop write to an address they typed.
 */
#include <string.h>

#include "auth/auth.h"
#include "core/util.h"
#include "notification/notification.h"
#include "store_form.h"

#define TOKEN_LEN 64

ecode
h_restock_subscribe(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *slug = req_param(req, "slug"), *vid = form_opt(req, "variant_id");
	restock_input in;
	json_object *form;
	product p;
	bool created;
	error le;
	ecode rc;

	if ((rc = product_get(req->a, &who, slug, &p, e)) != E_OK)
		return rc;
	in = (restock_input){ p.s.id, vid, form_val(req, "email"), req->user_id };
	err_clear(&le);
	if (vid == NULL)
		rc = err_set(&le, E_INVALID_INPUT, "Choose the option you are waiting for.");
	else
		rc = restock_subscribe(req->a, &in, &created, &le);
	if (rc == E_OK)
		return form_see_other(req, res, arena_printf(req->a, "/p/%s?variant=%s", p.s.slug,
		    vid), created ? "restock-subscribed" : "restock-already", e);
	if (!form_shown(rc)) {
		*e = le;
		return rc;
	}
	form = json_object_new_object();
	json_object_object_add(form, "email", form_jstr(in.email));
	json_object_object_add(form, "errors", form_errors_json(&le));
	if (le.nfields == 0)
		json_object_object_add(form, "error", form_jstr(le.message));
	rc = store_product_page(req, res, p.s.slug, vid != NULL && uuid_valid(vid) ? vid : NULL,
	    form, form_refusal_status(res, &le), e);
	json_object_put(form);
	return rc;
}

/* The unsubscribe page: the alert (product and address), or done. */
static ecode
unsubscribe_page(request *req, response *res, const char *id, const char *token, bool done,
    error *e)
{
	catalog_actor pub = { NULL, ROLE_PUBLIC, req->request_id };
	restock_subscription s;
	json_object *ctx;
	product p;
	error le;

	if (!(ctx = form_ctx(req, res, e)))
		return e->code;
	if (done) {
		json_object_object_add(ctx, "done", json_object_new_boolean(1));
		return store_render(req, res, "store/restock-unsubscribe", ctx, "Alert removed",
		    "The back-in-stock alert is removed.", e);
	}
	if (restock_get(req->a, id, token, &s, e) != E_OK) {
		json_object_put(ctx);
		return e->code;
	}
	err_clear(&le);
	json_object_object_add(ctx, "id", form_jstr(s.id));
	json_object_object_add(ctx, "token", form_jstr(token));
	json_object_object_add(ctx, "email", form_jstr(s.email));
	if (s.notified_at > 0)
		json_object_object_add(ctx, "notified", json_object_new_boolean(1));
	if (product_get(req->a, &pub, s.product_id, &p, &le) == E_OK)
		json_object_object_add(ctx, "product", form_jstr(p.s.name));
	return store_render(req, res, "store/restock-unsubscribe", ctx, "Back-in-stock alert",
	    "Remove a back-in-stock alert.", e);
}

ecode
h_restock_unsubscribe_form(request *req, response *res, error *e)
{
	const char *id = req_query(req, "id"), *token = req_query(req, "token");

	return unsubscribe_page(req, res, id, token, false, e);
}

ecode
h_restock_unsubscribe(request *req, response *res, error *e)
{
	const char *id = form_opt(req, "id"), *token = form_opt(req, "token");

	if (token != NULL && strlen(token) != TOKEN_LEN)
		token = NULL;
	if (restock_unsubscribe(req->a, id, token, e) != E_OK)
		return e->code;
	return unsubscribe_page(req, res, id, token, true, e);
}
