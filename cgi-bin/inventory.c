/*
 * inventory.c — the JSON responder for /api/v1/inventory and
 * /api/v1/warehouses (api-v1.md §Inventory).
 *
 * Everything is for admins except POST /inventory/check, which the cart and
 * product pages of other clients use to ask "can I buy this many?".  The
 * reserve/confirm/release routes exist for tools and tests; the checkout
 * calls lib/inventory directly.  The route table is the whole access
 * policy; handlers parse, call lib/inventory and render.
 */
#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "core/json.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "settings/settings.h"

#define SMALL (32 * 1024)

static ecode
reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

/* A JSON body that is not an object is a client mistake, said plainly. */
static ecode
need_object(const request *req, error *e)
{
	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	return E_OK;
}

static void
required_uuid(json_object *o, const char *key, const char **out, error *e)
{
	if (json_get_uuid(o, key, out, e) == 0)
		err_field(e, key, "is required");
}

/* ------------------------------------------------------------ stock */

static ecode
h_stock_set(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	const char *pid = NULL, *vid = NULL, *wid = NULL;
	int64_t qty = -1, threshold = -1;
	stock_row row = { 0 };
	bool created = false;

	if (need_object(req, e) != E_OK)
		return e->code;
	required_uuid(req->json, "product_id", &pid, e);
	required_uuid(req->json, "variant_id", &vid, e);
	json_get_uuid(req->json, "warehouse_id", &wid, e);
	json_get_i64(req->json, "quantity", 0, INV_QUANTITY_MAX, &qty, e);
	json_get_i64(req->json, "low_stock_threshold", 0, INV_QUANTITY_MAX, &threshold, e);
	if (e->code != E_OK ||
	    stock_set(req->a, &who, pid, vid, wid, qty, threshold, &row, &created, e) != E_OK)
		return e->code;
	return reply(req, res, created ? 201 : 200, stock_row_to_json(&row), e);
}

static ecode
h_stock_get(request *req, response *res, error *e)
{
	variant_stock s;

	if (stock_get(req->a, req_param(req, "pid"), req_param(req, "vid"), &s, e) != E_OK)
		return e->code;
	return reply(req, res, 200, variant_stock_to_json(&s), e);
}

static ecode
h_stock_adjust(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	const char *reason_s = NULL, *wid = NULL, *ref = NULL;
	int64_t delta = 0;
	stock_reason reason = REASON_ADJUSTMENT;
	stock_row row = { 0 };
	int rc;

	if (need_object(req, e) != E_OK)
		return e->code;
	rc = json_get_i64(req->json, "delta", -INV_QUANTITY_MAX, INV_QUANTITY_MAX, &delta, e);
	if (rc == 0)
		err_field(e, "delta", "is required");
	else if (rc == 1 && delta == 0)
		err_field(e, "delta", "must not be 0");
	rc = json_get_str(req->json, "reason", 1, 32, &reason_s, e);
	if (rc == 0)
		err_field(e, "reason", "is required: order, return, adjustment or reservation");
	else if (rc == 1 && stock_reason_parse(reason_s, &reason) != 0)
		err_field(e, "reason", "must be order, return, adjustment or reservation");
	json_get_uuid(req->json, "warehouse_id", &wid, e);
	json_get_str(req->json, "reference", 1, INV_REFERENCE_MAX, &ref, e);
	if (e->code != E_OK ||
	    stock_adjust(req->a, &who, req_param(req, "pid"), req_param(req, "vid"), wid, delta,
	    reason, ref, &row, e) != E_OK)
		return e->code;
	return reply(req, res, 200, stock_row_to_json(&row), e);
}

static ecode
h_movements(request *req, response *res, error *e)
{
	page pg;
	movement_page mp;
	json_object *arr;

	if (page_from_query(req, &pg, e) != E_OK ||
	    movement_list(req->a, req_param(req, "vid"), &pg, &mp, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < mp.n; i++)
		json_object_array_add(arr, movement_to_json(&mp.items[i]));
	json_reply_page(req, res, arr, &mp.pg, mp.total);
	return E_OK;
}

static ecode
h_low_stock(request *req, response *res, error *e)
{
	page pg;
	stock_page sp;
	json_object *arr;

	if (page_from_query(req, &pg, e) != E_OK || stock_low_list(req->a, &pg, &sp, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < sp.n; i++)
		json_object_array_add(arr, stock_row_to_json(&sp.items[i]));
	json_reply_page(req, res, arr, &sp.pg, sp.total);
	return E_OK;
}

static ecode
h_check(request *req, response *res, error *e)
{
	inv_item *items;
	inv_availability *av;
	size_t n;
	json_object *o, *arr;
	bool all = true;

	if (need_object(req, e) != E_OK ||
	    inv_items_from_json(req->a, req->json, false, &items, &n, e) != E_OK)
		return e->code;
	if (!(av = arena_calloc(req->a, n, sizeof *av)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (inventory_availability(req->a, items, n, av, e) != E_OK)
		return e->code;
	o = json_object_new_object();
	arr = json_object_new_array();
	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_new_object();
		if (!it)
			continue;
		json_object_object_add(it, "product_id", json_object_new_string(av[i].product_id));
		json_object_object_add(it, "variant_id", json_object_new_string(av[i].variant_id));
		json_object_object_add(it, "quantity", json_object_new_int64(items[i].quantity));
		json_object_object_add(it, "available", json_object_new_int64(av[i].available));
		json_object_object_add(it, "in_stock", json_object_new_boolean(av[i].in_stock));
		json_object_object_add(it, "tracked", json_object_new_boolean(av[i].tracked));
		json_object_array_add(arr, it);
		all = all && av[i].in_stock;
	}
	json_object_object_add(o, "items", arr);
	json_object_object_add(o, "all_available", json_object_new_boolean(all));
	return reply(req, res, 200, o, e);
}

/* ------------------------------------------------------------ reservations */

static ecode
reply_reservation(request *req, response *res, int status, const char *id, error *e)
{
	reservation r;

	if (reservation_get(req->a, id, &r, e) != E_OK)
		return e->code;
	return reply(req, res, status, reservation_to_json(&r), e);
}

static ecode
h_reserve(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	const char *key = NULL, *id;
	inv_item *items = NULL;
	size_t n = 0;
	int64_t ttl = 0;

	if (need_object(req, e) != E_OK)
		return e->code;
	if (json_get_str(req->json, "key", 1, INV_KEY_MAX, &key, e) == 0)
		err_field(e, "key", "is required (the checkout id)");
	json_get_i64(req->json, "ttl_seconds", 1, INV_TTL_MAX, &ttl, e);
	inv_items_from_json(req->a, req->json, true, &items, &n, e);
	if (e->code != E_OK ||
	    inventory_reserve_by(req->a, &who, key, items, n, ttl, &id, e) != E_OK)
		return e->code;
	return reply_reservation(req, res, 201, id, e);
}

static ecode
h_release(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	const char *id = NULL, *reason = NULL;

	if (need_object(req, e) != E_OK)
		return e->code;
	required_uuid(req->json, "reservation_id", &id, e);
	json_get_str(req->json, "reason", 1, INV_REFERENCE_MAX, &reason, e);
	if (e->code != E_OK || inventory_release_by(req->a, &who, id, reason, e) != E_OK)
		return e->code;
	return reply_reservation(req, res, 200, id, e);
}

static ecode
h_confirm(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	const char *id = NULL, *order = NULL;

	if (need_object(req, e) != E_OK)
		return e->code;
	required_uuid(req->json, "reservation_id", &id, e);
	required_uuid(req->json, "order_id", &order, e);
	if (e->code != E_OK || inventory_confirm_by(req->a, &who, id, order, e) != E_OK)
		return e->code;
	return reply_reservation(req, res, 200, id, e);
}

static ecode
h_reservation_get(request *req, response *res, error *e)
{
	return reply_reservation(req, res, 200, req_param(req, "id"), e);
}

/* ------------------------------------------------------------ warehouses */

static ecode
h_wh_list(request *req, response *res, error *e)
{
	warehouse *w;
	size_t n;
	json_object *arr;

	if (warehouse_list(req->a, &w, &n, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, warehouse_to_json(&w[i]));
	return reply(req, res, 200, arr, e);
}

static ecode
h_wh_get(request *req, response *res, error *e)
{
	warehouse w = { 0 };

	if (warehouse_get(req->a, req_param(req, "id"), &w, e) != E_OK)
		return e->code;
	return reply(req, res, 200, warehouse_to_json(&w), e);
}

static ecode
h_wh_create(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	warehouse_input in;
	warehouse w = { 0 };

	if (warehouse_input_from_json(req->json, true, &in, e) != E_OK ||
	    warehouse_create(req->a, &who, &in, &w, e) != E_OK)
		return e->code;
	return reply(req, res, 201, warehouse_to_json(&w), e);
}

static ecode
h_wh_update(request *req, response *res, error *e)
{
	inv_actor who = inv_actor_of(req);
	warehouse_input in;
	warehouse w = { 0 };
	const char *id = req_param(req, "id");

	/* An unknown id is 404 before any body complaint. */
	if (warehouse_get(req->a, id, &w, e) != E_OK ||
	    warehouse_input_from_json(req->json, false, &in, e) != E_OK ||
	    warehouse_update(req->a, &who, id, &in, &w, e) != E_OK)
		return e->code;
	return reply(req, res, 200, warehouse_to_json(&w), e);
}

/* ------------------------------------------------------------ routes */

#define ADMIN_GET(path, h)	{ "GET", path, h, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ }
#define ADMIN_WRITE(m, path, h)	{ m, path, h, ROLE_ADMIN, CSRF_NONE, BODY_JSON, SMALL, RL_WRITE }
#define VARIANT "/api/v1/inventory/{pid}/variants/{vid}"

static const route inventory_routes[] = {
	ADMIN_WRITE("POST", "/api/v1/inventory", h_stock_set),
	{ "POST", "/api/v1/inventory/check", h_check, ROLE_PUBLIC, CSRF_NONE, BODY_JSON, SMALL, RL_READ },
	ADMIN_WRITE("POST", "/api/v1/inventory/reserve", h_reserve),
	ADMIN_WRITE("POST", "/api/v1/inventory/release", h_release),
	ADMIN_WRITE("POST", "/api/v1/inventory/confirm", h_confirm),
	ADMIN_GET("/api/v1/inventory/low-stock", h_low_stock),
	ADMIN_GET("/api/v1/inventory/reservations/{id}", h_reservation_get),
	ADMIN_GET(VARIANT, h_stock_get),
	ADMIN_WRITE("PUT", VARIANT, h_stock_adjust),
	ADMIN_GET(VARIANT "/movements", h_movements),

	ADMIN_GET("/api/v1/warehouses", h_wh_list),
	ADMIN_WRITE("POST", "/api/v1/warehouses", h_wh_create),
	ADMIN_GET("/api/v1/warehouses/{id}", h_wh_get),
	ADMIN_WRITE("PUT", "/api/v1/warehouses/{id}", h_wh_update),
};

static const app inventory_app = {
	"inventory", APP_JSON, inventory_routes,
	sizeof inventory_routes / sizeof inventory_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&inventory_app, argc, argv);
}
