/*
 * query.c — reading a search from the query string, running it, and the
 * result as JSON (search.h).
 *
 * q is cut into words here (letters and digits; anything else separates,
 * so "t-shirt" is "t" and "shirt"), lower-cased and bounded.  Only such
 * words ever reach to_tsquery, joined with " & ", so no input can form
 * tsquery syntax.  One statement then says of each word whether it is a
 * stop word, whether any document has it and which known word is most
 * like it; a word nothing has is replaced by that one ("jaket" ->
 * "jacket"), and the result says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/parse.h"
#include "core/util.h"
#include "product/product.h"
#include "search/internal.h"

static const char *const sort_names[] = {
	"relevance", "price_asc", "price_desc", "newest", "name"
};

int
search_sort_parse(const char *s, search_sort *out)
{
	for (size_t i = 0; s && i < sizeof sort_names / sizeof *sort_names; i++)
		if (strcmp(s, sort_names[i]) == 0) {
			*out = (search_sort)i;
			return 0;
		}
	return -1;
}

const char *
search_sort_name(search_sort s)
{
	return (size_t)s < sizeof sort_names / sizeof *sort_names ? sort_names[s] : "relevance";
}

void
search_query_init(search_query *q)
{
	memset(q, 0, sizeof *q);
	q->q = "";
	q->min_price = q->max_price = -1;
	q->in_stock = -1;
	q->sort = SEARCH_SORT_RELEVANCE;
	q->pg.page = 1;
	q->pg.per_page = PAGE_DEFAULT_SIZE;
}

static ecode
bad(error *e, const char *msg)
{
	return err_set(e, E_INVALID_PARAMETER, "%s", msg);
}

static ecode
uuid_param(const request *req, const char *name, const char **out, error *e)
{
	const char *v = req_query(req, name);

	*out = NULL;
	if (v == NULL || v[0] == '\0')
		return E_OK;
	if (!uuid_valid(v))
		return err_set(e, E_INVALID_PARAMETER, "%s must be a UUID", name);
	*out = v;
	return E_OK;
}

static ecode
price_param(const request *req, const char *name, int64_t *out, error *e)
{
	const char *v = req_query(req, name);

	*out = -1;
	if (v == NULL || v[0] == '\0')
		return E_OK;
	if (parse_i64(v, 0, PRODUCT_PRICE_MAX, out) != 0)
		return err_set(e, E_INVALID_PARAMETER, "%s must be a whole number of minor units"
		    " from 0 to %lld", name, (long long)PRODUCT_PRICE_MAX);
	return E_OK;
}

/* attr.<key>=<value> pairs: keys lower-cased, at most SEARCH_ATTRS_MAX. */
static ecode
attr_params(const request *req, search_query *q, error *e)
{
	if (!(q->attrs = arena_calloc(req->a, SEARCH_ATTRS_MAX, sizeof *q->attrs)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < req->nquery; i++) {
		const char *k = req->query[i].key, *v = req->query[i].val;
		char *key;

		if (strncmp(k, "attr.", 5) != 0 || v[0] == '\0')
			continue;
		k += 5;
		if (q->nattrs == SEARCH_ATTRS_MAX)
			return err_set(e, E_INVALID_PARAMETER, "at most %d attribute filters",
			    SEARCH_ATTRS_MAX);
		if (k[0] == '\0' || strchr(k, '=') || utf8_len(k, strlen(k)) > SEARCH_ATTR_LEN_MAX ||
		    utf8_len(v, strlen(v)) > SEARCH_ATTR_LEN_MAX)
			return err_set(e, E_INVALID_PARAMETER, "attr.<name>=<value>: name and value"
			    " are 1 to %d characters, the name without '='", SEARCH_ATTR_LEN_MAX);
		if (!(key = arena_strdup(req->a, k)))
			return err_set(e, E_INTERNAL, "out of memory");
		for (char *s = key; *s; s++)
			if (*s >= 'A' && *s <= 'Z')
				*s = (char)(*s - 'A' + 'a');
		q->attrs[q->nattrs++] = (search_attr){ key, v };
	}
	return E_OK;
}

ecode
search_query_from_request(const request *req, search_query *q, error *e)
{
	const char *v;

	search_query_init(q);
	if ((v = req_query(req, "q")) != NULL) {
		if (utf8_len(v, strlen(v)) > SEARCH_Q_MAX)
			return err_set(e, E_INVALID_PARAMETER, "q is at most %d characters", SEARCH_Q_MAX);
		q->q = v;
	}
	if (uuid_param(req, "category_id", &q->category_id, e) != E_OK ||
	    uuid_param(req, "brand_id", &q->brand_id, e) != E_OK ||
	    price_param(req, "min_price", &q->min_price, e) != E_OK ||
	    price_param(req, "max_price", &q->max_price, e) != E_OK)
		return e->code;
	if (q->min_price >= 0 && q->max_price >= 0 && q->min_price > q->max_price)
		return bad(e, "min_price must not be above max_price");
	if ((v = req_query(req, "in_stock")) != NULL && v[0] != '\0') {
		bool b;

		if (parse_bool(v, &b) != 0)
			return bad(e, "in_stock must be true or false");
		q->in_stock = b ? 1 : 0;
	}
	if ((v = req_query(req, "sort")) != NULL && v[0] != '\0' && search_sort_parse(v, &q->sort) != 0)
		return bad(e, "sort must be relevance, price_asc, price_desc, newest or name");
	if (page_from_query(req, &q->pg, e) != E_OK)
		return e->code;
	return attr_params(req, q, e);
}

/* ------------------------------------------------------------ words */

static bool
word_byte(char c)
{
	return (unsigned char)c >= 0x80 || (c >= '0' && c <= '9') ||
	    ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

ecode
search_words(arena *a, const char *s, const char ***words, size_t *n, error *e)
{
	*n = 0;
	if (!(*words = arena_calloc(a, SEARCH_TERMS_MAX, sizeof **words)))
		return err_set(e, E_INTERNAL, "out of memory");
	while (*s) {
		size_t len = 0;
		char *w;

		while (*s && !word_byte(*s))
			s++;
		while (s[len] && word_byte(s[len]))
			len++;
		if (len == 0)
			break;
		if (len > SEARCH_TERM_MAX)
			return err_set(e, E_INVALID_PARAMETER, "a word of q is at most %d bytes",
			    SEARCH_TERM_MAX);
		if (*n == SEARCH_TERMS_MAX)
			return err_set(e, E_INVALID_PARAMETER, "q has at most %d words",
			    SEARCH_TERMS_MAX);
		if (!(w = arena_strndup(a, s, len)))
			return err_set(e, E_INTERNAL, "out of memory");
		for (char *p = w; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		(*words)[(*n)++] = w;
		s += len;
	}
	return E_OK;
}

/* search_words as terms for sstore_terms. */
static ecode
split_words(arena *a, const char *s, search_term **out, size_t *n, error *e)
{
	const char **w;

	if (search_words(a, s, &w, n, e) != E_OK)
		return e->code;
	if (!(*out = arena_calloc(a, *n ? *n : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < *n; i++)
		(*out)[i].word = w[i];
	return E_OK;
}

/* "w1 & w2 & w3:*" of the words that are not stop words, each replaced by
 * its correction when no document has it; NULL when none is left.
 * *corrected is the query as corrected, or NULL when nothing changed. */
static const char *
tsquery_text(arena *a, const search_term *t, size_t n, bool correct, const char **corrected)
{
	char *tsq = NULL, *shown = NULL;
	bool changed = false;

	for (size_t i = 0; i < n; i++) {
		const char *w = t[i].word;

		if (correct && !t[i].stop && !t[i].found && t[i].better) {
			w = t[i].better;
			changed = true;
		}
		shown = shown ? arena_printf(a, "%s %s", shown, w) : arena_strdup(a, w);
		if (t[i].stop)
			continue;
		tsq = tsq ? arena_printf(a, "%s & %s%s", tsq, w, i + 1 == n ? ":*" : "") :
		    arena_printf(a, "%s%s", w, i + 1 == n ? ":*" : "");
	}
	*corrected = changed ? shown : NULL;
	return tsq;
}

/* ------------------------------------------------------------ facets */

static bool
same_id(const char *x, const char *y)
{
	return x && y && strcasecmp(x, y) == 0;
}

static ecode
facet_add(arena *a, search_facet *f, size_t cap, const search_facet_value *v, error *e)
{
	if (f->values == NULL && !(f->values = arena_calloc(a, cap, sizeof *f->values)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (f->n < cap)
		f->values[f->n++] = *v;
	return E_OK;
}

static bool
attr_selected(const search_query *q, const char *key, const char *value)
{
	for (size_t i = 0; i < q->nattrs; i++)
		if (strcmp(q->attrs[i].key, key) == 0 && strcmp(q->attrs[i].value, value) == 0)
			return true;
	return false;
}

/* The facet of attribute `key` in r, added when new. */
static search_facet *
attr_facet(arena *a, search_result *r, const char *key)
{
	search_facet *f;

	for (size_t i = 0; i < r->nattributes; i++)
		if (strcmp(r->attributes[i].name, key) == 0)
			return &r->attributes[i];
	if (r->nattributes == SEARCH_FACET_MAX)
		return NULL;
	if (!r->attributes && !(r->attributes = arena_calloc(a, SEARCH_FACET_MAX, sizeof *f)))
		return NULL;
	f = &r->attributes[r->nattributes++];
	f->name = key;
	return f;
}

static ecode
facet_row(arena *a, const search_query *q, const search_facet_row *row, search_result *r,
    error *e)
{
	search_facet_value v = { row->value, row->label ? row->label : "", row->parent, 0, -1,
	    row->count, false };

	if (strcmp(row->kind, "total") == 0) {
		r->total = row->count;
		return E_OK;
	}
	if (strcmp(row->kind, "category") == 0) {
		v.selected = same_id(q->category_id, row->value);
		return facet_add(a, &r->categories, 200, &v, e);
	}
	if (strcmp(row->kind, "brand") == 0) {
		v.selected = same_id(q->brand_id, row->value);
		return facet_add(a, &r->brands, SEARCH_FACET_MAX, &v, e);
	}
	if (strcmp(row->kind, "in_stock") == 0) {
		v.selected = q->in_stock == (strcmp(row->value, "true") == 0);
		return facet_add(a, &r->in_stock, 2, &v, e);
	}
	if (strcmp(row->kind, "price") == 0) {
		for (size_t i = 0; i < r->price_ranges.n; i++)
			if (strtoll(row->value, NULL, 10) == r->price_ranges.values[i].min)
				r->price_ranges.values[i].count = row->count;
		return E_OK;
	}
	if (strcmp(row->kind, "attr") == 0) {
		const char *eq = strchr(row->value, '=');
		search_facet *f;
		const char *key;

		if (!eq || !(key = arena_strndup(a, row->value, (size_t)(eq - row->value))))
			return E_OK;
		v.value = eq + 1;
		v.label = eq + 1;
		v.selected = attr_selected(q, key, v.value);
		if (!(f = attr_facet(a, r, key)))
			return E_OK;
		return facet_add(a, f, SEARCH_FACET_MAX, &v, e);
	}
	return E_OK;
}

static int
facet_by_name(const void *x, const void *y)
{
	return strcmp(((const search_facet *)x)->name, ((const search_facet *)y)->name);
}

/* ------------------------------------------------------------ run */

static char *
i64(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static ecode
params_of(arena *a, const search_query *q, const char *tsq, search_params *p, error *e)
{
	const char **pairs = arena_calloc(a, q->nattrs + 1, sizeof *pairs);

	if (!pairs)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < q->nattrs; i++)
		if (!(pairs[i] = arena_printf(a, "%s=%s", q->attrs[i].key, q->attrs[i].value)))
			return err_set(e, E_INTERNAL, "out of memory");
	memset(p, 0, sizeof *p);
	p->tsq = tsq;
	p->category_id = q->category_id;
	p->brand_id = q->brand_id;
	p->min = q->min_price >= 0 ? i64(a, q->min_price) : NULL;
	p->max = q->max_price >= 0 ? i64(a, q->max_price) : NULL;
	p->in_stock = q->in_stock < 0 ? NULL : q->in_stock ? "true" : "false";
	p->attrs = search_pg_array(a, pairs, q->nattrs);
	p->sort = search_sort_name(q->sort);
	p->limit = i64(a, q->pg.per_page);
	p->offset = i64(a, q->pg.offset);
	if (!p->attrs || !p->limit || !p->offset)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

/* What the facets depend on: every filter, not the sort or the page. */
static const char *
facet_key(arena *a, const search_params *p)
{
#define K(v) ((v) ? (v) : "\x01")
	return arena_printf(a, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", K(p->tsq), K(p->category_id),
	    K(p->brand_id), K(p->min), K(p->max), K(p->in_stock), K(p->attrs));
#undef K
}

ecode
search_run(arena *a, const search_query *q, search_result *out, error *e)
{
	uint64_t t0 = now_us();
	search_term *terms;
	search_facet_row *rows;
	search_params p;
	const char *tsq = NULL, *key;
	size_t nterms, nrows;
	int64_t gen;
	db_conn *c;

	memset(out, 0, sizeof *out);
	out->pg = q->pg;
	out->categories.name = "categories";
	out->brands.name = "brands";
	out->price_ranges.name = "price_ranges";
	out->in_stock.name = "in_stock";
	/* every bucket is listed, the empty ones with 0 */
	if (!(out->price_ranges.values = arena_calloc(a, SEARCH_PRICE_BUCKETS,
	    sizeof *out->price_ranges.values)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < SEARCH_PRICE_BUCKETS; i++) {
		search_facet_value *v = &out->price_ranges.values[out->price_ranges.n++];

		v->min = search_price_buckets[i][0];
		v->max = search_price_buckets[i][1];
		v->value = v->max < 0 ? arena_printf(a, "%lld-", (long long)v->min) :
		    arena_printf(a, "%lld-%lld", (long long)v->min, (long long)v->max);
		v->label = "";
		v->selected = q->min_price == v->min && q->max_price == v->max;
	}
	if (split_words(a, q->q ? q->q : "", &terms, &nterms, e) != E_OK)
		return e->code;
	if (!(c = search_db(e)))
		return e->code;
	if (nterms > 0) {
		if (sstore_terms(c, a, terms, nterms, e) != E_OK)
			return e->code;
		tsq = tsquery_text(a, terms, nterms, true, &out->corrected);
	}
	/* the generation before the counting: a change that commits meanwhile
	 * moves it, so these counts are not kept past it */
	if (params_of(a, q, tsq, &p, e) != E_OK || sstore_generation(c, a, &gen, e) != E_OK ||
	    sstore_hits(c, a, &p, &out->hits, &out->n, e) != E_OK)
		return e->code;
	key = facet_key(a, &p);
	if (!search_fcache_get(a, key, gen, &rows, &nrows)) {
		if (sstore_facets(c, a, &p, &rows, &nrows, e) != E_OK)
			return e->code;
		search_fcache_put(key, gen, rows, nrows);
	}
	for (size_t i = 0; i < nrows; i++)
		if (facet_row(a, q, &rows[i], out, e) != E_OK)
			return e->code;
	if (out->nattributes > 1)
		qsort(out->attributes, out->nattributes, sizeof *out->attributes, facet_by_name);
	out->took_ms = (int64_t)((now_us() - t0) / 1000);
	return E_OK;
}

ecode
search_suggest(arena *a, const char *q, int limit, const char ***out, size_t *n, error *e)
{
	search_term *terms;
	size_t nterms;
	const char *tsq, *ignored;
	char *prefix;
	db_conn *c;

	*out = NULL;
	*n = 0;
	if (!q || utf8_len(q, strlen(q)) > SEARCH_Q_MAX)
		return err_set(e, E_INVALID_PARAMETER, "q is at most %d characters", SEARCH_Q_MAX);
	if (limit < 1 || limit > SEARCH_SUGGEST_MAX)
		return err_set(e, E_INVALID_PARAMETER, "limit must be between 1 and %d",
		    SEARCH_SUGGEST_MAX);
	if (split_words(a, q, &terms, &nterms, e) != E_OK)
		return e->code;
	/* stop words are not known here; "the" alone suggests nothing */
	if (nterms == 0 || !(tsq = tsquery_text(a, terms, nterms, false, &ignored)))
		return E_OK;
	if (!(prefix = arena_strdup(a, q)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (char *s = prefix; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	if (!(c = search_db(e)))
		return e->code;
	return sstore_suggest(c, a, tsq, prefix, limit, out, n, e);
}

/* ------------------------------------------------------------ JSON */

static json_object *
hit_json(const search_hit *h)
{
	json_object *o = json_object_new_object(), *b = NULL, *im = NULL;
	char ts[21];

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(h->product_id));
	json_object_object_add(o, "slug", json_object_new_string(h->slug));
	json_object_object_add(o, "name", json_object_new_string(h->name));
	if (h->brand_id && (b = json_object_new_object())) {
		json_object_object_add(b, "id", json_object_new_string(h->brand_id));
		json_object_object_add(b, "name", json_object_new_string(h->brand_name));
	}
	json_object_object_add(o, "brand", b);
	json_object_object_add(o, "category_id", json_str_or_null(h->category_id));
	json_object_object_add(o, "price_min", json_object_new_int64(h->price_min));
	json_object_object_add(o, "price_max", json_object_new_int64(h->price_max));
	json_object_object_add(o, "currency", json_object_new_string(h->currency));
	json_object_object_add(o, "in_stock", json_object_new_boolean(h->in_stock));
	json_object_object_add(o, "popularity", json_object_new_int64(h->popularity));
	if (h->image_url && (im = json_object_new_object())) {
		json_object_object_add(im, "url", json_object_new_string(h->image_url));
		json_object_object_add(im, "alt_text", json_object_new_string(h->image_alt ? h->image_alt : ""));
		json_object_object_add(im, "width", json_object_new_int(h->image_width));
		json_object_object_add(im, "height", json_object_new_int(h->image_height));
	}
	json_object_object_add(o, "primary_image", im);
	json_object_object_add(o, "rating_average_x100", json_object_new_int(h->rating_x100));
	json_object_object_add(o, "rating_count", json_object_new_int64(h->rating_count));
	time_rfc3339(h->created_at, ts);
	json_object_object_add(o, "created_at", json_object_new_string(ts));
	json_object_object_add(o, "score", json_object_new_double(h->score));
	return o;
}

static json_object *
facet_json(const search_facet *f, const char *id_key)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; arr && i < f->n; i++) {
		const search_facet_value *v = &f->values[i];
		json_object *o = json_object_new_object();

		if (!o)
			continue;
		if (strcmp(id_key, "range") == 0) {
			json_object_object_add(o, "min", json_object_new_int64(v->min));
			json_object_object_add(o, "max", v->max < 0 ? NULL : json_object_new_int64(v->max));
		} else if (strcmp(id_key, "in_stock") == 0) {
			json_object_object_add(o, "value",
			    json_object_new_boolean(strcmp(v->value, "true") == 0));
		} else {
			json_object_object_add(o, id_key, json_object_new_string(v->value));
			if (strcmp(id_key, "value") != 0)
				json_object_object_add(o, "name", json_object_new_string(v->label));
			if (strcmp(id_key, "id") == 0 && v->parent)
				json_object_object_add(o, "parent_id", json_object_new_string(v->parent));
		}
		json_object_object_add(o, "count", json_object_new_int64(v->count));
		json_object_object_add(o, "selected", json_object_new_boolean(v->selected));
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *
search_result_to_json(const search_result *r)
{
	json_object *o = json_object_new_object(), *items = json_object_new_array();
	json_object *facets = json_object_new_object(), *attrs = json_object_new_object();
	int64_t pages = page_total_pages(&r->pg, r->total);

	if (!o || !items || !facets || !attrs) {
		json_object_put(o);
		json_object_put(items);
		json_object_put(facets);
		json_object_put(attrs);
		return NULL;
	}
	for (size_t i = 0; i < r->n; i++)
		json_object_array_add(items, hit_json(&r->hits[i]));
	json_object_object_add(o, "products", items);
	json_object_object_add(o, "total", json_object_new_int64(r->total));
	json_object_object_add(o, "page", json_object_new_int64(r->pg.page));
	json_object_object_add(o, "per_page", json_object_new_int64(r->pg.per_page));
	json_object_object_add(o, "total_pages", json_object_new_int64(pages));
	json_object_object_add(o, "has_next", json_object_new_boolean(r->pg.page < pages));
	json_object_object_add(facets, "categories", facet_json(&r->categories, "id"));
	json_object_object_add(facets, "brands", facet_json(&r->brands, "id"));
	json_object_object_add(facets, "price_ranges", facet_json(&r->price_ranges, "range"));
	json_object_object_add(facets, "in_stock", facet_json(&r->in_stock, "in_stock"));
	for (size_t i = 0; i < r->nattributes; i++)
		json_object_object_add(attrs, r->attributes[i].name,
		    facet_json(&r->attributes[i], "value"));
	json_object_object_add(facets, "attributes", attrs);
	json_object_object_add(o, "facets", facets);
	json_object_object_add(o, "corrected_query", json_str_or_null(r->corrected));
	json_object_object_add(o, "took_ms", json_object_new_int64(r->took_ms));
	return o;
}
