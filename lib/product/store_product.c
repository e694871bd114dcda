/*
 * store_product.c — the SQL of products: the list (one statement per sort
 * order, so each can use its index), the product page in one round trip,
 * related products, slugs, writes and the outbox.
 *
 * Filters are parameters that are NULL when unused ("$2 IS NULL OR ...");
 * prepared statements get custom plans for them, where a NULL parameter
 * folds the condition away.  The list counts its matches with
 * count(*) OVER () in the same statement; only a page past the end (no
 * rows to carry the count) costs a second, count-only statement.
 * published_at is stamped by a trigger (sql/catalog/001_init.sql).
 */
#include <string.h>

#include "product/internal.h"

/* ------------------------------------------------------------ SELECT lists */

/* Columns 0..19, shared by list rows and the product page. */
#define PRODUCT_COLS \
	"p.id, p.slug, p.name, p.description, p.status, p.base_price," \
	" p.currency::text, p.brand_id, p.category_id, p.seller_id," \
	" floor(extract(epoch FROM p.created_at))::bigint," \
	" floor(extract(epoch FROM p.updated_at))::bigint," \
	" coalesce(floor(extract(epoch FROM p.published_at))::bigint, 0)," \
	" coalesce(rs.count, 0), coalesce(rs.sum, 0), coalesce(rs.r1, 0)," \
	" coalesce(rs.r2, 0), coalesce(rs.r3, 0), coalesce(rs.r4, 0), coalesce(rs.r5, 0)"

/* Columns 20..27: the primary image (else the first) of a list row. */
#define PRIMARY_IMAGE_COLS \
	", im.id, im.url, im.alt_text, im.width, im.height, im.sort_order, im.is_primary," \
	" im.media_id"

#define PRIMARY_IMAGE_JOIN \
	" LEFT JOIN catalog.rating_summaries rs ON rs.product_id = p.id" \
	" LEFT JOIN LATERAL (SELECT i.id, i.url, i.alt_text, i.width, i.height," \
	"   i.sort_order, i.is_primary, i.media_id FROM catalog.images i WHERE i.product_id = p.id" \
	"   ORDER BY i.is_primary DESC, i.sort_order, i.created_at, i.id LIMIT 1) im ON true"

/* $1 category (with descendants), $2 brand, $3 status, $4 ILIKE pattern,
 * $5 min price, $6 max price, $7 seller. */
#define LIST_WHERE \
	" WHERE ($1::uuid IS NULL OR p.category_id IN (" \
	"   WITH RECURSIVE sub (id, depth) AS (SELECT $1::uuid, 0 UNION ALL" \
	"     SELECT c.id, sub.depth + 1 FROM catalog.categories c" \
	"     JOIN sub ON c.parent_id = sub.id WHERE sub.depth < 16)" \
	"   SELECT id FROM sub))" \
	" AND ($2::uuid IS NULL OR p.brand_id = $2::uuid)" \
	" AND ($3::text IS NULL OR p.status = $3::text)" \
	" AND ($4::text IS NULL OR p.name ILIKE $4::text OR p.description ILIKE $4::text)" \
	" AND ($5::bigint IS NULL OR p.base_price >= $5::bigint)" \
	" AND ($6::bigint IS NULL OR p.base_price <= $6::bigint)" \
	" AND ($7::uuid IS NULL OR p.seller_id = $7::uuid)"

/* The windowed count runs over ids only, so with the (status, sort key,
 * id) indexes the page and its total come from an index-only scan; the
 * page's rows are then joined back for their columns. */
#define LIST_SQL(order) \
	"SELECT " PRODUCT_COLS PRIMARY_IMAGE_COLS ", q.total" \
	" FROM (SELECT p.id, count(*) OVER () AS total FROM catalog.products p" \
	LIST_WHERE " ORDER BY " order " LIMIT $8 OFFSET $9) q" \
	" JOIN catalog.products p ON p.id = q.id" \
	PRIMARY_IMAGE_JOIN " ORDER BY " order

#define ORDER_NEWEST	 "p.created_at DESC, p.id DESC"
#define ORDER_PRICE_ASC	 "p.base_price, p.id"
#define ORDER_PRICE_DESC "p.base_price DESC, p.id DESC"
#define ORDER_NAME_ASC	 "p.name, p.id"
#define ORDER_NAME_DESC	 "p.name DESC, p.id DESC"

/* Indexed by product_sort. */
static db_stmt list_stmts[] = {
	DB_STMT("catalog_product_list_newest", LIST_SQL(ORDER_NEWEST), 9),
	DB_STMT("catalog_product_list_price_asc", LIST_SQL(ORDER_PRICE_ASC), 9),
	DB_STMT("catalog_product_list_price_desc", LIST_SQL(ORDER_PRICE_DESC), 9),
	DB_STMT("catalog_product_list_name_asc", LIST_SQL(ORDER_NAME_ASC), 9),
	DB_STMT("catalog_product_list_name_desc", LIST_SQL(ORDER_NAME_DESC), 9),
};

static db_stmt list_count = DB_STMT("catalog_product_list_count",
    "SELECT count(*) FROM catalog.products p" LIST_WHERE, 7);

/*
 * The product page: columns 0..19 as above, then metadata (20), category
 * ref (21-23), brand ref (24-26), images (27), variants (28) and the
 * category path from the root (29) as JSON arrays of arrays.
 */
#define DETAIL_SQL(where) \
	"SELECT " PRODUCT_COLS ", p.metadata::text," \
	" c.id, c.slug, c.name, b.id, b.slug, b.name," \
	" (SELECT coalesce(json_agg(json_build_array(i.id, i.variant_id, i.url," \
	"    i.alt_text, i.width, i.height, i.sort_order, i.is_primary, i.media_id," \
	"    floor(extract(epoch FROM i.created_at))::bigint)" \
	"    ORDER BY i.sort_order, i.created_at, i.id), '[]')" \
	"  FROM catalog.images i WHERE i.product_id = p.id)::text," \
	" (SELECT coalesce(json_agg(json_build_array(v.id, v.sku, v.name, v.price," \
	"    v.attributes, v.weight_grams, v.is_active, v.sort_order," \
	"    floor(extract(epoch FROM v.created_at))::bigint," \
	"    floor(extract(epoch FROM v.updated_at))::bigint)" \
	"    ORDER BY v.sort_order, v.created_at, v.id), '[]')" \
	"  FROM catalog.variants v WHERE v.product_id = p.id)::text," \
	" (WITH RECURSIVE up (id, parent_id, slug, name, depth) AS (" \
	"    SELECT u.id, u.parent_id, u.slug, u.name, 0 FROM catalog.categories u" \
	"    WHERE u.id = p.category_id" \
	"    UNION ALL SELECT u.id, u.parent_id, u.slug, u.name, up.depth + 1" \
	"    FROM catalog.categories u JOIN up ON u.id = up.parent_id WHERE up.depth < 16)" \
	"  SELECT coalesce(json_agg(json_build_array(up.id, up.slug, up.name)" \
	"    ORDER BY up.depth DESC), '[]') FROM up)::text" \
	" FROM catalog.products p" \
	" LEFT JOIN catalog.rating_summaries rs ON rs.product_id = p.id" \
	" LEFT JOIN catalog.categories c ON c.id = p.category_id" \
	" LEFT JOIN catalog.brands b ON b.id = p.brand_id" \
	" WHERE " where

static db_stmt detail_by_id = DB_STMT("catalog_product_get_id",
    DETAIL_SQL("p.id = $1::uuid"), 1);
static db_stmt detail_by_slug = DB_STMT("catalog_product_get_slug",
    DETAIL_SQL("p.slug = $1::text"), 1);

static db_stmt related = DB_STMT("catalog_product_related",
    "SELECT " PRODUCT_COLS PRIMARY_IMAGE_COLS
    " FROM (SELECT p.* FROM catalog.products p WHERE p.category_id = $1::uuid"
    "   AND p.status = 'published' AND p.id <> $2::uuid"
    "   ORDER BY " ORDER_NEWEST " LIMIT $3) p"
    PRIMARY_IMAGE_JOIN " ORDER BY " ORDER_NEWEST, 3);

#define HEAD_SQL "SELECT id, seller_id, status, base_price, currency::text" \
	" FROM catalog.products"
static db_stmt head_by_id = DB_STMT("catalog_product_head_id",
    HEAD_SQL " WHERE id = $1::uuid", 1);
static db_stmt head_by_id_lock = DB_STMT("catalog_product_head_id_lock",
    HEAD_SQL " WHERE id = $1::uuid FOR UPDATE", 1);
static db_stmt head_by_slug = DB_STMT("catalog_product_head_slug",
    HEAD_SQL " WHERE slug = $1::text", 1);

/* "base" itself and "base-<digits>"; $2 is base || '-%' (slugs have no
 * LIKE metacharacters). */
#define SLUGS_SQL(table) \
	"SELECT slug FROM " table " WHERE slug = $1::text OR (slug LIKE $2::text" \
	" AND substr(slug, length($1::text) + 2) ~ '^[0-9]+$') LIMIT 10000"
static db_stmt slugs_stmts[] = {
	DB_STMT("catalog_slugs_products", SLUGS_SQL("catalog.products"), 2),
	DB_STMT("catalog_slugs_categories", SLUGS_SQL("catalog.categories"), 2),
	DB_STMT("catalog_slugs_brands", SLUGS_SQL("catalog.brands"), 2),
};

static db_stmt insert_stmt = DB_STMT("catalog_product_insert",
    "INSERT INTO catalog.products (id, slug, name, description, status,"
    " base_price, currency, brand_id, category_id, seller_id, metadata)"
    " VALUES ($1::uuid, $2::text, $3::text, coalesce($4::text, ''),"
    " coalesce($5::text, 'draft'), $6::bigint, $7::text, $8::uuid, $9::uuid,"
    " $10::uuid, coalesce($11::jsonb, '{}'))"
    " ON CONFLICT ON CONSTRAINT products_slug_key DO NOTHING RETURNING id", 11);

static db_stmt update_stmt = DB_STMT("catalog_product_update",
    "UPDATE catalog.products SET"
    " name = coalesce($2::text, name),"
    " description = coalesce($3::text, description),"
    " slug = coalesce($4::text, slug),"
    " brand_id = CASE WHEN $5::boolean THEN $6::uuid ELSE brand_id END,"
    " category_id = CASE WHEN $7::boolean THEN $8::uuid ELSE category_id END,"
    " base_price = coalesce($9::bigint, base_price),"
    " currency = coalesce($10::text, currency),"
    " status = coalesce($11::text, status),"
    " metadata = coalesce($12::jsonb, metadata),"
    " seller_id = CASE WHEN $13::boolean THEN $14::uuid ELSE seller_id END,"
    " updated_at = now()"
    " WHERE id = $1::uuid", 14);

static db_stmt archive_stmt = DB_STMT("catalog_product_archive",
    "UPDATE catalog.products SET status = 'archived', updated_at = now()"
    " WHERE id = $1::uuid", 1);

static db_stmt outbox_stmt = DB_STMT("catalog_outbox_insert",
    "INSERT INTO catalog.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

/* ------------------------------------------------------------ mapping */

static void
map_product_cols(const PGresult *r, int i, product_summary *s)
{
	s->id = row_str(r, i, 0);
	s->slug = row_str(r, i, 1);
	s->name = row_str(r, i, 2);
	s->description = row_text(r, i, 3);
	if (product_status_parse(row_str(r, i, 4), &s->status) != 0)
		s->status = PRODUCT_DRAFT;
	s->base_price = row_i64(r, i, 5);
	s->currency = row_str(r, i, 6);
	s->brand_id = row_str(r, i, 7);
	s->category_id = row_str(r, i, 8);
	s->seller_id = row_str(r, i, 9);
	s->created_at = row_i64(r, i, 10);
	s->updated_at = row_i64(r, i, 11);
	s->published_at = row_i64(r, i, 12);
	s->rating.count = row_i64(r, i, 13);
	s->rating.sum = row_i64(r, i, 14);
	for (int k = 0; k < 5; k++)
		s->rating.histogram[k] = row_i64(r, i, 15 + k);
}

static void
map_summary(const PGresult *r, int i, product_summary *s)
{
	map_product_cols(r, i, s);
	s->has_image = !row_null(r, i, 20);
	if (s->has_image) {
		product_image *im = &s->primary_image;

		im->id = row_str(r, i, 20);
		im->product_id = s->id;
		im->url = row_str(r, i, 21);
		im->alt_text = row_text(r, i, 22);
		im->width = (int32_t)row_i64(r, i, 23);
		im->height = (int32_t)row_i64(r, i, 24);
		im->sort_order = (int32_t)row_i64(r, i, 25);
		im->is_primary = row_bool(r, i, 26);
		im->media_id = row_str(r, i, 27);
	}
}

static ecode
map_summaries(arena *a, const PGresult *r, product_summary **out, size_t *n,
    error *e)
{
	int rows = PQntuples(r);

	*n = (size_t)rows;
	*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out);
	if (!*out)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_summary(r, i, &(*out)[i]);
	return E_OK;
}

/* ------------------------------------------------------------ reads */

ecode
store_product_list(db_conn *c, arena *a, const product_filter *f,
    const char *status, product_page *out, error *e)
{
	const char *p[9];
	PGresult   *r;

	p[0] = f->category_id;
	p[1] = f->brand_id;
	p[2] = status;
	p[3] = f->search ? catalog_like_pattern(a, f->search) : NULL;
	p[4] = f->min_price >= 0 ? arg_i64(a, f->min_price) : NULL;
	p[5] = f->max_price >= 0 ? arg_i64(a, f->max_price) : NULL;
	p[6] = f->seller_id;
	p[7] = arg_i64(a, f->pg.per_page);
	p[8] = arg_i64(a, f->pg.offset);
	if (!p[7] || !p[8] || (f->search && !p[3]))
		return err_set(e, E_INTERNAL, "out of memory");
	r = db_exec(c, a, &list_stmts[(unsigned)f->sort % 5], p, e);
	if (!r)
		return catalog_fail(e, E_INTERNAL);
	out->pg = f->pg;
	if (map_summaries(a, r, &out->items, &out->n, e) != E_OK)
		return e->code;
	if (out->n > 0) {
		out->total = row_i64(r, 0, 28);
		return E_OK;
	}
	out->total = 0;
	if (f->pg.offset == 0)
		return E_OK;
	/* Past the last page: no row carried the total. */
	r = db_exec(c, a, &list_count, p, e);
	if (!r)
		return catalog_fail(e, E_INTERNAL);
	out->total = row_i64(r, 0, 0);
	return E_OK;
}

static ecode
map_detail(arena *a, const PGresult *r, product *out, error *e)
{
	product_summary *s = &out->s;
	json_object     *imgs, *vars, *path;

	memset(out, 0, sizeof *out);
	map_product_cols(r, 0, s);
	out->metadata = row_str(r, 0, 20) ? row_str(r, 0, 20) : "{}";
	out->has_category = !row_null(r, 0, 21);
	out->category = (catalog_ref){ row_str(r, 0, 21), row_str(r, 0, 22), row_str(r, 0, 23) };
	out->has_brand = !row_null(r, 0, 24);
	out->brand = (catalog_ref){ row_str(r, 0, 24), row_str(r, 0, 25), row_str(r, 0, 26) };
	if (!(imgs = row_json(a, row_str(r, 0, 27), e)) ||
	    !(vars = row_json(a, row_str(r, 0, 28), e)) ||
	    !(path = row_json(a, row_str(r, 0, 29), e)))
		return e->code;
	if (images_from_json(a, imgs, s->id, &out->images, &out->nimages, e) != E_OK ||
	    variants_from_json(a, vars, s->id, s->base_price, s->currency,
	    &out->variants, &out->nvariants, e) != E_OK ||
	    refs_from_json(a, path, &out->category_path, &out->ncategory_path, e) != E_OK)
		return e->code;
	/* The list's rule: the primary image, else the first by sort order. */
	for (size_t i = 0; i < out->nimages; i++)
		if (out->images[i].is_primary || (!s->has_image && i == 0)) {
			s->primary_image = out->images[i];
			s->has_image = true;
		}
	return E_OK;
}

ecode
store_product_get(db_conn *c, arena *a, const char *id, const char *slug,
    product *out, error *e)
{
	const char *p[1] = { id ? id : slug };
	PGresult   *r;

	r = db_exec(c, a, id ? &detail_by_id : &detail_by_slug, p, e);
	if (!r)
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "product not found");
	return map_detail(a, r, out, e);
}

ecode
store_product_related(db_conn *c, arena *a, const char *category_id,
    const char *exclude_id, int limit, product_summary **out, size_t *n, error *e)
{
	const char *p[3] = { category_id, exclude_id, arg_i64(a, limit) };
	PGresult   *r;

	if (!p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	r = db_exec(c, a, &related, p, e);
	if (!r)
		return catalog_fail(e, E_INTERNAL);
	return map_summaries(a, r, out, n, e);
}

ecode
store_product_head(db_conn *c, arena *a, const char *id, const char *slug,
    bool lock, product_head *out, error *e)
{
	const char *p[1] = { id ? id : slug };
	db_stmt    *st = id ? (lock ? &head_by_id_lock : &head_by_id) : &head_by_slug;
	PGresult   *r;

	r = db_exec(c, a, st, p, e);
	if (!r)
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "product not found");
	out->id = row_str(r, 0, 0);
	out->seller_id = row_str(r, 0, 1);
	if (product_status_parse(row_str(r, 0, 2), &out->status) != 0)
		out->status = PRODUCT_DRAFT;
	out->base_price = row_i64(r, 0, 3);
	out->currency = row_str(r, 0, 4);
	return E_OK;
}

ecode
store_slugs_taken(db_conn *c, arena *a, slug_table t, const char *base,
    const char ***out, size_t *n, error *e)
{
	const char *p[2] = { base, arena_printf(a, "%s-%%", base) };
	PGresult   *r;
	int         rows;

	if (!p[1])
		return err_set(e, E_INTERNAL, "out of memory");
	r = db_exec(c, a, &slugs_stmts[(unsigned)t % 3], p, e);
	if (!r)
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out);
	if (!*out)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*out)[i] = row_str(r, i, 0);
	*n = (size_t)rows;
	return E_OK;
}

/* ------------------------------------------------------------ writes */

ecode
store_product_insert(db_conn *c, arena *a, const char *id, const char *slug,
    const product_input *in, const char *seller_id, bool *inserted, error *e)
{
	const char *p[11];
	PGresult   *r;

	p[0] = id;
	p[1] = slug;
	p[2] = in->name;
	p[3] = (in->set & PI_DESCRIPTION) ? in->description : NULL;
	p[4] = (in->set & PI_STATUS) ? product_status_name(in->status) : NULL;
	p[5] = arg_i64(a, in->base_price);
	p[6] = in->currency;
	p[7] = (in->set & PI_BRAND) ? in->brand_id : NULL;
	p[8] = (in->set & PI_CATEGORY) ? in->category_id : NULL;
	p[9] = seller_id;
	p[10] = (in->set & PI_METADATA) ? in->metadata : NULL;
	if (!p[5])
		return err_set(e, E_INTERNAL, "out of memory");
	r = db_exec(c, a, &insert_stmt, p, e);
	if (!r)
		return catalog_map_constraint(c, e);
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
store_product_update(db_conn *c, arena *a, const char *id,
    const product_input *in, error *e)
{
	const char *p[14];
	PGresult   *r;

	p[0] = id;
	p[1] = (in->set & PI_NAME) ? in->name : NULL;
	p[2] = (in->set & PI_DESCRIPTION) ? in->description : NULL;
	p[3] = (in->set & PI_SLUG) ? in->slug : NULL;
	p[4] = arg_bool(in->set & PI_BRAND);
	p[5] = in->brand_id;
	p[6] = arg_bool(in->set & PI_CATEGORY);
	p[7] = in->category_id;
	p[8] = (in->set & PI_BASE_PRICE) ? arg_i64(a, in->base_price) : NULL;
	p[9] = (in->set & PI_CURRENCY) ? in->currency : NULL;
	p[10] = (in->set & PI_STATUS) ? product_status_name(in->status) : NULL;
	p[11] = (in->set & PI_METADATA) ? in->metadata : NULL;
	p[12] = arg_bool(in->set & PI_SELLER);
	p[13] = in->seller_id;
	if ((in->set & PI_BASE_PRICE) && !p[8])
		return err_set(e, E_INTERNAL, "out of memory");
	r = db_exec(c, a, &update_stmt, p, e);
	if (!r)
		return catalog_map_constraint(c, e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "product not found");
	return E_OK;
}

ecode
store_product_archive(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };

	if (!db_exec(c, a, &archive_stmt, p, e))
		return catalog_fail(e, E_INTERNAL);
	return E_OK;
}

db_stmt *
store_outbox_stmt(void)
{
	return &outbox_stmt;
}
