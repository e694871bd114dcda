/*
 * store_banner.c — the SQL of storefront banners.
 *
 * The public's window check runs in the database against now(), so every
 * web node agrees on it regardless of its own clock.
 */
#include <string.h>

#include "product/internal.h"

#define BANNER_COLS \
	"SELECT id, title, subtitle, image_url, link_url, link_type, position," \
	" sort_order, is_active, coalesce(floor(extract(epoch FROM starts_at))::bigint, 0)," \
	" coalesce(floor(extract(epoch FROM ends_at))::bigint, 0)," \
	" floor(extract(epoch FROM created_at))::bigint, floor(extract(epoch FROM updated_at))::bigint" \
	" FROM catalog.banners"

#define BANNER_ORDER " ORDER BY position, sort_order, created_at, id LIMIT 200"

static db_stmt list_public = DB_STMT("catalog_banner_list_public",
    BANNER_COLS " WHERE is_active AND (starts_at IS NULL OR starts_at <= now())"
    " AND (ends_at IS NULL OR ends_at > now())"
    " AND ($1::text IS NULL OR position = $1::text)" BANNER_ORDER, 1);

static db_stmt list_admin = DB_STMT("catalog_banner_list_admin",
    BANNER_COLS " WHERE ($1::text IS NULL OR position = $1::text)"
    " AND ($2::boolean IS NULL OR is_active = $2::boolean)" BANNER_ORDER, 2);

static db_stmt get_stmt = DB_STMT("catalog_banner_get",
    BANNER_COLS " WHERE id = $1::uuid", 1);

static db_stmt insert_stmt = DB_STMT("catalog_banner_insert",
    "INSERT INTO catalog.banners (id, title, subtitle, image_url, link_url,"
    " link_type, position, sort_order, is_active, starts_at, ends_at)"
    " VALUES ($1::uuid, $2::text, coalesce($3::text, ''), $4::text, $5::text,"
    " $6::text, $7::text, coalesce($8::integer, 0), coalesce($9::boolean, true),"
    " $10::timestamptz, $11::timestamptz)", 11);

static db_stmt update_stmt = DB_STMT("catalog_banner_update",
    "UPDATE catalog.banners SET"
    " title = coalesce($2::text, title),"
    " subtitle = coalesce($3::text, subtitle),"
    " image_url = coalesce($4::text, image_url),"
    " link_url = coalesce($5::text, link_url),"
    " link_type = coalesce($6::text, link_type),"
    " position = coalesce($7::text, position),"
    " sort_order = coalesce($8::integer, sort_order),"
    " is_active = coalesce($9::boolean, is_active),"
    " starts_at = CASE WHEN $10::boolean THEN $11::timestamptz ELSE starts_at END,"
    " ends_at = CASE WHEN $12::boolean THEN $13::timestamptz ELSE ends_at END,"
    " updated_at = now()"
    " WHERE id = $1::uuid", 13);

static db_stmt delete_stmt = DB_STMT("catalog_banner_delete",
    "DELETE FROM catalog.banners WHERE id = $1::uuid", 1);

static void
map_banner(const PGresult *r, int i, banner *b)
{
	b->id = row_str(r, i, 0);
	b->title = row_str(r, i, 1);
	b->subtitle = row_text(r, i, 2);
	b->image_url = row_str(r, i, 3);
	b->link_url = row_str(r, i, 4);
	b->link_type = row_str(r, i, 5);
	b->position = row_str(r, i, 6);
	b->sort_order = (int32_t)row_i64(r, i, 7);
	b->is_active = row_bool(r, i, 8);
	b->starts_at = row_i64(r, i, 9);
	b->ends_at = row_i64(r, i, 10);
	b->created_at = row_i64(r, i, 11);
	b->updated_at = row_i64(r, i, 12);
}

ecode
store_banner_list(db_conn *c, arena *a, bool public_view,
    const banner_filter *f, banner **out, size_t *n, error *e)
{
	const char *p[2];
	PGresult   *r;
	int         rows;

	p[0] = f ? f->position : NULL;
	p[1] = (f && f->is_active >= 0) ? arg_bool(f->is_active != 0) : NULL;
	if (!(r = db_exec(c, a, public_view ? &list_public : &list_admin, p, e)))
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out);
	if (!*out)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_banner(r, i, &(*out)[i]);
	*n = (size_t)rows;
	return E_OK;
}

ecode
store_banner_get(db_conn *c, arena *a, const char *id, banner *out, error *e)
{
	const char *p[1] = { id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &get_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "banner not found");
	map_banner(r, 0, out);
	return E_OK;
}

ecode
store_banner_insert(db_conn *c, arena *a, const char *id,
    const banner_input *in, error *e)
{
	const char *p[11];

	p[0] = id;
	p[1] = in->title;
	p[2] = (in->set & NI_SUBTITLE) ? in->subtitle : NULL;
	p[3] = in->image_url;
	p[4] = in->link_url;
	p[5] = in->link_type;
	p[6] = in->position;
	p[7] = (in->set & NI_SORT) ? arg_i64(a, in->sort_order) : NULL;
	p[8] = (in->set & NI_ACTIVE) ? arg_bool(in->is_active) : NULL;
	p[9] = (in->set & NI_STARTS) ? arg_time(a, in->starts_at) : NULL;
	p[10] = (in->set & NI_ENDS) ? arg_time(a, in->ends_at) : NULL;
	if (!db_exec(c, a, &insert_stmt, p, e))
		return catalog_map_constraint(c, e);
	return E_OK;
}

ecode
store_banner_update(db_conn *c, arena *a, const char *id,
    const banner_input *in, error *e)
{
	const char *p[13];
	PGresult   *r;

	p[0] = id;
	p[1] = (in->set & NI_TITLE) ? in->title : NULL;
	p[2] = (in->set & NI_SUBTITLE) ? in->subtitle : NULL;
	p[3] = (in->set & NI_IMAGE) ? in->image_url : NULL;
	p[4] = (in->set & NI_LINK_URL) ? in->link_url : NULL;
	p[5] = (in->set & NI_LINK_TYPE) ? in->link_type : NULL;
	p[6] = (in->set & NI_POSITION) ? in->position : NULL;
	p[7] = (in->set & NI_SORT) ? arg_i64(a, in->sort_order) : NULL;
	p[8] = (in->set & NI_ACTIVE) ? arg_bool(in->is_active) : NULL;
	p[9] = arg_bool(in->set & NI_STARTS);
	p[10] = arg_time(a, in->starts_at);
	p[11] = arg_bool(in->set & NI_ENDS);
	p[12] = arg_time(a, in->ends_at);
	if (!(r = db_exec(c, a, &update_stmt, p, e)))
		return catalog_map_constraint(c, e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "banner not found");
	return E_OK;
}

ecode
store_banner_delete(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &delete_stmt, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "banner not found");
	return E_OK;
}
