/*
 * pricing.c — the pricing engine: which campaigns apply to a basket and
 * how much each takes off.  A pure function of its arguments (no database,
 * no clock), so t/unit/check_pricing.c can table-test every rule.
 *
 * Amounts.  Money is int64 minor units.  A percentage is in basis points of
 * the eligible lines; the division rounds half up, so a half minor unit of
 * discount goes to the customer (1000 bp of 1005 = 100.5 -> 101).  A cap
 * (max_discount_amount) then limits any type but free shipping, and no
 * discount exceeds what is left of the lines it applies to.  Free shipping
 * removes the shipping line and saves that much.  buy_x_get_y (buy_quantity
 * X, discount_value Y) makes Y of every X+Y qualifying units free, always
 * the cheapest ones.  A campaign with applicable products or categories
 * discounts only the lines whose product, or whose own category, is listed
 * (a parent category does not cover its children); min_order_amount is
 * compared with the whole basket's subtotal before any discount.
 *
 * Decision.  Candidates are the automatic campaigns that apply plus the
 * entered codes that do.  They are ordered by priority (high first), then
 * by what each alone would save, then by id.  Two candidates combine unless
 * a 'forbidden' rule names the pair, they share an exclusion group, or
 * either is not stackable; an 'allowed' rule overrides the last two.  Each
 * candidate in turn seeds a combination that takes every later-or-earlier
 * candidate, in that order, compatible with all already taken; a
 * non-stackable seed therefore stands alone (with only its 'allowed'
 * partners).  The combination that saves the customer most wins; on a tie,
 * the one seeded by the higher-priority candidate.  Within a combination
 * the campaigns apply one after another in priority order, each on what
 * the previous ones left, so stacked discounts never exceed the basket.
 * Every candidate left out gets a warning naming the one it clashed with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "campaign/campaign.h"

#define MAX_UNIT_PRICE	1000000000000LL	/* 10^10 major units: far beyond any shop */
#define MAX_QUANTITY	1000000LL

typedef struct cand {
	const campaign *c;
	const char     *label;		/* "coupon WELCOME10" / "campaign \"Spring\"" */
	int64_t         solo;		/* what it saves alone */
} cand;

typedef struct engine {
	arena              *a;
	const price_input  *in;
	const stacking_rule *rules; size_t nrules;
	int64_t            *line_total;	/* unit_price * quantity */
	int64_t            *rem;	/* what is left of each line */
	int64_t            *w;		/* scratch weights */
	size_t             *order;	/* scratch line order */
	int64_t             ship_rem;
	price_result       *out;
	size_t              warn_cap;
} engine;

bool
campaign_code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 3 && n <= 32 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int
warn(engine *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
warn(engine *g, const char *fmt, ...)
{
	va_list ap;
	char   *s;

	va_start(ap, fmt);
	s = arena_vprintf(g->a, fmt, ap);
	va_end(ap);
	if (!s || g->out->nwarnings >= g->warn_cap)
		return s ? 0 : -1;
	g->out->warnings[g->out->nwarnings++] = s;
	return 0;
}

static bool
list_has(const char *const *list, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++)
		if (strcasecmp(list[i], id) == 0)
			return true;
	return false;
}

static bool
line_matches(const campaign *c, const price_line *l)
{
	if (c->nproducts == 0 && c->ncategories == 0)
		return true;
	return list_has(c->products, c->nproducts, l->product_id) ||
	    list_has(c->categories, c->ncategories, l->category_id);
}

/* Take d off the lines in proportion to w (each w[i] <= rem[i], sum >= d):
 * floors first, then the few leftover units one by one, so the shares add
 * up to d exactly and no line goes below zero. */
static void
distribute(engine *g, int64_t d)
{
	size_t   n = g->in->nlines;
	int64_t  total = 0, given = 0;

	for (size_t i = 0; i < n; i++)
		total += g->w[i];
	if (total <= 0 || d <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		int64_t s = (int64_t)((__int128)d * g->w[i] / total);

		g->rem[i] -= s;
		g->w[i] -= s;
		given += s;
	}
	for (size_t i = 0; i < n && given < d; i++)
		while (given < d && g->w[i] > 0) {
			g->rem[i]--;
			g->w[i]--;
			given++;
		}
}

/* Sum of what is left of c's lines, with w set to it. */
static int64_t
eligible_base(engine *g, const campaign *c)
{
	int64_t base = 0;

	for (size_t i = 0; i < g->in->nlines; i++) {
		g->w[i] = line_matches(c, &g->in->lines[i]) ? g->rem[i] : 0;
		base += g->w[i];
	}
	return base;
}

static int64_t
qualifying_units(const engine *g, const campaign *c)
{
	int64_t u = 0;

	for (size_t i = 0; i < g->in->nlines; i++)
		if (line_matches(c, &g->in->lines[i]))
			u += g->in->lines[i].quantity;
	return u;
}

/* buy_x_get_y: weights = the value of the cheapest free units per line. */
static int64_t
free_units_value(engine *g, const campaign *c)
{
	size_t  n = g->in->nlines, m = 0;
	int64_t units = qualifying_units(g, c), group = c->buy_quantity + c->discount_value;
	int64_t left, sum = 0;

	if (group <= 0)
		return 0;
	left = units / group * c->discount_value;
	for (size_t i = 0; i < n; i++) {
		g->w[i] = 0;
		if (line_matches(c, &g->in->lines[i]))
			g->order[m++] = i;
	}
	/* insertion sort by unit value rem/q, cheapest first (cross-multiplied) */
	for (size_t i = 1; i < m; i++)
		for (size_t j = i; j > 0; j--) {
			size_t x = g->order[j - 1], y = g->order[j];

			if ((__int128)g->rem[x] * g->in->lines[y].quantity <=
			    (__int128)g->rem[y] * g->in->lines[x].quantity)
				break;
			g->order[j - 1] = y;
			g->order[j] = x;
		}
	for (size_t k = 0; k < m && left > 0; k++) {
		size_t  i = g->order[k];
		int64_t q = g->in->lines[i].quantity, take = left < q ? left : q;

		g->w[i] = (int64_t)((__int128)g->rem[i] * take / q);
		sum += g->w[i];
		left -= take;
	}
	return sum;
}

/* Apply c to what is left; returns what it saved. */
static int64_t
apply(engine *g, const campaign *c)
{
	int64_t d = 0, base;

	if (strcmp(c->type, "free_shipping") == 0) {
		d = g->ship_rem;
		g->ship_rem = 0;
		return d;
	}
	if (strcmp(c->type, "buy_x_get_y") == 0) {
		base = d = free_units_value(g, c);
	} else {
		base = eligible_base(g, c);
		if (strcmp(c->type, "percentage") == 0)
			d = (int64_t)(((__int128)base * c->discount_value + 5000) / 10000);
		else
			d = c->discount_value;
	}
	if (c->max_discount_amount > 0 && d > c->max_discount_amount)
		d = c->max_discount_amount;
	if (d > base)
		d = base;
	distribute(g, d);
	return d;
}

static void
reset_lines(engine *g)
{
	memcpy(g->rem, g->line_total, g->in->nlines * sizeof *g->rem);
	g->ship_rem = g->in->shipping;
}

/* Why c cannot apply to this basket, or NULL. */
static const char *
ineligible(engine *g, const campaign *c, const char *label, int64_t now, int64_t subtotal)
{
	arena *a = g->a;

	if (strcmp(c->status, "inactive") == 0)
		return arena_printf(a, "%s is not active", label);
	if (strcmp(c->status, "expired") == 0 || now >= c->end_date)
		return arena_printf(a, "%s has expired", label);
	if (now < c->start_date) {
		char t[21];

		time_rfc3339(c->start_date, t);
		return arena_printf(a, "%s is not valid until %s", label, t);
	}
	if (!g->in->currency || strcasecmp(c->currency, g->in->currency) != 0)
		return arena_printf(a, "%s applies only to %s baskets", label, c->currency);
	if (c->max_usage_count > 0 && c->used_total >= c->max_usage_count)
		return arena_printf(a, "%s has reached its usage limit", label);
	if (g->in->user_id && c->max_usage_per_user > 0 && c->used_by_user >= c->max_usage_per_user)
		return arena_printf(a, "%s has already been used the maximum number of times on this account", label);
	if (subtotal < c->min_order_amount) {
		char *m = money_format_a(a, c->min_order_amount, c->currency);

		return arena_printf(a, "%s needs a minimum order of %s", label, m ? m : "more");
	}
	if (strcmp(c->type, "free_shipping") == 0)
		return NULL;
	if (eligible_base(g, c) == 0)
		return arena_printf(a, "%s does not apply to any item in the basket", label);
	if (strcmp(c->type, "buy_x_get_y") == 0 &&
	    qualifying_units(g, c) < c->buy_quantity + c->discount_value)
		return arena_printf(a, "%s needs at least %lld qualifying items", label,
		    (long long)(c->buy_quantity + c->discount_value));
	return NULL;
}

/* 0 = compatible, else 'F' forbidden pair, 'G' same group, 'S' not stackable. */
static int
clash(const engine *g, const campaign *x, const campaign *y)
{
	for (size_t i = 0; i < g->nrules; i++) {
		const stacking_rule *r = &g->rules[i];

		if ((strcasecmp(r->campaign_a, x->id) == 0 && strcasecmp(r->campaign_b, y->id) == 0) ||
		    (strcasecmp(r->campaign_a, y->id) == 0 && strcasecmp(r->campaign_b, x->id) == 0))
			return r->allowed ? 0 : 'F';
	}
	if (x->exclusion_group && y->exclusion_group &&
	    strcmp(x->exclusion_group, y->exclusion_group) == 0)
		return 'G';
	if (!x->is_stackable || !y->is_stackable)
		return 'S';
	return 0;
}

static int
cand_cmp(const void *pa, const void *pb)
{
	const cand *x = pa, *y = pb;

	if (x->c->priority != y->c->priority)
		return x->c->priority > y->c->priority ? -1 : 1;
	if (x->solo != y->solo)
		return x->solo > y->solo ? -1 : 1;
	return strcmp(x->c->id, y->c->id);
}

/* The combination seeded by cands[seed]: in[] marks members; returns what
 * it saves, with amounts[] per candidate. */
static int64_t
combine(engine *g, const cand *cs, size_t n, size_t seed, bool *in, int64_t *amounts)
{
	int64_t total = 0;

	memset(in, 0, n * sizeof *in);
	in[seed] = true;
	for (size_t j = 0; j < n; j++) {
		bool ok = !in[j];

		for (size_t k = 0; ok && k < n; k++)
			if (in[k] && clash(g, cs[j].c, cs[k].c))
				ok = false;
		if (ok)
			in[j] = true;
	}
	reset_lines(g);
	for (size_t j = 0; j < n; j++) {
		amounts[j] = in[j] ? apply(g, cs[j].c) : 0;
		total += amounts[j];
	}
	return total;
}

static const char *
label_of(arena *a, const campaign *c)
{
	return c->code ? arena_printf(a, "coupon %s", c->code)
	    : arena_printf(a, "campaign \"%s\"", c->name);
}

/* The warning for a candidate left out of the chosen combination. */
static int
explain_drop(engine *g, const cand *cs, size_t n, const bool *in, size_t d)
{
	for (size_t k = 0; k < n; k++) {
		int why;

		if (!in[k] || !(why = clash(g, cs[d].c, cs[k].c)))
			continue;
		if (why == 'F')
			return warn(g, "%s was not combined with %s (a stacking rule forbids the pair)",
			    cs[d].label, cs[k].label);
		if (why == 'G')
			return warn(g, "%s was not combined with %s (same exclusion group \"%s\")",
			    cs[d].label, cs[k].label, cs[d].c->exclusion_group);
		return warn(g, "%s was not combined with %s (%s cannot be combined with other offers; the better discount was kept)",
		    cs[d].label, cs[k].label, cs[d].c->is_stackable ? cs[k].label : cs[d].label);
	}
	return warn(g, "%s gives no further discount on this basket", cs[d].label);
}

static ecode
oom(error *e)
{
	return err_set(e, E_INTERNAL, "out of memory");
}

static ecode
setup_lines(engine *g, int64_t *subtotal, error *e)
{
	size_t n = g->in->nlines;

	*subtotal = 0;
	g->line_total = arena_calloc(g->a, n + 1, sizeof *g->line_total);
	g->rem = arena_calloc(g->a, n + 1, sizeof *g->rem);
	g->w = arena_calloc(g->a, n + 1, sizeof *g->w);
	g->order = arena_calloc(g->a, n + 1, sizeof *g->order);
	if (!g->line_total || !g->rem || !g->w || !g->order)
		return oom(e);
	for (size_t i = 0; i < n; i++) {
		const price_line *l = &g->in->lines[i];

		if (l->unit_price < 0 || l->unit_price > MAX_UNIT_PRICE ||
		    l->quantity < 1 || l->quantity > MAX_QUANTITY)
			return err_field(e, "items", "line %zu: price or quantity out of range", i);
		g->line_total[i] = l->unit_price * l->quantity;
		if (__builtin_add_overflow(*subtotal, g->line_total[i], subtotal))
			return err_set(e, E_INVALID_INPUT, "the basket total is too large");
	}
	if (g->in->shipping < 0 || g->in->shipping > MAX_UNIT_PRICE)
		return err_field(e, "shipping", "out of range");
	return E_OK;
}

/* Collect candidates: eligible automatic campaigns and entered codes. */
static ecode
collect(engine *g, const campaign *camps, size_t ncamps, int64_t now,
    int64_t subtotal, cand *cs, size_t *ncs, error *e)
{
	const price_input *in = g->in;
	price_result      *out = g->out;
	size_t             n = 0;

	for (size_t i = 0; i < ncamps; i++) {
		const char *label;

		if (!camps[i].is_automatic || n >= CAMPAIGN_MAX_CANDIDATES)
			continue;
		if (!(label = label_of(g->a, &camps[i])))
			return oom(e);
		if (!ineligible(g, &camps[i], label, now, subtotal))
			cs[n++] = (cand){ &camps[i], label, 0 };
	}
	for (size_t k = 0; k < in->ncodes; k++) {
		const char     *code = in->codes[k], *why, *label = NULL;
		const campaign *c = NULL;
		bool            dup = false;

		if (!code)
			continue;
		for (size_t j = 0; j < k && !dup; j++)
			dup = in->codes[j] && strcasecmp(in->codes[j], code) == 0;
		if (dup) {
			if (warn(g, "coupon %s was entered more than once", code))
				return oom(e);
			continue;
		}
		if (k >= CAMPAIGN_MAX_CODES) {
			why = arena_printf(g->a, "coupon %s was ignored: at most %d codes per order",
			    code, CAMPAIGN_MAX_CODES);
		} else {
			for (size_t i = 0; i < ncamps && !c; i++)
				if (!camps[i].is_automatic && camps[i].code &&
				    strcasecmp(camps[i].code, code) == 0)
					c = &camps[i];
			if (!c)
				why = arena_printf(g->a, "coupon %s does not exist", code);
			else if (!(label = label_of(g->a, c)))
				return oom(e);
			else
				why = ineligible(g, c, label, now, subtotal);
		}
		if (!why && n < CAMPAIGN_MAX_CANDIDATES + CAMPAIGN_MAX_CODES) {
			cs[n++] = (cand){ c, label, 0 };
			continue;
		}
		if (!why || warn(g, "%s", why))
			return oom(e);
		out->invalid_codes[out->ninvalid++] = code;
	}
	*ncs = n;
	return E_OK;
}

ecode
pricing_run(arena *a, const price_input *in, const campaign *camps, size_t ncamps,
    const stacking_rule *rules, size_t nrules, int64_t now, price_result *out, error *e)
{
	engine  g = { a, in, rules, nrules, NULL, NULL, NULL, NULL, 0, out, 0 };
	cand   *cs;
	size_t  ncs = 0;
	bool    ship_applied = false;
	bool   *in_set, *best_in;
	int64_t *amounts, *best_amounts, best_total = -1, subtotal;

	memset(out, 0, sizeof *out);
	if (setup_lines(&g, &subtotal, e) != E_OK)
		return e->code;
	g.warn_cap = ncamps + in->ncodes + 4;
	cs = arena_calloc(a, CAMPAIGN_MAX_CANDIDATES + CAMPAIGN_MAX_CODES, sizeof *cs);
	out->warnings = arena_calloc(a, g.warn_cap, sizeof *out->warnings);
	out->invalid_codes = arena_calloc(a, in->ncodes + 1, sizeof *out->invalid_codes);
	if (!cs || !out->warnings || !out->invalid_codes)
		return oom(e);
	reset_lines(&g);
	if (collect(&g, camps, ncamps, now, subtotal, cs, &ncs, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < ncs; i++) {
		reset_lines(&g);
		cs[i].solo = apply(&g, cs[i].c);
	}
	qsort(cs, ncs, sizeof *cs, cand_cmp);
	in_set = arena_calloc(a, ncs + 1, sizeof *in_set);
	best_in = arena_calloc(a, ncs + 1, sizeof *best_in);
	amounts = arena_calloc(a, ncs + 1, sizeof *amounts);
	best_amounts = arena_calloc(a, ncs + 1, sizeof *best_amounts);
	out->applied = arena_calloc(a, ncs + 1, sizeof *out->applied);
	if (!in_set || !best_in || !amounts || !best_amounts || !out->applied)
		return oom(e);
	for (size_t s = 0; s < ncs; s++) {
		int64_t t = combine(&g, cs, ncs, s, in_set, amounts);

		if (t > best_total) {
			best_total = t;
			memcpy(best_in, in_set, ncs * sizeof *in_set);
			memcpy(best_amounts, amounts, ncs * sizeof *amounts);
		}
	}
	out->subtotal = subtotal;
	out->shipping = in->shipping;
	for (size_t j = 0; j < ncs; j++) {
		const campaign *c = cs[j].c;
		bool ship = strcmp(c->type, "free_shipping") == 0;

		/* a member that saved nothing is dropped, except free shipping
		 * on a basket whose shipping is already zero: it still holds */
		if (best_in[j] && best_amounts[j] == 0 && (!ship || ship_applied))
			best_in[j] = false;
		if (!best_in[j]) {
			if (explain_drop(&g, cs, ncs, best_in, j))
				return oom(e);
			continue;
		}
		out->applied[out->napplied++] = (applied_discount){ c->id, c->code, c->name,
		    c->type, best_amounts[j], ship };
		if (ship) {
			out->shipping = 0;
			ship_applied = true;
		}
		else
			out->discount_total += best_amounts[j];
	}
	out->total = out->subtotal - out->discount_total + out->shipping;
	return E_OK;
}
