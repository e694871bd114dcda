/*
 * input.c — a campaign body (api-v1.md §Campaigns) into campaign_input,
 * every field checked against its bound and every problem reported in one
 * 400.  Rules that involve several fields (the discount value by type, end
 * after start) are checked on the merged campaign in service.c, because an
 * update may change only one side of them.
 *
 * Explicit null clears the optional limits (max_discount_amount,
 * max_usage_count, max_usage_per_user, exclusion_group); an empty code on
 * a coded campaign asks for a generated one.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/util.h"
#include "campaign/campaign.h"

#define MAX_MONEY 1000000000000LL

static const char *const types[] = { "percentage", "fixed_amount", "free_shipping", "buy_x_get_y" };

static int
get_time(json_object *o, const char *key, bool *has, int64_t *out, error *e)
{
	const char *s;
	int         r = json_get_str(o, key, 1, 40, &s, e);

	if (r <= 0)
		return r;
	if (time_parse_rfc3339(s, out) != 0) {
		err_field(e, key, "must be an RFC 3339 date-time such as 2026-12-01T00:00:00Z");
		return -1;
	}
	*has = true;
	return 1;
}

/* An optional limit: a number in [min, max], or null for none (0). */
static void
get_limit(json_object *o, const char *key, int64_t min, int64_t max, bool *has,
    int64_t *out, error *e)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return;
	*has = true;
	*out = 0;
	if (v)
		json_get_i64(o, key, min, max, out, e);
}

static void
get_ids(arena *a, json_object *o, const char *key, bool *has, const char ***out,
    size_t *n, error *e)
{
	json_object *v;
	size_t       len;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return;
	*has = true;
	*n = 0;
	if (!v)
		return;
	if (!json_object_is_type(v, json_type_array) ||
	    (len = json_object_array_length(v)) > CAMPAIGN_MAX_TARGETS) {
		err_field(e, key, "must be an array of at most %d ids", CAMPAIGN_MAX_TARGETS);
		return;
	}
	if (!(*out = arena_calloc(a, len + 1, sizeof **out))) {
		err_set(e, E_INTERNAL, "out of memory");
		return;
	}
	for (size_t i = 0; i < len; i++) {
		json_object *x = json_object_array_get_idx(v, i);
		const char  *s = json_object_is_type(x, json_type_string) ? json_object_get_string(x) : NULL;

		if (!s || !uuid_valid(s)) {
			err_field(e, key, "item %zu is not a UUID", i);
			return;
		}
		(*out)[(*n)++] = s;
	}
}

static void
get_type(json_object *o, campaign_input *in, error *e)
{
	int r = json_get_str(o, "type", 1, 32, &in->type, e);

	if (r <= 0)
		return;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(in->type, types[i]) == 0) {
			in->has_type = true;
			return;
		}
	err_field(e, "type", "must be percentage, fixed_amount, free_shipping or buy_x_get_y");
}

static void
get_strings(json_object *o, campaign_input *in, error *e)
{
	json_object *v;

	in->has_name = json_get_str(o, "name", 1, 200, &in->name, e) > 0;
	in->has_description = json_get_str(o, "description", 0, 2000, &in->description, e) > 0;
	get_type(o, in, e);
	if (json_get_str(o, "currency", 3, 3, &in->currency, e) > 0) {
		if (!currency_valid(in->currency))
			err_field(e, "currency", "must be an ISO 4217 code such as EUR");
		else
			in->has_currency = true;
	}
	if (json_get_str(o, "code", 0, 32, &in->code, e) > 0) {
		if (*in->code && !campaign_code_valid(in->code))
			err_field(e, "code", "must be 3 to 32 letters, digits, - or _ (empty: generated)");
		else
			in->has_code = true;
	}
	if (o && json_object_object_get_ex(o, "exclusion_group", &v)) {
		in->has_exclusion_group = true;
		in->exclusion_group = NULL;
		if (v && json_get_str(o, "exclusion_group", 0, 64, &in->exclusion_group, e) > 0 &&
		    !*in->exclusion_group)
			in->exclusion_group = NULL;
	}
}

ecode
campaign_input_from_json(arena *a, json_object *o, bool create, campaign_input *in,
    error *e)
{
	memset(in, 0, sizeof *in);
	if (!o || !json_object_is_type(o, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	get_strings(o, in, e);
	in->has_discount_value = json_get_i64(o, "discount_value", 0, MAX_MONEY, &in->discount_value, e) > 0;
	in->has_buy_quantity = json_get_i64(o, "buy_quantity", 0, 100, &in->buy_quantity, e) > 0;
	in->has_min_order = json_get_i64(o, "min_order_amount", 0, MAX_MONEY, &in->min_order_amount, e) > 0;
	get_limit(o, "max_discount_amount", 0, MAX_MONEY, &in->has_max_discount, &in->max_discount_amount, e);
	get_limit(o, "max_usage_count", 0, 1000000000, &in->has_max_usage, &in->max_usage_count, e);
	get_limit(o, "max_usage_per_user", 0, 1000000, &in->has_max_per_user, &in->max_usage_per_user, e);
	in->has_stackable = json_get_bool(o, "is_stackable", &in->is_stackable, e) > 0;
	in->has_automatic = json_get_bool(o, "is_automatic", &in->is_automatic, e) > 0;
	in->has_priority = json_get_i64(o, "priority", -1000, 1000, &in->priority, e) > 0;
	get_time(o, "start_date", &in->has_start, &in->start_date, e);
	get_time(o, "end_date", &in->has_end, &in->end_date, e);
	get_ids(a, o, "applicable_products", &in->has_products, &in->products, &in->nproducts, e);
	get_ids(a, o, "applicable_categories", &in->has_categories, &in->categories, &in->ncategories, e);
	if (e->code == E_INTERNAL)
		return e->code;
	if (create) {
		if (!in->has_name && !json_object_object_get_ex(o, "name", NULL))
			err_field(e, "name", "is required");
		if (!in->has_type && !json_object_object_get_ex(o, "type", NULL))
			err_field(e, "type", "is required");
		/* free shipping has no value to give */
		if (!in->has_discount_value && !json_object_object_get_ex(o, "discount_value", NULL) &&
		    !(in->has_type && strcmp(in->type, "free_shipping") == 0))
			err_field(e, "discount_value", "is required");
		if (!in->has_start && !json_object_object_get_ex(o, "start_date", NULL))
			err_field(e, "start_date", "is required");
		if (!in->has_end && !json_object_object_get_ex(o, "end_date", NULL))
			err_field(e, "end_date", "is required");
	}
	return e->nfields > 0 ? E_VALIDATION : e->code;
}
