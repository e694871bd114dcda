/*
 * store.c — every SQL statement of the notifications schema and the
 * mapping of its rows to the structs of notification.h.
 *
 * Leasing: the notifier takes due queued rows with FOR UPDATE SKIP LOCKED
 * and pushes their next_attempt_at past the lease in the same statement,
 * counting the attempt then, so a row being sent is "not due" for every
 * other notifier, and a notifier that dies mid-send has spent an attempt
 * and gives the row back when the lease ends.
 */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "notification/internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define EPOCH(col) "coalesce(floor(extract(epoch FROM " col "))::bigint, 0)"
#define MSG_COLS "id, channel, kind, user_id, recipient, subject, body_text, body_html," \
	" event_id, status, attempts, max_attempts, last_error, " EPOCH("next_attempt_at") "," \
	" " EPOCH("created_at") ", " EPOCH("sent_at") ", " EPOCH("read_at")
#define MSG_NCOLS 17

static db_stmt claim_stmt = DB_STMT("notify_claim",
    "INSERT INTO notifications.processed_events (event_id) VALUES ($1::uuid)"
    " ON CONFLICT DO NOTHING", 1);
static db_stmt insert_stmt = DB_STMT("notify_insert",
    "INSERT INTO notifications.messages (id, channel, kind, user_id, recipient, subject,"
    " body_text, body_html, secret_text, secret_html, event_id, max_attempts)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::text, $6::text, $7::text, $8::text,"
    " $9::text, $10::text, $11::uuid, " STR(NOTIFY_MAX_ATTEMPTS) ")", 11);
static db_stmt take_due_stmt = DB_STMT("notify_take_due",
    "UPDATE notifications.messages m SET attempts = m.attempts + 1,"
    " next_attempt_at = now() + interval '" STR(NOTIFY_LEASE_S) " s'"
    " WHERE m.id IN (SELECT id FROM notifications.messages WHERE status = 'queued'"
    "   AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1::int"
    "   FOR UPDATE SKIP LOCKED)"
    " RETURNING " MSG_COLS ", secret_text, secret_html", 1);
static db_stmt take_one_stmt = DB_STMT("notify_take_one",
    "UPDATE notifications.messages m SET attempts = m.attempts + 1,"
    " next_attempt_at = now() + interval '" STR(NOTIFY_LEASE_S) " s'"
    " WHERE m.id IN (SELECT id FROM notifications.messages WHERE id = $1::uuid"
    "   AND status = 'queued' AND next_attempt_at <= now() FOR UPDATE SKIP LOCKED)"
    " RETURNING " MSG_COLS ", secret_text, secret_html", 1);
static db_stmt sent_stmt = DB_STMT("notify_sent",
    "UPDATE notifications.messages SET status = 'sent', sent_at = now(), last_error = NULL,"
    " secret_text = NULL, secret_html = NULL WHERE id = $1::uuid AND status = 'queued'", 1);
/* the new attempts is the exponent: 60 s after the first failure */
static db_stmt failed_stmt = DB_STMT("notify_failed",
    "UPDATE notifications.messages SET last_error = left($2::text, 2000),"
    " status = CASE WHEN $3::boolean OR attempts >= max_attempts THEN 'failed' ELSE 'queued' END,"
    " next_attempt_at = now() + make_interval(secs => least(" STR(NOTIFY_BACKOFF_BASE_S)
    "   * power(2, least(attempts - 1, 30)), " STR(NOTIFY_BACKOFF_MAX_S) "))"
    " WHERE id = $1::uuid AND status = 'queued' RETURNING status", 3);
static db_stmt list_stmt = DB_STMT("notify_list",
    "SELECT " MSG_COLS ", count(*) OVER () FROM notifications.messages"
    " WHERE ($1::uuid IS NULL OR user_id = $1::uuid)"
    " AND ($2::text IS NULL OR status = $2::text)"
    " AND ($3::text IS NULL OR kind = $3::text)"
    " AND ($4::text IS NULL OR strpos(lower(recipient), lower($4::text)) > 0)"
    " ORDER BY created_at DESC, id LIMIT $5::bigint OFFSET $6::bigint", 6);
static db_stmt get_stmt = DB_STMT("notify_get",
    "SELECT " MSG_COLS " FROM notifications.messages WHERE id = $1::uuid", 1);
static db_stmt read_stmt = DB_STMT("notify_read",
    "UPDATE notifications.messages SET read_at = coalesce(read_at, now()) WHERE id = $1::uuid", 1);
/* one more attempt beyond those made, due now; only a failed message: a
 * queued one may be leased by a notifier this moment, and making it due
 * would let a second notifier send it again */
static db_stmt retry_stmt = DB_STMT("notify_retry",
    "UPDATE notifications.messages SET status = 'queued', next_attempt_at = now(),"
    " max_attempts = greatest(max_attempts, attempts + 1)"
    " WHERE id = $1::uuid AND status = 'failed'", 1);
static db_stmt tmpl_get_stmt = DB_STMT("notify_template_get",
    "SELECT subject, txt, html, " EPOCH("updated_at") " FROM notifications.templates"
    " WHERE name = $1::text", 1);
static db_stmt tmpl_put_stmt = DB_STMT("notify_template_put",
    "INSERT INTO notifications.templates (name, subject, txt, html, updated_by)"
    " VALUES ($1::text, $2::text, $3::text, $4::text, $5::uuid)"
    " ON CONFLICT (name) DO UPDATE SET subject = EXCLUDED.subject, txt = EXCLUDED.txt,"
    " html = EXCLUDED.html, updated_by = EXCLUDED.updated_by, updated_at = now()", 5);
static db_stmt tmpl_delete_stmt = DB_STMT("notify_template_delete",
    "DELETE FROM notifications.templates WHERE name = $1::text", 1);
static db_stmt outbox_stmt = DB_STMT("notify_outbox",
    "INSERT INTO notifications.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

db_stmt *
nstore_outbox_stmt(void)
{
	return &outbox_stmt;
}

static const char *
dup_or_null(arena *a, const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);

	return v != NULL ? arena_strdup(a, v) : NULL;
}

static void
row_to_msg(arena *a, const PGresult *r, int i, notification *n)
{
	n->id = dup_or_null(a, r, i, 0);
	n->channel = dup_or_null(a, r, i, 1);
	n->kind = dup_or_null(a, r, i, 2);
	n->user_id = dup_or_null(a, r, i, 3);
	n->recipient = dup_or_null(a, r, i, 4);
	n->subject = dup_or_null(a, r, i, 5);
	n->body_text = dup_or_null(a, r, i, 6);
	n->body_html = dup_or_null(a, r, i, 7);
	n->event_id = dup_or_null(a, r, i, 8);
	n->status = dup_or_null(a, r, i, 9);
	n->attempts = db_i64(r, i, 10);
	n->max_attempts = db_i64(r, i, 11);
	n->last_error = dup_or_null(a, r, i, 12);
	n->next_attempt_at = db_i64(r, i, 13);
	n->created_at = db_i64(r, i, 14);
	n->sent_at = db_i64(r, i, 15);
	n->read_at = db_i64(r, i, 16);
}

ecode
nstore_claim(db_conn *c, arena *a, const event *ev, bool *fresh, error *e)
{
	return event_claim(c, a, &claim_stmt, ev, fresh, e);
}

ecode
nstore_insert(db_conn *c, arena *a, notify_new *m, error *e)
{
	const char *p[11];

	if (uuid_v4(m->id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	p[0] = m->id;
	p[1] = m->channel;
	p[2] = m->kind;
	p[3] = m->user_id;
	p[4] = m->recipient;
	p[5] = m->subject;
	p[6] = m->text;
	p[7] = m->html;
	p[8] = m->secret_text;
	p[9] = m->secret_html;
	p[10] = m->event_id;
	return db_exec(c, a, &insert_stmt, p, e) != NULL ? E_OK : e->code;
}

static void
row_to_due(arena *a, const PGresult *r, int i, notify_due *d)
{
	row_to_msg(a, r, i, &d->n);
	d->send_text = db_val(r, i, MSG_NCOLS) != NULL ? dup_or_null(a, r, i, MSG_NCOLS) :
	    d->n.body_text;
	d->send_html = db_val(r, i, MSG_NCOLS + 1) != NULL ? dup_or_null(a, r, i, MSG_NCOLS + 1) :
	    d->n.body_html;
}

ecode
nstore_take_due(db_conn *c, arena *a, int batch, notify_due **out, size_t *n, error *e)
{
	char lim[16];
	const char *p[1] = { lim };
	PGresult *r;

	snprintf(lim, sizeof lim, "%d", batch);
	*out = NULL;
	*n = 0;
	if ((r = db_exec(c, a, &take_due_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)PQntuples(r), sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < PQntuples(r); i++)
		row_to_due(a, r, i, &(*out)[i]);
	*n = (size_t)PQntuples(r);
	return E_OK;
}

ecode
nstore_take_one(db_conn *c, arena *a, const char *id, notify_due *out, bool *got, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	*got = false;
	if ((r = db_exec(c, a, &take_one_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) == 1) {
		row_to_due(a, r, 0, out);
		*got = true;
	}
	return E_OK;
}

ecode
nstore_mark_sent(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };

	return db_exec(c, a, &sent_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
nstore_mark_failed(db_conn *c, arena *a, const char *id, const char *why, bool give_up,
    bool *gave_up, error *e)
{
	const char *p[3] = { id, why, give_up ? "true" : "false" };
	PGresult *r;

	*gave_up = false;
	if ((r = db_exec(c, a, &failed_stmt, p, e)) == NULL)
		return e->code;
	*gave_up = PQntuples(r) == 1 && strcmp(db_val(r, 0, 0), "failed") == 0;
	return E_OK;
}

ecode
nstore_list(db_conn *c, arena *a, const notification_filter *f, const page *pg,
    notification_page *out, error *e)
{
	char lim[24], off[24];
	const char *p[6] = { f->user_id, f->status, f->kind, f->recipient, lim, off };
	PGresult *r;

	snprintf(lim, sizeof lim, "%lld", (long long)pg->per_page);
	snprintf(off, sizeof off, "%lld", (long long)pg->offset);
	memset(out, 0, sizeof *out);
	if ((r = db_exec(c, a, &list_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) == 0)
		return E_OK;
	if (!(out->items = arena_calloc(a, (size_t)PQntuples(r), sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < PQntuples(r); i++)
		row_to_msg(a, r, i, &out->items[i]);
	out->n = (size_t)PQntuples(r);
	out->total = db_i64(r, 0, MSG_NCOLS);
	return E_OK;
}

ecode
nstore_get(db_conn *c, arena *a, const char *id, notification *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	if ((r = db_exec(c, a, &get_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "no such notification");
	row_to_msg(a, r, 0, out);
	return E_OK;
}

ecode
nstore_mark_read(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };

	return db_exec(c, a, &read_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
nstore_retry(db_conn *c, arena *a, const char *id, bool *changed, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	if ((r = db_exec(c, a, &retry_stmt, p, e)) == NULL)
		return e->code;
	*changed = strcmp(PQcmdTuples(r), "1") == 0;
	return E_OK;
}

ecode
nstore_template_get(db_conn *c, arena *a, const char *kind, const char **subject,
    const char **txt, const char **html, int64_t *updated_at, bool *found, error *e)
{
	const char *p[1] = { kind };
	PGresult *r;

	*subject = *txt = *html = NULL;
	*updated_at = 0;
	*found = false;
	if ((r = db_exec(c, a, &tmpl_get_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1)
		return E_OK;
	*subject = dup_or_null(a, r, 0, 0);
	*txt = dup_or_null(a, r, 0, 1);
	*html = dup_or_null(a, r, 0, 2);
	*updated_at = db_i64(r, 0, 3);
	*found = true;
	return E_OK;
}

ecode
nstore_template_put(db_conn *c, arena *a, const char *kind, const char *subject,
    const char *txt, const char *html, const char *admin_id, error *e)
{
	const char *p[5] = { kind, subject, txt, html, admin_id };

	return db_exec(c, a, &tmpl_put_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
nstore_template_delete(db_conn *c, arena *a, const char *kind, error *e)
{
	const char *p[1] = { kind };

	return db_exec(c, a, &tmpl_delete_stmt, p, e) != NULL ? E_OK : e->code;
}
