/*
 * store_restock.c — the SQL of notifications.restock_subscriptions
 * (sql/notifications/002_restock.sql) for restock.c.
 *
 * The per-address bound is counted under a transaction-scoped advisory
 * lock of the lower-cased address, so two requests for one address
 * cannot both pass the count; the partial unique index on (variant,
 * lower(email)) of open rows is what makes a duplicate impossible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "notification/internal.h"

#define EPOCH(col) "coalesce(floor(extract(epoch FROM " col "))::bigint, 0)"
#define SUB_COLS "id, product_id, variant_id, email, user_id, " EPOCH("created_at") ", " \
	EPOCH("notified_at")

static db_stmt lock_stmt = DB_STMT("restock_lock_email",
    "SELECT pg_advisory_xact_lock(hashtext('restock:' || lower($1::text)))", 1);
static db_stmt open_of_stmt = DB_STMT("restock_open_of",
    "SELECT count(*), coalesce(bool_or(variant_id = $2::uuid), false)"
    " FROM notifications.restock_subscriptions"
    " WHERE lower(email) = lower($1::text) AND notified_at IS NULL", 2);
static db_stmt insert_stmt = DB_STMT("restock_insert",
    "INSERT INTO notifications.restock_subscriptions (id, product_id, variant_id, email, user_id)"
    " VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::uuid)"
    " ON CONFLICT (variant_id, lower(email)) WHERE notified_at IS NULL DO NOTHING"
    " RETURNING id", 5);
static db_stmt get_stmt = DB_STMT("restock_get",
    "SELECT " SUB_COLS " FROM notifications.restock_subscriptions WHERE id = $1::uuid", 1);
static db_stmt delete_stmt = DB_STMT("restock_delete",
    "DELETE FROM notifications.restock_subscriptions WHERE id = $1::uuid RETURNING id", 1);
static db_stmt take_open_stmt = DB_STMT("restock_take_open",
    "UPDATE notifications.restock_subscriptions s SET notified_at = now(), event_id = $2::uuid"
    " WHERE s.id IN (SELECT id FROM notifications.restock_subscriptions"
    "   WHERE variant_id = $1::uuid AND notified_at IS NULL"
    "   ORDER BY created_at, id LIMIT $3::int FOR UPDATE)"
    " RETURNING " SUB_COLS, 3);

/* a bounded batch per run: the janitor comes back a minute later */
static db_stmt purge_stmt = DB_STMT("restock_purge",
    "DELETE FROM notifications.restock_subscriptions WHERE id IN (SELECT id"
    " FROM notifications.restock_subscriptions WHERE notified_at < now() - make_interval("
    "days => $1::int) LIMIT 10000)", 1);

static const char *
dup_or_null(arena *a, const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);

	return v != NULL ? arena_strdup(a, v) : NULL;
}

static void
row_to_sub(arena *a, const PGresult *r, int i, restock_subscription *s)
{
	s->id = dup_or_null(a, r, i, 0);
	s->product_id = dup_or_null(a, r, i, 1);
	s->variant_id = dup_or_null(a, r, i, 2);
	s->email = dup_or_null(a, r, i, 3);
	s->user_id = dup_or_null(a, r, i, 4);
	s->created_at = db_i64(r, i, 5);
	s->notified_at = db_i64(r, i, 6);
}

ecode
rstore_open_of(db_conn *c, arena *a, const char *email, const char *variant_id,
    int64_t *open, bool *has_variant, error *e)
{
	const char *p[2] = { email, variant_id };
	PGresult *r;

	if (db_exec(c, a, &lock_stmt, p, e) == NULL ||
	    (r = db_exec(c, a, &open_of_stmt, p, e)) == NULL)
		return e->code;
	*open = db_i64(r, 0, 0);
	*has_variant = db_bool(r, 0, 1);
	return E_OK;
}

ecode
rstore_insert(db_conn *c, arena *a, const restock_input *in, bool *inserted, error *e)
{
	char id[37];
	const char *p[5] = { id, in->product_id, in->variant_id, in->email, in->user_id };
	PGresult *r;

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if ((r = db_exec(c, a, &insert_stmt, p, e)) == NULL)
		return e->code;
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
rstore_get(db_conn *c, arena *a, const char *id, restock_subscription *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	if ((r = db_exec(c, a, &get_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "no such subscription");
	row_to_sub(a, r, 0, out);
	return E_OK;
}

ecode
rstore_delete(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	if ((r = db_exec(c, a, &delete_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "no such subscription");
	return E_OK;
}

ecode
rstore_take_open(db_conn *c, arena *a, const char *variant_id, const char *event_id,
    int limit, restock_subscription **out, size_t *n, error *e)
{
	char lim[16];
	const char *p[3] = { variant_id, event_id, lim };
	PGresult *r;

	snprintf(lim, sizeof lim, "%d", limit);
	*out = NULL;
	*n = 0;
	if ((r = db_exec(c, a, &take_open_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)PQntuples(r), sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < PQntuples(r); i++)
		row_to_sub(a, r, i, &(*out)[i]);
	*n = (size_t)PQntuples(r);
	return E_OK;
}

ecode
rstore_purge(db_conn *c, arena *a, int days, int64_t *count, error *e)
{
	char d[16];
	const char *p[1] = { d };
	PGresult *r;

	snprintf(d, sizeof d, "%d", days);
	if ((r = db_exec(c, a, &purge_stmt, p, e)) == NULL)
		return e->code;
	*count = strtoll(PQcmdTuples(r), NULL, 10);
	return E_OK;
}
