/*
 * webhook.c — provider callbacks.
 *
 * Providers deliver at least once and in no particular order.  Each event
 * id is recorded once (payments.webhook_events); a repeat is acknowledged
 * and ignored.  An event carries the authorization's state and version
 * after the change it reports, and the status change only applies when
 * that version is newer than the one the payment knows, so any order of
 * deliveries ends in the state of the newest event.  Refund states are
 * taken from our own refunds (the sum we enforce), not from the provider.
 */
#include <string.h>

#include "payment/internal.h"

typedef struct hook {
	const char *provider;
	const provider_event *ev;
	bool        duplicate;
} hook;

static const char *
status_of(const provider_event *ev, const pay_row *row)
{
	if (strcmp(ev->status, "authorized") == 0)
		return "authorized";
	if (strcmp(ev->status, "captured") == 0)
		return "captured";
	if (strcmp(ev->status, "declined") == 0)
		return "failed";
	if (strcmp(ev->status, "voided") == 0)
		return "voided";
	if (strcmp(ev->status, "refunded") == 0 || strcmp(ev->status, "partially_refunded") == 0)
		return row->p.refunded_amount == 0 ? "captured" :
		    row->p.refunded_amount < row->p.amount ? "partially_refunded" : "refunded";
	return NULL;
}

static ecode
hook_tx(db_conn *c, arena *a, void *ud, error *e)
{
	hook *h = ud;
	pay_row row, after;
	bool fresh, changed, failed;
	const char *status, *event = NULL;
	ecode rc = pay_store_by_ref(c, a, h->provider, h->ev->ref, h->ev->idempotency_key, &row, e);

	if (rc != E_OK && rc != E_NOT_FOUND)
		return rc;
	if (rc == E_NOT_FOUND)
		err_clear(e);
	if (pay_store_webhook_seen(c, a, h->provider, h->ev->id, h->ev->type,
	    rc == E_OK ? row.p.id : NULL, &fresh, e) != E_OK)
		return e->code;
	h->duplicate = !fresh;
	if (!fresh || rc != E_OK || !(status = status_of(h->ev, &row)))
		return E_OK;	/* seen, or not ours: acknowledged so it is not resent */
	if (pay_store_get(c, a, row.p.id, true, &row, e) != E_OK)
		return e->code;
	/* news of an earlier attempt (a declined card tried again since) must
	 * not touch the new one: versions only order one attempt's events */
	if (!row.idempotency_key || strcmp(row.idempotency_key, h->ev->idempotency_key) != 0)
		return E_OK;
	status = status_of(h->ev, &row);
	failed = strcmp(status, "failed") == 0;
	if (pay_store_set_status(c, a, row.p.id,
	    "{pending,authorized,captured,partially_refunded,refunded,failed,voided}", status,
	    h->ev->ref, h->ev->version,
	    failed ? (h->ev->decline_code ? h->ev->decline_code : "card_declined") : NULL,
	    failed ? pay_decline_message(h->ev->decline_code, h->ev->message) : NULL,
	    &changed, &after, e) != E_OK)
		return e->code;
	if (!changed || strcmp(row.p.status, after.p.status) == 0)
		return E_OK;
	if (strcmp(after.p.status, "captured") == 0 && (strcmp(row.p.status, "pending") == 0 ||
	    strcmp(row.p.status, "authorized") == 0))
		event = "payment.succeeded";
	else if (strcmp(after.p.status, "failed") == 0)
		event = "payment.failed";
	return event ? pay_emit(c, a, event, &after, e) : E_OK;
}

ecode
payment_webhook(arena *a, const char *provider, const char *signature, const char *body,
    size_t len, bool *duplicate, error *e)
{
	const payment_provider *pv = payment_provider_by_name(provider);
	provider_event ev;
	hook h = { provider, &ev, false };
	db_conn *c;

	*duplicate = false;
	if (!pv)
		return err_set(e, E_NOT_FOUND, "unknown payment provider");
	if (pv->parse_webhook(a, signature, body, len, &ev, e) != E_OK)
		return e->code;
	if (!(c = pay_db(e)) || db_tx(c, a, hook_tx, &h, e) != E_OK)
		return e->code;
	*duplicate = h.duplicate;
	return E_OK;
}
