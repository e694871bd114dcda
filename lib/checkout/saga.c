/*
 * saga.c — POST /checkout/{id}/process and the janitor's half of it.
 *
 * The saga, each step committed in its own domain and logged in
 * checkout.saga_steps before ('started') and after ('done'/'failed'):
 *
 *   1 validate   the cart still holds exactly the checkout's lines at the
 *                catalog's current prices, all purchasable; the quote is
 *                recomputed server-side and must equal the stored one
 *   2 inventory  inventory_reserve(key = checkout id)
 *   3 campaign   campaign_usage_reserve for the discounts priced in 1
 *   4 payment    payment_charge(checkout id, total)
 *   5 order      order_create(checkout id) from the stored quote
 *   6 confirm    inventory_confirm, campaign_usage_confirm,
 *                payment_attach_order, cart_clear, status 'completed'
 *
 * A failure in 1 changes nothing elsewhere: the checkout goes back to
 * 'open' with the fresh quote (409), so the customer can review it.  A
 * failure in 2..5 compensates, newest first: payment_compensate,
 * campaign_usage_release, inventory_release; the checkout becomes
 * 'failed' and the cart is left alone.  Once the order exists the saga
 * only moves forward.
 *
 * Uncertain outcomes are not guessed: a payment provider timeout or a
 * database that went away in step 5 or 6 leaves the checkout
 * 'processing', and checkout_janitor decides from the other domains'
 * own records (order_by_checkout, payment_for_checkout) once the saga has
 * not moved for ECOM_SAGA_STUCK_S.  Every call it makes is idempotent per
 * checkout id, so finishing or compensating twice is harmless.
 *
 * Fault injection (tests only): with ECOM_ENV=test and ECOM_FAULT_STEP
 * naming a step, the process _exit()s right after that step's domain
 * commit and before its 'done' row: the worst moment for the janitor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "campaign/campaign.h"
#include "cart/cart.h"
#include "checkout/internal.h"
#include "core/config.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "order/order.h"
#include "payment/payment.h"

enum { S_VALIDATE = 1, S_INVENTORY, S_CAMPAIGN, S_PAYMENT, S_ORDER, S_CONFIRM };
static const char *const step_name[7] = { "", "validate", "inventory", "campaign",
	"payment", "order", "confirm" };

#define RESERVE_TTL_S	900


/* ------------------------------------------------------------ the log */

static void
logstep(arena *a, const char *id, int s, const char *state, const char *detail)
{
	error e;
	db_conn *c;

	err_clear(&e);
	if (!(c = db_for(CK_DOMAIN, &e)) ||
	    ck_store_step(c, a, id, step_name[s], s, state, detail, &e) != E_OK)
		log_msg(LOG_ERROR, "checkout %s: saga log %s/%s not written: %s", id,
		    step_name[s], state, e.message);
}

static void
fault_point(int s)
{
	const char *f;

	if (!cfg || strcmp(cfg->env, "test") != 0 || !(f = config_raw("ECOM_FAULT_STEP")))
		return;
	if (strcmp(f, step_name[s]) == 0)
		_exit(70);
}

/* ------------------------------------------------------------ steps */

static cart_ref
cart_of(const checkout *c)
{
	return (cart_ref){ c->cart_user_id, c->cart_guest_id, false, NULL };
}

static bool
same_str(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Step 1: the cart against the checkout, then the quote recomputed. */
static ecode
step_validate(arena *a, ck_row *r, error *e)
{
	checkout *c = &r->c;
	cart_ref ref = cart_of(c);
	int64_t old_total = c->total, old_tax = c->tax, old_ship = c->shipping;
	cart ct;

	if (cart_get(a, &ref, &ct, e) != E_OK)
		return e->code;
	if (ct.nlines != c->nlines || ct.ncodes != c->ncodes)
		return err_set(e, E_CONFLICT, "your cart changed since this checkout was started;"
		    " start a new checkout");
	for (size_t i = 0; i < ct.nlines; i++) {
		const cart_line *l = &ct.lines[i];
		checkout_line *k = NULL;

		for (size_t j = 0; j < c->nlines && !k; j++)
			if (same_str(c->lines[j].product_id, l->product_id) &&
			    same_str(c->lines[j].variant_id, l->variant_id))
				k = &c->lines[j];
		if (!k || k->quantity != l->quantity)
			return err_set(e, E_CONFLICT, "your cart changed since this checkout was"
			    " started; start a new checkout");
		if (!l->purchasable)
			err_field(e, arena_printf(a, "items.%zu", i) ?: "items", "%s",
			    l->issue ? l->issue : "this item cannot be bought now");
		k->unit_price = l->unit_price;
		k->name = l->name;
		k->sku = l->sku;
		k->category_id = l->category_id;
	}
	for (size_t i = 0; i < ct.ncodes; i++)
		if (strcasecmp(ct.codes[i], c->codes[i]) != 0)
			return err_set(e, E_CONFLICT, "your coupons changed since this checkout was"
			    " started; start a new checkout");
	if (e->code != E_OK) {
		e->code = E_CONFLICT;
		snprintf(e->message, sizeof e->message, "some items can no longer be bought");
		return E_CONFLICT;
	}
	if (ck_quote(a, r, e) != E_OK)
		return e->code;
	if (c->total != old_total || c->tax != old_tax || c->shipping != old_ship)
		return err_set(e, E_CONFLICT, "prices changed since this checkout was started;"
		    " review the new total and place the order again");
	return E_OK;
}

static ecode
step_inventory(arena *a, ck_row *r, error *e)
{
	inv_item *it = arena_calloc(a, r->c.nlines + 1, sizeof *it);
	inv_actor who = { NULL, ROLE_PUBLIC, NULL, "checkout" };
	db_conn *c;

	if (!it)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->c.nlines; i++)
		it[i] = (inv_item){ r->c.lines[i].product_id, r->c.lines[i].variant_id,
		    r->c.lines[i].quantity };
	if (inventory_reserve_by(a, &who, r->c.id, it, r->c.nlines, RESERVE_TTL_S,
	    &r->reservation_id, e) != E_OK)
		return e->code;
	if (!(c = db_for(CK_DOMAIN, e)))
		return e->code;
	return ck_store_set_refs(c, a, r->c.id, r->reservation_id, NULL, NULL, NULL, e);
}

/* The priced discounts back from the stored JSON. */
static ecode
applied_of(arena *a, const checkout *c, applied_discount **out, size_t *n, error *e)
{
	size_t len = c->discounts ? json_object_array_length(c->discounts) : 0;

	*n = 0;
	if (!(*out = arena_calloc(a, len + 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(c->discounts, i), *v;
		applied_discount *d = &(*out)[(*n)++];

#define S(k) (json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ? \
	arena_strdup(a, json_object_get_string(v)) : NULL)
		d->campaign_id = S("campaign_id");
		d->code = S("code");
		d->name = S("name");
		d->type = S("type");
#undef S
		d->amount = json_object_object_get_ex(o, "amount", &v) ? json_object_get_int64(v) : 0;
		d->free_shipping = json_object_object_get_ex(o, "free_shipping", &v) &&
		    json_object_get_boolean(v);
	}
	return E_OK;
}

static ecode
step_campaign(arena *a, ck_row *r, error *e)
{
	applied_discount *d;
	size_t n;

	if (applied_of(a, &r->c, &d, &n, e) != E_OK)
		return e->code;
	return campaign_usage_reserve(a, r->c.id, r->c.user_id, d, n, e);
}

static ecode
step_payment(arena *a, ck_row *r, const checkout_card *card, payment *p, error *e)
{
	card_input ci = { 0 };
	db_conn *c;

	/* an order that costs nothing is not a payment: no provider call, no
	 * payment row; the order is paid by its zero total (DECISIONS) */
	if (r->c.total == 0)
		return E_OK;
	if (card)
		ci = (card_input){ card->number, card->exp_month, card->exp_year, card->cvc };
	if (payment_charge(a, r->c.id, r->c.user_id, r->c.total, r->c.currency,
	    r->c.payment_method, card ? &ci : NULL, p, e) != E_OK)
		return e->code;
	r->c.payment_id = p->id;
	if (!(c = db_for(CK_DOMAIN, e)))
		return e->code;
	return ck_store_set_refs(c, a, r->c.id, NULL, p->id, NULL, NULL, e);
}

static ecode
step_order(arena *a, ck_row *r, bool paid, order *o, error *e)
{
	checkout *c = &r->c;
	order_item_input *items = arena_calloc(a, c->nlines + 1, sizeof *items);
	order_input in = { 0 };
	db_conn *db;

	if (!items)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < c->nlines; i++) {
		const checkout_line *l = &c->lines[i];

		items[i] = (order_item_input){ l->product_id, l->variant_id,
		    l->name ? l->name : "item", l->sku, l->unit_price, l->quantity, l->tax, l->discount };
	}
	in.checkout_id = c->id;
	in.user_id = c->user_id;
	in.email = c->email;
	in.currency = c->currency;
	in.items = items;
	in.nitems = c->nlines;
	in.shipping_address = (order_address){ c->address.full_name, c->address.address_line1,
	    c->address.address_line2, c->address.city, c->address.state, c->address.postal_code,
	    c->address.country, c->address.phone };
	in.shipping_method = c->shipping_method;
	in.subtotal = c->subtotal;
	in.discount_total = c->discount_total;
	in.shipping = c->shipping;
	in.tax = c->tax;
	in.total = c->total;
	in.payment_id = c->payment_id;
	in.paid = paid;
	in.coupon_codes_json = ck_codes_json(a, c->codes, c->ncodes);
	in.reservation_id = r->reservation_id;
	if (order_create(a, &in, o, e) != E_OK)
		return e->code;
	c->order_id = o->id;
	c->order_number = o->number;
	if (!(db = db_for(CK_DOMAIN, e)))
		return e->code;
	return ck_store_set_refs(db, a, c->id, NULL, NULL, o->id, o->number, e);
}

/* Step 6; every call idempotent, so the janitor may run it again. */
static ecode
step_confirm(arena *a, ck_row *r, error *e)
{
	checkout *c = &r->c;
	cart_ref ref = cart_of(c);
	inv_actor who = { NULL, ROLE_PUBLIC, NULL, "checkout" };
	error ce;
	bool changed;
	db_conn *db;

	if (r->reservation_id &&
	    inventory_confirm_by(a, &who, r->reservation_id, c->order_id, e) != E_OK)
		return e->code;
	if (campaign_usage_confirm(a, c->id, c->order_id, e) != E_OK)
		return e->code;
	if (c->payment_id && payment_attach_order(a, c->payment_id, c->order_id, e) != E_OK)
		return e->code;
	/* the order stands even if the cart cannot be emptied now: the
	 * customer can remove the lines, and the order is what matters */
	err_clear(&ce);
	if (cart_clear(a, &ref, -1, &ce) != E_OK)
		log_msg(LOG_WARN, "checkout %s: cart not cleared: %s", c->id, ce.message);
	if (!(db = db_for(CK_DOMAIN, e)) ||
	    ck_end_with_event(db, a, c, "processing", "completed", NULL, NULL, &changed, e) != E_OK)
		return e->code;
	c->status = "completed";
	return E_OK;
}

/* ------------------------------------------------------------ compensation */

/* The reservation of this checkout when its id was never recorded (the
 * process died between the reserve and the log): reserving the same key
 * again returns the existing one, or creates one we release at once. */
static ecode
find_reservation(arena *a, ck_row *r, error *e)
{
	ecode rc;

	if (r->reservation_id)
		return E_OK;
	rc = step_inventory(a, r, e);
	if (rc == E_GONE) {		/* already released */
		err_clear(e);
		return E_OK;
	}
	if (rc == E_CONFLICT) {		/* no stock: nothing could have been held */
		err_clear(e);
		return E_OK;
	}
	return rc;
}

/*
 * Undo steps up to `reached` (newest first); then the checkout is
 * 'failed' with the reason.  A compensation that fails leaves the saga
 * 'processing' for the janitor (E_UNAVAILABLE to the caller).
 */
static ecode
compensate(arena *a, ck_row *r, int reached, const char *fcode, const char *fmsg, error *e)
{
	inv_actor who = { NULL, ROLE_PUBLIC, NULL, "checkout" };
	bool changed;
	db_conn *db;
	error ce;

	err_clear(&ce);
	if (reached >= S_PAYMENT) {
		if (payment_compensate(a, r->c.id, fmsg, &ce) != E_OK)
			goto stuck;
		logstep(a, r->c.id, S_PAYMENT, "compensated", NULL);
	}
	if (reached >= S_CAMPAIGN) {
		if (campaign_usage_release(a, r->c.id, &ce) != E_OK)
			goto stuck;
		logstep(a, r->c.id, S_CAMPAIGN, "compensated", NULL);
	}
	if (reached >= S_INVENTORY) {
		if (find_reservation(a, r, &ce) != E_OK)
			goto stuck;
		if (r->reservation_id &&
		    inventory_release_by(a, &who, r->reservation_id, "checkout failed", &ce) != E_OK)
			goto stuck;
		logstep(a, r->c.id, S_INVENTORY, "compensated", NULL);
	}
	if (!(db = db_for(CK_DOMAIN, &ce)) ||
	    ck_end_with_event(db, a, &r->c, "processing", "failed", fcode, fmsg, &changed, &ce) != E_OK)
		goto stuck;
	r->c.status = "failed";
	return E_OK;
stuck:
	log_msg(LOG_ERROR, "checkout %s: compensation stopped: %s (the janitor retries)",
	    r->c.id, ce.message);
	return err_set(e, E_UNAVAILABLE, "the order could not be placed and is being rolled"
	    " back; try again in a few minutes");
}

/* ------------------------------------------------------------ process */

static ecode
answer_for_status(arena *a, ck_row *r, error *e)
{
	const char *s = r->c.status;

	if (strcmp(s, "completed") == 0)
		return E_OK;	/* the first success, answered again */
	if (strcmp(s, "processing") == 0)
		return err_set(e, E_CONFLICT, "this checkout is being processed");
	if (strcmp(s, "failed") == 0) {
		if (r->c.failure_code && strcmp(r->c.failure_code, "PAYMENT_FAILED") == 0)
			return err_set(e, E_PAYMENT_FAILED, "%s", r->c.failure_message ?
			    r->c.failure_message : "the payment failed");
		return err_set(e, E_CONFLICT, "this checkout failed (%s); start a new one from"
		    " your cart", r->c.failure_message ? r->c.failure_message : "unknown reason");
	}
	return ck_need_open(a, r, e);
}

static ecode
preconditions(const ck_row *r, const checkout_card *card, error *e)
{
	if (!r->c.has_address)
		err_field(e, "shipping_address", "set the shipping address first (PUT /shipping)");
	if (!r->c.shipping_method)
		err_field(e, "shipping_method", "choose a shipping method first (PUT /shipping)");
	if (r->c.total == 0)
		return e->code;	/* nothing to pay: no method, no card (DECISIONS) */
	if (!r->c.payment_method)
		err_field(e, "payment_method", "choose a payment method first (PUT /payment)");
	else if (strcmp(r->c.payment_method, "card") == 0 && (!card || !card->number))
		err_field(e, "card", "send the card again: card details are never stored");
	return e->code;
}

/* The saga from step 2 on, for a checkout this request moved to
 * 'processing' and validated. */
static ecode
run_from_inventory(arena *a, ck_row *r, const checkout_card *card, error *e)
{
	payment p = { 0 };
	order o;
	int s;
	ecode rc;

	for (s = S_INVENTORY; s <= S_CONFIRM; s++) {
		logstep(a, r->c.id, s, "started", NULL);
		switch (s) {
		case S_INVENTORY: rc = step_inventory(a, r, e); break;
		case S_CAMPAIGN:  rc = step_campaign(a, r, e); break;
		case S_PAYMENT:   rc = step_payment(a, r, card, &p, e); break;
		case S_ORDER:
			rc = step_order(a, r, r->c.total == 0 ||
			    strcmp(p.status ? p.status : "", "captured") == 0 ||
			    strcmp(p.status ? p.status : "", "authorized") == 0, &o, e);
			break;
		default:          rc = step_confirm(a, r, e); break;
		}
		if (rc != E_OK)
			break;
		fault_point(s);
		logstep(a, r->c.id, s, "done", NULL);
	}
	if (s > S_CONFIRM)
		return E_OK;
	logstep(a, r->c.id, s, "failed", e->message);
	/* an outcome we cannot know here (the order exists, or the provider
	 * or the database did not answer): the janitor settles it from the
	 * other domains' records */
	if (s == S_CONFIRM || ((s == S_ORDER || s == S_PAYMENT) &&
	    (rc == E_UNAVAILABLE || rc == E_INTERNAL))) {
		log_msg(LOG_WARN, "checkout %s: step %s uncertain (%s); left to the janitor",
		    r->c.id, step_name[s], e->message);
		return err_set(e, E_UNAVAILABLE, "your order is being confirmed; check this"
		    " checkout again in a few minutes");
	}
	{
		error keep = *e;
		const char *fcode = ecode_name(keep.code);

		if (compensate(a, r, s, fcode, keep.message, e) != E_OK)
			return e->code;
		*e = keep;
		return keep.code;
	}
}

ecode
checkout_process(arena *a, const checkout_caller *who, const char *id,
    const checkout_card *card, checkout *out, error *e)
{
	ck_row r;
	db_conn *db;
	bool changed;
	ecode rc;

	if (ck_load_owned(a, who, id, &r, e) != E_OK)
		return e->code;
	if (strcmp(r.c.status, "open") != 0 || r.c.expires_at < (int64_t)time(NULL)) {
		if (answer_for_status(a, &r, e) == E_OK)
			*out = r.c;
		return e->code;
	}
	if (preconditions(&r, card, e) != E_OK || !(db = db_for(CK_DOMAIN, e)) ||
	    ck_store_transition(db, a, id, "open", "processing", NULL, NULL, &changed, e) != E_OK)
		return e->code;
	if (!changed) {		/* another request got there first */
		if (ck_store_get(db, a, id, &r, e) != E_OK)
			return e->code;
		if (answer_for_status(a, &r, e) == E_OK)
			*out = r.c;
		return e->code;
	}
	logstep(a, id, S_VALIDATE, "started", NULL);
	if ((rc = step_validate(a, &r, e)) != E_OK) {
		error keep = *e, se;

		logstep(a, id, S_VALIDATE, "failed", keep.message);
		/* nothing was taken anywhere: back to 'open' with the fresh
		 * quote so the customer can review it */
		err_clear(&se);
		ck_store_transition(db, a, id, "processing", "open", NULL, NULL, &changed, &se);
		if (rc == E_CONFLICT && r.c.discounts)
			ck_store_save_quote(db, a, &r, &se);
		*e = keep;
		return rc;
	}
	if (ck_store_save_quote(db, a, &r, e) != E_OK)
		return e->code;
	fault_point(S_VALIDATE);
	logstep(a, id, S_VALIDATE, "done", NULL);
	if (run_from_inventory(a, &r, card, e) != E_OK)
		return e->code;
	if (ck_store_get(db, a, id, &r, e) != E_OK)
		return e->code;
	*out = r.c;
	return E_OK;
}

/* ------------------------------------------------------------ the janitor */

static int64_t
stuck_after(void)
{
	const char *v = config_raw("ECOM_SAGA_STUCK_S");
	int64_t s;

	if (!v || parse_i64(v, 0, 86400, &s) != 0)
		return CHECKOUT_STUCK_DEFAULT;
	return s;
}

/* Finish (1) or compensate (0) one stuck saga; -1: leave it for later. */
static int
settle(arena *a, const char *id, error *e)
{
	const char *st[7];
	ck_row r;
	order o;
	payment p;
	db_conn *db;
	int reached = 0;
	bool paid = false;
	ecode rc;

	if (!(db = db_for(CK_DOMAIN, e)) || ck_store_get(db, a, id, &r, e) != E_OK ||
	    ck_store_steps(db, a, id, st, e) != E_OK)
		return -1;
	for (int s = S_VALIDATE; s <= S_CONFIRM; s++)
		if (st[s][0] != '\0')
			reached = s;
	rc = order_by_checkout(a, id, &o, e);
	if (rc == E_OK) {
		r.c.order_id = o.id;
		r.c.order_number = o.number;
		if (ck_store_set_refs(db, a, id, NULL, NULL, o.id, o.number, e) != E_OK)
			return -1;
		goto forward;
	}
	if (rc != E_NOT_FOUND)
		return -1;
	err_clear(e);
	if (reached >= S_PAYMENT && r.c.total == 0) {
		paid = true;	/* nothing to pay was ever charged */
		goto order;
	}
	if (reached >= S_PAYMENT) {
		rc = payment_for_checkout(a, id, &p, e);
		if (rc == E_OK) {
			bool offline = strcmp(p.method, "card") != 0;

			/* an authorization alone is not money taken: capture it
			 * (a webhook may have told of it while our call timed out) */
			if (!offline && strcmp(p.status, "authorized") == 0 &&
			    payment_finish(a, id, &p, e) != E_OK)
				return -1;
			paid = strcmp(p.status, "captured") == 0 || strcmp(p.status, "authorized") == 0;
			if (strcmp(p.status, "pending") == 0 && !offline)
				return -1;	/* payment_reconcile settles it first */
			if (paid || (offline && strcmp(p.status, "pending") == 0)) {
				r.c.payment_id = p.id;
				goto order;
			}
		} else if (rc != E_NOT_FOUND)
			return -1;
		err_clear(e);
	}
	return compensate(a, &r, reached, "INTERNAL_ERROR",
	    "the checkout stopped half-way and was rolled back", e) == E_OK ? 0 : -1;
order:
	/* money was taken: the stock and coupons must still be held */
	if (find_reservation(a, &r, e) != E_OK || !r.reservation_id) {
		err_clear(e);
		return compensate(a, &r, S_PAYMENT, "INTERNAL_ERROR",
		    "the reserved stock was lost; the payment is refunded", e) == E_OK ? 0 : -1;
	}
	if (step_campaign(a, &r, e) != E_OK || step_order(a, &r, paid, &o, e) != E_OK) {
		if (e->code == E_UNAVAILABLE)
			return -1;
		err_clear(e);
		return compensate(a, &r, S_PAYMENT, "INTERNAL_ERROR",
		    "the order could not be created; the payment is refunded", e) == E_OK ? 0 : -1;
	}
	logstep(a, id, S_ORDER, "done", "finished by the janitor");
forward:
	if (find_reservation(a, &r, e) != E_OK || step_confirm(a, &r, e) != E_OK)
		return -1;
	logstep(a, id, S_CONFIRM, "done", "finished by the janitor");
	return 1;
}

ecode
checkout_janitor(arena *a, int64_t *finished, int64_t *compensated, error *e)
{
	int64_t stuck = stuck_after(), n;
	const char **ids;
	size_t nids;
	db_conn *db;

	*finished = *compensated = 0;
	if (checkout_config_init() != 0)
		return err_set(e, E_INTERNAL, "checkout configuration refused");
	if (!(db = db_for(CK_DOMAIN, e)) || ck_store_stuck(db, a, stuck, &ids, &nids, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < nids; i++) {
		error se;
		int rc;

		err_clear(&se);
		rc = settle(a, ids[i], &se);
		if (rc > 0)
			(*finished)++;
		else if (rc == 0)
			(*compensated)++;
		else
			log_msg(LOG_WARN, "checkout %s: saga left for the next run: %s", ids[i],
			    se.message);
	}
	if (ck_store_expire_open(db, a, &n, e) != E_OK ||
	    ck_idem_release_stale(db, a, stuck, e) != E_OK ||
	    ck_idem_purge(db, a, CHECKOUT_IDEM_TTL_S, &n, e) != E_OK)
		return e->code;
	return E_OK;
}
