/*
 * fuzz_form.c — libFuzzer harness for the query/form and Cookie parsers.
 *
 * The same bytes go to form_parse (as a query string and as a form body)
 * and to cookie_parse; every pair they return must be NUL-terminated valid
 * UTF-8 (for form pairs) within the input's size.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	char *s;
	kv *pairs;
	size_t n;
	error e;

	if (a == NULL && (a = arena_new(64 * 1024)) == NULL)
		return 0;
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	err_clear(&e);
	if (form_parse(a, s, size, HTTP_MAX_PARAMS, &pairs, &n, &e) == E_OK) {
		assert(n <= HTTP_MAX_PARAMS);
		for (size_t i = 0; i < n; i++) {
			assert(strlen(pairs[i].key) <= size && strlen(pairs[i].val) <= size);
			assert(utf8_valid(pairs[i].key, strlen(pairs[i].key)));
			assert(utf8_valid(pairs[i].val, strlen(pairs[i].val)));
		}
	} else {
		assert(e.code == E_INVALID_INPUT || e.code == E_INTERNAL);
	}
	err_clear(&e);
	if (cookie_parse(a, s, &pairs, &n, &e) == E_OK)
		assert(n <= HTTP_MAX_COOKIES);
	arena_reset(a);
	free(s);
	return 0;
}
