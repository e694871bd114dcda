/*
 * service_taxonomy.c — categories (a tree) and brands.
 *
 * The tree is read whole (it is small and bounded) and assembled here:
 * nodes are looked up by id through a sorted index, hidden categories —
 * inactive ones and everything below them — are dropped for the public,
 * and children keep the database's (sort_order, name) order.  Writes are
 * admin-only; the role gate already ran, and the check is repeated here so
 * other callers (admin forms, tools) cannot skip it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/outbox.h"
#include "core/util.h"
#include "product/internal.h"

static ecode
check_admin(const catalog_actor *who, error *e)
{
	if (!catalog_is_admin(who))
		return err_set(e, E_FORBIDDEN, "only admins can change the catalog's taxonomy");
	return E_OK;
}

/* ------------------------------------------------------------ the tree */

typedef struct id_row {
	const char *id;
	size_t      row;
} id_row;

static int
by_id_cmp(const void *x, const void *y)
{
	return strcmp(((const id_row *)x)->id, ((const id_row *)y)->id);
}

/* Row index of id, or -1. */
static long
find_row(const id_row *idx, size_t n, const char *id)
{
	id_row  key = { id, 0 };
	id_row *hit;

	if (!id)
		return -1;
	hit = bsearch(&key, idx, n, sizeof *idx, by_id_cmp);
	return hit ? (long)hit->row : -1;
}

/* Visible: active with every ancestor active (or everything for admins
 * asking for inactive ones).  Walks are bounded; the trigger keeps the
 * tree acyclic and at most CATEGORY_DEPTH_MAX deep. */
static bool
row_visible(const category *rows, const long *parent, size_t i, bool all)
{
	for (int steps = 0; steps <= 2 * CATEGORY_DEPTH_MAX; steps++) {
		if (!all && !rows[i].is_active)
			return false;
		if (parent[i] < 0)
			return true;
		i = (size_t)parent[i];
	}
	return false;
}

static ecode
link_children(arena *a, category_forest *f, error *e)
{
	size_t *count = arena_calloc(a, f->nall ? f->nall : 1, sizeof *count);
	size_t  roots = 0;

	if (!count)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < f->nall; i++) {
		if (f->all[i].parent)
			count[f->all[i].parent - f->all]++;
		else
			roots++;
	}
	f->roots = arena_calloc(a, roots ? roots : 1, sizeof *f->roots);
	if (!f->roots)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < f->nall; i++) {
		f->all[i].children = arena_calloc(a, count[i] ? count[i] : 1,
		    sizeof *f->all[i].children);
		if (!f->all[i].children)
			return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < f->nall; i++) {
		category_node *n = &f->all[i], *p = n->parent;

		if (p)
			p->children[p->nchildren++] = n;
		else
			f->roots[f->nroots++] = n;
		for (category_node *up = p; up; up = up->parent)
			n->depth++;
	}
	return E_OK;
}

static ecode
build_forest(arena *a, const category *rows, size_t n, bool all,
    category_forest *f, error *e)
{
	id_row         *idx = arena_calloc(a, n ? n : 1, sizeof *idx);
	long           *parent = arena_calloc(a, n ? n : 1, sizeof *parent);
	category_node **node_of = arena_calloc(a, n ? n : 1, sizeof *node_of);

	memset(f, 0, sizeof *f);
	f->all = arena_calloc(a, n ? n : 1, sizeof *f->all);
	if (!idx || !parent || !node_of || !f->all)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		idx[i] = (id_row){ rows[i].id, i };
	qsort(idx, n, sizeof *idx, by_id_cmp);
	for (size_t i = 0; i < n; i++)
		parent[i] = find_row(idx, n, rows[i].parent_id);
	/* Rows come in (sort_order, name) order: keep it for every level. */
	for (size_t i = 0; i < n; i++) {
		if (!row_visible(rows, parent, i, all))
			continue;
		node_of[i] = &f->all[f->nall++];
		node_of[i]->cat = rows[i];
	}
	for (size_t i = 0; i < n; i++)
		if (node_of[i] && parent[i] >= 0)
			node_of[i]->parent = node_of[parent[i]];
	return link_children(a, f, e);
}

ecode
category_tree(arena *a, const catalog_actor *who, bool include_inactive,
    category_forest *out, error *e)
{
	db_conn    *c;
	category   *rows;
	size_t      n;
	const void *hit;
	uint64_t    gen = catalog_cache_generation();

	memset(out, 0, sizeof *out);
	/* Every visitor's menu comes from the same rows: keep them a while. */
	if (cache_get(CK_CATEGORIES, "all", &hit, &n)) {
		if (!(rows = (category *)copy_categories(a, hit, n)))
			return err_set(e, E_INTERNAL, "out of memory");
	} else {
		if (!(c = catalog_db(e)))
			return catalog_fail(e, E_UNAVAILABLE);
		if (store_category_all(c, a, &rows, &n, e) != E_OK)
			return e->code;
		cache_put(CK_CATEGORIES, "all", gen, copy_categories, rows, n);
	}
	return build_forest(a, rows, n, include_inactive && catalog_is_admin(who), out, e);
}

const category_node *
category_find(const category_forest *f, const char *id_or_slug)
{
	for (size_t i = 0; id_or_slug && i < f->nall; i++)
		if (strcmp(f->all[i].cat.id, id_or_slug) == 0 ||
		    strcmp(f->all[i].cat.slug, id_or_slug) == 0)
			return &f->all[i];
	return NULL;
}

bool
category_would_cycle(const category_forest *f, const char *child_id,
    const char *parent_id)
{
	const category_node *p;

	if (!parent_id)
		return false;
	if (child_id && strcmp(child_id, parent_id) == 0)
		return true;
	p = category_find(f, parent_id);
	for (int steps = 0; p && steps <= 2 * CATEGORY_DEPTH_MAX; steps++, p = p->parent)
		if (child_id && strcmp(p->cat.id, child_id) == 0)
			return true;
	return false;
}

ecode
category_get(arena *a, const catalog_actor *who, const char *id_or_slug,
    category *out, catalog_ref **path, size_t *npath, error *e)
{
	bool     by_id = id_or_slug && uuid_valid(id_or_slug);
	db_conn *c;

	if (path)
		*path = NULL;
	if (npath)
		*npath = 0;
	if (!id_or_slug || (!by_id && !slug_valid(id_or_slug)))
		return err_set(e, E_NOT_FOUND, "category not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_category_get(c, a, by_id ? id_or_slug : NULL,
	    by_id ? NULL : id_or_slug, out, path, npath, e) != E_OK)
		return e->code;
	if (!out->is_active && !catalog_is_admin(who))
		return err_set(e, E_NOT_FOUND, "category not found");
	return E_OK;
}

/* ------------------------------------------------------------ category writes */

typedef struct tax_tx {
	const char *id;
	const void *in;
	void       *out;
	const catalog_actor *who;	/* for the event */
} tax_tx;

/*
 * Category and brand changes leave as events (category.created, ...,
 * brand.deleted) in the transaction that makes them, like products', so
 * the audit log and any other consumer see them.  data is consumed.
 */
static ecode
emit_taxonomy(db_conn *c, arena *a, const catalog_actor *who, const char *type,
    const char *aggregate_type, const char *id, json_object *data, error *e)
{
	event_origin o = { "catalog", who ? who->request_id : NULL,
	    who ? who->user_id : NULL, who ? who->role : ROLE_PUBLIC };

	return outbox_emit(c, a, store_outbox_stmt(), &o, type, aggregate_type, id, data, e);
}

static json_object *
deleted_json(const char *id)
{
	json_object *o = json_object_new_object();

	if (o)
		json_object_object_add(o, "id", json_object_new_string(id));
	return o;
}

static ecode
category_insert_slug(db_conn *c, arena *a, const char *slug, void *ud,
    bool *inserted, error *e)
{
	tax_tx *t = ud;

	return store_category_insert(c, a, t->id, slug, t->in, inserted, e);
}

static ecode
category_create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tax_tx               *t = ud;
	const category_input *in = t->in;

	if (catalog_insert_slugged(c, a, SLUG_CATEGORIES,
	    (in->set & CI_SLUG) ? in->slug : NULL, in->name, "category",
	    category_insert_slug, t, e) != E_OK ||
	    store_category_get(c, a, t->id, NULL, t->out, NULL, NULL, e) != E_OK)
		return e->code;
	return emit_taxonomy(c, a, t->who, "category.created", "category", t->id,
	    category_to_json(t->out), e);
}

ecode
category_create(arena *a, const catalog_actor *who, const category_input *in,
    category *out, error *e)
{
	char     id[37];
	tax_tx   t = { id, in, out, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK || category_input_validate(in, true, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, category_create_tx, &t, e));
}

static ecode
category_update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tax_tx *t = ud;

	if (store_category_update(c, a, t->id, t->in, e) != E_OK ||
	    store_category_get(c, a, t->id, NULL, t->out, NULL, NULL, e) != E_OK)
		return e->code;
	return emit_taxonomy(c, a, t->who, "category.updated", "category", t->id,
	    category_to_json(t->out), e);
}

ecode
category_update(arena *a, const catalog_actor *who, const char *id,
    const category_input *in, category *out, error *e)
{
	tax_tx   t = { id, in, out, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK || category_input_validate(in, false, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "category not found");
	/* Cheap early answer; the trigger is the authority under concurrency. */
	if ((in->set & CI_PARENT) && in->parent_id && strcasecmp(in->parent_id, id) == 0)
		return err_field(e, "parent_id", "cannot be the category itself");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, category_update_tx, &t, e));
}

static ecode
category_delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tax_tx *t = ud;

	if (store_category_delete(c, a, t->id, e) != E_OK)
		return e->code;
	return emit_taxonomy(c, a, t->who, "category.deleted", "category", t->id,
	    deleted_json(t->id), e);
}

ecode
category_delete(arena *a, const catalog_actor *who, const char *id, error *e)
{
	tax_tx   t = { id, NULL, NULL, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "category not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, category_delete_tx, &t, e));
}

/* ------------------------------------------------------------ brands */

ecode
brand_list(arena *a, const page *pg, brand_page *out, error *e)
{
	db_conn *c = catalog_db(e);

	memset(out, 0, sizeof *out);
	if (!c)
		return catalog_fail(e, E_UNAVAILABLE);
	return store_brand_list(c, a, pg, out, e);
}

ecode
brand_get(arena *a, const char *id_or_slug, brand *out, error *e)
{
	bool     by_id = id_or_slug && uuid_valid(id_or_slug);
	db_conn *c;

	if (!id_or_slug || (!by_id && !slug_valid(id_or_slug)))
		return err_set(e, E_NOT_FOUND, "brand not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return store_brand_get(c, a, by_id ? id_or_slug : NULL,
	    by_id ? NULL : id_or_slug, out, e);
}

static ecode
brand_insert_slug(db_conn *c, arena *a, const char *slug, void *ud,
    bool *inserted, error *e)
{
	tax_tx *t = ud;

	return store_brand_insert(c, a, t->id, slug, t->in, inserted, e);
}

static ecode
brand_create_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tax_tx            *t = ud;
	const brand_input *in = t->in;

	if (catalog_insert_slugged(c, a, SLUG_BRANDS,
	    (in->set & BI_SLUG) ? in->slug : NULL, in->name, "brand",
	    brand_insert_slug, t, e) != E_OK ||
	    store_brand_get(c, a, t->id, NULL, t->out, e) != E_OK)
		return e->code;
	return emit_taxonomy(c, a, t->who, "brand.created", "brand", t->id,
	    brand_to_json(t->out), e);
}

ecode
brand_create(arena *a, const catalog_actor *who, const brand_input *in,
    brand *out, error *e)
{
	char     id[37];
	tax_tx   t = { id, in, out, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK || brand_input_validate(in, true, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, brand_create_tx, &t, e));
}

static ecode
brand_update_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tax_tx *t = ud;

	if (store_brand_update(c, a, t->id, t->in, e) != E_OK ||
	    store_brand_get(c, a, t->id, NULL, t->out, e) != E_OK)
		return e->code;
	return emit_taxonomy(c, a, t->who, "brand.updated", "brand", t->id,
	    brand_to_json(t->out), e);
}

ecode
brand_update(arena *a, const catalog_actor *who, const char *id,
    const brand_input *in, brand *out, error *e)
{
	tax_tx   t = { id, in, out, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK || brand_input_validate(in, false, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "brand not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, brand_update_tx, &t, e));
}

static ecode
brand_delete_tx(db_conn *c, arena *a, void *ud, error *e)
{
	tax_tx *t = ud;

	if (store_brand_delete(c, a, t->id, e) != E_OK)
		return e->code;
	return emit_taxonomy(c, a, t->who, "brand.deleted", "brand", t->id,
	    deleted_json(t->id), e);
}

ecode
brand_delete(arena *a, const catalog_actor *who, const char *id, error *e)
{
	tax_tx   t = { id, NULL, NULL, who };
	db_conn *c;

	if (check_admin(who, e) != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "brand not found");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	return catalog_written(db_tx(c, a, brand_delete_tx, &t, e));
}
