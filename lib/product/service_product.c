/*
 * service_product.c — products: who sees which, the list and the page,
 * and the writes with their events.
 *
 * Reads are single statements on the catalog connection, and the
 * published-only views go through the read cache (cache.c).  Each write runs
 * in one transaction (db_tx) that locks the product row first, checks
 * ownership on the locked row (so a concurrent change of owner cannot slip
 * between check and write), changes it, re-reads it and writes the event
 * into catalog.outbox — the event commits if and only if the change does.
 */
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/util.h"
#include "core/outbox.h"
#include "product/internal.h"

/* A product the actor may see: published, or theirs, or they are admin. */
static bool
can_see(const catalog_actor *who, product_status status, const char *seller_id)
{
	return status == PRODUCT_PUBLISHED || catalog_can_edit(who, seller_id);
}

bool
catalog_public_view(const catalog_actor *who)
{
	/* Sellers may see their own drafts, admins everything: not cacheable. */
	return !who || !who->user_id || who->role < ROLE_SELLER;
}

/* A cache hit's copy into *out (size bytes); E_INTERNAL when copy failed. */
ecode
copy_into(const void *copy, void *out, size_t size, error *e)
{
	if (!copy)
		return err_set(e, E_INTERNAL, "out of memory");
	memcpy(out, copy, size);
	return E_OK;
}

const char *
product_filter_key(arena *a, const product_filter *f)
{
	/* Every field, the free-text search last so keys cannot collide. */
	return arena_printf(a, "c=%s|b=%s|v=%s|min=%lld|max=%lld|o=%d|p=%lld|n=%lld|q=%s",
	    f->category_id ? f->category_id : "", f->brand_id ? f->brand_id : "",
	    f->seller_id ? f->seller_id : "", (long long)f->min_price,
	    (long long)f->max_price, (int)f->sort, (long long)f->pg.page,
	    (long long)f->pg.per_page, f->search ? f->search : "");
}

/* A seller asking for their own products only. */
static bool
own_listing(const catalog_actor *who, const product_filter *f)
{
	return who && who->user_id && who->role == ROLE_SELLER && f->seller_id &&
	    strcmp(f->seller_id, who->user_id) == 0;
}

ecode
product_list(arena *a, const catalog_actor *who, const product_filter *f,
    product_page *out, error *e)
{
	db_conn    *c;
	const char *status = "published", *key = NULL;
	const void *hit;
	size_t      n;
	uint64_t    gen = catalog_cache_generation();

	memset(out, 0, sizeof *out);
	/* Only admins choose the status, and a seller listing their own
	 * products (seller_id = theirs: drafts and archived ones are theirs to
	 * see, as product_get shows them); everyone else sees the shop window,
	 * the same for all of them, so their pages can be cached. */
	if (catalog_is_admin(who) || own_listing(who, f))
		status = f->has_status ? product_status_name(f->status) : NULL;
	else if ((key = product_filter_key(a, f)) && cache_get(CK_PRODUCT_PAGE, key, &hit, &n))
		return copy_into(copy_product_page(a, hit, n), out, sizeof *out, e);
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_product_list(c, a, f, status, out, e) != E_OK)
		return e->code;
	if (key)
		cache_put(CK_PRODUCT_PAGE, key, gen, copy_product_page, out, 1);
	return E_OK;
}

ecode
product_get(arena *a, const catalog_actor *who, const char *id_or_slug,
    product *out, error *e)
{
	db_conn    *c;
	bool        by_id = id_or_slug && uuid_valid(id_or_slug);
	const void *hit;
	size_t      n;
	uint64_t    gen = catalog_cache_generation();

	if (!id_or_slug || (!by_id && !slug_valid(id_or_slug)))
		return err_set(e, E_NOT_FOUND, "product not found");
	if (catalog_public_view(who) && cache_get(CK_PRODUCT, id_or_slug, &hit, &n))
		return copy_into(copy_product(a, hit, n), out, sizeof *out, e);
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_product_get(c, a, by_id ? id_or_slug : NULL,
	    by_id ? NULL : id_or_slug, out, e) != E_OK)
		return e->code;
	if (!can_see(who, out->s.status, out->s.seller_id)) {
		memset(out, 0, sizeof *out);
		return err_set(e, E_NOT_FOUND, "product not found");
	}
	if (catalog_public_view(who))
		cache_put(CK_PRODUCT, id_or_slug, gen, copy_product, out, 1);
	return E_OK;
}

ecode
product_related(arena *a, const product *p, int limit, product_summary **out,
    size_t *n, error *e)
{
	db_conn     *c;
	const char  *key;
	const void  *hit;
	size_t       nhit;
	product_page pg;
	uint64_t     gen = catalog_cache_generation();

	*out = NULL;
	*n = 0;
	if (limit < 1 || limit > RELATED_MAX)
		return err_set(e, E_INVALID_PARAMETER, "limit must be 1..%d", RELATED_MAX);
	if (!p->s.category_id)
		return E_OK;
	/* published products only, the same for everyone: cacheable */
	key = arena_printf(a, "%s|%s|%d", p->s.category_id, p->s.id, limit);
	if (key && cache_get(CK_RELATED, key, &hit, &nhit)) {
		const product_page *cp = copy_product_page(a, hit, nhit);
		if (!cp)
			return err_set(e, E_INTERNAL, "out of memory");
		*out = cp->items;
		*n = cp->n;
		return E_OK;
	}
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_product_related(c, a, p->s.category_id, p->s.id, limit, out, n, e) != E_OK)
		return e->code;
	if (key) {
		memset(&pg, 0, sizeof pg);
		pg.items = *out;
		pg.n = *n;
		cache_put(CK_RELATED, key, gen, copy_product_page, &pg, 1);
	}
	return E_OK;
}

ecode
catalog_line_lookup(arena *a, const char *product_id, const char *variant_id,
    catalog_line *out, error *e)
{
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (!product_id || !variant_id || !uuid_valid(product_id) || !uuid_valid(variant_id))
		return err_set(e, E_NOT_FOUND, "product or variant not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return store_line_lookup(c, a, product_id, variant_id, out, e);
}

/* ------------------------------------------------------------ events */

ecode
catalog_emit_product(db_conn *c, arena *a, const catalog_actor *who,
    const char *what, const product *p, error *e)
{
	event_origin o = { "catalog", who ? who->request_id : NULL,
	    who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC };

	return outbox_emit(c, a, store_outbox_stmt(), &o, arena_printf(a, "product.%s", what),
	    "product", p->s.id, product_to_json(p), e);
}

/* ------------------------------------------------------------ writes */

typedef struct product_tx {
	const catalog_actor *who;
	const product_input *in;
	const char          *id;
	const char          *seller_id;
	product             *out;
} product_tx;

static ecode
insert_with_slug(db_conn *c, arena *a, const char *slug, void *ud, bool *inserted,
    error *e)
{
	product_tx *t = ud;

	return store_product_insert(c, a, t->id, slug, t->in, t->seller_id, inserted, e);
}

static ecode
create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	product_tx *t = ud;

	if (catalog_insert_slugged(c, a, SLUG_PRODUCTS,
	    (t->in->set & PI_SLUG) ? t->in->slug : NULL, t->in->name, "product",
	    insert_with_slug, t, e) != E_OK)
		return e->code;
	if (store_product_get(c, a, t->id, NULL, t->out, e) != E_OK)
		return e->code;
	return catalog_emit_product(c, a, t->who, "created", t->out, e);
}

/* Writers are sellers and admins; only admins name another owner. */
static ecode
check_writer(const catalog_actor *who, const product_input *in, error *e)
{
	if (!who || !who->user_id || who->role < ROLE_SELLER)
		return err_set(e, E_FORBIDDEN, "only sellers and admins can change products");
	if (in && (in->set & PI_SELLER) && !catalog_is_admin(who))
		return err_field(e, "seller_id", "only admins can set the seller");
	return E_OK;
}

ecode
product_create(arena *a, const catalog_actor *who, const product_input *in,
    product *out, error *e)
{
	char       id[37];
	product_tx t = { who, in, id, NULL, out };
	db_conn   *c;

	if (check_writer(who, in, e) != E_OK ||
	    product_input_validate(in, true, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	t.seller_id = catalog_is_admin(who) ?
	    ((in->set & PI_SELLER) ? in->seller_id : NULL) : who->user_id;
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, create_tx, &t, e));
}

/* Lock the product and check the actor may change it. */
static ecode
lock_owned(db_conn *c, arena *a, const catalog_actor *who, const char *id,
    product_head *h, error *e)
{
	if (store_product_head(c, a, id, NULL, true, h, e) != E_OK)
		return e->code;
	/* Another seller's product is "not found", so ids cannot be probed. */
	if (!catalog_can_edit(who, h->seller_id))
		return err_set(e, E_NOT_FOUND, "product not found");
	return E_OK;
}

static ecode
update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	product_tx  *t = ud;
	product_head h;

	if (lock_owned(c, a, t->who, t->id, &h, e) != E_OK)
		return e->code;
	if (t->in->set == 0)	/* nothing to change: answer with the product */
		return store_product_get(c, a, t->id, NULL, t->out, e);
	if (store_product_update(c, a, t->id, t->in, e) != E_OK ||
	    store_product_get(c, a, t->id, NULL, t->out, e) != E_OK)
		return e->code;
	return catalog_emit_product(c, a, t->who, "updated", t->out, e);
}

ecode
product_update(arena *a, const catalog_actor *who, const char *id,
    const product_input *in, product *out, error *e)
{
	product_tx t = { who, in, id, NULL, out };
	db_conn   *c;

	if (check_writer(who, in, e) != E_OK ||
	    product_input_validate(in, false, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "product not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, update_tx, &t, e));
}

static ecode
archive_tx(db_conn *c, arena *a, void *ud, error *e)
{
	product_tx  *t = ud;
	product_head h;

	if (lock_owned(c, a, t->who, t->id, &h, e) != E_OK)
		return e->code;
	if (h.status == PRODUCT_ARCHIVED)	/* repeating a delete changes nothing */
		return E_OK;
	if (store_product_archive(c, a, t->id, e) != E_OK ||
	    store_product_get(c, a, t->id, NULL, t->out, e) != E_OK)
		return e->code;
	return catalog_emit_product(c, a, t->who, "deleted", t->out, e);
}

ecode
product_archive(arena *a, const catalog_actor *who, const char *id, error *e)
{
	product    p = { 0 };
	product_tx t = { who, NULL, id, NULL, &p };
	db_conn   *c;

	if (check_writer(who, NULL, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "product not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, archive_tx, &t, e));
}
