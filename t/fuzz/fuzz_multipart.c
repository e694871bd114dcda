/*
 * fuzz_multipart.c — libFuzzer harness for the streaming multipart parser
 * (lib/core/multipart.h).
 *
 * The first byte picks a chunk size, so the same body is also fed in
 * pieces that split delimiters and headers anywhere; the rest is the body
 * under a fixed boundary.  Whatever the split, the outcome must be the same
 * as feeding the body whole, and an accepted body's parts must respect the
 * bounds: at most MP_MAX_PARTS, names and filenames without control
 * characters, plain fields valid UTF-8 within MP_MAX_FIELD, and no part
 * larger than the input.  The Content-Type parser gets the same bytes.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/multipart.h"
#include "core/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ecode
run(arena *a, const char *body, size_t len, size_t chunk, mp_part **parts, size_t *n)
{
	mp_limits lim = { 1 << 20, 0, 0 };
	mp_parser *p;
	error e;

	err_clear(&e);
	p = mp_new(a, "XyZ", &lim, &e);
	assert(p != NULL);
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;
		if (mp_feed(p, body + off, k, &e) != E_OK) {
			assert(e.code == E_INVALID_INPUT || e.code == E_PAYLOAD_TOO_LARGE ||
			    e.code == E_INTERNAL);
			return e.code;
		}
	}
	return mp_finish(p, parts, n, &e);
}

static void
check_text(const char *s)
{
	for (const char *q = s; *q != '\0'; q++)
		assert((unsigned char)*q >= 0x20 && *q != 0x7f);
	assert(utf8_valid(s, strlen(s)));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static arena *a;
	mp_part *p1, *p2;
	size_t n1, n2, chunk;
	char b[MP_MAX_BOUNDARY + 1], *ct;
	ecode r1, r2;
	error e;

	if (size < 1)
		return 0;
	if (a == NULL && (a = arena_new(64 * 1024)) == NULL)
		return 0;
	chunk = (size_t)data[0] % 17 + 1;
	data++, size--;
	r1 = run(a, (const char *)data, size, size > 0 ? size : 1, &p1, &n1);
	r2 = run(a, (const char *)data, size, chunk, &p2, &n2);
	assert(r1 == r2);
	if (r1 == E_OK) {
		assert(n1 == n2 && n1 <= MP_MAX_PARTS);
		for (size_t i = 0; i < n1; i++) {
			assert(strcmp(p1[i].name, p2[i].name) == 0);
			assert(p1[i].len == p2[i].len && p1[i].len <= size);
			assert(memcmp(p1[i].data, p2[i].data, p1[i].len) == 0);
			assert(p1[i].data[p1[i].len] == '\0');
			check_text(p1[i].name);
			if (p1[i].filename != NULL) {
				check_text(p1[i].filename);
				assert(strcmp(p1[i].filename, p2[i].filename) == 0);
			} else {
				assert(p1[i].len <= MP_MAX_FIELD);
				assert(utf8_valid(p1[i].data, p1[i].len));
				assert(memchr(p1[i].data, '\0', p1[i].len) == NULL);
			}
		}
	}
	/* the same bytes as a Content-Type header */
	if ((ct = malloc(size + 1)) != NULL) {
		memcpy(ct, data, size);
		ct[size] = '\0';
		err_clear(&e);
		if (mp_boundary(ct, b, &e) == E_OK) {
			size_t bl = strlen(b);
			assert(bl >= 1 && bl <= MP_MAX_BOUNDARY);
			assert(strpbrk(b, "\r\n\"") == NULL);
		}
		free(ct);
	}
	arena_reset(a);
	return 0;
}
