/*
 * orders_view.h — an order as the storefront's and the admin panel's
 * templates read it (cgi-bin/orders_view.c): money formatted in the
 * order's currency, dates in UTC, the status as a label.  Linked into
 * store.fcgi and admin.fcgi.
 */
#ifndef ECOM_ORDERS_VIEW_H
#define ECOM_ORDERS_VIEW_H

#include <json-c/json.h>
#include "core/arena.h"
#include "order/order.h"

/* {id, number, status, status_label, placed_at, email, totals..., items[],
 * address{}, history[]} (items/history when filled). A new object. */
json_object *order_view(arena *a, const order *o);
/* "24 Nov 2026, 06:45 UTC" */
const char *order_view_time(arena *a, int64_t t);

#endif
