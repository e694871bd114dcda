/*
 * cart.c — the JSON responder for /api/v1/cart (api-v1.md §Cart).
 *
 * Public routes: a signed-in caller (Bearer or session cookie) works on
 * their own cart, anyone else on the guest cart named by X-Cart-ID or the
 * cart cookie.  The first change a guest makes without one creates the
 * cart and answers its id in X-Cart-ID and in the cookie; the id is the
 * only key to a guest cart, 128 random bits.
 *
 * Every change returns the whole cart as it is afterwards (live prices,
 * stock flags, totals, version), so a client never has to compute a total.
 * PUT and POST take an optional expected `version` (DELETE: ?version=);
 * a stale one is 409 CONFLICT.  PUT sets a quantity and DELETE removes,
 * so repeating either changes nothing more: safe to retry.  Only
 * product_id, variant_id and quantity of a line are read — a price, name
 * or sku in the body is ignored, never stored.
 */
#include <string.h>
#include <strings.h>

#include "cart/cart.h"
#include "core/app.h"
#include "core/json.h"
#include "core/parse.h"
#include "settings/settings.h"

#define BODY_MAX	(4 * 1024)	/* a line or a code: tiny */
#define VERSION_MAX	INT64_C(1000000000000)

static ecode h_get(request *req, response *res, error *e);
static ecode h_clear(request *req, response *res, error *e);
static ecode h_add(request *req, response *res, error *e);
static ecode h_set(request *req, response *res, error *e);
static ecode h_remove(request *req, response *res, error *e);
static ecode h_coupon_apply(request *req, response *res, error *e);
static ecode h_coupon_remove(request *req, response *res, error *e);

#define ROW(m, path, h, body, rl) { m, path, h, ROLE_PUBLIC, CSRF_NONE, body, BODY_MAX, rl }

static const route cart_routes[] = {
	ROW("GET", "/api/v1/cart", h_get, BODY_NONE, RL_READ),
	ROW("DELETE", "/api/v1/cart", h_clear, BODY_NONE, RL_WRITE),
	ROW("POST", "/api/v1/cart/items", h_add, BODY_JSON, RL_WRITE),
	ROW("PUT", "/api/v1/cart/items/{productId}/{variantId}", h_set, BODY_JSON, RL_WRITE),
	ROW("DELETE", "/api/v1/cart/items/{productId}/{variantId}", h_remove, BODY_NONE, RL_WRITE),
	ROW("POST", "/api/v1/cart/coupon", h_coupon_apply, BODY_JSON, RL_WRITE),
	/* the code may come as ?code= or as a JSON body */
	ROW("DELETE", "/api/v1/cart/coupon", h_coupon_remove, BODY_RAW, RL_WRITE),
};

static const app cart_app = {
	"cart", APP_JSON, cart_routes, sizeof cart_routes / sizeof cart_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&cart_app, argc, argv);
}

/* ------------------------------------------------------------ shared */

/* The guest's id goes back on every answer that used or made one. */
static ecode
reply(request *req, response *res, const cart_ref *ref, json_object *v, error *e)
{
	if (v == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (ref->user_id == NULL && ref->guest_id != NULL) {
		resp_set_header(res, "X-Cart-ID", ref->guest_id);
		if (ref->created || req_header(req, "X-Cart-ID") == NULL)
			cart_cookie_set(req, res, ref->guest_id);
	}
	json_reply(req, res, 200, v);
	return E_OK;
}

static ecode
reply_cart(request *req, response *res, const cart_ref *ref, const cart *c, error *e)
{
	return reply(req, res, ref, cart_to_json(c), e);
}

static ecode
body_object(const request *req, error *e)
{
	if (req->json == NULL || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	return E_OK;
}

/* Optional expected version from the body (or -1). */
static void
body_version(const request *req, int64_t *v, error *e)
{
	*v = -1;
	if (json_get_i64(req->json, "version", 0, VERSION_MAX, v, e) <= 0)
		*v = -1;
}

static ecode
query_version(const request *req, int64_t *v, error *e)
{
	const char *s = req_query(req, "version");

	*v = -1;
	if (s != NULL && parse_i64(s, 0, VERSION_MAX, v) != 0)
		return err_set(e, E_INVALID_PARAMETER, "version must be the cart's version number");
	return E_OK;
}

/* ------------------------------------------------------------ handlers */

static ecode
h_get(request *req, response *res, error *e)
{
	cart_ref ref;
	cart c;

	if (cart_ref_of(req, &ref, e) != E_OK || cart_get(req->a, &ref, &c, e) != E_OK)
		return e->code;
	return reply_cart(req, res, &ref, &c, e);
}

static ecode
h_clear(request *req, response *res, error *e)
{
	cart_ref ref;
	int64_t v;
	json_object *o;

	if (cart_ref_of(req, &ref, e) != E_OK || query_version(req, &v, e) != E_OK ||
	    cart_clear(req->a, &ref, v, e) != E_OK)
		return e->code;
	if ((o = json_object_new_object()) != NULL)
		json_object_object_add(o, "status", json_object_new_string("cleared"));
	return reply(req, res, &ref, o, e);
}

static ecode
h_add(request *req, response *res, error *e)
{
	const char *pid = NULL, *vid = NULL;
	int64_t qty = 0, v;
	cart_ref ref;
	cart c;

	if (body_object(req, e) != E_OK || cart_ref_of(req, &ref, e) != E_OK)
		return e->code;
	if (json_get_uuid(req->json, "product_id", &pid, e) == 0)
		err_field(e, "product_id", "is required");
	if (json_get_uuid(req->json, "variant_id", &vid, e) == 0)
		err_field(e, "variant_id", "is required");
	if (json_get_i64(req->json, "quantity", 1, CART_QTY_MAX, &qty, e) == 0)
		err_field(e, "quantity", "is required (1 to %d)", CART_QTY_MAX);
	body_version(req, &v, e);
	if (e->code != E_OK ||
	    cart_add(req->a, &ref, pid, vid, qty, v, &c, e) != E_OK)
		return e->code;
	return reply_cart(req, res, &ref, &c, e);
}

static ecode
h_set(request *req, response *res, error *e)
{
	int64_t qty = 0, v;
	cart_ref ref;
	cart c;

	if (body_object(req, e) != E_OK || cart_ref_of(req, &ref, e) != E_OK)
		return e->code;
	if (json_get_i64(req->json, "quantity", 0, CART_QTY_MAX, &qty, e) == 0)
		err_field(e, "quantity", "is required (0 removes, at most %d)", CART_QTY_MAX);
	body_version(req, &v, e);
	if (e->code != E_OK ||
	    cart_set_quantity(req->a, &ref, req_param(req, "productId"),
	    req_param(req, "variantId"), qty, v, &c, e) != E_OK)
		return e->code;
	return reply_cart(req, res, &ref, &c, e);
}

static ecode
h_remove(request *req, response *res, error *e)
{
	int64_t v;
	cart_ref ref;
	cart c;

	if (cart_ref_of(req, &ref, e) != E_OK || query_version(req, &v, e) != E_OK ||
	    cart_remove(req->a, &ref, req_param(req, "productId"),
	    req_param(req, "variantId"), v, &c, e) != E_OK)
		return e->code;
	return reply_cart(req, res, &ref, &c, e);
}

static ecode
h_coupon_apply(request *req, response *res, error *e)
{
	const char *code = NULL;
	int64_t v;
	cart_ref ref;
	cart c;

	if (body_object(req, e) != E_OK || cart_ref_of(req, &ref, e) != E_OK)
		return e->code;
	json_get_str(req->json, "code", 0, CART_CODE_MAX * 4, &code, e);
	body_version(req, &v, e);
	if (e->code != E_OK ||
	    cart_apply_coupon(req->a, &ref, code, v, &c, e) != E_OK)
		return e->code;
	return reply_cart(req, res, &ref, &c, e);
}

static ecode
h_coupon_remove(request *req, response *res, error *e)
{
	const char *code = req_query(req, "code"), *ct = req->content_type;
	size_t n = strlen("application/json");
	int64_t v;
	cart_ref ref;
	cart c;

	if (cart_ref_of(req, &ref, e) != E_OK || query_version(req, &v, e) != E_OK)
		return e->code;
	if (req->body_len > 0) {
		/* the same media-type rule app.c applies to BODY_JSON routes */
		if (strncasecmp(ct, "application/json", n) != 0 ||
		    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' '))
			return err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
		if (json_body_parse(req->a, req->body, req->body_len, &req->json, e) != E_OK ||
		    body_object(req, e) != E_OK)
			return e->code;
		json_get_str(req->json, "code", 0, CART_CODE_MAX * 4, &code, e);
		body_version(req, &v, e);
		if (e->code != E_OK)
			return e->code;
	}
	if (cart_remove_coupon(req->a, &ref, code, v, &c, e) != E_OK)
		return e->code;
	return reply_cart(req, res, &ref, &c, e);
}
