/*
 * check_security.c — the cross-cutting controls every responder gets from
 * lib/core/app.c, through the real lighttpd, responders and Redis that
 * ./check starts: per-client rate limits, the security headers on every
 * page type, the CSP nonce, and CORS for the JSON API.
 *
 * ./check's stack trusts 127.0.0.1 as a proxy (tools/stack.sh, ECOM_ENV
 * test), so each test names a client of its own with X-Forwarded-For: a
 * random IPv6 /64 per test and run, counted apart from every other suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"

#include "http_client.h"

#define ALLOWED_ORIGIN "https://app.example.test"	/* tools/stack.sh, test config */

/* "X-Forwarded-For: 2001:db8:XXXX:XXXX::1", fresh on every call. */
static void
fresh_client(char *hdr, size_t n)
{
	static unsigned seq;
	unsigned r = (unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL) ^ (++seq * 40503u);

	snprintf(hdr, n, "X-Forwarded-For: 2001:db8:%x:%x::1", (r >> 16) & 0xffff, (r ^ seq) & 0xffff);
}

static long
header_num(const http_result *r, const char *name)
{
	char v[64];

	ck_assert_msg(http_header(r, name, v, sizeof v), "no %s header", name);
	return strtol(v, NULL, 10);
}

START_TEST(rate_limit_reached_per_client)
{
	char who[96], other[96];
	const char *hdrs[] = { who, NULL }, *ohdrs[] = { other, NULL };
	const char *path = "/api/v1/products?per_page=1";
	http_result *r;
	long limit, remaining, prev, reset, retry;
	int sent;

	fresh_client(who, sizeof who);
	fresh_client(other, sizeof other);
	r = http_do(test_base_url(), "GET", path, NULL, hdrs);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	limit = header_num(r, "x-ratelimit-limit");
	remaining = header_num(r, "x-ratelimit-remaining");
	reset = header_num(r, "x-ratelimit-reset");
	ck_assert_int_ge(limit, 1);
	ck_assert_int_le(limit, 5000);	/* bounded work for this test */
	ck_assert_int_eq(remaining, limit - 1);
	ck_assert(reset >= 1 && reset <= 86400);
	http_result_free(r);

	/* a window can roll over mid-run and hand out a fresh budget, so
	 * allow two windows' worth before calling it a failure */
	prev = remaining;
	for (sent = 1; sent <= 2 * limit + 1; sent++) {
		r = http_do(test_base_url(), "GET", path, NULL, hdrs);
		if (r->status == 429)
			break;
		ck_assert_msg(r->status == 200, "request %d: %ld", sent, r->status);
		remaining = header_num(r, "x-ratelimit-remaining");
		ck_assert_msg(remaining == prev - 1 || remaining == limit - 1,
		    "request %d: remaining %ld after %ld", sent, remaining, prev);
		prev = remaining;
		http_result_free(r);
	}
	ck_assert_msg(r->status == 429, "no 429 after %d requests (limit %ld)", sent, limit);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_str_eq(jstr(r->json, "error.code"), "RATE_LIMITED");
	retry = header_num(r, "retry-after");
	reset = header_num(r, "x-ratelimit-reset");
	ck_assert(retry >= 1 && retry <= 86400);
	ck_assert_int_eq(retry, reset);
	ck_assert_int_eq(header_num(r, "x-ratelimit-limit"), limit);
	ck_assert_int_eq(header_num(r, "x-ratelimit-remaining"), 0);
	http_result_free(r);

	/* counted per client: someone else is still served */
	r = http_do(test_base_url(), "GET", path, NULL, ohdrs);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(header_num(r, "x-ratelimit-remaining"), limit - 1);
	http_result_free(r);
	/* health checks are never limited */
	r = http_do(test_base_url(), "GET", "/health/live", NULL, hdrs);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!http_header(r, "x-ratelimit-limit", who, sizeof who));
	http_result_free(r);
}
END_TEST

/* A published product's and a category's slug, from the API. */
static char *
first_slug(const char *path)
{
	http_result *r = http_get(path);
	char *slug;

	ck_assert_msg(r->status == 200, "%s: %ld", path, r->status);
	ck_assert_ptr_nonnull(jstr(r->json, "data.0.slug"));
	slug = strdup(jstr(r->json, "data.0.slug"));
	http_result_free(r);
	return slug;
}

static void
assert_common_headers(const http_result *r, const char *what)
{
	char v[512];

	ck_assert_msg(http_header(r, "x-content-type-options", v, sizeof v) && strcmp(v, "nosniff") == 0,
	    "%s: nosniff", what);
	ck_assert_msg(http_header(r, "x-frame-options", v, sizeof v) && strcmp(v, "DENY") == 0,
	    "%s: X-Frame-Options", what);
	ck_assert_msg(http_header(r, "referrer-policy", v, sizeof v) &&
	    strcmp(v, "strict-origin-when-cross-origin") == 0, "%s: Referrer-Policy", what);
	ck_assert_msg(http_header(r, "permissions-policy", v, sizeof v) &&
	    strstr(v, "camera=()") != NULL && strstr(v, "microphone=()") != NULL &&
	    strstr(v, "geolocation=()") != NULL && strstr(v, "payment=()") != NULL,
	    "%s: Permissions-Policy %s", what, v);
	ck_assert_msg(http_header(r, "content-security-policy", v, sizeof v) &&
	    strstr(v, "frame-ancestors 'none'") != NULL, "%s: CSP", what);
	ck_assert_msg(http_header(r, "x-request-id", v, sizeof v), "%s: X-Request-ID", what);
	/* plain http here: HSTS would be a lie */
	ck_assert_msg(!http_header(r, "strict-transport-security", v, sizeof v), "%s: HSTS", what);
}

/* The nonce of an HTML reply's CSP, checked for shape; malloc'd. */
static char *
html_nonce(const http_result *r, const char *what)
{
	char v[512], *p, *q;

	ck_assert_msg(http_header(r, "content-security-policy", v, sizeof v), "%s", what);
	ck_assert_msg(strncmp(v, "default-src 'self';", 19) == 0, "%s: %s", what, v);
	p = strstr(v, "script-src 'self' 'nonce-");
	ck_assert_msg(p != NULL, "%s: no nonce in %s", what, v);
	p += strlen("script-src 'self' 'nonce-");
	q = strchr(p, '\'');
	ck_assert_msg(q != NULL && q - p == 24, "%s: nonce %s", what, p);
	ck_assert_msg(strstr(v, "object-src 'none'") != NULL, "%s: %s", what, v);
	return strndup(p, (size_t)(q - p));
}

START_TEST(security_headers_on_every_page_type)
{
	char *prod = first_slug("/api/v1/products?per_page=1");
	char *cat = first_slug("/api/v1/categories");
	char html[4][512], v[512];
	/* storefront, account and admin pages, an error page and redirects */
	struct { const char *path; long status; } pages[] = {
		{ html[0], 200 }, { html[1], 200 }, { html[2], 200 }, { html[3], 200 },
		{ "/no/such/page", 404 }, { "/login", 200 }, { "/register", 200 },
		{ "/forgot-password", 200 }, { "/reset-password?token=x", 200 },
		{ "/account", 303 }, { "/admin/login", 200 }, { "/admin/users", 303 },
	};
	static const char *json[] = { "/api/v1/products", "/api/v1/products/no-such-product-slug",
	    "/api/v1/no-such-thing", "/health/live", "/api/v1/users/me", "/api/v1/auth/login" };
	static const long json_status[] = { 200, 404, 404, 200, 401, 405 };
	http_result *r;

	snprintf(html[0], sizeof html[0], "/c/%s", cat);
	snprintf(html[1], sizeof html[1], "/p/%s", prod);
	snprintf(html[2], sizeof html[2], "/search?q=a");
	snprintf(html[3], sizeof html[3], "/");
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		const char *path = pages[i].path;
		char *nonce;

		r = http_get(path);
		ck_assert_msg(r->status == pages[i].status, "%s: %ld", path, r->status);
		assert_common_headers(r, path);
		if (r->status != 303) {
			ck_assert(http_header(r, "content-type", v, sizeof v));
			ck_assert_msg(strncmp(v, "text/html", 9) == 0, "%s: %s", path, v);
			nonce = html_nonce(r, path);
			free(nonce);
		}
		ck_assert_msg(!http_header(r, "access-control-allow-origin", v, sizeof v), "%s", path);
		http_result_free(r);
	}
	for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
		r = http_get(json[i]);
		ck_assert_msg(r->status == json_status[i], "%s: %ld", json[i], r->status);
		assert_common_headers(r, json[i]);
		ck_assert(http_header(r, "content-security-policy", v, sizeof v));
		ck_assert_msg(strcmp(v, "default-src 'none'; frame-ancestors 'none'") == 0, "%s: %s", json[i], v);
		http_result_free(r);
	}
	r = http_do(test_base_url(), "PATCH", "/api/v1/products", NULL, NULL);
	ck_assert_int_eq(r->status, 405);
	assert_common_headers(r, "405");
	http_result_free(r);
	free(prod);
	free(cat);
}
END_TEST

START_TEST(csp_nonce_differs_per_response)
{
	http_result *a = http_get("/"), *b = http_get("/");
	char *na, *nb;

	ck_assert_int_eq(a->status, 200);
	ck_assert_int_eq(b->status, 200);
	na = html_nonce(a, "first");
	nb = html_nonce(b, "second");
	ck_assert_str_ne(na, nb);
	free(na);
	free(nb);
	http_result_free(a);
	http_result_free(b);
}
END_TEST

START_TEST(cors_preflight_and_simple_requests)
{
	const char *ok[] = { "Origin: " ALLOWED_ORIGIN, "Access-Control-Request-Method: GET",
	    "Access-Control-Request-Headers: authorization", NULL };
	const char *evil[] = { "Origin: https://evil.example.test", "Access-Control-Request-Method: GET", NULL };
	const char *evil2[] = { "Origin: " ALLOWED_ORIGIN ".evil", NULL };
	char v[512];
	http_result *r;

	r = http_do(test_base_url(), "OPTIONS", "/api/v1/products", NULL, ok);
	ck_assert_msg(r->status == 204, "%ld %s", r->status, r->body);
	ck_assert(http_header(r, "access-control-allow-origin", v, sizeof v));
	ck_assert_str_eq(v, ALLOWED_ORIGIN);
	ck_assert(http_header(r, "access-control-allow-methods", v, sizeof v));
	ck_assert_msg(strstr(v, "GET") != NULL && strstr(v, "POST") != NULL, "%s", v);
	ck_assert(http_header(r, "access-control-allow-headers", v, sizeof v));
	ck_assert_msg(strstr(v, "Authorization") != NULL && strstr(v, "Content-Type") != NULL, "%s", v);
	ck_assert(http_header(r, "access-control-max-age", v, sizeof v));
	ck_assert(http_header(r, "vary", v, sizeof v));
	ck_assert_str_eq(v, "Origin");
	ck_assert(!http_header(r, "access-control-allow-credentials", v, sizeof v));
	ck_assert_int_eq(r->body_len, 0);
	http_result_free(r);

	r = http_do(test_base_url(), "OPTIONS", "/api/v1/products", NULL, evil);
	ck_assert_int_eq(r->status, 403);
	ck_assert_str_eq(jstr(r->json, "error.code"), "FORBIDDEN");
	ck_assert(!http_header(r, "access-control-allow-origin", v, sizeof v));
	http_result_free(r);
	r = http_do(test_base_url(), "OPTIONS", "/api/v1/products", NULL, evil2);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	r = http_do(test_base_url(), "OPTIONS", "/api/v1/no-such-thing", NULL, ok);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);

	r = http_do(test_base_url(), "GET", "/api/v1/products?per_page=1", NULL, ok);
	ck_assert_int_eq(r->status, 200);
	ck_assert(http_header(r, "access-control-allow-origin", v, sizeof v));
	ck_assert_str_eq(v, ALLOWED_ORIGIN);
	ck_assert(http_header(r, "access-control-expose-headers", v, sizeof v));
	ck_assert_msg(strstr(v, "Retry-After") != NULL && strstr(v, "X-RateLimit-Remaining") != NULL, "%s", v);
	http_result_free(r);
	r = http_do(test_base_url(), "GET", "/api/v1/products?per_page=1", NULL, evil);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!http_header(r, "access-control-allow-origin", v, sizeof v));
	ck_assert(http_header(r, "vary", v, sizeof v));
	http_result_free(r);
	/* the storefront is not an API: no CORS there */
	r = http_do(test_base_url(), "GET", "/", NULL, ok);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!http_header(r, "access-control-allow-origin", v, sizeof v));
	http_result_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("security");
	TCase *tc = tcase_create("http");

	if (test_base_url() == NULL) {
		fprintf(stderr, "ECOM_TEST_BASE_URL not set: skipping (run ./check)\n");
		return 77;
	}
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, security_headers_on_every_page_type);
	tcase_add_test(tc, csp_nonce_differs_per_response);
	tcase_add_test(tc, cors_preflight_and_simple_requests);
	tcase_add_test(tc, rate_limit_reached_per_client);
	suite_add_tcase(s, tc);
	return check_run(s);
}
