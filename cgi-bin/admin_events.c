/*
 * admin_events.c — the admin panel's event bus page: the dead letters
 * (events a consumer kept failing on), pending or all, newest first, one
 * dead letter with its envelope and error, the replay button, and how far
 * behind each outbox is.
 *
 * A replay is a POST with the CSRF token; it only asks (events.h:
 * dead_letter_request_replay) and is redirected to the dead letter with a
 * message saying who will hand the event over.  Asking for one that was
 * replayed already shows the page again with the reason (409).
 */
#include <string.h>

#include "admin.h"
#include "audit/audit.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "events/events.h"

#define ADMIN_EVENTS_URL	"/admin/events"
#define ERROR_PREVIEW		120	/* bytes of an error shown in the list */

static json_object *
jstr(const char *s)
{
	return json_object_new_string(s != NULL ? s : "");
}

/* "24 Nov 2026 06:45 UTC" from the RFC 3339 the store gives, "" for NULL. */
static const char *
when(arena *a, const char *rfc3339)
{
	int64_t t;

	if (rfc3339 == NULL || time_parse_rfc3339(rfc3339, &t) != 0)
		return "";
	return admin_time(a, t);
}

/* "40 s", "12 min", "3 h", "2 d": the age of an outbox's oldest row. */
static const char *
age(arena *a, int64_t s)
{
	if (s < 120)
		return arena_printf(a, "%lld s", (long long)s);
	if (s < 7200)
		return arena_printf(a, "%lld min", (long long)(s / 60));
	if (s < 172800)
		return arena_printf(a, "%lld h", (long long)(s / 3600));
	return arena_printf(a, "%lld d", (long long)(s / 86400));
}

/* The first ERROR_PREVIEW bytes of s, cut at a character boundary. */
static const char *
preview(arena *a, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n <= ERROR_PREVIEW)
		return s;
	n = ERROR_PREVIEW;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return arena_printf(a, "%.*s…", (int)n, s);
}

static const char *
state(const dead_letter *d)
{
	return d->replayed_at != NULL ? "replayed" :
	    d->replay_requested_at != NULL ? "replay requested" : "pending";
}

static json_object *
letter_view(arena *a, const dead_letter *d, bool full)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", jstr(d->id));
	json_object_object_add(o, "event_id", jstr(d->event_id));
	json_object_object_add(o, "topic", jstr(d->topic));
	json_object_object_add(o, "consumer", jstr(d->consumer));
	json_object_object_add(o, "error", jstr(full ? d->error : preview(a, d->error)));
	json_object_object_add(o, "attempts", json_object_new_int64(d->attempts));
	json_object_object_add(o, "created", jstr(when(a, d->created_at)));
	json_object_object_add(o, "requested", jstr(when(a, d->replay_requested_at)));
	json_object_object_add(o, "replayed", jstr(when(a, d->replayed_at)));
	json_object_object_add(o, "state", jstr(state(d)));
	admin_put_flag(o, "can_replay", d->replayed_at == NULL);
	if (full)
		json_object_object_add(o, "payload", jstr(d->payload));
	return o;
}

static json_object *
backlog_view(arena *a, const outbox_backlog *b, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "schema", jstr(b[i].schema));
		admin_put_flag(o, "exists", b[i].exists);
		json_object_object_add(o, "pending", json_object_new_int64(b[i].pending));
		json_object_object_add(o, "oldest", jstr(b[i].pending > 0 ?
		    age(a, b[i].oldest_age_s) : "—"));
		json_object_array_add(arr, o);
	}
	return arr;
}

ecode
h_events(request *req, response *res, error *e)
{
	const char *show = req_query(req, "show");
	bool all = show != NULL && strcmp(show, "all") == 0;
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	dead_letter_page dl;
	outbox_backlog *b;
	size_t nb;
	json_object *ctx, *rows;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (show != NULL && !all && strcmp(show, "pending") != 0)
		return err_set(e, E_INVALID_PARAMETER, "show must be pending or all");
	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = dead_letter_list(req->a, !all, pg.page, pg.per_page, &dl, e)) != E_OK ||
	    (rc = outbox_backlog_list(req->a, &b, &nb, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < dl.n; i++)
		json_object_array_add(rows, letter_view(req->a, &dl.items[i], false));
	json_object_object_add(ctx, "letters", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(dl.total));
	admin_put_flag(ctx, "all", all);
	json_object_object_add(ctx, "backlog", backlog_view(req->a, b, nb));
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    all ? ADMIN_EVENTS_URL "?show=all" : ADMIN_EVENTS_URL "?show=pending", &pg, dl.total));
	return admin_render(req, res, 200, "admin/events", ctx, &me, "Events", e);
}

/* One dead letter; `err` (may be NULL) is a refused replay to show. */
static ecode
render_letter(request *req, response *res, int status, const error *err, error *e)
{
	const char *done = req_query(req, "done");
	dead_letter d;
	json_object *ctx;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	if ((rc = dead_letter_get(req->a, req_param(req, "id"), &d, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "letter", letter_view(req->a, &d, true));
	if (done != NULL && strcmp(done, "replay") == 0)
		json_object_object_add(ctx, "done", jstr(arena_printf(req->a,
		    "Replay requested: %s gets the event again on the relay's next run.",
		    d.consumer)));
	if (err != NULL)
		json_object_object_add(ctx, "error", jstr(err->message));
	return admin_render(req, res, status, "admin/event", ctx, &me,
	    arena_printf(req->a, "Dead letter %s", d.topic), e);
}

ecode
h_event(request *req, response *res, error *e)
{
	return render_letter(req, res, 200, NULL, e);
}

/* The dead letter as the audit log shows it. */
static json_object *
letter_state(const dead_letter *d)
{
	json_object *o = json_object_new_object();

	if (o == NULL)
		return NULL;
	json_object_object_add(o, "event_id", json_object_new_string(d->event_id));
	json_object_object_add(o, "topic", json_object_new_string(d->topic));
	json_object_object_add(o, "consumer", json_object_new_string(d->consumer));
	json_object_object_add(o, "error", d->error ? json_object_new_string(d->error) : NULL);
	json_object_object_add(o, "attempts", json_object_new_int64(d->attempts));
	json_object_object_add(o, "replay_requested_at", d->replay_requested_at ?
	    json_object_new_string(d->replay_requested_at) : NULL);
	json_object_object_add(o, "replayed_at", d->replayed_at ?
	    json_object_new_string(d->replayed_at) : NULL);
	return o;
}

static void
put_json(void *p)
{
	json_object_put(p);
}

/*
 * A replay is an operation on the event bus itself, so no domain event
 * describes it (one would travel through the very relay being repaired):
 * the audit entry is written directly (audit_record).  It follows the
 * replay's own commit; if it fails the replay stands and the failure is
 * logged, since the dead letter keeps who asked for it anyway.
 */
static void
audit_replay(request *req, const user *me, const dead_letter *was)
{
	audit_entry en = { 0 };
	dead_letter now;
	error le;

	err_clear(&le);
	if (dead_letter_get(req->a, was->id, &now, &le) == E_OK) {
		en.actor_id = me->id;
		en.actor_role = "admin";
		en.event_type = "dead_letter.replay_requested";
		en.aggregate_type = "dead_letter";
		en.aggregate_id = was->id;
		en.summary = arena_printf(req->a, "Replay of %s to %s requested", was->topic,
		    was->consumer);
		en.source = "events";
		en.correlation_id = req->request_id;
		en.before = letter_state(was);
		en.after = letter_state(&now);
		if (en.before)
			arena_defer(req->a, put_json, en.before);
		if (en.after)
			arena_defer(req->a, put_json, en.after);
		if (en.before && en.after && en.summary)
			audit_record(req->a, &en, &le);
		else
			err_set(&le, E_INTERNAL, "out of memory");
	}
	if (le.code != E_OK)
		log_msg(LOG_ERROR, "the audit entry of dead letter %s's replay: %s", was->id,
		    le.message);
}

ecode
h_event_replay(request *req, response *res, error *e)
{
	const char *id = req_param(req, "id");
	dead_letter was;
	error le;
	int status;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	err_clear(&le);
	if (dead_letter_get(req->a, id, &was, &le) != E_OK) {
		*e = le;
		return le.code;
	}
	rc = dead_letter_request_replay(req->a, id, me.id, &le);
	if (rc == E_OK)
		audit_replay(req, &me, &was);
	rc = admin_action_outcome(req, res, rc, &le, rc == E_CONFLICT, ADMIN_EVENTS_URL, id,
	    "replay", &status, e);
	if (status == 0)
		return rc;
	return render_letter(req, res, status, &le, e);
}
