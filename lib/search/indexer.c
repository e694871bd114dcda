/*
 * indexer.c — search_consumer and the reindex (search.h).
 *
 * An event is a reason to look again, not the data to index: events may
 * carry only part of a product (an inventory event knows one variant), so
 * the document is rebuilt whole from the catalog's and the inventory's
 * public functions, inside the transaction that claims the event and
 * under a per-product advisory lock.  Two indexers working on one product
 * therefore run one after the other and the later one reads the later
 * state, whatever order their events came in; a redelivered event is a
 * claim that does nothing.  A product that is not (or no longer)
 * published has no document.
 *
 * Popularity is units sold: order.created adds the order's units per
 * product (its lines read through lib/order, since the event carries only
 * totals), order.canceled and an order.status_changed to "refunded" take
 * back what that order added; both are recorded per order in the search
 * schema, so each order counts once and is taken back at most once.
 */
#include <string.h>
#include <strings.h>

#include "core/json.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "order/order.h"
#include "product/product.h"
#include "search/internal.h"

#define DOC_ATTRS_MAX	500	/* distinct key=value pairs kept per document */
#define EVENT_IDS_MAX	200	/* products one event may touch */

/* Reads everything, including drafts, so a document can be dropped when
 * its product stops being published; it writes nothing and emits nothing.
 * Admin reads also bypass the catalog's per-process cache. */
static const catalog_actor indexer_reader = {
	"00000000-0000-0000-0000-000000000000", ROLE_ADMIN, NULL
};

static const char *const search_topics[] = {
	"ecommerce.product.created", "ecommerce.product.updated", "ecommerce.product.deleted",
	"ecommerce.category.created", "ecommerce.category.updated", "ecommerce.category.deleted",
	"ecommerce.brand.created", "ecommerce.brand.updated", "ecommerce.brand.deleted",
	"ecommerce.inventory.updated", "ecommerce.inventory.reserved",
	"ecommerce.inventory.released",
	"ecommerce.order.created", "ecommerce.order.canceled", "ecommerce.order.status_changed",
	NULL
};

/* ------------------------------------------------------------ one document */

static bool
contains(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* "size=M" pairs of the active variants, keys lower-cased, and the values
 * as text. */
static ecode
doc_attrs(arena *a, const product *p, search_doc *d, error *e)
{
	const char **pairs = arena_calloc(a, DOC_ATTRS_MAX, sizeof *pairs);
	char *text = arena_strdup(a, "");
	size_t n = 0;

	if (!pairs || !text)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < p->nvariants; i++) {
		const product_variant *v = &p->variants[i];

		for (size_t j = 0; v->is_active && j < v->nattributes && n < DOC_ATTRS_MAX; j++) {
			char *key = arena_strdup(a, v->attributes[j].key), *pair;

			if (!key)
				return err_set(e, E_INTERNAL, "out of memory");
			for (char *s = key; *s; s++)
				if (*s >= 'A' && *s <= 'Z')
					*s = (char)(*s - 'A' + 'a');
			if (!(pair = arena_printf(a, "%s=%s", key, v->attributes[j].value)))
				return err_set(e, E_INTERNAL, "out of memory");
			if (contains(pairs, n, pair))
				continue;
			pairs[n++] = pair;
			if (!(text = arena_printf(a, "%s %s", text, v->attributes[j].value)))
				return err_set(e, E_INTERNAL, "out of memory");
		}
	}
	d->attrs = search_pg_array(a, pairs, n);
	d->attr_text = text;
	return d->attrs ? E_OK : err_set(e, E_INTERNAL, "out of memory");
}

/* Prices over the active variants (the base price without any) and
 * whether any of them can be bought now. */
static ecode
doc_prices_stock(arena *a, const product *p, search_doc *d, error *e)
{
	inv_item *items = arena_calloc(a, p->nvariants ? p->nvariants : 1, sizeof *items);
	inv_availability *av = arena_calloc(a, p->nvariants ? p->nvariants : 1, sizeof *av);
	size_t n = 0;

	if (!items || !av)
		return err_set(e, E_INTERNAL, "out of memory");
	d->price_min = d->price_max = p->s.base_price;
	for (size_t i = 0; i < p->nvariants; i++) {
		const product_variant *v = &p->variants[i];

		if (!v->is_active)
			continue;
		if (n == 0 || v->effective_price < d->price_min)
			d->price_min = v->effective_price;
		if (n == 0 || v->effective_price > d->price_max)
			d->price_max = v->effective_price;
		items[n++] = (inv_item){ p->s.id, v->id, 1 };
	}
	d->in_stock = false;
	if (n > 0 && inventory_availability(a, items, n, av, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < n; i++)
		d->in_stock = d->in_stock || av[i].in_stock;
	return E_OK;
}

/* The category path as uuid[] and names, and the categories themselves
 * for the copy. */
static ecode
doc_categories(arena *a, const product *p, search_doc *d, search_cat **cats, error *e)
{
	const char **ids = arena_calloc(a, p->ncategory_path + 1, sizeof *ids);
	char *names = arena_strdup(a, "");

	*cats = arena_calloc(a, p->ncategory_path + 1, sizeof **cats);
	if (!ids || !names || !*cats)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < p->ncategory_path; i++) {
		const catalog_ref *r = &p->category_path[i];

		ids[i] = r->id;
		names = arena_printf(a, i ? "%s %s" : "%s%s", names, r->name);
		(*cats)[i] = (search_cat){ r->id, i ? ids[i - 1] : NULL, r->slug, r->name,
		    search_pg_array(a, ids, i + 1), -1 };
		if (!names || !(*cats)[i].path)
			return err_set(e, E_INTERNAL, "out of memory");
	}
	d->category_id = p->has_category ? p->category.id : NULL;
	d->category_ids = search_pg_array(a, ids, p->ncategory_path);
	d->category_names = names;
	return d->category_ids ? E_OK : err_set(e, E_INTERNAL, "out of memory");
}

/* Write (or drop) the document of product_id from the current state of
 * the catalog and the inventory, inside the caller's transaction. */
static ecode
index_product(db_conn *c, arena *a, const char *product_id, int64_t *written, error *e)
{
	product p;
	search_doc d;
	search_cat *cats;
	error le;

	if (!uuid_valid(product_id))
		return E_OK;
	if (sstore_lock_product(c, a, product_id, e) != E_OK)
		return e->code;
	err_clear(&le);
	if (product_get(a, &indexer_reader, product_id, &p, &le) != E_OK) {
		if (le.code != E_NOT_FOUND) {
			*e = le;
			return e->code;
		}
		return sstore_doc_drop(c, a, product_id, e);
	}
	if (p.s.status != PRODUCT_PUBLISHED)
		return sstore_doc_drop(c, a, product_id, e);
	memset(&d, 0, sizeof d);
	d.product_id = p.s.id;
	d.slug = p.s.slug;
	d.name = p.s.name;
	d.description = p.s.description ? p.s.description : "";
	d.brand_id = p.has_brand ? p.brand.id : NULL;
	d.brand_name = p.has_brand ? p.brand.name : "";
	d.currency = p.s.currency;
	d.created_at = p.s.created_at;
	if (p.s.has_image) {
		d.image_url = p.s.primary_image.url;
		d.image_alt = p.s.primary_image.alt_text;
		d.image_media_id = p.s.primary_image.media_id;
		d.image_width = p.s.primary_image.width;
		d.image_height = p.s.primary_image.height;
	}
	d.rating_x100 = rating_average_x100(&p.s.rating);
	d.rating_count = p.s.rating.count;
	if (doc_attrs(a, &p, &d, e) != E_OK || doc_prices_stock(a, &p, &d, e) != E_OK ||
	    doc_categories(a, &p, &d, &cats, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < p.ncategory_path; i++)
		if (sstore_cat_put(c, a, &cats[i], false, e) != E_OK)
			return e->code;
	if (sstore_doc_put(c, a, &d, e) != E_OK)
		return e->code;
	if (written)
		(*written)++;
	return E_OK;
}

/* ------------------------------------------------------------ events */

typedef struct index_tx {
	const event *ev;
	const char **ids;	/* products to rebuild, or the order's products */
	size_t       nids;
	const char  *order_id;	/* order events */
	int64_t     *units;	/* order.created: units of ids[i] */
} index_tx;

static void
add_id(index_tx *t, const char *id)
{
	if (id && uuid_valid(id) && t->nids < EVENT_IDS_MAX &&
	    !contains(t->ids, t->nids, id))
		t->ids[t->nids++] = id;
}

/* The products an event touches: the product itself, or the product of
 * each stock row or reservation line. */
static void
touched_products(const event *ev, index_tx *t)
{
	json_object *lines;

	if (strcmp(ev->aggregate_type, "product") == 0)
		add_id(t, ev->aggregate_id);
	add_id(t, json_member_str(ev->data, "product_id"));
	if (json_object_object_get_ex(ev->data, "lines", &lines) &&
	    json_object_is_type(lines, json_type_array))
		for (size_t i = 0; i < json_object_array_length(lines); i++)
			add_id(t, json_member_str(json_object_array_get_idx(lines, i), "product_id"));
}

static ecode
products_tx(db_conn *c, arena *a, void *ud, error *e)
{
	index_tx *t = ud;
	bool fresh;

	if (sstore_claim(c, a, t->ev->id, &fresh, e) != E_OK)
		return e->code;
	for (size_t i = 0; fresh && i < t->nids; i++)
		if (index_product(c, a, t->ids[i], NULL, e) != E_OK)
			return e->code;
	return E_OK;
}

/* The order an order event is about. */
static const char *
order_of(const event *ev)
{
	const char *id = json_member_str(ev->data, "order_id");

	return id && uuid_valid(id) ? id : uuid_valid(ev->aggregate_id) ? ev->aggregate_id : NULL;
}

/* order.created: the order's units per product, read before the
 * transaction (the order's lines are not in the event).  An order that
 * does not exist leaves t->nids 0. */
static ecode
order_units(arena *a, index_tx *t, error *e)
{
	order o;
	error le;

	err_clear(&le);
	if (!(t->units = arena_calloc(a, EVENT_IDS_MAX, sizeof *t->units)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (order_get(a, t->order_id, &o, &le) != E_OK) {
		if (le.code == E_NOT_FOUND)
			return E_OK;
		*e = le;
		return e->code;
	}
	for (size_t i = 0; i < o.nitems; i++) {
		const order_item *it = &o.items[i];
		size_t k = 0;

		if (!it->product_id || !uuid_valid(it->product_id) || it->quantity <= 0)
			continue;
		while (k < t->nids && strcmp(t->ids[k], it->product_id) != 0)
			k++;
		if (k == t->nids) {
			if (t->nids == EVENT_IDS_MAX)
				continue;
			t->ids[t->nids++] = it->product_id;
		}
		t->units[k] += it->quantity;	/* two variants of one product: one count */
	}
	return E_OK;
}

/* Units sold count towards popularity, once per order. */
static ecode
sold_tx(db_conn *c, arena *a, void *ud, error *e)
{
	index_tx *t = ud;
	bool fresh;

	if (sstore_claim(c, a, t->ev->id, &fresh, e) != E_OK)
		return e->code;
	if (!fresh || t->nids == 0)
		return E_OK;
	if (sstore_order_counted(c, a, t->order_id, &fresh, e) != E_OK)
		return e->code;
	for (size_t i = 0; fresh && i < t->nids; i++)
		if (sstore_sold(c, a, t->order_id, t->ids[i], t->units[i], e) != E_OK)
			return e->code;
	return E_OK;
}

/* A canceled or fully refunded order takes back what it added, once. */
static ecode
unsold_tx(db_conn *c, arena *a, void *ud, error *e)
{
	index_tx *t = ud;
	bool fresh;

	if (sstore_claim(c, a, t->ev->id, &fresh, e) != E_OK)
		return e->code;
	if (!fresh)
		return E_OK;
	if (sstore_order_reversed(c, a, t->order_id, &fresh, e) != E_OK)
		return e->code;
	return fresh ? sstore_unsold(c, a, t->order_id, e) : E_OK;
}

/* A category's place and name as the catalog has them now; gone when the
 * catalog no longer has it. */
static ecode
category_tx(db_conn *c, arena *a, void *ud, error *e)
{
	index_tx *t = ud;
	const char *id = t->ev->aggregate_id;
	category cat;
	catalog_ref *path;
	size_t npath;
	const char **ids;
	search_cat k;
	bool fresh;
	error le;

	if (sstore_claim(c, a, t->ev->id, &fresh, e) != E_OK)
		return e->code;
	if (!fresh)
		return E_OK;
	err_clear(&le);
	if (event_is(t->ev, "category.deleted") ||
	    category_get(a, &indexer_reader, id, &cat, &path, &npath, &le) != E_OK) {
		if (le.code != E_OK && le.code != E_NOT_FOUND) {
			*e = le;
			return e->code;
		}
		return sstore_cat_drop(c, a, id, e);
	}
	if (!(ids = arena_calloc(a, npath + 1, sizeof *ids)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < npath; i++)
		ids[i] = path[i].id;
	k = (search_cat){ cat.id, cat.parent_id, cat.slug, cat.name, search_pg_array(a, ids, npath),
	    cat.is_active ? 1 : 0 };
	if (!k.path)
		return err_set(e, E_INTERNAL, "out of memory");
	return sstore_cat_put(c, a, &k, true, e);
}

static ecode
brand_tx(db_conn *c, arena *a, void *ud, error *e)
{
	index_tx *t = ud;
	const char *name = json_member_str(t->ev->data, "name");
	bool fresh;

	if (sstore_claim(c, a, t->ev->id, &fresh, e) != E_OK)
		return e->code;
	if (!fresh || !event_is(t->ev, "brand.updated") || !name)
		return E_OK;
	return sstore_brand_rename(c, a, t->ev->aggregate_id, name, e);
}

/* After a commit: responders drop the facet counts they keep (cache.c).
 * A failure here only leaves counts up to FCACHE_TTL_US old. */
static void
advance(db_conn *c, arena *a)
{
	error ignored;

	err_clear(&ignored);
	(void)sstore_advance(c, a, &ignored);
}

static ecode
search_handle(arena *a, const event *ev, error *e)
{
	index_tx t = { ev, NULL, 0, NULL, NULL };
	db_tx_fn fn = products_tx;
	db_conn *c;

	if (!(t.ids = arena_calloc(a, EVENT_IDS_MAX, sizeof *t.ids)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (strcmp(ev->aggregate_type, "category") == 0)
		fn = category_tx;
	else if (strcmp(ev->aggregate_type, "brand") == 0)
		fn = brand_tx;
	else if (strcmp(ev->aggregate_type, "order") == 0) {
		const char *to = json_member_str(ev->data, "to_status");

		if (!(t.order_id = order_of(ev)))
			return E_OK;
		if (event_is(ev, "order.created")) {
			fn = sold_tx;
			if (order_units(a, &t, e) != E_OK)
				return e->code;
		} else if (event_is(ev, "order.canceled") ||
		    (event_is(ev, "order.status_changed") && to && strcmp(to, "refunded") == 0))
			fn = unsold_tx;
		else
			return E_OK;	/* other status changes leave popularity as it is */
	} else
		touched_products(ev, &t);
	if (!(c = search_db(e)))
		return e->code;
	if (db_tx(c, a, fn, &t, e) != E_OK)
		return e->code;
	advance(c, a);
	return E_OK;
}

const consumer search_consumer = { "search-indexer", search_topics, search_handle };

/* ------------------------------------------------------------ reindex */

/* The category copy from the whole tree, inactive ones included. */
static ecode
reindex_categories(db_conn *c, arena *a, error *e)
{
	category_forest f;
	const char *ids[CATEGORY_DEPTH_MAX * 2 + 2];

	if (category_tree(a, &indexer_reader, true, &f, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < f.nall; i++) {
		const category_node *n = &f.all[i];
		size_t depth = (size_t)n->depth, k = depth + 1;
		search_cat sc;

		if (depth + 1 > sizeof ids / sizeof *ids)
			continue;
		for (const category_node *up = n; up && k > 0; up = up->parent)
			ids[--k] = up->cat.id;
		sc = (search_cat){ n->cat.id, n->cat.parent_id, n->cat.slug, n->cat.name,
		    search_pg_array(a, ids, depth + 1), n->cat.is_active ? 1 : 0 };
		if (!sc.path)
			return err_set(e, E_INTERNAL, "out of memory");
		if (sstore_cat_put(c, a, &sc, false, e) != E_OK)
			return e->code;
	}
	return E_OK;
}

typedef struct one_tx {
	const char *product_id;
	int64_t    *written;
} one_tx;

static ecode
one_product_tx(db_conn *c, arena *a, void *ud, error *e)
{
	one_tx *t = ud;

	return index_product(c, a, t->product_id, t->written, e);
}

ecode
search_reindex(arena *a, void (*progress)(void *ud, int64_t done, int64_t total),
    void *ud, int64_t *docs, error *e)
{
	db_conn *c = search_db(e);
	arena *pa = NULL, *ta = NULL;
	const char *since;
	product_filter f;
	product_page pg;
	int64_t done = 0, dropped;
	ecode rc = E_OK;

	*docs = 0;
	if (!c)
		return e->code;
	if (sstore_now(c, a, &since, e) != E_OK || !(since = arena_strdup(a, since)) ||
	    sstore_reindex_reset(c, a, e) != E_OK || reindex_categories(c, a, e) != E_OK)
		return e->code != E_OK ? e->code : err_set(e, E_INTERNAL, "out of memory");
	if (!(pa = arena_new(64 * 1024)) || !(ta = arena_new(64 * 1024))) {
		rc = err_set(e, E_INTERNAL, "out of memory");
		goto out;
	}
	product_filter_init(&f);
	f.has_status = true;
	f.status = PRODUCT_PUBLISHED;
	f.pg.per_page = PAGE_MAX_SIZE;
	for (f.pg.page = 1;; f.pg.page++) {
		f.pg.offset = (f.pg.page - 1) * f.pg.per_page;
		arena_reset(pa);
		if ((rc = product_list(pa, &indexer_reader, &f, &pg, e)) != E_OK)
			goto out;
		for (size_t i = 0; i < pg.n; i++) {
			one_tx t = { pg.items[i].id, docs };

			arena_reset(ta);
			if ((rc = db_tx(c, ta, one_product_tx, &t, e)) != E_OK)
				goto out;
			if (progress)
				progress(ud, ++done, pg.total);
		}
		advance(c, a);
		if (pg.n < (size_t)f.pg.per_page || f.pg.page >= PAGE_MAX_PAGE)
			break;
	}
	rc = sstore_drop_older(c, a, since, &dropped, e);
	advance(c, a);
out:
	if (ta)
		arena_free(ta);
	if (pa)
		arena_free(pa);
	return rc;
}

ecode
search_reindex_request(arena *a, const char *admin_id, const char **run_id, error *e)
{
	char id[37];
	db_conn *c = search_db(e);

	if (!c)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(*run_id = arena_strdup(a, id)))
		return err_set(e, E_INTERNAL, "out of memory");
	return sstore_run_insert(c, a, id, admin_id && uuid_valid(admin_id) ? admin_id : NULL,
	    "pending", e);
}

ecode
search_reindex_pending(arena *a, int64_t *docs, error *e)
{
	db_conn *c = search_db(e);
	const char *id;
	error ignored;
	ecode rc;

	*docs = 0;
	if (!c)
		return e->code;
	if (sstore_run_take(c, a, &id, e) != E_OK)
		return e->code;
	if (!id || !(id = arena_strdup(a, id)))
		return E_OK;
	rc = search_reindex(a, NULL, NULL, docs, e);
	err_clear(&ignored);
	if (sstore_run_finish(c, a, id, *docs, rc == E_OK ? NULL : e->message, &ignored) != E_OK &&
	    rc == E_OK) {
		*e = ignored;
		rc = e->code;
	}
	return rc;
}
