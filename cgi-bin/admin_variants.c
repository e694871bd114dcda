/*
 * admin_variants.c — a product's variants on the admin pages: the "add a
 * variant" form of the product page, one variant's edit page, and its
 * deletion behind a confirmation page.  Attributes are typed as
 * "size=M; colour=Red" (read by the catalog, variant_attrs_from_text),
 * prices in major units; the rules (SKU format and uniqueness, bounds)
 * are the catalog's.  Owners as on every product page: an admin, or the
 * product's seller.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "admin.h"
#include "admin_catalog.h"

#define PRODUCTS_URL "/admin/products"

typedef struct var_form {
	const char *sku, *name, *price, *attributes, *weight_grams, *active, *sort_order;
} var_form;

static json_object *
var_form_ctx(const var_form *f, const error *verr)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "sku", f != NULL ? f->sku : "");
	admin_put_str(o, "name", f != NULL ? f->name : "");
	admin_put_str(o, "price", f != NULL ? f->price : "");
	admin_put_str(o, "attributes", f != NULL ? f->attributes : "");
	admin_put_str(o, "weight_grams", f != NULL ? f->weight_grams : "");
	admin_put_str(o, "sort_order", f != NULL ? f->sort_order : "");
	admin_put_flag(o, "active", f == NULL || f->active != NULL);
	json_object_object_add(o, "errors", verr != NULL ? admin_field_errors(verr) :
	    json_object_new_object());
	return o;
}

json_object *
admin_variant_form_blank(void)
{
	return var_form_ctx(NULL, NULL);
}

static void
var_form_read(request *req, var_form *f)
{
	f->sku = req_form(req, "sku");
	f->name = req_form(req, "name");
	f->price = req_form(req, "price");
	f->attributes = req_form(req, "attributes");
	f->weight_grams = req_form(req, "weight_grams");
	f->active = req_form(req, "active");
	f->sort_order = req_form(req, "sort_order");
}

/* "size=M; colour=Red" as a JSON object (the catalog's reading of the
 * text, as for the CSV column); NULL and a field error when it is not. */
static json_object *
attrs_json(request *req, const char *s, error *ferr)
{
	const char *text = variant_attrs_from_text(req->a, s != NULL ? s : "");
	json_object *o = text != NULL ? json_tokener_parse(text) : NULL;

	if (o == NULL)
		err_field(ferr, "attributes", "write attributes as name=value pairs separated "
		    "by semicolons, such as size=M; colour=Red");
	return o;
}

static json_object *
var_json(request *req, const var_form *f, const char *currency, bool create, error *ferr)
{
	json_object *o = json_object_new_object(), *attrs;
	int d = currency_digits(currency);
	int64_t n;

	if (create || (f->sku != NULL && f->sku[0] != '\0'))
		admin_put_str(o, "sku", f->sku);
	admin_put_str(o, "name", f->name);
	if (f->price == NULL || f->price[0] == '\0')
		json_object_object_add(o, "price", NULL);	/* the base price */
	else if (parse_decimal(f->price, d < 0 ? 2 : d, PRODUCT_PRICE_MAX / 1000, &n) != 0 ||
	    n > PRODUCT_PRICE_MAX)
		err_field(ferr, "price", "enter a price such as 19.90, or leave it empty for the "
		    "product's price");
	else
		json_object_object_add(o, "price", json_object_new_int64(n));
	if ((attrs = attrs_json(req, f->attributes, ferr)) != NULL)
		json_object_object_add(o, "attributes", attrs);
	if (f->weight_grams != NULL && f->weight_grams[0] != '\0') {
		if (parse_i64(f->weight_grams, 0, VARIANT_WEIGHT_MAX, &n) != 0)
			err_field(ferr, "weight_grams", "enter whole grams from 0 to %d",
			    VARIANT_WEIGHT_MAX);
		else
			json_object_object_add(o, "weight_grams", json_object_new_int64(n));
	}
	if (f->sort_order != NULL && f->sort_order[0] != '\0') {
		if (parse_i64(f->sort_order, SORT_ORDER_MIN, SORT_ORDER_MAX, &n) != 0)
			err_field(ferr, "sort_order", "enter a whole number");
		else
			json_object_object_add(o, "sort_order", json_object_new_int64(n));
	}
	json_object_object_add(o, "is_active", json_object_new_boolean(f->active != NULL));
	return o;
}

ecode
h_variant_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	variant_input in = { 0 };
	product_variant out = { 0 };
	json_object *body;
	var_form f;
	product p = { 0 };
	error ferr, v;
	user me;
	bool done;
	int status;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	var_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = var_json(req, &f, p.s.currency, true, &ferr);
	rc = variant_input_from_json(req->a, body, true, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = variant_create(req->a, &who, p.s.id, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "sku",
	    arena_printf(req->a, PRODUCTS_URL "/%s#variants", p.s.id), "variant-added", &status, e);
	if (status == 0)
		return rc;
	return admin_product_with_variant_form(req, res, status, &me, &p, var_form_ctx(&f, &ferr),
	    ferr.message, e);
}

typedef struct var_target {
	product p;
	const product_variant *v;
} var_target;

static ecode
load_variant(request *req, const user *me, var_target *t, error *e)
{
	const char *vid = req_param(req, "vid");

	t->v = NULL;
	if (admin_product_load(req, me, req_param(req, "id"), &t->p, e) != E_OK)
		return e->code;
	for (size_t i = 0; vid != NULL && i < t->p.nvariants; i++)
		if (strcmp(t->p.variants[i].id, vid) == 0)
			t->v = &t->p.variants[i];
	if (t->v == NULL)
		return err_set(e, E_NOT_FOUND, "this product has no such variant");
	return E_OK;
}

static ecode
variant_render(request *req, response *res, int status, const user *me, const var_target *t,
    const var_form *f, const error *ferr, error *e)
{
	json_object *ctx = json_object_new_object(), *crumbs;
	const char *purl = arena_printf(req->a, PRODUCTS_URL "/%s", t->p.s.id);
	var_form cur;
	int d = currency_digits(t->p.s.currency);

	if (f == NULL) {
		cur.sku = t->v->sku;
		cur.name = t->v->name;
		cur.price = t->v->has_price ? decimal_format(req->a, t->v->price, d < 0 ? 2 : d) : "";
		cur.attributes = admin_variant_attrs(req, t->v);
		cur.weight_grams = t->v->has_weight ? arena_printf(req->a, "%d",
		    (int)t->v->weight_grams) : "";
		cur.active = t->v->is_active ? "1" : NULL;
		cur.sort_order = arena_printf(req->a, "%d", (int)t->v->sort_order);
		f = &cur;
	}
	json_object_object_add(ctx, "form", var_form_ctx(f, ferr));
	admin_put_str(ctx, "product", t->p.s.name);
	admin_put_str(ctx, "product_url", purl);
	admin_put_str(ctx, "sku", t->v->sku);
	admin_put_str(ctx, "currency", t->p.s.currency);
	admin_put_str(ctx, "url", arena_printf(req->a, "%s/variants/%s", purl, t->v->id));
	crumbs = admin_item_crumbs("Products", PRODUCTS_URL, t->p.s.name, purl);
	return admin_render_form(req, res, status, "admin/variant", ctx,
	    admin_crumb(crumbs, t->v->sku, NULL), ferr, me,
	    arena_printf(req->a, "Variant %s", t->v->sku), e);
}

ecode
h_variant(request *req, response *res, error *e)
{
	var_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_variant(req, &me, &t, e)) != E_OK)
		return rc;
	return variant_render(req, res, 200, &me, &t, NULL, NULL, e);
}

ecode
h_variant_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	variant_input in = { 0 };
	product_variant out = { 0 };
	json_object *body;
	var_target t = { 0 };
	var_form f;
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_variant(req, &me, &t, e)) != E_OK)
		return rc;
	var_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = var_json(req, &f, t.p.s.currency, false, &ferr);
	rc = variant_input_from_json(req->a, body, false, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = variant_update(req->a, &who, t.p.s.id, t.v->id, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "sku",
	    arena_printf(req->a, PRODUCTS_URL "/%s#variants", t.p.s.id), "variant-saved", &status,
	    e);
	if (status == 0)
		return rc;
	return variant_render(req, res, status, &me, &t, &f, &ferr, e);
}

ecode
h_variant_delete_confirm(request *req, response *res, error *e)
{
	const char *purl;
	var_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_variant(req, &me, &t, e)) != E_OK)
		return rc;
	purl = arena_printf(req->a, PRODUCTS_URL "/%s", t.p.s.id);
	return admin_confirm_render(req, res, &me,
	    admin_item_crumbs("Products", PRODUCTS_URL, t.p.s.name, purl), "Delete variant",
	    arena_printf(req->a, "Delete the variant %s (%s)? Its stock rows stay with the "
	    "inventory; orders that contain it keep their lines.", t.v->sku, t.v->name),
	    arena_printf(req->a, "%s/variants/%s/delete", purl, t.v->id), "Delete variant",
	    arena_printf(req->a, "%s/variants/%s", purl, t.v->id), e);
}

ecode
h_variant_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	var_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_variant(req, &me, &t, e)) != E_OK ||
	    (rc = variant_delete(req->a, &who, t.p.s.id, t.v->id, e)) != E_OK)
		return rc;
	return admin_flash(req, res, arena_printf(req->a, PRODUCTS_URL "/%s#variants", t.p.s.id),
	    "variant-deleted", e);
}
