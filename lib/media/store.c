/*
 * store.c — the SQL of the media schema (sql/media/001_init.sql).
 *
 * An item is read with its variants in one statement (a JSON aggregate);
 * strings point into the PGresult or a json-c value released at arena
 * reset.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/outbox.h"
#include "media/internal.h"

#define ITEM_SELECT \
	"SELECT i.id, i.owner_type, i.owner_id, i.alt_text, i.sort_order, i.source_format," \
	" i.width, i.height, i.uploaded_by, floor(extract(epoch FROM i.created_at))::bigint," \
	" coalesce((SELECT json_agg(json_build_object('w', v.width, 'h', v.height," \
	"   'f', v.format, 'p', v.path, 'b', v.bytes) ORDER BY v.width, v.format DESC)" \
	"   FROM media.variants v WHERE v.media_id = i.id), '[]')::text"
#define ITEM_COLS ITEM_SELECT " FROM media.items i"

static db_stmt get_stmt = DB_STMT("media_get", ITEM_COLS " WHERE i.id = $1::uuid", 1);
static db_stmt get_lock_stmt = DB_STMT("media_get_lock",
    ITEM_COLS " WHERE i.id = $1::uuid FOR UPDATE OF i", 1);
static db_stmt list_stmt = DB_STMT("media_list_owner",
    ITEM_COLS " WHERE i.owner_type = $1::text AND i.owner_id = $2::uuid"
    " ORDER BY i.sort_order, i.created_at, i.id LIMIT 100", 2);
/* each owner's first item as list_stmt orders them, one index probe per
 * owner (items_owner_idx) */
static db_stmt first_of_owners_stmt = DB_STMT("media_first_of_owners",
    ITEM_SELECT " FROM unnest($1::text[], $2::uuid[]) AS o (t, oid)"
    " CROSS JOIN LATERAL (SELECT x.* FROM media.items x"
    "  WHERE x.owner_type = o.t AND x.owner_id = o.oid"
    "  ORDER BY x.sort_order, x.created_at, x.id LIMIT 1) i", 2);
/* one lock for every file write and unlink (media/files.c) */
static db_stmt lock_stmt = DB_STMT("media_lock",
    "SELECT pg_advisory_xact_lock(hashtext('media.files'))", 0);
static db_stmt insert_stmt = DB_STMT("media_insert",
    "INSERT INTO media.items (id, owner_type, owner_id, alt_text, sort_order, source_format,"
    " source_bytes, width, height, uploaded_by)"
    " VALUES ($1::uuid, $2::text, $3::uuid, coalesce($4::text, ''), coalesce($5::integer,"
    "  (SELECT coalesce(max(sort_order) + 1, 0) FROM media.items"
    "   WHERE owner_type = $2::text AND owner_id = $3::uuid)),"
    " $6::text, $7::bigint, $8::integer, $9::integer, $10::uuid)", 10);
static db_stmt variant_stmt = DB_STMT("media_variant_insert",
    "INSERT INTO media.variants (media_id, width, height, format, path, bytes)"
    " VALUES ($1::uuid, $2::integer, $3::integer, $4::text, $5::text, $6::bigint)", 6);
static db_stmt update_stmt = DB_STMT("media_update",
    "UPDATE media.items SET alt_text = coalesce($2::text, alt_text),"
    " sort_order = coalesce($3::integer, sort_order), updated_at = now()"
    " WHERE id = $1::uuid", 3);
static db_stmt delete_stmt = DB_STMT("media_delete",
    "WITH gone AS (DELETE FROM media.variants WHERE media_id = $1::uuid RETURNING path),"
    " item AS (DELETE FROM media.items WHERE id = $1::uuid RETURNING id)"
    " SELECT DISTINCT g.path FROM gone g WHERE NOT EXISTS"
    "  (SELECT 1 FROM media.variants v WHERE v.path = g.path AND v.media_id <> $1::uuid)", 1);
static db_stmt by_path_stmt = DB_STMT("media_by_path",
    "SELECT media_id FROM media.variants WHERE path = $1::text ORDER BY media_id LIMIT 1", 1);
static db_stmt outbox_stmt = DB_STMT("media_outbox_insert",
    "INSERT INTO media.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

db_conn *
media_db(error *e)
{
	return db_for(MEDIA_DOMAIN, e);
}

ecode
store_media_lock(db_conn *c, arena *a, error *e)
{
	return db_exec(c, a, &lock_stmt, NULL, e) != NULL ? E_OK : e->code;
}

static void
put_json(void *p)
{
	json_object_put(p);
}

static const char *
jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "";
}

static int64_t
jint(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static ecode
map_item(arena *a, const PGresult *r, int i, media_item *m, error *e)
{
	json_object *vs;
	size_t n;

	memset(m, 0, sizeof *m);
	m->id = db_val(r, i, 0);
	m->owner_type = db_val(r, i, 1);
	m->owner_id = db_val(r, i, 2);
	m->alt_text = db_val(r, i, 3);
	m->sort_order = (int32_t)db_i64(r, i, 4);
	m->source_format = db_val(r, i, 5);
	m->width = (int32_t)db_i64(r, i, 6);
	m->height = (int32_t)db_i64(r, i, 7);
	m->uploaded_by = db_val(r, i, 8);
	m->created_at = db_i64(r, i, 9);
	vs = json_tokener_parse(db_val(r, i, 10));
	if (vs == NULL || arena_defer(a, put_json, vs) != 0 || !json_object_is_type(vs, json_type_array))
		return err_set(e, E_INTERNAL, "media variants unreadable");
	n = json_object_array_length(vs);
	m->variants = arena_calloc(a, n ? n : 1, sizeof *m->variants);
	if (m->variants == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t k = 0; k < n; k++) {
		json_object *v = json_object_array_get_idx(vs, k);
		media_variant *mv = &m->variants[k];
		mv->width = (int32_t)jint(v, "w");
		mv->height = (int32_t)jint(v, "h");
		mv->format = jstr(v, "f");
		mv->bytes = jint(v, "b");
		mv->url = arena_printf(a, "%s/%s", cfg->media_url, jstr(v, "p"));
		if (mv->url == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
	}
	m->nvariants = n;
	return E_OK;
}

/* Every row of r as a media item. */
static ecode
map_items(arena *a, const PGresult *r, media_item **out, size_t *n, error *e)
{
	int rows = PQntuples(r);

	if ((*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		if (map_item(a, r, i, &(*out)[i], e) != E_OK)
			return e->code;
	*n = (size_t)rows;
	return E_OK;
}

ecode
store_media_insert(db_conn *c, arena *a, const char *id, const media_upload_req *in,
    const char *uploaded_by, media_kind k, int32_t w, int32_t h, error *e)
{
	char sort[16], bytes[24], ws[16], hs[16];
	const char *p[10] = { id, in->owner_type, in->owner_id, in->alt_text,
	    in->has_sort ? sort : NULL, media_kind_name(k), bytes, ws, hs, uploaded_by };

	snprintf(sort, sizeof sort, "%d", (int)in->sort_order);
	snprintf(bytes, sizeof bytes, "%zu", in->len);
	snprintf(ws, sizeof ws, "%d", (int)w);
	snprintf(hs, sizeof hs, "%d", (int)h);
	return db_exec(c, a, &insert_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
store_media_variant(db_conn *c, arena *a, const char *id, const media_out *o, error *e)
{
	char ws[16], hs[16], bytes[24];
	const char *p[6] = { id, ws, hs, o->format, o->path, bytes };

	snprintf(ws, sizeof ws, "%d", (int)o->width);
	snprintf(hs, sizeof hs, "%d", (int)o->height);
	snprintf(bytes, sizeof bytes, "%zu", o->len);
	return db_exec(c, a, &variant_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
store_media_get(db_conn *c, arena *a, const char *id, bool lock, media_item *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r = db_exec(c, a, lock ? &get_lock_stmt : &get_stmt, p, e);

	if (r == NULL)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "media not found");
	return map_item(a, r, 0, out, e);
}

ecode
store_media_list_owner(db_conn *c, arena *a, const char *owner_type, const char *owner_id,
    media_item **out, size_t *n, error *e)
{
	const char *p[2] = { owner_type, owner_id };
	PGresult *r = db_exec(c, a, &list_stmt, p, e);

	*out = NULL;
	*n = 0;
	if (r == NULL)
		return e->code;
	return map_items(a, r, out, n, e);
}

/* "{a,b,c}": the elements are checked owner types and UUIDs, which need
 * no quoting in an array literal. */
static const char *
array_literal(arena *a, const char *const *v, size_t n)
{
	buf b = BUF_INIT;
	const char *s;

	buf_printf(&b, "{");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", v[i]);
	buf_printf(&b, "}");
	s = b.data != NULL && !b.oom ? arena_strdup(a, b.data) : NULL;
	buf_free(&b);
	return s;
}

ecode
store_media_first_of_owners(db_conn *c, arena *a, const char *const *types,
    const char *const *ids, size_t n, media_item **out, size_t *nout, error *e)
{
	const char *p[2] = { array_literal(a, types, n), array_literal(a, ids, n) };
	PGresult *r;

	*out = NULL;
	*nout = 0;
	if (p[0] == NULL || p[1] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if ((r = db_exec(c, a, &first_of_owners_stmt, p, e)) == NULL)
		return e->code;
	return map_items(a, r, out, nout, e);
}

ecode
store_media_update(db_conn *c, arena *a, const char *id, const char *alt,
    const int32_t *sort, error *e)
{
	char s[16];
	const char *p[3] = { id, alt, sort != NULL ? s : NULL };

	if (sort != NULL)
		snprintf(s, sizeof s, "%d", (int)*sort);
	return db_exec(c, a, &update_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
store_media_delete(db_conn *c, arena *a, const char *id, const char ***orphans,
    size_t *n, error *e)
{
	const char *p[1] = { id };
	PGresult *r = db_exec(c, a, &delete_stmt, p, e);
	int rows;

	*orphans = NULL;
	*n = 0;
	if (r == NULL)
		return e->code;
	rows = PQntuples(r);
	if ((*orphans = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **orphans)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*orphans)[i] = db_val(r, i, 0);
	*n = (size_t)rows;
	return E_OK;
}

ecode
store_media_emit(db_conn *c, arena *a, const media_actor *who, const char *type,
    const media_item *m, error *e)
{
	event_origin o;
	json_object *data = media_json(m);

	if (data == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	memset(&o, 0, sizeof o);
	o.source = "media";
	o.correlation_id = who->request_id;
	o.actor_id = who->user_id;
	o.actor_role = who->role;
	return outbox_emit(c, a, &outbox_stmt, &o, type, "media", m->id, data, e);
}

ecode
store_media_by_path(db_conn *c, arena *a, const char *path, const char **id, error *e)
{
	const char *p[1] = { path };
	PGresult *r = db_exec(c, a, &by_path_stmt, p, e);

	if (r == NULL)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "media not found");
	*id = db_val(r, 0, 0);
	return E_OK;
}
