/*
 * query.c — reading the log (audit.h): the filtered list, one entry, and
 * the filters' choices; and audit_record, the one entry written without
 * an event.
 */
#include <string.h>
#include <time.h>

#include "audit/internal.h"
#include "core/util.h"
#include "user/user.h"

static db_conn *
audit_db(error *e)
{
	db_conn *c = db_for(AUDIT_DOMAIN, e);

	if (c == NULL && e->code == E_OK)
		err_set(e, E_UNAVAILABLE, "the audit log's database is unreachable");
	return c;
}

static bool
too_long(const char *s)
{
	return s != NULL && strlen(s) > AUDIT_FILTER_MAX;
}

ecode
audit_list(arena *a, const audit_filter *f, const page *pg, audit_page *out, error *e)
{
	db_conn *c;

	if (too_long(f->actor) || too_long(f->entity) || too_long(f->action))
		return err_set(e, E_INVALID_PARAMETER, "a filter is longer than %d bytes",
		    AUDIT_FILTER_MAX);
	if (f->entity_id != NULL && !uuid_valid(f->entity_id))
		return err_set(e, E_INVALID_PARAMETER, "entity_id must be a UUID");
	if (f->from < 0 || f->to < 0)
		return err_set(e, E_INVALID_PARAMETER, "dates must be after 1970");
	if (!(c = audit_db(e)))
		return e->code;
	return astore_list(c, a, f, pg, out, e);
}

ecode
audit_get(arena *a, const char *id, audit_entry *out, error *e)
{
	db_conn *c;

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "audit entry not found");
	if (!(c = audit_db(e)))
		return e->code;
	return astore_get(c, a, id, out, e);
}

ecode
audit_choices(arena *a, const char ***entities, size_t *ne, const char ***actions,
    size_t *na, error *e)
{
	db_conn *c;

	if (!(c = audit_db(e)))
		return e->code;
	if (astore_distinct(c, a, false, entities, ne, e) != E_OK)
		return e->code;
	return astore_distinct(c, a, true, actions, na, e);
}

ecode
audit_record(arena *a, const audit_entry *in, error *e)
{
	audit_entry en = *in;
	char id[37], ts[21];
	db_conn *c;
	user u;
	error le;

	if (!en.actor_id || !uuid_valid(en.actor_id) || !en.actor_role || !en.event_type ||
	    !en.aggregate_type || !en.aggregate_id || !uuid_valid(en.aggregate_id) ||
	    !en.summary || !en.source || !en.after)
		return err_set(e, E_INTERNAL, "an audit entry without its actor, entity or data");
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	en.id = id;
	err_clear(&le);
	if (user_get(a, en.actor_id, &u, &le) == E_OK)
		en.actor_email = u.email;
	else if (le.code != E_NOT_FOUND) {
		*e = le;
		return e->code;
	}
	time_rfc3339((int64_t)time(NULL), ts);
	if (!(c = audit_db(e)))
		return e->code;
	return astore_entry_insert(c, a, &en, ts, e);
}
