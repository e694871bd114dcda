/*
 * store.c — every SQL statement of the inventory schema and the mapping
 * of its rows to the structs of inventory.h.
 *
 * Stock changes go through one statement, inv_store_stock_apply(), whose WHERE
 * clause repeats the invariant (0 <= reserved <= on_hand): even a caller
 * that forgot to lock could not oversell, it would only be refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "inventory/internal.h"

#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"

#define WH_COLS "id, code, name, address, priority, is_active, " \
	EPOCH("created_at") ", " EPOCH("updated_at")

#define STOCK_COLS \
	"s.product_id, s.variant_id, s.warehouse_id, w.code, w.name, w.priority," \
	" w.is_active, s.on_hand, s.reserved, s.low_stock_threshold, s.low_alerted," \
	" " EPOCH("s.updated_at") \
	" FROM inventory.stock s JOIN inventory.warehouses w ON w.id = s.warehouse_id"

static db_stmt wh_list_stmt = DB_STMT("inventory_wh_list",
    "SELECT " WH_COLS " FROM inventory.warehouses ORDER BY priority, code LIMIT 200", 0);
static db_stmt wh_get_stmt = DB_STMT("inventory_wh_get",
    "SELECT " WH_COLS " FROM inventory.warehouses WHERE id = $1::uuid", 1);
static db_stmt wh_insert_stmt = DB_STMT("inventory_wh_insert",
    "INSERT INTO inventory.warehouses (id, code, name, address, priority, is_active)"
    " VALUES ($1::uuid, $2::text, $3::text, coalesce($4::text, ''),"
    " coalesce($5::integer, 100), coalesce($6::boolean, true)) RETURNING " WH_COLS, 6);
static db_stmt wh_update_stmt = DB_STMT("inventory_wh_update",
    "UPDATE inventory.warehouses SET code = coalesce($2::text, code),"
    " name = coalesce($3::text, name), address = coalesce($4::text, address),"
    " priority = coalesce($5::integer, priority), is_active = coalesce($6::boolean, is_active),"
    " updated_at = now() WHERE id = $1::uuid RETURNING " WH_COLS, 6);
static db_stmt wh_default_stmt = DB_STMT("inventory_wh_default",
    "SELECT id FROM inventory.warehouses WHERE is_active ORDER BY priority, code LIMIT 1", 0);
static db_stmt stock_default_wh_stmt = DB_STMT("inventory_stock_default_wh",
    "SELECT s.warehouse_id FROM inventory.stock s JOIN inventory.warehouses w"
    " ON w.id = s.warehouse_id WHERE s.variant_id = $1::uuid AND w.is_active"
    " ORDER BY w.priority, w.code LIMIT 1", 1);

static db_stmt stock_of_stmt = DB_STMT("inventory_stock_of",
    "SELECT " STOCK_COLS " WHERE s.variant_id = $2::uuid AND s.product_id = $1::uuid"
    " ORDER BY w.priority, w.code", 2);
/* FOR UPDATE below a Sort locks rows in the sorted order. */
static db_stmt stock_lock_stmt = DB_STMT("inventory_stock_lock",
    "SELECT " STOCK_COLS " WHERE s.variant_id = ANY ($1::uuid[])"
    " ORDER BY s.variant_id, s.warehouse_id FOR UPDATE OF s", 1);
static db_stmt stock_lock_one_stmt = DB_STMT("inventory_stock_lock_one",
    "SELECT " STOCK_COLS " WHERE s.variant_id = $1::uuid AND s.warehouse_id = $2::uuid"
    " FOR UPDATE OF s", 2);
static db_stmt stock_insert_stmt = DB_STMT("inventory_stock_insert",
    "INSERT INTO inventory.stock (variant_id, warehouse_id, product_id)"
    " VALUES ($1::uuid, $2::uuid, $3::uuid) ON CONFLICT DO NOTHING RETURNING 1", 3);
static db_stmt stock_apply_stmt = DB_STMT("inventory_stock_apply",
    "UPDATE inventory.stock SET on_hand = on_hand + $3::bigint,"
    " reserved = reserved + $4::bigint,"
    " low_stock_threshold = coalesce($5::bigint, low_stock_threshold),"
    " low_alerted = (on_hand + $3::bigint) - (reserved + $4::bigint)"
    "   <= coalesce($5::bigint, low_stock_threshold),"
    " updated_at = now()"
    " WHERE variant_id = $1::uuid AND warehouse_id = $2::uuid"
    " AND reserved + $4::bigint >= 0 AND reserved + $4::bigint <= on_hand + $3::bigint"
    " AND on_hand + $3::bigint <= 1000000000"
    " RETURNING on_hand, reserved, low_stock_threshold, low_alerted, " EPOCH("updated_at"), 5);
static db_stmt stock_low_stmt = DB_STMT("inventory_stock_low",
    "SELECT " STOCK_COLS " WHERE w.is_active AND s.on_hand - s.reserved <= s.low_stock_threshold"
    " ORDER BY s.on_hand - s.reserved, w.priority, s.variant_id, s.warehouse_id"
    " LIMIT $1::bigint OFFSET $2::bigint", 2);
static db_stmt stock_low_count_stmt = DB_STMT("inventory_stock_low_count",
    "SELECT count(*) FROM inventory.stock s JOIN inventory.warehouses w ON w.id = s.warehouse_id"
    " WHERE w.is_active AND s.on_hand - s.reserved <= s.low_stock_threshold", 0);
static db_stmt availability_stmt = DB_STMT("inventory_availability",
    "SELECT i.ord, count(s.variant_id),"
    " coalesce(sum(greatest(s.on_hand - s.reserved, 0)) FILTER (WHERE w.is_active), 0)"
    " FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS i (product_id, variant_id, ord)"
    " LEFT JOIN inventory.stock s ON s.variant_id = i.variant_id AND s.product_id = i.product_id"
    " LEFT JOIN inventory.warehouses w ON w.id = s.warehouse_id"
    " GROUP BY i.ord ORDER BY i.ord", 2);

/* the variant's available in the other active warehouses (back in stock) */
static db_stmt others_available_stmt = DB_STMT("inventory_others_available",
    "SELECT coalesce(sum(greatest(s.on_hand - s.reserved, 0)), 0)"
    " FROM inventory.stock s JOIN inventory.warehouses w ON w.id = s.warehouse_id"
    " WHERE s.variant_id = $1::uuid AND s.warehouse_id <> $2::uuid AND w.is_active", 2);

static db_stmt mv_insert_stmt = DB_STMT("inventory_mv_insert",
    "INSERT INTO inventory.movements (id, variant_id, warehouse_id, product_id,"
    " delta_on_hand, delta_reserved, on_hand_after, reserved_after, reason, reference,"
    " actor_id, actor) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::bigint,"
    " $6::bigint, $7::bigint, $8::bigint, $9::text, $10::text, $11::uuid, $12::text)", 12);
static db_stmt mv_list_stmt = DB_STMT("inventory_mv_list",
    "SELECT id, product_id, variant_id, warehouse_id, delta_on_hand, delta_reserved,"
    " on_hand_after, reserved_after, reason, reference, actor_id, actor,"
    " " EPOCH("created_at") ", count(*) OVER ()"
    " FROM inventory.movements WHERE variant_id = $1::uuid"
    " ORDER BY created_at DESC, id LIMIT $2::bigint OFFSET $3::bigint", 3);

static db_stmt res_insert_stmt = DB_STMT("inventory_res_insert",
    "INSERT INTO inventory.reservations (id, key, expires_at)"
    " VALUES ($1::uuid, $2::text, now() + make_interval(secs => $3::bigint))"
    " ON CONFLICT (key) DO NOTHING RETURNING id", 3);
static db_stmt res_by_key_stmt = DB_STMT("inventory_res_by_key",
    "SELECT id, status FROM inventory.reservations WHERE key = $1::text", 1);
#define RES_COLS "id, key, status, order_id, release_reason, " EPOCH("expires_at") \
	", " EPOCH("created_at") ", expires_at < now() FROM inventory.reservations WHERE id = $1::uuid"
static db_stmt res_get_stmt = DB_STMT("inventory_res_get", "SELECT " RES_COLS, 1);
static db_stmt res_lock_stmt = DB_STMT("inventory_res_lock", "SELECT " RES_COLS " FOR UPDATE", 1);
static db_stmt res_lines_stmt = DB_STMT("inventory_res_lines",
    "SELECT product_id, variant_id, warehouse_id, quantity FROM inventory.reservation_lines"
    " WHERE reservation_id = $1::uuid ORDER BY variant_id, warehouse_id", 1);
static db_stmt res_line_add_stmt = DB_STMT("inventory_res_line_add",
    "INSERT INTO inventory.reservation_lines (reservation_id, variant_id, warehouse_id,"
    " product_id, quantity) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::bigint)"
    " ON CONFLICT (reservation_id, variant_id, warehouse_id)"
    " DO UPDATE SET quantity = inventory.reservation_lines.quantity + EXCLUDED.quantity", 5);
static db_stmt res_finish_stmt = DB_STMT("inventory_res_finish",
    "UPDATE inventory.reservations SET status = $2::text, order_id = $3::uuid,"
    " release_reason = $4::text, updated_at = now() WHERE id = $1::uuid", 4);
static db_stmt res_expired_stmt = DB_STMT("inventory_res_expired",
    "SELECT id FROM inventory.reservations WHERE status = 'active' AND expires_at < now()"
    " ORDER BY expires_at LIMIT $1::integer", 1);

static db_stmt outbox_stmt = DB_STMT("inventory_outbox_insert",
    "INSERT INTO inventory.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

db_stmt *
inv_store_outbox_stmt(void)
{
	return &outbox_stmt;
}

/* ------------------------------------------------------------ helpers */

static const char *
col(const PGresult *r, int i, int c)
{
	return db_val(r, i, c);
}

static char *
i64_arg(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static ecode
exec_rows(db_conn *c, arena *a, db_stmt *st, const char *const *p, PGresult **r, error *e)
{
	if (!(*r = db_exec(c, a, st, p, e)))
		return inv_map_constraint(c, e);
	return E_OK;
}

/* ------------------------------------------------------------ warehouses */

static void
map_wh(const PGresult *r, int i, warehouse *w)
{
	w->id = col(r, i, 0);
	w->code = col(r, i, 1);
	w->name = col(r, i, 2);
	w->address = col(r, i, 3);
	w->priority = (int32_t)db_i64(r, i, 4);
	w->is_active = db_bool(r, i, 5);
	w->created_at = db_i64(r, i, 6);
	w->updated_at = db_i64(r, i, 7);
}

ecode
inv_store_wh_list(db_conn *c, arena *a, warehouse **out, size_t *n, error *e)
{
	PGresult *r;
	int rows;

	if (exec_rows(c, a, &wh_list_stmt, NULL, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_wh(r, i, &(*out)[i]);
	*n = (size_t)rows;
	return E_OK;
}

static ecode
wh_one(db_conn *c, arena *a, db_stmt *st, const char *const *p, warehouse *out, error *e)
{
	PGresult *r;

	if (exec_rows(c, a, st, p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "warehouse not found");
	map_wh(r, 0, out);
	return E_OK;
}

ecode
inv_store_wh_get(db_conn *c, arena *a, const char *id, warehouse *out, error *e)
{
	const char *p[1] = { id };

	return wh_one(c, a, &wh_get_stmt, p, out, e);
}

static void
wh_params(arena *a, const char *id, const warehouse_input *in, const char *p[6])
{
	p[0] = id;
	p[1] = in->has & WI_CODE ? in->code : NULL;
	p[2] = in->has & WI_NAME ? in->name : NULL;
	p[3] = in->has & WI_ADDRESS ? in->address : NULL;
	p[4] = in->has & WI_PRIORITY ? i64_arg(a, in->priority) : NULL;
	p[5] = in->has & WI_ACTIVE ? (in->is_active ? "t" : "f") : NULL;
}

ecode
inv_store_wh_insert(db_conn *c, arena *a, const char *id, const warehouse_input *in,
    warehouse *out, error *e)
{
	const char *p[6];

	wh_params(a, id, in, p);
	if ((in->has & WI_PRIORITY) && !p[4])
		return err_set(e, E_INTERNAL, "out of memory");
	return wh_one(c, a, &wh_insert_stmt, p, out, e);
}

ecode
inv_store_wh_update(db_conn *c, arena *a, const char *id, const warehouse_input *in,
    warehouse *out, error *e)
{
	const char *p[6];

	wh_params(a, id, in, p);
	if ((in->has & WI_PRIORITY) && !p[4])
		return err_set(e, E_INTERNAL, "out of memory");
	return wh_one(c, a, &wh_update_stmt, p, out, e);
}

static ecode
first_id(db_conn *c, arena *a, db_stmt *st, const char *const *p, const char **id,
    const char *what, error *e)
{
	PGresult *r;

	if (exec_rows(c, a, st, p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "%s", what);
	*id = col(r, 0, 0);
	return E_OK;
}

ecode
inv_store_wh_default(db_conn *c, arena *a, const char **id, error *e)
{
	return first_id(c, a, &wh_default_stmt, NULL, id, "there is no active warehouse", e);
}

ecode
inv_store_stock_default_wh(db_conn *c, arena *a, const char *variant_id, const char **id, error *e)
{
	const char *p[1] = { variant_id };

	return first_id(c, a, &stock_default_wh_stmt, p, id,
	    "this variant has no stock in an active warehouse", e);
}

/* ------------------------------------------------------------ stock */

static void
map_stock(const PGresult *r, int i, locked_row *l)
{
	stock_row *s = &l->r;

	s->product_id = col(r, i, 0);
	s->variant_id = col(r, i, 1);
	s->warehouse_id = col(r, i, 2);
	s->warehouse_code = col(r, i, 3);
	s->warehouse_name = col(r, i, 4);
	s->priority = (int32_t)db_i64(r, i, 5);
	s->warehouse_active = db_bool(r, i, 6);
	s->on_hand = db_i64(r, i, 7);
	s->reserved = db_i64(r, i, 8);
	s->available = s->on_hand - s->reserved;
	s->low_stock_threshold = db_i64(r, i, 9);
	s->is_low = s->available <= s->low_stock_threshold;
	l->alerted = db_bool(r, i, 10);
	s->updated_at = db_i64(r, i, 11);
}

static ecode
stock_rows(db_conn *c, arena *a, db_stmt *st, const char *const *p, locked_row **out,
    size_t *n, error *e)
{
	PGresult *r;
	int rows;

	if (exec_rows(c, a, st, p, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_stock(r, i, &(*out)[i]);
	*n = (size_t)rows;
	return E_OK;
}

ecode
inv_store_stock_of(db_conn *c, arena *a, const char *product_id, const char *variant_id,
    stock_row **out, size_t *n, error *e)
{
	const char *p[2] = { product_id, variant_id };
	locked_row *l;

	if (stock_rows(c, a, &stock_of_stmt, p, &l, n, e) != E_OK)
		return e->code;
	if (!(*out = arena_calloc(a, *n ? *n : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = l[i].r;
	return E_OK;
}

ecode
inv_store_stock_lock(db_conn *c, arena *a, const char *variant_array, locked_row **out,
    size_t *n, error *e)
{
	const char *p[1] = { variant_array };

	return stock_rows(c, a, &stock_lock_stmt, p, out, n, e);
}

ecode
inv_store_stock_lock_one(db_conn *c, arena *a, const char *variant_id, const char *warehouse_id,
    locked_row *out, bool *found, error *e)
{
	const char *p[2] = { variant_id, warehouse_id };
	locked_row *l;
	size_t n;

	if (stock_rows(c, a, &stock_lock_one_stmt, p, &l, &n, e) != E_OK)
		return e->code;
	*found = n == 1;
	if (n == 1)
		*out = l[0];
	return E_OK;
}

ecode
inv_store_stock_insert(db_conn *c, arena *a, const char *product_id, const char *variant_id,
    const char *warehouse_id, bool *inserted, error *e)
{
	const char *p[3] = { variant_id, warehouse_id, product_id };
	PGresult *r;

	if (exec_rows(c, a, &stock_insert_stmt, p, &r, e) != E_OK)
		return e->code;
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
inv_store_stock_apply(db_conn *c, arena *a, locked_row *row, int64_t d_on_hand,
    int64_t d_reserved, int64_t threshold, bool *applied, error *e)
{
	const char *p[5] = { row->r.variant_id, row->r.warehouse_id, i64_arg(a, d_on_hand),
	    i64_arg(a, d_reserved), threshold >= 0 ? i64_arg(a, threshold) : NULL };
	PGresult *r;

	if (!p[2] || !p[3] || (threshold >= 0 && !p[4]))
		return err_set(e, E_INTERNAL, "out of memory");
	if (exec_rows(c, a, &stock_apply_stmt, p, &r, e) != E_OK)
		return e->code;
	*applied = PQntuples(r) == 1;
	if (!*applied)
		return E_OK;
	row->r.on_hand = db_i64(r, 0, 0);
	row->r.reserved = db_i64(r, 0, 1);
	row->r.available = row->r.on_hand - row->r.reserved;
	row->r.low_stock_threshold = db_i64(r, 0, 2);
	row->r.is_low = db_bool(r, 0, 3);
	row->r.updated_at = db_i64(r, 0, 4);
	return E_OK;
}

ecode
inv_store_stock_low(db_conn *c, arena *a, const page *pg, stock_page *out, error *e)
{
	const char *p[2] = { i64_arg(a, pg->per_page), i64_arg(a, pg->offset) };
	locked_row *l;
	PGresult *r;
	size_t n;

	if (!p[0] || !p[1])
		return err_set(e, E_INTERNAL, "out of memory");
	if (stock_rows(c, a, &stock_low_stmt, p, &l, &n, e) != E_OK ||
	    exec_rows(c, a, &stock_low_count_stmt, NULL, &r, e) != E_OK)
		return e->code;
	if (!(out->items = arena_calloc(a, n ? n : 1, sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		out->items[i] = l[i].r;
	out->n = n;
	out->total = db_i64(r, 0, 0);
	out->pg = *pg;
	return E_OK;
}

ecode
inv_store_availability(db_conn *c, arena *a, const char *product_array, const char *variant_array,
    size_t n, int64_t *available, bool *tracked, error *e)
{
	const char *p[2] = { product_array, variant_array };
	PGresult *r;

	if (exec_rows(c, a, &availability_stmt, p, &r, e) != E_OK)
		return e->code;
	if ((size_t)PQntuples(r) != n)
		return err_set(e, E_INTERNAL, "availability returned %d rows for %zu items",
		    PQntuples(r), n);
	for (size_t i = 0; i < n; i++) {
		tracked[i] = db_i64(r, (int)i, 1) > 0;
		available[i] = db_i64(r, (int)i, 2);
	}
	return E_OK;
}

ecode
inv_store_others_available(db_conn *c, arena *a, const char *variant_id,
    const char *warehouse_id, int64_t *available, error *e)
{
	const char *p[2] = { variant_id, warehouse_id };
	PGresult *r;

	if (exec_rows(c, a, &others_available_stmt, p, &r, e) != E_OK)
		return e->code;
	*available = db_i64(r, 0, 0);
	return E_OK;
}

/* ------------------------------------------------------------ movements */

ecode
inv_store_movement_insert(db_conn *c, arena *a, const inv_actor *who, const stock_row *after,
    int64_t d_on_hand, int64_t d_reserved, const char *reason, const char *reference,
    error *e)
{
	char id[37];
	const char *p[12];
	PGresult *r;

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	p[0] = id;
	p[1] = after->variant_id;
	p[2] = after->warehouse_id;
	p[3] = after->product_id;
	p[4] = i64_arg(a, d_on_hand);
	p[5] = i64_arg(a, d_reserved);
	p[6] = i64_arg(a, after->on_hand);
	p[7] = i64_arg(a, after->reserved);
	p[8] = reason;
	p[9] = reference;
	p[10] = who->user_id;
	p[11] = who->name ? who->name : "system";
	for (int i = 4; i < 8; i++)
		if (!p[i])
			return err_set(e, E_INTERNAL, "out of memory");
	return exec_rows(c, a, &mv_insert_stmt, p, &r, e);
}

ecode
inv_store_movement_list(db_conn *c, arena *a, const char *variant_id, const page *pg,
    movement_page *out, error *e)
{
	const char *p[3] = { variant_id, i64_arg(a, pg->per_page), i64_arg(a, pg->offset) };
	PGresult *r;
	int rows;

	if (!p[1] || !p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	if (exec_rows(c, a, &mv_list_stmt, p, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(out->items = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		movement *m = &out->items[i];
		m->id = col(r, i, 0);
		m->product_id = col(r, i, 1);
		m->variant_id = col(r, i, 2);
		m->warehouse_id = col(r, i, 3);
		m->delta_on_hand = db_i64(r, i, 4);
		m->delta_reserved = db_i64(r, i, 5);
		m->on_hand_after = db_i64(r, i, 6);
		m->reserved_after = db_i64(r, i, 7);
		m->reason = col(r, i, 8);
		m->reference = col(r, i, 9);
		m->actor_id = col(r, i, 10);
		m->actor = col(r, i, 11);
		m->created_at = db_i64(r, i, 12);
	}
	out->n = (size_t)rows;
	out->total = rows ? db_i64(r, 0, 13) : 0;
	out->pg = *pg;
	return E_OK;
}

/* ------------------------------------------------------------ reservations */

ecode
inv_store_res_insert(db_conn *c, arena *a, const char *id, const char *key, int64_t ttl_s,
    bool *inserted, error *e)
{
	const char *p[3] = { id, key, i64_arg(a, ttl_s) };
	PGresult *r;

	if (!p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	if (exec_rows(c, a, &res_insert_stmt, p, &r, e) != E_OK)
		return e->code;
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
inv_store_res_by_key(db_conn *c, arena *a, const char *key, const char **id,
    const char **status, error *e)
{
	const char *p[1] = { key };
	PGresult *r;

	if (exec_rows(c, a, &res_by_key_stmt, p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "reservation not found");
	*id = col(r, 0, 0);
	*status = col(r, 0, 1);
	return E_OK;
}

ecode
inv_store_res_get(db_conn *c, arena *a, const char *id, bool lock, reservation *out,
    bool *expired, error *e)
{
	const char *p[1] = { id };
	PGresult *r, *l;
	int rows;

	if (exec_rows(c, a, lock ? &res_lock_stmt : &res_get_stmt, p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "reservation not found");
	out->id = col(r, 0, 0);
	out->key = col(r, 0, 1);
	out->status = col(r, 0, 2);
	out->order_id = col(r, 0, 3);
	out->release_reason = col(r, 0, 4);
	out->expires_at = db_i64(r, 0, 5);
	out->created_at = db_i64(r, 0, 6);
	if (expired)
		*expired = db_bool(r, 0, 7);
	if (exec_rows(c, a, &res_lines_stmt, p, &l, e) != E_OK)
		return e->code;
	rows = PQntuples(l);
	if (!(out->lines = arena_calloc(a, rows ? (size_t)rows : 1, sizeof *out->lines)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		out->lines[i].product_id = col(l, i, 0);
		out->lines[i].variant_id = col(l, i, 1);
		out->lines[i].warehouse_id = col(l, i, 2);
		out->lines[i].quantity = db_i64(l, i, 3);
	}
	out->nlines = (size_t)rows;
	return E_OK;
}

ecode
inv_store_res_line_add(db_conn *c, arena *a, const char *reservation_id, const stock_row *row,
    int64_t quantity, error *e)
{
	const char *p[5] = { reservation_id, row->variant_id, row->warehouse_id, row->product_id,
	    i64_arg(a, quantity) };
	PGresult *r;

	if (!p[4])
		return err_set(e, E_INTERNAL, "out of memory");
	return exec_rows(c, a, &res_line_add_stmt, p, &r, e);
}

ecode
inv_store_res_finish(db_conn *c, arena *a, const char *id, const char *status,
    const char *order_id, const char *reason, error *e)
{
	const char *p[4] = { id, status, order_id, reason };
	PGresult *r;

	return exec_rows(c, a, &res_finish_stmt, p, &r, e);
}

ecode
inv_store_res_expired(db_conn *c, arena *a, int limit, const char ***ids, size_t *n, error *e)
{
	const char *p[1] = { i64_arg(a, limit) };
	PGresult *r;
	int rows;

	if (!p[0])
		return err_set(e, E_INTERNAL, "out of memory");
	if (exec_rows(c, a, &res_expired_stmt, p, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(*ids = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **ids)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*ids)[i] = col(r, i, 0);
	*n = (size_t)rows;
	return E_OK;
}
