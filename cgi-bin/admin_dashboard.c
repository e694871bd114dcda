/*
 * admin_dashboard.c — the figures on /admin: revenue and orders per day for
 * the last 30 days as inline SVG bar charts, orders by status, the best
 * sellers, the low-stock rows and the latest orders.
 *
 * The charts are drawn here as numbers (bar positions in a fixed viewBox)
 * and written by the template, so no script and no style attribute is
 * needed (the CSP allows neither).  Each chart has a <title> and <desc>
 * for screen readers, and the same numbers follow as a table.
 */
#include <stdio.h>

#include "admin.h"
#include "core/config.h"
#include "core/site.h"
#include "core/util.h"
#include "inventory/inventory.h"
#include "order/order.h"
#include "orders_view.h"

#define DASH_DAYS	30
#define DASH_TOP	5
#define DASH_LOW	5
#define DASH_RECENT	8

/* The viewBox: bars fill CHART_W x CHART_H above a band for the labels. */
#define CHART_W		600
#define CHART_H		160
#define CHART_GAP	4

typedef const char *(*label_fn)(arena *a, int64_t v);

static const char *
money_label(arena *a, int64_t v)
{
	return money_format_a(a, v, site_currency());
}

static const char *
count_label(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

/* "Nov 24" of "2026-11-24" (the day is already UTC). */
static const char *
short_day(arena *a, const char *day)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int y, m, d;

	if (sscanf(day, "%d-%d-%d", &y, &m, &d) != 3 || m < 1 || m > 12)
		return day;
	return arena_printf(a, "%s %d", months[m - 1], d);
}

/*
 * {title, desc, width, height, bars[{x, y, w, h, label}], max, first, last,
 * empty}: one bar per day, scaled to the largest value (the tallest bar is
 * CHART_H high); a zero value still gets a 1-unit bar so the day is visible.
 */
static json_object *
bar_chart(arena *a, const char *title, const order_stats *st, bool revenue, label_fn label)
{
	json_object *c = json_object_new_object(), *bars = json_object_new_array();
	int64_t max = 0;
	int w = st->ndays > 0 ? CHART_W / (int)st->ndays : CHART_W;
	int64_t sum = 0;

	for (size_t i = 0; i < st->ndays; i++) {
		int64_t v = revenue ? st->days[i].revenue : st->days[i].orders;

		if (v > max)
			max = v;
		sum += v;
	}
	for (size_t i = 0; i < st->ndays; i++) {
		int64_t v = revenue ? st->days[i].revenue : st->days[i].orders;
		int64_t h = max > 0 ? v * CHART_H / max : 0;
		json_object *b = json_object_new_object();

		if (h < 1)
			h = 1;
		json_object_object_add(b, "x", json_object_new_int((int)i * w + CHART_GAP / 2));
		json_object_object_add(b, "y", json_object_new_int64(CHART_H - h));
		json_object_object_add(b, "w", json_object_new_int(w - CHART_GAP));
		json_object_object_add(b, "h", json_object_new_int64(h));
		admin_put_str(b, "label", arena_printf(a, "%s: %s", short_day(a, st->days[i].day),
		    label(a, v)));
		json_object_array_add(bars, b);
	}
	admin_put_str(c, "title", title);
	admin_put_str(c, "desc", arena_printf(a, "%s per day from %s to %s; highest %s, in all %s.",
	    title, st->ndays ? short_day(a, st->days[0].day) : "",
	    st->ndays ? short_day(a, st->days[st->ndays - 1].day) : "", label(a, max),
	    label(a, sum)));
	json_object_object_add(c, "width", json_object_new_int(CHART_W));
	json_object_object_add(c, "height", json_object_new_int(CHART_H));
	json_object_object_add(c, "label_y", json_object_new_int(CHART_H + 16));
	json_object_object_add(c, "view_h", json_object_new_int(CHART_H + 22));
	json_object_object_add(c, "last_x", json_object_new_int(CHART_W));
	json_object_object_add(c, "bars", bars);
	admin_put_str(c, "max", label(a, max));
	admin_put_str(c, "total", label(a, sum));
	admin_put_str(c, "first", st->ndays ? short_day(a, st->days[0].day) : "");
	admin_put_str(c, "last", st->ndays ? short_day(a, st->days[st->ndays - 1].day) : "");
	admin_put_flag(c, "empty", max == 0);
	return c;
}

/* The per-day table under the charts, newest first. */
static json_object *
day_rows(arena *a, const order_stats *st)
{
	json_object *rows = json_object_new_array();

	for (size_t i = st->ndays; i-- > 0;) {
		json_object *r = json_object_new_object();

		admin_put_str(r, "day", short_day(a, st->days[i].day));
		admin_put_str(r, "orders", count_label(a, st->days[i].orders));
		admin_put_str(r, "revenue", money_label(a, st->days[i].revenue));
		json_object_array_add(rows, r);
	}
	return rows;
}

static json_object *
status_rows(arena *a, const order_stats *st)
{
	json_object *rows = json_object_new_array();

	for (int s = 0; s < ORDER__NSTATUS; s++) {
		json_object *r = json_object_new_object();

		admin_put_str(r, "status", order_status_name((order_status)s));
		admin_put_str(r, "count", count_label(a, st->by_status[s]));
		json_object_array_add(rows, r);
	}
	return rows;
}

static json_object *
top_rows(arena *a, const order_stats *st)
{
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < st->ntop; i++) {
		json_object *r = json_object_new_object();

		admin_put_str(r, "name", st->top[i].name);
		admin_put_str(r, "url", arena_printf(a, "/admin/inventory?q=%s",
		    url_encode(a, st->top[i].name)));
		admin_put_str(r, "quantity", count_label(a, st->top[i].quantity));
		admin_put_str(r, "revenue", money_label(a, st->top[i].revenue));
		json_object_array_add(rows, r);
	}
	return rows;
}

static ecode
recent_orders(request *req, json_object **rows, error *e)
{
	order_filter f = { 0 };
	page pg = { 1, DASH_RECENT, 0 };
	order_page op;

	if (order_list(req->a, &f, &pg, &op, e) != E_OK)
		return e->code;
	*rows = json_object_new_array();
	for (size_t i = 0; i < op.n; i++)
		json_object_array_add(*rows, order_view(req->a, &op.items[i]));
	return E_OK;
}

ecode
admin_dashboard_figures(request *req, json_object *ctx, error *e)
{
	order_stats st;
	page low = { 1, DASH_LOW, 0 };
	json_object *lows, *recent = NULL;
	int64_t nlow;

	if (order_stats_get(req->a, DASH_DAYS, DASH_TOP, &st, e) != E_OK ||
	    admin_low_stock_rows(req, &low, &lows, &nlow, e) != E_OK)
		return e->code;
	if (recent_orders(req, &recent, e) != E_OK) {
		json_object_put(lows);
		return e->code;
	}
	json_object_object_add(ctx, "revenue_chart", bar_chart(req->a, "Revenue", &st, true,
	    money_label));
	json_object_object_add(ctx, "orders_chart", bar_chart(req->a, "Orders", &st, false,
	    count_label));
	json_object_object_add(ctx, "days", day_rows(req->a, &st));
	json_object_object_add(ctx, "statuses", status_rows(req->a, &st));
	json_object_object_add(ctx, "top", top_rows(req->a, &st));
	json_object_object_add(ctx, "low", lows);
	admin_put_str(ctx, "low_total", count_label(req->a, nlow));
	admin_put_flag(ctx, "low_more", nlow > DASH_LOW);
	json_object_object_add(ctx, "recent", recent);
	return E_OK;
}
