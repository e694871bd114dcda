/*
 * kafka_sink.c — the idempotent producer both Kafka paths use, and the
 * relay's Kafka sink over it (events.h: event_sink_kafka).
 *
 * The relay marks a row published only when deliver() says ok, and
 * deliver() says ok only from a delivery report with no error, that is
 * after every in-sync replica acknowledged (acks=all).  While brokers are
 * down the reports carry a timeout after KAFKA_MESSAGE_TIMEOUT_MS, the
 * rows stay unpublished and the relay tries again later: nothing is lost,
 * and a message that did land before the timeout only comes twice, which
 * the consumers' claims absorb.  Idempotence keeps librdkafka's own
 * retries from duplicating or reordering a partition.
 *
 * Reports identify their batch by a generation number, so a report that
 * arrives after its deliver() gave up (and its arena is gone) is dropped.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "events/kafka.h"

#define GEN_SHIFT	16	/* opaque = generation << 16 | index; n ≤ EVENT_BATCH_MAX */

typedef struct slot {
	bool                done;
	rd_kafka_resp_err_t err;
} slot;

struct kafka_producer {
	rd_kafka_t *rk;
	uintptr_t   gen;	/* of the batch in flight */
	slot       *slots;	/* its reports, GEN_SHIFT bits' worth at most */
	size_t      nslots;
	size_t      pending;
};

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	kafka_producer *p = opaque;
	uintptr_t tag = (uintptr_t)m->_private, i = tag & ((1u << GEN_SHIFT) - 1);

	(void)rk;
	if (tag >> GEN_SHIFT != p->gen || i >= p->nslots || p->slots[i].done)
		return;	/* a report of a batch given up on */
	p->slots[i].done = true;
	p->slots[i].err = m->err;
	p->pending--;
}

void
kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	/* syslog levels: 0-3 errors, 4 warnings, the rest chatter */
	log_msg(level <= 3 ? LOG_ERROR : level == 4 ? LOG_WARN : LOG_DEBUG, "%s %s: %s",
	    rd_kafka_name(rk), fac, buf);
}

static bool
set(rd_kafka_conf_t *conf, const char *k, const char *v, error *e)
{
	char err[256];

	if (rd_kafka_conf_set(conf, k, v, err, sizeof err) == RD_KAFKA_CONF_OK)
		return true;
	err_set(e, E_INTERNAL, "kafka %s: %s", k, err);
	return false;
}

kafka_producer *
kafka_producer_new(const char *brokers, error *e)
{
	kafka_producer *p = calloc(1, sizeof *p);
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char timeout[16], err[512];

	if (p == NULL || conf == NULL) {
		free(p);
		if (conf != NULL)
			rd_kafka_conf_destroy(conf);
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	snprintf(timeout, sizeof timeout, "%d", KAFKA_MESSAGE_TIMEOUT_MS);
	if (!set(conf, "bootstrap.servers", brokers, e) ||
	    !set(conf, "enable.idempotence", "true", e) || !set(conf, "acks", "all", e) ||
	    !set(conf, "message.timeout.ms", timeout, e) ||
	    !set(conf, "linger.ms", "5", e)) {
		rd_kafka_conf_destroy(conf);
		free(p);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_log_cb(conf, kafka_log);
	rd_kafka_conf_set_opaque(conf, p);
	if (!(p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err))) {
		rd_kafka_conf_destroy(conf);
		free(p);
		err_set(e, E_UNAVAILABLE, "kafka producer: %s", err);
		return NULL;
	}
	return p;
}

/* Queue one message, polling for room while the local queue is full. */
static rd_kafka_resp_err_t
enqueue(kafka_producer *p, const kafka_msg *m, uintptr_t tag, uint64_t deadline)
{
	size_t keylen = m->key != NULL ? strlen(m->key) : 0;

	for (;;) {
		rd_kafka_headers_t *h = rd_kafka_headers_new(KAFKA_MAX_HEADERS);
		rd_kafka_resp_err_t err;

		for (int k = 0; k < KAFKA_MAX_HEADERS && m->header[k][0] != NULL; k++)
			rd_kafka_header_add(h, m->header[k][0], -1, m->header[k][1],
			    m->header[k][1] != NULL ? -1 : 0);
		err = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(m->topic),
		    RD_KAFKA_V_KEY(m->key, keylen),
		    RD_KAFKA_V_VALUE((void *)m->value, m->len),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(h),
		    RD_KAFKA_V_OPAQUE((void *)tag), RD_KAFKA_V_END);
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
			return err;	/* the headers are the message's now */
		rd_kafka_headers_destroy(h);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || now_us() >= deadline)
			return err;
		rd_kafka_poll(p->rk, 100);
	}
}

int
kafka_produce(kafka_producer *p, arena *a, const kafka_msg *msgs, size_t n, bool *ok,
    const char **errors)
{
	uint64_t deadline = now_us() + (uint64_t)KAFKA_WAIT_MS * 1000u;
	char fatal[256];

	if (n >= 1u << GEN_SHIFT)
		return -1;
	if (n > p->nslots) {
		slot *s = realloc(p->slots, n * sizeof *s);

		if (s == NULL)
			return -1;
		p->slots = s;
	}
	p->gen = (p->gen + 1) & (UINTPTR_MAX >> GEN_SHIFT);
	p->nslots = n;
	memset(p->slots, 0, n * sizeof *p->slots);
	p->pending = 0;
	for (size_t i = 0; i < n; i++) {
		rd_kafka_resp_err_t err = enqueue(p, &msgs[i], p->gen << GEN_SHIFT | i, deadline);

		if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
			p->pending++;
		} else {
			p->slots[i].done = true;
			p->slots[i].err = err;
		}
	}
	while (p->pending > 0 && now_us() < deadline)
		rd_kafka_poll(p->rk, 100);
	if (rd_kafka_fatal_error(p->rk, fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return -1;
	for (size_t i = 0; i < n; i++) {
		ok[i] = p->slots[i].done && p->slots[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
		errors[i] = ok[i] ? NULL : !p->slots[i].done ? "no delivery report in time"
		    : arena_printf(a, "kafka: %s", rd_kafka_err2str(p->slots[i].err));
		if (!ok[i] && errors[i] == NULL)
			errors[i] = "kafka: delivery failed";
	}
	p->gen = (p->gen + 1) & (UINTPTR_MAX >> GEN_SHIFT);	/* late reports are strays */
	return 0;
}

void
kafka_producer_free(kafka_producer *p)
{
	if (p == NULL)
		return;
	rd_kafka_flush(p->rk, KAFKA_WAIT_MS);
	rd_kafka_destroy(p->rk);
	free(p->slots);
	free(p);
}

/* ------------------------------------------------------------ the sink */

static int
deliver(event_sink *s, arena *a, const event *evs, size_t n, bool *ok, const char **errors)
{
	kafka_msg *msgs = arena_calloc(a, n ? n : 1, sizeof *msgs);

	if (msgs == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		msgs[i] = (kafka_msg){ evs[i].type, evs[i].aggregate_id, evs[i].payload,
		    strlen(evs[i].payload), { { "event_type", evs[i].type },
		    { "source", evs[i].source }, { "correlation_id", evs[i].correlation_id },
		    { NULL, NULL } } };
	return kafka_produce(s->state, a, msgs, n, ok, errors);
}

static void
sink_close(event_sink *s)
{
	kafka_producer_free(s->state);
	free(s);
}

event_sink *
event_sink_kafka(const char *brokers, error *e)
{
	event_sink *s = calloc(1, sizeof *s);

	if (s == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	if (!(s->state = kafka_producer_new(brokers, e))) {
		free(s);
		return NULL;
	}
	s->name = "kafka";
	s->deliver = deliver;
	s->close = sink_close;
	return s;
}
