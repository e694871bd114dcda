/*
 * events.h — the event bus: what leaves the outboxes, how it gets to the
 * consumers, and what happens when it cannot (DESIGN §1, api-v1.md §Events).
 *
 * Producers never call this: they write `<schema>.outbox` rows with
 * outbox_emit() (core/outbox.h) in their own transaction.  The relay
 * (workers/relay) drains those rows into a sink:
 *
 *   - the embedded sink (no ECOM_KAFKA_BROKERS): hands each event straight
 *     to the in-tree consumers (notifier, search indexer) in this process;
 *   - the Kafka sink: produces each event to its topic (key = aggregate_id,
 *     headers event_type/source/correlation_id) with an idempotent producer
 *     and acks=all, and reports success only after the delivery report.
 *     Consumers then run as consumer groups (workers/consume --group NAME).
 *
 * Delivery is at least once in both modes.  Every consumer makes it once in
 * effect by claiming the event id in its own schema inside the transaction
 * that applies the effect (event_claim).  A consumer that keeps failing on
 * one event gets it parked in events.dead_letters (and, with Kafka, in
 * ecommerce.dlq.<topic>), from where an admin can replay it.
 */
#ifndef ECOM_EVENTS_H
#define ECOM_EVENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/db.h"
#include "core/error.h"

#define EVENT_TOPIC_PREFIX	"ecommerce."
#define EVENT_DLQ_PREFIX	"ecommerce.dlq."
#define EVENT_PAYLOAD_MAX	(256 * 1024)	/* bytes of one envelope */

/* One event as delivered: the envelope's fields, strings in the arena. */
typedef struct event {
	const char  *id;		/* event_id (UUID) */
	const char  *type;		/* full topic: "ecommerce.order.created" */
	const char  *aggregate_type;	/* "order" */
	const char  *aggregate_id;	/* UUID */
	const char  *source;		/* producing domain: "orders" */
	const char  *correlation_id;	/* request id, or NULL */
	const char  *timestamp;		/* RFC 3339 */
	json_object *data;		/* envelope "data" (owned by `envelope`) */
	json_object *envelope;		/* the whole parsed envelope; released at arena reset */
	const char  *payload;		/* the envelope as JSON text (what goes on the wire) */
} event;

/*
 * Parse an envelope (JSON text, at most EVENT_PAYLOAD_MAX bytes) into ev.
 * Every required field (event_id, event_type, aggregate_id, aggregate_type,
 * source, timestamp, data) must be present and of the right type, else
 * E_INVALID_INPUT saying which.  The parsed JSON lives until arena reset.
 */
ecode event_parse(arena *a, const char *payload, size_t len, event *ev, error *e);

/* Whether type ("ecommerce.product.updated") is `short_type`
 * ("product.updated"). */
bool event_is(const event *ev, const char *short_type);

/*
 * Claim ev for a consumer, inside the caller's transaction on c: runs the
 * consumer's own statement
 *   INSERT INTO <schema>.processed_events (event_id) VALUES ($1::uuid)
 *   ON CONFLICT DO NOTHING
 * and sets *fresh to whether this is the first time.  A consumer applies
 * the effect only when fresh; a duplicate is a success that does nothing.
 */
ecode event_claim(db_conn *c, arena *a, db_stmt *claim, const event *ev, bool *fresh, error *e);

/*
 * A consumer: a name (its Kafka consumer group and its name in the dead
 * letters), which event types it wants, and the handler.  The handler is
 * called once per delivery, may be called again for the same event (it
 * deduplicates with event_claim), and returns E_OK when the event is
 * handled or deliberately ignored.  Any other code is a failure that the
 * caller retries with backoff and finally dead-letters.
 */
typedef struct consumer {
	const char  *group;			/* "notifier", "search-indexer" */
	const char *const *topics;		/* full topic names, NULL-terminated */
	ecode      (*handle)(arena *a, const event *ev, error *e);
} consumer;

/* Whether c wants ev's type. */
bool consumer_wants(const consumer *c, const char *type);

/* Every topic an event can have (api-v1.md §Events, plus this platform's
 * category.* and brand.*), full names, NULL-terminated. */
extern const char *const event_topics[];

/* ------------------------------------------------------------ sinks */

/*
 * Where the relay hands a batch.  deliver() gets n events in outbox order
 * (per aggregate) and sets ok[i] and, when false, errors[i] (a message in
 * the arena).  An event is reported ok only when it is safely delivered:
 * for Kafka, acknowledged by all in-sync replicas; for the embedded sink,
 * handled by every consumer that wants it.  deliver() returns -1 only when
 * the sink as a whole is unusable (then no event counts as delivered).
 *
 * ok[i] false with errors[i] NULL means "not tried": the sink held the
 * event back because an earlier event of the same aggregate in the batch
 * failed.  The relay then retries it after that one without counting an
 * attempt, so one failing event cannot dead-letter its successors.
 */
typedef struct event_sink event_sink;
struct event_sink {
	const char *name;	/* "embedded" | "kafka" */
	int  (*deliver)(event_sink *s, arena *a, const event *evs, size_t n,
	         bool *ok, const char **errors);
	void (*close)(event_sink *s);
	void *state;
	/* Optional (NULL when the sink has no consumers of its own, as Kafka):
	 * the groups that failed evs[i] in the last deliver(), NULL-terminated,
	 * in deliver()'s arena.  A dead letter names each of them; without
	 * this hook it names "relay". */
	const char *const *(*failed_by)(event_sink *s, size_t i);
};

/* The embedded sink over a NULL-terminated consumer list.  An event a
 * consumer fails on is not ok; after EVENT_MAX_ATTEMPTS failures the relay
 * dead-letters it for the consumers that failed. */
event_sink *event_sink_embedded(const consumer *const *consumers, error *e);
/* The Kafka sink (brokers "host:port,..."); NULL with e when the producer
 * cannot be created. */
event_sink *event_sink_kafka(const char *brokers, error *e);

/* ------------------------------------------------------------ relay */

#define EVENT_MAX_ATTEMPTS	8	/* then a consumer's event is dead-lettered */
#define EVENT_BATCH_MAX		500

/* A failed row waits EVENT_BACKOFF_BASE_S * 2^(attempts-1) seconds, at most
 * EVENT_BACKOFF_MAX_S: 10 s, 20 s, ... 640 s, about 21 minutes in all
 * before the dead letter, long enough to ride out a mail server restart. */
#define EVENT_BACKOFF_BASE_S	10
#define EVENT_BACKOFF_MAX_S	1800
/* A row handed to the sink is leased for this long: no other relay takes
 * it meanwhile, and a relay that died mid-batch gives it back after it. */
#define EVENT_LEASE_S		300

typedef struct relay_opts {
	int     batch;		/* rows per batch per outbox, 1..EVENT_BATCH_MAX */
	int64_t budget_ms;	/* keep draining (and waiting for NOTIFY) this long; 0 = until empty */
	bool    follow;		/* run until *stop, woken by LISTEN/NOTIFY */
	/* set (by a SIGTERM handler) to end after the current batch; may be NULL */
	const volatile sig_atomic_t *stop;
} relay_opts;

typedef struct relay_stats {
	int64_t published;	/* rows marked published */
	int64_t failed;		/* delivery attempts that failed (row kept for retry) */
	int64_t dead;		/* dead letters written */
	int64_t replayed;	/* dead letters replayed on request */
} relay_stats;

/*
 * Drain every domain's outbox into sink.  Rows are taken in batches with
 * FOR UPDATE SKIP LOCKED and leased for EVENT_LEASE_S, so several relays
 * can run at once; an event is never handed over before an earlier
 * unpublished event of the same aggregate.  A delivered row gets
 * published_at; a failed row gets attempts+1, last_error and a
 * next_attempt_at with exponential backoff; after EVENT_MAX_ATTEMPTS it is
 * parked in the dead letters (one per failed consumer) and published.
 * The relay also replays dead letters an admin asked for: the sink's own
 * ("relay") through the sink, and in embedded mode each consumer's
 * through that consumer.  Stops when the outboxes are empty, or with
 * budget_ms / follow keeps waiting for NOTIFY ecom_outbox.  E_OK, or the
 * first failure with e (a database or Redis unreachable: E_UNAVAILABLE;
 * the sink unusable: E_UNAVAILABLE after giving the batch back uncounted).
 */
ecode relay_run(event_sink *sink, const relay_opts *o, relay_stats *st, error *e);

/*
 * One batch of the Redis outbox stream (OUTBOX_STREAM, core/outbox.h: the
 * carts' events) into sink, through the consumer group "relay": entries
 * left pending by a relay that died or failed are claimed again after
 * 30 s; delivered ones are acknowledged and deleted; after
 * EVENT_MAX_ATTEMPTS deliveries an entry is dead-lettered (stream.c).
 * relay_run calls it with every round.
 */
ecode relay_stream(event_sink *sink, arena *a, int batch, relay_stats *st, error *e);

/* ------------------------------------------------------------ dead letters */

typedef struct dead_letter {
	const char *id;
	const char *event_id;
	const char *topic;
	const char *consumer;	/* group that failed, or "relay" for a sink failure */
	const char *payload;	/* the envelope */
	const char *error;
	int64_t     attempts;
	const char *created_at;
	const char *replay_requested_at;	/* NULL unless an admin asked */
	const char *replayed_at;		/* NULL until replayed successfully */
} dead_letter;

typedef struct dead_letter_page {
	dead_letter *items;
	size_t       n;
	int64_t      total;
} dead_letter_page;

/* Park ev for the consumer group (or "relay") with its error; idempotent
 * per event and group: parking again updates the error and makes it
 * pending again. */
ecode dead_letter_park(arena *a, const event *ev, const char *group, const char *why,
    int64_t attempts, error *e);
/* Newest first; pending_only = not yet replayed.  page ≥ 1, per_page 1..100. */
ecode dead_letter_list(arena *a, bool pending_only, int64_t page, int64_t per_page,
    dead_letter_page *out, error *e);
ecode dead_letter_get(arena *a, const char *id, dead_letter *out, error *e);
/* Ask for a replay: the relay (embedded) or that group's consumer (Kafka)
 * hands the event to the consumer again on its next run.  E_NOT_FOUND for
 * an unknown id, E_CONFLICT when it was replayed already. */
ecode dead_letter_request_replay(arena *a, const char *id, const char *admin_id, error *e);
/*
 * Take up to max (1..EVENT_BATCH_MAX) replays requested for group, oldest
 * request first, into *out (arena).  Taking consumes the request, so two
 * workers never replay one dead letter at once; the taker reports the
 * outcome with dead_letter_mark_replayed.  If it dies first, the dead
 * letter simply stays pending and can be requested again.
 */
ecode dead_letter_take_replays(arena *a, const char *group, int max, dead_letter **out,
    size_t *n, error *e);
/* The outcome of a replay: failure NULL sets replayed_at; otherwise the
 * error becomes failure, attempts grows by one, and it stays pending. */
ecode dead_letter_mark_replayed(arena *a, const char *id, const char *failure, error *e);

/* ------------------------------------------------------------ outbox backlog */

/* One outbox as the admin page shows it. */
typedef struct outbox_backlog {
	const char *schema;
	bool        exists;		/* false until that domain's migration ran */
	int64_t     pending;		/* rows not yet published */
	int64_t     oldest_age_s;	/* age of the oldest of them, 0 if none */
} outbox_backlog;

/* Every outbox the relay drains, in its fixed order, into *out (arena). */
ecode outbox_backlog_list(arena *a, outbox_backlog **out, size_t *n, error *e);

/* ------------------------------------------------------------ Kafka consumers */

typedef struct consume_opts {
	const char *brokers;
	int64_t     budget_ms;	/* run this long (cron), 0 = until SIGTERM */
	int64_t     idle_exit_ms;	/* exit after this long with no message (tests), 0 = never */
	/* set (by a SIGTERM handler) to end after the current message; may be NULL */
	const volatile sig_atomic_t *stop;
} consume_opts;

/*
 * Run consumer c as Kafka consumer group c->group over its topics: each
 * message is handled (a few tries with backoff in this process), or parked
 * in ecommerce.dlq.<topic> (header "error") and events.dead_letters, and
 * only then is its offset committed.  About once a second, the replays an
 * admin asked for this group are handed to c.  st: published = messages
 * handled, failed = failed tries, dead = parked, replayed.  E_OK at the
 * end of the budget, the idle time or *stop; E_UNAVAILABLE when a message
 * could not be parked (its offset stays, the next run reads it again).
 */
ecode consume_run(const consumer *c, const consume_opts *o, relay_stats *st, error *e);

#endif
