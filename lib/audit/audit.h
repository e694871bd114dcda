/*
 * audit.h — the admin audit log: who changed what, when, from what to
 * what.  The only header other code includes.
 *
 * The log is an event consumer (events.h), not something each domain
 * writes to: every change already leaves its domain as an event, in the
 * change's own transaction, with the actor in its metadata (core/outbox.h).
 * audit_consumer takes every topic, remembers for each entity the state
 * its last event described, and records an entry for each event an admin
 * or a seller caused: the actor (with the e-mail looked up once, when the
 * entry is recorded), the event's time, type and entity, a one-line
 * summary, the state before (NULL when the log had not seen the entity)
 * and the event's data after.  Changes made by the system or by customers
 * update the remembered state but are not entries.  A change whose domain
 * emits no event is invisible to the log (docs/DECISIONS.md).
 *
 * Every function takes an arena (what it returns lives there), fills e on
 * failure and returns E_OK or the error's code.
 */
#ifndef ECOM_AUDIT_H
#define ECOM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/page.h"
#include "events/events.h"

#define AUDIT_FILTER_MAX	254	/* bytes of a text filter (an e-mail) */
#define AUDIT_DIFF_MAX		500	/* changed fields listed for one entry */

/* The consumer group "audit" over every topic (event_topics). */
extern const consumer audit_consumer;

typedef struct audit_entry {
	const char *id;			/* the event's id */
	int64_t     occurred_at;	/* the event's timestamp, Unix seconds */
	const char *actor_id;
	const char *actor_email;	/* NULL when the account was gone */
	const char *actor_role;		/* "admin" | "seller" */
	const char *event_type;		/* without "ecommerce.": "campaign.updated" */
	const char *aggregate_type;	/* "campaign" */
	const char *aggregate_id;
	const char *summary;		/* "Campaign “Winter” updated: name, priority" */
	const char *source;		/* the domain that emitted it */
	const char *correlation_id;	/* the request id, or NULL */
	json_object *before;		/* NULL when unknown; audit_get only (arena-owned) */
	json_object *after;		/* the event's data; audit_get only (arena-owned) */
} audit_entry;

/* What the list shows; NULL / 0 members do not filter. */
typedef struct audit_filter {
	const char *actor;	/* part of the actor's e-mail, any case */
	const char *entity;	/* aggregate type, exact */
	const char *action;	/* event type without "ecommerce.", exact */
	const char *entity_id;	/* one entity's history (a UUID) */
	int64_t     from, to;	/* occurred_at >= from, < to (Unix seconds) */
} audit_filter;

typedef struct audit_page {
	audit_entry *items;
	size_t       n;
	int64_t      total;
} audit_page;

/* Entries matching f, newest first (before/after left NULL).  A bad filter
 * (too long, not a UUID) is E_INVALID_PARAMETER naming it. */
ecode audit_list(arena *a, const audit_filter *f, const page *pg, audit_page *out, error *e);
/* One entry with before and after; E_NOT_FOUND for an unknown id. */
ecode audit_get(arena *a, const char *id, audit_entry *out, error *e);
/* The entity types and event types that have entries, sorted, for the
 * list's filter choices (at most 100 each). */
ecode audit_choices(arena *a, const char ***entities, size_t *ne, const char ***actions,
    size_t *na, error *e);

/*
 * Record an entry for a change that is no domain event by nature — an
 * admin's operation on the event bus itself (a dead letter's replay), where
 * an event about delivering events would go through the very machinery
 * being repaired.  en's actor_id, actor_role, event_type, aggregate_type,
 * aggregate_id, summary, source and after are required (before may be
 * NULL); the id (a new UUID), the actor's e-mail and the time (now) are
 * filled in here.  Everything else goes through audit_consumer.
 */
ecode audit_record(arena *a, const audit_entry *en, error *e);

/* ------------------------------------------------------------ diff */

/* One field that differs.  Values are borrowed from the compared objects;
 * a NULL value with its flag false is JSON null. */
typedef struct audit_change {
	const char  *path;	/* "price", "address.city" */
	json_object *before;
	json_object *after;
	bool         added;	/* not in before */
	bool         removed;	/* not in after */
} audit_change;

/*
 * The fields of after that differ from before (NULL: nothing known, every
 * field is added), walking nested objects key by key; arrays compare
 * whole.  Top-level keys missing from after are not "removed": an event
 * may carry only what changed.  Inside a nested object after carries the
 * whole object, so a key it lost is removed.  At most AUDIT_DIFF_MAX
 * changes (*truncated says more were left out).
 */
ecode audit_diff(arena *a, json_object *before, json_object *after, audit_change **out,
    size_t *n, bool *truncated, error *e);

/* s cut to at most max bytes at a character boundary, "…" added when
 * cut (so up to max + 3 bytes); s itself when it fits. */
const char *audit_clip(arena *a, const char *s, size_t max);

#endif
