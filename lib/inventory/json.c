/*
 * json.c — inventory values to JSON (api-v1.md: ids as strings, times RFC
 * 3339 UTC) and the request bodies of the inventory API into inputs.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/util.h"
#include "inventory/internal.h"


json_object *
warehouse_to_json(const warehouse *w)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(w->id));
	json_object_object_add(o, "code", json_object_new_string(w->code));
	json_object_object_add(o, "name", json_object_new_string(w->name));
	json_object_object_add(o, "address", json_object_new_string(w->address ? w->address : ""));
	json_object_object_add(o, "priority", json_object_new_int(w->priority));
	json_object_object_add(o, "is_active", json_object_new_boolean(w->is_active));
	json_object_object_add(o, "created_at", json_time_or_null(w->created_at));
	json_object_object_add(o, "updated_at", json_time_or_null(w->updated_at));
	return o;
}

json_object *
stock_row_to_json(const stock_row *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "product_id", json_object_new_string(r->product_id));
	json_object_object_add(o, "variant_id", json_object_new_string(r->variant_id));
	json_object_object_add(o, "warehouse_id", json_object_new_string(r->warehouse_id));
	json_object_object_add(o, "warehouse_code", json_str_or_null(r->warehouse_code));
	json_object_object_add(o, "warehouse_name", json_str_or_null(r->warehouse_name));
	json_object_object_add(o, "priority", json_object_new_int(r->priority));
	json_object_object_add(o, "warehouse_active", json_object_new_boolean(r->warehouse_active));
	json_object_object_add(o, "on_hand", json_object_new_int64(r->on_hand));
	json_object_object_add(o, "reserved", json_object_new_int64(r->reserved));
	json_object_object_add(o, "available", json_object_new_int64(r->available));
	json_object_object_add(o, "low_stock_threshold", json_object_new_int64(r->low_stock_threshold));
	json_object_object_add(o, "is_low", json_object_new_boolean(r->is_low));
	json_object_object_add(o, "updated_at", json_time_or_null(r->updated_at));
	return o;
}

json_object *
variant_stock_to_json(const variant_stock *s)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return NULL;
	}
	json_object_object_add(o, "product_id", json_object_new_string(s->product_id));
	json_object_object_add(o, "variant_id", json_object_new_string(s->variant_id));
	json_object_object_add(o, "on_hand", json_object_new_int64(s->on_hand));
	json_object_object_add(o, "reserved", json_object_new_int64(s->reserved));
	json_object_object_add(o, "available", json_object_new_int64(s->available));
	json_object_object_add(o, "in_stock", json_object_new_boolean(s->available > 0));
	for (size_t i = 0; i < s->nrows; i++)
		json_object_array_add(arr, stock_row_to_json(&s->rows[i]));
	json_object_object_add(o, "warehouses", arr);
	return o;
}

json_object *
movement_to_json(const movement *m)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(m->id));
	json_object_object_add(o, "product_id", json_object_new_string(m->product_id));
	json_object_object_add(o, "variant_id", json_object_new_string(m->variant_id));
	json_object_object_add(o, "warehouse_id", json_object_new_string(m->warehouse_id));
	json_object_object_add(o, "delta_on_hand", json_object_new_int64(m->delta_on_hand));
	json_object_object_add(o, "delta_reserved", json_object_new_int64(m->delta_reserved));
	json_object_object_add(o, "on_hand_after", json_object_new_int64(m->on_hand_after));
	json_object_object_add(o, "reserved_after", json_object_new_int64(m->reserved_after));
	json_object_object_add(o, "reason", json_object_new_string(m->reason));
	json_object_object_add(o, "reference", json_str_or_null(m->reference));
	json_object_object_add(o, "actor_id", json_str_or_null(m->actor_id));
	json_object_object_add(o, "actor", json_object_new_string(m->actor));
	json_object_object_add(o, "created_at", json_time_or_null(m->created_at));
	return o;
}

json_object *
reservation_to_json(const reservation *r)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	if (!o || !arr) {
		json_object_put(o);
		json_object_put(arr);
		return NULL;
	}
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "key", json_object_new_string(r->key));
	json_object_object_add(o, "status", json_object_new_string(r->status));
	json_object_object_add(o, "order_id", json_str_or_null(r->order_id));
	json_object_object_add(o, "release_reason", json_str_or_null(r->release_reason));
	json_object_object_add(o, "expires_at", json_time_or_null(r->expires_at));
	json_object_object_add(o, "created_at", json_time_or_null(r->created_at));
	for (size_t i = 0; i < r->nlines; i++) {
		json_object *l = json_object_new_object();
		if (!l)
			continue;
		json_object_object_add(l, "product_id", json_object_new_string(r->lines[i].product_id));
		json_object_object_add(l, "variant_id", json_object_new_string(r->lines[i].variant_id));
		json_object_object_add(l, "warehouse_id", json_object_new_string(r->lines[i].warehouse_id));
		json_object_object_add(l, "quantity", json_object_new_int64(r->lines[i].quantity));
		json_object_array_add(arr, l);
	}
	json_object_object_add(o, "lines", arr);
	return o;
}

/* ------------------------------------------------------------ inputs */

static bool
code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > INV_WAREHOUSE_CODE_MAX || s[0] == '-' || s[0] == '_')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

ecode
warehouse_input_from_json(json_object *o, bool create, warehouse_input *in, error *e)
{
	int64_t prio;
	int rc;

	memset(in, 0, sizeof *in);
	if (!o || !json_object_is_type(o, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	if ((rc = json_get_str(o, "code", 1, INV_WAREHOUSE_CODE_MAX, &in->code, e)) == 1) {
		if (code_ok(in->code))
			in->has |= WI_CODE;
		else
			err_field(e, "code", "must be 1 to 32 upper-case letters, digits, '-' or '_'");
	} else if (rc == 0 && create)
		err_field(e, "code", "is required");
	if ((rc = json_get_str(o, "name", 1, INV_WAREHOUSE_NAME_MAX, &in->name, e)) == 1)
		in->has |= WI_NAME;
	else if (rc == 0 && create)
		err_field(e, "name", "is required");
	if (json_get_str(o, "address", 0, INV_WAREHOUSE_ADDR_MAX, &in->address, e) == 1)
		in->has |= WI_ADDRESS;
	if (json_get_i64(o, "priority", 0, 1000000, &prio, e) == 1) {
		in->has |= WI_PRIORITY;
		in->priority = (int32_t)prio;
	}
	if (json_get_bool(o, "is_active", &in->is_active, e) == 1)
		in->has |= WI_ACTIVE;
	if (e->code == E_OK && !create && in->has == 0)
		return err_set(e, E_INVALID_INPUT, "nothing to change: send code, name, address,"
		    " priority or is_active");
	return e->code;
}

ecode
inv_items_from_json(arena *a, json_object *o, bool quantity_required, inv_item **out,
    size_t *n, error *e)
{
	json_object *arr;
	size_t len;

	*out = NULL;
	*n = 0;
	if (!o || !json_object_object_get_ex(o, "items", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return err_field(e, "items", "is required: an array of {product_id, variant_id, quantity}");
	len = json_object_array_length(arr);
	if (len == 0 || len > INV_ITEMS_MAX)
		return err_field(e, "items", "must have between 1 and %d items", INV_ITEMS_MAX);
	if (!(*out = arena_calloc(a, len, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *it = json_object_array_get_idx(arr, i);
		inv_item *x = &(*out)[i];
		error sub;
		char f[48];
		int rc;

		if (!it || !json_object_is_type(it, json_type_object)) {
			snprintf(f, sizeof f, "items.%zu", i);
			err_field(e, f, "must be an object");
			continue;
		}
		/* Collect the item's problems, then name them with its index. */
		err_clear(&sub);
		if (json_get_uuid(it, "product_id", &x->product_id, &sub) == 0)
			err_field(&sub, "product_id", "is required");
		if (json_get_uuid(it, "variant_id", &x->variant_id, &sub) == 0)
			err_field(&sub, "variant_id", "is required");
		rc = json_get_i64(it, "quantity", 1, INV_QUANTITY_MAX, &x->quantity, &sub);
		if (rc == 0 && quantity_required)
			err_field(&sub, "quantity", "is required");
		else if (rc == 0)
			x->quantity = 1;
		for (int k = 0; k < sub.nfields; k++) {
			snprintf(f, sizeof f, "items.%zu.%s", i, sub.fields[k].name);
			err_field(e, f, "%s", sub.fields[k].message);
		}
	}
	if (e->code == E_OK)
		*n = len;
	return e->code;
}
