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
#include <sys/wait.h>
#include <check.h>

#include "../check_run.h"

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
};
static const app json_app = { "t-json", APP_JSON, t_routes, sizeof t_routes / sizeof t_routes[0], NULL };
static const app html_app = { "t-html", APP_HTML, t_routes, sizeof t_routes / sizeof t_routes[0], NULL };

#define JSON_CT "Content-Type: application/json; charset=utf-8\r\n"
#define HTML_CT "Content-Type: text/html; charset=utf-8\r\n"
#define JSON_CT_REQ "application/json"
#define FORM_CT_REQ "application/x-www-form-urlencoded"

static const struct {
	int line;
	int html;
	const char *method, *uri, *ctype, *body;
	const char *env[3];	/* more variables; these win */
	int status;
	const char *want, *want2, *nowant;	/* in the whole reply */
} cgi_rows[] = {
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
run_cgi(size_t i, struct reply *rp)
{
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	const char *body = cgi_rows[i].body;
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
		setenv("REQUEST_METHOD", cgi_rows[i].method, 1);
		if (cgi_rows[i].uri != NULL) {
			const char *q = strchr(cgi_rows[i].uri, '?');
			setenv("REQUEST_URI", cgi_rows[i].uri, 1);
			setenv("QUERY_STRING", q != NULL ? q + 1 : "", 1);
		}
		if (cgi_rows[i].ctype != NULL)
			setenv("CONTENT_TYPE", cgi_rows[i].ctype, 1);
		if (body != NULL) {
			snprintf(len, sizeof len, "%zu", strlen(body));
			setenv("CONTENT_LENGTH", len, 1);
		}
		for (size_t k = 0; k < 3 && cgi_rows[i].env[k] != NULL; k++)
			put_env(cgi_rows[i].env[k]);
		dup2(fileno(in), 0);
		dup2(fileno(out), 1);
		dup2(fileno(err), 2);
		/* exit(), not _exit(): LeakSanitizer then checks what one
		 * request left behind, and a leak fails the row */
		exit(app_main(cgi_rows[i].html ? &html_app : &json_app, 0, NULL));
	}
	ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
	fclose(in);
	slurp(out, rp->out, sizeof rp->out);
	slurp(err, rp->log, sizeof rp->log);
	ck_assert_msg(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "row at line %d: exit %d: %s",
	    cgi_rows[i].line, wst, rp->log);
}

/* What every reply must carry, whatever the route did. */
static void
check_envelope(size_t i, const struct reply *rp)
{
	int line = cgi_rows[i].line;
	const char *body = strstr(rp->out, "\r\n\r\n"), *cl = strstr(rp->out, "Content-Length: ");
	char want[64];
	int64_t n;

	snprintf(want, sizeof want, "Status: %d ", cgi_rows[i].status);
	ck_assert_msg(strncmp(rp->out, want, strlen(want)) == 0, "row at line %d: %.40s", line, rp->out);
	ck_assert_msg(body != NULL && cl != NULL && cl < body, "row at line %d", line);
	body += 4;
	ck_assert_msg(parse_i64n(cl + 16, strcspn(cl + 16, "\r"), 0, 1 << 20, &n) == 0, "row at line %d", line);
	if (strcmp(cgi_rows[i].method, "HEAD") == 0)
		ck_assert_msg(*body == '\0' && n > 0, "row at line %d: HEAD has a body", line);
	else
		ck_assert_msg((size_t)n == strlen(body), "row at line %d: length %lld for %zu bytes",
		    line, (long long)n, strlen(body));
	ck_assert_msg(strstr(rp->out, "X-Content-Type-Options: nosniff\r\n") != NULL &&
	    strstr(rp->out, "X-Frame-Options: DENY\r\n") != NULL &&
	    strstr(rp->out, "Referrer-Policy: strict-origin-when-cross-origin\r\n") != NULL &&
	    strstr(rp->out, "X-Request-ID: ") != NULL &&
	    strstr(rp->out, "Cache-Control: ") != NULL, "row at line %d: security headers", line);
	ck_assert_msg(strstr(rp->out, cgi_rows[i].html ?
	    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; style-src 'self'; "
	    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'\r\n" :
	    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n") != NULL,
	    "row at line %d: CSP", line);
	snprintf(want, sizeof want, ",\"status\":%d,", cgi_rows[i].status);
	ck_assert_msg(strstr(rp->log, want) != NULL, "row at line %d: log %s", line, rp->log);
}

START_TEST(cgi_requests)
{
	static struct reply rp;
	size_t i = (size_t)_i;
	int line = cgi_rows[i].line;

	run_cgi(i, &rp);
	check_envelope(i, &rp);
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

	tc = tc_new(s, "output");
	tcase_add_test(tc, json_envelopes);
	tcase_add_test(tc, log_lines_are_escaped_json);
	tcase_add_loop_test(tc, url_encode_row, 0, NROWS(urlenc_rows));

	tc = tc_new(s, "config");
	tcase_add_loop_test(tc, config_row, 0, NROWS(config_rows));
	tcase_add_test(tc, config_file_bounds);

	return check_run(s);
}
