/*
 * product.h — the catalog domain: products, variants, images, reviews,
 * categories, brands and banners.  The only header other code includes.
 *
 * Every function takes the request arena (everything it returns — structs,
 * arrays, strings — lives there until the arena is reset), an `error` to
 * fill on failure, and returns E_OK or the error's code.  Functions that
 * depend on who is asking take a catalog_actor: the public sees published
 * products, active categories and banners inside their date window; a
 * seller also sees and changes their own products; an admin sees and
 * changes everything.  Something the caller may not see is E_NOT_FOUND,
 * never E_FORBIDDEN, so ids cannot be probed.
 *
 * Writes validate every field and report all bad ones together (err_field,
 * keyed by the JSON field name), run in one transaction on the catalog
 * connection (db_for("catalog")), and write product, category and brand
 * events to catalog.outbox in that same transaction.
 *
 * Money is int64 minor units beside an ISO 4217 currency; times are Unix
 * seconds (0 = not set), rendered as RFC 3339 UTC by the JSON functions.
 */
#ifndef ECOM_PRODUCT_H
#define ECOM_PRODUCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"

/* ------------------------------------------------------------ bounds */

#define PRODUCT_NAME_MAX	200	/* characters */
#define PRODUCT_DESC_MAX	20000	/* characters */
#define PRODUCT_METADATA_MAX	16384	/* bytes of serialised JSON */
#define PRODUCT_PRICE_MAX	100000000000LL	/* minor units */
#define PRODUCT_SLUG_MAX	128	/* bytes, including any -N suffix */
#define PRODUCT_SEARCH_MAX	200	/* characters of ?search= */
#define VARIANT_SKU_MAX		64
#define VARIANT_ATTRS_MAX	32	/* keys */
#define VARIANT_ATTR_LEN_MAX	100	/* characters per key and per value */
#define VARIANT_WEIGHT_MAX	10000000	/* grams */
#define PRODUCT_VARIANTS_MAX	200	/* per product */
#define PRODUCT_IMAGES_MAX	50	/* per product */
#define CATALOG_URL_MAX		2048
#define CATALOG_TEXT_MAX	255	/* alt_text, review title */
#define REVIEW_BODY_MAX		5000
#define CATEGORY_DEPTH_MAX	8
#define CATEGORY_COUNT_MAX	2000	/* rows the tree loads */
#define BANNER_LIST_MAX		200
#define SORT_ORDER_MIN		(-1000000)
#define SORT_ORDER_MAX		1000000
#define RELATED_MAX		24

/* ------------------------------------------------------------ who asks */

typedef struct catalog_actor {
	const char *user_id;	/* UUID, or NULL for the public */
	role        role;
	const char *request_id;	/* correlation id written into events; may be NULL */
} catalog_actor;

/* The actor of a request (its principal and request id); no allocation. */
catalog_actor catalog_actor_of(const request *req);

/* ------------------------------------------------------------ shared pieces */

typedef enum product_status {
	PRODUCT_DRAFT = 0,
	PRODUCT_PUBLISHED,
	PRODUCT_ARCHIVED
} product_status;

/* "draft" / "published" / "archived". */
const char *product_status_name(product_status s);
/* 0 and *out set, or -1 for anything else (exact, lower case). */
int product_status_parse(const char *s, product_status *out);

/* A link to a category or brand: enough to render a name with its URL. */
typedef struct catalog_ref {
	const char *id;
	const char *slug;
	const char *name;
} catalog_ref;

typedef struct rating_summary {
	int64_t count;		/* published reviews */
	int64_t sum;		/* of their ratings */
	int64_t histogram[5];	/* [0] = one star ... [4] = five stars */
} rating_summary;

/* Average rating rounded to hundredths, times 100 (433 = 4.33); 0 when
 * there are no reviews.  Integer so templates can render stars exactly. */
int rating_average_x100(const rating_summary *r);

/* ------------------------------------------------------------ products */

typedef struct product_image {
	const char *id;
	const char *product_id;
	const char *variant_id;	/* NULL: the image shows the product */
	const char *url;	/* http(s) URL or site-relative path */
	const char *alt_text;	/* "" when none */
	int32_t     width;	/* pixels, 0 = unknown */
	int32_t     height;
	int32_t     sort_order;
	bool        is_primary;
	const char *media_id;	/* NULL unless it came from the media library */
	int64_t     created_at;
} product_image;

typedef struct variant_attr {
	const char *key;	/* "size" */
	const char *value;	/* "M" (numbers and booleans as their JSON text) */
} variant_attr;

typedef struct product_variant {
	const char   *id;
	const char   *product_id;
	const char   *sku;
	const char   *name;
	bool          has_price;	/* false: the product's base price applies */
	int64_t       price;		/* own price when has_price */
	int64_t       effective_price;	/* what the customer pays */
	const char   *currency;		/* the product's */
	variant_attr *attributes;	/* in key order */
	size_t        nattributes;
	const char   *attributes_json;	/* the same as a serialised JSON object */
	bool          has_weight;
	int32_t       weight_grams;
	bool          is_active;
	int32_t       sort_order;
	int64_t       created_at;
	int64_t       updated_at;
} product_variant;

/* A product as lists show it. */
typedef struct product_summary {
	const char    *id;
	const char    *slug;
	const char    *name;
	const char    *description;
	product_status status;
	int64_t        base_price;
	const char    *currency;
	const char    *brand_id;	/* NULL when none */
	const char    *category_id;	/* NULL when none */
	const char    *seller_id;	/* NULL: the shop's own */
	bool           has_image;
	product_image  primary_image;	/* the primary image, else the first */
	rating_summary rating;
	int64_t        created_at;
	int64_t        updated_at;
	int64_t        published_at;	/* 0 = never published */
} product_summary;

/* A product with everything its page shows, read in one round trip. */
typedef struct product {
	product_summary  s;		/* the list fields (primary image included) */
	const char      *metadata;	/* serialised JSON object, "{}" when empty */
	product_image   *images;	/* by sort_order */
	size_t           nimages;
	product_variant *variants;	/* by sort_order */
	size_t           nvariants;
	bool             has_category;
	catalog_ref      category;
	catalog_ref     *category_path;	/* root first, the category itself last */
	size_t           ncategory_path;
	bool             has_brand;
	catalog_ref      brand;
} product;

typedef enum product_sort {
	SORT_NEWEST = 0,
	SORT_PRICE_ASC,
	SORT_PRICE_DESC,
	SORT_NAME_ASC,
	SORT_NAME_DESC
} product_sort;

/* "newest", "price_asc", ... -> 0 and *out, or -1. */
int product_sort_parse(const char *s, product_sort *out);
const char *product_sort_name(product_sort s);

typedef struct product_filter {
	page           pg;
	const char    *category_id;	/* includes its descendants; NULL = any */
	const char    *brand_id;	/* NULL = any */
	bool           has_status;	/* honoured for admins only */
	product_status status;
	const char    *search;		/* case-insensitive substring of name or description */
	int64_t        min_price;	/* on base_price; -1 = no bound */
	int64_t        max_price;	/* -1 = no bound */
	const char    *seller_id;	/* NULL = any (admins); a seller's own id */
	product_sort   sort;
} product_filter;

/* Defaults: page 1 of 20, no filters, newest first. */
void product_filter_init(product_filter *f);

/*
 * Fill f from the query string of req: page, per_page, category_id,
 * brand_id, status, search, min_price, max_price, sort_by.  Every bad value
 * is reported (E_INVALID_PARAMETER naming the parameter).  `status` is
 * validated for everyone and kept in f; product_list ignores it for
 * non-admins, who see published products only.
 */
ecode product_filter_from_query(const request *req, product_filter *f, error *e);

typedef struct product_page {
	product_summary *items;
	size_t           n;
	int64_t          total;		/* matching rows over all pages */
	page             pg;
} product_page;

/*
 * One page of products matching f, in one database round trip.  Non-admins
 * see published products only (f->has_status ignored), except a seller
 * whose f->seller_id is their own id: they see their products in every
 * status, like an admin.  Unknown
 * category/brand ids simply match nothing.
 */
ecode product_list(arena *a, const catalog_actor *who, const product_filter *f,
    product_page *out, error *e);

/*
 * The product with this id (a UUID) or slug, with images, variants,
 * category (and its path from the root), brand and rating summary, in one
 * round trip.  The public sees published products only; a seller also
 * their own drafts and archived products; an admin everything.  Otherwise
 * E_NOT_FOUND.
 */
ecode product_get(arena *a, const catalog_actor *who, const char *id_or_slug,
    product *out, error *e);

/* Up to `limit` (1..RELATED_MAX) other published products of p's category,
 * newest first; none when p has no category. */
ecode product_related(arena *a, const product *p, int limit,
    product_summary **out, size_t *n, error *e);

/* Which fields of a product_input are present (partial updates). */
enum {
	PI_NAME = 1u << 0, PI_DESCRIPTION = 1u << 1, PI_SLUG = 1u << 2,
	PI_BRAND = 1u << 3, PI_CATEGORY = 1u << 4, PI_BASE_PRICE = 1u << 5,
	PI_CURRENCY = 1u << 6, PI_STATUS = 1u << 7, PI_METADATA = 1u << 8,
	PI_SELLER = 1u << 9
};

typedef struct product_input {
	unsigned       set;		/* PI_* bits of the fields given */
	const char    *name;
	const char    *description;
	const char    *slug;		/* NULL: generated from name on create, kept on update */
	const char    *brand_id;	/* NULL with PI_BRAND: clear */
	const char    *category_id;	/* NULL with PI_CATEGORY: clear */
	int64_t        base_price;
	const char    *currency;
	product_status status;
	const char    *metadata;	/* serialised JSON object */
	const char    *seller_id;	/* admins only; sellers always own what they create */
} product_input;

/*
 * Read a JSON body into in (name, description, slug, brand_id, category_id,
 * base_price, currency, status, metadata, seller_id), then validate it;
 * every bad field is added to e.  `create` makes name, base_price and
 * currency required.  Strings point into o or the arena.
 */
ecode product_input_from_json(arena *a, json_object *o, bool create,
    product_input *in, error *e);
/* The rules alone (bounds, formats, currency), for callers that build the
 * input themselves (admin forms); adds every problem to e. */
ecode product_input_validate(const product_input *in, bool create, error *e);

/*
 * Create a product (role seller or admin).  The slug is slugify(name) made
 * unique with -2, -3, ... (an explicit `slug` that is taken is
 * E_ALREADY_EXISTS).  A seller becomes its owner.  Emits
 * ecommerce.product.created.  Fills *out like product_get.
 */
ecode product_create(arena *a, const catalog_actor *who, const product_input *in,
    product *out, error *e);
/* Change the given fields of product `id` (owner or admin, else
 * E_NOT_FOUND).  Emits ecommerce.product.updated. */
ecode product_update(arena *a, const catalog_actor *who, const char *id,
    const product_input *in, product *out, error *e);
/* Archive product `id` (status archived; rows are kept because orders
 * reference them).  Emits ecommerce.product.deleted. */
ecode product_archive(arena *a, const catalog_actor *who, const char *id, error *e);

/* ------------------------------------------------------------ variants */

enum {
	VI_SKU = 1u << 0, VI_NAME = 1u << 1, VI_PRICE = 1u << 2,
	VI_ATTRIBUTES = 1u << 3, VI_WEIGHT = 1u << 4, VI_ACTIVE = 1u << 5,
	VI_SORT = 1u << 6
};

typedef struct variant_input {
	unsigned    set;		/* VI_* bits */
	const char *sku;
	const char *name;
	bool        has_price;		/* false with VI_PRICE: use the base price */
	int64_t     price;
	const char *attributes;		/* serialised JSON object of scalars */
	bool        has_weight;
	int32_t     weight_grams;
	bool        is_active;
	int32_t     sort_order;
} variant_input;

/*
 * Variant attributes as people type them, "size=M; colour=Red" (the CSV
 * column and the admin form): a serialised JSON object of strings in the
 * arena ({"colour":"Red","size":"M"}), keys and values trimmed of spaces,
 * empty pairs skipped; NULL when a pair has no '=' (or out of memory).
 * The keys and values are then the variant rules' to judge.
 */
const char *variant_attrs_from_text(arena *a, const char *s);

/* sku*, name*, price (null = base), attributes{}, weight_grams, is_active,
 * sort_order; then validated. */
ecode variant_input_from_json(arena *a, json_object *o, bool create,
    variant_input *in, error *e);
ecode variant_input_validate(const variant_input *in, bool create, error *e);

/* Variants of a product the actor may see (E_NOT_FOUND otherwise). */
ecode variant_list(arena *a, const catalog_actor *who, const char *product_id,
    product_variant **out, size_t *n, error *e);
/* One variant of a product, visible to the actor. */
ecode variant_get(arena *a, const catalog_actor *who, const char *product_id,
    const char *variant_id, product_variant *out, error *e);
/* Writes: owner or admin; a duplicate sku is E_ALREADY_EXISTS.  Each emits
 * ecommerce.product.updated for the product. */
ecode variant_create(arena *a, const catalog_actor *who, const char *product_id,
    const variant_input *in, product_variant *out, error *e);
ecode variant_update(arena *a, const catalog_actor *who, const char *product_id,
    const char *variant_id, const variant_input *in, product_variant *out, error *e);
ecode variant_delete(arena *a, const catalog_actor *who, const char *product_id,
    const char *variant_id, error *e);

/* ------------------------------------------------------------ images */

enum {
	II_URL = 1u << 0, II_ALT = 1u << 1, II_SORT = 1u << 2,
	II_PRIMARY = 1u << 3, II_VARIANT = 1u << 4, II_SIZE = 1u << 5,
	II_MEDIA = 1u << 6	/* set by lib/media only, never from JSON */
};

typedef struct image_input {
	unsigned    set;		/* II_* bits */
	const char *url;
	const char *alt_text;
	int32_t     sort_order;
	bool        is_primary;
	const char *variant_id;		/* NULL with II_VARIANT: the whole product */
	int32_t     width, height;	/* with II_SIZE; 0 = unknown */
	const char *media_id;		/* with II_MEDIA: the media library's item */
} image_input;

/* url* (or media_id, refused until the media library exists), alt_text,
 * sort_order, is_primary, variant_id, width, height; then validated. */
ecode image_input_from_json(arena *a, json_object *o, bool create,
    image_input *in, error *e);
ecode image_input_validate(const image_input *in, bool create, error *e);

ecode image_list(arena *a, const catalog_actor *who, const char *product_id,
    product_image **out, size_t *n, error *e);
/* Writes: owner or admin.  Making an image primary demotes the previous
 * primary in the same transaction; the first image of a product becomes
 * primary.  Each emits ecommerce.product.updated. */
ecode image_create(arena *a, const catalog_actor *who, const char *product_id,
    const image_input *in, product_image *out, error *e);
ecode image_update(arena *a, const catalog_actor *who, const char *product_id,
    const char *image_id, const image_input *in, product_image *out, error *e);
ecode image_delete(arena *a, const catalog_actor *who, const char *product_id,
    const char *image_id, error *e);

/* ------------------------------------------------------------ reviews */

typedef struct review {
	const char *id;
	const char *product_id;
	const char *user_id;
	int32_t     rating;		/* 1..5 */
	const char *title;		/* "" when none */
	const char *body;
	const char *status;		/* "published", "pending", "rejected" */
	int64_t     created_at;
	int64_t     updated_at;
} review;

typedef struct review_page {
	review        *items;
	size_t         n;
	int64_t        total;
	page           pg;
	rating_summary summary;		/* of the whole product */
} review_page;

typedef struct review_input {
	int32_t     rating;
	const char *title;		/* may be NULL */
	const char *body;		/* may be NULL */
} review_input;

/* rating* 1..5, title <= 255, body <= 5000 characters. */
ecode review_input_from_json(arena *a, json_object *o, review_input *in, error *e);
ecode review_input_validate(const review_input *in, error *e);

/* Published reviews of a product the actor may see, newest first. */
ecode review_list(arena *a, const catalog_actor *who, const char *product_id_or_slug,
    const page *pg, review_page *out, error *e);
/* The signed-in actor reviews a published product; a second review by the
 * same user is E_ALREADY_EXISTS; no user is E_UNAUTHORIZED. */
ecode review_create(arena *a, const catalog_actor *who, const char *product_id,
    const review_input *in, review *out, error *e);

/*
 * Moderation (admins, else E_FORBIDDEN): reviews of one status (NULL =
 * every status), newest first, with each one's product name in
 * (*product_names)[i]; a review's status set to published, pending or
 * rejected (only published reviews count in the rating summary and show
 * in the shop).
 */
ecode review_moderation_list(arena *a, const catalog_actor *who, const char *status,
    const page *pg, review_page *out, const char ***product_names, error *e);
ecode review_set_status(arena *a, const catalog_actor *who, const char *id, const char *status,
    review *out, error *e);

/* ------------------------------------------------------------ categories */

typedef struct category {
	const char *id;
	const char *parent_id;		/* NULL for a root */
	const char *slug;
	const char *name;
	const char *description;
	const char *image_url;		/* NULL when none */
	const char *icon_url;
	int32_t     sort_order;
	bool        is_active;
	int64_t     created_at;
	int64_t     updated_at;
} category;

typedef struct category_node {
	category               cat;
	struct category_node  *parent;	/* NULL for a root */
	struct category_node **children;	/* by sort_order, name */
	size_t                 nchildren;
	int                    depth;	/* 0 for a root */
} category_node;

typedef struct category_forest {
	category_node **roots;		/* by sort_order, name */
	size_t          nroots;
	category_node  *all;		/* every node, in (sort_order, name) order */
	size_t          nall;
} category_forest;

/*
 * The whole category tree.  The public (and include_inactive false) gets
 * active categories whose ancestors are all active; admins may ask for
 * inactive ones too.
 */
ecode category_tree(arena *a, const catalog_actor *who, bool include_inactive,
    category_forest *out, error *e);
/* Find a node by id or slug in a loaded forest; NULL if absent. */
const category_node *category_find(const category_forest *f, const char *id_or_slug);

/* One category by id (UUID) or slug with its path from the root (root
 * first, itself last) for breadcrumbs.  Inactive ones are E_NOT_FOUND for
 * non-admins. */
ecode category_get(arena *a, const catalog_actor *who, const char *id_or_slug,
    category *out, catalog_ref **path, size_t *npath, error *e);

enum {
	CI_NAME = 1u << 0, CI_PARENT = 1u << 1, CI_SLUG = 1u << 2,
	CI_DESCRIPTION = 1u << 3, CI_IMAGE = 1u << 4, CI_ICON = 1u << 5,
	CI_SORT = 1u << 6, CI_ACTIVE = 1u << 7
};

typedef struct category_input {
	unsigned    set;		/* CI_* bits */
	const char *name;
	const char *parent_id;		/* NULL with CI_PARENT: make it a root */
	const char *slug;
	const char *description;
	const char *image_url;		/* NULL with CI_IMAGE: clear */
	const char *icon_url;
	int32_t     sort_order;
	bool        is_active;
} category_input;

ecode category_input_from_json(arena *a, json_object *o, bool create,
    category_input *in, error *e);
ecode category_input_validate(const category_input *in, bool create, error *e);
/* Admin writes.  A parent that would make a cycle or a tree deeper than
 * CATEGORY_DEPTH_MAX is E_VALIDATION on parent_id; deleting a category with
 * subcategories or products is E_CONFLICT. */
ecode category_create(arena *a, const catalog_actor *who, const category_input *in,
    category *out, error *e);
ecode category_update(arena *a, const catalog_actor *who, const char *id,
    const category_input *in, category *out, error *e);
ecode category_delete(arena *a, const catalog_actor *who, const char *id, error *e);

/* Pure: would making `parent` the parent of `child` close a cycle, given
 * parent_of(x) over the current tree?  Used by tests and by callers that
 * hold a forest; the database trigger is the authority. */
bool category_would_cycle(const category_forest *f, const char *child_id,
    const char *parent_id);

/* ------------------------------------------------------------ brands */

typedef struct brand {
	const char *id;
	const char *slug;
	const char *name;
	const char *logo_url;		/* NULL when none */
	const char *description;
	int64_t     created_at;
	int64_t     updated_at;
} brand;

typedef struct brand_page {
	brand  *items;
	size_t  n;
	int64_t total;
	page    pg;
} brand_page;

/* Brands by name, paginated. */
ecode brand_list(arena *a, const page *pg, brand_page *out, error *e);
/* By id (UUID) or slug. */
ecode brand_get(arena *a, const char *id_or_slug, brand *out, error *e);

enum { BI_NAME = 1u << 0, BI_SLUG = 1u << 1, BI_LOGO = 1u << 2, BI_DESCRIPTION = 1u << 3 };

typedef struct brand_input {
	unsigned    set;		/* BI_* bits */
	const char *name;
	const char *slug;
	const char *logo_url;		/* NULL with BI_LOGO: clear */
	const char *description;
} brand_input;

ecode brand_input_from_json(arena *a, json_object *o, bool create,
    brand_input *in, error *e);
ecode brand_input_validate(const brand_input *in, bool create, error *e);
/* Admin writes; deleting a brand that products use is E_CONFLICT. */
ecode brand_create(arena *a, const catalog_actor *who, const brand_input *in,
    brand *out, error *e);
ecode brand_update(arena *a, const catalog_actor *who, const char *id,
    const brand_input *in, brand *out, error *e);
ecode brand_delete(arena *a, const catalog_actor *who, const char *id, error *e);

/* ------------------------------------------------------------ banners */

typedef struct banner {
	const char *id;
	const char *title;
	const char *subtitle;		/* "" when none */
	const char *image_url;
	const char *link_url;
	const char *link_type;		/* product|category|brand|page|external */
	const char *position;		/* "hero", "home-strip", ... [a-z0-9_-]{1,32} */
	int32_t     sort_order;
	bool        is_active;
	int64_t     starts_at;		/* 0 = no start bound */
	int64_t     ends_at;		/* 0 = no end bound */
	int64_t     created_at;
	int64_t     updated_at;
} banner;

typedef struct banner_filter {
	const char *position;		/* NULL = every position */
	int         is_active;		/* admins: -1 any, 0, 1; ignored for the public */
} banner_filter;

/*
 * Banners by position, sort_order (at most BANNER_LIST_MAX).  The public
 * sees active banners whose window contains now; admins see every banner
 * matching the filter.
 */
ecode banner_list(arena *a, const catalog_actor *who, const banner_filter *f,
    banner **out, size_t *n, error *e);
/* Shorthand for the storefront: the public's banners of one position. */
ecode banner_list_active(arena *a, const char *position, banner **out, size_t *n,
    error *e);
ecode banner_get(arena *a, const catalog_actor *who, const char *id,
    banner *out, error *e);

enum {
	NI_TITLE = 1u << 0, NI_SUBTITLE = 1u << 1, NI_IMAGE = 1u << 2,
	NI_LINK_URL = 1u << 3, NI_LINK_TYPE = 1u << 4, NI_POSITION = 1u << 5,
	NI_SORT = 1u << 6, NI_ACTIVE = 1u << 7, NI_STARTS = 1u << 8,
	NI_ENDS = 1u << 9
};

typedef struct banner_input {
	unsigned    set;		/* NI_* bits */
	const char *title;
	const char *subtitle;
	const char *image_url;
	const char *link_url;
	const char *link_type;
	const char *position;
	int32_t     sort_order;
	bool        is_active;
	int64_t     starts_at;		/* with NI_STARTS; 0 = clear */
	int64_t     ends_at;		/* with NI_ENDS; 0 = clear */
} banner_input;

/* starts_at/ends_at are RFC 3339 strings (or null) in JSON. */
ecode banner_input_from_json(arena *a, json_object *o, bool create,
    banner_input *in, error *e);
ecode banner_input_validate(const banner_input *in, bool create, error *e);
ecode banner_create(arena *a, const catalog_actor *who, const banner_input *in,
    banner *out, error *e);
ecode banner_update(arena *a, const catalog_actor *who, const char *id,
    const banner_input *in, banner *out, error *e);
ecode banner_delete(arena *a, const catalog_actor *who, const char *id, error *e);

/* ------------------------------------------------------------ for other domains */

/*
 * What a cart or order line needs of a (product, variant): the server's
 * price, name and sku (api-v1.md: clients' prices are ignored).  Only
 * published products are found (E_NOT_FOUND otherwise); `available` is
 * false when the variant is inactive.
 */
typedef struct catalog_line {
	const char *product_id;
	const char *variant_id;
	const char *product_slug;
	const char *product_name;
	const char *variant_name;
	const char *sku;
	int64_t     unit_price;		/* effective price, minor units */
	const char *currency;
	bool        available;
	const char *image_url;		/* primary image or NULL */
	const char *category_id;	/* NULL when none (campaign rules) */
	const char *attributes;		/* serialised JSON object */
} catalog_line;

ecode catalog_line_lookup(arena *a, const char *product_id, const char *variant_id,
    catalog_line *out, error *e);

/* ------------------------------------------------------------ the read cache */

/*
 * Public reads are cached per process for at most ECOM_CACHE_TTL seconds
 * (0 disables) and dropped as soon as any catalog write commits on this
 * host (a generation counter in shared memory; see cache.c).  The domain
 * functions above use it by themselves for the published-only views; the
 * functions below let a responder keep whole response bodies too.
 */

/* Whether who sees only the published shop window (public, customers). */
bool catalog_public_view(const catalog_actor *who);
/* The write generation; read it before building what you will cache. */
uint64_t catalog_cache_generation(void);
/* A cached body for key copied into the arena, or NULL. */
const char *catalog_body_get(arena *a, const char *key);
/* Keep body for key unless a write happened since gen_before. */
void catalog_body_put(const char *key, uint64_t gen_before, const char *body);
/* A canonical text of f (every field), for cache keys; NULL on OOM. */
const char *product_filter_key(arena *a, const product_filter *f);

/* ------------------------------------------------------------ pure rules */

/*
 * The unique slug for `base` given the slugs already taken that are `base`
 * itself or `base-<n>`: base when free, else base-<k> for the smallest
 * k >= 2 not taken.  base is shortened (at a '-' when possible) so the
 * result fits in PRODUCT_SLUG_MAX.  Returns an arena string or NULL (out of
 * memory).
 */
char *slug_unique(arena *a, const char *base, const char *const *taken, size_t ntaken);
/* slugify(name) bounded to PRODUCT_SLUG_MAX - 8 (room for a suffix), or
 * `fallback` when nothing usable remains (a name in a non-Latin script). */
char *slug_base(arena *a, const char *name, const char *fallback);
/* http(s)://… without spaces or controls, or a site-relative "/path" (not
 * "//host"), at most CATALOG_URL_MAX bytes. */
bool catalog_url_valid(const char *s);
/* [A-Za-z0-9._-]{1,64}. */
bool sku_valid(const char *s);

/* ------------------------------------------------------------ CSV (csv.c) */

/*
 * The catalog as CSV (RFC 4180, UTF-8): one row per variant with the
 * columns product_slug, product_name, description, status, category_slug,
 * brand_slug, currency, base_price, sku, variant_name, variant_price,
 * attributes ("key=value; key=value"), weight_grams, active; prices in
 * major units ("19.90").  A seller sees and changes only their products.
 */
#define CATALOG_CSV_ROWS_MAX	50000
#define CATALOG_CSV_BYTES_MAX	(32 << 20)
#define CATALOG_CSV_ERRORS_MAX	200

/* Receives the export a chunk at a time; non-zero stops it. */
typedef int (*catalog_csv_out)(void *ud, const char *data, size_t n);
ecode catalog_csv_export(arena *a, const catalog_actor *who, catalog_csv_out out, void *ud,
    error *e);

typedef struct catalog_csv_error {
	size_t      line;	/* 1 = the header row */
	const char *column;	/* the column's name, "" for the whole row */
	const char *message;
} catalog_csv_error;

typedef struct catalog_csv_report {
	catalog_csv_error *errors;
	size_t             nerrors;
	bool               truncated;	/* more than CATALOG_CSV_ERRORS_MAX */
	int64_t            rows;
	int64_t            products_created, products_updated;
	int64_t            variants_created, variants_updated;
} catalog_csv_report;

/*
 * Check every row of the file (problems into rep->errors by line and
 * column; E_VALIDATION, nothing changed, when there is any), then unless
 * dry_run apply all rows in one transaction: products by slug and variants
 * by SKU updated or created, one product.created/updated event each.
 * progress(ud, done, total) is called as rows are read (total 0) and
 * applied; it may be NULL.
 */
ecode catalog_csv_import(arena *a, const catalog_actor *who, const char *data, size_t len,
    bool dry_run, void (*progress)(void *ud, int64_t done, int64_t total), void *ud,
    catalog_csv_report *rep, error *e);

/* ------------------------------------------------------------ import jobs (import_job.c) */

/*
 * A CSV import applied by a worker rather than within the web request (a
 * large file): the file is kept with who uploaded it, and a worker run
 * (the janitor) checks and applies it with catalog_csv_import and that
 * account's rights, then keeps the report.  See import_job.c.
 */
typedef struct catalog_import_job {
	const char        *id;
	const char        *actor_id;	/* who uploaded it */
	const char        *status;	/* "queued", "running", "done", "failed" */
	const char        *filename;	/* as uploaded, "" when none */
	int64_t            bytes;
	bool               dry_run;	/* check only */
	const char        *message;	/* failed: why ("3 problems found; ...") */
	int64_t            rows_done;	/* running: rows read or applied so far */
	int64_t            rows_total;	/* running: rows to apply (0 while reading) */
	catalog_csv_report report;	/* done or failed: the import's report */
	int64_t            created_at, started_at, finished_at;
} catalog_import_job;

/* Queue the file (UTF-8, at most CATALOG_CSV_BYTES_MAX) for a worker; the
 * new job's id into *id (arena). */
ecode catalog_import_job_create(arena *a, const catalog_actor *who, const char *filename,
    const char *data, size_t len, bool dry_run, const char **id, error *e);
/* A job, for whoever uploaded it or an admin (else E_NOT_FOUND). */
ecode catalog_import_job_get(arena *a, const catalog_actor *who, const char *id,
    catalog_import_job *out, error *e);
/* The latest `limit` jobs: all for an admin, a seller's own for a seller. */
ecode catalog_import_job_list(arena *a, const catalog_actor *who, int limit,
    catalog_import_job **out, size_t *n, error *e);
/* Run the waiting job `id` now, in this process (a small file, within the
 * request that uploaded it); E_CONFLICT if a worker took it already.  How
 * the import ended is in the job (catalog_import_job_get), not in e. */
ecode catalog_import_job_run(arena *a, const char *id, error *e);
/* The worker: run up to max_jobs waiting jobs, oldest first; *count run. */
ecode catalog_import_jobs_run(arena *a, int max_jobs, int64_t *count, error *e);

/* ------------------------------------------------------------ JSON (json.c) */

/* New json-c objects (the caller owns the reference); NULL on OOM.  Money as
 * integer minor units with currency, times as RFC 3339 UTC strings. */
json_object *product_summary_to_json(const product_summary *p);
json_object *product_to_json(const product *p);
json_object *variant_to_json(const product_variant *v);
json_object *image_to_json(const product_image *im);
json_object *rating_summary_to_json(const rating_summary *r);
json_object *review_to_json(const review *r);
json_object *category_to_json(const category *c);
/* With nested "children" (recursively). */
json_object *category_node_to_json(const category_node *n);
json_object *catalog_ref_to_json(const catalog_ref *r);
json_object *brand_to_json(const brand *b);
json_object *banner_to_json(const banner *b);
/* RFC 3339 string for t, or JSON null for 0. */
json_object *catalog_time_to_json(int64_t t);

#endif
