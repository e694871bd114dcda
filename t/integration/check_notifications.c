/*
 * check_notifications.c — notifications end to end, delivered through a
 * real SMTP exchange with a server in this process (smtp_catcher.c): a
 * registration's verification mail (AUTH PLAIN, the link in the mail but
 * not in the log); an order's confirmation with its lines and totals,
 * "shipped" and "canceled", all from the orders domain's events through
 * the relay; the shop's new-order mail from the same order.created, to
 * the orders_notify_email addresses (or every admin when it is empty),
 * once however often the event comes; payment.failed and inventory.low_stock (to the admins); the
 * same event handled twice queues one message; a 451 is retried after
 * the backoff and then sent; a server that keeps answering 451 makes the
 * message failed after the maximum attempts (with notification.failed in
 * the outbox), and an admin's retry sends it; a 550 fails at once;
 * STARTTLS=required against a server without STARTTLS records a failure
 * and never sends MAIL in the clear; libcurl dot-stuffs; an admin's
 * template override takes effect at once (a line break in its subject
 * cannot start a header) and a broken one is refused; an SMS through the
 * log-only provider when an order ships to an account with a phone; the
 * JSON API (own list, another customer's 404, read, admin retry); the
 * /admin/mail pages (filters, escaped parts, retry, templates).
 *
 * The relay and the notifier run in this process, as the workers would,
 * against the shop's database, with ECOM_SMTP_URL pointing at the
 * catcher; the stack's responders (used for the API) keep writing files.
 * Messages queued by other suites may reach the catcher too; every
 * assertion is about this run's own addresses.  Without
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
#include "auth/auth.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/site.h"
#include "core/util.h"
#include "http_client.h"
#include "notification/internal.h"
#include "order/order.h"
#include "settings/settings.h"
#include "smtp_catcher.h"
#include "user/user.h"
#include "test_db.h"
#include "test_relay.h"

#define SMTP_USER "catcher-user"
#define SMTP_PASS "catcher-pass"

static arena *a;
static char run_tag[32];
static int seq;

/* ------------------------------------------------------------ plumbing */

static const char *
col(const char *id, const char *expr)
{
	return sql(a, arena_printf(a, "SELECT %s FROM notifications.messages WHERE id = '%s'", expr, id));
}

static const char *
fresh_email(const char *who)
{
	return arena_printf(a, "%s-%s-%d@notify-test.example", who, run_tag, ++seq);
}

static char *
make_account(const char *email, const char *role_s)
{
	char cmd[1024], *id;

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' 'Notify-trail-%d-lantern' | '%s' user create"
	    " --email '%s' --role %s --first-name Nora --last-name Notify%s", (int)getpid(),
	    getenv("ECOM_TEST_ECOMCTL"), email, role_s,
	    /* an admin without 2FA is sent to enrolment by every admin page */
	    strcmp(role_s, "admin") == 0 ? " --totp-secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" : "");
	id = run_capture(cmd);
	ck_assert_msg(id != NULL && strlen(id) == 36, "ecomctl user create failed: %s", cmd);
	return id;
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

/* Make a message waiting out its backoff due now. */
static void
due_now(const char *id)
{
	sql(a, arena_printf(a, "UPDATE notifications.messages SET next_attempt_at = now()"
	    " WHERE id = '%s'", id));
}

/* Run the relay until the notifier has claimed event_id. */
static void
relay_until(const char *event_id)
{
	relay_until_claimed(a, "notifications.processed_events", event_id);
}

/* The message of kind queued for `to` (the newest). */
static const char *
message_for(const char *to, const char *kind)
{
	const char *id = sql(a, arena_printf(a, "SELECT id FROM notifications.messages"
	    " WHERE recipient = '%s' AND kind = '%s' ORDER BY created_at DESC LIMIT 1", to, kind));

	ck_assert_msg(id != NULL, "no %s message for %s", kind, to);
	return id;
}

/* A verify-email message to `to` without a secret; its id. */
static const char *
queue_mail(const char *to, const char *user_id)
{
	json_object *ctx = json_object_new_object();
	const char *id;
	error e;

	json_object_object_add(ctx, "first_name", json_object_new_string("Ada"));
	json_object_object_add(ctx, "email", json_object_new_string(to));
	json_object_object_add(ctx, "link", json_object_new_string("https://shop.example/x"));
	json_object_object_add(ctx, "valid_hours", json_object_new_int(48));
	err_clear(&e);
	ck_assert_msg(notification_send_account_mail(a, "verify-email", user_id, to, ctx, false, &id,
	    &e) == E_OK, "queue: %s", e.message);
	json_object_put(ctx);
	return id;
}

/* The part of a received message with this content type (up to the
 * next boundary), or abort. */
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

static const smtp_msg *
received(const char *to)
{
	const smtp_msg *m = smtp_catcher_find(to);

	ck_assert_msg(m != NULL, "the catcher got nothing for %s", to);
	ck_assert_ptr_nonnull(strstr(m->data, arena_printf(a, "\r\nTo: <%s>\r\n", to)));
	ck_assert_ptr_nonnull(strstr(m->data, "\r\nContent-Type: multipart/alternative; boundary="));
	return m;
}

static void
has(const char *hay, const char *needle)
{
	ck_assert_msg(strstr(hay, needle) != NULL, "no \"%s\" in:\n%s", needle, hay);
}

/* An order of two lines for email (a guest's); its id and number. */
static void
place_order_for(const char *email, const char *user_id, order *out)
{
	char checkout[37];
	order_item_input items[2] = {
		{ "11111111-1111-4111-8111-111111111111", NULL, "Tea & Co mug", "MUG-1", 1250, 2, 0, 0 },
		{ "22222222-2222-4222-8222-222222222222", NULL, "Lantern", "LAN-9", 3999, 1, 0, 0 },
	};
	order_input in;
	error e;

	ck_assert_int_eq(uuid_v4(checkout), 0);
	memset(&in, 0, sizeof in);
	in.checkout_id = checkout;
	in.user_id = user_id;
	in.email = email;
	in.currency = "EUR";
	in.items = items;
	in.nitems = 2;
	in.shipping_address = (order_address){ "Ada Lovelace", "1 Analytical St", NULL, "London",
	    NULL, "N1 1AA", "GB", NULL };
	in.shipping_method = "standard";
	in.subtotal = 6499;
	in.shipping = 500;
	in.tax = 0;
	in.total = 6999;
	in.paid = true;
	err_clear(&e);
	ck_assert_msg(order_create(a, &in, out, &e) == E_OK, "order: %s", e.message);
}

static void
place_order(const char *email, order *out)
{
	place_order_for(email, NULL, out);
}

static void
move_order(const char *id, order_status to)
{
	order_actor who = { NULL, ROLE_ADMIN, NULL, "admin" };
	order_change_result res;
	order o;
	error e;

	err_clear(&e);
	ck_assert_msg(order_transition(a, &who, id, to, "test", false, &o, &res, &e) == E_OK,
	    "transition: %s", e.message);
}

/* An event from JSON text, as the relay would hand it over. */
static event
make_event(const char *type, const char *aggregate_type, const char *aggregate_id,
    const char *data)
{
	char id[37];
	const char *payload;
	event ev;
	error e;

	ck_assert_int_eq(uuid_v4(id), 0);
	payload = arena_printf(a, "{\"event_id\":\"%s\",\"event_type\":\"ecommerce.%s\","
	    "\"aggregate_id\":\"%s\",\"aggregate_type\":\"%s\",\"version\":1,"
	    "\"timestamp\":\"2026-12-07T03:00:00Z\",\"source\":\"test\",\"data\":%s,\"metadata\":{}}",
	    id, type, aggregate_id, aggregate_type, data);
	err_clear(&e);
	ck_assert_msg(event_parse(a, payload, strlen(payload), &ev, &e) == E_OK, "%s", e.message);
	return ev;
}

static void
handle(const event *ev)
{
	error e;

	err_clear(&e);
	ck_assert_msg(notification_consumer.handle(a, ev, &e) == E_OK, "handle: %s", e.message);
}

static void
setup(void)
{
	a = arena_new(256 * 1024);
	ck_assert_ptr_nonnull(a);
	smtp_catcher_start();
}

static void
teardown(void)
{
	arena_free(a);
	db_close_all();
}

/* ------------------------------------------------------------ flows */

START_TEST(verification_mail_on_register)
{
	user_register_input in = { fresh_email("reg"), "Register-me-4f9c2e7a", "Ada", "Lovelace" };
	user_ctx x = { NULL, ROLE_PUBLIC, "req-notify", "198.51.100.77", "check" };
	const smtp_msg *m;
	const char *id, *text, *html;
	user u;
	user_tokens t;
	error e;

	err_clear(&e);
	ck_assert_msg(user_register(a, &x, &in, &u, &t, &e) == E_OK, "register: %s", e.message);
	id = message_for(in.email, "verify-email");
	ck_assert_str_eq(col(id, "status"), "queued");
	ck_assert_str_eq(col(id, "user_id"), u.id);
	/* the log keeps no working link; the part to send does */
	ck_assert_ptr_null(strstr(col(id, "body_text"), "token="));
	ck_assert_ptr_null(strstr(col(id, "body_html"), "token="));
	has(col(id, "secret_text"), "/verify-email?token=");
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "sent");
	ck_assert_ptr_null(col(id, "secret_text"));
	ck_assert_ptr_null(col(id, "secret_html"));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.outbox"
	    " WHERE aggregate_id = '%s' AND event_type = 'ecommerce.notification.sent'", id)), 1);

	m = received(in.email);
	ck_assert_str_eq(m->rcpt, arena_printf(a, "<%s>", in.email));
	ck_assert_str_eq(m->mail_from, "<no-reply@127.0.0.1>");
	ck_assert_ptr_nonnull(m->auth);
	has(m->auth, SMTP_USER ":" SMTP_PASS);
	has(m->data, "\r\nSubject: Confirm your e-mail address for Northwind Goods\r\n");
	has(m->data, arena_printf(a, "\r\nMessage-ID: <%s@127.0.0.1>\r\n", id));
	text = part(m, "text/plain");
	html = part(m, "text/html");
	has(text, "Hello Ada,");
	has(text, arena_printf(a, "%s/verify-email?token=", cfg->base_url));
	has(html, arena_printf(a, "href=\"%s/verify-email?token=", cfg->base_url));
	ck_assert(strstr(m->data, "text/plain") < strstr(m->data, "text/html"));
}
END_TEST

START_TEST(order_mails_from_events)
{
	const char *email = fresh_email("buyer"), *ev_id, *id, *text, *html, *total;
	const smtp_msg *m;
	order o, o2;
	event ev;
	error e;
	const char *payload;

	place_order(email, &o);
	ev_id = last_event(a, "orders", o.id, "order.created");
	relay_until(ev_id);
	id = message_for(email, "order-confirmation");
	ck_assert_str_eq(col(id, "event_id"), ev_id);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "sent");
	m = received(email);
	has(m->data, arena_printf(a, "\r\nSubject: Your order %s at Northwind Goods\r\n", o.number));
	text = part(m, "text/plain");
	html = part(m, "text/html");
	total = money_format_a(a, 6999, "EUR");
	has(text, arena_printf(a, "2 x Tea & Co mug (MUG-1) at %s = %s", money_format_a(a, 1250, "EUR"),
	    money_format_a(a, 2500, "EUR")));
	has(text, arena_printf(a, "1 x Lantern (LAN-9) at %s", money_format_a(a, 3999, "EUR")));
	has(text, arena_printf(a, "Subtotal: %s", money_format_a(a, 6499, "EUR")));
	has(text, arena_printf(a, "Shipping: %s", money_format_a(a, 500, "EUR")));
	has(text, arena_printf(a, "Total: %s", total));
	has(text, arena_printf(a, "/orders/%s", o.number));
	has(html, "Tea &amp; Co mug");
	ck_assert_ptr_null(strstr(html, "Tea & Co"));
	has(html, total);

	/* the same event again, twice: still one message */
	payload = sql(a, arena_printf(a, "SELECT payload::text FROM orders.outbox WHERE id = '%s'", ev_id));
	err_clear(&e);
	ck_assert_int_eq(event_parse(a, payload, strlen(payload), &ev, &e), E_OK);
	handle(&ev);
	handle(&ev);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE event_id = '%s' AND kind = 'order-confirmation'", ev_id)), 1);
	deliver_all();
	ck_assert_int_eq(smtp_catcher_count(email), 1);

	/* shipped */
	move_order(o.id, ORDER_PROCESSING);
	move_order(o.id, ORDER_SHIPPED);
	relay_until(last_event(a, "orders", o.id, "order.status_changed"));
	deliver_all();
	ck_assert_int_eq(smtp_catcher_count(email), 2);
	m = received(email);
	has(m->data, arena_printf(a, "\r\nSubject: Your order %s is on its way\r\n", o.number));
	has(part(m, "text/plain"), "has shipped");

	/* canceled (another order) */
	place_order(email, &o2);
	relay_until(last_event(a, "orders", o2.id, "order.created"));
	deliver_all();
	move_order(o2.id, ORDER_CANCELED);
	relay_until(last_event(a, "orders", o2.id, "order.canceled"));
	deliver_all();
	m = received(email);
	has(m->data, arena_printf(a, "\r\nSubject: Your order %s was canceled\r\n", o2.number));
	has(part(m, "text/plain"), "Reason: test");
	/* the confirmation of o2 and its cancelation: 4 in all */
	ck_assert_int_eq(smtp_catcher_count(email), 4);
}
END_TEST

/* The Subject: header line of a message whose subject is s (RFC 2047
 * when it is not ASCII, as mime_build writes it). */
static const char *
subject_line(const char *s)
{
	buf b = BUF_INIT;
	const char *out;

	mime_encoded_words(&b, s);
	out = arena_printf(a, "\r\nSubject: %.*s\r\n", (int)b.len, b.data);
	buf_free(&b);
	return out;
}

/* orders_notify_email as the admin page would save it (the other
 * settings as they are); the value before, NULL when none was stored. */
static const char *
set_orders_notify(const char *list)
{
	const char *was = sql(a, "SELECT value FROM settings.settings"
	    " WHERE key = 'orders_notify_email'");
	shop_settings st;
	int changed;
	error e;

	err_clear(&e);
	ck_assert_int_eq(settings_get(a, &st, &e), E_OK);
	st.orders_notify_email = list;
	ck_assert_msg(settings_update(a, NULL, &st, &changed, &e) == E_OK, "settings: %s",
	    e.message);
	return was;
}

static void
restore_orders_notify(const char *was)
{
	if (was != NULL)
		set_orders_notify(was);
	else
		sql(a, "DELETE FROM settings.settings WHERE key = 'orders_notify_email'");
	site_invalidate();
}

START_TEST(merchant_told_of_new_order)
{
	const char *buyer = fresh_email("shopper"), *ops = fresh_email("ops"),
	    *boss = fresh_email("boss"), *was, *ev_id, *id, *text, *html, *total, *link, *payload;
	const smtp_msg *m;
	order o;
	event ev;
	error e;

	was = set_orders_notify(arena_printf(a, "%s, %s", ops, boss));
	place_order(buyer, &o);
	ev_id = last_event(a, "orders", o.id, "order.created");
	relay_until(ev_id);
	/* the event, delivered twice more (a relay that died before its
	 * acknowledgement, a Kafka rebalance): nothing more is queued */
	payload = sql(a, arena_printf(a, "SELECT payload::text FROM orders.outbox WHERE id = '%s'", ev_id));
	err_clear(&e);
	ck_assert_int_eq(event_parse(a, payload, strlen(payload), &ev, &e), E_OK);
	handle(&ev);
	handle(&ev);
	restore_orders_notify(was);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE event_id = '%s' AND kind = 'new-order'", ev_id)), 2);
	id = message_for(ops, "new-order");
	ck_assert_str_eq(col(id, "event_id"), ev_id);
	ck_assert_ptr_null(col(id, "user_id"));
	/* the buyer's confirmation came from the same event */
	ck_assert_str_eq(col(message_for(buyer, "order-confirmation"), "event_id"), ev_id);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "sent");
	ck_assert_int_eq(smtp_catcher_count(ops), 1);
	ck_assert_int_eq(smtp_catcher_count(boss), 1);
	ck_assert_int_eq(smtp_catcher_count(buyer), 1);

	total = money_format_a(a, 6999, "EUR");
	link = arena_printf(a, "%s/admin/orders/%s", cfg->base_url, o.id);
	ck_assert(strncmp(link, "http", 4) == 0);
	m = received(ops);
	ck_assert_str_eq(m->rcpt, arena_printf(a, "<%s>", ops));
	ck_assert_str_eq(col(id, "subject"), arena_printf(a, "New order %s: %s", o.number, total));
	has(m->data, subject_line(arena_printf(a, "New order %s: %s", o.number, total)));
	text = part(m, "text/plain");
	html = part(m, "text/html");
	has(text, arena_printf(a, "A new order %s was placed", o.number));
	has(text, arena_printf(a, "2 x Tea & Co mug (MUG-1) at %s = %s", money_format_a(a, 1250, "EUR"),
	    money_format_a(a, 2500, "EUR")));
	has(text, arena_printf(a, "1 x Lantern (LAN-9) at %s", money_format_a(a, 3999, "EUR")));
	has(text, arena_printf(a, "Shipping: %s (standard)", money_format_a(a, 500, "EUR")));
	has(text, arena_printf(a, "Total: %s", total));
	has(text, arena_printf(a, "Customer: %s (guest)", buyer));
	has(text, "Payment: paid");
	/* the parts as sent: CRLF line ends */
	has(text, "Ship to:\r\n  Ada Lovelace\r\n  1 Analytical St\r\n  N1 1AA London\r\n  GB\r\n");
	has(text, arena_printf(a, "Open the order: %s\r\n", link));
	has(html, arena_printf(a, "href=\"%s\"", link));
	has(html, "Tea &amp; Co mug");
	ck_assert_ptr_null(strstr(html, "Tea & Co"));
	has(html, total);
	has(html, "1 Analytical St<br>");
	has(received(boss)->data, subject_line(arena_printf(a, "New order %s: %s", o.number, total)));

	/* nothing more reaches anyone for this order */
	deliver_all();
	ck_assert_int_eq(smtp_catcher_count(ops), 1);
	ck_assert_int_eq(smtp_catcher_count(boss), 1);
	ck_assert_int_eq(smtp_catcher_count(buyer), 1);
}
END_TEST

START_TEST(merchant_mail_goes_to_admins_when_no_address_is_set)
{
	const char *buyer = fresh_email("shopper2"), *admin = fresh_email("orderadmin");
	char *aid = make_account(admin, "admin");
	const char *was, *ev_id, *id;
	order o;

	was = set_orders_notify("");
	place_order(buyer, &o);
	ev_id = last_event(a, "orders", o.id, "order.created");
	relay_until(ev_id);
	restore_orders_notify(was);
	id = message_for(admin, "new-order");
	ck_assert_str_eq(col(id, "user_id"), aid);
	ck_assert_str_eq(col(id, "event_id"), ev_id);
	/* one copy per active admin, none twice */
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) - count(DISTINCT recipient)"
	    " FROM notifications.messages WHERE event_id = '%s' AND kind = 'new-order'", ev_id)), 0);
	ck_assert_str_eq(col(id, "subject"), arena_printf(a, "New order %s: %s", o.number,
	    money_format_a(a, 6999, "EUR")));
	deliver_all();
	has(received(admin)->data, subject_line(col(id, "subject")));
	free(aid);
}
END_TEST

START_TEST(payment_failed_and_low_stock)
{
	const char *email = fresh_email("payer"), *admin = fresh_email("admin");
	char *uid = make_account(email, "customer"), *aid = make_account(admin, "admin");
	const char *pid, *vid, *sku;
	const smtp_msg *m;
	http_result *r;
	event ev;

	ev = make_event("payment.failed", "payment", "33333333-3333-4333-8333-333333333333",
	    arena_printf(a, "{\"user_id\":\"%s\",\"amount\":4250,\"currency\":\"EUR\","
	    "\"failure_message\":\"card declined\"}", uid));
	handle(&ev);
	deliver_all();
	m = received(email);
	has(m->data, "\r\nSubject: Your payment at Northwind Goods did not go through\r\n");
	has(part(m, "text/plain"), arena_printf(a, "your payment of %s did not go through",
	    money_format_a(a, 4250, "EUR")));
	has(part(m, "text/plain"), "The bank said: card declined");
	ck_assert_str_eq(col(message_for(email, "payment-failed"), "user_id"), uid);

	r = http_get("/api/v1/products?per_page=1&sort_by=name_asc");
	ck_assert_int_eq(r->status, 200);
	pid = arena_strdup(a, jstr(r->json, "data.0.id"));
	http_result_free(r);
	r = http_get(arena_printf(a, "/api/v1/products/%s/variants", pid));
	ck_assert_int_eq(r->status, 200);
	vid = arena_strdup(a, jstr(r->json, "data.0.id"));
	sku = arena_strdup(a, jstr(r->json, "data.0.sku"));
	http_result_free(r);
	ev = make_event("inventory.low_stock", "variant", vid, arena_printf(a,
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"warehouse_code\":\"BER-1\","
	    "\"available\":2,\"low_stock_threshold\":5}", pid, vid));
	handle(&ev);
	/* every active admin, this run's among them */
	ck_assert_int_ge(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE event_id = '%s' AND kind = 'low-stock'", ev.id)), 1);
	ck_assert_str_eq(col(message_for(admin, "low-stock"), "user_id"), aid);
	deliver_all();
	m = received(admin);
	has(m->data, arena_printf(a, "(2 left)"));
	has(part(m, "text/plain"), arena_printf(a, "(%s) is low in warehouse BER-1: 2 available", sku));
	has(part(m, "text/plain"), arena_printf(a, "/admin/inventory/%s/%s", pid, vid));
	free(uid);
	free(aid);
}
END_TEST

START_TEST(sms_when_shipped_to_an_account_with_a_phone)
{
	const char *email = fresh_email("sms"), *sms, *mail;
	char *uid = make_account(email, "customer"), *tok = mint_token("customer", uid);
	const char *hdrs[] = { arena_printf(a, "Authorization: Bearer %s", tok),
	    "Content-Type: application/json", "X-Forwarded-For: 198.51.100.94", NULL };
	http_result *r;
	order o;

	r = http_do(test_base_url(), "PUT", "/api/v1/users/me", "{\"phone\":\"+49 151 2345678\"}",
	    hdrs);
	expect_status(r, 200);
	http_result_free(r);
	place_order_for(email, uid, &o);
	move_order(o.id, ORDER_PROCESSING);
	move_order(o.id, ORDER_SHIPPED);
	relay_until(last_event(a, "orders", o.id, "order.status_changed"));
	sms = sql(a, arena_printf(a, "SELECT id FROM notifications.messages WHERE user_id = '%s'"
	    " AND channel = 'sms'", uid));
	ck_assert_msg(sms != NULL, "no SMS queued");
	ck_assert_str_eq(col(sms, "kind"), "order-shipped");
	ck_assert_str_eq(col(sms, "recipient"), "+49 151 2345678");
	has(col(sms, "body_text"), arena_printf(a, "your order %s is on its way", o.number));
	mail = message_for(email, "order-shipped");
	deliver_all();
	/* the log-only provider accepts it */
	ck_assert_str_eq(col(sms, "status"), "sent");
	ck_assert_str_eq(col(mail, "status"), "sent");
	has(part(received(email), "text/plain"), "Hello Nora,");
	free(uid);
	free(tok);
}
END_TEST

/* ------------------------------------------------------------ delivery */

START_TEST(outage_451_is_retried_with_backoff)
{
	const char *to = fresh_email("retry"), *id;
	long long wait;

	smtp_catcher_fail(451, 1);
	id = queue_mail(to, NULL);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "queued");
	ck_assert_str_eq(col(id, "attempts"), "1");
	has(col(id, "last_error"), "451");
	/* the first failure waits NOTIFY_BACKOFF_BASE_S */
	wait = sql_int(a, arena_printf(a, "SELECT floor(extract(epoch FROM next_attempt_at - now()))"
	    "::bigint FROM notifications.messages WHERE id = '%s'", id));
	ck_assert_msg(wait > NOTIFY_BACKOFF_BASE_S - 15 && wait <= NOTIFY_BACKOFF_BASE_S,
	    "waits %lld s", wait);
	ck_assert_int_eq(smtp_catcher_count(to), 0);
	/* not due yet: nothing happens */
	deliver_all();
	ck_assert_str_eq(col(id, "attempts"), "1");
	due_now(id);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "sent");
	ck_assert_str_eq(col(id, "attempts"), "2");
	ck_assert_ptr_null(col(id, "last_error"));
	ck_assert_int_eq(smtp_catcher_count(to), 1);
}
END_TEST

START_TEST(failed_after_max_attempts_then_manual_retry)
{
	const char *to = fresh_email("down"), *id;
	notification n;
	long long prev = 0;
	error e;

	smtp_catcher_fail(451, -1);
	id = queue_mail(to, NULL);
	for (int i = 1; i <= NOTIFY_MAX_ATTEMPTS; i++) {
		long long wait;

		due_now(id);
		deliver_all();
		ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT attempts FROM notifications.messages"
		    " WHERE id = '%s'", id)), i);
		if (i == NOTIFY_MAX_ATTEMPTS)
			break;
		/* exponential: each wait twice the one before */
		wait = sql_int(a, arena_printf(a, "SELECT ceil(extract(epoch FROM next_attempt_at - now()))"
		    "::bigint FROM notifications.messages WHERE id = '%s'", id));
		if (prev > 0)
			ck_assert_msg(wait > prev * 2 - 15 && wait <= prev * 2 + 1, "wait %lld after %lld",
			    wait, prev);
		prev = wait;
	}
	ck_assert_str_eq(col(id, "status"), "failed");
	has(col(id, "last_error"), "451");
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.outbox"
	    " WHERE aggregate_id = '%s' AND event_type = 'ecommerce.notification.failed'", id)), 1);
	/* failed for good: the notifier leaves it alone */
	due_now(id);
	deliver_all();
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT attempts FROM notifications.messages"
	    " WHERE id = '%s'", id)), NOTIFY_MAX_ATTEMPTS);
	/* the admin's retry, once the server is back */
	smtp_catcher_fail(0, 0);
	err_clear(&e);
	ck_assert_msg(notification_retry(a, id, NULL, NULL, &n, &e) == E_OK, "retry: %s", e.message);
	ck_assert_str_eq(n.status, "queued");
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "sent");
	ck_assert_int_eq(smtp_catcher_count(to), 1);
	err_clear(&e);
	ck_assert_int_eq(notification_retry(a, id, NULL, NULL, &n, &e), E_CONFLICT);
}
END_TEST

START_TEST(refusal_550_fails_at_once)
{
	const char *to = fresh_email("refused"), *id;

	smtp_catcher_fail(550, 1);
	id = queue_mail(to, NULL);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "failed");
	ck_assert_str_eq(col(id, "attempts"), "1");
	has(col(id, "last_error"), "550");
}
END_TEST

START_TEST(starttls_required_never_sends_in_clear)
{
	const char *to = fresh_email("tls"), *id;
	int mails = smtp_catcher_mail_commands();

	/* this test's child process only: the policy a shop would configure */
	((config *)cfg)->smtp_starttls = "required";
	id = queue_mail(to, NULL);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "queued");
	ck_assert_str_eq(col(id, "attempts"), "1");
	has(col(id, "last_error"), "SMTP: ");
	ck_assert_int_eq(smtp_catcher_mail_commands(), mails);
	/* offered but failing (454): still nothing in the clear */
	smtp_catcher_offer_starttls(true);
	due_now(id);
	deliver_all();
	ck_assert_int_eq(smtp_catcher_starttls_commands(), 1);
	ck_assert_str_eq(col(id, "attempts"), "2");
	ck_assert_int_eq(smtp_catcher_mail_commands(), mails);
	ck_assert_int_eq(smtp_catcher_count(to), 0);
	/* optional: the same server gets the mail in the clear */
	((config *)cfg)->smtp_starttls = "optional";
	smtp_catcher_offer_starttls(false);
	due_now(id);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "sent");
}
END_TEST

START_TEST(dot_stuffing_is_done_by_libcurl)
{
	const char *to = fresh_email("dots");
	const char *msg = arena_printf(a, "From: <no-reply@127.0.0.1>\r\nTo: <%s>\r\n"
	    "Subject: dots\r\n\r\nfirst\r\n.\r\n..two\r\n.three\r\nlast\r\n", to);
	buf b = BUF_INIT;
	bool permanent;
	error e;

	buf_puts(&b, msg);
	err_clear(&e);
	ck_assert_msg(transport_send_mail(a, "no-reply@127.0.0.1", to, &b, &permanent, &e) == E_OK,
	    "send: %s", e.message);
	buf_free(&b);
	ck_assert_ptr_nonnull(smtp_catcher_find(to));
	/* unstuffed by the server, the message is exactly what was sent */
	ck_assert_str_eq(smtp_catcher_find(to)->data, msg);
}
END_TEST

/* ------------------------------------------------------------ templates */

START_TEST(template_override_takes_effect)
{
	const char *to = fresh_email("custom"), *id;
	notification_template t;
	error e;

	err_clear(&e);
	ck_assert_int_eq(notification_template_set(a, "verify-email", "{{#broken}}", NULL, NULL,
	    NULL, NULL, &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "subject");
	err_clear(&e);
	ck_assert_int_eq(notification_template_set(a, "no-such-kind", "x", NULL, NULL, NULL, NULL,
	    &e),
	    E_NOT_FOUND);
	err_clear(&e);
	/* a line break in the subject (the template's or the data's) cannot
	 * start a header: it becomes a space */
	ck_assert_msg(notification_template_set(a, "verify-email",
	    "Custom for {{{first_name}}}\r\nBcc: victim@example.com ✓",
	    NULL, "<p>Custom {{first_name}}</p>\n", NULL, NULL, &e) == E_OK, "%s", e.message);
	id = queue_mail(to, NULL);
	/* restore before asserting, so a failure leaves the shop as it was */
	err_clear(&e);
	ck_assert_int_eq(notification_template_get(a, "verify-email", &t, &e), E_OK);
	ck_assert(t.subject_custom && !t.txt_custom && t.html_custom);
	ck_assert_int_eq(notification_template_reset(a, "verify-email", NULL, NULL, &e), E_OK);
	ck_assert_str_eq(col(id, "subject"), "Custom for Ada Bcc: victim@example.com ✓");
	ck_assert_str_eq(col(id, "body_html"), "<p>Custom Ada</p>\n");
	has(col(id, "body_text"), "Hello Ada,");
	deliver_all();
	has(received(to)->data, "\r\nSubject: =?UTF-8?B?");
	ck_assert_ptr_null(strstr(received(to)->data, "\nBcc:"));
	ck_assert_int_eq(notification_template_get(a, "verify-email", &t, &e), E_OK);
	ck_assert(!t.subject_custom && !t.html_custom);
}
END_TEST

/* ------------------------------------------------------------ API */

/* method path as the holder of tok; PUT and POST with an empty JSON body */
static http_result *
api(const char *method, const char *path, const char *tok)
{
	return http_as("198.51.100.92", tok, method, path, strcmp(method, "GET") == 0 ? NULL : "{}");
}

START_TEST(json_api)
{
	const char *email = fresh_email("api"), *other = fresh_email("other");
	char *uid = make_account(email, "customer"), *oid = make_account(other, "customer");
	char *tok = mint_token("customer", uid), *otok = mint_token("customer", oid);
	char *admin_id = make_account(fresh_email("apiadmin"), "admin");
	char *atok = mint_token("admin", admin_id);
	const char *id = queue_mail(email, uid);
	http_result *r;

	r = api("GET", arena_printf(a, "/api/v1/notifications/user/%s", uid), tok);
	expect_status(r, 200);
	ck_assert_int_eq(jint(r->json, "total_count"), 1);
	ck_assert_str_eq(jstr(r->json, "data.0.id"), id);
	ck_assert_str_eq(jstr(r->json, "data.0.type"), "verify-email");
	ck_assert_str_eq(jstr(r->json, "data.0.status"), "queued");
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/notifications/user/%s", uid), otok);
	expect_status(r, 404);
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/notifications/user/%s?status=bogus", uid), atok);
	expect_status(r, 400);
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/notifications/user/%s", uid), atok);
	expect_status(r, 200);
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/notifications/%s", id), tok);
	expect_status(r, 200);
	has(jstr(r->json, "data.body_text"), "Hello Ada,");
	ck_assert_int_eq(json_object_get_boolean(jpath(r->json, "data.is_read")), 0);
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/notifications/%s", id), otok);
	expect_status(r, 404);
	http_result_free(r);
	r = api("PUT", arena_printf(a, "/api/v1/notifications/%s/read", id), otok);
	expect_status(r, 404);
	http_result_free(r);
	r = api("PUT", arena_printf(a, "/api/v1/notifications/%s/read", id), tok);
	expect_status(r, 200);
	ck_assert_int_eq(json_object_get_boolean(jpath(r->json, "data.is_read")), 1);
	http_result_free(r);
	r = api("POST", arena_printf(a, "/api/v1/notifications/%s/retry", id), tok);
	expect_status(r, 403);
	http_result_free(r);
	/* still queued: nothing to retry */
	r = api("POST", arena_printf(a, "/api/v1/notifications/%s/retry", id), atok);
	expect_status(r, 409);
	has(r->body, "still queued");
	http_result_free(r);
	smtp_catcher_fail(550, 1);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "failed");
	/* the stack writes files: the admin's retry sends it at once */
	r = api("POST", arena_printf(a, "/api/v1/notifications/%s/retry", id), atok);
	expect_status(r, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "sent");
	http_result_free(r);
	r = api("POST", arena_printf(a, "/api/v1/notifications/%s/retry", id), atok);
	expect_status(r, 409);
	http_result_free(r);
	free(uid);
	free(oid);
	free(tok);
	free(otok);
	free(admin_id);
	free(atok);
}
END_TEST

/* ------------------------------------------------------------ admin pages */

START_TEST(admin_mail_pages)
{
	char *admin_id = make_account(fresh_email("pageadmin"), "admin");
	char *tok = mint_token("admin", admin_id), loc[256];
	const char *auth = arena_printf(a, "Authorization: Bearer %s", tok);
	const char *hdrs[] = { auth, "X-Forwarded-For: 198.51.100.93",
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	const char *to = fresh_email("page"), *id, *path;
	json_object *ctx = json_object_new_object();
	notification_template t;
	http_result *r;
	error e;

	/* a message that failed, made from hostile data */
	json_object_object_add(ctx, "first_name", json_object_new_string("<script>x</script>"));
	json_object_object_add(ctx, "email", json_object_new_string(to));
	json_object_object_add(ctx, "link", json_object_new_string("https://shop.example/x"));
	json_object_object_add(ctx, "valid_hours", json_object_new_int(48));
	err_clear(&e);
	ck_assert_int_eq(notification_send_account_mail(a, "verify-email", NULL, to, ctx, false, &id,
	    &e), E_OK);
	json_object_put(ctx);
	smtp_catcher_fail(550, 1);
	deliver_all();
	ck_assert_str_eq(col(id, "status"), "failed");

	r = http_do(test_base_url(), "GET", arena_printf(a, "/admin/mail?q=%s&status=failed", to),
	    NULL, hdrs);
	expect_status(r, 200);
	has(r->body, arena_printf(a, "href=\"/admin/mail/%s\"", id));
	has(r->body, "550");
	has(r->body, "<p class=\"count\">1 messages</p>");
	http_result_free(r);
	r = http_do(test_base_url(), "GET", "/admin/mail?status=nope", NULL, hdrs);
	expect_status(r, 400);
	http_result_free(r);

	path = arena_printf(a, "/admin/mail/%s", id);
	r = http_do(test_base_url(), "GET", path, NULL, hdrs);
	expect_status(r, 200);
	has(r->body, "Hello &lt;script&gt;x&lt;/script&gt;,");	/* the text part */
	has(r->body, "&lt;p&gt;Hello &amp;lt;script&amp;gt;");	/* the HTML part's source */
	ck_assert_ptr_null(strstr(r->body, "<script>x"));
	has(r->body, "--&#32;\n");	/* the signature keeps its space, shown exactly */
	has(r->body, arena_printf(a, "action=\"%s/retry\"", path));
	http_result_free(r);

	/* the stack writes files: the retry sends it at once */
	r = http_do(test_base_url(), "POST", arena_printf(a, "%s/retry", path), "", hdrs);
	expect_status(r, 303);
	ck_assert(http_header(r, "location", loc, sizeof loc));
	ck_assert_str_eq(loc, arena_printf(a, "%s?done=retry", path));
	http_result_free(r);
	ck_assert_str_eq(col(id, "status"), "sent");
	r = http_do(test_base_url(), "GET", loc, NULL, hdrs);
	expect_status(r, 200);
	has(r->body, "Sent.");
	http_result_free(r);
	r = http_do(test_base_url(), "POST", arena_printf(a, "%s/retry", path), "", hdrs);
	expect_status(r, 409);
	has(r->body, "sent already");
	http_result_free(r);

	/* templates: a broken override is refused with the engine's reason */
	r = http_do(test_base_url(), "POST", "/admin/mail/templates/order-refunded",
	    "subject=%7B%7B%23open%7D%7D&txt=&html=", hdrs);
	expect_status(r, 400);
	has(r->body, "does not compile");
	http_result_free(r);
	r = http_do(test_base_url(), "POST", "/admin/mail/templates/order-refunded",
	    "subject=Refund+%7B%7B%7Bnumber%7D%7D%7D&txt=&html=", hdrs);
	expect_status(r, 303);
	http_result_free(r);
	err_clear(&e);
	ck_assert_int_eq(notification_template_get(a, "order-refunded", &t, &e), E_OK);
	ck_assert(t.subject_custom && !t.txt_custom && !t.html_custom);
	ck_assert_str_eq(t.subject, "Refund {{{number}}}");
	r = http_do(test_base_url(), "GET", "/admin/mail/templates/order-refunded", NULL, hdrs);
	expect_status(r, 200);
	has(r->body, ">Refund {{{number}}}</textarea>");
	http_result_free(r);
	r = http_do(test_base_url(), "POST", "/admin/mail/templates/order-refunded/reset", "", hdrs);
	expect_status(r, 303);
	http_result_free(r);
	ck_assert_int_eq(notification_template_get(a, "order-refunded", &t, &e), E_OK);
	ck_assert(!t.subject_custom);
	free(admin_id);
	free(tok);
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
	setenv("ECOM_SMTP_USER", SMTP_USER, 1);
	setenv("ECOM_SMTP_PASSWORD", SMTP_PASS, 1);
	setenv("ECOM_PASSWORD_COST", "4", 1);
	if (config_init() != 0 || auth_init() != 0)
		return 1;
	settings_site_register();	/* as the notifier's main does */
	log_init("check_notifications", "error");
	snprintf(run_tag, sizeof run_tag, "%ld%d", (long)time(NULL) % 100000000, (int)getpid() % 10000);
	s = suite_create("notifications");
	tc = tcase_create("smtp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, verification_mail_on_register);
	tcase_add_test(tc, order_mails_from_events);
	tcase_add_test(tc, merchant_told_of_new_order);
	tcase_add_test(tc, merchant_mail_goes_to_admins_when_no_address_is_set);
	tcase_add_test(tc, payment_failed_and_low_stock);
	tcase_add_test(tc, sms_when_shipped_to_an_account_with_a_phone);
	tcase_add_test(tc, outage_451_is_retried_with_backoff);
	tcase_add_test(tc, failed_after_max_attempts_then_manual_retry);
	tcase_add_test(tc, refusal_550_fails_at_once);
	tcase_add_test(tc, starttls_required_never_sends_in_clear);
	tcase_add_test(tc, dot_stuffing_is_done_by_libcurl);
	tcase_add_test(tc, template_override_takes_effect);
	tcase_add_test(tc, json_api);
	tcase_add_test(tc, admin_mail_pages);
	suite_add_tcase(s, tc);
	test_db_domain("notifications");
	return check_run(s);
}
