/*
 * fuzz_search.c — libFuzzer harness for the search query's word splitter
 * (search_words), the only thing between q and to_tsquery.
 *
 * Whatever the bytes, an accepted q gives at most SEARCH_TERMS_MAX words,
 * each 1..SEARCH_TERM_MAX bytes of ASCII lower-case letters, digits or
 * non-ASCII bytes — never a byte tsquery reads as syntax — and a refusal
 * is E_INVALID_PARAMETER.
 *
 * The same bytes as a recorded search term (search_term_normalise): NULL,
 * or valid UTF-8 of 1..SEARCH_LOG_TERM_MAX characters with no ASCII
 * capital, no control byte, single spaces between words only, and
 * normalising it again changes nothing.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "search/search.h"

static void
check_term(arena *a, const char *s)
{
	const char *t = search_term_normalise(a, s), *again;
	size_t len, chars = 0;

	if (t == NULL)
		return;
	len = strlen(t);
	assert(len >= 1 && utf8_valid(t, len));
	assert(t[0] != ' ' && t[len - 1] != ' ' && strstr(t, "  ") == NULL);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)t[k];

		assert(!(c >= 'A' && c <= 'Z') && c != 0x7f && (c >= 0x20));
		chars += (c & 0xC0) != 0x80;
	}
	assert(chars <= SEARCH_LOG_TERM_MAX);
	again = search_term_normalise(a, t);
	assert(again != NULL && strcmp(again, t) == 0);
}

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
	check_term(a, s);
	free(s);
	arena_free(a);
	return 0;
}
