/*
 * parse.h — bounded parsers for numbers and small tokens (STYLE 8).
 *
 * The only way the code base turns text into numbers: every call names the
 * accepted range, and trailing garbage, empty strings, signs where none are
 * allowed and overflow are all refusals.
 */
#ifndef ECOM_PARSE_H
#define ECOM_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

/* Decimal integer in [min, max]; optional leading '-' only if min < 0.
 * Returns 0 and sets *out, or -1. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Same over a length-delimited span. */
int parse_i64n(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);
/* "12", "12.5", "12.50" with at most `digits` decimals and a whole part of
 * at most max_whole -> value * 10^digits (an amount in minor units from
 * major units).  0 and *out, or -1 (signs, exponents, spaces, "" refused). */
int parse_decimal(const char *s, int digits, int64_t max_whole, int64_t *out);
/* The inverse: 1250 with 2 digits -> "12.50"; v >= 0. */
char *decimal_format(arena *a, int64_t v, int digits);
/* "true"/"false"/"1"/"0"/"on"/"yes"/"no"/"off" -> bool; -1 otherwise. */
int parse_bool(const char *s, bool *out);
/* UTF-8 well-formedness (no overlongs, no surrogates, no NUL). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s, size_t n);

#endif
