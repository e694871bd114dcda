/*
 * state.c — the order state machine (the one place it lives), status
 * names, the actor of a request and the signed links that let a guest see
 * the order they placed.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/util.h"
#include "order/internal.h"

static const char *const status_names[ORDER__NSTATUS] = {
	"pending", "confirmed", "processing", "shipped", "delivered", "canceled", "refunded"
};

/* allowed[from][to], api-v1.md §Checkout, payments, orders.  Canceling
 * stops at shipping: once the parcel left, the way back is delivery and a
 * refund. */
static const bool allowed[ORDER__NSTATUS][ORDER__NSTATUS] = {
	[ORDER_PENDING]    = { [ORDER_CONFIRMED] = true, [ORDER_CANCELED] = true },
	[ORDER_CONFIRMED]  = { [ORDER_PROCESSING] = true, [ORDER_CANCELED] = true },
	[ORDER_PROCESSING] = { [ORDER_SHIPPED] = true, [ORDER_CANCELED] = true },
	[ORDER_SHIPPED]    = { [ORDER_DELIVERED] = true },
	[ORDER_DELIVERED]  = { [ORDER_REFUNDED] = true },
};

static bool
in_range(order_status s)
{
	return (int)s >= 0 && s < ORDER__NSTATUS;
}

bool
order_transition_allowed(order_status from, order_status to)
{
	return in_range(from) && in_range(to) && allowed[from][to];
}

const char *
order_status_name(order_status s)
{
	return in_range(s) ? status_names[s] : NULL;
}

int
order_status_parse(const char *s, order_status *out)
{
	for (int i = 0; s && i < ORDER__NSTATUS; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (order_status)i;
			return 0;
		}
	return -1;
}

const char *
order_allowed_list(arena *a, order_status from)
{
	const char *list = NULL;

	for (int to = 0; to < ORDER__NSTATUS; to++) {
		if (!order_transition_allowed(from, (order_status)to))
			continue;
		list = list ? arena_printf(a, "%s, %s", list, status_names[to])
		    : status_names[to];
		if (!list)
			return "none";
	}
	return list ? list : "none";
}

order_actor
order_actor_of(const request *req)
{
	order_actor o = { req->user_id, req->user_role, req->request_id,
	    req->user_role == ROLE_ADMIN ? "admin" : req->user_role == ROLE_SELLER ? "seller" :
	    req->user_id ? "customer" : "guest" };

	return o;
}

const char *
order_guest_token(arena *a, const char *order_id)
{
	return auth_hmac_hex(a, "order", order_id);
}

bool
order_guest_token_ok(arena *a, const char *order_id, const char *token)
{
	const char *want;

	if (!token || strlen(token) != 64 || !(want = order_guest_token(a, order_id)))
		return false;
	return ct_equal(want, token, 64);
}
