/*
 * check_product.c — the catalog's pure rules, no database: unique slugs,
 * URL/SKU/time formats, the list filter read from a query string, the
 * validation of JSON bodies (every bad field reported at once), the
 * category cycle check and the read cache's invalidation rules.  Tables carry __LINE__ so a failure points at its
 * row.
 */
#include <check.h>

#include "../check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/error.h"
#include "core/http.h"
#include "core/util.h"
#include "product/internal.h"

static arena *A;

static void
setup(void)
{
	A = arena_new(8192);
	ck_assert_ptr_nonnull(A);
}

static void
teardown(void)
{
	arena_free(A);
	A = NULL;
}

static bool
has_field(const error *e, const char *name)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ slugs */

static const struct {
	int         line;
	const char *base;
	const char *taken[5];
	const char *want;
} slug_cases[] = {
	{ __LINE__, "shirt", { NULL }, "shirt" },
	{ __LINE__, "shirt", { "shirt" }, "shirt-2" },
	{ __LINE__, "shirt", { "shirt", "shirt-2", "shirt-4" }, "shirt-3" },
	{ __LINE__, "shirt", { "shirt", "shirt-3", "shirt-2" }, "shirt-4" },
	{ __LINE__, "shirt", { "shirt-2" }, "shirt" },
	/* Look-alikes are not suffixes: leading zero, letters, another base. */
	{ __LINE__, "shirt", { "shirt", "shirt-02", "shirt-x", "shirtx-2" }, "shirt-2" },
	{ __LINE__, "shirt", { "shirt", "shirt-1" }, "shirt-2" },
	{ __LINE__, "a-b", { "a-b", "a-b-2", "a-b-2-2" }, "a-b-3" },
};

START_TEST(test_slug_unique)
{
	const char *const *taken = slug_cases[_i].taken;
	size_t n = 0;
	char  *got;

	while (n < 5 && taken[n])
		n++;
	got = slug_unique(A, slug_cases[_i].base, taken, n);
	ck_assert_msg(got && strcmp(got, slug_cases[_i].want) == 0,
	    "line %d: got %s, want %s", slug_cases[_i].line, got ? got : "(null)",
	    slug_cases[_i].want);
}
END_TEST

START_TEST(test_slug_unique_long)
{
	char        base[PRODUCT_SLUG_MAX + 1];
	const char *taken[1];
	char       *got;

	memset(base, 'a', PRODUCT_SLUG_MAX);
	base[PRODUCT_SLUG_MAX] = '\0';
	taken[0] = base;
	got = slug_unique(A, base, taken, 1);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_le(strlen(got), PRODUCT_SLUG_MAX);
	ck_assert_str_eq(got + strlen(got) - 2, "-2");
}
END_TEST

START_TEST(test_slug_unique_nth)
{
	const char *taken[] = { "shirt", "shirt-3" };
	const char *only2[] = { "shirt-2" };

	ck_assert_str_eq(slug_unique_nth(A, "shirt", taken, 2, 0), "shirt-2");
	ck_assert_str_eq(slug_unique_nth(A, "shirt", taken, 2, 1), "shirt-4");
	ck_assert_str_eq(slug_unique_nth(A, "shirt", taken, 2, 2), "shirt-5");
	/* A free base counts as the first choice. */
	ck_assert_str_eq(slug_unique_nth(A, "shirt", only2, 1, 0), "shirt");
	ck_assert_str_eq(slug_unique_nth(A, "shirt", only2, 1, 1), "shirt-3");
}
END_TEST

START_TEST(test_slug_base)
{
	char *s;

	/* Nothing usable (a non-Latin script) falls back. */
	ck_assert_str_eq(slug_base(A, "日本語", "product"), "product");
	ck_assert_str_eq(slug_base(A, "", "brand"), "brand");
	ck_assert_str_eq(slug_base(A, NULL, "category"), "category");
	ck_assert_str_eq(slug_base(A, "Blue Shirt", "product"), "blue-shirt");
	/* Room for a suffix is always left. */
	s = slug_base(A, "word word word word word word word word word word word word "
	    "word word word word word word word word word word word word word word "
	    "word word word word word word", "product");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_le(strlen(s), PRODUCT_SLUG_MAX - 8);
	ck_assert(slug_valid(s));
}
END_TEST

/* ------------------------------------------------------------ formats */

static const struct {
	int         line;
	const char *url;
	bool        ok;
} url_cases[] = {
	{ __LINE__, "https://cdn.example.com/a.jpg", true },
	{ __LINE__, "http://example.com", true },
	{ __LINE__, "/media/p/1.webp", true },
	{ __LINE__, "/", true },
	{ __LINE__, "//evil.example/a.jpg", false },
	{ __LINE__, "/\\evil.example", false },
	{ __LINE__, "javascript:alert(1)", false },
	{ __LINE__, "data:image/png;base64,AAAA", false },
	{ __LINE__, "https://", false },
	{ __LINE__, "https:///x", false },
	{ __LINE__, "https://a b", false },
	{ __LINE__, "https://a\r\nb", false },
	{ __LINE__, "media/x.jpg", false },
	{ __LINE__, "", false },
	{ __LINE__, "HTTPS://example.com", false },
};

START_TEST(test_url_valid)
{
	ck_assert_msg(catalog_url_valid(url_cases[_i].url) == url_cases[_i].ok,
	    "line %d: %s", url_cases[_i].line, url_cases[_i].url);
}
END_TEST

/* "size=M; colour=Red" as typed in the CSV column and the admin form. */
static const struct {
	int         line;
	const char *text;
	const char *json;	/* NULL: refused */
} attrs_cases[] = {
	{ __LINE__, "size=M; colour=Red", "{\"size\":\"M\",\"colour\":\"Red\"}" },
	{ __LINE__, "  size =  M  ;colour= Red ", "{\"size\":\"M\",\"colour\":\"Red\"}" },
	{ __LINE__, "", "{}" },
	{ __LINE__, " ; ;", "{}" },
	{ __LINE__, "size=M;", "{\"size\":\"M\"}" },
	{ __LINE__, "size=", "{\"size\":\"\"}" },
	{ __LINE__, "size=  ;x=1", "{\"size\":\"\",\"x\":\"1\"}" },
	{ __LINE__, "a=b=c", "{\"a\":\"b=c\"}" },
	{ __LINE__, "size", NULL },
	{ __LINE__, "size=M; colour", NULL },
};

START_TEST(test_attrs_from_text)
{
	const char *got = variant_attrs_from_text(A, attrs_cases[_i].text);

	if (attrs_cases[_i].json == NULL)
		ck_assert_msg(got == NULL, "line %d: %s", attrs_cases[_i].line, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, attrs_cases[_i].json) == 0,
		    "line %d: %s", attrs_cases[_i].line, got ? got : "(refused)");
}
END_TEST

START_TEST(test_url_too_long)
{
	char *u = arena_alloc(A, CATALOG_URL_MAX + 2);

	memset(u, 'a', CATALOG_URL_MAX + 1);
	memcpy(u, "https://", 8);
	u[CATALOG_URL_MAX + 1] = '\0';
	ck_assert(!catalog_url_valid(u));
	u[CATALOG_URL_MAX] = '\0';
	ck_assert(catalog_url_valid(u));
}
END_TEST

static const struct {
	int         line;
	const char *sku;
	bool        ok;
} sku_cases[] = {
	{ __LINE__, "TS-NAVY-M", true },
	{ __LINE__, "a.b_c-9", true },
	{ __LINE__, "1234567890123456789012345678901234567890123456789012345678901234", true },
	{ __LINE__, "12345678901234567890123456789012345678901234567890123456789012345", false },
	{ __LINE__, "", false },
	{ __LINE__, "has space", false },
	{ __LINE__, "slash/no", false },
	{ __LINE__, "ümlaut", false },
};

START_TEST(test_sku_valid)
{
	ck_assert_msg(sku_valid(sku_cases[_i].sku) == sku_cases[_i].ok,
	    "line %d: %s", sku_cases[_i].line, sku_cases[_i].sku);
}
END_TEST

START_TEST(test_status_and_sort_names)
{
	product_status st;
	product_sort   so;

	for (int i = PRODUCT_DRAFT; i <= PRODUCT_ARCHIVED; i++) {
		ck_assert_int_eq(product_status_parse(product_status_name(i), &st), 0);
		ck_assert_int_eq(st, i);
	}
	for (int i = SORT_NEWEST; i <= SORT_NAME_DESC; i++) {
		ck_assert_int_eq(product_sort_parse(product_sort_name(i), &so), 0);
		ck_assert_int_eq(so, i);
	}
	ck_assert_int_eq(product_status_parse("Published", &st), -1);
	ck_assert_int_eq(product_status_parse("", &st), -1);
	ck_assert_int_eq(product_sort_parse("price", &so), -1);
	ck_assert_int_eq(product_sort_parse(NULL, &so), -1);
}
END_TEST

static const struct {
	int         line;
	const char *s;
	int64_t     want;	/* -1: refused */
} time_cases[] = {
	{ __LINE__, "2026-11-24T03:36:55Z", 1795491415 },
	{ __LINE__, "2026-11-24t03:36:55z", 1795491415 },
	{ __LINE__, "2026-11-24T05:36:55+02:00", 1795491415 },
	{ __LINE__, "2026-11-23T22:36:55-05:00", 1795491415 },
	{ __LINE__, "2026-11-24T03:36:55.123456Z", 1795491415 },
	{ __LINE__, "2024-02-29T00:00:00Z", 1709164800 },
	{ __LINE__, "2025-02-29T00:00:00Z", -1 },
	{ __LINE__, "2026-13-01T00:00:00Z", -1 },
	{ __LINE__, "2026-11-24 03:36:55Z", -1 },
	{ __LINE__, "2026-11-24T03:36:55", -1 },
	{ __LINE__, "2026-11-24T03:36:55.Z", -1 },
	{ __LINE__, "2026-11-24T24:00:00Z", -1 },
	{ __LINE__, "2026-11-24T03:36:55+2:00", -1 },
	{ __LINE__, "+026-11-24T03:36:55Z", -1 },
	{ __LINE__, "", -1 },
};

START_TEST(test_time_parse)
{
	int64_t got = 0;
	int     rc = time_parse_rfc3339(time_cases[_i].s, &got);

	if (time_cases[_i].want < 0)
		ck_assert_msg(rc == -1, "line %d: accepted %s", time_cases[_i].line,
		    time_cases[_i].s);
	else
		ck_assert_msg(rc == 0 && got == time_cases[_i].want,
		    "line %d: %s -> rc %d, %lld", time_cases[_i].line, time_cases[_i].s,
		    rc, (long long)got);
}
END_TEST

START_TEST(test_like_pattern)
{
	ck_assert_str_eq(catalog_like_pattern(A, "shirt"), "%shirt%");
	ck_assert_str_eq(catalog_like_pattern(A, "100%"), "%100\\%%");
	ck_assert_str_eq(catalog_like_pattern(A, "a_b\\c"), "%a\\_b\\\\c%");
	ck_assert_str_eq(catalog_like_pattern(A, ""), "%%");
}
END_TEST

START_TEST(test_rating_average)
{
	rating_summary r = { 0, 0, { 0 } };

	ck_assert_int_eq(rating_average_x100(&r), 0);
	r.count = 3; r.sum = 13;	/* 4.333 */
	ck_assert_int_eq(rating_average_x100(&r), 433);
	r.count = 3; r.sum = 14;	/* 4.666 -> 4.67 */
	ck_assert_int_eq(rating_average_x100(&r), 467);
	r.count = 8; r.sum = 36;	/* 4.5 */
	ck_assert_int_eq(rating_average_x100(&r), 450);
	r.count = 1; r.sum = 5;
	ck_assert_int_eq(rating_average_x100(&r), 500);
}
END_TEST

START_TEST(test_can_edit)
{
	catalog_actor pub = { NULL, ROLE_PUBLIC, NULL };
	catalog_actor cust = { "11111111-1111-4111-8111-111111111111", ROLE_CUSTOMER, NULL };
	catalog_actor sel = { "aaaaaaaa-2222-4222-8222-222222222222", ROLE_SELLER, NULL };
	catalog_actor adm = { "33333333-3333-4333-8333-333333333333", ROLE_ADMIN, NULL };
	const char   *own = "aaaaaaaa-2222-4222-8222-222222222222";
	const char   *own_upper = "AAAAAAAA-2222-4222-8222-222222222222";
	const char   *other = "44444444-4444-4444-8444-444444444444";

	ck_assert(!catalog_can_edit(&pub, own));
	ck_assert(!catalog_can_edit(&cust, cust.user_id));	/* not a seller */
	ck_assert(catalog_can_edit(&sel, own));
	ck_assert(catalog_can_edit(&sel, own_upper));
	ck_assert(!catalog_can_edit(&sel, other));
	ck_assert(!catalog_can_edit(&sel, NULL));		/* the shop's own */
	ck_assert(catalog_can_edit(&adm, other));
	ck_assert(catalog_can_edit(&adm, NULL));
}
END_TEST

/* ------------------------------------------------------------ the list filter */

static const char *
fake_env(const request *r, const char *name)
{
	(void)r;
	(void)name;
	return NULL;
}

/* A request whose query string is the given pairs. */
static void
fake_request(request *r, kv *pairs, size_t n)
{
	memset(r, 0, sizeof *r);
	r->a = A;
	r->method = "GET";
	r->path = "/api/v1/products";
	r->query_string = "";
	r->query = pairs;
	r->nquery = n;
	r->getenv = fake_env;
}

START_TEST(test_filter_defaults)
{
	request        r;
	product_filter f;
	error          e;

	err_clear(&e);
	fake_request(&r, NULL, 0);
	ck_assert_int_eq(product_filter_from_query(&r, &f, &e), E_OK);
	ck_assert_int_eq(f.pg.page, 1);
	ck_assert_int_eq(f.pg.per_page, PAGE_DEFAULT_SIZE);
	ck_assert_int_eq(f.sort, SORT_NEWEST);
	ck_assert_int_eq(f.min_price, -1);
	ck_assert_int_eq(f.max_price, -1);
	ck_assert(!f.has_status);
	ck_assert_ptr_null(f.search);
}
END_TEST

START_TEST(test_filter_values)
{
	kv q[] = {
		{ "page", "2" }, { "per_page", "5" }, { "sort_by", "price_desc" },
		{ "category_id", "0b6c2a52-7f43-4f4c-9a3e-0f7c1c3f2d11" },
		{ "min_price", "100" }, { "max_price", "2500" }, { "search", "navy shirt" },
		{ "status", "draft" }, { "brand_id", "" },
	};
	request        r;
	product_filter f;
	error          e;

	err_clear(&e);
	fake_request(&r, q, sizeof q / sizeof q[0]);
	ck_assert_int_eq(product_filter_from_query(&r, &f, &e), E_OK);
	ck_assert_int_eq(f.pg.page, 2);
	ck_assert_int_eq(f.pg.per_page, 5);
	ck_assert_int_eq(f.pg.offset, 5);
	ck_assert_int_eq(f.sort, SORT_PRICE_DESC);
	ck_assert_int_eq(f.min_price, 100);
	ck_assert_int_eq(f.max_price, 2500);
	ck_assert_str_eq(f.search, "navy shirt");
	ck_assert(f.has_status && f.status == PRODUCT_DRAFT);
	ck_assert_ptr_null(f.brand_id);		/* empty means absent */
}
END_TEST

START_TEST(test_filter_errors_together)
{
	kv q[] = {
		{ "sort_by", "cheapest" }, { "category_id", "shoes" },
		{ "min_price", "-1" }, { "max_price", "12abc" }, { "status", "live" },
	};
	request        r;
	product_filter f;
	error          e;

	err_clear(&e);
	fake_request(&r, q, sizeof q / sizeof q[0]);
	ck_assert_int_eq(product_filter_from_query(&r, &f, &e), E_INVALID_PARAMETER);
	ck_assert_int_eq(e.code, E_INVALID_PARAMETER);
	ck_assert(has_field(&e, "sort_by"));
	ck_assert(has_field(&e, "category_id"));
	ck_assert(has_field(&e, "min_price"));
	ck_assert(has_field(&e, "max_price"));
	ck_assert(has_field(&e, "status"));
}
END_TEST

START_TEST(test_filter_price_order)
{
	kv q[] = { { "min_price", "500" }, { "max_price", "100" } };
	request        r;
	product_filter f;
	error          e;

	err_clear(&e);
	fake_request(&r, q, 2);
	ck_assert_int_eq(product_filter_from_query(&r, &f, &e), E_INVALID_PARAMETER);
	ck_assert(has_field(&e, "max_price"));
}
END_TEST

/* ------------------------------------------------------------ JSON bodies */

static json_object *
parse(const char *s)
{
	json_object *o = json_tokener_parse(s);

	ck_assert_ptr_nonnull(o);
	return o;
}

START_TEST(test_product_input_ok)
{
	json_object  *o = parse("{\"name\":\"Navy Shirt\",\"base_price\":2999,"
	    "\"currency\":\"eur\",\"status\":\"published\",\"brand_id\":null,"
	    "\"metadata\":{\"material\":\"cotton\"}}");
	product_input in;
	error         e;

	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, true, &in, &e), E_OK);
	ck_assert_str_eq(in.name, "Navy Shirt");
	ck_assert_int_eq(in.base_price, 2999);
	ck_assert_str_eq(in.currency, "EUR");
	ck_assert_int_eq(in.status, PRODUCT_PUBLISHED);
	ck_assert(in.set & PI_BRAND);
	ck_assert_ptr_null(in.brand_id);
	ck_assert(!(in.set & PI_CATEGORY));
	ck_assert_str_eq(in.metadata, "{\"material\":\"cotton\"}");
	json_object_put(o);
}
END_TEST

START_TEST(test_product_input_all_errors)
{
	json_object  *o = parse("{\"name\":\"\",\"base_price\":-5,\"currency\":\"EURO\","
	    "\"status\":\"live\",\"brand_id\":\"x\",\"metadata\":[1],\"slug\":\"Bad Slug\","
	    "\"description\":7}");
	product_input in;
	error         e;

	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "name"));
	ck_assert(has_field(&e, "base_price"));
	ck_assert(has_field(&e, "currency"));
	ck_assert(has_field(&e, "status"));
	ck_assert(has_field(&e, "brand_id"));
	ck_assert(has_field(&e, "metadata"));
	ck_assert(has_field(&e, "slug"));
	ck_assert(has_field(&e, "description"));
	json_object_put(o);
}
END_TEST

START_TEST(test_product_input_required_and_partial)
{
	json_object  *o = parse("{\"description\":\"x\"}");
	product_input in;
	error         e;

	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "name"));
	ck_assert(has_field(&e, "base_price"));
	ck_assert(has_field(&e, "currency"));
	err_clear(&e);
	/* The same body is a fine partial update. */
	ck_assert_int_eq(product_input_from_json(A, o, false, &in, &e), E_OK);
	ck_assert_uint_eq(in.set, PI_DESCRIPTION);
	json_object_put(o);
}
END_TEST

START_TEST(test_product_input_bounds)
{
	char         *big = malloc(PRODUCT_METADATA_MAX + 64);
	json_object  *o;
	product_input in;
	error         e;
	int           n;

	ck_assert_ptr_nonnull(big);
	n = snprintf(big, PRODUCT_METADATA_MAX + 64, "{\"metadata\":{\"k\":\"");
	memset(big + n, 'x', PRODUCT_METADATA_MAX);
	memcpy(big + n + PRODUCT_METADATA_MAX, "\"}}", 4);
	o = parse(big);
	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, false, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "metadata"));
	json_object_put(o);
	free(big);

	/* 200 characters (not bytes) is the name's bound. */
	{
		char name[2 * 201 + 32];
		size_t k = 0;

		k += (size_t)snprintf(name, sizeof name, "{\"name\":\"");
		for (int i = 0; i < 200; i++) {
			name[k++] = (char)0xc3;
			name[k++] = (char)0xa9;	/* é */
		}
		snprintf(name + k, sizeof name - k, "\"}");
		o = parse(name);
		err_clear(&e);
		ck_assert_int_eq(product_input_from_json(A, o, false, &in, &e), E_OK);
		json_object_put(o);
	}
	o = parse("{\"base_price\":100000000001}");
	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, false, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "base_price"));
	json_object_put(o);
	o = parse("{\"base_price\":12.5}");
	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, false, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "base_price"));
	json_object_put(o);
	o = parse("{\"name\":\"   \"}");
	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, false, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "name"));
	json_object_put(o);
}
END_TEST

START_TEST(test_product_input_not_object)
{
	json_object  *o = parse("[1,2]");
	product_input in;
	error         e;

	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, o, true, &in, &e), E_INVALID_INPUT);
	err_clear(&e);
	ck_assert_int_eq(product_input_from_json(A, NULL, true, &in, &e), E_INVALID_INPUT);
	json_object_put(o);
}
END_TEST

START_TEST(test_variant_input)
{
	json_object  *o;
	variant_input in;
	error         e;
	char          body[2048];
	size_t        k;

	o = parse("{\"sku\":\"TS-NAVY-M\",\"name\":\"M / Navy\",\"price\":null,"
	    "\"attributes\":{\"size\":\"M\",\"color\":\"Navy\"},\"weight_grams\":180}");
	err_clear(&e);
	ck_assert_int_eq(variant_input_from_json(A, o, true, &in, &e), E_OK);
	ck_assert(in.set & VI_PRICE);
	ck_assert(!in.has_price);
	ck_assert(in.has_weight && in.weight_grams == 180);
	ck_assert(in.is_active);	/* the default on create */
	json_object_put(o);

	o = parse("{\"sku\":\"bad sku\",\"attributes\":{\"a\":{\"nested\":1}},"
	    "\"weight_grams\":-1,\"is_active\":\"yes\"}");
	err_clear(&e);
	ck_assert_int_eq(variant_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "sku"));
	ck_assert(has_field(&e, "name"));
	ck_assert(has_field(&e, "attributes"));
	ck_assert(has_field(&e, "weight_grams"));
	ck_assert(has_field(&e, "is_active"));
	json_object_put(o);

	/* 33 attribute keys is one too many. */
	k = (size_t)snprintf(body, sizeof body, "{\"attributes\":{");
	for (int i = 0; i < 33; i++)
		k += (size_t)snprintf(body + k, sizeof body - k, "%s\"k%d\":\"v\"",
		    i ? "," : "", i);
	snprintf(body + k, sizeof body - k, "}}");
	o = parse(body);
	err_clear(&e);
	ck_assert_int_eq(variant_input_from_json(A, o, false, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "attributes"));
	json_object_put(o);
}
END_TEST

START_TEST(test_image_input)
{
	json_object *o;
	image_input  in;
	error        e;

	o = parse("{\"url\":\"/media/p/1.webp\",\"alt_text\":\"Front\",\"is_primary\":true,"
	    "\"width\":800,\"height\":600}");
	err_clear(&e);
	ck_assert_int_eq(image_input_from_json(A, o, true, &in, &e), E_OK);
	ck_assert(in.is_primary);
	ck_assert_int_eq(in.width, 800);
	json_object_put(o);

	o = parse("{\"url\":\"javascript:alert(1)\",\"width\":0}");
	err_clear(&e);
	ck_assert_int_eq(image_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "url"));
	ck_assert(has_field(&e, "width"));
	json_object_put(o);

	o = parse("{\"media_id\":\"0b6c2a52-7f43-4f4c-9a3e-0f7c1c3f2d11\"}");
	err_clear(&e);
	ck_assert_int_eq(image_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "media_id"));
	ck_assert(!has_field(&e, "url"));	/* one clear message, not two */
	json_object_put(o);
}
END_TEST

START_TEST(test_review_input)
{
	json_object  *o;
	review_input  in;
	error         e;

	o = parse("{\"rating\":5,\"title\":\"Great\",\"body\":\"Fits well.\"}");
	err_clear(&e);
	ck_assert_int_eq(review_input_from_json(A, o, &in, &e), E_OK);
	ck_assert_int_eq(in.rating, 5);
	json_object_put(o);

	o = parse("{\"rating\":6,\"title\":1}");
	err_clear(&e);
	ck_assert_int_eq(review_input_from_json(A, o, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "rating"));
	ck_assert(has_field(&e, "title"));
	json_object_put(o);

	o = parse("{}");
	err_clear(&e);
	ck_assert_int_eq(review_input_from_json(A, o, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "rating"));
	json_object_put(o);
}
END_TEST

START_TEST(test_banner_input)
{
	json_object  *o;
	banner_input  in;
	error         e;

	o = parse("{\"title\":\"Sale\",\"image_url\":\"/static/b.jpg\",\"link_url\":\"/c/sale\","
	    "\"link_type\":\"category\",\"position\":\"hero\","
	    "\"starts_at\":\"2026-01-01T00:00:00Z\",\"ends_at\":null}");
	err_clear(&e);
	ck_assert_int_eq(banner_input_from_json(A, o, true, &in, &e), E_OK);
	ck_assert(in.set & NI_ENDS);
	ck_assert_int_eq(in.ends_at, 0);
	ck_assert(in.is_active);
	json_object_put(o);

	o = parse("{\"title\":\"Sale\",\"position\":\"Hero Top\",\"link_type\":\"popup\","
	    "\"starts_at\":\"2026-02-01T00:00:00Z\",\"ends_at\":\"2026-01-01T00:00:00Z\"}");
	err_clear(&e);
	ck_assert_int_eq(banner_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "position"));
	ck_assert(has_field(&e, "link_type"));
	ck_assert(has_field(&e, "image_url"));
	ck_assert(has_field(&e, "link_url"));
	ck_assert(has_field(&e, "ends_at"));
	json_object_put(o);
}
END_TEST

START_TEST(test_category_input)
{
	json_object    *o;
	category_input  in;
	error           e;

	o = parse("{\"name\":\"Shirts\",\"parent_id\":null,\"icon_url\":\"https://x.test/i.svg\"}");
	err_clear(&e);
	ck_assert_int_eq(category_input_from_json(A, o, true, &in, &e), E_OK);
	ck_assert(in.set & CI_PARENT);
	ck_assert_ptr_null(in.parent_id);
	json_object_put(o);

	o = parse("{\"parent_id\":\"nope\",\"image_url\":\"ftp://x\",\"sort_order\":99999999}");
	err_clear(&e);
	ck_assert_int_eq(category_input_from_json(A, o, true, &in, &e), E_VALIDATION);
	ck_assert(has_field(&e, "name"));
	ck_assert(has_field(&e, "parent_id"));
	ck_assert(has_field(&e, "image_url"));
	ck_assert(has_field(&e, "sort_order"));
	json_object_put(o);
}
END_TEST

/* ------------------------------------------------------------ category cycles */

START_TEST(test_category_would_cycle)
{
	/* root -> a -> b, and another root c */
	category_node   n[4];
	category_forest f;

	memset(n, 0, sizeof n);
	n[0].cat.id = "00000000-0000-4000-8000-000000000001"; n[0].cat.slug = "root";
	n[1].cat.id = "00000000-0000-4000-8000-000000000002"; n[1].cat.slug = "a";
	n[2].cat.id = "00000000-0000-4000-8000-000000000003"; n[2].cat.slug = "b";
	n[3].cat.id = "00000000-0000-4000-8000-000000000004"; n[3].cat.slug = "c";
	n[1].parent = &n[0];
	n[2].parent = &n[1];
	memset(&f, 0, sizeof f);
	f.all = n;
	f.nall = 4;
	ck_assert(category_would_cycle(&f, n[0].cat.id, n[2].cat.id));	/* root under b */
	ck_assert(category_would_cycle(&f, n[1].cat.id, n[2].cat.id));	/* a under b */
	ck_assert(category_would_cycle(&f, n[1].cat.id, n[1].cat.id));	/* under itself */
	ck_assert(!category_would_cycle(&f, n[2].cat.id, n[3].cat.id));	/* b under c */
	ck_assert(!category_would_cycle(&f, n[3].cat.id, n[2].cat.id));	/* c under b */
	ck_assert(!category_would_cycle(&f, n[1].cat.id, NULL));	/* to the top */
	ck_assert_ptr_eq(category_find(&f, "b"), &n[2]);
	ck_assert_ptr_eq(category_find(&f, n[3].cat.id), &n[3]);
	ck_assert_ptr_null(category_find(&f, "zz"));
}
END_TEST

/* ------------------------------------------------------------ the read cache */

/* Caching needs the configuration (ECOM_CACHE_TTL); each Check test runs
 * in its own process, so this state never leaks between tests. */
static void
cache_on(void)
{
	setenv("ECOM_CACHE_TTL", "30", 1);
	setenv("ECOM_DB_URL", "host=/nonexistent check_product cache test", 1);
	ck_assert_int_eq(config_init(), 0);
	cache_clear();
}

START_TEST(test_cache_hit_and_invalidation)
{
	uint64_t    gen;
	const char *body;

	cache_on();
	gen = catalog_cache_generation();
	catalog_body_put("k1", gen, "{\"data\":1}");
	body = catalog_body_get(A, "k1");
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body, "{\"data\":1}");
	ck_assert_ptr_null(catalog_body_get(A, "k2"));
	/* A committed write anywhere on the host drops what was read before. */
	catalog_cache_bump();
	ck_assert_ptr_null(catalog_body_get(A, "k1"));
	/* An answer read before a write is not kept at all. */
	catalog_body_put("k3", gen, "old");
	ck_assert_ptr_null(catalog_body_get(A, "k3"));
	ck_assert_int_eq(catalog_written(E_NOT_FOUND), E_NOT_FOUND);
	gen = catalog_cache_generation();
	ck_assert_int_eq(catalog_written(E_OK), E_OK);
	ck_assert(catalog_cache_generation() != gen);
}
END_TEST

START_TEST(test_cache_churn)
{
	uint64_t gen;
	char     key[32], val[32];
	product  p, *copy;

	cache_on();
	gen = catalog_cache_generation();
	/* Far more keys than slots: the newest stay, nothing breaks. */
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "key-%d", i);
		snprintf(val, sizeof val, "value-%d", i);
		catalog_body_put(key, gen, val);
	}
	ck_assert_str_eq(catalog_body_get(A, "key-999"), "value-999");
	ck_assert_ptr_null(catalog_body_get(A, "key-0"));
	/* Structs come back as deep copies in the caller's arena. */
	memset(&p, 0, sizeof p);
	p.s.id = "0b6c2a52-7f43-4f4c-9a3e-0f7c1c3f2d11";
	p.s.name = "Tee";
	p.metadata = "{}";
	copy = (product *)copy_product(A, &p, 1);
	ck_assert_ptr_nonnull(copy);
	ck_assert_str_eq(copy->s.name, "Tee");
	ck_assert_ptr_ne(copy->s.name, p.s.name);
	ck_assert_uint_eq(copy->nimages, 0);
}
END_TEST

static Suite *
product_suite(void)
{
	Suite *s = suite_create("product");
	TCase *t = tcase_create("rules");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, test_slug_unique, 0, sizeof slug_cases / sizeof slug_cases[0]);
	tcase_add_test(t, test_slug_unique_long);
	tcase_add_test(t, test_slug_unique_nth);
	tcase_add_test(t, test_slug_base);
	tcase_add_loop_test(t, test_attrs_from_text, 0,
	    (int)(sizeof attrs_cases / sizeof attrs_cases[0]));
	tcase_add_loop_test(t, test_url_valid, 0, sizeof url_cases / sizeof url_cases[0]);
	tcase_add_test(t, test_url_too_long);
	tcase_add_loop_test(t, test_sku_valid, 0, sizeof sku_cases / sizeof sku_cases[0]);
	tcase_add_test(t, test_status_and_sort_names);
	tcase_add_loop_test(t, test_time_parse, 0, sizeof time_cases / sizeof time_cases[0]);
	tcase_add_test(t, test_like_pattern);
	tcase_add_test(t, test_rating_average);
	tcase_add_test(t, test_can_edit);
	tcase_add_test(t, test_filter_defaults);
	tcase_add_test(t, test_filter_values);
	tcase_add_test(t, test_filter_errors_together);
	tcase_add_test(t, test_filter_price_order);
	tcase_add_test(t, test_product_input_ok);
	tcase_add_test(t, test_product_input_all_errors);
	tcase_add_test(t, test_product_input_required_and_partial);
	tcase_add_test(t, test_product_input_bounds);
	tcase_add_test(t, test_product_input_not_object);
	tcase_add_test(t, test_variant_input);
	tcase_add_test(t, test_image_input);
	tcase_add_test(t, test_review_input);
	tcase_add_test(t, test_banner_input);
	tcase_add_test(t, test_category_input);
	tcase_add_test(t, test_category_would_cycle);
	tcase_add_test(t, test_cache_hit_and_invalidation);
	tcase_add_test(t, test_cache_churn);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	return check_run(product_suite());
}
