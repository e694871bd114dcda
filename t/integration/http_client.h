/*
 * http_client.h — a small libcurl client for the integration suites.
 *
 * Each call performs one real HTTP request against the shop that ./check
 * started (ECOM_TEST_BASE_URL) and returns status, headers and body, with
 * the body parsed as JSON when the response says it is JSON.  Results are
 * released with http_result_free().
 */
#ifndef ECOM_T_HTTP_CLIENT_H
#define ECOM_T_HTTP_CLIENT_H

#include <stddef.h>
#include <json-c/json.h>

typedef struct http_result {
	long         status;
	char        *headers;	/* raw header block, lower-cased names */
	char        *body;
	size_t       body_len;
	json_object *json;	/* parsed body for application/json, else NULL */
} http_result;

/* Base URL of the shop under test, or NULL (suites then skip). */
const char *test_base_url(void);

/*
 * method + path (appended to base) with optional body and extra header lines
 * (NULL-terminated array of "Name: value").  Aborts the test on transport
 * failure.  The caller frees the result.
 */
http_result *http_do(const char *base, const char *method, const char *path,
    const char *body, const char *const *headers);
/* The same with a body of body_len bytes (it may hold NULs: a file). */
http_result *http_do_len(const char *base, const char *method, const char *path,
    const char *body, size_t body_len, const char *const *headers);
http_result *http_get(const char *path);
/* method path from client address client (X-Forwarded-For) as the holder
 * of tok (NULL: anonymous), with a JSON body or NULL. */
http_result *http_as(const char *client, const char *tok, const char *method, const char *path,
    const char *body);
/* Fail the test unless r answered status (its body in the message). */
void         expect_status(const http_result *r, long status);
void         http_result_free(http_result *r);

/* Value of a response header (case-insensitive name) copied into out;
 * returns 1 if present. */
int http_header(const http_result *r, const char *name, char *out, size_t outlen);

/* Convenience: json path lookup "data.items.0.id" (numbers index arrays). */
json_object *jpath(json_object *o, const char *path);
const char  *jstr(json_object *o, const char *path);
long long    jint(json_object *o, const char *path);

/* Run a shell command and return its trimmed stdout (malloc'd) or NULL. */
char *run_capture(const char *cmd);
/* Files under the stack's media upload folder ($ECOM_VAR/media/.../u/). */
long  media_upload_files(void);
/* Mint an access token with ecomctl (ECOM_TEST_ECOMCTL); malloc'd. */
char *mint_token(const char *role, const char *sub);
/* One value of a fixed query through the psql of ECOM_TEST_PSQL (-tA):
 * malloc'd, or NULL when psql fails. */
char *psql_value(const char *sql);

#endif
