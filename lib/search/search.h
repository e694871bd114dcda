/*
 * search.h — the product search: full-text queries with typo tolerance,
 * filters, facets and suggestions over denormalised documents, and the
 * indexer that keeps them.  The only header other code includes.
 *
 * The documents live in the search schema and nowhere else is read by a
 * query.  The consumer "search-indexer" (events.h) rebuilds a product's
 * document from lib/product's and lib/inventory's public functions on
 * every product, variant (inventory) and stock event touching it, renames
 * in documents on category and brand events, and counts units sold from
 * order.created, taken back on order.canceled or a full refund
 * (popularity).  A reindex rebuilds everything from the
 * catalog (search_reindex).
 *
 * Every function takes an arena (what it returns lives there), fills e on
 * failure and returns E_OK or the error's code.
 */
#ifndef ECOM_SEARCH_H
#define ECOM_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"
#include "events/events.h"

#define SEARCH_Q_MAX		200	/* characters of q */
#define SEARCH_TERMS_MAX	8	/* words of q that count; more is a 400 */
#define SEARCH_TERM_MAX		60	/* bytes of one word */
#define SEARCH_SUGGEST_MAX	20	/* limit of /search/suggest */
#define SEARCH_SUGGEST_DEFAULT	8
#define SEARCH_ATTRS_MAX	16	/* attribute filters */
#define SEARCH_ATTR_LEN_MAX	100	/* characters of an attribute key or value */
#define SEARCH_FACET_MAX	50	/* values listed per facet */
#define SEARCH_PRICE_BUCKETS	5

/* The fixed price buckets of the price_ranges facet: minor units, bounds
 * inclusive, max -1 = no upper bound. */
extern const int64_t search_price_buckets[SEARCH_PRICE_BUCKETS][2];

/* The consumer group "search-indexer" (workers/consumers.c). */
extern const consumer search_consumer;

typedef enum search_sort {
	SEARCH_SORT_RELEVANCE = 0,	/* rank, then units sold; units sold without q */
	SEARCH_SORT_PRICE_ASC,
	SEARCH_SORT_PRICE_DESC,
	SEARCH_SORT_NEWEST,
	SEARCH_SORT_NAME
} search_sort;

/* "relevance", "price_asc", "price_desc", "newest", "name" -> 0, else -1. */
int search_sort_parse(const char *s, search_sort *out);
const char *search_sort_name(search_sort s);

typedef struct search_attr {
	const char *key;	/* lower case: "size" */
	const char *value;	/* "M" */
} search_attr;

/* A query; NULL / -1 members do not filter. */
typedef struct search_query {
	const char  *q;			/* "" or NULL: browse everything */
	const char  *category_id;	/* with its descendants */
	const char  *brand_id;
	int64_t      min_price;		/* on the lowest variant price, minor units */
	int64_t      max_price;
	int          in_stock;		/* -1 any, 0 out of stock only, 1 in stock only */
	search_attr *attrs;		/* values of one key OR, keys AND */
	size_t       nattrs;
	search_sort  sort;
	page         pg;		/* per_page 1..100 */
} search_query;

void search_query_init(search_query *q);

/*
 * Fill q from the query string: q, category_id, brand_id, min_price,
 * max_price, in_stock (true|false), attr.<key>=<value> (repeatable), sort,
 * page, per_page.  Every bad value is E_INVALID_PARAMETER naming it.
 */
ecode search_query_from_request(const request *req, search_query *q, error *e);

/*
 * The words of q as a query uses them: runs of ASCII letters and digits
 * and of non-ASCII bytes (letters of other scripts), ASCII lower-cased;
 * everything else separates ("T-Shirt" -> "t", "shirt").  Only such words
 * ever reach to_tsquery, so no input can form tsquery syntax.  More than
 * SEARCH_TERMS_MAX words, or one longer than SEARCH_TERM_MAX bytes, is
 * E_INVALID_PARAMETER.  *words (arena) has *n entries.
 */
ecode search_words(arena *a, const char *q, const char ***words, size_t *n, error *e);

typedef struct search_hit {
	const char *product_id;
	const char *slug;
	const char *name;
	const char *brand_id;		/* NULL when none */
	const char *brand_name;		/* "" when none */
	const char *category_id;	/* NULL when none */
	int64_t     price_min, price_max;
	const char *currency;
	bool        in_stock;
	int64_t     popularity;		/* units sold */
	const char *image_url;		/* NULL when none */
	const char *image_alt;
	const char *image_media_id;	/* NULL unless from lib/media (srcset) */
	int32_t     image_width, image_height;
	int32_t     rating_x100;
	int64_t     rating_count;
	int64_t     created_at;		/* Unix seconds */
	double      score;		/* 0 without q */
} search_hit;

typedef struct search_facet_value {
	const char *value;	/* the filter's value: an id, "true", "2500-4999", "M" */
	const char *label;	/* a name ("" for in_stock and prices) */
	const char *parent;	/* categories: the parent's id, else NULL */
	int64_t     min, max;	/* price_ranges: the bounds (max -1: none) */
	int64_t     count;	/* documents matching every other filter */
	bool        selected;	/* this value is a filter of the query */
} search_facet_value;

typedef struct search_facet {
	const char         *name;	/* "categories", "brands", "price_ranges",
					 * "in_stock", or an attribute key */
	search_facet_value *values;	/* by count, then label */
	size_t              n;
} search_facet;

typedef struct search_result {
	search_hit   *hits;
	size_t        n;
	int64_t       total;
	page          pg;
	const char   *corrected;	/* q with misspellings replaced, or NULL */
	search_facet  categories, brands, price_ranges, in_stock;
	search_facet *attributes;	/* one per attribute key, by key */
	size_t        nattributes;
	int64_t       took_ms;
} search_result;

/*
 * Run q: full-text match over name (weight A), brand and category names
 * (B), description and attributes (C), the last word as a prefix; a word
 * no document has is replaced by the most similar known word (pg_trgm),
 * reported in `corrected`.  Facets count the documents matching every
 * filter except the facet's own.  Three database round trips
 * (the words, the page, the facets); two without q.
 */
ecode search_run(arena *a, const search_query *q, search_result *out, error *e);

/* Up to limit (1..SEARCH_SUGGEST_MAX) product names for the search box
 * that start with, or contain words starting with, the words of q. */
ecode search_suggest(arena *a, const char *q, int limit, const char ***out, size_t *n,
    error *e);

/* {products[], total, page, per_page, total_pages, facets{...}, took_ms,
 * corrected_query} (api-v1.md §Search); NULL on OOM. */
json_object *search_result_to_json(const search_result *r);

/* ------------------------------------------------------------ reindex */

/* Record an admin's request (admin_id may be NULL); the janitor runs it.
 * *run_id is the request's id. */
ecode search_reindex_request(arena *a, const char *admin_id, const char **run_id, error *e);

/*
 * Rebuild every document from the catalog and the inventory now: the
 * category copy, then each published product's document, then documents
 * of products no longer published are dropped.  progress(ud, done, total)
 * is called after each product (may be NULL).  *docs counts documents
 * written.  Events that arrive meanwhile are applied as usual.
 */
ecode search_reindex(arena *a, void (*progress)(void *ud, int64_t done, int64_t total),
    void *ud, int64_t *docs, error *e);

/* The janitor's job: run the oldest pending request, if any (*docs 0 when
 * none); the request records the outcome. */
ecode search_reindex_pending(arena *a, int64_t *docs, error *e);

/* ------------------------------------------------------------ search terms */

/* What shoppers search for, per UTC day (lib/search/terms.c). */
#define SEARCH_LOG_TERM_MAX	100	/* characters of a recorded query */
#define SEARCH_LOG_KEEP_DAYS	400	/* days kept; the janitor prunes older ones */
#define SEARCH_TERMS_CSV_MAX	10000	/* rows of the report's CSV */

/*
 * q as it is recorded: runs of whitespace and control characters become
 * one space, leading and trailing ones go, ASCII letters are lower-cased,
 * and the text is cut to SEARCH_LOG_TERM_MAX characters (never inside a
 * UTF-8 sequence).  NULL when nothing is left, q is not valid UTF-8, or
 * memory ran out.  The database lower-cases the rest (lower()).
 */
const char *search_term_normalise(arena *a, const char *q);

/*
 * Count one search of q (answered by r) for today's row of its term.  Only
 * a search a shopper typed counts: q has words, first page, relevance
 * order, no filter; a facet, sort or page link of the same search does
 * not count again.  One statement; it never fails the search: a problem is
 * logged and the search goes on.  The storefront's /search and
 * GET /api/v1/search call it; suggestions do not.
 */
void search_log_query(arena *a, const search_query *q, const search_result *r);

typedef struct search_term_stat {
	const char *term;		/* normalised */
	int64_t     searches;
	int64_t     zero_results;	/* searches that found nothing */
	int64_t     last_seen;		/* Unix seconds of the latest */
} search_term_stat;

/*
 * The terms searched in the last `days` days (today included, 1..
 * SEARCH_LOG_KEEP_DAYS), summed over the days: by searches (zero_only
 * false) or, with zero_only, only terms with zero-result searches, by
 * those.  Then by searches, then by term.  pg gives the page; *total is
 * the number of such terms.  *out (arena) has *n entries.
 */
ecode search_terms_top(arena *a, int days, bool zero_only, const page *pg,
    search_term_stat **out, size_t *n, int64_t *total, error *e);

/* The janitor's job: delete the days older than SEARCH_LOG_KEEP_DAYS;
 * *deleted counts the rows. */
ecode search_terms_prune(arena *a, int64_t *deleted, error *e);

#endif
