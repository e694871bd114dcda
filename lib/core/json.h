/*
 * json.h — the JSON envelope of api-v1.md and small json-c helpers.
 *
 * Success bodies are {"data": ...}; paginated lists add total_count, page,
 * per_page, total_pages, has_next; errors are {"error": {code, message,
 * fields?, request_id}}.  Values handed to these functions are consumed
 * (their reference passes to the response).
 */
#ifndef ECOM_JSON_H
#define ECOM_JSON_H

#include <json-c/json.h>
#include "http.h"
#include "page.h"

/* {"data": data} with status (200, 201). Takes ownership of data. */
void json_reply(request *req, response *res, int status, json_object *data);
/* Paginated list envelope. Takes ownership of items (an array). */
void json_reply_page(request *req, response *res, json_object *items,
    const page *pg, int64_t total);
/* The error envelope for e; sets status, Retry-After when relevant. */
void json_reply_error(request *req, response *res, const error *e);

/* Typed readers of a JSON body field.  Each returns 1 if present and valid,
 * 0 if absent (or null when allow_null), and -1 after adding a field error
 * to e ("must be a string of at most 255 characters", ...). */
int json_get_str(json_object *o, const char *key, size_t minlen, size_t maxlen,
    const char **out, error *e);
int json_get_i64(json_object *o, const char *key, int64_t min, int64_t max,
    int64_t *out, error *e);
int json_get_bool(json_object *o, const char *key, bool *out, error *e);
int json_get_uuid(json_object *o, const char *key, const char **out, error *e);

/* Shorthands that return NULL-safe new values. */
json_object *json_str_or_null(const char *s);
/* o[key] when it is a string, else NULL (o may be NULL): for reading
 * events and other trusted JSON where absence is not an input error. */
const char *json_member_str(json_object *o, const char *key);
/* RFC 3339 UTC ("2026-12-07T04:11:03Z"); 0 (never) is NULL. */
json_object *json_time_or_null(int64_t t);

#endif
