/*
 * internal.h — shared inside lib/checkout only: the store (store.c), the
 * JSON snapshots of lines and address (json.c) and the saga (saga.c).
 */
#ifndef ECOM_CHECKOUT_INTERNAL_H
#define ECOM_CHECKOUT_INTERNAL_H

#include "checkout/checkout.h"
#include "core/db.h"

#define CK_DOMAIN "checkout"

/* A checkout row plus what only the module sees. */
typedef struct ck_row {
	checkout    c;
	const char *token_hash;		/* NULL for users */
	const char *reservation_id;
	int64_t     saga_at;
} ck_row;

ecode ck_store_insert(db_conn *c, arena *a, const ck_row *r, error *e);
ecode ck_store_get(db_conn *c, arena *a, const char *id, ck_row *out, error *e);
/* Save the quote (lines, discounts, address, method, totals) of an open checkout. */
ecode ck_store_save_quote(db_conn *c, arena *a, const ck_row *r, error *e);
ecode ck_store_set_payment(db_conn *c, arena *a, const char *id, const char *method,
    const char *brand, const char *last4, error *e);
/* status from -> to; *changed false when the row was not in `from`. */
ecode ck_store_transition(db_conn *c, arena *a, const char *id, const char *from,
    const char *to, const char *fcode, const char *fmsg, bool *changed, error *e);
/* events.c: the insert with checkout.initiated; a saga's end (to
 * 'completed' or 'failed') with checkout.completed / checkout.failed, in
 * one transaction each (no event when the row was not in `from`). */
ecode ck_create_with_event(db_conn *c, arena *a, const ck_row *r, error *e);
ecode ck_end_with_event(db_conn *c, arena *a, const checkout *ck, const char *from,
    const char *to, const char *fcode, const char *fmsg, bool *changed, error *e);
ecode ck_store_set_refs(db_conn *c, arena *a, const char *id, const char *reservation_id,
    const char *payment_id, const char *order_id, const char *order_number, error *e);
ecode ck_store_step(db_conn *c, arena *a, const char *id, const char *step, int seq,
    const char *state, const char *detail, error *e);
/* The state of each step ("" when not logged), by seq 1..6. */
ecode ck_store_steps(db_conn *c, arena *a, const char *id, const char *states[7], error *e);
ecode ck_store_stuck(db_conn *c, arena *a, int64_t stuck_s, const char ***ids, size_t *n,
    error *e);
ecode ck_store_expire_open(db_conn *c, arena *a, int64_t *n, error *e);

ecode ck_idem_insert(db_conn *c, arena *a, const char *key, const char *checkout_id,
    const char *hash, bool *inserted, error *e);
ecode ck_idem_get(db_conn *c, arena *a, const char *key, const char *checkout_id,
    const char **hash, const char **state, int *status, const char **resp, error *e);
ecode ck_idem_finish(db_conn *c, arena *a, const char *key, const char *checkout_id,
    int status, const char *body, error *e);
ecode ck_idem_delete(db_conn *c, arena *a, const char *key, const char *checkout_id, error *e);
ecode ck_idem_purge(db_conn *c, arena *a, int64_t older_s, int64_t *n, error *e);
/* Running claims of sagas that ended (janitor: the client may retry). */
ecode ck_idem_release_stale(db_conn *c, arena *a, int64_t stuck_s, error *e);

/* json.c: snapshots as JSON text and back. */
const char *ck_lines_json(arena *a, const checkout_line *l, size_t n);
const char *ck_codes_json(arena *a, const char *const *codes, size_t n);
const char *ck_address_json(arena *a, const checkout_address *ad);
ecode ck_lines_parse(arena *a, const char *text, checkout_line **out, size_t *n, error *e);
ecode ck_codes_parse(arena *a, const char *text, const char ***out, size_t *n, error *e);
ecode ck_address_parse(arena *a, const char *text, checkout_address *out, error *e);
/* A JSON text parsed into a value released at arena reset. */
json_object *ck_json_parse(arena *a, const char *text);

/* service.c: price the row's lines for its address and method into the row. */
ecode ck_quote(arena *a, ck_row *r, error *e);
/* The checkout if the caller owns it (else E_NOT_FOUND); whether it is
 * still open (E_GONE when expired, E_CONFLICT otherwise). */
ecode ck_load_owned(arena *a, const checkout_caller *who, const char *id, ck_row *r, error *e);
ecode ck_need_open(arena *a, ck_row *r, error *e);
#endif
