/*
 * mime.c — one e-mail as an RFC 5322 message (notification.h: mime_build).
 *
 * The message is multipart/alternative (RFC 2046 §5.1.4): the text part
 * first, the HTML part last (the preferred one).  Both parts are 8bit
 * UTF-8 with CRLF line ends; a line over RFC 5322's 998 bytes is refused
 * rather than silently broken.  Header text that could carry non-ASCII
 * (Subject, the store name in From) becomes RFC 2047 encoded-words, and
 * no header value may hold CR, LF or another control character, so
 * nothing rendered from data can add a header.  Dot-stuffing (RFC 5321
 * §4.5.2) is the SMTP transport's: libcurl does it while uploading.
 */
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "notification/internal.h"

#define MAIL_LINE_MAX 998
/* a longer display name is folded as encoded-words to stay under it */
#define PHRASE_PLAIN_MAX 200

static bool
is_ascii_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

/* No C0 control (CR, LF, NUL, TAB ...) and no DEL: safe inside a header
 * once encoded. */
static bool
no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

bool
mime_address_ok(const char *s)
{
	const char *at;
	size_t n;

	if (s == NULL || (n = strlen(s)) < 3 || n > 254 || !is_ascii_printable(s) ||
	    strpbrk(s, "<>,;:\"()[]\\ ") != NULL)
		return false;
	at = strchr(s, '@');
	return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

void
mime_encoded_words(buf *b, const char *s)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), i = 0;
	bool first = true;

	while (i < n) {
		/* 45 bytes -> 60 base64 characters + 12 of framing = 72 */
		size_t take = n - i > 45 ? 45 : n - i;

		while (take < n - i && take > 0 && ((unsigned char)s[i + take] & 0xC0) == 0x80)
			take--;
		if (take == 0)
			take = n - i > 45 ? 45 : n - i;
		buf_puts(b, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		for (size_t j = 0; j < take; j += 3) {
			const unsigned char *p = (const unsigned char *)s + i + j;
			size_t rem = take - j;
			unsigned v = (unsigned)p[0] << 16 | (rem > 1 ? (unsigned)p[1] << 8 : 0) |
			    (rem > 2 ? p[2] : 0);

			buf_putc(b, b64[v >> 18 & 63]);
			buf_putc(b, b64[v >> 12 & 63]);
			buf_putc(b, rem > 1 ? b64[v >> 6 & 63] : '=');
			buf_putc(b, rem > 2 ? b64[v & 63] : '=');
		}
		buf_puts(b, "?=");
		first = false;
		i += take;
	}
}

/* A phrase (display name): a quoted string if short ASCII, else encoded-words. */
static void
put_phrase(buf *b, const char *s)
{
	if (!is_ascii_printable(s) || strlen(s) > PHRASE_PLAIN_MAX) {
		mime_encoded_words(b, s);
		return;
	}
	buf_putc(b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* Unstructured text (Subject): as is when short printable ASCII without
 * an "=?" that would read as an encoded-word, else encoded-words. */
static void
put_unstructured(buf *b, const char *s)
{
	if (is_ascii_printable(s) && strlen(s) <= 900 && strstr(s, "=?") == NULL)
		buf_puts(b, s);
	else
		mime_encoded_words(b, s);
}

/* Append a body part with CRLF line ends; -1 if a line is too long. */
static int
put_body(buf *out, const char *part)
{
	size_t line = 0, n = strlen(part);

	for (size_t i = 0; i < n; i++) {
		char ch = part[i];

		if (ch == '\r')
			continue;
		if (ch == '\n') {
			buf_puts(out, "\r\n");
			line = 0;
			continue;
		}
		if (++line > MAIL_LINE_MAX)
			return -1;
		buf_putc(out, ch);
	}
	if (n > 0 && part[n - 1] != '\n')
		buf_puts(out, "\r\n");
	return 0;
}

/* RFC 5322 §3.3 in English whatever the locale. */
static void
put_date(buf *b, int64_t when)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

ecode
mime_build(const mime_parts *p, buf *out, error *e)
{
	char boundary[37];

	if (!mime_address_ok(p->to))
		return err_set(e, E_INVALID_INPUT, "cannot mail this address");
	if (!mime_address_ok(p->from_addr))
		return err_set(e, E_INVALID_INPUT, "the sender address is not usable");
	if (!no_controls(p->subject) || !no_controls(p->from_name))
		return err_set(e, E_INVALID_INPUT, "a header holds a line break or control character");
	if (p->message_id == NULL || !is_ascii_printable(p->message_id) ||
	    strpbrk(p->message_id, "<> ") != NULL)
		return err_set(e, E_INVALID_INPUT, "bad Message-ID");
	if (uuid_v4(boundary) != 0)
		return err_set(e, E_INTERNAL, "no randomness for a boundary");
	buf_puts(out, "From: ");
	if (p->from_name != NULL && *p->from_name != '\0') {
		put_phrase(out, p->from_name);
		buf_putc(out, ' ');
	}
	buf_printf(out, "<%s>\r\nTo: <%s>\r\nSubject: ", p->from_addr, p->to);
	put_unstructured(out, p->subject);
	buf_puts(out, "\r\n");
	put_date(out, p->date);
	buf_printf(out, "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n", p->message_id);
	buf_printf(out, "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n\r\n", boundary);
	buf_printf(out, "--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", boundary);
	if (put_body(out, p->text) != 0)
		return err_set(e, E_INVALID_INPUT, "a line is longer than %d bytes", MAIL_LINE_MAX);
	buf_printf(out, "--=_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", boundary);
	if (put_body(out, p->html) != 0)
		return err_set(e, E_INVALID_INPUT, "a line is longer than %d bytes", MAIL_LINE_MAX);
	buf_printf(out, "--=_%s--\r\n", boundary);
	if (out->oom)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}
