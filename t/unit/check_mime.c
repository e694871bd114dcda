/*
 * check_mime.c — building an e-mail (lib/notification/mime.c): the
 * headers of a multipart/alternative message, RFC 2047 encoded-words for
 * non-ASCII subjects and names (decoded back and compared, and never
 * splitting a UTF-8 character), and header injection refused: CR, LF or
 * another control character in a subject or a name, and anything but a
 * plain addr-spec as an address.  Bodies get CRLF line ends and a line
 * over 998 bytes is refused.  Dot-stuffing is libcurl's while sending,
 * proved against a real SMTP exchange in check_notifications.
 *
 * Table-driven where it is a table: each row carries its __LINE__.
 */
#include <string.h>
#include <check.h>

#include "../check_run.h"

#include "core/util.h"
#include "notification/notification.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static mime_parts
base(void)
{
	mime_parts p = { "Northwind Goods", "no-reply@shop.example", "ada@example.com",
	    "Your order EC-2026-000001", "Hello\nworld\n", "<p>Hello</p>\n",
	    "0b7c3a52-1f7e-4a7e-9a55-5b1c0e6d9c11@shop.example", 1795000000 };

	return p;
}

/* Decode the base64 of every "=?UTF-8?B?...?=" in s, joined. */
static void
decode_words(const char *s, char *out, size_t cap)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	while ((s = strstr(s, "=?UTF-8?B?")) != NULL) {
		unsigned v = 0;
		int bits = 0;

		s += 10;
		for (; *s && *s != '?'; s++) {
			const char *p = strchr(b64, *s);

			if (*s == '=' || p == NULL)
				continue;
			v = v << 6 | (unsigned)(p - b64);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				ck_assert(o + 1 < cap);
				out[o++] = (char)(v >> bits & 0xff);
			}
		}
	}
	out[o] = '\0';
}

static char *
build(const mime_parts *p, ecode want)
{
	static char text[65536];
	buf b = BUF_INIT;
	error e;
	ecode rc;

	err_clear(&e);
	rc = mime_build(p, &b, &e);
	ck_assert_msg(rc == want, "mime_build: %d (%s), want %d", rc, e.message, want);
	snprintf(text, sizeof text, "%.*s", (int)b.len, b.data ? b.data : "");
	buf_free(&b);
	return text;
}

START_TEST(headers_and_parts)
{
	mime_parts p = base();
	char *m = build(&p, E_OK), *text, *html;

	ck_assert_str_eq(strstr(m, "From: ") == m ? "ok" : "no", "ok");
	ck_assert_ptr_nonnull(strstr(m, "From: \"Northwind Goods\" <no-reply@shop.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nTo: <ada@example.com>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nSubject: Your order EC-2026-000001\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nDate: "));
	ck_assert_ptr_nonnull(strstr(m, "+0000\r\n"));
	ck_assert_ptr_nonnull(strstr(m,
	    "\r\nMessage-ID: <0b7c3a52-1f7e-4a7e-9a55-5b1c0e6d9c11@shop.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(m, "Content-Type: multipart/alternative; boundary=\"=_"));
	/* text first, HTML last; bodies with CRLF */
	text = strstr(m, "Content-Type: text/plain; charset=utf-8\r\n");
	html = strstr(m, "Content-Type: text/html; charset=utf-8\r\n");
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(html);
	ck_assert(text < html);
	ck_assert_ptr_nonnull(strstr(text, "\r\n\r\nHello\r\nworld\r\n--=_"));
	ck_assert_ptr_nonnull(strstr(html, "\r\n\r\n<p>Hello</p>\r\n--=_"));
	ck_assert_ptr_nonnull(strstr(m, "--\r\n"));
	/* no bare LF anywhere */
	for (char *q = m; *q; q++)
		if (*q == '\n')
			ck_assert_msg(q > m && q[-1] == '\r', "bare LF at %td", q - m);
}
END_TEST

static const struct {
	int         line;
	const char *subject;
	bool        encoded;
} subjects[] = {
	{ __LINE__, "Plain ASCII subject", false },
	{ __LINE__, "Zoë’s Café & Co — your order", true },
	{ __LINE__, "日本語の件名とても長い件名です、日本語の件名とても長い件名です、日本語の件名とても長い件名です", true },
	/* looks like an encoded-word: encoded so a reader cannot be fooled */
	{ __LINE__, "=?UTF-8?B?ZmFrZQ==?=", true },
};

START_TEST(rfc2047_subjects)
{
	mime_parts p = base();
	char *m, *line, *end, got[2048], header[4096];
	size_t n;

	p.subject = subjects[_i].subject;
	m = build(&p, E_OK);
	ck_assert_ptr_nonnull(line = strstr(m, "\r\nSubject: "));
	line += 11;
	/* the header runs until a CRLF not followed by a space (folding) */
	for (end = line; !(end[0] == '\r' && end[1] == '\n' && end[2] != ' '); end++)
		;
	n = (size_t)(end - line);
	ck_assert(n < sizeof header);
	memcpy(header, line, n);
	header[n] = '\0';
	if (!subjects[_i].encoded) {
		ck_assert_str_eq(header, subjects[_i].subject);
		return;
	}
	ck_assert_msg(strncmp(header, "=?UTF-8?B?", 10) == 0, "line %d: %s", subjects[_i].line,
	    header);
	/* each folded line is at most 76 characters (RFC 2047 §2) */
	for (char *s = header, *nl; s != NULL; s = nl != NULL ? nl + 2 : NULL) {
		nl = strstr(s, "\r\n");
		ck_assert_msg((nl != NULL ? (size_t)(nl - s) : strlen(s)) <= 76, "line %d: long word",
		    subjects[_i].line);
	}
	decode_words(header, got, sizeof got);
	ck_assert_str_eq(got, subjects[_i].subject);
}
END_TEST

/* each word decodes to whole UTF-8 characters */
START_TEST(words_keep_characters_whole)
{
	buf b = BUF_INIT;
	char word[256], got[256];
	const char *s;

	mime_encoded_words(&b, "ééééééééééééééééééééééééééééééééééééééééé€€€€€€");
	buf_putc(&b, '\0');
	for (s = b.data; (s = strstr(s, "=?UTF-8?B?")) != NULL; s += 10) {
		const char *end = strstr(s, "?=");

		ck_assert_ptr_nonnull(end);
		snprintf(word, sizeof word, "%.*s", (int)(end - s + 2), s);
		decode_words(word, got, sizeof got);
		ck_assert_msg(((unsigned char)got[0] & 0xC0) != 0x80, "word starts mid-character");
		ck_assert_msg(((unsigned char)got[strlen(got) - 1] & 0x80) == 0 ||
		    ((unsigned char)got[strlen(got) - 1] & 0xC0) == 0x80, "word ends mid-character");
	}
	buf_free(&b);
}
END_TEST

static const struct {
	int         line;
	const char *to, *subject, *from_name;
} injections[] = {
	{ __LINE__, "ada@example.com", "Hello\r\nBcc: victim@example.com", "Shop" },
	{ __LINE__, "ada@example.com", "Hello\nBcc: victim@example.com", "Shop" },
	{ __LINE__, "ada@example.com", "Hello\rX: y", "Shop" },
	{ __LINE__, "ada@example.com", "tab\there", "Shop" },
	{ __LINE__, "ada@example.com", "Hello", "Shop\r\nBcc: victim@example.com" },
	{ __LINE__, "ada@example.com\r\nBcc: victim@example.com", "Hello", "Shop" },
	{ __LINE__, "ada@example.com>, <victim@example.com", "Hello", "Shop" },
	{ __LINE__, "Ada <ada@example.com>", "Hello", "Shop" },
	{ __LINE__, "ada@example.com,victim@example.com", "Hello", "Shop" },
	{ __LINE__, "no-at-sign", "Hello", "Shop" },
	{ __LINE__, "a@b@c", "Hello", "Shop" },
	{ __LINE__, "zoë@example.com", "Hello", "Shop" },
	{ __LINE__, "", "Hello", "Shop" },
};

START_TEST(header_injection_refused)
{
	mime_parts p = base();
	buf b = BUF_INIT;
	error e;

	p.to = injections[_i].to;
	p.subject = injections[_i].subject;
	p.from_name = injections[_i].from_name;
	err_clear(&e);
	ck_assert_msg(mime_build(&p, &b, &e) == E_INVALID_INPUT, "line %d was accepted",
	    injections[_i].line);
	buf_free(&b);
}
END_TEST

START_TEST(quoted_and_encoded_names)
{
	mime_parts p = base();
	char *m;

	p.from_name = "Ada \"the\" Shop\\";
	m = build(&p, E_OK);
	ck_assert_ptr_nonnull(strstr(m, "From: \"Ada \\\"the\\\" Shop\\\\\" <no-reply@shop.example>"));
	p.from_name = "Zoë's Café & Co";
	m = build(&p, E_OK);
	ck_assert_ptr_nonnull(strstr(m, "From: =?UTF-8?B?Wm/DqydzIENhZsOpICYgQ28=?= <no-reply@"));
}
END_TEST

START_TEST(long_lines_refused)
{
	static char text[1200];
	mime_parts p = base();

	memset(text, 'x', 998);
	text[998] = '\0';
	p.text = text;
	build(&p, E_OK);
	text[998] = 'x';
	text[999] = '\0';
	build(&p, E_INVALID_INPUT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mime");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, headers_and_parts);
	tcase_add_loop_test(tc, rfc2047_subjects, 0, NROWS(subjects));
	tcase_add_test(tc, words_keep_characters_whole);
	tcase_add_loop_test(tc, header_injection_refused, 0, NROWS(injections));
	tcase_add_test(tc, quoted_and_encoded_names);
	tcase_add_test(tc, long_lines_refused);
	suite_add_tcase(s, tc);
	return check_run(s);
}
