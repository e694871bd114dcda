/*
 * service.c — the payment rules: the intent before the provider call, the
 * outcome of a charge, refunds, compensation for the checkout saga and the
 * janitor's reconciliation.
 *
 * No database transaction is held across a provider call: the intent row
 * commits first, the call runs, and the outcome is written by a guarded
 * status change (pay_store_set_status) together with its event.  Whatever
 * dies in between leaves a 'pending' row that payment_reconcile() settles
 * by asking the provider what it did under the idempotency key.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/json.h"
#include "core/outbox.h"
#include "core/parse.h"
#include "core/util.h"
#include "payment/internal.h"

#define FROM_OPEN "{pending,authorized}"

db_conn *
pay_db(error *e)
{
	return db_for(PAYMENT_DOMAIN, e);
}

json_object *
payment_to_json(const payment *p)
{
	json_object *o = json_object_new_object();
	char t[21];

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(p->id));
	json_object_object_add(o, "checkout_id", json_object_new_string(p->checkout_id));
	json_object_object_add(o, "order_id", json_str_or_null(p->order_id));
	json_object_object_add(o, "user_id", json_str_or_null(p->user_id));
	json_object_object_add(o, "amount", json_object_new_int64(p->amount));
	json_object_object_add(o, "refunded_amount", json_object_new_int64(p->refunded_amount));
	json_object_object_add(o, "currency", json_object_new_string(p->currency));
	json_object_object_add(o, "method", json_object_new_string(p->method));
	json_object_object_add(o, "status", json_object_new_string(p->status));
	json_object_object_add(o, "provider", json_str_or_null(p->provider));
	json_object_object_add(o, "provider_ref", json_str_or_null(p->provider_ref));
	json_object_object_add(o, "card_brand", json_str_or_null(p->card_brand));
	json_object_object_add(o, "card_last4", json_str_or_null(p->card_last4));
	json_object_object_add(o, "failure_code", json_str_or_null(p->failure_code));
	json_object_object_add(o, "failure_message", json_str_or_null(p->failure_message));
	time_rfc3339(p->created_at, t);
	json_object_object_add(o, "created_at", json_object_new_string(t));
	time_rfc3339(p->updated_at, t);
	json_object_object_add(o, "updated_at", json_object_new_string(t));
	return o;
}

ecode
pay_emit(db_conn *c, arena *a, const char *type, const pay_row *r, error *e)
{
	return pay_emit_by(c, a, NULL, type, r, e);
}

ecode
pay_emit_by(db_conn *c, arena *a, const payment_actor *who, const char *type,
    const pay_row *r, error *e)
{
	event_origin o = { "payments", who ? who->request_id : NULL,
	    who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC };
	json_object *d = payment_to_json(&r->p);

	if (!d)
		return err_set(e, E_INTERNAL, "out of memory");
	return outbox_emit(c, a, pay_store_outbox_stmt(), &o, type, "payment", r->p.id, d, e);
}

/* ------------------------------------------------------------ status moves */

typedef struct move {
	const char *id, *from, *status, *ref, *code, *message, *event;
	int64_t     version;
	bool        changed;
	pay_row     out;
} move;

static ecode
move_tx(db_conn *c, arena *a, void *ud, error *e)
{
	move *m = ud;

	if (pay_store_set_status(c, a, m->id, m->from, m->status, m->ref, m->version, m->code,
	    m->message, &m->changed, &m->out, e) != E_OK)
		return e->code;
	if (m->changed && m->event)
		return pay_emit(c, a, m->event, &m->out, e);
	return E_OK;
}

/* Status change and its event in one transaction. */
static ecode
move_to(db_conn *c, arena *a, move *m, error *e)
{
	return db_tx(c, a, move_tx, m, e);
}

/* Our words for a processor's decline code (the same for an answer and a
 * webhook, so the customer reads one message whichever came first). */
const char *
pay_decline_message(const char *code, const char *fallback)
{
	static const struct { const char *code, *msg; } msgs[] = {
		{ "card_declined", "the card was declined" },
		{ "insufficient_funds", "insufficient funds" },
		{ "processing_error", "a processing error occurred; try again later" },
		{ "incorrect_number", "the card number is incorrect" },
		{ "expired_card", "the card has expired" },
		{ "incorrect_cvc", "the card's security code is incorrect" },
	};

	for (size_t i = 0; code && i < sizeof msgs / sizeof msgs[0]; i++)
		if (strcmp(code, msgs[i].code) == 0)
			return msgs[i].msg;
	return fallback ? fallback : "the card was declined";
}

/*
 * Bring a pending (or authorized) card payment to what the provider says:
 * declined -> failed (E_PAYMENT_FAILED), authorized -> capture -> captured,
 * already captured -> captured, voided -> voided.  *changed tells whether
 * this call moved the row.
 */
static ecode
settle(db_conn *c, arena *a, pay_row *row, const provider_result *r, bool *changed, error *e)
{
	const payment_provider *pv = payment_provider_by_name(row->p.provider);
	provider_result cap;
	move m = { .id = row->p.id, .from = FROM_OPEN, .ref = r->ref };
	ecode rc = E_OK;

	if (!pv)
		return err_set(e, E_INTERNAL, "unknown payment provider");
	if (strcmp(r->status, "declined") == 0) {
		m.status = "failed";
		m.code = r->decline_code ? r->decline_code : "card_declined";
		m.message = pay_decline_message(r->decline_code, r->message);
		m.event = "payment.failed";
		m.version = r->version;
	} else if (strcmp(r->status, "authorized") == 0) {
		if (pv->capture(a, r->ref, row->p.amount, &cap, e) != E_OK)
			return e->code;
		if (strcmp(cap.status, "captured") != 0)
			return err_set(e, E_UNAVAILABLE, "the payment provider did not capture the payment");
		m.status = "captured";
		m.event = "payment.succeeded";
		m.version = cap.version;
	} else if (strcmp(r->status, "voided") == 0) {
		m.status = "voided";
		m.version = r->version;
	} else {
		/* captured, or refunded since: the money was taken */
		m.status = "captured";
		m.event = "payment.succeeded";
	}
	if (move_to(c, a, &m, e) != E_OK)
		return e->code;
	*changed = m.changed;
	*row = m.out;
	if (strcmp(row->p.status, "failed") == 0)
		rc = err_set(e, E_PAYMENT_FAILED, "%s", row->p.failure_message ?
		    row->p.failure_message : "the payment failed");
	return rc;
}

/* ------------------------------------------------------------ charge */

static bool
digits_only(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The card number without spaces or dashes, or NULL if it is not 12..19 digits. */
static char *
card_digits(arena *a, const char *s)
{
	char *d;
	size_t n = 0;

	if (!s || strlen(s) > 32 || !(d = arena_alloc(a, 33)))
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '-')
			continue;
		if (*s < '0' || *s > '9')
			return NULL;
		d[n++] = *s;
	}
	d[n] = '\0';
	return n >= 12 && n <= 19 ? d : NULL;
}

static bool
offline(const char *method)
{
	return strcmp(method, "bank_transfer") == 0 || strcmp(method, "cash_on_delivery") == 0;
}

static ecode
check_charge(const char *checkout_id, const char *user_id, int64_t amount,
    const char *currency, const char *method, const card_input *card, const char *digits,
    error *e)
{
	if (!checkout_id || !*checkout_id || strlen(checkout_id) > 128)
		err_field(e, "checkout_id", "is required (at most 128 characters)");
	if (user_id && !uuid_valid(user_id))
		err_field(e, "user_id", "must be a UUID");
	if (amount <= 0 || amount > 100000000000LL)
		err_field(e, "amount", "must be between 1 and 100000000000 minor units");
	if (!currency || !currency_valid(currency))
		err_field(e, "currency", "must be an ISO 4217 code");
	if (!method || (strcmp(method, "card") != 0 && !offline(method)))
		err_field(e, "payment_method", "must be card, bank_transfer or cash_on_delivery");
	else if (strcmp(method, "card") == 0) {
		int64_t m = 0;
		if (!card)
			err_field(e, "card", "is required for card payments");
		else {
			if (!digits)
				err_field(e, "card.number", "must be 12 to 19 digits");
			if (!digits_only(card->exp_month, 1, 2) ||
			    parse_i64(card->exp_month, 1, 12, &m) != 0)
				err_field(e, "card.exp_month", "must be 1 to 12");
			if (!digits_only(card->exp_year, 2, 4) || strlen(card->exp_year) == 3)
				err_field(e, "card.exp_year", "must be YY or YYYY");
			if (!digits_only(card->cvc, 3, 4))
				err_field(e, "card.cvc", "must be 3 or 4 digits");
		}
	}
	return e->code;
}

static ecode
authorize_and_settle(db_conn *c, arena *a, pay_row *row, const card_input *card,
    const char *digits, error *e)
{
	const payment_provider *pv = payment_provider_by_name(row->p.provider);
	card_input clean = { digits, card->exp_month, card->exp_year, card->cvc };
	provider_result r;
	bool changed;
	ecode rc;

	if (!pv)
		return err_set(e, E_INTERNAL, "unknown payment provider");
	rc = pv->authorize(a, row->idempotency_key, row->p.amount, row->p.currency, &clean, &r, e);
	if (rc == E_UNAVAILABLE || rc == E_INTERNAL)
		return rc;	/* left pending: payment_reconcile asks the provider later */
	if (rc != E_OK) {
		/* the provider refused the request itself: the charge did not happen */
		move m = { .id = row->p.id, .from = FROM_OPEN, .status = "failed",
		    .code = "provider_refused", .message = arena_strdup(a, e->message),
		    .event = "payment.failed" };
		error e2;
		err_clear(&e2);
		if (move_to(c, a, &m, &e2) == E_OK)
			*row = m.out;
		return err_set(e, E_PAYMENT_FAILED, "%s", m.message ? m.message : "payment refused");
	}
	return settle(c, a, row, &r, &changed, e);
}

ecode
payment_charge(arena *a, const char *checkout_id, const char *user_id, int64_t amount,
    const char *currency, const char *method, const card_input *card, payment *out, error *e)
{
	db_conn *c;
	char id[37];
	const char *digits = NULL, *brand = NULL, *last4 = NULL;
	bool card_pay, inserted = false, retried;
	pay_row row;

	card_pay = method && strcmp(method, "card") == 0;
	if (card_pay && card) {
		digits = card_digits(a, card->number);
		if (digits) {
			brand = card_brand_of(digits);
			last4 = digits + strlen(digits) - 4;
		}
	}
	if (check_charge(checkout_id, user_id, amount, currency, method, card, digits, e) != E_OK)
		return e->code;
	if (!(c = pay_db(e)))
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness");
	/* the intent commits before the provider hears of it */
	if (pay_store_insert(c, a, id, checkout_id, user_id, amount, currency, method,
	    card_pay ? payment_provider_default()->name : NULL, brand, last4, &inserted, e) != E_OK ||
	    pay_store_by_checkout(c, a, checkout_id, false, &row, e) != E_OK)
		return e->code;
	if (row.p.amount != amount || strcmp(row.p.currency, currency) != 0 ||
	    strcmp(row.p.method, method) != 0)
		return err_set(e, E_IDEMPOTENCY_MISMATCH,
		    "this checkout was already charged with another amount or method");
	if (!inserted && card_pay && strcmp(row.p.status, "failed") == 0) {
		if (pay_store_retry(c, a, row.p.id, brand, last4, &row, &retried, e) != E_OK)
			return e->code;
	}
	*out = row.p;
	if (!card_pay || strcmp(row.p.status, "pending") != 0) {
		if (strcmp(row.p.status, "failed") == 0)
			return err_set(e, E_PAYMENT_FAILED, "%s", row.p.failure_message ?
			    row.p.failure_message : "the payment failed");
		return E_OK;	/* offline: pending until the money arrives; or already settled */
	}
	if (authorize_and_settle(c, a, &row, card, digits, e) != E_OK) {
		*out = row.p;
		return e->code;
	}
	*out = row.p;
	return E_OK;
}

/* ------------------------------------------------------------ reads */

ecode
payment_get(arena *a, const char *id, payment *out, error *e)
{
	db_conn *c;
	pay_row row;

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "payment not found");
	if (!(c = pay_db(e)) || pay_store_get(c, a, id, false, &row, e) != E_OK)
		return e->code;
	*out = row.p;
	return E_OK;
}

ecode
payment_for_checkout(arena *a, const char *checkout_id, payment *out, error *e)
{
	db_conn *c;
	pay_row row;

	if (!checkout_id || !*checkout_id || strlen(checkout_id) > 128)
		return err_set(e, E_NOT_FOUND, "payment not found");
	if (!(c = pay_db(e)) || pay_store_by_checkout(c, a, checkout_id, false, &row, e) != E_OK)
		return e->code;
	*out = row.p;
	return E_OK;
}

ecode
payment_list_for_order(arena *a, const char *order_id, payment **out, size_t *n, error *e)
{
	db_conn *c;

	if (!order_id || !uuid_valid(order_id))
		return err_set(e, E_NOT_FOUND, "order not found");
	if (!(c = pay_db(e)))
		return e->code;
	return pay_store_list_order(c, a, order_id, out, n, e);
}

ecode
payment_list_for_user(arena *a, const char *user_id, int64_t limit, int64_t offset,
    payment **out, size_t *n, int64_t *total, error *e)
{
	db_conn *c;

	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (!(c = pay_db(e)))
		return e->code;
	return pay_store_list_user(c, a, user_id, limit, offset, out, n, total, e);
}

ecode
payment_attach_order(arena *a, const char *payment_id, const char *order_id, error *e)
{
	db_conn *c;

	if (!payment_id || !uuid_valid(payment_id))
		return err_set(e, E_NOT_FOUND, "payment not found");
	if (!order_id || !uuid_valid(order_id))
		return err_field(e, "order_id", "must be a UUID");
	if (!(c = pay_db(e)))
		return e->code;
	return pay_store_attach(c, a, payment_id, order_id, e);
}

/* ------------------------------------------------------------ refunds */

typedef struct refund_done {
	const char *payment_id, *refund_id, *ref;
	const payment_actor *who;
	pay_row     out;
} refund_done;

static ecode
refund_done_tx(db_conn *c, arena *a, void *ud, error *e)
{
	refund_done *d = ud;

	if (pay_store_refund_finish(c, a, d->refund_id, true, d->ref, e) != E_OK ||
	    pay_store_refund_status(c, a, d->payment_id, &d->out, e) != E_OK)
		return e->code;
	return pay_emit_by(c, a, d->who, "payment.refunded", &d->out, e);
}

static ecode
check_refund(int64_t amount, const char *reason, const char *key, error *e)
{
	if (amount <= 0 || amount > 100000000000LL)
		err_field(e, "amount", "must be a positive amount in minor units");
	if (!reason || strlen(reason) < 3 || strlen(reason) > 500)
		err_field(e, "reason", "must be 3 to 500 characters");
	if (key && (!*key || strlen(key) > 160))
		err_field(e, "idempotency_key", "must be 1 to 160 characters");
	return e->code;
}

ecode
payment_refund(arena *a, const char *payment_id, int64_t amount, const char *reason,
    const char *key, payment *out, error *e)
{
	return payment_refund_by(a, NULL, payment_id, amount, reason, key, out, e);
}

ecode
payment_refund_by(arena *a, const payment_actor *who, const char *payment_id, int64_t amount,
    const char *reason, const char *key, payment *out, error *e)
{
	db_conn *c;
	pay_row row;
	char rid[37];
	const char *old_id, *old_status;
	int64_t old_amount;
	bool found, accepted;
	const payment_provider *pv;
	provider_result r;
	refund_done d;

	if (check_refund(amount, reason, key, e) != E_OK)
		return e->code;
	if (!payment_id || !uuid_valid(payment_id))
		return err_set(e, E_NOT_FOUND, "payment not found");
	if (!(c = pay_db(e)) || pay_store_get(c, a, payment_id, false, &row, e) != E_OK)
		return e->code;
	if (uuid_v4(rid) != 0)
		return err_set(e, E_INTERNAL, "no randomness");
	if (!key)
		key = rid;
	if (pay_store_refund_by_key(c, a, payment_id, key, &old_id, &old_amount, &old_status,
	    &found, e) != E_OK)
		return e->code;
	if (found && old_amount != amount)
		return err_set(e, E_IDEMPOTENCY_MISMATCH,
		    "this idempotency key was used for a refund of another amount");
	if (found && strcmp(old_status, "failed") == 0) {
		/* the provider refused it before: asking again under the same
		 * key tries the same refund again (a cancel's compensation
		 * retried by the janitor), never a second one */
		if (pay_store_refund_again(c, a, old_id, payment_id, amount, &accepted, e) != E_OK)
			return e->code;
		if (!accepted) {
			*out = row.p;
			return err_set(e, E_CONFLICT, "this refund cannot be taken up again now");
		}
		snprintf(rid, sizeof rid, "%s", old_id);
	} else if (found) {
		*out = row.p;
		return strcmp(old_status, "pending") == 0 ?
		    err_set(e, E_CONFLICT, "this refund is still being processed") : E_OK;
	} else if (pay_store_refund_reserve(c, a, rid, payment_id, amount, reason, key,
	    who ? who->user_id : NULL, who && who->user_id ? role_name(who->role) : NULL,
	    &accepted, e) != E_OK) {
		if (e->code == E_ALREADY_EXISTS)
			return err_set(e, E_CONFLICT, "this refund is already being processed");
		if (e->code == E_VALIDATION)
			return err_set(e, E_CONFLICT, "the refunds would exceed the captured amount");
		return e->code;
	}
	if (!accepted) {
		if (pay_store_get(c, a, payment_id, false, &row, e) != E_OK)
			return e->code;
		if (strcmp(row.p.status, "captured") != 0 && strcmp(row.p.status, "partially_refunded") != 0)
			return err_set(e, E_CONFLICT, "only a captured payment can be refunded (it is %s)",
			    row.p.status);
		return err_set(e, E_CONFLICT, "the refund would exceed the captured amount"
		    " (%lld left to refund)", (long long)(row.p.amount - row.p.refunded_amount));
	}
	if (offline(row.p.method) || !(pv = payment_provider_by_name(row.p.provider))) {
		/* money taken outside a provider goes back outside it too */
		memset(&r, 0, sizeof r);
	} else if (pv->refund(a, row.p.provider_ref, amount, rid, &r, e) != E_OK) {
		ecode rc = e->code;
		error e2;
		if (rc == E_UNAVAILABLE)
			return rc;	/* left pending: the same key replays safely */
		err_clear(&e2);
		pay_store_refund_finish(c, a, rid, false, NULL, &e2);
		return rc;
	}
	d.payment_id = payment_id;
	d.refund_id = rid;
	d.who = who;
	d.ref = r.refund_ref;
	if (db_tx(c, a, refund_done_tx, &d, e) != E_OK)
		return e->code;
	*out = d.out.p;
	return E_OK;
}

/* ------------------------------------------------------------ compensation */

ecode
payment_compensate(arena *a, const char *checkout_id, const char *reason, error *e)
{
	db_conn *c;
	pay_row row;
	const payment_provider *pv;
	provider_result r;
	payment p;
	bool changed;
	move m = { .from = "{pending}", .status = "voided", .code = "compensated",
	    .event = "payment.failed" };

	if (!(c = pay_db(e)))
		return e->code;
	if (pay_store_by_checkout(c, a, checkout_id ? checkout_id : "", false, &row, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);
		return E_OK;
	}
	m.id = row.p.id;
	m.message = reason && strlen(reason) <= 200 ? reason : "the checkout was undone";
	if (offline(row.p.method))
		return strcmp(row.p.status, "pending") == 0 ? move_to(c, a, &m, e) : E_OK;
	pv = payment_provider_by_name(row.p.provider);
	if (!pv)
		return err_set(e, E_INTERNAL, "unknown payment provider");
	if (strcmp(row.p.status, "pending") == 0) {
		/* first learn what the provider did with the intent */
		if (pv->lookup(a, row.idempotency_key, &r, e) != E_OK)
			return e->code;
		if (!r.found)
			return move_to(c, a, &m, e);
		if (settle(c, a, &row, &r, &changed, e) != E_OK) {
			if (e->code != E_PAYMENT_FAILED)
				return e->code;
			err_clear(e);
		}
	}
	if (strcmp(row.p.status, "authorized") == 0) {
		if (pv->void_auth(a, row.p.provider_ref, &r, e) != E_OK)
			return e->code;
		m.from = "{authorized}";
		m.version = r.version;
		return move_to(c, a, &m, e);
	}
	if ((strcmp(row.p.status, "captured") == 0 || strcmp(row.p.status, "partially_refunded") == 0) &&
	    row.p.amount > row.p.refunded_amount)
		return payment_refund(a, row.p.id, row.p.amount - row.p.refunded_amount,
		    m.message && strlen(m.message) >= 3 ? m.message : "checkout compensation",
		    "compensation", &p, e);
	return E_OK;
}

/* ------------------------------------------------------------ finish */

ecode
payment_finish(arena *a, const char *checkout_id, payment *out, error *e)
{
	db_conn *c;
	pay_row row;
	const payment_provider *pv;
	provider_result r;
	bool changed = false;

	if (!(c = pay_db(e)) ||
	    pay_store_by_checkout(c, a, checkout_id ? checkout_id : "", false, &row, e) != E_OK)
		return e->code;
	*out = row.p;
	if (offline(row.p.method) || (strcmp(row.p.status, "pending") != 0 &&
	    strcmp(row.p.status, "authorized") != 0))
		return E_OK;
	if (!(pv = payment_provider_by_name(row.p.provider)))
		return err_set(e, E_INTERNAL, "unknown payment provider");
	/* what the provider holds decides; an authorization is captured */
	if (pv->lookup(a, row.idempotency_key, &r, e) != E_OK)
		return e->code;
	if (!r.found)
		return E_OK;	/* pending and never received: payment_reconcile fails it */
	if (settle(c, a, &row, &r, &changed, e) != E_OK) {
		*out = row.p;
		return e->code;
	}
	*out = row.p;
	return E_OK;
}

/* ------------------------------------------------------------ reconcile */

/* Refunds whose provider call got no answer: the same key (the refund id)
 * replays safely, so asking again either finds or makes the one refund. */
static void
reconcile_refunds(db_conn *c, arena *a, int64_t age, int64_t *settled)
{
	stale_refund *list;
	size_t n;
	error e;

	err_clear(&e);
	if (pay_store_refunds_stale(c, a, age, 50, &list, &n, &e) != E_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		const payment_provider *pv = payment_provider_by_name(list[i].provider);
		provider_result r;
		refund_done d = { .payment_id = list[i].payment_id, .refund_id = list[i].id };
		payment_actor who = { list[i].actor_id, ROLE_PUBLIC, NULL };
		ecode rc;

		err_clear(&e);
		/* the event names who asked for the refund, not the janitor */
		if (who.user_id && (!list[i].actor_role ||
		    role_parse(list[i].actor_role, &who.role) != 0))
			who.user_id = NULL;
		d.who = who.user_id ? &who : NULL;
		if (!pv || !list[i].provider_ref)
			continue;
		rc = pv->refund(a, list[i].provider_ref, list[i].amount, list[i].id, &r, &e);
		if (rc == E_UNAVAILABLE || rc == E_INTERNAL)
			continue;	/* the next run asks again */
		if (rc != E_OK) {
			err_clear(&e);
			if (pay_store_refund_finish(c, a, list[i].id, false, NULL, &e) == E_OK)
				(*settled)++;
			continue;
		}
		d.ref = r.refund_ref;
		if (db_tx(c, a, refund_done_tx, &d, &e) == E_OK)
			(*settled)++;
	}
}

ecode
payment_reconcile(arena *a, int64_t *settled, error *e)
{
	db_conn *c;
	const char **ids;
	size_t n;
	int64_t age = 2 * sandbox_timeout_ms() + 1000;

	*settled = 0;
	if (!(c = pay_db(e)) || pay_store_stale(c, a, age, 50, &ids, &n, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < n; i++) {
		pay_row row;
		provider_result r;
		const payment_provider *pv;
		bool changed = false;
		error e1;

		err_clear(&e1);
		if (pay_store_get(c, a, ids[i], false, &row, &e1) != E_OK ||
		    strcmp(row.p.status, "pending") != 0 ||
		    !(pv = payment_provider_by_name(row.p.provider)) ||
		    pv->lookup(a, row.idempotency_key, &r, &e1) != E_OK)
			continue;	/* the next run tries again */
		if (!r.found) {
			move m = { .id = row.p.id, .from = "{pending}", .status = "failed",
			    .code = "provider_no_record",
			    .message = "the payment provider never received the charge",
			    .event = "payment.failed" };
			if (move_to(c, a, &m, &e1) == E_OK && m.changed)
				(*settled)++;
			continue;
		}
		if (settle(c, a, &row, &r, &changed, &e1) == E_OK || e1.code == E_PAYMENT_FAILED)
			*settled += changed;
	}
	reconcile_refunds(c, a, age, settled);
	return E_OK;
}
