/*
 * json.c — orders in the JSON form of api-v1 (money in minor units beside
 * the currency, times in RFC 3339 UTC).
 */
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "order/order.h"


static json_object *
address_json(const order_address *ad)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "full_name", json_str_or_null(ad->full_name));
	json_object_object_add(o, "address_line1", json_str_or_null(ad->address_line1));
	json_object_object_add(o, "address_line2", json_str_or_null(ad->address_line2));
	json_object_object_add(o, "city", json_str_or_null(ad->city));
	json_object_object_add(o, "state", json_str_or_null(ad->state));
	json_object_object_add(o, "postal_code", json_str_or_null(ad->postal_code));
	json_object_object_add(o, "country", json_str_or_null(ad->country));
	json_object_object_add(o, "phone", json_str_or_null(ad->phone));
	return o;
}

static json_object *
item_json(const order_item *it)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "line", json_object_new_int(it->line));
	json_object_object_add(o, "product_id", json_object_new_string(it->product_id));
	json_object_object_add(o, "variant_id", json_str_or_null(it->variant_id));
	json_object_object_add(o, "name", json_object_new_string(it->name));
	json_object_object_add(o, "sku", json_str_or_null(it->sku));
	json_object_object_add(o, "unit_price", json_object_new_int64(it->unit_price));
	json_object_object_add(o, "quantity", json_object_new_int64(it->quantity));
	json_object_object_add(o, "tax", json_object_new_int64(it->tax));
	json_object_object_add(o, "discount", json_object_new_int64(it->discount));
	json_object_object_add(o, "line_total", json_object_new_int64(it->line_total));
	return o;
}

static json_object *
history_json(const order_history *h)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "from_status", json_str_or_null(h->from_status));
	json_object_object_add(o, "to_status", json_object_new_string(h->to_status));
	json_object_object_add(o, "actor_id", json_str_or_null(h->actor_id));
	json_object_object_add(o, "actor", json_object_new_string(h->actor));
	json_object_object_add(o, "reason", json_str_or_null(h->reason));
	json_object_object_add(o, "created_at", json_time_or_null(h->created_at));
	return o;
}

json_object *
order_to_json(const order *o)
{
	json_object *j = json_object_new_object(), *codes;

	if (!j)
		return NULL;
	json_object_object_add(j, "id", json_object_new_string(o->id));
	json_object_object_add(j, "number", json_object_new_string(o->number));
	json_object_object_add(j, "checkout_id", json_object_new_string(o->checkout_id));
	json_object_object_add(j, "user_id", json_str_or_null(o->user_id));
	json_object_object_add(j, "email", json_object_new_string(o->email));
	json_object_object_add(j, "status", json_object_new_string(o->status));
	json_object_object_add(j, "currency", json_object_new_string(o->currency));
	json_object_object_add(j, "subtotal", json_object_new_int64(o->subtotal));
	json_object_object_add(j, "discount_total", json_object_new_int64(o->discount_total));
	json_object_object_add(j, "shipping", json_object_new_int64(o->shipping));
	json_object_object_add(j, "tax", json_object_new_int64(o->tax));
	json_object_object_add(j, "total", json_object_new_int64(o->total));
	json_object_object_add(j, "shipping_method", json_str_or_null(o->shipping_method));
	json_object_object_add(j, "shipping_address", address_json(&o->address));
	json_object_object_add(j, "payment_id", json_str_or_null(o->payment_id));
	codes = o->coupon_codes_json ? json_tokener_parse(o->coupon_codes_json) : NULL;
	json_object_object_add(j, "coupon_codes", codes ? codes : json_object_new_array());
	json_object_object_add(j, "created_at", json_time_or_null(o->created_at));
	json_object_object_add(j, "updated_at", json_time_or_null(o->updated_at));
	if (o->items) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; arr && i < o->nitems; i++)
			json_object_array_add(arr, item_json(&o->items[i]));
		json_object_object_add(j, "items", arr);
	}
	if (o->history) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; arr && i < o->nhistory; i++)
			json_object_array_add(arr, history_json(&o->history[i]));
		json_object_object_add(j, "status_history", arr);
	}
	return j;
}

json_object *
order_note_to_json(const order_note *n)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(n->id));
	json_object_object_add(o, "author_id", json_str_or_null(n->author_id));
	json_object_object_add(o, "author", json_object_new_string(n->author));
	json_object_object_add(o, "body", json_object_new_string(n->body));
	json_object_object_add(o, "created_at", json_time_or_null(n->created_at));
	return o;
}
