/*
 * service.c — the rules of orders: validating and creating an order (one
 * per checkout, numbered per year), reading and listing, the guarded
 * status changes with their history and events, cancel and refund, notes
 * and the guest claim.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/outbox.h"
#include "core/util.h"
#include "order/internal.h"
#include "user/user.h"

db_conn *
ord_db(error *e)
{
	return db_for(ORDERS_DOMAIN, e);
}

ecode
ord_emit(db_conn *c, arena *a, const order_actor *who, const char *type,
    const char *order_id, json_object *data, error *e)
{
	event_origin o = { "orders", who->request_id, who->user_id, who->role };
	const char *t = arena_printf(a, "order.%s", type);

	if (!t || !data) {
		json_object_put(data);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	return outbox_emit(c, a, ord_store_outbox_stmt(), &o, t, "order", order_id, data, e);
}

/* ------------------------------------------------------------ validation */

static void
need_str(error *e, const char *field, const char *v, size_t min, size_t max)
{
	size_t n = v ? strlen(v) : 0;

	if (!v || n < min)
		err_field(e, field, "is required");
	else if (n > max)
		err_field(e, field, "must be at most %zu characters", max);
}

static void
opt_str(error *e, const char *field, const char *v, size_t max)
{
	if (v && strlen(v) > max)
		err_field(e, field, "must be at most %zu characters", max);
}

static void
nonneg(error *e, const char *field, int64_t v)
{
	if (v < 0 || v > INT64_MAX / 4)
		err_field(e, field, "must be an amount of at least 0 minor units");
}

static void
validate_item(arena *a, const order_item_input *it, size_t i, error *e)
{
	char f[48];

#define F(name) (snprintf(f, sizeof f, "items.%zu." name, i), f)
	if (!it->product_id || !uuid_valid(it->product_id))
		err_field(e, F("product_id"), "must be a UUID");
	if (it->variant_id && !uuid_valid(it->variant_id))
		err_field(e, F("variant_id"), "must be a UUID");
	need_str(e, F("name"), it->name, 1, 255);
	opt_str(e, F("sku"), it->sku, 64);
	if (it->quantity < 1 || it->quantity > ORDER_QUANTITY_MAX)
		err_field(e, F("quantity"), "must be between 1 and %d", ORDER_QUANTITY_MAX);
	/* a unit price the line total cannot overflow with */
	if (it->unit_price < 0 || it->unit_price > INT64_MAX / 4 / ORDER_QUANTITY_MAX)
		err_field(e, F("unit_price"), "must be between 0 and %lld",
		    (long long)(INT64_MAX / 4 / ORDER_QUANTITY_MAX));
	nonneg(e, F("tax"), it->tax);
	nonneg(e, F("discount"), it->discount);
#undef F
	(void)a;
}

static ecode
validate_input(arena *a, const order_input *in, error *e)
{
	const order_address *ad = &in->shipping_address;

	need_str(e, "checkout_id", in->checkout_id, 1, 128);
	if (in->user_id && !uuid_valid(in->user_id))
		err_field(e, "user_id", "must be a UUID");
	need_str(e, "email", in->email, 3, ORDER_EMAIL_MAX);
	if (in->email && !strchr(in->email, '@'))
		err_field(e, "email", "must be an e-mail address");
	if (!in->currency || !currency_valid(in->currency))
		err_field(e, "currency", "must be an ISO 4217 code");
	if (in->nitems < 1 || in->nitems > ORDER_ITEMS_MAX || !in->items)
		err_field(e, "items", "must have 1 to %d lines", ORDER_ITEMS_MAX);
	else
		for (size_t i = 0; i < in->nitems; i++)
			validate_item(a, &in->items[i], i, e);
	need_str(e, "shipping_address.full_name", ad->full_name, 1, 200);
	need_str(e, "shipping_address.address_line1", ad->address_line1, 1, 200);
	opt_str(e, "shipping_address.address_line2", ad->address_line2, 200);
	need_str(e, "shipping_address.city", ad->city, 1, 100);
	opt_str(e, "shipping_address.state", ad->state, 100);
	need_str(e, "shipping_address.postal_code", ad->postal_code, 1, 20);
	if (!ad->country || strlen(ad->country) != 2 ||
	    ad->country[0] < 'A' || ad->country[0] > 'Z' || ad->country[1] < 'A' || ad->country[1] > 'Z')
		err_field(e, "shipping_address.country", "must be an ISO 3166 code like DE");
	opt_str(e, "shipping_address.phone", ad->phone, 32);
	opt_str(e, "shipping_method", in->shipping_method, 64);
	nonneg(e, "subtotal", in->subtotal);
	nonneg(e, "discount_total", in->discount_total);
	nonneg(e, "shipping", in->shipping);
	nonneg(e, "tax", in->tax);
	nonneg(e, "total", in->total);
	if (in->payment_id && !uuid_valid(in->payment_id))
		err_field(e, "payment_id", "must be a UUID");
	if (in->reservation_id && !uuid_valid(in->reservation_id))
		err_field(e, "reservation_id", "must be a UUID");
	if (in->coupon_codes_json) {
		json_object *j = json_tokener_parse(in->coupon_codes_json);
		if (!j || !json_object_is_type(j, json_type_array))
			err_field(e, "coupon_codes", "must be a JSON array");
		json_object_put(j);
	}
	return e->code;
}

/* ------------------------------------------------------------ reading */

static ecode
load_full(db_conn *c, arena *a, const char *id_or_number, order *out, error *e)
{
	if (ord_store_get(c, a, id_or_number, false, out, e) != E_OK ||
	    ord_store_items(c, a, out, e) != E_OK ||
	    ord_store_history(c, a, out, e) != E_OK)
		return e->code;
	return E_OK;
}

ecode
order_get(arena *a, const char *id_or_number, order *out, error *e)
{
	db_conn *c = ord_db(e);

	return c ? load_full(c, a, id_or_number, out, e) : e->code;
}

ecode
order_by_checkout(arena *a, const char *checkout_id, order *out, error *e)
{
	db_conn *c = ord_db(e);
	const char *id;

	if (!c)
		return e->code;
	if (!checkout_id || strlen(checkout_id) > 128)
		return err_set(e, E_NOT_FOUND, "no order for that checkout");
	if (ord_store_id_by_checkout(c, a, checkout_id, &id, e) != E_OK)
		return e->code;
	if (!id)
		return err_set(e, E_NOT_FOUND, "no order for that checkout");
	return load_full(c, a, id, out, e);
}

ecode
order_list(arena *a, const order_filter *f, const page *pg, order_page *out, error *e)
{
	db_conn *c;
	order_status st;

	if (f->user_id && !uuid_valid(f->user_id))
		return err_set(e, E_INVALID_PARAMETER, "user_id must be a UUID");
	if (f->status && order_status_parse(f->status, &st) != 0)
		return err_set(e, E_INVALID_PARAMETER, "status must be one of pending, confirmed,"
		    " processing, shipped, delivered, canceled, refunded");
	if (f->email && strlen(f->email) > ORDER_EMAIL_MAX)
		return err_set(e, E_INVALID_PARAMETER, "email is too long");
	if (f->number && strlen(f->number) > ORDER_NUMBER_MAX)
		return err_set(e, E_INVALID_PARAMETER, "number is too long");
	if (!(c = ord_db(e)))
		return e->code;
	return ord_store_list(c, a, f, pg, out, e);
}

/* ------------------------------------------------------------ create */

typedef struct create_tx {
	const order_input *in;
	const char        *status;
	char               id[37];
	bool               raced;	/* another create for the checkout won */
} create_tx;

static json_object *
created_event(const order_input *in, const char *id, const char *number, const char *status)
{
	json_object *d = json_object_new_object();

	if (!d)
		return NULL;
	json_object_object_add(d, "order_id", json_object_new_string(id));
	json_object_object_add(d, "number", json_object_new_string(number));
	json_object_object_add(d, "checkout_id", json_object_new_string(in->checkout_id));
	json_object_object_add(d, "user_id", json_str_or_null(in->user_id));
	json_object_object_add(d, "email", json_object_new_string(in->email));
	json_object_object_add(d, "status", json_object_new_string(status));
	json_object_object_add(d, "total", json_object_new_int64(in->total));
	json_object_object_add(d, "currency", json_object_new_string(in->currency));
	json_object_object_add(d, "item_count", json_object_new_int64((int64_t)in->nitems));
	return d;
}

static ecode
create_body(db_conn *c, arena *a, void *ud, error *e)
{
	create_tx *t = ud;
	static const order_actor checkout = { NULL, ROLE_PUBLIC, NULL, "checkout" };
	order_actor who = checkout;
	const char *existing, *number;
	time_t now = time(NULL);
	struct tm tm;
	int64_t seq;
	bool inserted;

	t->raced = false;
	if (ord_store_id_by_checkout(c, a, t->in->checkout_id, &existing, e) != E_OK)
		return e->code;
	if (existing) {
		t->raced = true;
		return E_OK;
	}
	gmtime_r(&now, &tm);
	/* the counter row lock serialises creates: after it, a concurrent
	 * create for this checkout has committed and is visible below */
	if (ord_store_next_number(c, a, tm.tm_year + 1900, &seq, e) != E_OK ||
	    ord_store_id_by_checkout(c, a, t->in->checkout_id, &existing, e) != E_OK)
		return e->code;
	if (existing) {
		t->raced = true;
		/* roll back, so the number is not used up */
		return err_set(e, E_ALREADY_EXISTS, "order exists");
	}
	if (!(number = arena_printf(a, "EC-%04d-%06lld", tm.tm_year + 1900, (long long)seq)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (ord_store_insert(c, a, t->id, number, t->in, t->status, &inserted, e) != E_OK)
		return e->code;
	if (!inserted) {
		t->raced = true;
		return err_set(e, E_ALREADY_EXISTS, "order exists");
	}
	for (size_t i = 0; i < t->in->nitems; i++)
		if (ord_store_item_insert(c, a, t->id, (int)i + 1, &t->in->items[i], e) != E_OK)
			return e->code;
	who.user_id = NULL;
	if (ord_store_history_insert(c, a, t->id, NULL, t->status, &who,
	    t->in->paid ? "order placed and paid" : "order placed, awaiting payment", e) != E_OK)
		return e->code;
	return ord_emit(c, a, &who, "created", t->id,
	    created_event(t->in, t->id, number, t->status), e);
}

ecode
order_create(arena *a, const order_input *in, order *out, error *e)
{
	create_tx t = { in, in->paid ? "confirmed" : "pending", "", false };
	db_conn *c;
	ecode rc;

	if (validate_input(a, in, e) != E_OK)
		return e->code;
	if (!(c = ord_db(e)))
		return e->code;
	if (uuid_v4(t.id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	rc = db_tx(c, a, create_body, &t, e);
	if (rc != E_OK && !t.raced)
		return rc;
	err_clear(e);
	if (t.raced)
		return order_by_checkout(a, in->checkout_id, out, e);
	return load_full(c, a, t.id, out, e);
}

/* ------------------------------------------------------------ claim */

ecode
order_claim_for_user(arena *a, const char *user_id, const char *email, int64_t *claimed,
    error *e)
{
	db_conn *c;

	*claimed = 0;
	if (!user_id || !uuid_valid(user_id))
		return err_field(e, "user_id", "must be a UUID");
	if (!email || strlen(email) < 3 || strlen(email) > ORDER_EMAIL_MAX)
		return err_field(e, "email", "must be an e-mail address");
	if (!(c = ord_db(e)))
		return e->code;
	return ord_store_claim(c, a, user_id, email, claimed, e);
}

ecode
order_claim_verified(arena *a, const char *user_id, int64_t *claimed, error *e)
{
	user u;

	*claimed = 0;
	if (!user_id)
		return E_OK;
	if (user_get(a, user_id, &u, e) != E_OK)
		return e->code;
	/* an unverified address could be someone else's: their orders stay theirs */
	if (!u.email_verified)
		return E_OK;
	return order_claim_for_user(a, u.id, u.email, claimed, e);
}

/* ------------------------------------------------------------ notes */

typedef struct note_tx {
	const order_actor *who;
	const char        *order_id, *author, *body;
} note_tx;

/* The note and its order.note_added event (the note under "note", so the
 * audit log shows it in the order's history), one transaction. */
static ecode
note_tx_body(db_conn *c, arena *a, void *ud, error *e)
{
	note_tx *t = ud;
	json_object *d, *n;

	if (ord_store_note_insert(c, a, t->order_id, t->who, t->author, t->body, e) != E_OK)
		return e->code;
	if (!(d = json_object_new_object()) || !(n = json_object_new_object())) {
		json_object_put(d);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	json_object_object_add(n, "author", json_str_or_null(t->author));
	json_object_object_add(n, "body", json_object_new_string(t->body));
	json_object_object_add(d, "order_id", json_object_new_string(t->order_id));
	json_object_object_add(d, "note", n);
	return ord_emit(c, a, t->who, "note_added", t->order_id, d, e);
}

ecode
order_note_add(arena *a, const order_actor *who, const char *author, const char *id,
    const char *body, error *e)
{
	db_conn *c;
	order o;
	note_tx t;

	if (!body || !*body)
		return err_field(e, "body", "is required");
	if (strlen(body) > ORDER_NOTE_MAX)
		return err_field(e, "body", "must be at most %d characters", ORDER_NOTE_MAX);
	if (!(c = ord_db(e)) || ord_store_get(c, a, id, false, &o, e) != E_OK)
		return e->code;
	t = (note_tx){ who, o.id, author && *author ? author : who->name, body };
	return db_tx(c, a, note_tx_body, &t, e);
}

ecode
order_notes(arena *a, const char *id, order_note **out, size_t *n, error *e)
{
	db_conn *c;
	order o;

	if (!(c = ord_db(e)) || ord_store_get(c, a, id, false, &o, e) != E_OK)
		return e->code;
	return ord_store_notes(c, a, o.id, out, n, e);
}
