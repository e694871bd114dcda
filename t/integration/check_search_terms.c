/*
 * check_search_terms.c — what shoppers search for, end to end on the
 * running shop: searches through the storefront's /search and through
 * GET /api/v1/search are counted under their normalised term, and
 * /admin/search-terms and its CSV show the same numbers:
 *
 *   - one term typed three ways (case, spaces), through both ends,
 *     is one row with 3 searches, 3 of them without results, and is listed
 *     under "Searches with no results" with a link to the shop's search;
 *   - a term with results ("tencel", a demo product's word no other suite
 *     searches) gains exactly what was typed, none of it without results;
 *     its page 2, a sort or filter link, and suggestions count nothing;
 *   - the period select: a row of 10 days ago is in 30 days, not in 7;
 *     a period other than 7, 30 or 90 is a 400 (page and CSV);
 *   - the CSV has the page's numbers, and a term that starts like a
 *     formula is written with the guard;
 *   - a seller gets 403 and an anonymous visitor the sign-in page;
 *   - the janitor's prune deletes days older than 400 and keeps the rest.
 *
 * The unique words carry a per-run tag, so reruns against the same stack
 * pass; rows of earlier runs of this suite are deleted first.  Without
 * ECOM_TEST_BASE_URL / ECOM_CONFIG / ECOM_TEST_ECOMCTL it is skipped (77).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "search/search.h"
#include "browser.h"
#include "http_client.h"
#include "test_db.h"

#define CLIENT	"10.77.9.41"
#define RESULTS_WORD "tencel"	/* "Belted Tencel Maxi Dress" in the demo data */

static arena *a;
static char word[16];		/* "qv" + letters: this run's own word */

/* ------------------------------------------------------------ plumbing */

static void
get_ok(const char *path)
{
	http_result *r = http_as(CLIENT, NULL, "GET", path, NULL);

	expect_status(r, 200);
	http_result_free(r);
}

/* The text of the cells of the row of `term` in the table after the
 * heading with id `section`, "|"-joined ("3|3|7 Dec 2026 07:30 UTC"), or
 * NULL when the table has no such row. */
static const char *
row_cells(const char *body, const char *section, const char *term)
{
	const char *s = strstr(body, arena_printf(a, "id=\"%s\"", section)), *p, *end;
	const char *link = arena_printf(a, ">%s</a></td>", term);
	char *out = arena_strdup(a, "");

	if (s == NULL || (p = strstr(s, link)) == NULL)
		return NULL;
	if ((end = strstr(p, "</tr>")) == NULL)
		return NULL;
	/* a later section's row is not this section's */
	if (strcmp(section, "top-terms") == 0 && strstr(s, "id=\"zero-terms\"") != NULL &&
	    p > strstr(s, "id=\"zero-terms\""))
		return NULL;
	for (p += strlen(link); (p = strstr(p, "<td>")) != NULL && p < end; ) {
		const char *q = strstr(p += 4, "</td>");

		out = arena_printf(a, "%s%s%.*s", out, out[0] ? "|" : "", (int)(q - p), p);
		p = q;
	}
	return out;
}

/* The CSV line of term (without it and its comma), or NULL. */
static const char *
csv_line(const char *csv, const char *field)
{
	const char *p = csv;

	while ((p = strstr(p, field)) != NULL) {
		if ((p == csv || p[-1] == '\n') && p[strlen(field)] == ',') {
			const char *end = strstr(p, "\r\n");

			p += strlen(field) + 1;
			return arena_strndup(a, p, end ? (size_t)(end - p) : strlen(p));
		}
		p++;
	}
	return NULL;
}

/* searches and zero-result searches of term in the CSV of `days`. */
static void
csv_counts(jar *j, int days, const char *field, long long *searches, long long *zero)
{
	http_result *r = browse(j, "GET", arena_printf(a, "/admin/search-terms/export.csv?days=%d",
	    days), NULL);
	char ctype[128];
	const char *line;

	expect_status(r, 200);
	ck_assert_int_eq(http_header(r, "content-type", ctype, sizeof ctype), 1);
	ck_assert_msg(strncmp(ctype, "text/csv", 8) == 0, "%s", ctype);
	ck_assert_msg(strncmp(r->body, "term,searches,zero_result_searches,last_seen\r\n", 46) == 0,
	    "%.200s", r->body);
	*searches = *zero = 0;
	if ((line = csv_line(r->body, field)) != NULL)
		ck_assert_int_eq(sscanf(line, "%lld,%lld,", searches, zero), 2);
	http_result_free(r);
}

static void
setup_once(void)
{
	long t = (long)time(NULL) % 100000000 * 10 + getpid() % 10;

	ck_assert_int_eq(config_init(), 0);
	log_init("check_search_terms", "error");
	a = arena_new(256 * 1024);
	snprintf(word, sizeof word, "qv");
	for (int i = 2; i < 10; i++, t /= 26)
		word[i] = (char)('a' + t % 26);
	word[10] = '\0';
	/* earlier runs' terms, so this run's are on the first page */
	sql(a, "WITH d AS (DELETE FROM search.term_days WHERE term ~ '(^|[ =])qv[a-z]{8}'"
	    " RETURNING 1) SELECT count(*) FROM d");
}

static void
teardown_once(void)
{
	arena_free(a);
	db_close_all();
}

/* ------------------------------------------------------------ tests */

START_TEST(searches_are_counted_and_reported)
{
	const char *term = arena_printf(a, "blue %s", word), *cells, *csv_term, *want;
	long long s0, z0, s1, z1, s, z;
	http_result *r;
	jar j = { .n = 0 };

	sign_in_admin(&j, "terms");
	csv_counts(&j, 7, RESULTS_WORD, &s0, &z0);

	/* one term, three spellings, both ends; none finds anything */
	get_ok(arena_printf(a, "/search?q=Blue+%s", word));
	get_ok(arena_printf(a, "/api/v1/search?q=%%20%%20BLUE%%20%%20%%20%s%%20", word));
	get_ok(arena_printf(a, "/search?q=+bLuE+++%s+", word));
	/* a term with results, typed twice; its other pages, sorts, filters
	 * and suggestions are not searches typed */
	get_ok("/search?q=Tencel");
	get_ok("/api/v1/search?q=%20%20TENCEL");
	get_ok("/search?q=tencel&page=2");
	get_ok("/search?q=tencel&sort=name");
	get_ok("/api/v1/search?q=tencel&in_stock=true");
	get_ok("/api/v1/search/suggest?q=tencel");
	get_ok("/api/v1/search?q=");

	/* the page: the normalised term, its counts, and a link to the shop */
	r = browse(&j, "GET", "/admin/search-terms?days=7", NULL);
	expect_status(r, 200);
	cells = row_cells(r->body, "top-terms", term);
	ck_assert_msg(cells != NULL, "%s not in the top terms", term);
	ck_assert_msg(strncmp(cells, "3|3|", 4) == 0, "%s: %s", term, cells);
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "<a href=\"/search?q=blue%%20%s\">%s</a>",
	    word, term)));
	cells = row_cells(r->body, "zero-terms", term);
	ck_assert_msg(cells != NULL && strncmp(cells, "3|3|", 4) == 0, "%s: %s", term, cells);
	ck_assert_ptr_null(row_cells(r->body, "zero-terms", RESULTS_WORD));
	cells = row_cells(r->body, "top-terms", RESULTS_WORD);
	want = arena_printf(a, "%lld|%lld|", s0 + 2, z0);
	ck_assert_msg(cells != NULL && strncmp(cells, want, strlen(want)) == 0,
	    "tencel: %s, want %s", cells, want);
	ck_assert_ptr_nonnull(strstr(r->body, "<option value=\"7\" selected>"));
	http_result_free(r);

	/* the CSV: the same numbers */
	csv_counts(&j, 7, term, &s, &z);
	ck_assert_int_eq(s, 3);
	ck_assert_int_eq(z, 3);
	csv_counts(&j, 7, RESULTS_WORD, &s1, &z1);
	ck_assert_int_eq(s1, s0 + 2);
	ck_assert_int_eq(z1, z0);

	/* a term a spreadsheet would run is written with the guard */
	get_ok(arena_printf(a, "/search?q=%%3D%s%%2B1", word));
	csv_term = arena_printf(a, "\"'=%s+1\"", word);
	csv_counts(&j, 7, csv_term, &s, &z);
	ck_assert_int_eq(s, 1);
	ck_assert_int_eq(z, 1);
}
END_TEST

START_TEST(the_period_is_chosen_and_bounded)
{
	static const char *const bad[] = { "8", "0", "365", "-7", "abc", "30x",
	    "99999999999999999999" };
	const char *old = arena_printf(a, "old %s", word), *cells;
	long long s, z;
	http_result *r;
	jar j = { .n = 0 };

	sql(a, arena_printf(a, "INSERT INTO search.term_days (day, term, searches, zero_results, last_at)"
	    " VALUES ((now() AT TIME ZONE 'UTC')::date - 10, '%s', 5, 2, now() - interval '10 days')"
	    " RETURNING 1", old));
	sign_in_admin(&j, "terms-period");
	r = browse(&j, "GET", "/admin/search-terms?days=7", NULL);
	expect_status(r, 200);
	ck_assert_ptr_null(row_cells(r->body, "top-terms", old));
	http_result_free(r);
	r = browse(&j, "GET", "/admin/search-terms?days=30", NULL);
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "<option value=\"30\" selected>"));
	cells = row_cells(r->body, "top-terms", old);
	ck_assert_msg(cells != NULL && strncmp(cells, "5|2|", 4) == 0, "%s: %s", old, cells);
	http_result_free(r);
	csv_counts(&j, 30, old, &s, &z);
	ck_assert_int_eq(s, 5);
	ck_assert_int_eq(z, 2);
	csv_counts(&j, 7, old, &s, &z);
	ck_assert_int_eq(s, 0);

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		r = browse(&j, "GET", arena_printf(a, "/admin/search-terms?days=%s", bad[i]), NULL);
		ck_assert_msg(r->status == 400, "days=%s: %ld", bad[i], r->status);
		ck_assert_ptr_nonnull(strstr(r->body, "days must be 7, 30 or 90"));
		http_result_free(r);
		r = browse(&j, "GET", arena_printf(a, "/admin/search-terms/export.csv?days=%s", bad[i]),
		    NULL);
		ck_assert_msg(r->status == 400, "csv days=%s: %ld", bad[i], r->status);
		http_result_free(r);
	}
	r = browse(&j, "GET", "/admin/search-terms?page=0", NULL);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
}
END_TEST

START_TEST(only_admins_see_it)
{
	char email[128], loc[512], *id;
	http_result *r;
	jar j = { .n = 0 }, anon = { .n = 0 };

	snprintf(email, sizeof email, "terms-seller-%s@admin-test.example", run_tag());
	id = create_user(email, "seller", NULL);
	post_password(&j, email, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin/products");
	r = browse(&j, "GET", "/admin/search-terms", NULL);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	r = browse(&j, "GET", "/admin/search-terms/export.csv", NULL);
	ck_assert_int_eq(r->status, 403);
	ck_assert_ptr_null(strstr(r->body, "term,searches"));
	http_result_free(r);
	r = browse(&anon, "GET", "/admin/search-terms", NULL);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	free(id);
}
END_TEST

START_TEST(old_days_are_pruned)
{
	const char *gone = arena_printf(a, "gone %s", word), *kept = arena_printf(a, "kept %s", word);
	int64_t deleted = 0;
	error e;

	err_clear(&e);
	sql(a, arena_printf(a, "INSERT INTO search.term_days (day, term, searches) VALUES"
	    " ((now() AT TIME ZONE 'UTC')::date - %d, '%s', 1),"
	    " ((now() AT TIME ZONE 'UTC')::date - %d, '%s', 1) RETURNING 1",
	    SEARCH_LOG_KEEP_DAYS, gone, SEARCH_LOG_KEEP_DAYS - 1, kept));
	ck_assert_int_eq(search_terms_prune(a, &deleted, &e), E_OK);
	ck_assert_int_ge(deleted, 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a,
	    "SELECT count(*) FROM search.term_days WHERE term = '%s'", gone)), 0);
	ck_assert_int_eq(sql_int(a, arena_printf(a,
	    "SELECT count(*) FROM search.term_days WHERE term = '%s'", kept)), 1);
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
	browser_client(CLIENT);
	s = suite_create("search_terms");
	tc = tcase_create("search_terms");
	tcase_add_unchecked_fixture(tc, setup_once, teardown_once);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, searches_are_counted_and_reported);
	tcase_add_test(tc, the_period_is_chosen_and_bounded);
	tcase_add_test(tc, only_admins_see_it);
	tcase_add_test(tc, old_days_are_pruned);
	suite_add_tcase(s, tc);
	test_db_domain("search");
	return check_run(s);
}
