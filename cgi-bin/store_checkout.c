/*
 * store_checkout.c — the checkout in the storefront, as plain form steps
 * that work without JavaScript: address (and e-mail for guests) →
 * shipping method → payment method → review with the card fields and
 * "Place order".  Every step is a POST with the CSRF token answered by a
 * redirect to /checkout, which shows the next step the checkout needs
 * (?step= goes back to an earlier one).
 *
 * The visitor's checkout is named by the "checkout_id" cookie and, for a
 * guest, its token in the "checkout" cookie (as the API's).  The card is
 * typed on the review page and posted only with "Place order": it goes
 * to lib/checkout in that request and is never stored or shown again.
 * The review form carries a random hidden idempotency key, so a
 * double-clicked "Place order" runs the saga once: the second post gets
 * the first one's redirect (or, while the first still runs, a page that
 * says so).
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cart/cart.h"
#include "checkout/checkout.h"
#include "core/util.h"
#include "order/order.h"
#include "store_form.h"

#define ID_COOKIE "checkout_id"

static checkout_caller
caller_of(const request *req)
{
	return (checkout_caller){ req->user_id, req->user_email, req_cookie(req, CHECKOUT_COOKIE),
	    req->request_id };
}

static void
cookie(request *req, response *res, const char *name, const char *val, int max_age)
{
	const char *attrs = arena_printf(req->a, "Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s",
	    max_age, req->https ? "; Secure" : "");

	if (attrs)
		resp_cookie(res, name, val, attrs);
}

/* The visitor's open checkout, or E_NOT_FOUND when there is none. */
static ecode
current(request *req, checkout *c, error *e)
{
	checkout_caller who = caller_of(req);
	const char *id = req_cookie(req, ID_COOKIE);

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no checkout");
	if (checkout_get(req->a, &who, id, c, e) != E_OK)
		return e->code;
	if (strcmp(c->status, "open") != 0 || c->expires_at < (int64_t)time(NULL))
		return err_set(e, E_NOT_FOUND, "no open checkout");
	return E_OK;
}

static json_object *
money(arena *a, int64_t v, const char *cur)
{
	return form_jstr(store_money(a, v, cur));
}

static json_object *
summary(arena *a, const checkout *c)
{
	json_object *o = json_object_new_object(), *lines = json_object_new_array();

	for (size_t i = 0; lines && i < c->nlines; i++) {
		json_object *l = json_object_new_object();

		json_object_object_add(l, "name", form_jstr(c->lines[i].name));
		json_object_object_add(l, "quantity", json_object_new_int64(c->lines[i].quantity));
		json_object_object_add(l, "line_total", money(a, c->lines[i].line_total, c->currency));
		json_object_array_add(lines, l);
	}
	json_object_object_add(o, "lines", lines);
	json_object_object_add(o, "subtotal", money(a, c->subtotal, c->currency));
	if (c->discount_total > 0)
		json_object_object_add(o, "discount_total", money(a, c->discount_total, c->currency));
	json_object_object_add(o, "shipping", form_jstr(c->shipping > 0 ?
	    store_money(a, c->shipping, c->currency) : "Free"));
	if (c->tax > 0)
		json_object_object_add(o, "tax", money(a, c->tax, c->currency));
	json_object_object_add(o, "total", money(a, c->total, c->currency));
	return o;
}

static json_object *
address_values(const checkout *c)
{
	json_object *o = json_object_new_object();

	if (!o || !c || !c->has_address)
		return o;
	json_object_object_add(o, "full_name", form_jstr(c->address.full_name));
	json_object_object_add(o, "address_line1", form_jstr(c->address.address_line1));
	json_object_object_add(o, "address_line2", form_jstr(c->address.address_line2));
	json_object_object_add(o, "city", form_jstr(c->address.city));
	json_object_object_add(o, "state", form_jstr(c->address.state));
	json_object_object_add(o, "postal_code", form_jstr(c->address.postal_code));
	json_object_object_add(o, "country", form_jstr(c->address.country));
	json_object_object_add(o, "phone", form_jstr(c->address.phone));
	return o;
}

static json_object *
methods(arena *a, const checkout *c)
{
	const ship_table *t = checkout_ship_table();
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && t && i < t->n; i++) {
		int64_t price;
		json_object *m;

		if (ship_quote(&t->m[i], c->address.country, c->subtotal, &price) != 0 ||
		    !(m = json_object_new_object()))
			continue;
		json_object_object_add(m, "code", form_jstr(t->m[i].code));
		json_object_object_add(m, "price", form_jstr(price > 0 ?
		    store_money(a, price, c->currency) : "Free"));
		if (c->shipping_method && strcmp(c->shipping_method, t->m[i].code) == 0)
			json_object_object_add(m, "checked", json_object_new_boolean(1));
		json_object_array_add(arr, m);
	}
	return arr;
}

/* The step to show: the one asked for if the checkout got that far, else
 * the first one it still needs. */
static const char *
step_of(const request *req, const checkout *c, bool have)
{
	const char *want = req_query(req, "step");
	const char *need = !have || !c->has_address ? "address" : !c->shipping_method ? "shipping" :
	    !c->payment_method && c->total != 0 ? "payment" : "review";	/* nothing to pay: no payment step */
	static const char *const steps[] = { "address", "shipping", "payment", "review" };
	int wi = -1, ni = 0;

	for (int i = 0; i < 4; i++) {
		if (want && strcmp(want, steps[i]) == 0)
			wi = i;
		if (strcmp(need, steps[i]) == 0)
			ni = i;
	}
	return wi >= 0 && wi <= ni ? steps[wi] : need;
}

static ecode
render(request *req, response *res, int status, const char *problem, const error *fe, error *e)
{
	checkout c;
	error ge;
	bool have;
	const char *step;
	json_object *ctx;
	unsigned char rnd[16];
	char key[33];

	err_clear(&ge);
	have = current(req, &c, &ge) == E_OK;
	if (!(ctx = form_ctx(req, res, e)))
		return e->code;
	step = step_of(req, &c, have);
	json_object_object_add(ctx, arena_printf(req->a, "step_%s", step), json_object_new_boolean(1));
	json_object_object_add(ctx, "guest", json_object_new_boolean(req->user_id == NULL));
	if (have) {
		json_object_object_add(ctx, "summary", summary(req->a, &c));
		json_object_object_add(ctx, "address", address_values(&c));
		json_object_object_add(ctx, "email", form_jstr(c.email));
		if (c.has_address)
			json_object_object_add(ctx, "methods", methods(req->a, &c));
		if (c.shipping_method && c.total == 0)
			json_object_object_add(ctx, "free", json_object_new_boolean(1));
		if (c.payment_method) {
			json_object_object_add(ctx, "payment_method", form_jstr(c.payment_method));
			json_object_object_add(ctx, arena_printf(req->a, "pay_%s", c.payment_method),
			    json_object_new_boolean(1));
		}
	} else {
		cart_ref ref;
		cart ct;

		if (cart_ref_of(req, &ref, &ge) == E_OK && cart_get(req->a, &ref, &ct, &ge) == E_OK &&
		    ct.nlines == 0)
			json_object_object_add(ctx, "empty", json_object_new_boolean(1));
	}
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return err_set(e, E_INTERNAL, "no randomness");
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(key + 2 * i, 3, "%02x", rnd[i]);
	json_object_object_add(ctx, "idempotency_key", form_jstr(key));
	if (problem)
		json_object_object_add(ctx, "form_error", form_jstr(problem));
	if (fe && fe->nfields > 0)
		json_object_object_add(ctx, "errors", form_errors_json(fe));
	return store_render_status(req, res, status, "store/checkout", ctx, "Checkout",
	    "Address, shipping, payment and review of your order.", e);
}

ecode
h_checkout(request *req, response *res, error *e)
{
	return render(req, res, 200, NULL, NULL, e);
}

/* After a step: on to /checkout, or the page again with the reason. */
static ecode
after(request *req, response *res, ecode rc, const error *le, error *e)
{
	if (rc == E_OK)
		return form_see_other(req, res, "/checkout", NULL, e);
	if (!form_shown(rc) && rc != E_NOT_FOUND && rc != E_GONE) {
		*e = *le;
		return rc;
	}
	return render(req, res, form_refusal_status(res, le), rc == E_VALIDATION && le->nfields > 0 ?
	    "Please correct the marked fields." : le->message, le, e);
}

ecode
h_checkout_address(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout_address ad = { form_val(req, "full_name"), form_val(req, "address_line1"),
	    form_opt(req, "address_line2"), form_val(req, "city"), form_opt(req, "state"),
	    form_val(req, "postal_code"), form_val(req, "country"), form_opt(req, "phone") };
	const char *token = NULL;
	checkout c;
	cart_ref ref;
	error le;
	ecode rc;

	err_clear(&le);
	if (!*ad.full_name || strlen(ad.full_name) > 200)
		err_field(&le, "full_name", "Enter the recipient's name.");
	if (!*ad.address_line1 || strlen(ad.address_line1) > 200)
		err_field(&le, "address_line1", "Enter the street address.");
	if (!*ad.city || strlen(ad.city) > 200)
		err_field(&le, "city", "Enter the city.");
	if (!*ad.postal_code || strlen(ad.postal_code) > 20)
		err_field(&le, "postal_code", "Enter the postal code.");
	if ((ad.address_line2 && strlen(ad.address_line2) > 200) || (ad.state && strlen(ad.state) > 200) ||
	    (ad.phone && strlen(ad.phone) > 40))
		err_field(&le, "address_line2", "A field is too long.");
	if ((rc = le.code) != E_OK)
		return after(req, res, rc, &le, e);
	if (current(req, &c, &le) != E_OK) {
		err_clear(&le);
		if ((rc = cart_ref_of(req, &ref, &le)) != E_OK ||
		    (rc = checkout_create(req->a, &who, &ref, form_opt(req, "email"), &c, &token, &le)) != E_OK)
			return after(req, res, rc, &le, e);
		cookie(req, res, ID_COOKIE, c.id, CHECKOUT_TTL_S);
		if (token) {
			cookie(req, res, CHECKOUT_COOKIE, token, CHECKOUT_TTL_S);
			who.token = token;
		}
	}
	rc = checkout_set_shipping(req->a, &who, c.id, &ad, c.shipping_method, &c, &le);
	return after(req, res, rc, &le, e);
}

ecode
h_checkout_shipping(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout c;
	error le;
	ecode rc;

	err_clear(&le);
	if ((rc = current(req, &c, &le)) == E_OK) {
		if (!c.has_address)
			rc = err_set(&le, E_CONFLICT, "Enter the address first.");
		else
			rc = checkout_set_shipping(req->a, &who, c.id, &c.address,
			    form_val(req, "shipping_method"), &c, &le);
	}
	return after(req, res, rc, &le, e);
}

ecode
h_checkout_payment(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout c;
	error le;
	ecode rc;

	err_clear(&le);
	if ((rc = current(req, &c, &le)) == E_OK)
		rc = checkout_set_payment(req->a, &who, c.id, form_val(req, "payment_method"), NULL,
		    &c, &le);
	return after(req, res, rc, &le, e);
}

/* Where a placed order is shown: the owner's page, or the guest link;
 * placed=1 makes it the confirmation ("Thank you ..."), not the plain
 * order page. */
static const char *
order_url(request *req, const checkout *c)
{
	if (c->user_id)
		return arena_printf(req->a, "/orders/%s?placed=1", c->order_number);
	return arena_printf(req->a, "/orders/%s?t=%s&placed=1", c->order_number,
	    order_guest_token(req->a, c->order_id));
}

ecode
h_checkout_place(request *req, response *res, error *e)
{
	checkout_caller who = caller_of(req);
	checkout_card card = { form_val(req, "card_number"), form_val(req, "exp_month"),
	    form_val(req, "exp_year"), form_val(req, "cvc") };
	const char *key = form_val(req, "idempotency_key"), *id = req_cookie(req, ID_COOKIE);
	const char *stored = NULL, *to, *fp;
	bool replay = false;
	int status = 0;
	checkout c;
	error le;
	ecode rc;

	err_clear(&le);
	if (!id || checkout_get(req->a, &who, id, &c, &le) != E_OK)
		return render(req, res, 404, "Your checkout was not found; start again from your cart.",
		    NULL, e);
	/* the key's request is the card and the checkout: the CSRF token of
	 * the form may change between two clicks, the order may not */
	fp = arena_printf(req->a, "%s|%s|%s|%s", card.number, card.exp_month, card.exp_year, card.cvc);
	if (*key) {
		rc = checkout_idem_begin(req->a, key, c.id, fp, fp ? strlen(fp) : 0, &replay, &status,
		    &stored, &le);
		if (rc == E_CONFLICT)
			return render(req, res, 409, "Your order is being placed. Wait a moment, then"
			    " reload this page.", NULL, e);
		if (rc != E_OK)
			return after(req, res, rc, &le, e);
		if (replay && status == 303)
			return form_see_other(req, res, stored, NULL, e);
		if (replay)
			return render(req, res, status, stored, NULL, e);
	}
	rc = checkout_process(req->a, &who, c.id, strcmp(c.payment_method ? c.payment_method : "",
	    "card") == 0 ? &card : NULL, &c, &le);
	if (rc == E_OK) {
		to = order_url(req, &c);
		if (*key && checkout_idem_finish(req->a, key, c.id, 303, to, &le) != E_OK)
			checkout_idem_abandon(req->a, key, c.id);
		cookie(req, res, ID_COOKIE, "", 0);
		cookie(req, res, CHECKOUT_COOKIE, "", 0);
		return form_see_other(req, res, to, NULL, e);
	}
	if (*key) {
		error se;

		err_clear(&se);
		if (rc == E_PAYMENT_FAILED || rc == E_VALIDATION)
			checkout_idem_finish(req->a, key, c.id, ecode_status(rc), le.message, &se);
		else
			checkout_idem_abandon(req->a, key, c.id);
	}
	if (rc == E_PAYMENT_FAILED)
		return render(req, res, 422, arena_printf(req->a, "The payment failed: %s. Your cart"
		    " is unchanged: go through the checkout again with another card or method.", le.message), NULL, e);
	return after(req, res, rc, &le, e);
}
