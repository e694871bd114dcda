/*
 * store_variant.c — the SQL of variants, and the (product, variant) lookup
 * other domains use to price cart and order lines.
 *
 * Variant rows carry their product's base price and currency so the
 * effective price is known without a second query.  Partial updates use
 * coalesce($n, column) for fields that cannot be null and a "was it given"
 * boolean for nullable ones (price, weight), so one constant statement
 * serves every combination of fields.
 */
#include <string.h>

#include "product/internal.h"

#define VARIANT_COLS \
	"v.id, v.product_id, v.sku, v.name, v.price, v.attributes::text," \
	" v.weight_grams, v.is_active, v.sort_order," \
	" floor(extract(epoch FROM v.created_at))::bigint," \
	" floor(extract(epoch FROM v.updated_at))::bigint, p.base_price, p.currency::text" \
	" FROM catalog.variants v JOIN catalog.products p ON p.id = v.product_id"

static db_stmt list_stmt = DB_STMT("catalog_variant_list",
    "SELECT " VARIANT_COLS " WHERE v.product_id = $1::uuid"
    " ORDER BY v.sort_order, v.created_at, v.id LIMIT 200", 1);

static db_stmt get_stmt = DB_STMT("catalog_variant_get",
    "SELECT " VARIANT_COLS " WHERE v.product_id = $1::uuid AND v.id = $2::uuid", 2);

static db_stmt count_stmt = DB_STMT("catalog_variant_count",
    "SELECT count(*) FROM catalog.variants WHERE product_id = $1::uuid", 1);

static db_stmt insert_stmt = DB_STMT("catalog_variant_insert",
    "INSERT INTO catalog.variants (id, product_id, sku, name, price, attributes,"
    " weight_grams, is_active, sort_order)"
    " VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::bigint,"
    " coalesce($6::jsonb, '{}'), $7::integer, coalesce($8::boolean, true),"
    " coalesce($9::integer, 0))", 9);

static db_stmt update_stmt = DB_STMT("catalog_variant_update",
    "UPDATE catalog.variants SET"
    " sku = coalesce($3::text, sku),"
    " name = coalesce($4::text, name),"
    " price = CASE WHEN $5::boolean THEN $6::bigint ELSE price END,"
    " attributes = coalesce($7::jsonb, attributes),"
    " weight_grams = CASE WHEN $8::boolean THEN $9::integer ELSE weight_grams END,"
    " is_active = coalesce($10::boolean, is_active),"
    " sort_order = coalesce($11::integer, sort_order),"
    " updated_at = now()"
    " WHERE product_id = $1::uuid AND id = $2::uuid", 11);

static db_stmt delete_stmt = DB_STMT("catalog_variant_delete",
    "DELETE FROM catalog.variants WHERE product_id = $1::uuid AND id = $2::uuid", 2);

/* The line's picture: the variant's own image first, then the primary. */
static db_stmt line_stmt = DB_STMT("catalog_line_lookup",
    "SELECT p.id, v.id, p.slug, p.name, v.name, v.sku,"
    " coalesce(v.price, p.base_price), p.currency::text, v.is_active,"
    " (SELECT i.url FROM catalog.images i WHERE i.product_id = p.id"
    "   ORDER BY (i.variant_id IS NOT DISTINCT FROM v.id) DESC, i.is_primary DESC,"
    "   i.sort_order, i.created_at, i.id LIMIT 1),"
    " p.category_id, v.attributes::text"
    " FROM catalog.variants v JOIN catalog.products p ON p.id = v.product_id"
    " WHERE v.id = $2::uuid AND p.id = $1::uuid AND p.status = 'published'", 2);

static ecode
map_variant(arena *a, const PGresult *r, int i, product_variant *v, error *e)
{
	json_object *attrs;

	v->id = row_str(r, i, 0);
	v->product_id = row_str(r, i, 1);
	v->sku = row_str(r, i, 2);
	v->name = row_str(r, i, 3);
	v->has_price = !row_null(r, i, 4);
	v->price = row_i64(r, i, 4);
	attrs = row_json(a, row_str(r, i, 5), e);
	if (!attrs || variant_attrs_from(a, attrs, v, e) != E_OK)
		return catalog_fail(e, E_INTERNAL);
	v->has_weight = !row_null(r, i, 6);
	v->weight_grams = (int32_t)row_i64(r, i, 6);
	v->is_active = row_bool(r, i, 7);
	v->sort_order = (int32_t)row_i64(r, i, 8);
	v->created_at = row_i64(r, i, 9);
	v->updated_at = row_i64(r, i, 10);
	v->effective_price = v->has_price ? v->price : row_i64(r, i, 11);
	v->currency = row_str(r, i, 12);
	return E_OK;
}

ecode
store_variant_list(db_conn *c, arena *a, const char *product_id,
    product_variant **out, size_t *n, error *e)
{
	const char *p[1] = { product_id };
	PGresult   *r;
	int         rows;

	if (!(r = db_exec(c, a, &list_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out);
	if (!*out)
		return err_set(e, E_INTERNAL, "out of memory");
	*n = (size_t)rows;
	for (int i = 0; i < rows; i++)
		if (map_variant(a, r, i, &(*out)[i], e) != E_OK)
			return e->code;
	return E_OK;
}

ecode
store_variant_get(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, product_variant *out, error *e)
{
	const char *p[2] = { product_id, variant_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &get_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "variant not found");
	memset(out, 0, sizeof *out);
	return map_variant(a, r, 0, out, e);
}

ecode
store_variant_count(db_conn *c, arena *a, const char *product_id,
    int64_t *n, error *e)
{
	const char *p[1] = { product_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &count_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	*n = row_i64(r, 0, 0);
	return E_OK;
}

ecode
store_variant_insert(db_conn *c, arena *a, const char *id,
    const char *product_id, const variant_input *in, error *e)
{
	const char *p[9];

	p[0] = id;
	p[1] = product_id;
	p[2] = in->sku;
	p[3] = in->name;
	p[4] = in->has_price ? arg_i64(a, in->price) : NULL;
	p[5] = (in->set & VI_ATTRIBUTES) ? in->attributes : NULL;
	p[6] = in->has_weight ? arg_i64(a, in->weight_grams) : NULL;
	p[7] = (in->set & VI_ACTIVE) ? arg_bool(in->is_active) : NULL;
	p[8] = (in->set & VI_SORT) ? arg_i64(a, in->sort_order) : NULL;
	if (!db_exec(c, a, &insert_stmt, p, e))
		return catalog_map_constraint(c, e);
	return E_OK;
}

ecode
store_variant_update(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, const variant_input *in, error *e)
{
	const char *p[11];
	PGresult   *r;

	p[0] = product_id;
	p[1] = variant_id;
	p[2] = (in->set & VI_SKU) ? in->sku : NULL;
	p[3] = (in->set & VI_NAME) ? in->name : NULL;
	p[4] = arg_bool(in->set & VI_PRICE);
	p[5] = in->has_price ? arg_i64(a, in->price) : NULL;
	p[6] = (in->set & VI_ATTRIBUTES) ? in->attributes : NULL;
	p[7] = arg_bool(in->set & VI_WEIGHT);
	p[8] = in->has_weight ? arg_i64(a, in->weight_grams) : NULL;
	p[9] = (in->set & VI_ACTIVE) ? arg_bool(in->is_active) : NULL;
	p[10] = (in->set & VI_SORT) ? arg_i64(a, in->sort_order) : NULL;
	if (!(r = db_exec(c, a, &update_stmt, p, e)))
		return catalog_map_constraint(c, e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "variant not found");
	return E_OK;
}

ecode
store_variant_delete(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, error *e)
{
	const char *p[2] = { product_id, variant_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &delete_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "variant not found");
	return E_OK;
}

ecode
store_line_lookup(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, catalog_line *out, error *e)
{
	const char *p[2] = { product_id, variant_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &line_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "product or variant not found");
	out->product_id = row_str(r, 0, 0);
	out->variant_id = row_str(r, 0, 1);
	out->product_slug = row_str(r, 0, 2);
	out->product_name = row_str(r, 0, 3);
	out->variant_name = row_str(r, 0, 4);
	out->sku = row_str(r, 0, 5);
	out->unit_price = row_i64(r, 0, 6);
	out->currency = row_str(r, 0, 7);
	out->available = row_bool(r, 0, 8);
	out->image_url = row_str(r, 0, 9);
	out->category_id = row_str(r, 0, 10);
	out->attributes = row_text(r, 0, 11);
	return E_OK;
}
