/*
 * fuzz_form.c — libFuzzer harness for the query/form and Cookie parsers
 * and for request_build's path decoding.
 *
 * The same bytes go to form_parse (as a query string and as a form body),
 * to cookie_parse, and to request_build as REQUEST_URI; every pair they
 * return must be NUL-terminated valid UTF-8 (for form pairs) within the
 * input's size, and an accepted path must start with '/', be valid UTF-8
 * and hold no dot segment.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/parse.h"
#include "core/request_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *uri;

static const char *
fake_env(const request *r, const char *name)
{
	(void)r;
	return strcmp(name, "REQUEST_URI") == 0 ? uri : NULL;
}

static void
check_request(arena *a, const char *s)
{
	request r;
	error e;

	memset(&r, 0, sizeof r);
	r.a = a;
	r.getenv = fake_env;
	uri = s;
	err_clear(&e);
	if (request_build(&r, &e) != E_OK) {
		assert(e.code == E_INVALID_INPUT || e.code == E_INVALID_PARAMETER || e.code == E_INTERNAL);
		assert(strcmp(r.path, "/") == 0 || e.code == E_INVALID_PARAMETER);
		return;
	}
	assert(r.path[0] == '/' && utf8_valid(r.path, strlen(r.path)));
	assert(strlen(r.path) <= HTTP_MAX_PATH);
	assert(strstr(r.path, "/../") == NULL && strstr(r.path, "/./") == NULL);
	assert(r.nquery <= HTTP_MAX_PARAMS);
}

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
	check_request(a, s);
	arena_reset(a);
	free(s);
	return 0;
}
