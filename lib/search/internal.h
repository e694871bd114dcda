/*
 * internal.h — shared between the files of lib/search only.
 *
 * indexer.c turns events (and a reindex) into documents, query.c reads
 * queries and assembles results, store.c holds every SQL statement of the
 * search schema.  Strings the store returns point into PGresults released
 * at arena reset.
 */
#ifndef ECOM_SEARCH_INTERNAL_H
#define ECOM_SEARCH_INTERNAL_H

#include "core/db.h"
#include "search/search.h"

#define SEARCH_DOMAIN "search"

/* A document as the indexer writes it. */
typedef struct search_doc {
	const char *product_id, *slug, *name, *description;
	const char *brand_id, *brand_name;		/* NULL, "" when none */
	const char *category_id;			/* NULL when none */
	const char *category_ids;			/* uuid[] literal, root first */
	const char *category_names;			/* their names, space-separated */
	const char *attrs;				/* text[] literal of "key=value" */
	const char *attr_text;				/* the values, space-separated */
	int64_t     price_min, price_max;
	const char *currency;
	bool        in_stock;
	const char *image_url, *image_alt;		/* NULL when none */
	const char *image_media_id;			/* NULL unless from lib/media */
	int32_t     image_width, image_height;
	int32_t     rating_x100;
	int64_t     rating_count;
	int64_t     created_at;
} search_doc;

/* One category of the copy; path is a uuid[] literal, root first. */
typedef struct search_cat {
	const char *id, *parent_id, *slug, *name, *path;
	int         is_active;	/* 1, 0, or -1: unknown (kept as it is) */
} search_cat;

/* A PostgreSQL array literal of the n strings ("{\"a\",\"b\"}"), each
 * quoted and escaped; NULL on OOM. */
char *search_pg_array(arena *a, const char *const *v, size_t n);

/* ------------------------------------------------------------ store.c */

db_conn *search_db(error *e);
ecode sstore_claim(db_conn *c, arena *a, const char *event_id, bool *fresh, error *e);
/* Serialise the indexing of one product until the transaction ends. */
ecode sstore_lock_product(db_conn *c, arena *a, const char *product_id, error *e);
ecode sstore_doc_put(db_conn *c, arena *a, const search_doc *d, error *e);
ecode sstore_doc_drop(db_conn *c, arena *a, const char *product_id, error *e);
/* Upsert a category.  With cascade (the category itself changed) the
 * paths of its descendants and the category fields of the documents
 * below it follow. */
ecode sstore_cat_put(db_conn *c, arena *a, const search_cat *k, bool cascade, error *e);
ecode sstore_cat_drop(db_conn *c, arena *a, const char *id, error *e);
ecode sstore_brand_rename(db_conn *c, arena *a, const char *id, const char *name, error *e);
/*
 * Popularity (units sold), per order.  sstore_order_counted marks the
 * order counted (*fresh false: counted or reversed already, add nothing);
 * sstore_sold then records and adds its units of one product.
 * sstore_order_reversed marks it reversed (*fresh false: reversed
 * already); sstore_unsold then takes back what it added, never below 0.
 * Call each pair in separate statements of one transaction: the second
 * must see what a concurrent transaction committed while the first
 * waited on the order's row.
 */
ecode sstore_order_counted(db_conn *c, arena *a, const char *order_id, bool *fresh, error *e);
ecode sstore_sold(db_conn *c, arena *a, const char *order_id, const char *product_id,
    int64_t units, error *e);
ecode sstore_order_reversed(db_conn *c, arena *a, const char *order_id, bool *fresh, error *e);
ecode sstore_unsold(db_conn *c, arena *a, const char *order_id, error *e);

/* Reindex: the database's clock, clearing the words and categories,
 * dropping documents not written since `since`. */
ecode sstore_now(db_conn *c, arena *a, const char **now, error *e);
ecode sstore_reindex_reset(db_conn *c, arena *a, error *e);
ecode sstore_drop_older(db_conn *c, arena *a, const char *since, int64_t *dropped, error *e);
ecode sstore_run_insert(db_conn *c, arena *a, const char *id, const char *admin_id,
    const char *status, error *e);
/* The oldest pending request marked running; *id NULL when none. */
ecode sstore_run_take(db_conn *c, arena *a, const char **id, error *e);
ecode sstore_run_finish(db_conn *c, arena *a, const char *id, int64_t docs,
    const char *failure, error *e);

/* One query word and what the documents say about it. */
typedef struct search_term {
	const char *word;	/* as typed, lower case */
	bool        stop;	/* a stop word: left out of the query */
	bool        found;	/* some document has it (the last word: as a prefix) */
	const char *better;	/* the most similar known word, or NULL */
} search_term;

ecode sstore_terms(db_conn *c, arena *a, search_term *t, size_t n, error *e);

/* Filters as statement parameters (NULL = no filter). */
typedef struct search_params {
	const char *tsq;	/* to_tsquery text or NULL */
	const char *category_id, *brand_id, *min, *max, *in_stock, *attrs;
	const char *sort, *limit, *offset;
} search_params;

ecode sstore_hits(db_conn *c, arena *a, const search_params *p, search_hit **out, size_t *n,
    error *e);

/* One facet row: kind "total" (every filter: the number of hits),
 * "category" | "brand" | "price" | "in_stock" | "attr". */
typedef struct search_facet_row {
	const char *kind, *value, *label, *parent;
	int64_t     count;
} search_facet_row;

ecode sstore_facets(db_conn *c, arena *a, const search_params *p, search_facet_row **out,
    size_t *n, error *e);
/* The index generation (the sequence search.generation), and its advance
 * after a change has committed. */
ecode sstore_generation(db_conn *c, arena *a, int64_t *gen, error *e);
ecode sstore_advance(db_conn *c, arena *a, error *e);

/* cache.c: facet rows of a query (key: its filters) counted at generation
 * gen; a hit is copied into a. */
bool search_fcache_get(arena *a, const char *key, int64_t gen, search_facet_row **rows,
    size_t *n);
void search_fcache_put(const char *key, int64_t gen, const search_facet_row *rows, size_t n);

ecode sstore_suggest(db_conn *c, arena *a, const char *tsq, const char *prefix, int limit,
    const char ***out, size_t *n, error *e);

/* store_terms.c: search.term_days.  Count one search of term (normalised)
 * today, zero when it found nothing; the report (search_terms_top); the
 * deletion of the days up to today - keep_days. */
ecode sstore_term_count(db_conn *c, arena *a, const char *term, bool zero, error *e);
ecode sstore_term_top(db_conn *c, arena *a, int days, bool zero_only, const page *pg,
    search_term_stat **out, size_t *n, int64_t *total, error *e);
ecode sstore_term_prune(db_conn *c, arena *a, int keep_days, int64_t *deleted, error *e);

#endif
