/*
 * store_image.c — the SQL of product images.
 *
 * At most one image per product is primary (a partial unique index); the
 * service demotes the old primary before promoting another, inside the
 * transaction that holds the product's row lock, so the index never fires
 * for well-behaved writers.
 */
#include <string.h>

#include "product/internal.h"

#define IMAGE_COLS \
	"SELECT id, product_id, variant_id, url, alt_text, width, height, sort_order," \
	" is_primary, media_id, floor(extract(epoch FROM created_at))::bigint" \
	" FROM catalog.images"

static db_stmt list_stmt = DB_STMT("catalog_image_list",
    IMAGE_COLS " WHERE product_id = $1::uuid ORDER BY sort_order, created_at, id"
    " LIMIT 50", 1);

static db_stmt get_stmt = DB_STMT("catalog_image_get",
    IMAGE_COLS " WHERE product_id = $1::uuid AND id = $2::uuid", 2);

static db_stmt count_stmt = DB_STMT("catalog_image_count",
    "SELECT count(*) FROM catalog.images WHERE product_id = $1::uuid", 1);

static db_stmt demote_stmt = DB_STMT("catalog_image_demote",
    "UPDATE catalog.images SET is_primary = false, updated_at = now()"
    " WHERE product_id = $1::uuid AND is_primary AND id IS DISTINCT FROM $2::uuid", 2);

static db_stmt ensure_primary_stmt = DB_STMT("catalog_image_ensure_primary",
    "UPDATE catalog.images SET is_primary = true, updated_at = now()"
    " WHERE id = (SELECT id FROM catalog.images WHERE product_id = $1::uuid"
    "   ORDER BY sort_order, created_at, id LIMIT 1)"
    " AND NOT EXISTS (SELECT 1 FROM catalog.images"
    "   WHERE product_id = $1::uuid AND is_primary)", 1);

static db_stmt insert_stmt = DB_STMT("catalog_image_insert",
    "INSERT INTO catalog.images (id, product_id, variant_id, url, alt_text, width,"
    " height, sort_order, is_primary, media_id)"
    " VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, coalesce($5::text, ''),"
    " $6::integer, $7::integer, coalesce($8::integer, 0), coalesce($9::boolean, false),"
    " $10::uuid)", 10);

static db_stmt update_stmt = DB_STMT("catalog_image_update",
    "UPDATE catalog.images SET"
    " url = coalesce($3::text, url),"
    " alt_text = coalesce($4::text, alt_text),"
    " variant_id = CASE WHEN $5::boolean THEN $6::uuid ELSE variant_id END,"
    " width = CASE WHEN $7::boolean THEN $8::integer ELSE width END,"
    " height = CASE WHEN $7::boolean THEN $9::integer ELSE height END,"
    " sort_order = coalesce($10::integer, sort_order),"
    " is_primary = coalesce($11::boolean, is_primary),"
    " updated_at = now()"
    " WHERE product_id = $1::uuid AND id = $2::uuid", 11);

static db_stmt delete_stmt = DB_STMT("catalog_image_delete",
    "DELETE FROM catalog.images WHERE product_id = $1::uuid AND id = $2::uuid", 2);

static void
map_image(const PGresult *r, int i, product_image *im)
{
	im->id = row_str(r, i, 0);
	im->product_id = row_str(r, i, 1);
	im->variant_id = row_str(r, i, 2);
	im->url = row_str(r, i, 3);
	im->alt_text = row_text(r, i, 4);
	im->width = (int32_t)row_i64(r, i, 5);
	im->height = (int32_t)row_i64(r, i, 6);
	im->sort_order = (int32_t)row_i64(r, i, 7);
	im->is_primary = row_bool(r, i, 8);
	im->media_id = row_str(r, i, 9);
	im->created_at = row_i64(r, i, 10);
}

ecode
store_image_list(db_conn *c, arena *a, const char *product_id,
    product_image **out, size_t *n, error *e)
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
	for (int i = 0; i < rows; i++)
		map_image(r, i, &(*out)[i]);
	*n = (size_t)rows;
	return E_OK;
}

ecode
store_image_get(db_conn *c, arena *a, const char *product_id,
    const char *image_id, product_image *out, error *e)
{
	const char *p[2] = { product_id, image_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &get_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "image not found");
	memset(out, 0, sizeof *out);
	map_image(r, 0, out);
	return E_OK;
}

ecode
store_image_count(db_conn *c, arena *a, const char *product_id, int64_t *n,
    error *e)
{
	const char *p[1] = { product_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &count_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	*n = row_i64(r, 0, 0);
	return E_OK;
}

ecode
store_image_demote(db_conn *c, arena *a, const char *product_id,
    const char *keep_id, error *e)
{
	const char *p[2] = { product_id, keep_id };

	if (!db_exec(c, a, &demote_stmt, p, e))
		return catalog_fail(e, E_INTERNAL);
	return E_OK;
}

ecode
store_image_ensure_primary(db_conn *c, arena *a, const char *product_id, error *e)
{
	const char *p[1] = { product_id };

	if (!db_exec(c, a, &ensure_primary_stmt, p, e))
		return catalog_fail(e, E_INTERNAL);
	return E_OK;
}

/* A dimension parameter: NULL for 0 (unknown). */
static const char *
dim(arena *a, int32_t v)
{
	return v > 0 ? arg_i64(a, v) : NULL;
}

ecode
store_image_insert(db_conn *c, arena *a, const char *id,
    const char *product_id, const image_input *in, error *e)
{
	const char *p[10];

	p[0] = id;
	p[1] = product_id;
	p[2] = (in->set & II_VARIANT) ? in->variant_id : NULL;
	p[3] = in->url;
	p[4] = (in->set & II_ALT) ? in->alt_text : NULL;
	p[5] = (in->set & II_SIZE) ? dim(a, in->width) : NULL;
	p[6] = (in->set & II_SIZE) ? dim(a, in->height) : NULL;
	p[7] = (in->set & II_SORT) ? arg_i64(a, in->sort_order) : NULL;
	p[8] = (in->set & II_PRIMARY) ? arg_bool(in->is_primary) : NULL;
	p[9] = (in->set & II_MEDIA) ? in->media_id : NULL;
	if (!db_exec(c, a, &insert_stmt, p, e))
		return catalog_map_constraint(c, e);
	return E_OK;
}

ecode
store_image_update(db_conn *c, arena *a, const char *product_id,
    const char *image_id, const image_input *in, error *e)
{
	const char *p[11];
	PGresult   *r;

	p[0] = product_id;
	p[1] = image_id;
	p[2] = (in->set & II_URL) ? in->url : NULL;
	p[3] = (in->set & II_ALT) ? in->alt_text : NULL;
	p[4] = arg_bool(in->set & II_VARIANT);
	p[5] = in->variant_id;
	p[6] = arg_bool(in->set & II_SIZE);
	p[7] = dim(a, in->width);
	p[8] = dim(a, in->height);
	p[9] = (in->set & II_SORT) ? arg_i64(a, in->sort_order) : NULL;
	p[10] = (in->set & II_PRIMARY) ? arg_bool(in->is_primary) : NULL;
	if (!(r = db_exec(c, a, &update_stmt, p, e)))
		return catalog_map_constraint(c, e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "image not found");
	return E_OK;
}

ecode
store_image_delete(db_conn *c, arena *a, const char *product_id,
    const char *image_id, error *e)
{
	const char *p[2] = { product_id, image_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &delete_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "image not found");
	return E_OK;
}
