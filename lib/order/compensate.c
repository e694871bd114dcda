/*
 * compensate.c — a cancel's or refund's debts to the other domains,
 * remembered until paid.
 *
 * order_transition commits the status change together with a row in
 * orders.compensations naming what is owed (the stock, the money); it then
 * runs the steps and clears each flag as its step succeeds.  A step that
 * fails (the processor unreachable, the inventory database gone) or a
 * process that dies between the commit and the steps leaves the row, and
 * the janitor's order_compensations_retry runs what is left once the row
 * has not moved for ECOM_SAGA_STUCK_S.  Both steps are safe to repeat:
 * the refund carries one idempotency key per order and refunds only what
 * is left; the stock step releases the reservation (a no-op once
 * released) or adds the units back, and its flag is cleared right after.
 *
 * Fault injection (tests only, ECOM_ENV=test): ECOM_FAULT_STEP=cancel_stock
 * exits right after the status change committed, cancel_refund right
 * after the stock step.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/config.h"
#include "core/log.h"
#include "core/parse.h"
#include "order/internal.h"

static db_stmt owe_stmt = DB_STMT("orders_comp_owe",
    "INSERT INTO orders.compensations (order_id, restock, refund, reason, actor_id, actor_role)"
    " VALUES ($1::uuid, $2::boolean, $3::boolean, left($4::text, 500), $5::uuid, $6::text)"
    " ON CONFLICT (order_id) DO UPDATE SET restock = compensations.restock OR EXCLUDED.restock,"
    " refund = compensations.refund OR EXCLUDED.refund, reason = EXCLUDED.reason,"
    " actor_id = EXCLUDED.actor_id, actor_role = EXCLUDED.actor_role, updated_at = now()", 6);
static db_stmt paid_stmt = DB_STMT("orders_comp_paid",
    "WITH d AS (DELETE FROM orders.compensations WHERE order_id = $1::uuid"
    " AND (restock AND NOT $2::boolean) IS NOT TRUE AND (refund AND NOT $3::boolean) IS NOT TRUE"
    " RETURNING 1)"
    " UPDATE orders.compensations SET restock = restock AND NOT $2::boolean,"
    " refund = refund AND NOT $3::boolean, updated_at = now()"
    " WHERE order_id = $1::uuid AND NOT EXISTS (SELECT 1 FROM d)", 3);
static db_stmt failed_stmt = DB_STMT("orders_comp_failed",
    "UPDATE orders.compensations SET attempts = attempts + 1, last_error = left($2::text, 2000),"
    " updated_at = now() WHERE order_id = $1::uuid", 2);
static db_stmt due_stmt = DB_STMT("orders_comp_due",
    "SELECT order_id, restock, refund, coalesce(reason, 'order canceled'), actor_id, actor_role"
    " FROM orders.compensations WHERE updated_at <= now() - make_interval(secs => $1::bigint)"
    " ORDER BY updated_at LIMIT 50", 1);

void
ord_fault_point(const char *step)
{
	const char *f;

	if (!cfg || strcmp(cfg->env, "test") != 0 || !(f = config_raw("ECOM_FAULT_STEP")))
		return;
	if (strcmp(f, step) == 0)
		_exit(70);
}

ecode
ord_comp_owe(db_conn *c, arena *a, const char *order_id, bool restock, bool refund,
    const char *reason, const order_actor *who, error *e)
{
	const char *p[6] = { order_id, restock ? "true" : "false", refund ? "true" : "false",
	    reason, who ? who->user_id : NULL,
	    who && who->user_id ? role_name(who->role) : "system" };

	if (!restock && !refund)
		return E_OK;
	return db_exec(c, a, &owe_stmt, p, e) ? E_OK : e->code;
}

/* Clear what was paid; the row goes when nothing is left. */
static void
paid(db_conn *c, arena *a, const char *order_id, bool restock, bool refund)
{
	const char *p[3] = { order_id, restock ? "true" : "false", refund ? "true" : "false" };
	error e;

	err_clear(&e);
	if (!db_exec(c, a, &paid_stmt, p, &e))
		log_msg(LOG_WARN, "order %s: compensation not cleared: %s", order_id, e.message);
}

static void
failed(db_conn *c, arena *a, const char *order_id, const char *why)
{
	const char *p[2] = { order_id, why };
	error e;

	err_clear(&e);
	if (!db_exec(c, a, &failed_stmt, p, &e))
		log_msg(LOG_WARN, "order %s: compensation failure not recorded: %s", order_id, e.message);
}

ecode
ord_comp_run(db_conn *c, arena *a, const order_actor *who, const order *o, bool restock,
    bool refund, const char *reason, order_change_result *r, error *e)
{
	error se;

	err_clear(&se);
	if (restock) {
		if (ord_return_stock(a, who, o, &se) != E_OK) {
			failed(c, a, o->id, se.message);
			*e = se;
			return se.code;
		}
		paid(c, a, o->id, true, false);
		if (r)
			r->stock_returned = true;
	}
	ord_fault_point("cancel_refund");
	if (refund) {
		bool refunded = false;

		if (ord_refund_all(a, who, o, reason, &refunded, &se) != E_OK) {
			failed(c, a, o->id, se.message);
			*e = se;
			return se.code;
		}
		paid(c, a, o->id, false, true);
		if (r)
			r->refunded = refunded;
	}
	return E_OK;
}

static int64_t
stuck_after(void)
{
	const char *v = config_raw("ECOM_SAGA_STUCK_S");
	int64_t s;

	if (!v || parse_i64(v, 0, 86400, &s) != 0)
		return 120;	/* the checkout saga's default (CHECKOUT_STUCK_DEFAULT) */
	return s;
}

ecode
order_compensations_retry(arena *a, int64_t *done, error *e)
{
	db_conn *c;
	PGresult *res;
	char age[24];
	const char *p[1] = { age };

	*done = 0;
	snprintf(age, sizeof age, "%lld", (long long)stuck_after());
	if (!(c = ord_db(e)) || !(res = db_exec(c, a, &due_stmt, p, e)))
		return e->code;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = db_val(res, i, 0);
		order_actor who = { db_val(res, i, 4), ROLE_PUBLIC, NULL, "janitor" };
		order o;
		error oe;

		err_clear(&oe);
		if (who.user_id && role_parse(db_val(res, i, 5), &who.role) != 0)
			who.user_id = NULL;
		if (ord_store_get(c, a, id, false, &o, &oe) != E_OK ||
		    ord_store_items(c, a, &o, &oe) != E_OK ||
		    ord_comp_run(c, a, &who, &o, db_bool(res, i, 1), db_bool(res, i, 2),
		    db_val(res, i, 3), NULL, &oe) != E_OK) {
			log_msg(LOG_WARN, "order %s: compensation left for the next run: %s", id,
			    oe.message);
			continue;
		}
		(*done)++;
	}
	return E_OK;
}
