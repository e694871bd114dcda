/*
 * check_search.c — the search domain end to end: a fixed corpus made
 * through the catalog's and the inventory's JSON API (two categories, two
 * brands, five products with variants, attributes and stock), indexed by
 * one run of the relay with the shop's consumers, then searched through
 * /api/v1/search of the running shop:
 *
 *   - relevance: a word in the name ranks above the brand, above the
 *     description;
 *   - misspellings ("jaket", "tshrt") find the product and say what was
 *     searched instead; the last word is a prefix;
 *   - every facet count equals a brute-force count over the documents
 *     and over the catalog's own tables, with each facet ignoring only its
 *     own filter;
 *   - an edit, a stock change and a delete are seen after one relay run;
 *     a category rename reaches the documents; units sold count once per
 *     order, and its cancel or full refund takes them back once, never
 *     below 0;
 *   - a reindex (in process, and as an admin's queued request) rebuilds
 *     documents that were lost;
 *   - every parameter is bounded with a 400;
 *   - the storefront's /search page renders hits and plain facet links.
 *
 * Names carry a per-run word so reruns against the same stack pass.
 * Without ECOM_TEST_BASE_URL / ECOM_CONFIG / ECOM_TEST_ECOMCTL the suite
 * is skipped with 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "../../workers/consumers.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "order/order.h"
#include "product/product.h"
#include "search/search.h"
#include "http_client.h"
#include "test_db.h"
#include "test_relay.h"

static arena *a;
static char word[16];		/* the run's own word: "zq" + letters */
static char num[16];		/* the run's number, for other names */
static char *admin_id, *admin_tok;
static char root_id[40], leaf_id[40], brand_w[40], brand_plain[40];
static char p_parka[40], p_vest[40], p_shell[40], p_tee[40], p_jacket[40];
static char v_parka_s[40], v_parka_m[40];

/* ------------------------------------------------------------ plumbing */

static http_result *
api(const char *method, const char *path, const char *tok, const char *body)
{
	return http_as("198.51.100.92", tok, method, path, body);
}

/* POST/PUT as the admin, expecting status; data.id copied into id_out. */
static void
admin_call(const char *method, const char *path, const char *body, long status, char *id_out)
{
	http_result *r = api(method, path, admin_tok, body);

	expect_status(r, status);
	if (id_out != NULL) {
		const char *id = jstr(r->json, "data.id");

		ck_assert_msg(id != NULL && strlen(id) == 36, "no data.id: %.300s", r->body);
		snprintf(id_out, 40, "%s", id);
	}
	http_result_free(r);
}

static void
put_json(void *p)
{
	json_object_put(p);
}

/* GET /api/v1/search?<query> -> 200 and its data. */
static json_object *
search(const char *query)
{
	http_result *r = api("GET", arena_printf(a, "/api/v1/search?%s", query), NULL, NULL);
	json_object *d;

	expect_status(r, 200);
	d = json_object_get(jpath(r->json, "data"));
	http_result_free(r);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(arena_defer(a, put_json, d), 0);
	return d;
}

static const char *
hit_name(json_object *d, int i)
{
	return jstr(d, arena_printf(a, "products.%d.name", i));
}

static bool
has_hit(json_object *d, const char *id)
{
	json_object *ps = jpath(d, "products");

	for (size_t i = 0; ps && i < json_object_array_length(ps); i++)
		if (strcmp(jstr(json_object_array_get_idx(ps, i), "id"), id) == 0)
			return true;
	return false;
}

/* The count of facet value `key`=`value` in facet path ("facets.brands"),
 * 0 when absent (a facet lists values with matches only). */
static long long
facet_count(json_object *d, const char *path, const char *key, const char *value)
{
	json_object *f = jpath(d, path);

	for (size_t i = 0; f && i < json_object_array_length(f); i++) {
		json_object *v = json_object_array_get_idx(f, i), *k;

		if (json_object_object_get_ex(v, key, &k) &&
		    strcmp(json_object_get_string(k), value) == 0)
			return jint(v, "count");
	}
	return 0;
}

/* The sum of a facet's counts. */
static long long
facet_sum(json_object *d, const char *path)
{
	json_object *f = jpath(d, path);
	long long n = 0;

	for (size_t i = 0; f && i < json_object_array_length(f); i++)
		n += jint(json_object_array_get_idx(f, i), "count");
	return n;
}

static void
make_variant(const char *pid, const char *sku, const char *price, const char *attrs,
    long stock, char *vid)
{
	char id[40];

	admin_call("POST", arena_printf(a, "/api/v1/products/%s/variants", pid), arena_printf(a,
	    "{\"sku\":\"%s-%s\",\"name\":\"%s\",\"price\":%s,\"attributes\":%s}", sku, num, sku,
	    price, attrs), 201, id);
	if (vid)
		snprintf(vid, 40, "%s", id);
	if (stock > 0)
		admin_call("POST", "/api/v1/inventory", arena_printf(a,
		    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":%ld}", pid, id, stock),
		    201, NULL);
}

static void
make_product(const char *name, const char *desc, const char *brand_id, const char *cat, char *id)
{
	admin_call("POST", "/api/v1/products", arena_printf(a,
	    "{\"name\":\"%s\",\"description\":\"%s\",\"brand_id\":\"%s\",\"category_id\":\"%s\","
	    "\"base_price\":9900,\"currency\":\"EUR\",\"status\":\"published\"}",
	    name, desc, brand_id, cat), 201, id);
}

static void
setup_once(void)
{
	char email[128], cmd[1024];
	long t = (long)time(NULL) % 100000000 * 10 + getpid() % 10;

	ck_assert_int_eq(config_init(), 0);
	log_init("check_search", "error");
	a = arena_new(256 * 1024);
	snprintf(num, sizeof num, "%ld", t);
	snprintf(word, sizeof word, "zq");
	for (int i = 2; i < 10; i++, t /= 26)
		word[i] = (char)('a' + t % 26);
	word[10] = '\0';
	snprintf(email, sizeof email, "search-%s@admin-test.example", num);
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' 'Search-trail-%d-lantern' | '%s' user create"
	    " --email '%s' --role admin --first-name Search --last-name Tester", (int)getpid(),
	    getenv("ECOM_TEST_ECOMCTL"), email);
	admin_id = run_capture(cmd);
	ck_assert_msg(admin_id != NULL && strlen(admin_id) == 36, "ecomctl user create failed");
	ck_assert_ptr_nonnull(admin_tok = mint_token("admin", admin_id));

	/* last in the storefront's menu, where the browser tests do not look */
	admin_call("POST", "/api/v1/categories", arena_printf(a,
	    "{\"name\":\"Search Root %s\",\"sort_order\":%d}", num, SORT_ORDER_MAX), 201, root_id);
	admin_call("POST", "/api/v1/categories", arena_printf(a,
	    "{\"name\":\"Search Leaf %s\",\"parent_id\":\"%s\",\"sort_order\":%d}", num, root_id,
	    SORT_ORDER_MAX), 201, leaf_id);
	admin_call("POST", "/api/v1/brands", arena_printf(a, "{\"name\":\"%s Works\"}", word),
	    201, brand_w);
	admin_call("POST", "/api/v1/brands", arena_printf(a, "{\"name\":\"Plain Goods %s\"}", num),
	    201, brand_plain);

	/* the run's word in the name, in the brand, in the description */
	make_product(arena_printf(a, "%s Parka", word), "A warm coat.", brand_plain, leaf_id, p_parka);
	make_product("Quilted Vest", "Light and packable.", brand_w, leaf_id, p_vest);
	make_product("Rain Shell", arena_printf(a, "Sheds rain like a %s should.", word),
	    brand_plain, root_id, p_shell);
	make_product("Organic Cotton T-Shirt", "Soft jersey.", brand_plain, leaf_id, p_tee);
	make_product("Waxed Jacket", "Oiled cotton.", brand_w, root_id, p_jacket);
	make_variant(p_parka, "PARKA-S", "3000", "{\"size\":\"S\",\"colour\":\"Olive\"}", 5, v_parka_s);
	make_variant(p_parka, "PARKA-M", "3500", "{\"size\":\"M\",\"colour\":\"Navy\"}", 0, v_parka_m);
	make_variant(p_vest, "VEST-M", "6000", "{\"size\":\"M\",\"colour\":\"Olive\"}", 0, NULL);
	make_variant(p_shell, "SHELL-L", "12000", "{\"size\":\"L\",\"colour\":\"Navy\"}", 3, NULL);
	make_variant(p_tee, "TEE-M", "1500", "{\"size\":\"M\",\"colour\":\"White\"}", 10, NULL);
	make_variant(p_jacket, "JACKET-L", "25000", "{\"size\":\"L\",\"colour\":\"Olive\"}", 2, NULL);
	relay_once();
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents"
	    " WHERE category_ids @> ARRAY['%s'::uuid]", root_id)), 5);
	db_close_all();
	arena_free(a);	/* each test makes its own (setup) */
	a = NULL;
}

static void
setup(void)
{
	a = arena_new(256 * 1024);
	ck_assert_ptr_nonnull(a);
}

static void
teardown(void)
{
	arena_free(a);
	db_close_all();
}

/* ------------------------------------------------------------ relevance */

START_TEST(name_ranks_above_brand_above_description)
{
	json_object *d = search(arena_printf(a, "q=%s", word));

	/* the vest and the jacket have it in their brand, equal rank: by name */
	ck_assert_int_eq(jint(d, "total"), 4);
	ck_assert_str_eq(hit_name(d, 0), arena_printf(a, "%s Parka", word));
	ck_assert_str_eq(hit_name(d, 1), "Quilted Vest");
	ck_assert_str_eq(hit_name(d, 2), "Waxed Jacket");
	ck_assert_str_eq(hit_name(d, 3), "Rain Shell");
	ck_assert_ptr_null(jpath(d, "corrected_query"));
	/* the last word is a prefix */
	d = search(arena_printf(a, "q=%.*s", 6, word));
	ck_assert_int_eq(jint(d, "total"), 4);
}
END_TEST

START_TEST(misspellings_find_the_product)
{
	json_object *d = search(arena_printf(a, "q=jaket&category_id=%s", root_id));

	ck_assert(has_hit(d, p_jacket));
	ck_assert_str_eq(jstr(d, "corrected_query"), "jacket");
	d = search(arena_printf(a, "q=tshrt&category_id=%s", root_id));
	ck_assert(has_hit(d, p_tee));
	ck_assert_str_eq(jstr(d, "corrected_query"), "tshirt");
	d = search(arena_printf(a, "q=t-shirt&category_id=%s", root_id));
	ck_assert(has_hit(d, p_tee));
	/* a word nothing resembles finds nothing rather than everything */
	d = search(arena_printf(a, "q=qqxxzzvvkk&category_id=%s", root_id));
	ck_assert_int_eq(jint(d, "total"), 0);
}
END_TEST

START_TEST(suggestions_complete_names)
{
	http_result *r = api("GET", arena_printf(a, "/api/v1/search/suggest?q=%.*s&limit=5", 7, word),
	    NULL, NULL);

	expect_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "data.suggestions.0"), arena_printf(a, "%s Parka", word));
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ facets */

/* Each facet of `query` (within the root category) against counts made
 * by hand over the documents and over the catalog. */
START_TEST(facet_counts_equal_brute_force)
{
	json_object *d = search(arena_printf(a, "category_id=%s&per_page=100", root_id));
	const char *brands[2] = { brand_w, brand_plain };
	const char *in_root = arena_printf(a, "category_ids @> ARRAY['%s'::uuid]", root_id);
	/* the catalog's view: published products in the root or the leaf */
	const char *cat_where = arena_printf(a, "p.status = 'published' AND p.category_id IN"
	    " ('%s', '%s')", root_id, leaf_id);

	ck_assert_int_eq(jint(d, "total"), 5);
	for (int i = 0; i < 2; i++) {
		long long docs = sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents"
		    " WHERE %s AND brand_id = '%s'", in_root, brands[i]));
		long long cat = sql_int(a, arena_printf(a, "SELECT count(*) FROM catalog.products p"
		    " WHERE %s AND p.brand_id = '%s'", cat_where, brands[i]));

		ck_assert_int_eq(facet_count(d, "facets.brands", "id", brands[i]), docs);
		ck_assert_int_eq(docs, cat);
	}
	ck_assert_int_eq(facet_count(d, "facets.categories", "id", leaf_id),
	    sql_int(a, arena_printf(a, "SELECT count(*) FROM catalog.products p WHERE"
	    " p.status = 'published' AND p.category_id = '%s'", leaf_id)));
	ck_assert_int_eq(facet_count(d, "facets.categories", "id", leaf_id), 3);
	ck_assert_int_eq(facet_count(d, "facets.categories", "id", root_id), 5);
	for (int b = 0; b < SEARCH_PRICE_BUCKETS; b++) {
		long long lo = search_price_buckets[b][0], hi = search_price_buckets[b][1];
		const char *range = hi < 0 ? arena_printf(a, ">= %lld", lo) :
		    arena_printf(a, "BETWEEN %lld AND %lld", lo, hi);
		long long docs = sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents"
		    " WHERE %s AND price_min %s", in_root, range));
		long long cat = sql_int(a, arena_printf(a, "SELECT count(*) FROM (SELECT"
		    " min(coalesce(v.price, p.base_price)) AS m FROM catalog.products p JOIN"
		    " catalog.variants v ON v.product_id = p.id AND v.is_active WHERE %s GROUP BY p.id) x"
		    " WHERE m %s", cat_where, range));
		json_object *f = json_object_array_get_idx(jpath(d, "facets.price_ranges"), (size_t)b);

		ck_assert_int_eq(jint(f, "min"), lo);
		ck_assert_int_eq(jint(f, "count"), docs);
		ck_assert_int_eq(docs, cat);
	}
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents"
	    " WHERE %s AND in_stock", in_root)), 4);
	ck_assert_int_eq(facet_count(d, "facets.in_stock", "value", "true"), 4);
	ck_assert_int_eq(facet_sum(d, "facets.in_stock"), 5);
	ck_assert_int_eq(facet_count(d, "facets.attributes.size", "value", "M"),
	    sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents WHERE %s"
	    " AND attrs @> ARRAY['size=M']", in_root)));
	ck_assert_int_eq(facet_count(d, "facets.attributes.size", "value", "M"), 3);
}
END_TEST

START_TEST(each_facet_ignores_only_its_own_filter)
{
	json_object *all = search(arena_printf(a, "category_id=%s", root_id));
	json_object *d = search(arena_printf(a, "category_id=%s&brand_id=%s&attr.size=M&in_stock=true",
	    root_id, brand_plain));
	const char *in_root = arena_printf(a, "category_ids @> ARRAY['%s'::uuid]", root_id);

	/* brand M and in stock within the root: the tee and the parka (its S is in stock) */
	ck_assert_int_eq(jint(d, "total"), sql_int(a, arena_printf(a, "SELECT count(*) FROM"
	    " search.documents WHERE %s AND brand_id = '%s' AND attrs @> ARRAY['size=M'] AND in_stock",
	    in_root, brand_plain)));
	ck_assert_int_eq(jint(d, "total"), 2);
	/* brands: every other filter, not the brand's */
	ck_assert_int_eq(facet_count(d, "facets.brands", "id", brand_w), sql_int(a, arena_printf(a,
	    "SELECT count(*) FROM search.documents WHERE %s AND brand_id = '%s'"
	    " AND attrs @> ARRAY['size=M'] AND in_stock", in_root, brand_w)));
	/* sizes: every filter but the size */
	ck_assert_int_eq(facet_count(d, "facets.attributes.size", "value", "L"), sql_int(a, arena_printf(a,
	    "SELECT count(*) FROM search.documents WHERE %s AND brand_id = '%s'"
	    " AND attrs @> ARRAY['size=L'] AND in_stock", in_root, brand_plain)));
	/* colours: the size filter applies */
	ck_assert_int_eq(facet_count(d, "facets.attributes.colour", "value", "Navy"), sql_int(a, arena_printf(a,
	    "SELECT count(*) FROM search.documents WHERE %s AND brand_id = '%s'"
	    " AND attrs @> ARRAY['size=M'] AND attrs @> ARRAY['colour=Navy'] AND in_stock",
	    in_root, brand_plain)));
	/* in stock: every filter but its own */
	ck_assert_int_eq(facet_sum(d, "facets.in_stock"),
	    sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents WHERE %s AND"
	    " brand_id = '%s' AND attrs @> ARRAY['size=M']", in_root, brand_plain)));
	ck_assert_int_eq(facet_count(all, "facets.brands", "id", brand_plain), 3);
	/* two values of one attribute: either will do */
	d = search(arena_printf(a, "category_id=%s&attr.size=M&attr.size=L", root_id));
	ck_assert_int_eq(jint(d, "total"), 5);
}
END_TEST

START_TEST(sorts_and_pages)
{
	json_object *d = search(arena_printf(a, "category_id=%s&sort=price_asc&per_page=2", root_id));

	ck_assert_str_eq(hit_name(d, 0), "Organic Cotton T-Shirt");
	ck_assert_int_eq(jint(d, "total_pages"), 3);
	ck_assert(json_object_get_boolean(jpath(d, "has_next")));
	d = search(arena_printf(a, "category_id=%s&sort=price_desc&per_page=2&page=3", root_id));
	ck_assert_int_eq(json_object_array_length(jpath(d, "products")), 1);
	ck_assert_str_eq(hit_name(d, 0), "Organic Cotton T-Shirt");
	d = search(arena_printf(a, "category_id=%s&sort=name", root_id));
	ck_assert_str_eq(hit_name(d, 0), "Organic Cotton T-Shirt");
	/* created in the same second, maybe: newest first, ties by name */
	d = search(arena_printf(a, "category_id=%s&sort=newest", root_id));
	ck_assert_int_eq(jint(d, "total"), 5);
	ck_assert_str_ge(jstr(d, "products.0.created_at"), jstr(d, "products.4.created_at"));
	d = search(arena_printf(a, "category_id=%s&min_price=2500&max_price=4999", root_id));
	ck_assert_int_eq(jint(d, "total"), 1);
	ck_assert(has_hit(d, p_parka));
}
END_TEST

START_TEST(parameters_are_bounded)
{
	static const char *const bad[] = {
		"per_page=101", "per_page=0", "page=0", "sort=cheapest", "in_stock=maybe",
		"category_id=shoes", "brand_id=1", "min_price=-1", "min_price=500&max_price=100",
		"q=a+b+c+d+e+f+g+h+i", "attr.=x",
	};
	char longq[260];
	http_result *r;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		r = api("GET", arena_printf(a, "/api/v1/search?%s", bad[i]), NULL, NULL);
		expect_status(r, 400);
		ck_assert_str_eq(jstr(r->json, "error.code"), "INVALID_PARAMETER");
		http_result_free(r);
	}
	memset(longq, 'a', 201);
	longq[201] = '\0';
	r = api("GET", arena_printf(a, "/api/v1/search?q=%s", longq), NULL, NULL);
	expect_status(r, 400);
	http_result_free(r);
	r = api("GET", "/api/v1/search/suggest?q=ab&limit=21", NULL, NULL);
	expect_status(r, 400);
	http_result_free(r);
	/* tsquery syntax in q is just more words */
	r = api("GET", "/api/v1/search?q=%27%3A*%7C!%28", NULL, NULL);
	expect_status(r, 200);
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ catching up */

START_TEST(an_edit_is_found_after_one_relay_run)
{
	const char *renamed = arena_printf(a, "Storm Shell %s", num);
	json_object *d;
	long long in_stock;

	admin_call("PUT", arena_printf(a, "/api/v1/products/%s", p_shell),
	    arena_printf(a, "{\"name\":\"%s\"}", renamed), 200, NULL);
	relay_once();
	d = search(arena_printf(a, "q=storm+%s", num));
	ck_assert_int_eq(jint(d, "total"), 1);
	ck_assert_str_eq(hit_name(d, 0), renamed);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT name FROM search.documents"
	    " WHERE product_id = '%s'", p_shell)), renamed);
	/* stock: the vest's only variant comes in; the same query's facet
	 * counts (kept by the responders) follow */
	d = search(arena_printf(a, "q=quilted+vest&category_id=%s", leaf_id));
	ck_assert(!json_object_get_boolean(jpath(d, "products.0.in_stock")));
	in_stock = facet_count(search(arena_printf(a, "category_id=%s", leaf_id)), "facets.in_stock",
	    "value", "true");
	admin_call("POST", "/api/v1/inventory", arena_printf(a,
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":4}", p_vest,
	    sql(a, arena_printf(a, "SELECT id FROM catalog.variants WHERE product_id = '%s'", p_vest))),
	    201, NULL);
	relay_once();
	d = search(arena_printf(a, "q=quilted+vest&category_id=%s", leaf_id));
	ck_assert(json_object_get_boolean(jpath(d, "products.0.in_stock")));
	ck_assert_int_eq(facet_count(search(arena_printf(a, "category_id=%s", leaf_id)),
	    "facets.in_stock", "value", "true"), in_stock + 1);
}
END_TEST

START_TEST(taxonomy_renames_reach_the_documents)
{
	const char *leaf_name = arena_printf(a, "Outerlayers %s", num);
	const char *brand_name = arena_printf(a, "Renamed Goods %s", num);
	json_object *d;

	admin_call("PUT", arena_printf(a, "/api/v1/categories/%s", leaf_id),
	    arena_printf(a, "{\"name\":\"%s\"}", leaf_name), 200, NULL);
	admin_call("PUT", arena_printf(a, "/api/v1/brands/%s", brand_plain),
	    arena_printf(a, "{\"name\":\"%s\"}", brand_name), 200, NULL);
	relay_once();
	d = search(arena_printf(a, "q=outerlayers+%s", num));
	ck_assert_int_eq(jint(d, "total"), 3);
	d = search(arena_printf(a, "category_id=%s", root_id));
	ck_assert_int_eq(facet_count(d, "facets.brands", "id", brand_plain), 3);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT brand_name FROM search.documents"
	    " WHERE product_id = '%s'", p_parka)), brand_name);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT name FROM search.categories WHERE id = '%s'",
	    leaf_id)), leaf_name);
}
END_TEST

/* An order placed the way the checkout places one (order.h), of lines
 * (product, quantity); its id. */
static const char *
place_order(const char *p1, int64_t q1, const char *p2, int64_t q2)
{
	order_item_input items[2] = {
		{ p1, NULL, "Line one", "S-1", 1000, q1, 0, 0 },
		{ p2, NULL, "Line two", "S-2", 1000, q2, 0, 0 },
	};
	order_input in;
	order o;
	error e;

	memset(&in, 0, sizeof in);
	in.checkout_id = sql(a, "SELECT gen_random_uuid()::text");
	in.email = arena_printf(a, "popular-%s@search-test.example", num);
	in.currency = "EUR";
	in.items = items;
	in.nitems = 2;
	in.shipping_address = (order_address){ "Ada Lovelace", "1 Analytical St", NULL, "London",
	    NULL, "N1 1AA", "GB", NULL };
	in.shipping_method = "standard";
	in.subtotal = in.total = 1000 * (q1 + q2);
	in.paid = true;
	err_clear(&e);
	ck_assert_msg(order_create(a, &in, &o, &e) == E_OK, "order: %s", e.message);
	return o.id;
}

static void
move_order(const char *id, order_status to)
{
	order_actor who = { NULL, ROLE_ADMIN, NULL, "admin" };
	order_change_result res;
	order o;
	error e;

	err_clear(&e);
	ck_assert_msg(order_transition(a, &who, id, to, "search test", false, &o, &res, &e) == E_OK,
	    "%s: %s", order_status_name(to), e.message);
}

/* The order's last event of type (short, "order.canceled"; with
 * to_status when not NULL) as the relay hands it over; with claimed, once
 * the search indexer has processed it. */
static event
order_event(const char *order_id, const char *type, const char *to_status, bool claimed)
{
	const char *from = arena_printf(a, "FROM orders.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.%s' AND payload->'data'->>'to_status' IS NOT DISTINCT"
	    " FROM coalesce(%s, payload->'data'->>'to_status') ORDER BY created_at DESC LIMIT 1",
	    order_id, type, to_status ? arena_printf(a, "'%s'", to_status) : "NULL");
	const char *id = sql(a, arena_printf(a, "SELECT id::text %s", from));
	const char *env = sql(a, arena_printf(a, "SELECT payload::text %s", from));
	event ev;
	error e;

	ck_assert_msg(id && env, "no %s event of order %s", type, order_id);
	if (claimed)
		relay_until_claimed(a, "search.processed_events", id);
	err_clear(&e);
	ck_assert_msg(event_parse(a, env, strlen(env), &ev, &e) == E_OK, "%s", e.message);
	return ev;
}

static long long
popularity(const char *product_id)
{
	return sql_int(a, arena_printf(a, "SELECT popularity FROM search.documents"
	    " WHERE product_id = '%s'", product_id));
}

static void
handle(const event *ev)
{
	error e;

	err_clear(&e);
	ck_assert_msg(search_consumer.handle(a, ev, &e) == E_OK, "%s", e.message);
}

START_TEST(units_sold_count_once_and_a_cancel_takes_them_back_once)
{
	long long tee = popularity(p_tee), vest = popularity(p_vest);
	const char *id = place_order(p_tee, 2, p_tee, 1);	/* two lines, one product */
	event created, canceled, again;

	/* placed: +3, and a redelivered order.created adds nothing */
	created = order_event(id, "order.created", NULL, true);
	ck_assert_int_eq(popularity(p_tee), tee + 3);
	handle(&created);
	ck_assert_int_eq(popularity(p_tee), tee + 3);
	/* canceled: back to where it was */
	move_order(id, ORDER_CANCELED);
	canceled = order_event(id, "order.canceled", NULL, true);
	ck_assert_int_eq(popularity(p_tee), tee);
	/* the cancel redelivered, and another event taking the same order back
	 * (a new event id): no second subtraction; a late order.created with
	 * a new id adds nothing either */
	handle(&canceled);
	again = canceled;
	again.id = sql(a, "SELECT gen_random_uuid()::text");
	handle(&again);
	again = created;
	again.id = sql(a, "SELECT gen_random_uuid()::text");
	handle(&again);
	ck_assert_int_eq(popularity(p_tee), tee);

	/* a full refund (delivered -> refunded) takes back too, never below 0:
	 * the count lost units behind the indexer's back (1 left of the 2) */
	id = place_order(p_vest, 1, p_tee, 1);
	(void)order_event(id, "order.created", NULL, true);
	ck_assert_int_eq(popularity(p_vest), vest + 1);
	ck_assert_int_eq(popularity(p_tee), tee + 1);
	sql(a, arena_printf(a, "WITH p AS (UPDATE search.popularity SET sold = 0 WHERE product_id"
	    " = '%s') UPDATE search.documents SET popularity = 0 WHERE product_id = '%s'", p_vest,
	    p_vest));
	move_order(id, ORDER_PROCESSING);
	move_order(id, ORDER_SHIPPED);
	move_order(id, ORDER_DELIVERED);
	/* other status changes leave it as it is */
	again = order_event(id, "order.status_changed", "delivered", false);
	handle(&again);
	ck_assert_int_eq(popularity(p_tee), tee + 1);
	move_order(id, ORDER_REFUNDED);
	(void)order_event(id, "order.status_changed", "refunded", true);
	ck_assert_int_eq(popularity(p_vest), 0);
	ck_assert_int_eq(popularity(p_tee), tee);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT sold FROM search.popularity"
	    " WHERE product_id = '%s'", p_vest)), 0);
}
END_TEST

START_TEST(a_deleted_product_disappears)
{
	admin_call("DELETE", arena_printf(a, "/api/v1/products/%s", p_jacket), NULL, 200, NULL);
	relay_once();
	ck_assert(!has_hit(search(arena_printf(a, "q=waxed+jacket&category_id=%s", root_id)),
	    p_jacket));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM search.documents"
	    " WHERE product_id = '%s'", p_jacket)), 0);
}
END_TEST

START_TEST(reindex_rebuilds_lost_documents)
{
	int64_t docs = 0;
	http_result *r;
	error e;

	/* written behind the indexer's back: the responders are told */
	sql(a, arena_printf(a, "DELETE FROM search.documents WHERE category_ids @> ARRAY['%s'::uuid]",
	    root_id));
	sql(a, "SELECT nextval('search.generation')");
	ck_assert_int_eq(jint(search(arena_printf(a, "category_id=%s", root_id)), "total"), 0);
	err_clear(&e);
	ck_assert_msg(search_reindex(a, NULL, NULL, &docs, &e) == E_OK, "%s", e.message);
	ck_assert_int_ge(docs, 4);
	ck_assert_int_eq(jint(search(arena_printf(a, "category_id=%s", root_id)), "total"), 4);

	/* an admin's request is queued (202) and run by the janitor's job */
	sql(a, arena_printf(a, "DELETE FROM search.documents WHERE product_id = '%s'", p_tee));
	sql(a, "SELECT nextval('search.generation')");
	r = api("POST", "/api/v1/search/reindex", admin_tok, "{}");
	expect_status(r, 202);
	ck_assert_str_eq(jstr(r->json, "data.status"), "queued");
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM search.reindex_runs WHERE id = '%s'",
	    jstr(r->json, "data.id"))), "pending");
	while (sql_int(a, "SELECT count(*) FROM search.reindex_runs WHERE status = 'pending'") > 0)
		ck_assert_msg(search_reindex_pending(a, &docs, &e) == E_OK, "%s", e.message);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM search.reindex_runs WHERE id = '%s'",
	    jstr(r->json, "data.id"))), "done");
	http_result_free(r);
	ck_assert(has_hit(search(arena_printf(a, "category_id=%s", root_id)), p_tee));
}
END_TEST

/* ------------------------------------------------------------ the storefront */

START_TEST(storefront_page_has_hits_and_plain_facet_links)
{
	http_result *r = api("GET", arena_printf(a, "/search?q=%s", word), NULL, NULL);

	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "%s Parka", word)));
	/* facet links carry the query and the filter, escaped for HTML */
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "href=\"/search?q=%s&amp;brand_id=%s\"",
	    word, brand_w)));
	ck_assert_ptr_nonnull(strstr(r->body, "in_stock=true"));
	ck_assert_ptr_nonnull(strstr(r->body, "attr.size=M"));
	http_result_free(r);

	/* a chosen price bucket links back to the search without it */
	r = api("GET", arena_printf(a, "/search?q=%s&min_price=2500&max_price=4999", word), NULL, NULL);
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "<a href=\"/search?q=%s\" aria-current=\"true\"",
	    word)));
	http_result_free(r);

	r = api("GET", arena_printf(a, "/search?q=%s&brand_id=%s", word, brand_w), NULL, NULL);
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Quilted Vest"));
	ck_assert_ptr_null(strstr(r->body, arena_printf(a, "%s Parka</", word)));
	http_result_free(r);

	r = api("GET", "/search?q=jaket", NULL, NULL);
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "jacket"));
	http_result_free(r);

	r = api("GET", "/search?q=%3Cscript%3Ex", NULL, NULL);
	expect_status(r, 200);
	ck_assert_ptr_null(strstr(r->body, "<script>x"));
	http_result_free(r);

	r = api("GET", "/search?page=0", NULL, NULL);
	expect_status(r, 400);
	http_result_free(r);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (test_base_url() == NULL || getenv("ECOM_CONFIG") == NULL ||
	    getenv("ECOM_TEST_ECOMCTL") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL / ECOM_CONFIG / ECOM_TEST_ECOMCTL not set (./check sets them)");
		return 77;
	}
	s = suite_create("search");
	tc = tcase_create("search");
	tcase_add_unchecked_fixture(tc, setup_once, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, name_ranks_above_brand_above_description);
	tcase_add_test(tc, misspellings_find_the_product);
	tcase_add_test(tc, suggestions_complete_names);
	tcase_add_test(tc, facet_counts_equal_brute_force);
	tcase_add_test(tc, each_facet_ignores_only_its_own_filter);
	tcase_add_test(tc, sorts_and_pages);
	tcase_add_test(tc, parameters_are_bounded);
	tcase_add_test(tc, an_edit_is_found_after_one_relay_run);
	tcase_add_test(tc, taxonomy_renames_reach_the_documents);
	tcase_add_test(tc, units_sold_count_once_and_a_cancel_takes_them_back_once);
	tcase_add_test(tc, a_deleted_product_disappears);
	tcase_add_test(tc, reindex_rebuilds_lost_documents);
	tcase_add_test(tc, storefront_page_has_hits_and_plain_facet_links);
	suite_add_tcase(s, tc);
	test_db_domain("search");
	return check_run(s);
}
