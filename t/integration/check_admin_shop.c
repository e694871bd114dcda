/*
 * check_admin_shop.c — the admin panel's inventory and campaign pages
 * through lighttpd with the real PostgreSQL and Redis: a stock adjustment
 * shows up in the movement history, a warehouse is created and edited, a
 * campaign is refused with its field errors and then created, paused and
 * given a stacking rule that is deleted again; a customer is refused and
 * a form without its CSRF token changes nothing.
 *
 * Each test signs in its own admin (ecomctl user create with a fresh TOTP
 * secret) so codes never collide, and names what it creates uniquely so
 * reruns against the same stack pass.  A small cookie jar plays the
 * browser; the forms are posted as a browser without JavaScript would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "auth/totp.h"

#include "browser.h"
#include "http_client.h"

/* The value of the first href="<prefix>..." of a body (static buffer). */
static const char *
first_link(const char *body, const char *prefix)
{
	static char out[256];
	char needle[128];
	const char *p;
	size_t n;

	snprintf(needle, sizeof needle, "href=\"%s", prefix);
	ck_assert_msg((p = strstr(body, needle)) != NULL, "no link %s in %.400s", prefix, body);
	p += 6;
	n = strcspn(p, "\"?");
	ck_assert_uint_lt(n, sizeof out);
	memcpy(out, p, n);
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------ inventory */

START_TEST(stock_adjust_is_listed_in_movements)
{
	jar j = { .n = 0 };
	char item[256], body[1024], loc[512], wh[40];
	const char *note = run_tag(), *p;
	http_result *r;

	sign_in_admin(&j, "shop");
	r = browse(&j, "GET", "/admin/inventory", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "<tbody>"));
	snprintf(item, sizeof item, "%s", first_link(strstr(r->body, "<tbody>"), "/admin/inventory/"));
	http_result_free(r);

	r = browse(&j, "GET", item, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg((p = strstr(r->body, "<option value=\"")) != NULL && strlen(p) > 60, "no warehouse");
	p = strstr(p + 1, "<option value=\"");	/* the first is "Choose…" */
	ck_assert_ptr_nonnull(p);
	memcpy(wh, p + 15, 36);
	wh[36] = '\0';
	/* delta 0 is refused next to its field, the note kept */
	snprintf(body, sizeof body, "csrf_token=%s&warehouse_id=%s&delta=0&reason=adjustment&note=%s",
	    csrf_of(r), wh, note);
	http_result_free(r);
	r = browse(&j, "POST", item, body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"delta-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, note));
	http_result_free(r);

	r = browse(&j, "GET", item, NULL);
	snprintf(body, sizeof body, "csrf_token=%s&warehouse_id=%s&delta=7&reason=return&note=%s",
	    csrf_of(r), wh, note);
	http_result_free(r);
	r = browse(&j, "POST", item, body);
	see_other(r, loc, sizeof loc);
	ck_assert_ptr_nonnull(strstr(loc, "?adjusted=1"));
	http_result_free(r);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Stock adjusted."));
	p = strstr(r->body, "<h2>Movements</h2>");
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(strstr(p, note) != NULL && strstr(p, "+7 →") != NULL, "movement missing: %.800s", p);
	http_result_free(r);
}
END_TEST

START_TEST(warehouse_create_and_edit)
{
	jar j = { .n = 0 };
	char body[1024], loc[512], q[512], path[128], *id, *row;
	const char *code = run_tag();
	http_result *r;

	sign_in_admin(&j, "shop");
	r = browse(&j, "GET", "/admin/warehouses", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&code=bad+code&name=Keep+me+%s&priority=x&active=1",
	    csrf_of(r), code);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/warehouses", body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"code-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"priority-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, code));	/* the name is kept */
	snprintf(body, sizeof body, "csrf_token=%s&code=%s&name=Depot+%s&address=Dock+1&priority=40&active=1",
	    csrf_of(r), code, code);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/warehouses", body);
	see_other(r, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin/warehouses?saved=1");
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT id FROM inventory.warehouses WHERE code = '%s'", code);
	id = psql_value(q);
	ck_assert_msg(id != NULL && strlen(id) == 36, "warehouse %s not stored", code);

	/* edit: rename, reprioritise, deactivate (the box left unticked) */
	r = browse(&j, "GET", "/admin/warehouses", NULL);
	ck_assert_ptr_nonnull(strstr(r->body, code));
	snprintf(path, sizeof path, "/admin/warehouses/%s", id);
	snprintf(body, sizeof body, "csrf_token=%s&name=Renamed+%s&priority=7", csrf_of(r), code);
	http_result_free(r);
	r = browse(&j, "POST", path, body);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT name || '|' || priority || '|' || is_active FROM "
	    "inventory.warehouses WHERE id = '%s'", id);
	row = psql_value(q);
	snprintf(body, sizeof body, "Renamed %s|7|false", code);
	ck_assert_str_eq(row, body);
	free(row);
	/* a bad edit comes back by that warehouse's field */
	r = browse(&j, "GET", "/admin/warehouses", NULL);
	snprintf(body, sizeof body, "csrf_token=%s&name=&priority=7", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", path, body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	snprintf(q, sizeof q, "id=\"name-%s-error\"", id);
	ck_assert_ptr_nonnull(strstr(r->body, q));
	/* and only by that one: the other rows keep their own (no) errors */
	{
		int n = 0;

		for (const char *p = r->body; (p = strstr(p, "class=\"field-error\"")) != NULL; p++)
			n++;
		ck_assert_int_eq(n, 1);
	}
	http_result_free(r);
	free(id);
}
END_TEST

/* ------------------------------------------------------------ campaigns */

/* Create a campaign through the form; its id (static buffer). */
static const char *
create_campaign(jar *j, const char *name, const char *code)
{
	static char id[40];
	char body[1024], loc[512];
	http_result *r = browse(j, "GET", "/admin/campaigns/new", NULL);

	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&name=%s&type=percentage&discount_value=12.5"
	    "&currency=EUR&min_order_amount=20.00&max_discount_amount=15&code=%s"
	    "&max_usage_count=100&max_usage_per_user=1&is_stackable=1&priority=5"
	    "&exclusion_group=spring&start_date=2026-01-01T00%%3A00&end_date=2030-01-01T00%%3A00",
	    csrf_of(r), name, code);
	http_result_free(r);
	r = browse(j, "POST", "/admin/campaigns/new", body);
	see_other(r, loc, sizeof loc);
	ck_assert_msg(strncmp(loc, "/admin/campaigns/", 17) == 0 && strlen(loc) > 17 + 36,
	    "Location %s", loc);
	memcpy(id, loc + 17, 36);
	id[36] = '\0';
	http_result_free(r);
	return id;
}

START_TEST(campaign_create_with_errors_then_valid)
{
	jar j = { .n = 0 };
	char body[1024], q[512], path[128], *row;
	const char *t = run_tag(), *id;
	http_result *r;

	sign_in_admin(&j, "shop");
	r = browse(&j, "GET", "/admin/campaigns/new", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&name=&type=percentage&discount_value=150"
	    "&currency=EUR&max_usage_count=many&code=%s&start_date=2026-01-01T00%%3A00"
	    "&end_date=2027-01-01T00%%3A00&applicable_products=not-an-id", csrf_of(r), t);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/campaigns/new", body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"name-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"discount_value-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, "enter a percentage"));
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"max_usage_count-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"applicable_products-error\""));
	ck_assert_ptr_nonnull(strstr(r->body, "value=\"many\""));	/* kept */
	ck_assert_ptr_nonnull(strstr(r->body, t));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM campaigns.campaigns WHERE code = '%s'", t);
	row = psql_value(q);
	ck_assert_str_eq(row, "0");
	free(row);

	id = create_campaign(&j, "Spring+sale", t);
	snprintf(q, sizeof q, "SELECT discount_value || '|' || min_order_amount || '|' || "
	    "max_discount_amount || '|' || max_usage_per_user || '|' || exclusion_group "
	    "FROM campaigns.campaigns WHERE id = '%s'", id);
	row = psql_value(q);
	ck_assert_str_eq(row, "1250|2000|1500|1|spring");	/* percent -> bp, EUR -> cents */
	free(row);
	snprintf(path, sizeof path, "/admin/campaigns/%s?done=created", id);
	r = browse(&j, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Campaign created."));
	ck_assert_ptr_nonnull(strstr(r->body, "value=\"12.50\""));
	ck_assert_ptr_nonnull(strstr(r->body, "value=\"2026-01-01T00:00\""));
	http_result_free(r);

	/* an empty code asks for a generated one */
	id = create_campaign(&j, "Generated", "");
	snprintf(q, sizeof q, "SELECT length(code) FROM campaigns.campaigns WHERE id = '%s'", id);
	row = psql_value(q);
	ck_assert_str_eq(row, "8");
	free(row);
}
END_TEST

START_TEST(campaign_pause_and_stacking_rules)
{
	jar j = { .n = 0 };
	char a[40], b[40], body[512], path[256], loc[512], q[512], *row, *rule;
	http_result *r;

	sign_in_admin(&j, "shop");
	snprintf(a, sizeof a, "%s", create_campaign(&j, "Pair+A", run_tag()));
	snprintf(b, sizeof b, "%s", create_campaign(&j, "Pair+B", run_tag()));
	snprintf(path, sizeof path, "/admin/campaigns/%s", a);

	/* add a rule: the other campaign is offered in the list */
	r = browse(&j, "GET", path, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, b));
	snprintf(body, sizeof body, "csrf_token=%s&campaign_id=%s&rule=forbidden", csrf_of(r), b);
	http_result_free(r);
	snprintf(loc, sizeof loc, "%s/stacking-rules", path);
	r = browse(&j, "POST", loc, body);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	r = browse(&j, "GET", loc, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "Stacking rule added."));
	ck_assert_ptr_nonnull(strstr(r->body, "Pair B"));
	ck_assert_ptr_nonnull(strstr(r->body, "/admin/campaigns/stacking-rules/"));
	/* the same pair again is refused by the field */
	snprintf(body, sizeof body, "csrf_token=%s&campaign_id=%s&rule=allowed", csrf_of(r), b);
	http_result_free(r);
	snprintf(loc, sizeof loc, "%s/stacking-rules", path);
	r = browse(&j, "POST", loc, body);
	ck_assert_msg(r->status == 409, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"rule_campaign_id-error\""));
	http_result_free(r);

	/* delete it */
	snprintf(q, sizeof q, "SELECT id FROM campaigns.stacking_rules WHERE campaign_a = '%s'", a);
	rule = psql_value(q);
	ck_assert_msg(rule != NULL && strlen(rule) == 36, "rule not stored");
	r = browse(&j, "GET", path, NULL);
	snprintf(body, sizeof body, "csrf_token=%s&campaign_id=%s", csrf_of(r), a);
	http_result_free(r);
	snprintf(loc, sizeof loc, "/admin/campaigns/stacking-rules/%s/delete", rule);
	r = browse(&j, "POST", loc, body);
	see_other(r, loc, sizeof loc);
	ck_assert_ptr_nonnull(strstr(loc, "?done=unrule"));
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM campaigns.stacking_rules WHERE id = '%s'", rule);
	row = psql_value(q);
	ck_assert_str_eq(row, "0");
	free(row);
	free(rule);

	/* pause */
	r = browse(&j, "GET", path, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "Pause campaign"));
	snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
	http_result_free(r);
	snprintf(loc, sizeof loc, "%s/pause", path);
	r = browse(&j, "POST", loc, body);
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT status FROM campaigns.campaigns WHERE id = '%s'", a);
	row = psql_value(q);
	ck_assert_str_eq(row, "inactive");
	free(row);
	r = browse(&j, "GET", "/admin/campaigns?status=inactive", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, a));
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ refusals */

START_TEST(customer_is_refused)
{
	char email[128], auth[4096], *id, *tok;
	const char *hdrs[3];
	http_result *r;

	snprintf(email, sizeof email, "cust-%s@admin-test.example", run_tag());
	id = create_user(email, "customer", NULL);
	tok = mint_token("customer", id);
	ck_assert_ptr_nonnull(tok);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	hdrs[0] = auth;
	hdrs[1] = "X-Forwarded-For: 10.77.4.9";
	hdrs[2] = NULL;
	r = http_do(test_base_url(), "GET", "/admin/inventory", NULL, hdrs);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	r = http_do(test_base_url(), "GET", "/admin/campaigns/new", NULL, hdrs);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	free(tok);
	free(id);
}
END_TEST

/* The dashboard's figures agree with the database: today's orders, the
 * count per status, 30 bars per chart with their accessible names, and a
 * low-stock row for a variant the test makes low. */
START_TEST(dashboard_figures_match_the_database)
{
	jar j = { .n = 0 };
	char *today, *today_orders, *pending, *row, *oid, want[256], sql[1024];
	const char *p;
	http_result *r;
	int bars = 0;

	sign_in_admin(&j, "shop");
	/* a low row: the first stock row, threshold raised above its stock
	 * (put back at the end) */
	row = psql_value("SELECT variant_id || '|' || warehouse_id || '|' || low_stock_threshold"
	    " FROM inventory.stock ORDER BY variant_id, warehouse_id LIMIT 1");
	ck_assert_msg(row != NULL && strlen(row) > 74, "no stock row to make low");
	snprintf(sql, sizeof sql, "UPDATE inventory.stock SET low_stock_threshold ="
	    " on_hand - reserved + 1 WHERE variant_id = '%.36s' AND warehouse_id = '%.36s'",
	    row, row + 37);
	free(psql_value(sql));
	/* a paid order of today with a best-seller line (year 2000 numbers are
	 * never issued, so the shop's own numbering is not disturbed) */
	oid = psql_value("INSERT INTO orders.orders (id, number, checkout_id, email, status,"
	    " currency, subtotal, total, ship_full_name, ship_line1, ship_city, ship_postal_code,"
	    " ship_country) SELECT gen_random_uuid(), 'EC-2000-' || lpad((random() * 999999999)::bigint::text, 9, '0'),"
	    " 'dash-' || gen_random_uuid(), 'dash@admin-test.example', 'confirmed', 'EUR', 987654321,"
	    " 987654321, 'Dash Board', '1 Chart St', 'Graph', '12345', 'FR' RETURNING id");
	ck_assert_msg(oid != NULL && strlen(oid) == 36, "order insert failed");
	snprintf(sql, sizeof sql, "INSERT INTO orders.items (order_id, line, product_id, name,"
	    " unit_price, quantity) VALUES ('%s', 1, gen_random_uuid(), 'Dashboard Bestseller %s',"
	    " 987654321, 1000)", oid, run_tag());
	free(psql_value(sql));
	today = psql_value("SELECT to_char(now() AT TIME ZONE 'UTC', 'Mon FMDD')");
	today_orders = psql_value("SELECT count(*) FROM orders.orders WHERE created_at >="
	    " date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'");
	pending = psql_value("SELECT count(*) FROM orders.orders WHERE status = 'pending'");
	r = browse(&j, "GET", "/admin", NULL);
	ck_assert_msg(r->status == 200, "GET /admin: %ld", r->status);
	ck_assert_ptr_nonnull(strstr(r->body, "<title id=\"chart-Revenue-t\">Revenue per day</title>"));
	ck_assert_ptr_nonnull(strstr(r->body, "<title id=\"chart-Orders-t\">Orders per day</title>"));
	for (p = r->body; (p = strstr(p, "<rect class=\"bar\"")) != NULL; p++)
		bars++;
	ck_assert_int_eq(bars, 60);
	/* the table lists today first */
	snprintf(want, sizeof want, "<tr><th scope=\"row\">%s</th><td>%s</td>", today, today_orders);
	ck_assert_msg(strstr(r->body, want) != NULL, "no %s in the day table", want);
	snprintf(want, sizeof want, "status-pending\">pending</span></a></th><td>%s</td>", pending);
	ck_assert_msg(strstr(r->body, want) != NULL, "no %s in the status table", want);
	ck_assert_ptr_null(strstr(r->body, "Nothing is low on stock."));
	ck_assert_ptr_nonnull(strstr(r->body, "Dashboard Bestseller"));	/* 1000 sold: first */
	ck_assert_ptr_nonnull(strstr(r->body, "€9,876,543.21"));		/* today's revenue */
	http_result_free(r);
	snprintf(sql, sizeof sql, "DELETE FROM orders.orders WHERE id = '%s'", oid);
	free(psql_value(sql));
	free(oid);
	snprintf(sql, sizeof sql, "UPDATE inventory.stock SET low_stock_threshold = %s"
	    " WHERE variant_id = '%.36s' AND warehouse_id = '%.36s'", row + 74, row, row + 37);
	free(psql_value(sql));
	free(row);
	free(today);
	free(today_orders);
	free(pending);
}
END_TEST

START_TEST(forms_need_the_csrf_token)
{
	jar j = { .n = 0 };
	char body[256], q[256], *row;
	const char *code = run_tag();
	http_result *r;

	sign_in_admin(&j, "shop");
	snprintf(body, sizeof body, "code=%s&name=No+token&priority=1&active=1", code);
	r = browse(&j, "POST", "/admin/warehouses", body);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&code=%s"
	    "&name=Forged&priority=1", code);
	r = browse(&j, "POST", "/admin/warehouses", body);
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/campaigns/new", "name=x&type=free_shipping");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT count(*) FROM inventory.warehouses WHERE code = '%s'", code);
	row = psql_value(q);
	ck_assert_str_eq(row, "0");
	free(row);
}
END_TEST

static Suite *
admin_shop_suite(void)
{
	Suite *s = suite_create("admin_shop");
	TCase *tc = tcase_create("pages");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stock_adjust_is_listed_in_movements);
	tcase_add_test(tc, warehouse_create_and_edit);
	tcase_add_test(tc, campaign_create_with_errors_then_valid);
	tcase_add_test(tc, campaign_pause_and_stacking_rules);
	tcase_add_test(tc, customer_is_refused);
	tcase_add_test(tc, forms_need_the_csrf_token);
	tcase_add_test(tc, dashboard_figures_match_the_database);
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
	browser_client("10.77.4.9");
	return check_run(admin_shop_suite());
}
