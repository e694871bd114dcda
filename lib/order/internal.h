/*
 * internal.h — what lib/order's files share: the connection, the store's
 * statements (store.c) and the event writer.  Not for other code.
 */
#ifndef ECOM_ORDER_INTERNAL_H
#define ECOM_ORDER_INTERNAL_H

#include "core/db.h"
#include "order/order.h"

#define ORDERS_DOMAIN "orders"

db_conn *ord_db(error *e);

/* Store (store.c): constant SQL, row -> struct. */
ecode ord_store_next_number(db_conn *c, arena *a, int year, int64_t *seq, error *e);
ecode ord_store_id_by_checkout(db_conn *c, arena *a, const char *checkout_id,
    const char **id, error *e);
ecode ord_store_insert(db_conn *c, arena *a, const char *id, const char *number,
    const order_input *in, const char *status, bool *inserted, error *e);
ecode ord_store_item_insert(db_conn *c, arena *a, const char *order_id, int line,
    const order_item_input *it, error *e);
ecode ord_store_history_insert(db_conn *c, arena *a, const char *order_id,
    const char *from, const char *to, const order_actor *who, const char *reason, error *e);
/* By id or number; lock = FOR UPDATE. */
ecode ord_store_get(db_conn *c, arena *a, const char *id_or_number, bool lock, order *out,
    error *e);
ecode ord_store_items(db_conn *c, arena *a, order *o, error *e);
ecode ord_store_history(db_conn *c, arena *a, order *o, error *e);
/* The guarded UPDATE: *applied false when the status is no longer `from`.
 * claim_stock also sets stock_returned. */
ecode ord_store_set_status(db_conn *c, arena *a, const char *id, const char *from,
    const char *to, bool claim_stock, bool *applied, error *e);
ecode ord_store_list(db_conn *c, arena *a, const order_filter *f, const page *pg,
    order_page *out, error *e);
ecode ord_store_claim(db_conn *c, arena *a, const char *user_id, const char *email,
    int64_t *claimed, error *e);
ecode ord_store_note_insert(db_conn *c, arena *a, const char *order_id,
    const order_actor *who, const char *author, const char *body, error *e);
ecode ord_store_notes(db_conn *c, arena *a, const char *order_id, order_note **out,
    size_t *n, error *e);
db_stmt *ord_store_outbox_stmt(void);

/* order.<type> into orders.outbox, in c's open transaction; data consumed. */
ecode ord_emit(db_conn *c, arena *a, const order_actor *who, const char *type,
    const char *order_id, json_object *data, error *e);

/* Stock and money back for a cancel or refund (effects.c), after the status
 * change committed; each step idempotent. */
ecode ord_return_stock(arena *a, const order_actor *who, const order *o, error *e);
/* Money back through lib/payment; payment.refunded names `who` as its actor. */
ecode ord_refund_all(arena *a, const order_actor *who, const order *o, const char *reason,
    bool *refunded, error *e);
ecode ord_refund_amount(arena *a, const order_actor *who, const order *o, int64_t amount,
    const char *reason, const char *key, error *e);

/* compensate.c: what a cancel or refund owes, written in the status
 * change's transaction; the steps that pay it, clearing each debt as it
 * is paid (a failure is recorded for the janitor); a test fault point. */
ecode ord_comp_owe(db_conn *c, arena *a, const char *order_id, bool restock, bool refund,
    const char *reason, const order_actor *who, error *e);
ecode ord_comp_run(db_conn *c, arena *a, const order_actor *who, const order *o, bool restock,
    bool refund, const char *reason, order_change_result *r, error *e);
void  ord_fault_point(const char *step);

#endif
