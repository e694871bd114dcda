/*
 * orders.c — the JSON responder for /api/v1/orders (api-v1.md §Checkout,
 * payments, orders).
 *
 * Customers see and cancel their own orders; admins see everyone's, move
 * them through the state machine and cancel at any time before delivery.
 * A customer asking for someone else's order gets 404, as if it did not
 * exist, so ids cannot be probed.  The route table is the access policy
 * for roles; ownership is checked here, rules live in lib/order.
 */
#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "core/json.h"
#include "core/util.h"
#include "order/order.h"
#include "payment/payment.h"
#include "settings/settings.h"

#define SMALL (16 * 1024)

static ecode
reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

static bool
is_admin(const request *req)
{
	return req->user_role == ROLE_ADMIN;
}

/* The order if the caller may see it: admins any, others their own. */
static ecode
visible_order(request *req, order *o, error *e)
{
	if (order_get(req->a, req_param(req, "id"), o, e) != E_OK)
		return e->code;
	if (!is_admin(req) && (!o->user_id || !req->user_id || strcmp(o->user_id, req->user_id) != 0))
		return err_set(e, E_NOT_FOUND, "order not found");
	return E_OK;
}

static ecode
h_list(request *req, response *res, error *e)
{
	order_filter f = { 0 };
	order_page op;
	page pg;
	json_object *arr;

	if (page_from_query(req, &pg, e) != E_OK)
		return e->code;
	f.status = req_query(req, "status");
	if (is_admin(req)) {
		f.user_id = req_query(req, "user_id");
		f.email = req_query(req, "email");
		f.number = req_query(req, "number");
	} else {
		/* a customer's list is theirs whatever the query says */
		f.user_id = req->user_id;
	}
	if (order_list(req->a, &f, &pg, &op, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < op.n; i++)
		json_object_array_add(arr, order_to_json(&op.items[i]));
	json_reply_page(req, res, arr, &op.pg, op.total);
	return E_OK;
}

static ecode
h_get(request *req, response *res, error *e)
{
	order o;
	payment *pays = NULL;
	size_t n = 0;
	json_object *j, *arr;

	if (visible_order(req, &o, e) != E_OK)
		return e->code;
	if (payment_list_for_order(req->a, o.id, &pays, &n, e) != E_OK)
		return e->code;
	if (!(j = order_to_json(&o)))
		return err_set(e, E_INTERNAL, "out of memory");
	arr = json_object_new_array();
	for (size_t i = 0; arr && i < n; i++)
		json_object_array_add(arr, payment_to_json(&pays[i]));
	json_object_object_add(j, "payments", arr);
	return reply(req, res, 200, j, e);
}

static json_object *
changed_json(const order *o, const order_change_result *r)
{
	json_object *j = order_to_json(o);

	if (j && r->warning)
		json_object_object_add(j, "warning", json_object_new_string(r->warning));
	return j;
}

static ecode
h_status(request *req, response *res, error *e)
{
	order_actor who = order_actor_of(req);
	const char *status = NULL, *reason = NULL;
	bool restock = false;
	order_status to = ORDER_PENDING;
	order o;
	order_change_result r;
	int rc;

	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	rc = json_get_str(req->json, "status", 1, 32, &status, e);
	if (rc == 0)
		err_field(e, "status", "is required");
	else if (rc == 1 && order_status_parse(status, &to) != 0)
		err_field(e, "status", "must be one of pending, confirmed, processing, shipped,"
		    " delivered, canceled, refunded");
	json_get_str(req->json, "reason", 1, ORDER_REASON_MAX, &reason, e);
	json_get_bool(req->json, "restock", &restock, e);
	if (e->code != E_OK ||
	    order_transition(req->a, &who, req_param(req, "id"), to, reason, restock, &o, &r, e) != E_OK)
		return e->code;
	return reply(req, res, 200, changed_json(&o, &r), e);
}

/* The body is optional ({"reason": "..."}), so it is parsed here. */
static ecode
h_cancel(request *req, response *res, error *e)
{
	order_actor who = order_actor_of(req);
	json_object *body = NULL;
	const char *reason = NULL;
	order o;
	order_change_result r;

	if (req->body_len > 0) {
		if (strncasecmp(req->content_type, "application/json", 16) != 0)
			return err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
		if (json_body_parse(req->a, req->body, req->body_len, &body, e) != E_OK)
			return e->code;
		if (!json_object_is_type(body, json_type_object))
			return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
		if (json_get_str(body, "reason", 1, ORDER_REASON_MAX, &reason, e) < 0)
			return e->code;
	}
	if (is_admin(req)) {
		if (order_transition(req->a, &who, req_param(req, "id"), ORDER_CANCELED,
		    reason ? reason : "canceled by an admin", false, &o, &r, e) != E_OK)
			return e->code;
	} else if (order_cancel_by_owner(req->a, &who, req_param(req, "id"), reason, &o, &r, e) != E_OK) {
		return e->code;
	}
	return reply(req, res, 200, changed_json(&o, &r), e);
}

static const route orders_routes[] = {
	{ "GET", "/api/v1/orders", h_list, ROLE_CUSTOMER, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "GET", "/api/v1/orders/{id}", h_get, ROLE_CUSTOMER, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "PUT", "/api/v1/orders/{id}/status", h_status, ROLE_ADMIN, CSRF_NONE, BODY_JSON, SMALL, RL_WRITE },
	{ "POST", "/api/v1/orders/{id}/cancel", h_cancel, ROLE_CUSTOMER, CSRF_NONE, BODY_RAW, SMALL, RL_WRITE },
};

static const app orders_app = {
	"orders", APP_JSON, orders_routes, sizeof orders_routes / sizeof orders_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&orders_app, argc, argv);
}
