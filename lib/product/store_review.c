/*
 * store_review.c — the SQL of reviews and their rating summary.
 *
 * The summary row (maintained by a trigger, sql/catalog/001_init.sql)
 * counts exactly the published reviews, so it doubles as the list's total.
 */
#include <string.h>

#include "product/internal.h"

static db_stmt summary_stmt = DB_STMT("catalog_review_summary",
    "SELECT count, sum, r1, r2, r3, r4, r5 FROM catalog.rating_summaries"
    " WHERE product_id = $1::uuid", 1);

static db_stmt list_stmt = DB_STMT("catalog_review_list",
    "SELECT id, product_id, user_id, rating, title, body, status,"
    " floor(extract(epoch FROM created_at))::bigint, floor(extract(epoch FROM updated_at))::bigint"
    " FROM catalog.reviews WHERE product_id = $1::uuid AND status = 'published'"
    " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3", 3);

static db_stmt insert_stmt = DB_STMT("catalog_review_insert",
    "INSERT INTO catalog.reviews (id, product_id, user_id, rating, title, body)"
    " VALUES ($1::uuid, $2::uuid, $3::uuid, $4::smallint, coalesce($5::text, ''),"
    " coalesce($6::text, ''))"
    " RETURNING id, product_id, user_id, rating, title, body, status,"
    " floor(extract(epoch FROM created_at))::bigint, floor(extract(epoch FROM updated_at))::bigint", 6);

/* Moderation: every status, newest first, with the product's name;
 * $1 status or NULL, $2 limit, $3 offset. */
static db_stmt moderation_stmt = DB_STMT("catalog_review_moderation",
    "SELECT r.id, r.product_id, r.user_id, r.rating, r.title, r.body, r.status,"
    " floor(extract(epoch FROM r.created_at))::bigint,"
    " floor(extract(epoch FROM r.updated_at))::bigint, p.name, count(*) OVER ()"
    " FROM catalog.reviews r JOIN catalog.products p ON p.id = r.product_id"
    " WHERE $1::text IS NULL OR r.status = $1::text"
    " ORDER BY r.created_at DESC, r.id DESC LIMIT $2 OFFSET $3", 3);

static db_stmt status_stmt = DB_STMT("catalog_review_status",
    "UPDATE catalog.reviews SET status = $2, updated_at = now() WHERE id = $1::uuid"
    " RETURNING id, product_id, user_id, rating, title, body, status,"
    " floor(extract(epoch FROM created_at))::bigint, floor(extract(epoch FROM updated_at))::bigint", 2);

static void
map_review(const PGresult *r, int i, review *rv)
{
	rv->id = row_str(r, i, 0);
	rv->product_id = row_str(r, i, 1);
	rv->user_id = row_str(r, i, 2);
	rv->rating = (int32_t)row_i64(r, i, 3);
	rv->title = row_text(r, i, 4);
	rv->body = row_text(r, i, 5);
	rv->status = row_str(r, i, 6);
	rv->created_at = row_i64(r, i, 7);
	rv->updated_at = row_i64(r, i, 8);
}

ecode
store_review_list(db_conn *c, arena *a, const char *product_id,
    const page *pg, review_page *out, error *e)
{
	const char *p[3] = { product_id, arg_i64(a, pg->per_page), arg_i64(a, pg->offset) };
	PGresult   *r;
	int         rows;

	if (!p[1] || !p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	memset(out, 0, sizeof *out);
	out->pg = *pg;
	if (!(r = db_exec(c, a, &summary_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 1) {
		out->summary.count = row_i64(r, 0, 0);
		out->summary.sum = row_i64(r, 0, 1);
		for (int k = 0; k < 5; k++)
			out->summary.histogram[k] = row_i64(r, 0, 2 + k);
	}
	out->total = out->summary.count;
	if (out->total == 0 || pg->offset >= out->total) {
		out->items = arena_calloc(a, 1, sizeof *out->items);
		return out->items ? E_OK : err_set(e, E_INTERNAL, "out of memory");
	}
	if (!(r = db_exec(c, a, &list_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	out->items = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *out->items);
	if (!out->items)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_review(r, i, &out->items[i]);
	out->n = (size_t)rows;
	return E_OK;
}

ecode
store_review_insert(db_conn *c, arena *a, const char *id,
    const char *product_id, const char *user_id, const review_input *in,
    review *out, error *e)
{
	const char *p[6] = { id, product_id, user_id, arg_i64(a, in->rating),
	    in->title, in->body };
	PGresult   *r;

	if (!p[3])
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &insert_stmt, p, e)))
		return catalog_map_constraint(c, e);
	memset(out, 0, sizeof *out);
	map_review(r, 0, out);
	return E_OK;
}

ecode
store_review_moderation(db_conn *c, arena *a, const char *status, const page *pg,
    review_page *out, const char ***product_names, error *e)
{
	const char *p[3] = { status, arg_i64(a, pg->per_page), arg_i64(a, pg->offset) };
	PGresult *r;
	int rows;

	if (!p[1] || !p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	memset(out, 0, sizeof *out);
	out->pg = *pg;
	if (!(r = db_exec(c, a, &moderation_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	out->items = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *out->items);
	*product_names = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **product_names);
	if (!out->items || !*product_names)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		map_review(r, i, &out->items[i]);
		(*product_names)[i] = row_text(r, i, 9);
		out->total = row_i64(r, i, 10);
	}
	out->n = (size_t)rows;
	return E_OK;
}

ecode
store_review_set_status(db_conn *c, arena *a, const char *id, const char *status,
    review *out, error *e)
{
	const char *p[2] = { id, status };
	PGresult *r;

	if (!(r = db_exec(c, a, &status_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "there is no review with this id");
	map_review(r, 0, out);
	return E_OK;
}
