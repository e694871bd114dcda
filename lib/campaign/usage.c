/*
 * usage.c — pricing a basket against the stored campaigns, the usage
 * ledger of the checkout saga, and the janitor.
 *
 * Why the limits hold: campaign_usage_reserve takes the campaign rows FOR
 * UPDATE (in id order, so two checkouts sharing campaigns cannot deadlock)
 * and only then counts the reserved and confirmed uses.  Under READ
 * COMMITTED each count is a new snapshot taken after the lock was granted,
 * so it sees every use committed by the previous holder: the (N+1)-th
 * concurrent reservation of an N-use coupon waits, counts N and fails.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/util.h"
#include "campaign/internal.h"

/* ------------------------------------------------------------ pricing */

ecode
campaign_price(arena *a, const price_input *in, price_result *out, error *e)
{
	const char   **codes, **ids;
	const char    *user = in->user_id && uuid_valid(in->user_id) ? in->user_id : NULL;
	const char    *lit;
	size_t         ncodes = 0, ncamps = 0, nrules = 0;
	campaign      *camps;
	stacking_rule *rules;
	db_conn       *c;

	memset(out, 0, sizeof *out);
	if (!(codes = arena_calloc(a, CAMPAIGN_MAX_CODES + 1, sizeof *codes)))
		return err_set(e, E_INTERNAL, "out of memory");
	/* only well-formed codes can exist, and they need no quoting in the
	 * array literal; the engine reports the others */
	for (size_t i = 0; i < in->ncodes && ncodes < CAMPAIGN_MAX_CODES; i++)
		if (campaign_code_valid(in->codes[i]))
			codes[ncodes++] = in->codes[i];
	if (!(lit = cstore_array_lit(a, codes, ncodes, true)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(c = campaign_db(e)) ||
	    cstore_pricing_load(c, a, lit, user, &camps, &ncamps, e) != E_OK)
		return e->code;
	if (!(ids = arena_calloc(a, ncamps + 1, sizeof *ids)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < ncamps; i++)
		ids[i] = camps[i].id;
	if (ncamps > 1) {
		if (!(lit = cstore_array_lit(a, ids, ncamps, true)) ||
		    cstore_rules_among(c, a, lit, &rules, &nrules, e) != E_OK)
			return e->code ? e->code : err_set(e, E_INTERNAL, "out of memory");
	} else
		rules = NULL;
	return pricing_run(a, in, camps, ncamps, rules, nrules, (int64_t)time(NULL), out, e);
}

/* ------------------------------------------------------------ usage */

typedef struct reserve_tx {
	const char             *checkout_id, *user_id;
	const applied_discount *applied;
	size_t                 *order;
	size_t                  n;
} reserve_tx;

static ecode
limit_reached(error *e, size_t i, const char *what)
{
	err_field(e, "coupons", "item %zu: %s", i, what);
	return err_set(e, E_CONFLICT, "a coupon can no longer be used: %s", what);
}

static ecode
reserve_fn(db_conn *c, arena *a, void *ud, error *e)
{
	reserve_tx *t = ud;
	int64_t     active;

	if (cstore_usage_active(c, a, t->checkout_id, &active, e) != E_OK)
		return e->code;
	if (active > 0)		/* this checkout already holds its uses */
		return E_OK;
	for (size_t k = 0; k < t->n; k++) {
		size_t                  i = t->order[k];
		const applied_discount *d = &t->applied[i];
		campaign                cp;
		int64_t                 total, mine;

		if (cstore_campaign_get(c, a, d->campaign_id, true, &cp, e) != E_OK) {
			if (e->code != E_NOT_FOUND)
				return e->code;
			err_clear(e);
			return limit_reached(e, i, "the campaign no longer exists");
		}
		if (strcmp(cp.status, "inactive") == 0 || strcmp(cp.status, "expired") == 0 ||
		    (int64_t)time(NULL) >= cp.end_date)
			return limit_reached(e, i, "the campaign has ended");
		if (cstore_usage_counts(c, a, cp.id, t->user_id, t->checkout_id, &total, &mine, e) != E_OK)
			return e->code;
		if (cp.max_usage_count > 0 && total >= cp.max_usage_count)
			return limit_reached(e, i, "its usage limit is reached");
		if (t->user_id && cp.max_usage_per_user > 0 && mine >= cp.max_usage_per_user)
			return limit_reached(e, i, "it was already used the maximum number of times on this account");
		if (cstore_usage_insert(c, a, t->checkout_id, d, t->user_id, e) != E_OK)
			return e->code;
	}
	return E_OK;
}

static int
by_campaign(const void *x, const void *y, void *base)
{
	const applied_discount *d = base;

	return strcasecmp(d[*(const size_t *)x].campaign_id, d[*(const size_t *)y].campaign_id);
}

ecode
campaign_usage_reserve(arena *a, const char *checkout_id, const char *user_id,
    const applied_discount *applied, size_t n, error *e)
{
	reserve_tx t = { checkout_id, user_id && uuid_valid(user_id) ? user_id : NULL,
	    applied, NULL, 0 };
	db_conn   *c;

	if (!checkout_id || !*checkout_id || strlen(checkout_id) > 128)
		return err_field(e, "checkout_id", "must be 1 to 128 characters");
	if (n == 0)
		return E_OK;
	if (!(t.order = arena_calloc(a, n, sizeof *t.order)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!applied[i].campaign_id || !uuid_valid(applied[i].campaign_id))
			return err_field(e, "coupons", "item %zu has no campaign id", i);
		/* the same campaign twice is one use */
		bool dup = false;

		for (size_t j = 0; j < t.n && !dup; j++)
			dup = strcasecmp(applied[t.order[j]].campaign_id, applied[i].campaign_id) == 0;
		if (!dup)
			t.order[t.n++] = i;
	}
	/* lock order = id order: no deadlock between checkouts */
	qsort_r(t.order, t.n, sizeof *t.order, by_campaign, (void *)applied);
	if (!(c = campaign_db(e)))
		return e->code;
	return db_tx(c, a, reserve_fn, &t, e);
}

typedef struct confirm_tx {
	const char *checkout_id, *order_id;
} confirm_tx;

static ecode
confirm_fn(db_conn *c, arena *a, void *ud, error *e)
{
	confirm_tx  *t = ud;
	PGresult    *r;
	int64_t      released;
	event_origin o = { "campaigns", NULL, NULL, ROLE_PUBLIC };

	if (cstore_usage_confirm(c, a, t->checkout_id, t->order_id, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0) {
		if (cstore_usage_released(c, a, t->checkout_id, &released, e) != E_OK)
			return e->code;
		/* nothing reserved: either already confirmed (idempotent) or no
		 * campaign applied; released uses cannot be confirmed any more */
		if (released > 0) {
			int64_t active;

			if (cstore_usage_active(c, a, t->checkout_id, &active, e) != E_OK)
				return e->code;
			if (active == 0)
				return err_set(e, E_CONFLICT, "the coupon reservation of this checkout was released");
		}
		return E_OK;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		json_object *d = json_object_new_object();

		if (!d)
			return err_set(e, E_INTERNAL, "out of memory");
		json_object_object_add(d, "campaign_id", json_object_new_string(db_val(r, i, 0)));
		json_object_object_add(d, "code", db_val(r, i, 1) ? json_object_new_string(db_val(r, i, 1)) : NULL);
		json_object_object_add(d, "discount_amount", json_object_new_int64(db_i64(r, i, 2)));
		json_object_object_add(d, "user_id", db_val(r, i, 3) ? json_object_new_string(db_val(r, i, 3)) : NULL);
		json_object_object_add(d, "checkout_id", json_object_new_string(t->checkout_id));
		json_object_object_add(d, "order_id", json_object_new_string(t->order_id));
		if (outbox_emit(c, a, cstore_outbox_stmt(), &o, "campaign.coupon_applied", "campaign",
		    db_val(r, i, 0), d, e) != E_OK)
			return e->code;
	}
	return E_OK;
}

ecode
campaign_usage_confirm(arena *a, const char *checkout_id, const char *order_id, error *e)
{
	confirm_tx t = { checkout_id, order_id };
	db_conn   *c;

	if (!checkout_id || !*checkout_id || strlen(checkout_id) > 128)
		return err_field(e, "checkout_id", "must be 1 to 128 characters");
	if (!order_id || !*order_id || strlen(order_id) > 128)
		return err_field(e, "order_id", "must be 1 to 128 characters");
	if (!(c = campaign_db(e)))
		return e->code;
	return db_tx(c, a, confirm_fn, &t, e);
}

ecode
campaign_usage_release(arena *a, const char *checkout_id, error *e)
{
	db_conn *c;

	if (!checkout_id || !*checkout_id || strlen(checkout_id) > 128)
		return err_field(e, "checkout_id", "must be 1 to 128 characters");
	if (!(c = campaign_db(e)))
		return e->code;
	return cstore_usage_release(c, a, checkout_id, e);
}

/* ------------------------------------------------------------ janitor */

static ecode
janitor_fn(db_conn *c, arena *a, void *ud, error *e)
{
	int64_t     *changed = ud, released = 0;
	PGresult    *r;
	event_origin o = { "campaigns", NULL, NULL, ROLE_PUBLIC };

	if (cstore_janitor_flip(c, a, &r, e) != E_OK)
		return e->code;
	for (int i = 0; i < PQntuples(r); i++) {
		json_object *d = json_object_new_object();

		if (!d)
			return err_set(e, E_INTERNAL, "out of memory");
		json_object_object_add(d, "id", json_object_new_string(db_val(r, i, 0)));
		json_object_object_add(d, "status", json_object_new_string(db_val(r, i, 1)));
		if (outbox_emit(c, a, cstore_outbox_stmt(), &o, "campaign.updated", "campaign",
		    db_val(r, i, 0), d, e) != E_OK)
			return e->code;
	}
	if (cstore_janitor_release(c, a, &released, e) != E_OK)
		return e->code;
	*changed = PQntuples(r) + released;
	return E_OK;
}

ecode
campaign_janitor(arena *a, int64_t *changed, error *e)
{
	db_conn *c = campaign_db(e);

	*changed = 0;
	if (!c)
		return e->code;
	return db_tx(c, a, janitor_fn, changed, e);
}
