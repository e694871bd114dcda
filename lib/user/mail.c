/*
 * mail.c — e-mails rendered from templates/email/ into cfg->mail_dir.
 *
 * Until a mail transport exists, each message is one RFC 5322 file
 * (<UTC timestamp>-<uuid>.eml) that a relay, a maildir or a developer can
 * pick up.  It is written to a temporary name in the same directory and
 * renamed, so a reader never sees half a message.
 *
 * The message is multipart/alternative (RFC 2046 §5.1.4): the text part
 * first, the HTML part last (the preferred one).  Both parts are 8bit
 * UTF-8 with CRLF line ends; a line over RFC 5322's 998 bytes is refused
 * rather than silently broken.  Header values that could carry non-ASCII
 * (Subject, the store name in From) are RFC 2047 encoded-words.  The
 * subject template renders with {{{ }}} (plain text) and any line break in
 * it becomes a space, so nothing rendered can add a header.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/log.h"
#include "core/site.h"
#include "core/util.h"
#include "core/view.h"
#include "user/internal.h"

#define MAIL_LINE_MAX 998

/* Render email/<name>.<part> into b; 0 or -1 (logged). */
static int
render_part(const char *name, const char *part, json_object *ctx, buf *b)
{
	char tname[128], msg[256];

	snprintf(tname, sizeof tname, "email/%s.%s", name, part);
	if (view_init() != 0 || tmpl_render(view_templates(), tname, ctx, buf_sink, b,
	    msg, sizeof msg) != 0 || b->oom) {
		log_msg(LOG_ERROR, "mail template %s: %s", tname, b->oom ? "out of memory" : msg);
		return -1;
	}
	return 0;
}

/* The host of cfg->base_url ("shop.example" of "https://shop.example:8443/x"). */
static void
mail_host(char *out, size_t n)
{
	const char *s = strstr(cfg->base_url, "://"), *end;
	size_t len;

	s = s != NULL ? s + 3 : cfg->base_url;
	if (*s == '[') {	/* an IPv6 literal keeps its brackets */
		end = strchr(s, ']');
		end = end != NULL ? end + 1 : s + strlen(s);
	} else {
		end = s + strcspn(s, ":/?#");
	}
	len = (size_t)(end - s);
	if (len == 0 || len >= n) {
		snprintf(out, n, "%s", "localhost");
		return;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

static bool
is_ascii_printable(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	return true;
}

/*
 * s as RFC 2047 "B" encoded-words of at most 75 characters, folded with
 * CRLF SP; each word holds whole UTF-8 characters (§5: a word must not
 * split a character).
 */
static void
put_encoded_words(buf *b, const char *s)
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

/* A phrase (display name): quoted string if ASCII, else encoded-words. */
static void
put_phrase(buf *b, const char *s)
{
	if (!is_ascii_printable(s)) {
		put_encoded_words(b, s);
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

/* The subject on one line, trimmed; line breaks become spaces. */
static void
flatten(buf *b)
{
	size_t n = b->len, start = 0;

	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (b->data[i] == '\r' || b->data[i] == '\n' || b->data[i] == '\t')
			b->data[i] = ' ';
	while (start < n && b->data[start] == ' ')
		start++;
	while (n > start && b->data[n - 1] == ' ')
		n--;
	memmove(b->data, b->data + start, n - start);
	b->len = n - start;
	if (b->cap > 0)
		b->data[b->len] = '\0';
}

/* Append a body part with CRLF line ends; -1 if a line is too long. */
static int
put_body(buf *out, const buf *part)
{
	size_t line = 0;

	for (size_t i = 0; i < part->len; i++) {
		char ch = part->data[i];

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
	if (part->len > 0 && part->data[part->len - 1] != '\n')
		buf_puts(out, "\r\n");
	return 0;
}

/* mkdir -p for the mail directory (0750). */
static int
make_dirs(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof path)
		return -1;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0750) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0750) != 0 && errno != EEXIST ? -1 : 0;
}

/* Write b to dir/name through a temporary file and rename(2). */
static int
write_atomic(const char *dir, const char *name, const buf *b)
{
	char tmp[4096], final[4096];
	int fd;
	size_t off = 0;

	if (snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name) >= (int)sizeof tmp ||
	    snprintf(final, sizeof final, "%s/%s", dir, name) >= (int)sizeof final)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		return -1;
	while (off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off != b->len || fsync(fd) != 0 || close(fd) != 0) {
		if (off != b->len)
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, final) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

ecode
mail_write(arena *a, const char *to, const char *name, json_object *ctx, error *e)
{
	buf subj = BUF_INIT, txt = BUF_INIT, html = BUF_INIT, msg = BUF_INIT;
	char host[256], id[37], boundary[37], date[64], stamp[32], fname[96];
	json_object *site;
	time_t now = time(NULL);
	struct tm tm;
	ecode rc = E_INTERNAL;

	(void)a;
	/* the address was validated, but a header is no place to trust that */
	if (to == NULL || !is_ascii_printable(to) || strpbrk(to, "<>,;\"") != NULL)
		return err_set(e, E_INTERNAL, "cannot mail this address");
	if (!json_object_object_get_ex(ctx, "site", NULL) && (site = json_object_new_object()) != NULL) {
		json_object_object_add(site, "name", json_object_new_string(site_store_name()));
		json_object_object_add(site, "base_url", json_object_new_string(cfg->base_url));
		json_object_object_add(ctx, "site", site);
	}
	if (render_part(name, "subject", ctx, &subj) != 0 ||
	    render_part(name, "txt", ctx, &txt) != 0 ||
	    render_part(name, "html", ctx, &html) != 0)
		goto out;
	flatten(&subj);
	mail_host(host, sizeof host);
	if (uuid_v4(id) != 0 || uuid_v4(boundary) != 0)
		goto out;
	gmtime_r(&now, &tm);
	/* RFC 5322 §3.3 in English whatever the locale */
	{
		static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
		static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

		snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000",
		    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
		    tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	buf_puts(&msg, "From: ");
	put_phrase(&msg, site_store_name());
	/* the sender an admin set (validated as an address by lib/settings) */
	if (*site_mail_from())
		buf_printf(&msg, " <%s>\r\n", site_mail_from());
	else
		buf_printf(&msg, " <no-reply@%s>\r\n", host);
	buf_printf(&msg, "To: <%s>\r\n", to);
	buf_puts(&msg, "Subject: ");
	if (subj.len > 0 && is_ascii_printable(subj.data))
		buf_append(&msg, subj.data, subj.len);
	else if (subj.len > 0)
		put_encoded_words(&msg, subj.data);
	buf_printf(&msg, "\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n", date, id, host);
	buf_printf(&msg, "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n\r\n", boundary);
	buf_printf(&msg, "--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", boundary);
	if (put_body(&msg, &txt) != 0)
		goto too_long;
	buf_printf(&msg, "--=_%s\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n", boundary);
	if (put_body(&msg, &html) != 0)
		goto too_long;
	buf_printf(&msg, "--=_%s--\r\n", boundary);
	if (msg.oom)
		goto out;
	snprintf(fname, sizeof fname, "%s-%s.eml", stamp, id);
	if (make_dirs(cfg->mail_dir) != 0 || write_atomic(cfg->mail_dir, fname, &msg) != 0) {
		log_msg(LOG_ERROR, "mail: cannot write %s/%s: %s", cfg->mail_dir, fname, strerror(errno));
		goto out;
	}
	rc = E_OK;
	goto out;
too_long:
	log_msg(LOG_ERROR, "mail template %s: a line is longer than %d bytes", name, MAIL_LINE_MAX);
out:
	buf_free(&subj);
	buf_free(&txt);
	buf_free(&html);
	buf_free(&msg);
	if (rc != E_OK)
		return err_set(e, E_INTERNAL, "the e-mail could not be written; try again");
	return E_OK;
}
