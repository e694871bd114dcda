/*
 * check_audit.c — the audit log end to end: admin changes made through
 * the JSON API of the running shop (a campaign created and updated, stock
 * adjusted twice, a user's role changed, a seller's product made and
 * deleted) become entries with the right actor, before and after once the
 * relay has run; a customer's own profile edit is no entry but is the
 * "before" of the admin's next change; an event delivered again is
 * recorded once; /admin/audit lists and filters the entries, shows only
 * the changed fields with the values escaped and long ones cut, and
 * refuses customers and sellers.
 *
 * The relay runs in this process with the shop's own consumer list
 * (workers/consumers.c), against the shop's database, exactly as
 * workers/relay would: the other consumers get every event they would
 * have got.  A relay of the stack may take an event first; the test then
 * waits for the audit consumer's claim of it, whoever delivered it.
 * Accounts are made with ecomctl and act with minted tokens; names carry
 * a per-run tag so reruns against the same stack pass.  Without
 * ECOM_TEST_BASE_URL or ECOM_CONFIG the suite is skipped with 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "../../workers/consumers.h"
#include "audit/audit.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/view.h"
#include "http_client.h"
#include "test_db.h"
#include "test_relay.h"

static arena *a;
static char run_tag[32];
static char admin_email[128], *admin_id, *admin_tok;

/* ------------------------------------------------------------ plumbing */

static char *
make_account(const char *email, const char *role_s, bool totp)
{
	char cmd[1024], *id;

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' 'Audit-trail-%d-lantern' | '%s' user create"
	    " --email '%s' --role %s --first-name Audit --last-name Tester%s", (int)getpid(),
	    getenv("ECOM_TEST_ECOMCTL"), email, role_s,
	    totp ? " --totp-secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" : "");
	id = run_capture(cmd);
	ck_assert_msg(id != NULL && strlen(id) == 36, "ecomctl user create failed: %s", cmd);
	return id;
}

/* method path as the holder of tok (NULL: anonymous), JSON body. */
static http_result *
api(const char *method, const char *path, const char *tok, const char *body)
{
	return http_as("198.51.100.91", tok, method, path, body);
}

/* Run the relay until the audit consumer has claimed event_id.  Another
 * relay may hold the event's lease for a moment, hence the rounds. */
static void
relay_until(const char *event_id)
{
	relay_until_claimed(a, "audit.processed_events", event_id);
}

/* A column of the entry recorded for event_id (NULL if no entry). */
static const char *
entry_col(const char *event_id, const char *expr)
{
	return sql(a, arena_printf(a, "SELECT %s FROM audit.entries WHERE id = '%s'", expr, event_id));
}

static void
assert_admin_entry(const char *event_id)
{
	ck_assert_msg(entry_col(event_id, "id") != NULL, "no entry for event %s", event_id);
	ck_assert_str_eq(entry_col(event_id, "actor_id"), admin_id);
	ck_assert_str_eq(entry_col(event_id, "actor_email"), admin_email);
	ck_assert_str_eq(entry_col(event_id, "actor_role"), "admin");
}

static const char *
created_id(http_result *r)
{
	const char *id = jstr(r->json, "data.id");

	ck_assert_msg(id != NULL && strlen(id) == 36, "no data.id in %.300s", r->body);
	return arena_strdup(a, id);
}

/* A campaign named name, created by the test's admin; its id. */
static const char *
new_campaign(const char *name)
{
	http_result *r = api("POST", "/api/v1/campaigns", admin_tok, arena_printf(a,
	    "{\"name\":\"%s\",\"type\":\"percentage\",\"discount_value\":1000,"
	    "\"start_date\":\"2030-01-01T00:00:00Z\",\"end_date\":\"2031-01-01T00:00:00Z\"}", name));
	const char *id;

	expect_status(r, 201);
	id = created_id(r);
	http_result_free(r);
	return id;
}

static void
setup_once(void)
{
	ck_assert_int_eq(config_init(), 0);
	log_init("check_audit", "error");
	snprintf(run_tag, sizeof run_tag, "%ld%d", (long)time(NULL) % 100000000, (int)getpid() % 10000);
	snprintf(admin_email, sizeof admin_email, "audit-%s@admin-test.example", run_tag);
	admin_id = make_account(admin_email, "admin", true);
	admin_tok = mint_token("admin", admin_id);
	ck_assert_ptr_nonnull(admin_tok);
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

/* ------------------------------------------------------------ entries */

START_TEST(campaign_update_has_actor_before_and_after)
{
	const char *name = arena_printf(a, "Audit %s", run_tag), *id, *created, *updated;
	http_result *r;

	id = new_campaign(name);
	created = last_event(a, "campaigns", id, "campaign.created");
	relay_until(created);
	assert_admin_entry(created);
	ck_assert_ptr_null(entry_col(created, "before"));	/* new to the log */
	ck_assert_str_eq(entry_col(created, "after->>'name'"), name);

	r = api("PUT", arena_printf(a, "/api/v1/campaigns/%s", id), admin_tok,
	    "{\"priority\":7,\"max_usage_count\":40}");
	expect_status(r, 200);
	http_result_free(r);
	updated = last_event(a, "campaigns", id, "campaign.updated");
	relay_until(updated);
	assert_admin_entry(updated);
	ck_assert_str_eq(entry_col(updated, "before->>'name'"), name);
	ck_assert_str_eq(entry_col(updated, "after->>'priority'"), "7");
	ck_assert_str_ne(entry_col(updated, "before->>'priority'"), "7");
	ck_assert_ptr_nonnull(strstr(entry_col(updated, "summary"), "priority"));
	ck_assert_ptr_null(strstr(entry_col(updated, "summary"), "discount_value"));
}
END_TEST

START_TEST(stock_adjustment_before_is_the_previous_after)
{
	const char *pid, *vid, *path, *first, *second;
	http_result *r;

	r = api("GET", "/api/v1/products?per_page=1&sort_by=name_asc", NULL, NULL);
	expect_status(r, 200);
	pid = arena_strdup(a, jstr(r->json, "data.0.id"));
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/products/%s/variants", pid), NULL, NULL);
	expect_status(r, 200);
	vid = arena_strdup(a, jstr(r->json, "data.0.id"));
	http_result_free(r);
	path = arena_printf(a, "/api/v1/inventory/%s/variants/%s", pid, vid);

	r = api("PUT", path, admin_tok, "{\"delta\":5,\"reason\":\"adjustment\"}");
	expect_status(r, 200);
	http_result_free(r);
	first = last_event(a, "inventory", vid, "inventory.updated");
	relay_until(first);
	r = api("PUT", path, admin_tok, "{\"delta\":-2,\"reason\":\"adjustment\"}");
	expect_status(r, 200);
	http_result_free(r);
	second = last_event(a, "inventory", vid, "inventory.updated");
	ck_assert_str_ne(first, second);
	relay_until(second);

	assert_admin_entry(second);
	ck_assert_str_eq(entry_col(second, "aggregate_type"), "variant");
	ck_assert_str_eq(entry_col(second, "before->>'warehouse_id'"),
	    entry_col(second, "after->>'warehouse_id'"));
	ck_assert_str_eq(entry_col(second, "before->>'on_hand'"), entry_col(first, "after->>'on_hand'"));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT (after->>'on_hand')::bigint -"
	    " (before->>'on_hand')::bigint FROM audit.entries WHERE id = '%s'", second)), -2);
}
END_TEST

START_TEST(customer_edit_is_no_entry_but_the_next_before)
{
	const char *email = arena_printf(a, "audit-cust-%s@example.com", run_tag);
	const char *first = arena_printf(a, "Selfedit%s", run_tag), *own, *by_admin;
	char *cust_id = make_account(email, "customer", false), *tok = mint_token("customer", cust_id);
	http_result *r;

	r = api("PUT", "/api/v1/users/me", tok, arena_printf(a, "{\"first_name\":\"%s\"}", first));
	expect_status(r, 200);
	http_result_free(r);
	own = last_event(a, "users", cust_id, "user.updated");
	relay_until(own);
	ck_assert_ptr_null(entry_col(own, "id"));

	r = api("PUT", arena_printf(a, "/api/v1/users/%s", cust_id), admin_tok, "{\"role\":\"seller\"}");
	expect_status(r, 200);
	http_result_free(r);
	by_admin = last_event(a, "users", cust_id, "user.updated");
	relay_until(by_admin);
	assert_admin_entry(by_admin);
	ck_assert_str_eq(entry_col(by_admin, "before->>'role'"), "customer");
	ck_assert_str_eq(entry_col(by_admin, "after->>'role'"), "seller");
	ck_assert_str_eq(entry_col(by_admin, "before->>'first_name'"), first);
	free(tok);
	free(cust_id);
}
END_TEST

START_TEST(a_sellers_product_is_recorded_and_forgotten_when_deleted)
{
	const char *email = arena_printf(a, "audit-maker-%s@example.com", run_tag), *pid, *made, *gone;
	char *seller = make_account(email, "seller", false), *tok = mint_token("seller", seller);
	http_result *r;

	r = api("POST", "/api/v1/products", tok, arena_printf(a,
	    "{\"name\":\"Audit lamp %s\",\"base_price\":1500,\"currency\":\"EUR\"}", run_tag));
	expect_status(r, 201);
	pid = created_id(r);
	http_result_free(r);
	made = last_event(a, "catalog", pid, "product.created");
	relay_until(made);
	ck_assert_str_eq(entry_col(made, "actor_role"), "seller");
	ck_assert_str_eq(entry_col(made, "actor_email"), email);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM audit.states"
	    " WHERE aggregate_type = 'product' AND entity_key = '%s'", pid)), 1);

	r = api("DELETE", arena_printf(a, "/api/v1/products/%s", pid), tok, NULL);
	ck_assert_msg(r->status == 204 || r->status == 200, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	gone = last_event(a, "catalog", pid, "product.deleted");
	relay_until(gone);
	ck_assert_str_eq(entry_col(gone, "actor_role"), "seller");
	ck_assert_ptr_nonnull(entry_col(gone, "before"));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM audit.states"
	    " WHERE aggregate_type = 'product' AND entity_key = '%s'", pid)), 0);
	free(tok);
	free(seller);
}
END_TEST

START_TEST(an_event_delivered_twice_is_recorded_once)
{
	const char *id = new_campaign(arena_printf(a, "Twice %s", run_tag));
	const char *ev = last_event(a, "campaigns", id, "campaign.created"), *payload;
	event parsed;
	error e;

	relay_until(ev);
	/* the relay hands it over again, as after a crash before marking it */
	sql(a, arena_printf(a, "UPDATE campaigns.outbox SET published_at = NULL,"
	    " next_attempt_at = now() WHERE id = '%s'", ev));
	for (int round = 0; round < 300 && sql(a, arena_printf(a, "SELECT published_at FROM"
	    " campaigns.outbox WHERE id = '%s'", ev)) == NULL; round++)
		relay_once();
	/* and a consumer group of the Kafka mode may see it once more */
	payload = sql(a, arena_printf(a, "SELECT payload::text FROM campaigns.outbox WHERE id = '%s'", ev));
	err_clear(&e);
	ck_assert_int_eq(event_parse(a, payload, strlen(payload), &parsed, &e), E_OK);
	ck_assert_msg(audit_consumer.handle(a, &parsed, &e) == E_OK, "%s", e.message);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM audit.entries WHERE id = '%s'",
	    ev)), 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM audit.entries"
	    " WHERE aggregate_id = '%s'", id)), 1);
}
END_TEST

/* ------------------------------------------------------------ the page */

static http_result *
page_as(const char *tok, const char *path)
{
	return api("GET", path, tok, NULL);
}

/* The admin's entries only, plus more filters (already URL-encoded). */
static http_result *
list(const char *more)
{
	return page_as(admin_tok, arena_printf(a, "/admin/audit?actor=%s%s",
	    url_encode(a, admin_email), more));
}

static const char *
day(int offset)
{
	time_t t = time(NULL) + offset * 86400;
	struct tm tm;
	char *s = arena_alloc(a, 16);

	gmtime_r(&t, &tm);
	strftime(s, 16, "%Y-%m-%d", &tm);
	return s;
}

START_TEST(audit_page_filters_and_shows_the_changes)
{
	const char *name = arena_printf(a, "Page %s", run_tag), *id, *ev;
	const char *evil = "<b>&\\\"x";	/* <b>&"x inside a JSON string */
	char long_desc[701];
	http_result *r;

	memset(long_desc, 'y', 700);
	long_desc[700] = '\0';
	id = new_campaign(name);
	r = api("PUT", arena_printf(a, "/api/v1/campaigns/%s", id), admin_tok, arena_printf(a,
	    "{\"name\":\"%s %s\",\"description\":\"%s\"}", name, evil, long_desc));
	expect_status(r, 200);
	http_result_free(r);
	ev = last_event(a, "campaigns", id, "campaign.updated");
	relay_until(ev);

	/* one entry: the changed fields only, escaped, the long one cut */
	r = page_as(admin_tok, arena_printf(a, "/admin/audit/%s", ev));
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "<code>name</code>"));
	ck_assert_ptr_nonnull(strstr(r->body, "<code>description</code>"));
	ck_assert_ptr_null(strstr(r->body, "<code>discount_value</code>"));
	ck_assert_ptr_nonnull(strstr(r->body, "&lt;b&gt;&amp;&quot;x"));
	ck_assert_ptr_null(strstr(r->body, "<b>&"));
	ck_assert_ptr_nonnull(strstr(r->body, "href=\"#after-json\""));
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"after-json\""));
	ck_assert_ptr_nonnull(strstr(r->body, long_desc));	/* whole, in the <pre> */
	ck_assert_ptr_nonnull(strstr(r->body, admin_email));
	http_result_free(r);

	/* the list, by actor, entity, action, entity and dates */
	r = list("");
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, name));
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "href=\"/admin/audit/%s\"", ev)));
	ck_assert_ptr_nonnull(strstr(r->body, "<option value=\"campaign\""));
	http_result_free(r);
	r = list("&entity=campaign&action=campaign.updated");
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "href=\"/admin/audit/%s\"", ev)));
	ck_assert_ptr_nonnull(strstr(r->body, "<option value=\"campaign\" selected>"));
	http_result_free(r);
	r = list("&action=user.updated");
	expect_status(r, 200);
	ck_assert_ptr_null(strstr(r->body, arena_printf(a, "href=\"/admin/audit/%s\"", ev)));
	http_result_free(r);
	r = list(arena_printf(a, "&entity_id=%s", id));
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, ">2 changes<"));
	http_result_free(r);
	r = list(arena_printf(a, "&entity_id=%s&from=%s&to=%s", id, day(0), day(0)));
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, ">2 changes<"));
	http_result_free(r);
	r = list(arena_printf(a, "&entity_id=%s&from=%s", id, day(1)));
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "No change matches this filter."));
	http_result_free(r);
	r = list(arena_printf(a, "&entity_id=%s&to=%s", id, day(-1)));
	expect_status(r, 200);
	ck_assert_ptr_nonnull(strstr(r->body, ">0 changes<"));
	http_result_free(r);
	r = list("&entity_id=not-a-uuid");
	expect_status(r, 400);
	http_result_free(r);
	r = list("&from=2026-13-45");
	expect_status(r, 400);
	http_result_free(r);
	r = page_as(admin_tok, "/admin/audit/00000000-0000-4000-8000-000000000000");
	expect_status(r, 404);
	http_result_free(r);
}
END_TEST

START_TEST(customers_and_sellers_are_refused)
{
	static const char *const roles[] = { "customer", "seller" };
	const char *path[2] = { "/admin/audit", "/admin/audit/00000000-0000-4000-8000-000000000000" };
	http_result *r;

	for (size_t i = 0; i < 2; i++) {
		const char *email = arena_printf(a, "audit-%s-%s@example.com", roles[i], run_tag);
		char *id = make_account(email, roles[i], false), *tok = mint_token(roles[i], id);

		for (size_t k = 0; k < 2; k++) {
			r = page_as(tok, path[k]);
			expect_status(r, 403);
			http_result_free(r);
		}
		free(tok);
		free(id);
	}
	r = page_as(NULL, "/admin/audit");
	expect_status(r, 303);
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
	s = suite_create("audit");
	tc = tcase_create("audit");
	tcase_add_unchecked_fixture(tc, setup_once, NULL);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, campaign_update_has_actor_before_and_after);
	tcase_add_test(tc, stock_adjustment_before_is_the_previous_after);
	tcase_add_test(tc, customer_edit_is_no_entry_but_the_next_before);
	tcase_add_test(tc, a_sellers_product_is_recorded_and_forgotten_when_deleted);
	tcase_add_test(tc, an_event_delivered_twice_is_recorded_once);
	tcase_add_test(tc, audit_page_filters_and_shows_the_changes);
	tcase_add_test(tc, customers_and_sellers_are_refused);
	suite_add_tcase(s, tc);
	test_db_domain("audit");
	return check_run(s);
}
