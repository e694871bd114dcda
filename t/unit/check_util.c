/*
 * check_util.c — UUIDs, money formatting, slugs, time and constant-time
 * comparison (lib/core/util.h), table-driven with __LINE__ per row.
 */
#include <stdint.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "core/util.h"

START_TEST(uuids)
{
	char a[37], b[37];

	ck_assert_int_eq(uuid_v4(a), 0);
	ck_assert_int_eq(uuid_v4(b), 0);
	ck_assert(uuid_valid(a));
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(a[14], '4');			/* version 4 */
	ck_assert(strchr("89ab", a[19]) != NULL);	/* RFC 4122 variant */
	ck_assert(uuid_valid("00000000-0000-4000-8000-0000000000A1"));
	ck_assert(!uuid_valid("00000000-0000-4000-8000-0000000000a"));
	ck_assert(!uuid_valid("00000000x0000-4000-8000-0000000000a1"));
	ck_assert(!uuid_valid("g0000000-0000-4000-8000-0000000000a1"));
	ck_assert(!uuid_valid(NULL));
}
END_TEST

static const struct {
	int line;
	int64_t minor;
	const char *cur, *want;	/* want NULL: refused */
} money_rows[] = {
	{ __LINE__, 0, "EUR", "€0.00" },
	{ __LINE__, 5, "EUR", "€0.05" },
	{ __LINE__, 1999, "EUR", "€19.99" },
	{ __LINE__, 123456789, "EUR", "€1,234,567.89" },
	{ __LINE__, -150, "EUR", "-€1.50" },
	{ __LINE__, 99, "USD", "$0.99" },
	{ __LINE__, 100000, "GBP", "£1,000.00" },
	{ __LINE__, 1200, "JPY", "¥1,200" },
	{ __LINE__, 1200, "CHF", "12.00 CHF" },
	{ __LINE__, 1234, "BHD", "1.234 BHD" },
	{ __LINE__, INT64_MAX, "EUR", "€92,233,720,368,547,758.07" },
	{ __LINE__, INT64_MIN, "EUR", "-€92,233,720,368,547,758.08" },
	{ __LINE__, 100, "XXX", NULL },
	{ __LINE__, 100, "eur", NULL },
};

START_TEST(money_table)
{
	for (size_t i = 0; i < sizeof money_rows / sizeof money_rows[0]; i++) {
		char out[64];
		int rc = money_format(money_rows[i].minor, money_rows[i].cur, out, sizeof out);
		if (money_rows[i].want == NULL) {
			ck_assert_msg(rc == -1, "row at line %d", money_rows[i].line);
			continue;
		}
		ck_assert_msg(rc == 0 && strcmp(out, money_rows[i].want) == 0,
		    "row at line %d: %s", money_rows[i].line, out);
	}
	{
		char tiny[4];
		ck_assert_int_eq(money_format(123456, "EUR", tiny, sizeof tiny), -1);
	}
	ck_assert_int_eq(currency_digits("JPY"), 0);
	ck_assert_int_eq(currency_digits("EUR"), 2);
	ck_assert_int_eq(currency_digits("BHD"), 3);
	ck_assert_int_eq(currency_digits("ZZZ"), -1);
	ck_assert(currency_valid("USD"));
	ck_assert(!currency_valid("EURO"));
}
END_TEST

static const struct {
	int line;
	const char *in;
	size_t max;
	const char *want;
} slug_rows[] = {
	{ __LINE__, "Crème Brûlée", 64, "creme-brulee" },
	{ __LINE__, "Straße", 64, "strasse" },
	{ __LINE__, "Ærø", 64, "aero" },
	{ __LINE__, "  --Hello,  World!-- ", 64, "hello-world" },
	{ __LINE__, "日本語", 64, "" },
	{ __LINE__, "Łódź Żółć", 64, "lodz-zolc" },
	{ __LINE__, "Linen Shirt (Navy) / XL", 64, "linen-shirt-navy-xl" },
	{ __LINE__, "abc def ghi", 7, "abc-def" },
	{ __LINE__, "abc def", 4, "abc" },
	{ __LINE__, "a\xc3", 64, "a" },
};

START_TEST(slug_table)
{
	for (size_t i = 0; i < sizeof slug_rows / sizeof slug_rows[0]; i++) {
		char out[128];
		size_t n = slugify(slug_rows[i].in, out, slug_rows[i].max);
		ck_assert_msg(strcmp(out, slug_rows[i].want) == 0 && n == strlen(out),
		    "row at line %d: \"%s\"", slug_rows[i].line, out);
		ck_assert_msg(n == 0 || slug_valid(out), "row at line %d", slug_rows[i].line);
	}
	ck_assert(!slug_valid("-a"));
	ck_assert(!slug_valid("a--b"));
	ck_assert(!slug_valid("A"));
	ck_assert(!slug_valid(""));
}
END_TEST

START_TEST(time_and_compare)
{
	char t[21];

	time_rfc3339(0, t);
	ck_assert_str_eq(t, "1970-01-01T00:00:00Z");
	time_rfc3339(1795495804, t);
	ck_assert_str_eq(t, "2026-11-24T04:50:04Z");
	ck_assert(ct_equal("abc", "abc", 3));
	ck_assert(!ct_equal("abc", "abd", 3));
	ck_assert(now_us() > 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, uuids);
	tcase_add_test(tc, money_table);
	tcase_add_test(tc, slug_table);
	tcase_add_test(tc, time_and_compare);
	suite_add_tcase(s, tc);
	return check_run(s);
}
