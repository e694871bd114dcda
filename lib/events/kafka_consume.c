/*
 * kafka_consume.c — consume_run (events.h): one in-tree consumer as a
 * Kafka consumer group.
 *
 * Offsets are committed by hand, one message at a time, and only after
 * the message is either handled or parked in the dead letters.  A worker
 * that dies in between reads the message again on the next run, and the
 * handler's claim (event_claim) makes that a no-op: at least once, once in
 * effect.  A message the handler keeps failing on is retried a few times
 * here (a brief outage of its database), then goes to
 * ecommerce.dlq.<topic> for other Kafka tools and to events.dead_letters
 * for the admin's replay, so one bad event never blocks its partition.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "events/kafka.h"

#define CONSUME_TRIES		4	/* handler calls before the dead letters */
#define CONSUME_BACKOFF_MS	250	/* then 500, 1000 */
#define CONSUME_POLL_MS		500
#define CONSUME_ARENA		(256 * 1024)
#define CONSUME_REPLAYS		20	/* taken at a time */
#define CONSUME_REPLAY_EVERY_US	1000000	/* look for requested replays this often */

typedef struct run {
	const consumer     *c;
	const consume_opts *o;
	relay_stats        *st;
	arena              *a;
	rd_kafka_t         *rk;
	kafka_producer     *dlq;
} run;

static bool
stopped(const run *r)
{
	return r->o->stop != NULL && *r->o->stop;
}

static rd_kafka_t *
consumer_new(const consumer *c, const char *brokers, error *e)
{
	static const char *const keys[] = {
		"bootstrap.servers", "group.id", "enable.auto.commit", "auto.offset.reset",
		"enable.partition.eof", "session.timeout.ms", "heartbeat.interval.ms",
	};
	/* The session decides how soon a member that vanished without
	 * leaving loses its partitions, and against librdkafka's mock cluster
	 * also how long a restarted member waits for them (see
	 * ECOM_KAFKA_SESSION_TIMEOUT_MS in README.md); heartbeats a third of
	 * it, at most librdkafka's default 3 s. */
	int64_t session = cfg ? cfg->kafka_session_timeout_ms : 45000;
	char session_s[24], beat_s[24];
	const char *vals[] = { brokers, c->group, "false", "earliest", "false", session_s, beat_s };
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[512];
	rd_kafka_t *rk;

	snprintf(session_s, sizeof session_s, "%lld", (long long)session);
	snprintf(beat_s, sizeof beat_s, "%lld", (long long)(session / 3 < 3000 ? session / 3 : 3000));

	if (conf == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (rd_kafka_conf_set(conf, keys[i], vals[i], err, sizeof err) != RD_KAFKA_CONF_OK) {
			rd_kafka_conf_destroy(conf);
			err_set(e, E_INTERNAL, "kafka %s: %s", keys[i], err);
			return NULL;
		}
	rd_kafka_conf_set_log_cb(conf, kafka_log);
	if (!(rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err))) {
		rd_kafka_conf_destroy(conf);
		err_set(e, E_UNAVAILABLE, "kafka consumer: %s", err);
		return NULL;
	}
	rd_kafka_poll_set_consumer(rk);
	return rk;
}

static ecode
subscribe(rd_kafka_t *rk, const consumer *c, error *e)
{
	size_t n = 0;
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;

	while (c->topics[n] != NULL)
		n++;
	if (!(l = rd_kafka_topic_partition_list_new((int)n)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(l, c->topics[i], RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		return err_set(e, E_UNAVAILABLE, "kafka subscribe: %s", rd_kafka_err2str(err));
	return E_OK;
}

/* Handle ev with up to CONSUME_TRIES calls; NULL, or the last error. */
static const char *
handle(run *r, const event *ev)
{
	const char *why = NULL;

	for (int t = 0; t < CONSUME_TRIES && !stopped(r); t++) {
		error he;

		if (t > 0)
			poll(NULL, 0, CONSUME_BACKOFF_MS << (t - 1));
		err_clear(&he);
		if (r->c->handle(r->a, ev, &he) == E_OK)
			return NULL;
		r->st->failed++;
		why = arena_strdup(r->a, he.message[0] != '\0' ? he.message : "failed");
	}
	return why != NULL ? why : "stopped before handling";
}

/* ecommerce.dlq.<topic> (with the reason in header "error") and the
 * dead-letter table; E_OK only when both took it. */
static ecode
park(run *r, const rd_kafka_message_t *m, const event *ev, const char *why, error *e)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	kafka_msg dm = { arena_printf(r->a, EVENT_DLQ_PREFIX "%s",
	    strncmp(topic, EVENT_TOPIC_PREFIX, strlen(EVENT_TOPIC_PREFIX)) == 0 ?
	    topic + strlen(EVENT_TOPIC_PREFIX) : topic),
	    m->key != NULL ? arena_strndup(r->a, m->key, m->key_len) : NULL,
	    m->payload != NULL ? m->payload : "", m->len,
	    { { "error", why }, { "consumer", r->c->group }, { NULL, NULL } } };
	const char *derr = NULL;
	bool ok = false;

	if (dm.topic == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (kafka_produce(r->dlq, r->a, &dm, 1, &ok, &derr) != 0 || !ok)
		return err_set(e, E_UNAVAILABLE, "%s: %s", dm.topic, derr != NULL ? derr :
		    "producer unusable");
	if (ev->id != NULL && uuid_valid(ev->id)) {
		if (dead_letter_park(r->a, ev, r->c->group, why, CONSUME_TRIES, e) != E_OK)
			return e->code;
	} else {
		log_msg(LOG_WARN, "%s: a message without an event id is only in %s", r->c->group,
		    dm.topic);
	}
	r->st->dead++;
	log_msg(LOG_WARN, "%s: event %s (%s) dead-lettered: %s", r->c->group,
	    ev->id != NULL ? ev->id : "?", topic, why);
	return E_OK;
}

static ecode
commit(run *r, const rd_kafka_message_t *m, error *e)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_resp_err_t err;

	if (l == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition)->offset =
	    m->offset + 1;
	err = rd_kafka_commit(r->rk, l, 0);
	rd_kafka_topic_partition_list_destroy(l);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		return err_set(e, E_UNAVAILABLE, "kafka commit: %s", rd_kafka_err2str(err));
	return E_OK;
}

/* One message: parse, handle or park, commit. */
static ecode
message(run *r, const rd_kafka_message_t *m, error *e)
{
	const char *raw = arena_strndup(r->a, m->payload != NULL ? m->payload : "", m->len);
	const char *why = NULL;
	event ev;
	error pe;

	if (raw == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	err_clear(&pe);
	if (event_parse(r->a, raw, m->len, &ev, &pe) != E_OK) {
		/* what the parse got, enough to park it by */
		ev.payload = raw;
		ev.type = rd_kafka_topic_name(m->rkt);
		why = arena_printf(r->a, "malformed event: %s", pe.message);
	} else if (consumer_wants(r->c, ev.type)) {
		why = handle(r, &ev);
		if (why != NULL && stopped(r))
			return E_OK;	/* cut short: the next run reads it again */
	}
	if (why != NULL && park(r, m, &ev, why, e) != E_OK)
		return e->code;
	if (why == NULL)
		r->st->published++;
	return commit(r, m, e);
}

/* The replays an admin asked for this group, straight to the handler. */
static ecode
replays(run *r, error *e)
{
	dead_letter *d;
	size_t n;

	arena_reset(r->a);
	if (dead_letter_take_replays(r->a, r->c->group, CONSUME_REPLAYS, &d, &n, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		event ev;
		error he;

		err_clear(&he);
		if (event_parse(r->a, d[i].payload, strlen(d[i].payload), &ev, &he) != E_OK ||
		    r->c->handle(r->a, &ev, &he) != E_OK)
			why = arena_strdup(r->a, he.message[0] != '\0' ? he.message : "failed");
		if (dead_letter_mark_replayed(r->a, d[i].id, why, e) != E_OK)
			return e->code;
		r->st->replayed += why == NULL;
		log_msg(why == NULL ? LOG_INFO : LOG_WARN, "dead letter %s replay for %s: %s",
		    d[i].id, r->c->group, why == NULL ? "handled" : why);
	}
	return E_OK;
}

static ecode
loop(run *r, error *e)
{
	uint64_t start = now_us(), last = start, replayed = 0;
	uint64_t budget = (uint64_t)r->o->budget_ms * 1000u;
	uint64_t idle = (uint64_t)r->o->idle_exit_ms * 1000u;

	while (!stopped(r) && (budget == 0 || now_us() - start < budget) &&
	    (idle == 0 || now_us() - last < idle)) {
		rd_kafka_message_t *m;
		ecode rc;

		if (now_us() - replayed >= CONSUME_REPLAY_EVERY_US) {
			if (replays(r, e) != E_OK)
				return e->code;
			replayed = now_us();
		}
		if (!(m = rd_kafka_consumer_poll(r->rk, CONSUME_POLL_MS)))
			continue;
		if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
			/* transient (a broker away, a topic not there yet):
			 * librdkafka recovers by itself */
			log_msg(LOG_WARN, "%s: kafka: %s", r->c->group, rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			continue;
		}
		last = now_us();
		arena_reset(r->a);
		rc = message(r, m, e);
		rd_kafka_message_destroy(m);
		if (rc != E_OK)
			return rc;
	}
	return E_OK;
}

ecode
consume_run(const consumer *c, const consume_opts *o, relay_stats *st, error *e)
{
	run r = { c, o, st, NULL, NULL, NULL };
	ecode rc;

	memset(st, 0, sizeof *st);
	if (o->brokers == NULL || *o->brokers == '\0' || o->budget_ms < 0 || o->idle_exit_ms < 0)
		return err_set(e, E_INVALID_PARAMETER, "brokers needed, budget and idle 0 or more");
	if (!(r.a = arena_new(CONSUME_ARENA)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r.dlq = kafka_producer_new(o->brokers, e)) || !(r.rk = consumer_new(c, o->brokers, e))) {
		kafka_producer_free(r.dlq);
		arena_free(r.a);
		return e->code;
	}
	rc = subscribe(r.rk, c, e);
	if (rc == E_OK)
		rc = loop(&r, e);
	rd_kafka_consumer_close(r.rk);
	rd_kafka_destroy(r.rk);
	kafka_producer_free(r.dlq);
	arena_free(r.a);
	return rc;
}
