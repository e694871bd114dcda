/*
 * provider.h — what a payment provider must do for lib/payment.
 *
 * A provider is a remote processor reached over the network; every call
 * may time out.  Calls answer E_OK with a filled provider_result whatever
 * the processor decided (a decline is a result, not an error);
 * E_UNAVAILABLE means "no answer": the charge may or may not exist, and
 * only lookup() by idempotency key can tell later.  Strings in results
 * live in the arena.
 */
#ifndef ECOM_PAYMENT_PROVIDER_H
#define ECOM_PAYMENT_PROVIDER_H

#include <stdbool.h>
#include <stdint.h>

#include "payment/payment.h"

typedef struct provider_result {
	bool        found;		/* lookup: the processor knows the key */
	const char *ref;		/* the processor's authorization id */
	const char *status;		/* authorized | declined | captured | voided | partially_refunded | refunded */
	const char *decline_code;	/* card_declined, insufficient_funds, processing_error, ... */
	const char *message;		/* for the customer */
	const char *brand, *last4;
	const char *refund_ref;		/* refund: the processor's refund id */
	int64_t     version;		/* grows with every change of the authorization */
} provider_result;

/* A verified webhook event: the authorization's state after a change. */
typedef struct provider_event {
	const char *id, *type, *ref, *idempotency_key, *status;
	const char *decline_code, *message;	/* a decline's reason, else NULL */
	int64_t     version;
} provider_event;

typedef struct payment_provider {
	const char *name;
	ecode (*authorize)(arena *a, const char *idempotency_key, int64_t amount,
	    const char *currency, const card_input *card, provider_result *out, error *e);
	ecode (*capture)(arena *a, const char *ref, int64_t amount, provider_result *out, error *e);
	ecode (*void_auth)(arena *a, const char *ref, provider_result *out, error *e);
	ecode (*refund)(arena *a, const char *ref, int64_t amount, const char *idempotency_key,
	    provider_result *out, error *e);
	/* out->found false when the processor never saw the key. */
	ecode (*lookup)(arena *a, const char *idempotency_key, provider_result *out, error *e);
	/* E_UNAUTHORIZED unless signature is valid for body; E_INVALID_INPUT for a malformed event. */
	ecode (*parse_webhook)(arena *a, const char *signature, const char *body, size_t len,
	    provider_event *out, error *e);
} payment_provider;

/* The provider by name ("sandbox"), or NULL. */
const payment_provider *payment_provider_by_name(const char *name);
/* The provider for new card payments. */
const payment_provider *payment_provider_default(void);

/*
 * Webhook signing shared by the sandbox processor and its client: the
 * header is "t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
 * The secret is ECOM_PAYMENT_WEBHOOK_SECRET, else derived from the server
 * secret (ECOM_SECRET_FILE).  sandbox_sign returns an arena string or NULL.
 */
const char *sandbox_sign(arena *a, int64_t t, const char *body, size_t len);
bool        sandbox_verify(arena *a, const char *header, const char *body, size_t len,
    int64_t now, int64_t tolerance_s);
/* ECOM_PAYMENT_TIMEOUT_MS: how long a provider call may take (default 3000). */
int64_t     sandbox_timeout_ms(void);
/* Luhn check and brand of a card number of digits (spaces allowed). */
bool        card_luhn_ok(const char *digits);
const char *card_brand_of(const char *digits);

#endif
