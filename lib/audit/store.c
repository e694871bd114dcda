/*
 * store.c — every SQL statement of the audit schema and the mapping of
 * its rows to the structs of audit.h.
 *
 * The list takes every filter as a parameter that may be NULL, so one
 * constant statement serves all their combinations.
 */
#include <string.h>

#include "audit/internal.h"

#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"
#define ENTRY_COLS "id, " EPOCH("occurred_at") ", actor_id, actor_email, actor_role," \
	" event_type, aggregate_type, aggregate_id, summary, source, correlation_id"

static db_stmt claim_stmt = DB_STMT("audit_claim",
    "INSERT INTO audit.processed_events (event_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING", 1);
static db_stmt state_get_stmt = DB_STMT("audit_state_get",
    "SELECT state::text FROM audit.states WHERE aggregate_type = $1::text"
    " AND entity_key = $2::text FOR UPDATE", 2);
static db_stmt state_put_stmt = DB_STMT("audit_state_put",
    "INSERT INTO audit.states (aggregate_type, entity_key, state, event_id)"
    " VALUES ($1::text, $2::text, $3::jsonb, $4::uuid)"
    " ON CONFLICT (aggregate_type, entity_key) DO UPDATE SET state = EXCLUDED.state,"
    " event_id = EXCLUDED.event_id, updated_at = now()", 4);
static db_stmt state_drop_stmt = DB_STMT("audit_state_drop",
    "DELETE FROM audit.states WHERE aggregate_type = $1::text AND entity_key = $2::text", 2);
static db_stmt entry_insert_stmt = DB_STMT("audit_entry_insert",
    "INSERT INTO audit.entries (id, occurred_at, actor_id, actor_email, actor_role,"
    " event_type, aggregate_type, aggregate_id, summary, source, correlation_id, before, after)"
    " VALUES ($1::uuid, $2::timestamptz, $3::uuid, $4::text, $5::text, $6::text, $7::text,"
    " $8::uuid, $9::text, $10::text, $11::text, $12::jsonb, $13::jsonb)", 13);
static db_stmt list_stmt = DB_STMT("audit_list",
    "SELECT " ENTRY_COLS ", count(*) OVER () FROM audit.entries"
    " WHERE ($1::text IS NULL OR strpos(lower(coalesce(actor_email, '')), lower($1::text)) > 0)"
    " AND ($2::text IS NULL OR aggregate_type = $2::text)"
    " AND ($3::text IS NULL OR event_type = $3::text)"
    " AND ($4::uuid IS NULL OR aggregate_id = $4::uuid)"
    " AND ($5::bigint IS NULL OR occurred_at >= to_timestamp($5::bigint))"
    " AND ($6::bigint IS NULL OR occurred_at < to_timestamp($6::bigint))"
    " ORDER BY occurred_at DESC, recorded_at DESC, id LIMIT $7::bigint OFFSET $8::bigint", 8);
static db_stmt get_stmt = DB_STMT("audit_get",
    "SELECT " ENTRY_COLS ", before::text, after::text FROM audit.entries WHERE id = $1::uuid", 1);
/* A skip scan over the index of each column: one probe per distinct
 * value, however many entries there are. */
#define DISTINCT(col) \
	"WITH RECURSIVE v (x) AS (SELECT min(" col ") FROM audit.entries UNION ALL" \
	" SELECT (SELECT min(" col ") FROM audit.entries WHERE " col " > v.x) FROM v" \
	" WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL LIMIT 100"
static db_stmt types_stmt = DB_STMT("audit_aggregate_types", DISTINCT("aggregate_type"), 0);
static db_stmt events_stmt = DB_STMT("audit_event_types", DISTINCT("event_type"), 0);

static void
put_json(void *p)
{
	json_object_put(p);
}

json_object *
audit_json_parse(arena *a, const char *text)
{
	json_object *o = json_tokener_parse(text);

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    arena_defer(a, put_json, o) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static const char *
json_text(json_object *o)
{
	return o != NULL ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;
}

ecode
astore_claim(db_conn *c, arena *a, const event *ev, bool *fresh, error *e)
{
	return event_claim(c, a, &claim_stmt, ev, fresh, e);
}

ecode
astore_state_get(db_conn *c, arena *a, const char *aggregate_type, const char *key,
    const char **state, error *e)
{
	const char *p[2] = { aggregate_type, key };
	PGresult *r = db_exec(c, a, &state_get_stmt, p, e);

	if (r == NULL)
		return e->code;
	*state = PQntuples(r) > 0 ? db_val(r, 0, 0) : NULL;
	return E_OK;
}

ecode
astore_state_put(db_conn *c, arena *a, const char *aggregate_type, const char *key,
    const char *state, const char *event_id, error *e)
{
	const char *p[4] = { aggregate_type, key, state, event_id };

	return db_exec(c, a, &state_put_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
astore_state_drop(db_conn *c, arena *a, const char *aggregate_type, const char *key, error *e)
{
	const char *p[2] = { aggregate_type, key };

	return db_exec(c, a, &state_drop_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
astore_entry_insert(db_conn *c, arena *a, const audit_entry *en, const char *occurred,
    error *e)
{
	const char *p[13] = {
		en->id, occurred, en->actor_id, en->actor_email, en->actor_role, en->event_type,
		en->aggregate_type, en->aggregate_id, en->summary, en->source, en->correlation_id,
		json_text(en->before), json_text(en->after),
	};

	/* json_text's strings belong to the objects, which outlive this call */
	if (p[12] == NULL)
		return err_set(e, E_INTERNAL, "an entry without its data");
	return db_exec(c, a, &entry_insert_stmt, p, e) != NULL ? E_OK : e->code;
}

static void
map_entry(const PGresult *r, int i, audit_entry *en)
{
	en->id = db_val(r, i, 0);
	en->occurred_at = db_i64(r, i, 1);
	en->actor_id = db_val(r, i, 2);
	en->actor_email = db_val(r, i, 3);
	en->actor_role = db_val(r, i, 4);
	en->event_type = db_val(r, i, 5);
	en->aggregate_type = db_val(r, i, 6);
	en->aggregate_id = db_val(r, i, 7);
	en->summary = db_val(r, i, 8);
	en->source = db_val(r, i, 9);
	en->correlation_id = db_val(r, i, 10);
}

static const char *
i64_or_null(arena *a, int64_t v)
{
	return v != 0 ? arena_printf(a, "%lld", (long long)v) : NULL;
}

ecode
astore_list(db_conn *c, arena *a, const audit_filter *f, const page *pg, audit_page *out,
    error *e)
{
	const char *p[8] = {
		f->actor, f->entity, f->action, f->entity_id, i64_or_null(a, f->from),
		i64_or_null(a, f->to), arena_printf(a, "%lld", (long long)pg->per_page),
		arena_printf(a, "%lld", (long long)pg->offset),
	};
	PGresult *r;
	int rows;

	if (p[6] == NULL || p[7] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &list_stmt, p, e)))
		return e->code;
	rows = PQntuples(r);
	memset(out, 0, sizeof *out);
	if (rows == 0)
		return E_OK;
	if (!(out->items = arena_calloc(a, (size_t)rows, sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		map_entry(r, i, &out->items[i]);
	out->n = (size_t)rows;
	out->total = db_i64(r, 0, 11);
	return E_OK;
}

ecode
astore_get(db_conn *c, arena *a, const char *id, audit_entry *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r = db_exec(c, a, &get_stmt, p, e);

	if (r == NULL)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "audit entry not found");
	memset(out, 0, sizeof *out);
	map_entry(r, 0, out);
	if ((db_val(r, 0, 11) != NULL && !(out->before = audit_json_parse(a, db_val(r, 0, 11)))) ||
	    !(out->after = audit_json_parse(a, db_val(r, 0, 12))))
		return err_set(e, E_INTERNAL, "audit entry %s does not parse", id);
	return E_OK;
}

ecode
astore_distinct(db_conn *c, arena *a, bool event_types, const char ***out, size_t *n,
    error *e)
{
	PGresult *r = db_exec(c, a, event_types ? &events_stmt : &types_stmt, NULL, e);
	int rows;

	if (r == NULL)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, (size_t)rows + 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*out)[i] = db_val(r, i, 0);
	*n = (size_t)rows;
	return E_OK;
}
