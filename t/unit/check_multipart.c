/*
 * check_multipart.c — the streaming multipart/form-data parser
 * (lib/core/multipart.h): boundaries from Content-Type, parts and fields,
 * a delimiter split across chunks at every offset, near-miss delimiters in
 * the data, and every bound and malformation refused with the right code.
 */
#include <stdio.h>
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "core/arena.h"
#include "core/multipart.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))
#define CT "multipart/form-data; boundary=XyZ"

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

static const char two_parts[] =
    "preamble is dropped\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"alt_text\"\r\n"
    "\r\n"
    "A red mug\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"mug.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n\x1a\n\0bytes\r\n--XyNot the end\r\n-\r\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue too";

static void
check_two(mp_part *p, size_t n)
{
	static const char file[] = "\x89PNG\r\n\x1a\n\0bytes\r\n--XyNot the end\r\n-\r\r\n";

	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(p[0].name, "alt_text");
	ck_assert_ptr_null(p[0].filename);
	ck_assert_str_eq(p[0].data, "A red mug");
	ck_assert_str_eq(p[0].content_type, "");
	ck_assert_str_eq(p[1].name, "file");
	ck_assert_str_eq(p[1].filename, "mug.png");
	ck_assert_str_eq(p[1].content_type, "image/png");
	ck_assert_uint_eq(p[1].len, sizeof file - 1);
	ck_assert(memcmp(p[1].data, file, sizeof file - 1) == 0);
	ck_assert_ptr_eq(mp_find(p, n, "file"), &p[1]);
	ck_assert_ptr_null(mp_find(p, n, "nope"));
}

START_TEST(parses_whole)
{
	mp_part *p;
	size_t n;
	error e;

	err_clear(&e);
	ck_assert_int_eq(mp_parse(a, CT, two_parts, sizeof two_parts - 1, NULL, &p, &n, &e), E_OK);
	check_two(p, n);
}
END_TEST

/* Split the body in two at every offset, then feed it a byte at a time. */
START_TEST(parses_in_any_chunks)
{
	size_t len = sizeof two_parts - 1;

	for (size_t cut = 0; cut <= len; cut++) {
		mp_parser *mp;
		mp_part *p;
		size_t n;
		error e;

		err_clear(&e);
		mp = mp_new(a, "XyZ", NULL, &e);
		ck_assert_ptr_nonnull(mp);
		ck_assert_int_eq(mp_feed(mp, two_parts, cut, &e), E_OK);
		ck_assert_int_eq(mp_feed(mp, two_parts + cut, len - cut, &e), E_OK);
		ck_assert_int_eq(mp_finish(mp, &p, &n, &e), E_OK);
		check_two(p, n);
		arena_reset(a);
	}
	{
		mp_parser *mp;
		mp_part *p;
		size_t n;
		error e;

		err_clear(&e);
		mp = mp_new(a, "XyZ", NULL, &e);
		for (size_t i = 0; i < len; i++)
			ck_assert_int_eq(mp_feed(mp, two_parts + i, 1, &e), E_OK);
		ck_assert_int_eq(mp_finish(mp, &p, &n, &e), E_OK);
		check_two(p, n);
	}
}
END_TEST

static const struct { const char *ct; ecode rc; const char *boundary; } cts[] = {
	{ "multipart/form-data; boundary=abc", E_OK, "abc" },
	{ "Multipart/Form-Data;boundary=\"a b:c\"", E_OK, "a b:c" },
	{ "multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
	  E_OK, "----WebKitFormBoundary7MA4YWxkTrZu0gW" },
	{ "application/x-www-form-urlencoded", E_UNSUPPORTED_MEDIA_TYPE, NULL },
	{ "multipart/form-datax; boundary=a", E_UNSUPPORTED_MEDIA_TYPE, NULL },
	{ "", E_UNSUPPORTED_MEDIA_TYPE, NULL },
	{ "multipart/form-data", E_INVALID_INPUT, NULL },
	{ "multipart/form-data; boundary=", E_INVALID_INPUT, NULL },
	{ "multipart/form-data; boundary=\"a\r\nb\"", E_INVALID_INPUT, NULL },
	{ "multipart/form-data; boundary=\"ab \"", E_INVALID_INPUT, NULL },
	{ "multipart/form-data; boundary=a; boundary=b", E_INVALID_INPUT, NULL },
	{ "multipart/form-data; boundary=12345678901234567890123456789012345678901234567890"
	  "123456789012345678901", E_INVALID_INPUT, NULL },
};

START_TEST(boundaries)
{
	char b[MP_MAX_BOUNDARY + 1];
	error e;

	err_clear(&e);
	ck_assert_int_eq(mp_boundary(cts[_i].ct, b, &e), cts[_i].rc);
	if (cts[_i].boundary != NULL)
		ck_assert_str_eq(b, cts[_i].boundary);
}
END_TEST

#define PART(hdrs, body) "--XyZ\r\n" hdrs "\r\n\r\n" body "\r\n"
#define CD(x) "Content-Disposition: form-data; " x
#define END "--XyZ--\r\n"

static const struct { const char *body; ecode rc; const char *why; } bad[] = {
	{ "", E_INVALID_INPUT, "empty" },
	{ PART(CD("name=\"a\""), "x"), E_INVALID_INPUT, "no close delimiter" },
	{ PART(CD("name=\"a\""), "x") "--XyZ", E_INVALID_INPUT, "cut after the delimiter" },
	{ PART("Content-Type: text/plain", "x") END, E_INVALID_INPUT, "no disposition" },
	{ PART(CD("filename=\"f\""), "x") END, E_INVALID_INPUT, "no name" },
	{ PART("Content-Disposition: attachment; name=\"a\"", "x") END, E_INVALID_INPUT, "attachment" },
	{ PART(CD("name=\"a\"; name=\"b\""), "x") END, E_INVALID_INPUT, "two names" },
	{ PART(CD("name=\"a\"; filename=\"../x\r\n.png\""), "x") END, E_INVALID_INPUT, "CRLF in filename" },
	{ PART(CD("name=\"a\"; filename=\"x\x01.png\""), "x") END, E_INVALID_INPUT, "control in filename" },
	{ PART(CD("name=\"a\"; filename=\"\xff.png\""), "x") END, E_INVALID_INPUT, "bad UTF-8 filename" },
	{ PART(CD("name=\"a\"") "\r\n folded", "x") END, E_INVALID_INPUT, "folded header" },
	{ PART(CD("name=\"a\"") "\nX: y", "x") END, E_INVALID_INPUT, "bare LF in headers" },
	{ PART(CD("name=\"a\""), "\xff") END, E_INVALID_INPUT, "bad UTF-8 field" },
	{ "--XyZ\r\n" CD("name=\"a\"") "\r\n\r\nx\0y\r\n" END, E_INVALID_INPUT, "NUL in field" },
	{ "--XyZ\r\n\r\nx\r\n" END, E_INVALID_INPUT, "no headers at all" },
	{ "--XyZx\r\n" CD("name=\"a\"") "\r\n\r\nx\r\n" END, E_INVALID_INPUT, "junk after delimiter" },
	{ "--XyZ-x", E_INVALID_INPUT, "one dash" },
	{ PART(CD("name=\"a\"; filename=\"unterminated"), "x") END, E_INVALID_INPUT, "open quote" },
	{ PART(CD("name=\"a\"") "\r\nContent-Type: a\r\nContent-Type: b", "x") END, E_INVALID_INPUT, "two types" },
};

START_TEST(refuses_malformed)
{
	mp_part *p;
	size_t n, len = strlen(bad[_i].body);
	error e;

	if (_i == 13)	/* holds a NUL: measure to the end delimiter */
		len = sizeof("--XyZ\r\n" CD("name=\"a\"") "\r\n\r\nx\0y\r\n" END) - 1;
	err_clear(&e);
	ck_assert_msg(mp_parse(a, CT, bad[_i].body, len, NULL, &p, &n, &e) == bad[_i].rc,
	    "%s: got %d (%s)", bad[_i].why, e.code, e.message);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(bounds)
{
	char big[MP_MAX_HEADER + 200], body[MP_MAX_HEADER + 400];
	mp_limits lim = { 0, 2, 8 };
	mp_part *p;
	size_t n;
	error e;

	/* header block too large */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(body, sizeof body, "--XyZ\r\nX-Pad: %s\r\n" CD("name=\"a\"") "\r\n\r\nx\r\n" END, big);
	err_clear(&e);
	ck_assert_int_eq(mp_parse(a, CT, body, strlen(body), NULL, &p, &n, &e), E_PAYLOAD_TOO_LARGE);

	/* too many parts, a field too long, a total too large */
	static const char three[] = PART(CD("name=\"a\""), "1") PART(CD("name=\"b\""), "2")
	    PART(CD("name=\"c\""), "3") END;
	ck_assert_int_eq(mp_parse(a, CT, three, sizeof three - 1, &lim, &p, &n, &e), E_PAYLOAD_TOO_LARGE);
	static const char longf[] = PART(CD("name=\"a\""), "123456789") END;
	ck_assert_int_eq(mp_parse(a, CT, longf, sizeof longf - 1, &lim, &p, &n, &e), E_PAYLOAD_TOO_LARGE);
	/* a file part is not a field: only the total bounds it */
	static const char file[] = PART(CD("name=\"a\"; filename=\"f\""), "123456789") END;
	ck_assert_int_eq(mp_parse(a, CT, file, sizeof file - 1, &lim, &p, &n, &e), E_OK);
	ck_assert_uint_eq(p[0].len, 9);
	lim.max_total = sizeof file - 2;
	ck_assert_int_eq(mp_parse(a, CT, file, sizeof file - 1, &lim, &p, &n, &e), E_PAYLOAD_TOO_LARGE);

	/* an empty file input (no file chosen) is a part with filename "" */
	static const char none[] = PART(CD("name=\"a\"; filename=\"\"") "\r\nContent-Type: "
	    "application/octet-stream", "") END;
	ck_assert_int_eq(mp_parse(a, CT, none, sizeof none - 1, NULL, &p, &n, &e), E_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(p[0].filename, "");
	ck_assert_uint_eq(p[0].len, 0);

	/* the sticky error */
	mp_parser *mp = mp_new(a, "XyZ", NULL, &e);
	ck_assert_int_eq(mp_feed(mp, "--XyZ-x", 7, &e), E_INVALID_INPUT);
	err_clear(&e);
	ck_assert_int_eq(mp_feed(mp, "--", 2, &e), E_INVALID_INPUT);
	ck_assert_int_eq(mp_finish(mp, &p, &n, &e), E_INVALID_INPUT);
}
END_TEST

/* Filenames are kept as sent (the caller never uses them as paths). */
START_TEST(keeps_odd_filenames)
{
	static const char b[] = PART(CD("name=\"f\"; filename=\"../../etc/passwd\""), "x")
	    PART(CD("name=\"g\"; filename=\"caf\xc3\xa9 \\\"q\\\".png\""), "y") END;
	mp_part *p;
	size_t n;
	error e;

	err_clear(&e);
	ck_assert_int_eq(mp_parse(a, CT, b, sizeof b - 1, NULL, &p, &n, &e), E_OK);
	ck_assert_str_eq(p[0].filename, "../../etc/passwd");
	ck_assert_str_eq(p[1].filename, "caf\xc3\xa9 \"q\".png");
}
END_TEST

static Suite *
multipart_suite(void)
{
	Suite *s = suite_create("multipart");
	TCase *tc = tcase_create("multipart");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parses_whole);
	tcase_add_test(tc, parses_in_any_chunks);
	tcase_add_loop_test(tc, boundaries, 0, NROWS(cts));
	tcase_add_loop_test(tc, refuses_malformed, 0, NROWS(bad));
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, keeps_odd_filenames);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(multipart_suite());
}
