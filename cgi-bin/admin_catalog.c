/*
 * admin_catalog.c — what the catalog pages of the admin panel share
 * (admin_catalog.h): the product as a seller or an admin may see it,
 * breadcrumbs, how a domain refusal is shown on a form, the category tree
 * as options, variant attributes as text, and the confirmation page of a
 * destructive action.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "admin.h"
#include "admin_catalog.h"
#include "core/log.h"
#include "media/media.h"

ecode
admin_product_load(request *req, const user *me, const char *id, product *p, error *e)
{
	catalog_actor who = catalog_actor_of(req);

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no product with this id");
	if (product_get(req->a, &who, id, p, e) != E_OK)
		return e->code;
	/* product_get shows a seller every published product; these pages
	 * show them their own only */
	if (me->role != ROLE_ADMIN &&
	    (p->s.seller_id == NULL || strcmp(p->s.seller_id, me->id) != 0))
		return err_set(e, E_NOT_FOUND, "there is no product with this id");
	return E_OK;
}

ecode
admin_begin_product(request *req, response *res, user *me, product *p, bool *done, error *e)
{
	ecode rc;

	if ((rc = admin_begin_seller(req, res, me, done, e)) != E_OK || *done)
		return rc;
	return admin_product_load(req, me, req_param(req, "id"), p, e);
}

json_object *
admin_crumb(json_object *crumbs, const char *name, const char *url)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "name", name);
	if (url != NULL)
		admin_put_str(o, "url", url);
	json_object_array_add(crumbs, o);
	return crumbs;
}

/* Whether a domain refusal belongs next to the form's fields (else it is
 * the error page's). */
bool
admin_form_refusal(ecode rc)
{
	return rc == E_VALIDATION || rc == E_INVALID_INPUT || rc == E_ALREADY_EXISTS ||
	    rc == E_CONFLICT || rc == E_INVALID_PARAMETER;
}

/* The domain's answer v folded into the form's ferr; the status to show
 * the form again with (409 for a duplicate, else 400). */
int
admin_refusal_status(ecode rc, error *ferr, const error *v, const char *field)
{
	admin_take_fields(ferr, v);
	if (ferr->nfields == 0)
		err_field(ferr, field, "%s", v->message);
	snprintf(ferr->message, sizeof ferr->message, "%s",
	    rc == E_ALREADY_EXISTS || rc == E_CONFLICT ? v->message :
	    "Check the fields marked below.");
	return rc == E_ALREADY_EXISTS || rc == E_CONFLICT ? 409 : 400;
}

json_object *
admin_option(const char *value, const char *label, bool selected)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "value", value);
	admin_put_str(o, "label", label);
	admin_put_flag(o, "selected", selected);
	return o;
}

static bool
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Every category as options, indented by depth ("— — Shirts"). */
json_object *
admin_category_options(request *req, const category_forest *cf, const char *selected)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < cf->nall; i++) {
		const category_node *n = &cf->all[i];
		char pad[3 * CATEGORY_DEPTH_MAX * 2 + 1] = "";
		size_t used = 0;

		for (int d = 0; d < n->depth && d < CATEGORY_DEPTH_MAX; d++)
			used += (size_t)snprintf(pad + used, sizeof pad - used, "— ");
		json_object_array_add(arr, admin_option(n->cat.id, arena_printf(req->a, "%s%s%s", pad,
		    n->cat.name, n->cat.is_active ? "" : " (inactive)"), same(selected, n->cat.id)));
	}
	return arr;
}

/* The category forest in tree order (parents before children). */
static void
walk(const category_node *n, const category_node **out, size_t *k)
{
	out[(*k)++] = n;
	for (size_t i = 0; i < n->nchildren; i++)
		walk(n->children[i], out, k);
}

ecode
admin_category_forest(request *req, category_forest *cf, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const category_node **order;
	category_node *all;
	size_t k = 0;

	if (category_tree(req->a, &who, true, cf, e) != E_OK)
		return e->code;
	/* cf->all is in (sort_order, name) order; a select wants tree order */
	order = arena_calloc(req->a, cf->nall + 1, sizeof *order);
	all = arena_calloc(req->a, cf->nall + 1, sizeof *all);
	if (order == NULL || all == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < cf->nroots; i++)
		walk(cf->roots[i], order, &k);
	for (size_t i = 0; i < k; i++)
		all[i] = *order[i];
	cf->all = all;
	cf->nall = k;
	return E_OK;
}

/* "size=M; colour=Red" from a variant's attributes. */
const char *
admin_variant_attrs(request *req, const product_variant *v)
{
	const char *s = "";

	for (size_t i = 0; i < v->nattributes; i++)
		s = arena_printf(req->a, "%s%s%s=%s", s, i > 0 ? "; " : "", v->attributes[i].key,
		    v->attributes[i].value);
	return s;
}

ecode
admin_confirm_render(request *req, response *res, const user *me, json_object *crumbs,
    const char *title, const char *question, const char *action, const char *button,
    const char *cancel, error *e)
{
	json_object *ctx = json_object_new_object();

	admin_put_str(ctx, "heading", title);
	admin_put_str(ctx, "question", question);
	admin_put_str(ctx, "action", action);
	admin_put_str(ctx, "button", button);
	admin_put_str(ctx, "cancel", cancel);
	json_object_object_add(ctx, "crumbs", admin_crumb(crumbs, title, NULL));
	return admin_render(req, res, 200, "admin/confirm", ctx, me, title, e);
}

/* A deleted category, brand or banner takes its uploaded images with it
 * (media.h, media_release_owner); the owner is gone, so a failure here is
 * logged, not shown. */
void
admin_release_media(request *req, const char *type, const char *id)
{
	media_actor mw = media_actor_of(req);
	error e2;

	err_clear(&e2);
	if (media_release_owner(req->a, &mw, type, id, &e2) != E_OK)
		log_msg(LOG_ERROR, "admin: media of %s %s not released: %s", type, id, e2.message);
}

json_object *
admin_item_crumbs(const char *list_name, const char *list_url, const char *name,
    const char *url)
{
	return admin_crumb(admin_crumb(json_object_new_array(), list_name, list_url), name, url);
}

ecode
admin_confirm_delete(request *req, response *res, const user *me, const char *list_name,
    const char *list_url, const char *id, const char *name, const char *what,
    const char *question, error *e)
{
	const char *url = arena_printf(req->a, "%s/%s", list_url, id);
	const char *title = arena_printf(req->a, "Delete %s", what);

	return admin_confirm_render(req, res, me, admin_item_crumbs(list_name, list_url, name, url),
	    title, question, arena_printf(req->a, "%s/delete", url), title, url, e);
}

ecode
admin_form_outcome(request *req, response *res, ecode rc, error *ferr, const error *v,
    const char *field, const char *url, const char *flash, int *status, error *e)
{
	*status = 0;
	if (rc == E_OK && ferr->nfields == 0)
		return admin_flash(req, res, url, flash, e);
	if (rc != E_OK && !admin_form_refusal(rc)) {
		*e = *v;
		return rc;
	}
	*status = admin_refusal_status(rc, ferr, v, field);
	return E_OK;
}

ecode
admin_render_form(request *req, response *res, int status, const char *name,
    json_object *ctx, json_object *crumbs, const error *ferr, const user *me, const char *title,
    error *e)
{
	if (ferr != NULL)
		admin_put_str(ctx, "error", ferr->message);
	json_object_object_add(ctx, "crumbs", crumbs);
	return admin_render(req, res, status, name, ctx, me, title, e);
}
