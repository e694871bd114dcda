/*
 * check_http.c — real HTTP through lighttpd to the responders, with the
 * real PostgreSQL and Redis behind them (./check starts all of it).
 *
 * Covers the contract points of the foundation issue: health, the JSON
 * envelope and pagination arithmetic, the error envelope for bad
 * parameters and unknown routes (JSON under /api/, HTML elsewhere), the
 * security headers, role gates on catalog writes, slug transliteration and
 * suffixing, archive-on-delete, and that the same responder binary served as
 * plain CGI returns the same page as under FastCGI.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"

#include "http_client.h"

#define ADMIN_SUB    "00000000-0000-4000-8000-0000000000a1"
#define SELLER_SUB   "00000000-0000-4000-8000-0000000000b1"
#define CUSTOMER_SUB "00000000-0000-4000-8000-0000000000c1"

static void
assert_error_envelope(const http_result *r, long status, const char *code)
{
	ck_assert_msg(r->status == status, "status %ld, want %ld: %s", r->status, status, r->body);
	ck_assert_msg(r->json != NULL, "error body is not JSON: %s", r->body);
	ck_assert_str_eq(jstr(r->json, "error.code"), code);
	ck_assert_ptr_nonnull(jstr(r->json, "error.message"));
	ck_assert_ptr_nonnull(jstr(r->json, "error.request_id"));
}

static http_result *
authed(const char *method, const char *path, const char *body, const char *token)
{
	char auth[2048];
	const char *hdrs[] = { auth, "Content-Type: application/json", NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	return http_do(test_base_url(), method, path, body, hdrs);
}

/* A published demo product's slug, from the API itself. */
static char *
some_product_slug(void)
{
	http_result *r = http_get("/api/v1/products?per_page=1&sort_by=name_asc");
	char *slug;

	ck_assert_int_eq(r->status, 200);
	slug = strdup(jstr(r->json, "data.0.slug"));
	http_result_free(r);
	return slug;
}

START_TEST(health_live_and_ready)
{
	http_result *r = http_get("/health/live");
	char v[256];

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "ok");
	ck_assert(http_header(r, "x-request-id", v, sizeof v));
	ck_assert(http_header(r, "x-content-type-options", v, sizeof v));
	ck_assert_str_eq(v, "nosniff");
	ck_assert(http_header(r, "content-security-policy", v, sizeof v));
	http_result_free(r);

	r = http_get("/api/v1/health/ready");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.checks.db"), "ok");
	ck_assert_str_eq(jstr(r->json, "data.checks.redis"), "ok");
	http_result_free(r);
}
END_TEST

START_TEST(request_id_echoed_and_sanitised)
{
	const char *good[] = { "X-Request-ID: test-abc.123", NULL };
	const char *bad[] = { "X-Request-ID: evil<script>", NULL };
	http_result *r = http_do(test_base_url(), "GET", "/health/live", NULL, good);
	char v[256];

	ck_assert(http_header(r, "x-request-id", v, sizeof v));
	ck_assert_str_eq(v, "test-abc.123");
	http_result_free(r);
	r = http_do(test_base_url(), "GET", "/health/live", NULL, bad);
	ck_assert(http_header(r, "x-request-id", v, sizeof v));
	ck_assert_ptr_null(strchr(v, '<'));
	http_result_free(r);
}
END_TEST

START_TEST(products_pagination_envelope)
{
	char *psql = getenv("ECOM_TEST_PSQL"), cmd[1024], *count;
	long long total, per = 5;
	http_result *r;
	json_object *items;

	ck_assert_ptr_nonnull(psql);
	snprintf(cmd, sizeof cmd, "%s -tAc \"SELECT count(*) FROM catalog.products WHERE status='published'\"", psql);
	count = run_capture(cmd);
	ck_assert_ptr_nonnull(count);
	total = strtoll(count, NULL, 10);
	free(count);
	ck_assert_int_gt(total, 10);

	r = http_get("/api/v1/products?page=2&per_page=5&sort_by=price_asc");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "total_count"), total);
	ck_assert_int_eq(jint(r->json, "page"), 2);
	ck_assert_int_eq(jint(r->json, "per_page"), 5);
	ck_assert_int_eq(jint(r->json, "total_pages"), (total + per - 1) / per);
	ck_assert(json_object_get_boolean(jpath(r->json, "has_next")) == (2 * per < total));
	items = jpath(r->json, "data");
	ck_assert_int_eq(json_object_array_length(items), 5);
	for (size_t i = 1; i < 5; i++) {
		char a[32], b[32];
		snprintf(a, sizeof a, "data.%zu.base_price", i - 1);
		snprintf(b, sizeof b, "data.%zu.base_price", i);
		ck_assert_int_le(jint(r->json, a), jint(r->json, b));
	}
	ck_assert_ptr_nonnull(jpath(r->json, "data.0.primary_image"));
	http_result_free(r);

	/* the last page says has_next false */
	snprintf(cmd, sizeof cmd, "/api/v1/products?page=%lld&per_page=5", (total + per - 1) / per);
	r = http_get(cmd);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!json_object_get_boolean(jpath(r->json, "has_next")));
	http_result_free(r);
}
END_TEST

START_TEST(bad_parameters_are_400)
{
	static const char *paths[] = {
		"/api/v1/products?per_page=0", "/api/v1/products?per_page=101",
		"/api/v1/products?per_page=abc", "/api/v1/products?page=0",
		"/api/v1/products?page=-1", "/api/v1/products?sort_by=cheapest",
		"/api/v1/products?min_price=x", "/api/v1/products?search=%C3%28",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		http_result *r = http_get(paths[i]);
		ck_assert_msg(r->status == 400, "%s: %ld", paths[i], r->status);
		ck_assert_msg(r->json != NULL, "%s: not JSON", paths[i]);
		ck_assert_msg(strcmp(jstr(r->json, "error.code"), "INVALID_PARAMETER") == 0 ||
		    strcmp(jstr(r->json, "error.code"), "INVALID_INPUT") == 0,
		    "%s: %s", paths[i], r->body);
		http_result_free(r);
	}
	/* a NUL byte never reaches a handler (lighttpd may refuse it first) */
	http_result *r = http_get("/api/v1/products?per_page=5%00");
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	r = http_get("/api/v1/products?per_page=500");
	assert_error_envelope(r, 400, "INVALID_PARAMETER");
	/* the envelope names the parameter to fix, in the message or in fields */
	ck_assert(strstr(jstr(r->json, "error.message"), "per_page") != NULL ||
	    jpath(r->json, "error.fields.per_page") != NULL);
	http_result_free(r);
}
END_TEST

START_TEST(unknown_routes)
{
	char ct[128];
	http_result *r = http_get("/api/v1/no-such-thing");

	assert_error_envelope(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = http_get("/api/v1/products/no-such-product-slug");
	assert_error_envelope(r, 404, "NOT_FOUND");
	http_result_free(r);

	r = http_get("/no/such/page");
	ck_assert_int_eq(r->status, 404);
	ck_assert(http_header(r, "content-type", ct, sizeof ct));
	ck_assert_msg(strncmp(ct, "text/html", 9) == 0, "%s", ct);
	ck_assert_ptr_nonnull(strstr(r->body, "<html"));
	http_result_free(r);

	r = http_do(test_base_url(), "PATCH", "/api/v1/products", NULL, NULL);
	ck_assert_msg(r->status == 405 || r->status == 404, "%ld", r->status);
	ck_assert_ptr_nonnull(r->json);
	http_result_free(r);
}
END_TEST

START_TEST(product_by_slug_and_id)
{
	char *slug = some_product_slug(), path[512], id[64];
	http_result *r;

	snprintf(path, sizeof path, "/api/v1/products/%s", slug);
	r = http_get(path);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "data.slug"), slug);
	ck_assert_ptr_nonnull(jpath(r->json, "data.variants"));
	ck_assert_ptr_nonnull(jpath(r->json, "data.images"));
	ck_assert_ptr_nonnull(jstr(r->json, "data.currency"));
	snprintf(id, sizeof id, "%s", jstr(r->json, "data.id"));
	http_result_free(r);

	snprintf(path, sizeof path, "/api/v1/products/%s", id);
	r = http_get(path);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.slug"), slug);
	http_result_free(r);
	free(slug);
}
END_TEST

START_TEST(writes_need_roles)
{
	const char *body = "{\"name\":\"Gate Test\",\"base_price\":1000,\"currency\":\"EUR\"}";
	const char *json_ct[] = { "Content-Type: application/json", NULL };
	char *cust = mint_token("customer", CUSTOMER_SUB);
	http_result *r;

	ck_assert_ptr_nonnull(cust);
	r = http_do(test_base_url(), "POST", "/api/v1/products", body, json_ct);
	assert_error_envelope(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	r = authed("POST", "/api/v1/products", body, cust);
	assert_error_envelope(r, 403, "FORBIDDEN");
	http_result_free(r);
	r = authed("POST", "/api/v1/categories", "{\"name\":\"X\"}", cust);
	assert_error_envelope(r, 403, "FORBIDDEN");
	http_result_free(r);
	r = authed("POST", "/api/v1/products", body, "not.a.jwt");
	assert_error_envelope(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	free(cust);
}
END_TEST

START_TEST(admin_creates_updates_archives)
{
	char *admin = mint_token("admin", ADMIN_SUB), path[512], id[64], id2[64];
	char body[512], slug[128], slug2[140];
	/* a fresh name each run: archived products keep their slugs */
	unsigned tag = ((unsigned)getpid() ^ (unsigned)time(NULL)) * 2654435761u;
	http_result *r;

	snprintf(body, sizeof body, "{\"name\":\"Crème Brûlée Set %08x\",\"base_price\":2499,"
	    "\"currency\":\"EUR\",\"status\":\"published\",\"description\":\"Torch and ramekins.\"}", tag);
	snprintf(slug, sizeof slug, "creme-brulee-set-%08x", tag);
	snprintf(slug2, sizeof slug2, "%s-2", slug);
	ck_assert_ptr_nonnull(admin);
	r = authed("POST", "/api/v1/products", body, admin);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "data.slug"), slug);
	snprintf(id, sizeof id, "%s", jstr(r->json, "data.id"));
	http_result_free(r);

	/* the same name again gets a suffix, never a refusal */
	r = authed("POST", "/api/v1/products", body, admin);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "data.slug"), slug2);
	snprintf(id2, sizeof id2, "%s", jstr(r->json, "data.id"));
	http_result_free(r);

	snprintf(path, sizeof path, "/api/v1/products/%s", id);
	r = authed("PUT", path, "{\"base_price\":1999}", admin);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "data.base_price"), 1999);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.name"), "Crème Brûlée Set"));
	http_result_free(r);

	r = authed("DELETE", path, NULL, admin);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "data.status"), "deleted");
	http_result_free(r);
	r = http_get(path);	/* archived: gone for the public */
	assert_error_envelope(r, 404, "NOT_FOUND");
	http_result_free(r);

	snprintf(path, sizeof path, "/api/v1/products/%s", id2);
	r = authed("DELETE", path, NULL, admin);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	free(admin);
}
END_TEST

START_TEST(validation_lists_every_field)
{
	char *admin = mint_token("admin", ADMIN_SUB);
	const char *xml[] = { "Content-Type: application/xml", NULL };
	http_result *r;
	char *big;

	r = authed("POST", "/api/v1/products",
	    "{\"name\":\"\",\"base_price\":-5,\"currency\":\"EURO\"}", admin);
	assert_error_envelope(r, 400, "VALIDATION_ERROR");
	ck_assert_ptr_nonnull(jpath(r->json, "error.fields.name"));
	ck_assert_ptr_nonnull(jpath(r->json, "error.fields.base_price"));
	ck_assert_ptr_nonnull(jpath(r->json, "error.fields.currency"));
	http_result_free(r);

	r = authed("POST", "/api/v1/products", "{\"name\":", admin);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);

	r = http_do(test_base_url(), "POST", "/api/v1/products", "<x/>", xml);
	ck_assert_msg(r->status == 415 || r->status == 401, "%ld", r->status);
	http_result_free(r);

	big = malloc(1100 * 1024 + 1);
	memset(big, ' ', 1100 * 1024);
	big[0] = '{';
	big[1100 * 1024 - 1] = '}';
	big[1100 * 1024] = '\0';
	r = authed("POST", "/api/v1/products", big, admin);
	ck_assert_int_eq(r->status, 413);
	http_result_free(r);
	free(big);
	free(admin);
}
END_TEST

START_TEST(storefront_pages)
{
	char *slug = some_product_slug(), path[512], ct[128];
	http_result *r = http_get("/");

	ck_assert_int_eq(r->status, 200);
	ck_assert(http_header(r, "content-type", ct, sizeof ct));
	ck_assert(strncmp(ct, "text/html", 9) == 0);
	ck_assert_ptr_nonnull(strstr(r->body, "<title>"));
	ck_assert_ptr_nonnull(strstr(r->body, "rel=\"canonical\""));
	http_result_free(r);

	snprintf(path, sizeof path, "/p/%s", slug);
	r = http_get(path);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "<h1"));
	http_result_free(r);

	r = http_get("/p/this-product-does-not-exist");
	ck_assert_int_eq(r->status, 404);
	ck_assert_ptr_nonnull(strstr(r->body, "<html"));
	http_result_free(r);

	r = http_get("/c/this-category-does-not-exist");
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	free(slug);
}
END_TEST

/* Blank the per-visitor CSRF tokens of a page's forms (a guest gets a
 * fresh binding per request), so two renderings can be compared. */
static void
mask_csrf_tokens(char *body)
{
	static const char mark[] = "name=\"csrf_token\" value=\"";

	for (char *p = strstr(body, mark); p != NULL; p = strstr(p, mark))
		for (p += sizeof mark - 1; *p != '\0' && *p != '"'; p++)
			*p = 'x';
}

START_TEST(cgi_serves_the_same_page)
{
	const char *cgi = getenv("ECOM_TEST_CGI_URL");
	const char *hdrs[] = { "X-Request-ID: same-page-check", NULL };
	char *slug, path[512];
	http_result *f, *c;
	bool same;

	if (cgi == NULL)
		return;
	slug = some_product_slug();
	snprintf(path, sizeof path, "/p/%s", slug);
	/* a FastCGI process keeps the navigation for ECOM_CACHE_TTL (30 s):
	 * after another suite changed categories the two agree within it */
	for (int tries = 0;; tries++) {
		f = http_do(test_base_url(), "GET", path, NULL, hdrs);
		c = http_do(cgi, "GET", path, NULL, hdrs);
		ck_assert_int_eq(f->status, 200);
		ck_assert_msg(c->status == 200, "CGI: %ld %s", c->status, c->body);
		mask_csrf_tokens(f->body);
		mask_csrf_tokens(c->body);
		same = f->body_len == c->body_len && memcmp(f->body, c->body, f->body_len) == 0;
		http_result_free(f);
		http_result_free(c);
		if (same)
			break;
		ck_assert_msg(tries < 35, "CGI page differs from FastCGI page for 35 s");
		sleep(1);
	}

	snprintf(path, sizeof path, "/api/v1/products/%s", slug);
	f = http_do(test_base_url(), "GET", path, NULL, hdrs);
	c = http_do(cgi, "GET", path, NULL, hdrs);
	ck_assert_int_eq(c->status, 200);
	ck_assert_str_eq(f->body, c->body);
	http_result_free(f);
	http_result_free(c);
	free(slug);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("catalog");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, health_live_and_ready);
	tcase_add_test(tc, request_id_echoed_and_sanitised);
	tcase_add_test(tc, products_pagination_envelope);
	tcase_add_test(tc, bad_parameters_are_400);
	tcase_add_test(tc, unknown_routes);
	tcase_add_test(tc, product_by_slug_and_id);
	tcase_add_test(tc, writes_need_roles);
	tcase_add_test(tc, admin_creates_updates_archives);
	tcase_add_test(tc, validation_lists_every_field);
	tcase_add_test(tc, storefront_pages);
	tcase_add_test(tc, cgi_serves_the_same_page);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	if (test_base_url() == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL not set (./check sets it)");
		return 77;
	}
	return check_run(http_suite());
}
