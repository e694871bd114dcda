/*
 * admin_mail.c — the admin panel's mail pages: the notifications log
 * (recipient, subject, status, attempts, last error; filters and pages),
 * one message with its text part and its HTML part shown as escaped
 * source (never rendered: it was made from customer data, and the panel's
 * own origin is no place to render it), the CSRF'd Retry button, and the
 * e-mail templates with the admin's overrides of subject, text and HTML.
 *
 * Under ./serve (no ECOM_SMTP_URL) every message is also an .eml file in
 * var/mail; this log is the same messages as the shop sees them, so a
 * merchant trying the shop sees what customers would get.
 */
#include <string.h>

#include "admin.h"
#include "core/parse.h"
#include "core/util.h"
#include "notification/notification.h"

#define ADMIN_MAIL_URL		"/admin/mail"
#define ERROR_PREVIEW		120	/* bytes of an error shown in the list */

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

/*
 * s HTML-escaped (html_escape_to, the engine's own escaper), with the
 * spaces and tabs that end a line written as character references: the
 * text is shown exactly (a signature's "-- " keeps its space, a textarea
 * posts it back) and the page has no trailing whitespace for the HTML
 * checks.  The result goes into the page with {{{ }}} under a "raw_" key:
 * it is escaped already, here.
 */
static const char *
raw_escaped(arena *a, const char *s)
{
	buf b = BUF_INIT;
	const char *out;
	size_t n = s != NULL ? strlen(s) : 0, i = 0;

	while (i < n) {
		size_t eol = i + strcspn(s + i, "\n"), end = eol;

		while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		html_escape_to(buf_sink, &b, s + i, end - i);
		for (size_t k = end; k < eol; k++)
			buf_puts(&b, s[k] == ' ' ? "&#32;" : "&#9;");
		if (eol < n)
			buf_putc(&b, '\n');
		i = eol + 1;
	}
	out = b.oom ? NULL : arena_strndup(a, b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	return out != NULL ? out : "";
}

static json_object *
message_view(arena *a, const notification *n, bool full)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "id", n->id);
	admin_put_str(o, "channel", n->channel);
	admin_put_str(o, "kind", n->kind);
	admin_put_str(o, "recipient", n->recipient);
	admin_put_str(o, "subject", n->subject[0] != '\0' ? n->subject : "(no subject)");
	admin_put_str(o, "status", n->status);
	json_object_object_add(o, "attempts", json_object_new_int64(n->attempts));
	json_object_object_add(o, "max_attempts", json_object_new_int64(n->max_attempts));
	admin_put_str(o, "error", full ? n->last_error : preview(a, n->last_error));
	admin_put_str(o, "created", admin_time(a, n->created_at));
	admin_put_str(o, "sent", n->sent_at ? admin_time(a, n->sent_at) : "");
	admin_put_str(o, "next", strcmp(n->status, "queued") == 0 ?
	    admin_time(a, n->next_attempt_at) : "");
	admin_put_flag(o, "can_retry", strcmp(n->status, "failed") == 0);
	admin_put_flag(o, "failed", strcmp(n->status, "failed") == 0);
	if (full) {
		admin_put_str(o, "user_id", n->user_id);
		admin_put_str(o, "event_id", n->event_id);
		admin_put_str(o, "raw_body_text", raw_escaped(a, n->body_text));
		admin_put_str(o, "raw_body_html", raw_escaped(a, n->body_html));
	}
	admin_put_flag(o, "email", strcmp(n->channel, "email") == 0);
	return o;
}

/* Options of a <select>: values with the chosen one marked. */
static json_object *
options(const char *const *values, const char *chosen)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; values[i] != NULL; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "value", values[i]);
		admin_put_flag(o, "selected", chosen != NULL && strcmp(chosen, values[i]) == 0);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The filters a list's page links keep. */
static const char *const list_keys[] = { "q", "status", "kind", NULL };

ecode
h_mail(request *req, response *res, error *e)
{
	static const char *const statuses[] = { "queued", "sent", "failed", NULL };
	notification_filter f = { NULL, admin_nonempty(req_query(req, "status")),
	    admin_nonempty(req_query(req, "kind")), admin_nonempty(req_query(req, "q")) };
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	notification_page np;
	json_object *ctx, *rows;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = notification_list(req->a, &f, &pg, &np, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < np.n; i++)
		json_object_array_add(rows, message_view(req->a, &np.items[i], false));
	json_object_object_add(ctx, "messages", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(np.total));
	admin_put_str(ctx, "q", f.recipient);
	json_object_object_add(ctx, "statuses", options(statuses, f.status));
	json_object_object_add(ctx, "kinds", options(notification_kinds, f.kind));
	admin_put_flag(ctx, "files", notification_file_transport());
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    admin_list_url(req, ADMIN_MAIL_URL, list_keys), &pg, np.total));
	return admin_render(req, res, 200, "admin/mail", ctx, &me, "Mail", e);
}

/* One message; `err` (may be NULL) is a refused retry to show. */
static ecode
render_message(request *req, response *res, int status, const error *err, error *e)
{
	const char *done = req_query(req, "done");
	notification n;
	json_object *ctx;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	if ((rc = notification_get(req->a, req_param(req, "id"), NULL, &n, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "message", message_view(req->a, &n, true));
	if (done != NULL && strcmp(done, "retry") == 0)
		admin_put_str(ctx, "done", strcmp(n.status, "sent") == 0 ? "Sent." :
		    "Queued again: the notifier sends it on its next run.");
	if (err != NULL)
		admin_put_str(ctx, "error", err->message);
	return admin_render(req, res, status, "admin/mail_message", ctx, &me,
	    arena_printf(req->a, "Mail to %s", n.recipient), e);
}

ecode
h_mail_message(request *req, response *res, error *e)
{
	return render_message(req, res, 200, NULL, e);
}

ecode
h_mail_retry(request *req, response *res, error *e)
{
	const char *id = req_param(req, "id");
	notification n = { 0 };
	error le;
	int status;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	err_clear(&le);
	rc = notification_retry(req->a, id, me.id, req->request_id, &n, &le);
	rc = admin_action_outcome(req, res, rc, &le, rc == E_CONFLICT, ADMIN_MAIL_URL, id, "retry",
	    &status, e);
	if (status == 0)
		return rc;
	return render_message(req, res, status, &le, e);
}

/* ------------------------------------------------------------ templates */

ecode
h_mail_templates(request *req, response *res, error *e)
{
	json_object *ctx, *rows;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	json_object_object_add(ctx, "templates", rows);
	for (size_t i = 0; notification_kinds[i] != NULL; i++) {
		notification_template t;
		json_object *o;

		if ((rc = notification_template_get(req->a, notification_kinds[i], &t, e)) != E_OK) {
			json_object_put(ctx);
			return rc;
		}
		o = json_object_new_object();
		admin_put_str(o, "name", t.name);
		admin_put_flag(o, "custom", t.subject_custom || t.txt_custom || t.html_custom);
		admin_put_str(o, "updated", t.updated_at ? admin_time(req->a, t.updated_at) : "");
		json_object_array_add(rows, o);
	}
	return admin_render(req, res, 200, "admin/mail_templates", ctx, &me, "E-mail templates", e);
}

/* The form of one template: the effective parts, or what was posted
 * with its problems. */
static ecode
render_template(request *req, response *res, int status, const error *err, error *e)
{
	const char *name = req_param(req, "name"), *done = req_query(req, "done");
	notification_template t;
	json_object *ctx;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	if ((rc = notification_template_get(req->a, name, &t, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	admin_put_str(ctx, "name", t.name);
	admin_put_str(ctx, "raw_subject", raw_escaped(req->a, err ? req_form(req, "subject") : t.subject));
	admin_put_str(ctx, "raw_txt", raw_escaped(req->a, err ? req_form(req, "txt") : t.txt));
	admin_put_str(ctx, "raw_html", raw_escaped(req->a, err ? req_form(req, "html") : t.html));
	admin_put_flag(ctx, "custom", t.subject_custom || t.txt_custom || t.html_custom);
	if (done != NULL && strcmp(done, "saved") == 0)
		admin_put_str(ctx, "done", "Saved: the next message of this kind uses it.");
	if (done != NULL && strcmp(done, "reset") == 0)
		admin_put_str(ctx, "done", "Back to the shipped template.");
	if (err != NULL) {
		admin_put_str(ctx, "error", err->message);
		json_object_object_add(ctx, "errors", admin_field_errors(err));
	}
	return admin_render(req, res, status, "admin/mail_template", ctx, &me,
	    arena_printf(req->a, "E-mail template %s", t.name), e);
}

ecode
h_mail_template(request *req, response *res, error *e)
{
	return render_template(req, res, 200, NULL, e);
}

ecode
h_mail_template_save(request *req, response *res, error *e)
{
	const char *name = req_param(req, "name");
	error le;
	int status;
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	err_clear(&le);
	rc = notification_template_set(req->a, name, req_form(req, "subject"), req_form(req, "txt"),
	    req_form(req, "html"), me.id, req->request_id, &le);
	rc = admin_action_outcome(req, res, rc, &le, rc == E_VALIDATION, ADMIN_MAIL_URL "/templates",
	    name, "saved", &status, e);
	if (status == 0)
		return rc;
	return render_template(req, res, status, &le, e);
}

ecode
h_mail_template_reset(request *req, response *res, error *e)
{
	const char *name = req_param(req, "name");
	user me;
	bool stop;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &stop, e)) != E_OK || stop)
		return rc;
	if ((rc = notification_template_reset(req->a, name, me.id, req->request_id, e)) != E_OK)
		return rc;
	return admin_see_done(req, res, ADMIN_MAIL_URL "/templates", name, "reset", e);
}
