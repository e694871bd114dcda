/*
 * check_util.c — UUIDs, money formatting, currencies, slugs, time and
 * constant-time comparison (lib/core/util.h).
 *
 * Table-driven: each row carries its __LINE__ and runs as its own loop test,
 * so a failure names the row that broke.
 */
#include <stdint.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "core/arena.h"
#include "core/util.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* ------------------------------------------------------------ UUIDs */

START_TEST(uuid_v4_format)
{
	/* many draws, so a bit-twiddling slip in one nibble would show */
	char prev[37] = "";

	for (int n = 0; n < 2000; n++) {
		char u[37];

		memset(u, 'X', sizeof u);
		ck_assert_int_eq(uuid_v4(u), 0);
		ck_assert_uint_eq(strlen(u), 36);
		ck_assert_msg(uuid_valid(u), "%s", u);
		for (int i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				ck_assert_int_eq(u[i], '-');
			else	/* lower-case hex, as PostgreSQL prints them */
				ck_assert_msg(strchr("0123456789abcdef", u[i]) != NULL, "%s", u);
		}
		ck_assert_msg(u[14] == '4', "version nibble: %s", u);
		ck_assert_msg(strchr("89ab", u[19]) != NULL, "variant bits: %s", u);
		ck_assert_str_ne(u, prev);
		memcpy(prev, u, sizeof u);
	}
}
END_TEST

static const struct {
	int line;
	const char *s;
	bool ok;
} uuid_rows[] = {
	{ __LINE__, "00000000-0000-4000-8000-0000000000a1", true },
	{ __LINE__, "00000000-0000-4000-8000-0000000000A1", true },	/* any case */
	{ __LINE__, "123e4567-e89b-12d3-a456-426614174000", true },	/* v1 is canonical too */
	{ __LINE__, "ffffffff-ffff-ffff-ffff-ffffffffffff", true },
	{ __LINE__, "00000000-0000-4000-8000-0000000000a", false },	/* short */
	{ __LINE__, "00000000-0000-4000-8000-0000000000a12", false },	/* long */
	{ __LINE__, "00000000x0000-4000-8000-0000000000a1", false },
	{ __LINE__, "g0000000-0000-4000-8000-0000000000a1", false },
	{ __LINE__, "0000000-00000-4000-8000-0000000000a1", false },	/* dash moved */
	{ __LINE__, "000000000000-4000-8000-0000000000a1-", false },
	{ __LINE__, "00000000000040008000000000000000a1ab", false },	/* no dashes, 36 chars */
	{ __LINE__, "{00000000-0000-4000-8000-0000000000a}", false },
	{ __LINE__, " 0000000-0000-4000-8000-0000000000a1", false },
	{ __LINE__, "00000000-0000-4000-8000-0000000000a ", false },
	{ __LINE__, "00000000-0000-4000-8000-00000000\xc3\xa9" "a1", false },
	{ __LINE__, "", false },
	{ __LINE__, NULL, false },
};

START_TEST(uuid_valid_row)
{
	ck_assert_msg(uuid_valid(uuid_rows[_i].s) == uuid_rows[_i].ok, "row at line %d", uuid_rows[_i].line);
}
END_TEST

/* ------------------------------------------------------------ money */

static const struct {
	int line;
	int64_t minor;
	const char *cur, *want;	/* want NULL: refused */
} money_rows[] = {
	{ __LINE__, 0, "EUR", "€0.00" },
	{ __LINE__, 5, "EUR", "€0.05" },
	{ __LINE__, 50, "EUR", "€0.50" },
	{ __LINE__, 1999, "EUR", "€19.99" },
	{ __LINE__, 99999, "EUR", "€999.99" },
	{ __LINE__, 100000, "EUR", "€1,000.00" },
	{ __LINE__, 123456789, "EUR", "€1,234,567.89" },
	{ __LINE__, -1, "EUR", "-€0.01" },
	{ __LINE__, -150, "EUR", "-€1.50" },
	{ __LINE__, -123456789, "EUR", "-€1,234,567.89" },
	{ __LINE__, INT64_MAX, "EUR", "€92,233,720,368,547,758.07" },
	{ __LINE__, INT64_MIN, "EUR", "-€92,233,720,368,547,758.08" },
	{ __LINE__, 0, "USD", "$0.00" },
	{ __LINE__, 99, "USD", "$0.99" },
	{ __LINE__, -99, "USD", "-$0.99" },
	{ __LINE__, 1234567, "USD", "$12,345.67" },
	{ __LINE__, 100000, "GBP", "£1,000.00" },
	{ __LINE__, -2500, "GBP", "-£25.00" },
	{ __LINE__, 0, "JPY", "¥0" },
	{ __LINE__, 1200, "JPY", "¥1,200" },
	{ __LINE__, 999, "JPY", "¥999" },
	{ __LINE__, -1000000, "JPY", "-¥1,000,000" },
	{ __LINE__, INT64_MAX, "JPY", "¥9,223,372,036,854,775,807" },
	{ __LINE__, INT64_MIN, "JPY", "-¥9,223,372,036,854,775,808" },
	{ __LINE__, 0, "CHF", "0.00 CHF" },
	{ __LINE__, 1200, "CHF", "12.00 CHF" },
	{ __LINE__, 123456, "CHF", "1,234.56 CHF" },
	{ __LINE__, -5, "CHF", "-0.05 CHF" },
	{ __LINE__, 0, "BHD", "0.000 BHD" },
	{ __LINE__, 1, "BHD", "0.001 BHD" },
	{ __LINE__, 1234, "BHD", "1.234 BHD" },
	{ __LINE__, 1234567, "BHD", "1,234.567 BHD" },
	{ __LINE__, -1234567, "BHD", "-1,234.567 BHD" },
	{ __LINE__, INT64_MIN, "BHD", "-9,223,372,036,854,775.808 BHD" },
	{ __LINE__, 100, "XXX", NULL },
	{ __LINE__, 100, "eur", NULL },		/* codes are upper-case */
	{ __LINE__, 100, "EURO", NULL },
	{ __LINE__, 100, "EU", NULL },
	{ __LINE__, 100, "", NULL },
	{ __LINE__, 100, NULL, NULL },
};

START_TEST(money_row)
{
	char out[64];
	int rc;

	memset(out, 'X', sizeof out);
	rc = money_format(money_rows[_i].minor, money_rows[_i].cur, out, sizeof out);
	if (money_rows[_i].want == NULL) {
		ck_assert_msg(rc == -1, "row at line %d", money_rows[_i].line);
		return;
	}
	ck_assert_msg(rc == 0 && strcmp(out, money_rows[_i].want) == 0,
	    "row at line %d: rc %d \"%.64s\"", money_rows[_i].line, rc, out);
}
END_TEST

START_TEST(money_buffer_bounds)
{
	/* "€1,234.56" is 11 bytes (€ is 3) + NUL: 12 fits, 11 does not */
	char out[32];
	arena *a = arena_new(1024);

	ck_assert_int_eq(money_format(123456, "EUR", out, 12), 0);
	ck_assert_str_eq(out, "€1,234.56");
	memset(out, 'X', sizeof out);
	ck_assert_int_eq(money_format(123456, "EUR", out, 11), -1);
	ck_assert_msg(memchr(out, '\0', 11) != NULL, "a refused format still terminates out");
	ck_assert_int_eq(money_format(123456, "EUR", out, 4), -1);
	ck_assert_int_eq(money_format(123456, "EUR", out, 1), -1);
	ck_assert_int_eq(money_format(123456, "EUR", out, 0), -1);
	/* the longest output there is still fits a 64-byte buffer */
	ck_assert_int_eq(money_format(INT64_MIN, "BHD", out, sizeof out), 0);
	ck_assert_str_eq(money_format_a(a, -150, "EUR"), "-€1.50");
	ck_assert_ptr_null(money_format_a(a, 1, "XXX"));
	arena_free(a);
}
END_TEST

static const struct {
	int line;
	const char *code;
	int digits;
} currency_rows[] = {
	{ __LINE__, "EUR", 2 },
	{ __LINE__, "USD", 2 },
	{ __LINE__, "GBP", 2 },
	{ __LINE__, "CHF", 2 },
	{ __LINE__, "JPY", 0 },
	{ __LINE__, "KRW", 0 },
	{ __LINE__, "BHD", 3 },
	{ __LINE__, "KWD", 3 },
	{ __LINE__, "ZZZ", -1 },
	{ __LINE__, "usd", -1 },
	{ __LINE__, "", -1 },
	{ __LINE__, "EURO", -1 },
	{ __LINE__, NULL, -1 },
};

START_TEST(currency_row)
{
	int d = currency_digits(currency_rows[_i].code);

	ck_assert_msg(d == currency_rows[_i].digits, "row at line %d: %d", currency_rows[_i].line, d);
	ck_assert_msg(currency_valid(currency_rows[_i].code) == (currency_rows[_i].digits >= 0),
	    "row at line %d", currency_rows[_i].line);
}
END_TEST

/* ------------------------------------------------------------ slugs */

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
	{ __LINE__, "日本語", 64, "" },				/* CJK only: nothing left */
	{ __LINE__, "日本語 Tea", 64, "tea" },
	{ __LINE__, "Green 日本 Tea", 64, "green-tea" },
	{ __LINE__, "\xf0\x9f\x98\x80 Smile \xf0\x9f\x98\x80", 64, "smile" },
	{ __LINE__, "Łódź Żółć", 64, "lodz-zolc" },
	{ __LINE__, "Ångström Œuvre", 64, "angstrom-oeuvre" },
	{ __LINE__, "Þór", 64, "thor" },
	{ __LINE__, "Linen Shirt (Navy) / XL", 64, "linen-shirt-navy-xl" },
	{ __LINE__, "iPhone 15 Pro", 64, "iphone-15-pro" },
	{ __LINE__, "100% Cotton", 64, "100-cotton" },
	{ __LINE__, "a_b.c", 64, "a-b-c" },
	{ __LINE__, "already-a-slug", 64, "already-a-slug" },
	{ __LINE__, "---", 64, "" },
	{ __LINE__, "", 64, "" },
	{ __LINE__, "abc", 0, "" },
	/* cut at maxlen, never ending in '-' */
	{ __LINE__, "abc def ghi", 7, "abc-def" },
	{ __LINE__, "abc def ghi", 8, "abc-def" },
	{ __LINE__, "abc def", 4, "abc" },
	{ __LINE__, "abc def", 3, "abc" },
	{ __LINE__, "abcdef", 3, "abc" },
	{ __LINE__, "aaaa bbbb cccc dddd eeee", 10, "aaaa-bbbb" },
	{ __LINE__, "aaaa bbbb cccc dddd eeee", 11, "aaaa-bbbb-c" },
	{ __LINE__, "ab ß", 3, "ab" },			/* "ss" would not fit after '-' */
	{ __LINE__, "a\xc3", 64, "a" },			/* truncated sequence dropped */
	{ __LINE__, "a\xe2\x82", 64, "a" },
};

START_TEST(slug_row)
{
	char out[128];
	size_t n;

	memset(out, 'X', sizeof out);
	n = slugify(slug_rows[_i].in, out, slug_rows[_i].max);
	ck_assert_msg(strcmp(out, slug_rows[_i].want) == 0 && n == strlen(out),
	    "row at line %d: %zu \"%s\"", slug_rows[_i].line, n, out);
	ck_assert_msg(n <= slug_rows[_i].max, "row at line %d", slug_rows[_i].line);
	ck_assert_msg(n == 0 || slug_valid(out), "row at line %d: not a valid slug", slug_rows[_i].line);
}
END_TEST

START_TEST(slug_long_input)
{
	/* a long title cut at every possible maxlen: within bounds, never a
	 * trailing or doubled '-', always a prefix of the full slug */
	static const char title[] = "The Quick  Brown Fox — Jumps Over the Lazy Dog! Crème Brûlée & "
	    "Straße, Ærø Édition; ünïcödé ÑÕ 12345 sixty-seven eighty nine";
	char full[512], out[512];
	size_t nfull = slugify(title, full, sizeof full - 1);

	ck_assert_str_eq(full, "the-quick-brown-fox-jumps-over-the-lazy-dog-creme-brulee-"
	    "strasse-aero-edition-unicode-no-12345-sixty-seven-eighty-nine");
	for (size_t max = 0; max <= nfull + 2; max++) {
		size_t n = slugify(title, out, max);
		ck_assert_msg(n <= max && n == strlen(out), "max %zu: %zu", max, n);
		ck_assert_msg(n == 0 || (out[n - 1] != '-' && slug_valid(out)), "max %zu: \"%s\"", max, out);
		ck_assert_msg(strncmp(out, full, n) == 0, "max %zu: \"%s\"", max, out);
	}
}
END_TEST

static const struct {
	int line;
	const char *s;
	bool ok;
} slug_valid_rows[] = {
	{ __LINE__, "a", true },
	{ __LINE__, "a-b", true },
	{ __LINE__, "linen-shirt-2", true },
	{ __LINE__, "42", true },
	{ __LINE__, "-a", false },
	{ __LINE__, "a-", false },
	{ __LINE__, "a--b", false },
	{ __LINE__, "A", false },
	{ __LINE__, "a_b", false },
	{ __LINE__, "a b", false },
	{ __LINE__, "a/b", false },
	{ __LINE__, "cr\xc3\xa8me", false },
	{ __LINE__, "-", false },
	{ __LINE__, "", false },
	{ __LINE__, NULL, false },
};

START_TEST(slug_valid_row)
{
	ck_assert_msg(slug_valid(slug_valid_rows[_i].s) == slug_valid_rows[_i].ok,
	    "row at line %d", slug_valid_rows[_i].line);
}
END_TEST

START_TEST(slug_valid_length)
{
	char s[256];

	memset(s, 'a', sizeof s);
	s[200] = '\0';
	ck_assert(slug_valid(s));
	s[200] = 'a';
	s[201] = '\0';
	ck_assert(!slug_valid(s));
}
END_TEST

/* ------------------------------------------------------------ time, compare */

static const struct {
	int line;
	int64_t t;
	const char *want;
} time_rows[] = {
	{ __LINE__, 0, "1970-01-01T00:00:00Z" },
	{ __LINE__, 1, "1970-01-01T00:00:01Z" },
	{ __LINE__, 86399, "1970-01-01T23:59:59Z" },
	{ __LINE__, 951782400, "2000-02-29T00:00:00Z" },		/* leap day */
	{ __LINE__, 1795495804, "2026-11-24T04:50:04Z" },
	{ __LINE__, 2147483647, "2038-01-19T03:14:07Z" },
	{ __LINE__, 2147483648LL, "2038-01-19T03:14:08Z" },		/* past 32-bit time_t */
	{ __LINE__, -1, "1969-12-31T23:59:59Z" },
	{ __LINE__, 253402300799LL, "9999-12-31T23:59:59Z" },		/* the last 4-digit year */
};

START_TEST(time_row)
{
	char out[21];

	memset(out, 'X', sizeof out);
	time_rfc3339(time_rows[_i].t, out);
	ck_assert_msg(memchr(out, '\0', sizeof out) != NULL, "row at line %d: unterminated", time_rows[_i].line);
	ck_assert_msg(strcmp(out, time_rows[_i].want) == 0, "row at line %d: %s", time_rows[_i].line, out);
}
END_TEST

START_TEST(time_out_of_range_terminates)
{
	/* BUG: lib/core/util.c time_rfc3339(): for t >= 253402300800 (year
	 * 10000) the text needs 22 bytes, strftime() returns 0 and leaves out[]
	 * unterminated; for INT64_MAX/INT64_MIN gmtime_r() fails and strftime
	 * formats an uninitialised struct tm.  Intended: out is always a
	 * terminated string of at most 20 characters. */
	static const int64_t ts[] = { 253402300800LL, INT64_MAX, INT64_MIN };

	for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
		char out[21];

		memset(out, 'X', sizeof out);
		time_rfc3339(ts[i], out);
		ck_assert_msg(memchr(out, '\0', sizeof out) != NULL, "t=%lld: out[] not terminated",
		    (long long)ts[i]);
	}
}
END_TEST

START_TEST(ct_equal_and_clock)
{
	uint64_t t0, t1;

	ck_assert(ct_equal("abc", "abc", 3));
	ck_assert(!ct_equal("abc", "abd", 3));		/* last byte */
	ck_assert(!ct_equal("xbc", "abc", 3));		/* first byte */
	ck_assert(!ct_equal("a\x80", "a\x00", 2));	/* high bit only */
	ck_assert(ct_equal("abc", "abd", 2));		/* only n bytes compared */
	ck_assert(ct_equal("", "x", 0));
	ck_assert(ct_equal("a\0b", "a\0b", 3));		/* NUL is just a byte */
	ck_assert(!ct_equal("a\0b", "a\0c", 3));
	t0 = now_us();
	t1 = now_us();
	ck_assert(t0 > 0 && t1 >= t0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");

	tcase_add_test(tc, uuid_v4_format);
	tcase_add_loop_test(tc, uuid_valid_row, 0, NROWS(uuid_rows));
	tcase_add_loop_test(tc, money_row, 0, NROWS(money_rows));
	tcase_add_test(tc, money_buffer_bounds);
	tcase_add_loop_test(tc, currency_row, 0, NROWS(currency_rows));
	tcase_add_loop_test(tc, slug_row, 0, NROWS(slug_rows));
	tcase_add_test(tc, slug_long_input);
	tcase_add_loop_test(tc, slug_valid_row, 0, NROWS(slug_valid_rows));
	tcase_add_test(tc, slug_valid_length);
	tcase_add_loop_test(tc, time_row, 0, NROWS(time_rows));
	tcase_add_test(tc, time_out_of_range_terminates);
	tcase_add_test(tc, ct_equal_and_clock);
	suite_add_tcase(s, tc);
	return check_run(s);
}
