/*
 * internal.h — shared between the files of lib/payment only.
 *
 * store.c holds every SQL statement of the payments schema; service.c the
 * charge / refund / reconcile rules; webhook.c provider callbacks.
 * Strings returned by the store point into PGresults released at arena
 * reset.
 */
#ifndef ECOM_PAYMENT_INTERNAL_H
#define ECOM_PAYMENT_INTERNAL_H

#include <stdint.h>

#include "core/db.h"
#include "payment/payment.h"
#include "payment/provider.h"

#define PAYMENT_DOMAIN "payments"

typedef struct pay_row {
	payment p;
	const char *idempotency_key;
	int64_t     attempt, provider_version;
} pay_row;

db_conn *pay_db(error *e);
/* The customer's message for a processor's decline code. */
const char *pay_decline_message(const char *code, const char *fallback);
/* Write payment.<type> into payments.outbox (with the payment as data). */
ecode pay_emit(db_conn *c, arena *a, const char *type, const pay_row *r, error *e);
/* The same with the actor who caused it (NULL: the system). */
ecode pay_emit_by(db_conn *c, arena *a, const payment_actor *who, const char *type,
    const pay_row *r, error *e);

/* ------------------------------------------------------------ store.c */

/* INSERT the intent; *inserted false when the checkout already has a payment. */
ecode pay_store_insert(db_conn *c, arena *a, const char *id, const char *checkout_id,
    const char *user_id, int64_t amount, const char *currency, const char *method,
    const char *provider, const char *brand, const char *last4, bool *inserted, error *e);
/* By id or by checkout id; lock = FOR UPDATE.  E_NOT_FOUND when none. */
ecode pay_store_get(db_conn *c, arena *a, const char *id, bool lock, pay_row *out, error *e);
ecode pay_store_by_checkout(db_conn *c, arena *a, const char *checkout_id, bool lock,
    pay_row *out, error *e);
ecode pay_store_by_ref(db_conn *c, arena *a, const char *provider, const char *ref,
    const char *key, pay_row *out, error *e);
/* A failed payment tried again: new attempt, new key, pending. *done false if not failed. */
ecode pay_store_retry(db_conn *c, arena *a, const char *id, const char *brand,
    const char *last4, pay_row *out, bool *done, error *e);
/*
 * Move a payment to status (with ref/version/failure when not NULL/0),
 * only from one of the statuses in `from` (a text[] literal) and only if
 * version is newer than the one stored (0 = do not compare).  *changed
 * tells whether a row moved; out gets the row after.
 */
ecode pay_store_set_status(db_conn *c, arena *a, const char *id, const char *from,
    const char *status, const char *ref, int64_t version, const char *failure_code,
    const char *failure_message, bool *changed, pay_row *out, error *e);
ecode pay_store_attach(db_conn *c, arena *a, const char *id, const char *order_id, error *e);
ecode pay_store_list_order(db_conn *c, arena *a, const char *order_id, payment **out,
    size_t *n, error *e);
ecode pay_store_list_user(db_conn *c, arena *a, const char *user_id, int64_t limit,
    int64_t offset, payment **out, size_t *n, int64_t *total, error *e);
/* Card payments pending longer than min_age_ms, oldest first. */
ecode pay_store_stale(db_conn *c, arena *a, int64_t min_age_ms, int limit,
    const char ***ids, size_t *n, error *e);

/* The guarded refund: raises refunded_amount and inserts the refund in one
 * statement; *accepted false when the payment cannot take that much. */
ecode pay_store_refund_reserve(db_conn *c, arena *a, const char *refund_id,
    const char *payment_id, int64_t amount, const char *reason, const char *key,
    const char *actor_id, const char *actor_role, bool *accepted, error *e);
/* A 'failed' refund taken up again (pending, amount reserved again);
 * *accepted false when it is no longer failed or the capture cannot take it. */
ecode pay_store_refund_again(db_conn *c, arena *a, const char *refund_id,
    const char *payment_id, int64_t amount, bool *accepted, error *e);
/* Existing refund by key: id, amount, status; *found. */
ecode pay_store_refund_by_key(db_conn *c, arena *a, const char *payment_id, const char *key,
    const char **id, int64_t *amount, const char **status, bool *found, error *e);
/* Finish a pending refund: succeeded (with ref) or failed (amount given back). */
ecode pay_store_refund_finish(db_conn *c, arena *a, const char *refund_id, bool ok,
    const char *ref, error *e);
/* captured / partially_refunded / refunded from the refund sum. */
ecode pay_store_refund_status(db_conn *c, arena *a, const char *payment_id, pay_row *out,
    error *e);

/* Refunds left pending (provider timeout, crash) older than min_age_ms:
 * refund id, payment id, amount and the payment's provider and ref. */
typedef struct stale_refund {
	const char *id, *payment_id, *provider, *provider_ref;
	int64_t     amount;
	const char *actor_id, *actor_role;	/* who asked; NULL: the system */
} stale_refund;
ecode pay_store_refunds_stale(db_conn *c, arena *a, int64_t min_age_ms, int limit,
    stale_refund **out, size_t *n, error *e);

/* INSERT the event id; *fresh false when it was seen before. */
ecode pay_store_webhook_seen(db_conn *c, arena *a, const char *provider, const char *event_id,
    const char *type, const char *payment_id, bool *fresh, error *e);

db_stmt *pay_store_outbox_stmt(void);

#endif
