/*
 * check_kafka.c — the Kafka path of the event bus against librdkafka's
 * mock cluster (3 brokers, made in each test's process) and a real
 * PostgreSQL: every event type makes the round trip with its key and
 * headers; with every broker down the sink reports failures in time and
 * the relay keeps the rows, which go out once the brokers are back; a
 * relay killed between delivering and recording (ECOM_FAULT=
 * relay_after_deliver) loses nothing and its repeat is handled once; a
 * consumer that always fails on one event parks it in
 * ecommerce.dlq.<topic> and events.dead_letters and moves on; a consumer
 * stopped and started again handles exactly what lies after its last
 * committed offsets, none twice, none lost, within a short wait.
 *
 * The consumer groups run with ECOM_KAFKA_SESSION_TIMEOUT_MS=3000: after
 * a group's last member leaves (rd_kafka_consumer_close sends LeaveGroup),
 * the mock cluster holds the next join for the session timeout less 1 s,
 * so with librdkafka's default (45 s) a restarted member would see nothing
 * for about 44 s, and a "the next run reads nothing" check would pass
 * without the run ever being given a partition.
 *
 * Like check_events, the suite runs in a database of its own, created on
 * the server of ECOM_CONFIG and dropped at the end, since other suites run
 * relays over the shop's outboxes.  The test consumer keeps its tables in
 * schema kafka_test: processed_events (the claim), effects (one row per
 * applied event), deliveries (every call) and fail_plan (aggregates it
 * always fails on).  Without ECOM_CONFIG or ECOM_DB_URL: skipped (77).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "../check_run.h"
#include "scratch_db.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/parse.h"
#include "core/util.h"
#include "events/events.h"
#include "test_db.h"

#define TEST_GROUP	"kafka-test"
#define NBROKERS	3
#define JOIN_WAIT_MS	30000	/* generous: a group join takes seconds */
/* A restarted member's idle window: it must be given the partitions and
 * handle the first message within it (about 2-3 s with the session of
 * SESSION_MS; librdkafka's default session would make it about 45 s). */
#define RESTART_IDLE_S	10
#define SESSION_MS	"3000"

static arena *a;
static rd_kafka_t *cluster_host;
static rd_kafka_mock_cluster_t *mc;
static const char *brokers;

/* ------------------------------------------------------------ the consumer */

static db_stmt st_delivery = DB_STMT("kt_delivery",
    "INSERT INTO kafka_test.deliveries (event_id, n) VALUES ($1::uuid, 1)"
    " ON CONFLICT (event_id) DO UPDATE SET n = kafka_test.deliveries.n + 1", 1);
static db_stmt st_fails = DB_STMT("kt_fails",
    "SELECT 1 FROM kafka_test.fail_plan WHERE aggregate_id = $1::uuid", 1);
static db_stmt st_claim = DB_STMT("kt_claim",
    "INSERT INTO kafka_test.processed_events (event_id) VALUES ($1::uuid)"
    " ON CONFLICT DO NOTHING", 1);
static db_stmt st_effect = DB_STMT("kt_effect",
    "INSERT INTO kafka_test.effects (event_id, aggregate_id) VALUES ($1::uuid, $2::uuid)", 2);

static ecode
apply(db_conn *c, arena *ta, void *ud, error *e)
{
	const event *ev = ud;
	const char *p[2] = { ev->id, ev->aggregate_id };
	bool fresh;

	if (event_claim(c, ta, &st_claim, ev, &fresh, e) != E_OK)
		return e->code;
	if (!fresh)
		return E_OK;
	return db_exec(c, ta, &st_effect, p, e) != NULL ? E_OK : e->code;
}

static ecode
test_handle(arena *ta, const event *ev, error *e)
{
	const char *p[1] = { ev->id }, *q[1] = { ev->aggregate_id };
	db_conn *c = db_for("kafka_test", e);
	PGresult *r;

	if (c == NULL || db_exec(c, ta, &st_delivery, p, e) == NULL ||
	    !(r = db_exec(c, ta, &st_fails, q, e)))
		return e->code;
	if (PQntuples(r) > 0)
		return err_set(e, E_UNAVAILABLE, "planned failure");
	return db_tx(c, ta, apply, (void *)ev, e);
}

static const consumer test_consumer = { TEST_GROUP, event_topics, test_handle };

/* ------------------------------------------------------------ plumbing */

/* An envelope as outbox_emit writes it, parsed. */
static event
envelope(const char *type, const char *aggregate_id)
{
	const char *id = new_id(a), *corr = new_id(a);
	const char *json = arena_printf(a, "{\"event_id\":\"%s\",\"event_type\":\"%s\","
	    "\"aggregate_id\":\"%s\",\"aggregate_type\":\"test\",\"version\":1,"
	    "\"timestamp\":\"2026-11-24T12:00:00Z\",\"source\":\"check-kafka\","
	    "\"correlation_id\":\"%s\",\"data\":{},\"metadata\":{}}", id, type, aggregate_id, corr);
	event ev;
	error e;

	err_clear(&e);
	ck_assert_msg(event_parse(a, json, strlen(json), &ev, &e) == E_OK, "%s", e.message);
	return ev;
}

static event_sink *
sink(void)
{
	error e;
	event_sink *s;

	err_clear(&e);
	s = event_sink_kafka(brokers, &e);
	ck_assert_msg(s != NULL, "%s", e.message);
	return s;
}

static void
deliver_all(const event *evs, size_t n)
{
	event_sink *s = sink();
	bool *ok = arena_calloc(a, n, sizeof *ok);
	const char **why = arena_calloc(a, n, sizeof *why);

	ck_assert_int_eq(s->deliver(s, a, evs, n, ok, why), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(ok[i], "%s: %s", evs[i].type, why[i] != NULL ? why[i] : "held");
	s->close(s);
}

/* consume_run of consumer c until idle_s without a message (counted from
 * the start until the first one) or *stop. */
static relay_stats
consume_as(const consumer *c, int idle_s, const volatile sig_atomic_t *stop)
{
	consume_opts o = { brokers, 0, idle_s * 1000, stop };
	relay_stats st = { 0, 0, 0, 0 };
	error e;

	err_clear(&e);
	ck_assert_msg(consume_run(c, &o, &st, &e) == E_OK, "%s", e.message);
	return st;
}

static relay_stats
consume(int idle_s)
{
	return consume_as(&test_consumer, idle_s, NULL);
}

/* One message as a plain Kafka reader sees it. */
typedef struct seen {
	const char *topic, *key, *value, *event_type, *source, *correlation_id, *error;
} seen;

static const char *
header_value(rd_kafka_headers_t *h, const char *name)
{
	const void *v;
	size_t len;

	if (h == NULL || rd_kafka_header_get_last(h, name, &v, &len) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return NULL;
	return v != NULL ? arena_strndup(a, v, len) : NULL;
}

/* Read topics from the beginning (a fresh group) until want messages
 * came or JOIN_WAIT_MS passed; how many came. */
static size_t
read_topics(const char *const *topics, seen *out, size_t want)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
	uint64_t until = now_us() + JOIN_WAIT_MS * 1000ull;
	char err[256];
	rd_kafka_t *rk;
	size_t n = 0;

	ck_assert_int_eq(rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err), 0);
	ck_assert_int_eq(rd_kafka_conf_set(conf, "group.id", new_id(a), err, sizeof err), 0);
	ck_assert_int_eq(rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err,
	    sizeof err), 0);
	ck_assert_ptr_nonnull(rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err));
	rd_kafka_poll_set_consumer(rk);
	for (size_t i = 0; topics[i] != NULL; i++)
		rd_kafka_topic_partition_list_add(l, topics[i], RD_KAFKA_PARTITION_UA);
	ck_assert_int_eq(rd_kafka_subscribe(rk, l), 0);
	rd_kafka_topic_partition_list_destroy(l);
	while (n < want && now_us() < until) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		rd_kafka_headers_t *h = NULL;

		if (m == NULL)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			rd_kafka_message_headers(m, &h);
			out[n++] = (seen){ arena_strdup(a, rd_kafka_topic_name(m->rkt)),
			    m->key != NULL ? arena_strndup(a, m->key, m->key_len) : NULL,
			    arena_strndup(a, m->payload, m->len), header_value(h, "event_type"),
			    header_value(h, "source"), header_value(h, "correlation_id"), header_value(h, "error") };
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return n;
}

static void
brokers_down(bool down)
{
	for (int32_t b = 1; b <= NBROKERS; b++)
		ck_assert_int_eq(down ? rd_kafka_mock_broker_set_down(mc, b) :
		    rd_kafka_mock_broker_set_up(mc, b), 0);
}

/* A catalog.outbox row through the real outbox_emit. */
static db_stmt st_emit = DB_STMT("kt_emit",
    "INSERT INTO catalog.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

static ecode
emit_tx(db_conn *c, arena *ta, void *ud, error *e)
{
	event_origin o = { "catalog", "check-kafka", NULL, ROLE_PUBLIC };

	return outbox_emit(c, ta, &st_emit, &o, "product.updated", "product", ud,
	    json_object_new_object(), e);
}

static void
emit(const char *aggregate_id)
{
	error e;
	db_conn *c;

	err_clear(&e);
	ck_assert_ptr_nonnull(c = db_for("catalog", &e));
	ck_assert_msg(db_tx(c, a, emit_tx, (void *)aggregate_id, &e) == E_OK, "%s", e.message);
}

static relay_stats
relay_once(void)
{
	relay_opts o = { 50, 0, false, NULL };
	relay_stats st = { 0, 0, 0, 0 };
	event_sink *s = sink();
	error e;

	err_clear(&e);
	ck_assert_msg(relay_run(s, &o, &st, &e) == E_OK, "relay: %s", e.message);
	s->close(s);
	return st;
}

static long long
pending(void)
{
	return sql_int(a, "SELECT count(*) FROM catalog.outbox WHERE published_at IS NULL");
}

static void
setup(void)
{
	char err[256];

	ck_assert_int_eq(config_init(), 0);
	log_init("check_kafka", "error");
	ck_assert_ptr_nonnull(a = arena_new(256 * 1024));
	/* the cluster lives in this (the test's) process; a host handle owns it */
	ck_assert_ptr_nonnull(cluster_host = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err,
	    sizeof err));
	ck_assert_ptr_nonnull(mc = rd_kafka_mock_cluster_new(cluster_host, NBROKERS));
	brokers = rd_kafka_mock_cluster_bootstraps(mc);
	for (size_t i = 0; event_topics[i] != NULL; i++) {
		ck_assert_int_eq(rd_kafka_mock_topic_create(mc, event_topics[i], 3, 3), 0);
		ck_assert_int_eq(rd_kafka_mock_topic_create(mc, arena_printf(a, EVENT_DLQ_PREFIX "%s",
		    event_topics[i] + strlen(EVENT_TOPIC_PREFIX)), 1, 3), 0);
	}
	sql(a, "UPDATE catalog.outbox SET published_at = now() WHERE published_at IS NULL");
}

static void
teardown(void)
{
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(cluster_host);
	arena_free(a);
	a = NULL;
	db_close_all();
}

/* ------------------------------------------------------------ (a) */

START_TEST(every_event_type_makes_the_round_trip)
{
	enum { N = 64 };
	event evs[N];
	seen got[N];
	size_t n = 0, m;
	relay_stats st = { 0, 0, 0, 0 };

	for (; event_topics[n] != NULL; n++)
		evs[n] = envelope(event_topics[n], new_id(a));
	ck_assert_uint_le(n, N);
	deliver_all(evs, n);

	m = read_topics(event_topics, got, n);
	ck_assert_uint_eq(m, n);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < m && strstr(got[k].value, evs[i].id) == NULL)
			k++;
		ck_assert_msg(k < m, "%s not received", evs[i].type);
		ck_assert_str_eq(got[k].topic, evs[i].type);
		ck_assert_str_eq(got[k].key, evs[i].aggregate_id);
		ck_assert_str_eq(got[k].value, evs[i].payload);
		ck_assert_str_eq(got[k].event_type, evs[i].type);
		ck_assert_str_eq(got[k].source, "check-kafka");
		ck_assert_str_eq(got[k].correlation_id, evs[i].correlation_id);
	}

	st = consume(15);
	ck_assert_int_eq(st.published, (int64_t)n);
	ck_assert_int_eq(st.dead, 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM kafka_test.effects"
		    " WHERE event_id = '%s'", evs[i].id)), 1);
	/* committed: the group's next run starts where it left off, handling
	 * only what came since (its partitions come within the idle window:
	 * a_restarted_consumer_resumes_after_its_last_commit) */
	evs[0] = envelope("ecommerce.product.updated", new_id(a));
	deliver_all(evs, 1);
	st = consume(RESTART_IDLE_S);
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM kafka_test.effects"
	    " WHERE event_id = '%s'", evs[0].id)), 1);
}
END_TEST

/* ------------------------------------------------------------ (b) */

START_TEST(brokers_down_keeps_rows_until_they_are_back)
{
	event ev = envelope("ecommerce.order.created", new_id(a));
	event_sink *s = sink();
	bool ok = true;
	const char *why = NULL;
	relay_stats st = { 0, 0, 0, 0 };

	brokers_down(true);
	ck_assert_int_eq(s->deliver(s, a, &ev, 1, &ok, &why), 0);
	ck_assert(!ok);
	ck_assert_ptr_nonnull(why);

	/* the relay: the row stays, counted as a failed attempt */
	emit(new_id(a));
	st = relay_once();
	ck_assert_int_eq(st.published, 0);
	ck_assert_int_eq(st.failed, 1);
	ck_assert_int_eq(pending(), 1);
	ck_assert_int_eq(sql_int(a, "SELECT count(*) FROM events.dead_letters"), 0);

	brokers_down(false);
	ck_assert_int_eq(s->deliver(s, a, &ev, 1, &ok, &why), 0);
	ck_assert_msg(ok, "%s", why);
	s->close(s);
	sql(a, "UPDATE catalog.outbox SET next_attempt_at = now() WHERE published_at IS NULL");
	st = relay_once();
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(pending(), 0);
}
END_TEST

/* ------------------------------------------------------------ (c) */

START_TEST(relay_killed_mid_batch_loses_nothing_and_repeats_nothing)
{
	enum { N = 20 };
	int status;
	pid_t kid;
	relay_stats st = { 0, 0, 0, 0 };
	seen got[2 * N];
	static const char *const topic[] = { "ecommerce.product.updated", NULL };

	for (int i = 0; i < N; i++)
		emit(new_id(a));
	db_close_all();	/* connections are per process */
	ck_assert_int_ge(kid = fork(), 0);
	if (kid == 0) {
		relay_opts o = { 50, 0, false, NULL };
		error e;
		event_sink *s;

		setenv("ECOM_FAULT", "relay_after_deliver", 1);
		err_clear(&e);
		s = event_sink_kafka(brokers, &e);
		_exit(s != NULL && relay_run(s, &o, &st, &e) == E_OK ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 3, "the fault did not fire");
	ck_assert_int_eq(pending(), N);	/* delivered, not recorded */
	/* the lease of the dead relay runs out */
	sql(a, "UPDATE catalog.outbox SET next_attempt_at = now() WHERE published_at IS NULL");
	st = relay_once();
	ck_assert_int_eq(st.published, N);
	ck_assert_int_eq(pending(), 0);

	ck_assert_uint_eq(read_topics(topic, got, 2 * N), 2 * N);	/* at least once: twice */
	st = consume(15);
	ck_assert_int_ge(st.published, N);
	ck_assert_int_eq(sql_int(a, "SELECT count(*) FROM kafka_test.processed_events p JOIN"
	    " catalog.outbox o ON o.id = p.event_id"), N);
	ck_assert_int_eq(sql_int(a, "SELECT count(*) FROM kafka_test.effects f JOIN"
	    " catalog.outbox o ON o.id = f.event_id"), N);
}
END_TEST

/* ------------------------------------------------------------ (d) */

START_TEST(always_failing_event_is_parked_and_the_group_moves_on)
{
	const char *bad = new_id(a);
	event evs[3] = { envelope("ecommerce.payment.failed", new_id(a)),
	    envelope("ecommerce.payment.failed", bad),
	    envelope("ecommerce.payment.failed", new_id(a)) };
	static const char *const dlq[] = { "ecommerce.dlq.payment.failed", NULL };
	relay_stats st = { 0, 0, 0, 0 };
	seen got[1];
	long long tries;

	sql(a, arena_printf(a, "INSERT INTO kafka_test.fail_plan VALUES ('%s')", bad));
	deliver_all(evs, 3);
	st = consume(15);
	ck_assert_int_eq(st.published, 2);
	ck_assert_int_eq(st.dead, 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM kafka_test.effects"
	    " WHERE event_id IN ('%s', '%s')", evs[0].id, evs[2].id)), 2);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM events.dead_letters"
	    " WHERE event_id = '%s' AND consumer = '" TEST_GROUP "' AND replayed_at IS NULL"
	    " AND error = 'planned failure'", evs[1].id)), 1);
	ck_assert_uint_eq(read_topics(dlq, got, 1), 1);
	ck_assert_str_eq(got[0].value, evs[1].payload);
	ck_assert_str_eq(got[0].key, bad);
	ck_assert_str_eq(got[0].error, "planned failure");

	/* the offset moved on: the next run does not see it again, only
	 * what came since */
	tries = sql_int(a, arena_printf(a, "SELECT n FROM kafka_test.deliveries"
	    " WHERE event_id = '%s'", evs[1].id));
	evs[0] = envelope("ecommerce.payment.failed", new_id(a));
	deliver_all(evs, 1);
	st = consume(RESTART_IDLE_S);
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(st.dead, 0);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT n FROM kafka_test.deliveries"
	    " WHERE event_id = '%s'", evs[1].id)), tries);

	/* fixed and replayed by an admin: the group's next run handles it */
	sql(a, "DELETE FROM kafka_test.fail_plan");
	sql(a, arena_printf(a, "UPDATE events.dead_letters SET replay_requested_at = now()"
	    " WHERE event_id = '%s'", evs[1].id));
	st = consume(3);
	ck_assert_int_eq(st.replayed, 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM kafka_test.effects"
	    " WHERE event_id = '%s'", evs[1].id)), 1);
}
END_TEST

/* ------------------------------------------------------------ (e) */

/* The test consumer, stopping its run (as SIGTERM does: after the
 * current message) once it has handled stop_after events. */
static volatile sig_atomic_t stop_now;
static int stop_after;

static ecode
stopping_handle(arena *ta, const event *ev, error *e)
{
	ecode rc = test_handle(ta, ev, e);

	if (rc == E_OK && --stop_after == 0)
		stop_now = 1;
	return rc;
}

static const consumer stopping_consumer = { TEST_GROUP, event_topics, stopping_handle };

/* The handler ran once for ev and left one effect. */
static void
handled_once(const event *ev)
{
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT coalesce(max(n), 0) FROM"
	    " kafka_test.deliveries WHERE event_id = '%s'", ev->id)), 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM kafka_test.effects"
	    " WHERE event_id = '%s'", ev->id)), 1);
}

START_TEST(a_restarted_consumer_resumes_after_its_last_commit)
{
	enum { N1 = 12, K = 4, N2 = 5 };
	event first[N1], later[N2];
	relay_stats st;
	uint64_t t0;

	for (int i = 0; i < N1; i++)
		first[i] = envelope(i % 2 ? "ecommerce.product.updated" : "ecommerce.order.created",
		    new_id(a));
	for (int i = 0; i < N2; i++)
		later[i] = envelope("ecommerce.product.updated", new_id(a));
	deliver_all(first, N1);
	/* the first run stops after K events: K offsets committed, the rest
	 * of what it may have fetched was not handled */
	stop_now = 0;
	stop_after = K;
	st = consume_as(&stopping_consumer, 20, &stop_now);
	ck_assert_int_eq(st.published, K);
	/* more arrive while no member runs */
	deliver_all(later, N2);
	/* the restarted member is given the partitions within its idle
	 * window (the first member left the group on close, and the session
	 * is short here: ECOM_KAFKA_SESSION_TIMEOUT_MS in main) and handles
	 * exactly what lies after the commits: the rest and the later ones */
	t0 = now_us();
	st = consume(RESTART_IDLE_S);
	ck_assert_msg(st.published == N1 - K + N2, "the restarted run handled %lld of %d in %.1f s",
	    (long long)st.published, N1 - K + N2, (double)(now_us() - t0) / 1e6);
	ck_assert_int_eq(st.dead, 0);
	/* none twice, none lost */
	for (int i = 0; i < N1; i++)
		handled_once(&first[i]);
	for (int i = 0; i < N2; i++)
		handled_once(&later[i]);
	/* and a third run, with one new event, handles that one only */
	later[0] = envelope("ecommerce.product.updated", new_id(a));
	deliver_all(later, 1);
	st = consume(RESTART_IDLE_S);
	ck_assert_int_eq(st.published, 1);
	handled_once(&later[0]);
}
END_TEST

int
main(void)
{
	int rc;

	test_db_domain("kafka_test");
	/* The mock cluster holds a group's next join for the session timeout
	 * (less 1 s) after its last member left; a short one lets a restarted
	 * member in within RESTART_IDLE_S. */
	setenv("ECOM_KAFKA_SESSION_TIMEOUT_MS", SESSION_MS, 1);
	if (getenv("ECOM_CONFIG") == NULL && getenv("ECOM_DB_URL") == NULL) {
		fprintf(stderr, "check_kafka: no ECOM_CONFIG or ECOM_DB_URL; skipped\n");
		return 77;
	}
	/* Redis database 14 (check_events has 15): the relay drains the carts' stream */
	rc = scratch_db_create("check_kafka", 14, "CREATE SCHEMA kafka_test;"
	    " CREATE TABLE kafka_test.processed_events (event_id uuid PRIMARY KEY,"
	    "  handled_at timestamptz NOT NULL DEFAULT now());"
	    " CREATE TABLE kafka_test.effects (pos bigserial PRIMARY KEY, event_id uuid NOT NULL,"
	    "  aggregate_id uuid NOT NULL);"
	    " CREATE TABLE kafka_test.deliveries (event_id uuid PRIMARY KEY, n integer NOT NULL);"
	    " CREATE TABLE kafka_test.fail_plan (aggregate_id uuid PRIMARY KEY)");
	if (rc == 0) {
		Suite *s = suite_create("kafka");
		TCase *tc = tcase_create("mock cluster");

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 240);
		tcase_add_test(tc, every_event_type_makes_the_round_trip);
		tcase_add_test(tc, brokers_down_keeps_rows_until_they_are_back);
		tcase_add_test(tc, relay_killed_mid_batch_loses_nothing_and_repeats_nothing);
		tcase_add_test(tc, always_failing_event_is_parked_and_the_group_moves_on);
		tcase_add_test(tc, a_restarted_consumer_resumes_after_its_last_commit);
		suite_add_tcase(s, tc);
		rc = check_run(s);
		scratch_db_drop();
	}
	return rc == 0 ? 0 : 1;
}
