/*
 * orders_view.c — the template context of an order, shared by the
 * storefront's confirmation, history and invoice pages and the admin
 * panel's order pages, so both show the same numbers the same way.
 */
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "orders_view.h"

static json_object *
str(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static const char *
money(arena *a, int64_t minor, const char *currency)
{
	const char *s = money_format_a(a, minor, currency);

	return s ? s : "";
}

const char *
order_view_time(arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[40];

	if (t <= 0 || !gmtime_r(&tt, &tm))
		return "";
	strftime(out, sizeof out, "%d %b %Y, %H:%M UTC", &tm);
	return arena_strdup(a, out);
}

static const char *
label(const char *status)
{
	static const struct { const char *status, *label; } labels[] = {
		{ "pending", "Awaiting payment" }, { "confirmed", "Confirmed" },
		{ "processing", "Being prepared" }, { "shipped", "Shipped" },
		{ "delivered", "Delivered" }, { "canceled", "Canceled" },
		{ "refunded", "Refunded" },
	};

	for (size_t i = 0; status && i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(status, labels[i].status) == 0)
			return labels[i].label;
	return status ? status : "";
}

static json_object *
address_view(const order_address *ad)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "full_name", str(ad->full_name));
	json_object_object_add(o, "line1", str(ad->address_line1));
	if (ad->address_line2 && *ad->address_line2)
		json_object_object_add(o, "line2", str(ad->address_line2));
	json_object_object_add(o, "city", str(ad->city));
	if (ad->state && *ad->state)
		json_object_object_add(o, "state", str(ad->state));
	json_object_object_add(o, "postal_code", str(ad->postal_code));
	json_object_object_add(o, "country", str(ad->country));
	if (ad->phone && *ad->phone)
		json_object_object_add(o, "phone", str(ad->phone));
	return o;
}

static void
add_items(arena *a, json_object *v, const order *o)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < o->nitems; i++) {
		const order_item *it = &o->items[i];
		json_object *j = json_object_new_object();
		json_object_object_add(j, "name", str(it->name));
		json_object_object_add(j, "sku", str(it->sku));
		json_object_object_add(j, "quantity", json_object_new_int64(it->quantity));
		json_object_object_add(j, "unit_price", str(money(a, it->unit_price, o->currency)));
		if (it->discount > 0)
			json_object_object_add(j, "discount", str(money(a, it->discount, o->currency)));
		json_object_object_add(j, "tax", str(money(a, it->tax, o->currency)));
		json_object_object_add(j, "line_total", str(money(a, it->line_total, o->currency)));
		json_object_array_add(arr, j);
	}
	json_object_object_add(v, "items", arr);
}

static void
add_history(arena *a, json_object *v, const order *o)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < o->nhistory; i++) {
		const order_history *h = &o->history[i];
		json_object *j = json_object_new_object();
		json_object_object_add(j, "from", str(h->from_status ? label(h->from_status) : NULL));
		json_object_object_add(j, "to", str(label(h->to_status)));
		json_object_object_add(j, "actor", str(h->actor));
		json_object_object_add(j, "reason", str(h->reason));
		json_object_object_add(j, "when", str(order_view_time(a, h->created_at)));
		json_object_array_add(arr, j);
	}
	json_object_object_add(v, "history", arr);
}

json_object *
order_view(arena *a, const order *o)
{
	json_object *v = json_object_new_object();

	if (!v)
		return NULL;
	json_object_object_add(v, "id", str(o->id));
	json_object_object_add(v, "number", str(o->number));
	json_object_object_add(v, "status", str(o->status));
	json_object_object_add(v, "status_label", str(label(o->status)));
	json_object_object_add(v, "placed_at", str(order_view_time(a, o->created_at)));
	json_object_object_add(v, "email", str(o->email));
	json_object_object_add(v, "guest", json_object_new_boolean(o->user_id == NULL));
	json_object_object_add(v, "currency", str(o->currency));
	json_object_object_add(v, "subtotal", str(money(a, o->subtotal, o->currency)));
	if (o->discount_total > 0)
		json_object_object_add(v, "discount_total", str(money(a, o->discount_total, o->currency)));
	json_object_object_add(v, "shipping", str(money(a, o->shipping, o->currency)));
	json_object_object_add(v, "tax", str(money(a, o->tax, o->currency)));
	json_object_object_add(v, "total", str(money(a, o->total, o->currency)));
	json_object_object_add(v, "shipping_method", str(o->shipping_method));
	json_object_object_add(v, "address", address_view(&o->address));
	if (o->items)
		add_items(a, v, o);
	if (o->history)
		add_history(a, v, o);
	return v;
}
