/*
 * catalog_taxonomy.c — handlers for /api/v1/categories, /brands and
 * /banners.
 *
 * Reads are public; the storefront's menus come from GET /categories
 * (flat, or nested with tree=true).  Writes are admin-only by the route
 * table.  Query flags are validated for everyone; the admin-only ones
 * (include_inactive, is_active on banners) are ignored for the public, who
 * always see the shop window.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "catalog.h"
#include "core/log.h"
#include "media/media.h"

/* A deleted category, brand or banner takes its uploaded images with it
 * (media.h, media_release_owner); the owner is gone, so a failure here is
 * logged, not answered. */
static void
release_media(request *req, const char *type, const char *id)
{
	media_actor mw = media_actor_of(req);
	error e2;

	err_clear(&e2);
	if (media_release_owner(req->a, &mw, type, id, &e2) != E_OK)
		log_msg(LOG_ERROR, "catalog: media of %s %s not released: %s", type, id, e2.message);
}

/* Query-string problems are INVALID_PARAMETER (api-v1.md), with the
 * per-field details err_field collected. */
static ecode
invalid_parameters(error *e)
{
	e->code = E_INVALID_PARAMETER;
	snprintf(e->message, sizeof e->message, "invalid query parameters");
	return E_INVALID_PARAMETER;
}

/* A boolean query flag: absent -> dflt; bad -> E_INVALID_PARAMETER. */
static ecode
query_flag(const request *req, const char *key, bool dflt, bool *out, error *e)
{
	const char *v = req_query(req, key);

	*out = dflt;
	if (!v || !*v)
		return E_OK;
	if (parse_bool(v, out) != 0) {
		err_field(e, key, "must be true or false");
		return invalid_parameters(e);
	}
	return E_OK;
}

/* ------------------------------------------------------------ categories */

ecode
h_category_list(request *req, response *res, error *e)
{
	catalog_actor   who = catalog_actor_of(req);
	category_forest f;
	bool            tree, inactive;
	json_object    *arr;

	if (query_flag(req, "tree", false, &tree, e) != E_OK ||
	    query_flag(req, "include_inactive", false, &inactive, e) != E_OK ||
	    category_tree(req->a, &who, inactive, &f, e) != E_OK ||
	    !(arr = new_array(e)))
		return e->code;
	if (tree)
		for (size_t i = 0; i < f.nroots; i++)
			json_object_array_add(arr, category_node_to_json(f.roots[i]));
	else
		for (size_t i = 0; i < f.nall; i++)
			json_object_array_add(arr, category_to_json(&f.all[i].cat));
	return reply_json(req, res, 200, arr, e);
}

ecode
h_category_get(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	category      c = { 0 };
	catalog_ref  *path;
	size_t        npath;
	json_object  *o, *arr;

	if (category_get(req->a, &who, req_param(req, "id"), &c, &path, &npath, e) != E_OK)
		return e->code;
	if (!(o = category_to_json(&c)) || !(arr = new_array(e))) {
		json_object_put(o);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < npath; i++)
		json_object_array_add(arr, catalog_ref_to_json(&path[i]));
	json_object_object_add(o, "path", arr);
	return reply_json(req, res, 200, o, e);
}

ecode
h_category_create(request *req, response *res, error *e)
{
	catalog_actor  who = catalog_actor_of(req);
	category_input in;
	category       c = { 0 };

	if (category_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    category_create(req->a, &who, &in, &c, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, category_to_json(&c), e);
}

ecode
h_category_update(request *req, response *res, error *e)
{
	catalog_actor  who = catalog_actor_of(req);
	category_input in;
	category       c = { 0 };

	if (category_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    category_update(req->a, &who, req_param(req, "id"), &in, &c, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, category_to_json(&c), e);
}

ecode
h_category_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char   *id = req_param(req, "id");

	if (category_delete(req->a, &who, id, e) != E_OK)
		return e->code;
	release_media(req, "category", id);
	return reply_deleted(req, res, id, e);
}

/* ------------------------------------------------------------ brands */

ecode
h_brand_list(request *req, response *res, error *e)
{
	page         pg;
	brand_page   bp;
	json_object *items;

	if (page_from_query(req, &pg, e) != E_OK ||
	    brand_list(req->a, &pg, &bp, e) != E_OK ||
	    !(items = new_array(e)))
		return e->code;
	for (size_t i = 0; i < bp.n; i++)
		json_object_array_add(items, brand_to_json(&bp.items[i]));
	json_reply_page(req, res, items, &bp.pg, bp.total);
	return E_OK;
}

ecode
h_brand_get(request *req, response *res, error *e)
{
	brand b = { 0 };

	if (brand_get(req->a, req_param(req, "id"), &b, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, brand_to_json(&b), e);
}

ecode
h_brand_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	brand_input   in;
	brand         b = { 0 };

	if (brand_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    brand_create(req->a, &who, &in, &b, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, brand_to_json(&b), e);
}

ecode
h_brand_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	brand_input   in;
	brand         b = { 0 };

	if (brand_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    brand_update(req->a, &who, req_param(req, "id"), &in, &b, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, brand_to_json(&b), e);
}

ecode
h_brand_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char   *id = req_param(req, "id");

	if (brand_delete(req->a, &who, id, e) != E_OK)
		return e->code;
	release_media(req, "brand", id);
	return reply_deleted(req, res, id, e);
}

/* ------------------------------------------------------------ banners */

static bool
position_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

ecode
h_banner_list(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner_filter f = { NULL, -1 };
	const char   *pos = req_query(req, "position");
	const char   *act = req_query(req, "is_active");
	banner       *b;
	size_t        n;
	bool          active = false;
	json_object  *arr;

	if (pos && *pos) {
		if (!position_ok(pos))
			err_field(e, "position", "must be 1 to 32 of a-z 0-9 _ -");
		f.position = pos;
	}
	if (act && *act) {
		if (parse_bool(act, &active) != 0)
			err_field(e, "is_active", "must be true or false");
		f.is_active = active ? 1 : 0;
	}
	if (e->nfields > 0)
		return invalid_parameters(e);
	if (banner_list(req->a, &who, &f, &b, &n, e) != E_OK || !(arr = new_array(e)))
		return e->code;
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, banner_to_json(&b[i]));
	return reply_json(req, res, 200, arr, e);
}

ecode
h_banner_get(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner        b = { 0 };

	if (banner_get(req->a, &who, req_param(req, "id"), &b, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, banner_to_json(&b), e);
}

ecode
h_banner_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner_input  in;
	banner        b = { 0 };

	if (banner_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    banner_create(req->a, &who, &in, &b, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, banner_to_json(&b), e);
}

ecode
h_banner_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner_input  in;
	banner        b = { 0 };

	if (banner_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    banner_update(req->a, &who, req_param(req, "id"), &in, &b, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, banner_to_json(&b), e);
}

ecode
h_banner_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char   *id = req_param(req, "id");

	if (banner_delete(req->a, &who, id, e) != E_OK)
		return e->code;
	release_media(req, "banner", id);
	return reply_deleted(req, res, id, e);
}
