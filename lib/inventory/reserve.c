/*
 * reserve.c — reservations for checkouts: reserve (all-or-nothing, across
 * warehouses by priority), confirm (the order takes the stock), release
 * (failure, cancel) and the janitor's release of expired ones.
 *
 * Each runs in one transaction that first locks the reservation row, then
 * the stock rows of its variants in (variant, warehouse) order — the same
 * order everywhere, so two checkouts never deadlock, and a checkout waiting
 * for a row sees the committed numbers of the one before it.  That is the
 * whole defence against overselling: 200 concurrent checkouts for the last
 * 20 units queue on the row locks and exactly 20 find stock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "inventory/internal.h"

/* ------------------------------------------------------------ reserve */

typedef struct reserve_tx {
	const inv_actor *who;
	const char      *key;
	const inv_item  *items;
	size_t           n;
	int64_t          ttl_s;
	char             id[37];
	const char      *result_id;
} reserve_tx;

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Order in which one variant's rows give stock: warehouse priority, code. */
static int
cmp_priority(const void *x, const void *y)
{
	const locked_row *a = *(const locked_row *const *)x, *b = *(const locked_row *const *)y;

	if (a->r.priority != b->r.priority)
		return a->r.priority < b->r.priority ? -1 : 1;
	return strcmp(a->r.warehouse_code, b->r.warehouse_code);
}

/* The variants of items, sorted, as a uuid[] text. */
static char *
variant_array(arena *a, const char *const *ids, size_t n)
{
	const char **v = arena_calloc(a, n ? n : 1, sizeof *v);

	if (!v)
		return NULL;
	memcpy(v, ids, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_str);
	return inv_uuid_array(a, v, n);
}

/*
 * Plan the allocation on the locked rows: alloc[j] units from rows[j].
 * Items short of stock get a field error each; the plan is only used when
 * no item is short.
 */
static ecode
plan(arena *a, const reserve_tx *t, locked_row *rows, size_t nrows, int64_t *alloc, error *e)
{
	int64_t *left = arena_calloc(a, nrows ? nrows : 1, sizeof *left);
	locked_row **mine = arena_calloc(a, nrows ? nrows : 1, sizeof *mine);
	bool short_any = false;

	if (!left || !mine)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t j = 0; j < nrows; j++)
		left[j] = rows[j].r.warehouse_active ? rows[j].r.available : 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t k = 0;
		int64_t total = 0, need = t->items[i].quantity;

		for (size_t j = 0; j < nrows; j++)
			if (strcmp(rows[j].r.variant_id, t->items[i].variant_id) == 0 &&
			    strcmp(rows[j].r.product_id, t->items[i].product_id) == 0) {
				mine[k++] = &rows[j];
				total += left[j];
			}
		if (total < need) {
			char f[32];
			snprintf(f, sizeof f, "items.%zu", i);
			if (total <= 0)
				err_field(e, f, "out of stock");
			else
				err_field(e, f, "only %lld left", (long long)total);
			short_any = true;
			continue;
		}
		qsort(mine, k, sizeof *mine, cmp_priority);
		for (size_t m = 0; m < k && need > 0; m++) {
			size_t j = (size_t)(mine[m] - rows);
			int64_t take = left[j] < need ? left[j] : need;
			left[j] -= take;
			alloc[j] += take;
			need -= take;
		}
	}
	if (short_any)
		return err_set(e, E_CONFLICT, "not enough stock for %s", t->n == 1 ? "this item" :
		    "some items");
	return E_OK;
}

static json_object *
reserved_json(const reserve_tx *t, const locked_row *rows, size_t nrows, const int64_t *alloc)
{
	json_object *d = json_object_new_object(), *lines = json_object_new_array();

	if (!d || !lines) {
		json_object_put(d);
		json_object_put(lines);
		return NULL;
	}
	json_object_object_add(d, "reservation_id", json_object_new_string(t->id));
	json_object_object_add(d, "key", json_object_new_string(t->key));
	json_object_object_add(d, "ttl_seconds", json_object_new_int64(t->ttl_s));
	for (size_t j = 0; j < nrows; j++) {
		json_object *l;
		if (alloc[j] == 0 || !(l = json_object_new_object()))
			continue;
		json_object_object_add(l, "product_id", json_object_new_string(rows[j].r.product_id));
		json_object_object_add(l, "variant_id", json_object_new_string(rows[j].r.variant_id));
		json_object_object_add(l, "warehouse_id", json_object_new_string(rows[j].r.warehouse_id));
		json_object_object_add(l, "quantity", json_object_new_int64(alloc[j]));
		json_object_array_add(lines, l);
	}
	json_object_object_add(d, "lines", lines);
	return d;
}

static ecode
reserve_body(db_conn *c, arena *a, void *ud, error *e)
{
	reserve_tx *t = ud;
	const char **vids, *status;
	char *varr;
	locked_row *rows;
	size_t nrows;
	int64_t *alloc;
	bool inserted;

	if (uuid_v4(t->id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (inv_store_res_insert(c, a, t->id, t->key, t->ttl_s, &inserted, e) != E_OK)
		return e->code;
	if (!inserted) {
		/* The key's first reservation committed before us (a concurrent
		 * one made us wait on the unique index): it is the answer. */
		if (inv_store_res_by_key(c, a, t->key, &t->result_id, &status, e) != E_OK)
			return e->code;
		if (strcmp(status, "released") == 0)
			return err_set(e, E_GONE, "the reservation for this key was released;"
			    " start a new checkout");
		return E_OK;
	}
	if (!(vids = arena_calloc(a, t->n, sizeof *vids)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < t->n; i++)
		vids[i] = t->items[i].variant_id;
	if (!(varr = variant_array(a, vids, t->n)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (inv_store_stock_lock(c, a, varr, &rows, &nrows, e) != E_OK)
		return e->code;
	if (!(alloc = arena_calloc(a, nrows ? nrows : 1, sizeof *alloc)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (plan(a, t, rows, nrows, alloc, e) != E_OK)
		return e->code;
	for (size_t j = 0; j < nrows; j++) {
		if (alloc[j] == 0)
			continue;
		if (inv_apply(c, a, t->who, &rows[j], 0, alloc[j], -1, "reservation", t->id,
		    false, e) != E_OK ||
		    inv_store_res_line_add(c, a, t->id, &rows[j].r, alloc[j], e) != E_OK)
			return e->code;
	}
	/* t->id lives on the caller's stack; the answer must outlive it */
	if (!(t->result_id = arena_strdup(a, t->id)))
		return err_set(e, E_INTERNAL, "out of memory");
	return inv_emit(c, a, t->who, "reserved", "reservation", t->id,
	    reserved_json(t, rows, nrows, alloc), e);
}

static ecode
items_valid(const inv_item *items, size_t n, error *e)
{
	if (n == 0 || n > INV_ITEMS_MAX)
		return err_field(e, "items", "must have between 1 and %d items", INV_ITEMS_MAX);
	for (size_t i = 0; i < n; i++) {
		char f[40];
		if (!items[i].product_id || !uuid_valid(items[i].product_id)) {
			snprintf(f, sizeof f, "items.%zu.product_id", i);
			err_field(e, f, "must be a UUID");
		}
		if (!items[i].variant_id || !uuid_valid(items[i].variant_id)) {
			snprintf(f, sizeof f, "items.%zu.variant_id", i);
			err_field(e, f, "must be a UUID");
		}
		if (items[i].quantity < 1 || items[i].quantity > INV_QUANTITY_MAX) {
			snprintf(f, sizeof f, "items.%zu.quantity", i);
			err_field(e, f, "must be between 1 and %lld", INV_QUANTITY_MAX);
		}
	}
	return e->code;
}

ecode
inventory_reserve_by(arena *a, const inv_actor *who, const char *key, const inv_item *items,
    size_t n, int64_t ttl_s, const char **reservation_id, error *e)
{
	reserve_tx t = { who, key, items, n, ttl_s == 0 ? INV_TTL_DEFAULT : ttl_s, "", NULL };
	db_conn *c;

	*reservation_id = NULL;
	err_clear(e);
	if (!key || !*key || utf8_len(key, strlen(key)) > INV_KEY_MAX || !utf8_valid(key, strlen(key)))
		err_field(e, "key", "must be between 1 and %d characters", INV_KEY_MAX);
	if (ttl_s < 0 || ttl_s > INV_TTL_MAX)
		err_field(e, "ttl_seconds", "must be between 1 and %d", INV_TTL_MAX);
	if (items_valid(items, n, e) != E_OK)
		return e->code;
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	if (db_tx(c, a, reserve_body, &t, e) != E_OK)
		return e->code;
	*reservation_id = t.result_id;
	return E_OK;
}

ecode
inventory_reserve(arena *a, const char *key, const inv_item *items, size_t n, int64_t ttl_s,
    const char **reservation_id, error *e)
{
	static const inv_actor checkout = { NULL, ROLE_PUBLIC, NULL, "checkout" };

	return inventory_reserve_by(a, &checkout, key, items, n, ttl_s, reservation_id, e);
}

/* ------------------------------------------------------------ confirm and release */

typedef struct finish_tx {
	const inv_actor *who;
	const char      *id;
	const char      *order_id;	/* confirm */
	const char      *reason;	/* release */
	bool             confirm;
	bool             expired_only;	/* the janitor: only if past expiry */
	bool             changed;
} finish_tx;

/* Lock the rows of the reservation's lines and give back or take out
 * each line's units. */
static ecode
settle_lines(db_conn *c, arena *a, finish_tx *t, const reservation *r, error *e)
{
	const char **vids = arena_calloc(a, r->nlines ? r->nlines : 1, sizeof *vids);
	const char *why = t->confirm ? "order" : t->expired_only ? "expired" : "release";
	const char *ref = t->confirm ? t->order_id : r->id;
	locked_row *rows;
	size_t nrows;
	char *varr;

	if (!vids)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->nlines; i++)
		vids[i] = r->lines[i].variant_id;
	if (!(varr = variant_array(a, vids, r->nlines)) ||
	    inv_store_stock_lock(c, a, varr, &rows, &nrows, e) != E_OK)
		return e->code != E_OK ? e->code : err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->nlines; i++) {
		const reservation_line *l = &r->lines[i];
		locked_row *row = NULL;
		for (size_t j = 0; j < nrows && !row; j++)
			if (strcmp(rows[j].r.variant_id, l->variant_id) == 0 &&
			    strcmp(rows[j].r.warehouse_id, l->warehouse_id) == 0)
				row = &rows[j];
		if (!row)
			return err_set(e, E_INTERNAL, "the stock row of a reservation line is missing");
		if (inv_apply(c, a, t->who, row, t->confirm ? -l->quantity : 0, -l->quantity, -1,
		    why, ref, t->confirm, e) != E_OK)
			return e->code;
	}
	return E_OK;
}

static ecode
finish_body(db_conn *c, arena *a, void *ud, error *e)
{
	finish_tx *t = ud;
	reservation r;
	bool expired;
	json_object *d;

	t->changed = false;
	if (inv_store_res_get(c, a, t->id, true, &r, &expired, e) != E_OK)
		return e->code;
	if (strcmp(r.status, "confirmed") == 0) {
		if (t->confirm && r.order_id && strcmp(r.order_id, t->order_id) == 0)
			return E_OK;
		if (t->expired_only)
			return E_OK;
		return err_set(e, E_CONFLICT, t->confirm ?
		    "the reservation was confirmed for another order" :
		    "the reservation was confirmed; return the stock with a 'return' adjustment");
	}
	if (strcmp(r.status, "released") == 0) {
		if (!t->confirm)
			return E_OK;
		return err_set(e, E_GONE, "the reservation was released (%s); reserve again",
		    r.release_reason ? r.release_reason : "released");
	}
	if (t->expired_only && !expired)
		return E_OK;
	if (settle_lines(c, a, t, &r, e) != E_OK ||
	    inv_store_res_finish(c, a, r.id, t->confirm ? "confirmed" : "released",
	    t->confirm ? t->order_id : NULL, t->confirm ? NULL : t->reason, e) != E_OK)
		return e->code;
	t->changed = true;
	r.status = t->confirm ? "confirmed" : "released";
	r.order_id = t->confirm ? t->order_id : NULL;
	r.release_reason = t->confirm ? NULL : t->reason;
	if (t->confirm)
		return E_OK;	/* inventory.updated went out per row */
	if ((d = reservation_to_json(&r)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return inv_emit(c, a, t->who, "released", "reservation", r.id, d, e);
}

static ecode
finish(arena *a, finish_tx *t, error *e)
{
	db_conn *c;

	if (!t->id || !uuid_valid(t->id))
		return err_set(e, E_NOT_FOUND, "reservation not found");
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return db_tx(c, a, finish_body, t, e);
}

ecode
inventory_confirm_by(arena *a, const inv_actor *who, const char *reservation_id,
    const char *order_id, error *e)
{
	finish_tx t = { who, reservation_id, order_id, NULL, true, false, false };

	if (!order_id || !uuid_valid(order_id))
		return err_field(e, "order_id", "must be a UUID");
	return finish(a, &t, e);
}

ecode
inventory_confirm(arena *a, const char *reservation_id, const char *order_id, error *e)
{
	static const inv_actor checkout = { NULL, ROLE_PUBLIC, NULL, "checkout" };

	return inventory_confirm_by(a, &checkout, reservation_id, order_id, e);
}

ecode
inventory_release_by(arena *a, const inv_actor *who, const char *reservation_id,
    const char *reason, error *e)
{
	finish_tx t = { who, reservation_id, NULL, reason && *reason ? reason : "released",
	    false, false, false };

	if (strlen(t.reason) > INV_REFERENCE_MAX || !utf8_valid(t.reason, strlen(t.reason)))
		return err_field(e, "reason", "must be at most %d characters", INV_REFERENCE_MAX);
	return finish(a, &t, e);
}

ecode
inventory_release(arena *a, const char *reservation_id, const char *reason, error *e)
{
	static const inv_actor checkout = { NULL, ROLE_PUBLIC, NULL, "checkout" };

	return inventory_release_by(a, &checkout, reservation_id, reason, e);
}

ecode
inventory_release_expired(arena *a, int64_t *released, error *e)
{
	static const inv_actor janitor = { NULL, ROLE_PUBLIC, NULL, "janitor" };
	const char **ids;
	size_t n;
	db_conn *c;

	*released = 0;
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	if (inv_store_res_expired(c, a, INV_EXPIRED_BATCH, &ids, &n, e) != E_OK)
		return e->code;
	/* One transaction each: a reservation a checkout is confirming right
	 * now waits for its lock and is then skipped as no longer active. */
	for (size_t i = 0; i < n; i++) {
		finish_tx t = { &janitor, ids[i], NULL, "expired", false, true, false };
		if (db_tx(c, a, finish_body, &t, e) != E_OK)
			return e->code;
		if (t.changed)
			(*released)++;
	}
	return E_OK;
}

ecode
reservation_get(arena *a, const char *id, reservation *out, error *e)
{
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "reservation not found");
	if (!(c = inv_db(e)))
		return inv_fail(e, E_UNAVAILABLE);
	return inv_store_res_get(c, a, id, false, out, NULL, e);
}
