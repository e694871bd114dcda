/*
 * store_home.c — the home page: banners, featured categories, new products.
 */
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "core/site.h"
#include "media/media.h"
#include "store.h"

#define HOME_NEW_PRODUCTS 12

/* The main banner spans the page (main is at most 1200px); the others
 * share a row from 700px on (store.css). */
#define BANNER_MAIN_SIZES "(max-width: 1200px) 100vw, 1200px"
#define BANNER_SIZES "(min-width: 700px) 50vw, 100vw"

/*
 * A banner's picture: its first uploaded image (the admin's banner form,
 * or POST /api/v1/media with owner_type banner) as <picture> with WebP and
 * JPEG srcset and the largest JPEG's width and height; a banner without an
 * upload shows its image_url at the 16:5 box the stylesheet gives it.
 * ss is NULL for a banner without an upload.
 */
static json_object *
banner_image(const banner *b, const media_srcset *ss, bool main)
{
	json_object *im = json_object_new_object();

	json_object_object_add(im, "url", json_object_new_string(b->image_url));
	json_object_object_add(im, "alt", json_object_new_string(""));
	json_object_object_add(im, "width", json_object_new_int(1600));
	json_object_object_add(im, "height", json_object_new_int(500));
	/* the main banner is in the first screen: fetched at once */
	json_object_object_add(im, "lazy", json_object_new_boolean(!main));
	if (ss != NULL)
		store_image_put_srcset(im, ss, main ? BANNER_MAIN_SIZES : BANNER_SIZES);
	return im;
}

/* The banners with their uploads' srcsets, read in one query. */
static json_object *
banners_json(arena *a, const banner *b, size_t n)
{
	json_object *arr = json_object_new_array();
	const char **ids;
	media_srcset *ss;
	bool *found;

	if (n > MEDIA_BATCH_MAX)
		n = MEDIA_BATCH_MAX;
	if ((ids = arena_calloc(a, n ? n : 1, sizeof *ids)) == NULL)
		return arr;
	for (size_t i = 0; i < n; i++)
		ids[i] = b[i].id;
	if ((ss = store_pictures(a, "banner", ids, n, &found)) == NULL)
		return arr;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "title", json_object_new_string(b[i].title));
		json_object_object_add(o, "subtitle", json_object_new_string(b[i].subtitle));
		json_object_object_add(o, "image", banner_image(&b[i], found[i] ? &ss[i] : NULL,
		    i == 0));
		json_object_object_add(o, "link_url", json_object_new_string(b[i].link_url));
		/* false said outright: inside {{#banners.0}} a missing key would
		 * be looked up in the first banner, making every one the main */
		json_object_object_add(o, "first", json_object_new_boolean(i == 0));
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
	json_object_object_add(ctx, "tiles", store_tiles(req->a, nav->roots));
	json_object_object_add(ctx, "products", store_cards(req->a, pp.items, pp.n));
	return store_render(req, res, "store/home", ctx, site_store_name(),
	    arena_printf(req->a, "%s — clothing, shoes, home and accessories, delivered. "
	    "Browse new arrivals and our most-loved brands.", site_store_name()), e);
}
