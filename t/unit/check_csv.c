/*
 * check_csv.c — RFC 4180 reading and writing (lib/core/csv.h): quoting,
 * line breaks inside fields, blank lines, the byte-order mark, the
 * formula guard round trip, and errors that name line and column.
 */
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "core/arena.h"
#include "core/csv.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static arena *a;

static void
setup(void)
{
	a = arena_new(16 * 1024);
}

static void
teardown(void)
{
	arena_free(a);
}

/* All records of s joined as "f1|f2/f1|f2" (records by "/"), or the error. */
static const char *
read_all(const char *s, size_t len)
{
	csv_reader r;
	csv_record rec;
	error e;
	buf out = BUF_INIT;
	const char *res;
	int rc;

	err_clear(&e);
	csv_reader_init(&r, s, len);
	while ((rc = csv_next(&r, a, &rec, &e)) == 1) {
		if (out.len)
			buf_putc(&out, '/');
		for (size_t i = 0; i < rec.n; i++) {
			if (i)
				buf_putc(&out, '|');
			buf_puts(&out, rec.fields[i]);
		}
	}
	res = arena_strdup(a, rc < 0 ? e.message : out.len ? out.data : "");
	buf_free(&out);
	return res;
}

static const struct { int line; const char *in, *want; } reads[] = {
	{ __LINE__, "a,b,c\r\n1,2,3\r\n", "a|b|c/1|2|3" },
	{ __LINE__, "a,b\n1,2", "a|b/1|2" },			/* LF, no final break */
	{ __LINE__, "\xEF\xBB\xBFsku,name\n", "sku|name" },	/* BOM skipped */
	{ __LINE__, "\"a,b\",\"say \"\"hi\"\"\"\n", "a,b|say \"hi\"" },
	{ __LINE__, "\"two\nlines\",x\n", "two\nlines|x" },
	{ __LINE__, "a,,c\n,\n", "a||c/|" },			/* empty fields */
	{ __LINE__, "a\n\n\r\nb\n", "a/b" },			/* blank lines */
	{ __LINE__, "\"'=1+1\",'-x\n", "=1+1|-x" },		/* guards come off */
	{ __LINE__, "'plain\n", "'plain" },			/* not a guard */
	{ __LINE__, "a,\"b\nc\n", "line 1, column 2: a quoted field is not closed" },
	{ __LINE__, "x\n\"a\"b\n", "line 2, column 1: text after a closing quote"
	  " (a quote inside a field must be doubled)" },
	{ __LINE__, "ok\nab\"c\n", "line 2, column 1: a quote inside an unquoted field"
	  " (quote the whole field)" },
	{ __LINE__, "a,\xff\n", "line 1, column 2: not valid UTF-8 (save the file as UTF-8)" },
};

START_TEST(reads_records)
{
	const char *got = read_all(reads[_i].in, strlen(reads[_i].in));

	ck_assert_msg(strcmp(got, reads[_i].want) == 0, "row at line %d: got \"%s\"",
	    reads[_i].line, got);
}
END_TEST

START_TEST(bounds_are_errors)
{
	char *big = arena_alloc(a, CSV_FIELD_MAX + 16);
	buf cols = BUF_INIT;

	memset(big, 'x', CSV_FIELD_MAX + 1);
	big[CSV_FIELD_MAX + 1] = '\0';
	ck_assert_str_eq(read_all(big, strlen(big)), "line 1, column 1: field longer than 64 KiB");
	for (int i = 0; i <= CSV_COLS_MAX; i++)
		buf_puts(&cols, i ? ",c" : "c");
	ck_assert_str_eq(read_all(cols.data, cols.len),
	    "line 1, column 65: too many columns (at most 64)");
	buf_free(&cols);
	ck_assert_str_eq(read_all("a\0b\n", 4), "line 1, column 1: contains a NUL byte");
}
END_TEST

static const struct { int line; const char *in, *want; } writes[] = {
	{ __LINE__, "plain", "plain" },
	{ __LINE__, "a,b", "\"a,b\"" },
	{ __LINE__, "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ __LINE__, "two\nlines", "\"two\nlines\"" },
	{ __LINE__, " padded ", "\" padded \"" },
	{ __LINE__, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
	{ __LINE__, "-5", "\"'-5\"" },
	{ __LINE__, "@SUM(A1)", "\"'@SUM(A1)\"" },
	{ __LINE__, "", "" },
};

START_TEST(writes_and_reads_back)
{
	buf b = BUF_INIT;
	const char *back;

	csv_put(&b, writes[_i].in, true);
	buf_putc(&b, '\0');
	ck_assert_msg(strcmp(b.data, writes[_i].want) == 0, "row at line %d: wrote %s",
	    writes[_i].line, b.data);
	/* what was written reads back as it was (an empty field is no record) */
	back = read_all(b.data, strlen(b.data));
	ck_assert_msg(strcmp(back, writes[_i].in) == 0, "row at line %d: read back \"%s\"",
	    writes[_i].line, back);
	buf_free(&b);
}
END_TEST

START_TEST(record_lines_are_counted)
{
	csv_reader r;
	csv_record rec;
	error e;
	const char *s = "h1,h2\n\"multi\nline\",x\n\nlast,y\n";

	err_clear(&e);
	csv_reader_init(&r, s, strlen(s));
	ck_assert_int_eq(csv_next(&r, a, &rec, &e), 1);
	ck_assert_uint_eq(rec.line, 1);
	ck_assert_int_eq(csv_next(&r, a, &rec, &e), 1);
	ck_assert_uint_eq(rec.line, 2);
	ck_assert_int_eq(csv_next(&r, a, &rec, &e), 1);
	ck_assert_uint_eq(rec.line, 5);
	ck_assert_str_eq(rec.fields[0], "last");
	ck_assert_int_eq(csv_next(&r, a, &rec, &e), 0);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("csv");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, reads_records, 0, NROWS(reads));
	tcase_add_test(tc, bounds_are_errors);
	tcase_add_loop_test(tc, writes_and_reads_back, 0, NROWS(writes));
	tcase_add_test(tc, record_lines_are_counted);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(csv_suite());
}
