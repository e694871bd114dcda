/*
 * store_search.c — /search?q=…: the header's search box lands here.
 *
 * The search domain answers (lib/search: full text, corrections, facets).
 * Every facet value, sort and page is a plain link whose query string is
 * the current search with one thing changed, so the page works without
 * JavaScript and every state has its own URL.  Choosing a facet value
 * starts again from page 1; choosing it again (it is marked selected)
 * removes it.
 */
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "search/search.h"
#include "store.h"

/* One change to the current search for a link: set key to value (NULL:
 * remove it), or toggle one attribute value. */
typedef struct link_change {
	const char *key;	/* "brand_id", "sort", "attr.size", ... */
	const char *value;	/* NULL removes */
	const char *value2;	/* with key "price": max_price ("" = none) */
} link_change;

static const char *
i64s(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static char *
append(arena *a, char *url, const char *key, const char *value)
{
	if (!url || !value)
		return url;
	return arena_printf(a, "%s%s%s=%s", url, strchr(url, '?') ? "&" : "?", key,
	    url_encode(a, value));
}

/* /search with q and the filters of sq, one change applied, no page. */
static char *
search_url(arena *a, const search_query *sq, const link_change *ch, bool keep_page)
{
	char *u = arena_strdup(a, "/search");
	bool is = false;
	const char *v;

#define CHANGED(k) (ch && strcmp(ch->key, (k)) == 0)
	if (sq->q && sq->q[0])
		u = append(a, u, "q", sq->q);
	v = CHANGED("category_id") ? ch->value : sq->category_id;
	u = append(a, u, "category_id", v);
	v = CHANGED("brand_id") ? ch->value : sq->brand_id;
	u = append(a, u, "brand_id", v);
	if (CHANGED("price")) {
		/* a chosen bucket's link removes both bounds */
		u = append(a, u, "min_price", ch->value);
		if (ch->value && ch->value2 && ch->value2[0])
			u = append(a, u, "max_price", ch->value2);
	} else {
		u = append(a, u, "min_price", sq->min_price >= 0 ? i64s(a, sq->min_price) : NULL);
		u = append(a, u, "max_price", sq->max_price >= 0 ? i64s(a, sq->max_price) : NULL);
	}
	v = CHANGED("in_stock") ? ch->value :
	    sq->in_stock < 0 ? NULL : sq->in_stock ? "true" : "false";
	u = append(a, u, "in_stock", v);
	for (size_t i = 0; i < sq->nattrs; i++) {
		const char *k = arena_printf(a, "attr.%s", sq->attrs[i].key);

		/* a selected value is removed by its own link */
		if (ch && k && strcmp(ch->key, k) == 0 && ch->value &&
		    strcmp(ch->value, sq->attrs[i].value) == 0) {
			is = true;
			continue;
		}
		u = append(a, u, k, sq->attrs[i].value);
	}
	if (ch && strncmp(ch->key, "attr.", 5) == 0 && !is)
		u = append(a, u, ch->key, ch->value);
	v = CHANGED("sort") ? ch->value : sq->sort != SEARCH_SORT_RELEVANCE ?
	    search_sort_name(sq->sort) : NULL;
	if (v && strcmp(v, "relevance") != 0)
		u = append(a, u, "sort", v);
	if (keep_page && sq->pg.page > 1)
		u = append(a, u, "page", i64s(a, sq->pg.page));
#undef CHANGED
	return u;
}

static json_object *
facet_item(arena *a, const search_query *sq, const search_facet_value *v, const char *label,
    const link_change *ch)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "count", json_object_new_int64(v->count));
	json_object_object_add(o, "url", json_object_new_string(search_url(a, sq, ch, false)));
	if (v->selected)
		json_object_object_add(o, "selected", json_object_new_boolean(1));
	return o;
}

/* A facet group {title, values[]}; NULL when it has no values. */
static json_object *
facet_group(arena *a, const search_query *sq, const search_facet *f, const char *title,
    const char *currency)
{
	json_object *g, *vals;

	if (f->n == 0)
		return NULL;
	g = json_object_new_object();
	vals = json_object_new_array();
	for (size_t i = 0; i < f->n; i++) {
		const search_facet_value *v = &f->values[i];
		link_change ch = { NULL, v->selected ? NULL : v->value, NULL };
		const char *label = v->label;

		if (strcmp(f->name, "categories") == 0) {
			/* one level at a time: the roots, or the chosen one and
			 * its children */
			if (!v->selected && (sq->category_id ? !v->parent ||
			    strcasecmp(v->parent, sq->category_id) != 0 : v->parent != NULL))
				continue;
			ch.key = "category_id";
		}
		else if (strcmp(f->name, "brands") == 0)
			ch.key = "brand_id";
		else if (strcmp(f->name, "in_stock") == 0) {
			ch.key = "in_stock";
			label = strcmp(v->value, "true") == 0 ? "In stock" : "Out of stock";
		} else if (strcmp(f->name, "price_ranges") == 0) {
			if (v->count == 0 && !v->selected)
				continue;
			ch.key = "price";
			ch.value = v->selected ? NULL : i64s(a, v->min);
			ch.value2 = v->max >= 0 ? i64s(a, v->max) : "";
			label = v->max < 0 ? arena_printf(a, "%s and above", store_money(a, v->min, currency)) :
			    arena_printf(a, "%s – %s", store_money(a, v->min, currency),
			    store_money(a, v->max, currency));
		} else {
			ch.key = arena_printf(a, "attr.%s", f->name);
			ch.value = v->value;	/* toggled by search_url */
		}
		json_object_array_add(vals, facet_item(a, sq, v, label, &ch));
	}
	json_object_object_add(g, "title", json_object_new_string(title));
	json_object_object_add(g, "values", vals);
	return g;
}

static json_object *
facets_ctx(arena *a, const search_query *sq, const search_result *r, const char *currency)
{
	json_object *arr = json_object_new_array(), *g;

	if ((g = facet_group(a, sq, &r->categories, "Category", currency)))
		json_object_array_add(arr, g);
	if ((g = facet_group(a, sq, &r->brands, "Brand", currency)))
		json_object_array_add(arr, g);
	if ((g = facet_group(a, sq, &r->price_ranges, "Price", currency)))
		json_object_array_add(arr, g);
	if ((g = facet_group(a, sq, &r->in_stock, "Availability", currency)))
		json_object_array_add(arr, g);
	for (size_t i = 0; i < r->nattributes; i++) {
		const char *name = r->attributes[i].name;
		const char *title = arena_printf(a, "%c%s", name[0] >= 'a' && name[0] <= 'z' ?
		    name[0] - 'a' + 'A' : name[0], name + 1);

		if ((g = facet_group(a, sq, &r->attributes[i], title, currency)))
			json_object_array_add(arr, g);
	}
	return arr;
}

static json_object *
sorts_ctx(arena *a, const search_query *sq)
{
	static const struct { search_sort s; const char *label; } sorts[] = {
		{ SEARCH_SORT_RELEVANCE, "Best match" }, { SEARCH_SORT_PRICE_ASC, "Price, low to high" },
		{ SEARCH_SORT_PRICE_DESC, "Price, high to low" }, { SEARCH_SORT_NEWEST, "Newest" },
		{ SEARCH_SORT_NAME, "Name" },
	};
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++) {
		json_object *o = json_object_new_object();
		link_change ch = { "sort", search_sort_name(sorts[i].s), NULL };

		json_object_object_add(o, "label", json_object_new_string(sorts[i].label));
		json_object_object_add(o, "url", json_object_new_string(search_url(a, sq, &ch, false)));
		if (sq->sort == sorts[i].s)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* A card from a hit: the lowest price is the one shown. */
static json_object *
hit_card(arena *a, const search_hit *h)
{
	product_summary p;

	memset(&p, 0, sizeof p);
	p.id = h->product_id;
	p.slug = h->slug;
	p.name = h->name;
	p.base_price = h->price_min;
	p.currency = h->currency;
	if (h->image_url) {
		p.has_image = true;
		p.primary_image.url = h->image_url;
		p.primary_image.alt_text = h->image_alt ? h->image_alt : "";
		p.primary_image.width = h->image_width;
		p.primary_image.height = h->image_height;
		p.primary_image.media_id = h->image_media_id;
	}
	p.rating.count = h->rating_count;
	p.rating.sum = (h->rating_x100 * h->rating_count + 50) / 100;
	return store_card(a, &p);
}

ecode
h_search(request *req, response *res, error *e)
{
	search_query sq;
	search_result r;
	json_object *ctx, *cards;
	const char *q, *currency = cfg->currency;
	ecode rc;

	if ((rc = search_query_from_request(req, &sq, e)) != E_OK)
		return rc;
	sq.pg.per_page = STORE_PAGE_SIZE;
	sq.pg.offset = (sq.pg.page - 1) * sq.pg.per_page;
	if ((rc = search_run(req->a, &sq, &r, e)) != E_OK)
		return rc;
	search_log_query(req->a, &sq, &r);
	q = sq.q ? sq.q : "";
	ctx = json_object_new_object();
	cards = json_object_new_array();
	for (size_t i = 0; i < r.n; i++)
		json_object_array_add(cards, hit_card(req->a, &r.hits[i]));
	if (r.n > 0)
		currency = r.hits[0].currency;
	json_object_object_add(ctx, "query", json_object_new_string(q));
	if (r.corrected)
		json_object_object_add(ctx, "corrected", json_object_new_string(r.corrected));
	json_object_object_add(ctx, "products", cards);
	json_object_object_add(ctx, "total", json_object_new_int64(r.total));
	json_object_object_add(ctx, "facets", facets_ctx(req->a, &sq, &r, currency));
	json_object_object_add(ctx, "sorts", sorts_ctx(req->a, &sq));
	if (sq.category_id || sq.brand_id || sq.min_price >= 0 || sq.max_price >= 0 ||
	    sq.in_stock >= 0 || sq.nattrs > 0)
		json_object_object_add(ctx, "clear_url", json_object_new_string(
		    q[0] ? arena_printf(req->a, "/search?q=%s", url_encode(req->a, q)) : "/search"));
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    search_url(req->a, &sq, NULL, false), &sq.pg, r.total));
	return store_render(req, res, "store/search", ctx,
	    q[0] != '\0' ? arena_printf(req->a, "Search: %s", q) : "All products",
	    q[0] != '\0' ? arena_printf(req->a, "Products matching “%s”.", q) :
	    "Every product in the shop.", e);
}
