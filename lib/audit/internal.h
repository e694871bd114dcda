/*
 * internal.h — shared between the files of lib/audit only.
 *
 * consumer.c turns events into remembered states and entries, diff.c
 * compares states and words the summary, store.c holds every SQL
 * statement of the audit schema.  Strings the store returns point into
 * PGresults released at arena reset.
 */
#ifndef ECOM_AUDIT_INTERNAL_H
#define ECOM_AUDIT_INTERNAL_H

#include "audit/audit.h"
#include "core/db.h"

#define AUDIT_DOMAIN "audit"

/* "Campaign “Winter sale” updated: name, priority (+2 more)" for an
 * entry: the entity named from after (or its id), the action from the
 * event type, the changed fields (none listed when before was unknown). */
const char *audit_summary(arena *a, const event *ev, json_object *after, const char *part_label,
    const audit_change *ch, size_t n, bool known_before);

/* ------------------------------------------------------------ store.c */

/* text parsed into an object released at arena reset; NULL if it is not
 * a JSON object (or on OOM). */
json_object *audit_json_parse(arena *a, const char *text);

ecode astore_claim(db_conn *c, arena *a, const event *ev, bool *fresh, error *e);
/* The remembered state as JSON text into *state, NULL when none; the row
 * stays locked until the transaction ends. */
ecode astore_state_get(db_conn *c, arena *a, const char *aggregate_type, const char *key,
    const char **state, error *e);
ecode astore_state_put(db_conn *c, arena *a, const char *aggregate_type, const char *key,
    const char *state, const char *event_id, error *e);
ecode astore_state_drop(db_conn *c, arena *a, const char *aggregate_type, const char *key,
    error *e);
/* en->before may be NULL (en->after not); occurred is the event's RFC 3339 timestamp. */
ecode astore_entry_insert(db_conn *c, arena *a, const audit_entry *en, const char *occurred,
    error *e);
ecode astore_list(db_conn *c, arena *a, const audit_filter *f, const page *pg, audit_page *out,
    error *e);
ecode astore_get(db_conn *c, arena *a, const char *id, audit_entry *out, error *e);
/* The distinct values of column "aggregate_type" or "event_type". */
ecode astore_distinct(db_conn *c, arena *a, bool event_types, const char ***out, size_t *n,
    error *e);

#endif
