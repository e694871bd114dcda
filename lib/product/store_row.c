/*
 * store_row.c — turning catalog rows into the structs of product.h.
 *
 * Strings are not copied: they point into the PGresult (released at arena
 * reset by db_exec) or into json-c values parsed from a column, whose
 * release this file registers with the arena.  The product page's images,
 * variants and category path arrive as JSON arrays of arrays
 * (json_build_array per row, aggregated), which keeps the page to one
 * round trip; the positions below mirror the SELECT lists in
 * store_product.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "product/internal.h"

const char *
row_str(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

const char *
row_text(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

bool
row_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

int64_t
row_i64(const PGresult *r, int row, int col)
{
	int64_t v;

	if (PQgetisnull(r, row, col) ||
	    parse_i64(PQgetvalue(r, row, col), INT64_MIN, INT64_MAX, &v) != 0)
		return 0;
	return v;
}

bool
row_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

char *
arg_i64(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

const char *
arg_bool(bool v)
{
	return v ? "t" : "f";
}

char *
arg_time(arena *a, int64_t t)
{
	char text[21];

	if (t == 0)
		return NULL;
	time_rfc3339(t, text);
	return arena_strdup(a, text);
}

static void
json_release(void *p)
{
	json_object_put(p);
}

json_object *
row_json(arena *a, const char *text, error *e)
{
	json_object *o;

	o = text ? json_tokener_parse(text) : NULL;
	if (!o) {
		err_set(e, E_INTERNAL, "the catalog returned malformed JSON");
		return NULL;
	}
	if (arena_defer(a, json_release, o) != 0) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------ JSON arrays */

static const char *
jat_str(json_object *row, size_t i)
{
	json_object *v = json_object_array_get_idx(row, i);

	return v ? json_object_get_string(v) : NULL;
}

static int64_t
jat_i64(json_object *row, size_t i)
{
	json_object *v = json_object_array_get_idx(row, i);

	return v ? json_object_get_int64(v) : 0;
}

static bool
jat_bool(json_object *row, size_t i)
{
	json_object *v = json_object_array_get_idx(row, i);

	return v && json_object_get_boolean(v);
}

static bool
jat_null(json_object *row, size_t i)
{
	return json_object_array_get_idx(row, i) == NULL;
}

/* An array of n arrays of at least `width` elements, else E_INTERNAL. */
static ecode
rows_of(json_object *arr, size_t width, size_t *n, error *e)
{
	if (!arr || !json_object_is_type(arr, json_type_array))
		return err_set(e, E_INTERNAL, "the catalog returned malformed rows");
	*n = json_object_array_length(arr);
	for (size_t i = 0; i < *n; i++) {
		json_object *row = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(row, json_type_array) ||
		    json_object_array_length(row) < width)
			return err_set(e, E_INTERNAL, "the catalog returned malformed rows");
	}
	return E_OK;
}

/* [id, variant_id, url, alt_text, width, height, sort_order, is_primary,
 *  media_id, created_at] */
ecode
images_from_json(arena *a, json_object *arr, const char *product_id,
    product_image **out, size_t *n, error *e)
{
	product_image *im;

	if (rows_of(arr, 10, n, e) != E_OK)
		return e->code;
	*out = im = arena_calloc(a, *n ? *n : 1, sizeof *im);
	if (!im)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		json_object *row = json_object_array_get_idx(arr, i);

		im[i].id = jat_str(row, 0);
		im[i].product_id = product_id;
		im[i].variant_id = jat_str(row, 1);
		im[i].url = jat_str(row, 2);
		im[i].alt_text = jat_null(row, 3) ? "" : jat_str(row, 3);
		im[i].width = (int32_t)jat_i64(row, 4);
		im[i].height = (int32_t)jat_i64(row, 5);
		im[i].sort_order = (int32_t)jat_i64(row, 6);
		im[i].is_primary = jat_bool(row, 7);
		im[i].media_id = jat_str(row, 8);
		im[i].created_at = jat_i64(row, 9);
	}
	return E_OK;
}

static int
attr_cmp(const void *x, const void *y)
{
	return strcmp(((const variant_attr *)x)->key, ((const variant_attr *)y)->key);
}

ecode
variant_attrs_from(arena *a, json_object *obj, product_variant *v, error *e)
{
	size_t n = 0, cap;

	v->attributes = NULL;
	v->nattributes = 0;
	if (!obj || !json_object_is_type(obj, json_type_object)) {
		v->attributes_json = "{}";
		return E_OK;
	}
	v->attributes_json = arena_strdup(a,
	    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
	cap = (size_t)json_object_object_length(obj);
	v->attributes = arena_calloc(a, cap ? cap : 1, sizeof *v->attributes);
	if (!v->attributes || !v->attributes_json)
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_foreach(obj, key, val) {
		if (n >= cap)
			break;
		v->attributes[n].key = key;
		/* Numbers and booleans as their JSON text ("42", "true"). */
		v->attributes[n].value = json_object_is_type(val, json_type_string) ?
		    json_object_get_string(val) :
		    json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
		n++;
	}
	qsort(v->attributes, n, sizeof *v->attributes, attr_cmp);
	v->nattributes = n;
	return E_OK;
}

/* [id, sku, name, price, attributes, weight_grams, is_active, sort_order,
 *  created_at, updated_at] */
ecode
variants_from_json(arena *a, json_object *arr, const char *product_id,
    int64_t base_price, const char *currency, product_variant **out, size_t *n,
    error *e)
{
	product_variant *v;

	if (rows_of(arr, 10, n, e) != E_OK)
		return e->code;
	*out = v = arena_calloc(a, *n ? *n : 1, sizeof *v);
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		json_object *row = json_object_array_get_idx(arr, i);

		v[i].id = jat_str(row, 0);
		v[i].product_id = product_id;
		v[i].sku = jat_str(row, 1);
		v[i].name = jat_str(row, 2);
		v[i].has_price = !jat_null(row, 3);
		v[i].price = jat_i64(row, 3);
		v[i].effective_price = v[i].has_price ? v[i].price : base_price;
		v[i].currency = currency;
		if (variant_attrs_from(a, json_object_array_get_idx(row, 4), &v[i], e) != E_OK)
			return e->code;
		v[i].has_weight = !jat_null(row, 5);
		v[i].weight_grams = (int32_t)jat_i64(row, 5);
		v[i].is_active = jat_bool(row, 6);
		v[i].sort_order = (int32_t)jat_i64(row, 7);
		v[i].created_at = jat_i64(row, 8);
		v[i].updated_at = jat_i64(row, 9);
	}
	return E_OK;
}

/* [id, slug, name] */
ecode
refs_from_json(arena *a, json_object *arr, catalog_ref **out, size_t *n, error *e)
{
	catalog_ref *r;

	if (rows_of(arr, 3, n, e) != E_OK)
		return e->code;
	*out = r = arena_calloc(a, *n ? *n : 1, sizeof *r);
	if (!r)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < *n; i++) {
		json_object *row = json_object_array_get_idx(arr, i);

		r[i].id = jat_str(row, 0);
		r[i].slug = jat_str(row, 1);
		r[i].name = jat_str(row, 2);
	}
	return E_OK;
}
