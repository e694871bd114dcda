/*
 * deadletter.c — events.dead_letters (events.h): parking an event a
 * consumer kept failing on, the admin's list and detail, the replay
 * request, and the take / mark pair the relay (embedded) and the Kafka
 * consumer groups replay with.
 *
 * A replay request is consumed when a worker takes it, so a replay that
 * fails again does not spin: the new error is recorded, the dead letter
 * stays pending, and the admin decides whether to ask once more.
 */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "events/internal.h"

#define EVENTS_DOMAIN	"events"

#define TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define COLUMNS(payload) \
	"id, event_id, topic, consumer, " payload ", error, attempts, " TIME("created_at") ", " \
	TIME("replay_requested_at") ", " TIME("replayed_at")

static db_stmt st_park = DB_STMT("events_dl_park",
    "INSERT INTO events.dead_letters (id, event_id, topic, consumer, source, payload, error,"
    " attempts) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::jsonb, left($7, 2000), $8::int)"
    " ON CONFLICT (event_id, consumer) DO UPDATE SET error = EXCLUDED.error,"
    " attempts = EXCLUDED.attempts, replay_requested_at = NULL, replayed_at = NULL", 8);

static db_stmt st_count = DB_STMT("events_dl_count",
    "SELECT count(*) FROM events.dead_letters WHERE NOT $1::boolean OR replayed_at IS NULL", 1);

static db_stmt st_list = DB_STMT("events_dl_list",
    "SELECT " COLUMNS("NULL") " FROM events.dead_letters"
    " WHERE NOT $1::boolean OR replayed_at IS NULL"
    " ORDER BY created_at DESC, id LIMIT $2::int OFFSET $3::bigint", 3);

static db_stmt st_get = DB_STMT("events_dl_get",
    "SELECT " COLUMNS("jsonb_pretty(payload)") " FROM events.dead_letters WHERE id = $1::uuid", 1);

/* the NOTIFY wakes a following relay at once */
static db_stmt st_request = DB_STMT("events_dl_request",
    "WITH u AS (UPDATE events.dead_letters SET replay_requested_at = now(),"
    "  replay_requested_by = $2::uuid WHERE id = $1::uuid AND replayed_at IS NULL RETURNING id)"
    " SELECT id, pg_notify('ecom_outbox', 'events') FROM u", 2);

static db_stmt st_take = DB_STMT("events_dl_take",
    "WITH t AS (SELECT id FROM events.dead_letters WHERE consumer = $1"
    "  AND replay_requested_at IS NOT NULL AND replayed_at IS NULL"
    "  ORDER BY replay_requested_at, id LIMIT $2::int FOR UPDATE SKIP LOCKED)"
    " UPDATE events.dead_letters d SET replay_requested_at = NULL FROM t WHERE d.id = t.id"
    " RETURNING d.id, d.event_id, d.topic, d.consumer, d.payload::text, d.error, d.attempts,"
    " to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), NULL, NULL",
    2);

static db_stmt st_mark = DB_STMT("events_dl_mark",
    "UPDATE events.dead_letters SET"
    " replayed_at = CASE WHEN $2::text IS NULL THEN now() END,"
    " error = coalesce(left($2::text, 2000), error),"
    " attempts = attempts + CASE WHEN $2::text IS NULL THEN 0 ELSE 1 END"
    " WHERE id = $1::uuid", 2);

static db_conn *
conn(error *e)
{
	return db_for(EVENTS_DOMAIN, e);
}

static const char *
dup_or_null(arena *a, const char *s)
{
	return s != NULL ? arena_strdup(a, s) : NULL;
}

static void
row_to(arena *a, const PGresult *r, int i, dead_letter *d)
{
	d->id = dup_or_null(a, db_val(r, i, 0));
	d->event_id = dup_or_null(a, db_val(r, i, 1));
	d->topic = dup_or_null(a, db_val(r, i, 2));
	d->consumer = dup_or_null(a, db_val(r, i, 3));
	d->payload = dup_or_null(a, db_val(r, i, 4));
	d->error = dup_or_null(a, db_val(r, i, 5));
	d->attempts = db_i64(r, i, 6);
	d->created_at = dup_or_null(a, db_val(r, i, 7));
	d->replay_requested_at = dup_or_null(a, db_val(r, i, 8));
	d->replayed_at = dup_or_null(a, db_val(r, i, 9));
}

/* The envelope as jsonb can take it: the text itself when it is JSON,
 * else the text as a JSON string (a Kafka message may be anything). */
static const char *
as_json(arena *a, const char *payload)
{
	json_object *o;
	const char *s;

	if (payload == NULL)
		return "null";
	if ((o = json_tokener_parse(payload)) != NULL) {
		json_object_put(o);
		return payload;
	}
	if (!(o = json_object_new_string(payload)))
		return NULL;
	s = arena_strdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

ecode
dead_letter_park(arena *a, const event *ev, const char *group, const char *why,
    int64_t attempts, error *e)
{
	char id[37], natt[24];
	const char *p[8];
	db_conn *c;

	if (ev->id == NULL || !uuid_valid(ev->id))
		return err_set(e, E_INVALID_INPUT, "a dead letter needs the event's UUID");
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	snprintf(natt, sizeof natt, "%lld", (long long)attempts);
	p[0] = id;
	p[1] = ev->id;
	p[2] = ev->type != NULL ? ev->type : "unknown";
	p[3] = group;
	p[4] = ev->source != NULL ? ev->source : "unknown";
	p[5] = as_json(a, ev->payload);
	p[6] = why != NULL && *why != '\0' ? why : "failed";
	p[7] = natt;
	if (p[5] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(c = conn(e)))
		return e->code;
	return db_exec(c, a, &st_park, p, e) != NULL ? E_OK : e->code;
}

ecode
dead_letter_list(arena *a, bool pending_only, int64_t page, int64_t per_page,
    dead_letter_page *out, error *e)
{
	char lim[24], off[24];
	const char *p[3] = { pending_only ? "true" : "false", lim, off };
	PGresult *r;
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (page < 1 || page > 1000000 || per_page < 1 || per_page > 100)
		return err_set(e, E_INVALID_PARAMETER, "page must be 1 or more, per_page 1 to 100");
	snprintf(lim, sizeof lim, "%lld", (long long)per_page);
	snprintf(off, sizeof off, "%lld", (long long)((page - 1) * per_page));
	if (!(c = conn(e)) || !(r = db_exec(c, a, &st_count, p, e)))
		return e->code;
	out->total = db_i64(r, 0, 0);
	if (!(r = db_exec(c, a, &st_list, p, e)))
		return e->code;
	out->n = (size_t)PQntuples(r);
	if (out->n > 0 && !(out->items = arena_calloc(a, out->n, sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < out->n; i++)
		row_to(a, r, (int)i, &out->items[i]);
	return E_OK;
}

ecode
dead_letter_get(arena *a, const char *id, dead_letter *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r;
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no such dead letter");
	if (!(c = conn(e)) || !(r = db_exec(c, a, &st_get, p, e)))
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "no such dead letter");
	row_to(a, r, 0, out);
	return E_OK;
}

ecode
dead_letter_request_replay(arena *a, const char *id, const char *admin_id, error *e)
{
	const char *p[2] = { id, admin_id != NULL && uuid_valid(admin_id) ? admin_id : NULL };
	dead_letter d;
	PGresult *r;
	db_conn *c;
	ecode rc;

	if ((rc = dead_letter_get(a, id, &d, e)) != E_OK)
		return rc;
	if (!(c = conn(e)) || !(r = db_exec(c, a, &st_request, p, e)))
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_CONFLICT, "this dead letter was replayed already");
	return E_OK;
}

ecode
dead_letter_take_replays(arena *a, const char *group, int max, dead_letter **out, size_t *n,
    error *e)
{
	char lim[16];
	const char *p[2] = { group, lim };
	PGresult *r;
	db_conn *c;

	*out = NULL;
	*n = 0;
	if (group == NULL || max < 1 || max > EVENT_BATCH_MAX)
		return err_set(e, E_INVALID_PARAMETER, "a group and 1..%d replays", EVENT_BATCH_MAX);
	snprintf(lim, sizeof lim, "%d", max);
	if (!(c = conn(e)) || !(r = db_exec(c, a, &st_take, p, e)))
		return e->code;
	if (PQntuples(r) == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)PQntuples(r), sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < PQntuples(r); i++)
		row_to(a, r, i, &(*out)[i]);
	*n = (size_t)PQntuples(r);
	return E_OK;
}

ecode
dead_letter_mark_replayed(arena *a, const char *id, const char *failure, error *e)
{
	const char *p[2] = { id, failure };
	db_conn *c;

	if (!(c = conn(e)))
		return e->code;
	return db_exec(c, a, &st_mark, p, e) != NULL ? E_OK : e->code;
}

ecode
dead_letter_event(arena *a, const dead_letter *d, event *ev, error *e)
{
	if (d->payload == NULL)
		return err_set(e, E_INVALID_INPUT, "the dead letter has no envelope");
	return event_parse(a, d->payload, strlen(d->payload), ev, e);
}
