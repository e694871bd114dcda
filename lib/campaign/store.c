/*
 * store.c — the campaigns schema's SQL (sql/campaigns/001_init.sql), as
 * constant statements with parameters, and rows -> structs.
 *
 * Times travel as Unix seconds (to_timestamp / extract(epoch)); the
 * applicable products and categories come back as comma-joined uuid lists
 * so one row carries a whole campaign.  Strings point into the PGresult,
 * which db_exec releases at arena reset.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "campaign/internal.h"

#define COLS \
	"c.id, c.name, c.description, c.type, c.status, c.currency, c.code, " \
	"c.exclusion_group, c.is_automatic, c.is_stackable, c.discount_value, " \
	"c.buy_quantity, c.min_order_amount, coalesce(c.max_discount_amount, 0), " \
	"coalesce(c.max_usage_count, 0), coalesce(c.max_usage_per_user, 0), c.priority, " \
	"extract(epoch FROM c.start_date)::bigint, extract(epoch FROM c.end_date)::bigint, " \
	"extract(epoch FROM c.created_at)::bigint, extract(epoch FROM c.updated_at)::bigint, " \
	"(SELECT string_agg(p.product_id::text, ',' ORDER BY p.product_id) FROM campaigns.campaign_products p WHERE p.campaign_id = c.id), " \
	"(SELECT string_agg(k.category_id::text, ',' ORDER BY k.category_id) FROM campaigns.campaign_categories k WHERE k.campaign_id = c.id)"
#define NCOLS 23

/* Uses that count: reserved or confirmed. */
#define USED "(SELECT count(*) FROM campaigns.usage u WHERE u.campaign_id = c.id AND u.status <> 'released'"

static db_stmt get_stmt = DB_STMT("campaigns_get",
    "SELECT " COLS ", " USED ") FROM campaigns.campaigns c WHERE c.id = $1::uuid", 1);
static db_stmt get_lock_stmt = DB_STMT("campaigns_get_lock",
    "SELECT " COLS " FROM campaigns.campaigns c WHERE c.id = $1::uuid FOR UPDATE", 1);
static db_stmt list_stmt = DB_STMT("campaigns_list",
    "SELECT " COLS ", " USED ") FROM campaigns.campaigns c WHERE ($1::text IS NULL OR c.status = $1) "
    "ORDER BY c.created_at DESC, c.id LIMIT $2::bigint OFFSET $3::bigint", 3);
static db_stmt count_stmt = DB_STMT("campaigns_count",
    "SELECT count(*) FROM campaigns.campaigns c WHERE ($1::text IS NULL OR c.status = $1)", 1);
/* Automatic campaigns are taken by their window as well as their status,
 * so pricing is right even before the janitor has run. */
static db_stmt pricing_stmt = DB_STMT("campaigns_pricing_load",
    "SELECT " COLS ", " USED "), " USED " AND u.user_id = $2::uuid) "
    "FROM campaigns.campaigns c "
    "WHERE (c.is_automatic AND c.status IN ('scheduled', 'active') "
    "       AND c.start_date <= now() AND c.end_date > now()) "
    "   OR (NOT c.is_automatic AND lower(c.code) = ANY ($1::text[])) "
    "ORDER BY c.is_automatic DESC, c.priority DESC, c.id LIMIT 100", 2);
static db_stmt rules_among_stmt = DB_STMT("campaigns_rules_among",
    "SELECT id, campaign_a, campaign_b, rule, extract(epoch FROM created_at)::bigint "
    "FROM campaigns.stacking_rules WHERE campaign_a = ANY ($1::uuid[]) AND campaign_b = ANY ($1::uuid[])", 1);

/* Status follows the window, except that an admin's deactivation
 * ($5 = 'inactive') survives any later edit. */
#define STATUS_NOW \
	"CASE WHEN now() < to_timestamp($18::bigint) THEN 'scheduled' " \
	"WHEN now() >= to_timestamp($19::bigint) THEN 'expired' ELSE 'active' END"
static db_stmt insert_stmt = DB_STMT("campaigns_insert",
    "INSERT INTO campaigns.campaigns (id, name, description, type, status, discount_value, "
    "buy_quantity, currency, min_order_amount, max_discount_amount, code, is_automatic, "
    "max_usage_count, max_usage_per_user, is_stackable, priority, exclusion_group, start_date, end_date) "
    "VALUES ($1::uuid, $2, $3, $4, CASE WHEN $5::text = 'inactive' THEN 'inactive' ELSE " STATUS_NOW " END, $6::bigint, $7::int, $8, $9::bigint, "
    "nullif($10::bigint, 0), $11, $12::boolean, nullif($13::int, 0), nullif($14::int, 0), "
    "$15::boolean, $16::int, $17, to_timestamp($18::bigint), to_timestamp($19::bigint))", 19);
static db_stmt update_stmt = DB_STMT("campaigns_update",
    "UPDATE campaigns.campaigns SET name = $2, description = $3, type = $4, "
    "status = CASE WHEN $5::text = 'inactive' THEN 'inactive' ELSE " STATUS_NOW " END, "
    "discount_value = $6::bigint, buy_quantity = $7::int, currency = $8, min_order_amount = $9::bigint, "
    "max_discount_amount = nullif($10::bigint, 0), code = $11, is_automatic = $12::boolean, "
    "max_usage_count = nullif($13::int, 0), max_usage_per_user = nullif($14::int, 0), "
    "is_stackable = $15::boolean, priority = $16::int, exclusion_group = $17, "
    "start_date = to_timestamp($18::bigint), end_date = to_timestamp($19::bigint), updated_at = now() "
    "WHERE id = $1::uuid", 19);
static db_stmt del_products_stmt = DB_STMT("campaigns_del_products",
    "DELETE FROM campaigns.campaign_products WHERE campaign_id = $1::uuid", 1);
static db_stmt del_categories_stmt = DB_STMT("campaigns_del_categories",
    "DELETE FROM campaigns.campaign_categories WHERE campaign_id = $1::uuid", 1);
static db_stmt add_products_stmt = DB_STMT("campaigns_add_products",
    "INSERT INTO campaigns.campaign_products (campaign_id, product_id) "
    "SELECT $1::uuid, unnest($2::uuid[]) ON CONFLICT DO NOTHING", 2);
static db_stmt add_categories_stmt = DB_STMT("campaigns_add_categories",
    "INSERT INTO campaigns.campaign_categories (campaign_id, category_id) "
    "SELECT $1::uuid, unnest($2::uuid[]) ON CONFLICT DO NOTHING", 2);
static db_stmt deactivate_stmt = DB_STMT("campaigns_deactivate",
    "UPDATE campaigns.campaigns SET status = 'inactive', updated_at = now() WHERE id = $1::uuid", 1);

static db_stmt rule_insert_stmt = DB_STMT("campaigns_rule_insert",
    "INSERT INTO campaigns.stacking_rules (id, campaign_a, campaign_b, rule) "
    "VALUES ($1::uuid, $2::uuid, $3::uuid, $4)", 4);
static db_stmt rule_list_stmt = DB_STMT("campaigns_rule_list",
    "SELECT id, campaign_a, campaign_b, rule, extract(epoch FROM created_at)::bigint "
    "FROM campaigns.stacking_rules WHERE campaign_a = $1::uuid OR campaign_b = $1::uuid "
    "ORDER BY created_at, id", 1);
static db_stmt rule_delete_stmt = DB_STMT("campaigns_rule_delete",
    "DELETE FROM campaigns.stacking_rules WHERE id = $1::uuid"
    " RETURNING id, campaign_a, campaign_b, rule, extract(epoch FROM created_at)::bigint", 1);

static db_stmt usage_active_stmt = DB_STMT("campaigns_usage_active",
    "SELECT count(*) FROM campaigns.usage WHERE checkout_id = $1 AND status <> 'released'", 1);
static db_stmt usage_counts_stmt = DB_STMT("campaigns_usage_counts",
    "SELECT count(*), count(*) FILTER (WHERE user_id = $2::uuid) FROM campaigns.usage "
    "WHERE campaign_id = $1::uuid AND status <> 'released' AND checkout_id <> $3", 3);
static db_stmt usage_insert_stmt = DB_STMT("campaigns_usage_insert",
    "INSERT INTO campaigns.usage (checkout_id, campaign_id, user_id, code, amount, status) "
    "VALUES ($1, $2::uuid, $3::uuid, $4, $5::bigint, 'reserved') "
    "ON CONFLICT (checkout_id, campaign_id) DO UPDATE SET status = 'reserved', "
    "user_id = EXCLUDED.user_id, code = EXCLUDED.code, amount = EXCLUDED.amount, "
    "created_at = now(), updated_at = now() WHERE usage.status = 'released'", 5);
static db_stmt usage_confirm_stmt = DB_STMT("campaigns_usage_confirm",
    "UPDATE campaigns.usage SET status = 'confirmed', order_id = $2, updated_at = now() "
    "WHERE checkout_id = $1 AND status = 'reserved' RETURNING campaign_id, code, amount, user_id", 2);
static db_stmt usage_released_stmt = DB_STMT("campaigns_usage_released",
    "SELECT count(*) FROM campaigns.usage WHERE checkout_id = $1 AND status = 'released'", 1);
static db_stmt usage_release_stmt = DB_STMT("campaigns_usage_release",
    "UPDATE campaigns.usage SET status = 'released', updated_at = now() "
    "WHERE checkout_id = $1 AND status = 'reserved'", 1);

#define STATUS_BY_DATE \
	"CASE WHEN now() >= end_date THEN 'expired' WHEN now() >= start_date THEN 'active' ELSE 'scheduled' END"
static db_stmt janitor_flip_stmt = DB_STMT("campaigns_janitor_flip",
    "UPDATE campaigns.campaigns SET status = " STATUS_BY_DATE ", updated_at = now() "
    "WHERE status IN ('scheduled', 'active') AND status <> " STATUS_BY_DATE " RETURNING id, status", 0);
static db_stmt janitor_release_stmt = DB_STMT("campaigns_janitor_release",
    "UPDATE campaigns.usage SET status = 'released', updated_at = now() "
    "WHERE status = 'reserved' AND created_at < now() - interval '1 hour'", 0);

static db_stmt outbox_stmt = DB_STMT("campaigns_outbox_insert",
    "INSERT INTO campaigns.outbox (id, event_type, aggregate_type, aggregate_id, payload) "
    "VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

db_stmt *
cstore_outbox_stmt(void)
{
	return &outbox_stmt;
}

char *
cstore_array_lit(arena *a, const char *const *v, size_t n, bool lower)
{
	size_t len = 3;
	char  *s, *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	if (!(s = p = arena_alloc(a, len)))
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		for (const char *q = v[i]; *q; q++)
			*p++ = lower ? (char)tolower((unsigned char)*q) : *q;
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

/* "a,b,c" -> array of strings in the arena (NULL text -> empty). */
static int
split_ids(arena *a, const char *text, const char ***out, size_t *n)
{
	size_t cap = 1;
	char  *s, *tok, *save = NULL;

	*out = NULL;
	*n = 0;
	if (!text || !*text)
		return 0;
	for (const char *p = text; *p; p++)
		cap += *p == ',';
	if (!(s = arena_strdup(a, text)) || !(*out = arena_calloc(a, cap, sizeof **out)))
		return -1;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		(*out)[(*n)++] = tok;
	return 0;
}

static int
row_campaign(arena *a, const PGresult *r, int i, campaign *c)
{
	memset(c, 0, sizeof *c);
	c->id = db_val(r, i, 0);
	c->name = db_val(r, i, 1);
	c->description = db_val(r, i, 2);
	c->type = db_val(r, i, 3);
	c->status = db_val(r, i, 4);
	c->currency = db_val(r, i, 5);
	c->code = db_val(r, i, 6);
	c->exclusion_group = db_val(r, i, 7);
	c->is_automatic = db_bool(r, i, 8);
	c->is_stackable = db_bool(r, i, 9);
	c->discount_value = db_i64(r, i, 10);
	c->buy_quantity = db_i64(r, i, 11);
	c->min_order_amount = db_i64(r, i, 12);
	c->max_discount_amount = db_i64(r, i, 13);
	c->max_usage_count = db_i64(r, i, 14);
	c->max_usage_per_user = db_i64(r, i, 15);
	c->priority = db_i64(r, i, 16);
	c->start_date = db_i64(r, i, 17);
	c->end_date = db_i64(r, i, 18);
	c->created_at = db_i64(r, i, 19);
	c->updated_at = db_i64(r, i, 20);
	if (PQnfields(r) > NCOLS)
		c->used_total = db_i64(r, i, NCOLS);
	if (PQnfields(r) > NCOLS + 1)
		c->used_by_user = db_i64(r, i, NCOLS + 1);
	return split_ids(a, db_val(r, i, 21), &c->products, &c->nproducts) ||
	    split_ids(a, db_val(r, i, 22), &c->categories, &c->ncategories) ? -1 : 0;
}

static ecode
rows_campaigns(arena *a, const PGresult *r, campaign **out, size_t *n, error *e)
{
	int rows = PQntuples(r);

	*n = 0;
	if (!(*out = arena_calloc(a, (size_t)rows + 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		if (row_campaign(a, r, i, &(*out)[(*n)++]) != 0)
			return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

ecode
cstore_campaign_get(db_conn *c, arena *a, const char *id, bool for_update,
    campaign *out, error *e)
{
	const char *p[1] = { id };
	PGresult   *r = db_exec(c, a, for_update ? &get_lock_stmt : &get_stmt, p, e);

	if (!r)
		return e->code;
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "campaign not found");
	return row_campaign(a, r, 0, out) ? err_set(e, E_INTERNAL, "out of memory") : E_OK;
}

ecode
cstore_campaign_list(db_conn *c, arena *a, const page *pg, const char *status,
    campaign **out, size_t *n, int64_t *total, error *e)
{
	const char *p[3] = { status, arena_printf(a, "%lld", (long long)pg->per_page),
	    arena_printf(a, "%lld", (long long)pg->offset) };
	PGresult   *r;

	if (!p[1] || !p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &count_stmt, p, e)))
		return e->code;
	*total = db_i64(r, 0, 0);
	if (!(r = db_exec(c, a, &list_stmt, p, e)))
		return e->code;
	return rows_campaigns(a, r, out, n, e);
}

ecode
cstore_pricing_load(db_conn *c, arena *a, const char *codes_lit, const char *user_id,
    campaign **out, size_t *n, error *e)
{
	const char *p[2] = { codes_lit, user_id };
	PGresult   *r = db_exec(c, a, &pricing_stmt, p, e);

	return r ? rows_campaigns(a, r, out, n, e) : e->code;
}

static ecode
rows_rules(arena *a, const PGresult *r, stacking_rule **out, size_t *n, error *e)
{
	int rows = PQntuples(r);

	*n = 0;
	if (!(*out = arena_calloc(a, (size_t)rows + 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*out)[(*n)++] = (stacking_rule){ db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2),
		    strcmp(db_val(r, i, 3), "allowed") == 0, db_i64(r, i, 4) };
	return E_OK;
}

ecode
cstore_rules_among(db_conn *c, arena *a, const char *ids_lit,
    stacking_rule **out, size_t *n, error *e)
{
	const char *p[1] = { ids_lit };
	PGresult   *r = db_exec(c, a, &rules_among_stmt, p, e);

	return r ? rows_rules(a, r, out, n, e) : e->code;
}

static ecode
write_campaign(db_conn *c, arena *a, db_stmt *st, const campaign *cp, error *e)
{
	const char *p[19];

#define I64(v) arena_printf(a, "%lld", (long long)(v))
	p[0] = cp->id; p[1] = cp->name; p[2] = cp->description ? cp->description : "";
	p[3] = cp->type; p[4] = cp->status ? cp->status : "active";
	p[5] = I64(cp->discount_value); p[6] = I64(cp->buy_quantity); p[7] = cp->currency;
	p[8] = I64(cp->min_order_amount); p[9] = I64(cp->max_discount_amount);
	p[10] = cp->is_automatic ? NULL : cp->code; p[11] = cp->is_automatic ? "true" : "false";
	p[12] = I64(cp->max_usage_count); p[13] = I64(cp->max_usage_per_user);
	p[14] = cp->is_stackable ? "true" : "false"; p[15] = I64(cp->priority);
	p[16] = cp->exclusion_group; p[17] = I64(cp->start_date); p[18] = I64(cp->end_date);
#undef I64
	for (int i = 5; i < 19; i++)
		if (!p[i] && i != 10 && i != 16)
			return err_set(e, E_INTERNAL, "out of memory");
	return db_exec(c, a, st, p, e) ? E_OK : e->code;
}

ecode
cstore_campaign_insert(db_conn *c, arena *a, const campaign *cp, error *e)
{
	return write_campaign(c, a, &insert_stmt, cp, e);
}

ecode
cstore_campaign_update(db_conn *c, arena *a, const campaign *cp, error *e)
{
	return write_campaign(c, a, &update_stmt, cp, e);
}

ecode
cstore_campaign_targets(db_conn *c, arena *a, const campaign *cp, error *e)
{
	const char *p[2] = { cp->id, NULL };

	if (!db_exec(c, a, &del_products_stmt, p, e) || !db_exec(c, a, &del_categories_stmt, p, e))
		return e->code;
	if (cp->nproducts) {
		if (!(p[1] = cstore_array_lit(a, cp->products, cp->nproducts, true)))
			return err_set(e, E_INTERNAL, "out of memory");
		if (!db_exec(c, a, &add_products_stmt, p, e))
			return e->code;
	}
	if (cp->ncategories) {
		if (!(p[1] = cstore_array_lit(a, cp->categories, cp->ncategories, true)))
			return err_set(e, E_INTERNAL, "out of memory");
		if (!db_exec(c, a, &add_categories_stmt, p, e))
			return e->code;
	}
	return E_OK;
}

ecode
cstore_campaign_deactivate(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };

	return db_exec(c, a, &deactivate_stmt, p, e) ? E_OK : e->code;
}

ecode
cstore_rule_insert(db_conn *c, arena *a, const stacking_rule *r, error *e)
{
	const char *p[4] = { r->id, r->campaign_a, r->campaign_b, r->allowed ? "allowed" : "forbidden" };

	return db_exec(c, a, &rule_insert_stmt, p, e) ? E_OK : e->code;
}

ecode
cstore_rule_list(db_conn *c, arena *a, const char *campaign_id,
    stacking_rule **out, size_t *n, error *e)
{
	const char *p[1] = { campaign_id };
	PGresult   *r = db_exec(c, a, &rule_list_stmt, p, e);

	return r ? rows_rules(a, r, out, n, e) : e->code;
}

ecode
cstore_rule_delete(db_conn *c, arena *a, const char *id, stacking_rule *out, error *e)
{
	const char *p[1] = { id };
	PGresult   *r = db_exec(c, a, &rule_delete_stmt, p, e);
	stacking_rule *rows;
	size_t n;

	if (!r)
		return e->code;
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "stacking rule not found");
	if (rows_rules(a, r, &rows, &n, e) != E_OK)
		return e->code;
	*out = rows[0];
	return E_OK;
}

static ecode
count1(db_conn *c, arena *a, db_stmt *st, const char *arg, int64_t *n, error *e)
{
	const char *p[1] = { arg };
	PGresult   *r = db_exec(c, a, st, p, e);

	if (!r)
		return e->code;
	*n = db_i64(r, 0, 0);
	return E_OK;
}

ecode
cstore_usage_active(db_conn *c, arena *a, const char *checkout_id, int64_t *n, error *e)
{
	return count1(c, a, &usage_active_stmt, checkout_id, n, e);
}

ecode
cstore_usage_released(db_conn *c, arena *a, const char *checkout_id, int64_t *n, error *e)
{
	return count1(c, a, &usage_released_stmt, checkout_id, n, e);
}

ecode
cstore_usage_counts(db_conn *c, arena *a, const char *campaign_id,
    const char *user_id, const char *checkout_id, int64_t *total, int64_t *by_user, error *e)
{
	const char *p[3] = { campaign_id, user_id, checkout_id };
	PGresult   *r = db_exec(c, a, &usage_counts_stmt, p, e);

	if (!r)
		return e->code;
	*total = db_i64(r, 0, 0);
	*by_user = db_i64(r, 0, 1);
	return E_OK;
}

ecode
cstore_usage_insert(db_conn *c, arena *a, const char *checkout_id,
    const applied_discount *d, const char *user_id, error *e)
{
	const char *p[5] = { checkout_id, d->campaign_id, user_id, d->code,
	    arena_printf(a, "%lld", (long long)d->amount) };

	if (!p[4])
		return err_set(e, E_INTERNAL, "out of memory");
	return db_exec(c, a, &usage_insert_stmt, p, e) ? E_OK : e->code;
}

ecode
cstore_usage_confirm(db_conn *c, arena *a, const char *checkout_id,
    const char *order_id, PGresult **rows, error *e)
{
	const char *p[2] = { checkout_id, order_id };

	return (*rows = db_exec(c, a, &usage_confirm_stmt, p, e)) ? E_OK : e->code;
}

ecode
cstore_usage_release(db_conn *c, arena *a, const char *checkout_id, error *e)
{
	const char *p[1] = { checkout_id };

	return db_exec(c, a, &usage_release_stmt, p, e) ? E_OK : e->code;
}

ecode
cstore_janitor_flip(db_conn *c, arena *a, PGresult **rows, error *e)
{
	return (*rows = db_exec(c, a, &janitor_flip_stmt, NULL, e)) ? E_OK : e->code;
}

ecode
cstore_janitor_release(db_conn *c, arena *a, int64_t *n, error *e)
{
	PGresult *r = db_exec(c, a, &janitor_release_stmt, NULL, e);
	int64_t   v = 0;

	if (!r)
		return e->code;
	if (parse_i64(PQcmdTuples(r), 0, INT64_MAX, &v) != 0)
		v = 0;
	*n = v;
	return E_OK;
}
