/*
 * store_category.c — /c/{slug}: a category's products (its subcategories'
 * included) with subcategory navigation, breadcrumbs, brand and price
 * filters, sort and pagination — all plain links and one GET form.
 *
 * Query: brand=<brand slug>, min=<price>, max=<price> (whole units of the
 * shop's currency), sort=newest|price_asc|price_desc|name_asc|name_desc,
 * page=N.  A bad value is a 400 page that says which one.
 */
#include <string.h>

#include "core/config.h"
#include "core/parse.h"
#include "core/site.h"
#include "core/util.h"
#include "store.h"

#define PRICE_FILTER_MAX 10000000	/* whole units */

static const struct {
	const char *value, *label;
} sorts[] = {
	{ "newest", "Newest" }, { "price_asc", "Price: low to high" },
	{ "price_desc", "Price: high to low" }, { "name_asc", "Name: A to Z" },
	{ "name_desc", "Name: Z to A" },
};

struct filters {
	const char *brand;	/* slug */
	int64_t     min, max;	/* whole units, -1 = none */
	const char *sort;
};

static ecode
read_filters(request *req, const store_nav *nav, struct filters *fl, product_filter *f, error *e)
{
	const char *b = req_query(req, "brand"), *mn = req_query(req, "min");
	const char *mx = req_query(req, "max"), *s = req_query(req, "sort"), *p = req_query(req, "page");
	int64_t scale = 1;

	for (int d = currency_digits(site_currency()); d > 0; d--)
		scale *= 10;
	fl->brand = NULL;
	fl->min = fl->max = -1;
	fl->sort = "newest";
	if (b != NULL && b[0] != '\0') {
		for (size_t i = 0; i < json_object_array_length(nav->brands); i++) {
			json_object *o = json_object_array_get_idx(nav->brands, i), *v;
			json_object_object_get_ex(o, "slug", &v);
			if (strcmp(json_object_get_string(v), b) == 0) {
				json_object_object_get_ex(o, "id", &v);
				f->brand_id = json_object_get_string(v);
				fl->brand = b;
			}
		}
		if (fl->brand == NULL)
			return err_set(e, E_INVALID_PARAMETER, "there is no brand “%.60s”", b);
	}
	if (mn != NULL && mn[0] != '\0' && parse_i64(mn, 0, PRICE_FILTER_MAX, &fl->min) != 0)
		return err_set(e, E_INVALID_PARAMETER, "the minimum price must be a whole number from 0");
	if (mx != NULL && mx[0] != '\0' && parse_i64(mx, 0, PRICE_FILTER_MAX, &fl->max) != 0)
		return err_set(e, E_INVALID_PARAMETER, "the maximum price must be a whole number from 0");
	if (fl->min >= 0 && fl->max >= 0 && fl->min > fl->max)
		return err_set(e, E_INVALID_PARAMETER, "the minimum price is above the maximum");
	f->min_price = fl->min >= 0 ? fl->min * scale : -1;
	f->max_price = fl->max >= 0 ? fl->max * scale : -1;
	if (s != NULL && s[0] != '\0') {
		if (product_sort_parse(s, &f->sort) != 0)
			return err_set(e, E_INVALID_PARAMETER, "sort must be one of newest, price_asc, "
			    "price_desc, name_asc, name_desc");
		fl->sort = s;
	}
	if (p != NULL && parse_i64(p, 1, PAGE_MAX_PAGE, &f->pg.page) != 0)
		return err_set(e, E_INVALID_PARAMETER, "page must be a whole number from 1");
	f->pg.offset = (f->pg.page - 1) * f->pg.per_page;
	return E_OK;
}

/* "/c/slug?brand=..&min=..&sort=.." — the current filters, for links. */
static const char *
base_url(arena *a, const char *slug, const struct filters *fl)
{
	const char *u = arena_printf(a, "/c/%s", slug);
	char sep = '?';

	if (fl->brand != NULL) {
		u = arena_printf(a, "%s%cbrand=%s", u, sep, url_encode(a, fl->brand));
		sep = '&';
	}
	if (fl->min >= 0) {
		u = arena_printf(a, "%s%cmin=%lld", u, sep, (long long)fl->min);
		sep = '&';
	}
	if (fl->max >= 0) {
		u = arena_printf(a, "%s%cmax=%lld", u, sep, (long long)fl->max);
		sep = '&';
	}
	if (strcmp(fl->sort, "newest") != 0)
		u = arena_printf(a, "%s%csort=%s", u, sep, fl->sort);
	return u;
}

static json_object *
breadcrumbs(const store_nav *nav, json_object *node)
{
	json_object *chain[16], *arr = json_object_new_array(), *parent, *v;
	int n = 0;

	while (node != NULL && n < 16) {
		chain[n++] = node;
		if (!json_object_object_get_ex(node, "parent", &parent) ||
		    !json_object_object_get_ex(nav->by_slug, json_object_get_string(parent), &v))
			break;
		node = v;
	}
	while (n-- > 0) {
		json_object *c = json_object_new_object(), *name, *url;
		json_object_object_get_ex(chain[n], "name", &name);
		json_object_object_get_ex(chain[n], "url", &url);
		json_object_object_add(c, "name", json_object_get(name));
		json_object_object_add(c, "url", json_object_get(url));
		if (n == 0)
			json_object_object_add(c, "current", json_object_new_boolean(1));
		json_object_array_add(arr, c);
	}
	return arr;
}

static json_object *
choices(const store_nav *nav, const struct filters *fl)
{
	json_object *ctx = json_object_new_object(), *brands = json_object_new_array();
	json_object *sl = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(nav->brands); i++) {
		json_object *b = json_object_array_get_idx(nav->brands, i), *o = json_object_new_object(), *v;
		json_object_object_get_ex(b, "slug", &v);
		json_object_object_add(o, "slug", json_object_get(v));
		if (fl->brand != NULL && strcmp(fl->brand, json_object_get_string(v)) == 0)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_object_get_ex(b, "name", &v);
		json_object_object_add(o, "name", json_object_get(v));
		json_object_array_add(brands, o);
	}
	for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string(sorts[i].value));
		json_object_object_add(o, "label", json_object_new_string(sorts[i].label));
		if (strcmp(fl->sort, sorts[i].value) == 0)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_array_add(sl, o);
	}
	json_object_object_add(ctx, "brands", brands);
	json_object_object_add(ctx, "sorts", sl);
	if (fl->min >= 0)
		json_object_object_add(ctx, "min", json_object_new_int64(fl->min));
	if (fl->max >= 0)
		json_object_object_add(ctx, "max", json_object_new_int64(fl->max));
	if (fl->brand != NULL || fl->min >= 0 || fl->max >= 0)
		json_object_object_add(ctx, "active", json_object_new_boolean(1));
	json_object_object_add(ctx, "currency", json_object_new_string(site_currency()));
	return ctx;
}

ecode
h_category(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *slug = req_param(req, "slug");
	const store_nav *nav;
	json_object *node, *ctx, *v, *name, *desc, *kids;
	struct filters fl;
	product_filter f;
	product_page pp;
	ecode rc;

	if ((rc = store_nav_get(req, &nav, e)) != E_OK)
		return rc;
	if (!json_object_object_get_ex(nav->by_slug, slug, &node))
		return err_set(e, E_NOT_FOUND, "There is no category here. It may have moved — try the "
		    "navigation or search.");
	product_filter_init(&f);
	f.pg.per_page = STORE_PAGE_SIZE;
	json_object_object_get_ex(node, "id", &v);
	f.category_id = json_object_get_string(v);
	if ((rc = read_filters(req, nav, &fl, &f, e)) != E_OK ||
	    (rc = product_list(req->a, &who, &f, &pp, e)) != E_OK)
		return rc;
	json_object_object_get_ex(node, "name", &name);
	json_object_object_get_ex(node, "description", &desc);
	ctx = json_object_new_object();
	json_object_object_add(ctx, "category", json_object_get(node));
	if (json_object_object_get_ex(node, "children", &kids))
		json_object_object_add(ctx, "tiles", store_tiles(req->a, kids));
	json_object_object_add(ctx, "breadcrumbs", breadcrumbs(nav, node));
	json_object_object_add(ctx, "filters", choices(nav, &fl));
	json_object_object_add(ctx, "products", store_cards(req->a, pp.items, pp.n));
	json_object_object_add(ctx, "total", json_object_new_int64(pp.total));
	json_object_object_add(ctx, "pagination",
	    view_pagination(req->a, base_url(req->a, slug, &fl), &f.pg, pp.total));
	return store_render(req, res, "store/category", ctx, json_object_get_string(name),
	    json_object_get_string_len(desc) > 0 ? json_object_get_string(desc) :
	    arena_printf(req->a, "Shop %s: new arrivals and favourites.", json_object_get_string(name)), e);
}
