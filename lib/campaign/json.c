/*
 * json.c — campaigns, stacking rules and priced baskets as JSON.
 *
 * Money is integer minor units beside its currency; times are RFC 3339
 * UTC; absent optional values are null, so clients see every key every
 * time.  campaign_to_json is the admin view (it carries the code): the
 * public endpoints never render a campaign, only price results.
 */
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "campaign/campaign.h"

static json_object *
str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}


static json_object *
pos_or_null(int64_t v)
{
	return v > 0 ? json_object_new_int64(v) : NULL;
}

static json_object *
ids_json(const char *const *v, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

json_object *
campaign_to_json(const campaign *c)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "description", json_object_new_string(c->description ? c->description : ""));
	json_object_object_add(o, "type", json_object_new_string(c->type));
	json_object_object_add(o, "status", json_object_new_string(c->status));
	json_object_object_add(o, "is_active", json_object_new_boolean(strcmp(c->status, "active") == 0));
	json_object_object_add(o, "discount_value", json_object_new_int64(c->discount_value));
	json_object_object_add(o, "buy_quantity", pos_or_null(c->buy_quantity));
	json_object_object_add(o, "currency", json_object_new_string(c->currency));
	json_object_object_add(o, "min_order_amount", json_object_new_int64(c->min_order_amount));
	json_object_object_add(o, "max_discount_amount", pos_or_null(c->max_discount_amount));
	json_object_object_add(o, "code", str_or_null(c->code));
	json_object_object_add(o, "is_automatic", json_object_new_boolean(c->is_automatic));
	json_object_object_add(o, "max_usage_count", pos_or_null(c->max_usage_count));
	json_object_object_add(o, "max_usage_per_user", pos_or_null(c->max_usage_per_user));
	json_object_object_add(o, "usage_count", json_object_new_int64(c->used_total));
	json_object_object_add(o, "is_stackable", json_object_new_boolean(c->is_stackable));
	json_object_object_add(o, "priority", json_object_new_int64(c->priority));
	json_object_object_add(o, "exclusion_group", str_or_null(c->exclusion_group));
	json_object_object_add(o, "start_date", json_time_or_null(c->start_date));
	json_object_object_add(o, "end_date", json_time_or_null(c->end_date));
	json_object_object_add(o, "applicable_products", ids_json(c->products, c->nproducts));
	json_object_object_add(o, "applicable_categories", ids_json(c->categories, c->ncategories));
	json_object_object_add(o, "created_at", json_time_or_null(c->created_at));
	json_object_object_add(o, "updated_at", json_time_or_null(c->updated_at));
	return o;
}

json_object *
stacking_rule_to_json(const stacking_rule *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "campaign_a", json_object_new_string(r->campaign_a));
	json_object_object_add(o, "campaign_b", json_object_new_string(r->campaign_b));
	json_object_object_add(o, "rule", json_object_new_string(r->allowed ? "allowed" : "forbidden"));
	json_object_object_add(o, "created_at", json_time_or_null(r->created_at));
	return o;
}

json_object *
price_result_to_json(const price_result *r, const char *currency)
{
	json_object *o = json_object_new_object(), *ap = json_object_new_array();
	json_object *w = json_object_new_array(), *inv = json_object_new_array();

	if (!o || !ap || !w || !inv) {
		json_object_put(o);
		json_object_put(ap);
		json_object_put(w);
		json_object_put(inv);
		return NULL;
	}
	for (size_t i = 0; i < r->napplied; i++) {
		const applied_discount *d = &r->applied[i];
		json_object *x = json_object_new_object();

		if (!x)
			continue;
		json_object_object_add(x, "campaign_id", json_object_new_string(d->campaign_id));
		json_object_object_add(x, "code", str_or_null(d->code));
		json_object_object_add(x, "name", json_object_new_string(d->name));
		json_object_object_add(x, "type", json_object_new_string(d->type));
		json_object_object_add(x, "discount_amount", json_object_new_int64(d->amount));
		json_object_object_add(x, "free_shipping", json_object_new_boolean(d->free_shipping));
		json_object_array_add(ap, x);
	}
	for (size_t i = 0; i < r->nwarnings; i++)
		json_object_array_add(w, json_object_new_string(r->warnings[i]));
	for (size_t i = 0; i < r->ninvalid; i++)
		json_object_array_add(inv, json_object_new_string(r->invalid_codes[i]));
	json_object_object_add(o, "subtotal", json_object_new_int64(r->subtotal));
	json_object_object_add(o, "discount_total", json_object_new_int64(r->discount_total));
	json_object_object_add(o, "shipping", json_object_new_int64(r->shipping));
	json_object_object_add(o, "total", json_object_new_int64(r->total));
	json_object_object_add(o, "currency", json_object_new_string(currency));
	json_object_object_add(o, "applied", ap);
	json_object_object_add(o, "warnings", w);
	json_object_object_add(o, "invalid_codes", inv);
	return o;
}
