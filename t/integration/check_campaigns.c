/*
 * check_campaigns.c — campaigns and coupons against the real stack:
 * lib/campaign on PostgreSQL (usage limits under 50 forked checkouts at
 * once, per-user limits, confirm/release, the janitor's status flips and
 * stale reservations, codes unique without case and generated) and the
 * JSON API through lighttpd (validation messages, admin-only listing,
 * /coupons/validate and /validate-multiple).
 *
 * Campaigns made here are priced in CHF so the demo's automatic EUR
 * campaigns never change the amounts asserted; codes carry a random
 * suffix so runs do not collide.  Without ECOM_TEST_BASE_URL and a
 * database the suite is skipped (77).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"
#include "http_client.h"

#include "campaign/campaign.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/util.h"
#include "product/product.h"

#define ADMIN_SUB "00000000-0000-4000-8000-0000000000c1"
#define CUST_SUB  "00000000-0000-4000-8000-0000000000c2"
#define PARALLEL  50

static arena *a;
static char client_ip[32];
static char suffix[16];

static void
setup(void)
{
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
	snprintf(client_ip, sizeof client_ip, "10.77.%d.%d", (int)(getpid() % 250) + 1, rand() % 250 + 1);
	snprintf(suffix, sizeof suffix, "%04X%04X", (unsigned)rand() & 0xffff, (unsigned)getpid() & 0xffff);
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
	db_close_all();
}

/* One value of a parameterised query (plain libpq, test plumbing). */
static const char *
sql1(const char *q, const char *p1)
{
	error       e;
	db_conn    *c;
	PGresult   *r;
	const char *v = NULL;

	err_clear(&e);
	c = db_for("campaigns", &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
	r = PQexecParams(db_pg(c), q, p1 ? 1 : 0, NULL, &p1, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", q, PQerrorMessage(db_pg(c)));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = arena_strdup(a, PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* A campaign made through the library from a JSON body. */
static campaign
make(const char *body)
{
	json_object   *o = json_tokener_parse(body);
	campaign_input in = { 0 };
	campaign       c = { 0 };
	error          e;

	ck_assert_ptr_nonnull(o);
	err_clear(&e);
	ck_assert_msg(campaign_input_from_json(a, o, true, &in, &e) == E_OK, "input: %s", e.message);
	ck_assert_msg(campaign_create(a, NULL, &in, &c, &e) == E_OK, "create: %s %s", e.message,
	    e.nfields ? e.fields[0].message : "");
	/* strings in c point into the arena or the PGresult, not into o */
	json_object_put(o);
	return c;
}

static applied_discount
use_of(const campaign *c)
{
	return (applied_discount){ c->id, c->code, c->name, c->type, 100, false };
}

/* n children reserve at once (released together through a pipe); returns
 * how many succeeded.  Each child opens its own connection. */
static int
reserve_in_parallel(const campaign *c, int n, const char *user_id, const char *tag)
{
	int   go[2], ok = 0;
	pid_t kids[PARALLEL];
	applied_discount d = use_of(c);

	ck_assert_int_le(n, PARALLEL);
	db_close_all();		/* no connection may be shared across fork */
	ck_assert_int_eq(pipe(go), 0);
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			arena *ca = arena_new(16 * 1024);
			char   checkout[64], b;
			error  e;

			close(go[1]);
			(void)!read(go[0], &b, 1);	/* wait for the start */
			snprintf(checkout, sizeof checkout, "chk-%s-%s-%d", tag, suffix, i);
			err_clear(&e);
			switch (campaign_usage_reserve(ca, checkout, user_id, &d, 1, &e)) {
			case E_OK: _exit(0);
			case E_CONFLICT: _exit(1);
			default: _exit(2);
			}
		}
	}
	close(go[0]);
	close(go[1]);		/* EOF releases every child at once */
	for (int i = 0; i < n; i++) {
		int st;

		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) <= 1, "child %d failed (status %d)", i, st);
		ok += WEXITSTATUS(st) == 0;
	}
	return ok;
}

static const char *
window_now(void)
{
	return "\"start_date\":\"2020-01-01T00:00:00Z\",\"end_date\":\"2099-01-01T00:00:00Z\"";
}

START_TEST(fifty_parallel_checkouts_get_exactly_five_uses)
{
	char     body[512];
	campaign c = { 0 };

	snprintf(body, sizeof body, "{\"name\":\"Five only\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"FIVE%s\",\"max_usage_count\":5,%s}", suffix, window_now());
	c = make(body);
	ck_assert_int_eq(reserve_in_parallel(&c, PARALLEL, NULL, "five"), 5);
	ck_assert_str_eq(sql1("SELECT count(*) FROM campaigns.usage WHERE campaign_id = $1::uuid "
	    "AND status <> 'released'", c.id), "5");
}
END_TEST

START_TEST(per_user_limit_holds_in_parallel)
{
	char     body[512];
	campaign c = { 0 };

	snprintf(body, sizeof body, "{\"name\":\"Once each\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"ONCE%s\",\"max_usage_per_user\":1,%s}", suffix, window_now());
	c = make(body);
	ck_assert_int_eq(reserve_in_parallel(&c, 10, CUST_SUB, "once"), 1);
	/* another account still may */
	ck_assert_int_eq(reserve_in_parallel(&c, 1, ADMIN_SUB, "once-b"), 1);
}
END_TEST

START_TEST(reserve_confirm_release_are_idempotent)
{
	char             body[512], chk[64], chk2[64];
	campaign         c = { 0 };
	applied_discount d;
	error            e;

	snprintf(body, sizeof body, "{\"name\":\"One use\",\"type\":\"percentage\",\"discount_value\":1000,"
	    "\"currency\":\"CHF\",\"code\":\"ONE%s\",\"max_usage_count\":1,%s}", suffix, window_now());
	c = make(body);
	d = use_of(&c);
	snprintf(chk, sizeof chk, "chk-one-%s", suffix);
	snprintf(chk2, sizeof chk2, "chk-two-%s", suffix);
	err_clear(&e);
	ck_assert_int_eq(campaign_usage_reserve(a, chk, NULL, &d, 1, &e), E_OK);
	ck_assert_int_eq(campaign_usage_reserve(a, chk, NULL, &d, 1, &e), E_OK);	/* same checkout */
	ck_assert_int_eq(campaign_usage_reserve(a, chk2, NULL, &d, 1, &e), E_CONFLICT);
	ck_assert_int_eq(e.nfields, 1);
	ck_assert_str_eq(e.fields[0].name, "coupons");
	/* release frees the use for another checkout */
	err_clear(&e);
	ck_assert_int_eq(campaign_usage_release(a, chk, &e), E_OK);
	ck_assert_int_eq(campaign_usage_reserve(a, chk2, NULL, &d, 1, &e), E_OK);
	ck_assert_int_eq(campaign_usage_confirm(a, chk2, "order-1", &e), E_OK);
	ck_assert_int_eq(campaign_usage_confirm(a, chk2, "order-1", &e), E_OK);
	ck_assert_int_eq(campaign_usage_release(a, chk2, &e), E_OK);	/* confirmed stays */
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.usage WHERE checkout_id = $1", chk2), "confirmed");
	ck_assert_str_eq(sql1("SELECT count(*) FROM campaigns.outbox WHERE aggregate_id = $1::uuid "
	    "AND event_type = 'ecommerce.campaign.coupon_applied'", c.id), "1");
	/* the released checkout cannot be confirmed any more */
	ck_assert_int_eq(campaign_usage_confirm(a, chk, "order-2", &e), E_CONFLICT);
}
END_TEST

START_TEST(janitor_flips_statuses_and_releases_stale_reservations)
{
	char             body[512], chk[64];
	campaign         due, over, off, later;
	applied_discount d;
	int64_t          changed = 0;
	error            e;

	snprintf(body, sizeof body, "{\"name\":\"Due\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"DUE%s\",%s}", suffix, window_now());
	due = make(body);
	snprintf(body, sizeof body, "{\"name\":\"Over\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"OVER%s\",%s}", suffix, window_now());
	over = make(body);
	snprintf(body, sizeof body, "{\"name\":\"Off\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"OFF%s\",%s}", suffix, window_now());
	off = make(body);
	snprintf(body, sizeof body, "{\"name\":\"Later\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"LATER%s\",\"start_date\":\"2098-01-01T00:00:00Z\","
	    "\"end_date\":\"2099-01-01T00:00:00Z\"}", suffix);
	later = make(body);
	ck_assert_str_eq(later.status, "scheduled");
	/* the clock moves: due's start passed while it was scheduled, over's
	 * end passed while active, off was deactivated and has ended too */
	sql1("UPDATE campaigns.campaigns SET status = 'scheduled' WHERE id = $1::uuid", due.id);
	sql1("UPDATE campaigns.campaigns SET end_date = now() - interval '1 minute', "
	    "start_date = now() - interval '2 days' WHERE id = $1::uuid", over.id);
	sql1("UPDATE campaigns.campaigns SET status = 'inactive', end_date = now() - interval '1 minute', "
	    "start_date = now() - interval '2 days' WHERE id = $1::uuid", off.id);
	/* a reservation from two hours ago, and a fresh one */
	d = use_of(&due);
	snprintf(chk, sizeof chk, "chk-stale-%s", suffix);
	err_clear(&e);
	ck_assert_int_eq(campaign_usage_reserve(a, chk, NULL, &d, 1, &e), E_OK);
	sql1("UPDATE campaigns.usage SET created_at = now() - interval '2 hours' WHERE checkout_id = $1", chk);
	snprintf(chk, sizeof chk, "chk-fresh-%s", suffix);
	ck_assert_int_eq(campaign_usage_reserve(a, chk, NULL, &d, 1, &e), E_OK);

	ck_assert_int_eq(campaign_janitor(a, &changed, &e), E_OK);
	ck_assert_int_ge(changed, 3);
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.campaigns WHERE id = $1::uuid", due.id), "active");
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.campaigns WHERE id = $1::uuid", over.id), "expired");
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.campaigns WHERE id = $1::uuid", off.id), "inactive");
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.campaigns WHERE id = $1::uuid", later.id), "scheduled");
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.usage WHERE checkout_id = 'chk-stale-' || $1", suffix), "released");
	ck_assert_str_eq(sql1("SELECT status FROM campaigns.usage WHERE checkout_id = $1", chk), "reserved");
	ck_assert_str_eq(sql1("SELECT count(*) FROM campaigns.outbox WHERE aggregate_id = $1::uuid "
	    "AND event_type = 'ecommerce.campaign.updated'", over.id), "1");
	/* a second run finds nothing of these to do */
	ck_assert_int_eq(campaign_janitor(a, &changed, &e), E_OK);
	ck_assert_str_eq(sql1("SELECT count(*) FROM campaigns.outbox WHERE aggregate_id = $1::uuid "
	    "AND event_type = 'ecommerce.campaign.updated'", over.id), "1");
}
END_TEST

/* ------------------------------------------------------------ over HTTP */

static http_result *
call(const char *method, const char *path, const char *body, const char *token)
{
	char auth[4096], xff[64];
	const char *hdrs[4] = { "Content-Type: application/json", xff, NULL, NULL };

	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", client_ip);
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		hdrs[2] = auth;
	}
	return http_do(test_base_url(), method, path, body, hdrs);
}

static void
expect(const http_result *r, long status)
{
	ck_assert_msg(r->status == status, "status %ld, want %ld: %s", r->status, status,
	    r->body ? r->body : "");
}

START_TEST(create_validation_messages)
{
	char        *admin = mint_token("admin", ADMIN_SUB);
	http_result *r;

	r = call("POST", "/api/v1/campaigns", "{}", admin);
	expect(r, 400);
	ck_assert_str_eq(jstr(r->json, "error.code"), "VALIDATION_ERROR");
	ck_assert_str_eq(jstr(r->json, "error.fields.name"), "is required");
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.type"));
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.discount_value"));
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.start_date"));
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.end_date"));
	http_result_free(r);

	r = call("POST", "/api/v1/campaigns", "{\"name\":\"x\",\"type\":\"percentage\",\"discount_value\":20000,"
	    "\"start_date\":\"2030-01-01T00:00:00Z\",\"end_date\":\"2029-01-01T00:00:00Z\"}", admin);
	expect(r, 400);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "error.fields.discount_value"), "basis points"));
	ck_assert_str_eq(jstr(r->json, "error.fields.end_date"), "must be after start_date");
	http_result_free(r);

	r = call("POST", "/api/v1/campaigns", "{\"name\":\"x\",\"type\":\"buy_x_get_y\",\"discount_value\":1,"
	    "\"start_date\":\"2030-01-01T00:00:00Z\",\"end_date\":\"2031-01-01T00:00:00Z\","
	    "\"code\":\"bad code\",\"applicable_categories\":[\"nope\"]}", admin);
	expect(r, 400);
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.code"));
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.applicable_categories"));
	http_result_free(r);

	r = call("POST", "/api/v1/campaigns", "{\"name\":\"x\",\"type\":\"buy_x_get_y\",\"discount_value\":1,"
	    "\"start_date\":\"2030-01-01T00:00:00Z\",\"end_date\":\"2031-01-01T00:00:00Z\"}", admin);
	expect(r, 400);
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.buy_quantity"));
	http_result_free(r);
	free(admin);
}
END_TEST

START_TEST(codes_unique_without_case_and_generated)
{
	char        *admin = mint_token("admin", ADMIN_SUB), body[512];
	http_result *r;
	const char  *g1, *g2;

	snprintf(body, sizeof body, "{\"name\":\"Dup\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"Dup%s\",%s}", suffix, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	http_result_free(r);
	snprintf(body, sizeof body, "{\"name\":\"Dup 2\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"dUP%s\",%s}", suffix, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 409);
	ck_assert_str_eq(jstr(r->json, "error.code"), "ALREADY_EXISTS");
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.code"));
	http_result_free(r);

	snprintf(body, sizeof body, "{\"name\":\"Gen\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",%s}", window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	g1 = arena_strdup(a, jstr(r->json, "data.code"));
	http_result_free(r);
	snprintf(body, sizeof body, "{\"name\":\"Gen\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"\",%s}", window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	g2 = arena_strdup(a, jstr(r->json, "data.code"));
	http_result_free(r);
	ck_assert_int_eq(strlen(g1), 8);
	ck_assert(campaign_code_valid(g1) && campaign_code_valid(g2));
	ck_assert_str_ne(g1, g2);
	/* an automatic campaign has no code at all */
	snprintf(body, sizeof body, "{\"name\":\"Auto\",\"type\":\"percentage\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"is_automatic\":true,\"start_date\":\"2098-01-01T00:00:00Z\","
	    "\"end_date\":\"2099-01-01T00:00:00Z\"}");
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	ck_assert_ptr_null(jpath(r->json, "data.code"));
	ck_assert_str_eq(jstr(r->json, "data.status"), "scheduled");
	http_result_free(r);
	free(admin);
}
END_TEST

START_TEST(listing_is_admin_only)
{
	char        *admin = mint_token("admin", ADMIN_SUB), *cust = mint_token("customer", CUST_SUB);
	http_result *r;

	r = call("GET", "/api/v1/campaigns", NULL, NULL);
	expect(r, 401);
	http_result_free(r);
	r = call("GET", "/api/v1/campaigns", NULL, cust);
	expect(r, 403);
	http_result_free(r);
	r = call("GET", "/api/v1/campaigns?per_page=100", NULL, admin);
	expect(r, 200);
	ck_assert_int_ge(jint(r->json, "total_count"), 1);
	{
		/* the admin view carries the codes */
		json_object *items = jpath(r->json, "data");
		bool         coded = false;

		for (size_t i = 0; i < json_object_array_length(items) && !coded; i++)
			coded = json_object_object_get_ex(json_object_array_get_idx(items, i), "code", NULL) &&
			    json_object_get_string(json_object_object_get(json_object_array_get_idx(items, i), "code"));
		ck_assert(coded);
	}
	http_result_free(r);
	r = call("GET", "/api/v1/campaigns?status=bogus", NULL, admin);
	expect(r, 400);
	http_result_free(r);
	free(admin);
	free(cust);
}
END_TEST

START_TEST(validate_endpoints)
{
	char        *admin = mint_token("admin", ADMIN_SUB), body[768];
	http_result *r;
	const char  *id;

	snprintf(body, sizeof body, "{\"name\":\"Ten\",\"type\":\"percentage\",\"discount_value\":1000,"
	    "\"currency\":\"CHF\",\"code\":\"TEN%s\",\"max_discount_amount\":500,\"is_stackable\":true,%s}",
	    suffix, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	id = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);
	snprintf(body, sizeof body, "{\"name\":\"Ship\",\"type\":\"free_shipping\",\"currency\":\"CHF\","
	    "\"code\":\"SHIP%s\",\"min_order_amount\":1000,\"is_stackable\":true,%s}", suffix, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	http_result_free(r);

	/* lower case, a guest, 10 % of 3000 */
	snprintf(body, sizeof body, "{\"code\":\"ten%s\",\"order_amount\":3000,\"currency\":\"CHF\"}", suffix);
	r = call("POST", "/api/v1/coupons/validate", body, NULL);
	expect(r, 200);
	ck_assert(json_object_get_boolean(jpath(r->json, "data.valid")));
	ck_assert_int_eq(jint(r->json, "data.discount_amount"), 300);
	ck_assert_str_eq(jstr(r->json, "data.campaign_id"), id);
	http_result_free(r);
	/* the cap */
	snprintf(body, sizeof body, "{\"code\":\"TEN%s\",\"order_amount\":90000,\"currency\":\"CHF\"}", suffix);
	r = call("POST", "/api/v1/coupons/validate", body, NULL);
	expect(r, 200);
	ck_assert_int_eq(jint(r->json, "data.discount_amount"), 500);
	http_result_free(r);
	/* unknown code: not valid, says why, names no campaign */
	r = call("POST", "/api/v1/coupons/validate", "{\"code\":\"NO-SUCH-CODE-X\",\"order_amount\":3000}", NULL);
	expect(r, 200);
	ck_assert(!json_object_get_boolean(jpath(r->json, "data.valid")));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.message"), "does not exist"));
	ck_assert_ptr_null(jpath(r->json, "data.campaign_id"));
	http_result_free(r);
	/* wrong currency */
	snprintf(body, sizeof body, "{\"code\":\"TEN%s\",\"order_amount\":3000,\"currency\":\"EUR\"}", suffix);
	r = call("POST", "/api/v1/coupons/validate", body, NULL);
	expect(r, 200);
	ck_assert(!json_object_get_boolean(jpath(r->json, "data.valid")));
	http_result_free(r);
	/* both together, with shipping; one unknown */
	snprintf(body, sizeof body, "{\"codes\":[\"TEN%s\",\"ship%s\",\"NOPE%s\"],\"order_amount\":3000,"
	    "\"shipping\":490,\"currency\":\"CHF\"}", suffix, suffix, suffix);
	r = call("POST", "/api/v1/coupons/validate-multiple", body, NULL);
	expect(r, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.valid_coupons")), 2);
	ck_assert_int_eq(jint(r->json, "data.discount_total"), 300);
	ck_assert_int_eq(jint(r->json, "data.shipping"), 0);
	ck_assert_int_eq(jint(r->json, "data.total"), 2700);
	ck_assert_int_eq(jint(r->json, "data.total_discount"), 790);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.invalid_codes")), 1);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.warnings.0"), "does not exist"));
	http_result_free(r);
	/* input errors */
	r = call("POST", "/api/v1/coupons/validate", "{\"order_amount\":3000}", NULL);
	expect(r, 400);
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.code"));
	http_result_free(r);
	r = call("POST", "/api/v1/coupons/validate-multiple", "{\"codes\":[],\"order_amount\":1}", NULL);
	expect(r, 400);
	http_result_free(r);
	free(admin);
}
END_TEST

/* "product|variant,product|variant,..." from SQL, each priced by the
 * catalog itself; returns how many were found (at most max). */
static int
catalog_items(const char *query, const char *arg, catalog_line *out, int max)
{
	const char *list = sql1(query, arg);
	char       *copy, *tok, *save = NULL;
	int         n = 0;

	if (!list || !*list)
		return 0;
	copy = arena_strdup(a, list);
	for (tok = strtok_r(copy, ",", &save); tok && n < max; tok = strtok_r(NULL, ",", &save)) {
		char *bar = strchr(tok, '|');
		error e;

		ck_assert_ptr_nonnull(bar);
		*bar = '\0';
		err_clear(&e);
		ck_assert_msg(catalog_line_lookup(a, tok, bar + 1, &out[n], &e) == E_OK, "lookup: %s", e.message);
		n++;
	}
	return n;
}

START_TEST(buy_x_get_y_on_catalog_items_with_a_category_limit)
{
	char        *admin = mint_token("admin", ADMIN_SUB), body[2048];
	const char  *cat = sql1("SELECT id FROM catalog.categories WHERE slug = 'scarves'", NULL);
	catalog_line s[3], other[1];
	int64_t      cheapest;
	http_result *r;

	if (!cat || catalog_items("SELECT string_agg(pair, ',') FROM (SELECT DISTINCT ON (p.id) "
	    "p.id || '|' || v.id AS pair FROM catalog.products p JOIN catalog.variants v ON v.product_id = p.id "
	    "WHERE p.category_id = $1::uuid AND p.status = 'published' AND v.is_active "
	    "ORDER BY p.id, v.id LIMIT 3) x", cat, s, 3) != 3) {
		free(admin);	/* no demo shop loaded: nothing to price */
		return;
	}
	/* the cheapest item of any other category: it must not be the free one */
	ck_assert_int_eq(catalog_items("SELECT p.id || '|' || v.id FROM catalog.products p "
	    "JOIN catalog.variants v ON v.product_id = p.id WHERE p.category_id <> $1::uuid "
	    "AND p.status = 'published' AND v.is_active ORDER BY coalesce(v.price, p.base_price), v.id LIMIT 1",
	    cat, other, 1), 1);
	cheapest = s[0].unit_price;
	for (int i = 1; i < 3; i++)
		if (s[i].unit_price < cheapest)
			cheapest = s[i].unit_price;
	/* highest priority and stackable, so it applies first, on full prices,
	 * whatever automatic campaigns the shop runs */
	snprintf(body, sizeof body, "{\"name\":\"3 for 2\",\"type\":\"buy_x_get_y\",\"discount_value\":1,"
	    "\"buy_quantity\":2,\"code\":\"BXGY%s\",\"is_stackable\":true,\"priority\":1000,"
	    "\"applicable_categories\":[\"%s\"],%s}", suffix, cat, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	http_result_free(r);
	snprintf(body, sizeof body, "{\"code\":\"bxgy%s\",\"items\":["
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1}]}", suffix,
	    s[0].product_id, s[0].variant_id, s[1].product_id, s[1].variant_id,
	    s[2].product_id, s[2].variant_id, other[0].product_id, other[0].variant_id);
	r = call("POST", "/api/v1/coupons/validate", body, NULL);
	expect(r, 200);
	ck_assert_msg(json_object_get_boolean(jpath(r->json, "data.valid")), "%s", r->body);
	ck_assert_int_eq(jint(r->json, "data.discount_amount"), cheapest);
	http_result_free(r);
	/* two scarves and the other item: not enough qualifying items */
	snprintf(body, sizeof body, "{\"code\":\"BXGY%s\",\"items\":["
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1}]}", suffix,
	    s[0].product_id, s[0].variant_id, s[1].product_id, s[1].variant_id,
	    other[0].product_id, other[0].variant_id);
	r = call("POST", "/api/v1/coupons/validate", body, NULL);
	expect(r, 200);
	ck_assert(!json_object_get_boolean(jpath(r->json, "data.valid")));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.message"), "needs at least 3 qualifying items"));
	http_result_free(r);
	/* an unknown item is a field error, not a price */
	r = call("POST", "/api/v1/coupons/validate", "{\"code\":\"X1X\",\"items\":[{\"product_id\":"
	    "\"00000000-0000-4000-8000-000000000000\",\"variant_id\":\"00000000-0000-4000-8000-000000000000\","
	    "\"quantity\":1}]}", NULL);
	expect(r, 400);
	/* the key has a dot of its own, so no jpath */
	ck_assert(json_object_object_get_ex(jpath(r->json, "error.fields"), "items.0", NULL));
	http_result_free(r);
	free(admin);
}
END_TEST

START_TEST(update_deactivate_and_stacking_rules)
{
	char        *admin = mint_token("admin", ADMIN_SUB), body[512], path[256];
	http_result *r;
	const char  *x, *y, *rule;

	snprintf(body, sizeof body, "{\"name\":\"X\",\"type\":\"fixed_amount\",\"discount_value\":100,"
	    "\"currency\":\"CHF\",\"code\":\"X%s\",\"is_stackable\":true,%s}", suffix, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	x = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);
	snprintf(body, sizeof body, "{\"name\":\"Y\",\"type\":\"fixed_amount\",\"discount_value\":200,"
	    "\"currency\":\"CHF\",\"code\":\"Y%s\",\"is_stackable\":true,%s}", suffix, window_now());
	r = call("POST", "/api/v1/campaigns", body, admin);
	expect(r, 201);
	y = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);

	/* together first; then a forbidden rule keeps the bigger one only */
	snprintf(body, sizeof body, "{\"codes\":[\"X%s\",\"Y%s\"],\"order_amount\":3000,\"currency\":\"CHF\"}",
	    suffix, suffix);
	r = call("POST", "/api/v1/coupons/validate-multiple", body, NULL);
	ck_assert_int_eq(jint(r->json, "data.total_discount"), 300);
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/campaigns/%s/stacking-rules", x);
	snprintf(body, sizeof body, "{\"campaign_id\":\"%s\",\"rule\":\"forbidden\"}", y);
	r = call("POST", path, body, admin);
	expect(r, 201);
	rule = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);
	r = call("POST", path, body, admin);
	expect(r, 409);
	http_result_free(r);
	r = call("GET", path, NULL, admin);
	expect(r, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data")), 1);
	http_result_free(r);
	snprintf(body, sizeof body, "{\"codes\":[\"X%s\",\"Y%s\"],\"order_amount\":3000,\"currency\":\"CHF\"}",
	    suffix, suffix);
	r = call("POST", "/api/v1/coupons/validate-multiple", body, NULL);
	ck_assert_int_eq(jint(r->json, "data.total_discount"), 200);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.warnings.0"), "forbids the pair"));
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/campaigns/stacking-rules/%s", rule);
	r = call("DELETE", path, NULL, admin);
	expect(r, 200);
	http_result_free(r);
	r = call("DELETE", path, NULL, admin);
	expect(r, 404);
	http_result_free(r);

	/* partial update, then deactivation survives a later edit */
	snprintf(path, sizeof path, "/api/v1/campaigns/%s", y);
	r = call("PUT", path, "{\"discount_value\":250,\"max_usage_count\":3}", admin);
	expect(r, 200);
	ck_assert_int_eq(jint(r->json, "data.discount_value"), 250);
	ck_assert_int_eq(jint(r->json, "data.max_usage_count"), 3);
	http_result_free(r);
	r = call("PUT", path, "{\"type\":\"percentage\",\"discount_value\":0}", admin);
	expect(r, 400);
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/campaigns/%s/deactivate", y);
	r = call("POST", path, "{}", admin);
	expect(r, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "inactive");
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/campaigns/%s", y);
	r = call("PUT", path, "{\"name\":\"Y renamed\"}", admin);
	expect(r, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "inactive");
	http_result_free(r);
	snprintf(body, sizeof body, "{\"code\":\"y%s\",\"order_amount\":3000,\"currency\":\"CHF\"}", suffix);
	r = call("POST", "/api/v1/coupons/validate", body, NULL);
	ck_assert(!json_object_get_boolean(jpath(r->json, "data.valid")));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.message"), "is not active"));
	http_result_free(r);
	r = call("GET", "/api/v1/campaigns/00000000-0000-4000-8000-000000000000", NULL, admin);
	expect(r, 404);
	http_result_free(r);
	free(admin);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (test_base_url() == NULL || config_init() != 0 || config_raw("ECOM_DB_URL") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL and ECOM_CONFIG with a database (./check sets them)");
		return 77;
	}
	log_init("check_campaigns", "error");
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	s = suite_create("campaigns");
	tc = tcase_create("campaigns");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fifty_parallel_checkouts_get_exactly_five_uses);
	tcase_add_test(tc, per_user_limit_holds_in_parallel);
	tcase_add_test(tc, reserve_confirm_release_are_idempotent);
	tcase_add_test(tc, janitor_flips_statuses_and_releases_stale_reservations);
	tcase_add_test(tc, create_validation_messages);
	tcase_add_test(tc, codes_unique_without_case_and_generated);
	tcase_add_test(tc, listing_is_admin_only);
	tcase_add_test(tc, validate_endpoints);
	tcase_add_test(tc, update_deactivate_and_stacking_rules);
	tcase_add_test(tc, buy_x_get_y_on_catalog_items_with_a_category_limit);
	suite_add_tcase(s, tc);
	return check_run(s);
}
