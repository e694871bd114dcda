/*
 * kafka.h — what the Kafka sink (kafka_sink.c) and the Kafka consumer
 * groups (kafka_consume.c) share: one idempotent producer that reports
 * each message's fate only from its delivery report.
 */
#ifndef ECOM_EVENTS_KAFKA_H
#define ECOM_EVENTS_KAFKA_H

#include <librdkafka/rdkafka.h>

#include "events/events.h"

/* A message's delivery report must arrive within this long (librdkafka's
 * message.timeout.ms); a produce call waits a little longer for it. */
#define KAFKA_MESSAGE_TIMEOUT_MS	10000
#define KAFKA_WAIT_MS			(KAFKA_MESSAGE_TIMEOUT_MS + 2000)

#define KAFKA_MAX_HEADERS		4

typedef struct kafka_msg {
	const char *topic;
	const char *key;			/* may be NULL */
	const char *value;
	size_t      len;
	const char *header[KAFKA_MAX_HEADERS][2];	/* name, value (value may be NULL) */
} kafka_msg;

typedef struct kafka_producer kafka_producer;

/* librdkafka's own log lines (a broker away, a rebalance) into ours
 * instead of stderr: rd_kafka_conf_set_log_cb(conf, kafka_log). */
void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

/* An idempotent producer (acks=all) to brokers; NULL with e. */
kafka_producer *kafka_producer_new(const char *brokers, error *e);
/*
 * Produce n messages and wait for every delivery report, at most
 * KAFKA_WAIT_MS in all.  ok[i] only when its report says delivered; else
 * errors[i] is librdkafka's reason (in a).  -1 when the producer itself
 * is unusable (a fatal error): nothing counts as delivered.
 */
int kafka_produce(kafka_producer *p, arena *a, const kafka_msg *msgs, size_t n, bool *ok,
    const char **errors);
/* Flush what is still queued (bounded) and free. */
void kafka_producer_free(kafka_producer *p);

#endif
