/*
 * events.c — checkout.initiated / checkout.completed / checkout.failed
 * (api-v1.md §Events), each written into checkout.outbox in the same
 * transaction as the change it reports: the insert of the checkout, or
 * the guarded status change that ends its saga.  A status change that
 * does not apply (another request or the janitor got there first) writes
 * no event, so each checkout reports its end once.
 */
#include <string.h>

#include "checkout/internal.h"
#include "core/json.h"
#include "core/outbox.h"

static db_stmt outbox_stmt = DB_STMT("checkout_outbox_insert",
    "INSERT INTO checkout.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

static json_object *
event_data(const checkout *c, const char *status, const char *fcode, const char *fmsg)
{
	json_object *d = json_object_new_object();

	if (!d)
		return NULL;
	json_object_object_add(d, "checkout_id", json_object_new_string(c->id));
	json_object_object_add(d, "user_id", json_str_or_null(c->user_id));
	json_object_object_add(d, "email", json_object_new_string(c->email ? c->email : ""));
	json_object_object_add(d, "status", json_object_new_string(status));
	json_object_object_add(d, "currency", json_object_new_string(c->currency ? c->currency : ""));
	json_object_object_add(d, "subtotal", json_object_new_int64(c->subtotal));
	json_object_object_add(d, "discount_total", json_object_new_int64(c->discount_total));
	json_object_object_add(d, "shipping", json_object_new_int64(c->shipping));
	json_object_object_add(d, "tax", json_object_new_int64(c->tax));
	json_object_object_add(d, "total", json_object_new_int64(c->total));
	json_object_object_add(d, "item_count", json_object_new_int64((int64_t)c->nlines));
	json_object_object_add(d, "order_id", json_str_or_null(c->order_id));
	json_object_object_add(d, "order_number", json_str_or_null(c->order_number));
	json_object_object_add(d, "failure_code", json_str_or_null(fcode));
	json_object_object_add(d, "failure_message", json_str_or_null(fmsg));
	return d;
}

static ecode
emit(db_conn *db, arena *a, const char *type, const checkout *c, const char *status,
    const char *fcode, const char *fmsg, error *e)
{
	/* the customer's own checkout: the actor is the customer, or a guest */
	event_origin o = { CK_DOMAIN, NULL, c->user_id, c->user_id ? ROLE_CUSTOMER : ROLE_PUBLIC };
	json_object *d = event_data(c, status, fcode, fmsg);

	if (!d)
		return err_set(e, E_INTERNAL, "out of memory");
	return outbox_emit(db, a, &outbox_stmt, &o, type, "checkout", c->id, d, e);
}

static ecode
create_tx(db_conn *db, arena *a, void *ud, error *e)
{
	const ck_row *r = ud;

	if (ck_store_insert(db, a, r, e) != E_OK)
		return e->code;
	return emit(db, a, "checkout.initiated", &r->c, "open", NULL, NULL, e);
}

ecode
ck_create_with_event(db_conn *db, arena *a, const ck_row *r, error *e)
{
	return db_tx(db, a, create_tx, (void *)r, e);
}

typedef struct end_tx {
	const checkout *c;
	const char     *from, *to, *fcode, *fmsg;
	bool            changed;
} end_tx;

static ecode
end_body(db_conn *db, arena *a, void *ud, error *e)
{
	end_tx *t = ud;

	if (ck_store_transition(db, a, t->c->id, t->from, t->to, t->fcode, t->fmsg, &t->changed,
	    e) != E_OK)
		return e->code;
	if (!t->changed)
		return E_OK;
	return emit(db, a, strcmp(t->to, "completed") == 0 ? "checkout.completed" :
	    "checkout.failed", t->c, t->to, t->fcode, t->fmsg, e);
}

ecode
ck_end_with_event(db_conn *c, arena *a, const checkout *ck, const char *from, const char *to,
    const char *fcode, const char *fmsg, bool *changed, error *e)
{
	end_tx t = { ck, from, to, fcode, fmsg, false };

	if (db_tx(c, a, end_body, &t, e) != E_OK)
		return e->code;
	*changed = t.changed;
	return E_OK;
}
