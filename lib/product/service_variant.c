/*
 * service_variant.c — the parts of a product: variants, images, reviews.
 *
 * Reads first check that the actor may see the product (published, or
 * theirs, or they are admin).  Variant and image writes follow the
 * product's rules: one transaction that locks the product row, checks
 * ownership, applies the change and emits ecommerce.product.updated with
 * the whole product, so consumers (search, caches) never need to merge
 * partial events.  Reviews belong to customers, not to the product's
 * owner: any signed-in user may write one review per published product.
 */
#include <string.h>

#include "core/util.h"
#include "product/internal.h"

/* The product head if the actor may see the product, else E_NOT_FOUND. */
static ecode
visible_head(db_conn *c, arena *a, const catalog_actor *who, const char *id,
    const char *slug, product_head *h, error *e)
{
	if (store_product_head(c, a, id, slug, false, h, e) != E_OK)
		return e->code;
	if (h->status != PRODUCT_PUBLISHED && !catalog_can_edit(who, h->seller_id))
		return err_set(e, E_NOT_FOUND, "product not found");
	return E_OK;
}

/* The connection, after checking ids look like ids (else "not found"). */
static db_conn *
open_for(const char *product_id, const char *child_id, error *e)
{
	if (!product_id || !uuid_valid(product_id)) {
		err_set(e, E_NOT_FOUND, "product not found");
		return NULL;
	}
	if (child_id && !uuid_valid(child_id)) {
		err_set(e, E_NOT_FOUND, "not found");
		return NULL;
	}
	return catalog_db(e);
}

static ecode
check_seller(const catalog_actor *who, error *e)
{
	if (!who || !who->user_id || who->role < ROLE_SELLER)
		return err_set(e, E_FORBIDDEN, "only sellers and admins can change products");
	return E_OK;
}

/* Lock the product, check ownership; `head` may be NULL. */
static ecode
lock_product(db_conn *c, arena *a, const catalog_actor *who, const char *id,
    product_head *head, error *e)
{
	product_head h;

	if (store_product_head(c, a, id, NULL, true, &h, e) != E_OK)
		return e->code;
	if (!catalog_can_edit(who, h.seller_id))
		return err_set(e, E_NOT_FOUND, "product not found");
	if (head)
		*head = h;
	return E_OK;
}

/* Re-read the product and emit ecommerce.product.updated. */
static ecode
emit_updated(db_conn *c, arena *a, const catalog_actor *who, const char *id,
    error *e)
{
	product p;

	if (store_product_get(c, a, id, NULL, &p, e) != E_OK)
		return e->code;
	return catalog_emit_product(c, a, who, "updated", &p, e);
}

/* ------------------------------------------------------------ variants */

ecode
variant_list(arena *a, const catalog_actor *who, const char *product_id,
    product_variant **out, size_t *n, error *e)
{
	db_conn     *c = open_for(product_id, NULL, e);
	product_head h;

	*out = NULL;
	*n = 0;
	if (!c)
		return catalog_fail(e, E_UNAVAILABLE);
	if (visible_head(c, a, who, product_id, NULL, &h, e) != E_OK)
		return e->code;
	return store_variant_list(c, a, product_id, out, n, e);
}

ecode
variant_get(arena *a, const catalog_actor *who, const char *product_id,
    const char *variant_id, product_variant *out, error *e)
{
	db_conn     *c = open_for(product_id, variant_id, e);
	product_head h;

	if (!c)
		return catalog_fail(e, E_UNAVAILABLE);
	if (visible_head(c, a, who, product_id, NULL, &h, e) != E_OK)
		return e->code;
	return store_variant_get(c, a, product_id, variant_id, out, e);
}

typedef struct part_tx {
	const catalog_actor *who;
	const char          *product_id;
	const char          *child_id;	/* variant or image */
	const void          *in;
	void                *out;
} part_tx;

static ecode
variant_create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	part_tx *t = ud;
	int64_t  n;

	if (lock_product(c, a, t->who, t->product_id, NULL, e) != E_OK ||
	    store_variant_count(c, a, t->product_id, &n, e) != E_OK)
		return e->code;
	if (n >= PRODUCT_VARIANTS_MAX)
		return err_set(e, E_CONFLICT, "a product has at most %d variants",
		    PRODUCT_VARIANTS_MAX);
	if (store_variant_insert(c, a, t->child_id, t->product_id, t->in, e) != E_OK ||
	    store_variant_get(c, a, t->product_id, t->child_id, t->out, e) != E_OK)
		return e->code;
	return emit_updated(c, a, t->who, t->product_id, e);
}

ecode
variant_create(arena *a, const catalog_actor *who, const char *product_id,
    const variant_input *in, product_variant *out, error *e)
{
	char     id[37];
	part_tx  t = { who, product_id, id, in, out };
	db_conn *c;

	if (check_seller(who, e) != E_OK || variant_input_validate(in, true, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = open_for(product_id, NULL, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, variant_create_tx, &t, e));
}

static ecode
variant_update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	part_tx *t = ud;

	if (lock_product(c, a, t->who, t->product_id, NULL, e) != E_OK ||
	    store_variant_update(c, a, t->product_id, t->child_id, t->in, e) != E_OK ||
	    store_variant_get(c, a, t->product_id, t->child_id, t->out, e) != E_OK)
		return e->code;
	return emit_updated(c, a, t->who, t->product_id, e);
}

ecode
variant_update(arena *a, const catalog_actor *who, const char *product_id,
    const char *variant_id, const variant_input *in, product_variant *out, error *e)
{
	part_tx  t = { who, product_id, variant_id, in, out };
	db_conn *c;

	if (check_seller(who, e) != E_OK || variant_input_validate(in, false, e) != E_OK)
		return e->code;
	if (!(c = open_for(product_id, variant_id, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, variant_update_tx, &t, e));
}

static ecode
variant_delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	part_tx *t = ud;

	if (lock_product(c, a, t->who, t->product_id, NULL, e) != E_OK ||
	    store_variant_delete(c, a, t->product_id, t->child_id, e) != E_OK)
		return e->code;
	return emit_updated(c, a, t->who, t->product_id, e);
}

ecode
variant_delete(arena *a, const catalog_actor *who, const char *product_id,
    const char *variant_id, error *e)
{
	part_tx  t = { who, product_id, variant_id, NULL, NULL };
	db_conn *c;

	if (check_seller(who, e) != E_OK)
		return e->code;
	if (!(c = open_for(product_id, variant_id, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, variant_delete_tx, &t, e));
}

/* ------------------------------------------------------------ images */

ecode
image_list(arena *a, const catalog_actor *who, const char *product_id,
    product_image **out, size_t *n, error *e)
{
	db_conn     *c = open_for(product_id, NULL, e);
	product_head h;

	*out = NULL;
	*n = 0;
	if (!c)
		return catalog_fail(e, E_UNAVAILABLE);
	if (visible_head(c, a, who, product_id, NULL, &h, e) != E_OK)
		return e->code;
	return store_image_list(c, a, product_id, out, n, e);
}

static ecode
image_create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	part_tx           *t = ud;
	const image_input *in = t->in;
	int64_t            n;

	if (lock_product(c, a, t->who, t->product_id, NULL, e) != E_OK ||
	    store_image_count(c, a, t->product_id, &n, e) != E_OK)
		return e->code;
	if (n >= PRODUCT_IMAGES_MAX)
		return err_set(e, E_CONFLICT, "a product has at most %d images",
		    PRODUCT_IMAGES_MAX);
	/* Demote the old primary first: the partial unique index allows one. */
	if ((in->set & II_PRIMARY) && in->is_primary &&
	    store_image_demote(c, a, t->product_id, NULL, e) != E_OK)
		return e->code;
	if (store_image_insert(c, a, t->child_id, t->product_id, in, e) != E_OK ||
	    store_image_ensure_primary(c, a, t->product_id, e) != E_OK ||
	    store_image_get(c, a, t->product_id, t->child_id, t->out, e) != E_OK)
		return e->code;
	return emit_updated(c, a, t->who, t->product_id, e);
}

ecode
image_create(arena *a, const catalog_actor *who, const char *product_id,
    const image_input *in, product_image *out, error *e)
{
	char     id[37];
	part_tx  t = { who, product_id, id, in, out };
	db_conn *c;

	if (check_seller(who, e) != E_OK || image_input_validate(in, true, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = open_for(product_id, NULL, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, image_create_tx, &t, e));
}

static ecode
image_update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	part_tx           *t = ud;
	const image_input *in = t->in;

	if (lock_product(c, a, t->who, t->product_id, NULL, e) != E_OK)
		return e->code;
	if ((in->set & II_PRIMARY) && in->is_primary &&
	    store_image_demote(c, a, t->product_id, t->child_id, e) != E_OK)
		return e->code;
	if (store_image_update(c, a, t->product_id, t->child_id, in, e) != E_OK ||
	    store_image_ensure_primary(c, a, t->product_id, e) != E_OK ||
	    store_image_get(c, a, t->product_id, t->child_id, t->out, e) != E_OK)
		return e->code;
	return emit_updated(c, a, t->who, t->product_id, e);
}

ecode
image_update(arena *a, const catalog_actor *who, const char *product_id,
    const char *image_id, const image_input *in, product_image *out, error *e)
{
	part_tx  t = { who, product_id, image_id, in, out };
	db_conn *c;

	if (check_seller(who, e) != E_OK || image_input_validate(in, false, e) != E_OK)
		return e->code;
	if (!(c = open_for(product_id, image_id, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, image_update_tx, &t, e));
}

static ecode
image_delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	part_tx *t = ud;

	/* Deleting the primary promotes the next image by sort order. */
	if (lock_product(c, a, t->who, t->product_id, NULL, e) != E_OK ||
	    store_image_delete(c, a, t->product_id, t->child_id, e) != E_OK ||
	    store_image_ensure_primary(c, a, t->product_id, e) != E_OK)
		return e->code;
	return emit_updated(c, a, t->who, t->product_id, e);
}

ecode
image_delete(arena *a, const catalog_actor *who, const char *product_id,
    const char *image_id, error *e)
{
	part_tx  t = { who, product_id, image_id, NULL, NULL };
	db_conn *c;

	if (check_seller(who, e) != E_OK)
		return e->code;
	if (!(c = open_for(product_id, image_id, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, image_delete_tx, &t, e));
}

/* ------------------------------------------------------------ reviews */

ecode
review_list(arena *a, const catalog_actor *who, const char *product_id_or_slug,
    const page *pg, review_page *out, error *e)
{
	bool         by_id = product_id_or_slug && uuid_valid(product_id_or_slug);
	db_conn     *c;
	product_head h;
	const char  *key = NULL;
	const void  *hit;
	size_t       n;
	uint64_t     gen = catalog_cache_generation();

	memset(out, 0, sizeof *out);
	if (!product_id_or_slug || (!by_id && !slug_valid(product_id_or_slug)))
		return err_set(e, E_NOT_FOUND, "product not found");
	/* the public sees the same published reviews: cacheable per page */
	if (catalog_public_view(who)) {
		key = arena_printf(a, "%s|%lld|%lld", product_id_or_slug,
		    (long long)pg->page, (long long)pg->per_page);
		if (key && cache_get(CK_REVIEWS, key, &hit, &n))
			return copy_into(copy_review_page(a, hit, n), out, sizeof *out, e);
	}
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (visible_head(c, a, who, by_id ? product_id_or_slug : NULL,
	    by_id ? NULL : product_id_or_slug, &h, e) != E_OK)
		return e->code;
	if (store_review_list(c, a, h.id, pg, out, e) != E_OK)
		return e->code;
	if (key)
		cache_put(CK_REVIEWS, key, gen, copy_review_page, out, 1);
	return E_OK;
}

/* A review's writes and their review.created|updated event, one transaction. */
typedef struct review_tx {
	const catalog_actor *who;
	const char          *id, *product_id, *status;
	const review_input  *in;
	review              *out;
} review_tx;

static ecode
review_create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	review_tx *t = ud;

	if (store_review_insert(c, a, t->id, t->product_id, t->who->user_id, t->in, t->out,
	    e) != E_OK)
		return e->code;
	return catalog_emit(c, a, t->who, "review.created", "review", t->id,
	    review_to_json(t->out), e);
}

static ecode
review_status_tx(db_conn *c, arena *a, void *ud, error *e)
{
	review_tx *t = ud;

	if (store_review_set_status(c, a, t->id, t->status, t->out, e) != E_OK)
		return e->code;
	return catalog_emit(c, a, t->who, "review.updated", "review", t->id,
	    review_to_json(t->out), e);
}

ecode
review_create(arena *a, const catalog_actor *who, const char *product_id,
    const review_input *in, review *out, error *e)
{
	char         id[37];
	db_conn     *c;
	product_head h;

	if (!who || !who->user_id || !uuid_valid(who->user_id))
		return err_set(e, E_UNAUTHORIZED, "sign in to write a review");
	if (review_input_validate(in, e) != E_OK)
		return e->code;
	if (!(c = open_for(product_id, NULL, e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (visible_head(c, a, who, product_id, NULL, &h, e) != E_OK)
		return e->code;
	if (h.status != PRODUCT_PUBLISHED)
		return err_set(e, E_CONFLICT, "only published products can be reviewed");
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	/* the unique (user, product) constraint decides races */
	{
		review_tx t = { who, id, product_id, NULL, in, out };

		return catalog_written(db_tx(c, a, review_create_tx, &t, e));
	}
}

/* ------------------------------------------------------------ moderation */

static bool
review_status_valid(const char *s)
{
	return s && (strcmp(s, "published") == 0 || strcmp(s, "pending") == 0 ||
	    strcmp(s, "rejected") == 0);
}

ecode
review_moderation_list(arena *a, const catalog_actor *who, const char *status,
    const page *pg, review_page *out, const char ***product_names, error *e)
{
	db_conn *c;

	if (!catalog_is_admin(who))
		return err_set(e, E_FORBIDDEN, "only admins moderate reviews");
	if (status && !review_status_valid(status))
		return err_set(e, E_INVALID_PARAMETER, "status must be published, pending or rejected");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return store_review_moderation(c, a, status, pg, out, product_names, e);
}

ecode
review_set_status(arena *a, const catalog_actor *who, const char *id, const char *status,
    review *out, error *e)
{
	db_conn *c;

	if (!catalog_is_admin(who))
		return err_set(e, E_FORBIDDEN, "only admins moderate reviews");
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no review with this id");
	if (!review_status_valid(status))
		return err_field(e, "status", "must be published, pending or rejected");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	/* the trigger moves the rating summary with the status */
	{
		review_tx t = { who, id, NULL, status, NULL, out };

		return catalog_written(db_tx(c, a, review_status_tx, &t, e));
	}
}
