/*
 * store_product.c — /p/{slug}: gallery, price, variant choice, rating
 * summary and reviews, related products.
 *
 * Choosing a variant is a GET form (?variant=<id>) so it works without
 * JavaScript: the page comes back with that variant's price and SKU.  An
 * out-of-stock variant gets the "E-mail me when it is back" form
 * (store_restock.c takes its POST).
 */
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "store.h"

#define RELATED_ON_PAGE 8
#define REVIEWS_ON_PAGE 6
/* At or below this many units the page says "Only N left". */
#define LOW_STOCK_SHOWN 5

static const char *
stars(int avg_x100)
{
	static const char *const s[] = { "☆☆☆☆☆", "★☆☆☆☆", "★★☆☆☆", "★★★☆☆", "★★★★☆", "★★★★★" };
	int n = (avg_x100 + 50) / 100;

	return s[n < 0 ? 0 : n > 5 ? 5 : n];
}

static json_object *
images_json(arena *a, const product *p)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < p->nimages; i++) {
		const product_image *im = &p->images[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "url", json_object_new_string(im->url));
		json_object_object_add(o, "alt", json_object_new_string(im->alt_text[0] != '\0' ?
		    im->alt_text : p->s.name));
		json_object_object_add(o, "width", json_object_new_int(im->width > 0 ? im->width : 800));
		json_object_object_add(o, "height", json_object_new_int(im->height > 0 ? im->height : 800));
		if (i == 0)
			json_object_object_add(o, "main", json_object_new_boolean(1));
		json_object_object_add(o, "lazy", json_object_new_boolean(i != 0));
		store_image_srcset(a, o, im->media_id, i == 0 ? STORE_MAIN_SIZES : STORE_THUMB_SIZES);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* "M / Navy" from the attributes, else the variant's name. */
static const char *
variant_label(arena *a, const product_variant *v)
{
	const char *s = NULL;

	for (size_t i = 0; i < v->nattributes; i++)
		s = s == NULL ? v->attributes[i].value : arena_printf(a, "%s / %s", s, v->attributes[i].value);
	return s != NULL ? s : v->name;
}

/* Variants, the chosen one, and the price line. */
static void
variants_json(arena *a, const product *p, const char *chosen, json_object *ctx)
{
	json_object *arr = json_object_new_array();
	const product_variant *sel = NULL;
	int64_t lo = p->s.base_price, hi = p->s.base_price;
	size_t active = 0;

	for (size_t i = 0; i < p->nvariants; i++) {
		const product_variant *v = &p->variants[i];
		json_object *o;

		if (!v->is_active)
			continue;
		if (active == 0 || v->effective_price < lo)
			lo = v->effective_price;
		if (active == 0 || v->effective_price > hi)
			hi = v->effective_price;
		active++;
		if (chosen != NULL && strcmp(chosen, v->id) == 0)
			sel = v;
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(v->id));
		json_object_object_add(o, "label", json_object_new_string(variant_label(a, v)));
		json_object_object_add(o, "price", json_object_new_string(store_money(a, v->effective_price, v->currency)));
		json_object_object_add(o, "sku", json_object_new_string(v->sku));
		if (chosen != NULL && strcmp(chosen, v->id) == 0)
			json_object_object_add(o, "checked", json_object_new_boolean(1));
		json_object_array_add(arr, o);
	}
	if (active > 0)
		json_object_object_add(ctx, "variants", arr);
	else
		json_object_put(arr);
	if (sel != NULL) {
		json_object_object_add(ctx, "price", json_object_new_string(store_money(a, sel->effective_price, sel->currency)));
		json_object_object_add(ctx, "price_minor", json_object_new_int64(sel->effective_price));
		json_object_object_add(ctx, "sku", json_object_new_string(sel->sku));
		json_object_object_add(ctx, "variant_label", json_object_new_string(variant_label(a, sel)));
	} else {
		json_object_object_add(ctx, "price", json_object_new_string(store_money(a, lo, p->s.currency)));
		json_object_object_add(ctx, "price_minor", json_object_new_int64(lo));
		if (lo != hi)
			json_object_object_add(ctx, "price_from", json_object_new_boolean(1));
	}
}

static json_object *
rating_json(arena *a, const rating_summary *r)
{
	json_object *o = json_object_new_object(), *hist = json_object_new_array();
	int avg = rating_average_x100(r);

	json_object_object_add(o, "average", json_object_new_string(arena_printf(a, "%d.%d", avg / 100, (avg % 100) / 10)));
	json_object_object_add(o, "stars", json_object_new_string(stars(avg)));
	json_object_object_add(o, "count", json_object_new_int64(r->count));
	for (int s = 5; s >= 1; s--) {
		json_object *row = json_object_new_object();
		json_object_object_add(row, "stars", json_object_new_int(s));
		json_object_object_add(row, "count", json_object_new_int64(r->histogram[s - 1]));
		json_object_object_add(row, "total", json_object_new_int64(r->count));
		json_object_array_add(hist, row);
	}
	json_object_object_add(o, "histogram", hist);
	return o;
}

static json_object *
reviews_json(arena *a, const review_page *rp)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < rp->n; i++) {
		const review *r = &rp->items[i];
		json_object *o = json_object_new_object();
		char when[21];
		time_rfc3339(r->created_at, when);
		when[10] = '\0';
		json_object_object_add(o, "stars", json_object_new_string(stars(r->rating * 100)));
		json_object_object_add(o, "rating", json_object_new_int(r->rating));
		json_object_object_add(o, "title", json_object_new_string(r->title));
		json_object_object_add(o, "body", json_object_new_string(r->body != NULL ? r->body : ""));
		json_object_object_add(o, "date", json_object_new_string(arena_strdup(a, when)));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *
crumbs(arena *a, const product *p)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < p->ncategory_path; i++) {
		json_object *c = json_object_new_object();
		json_object_object_add(c, "name", json_object_new_string(p->category_path[i].name));
		json_object_object_add(c, "url", json_object_new_string(arena_printf(a, "/c/%s", p->category_path[i].slug)));
		json_object_array_add(arr, c);
	}
	return arr;
}

/*
 * "E-mail me when it is back": the form for the chosen variant when it is
 * out of stock, or — nothing chosen, nothing in stock — a choice of the
 * variants.  form (borrowed, may be NULL) is what a refused POST brings
 * back: {email, errors{email}}; the address is otherwise the signed-in
 * customer's.
 */
static void
restock_json(request *req, const char *tok, const product *p, const inv_availability *av,
    size_t n, const inv_availability *sel, json_object *form, json_object *ctx)
{
	json_object *o, *opts = json_object_new_array(), *v;

	if (!opts || !tok) {
		json_object_put(opts);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (av[i].in_stock || (sel != NULL && sel != &av[i]))
			continue;
		for (size_t j = 0; j < p->nvariants; j++) {
			json_object *opt;

			if (strcmp(p->variants[j].id, av[i].variant_id) != 0 ||
			    !(opt = json_object_new_object()))
				continue;
			json_object_object_add(opt, "id", json_object_new_string(av[i].variant_id));
			json_object_object_add(opt, "label", json_object_new_string(
			    variant_label(req->a, &p->variants[j])));
			json_object_array_add(opts, opt);
		}
	}
	if (json_object_array_length(opts) == 0 || !(o = json_object_new_object())) {
		json_object_put(opts);
		return;
	}
	if (sel != NULL || json_object_array_length(opts) == 1)
		json_object_object_add(o, "variant", json_object_get(json_object_array_get_idx(opts, 0)));
	json_object_object_add(o, "options", opts);
	json_object_object_add(o, "csrf", json_object_new_string(tok));
	json_object_object_add(o, "action", json_object_new_string(
	    arena_printf(req->a, "/p/%s/restock", p->s.slug)));
	if (form != NULL && json_object_object_get_ex(form, "email", &v))
		json_object_object_add(o, "email", json_object_get(v));
	else
		json_object_object_add(o, "email", json_object_new_string(
		    req->user_email != NULL ? req->user_email : ""));
	if (form != NULL && json_object_object_get_ex(form, "errors", &v))
		json_object_object_add(o, "errors", json_object_get(v));
	json_object_object_add(ctx, "restock", o);
}

/*
 * "In stock" / "Only N left" / "Out of stock" for the chosen variant (or
 * the only one), or for the product as a whole when none is chosen: one
 * batch call for every active variant.  The page never fails for it — if
 * the inventory cannot be asked, the line is simply left out.
 */
static void
availability_json(request *req, const char *tok, const product *p, const char *chosen,
    json_object *form, json_object *ctx)
{
	inv_item *items = arena_calloc(req->a, p->nvariants ? p->nvariants : 1, sizeof *items);
	inv_availability *av = arena_calloc(req->a, p->nvariants ? p->nvariants : 1, sizeof *av);
	const inv_availability *sel = NULL;
	json_object *o;
	int64_t total = 0;
	size_t n = 0;
	error e;

	if (!items || !av)
		return;
	for (size_t i = 0; i < p->nvariants; i++)
		if (p->variants[i].is_active)
			items[n++] = (inv_item){ p->s.id, p->variants[i].id, 1 };
	err_clear(&e);
	if (n == 0 || inventory_availability_display(req->a, items, n, av, &e) != E_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		if ((chosen && strcmp(chosen, av[i].variant_id) == 0) || n == 1)
			sel = &av[i];
		total += av[i].available;
	}
	if (!(o = json_object_new_object()))
		return;
	if (sel)
		total = sel->in_stock ? sel->available : 0;
	if (total <= 0) {
		json_object_object_add(o, "text", json_object_new_string("Out of stock"));
		json_object_object_add(o, "class", json_object_new_string("out"));
	} else if (sel && total <= LOW_STOCK_SHOWN) {
		json_object_object_add(o, "text", json_object_new_string(
		    arena_printf(req->a, "Only %lld left", (long long)total)));
		json_object_object_add(o, "class", json_object_new_string("low"));
	} else {
		json_object_object_add(o, "text", json_object_new_string("In stock"));
		json_object_object_add(o, "class", json_object_new_string("in"));
	}
	json_object_object_add(ctx, "availability", o);
	/* nothing chosen: only when nothing can be bought (the page says
	 * "In stock" otherwise, and choosing an option tells which is out) */
	if (sel != NULL || total <= 0)
		restock_json(req, tok, p, av, n, sel, form, ctx);
}

/* First sentence-ish of the description for the meta description. */
static const char *
summary(arena *a, const product *p)
{
	const char *d = p->s.description != NULL ? p->s.description : "";
	size_t n = strlen(d);

	if (n == 0)
		return arena_printf(a, "%s — details, sizes and reviews.", p->s.name);
	if (n > 155) {
		n = 155;
		while (n > 0 && (d[n] & 0xC0) == 0x80)	/* not inside a UTF-8 sequence */
			n--;
	}
	return arena_strndup(a, d, n);
}

ecode
h_product(request *req, response *res, error *e)
{
	return store_product_page(req, res, req_param(req, "slug"), req_query(req, "variant"),
	    NULL, 200, e);
}

ecode
store_product_page(request *req, response *res, const char *slug, const char *chosen,
    json_object *form, int status, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *tok;
	page rpg = { 1, REVIEWS_ON_PAGE, 0 };
	product p;
	product_summary *rel;
	size_t nrel;
	review_page rp;
	json_object *ctx, *err;
	ecode rc;

	if (chosen != NULL && !uuid_valid(chosen))
		return err_set(e, E_INVALID_PARAMETER, "that variant does not exist");
	if ((rc = product_get(req->a, &who, slug, &p, e)) != E_OK) {
		if (rc == E_NOT_FOUND)
			err_set(e, E_NOT_FOUND, "We could not find that product. It may be sold out "
			    "for good — try the search or browse the categories.");
		return rc;
	}
	if ((rc = product_related(req->a, &p, RELATED_ON_PAGE, &rel, &nrel, e)) != E_OK ||
	    (rc = review_list(req->a, &who, p.s.id, &rpg, &rp, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "name", json_object_new_string(p.s.name));
	json_object_object_add(ctx, "url", json_object_new_string(arena_printf(req->a, "/p/%s", p.s.slug)));
	json_object_object_add(ctx, "product_id", json_object_new_string(p.s.id));
	json_object_object_add(ctx, "description", json_object_new_string(p.s.description != NULL ? p.s.description : ""));
	if (p.has_brand)
		json_object_object_add(ctx, "brand", json_object_new_string(p.brand.name));
	json_object_object_add(ctx, "breadcrumbs", crumbs(req->a, &p));
	json_object_object_add(ctx, "images", images_json(req->a, &p));
	variants_json(req->a, &p, chosen, ctx);
	/* one token for every form of the page: a first visit sets its cookie once */
	tok = csrf_token(req, res);
	availability_json(req, tok, &p, chosen, form, ctx);
	if (form != NULL && json_object_object_get_ex(form, "error", &err))
		json_object_object_add(ctx, "restock_error", json_object_get(err));
	if (p.s.rating.count > 0)
		json_object_object_add(ctx, "rating", rating_json(req->a, &p.s.rating));
	json_object_object_add(ctx, "reviews", reviews_json(req->a, &rp));
	if (nrel > 0)
		json_object_object_add(ctx, "related", store_cards(req->a, rel, nrel));
	/* add to cart: a form for guests too, so it carries its own token */
	if (tok != NULL)
		json_object_object_add(ctx, "cart_csrf", json_object_new_string(tok));
	return store_render_status(req, res, status, "store/product", ctx, p.s.name,
	    summary(req->a, &p), e);
}
