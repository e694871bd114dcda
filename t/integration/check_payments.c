/*
 * check_payments.c — payments against a real PostgreSQL and the running
 * shop's sandbox processor (/sandbox/v1 behind lighttpd): every test card's
 * outcome and message, card numbers in no table and no log, the timeout
 * card settled by payment_reconcile consistently with the processor's
 * ledger (no double charge), offline methods, partial and full refunds
 * with the over-refund refused (also by ten concurrent refunds and by the
 * database itself), webhooks delivered 1-5 times in shuffled order ending
 * in one state, bad signatures refused, and the API's owners and admins.
 *
 * The suite runs its provider calls with ECOM_PAYMENT_TIMEOUT_MS=1000 while
 * the sandbox keeps its default (3000), so the slow card's 4.5 s answer is
 * a real timeout here.  Needs ECOM_CONFIG (or ECOM_DB_URL) and
 * ECOM_TEST_BASE_URL; skipped with 77 otherwise.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"
#include <json-c/json.h>

#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/util.h"
#include "payment/payment.h"
#include "http_client.h"

#define XFF "X-Forwarded-For: 198.51.100.50"

static arena *a;

static void
setup(void)
{
	ck_assert_int_eq(config_init(), 0);
	log_init("check_payments", "error");
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
	db_close_all();
}

/* Test plumbing, not application code: fixed SQL through plain libpq. */
static PGresult *
sql_res(const char *s, bool must)
{
	error e;
	db_conn *c;
	PGresult *r;

	err_clear(&e);
	c = db_for("payments", &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
	r = PQexec(db_pg(c), s);
	if (must)
		ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK ||
		    PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", s, PQerrorMessage(db_pg(c)));
	return r;
}

static long long
sql_int(const char *s)
{
	PGresult *r = sql_res(s, true);
	long long v;

	ck_assert_int_eq(PQntuples(r), 1);
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static const char *
new_id(void)
{
	char *u = arena_alloc(a, 37);

	ck_assert_ptr_nonnull(u);
	ck_assert_int_eq(uuid_v4(u), 0);
	return u;
}

static card_input
card(const char *number)
{
	card_input c = { number, "12", "2034", "123" };

	return c;
}

static ecode
charge(const char *checkout, const char *number, int64_t amount, payment *p, error *e)
{
	card_input c = card(number);

	err_clear(e);
	return payment_charge(a, checkout, NULL, amount, "EUR", "card", &c, p, e);
}

/* ------------------------------------------------------------ test cards */

START_TEST(every_test_card_has_its_outcome_and_message)
{
	static const struct {
		const char *number, *exp_year;
		ecode       rc;
		const char *code, *message;
	} cards[] = {
		{ "4242 4242 4242 4242", "2034", E_OK, NULL, NULL },
		{ "4000000000000002", "2034", E_PAYMENT_FAILED, "card_declined", "the card was declined" },
		{ "4000000000009995", "2034", E_PAYMENT_FAILED, "insufficient_funds", "insufficient funds" },
		{ "4000000000000119", "2034", E_PAYMENT_FAILED, "processing_error", "processing error" },
		{ "4242424242424241", "2034", E_PAYMENT_FAILED, "incorrect_number", "incorrect" },
		{ "4242424242424242", "2020", E_PAYMENT_FAILED, "expired_card", "expired" },
	};

	for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++) {
		card_input c = { cards[i].number, "3", cards[i].exp_year, "123" };
		const char *co = new_id();
		payment p;
		error e;
		ecode rc;

		err_clear(&e);
		rc = payment_charge(a, co, NULL, 1999, "EUR", "card", &c, &p, &e);
		ck_assert_msg(rc == cards[i].rc, "%s: %d (%s)", cards[i].number, rc, e.message);
		ck_assert_ptr_nonnull(p.id);
		if (rc == E_OK) {
			ck_assert_str_eq(p.status, "captured");
			ck_assert_str_eq(p.card_brand, "visa");
			ck_assert_str_eq(p.card_last4, "4242");
			ck_assert_ptr_nonnull(p.provider_ref);
			continue;
		}
		ck_assert_msg(strstr(e.message, cards[i].message), "%s: %s", cards[i].number, e.message);
		ck_assert_str_eq(p.status, "failed");
		ck_assert_str_eq(p.failure_code, cards[i].code);
		/* the checkout may try again with another card: same payment, captured */
		{
			payment q;
			ck_assert_int_eq(charge(co, "4242424242424242", 1999, &q, &e), E_OK);
			ck_assert_str_eq(q.id, p.id);
			ck_assert_str_eq(q.status, "captured");
		}
	}
}
END_TEST

START_TEST(invalid_card_input_is_refused_with_fields)
{
	card_input c = { "4242-abc", "13", "20345", "1" };
	payment p;
	error e;

	err_clear(&e);
	ck_assert_int_eq(payment_charge(a, new_id(), NULL, 100, "EUR", "card", &c, &p, &e), E_VALIDATION);
	ck_assert_int_eq(e.nfields, 4);
	err_clear(&e);
	ck_assert_int_eq(payment_charge(a, new_id(), NULL, 0, "EURO", "bitcoin", NULL, &p, &e),
	    E_VALIDATION);
	ck_assert_int_eq(e.nfields, 3);
}
END_TEST

START_TEST(card_numbers_are_never_stored_or_logged)
{
	static const char *const numbers[] = { "4242424242424242", "4000000000000002",
	    "4000000000009995", "4000000000000119" };
	const char *conf = config_raw("ECOM_CONFIG");
	payment p;
	error e;

	for (size_t i = 0; i < 4; i++)
		(void)charge(new_id(), numbers[i], 500, &p, &e);
	for (size_t i = 0; i < 4; i++) {
		const char *n = numbers[i];
		ck_assert_int_eq(sql_int(arena_printf(a, "SELECT (SELECT count(*) FROM payments.payments t"
		    " WHERE row_to_json(t)::text LIKE '%%%s%%') + (SELECT count(*) FROM payments.outbox t"
		    " WHERE row_to_json(t)::text LIKE '%%%s%%') + (SELECT count(*) FROM"
		    " sandbox.authorizations t WHERE row_to_json(t)::text LIKE '%%%s%%') +"
		    " (SELECT count(*) FROM sandbox.events t WHERE row_to_json(t)::text LIKE '%%%s%%')",
		    n, n, n, n)), 0);
	}
	if (conf) {
		char *dir = arena_strdup(a, conf), *out;
		out = run_capture(arena_printf(a, "grep -rlE '4242424242424242|4000000000000002|"
		    "4000000000009995|4000000000000119' '%s/log' 2>/dev/null | head -n 3", dirname(dir)));
		ck_assert_msg(!out || !*out, "card numbers in the logs: %s", out);
		free(out);
	}
}
END_TEST

/* ------------------------------------------------------------ timeout */

START_TEST(timeout_is_unavailable_and_reconcile_settles_it_once)
{
	const char *co = new_id();
	payment p, q;
	error e;
	int64_t settled = 0;

	ck_assert_int_eq(charge(co, "4000000000000077", 4321, &p, &e), E_UNAVAILABLE);
	ck_assert_int_eq(payment_for_checkout(a, co, &p, &e), E_OK);
	ck_assert_str_eq(p.status, "pending");
	/* the processor recorded the authorization before its slow answer */
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM sandbox.authorizations"
	    " WHERE idempotency_key LIKE '%s:%%' AND status = 'authorized'", co)), 1);
	sleep(4);	/* older than 2 x timeout + 1 s: the janitor's turn */
	err_clear(&e);
	ck_assert_int_eq(payment_reconcile(a, &settled, &e), E_OK);
	ck_assert_int_ge(settled, 1);
	ck_assert_int_eq(payment_for_checkout(a, co, &q, &e), E_OK);
	ck_assert_str_eq(q.status, "captured");
	ck_assert_str_eq(q.id, p.id);
	/* the ledger agrees: one authorization, captured once, for the amount */
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM sandbox.authorizations"
	    " WHERE idempotency_key LIKE '%s:%%'", co)), 1);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT captured_amount FROM sandbox.authorizations"
	    " WHERE idempotency_key LIKE '%s:%%' AND status = 'captured'", co)), 4321);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM payments.outbox WHERE"
	    " aggregate_id = '%s' AND event_type = 'ecommerce.payment.succeeded'", p.id)), 1);
	/* a retry of the checkout returns the same payment, no second charge */
	ck_assert_int_eq(charge(co, "4000000000000077", 4321, &q, &e), E_OK);
	ck_assert_str_eq(q.id, p.id);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM sandbox.authorizations"
	    " WHERE idempotency_key LIKE '%s:%%'", co)), 1);
	/* another amount for the same checkout is a mismatch, not a charge */
	ck_assert_int_eq(charge(co, "4242424242424242", 1, &q, &e), E_IDEMPOTENCY_MISMATCH);
}
END_TEST

START_TEST(a_refund_left_pending_is_finished_by_reconcile)
{
	payment p, q;
	error e;
	int64_t settled = 0;
	const char *rid = new_id();

	ck_assert_int_eq(charge(new_id(), "4242424242424242", 800, &p, &e), E_OK);
	/* as if the process died after reserving the refund, before the provider answered */
	sql_int(arena_printf(a, "WITH u AS (UPDATE payments.payments SET refunded_amount = 250"
	    " WHERE id = '%s' RETURNING id), r AS (INSERT INTO payments.refunds (id, payment_id,"
	    " amount, reason, idempotency_key, created_at) SELECT '%s', id, 250, 'crashed',"
	    " 'crash-1', now() - interval '1 minute' FROM u RETURNING 1) SELECT count(*) FROM r",
	    p.id, rid));
	err_clear(&e);
	ck_assert_int_eq(payment_reconcile(a, &settled, &e), E_OK);
	ck_assert_int_eq(payment_get(a, p.id, &q, &e), E_OK);
	ck_assert_str_eq(q.status, "partially_refunded");
	ck_assert_int_eq(q.refunded_amount, 250);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM payments.refunds"
	    " WHERE id = '%s' AND status = 'succeeded'", rid)), 1);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT refunded_amount FROM sandbox.authorizations"
	    " WHERE id = '%s'", p.provider_ref)), 250);
	/* a second run changes nothing at the processor */
	ck_assert_int_eq(payment_reconcile(a, &settled, &e), E_OK);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT refunded_amount FROM sandbox.authorizations"
	    " WHERE id = '%s'", p.provider_ref)), 250);
}
END_TEST

/* ------------------------------------------------------------ offline */

START_TEST(offline_methods_stay_pending_and_compensate)
{
	static const char *const methods[] = { "bank_transfer", "cash_on_delivery" };

	for (size_t i = 0; i < 2; i++) {
		const char *co = new_id();
		payment p;
		error e;

		err_clear(&e);
		ck_assert_int_eq(payment_charge(a, co, NULL, 2500, "EUR", methods[i], NULL, &p, &e), E_OK);
		ck_assert_str_eq(p.status, "pending");
		ck_assert_str_eq(p.method, methods[i]);
		ck_assert_ptr_null(p.provider_ref);
		ck_assert_int_eq(payment_charge(a, co, NULL, 2500, "EUR", methods[i], NULL, &p, &e), E_OK);
		ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM payments.payments"
		    " WHERE checkout_id = '%s'", co)), 1);
		ck_assert_int_eq(payment_compensate(a, co, "customer canceled", &e), E_OK);
		ck_assert_int_eq(payment_for_checkout(a, co, &p, &e), E_OK);
		ck_assert_str_eq(p.status, "voided");
		ck_assert_int_eq(payment_compensate(a, co, "again", &e), E_OK);
	}
}
END_TEST

START_TEST(compensation_refunds_a_capture_in_full_once)
{
	const char *co = new_id();
	payment p;
	error e;

	ck_assert_int_eq(charge(co, "4242424242424242", 1500, &p, &e), E_OK);
	ck_assert_int_eq(payment_compensate(a, co, "order could not be created", &e), E_OK);
	ck_assert_int_eq(payment_compensate(a, co, "order could not be created", &e), E_OK);
	ck_assert_int_eq(payment_get(a, p.id, &p, &e), E_OK);
	ck_assert_str_eq(p.status, "refunded");
	ck_assert_int_eq(p.refunded_amount, 1500);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT refunded_amount FROM sandbox.authorizations"
	    " WHERE id = '%s'", p.provider_ref)), 1500);
}
END_TEST

/* ------------------------------------------------------------ refunds */

START_TEST(partial_and_full_refunds_never_exceed_the_capture)
{
	payment p, q;
	error e;
	PGresult *r;

	ck_assert_int_eq(charge(new_id(), "4242424242424242", 1000, &p, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(payment_refund(a, p.id, 300, "damaged box", "k1", &q, &e), E_OK);
	ck_assert_str_eq(q.status, "partially_refunded");
	ck_assert_int_eq(q.refunded_amount, 300);
	/* replay of the key: nothing new */
	ck_assert_int_eq(payment_refund(a, p.id, 300, "damaged box", "k1", &q, &e), E_OK);
	ck_assert_int_eq(q.refunded_amount, 300);
	ck_assert_int_eq(payment_refund(a, p.id, 301, "damaged box", "k1", &q, &e),
	    E_IDEMPOTENCY_MISMATCH);
	err_clear(&e);
	ck_assert_int_eq(payment_refund(a, p.id, 701, "too much", "k2", &q, &e), E_CONFLICT);
	ck_assert_msg(strstr(e.message, "700 left"), "%s", e.message);
	err_clear(&e);
	ck_assert_int_eq(payment_refund(a, p.id, 700, "the rest", "k3", &q, &e), E_OK);
	ck_assert_str_eq(q.status, "refunded");
	ck_assert_int_eq(q.refunded_amount, 1000);
	err_clear(&e);
	ck_assert_int_eq(payment_refund(a, p.id, 1, "one more", "k4", &q, &e), E_CONFLICT);
	err_clear(&e);
	ck_assert_int_eq(payment_refund(a, p.id, 1, "x", "k5", &q, &e), E_VALIDATION);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT sum(amount) FROM payments.refunds"
	    " WHERE payment_id = '%s' AND status = 'succeeded'", p.id)), 1000);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM payments.outbox"
	    " WHERE aggregate_id = '%s' AND event_type = 'ecommerce.payment.refunded'", p.id)), 2);
	/* the database refuses an over-refund whoever writes it */
	r = sql_res(arena_printf(a, "INSERT INTO payments.refunds (id, payment_id, amount, reason,"
	    " idempotency_key, status) VALUES (gen_random_uuid(), '%s', 1, 'psql', 'psql',"
	    " 'succeeded')", p.id), false);
	ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
	r = sql_res(arena_printf(a, "UPDATE payments.payments SET refunded_amount = amount + 1"
	    " WHERE id = '%s'", p.id), false);
	ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
}
END_TEST

static void
refund_child(int gate, const char *id, int i)
{
	char c;
	error e;
	payment p;
	arena *ca;
	ecode rc;

	if (read(gate, &c, 1) < 0)
		_exit(9);
	ca = arena_new(16 * 1024);
	err_clear(&e);
	rc = payment_refund(ca, id, 300, "concurrent refund", arena_printf(ca, "par-%d", i), &p, &e);
	db_close_all();
	_exit(rc == E_OK ? 0 : rc == E_CONFLICT ? 3 : 4);
}

START_TEST(ten_concurrent_refunds_never_sum_past_the_capture)
{
	payment p;
	error e;
	pid_t kids[10];
	int gate[2], ok = 0, refused = 0, other = 0;

	ck_assert_int_eq(charge(new_id(), "4242424242424242", 1000, &p, &e), E_OK);
	db_close_all();
	ck_assert_int_eq(pipe(gate), 0);
	for (int i = 0; i < 10; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			close(gate[1]);
			refund_child(gate[0], p.id, i);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < 10; i++) {
		int st;
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			refused++;
		else
			other++;
	}
	ck_assert_int_eq(other, 0);
	ck_assert_int_eq(ok, 3);
	ck_assert_int_eq(refused, 7);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT sum(amount) FROM payments.refunds"
	    " WHERE payment_id = '%s' AND status <> 'failed'", p.id)), 900);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT refunded_amount FROM payments.payments"
	    " WHERE id = '%s'", p.id)), 900);
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT refunded_amount FROM sandbox.authorizations"
	    " WHERE id = '%s'", p.provider_ref)), 900);
}
END_TEST

/* ------------------------------------------------------------ webhooks */

static http_result *
deliver(const char *body, const char *sig)
{
	char h[512];
	const char *hdrs[] = { "Content-Type: application/json", XFF, h, NULL };

	snprintf(h, sizeof h, "Sandbox-Signature: %s", sig ? sig : "");
	return http_do(test_base_url(), "POST", "/api/v1/payments/webhook/sandbox", body, hdrs);
}

START_TEST(webhooks_in_any_number_and_order_end_in_one_state)
{
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int round = 0; round < 3; round++) {
		payment p, q;
		error e;
		http_result *ev;
		const char *bodies[64], *sigs[64];
		int order[64], n = 0, nev, processed = 0, dup = 0;

		ck_assert_int_eq(charge(new_id(), "4242424242424242", 1000, &p, &e), E_OK);
		ck_assert_int_eq(payment_refund(a, p.id, 400, "partial", "w1", &q, &e), E_OK);
		ev = http_do(test_base_url(), "GET", arena_printf(a, "/sandbox/v1/events?payment=%s",
		    p.provider_ref), NULL, (const char *[]){ XFF, NULL });
		ck_assert_int_eq(ev->status, 200);
		nev = (int)json_object_array_length(jpath(ev->json, "data"));
		ck_assert_int_eq(nev, 3);	/* authorized, captured, partially_refunded */
		for (int i = 0; i < nev; i++) {
			bodies[i] = arena_strdup(a, jstr(ev->json, arena_printf(a, "data.%d.body", i)));
			sigs[i] = arena_strdup(a, jstr(ev->json, arena_printf(a, "data.%d.signature", i)));
			for (int k = 1 + rand() % 5; k > 0; k--)
				order[n++] = i;
		}
		http_result_free(ev);
		for (int i = n - 1; i > 0; i--) {
			int j = rand() % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		/* as if every answer of the processor had been lost after the intent */
		sql_int(arena_printf(a, "WITH u AS (UPDATE payments.payments SET status = 'pending',"
		    " provider_version = 0 WHERE id = '%s' RETURNING 1) SELECT count(*) FROM u", p.id));
		for (int i = 0; i < n; i++) {
			http_result *r = deliver(bodies[order[i]], sigs[order[i]]);
			const char *st;
			ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
			st = jstr(r->json, "data.status");
			processed += strcmp(st, "processed") == 0;
			dup += strcmp(st, "duplicate") == 0;
			http_result_free(r);
		}
		ck_assert_int_eq(processed, nev);
		ck_assert_int_eq(dup, n - nev);
		ck_assert_int_eq(payment_get(a, p.id, &q, &e), E_OK);
		ck_assert_str_eq(q.status, "partially_refunded");
		ck_assert_int_eq(q.refunded_amount, 400);
		ck_assert_int_eq(sql_int(arena_printf(a, "SELECT provider_version FROM payments.payments"
		    " WHERE id = '%s'", p.id)), 3);
		ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM payments.webhook_events"
		    " WHERE payment_id = '%s'", p.id)), nev);
	}
}
END_TEST

START_TEST(bad_signatures_are_refused)
{
	payment p;
	error e;
	http_result *ev, *r;
	const char *body, *sig;
	char *forged;

	ck_assert_int_eq(charge(new_id(), "4242424242424242", 700, &p, &e), E_OK);
	ev = http_do(test_base_url(), "GET", arena_printf(a, "/sandbox/v1/events?payment=%s",
	    p.provider_ref), NULL, (const char *[]){ XFF, NULL });
	ck_assert_int_eq(ev->status, 200);
	body = arena_strdup(a, jstr(ev->json, "data.0.body"));
	sig = arena_strdup(a, jstr(ev->json, "data.0.signature"));
	http_result_free(ev);
	forged = arena_strdup(a, body);
	forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == '1' ? '2' : '1';
	r = deliver(forged, sig);
	ck_assert_int_eq(r->status, 401);
	http_result_free(r);
	r = deliver(body, NULL);
	ck_assert_int_eq(r->status, 401);
	http_result_free(r);
	r = deliver(body, "t=1,v1=0000000000000000000000000000000000000000000000000000000000000000");
	ck_assert_int_eq(r->status, 401);
	http_result_free(r);
	r = http_do(test_base_url(), "POST", "/api/v1/payments/webhook/nosuch", body,
	    (const char *[]){ XFF, NULL });
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	/* none of it was recorded */
	ck_assert_int_eq(sql_int(arena_printf(a, "SELECT count(*) FROM payments.webhook_events"
	    " WHERE payment_id = '%s'", p.id)), 0);
	r = deliver(body, sig);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ API */

START_TEST(api_owner_admin_and_refund)
{
	const char *uid = new_id(), *co = new_id();
	char *mine = mint_token("customer", uid), *other = mint_token("customer", new_id());
	char *admin = mint_token("admin", new_id());
	card_input c = card("4242424242424242");
	payment p;
	error e;
	http_result *r;
	char auth_mine[2048], auth_other[2048], auth_admin[2048];
	const char *path;

	ck_assert_ptr_nonnull(mine);
	ck_assert_ptr_nonnull(other);
	ck_assert_ptr_nonnull(admin);
	snprintf(auth_mine, sizeof auth_mine, "Authorization: Bearer %s", mine);
	snprintf(auth_other, sizeof auth_other, "Authorization: Bearer %s", other);
	snprintf(auth_admin, sizeof auth_admin, "Authorization: Bearer %s", admin);
	err_clear(&e);
	ck_assert_int_eq(payment_charge(a, co, uid, 990, "EUR", "card", &c, &p, &e), E_OK);
	path = arena_printf(a, "/api/v1/payments/%s", p.id);
	r = http_do(test_base_url(), "GET", path, NULL, (const char *[]){ XFF, auth_mine, NULL });
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.card_last4"), "4242");
	ck_assert_str_eq(jstr(r->json, "data.status"), "captured");
	http_result_free(r);
	r = http_do(test_base_url(), "GET", path, NULL, (const char *[]){ XFF, auth_other, NULL });
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	r = http_do(test_base_url(), "GET", arena_printf(a, "/api/v1/payments/checkout/%s", co), NULL,
	    (const char *[]){ XFF, auth_admin, NULL });
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	r = http_do(test_base_url(), "GET", arena_printf(a, "/api/v1/payments/user/%s", uid), NULL,
	    (const char *[]){ XFF, auth_mine, NULL });
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "total_count"), 1);
	http_result_free(r);
	r = http_do(test_base_url(), "GET", arena_printf(a, "/api/v1/payments/user/%s", uid), NULL,
	    (const char *[]){ XFF, auth_other, NULL });
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	path = arena_printf(a, "/api/v1/payments/%s/refund", p.id);
	r = http_do(test_base_url(), "POST", path, "{\"amount\":100,\"reason\":\"no\"}",
	    (const char *[]){ XFF, auth_admin, "Content-Type: application/json", NULL });
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(jpath(r->json, "error.fields.reason"));
	http_result_free(r);
	r = http_do(test_base_url(), "POST", path, "{\"amount\":100,\"reason\":\"late delivery\"}",
	    (const char *[]){ XFF, auth_mine, "Content-Type: application/json", NULL });
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	for (int i = 0; i < 2; i++) {
		r = http_do(test_base_url(), "POST", path, "{\"amount\":100,\"reason\":\"late delivery\"}",
		    (const char *[]){ XFF, auth_admin, "Content-Type: application/json",
		    "Idempotency-Key: api-1", NULL });
		ck_assert_int_eq(r->status, 200);
		ck_assert_int_eq(jint(r->json, "data.refunded_amount"), 100);
		http_result_free(r);
	}
	r = http_do(test_base_url(), "POST", path, "{\"amount\":891,\"reason\":\"everything\"}",
	    (const char *[]){ XFF, auth_admin, "Content-Type: application/json", NULL });
	ck_assert_int_eq(r->status, 409);
	http_result_free(r);
	free(mine);
	free(other);
	free(admin);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	/* the provider's answer to the slow card must outlast our timeout */
	setenv("ECOM_PAYMENT_TIMEOUT_MS", "1000", 1);
	if (config_init() != 0)
		return 1;
	if (config_raw("ECOM_DB_URL") == NULL || !getenv("ECOM_TEST_BASE_URL")) {
		puts("SKIP: set ECOM_CONFIG and ECOM_TEST_BASE_URL (run by ./check)");
		return 77;
	}
	s = suite_create("payments");
	tc = tcase_create("payments");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_test_card_has_its_outcome_and_message);
	tcase_add_test(tc, invalid_card_input_is_refused_with_fields);
	tcase_add_test(tc, card_numbers_are_never_stored_or_logged);
	tcase_add_test(tc, timeout_is_unavailable_and_reconcile_settles_it_once);
	tcase_add_test(tc, a_refund_left_pending_is_finished_by_reconcile);
	tcase_add_test(tc, offline_methods_stay_pending_and_compensate);
	tcase_add_test(tc, compensation_refunds_a_capture_in_full_once);
	tcase_add_test(tc, partial_and_full_refunds_never_exceed_the_capture);
	tcase_add_test(tc, ten_concurrent_refunds_never_sum_past_the_capture);
	tcase_add_test(tc, webhooks_in_any_number_and_order_end_in_one_state);
	tcase_add_test(tc, bad_signatures_are_refused);
	tcase_add_test(tc, api_owner_admin_and_refund);
	suite_add_tcase(s, tc);
	return check_run(s);
}
