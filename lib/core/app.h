/*
 * app.h — a responder: its route table and the FastCGI/CGI loop around it.
 *
 * Routes are data (STYLE 2).  Each row declares method, pattern with
 * {params}, handler, minimum role, CSRF rule, rate-limit class and body
 * limit; app_main() runs the gates centrally in this order:
 *
 *   CORS preflight (APP_JSON: OPTIONS answered 204/403 before routing)
 *   -> route match (404/405)
 *   -> rate limit (429, or 503 for a fail-closed class without Redis)
 *   -> body limit (413) -> body parse (415/400)
 *   -> auth (401) -> role (403) -> CSRF (403) -> handler.
 *
 * A BODY_MULTIPART route (uploads) checks only the declared length (413)
 * before auth and role; a refused caller's body is drained unread, and
 * only an admitted one is parsed (415/400/413) and stored, then CSRF.
 *
 * The rate limit runs before the body is read so that a flood costs one
 * Redis round trip per request, not a body read and a parse.  Handlers
 * never repeat the gates.  Every reply then gets the security headers
 * (CSP with a per-response nonce for HTML, nosniff, frame-ancestors,
 * Referrer-Policy, Permissions-Policy, HSTS over https) and, for APP_JSON,
 * the CORS headers for an allowed Origin (ECOM_CORS_ORIGINS, exact match).
 *
 * A handler parses its input, calls the domain, and renders; on failure it
 * returns the ecode after filling `e`, and app_main renders the error as a
 * JSON envelope (APP_JSON) or an HTML error page (APP_HTML).
 *
 * The same binary serves FastCGI (lighttpd/Apache spawn it with the listen
 * socket on fd 0) and plain CGI (one request from the environment).
 */
#ifndef ECOM_APP_H
#define ECOM_APP_H

#include <stddef.h>
#include "http.h"

typedef ecode (*handler_fn)(request *req, response *res, error *e);

typedef enum csrf_rule {
	CSRF_NONE = 0,		/* safe methods, Bearer-only APIs */
	CSRF_REQUIRED		/* form posts: token checked by the gate */
} csrf_rule;

typedef enum body_kind {
	BODY_NONE = 0,		/* any body is refused (413 if non-empty) */
	BODY_JSON,		/* application/json, else 415 */
	BODY_FORM,		/* application/x-www-form-urlencoded, else 415 */
	BODY_RAW,		/* left unparsed in req->body */
	BODY_MULTIPART		/* multipart/form-data, else 415: streamed through
				 * lib/core/multipart.c into req->parts (bounded by
				 * body_limit, MP_MAX_PARTS, MP_MAX_HEADER); the parts
				 * without a filename are also in req->form, so the
				 * CSRF gate finds csrf_token there */
} body_kind;

/* Rate-limit classes (lib/auth/ratelimit.c): per client IP, in Redis; the
 * limits are defaults that ECOM_RATE_LIMITS can override. */
typedef enum rate_class {
	RL_READ = 0,		/* pages and API reads: loose */
	RL_WRITE,		/* changes by a signed-in caller */
	RL_LOGIN,		/* sign-in: tight, beside the per-account throttle */
	RL_REGISTER,		/* account creation */
	RL_PASSWORD,		/* forgot/reset password, verify e-mail: tight */
	RL_NONE,		/* not limited (health checks) */
	RL__COUNT
} rate_class;

typedef struct route {
	const char *method;	/* "GET", "POST", "PUT", "DELETE" */
	const char *pattern;	/* "/api/v1/products/{id}/variants/{vid}" */
	handler_fn  handler;
	role        min_role;
	csrf_rule   csrf;
	body_kind   body;
	size_t      body_limit;	/* 0 = HTTP_MAX_BODY */
	rate_class  rate;
} route;

typedef enum app_kind { APP_JSON, APP_HTML } app_kind;

typedef struct app {
	const char  *name;	/* "catalog", "store": log field and error pages */
	app_kind     kind;
	const route *routes;
	size_t       nroutes;
	/* Called once per process after config, log, db and templates are
	 * ready; returns 0 or -1 to refuse to start. May be NULL. */
	int        (*init)(void);
	/* APP_HTML: where a guest (or an expired session) is sent, 303 with
	 * ?next=<path?query>, when a route needs a role; NULL = the 401 page. */
	const char  *login_url;
} app;

/* Run the responder; returns the process exit status. */
int app_main(const app *ap, int argc, char **argv);

/*
 * Router, exposed for tests: find the row for method+path.  Returns the
 * route and fills req->params, or NULL with *status 404 (no pattern
 * matches) or 405 (a pattern matches but not the method).
 */
const route *router_match(const route *routes, size_t n, request *req,
    const char *method, const char *path, int *status);

/*
 * The client address rate limits count against (request.c): parse
 * ECOM_TRUSTED_PROXIES (IPs and CIDRs, IPv4 and IPv6) once.  Returns 0, or
 * -1 after printing which entry is wrong.  app_main calls it; exposed for
 * tests.
 */
int client_ip_init(void);

/* Render an error for the current app kind (used by handlers that want
 * to render an error and still return E_OK, e.g. form re-display). */
void app_render_error(request *req, response *res, const error *e);

#endif
