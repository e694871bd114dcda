/*
 * service.c — the rules around stock rows: availability for the cart and
 * product pages, setting and adjusting stock, the low-stock crossing, the
 * movement log, warehouses, and what every write shares (the connection,
 * constraint messages, events).
 */
#include <stdio.h>
#include <string.h>

#include "core/outbox.h"
#include "core/util.h"
#include "inventory/internal.h"
#include "product/product.h"

const inv_actor inv_system = { NULL, ROLE_PUBLIC, NULL, "system" };

static const char nil_uuid[] = "00000000-0000-0000-0000-000000000000";

db_conn *
inv_db(error *e)
{
	return db_for(INVENTORY_DOMAIN, e);
}

ecode
inv_fail(error *e, ecode code)
{
	if (e->code == E_OK)
		err_set(e, code, "the inventory could not complete the request");
	return e->code;
}

/* Constraint names (sql/inventory/001_init.sql) -> JSON field names. */
static const struct {
	const char *constraint, *field, *message;
	ecode       code;
} constraint_map[] = {
	{ "warehouses_code_key", "code", "is already used by another warehouse", E_ALREADY_EXISTS },
	{ "warehouses_code_format", "code", "must be 1 to 32 upper-case letters, digits, '-' or '_'", E_VALIDATION },
	{ "stock_warehouse_id_fkey", "warehouse_id", "no such warehouse", E_VALIDATION },
	{ "stock_reserved_bounds", NULL, "not enough stock on hand for that change", E_CONFLICT },
	{ "stock_on_hand_bounds", "quantity", "would leave stock outside 0..1000000000", E_VALIDATION },
	{ "reservations_key_key", "key", "is already used", E_ALREADY_EXISTS },
};

ecode
inv_map_constraint(db_conn *c, error *e)
{
	const char *name = db_last_constraint(c);

	for (size_t i = 0; name && *name && i < sizeof constraint_map / sizeof constraint_map[0]; i++) {
		if (strcmp(name, constraint_map[i].constraint) != 0)
			continue;
		err_clear(e);
		if (constraint_map[i].field)
			err_field(e, constraint_map[i].field, "%s", constraint_map[i].message);
		if (constraint_map[i].code != E_VALIDATION)
			err_set(e, constraint_map[i].code, "%s%s%s",
			    constraint_map[i].field ? constraint_map[i].field : "",
			    constraint_map[i].field ? " " : "", constraint_map[i].message);
		return e->code;
	}
	return inv_fail(e, E_INTERNAL);
}

inv_actor
inv_actor_of(const request *req)
{
	inv_actor a = { req->user_id, req->user_role, req->request_id,
	    req->user_role == ROLE_ADMIN ? "admin" : req->user_role == ROLE_SELLER ? "seller" :
	    req->user_id ? "customer" : "system" };

	return a;
}

char *
inv_uuid_array(arena *a, const char *const *ids, size_t n)
{
	char *s = arena_alloc(a, n * 37 + 3), *p;

	if (!s)
		return NULL;
	p = s;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		const char *id = ids[i] && uuid_valid(ids[i]) ? ids[i] : nil_uuid;
		if (i > 0)
			*p++ = ',';
		memcpy(p, id, 36);
		p += 36;
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

ecode
inv_emit(db_conn *c, arena *a, const inv_actor *who, const char *type,
    const char *aggregate_type, const char *aggregate_id, json_object *data, error *e)
{
	event_origin o = { "inventory", who->request_id, who->user_id, who->role };
	const char *t = arena_printf(a, "inventory.%s", type);

	if (!t || !data) {
		json_object_put(data);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	return outbox_emit(c, a, inv_store_outbox_stmt(), &o, t, aggregate_type, aggregate_id, data, e);
}

/*
 * inventory.back_in_stock when this row's units made the variant
 * available again: the row went from nothing available to some (in an
 * active warehouse) and no other active warehouse had any.  The other
 * rows are read, not locked: a concurrent change to one of them emits its
 * own event or none, and a subscriber told twice of one restock is the
 * lesser harm than one never told.  The notifier's back-in-stock mails
 * hang on this event (lib/notification/restock.c).
 */
static ecode
back_in_stock(db_conn *c, arena *a, const inv_actor *who, const stock_row *r, error *e)
{
	int64_t others;
	json_object *d;

	if (inv_store_others_available(c, a, r->variant_id, r->warehouse_id, &others, e) != E_OK)
		return e->code;
	if (others > 0)
		return E_OK;
	/* no warehouse_id: the event is about the variant as a whole */
	if (!(d = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(d, "product_id", json_object_new_string(r->product_id));
	json_object_object_add(d, "variant_id", json_object_new_string(r->variant_id));
	json_object_object_add(d, "available", json_object_new_int64(r->available));
	json_object_object_add(d, "previous_available", json_object_new_int64(0));
	return inv_emit(c, a, who, "back_in_stock", "variant", r->variant_id, d, e);
}

ecode
inv_apply(db_conn *c, arena *a, const inv_actor *who, locked_row *row,
    int64_t d_on_hand, int64_t d_reserved, int64_t threshold, const char *reason,
    const char *reference, bool updated, error *e)
{
	bool applied, was_alerted = row->alerted;
	int64_t before = row->r.available;

	if (inv_store_stock_apply(c, a, row, d_on_hand, d_reserved, threshold, &applied, e) != E_OK)
		return e->code;
	if (!applied)
		return err_set(e, E_CONFLICT, "not enough stock in warehouse %s: %lld on hand,"
		    " %lld reserved", row->r.warehouse_code, (long long)row->r.on_hand,
		    (long long)row->r.reserved);
	row->alerted = row->r.is_low;
	if ((d_on_hand != 0 || d_reserved != 0) &&
	    inv_store_movement_insert(c, a, who, &row->r, d_on_hand, d_reserved, reason, reference, e) != E_OK)
		return e->code;
	if (updated) {
		json_object *d = stock_row_to_json(&row->r);
		if (d)
			json_object_object_add(d, "reason", json_object_new_string(reason));
		if (inv_emit(c, a, who, "updated", "variant", row->r.variant_id, d, e) != E_OK)
			return e->code;
	}
	/* Once per crossing: low_alerted stays true while the row stays low. */
	if (row->r.is_low && !was_alerted &&
	    inv_emit(c, a, who, "low_stock", "variant", row->r.variant_id,
	    stock_row_to_json(&row->r), e) != E_OK)
		return e->code;
	if (before <= 0 && row->r.available > 0 && row->r.warehouse_active &&
	    back_in_stock(c, a, who, &row->r, e) != E_OK)
		return e->code;
	return E_OK;
}

/* ------------------------------------------------------------ availability */

ecode
inventory_availability(arena *a, const inv_item *items, size_t n, inv_availability *out,
    error *e)
{
	const char **pids, **vids;
	char *parr, *varr;
	int64_t *avail;
	bool *tracked;
	db_conn *c;

	if (n == 0)
		return E_OK;
	if (n > 10000)
		return err_set(e, E_INVALID_INPUT, "too many items");
	pids = arena_calloc(a, n, sizeof *pids);
	vids = arena_calloc(a, n, sizeof *vids);
	avail = arena_calloc(a, n, sizeof *avail);
	tracked = arena_calloc(a, n, sizeof *tracked);
	if (!pids || !vids || !avail || !tracked)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		pids[i] = items[i].product_id;
		vids[i] = items[i].variant_id;
	}
	if (!(parr = inv_uuid_array(a, pids, n)) || !(varr = inv_uuid_array(a, vids, n)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	if (inv_store_availability(c, a, parr, varr, n, avail, tracked, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < n; i++) {
		int64_t want = items[i].quantity > 0 ? items[i].quantity : 1;
		out[i].product_id = items[i].product_id;
		out[i].variant_id = items[i].variant_id;
		out[i].tracked = tracked[i];
		out[i].available = tracked[i] && avail[i] > 0 ? avail[i] : 0;
		out[i].in_stock = tracked[i] && out[i].available >= want;
	}
	return E_OK;
}

/* ------------------------------------------------------------ stock reads */

static ecode
ids_valid(const char *product_id, const char *variant_id, error *e)
{
	if (!product_id || !variant_id || !uuid_valid(product_id) || !uuid_valid(variant_id))
		return err_set(e, E_NOT_FOUND, "no stock for that product and variant");
	return E_OK;
}

ecode
stock_get(arena *a, const char *product_id, const char *variant_id, variant_stock *out,
    error *e)
{
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (ids_valid(product_id, variant_id, e) != E_OK)
		return e->code;
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	if (inv_store_stock_of(c, a, product_id, variant_id, &out->rows, &out->nrows, e) != E_OK)
		return e->code;
	if (out->nrows == 0)
		return err_set(e, E_NOT_FOUND, "no stock for that product and variant");
	out->product_id = product_id;
	out->variant_id = variant_id;
	for (size_t i = 0; i < out->nrows; i++) {
		if (!out->rows[i].warehouse_active)
			continue;
		out->on_hand += out->rows[i].on_hand;
		out->reserved += out->rows[i].reserved;
		out->available += out->rows[i].available;
	}
	return E_OK;
}

ecode
stock_low_list(arena *a, const page *pg, stock_page *out, error *e)
{
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return inv_store_stock_low(c, a, pg, out, e);
}

ecode
movement_list(arena *a, const char *variant_id, const page *pg, movement_page *out, error *e)
{
	db_conn *c;

	memset(out, 0, sizeof *out);
	out->pg = *pg;
	if (!variant_id || !uuid_valid(variant_id))
		return E_OK;
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return inv_store_movement_list(c, a, variant_id, pg, out, e);
}

int
stock_reason_parse(const char *s, stock_reason *out)
{
	static const char *const names[] = { "order", "return", "adjustment", "reservation" };

	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (stock_reason)i;
			return 0;
		}
	return -1;
}

/* ------------------------------------------------------------ stock writes */

typedef struct stock_tx {
	const inv_actor *who;
	const char *product_id, *variant_id, *warehouse_id;
	int64_t quantity, threshold, delta;
	stock_reason reason;
	const char *reference;
	stock_row *out;
	bool *created;
} stock_tx;

static ecode
set_tx(db_conn *c, arena *a, void *ud, error *e)
{
	stock_tx *t = ud;
	locked_row row;
	bool inserted, found;
	const char *wh = t->warehouse_id;
	int64_t d = 0;

	if (!wh && inv_store_wh_default(c, a, &wh, e) != E_OK) {
		if (e->code == E_NOT_FOUND) {
			err_clear(e);
			err_field(e, "warehouse_id", "there is no active warehouse; create one first");
		}
		return e->code;
	}
	if (inv_store_stock_insert(c, a, t->product_id, t->variant_id, wh, &inserted, e) != E_OK ||
	    inv_store_stock_lock_one(c, a, t->variant_id, wh, &row, &found, e) != E_OK)
		return e->code;
	if (!found)
		return err_set(e, E_INTERNAL, "the stock row vanished");
	/* Another product's variant with this id cannot exist (ids are UUIDs);
	 * a mismatch means the caller paired ids wrongly. */
	if (strcmp(row.r.product_id, t->product_id) != 0) {
		err_field(e, "product_id", "does not own this variant's stock");
		return e->code;
	}
	if (t->quantity >= 0) {
		d = t->quantity - row.r.on_hand;
		if (t->quantity < row.r.reserved)
			return err_set(e, E_CONFLICT, "quantity %lld is below the %lld units reserved"
			    " in this warehouse", (long long)t->quantity, (long long)row.r.reserved);
	}
	if (inv_apply(c, a, t->who, &row, d, 0, t->threshold, "stock_set", t->reference,
	    true, e) != E_OK)
		return e->code;
	*t->out = row.r;
	*t->created = inserted;
	return E_OK;
}

ecode
stock_set(arena *a, const inv_actor *who, const char *product_id, const char *variant_id,
    const char *warehouse_id, int64_t quantity, int64_t threshold, stock_row *out,
    bool *created, error *e)
{
	catalog_actor admin = { who->user_id, ROLE_ADMIN, who->request_id };
	product_variant v;
	stock_tx t = { who, product_id, variant_id, warehouse_id, quantity, threshold, 0,
	    REASON_ADJUSTMENT, NULL, out, created };
	db_conn *c;

	/* The catalog is asked through its header: a stock row for a variant
	 * that does not exist would show on no page and mislead the counts. */
	if (variant_get(a, &admin, product_id, variant_id, &v, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);
		err_field(e, "variant_id", "no such variant of this product");
		return e->code;
	}
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return db_tx(c, a, set_tx, &t, e);
}

static ecode
adjust_tx(db_conn *c, arena *a, void *ud, error *e)
{
	static const char *const reasons[] = { "order", "return", "adjustment", "reservation" };
	stock_tx *t = ud;
	locked_row row;
	bool found;
	const char *wh = t->warehouse_id;

	if (!wh && inv_store_stock_default_wh(c, a, t->variant_id, &wh, e) != E_OK) {
		if (e->code == E_NOT_FOUND)
			err_set(e, E_NOT_FOUND, "no stock for that product and variant");
		return e->code;
	}
	if (inv_store_stock_lock_one(c, a, t->variant_id, wh, &row, &found, e) != E_OK)
		return e->code;
	if (!found || strcmp(row.r.product_id, t->product_id) != 0)
		return err_set(e, E_NOT_FOUND, "no stock for that product and variant in that warehouse");
	if (t->reason == REASON_RESERVATION) {
		if (inv_apply(c, a, t->who, &row, 0, t->delta, -1, reasons[t->reason], t->reference,
		    true, e) != E_OK)
			return e->code;
	} else if (inv_apply(c, a, t->who, &row, t->delta, 0, -1, reasons[t->reason], t->reference,
	    true, e) != E_OK)
		return e->code;
	*t->out = row.r;
	return E_OK;
}

ecode
stock_adjust(arena *a, const inv_actor *who, const char *product_id, const char *variant_id,
    const char *warehouse_id, int64_t delta, stock_reason reason, const char *reference,
    stock_row *out, error *e)
{
	bool created;
	stock_tx t = { who, product_id, variant_id, warehouse_id, -1, -1, delta, reason,
	    reference, out, &created };
	db_conn *c;

	if (ids_valid(product_id, variant_id, e) != E_OK)
		return e->code;
	if (warehouse_id && !uuid_valid(warehouse_id))
		return err_field(e, "warehouse_id", "must be a UUID");
	if (delta == 0 || delta < -INV_QUANTITY_MAX || delta > INV_QUANTITY_MAX)
		return err_field(e, "delta", "must be a non-zero integer between -%lld and %lld",
		    INV_QUANTITY_MAX, INV_QUANTITY_MAX);
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return db_tx(c, a, adjust_tx, &t, e);
}

/* ------------------------------------------------------------ warehouses */

ecode
warehouse_list(arena *a, warehouse **out, size_t *n, error *e)
{
	db_conn *c;

	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return inv_store_wh_list(c, a, out, n, e);
}

ecode
warehouse_get(arena *a, const char *id, warehouse *out, error *e)
{
	db_conn *c;

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "warehouse not found");
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return inv_store_wh_get(c, a, id, out, e);
}

typedef struct wh_tx {
	const inv_actor *who;
	const char *id;
	const warehouse_input *in;
	warehouse *out;
	bool create;
} wh_tx;

static ecode
wh_write_tx(db_conn *c, arena *a, void *ud, error *e)
{
	wh_tx *t = ud;

	if ((t->create ? inv_store_wh_insert(c, a, t->id, t->in, t->out, e) :
	    inv_store_wh_update(c, a, t->id, t->in, t->out, e)) != E_OK)
		return e->code;
	return inv_emit(c, a, t->who, "updated", "warehouse", t->out->id,
	    warehouse_to_json(t->out), e);
}

ecode
warehouse_create(arena *a, const inv_actor *who, const warehouse_input *in, warehouse *out,
    error *e)
{
	char id[37];
	wh_tx t = { who, id, in, out, true };
	db_conn *c;

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return db_tx(c, a, wh_write_tx, &t, e);
}

ecode
warehouse_update(arena *a, const inv_actor *who, const char *id, const warehouse_input *in,
    warehouse *out, error *e)
{
	wh_tx t = { who, id, in, out, false };
	db_conn *c;

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "warehouse not found");
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return db_tx(c, a, wh_write_tx, &t, e);
}
