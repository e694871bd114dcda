/*
 * request.c — building a request from the CGI/FastCGI environment, and the
 * accessors handlers use (http.h).
 *
 * The path comes from REQUEST_URI (every server sets it the same way,
 * whatever its script-name conventions: lighttpd gives SCRIPT_NAME "/app"
 * for a "/app" prefix, "" for "/" with fix-root-scriptname, the first
 * segment for "/" without it), percent-decoded once and refused if it
 * holds NUL, invalid UTF-8 or dot segments.  Servers that leave REQUEST_URI
 * out give SCRIPT_NAME + PATH_INFO, already decoded.  Query string and
 * cookies are parsed eagerly and bounded; the body is read later, by the
 * gate that knows the route's limit.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "parse.h"
#include "request_build.h"
#include "util.h"

const char *
req_env(const request *r, const char *name)
{
	return r->getenv(r, name);
}

const char *
req_header(const request *r, const char *name)
{
	char var[128];
	size_t i = 0, o = 0;

	if (strcasecmp(name, "Content-Type") == 0)
		return req_env(r, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return req_env(r, "CONTENT_LENGTH");
	memcpy(var, "HTTP_", 5);
	o = 5;
	for (; name[i] != '\0' && o < sizeof var - 1; i++, o++)
		var[o] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
	if (name[i] != '\0')
		return NULL;
	var[o] = '\0';
	return req_env(r, var);
}

static const char *
kv_find(const kv *pairs, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(pairs[i].key, key) == 0)
			return pairs[i].val;
	return NULL;
}

const char *
req_query(const request *r, const char *key)
{
	return kv_find(r->query, r->nquery, key);
}

const char *
req_form(const request *r, const char *key)
{
	return kv_find(r->form, r->nform, key);
}

const char *
req_cookie(const request *r, const char *key)
{
	return kv_find(r->cookies, r->ncookies, key);
}

const char *
req_param(const request *r, const char *key)
{
	return kv_find(r->params, r->nparams, key);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Refuse a decoded path that could mean something else further on: it must
 * start with '/', be valid UTF-8 and hold no "." or ".." segment (lighttpd
 * resolves those before routing, but REQUEST_URI keeps them as sent).  A
 * NUL cannot reach here: decode_path refuses %00 and environment strings
 * end at the first NUL.
 */
static ecode
check_path(const char *p, size_t n, error *e)
{
	if (n == 0 || p[0] != '/' || !utf8_valid(p, n))
		return err_set(e, E_INVALID_INPUT, "the path must be valid UTF-8 starting with /");
	for (const char *q = p; (q = strstr(q, "/.")) != NULL; q++)
		if (q[2] == '/' || q[2] == '\0' || (q[2] == '.' && (q[3] == '/' || q[3] == '\0')))
			return err_set(e, E_INVALID_INPUT, "the path must not contain . or .. segments");
	return E_OK;
}

/* Percent-decode the path part of REQUEST_URI ('+' stays '+'), then check it. */
static ecode
decode_path(arena *a, const char *s, size_t n, const char **out, error *e)
{
	char *p = arena_alloc(a, n + 1), *o = p;

	if (p == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return err_set(e, E_INVALID_INPUT, "invalid percent-escape in the path");
			if (hi == 0 && lo == 0)
				return err_set(e, E_INVALID_INPUT, "the path must not contain NUL bytes");
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	if (check_path(p, (size_t)(o - p), e) != E_OK)
		return e->code;
	*out = p;
	return E_OK;
}

static int
id_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '_' && s[n] != '.')
			return 0;
	return n >= 1 && n <= 64;
}

/*
 * Servers without REQUEST_URI (it is not in RFC 3875): the path is
 * SCRIPT_NAME + PATH_INFO, which the server has already percent-decoded,
 * so it is checked but not decoded a second time ("%2541" stays "%41").
 */
static ecode
path_from_cgi(request *r, error *e)
{
	const char *sn = req_env(r, "SCRIPT_NAME"), *pi = req_env(r, "PATH_INFO");
	size_t snl = sn != NULL ? strlen(sn) : 0, pil = pi != NULL ? strlen(pi) : 0;
	char *p;

	if (snl + pil > HTTP_MAX_PATH)
		return err_set(e, E_INVALID_INPUT, "the path is longer than %d bytes", HTTP_MAX_PATH);
	p = arena_printf(r->a, "%s%s", sn != NULL ? sn : "", pi != NULL ? pi : "");
	if (p == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (check_path(p, snl + pil, e) != E_OK)
		return e->code;
	r->path = p;
	return E_OK;
}

/* X-Request-ID, else X-Correlation-ID, if it is a safe token; else a new UUID. */
static ecode
pick_request_id(request *r, error *e)
{
	const char *id = req_header(r, "X-Request-ID");
	char u[37];

	if (id == NULL || !id_ok(id))
		id = req_header(r, "X-Correlation-ID");
	if (id == NULL || !id_ok(id)) {
		if (uuid_v4(u) != 0)
			return err_set(e, E_INTERNAL, "no randomness for a request id");
		id = u;
	}
	r->request_id = arena_strdup(r->a, id);
	if (r->request_id == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

ecode
request_build(request *r, error *e)
{
	const char *m = req_env(r, "REQUEST_METHOD"), *uri = req_env(r, "REQUEST_URI");
	const char *qs = req_env(r, "QUERY_STRING"), *https;
	size_t plen;
	ecode rc;

	/* the request id first, so even a refused request can be traced */
	if ((rc = pick_request_id(r, e)) != E_OK)
		return rc;
	r->method = m != NULL ? m : "GET";
	r->path = "/";
	r->client_ip = req_env(r, "REMOTE_ADDR");
	https = req_env(r, "HTTPS");
	r->https = (https != NULL && strcasecmp(https, "on") == 0) ||
	    ((https = req_env(r, "REQUEST_SCHEME")) != NULL && strcmp(https, "https") == 0);
	r->content_type = req_env(r, "CONTENT_TYPE");
	if (r->content_type == NULL)
		r->content_type = "";
	if (strlen(r->method) > 16)
		return err_set(e, E_INVALID_INPUT, "unknown method");

	if (uri != NULL) {
		plen = strcspn(uri, "?");
		if (plen > HTTP_MAX_PATH)
			return err_set(e, E_INVALID_INPUT, "the path is longer than %d bytes", HTTP_MAX_PATH);
		if ((rc = decode_path(r->a, uri, plen, &r->path, e)) != E_OK)
			return rc;
		if (qs == NULL && uri[plen] == '?')
			qs = uri + plen + 1;
	} else if ((rc = path_from_cgi(r, e)) != E_OK) {
		return rc;
	}
	r->query_string = qs != NULL ? qs : "";
	if (strlen(r->query_string) > HTTP_MAX_QUERY)
		return err_set(e, E_INVALID_INPUT, "the query string is longer than %d bytes", HTTP_MAX_QUERY);
	rc = form_parse(r->a, r->query_string, strlen(r->query_string), HTTP_MAX_PARAMS,
	    &r->query, &r->nquery, e);
	if (rc != E_OK) {
		/* a bad query string is a bad parameter (api-v1.md), same message */
		if (e->code == E_INVALID_INPUT)
			e->code = E_INVALID_PARAMETER;
		return e->code;
	}
	return cookie_parse(r->a, req_env(r, "HTTP_COOKIE"), &r->cookies, &r->ncookies, e);
}
