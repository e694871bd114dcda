/*
 * check_app.c — unit tests of the request loop of lib/core: building a
 * request from the CGI environment, the whole of app_main driven as plain
 * CGI (a child process per row, stdin/stdout/stderr in temporary files, so
 * every gate, header and log line is checked without a server), the JSON
 * envelope, log lines, url_encode and the configuration table.  Every row
 * carries its __LINE__ and runs as its own loop test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"

#include "auth/ratelimit.h"
#include "core/app.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "core/http.h"
#include "core/json.h"
#include "core/log.h"
#include "core/page.h"
#include "core/parse.h"
#include "core/request_build.h"
#include "core/util.h"
#include "core/view.h"

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static arena *A;

static void
setup(void)
{
	A = arena_new(4096);
	ck_assert_ptr_nonnull(A);
}

static void
teardown(void)
{
	arena_free(A);
	A = NULL;
}

/* ------------------------------------------------------------ building a request */

#define X16 "xxxxxxxxxxxxxxxx"
#define X64 X16 X16 X16 X16

static const char *const *fake_env;	/* "NAME=value", NULL-terminated */

static const char *
fake_getenv(const request *r, const char *name)
{
	size_t n = strlen(name);

	(void)r;
	for (const char *const *p = fake_env; *p != NULL; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

static const struct {
	int line;
	const char *env[5];
	ecode rc;
	const char *path;	/* NULL: "/" (the path was refused) */
	const char *id;		/* NULL: a generated UUID */
	size_t nquery;
} build_rows[] = {
	{ __LINE__, { "REQUEST_URI=/a/b?x=1&y" }, E_OK, "/a/b", NULL, 2 },
	{ __LINE__, { "REQUEST_URI=/a/b?x=1", "QUERY_STRING=p=1&q=2&r" }, E_OK, "/a/b", NULL, 3 },
	{ __LINE__, { "REQUEST_URI=/a%20b/%C3%A9" }, E_OK, "/a b/é", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a%2Fb" }, E_OK, "/a/b", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a+b" }, E_OK, "/a+b", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a/..b/.c/b." }, E_OK, "/a/..b/.c/b.", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a/../b" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a/." }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a/./b" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a/%2e%2E/b" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a/%2e" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a%00b" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a%C3" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a%c0%af" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a%zz" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/a%4" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=a/b" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/x?q=%zz" }, E_INVALID_PARAMETER, "/x", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/x?q=%00" }, E_INVALID_PARAMETER, "/x", NULL, 0 },
	/* no REQUEST_URI: SCRIPT_NAME + PATH_INFO, decoded by the server already */
	{ __LINE__, { "SCRIPT_NAME=/app", "PATH_INFO=/items/a%41" }, E_OK, "/app/items/a%41", NULL, 0 },
	{ __LINE__, { "SCRIPT_NAME=", "PATH_INFO=/x y", "QUERY_STRING=a=1" }, E_OK, "/x y", NULL, 1 },
	{ __LINE__, { "SCRIPT_NAME=/app" }, E_OK, "/app", NULL, 0 },
	{ __LINE__, { "PATH_INFO=/a/../b" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { "PATH_INFO=/a\xff" }, E_INVALID_INPUT, NULL, NULL, 0 },
	{ __LINE__, { NULL }, E_INVALID_INPUT, NULL, NULL, 0 },
	/* request ids: [A-Za-z0-9._-]{1,64} or a fresh UUID */
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_REQUEST_ID=abc-DEF_1.2" }, E_OK, "/", "abc-DEF_1.2", 0 },
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_REQUEST_ID=" X64 }, E_OK, "/", X64, 0 },
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_REQUEST_ID=" X64 "x" }, E_OK, "/", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_REQUEST_ID=" }, E_OK, "/", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_REQUEST_ID=a\r\nb" }, E_OK, "/", NULL, 0 },
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_REQUEST_ID=a b", "HTTP_X_CORRELATION_ID=corr-1" }, E_OK, "/", "corr-1", 0 },
	{ __LINE__, { "REQUEST_URI=/", "HTTP_X_CORRELATION_ID=\"x\"" }, E_OK, "/", NULL, 0 },
};

static ecode
build(const char *const *env, request *r, error *e)
{
	memset(r, 0, sizeof *r);
	r->a = A;
	r->getenv = fake_getenv;
	fake_env = env;
	err_clear(e);
	return request_build(r, e);
}

START_TEST(request_build_row)
{
	size_t i = (size_t)_i;
	int line = build_rows[i].line;
	request r;
	error e;
	ecode rc = build(build_rows[i].env, &r, &e);

	ck_assert_msg(rc == build_rows[i].rc, "row at line %d: %d %s", line, rc, e.message);
	ck_assert_msg(r.request_id != NULL, "row at line %d", line);
	if (build_rows[i].id != NULL)
		ck_assert_msg(strcmp(r.request_id, build_rows[i].id) == 0, "row at line %d: %s", line, r.request_id);
	else
		ck_assert_msg(uuid_valid(r.request_id), "row at line %d: %s", line, r.request_id);
	/* a refused path is left as "/", harmless in the log */
	ck_assert_msg(strcmp(r.path, build_rows[i].path != NULL ? build_rows[i].path : "/") == 0,
	    "row at line %d: %s", line, r.path);
	if (rc != E_OK) {
		ck_assert_msg(e.message[0] != '\0', "row at line %d", line);
		return;
	}
	ck_assert_msg(r.nquery == build_rows[i].nquery, "row at line %d: %zu", line, r.nquery);
}
END_TEST

START_TEST(request_build_bounds)
{
	char uri[HTTP_MAX_PATH + HTTP_MAX_QUERY + 16];
	const char *env[] = { uri, "HTTP_COOKIE=a=1; b=2", "HTTP_X_FORWARDED_FOR=1.2.3.4", NULL };
	request r;
	error e;

	snprintf(uri, sizeof uri, "REQUEST_URI=/%0*d", HTTP_MAX_PATH - 1, 0);
	ck_assert_int_eq(build(env, &r, &e), E_OK);
	ck_assert_uint_eq(strlen(r.path), HTTP_MAX_PATH);
	ck_assert_uint_eq(r.ncookies, 2);
	ck_assert_str_eq(req_cookie(&r, "b"), "2");
	ck_assert_str_eq(req_header(&r, "x-forwarded-for"), "1.2.3.4");
	snprintf(uri, sizeof uri, "REQUEST_URI=/%0*d", HTTP_MAX_PATH, 0);
	ck_assert_int_eq(build(env, &r, &e), E_INVALID_INPUT);
	snprintf(uri, sizeof uri, "REQUEST_URI=/?q=%0*d", HTTP_MAX_QUERY - 2, 0);
	ck_assert_int_eq(build(env, &r, &e), E_OK);
	snprintf(uri, sizeof uri, "REQUEST_URI=/?q=%0*d", HTTP_MAX_QUERY - 1, 0);
	ck_assert_int_eq(build(env, &r, &e), E_INVALID_INPUT);
}
END_TEST

/* ------------------------------------------------------------ the whole loop, as plain CGI */

static ecode
t_items(request *req, response *res, error *e)
{
	const char *q = req_query(req, "q");
	json_object *items;
	page pg;

	if (page_from_query(req, &pg, e) != E_OK)
		return e->code;
	items = json_object_new_array();
	json_object_array_add(items, json_object_new_string(q != NULL ? q : ""));
	json_reply_page(req, res, items, &pg, 41);
	return E_OK;
}

static ecode
t_item(request *req, response *res, error *e)
{
	const char *name = "";
	json_object *o;

	if (req->json != NULL && json_get_str(req->json, "name", 1, 10, &name, e) < 0)
		return e->code;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(req_param(req, "id")));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_reply(req, res, strcmp(req->method, "POST") == 0 ? 201 : 200, o);
	return E_OK;
}

static ecode
t_form(request *req, response *res, error *e)
{
	const char *b = req_form(req, "b");

	(void)e;
	buf_printf(res->body, "b=%s", b != NULL ? b : "(none)");
	res->content_type = "text/plain; charset=utf-8";
	return E_OK;
}

/* Each part as name[filename]=len, then the plain field "b" via req_form. */
static ecode
t_upload(request *req, response *res, error *e)
{
	const char *b = req_form(req, "b");

	(void)e;
	for (size_t i = 0; i < req->nparts; i++)
		buf_printf(res->body, "%s[%s]=%zu;", req->parts[i].name,
		    req->parts[i].filename != NULL ? req->parts[i].filename : "-", req->parts[i].len);
	buf_printf(res->body, "b=%s", b != NULL ? b : "(none)");
	res->content_type = "text/plain; charset=utf-8";
	return E_OK;
}

static ecode
t_cached(request *req, response *res, error *e)
{
	(void)e;
	resp_header(res, "Cache-Control", "public, max-age=60");
	json_reply(req, res, 200, json_object_new_object());
	return E_OK;
}

static ecode
t_fail(request *req, response *res, error *e)
{
	(void)req;
	(void)res;
	return err_field(e, "name", "must be between 1 and 10 characters");
}

static ecode
t_boom(request *req, response *res, error *e)
{
	(void)req;
	buf_puts(res->body, "half a page");
	return err_set(e, E_INTERNAL, "secret detail");
}

static const route t_routes[] = {
	{ "GET", "/t/items", t_items, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "GET", "/t/items/{id}", t_item, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "POST", "/t/items/{id}", t_item, ROLE_PUBLIC, CSRF_NONE, BODY_JSON, 64, RL_READ },
	{ "POST", "/t/form", t_form, ROLE_PUBLIC, CSRF_NONE, BODY_FORM, 0, RL_READ },
	{ "POST", "/t/csrf", t_form, ROLE_PUBLIC, CSRF_REQUIRED, BODY_FORM, 0, RL_READ },
	{ "DELETE", "/t/admin", t_item, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "GET", "/t/cached", t_cached, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "GET", "/t/fail", t_fail, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "GET", "/t/boom", t_boom, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "POST", "/t/login", t_form, ROLE_PUBLIC, CSRF_NONE, BODY_FORM, 0, RL_LOGIN },
	{ "GET", "/t/health", t_cached, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_NONE },
	{ "POST", "/t/upload", t_upload, ROLE_PUBLIC, CSRF_NONE, BODY_MULTIPART, 256, RL_READ },
	{ "POST", "/t/upload/admin", t_upload, ROLE_ADMIN, CSRF_NONE, BODY_MULTIPART, 256, RL_READ },
	{ "POST", "/t/upload/csrf", t_upload, ROLE_PUBLIC, CSRF_REQUIRED, BODY_MULTIPART, 256, RL_READ },
};
static const app json_app = { "t-json", APP_JSON, t_routes, sizeof t_routes / sizeof t_routes[0], NULL, NULL };
static const app html_app = { "t-html", APP_HTML, t_routes, sizeof t_routes / sizeof t_routes[0], NULL, NULL };

#define JSON_CT "Content-Type: application/json; charset=utf-8\r\n"
#define HTML_CT "Content-Type: text/html; charset=utf-8\r\n"
#define JSON_CT_REQ "application/json"
#define FORM_CT_REQ "application/x-www-form-urlencoded"
#define MP_CT_REQ "multipart/form-data; boundary=B"
#define MP_BODY "--B\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nx y\r\n" \
	"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n" \
	"Content-Type: image/png\r\n\r\n\x89PNG\r\n--B--\r\n"
#define X256 X64 X64 X64 X64

typedef struct cgi_row {
	int line;
	int html;
	const char *method, *uri, *ctype, *body;
	const char *env[3];	/* more variables; these win */
	int status;
	const char *want, *want2, *nowant;	/* in the whole reply */
} cgi_row;

#define ORIGIN_OK "ECOM_CORS_ORIGINS=https://a.example, http://localhost:3000"

static const cgi_row cgi_rows[] = {
	{ __LINE__, 0, "GET", "/t/items?q=J%C3%B6rg+X&page=2&per_page=5", NULL, NULL, { NULL }, 200,
	  "{\"data\":[\"Jörg X\"],\"total_count\":41,\"page\":2,\"per_page\":5,\"total_pages\":9,\"has_next\":true}",
	  "Cache-Control: no-store\r\n", NULL },
	{ __LINE__, 0, "HEAD", "/t/items", NULL, NULL, { NULL }, 200, JSON_CT, NULL, "data" },
	{ __LINE__, 0, "GET", "/t/items/", NULL, NULL, { NULL }, 200, "\"total_count\":41", NULL, NULL },
	{ __LINE__, 0, "GET", "/t/items?per_page=101", NULL, NULL, { NULL }, 400,
	  "{\"error\":{\"code\":\"INVALID_PARAMETER\",\"message\":\"per_page must be an integer between 1 and 100\",\"request_id\":\"",
	  NULL, NULL },
	{ __LINE__, 0, "GET", "/t/items?q=%zz", NULL, NULL, { NULL }, 400, "INVALID_PARAMETER", NULL, NULL },
	{ __LINE__, 0, "GET", "/t/nothing", NULL, NULL, { NULL }, 404,
	  "{\"error\":{\"code\":\"NOT_FOUND\"", JSON_CT, NULL },
	{ __LINE__, 0, "DELETE", "/t/items/7", NULL, NULL, { NULL }, 405,
	  "Allow: GET, HEAD, POST\r\n", "METHOD_NOT_ALLOWED", NULL },
	{ __LINE__, 0, "PUT", "/t/admin", NULL, NULL, { NULL }, 405, "Allow: DELETE\r\n", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{\"name\":\"Ann\"}", { NULL }, 201,
	  "\r\n\r\n{\"data\":{\"id\":\"7\",\"name\":\"Ann\"}}", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", "Application/JSON; charset=utf-8", "{\"name\":\"Ann\"}", { NULL }, 201,
	  NULL, NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", "text/plain", "{}", { NULL }, 415, "UNSUPPORTED_MEDIA_TYPE", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", "application/jsonx", "{}", { NULL }, 415, NULL, NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", NULL, "{}", { NULL }, 415, NULL, NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{\"name\":\"" X64 "\"}", { NULL }, 413,
	  "PAYLOAD_TOO_LARGE", NULL, NULL },
	/* too large is refused before the content type is looked at */
	{ __LINE__, 0, "POST", "/t/items/7", "text/plain", X64 "x", { NULL }, 413, NULL, NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{\"name\":1} x", { NULL }, 400, "INVALID_INPUT", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "", { NULL }, 400, "request body is empty", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{\"name\":\"far too long\"}", { NULL }, 400,
	  "\"fields\":{\"name\":\"must be between 1 and 10 characters\"}", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{}", { "CONTENT_LENGTH=2x" }, 400,
	  "invalid Content-Length", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{}", { "CONTENT_LENGTH=-1" }, 400, NULL, NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{}", { "CONTENT_LENGTH=20" }, 400,
	  "shorter than Content-Length", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/items/7", JSON_CT_REQ, "{}", { "CONTENT_LENGTH=99999999999999999999" }, 400,
	  NULL, NULL, NULL },
	{ __LINE__, 0, "GET", "/t/items", NULL, "abc", { NULL }, 413, "takes no request body", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/form", FORM_CT_REQ, "a=1&b=%C3%A9+x", { NULL }, 200, "\r\n\r\nb=é x", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/form", FORM_CT_REQ, "b=%zz", { NULL }, 400, "INVALID_INPUT", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/form", JSON_CT_REQ, "b=1", { NULL }, 415, NULL, NULL, NULL },
	{ __LINE__, 0, "POST", "/t/csrf", FORM_CT_REQ, "b=1", { NULL }, 403, "FORBIDDEN", NULL, "b=1" },
	{ __LINE__, 0, "DELETE", "/t/admin", NULL, NULL, { NULL }, 401, "UNAUTHORIZED", NULL, NULL },
	{ __LINE__, 0, "DELETE", "/t/admin", NULL, NULL, { "HTTP_AUTHORIZATION=Bearer a.b.c" }, 401, NULL, NULL, NULL },
	/* a stale token on a public route: served as a guest */
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { "HTTP_AUTHORIZATION=Bearer a.b.c" }, 200, NULL, NULL, NULL },
	{ __LINE__, 0, "GET", "/t/cached", NULL, NULL, { NULL }, 200, "Cache-Control: public, max-age=60\r\n", NULL, "no-store" },
	{ __LINE__, 0, "GET", "/t/fail", NULL, NULL, { NULL }, 400,
	  "{\"error\":{\"code\":\"VALIDATION_ERROR\",\"message\":\"validation failed\","
	  "\"fields\":{\"name\":\"must be between 1 and 10 characters\"},\"request_id\":", NULL, NULL },
	{ __LINE__, 0, "GET", "/t/boom", NULL, NULL, { NULL }, 500, "INTERNAL_ERROR", NULL, "half a page" },
	{ __LINE__, 0, "GET", "/t/../x", NULL, NULL, { NULL }, 400, "INVALID_INPUT", NULL, NULL },
	{ __LINE__, 0, "GET", "/t/%00", NULL, NULL, { NULL }, 400, NULL, NULL, NULL },
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { "HTTP_X_REQUEST_ID=req-1.A_b" }, 200,
	  "X-Request-ID: req-1.A_b\r\n", NULL, NULL },
	{ __LINE__, 0, "GET", "/t/nothing", NULL, NULL, { "HTTP_X_REQUEST_ID=a b", "HTTP_X_CORRELATION_ID=corr-2" }, 404,
	  "X-Request-ID: corr-2\r\n", "\"request_id\":\"corr-2\"", NULL },
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { "HTTP_X_REQUEST_ID=x\r\nSet-Cookie: a=1" }, 200,
	  NULL, NULL, "Set-Cookie" },
	/* no REQUEST_URI: the path is SCRIPT_NAME + PATH_INFO, not decoded twice */
	{ __LINE__, 0, "GET", NULL, NULL, NULL, { "SCRIPT_NAME=/t", "PATH_INFO=/items/a%41" }, 200,
	  "\"id\":\"a%41\"", NULL, NULL },
	{ __LINE__, 1, "GET", "/nothing", NULL, NULL, { NULL }, 404, HTML_CT, "<h1>Not Found</h1>", NULL },
	{ __LINE__, 1, "DELETE", "/t/items/7", NULL, NULL, { NULL }, 405, "Allow: GET, HEAD, POST\r\n", HTML_CT, NULL },
	{ __LINE__, 1, "GET", "/t/fail", NULL, NULL, { NULL }, 400, "must be between 1 and 10 characters", NULL, NULL },
	{ __LINE__, 1, "GET", "/t/boom", NULL, NULL, { NULL }, 500, HTML_CT, NULL, "secret detail" },
	{ __LINE__, 1, "HEAD", "/nothing", NULL, NULL, { NULL }, 404, HTML_CT, NULL, "<h1>" },
	/* the error template itself unusable: the built-in page */
	{ __LINE__, 1, "GET", "/nothing", NULL, NULL, { "ECOM_TEMPLATE_DIR=/nonexistent" }, 404,
	  "<h1>404 Not Found</h1>", HTML_CT, NULL },
	/* security headers per app kind; HSTS only over https */
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { NULL }, 200,
	  "Permissions-Policy: accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
	  "magnetometer=(), microphone=(), payment=(), usb=()\r\n", "Vary: Origin\r\n",
	  "Strict-Transport-Security" },
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { "HTTPS=on" }, 200,
	  "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n", NULL, NULL },
	{ __LINE__, 1, "GET", "/nothing", NULL, NULL, { "REQUEST_SCHEME=https" }, 404,
	  "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n",
	  "Permissions-Policy: accelerometer=()", "Vary: Origin" },
	{ __LINE__, 1, "GET", "/nothing", NULL, NULL, { NULL }, 404, NULL, NULL, "Strict-Transport-Security" },
	/* CORS: exact origins only, never "*", never credentials */
	{ __LINE__, 0, "OPTIONS", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://a.example",
	  "HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET" }, 204,
	  "Access-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n"
	  "Access-Control-Allow-Headers: Authorization, Content-Type, Idempotency-Key, X-Request-ID\r\n"
	  "Access-Control-Max-Age: 600\r\n", "Access-Control-Allow-Origin: https://a.example\r\n", "Credentials" },
	{ __LINE__, 0, "OPTIONS", "/t/items/7", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=http://localhost:3000" }, 204,
	  "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS\r\n",
	  "Access-Control-Allow-Origin: http://localhost:3000\r\n", "Expose" },
	{ __LINE__, 0, "OPTIONS", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://evil.example" }, 403,
	  "\"code\":\"FORBIDDEN\"", "Vary: Origin\r\n", "Access-Control-Allow" },
	{ __LINE__, 0, "OPTIONS", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://a.example.evil" }, 403,
	  NULL, NULL, "Access-Control-Allow" },
	{ __LINE__, 0, "OPTIONS", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=HTTPS://A.EXAMPLE" }, 403,
	  NULL, NULL, "Access-Control-Allow" },
	{ __LINE__, 0, "OPTIONS", "/t/items", NULL, NULL, { "HTTP_ORIGIN=https://a.example" }, 403,
	  NULL, NULL, "Access-Control-Allow" },
	{ __LINE__, 0, "OPTIONS", "/t/items", NULL, NULL, { ORIGIN_OK }, 204, "Allow: GET, HEAD, OPTIONS\r\n",
	  NULL, "Access-Control-Allow" },
	{ __LINE__, 0, "OPTIONS", "/t/nothing", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://a.example" }, 404,
	  "NOT_FOUND", NULL, "Access-Control-Allow-Methods" },
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://a.example" }, 200,
	  "Access-Control-Allow-Origin: https://a.example\r\n", "Access-Control-Expose-Headers: X-Request-ID, "
	  "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Location\r\n", "Credentials" },
	{ __LINE__, 0, "GET", "/t/nothing", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://a.example" }, 404,
	  "Access-Control-Allow-Origin: https://a.example\r\n", "Vary: Origin\r\n", NULL },
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=null" }, 200,
	  "Vary: Origin\r\n", NULL, "Access-Control-Allow-Origin" },
	/* HTML responders leave OPTIONS to the router: 405 */
	{ __LINE__, 1, "OPTIONS", "/t/items", NULL, NULL, { ORIGIN_OK, "HTTP_ORIGIN=https://a.example" }, 405,
	  "Allow: GET, HEAD\r\n", NULL, "Access-Control-Allow" },
	/* no Redis (the child points at a closed port): reads fail open
	 * without inventing counts, sign-in fails closed */
	{ __LINE__, 0, "GET", "/t/items", NULL, NULL, { NULL }, 200, NULL, NULL, "X-RateLimit" },
	{ __LINE__, 0, "POST", "/t/login", FORM_CT_REQ, "b=1", { NULL }, 503, "SERVICE_UNAVAILABLE", NULL, "b=1" },
	{ __LINE__, 1, "POST", "/t/login", FORM_CT_REQ, "b=1", { NULL }, 503, HTML_CT, NULL, "b=1" },
	{ __LINE__, 0, "POST", "/t/login", FORM_CT_REQ, "b=1", { "ECOM_RATE_LIMITS=login=off" }, 200, "b=1", NULL, NULL },
	{ __LINE__, 0, "GET", "/t/health", NULL, NULL, { NULL }, 200, NULL, NULL, "X-RateLimit" },
	/* multipart: parts and plain fields reach the handler */
	{ __LINE__, 0, "POST", "/t/upload", MP_CT_REQ, MP_BODY, { NULL }, 200,
	  "\r\n\r\nb[-]=3;f[a.png]=4;b=x y", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/upload", JSON_CT_REQ, "{}", { NULL }, 415, "multipart/form-data", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/upload", "multipart/form-data", MP_BODY, { NULL }, 400, "boundary", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/upload", MP_CT_REQ, "--B\r\n\r\n--B--", { NULL }, 400,
	  "Content-Disposition", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/upload", MP_CT_REQ, MP_BODY X256, { NULL }, 413, "PAYLOAD_TOO_LARGE", NULL, NULL },
	/* the role before the body: a guest is refused without a parse, even
	 * with a body that would not parse */
	{ __LINE__, 0, "POST", "/t/upload/admin", JSON_CT_REQ, "{}", { NULL }, 401, "UNAUTHORIZED", NULL, NULL },
	{ __LINE__, 0, "POST", "/t/upload/admin", MP_CT_REQ, MP_BODY X256, { NULL }, 413, NULL, NULL, NULL },
	/* a form post as multipart: the CSRF token is looked for in its fields */
	{ __LINE__, 0, "POST", "/t/upload/csrf", MP_CT_REQ, MP_BODY, { NULL }, 403, "FORBIDDEN", NULL, "f[a.png]" },
};

struct reply {
	char out[65536], log[16384];
	int status;
};

static void
put_env(const char *var)
{
	const char *eq = strchr(var, '=');
	char name[64];

	if (eq == NULL || (size_t)(eq - var) >= sizeof name)
		_exit(99);
	memcpy(name, var, (size_t)(eq - var));
	name[eq - var] = '\0';
	setenv(name, eq + 1, 1);
}

static size_t
slurp(FILE *f, char *dst, size_t cap)
{
	size_t n;

	rewind(f);
	n = fread(dst, 1, cap - 1, f);
	dst[n] = '\0';
	fclose(f);
	return n;
}

/* Run app_main as a plain CGI child with a fresh environment, stdin holding
 * the body, stdout and stderr captured. */
static void
run_cgi(const cgi_row *row, struct reply *rp)
{
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	const char *body = row->body;
	char len[24];
	pid_t pid;
	int wst;

	ck_assert(in != NULL && out != NULL && err != NULL);
	if (body != NULL)
		fputs(body, in);
	fflush(in);
	rewind(in);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		clearenv();
		put_env("GATEWAY_INTERFACE=CGI/1.1");
		put_env("ECOM_ENV=test");
		/* no Redis in unit tests: a closed port, refused at once */
		put_env("ECOM_REDIS_URL=redis://127.0.0.1:1/0");
		put_env("REMOTE_ADDR=192.0.2.10");
		setenv("REQUEST_METHOD", row->method, 1);
		if (row->uri != NULL) {
			const char *q = strchr(row->uri, '?');
			setenv("REQUEST_URI", row->uri, 1);
			setenv("QUERY_STRING", q != NULL ? q + 1 : "", 1);
		}
		if (row->ctype != NULL)
			setenv("CONTENT_TYPE", row->ctype, 1);
		if (body != NULL) {
			snprintf(len, sizeof len, "%zu", strlen(body));
			setenv("CONTENT_LENGTH", len, 1);
		}
		for (size_t k = 0; k < 3 && row->env[k] != NULL; k++)
			put_env(row->env[k]);
		dup2(fileno(in), 0);
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		/* exit(), not _exit(): LeakSanitizer then checks what one
		 * request left behind, and a leak fails the row */
		exit(app_main(row->html ? &html_app : &json_app, 0, NULL));
	}
	ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
	fclose(in);
	slurp(out, rp->out, sizeof rp->out);
	slurp(err, rp->log, sizeof rp->log);
	rp->status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128;
	ck_assert_msg(row->status < 0 || rp->status == 0, "row at line %d: exit %d: %s",
	    row->line, wst, rp->log);
}

#define CSP_HTML_HEAD "Content-Security-Policy: default-src 'self'; img-src 'self' data:; " \
	"style-src 'self'; script-src 'self' 'nonce-"

/* The nonce in an HTML reply's CSP (a static copy), or NULL if the policy
 * is not the HTML one or the nonce is not 24 base64 characters. */
static const char *
csp_nonce_of(const char *out)
{
	static char nonce[32];
	const char *p = strstr(out, CSP_HTML_HEAD);
	size_t n;

	if (p == NULL)
		return NULL;
	p += strlen(CSP_HTML_HEAD);
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
	if (n != 24 || p[n] != '\'' || p[22] != '=' || p[23] != '=')
		return NULL;
	memcpy(nonce, p, n);
	nonce[n] = '\0';
	return nonce;
}

/* What every reply must carry, whatever the route did. */
static void
check_envelope(const cgi_row *row, const struct reply *rp)
{
	int line = row->line;
	const char *body = strstr(rp->out, "\r\n\r\n"), *cl = strstr(rp->out, "Content-Length: ");
	char want[64];
	int64_t n;

	snprintf(want, sizeof want, "Status: %d ", row->status);
	ck_assert_msg(strncmp(rp->out, want, strlen(want)) == 0, "row at line %d: %.40s", line, rp->out);
	ck_assert_msg(body != NULL && cl != NULL && cl < body, "row at line %d", line);
	body += 4;
	ck_assert_msg(parse_i64n(cl + 16, strcspn(cl + 16, "\r"), 0, 1 << 20, &n) == 0, "row at line %d", line);
	if (strcmp(row->method, "HEAD") == 0)
		ck_assert_msg(*body == '\0' && n > 0, "row at line %d: HEAD has a body", line);
	else
		ck_assert_msg((size_t)n == strlen(body), "row at line %d: length %lld for %zu bytes",
		    line, (long long)n, strlen(body));
	ck_assert_msg(strstr(rp->out, "X-Content-Type-Options: nosniff\r\n") != NULL &&
	    strstr(rp->out, "X-Frame-Options: DENY\r\n") != NULL &&
	    strstr(rp->out, "Referrer-Policy: strict-origin-when-cross-origin\r\n") != NULL &&
	    strstr(rp->out, "X-Request-ID: ") != NULL &&
	    strstr(rp->out, "Cache-Control: ") != NULL, "row at line %d: security headers", line);
	ck_assert_msg(strstr(rp->out, "Permissions-Policy: ") != NULL, "row at line %d", line);
	if (row->html) {
		const char *nonce = csp_nonce_of(rp->out);
		ck_assert_msg(nonce != NULL && strstr(rp->out, "; object-src 'none'; frame-ancestors 'none'; "
		    "base-uri 'self'; form-action 'self'\r\n") != NULL, "row at line %d: CSP", line);
	} else {
		ck_assert_msg(strstr(rp->out,
		    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n") != NULL,
		    "row at line %d: CSP", line);
	}
	snprintf(want, sizeof want, ",\"status\":%d,", row->status);
	ck_assert_msg(strstr(rp->log, want) != NULL, "row at line %d: log %s", line, rp->log);
}

START_TEST(cgi_requests)
{
	static struct reply rp;
	size_t i = (size_t)_i;
	int line = cgi_rows[i].line;

	run_cgi(&cgi_rows[i], &rp);
	check_envelope(&cgi_rows[i], &rp);
	ck_assert_msg(cgi_rows[i].want == NULL || strstr(rp.out, cgi_rows[i].want) != NULL,
	    "row at line %d: no %s in\n%s", line, cgi_rows[i].want, rp.out);
	ck_assert_msg(cgi_rows[i].want2 == NULL || strstr(rp.out, cgi_rows[i].want2) != NULL,
	    "row at line %d: no %s in\n%s", line, cgi_rows[i].want2, rp.out);
	ck_assert_msg(cgi_rows[i].nowant == NULL || strstr(rp.out, cgi_rows[i].nowant) == NULL,
	    "row at line %d: %s in\n%s", line, cgi_rows[i].nowant, rp.out);
}
END_TEST

/* ------------------------------------------------------------ JSON envelope, log, url_encode */

START_TEST(json_envelopes)
{
	request req;
	response res;
	buf body = BUF_INIT;
	error e;
	page pg = { 3, 10, 20 };
	json_object *o, *err, *v;

	memset(&req, 0, sizeof req);
	memset(&res, 0, sizeof res);
	req.a = res.a = A;
	req.request_id = "rid-1";
	res.body = &body;
	json_reply_page(&req, &res, json_object_new_array(), &pg, 30);
	ck_assert_int_eq(res.status, 200);
	ck_assert_str_eq(body.data, "{\"data\":[],\"total_count\":30,\"page\":3,\"per_page\":10,"
	    "\"total_pages\":3,\"has_next\":false}");
	ck_assert_str_eq(res.content_type, "application/json; charset=utf-8");
	err_clear(&e);
	err_field(&e, "name", "must not be \"empty\"");
	err_field(&e, "base_price", "must be an integer");
	json_reply_error(&req, &res, &e);	/* replaces what was there */
	ck_assert_int_eq(res.status, 400);
	o = json_tokener_parse(body.data);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "error", &err));
	ck_assert(json_object_object_get_ex(err, "code", &v));
	ck_assert_str_eq(json_object_get_string(v), "VALIDATION_ERROR");
	ck_assert(json_object_object_get_ex(err, "request_id", &v));
	ck_assert_str_eq(json_object_get_string(v), "rid-1");
	ck_assert(json_object_object_get_ex(err, "fields", &v));
	ck_assert_int_eq(json_object_object_length(v), 2);
	json_object_put(o);
	buf_reset(&body);
	err_clear(&e);
	err_set(&e, E_RATE_LIMITED, "slow down");
	e.retry_after = 7;
	json_reply_error(&req, &res, &e);
	ck_assert_int_eq(res.status, 429);
	ck_assert_str_eq(res.headers->name, "Retry-After");
	ck_assert_str_eq(res.headers->value, "7");
	ck_assert_ptr_null(strstr(body.data, "fields"));
	buf_free(&body);
}
END_TEST

START_TEST(log_lines_are_escaped_json)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	request req;
	char line[2048];
	json_object *o, *v;

	ck_assert(f != NULL && saved >= 0);
	memset(&req, 0, sizeof req);
	req.request_id = "id\"1";
	req.method = "GET";
	req.path = "/a\nb\x01\x7f\\\"é";
	req.user_id = "u1";
	fflush(stderr);
	dup2(fileno(f), 2);
	log_init("core\ttest", "info");
	log_request(&req, 201, 1234);
	log_msg(LOG_DEBUG, "%s", "below the threshold");
	log_set_request_id("r2");
	log_msg(LOG_WARN, "line\r\nbreak %d", 5);
	log_set_request_id(NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);

	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
	ck_assert_ptr_nonnull(strstr(line, "\"path\":\"/a\\u000ab\\u0001\\u007f\\\\\\\"é\""));
	o = json_tokener_parse(line);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "path", &v));
	ck_assert_str_eq(json_object_get_string(v), req.path);
	ck_assert(json_object_object_get_ex(o, "component", &v));
	ck_assert_str_eq(json_object_get_string(v), "core\ttest");
	ck_assert(json_object_object_get_ex(o, "request_id", &v));
	ck_assert_str_eq(json_object_get_string(v), "id\"1");
	ck_assert(json_object_object_get_ex(o, "status", &v) && json_object_get_int(v) == 201);
	ck_assert(json_object_object_get_ex(o, "duration_us", &v) && json_object_get_int(v) == 1234);
	ck_assert(json_object_object_get_ex(o, "user_id", &v));
	ck_assert(json_object_object_get_ex(o, "ts", &v) && strlen(json_object_get_string(v)) == 24);
	json_object_put(o);

	ck_assert_ptr_nonnull(fgets(line, sizeof line, f));	/* the debug line was skipped */
	o = json_tokener_parse(line);
	ck_assert_ptr_nonnull(o);
	ck_assert(json_object_object_get_ex(o, "level", &v));
	ck_assert_str_eq(json_object_get_string(v), "warn");
	ck_assert(json_object_object_get_ex(o, "msg", &v));
	ck_assert_str_eq(json_object_get_string(v), "line\r\nbreak 5");
	ck_assert(json_object_object_get_ex(o, "request_id", &v));
	json_object_put(o);
	ck_assert_ptr_null(fgets(line, sizeof line, f));
	fclose(f);
}
END_TEST

static const struct {
	int line;
	const char *in, *out;
} urlenc_rows[] = {
	{ __LINE__, "", "" },
	{ __LINE__, "AZaz09-._~", "AZaz09-._~" },
	{ __LINE__, "a b/c?d=e&f#g", "a%20b%2Fc%3Fd%3De%26f%23g" },
	{ __LINE__, "Jörg+€", "J%C3%B6rg%2B%E2%82%AC" },
	{ __LINE__, "%\"<>'\x01\x7f", "%25%22%3C%3E%27%01%7F" },
};

START_TEST(url_encode_row)
{
	const char *got = url_encode(A, urlenc_rows[_i].in);

	ck_assert_msg(got != NULL && strcmp(got, urlenc_rows[_i].out) == 0,
	    "row at line %d: %s", urlenc_rows[_i].line, got);
}
END_TEST

/* ------------------------------------------------------------ configuration */

static const struct {
	int line;
	const char *file;	/* ECOM_CONFIG content, or NULL */
	const char *env[3];
	int ok;
	const char *key, *want;	/* config_raw(key) when ok */
	int64_t timeout, ttl;
} config_rows[] = {
	{ __LINE__, NULL, { NULL }, 1, "ECOM_NOTHING", NULL, 5, 30 },
	{ __LINE__, "# a comment\n\n  ECOM_DB_TIMEOUT=7\nECOM_STORE_NAME=Shop = A\nECOM_X_CUSTOM=1\n",
	  { "ECOM_CACHE_TTL=0" }, 1, "ECOM_STORE_NAME", "Shop = A", 7, 0 },
	{ __LINE__, "ECOM_DB_TIMEOUT=7\nECOM_DB_TIMEOUT=8\r\n", { "ECOM_CACHE_TTL=3600" }, 1, "ECOM_X_CUSTOM", NULL, 8, 3600 },
	{ __LINE__, "ECOM_DB_TIMEOUT=7\n", { "ECOM_DB_TIMEOUT=60" }, 1, "ECOM_DB_TIMEOUT", "60", 60, 30 },
	{ __LINE__, "ECOM_X_CUSTOM=from file\n", { "ECOM_X_CUSTOM=from env" }, 1, "ECOM_X_CUSTOM", "from env", 5, 30 },
	{ __LINE__, NULL, { "ECOM_DB_TIMEOUT=0" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_DB_TIMEOUT=61" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_CACHE_TTL=abc" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_CACHE_TTL=" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_ENV=staging" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_LOG_LEVEL=loud" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_CURRENCY=EURO" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, NULL, { "ECOM_CONFIG=/nonexistent/ecom.conf" }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, "ECOM_DB_TIMEOUT\n", { NULL }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, "=5\n", { NULL }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, "ECOM_DB_TIMEOUT =5\n", { NULL }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, "ECOM_DB-TIMEOUT=5\n", { NULL }, 0, NULL, NULL, 0, 0 },
	{ __LINE__, "ECOM_DB_TIMEOUT=5", { NULL }, 1, "ECOM_DB_TIMEOUT", "5", 5, 30 },
	{ __LINE__, "\tECOM_STORE_NAME= a shop \n", { NULL }, 1, "ECOM_STORE_NAME", " a shop ", 5, 30 },
};

/* In a child, so each row starts from an unloaded configuration. */
static int
config_child(size_t i, const char *path)
{
	int ok;

	clearenv();
	if (path != NULL)
		setenv("ECOM_CONFIG", path, 1);
	for (size_t k = 0; k < 3 && config_rows[i].env[k] != NULL; k++)
		put_env(config_rows[i].env[k]);
	if (freopen("/dev/null", "w", stderr) == NULL)
		return 90;
	ok = config_init() == 0;
	if (ok != config_rows[i].ok)
		return 91;
	if (!ok)
		return 0;
	if (cfg->db_timeout_s != config_rows[i].timeout || cfg->cache_ttl_s != config_rows[i].ttl)
		return 92;
	if (strcmp(cfg->env, "dev") != 0 || strcmp(cfg->currency, "EUR") != 0 ||
	    strcmp(cfg->redis_url, "redis://127.0.0.1:6379/0") != 0 ||
	    strcmp(cfg->template_dir + strlen(cfg->template_dir) - 10, "/templates") != 0)
		return 93;
	if ((config_raw(config_rows[i].key) == NULL) != (config_rows[i].want == NULL) ||
	    (config_rows[i].want != NULL && strcmp(config_raw(config_rows[i].key), config_rows[i].want) != 0))
		return 94;
	return 0;
}

START_TEST(config_row)
{
	size_t i = (size_t)_i;
	char path[] = "/tmp/check_app_cfg_XXXXXX";
	int fd = -1, wst;
	pid_t pid;

	if (config_rows[i].file != NULL) {
		fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		ck_assert(write(fd, config_rows[i].file, strlen(config_rows[i].file)) ==
		    (ssize_t)strlen(config_rows[i].file));
		close(fd);
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(config_child(i, fd >= 0 ? path : NULL));
	ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
	if (fd >= 0)
		unlink(path);
	ck_assert_msg(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "row at line %d: %d",
	    config_rows[i].line, WEXITSTATUS(wst));
}
END_TEST

/* Write a file of `lines` lines, each `fill` then a newline, and say
 * whether config_init accepts it (in a child: the configuration loads once). */
static int
config_accepts(const char *first, int lines, const char *fill, size_t width)
{
	char path[] = "/tmp/check_app_cfg_XXXXXX";
	int fd = mkstemp(path), wst;
	FILE *f;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(first, f);
	for (int i = 0; i < lines; i++) {
		for (size_t k = 0; k < width; k++)
			fputs(fill, f);
		fputc('\n', f);
	}
	fclose(f);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		clearenv();
		setenv("ECOM_CONFIG", path, 1);
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(90);
		_exit(config_init() == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
	unlink(path);
	ck_assert(WIFEXITED(wst));
	return WEXITSTATUS(wst) == 0;
}

START_TEST(config_file_bounds)
{
	ck_assert(config_accepts("", 256, "# comment", 1));
	ck_assert(!config_accepts("", 257, "# comment", 1));	/* 257 lines */
	ck_assert(config_accepts("ECOM_STORE_NAME=", 1, "x", 4096 - 16));	/* 4096 bytes */
	ck_assert(!config_accepts("ECOM_STORE_NAME=", 1, "x", 4096 - 15));
	ck_assert(!config_accepts("ECOM_STORE_NAME=", 1, "x", 100000));
}
END_TEST


/* ------------------------------------------------------------ CSP nonce */

/* Fresh per response, and the same value the templates see. */
START_TEST(csp_nonce_per_response)
{
	static struct reply a, b;
	char dir[] = "/tmp/check_app_tpl_XXXXXX", path[128], want[96], tplenv[160];
	cgi_row row = { __LINE__, 1, "GET", "/nothing", NULL, NULL, { tplenv }, 404, NULL, NULL, NULL };
	const char *n1, *n2;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/errors", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/errors/error.mustache", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("<script nonce=\"{{site.csp_nonce}}\">/*{{csp_nonce}}*/</script>\n", f);
	fclose(f);
	snprintf(tplenv, sizeof tplenv, "ECOM_TEMPLATE_DIR=%s", dir);

	run_cgi(&row, &a);
	check_envelope(&row, &a);
	run_cgi(&row, &b);
	check_envelope(&row, &b);
	unlink(path);
	snprintf(path, sizeof path, "%s/errors", dir);
	rmdir(path);
	rmdir(dir);

	n1 = csp_nonce_of(a.out);
	ck_assert_ptr_nonnull(n1);
	snprintf(want, sizeof want, "<script nonce=\"%s\">/*%s*/</script>", n1, n1);
	ck_assert_msg(strstr(a.out, want) != NULL, "no %s in\n%s", want, a.out);
	snprintf(want, sizeof want, "%s", n1);	/* n1 is a static buffer */
	n2 = csp_nonce_of(b.out);
	ck_assert_ptr_nonnull(n2);
	ck_assert_str_ne(want, n2);
}
END_TEST

/* ------------------------------------------------------------ startup refusals */

static const struct {
	int line;
	const char *var, *msg;	/* msg: in stderr */
} refuse_rows[] = {
	{ __LINE__, "ECOM_RATE_LIMITS=login=abc", "ECOM_RATE_LIMITS: login" },
	{ __LINE__, "ECOM_RATE_LIMITS=read=10/60,bogus=1/2", "unknown class \"bogus\"" },
	{ __LINE__, "ECOM_RATE_LIMITS=read=0/60", "ECOM_RATE_LIMITS" },
	{ __LINE__, "ECOM_RATE_LIMITS=read=10/0", "ECOM_RATE_LIMITS" },
	{ __LINE__, "ECOM_RATE_LIMITS=none=10/60", "unknown class" },
	{ __LINE__, "ECOM_TRUSTED_PROXIES=10.0.0.0/33", "\"10.0.0.0/33\" is not an IP address" },
	{ __LINE__, "ECOM_TRUSTED_PROXIES=127.0.0.1,proxy.local", "\"proxy.local\"" },
	{ __LINE__, "ECOM_TRUSTED_PROXIES=::1/129", "ECOM_TRUSTED_PROXIES" },
	{ __LINE__, "ECOM_CORS_ORIGINS=*", "ECOM_CORS_ORIGINS: \"*\"" },
	{ __LINE__, "ECOM_CORS_ORIGINS=https://a.example/", "\"https://a.example/\"" },
	{ __LINE__, "ECOM_CORS_ORIGINS=a.example", "ECOM_CORS_ORIGINS" },
	{ __LINE__, "ECOM_CORS_ORIGINS=https://", "ECOM_CORS_ORIGINS" },
};

START_TEST(startup_refuses_bad_security_config)
{
	static struct reply rp;
	cgi_row row = { refuse_rows[_i].line, 0, "GET", "/t/items", NULL, NULL,
	    { refuse_rows[_i].var }, -1, NULL, NULL, NULL };

	run_cgi(&row, &rp);
	ck_assert_msg(rp.status == 1, "row at line %d: exit %d", row.line, rp.status);
	ck_assert_msg(rp.out[0] == '\0', "row at line %d: answered %s", row.line, rp.out);
	ck_assert_msg(strstr(rp.log, refuse_rows[_i].msg) != NULL, "row at line %d: %s",
	    row.line, rp.log);
}
END_TEST

/* ------------------------------------------------------------ rate-limit settings */

static const struct {
	int line;
	const char *spec;
	int ok;
	rate_class c;		/* checked when ok */
	int64_t limit, window;
} rl_rows[] = {
	{ __LINE__, "", 1, RL_LOGIN, 10, 60 },
	{ __LINE__, "", 1, RL_READ, 600, 60 },
	{ __LINE__, "", 1, RL_WRITE, 120, 60 },
	{ __LINE__, "", 1, RL_REGISTER, 5, 600 },
	{ __LINE__, "", 1, RL_PASSWORD, 5, 600 },
	{ __LINE__, "", 1, RL_NONE, 0, 60 },
	{ __LINE__, "login=3/30,read=1000/1", 1, RL_LOGIN, 3, 30 },
	{ __LINE__, "login=3/30,read=1000/1", 1, RL_READ, 1000, 1 },
	{ __LINE__, "login=3/30,read=1000/1", 1, RL_WRITE, 120, 60 },
	{ __LINE__, " register = 7/3600 , ", 1, RL_REGISTER, 7, 3600 },
	{ __LINE__, "read=1/1,read=2/2", 1, RL_READ, 2, 2 },
	{ __LINE__, "read=off", 1, RL_READ, 0, 60 },
	{ __LINE__, "password=1000000/86400", 1, RL_PASSWORD, 1000000, 86400 },
	{ __LINE__, "read", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=10", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=10/", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=/60", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=-1/60", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=1000001/60", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=10/86401", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=10/60x", 0, RL_READ, 0, 0 },
	{ __LINE__, "Read=10/60", 0, RL_READ, 0, 0 },
	{ __LINE__, "none=10/60", 0, RL_READ, 0, 0 },
	{ __LINE__, "read=OFF", 0, RL_READ, 0, 0 },
};

START_TEST(ratelimit_parse_row)
{
	rl_limit l[RL__COUNT];
	char err[256] = "";
	int rc;

	ratelimit_defaults(l);
	rc = ratelimit_parse(rl_rows[_i].spec, l, err, sizeof err);
	ck_assert_msg((rc == 0) == rl_rows[_i].ok, "row at line %d: %d %s", rl_rows[_i].line, rc, err);
	if (rc != 0) {
		ck_assert_msg(err[0] != '\0', "row at line %d: no message", rl_rows[_i].line);
		return;
	}
	ck_assert_msg(l[rl_rows[_i].c].limit == rl_rows[_i].limit &&
	    l[rl_rows[_i].c].window_s == rl_rows[_i].window, "row at line %d: %lld/%lld",
	    rl_rows[_i].line, (long long)l[rl_rows[_i].c].limit, (long long)l[rl_rows[_i].c].window_s);
}
END_TEST

START_TEST(ratelimit_spec_bounded)
{
	char spec[RL_SPEC_MAX + 16], err[256];
	rl_limit l[RL__COUNT];
	size_t n = 0;

	ratelimit_defaults(l);
	while (n + 10 <= RL_SPEC_MAX)
		n += (size_t)snprintf(spec + n, sizeof spec - n, "read=1/1,");
	ck_assert_int_eq(ratelimit_parse(spec, l, err, sizeof err), 0);
	strcat(spec, "read=1/1,");
	ck_assert_int_eq(ratelimit_parse(spec, l, err, sizeof err), -1);
}
END_TEST

/* ------------------------------------------------------------ client address */

#define PROXIES "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8, ::ffff:192.168.0.0/112"

static const struct {
	int line;
	const char *remote, *xff;	/* NULL: unset */
	const char *want;		/* req->client_ip; NULL: unset */
} ip_rows[] = {
	{ __LINE__, "203.0.113.7", NULL, "203.0.113.7" },
	/* an untrusted peer's header is its own invention */
	{ __LINE__, "203.0.113.7", "198.51.100.1", "203.0.113.7" },
	{ __LINE__, "127.0.0.1", NULL, "127.0.0.1" },
	{ __LINE__, "127.0.0.1", "198.51.100.1", "198.51.100.1" },
	{ __LINE__, "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1" },
	{ __LINE__, "127.0.0.1", "6.6.6.6,198.51.100.1, 10.1.2.3,10.9.9.9", "198.51.100.1" },
	{ __LINE__, "10.20.30.40", "6.6.6.6, 198.51.100.1, 127.0.0.1", "198.51.100.1" },
	/* invalid entries are skipped, not believed */
	{ __LINE__, "127.0.0.1", "198.51.100.1, unknown", "198.51.100.1" },
	{ __LINE__, "127.0.0.1", "198.51.100.1, 999.1.1.1, , ", "198.51.100.1" },
	{ __LINE__, "127.0.0.1", "garbage", "127.0.0.1" },
	{ __LINE__, "127.0.0.1", "", "127.0.0.1" },
	/* all trusted: the furthest trusted hop */
	{ __LINE__, "127.0.0.1", "10.0.0.5, 10.0.0.6", "10.0.0.5" },
	/* ports and brackets as proxies write them; canonical text out */
	{ __LINE__, "127.0.0.1", "198.51.100.1:4711", "198.51.100.1" },
	{ __LINE__, "127.0.0.1", "[2001:DB8::1]:443", "2001:db8::1" },
	{ __LINE__, "127.0.0.1", "2001:0db8:0:0::1", "2001:db8::1" },
	{ __LINE__, "::1", "198.51.100.1", "198.51.100.1" },
	{ __LINE__, "fd12::5", "2001:db8::2", "2001:db8::2" },
	{ __LINE__, "fe80::1", "198.51.100.1", "fe80::1" },
	/* IPv4-mapped IPv6 is the IPv4 address, for matching and in the key */
	{ __LINE__, "::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1" },
	{ __LINE__, "::ffff:192.168.3.4", "198.51.100.9", "198.51.100.9" },
	{ __LINE__, "192.168.3.4", "198.51.100.9", "198.51.100.9" },
	{ __LINE__, "192.169.3.4", "198.51.100.9", "192.169.3.4" },
	{ __LINE__, "11.0.0.1", "198.51.100.9", "11.0.0.1" },
	{ __LINE__, "127.0.0.1", "::ffff:198.51.100.3", "198.51.100.3" },
	/* REMOTE_ADDR the server gave us but we cannot parse: left alone */
	{ __LINE__, "unix:/run/x.sock", "198.51.100.1", "unix:/run/x.sock" },
	{ __LINE__, NULL, "198.51.100.1", NULL },
};

START_TEST(client_ip_row)
{
	char remote[80], xff[300];
	const char *env[4] = { NULL, NULL, NULL, NULL };
	size_t k = 0;
	request r;
	error e;
	int line = ip_rows[_i].line;

	/* Check forks per test, so this configuration stays in this row */
	setenv("ECOM_TRUSTED_PROXIES", PROXIES, 1);
	ck_assert_int_eq(config_init(), 0);
	ck_assert_int_eq(client_ip_init(), 0);
	env[k++] = "REQUEST_URI=/";
	if (ip_rows[_i].remote != NULL) {
		snprintf(remote, sizeof remote, "REMOTE_ADDR=%s", ip_rows[_i].remote);
		env[k++] = remote;
	}
	if (ip_rows[_i].xff != NULL) {
		snprintf(xff, sizeof xff, "HTTP_X_FORWARDED_FOR=%s", ip_rows[_i].xff);
		env[k++] = xff;
	}
	ck_assert_msg(build(env, &r, &e) == E_OK, "row at line %d: %s", line, e.message);
	if (ip_rows[_i].want == NULL)
		ck_assert_msg(r.client_ip == NULL, "row at line %d: %s", line, r.client_ip);
	else
		ck_assert_msg(r.client_ip != NULL && strcmp(r.client_ip, ip_rows[_i].want) == 0,
		    "row at line %d: %s", line, r.client_ip);
}
END_TEST

/* A long forged header costs a bounded walk and cannot hide the hop that
 * our proxy appended at its end. */
START_TEST(client_ip_bounded)
{
	static char xff[64 * 1024];
	const char *env[] = { "REQUEST_URI=/", "REMOTE_ADDR=127.0.0.1", xff, NULL };
	request r;
	error e;
	size_t n;

	setenv("ECOM_TRUSTED_PROXIES", "127.0.0.1", 1);
	ck_assert_int_eq(config_init(), 0);
	ck_assert_int_eq(client_ip_init(), 0);
	n = (size_t)snprintf(xff, sizeof xff, "HTTP_X_FORWARDED_FOR=");
	while (n + 32 < sizeof xff)
		n += (size_t)snprintf(xff + n, sizeof xff - n, "6.6.6.6, ");
	snprintf(xff + n, sizeof xff - n, "198.51.100.77");
	ck_assert_int_eq(build(env, &r, &e), E_OK);
	ck_assert_str_eq(r.client_ip, "198.51.100.77");
	/* more trusted hops than are looked at: the furthest one looked at */
	n = (size_t)snprintf(xff, sizeof xff, "HTTP_X_FORWARDED_FOR=198.51.100.1");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(xff + n, sizeof xff - n, ", 127.0.0.1");
	ck_assert_int_eq(build(env, &r, &e), E_OK);
	ck_assert_str_eq(r.client_ip, "127.0.0.1");
}
END_TEST

/* ------------------------------------------------------------ main */

static TCase *
tc_new(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tc;
}

int
main(void)
{
	Suite *s = suite_create("app");
	TCase *tc;

	tc = tc_new(s, "request");
	tcase_add_loop_test(tc, request_build_row, 0, NROWS(build_rows));
	tcase_add_test(tc, request_build_bounds);

	/* one child process per row: app_main serving it as plain CGI */
	tc = tc_new(s, "cgi");
	tcase_add_loop_test(tc, cgi_requests, 0, NROWS(cgi_rows));

	tc = tc_new(s, "security");
	tcase_add_test(tc, csp_nonce_per_response);
	tcase_add_loop_test(tc, startup_refuses_bad_security_config, 0, NROWS(refuse_rows));
	tcase_add_loop_test(tc, ratelimit_parse_row, 0, NROWS(rl_rows));
	tcase_add_test(tc, ratelimit_spec_bounded);
	tcase_add_loop_test(tc, client_ip_row, 0, NROWS(ip_rows));
	tcase_add_test(tc, client_ip_bounded);

	tc = tc_new(s, "output");
	tcase_add_test(tc, json_envelopes);
	tcase_add_test(tc, log_lines_are_escaped_json);
	tcase_add_loop_test(tc, url_encode_row, 0, NROWS(urlenc_rows));

	tc = tc_new(s, "config");
	tcase_add_loop_test(tc, config_row, 0, NROWS(config_rows));
	tcase_add_test(tc, config_file_bounds);

	return check_run(s);
}
