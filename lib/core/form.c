/*
 * form.c — the parsers for what a client sends: url-encoded pairs (query
 * strings and form bodies), Cookie headers and JSON bodies (http.h).
 *
 * Each is strict and bounded: a malformed escape, a NUL byte, invalid UTF-8
 * or too many pairs is a 400 that names the problem, never a silent guess.
 */
#include <string.h>
#include <json-c/json.h>

#include "http.h"
#include "parse.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one %-escaped, '+'-for-space component into the arena. */
static const char *
decode(arena *a, const char *s, size_t n, error *e)
{
	char *out = arena_alloc(a, n + 1), *o = out;

	if (out == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%') {
			int hi, lo;
			if (i + 2 >= n)
				goto bad;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	if (memchr(out, '\0', (size_t)(o - out)) != NULL ||
	    !utf8_valid(out, (size_t)(o - out))) {
		err_set(e, E_INVALID_INPUT, "parameters must be valid UTF-8 without NUL bytes");
		return NULL;
	}
	return out;
bad:
	err_set(e, E_INVALID_INPUT, "invalid percent-escape in parameters");
	return NULL;
}

ecode
form_parse(arena *a, const char *s, size_t len, size_t max, kv **out,
    size_t *n, error *e)
{
	size_t count = 0, cap = 0, i = 0;
	kv *pairs;

	*out = NULL;
	*n = 0;
	if (len == 0)
		return E_OK;
	for (size_t k = 0; k < len; k++)
		if (s[k] == '&')
			cap++;
	cap++;
	if (cap > max * 2 + 1)	/* many empty segments are still too many */
		return err_set(e, E_INVALID_INPUT, "too many parameters (at most %zu)", max);
	pairs = arena_calloc(a, cap, sizeof *pairs);
	if (pairs == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	while (i <= len) {
		size_t end = i, eq;
		while (end < len && s[end] != '&')
			end++;
		if (end > i) {
			if (count == max)
				return err_set(e, E_INVALID_INPUT, "too many parameters (at most %zu)", max);
			eq = i;
			while (eq < end && s[eq] != '=')
				eq++;
			pairs[count].key = decode(a, s + i, eq - i, e);
			if (pairs[count].key == NULL)
				return e->code;
			pairs[count].val = eq < end ? decode(a, s + eq + 1, end - eq - 1, e) : "";
			if (pairs[count].val == NULL)
				return e->code;
			count++;
		}
		i = end + 1;
	}
	*out = pairs;
	*n = count;
	return E_OK;
}

ecode
cookie_parse(arena *a, const char *hdr, kv **out, size_t *n, error *e)
{
	size_t len, count = 0;
	kv *pairs;
	const char *p;

	*out = NULL;
	*n = 0;
	if (hdr == NULL || *hdr == '\0')
		return E_OK;
	len = strlen(hdr);
	if (len > HTTP_MAX_COOKIE_HDR)
		return err_set(e, E_INVALID_INPUT, "Cookie header too large");
	pairs = arena_calloc(a, HTTP_MAX_COOKIES, sizeof *pairs);
	if (pairs == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (p = hdr; *p != '\0';) {
		const char *end = strchr(p, ';'), *eq, *k, *v;
		size_t klen, vlen;

		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && eq > p) {
			k = p;
			klen = (size_t)(eq - p);
			while (klen > 0 && (k[klen - 1] == ' ' || k[klen - 1] == '\t'))
				klen--;
			v = eq + 1;
			vlen = (size_t)(end - v);
			while (vlen > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			/* more cookies than we keep: ignore the rest, as browsers send what they have */
			if (count < HTTP_MAX_COOKIES) {
				pairs[count].key = arena_strndup(a, k, klen);
				pairs[count].val = arena_strndup(a, v, vlen);
				if (pairs[count].key == NULL || pairs[count].val == NULL)
					return err_set(e, E_INTERNAL, "out of memory");
				count++;
			}
		}
		p = *end == ';' ? end + 1 : end;
	}
	*out = pairs;
	*n = count;
	return E_OK;
}

static void
json_put(void *p)
{
	json_object_put(p);
}

ecode
json_body_parse(arena *a, const char *s, size_t len, json_object **out, error *e)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;
	size_t used;

	*out = NULL;
	if (len == 0)
		return err_set(e, E_INVALID_INPUT, "request body is empty: send a JSON object");
	if (len > INT32_MAX || !utf8_valid(s, len))
		return err_set(e, E_INVALID_INPUT, "request body must be UTF-8 JSON");
	tok = json_tokener_new_ex(HTTP_MAX_JSON_DEPTH);
	if (tok == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL || jerr != json_tokener_success) {
		json_object_put(o);
		if (jerr == json_tokener_error_depth)
			return err_set(e, E_INVALID_INPUT, "JSON nested deeper than %d levels", HTTP_MAX_JSON_DEPTH);
		return err_set(e, E_INVALID_INPUT, "malformed JSON: %s", json_tokener_error_desc(jerr));
	}
	for (; used < len; used++) {
		if (s[used] != ' ' && s[used] != '\t' && s[used] != '\r' && s[used] != '\n') {
			json_object_put(o);
			return err_set(e, E_INVALID_INPUT, "malformed JSON: trailing data after the value");
		}
	}
	if (!json_object_is_type(o, json_type_object) && !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return err_set(e, E_INVALID_INPUT, "JSON body must be an object or an array");
	}
	if (arena_defer(a, json_put, o) != 0)
		return err_set(e, E_INTERNAL, "out of memory");
	*out = o;
	return E_OK;
}
