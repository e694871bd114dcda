/*
 * outbox_store.c — the relay's SQL on the domains' outboxes (internal.h),
 * one set of constant statements per schema, made by the preprocessor from
 * the schema name: the relay reads every domain's outbox, and the table
 * name cannot be a parameter.
 *
 * Per-aggregate order with several relays.  A row is handed over only
 * when no earlier pending row of its aggregate is outside the batch.  The
 * claim takes due rows in seq order with FOR UPDATE SKIP LOCKED and leases
 * them (next_attempt_at = now() + EVENT_LEASE_S) in the same statement, so
 * a row being delivered by one relay is "pending and not due" for the
 * others.  Then an earlier row E of the aggregate of a candidate R is:
 *   - due and free: taken before R (the scan is in seq order and LIMIT
 *     counts only locked rows), so it is in the batch, ahead of R;
 *   - leased by another relay, or waiting out its backoff: not due, and
 *     the first NOT EXISTS drops R before LIMIT counts it (so a blocked
 *     aggregate cannot starve the others out of the batch);
 *   - locked right now by another relay's claim or mark statement
 *     (SKIP LOCKED passed over it): pending in this statement's snapshot
 *     and not among the candidates, so the second NOT EXISTS drops R;
 *   - published (or parked) by a commit after our snapshot: FOR UPDATE
 *     re-reads it, it no longer qualifies, and as above R waits for the
 *     next batch, which is merely conservative.
 * The last two are a race of milliseconds, but two relays can lose it to
 * each other at once and both see nothing to take while rows are due; the
 * claim says so (candidates locked, none taken) and the relay tries again.
 * So R is never handed over while E may still be delivered, or be
 * delivered again, by anyone.  Order between aggregates is not kept, and
 * need not be.  seq is assigned at insert; the order holds for events
 * that commit in seq order, which every domain gives its aggregate by
 * locking the aggregate's row before it emits (a guarded UPDATE).
 */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "events/internal.h"

const char *const outbox_schemas[OUTBOX_NSCHEMAS] = {
	"catalog", "users", "inventory", "campaigns", "payments", "orders", "checkout",
	"notifications", "media", "settings",
};

#define CLAIM_SQL(s) \
	"WITH cand AS (" \
	"  SELECT o.id, o.seq, o.aggregate_id FROM " s ".outbox o" \
	"  WHERE o.published_at IS NULL AND o.next_attempt_at <= now()" \
	"    AND NOT EXISTS (SELECT 1 FROM " s ".outbox w WHERE w.aggregate_id = o.aggregate_id" \
	"      AND w.published_at IS NULL AND w.seq < o.seq AND w.next_attempt_at > now())" \
	"  ORDER BY o.seq LIMIT $1::int FOR UPDATE OF o SKIP LOCKED)," \
	" take AS (" \
	"  SELECT c.id FROM cand c WHERE NOT EXISTS (SELECT 1 FROM " s ".outbox w" \
	"    WHERE w.aggregate_id = c.aggregate_id AND w.published_at IS NULL" \
	"      AND w.seq < c.seq AND w.id NOT IN (SELECT id FROM cand)))," \
	" leased AS (" \
	"  UPDATE " s ".outbox o SET next_attempt_at = now() + interval '" STR(EVENT_LEASE_S) " s'" \
	"  FROM take WHERE o.id = take.id" \
	"  RETURNING o.id, o.seq, o.attempts, o.event_type, o.aggregate_type, o.aggregate_id," \
	"    o.payload::text AS payload)" \
	" SELECT l.id, l.attempts, l.event_type, l.aggregate_type, l.aggregate_id, l.payload," \
	"   k.held FROM (SELECT count(*) AS held FROM cand) k LEFT JOIN leased l ON true" \
	" ORDER BY l.seq"

#define PUBLISHED_SQL(s) \
	"UPDATE " s ".outbox SET published_at = now()" \
	" WHERE id = ANY($1::uuid[]) AND published_at IS NULL"

#define RELEASE_SQL(s) \
	"UPDATE " s ".outbox SET next_attempt_at = now()" \
	" WHERE id = ANY($1::uuid[]) AND published_at IS NULL"

/* the old attempts is the exponent: 10 s after the first failure */
#define FAILED_SQL(s) \
	"UPDATE " s ".outbox SET attempts = attempts + 1, last_error = left($2, 2000)," \
	" next_attempt_at = now() + make_interval(secs => least(" STR(EVENT_BACKOFF_BASE_S) \
	"   * power(2, least(attempts, 30)), " STR(EVENT_BACKOFF_MAX_S) "))" \
	" WHERE id = $1::uuid AND published_at IS NULL"

#define DEAD_SQL(s) \
	"UPDATE " s ".outbox SET attempts = attempts + 1, last_error = left($2, 2000)," \
	" published_at = now() WHERE id = $1::uuid AND published_at IS NULL"

#define BACKLOG_SQL(s) \
	"SELECT count(*), coalesce(floor(extract(epoch FROM now() - min(created_at)))::bigint, 0)" \
	" FROM " s ".outbox WHERE published_at IS NULL"

typedef struct outbox_stmts {
	db_stmt claim, published, release, failed, dead, backlog;
} outbox_stmts;

#define STMTS(s) { \
	DB_STMT("events_claim_" s, CLAIM_SQL(s), 1), \
	DB_STMT("events_published_" s, PUBLISHED_SQL(s), 1), \
	DB_STMT("events_release_" s, RELEASE_SQL(s), 1), \
	DB_STMT("events_failed_" s, FAILED_SQL(s), 2), \
	DB_STMT("events_dead_" s, DEAD_SQL(s), 2), \
	DB_STMT("events_backlog_" s, BACKLOG_SQL(s), 0) }

/* Same order as outbox_schemas. */
static outbox_stmts stmts[OUTBOX_NSCHEMAS] = {
	STMTS("catalog"), STMTS("users"), STMTS("inventory"), STMTS("campaigns"),
	STMTS("payments"), STMTS("orders"), STMTS("checkout"), STMTS("notifications"),
	STMTS("media"), STMTS("settings"),
};

/* to_regclass: a missing outbox is "not yet", not an error in the log */
static db_stmt st_exists = DB_STMT("events_outbox_exists",
    "SELECT to_regclass($1::text) IS NOT NULL", 1);

ecode
outbox_exists(db_conn *c, arena *a, int schema, bool *yes, error *e)
{
	const char *p[1] = { arena_printf(a, "%s.outbox", outbox_schemas[schema]) };
	PGresult *r;

	if (p[0] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &st_exists, p, e)))
		return e->code;
	*yes = db_bool(r, 0, 0);
	return E_OK;
}

/* The row's own columns, for a payload that does not parse. */
static void
row_columns(arena *a, const PGresult *r, int i, event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->id = arena_strdup(a, db_val(r, i, 0));
	ev->type = arena_strdup(a, db_val(r, i, 2));
	ev->aggregate_type = arena_strdup(a, db_val(r, i, 3));
	ev->aggregate_id = arena_strdup(a, db_val(r, i, 4));
	ev->payload = arena_strdup(a, db_val(r, i, 5));
}

ecode
outbox_claim(db_conn *c, arena *a, int schema, int batch, outbox_row **rows, size_t *n,
    bool *contended, error *e)
{
	char lim[16];
	const char *p[1] = { lim };
	PGresult *r;
	int nr;

	snprintf(lim, sizeof lim, "%d", batch);
	*rows = NULL;
	*n = 0;
	*contended = false;
	if (!(r = db_exec(c, a, &stmts[schema].claim, p, e)))
		return e->code;
	/* no row leased: one row of NULLs and the count of candidates */
	if ((nr = PQntuples(r)) == 1 && PQgetisnull(r, 0, 0)) {
		*contended = db_i64(r, 0, 6) > 0;
		return E_OK;
	}
	if (!(*rows = arena_calloc(a, (size_t)nr, sizeof **rows)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < nr; i++) {
		outbox_row *o = &(*rows)[i];
		const char *payload = db_val(r, i, 5);
		error pe;

		err_clear(&pe);
		if (!(o->id = arena_strdup(a, db_val(r, i, 0))))
			return err_set(e, E_INTERNAL, "out of memory");
		o->attempts = db_i64(r, i, 1);
		if (event_parse(a, payload, strlen(payload), &o->ev, &pe) == E_OK)
			continue;
		if (pe.code == E_INTERNAL)
			return err_set(e, E_INTERNAL, "out of memory");
		/* parked at once as the relay's: no retry makes it parse */
		row_columns(a, r, i, &o->ev);
		o->ev.source = outbox_schemas[schema];
		if (!(o->parse_error = arena_strdup(a, pe.message)) || !o->ev.id || !o->ev.payload)
			return err_set(e, E_INTERNAL, "out of memory");
	}
	*n = (size_t)nr;
	return E_OK;
}

static ecode
run1(db_conn *c, arena *a, db_stmt *st, const char *p0, const char *p1, error *e)
{
	const char *p[2] = { p0, p1 };

	return db_exec(c, a, st, p, e) != NULL ? E_OK : e->code;
}

ecode
outbox_mark_published(db_conn *c, arena *a, int schema, const char *ids, error *e)
{
	return run1(c, a, &stmts[schema].published, ids, NULL, e);
}

ecode
outbox_release(db_conn *c, arena *a, int schema, const char *ids, error *e)
{
	return run1(c, a, &stmts[schema].release, ids, NULL, e);
}

ecode
outbox_mark_failed(db_conn *c, arena *a, int schema, const char *id, const char *why,
    error *e)
{
	return run1(c, a, &stmts[schema].failed, id, why, e);
}

ecode
outbox_mark_dead(db_conn *c, arena *a, int schema, const char *id, const char *why,
    error *e)
{
	return run1(c, a, &stmts[schema].dead, id, why, e);
}

ecode
outbox_backlog_list(arena *a, outbox_backlog **out, size_t *n, error *e)
{
	outbox_backlog *b = arena_calloc(a, OUTBOX_NSCHEMAS, sizeof *b);

	if (b == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < OUTBOX_NSCHEMAS; i++) {
		db_conn *c = db_for(outbox_schemas[i], e);
		PGresult *r;

		b[i].schema = outbox_schemas[i];
		if (c == NULL || outbox_exists(c, a, i, &b[i].exists, e) != E_OK)
			return e->code;
		if (!b[i].exists)
			continue;
		if (!(r = db_exec(c, a, &stmts[i].backlog, NULL, e)))
			return e->code;
		b[i].pending = db_i64(r, 0, 0);
		b[i].oldest_age_s = db_i64(r, 0, 1);
	}
	*out = b;
	*n = OUTBOX_NSCHEMAS;
	return E_OK;
}
