/*
 * change.c — status changes and what follows them: the guarded update
 * with its history row and events, then stock back to the inventory and
 * money back through the payments domain for cancels and refunds.
 *
 * The status change commits first, in the orders schema; the stock and
 * money steps run after it in their own domains (no shared transaction,
 * DESIGN §1).  Each is idempotent on its side (a released reservation
 * stays released, payment_compensate undoes only what is left, refunds
 * carry an idempotency key), and the stock_returned flag, set with the
 * status change, keeps a 'return' adjustment from happening twice.  A
 * step that fails leaves an internal note and a warning for the admin.
 */
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "order/internal.h"
#include "payment/payment.h"

/* ------------------------------------------------------------ stock */

static inv_actor
inv_who(const order_actor *who)
{
	inv_actor ia = { who->user_id, who->role, who->request_id, who->name };

	return ia;
}

ecode
ord_return_stock(arena *a, const order_actor *who, const order *o, error *e)
{
	inv_actor ia = inv_who(who);
	stock_row row;
	ecode rc;

	/* While the checkout's reservation is still active the units never
	 * left on_hand: releasing it is the whole return. */
	if (o->reservation_id) {
		rc = inventory_release_by(a, &ia, o->reservation_id, "order canceled", e);
		if (rc == E_OK)
			return E_OK;
		if (rc != E_CONFLICT && rc != E_NOT_FOUND)
			return rc;
		err_clear(e);
	}
	for (size_t i = 0; i < o->nitems; i++) {
		const order_item *it = &o->items[i];
		if (!it->variant_id)
			continue;
		rc = stock_adjust(a, &ia, it->product_id, it->variant_id, NULL, it->quantity,
		    REASON_RETURN, o->number, &row, e);
		/* a variant without stock rows is not tracked: nothing to return */
		if (rc == E_NOT_FOUND) {
			err_clear(e);
			continue;
		}
		if (rc != E_OK)
			return rc;
	}
	return E_OK;
}

/* ------------------------------------------------------------ money */

/* The payment behind the order: its own id, else the checkout's. */
static ecode
order_payment(arena *a, const order *o, payment *p, error *e)
{
	if (o->payment_id)
		return payment_get(a, o->payment_id, p, e);
	return payment_for_checkout(a, o->checkout_id, p, e);
}

ecode
ord_refund_all(arena *a, const order_actor *who, const order *o, const char *reason,
    bool *refunded, error *e)
{
	payment_actor pa = { who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC,
	    who ? who->request_id : NULL };
	payment p, after;
	int64_t left;

	*refunded = false;
	if (order_payment(a, o, &p, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);	/* nothing was ever paid */
		return E_OK;
	}
	if (strcmp(p.status, "captured") != 0 && strcmp(p.status, "partially_refunded") != 0) {
		/* authorized or pending: the compensation voids or cancels it */
		if (payment_compensate(a, o->checkout_id, reason, e) != E_OK)
			return e->code;
		*refunded = strcmp(p.status, "authorized") == 0;
		return E_OK;
	}
	left = p.amount - p.refunded_amount;
	if (left <= 0)
		return E_OK;
	if (payment_refund_by(a, &pa, p.id, left, reason,
	    arena_printf(a, "order-%s-full-refund", o->id), &after, e) != E_OK)
		return e->code;
	*refunded = true;
	return E_OK;
}

ecode
ord_refund_amount(arena *a, const order_actor *who, const order *o, int64_t amount,
    const char *reason, const char *key, error *e)
{
	payment_actor pa = { who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC,
	    who ? who->request_id : NULL };
	payment p, after;

	if (order_payment(a, o, &p, e) != E_OK) {
		if (e->code == E_NOT_FOUND)
			err_set(e, E_CONFLICT, "the order has no payment to refund");
		return e->code;
	}
	return payment_refund_by(a, &pa, p.id, amount, reason, key, &after, e);
}

/* ------------------------------------------------------------ transitions */

typedef struct change_tx {
	const order_actor *who;
	const char        *id;
	order_status       to;
	const char        *reason;
	bool               restock;
	order              o;		/* as it was, locked */
	bool               claim_stock;
} change_tx;

static json_object *
change_event(const change_tx *t, const char *from)
{
	json_object *d = json_object_new_object();

	if (!d)
		return NULL;
	json_object_object_add(d, "order_id", json_object_new_string(t->o.id));
	json_object_object_add(d, "number", json_object_new_string(t->o.number));
	json_object_object_add(d, "user_id", json_str_or_null(t->o.user_id));
	json_object_object_add(d, "email", json_object_new_string(t->o.email));
	json_object_object_add(d, "from_status", json_object_new_string(from));
	json_object_object_add(d, "to_status", json_object_new_string(order_status_name(t->to)));
	json_object_object_add(d, "reason", json_str_or_null(t->reason));
	return d;
}

static ecode
change_body(db_conn *c, arena *a, void *ud, error *e)
{
	change_tx *t = ud;
	const char *to = order_status_name(t->to);
	order_status from;
	bool applied;

	if (ord_store_get(c, a, t->id, true, &t->o, e) != E_OK)
		return e->code;
	if (order_status_parse(t->o.status, &from) != 0)
		return err_set(e, E_INTERNAL, "order %s has an unknown status", t->o.number);
	if (!order_transition_allowed(from, t->to))
		return err_set(e, E_CONFLICT, "an order that is %s cannot become %s; allowed: %s",
		    t->o.status, to, order_allowed_list(a, from));
	t->claim_stock = !t->o.stock_returned &&
	    (t->to == ORDER_CANCELED || (t->to == ORDER_REFUNDED && t->restock));
	if (ord_store_set_status(c, a, t->o.id, t->o.status, to, t->claim_stock, &applied, e) != E_OK)
		return e->code;
	if (!applied)	/* cannot happen under the row lock; the guard stays anyway */
		return err_set(e, E_CONFLICT, "the order was changed meanwhile; reload it");
	if (ord_comp_owe(c, a, t->o.id, t->claim_stock,
	    t->to == ORDER_CANCELED || t->to == ORDER_REFUNDED,
	    t->reason && *t->reason ? t->reason : "order canceled", t->who, e) != E_OK ||
	    ord_store_history_insert(c, a, t->o.id, t->o.status, to, t->who, t->reason, e) != E_OK ||
	    ord_emit(c, a, t->who, "status_changed", t->o.id, change_event(t, t->o.status), e) != E_OK)
		return e->code;
	if (t->to == ORDER_CANCELED &&
	    ord_emit(c, a, t->who, "canceled", t->o.id, change_event(t, t->o.status), e) != E_OK)
		return e->code;
	return E_OK;
}

/* A side effect that failed: logged, noted on the order, reported. */
static const char *
side_failure(arena *a, db_conn *c, const order_actor *who, const order *o, const char *what,
    const error *fe)
{
	const char *msg = arena_printf(a, "%s failed: %s", what, fe->message);
	error ne;

	err_clear(&ne);
	log_msg(LOG_WARN, "order %s: %s", o->number, msg ? msg : what);
	if (msg && ord_store_note_insert(c, a, o->id, who, "system", msg, &ne) != E_OK)
		log_msg(LOG_WARN, "order %s: note not saved: %s", o->number, ne.message);
	return msg ? msg : what;
}

ecode
order_transition(arena *a, const order_actor *who, const char *id, order_status to,
    const char *reason, bool restock, order *out, order_change_result *res, error *e)
{
	change_tx t = { who, id, to, reason, restock, { 0 }, false };
	order_change_result r = { false, false, NULL };
	db_conn *c;
	error se;

	if (!order_status_name(to))
		return err_field(e, "status", "is not an order status");
	if (reason && strlen(reason) > ORDER_REASON_MAX)
		return err_field(e, "reason", "must be at most %d characters", ORDER_REASON_MAX);
	if (!(c = ord_db(e)) || db_tx(c, a, change_body, &t, e) != E_OK)
		return e->code;
	if (ord_store_items(c, a, &t.o, e) != E_OK)
		return e->code;
	err_clear(&se);
	ord_fault_point("cancel_stock");
	if (ord_comp_run(c, a, who, &t.o, t.claim_stock, to == ORDER_CANCELED || to == ORDER_REFUNDED,
	    reason && *reason ? reason : "order canceled", &r, &se) != E_OK)
		r.warning = side_failure(a, c, who, &t.o, r.stock_returned || !t.claim_stock ?
		    "the refund (the janitor retries it)" :
		    "returning the stock (the janitor retries it)", &se);
	if (res)
		*res = r;
	return out ? order_get(a, t.o.id, out, e) : E_OK;
}

ecode
order_cancel_by_owner(arena *a, const order_actor *who, const char *id, const char *reason,
    order *out, order_change_result *res, error *e)
{
	order o;
	order_status st;

	if (order_get(a, id, &o, e) != E_OK)
		return e->code;
	/* someone else's order does not exist, as far as they can tell */
	if (!who->user_id || !o.user_id || strcmp(o.user_id, who->user_id) != 0)
		return err_set(e, E_NOT_FOUND, "order not found");
	if (order_status_parse(o.status, &st) != 0 ||
	    !order_transition_allowed(st, ORDER_CANCELED))
		return err_set(e, E_CONFLICT, "an order that is %s can no longer be canceled", o.status);
	return order_transition(a, who, o.id, ORDER_CANCELED,
	    reason && *reason ? reason : "canceled by the customer", false, out, res, e);
}

ecode
order_refund(arena *a, const order_actor *who, const char *id, int64_t amount,
    const char *reason, const char *key, error *e)
{
	db_conn *c;
	order o;
	const char *note;
	const char *money;

	if (amount < 1)
		err_field(e, "amount", "must be at least 1 minor unit");
	if (!reason || strlen(reason) < 3 || strlen(reason) > ORDER_REASON_MAX)
		err_field(e, "reason", "must be 3 to %d characters", ORDER_REASON_MAX);
	if (!key || !*key || strlen(key) > 128)
		err_field(e, "idempotency_key", "must be 1 to 128 characters");
	if (e->code != E_OK)
		return e->code;
	if (!(c = ord_db(e)) || ord_store_get(c, a, id, false, &o, e) != E_OK)
		return e->code;
	if (amount > o.total)
		return err_field(e, "amount", "must not exceed the order total");
	if (ord_refund_amount(a, who, &o, amount, reason, key, e) != E_OK)
		return e->code;
	money = money_format_a(a, amount, o.currency);
	note = arena_printf(a, "Refunded %s: %s", money ? money : "", reason);
	if (!note)
		return err_set(e, E_INTERNAL, "out of memory");
	return ord_store_note_insert(c, a, o.id, who, who->name, note, e);
}
