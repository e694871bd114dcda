/*
 * tax.c — the per-country tax table, the rounding rules of checkout.h and
 * the totals of a quote; plus loading both money tables from the
 * configuration once per process.  Pure integer arithmetic: every product
 * is checked for overflow and refused rather than wrapped.
 */
#include <stdio.h>
#include <string.h>

#include "checkout/checkout.h"
#include "core/config.h"
#include "core/parse.h"
#include "core/site.h"

#define BP 10000

static int
fail(char *why, size_t n, const char *msg, const char *at)
{
	snprintf(why, n, "%s near \"%.24s\"", msg, at);
	return -1;
}

int
tax_table_parse(const char *s, bool inclusive, tax_table *out, char *why, size_t wl)
{
	const char *p = s;
	bool have_default = false;

	memset(out, 0, sizeof *out);
	out->prices_include_tax = inclusive;
	if (s == NULL || *s == '\0')
		return 0;	/* no table: no tax anywhere */
	for (;;) {
		char cc[3] = "";
		int64_t bp;
		size_t n;

		if (p[0] == '*') {
			if (have_default)
				return fail(why, wl, "'*' listed twice", p);
			have_default = true;
			p++;
		} else if (p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z') {
			cc[0] = p[0];
			cc[1] = p[1];
			p += 2;
		} else
			return fail(why, wl, "expected CC=rate or *=rate", p);
		if (*p++ != '=')
			return fail(why, wl, "expected '='", p - 1);
		n = strcspn(p, ",");
		if (n == 0 || parse_i64n(p, n, 0, BP, &bp) != 0)
			return fail(why, wl, "rate must be basis points 0..10000", p);
		p += n;
		if (cc[0] == '\0')
			out->default_bp = bp;
		else {
			if (out->n == TAX_RATES_MAX)
				return fail(why, wl, "too many countries", p);
			for (size_t i = 0; i < out->n; i++)
				if (strcmp(out->r[i].country, cc) == 0)
					return fail(why, wl, "country listed twice", p);
			memcpy(out->r[out->n].country, cc, 3);
			out->r[out->n++].bp = bp;
		}
		if (*p == '\0')
			return 0;
		p++;
	}
}

int64_t
tax_rate_for(const tax_table *t, const char *country)
{
	for (size_t i = 0; country != NULL && i < t->n; i++)
		if (strcmp(t->r[i].country, country) == 0)
			return t->r[i].bp;
	return t->default_bp;
}

int64_t
money_div_round(int64_t num, int64_t den)
{
	return num / den + (num % den * 2 >= den ? 1 : 0);
}

int64_t
tax_on(int64_t base, int64_t bp, bool inclusive)
{
	int64_t prod;

	if (base < 0 || bp < 0 || bp > BP)
		return -1;
	if (inclusive) {
		if (__builtin_mul_overflow(base, (int64_t)BP, &prod))
			return -1;
		return base - money_div_round(prod, BP + bp);
	}
	if (__builtin_mul_overflow(base, bp, &prod))
		return -1;
	return money_div_round(prod, BP);
}

int
discount_allocate(const int64_t *totals, size_t n, int64_t discount, int64_t *shares)
{
	int64_t sum = 0, given = 0;

	for (size_t i = 0; i < n; i++) {
		if (totals[i] < 0 || __builtin_add_overflow(sum, totals[i], &sum))
			return -1;
		shares[i] = 0;
	}
	if (discount < 0 || discount > sum)
		return -1;
	if (discount == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		__int128 q = (__int128)totals[i] * discount;

		shares[i] = (int64_t)(q / sum);
		given += shares[i];
	}
	/* The left-over cents (fewer than n, each line's remainder being less
	 * than sum) go one each to the largest remainders, earlier line first.
	 * A line whose share is above its floor was bumped already. */
	while (given < discount) {
		size_t best = n;
		__int128 best_rem = 0;

		for (size_t i = 0; i < n; i++) {
			__int128 q = (__int128)totals[i] * discount, rem = q % sum;

			if (shares[i] == (int64_t)(q / sum) && rem > best_rem) {
				best_rem = rem;
				best = i;
			}
		}
		if (best == n)
			return -1;
		shares[best]++;
		given++;
	}
	return 0;
}

int
money_compute(const money_in *in, money_out *out)
{
	int64_t sum = 0, tax = 0, t;

	if (in->n > 0 && (in->line_totals == NULL || out->line_discount == NULL ||
	    out->line_tax == NULL))
		return -1;
	for (size_t i = 0; i < in->n; i++)
		if (in->line_totals[i] < 0 || __builtin_add_overflow(sum, in->line_totals[i], &sum))
			return -1;
	if (in->shipping < 0 || discount_allocate(in->line_totals, in->n, in->discount,
	    out->line_discount) != 0)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		if ((t = tax_on(in->line_totals[i] - out->line_discount[i], in->tax_bp,
		    in->inclusive)) < 0)
			return -1;
		out->line_tax[i] = t;
		tax += t;
	}
	if ((t = tax_on(in->shipping, in->tax_bp, in->inclusive)) < 0 ||
	    __builtin_add_overflow(tax, t, &tax))
		return -1;
	out->subtotal = sum;
	out->discount_total = in->discount;
	out->shipping = in->shipping;
	out->tax = tax;
	out->total = sum - in->discount + in->shipping;
	if (!in->inclusive && __builtin_add_overflow(out->total, tax, &out->total))
		return -1;
	return 0;
}

/* ------------------------------------------------------------ configuration */

static ship_table ships;
static tax_table taxes;
static int loaded;	/* 0 not yet, 1 ok, -1 refused */

int
checkout_config_init(void)
{
	const char *s, *inc;
	bool inclusive = false;
	char why[160];

	if (loaded != 0)
		return loaded > 0 ? 0 : -1;
	loaded = -1;
	s = config_raw("ECOM_SHIPPING_METHODS");
	if (ship_table_parse(s ? s : "standard=495/5000;express=1495", &ships, why, sizeof why) != 0) {
		fprintf(stderr, "config: ECOM_SHIPPING_METHODS: %s\n", why);
		return -1;
	}
	inc = config_raw("ECOM_PRICES_INCLUDE_TAX");
	if (inc != NULL && parse_bool(inc, &inclusive) != 0) {
		fprintf(stderr, "config: ECOM_PRICES_INCLUDE_TAX=%s: not a boolean\n", inc);
		return -1;
	}
	s = config_raw("ECOM_TAX_RATES");
	if (tax_table_parse(s ? s : "*=0", inclusive, &taxes, why, sizeof why) != 0) {
		fprintf(stderr, "config: ECOM_TAX_RATES: %s\n", why);
		return -1;
	}
	loaded = 1;
	return 0;
}

/*
 * The tables in force: the admin's (settings shipping_methods, tax_rates,
 * prices_include_tax; lib/settings validated them with these parsers),
 * else the configuration's.  Parsed again only when a setting changed.
 * A stored table that no longer parses (a newer rule) falls back to the
 * configuration's rather than to none.
 */
static ship_table live_ships;
static tax_table live_taxes;
static uint64_t live_gen;

static void
live_refresh(void)
{
	uint64_t g = site_generation();
	const char *s, *inc;
	bool inclusive = taxes.prices_include_tax;
	char why[160];

	if (g == live_gen)
		return;
	live_gen = g;
	live_ships = ships;
	live_taxes = taxes;
	if ((s = site_setting("shipping_methods")) &&
	    ship_table_parse(s, &live_ships, why, sizeof why) != 0) {
		fprintf(stderr, "settings: shipping_methods: %s (the configured table applies)\n", why);
		live_ships = ships;
	}
	if ((inc = site_setting("prices_include_tax")) && parse_bool(inc, &inclusive) != 0)
		inclusive = taxes.prices_include_tax;
	s = site_setting("tax_rates");
	if (s || inclusive != taxes.prices_include_tax) {
		const char *rates = s ? s : config_raw("ECOM_TAX_RATES");
		if (tax_table_parse(rates ? rates : "*=0", inclusive, &live_taxes, why, sizeof why) != 0) {
			fprintf(stderr, "settings: tax_rates: %s (the configured table applies)\n", why);
			live_taxes = taxes;
		}
	}
}

const ship_table *
checkout_ship_table(void)
{
	if (checkout_config_init() != 0)
		return NULL;
	live_refresh();
	return &live_ships;
}

const tax_table *
checkout_tax_table(void)
{
	if (checkout_config_init() != 0)
		return NULL;
	live_refresh();
	return &live_taxes;
}
