/*
 * internal.h — shared between the files of lib/product only.
 *
 * The store (store_*.c) holds every SQL statement of the catalog and maps
 * rows to the structs of product.h; the service files (service*.c) hold the
 * rules — who may see and change what, validation, slugs, events — and call
 * the store inside transactions.  Nothing outside lib/product includes this.
 *
 * Store functions take the catalog connection and the request arena; every
 * string they return points into a PGresult or a json-c value whose release
 * is registered with the arena, so they live until the arena is reset.
 */
#ifndef ECOM_PRODUCT_INTERNAL_H
#define ECOM_PRODUCT_INTERNAL_H

#include <stdint.h>	/* before core/db.h, which uses int64_t without it */

#include "core/db.h"
#include "product/product.h"

#define CATALOG_DOMAIN "catalog"
/* Attempts at a fresh slug when a concurrent writer took the chosen one. */
#define SLUG_ATTEMPTS 16
/* Most slugs the prefix scan returns ("name", "name-2", ...). */
#define SLUG_TAKEN_MAX 10000

/* ------------------------------------------------------------ service.c */

typedef enum slug_table { SLUG_PRODUCTS, SLUG_CATEGORIES, SLUG_BRANDS } slug_table;


/* slug_unique, but the (skip+1)-th free choice (base itself counting as
 * the first when it is free); spreads concurrent retries apart. */
char *slug_unique_nth(arena *a, const char *base, const char *const *taken,
    size_t ntaken, unsigned skip);

/* Whether who may see/change a product owned by seller_id (NULL = shop). */
bool catalog_can_edit(const catalog_actor *who, const char *seller_id);
bool catalog_is_admin(const catalog_actor *who);
/* A pattern for ILIKE matching `s` as a substring ('%', '_' and '\'
 * escaped), from the arena; NULL on OOM. */
char *catalog_like_pattern(arena *a, const char *s);
/* Code points of s (valid UTF-8 assumed; the JSON parser checked it). */
size_t catalog_chars(const char *s);
/* The connection, or NULL with e filled. */
db_conn *catalog_db(error *e);
/* Map a foreign-key or unique failure of the last statement on c to a
 * field error; returns the (possibly new) code. */
ecode catalog_map_constraint(db_conn *c, error *e);
/* Ensure e carries a code (defensive: a callee returned without filling). */
ecode catalog_fail(error *e, ecode code);

/*
 * Insert a row with a slug, race-safe: an explicit slug is tried once
 * (taken -> E_ALREADY_EXISTS on "slug"); otherwise slug_base(name) is made
 * unique against the slugs already in table t and fn is retried while a
 * concurrent writer takes the chosen one (fn reports *inserted false, from
 * INSERT ... ON CONFLICT DO NOTHING), at most SLUG_ATTEMPTS times.
 */
typedef ecode (*slug_insert_fn)(db_conn *c, arena *a, const char *slug, void *ud,
    bool *inserted, error *e);
ecode catalog_insert_slugged(db_conn *c, arena *a, slug_table t,
    const char *explicit_slug, const char *name, const char *fallback,
    slug_insert_fn fn, void *ud, error *e);

/* ------------------------------------------------------------ cache.c, copy.c */

typedef enum cache_kind {
	CK_PRODUCT, CK_PRODUCT_PAGE, CK_CATEGORIES, CK_BANNERS, CK_BODY,
	CK_RELATED, CK_REVIEWS
} cache_kind;

/* Deep copy of n values (or one struct) into arena a; NULL on OOM. */
typedef const void *(*cache_copy_fn)(arena *a, const void *src, size_t n);

/*
 * A cached answer for (kind, key) still valid under the current generation
 * and ECOM_CACHE_TTL: true with *val pointing into the cache (copy it into
 * the request arena before the next cache call) and *n its count.
 */
bool cache_get(cache_kind kind, const char *key, const void **val, size_t *n);
/* Keep a copy of val, unless the generation moved since gen_before (the
 * value read before the query) or caching is off. */
void cache_put(cache_kind kind, const char *key, uint64_t gen_before,
    cache_copy_fn copy, const void *val, size_t n);
/* Drop every entry (tests). */
void cache_clear(void);
/* Bump the host-wide write generation (catalog_cache_generation in
 * product.h) after a committed write. */
void catalog_cache_bump(void);
/* rc, bumping the generation first when rc is E_OK: `return catalog_written(db_tx(...))`. */
ecode catalog_written(ecode rc);

const void *copy_product(arena *a, const void *src, size_t n);
const void *copy_product_page(arena *a, const void *src, size_t n);
const void *copy_categories(arena *a, const void *src, size_t n);
const void *copy_banners(arena *a, const void *src, size_t n);
const void *copy_review_page(arena *a, const void *src, size_t n);
/* *out = *copy (size bytes) for a cache hit's copy; E_INTERNAL when the
 * copy failed (NULL: out of memory). */
ecode copy_into(const void *copy, void *out, size_t size, error *e);
/* A NUL-terminated string of n bytes. */
const void *copy_text(arena *a, const void *src, size_t n);

/* ------------------------------------------------------------ events (service_product.c) */

/* Write ecommerce.product.<what> with p as data into catalog.outbox. */
ecode catalog_emit_product(db_conn *c, arena *a, const catalog_actor *who,
    const char *what, const product *p, error *e);
/* Write ecommerce.<type> about (aggregate_type, id) into catalog.outbox,
 * with who as the actor (service_banner.c); data is consumed. */
ecode catalog_emit(db_conn *c, arena *a, const catalog_actor *who, const char *type,
    const char *aggregate_type, const char *id, json_object *data, error *e);

/* ------------------------------------------------------------ store_product.c */

typedef struct product_head {
	const char    *id;
	const char    *seller_id;
	product_status status;
	int64_t        base_price;
	const char    *currency;
} product_head;

ecode store_product_list(db_conn *c, arena *a, const product_filter *f,
    const char *status, product_page *out, error *e);
/* By id (when id != NULL) or slug; E_NOT_FOUND when absent. */
ecode store_product_get(db_conn *c, arena *a, const char *id, const char *slug,
    product *out, error *e);
ecode store_product_related(db_conn *c, arena *a, const char *category_id,
    const char *exclude_id, int limit, product_summary **out, size_t *n, error *e);
/* The head of a product by id or slug; with lock, SELECT ... FOR UPDATE. */
ecode store_product_head(db_conn *c, arena *a, const char *id, const char *slug,
    bool lock, product_head *out, error *e);
ecode store_slugs_taken(db_conn *c, arena *a, slug_table t, const char *base,
    const char ***out, size_t *n, error *e);
/* INSERT ... ON CONFLICT (slug) DO NOTHING: *inserted false when the slug
 * was taken meanwhile. */
ecode store_product_insert(db_conn *c, arena *a, const char *id, const char *slug,
    const product_input *in, const char *seller_id, bool *inserted, error *e);
ecode store_product_update(db_conn *c, arena *a, const char *id,
    const product_input *in, error *e);
ecode store_product_archive(db_conn *c, arena *a, const char *id, error *e);
/* INSERT INTO catalog.outbox, for outbox_emit(). */
db_stmt *store_outbox_stmt(void);

/* ------------------------------------------------------------ store_csv.c */

#define CSV_EXPORT_PAGE		500	/* rows per export query */
#define CSV_EXPORT_PAGE_S	"500"
/* Up to CSV_EXPORT_PAGE rows (product, variant) after (slug, sku) in that
 * order, of one seller's products or (seller_id NULL) all: slug, name,
 * description, status, category slug, brand slug, currency, base price,
 * sku ("" for a product without variants), variant name, price,
 * attributes JSON, weight, active. */
ecode store_csv_export_page(db_conn *c, arena *a, const char *seller_id,
    const char *after_slug, const char *after_sku, PGresult **out, error *e);
/* (kind 'c' | 'b', slug, id) of every category and brand. */
ecode store_csv_taxonomy(db_conn *c, arena *a, PGresult **out, error *e);
/* (slug, id, seller_id) of the products whose slug is in the text[]. */
ecode store_csv_products(db_conn *c, arena *a, const char *slugs_array, PGresult **out,
    error *e);
/* (sku, variant id, product slug) of the variants whose sku is in the text[]. */
ecode store_csv_variants(db_conn *c, arena *a, const char *skus_array, PGresult **out,
    error *e);

/* ------------------------------------------------------------ store_variant.c */

ecode store_variant_list(db_conn *c, arena *a, const char *product_id,
    product_variant **out, size_t *n, error *e);
ecode store_variant_get(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, product_variant *out, error *e);
ecode store_variant_count(db_conn *c, arena *a, const char *product_id,
    int64_t *n, error *e);
ecode store_variant_insert(db_conn *c, arena *a, const char *id,
    const char *product_id, const variant_input *in, error *e);
/* E_NOT_FOUND when no such variant of that product. */
ecode store_variant_update(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, const variant_input *in, error *e);
ecode store_variant_delete(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, error *e);
ecode store_line_lookup(db_conn *c, arena *a, const char *product_id,
    const char *variant_id, catalog_line *out, error *e);

/* ------------------------------------------------------------ store_image.c */

ecode store_image_list(db_conn *c, arena *a, const char *product_id,
    product_image **out, size_t *n, error *e);
ecode store_image_get(db_conn *c, arena *a, const char *product_id,
    const char *image_id, product_image *out, error *e);
ecode store_image_count(db_conn *c, arena *a, const char *product_id,
    int64_t *n, error *e);
/* Clear is_primary on every image of the product except keep_id (may be NULL). */
ecode store_image_demote(db_conn *c, arena *a, const char *product_id,
    const char *keep_id, error *e);
/* Make the first image (by sort order) primary when none is. */
ecode store_image_ensure_primary(db_conn *c, arena *a, const char *product_id, error *e);
ecode store_image_insert(db_conn *c, arena *a, const char *id,
    const char *product_id, const image_input *in, error *e);
ecode store_image_update(db_conn *c, arena *a, const char *product_id,
    const char *image_id, const image_input *in, error *e);
ecode store_image_delete(db_conn *c, arena *a, const char *product_id,
    const char *image_id, error *e);

/* ------------------------------------------------------------ store_review.c */

ecode store_review_list(db_conn *c, arena *a, const char *product_id,
    const page *pg, review_page *out, error *e);
/* Moderation (admins): reviews of one status (NULL: every status) with
 * their products' names, newest first; total over all pages. */
ecode store_review_moderation(db_conn *c, arena *a, const char *status, const page *pg,
    review_page *out, const char ***product_names, error *e);
/* Set a review's status; E_NOT_FOUND for an unknown id. */
ecode store_review_set_status(db_conn *c, arena *a, const char *id, const char *status,
    review *out, error *e);
ecode store_review_insert(db_conn *c, arena *a, const char *id,
    const char *product_id, const char *user_id, const review_input *in,
    review *out, error *e);

/* ------------------------------------------------------------ store_taxonomy.c */

ecode store_category_all(db_conn *c, arena *a, category **out, size_t *n, error *e);
/* By id or slug, with the path from the root. */
ecode store_category_get(db_conn *c, arena *a, const char *id, const char *slug,
    category *out, catalog_ref **path, size_t *npath, error *e);
ecode store_category_insert(db_conn *c, arena *a, const char *id, const char *slug,
    const category_input *in, bool *inserted, error *e);
ecode store_category_update(db_conn *c, arena *a, const char *id,
    const category_input *in, error *e);
ecode store_category_delete(db_conn *c, arena *a, const char *id, error *e);

ecode store_brand_list(db_conn *c, arena *a, const page *pg, brand_page *out, error *e);
ecode store_brand_get(db_conn *c, arena *a, const char *id, const char *slug,
    brand *out, error *e);
ecode store_brand_insert(db_conn *c, arena *a, const char *id, const char *slug,
    const brand_input *in, bool *inserted, error *e);
ecode store_brand_update(db_conn *c, arena *a, const char *id,
    const brand_input *in, error *e);
ecode store_brand_delete(db_conn *c, arena *a, const char *id, error *e);

/* ------------------------------------------------------------ store_banner.c */

/* public: active and inside the window; else position/is_active filters. */
ecode store_banner_list(db_conn *c, arena *a, bool public_view,
    const banner_filter *f, banner **out, size_t *n, error *e);
ecode store_banner_get(db_conn *c, arena *a, const char *id, banner *out, error *e);
ecode store_banner_insert(db_conn *c, arena *a, const char *id,
    const banner_input *in, error *e);
ecode store_banner_update(db_conn *c, arena *a, const char *id,
    const banner_input *in, error *e);
ecode store_banner_delete(db_conn *c, arena *a, const char *id, error *e);

/* ------------------------------------------------------------ store_row.c */

/* Column text or NULL (points into r, released at arena reset). */
const char *row_str(const PGresult *r, int row, int col);
/* Column text or "" for NULL. */
const char *row_text(const PGresult *r, int row, int col);
int64_t row_i64(const PGresult *r, int row, int col);	/* 0 for NULL */
bool row_bool(const PGresult *r, int row, int col);
bool row_null(const PGresult *r, int row, int col);
/* Text of an int64 from the arena ("-12"); NULL on OOM. */
char *arg_i64(arena *a, int64_t v);
/* "t"/"f". */
const char *arg_bool(bool v);
/* Text of an RFC 3339 time for a timestamptz parameter; NULL for 0. */
char *arg_time(arena *a, int64_t t);
/* Parse a JSON text from a column; the value is released at arena reset.
 * NULL with e = E_INTERNAL when the text is not JSON. */
json_object *row_json(arena *a, const char *text, error *e);
/* The variant attributes of a JSON object into v (pairs in key order). */
ecode variant_attrs_from(arena *a, json_object *obj, product_variant *v, error *e);
/* Rows of a json_build_array-per-element JSON array into structs. */
ecode images_from_json(arena *a, json_object *arr, const char *product_id,
    product_image **out, size_t *n, error *e);
ecode variants_from_json(arena *a, json_object *arr, const char *product_id,
    int64_t base_price, const char *currency, product_variant **out, size_t *n,
    error *e);
ecode refs_from_json(arena *a, json_object *arr, catalog_ref **out, size_t *n,
    error *e);

/* ------------------------------------------------------------ store_import.c */

/* JOB_COLS of one job, or the latest `limit` (of actor_id, NULL = all). */
ecode store_import_insert(db_conn *c, arena *a, const char *const params[7], error *e);
ecode store_import_get(db_conn *c, arena *a, const char *id, PGresult **out, error *e);
ecode store_import_list(db_conn *c, arena *a, const char *actor_id, const char *limit,
    PGresult **out, error *e);
/* Mark running and return (id, actor_id, actor_role, data, dry_run) of job
 * `id` if it waits, or (id NULL) of the oldest waiting or stale one. */
ecode store_import_claim(db_conn *c, arena *a, const char *id, const char *stale_s,
    PGresult **out, error *e);
/* (id, status, message, report JSON): the end of a job; its file dropped. */
ecode store_import_finish(db_conn *c, arena *a, const char *const params[4], error *e);

#endif
