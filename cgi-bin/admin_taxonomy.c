/*
 * admin_taxonomy.c — /admin/categories and /admin/brands (admins only).
 *
 * Categories are shown as the tree they are (nested lists), each with
 * buttons to move it up or down among its siblings; moving it under
 * another parent is its form's "parent" field.  Reordering renumbers the
 * siblings 10, 20, 30, ... with the two swapped, so the order no longer
 * depends on names where sort orders tie.  The cycle and depth rules are
 * the catalog's (category_update answers on parent_id).  Brands are a
 * paginated table with a create form; each has its own edit page.
 * Deleting either goes through a confirmation page, and the catalog
 * refuses (409) one that is still used.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "admin.h"
#include "admin_catalog.h"

#define CATEGORIES_URL "/admin/categories"
#define BRANDS_URL     "/admin/brands"
#define SIBLING_STEP   10

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ------------------------------------------------------------ categories */

typedef struct cat_form {
	const char *name, *slug, *parent_id, *description, *sort_order, *active;
} cat_form;

static void
cat_form_read(request *req, cat_form *f)
{
	f->name = req_form(req, "name");
	f->slug = req_form(req, "slug");
	f->parent_id = req_form(req, "parent_id");
	f->description = req_form(req, "description");
	f->sort_order = req_form(req, "sort_order");
	f->active = req_form(req, "active");
}

static json_object *
cat_json(const cat_form *f, error *ferr)
{
	json_object *o = json_object_new_object();
	int64_t n;

	admin_put_str(o, "name", f->name);
	if (f->slug != NULL && f->slug[0] != '\0')
		admin_put_str(o, "slug", f->slug);
	json_object_object_add(o, "parent_id", f->parent_id != NULL && f->parent_id[0] != '\0' ?
	    json_object_new_string(f->parent_id) : NULL);
	admin_put_str(o, "description", f->description);
	if (f->sort_order != NULL && f->sort_order[0] != '\0') {
		if (parse_i64(f->sort_order, SORT_ORDER_MIN, SORT_ORDER_MAX, &n) != 0)
			err_field(ferr, "sort_order", "enter a whole number (lower comes first)");
		else
			json_object_object_add(o, "sort_order", json_object_new_int64(n));
	}
	json_object_object_add(o, "is_active", json_object_new_boolean(f->active != NULL));
	return o;
}

static json_object *
cat_form_ctx(request *req, const category_forest *cf, const cat_form *f, const error *ferr)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "name", f->name);
	admin_put_str(o, "slug", f->slug);
	admin_put_str(o, "description", f->description);
	admin_put_str(o, "sort_order", f->sort_order);
	admin_put_flag(o, "active", f->active != NULL);
	json_object_object_add(o, "parents", admin_category_options(req, cf, f->parent_id));
	json_object_object_add(o, "errors", ferr != NULL ? admin_field_errors(ferr) :
	    json_object_new_object());
	return o;
}

/* A node and its children for templates/admin/category_node.mustache. */
static json_object *
node_json(request *req, const category_node *n, size_t index, size_t nsiblings)
{
	json_object *o = json_object_new_object(), *kids = json_object_new_array();

	admin_put_str(o, "id", n->cat.id);
	admin_put_str(o, "name", n->cat.name);
	admin_put_str(o, "slug", n->cat.slug);
	admin_put_str(o, "url", arena_printf(req->a, CATEGORIES_URL "/%s", n->cat.id));
	admin_put_flag(o, "inactive", !n->cat.is_active);
	admin_put_flag(o, "can_up", index > 0);
	admin_put_flag(o, "can_down", index + 1 < nsiblings);
	for (size_t i = 0; i < n->nchildren; i++)
		json_object_array_add(kids, node_json(req, n->children[i], i, n->nchildren));
	json_object_object_add(o, "children", kids);
	/* not {{#children.0}}: that would push the first child, whose own
	 * "children" the inner loop would then find */
	admin_put_flag(o, "has_children", n->nchildren > 0);
	return o;
}

static ecode
categories_render(request *req, response *res, int status, const user *me, const cat_form *f,
    const error *ferr, error *e)
{
	json_object *ctx, *roots;
	category_forest cf = { 0 };
	cat_form blank = { .active = "1" };
	ecode rc;

	if ((rc = admin_category_forest(req, &cf, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	roots = json_object_new_array();
	for (size_t i = 0; i < cf.nroots; i++)
		json_object_array_add(roots, node_json(req, cf.roots[i], i, cf.nroots));
	json_object_object_add(ctx, "roots", roots);
	json_object_object_add(ctx, "total", json_object_new_int64((int64_t)cf.nall));
	json_object_object_add(ctx, "form", cat_form_ctx(req, &cf, f != NULL ? f : &blank, ferr));
	return admin_render_form(req, res, status, "admin/categories", ctx,
	    admin_crumb(json_object_new_array(), "Categories", NULL), ferr, me, "Categories", e);
}

ecode
h_categories(request *req, response *res, error *e)
{
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	return categories_render(req, res, 200, &me, NULL, NULL, e);
}

ecode
h_category_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	category_input in = { 0 };
	json_object *body;
	category out = { 0 };
	cat_form f;
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	cat_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = cat_json(&f, &ferr);
	rc = category_input_from_json(req->a, body, true, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = category_create(req->a, &who, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "name", CATEGORIES_URL, "category-created",
	    &status, e);
	if (status == 0)
		return rc;
	return categories_render(req, res, status, &me, &f, &ferr, e);
}

typedef struct cat_target {
	category_forest cf;
	const category_node *n;
} cat_target;

static ecode
load_category(request *req, cat_target *t, error *e)
{
	const char *id = req_param(req, "id");

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no category with this id");
	if (admin_category_forest(req, &t->cf, e) != E_OK)
		return e->code;
	if ((t->n = category_find(&t->cf, id)) == NULL)
		return err_set(e, E_NOT_FOUND, "there is no category with this id");
	return E_OK;
}

static ecode
category_render(request *req, response *res, int status, const user *me, const cat_target *t,
    const cat_form *f, const error *ferr, error *e)
{
	json_object *ctx = json_object_new_object(), *crumbs, *path = json_object_new_array();
	const category *c = &t->n->cat;
	cat_form cur = { c->name, c->slug, c->parent_id, c->description,
	    arena_printf(req->a, "%d", (int)c->sort_order), c->is_active ? "1" : NULL };

	json_object_object_add(ctx, "form", cat_form_ctx(req, &t->cf, f != NULL ? f : &cur, ferr));
	admin_put_str(ctx, "id", c->id);
	admin_put_str(ctx, "name", c->name);
	admin_put_str(ctx, "url", arena_printf(req->a, CATEGORIES_URL "/%s", c->id));
	admin_put_str(ctx, "shop_url", arena_printf(req->a, "/c/%s", c->slug));
	if (ferr != NULL)
		admin_put_str(ctx, "error", ferr->message);
	crumbs = admin_crumb(json_object_new_array(), "Categories", CATEGORIES_URL);
	/* the ancestors, root first */
	for (const category_node *p = t->n->parent; p != NULL; p = p->parent)
		json_object_array_add(path, json_object_new_string(p->cat.id));
	for (size_t i = json_object_array_length(path); i-- > 0;) {
		const category_node *p = category_find(&t->cf,
		    json_object_get_string(json_object_array_get_idx(path, i)));

		if (p != NULL)
			admin_crumb(crumbs, p->cat.name, arena_printf(req->a, CATEGORIES_URL "/%s",
			    p->cat.id));
	}
	json_object_put(path);
	json_object_object_add(ctx, "crumbs", admin_crumb(crumbs, c->name, NULL));
	return admin_render(req, res, status, "admin/category", ctx, me, c->name, e);
}

ecode
h_category(request *req, response *res, error *e)
{
	cat_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_category(req, &t, e)) != E_OK)
		return rc;
	return category_render(req, res, 200, &me, &t, NULL, NULL, e);
}

ecode
h_category_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	category_input in = { 0 };
	json_object *body;
	category out = { 0 };
	cat_target t = { 0 };
	cat_form f;
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_category(req, &t, e)) != E_OK)
		return rc;
	cat_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = cat_json(&f, &ferr);
	rc = category_input_from_json(req->a, body, false, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = category_update(req->a, &who, t.n->cat.id, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "parent_id",
	    arena_printf(req->a, CATEGORIES_URL "/%s", t.n->cat.id), "category-saved", &status, e);
	if (status == 0)
		return rc;
	return category_render(req, res, status, &me, &t, &f, &ferr, e);
}

/* Give sibling k the sort order `order` unless it has it already. */
static ecode
set_order(request *req, const category_node *n, int32_t order, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	category_input in = { .set = CI_SORT, .sort_order = order };
	category out = { 0 };

	if (n->cat.sort_order == order)
		return E_OK;
	return category_update(req->a, &who, n->cat.id, &in, &out, e);
}

/* POST direction=up|down: swap with the sibling before or after it. */
ecode
h_category_move(request *req, response *res, error *e)
{
	const char *dir = req_form(req, "direction");
	category_node *const *sib;
	size_t nsib, at = 0, other;
	cat_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_category(req, &t, e)) != E_OK)
		return rc;
	if (!same(dir, "up") && !same(dir, "down"))
		return err_set(e, E_INVALID_INPUT, "direction must be up or down");
	sib = t.n->parent != NULL ? t.n->parent->children : t.cf.roots;
	nsib = t.n->parent != NULL ? t.n->parent->nchildren : t.cf.nroots;
	while (at < nsib && strcmp(sib[at]->cat.id, t.n->cat.id) != 0)
		at++;
	if (at == nsib || (same(dir, "up") ? at == 0 : at + 1 == nsib))
		return err_set(e, E_CONFLICT, "the category is already %s",
		    same(dir, "up") ? "first" : "last");
	if (nsib * SIBLING_STEP > SORT_ORDER_MAX)
		return err_set(e, E_CONFLICT, "too many siblings to renumber");
	other = same(dir, "up") ? at - 1 : at + 1;
	for (size_t i = 0; i < nsib; i++) {
		size_t place = i == at ? other : i == other ? at : i;

		if ((rc = set_order(req, sib[i], (int32_t)((place + 1) * SIBLING_STEP), e)) != E_OK)
			return rc;
	}
	return admin_flash(req, res, arena_printf(req->a, CATEGORIES_URL "#cat-%s", t.n->cat.id),
	    "category-moved", e);
}

ecode
h_category_delete_confirm(request *req, response *res, error *e)
{
	cat_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_category(req, &t, e)) != E_OK)
		return rc;
	return admin_confirm_delete(req, res, &me, "Categories", CATEGORIES_URL, t.n->cat.id,
	    t.n->cat.name, "category", arena_printf(req->a, "Delete the category “%s”? A category "
	    "that still has subcategories or products cannot be deleted; move them first.",
	    t.n->cat.name), e);
}

ecode
h_category_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	cat_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_category(req, &t, e)) != E_OK ||
	    (rc = category_delete(req->a, &who, t.n->cat.id, e)) != E_OK)
		return rc;
	admin_release_media(req, "category", t.n->cat.id);
	return admin_flash(req, res, CATEGORIES_URL, "category-deleted", e);
}

/* ------------------------------------------------------------ brands */

typedef struct brand_form {
	const char *name, *slug, *logo_url, *description;
} brand_form;

static void
brand_form_read(request *req, brand_form *f)
{
	f->name = req_form(req, "name");
	f->slug = req_form(req, "slug");
	f->logo_url = req_form(req, "logo_url");
	f->description = req_form(req, "description");
}

static json_object *
brand_json(const brand_form *f)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "name", f->name);
	if (f->slug != NULL && f->slug[0] != '\0')
		admin_put_str(o, "slug", f->slug);
	json_object_object_add(o, "logo_url", f->logo_url != NULL && f->logo_url[0] != '\0' ?
	    json_object_new_string(f->logo_url) : NULL);
	admin_put_str(o, "description", f->description);
	return o;
}

static json_object *
brand_form_ctx(const brand_form *f, const error *ferr)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "name", f->name);
	admin_put_str(o, "slug", f->slug);
	admin_put_str(o, "logo_url", f->logo_url);
	admin_put_str(o, "description", f->description);
	json_object_object_add(o, "errors", ferr != NULL ? admin_field_errors(ferr) :
	    json_object_new_object());
	return o;
}

static ecode
brands_render(request *req, response *res, int status, const user *me, const brand_form *f,
    const error *ferr, error *e)
{
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	brand_form blank = { 0 };
	json_object *ctx, *rows;
	brand_page bp = { 0 };
	ecode rc;

	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = brand_list(req->a, &pg, &bp, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < bp.n; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "name", bp.items[i].name);
		admin_put_str(o, "slug", bp.items[i].slug);
		admin_put_str(o, "url", arena_printf(req->a, BRANDS_URL "/%s", bp.items[i].id));
		admin_put_str(o, "updated", admin_time(req->a, bp.items[i].updated_at));
		json_object_array_add(rows, o);
	}
	json_object_object_add(ctx, "rows", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(bp.total));
	json_object_object_add(ctx, "pagination", view_pagination(req->a, BRANDS_URL, &pg,
	    bp.total));
	json_object_object_add(ctx, "form", brand_form_ctx(f != NULL ? f : &blank, ferr));
	return admin_render_form(req, res, status, "admin/brands", ctx,
	    admin_crumb(json_object_new_array(), "Brands", NULL), ferr, me, "Brands", e);
}

ecode
h_brands(request *req, response *res, error *e)
{
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	return brands_render(req, res, 200, &me, NULL, NULL, e);
}

ecode
h_brand_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	brand_input in = { 0 };
	json_object *body;
	brand_form f;
	brand out = { 0 };
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	brand_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = brand_json(&f);
	rc = brand_input_from_json(req->a, body, true, &in, &v);
	if (rc == E_OK)
		rc = brand_create(req->a, &who, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "name", BRANDS_URL, "brand-created",
	    &status, e);
	if (status == 0)
		return rc;
	return brands_render(req, res, status, &me, &f, &ferr, e);
}

static ecode
load_brand(request *req, brand *b, error *e)
{
	const char *id = req_param(req, "id");

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no brand with this id");
	return brand_get(req->a, id, b, e);
}

static ecode
brand_render(request *req, response *res, int status, const user *me, const brand *b,
    const brand_form *f, const error *ferr, error *e)
{
	json_object *ctx = json_object_new_object();
	brand_form cur = { b->name, b->slug, b->logo_url, b->description };

	json_object_object_add(ctx, "form", brand_form_ctx(f != NULL ? f : &cur, ferr));
	admin_put_str(ctx, "name", b->name);
	admin_put_str(ctx, "url", arena_printf(req->a, BRANDS_URL "/%s", b->id));
	return admin_render_form(req, res, status, "admin/brand", ctx,
	    admin_item_crumbs("Brands", BRANDS_URL, b->name, NULL), ferr, me, b->name, e);
}

ecode
h_brand(request *req, response *res, error *e)
{
	brand b = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_brand(req, &b, e)) != E_OK)
		return rc;
	return brand_render(req, res, 200, &me, &b, NULL, NULL, e);
}

ecode
h_brand_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	brand_input in = { 0 };
	json_object *body;
	brand_form f;
	brand b = { 0 }, out = { 0 };
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_brand(req, &b, e)) != E_OK)
		return rc;
	brand_form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	body = brand_json(&f);
	rc = brand_input_from_json(req->a, body, false, &in, &v);
	if (rc == E_OK)
		rc = brand_update(req->a, &who, b.id, &in, &out, &v);
	json_object_put(body);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "name",
	    arena_printf(req->a, BRANDS_URL "/%s", b.id), "brand-saved", &status, e);
	if (status == 0)
		return rc;
	return brand_render(req, res, status, &me, &b, &f, &ferr, e);
}

ecode
h_brand_delete_confirm(request *req, response *res, error *e)
{
	brand b = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_brand(req, &b, e)) != E_OK)
		return rc;
	return admin_confirm_delete(req, res, &me, "Brands", BRANDS_URL, b.id, b.name, "brand",
	    arena_printf(req->a, "Delete the brand “%s”? A brand that products still use "
	    "cannot be deleted.", b.name), e);
}

ecode
h_brand_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	brand b = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_brand(req, &b, e)) != E_OK ||
	    (rc = brand_delete(req->a, &who, b.id, e)) != E_OK)
		return rc;
	admin_release_media(req, "brand", b.id);
	return admin_flash(req, res, BRANDS_URL, "brand-deleted", e);
}
