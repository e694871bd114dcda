/*
 * store_taxonomy.c — the SQL of categories and brands.
 *
 * The category tree is small (CATEGORY_COUNT_MAX rows at most) and read
 * whole; the service assembles it.  A single category comes with its path
 * from the root in the same statement.  Tree rules (no cycles, at most
 * CATEGORY_DEPTH_MAX levels) are enforced by a trigger, whose named
 * constraint the service turns into a field error.
 */
#include <string.h>

#include "product/internal.h"

#define CATEGORY_COLS \
	"c.id, c.parent_id, c.slug, c.name, c.description, c.image_url, c.icon_url," \
	" c.sort_order, c.is_active, floor(extract(epoch FROM c.created_at))::bigint," \
	" floor(extract(epoch FROM c.updated_at))::bigint"

static db_stmt category_all_st = DB_STMT("catalog_category_all",
    "SELECT " CATEGORY_COLS " FROM catalog.categories c"
    " ORDER BY c.sort_order, c.name, c.id LIMIT 2000", 0);

#define CATEGORY_GET_SQL(where) \
	"SELECT " CATEGORY_COLS "," \
	" (WITH RECURSIVE up (id, parent_id, slug, name, depth) AS (" \
	"    SELECT c.id, c.parent_id, c.slug, c.name, 0" \
	"    UNION ALL SELECT u.id, u.parent_id, u.slug, u.name, up.depth + 1" \
	"    FROM catalog.categories u JOIN up ON u.id = up.parent_id WHERE up.depth < 16)" \
	"  SELECT json_agg(json_build_array(up.id, up.slug, up.name)" \
	"    ORDER BY up.depth DESC) FROM up)::text" \
	" FROM catalog.categories c WHERE " where

static db_stmt category_by_id_st = DB_STMT("catalog_category_get_id",
    CATEGORY_GET_SQL("c.id = $1::uuid"), 1);
static db_stmt category_by_slug_st = DB_STMT("catalog_category_get_slug",
    CATEGORY_GET_SQL("c.slug = $1::text"), 1);

static db_stmt category_insert_st = DB_STMT("catalog_category_insert",
    "INSERT INTO catalog.categories (id, parent_id, slug, name, description,"
    " image_url, icon_url, sort_order, is_active)"
    " VALUES ($1::uuid, $2::uuid, $3::text, $4::text, coalesce($5::text, ''),"
    " $6::text, $7::text, coalesce($8::integer, 0), coalesce($9::boolean, true))"
    " ON CONFLICT ON CONSTRAINT categories_slug_key DO NOTHING RETURNING id", 9);

static db_stmt category_update_st = DB_STMT("catalog_category_update",
    "UPDATE catalog.categories SET"
    " name = coalesce($2::text, name),"
    " parent_id = CASE WHEN $3::boolean THEN $4::uuid ELSE parent_id END,"
    " slug = coalesce($5::text, slug),"
    " description = coalesce($6::text, description),"
    " image_url = CASE WHEN $7::boolean THEN $8::text ELSE image_url END,"
    " icon_url = CASE WHEN $9::boolean THEN $10::text ELSE icon_url END,"
    " sort_order = coalesce($11::integer, sort_order),"
    " is_active = coalesce($12::boolean, is_active),"
    " updated_at = now()"
    " WHERE id = $1::uuid", 12);

static db_stmt category_delete_st = DB_STMT("catalog_category_delete",
    "DELETE FROM catalog.categories WHERE id = $1::uuid", 1);

#define BRAND_COLS \
	"id, slug, name, logo_url, description, floor(extract(epoch FROM created_at))::bigint," \
	" floor(extract(epoch FROM updated_at))::bigint"

static db_stmt brand_list_st = DB_STMT("catalog_brand_list",
    "SELECT " BRAND_COLS ", count(*) OVER () FROM catalog.brands"
    " ORDER BY name, id LIMIT $1 OFFSET $2", 2);
static db_stmt brand_count_st = DB_STMT("catalog_brand_count",
    "SELECT count(*) FROM catalog.brands", 0);
static db_stmt brand_by_id_st = DB_STMT("catalog_brand_get_id",
    "SELECT " BRAND_COLS " FROM catalog.brands WHERE id = $1::uuid", 1);
static db_stmt brand_by_slug_st = DB_STMT("catalog_brand_get_slug",
    "SELECT " BRAND_COLS " FROM catalog.brands WHERE slug = $1::text", 1);

static db_stmt brand_insert_st = DB_STMT("catalog_brand_insert",
    "INSERT INTO catalog.brands (id, slug, name, logo_url, description)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::text, coalesce($5::text, ''))"
    " ON CONFLICT ON CONSTRAINT brands_slug_key DO NOTHING RETURNING id", 5);

static db_stmt brand_update_st = DB_STMT("catalog_brand_update",
    "UPDATE catalog.brands SET"
    " name = coalesce($2::text, name),"
    " slug = coalesce($3::text, slug),"
    " logo_url = CASE WHEN $4::boolean THEN $5::text ELSE logo_url END,"
    " description = coalesce($6::text, description),"
    " updated_at = now()"
    " WHERE id = $1::uuid", 6);

static db_stmt brand_delete_st = DB_STMT("catalog_brand_delete",
    "DELETE FROM catalog.brands WHERE id = $1::uuid", 1);

/* ------------------------------------------------------------ categories */

static void
map_category(const PGresult *r, int i, category *c)
{
	c->id = row_str(r, i, 0);
	c->parent_id = row_str(r, i, 1);
	c->slug = row_str(r, i, 2);
	c->name = row_str(r, i, 3);
	c->description = row_text(r, i, 4);
	c->image_url = row_str(r, i, 5);
	c->icon_url = row_str(r, i, 6);
	c->sort_order = (int32_t)row_i64(r, i, 7);
	c->is_active = row_bool(r, i, 8);
	c->created_at = row_i64(r, i, 9);
	c->updated_at = row_i64(r, i, 10);
}

ecode
store_category_all(db_conn *c, arena *a, category **out, size_t *n, error *e)
{
	PGresult *r;
	int       rows;

	if (!(r = db_exec(c, a, &category_all_st, NULL, e)))
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out);
	if (!*out)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_category(r, i, &(*out)[i]);
	*n = (size_t)rows;
	return E_OK;
}

ecode
store_category_get(db_conn *c, arena *a, const char *id, const char *slug,
    category *out, catalog_ref **path, size_t *npath, error *e)
{
	const char  *p[1] = { id ? id : slug };
	PGresult    *r;
	json_object *arr;

	if (!(r = db_exec(c, a, id ? &category_by_id_st : &category_by_slug_st, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "category not found");
	memset(out, 0, sizeof *out);
	map_category(r, 0, out);
	if (!path)
		return E_OK;
	if (!(arr = row_json(a, row_str(r, 0, 11), e)))
		return e->code;
	return refs_from_json(a, arr, path, npath, e);
}

ecode
store_category_insert(db_conn *c, arena *a, const char *id, const char *slug,
    const category_input *in, bool *inserted, error *e)
{
	const char *p[9];
	PGresult   *r;

	p[0] = id;
	p[1] = (in->set & CI_PARENT) ? in->parent_id : NULL;
	p[2] = slug;
	p[3] = in->name;
	p[4] = (in->set & CI_DESCRIPTION) ? in->description : NULL;
	p[5] = (in->set & CI_IMAGE) ? in->image_url : NULL;
	p[6] = (in->set & CI_ICON) ? in->icon_url : NULL;
	p[7] = (in->set & CI_SORT) ? arg_i64(a, in->sort_order) : NULL;
	p[8] = (in->set & CI_ACTIVE) ? arg_bool(in->is_active) : NULL;
	if (!(r = db_exec(c, a, &category_insert_st, p, e)))
		return catalog_map_constraint(c, e);
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
store_category_update(db_conn *c, arena *a, const char *id,
    const category_input *in, error *e)
{
	const char *p[12];
	PGresult   *r;

	p[0] = id;
	p[1] = (in->set & CI_NAME) ? in->name : NULL;
	p[2] = arg_bool(in->set & CI_PARENT);
	p[3] = in->parent_id;
	p[4] = (in->set & CI_SLUG) ? in->slug : NULL;
	p[5] = (in->set & CI_DESCRIPTION) ? in->description : NULL;
	p[6] = arg_bool(in->set & CI_IMAGE);
	p[7] = in->image_url;
	p[8] = arg_bool(in->set & CI_ICON);
	p[9] = in->icon_url;
	p[10] = (in->set & CI_SORT) ? arg_i64(a, in->sort_order) : NULL;
	p[11] = (in->set & CI_ACTIVE) ? arg_bool(in->is_active) : NULL;
	if (!(r = db_exec(c, a, &category_update_st, p, e)))
		return catalog_map_constraint(c, e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "category not found");
	return E_OK;
}

/* A restricted delete (rows still refer to it) is a 409 naming what refers. */
static ecode
delete_conflict(db_conn *c, const char *what, error *e)
{
	const char *con = db_last_constraint(c);

	if (strcmp(db_last_sqlstate(c), "23503") != 0)
		return catalog_fail(e, E_INTERNAL);
	err_clear(e);
	if (con && strcmp(con, "categories_parent_id_fkey") == 0)
		return err_set(e, E_CONFLICT, "the %s has subcategories; move or "
		    "delete them first", what);
	return err_set(e, E_CONFLICT, "products still use this %s; move them to "
	    "another one first", what);
}

ecode
store_category_delete(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &category_delete_st, p, e)))
		return delete_conflict(c, "category", e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "category not found");
	return E_OK;
}

/* ------------------------------------------------------------ brands */

static void
map_brand(const PGresult *r, int i, brand *b)
{
	b->id = row_str(r, i, 0);
	b->slug = row_str(r, i, 1);
	b->name = row_str(r, i, 2);
	b->logo_url = row_str(r, i, 3);
	b->description = row_text(r, i, 4);
	b->created_at = row_i64(r, i, 5);
	b->updated_at = row_i64(r, i, 6);
}

ecode
store_brand_list(db_conn *c, arena *a, const page *pg, brand_page *out, error *e)
{
	const char *p[2] = { arg_i64(a, pg->per_page), arg_i64(a, pg->offset) };
	PGresult   *r;
	int         rows;

	if (!p[0] || !p[1])
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &brand_list_st, p, e)))
		return catalog_fail(e, E_INTERNAL);
	rows = PQntuples(r);
	memset(out, 0, sizeof *out);
	out->pg = *pg;
	out->items = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *out->items);
	if (!out->items)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_brand(r, i, &out->items[i]);
	out->n = (size_t)rows;
	if (rows > 0) {
		out->total = row_i64(r, 0, 7);
		return E_OK;
	}
	if (pg->offset == 0)
		return E_OK;
	if (!(r = db_exec(c, a, &brand_count_st, NULL, e)))
		return catalog_fail(e, E_INTERNAL);
	out->total = row_i64(r, 0, 0);
	return E_OK;
}

ecode
store_brand_get(db_conn *c, arena *a, const char *id, const char *slug,
    brand *out, error *e)
{
	const char *p[1] = { id ? id : slug };
	PGresult   *r;

	if (!(r = db_exec(c, a, id ? &brand_by_id_st : &brand_by_slug_st, p, e)))
		return catalog_fail(e, E_INTERNAL);
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "brand not found");
	map_brand(r, 0, out);
	return E_OK;
}

ecode
store_brand_insert(db_conn *c, arena *a, const char *id, const char *slug,
    const brand_input *in, bool *inserted, error *e)
{
	const char *p[5];
	PGresult   *r;

	p[0] = id;
	p[1] = slug;
	p[2] = in->name;
	p[3] = (in->set & BI_LOGO) ? in->logo_url : NULL;
	p[4] = (in->set & BI_DESCRIPTION) ? in->description : NULL;
	if (!(r = db_exec(c, a, &brand_insert_st, p, e)))
		return catalog_map_constraint(c, e);
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
store_brand_update(db_conn *c, arena *a, const char *id, const brand_input *in,
    error *e)
{
	const char *p[6];
	PGresult   *r;

	p[0] = id;
	p[1] = (in->set & BI_NAME) ? in->name : NULL;
	p[2] = (in->set & BI_SLUG) ? in->slug : NULL;
	p[3] = arg_bool(in->set & BI_LOGO);
	p[4] = in->logo_url;
	p[5] = (in->set & BI_DESCRIPTION) ? in->description : NULL;
	if (!(r = db_exec(c, a, &brand_update_st, p, e)))
		return catalog_map_constraint(c, e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "brand not found");
	return E_OK;
}

ecode
store_brand_delete(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &brand_delete_st, p, e)))
		return delete_conflict(c, "brand", e);
	if (PQcmdTuples(r)[0] == '0')
		return err_set(e, E_NOT_FOUND, "brand not found");
	return E_OK;
}
