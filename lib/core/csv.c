/*
 * csv.c — RFC 4180 reading and writing (csv.h).
 */
#include <string.h>

#include "csv.h"
#include "parse.h"

void
csv_reader_init(csv_reader *r, const char *data, size_t len)
{
	r->p = data;
	r->end = data + len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->line = 0;
	r->next_line = 1;
}

/* A formula guard written by csv_put: "'=..." reads back as "=...". */
static bool
is_guarded(const char *s, size_t n)
{
	return n >= 2 && s[0] == '\'' && strchr("=+-@\t\r", s[1]) != NULL;
}

static int
fail(error *e, size_t line, size_t col, const char *what)
{
	err_set(e, E_INVALID_INPUT, "line %zu, column %zu: %s", line, col, what);
	return -1;
}

/* Store field [s, s+n) as column col of rec. */
static int
keep(arena *a, csv_record *rec, const char *s, size_t n, size_t line, error *e)
{
	if (rec->n >= CSV_COLS_MAX)
		return fail(e, line, rec->n + 1, "too many columns (at most 64)");
	if (n > CSV_FIELD_MAX)
		return fail(e, line, rec->n + 1, "field longer than 64 KiB");
	if (memchr(s, '\0', n) != NULL)
		return fail(e, line, rec->n + 1, "contains a NUL byte");
	if (!utf8_valid(s, n))
		return fail(e, line, rec->n + 1, "not valid UTF-8 (save the file as UTF-8)");
	if (is_guarded(s, n)) {
		s++;
		n--;
	}
	if ((rec->fields[rec->n] = arena_strndup(a, s, n)) == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return -1;
	}
	rec->n++;
	return 0;
}

int
csv_next(csv_reader *r, arena *a, csv_record *rec, error *e)
{
	buf q = BUF_INIT;
	size_t line;
	int rc = 1;

	memset(rec, 0, sizeof *rec);
	/* blank lines between records carry nothing */
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r')) {
		if (*r->p == '\n')
			r->next_line++;
		r->p++;
	}
	if (r->p >= r->end)
		return 0;
	line = r->line = rec->line = r->next_line;
	if (!(rec->fields = arena_calloc(a, CSV_COLS_MAX, sizeof *rec->fields))) {
		err_set(e, E_INTERNAL, "out of memory");
		return -1;
	}
	for (;;) {
		if (r->p < r->end && *r->p == '"') {
			/* quoted: "" is a quote; line breaks are data */
			size_t start_line = r->next_line;

			buf_reset(&q);
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					rc = fail(e, start_line, rec->n + 1, "a quoted field is not closed");
					goto out;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						buf_putc(&q, '"');
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\n')
					r->next_line++;
				buf_putc(&q, *r->p++);
				if (q.len > CSV_FIELD_MAX) {
					rc = fail(e, start_line, rec->n + 1, "field longer than 64 KiB");
					goto out;
				}
			}
			if (q.oom) {
				err_set(e, E_INTERNAL, "out of memory");
				rc = -1;
				goto out;
			}
			if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
				rc = fail(e, r->next_line, rec->n + 1,
				    "text after a closing quote (a quote inside a field must be doubled)");
				goto out;
			}
			if (keep(a, rec, q.len ? q.data : "", q.len, line, e) != 0) {
				rc = -1;
				goto out;
			}
		} else {
			const char *s = r->p;

			while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
				if (*r->p == '"') {
					rc = fail(e, r->next_line, rec->n + 1,
					    "a quote inside an unquoted field (quote the whole field)");
					goto out;
				}
				r->p++;
			}
			if (keep(a, rec, s, (size_t)(r->p - s), line, e) != 0) {
				rc = -1;
				goto out;
			}
		}
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		/* end of record: CRLF, LF, a lone CR, or the end of the data */
		if (r->p < r->end && *r->p == '\r')
			r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->next_line++;
		break;
	}
out:
	buf_free(&q);
	return rc;
}

void
csv_put(buf *b, const char *s, bool first)
{
	size_t n = strlen(s);
	bool quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');
	bool guard = n > 0 && strchr("=+-@\t\r", s[0]) != NULL;

	if (!first)
		buf_putc(b, ',');
	/* a leading U+FEFF would be taken for the byte-order mark */
	quote = quote || guard || strpbrk(s, ",\"\r\n") != NULL ||
	    strncmp(s, "\xEF\xBB\xBF", 3) == 0;
	if (!quote) {
		buf_append(b, s, n);
		return;
	}
	buf_putc(b, '"');
	if (guard)
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void
csv_end(buf *b)
{
	buf_puts(b, "\r\n");
}
