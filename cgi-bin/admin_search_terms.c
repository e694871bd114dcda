/*
 * admin_search_terms.c — /admin/search-terms: what shoppers search for.
 *
 * The terms of the last 7, 30 or 90 days (a select in a GET form, so it
 * works without JavaScript), by searches, with how many found nothing and
 * when each was last searched; then the terms whose searches found
 * nothing, by those: products to add, or words that need a synonym.  Each
 * term links to the storefront's search for it.  The CSV download has
 * every term of the period (up to SEARCH_TERMS_CSV_MAX) with the same
 * numbers, written by csv_put (formula guard).  The counting is
 * lib/search's (terms.c).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "core/csv.h"
#include "core/parse.h"
#include "core/util.h"
#include "search/search.h"

#define TERMS_URL	"/admin/search-terms"
#define TERMS_DAYS	30	/* the period when none is asked for */
#define ZERO_LISTED	ADMIN_PAGE_SIZE

static const int periods[] = { 7, 30, 90 };
static const char *const list_keys[] = { "days", NULL };

/* Query parameter "days": one of periods, TERMS_DAYS when absent. */
static ecode
days_param(request *req, int *days, error *e)
{
	const char *s = admin_nonempty(req_query(req, "days"));
	int64_t v;

	*days = TERMS_DAYS;
	if (s == NULL)
		return E_OK;
	if (parse_i64(s, 1, 1000, &v) == 0)
		for (size_t i = 0; i < sizeof periods / sizeof *periods; i++)
			if (v == periods[i]) {
				*days = (int)v;
				return E_OK;
			}
	return err_set(e, E_INVALID_PARAMETER, "days must be 7, 30 or 90");
}

static json_object *
period_options(int days)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "days", json_object_new_int(periods[i]));
		admin_put_flag(o, "selected", periods[i] == days);
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *
term_rows(arena *a, const search_term_stat *t, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "term", t[i].term);
		admin_put_str(o, "url", arena_printf(a, "/search?q=%s", url_encode(a, t[i].term)));
		json_object_object_add(o, "searches", json_object_new_int64(t[i].searches));
		json_object_object_add(o, "zero", json_object_new_int64(t[i].zero_results));
		admin_put_str(o, "last_seen", admin_time(a, t[i].last_seen));
		json_object_array_add(arr, o);
	}
	return arr;
}

ecode
h_search_terms(request *req, response *res, error *e)
{
	page pg = { 1, ADMIN_PAGE_SIZE, 0 }, zpg = { 1, ZERO_LISTED, 0 };
	search_term_stat *top, *zero;
	size_t n, nz;
	int64_t total, ztotal;
	json_object *ctx;
	int days;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = days_param(req, &days, e)) != E_OK || (rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = search_terms_top(req->a, days, false, &pg, &top, &n, &total, e)) != E_OK ||
	    (rc = search_terms_top(req->a, days, true, &zpg, &zero, &nz, &ztotal, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "days", json_object_new_int(days));
	json_object_object_add(ctx, "periods", period_options(days));
	json_object_object_add(ctx, "terms", term_rows(req->a, top, n));
	json_object_object_add(ctx, "total", json_object_new_int64(total));
	json_object_object_add(ctx, "zero_terms", term_rows(req->a, zero, nz));
	json_object_object_add(ctx, "zero_total", json_object_new_int64(ztotal));
	admin_put_flag(ctx, "zero_more", ztotal > (int64_t)nz);
	json_object_object_add(ctx, "zero_listed", json_object_new_int(ZERO_LISTED));
	admin_put_str(ctx, "csv_url", arena_printf(req->a, TERMS_URL "/export.csv?days=%d", days));
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    admin_list_url(req, TERMS_URL, list_keys), &pg, total));
	return admin_render(req, res, 200, "admin/search_terms", ctx, &me, "Search terms", e);
}

/* GET /admin/search-terms/export.csv?days=: term, searches,
 * zero_result_searches, last_seen (RFC 3339), by searches. */
ecode
h_search_terms_csv(request *req, response *res, error *e)
{
	page pg = { 1, SEARCH_TERMS_CSV_MAX, 0 };
	search_term_stat *t;
	size_t n;
	int64_t total;
	char name[96], when[21], num[24];
	time_t now = time(NULL);
	struct tm tm;
	int days;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = days_param(req, &days, e)) != E_OK ||
	    (rc = search_terms_top(req->a, days, false, &pg, &t, &n, &total, e)) != E_OK)
		return rc;
	csv_put(res->body, "term", true);
	csv_put(res->body, "searches", false);
	csv_put(res->body, "zero_result_searches", false);
	csv_put(res->body, "last_seen", false);
	csv_end(res->body);
	for (size_t i = 0; i < n; i++) {
		time_rfc3339(t[i].last_seen, when);
		csv_put(res->body, t[i].term, true);
		snprintf(num, sizeof num, "%lld", (long long)t[i].searches);
		csv_put(res->body, num, false);
		snprintf(num, sizeof num, "%lld", (long long)t[i].zero_results);
		csv_put(res->body, num, false);
		csv_put(res->body, when, false);
		csv_end(res->body);
	}
	if (res->body->oom)
		return err_set(e, E_INTERNAL, "out of memory");
	gmtime_r(&now, &tm);
	snprintf(name, sizeof name, "attachment; filename=\"search-terms-%dd-%04d%02d%02d.csv\"",
	    days, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	if (resp_set_header(res, "Content-Disposition", name) != 0 ||
	    resp_set_header(res, "Cache-Control", "no-store") != 0)
		return err_set(e, E_INTERNAL, "could not set the download's headers");
	return E_OK;
}
