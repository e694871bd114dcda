/*
 * check_search.c — the search's pure rules, no database: how q is cut
 * into words (the only input that reaches to_tsquery), the sort names, and
 * the query string read into a search (every bound a 400 naming the
 * parameter).  Tables carry __LINE__ so a failure points at its row.
 */
#include <check.h>

#include "../check_run.h"
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "search/search.h"

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

/* ------------------------------------------------------------ words */

static const struct words_case {
	int         line;
	const char *q;
	ecode       rc;
	const char *joined;	/* the words joined with '|' */
} words_cases[] = {
	{ __LINE__, "", E_OK, "" },
	{ __LINE__, "  ,;  ", E_OK, "" },
	{ __LINE__, "Shirt", E_OK, "shirt" },
	{ __LINE__, "T-Shirt classic", E_OK, "t|shirt|classic" },
	{ __LINE__, "wool jack", E_OK, "wool|jack" },
	{ __LINE__, "':*|!(& <->", E_OK, "" },
	{ __LINE__, "jaket:*", E_OK, "jaket" },
	{ __LINE__, "caf\xc3\xa9 cr\xc3\xa8me", E_OK, "caf\xc3\xa9|cr\xc3\xa8me" },
	{ __LINE__, "a b c d e f g h", E_OK, "a|b|c|d|e|f|g|h" },
	{ __LINE__, "a b c d e f g h i", E_INVALID_PARAMETER, NULL },
	{ __LINE__, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", E_OK,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	{ __LINE__, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", E_INVALID_PARAMETER,
	  NULL },
};

START_TEST(test_words)
{
	const struct words_case *c = &words_cases[_i];
	const char **w;
	char joined[1024] = "";
	size_t n, len = 0;
	error e;

	err_clear(&e);
	ck_assert_msg(search_words(A, c->q, &w, &n, &e) == c->rc, "line %d", c->line);
	if (c->rc != E_OK)
		return;
	for (size_t i = 0; i < n && len < sizeof joined; i++)
		len += (size_t)snprintf(joined + len, sizeof joined - len, "%s%s", i ? "|" : "", w[i]);
	ck_assert_msg(strcmp(joined, c->joined) == 0, "line %d: %s", c->line, joined);
}
END_TEST

START_TEST(test_sorts)
{
	search_sort s;

	for (int i = 0; i <= SEARCH_SORT_NAME; i++) {
		ck_assert_int_eq(search_sort_parse(search_sort_name((search_sort)i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_int_eq(search_sort_parse("cheapest", &s), -1);
	ck_assert_int_eq(search_sort_parse(NULL, &s), -1);
}
END_TEST

/* ------------------------------------------------------------ the query string */

static const char *
fake_env(const request *r, const char *name)
{
	(void)r;
	(void)name;
	return NULL;
}

static void
fake_request(request *r, kv *pairs, size_t n)
{
	memset(r, 0, sizeof *r);
	r->a = A;
	r->method = "GET";
	r->path = "/api/v1/search";
	r->query_string = "";
	r->query = pairs;
	r->nquery = n;
	r->getenv = fake_env;
}

START_TEST(test_query_read)
{
	kv q[] = {
		{ "q", "wool jacket" }, { "category_id", "0b0b0b0b-0000-4000-8000-000000000001" },
		{ "min_price", "100" }, { "max_price", "5000" }, { "in_stock", "true" },
		{ "attr.Size", "M" }, { "attr.size", "L" }, { "attr.colour", "" }, { "sort", "price_desc" },
		{ "page", "3" }, { "per_page", "10" },
	};
	search_query s;
	request r;
	error e;

	err_clear(&e);
	fake_request(&r, q, sizeof q / sizeof *q);
	ck_assert_int_eq(search_query_from_request(&r, &s, &e), E_OK);
	ck_assert_str_eq(s.q, "wool jacket");
	ck_assert_int_eq(s.min_price, 100);
	ck_assert_int_eq(s.max_price, 5000);
	ck_assert_int_eq(s.in_stock, 1);
	ck_assert_int_eq(s.sort, SEARCH_SORT_PRICE_DESC);
	ck_assert_int_eq(s.pg.offset, 20);
	/* keys lower-cased, empty values ignored */
	ck_assert_uint_eq(s.nattrs, 2);
	ck_assert_str_eq(s.attrs[0].key, "size");
	ck_assert_str_eq(s.attrs[1].value, "L");
	ck_assert_ptr_null(s.brand_id);
}
END_TEST

static const struct bad_case {
	int         line;
	const char *key, *val;
} bad_cases[] = {
	{ __LINE__, "per_page", "101" },
	{ __LINE__, "page", "0" },
	{ __LINE__, "sort", "cheap" },
	{ __LINE__, "in_stock", "maybe" },
	{ __LINE__, "brand_id", "nike" },
	{ __LINE__, "category_id", "1" },
	{ __LINE__, "min_price", "-5" },
	{ __LINE__, "max_price", "1e9" },
	{ __LINE__, "attr.", "x" },
	{ __LINE__, "attr.a=b", "x" },
};

START_TEST(test_query_bounds)
{
	const struct bad_case *c = &bad_cases[_i];
	kv q[1] = { { c->key, c->val } };
	search_query s;
	request r;
	error e;

	err_clear(&e);
	fake_request(&r, q, 1);
	ck_assert_msg(search_query_from_request(&r, &s, &e) == E_INVALID_PARAMETER, "line %d", c->line);
}
END_TEST

START_TEST(test_query_price_order)
{
	kv q[] = { { "min_price", "500" }, { "max_price", "100" } };
	search_query s;
	request r;
	error e;

	err_clear(&e);
	fake_request(&r, q, 2);
	ck_assert_int_eq(search_query_from_request(&r, &s, &e), E_INVALID_PARAMETER);
	ck_assert_ptr_nonnull(strstr(e.message, "min_price"));
}
END_TEST

/* ------------------------------------------------------------ recorded terms */

#define A100 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct norm_case {
	int         line;
	const char *q;
	const char *term;	/* NULL: not recorded */
} norm_cases[] = {
	{ __LINE__, "", NULL },
	{ __LINE__, " \t\r\n ", NULL },
	{ __LINE__, "Shirt", "shirt" },
	{ __LINE__, "  Blue   SHIRT\t\tXL  ", "blue shirt xl" },
	{ __LINE__, "a\x01" "b\x7f" "c", "a b c" },
	{ __LINE__, "caf\xc3\xa9\xc2\xa0" "cr\xc3\xa8me", "caf\xc3\xa9 cr\xc3\xa8me" },
	{ __LINE__, "T-Shirt's \"best\"", "t-shirt's \"best\"" },
	{ __LINE__, "bad \xff utf-8", NULL },
	{ __LINE__, A100, A100 },
	{ __LINE__, A100 "b", A100 },
	/* the bound counts the space between words, and no trailing one */
	{ __LINE__, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

START_TEST(test_term_normalise)
{
	const struct norm_case *c = &norm_cases[_i];
	const char *t = search_term_normalise(A, c->q);

	if (c->term == NULL)
		ck_assert_msg(t == NULL, "line %d: %s", c->line, t);
	else
		ck_assert_msg(t != NULL && strcmp(t, c->term) == 0, "line %d: %s", c->line, t);
}
END_TEST

/* The bound is in characters, and a cut never splits one: 99 two-byte
 * characters and three of three bytes keep the 99 and one more. */
START_TEST(test_term_normalise_cuts_characters)
{
	char q[512];
	size_t n = 0;
	const char *t;

	for (int i = 0; i < 99; i++)
		n += (size_t)snprintf(q + n, sizeof q - n, "\xc3\x89");	/* É: not ASCII, kept */
	ck_assert_uint_lt(n + 9, sizeof q);
	snprintf(q + n, sizeof q - n, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
	ck_assert_ptr_nonnull(t = search_term_normalise(A, q));
	ck_assert_uint_eq(strlen(t), 99 * 2 + 3);
	ck_assert_str_eq(t + 99 * 2, "\xe2\x82\xac");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("pure");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_words, 0, sizeof words_cases / sizeof *words_cases);
	tcase_add_test(tc, test_sorts);
	tcase_add_test(tc, test_query_read);
	tcase_add_loop_test(tc, test_query_bounds, 0, sizeof bad_cases / sizeof *bad_cases);
	tcase_add_test(tc, test_query_price_order);
	tcase_add_loop_test(tc, test_term_normalise, 0, sizeof norm_cases / sizeof *norm_cases);
	tcase_add_test(tc, test_term_normalise_cuts_characters);
	suite_add_tcase(s, tc);
	return check_run(s);
}
