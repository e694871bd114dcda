/*
 * read.c — a cart as customers see it: each stored line joined with the
 * catalog (name, sku, image, current price, still sold?), the inventory
 * (in stock? how many?) and the campaigns (discounts on the basket).
 *
 * A line that can no longer be bought stays in the cart with a sentence
 * saying why, and is left out of the totals; a changed price is flagged
 * with the old one beside it.  One catalog lookup per line (at most
 * CART_LINES_MAX), one inventory query and one pricing call per read.
 */
#include <string.h>
#include <time.h>

#include "campaign/campaign.h"
#include "checkout/checkout.h"
#include "core/config.h"
#include "core/site.h"
#include "core/util.h"
#include "internal.h"
#include "inventory/inventory.h"
#include "product/product.h"

/* The catalog's side of one line; a product no longer sold is not an
 * error here, only a flag. */
static ecode
enrich(arena *a, const cart_raw_line *r, cart_line *l, error *e)
{
	catalog_line cl;

	l->product_id = r->product_id;
	l->variant_id = r->variant_id;
	l->quantity = r->quantity;
	l->added_unit_price = r->price;
	if (catalog_line_lookup(a, r->product_id, r->variant_id, &cl, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);
		l->issue = "This product is no longer sold. Remove it from the cart.";
		return E_OK;
	}
	l->slug = cl.product_slug;
	l->name = cl.product_name;
	l->variant_name = cl.variant_name;
	l->sku = cl.sku;
	l->image_url = cl.image_url;
	l->category_id = cl.category_id;
	l->unit_price = cl.unit_price;
	l->line_total = cl.unit_price * r->quantity;	/* <= 1e11 * 100: no overflow */
	l->price_changed = cl.unit_price != r->price;
	if (!cl.available)
		l->issue = "This option is no longer sold. Remove it from the cart.";
	else if (strcmp(cl.currency, site_currency()) != 0)
		l->issue = "This product is now priced in another currency and cannot be bought here.";
	else
		l->available = true;
	return E_OK;
}

/* Stock flags for every line, from one inventory query. */
static ecode
stock(arena *a, cart *c, error *e)
{
	inv_item *items;
	inv_availability *av;

	if (c->nlines == 0)
		return E_OK;
	items = arena_calloc(a, c->nlines, sizeof *items);
	av = arena_calloc(a, c->nlines, sizeof *av);
	if (items == NULL || av == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < c->nlines; i++)
		items[i] = (inv_item){ c->lines[i].product_id, c->lines[i].variant_id,
		    c->lines[i].quantity };
	if (inventory_availability(a, items, c->nlines, av, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < c->nlines; i++) {
		cart_line *l = &c->lines[i];
		l->stock = av[i].available;
		l->in_stock = av[i].in_stock;
		if (!l->available)
			continue;
		if (!av[i].in_stock && av[i].available <= 0)
			l->issue = "Out of stock at the moment.";
		else if (!av[i].in_stock)
			l->issue = arena_printf(a, "Only %lld left: lower the quantity to buy it.",
			    (long long)av[i].available);
		l->purchasable = av[i].in_stock;
	}
	return E_OK;
}

/* The estimate of cart.h's shipping line; nothing for an empty basket. */
static int64_t
shipping_estimate(int64_t subtotal, size_t nbuyable, int64_t *free_from)
{
	const ship_table *t = checkout_ship_table();
	const ship_method *m = t != NULL && t->n > 0 ? &t->m[0] : NULL;

	*free_from = m != NULL ? m->free_from : -1;
	if (nbuyable == 0 || m == NULL || (m->free_from >= 0 && subtotal >= m->free_from))
		return 0;
	return m->price;
}

ecode
cart_price(arena *a, cart *c, error *e)
{
	price_line *pl = arena_calloc(a, c->nlines > 0 ? c->nlines : 1, sizeof *pl);
	price_input in = { 0 };
	price_result pr;
	int64_t subtotal = 0;
	size_t n = 0;

	if (pl == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < c->nlines; i++) {
		const cart_line *l = &c->lines[i];
		if (!l->purchasable)
			continue;
		pl[n++] = (price_line){ l->product_id, l->variant_id, l->category_id,
		    l->unit_price, l->quantity };
		subtotal += l->line_total;
	}
	in.lines = pl;
	in.nlines = n;
	in.currency = c->currency;
	in.shipping = shipping_estimate(subtotal, n, &c->free_shipping_from);
	in.user_id = c->user_id;
	in.codes = c->codes;
	in.ncodes = c->ncodes;
	memset(&pr, 0, sizeof pr);
	if (campaign_price(a, &in, &pr, e) != E_OK)
		return e->code;
	c->subtotal = pr.subtotal;
	c->discount_total = pr.discount_total;
	c->shipping = pr.shipping;
	c->total = pr.total;
	c->warnings = pr.warnings;
	c->nwarnings = pr.nwarnings;
	c->invalid_codes = pr.invalid_codes;
	c->ninvalid = pr.ninvalid;
	c->ndiscounts = 0;
	c->discounts = arena_calloc(a, pr.napplied > 0 ? pr.napplied : 1, sizeof *c->discounts);
	if (c->discounts == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < pr.napplied; i++) {
		const applied_discount *d = &pr.applied[i];
		c->discounts[c->ndiscounts++] = (cart_discount){ d->campaign_id, d->code, d->name,
		    d->type, d->amount, d->free_shipping };
	}
	return E_OK;
}

ecode
cart_get(arena *a, const cart_ref *ref, cart *out, error *e)
{
	cart_raw raw;
	const char *key = NULL;

	memset(out, 0, sizeof *out);
	out->currency = site_currency();
	out->user_id = ref->user_id;
	if (ref->user_id != NULL)
		key = arena_printf(a, "cart:u:%s", ref->user_id);
	else if (ref->guest_id != NULL)
		key = arena_printf(a, "cart:g:%s", ref->guest_id);
	if (key != NULL) {
		if (store_cart_read(a, key, &raw, e) != E_OK)
			return e->code;
		if (raw.exists) {
			out->id = raw.id;
			out->version = raw.version;
			out->expires_at = (int64_t)time(NULL) + raw.ttl_s;
			out->codes = raw.codes;
			out->ncodes = raw.ncodes;
		}
		if (raw.nlines > 0 &&
		    (out->lines = arena_calloc(a, raw.nlines, sizeof *out->lines)) == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
		for (size_t i = 0; i < raw.nlines; i++) {
			if (enrich(a, &raw.lines[i], &out->lines[i], e) != E_OK)
				return e->code;
			out->item_count += raw.lines[i].quantity;
		}
		out->nlines = raw.nlines;
	}
	if (stock(a, out, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < out->nlines; i++)
		if (out->lines[i].issue != NULL || out->lines[i].price_changed)
			out->has_issues = true;
	return cart_price(a, out, e);
}
