/*
 * store_cart.c — the cart in the storefront: /cart (lines, quantities,
 * coupon, subtotal/discount/shipping/total) and its forms.
 *
 * Every change is a plain form POST with the CSRF token, answered with a
 * redirect to /cart and a flash message, so it works without JavaScript
 * and a reload never posts twice.  A refused change (a limit, out of
 * stock, a code that does not apply, a cart changed in another tab) comes
 * back as the cart page with the reason on top and the matching status.
 * Names, prices and stock come from lib/cart, which reads them from the
 * catalog and the inventory: the forms carry only ids and quantities.
 */
#include <string.h>

#include "cart/cart.h"
#include "core/parse.h"
#include "core/util.h"
#include "store_form.h"

#define CART_IMAGE_SIZES "64px"	/* .cart-lines img in store.css */

static json_object *
line_ctx(arena *a, const cart *c, const cart_line *l)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "product_id", form_jstr(l->product_id));
	json_object_object_add(o, "variant_id", form_jstr(l->variant_id));
	json_object_object_add(o, "name", form_jstr(l->name != NULL ? l->name : "A product no longer sold"));
	if (l->slug != NULL)
		json_object_object_add(o, "url", form_jstr(arena_printf(a, "/p/%s?variant=%s",
		    l->slug, l->variant_id)));
	json_object_object_add(o, "variant_name", form_jstr(l->variant_name));
	json_object_object_add(o, "sku", form_jstr(l->sku));
	if (l->image_url != NULL) {
		json_object *im = json_object_new_object();

		json_object_object_add(im, "url", form_jstr(l->image_url));
		json_object_object_add(im, "width", json_object_new_int(64));
		json_object_object_add(im, "height", json_object_new_int(64));
		/* the line's name says what it is */
		json_object_object_add(im, "alt", json_object_new_string(""));
		json_object_object_add(im, "lazy", json_object_new_boolean(1));
		/* an uploaded image: its smallest sizes serve the thumbnail */
		store_image_srcset_url(a, im, l->image_url, CART_IMAGE_SIZES);
		json_object_object_add(o, "image", im);
	}
	json_object_object_add(o, "quantity", json_object_new_int64(l->quantity));
	json_object_object_add(o, "unit_price", form_jstr(store_money(a, l->unit_price, c->currency)));
	json_object_object_add(o, "line_total", form_jstr(store_money(a, l->line_total, c->currency)));
	if (l->issue != NULL)
		json_object_object_add(o, "issue", form_jstr(l->issue));
	if (l->price_changed && l->available)
		json_object_object_add(o, "previous_price",
		    form_jstr(store_money(a, l->added_unit_price, c->currency)));
	json_object_object_add(o, "action", form_jstr(arena_printf(a, "/cart/items/%s/%s",
	    l->product_id, l->variant_id)));
	return o;
}

static json_object *
cart_ctx(arena *a, const cart *c)
{
	json_object *o = json_object_new_object(), *lines = json_object_new_array(),
	    *ds = json_object_new_array(), *codes = json_object_new_array(),
	    *warn = json_object_new_array();

	for (size_t i = 0; i < c->nlines; i++)
		json_object_array_add(lines, line_ctx(a, c, &c->lines[i]));
	for (size_t i = 0; i < c->ndiscounts; i++) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "name", form_jstr(c->discounts[i].name));
		json_object_object_add(d, "code", form_jstr(c->discounts[i].code));
		json_object_object_add(d, "amount", form_jstr(store_money(a, c->discounts[i].amount, c->currency)));
		if (c->discounts[i].free_shipping)
			json_object_object_add(d, "free_shipping", json_object_new_boolean(1));
		json_object_array_add(ds, d);
	}
	for (size_t i = 0; i < c->ncodes; i++) {
		json_object *d = json_object_new_object();
		json_object_object_add(d, "code", form_jstr(c->codes[i]));
		json_object_array_add(codes, d);
	}
	for (size_t i = 0; i < c->nwarnings; i++)
		json_object_array_add(warn, form_jstr(c->warnings[i]));
	json_object_object_add(o, "lines", lines);
	json_object_object_add(o, "discounts", ds);
	json_object_object_add(o, "coupons", codes);
	json_object_object_add(o, "warnings", warn);
	json_object_object_add(o, "version", json_object_new_int64(c->version));
	json_object_object_add(o, "item_count", json_object_new_int64(c->item_count));
	json_object_object_add(o, "subtotal", form_jstr(store_money(a, c->subtotal, c->currency)));
	json_object_object_add(o, "discount_total", form_jstr(store_money(a, c->discount_total, c->currency)));
	json_object_object_add(o, "has_discount", json_object_new_boolean(c->discount_total > 0));
	json_object_object_add(o, "shipping", form_jstr(c->shipping > 0 ?
	    store_money(a, c->shipping, c->currency) : "Free"));
	json_object_object_add(o, "total", form_jstr(store_money(a, c->total, c->currency)));
	json_object_object_add(o, "total_minor", json_object_new_int64(c->total));
	if (c->subtotal > 0 && c->free_shipping_from > c->subtotal)
		json_object_object_add(o, "free_shipping_hint", form_jstr(arena_printf(a,
		    "Add %s more for free shipping.",
		    store_money(a, c->free_shipping_from - c->subtotal, c->currency))));
	if (c->has_issues)
		json_object_object_add(o, "has_issues", json_object_new_boolean(1));
	return o;
}

/* The cart page with an optional refusal on top (status 200 without). */
static ecode
render_cart(request *req, response *res, int status, const char *problem, error *e)
{
	cart_ref ref;
	cart c;
	json_object *ctx;
	error ge;

	err_clear(&ge);
	if (cart_ref_of(req, &ref, &ge) != E_OK || cart_get(req->a, &ref, &c, &ge) != E_OK) {
		*e = ge;
		return e->code;
	}
	if ((ctx = form_ctx(req, res, e)) == NULL)
		return e->code;
	json_object_object_add(ctx, "cart", cart_ctx(req->a, &c));
	if (c.nlines == 0)
		json_object_object_add(ctx, "empty", json_object_new_boolean(1));
	if (problem != NULL)
		json_object_object_add(ctx, "form_error", form_jstr(problem));
	return store_render_status(req, res, status, "store/cart", ctx, "Your cart",
	    "The products in your cart, with prices, discounts and shipping.", e);
}

ecode
h_cart(request *req, response *res, error *e)
{
	return render_cart(req, res, 200, NULL, e);
}

/* After a change: to /cart with a flash; a refusal re-shows the page. */
static ecode
finish(request *req, response *res, const cart_ref *ref, ecode rc, const error *le,
    const char *flash, error *e)
{
	if (rc == E_OK) {
		if (ref->created)
			cart_cookie_set(req, res, ref->guest_id);
		return form_see_other(req, res, "/cart", flash, e);
	}
	if (!form_shown(rc) && rc != E_NOT_FOUND) {
		*e = *le;
		return rc;
	}
	if (rc == E_CONFLICT && strstr(le->message, "version") != NULL)
		return render_cart(req, res, 409, "Your cart changed in another window. "
		    "Here it is as it is now; make your change again.", e);
	return render_cart(req, res, form_refusal_status(res, le),
	    le->nfields > 0 ? arena_printf(req->a, "%s", le->fields[0].message) : le->message, e);
}

/* The hidden expected version of a cart form, or -1 when absent. */
static int64_t
form_version(const request *req)
{
	int64_t v;
	const char *s = form_opt(req, "version");

	return s != NULL && parse_i64(s, 0, INT64_C(1000000000000), &v) == 0 ? v : -1;
}

static int64_t
form_quantity(const request *req, int64_t min, int64_t dflt)
{
	int64_t q;
	const char *s = form_opt(req, "quantity");

	if (s == NULL)
		return dflt;
	return parse_i64(s, min, CART_QTY_MAX, &q) == 0 ? q : -1;
}

ecode
h_cart_add(request *req, response *res, error *e)
{
	int64_t q = form_quantity(req, 1, 1);
	const char *vid = form_opt(req, "variant_id");
	cart_ref ref;
	error le;
	ecode rc;

	err_clear(&le);
	if ((rc = cart_ref_of(req, &ref, &le)) == E_OK) {
		if (vid == NULL)
			rc = err_field(&le, "variant_id", "Choose an option first.");
		else if (q < 0)
			rc = err_field(&le, "quantity", "Choose a quantity from 1 to %d.", CART_QTY_MAX);
		else
			rc = cart_add(req->a, &ref, form_val(req, "product_id"), vid, q, -1, NULL, &le);
	}
	return finish(req, res, &ref, rc, &le, "cart-added", e);
}

ecode
h_cart_update(request *req, response *res, error *e)
{
	int64_t q = form_quantity(req, 0, -1);
	cart_ref ref;
	error le;
	ecode rc;

	err_clear(&le);
	if ((rc = cart_ref_of(req, &ref, &le)) == E_OK) {
		if (q < 0)
			rc = err_field(&le, "quantity", "Choose a quantity from 0 to %d.", CART_QTY_MAX);
		else
			rc = cart_set_quantity(req->a, &ref, req_param(req, "productId"),
			    req_param(req, "variantId"), q, form_version(req), NULL, &le);
	}
	return finish(req, res, &ref, rc, &le, q == 0 ? "cart-removed" : "cart-updated", e);
}

ecode
h_cart_coupon(request *req, response *res, error *e)
{
	cart_ref ref;
	error le;
	ecode rc;

	err_clear(&le);
	if ((rc = cart_ref_of(req, &ref, &le)) == E_OK)
		rc = cart_apply_coupon(req->a, &ref, form_val(req, "code"), form_version(req), NULL, &le);
	return finish(req, res, &ref, rc, &le, "coupon-applied", e);
}

ecode
h_cart_coupon_remove(request *req, response *res, error *e)
{
	cart_ref ref;
	error le;
	ecode rc;

	err_clear(&le);
	if ((rc = cart_ref_of(req, &ref, &le)) == E_OK)
		rc = cart_remove_coupon(req->a, &ref, form_val(req, "code"), form_version(req), NULL, &le);
	return finish(req, res, &ref, rc, &le, "coupon-removed", e);
}
