/*
 * util.c — UUIDs, money, slugs and time (util.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>

#include "parse.h"
#include "util.h"

int
uuid_v4(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof b) {
		ssize_t k = getrandom(b + got, sizeof b - got, 0);
		if (k < 0)
			return -1;
		got += (size_t)k;
	}
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);	/* RFC 4122 variant */
	for (int i = 0, o = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[36] = '\0';
	return 0;
}

bool
uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static const struct currency {
	const char *code;
	const char *symbol;	/* NULL: print the code after the amount */
	int         digits;
} currencies[] = {
	{ "EUR", "€", 2 }, { "USD", "$", 2 }, { "GBP", "£", 2 }, { "JPY", "¥", 0 },
	{ "CHF", NULL, 2 }, { "SEK", NULL, 2 }, { "NOK", NULL, 2 }, { "DKK", NULL, 2 },
	{ "PLN", NULL, 2 }, { "CZK", NULL, 2 }, { "HUF", NULL, 2 }, { "RON", NULL, 2 },
	{ "CAD", NULL, 2 }, { "AUD", NULL, 2 }, { "NZD", NULL, 2 }, { "CNY", NULL, 2 },
	{ "INR", "₹", 2 }, { "BRL", NULL, 2 }, { "MXN", NULL, 2 }, { "ZAR", NULL, 2 },
	{ "KRW", NULL, 0 }, { "ISK", NULL, 0 }, { "BHD", NULL, 3 }, { "KWD", NULL, 3 },
	{ "TRY", NULL, 2 }, { "SGD", NULL, 2 }, { "HKD", NULL, 2 }, { "ILS", NULL, 2 },
};

static const struct currency *
currency_find(const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++)
		if (strcmp(currencies[i].code, code) == 0)
			return &currencies[i];
	return NULL;
}

int
currency_digits(const char *code)
{
	const struct currency *c = currency_find(code);

	return c != NULL ? c->digits : -1;
}

bool
currency_valid(const char *code)
{
	return currency_find(code) != NULL;
}

int
money_format(int64_t minor, const char *currency, char *out, size_t outlen)
{
	const struct currency *c = currency_find(currency);
	uint64_t mag, div = 1, major, frac;
	char digits[32], grouped[48];
	int nd, g = 0, n;

	if (c == NULL || outlen == 0)
		return -1;
	for (int i = 0; i < c->digits; i++)
		div *= 10;
	/* magnitude without overflow for INT64_MIN */
	mag = minor < 0 ? (uint64_t)(-(minor + 1)) + 1 : (uint64_t)minor;
	major = mag / div;
	frac = mag % div;
	nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)major);
	for (int i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	if (c->digits > 0) {
		if (c->symbol != NULL)
			n = snprintf(out, outlen, "%s%s%s.%0*llu", minor < 0 ? "-" : "", c->symbol,
			    grouped, c->digits, (unsigned long long)frac);
		else
			n = snprintf(out, outlen, "%s%s.%0*llu %s", minor < 0 ? "-" : "", grouped,
			    c->digits, (unsigned long long)frac, c->code);
	} else {
		if (c->symbol != NULL)
			n = snprintf(out, outlen, "%s%s%s", minor < 0 ? "-" : "", c->symbol, grouped);
		else
			n = snprintf(out, outlen, "%s%s %s", minor < 0 ? "-" : "", grouped, c->code);
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

char *
money_format_a(arena *a, int64_t minor, const char *currency)
{
	char tmp[64];

	return money_format(minor, currency, tmp, sizeof tmp) == 0 ? arena_strdup(a, tmp) : NULL;
}

/* Latin-1 Supplement and Latin Extended-A letters to ASCII, by code point. */
static const char *
translit(unsigned cp)
{
	static const char *const latin1[64] = {	/* U+00C0 .. U+00FF */
		"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
		"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
		"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
		"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
	};
	static const char *const extA[128] = {	/* U+0100 .. U+017F */
		"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
		"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
		"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
		"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
		"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
		"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
		"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
		"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
	};

	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1[cp - 0xC0];
	if (cp >= 0x100 && cp <= 0x17F)
		return extA[cp - 0x100];
	return NULL;
}

size_t
slugify(const char *in, char *out, size_t maxlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;
	int dash = 0;

	while (*p != '\0') {
		const char *rep = NULL;
		char one[2] = { 0, 0 };
		unsigned cp;
		int len;

		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
			cp = (unsigned)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
			len = 2;
		} else {
			/* three- and four-byte sequences: nothing to transliterate */
			len = 1;
			while ((p[len] & 0xC0) == 0x80)
				len++;
			cp = 0;
		}
		p += len;
		if (cp < 0x80 && isalnum((int)cp)) {
			one[0] = (char)tolower((int)cp);
			rep = one;
		} else if (cp >= 0x80) {
			rep = translit(cp);
		}
		if (rep == NULL) {
			dash = n > 0;
			continue;
		}
		size_t rl = strlen(rep);
		if (n + (dash ? 1 : 0) + rl > maxlen)
			break;
		if (dash)
			out[n++] = '-';
		dash = 0;
		memcpy(out + n, rep, rl);
		n += rl;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	return n;
}

bool
slug_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	for (; s[n] != '\0'; n++) {
		if (!(islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-'))
			return false;
		if (s[n] == '-' && s[n + 1] == '-')
			return false;
	}
	return n <= 200 && s[n - 1] != '-';
}

/* RFC 3339 has four-digit years only: 0000-01-01 and 9999-12-31 bound it. */
#define RFC3339_MIN (-62167219200LL)	/* 0000-01-01T00:00:00Z */
#define RFC3339_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

void
time_rfc3339(int64_t t, char out[21])
{
	time_t tt;
	struct tm tm;

	/* Clamp rather than fail: the callers print timestamps they computed
	 * (now, a token's exp), and a saturated date is still a valid string
	 * of the promised length, where strftime() would leave out[]
	 * unterminated once the year needs a fifth digit. */
	if (t < RFC3339_MIN)
		t = RFC3339_MIN;
	if (t > RFC3339_MAX)
		t = RFC3339_MAX;
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(out, 21, "%s", "1970-01-01T00:00:00Z");
		return;
	}
	/* the clamp keeps every field in range; the unsigned casts and
	 * modulos let the compiler see that the text is 20 characters */
	snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
	    (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
	    (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool
ct_equal(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/* ------------------------------------------------------------ time */

static int
time_digits(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return parse_i64n(s, n, min, max, out);
}

static bool
leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
time_parse_rfc3339(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t   y, mo, d, h, mi, sec, oh = 0, om = 0;
	struct tm tm;
	const char *p;
	time_t    t;

	if (!s || strlen(s) < 20 || strlen(s) > 40)
		return -1;
	if (time_digits(s, 4, 1970, 9999, &y) || s[4] != '-' ||
	    time_digits(s + 5, 2, 1, 12, &mo) || s[7] != '-' ||
	    time_digits(s + 8, 2, 1, 31, &d) || (s[10] != 'T' && s[10] != 't') ||
	    time_digits(s + 11, 2, 0, 23, &h) || s[13] != ':' ||
	    time_digits(s + 14, 2, 0, 59, &mi) || s[16] != ':' ||
	    time_digits(s + 17, 2, 0, 60, &sec))
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && leap_year(y)))
		return -1;
	p = s + 19;
	if (*p == '.') {	/* fractional seconds are accepted and dropped */
		const char *q = ++p;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p == q)
			return -1;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		oh = om = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
	    time_digits(p + 1, 2, 0, 23, &oh) == 0 && time_digits(p + 4, 2, 0, 59, &om) == 0) {
		if (*p == '-') {
			oh = -oh;
			om = -om;
		}
	} else
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)(mo - 1);
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)(sec == 60 ? 59 : sec);
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t - (oh * 3600 + om * 60);
	return *out > 0 ? 0 : -1;
}
