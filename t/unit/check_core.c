/*
 * check_core.c — table-driven unit tests of lib/core's parsers, router,
 * headers, errors and pagination.  Every row carries its __LINE__, so a
 * failure names the row that broke.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "core/app.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"
#include "core/parse.h"

static arena *A;

static void
setup(void)
{
	A = arena_new(4096);
}

static void
teardown(void)
{
	arena_free(A);
}

/* ------------------------------------------------------------ arena, buf */

static int deferred_calls;
static void count_call(void *p) { (void)p; deferred_calls++; }

START_TEST(arena_allocates_aligned_and_resets)
{
	char *big;

	for (int i = 0; i < 1000; i++) {
		void *p = arena_alloc(A, (size_t)i % 97 + 1);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
	}
	big = arena_alloc(A, 1 << 20);	/* larger than a chunk */
	ck_assert_ptr_nonnull(big);
	memset(big, 1, 1 << 20);
	ck_assert_ptr_null(arena_alloc(A, SIZE_MAX));
	ck_assert_ptr_null(arena_calloc(A, SIZE_MAX / 2, 4));
	ck_assert_str_eq(arena_printf(A, "%s-%d", "x", 42), "x-42");
	ck_assert_str_eq(arena_strndup(A, "abcdef", 3), "abc");
	deferred_calls = 0;
	arena_defer(A, count_call, NULL);
	arena_defer(A, count_call, NULL);
	arena_reset(A);
	ck_assert_int_eq(deferred_calls, 2);
	ck_assert_uint_eq(arena_used(A), 0);
	arena_reset(A);
	ck_assert_int_eq(deferred_calls, 2);
}
END_TEST

START_TEST(buf_appends_and_formats)
{
	buf b = BUF_INIT;

	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_printf(&b, "%d,", i), 0);
	ck_assert_uint_eq(strlen(b.data), b.len);
	ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_int_eq(buf_append(&b, "a\0b", 3), 0);
	ck_assert_uint_eq(b.len, 3);
	b.oom = 1;	/* sticky: nothing more is appended */
	ck_assert_int_eq(buf_puts(&b, "zzz"), -1);
	ck_assert_uint_eq(b.len, 3);
	buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------ numbers, UTF-8 */

static const struct {
	int line;
	const char *in;
	int64_t min, max;
	int ok;
	int64_t want;
} i64_rows[] = {
	{ __LINE__, "0", 0, 10, 1, 0 },
	{ __LINE__, "10", 0, 10, 1, 10 },
	{ __LINE__, "11", 0, 10, 0, 0 },
	{ __LINE__, "-1", 0, 10, 0, 0 },
	{ __LINE__, "-1", -5, 10, 1, -1 },
	{ __LINE__, "-0", -5, 10, 1, 0 },
	{ __LINE__, "+1", 0, 10, 0, 0 },
	{ __LINE__, "", 0, 10, 0, 0 },
	{ __LINE__, " 1", 0, 10, 0, 0 },
	{ __LINE__, "1 ", 0, 10, 0, 0 },
	{ __LINE__, "1x", 0, 10, 0, 0 },
	{ __LINE__, "007", 0, 10, 1, 7 },
	{ __LINE__, "9223372036854775807", INT64_MIN, INT64_MAX, 1, INT64_MAX },
	{ __LINE__, "9223372036854775808", INT64_MIN, INT64_MAX, 0, 0 },
	{ __LINE__, "-9223372036854775808", INT64_MIN, INT64_MAX, 1, INT64_MIN },
	{ __LINE__, "-9223372036854775809", INT64_MIN, INT64_MAX, 0, 0 },
	{ __LINE__, "99999999999999999999999", 0, INT64_MAX, 0, 0 },
	{ __LINE__, "-", -5, 5, 0, 0 },
};

START_TEST(parse_i64_table)
{
	for (size_t i = 0; i < sizeof i64_rows / sizeof i64_rows[0]; i++) {
		int64_t v = 12345;
		int rc = parse_i64(i64_rows[i].in, i64_rows[i].min, i64_rows[i].max, &v);
		ck_assert_msg((rc == 0) == i64_rows[i].ok, "row at line %d", i64_rows[i].line);
		if (i64_rows[i].ok)
			ck_assert_msg(v == i64_rows[i].want, "row at line %d: %lld", i64_rows[i].line, (long long)v);
	}
	ck_assert_int_eq(parse_i64(NULL, 0, 1, NULL), -1);
}
END_TEST

static const struct {
	int line;
	const char *s;
	int ok;
} utf8_rows[] = {
	{ __LINE__, "plain", 1 },
	{ __LINE__, "Crème brûlée", 1 },
	{ __LINE__, "\xe2\x82\xac", 1 },		/* € */
	{ __LINE__, "\xf0\x9f\x98\x80", 1 },		/* emoji, 4 bytes */
	{ __LINE__, "\xc3\x28", 0 },			/* bad continuation */
	{ __LINE__, "\xc0\xaf", 0 },			/* overlong '/' */
	{ __LINE__, "\xe0\x80\xaf", 0 },		/* overlong, 3 bytes */
	{ __LINE__, "\xed\xa0\x80", 0 },		/* surrogate */
	{ __LINE__, "\xf4\x90\x80\x80", 0 },		/* beyond U+10FFFF */
	{ __LINE__, "\xe2\x82", 0 },			/* truncated */
	{ __LINE__, "\xff", 0 },
};

START_TEST(utf8_table)
{
	for (size_t i = 0; i < sizeof utf8_rows / sizeof utf8_rows[0]; i++)
		ck_assert_msg(utf8_valid(utf8_rows[i].s, strlen(utf8_rows[i].s)) == utf8_rows[i].ok,
		    "row at line %d", utf8_rows[i].line);
	ck_assert(!utf8_valid("a\0b", 3));
	ck_assert_uint_eq(utf8_len("Crème", strlen("Crème")), 5);
}
END_TEST

START_TEST(parse_bool_table)
{
	bool b;

	ck_assert(parse_bool("true", &b) == 0 && b);
	ck_assert(parse_bool("ON", &b) == 0 && b);
	ck_assert(parse_bool("0", &b) == 0 && !b);
	ck_assert(parse_bool("no", &b) == 0 && !b);
	ck_assert_int_eq(parse_bool("maybe", &b), -1);
	ck_assert_int_eq(parse_bool("", &b), -1);
}
END_TEST

/* ------------------------------------------------------------ forms, cookies, JSON */

static const struct {
	int line;
	const char *in;
	int ok;
	size_t n;
	const char *k0, *v0, *k1, *v1;
} form_rows[] = {
	{ __LINE__, "", 1, 0, NULL, NULL, NULL, NULL },
	{ __LINE__, "a=1&b=2", 1, 2, "a", "1", "b", "2" },
	{ __LINE__, "name=J%C3%B6rg+X", 1, 1, "name", "Jörg X", NULL, NULL },
	{ __LINE__, "flag", 1, 1, "flag", "", NULL, NULL },
	{ __LINE__, "a=1&&b=2&", 1, 2, "a", "1", "b", "2" },
	{ __LINE__, "a=%3D%26", 1, 1, "a", "=&", NULL, NULL },
	{ __LINE__, "a=x=y", 1, 1, "a", "x=y", NULL, NULL },
	{ __LINE__, "a=%zz", 0, 0, NULL, NULL, NULL, NULL },
	{ __LINE__, "a=%4", 0, 0, NULL, NULL, NULL, NULL },
	{ __LINE__, "a=%", 0, 0, NULL, NULL, NULL, NULL },
	{ __LINE__, "a=%00", 0, 0, NULL, NULL, NULL, NULL },
	{ __LINE__, "a=%C3%28", 0, 0, NULL, NULL, NULL, NULL },
	{ __LINE__, "%FF=1", 0, 0, NULL, NULL, NULL, NULL },
};

START_TEST(form_table)
{
	for (size_t i = 0; i < sizeof form_rows / sizeof form_rows[0]; i++) {
		kv *p;
		size_t n;
		error e;
		err_clear(&e);
		ecode rc = form_parse(A, form_rows[i].in, strlen(form_rows[i].in), 8, &p, &n, &e);
		ck_assert_msg((rc == E_OK) == form_rows[i].ok, "row at line %d: %s", form_rows[i].line, e.message);
		if (!form_rows[i].ok) {
			ck_assert_msg(e.code == E_INVALID_INPUT && e.message[0] != '\0', "row at line %d", form_rows[i].line);
			continue;
		}
		ck_assert_msg(n == form_rows[i].n, "row at line %d: %zu pairs", form_rows[i].line, n);
		if (n > 0) {
			ck_assert_msg(strcmp(p[0].key, form_rows[i].k0) == 0 && strcmp(p[0].val, form_rows[i].v0) == 0,
			    "row at line %d: %s=%s", form_rows[i].line, p[0].key, p[0].val);
		}
		if (n > 1)
			ck_assert_msg(strcmp(p[1].key, form_rows[i].k1) == 0 && strcmp(p[1].val, form_rows[i].v1) == 0,
			    "row at line %d", form_rows[i].line);
	}
}
END_TEST

START_TEST(form_refuses_too_many_pairs)
{
	kv *p;
	size_t n;
	error e;
	buf b = BUF_INIT;

	for (int i = 0; i < 9; i++)
		buf_printf(&b, "k%d=v&", i);
	err_clear(&e);
	ck_assert_int_eq(form_parse(A, b.data, b.len, 8, &p, &n, &e), E_INVALID_INPUT);
	ck_assert_ptr_nonnull(strstr(e.message, "too many"));
	buf_free(&b);
}
END_TEST

START_TEST(cookies)
{
	kv *p;
	size_t n;
	error e;
	buf big = BUF_INIT;

	err_clear(&e);
	ck_assert_int_eq(cookie_parse(A, "a=1; b = two ;c=\"q\"; broken; =x", &p, &n, &e), E_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(p[0].key, "a");
	ck_assert_str_eq(p[1].key, "b");
	ck_assert_str_eq(p[1].val, "two");
	ck_assert_str_eq(p[2].val, "q");
	ck_assert_int_eq(cookie_parse(A, NULL, &p, &n, &e), E_OK);
	ck_assert_uint_eq(n, 0);
	for (int i = 0; i < 40; i++)
		buf_printf(&big, "c%d=v; ", i);
	ck_assert_int_eq(cookie_parse(A, big.data, &p, &n, &e), E_OK);
	ck_assert_uint_eq(n, HTTP_MAX_COOKIES);
	buf_reset(&big);
	for (int i = 0; i < HTTP_MAX_COOKIE_HDR; i++)
		buf_putc(&big, 'x');
	buf_puts(&big, "=1");
	ck_assert_int_eq(cookie_parse(A, big.data, &p, &n, &e), E_INVALID_INPUT);
	buf_free(&big);
}
END_TEST

static const struct {
	int line;
	const char *in;
	int ok;
} json_rows[] = {
	{ __LINE__, "{}", 1 },
	{ __LINE__, "[1,2]", 1 },
	{ __LINE__, " {\"a\":\"é\"}\n", 1 },
	{ __LINE__, "", 0 },
	{ __LINE__, "42", 0 },
	{ __LINE__, "\"s\"", 0 },
	{ __LINE__, "{\"a\":1} x", 0 },
	{ __LINE__, "{\"a\":", 0 },
	{ __LINE__, "{\"a\":\"\xc3\x28\"}", 0 },
	{ __LINE__, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 0 },
};

START_TEST(json_body_table)
{
	for (size_t i = 0; i < sizeof json_rows / sizeof json_rows[0]; i++) {
		json_object *o = NULL;
		error e;
		err_clear(&e);
		ecode rc = json_body_parse(A, json_rows[i].in, strlen(json_rows[i].in), &o, &e);
		ck_assert_msg((rc == E_OK) == json_rows[i].ok, "row at line %d: %s", json_rows[i].line, e.message);
		if (!json_rows[i].ok)
			ck_assert_msg(e.code == E_INVALID_INPUT, "row at line %d", json_rows[i].line);
	}
	arena_reset(A);	/* parsed objects are released here (ASan checks) */
}
END_TEST

/* ------------------------------------------------------------ router */

static ecode h_dummy(request *req, response *res, error *e) { (void)req; (void)res; (void)e; return E_OK; }

static const route routes[] = {
	{ "GET", "/api/v1/products", h_dummy, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0 },
	{ "POST", "/api/v1/products", h_dummy, ROLE_SELLER, CSRF_NONE, BODY_JSON, 0 },
	{ "GET", "/api/v1/products/{id}", h_dummy, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0 },
	{ "GET", "/api/v1/products/{id}/variants/{vid}", h_dummy, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0 },
	{ "DELETE", "/api/v1/products/{id}", h_dummy, ROLE_SELLER, CSRF_NONE, BODY_NONE, 0 },
	{ "GET", "/", h_dummy, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0 },
};

static const struct {
	int line;
	const char *method, *path;
	int status;
	int row;		/* index into routes, -1 */
	const char *param, *value;
} route_rows[] = {
	{ __LINE__, "GET", "/api/v1/products", 200, 0, NULL, NULL },
	{ __LINE__, "GET", "/api/v1/products/", 200, 0, NULL, NULL },
	{ __LINE__, "HEAD", "/api/v1/products", 200, 0, NULL, NULL },
	{ __LINE__, "POST", "/api/v1/products", 200, 1, NULL, NULL },
	{ __LINE__, "GET", "/api/v1/products/abc", 200, 2, "id", "abc" },
	{ __LINE__, "GET", "/api/v1/products/p1/variants/v9", 200, 3, "vid", "v9" },
	{ __LINE__, "DELETE", "/api/v1/products/x", 200, 4, "id", "x" },
	{ __LINE__, "PUT", "/api/v1/products/x", 405, -1, NULL, NULL },
	{ __LINE__, "PATCH", "/api/v1/products", 405, -1, NULL, NULL },
	{ __LINE__, "GET", "/api/v1/products//variants/v", 404, -1, NULL, NULL },
	{ __LINE__, "GET", "/api/v1/productsx", 404, -1, NULL, NULL },
	{ __LINE__, "GET", "/api/v1/products/a/b", 404, -1, NULL, NULL },
	{ __LINE__, "GET", "/", 200, 5, NULL, NULL },
	{ __LINE__, "GET", "/nothing", 404, -1, NULL, NULL },
};

START_TEST(router_table)
{
	for (size_t i = 0; i < sizeof route_rows / sizeof route_rows[0]; i++) {
		request req;
		int status = 0;
		const route *r;

		memset(&req, 0, sizeof req);
		req.a = A;
		r = router_match(routes, sizeof routes / sizeof routes[0], &req,
		    route_rows[i].method, route_rows[i].path, &status);
		ck_assert_msg(status == route_rows[i].status, "row at line %d: %d", route_rows[i].line, status);
		if (route_rows[i].row < 0) {
			ck_assert_msg(r == NULL, "row at line %d", route_rows[i].line);
			continue;
		}
		ck_assert_msg(r == &routes[route_rows[i].row], "row at line %d", route_rows[i].line);
		if (route_rows[i].param != NULL)
			ck_assert_msg(req_param(&req, route_rows[i].param) != NULL &&
			    strcmp(req_param(&req, route_rows[i].param), route_rows[i].value) == 0,
			    "row at line %d", route_rows[i].line);
	}
}
END_TEST

/* ------------------------------------------------------------ response */

START_TEST(headers_refuse_splitting)
{
	response res;
	buf body = BUF_INIT;

	memset(&res, 0, sizeof res);
	res.a = A;
	res.body = &body;
	ck_assert_int_eq(resp_header(&res, "X-Ok", "fine value"), 0);
	ck_assert_int_eq(resp_header(&res, "X-Bad", "a\r\nSet-Cookie: x=1"), -1);
	ck_assert_int_eq(resp_header(&res, "X-Bad", "a\nb"), -1);
	ck_assert_int_eq(resp_header(&res, "Bad Name", "v"), -1);
	ck_assert_int_eq(resp_header(&res, "Bad:Name", "v"), -1);
	ck_assert_int_eq(resp_header(&res, "", "v"), -1);
	ck_assert_int_eq(resp_set_header(&res, "X-Ok", "replaced"), 0);
	ck_assert_str_eq(res.headers->value, "replaced");
	ck_assert_ptr_null(res.headers->next);
	ck_assert_int_eq(resp_redirect(&res, 303, "/cart"), 0);
	ck_assert_int_eq(res.status, 303);
	ck_assert_int_eq(resp_redirect(&res, 302, "//evil.example/"), -1);
	ck_assert_int_eq(resp_redirect(&res, 302, "javascript:alert(1)"), -1);
	ck_assert_int_eq(resp_redirect(&res, 302, "/\\evil"), -1);
	ck_assert_int_eq(resp_redirect(&res, 200, "/ok"), -1);
	ck_assert_int_eq(resp_cookie(&res, "sid", "a b;c\r\n", "Path=/; HttpOnly"), 0);
	ck_assert_str_eq(res.last->value, "sid=a%20b%3Bc%0D%0A; Path=/; HttpOnly");
	buf_free(&body);
}
END_TEST

/* ------------------------------------------------------------ errors, pages */

START_TEST(every_error_code_maps_once)
{
	static const struct { ecode c; int status; const char *name; } m[] = {
		{ E_INVALID_INPUT, 400, "INVALID_INPUT" }, { E_INVALID_PARAMETER, 400, "INVALID_PARAMETER" },
		{ E_VALIDATION, 400, "VALIDATION_ERROR" }, { E_UNAUTHORIZED, 401, "UNAUTHORIZED" },
		{ E_FORBIDDEN, 403, "FORBIDDEN" }, { E_NOT_FOUND, 404, "NOT_FOUND" },
		{ E_METHOD_NOT_ALLOWED, 405, "METHOD_NOT_ALLOWED" }, { E_ALREADY_EXISTS, 409, "ALREADY_EXISTS" },
		{ E_CONFLICT, 409, "CONFLICT" }, { E_GONE, 410, "GONE" },
		{ E_PAYLOAD_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE" },
		{ E_UNSUPPORTED_MEDIA_TYPE, 415, "UNSUPPORTED_MEDIA_TYPE" },
		{ E_IDEMPOTENCY_MISMATCH, 422, "IDEMPOTENCY_MISMATCH" }, { E_PAYMENT_FAILED, 422, "PAYMENT_FAILED" },
		{ E_RATE_LIMITED, 429, "RATE_LIMITED" }, { E_INTERNAL, 500, "INTERNAL_ERROR" },
		{ E_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE" },
	};
	error e;

	ck_assert_uint_eq(sizeof m / sizeof m[0], E__COUNT - 1);
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		ck_assert_int_eq(ecode_status(m[i].c), m[i].status);
		ck_assert_str_eq(ecode_name(m[i].c), m[i].name);
	}
	err_clear(&e);
	for (int i = 0; i < 20; i++)
		err_field(&e, "f", "bad %d", i);
	ck_assert_int_eq(e.code, E_VALIDATION);
	ck_assert_int_eq(e.nfields, ERR_MAX_FIELDS);
	ck_assert_str_eq(e.fields[3].message, "bad 3");
}
END_TEST

static const struct {
	int line;
	const char *qs;
	int ok;
	int64_t page, per, offset;
} page_rows[] = {
	{ __LINE__, "", 1, 1, 20, 0 },
	{ __LINE__, "page=2&per_page=5", 1, 2, 5, 5 },
	{ __LINE__, "per_page=100", 1, 1, 100, 0 },
	{ __LINE__, "per_page=101", 0, 0, 0, 0 },
	{ __LINE__, "per_page=0", 0, 0, 0, 0 },
	{ __LINE__, "page=0", 0, 0, 0, 0 },
	{ __LINE__, "page=abc", 0, 0, 0, 0 },
	{ __LINE__, "page=-3", 0, 0, 0, 0 },
};

START_TEST(page_table)
{
	for (size_t i = 0; i < sizeof page_rows / sizeof page_rows[0]; i++) {
		request req;
		page pg;
		error e;

		memset(&req, 0, sizeof req);
		req.a = A;
		err_clear(&e);
		ck_assert_int_eq(form_parse(A, page_rows[i].qs, strlen(page_rows[i].qs), 8,
		    &req.query, &req.nquery, &e), E_OK);
		ecode rc = page_from_query(&req, &pg, &e);
		ck_assert_msg((rc == E_OK) == page_rows[i].ok, "row at line %d", page_rows[i].line);
		if (!page_rows[i].ok) {
			ck_assert_msg(e.code == E_INVALID_PARAMETER, "row at line %d", page_rows[i].line);
			continue;
		}
		ck_assert_msg(pg.page == page_rows[i].page && pg.per_page == page_rows[i].per &&
		    pg.offset == page_rows[i].offset, "row at line %d", page_rows[i].line);
	}
	{
		page p = { 1, 5, 0 };
		ck_assert_int_eq(page_total_pages(&p, 0), 0);
		ck_assert_int_eq(page_total_pages(&p, 5), 1);
		ck_assert_int_eq(page_total_pages(&p, 6), 2);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, arena_allocates_aligned_and_resets);
	tcase_add_test(tc, buf_appends_and_formats);
	tcase_add_test(tc, parse_i64_table);
	tcase_add_test(tc, utf8_table);
	tcase_add_test(tc, parse_bool_table);
	tcase_add_test(tc, form_table);
	tcase_add_test(tc, form_refuses_too_many_pairs);
	tcase_add_test(tc, cookies);
	tcase_add_test(tc, json_body_table);
	tcase_add_test(tc, router_table);
	tcase_add_test(tc, headers_refuse_splitting);
	tcase_add_test(tc, every_error_code_maps_once);
	tcase_add_test(tc, page_table);
	suite_add_tcase(s, tc);
	return check_run(s);
}
