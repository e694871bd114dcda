/*
 * util.h — small value helpers: UUIDs, money, slugs, time.
 */
#ifndef ECOM_UTIL_H
#define ECOM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* Random (v4) UUID from getrandom(2) into out[37]; 0 or -1. */
int  uuid_v4(char out[37]);
/* Canonical 8-4-4-4-12 hex form, any case. */
bool uuid_valid(const char *s);

/* Minor units per major for an ISO 4217 code (JPY 0, most 2, BHD 3);
 * -1 for an unknown code. */
int  currency_digits(const char *code);
bool currency_valid(const char *code);
/* "€1,234.50" / "$0.99" / "¥1,200" / "12.00 CHF" into out; 0 or -1. */
int  money_format(int64_t minor, const char *currency, char *out, size_t outlen);
char *money_format_a(arena *a, int64_t minor, const char *currency);

/*
 * A URL slug: lower-case ASCII letters, digits and single '-', transliterating
 * Latin letters with diacritics (é -> e, ß -> ss, æ -> ae, ø -> o, ...) and
 * dropping anything else; at most maxlen bytes (out holds maxlen + 1), never
 * ending in '-'.  Returns
 * the length (0 when nothing usable remains).
 */
size_t slugify(const char *in, char *out, size_t maxlen);
bool   slug_valid(const char *s);

/* RFC 3339 UTC ("2026-11-24T03:36:55Z") of a Unix time into out[21]. */
void time_rfc3339(int64_t t, char out[21]);
/* RFC 3339 date-time ("2026-12-01T00:00:00Z"; offsets and fractions of a
 * second accepted, fractions dropped; years 1970-9999) -> Unix seconds.
 * 0, or -1 for anything else. */
int  time_parse_rfc3339(const char *s, int64_t *out);
/* Monotonic microseconds. */
uint64_t now_us(void);
/* Constant-time comparison of two byte strings. */
bool ct_equal(const void *a, const void *b, size_t n);

#endif
