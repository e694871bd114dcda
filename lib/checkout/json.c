/*
 * json.c — the snapshots a checkout row keeps as JSON (lines, codes,
 * address) and the API view of a checkout.  Values built here are either
 * serialised at once into arena strings or handed to the caller.
 */
#include <string.h>

#include "checkout/internal.h"
#include "core/util.h"

static void
put_json(void *p)
{
	json_object_put(p);
}

json_object *
ck_json_parse(arena *a, const char *text)
{
	json_object *o;

	if (!text || !(o = json_tokener_parse(text)))
		return NULL;
	if (arena_defer(a, put_json, o) != 0)
		return NULL;
	return o;
}

/* Serialise o into the arena and drop it. */
static const char *
to_text(arena *a, json_object *o)
{
	const char *s = NULL;

	if (o)
		s = arena_strdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static void
add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static json_object *
line_json(const checkout_line *l)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_str(o, "product_id", l->product_id);
	add_str(o, "variant_id", l->variant_id);
	add_str(o, "category_id", l->category_id);
	add_str(o, "name", l->name);
	add_str(o, "sku", l->sku);
	json_object_object_add(o, "unit_price", json_object_new_int64(l->unit_price));
	json_object_object_add(o, "quantity", json_object_new_int64(l->quantity));
	json_object_object_add(o, "line_total", json_object_new_int64(l->line_total));
	json_object_object_add(o, "discount", json_object_new_int64(l->discount));
	json_object_object_add(o, "tax", json_object_new_int64(l->tax));
	return o;
}

static json_object *
lines_array(const checkout_line *l, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		json_object_array_add(arr, line_json(&l[i]));
	return arr;
}

const char *
ck_lines_json(arena *a, const checkout_line *l, size_t n)
{
	return to_text(a, lines_array(l, n));
}

static json_object *
codes_array(const char *const *codes, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		json_object_array_add(arr, json_object_new_string(codes[i]));
	return arr;
}

const char *
ck_codes_json(arena *a, const char *const *codes, size_t n)
{
	return to_text(a, codes_array(codes, n));
}

static json_object *
address_obj(const checkout_address *ad)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	add_str(o, "full_name", ad->full_name);
	add_str(o, "address_line1", ad->address_line1);
	add_str(o, "address_line2", ad->address_line2);
	add_str(o, "city", ad->city);
	add_str(o, "state", ad->state);
	add_str(o, "postal_code", ad->postal_code);
	add_str(o, "country", ad->country);
	add_str(o, "phone", ad->phone);
	return o;
}

const char *
ck_address_json(arena *a, const checkout_address *ad)
{
	return to_text(a, address_obj(ad));
}

static const char *
get_s(arena *a, json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return arena_strdup(a, json_object_get_string(v));
}

static int64_t
get_i(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

ecode
ck_lines_parse(arena *a, const char *text, checkout_line **out, size_t *n, error *e)
{
	json_object *arr = ck_json_parse(a, text);
	size_t len;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return err_set(e, E_INTERNAL, "stored checkout lines unreadable");
	len = json_object_array_length(arr);
	if (!(*out = arena_calloc(a, len + 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		checkout_line *l = &(*out)[i];

		l->product_id = get_s(a, o, "product_id");
		l->variant_id = get_s(a, o, "variant_id");
		l->category_id = get_s(a, o, "category_id");
		l->name = get_s(a, o, "name");
		l->sku = get_s(a, o, "sku");
		l->unit_price = get_i(o, "unit_price");
		l->quantity = get_i(o, "quantity");
		l->line_total = get_i(o, "line_total");
		l->discount = get_i(o, "discount");
		l->tax = get_i(o, "tax");
	}
	*n = len;
	return E_OK;
}

ecode
ck_codes_parse(arena *a, const char *text, const char ***out, size_t *n, error *e)
{
	json_object *arr = ck_json_parse(a, text);
	size_t len;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return err_set(e, E_INTERNAL, "stored coupon codes unreadable");
	len = json_object_array_length(arr);
	if (!(*out = arena_calloc(a, len + 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < len; i++)
		if (!((*out)[i] = arena_strdup(a, json_object_get_string(json_object_array_get_idx(arr, i)))))
			return err_set(e, E_INTERNAL, "out of memory");
	*n = len;
	return E_OK;
}

ecode
ck_address_parse(arena *a, const char *text, checkout_address *ad, error *e)
{
	json_object *o = ck_json_parse(a, text);

	if (!o || !json_object_is_type(o, json_type_object))
		return err_set(e, E_INTERNAL, "stored address unreadable");
	ad->full_name = get_s(a, o, "full_name");
	ad->address_line1 = get_s(a, o, "address_line1");
	ad->address_line2 = get_s(a, o, "address_line2");
	ad->city = get_s(a, o, "city");
	ad->state = get_s(a, o, "state");
	ad->postal_code = get_s(a, o, "postal_code");
	ad->country = get_s(a, o, "country");
	ad->phone = get_s(a, o, "phone");
	return E_OK;
}

static json_object *
time_json(int64_t t)
{
	char when[21];

	if (t <= 0)
		return NULL;
	time_rfc3339(t, when);
	return json_object_new_string(when);
}

/* Every method that ships to the address, with its price for this cart. */
static json_object *
methods_json(const checkout *c)
{
	const ship_table *t = checkout_ship_table();
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && t && i < t->n; i++) {
		int64_t price;
		json_object *m;

		if (ship_quote(&t->m[i], c->has_address ? c->address.country : NULL,
		    c->subtotal, &price) != 0 || !(m = json_object_new_object()))
			continue;
		json_object_object_add(m, "code", json_object_new_string(t->m[i].code));
		json_object_object_add(m, "price", json_object_new_int64(price));
		json_object_array_add(arr, m);
	}
	return arr;
}

json_object *
checkout_to_json(const checkout *c)
{
	json_object *o = json_object_new_object(), *pay, *fail = NULL;

	if (!o)
		return NULL;
	add_str(o, "id", c->id);
	add_str(o, "status", c->status);
	add_str(o, "user_id", c->user_id);
	add_str(o, "email", c->email);
	add_str(o, "currency", c->currency);
	json_object_object_add(o, "items", lines_array(c->lines, c->nlines));
	json_object_object_add(o, "coupons", codes_array(c->codes, c->ncodes));
	json_object_object_add(o, "discounts", c->discounts ? json_object_get(c->discounts) :
	    json_object_new_array());
	json_object_object_add(o, "shipping_address", c->has_address ? address_obj(&c->address) : NULL);
	add_str(o, "shipping_method", c->shipping_method);
	json_object_object_add(o, "shipping_methods", methods_json(c));
	if ((pay = json_object_new_object()) != NULL) {
		add_str(pay, "method", c->payment_method);
		add_str(pay, "card_brand", c->card_brand);
		add_str(pay, "card_last4", c->card_last4);
	}
	json_object_object_add(o, "payment", pay);
	json_object_object_add(o, "subtotal", json_object_new_int64(c->subtotal));
	json_object_object_add(o, "discount_total", json_object_new_int64(c->discount_total));
	json_object_object_add(o, "shipping", json_object_new_int64(c->shipping));
	json_object_object_add(o, "tax", json_object_new_int64(c->tax));
	json_object_object_add(o, "total", json_object_new_int64(c->total));
	add_str(o, "order_id", c->order_id);
	add_str(o, "order_number", c->order_number);
	add_str(o, "payment_id", c->payment_id);
	if (c->failure_code && (fail = json_object_new_object()) != NULL) {
		add_str(fail, "code", c->failure_code);
		add_str(fail, "message", c->failure_message);
	}
	json_object_object_add(o, "failure", fail);
	json_object_object_add(o, "expires_at", time_json(c->expires_at));
	json_object_object_add(o, "created_at", time_json(c->created_at));
	json_object_object_add(o, "updated_at", time_json(c->updated_at));
	return o;
}
