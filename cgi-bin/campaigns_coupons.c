/*
 * campaigns_coupons.c — POST /api/v1/coupons/validate and
 * /validate-multiple: price a basket with the entered codes and say which
 * apply, how much they save, and why the others do not.
 *
 * The basket is either `items` ([{product_id, variant_id, quantity}], at
 * most 50, priced from the catalog — never from the client) or a bare
 * `order_amount` in minor units (then coupons limited to products or
 * categories find nothing to discount).  `shipping` (minor units) lets a
 * free-shipping coupon show its saving.  Automatic campaigns take part as
 * at checkout, so the answer is the one the checkout will give.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "product/product.h"
#include "campaigns.h"

#define MAX_ITEMS	50
#define MAX_MONEY	1000000000000LL

/* items[] priced from the catalog. */
static ecode
basket_items(request *req, json_object *items, price_input *in, error *e)
{
	size_t      n = json_object_array_length(items);
	price_line *lines;

	if (n > MAX_ITEMS)
		return err_field(e, "items", "at most %d items", MAX_ITEMS);
	if (!(lines = arena_calloc(req->a, n + 1, sizeof *lines)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		const char  *pid = NULL, *vid = NULL;
		int64_t      q = 0;
		catalog_line cl;
		error        le;
		char         key[32];

		snprintf(key, sizeof key, "items.%zu", i);
		if (!json_object_is_type(it, json_type_object) ||
		    json_get_uuid(it, "product_id", &pid, e) <= 0 ||
		    json_get_uuid(it, "variant_id", &vid, e) <= 0 ||
		    json_get_i64(it, "quantity", 1, 100, &q, e) <= 0) {
			err_field(e, key, "needs product_id, variant_id and quantity 1 to 100");
			continue;
		}
		err_clear(&le);
		if (catalog_line_lookup(req->a, pid, vid, &cl, &le) != E_OK) {
			if (le.code != E_NOT_FOUND)
				return err_set(e, le.code, "%s", le.message);
			err_field(e, key, "no such product or variant");
			continue;
		}
		if (in->currency && strcmp(in->currency, cl.currency) != 0) {
			err_field(e, key, "is priced in %s, the basket in %s", cl.currency, in->currency);
			continue;
		}
		in->currency = cl.currency;
		lines[in->nlines++] = (price_line){ cl.product_id, cl.variant_id, cl.category_id,
		    cl.unit_price, q };
	}
	in->lines = lines;
	return e->nfields ? E_VALIDATION : E_OK;
}

/* The basket of a validate body: items or order_amount, shipping, currency. */
static ecode
basket(request *req, price_input *in, error *e)
{
	json_object *o = req->json, *items;
	const char  *cur = NULL;
	int64_t      amount = 0;
	int          has_amount;

	memset(in, 0, sizeof *in);
	in->user_id = req->user_id;
	if (!o || !json_object_is_type(o, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	json_get_i64(o, "shipping", 0, MAX_MONEY, &in->shipping, e);
	if (json_get_str(o, "currency", 3, 3, &cur, e) > 0 && !currency_valid(cur))
		err_field(e, "currency", "must be an ISO 4217 code such as EUR");
	has_amount = json_get_i64(o, "order_amount", 0, MAX_MONEY, &amount, e);
	if (json_object_object_get_ex(o, "items", &items) && items) {
		if (!json_object_is_type(items, json_type_array))
			return err_field(e, "items", "must be an array");
		in->currency = cur;
		if (basket_items(req, items, in, e) != E_OK)
			return e->code;
	} else if (has_amount > 0) {
		price_line *l = arena_calloc(req->a, 1, sizeof *l);

		if (!l)
			return err_set(e, E_INTERNAL, "out of memory");
		*l = (price_line){ NULL, NULL, NULL, amount, 1 };
		in->lines = l;
		in->nlines = amount > 0;
		in->currency = cur;
	} else if (has_amount == 0)
		err_field(e, "order_amount", "items or order_amount is required");
	if (!in->currency)
		in->currency = "EUR";
	return e->nfields ? E_VALIDATION : e->code;
}

static ecode
codes_of(request *req, price_input *in, error *e)
{
	json_object *arr;
	const char **codes;
	size_t       n;

	if (!json_object_object_get_ex(req->json, "codes", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) < 1 || n > CAMPAIGN_MAX_CODES)
		return err_field(e, "codes", "must be an array of 1 to %d codes", CAMPAIGN_MAX_CODES);
	if (!(codes = arena_calloc(req->a, n, sizeof *codes)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(c, json_type_string) ||
		    json_object_get_string_len(c) < 1 || json_object_get_string_len(c) > 64)
			return err_field(e, "codes", "item %zu must be a code of 1 to 64 characters", i);
		codes[i] = json_object_get_string(c);
	}
	in->codes = codes;
	in->ncodes = n;
	return E_OK;
}

static const applied_discount *
applied_code(const price_result *r, const char *code)
{
	for (size_t i = 0; i < r->napplied; i++)
		if (r->applied[i].code && strcasecmp(r->applied[i].code, code) == 0)
			return &r->applied[i];
	return NULL;
}

ecode
h_coupon_validate(request *req, response *res, error *e)
{
	price_input             in;
	price_result            r = { 0 };
	const char             *code = NULL, *msg = NULL;
	const applied_discount *d;
	json_object            *o;

	if (basket(req, &in, e) != E_OK && e->code != E_VALIDATION)
		return e->code;
	if (json_get_str(req->json, "code", 1, 64, &code, e) == 0)
		err_field(e, "code", "is required");
	if (e->nfields)
		return e->code;
	in.codes = &code;
	in.ncodes = 1;
	if (campaign_price(req->a, &in, &r, e) != E_OK)
		return e->code;
	if ((d = applied_code(&r, code)) != NULL)
		msg = d->free_shipping ? arena_printf(req->a, "coupon %s gives free shipping", d->code)
		    : arena_printf(req->a, "coupon %s saves %s", d->code,
		    money_format_a(req->a, d->amount, in.currency));
	for (size_t i = 0; !d && !msg && i < r.nwarnings; i++)
		if (strcasestr(r.warnings[i], code))
			msg = r.warnings[i];
	if (!(o = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "valid", json_object_new_boolean(d != NULL));
	json_object_object_add(o, "code", json_object_new_string(d ? d->code : code));
	json_object_object_add(o, "campaign_id", d ? json_object_new_string(d->campaign_id) : NULL);
	json_object_object_add(o, "discount_amount", json_object_new_int64(d ? d->amount : 0));
	json_object_object_add(o, "free_shipping", json_object_new_boolean(d && d->free_shipping));
	json_object_object_add(o, "currency", json_object_new_string(in.currency));
	json_object_object_add(o, "message", json_object_new_string(msg ? msg : "the coupon cannot be applied"));
	return campaigns_reply(req, res, 200, o, e);
}

ecode
h_coupon_validate_multiple(request *req, response *res, error *e)
{
	price_input  in;
	price_result r = { 0 };
	json_object *o, *valid;
	int64_t      total = 0;

	if (basket(req, &in, e) != E_OK && e->code != E_VALIDATION)
		return e->code;
	if (codes_of(req, &in, e) != E_OK && e->code != E_VALIDATION)
		return e->code;
	if (e->nfields)
		return e->code;
	if (campaign_price(req->a, &in, &r, e) != E_OK)
		return e->code;
	if (!(o = price_result_to_json(&r, in.currency)) || !(valid = json_object_new_array())) {
		json_object_put(o);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < r.napplied; i++) {
		const applied_discount *d = &r.applied[i];
		json_object *x;

		if (!d->code || !(x = json_object_new_object()))
			continue;
		json_object_object_add(x, "code", json_object_new_string(d->code));
		json_object_object_add(x, "campaign_id", json_object_new_string(d->campaign_id));
		json_object_object_add(x, "name", json_object_new_string(d->name));
		json_object_object_add(x, "type", json_object_new_string(d->type));
		json_object_object_add(x, "discount_amount", json_object_new_int64(d->amount));
		json_object_object_add(x, "free_shipping", json_object_new_boolean(d->free_shipping));
		json_object_array_add(valid, x);
		total += d->amount;
	}
	json_object_object_add(o, "valid_coupons", valid);
	json_object_object_add(o, "total_discount", json_object_new_int64(total));
	return campaigns_reply(req, res, 200, o, e);
}
