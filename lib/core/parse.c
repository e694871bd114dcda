/*
 * parse.c — bounded number parsing and UTF-8 checks (parse.h, STYLE 8).
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

int
parse_i64n(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, limit;
	size_t i = 0;

	if (s == NULL || n == 0 || n > 20)
		return -1;
	if (s[0] == '-') {
		if (min >= 0)
			return -1;
		neg = true;
		i = 1;
	}
	if (i == n)
		return -1;
	/* magnitude limit: |INT64_MIN| for negatives, INT64_MAX otherwise */
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9)
			return -1;
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	int64_t r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	if (r < min || r > max)
		return -1;
	*out = r;
	return 0;
}

int
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	return s == NULL ? -1 : parse_i64n(s, strlen(s), min, max, out);
}

int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "1", "on", "yes" };
	static const char *const no[] = { "false", "0", "off", "no" };

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		size_t k = utf8_seq(p, n);
		if (k == 0)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

size_t
utf8_len(const char *s, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

int
parse_decimal(const char *s, int digits, int64_t max_whole, int64_t *out)
{
	const char *dot = strchr(s, '.');
	size_t wn = dot != NULL ? (size_t)(dot - s) : strlen(s), fn = 0;
	int64_t whole, frac = 0, scale = 1;

	if (digits < 0 || digits > 6)
		return -1;
	for (int i = 0; i < digits; i++)
		scale *= 10;
	if (wn == 0 || s[0] == '+' || s[0] == '-' || parse_i64n(s, wn, 0, max_whole, &whole) != 0)
		return -1;
	if (dot != NULL) {
		fn = strlen(dot + 1);
		if (fn == 0 || fn > (size_t)digits || strspn(dot + 1, "0123456789") != fn ||
		    parse_i64n(dot + 1, fn, 0, scale, &frac) != 0)
			return -1;
		for (size_t i = fn; i < (size_t)digits; i++)
			frac *= 10;
	}
	if (whole > (INT64_MAX - frac) / scale)
		return -1;
	*out = whole * scale + frac;
	return 0;
}

char *
decimal_format(arena *a, int64_t v, int digits)
{
	int64_t scale = 1;

	for (int i = 0; i < digits; i++)
		scale *= 10;
	if (digits <= 0)
		return arena_printf(a, "%lld", (long long)v);
	return arena_printf(a, "%lld.%0*lld", (long long)(v / scale), digits,
	    (long long)(v % scale));
}
