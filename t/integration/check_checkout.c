/*
 * check_checkout.c — the checkout saga through lighttpd against the real
 * PostgreSQL, Redis, responders and the sandbox card processor
 * (api-v1.md §Checkout).
 *
 * Covers: the happy path for a guest and a signed-in user, each with a
 * coupon (order, captured payment, confirmed reservation and coupon use,
 * empty cart); a declined card (422 with the processor's reason, cart
 * intact, stock and coupon released); 300 concurrent buyers of a variant
 * with 10 units (exactly 10 orders and captures, nothing else captured or
 * left uncompensated, stock 0, every loser's cart intact); Idempotency-Key
 * (20 concurrent and 20 sequential repeats: one order, one charge, one
 * replayed body; another body with the key: 422); owner checks (another
 * guest's token: 404); and fault injection — the responder run as plain
 * CGI with ECOM_FAULT_STEP at each step dies right after that step, then
 * one janitor run must leave the saga completed or fully compensated.
 *
 * The suite uses its own warehouse (CHKTEST), its own variants' stock and
 * its own coupon, so demo data may change freely.
 */
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

#define CARD_DECLINED "4000000000000002"
#define BUYERS 300
#define UNITS 10

/* ------------------------------------------------------------ fixtures */

/* Exactly UNITS of variant 2 for sale, nothing reserved anywhere. */
static void
contested_stock(void)
{
	char sql[1024];

	snprintf(sql, sizeof sql, "UPDATE inventory.reservations r SET status = 'released',"
	    " release_reason = 'test reset' FROM inventory.reservation_lines l"
	    " WHERE l.reservation_id = r.id AND l.variant_id = '%s' AND r.status = 'active';"
	    " UPDATE inventory.stock SET reserved = 0, on_hand = 0 WHERE variant_id = '%s';"
	    " UPDATE inventory.stock SET on_hand = %d WHERE variant_id = '%s'"
	    " AND warehouse_id = '" WAREHOUSE "'", vid[2], vid[2], UNITS, vid[2]);
	free(psql(sql));
}

/* ------------------------------------------------------------ an API client */

static void
apply_coupon(client *c)
{
	http_result *r = api(c, "POST", "/api/v1/cart/coupon", "{\"code\":\"" COUPON "\"}");

	ck_assert_msg(r->status == 200, "coupon: %ld %s", r->status, r->body);
	http_result_free(r);
}

static long long
captured_of(const char *id)
{
	return psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id = '%s'"
	    " AND status IN ('captured', 'authorized')", id);
}

static long long
coupon_held_of(const char *id)
{
	return psql_int("SELECT count(*) FROM campaigns.usage WHERE checkout_id = '%s'"
	    " AND status = 'reserved'", id);
}

static void
assert_completed(const char *id)
{
	ck_assert_int_eq(orders_of(id), 1);
	ck_assert_int_eq(captured_of(id), 1);
	ck_assert_int_eq(held_of(id), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM inventory.reservations WHERE key = '%s'"
	    " AND status = 'confirmed'", id), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'completed' AND order_id IS NOT NULL", id), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments p JOIN orders.orders o"
	    " ON o.checkout_id = p.checkout_id AND p.order_id = o.id WHERE p.checkout_id = '%s'"
	    " AND p.amount = o.total", id), 1);
}

/* Nothing left taken: no order, no captured money, no held stock or coupon. */
static void
assert_compensated(const char *id)
{
	ck_assert_int_eq(orders_of(id), 0);
	ck_assert_int_eq(captured_of(id), 0);
	ck_assert_int_eq(held_of(id), 0);
	ck_assert_int_eq(coupon_held_of(id), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'failed'", id), 1);
}

/* ------------------------------------------------------------ happy paths */

START_TEST(guest_happy_path_with_coupon)
{
	client c;
	http_result *r;
	char path[128];

	client_init(&c);
	add_to_cart(&c, 0, 2);
	add_to_cart(&c, 1, 1);
	apply_coupon(&c);
	prepare(&c, CARD_OK);
	r = process(&c, CARD_OK, "same-key-everywhere");
	ck_assert_msg(r->status == 200, "process: %ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.status"), "completed");
	ck_assert_ptr_nonnull(jstr(r->json, "data.order_number"));
	ck_assert_int_gt(jint(r->json, "data.discount_total"), 0);
	ck_assert_int_eq(jint(r->json, "data.total"), jint(r->json, "data.subtotal") -
	    jint(r->json, "data.discount_total") + jint(r->json, "data.shipping") +
	    jint(r->json, "data.tax"));
	ck_assert_ptr_null(strstr(r->body, CARD_OK));	/* never echoed */
	http_result_free(r);
	assert_completed(c.checkout);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM campaigns.usage WHERE checkout_id = '%s'"
	    " AND campaign_id = '" CAMPAIGN "' AND status = 'confirmed'", c.checkout), 1);
	ck_assert_int_eq(cart_items(&c), 0);
	/* the card number is nowhere in the checkout schema */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts c LEFT JOIN"
	    " checkout.idempotency_keys k ON k.checkout_id = c.id WHERE c.id = '%s' AND"
	    " (c::text LIKE '%%4242424242%%' OR coalesce(k.response, '') LIKE '%%4242424242%%')",
	    c.checkout), 0);
	/* processing again answers the same completed checkout */
	r = process(&c, CARD_OK, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "completed");
	http_result_free(r);
	ck_assert_int_eq(orders_of(c.checkout), 1);
	/* a stranger with another token sees nothing */
	snprintf(path, sizeof path, "/api/v1/checkout/%s", c.checkout);
	snprintf(c.token, sizeof c.token, "%064d", 0);
	r = api(&c, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
}
END_TEST

START_TEST(user_happy_path_with_coupon)
{
	client c, other;
	http_result *r;
	char uid[40], *tok, path[128];

	snprintf(uid, sizeof uid, "00000000-0000-4000-8000-%012x", (unsigned)(time(NULL) & 0xffffff));
	client_init(&c);
	tok = mint_token("customer", uid);
	ck_assert_ptr_nonnull(tok);
	snprintf(c.bearer, sizeof c.bearer, "%s", tok);
	free(tok);
	add_to_cart(&c, 1, 3);
	apply_coupon(&c);
	r = api(&c, "POST", "/api/v1/checkout", "{\"email\":\"buyer@example.com\"}");
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_ptr_null(jstr(r->json, "data.checkout_token"));	/* users need none */
	http_result_free(r);
	prepare(&c, CARD_OK);
	/* keys belong to their checkout: a key another checkout used is fresh */
	r = process(&c, CARD_OK, "same-key-everywhere");
	ck_assert_msg(r->status == 200, "process: %ld %s", r->status, r->body);
	http_result_free(r);
	assert_completed(c.checkout);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id = '%s'"
	    " AND user_id IS NOT NULL", c.checkout), 1);
	ck_assert_int_eq(cart_items(&c), 0);
	/* another customer: 404, not 403 */
	client_init(&other);
	tok = mint_token("customer", "00000000-0000-4000-8000-00000000dead");
	snprintf(other.bearer, sizeof other.bearer, "%s", tok);
	free(tok);
	snprintf(path, sizeof path, "/api/v1/checkout/%s", c.checkout);
	r = api(&other, "GET", path, NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ decline */

START_TEST(declined_card_releases_everything)
{
	client c;
	http_result *r;
	long long before_avail;

	client_init(&c);
	add_to_cart(&c, 0, 1);
	apply_coupon(&c);
	before_avail = psql_int("SELECT sum(on_hand - reserved) FROM inventory.stock"
	    " WHERE variant_id = '%s'", vid[0]);
	prepare(&c, CARD_DECLINED);
	r = process(&c, CARD_DECLINED, NULL);
	ck_assert_msg(r->status == 422, "process: %ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "error.code"), "PAYMENT_FAILED");
	ck_assert_msg(strstr(jstr(r->json, "error.message"), "declined") != NULL, "%s", r->body);
	http_result_free(r);
	assert_compensated(c.checkout);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM inventory.reservations WHERE key = '%s'"
	    " AND status = 'released'", c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM campaigns.usage WHERE checkout_id = '%s'"
	    " AND campaign_id = '" CAMPAIGN "' AND status = 'released'", c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT sum(on_hand - reserved) FROM inventory.stock"
	    " WHERE variant_id = '%s'", vid[0]), before_avail);
	ck_assert_int_eq(cart_items(&c), 1);
	/* a retry answers the same failure; a new checkout from the cart works */
	r = process(&c, CARD_DECLINED, NULL);
	ck_assert_int_eq(r->status, 422);
	http_result_free(r);
	c.token[0] = '\0';
	prepare(&c, CARD_OK);
	r = process(&c, CARD_OK, NULL);
	ck_assert_msg(r->status == 200, "retry: %ld %s", r->status, r->body);
	http_result_free(r);
	assert_completed(c.checkout);
}
END_TEST

/* ------------------------------------------------------------ janitor */

static void
run_janitor(void)
{
	const char *bin = getenv("ECOM_TEST_BIN");
	char cmd[1024];

	ck_assert_ptr_nonnull(bin);
	snprintf(cmd, sizeof cmd, "ECOM_SAGA_STUCK_S=0 ECOM_LOG_LEVEL=error %s/../workers/janitor"
	    " >/dev/null 2>&1", bin);
	/* exit 1 only says some job failed; the invariants below decide */
	(void)!system(cmd);
}

/* ------------------------------------------------------------ 300 buyers */

START_TEST(three_hundred_buyers_ten_units)
{
	static client b[BUYERS];
	pid_t kids[BUYERS];
	int ok = 0, orders = 0;
	char email[64], sel[160];

	contested_stock();
	/* the buyers' checkouts are found by their run's e-mail */
	snprintf(email, sizeof email, "b%ld-%d@example.com", (long)time(NULL), (int)getpid());
	snprintf(sel, sizeof sel, "SELECT id::text FROM checkout.checkouts WHERE email = '%s'", email);
	for (int i = 0; i < BUYERS; i++) {
		client_init(&b[i]);
		snprintf(b[i].email, sizeof b[i].email, "%s", email);
		add_to_cart(&b[i], 2, 1);
		prepare(&b[i], CARD_OK);
	}
	for (int i = 0; i < BUYERS; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			http_result *r = process(&b[i], CARD_OK, NULL);
			int st = r->status == 200 ? 0 : r->status == 409 || r->status == 503 ? 1 : 2;

			_exit(st);
		}
	}
	for (int i = 0; i < BUYERS; i++) {
		int st;

		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert(WIFEXITED(st));
		ck_assert_msg(WEXITSTATUS(st) != 2, "buyer %d: unexpected answer", i);
		ok += WEXITSTATUS(st) == 0;
	}
	run_janitor();		/* settles any saga a timeout left open */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE email = '%s'", email),
	    BUYERS);
	orders = (int)psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id IN (%s)", sel);
	ck_assert_int_eq(orders, UNITS);
	ck_assert_int_le(ok, UNITS);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id IN (%s)"
	    " AND status IN ('captured', 'authorized')", sel), UNITS);
	/* every other payment was never taken or was given back */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM payments.payments WHERE checkout_id IN (%s)"
	    " AND status NOT IN ('captured', 'authorized', 'failed', 'voided', 'refunded')", sel), 0);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE email = '%s'"
	    " AND status = 'processing'", email), 0);
	ck_assert_int_eq(psql_int("SELECT sum(on_hand) FROM inventory.stock WHERE variant_id = '%s'",
	    vid[2]), 0);
	ck_assert_int_eq(psql_int("SELECT sum(reserved) FROM inventory.stock WHERE variant_id = '%s'",
	    vid[2]), 0);
	for (int i = 0; i < BUYERS; i++)
		if (orders_of(b[i].checkout) == 0)
			ck_assert_msg(cart_items(&b[i]) == 1, "buyer %d lost the cart", i);
		else
			ck_assert_int_eq(cart_items(&b[i]), 0);
}
END_TEST

/* ------------------------------------------------------------ idempotency */

START_TEST(idempotent_process)
{
	client c;
	pid_t kids[20];
	char key[64], first[8192] = "";
	int fds[20][2];
	http_result *r;

	client_init(&c);
	add_to_cart(&c, 0, 1);
	prepare(&c, CARD_OK);
	snprintf(key, sizeof key, "idem-%ld-%d", (long)time(NULL), (int)getpid());
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			http_result *x = process(&c, CARD_OK, key);
			char line[16];
			int n = snprintf(line, sizeof line, "%ld\n", x->status);

			(void)!write(fds[i][1], line, (size_t)n);
			if (x->status == 200)
				(void)!write(fds[i][1], x->body, x->body_len);
			_exit(0);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < 20; i++) {
		char buf[8192] = "";
		ssize_t n, got = 0;
		long st;

		while ((n = read(fds[i][0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
			got += n;
		close(fds[i][0]);
		waitpid(kids[i], NULL, 0);
		st = strtol(buf, NULL, 10);
		ck_assert_msg(st == 200 || st == 409, "concurrent repeat answered %ld: %s", st, buf);
		if (st == 200) {
			const char *body = strchr(buf, '\n') + 1;

			if (!first[0])
				snprintf(first, sizeof first, "%s", body);
			else
				ck_assert_str_eq(body, first);
		}
	}
	for (int i = 0; i < 20; i++) {
		r = process(&c, CARD_OK, key);
		ck_assert_msg(r->status == 200, "repeat %d: %ld %s", i, r->status, r->body);
		if (!first[0])
			snprintf(first, sizeof first, "%s", r->body);
		ck_assert_str_eq(r->body, first);
		http_result_free(r);
	}
	ck_assert_int_eq(orders_of(c.checkout), 1);
	ck_assert_int_eq(captured_of(c.checkout), 1);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM sandbox.authorizations a JOIN"
	    " payments.payments p ON a.id = p.provider_ref WHERE p.checkout_id = '%s'", c.checkout), 1);
	/* same key, another body */
	r = process(&c, "5555555555554444", key);
	ck_assert_int_eq(r->status, 422);
	ck_assert_str_eq(jstr(r->json, "error.code"), "IDEMPOTENCY_MISMATCH");
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ fault injection */

static const char *const steps[] = { "validate", "inventory", "campaign", "payment", "order", "confirm" };

/* POST /process as plain CGI with ECOM_FAULT_STEP: the exit status. */
static int
process_as_cgi(const client *c, const char *step)
{
	const char *bin = getenv("ECOM_TEST_BIN"), *conf = getenv("ECOM_CONFIG");
	char path[128], body[256], cmd[4096], file[64];
	FILE *f;
	int st;

	ck_assert_ptr_nonnull(bin);
	ck_assert_ptr_nonnull(conf);
	snprintf(path, sizeof path, "/api/v1/checkout/%s/process", c->checkout);
	card_body(body, sizeof body, CARD_OK);
	snprintf(file, sizeof file, "/tmp/check_checkout_body.%d", (int)getpid());
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(body, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "env -i PATH=\"$PATH\" ECOM_CONFIG='%s' ECOM_ENV=test"
	    " ECOM_LOG_LEVEL=error ECOM_FAULT_STEP=%s GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=POST"
	    " REQUEST_URI=%s SCRIPT_NAME= PATH_INFO=%s CONTENT_TYPE=application/json"
	    " CONTENT_LENGTH=%zu SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1"
	    " HTTP_X_CHECKOUT_TOKEN=%s %s/checkout.fcgi < %s > /dev/null 2>&1",
	    conf, step, path, path, strlen(body), c->token, bin, file);
	st = system(cmd);
	unlink(file);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(fault_at_each_step_is_settled_by_the_janitor)
{
	const char *step = steps[_i];
	client c;
	int st;

	client_init(&c);
	add_to_cart(&c, 1, 1);
	apply_coupon(&c);
	prepare(&c, CARD_OK);
	st = process_as_cgi(&c, step);
	ck_assert_msg(st == 70, "step %s: the responder exited %d, not at the fault", step, st);
	/* after "confirm" the checkout is already completed: nothing to settle */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'processing'", c.checkout), strcmp(step, "confirm") == 0 ? 0 : 1);
	run_janitor();
	ck_assert_int_eq(psql_int("SELECT count(*) FROM checkout.checkouts WHERE id = '%s'"
	    " AND status = 'processing'", c.checkout), 0);
	if (orders_of(c.checkout) > 0) {
		assert_completed(c.checkout);
		ck_assert_int_eq(coupon_held_of(c.checkout), 0);
		ck_assert_int_eq(cart_items(&c), 0);
	} else {
		assert_compensated(c.checkout);
		ck_assert_int_eq(cart_items(&c), 1);
	}
	/* money taken means the order was finished, never refunded away */
	if (_i >= 3)
		assert_completed(c.checkout);
}
END_TEST


/* ------------------------------------------------------------ storefront */

START_TEST(storefront_double_click_places_one_order)
{
	jar j = { "", "" };
	http_result *r;
	char *csrf, *key, body[1024], id[64] = "";
	pid_t kids[3];
	int redirects = 0;

	snprintf(j.ip, sizeof j.ip, "10.44.%d.%d", (int)(getpid() % 250) + 1, (int)(time(NULL) % 250) + 1);
	r = page(&j, "GET", "/login", NULL);
	csrf = field(r, "csrf_token");
	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=%s&product_id=%s&variant_id=%s&quantity=1", csrf, pid[0], vid[0]);
	free(csrf);
	r = page(&j, "POST", "/cart/items", body);
	ck_assert_int_eq(r->status, 303);
	http_result_free(r);
	post_step(&j, "/checkout/address", "email=shop%40example.com&full_name=Ada&address_line1=1+St"
	    "&city=Berlin&postal_code=10115&country=DE");
	post_step(&j, "/checkout/shipping", "shipping_method=express");
	post_step(&j, "/checkout/payment", "payment_method=card");
	r = page(&j, "GET", "/checkout", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Place order"));
	csrf = field(r, "csrf_token");
	key = field(r, "idempotency_key");
	http_result_free(r);
	{
		const char *c = strstr(j.cookies, "checkout_id=");

		ck_assert_ptr_nonnull(c);
		snprintf(id, sizeof id, "%.36s", c + strlen("checkout_id="));
	}
	snprintf(body, sizeof body, "csrf_token=%s&idempotency_key=%s&card_number=" CARD_OK
	    "&exp_month=12&exp_year=2034&cvc=123", csrf, key);
	free(csrf);
	free(key);
	/* a triple click */
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			jar mine = j;
			http_result *x = page(&mine, "POST", "/checkout/place", body);

			_exit(x->status == 303 ? 0 : x->status == 409 ? 1 : 2);
		}
	}
	for (int i = 0; i < 3; i++) {
		int st;

		waitpid(kids[i], &st, 0);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) != 2);
		redirects += WEXITSTATUS(st) == 0;
	}
	ck_assert_int_ge(redirects, 1);
	/* and once more after it finished: the same redirect to the order */
	r = page(&j, "POST", "/checkout/place", body);
	ck_assert_int_eq(r->status, 303);
	ck_assert_ptr_nonnull(strstr(r->headers, "location: /orders/EC-"));
	http_result_free(r);
	assert_completed(id);
}
END_TEST

static Suite *
checkout_suite(void)
{
	Suite *s = suite_create("checkout");
	TCase *tc = tcase_create("checkout");

	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, load_fixtures, NULL);
	tcase_add_test(tc, guest_happy_path_with_coupon);
	tcase_add_test(tc, user_happy_path_with_coupon);
	tcase_add_test(tc, declined_card_releases_everything);
	tcase_add_test(tc, idempotent_process);
	tcase_add_test(tc, storefront_double_click_places_one_order);
	tcase_add_loop_test(tc, fault_at_each_step_is_settled_by_the_janitor, 0,
	    (int)(sizeof steps / sizeof steps[0]));
	tcase_add_test(tc, three_hundred_buyers_ten_units);
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
	return check_run(checkout_suite());
}
