/*
 * response.c — headers and cookies of the buffered response (http.h).
 *
 * Every header goes through resp_header(), which refuses CR, LF and every
 * other control byte but tab in values, and anything but a token in names:
 * response splitting cannot happen whatever a handler passes in.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?={}", c) != NULL)
			return 0;
	}
	return 1;
}

/* RFC 9110 §5.5: a field value is visible characters, obs-text, space and
 * tab; any other control byte (CR and LF above all) is refused. */
static int
is_safe_value(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

int
resp_header(response *res, const char *name, const char *value)
{
	header *h;

	if (name == NULL || value == NULL || !is_token(name) || !is_safe_value(value))
		return -1;
	h = arena_alloc(res->a, sizeof *h);
	if (h == NULL)
		return -1;
	h->name = arena_strdup(res->a, name);
	h->value = arena_strdup(res->a, value);
	if (h->name == NULL || h->value == NULL)
		return -1;
	h->next = NULL;
	if (res->last != NULL)
		res->last->next = h;
	else
		res->headers = h;
	res->last = h;
	return 0;
}

int
resp_set_header(response *res, const char *name, const char *value)
{
	header **pp = &res->headers, *prev = NULL;

	if (name == NULL || value == NULL || !is_token(name) || !is_safe_value(value))
		return -1;
	while (*pp != NULL) {
		if (strcasecmp((*pp)->name, name) == 0) {
			*pp = (*pp)->next;
			continue;
		}
		prev = *pp;
		pp = &(*pp)->next;
	}
	res->last = prev;
	return resp_header(res, name, value);
}

int
resp_redirect(response *res, int status, const char *location)
{
	/* only site-relative paths ("/x", not "//host") or http(s) URLs */
	int ok = (location[0] == '/' && location[1] != '/' && location[1] != '\\') ||
	    strncmp(location, "https://", 8) == 0 || strncmp(location, "http://", 7) == 0;

	/* browsers drop tab and newline inside a URL (WHATWG URL parsing), so
	 * "/\t/evil.example" would be followed as "//evil.example": no space
	 * or control byte at all in a location */
	for (const char *p = location; ok && *p != '\0'; p++)
		ok = (unsigned char)*p > 0x20 && *p != 0x7f;
	if (!ok || status < 300 || status > 399)
		return -1;
	if (resp_set_header(res, "Location", location) != 0)
		return -1;
	res->status = status;
	return 0;
}

int
resp_cookie(response *res, const char *name, const char *value, const char *attrs)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(value);
	char *enc = arena_alloc(res->a, n * 3 + 1), *o = enc, *line;

	if (enc == NULL || !is_token(name))
		return -1;
	/* RFC 6265 cookie-octet; everything else percent-encoded */
	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '"' && *p != ',' && *p != ';' &&
		    *p != '\\' && *p != '%') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	line = arena_printf(res->a, "%s=%s%s%s", name, enc,
	    attrs != NULL && *attrs != '\0' ? "; " : "", attrs != NULL ? attrs : "");
	if (line == NULL)
		return -1;
	return resp_header(res, "Set-Cookie", line);
}
