/*
 * admin_audit.c — the admin panel's audit log (audit.h): every change an
 * admin or a seller made, newest first, filtered by the actor's e-mail,
 * the entity type, the action, one entity and a date range; and one
 * change with its fields before and after.
 *
 * Only changed fields are listed, each value cut to VALUE_PREVIEW bytes
 * with a link to the whole state below, shown as indented JSON in a
 * <pre>.  Everything reaches the page through the template engine's
 * escaping: the states are whatever the domains put in their events.
 */
#include <string.h>

#include "admin.h"
#include "audit/audit.h"
#include "core/parse.h"
#include "core/util.h"

#define ADMIN_AUDIT_URL	"/admin/audit"
#define VALUE_PREVIEW	200	/* bytes of one value in the changes table */

static json_object *
jstr(const char *s)
{
	return json_object_new_string(s != NULL ? s : "");
}

/* Options of a filter's <select>, the current value selected. */
static json_object *
options(const char *const *values, size_t n, const char *current)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "value", jstr(values[i]));
		admin_put_flag(o, "selected", current != NULL && strcmp(current, values[i]) == 0);
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *
entry_row(arena *a, const audit_entry *en)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", jstr(en->id));
	json_object_object_add(o, "when", jstr(admin_time(a, en->occurred_at)));
	json_object_object_add(o, "actor", jstr(en->actor_email != NULL ? en->actor_email :
	    en->actor_id));
	json_object_object_add(o, "role", jstr(en->actor_role));
	json_object_object_add(o, "action", jstr(en->event_type));
	json_object_object_add(o, "entity", jstr(en->aggregate_type));
	json_object_object_add(o, "summary", jstr(en->summary));
	return o;
}

/* The filters a list's page links keep. */
static const char *const list_keys[] = {
	"actor", "entity", "action", "entity_id", "from", "to", NULL
};

ecode
h_audit(request *req, response *res, error *e)
{
	audit_filter f = { 0 };
	audit_page ap;
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	const char **entities, **actions;
	size_t ne, na;
	json_object *ctx, *rows;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	f.actor = admin_nonempty(req_query(req, "actor"));
	f.entity = admin_nonempty(req_query(req, "entity"));
	f.action = admin_nonempty(req_query(req, "action"));
	f.entity_id = admin_nonempty(req_query(req, "entity_id"));
	if (admin_day_param(req, "from", false, &f.from, e) != E_OK ||
	    admin_day_param(req, "to", true, &f.to, e) != E_OK)
		return e->code;
	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = audit_list(req->a, &f, &pg, &ap, e)) != E_OK ||
	    (rc = audit_choices(req->a, &entities, &ne, &actions, &na, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < ap.n; i++)
		json_object_array_add(rows, entry_row(req->a, &ap.items[i]));
	json_object_object_add(ctx, "entries", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(ap.total));
	json_object_object_add(ctx, "entities", options(entities, ne, f.entity));
	json_object_object_add(ctx, "actions", options(actions, na, f.action));
	json_object_object_add(ctx, "actor", jstr(f.actor));
	json_object_object_add(ctx, "entity_id", jstr(f.entity_id));
	json_object_object_add(ctx, "from", jstr(admin_nonempty(req_query(req, "from"))));
	json_object_object_add(ctx, "to", jstr(admin_nonempty(req_query(req, "to"))));
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    admin_list_url(req, ADMIN_AUDIT_URL, list_keys), &pg, ap.total));
	return admin_render(req, res, 200, "admin/audit", ctx, &me, "Audit log", e);
}

/* ------------------------------------------------------------ one entry */

/* Admin pages of the entities that have one, by aggregate type. */
static const struct {
	const char *aggregate_type, *url;
} entity_pages[] = {
	{ "campaign", "/admin/campaigns/" },
	{ "order", "/admin/orders/" },
	{ "user", "/admin/users/" },
};

static const char *
entity_url(arena *a, const audit_entry *en)
{
	for (size_t i = 0; i < sizeof entity_pages / sizeof *entity_pages; i++)
		if (strcmp(en->aggregate_type, entity_pages[i].aggregate_type) == 0)
			return arena_printf(a, "%s%s", entity_pages[i].url, en->aggregate_id);
	return NULL;
}

/* One side of a changed field: its text (a string as it is, anything
 * else as JSON), cut to VALUE_PREVIEW with a link to the whole state. */
static json_object *
side(arena *a, json_object *v, bool present, const char *anchor)
{
	json_object *o = json_object_new_object();
	const char *text = json_object_is_type(v, json_type_string) ? json_object_get_string(v) :
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	const char *shown = audit_clip(a, text, VALUE_PREVIEW);

	admin_put_flag(o, "absent", !present);
	admin_put_flag(o, "empty", present && text != NULL && *text == '\0');
	admin_put_flag(o, "cut", shown != text);
	json_object_object_add(o, "text", jstr(present ? shown : NULL));
	json_object_object_add(o, "anchor", jstr(anchor));
	return o;
}

static ecode
changes_view(arena *a, const audit_entry *en, json_object *ctx, error *e)
{
	audit_change *ch;
	size_t n;
	bool more;
	json_object *arr;

	if (audit_diff(a, en->before, en->after, &ch, &n, &more, e) != E_OK)
		return e->code;
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "field", jstr(ch[i].path));
		json_object_object_add(o, "before", side(a, ch[i].before, !ch[i].added, "before-json"));
		json_object_object_add(o, "after", side(a, ch[i].after, !ch[i].removed, "after-json"));
		json_object_array_add(arr, o);
	}
	json_object_object_add(ctx, "changes", arr);
	json_object_object_add(ctx, "nchanges", json_object_new_int64((int64_t)n));
	admin_put_flag(ctx, "more_changes", more);
	return E_OK;
}

static const char *
pretty(arena *a, json_object *o)
{
	return o == NULL ? NULL : arena_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
}

ecode
h_audit_entry(request *req, response *res, error *e)
{
	audit_entry en;
	json_object *ctx, *o;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = audit_get(req->a, req_param(req, "id"), &en, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	o = entry_row(req->a, &en);
	json_object_object_add(o, "entity_id", jstr(en.aggregate_id));
	json_object_object_add(o, "entity_url", jstr(entity_url(req->a, &en)));
	json_object_object_add(o, "history_url", jstr(arena_printf(req->a,
	    ADMIN_AUDIT_URL "?entity_id=%s", en.aggregate_id)));
	json_object_object_add(o, "source", jstr(en.source));
	json_object_object_add(o, "request_id", jstr(en.correlation_id));
	json_object_object_add(o, "before_json", jstr(pretty(req->a, en.before)));
	json_object_object_add(o, "after_json", jstr(pretty(req->a, en.after)));
	admin_put_flag(o, "before_known", en.before != NULL);
	json_object_object_add(ctx, "entry", o);
	if ((rc = changes_view(req->a, &en, ctx, e)) != E_OK) {
		json_object_put(ctx);
		return rc;
	}
	return admin_render(req, res, 200, "admin/audit_entry", ctx, &me,
	    arena_printf(req->a, "Audit: %s", en.event_type), e);
}
