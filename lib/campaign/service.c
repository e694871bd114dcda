/*
 * service.c — campaign rules around the store: create and update with the
 * cross-field checks and generated codes, deactivation, stacking rules,
 * and the events each change writes to campaigns.outbox in its own
 * transaction.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "core/util.h"
#include "campaign/internal.h"

#define CODE_ATTEMPTS 5

db_conn *
campaign_db(error *e)
{
	return db_for(CAMPAIGN_DOMAIN, e);
}

campaign_actor
campaign_actor_of(const request *req)
{
	campaign_actor who = { req->user_id, req->request_id,
	    req->user_id ? req->user_role : ROLE_PUBLIC };

	return who;
}

/* Constraint names (sql/campaigns/001_init.sql) -> what the client sees. */
static ecode
map_constraint(db_conn *c, error *e)
{
	const char *name = db_last_constraint(c);

	if (e->code == E_ALREADY_EXISTS && strcmp(name, "campaigns_code_key") == 0) {
		err_clear(e);
		err_field(e, "code", "is already used by another campaign (codes ignore case)");
		return err_set(e, E_ALREADY_EXISTS, "code is already used by another campaign");
	}
	if (e->code == E_ALREADY_EXISTS && strcmp(name, "stacking_rules_pair_key") == 0) {
		err_clear(e);
		return err_set(e, E_ALREADY_EXISTS, "a stacking rule for this pair already exists");
	}
	if (strcmp(name, "stacking_rules_campaign_b_fkey") == 0) {
		err_clear(e);
		return err_field(e, "campaign_id", "no such campaign");
	}
	return e->code;
}

/* An 8-character code from an alphabet without look-alikes (no 0/O, 1/I). */
static const char *
generate_code(arena *a)
{
	static const char abc[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char r[8];
	char         *s = arena_alloc(a, sizeof r + 1);

	if (!s || getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return NULL;
	for (size_t i = 0; i < sizeof r; i++)
		s[i] = abc[r[i] % (sizeof abc - 1)];
	s[sizeof r] = '\0';
	return s;
}

/* The rules that span several fields, on the merged campaign. */
static ecode
check_campaign(const campaign *c, error *e)
{
	const char *t = c->type;

	if (strcmp(t, "percentage") == 0 && (c->discount_value < 1 || c->discount_value > 10000))
		err_field(e, "discount_value", "must be 1 to 10000 basis points (100 = 1 %%)");
	if (strcmp(t, "fixed_amount") == 0 && c->discount_value < 1)
		err_field(e, "discount_value", "must be a positive amount in minor units");
	if (strcmp(t, "free_shipping") == 0 && c->discount_value != 0)
		err_field(e, "discount_value", "must be 0 for free shipping");
	if (strcmp(t, "buy_x_get_y") == 0) {
		if (c->discount_value < 1 || c->discount_value > 100)
			err_field(e, "discount_value", "is the number of free items: 1 to 100");
		if (c->buy_quantity < 1)
			err_field(e, "buy_quantity", "is required for buy_x_get_y: 1 to 100");
	} else if (c->buy_quantity != 0)
		err_field(e, "buy_quantity", "applies only to buy_x_get_y");
	if (c->end_date <= c->start_date)
		err_field(e, "end_date", "must be after start_date");
	if (c->is_automatic && c->code)
		err_field(e, "code", "must be empty for an automatic campaign");
	return e->nfields ? E_VALIDATION : E_OK;
}

/* Overlay the fields the input carries onto c. */
static void
merge(campaign *c, const campaign_input *in)
{
#define SET(flag, dst, src) do { if (in->flag) c->dst = in->src; } while (0)
	SET(has_name, name, name);
	SET(has_description, description, description);
	SET(has_type, type, type);
	SET(has_currency, currency, currency);
	SET(has_exclusion_group, exclusion_group, exclusion_group);
	SET(has_discount_value, discount_value, discount_value);
	SET(has_buy_quantity, buy_quantity, buy_quantity);
	SET(has_min_order, min_order_amount, min_order_amount);
	SET(has_max_discount, max_discount_amount, max_discount_amount);
	SET(has_max_usage, max_usage_count, max_usage_count);
	SET(has_max_per_user, max_usage_per_user, max_usage_per_user);
	SET(has_stackable, is_stackable, is_stackable);
	SET(has_automatic, is_automatic, is_automatic);
	SET(has_priority, priority, priority);
	SET(has_start, start_date, start_date);
	SET(has_end, end_date, end_date);
#undef SET
	if (in->has_code)
		c->code = *in->code ? in->code : NULL;
	if (in->has_products) {
		c->products = in->products;
		c->nproducts = in->nproducts;
	}
	if (in->has_categories) {
		c->categories = in->categories;
		c->ncategories = in->ncategories;
	}
}

static ecode
emit(db_conn *c, arena *a, const campaign_actor *who, const char *type,
    const char *id, json_object *data, error *e)
{
	event_origin o = { "campaigns", who ? who->request_id : NULL,
	    who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC };

	if (!data)
		return err_set(e, E_INTERNAL, "out of memory");
	return outbox_emit(c, a, cstore_outbox_stmt(), &o, type, "campaign", id, data, e);
}

typedef struct write_tx {
	const campaign_actor *who;
	const char           *id;
	const campaign_input *in;
	campaign             *cp;	/* create: the new row; update: filled here */
	bool                  generated;
	bool                  create;
} write_tx;

static ecode
write_fn(db_conn *c, arena *a, void *ud, error *e)
{
	write_tx *t = ud;

	if (!t->create) {
		if (cstore_campaign_get(c, a, t->id, true, t->cp, e) != E_OK)
			return e->code;
		/* a coded campaign keeps its code unless the body replaces it */
		merge(t->cp, t->in);
		if (t->in->has_automatic && t->cp->is_automatic && !t->in->has_code)
			t->cp->code = NULL;
		if (check_campaign(t->cp, e) != E_OK)
			return e->code;
		if (!t->cp->is_automatic && !t->cp->code) {
			if (!(t->cp->code = generate_code(a)))
				return err_set(e, E_INTERNAL, "could not generate a code");
			t->generated = true;
		}
	}
	if ((t->create ? cstore_campaign_insert(c, a, t->cp, e) : cstore_campaign_update(c, a, t->cp, e)) != E_OK)
		return map_constraint(c, e);
	if ((t->create || t->in->has_products || t->in->has_categories) &&
	    cstore_campaign_targets(c, a, t->cp, e) != E_OK)
		return e->code;
	if (cstore_campaign_get(c, a, t->cp->id, false, t->cp, e) != E_OK)
		return e->code;
	return emit(c, a, t->who, t->create ? "campaign.created" : "campaign.updated",
	    t->cp->id, campaign_to_json(t->cp), e);
}

/* Run the write; a generated code that collides is drawn again. */
static ecode
run_write(arena *a, write_tx *t, error *e)
{
	db_conn *c = campaign_db(e);

	if (!c)
		return e->code;
	for (int attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
		if (t->create && t->generated && !(t->cp->code = generate_code(a)))
			return err_set(e, E_INTERNAL, "could not generate a code");
		err_clear(e);
		if (db_tx(c, a, write_fn, t, e) == E_OK)
			return E_OK;
		if (!(t->generated && e->code == E_ALREADY_EXISTS))
			return e->code;
	}
	return e->code;
}

ecode
campaign_create(arena *a, const campaign_actor *who, const campaign_input *in,
    campaign *out, error *e)
{
	char     id[37];
	write_tx t = { who, NULL, in, out, false, true };

	memset(out, 0, sizeof *out);
	if (uuid_v4(id) != 0 || !(out->id = arena_strdup(a, id)))
		return err_set(e, E_INTERNAL, "could not make an id");
	out->currency = "EUR";
	out->description = "";
	out->status = "active";
	merge(out, in);
	if (check_campaign(out, e) != E_OK)
		return e->code;
	t.generated = !out->is_automatic && !out->code;
	return run_write(a, &t, e);
}

ecode
campaign_update(arena *a, const campaign_actor *who, const char *id,
    const campaign_input *in, campaign *out, error *e)
{
	write_tx t = { who, id, in, out, false, false };

	memset(out, 0, sizeof *out);
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "campaign not found");
	return run_write(a, &t, e);
}

ecode
campaign_get(arena *a, const char *id, campaign *out, error *e)
{
	db_conn *c;

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "campaign not found");
	if (!(c = campaign_db(e)))
		return e->code;
	return cstore_campaign_get(c, a, id, false, out, e);
}

ecode
campaign_list(arena *a, const page *pg, const char *status,
    campaign **out, size_t *n, int64_t *total, error *e)
{
	db_conn *c = campaign_db(e);

	return c ? cstore_campaign_list(c, a, pg, status, out, n, total, e) : e->code;
}

typedef struct deact_tx {
	const campaign_actor *who;
	const char           *id;
	campaign             *out;
} deact_tx;

static ecode
deactivate_fn(db_conn *c, arena *a, void *ud, error *e)
{
	deact_tx *t = ud;

	if (cstore_campaign_get(c, a, t->id, true, t->out, e) != E_OK ||
	    cstore_campaign_deactivate(c, a, t->id, e) != E_OK ||
	    cstore_campaign_get(c, a, t->id, false, t->out, e) != E_OK)
		return e->code;
	return emit(c, a, t->who, "campaign.updated", t->id, campaign_to_json(t->out), e);
}

ecode
campaign_deactivate(arena *a, const campaign_actor *who, const char *id,
    campaign *out, error *e)
{
	deact_tx t = { who, id, out };
	db_conn *c;

	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "campaign not found");
	if (!(c = campaign_db(e)))
		return e->code;
	return db_tx(c, a, deactivate_fn, &t, e);
}

/* ------------------------------------------------------------ stacking rules */

typedef struct rule_tx {
	const campaign_actor *who;
	const char           *id;
	stacking_rule        *out;
} rule_tx;

static ecode
rule_emit(db_conn *c, arena *a, const campaign_actor *who, const char *type,
    const stacking_rule *r, error *e)
{
	event_origin o = { "campaigns", who ? who->request_id : NULL,
	    who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC };
	json_object *d = stacking_rule_to_json(r);

	if (!d)
		return err_set(e, E_INTERNAL, "out of memory");
	return outbox_emit(c, a, cstore_outbox_stmt(), &o, type, "stacking_rule", r->id, d, e);
}

static ecode
rule_add_tx(db_conn *c, arena *a, void *ud, error *e)
{
	rule_tx *t = ud;

	if (cstore_rule_insert(c, a, t->out, e) != E_OK)
		return map_constraint(c, e);
	return rule_emit(c, a, t->who, "stacking_rule.created", t->out, e);
}

static ecode
rule_delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	rule_tx *t = ud;

	if (cstore_rule_delete(c, a, t->id, t->out, e) != E_OK)
		return e->code;
	return rule_emit(c, a, t->who, "stacking_rule.deleted", t->out, e);
}

ecode
campaign_rule_add(arena *a, const campaign_actor *who, const char *campaign_id,
    const char *other_id, const char *rule, stacking_rule *out, error *e)
{
	db_conn *c;
	campaign cp;
	char     id[37];
	rule_tx  t = { who, NULL, out };

	if (!campaign_id || !uuid_valid(campaign_id))
		return err_set(e, E_NOT_FOUND, "campaign not found");
	if (!other_id || !uuid_valid(other_id))
		err_field(e, "campaign_id", "must be the UUID of the other campaign");
	else if (strcasecmp(other_id, campaign_id) == 0)
		err_field(e, "campaign_id", "must be another campaign");
	if (!rule || (strcmp(rule, "allowed") != 0 && strcmp(rule, "forbidden") != 0))
		err_field(e, "rule", "must be allowed or forbidden");
	if (e->nfields)
		return e->code;
	if (!(c = campaign_db(e)) || cstore_campaign_get(c, a, campaign_id, false, &cp, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0 || !(out->id = arena_strdup(a, id)))
		return err_set(e, E_INTERNAL, "could not make an id");
	out->campaign_a = campaign_id;
	out->campaign_b = other_id;
	out->allowed = strcmp(rule, "allowed") == 0;
	out->created_at = (int64_t)time(NULL);
	return db_tx(c, a, rule_add_tx, &t, e);
}

ecode
campaign_rule_list(arena *a, const char *campaign_id, stacking_rule **out,
    size_t *n, error *e)
{
	db_conn *c;
	campaign cp;

	if (!campaign_id || !uuid_valid(campaign_id))
		return err_set(e, E_NOT_FOUND, "campaign not found");
	if (!(c = campaign_db(e)) || cstore_campaign_get(c, a, campaign_id, false, &cp, e) != E_OK)
		return e->code;
	return cstore_rule_list(c, a, campaign_id, out, n, e);
}

ecode
campaign_rule_delete(arena *a, const campaign_actor *who, const char *rule_id, error *e)
{
	stacking_rule r;
	rule_tx t = { who, rule_id, &r };
	db_conn *c;

	if (!rule_id || !uuid_valid(rule_id))
		return err_set(e, E_NOT_FOUND, "stacking rule not found");
	if (!(c = campaign_db(e)))
		return e->code;
	return db_tx(c, a, rule_delete_tx, &t, e);
}
