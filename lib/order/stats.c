/*
 * stats.c — the figures of the admin dashboard (order.h, order_stats_get).
 *
 * Days are UTC calendar days ending today, each present even with no
 * order, so a chart has no gaps to explain.  "Orders" counts every order
 * placed that day; "revenue" adds the totals of those that were paid and
 * not given back (confirmed, processing, shipped, delivered), so an unpaid
 * bank transfer or a refund never inflates it.  Only the shop's currency
 * is summed: amounts in two currencies cannot be added.
 */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/site.h"
#include "order/internal.h"

static db_stmt per_day = DB_STMT("orders_stats_per_day",
    "SELECT to_char(d, 'YYYY-MM-DD'), count(o.id),"
    " coalesce(sum(o.total) FILTER (WHERE o.status IN"
    "  ('confirmed', 'processing', 'shipped', 'delivered')), 0)"
    " FROM generate_series((now() AT TIME ZONE 'UTC')::date - ($1::int - 1),"
    "  (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d"
    " LEFT JOIN orders.orders o ON o.created_at >= d AT TIME ZONE 'UTC'"
    "  AND o.created_at < (d + interval '1 day') AT TIME ZONE 'UTC' AND o.currency = $2::text"
    " GROUP BY d ORDER BY d", 2);

static db_stmt by_status = DB_STMT("orders_stats_by_status",
    "SELECT status, count(*) FROM orders.orders GROUP BY status", 0);

/* The name of a product's latest order line: the catalog may have renamed
 * or removed it since, and the dashboard must not ask another domain for
 * every row. */
static db_stmt top_products = DB_STMT("orders_stats_top_products",
    "SELECT i.product_id, (array_agg(i.name ORDER BY o.created_at DESC))[1],"
    " sum(i.quantity), sum(i.unit_price * i.quantity - i.discount)"
    " FROM orders.items i JOIN orders.orders o ON o.id = i.order_id"
    " WHERE o.created_at >= now() - make_interval(days => $1::int)"
    "  AND o.status IN ('confirmed', 'processing', 'shipped', 'delivered')"
    "  AND o.currency = $2::text"
    " GROUP BY i.product_id ORDER BY 3 DESC, 4 DESC, 1 LIMIT $3::int", 3);

ecode
order_stats_get(arena *a, int days, int top, order_stats *out, error *e)
{
	char nd[16], nt[16];
	const char *p[3] = { nd, site_currency(), nt };
	db_conn *c;
	PGresult *r;

	memset(out, 0, sizeof *out);
	if (days < 1 || days > ORDER_STATS_DAYS_MAX || top < 1 || top > ORDER_STATS_TOP_MAX)
		return err_set(e, E_INVALID_PARAMETER, "days must be 1 to %d and top 1 to %d",
		    ORDER_STATS_DAYS_MAX, ORDER_STATS_TOP_MAX);
	snprintf(nd, sizeof nd, "%d", days);
	snprintf(nt, sizeof nt, "%d", top);
	out->currency = site_currency();
	if (!(c = ord_db(e)) || !(r = db_exec(c, a, &per_day, p, e)))
		return e->code;
	out->ndays = (size_t)PQntuples(r);
	if (!(out->days = arena_calloc(a, out->ndays + 1, sizeof *out->days)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < out->ndays; i++) {
		out->days[i].day = db_val(r, (int)i, 0);
		out->days[i].orders = db_i64(r, (int)i, 1);
		out->days[i].revenue = db_i64(r, (int)i, 2);
	}
	if (!(r = db_exec(c, a, &by_status, NULL, e)))
		return e->code;
	for (int i = 0; i < PQntuples(r); i++) {
		order_status s;

		if (order_status_parse(db_val(r, i, 0), &s) == 0)
			out->by_status[s] = db_i64(r, i, 1);
	}
	if (!(r = db_exec(c, a, &top_products, p, e)))
		return e->code;
	out->ntop = (size_t)PQntuples(r);
	if (!(out->top = arena_calloc(a, out->ntop + 1, sizeof *out->top)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < out->ntop; i++) {
		out->top[i].product_id = db_val(r, (int)i, 0);
		out->top[i].name = db_val(r, (int)i, 1);
		out->top[i].quantity = db_i64(r, (int)i, 2);
		out->top[i].revenue = db_i64(r, (int)i, 3);
	}
	return E_OK;
}
