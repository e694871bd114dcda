/*
 * check_inventory.c — the inventory domain against a real PostgreSQL (and,
 * for the API part, the running shop): no oversell under 200 concurrent
 * reservations, allocation by warehouse priority, the reservation life
 * cycle, expiry by one janitor run, the movement log, the low-stock event,
 * and the API's roles and validation messages.
 *
 * Each test makes its own warehouses (codes carry a per-test tag) and
 * stock rows for fresh random variant ids, so runs never collide with each
 * other or with the demo stock.  Without ECOM_DB_URL (or ECOM_CONFIG) the
 * suite is skipped with 77; the HTTP test also needs ECOM_TEST_BASE_URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"
#include <curl/curl.h>
#include <json-c/json.h>

#include "core/parse.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "test_db.h"

#define NPROCS	200

static arena *a;
static char tag[9];
static const inv_actor tester = { NULL, ROLE_ADMIN, "check-inventory", "admin" };

static void
setup(void)
{
	char u[37];

	ck_assert_int_eq(config_init(), 0);
	log_init("check_inventory", "error");
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(uuid_v4(u), 0);
	for (int i = 0; i < 8; i++)
		tag[i] = (char)(u[i] >= 'a' ? u[i] - 32 : u[i]);
	tag[8] = '\0';
}

/* Test warehouses stop counting once their test is over. */
static void
teardown(void)
{
	sql(a, arena_printf(a, "UPDATE inventory.warehouses SET is_active = false"
	    " WHERE code LIKE 'T%s-%%' OR code = 'H%s'", tag, tag));
	arena_free(a);
	a = NULL;
	db_close_all();
}

static const char *
mk_warehouse(const char *name, int priority)
{
	char *code = arena_printf(a, "T%s-%s", tag, name);
	warehouse_input in = { WI_CODE | WI_NAME | WI_PRIORITY, code, name, NULL, priority, true };
	warehouse w = { 0 };
	error e;

	for (char *p = code; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);

	err_clear(&e);
	ck_assert_msg(warehouse_create(a, &tester, &in, &w, &e) == E_OK, "warehouse: %s", e.message);
	ck_assert_int_eq(w.priority, priority);
	ck_assert(w.is_active);
	return w.id;
}

/* A stock row written directly: the reservation path must not depend on
 * the catalog, and these variants exist nowhere else. */
static void
mk_stock(const char *pid, const char *vid, const char *wh, long long on_hand)
{
	sql(a, arena_printf(a, "INSERT INTO inventory.stock (variant_id, warehouse_id, product_id,"
	    " on_hand) VALUES ('%s', '%s', '%s', %lld)", vid, wh, pid, on_hand));
}

static long long
col_of(const char *vid, const char *wh, const char *column)
{
	return sql_int(a, arena_printf(a, "SELECT %s FROM inventory.stock WHERE variant_id = '%s'"
	    " AND warehouse_id = '%s'", column, vid, wh));
}

static const char *
field_msg(const error *e, const char *name)
{
	for (int i = 0; i < e->nfields; i++)
		if (strcmp(e->fields[i].name, name) == 0)
			return e->fields[i].message;
	return NULL;
}

/* ------------------------------------------------------------ no oversell */

/* One child: wait for the start signal, reserve one unit, report by exit
 * status (0 reserved, 3 out of stock, 4 anything else).  A refused
 * connection (the server's connection limit) is retried, so every child
 * gets a real answer from the reservation itself. */
static void
child(int gate, const char *pid, const char *vid, int i)
{
	char b;
	inv_item it = { pid, vid, 1 };
	const char *rid;
	error e;
	ecode rc = E_UNAVAILABLE;

	if (read(gate, &b, 1) < 0)
		_exit(5);
	for (int attempt = 0; attempt < 200 && rc == E_UNAVAILABLE; attempt++) {
		err_clear(&e);
		rc = inventory_reserve(a, arena_printf(a, "conc-%s-%d", tag, i), &it, 1, 0, &rid, &e);
		if (rc == E_UNAVAILABLE)
			usleep(20000);
	}
	db_close_all();
	_exit(rc == E_OK ? 0 : rc == E_CONFLICT && field_msg(&e, "items.0") ? 3 : 4);
}

START_TEST(two_hundred_parallel_reservations_never_oversell)
{
	const char *pid = new_id(a), *vid = new_id(a);
	const char *w1 = mk_warehouse("first", 1), *w2 = mk_warehouse("second", 2);
	pid_t kids[NPROCS];
	int gate[2], ok = 0, out = 0, other = 0;

	mk_stock(pid, vid, w1, 12);
	mk_stock(pid, vid, w2, 8);
	/* The children open their own connections: none may share ours. */
	db_close_all();
	ck_assert_int_eq(pipe(gate), 0);
	for (int i = 0; i < NPROCS; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			close(gate[1]);
			child(gate[0], pid, vid, i);
		}
	}
	close(gate[0]);
	close(gate[1]);		/* everyone starts at once: read() returns 0 */
	for (int i = 0; i < NPROCS; i++) {
		int st;
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			out++;
		else
			other++;
	}
	ck_assert_int_eq(other, 0);
	ck_assert_int_eq(ok, 20);
	ck_assert_int_eq(out, NPROCS - 20);
	/* both rows fully reserved, nothing negative, sums agree everywhere */
	ck_assert_int_eq(col_of(vid, w1, "reserved"), 12);
	ck_assert_int_eq(col_of(vid, w2, "reserved"), 8);
	ck_assert_int_eq(col_of(vid, w1, "on_hand"), 12);
	ck_assert_int_eq(col_of(vid, w2, "on_hand"), 8);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM inventory.stock WHERE"
	    " variant_id = '%s' AND (reserved < 0 OR reserved > on_hand OR on_hand < 0)", vid)), 0);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT coalesce(sum(quantity), 0) FROM"
	    " inventory.reservation_lines WHERE variant_id = '%s'", vid)), 20);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM inventory.reservations"
	    " WHERE key LIKE 'conc-%s-%%' AND status = 'active'", tag)), 20);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT coalesce(sum(delta_reserved), 0) FROM"
	    " inventory.movements WHERE variant_id = '%s' AND reason = 'reservation'", vid)), 20);
	{
		inv_item it = { pid, vid, 1 };
		inv_availability av;
		error e;

		err_clear(&e);
		ck_assert_int_eq(inventory_availability(a, &it, 1, &av, &e), E_OK);
		ck_assert(av.tracked);
		ck_assert(!av.in_stock);
		ck_assert_int_eq(av.available, 0);
	}
}
END_TEST

/* The display copy answers from memory within INV_DISPLAY_TTL_S and from
 * the database after it; the exact read never lags. */
START_TEST(display_availability_lags_at_most_its_ttl)
{
	const char *pid = new_id(a), *vid = new_id(a), *w = mk_warehouse("display", 30);
	inv_item it = { pid, vid, 1 };
	inv_availability av;
	error e;

	mk_stock(pid, vid, w, 7);
	err_clear(&e);
	ck_assert_int_eq(inventory_availability_display(a, &it, 1, &av, &e), E_OK);
	ck_assert_int_eq(av.available, 7);
	sql(a, arena_printf(a, "UPDATE inventory.stock SET on_hand = 2 WHERE variant_id = '%s'", vid));
	ck_assert_int_eq(inventory_availability_display(a, &it, 1, &av, &e), E_OK);
	ck_assert_int_eq(av.available, 7);	/* the copy */
	ck_assert_int_eq(inventory_availability(a, &it, 1, &av, &e), E_OK);
	ck_assert_int_eq(av.available, 2);	/* the truth */
	sleep(INV_DISPLAY_TTL_S + 1);
	ck_assert_int_eq(inventory_availability_display(a, &it, 1, &av, &e), E_OK);
	ck_assert_int_eq(av.available, 2);
	ck_assert(av.in_stock);
}
END_TEST

/* ------------------------------------------------------------ allocation */

START_TEST(reservations_take_from_warehouses_by_priority)
{
	const char *pid = new_id(a), *vid = new_id(a), *vid2 = new_id(a);
	/* created in the "wrong" order: priority, not age, decides */
	const char *w2 = mk_warehouse("later", 20), *w1 = mk_warehouse("sooner", 10);
	inv_item it = { pid, vid, 5 };
	inv_item two[2] = { { pid, vid2, 1 }, { pid, vid, 9 } };
	const char *rid, *again;
	reservation r;
	error e;

	mk_stock(pid, vid, w1, 3);
	mk_stock(pid, vid, w2, 10);
	mk_stock(pid, vid2, w1, 4);
	err_clear(&e);
	ck_assert_msg(inventory_reserve(a, arena_printf(a, "prio-%s", tag), &it, 1, 0, &rid, &e) == E_OK,
	    "%s", e.message);
	ck_assert_int_eq(col_of(vid, w1, "reserved"), 3);
	ck_assert_int_eq(col_of(vid, w2, "reserved"), 2);
	ck_assert_int_eq(reservation_get(a, rid, &r, &e), E_OK);
	ck_assert_str_eq(r.status, "active");
	ck_assert_int_eq(r.nlines, 2);
	/* default TTL: 15 minutes */
	ck_assert_int_ge(r.expires_at - r.created_at, 899);
	ck_assert_int_le(r.expires_at - r.created_at, 901);

	/* the same key is the same reservation, nothing reserved twice */
	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "prio-%s", tag), &it, 1, 0, &again, &e), E_OK);
	ck_assert_str_eq(again, rid);
	ck_assert_int_eq(col_of(vid, w2, "reserved"), 2);

	/* all or nothing: the short line names its index and what is left;
	 * the line that would fit is not reserved either */
	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "short-%s", tag), two, 2, 0, &again, &e),
	    E_CONFLICT);
	ck_assert_ptr_null(again);
	ck_assert_ptr_nonnull(field_msg(&e, "items.1"));
	ck_assert_str_eq(field_msg(&e, "items.1"), "only 8 left");
	ck_assert_ptr_null(field_msg(&e, "items.0"));
	ck_assert_int_eq(col_of(vid2, w1, "reserved"), 0);
	ck_assert_ptr_null(sql(a, arena_printf(a, "SELECT id FROM inventory.reservations WHERE key = 'short-%s'", tag)));

	/* an inactive warehouse gives nothing */
	sql(a, arena_printf(a, "UPDATE inventory.warehouses SET is_active = false WHERE id = '%s'", w2));
	it.quantity = 1;
	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "inactive-%s", tag), &it, 1, 0, &again, &e),
	    E_CONFLICT);
	ck_assert_str_eq(field_msg(&e, "items.0"), "out of stock");

	/* bad input is a validation error naming each field */
	err_clear(&e);
	it.quantity = 0;
	it.variant_id = "nope";
	ck_assert_int_eq(inventory_reserve(a, "", &it, 1, 0, &again, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "key"));
	ck_assert_ptr_nonnull(field_msg(&e, "items.0.quantity"));
	ck_assert_ptr_nonnull(field_msg(&e, "items.0.variant_id"));
}
END_TEST

/* ------------------------------------------------------------ life cycle */

START_TEST(confirm_and_release_are_idempotent)
{
	const char *pid = new_id(a), *vid = new_id(a), *w = mk_warehouse("main", 1);
	const char *order = new_id(a), *other = new_id(a), *r1, *r2, *r3;
	inv_item it = { pid, vid, 2 };
	error e;

	mk_stock(pid, vid, w, 10);
	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "life1-%s", tag), &it, 1, 0, &r1, &e), E_OK);
	ck_assert_int_eq(inventory_confirm(a, r1, order, &e), E_OK);
	ck_assert_int_eq(col_of(vid, w, "on_hand"), 8);
	ck_assert_int_eq(col_of(vid, w, "reserved"), 0);
	/* again for the same order: nothing moves */
	ck_assert_int_eq(inventory_confirm(a, r1, order, &e), E_OK);
	ck_assert_int_eq(col_of(vid, w, "on_hand"), 8);
	err_clear(&e);
	ck_assert_int_eq(inventory_confirm(a, r1, other, &e), E_CONFLICT);
	err_clear(&e);
	ck_assert_int_eq(inventory_release(a, r1, "cancel", &e), E_CONFLICT);
	ck_assert_int_eq(col_of(vid, w, "on_hand"), 8);

	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "life2-%s", tag), &it, 1, 0, &r2, &e), E_OK);
	ck_assert_int_eq(col_of(vid, w, "reserved"), 2);
	ck_assert_int_eq(inventory_release(a, r2, "payment failed", &e), E_OK);
	ck_assert_int_eq(col_of(vid, w, "reserved"), 0);
	ck_assert_int_eq(inventory_release(a, r2, "payment failed", &e), E_OK);
	ck_assert_int_eq(col_of(vid, w, "reserved"), 0);
	ck_assert_int_eq(col_of(vid, w, "on_hand"), 8);
	err_clear(&e);
	ck_assert_int_eq(inventory_confirm(a, r2, order, &e), E_GONE);
	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "life2-%s", tag), &it, 1, 0, &r3, &e), E_GONE);
	err_clear(&e);
	ck_assert_int_eq(inventory_release(a, new_id(a), NULL, &e), E_NOT_FOUND);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM inventory.outbox WHERE"
	    " aggregate_id = '%s' AND event_type LIKE '%%inventory.released'", r2)), 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM inventory.outbox WHERE"
	    " aggregate_id = '%s' AND event_type LIKE '%%inventory.reserved'", r1)), 1);
}
END_TEST

/* The janitor binary next to the responders ./check built, if there. */
static const char *
janitor_path(void)
{
	const char *bin = getenv("ECOM_TEST_BIN");
	const char *p;

	if (!bin)
		return NULL;
	p = arena_printf(a, "%s/../workers/janitor", bin);
	return access(p, X_OK) == 0 ? p : NULL;
}

START_TEST(expired_reservations_return_stock_after_one_janitor_run)
{
	const char *pid = new_id(a), *vid = new_id(a), *w = mk_warehouse("exp", 1), *r1, *r2;
	const char *jan = janitor_path();
	inv_item it = { pid, vid, 3 };
	reservation r;
	error e;

	mk_stock(pid, vid, w, 5);
	err_clear(&e);
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "exp1-%s", tag), &it, 1, 60, &r1, &e), E_OK);
	it.quantity = 2;
	ck_assert_int_eq(inventory_reserve(a, arena_printf(a, "exp2-%s", tag), &it, 1, 60, &r2, &e), E_OK);
	ck_assert_int_eq(col_of(vid, w, "reserved"), 5);
	/* the first one's time is up; the second still has a minute */
	sql(a, arena_printf(a, "UPDATE inventory.reservations SET expires_at = now() - interval '1 second'"
	    " WHERE id = '%s'", r1));
	if (jan) {
		char *cmd = arena_printf(a, "'%s' 2>/dev/null", jan);
		ck_assert_int_eq(system(cmd), 0);
	} else {
		int64_t n = 0;
		ck_assert_int_eq(inventory_release_expired(a, &n, &e), E_OK);
		ck_assert_int_ge(n, 1);
	}
	ck_assert_int_eq(col_of(vid, w, "reserved"), 2);
	ck_assert_int_eq(reservation_get(a, r1, &r, &e), E_OK);
	ck_assert_str_eq(r.status, "released");
	ck_assert_str_eq(r.release_reason, "expired");
	ck_assert_int_eq(reservation_get(a, r2, &r, &e), E_OK);
	ck_assert_str_eq(r.status, "active");
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM inventory.movements WHERE"
	    " variant_id = '%s' AND reason = 'expired' AND actor = 'janitor'", vid)), 1);
}
END_TEST

/* ------------------------------------------------------------ movements, low stock */

START_TEST(adjustments_log_movements_and_low_stock_fires_once_per_crossing)
{
	const char *pid, *vid, *w = mk_warehouse("adj", 1);
	stock_row row = { 0 };
	movement_page mp;
	page pg = { 1, 50, 0 };
	bool created = false;
	error e;
	const char *count_low;

	/* a real catalog variant of a published product (stock_set checks the
	 * catalog, which finds published products only; other suites leave
	 * drafts and archived products behind) */
	pid = sql(a, "SELECT v.product_id FROM catalog.variants v JOIN catalog.products p ON"
	    " p.id = v.product_id WHERE p.status = 'published' ORDER BY v.id LIMIT 1");
	vid = sql(a, "SELECT v.id FROM catalog.variants v JOIN catalog.products p ON"
	    " p.id = v.product_id WHERE p.status = 'published' ORDER BY v.id LIMIT 1");
	if (!pid || !vid)
		return;		/* no catalog rows: the demo was not loaded */
	count_low = arena_printf(a, "SELECT count(*) FROM inventory.outbox WHERE aggregate_id = '%s'"
	    " AND event_type LIKE '%%inventory.low_stock' AND payload->'data'->>'warehouse_id' = '%s'",
	    vid, w);
	err_clear(&e);
	ck_assert_msg(stock_set(a, &tester, pid, vid, w, 10, 3, &row, &created, &e) == E_OK, "%s", e.message);
	ck_assert(created);
	ck_assert_int_eq(row.on_hand, 10);
	ck_assert_int_eq(row.low_stock_threshold, 3);
	ck_assert(!row.is_low);
	ck_assert_int_eq(stock_adjust(a, &tester, pid, vid, w, -5, REASON_ORDER, "manual sale", &row, &e), E_OK);
	ck_assert_int_eq(sql_int(a, count_low), 0);
	ck_assert_int_eq(stock_adjust(a, &tester, pid, vid, w, -2, REASON_ADJUSTMENT, NULL, &row, &e), E_OK);
	ck_assert(row.is_low);
	ck_assert_int_eq(sql_int(a, count_low), 1);
	ck_assert_int_eq(stock_adjust(a, &tester, pid, vid, w, -1, REASON_ADJUSTMENT, NULL, &row, &e), E_OK);
	ck_assert_int_eq(sql_int(a, count_low), 1);	/* still low: no second event */
	/* a manual hold also counts against available */
	ck_assert_int_eq(stock_adjust(a, &tester, pid, vid, w, 10, REASON_RETURN, NULL, &row, &e), E_OK);
	ck_assert_int_eq(row.on_hand, 12);
	ck_assert(!row.is_low);
	ck_assert_int_eq(stock_adjust(a, &tester, pid, vid, w, 9, REASON_RESERVATION, "hold", &row, &e), E_OK);
	ck_assert_int_eq(row.reserved, 9);
	ck_assert(row.is_low);
	ck_assert_int_eq(sql_int(a, count_low), 2);	/* a new crossing */
	/* refused changes change nothing */
	err_clear(&e);
	ck_assert_int_eq(stock_adjust(a, &tester, pid, vid, w, -4, REASON_ORDER, NULL, &row, &e), E_CONFLICT);
	err_clear(&e);
	ck_assert_int_eq(stock_set(a, &tester, pid, vid, w, 8, -1, &row, &created, &e), E_CONFLICT);
	ck_assert_int_eq(col_of(vid, w, "on_hand"), 12);
	ck_assert_int_eq(col_of(vid, w, "reserved"), 9);
	err_clear(&e);
	ck_assert_int_eq(stock_set(a, &tester, pid, new_id(a), w, 8, -1, &row, &created, &e), E_VALIDATION);
	ck_assert_ptr_nonnull(field_msg(&e, "variant_id"));

	/* the log explains every number, newest first */
	err_clear(&e);
	ck_assert_int_eq(movement_list(a, vid, &pg, &mp, &e), E_OK);
	{
		int mine = 0;
		const movement *last = NULL, *first = NULL;
		for (size_t i = 0; i < mp.n; i++) {
			if (strcmp(mp.items[i].warehouse_id, w) != 0)
				continue;
			if (!last)
				last = &mp.items[i];
			first = &mp.items[i];
			mine++;
		}
		ck_assert_int_eq(mine, 6);
		ck_assert_ptr_nonnull(first);
		ck_assert_ptr_nonnull(last);
		ck_assert_str_eq(first->reason, "stock_set");
		ck_assert_int_eq(first->delta_on_hand, 10);
		ck_assert_str_eq(first->actor, "admin");
		ck_assert_str_eq(last->reason, "reservation");
		ck_assert_int_eq(last->delta_reserved, 9);
		ck_assert_int_eq(last->on_hand_after, 12);
		ck_assert_int_eq(last->reserved_after, 9);
		ck_assert_str_eq(last->reference, "hold");
	}
	/* the low-stock list shows the row */
	{
		stock_page sp;
		bool seen = false;
		page big = { 1, 100, 0 };

		/* 3 available at threshold 3; the demo has many low rows too,
		 * so walk the pages */
		for (; !seen && big.page <= 1000; big.page++, big.offset += big.per_page) {
			ck_assert_int_eq(stock_low_list(a, &big, &sp, &e), E_OK);
			ck_assert_int_ge(sp.total, 1);
			if (sp.n == 0)
				break;
			for (size_t i = 0; i < sp.n; i++) {
				ck_assert(sp.items[i].is_low);
				seen = seen || (strcmp(sp.items[i].warehouse_id, w) == 0 &&
				    strcmp(sp.items[i].variant_id, vid) == 0);
			}
		}
		ck_assert(seen);
	}
}
END_TEST

/* ------------------------------------------------------------ over HTTP */

/*
 * A small curl client of its own: http_client.c exports jstr/jint, which
 * lib/product's input.c also defines, and this suite links lib/product
 * (stock_set asks the catalog), so the two cannot share one program.
 */
typedef struct reply {
	long status;
	char *body;
	size_t len;
	json_object *json;
} reply;

static size_t
collect(char *p, size_t size, size_t n, void *ud)
{
	reply *r = ud;
	char *nb;

	if (n != 0 && size > SIZE_MAX / n)
		return 0;
	if (!(nb = realloc(r->body, r->len + size * n + 1)))
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static void
reply_free(reply *r)
{
	json_object_put(r->json);
	free(r->body);
	free(r);
}

static reply *
call(const char *token, const char *method, const char *path, const char *body)
{
	reply *r = calloc(1, sizeof *r);
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char auth[2048];
	const char *url = arena_printf(a, "%s%s", getenv("ECOM_TEST_BASE_URL"), path);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(c);
	h = curl_slist_append(h, "Content-Type: application/json");
	/* our own rate-limit bucket (the stack trusts loopback as a proxy) */
	h = curl_slist_append(h, "X-Forwarded-For: 198.51.100.40");
	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	ck_assert_msg(curl_easy_perform(c) == CURLE_OK, "%s %s failed", method, url);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->json = r->body ? json_tokener_parse(r->body) : NULL;
	return r;
}

/* The value at a dotted path of plain keys and array indexes. */
static json_object *
at(json_object *o, const char *path)
{
	char tmp[256], *save = NULL, *tok;

	snprintf(tmp, sizeof tmp, "%s", path);
	for (tok = strtok_r(tmp, ".", &save); o && tok; tok = strtok_r(NULL, ".", &save)) {
		json_object *next = NULL;
		int64_t idx;

		if (json_object_is_type(o, json_type_array))
			next = parse_i64(tok, 0, INT32_MAX, &idx) == 0 ?
			    json_object_array_get_idx(o, (size_t)idx) : NULL;
		else if (!json_object_object_get_ex(o, tok, &next))
			next = NULL;
		o = next;
	}
	return o;
}

static const char *
str_at(const reply *r, const char *path)
{
	json_object *v = at(r->json, path);

	return v ? json_object_get_string(v) : NULL;
}

static long long
int_at(const reply *r, const char *path)
{
	json_object *v = at(r->json, path);

	ck_assert_msg(v != NULL, "%s missing in %s", path, r->body);
	return (long long)json_object_get_int64(v);
}

static bool
bool_at(const reply *r, const char *path)
{
	json_object *v = at(r->json, path);

	ck_assert_msg(v != NULL, "%s missing in %s", path, r->body);
	return json_object_get_boolean(v);
}

/* An access token from ecomctl (ECOM_TEST_ECOMCTL); malloc'd. */
static char *
token_for(const char *who, const char *sub)
{
	const char *ctl = getenv("ECOM_TEST_ECOMCTL");
	char line[4096], *tok = NULL;
	FILE *p;

	ck_assert_msg(ctl != NULL, "ECOM_TEST_ECOMCTL not set");
	p = popen(arena_printf(a, "%s token --sub %s --email %s@example.com --role %s --ttl 600",
	    ctl, sub, who, who), "r");
	ck_assert_ptr_nonnull(p);
	if (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\r\n")] = '\0';
		tok = strdup(line);
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_ptr_nonnull(tok);
	return tok;
}

/* error.fields[name] of a reply (names contain dots). */
static const char *
api_field(const reply *r, const char *name)
{
	json_object *f = at(r->json, "error.fields"), *v;

	if (!f || !json_object_object_get_ex(f, name, &v))
		return NULL;
	return json_object_get_string(v);
}

START_TEST(api_roles_and_validation)
{
	char *admin, *customer;
	reply *r;
	const char *pid = new_id(a), *vid = new_id(a), *w;

	if (!getenv("ECOM_TEST_BASE_URL") || !getenv("ECOM_TEST_ECOMCTL"))
		return;
	admin = token_for("admin", new_id(a));
	customer = token_for("customer", new_id(a));
	ck_assert_ptr_nonnull(admin);
	ck_assert_ptr_nonnull(customer);

	r = call(NULL, "GET", "/api/v1/warehouses", NULL);
	ck_assert_int_eq(r->status, 401);
	ck_assert_str_eq(str_at(r, "error.code"), "UNAUTHORIZED");
	reply_free(r);
	r = call(customer, "GET", "/api/v1/warehouses", NULL);
	ck_assert_int_eq(r->status, 403);
	reply_free(r);
	r = call(customer, "POST", "/api/v1/inventory/reserve", "{}");
	ck_assert_int_eq(r->status, 403);
	reply_free(r);

	/* warehouse create: every bad field at once */
	r = call(admin, "POST", "/api/v1/warehouses", "{\"code\":\"bad code\",\"priority\":-1}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_str_eq(str_at(r, "error.code"), "VALIDATION_ERROR");
	ck_assert_ptr_nonnull(api_field(r, "code"));
	ck_assert_ptr_nonnull(api_field(r, "name"));
	ck_assert_ptr_nonnull(api_field(r, "priority"));
	reply_free(r);
	r = call(admin, "POST", "/api/v1/warehouses",
	    arena_printf(a, "{\"code\":\"H%s\",\"name\":\"HTTP test\",\"priority\":5}", tag));
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	w = arena_strdup(a, str_at(r, "data.id"));
	reply_free(r);
	r = call(admin, "POST", "/api/v1/warehouses",
	    arena_printf(a, "{\"code\":\"H%s\",\"name\":\"again\"}", tag));
	ck_assert_int_eq(r->status, 409);
	ck_assert_ptr_nonnull(api_field(r, "code"));
	reply_free(r);
	r = call(admin, "PUT", arena_printf(a, "/api/v1/warehouses/%s", w), "{\"priority\":7}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(int_at(r, "data.priority"), 7);
	reply_free(r);
	r = call(admin, "GET", arena_printf(a, "/api/v1/warehouses/%s", new_id(a)), NULL);
	ck_assert_int_eq(r->status, 404);
	reply_free(r);

	mk_stock(pid, vid, w, 4);
	/* the public check: no token needed */
	r = call(NULL, "POST", "/api/v1/inventory/check", arena_printf(a,
	    "{\"items\":[{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":3},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":5},"
	    "{\"product_id\":\"%s\",\"variant_id\":\"%s\"}]}", pid, vid, pid, vid, pid, new_id(a)));
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_eq(int_at(r, "data.items.0.available"), 4);
	ck_assert(bool_at(r, "data.items.0.in_stock"));
	ck_assert(!bool_at(r, "data.items.1.in_stock"));
	ck_assert(!bool_at(r, "data.items.2.tracked"));
	ck_assert(!bool_at(r, "data.all_available"));
	reply_free(r);
	r = call(NULL, "POST", "/api/v1/inventory/check", "{\"items\":[{\"variant_id\":\"x\",\"quantity\":0}]}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(api_field(r, "items.0.product_id"));
	ck_assert_ptr_nonnull(api_field(r, "items.0.variant_id"));
	ck_assert_ptr_nonnull(api_field(r, "items.0.quantity"));
	reply_free(r);

	/* adjust: delta and reason are checked before anything moves */
	r = call(admin, "PUT", arena_printf(a, "/api/v1/inventory/%s/variants/%s", pid, vid),
	    "{\"delta\":0,\"reason\":\"theft\"}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_str_eq(api_field(r, "delta"), "must not be 0");
	ck_assert_str_eq(api_field(r, "reason"),
	    "must be order, return, adjustment or reservation");
	reply_free(r);
	r = call(admin, "PUT", arena_printf(a, "/api/v1/inventory/%s/variants/%s", pid, vid),
	    "{\"delta\":-5,\"reason\":\"order\"}");
	ck_assert_int_eq(r->status, 409);
	reply_free(r);
	r = call(admin, "PUT", arena_printf(a, "/api/v1/inventory/%s/variants/%s", pid, vid),
	    "{\"delta\":6,\"reason\":\"return\"}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(int_at(r, "data.on_hand"), 10);
	reply_free(r);
	r = call(admin, "GET", arena_printf(a, "/api/v1/inventory/%s/variants/%s", pid, vid), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(int_at(r, "data.available"), 10);
	ck_assert_str_eq(str_at(r, "data.warehouses.0.warehouse_id"), w);
	reply_free(r);

	/* reserve, then confirm over HTTP */
	r = call(admin, "POST", "/api/v1/inventory/reserve", arena_printf(a,
	    "{\"key\":\"http-%s\",\"ttl_seconds\":120,\"items\":[{\"product_id\":\"%s\","
	    "\"variant_id\":\"%s\",\"quantity\":11}]}", tag, pid, vid));
	ck_assert_int_eq(r->status, 409);
	ck_assert_str_eq(api_field(r, "items.0"), "only 10 left");
	reply_free(r);
	r = call(admin, "POST", "/api/v1/inventory/reserve", arena_printf(a,
	    "{\"key\":\"http-%s\",\"ttl_seconds\":120,\"items\":[{\"product_id\":\"%s\","
	    "\"variant_id\":\"%s\",\"quantity\":4}]}", tag, pid, vid));
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	ck_assert_str_eq(str_at(r, "data.status"), "active");
	{
		const char *rid = arena_strdup(a, str_at(r, "data.id"));
		reply_free(r);
		r = call(admin, "POST", "/api/v1/inventory/confirm",
		    arena_printf(a, "{\"reservation_id\":\"%s\"}", rid));
		ck_assert_int_eq(r->status, 400);
		ck_assert_ptr_nonnull(api_field(r, "order_id"));
		reply_free(r);
		r = call(admin, "POST", "/api/v1/inventory/confirm",
		    arena_printf(a, "{\"reservation_id\":\"%s\",\"order_id\":\"%s\"}", rid, new_id(a)));
		ck_assert_int_eq(r->status, 200);
		ck_assert_str_eq(str_at(r, "data.status"), "confirmed");
	}
	reply_free(r);
	r = call(admin, "GET", arena_printf(a, "/api/v1/inventory/%s/variants/%s/movements", pid, vid), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(int_at(r, "total_count"), 3);	/* return, reservation, order */
	ck_assert_str_eq(str_at(r, "data.0.reason"), "order");
	reply_free(r);
	r = call(admin, "GET", "/api/v1/inventory/low-stock?per_page=0", NULL);
	ck_assert_int_eq(r->status, 400);
	reply_free(r);
	r = call(admin, "GET", "/api/v1/inventory/low-stock", NULL);
	ck_assert_int_eq(r->status, 200);
	reply_free(r);
	free(admin);
	free(customer);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (config_init() != 0)
		return 1;
	if (config_raw("ECOM_DB_URL") == NULL) {
		puts("SKIP: set ECOM_DB_URL (or ECOM_CONFIG) to a real PostgreSQL");
		return 77;
	}
	s = suite_create("inventory");
	tc = tcase_create("inventory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, two_hundred_parallel_reservations_never_oversell);
	tcase_add_test(tc, reservations_take_from_warehouses_by_priority);
	tcase_add_test(tc, display_availability_lags_at_most_its_ttl);
	tcase_add_test(tc, confirm_and_release_are_idempotent);
	tcase_add_test(tc, expired_reservations_return_stock_after_one_janitor_run);
	tcase_add_test(tc, adjustments_log_movements_and_low_stock_fires_once_per_crossing);
	tcase_add_test(tc, api_roles_and_validation);
	suite_add_tcase(s, tc);
	test_db_domain("inventory");
	return check_run(s);
}
