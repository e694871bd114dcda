/*
 * fuzz_json.c — libFuzzer harness for the JSON body reader.
 *
 * json_body_parse must either refuse with a 400 or return an object or
 * array, and everything it allocated must be released by the arena reset
 * (LeakSanitizer checks that).
 */
#include <assert.h>
#include <stdint.h>

#include "core/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	json_object *o;
	error e;

	if (a == NULL && (a = arena_new(64 * 1024)) == NULL)
		return 0;
	err_clear(&e);
	if (json_body_parse(a, (const char *)data, size, &o, &e) == E_OK)
		assert(json_object_is_type(o, json_type_object) || json_object_is_type(o, json_type_array));
	else
		assert(e.code == E_INVALID_INPUT || e.code == E_INTERNAL);
	arena_reset(a);
	return 0;
}
