/*
 * internal.h — shared between the files of lib/inventory only.
 *
 * store.c holds every SQL statement of the inventory schema and maps rows
 * to the structs of inventory.h; the service files hold the rules
 * (allocation by priority, the reservation life cycle, low-stock crossing,
 * events) and call the store inside transactions.  Strings returned by the
 * store point into PGresults released at arena reset.
 */
#ifndef ECOM_INVENTORY_INTERNAL_H
#define ECOM_INVENTORY_INTERNAL_H

#include <stdint.h>	/* before core/db.h, which uses int64_t without it */

#include "core/db.h"
#include "inventory/inventory.h"

#define INVENTORY_DOMAIN "inventory"

/* A stock row as locked for a change, with its low-stock memory. */
typedef struct locked_row {
	stock_row r;
	bool      alerted;	/* inventory.low_stock already sent for this dip */
} locked_row;

/* ------------------------------------------------------------ service.c */

db_conn *inv_db(error *e);
/* Ensure e carries a code (a callee returned without filling it). */
ecode inv_fail(error *e, ecode code);
/* Map the constraint the last statement on c violated to a field error. */
ecode inv_map_constraint(db_conn *c, error *e);
/* The system actor used by the contract functions. */
extern const inv_actor inv_system;
/* "{a,b,c}" for a uuid[] parameter from the arena; NULL on OOM. */
char *inv_uuid_array(arena *a, const char *const *ids, size_t n);

/*
 * Apply (d_on_hand, d_reserved) to a locked row in one guarded UPDATE, log
 * the movement and emit inventory.low_stock when the row crosses its
 * threshold (and inventory.updated when `updated`), and
 * inventory.back_in_stock when the variant's available over its active
 * warehouses goes from 0 to more.  threshold >= 0 also
 * sets the threshold.  A change the invariant refuses is E_CONFLICT.
 * row is updated in place.
 */
ecode inv_apply(db_conn *c, arena *a, const inv_actor *who, locked_row *row,
    int64_t d_on_hand, int64_t d_reserved, int64_t threshold, const char *reason,
    const char *reference, bool updated, error *e);
/* Write inventory.<type> into inventory.outbox (data consumed). */
ecode inv_emit(db_conn *c, arena *a, const inv_actor *who, const char *type,
    const char *aggregate_type, const char *aggregate_id, json_object *data, error *e);

/* ------------------------------------------------------------ store.c */

ecode inv_store_wh_list(db_conn *c, arena *a, warehouse **out, size_t *n, error *e);
ecode inv_store_wh_get(db_conn *c, arena *a, const char *id, warehouse *out, error *e);
ecode inv_store_wh_insert(db_conn *c, arena *a, const char *id, const warehouse_input *in,
    warehouse *out, error *e);
ecode inv_store_wh_update(db_conn *c, arena *a, const char *id, const warehouse_input *in,
    warehouse *out, error *e);
/* The active warehouse with the best priority; E_NOT_FOUND when none. */
ecode inv_store_wh_default(db_conn *c, arena *a, const char **id, error *e);
/* The variant's row in its best active warehouse; E_NOT_FOUND when none. */
ecode inv_store_stock_default_wh(db_conn *c, arena *a, const char *variant_id,
    const char **id, error *e);

/* Rows of one variant by warehouse priority (no lock). */
ecode inv_store_stock_of(db_conn *c, arena *a, const char *product_id, const char *variant_id,
    stock_row **out, size_t *n, error *e);
/* SELECT ... FOR UPDATE of every row of these variants (uuid[] text), in
 * (variant, warehouse) order so that lockers never deadlock. */
ecode inv_store_stock_lock(db_conn *c, arena *a, const char *variant_array,
    locked_row **out, size_t *n, error *e);
/* Lock one row; *found false when it does not exist. */
ecode inv_store_stock_lock_one(db_conn *c, arena *a, const char *variant_id,
    const char *warehouse_id, locked_row *out, bool *found, error *e);
/* INSERT a zero row if missing; *inserted tells. */
ecode inv_store_stock_insert(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, const char *warehouse_id, bool *inserted, error *e);
/* The guarded UPDATE; *applied false when the invariant refused it. */
ecode inv_store_stock_apply(db_conn *c, arena *a, locked_row *row, int64_t d_on_hand,
    int64_t d_reserved, int64_t threshold, bool *applied, error *e);
ecode inv_store_stock_low(db_conn *c, arena *a, const page *pg, stock_page *out, error *e);
/* available/tracked per item (ids as uuid[] texts), in item order. */
ecode inv_store_availability(db_conn *c, arena *a, const char *product_array,
    const char *variant_array, size_t n, int64_t *available, bool *tracked, error *e);
/* The variant's available summed over its other active warehouses. */
ecode inv_store_others_available(db_conn *c, arena *a, const char *variant_id,
    const char *warehouse_id, int64_t *available, error *e);

ecode inv_store_movement_insert(db_conn *c, arena *a, const inv_actor *who,
    const stock_row *after, int64_t d_on_hand, int64_t d_reserved, const char *reason,
    const char *reference, error *e);
ecode inv_store_movement_list(db_conn *c, arena *a, const char *variant_id, const page *pg,
    movement_page *out, error *e);

/* INSERT ... ON CONFLICT (key) DO NOTHING: *inserted false when the key exists. */
ecode inv_store_res_insert(db_conn *c, arena *a, const char *id, const char *key,
    int64_t ttl_s, bool *inserted, error *e);
/* By key: id and status; E_NOT_FOUND when none. */
ecode inv_store_res_by_key(db_conn *c, arena *a, const char *key, const char **id,
    const char **status, error *e);
/* By id with its lines; lock = FOR UPDATE; *expired: past expires_at. */
ecode inv_store_res_get(db_conn *c, arena *a, const char *id, bool lock, reservation *out,
    bool *expired, error *e);
ecode inv_store_res_line_add(db_conn *c, arena *a, const char *reservation_id,
    const stock_row *row, int64_t quantity, error *e);
ecode inv_store_res_finish(db_conn *c, arena *a, const char *id, const char *status,
    const char *order_id, const char *reason, error *e);
/* Ids of active reservations past expiry, oldest first, at most limit. */
ecode inv_store_res_expired(db_conn *c, arena *a, int limit, const char ***ids, size_t *n,
    error *e);

db_stmt *inv_store_outbox_stmt(void);

#endif
