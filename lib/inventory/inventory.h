/*
 * inventory.h — the inventory domain: warehouses, stock per (variant,
 * warehouse), reservations for checkouts, the movement log and low-stock
 * alerts.  The only header other code includes.
 *
 * Every function takes the request arena (everything it returns lives
 * there until the arena is reset), an `error` to fill on failure, and
 * returns E_OK or the error's code.  Writes run in one transaction on the
 * inventory connection (db_for("inventory")), log a movement for every
 * stock row they change, and write inventory.updated / reserved / released
 * / low_stock events to inventory.outbox in that same transaction.
 *
 * No oversell: every change of `reserved` or `on_hand` is a single UPDATE
 * guarded by the invariant (0 <= reserved <= on_hand), run on rows locked
 * in (variant, warehouse) order, so concurrent reservations serialise per
 * row and never deadlock; the table's CHECK constraint backs it up.
 *
 * available = on_hand - reserved, summed over active warehouses.  A row
 * is "low" when its available is at or below its low_stock_threshold;
 * inventory.low_stock is emitted once when a row becomes low, and again
 * only after it has been above the threshold in between.
 */
#ifndef ECOM_INVENTORY_H
#define ECOM_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"

/* ------------------------------------------------------------ bounds */

#define INV_ITEMS_MAX		100	/* lines per check or reservation */
#define INV_QUANTITY_MAX	1000000000LL	/* units in one row or line */
#define INV_TTL_DEFAULT		900	/* seconds a reservation holds stock */
#define INV_TTL_MAX		86400
#define INV_KEY_MAX		128	/* characters of a reservation key */
#define INV_REFERENCE_MAX	200
#define INV_WAREHOUSE_NAME_MAX	200
#define INV_WAREHOUSE_ADDR_MAX	500
#define INV_WAREHOUSE_CODE_MAX	32
#define INV_WAREHOUSES_MAX	200	/* rows the warehouse list returns */
#define INV_EXPIRED_BATCH	500	/* reservations one janitor run releases at most */

/* ------------------------------------------------------------ the contract (issue 4) */

typedef struct inv_item {
	const char *product_id, *variant_id;
	int64_t     quantity;
} inv_item;

typedef struct inv_availability {
	const char *product_id, *variant_id;
	int64_t     available;
	bool        in_stock;	/* tracked and available >= max(quantity, 1) */
	bool        tracked;
} inv_availability;

/* Batch read for cart and product pages: available = sum over active
 * warehouses of on_hand - reserved (never < 0); tracked=false when the
 * variant has no stock rows at all (then in_stock=false, available=0).
 * out has n entries in the order of items.  One query.  An item whose ids
 * are not UUIDs is simply untracked. */
ecode inventory_availability(arena *a, const inv_item *items, size_t n,
    inv_availability *out, error *e);

/* The same for display only (product pages): answers from a per-process
 * copy at most INV_DISPLAY_TTL_S old when every item is in it (cache.c).
 * Never use it to decide whether stock can be taken. */
#define INV_DISPLAY_TTL_S 5
ecode inventory_availability_display(arena *a, const inv_item *items, size_t n,
    inv_availability *out, error *e);

/* All-or-nothing reservation for a checkout (key = checkout id,
 * idempotent: the same key returns the existing reservation while it is
 * active or confirmed; a released one is E_GONE).  Allocates across active
 * warehouses by priority.  Not enough stock -> E_CONFLICT with a field per
 * short item ("items.N": "only 3 left").  ttl_s 0 = INV_TTL_DEFAULT. */
ecode inventory_reserve(arena *a, const char *key, const inv_item *items, size_t n,
    int64_t ttl_s, const char **reservation_id, error *e);
/* Stock leaves: on_hand and reserved both drop.  Idempotent for the same
 * order; another order is E_CONFLICT; a released reservation E_GONE. */
ecode inventory_confirm(arena *a, const char *reservation_id, const char *order_id, error *e);
/* Idempotent: releasing a released reservation is E_OK; a confirmed one
 * is E_CONFLICT (the stock left with the order; return it instead). */
ecode inventory_release(arena *a, const char *reservation_id, const char *reason, error *e);
/* The janitor: release every active reservation past its expiry (at most
 * INV_EXPIRED_BATCH per call); *released counts them. */
ecode inventory_release_expired(arena *a, int64_t *released, error *e);

/* ------------------------------------------------------------ who asks */

typedef struct inv_actor {
	const char *user_id;	/* UUID, or NULL for the system */
	role        role;
	const char *request_id;	/* correlation id for events; may be NULL */
	const char *name;	/* movement log "actor": "admin", "checkout", "janitor" */
} inv_actor;

/* The actor of a request (principal, request id; name from the role). */
inv_actor inv_actor_of(const request *req);

/* The same as the contract functions above, recording who asked. */
ecode inventory_reserve_by(arena *a, const inv_actor *who, const char *key,
    const inv_item *items, size_t n, int64_t ttl_s, const char **reservation_id, error *e);
ecode inventory_confirm_by(arena *a, const inv_actor *who, const char *reservation_id,
    const char *order_id, error *e);
ecode inventory_release_by(arena *a, const inv_actor *who, const char *reservation_id,
    const char *reason, error *e);

/* ------------------------------------------------------------ warehouses */

typedef struct warehouse {
	const char *id;
	const char *code;	/* "BER-1": upper-case letters, digits, '-', '_' */
	const char *name;
	const char *address;	/* "" when none */
	int32_t     priority;	/* lower ships first */
	bool        is_active;
	int64_t     created_at;
	int64_t     updated_at;
} warehouse;

enum { WI_CODE = 1u << 0, WI_NAME = 1u << 1, WI_ADDRESS = 1u << 2,
	WI_PRIORITY = 1u << 3, WI_ACTIVE = 1u << 4 };

typedef struct warehouse_input {
	unsigned    has;	/* WI_* of the fields present */
	const char *code, *name, *address;
	int32_t     priority;
	bool        is_active;
} warehouse_input;

/* From a JSON body; create requires code and name.  Every bad field is
 * reported together (E_VALIDATION). */
ecode warehouse_input_from_json(json_object *o, bool create, warehouse_input *in, error *e);
/* By priority, then code; at most INV_WAREHOUSES_MAX. */
ecode warehouse_list(arena *a, warehouse **out, size_t *n, error *e);
ecode warehouse_get(arena *a, const char *id, warehouse *out, error *e);
/* A duplicate code is E_ALREADY_EXISTS on "code". */
ecode warehouse_create(arena *a, const inv_actor *who, const warehouse_input *in,
    warehouse *out, error *e);
ecode warehouse_update(arena *a, const inv_actor *who, const char *id,
    const warehouse_input *in, warehouse *out, error *e);
json_object *warehouse_to_json(const warehouse *w);

/* ------------------------------------------------------------ stock */

typedef struct stock_row {
	const char *product_id;
	const char *variant_id;
	const char *warehouse_id;
	const char *warehouse_code;
	const char *warehouse_name;
	int32_t     priority;
	bool        warehouse_active;
	int64_t     on_hand;
	int64_t     reserved;
	int64_t     available;	/* on_hand - reserved */
	int64_t     low_stock_threshold;
	bool        is_low;	/* available <= low_stock_threshold */
	int64_t     updated_at;
} stock_row;

/* A variant's stock: its rows by warehouse priority and the totals over
 * active warehouses.  E_NOT_FOUND when the variant has no stock rows. */
typedef struct variant_stock {
	const char *product_id;
	const char *variant_id;
	stock_row  *rows;
	size_t      nrows;
	int64_t     on_hand, reserved, available;
} variant_stock;

ecode stock_get(arena *a, const char *product_id, const char *variant_id,
    variant_stock *out, error *e);

/*
 * Set a row's on-hand quantity and/or threshold (POST /inventory): creates
 * the row if needed (*created then true).  warehouse_id NULL = the active
 * warehouse with the best priority.  quantity < 0 leaves on_hand as it is
 * (0 on a new row); threshold < 0 likewise (5 on a new row).  on_hand may
 * not drop below what is reserved (E_CONFLICT).  The variant must exist in
 * the catalog (E_VALIDATION on variant_id otherwise).
 */
ecode stock_set(arena *a, const inv_actor *who, const char *product_id,
    const char *variant_id, const char *warehouse_id, int64_t quantity,
    int64_t threshold, stock_row *out, bool *created, error *e);

typedef enum stock_reason {
	REASON_ORDER = 0,	/* on_hand -= units sold outside a reservation */
	REASON_RETURN,		/* on_hand += units that came back */
	REASON_ADJUSTMENT,	/* on_hand corrected after a count */
	REASON_RESERVATION	/* reserved changes: a manual hold or its release */
} stock_reason;

/* "order" / "return" / "adjustment" / "reservation" -> 0, else -1. */
int stock_reason_parse(const char *s, stock_reason *out);

/*
 * Apply delta (non-zero) to one row (PUT /inventory/...): to on_hand, or
 * for REASON_RESERVATION to reserved.  warehouse_id NULL = the variant's
 * row in the best-priority active warehouse.  A change that would make
 * stock negative or reserve more than on hand is E_CONFLICT and changes
 * nothing.  reference (may be NULL) goes into the movement log.
 */
ecode stock_adjust(arena *a, const inv_actor *who, const char *product_id,
    const char *variant_id, const char *warehouse_id, int64_t delta,
    stock_reason reason, const char *reference, stock_row *out, error *e);

/* Rows at or below their threshold in active warehouses, lowest first. */
typedef struct stock_page {
	stock_row *items;
	size_t     n;
	int64_t    total;
	page       pg;
} stock_page;

ecode stock_low_list(arena *a, const page *pg, stock_page *out, error *e);

typedef struct movement {
	const char *id;
	const char *product_id, *variant_id, *warehouse_id;
	int64_t     delta_on_hand, delta_reserved;
	int64_t     on_hand_after, reserved_after;
	const char *reason;
	const char *reference;	/* NULL when none */
	const char *actor_id;	/* NULL for the system */
	const char *actor;
	int64_t     created_at;
} movement;

typedef struct movement_page {
	movement *items;
	size_t    n;
	int64_t   total;
	page      pg;
} movement_page;

/* A variant's movements, newest first. */
ecode movement_list(arena *a, const char *variant_id, const page *pg,
    movement_page *out, error *e);

/* ------------------------------------------------------------ reservations (read) */

typedef struct reservation_line {
	const char *product_id, *variant_id, *warehouse_id;
	int64_t     quantity;
} reservation_line;

typedef struct reservation {
	const char       *id;
	const char       *key;
	const char       *status;	/* "active" / "confirmed" / "released" */
	const char       *order_id;	/* NULL unless confirmed */
	const char       *release_reason;	/* NULL unless released */
	int64_t           expires_at;
	int64_t           created_at;
	reservation_line *lines;
	size_t            nlines;
} reservation;

ecode reservation_get(arena *a, const char *id, reservation *out, error *e);

/* ------------------------------------------------------------ JSON */

json_object *stock_row_to_json(const stock_row *r);
json_object *variant_stock_to_json(const variant_stock *s);
json_object *movement_to_json(const movement *m);
json_object *reservation_to_json(const reservation *r);

/*
 * items[{product_id, variant_id, quantity}] of a JSON body into an array
 * from the arena: 1..INV_ITEMS_MAX entries, UUIDs, quantity 1..qmax
 * (field errors "items.N.quantity" ...).  quantity_required false lets a
 * missing quantity default to 1.
 */
ecode inv_items_from_json(arena *a, json_object *o, bool quantity_required,
    inv_item **out, size_t *n, error *e);

#endif
