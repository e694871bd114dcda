/*
 * store_orders.c — the customer's order pages: the confirmation and
 * detail page /orders/{number}, its printable invoice, the cancel form,
 * and the history /account/orders.
 *
 * An order is shown to its owner, or to whoever holds the link the guest
 * got when placing it: /orders/{number}?t=<HMAC of the order id> (see
 * order_guest_token).  Anyone else gets the same 404 as for a number that
 * does not exist.  Guests' orders become the account's once its e-mail
 * is verified (order_claim_for_user, run when the history is opened).
 */
#include <string.h>

#include "core/log.h"
#include "order/order.h"
#include "orders_view.h"
#include "store.h"
#include "store_form.h"

#define TOKEN_MAX 64

/* The order if this visitor may see it; *owner says whether it is theirs
 * (only owners get the cancel form); *token is the guest link's token. */
static ecode
visible(request *req, order *o, bool *owner, const char **token, error *e)
{
	const char *t = req_query(req, "t");

	*owner = false;
	*token = NULL;
	if (order_get(req->a, req_param(req, "number"), o, e) != E_OK)
		return e->code;
	if (req->user_id && o->user_id && strcmp(o->user_id, req->user_id) == 0) {
		*owner = true;
		return E_OK;
	}
	if (t && strlen(t) == TOKEN_MAX && order_guest_token_ok(req->a, o->id, t)) {
		*token = t;
		return E_OK;
	}
	err_clear(e);
	return err_set(e, E_NOT_FOUND, "order not found");
}

static json_object *
page_ctx(request *req, response *res, const order *o, bool owner, const char *token, error *e)
{
	json_object *ctx = form_ctx(req, res, e), *v;
	order_status st;

	if (!ctx)
		return NULL;
	if (!(v = order_view(req->a, o))) {
		json_object_put(ctx);
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	json_object_object_add(ctx, "order", v);
	json_object_object_add(ctx, "invoice_url", form_jstr(token
	    ? arena_printf(req->a, "/orders/%s/invoice?t=%s", o->number, token)
	    : arena_printf(req->a, "/orders/%s/invoice", o->number)));
	json_object_object_add(ctx, "order_url", form_jstr(token
	    ? arena_printf(req->a, "/orders/%s?t=%s", o->number, token)
	    : arena_printf(req->a, "/orders/%s", o->number)));
	if (owner && order_status_parse(o->status, &st) == 0 &&
	    order_transition_allowed(st, ORDER_CANCELED))
		json_object_object_add(ctx, "can_cancel", json_object_new_boolean(1));
	if (owner)
		json_object_object_add(ctx, "owner", json_object_new_boolean(1));
	return ctx;
}

ecode
h_order(request *req, response *res, error *e)
{
	order o;
	bool owner;
	const char *token;
	json_object *ctx;
	const char *placed = req_query(req, "placed");

	if (visible(req, &o, &owner, &token, e) != E_OK ||
	    !(ctx = page_ctx(req, res, &o, owner, token, e)))
		return e->code;
	if (placed && strcmp(placed, "1") == 0)
		json_object_object_add(ctx, "placed", json_object_new_boolean(1));
	/* a guest link is a secret: keep it out of other sites' logs */
	if (token && resp_set_header(res, "Referrer-Policy", "no-referrer") != 0) {
		json_object_put(ctx);
		return err_set(e, E_INTERNAL, "header refused");
	}
	return store_render(req, res, "store/order", ctx,
	    arena_printf(req->a, "Order %s", o.number), "Your order.", e);
}

ecode
h_order_invoice(request *req, response *res, error *e)
{
	order o;
	bool owner;
	const char *token;
	json_object *ctx;

	if (visible(req, &o, &owner, &token, e) != E_OK ||
	    !(ctx = page_ctx(req, res, &o, owner, token, e)))
		return e->code;
	if (token && resp_set_header(res, "Referrer-Policy", "no-referrer") != 0) {
		json_object_put(ctx);
		return err_set(e, E_INTERNAL, "header refused");
	}
	return store_render(req, res, "store/invoice", ctx,
	    arena_printf(req->a, "Invoice %s", o.number), "Invoice for your order.", e);
}

ecode
h_order_cancel(request *req, response *res, error *e)
{
	order_actor who = order_actor_of(req);
	order o;
	order_change_result r;
	error le;
	ecode rc;

	err_clear(&le);
	rc = order_cancel_by_owner(req->a, &who, req_param(req, "number"),
	    "canceled by the customer", &o, &r, &le);
	if (rc != E_OK) {
		*e = le;
		return rc;
	}
	return form_see_other(req, res, arena_printf(req->a, "/orders/%s", o.number), NULL, e);
}

/* Guests' orders with the account's address join the history, but only
 * for a verified address: otherwise registering with someone else's
 * e-mail would reveal their orders. */
static void
claim_guest_orders(request *req)
{
	error le;
	int64_t n = 0;

	err_clear(&le);
	if (order_claim_verified(req->a, req->user_id, &n, &le) != E_OK)
		log_msg(LOG_WARN, "claiming guest orders failed: %s", le.message);
}

ecode
h_account_orders(request *req, response *res, error *e)
{
	order_filter f = { 0 };
	order_page op;
	page pg;
	json_object *ctx, *arr;

	if (page_from_query(req, &pg, e) != E_OK)
		return e->code;
	claim_guest_orders(req);
	f.user_id = req->user_id;
	if (order_list(req->a, &f, &pg, &op, e) != E_OK || !(ctx = form_ctx(req, res, e)))
		return e->code;
	arr = json_object_new_array();
	for (size_t i = 0; i < op.n; i++) {
		json_object *v = order_view(req->a, &op.items[i]);
		if (v)
			json_object_array_add(arr, v);
	}
	json_object_object_add(ctx, "orders", arr);
	json_object_object_add(ctx, "pagination", view_pagination(req->a, "/account/orders", &op.pg, op.total));
	return store_render(req, res, "store/orders", ctx, "Your orders", "Your orders.", e);
}
