/*
 * service.c — checkouts before the saga: create from the cart, read with
 * the owner check, set the address, shipping method and payment method,
 * cancel; the quote (ck_quote) every change recomputes.
 *
 * Prices always come from the server: lines are copied from the cart as
 * lib/cart reads it (live catalog prices), discounts from lib/campaign,
 * shipping and tax from the tables of checkout.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "auth/auth.h"
#include "campaign/campaign.h"
#include "cart/cart.h"
#include "checkout/internal.h"
#include "core/config.h"
#include "core/parse.h"
#include "core/util.h"

static ecode
oom(error *e)
{
	return err_set(e, E_INTERNAL, "out of memory");
}

static const char *
hex(arena *a, const unsigned char *p, size_t n)
{
	char *s = arena_alloc(a, n * 2 + 1);

	for (size_t i = 0; s && i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	return s;
}

/* HMAC (server secret) of a tagged message, as hex; NULL on failure. */
static const char *
hmac_hex(arena *a, const char *tag, const char *msg, size_t n)
{
	unsigned char mac[32];
	size_t tl = strlen(tag);
	char *m = arena_alloc(a, tl + n + 1);

	if (!m)
		return NULL;
	memcpy(m, tag, tl);
	memcpy(m + tl, msg, n);
	if (auth_hmac(m, tl + n, mac) != 0)
		return NULL;
	return hex(a, mac, sizeof mac);
}

static db_conn *
conn(error *e)
{
	return db_for(CK_DOMAIN, e);
}

/* ------------------------------------------------------------ the quote */

/* The method to price: the chosen one, else the cheapest that ships to
 * the address (the first configured when there is no address yet). */
static ecode
pick_shipping(const checkout *c, int64_t subtotal, int64_t *price, error *e)
{
	const ship_table *t = checkout_ship_table();
	const char *country = c->has_address ? c->address.country : NULL;
	int64_t best = -1, p;

	if (!t)
		return err_set(e, E_INTERNAL, "shipping configuration refused");
	if (c->shipping_method) {
		const ship_method *m = ship_method_find(t, c->shipping_method);

		if (!m)
			return err_field(e, "shipping_method", "is not one of the shop's methods");
		if (ship_quote(m, country, subtotal, price) != 0)
			return err_field(e, "shipping_method", "does not ship to %s", country);
		return E_OK;
	}
	for (size_t i = 0; i < t->n; i++)
		if (ship_quote(&t->m[i], country, subtotal, &p) == 0 && (best < 0 || p < best))
			best = p;
	if (best < 0)
		return err_field(e, "country", "we do not ship there");
	*price = best;
	return E_OK;
}

static json_object *
applied_json(const price_result *r)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < r->napplied; i++) {
		const applied_discount *d = &r->applied[i];
		json_object *o = json_object_new_object();

		if (!o)
			continue;
		json_object_object_add(o, "campaign_id", json_object_new_string(d->campaign_id));
		json_object_object_add(o, "code", d->code ? json_object_new_string(d->code) : NULL);
		json_object_object_add(o, "name", d->name ? json_object_new_string(d->name) : NULL);
		json_object_object_add(o, "type", d->type ? json_object_new_string(d->type) : NULL);
		json_object_object_add(o, "amount", json_object_new_int64(d->amount));
		json_object_object_add(o, "free_shipping", json_object_new_boolean(d->free_shipping));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void
put_json(void *p)
{
	json_object_put(p);
}

ecode
ck_quote(arena *a, ck_row *r, error *e)
{
	checkout *c = &r->c;
	const tax_table *tt = checkout_tax_table();
	price_line *pl = arena_calloc(a, c->nlines + 1, sizeof *pl);
	int64_t *totals = arena_calloc(a, c->nlines + 1, sizeof *totals);
	money_out mo = { 0 };
	int64_t subtotal = 0, ship;
	price_input pin = { 0 };
	price_result pr;

	if (!pl || !totals || !tt)
		return tt ? oom(e) : err_set(e, E_INTERNAL, "tax configuration refused");
	mo.line_discount = arena_calloc(a, c->nlines + 1, sizeof (int64_t));
	mo.line_tax = arena_calloc(a, c->nlines + 1, sizeof (int64_t));
	if (!mo.line_discount || !mo.line_tax)
		return oom(e);
	for (size_t i = 0; i < c->nlines; i++) {
		checkout_line *l = &c->lines[i];

		if (__builtin_mul_overflow(l->unit_price, l->quantity, &l->line_total) ||
		    __builtin_add_overflow(subtotal, l->line_total, &subtotal))
			return err_set(e, E_VALIDATION, "the order is too large");
		totals[i] = l->line_total;
		pl[i] = (price_line){ l->product_id, l->variant_id, l->category_id,
		    l->unit_price, l->quantity };
	}
	if (pick_shipping(c, subtotal, &ship, e) != E_OK)
		return e->code;
	pin = (price_input){ pl, c->nlines, c->currency, ship, c->user_id,
	    c->codes, c->ncodes };
	if (campaign_price(a, &pin, &pr, e) != E_OK)
		return e->code;
	money_in mi = { totals, c->nlines, pr.discount_total, pr.shipping,
	    tax_rate_for(tt, c->has_address ? c->address.country : NULL), tt->prices_include_tax };
	if (money_compute(&mi, &mo) != 0)
		return err_set(e, E_VALIDATION, "the order totals are out of range");
	for (size_t i = 0; i < c->nlines; i++) {
		c->lines[i].discount = mo.line_discount[i];
		c->lines[i].tax = mo.line_tax[i];
	}
	c->subtotal = mo.subtotal;
	c->discount_total = mo.discount_total;
	c->shipping = mo.shipping;
	c->tax = mo.tax;
	c->total = mo.total;
	if (!(c->discounts = applied_json(&pr)) || arena_defer(a, put_json, c->discounts) != 0) {
		c->discounts = NULL;
		return oom(e);
	}
	return E_OK;
}

/* ------------------------------------------------------------ ownership */

static ecode
load_owned(arena *a, const checkout_caller *who, const char *id, ck_row *r, error *e)
{
	db_conn *c;
	const char *h;

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "checkout not found");
	if (!(c = conn(e)) || ck_store_get(c, a, id, r, e) != E_OK)
		return e->code;
	if (r->c.user_id) {
		if (who->user_id && strcmp(who->user_id, r->c.user_id) == 0)
			return E_OK;
	} else if (who->token && strlen(who->token) == CHECKOUT_TOKEN_LEN &&
	    (h = hmac_hex(a, "checkout-token:", who->token, CHECKOUT_TOKEN_LEN)) != NULL &&
	    r->token_hash && ct_equal(h, r->token_hash, 64))
		return E_OK;
	/* someone else's checkout is not found: ids cannot be probed */
	return err_set(e, E_NOT_FOUND, "checkout not found");
}

/* An open checkout past its expiry is gone (410), and marked so. */
static ecode
need_open(arena *a, ck_row *r, error *e)
{
	bool changed;
	db_conn *c;

	if (strcmp(r->c.status, "open") == 0 && r->c.expires_at < (int64_t)time(NULL)) {
		if ((c = conn(e)) != NULL)
			ck_store_transition(c, a, r->c.id, "open", "expired", NULL, NULL, &changed, e);
		return err_set(e, E_GONE, "this checkout expired; start a new one from your cart");
	}
	if (strcmp(r->c.status, "expired") == 0)
		return err_set(e, E_GONE, "this checkout expired; start a new one from your cart");
	if (strcmp(r->c.status, "open") != 0)
		return err_set(e, E_CONFLICT, "this checkout is %s and can no longer be changed",
		    r->c.status);
	return E_OK;
}

ecode
checkout_get(arena *a, const checkout_caller *who, const char *id, checkout *out, error *e)
{
	ck_row r;

	if (load_owned(a, who, id, &r, e) != E_OK)
		return e->code;
	*out = r.c;
	return E_OK;
}

/* ------------------------------------------------------------ create */

static bool
email_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;
	size_t n = s ? strlen(s) : 0;

	return at && at != s && strchr(at + 1, '.') && n >= 3 && n <= CHECKOUT_EMAIL_MAX &&
	    !strpbrk(s, " \t\r\n<>\"") && utf8_valid(s, n);
}

static ecode
lines_from_cart(arena *a, const cart *ct, checkout *c, error *e)
{
	if (ct->nlines == 0)
		return err_set(e, E_VALIDATION, "your cart is empty");
	if (!(c->lines = arena_calloc(a, ct->nlines, sizeof *c->lines)))
		return oom(e);
	for (size_t i = 0; i < ct->nlines; i++) {
		const cart_line *l = &ct->lines[i];

		if (!l->purchasable) {
			err_field(e, arena_printf(a, "items.%zu", i) ?: "items", "%s",
			    l->issue ? l->issue : "this item cannot be bought now");
			continue;
		}
		c->lines[c->nlines++] = (checkout_line){ l->product_id, l->variant_id,
		    l->category_id, l->name, l->sku, l->unit_price, l->quantity, 0, 0, 0 };
	}
	c->codes = ct->codes;
	c->ncodes = ct->ncodes;
	c->currency = ct->currency;
	return e->code;
}

ecode
checkout_create(arena *a, const checkout_caller *who, const struct cart_ref *ref,
    const char *email, checkout *out, const char **token, error *e)
{
	ck_row r = { 0 };
	cart ct;
	char id[37];
	unsigned char rnd[32];
	db_conn *c;

	*token = NULL;
	if (!who->user_id) {
		if (!email_ok(email))
			return err_field(e, "email", "a valid e-mail address is required for guest checkout");
	} else if (!email)
		email = who->email;
	if (email && !email_ok(email))
		return err_field(e, "email", "is not a valid e-mail address");
	if (!email)
		return err_field(e, "email", "is required");
	if (cart_get(a, ref, &ct, e) != E_OK || lines_from_cart(a, &ct, &r.c, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0 || getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return err_set(e, E_INTERNAL, "no randomness");
	r.c.id = arena_strdup(a, id);
	r.c.user_id = who->user_id;
	r.c.email = email;
	r.c.status = "open";
	r.c.cart_user_id = ref->user_id;
	r.c.cart_guest_id = ref->user_id ? NULL : ref->guest_id;
	if (!who->user_id) {
		if (!(*token = hex(a, rnd, sizeof rnd)) ||
		    !(r.token_hash = hmac_hex(a, "checkout-token:", *token, CHECKOUT_TOKEN_LEN)))
			return err_set(e, E_INTERNAL, "cannot make a checkout token");
	}
	if (!r.c.id || ck_quote(a, &r, e) != E_OK || !(c = conn(e)) ||
	    ck_create_with_event(c, a, &r, e) != E_OK || ck_store_get(c, a, r.c.id, &r, e) != E_OK)
		return e->code;
	*out = r.c;
	return E_OK;
}

/* ------------------------------------------------------------ changes */

static bool
country_ok(const char *s)
{
	return s && strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

ecode
checkout_set_shipping(arena *a, const checkout_caller *who, const char *id,
    const checkout_address *addr, const char *method, checkout *out, error *e)
{
	ck_row r;
	db_conn *c;

	if (!country_ok(addr->country))
		return err_field(e, "country", "must be an ISO 3166 alpha-2 code such as DE");
	if (load_owned(a, who, id, &r, e) != E_OK || need_open(a, &r, e) != E_OK)
		return e->code;
	r.c.address = *addr;
	r.c.has_address = true;
	r.c.shipping_method = method;
	if (ck_quote(a, &r, e) != E_OK || !(c = conn(e)) ||
	    ck_store_save_quote(c, a, &r, e) != E_OK || ck_store_get(c, a, id, &r, e) != E_OK)
		return e->code;
	*out = r.c;
	return E_OK;
}

/* Brand by the leading digits (IIN ranges of the big schemes). */
static const char *
card_brand(const char *n)
{
	if (n[0] == '4')
		return "visa";
	if ((n[0] == '5' && n[1] >= '1' && n[1] <= '5') || (n[0] == '2' && n[1] >= '2' && n[1] <= '7'))
		return "mastercard";
	if (n[0] == '3' && (n[1] == '4' || n[1] == '7'))
		return "amex";
	return "card";
}

/* Luhn and length: catches typos before the provider does. */
static bool
card_number_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	int sum = 0;

	if (len < 12 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = n[len - 1 - i] - '0';

		if (d < 0 || d > 9)
			return false;
		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return sum % 10 == 0;
}

bool
checkout_card_number_ok(const char *n)
{
	return card_number_ok(n);
}

ecode
checkout_set_payment(arena *a, const checkout_caller *who, const char *id,
    const char *method, const char *card_number, checkout *out, error *e)
{
	const char *brand = NULL, *last4 = NULL;
	ck_row r;
	db_conn *c;

	if (!method || (strcmp(method, "card") != 0 && strcmp(method, "bank_transfer") != 0 &&
	    strcmp(method, "cash_on_delivery") != 0))
		return err_field(e, "payment_method", "must be card, bank_transfer or cash_on_delivery");
	if (strcmp(method, "card") == 0 && card_number) {
		if (!card_number_ok(card_number))
			return err_field(e, "card.number", "is not a valid card number");
		brand = card_brand(card_number);
		last4 = arena_strdup(a, card_number + strlen(card_number) - 4);
	}
	if (load_owned(a, who, id, &r, e) != E_OK || need_open(a, &r, e) != E_OK ||
	    !(c = conn(e)) || ck_store_set_payment(c, a, id, method, brand, last4, e) != E_OK ||
	    ck_store_get(c, a, id, &r, e) != E_OK)
		return e->code;
	*out = r.c;
	return E_OK;
}

ecode
checkout_cancel(arena *a, const checkout_caller *who, const char *id, checkout *out, error *e)
{
	ck_row r;
	db_conn *c;
	bool changed = false;

	if (load_owned(a, who, id, &r, e) != E_OK)
		return e->code;
	if (strcmp(r.c.status, "canceled") != 0) {
		if (!(c = conn(e)) ||
		    ck_store_transition(c, a, id, "open", "canceled", NULL, NULL, &changed, e) != E_OK)
			return e->code;
		if (!changed)
			return err_set(e, E_CONFLICT, "this checkout is %s and cannot be canceled",
			    r.c.status);
		if (ck_store_get(c, a, id, &r, e) != E_OK)
			return e->code;
	}
	*out = r.c;
	return E_OK;
}

/* ------------------------------------------------------------ checks for saga.c */

ecode
ck_load_owned(arena *a, const checkout_caller *who, const char *id, ck_row *r, error *e)
{
	return load_owned(a, who, id, r, e);
}

ecode
ck_need_open(arena *a, ck_row *r, error *e)
{
	return need_open(a, r, e);
}

/* ------------------------------------------------------------ idempotency */

ecode
checkout_idem_begin(arena *a, const char *key, const char *checkout_id, const char *body,
    size_t body_len, bool *replay, int *status, const char **body_out, error *e)
{
	const char *hash, *h2, *state, *resp;
	char *msg;
	bool inserted;
	db_conn *c;

	*replay = false;
	if (!key || !*key || strlen(key) > CHECKOUT_IDEM_KEY_MAX || !utf8_valid(key, strlen(key)))
		return err_set(e, E_INVALID_PARAMETER, "Idempotency-Key must be 1 to %d characters",
		    CHECKOUT_IDEM_KEY_MAX);
	if (!checkout_id || !uuid_valid(checkout_id))
		return err_set(e, E_NOT_FOUND, "checkout not found");
	if (!(msg = arena_alloc(a, 36 + 1 + body_len + 1)))
		return oom(e);
	memcpy(msg, checkout_id, 36);
	msg[36] = ':';
	if (body_len > 0)
		memcpy(msg + 37, body, body_len);
	if (!(hash = hmac_hex(a, "checkout-idem:", msg, 37 + body_len)))
		return err_set(e, E_INTERNAL, "cannot hash the request");
	if (!(c = conn(e)) || ck_idem_insert(c, a, key, checkout_id, hash, &inserted, e) != E_OK)
		return e->code;
	if (inserted)
		return E_OK;
	if (ck_idem_get(c, a, key, checkout_id, &h2, &state, status, &resp, e) != E_OK)
		return e->code == E_NOT_FOUND ? err_set(e, E_CONFLICT, "retry the request") : e->code;
	if (strcmp(h2, hash) != 0)
		return err_set(e, E_IDEMPOTENCY_MISMATCH,
		    "this Idempotency-Key was used with a different request");
	if (strcmp(state, "done") != 0)
		return err_set(e, E_CONFLICT, "a request with this Idempotency-Key is still running");
	*replay = true;
	*body_out = resp;
	return E_OK;
}

ecode
checkout_idem_finish(arena *a, const char *key, const char *checkout_id, int status,
    const char *body, error *e)
{
	db_conn *c = conn(e);

	return c ? ck_idem_finish(c, a, key, checkout_id, status, body, e) : e->code;
}

void
checkout_idem_abandon(arena *a, const char *key, const char *checkout_id)
{
	error e;
	db_conn *c;

	err_clear(&e);
	if ((c = conn(&e)) != NULL)
		ck_idem_delete(c, a, key, checkout_id, &e);
}
