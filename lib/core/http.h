/*
 * http.h — one request and its buffered response.
 *
 * A request is built from the CGI/FastCGI environment once per loop
 * iteration and owns the arena: every string in it lives until the reset at
 * the end of the iteration.  Parsing is bounded (see the limits below) and a
 * refusal becomes a typed error with a message that says what to fix.
 *
 * The response is buffered (STYLE 6): handlers set status, headers and body;
 * nothing reaches the client until the loop writes it once, with an exact
 * Content-Length.  Every header passes through resp_header(), which refuses
 * CR, LF and NUL, so response splitting is impossible by construction.
 */
#ifndef ECOM_HTTP_H
#define ECOM_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "arena.h"
#include "buf.h"
#include "error.h"
#include "multipart.h"

/* Bounds on everything a client sends. */
#define HTTP_MAX_PATH		2048
#define HTTP_MAX_QUERY		4096
#define HTTP_MAX_PARAMS		64	/* query or form pairs */
#define HTTP_MAX_COOKIES	32
#define HTTP_MAX_COOKIE_HDR	8192
#define HTTP_MAX_BODY		(1024 * 1024)	/* default; a route may set less */
#define HTTP_MAX_JSON_DEPTH	32
#define HTTP_MAX_PATH_PARAMS	8

typedef struct kv {
	const char *key;
	const char *val;	/* never NULL: a key without '=' gives "" */
} kv;

typedef enum role {
	ROLE_PUBLIC = 0,	/* anyone */
	ROLE_CUSTOMER,		/* any signed-in user */
	ROLE_SELLER,
	ROLE_ADMIN
} role;

typedef struct request {
	arena      *a;
	const char *method;		/* "GET", "POST", ... */
	const char *path;		/* percent-decoded, no query */
	const char *query_string;	/* raw */
	kv         *query;   size_t nquery;
	kv         *cookies; size_t ncookies;
	kv         *form;    size_t nform;	/* url-encoded body, or a multipart body's plain fields */
	mp_part    *parts;   size_t nparts;	/* multipart body (BODY_MULTIPART) */
	json_object *json;		/* parsed JSON body, or NULL; released at reset */
	const char *content_type;	/* as sent, or "" */
	const char *body; size_t body_len;
	kv          params[HTTP_MAX_PATH_PARAMS]; size_t nparams;	/* {name} in the route */
	const char *request_id;
	const char *client_ip;
	const char *csp_nonce;		/* HTML: base64 of 16 random bytes, or NULL */
	bool        https;

	/* The authenticated principal (set by the auth gate). */
	const char *user_id;		/* UUID or NULL */
	const char *user_email;
	role        user_role;
	const char *session_id;		/* the token's sid claim, or NULL */

	const void *route;		/* the matched route row */
	void       *env;		/* opaque: FCGX_ParamArray or environ */
	const char *(*getenv)(const struct request *, const char *name);
	uint64_t    started_us;		/* monotonic, for the log */
} request;

/* CGI variable ("REQUEST_METHOD", "HTTP_COOKIE", ...) or NULL. */
const char *req_env(const request *r, const char *name);
/* Request header by its HTTP name ("X-Request-ID"), or NULL. */
const char *req_header(const request *r, const char *name);
const char *req_query(const request *r, const char *key);	/* first match or NULL */
const char *req_form(const request *r, const char *key);
const char *req_cookie(const request *r, const char *key);
const char *req_param(const request *r, const char *key);	/* path parameter */
/* The first multipart part named `name` (file or plain field), or NULL. */
const mp_part *req_part(const request *r, const char *name);

/*
 * Parse a url-encoded string ("a=1&b=%C3%A9+x") into at most `max` pairs
 * allocated from the arena.  Returns E_OK, or fills e: invalid percent
 * escapes, invalid UTF-8, NUL bytes and more than `max` pairs are refused.
 */
ecode form_parse(arena *a, const char *s, size_t len, size_t max,
    kv **out, size_t *n, error *e);
/* Parse a Cookie header into pairs (RFC 6265 §5.4 syntax, lenient on spaces). */
ecode cookie_parse(arena *a, const char *hdr, kv **out, size_t *n, error *e);
/*
 * Parse a JSON body: depth-limited, must be an object or array, refuses
 * trailing bytes, invalid UTF-8 and duplicate-key tricks are json-c's.
 * The returned object is released at arena reset.
 */
ecode json_body_parse(arena *a, const char *s, size_t len, json_object **out, error *e);

typedef struct header {
	const char *name;
	const char *value;
	struct header *next;
} header;

typedef struct response {
	int     status;
	header *headers;	/* in order of addition, arena-owned */
	header *last;
	buf    *body;		/* process-wide buffer, reset per request */
	const char *content_type;
	arena  *a;
	/* A streamed body (resp_stream): produced after the headers are sent,
	 * without Content-Length; the buffered body is then unused. */
	int   (*stream)(struct response *res, void *ud);
	void   *stream_ud;
} response;

/*
 * Stream the body instead of buffering it (large downloads such as a
 * catalog export): after the headers, fn(res, ud) is called and writes the
 * body with resp_write.  The status and headers are final once fn runs, so
 * fn cannot turn into an error page: it logs and returns -1, which cuts
 * the download short (the client sees an incomplete body, not a wrong one).
 */
void resp_stream(response *res, int (*fn)(response *res, void *ud), void *ud);
/* Write n bytes of a streamed body; 0, or -1 when the client is gone. */
int  resp_write(response *res, const char *data, size_t n);

/* Add a header; refuses (returns -1, header not added) if name or value
 * contains CR, LF or NUL, or name is not a token. */
int resp_header(response *res, const char *name, const char *value);
/* Replace any existing header of that name. */
int resp_set_header(response *res, const char *name, const char *value);
/* 3xx with Location; the location must be a relative path or http(s) URL. */
int resp_redirect(response *res, int status, const char *location);
/* Set-Cookie with attributes; value is percent-encoded if needed. */
int resp_cookie(response *res, const char *name, const char *value,
    const char *attrs);

#endif
