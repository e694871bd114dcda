/*
 * catalog_products.c — handlers for /api/v1/products and its variants,
 * images and reviews.
 *
 * Each handler is parse -> lib/product -> render.  Who may do what is the
 * route table's (roles) and lib/product's (ownership) business.  A list's
 * `status` filter is validated for everyone (a bad value is 400) but
 * honoured for admins only: everyone else always sees published products,
 * so a storefront passing status=published keeps working, and nobody gets
 * a 403 for asking.
 */
#include "catalog.h"
#include "media/media.h"

/* ------------------------------------------------------------ shared */

ecode
reply_json(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

ecode
reply_deleted(request *req, response *res, const char *id, error *e)
{
	json_object *o = json_object_new_object();

	if (!o)
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "id", json_object_new_string(id ? id : ""));
	json_object_object_add(o, "status", json_object_new_string("deleted"));
	return reply_json(req, res, 200, o, e);
}

json_object *
new_array(error *e)
{
	json_object *a = json_object_new_array();

	if (!a)
		err_set(e, E_INTERNAL, "out of memory");
	return a;
}

/* ------------------------------------------------------------ products */

/*
 * The two hottest reads keep their whole answer for the public (see
 * catalog_body_get): a hit writes the bytes json_reply wrote the first
 * time.  The generation is read before anything is queried, so a write
 * that commits meanwhile keeps the answer out of the cache.
 */
static bool
cached_reply(request *req, response *res, const char *key)
{
	const char *body = key ? catalog_body_get(req->a, key) : NULL;

	if (!body)
		return false;
	/* As core/json.c's emit does for a fresh answer. */
	res->status = 200;
	res->content_type = "application/json; charset=utf-8";
	if (buf_puts(res->body, body) != 0)
		res->body->oom = 1;
	return true;
}

static void
remember_reply(const response *res, const char *key, uint64_t gen)
{
	if (key && res->status == 200 && !res->body->oom && res->body->data)
		catalog_body_put(key, gen, res->body->data);
}

ecode
h_product_list(request *req, response *res, error *e)
{
	catalog_actor  who = catalog_actor_of(req);
	uint64_t       gen = catalog_cache_generation();
	const char    *key = NULL;
	product_filter f;
	product_page   pg;
	json_object   *items;

	if (product_filter_from_query(req, &f, e) != E_OK)
		return e->code;
	if (catalog_public_view(&who))
		key = arena_printf(req->a, "list|%s", product_filter_key(req->a, &f));
	if (cached_reply(req, res, key))
		return E_OK;
	if (product_list(req->a, &who, &f, &pg, e) != E_OK || !(items = new_array(e)))
		return e->code;
	for (size_t i = 0; i < pg.n; i++)
		json_object_array_add(items, product_summary_to_json(&pg.items[i]));
	json_reply_page(req, res, items, &pg.pg, pg.total);
	remember_reply(res, key, gen);
	return E_OK;
}

ecode
h_product_get(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	uint64_t      gen = catalog_cache_generation();
	const char   *id = req_param(req, "id"), *key = NULL;
	product       p = { 0 };

	if (catalog_public_view(&who) && id)
		key = arena_printf(req->a, "product|%s", id);
	if (cached_reply(req, res, key))
		return E_OK;
	if (product_get(req->a, &who, id, &p, e) != E_OK ||
	    reply_json(req, res, 200, product_to_json(&p), e) != E_OK)
		return e->code;
	remember_reply(res, key, gen);
	return E_OK;
}

ecode
h_product_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	product_input in;
	product       p = { 0 };

	if (product_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    product_create(req->a, &who, &in, &p, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, product_to_json(&p), e);
}

ecode
h_product_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	product_input in;
	product       p = { 0 };

	if (product_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    product_update(req->a, &who, req_param(req, "id"), &in, &p, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, product_to_json(&p), e);
}

ecode
h_product_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char   *id = req_param(req, "id");

	if (product_archive(req->a, &who, id, e) != E_OK)
		return e->code;
	return reply_deleted(req, res, id, e);
}

/* ------------------------------------------------------------ variants */

ecode
h_variant_list(request *req, response *res, error *e)
{
	catalog_actor    who = catalog_actor_of(req);
	product_variant *v;
	size_t           n;
	json_object     *arr;

	if (variant_list(req->a, &who, req_param(req, "id"), &v, &n, e) != E_OK ||
	    !(arr = new_array(e)))
		return e->code;
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, variant_to_json(&v[i]));
	return reply_json(req, res, 200, arr, e);
}

ecode
h_variant_get(request *req, response *res, error *e)
{
	catalog_actor   who = catalog_actor_of(req);
	product_variant v = { 0 };

	if (variant_get(req->a, &who, req_param(req, "id"), req_param(req, "vid"),
	    &v, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, variant_to_json(&v), e);
}

ecode
h_variant_create(request *req, response *res, error *e)
{
	catalog_actor   who = catalog_actor_of(req);
	variant_input   in;
	product_variant v = { 0 };

	if (variant_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    variant_create(req->a, &who, req_param(req, "id"), &in, &v, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, variant_to_json(&v), e);
}

ecode
h_variant_update(request *req, response *res, error *e)
{
	catalog_actor   who = catalog_actor_of(req);
	variant_input   in;
	product_variant v = { 0 };

	if (variant_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    variant_update(req->a, &who, req_param(req, "id"), req_param(req, "vid"),
	    &in, &v, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, variant_to_json(&v), e);
}

ecode
h_variant_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char   *vid = req_param(req, "vid");

	if (variant_delete(req->a, &who, req_param(req, "id"), vid, e) != E_OK)
		return e->code;
	return reply_deleted(req, res, vid, e);
}

/* ------------------------------------------------------------ images */

ecode
h_image_list(request *req, response *res, error *e)
{
	catalog_actor  who = catalog_actor_of(req);
	product_image *im;
	size_t         n;
	json_object   *arr;

	if (image_list(req->a, &who, req_param(req, "id"), &im, &n, e) != E_OK ||
	    !(arr = new_array(e)))
		return e->code;
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, image_to_json(&im[i]));
	return reply_json(req, res, 200, arr, e);
}

ecode
h_image_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	image_input   in;
	product_image im = { 0 };

	if (image_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    image_create(req->a, &who, req_param(req, "id"), &in, &im, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, image_to_json(&im), e);
}

ecode
h_image_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	image_input   in;
	product_image im = { 0 };

	if (image_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    image_update(req->a, &who, req_param(req, "id"), req_param(req, "iid"),
	    &in, &im, e) != E_OK)
		return e->code;
	return reply_json(req, res, 200, image_to_json(&im), e);
}

ecode
h_image_delete(request *req, response *res, error *e)
{
	media_actor who = media_actor_of(req);
	const char *iid = req_param(req, "iid");

	/* an uploaded image also releases its media item and unused files */
	if (media_delete_product_image(req->a, &who, req_param(req, "id"), iid, e) != E_OK)
		return e->code;
	return reply_deleted(req, res, iid, e);
}

/* ------------------------------------------------------------ reviews */

ecode
h_review_list(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	page          pg;
	review_page   rp;
	json_object  *items;

	if (page_from_query(req, &pg, e) != E_OK ||
	    review_list(req->a, &who, req_param(req, "id"), &pg, &rp, e) != E_OK ||
	    !(items = new_array(e)))
		return e->code;
	for (size_t i = 0; i < rp.n; i++)
		json_object_array_add(items, review_to_json(&rp.items[i]));
	json_reply_page(req, res, items, &rp.pg, rp.total);
	return E_OK;
}

ecode
h_review_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	review_input  in;
	review        r = { 0 };

	if (review_input_from_json(req->a, req->json, &in, e) != E_OK ||
	    review_create(req->a, &who, req_param(req, "id"), &in, &r, e) != E_OK)
		return e->code;
	return reply_json(req, res, 201, review_to_json(&r), e);
}
