/*
 * log.c — JSON lines on stderr (log.h).
 *
 * One line per request and structured lines for errors.  Every string that
 * a client can influence is escaped as JSON, control characters included,
 * so a line can never be split or forged.  The level is checked before any
 * formatting happens.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "http.h"
#include "log.h"

static const char *component = "ecommerce";
static log_level   threshold = LOG_INFO;
static const char *current_request_id;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_init(const char *comp, const char *level)
{
	component = comp;
	for (int i = 0; i <= LOG_ERROR; i++)
		if (level != NULL && strcmp(level, level_names[i]) == 0)
			threshold = (log_level)i;
}

int
log_enabled(log_level lv)
{
	return lv >= threshold;
}

void
log_set_request_id(const char *id)
{
	current_request_id = id;
}

static void
put_str(buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)(s != NULL ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)*p);
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
			buf_append(b, esc, sizeof esc);
		} else {
			buf_putc(b, (char)*p);
		}
	}
	buf_putc(b, '"');
}

static void
line_start(buf *b, log_level lv)
{
	struct timespec ts;
	struct tm tm;
	char when[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"component\":", when,
	    ts.tv_nsec / 1000000, level_names[lv]);
	put_str(b, component);
}

static void
line_end(buf *b)
{
	buf_puts(b, "}\n");
	if (!b->oom)
		fwrite(b->data, 1, b->len, stderr);
	buf_free(b);
}

void
log_msg(log_level lv, const char *fmt, ...)
{
	buf b = BUF_INIT;
	char msg[1024];
	va_list ap;

	if (!log_enabled(lv))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	line_start(&b, lv);
	if (current_request_id != NULL) {
		buf_puts(&b, ",\"request_id\":");
		put_str(&b, current_request_id);
	}
	buf_puts(&b, ",\"msg\":");
	put_str(&b, msg);
	line_end(&b);
}

void
log_fields(log_level lv, const char *msg, json_object *fields)
{
	buf b = BUF_INIT;

	if (!log_enabled(lv))
		return;
	line_start(&b, lv);
	if (current_request_id != NULL) {
		buf_puts(&b, ",\"request_id\":");
		put_str(&b, current_request_id);
	}
	buf_puts(&b, ",\"msg\":");
	put_str(&b, msg);
	json_object_object_foreach(fields, key, val) {
		buf_puts(&b, ",");
		put_str(&b, key);
		buf_puts(&b, ":");
		/* json-c writes valid, escaped JSON (no raw control bytes) */
		buf_puts(&b, json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
	}
	line_end(&b);
}

void
log_request(const request *r, int status, long duration_us)
{
	buf b = BUF_INIT;
	log_level lv = status >= 500 ? LOG_ERROR : LOG_INFO;

	if (!log_enabled(lv))
		return;
	line_start(&b, lv);
	buf_puts(&b, ",\"request_id\":");
	put_str(&b, r->request_id);
	buf_puts(&b, ",\"method\":");
	put_str(&b, r->method);
	buf_puts(&b, ",\"path\":");
	put_str(&b, r->path);
	buf_printf(&b, ",\"status\":%d,\"duration_us\":%ld", status, duration_us);
	if (r->user_id != NULL) {
		buf_puts(&b, ",\"user_id\":");
		put_str(&b, r->user_id);
	}
	line_end(&b);
}
