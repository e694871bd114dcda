/*
 * admin_products.c — /admin/products: the product list (search, filters,
 * sort, pagination), the new-product form, one product's page (its form,
 * publish / back to draft, archive behind a confirmation page, its
 * variants with their stock per warehouse, its images).  The variant
 * pages are admin_variants.c's, the images' admin_images.c's, what the
 * catalog pages share admin_catalog.c's.
 *
 * Sellers use these pages too, for their own products only: the list is
 * filtered to their id and any other product is "not found", even a
 * published one the shop shows (admin_product_load).  Every rule —
 * required fields, slugs, SKUs, who owns what — is the catalog's
 * (lib/product): a form becomes the JSON body the API would send, the
 * domain validates it, and its field messages are shown next to the
 * fields.  Prices are typed in major units ("19.90") and become minor
 * units here, with the currency's number of decimals.
 */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/parse.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "admin.h"
#include "admin_catalog.h"

#define PRODUCTS_URL "/admin/products"

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Brands as options (the first BRAND_OPTIONS_MAX by name). */
#define BRAND_OPTIONS_MAX 500

static ecode
brand_options(request *req, const char *selected, json_object **out, brand_page *all,
    error *e)
{
	page pg = { 1, PAGE_MAX_SIZE, 0 };
	brand_page bp = { 0 };

	*out = json_object_new_array();
	memset(all, 0, sizeof *all);
	all->items = arena_calloc(req->a, BRAND_OPTIONS_MAX, sizeof *all->items);
	if (all->items == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	do {
		if (brand_list(req->a, &pg, &bp, e) != E_OK) {
			json_object_put(*out);
			return e->code;
		}
		for (size_t i = 0; i < bp.n && all->n < BRAND_OPTIONS_MAX; i++) {
			all->items[all->n++] = bp.items[i];
			json_object_array_add(*out, admin_option(bp.items[i].id, bp.items[i].name,
			    same(selected, bp.items[i].id)));
		}
		pg.page++;
		pg.offset += pg.per_page;
	} while (bp.n == (size_t)pg.per_page && all->n < BRAND_OPTIONS_MAX);
	return E_OK;
}

static const char *
price_text(request *req, int64_t minor, const char *currency)
{
	int d = currency_digits(currency);

	return decimal_format(req->a, minor, d < 0 ? 2 : d);
}

/* ------------------------------------------------------------ the list */

static const struct {
	const char *value, *label;
} sorts[] = {
	{ "newest", "Newest first" }, { "name_asc", "Name A–Z" }, { "name_desc", "Name Z–A" },
	{ "price_asc", "Price, lowest first" }, { "price_desc", "Price, highest first" },
};

static const char *const statuses[] = { "draft", "published", "archived" };

/* The list's URL with its filters, for the pagination links. */
static const char *
list_url(request *req)
{
	static const char *const keys[] = { "search", "status", "category_id", "brand_id",
	    "sort_by" };
	const char *url = PRODUCTS_URL;
	char sep = '?';

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = req_query(req, keys[i]);

		if (v == NULL || v[0] == '\0')
			continue;
		url = arena_printf(req->a, "%s%c%s=%s", url, sep, keys[i], url_encode(req->a, v));
		sep = '&';
	}
	return url;
}

static const char *
name_of_category(const category_forest *cf, const char *id)
{
	const category_node *n = id != NULL ? category_find(cf, id) : NULL;

	return n != NULL ? n->cat.name : "";
}

static const char *
name_of_brand(const brand_page *bp, const char *id)
{
	for (size_t i = 0; id != NULL && i < bp->n; i++)
		if (strcmp(bp->items[i].id, id) == 0)
			return bp->items[i].name;
	return "";
}

ecode
h_products(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	json_object *ctx, *rows, *opts, *brands;
	const char *status = req_query(req, "status"), *sort = req_query(req, "sort_by");
	category_forest cf = { 0 };
	product_filter f;
	product_page pp = { 0 };
	brand_page bp = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = product_filter_from_query(req, &f, e)) != E_OK)
		return rc;
	if (req_query(req, "per_page") == NULL)
		f.pg.per_page = ADMIN_PAGE_SIZE;
	f.pg.offset = (f.pg.page - 1) * f.pg.per_page;
	if (me.role != ROLE_ADMIN)
		f.seller_id = me.id;
	if ((rc = admin_category_forest(req, &cf, e)) != E_OK ||
	    (rc = brand_options(req, f.brand_id, &brands, &bp, e)) != E_OK)
		return rc;
	if ((rc = product_list(req->a, &who, &f, &pp, e)) != E_OK) {
		json_object_put(brands);
		return rc;
	}
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < pp.n; i++) {
		const product_summary *s = &pp.items[i];
		json_object *o = json_object_new_object();

		admin_put_str(o, "name", s->name);
		admin_put_str(o, "url", arena_printf(req->a, PRODUCTS_URL "/%s", s->id));
		admin_put_str(o, "status", product_status_name(s->status));
		admin_put_str(o, "price", money_format_a(req->a, s->base_price, s->currency));
		admin_put_str(o, "category", name_of_category(&cf, s->category_id));
		admin_put_str(o, "brand", name_of_brand(&bp, s->brand_id));
		admin_put_str(o, "updated", admin_time(req->a, s->updated_at));
		json_object_array_add(rows, o);
	}
	json_object_object_add(ctx, "rows", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(pp.total));
	admin_put_str(ctx, "search", f.search);
	opts = json_object_new_array();
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		json_object_array_add(opts, admin_option(statuses[i], statuses[i], same(status, statuses[i])));
	json_object_object_add(ctx, "statuses", opts);
	opts = json_object_new_array();
	for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
		json_object_array_add(opts, admin_option(sorts[i].value, sorts[i].label,
		    same(sort, sorts[i].value)));
	json_object_object_add(ctx, "sorts", opts);
	json_object_object_add(ctx, "categories", admin_category_options(req, &cf, f.category_id));
	json_object_object_add(ctx, "brands", brands);
	json_object_object_add(ctx, "pagination", view_pagination(req->a, list_url(req), &f.pg,
	    pp.total));
	admin_put_flag(ctx, "admin", me.role == ROLE_ADMIN);
	json_object_object_add(ctx, "crumbs", admin_crumb(json_object_new_array(), "Products", NULL));
	return admin_render(req, res, 200, "admin/products", ctx, &me, "Products", e);
}

/* ------------------------------------------------------------ the product form */

typedef struct prod_form {
	const char *name, *slug, *description, *base_price, *currency, *category_id, *brand_id;
} prod_form;

static void
prod_form_read(request *req, prod_form *f)
{
	f->name = req_form(req, "name");
	f->slug = req_form(req, "slug");
	f->description = req_form(req, "description");
	f->base_price = req_form(req, "base_price");
	f->currency = req_form(req, "currency");
	f->category_id = req_form(req, "category_id");
	f->brand_id = req_form(req, "brand_id");
}

static void
prod_form_of(request *req, const product *p, prod_form *f)
{
	f->name = p->s.name;
	f->slug = p->s.slug;
	f->description = p->s.description;
	f->base_price = price_text(req, p->s.base_price, p->s.currency);
	f->currency = p->s.currency;
	f->category_id = p->s.category_id;
	f->brand_id = p->s.brand_id;
}

/* An empty field as JSON null (clears a link), else the string. */
static void
put_id(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v != NULL && v[0] != '\0' ? json_object_new_string(v) : NULL);
}

/* The form as the body the API takes; a price that is no amount is ours. */
static json_object *
prod_json(const prod_form *f, bool create, error *ferr)
{
	json_object *o = json_object_new_object();
	const char *cur = f->currency != NULL && f->currency[0] != '\0' ? f->currency : cfg->currency;
	int d = currency_digits(cur);
	int64_t price;

	admin_put_str(o, "name", f->name);
	if (f->slug != NULL && f->slug[0] != '\0')
		admin_put_str(o, "slug", f->slug);
	else if (!create)
		err_field(ferr, "slug", "enter the address name (lower-case letters, digits and -)");
	admin_put_str(o, "description", f->description);
	admin_put_str(o, "currency", cur);
	put_id(o, "category_id", f->category_id);
	put_id(o, "brand_id", f->brand_id);
	if (d < 0)
		err_field(ferr, "currency", "enter an ISO 4217 code such as EUR");
	else if (f->base_price == NULL || parse_decimal(f->base_price, d,
	    PRODUCT_PRICE_MAX / 1000, &price) != 0 || price > PRODUCT_PRICE_MAX)
		err_field(ferr, "base_price", "enter a price such as 19.90 (at most %d decimals)", d);
	else
		json_object_object_add(o, "base_price", json_object_new_int64(price));
	return o;
}

static json_object *
prod_form_ctx(request *req, const prod_form *f, const category_forest *cf, json_object *brands,
    const error *ferr)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "name", f->name);
	admin_put_str(o, "slug", f->slug);
	admin_put_str(o, "description", f->description);
	admin_put_str(o, "base_price", f->base_price);
	admin_put_str(o, "currency", f->currency != NULL ? f->currency : cfg->currency);
	json_object_object_add(o, "categories", admin_category_options(req, cf, f->category_id));
	json_object_object_add(o, "brands", brands);
	json_object_object_add(o, "errors", ferr != NULL ? admin_field_errors(ferr) :
	    json_object_new_object());
	return o;
}

static ecode
new_render(request *req, response *res, int status, const user *me, const prod_form *f,
    const error *ferr, error *e)
{
	json_object *ctx, *brands;
	category_forest cf = { 0 };
	brand_page bp = { 0 };
	ecode rc;

	if ((rc = admin_category_forest(req, &cf, e)) != E_OK ||
	    (rc = brand_options(req, f->brand_id, &brands, &bp, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "form", prod_form_ctx(req, f, &cf, brands, ferr));
	return admin_render_form(req, res, status, "admin/product_new", ctx,
	    admin_item_crumbs("Products", PRODUCTS_URL, "New product", NULL), ferr, me,
	    "New product", e);
}

ecode
h_product_new(request *req, response *res, error *e)
{
	prod_form f = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	return new_render(req, res, 200, &me, &f, NULL, e);
}

ecode
h_product_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	product_input in = { 0 };
	prod_form f;
	json_object *body;
	product p = { 0 };
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	prod_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = prod_json(&f, true, &ferr);
	rc = product_input_from_json(req->a, body, true, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = product_create(req->a, &who, &in, &p, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "name",
	    arena_printf(req->a, PRODUCTS_URL "/%s", p.s.id), "product-created", &status, e);
	if (status == 0)
		return rc;
	return new_render(req, res, status, &me, &f, &ferr, e);
}

/* ------------------------------------------------------------ one product */

static json_object *
stock_cells(request *req, const product *p, const product_variant *v, json_object *o,
    error *e)
{
	json_object *cells = json_object_new_array();
	variant_stock st = { 0 };
	ecode rc;

	admin_put_flag(o, "untracked", false);
	rc = stock_get(req->a, p->s.id, v->id, &st, e);
	if (rc == E_NOT_FOUND) {
		err_clear(e);
		admin_put_flag(o, "untracked", true);
		return cells;
	}
	if (rc != E_OK) {
		json_object_put(cells);
		return NULL;
	}
	for (size_t i = 0; i < st.nrows; i++) {
		json_object *c = json_object_new_object();

		admin_put_str(c, "code", st.rows[i].warehouse_code);
		admin_put_str(c, "name", st.rows[i].warehouse_name);
		json_object_object_add(c, "available", json_object_new_int64(st.rows[i].available));
		json_object_object_add(c, "on_hand", json_object_new_int64(st.rows[i].on_hand));
		admin_put_flag(c, "low", st.rows[i].is_low);
		json_object_array_add(cells, c);
	}
	json_object_object_add(o, "available", json_object_new_int64(st.available));
	return cells;
}

static ecode
variant_rows(request *req, const user *me, const product *p, json_object **out, error *e)
{
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < p->nvariants; i++) {
		const product_variant *v = &p->variants[i];
		json_object *o = json_object_new_object(), *cells;

		admin_put_str(o, "sku", v->sku);
		admin_put_str(o, "name", v->name);
		admin_put_str(o, "price", money_format_a(req->a, v->effective_price, v->currency));
		admin_put_flag(o, "own_price", v->has_price);
		admin_put_str(o, "attributes", admin_variant_attrs(req, v));
		admin_put_flag(o, "active", v->is_active);
		admin_put_str(o, "url", arena_printf(req->a, PRODUCTS_URL "/%s/variants/%s",
		    p->s.id, v->id));
		/* the stock pages are the admins' */
		if (me->role == ROLE_ADMIN)
			admin_put_str(o, "stock_url", arena_printf(req->a, "/admin/inventory/%s/%s",
			    p->s.id, v->id));
		if ((cells = stock_cells(req, p, v, o, e)) == NULL) {
			json_object_put(o);
			json_object_put(rows);
			return e->code;
		}
		json_object_object_add(o, "warehouses", cells);
		json_object_array_add(rows, o);
	}
	*out = rows;
	return E_OK;
}

static json_object *
image_rows(request *req, const product *p)
{
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < p->nimages; i++) {
		const product_image *im = &p->images[i];
		json_object *o = json_object_new_object();

		admin_put_str(o, "id", im->id);
		admin_put_str(o, "src", im->url);
		admin_put_str(o, "alt_text", im->alt_text);
		admin_put_str(o, "sort_order", arena_printf(req->a, "%d", (int)im->sort_order));
		admin_put_flag(o, "primary", im->is_primary);
		admin_put_str(o, "url", arena_printf(req->a, PRODUCTS_URL "/%s/images/%s", p->s.id,
		    im->id));
		json_object_array_add(rows, o);
	}
	return rows;
}

/* The product page; pf/perr keep a refused product form, vform/verror a
 * refused new variant (either may be NULL; vform is consumed). */
static ecode
product_render(request *req, response *res, int status, const user *me, const product *p,
    const prod_form *pf, const error *perr, json_object *vform, const char *verror, error *e)
{
	json_object *ctx, *brands, *variants = NULL;
	category_forest cf = { 0 };
	brand_page bp = { 0 };
	prod_form cur;
	ecode rc;

	prod_form_of(req, p, &cur);
	if (pf == NULL)
		pf = &cur;
	if ((rc = admin_category_forest(req, &cf, e)) != E_OK ||
	    (rc = brand_options(req, pf->brand_id, &brands, &bp, e)) != E_OK) {
		json_object_put(vform);
		return rc;
	}
	if ((rc = variant_rows(req, me, p, &variants, e)) != E_OK) {
		json_object_put(brands);
		json_object_put(vform);
		return rc;
	}
	ctx = json_object_new_object();
	admin_put_str(ctx, "id", p->s.id);
	admin_put_str(ctx, "name", p->s.name);
	admin_put_str(ctx, "url", arena_printf(req->a, PRODUCTS_URL "/%s", p->s.id));
	admin_put_str(ctx, "status", product_status_name(p->s.status));
	admin_put_flag(ctx, "published", p->s.status == PRODUCT_PUBLISHED);
	admin_put_flag(ctx, "archived", p->s.status == PRODUCT_ARCHIVED);
	admin_put_str(ctx, "shop_url", arena_printf(req->a, "/p/%s", p->s.slug));
	admin_put_str(ctx, "base_price", money_format_a(req->a, p->s.base_price, p->s.currency));
	admin_put_str(ctx, "currency", p->s.currency);
	admin_put_str(ctx, "updated", admin_time(req->a, p->s.updated_at));
	admin_put_str(ctx, "published_at", admin_time(req->a, p->s.published_at));
	json_object_object_add(ctx, "form", prod_form_ctx(req, pf, &cf, brands, perr));
	json_object_object_add(ctx, "variants", variants);
	json_object_object_add(ctx, "images", image_rows(req, p));
	json_object_object_add(ctx, "variant_form", vform != NULL ? vform :
	    admin_variant_form_blank());
	admin_put_flag(ctx, "uploads", ADMIN_IMAGE_UPLOADS != 0);
	/* the audit log is the admins' */
	if (me->role == ROLE_ADMIN)
		admin_put_str(ctx, "history_url", arena_printf(req->a, "/admin/audit?entity_id=%s",
		    p->s.id));
	if (verror != NULL)
		admin_put_str(ctx, "variant_error", verror);
	return admin_render_form(req, res, status, "admin/product", ctx,
	    admin_item_crumbs("Products", PRODUCTS_URL, p->s.name, NULL), perr, me, p->s.name, e);
}

ecode
admin_product_page(request *req, response *res, int status, const user *me, const product *p,
    const char *message, error *e)
{
	error perr;

	if (message == NULL)
		return product_render(req, res, status, me, p, NULL, NULL, NULL, NULL, e);
	err_clear(&perr);
	snprintf(perr.message, sizeof perr.message, "%s", message);
	return product_render(req, res, status, me, p, NULL, &perr, NULL, NULL, e);
}

ecode
admin_product_with_variant_form(request *req, response *res, int status, const user *me,
    const product *p, json_object *vform, const char *verror, error *e)
{
	return product_render(req, res, status, me, p, NULL, NULL, vform, verror, e);
}

ecode
h_product(request *req, response *res, error *e)
{
	product p = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	return product_render(req, res, 200, &me, &p, NULL, NULL, NULL, NULL, e);
}

ecode
h_product_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	product_input in = { 0 };
	json_object *body;
	prod_form f;
	product p = { 0 }, out = { 0 };
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	prod_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = prod_json(&f, false, &ferr);
	rc = product_input_from_json(req->a, body, false, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = product_update(req->a, &who, p.s.id, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "name",
	    arena_printf(req->a, PRODUCTS_URL "/%s", p.s.id), "product-saved", &status, e);
	if (status == 0)
		return rc;
	return product_render(req, res, status, &me, &p, &f, &ferr, NULL, NULL, e);
}

/* POST status=published|draft: publish, or take back to draft. */
ecode
h_product_status(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *s = req_form(req, "status");
	product_input in = { 0 };
	product p = { 0 }, out = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	if (s == NULL || product_status_parse(s, &in.status) != 0 || in.status == PRODUCT_ARCHIVED)
		return err_set(e, E_INVALID_INPUT, "status must be published or draft");
	in.set = PI_STATUS;
	if ((rc = product_update(req->a, &who, p.s.id, &in, &out, e)) != E_OK)
		return rc;
	return admin_flash(req, res, arena_printf(req->a, PRODUCTS_URL "/%s", p.s.id),
	    in.status == PRODUCT_PUBLISHED ? "product-published" : "product-unpublished", e);
}

ecode
h_product_archive_confirm(request *req, response *res, error *e)
{
	const char *url;
	product p = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	url = arena_printf(req->a, PRODUCTS_URL "/%s", p.s.id);
	return admin_confirm_render(req, res, &me,
	    admin_item_crumbs("Products", PRODUCTS_URL, p.s.name, url), "Archive product",
	    arena_printf(req->a, "Archive “%s”? The shop stops showing it; orders that "
	    "contain it keep it. You can publish it again later.", p.s.name),
	    arena_printf(req->a, "%s/archive", url), "Archive", url, e);
}

ecode
h_product_archive(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	product p = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	if ((rc = product_archive(req->a, &who, p.s.id, e)) != E_OK)
		return rc;
	return admin_flash(req, res, arena_printf(req->a, PRODUCTS_URL "/%s", p.s.id),
	    "product-archived", e);
}

