/*
 * order.h — the orders domain: orders with their human-readable numbers,
 * the line snapshot, the state machine, the status history, internal
 * notes, cancellation and refunds.  The only header other code includes.
 *
 * Every function takes the request arena (everything it returns lives
 * there until the arena is reset), an `error` to fill on failure, and
 * returns E_OK or the error's code.  Writes run in one transaction on the
 * orders connection (db_for("orders")) and write order.created /
 * status_changed / canceled events to orders.outbox in that transaction.
 *
 * The state machine lives in order_transition_allowed() and nowhere else;
 * every status change goes through it and is applied with
 * UPDATE ... WHERE status = <the status it was checked against>, so two
 * concurrent changes cannot both win: the loser gets E_CONFLICT.
 *
 * Stock and money are other domains' (lib/inventory, lib/payment): a
 * cancel gives the stock back and refunds after the status change has
 * committed, because no code may assume two domains share a transaction
 * (DESIGN §1).  Both steps are idempotent, so repeating a cancel that
 * failed half-way finishes it.
 */
#ifndef ECOM_ORDER_H
#define ECOM_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"

#define ORDER_ITEMS_MAX		100
#define ORDER_REASON_MAX	500
#define ORDER_NOTE_MAX		2000
#define ORDER_NUMBER_MAX	32
#define ORDER_EMAIL_MAX		254
#define ORDER_QUANTITY_MAX	1000000

/* ------------------------------------------------------------ the contract */

typedef enum order_status {
	ORDER_PENDING, ORDER_CONFIRMED, ORDER_PROCESSING, ORDER_SHIPPED,
	ORDER_DELIVERED, ORDER_CANCELED, ORDER_REFUNDED, ORDER__NSTATUS
} order_status;

/* The one place the state machine lives (api-v1: pending->confirmed|canceled,
 * confirmed->processing|canceled, processing->shipped|canceled,
 * shipped->delivered, delivered->refunded).  Out-of-range values: false. */
bool order_transition_allowed(order_status from, order_status to);
/* "pending" ... "refunded"; NULL for an out-of-range value. */
const char *order_status_name(order_status s);
/* The name -> status; 0, or -1 for anything else. */
int order_status_parse(const char *s, order_status *out);
/* The statuses reachable from `from`, as "confirmed, canceled" ("none"
 * for a final state), for messages. */
const char *order_allowed_list(arena *a, order_status from);

typedef struct order_item_input {
	const char *product_id, *variant_id, *name, *sku;
	int64_t     unit_price, quantity, tax, discount;
} order_item_input;

typedef struct order_address {
	const char *full_name, *address_line1, *address_line2, *city, *state,
	           *postal_code, *country, *phone;
} order_address;

typedef struct order_input {
	const char *checkout_id;	/* unique: one order per checkout, ever */
	const char *user_id;		/* NULL for guests */
	const char *email;
	const char *currency;
	const order_item_input *items; size_t nitems;
	order_address shipping_address;
	const char *shipping_method;
	int64_t     subtotal, discount_total, shipping, tax, total;
	const char *payment_id;		/* may be NULL for offline methods */
	bool        paid;		/* true: starts 'confirmed'; false: 'pending' */
	const char *coupon_codes_json;	/* JSON array text, or NULL */
	/* Optional (beyond the contract): the inventory reservation the
	 * checkout took.  A cancel releases it while it is still active and
	 * otherwise returns the units with a 'return' adjustment. */
	const char *reservation_id;
} order_input;

typedef struct order_item {
	int         line;
	const char *product_id, *variant_id, *name, *sku;	/* variant_id, sku may be NULL */
	int64_t     unit_price, quantity, tax, discount;
	int64_t     line_total;	/* unit_price * quantity - discount + tax */
} order_item;

typedef struct order_history {
	const char *from_status;	/* NULL for the creation row */
	const char *to_status;
	const char *actor_id;		/* NULL for the system */
	const char *actor;		/* "admin", "customer", "checkout", "system" */
	const char *reason;		/* NULL when none */
	int64_t     created_at;
} order_history;

typedef struct order_note {
	const char *id, *author_id, *author, *body;
	int64_t     created_at;
} order_note;

typedef struct order {
	const char *id, *number, *checkout_id, *user_id, *email, *status, *currency;
	int64_t     subtotal, discount_total, shipping, tax, total, created_at, updated_at;
	const char *shipping_method;	/* NULL when none */
	order_address address;		/* NULL for absent optional parts */
	const char *payment_id;		/* NULL when none */
	const char *reservation_id;	/* NULL when none */
	const char *coupon_codes_json;	/* "[]" when none */
	bool        stock_returned;
	/* Filled by order_get / order_by_checkout / order_create; lists leave
	 * them empty. */
	order_item    *items;    size_t nitems;
	order_history *history;  size_t nhistory;
} order;

/* Emits order.created.  Validation problems are E_VALIDATION with one
 * field per bad value ("items.2.quantity").  A second create for the
 * same checkout_id (even concurrently) returns the first order, E_OK. */
ecode order_create(arena *a, const order_input *in, order *out, error *e);
/* By UUID or by number ("EC-2026-000123"); E_NOT_FOUND otherwise. */
ecode order_get(arena *a, const char *id_or_number, order *out, error *e);
ecode order_by_checkout(arena *a, const char *checkout_id, order *out, error *e);
/* Guests' orders with this e-mail (case-insensitive) become the user's;
 * call only once the user has proven the address (a verified e-mail). */
ecode order_claim_for_user(arena *a, const char *user_id, const char *email,
    int64_t *claimed, error *e);
/* The same for a user id: claims with the account's address only when
 * it is verified (else *claimed 0, E_OK); user_id NULL is a no-op.  For
 * the verify-e-mail handlers and the order history page. */
ecode order_claim_verified(arena *a, const char *user_id, int64_t *claimed, error *e);

/* ------------------------------------------------------------ who asks */

typedef struct order_actor {
	const char *user_id;	/* UUID, or NULL for the system */
	role        role;
	const char *request_id;	/* correlation id for events; may be NULL */
	const char *name;	/* history "actor": "admin", "customer", "system" */
} order_actor;

order_actor order_actor_of(const request *req);

/* ------------------------------------------------------------ lists */

typedef struct order_filter {
	const char *user_id;	/* NULL: everyone's (admins) */
	const char *status;	/* NULL or a status name */
	const char *email;	/* substring, case-insensitive; NULL = any */
	const char *number;	/* exact number or its prefix; NULL = any */
	int64_t     from, to;	/* created_at in [from, to); 0 = open */
} order_filter;

typedef struct order_page {
	order  *items;
	size_t  n;
	int64_t total;
	page    pg;
} order_page;

/* Newest first.  Bad filter values are E_INVALID_PARAMETER. */
ecode order_list(arena *a, const order_filter *f, const page *pg, order_page *out, error *e);

/* ------------------------------------------------------------ changes */

typedef struct order_change_result {
	bool        stock_returned;	/* this call gave stock back */
	bool        refunded;		/* this call moved money back */
	const char *warning;		/* a side effect that needs an admin, or NULL */
} order_change_result;

/*
 * Move the order to `to` if the state machine allows it from its current
 * status (E_CONFLICT naming the allowed statuses otherwise, and also when
 * a concurrent change won).  Canceling gives the stock back and refunds
 * the payment; refunding (delivered -> refunded) refunds what is left and
 * gives the stock back when `restock`.  reason may be NULL.
 */
ecode order_transition(arena *a, const order_actor *who, const char *id, order_status to,
    const char *reason, bool restock, order *out, order_change_result *res, error *e);

/* A customer's cancel: only their own order (E_NOT_FOUND otherwise) and
 * only before shipping (E_CONFLICT).  Admins use order_transition. */
/* Janitor: finish the stock and refund steps of cancels and refunds that
 * failed or were cut short (lib/order/compensate.c); *done counts the
 * orders settled. */
ecode order_compensations_retry(arena *a, int64_t *done, error *e);
ecode order_cancel_by_owner(arena *a, const order_actor *who, const char *id,
    const char *reason, order *out, order_change_result *res, error *e);

/* A partial or full refund of the order's payment without a status
 * change (the final refund of a delivered order uses order_transition).
 * idempotency_key (1..128 characters) makes a resubmitted form harmless. */
ecode order_refund(arena *a, const order_actor *who, const char *id, int64_t amount,
    const char *reason, const char *idempotency_key, error *e);

/* Internal notes (admins).  body 1..ORDER_NOTE_MAX characters. */
ecode order_note_add(arena *a, const order_actor *who, const char *author,
    const char *id, const char *body, error *e);
ecode order_notes(arena *a, const char *id, order_note **out, size_t *n, error *e);

/* ------------------------------------------------------------ guest links */

/* The token that lets the guest who placed an order see it:
 * hex(HMAC(server key, "order:" id)), 64 characters. NULL if out of memory. */
const char *order_guest_token(arena *a, const char *order_id);
bool order_guest_token_ok(arena *a, const char *order_id, const char *token);

/* ------------------------------------------------------------ dashboard */

#define ORDER_STATS_DAYS_MAX 366
#define ORDER_STATS_TOP_MAX  50

typedef struct order_stats_day {
	const char *day;	/* "2026-11-24", UTC */
	int64_t     orders;	/* placed that day */
	int64_t     revenue;	/* totals of those paid and not given back */
} order_stats_day;

typedef struct order_stats_product {
	const char *product_id, *name;	/* name as last sold */
	int64_t     quantity, revenue;
} order_stats_product;

typedef struct order_stats {
	const char          *currency;	/* only this currency is summed */
	order_stats_day     *days;	/* oldest first, one per day, today last */
	size_t               ndays;
	int64_t              by_status[ORDER__NSTATUS];	/* every order, by status now */
	order_stats_product *top;	/* best sellers of the period by quantity */
	size_t               ntop;
} order_stats;

/* The last `days` days and the `top` best-selling products (stats.c says
 * what counts as revenue). */
ecode order_stats_get(arena *a, int days, int top, order_stats *out, error *e);

/* ------------------------------------------------------------ JSON */

/* The order with items, address and history (whatever is filled). */
json_object *order_to_json(const order *o);
json_object *order_note_to_json(const order_note *n);

#endif
