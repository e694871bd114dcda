/*
 * campaign.h — promotions and coupons (issue 4, api-v1.md §Campaigns).
 *
 * A campaign is one discount rule: percentage (basis points, optional cap),
 * fixed amount, free shipping, or buy X get Y.  It applies automatically
 * (is_automatic, no code) or when its coupon code is entered; codes are
 * case-insensitive and unique, and generated when a coded campaign is
 * created without one.  Which campaigns combine is decided by priority,
 * stackability, exclusion groups and pairwise stacking rules (pricing.c,
 * a pure function, documented there); every candidate left out gets a
 * warning saying why.
 *
 * Usage is counted in a ledger the checkout saga writes: reserve at
 * checkout, confirm with the order, release on failure.  Reserved and
 * confirmed uses both count against max_usage_count and max_usage_per_user,
 * and the check runs under a lock of the campaign row, so a coupon limited
 * to N uses is never used N+1 times.
 *
 * Strings in results live in the caller's arena.  Functions return E_OK or
 * fill e (validation errors keyed by the JSON field name).
 */
#ifndef ECOM_CAMPAIGN_H
#define ECOM_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"

/* ------------------------------------------------------------ the contract */

typedef struct price_line { const char *product_id, *variant_id, *category_id; int64_t unit_price; int64_t quantity; } price_line;
typedef struct price_input {
	const price_line *lines; size_t nlines;
	const char *currency;            /* ISO 4217 */
	int64_t shipping;                /* the shipping estimate before discounts */
	const char *user_id;             /* NULL for guests (per-user limits then checked at checkout) */
	const char *const *codes; size_t ncodes;   /* coupon codes the customer entered, as typed */
} price_input;
/* amount is what the campaign saves the customer: for free_shipping the
 * shipping it removed, for the others the amount taken off the lines. */
typedef struct applied_discount { const char *campaign_id, *code, *name, *type; int64_t amount; bool free_shipping; } applied_discount;
typedef struct price_result {
	int64_t subtotal, discount_total, shipping, total;	/* total = subtotal - discount_total + shipping */
	applied_discount *applied; size_t napplied;
	const char **warnings; size_t nwarnings;
	const char **invalid_codes; size_t ninvalid;
} price_result;

/* Price a basket: automatic campaigns (no code) and the given codes,
 * stacking rules applied.  Never fails for a bad code (it becomes a
 * warning); errors only for the database. */
ecode campaign_price(arena *a, const price_input *in, price_result *out, error *e);
/* Checkout saga: reserve one use per applied campaign for this checkout
 * (atomic, counting reserved and confirmed uses, global and per user);
 * E_CONFLICT with a field "coupons.N" when a limit is reached, and then
 * nothing is reserved.  Idempotent per checkout_id. */
ecode campaign_usage_reserve(arena *a, const char *checkout_id, const char *user_id, const applied_discount *applied, size_t n, error *e);
/* Reserved -> confirmed (emits campaign.coupon_applied); idempotent. */
ecode campaign_usage_confirm(arena *a, const char *checkout_id, const char *order_id, error *e);
/* Reserved -> released; idempotent, a confirmed use stays confirmed. */
ecode campaign_usage_release(arena *a, const char *checkout_id, error *e);
/* Flips scheduled->active->expired on time; releases reservations older
 * than 1 h.  *changed counts campaigns flipped plus uses released. */
ecode campaign_janitor(arena *a, int64_t *changed, error *e);

/* ------------------------------------------------------------ campaigns */

#define CAMPAIGN_MAX_CODES	10	/* codes per basket; more are refused with a warning */
#define CAMPAIGN_MAX_TARGETS	100	/* applicable products, categories */
#define CAMPAIGN_MAX_CANDIDATES	64	/* automatic campaigns considered per basket */

typedef struct campaign {
	const char *id, *name, *description, *type, *status, *currency;
	const char *code;		/* NULL for automatic campaigns */
	const char *exclusion_group;	/* NULL: none */
	bool        is_automatic, is_stackable;
	int64_t     discount_value;	/* bp, minor units, 0, or the "get" quantity */
	int64_t     buy_quantity;	/* buy_x_get_y only */
	int64_t     min_order_amount;
	int64_t     max_discount_amount;	/* 0: no cap */
	int64_t     max_usage_count, max_usage_per_user;	/* 0: unlimited */
	int64_t     priority;
	int64_t     start_date, end_date;	/* Unix seconds */
	int64_t     created_at, updated_at;
	const char **products;   size_t nproducts;
	const char **categories; size_t ncategories;
	/* Uses that count against the limits (reserved + confirmed), in total
	 * and by the basket's user; filled when pricing. */
	int64_t     used_total, used_by_user;
} campaign;

typedef struct stacking_rule {
	const char *id, *campaign_a, *campaign_b;
	bool        allowed;		/* false: forbidden */
	int64_t     created_at;
} stacking_rule;

/* Fields of a create (all required ones present) or a partial update (set
 * only what has_* says).  Built from JSON by campaign_input_from_json. */
typedef struct campaign_input {
	const char *name, *description, *type, *currency, *code, *exclusion_group;
	bool        has_name, has_description, has_type, has_currency, has_code,
	            has_exclusion_group, has_discount_value, has_buy_quantity,
	            has_min_order, has_max_discount, has_max_usage, has_max_per_user,
	            has_stackable, has_priority, has_start, has_end, has_automatic,
	            has_products, has_categories;
	bool        is_automatic, is_stackable;
	int64_t     discount_value, buy_quantity, min_order_amount, max_discount_amount,
	            max_usage_count, max_usage_per_user, priority, start_date, end_date;
	const char **products;   size_t nproducts;
	const char **categories; size_t ncategories;
} campaign_input;

typedef struct campaign_actor {
	const char *user_id, *request_id;
	role        role;
} campaign_actor;

campaign_actor campaign_actor_of(const request *req);

/* Parse a create (create=true: required fields enforced) or update body;
 * every bad field is reported together. */
ecode campaign_input_from_json(arena *a, json_object *o, bool create,
    campaign_input *in, error *e);
ecode campaign_create(arena *a, const campaign_actor *who, const campaign_input *in,
    campaign *out, error *e);
ecode campaign_update(arena *a, const campaign_actor *who, const char *id,
    const campaign_input *in, campaign *out, error *e);
ecode campaign_get(arena *a, const char *id, campaign *out, error *e);
/* status filter NULL = all. */
ecode campaign_list(arena *a, const page *pg, const char *status,
    campaign **out, size_t *n, int64_t *total, error *e);
ecode campaign_deactivate(arena *a, const campaign_actor *who, const char *id,
    campaign *out, error *e);

/* Rules leave as stacking_rule.created|deleted events, who as the actor. */
ecode campaign_rule_add(arena *a, const campaign_actor *who, const char *campaign_id,
    const char *other_id, const char *rule, stacking_rule *out, error *e);
ecode campaign_rule_list(arena *a, const char *campaign_id, stacking_rule **out,
    size_t *n, error *e);
ecode campaign_rule_delete(arena *a, const campaign_actor *who, const char *rule_id, error *e);

/* JSON views (NULL on out of memory).  Codes appear only in the admin view. */
json_object *campaign_to_json(const campaign *c);
json_object *stacking_rule_to_json(const stacking_rule *r);
json_object *price_result_to_json(const price_result *r, const char *currency);

/* ------------------------------------------------------------ pricing */

/*
 * The pure pricing engine (pricing.c): no database, no clock.  camps holds
 * every campaign that may apply: automatic ones are candidates on their own,
 * coded ones only when in->codes names them (case-insensitive).  rules are
 * the stacking rules among them; now is the time the validity windows are
 * checked against.  Fills out (arena-allocated); E_INTERNAL only for out of
 * memory.
 */
ecode pricing_run(arena *a, const price_input *in, const campaign *camps, size_t ncamps,
    const stacking_rule *rules, size_t nrules, int64_t now, price_result *out, error *e);

/* A code as stored: 3..32 of [A-Za-z0-9_-]. */
bool campaign_code_valid(const char *s);

#endif
