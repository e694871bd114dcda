/*
 * consumer.c — audit_consumer (audit.h): every event updates the state
 * the log remembers for its entity; one an admin or a seller caused also
 * becomes an entry, with that remembered state as "before".
 *
 * The claim, the entry and the new state commit together, so a redelivery
 * (at least once) changes nothing, and a failure leaves nothing half
 * written for the relay's retry.  The actor's e-mail is looked up before
 * the transaction: the accounts may live in another database.
 */
#include <string.h>

#include "audit/internal.h"
#include "core/json.h"
#include "core/util.h"
#include "user/user.h"

/* Aggregates whose events each describe one part of the aggregate: an
 * inventory.updated for a variant is its stock in one warehouse, so the
 * state is remembered per (variant, warehouse), named by warehouse code. */
static const struct part_rule {
	const char *aggregate_type, *key, *label;
} part_rules[] = {
	{ "variant", "warehouse_id", "warehouse_code" },
};

/* Aggregates the log remembers no state for: a shopper's cart lives in
 * Redis with a TTL and no admin or seller changes it, so remembering it
 * would only fill audit.states with abandoned carts; a checkout likewise
 * belongs to its shopper and its saga (what an admin changes afterwards
 * is the order and the payment); a notification's sent/failed is the
 * system's, one per message sent. */
static const char *const stateless[] = { "cart", "checkout", "notification" };

typedef struct audit_tx {
	const event *ev;
	const char  *key;		/* entity key in audit.states */
	const char  *part_label;	/* "BER-1", or NULL */
	bool         keep_state;
	bool         drop_state;	/* the entity was deleted */
	audit_entry *en;		/* NULL: not an admin's or a seller's change */
} audit_tx;

/* Key and label of ev's entity (audit.states). */
static void
entity_of(arena *a, const event *ev, audit_tx *t)
{
	t->key = ev->aggregate_id;
	for (size_t i = 0; i < sizeof part_rules / sizeof *part_rules; i++) {
		const char *part;

		if (strcmp(ev->aggregate_type, part_rules[i].aggregate_type) != 0 ||
		    !(part = json_member_str(ev->data, part_rules[i].key)) || strlen(part) > 100)
			continue;
		t->key = arena_printf(a, "%s/%s", ev->aggregate_id, part);
		t->part_label = json_member_str(ev->data, part_rules[i].label);
	}
	t->keep_state = true;
	for (size_t i = 0; i < sizeof stateless / sizeof *stateless; i++)
		if (strcmp(ev->aggregate_type, stateless[i]) == 0)
			t->keep_state = false;
	t->drop_state = strlen(ev->type) > 8 && strcmp(ev->type + strlen(ev->type) - 8, ".deleted") == 0;
}

/* The entry of an admin's or a seller's event, actor e-mail resolved;
 * *out NULL for anyone else's. */
static ecode
entry_of(arena *a, const event *ev, audit_entry **out, error *e)
{
	json_object *meta = NULL;
	const char *actor, *role_s;
	audit_entry *en;
	user u;
	error le;

	*out = NULL;
	if (!json_object_object_get_ex(ev->envelope, "metadata", &meta) ||
	    !(actor = json_member_str(meta, "actor_id")) || !uuid_valid(actor) ||
	    !(role_s = json_member_str(meta, "actor_role")) ||
	    (strcmp(role_s, "admin") != 0 && strcmp(role_s, "seller") != 0))
		return E_OK;
	if (!(en = arena_calloc(a, 1, sizeof *en)))
		return err_set(e, E_INTERNAL, "out of memory");
	en->id = ev->id;
	en->actor_id = arena_strdup(a, actor);
	en->actor_role = arena_strdup(a, role_s);
	en->event_type = ev->type + strlen(EVENT_TOPIC_PREFIX);
	en->aggregate_type = ev->aggregate_type;
	en->aggregate_id = ev->aggregate_id;
	en->source = ev->source;
	en->correlation_id = ev->correlation_id;
	en->after = ev->data;
	err_clear(&le);
	/* an account deleted since (or a tool's token) leaves the id alone */
	if (user_get(a, actor, &u, &le) == E_OK)
		en->actor_email = u.email;
	else if (le.code != E_NOT_FOUND) {
		*e = le;
		return e->code;
	}
	if (!en->actor_id || !en->actor_role)
		return err_set(e, E_INTERNAL, "out of memory");
	*out = en;
	return E_OK;
}

/* before with data's top-level members put over it, as JSON text: events
 * may carry only what changed, so the state is the sum of them. */
static const char *
merged_state(arena *a, json_object *before, json_object *data)
{
	json_object *m = json_object_new_object();
	const char *s;

	if (m == NULL)
		return NULL;
	if (before != NULL) {
		json_object_object_foreach(before, bk, bv) {
			json_object_object_add(m, bk, json_object_get(bv));
		}
	}
	json_object_object_foreach(data, dk, dv) {
		json_object_object_add(m, dk, json_object_get(dv));
	}
	s = arena_strdup(a, json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
	json_object_put(m);
	return s;
}

static ecode
record(db_conn *c, arena *a, void *ud, error *e)
{
	audit_tx *t = ud;
	const event *ev = t->ev;
	const char *text = NULL, *state;
	json_object *before = NULL;
	bool fresh;

	if (astore_claim(c, a, ev, &fresh, e) != E_OK)
		return e->code;
	if (!fresh)
		return E_OK;
	if (t->keep_state &&
	    astore_state_get(c, a, ev->aggregate_type, t->key, &text, e) != E_OK)
		return e->code;
	if (text != NULL && !(before = audit_json_parse(a, text)))
		return err_set(e, E_INTERNAL, "the remembered state of %s %s is not JSON",
		    ev->aggregate_type, t->key);
	if (t->en != NULL) {
		audit_change *ch;
		size_t n;
		bool more;

		if (audit_diff(a, before, ev->data, &ch, &n, &more, e) != E_OK)
			return e->code;
		t->en->before = before;
		t->en->summary = audit_summary(a, ev, ev->data, t->part_label, ch, n, before != NULL);
		if (t->en->summary == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
		if (astore_entry_insert(c, a, t->en, ev->timestamp, e) != E_OK)
			return e->code;
	}
	if (!t->keep_state)
		return E_OK;
	if (t->drop_state)
		return astore_state_drop(c, a, ev->aggregate_type, t->key, e);
	if (!(state = merged_state(a, before, ev->data)))
		return err_set(e, E_INTERNAL, "out of memory");
	return astore_state_put(c, a, ev->aggregate_type, t->key, state, ev->id, e);
}

static ecode
audit_handle(arena *a, const event *ev, error *e)
{
	audit_tx t = { ev, NULL, NULL, false, false, NULL };
	db_conn *c;

	entity_of(a, ev, &t);
	if (t.key == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (entry_of(a, ev, &t.en, e) != E_OK)
		return e->code;
	if (!t.keep_state && t.en == NULL)	/* nothing to apply, so nothing to claim */
		return E_OK;
	if (!(c = db_for(AUDIT_DOMAIN, e)))
		return e->code != E_OK ? e->code : err_set(e, E_UNAVAILABLE, "no audit database");
	return db_tx(c, a, record, &t, e);
}

const consumer audit_consumer = { "audit", event_topics, audit_handle };
