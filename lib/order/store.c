/*
 * store.c — every SQL statement of the orders schema and the mapping of
 * its rows to the structs of order.h.
 *
 * Status changes go through one statement, ord_store_set_status(), whose
 * WHERE clause names the status the caller checked: of two concurrent
 * changes from the same status exactly one updates a row.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "order/internal.h"

#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"

#define ORDER_COLS \
	"id, number, checkout_id, user_id, email, status, currency, subtotal, discount_total," \
	" shipping, tax, total, " EPOCH("created_at") ", " EPOCH("updated_at") "," \
	" shipping_method, ship_full_name, ship_line1, ship_line2, ship_city, ship_state," \
	" ship_postal_code, ship_country, ship_phone, payment_id, reservation_id," \
	" coupon_codes::text, stock_returned"
#define ORDER_NCOLS 27

static db_stmt next_number_stmt = DB_STMT("orders_next_number",
    "INSERT INTO orders.number_counters (year, last) VALUES ($1::integer, 1)"
    " ON CONFLICT (year) DO UPDATE SET last = orders.number_counters.last + 1"
    " RETURNING last", 1);
static db_stmt by_checkout_stmt = DB_STMT("orders_by_checkout",
    "SELECT id FROM orders.orders WHERE checkout_id = $1::text", 1);
static db_stmt insert_stmt = DB_STMT("orders_insert",
    "INSERT INTO orders.orders (id, number, checkout_id, user_id, email, status, currency,"
    " subtotal, discount_total, shipping, tax, total, shipping_method, ship_full_name,"
    " ship_line1, ship_line2, ship_city, ship_state, ship_postal_code, ship_country,"
    " ship_phone, payment_id, reservation_id, coupon_codes)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::text, $6::text, $7::text,"
    " $8::bigint, $9::bigint, $10::bigint, $11::bigint, $12::bigint, $13::text, $14::text,"
    " $15::text, $16::text, $17::text, $18::text, $19::text, $20::text, $21::text,"
    " $22::uuid, $23::uuid, coalesce($24::jsonb, '[]'::jsonb))"
    " ON CONFLICT (checkout_id) DO NOTHING RETURNING id", 24);
static db_stmt item_insert_stmt = DB_STMT("orders_item_insert",
    "INSERT INTO orders.items (order_id, line, product_id, variant_id, name, sku,"
    " unit_price, quantity, tax, discount) VALUES ($1::uuid, $2::integer, $3::uuid,"
    " $4::uuid, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::bigint)", 10);
static db_stmt history_insert_stmt = DB_STMT("orders_history_insert",
    "INSERT INTO orders.status_history (id, order_id, from_status, to_status, actor_id,"
    " actor, reason) VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::uuid, $6::text,"
    " $7::text)", 7);
static db_stmt get_id_stmt = DB_STMT("orders_get_id",
    "SELECT " ORDER_COLS " FROM orders.orders WHERE id = $1::uuid", 1);
static db_stmt get_number_stmt = DB_STMT("orders_get_number",
    "SELECT " ORDER_COLS " FROM orders.orders WHERE number = upper($1::text)", 1);
static db_stmt lock_id_stmt = DB_STMT("orders_lock_id",
    "SELECT " ORDER_COLS " FROM orders.orders WHERE id = $1::uuid FOR UPDATE", 1);
static db_stmt lock_number_stmt = DB_STMT("orders_lock_number",
    "SELECT " ORDER_COLS " FROM orders.orders WHERE number = upper($1::text) FOR UPDATE", 1);
static db_stmt items_stmt = DB_STMT("orders_items",
    "SELECT line, product_id, variant_id, name, sku, unit_price, quantity, tax, discount"
    " FROM orders.items WHERE order_id = $1::uuid ORDER BY line", 1);
static db_stmt history_stmt = DB_STMT("orders_history",
    "SELECT from_status, to_status, actor_id, actor, reason, " EPOCH("created_at")
    " FROM orders.status_history WHERE order_id = $1::uuid ORDER BY created_at, id"
    " LIMIT 200", 1);
static db_stmt set_status_stmt = DB_STMT("orders_set_status",
    "UPDATE orders.orders SET status = $3::text, updated_at = now(),"
    " stock_returned = stock_returned OR $4::boolean"
    " WHERE id = $1::uuid AND status = $2::text RETURNING 1", 4);
#define LIST_WHERE \
	" FROM orders.orders WHERE ($1::uuid IS NULL OR user_id = $1::uuid)" \
	" AND ($2::text IS NULL OR status = $2::text)" \
	" AND ($3::text IS NULL OR strpos(lower(email), lower($3::text)) > 0)" \
	" AND ($4::text IS NULL OR starts_with(number, upper($4::text)))" \
	" AND ($5::bigint IS NULL OR created_at >= to_timestamp($5::bigint))" \
	" AND ($6::bigint IS NULL OR created_at < to_timestamp($6::bigint))"
static db_stmt list_stmt = DB_STMT("orders_list",
    "SELECT " ORDER_COLS ", count(*) OVER ()" LIST_WHERE
    " ORDER BY created_at DESC, number DESC LIMIT $7::bigint OFFSET $8::bigint", 8);
static db_stmt count_stmt = DB_STMT("orders_count", "SELECT count(*)" LIST_WHERE, 6);
static db_stmt claim_stmt = DB_STMT("orders_claim",
    "UPDATE orders.orders SET user_id = $1::uuid, updated_at = now()"
    " WHERE user_id IS NULL AND lower(email) = lower($2::text)", 2);
static db_stmt note_insert_stmt = DB_STMT("orders_note_insert",
    "INSERT INTO orders.notes (id, order_id, author_id, author, body)"
    " VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text)", 5);
static db_stmt notes_stmt = DB_STMT("orders_notes",
    "SELECT id, author_id, author, body, " EPOCH("created_at")
    " FROM orders.notes WHERE order_id = $1::uuid ORDER BY created_at, id LIMIT 500", 1);
static db_stmt outbox_stmt = DB_STMT("orders_outbox_insert",
    "INSERT INTO orders.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

db_stmt *
ord_store_outbox_stmt(void)
{
	return &outbox_stmt;
}

static char *
i64_arg(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static ecode
exec(db_conn *c, arena *a, db_stmt *st, const char *const *p, PGresult **r, error *e)
{
	if (!(*r = db_exec(c, a, st, p, e))) {
		/* a CHECK that the service's validation missed is still the
		 * client's input, not a server fault */
		if (e->code == E_VALIDATION && e->nfields == 0)
			err_set(e, E_VALIDATION, "the order data is not valid (%s)",
			    db_last_constraint(c));
		return e->code != E_OK ? e->code : err_set(e, E_INTERNAL, "database error");
	}
	return E_OK;
}

ecode
ord_store_next_number(db_conn *c, arena *a, int year, int64_t *seq, error *e)
{
	const char *p[] = { arena_printf(a, "%d", year) };
	PGresult *r;

	if (exec(c, a, &next_number_stmt, p, &r, e) != E_OK)
		return e->code;
	*seq = db_i64(r, 0, 0);
	return E_OK;
}

ecode
ord_store_id_by_checkout(db_conn *c, arena *a, const char *checkout_id, const char **id,
    error *e)
{
	const char *p[] = { checkout_id };
	PGresult *r;

	if (exec(c, a, &by_checkout_stmt, p, &r, e) != E_OK)
		return e->code;
	*id = PQntuples(r) ? db_val(r, 0, 0) : NULL;
	return E_OK;
}

ecode
ord_store_insert(db_conn *c, arena *a, const char *id, const char *number,
    const order_input *in, const char *status, bool *inserted, error *e)
{
	const order_address *ad = &in->shipping_address;
	const char *p[] = { id, number, in->checkout_id, in->user_id, in->email, status,
	    in->currency, i64_arg(a, in->subtotal), i64_arg(a, in->discount_total),
	    i64_arg(a, in->shipping), i64_arg(a, in->tax), i64_arg(a, in->total),
	    in->shipping_method, ad->full_name, ad->address_line1, ad->address_line2,
	    ad->city, ad->state, ad->postal_code, ad->country, ad->phone, in->payment_id,
	    in->reservation_id, in->coupon_codes_json };
	PGresult *r;

	if (exec(c, a, &insert_stmt, p, &r, e) != E_OK)
		return e->code;
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
ord_store_item_insert(db_conn *c, arena *a, const char *order_id, int line,
    const order_item_input *it, error *e)
{
	const char *p[] = { order_id, arena_printf(a, "%d", line), it->product_id,
	    it->variant_id, it->name, it->sku, i64_arg(a, it->unit_price),
	    i64_arg(a, it->quantity), i64_arg(a, it->tax), i64_arg(a, it->discount) };
	PGresult *r;

	return exec(c, a, &item_insert_stmt, p, &r, e);
}

ecode
ord_store_history_insert(db_conn *c, arena *a, const char *order_id, const char *from,
    const char *to, const order_actor *who, const char *reason, error *e)
{
	char id[37];
	PGresult *r;

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	const char *p[] = { id, order_id, from, to, who->user_id, who->name, reason };
	return exec(c, a, &history_insert_stmt, p, &r, e);
}

static void
map_order(const PGresult *r, int i, order *o)
{
	memset(o, 0, sizeof *o);
	o->id = db_val(r, i, 0);
	o->number = db_val(r, i, 1);
	o->checkout_id = db_val(r, i, 2);
	o->user_id = db_val(r, i, 3);
	o->email = db_val(r, i, 4);
	o->status = db_val(r, i, 5);
	o->currency = db_val(r, i, 6);
	o->subtotal = db_i64(r, i, 7);
	o->discount_total = db_i64(r, i, 8);
	o->shipping = db_i64(r, i, 9);
	o->tax = db_i64(r, i, 10);
	o->total = db_i64(r, i, 11);
	o->created_at = db_i64(r, i, 12);
	o->updated_at = db_i64(r, i, 13);
	o->shipping_method = db_val(r, i, 14);
	o->address.full_name = db_val(r, i, 15);
	o->address.address_line1 = db_val(r, i, 16);
	o->address.address_line2 = db_val(r, i, 17);
	o->address.city = db_val(r, i, 18);
	o->address.state = db_val(r, i, 19);
	o->address.postal_code = db_val(r, i, 20);
	o->address.country = db_val(r, i, 21);
	o->address.phone = db_val(r, i, 22);
	o->payment_id = db_val(r, i, 23);
	o->reservation_id = db_val(r, i, 24);
	o->coupon_codes_json = db_val(r, i, 25);
	o->stock_returned = db_bool(r, i, 26);
}

ecode
ord_store_get(db_conn *c, arena *a, const char *id_or_number, bool lock, order *out, error *e)
{
	const char *p[] = { id_or_number };
	bool by_id = uuid_valid(id_or_number);
	PGresult *r;

	if (!id_or_number || (!by_id && strlen(id_or_number) > ORDER_NUMBER_MAX))
		return err_set(e, E_NOT_FOUND, "order not found");
	if (exec(c, a, by_id ? (lock ? &lock_id_stmt : &get_id_stmt)
	    : (lock ? &lock_number_stmt : &get_number_stmt), p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "order not found");
	map_order(r, 0, out);
	return E_OK;
}

ecode
ord_store_items(db_conn *c, arena *a, order *o, error *e)
{
	const char *p[] = { o->id };
	PGresult *r;
	int n;

	if (exec(c, a, &items_stmt, p, &r, e) != E_OK)
		return e->code;
	n = PQntuples(r);
	if (!(o->items = arena_calloc(a, n ? (size_t)n : 1, sizeof *o->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++) {
		order_item *it = &o->items[i];
		it->line = (int)db_i64(r, i, 0);
		it->product_id = db_val(r, i, 1);
		it->variant_id = db_val(r, i, 2);
		it->name = db_val(r, i, 3);
		it->sku = db_val(r, i, 4);
		it->unit_price = db_i64(r, i, 5);
		it->quantity = db_i64(r, i, 6);
		it->tax = db_i64(r, i, 7);
		it->discount = db_i64(r, i, 8);
		/* bounded by the CHECKs: 1e6 units of a price below 2^63/1e6 */
		it->line_total = it->unit_price * it->quantity - it->discount + it->tax;
	}
	o->nitems = (size_t)n;
	return E_OK;
}

ecode
ord_store_history(db_conn *c, arena *a, order *o, error *e)
{
	const char *p[] = { o->id };
	PGresult *r;
	int n;

	if (exec(c, a, &history_stmt, p, &r, e) != E_OK)
		return e->code;
	n = PQntuples(r);
	if (!(o->history = arena_calloc(a, n ? (size_t)n : 1, sizeof *o->history)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++) {
		order_history *h = &o->history[i];
		h->from_status = db_val(r, i, 0);
		h->to_status = db_val(r, i, 1);
		h->actor_id = db_val(r, i, 2);
		h->actor = db_val(r, i, 3);
		h->reason = db_val(r, i, 4);
		h->created_at = db_i64(r, i, 5);
	}
	o->nhistory = (size_t)n;
	return E_OK;
}

ecode
ord_store_set_status(db_conn *c, arena *a, const char *id, const char *from, const char *to,
    bool claim_stock, bool *applied, error *e)
{
	const char *p[] = { id, from, to, claim_stock ? "true" : "false" };
	PGresult *r;

	if (exec(c, a, &set_status_stmt, p, &r, e) != E_OK)
		return e->code;
	*applied = PQntuples(r) == 1;
	return E_OK;
}

ecode
ord_store_list(db_conn *c, arena *a, const order_filter *f, const page *pg,
    order_page *out, error *e)
{
	const char *p[] = { f->user_id, f->status, f->email, f->number,
	    f->from ? i64_arg(a, f->from) : NULL, f->to ? i64_arg(a, f->to) : NULL,
	    i64_arg(a, pg->per_page), i64_arg(a, pg->offset) };
	PGresult *r;
	int n;

	if (exec(c, a, &list_stmt, p, &r, e) != E_OK)
		return e->code;
	n = PQntuples(r);
	memset(out, 0, sizeof *out);
	out->pg = *pg;
	if (!(out->items = arena_calloc(a, n ? (size_t)n : 1, sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++)
		map_order(r, i, &out->items[i]);
	out->n = (size_t)n;
	if (n > 0) {
		out->total = db_i64(r, 0, ORDER_NCOLS);
		return E_OK;
	}
	/* an empty page past the end still reports the total */
	if (exec(c, a, &count_stmt, p, &r, e) != E_OK)
		return e->code;
	out->total = db_i64(r, 0, 0);
	return E_OK;
}

ecode
ord_store_claim(db_conn *c, arena *a, const char *user_id, const char *email,
    int64_t *claimed, error *e)
{
	const char *p[] = { user_id, email };
	PGresult *r;
	const char *n;

	if (exec(c, a, &claim_stmt, p, &r, e) != E_OK)
		return e->code;
	n = PQcmdTuples(r);
	*claimed = 0;
	if (n && *n && parse_i64(n, 0, INT64_MAX, claimed) != 0)
		*claimed = 0;
	return E_OK;
}

ecode
ord_store_note_insert(db_conn *c, arena *a, const char *order_id, const order_actor *who,
    const char *author, const char *body, error *e)
{
	char id[37];
	PGresult *r;

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	const char *p[] = { id, order_id, who->user_id, author, body };
	return exec(c, a, &note_insert_stmt, p, &r, e);
}

ecode
ord_store_notes(db_conn *c, arena *a, const char *order_id, order_note **out, size_t *nout,
    error *e)
{
	const char *p[] = { order_id };
	PGresult *r;
	int n;

	if (exec(c, a, &notes_stmt, p, &r, e) != E_OK)
		return e->code;
	n = PQntuples(r);
	if (!(*out = arena_calloc(a, n ? (size_t)n : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < n; i++) {
		(*out)[i].id = db_val(r, i, 0);
		(*out)[i].author_id = db_val(r, i, 1);
		(*out)[i].author = db_val(r, i, 2);
		(*out)[i].body = db_val(r, i, 3);
		(*out)[i].created_at = db_i64(r, i, 4);
	}
	*nout = (size_t)n;
	return E_OK;
}
