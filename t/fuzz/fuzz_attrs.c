/*
 * fuzz_attrs.c — libFuzzer harness for variant_attrs_from_text (the
 * "size=M; colour=Red" text of the CSV column and the admin form).
 *
 * Whatever the input, the answer is NULL or a JSON object whose values
 * are all strings, and every key and value is trimmed of spaces; it is
 * NULL exactly when some ';'-separated piece with more than spaces in it
 * has no '='.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/parse.h"
#include "product/product.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
has_bad_pair(const char *s)
{
	while (*s) {
		size_t n = strcspn(s, ";");

		if (strspn(s, " ") < n && memchr(s, '=', n) == NULL)
			return true;
		s += n + (s[n] == ';');
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new(4096);
	char *s;
	const char *out;
	json_object *o;

	if (a == NULL || size > 4096)
		goto done;
	/* the callers pass NUL-terminated UTF-8 (forms and CSV are checked) */
	if ((s = arena_strndup(a, (const char *)data, size)) == NULL || strlen(s) != size ||
	    !utf8_valid(s, size))
		goto done;
	out = variant_attrs_from_text(a, s);
	assert((out == NULL) == has_bad_pair(s));
	if (out == NULL)
		goto done;
	o = json_tokener_parse(out);
	assert(o != NULL && json_object_is_type(o, json_type_object));
	json_object_object_foreach(o, k, v) {
		size_t kn = strlen(k);
		const char *vs;

		assert(json_object_is_type(v, json_type_string));
		vs = json_object_get_string(v);
		assert(kn == 0 || (k[0] != ' ' && k[kn - 1] != ' '));
		assert(vs[0] == '\0' || (vs[0] != ' ' && vs[strlen(vs) - 1] != ' '));
	}
	json_object_put(o);
done:
	if (a != NULL)
		arena_free(a);
	return 0;
}
