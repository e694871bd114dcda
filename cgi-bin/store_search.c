/*
 * store_search.c — /search?q=…: the header's search box lands here.
 *
 * Matches product names and descriptions through the catalog's list filter;
 * the faceted full-text search of the search domain replaces it when that
 * domain exists.
 */
#include <string.h>

#include "core/parse.h"
#include "store.h"

ecode
h_search(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *q = req_query(req, "q"), *p = req_query(req, "page");
	product_filter f;
	product_page pp;
	json_object *ctx;
	ecode rc;

	product_filter_init(&f);
	f.pg.per_page = STORE_PAGE_SIZE;
	if (q == NULL)
		q = "";
	if (utf8_len(q, strlen(q)) > PRODUCT_SEARCH_MAX)
		return err_set(e, E_INVALID_PARAMETER, "the search is too long (at most %d characters)",
		    PRODUCT_SEARCH_MAX);
	if (p != NULL && parse_i64(p, 1, PAGE_MAX_PAGE, &f.pg.page) != 0)
		return err_set(e, E_INVALID_PARAMETER, "page must be a whole number from 1");
	f.pg.offset = (f.pg.page - 1) * f.pg.per_page;
	f.search = q[0] != '\0' ? q : NULL;
	if ((rc = product_list(req->a, &who, &f, &pp, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "query", json_object_new_string(q));
	json_object_object_add(ctx, "products", store_cards(req->a, pp.items, pp.n));
	json_object_object_add(ctx, "total", json_object_new_int64(pp.total));
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    arena_printf(req->a, "/search?q=%s", url_encode(req->a, q)), &f.pg, pp.total));
	return store_render(req, res, "store/search", ctx,
	    q[0] != '\0' ? arena_printf(req->a, "Search: %s", q) : "All products",
	    q[0] != '\0' ? arena_printf(req->a, "Products matching “%s”.", q) :
	    "Every product in the shop.", e);
}
