/*
 * shipping.c — the shipping methods table (syntax in checkout.h) and the
 * quote of one method for a destination.  Pure: no database, no clock, so
 * t/unit/check_checkout_money.c can pin every rule.
 */
#include <stdio.h>
#include <string.h>

#include "checkout/checkout.h"
#include "core/parse.h"

#define PRICE_MAX INT64_C(100000000000)	/* 1e9 major units: far above any real rate */

static int
fail(char *why, size_t n, const char *msg, const char *at)
{
	snprintf(why, n, "%s near \"%.24s\"", msg, at);
	return -1;
}

/* Digits up to one of the stop characters; advances *p. */
static int
price_at(const char **p, const char *stops, int64_t *out)
{
	size_t n = strcspn(*p, stops);

	if (n == 0 || parse_i64n(*p, n, 0, PRICE_MAX, out) != 0)
		return -1;
	*p += n;
	return 0;
}

static int
country_at(const char **p, char out[3])
{
	const char *s = *p;

	if (s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return -1;
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
	*p += 2;
	return 0;
}

static int
rates_at(const char **p, ship_method *m, char *why, size_t wl)
{
	for (;;) {
		ship_rate *r;

		if (m->nrates == SHIP_RATES_MAX)
			return fail(why, wl, "too many country rates", *p);
		r = &m->rates[m->nrates];
		if (country_at(p, r->country) != 0 || **p != ':')
			return fail(why, wl, "expected CC:price", *p);
		(*p)++;
		if (price_at(p, ",;!", &r->price) != 0)
			return fail(why, wl, "bad country price", *p);
		for (size_t i = 0; i < m->nrates; i++)
			if (strcmp(m->rates[i].country, r->country) == 0)
				return fail(why, wl, "country listed twice", *p);
		m->nrates++;
		if (**p != ',')
			return 0;
		(*p)++;
	}
}

static int
method_at(const char **p, ship_method *m, char *why, size_t wl)
{
	size_t n = 0;

	memset(m, 0, sizeof *m);
	m->free_from = -1;
	while (n < SHIP_CODE_MAX && (((*p)[n] >= 'a' && (*p)[n] <= 'z') ||
	    ((*p)[n] >= '0' && (*p)[n] <= '9') || (*p)[n] == '_' || (*p)[n] == '-'))
		n++;
	if (n == 0 || (*p)[n] != '=')
		return fail(why, wl, "expected code=price (code: 1-32 of a-z 0-9 _ -)", *p);
	memcpy(m->code, *p, n);
	*p += n + 1;
	if (price_at(p, "/@;", &m->price) != 0)
		return fail(why, wl, "bad price", *p);
	if (**p == '/') {
		(*p)++;
		if (price_at(p, "@;", &m->free_from) != 0)
			return fail(why, wl, "bad free-from amount", *p);
	}
	if (**p == '@') {
		(*p)++;
		if (rates_at(p, m, why, wl) != 0)
			return -1;
		if (**p == '!') {
			m->only_listed = true;
			(*p)++;
		}
	}
	if (**p != ';' && **p != '\0')
		return fail(why, wl, "unexpected character", *p);
	return 0;
}

int
ship_table_parse(const char *s, ship_table *out, char *why, size_t wl)
{
	const char *p = s;

	memset(out, 0, sizeof *out);
	if (s == NULL || *s == '\0')
		return fail(why, wl, "at least one method is needed", "");
	for (;;) {
		if (out->n == SHIP_METHODS_MAX)
			return fail(why, wl, "too many methods", p);
		if (method_at(&p, &out->m[out->n], why, wl) != 0)
			return -1;
		if (ship_method_find(out, out->m[out->n].code) != NULL)
			return fail(why, wl, "method listed twice", p);
		out->n++;
		if (*p == '\0')
			return 0;
		p++;	/* ';' */
	}
}

const ship_method *
ship_method_find(const ship_table *t, const char *code)
{
	if (code == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->m[i].code, code) == 0)
			return &t->m[i];
	return NULL;
}

int
ship_quote(const ship_method *m, const char *country, int64_t subtotal, int64_t *price)
{
	int64_t p = m->price;
	bool listed = false;

	for (size_t i = 0; country != NULL && i < m->nrates; i++)
		if (strcmp(m->rates[i].country, country) == 0) {
			p = m->rates[i].price;
			listed = true;
		}
	if (m->only_listed && !listed)
		return -1;
	if (m->free_from >= 0 && subtotal >= m->free_from)
		p = 0;
	*price = p;
	return 0;
}
