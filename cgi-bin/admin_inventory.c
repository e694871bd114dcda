/*
 * admin_inventory.c — /admin/inventory and /admin/warehouses: the stock
 * list, one variant's stock with its movement history and the adjustment
 * form, the low-stock list, and the warehouses (list, create, edit).
 *
 * Names and SKUs belong to the catalog and stock to the inventory, so the
 * stock list walks a page of catalog products (search = the catalog's
 * name search) and asks the inventory for each variant's rows.  The
 * low-stock view is driven by the inventory instead (its own pagination)
 * and names its rows through the catalog.  Every rule (no negative stock,
 * unique warehouse codes) is the inventory domain's; this file turns form
 * fields into its inputs and shows its answers next to the fields.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/parse.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "product/product.h"
#include "admin.h"

/* Products per page of the stock list: each costs a catalog read and a
 * stock read per variant, so the page stays small. */
#define STOCK_PAGE_PRODUCTS 10
#define SEARCH_MAX          100

/* Reasons an admin may give; "reservation" (manual holds) stays API-only
 * because a hold without a checkout has no one to release it. */
static const char *const admin_reasons[] = { "adjustment", "order", "return" };

static void
put_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* ------------------------------------------------------------ stock rows */

static json_object *
stock_cell(const stock_row *r)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "warehouse_code", r->warehouse_code);
	admin_put_str(o, "warehouse_name", r->warehouse_name);
	put_int(o, "on_hand", r->on_hand);
	put_int(o, "reserved", r->reserved);
	put_int(o, "available", r->available);
	put_int(o, "threshold", r->low_stock_threshold);
	admin_put_flag(o, "low", r->is_low);
	admin_put_flag(o, "inactive", !r->warehouse_active);
	return o;
}

/* A variant's line of the stock list: names from the catalog, rows and
 * totals from the inventory (untracked when it has no rows). */
static ecode
variant_line(request *req, const product *p, const product_variant *v, json_object **out,
    error *e)
{
	json_object *o = json_object_new_object(), *cells = json_object_new_array();
	variant_stock st;
	ecode rc;

	admin_put_str(o, "product", p->s.name);
	admin_put_str(o, "variant", v->name);
	admin_put_str(o, "sku", v->sku);
	admin_put_str(o, "url", arena_printf(req->a, "/admin/inventory/%s/%s", p->s.id, v->id));
	admin_put_flag(o, "untracked", false);
	rc = stock_get(req->a, p->s.id, v->id, &st, e);
	if (rc == E_NOT_FOUND) {
		err_clear(e);
		admin_put_flag(o, "untracked", true);
	} else if (rc != E_OK) {
		json_object_put(o);
		json_object_put(cells);
		return rc;
	} else {
		for (size_t i = 0; i < st.nrows; i++)
			json_object_array_add(cells, stock_cell(&st.rows[i]));
		put_int(o, "on_hand", st.on_hand);
		put_int(o, "reserved", st.reserved);
		put_int(o, "available", st.available);
	}
	json_object_object_add(o, "warehouses", cells);
	*out = o;
	return E_OK;
}

static ecode
read_page(request *req, int64_t per_page, page *pg, error *e)
{
	pg->page = 1;
	pg->per_page = per_page;
	return admin_page_param(req, pg, e);
}

/* The low-stock rows, named through the catalog (a product the catalog
 * no longer has keeps its ids as its name). */
ecode
admin_low_stock_rows(request *req, const page *pg, json_object **rows, int64_t *total, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	stock_page sp;
	ecode rc;

	if ((rc = stock_low_list(req->a, pg, &sp, e)) != E_OK)
		return rc;
	*rows = json_object_new_array();
	for (size_t i = 0; i < sp.n; i++) {
		const stock_row *r = &sp.items[i];
		json_object *o = stock_cell(r);
		product p;

		admin_put_str(o, "url", arena_printf(req->a, "/admin/inventory/%s/%s", r->product_id,
		    r->variant_id));
		admin_put_str(o, "product", r->product_id);
		admin_put_str(o, "variant", r->variant_id);
		if (product_get(req->a, &who, r->product_id, &p, e) == E_OK) {
			admin_put_str(o, "product", p.s.name);
			for (size_t k = 0; k < p.nvariants; k++)
				if (strcmp(p.variants[k].id, r->variant_id) == 0) {
					admin_put_str(o, "variant", p.variants[k].name);
					admin_put_str(o, "sku", p.variants[k].sku);
				}
		} else if (e->code != E_NOT_FOUND) {
			json_object_put(*rows);
			return e->code;
		}
		err_clear(e);
		json_object_array_add(*rows, o);
	}
	*total = sp.total;
	return E_OK;
}

static ecode
render_low(request *req, response *res, const user *me, error *e)
{
	json_object *ctx, *rows;
	int64_t total;
	page pg;
	ecode rc;

	if ((rc = read_page(req, ADMIN_PAGE_SIZE, &pg, e)) != E_OK ||
	    (rc = admin_low_stock_rows(req, &pg, &rows, &total, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "rows", rows);
	put_int(ctx, "total", total);
	json_object_object_add(ctx, "pagination",
	    view_pagination(req->a, "/admin/inventory/low-stock", &pg, total));
	return admin_render(req, res, 200, "admin/low_stock", ctx, me, "Low stock", e);
}

ecode
h_low_stock(request *req, response *res, error *e)
{
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	return render_low(req, res, &me, e);
}

ecode
h_inventory(request *req, response *res, error *e)
{
	const char *q = req_query(req, "q"), *low = req_query(req, "low");
	catalog_actor who = catalog_actor_of(req);
	json_object *ctx, *rows;
	product_filter f;
	product_page pp;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (q != NULL && q[0] == '\0')
		q = NULL;
	if (q != NULL && strlen(q) > SEARCH_MAX)
		return err_set(e, E_INVALID_PARAMETER, "the search is longer than %d bytes", SEARCH_MAX);
	if (low != NULL && low[0] != '\0') {
		if (strcmp(low, "1") != 0)
			return err_set(e, E_INVALID_PARAMETER, "low must be 1");
		/* low rows are paged by the inventory and searched by the catalog:
		 * the two cannot be combined on one page without a shared index */
		if (q != NULL)
			return err_set(e, E_INVALID_PARAMETER, "the low-stock filter lists every low row;"
			    " clear the search to use it");
		return render_low(req, res, &me, e);
	}
	product_filter_init(&f);
	if ((rc = read_page(req, STOCK_PAGE_PRODUCTS, &f.pg, e)) != E_OK)
		return rc;
	f.search = q;
	f.sort = SORT_NAME_ASC;
	if ((rc = product_list(req->a, &who, &f, &pp, e)) != E_OK)
		return rc;
	rows = json_object_new_array();
	for (size_t i = 0; i < pp.n; i++) {
		product p;

		if ((rc = product_get(req->a, &who, pp.items[i].id, &p, e)) != E_OK) {
			if (rc == E_NOT_FOUND) {	/* archived between the two reads */
				err_clear(e);
				continue;
			}
			json_object_put(rows);
			return rc;
		}
		for (size_t k = 0; k < p.nvariants; k++) {
			json_object *line;

			if ((rc = variant_line(req, &p, &p.variants[k], &line, e)) != E_OK) {
				json_object_put(rows);
				return rc;
			}
			json_object_array_add(rows, line);
		}
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "rows", rows);
	put_int(ctx, "total", pp.total);
	admin_put_str(ctx, "q", q);
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    q != NULL ? arena_printf(req->a, "/admin/inventory?q=%s", url_encode(req->a, q)) :
	    "/admin/inventory", &f.pg, pp.total));
	return admin_render(req, res, 200, "admin/inventory", ctx, &me, "Inventory", e);
}

/* ------------------------------------------------------------ one variant */

typedef struct adjust_form {
	const char *warehouse_id, *delta, *reason, *note;
} adjust_form;

typedef struct item_target {
	const char *product_id, *variant_id;
	product     p;
	const product_variant *v;
} item_target;

static ecode
load_item(request *req, item_target *t, error *e)
{
	catalog_actor who = catalog_actor_of(req);

	t->product_id = req_param(req, "productId");
	t->variant_id = req_param(req, "variantId");
	t->v = NULL;
	if (t->product_id == NULL || t->variant_id == NULL || !uuid_valid(t->product_id) ||
	    !uuid_valid(t->variant_id))
		return err_set(e, E_NOT_FOUND, "there is no such product variant");
	if (product_get(req->a, &who, t->product_id, &t->p, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < t->p.nvariants; i++)
		if (strcmp(t->p.variants[i].id, t->variant_id) == 0)
			t->v = &t->p.variants[i];
	if (t->v == NULL)
		return err_set(e, E_NOT_FOUND, "there is no such product variant");
	return E_OK;
}

static json_object *
movement_row(arena *a, const movement *m, const warehouse *whs, size_t nwh)
{
	json_object *o = json_object_new_object();

	admin_put_str(o, "when", admin_time(a, m->created_at));
	admin_put_str(o, "warehouse", m->warehouse_id);
	for (size_t i = 0; i < nwh; i++)
		if (strcmp(whs[i].id, m->warehouse_id) == 0)
			admin_put_str(o, "warehouse", whs[i].code);
	admin_put_str(o, "delta_on_hand", arena_printf(a, "%+lld", (long long)m->delta_on_hand));
	admin_put_str(o, "delta_reserved", arena_printf(a, "%+lld", (long long)m->delta_reserved));
	put_int(o, "on_hand_after", m->on_hand_after);
	put_int(o, "reserved_after", m->reserved_after);
	admin_put_str(o, "reason", m->reason);
	admin_put_str(o, "note", m->reference);
	admin_put_str(o, "actor", m->actor);
	return o;
}

static json_object *
reason_options(arena *a, const char *selected)
{
	json_object *arr = json_object_new_array();

	(void)a;
	for (size_t i = 0; i < sizeof admin_reasons / sizeof admin_reasons[0]; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "value", admin_reasons[i]);
		admin_put_flag(o, "selected", selected != NULL && strcmp(selected, admin_reasons[i]) == 0);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* The variant's page; f and form_err (may be NULL) keep what was typed
 * and put messages next to the fields. */
static ecode
item_render(request *req, response *res, int status, const user *me, const item_target *t,
    const adjust_form *f, const error *form_err, error *e)
{
	json_object *ctx = json_object_new_object(), *cells = json_object_new_array();
	json_object *whs_j = json_object_new_array(), *moves = json_object_new_array();
	const char *adjusted = req_query(req, "adjusted");
	warehouse *whs = NULL;
	size_t nwh = 0;
	variant_stock st;
	movement_page mp;
	page pg;
	ecode rc;

	json_object_object_add(ctx, "rows", cells);
	json_object_object_add(ctx, "warehouses", whs_j);
	json_object_object_add(ctx, "movements", moves);
	if ((rc = read_page(req, ADMIN_PAGE_SIZE, &pg, e)) != E_OK ||
	    (rc = warehouse_list(req->a, &whs, &nwh, e)) != E_OK ||
	    (rc = movement_list(req->a, t->variant_id, &pg, &mp, e)) != E_OK)
		goto fail;
	if ((rc = stock_get(req->a, t->product_id, t->variant_id, &st, e)) == E_NOT_FOUND) {
		err_clear(e);
		admin_put_flag(ctx, "untracked", true);
	} else if (rc != E_OK)
		goto fail;
	else {
		for (size_t i = 0; i < st.nrows; i++)
			json_object_array_add(cells, stock_cell(&st.rows[i]));
		put_int(ctx, "on_hand", st.on_hand);
		put_int(ctx, "reserved", st.reserved);
		put_int(ctx, "available", st.available);
	}
	for (size_t i = 0; i < nwh; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "id", whs[i].id);
		admin_put_str(o, "label", arena_printf(req->a, "%s — %s%s", whs[i].code, whs[i].name,
		    whs[i].is_active ? "" : " (inactive)"));
		admin_put_flag(o, "selected", f != NULL && f->warehouse_id != NULL &&
		    strcmp(f->warehouse_id, whs[i].id) == 0);
		json_object_array_add(whs_j, o);
	}
	for (size_t i = 0; i < mp.n; i++)
		json_object_array_add(moves, movement_row(req->a, &mp.items[i], whs, nwh));
	admin_put_str(ctx, "product", t->p.s.name);
	admin_put_str(ctx, "variant", t->v->name);
	admin_put_str(ctx, "sku", t->v->sku);
	admin_put_str(ctx, "url", arena_printf(req->a, "/admin/inventory/%s/%s", t->product_id,
	    t->variant_id));
	put_int(ctx, "movement_total", mp.total);
	json_object_object_add(ctx, "pagination", view_pagination(req->a,
	    arena_printf(req->a, "/admin/inventory/%s/%s", t->product_id, t->variant_id), &pg,
	    mp.total));
	json_object_object_add(ctx, "reasons", reason_options(req->a,
	    f != NULL && f->reason != NULL ? f->reason : "adjustment"));
	admin_put_str(ctx, "delta", f != NULL ? f->delta : "");
	admin_put_str(ctx, "note", f != NULL ? f->note : "");
	if (form_err != NULL) {
		json_object_object_add(ctx, "errors", admin_field_errors(form_err));
		admin_put_str(ctx, "error", form_err->message);
	}
	admin_put_flag(ctx, "adjusted", form_err == NULL && adjusted != NULL && strcmp(adjusted, "1") == 0);
	return admin_render(req, res, status, "admin/inventory_item", ctx, me, "Stock", e);
fail:
	json_object_put(ctx);
	return rc;
}

ecode
h_inventory_item(request *req, response *res, error *e)
{
	item_target t;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_item(req, &t, e)) != E_OK)
		return rc;
	return item_render(req, res, 200, &me, &t, NULL, NULL, e);
}

/* Form fields into the adjustment; every bad field lands in ferr. */
static void
read_adjust(const adjust_form *f, int64_t *delta, stock_reason *reason, error *ferr)
{
	size_t i, nr = sizeof admin_reasons / sizeof admin_reasons[0];

	if (f->warehouse_id == NULL || !uuid_valid(f->warehouse_id))
		err_field(ferr, "warehouse_id", "choose a warehouse");
	if (f->delta == NULL || parse_i64(f->delta, -INV_QUANTITY_MAX, INV_QUANTITY_MAX, delta) != 0 ||
	    *delta == 0)
		err_field(ferr, "delta", "enter a whole number other than 0 (negative removes stock)");
	for (i = 0; f->reason != NULL && i < nr && strcmp(f->reason, admin_reasons[i]) != 0; i++)
		;
	if (f->reason == NULL || i == nr || stock_reason_parse(f->reason, reason) != 0)
		err_field(ferr, "reason", "choose adjustment, order or return");
	if (f->note != NULL && strlen(f->note) > INV_REFERENCE_MAX)
		err_field(ferr, "note", "at most %d bytes", INV_REFERENCE_MAX);
}

/* Whether the variant already has a row in that warehouse. */
static ecode
has_row(request *req, const item_target *t, const char *warehouse_id, bool *found, error *e)
{
	variant_stock st;
	ecode rc;

	*found = false;
	if ((rc = stock_get(req->a, t->product_id, t->variant_id, &st, e)) == E_NOT_FOUND) {
		err_clear(e);
		return E_OK;
	}
	for (size_t i = 0; rc == E_OK && i < st.nrows; i++)
		if (strcmp(st.rows[i].warehouse_id, warehouse_id) == 0)
			*found = true;
	return rc;
}

ecode
h_inventory_adjust(request *req, response *res, error *e)
{
	adjust_form f = { req_form(req, "warehouse_id"), req_form(req, "delta"),
	    req_form(req, "reason"), req_form(req, "note") };
	inv_actor who = inv_actor_of(req);
	stock_reason reason = REASON_ADJUSTMENT;
	int64_t delta = 0;
	item_target t;
	stock_row out;
	error ferr;
	bool done, found, created;
	user me;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_item(req, &t, e)) != E_OK)
		return rc;
	err_clear(&ferr);
	read_adjust(&f, &delta, &reason, &ferr);
	if (ferr.nfields > 0)
		return item_render(req, res, 400, &me, &t, &f, &ferr, e);
	if ((rc = has_row(req, &t, f.warehouse_id, &found, e)) != E_OK)
		return rc;
	/* receiving stock into a warehouse that never held this variant starts
	 * its row at 0; taking stock out of one is the domain's "no stock" */
	if (!found && delta > 0 && (rc = stock_set(req->a, &who, t.product_id, t.variant_id,
	    f.warehouse_id, 0, -1, &out, &created, e)) != E_OK)
		goto refused;
	rc = stock_adjust(req->a, &who, t.product_id, t.variant_id, f.warehouse_id, delta, reason,
	    f.note != NULL && f.note[0] != '\0' ? f.note : NULL, &out, e);
	if (rc == E_OK)
		return admin_see_other(res, arena_printf(req->a, "/admin/inventory/%s/%s?adjusted=1",
		    t.product_id, t.variant_id), e);
refused:
	if (rc != E_VALIDATION && rc != E_CONFLICT && rc != E_NOT_FOUND)
		return rc;
	admin_take_fields(&ferr, e);
	if (e->nfields == 0)	/* the domain's sentence, by the field it is about */
		err_field(&ferr, rc == E_NOT_FOUND ? "warehouse_id" : "delta", "%s", e->message);
	snprintf(ferr.message, sizeof ferr.message, "%s", e->message);
	err_clear(e);
	return item_render(req, res, rc == E_CONFLICT ? 409 : 400, &me, &t, &f, &ferr, e);
}

/* ------------------------------------------------------------ warehouses */

typedef struct wh_form {
	const char *id;		/* NULL for the create form */
	const char *code, *name, *address, *priority, *active;
} wh_form;

static json_object *
warehouse_row(arena *a, const warehouse *w, const wh_form *f, const error *ferr)
{
	json_object *o = json_object_new_object();
	bool mine = f != NULL && f->id != NULL && strcmp(f->id, w->id) == 0;

	admin_put_str(o, "id", w->id);
	admin_put_str(o, "code", w->code);
	admin_put_str(o, "address", w->address);
	admin_put_str(o, "url", arena_printf(a, "/admin/warehouses/%s", w->id));
	admin_put_str(o, "updated", admin_time(a, w->updated_at));
	/* the row being edited shows what was typed, the others what is stored */
	admin_put_str(o, "name", mine && f->name != NULL ? f->name : w->name);
	admin_put_str(o, "priority", mine && f->priority != NULL ? f->priority :
	    arena_printf(a, "%d", (int)w->priority));
	admin_put_flag(o, "active", mine ? f->active != NULL : w->is_active);
	admin_put_flag(o, "stored_active", w->is_active);
	/* an empty object on the other rows, for the same reason as put_flag */
	json_object_object_add(o, "errors", mine && ferr != NULL ? admin_field_errors(ferr) :
	    json_object_new_object());
	return o;
}

static ecode
warehouses_render(request *req, response *res, int status, const user *me, const wh_form *f,
    const error *ferr, error *e)
{
	json_object *ctx, *rows, *create = json_object_new_object();
	const char *saved = req_query(req, "saved");
	warehouse *whs;
	size_t n;
	ecode rc;

	if ((rc = warehouse_list(req->a, &whs, &n, e)) != E_OK) {
		json_object_put(create);
		return rc;
	}
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(rows, warehouse_row(req->a, &whs[i], f, ferr));
	json_object_object_add(ctx, "warehouses", rows);
	put_int(ctx, "total", (int64_t)n);
	/* the create form keeps its values only after a refused create */
	if (f != NULL && f->id == NULL) {
		admin_put_str(create, "code", f->code);
		admin_put_str(create, "name", f->name);
		admin_put_str(create, "address", f->address);
		admin_put_str(create, "priority", f->priority);
		admin_put_flag(create, "active", f->active != NULL);
		if (ferr != NULL)
			json_object_object_add(create, "errors", admin_field_errors(ferr));
	} else {
		admin_put_str(create, "priority", "100");
		admin_put_flag(create, "active", true);
	}
	json_object_object_add(ctx, "create", create);
	if (ferr != NULL)
		admin_put_str(ctx, "error", ferr->message);
	admin_put_flag(ctx, "saved", ferr == NULL && saved != NULL && strcmp(saved, "1") == 0);
	return admin_render(req, res, status, "admin/warehouses", ctx, me, "Warehouses", e);
}

ecode
h_warehouses(request *req, response *res, error *e)
{
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	return warehouses_render(req, res, 200, &me, NULL, NULL, e);
}

/* The form as the JSON body the domain validates (one set of rules for
 * the API and the panel); a priority that is not a number is ours. */
static json_object *
wh_json(const wh_form *f, bool create, error *ferr)
{
	json_object *o = json_object_new_object();
	int64_t prio;

	if (create) {
		admin_put_str(o, "code", f->code);
		admin_put_str(o, "address", f->address);
	}
	admin_put_str(o, "name", f->name);
	if (f->priority == NULL || parse_i64(f->priority, 0, 1000000, &prio) != 0)
		err_field(ferr, "priority", "enter a whole number from 0 (ships first) to 1000000");
	else
		put_int(o, "priority", prio);
	json_object_object_add(o, "is_active", json_object_new_boolean(f->active != NULL));
	return o;
}

static ecode
warehouse_write(request *req, response *res, const wh_form *f, error *e)
{
	inv_actor who = inv_actor_of(req);
	warehouse_input in;
	json_object *body;
	warehouse out;
	error ferr, verr;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (f->id != NULL && (rc = warehouse_get(req->a, f->id, &out, e)) != E_OK)
		return rc;
	err_clear(&ferr);
	err_clear(&verr);
	body = wh_json(f, f->id == NULL, &ferr);
	rc = warehouse_input_from_json(body, f->id == NULL, &in, &verr);
	if (rc == E_OK && ferr.nfields == 0)
		rc = f->id == NULL ? warehouse_create(req->a, &who, &in, &out, &verr) :
		    warehouse_update(req->a, &who, f->id, &in, &out, &verr);
	json_object_put(body);
	if (rc == E_OK && ferr.nfields == 0)
		return admin_see_other(res, "/admin/warehouses?saved=1", e);
	if (rc != E_OK && rc != E_VALIDATION && rc != E_ALREADY_EXISTS && rc != E_CONFLICT &&
	    rc != E_INVALID_INPUT) {
		*e = verr;
		return rc;
	}
	admin_take_fields(&ferr, &verr);
	if (ferr.nfields == 0)
		err_field(&ferr, "name", "%s", verr.message);
	snprintf(ferr.message, sizeof ferr.message, "%s",
	    rc == E_ALREADY_EXISTS ? verr.message : "Check the fields marked below.");
	return warehouses_render(req, res, rc == E_ALREADY_EXISTS ? 409 : 400, &me, f, &ferr, e);
}

ecode
h_warehouse_create(request *req, response *res, error *e)
{
	wh_form f = { NULL, req_form(req, "code"), req_form(req, "name"),
	    req_form(req, "address"), req_form(req, "priority"), req_form(req, "active") };

	return warehouse_write(req, res, &f, e);
}

ecode
h_warehouse_update(request *req, response *res, error *e)
{
	const char *id = req_param(req, "id");
	wh_form f = { id, NULL, req_form(req, "name"), NULL, req_form(req, "priority"),
	    req_form(req, "active") };

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no warehouse with this id");
	return warehouse_write(req, res, &f, e);
}
