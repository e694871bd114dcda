/*
 * store_csv.c — the SQL of the catalog CSV (csv.c): the export scan, and
 * the lookups the import validates against.
 *
 * The export walks products and their variants in (slug, sku) order with
 * a keyset, a page at a time, so a catalog of any size streams out in
 * bounded memory and one query per page.
 */
#include "product/internal.h"

static db_stmt export_stmt = DB_STMT("catalog_csv_export",
    "SELECT p.slug, p.name, p.description, p.status, c.slug, b.slug, p.currency::text,"
    " p.base_price, coalesce(v.sku, ''), v.name, v.price, v.attributes::text,"
    " v.weight_grams, v.is_active"
    " FROM catalog.products p"
    " LEFT JOIN catalog.categories c ON c.id = p.category_id"
    " LEFT JOIN catalog.brands b ON b.id = p.brand_id"
    " LEFT JOIN catalog.variants v ON v.product_id = p.id"
    " WHERE ($1::uuid IS NULL OR p.seller_id = $1::uuid)"
    "  AND (p.slug, coalesce(v.sku, '')) > ($2::text, $3::text)"
    " ORDER BY p.slug, coalesce(v.sku, '') LIMIT $4::int", 4);

static db_stmt taxonomy_stmt = DB_STMT("catalog_csv_taxonomy",
    "SELECT 'c', slug, id FROM catalog.categories"
    " UNION ALL SELECT 'b', slug, id FROM catalog.brands", 0);

/* Products named by the file, with their owners; variants named by the
 * file, with the product they belong to. */
static db_stmt products_stmt = DB_STMT("catalog_csv_products",
    "SELECT slug, id, seller_id FROM catalog.products WHERE slug = ANY($1::text[])", 1);

static db_stmt variants_stmt = DB_STMT("catalog_csv_variants",
    "SELECT v.sku, v.id, p.slug FROM catalog.variants v"
    " JOIN catalog.products p ON p.id = v.product_id WHERE v.sku = ANY($1::text[])", 1);

ecode
store_csv_export_page(db_conn *c, arena *a, const char *seller_id, const char *after_slug,
    const char *after_sku, PGresult **out, error *e)
{
	const char *p[4] = { seller_id, after_slug, after_sku, CSV_EXPORT_PAGE_S };

	return (*out = db_exec(c, a, &export_stmt, p, e)) != NULL ? E_OK : e->code;
}

ecode
store_csv_taxonomy(db_conn *c, arena *a, PGresult **out, error *e)
{
	return (*out = db_exec(c, a, &taxonomy_stmt, NULL, e)) != NULL ? E_OK : e->code;
}

ecode
store_csv_products(db_conn *c, arena *a, const char *slugs_array, PGresult **out, error *e)
{
	const char *p[1] = { slugs_array };

	return (*out = db_exec(c, a, &products_stmt, p, e)) != NULL ? E_OK : e->code;
}

ecode
store_csv_variants(db_conn *c, arena *a, const char *skus_array, PGresult **out, error *e)
{
	const char *p[1] = { skus_array };

	return (*out = db_exec(c, a, &variants_stmt, p, e)) != NULL ? E_OK : e->code;
}
