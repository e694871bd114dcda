/*
 * store.c — every SQL statement of the payments schema and the mapping of
 * its rows to struct payment.
 *
 * Two statements carry the money invariants: status changes name the
 * statuses they may leave (and, for provider news, the version they must
 * beat), so a late or repeated message never moves a payment backwards;
 * and the refund reservation raises refunded_amount under the row lock in
 * the same statement that inserts the refund, guarded by
 * refunded_amount + amount <= amount, so concurrent refunds cannot exceed
 * the capture (the table CHECK and trigger stand behind it).
 */
#include <stdio.h>
#include <string.h>

#include "payment/internal.h"

#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"
#define PAY_COLS "id, checkout_id, order_id, user_id, amount, refunded_amount, currency," \
	" method, status, provider, provider_ref, card_brand, card_last4, failure_code," \
	" failure_message, " EPOCH("created_at") ", " EPOCH("updated_at") "," \
	" idempotency_key, attempt, provider_version"

static db_stmt insert_stmt = DB_STMT("payments_insert",
    "INSERT INTO payments.payments (id, checkout_id, user_id, amount, currency, method,"
    " provider, card_brand, card_last4, idempotency_key)"
    " VALUES ($1::uuid, $2::text, $3::uuid, $4::bigint, $5::text, $6::text, $7::text,"
    " $8::text, $9::text, $2::text || ':1') ON CONFLICT (checkout_id) DO NOTHING RETURNING id", 9);
static db_stmt get_stmt = DB_STMT("payments_get",
    "SELECT " PAY_COLS " FROM payments.payments WHERE id = $1::uuid", 1);
static db_stmt lock_stmt = DB_STMT("payments_lock",
    "SELECT " PAY_COLS " FROM payments.payments WHERE id = $1::uuid FOR UPDATE", 1);
static db_stmt by_checkout_stmt = DB_STMT("payments_by_checkout",
    "SELECT " PAY_COLS " FROM payments.payments WHERE checkout_id = $1::text", 1);
static db_stmt lock_checkout_stmt = DB_STMT("payments_lock_checkout",
    "SELECT " PAY_COLS " FROM payments.payments WHERE checkout_id = $1::text FOR UPDATE", 1);
static db_stmt by_ref_stmt = DB_STMT("payments_by_ref",
    "SELECT " PAY_COLS " FROM payments.payments WHERE provider = $1::text"
    " AND (provider_ref = $2::text OR idempotency_key = $3::text)"
    " ORDER BY provider_ref = $2::text DESC LIMIT 1", 3);
static db_stmt retry_stmt = DB_STMT("payments_retry",
    "UPDATE payments.payments SET status = 'pending', attempt = attempt + 1,"
    " idempotency_key = checkout_id || ':' || (attempt + 1), provider_ref = NULL,"
    " provider_version = 0, failure_code = NULL, failure_message = NULL,"
    " card_brand = $2::text, card_last4 = $3::text, updated_at = now(), created_at = now()"
    " WHERE id = $1::uuid AND status = 'failed' AND attempt < 100 RETURNING " PAY_COLS, 3);
static db_stmt set_status_stmt = DB_STMT("payments_set_status",
    "UPDATE payments.payments SET status = $3::text,"
    " provider_ref = coalesce($4::text, provider_ref),"
    " provider_version = greatest(provider_version, $5::bigint),"
    " failure_code = coalesce($6::text, failure_code),"
    " failure_message = coalesce($7::text, failure_message), updated_at = now()"
    " WHERE id = $1::uuid AND status = ANY ($2::text[])"
    " AND ($5::bigint = 0 OR $5::bigint > provider_version) RETURNING " PAY_COLS, 7);
static db_stmt attach_stmt = DB_STMT("payments_attach",
    "UPDATE payments.payments SET order_id = $2::uuid, updated_at = now()"
    " WHERE id = $1::uuid AND (order_id IS NULL OR order_id = $2::uuid) RETURNING id", 2);
static db_stmt list_order_stmt = DB_STMT("payments_list_order",
    "SELECT " PAY_COLS " FROM payments.payments WHERE order_id = $1::uuid"
    " ORDER BY created_at, id LIMIT 100", 1);
static db_stmt list_user_stmt = DB_STMT("payments_list_user",
    "SELECT " PAY_COLS ", count(*) OVER () FROM payments.payments WHERE user_id = $1::uuid"
    " ORDER BY created_at DESC, id LIMIT $2::bigint OFFSET $3::bigint", 3);
static db_stmt stale_stmt = DB_STMT("payments_stale",
    "SELECT id FROM payments.payments WHERE status = 'pending' AND method = 'card'"
    " AND created_at < now() - make_interval(secs => $1::bigint / 1000.0)"
    " ORDER BY created_at LIMIT $2::integer", 2);

static db_stmt refund_reserve_stmt = DB_STMT("payments_refund_reserve",
    "WITH p AS (UPDATE payments.payments SET refunded_amount = refunded_amount + $3::bigint,"
    "   updated_at = now()"
    " WHERE id = $2::uuid AND status IN ('captured', 'partially_refunded')"
    "   AND refunded_amount + $3::bigint <= amount RETURNING id)"
    " INSERT INTO payments.refunds (id, payment_id, amount, reason, idempotency_key,"
    " actor_id, actor_role)"
    " SELECT $1::uuid, p.id, $3::bigint, $4::text, $5::text, $6::uuid, $7::text FROM p"
    " RETURNING id", 7);
/* A failed refund asked for again under its key: the same row goes back to
 * pending and the amount is reserved again under the same guard.  The
 * caller holds the refund row's lock (refund_lock_stmt) in its transaction. */
static db_stmt refund_lock_stmt = DB_STMT("payments_refund_lock",
    "SELECT status FROM payments.refunds WHERE id = $1::uuid FOR UPDATE", 1);
static db_stmt refund_again_stmt = DB_STMT("payments_refund_again",
    "WITH p AS (UPDATE payments.payments SET refunded_amount = refunded_amount + $3::bigint,"
    "   updated_at = now()"
    " WHERE id = $2::uuid AND status IN ('captured', 'partially_refunded')"
    "   AND refunded_amount + $3::bigint <= amount RETURNING id)"
    " UPDATE payments.refunds r SET status = 'pending', updated_at = now() FROM p"
    " WHERE r.id = $1::uuid AND r.status = 'failed' RETURNING r.id", 3);
static db_stmt refund_by_key_stmt = DB_STMT("payments_refund_by_key",
    "SELECT id, amount, status FROM payments.refunds"
    " WHERE payment_id = $1::uuid AND idempotency_key = $2::text", 2);
static db_stmt refund_ok_stmt = DB_STMT("payments_refund_ok",
    "UPDATE payments.refunds SET status = 'succeeded', provider_ref = $2::text,"
    " updated_at = now() WHERE id = $1::uuid AND status = 'pending'", 2);
static db_stmt refund_fail_stmt = DB_STMT("payments_refund_fail",
    "WITH r AS (UPDATE payments.refunds SET status = 'failed', updated_at = now()"
    " WHERE id = $1::uuid AND status = 'pending' RETURNING payment_id, amount)"
    " UPDATE payments.payments p SET refunded_amount = p.refunded_amount - r.amount,"
    " updated_at = now() FROM r WHERE p.id = r.payment_id", 1);
static db_stmt refund_status_stmt = DB_STMT("payments_refund_status",
    "UPDATE payments.payments SET status = CASE WHEN refunded_amount = 0 THEN 'captured'"
    " WHEN refunded_amount < amount THEN 'partially_refunded' ELSE 'refunded' END,"
    " updated_at = now() WHERE id = $1::uuid"
    " AND status IN ('captured', 'partially_refunded', 'refunded') RETURNING " PAY_COLS, 1);

static db_stmt refunds_stale_stmt = DB_STMT("payments_refunds_stale",
    "SELECT r.id, r.payment_id, p.provider, p.provider_ref, r.amount, r.actor_id, r.actor_role"
    " FROM payments.refunds r"
    " JOIN payments.payments p ON p.id = r.payment_id WHERE r.status = 'pending'"
    " AND r.created_at < now() - make_interval(secs => $1::bigint / 1000.0)"
    " ORDER BY r.created_at LIMIT $2::integer", 2);

static db_stmt webhook_seen_stmt = DB_STMT("payments_webhook_seen",
    "INSERT INTO payments.webhook_events (provider, event_id, event_type, payment_id)"
    " VALUES ($1::text, $2::text, $3::text, $4::uuid) ON CONFLICT DO NOTHING RETURNING 1", 4);

static db_stmt outbox_stmt = DB_STMT("payments_outbox_insert",
    "INSERT INTO payments.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

db_stmt *
pay_store_outbox_stmt(void)
{
	return &outbox_stmt;
}

/* ------------------------------------------------------------ helpers */

static char *
i64_arg(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static ecode
run(db_conn *c, arena *a, db_stmt *st, const char *const *p, PGresult **r, error *e)
{
	if (!(*r = db_exec(c, a, st, p, e)))
		return e->code != E_OK ? e->code : err_set(e, E_INTERNAL, "payment store failed");
	return E_OK;
}

static void
map_row(const PGresult *r, int i, pay_row *o)
{
	payment *p = &o->p;

	p->id = db_val(r, i, 0);
	p->checkout_id = db_val(r, i, 1);
	p->order_id = db_val(r, i, 2);
	p->user_id = db_val(r, i, 3);
	p->amount = db_i64(r, i, 4);
	p->refunded_amount = db_i64(r, i, 5);
	p->currency = db_val(r, i, 6);
	p->method = db_val(r, i, 7);
	p->status = db_val(r, i, 8);
	p->provider = db_val(r, i, 9);
	p->provider_ref = db_val(r, i, 10);
	p->card_brand = db_val(r, i, 11);
	p->card_last4 = db_val(r, i, 12);
	p->failure_code = db_val(r, i, 13);
	p->failure_message = db_val(r, i, 14);
	p->created_at = db_i64(r, i, 15);
	p->updated_at = db_i64(r, i, 16);
	o->idempotency_key = db_val(r, i, 17);
	o->attempt = db_i64(r, i, 18);
	o->provider_version = db_i64(r, i, 19);
}

static ecode
one(db_conn *c, arena *a, db_stmt *st, const char *const *p, pay_row *out, error *e)
{
	PGresult *r;

	if (run(c, a, st, p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 0)
		return err_set(e, E_NOT_FOUND, "payment not found");
	map_row(r, 0, out);
	return E_OK;
}

static ecode
many(db_conn *c, arena *a, db_stmt *st, const char *const *p, payment **out, size_t *n,
    int64_t *total, error *e)
{
	PGresult *r;
	int rows;
	pay_row row;

	if (run(c, a, st, p, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		map_row(r, i, &row);
		(*out)[i] = row.p;
	}
	*n = (size_t)rows;
	if (total)
		*total = rows ? db_i64(r, 0, 20) : 0;
	return E_OK;
}

/* ------------------------------------------------------------ payments */

ecode
pay_store_insert(db_conn *c, arena *a, const char *id, const char *checkout_id,
    const char *user_id, int64_t amount, const char *currency, const char *method,
    const char *provider, const char *brand, const char *last4, bool *inserted, error *e)
{
	const char *p[] = { id, checkout_id, user_id, i64_arg(a, amount), currency, method,
	    provider, brand, last4 };
	PGresult *r;

	if (!p[3])
		return err_set(e, E_INTERNAL, "out of memory");
	if (run(c, a, &insert_stmt, p, &r, e) != E_OK)
		return e->code;
	*inserted = PQntuples(r) == 1;
	return E_OK;
}

ecode
pay_store_get(db_conn *c, arena *a, const char *id, bool lock, pay_row *out, error *e)
{
	const char *p[] = { id };

	return one(c, a, lock ? &lock_stmt : &get_stmt, p, out, e);
}

ecode
pay_store_by_checkout(db_conn *c, arena *a, const char *checkout_id, bool lock,
    pay_row *out, error *e)
{
	const char *p[] = { checkout_id };

	return one(c, a, lock ? &lock_checkout_stmt : &by_checkout_stmt, p, out, e);
}

ecode
pay_store_by_ref(db_conn *c, arena *a, const char *provider, const char *ref,
    const char *key, pay_row *out, error *e)
{
	const char *p[] = { provider, ref, key };

	return one(c, a, &by_ref_stmt, p, out, e);
}

ecode
pay_store_retry(db_conn *c, arena *a, const char *id, const char *brand, const char *last4,
    pay_row *out, bool *done, error *e)
{
	const char *p[] = { id, brand, last4 };
	ecode rc = one(c, a, &retry_stmt, p, out, e);

	*done = rc == E_OK;
	if (rc == E_NOT_FOUND) {
		err_clear(e);
		return E_OK;
	}
	return rc;
}

ecode
pay_store_set_status(db_conn *c, arena *a, const char *id, const char *from,
    const char *status, const char *ref, int64_t version, const char *failure_code,
    const char *failure_message, bool *changed, pay_row *out, error *e)
{
	const char *p[] = { id, from, status, ref, i64_arg(a, version), failure_code,
	    failure_message };
	ecode rc;

	if (!p[4])
		return err_set(e, E_INTERNAL, "out of memory");
	rc = one(c, a, &set_status_stmt, p, out, e);
	*changed = rc == E_OK;
	if (rc == E_NOT_FOUND) {
		err_clear(e);
		return pay_store_get(c, a, id, false, out, e);
	}
	return rc;
}

ecode
pay_store_attach(db_conn *c, arena *a, const char *id, const char *order_id, error *e)
{
	const char *p[] = { id, order_id };
	PGresult *r;
	pay_row row;

	if (run(c, a, &attach_stmt, p, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) == 1)
		return E_OK;
	if (pay_store_get(c, a, id, false, &row, e) != E_OK)
		return e->code;
	return err_set(e, E_CONFLICT, "the payment already belongs to another order");
}

ecode
pay_store_list_order(db_conn *c, arena *a, const char *order_id, payment **out, size_t *n,
    error *e)
{
	const char *p[] = { order_id };

	return many(c, a, &list_order_stmt, p, out, n, NULL, e);
}

ecode
pay_store_list_user(db_conn *c, arena *a, const char *user_id, int64_t limit, int64_t offset,
    payment **out, size_t *n, int64_t *total, error *e)
{
	const char *p[] = { user_id, i64_arg(a, limit), i64_arg(a, offset) };

	if (!p[1] || !p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	return many(c, a, &list_user_stmt, p, out, n, total, e);
}

ecode
pay_store_stale(db_conn *c, arena *a, int64_t min_age_ms, int limit, const char ***ids,
    size_t *n, error *e)
{
	const char *p[] = { i64_arg(a, min_age_ms), arena_printf(a, "%d", limit) };
	PGresult *r;
	int rows;

	if (!p[0] || !p[1])
		return err_set(e, E_INTERNAL, "out of memory");
	if (run(c, a, &stale_stmt, p, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(*ids = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **ids)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*ids)[i] = db_val(r, i, 0);
	*n = (size_t)rows;
	return E_OK;
}

/* ------------------------------------------------------------ refunds */

ecode
pay_store_refund_reserve(db_conn *c, arena *a, const char *refund_id, const char *payment_id,
    int64_t amount, const char *reason, const char *key, const char *actor_id,
    const char *actor_role, bool *accepted, error *e)
{
	const char *p[] = { refund_id, payment_id, i64_arg(a, amount), reason, key, actor_id,
	    actor_id ? actor_role : NULL };
	PGresult *r;

	if (!p[2])
		return err_set(e, E_INTERNAL, "out of memory");
	if (run(c, a, &refund_reserve_stmt, p, &r, e) != E_OK)
		return e->code;
	*accepted = PQntuples(r) == 1;
	return E_OK;
}

ecode
pay_store_refund_by_key(db_conn *c, arena *a, const char *payment_id, const char *key,
    const char **id, int64_t *amount, const char **status, bool *found, error *e)
{
	const char *p[] = { payment_id, key };
	PGresult *r;

	if (run(c, a, &refund_by_key_stmt, p, &r, e) != E_OK)
		return e->code;
	*found = PQntuples(r) == 1;
	if (*found) {
		*id = db_val(r, 0, 0);
		*amount = db_i64(r, 0, 1);
		*status = db_val(r, 0, 2);
	}
	return E_OK;
}

ecode
pay_store_refund_finish(db_conn *c, arena *a, const char *refund_id, bool ok, const char *ref,
    error *e)
{
	const char *p[] = { refund_id, ref };
	PGresult *r;

	return run(c, a, ok ? &refund_ok_stmt : &refund_fail_stmt, p, &r, e);
}

ecode
pay_store_refund_status(db_conn *c, arena *a, const char *payment_id, pay_row *out, error *e)
{
	const char *p[] = { payment_id };
	ecode rc = one(c, a, &refund_status_stmt, p, out, e);

	if (rc == E_NOT_FOUND) {
		err_clear(e);
		return pay_store_get(c, a, payment_id, false, out, e);
	}
	return rc;
}

ecode
pay_store_refunds_stale(db_conn *c, arena *a, int64_t min_age_ms, int limit, stale_refund **out,
    size_t *n, error *e)
{
	const char *p[] = { i64_arg(a, min_age_ms), arena_printf(a, "%d", limit) };
	PGresult *r;
	int rows;

	if (!p[0] || !p[1])
		return err_set(e, E_INTERNAL, "out of memory");
	if (run(c, a, &refunds_stale_stmt, p, &r, e) != E_OK)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		(*out)[i].id = db_val(r, i, 0);
		(*out)[i].payment_id = db_val(r, i, 1);
		(*out)[i].provider = db_val(r, i, 2);
		(*out)[i].provider_ref = db_val(r, i, 3);
		(*out)[i].amount = db_i64(r, i, 4);
		(*out)[i].actor_id = db_val(r, i, 5);
		(*out)[i].actor_role = db_val(r, i, 6);
	}
	*n = (size_t)rows;
	return E_OK;
}

ecode
pay_store_webhook_seen(db_conn *c, arena *a, const char *provider, const char *event_id,
    const char *type, const char *payment_id, bool *fresh, error *e)
{
	const char *p[] = { provider, event_id, type, payment_id };
	PGresult *r;

	if (run(c, a, &webhook_seen_stmt, p, &r, e) != E_OK)
		return e->code;
	*fresh = PQntuples(r) == 1;
	return E_OK;
}

typedef struct again_tx {
	const char *refund_id, *payment_id, *amount;
	bool        accepted;
} again_tx;

static ecode
again_body(db_conn *c, arena *a, void *ud, error *e)
{
	again_tx *t = ud;
	const char *lp[1] = { t->refund_id };
	const char *p[3] = { t->refund_id, t->payment_id, t->amount };
	PGresult *r;

	t->accepted = false;
	if (run(c, a, &refund_lock_stmt, lp, &r, e) != E_OK)
		return e->code;
	if (PQntuples(r) != 1 || strcmp(db_val(r, 0, 0), "failed") != 0)
		return E_OK;	/* someone else took it up meanwhile */
	if (run(c, a, &refund_again_stmt, p, &r, e) != E_OK)
		return e->code;
	t->accepted = PQntuples(r) == 1;
	return E_OK;
}

ecode
pay_store_refund_again(db_conn *c, arena *a, const char *refund_id, const char *payment_id,
    int64_t amount, bool *accepted, error *e)
{
	again_tx t = { refund_id, payment_id, i64_arg(a, amount), false };

	if (!t.amount)
		return err_set(e, E_INTERNAL, "out of memory");
	if (db_tx(c, a, again_body, &t, e) != E_OK)
		return e->code;
	*accepted = t.accepted;
	return E_OK;
}
