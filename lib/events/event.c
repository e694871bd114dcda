/*
 * event.c — the envelope as consumers see it, the topic list, and the
 * per-consumer claim that makes at-least-once delivery once in effect
 * (events.h).
 */
#include <string.h>

#include "core/util.h"
#include "events/events.h"

const char *const event_topics[] = {
	"ecommerce.product.created", "ecommerce.product.updated", "ecommerce.product.deleted",
	"ecommerce.category.created", "ecommerce.category.updated", "ecommerce.category.deleted",
	"ecommerce.brand.created", "ecommerce.brand.updated", "ecommerce.brand.deleted",
	"ecommerce.cart.updated", "ecommerce.cart.cleared",
	"ecommerce.order.created", "ecommerce.order.status_changed", "ecommerce.order.canceled",
	"ecommerce.checkout.initiated", "ecommerce.checkout.completed", "ecommerce.checkout.failed",
	"ecommerce.payment.succeeded", "ecommerce.payment.failed", "ecommerce.payment.refunded",
	"ecommerce.inventory.updated", "ecommerce.inventory.reserved",
	"ecommerce.inventory.released", "ecommerce.inventory.low_stock",
	"ecommerce.inventory.back_in_stock",
	"ecommerce.user.registered", "ecommerce.user.updated", "ecommerce.user.password_reset",
	"ecommerce.campaign.created", "ecommerce.campaign.updated",
	"ecommerce.campaign.coupon_applied",
	"ecommerce.notification.sent", "ecommerce.notification.failed",
	"ecommerce.media.uploaded", "ecommerce.media.deleted",
	"ecommerce.settings.updated",
	/* the platform's own, so the audit log sees every admin change */
	"ecommerce.banner.created", "ecommerce.banner.updated", "ecommerce.banner.deleted",
	"ecommerce.review.created", "ecommerce.review.updated",
	"ecommerce.stacking_rule.created", "ecommerce.stacking_rule.deleted",
	"ecommerce.order.note_added",
	"ecommerce.mail_template.updated", "ecommerce.notification.retried",
	"ecommerce.media.updated",
	NULL
};

static void
put_json(void *p)
{
	json_object_put(p);
}

/* A required string member, copied into the arena; NULL if absent. */
static const char *
member(arena *a, json_object *o, const char *key, bool nullable, bool *bad)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
		if (!nullable)
			*bad = true;
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*bad = true;
		return NULL;
	}
	return arena_strdup(a, json_object_get_string(v));
}

ecode
event_parse(arena *a, const char *payload, size_t len, event *ev, error *e)
{
	static const char *const required[] = {
		"event_id", "event_type", "aggregate_id", "aggregate_type", "source", "timestamp",
	};
	const char **slots[] = {
		&ev->id, &ev->type, &ev->aggregate_id, &ev->aggregate_type, &ev->source,
		&ev->timestamp,
	};
	json_tokener *tok;
	json_object *env;
	bool bad = false;

	memset(ev, 0, sizeof *ev);
	if (len > EVENT_PAYLOAD_MAX)
		return err_set(e, E_INVALID_INPUT, "event is %zu bytes (at most %d)", len,
		    EVENT_PAYLOAD_MAX);
	if (!(tok = json_tokener_new()))
		return err_set(e, E_INTERNAL, "out of memory");
	env = json_tokener_parse_ex(tok, payload, (int)len);
	if (env != NULL && json_tokener_get_parse_end(tok) != len) {
		json_object_put(env);
		env = NULL;
	}
	json_tokener_free(tok);
	if (env == NULL || !json_object_is_type(env, json_type_object)) {
		json_object_put(env);
		return err_set(e, E_INVALID_INPUT, "event is not a JSON object");
	}
	if (arena_defer(a, put_json, env) != 0) {
		json_object_put(env);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	ev->envelope = env;
	for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
		*slots[i] = member(a, env, required[i], false, &bad);
		if (bad)
			return err_set(e, E_INVALID_INPUT, "event has no string \"%s\"", required[i]);
	}
	ev->correlation_id = member(a, env, "correlation_id", true, &bad);
	if (bad)
		return err_set(e, E_INVALID_INPUT, "event \"correlation_id\" is not a string");
	if (!json_object_object_get_ex(env, "data", &ev->data) ||
	    !json_object_is_type(ev->data, json_type_object))
		return err_set(e, E_INVALID_INPUT, "event has no object \"data\"");
	if (!uuid_valid(ev->id) || !uuid_valid(ev->aggregate_id))
		return err_set(e, E_INVALID_INPUT, "event_id and aggregate_id must be UUIDs");
	if (strncmp(ev->type, EVENT_TOPIC_PREFIX, strlen(EVENT_TOPIC_PREFIX)) != 0)
		return err_set(e, E_INVALID_INPUT, "event_type must start with \"%s\"",
		    EVENT_TOPIC_PREFIX);
	if (!(ev->payload = arena_strndup(a, payload, len)))
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

bool
event_is(const event *ev, const char *short_type)
{
	size_t n = strlen(EVENT_TOPIC_PREFIX);

	return ev->type != NULL && strncmp(ev->type, EVENT_TOPIC_PREFIX, n) == 0 &&
	    strcmp(ev->type + n, short_type) == 0;
}

bool
consumer_wants(const consumer *c, const char *type)
{
	for (const char *const *t = c->topics; *t != NULL; t++)
		if (strcmp(*t, type) == 0)
			return true;
	return false;
}

ecode
event_claim(db_conn *c, arena *a, db_stmt *claim, const event *ev, bool *fresh, error *e)
{
	const char *p[1] = { ev->id };
	PGresult *r = db_exec(c, a, claim, p, e);

	if (r == NULL)
		return e->code;
	*fresh = strcmp(PQcmdTuples(r), "1") == 0;
	return E_OK;
}
