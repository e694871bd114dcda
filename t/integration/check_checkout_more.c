/*
 * check_checkout_more.c — the rest of issue 5's proofs, through lighttpd
 * against the real PostgreSQL, Redis, responders and the sandbox card
 * processor:
 *
 *   - webhooks racing the customer: while POST /process runs (and the
 *     customer's browser polls the checkout), forked deliverers hand the
 *     sandbox's signed events (authorized, captured, declined, refunded)
 *     to /api/v1/payments/webhook/sandbox as they appear, 1-2 times each;
 *     afterwards every event is delivered again 1-5 times in shuffled
 *     order by four concurrent processes.  For a success card (refunded in
 *     part meanwhile), an insufficient-funds card and the slow card (the
 *     call times out, the janitor finishes) there is one order state, one
 *     payment state, one event of each kind, and the processor's ledger
 *     agrees;
 *   - an order whose total is zero (100 % coupon, free shipping) completes
 *     without the card processor and without a payment row, through the
 *     API and through the storefront's forms (no payment step, no card),
 *     and the janitor finishes one whose process died after the payment
 *     or the order step;
 *   - checkout.initiated / completed / failed in checkout.outbox, and the
 *     refunding admin named in payment.refunded;
 *   - a cancel whose compensation stops half-way (the responder killed
 *     after the status change, or the processor unreachable for the
 *     refund) is finished by one janitor run: stock back once, money back
 *     once.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#include <curl/curl.h>

#include "../check_run.h"

#include "core/parse.h"
#include "checkout_client.h"
#include "http_client.h"

#define CAMPAIGN_ALL "00000000-0000-4000-8000-0000000c4e05"
#define CAMPAIGN_SHIP "00000000-0000-4000-8000-0000000c4e06"
#define COUPON_ALL "CHKFREE100"
#define COUPON_SHIP "CHKFREESHIP"
#define CARD_FUNDS "4000000000009995"
#define CARD_SLOW "4000000000000077"

/* ------------------------------------------------------------ fixtures */

/* The shared fixtures and two more coupons. */
static void
load_more_fixtures(void)
{
	load_fixtures();
	/* a whole order for free: 100 % off and free shipping */
	free(psql("INSERT INTO campaigns.campaigns (id, name, type, status, discount_value, code,"
	    " is_stackable, priority, start_date, end_date) VALUES"
	    " ('" CAMPAIGN_ALL "', 'Checkout test 100', 'percentage', 'active', 10000,"
	    " '" COUPON_ALL "', true, 990, now() - interval '1 day', now() + interval '3650 days'),"
	    " ('" CAMPAIGN_SHIP "', 'Checkout test ship', 'free_shipping', 'active', 0,"
	    " '" COUPON_SHIP "', true, 991, now() - interval '1 day', now() + interval '3650 days')"
	    " ON CONFLICT DO NOTHING"));
}

/* ------------------------------------------------------------ an API client */

static void
apply_code(client *c, const char *code)
{
	char body[128];
	http_result *r;

	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	r = api(c, "POST", "/api/v1/cart/coupon", body);
	ck_assert_msg(r->status == 200, "coupon %s: %ld %s", code, r->status, r->body);
	http_result_free(r);
}

static void
run_janitor(const char *extra_env)
{
	const char *bin = getenv("ECOM_TEST_BIN");
	char cmd[1024];

	ck_assert_ptr_nonnull(bin);
	snprintf(cmd, sizeof cmd, "%s ECOM_SAGA_STUCK_S=0 ECOM_LOG_LEVEL=error"
	    " %s/../workers/janitor >/dev/null 2>&1", extra_env ? extra_env : "", bin);
	(void)!system(cmd);	/* exit 1 only says some job failed */
}

/* One pass of the outbox relay with the in-tree consumers (the audit log). */
static void
run_relay(void)
{
	const char *bin = getenv("ECOM_TEST_BIN");
	char cmd[1024];

	ck_assert_ptr_nonnull(bin);
	snprintf(cmd, sizeof cmd, "ECOM_LOG_LEVEL=error %s/../workers/relay --budget 0"
	    " >/dev/null 2>&1", bin);
	ck_assert_int_eq(system(cmd), 0);
}

static char *
admin_bearer(const char *sub)
{
	char *t = mint_token("admin", sub);

	ck_assert_ptr_nonnull(t);
	return t;
}

/* ------------------------------------------------------------ webhooks */

/* One delivery from a fresh address (the webhook route is rate limited
 * per client, as a real provider's many senders would be). */
static long
deliver(const char *body, const char *sig)
{
	char h[512], xff[64];
	const char *hdrs[] = { "Content-Type: application/json", xff, h, NULL };
	http_result *r;
	long st;

	snprintf(xff, sizeof xff, "X-Forwarded-For: 10.%d.%d.%d", 200 + rand() % 50,
	    rand() % 250 + 1, rand() % 250 + 1);
	snprintf(h, sizeof h, "Sandbox-Signature: %s", sig);
	r = http_do(test_base_url(), "POST", "/api/v1/payments/webhook/sandbox", body, hdrs);
	st = r->status;
	http_result_free(r);
	return st;
}

typedef struct events {
	int  n;
	char body[32][2048];
	char sig[32][160];
} events;

/* The processor's signed events for an idempotency key, oldest first. */
static void
fetch_events(const char *key, events *ev)
{
	char path[256], xff[64];
	http_result *r;
	json_object *list;

	snprintf(xff, sizeof xff, "X-Forwarded-For: 10.199.%d.%d", rand() % 250 + 1, rand() % 250 + 1);
	snprintf(path, sizeof path, "/sandbox/v1/events?payment=%s", key);
	r = http_do(test_base_url(), "GET", path, NULL, (const char *[]){ xff, NULL });
	ev->n = 0;
	if (r->status == 200 && (list = jpath(r->json, "data"))) {
		for (size_t i = 0; i < json_object_array_length(list) && ev->n < 32; i++) {
			json_object *o = json_object_array_get_idx(list, i), *b, *s;

			if (!json_object_object_get_ex(o, "body", &b) ||
			    !json_object_object_get_ex(o, "signature", &s))
				continue;
			snprintf(ev->body[ev->n], sizeof ev->body[0], "%s", json_object_get_string(b));
			snprintf(ev->sig[ev->n], sizeof ev->sig[0], "%s", json_object_get_string(s));
			ev->n++;
		}
	}
	http_result_free(r);
}

static void
shuffle(int *v, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = rand() % (i + 1), t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/* A deliverer racing the saga: each event that appears is delivered 1-2
 * times, new ones in shuffled order, until the stop file exists. */
static void
live_deliverer(const char *key, const char *stop, unsigned seed)
{
	static events ev;
	int seen = 0;

	srand(seed);
	for (int rounds = 0; rounds < 2000; rounds++) {
		int order[64], n = 0;
		bool last = access(stop, F_OK) == 0;

		fetch_events(key, &ev);
		for (int i = seen; i < ev.n; i++)
			for (int k = 1 + rand() % 2; k > 0; k--)
				order[n++] = i;
		shuffle(order, n);
		for (int i = 0; i < n; i++)
			if (deliver(ev.body[order[i]], ev.sig[order[i]]) != 200)
				_exit(3);
		seen = ev.n;
		if (last)
			_exit(0);
		usleep(20000);
	}
	_exit(0);
}

/* The customer's browser coming back: reads its checkout until stopped. */
static void
returner(client c, const char *stop)
{
	char path[128];

	snprintf(path, sizeof path, "/api/v1/checkout/%s", c.checkout);
	while (access(stop, F_OK) != 0) {
		http_result *r = api(&c, "GET", path, NULL);

		if (r->status != 200)
			_exit(3);
		http_result_free(r);
		usleep(30000);
	}
	_exit(0);
}

/* Every event again, each 1-5 times, shuffled, from four processes at once. */
static void
redeliver_all(const char *key)
{
	static events ev;
	int order[256], n = 0;
	pid_t kids[4];

	fetch_events(key, &ev);
	ck_assert_int_gt(ev.n, 0);
	for (int i = 0; i < ev.n; i++)
		for (int k = 1 + rand() % 5; k > 0; k--)
			order[n++] = i;
	shuffle(order, n);
	for (int w = 0; w < 4; w++) {
		kids[w] = fork();
		ck_assert_int_ge(kids[w], 0);
		if (kids[w] == 0) {
			srand((unsigned)getpid());
			for (int i = w; i < n; i += 4)
				if (deliver(ev.body[order[i]], ev.sig[order[i]]) != 200)
					_exit(3);
			_exit(0);
		}
	}
	for (int w = 0; w < 4; w++) {
		int st;

		ck_assert_int_eq(waitpid(kids[w], &st, 0), kids[w]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a redelivery was refused");
	}
}

static long long
outbox_count(const char *schema, const char *type, const char *aggregate)
{
	return psql_int("SELECT count(*) FROM %s.outbox WHERE event_type = 'ecommerce.%s'"
	    " AND aggregate_id = '%s'", schema, type, aggregate);
}

static const char *const race_cards[] = { CARD_OK, CARD_FUNDS, CARD_SLOW };

START_TEST(webhooks_racing_the_customer_end_in_one_state)
{
	const char *card = race_cards[_i];
	client c;
	http_result *r;
	char key[64], stop[64], pay[40] = "";
	pid_t kids[3];
	long status;
	events ev;

	srand((unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)_i);
	client_init(&c);
	add_to_cart(&c, 0, 1);
	prepare(&c, card);
	snprintf(key, sizeof key, "%s:1", c.checkout);
	snprintf(stop, sizeof stop, "/tmp/check_checkout_more.stop.%d", (int)getpid());
	unlink(stop);
	for (int k = 0; k < 3; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			if (k == 2)
				returner(c, stop);
			live_deliverer(key, stop, (unsigned)getpid());
		}
	}
	r = process(&c, card, NULL);
	status = r->status;
	if (_i == 0) {
		ck_assert_msg(status == 200, "process: %ld %s", status, r->body);
		ck_assert_str_eq(jstr(r->json, "data.status"), "completed");
	} else if (_i == 1) {
		ck_assert_msg(status == 422, "process: %ld %s", status, r->body);
		ck_assert_str_eq(jstr(r->json, "error.message"), "insufficient funds");
	} else {
		/* the processor answers after our timeout: the janitor decides */
		ck_assert_msg(status == 503, "process: %ld %s", status, r->body);
	}
	http_result_free(r);
	if (_i == 2) {
		usleep(300000);	/* the deliverers see the authorization */
		run_janitor("ECOM_PAYMENT_TIMEOUT_MS=500");
	}
	{
		char sql[256], *out;

		snprintf(sql, sizeof sql, "SELECT id FROM payments.payments WHERE checkout_id = '%s'",
		    c.checkout);
		out = psql(sql);
		ck_assert_msg(out && strlen(out) == 36, "no payment for %s", c.checkout);
		snprintf(pay, sizeof pay, "%s", out);
		free(out);
	}
	if (_i == 0) {
		/* an admin refunds part while the deliverers still run */
		char *admin = admin_bearer("00000000-0000-4000-8000-0000000c4e07");
		char auth[4300], path[128];

		snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
		snprintf(path, sizeof path, "/api/v1/payments/%s/refund", pay);
		r = http_do(test_base_url(), "POST", path, "{\"amount\":300,\"reason\":\"damaged box\"}",
		    (const char *[]){ "X-Forwarded-For: 10.198.0.1", auth,
		    "Content-Type: application/json", "Idempotency-Key: race-refund", NULL });
		ck_assert_msg(r->status == 200, "refund: %ld %s", r->status, r->body);
		http_result_free(r);
		free(admin);
		usleep(200000);
	}
	{
		FILE *f = fopen(stop, "w");

		ck_assert_ptr_nonnull(f);
		fclose(f);
	}
	for (int k = 0; k < 3; k++) {
		int st;

		ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d failed", k);
	}
	unlink(stop);
	redeliver_all(key);
	fetch_events(key, &ev);

	/* one payment, in the state of the processor's newest event */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id = '%s'",
	    c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.webhook_events WHERE payment_id = '%s'",
	    pay), ev.n);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments p JOIN"
	    " sandbox.authorizations a ON a.idempotency_key = p.idempotency_key"
	    " WHERE p.id = '%s' AND p.provider_version = a.version", pay), 1);
	if (_i == 1) {
		ck_assert_int_eq(ev.n, 1);	/* declined */
		ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE id = '%s'"
		    " AND status = 'failed' AND failure_code = 'insufficient_funds'"
		    " AND failure_message = 'insufficient funds'", pay), 1);
		ck_assert_int_eq(orders_of(c.checkout), 0);
		ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
		    " AND status = 'failed'", c.checkout), 1);
		ck_assert_int_eq(outbox_count("payments", "payment.failed", pay), 1);
		ck_assert_int_eq(outbox_count("payments", "payment.succeeded", pay), 0);
		ck_assert_int_eq(held_of(c.checkout), 0);
		ck_assert_int_eq(cart_items(&c), 1);
		return;
	}
	/* a success: one confirmed order, paid by one capture */
	ck_assert_int_eq(orders_of(c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id = '%s'"
	    " AND status = 'confirmed'", c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'completed'", c.checkout), 1);
	ck_assert_int_eq(outbox_count("payments", "payment.succeeded", pay), 1);
	ck_assert_int_eq(outbox_count("payments", "payment.failed", pay), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM sandbox.authorizations WHERE"
	    " idempotency_key = '%s' AND captured_amount = amount", key), 1);
	ck_assert_int_eq(cart_items(&c), 0);
	if (_i == 0) {
		ck_assert_int_eq(ev.n, 3);	/* authorized, captured, partially_refunded */
		ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE id = '%s'"
		    " AND status = 'partially_refunded' AND refunded_amount = 300", pay), 1);
		ck_assert_int_eq(outbox_count("payments", "payment.refunded", pay), 1);
	} else {
		ck_assert_int_eq(ev.n, 2);	/* authorized, captured */
		ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE id = '%s'"
		    " AND status = 'captured'", pay), 1);
	}
}
END_TEST

/* ------------------------------------------------------------ zero total */

START_TEST(a_free_order_completes_without_the_processor)
{
	client c;
	http_result *r;
	char path[128], body[256];

	client_init(&c);
	add_to_cart(&c, 0, 1);
	apply_code(&c, COUPON_ALL);
	apply_code(&c, COUPON_SHIP);
	snprintf(body, sizeof body, "{\"email\":\"free@example.com\"}");
	r = api(&c, "POST", "/api/v1/checkout", body);
	ck_assert_msg(r->status == 201, "create: %ld %s", r->status, r->body);
	snprintf(c.checkout, sizeof c.checkout, "%s", jstr(r->json, "data.id"));
	snprintf(c.token, sizeof c.token, "%s", jstr(r->json, "data.checkout_token"));
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/checkout/%s/shipping", c.checkout);
	r = api(&c, "PUT", path, "{\"full_name\":\"Ada Lovelace\",\"address_line\":\"1 Test Street\","
	    "\"city\":\"Berlin\",\"postal_code\":\"10115\",\"country\":\"DE\",\"shipping_method\":\"standard\"}");
	ck_assert_msg(r->status == 200, "shipping: %ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "data.total"), 0);
	http_result_free(r);
	/* no payment method chosen, no card sent */
	snprintf(path, sizeof path, "/api/v1/checkout/%s/process", c.checkout);
	r = api(&c, "POST", path, "{}");
	ck_assert_msg(r->status == 200, "process: %ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.status"), "completed");
	ck_assert_int_eq(jint(r->json, "data.total"), 0);
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id = '%s'"
	    " AND total = 0 AND status = 'confirmed' AND payment_id IS NULL", c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id = '%s'",
	    c.checkout), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM sandbox.authorizations WHERE"
	    " idempotency_key LIKE '%s:%%'", c.checkout), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM inventory.reservations WHERE key = '%s'"
	    " AND status = 'confirmed'", c.checkout), 1);
	ck_assert_int_eq(cart_items(&c), 0);
	ck_assert_int_eq(outbox_count("checkout", "checkout.completed", c.checkout), 1);
}
END_TEST


/* POST /process of a free order as plain CGI with ECOM_FAULT_STEP: the
 * responder dies right after that step; the exit status. */
static int
free_process_as_cgi(const client *c, const char *step)
{
	const char *bin = getenv("ECOM_TEST_BIN"), *conf = getenv("ECOM_CONFIG");
	char path[128], cmd[4096];

	ck_assert_ptr_nonnull(bin);
	ck_assert_ptr_nonnull(conf);
	snprintf(path, sizeof path, "/api/v1/checkout/%s/process", c->checkout);
	snprintf(cmd, sizeof cmd, "printf '{}' | env -i PATH=\"$PATH\" ECOM_CONFIG='%s' ECOM_ENV=test"
	    " ECOM_LOG_LEVEL=error ECOM_FAULT_STEP=%s GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST"
	    " REQUEST_URI=%s SCRIPT_NAME= PATH_INFO=%s CONTENT_TYPE=application/json"
	    " CONTENT_LENGTH=2 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1"
	    " HTTP_X_CHECKOUT_TOKEN=%s %s/checkout.fcgi > /dev/null 2>&1",
	    conf, step, path, path, c->token, bin);
	{
		int st = system(cmd);

		return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
}

static const char *const free_faults[] = { "payment", "order" };

/* The janitor finishes a free order whose process died: straight to the
 * order, never to the processor. */
START_TEST(a_free_order_cut_short_is_finished_by_the_janitor)
{
	client c;
	http_result *r;
	char path[128];

	client_init(&c);
	add_to_cart(&c, 0, 1);
	apply_code(&c, COUPON_ALL);
	apply_code(&c, COUPON_SHIP);
	r = api(&c, "POST", "/api/v1/checkout", "{\"email\":\"free@example.com\"}");
	ck_assert_msg(r->status == 201, "create: %ld %s", r->status, r->body);
	snprintf(c.checkout, sizeof c.checkout, "%s", jstr(r->json, "data.id"));
	snprintf(c.token, sizeof c.token, "%s", jstr(r->json, "data.checkout_token"));
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/checkout/%s/shipping", c.checkout);
	r = api(&c, "PUT", path, "{\"full_name\":\"Ada Lovelace\",\"address_line\":\"1 Test Street\","
	    "\"city\":\"Berlin\",\"postal_code\":\"10115\",\"country\":\"DE\",\"shipping_method\":\"standard\"}");
	ck_assert_msg(r->status == 200 && jint(r->json, "data.total") == 0, "shipping: %ld %s",
	    r->status, r->body);
	http_result_free(r);
	ck_assert_int_eq(free_process_as_cgi(&c, free_faults[_i]), 70);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'processing'", c.checkout), 1);
	run_janitor(NULL);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'completed'", c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id = '%s'"
	    " AND total = 0 AND status = 'confirmed'", c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id = '%s'",
	    c.checkout), 0);
	ck_assert_int_eq(held_of(c.checkout), 0);
	ck_assert_int_eq(cart_items(&c), 0);
}
END_TEST

/* ------------------------------------------------------------ storefront */

/* The storefront's forms: no payment step and no card fields when there
 * is nothing to pay. */
START_TEST(a_free_order_through_the_storefront_asks_for_no_card)
{
	jar j = { "", "" };
	http_result *r;
	char *csrf, *key, body[1024], loc[256], id[64];
	const char *c;

	snprintf(j.ip, sizeof j.ip, "10.45.%d.%d", (int)(getpid() % 250) + 1, (int)(time(NULL) % 250) + 1);
	snprintf(body, sizeof body, "product_id=%s&variant_id=%s&quantity=1", pid[0], vid[0]);
	post_form(&j, "/login", "/cart/items", body);
	post_form(&j, "/login", "/cart/coupon", "code=" COUPON_ALL);
	post_form(&j, "/login", "/cart/coupon", "code=" COUPON_SHIP);
	post_step(&j, "/checkout/address", "email=free%40example.com&full_name=Ada&address_line1=1+St"
	    "&city=Berlin&postal_code=10115&country=DE");
	post_step(&j, "/checkout/shipping", "shipping_method=standard");
	r = page(&j, "GET", "/checkout", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(strstr(r->body, "Nothing to pay") != NULL, "%.3000s", r->body);
	ck_assert_ptr_null(strstr(r->body, "card_number"));
	csrf = field(r, "csrf_token");
	key = field(r, "idempotency_key");
	http_result_free(r);
	ck_assert_ptr_nonnull(c = strstr(j.cookies, "checkout_id="));
	snprintf(id, sizeof id, "%.36s", c + strlen("checkout_id="));
	snprintf(body, sizeof body, "csrf_token=%s&idempotency_key=%s", csrf, key);
	free(csrf);
	free(key);
	r = page(&j, "POST", "/checkout/place", body);
	ck_assert_msg(r->status == 303, "place: %ld %.2000s", r->status, r->body);
	ck_assert(http_header(r, "location", loc, sizeof loc));
	ck_assert_ptr_nonnull(strstr(loc, "/orders/EC-"));
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id = '%s'"
	    " AND total = 0 AND status = 'confirmed'", id), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id = '%s'",
	    id), 0);
}
END_TEST

/* ------------------------------------------------------------ events */

START_TEST(checkout_and_refund_events_say_what_and_who)
{
	client ok, bad;
	http_result *r;
	char *admin;
	char auth[4300], path[160], sql[512], *out;
	const char *admin_id = "00000000-0000-4000-8000-0000000c4e08";

	client_init(&ok);
	add_to_cart(&ok, 1, 1);
	prepare(&ok, CARD_OK);
	ck_assert_int_eq(outbox_count("checkout", "checkout.initiated", ok.checkout), 1);
	r = process(&ok, CARD_OK, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	ck_assert_int_eq(outbox_count("checkout", "checkout.completed", ok.checkout), 1);
	ck_assert_int_eq(outbox_count("checkout", "checkout.failed", ok.checkout), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.checkout.completed' AND aggregate_type = 'checkout'"
	    " AND payload->>'source' = 'checkout' AND payload->'data'->>'order_number' LIKE 'EC-%%'"
	    " AND (payload->'data'->>'total')::bigint > 0", ok.checkout), 1);
	/* processing again changes nothing and says nothing */
	r = process(&ok, CARD_OK, NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	ck_assert_int_eq(outbox_count("checkout", "checkout.completed", ok.checkout), 1);

	client_init(&bad);
	add_to_cart(&bad, 1, 1);
	prepare(&bad, "4000000000000002");
	r = process(&bad, "4000000000000002", NULL);
	ck_assert_int_eq(r->status, 422);
	http_result_free(r);
	ck_assert_int_eq(outbox_count("checkout", "checkout.initiated", bad.checkout), 1);
	ck_assert_int_eq(outbox_count("checkout", "checkout.failed", bad.checkout), 1);
	ck_assert_int_eq(outbox_count("checkout", "checkout.completed", bad.checkout), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.checkout.failed'"
	    " AND payload->'data'->>'failure_code' = 'PAYMENT_FAILED'", bad.checkout), 1);

	/* an admin's refund names the admin */
	snprintf(sql, sizeof sql, "SELECT id FROM payments.payments WHERE checkout_id = '%s'",
	    ok.checkout);
	out = psql(sql);
	ck_assert_ptr_nonnull(out);
	snprintf(path, sizeof path, "/api/v1/payments/%s/refund", out);
	admin = admin_bearer(admin_id);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
	r = http_do(test_base_url(), "POST", path, "{\"amount\":100,\"reason\":\"goodwill\"}",
	    (const char *[]){ "X-Forwarded-For: 10.198.0.2", auth, "Content-Type: application/json",
	    NULL });
	ck_assert_msg(r->status == 200, "refund: %ld %s", r->status, r->body);
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.payment.refunded'"
	    " AND payload->'metadata'->>'actor_id' = '%s'"
	    " AND payload->'metadata'->>'actor_role' = 'admin'"
	    " AND payload->>'correlation_id' IS NOT NULL", out, admin_id), 1);
	/* and the audit log, fed by the relay, says who gave the money back */
	run_relay();
	ck_assert_int_eq(psql_int("SELECT count(*) FROM audit.entries WHERE"
	    " event_type = 'payment.refunded' AND aggregate_id = '%s' AND actor_id = '%s'"
	    " AND actor_role = 'admin'", out, admin_id), 1);
	free(out);
	free(admin);
}
END_TEST

/* ------------------------------------------------------------ cancel */

/* POST /api/v1/orders/{id}/cancel as an admin, through orders.fcgi as
 * plain CGI with extra environment: the exit status. */
static int
cancel_as_cgi(const char *order_id, const char *bearer, const char *env)
{
	const char *bin = getenv("ECOM_TEST_BIN"), *conf = getenv("ECOM_CONFIG");
	const char *body = "{\"reason\":\"canceled by the test\"}";
	char path[128], file[64];
	char *cmd;
	FILE *f;
	int st;

	ck_assert_ptr_nonnull(bin);
	ck_assert_ptr_nonnull(conf);
	ck_assert_ptr_nonnull(cmd = malloc(16384));
	snprintf(path, sizeof path, "/api/v1/orders/%s/cancel", order_id);
	snprintf(file, sizeof file, "/tmp/check_checkout_more_body.%d", (int)getpid());
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(body, f);
	fclose(f);
	snprintf(cmd, 16384, "env -i PATH=\"$PATH\" ECOM_CONFIG='%s' ECOM_ENV=test"
	    " ECOM_LOG_LEVEL=error %s GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST"
	    " REQUEST_URI=%s SCRIPT_NAME= PATH_INFO=%s CONTENT_TYPE=application/json"
	    " CONTENT_LENGTH=%zu SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1"
	    " HTTP_AUTHORIZATION='Bearer %s' %s/orders.fcgi < %s > /dev/null 2>&1",
	    conf, env, path, path, strlen(body), bearer, bin, file);
	st = system(cmd);
	free(cmd);
	unlink(file);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long long
available(int i)
{
	return psql_int("SELECT sum(on_hand - reserved) FROM inventory.stock WHERE variant_id = '%s'",
	    vid[i]);
}

static const char *
refusing_processor_url(void)
{
	static char u[256];

	snprintf(u, sizeof u, "%s/sandbox/v1/nosuch", test_base_url());
	return u;
}

/* how the cancel is cut short, and the responder's exit status */
static const struct { const char *name, *env; int exit; } cancel_faults[] = {
	{ "killed after the status change", "ECOM_FAULT_STEP=cancel_stock", 70 },
	{ "killed after the stock step", "ECOM_FAULT_STEP=cancel_refund", 70 },
	/* the processor answers 404 to the refund: refused, amount given back */
	{ "refund refused", "ECOM_PAYMENT_SANDBOX_URL=", 0 },
	/* nobody answers: the refund stays pending */
	{ "processor unreachable", "ECOM_PAYMENT_SANDBOX_URL=http://127.0.0.1:9 ECOM_PAYMENT_TIMEOUT_MS=300", 0 },
};

START_TEST(a_cut_short_cancel_is_finished_by_the_janitor)
{
	client c;
	http_result *r;
	char sql[256], order_id[40], pay[40], env[512], *out, *admin;
	long long before, amount;

	client_init(&c);
	add_to_cart(&c, 1, 2);
	prepare(&c, CARD_OK);
	r = process(&c, CARD_OK, NULL);
	ck_assert_msg(r->status == 200, "process: %ld %s", r->status, r->body);
	http_result_free(r);
	snprintf(sql, sizeof sql, "SELECT order_id::text || ' ' || payment_id::text FROM"
	    " checkout.checkouts WHERE id = '%s'", c.checkout);
	out = psql(sql);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(sscanf(out, "%36s %36s", order_id, pay), 2);
	free(out);
	amount = psql_int("SELECT amount FROM payments.payments WHERE id = '%s'", pay);
	before = available(1);
	snprintf(env, sizeof env, "%s%s", cancel_faults[_i].env,
	    _i == 2 ? refusing_processor_url() : "");
	admin = admin_bearer("00000000-0000-4000-8000-0000000c4e09");
	ck_assert_int_eq(cancel_as_cgi(order_id, admin, env), cancel_faults[_i].exit);
	free(admin);
	/* the cancel stands; what it owes is remembered */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.orders WHERE id = '%s'"
	    " AND status = 'canceled'", order_id), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.compensations WHERE order_id = '%s'"
	    " AND refund", order_id), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.refunds WHERE payment_id = '%s'"
	    " AND status = 'succeeded'", pay), 0);
	ck_assert_int_eq(available(1), _i == 0 ? before : before + 2);
	if (_i == 3)
		sleep(2);	/* a pending refund is the processor's to answer first */
	run_janitor("ECOM_PAYMENT_TIMEOUT_MS=500");
	/* stock back once, money back once, nothing owed */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.compensations WHERE order_id = '%s'",
	    order_id), 0);
	ck_assert_int_eq(available(1), before + 2);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE id = '%s'"
	    " AND status = 'refunded' AND refunded_amount = amount", pay), 1);
	ck_assert_int_eq(psql_int("SELECT coalesce(sum(amount), 0) FROM payments.refunds"
	    " WHERE payment_id = '%s' AND status = 'succeeded'", pay), amount);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.refunds WHERE payment_id = '%s'",
	    pay), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM sandbox.authorizations a JOIN"
	    " payments.payments p ON p.provider_ref = a.id WHERE p.id = '%s'"
	    " AND a.refunded_amount = a.captured_amount", pay), 1);
	/* whoever finished it, the refund is the admin's who canceled */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.payment.refunded'"
	    " AND payload->'metadata'->>'actor_id' = '00000000-0000-4000-8000-0000000c4e09'"
	    " AND payload->'metadata'->>'actor_role' = 'admin'", pay), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.payment.refunded'", pay), 1);
	run_janitor("ECOM_PAYMENT_TIMEOUT_MS=500");
	ck_assert_int_eq(available(1), before + 2);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM sandbox.refunds s JOIN payments.payments p"
	    " ON p.provider_ref = s.authorization_id WHERE p.id = '%s'", pay), 1);
}
END_TEST

static Suite *
more_suite(void)
{
	Suite *s = suite_create("checkout_more");
	TCase *tc = tcase_create("checkout_more");

	tcase_set_timeout(tc, 300);
	tcase_add_unchecked_fixture(tc, load_more_fixtures, NULL);
	tcase_add_loop_test(tc, webhooks_racing_the_customer_end_in_one_state, 0,
	    (int)(sizeof race_cards / sizeof race_cards[0]));
	tcase_add_test(tc, a_free_order_completes_without_the_processor);
	tcase_add_test(tc, a_free_order_through_the_storefront_asks_for_no_card);
	tcase_add_loop_test(tc, a_free_order_cut_short_is_finished_by_the_janitor, 0,
	    (int)(sizeof free_faults / sizeof free_faults[0]));
	tcase_add_test(tc, checkout_and_refund_events_say_what_and_who);
	tcase_add_loop_test(tc, a_cut_short_cancel_is_finished_by_the_janitor, 0,
	    (int)(sizeof cancel_faults / sizeof cancel_faults[0]));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (test_base_url() == NULL || getenv("ECOM_TEST_PSQL") == NULL ||
	    getenv("ECOM_TEST_ECOMCTL") == NULL || getenv("ECOM_TEST_BIN") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL / ECOM_TEST_PSQL / ECOM_TEST_ECOMCTL / ECOM_TEST_BIN not set"
		    " (./check sets them)");
		return 77;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return check_run(more_suite());
}
