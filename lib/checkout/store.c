/*
 * store.c — every SQL statement of the checkout schema and the mapping of
 * a checkout row to the structs of checkout.h.
 *
 * Status changes are single guarded UPDATEs (WHERE status = from), so two
 * requests racing to process one checkout cannot both win.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkout/internal.h"

#define EPOCH(col) "coalesce(floor(extract(epoch FROM " col "))::bigint, 0)"

#define CK_COLS "id, user_id, token_hash, email, status, currency, lines::text, codes::text," \
	" discounts::text, address::text, shipping_method, payment_method, card_brand, card_last4," \
	" subtotal, discount_total, shipping, tax, total, reservation_id, payment_id, order_id," \
	" order_number, failure_code, failure_message, cart_user_id, cart_guest_id, " \
	EPOCH("expires_at") ", " EPOCH("saga_at") ", " EPOCH("created_at") ", " EPOCH("updated_at")

static db_stmt insert_stmt = DB_STMT("checkout_insert",
    "INSERT INTO checkout.checkouts (id, user_id, token_hash, email, currency, lines, codes,"
    " discounts, subtotal, discount_total, shipping, tax, total, cart_user_id, cart_guest_id,"
    " expires_at) VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::jsonb,"
    " $7::jsonb, $8::jsonb, $9::bigint, $10::bigint, $11::bigint, $12::bigint, $13::bigint,"
    " $14::uuid, $15::text, now() + make_interval(secs => $16::bigint))", 16);
static db_stmt get_stmt = DB_STMT("checkout_get",
    "SELECT " CK_COLS " FROM checkout.checkouts WHERE id = $1::uuid", 1);
static db_stmt save_stmt = DB_STMT("checkout_save_quote",
    "UPDATE checkout.checkouts SET lines = $2::jsonb, discounts = $3::jsonb,"
    " address = $4::jsonb, shipping_method = $5::text, subtotal = $6::bigint,"
    " discount_total = $7::bigint, shipping = $8::bigint, tax = $9::bigint,"
    " total = $10::bigint, updated_at = now() WHERE id = $1::uuid"
    " AND status IN ('open', 'processing')"
    " RETURNING 1", 10);
static db_stmt payment_stmt = DB_STMT("checkout_set_payment",
    "UPDATE checkout.checkouts SET payment_method = $2::text, card_brand = $3::text,"
    " card_last4 = $4::text, updated_at = now() WHERE id = $1::uuid AND status = 'open'"
    " RETURNING 1", 4);
static db_stmt transition_stmt = DB_STMT("checkout_transition",
    "UPDATE checkout.checkouts SET status = $3::text,"
    " failure_code = coalesce($4::text, failure_code),"
    " failure_message = coalesce(left($5::text, 500), failure_message),"
    " saga_at = CASE WHEN $3::text = 'processing' THEN now() ELSE saga_at END,"
    " updated_at = now() WHERE id = $1::uuid AND status = $2::text RETURNING 1", 5);
static db_stmt refs_stmt = DB_STMT("checkout_set_refs",
    "UPDATE checkout.checkouts SET reservation_id = coalesce($2::uuid, reservation_id),"
    " payment_id = coalesce($3::uuid, payment_id), order_id = coalesce($4::uuid, order_id),"
    " order_number = coalesce($5::text, order_number), saga_at = now(), updated_at = now()"
    " WHERE id = $1::uuid", 5);
static db_stmt step_stmt = DB_STMT("checkout_step",
    "WITH s AS (INSERT INTO checkout.saga_steps (checkout_id, step, seq, state, detail)"
    " VALUES ($1::uuid, $2::text, $3::smallint, $4::text, left($5::text, 500))"
    " ON CONFLICT (checkout_id, step) DO UPDATE SET state = EXCLUDED.state,"
    " detail = coalesce(EXCLUDED.detail, saga_steps.detail), updated_at = now() RETURNING 1)"
    " UPDATE checkout.checkouts SET saga_at = now() WHERE id = $1::uuid", 5);
static db_stmt steps_stmt = DB_STMT("checkout_steps",
    "SELECT seq, state FROM checkout.saga_steps WHERE checkout_id = $1::uuid", 1);
static db_stmt stuck_stmt = DB_STMT("checkout_stuck",
    "SELECT id FROM checkout.checkouts WHERE status = 'processing'"
    " AND saga_at < now() - make_interval(secs => $1::bigint) ORDER BY saga_at LIMIT 200", 1);
static db_stmt expire_stmt = DB_STMT("checkout_expire",
    "WITH x AS (UPDATE checkout.checkouts SET status = 'expired', updated_at = now()"
    " WHERE status = 'open' AND expires_at < now() RETURNING 1) SELECT count(*) FROM x", 0);

static db_stmt idem_insert_stmt = DB_STMT("checkout_idem_insert",
    "INSERT INTO checkout.idempotency_keys (key, checkout_id, request_hash)"
    " VALUES ($1::text, $2::uuid, $3::text) ON CONFLICT (checkout_id, key) DO NOTHING RETURNING 1", 3);
static db_stmt idem_get_stmt = DB_STMT("checkout_idem_get",
    "SELECT checkout_id, request_hash, state, status, response"
    " FROM checkout.idempotency_keys WHERE key = $1::text AND checkout_id = $2::uuid", 2);
static db_stmt idem_finish_stmt = DB_STMT("checkout_idem_finish",
    "UPDATE checkout.idempotency_keys SET state = 'done', status = $2::integer,"
    " response = $3::text, completed_at = now() WHERE key = $1::text AND checkout_id = $4::uuid", 4);
static db_stmt idem_delete_stmt = DB_STMT("checkout_idem_delete",
    "DELETE FROM checkout.idempotency_keys WHERE key = $1::text AND checkout_id = $2::uuid"
    " AND state = 'running'", 2);
static db_stmt idem_purge_stmt = DB_STMT("checkout_idem_purge",
    "WITH x AS (DELETE FROM checkout.idempotency_keys"
    " WHERE created_at < now() - make_interval(secs => $1::bigint) RETURNING 1)"
    " SELECT count(*) FROM x", 1);
/* a claim whose saga is over (janitor finished it) will never be filled
 * in by the request that died: drop it so a retry runs and answers from
 * the checkout's final state */
static db_stmt idem_stale_stmt = DB_STMT("checkout_idem_stale",
    "DELETE FROM checkout.idempotency_keys k USING checkout.checkouts c"
    " WHERE k.state = 'running' AND c.id = k.checkout_id AND c.status <> 'processing'"
    " AND k.created_at < now() - make_interval(secs => $1::bigint)", 1);

static const char *
i64s(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

static ecode
oom(error *e)
{
	return err_set(e, E_INTERNAL, "out of memory");
}

ecode
ck_store_insert(db_conn *c, arena *a, const ck_row *r, error *e)
{
	const checkout *k = &r->c;
	const char *p[16];

	p[0] = k->id;
	p[1] = k->user_id;
	p[2] = r->token_hash;
	p[3] = k->email;
	p[4] = k->currency;
	p[5] = ck_lines_json(a, k->lines, k->nlines);
	p[6] = ck_codes_json(a, k->codes, k->ncodes);
	p[7] = k->discounts ? json_object_to_json_string_ext(k->discounts, JSON_C_TO_STRING_PLAIN) : "[]";
	p[8] = i64s(a, k->subtotal);
	p[9] = i64s(a, k->discount_total);
	p[10] = i64s(a, k->shipping);
	p[11] = i64s(a, k->tax);
	p[12] = i64s(a, k->total);
	p[13] = k->cart_user_id;
	p[14] = k->cart_guest_id;
	p[15] = i64s(a, CHECKOUT_TTL_S);
	if (!p[5] || !p[6] || !p[7] || !p[8] || !p[9] || !p[10] || !p[11] || !p[12] || !p[15])
		return oom(e);
	return db_exec(c, a, &insert_stmt, p, e) ? E_OK : e->code;
}

static const char *
dup(arena *a, const PGresult *res, int col)
{
	const char *v = db_val(res, 0, col);

	return v ? arena_strdup(a, v) : NULL;
}

ecode
ck_store_get(db_conn *c, arena *a, const char *id, ck_row *out, error *e)
{
	const char *p[1] = { id };
	PGresult *res;
	checkout *k = &out->c;
	const char *t;

	memset(out, 0, sizeof *out);
	if (!(res = db_exec(c, a, &get_stmt, p, e)))
		return e->code;
	if (PQntuples(res) == 0)
		return err_set(e, E_NOT_FOUND, "checkout not found");
	k->id = dup(a, res, 0);
	k->user_id = dup(a, res, 1);
	out->token_hash = dup(a, res, 2);
	k->email = dup(a, res, 3);
	k->status = dup(a, res, 4);
	k->currency = dup(a, res, 5);
	if (ck_lines_parse(a, db_val(res, 0, 6), &k->lines, &k->nlines, e) != E_OK ||
	    ck_codes_parse(a, db_val(res, 0, 7), &k->codes, &k->ncodes, e) != E_OK)
		return e->code;
	if (!(k->discounts = ck_json_parse(a, db_val(res, 0, 8))))
		return err_set(e, E_INTERNAL, "stored discounts unreadable");
	if ((t = db_val(res, 0, 9)) != NULL) {
		if (ck_address_parse(a, t, &k->address, e) != E_OK)
			return e->code;
		k->has_address = true;
	}
	k->shipping_method = dup(a, res, 10);
	k->payment_method = dup(a, res, 11);
	k->card_brand = dup(a, res, 12);
	k->card_last4 = dup(a, res, 13);
	k->subtotal = db_i64(res, 0, 14);
	k->discount_total = db_i64(res, 0, 15);
	k->shipping = db_i64(res, 0, 16);
	k->tax = db_i64(res, 0, 17);
	k->total = db_i64(res, 0, 18);
	out->reservation_id = dup(a, res, 19);
	k->payment_id = dup(a, res, 20);
	k->order_id = dup(a, res, 21);
	k->order_number = dup(a, res, 22);
	k->failure_code = dup(a, res, 23);
	k->failure_message = dup(a, res, 24);
	k->cart_user_id = dup(a, res, 25);
	k->cart_guest_id = dup(a, res, 26);
	k->expires_at = db_i64(res, 0, 27);
	out->saga_at = db_i64(res, 0, 28);
	k->created_at = db_i64(res, 0, 29);
	k->updated_at = db_i64(res, 0, 30);
	return E_OK;
}

ecode
ck_store_save_quote(db_conn *c, arena *a, const ck_row *r, error *e)
{
	const checkout *k = &r->c;
	const char *p[10];
	PGresult *res;

	p[0] = k->id;
	p[1] = ck_lines_json(a, k->lines, k->nlines);
	p[2] = k->discounts ? json_object_to_json_string_ext(k->discounts, JSON_C_TO_STRING_PLAIN) : "[]";
	p[3] = k->has_address ? ck_address_json(a, &k->address) : NULL;
	p[4] = k->shipping_method;
	p[5] = i64s(a, k->subtotal);
	p[6] = i64s(a, k->discount_total);
	p[7] = i64s(a, k->shipping);
	p[8] = i64s(a, k->tax);
	p[9] = i64s(a, k->total);
	if (!p[1] || !p[2] || (k->has_address && !p[3]) || !p[5] || !p[6] || !p[7] || !p[8] || !p[9])
		return oom(e);
	if (!(res = db_exec(c, a, &save_stmt, p, e)))
		return e->code;
	if (PQntuples(res) == 0)
		return err_set(e, E_CONFLICT, "this checkout can no longer be changed");
	return E_OK;
}

ecode
ck_store_set_payment(db_conn *c, arena *a, const char *id, const char *method,
    const char *brand, const char *last4, error *e)
{
	const char *p[4] = { id, method, brand, last4 };
	PGresult *res;

	if (!(res = db_exec(c, a, &payment_stmt, p, e)))
		return e->code;
	if (PQntuples(res) == 0)
		return err_set(e, E_CONFLICT, "this checkout can no longer be changed");
	return E_OK;
}

ecode
ck_store_transition(db_conn *c, arena *a, const char *id, const char *from, const char *to,
    const char *fcode, const char *fmsg, bool *changed, error *e)
{
	const char *p[5] = { id, from, to, fcode, fmsg };
	PGresult *res;

	if (!(res = db_exec(c, a, &transition_stmt, p, e)))
		return e->code;
	*changed = PQntuples(res) > 0;
	return E_OK;
}

ecode
ck_store_set_refs(db_conn *c, arena *a, const char *id, const char *reservation_id,
    const char *payment_id, const char *order_id, const char *order_number, error *e)
{
	const char *p[5] = { id, reservation_id, payment_id, order_id, order_number };

	return db_exec(c, a, &refs_stmt, p, e) ? E_OK : e->code;
}

ecode
ck_store_step(db_conn *c, arena *a, const char *id, const char *step, int seq,
    const char *state, const char *detail, error *e)
{
	const char *p[5] = { id, step, i64s(a, seq), state, detail };

	if (!p[2])
		return oom(e);
	return db_exec(c, a, &step_stmt, p, e) ? E_OK : e->code;
}

ecode
ck_store_steps(db_conn *c, arena *a, const char *id, const char *states[7], error *e)
{
	const char *p[1] = { id };
	PGresult *res;

	for (int i = 0; i < 7; i++)
		states[i] = "";
	if (!(res = db_exec(c, a, &steps_stmt, p, e)))
		return e->code;
	for (int i = 0; i < PQntuples(res); i++) {
		int64_t seq = db_i64(res, i, 0);

		if (seq >= 1 && seq <= 6 && !(states[seq] = arena_strdup(a, db_val(res, i, 1))))
			return oom(e);
	}
	return E_OK;
}

ecode
ck_store_stuck(db_conn *c, arena *a, int64_t stuck_s, const char ***ids, size_t *n, error *e)
{
	const char *p[1] = { i64s(a, stuck_s) };
	PGresult *res;
	int rows;

	if (!p[0])
		return oom(e);
	if (!(res = db_exec(c, a, &stuck_stmt, p, e)))
		return e->code;
	rows = PQntuples(res);
	if (!(*ids = arena_calloc(a, (size_t)rows + 1, sizeof **ids)))
		return oom(e);
	for (int i = 0; i < rows; i++)
		if (!((*ids)[i] = arena_strdup(a, db_val(res, i, 0))))
			return oom(e);
	*n = (size_t)rows;
	return E_OK;
}

ecode
ck_store_expire_open(db_conn *c, arena *a, int64_t *n, error *e)
{
	PGresult *res = db_exec(c, a, &expire_stmt, NULL, e);

	if (!res)
		return e->code;
	*n = db_i64(res, 0, 0);
	return E_OK;
}

ecode
ck_idem_insert(db_conn *c, arena *a, const char *key, const char *checkout_id,
    const char *hash, bool *inserted, error *e)
{
	const char *p[3] = { key, checkout_id, hash };
	PGresult *res = db_exec(c, a, &idem_insert_stmt, p, e);

	if (!res)
		return e->code;
	*inserted = PQntuples(res) > 0;
	return E_OK;
}

ecode
ck_idem_get(db_conn *c, arena *a, const char *key, const char *checkout_id,
    const char **hash, const char **state, int *status, const char **resp, error *e)
{
	const char *p[2] = { key, checkout_id };
	PGresult *res = db_exec(c, a, &idem_get_stmt, p, e);

	if (!res)
		return e->code;
	if (PQntuples(res) == 0)
		return err_set(e, E_NOT_FOUND, "idempotency key not found");
	*hash = dup(a, res, 1);
	*state = dup(a, res, 2);
	*status = db_val(res, 0, 3) ? (int)db_i64(res, 0, 3) : 0;
	*resp = dup(a, res, 4);
	if (!*hash || !*state)
		return oom(e);
	return E_OK;
}

ecode
ck_idem_finish(db_conn *c, arena *a, const char *key, const char *checkout_id, int status,
    const char *body, error *e)
{
	const char *p[4] = { key, i64s(a, status), body, checkout_id };

	if (!p[1])
		return oom(e);
	return db_exec(c, a, &idem_finish_stmt, p, e) ? E_OK : e->code;
}

ecode
ck_idem_delete(db_conn *c, arena *a, const char *key, const char *checkout_id, error *e)
{
	const char *p[2] = { key, checkout_id };

	return db_exec(c, a, &idem_delete_stmt, p, e) ? E_OK : e->code;
}

ecode
ck_idem_purge(db_conn *c, arena *a, int64_t older_s, int64_t *n, error *e)
{
	const char *p[1] = { i64s(a, older_s) };
	PGresult *res;

	if (!p[0])
		return oom(e);
	if (!(res = db_exec(c, a, &idem_purge_stmt, p, e)))
		return e->code;
	*n = db_i64(res, 0, 0);
	return E_OK;
}

ecode
ck_idem_release_stale(db_conn *c, arena *a, int64_t stuck_s, error *e)
{
	const char *p[1] = { i64s(a, stuck_s) };

	if (!p[0])
		return oom(e);
	return db_exec(c, a, &idem_stale_stmt, p, e) ? E_OK : e->code;
}
