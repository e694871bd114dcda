/*
 * json.c — the api-v1.md envelope and typed readers of JSON bodies (json.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "parse.h"
#include "util.h"

static void
emit(response *res, int status, json_object *root)
{
	const char *s = json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	if (s == NULL || buf_puts(res->body, s) != 0)
		res->body->oom = 1;
	json_object_put(root);
}

void
json_reply(request *req, response *res, int status, json_object *data)
{
	json_object *root = json_object_new_object();

	(void)req;
	json_object_object_add(root, "data", data);
	emit(res, status, root);
}

void
json_reply_page(request *req, response *res, json_object *items,
    const page *pg, int64_t total)
{
	json_object *root = json_object_new_object();
	int64_t pages = page_total_pages(pg, total);

	(void)req;
	json_object_object_add(root, "data", items);
	json_object_object_add(root, "total_count", json_object_new_int64(total));
	json_object_object_add(root, "page", json_object_new_int64(pg->page));
	json_object_object_add(root, "per_page", json_object_new_int64(pg->per_page));
	json_object_object_add(root, "total_pages", json_object_new_int64(pages));
	json_object_object_add(root, "has_next", json_object_new_boolean(pg->page < pages));
	emit(res, 200, root);
}

void
json_reply_error(request *req, response *res, const error *e)
{
	json_object *root = json_object_new_object(), *err = json_object_new_object();
	int status = ecode_status(e->code);

	json_object_object_add(err, "code", json_object_new_string(ecode_name(e->code)));
	json_object_object_add(err, "message", json_object_new_string(
	    e->message[0] != '\0' ? e->message : status_reason(status)));
	if (e->nfields > 0) {
		json_object *f = json_object_new_object();
		for (int i = 0; i < e->nfields; i++)
			json_object_object_add(f, e->fields[i].name,
			    json_object_new_string(e->fields[i].message));
		json_object_object_add(err, "fields", f);
	}
	json_object_object_add(err, "request_id",
	    json_object_new_string(req->request_id != NULL ? req->request_id : ""));
	json_object_object_add(root, "error", err);
	if (e->code == E_RATE_LIMITED && e->retry_after > 0) {
		char v[24];
		snprintf(v, sizeof v, "%d", e->retry_after);
		resp_set_header(res, "Retry-After", v);
	}
	buf_reset(res->body);
	emit(res, status, root);
}

int
json_get_str(json_object *o, const char *key, size_t minlen, size_t maxlen,
    const char **out, error *e)
{
	json_object *v;
	size_t n, chars;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		err_field(e, key, "must be a string");
		return -1;
	}
	*out = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	chars = utf8_len(*out, n);
	if (memchr(*out, '\0', n) != NULL) {
		err_field(e, key, "must not contain NUL characters");
		return -1;
	}
	if (chars < minlen || chars > maxlen) {
		if (minlen > 0)
			err_field(e, key, "must be between %zu and %zu characters", minlen, maxlen);
		else
			err_field(e, key, "must be at most %zu characters", maxlen);
		return -1;
	}
	return 1;
}

int
json_get_i64(json_object *o, const char *key, int64_t min, int64_t max,
    int64_t *out, error *e)
{
	json_object *v;
	int64_t x;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_int)) {
		err_field(e, key, "must be an integer");
		return -1;
	}
	errno = 0;
	x = json_object_get_int64(v);
	if (errno != 0 || x < min || x > max) {
		err_field(e, key, "must be an integer between %lld and %lld",
		    (long long)min, (long long)max);
		return -1;
	}
	*out = x;
	return 1;
}

int
json_get_bool(json_object *o, const char *key, bool *out, error *e)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		err_field(e, key, "must be true or false");
		return -1;
	}
	*out = json_object_get_boolean(v);
	return 1;
}

int
json_get_uuid(json_object *o, const char *key, const char **out, error *e)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string) || !uuid_valid(json_object_get_string(v))) {
		err_field(e, key, "must be a UUID");
		return -1;
	}
	*out = json_object_get_string(v);
	return 1;
}

json_object *
json_str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

const char *
json_member_str(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *
json_time_or_null(int64_t t)
{
	char s[21];

	if (t == 0)
		return NULL;
	time_rfc3339(t, s);
	return json_object_new_string(s);
}
