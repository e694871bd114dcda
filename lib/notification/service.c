/*
 * service.c — queueing, delivery with retries, the log, an admin's retry,
 * "mark read", and the template overrides (notification.h).
 *
 * Delivery of one message: it is leased (store.c), built (mime.c) and
 * handed to the transport; then, in one transaction, it is marked sent or
 * failed (backoff, or failed for good after max_attempts or a permanent
 * refusal) and the outcome is written to notifications.outbox as
 * notification.sent / notification.failed.
 *
 * The accounts domain queues its mails from inside its own transaction.
 * When every domain shares one database connection, the notifications
 * statements then simply join that transaction (with_tx below runs them
 * in it instead of nesting a BEGIN); with separate databases they commit
 * on their own.  Either way the mail is queued with the token it carries.
 */
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/site.h"
#include "core/json.h"
#include "core/log.h"
#include "core/util.h"
#include "notification/internal.h"

db_conn *
notify_db(error *e)
{
	return db_for(NOTIFY_DOMAIN, e);
}

/* fn in a transaction: the caller's when c is inside one already, else
 * a new one. */
static ecode
with_tx(db_conn *c, arena *a, db_tx_fn fn, void *ud, error *e)
{
	if (PQtransactionStatus(db_pg(c)) == PQTRANS_INTRANS)
		return fn(c, a, ud, e);
	return db_tx(c, a, fn, ud, e);
}


json_object *
notification_to_json(const notification *n)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(n->id));
	json_object_object_add(o, "user_id", json_str_or_null(n->user_id));
	json_object_object_add(o, "channel", json_object_new_string(n->channel));
	json_object_object_add(o, "type", json_object_new_string(n->kind));
	json_object_object_add(o, "recipient", json_object_new_string(n->recipient));
	json_object_object_add(o, "subject", json_object_new_string(n->subject));
	json_object_object_add(o, "body_text", json_str_or_null(n->body_text));
	json_object_object_add(o, "body_html", json_str_or_null(n->body_html));
	json_object_object_add(o, "status", json_object_new_string(n->status));
	json_object_object_add(o, "attempts", json_object_new_int64(n->attempts));
	json_object_object_add(o, "max_attempts", json_object_new_int64(n->max_attempts));
	json_object_object_add(o, "last_error", json_str_or_null(n->last_error));
	json_object_object_add(o, "event_id", json_str_or_null(n->event_id));
	json_object_object_add(o, "next_attempt_at", strcmp(n->status, "queued") == 0 ?
	    json_time_or_null(n->next_attempt_at) : NULL);
	json_object_object_add(o, "created_at", json_time_or_null(n->created_at));
	json_object_object_add(o, "sent_at", json_time_or_null(n->sent_at));
	json_object_object_add(o, "read_at", json_time_or_null(n->read_at));
	json_object_object_add(o, "is_read", json_object_new_boolean(n->read_at != 0));
	return o;
}

/* ------------------------------------------------------------ queueing */

ecode
notification_send_account_mail(arena *a, const char *kind, const char *user_id,
    const char *to, json_object *ctx, bool secret_link, const char **id, error *e)
{
	notify_new m = { "email", kind, user_id, to, NULL, NULL, NULL, NULL, NULL, NULL, "" };
	const char *link = NULL;
	json_object *lv;
	db_conn *c;

	if (!mime_address_ok(to))
		return err_set(e, E_INTERNAL, "cannot mail this address");
	if (!(c = notify_db(e)))
		return e->code;
	if (render_mail(c, a, kind, ctx, &m.subject, &m.text, &m.html, e) != E_OK)
		return e->code;
	if (secret_link && json_object_object_get_ex(ctx, "link", &lv) &&
	    !(link = arena_strdup(a, json_object_get_string(lv))))
		return err_set(e, E_INTERNAL, "out of memory");
	if (link != NULL) {
		const char *subject;

		/* the log's copy: the same mail without the working link */
		m.secret_text = m.text;
		m.secret_html = m.html;
		json_object_object_add(ctx, "link",
		    json_object_new_string("[one-time link, not kept in the log]"));
		if (render_mail(c, a, kind, ctx, &subject, &m.text, &m.html, e) != E_OK)
			return e->code;
		json_object_object_add(ctx, "link", json_object_new_string(link));
	}
	if (nstore_insert(c, a, &m, e) != E_OK)
		return e->code;
	if (id != NULL && !(*id = arena_strdup(a, m.id)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (notification_file_transport())
		notify_deliver_now(a, m.id);
	return E_OK;
}

typedef struct text_tx {
	notify_new m;
} text_tx;

static ecode
text_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	return nstore_insert(c, a, &((text_tx *)ud)->m, e);
}

ecode
notification_send_text(arena *a, const char *channel, const char *kind,
    const char *user_id, const char *to, const char *text, const char *event_id,
    error *e)
{
	text_tx t = { { channel, kind, user_id, to, "", text, "", NULL, NULL, event_id, "" } };
	db_conn *c;

	if (!notification_provider(channel))
		return err_set(e, E_INVALID_INPUT, "no provider for channel %s", channel);
	if (!(c = notify_db(e)))
		return e->code;
	return with_tx(c, a, text_in_tx, &t, e);
}

/* ------------------------------------------------------------ delivery */

typedef struct outcome_tx {
	const notify_due *d;
	const char       *why;	/* NULL: sent */
	bool              permanent;
	bool              gave_up;
} outcome_tx;

static ecode
outcome_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	outcome_tx *t = ud;
	const notification *n = &t->d->n;
	event_origin o = { "notifications", NULL, NULL, ROLE_PUBLIC };
	json_object *d;

	t->gave_up = false;
	if (t->why == NULL) {
		if (nstore_mark_sent(c, a, n->id, e) != E_OK)
			return e->code;
	} else {
		if (nstore_mark_failed(c, a, n->id, t->why, t->permanent, &t->gave_up, e) != E_OK)
			return e->code;
		if (!t->gave_up)
			return E_OK;
	}
	if (!(d = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(d, "notification_id", json_object_new_string(n->id));
	json_object_object_add(d, "channel", json_object_new_string(n->channel));
	json_object_object_add(d, "type", json_object_new_string(n->kind));
	json_object_object_add(d, "user_id", json_str_or_null(n->user_id));
	json_object_object_add(d, "event_id", json_str_or_null(n->event_id));
	json_object_object_add(d, "attempts", json_object_new_int64(n->attempts));
	json_object_object_add(d, "error", json_str_or_null(t->why));
	return outbox_emit(c, a, nstore_outbox_stmt(), &o,
	    t->why == NULL ? "notification.sent" : "notification.failed", "notification", n->id,
	    d, e);
}

/* Try the transport once; NULL on success, else why (and *permanent). */
static const char *
attempt(arena *a, const notify_due *d, bool *permanent)
{
	const notification *n = &d->n;
	buf msg = BUF_INIT;
	error le;
	const char *why = NULL;

	err_clear(&le);
	*permanent = false;
	if (strcmp(n->channel, "email") == 0) {
		mime_parts p = { site_store_name(), transport_from(a), n->recipient, n->subject,
		    d->send_text, d->send_html, arena_printf(a, "%s@%s", n->id, transport_host(a)),
		    (int64_t)time(NULL) };

		if (mime_build(&p, &msg, &le) != E_OK) {
			*permanent = true;
			why = arena_printf(a, "not sent: %s", le.message);
		} else if (transport_send_mail(a, p.from_addr, n->recipient, &msg, permanent,
		    &le) != E_OK) {
			why = arena_strdup(a, le.message);
		}
	} else {
		const notify_provider *pv = notification_provider(n->channel);

		if (pv == NULL) {
			*permanent = true;
			why = arena_printf(a, "no provider for channel %s", n->channel);
		} else if (pv->send(a, n->recipient, d->send_text, &le) != E_OK) {
			why = arena_printf(a, "%s: %s", pv->name, le.message);
		}
	}
	buf_free(&msg);
	return why;
}

/* Send one leased message and record the outcome. */
static ecode
deliver(db_conn *c, arena *a, const notify_due *d, notify_stats *st, error *e)
{
	outcome_tx t = { d, NULL, false, false };

	t.why = attempt(a, d, &t.permanent);
	if (with_tx(c, a, outcome_in_tx, &t, e) != E_OK)
		return e->code;
	if (t.why == NULL) {
		st->sent++;
	} else if (t.gave_up) {
		st->failed++;
		log_msg(LOG_WARN, "notification %s to %s failed for good after %lld attempts: %s",
		    d->n.id, d->n.recipient, (long long)d->n.attempts, t.why);
	} else {
		st->retried++;
		log_msg(LOG_INFO, "notification %s: attempt %lld failed: %s", d->n.id,
		    (long long)d->n.attempts, t.why);
	}
	return E_OK;
}

ecode
notification_deliver_due(arena *a, int batch, notify_stats *st, size_t *n_taken, error *e)
{
	notify_due *due;
	size_t n;
	db_conn *c;

	*n_taken = 0;
	if (batch < 1 || batch > NOTIFY_BATCH_MAX)
		batch = NOTIFY_BATCH_MAX;
	if (!(c = notify_db(e)) || nstore_take_due(c, a, batch, &due, &n, e) != E_OK)
		return e->code;
	*n_taken = n;
	for (size_t i = 0; i < n; i++)
		if (deliver(c, a, &due[i], st, e) != E_OK)
			return e->code;
	return E_OK;
}

void
notify_deliver_now(arena *a, const char *id)
{
	notify_stats st = { 0, 0, 0 };
	notify_due d;
	bool got;
	error e;
	db_conn *c;

	err_clear(&e);
	if (!(c = notify_db(&e)) || nstore_take_one(c, a, id, &d, &got, &e) != E_OK ||
	    (got && deliver(c, a, &d, &st, &e) != E_OK))
		log_msg(LOG_ERROR, "notification %s: %s (the notifier will retry)", id, e.message);
}

/* ------------------------------------------------------------ the log */

ecode
notification_list(arena *a, const notification_filter *f, const page *pg,
    notification_page *out, error *e)
{
	db_conn *c;

	if (f->user_id != NULL && !uuid_valid(f->user_id))
		return err_set(e, E_INVALID_PARAMETER, "user_id must be a UUID");
	if (f->status != NULL && strcmp(f->status, "queued") != 0 &&
	    strcmp(f->status, "sent") != 0 && strcmp(f->status, "failed") != 0)
		return err_set(e, E_INVALID_PARAMETER, "status must be queued, sent or failed");
	if (f->kind != NULL && !render_kind_known(f->kind))
		return err_set(e, E_INVALID_PARAMETER, "type is not a kind of notification");
	if (f->recipient != NULL && strlen(f->recipient) > 254)
		return err_set(e, E_INVALID_PARAMETER, "recipient must be at most 254 bytes");
	if (!(c = notify_db(e)))
		return e->code;
	return nstore_list(c, a, f, pg, out, e);
}

ecode
notification_get(arena *a, const char *id, const char *for_user, notification *out,
    error *e)
{
	db_conn *c;

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "no such notification");
	if (!(c = notify_db(e)) || nstore_get(c, a, id, out, e) != E_OK)
		return e->code;
	if (for_user != NULL && (out->user_id == NULL || strcmp(out->user_id, for_user) != 0))
		return err_set(e, E_NOT_FOUND, "no such notification");
	return E_OK;
}

ecode
notification_mark_read(arena *a, const char *id, const char *for_user, notification *out,
    error *e)
{
	db_conn *c;

	if (notification_get(a, id, for_user, out, e) != E_OK)
		return e->code;
	if (!(c = notify_db(e)) || nstore_mark_read(c, a, id, e) != E_OK)
		return e->code;
	return nstore_get(c, a, id, out, e);
}

typedef struct retry_tx {
	const char *id, *admin_id, *request_id;
	const notification *was;
	bool changed;
} retry_tx;

/* Queued again, with a notification.retried event naming the admin (the
 * message's state is the system's, so the event says what it was). */
static ecode
retry_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	retry_tx *x = ud;
	event_origin o = { "notifications", x->request_id, x->admin_id, ROLE_ADMIN };
	json_object *d;

	if (nstore_retry(c, a, x->id, &x->changed, e) != E_OK)
		return e->code;
	if (!x->changed)
		return E_OK;
	if (!(d = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(d, "notification_id", json_object_new_string(x->id));
	json_object_object_add(d, "channel", json_object_new_string(x->was->channel));
	json_object_object_add(d, "type", json_object_new_string(x->was->kind));
	json_object_object_add(d, "status", json_object_new_string("queued"));
	json_object_object_add(d, "previous_status", json_str_or_null(x->was->status));
	json_object_object_add(d, "previous_attempts", json_object_new_int64(x->was->attempts));
	return outbox_emit(c, a, nstore_outbox_stmt(), &o, "notification.retried", "notification",
	    x->id, d, e);
}

ecode
notification_retry(arena *a, const char *id, const char *admin_id, const char *request_id,
    notification *out, error *e)
{
	retry_tx x = { id, admin_id, request_id, out, false };
	db_conn *c;

	if (notification_get(a, id, NULL, out, e) != E_OK)
		return e->code;
	if (!(c = notify_db(e)) || with_tx(c, a, retry_in_tx, &x, e) != E_OK)
		return e->code;
	if (!x.changed)
		return err_set(e, E_CONFLICT, strcmp(out->status, "sent") == 0 ?
		    "this notification was sent already" :
		    "this notification is still queued: the notifier tries it again by itself");
	if (notification_file_transport())
		notify_deliver_now(a, id);
	return nstore_get(c, a, id, out, e);
}

/* ------------------------------------------------------------ templates */

ecode
notification_template_get(arena *a, const char *kind, notification_template *out, error *e)
{
	const char *s, *t, *h;
	bool found;
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (!render_kind_known(kind))
		return err_set(e, E_NOT_FOUND, "no such e-mail template");
	if (!(c = notify_db(e)) ||
	    nstore_template_get(c, a, kind, &s, &t, &h, &out->updated_at, &found, e) != E_OK)
		return e->code;
	out->name = kind;
	out->subject_custom = s != NULL;
	out->txt_custom = t != NULL;
	out->html_custom = h != NULL;
	out->subject = s != NULL ? s : render_file_part(a, kind, "subject");
	out->txt = t != NULL ? t : render_file_part(a, kind, "txt");
	out->html = h != NULL ? h : render_file_part(a, kind, "html");
	if (!out->subject || !out->txt || !out->html)
		return err_set(e, E_INTERNAL, "the template files of %s cannot be read", kind);
	return E_OK;
}

/* part as stored: NULL when empty or the same as the file's. */
static const char *
override_of(arena *a, const char *kind, const char *part, const char *text, size_t max,
    error *e)
{
	const char *file;
	char msg[256];

	if (text == NULL || text[0] == '\0')
		return NULL;
	if (strchr(text, '\r') != NULL) {	/* a form's CRLF line ends, as the files have LF */
		char *t = arena_strdup(a, text), *o = t;

		if (t == NULL) {
			err_set(e, E_INTERNAL, "out of memory");
			return NULL;
		}
		for (const char *p = text; *p; p++)
			if (!(p[0] == '\r' && p[1] == '\n'))
				*o++ = *p;
		*o = '\0';
		text = t;
	}
	if (strlen(text) > max) {
		err_field(e, part, "must be at most %zu bytes", max);
		return NULL;
	}
	file = render_file_part(a, kind, part);
	if (file != NULL && strcmp(file, text) == 0)
		return NULL;
	if (render_check(text, msg, sizeof msg) != 0) {
		err_field(e, part, "does not compile: %s", msg);
		return NULL;
	}
	return text;
}

/* The stable id of the template kind, for its events: two FNV-1a hashes
 * of the name shaped as a version 4 UUID (templates have no row id, and
 * an override's row comes and goes). */
static const char *
template_id(arena *a, const char *kind)
{
	uint64_t h1 = 1469598103934665603ULL, h2 = 1099511628211ULL * 31;

	for (const unsigned char *p = (const unsigned char *)kind; *p; p++) {
		h1 = (h1 ^ *p) * 1099511628211ULL;
		h2 = (h2 ^ *p) * 1099511628211ULL + 7;
	}
	return arena_printf(a, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
	    (unsigned long long)(h1 >> 32), (unsigned long long)((h1 >> 16) & 0xffff),
	    (unsigned long long)(h1 & 0xfff), (unsigned long long)((h2 >> 48) & 0xfff),
	    (unsigned long long)(h2 & 0xffffffffffffULL));
}

/* At most TEMPLATE_EVENT_TEXT bytes of a part, cut at a character, so the
 * three parts' event stays well under EVENT_PAYLOAD_MAX whatever JSON
 * escaping does; NULL stays NULL (the file's text is in use). */
#define TEMPLATE_EVENT_TEXT 30000

static json_object *
event_text(arena *a, const char *s)
{
	size_t n;
	char *t;

	if (s == NULL)
		return NULL;
	if ((n = strlen(s)) <= TEMPLATE_EVENT_TEXT)
		return json_object_new_string(s);
	n = TEMPLATE_EVENT_TEXT;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	if (!(t = arena_printf(a, "%.*s…", (int)n, s)))
		return NULL;
	return json_object_new_string(t);
}

typedef struct tmpl_tx {
	const char *kind, *s, *t, *h, *admin_id, *request_id;
} tmpl_tx;

/* The override stored (or dropped, all three parts NULL) and its
 * mail_template.updated event: the parts an admin set, null for those
 * the file's text serves. */
static ecode
template_write_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tmpl_tx *x = ud;
	event_origin o = { "notifications", x->request_id, x->admin_id, ROLE_ADMIN };
	const char *id = template_id(a, x->kind);
	json_object *d;

	if ((x->s == NULL && x->t == NULL && x->h == NULL ?
	    nstore_template_delete(c, a, x->kind, e) :
	    nstore_template_put(c, a, x->kind, x->s, x->t, x->h, x->admin_id, e)) != E_OK)
		return e->code;
	if (id == NULL || !(d = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(d, "name", json_object_new_string(x->kind));
	json_object_object_add(d, "subject", event_text(a, x->s));
	json_object_object_add(d, "txt", event_text(a, x->t));
	json_object_object_add(d, "html", event_text(a, x->h));
	return outbox_emit(c, a, nstore_outbox_stmt(), &o, "mail_template.updated",
	    "mail_template", id, d, e);
}

ecode
notification_template_set(arena *a, const char *kind, const char *subject,
    const char *txt, const char *html, const char *admin_id, const char *request_id,
    error *e)
{
	const char *s, *t, *h;
	db_conn *c;

	if (!render_kind_known(kind))
		return err_set(e, E_NOT_FOUND, "no such e-mail template");
	err_clear(e);
	s = override_of(a, kind, "subject", subject, NOTIFY_SUBJECT_MAX, e);
	t = override_of(a, kind, "txt", txt, NOTIFY_TEMPLATE_MAX, e);
	h = override_of(a, kind, "html", html, NOTIFY_TEMPLATE_MAX, e);
	if (e->nfields > 0)
		return e->code;
	if (!(c = notify_db(e)))
		return e->code;
	{
		tmpl_tx x = { kind, s, t, h, admin_id, request_id };

		return with_tx(c, a, template_write_tx, &x, e);
	}
}

ecode
notification_template_reset(arena *a, const char *kind, const char *admin_id,
    const char *request_id, error *e)
{
	tmpl_tx x = { kind, NULL, NULL, NULL, admin_id, request_id };
	db_conn *c;

	if (!render_kind_known(kind))
		return err_set(e, E_NOT_FOUND, "no such e-mail template");
	if (!(c = notify_db(e)))
		return e->code;
	return with_tx(c, a, template_write_tx, &x, e);
}
