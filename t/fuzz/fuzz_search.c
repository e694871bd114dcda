/*
 * fuzz_search.c — libFuzzer harness for the search query's word splitter
 * (search_words), the only thing between q and to_tsquery.
 *
 * Whatever the bytes, an accepted q gives at most SEARCH_TERMS_MAX words,
 * each 1..SEARCH_TERM_MAX bytes of ASCII lower-case letters, digits or
 * non-ASCII bytes — never a byte tsquery reads as syntax — and a refusal
 * is E_INVALID_PARAMETER.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	arena *a = arena_new(4096);
	char *s = malloc(size + 1);
	const char **w;
	size_t n;
	error e;

	if (!a || !s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	err_clear(&e);
	if (search_words(a, s, &w, &n, &e) == E_OK) {
		assert(n <= SEARCH_TERMS_MAX);
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(w[i]);

			assert(len >= 1 && len <= SEARCH_TERM_MAX);
			for (size_t k = 0; k < len; k++) {
				unsigned char c = (unsigned char)w[i][k];

				assert(c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
			}
		}
	} else {
		assert(e.code == E_INVALID_PARAMETER || e.code == E_INTERNAL);
	}
	free(s);
	arena_free(a);
	return 0;
}
