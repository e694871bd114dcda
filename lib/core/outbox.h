/*
 * outbox.h — events leave a domain only through its outbox table (DESIGN §1).
 *
 * outbox_emit() wraps `data` in the envelope of api-v1.md §Events and
 * inserts it with the domain's own statement, in the caller's transaction:
 * the event commits if and only if the change does.  The statement is the
 * domain's, because each domain writes only its own schema:
 *
 *   INSERT INTO <schema>.outbox (id, event_type, aggregate_type, aggregate_id, payload)
 *   VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)
 */
#ifndef ECOM_OUTBOX_H
#define ECOM_OUTBOX_H

#include <json-c/json.h>
#include "db.h"
#include "http.h"

typedef struct event_origin {
	const char *source;		/* the domain: "catalog", "users" */
	const char *correlation_id;	/* the request id, or NULL */
	const char *actor_id;		/* who caused it, or NULL (system) */
	role        actor_role;
} event_origin;

/* type is the topic without "ecommerce." ("user.registered"); data is
 * consumed (released whatever happens). */
ecode outbox_emit(db_conn *c, arena *a, db_stmt *insert, const event_origin *o,
    const char *type, const char *aggregate_type, const char *aggregate_id,
    json_object *data, error *e);

/* Domains whose state lives in Redis (carts) append their envelopes to this
 * stream, field "e", in the same script as the change; the relay drains it
 * as it drains the outbox tables.  Trimmed to about OUTBOX_STREAM_MAX
 * entries so a relay that never runs cannot fill Redis. */
#define OUTBOX_STREAM		"outbox:events"
#define OUTBOX_STREAM_MAX	"1000000"

/* The envelope alone as JSON text (its event id into id), for an event
 * that leaves through something other than a table — the carts' Redis
 * stream (lib/cart/store.c).  data is consumed; NULL with e on failure. */
const char *outbox_envelope(arena *a, const event_origin *o, const char *type,
    const char *aggregate_type, const char *aggregate_id, json_object *data,
    char id[37], error *e);

#endif
