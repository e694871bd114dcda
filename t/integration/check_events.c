/*
 * check_events.c — the outbox relay in embedded mode against a real
 * PostgreSQL: a burst across three outboxes is delivered and published
 * once in effect; three relays at once keep each aggregate's order; a
 * consumer that fails is retried with growing backoff, and one that keeps
 * failing is dead-lettered, held back its aggregate's next event, and is
 * replayed once fixed; a relay killed between delivering and recording
 * (ECOM_FAULT=relay_after_deliver) leaves nothing lost and nothing done
 * twice.  Through the web server (ECOM_TEST_BASE_URL), the admin page
 * lists a dead letter, shows its envelope escaped, and takes a replay.
 *
 * The suite runs in a database of its own (created from the server of
 * ECOM_CONFIG, migrated with the repository's files, dropped at the end):
 * a relay of the running shop would otherwise take the test's events
 * first.  Its consumer keeps its own tables in schema events_test:
 * processed_events (the claim), effects (one row per applied event, in
 * the order applied), deliveries (every call, outside any transaction)
 * and fail_plan (how often it fails for an aggregate; -1 = always).
 * Redis too gets a database of its own (15), since the relay drains the
 * carts' stream as well.  Backoff is tested without waiting: the test moves next_attempt_at back.
 * Without ECOM_CONFIG or ECOM_DB_URL the suite is skipped with 77.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"
#include "scratch_db.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/parse.h"
#include "core/util.h"
#include "events/events.h"
#include "http_client.h"
#include "test_db.h"

#define TEST_GROUP	"events-test"

static arena *a;

/* ------------------------------------------------------------ the consumer */

static db_stmt st_delivery = DB_STMT("evt_t_delivery",
    "INSERT INTO events_test.deliveries (event_id, n) VALUES ($1::uuid, 1)"
    " ON CONFLICT (event_id) DO UPDATE SET n = events_test.deliveries.n + 1", 1);
static db_stmt st_fail = DB_STMT("evt_t_fail",
    "UPDATE events_test.fail_plan SET remaining = CASE WHEN remaining > 0"
    " THEN remaining - 1 ELSE remaining END WHERE aggregate_id = $1::uuid AND remaining <> 0"
    " RETURNING remaining", 1);
static db_stmt st_claim = DB_STMT("evt_t_claim",
    "INSERT INTO events_test.processed_events (event_id) VALUES ($1::uuid)"
    " ON CONFLICT DO NOTHING", 1);
static db_stmt st_effect = DB_STMT("evt_t_effect",
    "INSERT INTO events_test.effects (event_id, aggregate_id, n)"
    " VALUES ($1::uuid, $2::uuid, $3::int)", 3);

static ecode
apply(db_conn *c, arena *ta, void *ud, error *e)
{
	const event *ev = ud;
	json_object *n;
	bool fresh;
	const char *p[3];

	if (event_claim(c, ta, &st_claim, ev, &fresh, e) != E_OK)
		return e->code;
	if (!fresh)
		return E_OK;
	if (!json_object_object_get_ex(ev->data, "n", &n))
		return err_set(e, E_INVALID_INPUT, "no n");
	p[0] = ev->id;
	p[1] = ev->aggregate_id;
	p[2] = json_object_get_string(n);
	return db_exec(c, ta, &st_effect, p, e) != NULL ? E_OK : e->code;
}

static ecode
test_handle(arena *ta, const event *ev, error *e)
{
	const char *p[1] = { ev->id }, *q[1] = { ev->aggregate_id };
	db_conn *c = db_for("events_test", e);
	PGresult *r;

	if (c == NULL || db_exec(c, ta, &st_delivery, p, e) == NULL ||
	    !(r = db_exec(c, ta, &st_fail, q, e)))
		return e->code;
	if (PQntuples(r) > 0)
		return err_set(e, E_UNAVAILABLE, "planned failure");
	return db_tx(c, ta, apply, (void *)ev, e);
}

static const char *const test_topics[] = {
	"ecommerce.product.updated", "ecommerce.user.updated", "ecommerce.order.status_changed",
	NULL
};
static const consumer test_consumer = { TEST_GROUP, test_topics, test_handle };
static const consumer *const test_consumers[] = { &test_consumer, NULL };

/* ------------------------------------------------------------ plumbing */

/* Three real outboxes, each with the event its domain would write. */
static struct {
	const char *schema, *type, *aggregate;
	db_stmt     insert;
} outboxes[] = {
	{ "catalog", "product.updated", "product", DB_STMT("evt_t_ins_catalog",
	    "INSERT INTO catalog.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
	    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5) },
	{ "users", "user.updated", "user", DB_STMT("evt_t_ins_users",
	    "INSERT INTO users.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
	    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5) },
	{ "orders", "order.status_changed", "order", DB_STMT("evt_t_ins_orders",
	    "INSERT INTO orders.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
	    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5) },
};

typedef struct emit_args {
	int         box;
	const char *aggregate_id;
	int         n;
} emit_args;

static ecode
emit_tx(db_conn *c, arena *ta, void *ud, error *e)
{
	const emit_args *x = ud;
	event_origin o = { outboxes[x->box].schema, "check-events", NULL, ROLE_PUBLIC };
	json_object *data = json_object_new_object();

	json_object_object_add(data, "n", json_object_new_int(x->n));
	return outbox_emit(c, ta, &outboxes[x->box].insert, &o, outboxes[x->box].type,
	    outboxes[x->box].aggregate, x->aggregate_id, data, e);
}

/* Event number n of aggregate_id into outbox box, committed on its own. */
static void
emit(int box, const char *aggregate_id, int n)
{
	emit_args x = { box, aggregate_id, n };
	error e;
	db_conn *c;

	err_clear(&e);
	c = db_for(outboxes[box].schema, &e);
	ck_assert_msg(c != NULL, "%s", e.message);
	ck_assert_msg(db_tx(c, a, emit_tx, &x, &e) == E_OK, "emit: %s", e.message);
}

static relay_stats
relay_once(int batch)
{
	relay_opts o = { batch, 0, false, NULL };
	relay_stats st = { 0, 0, 0, 0 };
	event_sink *s;
	error e;

	err_clear(&e);
	s = event_sink_embedded(test_consumers, &e);
	ck_assert_msg(s != NULL, "%s", e.message);
	ck_assert_msg(relay_run(s, &o, &st, &e) == E_OK, "relay: %s", e.message);
	s->close(s);
	return st;
}

/* Pending rows of the test's aggregates in all three outboxes. */
static long long
pending_of(const char *aggregate_ids)
{
	return sql_int(a, arena_printf(a, "SELECT (SELECT count(*) FROM catalog.outbox WHERE"
	    " published_at IS NULL AND aggregate_id = ANY('%s'::uuid[])) + (SELECT count(*) FROM"
	    " users.outbox WHERE published_at IS NULL AND aggregate_id = ANY('%s'::uuid[]))"
	    " + (SELECT count(*) FROM orders.outbox WHERE published_at IS NULL AND"
	    " aggregate_id = ANY('%s'::uuid[]))", aggregate_ids, aggregate_ids, aggregate_ids));
}

static void
setup(void)
{
	ck_assert_int_eq(config_init(), 0);
	log_init("check_events", "error");
	a = arena_new(256 * 1024);
	ck_assert_ptr_nonnull(a);
	/* a run that failed half-way must not leave a previous test's
	 * rows due in this one */
	sql(a, "UPDATE catalog.outbox SET published_at = now() WHERE published_at IS NULL");
	sql(a, "UPDATE users.outbox SET published_at = now() WHERE published_at IS NULL");
	sql(a, "UPDATE orders.outbox SET published_at = now() WHERE published_at IS NULL");
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
	db_close_all();
}

/* "{id,...}" of n fresh aggregate ids, their ids in ids[]. */
static const char *
aggregates(const char **ids, int n)
{
	const char *list = "{";

	for (int i = 0; i < n; i++) {
		ids[i] = new_id(a);
		list = arena_printf(a, "%s%s%s", list, i > 0 ? "," : "", ids[i]);
	}
	return arena_printf(a, "%s}", list);
}

static long long
effects_of(const char *list)
{
	return sql_int(a, arena_printf(a, "SELECT count(*) FROM events_test.effects"
	    " WHERE aggregate_id = ANY('%s'::uuid[])", list));
}

/* ------------------------------------------------------------ (a) a burst */

START_TEST(burst_across_outboxes_is_delivered_once)
{
	const char *ids[30], *list = aggregates(ids, 30);
	outbox_backlog *b;
	size_t nb;
	relay_stats st = { 0, 0, 0, 0 };
	error e;

	for (int n = 1; n <= 5; n++)
		for (int i = 0; i < 30; i++)
			emit(i % 3, ids[i], n);
	err_clear(&e);
	ck_assert_int_eq(outbox_backlog_list(a, &b, &nb, &e), E_OK);
	ck_assert_uint_ge(nb, 6);
	ck_assert_str_eq(b[0].schema, "catalog");
	ck_assert(b[0].exists);
	ck_assert_int_eq(b[0].pending, 50);
	ck_assert_int_ge(b[0].oldest_age_s, 0);

	st = relay_once(20);
	ck_assert_int_eq(st.published, 150);
	ck_assert_int_eq(st.failed + st.dead, 0);
	ck_assert_int_eq(pending_of(list), 0);
	ck_assert_int_eq(effects_of(list), 150);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(DISTINCT event_id) FROM"
	    " events_test.effects WHERE aggregate_id = ANY('%s'::uuid[])", list)), 150);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM events_test.deliveries d"
	    " JOIN events_test.effects f USING (event_id) WHERE d.n <> 1"
	    " AND f.aggregate_id = ANY('%s'::uuid[])", list)), 0);
	ck_assert_int_eq(outbox_backlog_list(a, &b, &nb, &e), E_OK);
	ck_assert_int_eq(b[0].pending, 0);
	ck_assert_int_eq(b[0].oldest_age_s, 0);
	/* nothing left: a second run publishes nothing and hands nothing over */
	st = relay_once(20);
	ck_assert_int_eq(st.published, 0);
	ck_assert_int_eq(effects_of(list), 150);
}
END_TEST

/* ------------------------------------------------------------ (b) order */

START_TEST(three_relays_keep_each_aggregates_order)
{
	enum { NAGG = 24, NEV = 25, NRELAYS = 3 };
	const char *ids[NAGG], *list = aggregates(ids, NAGG);
	pid_t kids[NRELAYS];

	for (int n = 1; n <= NEV; n++)
		for (int i = 0; i < NAGG; i++)
			emit(i % 3, ids[i], n);
	/* connections are per process: the relays open their own */
	db_close_all();
	for (int k = 0; k < NRELAYS; k++) {
		ck_assert_int_ge(kids[k] = fork(), 0);
		if (kids[k] == 0) {
			relay_opts o = { 5, 0, false, NULL };
			relay_stats st = { 0, 0, 0, 0 };
			error e;
			event_sink *s = event_sink_embedded(test_consumers, &e);

			_exit(s != NULL && relay_run(s, &o, &st, &e) == E_OK && st.failed == 0 ? 0 : 1);
		}
	}
	for (int k = 0; k < NRELAYS; k++) {
		int status;

		ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "relay %d failed", k);
	}
	ck_assert_int_eq(pending_of(list), 0);
	ck_assert_int_eq(effects_of(list), NAGG * NEV);
	/* applied in order: within an aggregate, each effect is the next n */
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM (SELECT n, lag(n) OVER"
	    " (PARTITION BY aggregate_id ORDER BY pos) AS prev FROM events_test.effects"
	    " WHERE aggregate_id = ANY('%s'::uuid[])) x WHERE coalesce(prev, 0) + 1 <> n", list)), 0);
}
END_TEST

/* ------------------------------------------------------------ (c) retries */

/* Seconds until the row of aggregate id in catalog.outbox is due again. */
static long long
due_in(const char *id)
{
	return sql_int(a, arena_printf(a, "SELECT round(extract(epoch FROM next_attempt_at - now()))"
	    " FROM catalog.outbox WHERE aggregate_id = '%s' AND published_at IS NULL"
	    " ORDER BY seq LIMIT 1", id));
}

static void
make_due(const char *id)
{
	sql(a, arena_printf(a, "UPDATE catalog.outbox SET next_attempt_at = now()"
	    " WHERE aggregate_id = '%s' AND published_at IS NULL", id));
}

START_TEST(failing_consumer_is_retried_with_backoff)
{
	const char *id = new_id(a), *list = arena_printf(a, "{%s}", id);
	relay_stats st = { 0, 0, 0, 0 };

	sql(a, arena_printf(a, "INSERT INTO events_test.fail_plan VALUES ('%s', 3)", id));
	emit(0, id, 1);
	for (int k = 1; k <= 3; k++) {
		long long wait = (long long)EVENT_BACKOFF_BASE_S << (k - 1);

		st = relay_once(10);
		ck_assert_int_eq(st.failed, 1);
		ck_assert_int_eq(st.published, 0);
		ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT attempts FROM catalog.outbox"
		    " WHERE aggregate_id = '%s'", id)), k);
		ck_assert_str_eq(sql(a, arena_printf(a, "SELECT last_error FROM catalog.outbox"
		    " WHERE aggregate_id = '%s'", id)), TEST_GROUP ": planned failure");
		/* the wait doubles; the lower bound allows for a slow machine */
		ck_assert_int_le(due_in(id), wait);
		ck_assert_int_gt(due_in(id), wait / 2);
		/* not due yet: the next run leaves it alone */
		st = relay_once(10);
		ck_assert_int_eq(st.failed + st.published, 0);
		make_due(id);
	}
	ck_assert_int_eq(effects_of(list), 0);
	st = relay_once(10);
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(pending_of(list), 0);
	ck_assert_int_eq(effects_of(list), 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT d.n FROM events_test.deliveries d JOIN"
	    " catalog.outbox o ON o.id = d.event_id WHERE o.aggregate_id = '%s'", id)), 4);
}
END_TEST

static const dead_letter *
find_letter(const dead_letter_page *pg, const char *event_id)
{
	for (size_t i = 0; i < pg->n; i++)
		if (strcmp(pg->items[i].event_id, event_id) == 0)
			return &pg->items[i];
	return NULL;
}

START_TEST(always_failing_is_dead_lettered_and_replayed)
{
	const char *id = new_id(a), *list = arena_printf(a, "{%s}", id);
	const char *first, *second;
	const dead_letter *dl;
	dead_letter_page pg;
	dead_letter d;
	relay_stats st = { 0, 0, 0, 0 };
	error e;

	sql(a, arena_printf(a, "INSERT INTO events_test.fail_plan VALUES ('%s', -1)", id));
	emit(0, id, 1);
	emit(0, id, 2);
	first = sql(a, arena_printf(a, "SELECT id FROM catalog.outbox WHERE aggregate_id = '%s'"
	    " ORDER BY seq LIMIT 1", id));
	second = sql(a, arena_printf(a, "SELECT id FROM catalog.outbox WHERE aggregate_id = '%s'"
	    " ORDER BY seq DESC LIMIT 1", id));
	for (int k = 1; k < EVENT_MAX_ATTEMPTS; k++) {
		st = relay_once(10);
		ck_assert_int_eq(st.failed, 1);
		ck_assert_int_eq(st.dead, 0);
		make_due(id);
	}
	/* the second event was held back behind the first, never tried */
	ck_assert_ptr_null(sql(a, arena_printf(a, "SELECT n FROM events_test.deliveries"
	    " WHERE event_id = '%s'", second)));
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT attempts FROM catalog.outbox"
	    " WHERE id = '%s'", second)), 0);

	st = relay_once(10);
	ck_assert_int_eq(st.dead, 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT attempts FROM catalog.outbox WHERE"
	    " id = '%s' AND published_at IS NOT NULL", first)), EVENT_MAX_ATTEMPTS);
	/* with the first parked, the second had its turn in the same run */
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT attempts FROM catalog.outbox"
	    " WHERE id = '%s'", second)), 1);
	err_clear(&e);
	ck_assert_int_eq(dead_letter_list(a, true, 1, 100, &pg, &e), E_OK);
	ck_assert_ptr_nonnull(dl = find_letter(&pg, first));
	ck_assert_str_eq(dl->consumer, TEST_GROUP);
	ck_assert_str_eq(dl->topic, "ecommerce.product.updated");
	ck_assert_str_eq(dl->error, TEST_GROUP ": planned failure");
	ck_assert_int_eq(dl->attempts, EVENT_MAX_ATTEMPTS);
	ck_assert_ptr_null(dl->replayed_at);
	ck_assert_int_eq(dead_letter_get(a, dl->id, &d, &e), E_OK);
	ck_assert_ptr_nonnull(strstr(d.payload, first));

	/* a replay that fails again records it and stays pending */
	ck_assert_int_eq(dead_letter_request_replay(a, d.id, NULL, &e), E_OK);
	st = relay_once(10);
	ck_assert_int_eq(st.replayed, 0);
	ck_assert_int_eq(dead_letter_get(a, d.id, &d, &e), E_OK);
	ck_assert_int_eq(d.attempts, EVENT_MAX_ATTEMPTS + 1);
	ck_assert_str_eq(d.error, "planned failure");
	ck_assert_ptr_null(d.replay_requested_at);
	ck_assert_ptr_null(d.replayed_at);
	ck_assert_int_eq(effects_of(list), 0);

	/* fixed: the replay is handled */
	sql(a, arena_printf(a, "UPDATE events_test.fail_plan SET remaining = 0"
	    " WHERE aggregate_id = '%s'", id));
	ck_assert_int_eq(dead_letter_request_replay(a, d.id, NULL, &e), E_OK);
	ck_assert_int_eq(dead_letter_get(a, d.id, &d, &e), E_OK);
	ck_assert_ptr_nonnull(d.replay_requested_at);
	st = relay_once(10);
	ck_assert_int_eq(st.replayed, 1);
	ck_assert_int_eq(dead_letter_get(a, d.id, &d, &e), E_OK);
	ck_assert_ptr_nonnull(d.replayed_at);
	ck_assert_int_eq(effects_of(list), 1);
	ck_assert_int_eq(dead_letter_list(a, true, 1, 100, &pg, &e), E_OK);
	ck_assert_ptr_null(find_letter(&pg, first));
	ck_assert_int_eq(dead_letter_list(a, false, 1, 100, &pg, &e), E_OK);
	ck_assert_ptr_nonnull(find_letter(&pg, first));
	ck_assert_int_eq(dead_letter_request_replay(a, d.id, NULL, &e), E_CONFLICT);
	ck_assert_int_eq(dead_letter_request_replay(a, new_id(a), NULL, &e), E_NOT_FOUND);

	/* and the second event follows */
	make_due(id);
	st = relay_once(10);
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(pending_of(list), 0);
	ck_assert_int_eq(effects_of(list), 2);
}
END_TEST

/* ------------------------------------------------------------ (d) a crash */

START_TEST(relay_killed_mid_batch_loses_nothing_and_repeats_nothing)
{
	const char *ids[12], *list = aggregates(ids, 12);
	relay_stats st = { 0, 0, 0, 0 };
	pid_t kid;
	int status;

	for (int n = 1; n <= 5; n++)
		for (int i = 0; i < 12; i++)
			emit(i % 3, ids[i], n);
	db_close_all();
	ck_assert_int_ge(kid = fork(), 0);
	if (kid == 0) {
		relay_opts o = { 10, 0, false, NULL };
		error e;
		event_sink *s = event_sink_embedded(test_consumers, &e);

		setenv("ECOM_FAULT", "relay_after_deliver", 1);
		_exit(s != NULL && relay_run(s, &o, &st, &e) == E_OK ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3,
	    "the relay should have died after its first batch (ECOM_ENV=test?)");
	/* the first batch (catalog's first 10) was handled, but nothing
	 * recorded as published */
	ck_assert_int_eq(effects_of(list), 10);
	ck_assert_int_eq(pending_of(list), 60);

	/* users and orders go at once; the dead relay's rows wait for their
	 * lease, and the rest of catalog waits behind them (every catalog
	 * aggregate has a leased row) */
	st = relay_once(10);
	ck_assert_int_eq(st.published, 40);
	ck_assert_int_eq(pending_of(list), 20);
	ck_assert_int_eq(effects_of(list), 50);
	sql(a, arena_printf(a, "UPDATE catalog.outbox SET next_attempt_at = now()"
	    " WHERE published_at IS NULL AND aggregate_id = ANY('%s'::uuid[])", list));
	st = relay_once(10);
	ck_assert_int_eq(st.published, 20);
	ck_assert_int_eq(pending_of(list), 0);

	/* at least once: the first batch came twice; once in effect */
	ck_assert_int_eq(effects_of(list), 60);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(DISTINCT event_id) FROM"
	    " events_test.effects WHERE aggregate_id = ANY('%s'::uuid[])", list)), 60);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM events_test.processed_events"
	    " p JOIN events_test.effects f USING (event_id) WHERE f.aggregate_id = ANY('%s'::uuid[])",
	    list)), 60);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM events_test.deliveries d"
	    " JOIN events_test.effects f USING (event_id) WHERE d.n = 2"
	    " AND f.aggregate_id = ANY('%s'::uuid[])", list)), 10);
}
END_TEST

/* ------------------------------------------------------------ the admin page */

/* The shop's own database and Redis again: the page runs against those. */
static void
shop_setup(void)
{
	scratch_db_shop();
	ck_assert_int_eq(config_init(), 0);
	log_init("check_events", "error");
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
}

/* A Bearer header for a fresh admin with TOTP on (the 2FA policy met). */
static const char *
admin_auth(void)
{
	const char *email = arena_printf(a, "events.%s@example.com", new_id(a));
	char *id, *tok, cmd[1024];
	int rc;

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' 'events-pass-7d2c91e4' | '%s' user create"
	    " --email '%s' --role admin --totp-secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	    " >/dev/null 2>&1", getenv("ECOM_TEST_ECOMCTL"), email);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "ecomctl user create failed");
	snprintf(cmd, sizeof cmd, "%s -tAc \"SELECT id FROM users.users WHERE email = '%s'\"",
	    getenv("ECOM_TEST_PSQL"), email);
	ck_assert_ptr_nonnull(id = run_capture(cmd));
	ck_assert_ptr_nonnull(tok = mint_token("admin", id));
	email = arena_printf(a, "Authorization: Bearer %s", tok);
	free(id);
	free(tok);
	return email;
}

START_TEST(admin_page_lists_shows_and_replays)
{
	const char *hdrs[] = { admin_auth(), "X-Forwarded-For: 198.51.100.91",
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	const char *eid = new_id(a), *path;
	event ev = { 0 };
	dead_letter_page pg;
	const dead_letter *dl;
	dead_letter d;
	http_result *r;
	char loc[256];
	error e;

	ev.id = eid;
	ev.type = "ecommerce.order.created";
	ev.source = "orders";
	ev.payload = arena_printf(a, "{\"event_id\":\"%s\",\"data\":{\"note\":\"<b>\"}}", eid);
	err_clear(&e);
	ck_assert_int_eq(dead_letter_park(a, &ev, "check-events-http", "smtp said <no>", 8, &e),
	    E_OK);
	ck_assert_int_eq(dead_letter_list(a, true, 1, 100, &pg, &e), E_OK);
	ck_assert_ptr_nonnull(dl = find_letter(&pg, eid));

	r = http_do(test_base_url(), "GET", "/admin/events", NULL, hdrs);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "/admin/events/%s", dl->id)));
	ck_assert_ptr_nonnull(strstr(r->body, "smtp said &lt;no&gt;"));
	ck_assert_ptr_nonnull(strstr(r->body, "Outbox backlog"));
	http_result_free(r);
	r = http_do(test_base_url(), "GET", "/admin/events?show=everything", NULL, hdrs);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);

	path = arena_printf(a, "/admin/events/%s", dl->id);
	r = http_do(test_base_url(), "GET", path, NULL, hdrs);
	ck_assert_int_eq(r->status, 200);
	/* pretty-printed and escaped */
	ck_assert_ptr_nonnull(strstr(r->body, arena_printf(a, "&quot;event_id&quot;: &quot;%s&quot;",
	    eid)));
	ck_assert_ptr_nonnull(strstr(r->body, "&lt;b&gt;"));
	ck_assert_ptr_nonnull(strstr(r->body, "Replay to check-events-http"));
	http_result_free(r);

	r = http_do(test_base_url(), "POST", arena_printf(a, "%s/replay", path), "", hdrs);
	ck_assert_int_eq(r->status, 303);
	ck_assert(http_header(r, "location", loc, sizeof loc));
	ck_assert_str_eq(loc, arena_printf(a, "%s?done=replay", path));
	http_result_free(r);
	ck_assert_int_eq(dead_letter_get(a, dl->id, &d, &e), E_OK);
	ck_assert_ptr_nonnull(d.replay_requested_at);
	r = http_do(test_base_url(), "GET", loc, NULL, hdrs);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "Replay requested: check-events-http gets the event"));
	http_result_free(r);

	/* once replayed, there is nothing to ask for */
	ck_assert_int_eq(dead_letter_mark_replayed(a, dl->id, NULL, &e), E_OK);
	r = http_do(test_base_url(), "POST", arena_printf(a, "%s/replay", path), "", hdrs);
	ck_assert_int_eq(r->status, 409);
	ck_assert_ptr_nonnull(strstr(r->body, "replayed already"));
	ck_assert_ptr_null(strstr(r->body, "Replay to "));
	http_result_free(r);
}
END_TEST

int
main(void)
{
	int rc;

	test_db_domain("events_test");
	if (getenv("ECOM_CONFIG") == NULL && getenv("ECOM_DB_URL") == NULL) {
		fprintf(stderr, "check_events: no ECOM_CONFIG or ECOM_DB_URL; skipped\n");
		return 77;
	}
	/* Redis database 15: the relay drains the carts' stream too */
	rc = scratch_db_create("check_events", 15, "CREATE SCHEMA events_test;"
	    " CREATE TABLE events_test.processed_events (event_id uuid PRIMARY KEY,"
	    "  handled_at timestamptz NOT NULL DEFAULT now());"
	    " CREATE TABLE events_test.effects (pos bigserial PRIMARY KEY, event_id uuid NOT NULL,"
	    "  aggregate_id uuid NOT NULL, n integer NOT NULL);"
	    " CREATE TABLE events_test.deliveries (event_id uuid PRIMARY KEY, n integer NOT NULL);"
	    " CREATE TABLE events_test.fail_plan (aggregate_id uuid PRIMARY KEY,"
	    "  remaining integer NOT NULL)");
	if (rc == 0) {
		Suite *s = suite_create("events");
		TCase *tc = tcase_create("relay");

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, burst_across_outboxes_is_delivered_once);
		tcase_add_test(tc, three_relays_keep_each_aggregates_order);
		tcase_add_test(tc, failing_consumer_is_retried_with_backoff);
		tcase_add_test(tc, always_failing_is_dead_lettered_and_replayed);
		tcase_add_test(tc, relay_killed_mid_batch_loses_nothing_and_repeats_nothing);
		suite_add_tcase(s, tc);
		if (test_base_url() != NULL && getenv("ECOM_TEST_ECOMCTL") != NULL &&
		    getenv("ECOM_TEST_PSQL") != NULL) {
			TCase *page = tcase_create("admin page");

			tcase_add_checked_fixture(page, shop_setup, teardown);
			tcase_add_test(page, admin_page_lists_shows_and_replays);
			suite_add_tcase(s, page);
		}
		rc = check_run(s);
		scratch_db_drop();
	}
	return rc == 0 ? 0 : 1;
}
