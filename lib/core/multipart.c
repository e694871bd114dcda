/*
 * multipart.c — the streaming multipart/form-data parser (multipart.h).
 *
 * A byte-driven state machine.  The delimiter is "\r\n--" + boundary; the
 * first one may come without the CRLF (the body starts with it), so the
 * matcher starts as if the CRLF had been seen.  A boundary cannot hold CR
 * (mp_boundary refuses it), so on a mismatch the only place a new match
 * can start is the mismatching byte itself: no backtracking table needed,
 * and the bytes matched so far are plain data.  Between delimiters a run
 * without CR is copied in one go, so a large file costs a memchr and a
 * memcpy per chunk, not a call per byte.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "parse.h"

enum mp_state {
	S_DELIM,	/* in the preamble or a part's data, watching for the delimiter */
	S_AFTER,	/* right after a delimiter: "--" (close) or padding + CRLF */
	S_AFTER_DASH,	/* saw one '-' */
	S_AFTER_CR,	/* saw padding and CR */
	S_HEADERS,	/* a part's header block */
	S_DONE,		/* after the close delimiter: the epilogue, dropped */
	S_FAILED
};

#define MAX_PADDING 64	/* transport padding after a delimiter (RFC 2046 LWSP) */

struct mp_parser {
	arena  *a;
	enum mp_state st;
	char    delim[MP_MAX_BOUNDARY + 5];
	size_t  dlen, m;		/* delimiter length, bytes of it matched */
	size_t  total, max_total, max_parts, max_field;
	size_t  padding;
	char    hbuf[MP_MAX_HEADER];
	size_t  hlen;
	mp_part *parts;
	size_t  nparts;
	mp_part *cur;			/* the part receiving data, or NULL (preamble) */
	char   *data;			/* cur's bytes so far */
	size_t  cap;
	error   err;			/* the sticky refusal */
};

static ecode
fail(mp_parser *p, error *e, ecode code, const char *msg)
{
	p->st = S_FAILED;
	err_set(&p->err, code, "%s", msg);
	return err_set(e, code, "%s", msg);
}

/* RFC 2046 bcharsnospace, plus space inside. */
static bool
bchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    strchr("'()+_,-./:=? ", c) != NULL;
}

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool
tchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * One parameter value at *s: a token or a quoted-string (with \-escapes),
 * at most cap - 1 bytes, into out.  Advances *s; -1 if malformed or long.
 */
static int
param_value(const char **s, char *out, size_t cap)
{
	const char *q = *s;
	size_t n = 0;

	if (*q == '"') {
		for (q++; *q != '"'; q++) {
			if (*q == '\0')
				return -1;
			if (*q == '\\' && q[1] != '\0')
				q++;
			if (n + 1 >= cap)
				return -1;
			out[n++] = *q;
		}
		q++;
	} else {
		for (; tchar(*q); q++) {
			if (n + 1 >= cap)
				return -1;
			out[n++] = *q;
		}
		if (n == 0)
			return -1;
	}
	out[n] = '\0';
	*s = q;
	return 0;
}

ecode
mp_boundary(const char *ct, char *out, error *e)
{
	static const char want[] = "multipart/form-data";
	const char *s;
	bool found = false;

	if (ct == NULL || strncasecmp(ct, want, sizeof want - 1) != 0 ||
	    (ct[sizeof want - 1] != '\0' && ct[sizeof want - 1] != ';' &&
	    ct[sizeof want - 1] != ' ' && ct[sizeof want - 1] != '\t'))
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "send the form as multipart/form-data");
	s = skip_ws(ct + sizeof want - 1);
	while (*s == ';') {
		char name[32], val[MP_MAX_BOUNDARY + 2];
		size_t n = 0;

		s = skip_ws(s + 1);
		while (tchar(*s) && n + 1 < sizeof name)
			name[n++] = *s++;
		name[n] = '\0';
		if (n == 0 || *s != '=')
			return err_set(e, E_INVALID_INPUT, "malformed Content-Type parameters");
		s++;
		if (param_value(&s, val, sizeof val) != 0)
			return err_set(e, E_INVALID_INPUT,
			    "malformed Content-Type parameter (a boundary has at most 70 characters)");
		if (strcasecmp(name, "boundary") == 0) {
			size_t bl = strlen(val);
			if (found)
				return err_set(e, E_INVALID_INPUT, "more than one multipart boundary");
			if (bl == 0 || bl > MP_MAX_BOUNDARY || val[bl - 1] == ' ')
				return err_set(e, E_INVALID_INPUT, "the multipart boundary must have 1 to 70 characters");
			for (size_t i = 0; i < bl; i++)
				if (!bchar(val[i]))
					return err_set(e, E_INVALID_INPUT,
					    "the multipart boundary holds a character RFC 2046 does not allow");
			memcpy(out, val, bl + 1);
			found = true;
		}
		s = skip_ws(s);
	}
	if (*s != '\0')
		return err_set(e, E_INVALID_INPUT, "malformed Content-Type parameters");
	if (!found)
		return err_set(e, E_INVALID_INPUT, "multipart/form-data without a boundary parameter");
	return E_OK;
}

mp_parser *
mp_new(arena *a, const char *boundary, const mp_limits *lim, error *e)
{
	mp_parser *p = arena_calloc(a, 1, sizeof *p);
	size_t bl = strlen(boundary);

	if (p == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	if (bl == 0 || bl > MP_MAX_BOUNDARY) {
		err_set(e, E_INVALID_INPUT, "the multipart boundary must have 1 to 70 characters");
		return NULL;
	}
	for (size_t i = 0; i < bl; i++)
		if (!bchar(boundary[i])) {
			err_set(e, E_INVALID_INPUT, "the multipart boundary holds a character RFC 2046 does not allow");
			return NULL;
		}
	p->a = a;
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, boundary, bl);
	p->dlen = 4 + bl;
	p->m = 2;	/* the body may start with "--boundary" */
	p->st = S_DELIM;
	p->max_total = lim != NULL ? lim->max_total : 0;
	p->max_parts = lim != NULL && lim->max_parts ? lim->max_parts : MP_MAX_PARTS;
	p->max_field = lim != NULL && lim->max_field ? lim->max_field : MP_MAX_FIELD;
	p->parts = arena_calloc(a, p->max_parts, sizeof *p->parts);
	if (p->parts == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	err_clear(&p->err);
	return p;
}

/* Append part data (nothing in the preamble). */
static ecode
emit(mp_parser *p, const char *d, size_t n, error *e)
{
	size_t need;

	if (p->cur == NULL || n == 0)
		return E_OK;
	need = p->cur->len + n;
	if (p->cur->filename == NULL && need > p->max_field)
		return fail(p, e, E_PAYLOAD_TOO_LARGE, "a form field is too long");
	if (need + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		char *nd;
		while (cap < need + 1)
			cap *= 2;
		if ((nd = arena_alloc(p->a, cap)) == NULL)
			return fail(p, e, E_INTERNAL, "out of memory");
		if (p->cur->len > 0)
			memcpy(nd, p->data, p->cur->len);
		p->data = nd;
		p->cap = cap;
	}
	memcpy(p->data + p->cur->len, d, n);
	p->cur->len = need;
	return E_OK;
}

/* The current part's data is complete. */
static ecode
end_part(mp_parser *p, error *e)
{
	mp_part *c = p->cur;

	if (c == NULL)
		return E_OK;
	p->cur = NULL;
	if (p->data == NULL)
		c->data = "";
	else {
		p->data[c->len] = '\0';
		c->data = p->data;
	}
	p->data = NULL;
	p->cap = 0;
	if (c->filename == NULL && (memchr(c->data, '\0', c->len) != NULL ||
	    !utf8_valid(c->data, c->len)))
		return fail(p, e, E_INVALID_INPUT, "form fields must be valid UTF-8 without NUL bytes");
	return E_OK;
}

/* A name or filename: no control characters, valid UTF-8. */
static bool
safe_text(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return utf8_valid(s, n);
}

/* Content-Disposition: form-data; name="x"; filename="y" */
static ecode
disposition(mp_parser *p, mp_part *part, const char *v, error *e)
{
	static const char fd[] = "form-data";
	const char *s = v;
	bool have_name = false, have_file = false;

	if (strncasecmp(s, fd, sizeof fd - 1) != 0 || tchar(s[sizeof fd - 1]))
		return fail(p, e, E_INVALID_INPUT, "a part's Content-Disposition must be form-data");
	s = skip_ws(s + sizeof fd - 1);
	while (*s == ';') {
		char name[16], val[MP_MAX_NAME + 1];
		size_t n = 0;

		s = skip_ws(s + 1);
		while (tchar(*s) && n + 1 < sizeof name)
			name[n++] = *s++;
		name[n] = '\0';
		s = skip_ws(s);
		if (n == 0 || *s != '=')
			return fail(p, e, E_INVALID_INPUT, "malformed Content-Disposition parameters");
		s = skip_ws(s + 1);
		if (param_value(&s, val, sizeof val) != 0)
			return fail(p, e, E_INVALID_INPUT,
			    "malformed Content-Disposition (names and filenames have at most 256 bytes)");
		if (strcasecmp(name, "name") == 0 || strcasecmp(name, "filename") == 0) {
			bool isname = strcasecmp(name, "name") == 0;
			if (isname ? have_name : have_file)
				return fail(p, e, E_INVALID_INPUT, "a part names its field or file twice");
			if (!safe_text(val))
				return fail(p, e, E_INVALID_INPUT,
				    "field names and filenames must be UTF-8 without control characters");
			const char *copy = arena_strdup(p->a, val);
			if (copy == NULL)
				return fail(p, e, E_INTERNAL, "out of memory");
			if (isname) {
				part->name = copy;
				have_name = true;
			} else {
				part->filename = copy;
				have_file = true;
			}
		}
		s = skip_ws(s);
	}
	if (*s != '\0')
		return fail(p, e, E_INVALID_INPUT, "malformed Content-Disposition parameters");
	if (!have_name)
		return fail(p, e, E_INVALID_INPUT, "a part has no field name");
	return E_OK;
}

/* The header block in hbuf (ending CRLF CRLF, or a lone CRLF) starts a part. */
static ecode
begin_part(mp_parser *p, error *e)
{
	mp_part *part;
	char *line, *end;
	bool have_cd = false, have_ct = false;

	if (p->nparts == p->max_parts)
		return fail(p, e, E_PAYLOAD_TOO_LARGE, "too many parts in the multipart body");
	part = &p->parts[p->nparts];
	memset(part, 0, sizeof *part);
	part->content_type = "";
	if (memchr(p->hbuf, '\0', p->hlen) != NULL)
		return fail(p, e, E_INVALID_INPUT, "a part header holds a NUL byte");
	p->hbuf[p->hlen - 2] = '\0';	/* drop the final CRLF: lines end with CRLF */
	for (line = p->hbuf; *line != '\0'; line = end + 2) {
		char *colon, *v, *t;

		end = strstr(line, "\r\n");
		if (end == NULL)
			return fail(p, e, E_INVALID_INPUT, "malformed part header");
		*end = '\0';
		if (line[0] == ' ' || line[0] == '\t')
			return fail(p, e, E_INVALID_INPUT, "folded part headers are not accepted");
		if (strpbrk(line, "\r\n") != NULL || !utf8_valid(line, strlen(line)))
			return fail(p, e, E_INVALID_INPUT, "a part header holds a bare CR or LF or invalid UTF-8");
		for (const char *q = line; *q != '\0'; q++)
			if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
				return fail(p, e, E_INVALID_INPUT, "a part header holds a control character");
		colon = line;
		while (tchar(*colon))
			colon++;
		if (colon == line || *colon != ':')
			return fail(p, e, E_INVALID_INPUT, "malformed part header");
		*colon = '\0';
		v = (char *)skip_ws(colon + 1);
		for (t = v + strlen(v); t > v && (t[-1] == ' ' || t[-1] == '\t'); t--)
			;
		*t = '\0';
		if (strcasecmp(line, "Content-Disposition") == 0) {
			if (have_cd)
				return fail(p, e, E_INVALID_INPUT, "a part has two Content-Disposition headers");
			have_cd = true;
			if (disposition(p, part, v, e) != E_OK)
				return e->code;
		} else if (strcasecmp(line, "Content-Type") == 0) {
			if (have_ct)
				return fail(p, e, E_INVALID_INPUT, "a part has two Content-Type headers");
			have_ct = true;
			if ((part->content_type = arena_strdup(p->a, v)) == NULL)
				return fail(p, e, E_INTERNAL, "out of memory");
		}
		/* other headers (Content-Transfer-Encoding, ...) are ignored */
	}
	if (!have_cd)
		return fail(p, e, E_INVALID_INPUT, "a part has no Content-Disposition header");
	p->nparts++;
	p->cur = part;
	p->data = NULL;
	p->cap = 0;
	p->hlen = 0;
	return E_OK;
}

ecode
mp_feed(mp_parser *p, const char *d, size_t n, error *e)
{
	size_t i = 0;

	if (p->st == S_FAILED) {
		*e = p->err;
		return e->code;
	}
	if (p->max_total != 0 && (n > p->max_total || p->total > p->max_total - n))
		return fail(p, e, E_PAYLOAD_TOO_LARGE, "the multipart body is too large");
	p->total += n;
	while (i < n) {
		char c = d[i];

		switch (p->st) {
		case S_DELIM:
			if (p->m == 0) {
				/* a run without CR is data */
				const char *cr = memchr(d + i, '\r', n - i);
				size_t run = cr != NULL ? (size_t)(cr - (d + i)) : n - i;
				if (emit(p, d + i, run, e) != E_OK)
					return e->code;
				i += run;
				if (i == n)
					break;
				p->m = 1;
				i++;
				break;
			}
			if (c == p->delim[p->m]) {
				i++;
				if (++p->m == p->dlen) {
					p->m = 0;
					if (end_part(p, e) != E_OK)
						return e->code;
					p->st = S_AFTER;
					p->padding = 0;
				}
				break;
			}
			/* mismatch: what matched is data (nothing in the
			 * preamble's pretend CRLF at the start) */
			if (emit(p, p->delim, p->m, e) != E_OK)
				return e->code;
			p->m = 0;
			if (c == '\r')
				p->m = 1;
			else if (emit(p, &c, 1, e) != E_OK)
				return e->code;
			i++;
			break;
		case S_AFTER:
			i++;
			if (c == '-')
				p->st = S_AFTER_DASH;
			else if (c == '\r')
				p->st = S_AFTER_CR;
			else if ((c == ' ' || c == '\t') && ++p->padding <= MAX_PADDING)
				;
			else
				return fail(p, e, E_INVALID_INPUT, "malformed multipart delimiter line");
			break;
		case S_AFTER_DASH:
			i++;
			if (c != '-' || p->padding > 0)
				return fail(p, e, E_INVALID_INPUT, "malformed multipart delimiter line");
			p->st = S_DONE;
			break;
		case S_AFTER_CR:
			i++;
			if (c != '\n')
				return fail(p, e, E_INVALID_INPUT, "malformed multipart delimiter line");
			p->st = S_HEADERS;
			p->hlen = 0;
			break;
		case S_HEADERS:
			if (p->hlen == sizeof p->hbuf - 1)
				return fail(p, e, E_PAYLOAD_TOO_LARGE, "a part's headers are too large");
			p->hbuf[p->hlen++] = c;
			i++;
			if ((p->hlen == 2 && memcmp(p->hbuf, "\r\n", 2) == 0) ||
			    (p->hlen >= 4 && memcmp(p->hbuf + p->hlen - 4, "\r\n\r\n", 4) == 0)) {
				if (begin_part(p, e) != E_OK)
					return e->code;
				p->st = S_DELIM;
				p->m = 0;
			}
			break;
		case S_DONE:
			i = n;	/* the epilogue is dropped */
			break;
		case S_FAILED:
			*e = p->err;
			return e->code;
		}
	}
	return E_OK;
}

ecode
mp_finish(mp_parser *p, mp_part **parts, size_t *nparts, error *e)
{
	*parts = NULL;
	*nparts = 0;
	if (p->st == S_FAILED) {
		*e = p->err;
		return e->code;
	}
	if (p->st != S_DONE)
		return fail(p, e, E_INVALID_INPUT, "the multipart body ends before its closing boundary");
	*parts = p->parts;
	*nparts = p->nparts;
	return E_OK;
}

ecode
mp_parse(arena *a, const char *ct, const char *body, size_t len, const mp_limits *lim,
    mp_part **parts, size_t *nparts, error *e)
{
	char b[MP_MAX_BOUNDARY + 1];
	mp_parser *p;

	*parts = NULL;
	*nparts = 0;
	if (mp_boundary(ct, b, e) != E_OK)
		return e->code;
	if ((p = mp_new(a, b, lim, e)) == NULL)
		return e->code;
	if (mp_feed(p, body, len, e) != E_OK)
		return e->code;
	return mp_finish(p, parts, nparts, e);
}

const mp_part *
mp_find(const mp_part *parts, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}
