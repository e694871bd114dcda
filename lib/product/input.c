/*
 * input.c — typed readers of JSON body fields and the field checks shared
 * by every catalog write (input_product.c, input_taxonomy.c).
 *
 * Readers distinguish absent ("unchanged" on updates), null ("clear") and
 * a value, and add a field error for a wrong type; checks add a field error
 * for a value out of bounds.  Neither stops at the first problem, so one
 * response lists every bad field.
 */
#include <ctype.h>
#include <string.h>

#include "core/util.h"
#include "product/input.h"

/* ------------------------------------------------------------ typed fields */

int
jfield(json_object *o, const char *key, json_object **v)
{
	json_object *x = NULL;

	if (!json_object_object_get_ex(o, key, &x))
		return JF_ABSENT;
	*v = x;
	return x == NULL ? JF_NULL : JF_VALUE;
}

int
input_str(json_object *o, const char *key, const char **out, error *e)
{
	json_object *v;
	int          st = jfield(o, key, &v);

	if (st != JF_VALUE)
		return st;
	if (!json_object_is_type(v, json_type_string)) {
		err_field(e, key, "must be a string");
		return JF_BAD;
	}
	*out = json_object_get_string(v);
	return JF_VALUE;
}

int
input_int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out,
    error *e)
{
	json_object *v;
	int          st = jfield(o, key, &v);
	int64_t      x;

	if (st != JF_VALUE)
		return st;
	if (!json_object_is_type(v, json_type_int)) {
		err_field(e, key, "must be an integer");
		return JF_BAD;
	}
	x = json_object_get_int64(v);
	if (x < min || x > max) {
		err_field(e, key, "must be between %lld and %lld", (long long)min,
		    (long long)max);
		return JF_BAD;
	}
	*out = x;
	return JF_VALUE;
}

int
jbool(json_object *o, const char *key, bool *out, error *e)
{
	json_object *v;
	int          st = jfield(o, key, &v);

	if (st != JF_VALUE)
		return st;
	if (!json_object_is_type(v, json_type_boolean)) {
		err_field(e, key, "must be true or false");
		return JF_BAD;
	}
	*out = json_object_get_boolean(v);
	return JF_VALUE;
}

int
juuid(json_object *o, const char *key, const char **out, error *e)
{
	int st = input_str(o, key, out, e);

	if (st == JF_VALUE && !uuid_valid(*out)) {
		err_field(e, key, "must be a UUID");
		return JF_BAD;
	}
	return st;
}

/* A JSON object serialised, at most max bytes; null gives "{}". */
int
jobject_text(arena *a, json_object *o, const char *key, size_t max,
    const char **out, error *e)
{
	json_object *v;
	int          st = jfield(o, key, &v);
	const char  *s;

	if (st == JF_ABSENT)
		return st;
	if (st == JF_NULL) {
		*out = "{}";
		return JF_VALUE;
	}
	if (!json_object_is_type(v, json_type_object)) {
		err_field(e, key, "must be a JSON object");
		return JF_BAD;
	}
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	if (!s || strlen(s) > max) {
		err_field(e, key, "must be at most %zu bytes as JSON", max);
		return JF_BAD;
	}
	*out = arena_strdup(a, s);
	if (!*out) {
		err_set(e, E_INTERNAL, "out of memory");
		return JF_BAD;
	}
	return JF_VALUE;
}

ecode
jbody(json_object *o, error *e)
{
	if (!o || !json_object_is_type(o, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	return E_OK;
}

/* ------------------------------------------------------------ shared checks */

bool
text_ok(const char *s, size_t min, size_t max)
{
	size_t n = catalog_chars(s);

	if (n < min || n > max)
		return false;
	if (min == 0)
		return true;
	/* A required text needs something visible, not only spaces. */
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return true;
	return false;
}

void
check_text(error *e, const char *key, const char *s, size_t min, size_t max)
{
	if (!s || text_ok(s, min, max))
		return;
	if (min > 0)
		err_field(e, key, "must be %zu to %zu characters", min, max);
	else
		err_field(e, key, "must be at most %zu characters", max);
}

void
check_url(error *e, const char *key, const char *s)
{
	if (s && !catalog_url_valid(s))
		err_field(e, key, "must be an http(s) URL or a site path starting with /, "
		    "without spaces, at most %d characters", CATALOG_URL_MAX);
}

void
check_slug(error *e, const char *s)
{
	if (s && (strlen(s) > PRODUCT_SLUG_MAX || !slug_valid(s)))
		err_field(e, "slug", "must be lower-case letters, digits and single "
		    "hyphens, at most %d characters", PRODUCT_SLUG_MAX);
}

void
check_uuid(error *e, const char *key, const char *s)
{
	if (s && !uuid_valid(s))
		err_field(e, key, "must be a UUID");
}

void
require(error *e, bool create, unsigned set, unsigned bad, unsigned bit,
    const char *key)
{
	if (create && !(set & bit) && !(bad & bit))
		err_field(e, key, "is required");
}
