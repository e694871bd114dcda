/*
 * input.h — typed readers of JSON body fields and the shared field checks,
 * used by input.c and input_taxonomy.c (lib/product only).
 *
 * Each reader returns JF_ABSENT, JF_NULL, JF_VALUE (with *out set) or
 * JF_BAD after adding a field error to e; strings point into the JSON
 * value, which the request keeps until its arena is reset.
 */
#ifndef ECOM_PRODUCT_INPUT_H
#define ECOM_PRODUCT_INPUT_H

#include "product/internal.h"

enum { JF_BAD = -1, JF_ABSENT = 0, JF_NULL = 1, JF_VALUE = 2 };

int jfield(json_object *o, const char *key, json_object **v);
int input_str(json_object *o, const char *key, const char **out, error *e);
int input_int(json_object *o, const char *key, int64_t min, int64_t max, int64_t *out,
    error *e);
int jbool(json_object *o, const char *key, bool *out, error *e);
int juuid(json_object *o, const char *key, const char **out, error *e);
/* A JSON object re-serialised into the arena (at most max bytes); null
 * gives "{}". */
int jobject_text(arena *a, json_object *o, const char *key, size_t max,
    const char **out, error *e);
/* E_OK when o is a JSON object, else E_INVALID_INPUT. */
ecode jbody(json_object *o, error *e);

/* min..max code points, and something besides spaces when min > 0. */
bool text_ok(const char *s, size_t min, size_t max);
/* Field errors for a bad value (NULL values pass: absent or cleared). */
void check_text(error *e, const char *key, const char *s, size_t min, size_t max);
void check_url(error *e, const char *key, const char *s);
void check_slug(error *e, const char *s);
void check_uuid(error *e, const char *key, const char *s);
/* "is required" when creating and the field is neither given nor bad. */
void require(error *e, bool create, unsigned set, unsigned bad, unsigned bit,
    const char *key);

#endif
