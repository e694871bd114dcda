/*
 * internal.h — what the files of lib/events share and nobody else sees:
 * the outbox statements per schema (outbox_store.c), the embedded sink's
 * consumer list (sink_embedded.c), and the parts of the relay's loop.
 */
#ifndef ECOM_EVENTS_INTERNAL_H
#define ECOM_EVENTS_INTERNAL_H

#include "events/events.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

/* The outboxes the relay drains, in this order.  A schema is also the
 * domain name db_for() knows it by. */
#define OUTBOX_NSCHEMAS 10
extern const char *const outbox_schemas[OUTBOX_NSCHEMAS];

/* One leased outbox row as the relay hands it over.  ev is parsed from the
 * payload; when the payload does not parse, parse_error says why and ev
 * carries only what the row's columns give (enough to park it). */
typedef struct outbox_row {
	const char *id;		/* the row's (outbox_emit makes it the event's id too) */
	event       ev;
	int64_t     attempts;	/* before this delivery */
	const char *parse_error;
} outbox_row;

/* Whether schema's outbox exists yet (its domain's migration ran). */
ecode outbox_exists(db_conn *c, arena *a, int schema, bool *yes, error *e);
/* Lease up to batch due rows of schema whose aggregate has no earlier
 * pending row outside the batch, in seq order (outbox_store.c says why
 * that keeps per-aggregate order with several relays).  *contended: none
 * taken only because other relays' statements held earlier rows. */
ecode outbox_claim(db_conn *c, arena *a, int schema, int batch, outbox_row **rows,
    size_t *n, bool *contended, error *e);
/* ids: a PostgreSQL array literal of uuids ("{...}"). */
ecode outbox_mark_published(db_conn *c, arena *a, int schema, const char *ids, error *e);
ecode outbox_release(db_conn *c, arena *a, int schema, const char *ids, error *e);
/* attempts+1, last_error, next_attempt_at = now() + backoff. */
ecode outbox_mark_failed(db_conn *c, arena *a, int schema, const char *id, const char *why,
    error *e);
/* attempts+1, last_error, published: the row went to the dead letters. */
ecode outbox_mark_dead(db_conn *c, arena *a, int schema, const char *id, const char *why,
    error *e);

/* The consumers of an embedded sink; NULL for any other sink. */
const consumer *const *sink_embedded_consumers(const event_sink *s);

/* A dead letter's envelope as an event (parsed in a); E_INVALID_INPUT
 * when it no longer parses. */
ecode dead_letter_event(arena *a, const dead_letter *d, event *ev, error *e);

#endif
