/*
 * store.h — the storefront responder's shared pieces (cgi-bin/store*.c).
 *
 * Each page lives in its own file (home, category, product, search); they
 * share the navigation cache, the product-card and pagination builders and
 * store_render(), which adds the layout's context (navigation, search box,
 * title, description) and renders through the template engine.
 */
#ifndef ECOM_STORE_H
#define ECOM_STORE_H

#include "core/app.h"
#include "core/json.h"
#include "core/view.h"
#include "product/product.h"

#define STORE_PAGE_SIZE 24

ecode h_home(request *req, response *res, error *e);
ecode h_category(request *req, response *res, error *e);
ecode h_product(request *req, response *res, error *e);
ecode h_search(request *req, response *res, error *e);

/*
 * The category tree and brand list as template values, loaded once per
 * process and refreshed after ECOM_CACHE_TTL seconds (every page needs
 * the navigation; it changes rarely).  Borrowed references: take a
 * json_object_get() before adding them to a context.
 */
typedef struct store_nav {
	json_object *roots;	/* [{id, slug, name, url, image_url, description, children[]}] */
	json_object *by_slug;	/* slug -> the same node objects, with "parent" slug */
	json_object *brands;	/* [{id, slug, name}] by name */
} store_nav;

ecode store_nav_get(request *req, const store_nav **out, error *e);

/* A product card: name, url, price text, data-price cents, image, rating. */
json_object *store_card(arena *a, const product_summary *p);
json_object *store_cards(arena *a, const product_summary *v, size_t n);

/* Previous/next/numbered page links for `base` (a path plus "?k=v&..." of
 * the current filters, without page). */
json_object *store_pagination(arena *a, const char *base, const page *pg, int64_t total);

/* Display price of minor units in the shop's currency. */
const char *store_money(arena *a, int64_t minor, const char *currency);

/* Render `name` with the layout context added; ctx is consumed. */
ecode store_render(request *req, response *res, const char *name, json_object *ctx,
    const char *title, const char *description, error *e);

#endif
