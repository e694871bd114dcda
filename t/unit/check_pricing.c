/*
 * check_pricing.c — the pricing engine (lib/campaign/pricing.c) table by
 * table, without servers: every discount type, the cap, rounding, free
 * shipping, buy X get Y over mixed prices, product and category limits,
 * validity windows and usage limits, and every stacking decision
 * (non-stackable against a combination, exclusion groups, forbidden and
 * allowed pairs, automatic campaigns), each with the warning it must give.
 *
 * Rows carry __LINE__ so a failure names its row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"
#include "campaign/campaign.h"

#define NOW	1000000000LL
#define FAR	2000000000LL

/* ids: products P1..P9, categories A..C */
static const char *
pid(char c)
{
	static char ids[10][48];
	unsigned i = (unsigned)(c - '0') % 10;

	snprintf(ids[i], sizeof ids[i], "00000000-0000-4000-8000-0000000000%02u", i);
	return ids[i];
}

static const char *
cid(char c)
{
	static char ids[3][48];
	unsigned i = (unsigned)(c - 'A') % 3;

	snprintf(ids[i], sizeof ids[i], "00000000-0000-4000-8000-00000000cc%02u", i);
	return ids[i];
}

static const char *cat_a[1], *cat_b[1], *prod_1[1];

#define CAMP(idn, nm, cd, ty, val) .id = "00000000-0000-4000-a000-0000000000" idn, .name = nm, \
	.code = cd, .type = ty, .discount_value = val, .status = "active", .currency = "EUR", \
	.start_date = 0, .end_date = FAR

static campaign fixtures[] = {
	{ CAMP("00", "Ten percent", "PCT10", "percentage", 1000) },
	{ CAMP("01", "Ten capped", "PCT10CAP", "percentage", 1000), .max_discount_amount = 500 },
	{ CAMP("02", "Five off", "FIX5", "fixed_amount", 500), .is_stackable = true },
	{ CAMP("03", "Free shipping", "SHIP", "free_shipping", 0), .is_stackable = true, .min_order_amount = 5000 },
	{ CAMP("04", "Buy 2 get 1", "B2G1", "buy_x_get_y", 1), .buy_quantity = 2, .is_stackable = true },
	{ CAMP("05", "AUTO5", NULL, "percentage", 500), .is_automatic = true, .is_stackable = true, .priority = 10 },
	{ CAMP("06", "Old", "EXPIRED", "percentage", 1000) },
	{ CAMP("07", "Later", "FUTURE", "percentage", 1000) },
	{ CAMP("08", "Off", "INACTIVE", "percentage", 1000) },
	{ CAMP("09", "Group one", "GRP1", "percentage", 2000), .is_stackable = true, .exclusion_group = "g1", .priority = 5 },
	{ CAMP("10", "Group two", "GRP2", "fixed_amount", 300), .is_stackable = true, .exclusion_group = "g1", .priority = 1 },
	{ CAMP("11", "Forbidden one", "FORB1", "fixed_amount", 100), .is_stackable = true },
	{ CAMP("12", "Forbidden two", "FORB2", "fixed_amount", 200), .is_stackable = true },
	{ CAMP("13", "Big alone", "NSBIG", "fixed_amount", 5000) },
	{ CAMP("14", "Half product", "PROD", "percentage", 5000) },
	{ CAMP("15", "Used up", "LIMIT", "fixed_amount", 100), .max_usage_count = 5, .used_total = 5 },
	{ CAMP("16", "Once each", "PERUSER", "fixed_amount", 100), .max_usage_per_user = 1, .used_by_user = 1 },
	{ CAMP("17", "Dollars", "USD", "fixed_amount", 100) },
	{ CAMP("18", "Rounding", "HALF", "percentage", 1000) },
	{ CAMP("19", "Allowed partner", "ALLOWNS", "fixed_amount", 100) },
	{ CAMP("20", "Category B", "PCTCAT", "percentage", 1000) },
	{ CAMP("21", "Under limit", "LIMOK", "fixed_amount", 100), .max_usage_count = 5, .used_total = 4 },
};
#define NFIX (sizeof fixtures / sizeof fixtures[0])

static stacking_rule rules[] = {
	{ "00000000-0000-4000-b000-000000000001", "00000000-0000-4000-a000-000000000011",
	  "00000000-0000-4000-a000-000000000012", false, 0 },
	{ "00000000-0000-4000-b000-000000000002", "00000000-0000-4000-a000-000000000002",
	  "00000000-0000-4000-a000-000000000019", true, 0 },
};

static void
fixtures_init(void)
{
	cat_a[0] = cid('A');
	cat_b[0] = cid('B');
	prod_1[0] = pid('1');
	for (size_t i = 0; i < NFIX; i++) {
		campaign *c = &fixtures[i];

		/* the overrides of the common initialiser */
		if (c->code && strcmp(c->code, "EXPIRED") == 0)
			c->end_date = 500000000;
		else if (c->code && strcmp(c->code, "FUTURE") == 0)
			c->start_date = 1500000000;
		else if (c->code && strcmp(c->code, "INACTIVE") == 0)
			c->status = "inactive";
		else if (c->code && strcmp(c->code, "USD") == 0)
			c->currency = "USD";
		else if (c->code && strcmp(c->code, "B2G1") == 0) {
			c->categories = cat_a;
			c->ncategories = 1;
		} else if (c->code && strcmp(c->code, "PCTCAT") == 0) {
			c->categories = cat_b;
			c->ncategories = 1;
		} else if (c->code && strcmp(c->code, "PROD") == 0) {
			c->products = prod_1;
			c->nproducts = 1;
		}
	}
}

typedef struct row {
	int         line;
	const char *basket;	/* "1A:1000x2,2B:500x1": product, category, price x quantity */
	int64_t     shipping;
	const char *codes;	/* comma-separated, as typed */
	bool        with_auto;
	bool        signed_in;
	int64_t     want_discount, want_shipping;
	const char *want_applied;	/* "CODE=amount,..." in order; automatic by name */
	const char *want_warning;	/* a substring of some warning, or NULL for none */
	size_t      want_invalid;
} row;

#define B1 "1A:1000x2,2B:500x1"		/* subtotal 2500 */

static const row rows[] = {
	/* each type alone */
	{ __LINE__, B1, 0, "PCT10", false, false, 250, 0, "PCT10=250", NULL, 0 },
	{ __LINE__, "1A:10000x1", 0, "PCT10CAP", false, false, 500, 0, "PCT10CAP=500", NULL, 0 },
	{ __LINE__, "1A:3000x2", 0, "PCT10CAP", false, false, 500, 0, "PCT10CAP=500", NULL, 0 },
	{ __LINE__, "1A:4000x1", 0, "PCT10CAP", false, false, 400, 0, "PCT10CAP=400", NULL, 0 },
	{ __LINE__, B1, 0, "FIX5", false, false, 500, 0, "FIX5=500", NULL, 0 },
	{ __LINE__, "1A:300x1", 0, "FIX5", false, false, 300, 0, "FIX5=300", NULL, 0 },
	{ __LINE__, "1A:6000x1", 495, "SHIP", false, false, 0, 0, "SHIP=495", NULL, 0 },
	{ __LINE__, "1A:6000x1", 0, "SHIP", false, false, 0, 0, "SHIP=0", NULL, 0 },
	{ __LINE__, "1A:4000x1", 495, "SHIP", false, false, 0, 495, "", "needs a minimum order of", 1 },
	/* rounding: half a cent goes to the customer */
	{ __LINE__, "1A:1005x1", 0, "HALF", false, false, 101, 0, "HALF=101", NULL, 0 },
	{ __LINE__, "1A:1004x1", 0, "HALF", false, false, 100, 0, "HALF=100", NULL, 0 },
	{ __LINE__, "1A:1x1", 0, "HALF", false, false, 0, 0, "", "gives no further discount", 0 },
	{ __LINE__, "1A:5x1", 0, "HALF", false, false, 1, 0, "HALF=1", NULL, 0 },
	/* buy 2 get 1 on category A, the cheapest qualifying units free */
	{ __LINE__, "1A:1000x2,3A:400x1,2B:100x5", 0, "B2G1", false, false, 400, 0, "B2G1=400", NULL, 0 },
	{ __LINE__, "1A:1000x3,3A:400x3", 0, "B2G1", false, false, 800, 0, "B2G1=800", NULL, 0 },
	{ __LINE__, "1A:1000x3,3A:700x2", 0, "B2G1", false, false, 700, 0, "B2G1=700", NULL, 0 },
	{ __LINE__, "1A:900x1,3A:800x1,4A:700x1,5A:600x1,6A:500x1,7A:400x1", 0, "B2G1", false, false,
	  900, 0, "B2G1=900", NULL, 0 },
	{ __LINE__, "1A:1000x2,2B:100x5", 0, "B2G1", false, false, 0, 0, "", "needs at least 3 qualifying items", 1 },
	{ __LINE__, "2B:100x9", 0, "B2G1", false, false, 0, 0, "", "does not apply to any item", 1 },
	/* product and category limits */
	{ __LINE__, B1, 0, "PCTCAT", false, false, 50, 0, "PCTCAT=50", NULL, 0 },
	{ __LINE__, "1A:1000x1", 0, "PCTCAT", false, false, 0, 0, "", "does not apply to any item", 1 },
	{ __LINE__, B1, 0, "PROD", false, false, 1000, 0, "PROD=1000", NULL, 0 },
	/* validity, limits, currency, unknown codes */
	{ __LINE__, B1, 0, "EXPIRED", false, false, 0, 0, "", "has expired", 1 },
	{ __LINE__, B1, 0, "FUTURE", false, false, 0, 0, "", "is not valid until", 1 },
	{ __LINE__, B1, 0, "INACTIVE", false, false, 0, 0, "", "is not active", 1 },
	{ __LINE__, B1, 0, "LIMIT", false, false, 0, 0, "", "usage limit", 1 },
	{ __LINE__, B1, 0, "LIMOK", false, false, 100, 0, "LIMOK=100", NULL, 0 },
	{ __LINE__, B1, 0, "PERUSER", false, true, 0, 0, "", "maximum number of times", 1 },
	{ __LINE__, B1, 0, "PERUSER", false, false, 100, 0, "PERUSER=100", NULL, 0 },
	{ __LINE__, B1, 0, "USD", false, false, 0, 0, "", "only to USD baskets", 1 },
	{ __LINE__, B1, 0, "NOPE", false, false, 0, 0, "", "coupon NOPE does not exist", 1 },
	{ __LINE__, "", 0, "FIX5", false, false, 0, 0, "", "does not apply to any item", 1 },
	/* codes ignore case; a repeat counts once */
	{ __LINE__, B1, 0, "fix5", false, false, 500, 0, "FIX5=500", NULL, 0 },
	{ __LINE__, B1, 0, "fix5,FIX5", false, false, 500, 0, "FIX5=500", "entered more than once", 0 },
	{ __LINE__, B1, 0, "N1,N2,N3,N4,N5,N6,N7,N8,N9,N10,FIX5", false, false, 0, 0, "",
	  "at most 10 codes", 11 },
	/* stacking */
	{ __LINE__, "1A:6000x1", 495, "FIX5,SHIP", false, false, 500, 0, "FIX5=500,SHIP=495", NULL, 0 },
	{ __LINE__, "1A:6000x1", 495, "PCT10,FIX5,SHIP", false, false, 500, 0, "FIX5=500,SHIP=495",
	  "coupon PCT10 was not combined with coupon FIX5 (coupon PCT10 cannot be combined", 0 },
	{ __LINE__, "1A:6000x1", 495, "NSBIG,FIX5,SHIP", false, false, 5000, 495, "NSBIG=5000",
	  "coupon SHIP was not combined with coupon NSBIG", 0 },
	{ __LINE__, B1, 0, "GRP2,GRP1", false, false, 500, 0, "GRP1=500",
	  "coupon GRP2 was not combined with coupon GRP1 (same exclusion group \"g1\")", 0 },
	{ __LINE__, B1, 0, "FORB1,FORB2", false, false, 200, 0, "FORB2=200",
	  "coupon FORB1 was not combined with coupon FORB2 (a stacking rule forbids the pair)", 0 },
	{ __LINE__, B1, 0, "ALLOWNS,FIX5", false, false, 600, 0, "FIX5=500,ALLOWNS=100", NULL, 0 },
	{ __LINE__, "1A:1000x3", 0, "FIX5,B2G1", false, false, 1500, 0, "B2G1=1000,FIX5=500", NULL, 0 },
	/* of two that cannot combine, the bigger saving wins */
	{ __LINE__, "1A:300x1", 0, "FIX5,PROD", false, false, 300, 0, "FIX5=300",
	  "coupon PROD was not combined with coupon FIX5", 0 },
	/* automatic campaigns */
	{ __LINE__, B1, 0, "", true, false, 125, 0, "AUTO5=125", NULL, 0 },
	{ __LINE__, B1, 0, "FIX5", true, false, 625, 0, "AUTO5=125,FIX5=500", NULL, 0 },
	{ __LINE__, B1, 0, "PCT10", true, false, 250, 0, "PCT10=250",
	  "campaign \"AUTO5\" was not combined with coupon PCT10", 0 },
	{ __LINE__, "1A:400x1", 0, "FIX5", true, false, 400, 0, "AUTO5=20,FIX5=380", NULL, 0 },
	{ __LINE__, "1A:1000x1", 0, "", false, false, 0, 0, "", NULL, 0 },
};

/* Parse a basket spec into lines (static storage: one row at a time). */
static size_t
parse_basket(const char *spec, price_line *lines)
{
	size_t n = 0;
	const char *p = spec;

	while (*p) {
		long long price, qty;
		int used = 0;

		ck_assert_int_eq(sscanf(p + 2, ":%lldx%lld%n", &price, &qty, &used), 2);
		lines[n] = (price_line){ pid(p[0]), "00000000-0000-4000-9000-000000000001",
		    cid(p[1]), price, qty };
		/* pid/cid reuse static buffers per digit, stable for the row */
		n++;
		p += 2 + used;
		if (*p == ',')
			p++;
	}
	return n;
}

static size_t
split_codes(char *s, const char **out)
{
	size_t n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ","))
		out[n++] = tok;
	return n;
}

START_TEST(pricing_table)
{
	const row *r = &rows[_i];
	price_line lines[16];
	const char *codes[16];
	char codebuf[256], got[512] = "";
	campaign camps[NFIX];
	size_t ncamps = 0;
	price_input in = { 0 };
	price_result out = { 0 };
	arena *a = arena_new(16 * 1024);
	error e;
	bool found = r->want_warning == NULL;

	fixtures_init();
	for (size_t i = 0; i < NFIX; i++)
		if (!fixtures[i].is_automatic || r->with_auto)
			camps[ncamps++] = fixtures[i];
	snprintf(codebuf, sizeof codebuf, "%s", r->codes);
	in.lines = lines;
	in.nlines = parse_basket(r->basket, lines);
	in.currency = "EUR";
	in.shipping = r->shipping;
	in.user_id = r->signed_in ? "00000000-0000-4000-8000-0000000000ff" : NULL;
	in.codes = codes;
	in.ncodes = split_codes(codebuf, codes);
	err_clear(&e);
	ck_assert_int_eq(pricing_run(a, &in, camps, ncamps, rules, 2, NOW, &out, &e), E_OK);
	for (size_t i = 0; i < out.napplied; i++) {
		size_t len = strlen(got);

		snprintf(got + len, sizeof got - len, "%s%s=%lld", i ? "," : "",
		    out.applied[i].code ? out.applied[i].code : out.applied[i].name,
		    (long long)out.applied[i].amount);
	}
	for (size_t i = 0; i < out.nwarnings && !found; i++)
		found = strstr(out.warnings[i], r->want_warning) != NULL;
	ck_assert_msg(strcmp(got, r->want_applied) == 0, "line %d: applied %s, want %s",
	    r->line, got, r->want_applied);
	ck_assert_msg(out.discount_total == r->want_discount, "line %d: discount %lld, want %lld",
	    r->line, (long long)out.discount_total, (long long)r->want_discount);
	ck_assert_msg(out.shipping == r->want_shipping, "line %d: shipping %lld, want %lld",
	    r->line, (long long)out.shipping, (long long)r->want_shipping);
	ck_assert_msg(found, "line %d: no warning containing \"%s\" (%zu warnings%s%s)", r->line,
	    r->want_warning, out.nwarnings, out.nwarnings ? ", first: " : "",
	    out.nwarnings ? out.warnings[0] : "");
	if (!r->want_warning && !strstr(r->codes, ",") && r->want_invalid == 0)
		ck_assert_msg(out.nwarnings == 0 || r->with_auto, "line %d: unexpected warning %s",
		    r->line, out.nwarnings ? out.warnings[0] : "");
	ck_assert_msg(out.ninvalid == r->want_invalid, "line %d: %zu invalid codes, want %zu",
	    r->line, out.ninvalid, r->want_invalid);
	ck_assert_int_le(out.discount_total, out.subtotal);
	ck_assert_int_eq(out.total, out.subtotal - out.discount_total + out.shipping);
	arena_free(a);
}
END_TEST

/* A bad line is refused, not priced. */
START_TEST(bad_lines_are_refused)
{
	price_line l = { pid('1'), pid('2'), cid('A'), -5, 1 };
	price_input in = { &l, 1, "EUR", 0, NULL, NULL, 0 };
	price_result out = { 0 };
	arena *a = arena_new(4096);
	error e;

	err_clear(&e);
	ck_assert_int_ne(pricing_run(a, &in, fixtures, 0, NULL, 0, NOW, &out, &e), E_OK);
	l.unit_price = 100;
	l.quantity = 0;
	err_clear(&e);
	ck_assert_int_ne(pricing_run(a, &in, fixtures, 0, NULL, 0, NOW, &out, &e), E_OK);
	arena_free(a);
}
END_TEST

START_TEST(code_syntax)
{
	ck_assert(campaign_code_valid("WELCOME10"));
	ck_assert(campaign_code_valid("a-b_c"));
	ck_assert(!campaign_code_valid("ab"));
	ck_assert(!campaign_code_valid("with space"));
	ck_assert(!campaign_code_valid("ÜBER10"));
	ck_assert(!campaign_code_valid("123456789012345678901234567890123"));
	ck_assert(!campaign_code_valid(NULL));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pricing");
	TCase *tc = tcase_create("engine");

	tcase_add_loop_test(tc, pricing_table, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_test(tc, bad_lines_are_refused);
	tcase_add_test(tc, code_syntax);
	suite_add_tcase(s, tc);
	return check_run(s);
}
