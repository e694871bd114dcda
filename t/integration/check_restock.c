/*
 * check_restock.c — "Tell me when it's back" end to end: a product made
 * for this run (published, one variant, no stock) shows the "E-mail me
 * when it is back" form on its page; the form is posted over HTTP as a
 * browser would (cookie jar, CSRF token): without the token it is
 * refused, a malformed address comes back 400 on the product page naming
 * the field, a good one is a 303 back to the page with a thank-you, and
 * the same address again (another case) is the same friendly answer with
 * no second row; an address with RESTOCK_OPEN_MAX open alerts is refused
 * with a 409; a signed-in customer finds their address filled in and the
 * alert carries their account.  Then the variant is restocked through the inventory
 * module: inventory.back_in_stock goes through the relay to the notifier
 * (both in this process, as the workers would run them), which queues one
 * back-in-stock mail per open alert and marks them notified; the mail
 * reaches a real SMTP server (smtp_catcher.c) with the product's name and
 * link; the same event delivered again queues nothing; the mail's
 * unsubscribe link shows a page whose button removes the alert, and a
 * forged token is a 404.  A draft product's restock mails nobody.  The
 * janitor's purge forgets alerts a month after their mail, not before.
 * Without ECOM_TEST_BASE_URL or ECOM_CONFIG the suite is skipped with 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "../../workers/consumers.h"
#include "auth/auth.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/util.h"
#include "browser.h"
#include "http_client.h"
#include "inventory/inventory.h"
#include "notification/notification.h"
#include "smtp_catcher.h"
#include "test_db.h"
#include "test_relay.h"

#define CLIENT "198.51.100.104"

static arena *a;
static char *admin_tok;
/* an admin id: the catalog shows a draft's variants to a named admin only */
static const inv_actor tester = { "00000000-0000-4000-8000-0000000000a1", ROLE_ADMIN,
    "check-restock", "admin" };

typedef struct made {
	const char *pid, *vid, *slug, *name;
} made;

/* ------------------------------------------------------------ plumbing */

static void
has(const char *hay, const char *needle)
{
	ck_assert_msg(hay != NULL && strstr(hay, needle) != NULL, "no \"%s\" in:\n%.3000s", needle,
	    hay != NULL ? hay : "(null)");
}

/* A product of this run (status "published" or "draft") with one
 * variant, and a stock row of 0 in the default warehouse. */
static made
make_product(const char *status, const char *tag)
{
	made m;
	http_result *r;
	stock_row row;
	bool created;
	error e;

	m.name = arena_printf(a, "Restock lantern %s %s", status, tag);
	r = http_as(CLIENT, admin_tok, "POST", "/api/v1/products", arena_printf(a,
	    "{\"name\":\"%s\",\"base_price\":2450,\"currency\":\"EUR\",\"status\":\"%s\","
	    "\"description\":\"A lantern for the restock test.\"}", m.name, status));
	expect_status(r, 201);
	m.pid = arena_strdup(a, jstr(r->json, "data.id"));
	m.slug = arena_strdup(a, jstr(r->json, "data.slug"));
	http_result_free(r);
	r = http_as(CLIENT, admin_tok, "POST", arena_printf(a, "/api/v1/products/%s/variants", m.pid),
	    arena_printf(a, "{\"sku\":\"RST-%s-%s\",\"name\":\"Brass\"}", status, tag));
	expect_status(r, 201);
	m.vid = arena_strdup(a, jstr(r->json, "data.id"));
	http_result_free(r);
	err_clear(&e);
	ck_assert_msg(stock_set(a, &tester, m.pid, m.vid, NULL, 0, -1, &row, &created, &e) == E_OK,
	    "stock: %s", e.message);
	return m;
}

static long long
open_rows(const char *vid, const char *email)
{
	return sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.restock_subscriptions"
	    " WHERE variant_id = '%s' AND lower(email) = lower('%s') AND notified_at IS NULL",
	    vid, email));
}

/* Post the product page's form as `j` (token from the page). */
static http_result *
post_form(jar *j, const made *m, const char *email_enc)
{
	const char *tok;
	http_result *r = browse(j, "GET", arena_printf(a, "/p/%s", m->slug), NULL);

	expect_status(r, 200);
	has(r->body, "E-mail me when it is back");
	tok = arena_strdup(a, csrf_of(r));
	http_result_free(r);
	return browse(j, "POST", arena_printf(a, "/p/%s/restock", m->slug), arena_printf(a,
	    "csrf_token=%s&variant_id=%s&email=%s", tok, m->vid, email_enc));
}

/* Send everything due, as workers/notifier would. */
static void
deliver_all(void)
{
	for (int round = 0; round < 50; round++) {
		notify_stats st = { 0, 0, 0 };
		size_t taken;
		error e;

		err_clear(&e);
		ck_assert_msg(notification_deliver_due(a, NOTIFY_BATCH_MAX, &st, &taken, &e) == E_OK,
		    "deliver: %s", e.message);
		if (taken == 0)
			return;
	}
}

/* The event as the relay would hand it over again. */
static event
event_again(const char *id)
{
	const char *payload = sql(a, arena_printf(a, "SELECT payload::text FROM inventory.outbox"
	    " WHERE id = '%s'", id));
	event ev;
	error e;

	ck_assert_ptr_nonnull(payload);
	err_clear(&e);
	ck_assert_msg(event_parse(a, payload, strlen(payload), &ev, &e) == E_OK, "%s", e.message);
	return ev;
}

/* The part of a received message with this content type. */
static const char *
part(const smtp_msg *m, const char *type)
{
	const char *p = strstr(m->data, arena_printf(a, "Content-Type: %s; charset=utf-8\r\n", type));
	const char *body, *end;

	ck_assert_msg(p != NULL, "no %s part in:\n%s", type, m->data);
	ck_assert_ptr_nonnull(body = strstr(p, "\r\n\r\n"));
	body += 4;
	ck_assert_ptr_nonnull(end = strstr(body, "\r\n--=_"));
	return arena_strndup(a, body, (size_t)(end - body));
}

static void
setup(void)
{
	a = arena_new(256 * 1024);
	ck_assert_ptr_nonnull(a);
	smtp_catcher_start();
	browser_client(CLIENT);
	if (admin_tok == NULL) {
		char sub[37];

		ck_assert_int_eq(uuid_v4(sub), 0);
		ck_assert_ptr_nonnull(admin_tok = mint_token("admin", sub));
	}
}

static void
teardown(void)
{
	arena_free(a);
	db_close_all();
}

/* ------------------------------------------------------------ flows */

START_TEST(subscribe_restock_mail_unsubscribe)
{
	const char *tag = arena_strdup(a, run_tag());
	made m = make_product("published", tag);
	const char *email = arena_printf(a, "waiter-%s@restock-test.example", tag);
	const char *enc = arena_printf(a, "waiter-%s%%40restock-test.example", tag);
	const char *upper = arena_printf(a, "WAITER-%s%%40Restock-Test.example", tag);
	const char *ev_id, *text, *html, *link, *unsub, *tok;
	char loc[512];
	const smtp_msg *msg;
	http_result *r;
	event ev;
	error e;
	jar j = { 0 };

	/* the form is on the page, out of stock, for this variant */
	r = browse(&j, "GET", arena_printf(a, "/p/%s", m.slug), NULL);
	expect_status(r, 200);
	has(r->body, "Out of stock");
	has(r->body, arena_printf(a, "action=\"/p/%s/restock\"", m.slug));
	has(r->body, arena_printf(a, "name=\"variant_id\" value=\"%s\"", m.vid));
	http_result_free(r);

	/* no token: refused by the gate */
	r = browse(&j, "POST", arena_printf(a, "/p/%s/restock", m.slug), arena_printf(a,
	    "variant_id=%s&email=%s", m.vid, enc));
	expect_status(r, 403);
	http_result_free(r);
	ck_assert_int_eq(open_rows(m.vid, email), 0);

	/* a malformed address: the page again, 400, the field named */
	r = post_form(&j, &m, "not-an-address");
	expect_status(r, 400);
	has(r->body, "id=\"restock-email-error\"");
	has(r->body, "Enter an e-mail address like name@example.com.");
	has(r->body, "value=\"not-an-address\"");
	has(r->body, m.name);
	http_result_free(r);

	/* a good one: back to the page, thanked */
	r = post_form(&j, &m, enc);
	expect_status(r, 303);
	see_other(r, loc, sizeof loc);
	ck_assert_str_eq(loc, arena_printf(a, "/p/%s?variant=%s", m.slug, m.vid));
	http_result_free(r);
	r = browse(&j, "GET", loc, NULL);
	expect_status(r, 200);
	has(r->body, "We will e-mail you once when it is back in stock.");
	http_result_free(r);
	ck_assert_int_eq(open_rows(m.vid, email), 1);

	/* the same address in other letters: the same friendly answer, no second row */
	r = post_form(&j, &m, upper);
	expect_status(r, 303);
	http_result_free(r);
	r = browse(&j, "GET", loc, NULL);
	has(r->body, "You are already on the list for this option");
	http_result_free(r);
	ck_assert_int_eq(open_rows(m.vid, email), 1);

	/* restock through the inventory module: 0 -> 4 is back in stock */
	{
		stock_row row;

		err_clear(&e);
		ck_assert_msg(stock_adjust(a, &tester, m.pid, m.vid, NULL, 4, REASON_ADJUSTMENT,
		    "check-restock", &row, &e) == E_OK, "adjust: %s", e.message);
		ck_assert_int_eq(row.available, 4);
	}
	ev_id = last_event(a, "inventory", m.vid, "inventory.back_in_stock");
	relay_until_claimed(a, "notifications.processed_events", ev_id);
	ck_assert_int_eq(open_rows(m.vid, email), 0);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE event_id = '%s' AND kind = 'back-in-stock' AND recipient = '%s'", ev_id, email)), 1);
	deliver_all();
	ck_assert_int_eq(smtp_catcher_count(email), 1);
	msg = smtp_catcher_find(email);
	ck_assert_ptr_nonnull(msg);
	has(msg->data, arena_printf(a, "\r\nSubject: %s is back in stock\r\n", m.name));
	text = part(msg, "text/plain");
	html = part(msg, "text/html");
	link = arena_printf(a, "%s/p/%s?variant=%s", cfg->base_url, m.slug, m.vid);
	has(text, m.name);
	has(text, link);
	has(html, m.name);
	has(html, arena_printf(a, "href=\"%s/p/%s?variant=%s\"", cfg->base_url, m.slug, m.vid));

	/* the same event again (at least once): nothing more */
	ev = event_again(ev_id);
	err_clear(&e);
	ck_assert_msg(notification_consumer.handle(a, &ev, &e) == E_OK, "%s", e.message);
	relay_once();
	deliver_all();
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE kind = 'back-in-stock' AND recipient = '%s'", email)), 1);
	ck_assert_int_eq(smtp_catcher_count(email), 1);

	/* a month after the mail the janitor forgets the address; not before */
	{
		int64_t n;

		err_clear(&e);
		ck_assert_int_eq(restock_purge_notified(a, &n, &e), E_OK);
		ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM"
		    " notifications.restock_subscriptions WHERE email = '%s'", email)), 1);
	}

	/* the unsubscribe link: a page, and its button removes the alert */
	ck_assert_ptr_nonnull(unsub = strstr(text, "/restock/unsubscribe?id="));
	unsub = arena_strndup(a, unsub, strcspn(unsub, " \r\n"));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM"
	    " notifications.restock_subscriptions WHERE lower(email) = lower('%s')", email)), 1);
	r = browse(&j, "GET", arena_printf(a, "%.60sdeadbeef", unsub), NULL);
	expect_status(r, 404);
	http_result_free(r);
	r = browse(&j, "GET", unsub, NULL);
	expect_status(r, 200);
	has(r->body, email);
	has(r->body, m.name);
	tok = arena_strdup(a, csrf_of(r));
	http_result_free(r);
	{
		const char *id = unsub + strlen("/restock/unsubscribe?id="), *t = strstr(unsub, "&token=");

		ck_assert_ptr_nonnull(t);
		t += strlen("&token=");

		r = browse(&j, "POST", "/restock/unsubscribe", arena_printf(a,
		    "csrf_token=%s&id=%.36s&token=%s", tok, id, t));
		expect_status(r, 200);
		has(r->body, "The alert is removed");
		http_result_free(r);
		r = browse(&j, "POST", "/restock/unsubscribe", arena_printf(a,
		    "csrf_token=%s&id=%.36s&token=%s", tok, id, t));
		expect_status(r, 404);
		http_result_free(r);
	}
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM"
	    " notifications.restock_subscriptions WHERE lower(email) = lower('%s')", email)), 0);
}
END_TEST

START_TEST(a_signed_in_customer_finds_the_address_filled_in)
{
	const char *tag = arena_strdup(a, run_tag());
	made m = make_product("published", tag);
	const char *email = arena_printf(a, "member-%s@restock-test.example", tag);
	char *uid = create_user(email, "customer", NULL), loc[512];
	const char *tok;
	http_result *r;
	jar j = { 0 };

	tok = arena_strdup(a, token_for(&j, "/login"));
	r = browse(&j, "POST", "/login", arena_printf(a, "csrf_token=%s&next=%%2F&email="
	    "member-%s%%40restock-test.example&password=%s", tok, tag, browser_password()));
	see_other(r, loc, sizeof loc);
	http_result_free(r);
	r = browse(&j, "GET", arena_printf(a, "/p/%s", m.slug), NULL);
	expect_status(r, 200);
	has(r->body, arena_printf(a, "id=\"restock-email\" name=\"email\" type=\"email\""
	    " autocomplete=\"email\" maxlength=\"254\" required value=\"%s\"", email));
	tok = arena_strdup(a, csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", arena_printf(a, "/p/%s/restock", m.slug), arena_printf(a,
	    "csrf_token=%s&variant_id=%s&email=member-%s%%40restock-test.example", tok, m.vid, tag));
	expect_status(r, 303);
	http_result_free(r);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT user_id FROM"
	    " notifications.restock_subscriptions WHERE variant_id = '%s'", m.vid)), uid);
	sql(a, arena_printf(a, "DELETE FROM notifications.restock_subscriptions WHERE email = '%s'",
	    email));
	free(uid);
}
END_TEST

START_TEST(open_alerts_per_address_are_bounded)
{
	const char *tag = arena_strdup(a, run_tag());
	made m = make_product("published", tag);
	const char *email = arena_printf(a, "hoarder-%s@restock-test.example", tag);
	http_result *r;
	jar j = { 0 };

	sql(a, arena_printf(a, "INSERT INTO notifications.restock_subscriptions"
	    " (id, product_id, variant_id, email) SELECT gen_random_uuid(), gen_random_uuid(),"
	    " gen_random_uuid(), '%s' FROM generate_series(1, %d)", email, RESTOCK_OPEN_MAX));
	r = post_form(&j, &m, arena_printf(a, "hoarder-%s%%40restock-test.example", tag));
	expect_status(r, 409);
	has(r->body, "already waits for 50 products");
	http_result_free(r);
	ck_assert_int_eq(open_rows(m.vid, email), 0);
	sql(a, arena_printf(a, "DELETE FROM notifications.restock_subscriptions WHERE email = '%s'",
	    email));
}
END_TEST

START_TEST(the_janitor_forgets_alerts_a_month_after_the_mail)
{
	const char *email = arena_printf(a, "old-%s@restock-test.example", run_tag());
	int64_t n;
	error e;

	sql(a, arena_printf(a, "INSERT INTO notifications.restock_subscriptions"
	    " (id, product_id, variant_id, email, notified_at) VALUES (gen_random_uuid(),"
	    " gen_random_uuid(), gen_random_uuid(), '%s', now() - interval '%d days 1 hour')",
	    email, RESTOCK_KEEP_NOTIFIED_DAYS));
	err_clear(&e);
	ck_assert_int_eq(restock_purge_notified(a, &n, &e), E_OK);
	ck_assert_int_ge(n, 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM"
	    " notifications.restock_subscriptions WHERE email = '%s'", email)), 0);
}
END_TEST

START_TEST(a_draft_product_mails_nobody)
{
	const char *tag = arena_strdup(a, run_tag());
	made m = make_product("draft", tag);
	const char *email = arena_printf(a, "drafty-%s@restock-test.example", tag);
	const char *ev_id;
	stock_row row;
	bool created;
	error e;

	/* the page is not public, so the alert can only be one from before */
	sql(a, arena_printf(a, "INSERT INTO notifications.restock_subscriptions"
	    " (id, product_id, variant_id, email) VALUES (gen_random_uuid(), '%s', '%s', '%s')",
	    m.pid, m.vid, email));
	err_clear(&e);
	ck_assert_msg(stock_set(a, &tester, m.pid, m.vid, NULL, 3, -1, &row, &created, &e) == E_OK,
	    "stock: %s", e.message);
	ev_id = last_event(a, "inventory", m.vid, "inventory.back_in_stock");
	relay_until_claimed(a, "notifications.processed_events", ev_id);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE recipient = '%s'", email)), 0);
	ck_assert_int_eq(open_rows(m.vid, email), 1);
	sql(a, arena_printf(a, "DELETE FROM notifications.restock_subscriptions WHERE email = '%s'",
	    email));
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (test_base_url() == NULL || getenv("ECOM_CONFIG") == NULL) {
		puts("SKIP: set ECOM_TEST_BASE_URL and ECOM_CONFIG (var/env.sh of a running stack)");
		return 77;
	}
	if (smtp_catcher_use() != 0) {
		perror("smtp catcher");
		return 1;
	}
	if (config_init() != 0 || auth_init() != 0)
		return 1;
	log_init("check_restock", "error");
	s = suite_create("restock");
	tc = tcase_create("restock");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, subscribe_restock_mail_unsubscribe);
	tcase_add_test(tc, a_signed_in_customer_finds_the_address_filled_in);
	tcase_add_test(tc, open_alerts_per_address_are_bounded);
	tcase_add_test(tc, a_draft_product_mails_nobody);
	tcase_add_test(tc, the_janitor_forgets_alerts_a_month_after_the_mail);
	suite_add_tcase(s, tc);
	test_db_domain("notifications");
	return check_run(s);
}
