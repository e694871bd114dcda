/*
 * check_media_sniff.c — judging an upload by its bytes (lib/media/sniff.c):
 * magic numbers for the four accepted kinds, refusals for everything else
 * whatever it is called (HTML, SVG, scripts, a bare "RIFF"), dimensions
 * from each kind's header without decoding, and the widths planned for an
 * original (never upscaled).
 */
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "media/media.h"
#include "media/internal.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* 2x3 of each kind, as their encoders write the headers */
static const unsigned char png[] = {
	0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
	0, 0, 0, 2, 0, 0, 0, 3, 8, 2, 0, 0, 0 };
static const unsigned char gif[] = { 'G', 'I', 'F', '8', '9', 'a', 2, 0, 3, 0, 0, 0, 0 };
static const unsigned char jpeg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
	0xff, 0xdb, 0, 3, 0,				/* a (short) DQT */
	0xff, 0xc0, 0, 11, 8, 0, 3, 0, 2, 1, 1, 0x11, 0 };	/* SOF0 3 high, 2 wide */
static const unsigned char webp_vp8x[] = {
	'R', 'I', 'F', 'F', 30, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X',
	10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0 };
static const unsigned char webp_vp8l[] = {
	'R', 'I', 'F', 'F', 30, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L',
	10, 0, 0, 0, 0x2f, 0x01, 0x80, 0x00, 0x00, 0, 0, 0, 0, 0 };	/* 2x3 */

START_TEST(sniffs_kinds)
{
	uint32_t w, h;

	ck_assert_int_eq(media_sniff(png, sizeof png), MEDIA_PNG);
	ck_assert_int_eq(media_sniff(gif, sizeof gif), MEDIA_GIF);
	ck_assert_int_eq(media_sniff(jpeg, sizeof jpeg), MEDIA_JPEG);
	ck_assert_int_eq(media_sniff(webp_vp8x, sizeof webp_vp8x), MEDIA_WEBP);
	ck_assert_int_eq(media_dimensions(MEDIA_PNG, png, sizeof png, &w, &h), 0);
	ck_assert(w == 2 && h == 3);
	ck_assert_int_eq(media_dimensions(MEDIA_GIF, gif, sizeof gif, &w, &h), 0);
	ck_assert(w == 2 && h == 3);
	ck_assert_int_eq(media_dimensions(MEDIA_JPEG, jpeg, sizeof jpeg, &w, &h), 0);
	ck_assert(w == 2 && h == 3);
	ck_assert_int_eq(media_dimensions(MEDIA_WEBP, webp_vp8x, sizeof webp_vp8x, &w, &h), 0);
	ck_assert(w == 2 && h == 3);
	ck_assert_int_eq(media_dimensions(MEDIA_WEBP, webp_vp8l, sizeof webp_vp8l, &w, &h), 0);
	ck_assert_msg(w == 2 && h == 3, "%u x %u", w, h);
	ck_assert_str_eq(media_kind_name(MEDIA_WEBP), "webp");
}
END_TEST

static const struct { const char *bytes; size_t len; } others[] = {
	{ "<!DOCTYPE html><html><script>alert(1)</script>", 46 },
	{ "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 41 },
	{ "#!/bin/sh\nrm -rf /\n", 19 },
	{ "%PDF-1.7", 8 },
	{ "RIFF\x10\0\0\0WAVEfmt ", 16 },
	{ "GIF8", 4 },
	{ "\xff\xd8", 2 },
	{ "\x89PNG\r\n", 6 },
	{ "", 0 },
	{ "BM\x36\0\0\0", 6 },
	{ "II*\0", 4 },
};

START_TEST(refuses_others)
{
	ck_assert_int_eq(media_sniff(others[_i].bytes, others[_i].len), MEDIA_UNKNOWN);
}
END_TEST

START_TEST(damaged_headers)
{
	uint32_t w, h;
	unsigned char b[64];

	/* cut short */
	ck_assert_int_eq(media_dimensions(MEDIA_PNG, png, 20, &w, &h), -1);
	ck_assert_int_eq(media_dimensions(MEDIA_JPEG, jpeg, sizeof jpeg - 6, &w, &h), -1);
	ck_assert_int_eq(media_dimensions(MEDIA_GIF, gif, 8, &w, &h), -1);
	/* a zero side */
	memcpy(b, png, sizeof png);
	b[19] = 0;
	ck_assert_int_eq(media_dimensions(MEDIA_PNG, b, sizeof png, &w, &h), -1);
	/* the first chunk is not IHDR */
	memcpy(b, png, sizeof png);
	b[12] = 'X';
	ck_assert_int_eq(media_dimensions(MEDIA_PNG, b, sizeof png, &w, &h), -1);
	/* a JPEG scan before any frame header */
	static const unsigned char sos[] = { 0xff, 0xd8, 0xff, 0xda, 0, 2, 0 };
	ck_assert_int_eq(media_dimensions(MEDIA_JPEG, sos, sizeof sos, &w, &h), -1);
	/* a JPEG segment claiming more than there is */
	static const unsigned char longseg[] = { 0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0 };
	ck_assert_int_eq(media_dimensions(MEDIA_JPEG, longseg, sizeof longseg, &w, &h), -1);
	/* a bomb is read as declared, for the caller to refuse */
	memcpy(b, png, sizeof png);
	b[16] = 0; b[17] = 0; b[18] = 0x75; b[19] = 0x30;	/* 30000 */
	b[20] = 0; b[21] = 0; b[22] = 0x75; b[23] = 0x30;
	ck_assert_int_eq(media_dimensions(MEDIA_PNG, b, sizeof png, &w, &h), 0);
	ck_assert(w == 30000 && h == 30000);
}
END_TEST

START_TEST(plans_widths)
{
	int w[MEDIA_NWIDTHS];
	size_t n;

	n = media_plan_widths(2000, w);
	ck_assert_uint_eq(n, 4);
	ck_assert(w[0] == 160 && w[1] == 480 && w[2] == 960 && w[3] == 1600);
	n = media_plan_widths(1600, w);
	ck_assert_uint_eq(n, 4);
	ck_assert(w[3] == 1600);
	n = media_plan_widths(700, w);
	ck_assert_uint_eq(n, 3);
	ck_assert(w[0] == 160 && w[1] == 480 && w[2] == 700);
	n = media_plan_widths(50, w);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(w[0], 50);
}
END_TEST

static Suite *
sniff_suite(void)
{
	Suite *s = suite_create("media_sniff");
	TCase *tc = tcase_create("sniff");

	tcase_add_test(tc, sniffs_kinds);
	tcase_add_loop_test(tc, refuses_others, 0, NROWS(others));
	tcase_add_test(tc, damaged_headers);
	tcase_add_test(tc, plans_widths);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_run(sniff_suite());
}
