/*
 * store_home.c — the home page: banners, featured categories, new products.
 */
#include <time.h>

#include "core/config.h"
#include "core/site.h"
#include "store.h"

#define HOME_NEW_PRODUCTS 12

static json_object *
banners_json(arena *a, const banner *b, size_t n)
{
	json_object *arr = json_object_new_array();

	(void)a;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "title", json_object_new_string(b[i].title));
		json_object_object_add(o, "subtitle", json_object_new_string(b[i].subtitle));
		json_object_object_add(o, "image_url", json_object_new_string(b[i].image_url));
		json_object_object_add(o, "link_url", json_object_new_string(b[i].link_url));
		if (i == 0)
			json_object_object_add(o, "first", json_object_new_boolean(1));
		json_object_array_add(arr, o);
	}
	return arr;
}

ecode
h_home(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	product_filter f;
	product_page pp;
	banner *b;
	size_t nb;
	const store_nav *nav;
	json_object *ctx;
	ecode rc;

	product_filter_init(&f);
	f.pg.per_page = HOME_NEW_PRODUCTS;
	f.sort = SORT_NEWEST;
	if ((rc = banner_list_active(req->a, NULL, &b, &nb, e)) != E_OK ||
	    (rc = product_list(req->a, &who, &f, &pp, e)) != E_OK ||
	    (rc = store_nav_get(req, &nav, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	if (nb > 0)
		json_object_object_add(ctx, "banners", banners_json(req->a, b, nb));
	json_object_object_add(ctx, "categories", json_object_get(nav->roots));
	json_object_object_add(ctx, "products", store_cards(req->a, pp.items, pp.n));
	return store_render(req, res, "store/home", ctx, site_store_name(),
	    arena_printf(req->a, "%s — clothing, shoes, home and accessories, delivered. "
	    "Browse new arrivals and our most-loved brands.", site_store_name()), e);
}
