/*
 * outbox.c — the event envelope and its insert (outbox.h).
 */
#include <time.h>

#include "auth/auth.h"
#include "json.h"
#include "outbox.h"
#include "util.h"

const char *
outbox_envelope(arena *a, const event_origin *o, const char *type,
    const char *aggregate_type, const char *aggregate_id, json_object *data,
    char id[37], error *e)
{
	char         ts[21];
	const char  *topic, *payload;
	json_object *env, *meta;

	if (uuid_v4(id) != 0) {
		json_object_put(data);
		err_set(e, E_INTERNAL, "no randomness for an event id");
		return NULL;
	}
	time_rfc3339((int64_t)time(NULL), ts);
	topic = arena_printf(a, "ecommerce.%s", type);
	env = json_object_new_object();
	meta = json_object_new_object();
	if (topic == NULL || env == NULL || meta == NULL) {
		json_object_put(data);
		json_object_put(env);
		json_object_put(meta);
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	json_object_object_add(meta, "actor_id", json_str_or_null(o->actor_id));
	json_object_object_add(meta, "actor_role", json_object_new_string(
	    o->actor_id != NULL ? role_name(o->actor_role) : "system"));
	json_object_object_add(env, "event_id", json_object_new_string(id));
	json_object_object_add(env, "event_type", json_object_new_string(topic));
	json_object_object_add(env, "aggregate_id", json_object_new_string(aggregate_id));
	json_object_object_add(env, "aggregate_type", json_object_new_string(aggregate_type));
	json_object_object_add(env, "version", json_object_new_int(1));
	json_object_object_add(env, "timestamp", json_object_new_string(ts));
	json_object_object_add(env, "source", json_object_new_string(o->source));
	json_object_object_add(env, "correlation_id", json_str_or_null(o->correlation_id));
	json_object_object_add(env, "data", data);
	json_object_object_add(env, "metadata", meta);
	payload = arena_strdup(a, json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN));
	json_object_put(env);
	if (payload == NULL)
		err_set(e, E_INTERNAL, "out of memory");
	return payload;
}

ecode
outbox_emit(db_conn *c, arena *a, db_stmt *insert, const event_origin *o,
    const char *type, const char *aggregate_type, const char *aggregate_id,
    json_object *data, error *e)
{
	char id[37];
	const char *p[5];

	p[4] = outbox_envelope(a, o, type, aggregate_type, aggregate_id, data, id, e);
	if (p[4] == NULL)
		return e->code;
	p[0] = id;
	p[1] = arena_printf(a, "ecommerce.%s", type);
	p[2] = aggregate_type;
	p[3] = aggregate_id;
	if (p[1] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return db_exec(c, a, insert, p, e) != NULL ? E_OK : e->code;
}
