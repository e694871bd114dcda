/*
 * json.c — the cart in the API's shape (api-v1.md §Cart): money as integer
 * minor units beside the currency, times as RFC 3339 UTC.
 */
#include "core/json.h"
#include "core/util.h"
#include "internal.h"

static json_object *
line_json(const cart_line *l, const char *currency)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "product_id", json_object_new_string(l->product_id));
	json_object_object_add(o, "variant_id", json_object_new_string(l->variant_id));
	json_object_object_add(o, "slug", json_str_or_null(l->slug));
	json_object_object_add(o, "name", json_str_or_null(l->name));
	json_object_object_add(o, "variant_name", json_str_or_null(l->variant_name));
	json_object_object_add(o, "sku", json_str_or_null(l->sku));
	json_object_object_add(o, "image_url", json_str_or_null(l->image_url));
	json_object_object_add(o, "quantity", json_object_new_int64(l->quantity));
	json_object_object_add(o, "unit_price", json_object_new_int64(l->unit_price));
	json_object_object_add(o, "line_total", json_object_new_int64(l->line_total));
	json_object_object_add(o, "currency", json_object_new_string(currency));
	json_object_object_add(o, "available", json_object_new_boolean(l->available));
	json_object_object_add(o, "in_stock", json_object_new_boolean(l->in_stock));
	json_object_object_add(o, "available_quantity", json_object_new_int64(l->stock));
	json_object_object_add(o, "price_changed", json_object_new_boolean(l->price_changed));
	json_object_object_add(o, "previous_unit_price", l->price_changed ?
	    json_object_new_int64(l->added_unit_price) : NULL);
	json_object_object_add(o, "purchasable", json_object_new_boolean(l->purchasable));
	json_object_object_add(o, "issue", json_str_or_null(l->issue));
	return o;
}

static json_object *
strings_json(const char *const *v, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr != NULL && i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

static json_object *
discount_json(const cart_discount *d)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "campaign_id", json_str_or_null(d->campaign_id));
	json_object_object_add(o, "code", json_str_or_null(d->code));
	json_object_object_add(o, "name", json_str_or_null(d->name));
	json_object_object_add(o, "type", json_str_or_null(d->type));
	json_object_object_add(o, "amount", json_object_new_int64(d->amount));
	json_object_object_add(o, "free_shipping", json_object_new_boolean(d->free_shipping));
	return o;
}

json_object *
cart_to_json(const cart *c)
{
	json_object *o = json_object_new_object(), *items = json_object_new_array(),
	    *ds = json_object_new_array();
	char when[21];

	if (o == NULL || items == NULL || ds == NULL) {
		json_object_put(o);
		json_object_put(items);
		json_object_put(ds);
		return NULL;
	}
	for (size_t i = 0; i < c->nlines; i++)
		json_object_array_add(items, line_json(&c->lines[i], c->currency));
	for (size_t i = 0; i < c->ndiscounts; i++)
		json_object_array_add(ds, discount_json(&c->discounts[i]));
	json_object_object_add(o, "id", json_str_or_null(c->id));
	json_object_object_add(o, "user_id", json_str_or_null(c->user_id));
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "item_count", json_object_new_int64(c->item_count));
	json_object_object_add(o, "subtotal", json_object_new_int64(c->subtotal));
	json_object_object_add(o, "discount_total", json_object_new_int64(c->discount_total));
	json_object_object_add(o, "shipping", json_object_new_int64(c->shipping));
	json_object_object_add(o, "total", json_object_new_int64(c->total));
	json_object_object_add(o, "currency", json_object_new_string(c->currency));
	json_object_object_add(o, "coupons", strings_json(c->codes, c->ncodes));
	json_object_object_add(o, "discounts", ds);
	json_object_object_add(o, "warnings", strings_json(c->warnings, c->nwarnings));
	json_object_object_add(o, "invalid_codes", strings_json(c->invalid_codes, c->ninvalid));
	json_object_object_add(o, "version", json_object_new_int64(c->version));
	if (c->expires_at > 0) {
		time_rfc3339(c->expires_at, when);
		json_object_object_add(o, "expires_at", json_object_new_string(when));
	} else {
		json_object_object_add(o, "expires_at", NULL);
	}
	json_object_object_add(o, "has_issues", json_object_new_boolean(c->has_issues));
	return o;
}
