/*
 * checkout.c — the JSON responder for /api/v1/checkout (api-v1.md
 * §Checkout): create from the cart, read, shipping, payment, process,
 * cancel.
 *
 * Every route is public at the gate: the owner check is lib/checkout's —
 * the signed-in user who created the checkout, or for a guest whoever
 * presents the checkout token answered at creation (X-Checkout-Token
 * header, else the "checkout" cookie).  Anyone else gets 404.
 *
 * Card details: PUT /payment keeps only the method and, for cards, brand
 * and last 4 digits; POST /process must carry the card again
 * ({"card":{"number","exp_month","exp_year","cvc"}}).  The card lives in
 * this request's arena only, goes to lib/payment, and is never stored or
 * logged (the request log has no bodies; the idempotency record keeps an
 * HMAC of the body, never the body).
 *
 * POST /process honours Idempotency-Key: the first complete answer
 * (2xx, or a 4xx other than 409/429) is stored and replayed byte for byte;
 * a 5xx or a conflict is not stored, so a retry runs again and gets the
 * checkout's final state.
 */
#include <string.h>
#include <strings.h>

#include "cart/cart.h"
#include "checkout/checkout.h"
#include "core/app.h"
#include "core/json.h"
#include "core/util.h"
#include "settings/settings.h"

#define BODY_MAX	(16 * 1024)
#define FIELD_MAX	200

static ecode h_create(request *req, response *res, error *e);
static ecode h_get(request *req, response *res, error *e);
static ecode h_shipping(request *req, response *res, error *e);
static ecode h_payment(request *req, response *res, error *e);
static ecode h_process(request *req, response *res, error *e);
static ecode h_cancel(request *req, response *res, error *e);

#define ROW(m, path, h, body, rl) { m, path, h, ROLE_PUBLIC, CSRF_NONE, body, BODY_MAX, rl }

static const route checkout_routes[] = {
	/* the body is optional for a signed-in caller: parsed by the handler */
	ROW("POST", "/api/v1/checkout", h_create, BODY_RAW, RL_WRITE),
	ROW("GET", "/api/v1/checkout/{id}", h_get, BODY_NONE, RL_READ),
	ROW("PUT", "/api/v1/checkout/{id}/shipping", h_shipping, BODY_JSON, RL_WRITE),
	ROW("PUT", "/api/v1/checkout/{id}/payment", h_payment, BODY_JSON, RL_WRITE),
	ROW("POST", "/api/v1/checkout/{id}/process", h_process, BODY_RAW, RL_WRITE),
	/* a body (clients often send {}) is accepted and ignored */
	ROW("POST", "/api/v1/checkout/{id}/cancel", h_cancel, BODY_RAW, RL_WRITE),
};

static int
checkout_init(void)
{
	return checkout_config_init();
}

static const app checkout_app = {
	"checkout", APP_JSON, checkout_routes,
	sizeof checkout_routes / sizeof checkout_routes[0], checkout_init, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&checkout_app, argc, argv);
}

/* ------------------------------------------------------------ shared */

static checkout_caller
caller_of(const request *req)
{
	const char *tok = req_header(req, CHECKOUT_HEADER_TOKEN);

	if (!tok || !*tok)
		tok = req_cookie(req, CHECKOUT_COOKIE);
	return (checkout_caller){ req->user_id, req->user_email, tok, req->request_id };
}

static ecode
reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

/* A JSON object body on a BODY_RAW route, or none (*o NULL). */
static ecode
optional_json(request *req, error *e)
{
	const char *ct = req->content_type;
	size_t n = strlen("application/json");

	if (req->body_len == 0)
		return E_OK;
	if (strncasecmp(ct, "application/json", n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' '))
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
	if (json_body_parse(req->a, req->body, req->body_len, &req->json, e) != E_OK)
		return e->code;
	if (!json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	return E_OK;
}

static ecode
need_object(const request *req, error *e)
{
	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	return E_OK;
}

/* ------------------------------------------------------------ handlers */

static ecode
h_create(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	const char *email = NULL, *token;
	cart_ref ref;
	checkout c;
	json_object *o;

	if (optional_json(req, e) != E_OK)
		return e->code;
	if (req->json)
		json_get_str(req->json, "email", 3, CHECKOUT_EMAIL_MAX, &email, e);
	if (e->code != E_OK || cart_ref_of(req, &ref, e) != E_OK ||
	    checkout_create(req->a, &who, &ref, email, &c, &token, e) != E_OK)
		return e->code;
	if (!(o = checkout_to_json(&c)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (token) {
		const char *attrs = arena_printf(req->a, "Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
		    CHECKOUT_TTL_S, req->https ? "; Secure" : "");

		/* shown once: only its HMAC is stored */
		json_object_object_add(o, "checkout_token", json_object_new_string(token));
		resp_set_header(res, CHECKOUT_HEADER_TOKEN, token);
		if (attrs)
			resp_cookie(res, CHECKOUT_COOKIE, token, attrs);
	}
	return reply(req, res, 201, o, e);
}

static ecode
h_get(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout c;

	if (checkout_get(req->a, &who, req_param(req, "id"), &c, e) != E_OK)
		return e->code;
	return reply(req, res, 200, checkout_to_json(&c), e);
}

static void
text(json_object *o, const char *key, size_t max, bool required, const char **out, error *e)
{
	if (json_get_str(o, key, required ? 1 : 0, max, out, e) == 0 && required)
		err_field(e, key, "is required");
}

static ecode
h_shipping(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout_address ad = { 0 };
	const char *method = NULL;
	json_object *o = req->json;
	checkout c;

	if (need_object(req, e) != E_OK)
		return e->code;
	text(o, "full_name", FIELD_MAX, true, &ad.full_name, e);
	/* api-v1 names it address_line; address_line1 is accepted too */
	if (json_get_str(o, "address_line1", 1, FIELD_MAX, &ad.address_line1, e) == 0)
		text(o, "address_line", FIELD_MAX, true, &ad.address_line1, e);
	text(o, "address_line2", FIELD_MAX, false, &ad.address_line2, e);
	text(o, "city", FIELD_MAX, true, &ad.city, e);
	text(o, "state", FIELD_MAX, false, &ad.state, e);
	text(o, "postal_code", 20, true, &ad.postal_code, e);
	text(o, "country", 2, true, &ad.country, e);
	text(o, "phone", 40, false, &ad.phone, e);
	text(o, "shipping_method", SHIP_CODE_MAX, false, &method, e);
	if (e->code != E_OK ||
	    checkout_set_shipping(req->a, &who, req_param(req, "id"), &ad, method, &c, e) != E_OK)
		return e->code;
	return reply(req, res, 200, checkout_to_json(&c), e);
}

static ecode
h_payment(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	const char *method = NULL, *number = NULL;
	json_object *card;
	checkout c;

	if (need_object(req, e) != E_OK)
		return e->code;
	text(req->json, "payment_method", 32, true, &method, e);
	if (json_object_object_get_ex(req->json, "card", &card) &&
	    json_object_is_type(card, json_type_object) &&
	    json_get_str(card, "number", 12, 19, &number, e) < 0)
		err_field(e, "card.number", "must be 12 to 19 digits");
	if (e->code != E_OK ||
	    checkout_set_payment(req->a, &who, req_param(req, "id"), method, number, &c, e) != E_OK)
		return e->code;
	return reply(req, res, 200, checkout_to_json(&c), e);
}

/* The card of a /process body; every field bounded, the number checked. */
static ecode
card_of(request *req, checkout_card *card, bool *have, error *e)
{
	json_object *o;

	*have = false;
	if (!req->json || !json_object_object_get_ex(req->json, "card", &o) ||
	    json_object_is_type(o, json_type_null))
		return E_OK;
	if (!json_object_is_type(o, json_type_object))
		return err_field(e, "card", "must be an object {number, exp_month, exp_year, cvc}");
	text(o, "number", 19, true, &card->number, e);
	text(o, "exp_month", 2, true, &card->exp_month, e);
	text(o, "exp_year", 4, true, &card->exp_year, e);
	text(o, "cvc", 4, true, &card->cvc, e);
	if (card->number && !checkout_card_number_ok(card->number))
		err_field(e, "card.number", "is not a valid card number");
	*have = e->code == E_OK;
	return e->code;
}

/* The reply as JSON text, so that exactly these bytes can be replayed. */
static const char *
envelope(request *req, ecode rc, const checkout *c, const error *e, int *status)
{
	json_object *root = json_object_new_object(), *err;
	const char *s;

	if (!root)
		return NULL;
	if (rc == E_OK) {
		*status = 200;
		json_object_object_add(root, "data", checkout_to_json(c));
	} else if ((err = json_object_new_object()) != NULL) {
		*status = ecode_status(rc);
		json_object_object_add(err, "code", json_object_new_string(ecode_name(rc)));
		json_object_object_add(err, "message", json_object_new_string(
		    e->message[0] ? e->message : status_reason(*status)));
		if (e->nfields > 0) {
			json_object *f = json_object_new_object();

			for (int i = 0; f && i < e->nfields; i++)
				json_object_object_add(f, e->fields[i].name,
				    json_object_new_string(e->fields[i].message));
			json_object_object_add(err, "fields", f);
		}
		json_object_object_add(err, "request_id",
		    json_object_new_string(req->request_id ? req->request_id : ""));
		json_object_object_add(root, "error", err);
	}
	s = arena_strdup(req->a, json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return s;
}

static void
emit_text(response *res, int status, const char *body)
{
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	if (buf_puts(res->body, body) != 0)
		res->body->oom = 1;
}

static ecode
h_process(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	const char *id = req_param(req, "id"), *key = req_header(req, "Idempotency-Key");
	const char *stored = NULL, *body;
	checkout_card card = { 0 };
	bool have_card, replay = false;
	int status = 0;
	checkout c;
	error pe;
	ecode rc;

	if (optional_json(req, e) != E_OK || card_of(req, &card, &have_card, e) != E_OK)
		return e->code;
	/* the owner check first: a key never reveals another's answer */
	if (checkout_get(req->a, &who, id, &c, e) != E_OK)
		return e->code;
	if (key && checkout_idem_begin(req->a, key, c.id, req->body, req->body_len, &replay,
	    &status, &stored, e) != E_OK)
		return e->code;
	if (replay) {
		resp_set_header(res, "Idempotent-Replayed", "true");
		emit_text(res, status, stored);
		return E_OK;
	}
	err_clear(&pe);
	rc = checkout_process(req->a, &who, c.id, have_card ? &card : NULL, &c, &pe);
	if (!(body = envelope(req, rc, &c, &pe, &status))) {
		if (key)
			checkout_idem_abandon(req->a, key, c.id);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	if (key) {
		error se;

		err_clear(&se);
		if (status >= 500 || status == 409 || status == 429)
			checkout_idem_abandon(req->a, key, c.id);
		else if (checkout_idem_finish(req->a, key, c.id, status, body, &se) != E_OK)
			checkout_idem_abandon(req->a, key, c.id);
	}
	emit_text(res, status, body);
	return E_OK;
}

static ecode
h_cancel(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout c;

	if (checkout_cancel(req->a, &who, req_param(req, "id"), &c, e) != E_OK)
		return e->code;
	return reply(req, res, 200, checkout_to_json(&c), e);
}
