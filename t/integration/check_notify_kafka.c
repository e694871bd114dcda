/*
 * check_notify_kafka.c — the notifier as a Kafka consumer group (what
 * `workers/consume --group notifier` runs) against librdkafka's mock
 * cluster, beside the embedded mode check_notifications proves:
 *   - an order's order.created, relayed to Kafka and consumed by the group
 *     "notifier", queues exactly one order-confirmation for the buyer and
 *     writes one .eml, with the same subject and text the embedded relay
 *     gives an identical order (numbers aside);
 *   - the same event on the topic twice (the relay's row handed over a
 *     second time, as after a relay killed between delivering and
 *     recording): the group handles both copies and queues nothing more —
 *     one message, one file, one claim in notifications.processed_events.
 * Both copies are read by one run of the group: against the mock cluster
 * a second run of the same group is only given its partitions once the
 * session timeout (librdkafka's 45 s by default) has passed since the
 * first member left, so a "next run reads nothing" check would prove
 * nothing here; check_kafka shortens the session
 * (ECOM_KAFKA_SESSION_TIMEOUT_MS) and proves what a restarted run reads.
 *
 * Like check_kafka, the suite runs in a database of its own (scratch_db.h)
 * since other suites run relays over the shop's outboxes; mail goes to a
 * directory of its own through the file transport.  Without ECOM_CONFIG
 * or ECOM_DB_URL: skipped (77).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "../check_run.h"
#include "../../workers/consumers.h"
#include "scratch_db.h"
#include "test_db.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "events/events.h"
#include "notification/notification.h"
#include "order/order.h"

#define NBROKERS	3

static arena *a;
static rd_kafka_t *cluster_host;
static rd_kafka_mock_cluster_t *mc;
static const char *brokers;
static char mail_dir[] = "/tmp/check_notify_kafka.XXXXXX";

/* ------------------------------------------------------------ plumbing */

/* .eml files in the mail directory addressed to `to`. */
static int
mail_files_to(const char *to)
{
	DIR *d = opendir(mail_dir);
	struct dirent *de;
	const char *want = arena_printf(a, "To: <%s>", to);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		char head[8192];
		size_t len;
		FILE *f;

		if (strstr(de->d_name, ".eml") == NULL)
			continue;
		f = fopen(arena_printf(a, "%s/%s", mail_dir, de->d_name), "r");
		ck_assert_ptr_nonnull(f);
		len = fread(head, 1, sizeof head - 1, f);
		fclose(f);
		head[len] = '\0';
		if (strstr(head, want) != NULL)
			n++;
	}
	closedir(d);
	return n;
}

/* A guest's order of two lines for email, placed through lib/order (its
 * order.created goes to orders.outbox in the same transaction). */
static void
place_order(const char *email, order *out)
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
	in.email = email;
	in.currency = "EUR";
	in.items = items;
	in.nitems = 2;
	in.shipping_address = (order_address){ "Ada Lovelace", "1 Analytical St", NULL, "London",
	    NULL, "N1 1AA", "GB", NULL };
	in.shipping_method = "standard";
	in.subtotal = 6499;
	in.shipping = 500;
	in.total = 6999;
	in.paid = true;
	err_clear(&e);
	ck_assert_msg(order_create(a, &in, out, &e) == E_OK, "order: %s", e.message);
}

static const char *
order_event(const char *order_id)
{
	const char *id = sql(a, arena_printf(a, "SELECT id FROM orders.outbox WHERE aggregate_id = '%s'"
	    " AND event_type = 'ecommerce.order.created'", order_id));

	ck_assert_msg(id != NULL, "no order.created for %s", order_id);
	return id;
}

/* One relay pass over the outboxes into sink s (closed after). */
static relay_stats
relay_into(event_sink *s)
{
	relay_opts o = { 100, 0, false, NULL };
	relay_stats st = { 0, 0, 0, 0 };
	error e;

	err_clear(&e);
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(relay_run(s, &o, &st, &e) == E_OK, "relay: %s", e.message);
	s->close(s);
	return st;
}

static event_sink *
kafka_sink(void)
{
	error e;
	event_sink *s;

	err_clear(&e);
	s = event_sink_kafka(brokers, &e);
	ck_assert_msg(s != NULL, "%s", e.message);
	return s;
}

/* The group "notifier" as workers/consume runs it, until idle_s without a
 * message. */
static relay_stats
consume_notifier(int idle_s)
{
	consume_opts o = { brokers, 0, idle_s * 1000, NULL };
	relay_stats st = { 0, 0, 0, 0 };
	const consumer *c = NULL;
	error e;

	for (size_t i = 0; worker_consumers[i] != NULL; i++)
		if (strcmp(worker_consumers[i]->group, "notifier") == 0)
			c = worker_consumers[i];
	ck_assert_msg(c == &notification_consumer, "workers know no group \"notifier\"");
	err_clear(&e);
	ck_assert_msg(consume_run(c, &o, &st, &e) == E_OK, "%s", e.message);
	return st;
}

/* The messages queued for `to`. */
static long long
messages_to(const char *to)
{
	return sql_int(a, arena_printf(a, "SELECT count(*) FROM notifications.messages"
	    " WHERE recipient = '%s'", to));
}

/* s with every occurrence of what replaced by "#" (the order numbers). */
static const char *
without(const char *s, const char *what)
{
	buf b = BUF_INIT;
	const char *p, *out;
	size_t n = strlen(what);

	while ((p = strstr(s, what)) != NULL) {
		buf_append(&b, s, (size_t)(p - s));
		buf_append(&b, "#", 1);
		s = p + n;
	}
	buf_append(&b, s, strlen(s));
	out = arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}


static void
setup(void)
{
	char err[256];

	ck_assert_ptr_nonnull(mkdtemp(mail_dir));
	setenv("ECOM_MAIL_DIR", mail_dir, 1);
	unsetenv("ECOM_SMTP_URL");	/* the file transport: written when queued */
	ck_assert_int_eq(config_init(), 0);
	log_init("check_notify_kafka", "error");
	ck_assert_ptr_nonnull(a = arena_new(256 * 1024));
	ck_assert_msg(notification_file_transport(), "not the file transport");
	ck_assert_ptr_nonnull(cluster_host = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err,
	    sizeof err));
	ck_assert_ptr_nonnull(mc = rd_kafka_mock_cluster_new(cluster_host, NBROKERS));
	brokers = rd_kafka_mock_cluster_bootstraps(mc);
	for (size_t i = 0; event_topics[i] != NULL; i++) {
		ck_assert_int_eq(rd_kafka_mock_topic_create(mc, event_topics[i], 3, 3), 0);
		ck_assert_int_eq(rd_kafka_mock_topic_create(mc, arena_printf(a, EVENT_DLQ_PREFIX "%s",
		    event_topics[i] + strlen(EVENT_TOPIC_PREFIX)), 1, 3), 0);
	}
}

static void
teardown(void)
{
	char cmd[128];

	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(cluster_host);
	arena_free(a);
	a = NULL;
	db_close_all();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", mail_dir);
	(void)!system(cmd);
}

/* ------------------------------------------------------------ the test */

START_TEST(order_created_through_the_group_queues_one_message)
{
	const char *to = arena_printf(a, "kafka-buyer-%d@notify-test.example", (int)getpid());
	const char *to2 = arena_printf(a, "embedded-buyer-%d@notify-test.example", (int)getpid());
	const char *ev_id, *q, *subj, *text, *subj2, *text2;
	relay_stats st;
	order o, o2;

	/* Kafka: the relay publishes order.created, and publishes it again
	 * (its row handed over a second time, as after a relay killed between
	 * delivering and recording): two copies on the topic */
	place_order(to, &o);
	ev_id = order_event(o.id);
	st = relay_into(kafka_sink());
	ck_assert_int_ge(st.published, 1);
	sql(a, arena_printf(a, "UPDATE orders.outbox SET published_at = NULL, next_attempt_at = now()"
	    " WHERE id = '%s'", ev_id));
	st = relay_into(kafka_sink());
	ck_assert_int_eq(st.published, 1);
	ck_assert_int_eq(messages_to(to), 0);	/* nothing until the group reads it */

	/* the group "notifier" handles both copies: one message, one file */
	st = consume_notifier(12);
	ck_assert_msg(st.published == 2, "handled %lld of the 2 copies (dead %lld)",
	    (long long)st.published, (long long)st.dead);
	ck_assert_int_eq(st.dead, 0);
	q = arena_printf(a, "SELECT count(*) FROM notifications.messages WHERE recipient = '%s'"
	    " AND kind = 'order-confirmation' AND event_id = '%s'", to, ev_id);
	ck_assert_int_eq(sql_int(a, q), 1);
	ck_assert_int_eq(messages_to(to), 1);
	ck_assert_int_eq(sql_int(a, arena_printf(a, "SELECT count(*) FROM"
	    " notifications.processed_events WHERE event_id = '%s'", ev_id)), 1);
	ck_assert_int_eq(mail_files_to(to), 1);
	subj = sql(a, arena_printf(a, "SELECT subject FROM notifications.messages WHERE recipient = '%s'", to));
	text = sql(a, arena_printf(a, "SELECT body_text FROM notifications.messages WHERE recipient = '%s'", to));
	ck_assert_ptr_nonnull(strstr(subj, o.number));
	ck_assert_ptr_nonnull(strstr(text, "Tea & Co mug"));
	ck_assert_ptr_nonnull(strstr(text, "Lantern"));

	/* embedded: an identical order through the in-tree consumers makes
	 * the same message, but for its number and address */
	place_order(to2, &o2);
	{
		error e;
		err_clear(&e);
		st = relay_into(event_sink_embedded(worker_consumers, &e));
	}
	ck_assert_int_eq(messages_to(to2), 1);
	ck_assert_int_eq(mail_files_to(to2), 1);
	subj2 = sql(a, arena_printf(a, "SELECT subject FROM notifications.messages WHERE recipient = '%s'", to2));
	text2 = sql(a, arena_printf(a, "SELECT body_text FROM notifications.messages WHERE recipient = '%s'", to2));
	ck_assert_str_eq(without(subj, o.number), without(subj2, o2.number));
	ck_assert_str_eq(without(text, o.number), without(text2, o2.number));
}
END_TEST

int
main(void)
{
	int rc;

	if (getenv("ECOM_CONFIG") == NULL && getenv("ECOM_DB_URL") == NULL) {
		fprintf(stderr, "check_notify_kafka: no ECOM_CONFIG or ECOM_DB_URL; skipped\n");
		return 77;
	}
	/* Redis database 13 (check_kafka has 14, check_events 15) */
	rc = scratch_db_create("check_notify_kafka", 13, NULL);
	if (rc == 0) {
		Suite *s = suite_create("notify_kafka");
		TCase *tc = tcase_create("mock cluster");

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 180);
		tcase_add_test(tc, order_created_through_the_group_queues_one_message);
		suite_add_tcase(s, tc);
		test_db_domain("notifications");
		rc = check_run(s);
		scratch_db_drop();
	}
	return rc == 0 ? 0 : 1;
}
