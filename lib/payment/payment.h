/*
 * payment.h — taking, undoing and refunding money for a checkout
 * (schema `payments`; contract of issue 5).
 *
 * Money is int64 minor units + ISO 4217 currency.  Every function takes the
 * request arena first and the error last and returns an ecode; strings in
 * the structs it fills live in that arena.  Card numbers pass through
 * payment_charge() to the provider and are never stored or logged: the
 * payment keeps the brand and the last four digits.
 */
#ifndef ECOM_PAYMENT_H
#define ECOM_PAYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"

typedef struct card_input {
	const char *number, *exp_month, *exp_year, *cvc;	/* never stored or logged */
} card_input;

typedef struct payment {
	const char *id, *checkout_id, *order_id /* NULL until attached */, *user_id /* NULL for guests */;
	int64_t     amount, refunded_amount;
	const char *currency;
	const char *method;	/* card | bank_transfer | cash_on_delivery */
	const char *status;	/* pending | authorized | captured | failed | voided | refunded | partially_refunded */
	const char *provider, *provider_ref, *card_brand, *card_last4, *failure_code, *failure_message;
	int64_t     created_at, updated_at;
} payment;

/*
 * Take the money for a checkout.  Records the intent row BEFORE calling the
 * provider (idempotency key derived from checkout_id, so a retry never
 * charges twice), then authorizes and captures a card; offline methods
 * (bank_transfer, cash_on_delivery) leave a pending payment and return
 * E_OK.  A decline is E_PAYMENT_FAILED with a clear message and the row
 * 'failed'; a later call for the same checkout after a failure tries again
 * (a new attempt, a new key).  A provider timeout is E_UNAVAILABLE with the
 * row left 'pending' for payment_reconcile().  The same checkout with a
 * different amount or currency is E_IDEMPOTENCY_MISMATCH.
 */
ecode payment_charge(arena *a, const char *checkout_id, const char *user_id, int64_t amount,
    const char *currency, const char *method, const card_input *card, payment *out, error *e);
/* Saga compensation: void an authorization, refund the rest of a capture,
 * or cancel a pending offline payment of this checkout; idempotent; E_OK
 * when there is nothing (left) to undo. */
ecode payment_compensate(arena *a, const char *checkout_id, const char *reason, error *e);
/* The janitor finishing a saga whose step 4 ended uncertain: a card
 * payment still 'pending' or only 'authorized' (a webhook told of the
 * authorization, the capture never ran) is brought to what the provider
 * holds, capturing an authorization.  Other states are returned as they
 * are.  E_NOT_FOUND when the checkout has no payment. */
ecode payment_finish(arena *a, const char *checkout_id, payment *out, error *e);
/* Record the order a payment paid for (once; the same order again is E_OK). */
ecode payment_attach_order(arena *a, const char *payment_id, const char *order_id, error *e);
/* Partial or full refund of a captured payment; the sum of refunds never
 * exceeds the captured amount (enforced in SQL: E_CONFLICT).  The same
 * idempotency_key again returns the payment as it is; with another amount
 * it is E_IDEMPOTENCY_MISMATCH.  actor may be NULL (system). */
ecode payment_refund(arena *a, const char *payment_id, int64_t amount, const char *reason,
    const char *idempotency_key, payment *out, error *e);
/* Who asked for a refund: payment.refunded carries it in its metadata
 * (actor_id, actor_role) and correlation id, so the audit log can show
 * who gave the money back.  payment_refund() is the system's. */
typedef struct payment_actor {
	const char *user_id;	/* NULL for the system */
	role        role;
	const char *request_id;	/* may be NULL */
} payment_actor;
ecode payment_refund_by(arena *a, const payment_actor *who, const char *payment_id,
    int64_t amount, const char *reason, const char *idempotency_key, payment *out, error *e);
ecode payment_get(arena *a, const char *id, payment *out, error *e);
ecode payment_for_checkout(arena *a, const char *checkout_id, payment *out, error *e);	/* E_NOT_FOUND if none */
ecode payment_list_for_order(arena *a, const char *order_id, payment **out, size_t *n, error *e);
/* A user's payments, newest first, at most `limit` from `offset`; *total counts all. */
ecode payment_list_for_user(arena *a, const char *user_id, int64_t limit, int64_t offset,
    payment **out, size_t *n, int64_t *total, error *e);
/* Janitor: card payments left 'pending' by a crash or timeout are settled
 * by asking the provider by idempotency key; *settled counts them. */
ecode payment_reconcile(arena *a, int64_t *settled, error *e);

/*
 * A provider callback: verify the signature over the exact body, then
 * apply the event once per event id (*duplicate true for a repeat) and
 * only if it is newer than what the payment already knows, so deliveries
 * in any number and order end in one state.  A bad signature is
 * E_UNAUTHORIZED; an unknown provider E_NOT_FOUND.
 */
ecode payment_webhook(arena *a, const char *provider, const char *signature, const char *body,
    size_t len, bool *duplicate, error *e);

/* The JSON form of api-v1 (NULL on OOM). */
struct json_object;
struct json_object *payment_to_json(const payment *p);

#endif
