/*
 * check_orders.c — the orders domain against a real PostgreSQL and, for
 * the API and the pages, the running shop: the state machine pair by pair,
 * concurrent status changes (exactly one wins), gap-free numbering under
 * 50 parallel creates, one order per checkout even when created twice at
 * once, cancel giving stock back through lib/inventory and money back
 * through lib/payment, ownership (someone else's order is a 404), the
 * guest link, and the admin's status buttons with and without CSRF.
 *
 * Every order gets a fresh checkout id carrying a per-run tag, so reruns
 * against the same stack never collide.  Without ECOM_DB_URL (or
 * ECOM_CONFIG) the suite is skipped with 77; the HTTP tests also need
 * ECOM_TEST_BASE_URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"
#include "core/parse.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/util.h"
#include "core/view.h"
#include "inventory/inventory.h"
#include "order/order.h"
#include "payment/payment.h"

#include "http_client.h"
#include "test_db.h"

static arena *a;
static char run_tag[9];
static const order_actor admin_actor = { NULL, ROLE_ADMIN, "check-orders", "admin" };

/* The api-v1 table, written out independently of lib/order/state.c. */
static const struct { order_status from, to; } legal[] = {
	{ ORDER_PENDING, ORDER_CONFIRMED }, { ORDER_PENDING, ORDER_CANCELED },
	{ ORDER_CONFIRMED, ORDER_PROCESSING }, { ORDER_CONFIRMED, ORDER_CANCELED },
	{ ORDER_PROCESSING, ORDER_SHIPPED }, { ORDER_PROCESSING, ORDER_CANCELED },
	{ ORDER_SHIPPED, ORDER_DELIVERED }, { ORDER_DELIVERED, ORDER_REFUNDED },
};

static bool
is_legal(order_status from, order_status to)
{
	for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++)
		if (legal[i].from == from && legal[i].to == to)
			return true;
	return false;
}

static void
setup(void)
{
	char u[37];

	ck_assert_int_eq(config_init(), 0);
	log_init("check_orders", "error");
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(uuid_v4(u), 0);
	memcpy(run_tag, u, 8);
	run_tag[8] = '\0';
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
	db_close_all();
}

/* An order input of two lines for fresh product/variant ids (or the
 * given variant for line 1). */
static order_input
sample(const char *checkout, const char *user_id, const char *pid, const char *vid, bool paid)
{
	order_item_input *it = arena_calloc(a, 2, sizeof *it);
	order_input in = { 0 };

	ck_assert_ptr_nonnull(it);
	it[0] = (order_item_input){ pid ? pid : new_id(a), vid ? vid : new_id(a), "Linen shirt",
	    "LS-1", 3990, 2, 0, 0 };
	it[1] = (order_item_input){ new_id(a), new_id(a), "Canvas tote", "CT-9", 1500, 1, 0, 500 };
	in.checkout_id = checkout;
	in.user_id = user_id;
	in.email = arena_printf(a, "buyer-%s@orders-test.example", run_tag);
	in.currency = "EUR";
	in.items = it;
	in.nitems = 2;
	in.shipping_address = (order_address){ "Ada Buyer", "Main Street 1", NULL, "Berlin", NULL,
	    "10115", "DE", NULL };
	in.shipping_method = "standard";
	in.subtotal = 9480;
	in.discount_total = 500;
	in.shipping = 490;
	in.tax = 0;
	in.total = 9470;
	in.paid = paid;
	return in;
}

static order
make_order(const char *user_id, bool paid)
{
	order_input in = sample(arena_printf(a, "%s-%s", run_tag, new_id(a)), user_id, NULL, NULL, paid);
	order o;
	error e;

	err_clear(&e);
	ck_assert_msg(order_create(a, &in, &o, &e) == E_OK, "create: %s", e.message);
	return o;
}

/* Put an order straight into a status (test set-up, bypassing the rules
 * under test). */
static void
force_status(const order *o, order_status st)
{
	sql(a, arena_printf(a, "UPDATE orders.orders SET status = '%s' WHERE id = '%s'",
	    order_status_name(st), o->id));
}

/* ------------------------------------------------------------ domain */

START_TEST(state_machine_table_every_pair)
{
	for (int f = 0; f < ORDER__NSTATUS; f++)
		for (int t = 0; t < ORDER__NSTATUS; t++) {
			order o = make_order(NULL, true), after;
			order_change_result r;
			error e;
			ecode rc;
			bool want = is_legal((order_status)f, (order_status)t);

			ck_assert_msg(order_transition_allowed((order_status)f, (order_status)t) == want,
			    "allowed(%s, %s)", order_status_name((order_status)f),
			    order_status_name((order_status)t));
			force_status(&o, (order_status)f);
			err_clear(&e);
			rc = order_transition(a, &admin_actor, o.id, (order_status)t, "table test", false,
			    &after, &r, &e);
			if (want) {
				ck_assert_msg(rc == E_OK, "%s -> %s refused: %s",
				    order_status_name((order_status)f), order_status_name((order_status)t),
				    e.message);
				ck_assert_str_eq(after.status, order_status_name((order_status)t));
				ck_assert_str_eq(after.history[after.nhistory - 1].to_status, after.status);
				ck_assert_str_eq(after.history[after.nhistory - 1].actor, "admin");
			} else {
				ck_assert_msg(rc == E_CONFLICT, "%s -> %s gave %d",
				    order_status_name((order_status)f), order_status_name((order_status)t), rc);
				ck_assert_msg(strstr(e.message, "allowed:") != NULL, "message: %s", e.message);
				ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM orders.orders"
				    " WHERE id = '%s'", o.id)), order_status_name((order_status)f));
			}
		}
	/* every change wrote its event */
	ck_assert_int_ge(sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.outbox o"
	    " JOIN orders.orders r ON r.id = o.aggregate_id WHERE r.checkout_id LIKE '%s-%%'"
	    " AND o.event_type = 'ecommerce.order.status_changed'", run_tag)), 8);
}
END_TEST

/* N processes race from `from`: even ones to `a_to`, odd ones to `b_to`;
 * returns how many won (E_OK) and checks that all others got E_CONFLICT. */
static int
race(const order *o, order_status a_to, order_status b_to)
{
	enum { N = 12 };
	pid_t kids[N];
	int wins = 0, conflicts = 0;

	db_close_all();	/* each child opens its own connection */
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			arena *ca = arena_new(16 * 1024);
			error e;
			ecode rc;

			err_clear(&e);
			rc = order_transition(ca, &admin_actor, o->id, i % 2 ? b_to : a_to, "race",
			    false, NULL, NULL, &e);
			_exit(rc == E_OK ? 0 : rc == E_CONFLICT ? 1 : 2);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert(WIFEXITED(st));
		wins += WEXITSTATUS(st) == 0;
		conflicts += WEXITSTATUS(st) == 1;
	}
	ck_assert_int_eq(wins + conflicts, N);
	return wins;
}

START_TEST(concurrent_transitions_exactly_one_wins)
{
	order o = make_order(NULL, true);
	const char *st;

	/* the same move twelve times at once */
	ck_assert_int_eq(race(&o, ORDER_PROCESSING, ORDER_PROCESSING), 1);
	/* two moves that exclude each other: shipped cannot be canceled and
	 * canceled cannot ship */
	ck_assert_int_eq(race(&o, ORDER_SHIPPED, ORDER_CANCELED), 1);
	st = sql(a, arena_printf(a, "SELECT status FROM orders.orders WHERE id = '%s'", o.id));
	ck_assert_msg(strcmp(st, "shipped") == 0 || strcmp(st, "canceled") == 0, "status %s", st);
	/* one history row for the creation, one per winner */
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.status_history"
	    " WHERE order_id = '%s'", o.id)), 3);
}
END_TEST

START_TEST(fifty_parallel_creates_get_unique_gap_free_numbers)
{
	enum { N = 50 };
	pid_t kids[N];
	int year;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	year = tm.tm_year + 1900;
	db_close_all();
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			arena *ca = arena_new(16 * 1024);
			order_input in;
			order o;
			error e;

			a = ca;
			in = sample(arena_printf(ca, "%s-num-%d", run_tag, i), NULL, NULL, NULL, false);
			err_clear(&e);
			_exit(order_create(ca, &in, &o, &e) == E_OK ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(DISTINCT number) FROM orders.orders"
	    " WHERE checkout_id LIKE '%s-num-%%'", run_tag)), N);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.orders"
	    " WHERE checkout_id LIKE '%s-num-%%' AND number ~ '^EC-%d-[0-9]{6,}$'", run_tag, year)), N);
	/* gap-free: the year's numbers are exactly 1..last */
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT last FROM orders.number_counters"
	    " WHERE year = %d", year)),
	    sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.orders WHERE number LIKE 'EC-%d-%%'",
	    year)));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT max(substr(number, 9)::bigint)"
	    " FROM orders.orders WHERE number LIKE 'EC-%d-%%'", year)),
	    sql_int(a, arena_printf(a, "SELECT last FROM orders.number_counters WHERE year = %d", year)));
}
END_TEST

START_TEST(one_order_per_checkout_even_concurrently)
{
	enum { N = 8 };
	const char *checkout = arena_printf(a, "%s-dup-%s", run_tag, new_id(a));
	pid_t kids[N];
	order first, again;
	order_input in;
	error e;

	db_close_all();
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			arena *ca = arena_new(16 * 1024);
			order_input ci;
			order o;
			error ce;

			a = ca;
			ci = sample(checkout, NULL, NULL, NULL, true);
			err_clear(&ce);
			_exit(order_create(ca, &ci, &o, &ce) == E_OK ? 0 : 1);
		}
	}
	for (int i = 0; i < N; i++) {
		int st;
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a create failed");
	}
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.orders"
	    " WHERE checkout_id = '%s'", checkout)), 1);
	in = sample(checkout, NULL, NULL, NULL, true);
	err_clear(&e);
	ck_assert_int_eq(order_by_checkout(a, checkout, &first, &e), E_OK);
	ck_assert_int_eq(order_create(a, &in, &again, &e), E_OK);
	ck_assert_str_eq(again.id, first.id);
	ck_assert_str_eq(again.number, first.number);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.outbox"
	    " WHERE aggregate_id = '%s' AND event_type = 'ecommerce.order.created'", first.id)), 1);
}
END_TEST

START_TEST(validation_names_the_fields)
{
	order_input in = sample("", NULL, NULL, NULL, true);
	order o;
	error e;

	in.email = "nope";
	in.currency = "EURO";
	((order_item_input *)in.items)[1].quantity = 0;
	err_clear(&e);
	ck_assert_int_eq(order_create(a, &in, &o, &e), E_VALIDATION);
	ck_assert_int_ge(e.nfields, 4);
	bool q = false;
	for (int i = 0; i < e.nfields; i++)
		q = q || strcmp(e.fields[i].name, "items.1.quantity") == 0;
	ck_assert(q);
}
END_TEST

/* Stock: a warehouse row for a fresh variant, reserved for the checkout
 * and confirmed for the order, comes back when the order is canceled. */
START_TEST(cancel_returns_stock_and_refunds)
{
	inv_actor ia = { NULL, ROLE_ADMIN, "check-orders", "admin" };
	const char *pid = new_id(a), *vid = new_id(a), *res_id;
	const char *checkout = arena_printf(a, "%s-stock-%s", run_tag, new_id(a));
	inv_item item = { pid, vid, 2 };
	stock_row row;
	variant_stock vs;
	bool created;
	order_input in;
	order o, after;
	order_change_result r;
	payment p;
	card_input card = { "4242424242424242", "12", "2035", "123" };
	error e;
	ecode prc;

	err_clear(&e);
	/* the variant must exist in the catalog for stock_set: take a demo one */
	pid = sql(a, "SELECT product_id::text FROM inventory.stock ORDER BY variant_id LIMIT 1");
	vid = sql(a, "SELECT variant_id::text FROM inventory.stock ORDER BY variant_id LIMIT 1");
	ck_assert_msg(pid && vid, "no demo stock to test with");
	item.product_id = pid;
	item.variant_id = vid;
	ck_assert_msg(stock_set(a, &ia, pid, vid, NULL, -1, -1, &row, &created, &e) == E_OK,
	    "stock: %s", e.message);
	ck_assert_int_eq(stock_adjust(a, &ia, pid, vid, NULL, 5, REASON_ADJUSTMENT, "check-orders",
	    &row, &e), E_OK);
	ck_assert_int_eq(stock_get(a, pid, vid, &vs, &e), E_OK);
	int64_t on_hand0 = vs.on_hand;
	ck_assert_msg(inventory_reserve(a, checkout, &item, 1, 0, &res_id, &e) == E_OK,
	    "reserve: %s", e.message);

	prc = payment_charge(a, checkout, NULL, 9470, "EUR", "card", &card, &p, &e);
	in = sample(checkout, NULL, pid, vid, prc == E_OK);
	in.reservation_id = res_id;
	if (prc == E_OK)
		in.payment_id = p.id;
	else
		fprintf(stderr, "check_orders: SKIP refund assertions: payment_charge said %s"
		    " (no payment provider in this environment)\n", e.message);
	err_clear(&e);
	ck_assert_msg(order_create(a, &in, &o, &e) == E_OK, "create: %s", e.message);
	ck_assert_int_eq(inventory_confirm(a, res_id, o.id, &e), E_OK);
	ck_assert_int_eq(stock_get(a, pid, vid, &vs, &e), E_OK);
	ck_assert_int_eq(vs.on_hand, on_hand0 - 2);

	ck_assert_msg(order_transition(a, &admin_actor, o.id, ORDER_CANCELED, "customer asked",
	    false, &after, &r, &e) == E_OK, "cancel: %s", e.message);
	ck_assert_msg(r.warning == NULL, "warning: %s", r.warning);
	ck_assert(r.stock_returned);
	ck_assert_str_eq(after.status, "canceled");
	ck_assert_int_eq(stock_get(a, pid, vid, &vs, &e), E_OK);
	ck_assert_int_eq(vs.on_hand, on_hand0);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM orders.outbox WHERE"
	    " aggregate_id = '%s' AND event_type = 'ecommerce.order.canceled'", o.id)), 1);
	if (prc == E_OK) {
		ck_assert(r.refunded);
		ck_assert_int_eq(payment_get(a, p.id, &p, &e), E_OK);
		ck_assert_msg(strcmp(p.status, "refunded") == 0 || strcmp(p.status, "voided") == 0,
		    "payment is %s", p.status);
	}
	/* canceling again is refused and gives nothing back twice */
	ck_assert_int_eq(order_transition(a, &admin_actor, o.id, ORDER_CANCELED, NULL, false,
	    NULL, NULL, &e), E_CONFLICT);
	ck_assert_int_eq(stock_get(a, pid, vid, &vs, &e), E_OK);
	ck_assert_int_eq(vs.on_hand, on_hand0);
	/* leave the demo stock as it was */
	ck_assert_int_eq(stock_adjust(a, &ia, pid, vid, NULL, -5, REASON_ADJUSTMENT, "check-orders",
	    &row, &e), E_OK);
}
END_TEST

START_TEST(guest_claim_needs_the_address)
{
	order o = make_order(NULL, true);
	const char *uid = new_id(a);
	int64_t n = 0;
	error e;

	err_clear(&e);
	ck_assert_int_eq(order_claim_for_user(a, uid, "someone-else@orders-test.example", &n, &e), E_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(order_claim_for_user(a, uid, arena_printf(a, "BUYER-%s@orders-test.example",
	    run_tag), &n, &e), E_OK);
	ck_assert_int_ge(n, 1);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT user_id::text FROM orders.orders WHERE id = '%s'",
	    o.id)), uid);
	/* an unknown user id claims nothing through the verified path */
	ck_assert_int_ne(order_claim_verified(a, new_id(a), &n, &e), E_OK);
	ck_assert_int_eq(n, 0);
}
END_TEST

/* ------------------------------------------------------------ HTTP */

static const char *
bearer(const char *who, const char *sub)
{
	char *t = mint_token(who, sub);
	const char *h;

	ck_assert_msg(t != NULL, "ecomctl token failed");
	h = arena_printf(a, "Authorization: Bearer %s", t);
	free(t);
	return h;
}

static http_result *
api(const char *method, const char *path, const char *auth, const char *body)
{
	const char *h[4] = { "X-Forwarded-For: 10.77.5.1", auth,
	    body ? "Content-Type: application/json" : NULL, NULL };

	if (!auth) {
		h[1] = h[2];
		h[2] = NULL;
	}
	return http_do(test_base_url(), method, path, body, h);
}

START_TEST(api_ownership_and_transitions)
{
	const char *owner = new_id(a), *other = new_id(a);
	order o;
	http_result *r;
	const char *path;

	o = make_order(owner, true);
	path = arena_printf(a, "/api/v1/orders/%s", o.id);
	r = api("GET", path, NULL, NULL);
	ck_assert_int_eq(r->status, 401);
	http_result_free(r);
	r = api("GET", path, bearer("customer", other), NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = api("GET", path, bearer("customer", owner), NULL);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.number"), o.number);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.items")), 2);
	ck_assert_ptr_nonnull(jpath(r->json, "data.payments"));
	ck_assert_ptr_nonnull(jpath(r->json, "data.status_history.0"));
	http_result_free(r);
	r = api("GET", "/api/v1/orders", bearer("customer", owner), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "total_count"), 1);
	http_result_free(r);
	r = api("GET", "/api/v1/orders", bearer("customer", other), NULL);
	ck_assert_int_eq(jint(r->json, "total_count"), 0);
	http_result_free(r);
	r = api("GET", arena_printf(a, "/api/v1/orders?user_id=%s&status=confirmed", owner),
	    bearer("admin", new_id(a)), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "total_count"), 1);
	http_result_free(r);
	r = api("GET", "/api/v1/orders?status=lost", bearer("admin", new_id(a)), NULL);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);

	path = arena_printf(a, "/api/v1/orders/%s/status", o.id);
	r = api("PUT", path, bearer("customer", owner), "{\"status\":\"processing\"}");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	r = api("PUT", path, bearer("admin", new_id(a)), "{\"status\":\"delivered\"}");
	ck_assert_int_eq(r->status, 409);
	ck_assert_msg(strstr(jstr(r->json, "error.message"), "processing, canceled") != NULL,
	    "%s", r->body);
	http_result_free(r);
	r = api("PUT", path, bearer("admin", new_id(a)), "{\"status\":\"processing\",\"reason\":\"packing\"}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.status"), "processing");
	http_result_free(r);

	path = arena_printf(a, "/api/v1/orders/%s/cancel", o.id);
	r = api("POST", path, bearer("customer", other), "");
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = api("POST", path, bearer("customer", owner), "{\"reason\":\"changed my mind\"}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.status"), "canceled");
	http_result_free(r);
	r = api("POST", path, bearer("customer", owner), "");
	ck_assert_int_eq(r->status, 409);
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ pages */

#define JAR_MAX 16

typedef struct jar {
	char name[JAR_MAX][64];
	char value[JAR_MAX][2048];
	int  n;
} jar;

static void
jar_set(jar *j, const char *name, size_t nn, const char *val, size_t vn)
{
	int i;

	for (i = 0; i < j->n && (strlen(j->name[i]) != nn || strncmp(j->name[i], name, nn) != 0); i++)
		;
	if (i == j->n) {
		ck_assert_int_lt(j->n, JAR_MAX);
		j->n++;
	}
	ck_assert_uint_lt(nn, sizeof j->name[0]);
	ck_assert_uint_lt(vn, sizeof j->value[0]);
	memcpy(j->name[i], name, nn);
	j->name[i][nn] = '\0';
	memcpy(j->value[i], val, vn);
	j->value[i][vn] = '\0';
}

static http_result *
browse(jar *j, const char *method, const char *path, const char *form)
{
	char cookie[8192] = "Cookie: ";
	const char *hdrs[4] = { "X-Forwarded-For: 10.77.5.2", NULL, NULL, NULL };
	size_t used = strlen(cookie);
	int nh = 1;
	http_result *r;

	for (int i = 0; i < j->n; i++)
		used += (size_t)snprintf(cookie + used, sizeof cookie - used, "%s%s=%s",
		    i > 0 ? "; " : "", j->name[i], j->value[i]);
	ck_assert_uint_lt(used, sizeof cookie);
	if (j->n > 0)
		hdrs[nh++] = cookie;
	if (form)
		hdrs[nh++] = "Content-Type: application/x-www-form-urlencoded";
	r = http_do(test_base_url(), method, path, form, hdrs);
	for (const char *p = r->headers; p && *p; ) {
		if (strncmp(p, "set-cookie:", 11) == 0) {
			const char *v = p + 11, *eq, *end;
			while (*v == ' ')
				v++;
			if ((eq = strchr(v, '=')) != NULL) {
				end = eq + 1 + strcspn(eq + 1, ";\r\n");
				if (end > eq + 1)
					jar_set(j, v, (size_t)(eq - v), eq + 1, (size_t)(end - eq - 1));
			}
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return r;
}

static const char *
csrf_of(const http_result *r)
{
	const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");
	size_t n;

	ck_assert_msg(p != NULL, "no csrf_token field in: %.400s", r->body);
	p += strlen("name=\"csrf_token\" value=\"");
	n = strcspn(p, "\"");
	return arena_strndup(a, p, n);
}

START_TEST(store_pages_owner_and_guest_link)
{
	const char *owner = new_id(a);
	order o, g;
	jar stranger = { .n = 0 }, me = { .n = 0 };
	const char *tok, *t;
	http_result *r;

	o = make_order(owner, true);
	g = make_order(NULL, false);
	tok = order_guest_token(a, g.id);
	ck_assert_ptr_nonnull(tok);
	/* the guest link; the same page without or with a wrong token is a 404 */
	r = browse(&stranger, "GET", arena_printf(a, "/orders/%s?t=%s&placed=1", g.number, tok), NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, g.number));
	ck_assert_ptr_nonnull(strstr(r->body, "Thank you"));
	http_result_free(r);
	r = browse(&stranger, "GET", arena_printf(a, "/orders/%s", g.number), NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = browse(&stranger, "GET", arena_printf(a, "/orders/%s?t=%064d", g.number, 0), NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = browse(&stranger, "GET", arena_printf(a, "/orders/%s/invoice?t=%s", g.number, tok), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Invoice"));
	http_result_free(r);
	/* the owner, signed in by cookie */
	t = mint_token("customer", owner);
	ck_assert_ptr_nonnull(t);
	jar_set(&me, "access", 6, t, strlen(t));
	free((void *)t);	/* the jar keeps a copy */
	r = browse(&me, "GET", "/account/orders", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, o.number));
	http_result_free(r);
	r = browse(&me, "GET", arena_printf(a, "/orders/%s", o.number), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Cancel this order"));
	/* cancel without the token changes nothing, with it the order is canceled */
	http_result *r2 = browse(&me, "POST", arena_printf(a, "/orders/%s/cancel", o.number),
	    "csrf_token=forged");
	ck_assert_int_eq(r2->status, 403);
	http_result_free(r2);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM orders.orders WHERE id = '%s'", o.id)),
	    "confirmed");
	r2 = browse(&me, "POST", arena_printf(a, "/orders/%s/cancel", o.number),
	    arena_printf(a, "csrf_token=%s", csrf_of(r)));
	ck_assert_msg(r2->status == 303, "%ld %.300s", r2->status, r2->body);
	http_result_free(r2);
	http_result_free(r);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM orders.orders WHERE id = '%s'", o.id)),
	    "canceled");
	/* someone else's order is not there for this customer */
	r = browse(&me, "GET", arena_printf(a, "/orders/%s", g.number), NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
}
END_TEST

static char password[64];

static void
sign_in_admin(jar *j)
{
	const char *ctl = getenv("ECOM_TEST_ECOMCTL");
	char secret[TOTP_SECRET_B32_MAX], cmd[1024], *id;
	const char *email = arena_printf(a, "orders-%s-%d@admin-test.example", run_tag, (int)getpid());
	http_result *r;

	ck_assert_msg(ctl != NULL, "ECOM_TEST_ECOMCTL not set");
	ck_assert_int_eq(totp_secret_new(secret), 0);
	snprintf(password, sizeof password, "Amber-orchard-%d-compass", (int)getpid());
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | %s user create --email '%s' --role admin "
	    "--first-name Order --last-name Admin --totp-secret %s", password, ctl, email, secret);
	id = run_capture(cmd);
	ck_assert_msg(id != NULL && strlen(id) == 36, "ecomctl user create failed");
	free(id);
	r = browse(j, "GET", "/admin/login", NULL);
	ck_assert_int_eq(r->status, 200);
	const char *body = arena_printf(a, "csrf_token=%s&next=%%2Fadmin&email=%s&password=%s",
	    csrf_of(r), url_encode(a, email), password);
	http_result_free(r);
	r = browse(j, "POST", "/admin/login", body);
	ck_assert_msg(r->status == 303, "login %ld", r->status);
	http_result_free(r);
	r = browse(j, "GET", "/admin/login/code?next=%2Fadmin", NULL);
	ck_assert_int_eq(r->status, 200);
	body = arena_printf(a, "csrf_token=%s&next=%%2Fadmin&code=%06d", csrf_of(r),
	    totp_code(secret, time(NULL)));
	http_result_free(r);
	r = browse(j, "POST", "/admin/login/code", body);
	ck_assert_msg(r->status == 303, "code %ld", r->status);
	http_result_free(r);
}

START_TEST(admin_pages_and_status_buttons)
{
	jar j = { .n = 0 };
	order o;
	http_result *r, *r2;
	const char *opage;

	o = make_order(NULL, true);
	sign_in_admin(&j);
	r = browse(&j, "GET", arena_printf(a, "/admin/orders?q=%s", o.number), NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, o.number));
	http_result_free(r);
	r = browse(&j, "GET", "/admin/orders?status=confirmed&from=2020-01-01&email=orders-test", NULL);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	r = browse(&j, "GET", "/admin/orders?from=yesterday", NULL);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	opage = arena_printf(a, "/admin/orders/%s", o.id);
	r = browse(&j, "GET", opage, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Mark as processing"));
	ck_assert_ptr_nonnull(strstr(r->body, "Mark as canceled"));
	ck_assert_ptr_null(strstr(r->body, "Mark as shipped"));
	/* no token: refused, nothing changes */
	r2 = browse(&j, "POST", arena_printf(a, "%s/status", opage), "status=processing");
	ck_assert_int_eq(r2->status, 403);
	http_result_free(r2);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM orders.orders WHERE id = '%s'", o.id)),
	    "confirmed");
	/* an illegal move is shown back with the reason */
	r2 = browse(&j, "POST", arena_printf(a, "%s/status", opage),
	    arena_printf(a, "csrf_token=%s&status=delivered", csrf_of(r)));
	ck_assert_int_eq(r2->status, 409);
	http_result_free(r2);
	r2 = browse(&j, "POST", arena_printf(a, "%s/status", opage),
	    arena_printf(a, "csrf_token=%s&status=processing&reason=packing", csrf_of(r)));
	ck_assert_msg(r2->status == 303, "%ld %.300s", r2->status, r2->body);
	http_result_free(r2);
	ck_assert_str_eq(sql(a, arena_printf(a, "SELECT status FROM orders.orders WHERE id = '%s'", o.id)),
	    "processing");
	r2 = browse(&j, "POST", arena_printf(a, "%s/notes", opage),
	    arena_printf(a, "csrf_token=%s&body=Called+the+customer", csrf_of(r)));
	ck_assert_int_eq(r2->status, 303);
	http_result_free(r2);
	http_result_free(r);
	r = browse(&j, "GET", opage, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "Called the customer"));
	ck_assert_ptr_nonnull(strstr(r->body, "Mark as shipped"));
	http_result_free(r);
	r = browse(&j, "GET", arena_printf(a, "%s/invoice", opage), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, o.number));
	http_result_free(r);
}
END_TEST

static Suite *
orders_suite(void)
{
	Suite *s = suite_create("orders");
	TCase *tc = tcase_create("orders");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, state_machine_table_every_pair);
	tcase_add_test(tc, concurrent_transitions_exactly_one_wins);
	tcase_add_test(tc, fifty_parallel_creates_get_unique_gap_free_numbers);
	tcase_add_test(tc, one_order_per_checkout_even_concurrently);
	tcase_add_test(tc, validation_names_the_fields);
	tcase_add_test(tc, cancel_returns_stock_and_refunds);
	tcase_add_test(tc, guest_claim_needs_the_address);
	if (test_base_url()) {
		tcase_add_test(tc, api_ownership_and_transitions);
		tcase_add_test(tc, store_pages_owner_and_guest_link);
		tcase_add_test(tc, admin_pages_and_status_buttons);
	} else {
		puts("check_orders: HTTP tests skipped: ECOM_TEST_BASE_URL not set");
	}
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (config_init() != 0)
		return 1;
	if (config_raw("ECOM_DB_URL") == NULL) {
		puts("SKIP: set ECOM_DB_URL (or ECOM_CONFIG) to a real PostgreSQL");
		return 77;
	}
	test_db_domain("orders");
	return check_run(orders_suite());
}
