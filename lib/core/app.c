/*
 * app.c — the responder's loop: accept, build the request, run the gates
 * from the route row, call the handler, send the buffered reply (app.h).
 *
 * Per-request state lives in one arena and one body buffer; request_reset()
 * clears both at the end of every iteration, so nothing leaks from one
 * request into the next.  Under plain CGI the same path runs once, reading
 * the environment and stdin and writing stdout.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <fcgiapp.h>

#include "app.h"
#include "auth/auth.h"
#include "auth/ratelimit.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "parse.h"
#include "redis.h"
#include "request_build.h"
#include "util.h"
#include "view.h"

static const app *the_app;
static arena *req_arena;
static buf body_buf = BUF_INIT;
static buf head_buf = BUF_INIT;
static FCGX_Request fcgi;
static int is_cgi;
static volatile sig_atomic_t stopping;

/* ECOM_CORS_ORIGINS, parsed once: the only origins a JSON reply names in
 * Access-Control-Allow-Origin. */
#define CORS_MAX_ORIGINS 32
#define CORS_MAX_ORIGIN  255
static char cors_origins[CORS_MAX_ORIGINS][CORS_MAX_ORIGIN + 1];
static size_t ncors;

/* What a cross-origin caller may send and read (api-v1.md headers). */
#define CORS_ALLOW_HEADERS  "Authorization, Content-Type, Idempotency-Key, X-Request-ID"
#define CORS_EXPOSE_HEADERS "X-Request-ID, Retry-After, X-RateLimit-Limit, " \
	"X-RateLimit-Remaining, X-RateLimit-Reset, Location"
#define CORS_MAX_AGE        "600"

static const char *
env_fcgi(const request *r, const char *name)
{
	(void)r;
	return FCGX_GetParam(name, fcgi.envp);
}

static const char *
env_cgi(const request *r, const char *name)
{
	(void)r;
	return getenv(name);
}

static size_t
read_body(char *dst, size_t n)
{
	size_t got = 0;

	while (got < n) {
		if (is_cgi) {
			size_t k = fread(dst + got, 1, n - got, stdin);
			if (k == 0)
				break;
			got += k;
		} else {
			int chunk = n - got > 65536 ? 65536 : (int)(n - got);
			int k = FCGX_GetStr(dst + got, chunk, fcgi.in);
			if (k <= 0)
				break;
			got += (size_t)k;
		}
	}
	return got;
}

static int
write_out(const char *p, size_t n)
{
	if (is_cgi)
		return fwrite(p, 1, n, stdout) == n ? 0 : -1;
	while (n > 0) {
		int chunk = n > 1 << 20 ? 1 << 20 : (int)n;
		if (FCGX_PutStr(p, chunk, fcgi.out) < 0)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

void
resp_stream(response *res, int (*fn)(response *res, void *ud), void *ud)
{
	res->stream = fn;
	res->stream_ud = ud;
}

int
resp_write(response *res, const char *data, size_t n)
{
	(void)res;
	return write_out(data, n);
}

void
app_render_error(request *req, response *res, const error *e)
{
	int status = ecode_status(e->code);

	res->stream = NULL;	/* an error page replaces whatever was to stream */
	if (e->code == E_INTERNAL || e->code == E_UNAVAILABLE)
		log_msg(LOG_ERROR, "%s %s: %s", req->method, req->path, e->message);
	if (the_app->kind == APP_JSON) {
		json_reply_error(req, res, e);
		return;
	}
	json_object *ctx = json_object_new_object(), *fields = json_object_new_array();
	error e2;

	err_clear(&e2);
	json_object_object_add(ctx, "status", json_object_new_int(status));
	json_object_object_add(ctx, "title", json_object_new_string(status_reason(status)));
	/* internal details stay in the log */
	json_object_object_add(ctx, "message", json_object_new_string(status >= 500 ?
	    "Something went wrong on our side. Please try again in a moment." : e->message));
	for (int i = 0; i < e->nfields; i++) {
		json_object *f = json_object_new_object();
		json_object_object_add(f, "name", json_object_new_string(e->fields[i].name));
		json_object_object_add(f, "message", json_object_new_string(e->fields[i].message));
		json_object_array_add(fields, f);
	}
	json_object_object_add(ctx, "fields", fields);
	buf_reset(res->body);
	if (view_render(req, res, status, "errors/error", ctx, &e2) != E_OK) {
		/* the template itself failed: a fixed page, no data in it */
		buf_reset(res->body);
		buf_printf(res->body, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<title>%d %s</title></head><body><h1>%d %s</h1><p><a href=\"/\">Home</a></p>"
		    "</body></html>\n", status, status_reason(status), status, status_reason(status));
		res->content_type = "text/html; charset=utf-8";
		res->status = status;
	}
	if (e->code == E_RATE_LIMITED && e->retry_after > 0) {
		char v[24];
		snprintf(v, sizeof v, "%d", e->retry_after);
		resp_set_header(res, "Retry-After", v);
	}
}

static int
has_header(const response *res, const char *name)
{
	for (const header *h = res->headers; h != NULL; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return 1;
	return 0;
}

static void
add_default(response *res, const char *name, const char *value)
{
	if (!has_header(res, name))
		resp_header(res, name, value);
}

/*
 * The headers every reply carries (STYLE 12), unless the handler set its
 * own.  HTML gets a CSP whose script-src admits only same-origin files and
 * inline scripts carrying this response's nonce; JSON gets the strictest
 * policy, as nothing in it should ever be rendered.
 */
static void
security_headers(request *req, response *res)
{
	char csp[256];

	add_default(res, "X-Content-Type-Options", "nosniff");
	add_default(res, "X-Frame-Options", "DENY");
	add_default(res, "Referrer-Policy", "strict-origin-when-cross-origin");
	add_default(res, "Permissions-Policy", "accelerometer=(), camera=(), geolocation=(), "
	    "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()");
	if (req->https)
		add_default(res, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
	if (the_app->kind == APP_JSON) {
		add_default(res, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
		return;
	}
	snprintf(csp, sizeof csp, "default-src 'self'; img-src 'self' data:; style-src 'self'; "
	    "script-src 'self'%s%s%s; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
	    "form-action 'self'", req->csp_nonce != NULL ? " 'nonce-" : "",
	    req->csp_nonce != NULL ? req->csp_nonce : "", req->csp_nonce != NULL ? "'" : "");
	add_default(res, "Content-Security-Policy", csp);
}

/* The Origin header if it is on the allow-list (exact, case-sensitive as
 * browsers send it serialised), else NULL. */
static const char *
cors_allowed(const request *req)
{
	const char *o = req_header(req, "Origin");

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < ncors; i++)
		if (strcmp(o, cors_origins[i]) == 0)
			return o;
	return NULL;
}

/*
 * CORS on a JSON reply: the allowed origin echoed, never "*", and no
 * Access-Control-Allow-Credentials — the API authenticates with a Bearer
 * token, so a cross-origin page never needs the browser to attach the
 * session cookies, and must not be able to.  Vary: Origin always, since
 * the reply differs by Origin whenever an allow-list exists.
 */
static void
cors_headers(request *req, response *res)
{
	const char *o = cors_allowed(req);

	add_default(res, "Vary", "Origin");
	if (o == NULL)
		return;
	resp_set_header(res, "Access-Control-Allow-Origin", o);
	if (!has_header(res, "Access-Control-Max-Age"))	/* not on preflights */
		add_default(res, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
}

static void
send_reply(request *req, response *res)
{
	int head = strcmp(req->method, "HEAD") == 0;

	if (res->body->oom) {
		/* rendering ran out of memory: a bodyless 500 is all we can promise */
		buf_reset(res->body);
		res->status = 500;
		res->content_type = "text/plain; charset=utf-8";
		buf_puts(res->body, "Internal Server Error\n");
	}
	add_default(res, "X-Request-ID", req->request_id != NULL ? req->request_id : "-");
	security_headers(req, res);
	if (the_app->kind == APP_JSON)
		cors_headers(req, res);
	add_default(res, "Cache-Control", "no-store");
	buf_reset(&head_buf);
	buf_printf(&head_buf, "Status: %d %s\r\n", res->status, status_reason(res->status));
	if (res->content_type != NULL)
		buf_printf(&head_buf, "Content-Type: %s\r\n", res->content_type);
	if (res->stream == NULL)	/* a stream's length is known only at its end */
		buf_printf(&head_buf, "Content-Length: %zu\r\n", res->body->len);
	for (const header *h = res->headers; h != NULL; h = h->next)
		buf_printf(&head_buf, "%s: %s\r\n", h->name, h->value);
	buf_puts(&head_buf, "\r\n");
	if (head_buf.oom) {
		/* not even the header fits in memory: a fixed answer, no body */
		static const char bare[] = "Status: 500 Internal Server Error\r\n"
		    "Content-Length: 0\r\nCache-Control: no-store\r\n\r\n";
		write_out(bare, sizeof bare - 1);
		res->status = 500;	/* what the log must say */
		return;
	}
	if (write_out(head_buf.data, head_buf.len) != 0 || head)
		return;
	if (res->stream != NULL) {
		if (res->stream(res, res->stream_ud) != 0)
			log_msg(LOG_WARN, "%s %s: the streamed body was cut short", req->method,
			    req->path);
		return;
	}
	if (res->body->len > 0)
		write_out(res->body->data, res->body->len);
}

/* Content-Type without parameters, compared case-insensitively. */
static int
type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * A multipart body is read in chunks and fed to the streaming parser, so
 * it is never held whole besides the parts themselves; a bad structure or
 * a crossed bound stops the read at once.  Plain fields also become
 * req->form (the CSRF gate and req_form read them there).
 */
static ecode
read_multipart(request *req, size_t len, error *e)
{
	static char chunk[64 * 1024];
	char boundary[MP_MAX_BOUNDARY + 1];
	mp_limits lim = { len, 0, 0 };
	mp_parser *p;
	size_t left = len, nform = 0;

	if (mp_boundary(req->content_type, boundary, e) != E_OK)
		return e->code;
	if ((p = mp_new(req->a, boundary, &lim, e)) == NULL)
		return e->code;
	while (left > 0) {
		size_t want = left < sizeof chunk ? left : sizeof chunk;
		size_t got = read_body(chunk, want);
		if (got == 0)
			return err_set(e, E_INVALID_INPUT, "request body shorter than Content-Length");
		if (mp_feed(p, chunk, got, e) != E_OK)
			return e->code;
		left -= got;
	}
	if (mp_finish(p, &req->parts, &req->nparts, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < req->nparts; i++)
		nform += req->parts[i].filename == NULL;
	if (nform > HTTP_MAX_PARAMS)
		return err_set(e, E_INVALID_INPUT, "too many parameters (at most %d)", HTTP_MAX_PARAMS);
	if (nform > 0 && (req->form = arena_calloc(req->a, nform, sizeof *req->form)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < req->nparts; i++)
		if (req->parts[i].filename == NULL) {
			req->form[req->nform].key = req->parts[i].name;
			req->form[req->nform++].val = req->parts[i].data;
		}
	return E_OK;
}

/* Before the auth gates, what costs nothing to check: the declared
 * length against the route's limit. */
static ecode
multipart_precheck(request *req, const route *rt, error *e)
{
	const char *cl = req_env(req, "CONTENT_LENGTH");
	size_t limit = rt->body_limit ? rt->body_limit : HTTP_MAX_BODY;
	int64_t len = 0;

	if (cl != NULL && *cl != '\0' && parse_i64(cl, 0, INT64_MAX, &len) != 0)
		return err_set(e, E_INVALID_INPUT, "invalid Content-Length");
	if ((uint64_t)len > limit)
		return err_set(e, E_PAYLOAD_TOO_LARGE, "request body larger than %zu bytes", limit);
	return E_OK;
}

/* Read and drop the body (already bounded by multipart_precheck). */
static void
drain_body(request *req)
{
	static char sink[64 * 1024];
	const char *cl = req_env(req, "CONTENT_LENGTH");
	int64_t left = 0;

	if (cl == NULL || parse_i64(cl, 0, INT64_MAX, &left) != 0)
		return;
	while (left > 0) {
		size_t got = read_body(sink, left < (int64_t)sizeof sink ? (size_t)left : sizeof sink);
		if (got == 0)
			break;
		left -= (int64_t)got;
	}
}

static ecode
read_and_parse_body(request *req, const route *rt, error *e)
{
	const char *cl = req_env(req, "CONTENT_LENGTH");
	size_t limit = rt->body_limit ? rt->body_limit : HTTP_MAX_BODY;
	int64_t len = 0;
	char *p;

	if (cl != NULL && *cl != '\0' && parse_i64(cl, 0, INT64_MAX, &len) != 0)
		return err_set(e, E_INVALID_INPUT, "invalid Content-Length");
	if (rt->body == BODY_NONE) {
		if (len > 0)
			return err_set(e, E_PAYLOAD_TOO_LARGE, "this endpoint takes no request body");
		return E_OK;
	}
	if ((uint64_t)len > limit)
		return err_set(e, E_PAYLOAD_TOO_LARGE, "request body larger than %zu bytes", limit);
	if (rt->body == BODY_JSON && !type_is(req->content_type, "application/json"))
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
	if (rt->body == BODY_FORM && !type_is(req->content_type, "application/x-www-form-urlencoded"))
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE,
		    "send the form as application/x-www-form-urlencoded");
	if (rt->body == BODY_MULTIPART)
		return read_multipart(req, (size_t)len, e);
	p = arena_alloc(req->a, (size_t)len + 1);
	if (p == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (read_body(p, (size_t)len) != (size_t)len)
		return err_set(e, E_INVALID_INPUT, "request body shorter than Content-Length");
	p[len] = '\0';
	req->body = p;
	req->body_len = (size_t)len;
	if (rt->body == BODY_JSON)
		return json_body_parse(req->a, p, (size_t)len, &req->json, e);
	if (rt->body == BODY_FORM)
		return form_parse(req->a, p, (size_t)len, HTTP_MAX_PARAMS, &req->form, &req->nform, e);
	return E_OK;
}

/* The Allow header of a 405 lists what the path does answer to (RFC 9110
 * §10.2.1), HEAD wherever GET is. */
static void
allowed_methods(const char *path, char *list, size_t cap)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" };
	size_t used = 0;
	int status;

	list[0] = '\0';
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (router_match(the_app->routes, the_app->nroutes, NULL, methods[i], path,
		    &status) == NULL)
			continue;
		used += (size_t)snprintf(list + used, cap - used, "%s%s",
		    used > 0 ? ", " : "", methods[i]);
	}
}

static void
set_allow(response *res, const char *path)
{
	char list[64];

	allowed_methods(path, list, sizeof list);
	resp_header(res, "Allow", list);
}

/*
 * OPTIONS on a JSON responder, answered before routing (the route table
 * has no OPTIONS rows).  A path that does not exist is a 404 as for any
 * method.  Without an Origin it is a plain OPTIONS (RFC 9110 §9.3.7): 204
 * with Allow.  A CORS preflight from an allowed origin gets 204 with what
 * it may send; from any other origin, 403.  Preflights are not counted by
 * the rate limiter: they cost no database or Redis work.
 */
static ecode
preflight(request *req, response *res, error *e)
{
	char list[72];
	int status;

	router_match(the_app->routes, the_app->nroutes, NULL, "OPTIONS", req->path, &status);
	if (status == 404)
		return err_set(e, E_NOT_FOUND, "no such page or endpoint: %s", req->path);
	allowed_methods(req->path, list, sizeof list - 9);
	snprintf(list + strlen(list), sizeof list - strlen(list), "%s",
	    list[0] != '\0' ? ", OPTIONS" : "OPTIONS");
	res->status = 204;
	if (req_header(req, "Origin") == NULL)
		return resp_header(res, "Allow", list) == 0 ? E_OK :
		    err_set(e, E_INTERNAL, "cannot set Allow");
	if (cors_allowed(req) == NULL)
		return err_set(e, E_FORBIDDEN, "this origin may not call the API from a browser");
	resp_header(res, "Access-Control-Allow-Methods", list);
	resp_header(res, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	resp_header(res, "Access-Control-Max-Age", CORS_MAX_AGE);
	return E_OK;
}

/*
 * A guest on a page that needs a role: an HTML app with a sign-in page
 * sends the browser there (303) with the page to come back to; anything
 * else keeps the refusal rc.
 */
static ecode
guest_refused(request *req, response *res, ecode rc, error *e)
{
	const char *qs = req->query_string, *back, *to;

	if (the_app->kind != APP_HTML || the_app->login_url == NULL ||
	    strcmp(req->method, "GET") != 0)
		return rc;
	back = qs != NULL && *qs != '\0' ? arena_printf(req->a, "%s?%s", req->path, qs) : req->path;
	to = back != NULL ? arena_printf(req->a, "%s?next=%s", the_app->login_url,
	    url_encode(req->a, back)) : NULL;
	if (to == NULL || resp_redirect(res, 303, to) != 0)
		return rc;
	err_clear(e);
	return E_OK;
}

/* Session, then role: E_OK to go on; else the refusal, or E_OK with
 * *done set when a guest was redirected to sign in (the reply is ready). */
static ecode
auth_gates(request *req, response *res, const route *rt, bool *done, error *e)
{
	ecode rc = session_gate(req, res, e);

	*done = false;
	if (rc != E_OK) {
		if (rt->min_role != ROLE_PUBLIC) {
			*done = true;
			return guest_refused(req, res, rc, e);
		}
		/* a stale token on a public page: carry on as a guest */
		err_clear(e);
		req->user_id = NULL;
		req->user_role = ROLE_PUBLIC;
	}
	if (rt->min_role != ROLE_PUBLIC && req->user_id == NULL) {
		*done = true;
		return guest_refused(req, res, err_set(e, E_UNAUTHORIZED,
		    the_app->kind == APP_HTML ? "sign in to see this page" :
		    "sign in to do this (send a Bearer token)"), e);
	}
	if (req->user_role < rt->min_role)
		return err_set(e, E_FORBIDDEN, "your account may not do this");
	return E_OK;
}

/* The gates of app.h in order, then the handler. */
static ecode
dispatch(request *req, response *res, error *e)
{
	const route *rt;
	int status;
	bool done;
	ecode rc;

	if ((rc = request_build(req, e)) != E_OK)
		return rc;
	log_set_request_id(req->request_id);
	if (the_app->kind == APP_JSON && strcmp(req->method, "OPTIONS") == 0)
		return preflight(req, res, e);
	rt = router_match(the_app->routes, the_app->nroutes, req, req->method, req->path, &status);
	if (rt == NULL) {
		if (status == 405) {
			set_allow(res, req->path);
			return err_set(e, E_METHOD_NOT_ALLOWED, "%s is not allowed on %s", req->method, req->path);
		}
		return err_set(e, E_NOT_FOUND, "no such page or endpoint: %s", req->path);
	}
	req->route = rt;
	/* before the body: refusing a flood must stay cheap */
	if ((rc = ratelimit_gate(req, res, rt->rate, e)) != E_OK)
		return rc;
	/* drain the body before auth answers, so the client sees our reply;
	 * a multipart upload is only read (and parsed, and stored) for a
	 * caller the auth gates let through, else drained unparsed */
	if (rt->body == BODY_MULTIPART) {
		if ((rc = multipart_precheck(req, rt, e)) != E_OK)
			return rc;
		if ((rc = auth_gates(req, res, rt, &done, e)) != E_OK || done) {
			drain_body(req);
			return rc;
		}
		if ((rc = read_and_parse_body(req, rt, e)) != E_OK)
			return rc;
	} else {
		if ((rc = read_and_parse_body(req, rt, e)) != E_OK)
			return rc;
		if ((rc = auth_gates(req, res, rt, &done, e)) != E_OK || done)
			return rc;
	}
	/* forms always; JSON calls too when a browser's cookie signed them in
	 * (a Bearer header is never sent by a browser on its own) */
	if ((rt->csrf == CSRF_REQUIRED || (req->user_id != NULL &&
	    req_header(req, "Authorization") == NULL && strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0)) && !csrf_check(req))
		return err_set(e, E_FORBIDDEN, "the form expired or came from another site; reload it and try again");
	return rt->handler(req, res, e);
}

static void
request_reset(request *req, response *res)
{
	arena_reset(req_arena);
	buf_reset(&body_buf);
	memset(req, 0, sizeof *req);
	memset(res, 0, sizeof *res);
	req->a = req_arena;
	req->getenv = is_cgi ? env_cgi : env_fcgi;
	res->a = req_arena;
	res->body = &body_buf;
	res->status = 200;
	log_set_request_id(NULL);
}

/*
 * A CSP nonce: 16 random bytes in base64, fresh for every response so an
 * attacker who reads one page learns nothing about the next.  NULL (and
 * then no inline script runs at all) if the kernel has no randomness.
 */
static const char *
new_nonce(arena *a)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char raw[18];	/* 16 random bytes, two zero pad bytes */
	char *out = arena_alloc(a, 25), *o = out;

	if (out == NULL)
		return NULL;
	memset(raw, 0, sizeof raw);
	if (getrandom(raw, 16, 0) != 16) {
		log_msg(LOG_ERROR, "getrandom failed: no CSP nonce for this page");
		return NULL;
	}
	for (int i = 0; i < 18; i += 3) {
		unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	out[22] = out[23] = '=';	/* 16 bytes: the last group holds one */
	out[24] = '\0';
	return out;
}

/* ECOM_CORS_ORIGINS: "https://shop.example, http://localhost:3000".  Each
 * must be a serialised origin — scheme, host, optional port, nothing else
 * — because matching is exact; "*" is refused, see cors_headers. */
static int
cors_init(void)
{
	const char *s = cfg->cors_origins;

	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		const char *item = s, *host;

		s += n + (s[n] == ',');
		while (n > 0 && (*item == ' ' || *item == '\t'))
			item++, n--;
		while (n > 0 && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		host = strncmp(item, "https://", 8) == 0 ? item + 8 :
		    strncmp(item, "http://", 7) == 0 ? item + 7 : NULL;
		if (host == NULL || host == item + n || n > CORS_MAX_ORIGIN ||
		    strcspn(host, "/?#* \t") < (size_t)(item + n - host)) {
			fprintf(stderr, "config: ECOM_CORS_ORIGINS: \"%.*s\" is not an origin "
			    "like https://shop.example or http://localhost:3000\n",
			    (int)(n > 64 ? 64 : n), item);
			return -1;
		}
		if (ncors == CORS_MAX_ORIGINS) {
			fprintf(stderr, "config: ECOM_CORS_ORIGINS: more than %d origins\n",
			    CORS_MAX_ORIGINS);
			return -1;
		}
		memcpy(cors_origins[ncors], item, n);
		cors_origins[ncors++][n] = '\0';
	}
	return 0;
}

static void
serve_one(void)
{
	request req;
	response res;
	error e;
	ecode rc;

	request_reset(&req, &res);
	err_clear(&e);
	req.started_us = now_us();
	if (the_app->kind == APP_HTML)
		req.csp_nonce = new_nonce(req.a);
	rc = dispatch(&req, &res, &e);
	if (rc != E_OK) {
		if (e.code == E_OK)
			err_set(&e, rc, "%s", status_reason(ecode_status(rc)));
		app_render_error(&req, &res, &e);
	}
	send_reply(&req, &res);
	log_request(&req, res.status, (long)(now_us() - req.started_us));
	request_reset(&req, &res);
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* `<responder> --routes`: the route table as text, one row per line
 * (method, pattern, minimum role, CSRF rule, body kind), for the
 * authorization matrix test and for operators; no config needed. */
static int
print_routes(const app *ap)
{
	static const char *const bodies[] = { "none", "json", "form", "raw", "multipart" };

	for (size_t i = 0; i < ap->nroutes; i++) {
		const route *r = &ap->routes[i];
		printf("%s %s %s %s %s\n", r->method, r->pattern, role_name(r->min_role),
		    r->csrf == CSRF_REQUIRED ? "csrf" : "-", bodies[r->body]);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
app_main(const app *ap, int argc, char **argv)
{
	struct sigaction sa;
	sigset_t term;

	the_app = ap;
	if (argc == 2 && strcmp(argv[1], "--routes") == 0)
		return print_routes(ap);
	if (config_init() != 0)
		return 1;
	log_init(ap->name, cfg->log_level);
	if (ratelimit_init() != 0 || client_ip_init() != 0 || cors_init() != 0)
		return 1;
	if (auth_init() != 0)
		return 1;
	if (ap->kind == APP_HTML && view_init() != 0)
		return 1;
	if (ap->init != NULL && ap->init() != 0)
		return 1;
	req_arena = arena_new(64 * 1024);
	if (req_arena == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: accept returns */

	is_cgi = FCGX_IsCGI();
	if (is_cgi) {
		serve_one();
		fflush(stdout);
	} else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, 0, 0) != 0)
			return 1;
		/* SIGTERM waits while a request runs: a signal landing in a read
		 * or write of the FastCGI stream would cut the reply short
		 * (libfcgi does not retry EINTR).  Unblocking delivers it, and
		 * the loop ends before the next accept. */
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		while (!stopping && FCGX_Accept_r(&fcgi) >= 0) {
			sigprocmask(SIG_BLOCK, &term, NULL);
			serve_one();
			FCGX_Finish_r(&fcgi);
			sigprocmask(SIG_UNBLOCK, &term, NULL);
		}
	}
	/* process-lifetime resources, released so leak checkers see a clean exit */
	db_close_all();
	redis_close();
	arena_free(req_arena);
	buf_free(&body_buf);
	buf_free(&head_buf);
	return 0;
}
