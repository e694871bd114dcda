/*
 * service.c — the catalog's small pure rules: status and sort names, slugs
 * made unique by suffix, URL and SKU formats, RFC 3339 parsing, and who may
 * change what.
 *
 * These need no database, so t/unit/check_product.c tests them directly;
 * the service_*.c files build on them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/parse.h"
#include "core/util.h"
#include "product/internal.h"

static const char *const status_names[] = { "draft", "published", "archived" };
static const char *const sort_names[] = {
	"newest", "price_asc", "price_desc", "name_asc", "name_desc"
};

const char *
product_status_name(product_status s)
{
	if ((unsigned)s >= sizeof status_names / sizeof status_names[0])
		return "draft";
	return status_names[s];
}

int
product_status_parse(const char *s, product_status *out)
{
	for (size_t i = 0; s && i < sizeof status_names / sizeof status_names[0]; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (product_status)i;
			return 0;
		}
	return -1;
}

const char *
product_sort_name(product_sort s)
{
	if ((unsigned)s >= sizeof sort_names / sizeof sort_names[0])
		return "newest";
	return sort_names[s];
}

int
product_sort_parse(const char *s, product_sort *out)
{
	for (size_t i = 0; s && i < sizeof sort_names / sizeof sort_names[0]; i++)
		if (strcmp(s, sort_names[i]) == 0) {
			*out = (product_sort)i;
			return 0;
		}
	return -1;
}

int
rating_average_x100(const rating_summary *r)
{
	if (r->count <= 0 || r->sum <= 0)
		return 0;
	/* Round half up in integers: sum/count has at most 5 * count. */
	return (int)((r->sum * 100 * 2 + r->count) / (r->count * 2));
}

catalog_actor
catalog_actor_of(const request *req)
{
	catalog_actor who;

	who.user_id = req->user_id;
	who.role = req->user_id ? req->user_role : ROLE_PUBLIC;
	who.request_id = req->request_id;
	return who;
}

bool
catalog_is_admin(const catalog_actor *who)
{
	return who && who->user_id && who->role >= ROLE_ADMIN;
}

bool
catalog_can_edit(const catalog_actor *who, const char *seller_id)
{
	if (catalog_is_admin(who))
		return true;
	/* UUIDs may differ in case between a token's sub and the database. */
	return who && who->user_id && who->role >= ROLE_SELLER && seller_id &&
	    strcasecmp(seller_id, who->user_id) == 0;
}

/* ------------------------------------------------------------ slugs */

char *
slug_base(arena *a, const char *name, const char *fallback)
{
	char   *out = arena_alloc(a, PRODUCT_SLUG_MAX + 1);
	size_t  n;

	if (!out)
		return NULL;
	/* Leave room for a "-1234567" suffix so slug_unique never truncates. */
	n = name ? slugify(name, out, PRODUCT_SLUG_MAX - 8) : 0;
	if (n == 0)
		return arena_strdup(a, fallback);
	out[n] = '\0';
	return out;
}

/* The k of "base-k" (k >= 2), or 0 when s is not of that form. */
static int64_t
slug_suffix(const char *s, const char *base, size_t blen)
{
	int64_t k;

	if (strncmp(s, base, blen) != 0 || s[blen] != '-')
		return 0;
	if (s[blen + 1] == '0' || parse_i64(s + blen + 1, 2, 1000000000, &k) != 0)
		return 0;
	return k;
}

static int
cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

char *
slug_unique_nth(arena *a, const char *base, const char *const *taken,
    size_t ntaken, unsigned skip)
{
	size_t   blen = strlen(base), nk = 0;
	bool     base_taken = false;
	int64_t *ks, want = 2;
	char     suffix[24];

	ks = arena_calloc(a, ntaken ? ntaken : 1, sizeof *ks);
	if (!ks)
		return NULL;
	for (size_t i = 0; i < ntaken; i++) {
		int64_t k;

		if (strcmp(taken[i], base) == 0)
			base_taken = true;
		else if ((k = slug_suffix(taken[i], base, blen)) > 0)
			ks[nk++] = k;
	}
	if (!base_taken && skip == 0)
		return arena_strdup(a, base);
	qsort(ks, nk, sizeof *ks, cmp_i64);
	/* The (skip+1)-th free k >= 2, counting base itself as the first free
	 * value when it is not taken. */
	if (!base_taken)
		skip--;
	for (size_t i = 0;; want++) {
		while (i < nk && ks[i] < want)
			i++;
		if (i < nk && ks[i] == want)
			continue;
		if (skip-- == 0)
			break;
	}
	snprintf(suffix, sizeof suffix, "-%lld", (long long)want);
	/* Shorten the base so base + suffix fits, never ending in '-'. */
	if (blen + strlen(suffix) > PRODUCT_SLUG_MAX) {
		blen = PRODUCT_SLUG_MAX - strlen(suffix);
		while (blen > 1 && base[blen - 1] == '-')
			blen--;
	}
	return arena_printf(a, "%.*s%s", (int)blen, base, suffix);
}

char *
slug_unique(arena *a, const char *base, const char *const *taken, size_t ntaken)
{
	return slug_unique_nth(a, base, taken, ntaken, 0);
}

/* ------------------------------------------------------------ formats */

bool
catalog_url_valid(const char *s)
{
	size_t n;

	if (!s || !*s)
		return false;
	n = strlen(s);
	if (n > CATALOG_URL_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		/* No spaces, controls or DEL: they split attributes and headers. */
		if (ch <= 0x20 || ch == 0x7f)
			return false;
	}
	if (strncmp(s, "https://", 8) == 0)
		return n > 8 && s[8] != '/';
	if (strncmp(s, "http://", 7) == 0)
		return n > 7 && s[7] != '/';
	/* Site-relative, but "//host" would leave the site. */
	return s[0] == '/' && s[1] != '/' && s[1] != '\\';
}

bool
sku_valid(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char ch = s[n];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
		if (n >= VARIANT_SKU_MAX)
			return false;
	}
	return n > 0;
}

size_t
catalog_chars(const char *s)
{
	return s ? utf8_len(s, strlen(s)) : 0;
}

char *
catalog_like_pattern(arena *a, const char *s)
{
	size_t n = strlen(s);
	char  *out, *p;

	/* Worst case every byte escaped, plus two '%' and the NUL. */
	out = arena_alloc(a, n * 2 + 3);
	if (!out)
		return NULL;
	p = out;
	*p++ = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

