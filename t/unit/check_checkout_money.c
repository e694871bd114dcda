/*
 * check_checkout_money.c — the checkout's pure money code
 * (lib/checkout/shipping.c, tax.c) table by table, without servers: the
 * compact syntaxes of ECOM_SHIPPING_METHODS and ECOM_TAX_RATES (good and
 * refused), shipping quotes per country and threshold, the half-up
 * rounding of tax inclusive and exclusive, the largest-remainder spread
 * of discounts, and whole quotes whose totals add up to the cent.
 *
 * Rows carry __LINE__ so a failure names its row.
 */
#include <stdio.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"
#include "checkout/checkout.h"

/* ------------------------------------------------------------ shipping syntax */

static const struct { int line; const char *s; int ok; size_t n; } ship_rows[] = {
	{ __LINE__, "standard=495/5000;express=1495", 0, 2 },
	{ __LINE__, "flat=500", 0, 1 },
	{ __LINE__, "std=495/5000@US:995,CA:1295;express=1495@US:2495!;pickup=0", 0, 3 },
	{ __LINE__, "free=0/0", 0, 1 },
	{ __LINE__, "", -1, 0 },
	{ __LINE__, "Standard=495", -1, 0 },		/* upper case code */
	{ __LINE__, "standard", -1, 0 },		/* no price */
	{ __LINE__, "standard=-5", -1, 0 },
	{ __LINE__, "standard=4.95", -1, 0 },
	{ __LINE__, "standard=495/", -1, 0 },
	{ __LINE__, "standard=495@us:100", -1, 0 },	/* lower-case country */
	{ __LINE__, "standard=495@US100", -1, 0 },
	{ __LINE__, "standard=495@US:1,US:2", -1, 0 },	/* country twice */
	{ __LINE__, "a=1;a=2", -1, 0 },			/* method twice */
	{ __LINE__, "a=1;", -1, 0 },			/* empty method */
	{ __LINE__, "a=1 ", -1, 0 },
	{ __LINE__, "a=99999999999999999999", -1, 0 },
	{ __LINE__, "abcdefghijklmnopqrstuvwxyz0123456=1", -1, 0 },	/* 33 chars */
};

START_TEST(ship_syntax)
{
	ship_table t;
	char why[160] = "";
	int rc = ship_table_parse(ship_rows[_i].s, &t, why, sizeof why);

	ck_assert_msg(rc == ship_rows[_i].ok, "line %d: rc %d (%s)", ship_rows[_i].line, rc, why);
	if (rc == 0)
		ck_assert_msg(t.n == ship_rows[_i].n, "line %d: %zu methods", ship_rows[_i].line, t.n);
	else
		ck_assert_msg(why[0] != '\0', "line %d: no reason given", ship_rows[_i].line);
}
END_TEST

static const struct { int line; const char *method, *country; int64_t subtotal; int ok; int64_t price; } quote_rows[] = {
	{ __LINE__, "std", "DE", 1000, 0, 495 },
	{ __LINE__, "std", "DE", 4999, 0, 495 },
	{ __LINE__, "std", "DE", 5000, 0, 0 },		/* threshold reached: free */
	{ __LINE__, "std", "US", 1000, 0, 995 },	/* country rate */
	{ __LINE__, "std", "US", 5000, 0, 0 },		/* free everywhere */
	{ __LINE__, "std", NULL, 1000, 0, 495 },	/* no address yet */
	{ __LINE__, "express", "US", 100000, 0, 2495 },	/* no threshold */
	{ __LINE__, "express", "DE", 100, -1, 0 },	/* only listed countries */
	{ __LINE__, "express", NULL, 100, -1, 0 },
	{ __LINE__, "pickup", "FR", 1, 0, 0 },
};

START_TEST(ship_quotes)
{
	ship_table t;
	char why[160];
	int64_t price = -7;
	const ship_method *m;

	ck_assert_int_eq(ship_table_parse("std=495/5000@US:995,CA:1295;express=1495@US:2495!;pickup=0",
	    &t, why, sizeof why), 0);
	m = ship_method_find(&t, quote_rows[_i].method);
	ck_assert_ptr_nonnull(m);
	ck_assert_msg(ship_quote(m, quote_rows[_i].country, quote_rows[_i].subtotal, &price) ==
	    quote_rows[_i].ok, "line %d: rc", quote_rows[_i].line);
	if (quote_rows[_i].ok == 0)
		ck_assert_msg(price == quote_rows[_i].price, "line %d: price %lld",
		    quote_rows[_i].line, (long long)price);
	ck_assert_ptr_null(ship_method_find(&t, "nope"));
	ck_assert_ptr_null(ship_method_find(&t, NULL));
}
END_TEST

/* ------------------------------------------------------------ tax syntax */

static const struct { int line; const char *s; int ok; const char *country; int64_t bp; } tax_rows[] = {
	{ __LINE__, "DE=1900,FR=2000,*=0", 0, "DE", 1900 },
	{ __LINE__, "DE=1900,FR=2000,*=0", 0, "FR", 2000 },
	{ __LINE__, "DE=1900,FR=2000,*=500", 0, "US", 500 },
	{ __LINE__, "DE=1900", 0, "US", 0 },		/* default 0 */
	{ __LINE__, "", 0, "DE", 0 },
	{ __LINE__, "*=10000", 0, "DE", 10000 },
	{ __LINE__, "DE=10001", -1, NULL, 0 },
	{ __LINE__, "DE=-1", -1, NULL, 0 },
	{ __LINE__, "DE=19%", -1, NULL, 0 },
	{ __LINE__, "de=1900", -1, NULL, 0 },
	{ __LINE__, "DE=1900,DE=2000", -1, NULL, 0 },
	{ __LINE__, "*=1,*=2", -1, NULL, 0 },
	{ __LINE__, "DE=", -1, NULL, 0 },
	{ __LINE__, "DE=1900,", -1, NULL, 0 },
	{ __LINE__, "DEU=1900", -1, NULL, 0 },
};

START_TEST(tax_syntax)
{
	tax_table t;
	char why[160] = "";
	int rc = tax_table_parse(tax_rows[_i].s, false, &t, why, sizeof why);

	ck_assert_msg(rc == tax_rows[_i].ok, "line %d: rc %d (%s)", tax_rows[_i].line, rc, why);
	if (rc == 0)
		ck_assert_msg(tax_rate_for(&t, tax_rows[_i].country) == tax_rows[_i].bp,
		    "line %d: rate %lld", tax_rows[_i].line,
		    (long long)tax_rate_for(&t, tax_rows[_i].country));
}
END_TEST

/* ------------------------------------------------------------ rounding */

static const struct { int line; int64_t base, bp; bool incl; int64_t tax; } tax_on_rows[] = {
	{ __LINE__, 1000, 1900, false, 190 },
	{ __LINE__, 999, 1900, false, 190 },	/* 189.81 -> 190 */
	{ __LINE__, 25, 1000, false, 3 },	/* 2.5 -> 3: half up */
	{ __LINE__, 15, 1000, false, 2 },	/* 1.5 -> 2 */
	{ __LINE__, 14, 1000, false, 1 },	/* 1.4 -> 1 */
	{ __LINE__, 0, 1900, false, 0 },
	{ __LINE__, 1190, 1900, true, 190 },	/* 1190 / 1.19 = 1000 */
	{ __LINE__, 999, 1900, true, 160 },	/* 999 / 1.19 = 839.49 -> 839 */
	{ __LINE__, 1, 1900, true, 0 },		/* 0.84 -> 1: no tax in one cent */
	{ __LINE__, 100, 0, true, 0 },
	{ __LINE__, 100, 10000, true, 50 },	/* 100 % */
	{ __LINE__, 100, 10000, false, 100 },
	{ __LINE__, -1, 1900, false, -1 },	/* refused */
	{ __LINE__, 100, 10001, false, -1 },
	{ __LINE__, INT64_MAX / 2, 1900, false, -1 },	/* overflow refused */
};

START_TEST(tax_rounding)
{
	int64_t t = tax_on(tax_on_rows[_i].base, tax_on_rows[_i].bp, tax_on_rows[_i].incl);

	ck_assert_msg(t == tax_on_rows[_i].tax, "line %d: tax %lld", tax_on_rows[_i].line,
	    (long long)t);
}
END_TEST

START_TEST(div_round)
{
	ck_assert_int_eq(money_div_round(5, 10), 1);
	ck_assert_int_eq(money_div_round(4, 10), 0);
	ck_assert_int_eq(money_div_round(15, 10), 2);
	ck_assert_int_eq(money_div_round(0, 7), 0);
	ck_assert_int_eq(money_div_round(20, 3), 7);	/* 6.67 */
	ck_assert_int_eq(money_div_round(19, 3), 6);	/* 6.33 */
}
END_TEST

/* ------------------------------------------------------------ discount spread */

static const struct { int line; int64_t totals[4]; size_t n; int64_t discount; int ok; int64_t shares[4]; } spread_rows[] = {
	{ __LINE__, { 1000, 1000 }, 2, 100, 0, { 50, 50 } },
	{ __LINE__, { 1000, 1000, 1000 }, 3, 100, 0, { 34, 33, 33 } },	/* tie: earlier line */
	{ __LINE__, { 100, 200, 700 }, 3, 10, 0, { 1, 2, 7 } },
	{ __LINE__, { 333, 333, 334 }, 3, 1, 0, { 0, 0, 1 } },	/* largest remainder */
	{ __LINE__, { 1, 1, 1 }, 3, 2, 0, { 1, 1, 0 } },
	{ __LINE__, { 500 }, 1, 500, 0, { 500 } },		/* all of it */
	{ __LINE__, { 500, 0 }, 2, 100, 0, { 100, 0 } },	/* a free line gets none */
	{ __LINE__, { 500 }, 1, 0, 0, { 0 } },
	{ __LINE__, { 500 }, 1, 501, -1, { 0 } },		/* more than the lines */
	{ __LINE__, { 0 }, 1, 1, -1, { 0 } },
	{ __LINE__, { 500 }, 1, -1, -1, { 0 } },
};

START_TEST(discount_spread)
{
	int64_t shares[4] = { -9, -9, -9, -9 }, sum = 0;
	int rc = discount_allocate(spread_rows[_i].totals, spread_rows[_i].n,
	    spread_rows[_i].discount, shares);

	ck_assert_msg(rc == spread_rows[_i].ok, "line %d: rc %d", spread_rows[_i].line, rc);
	if (rc != 0)
		return;
	for (size_t i = 0; i < spread_rows[_i].n; i++) {
		ck_assert_msg(shares[i] == spread_rows[_i].shares[i], "line %d: share %zu = %lld",
		    spread_rows[_i].line, i, (long long)shares[i]);
		ck_assert(shares[i] <= spread_rows[_i].totals[i]);
		sum += shares[i];
	}
	ck_assert_int_eq(sum, spread_rows[_i].discount);
}
END_TEST

/* Every discount over an awkward basket adds up exactly and never makes a
 * line negative. */
START_TEST(discount_spread_exhaustive)
{
	const int64_t totals[5] = { 1999, 1, 333, 7, 4999 };
	int64_t shares[5];

	for (int64_t d = 0; d <= 7339; d++) {
		int64_t sum = 0;

		ck_assert_int_eq(discount_allocate(totals, 5, d, shares), 0);
		for (int i = 0; i < 5; i++) {
			ck_assert(shares[i] >= 0 && shares[i] <= totals[i]);
			sum += shares[i];
		}
		ck_assert_int_eq(sum, d);
	}
}
END_TEST

/* ------------------------------------------------------------ whole quotes */

static const struct {
	int line; int64_t totals[3]; size_t n; int64_t discount, shipping, bp; bool incl;
	int ok; int64_t subtotal, tax, total; int64_t line_tax[3];
} quote_money_rows[] = {
	/* exclusive: 19 % on (lines - discount) and on shipping, added */
	{ __LINE__, { 1000, 2000 }, 2, 300, 495, 1900, false, 0, 3000, 513 + 94, 3000 - 300 + 495 + 607,
	  { 171, 342 } },
	/* inclusive: the same numbers contain their tax */
	{ __LINE__, { 1190, 2380 }, 2, 0, 595, 1900, true, 0, 3570, 190 + 380 + 95, 3570 + 595,
	  { 190, 380 } },
	/* no tax country */
	{ __LINE__, { 999 }, 1, 99, 0, 0, false, 0, 999, 0, 900, { 0 } },
	/* free shipping, one cent lines */
	{ __LINE__, { 1, 1, 1 }, 3, 0, 0, 1900, false, 0, 3, 0, 3, { 0, 0, 0 } },
	/* 25 % of 2 = 0.5 -> 1 per line */
	{ __LINE__, { 2, 2 }, 2, 0, 0, 2500, false, 0, 4, 2, 6, { 1, 1 } },
	/* discount larger than the lines: refused */
	{ __LINE__, { 100 }, 1, 101, 0, 0, false, -1, 0, 0, 0, { 0 } },
	{ __LINE__, { 100 }, 1, 0, -1, 0, false, -1, 0, 0, 0, { 0 } },
};

START_TEST(quote_money)
{
	int64_t ld[3] = { -1, -1, -1 }, lt[3] = { -1, -1, -1 };
	money_in in = { quote_money_rows[_i].totals, quote_money_rows[_i].n,
	    quote_money_rows[_i].discount, quote_money_rows[_i].shipping,
	    quote_money_rows[_i].bp, quote_money_rows[_i].incl };
	money_out out = { .line_discount = ld, .line_tax = lt };
	int rc = money_compute(&in, &out);
	int64_t sum_tax = 0, sum_disc = 0;

	ck_assert_msg(rc == quote_money_rows[_i].ok, "line %d: rc %d", quote_money_rows[_i].line, rc);
	if (rc != 0)
		return;
	ck_assert_msg(out.subtotal == quote_money_rows[_i].subtotal, "line %d: subtotal %lld",
	    quote_money_rows[_i].line, (long long)out.subtotal);
	ck_assert_msg(out.tax == quote_money_rows[_i].tax, "line %d: tax %lld",
	    quote_money_rows[_i].line, (long long)out.tax);
	ck_assert_msg(out.total == quote_money_rows[_i].total, "line %d: total %lld",
	    quote_money_rows[_i].line, (long long)out.total);
	for (size_t i = 0; i < quote_money_rows[_i].n; i++) {
		ck_assert_msg(lt[i] == quote_money_rows[_i].line_tax[i], "line %d: line tax %zu = %lld",
		    quote_money_rows[_i].line, i, (long long)lt[i]);
		sum_tax += lt[i];
		sum_disc += ld[i];
	}
	ck_assert_int_eq(sum_disc, out.discount_total);
	ck_assert_int_le(sum_tax, out.tax);	/* the rest is the shipping's tax */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("checkout_money");
	TCase *tc = tcase_create("money");

#define N(x) (int)(sizeof x / sizeof x[0])
	tcase_add_loop_test(tc, ship_syntax, 0, N(ship_rows));
	tcase_add_loop_test(tc, ship_quotes, 0, N(quote_rows));
	tcase_add_loop_test(tc, tax_syntax, 0, N(tax_rows));
	tcase_add_loop_test(tc, tax_rounding, 0, N(tax_on_rows));
	tcase_add_test(tc, div_round);
	tcase_add_loop_test(tc, discount_spread, 0, N(spread_rows));
	tcase_add_test(tc, discount_spread_exhaustive);
	tcase_add_loop_test(tc, quote_money, 0, N(quote_money_rows));
	suite_add_tcase(s, tc);
	return check_run(s);
}
