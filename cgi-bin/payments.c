/*
 * payments.c — the JSON responder for /api/v1/payments (api-v1.md
 * §Checkout, payments, orders).
 *
 * Reads are for the payment's owner or an admin (someone else's payment is
 * 404, so ids cannot be probed); refunds are for admins; provider webhooks
 * are public routes whose authority is the provider's signature over the
 * raw body, checked by lib/payment before anything is read from it.  The
 * checkout takes payments through lib/payment directly.
 */
#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "core/json.h"
#include "core/page.h"
#include "core/util.h"
#include "payment/payment.h"
#include "settings/settings.h"

#define SMALL (16 * 1024)
#define WEBHOOK_MAX (64 * 1024)

static ecode
reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

/* Owners and admins see a payment; anyone else is told it does not exist. */
static ecode
visible(const request *req, const payment *p, error *e)
{
	if (req->user_role == ROLE_ADMIN)
		return E_OK;
	if (p->user_id && req->user_id && strcmp(p->user_id, req->user_id) == 0)
		return E_OK;
	return err_set(e, E_NOT_FOUND, "payment not found");
}

static ecode
h_get(request *req, response *res, error *e)
{
	payment p;

	if (payment_get(req->a, req_param(req, "id"), &p, e) != E_OK || visible(req, &p, e) != E_OK)
		return e->code;
	return reply(req, res, 200, payment_to_json(&p), e);
}

static ecode
h_by_checkout(request *req, response *res, error *e)
{
	payment p;

	if (payment_for_checkout(req->a, req_param(req, "checkoutId"), &p, e) != E_OK ||
	    visible(req, &p, e) != E_OK)
		return e->code;
	return reply(req, res, 200, payment_to_json(&p), e);
}

static ecode
h_by_user(request *req, response *res, error *e)
{
	const char *uid = req_param(req, "userId");
	page pg;
	payment *list;
	size_t n;
	int64_t total;
	json_object *items;

	if (req->user_role != ROLE_ADMIN && (!req->user_id || strcmp(uid, req->user_id) != 0))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (page_from_query(req, &pg, e) != E_OK ||
	    payment_list_for_user(req->a, uid, pg.per_page, pg.offset, &list, &n, &total, e) != E_OK)
		return e->code;
	if (!(items = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		json_object_array_add(items, payment_to_json(&list[i]));
	json_reply_page(req, res, items, &pg, total);
	return E_OK;
}

static ecode
h_refund(request *req, response *res, error *e)
{
	const char *reason = NULL, *key = req_header(req, "Idempotency-Key");
	int64_t amount = 0;
	payment p;
	payment_actor who = { req->user_id, req->user_role, req->request_id };

	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	if (json_get_i64(req->json, "amount", 1, 100000000000LL, &amount, e) == 0)
		err_field(e, "amount", "is required");
	if (json_get_str(req->json, "reason", 3, 500, &reason, e) == 0)
		err_field(e, "reason", "is required (3 to 500 characters)");
	if (key && (!*key || strlen(key) > 160))
		err_field(e, "Idempotency-Key", "must be 1 to 160 characters");
	if (e->code != E_OK)
		return e->code;
	if (payment_refund_by(req->a, &who, req_param(req, "id"), amount, reason, key, &p, e) != E_OK)
		return e->code;
	return reply(req, res, 200, payment_to_json(&p), e);
}

static ecode
h_webhook(request *req, response *res, error *e)
{
	const char *provider = req_param(req, "provider");
	const char *sig = req_header(req, "Sandbox-Signature");
	bool duplicate;
	json_object *o;

	if (!req->body || req->body_len == 0)
		return err_set(e, E_INVALID_INPUT, "the event body is empty");
	if (payment_webhook(req->a, provider, sig, req->body, req->body_len, &duplicate, e) != E_OK)
		return e->code;
	if (!(o = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "status", json_object_new_string(duplicate ? "duplicate" : "processed"));
	return reply(req, res, 200, o, e);
}

#define OWNER_GET(path, h) { "GET", path, h, ROLE_CUSTOMER, CSRF_NONE, BODY_NONE, 0, RL_READ }

static const route payments_routes[] = {
	OWNER_GET("/api/v1/payments/{id}", h_get),
	OWNER_GET("/api/v1/payments/checkout/{checkoutId}", h_by_checkout),
	OWNER_GET("/api/v1/payments/user/{userId}", h_by_user),
	{ "POST", "/api/v1/payments/{id}/refund", h_refund, ROLE_ADMIN, CSRF_NONE, BODY_JSON, SMALL,
	  RL_WRITE },
	/* public, but nothing happens without the provider's signature */
	{ "POST", "/api/v1/payments/webhook/{provider}", h_webhook, ROLE_PUBLIC, CSRF_NONE, BODY_RAW,
	  WEBHOOK_MAX, RL_WRITE },
};

static const app payments_app = {
	"payments", APP_JSON, payments_routes, sizeof payments_routes / sizeof payments_routes[0],
	NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&payments_app, argc, argv);
}
