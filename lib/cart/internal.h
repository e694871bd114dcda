/*
 * internal.h — what the cart module's files share (not for other code).
 *
 * store.c holds the Redis side: the hash layout and one Lua script per
 * change; service.c the rules (ids, limits, enrichment, pricing); json.c
 * the API shape.
 */
#ifndef ECOM_CART_INTERNAL_H
#define ECOM_CART_INTERNAL_H

#include "cart/cart.h"

/* A line as stored: no name, no current price — only what identifies it,
 * how many, the unit price seen when added and the order of adding. */
typedef struct cart_raw_line {
	const char *product_id, *variant_id;
	int64_t     quantity, price, seq;
} cart_raw_line;

typedef struct cart_raw {
	bool           exists;
	const char    *id, *user_id;	/* user_id NULL for a guest cart */
	int64_t        version;
	int64_t        ttl_s;		/* seconds left, 0 when absent */
	cart_raw_line *lines;		/* by seq */
	size_t         nlines;
	const char   **codes;
	size_t         ncodes;
} cart_raw;

/* What a script answered: ok, or which rule refused. */
typedef enum cart_status {
	CS_OK = 0, CS_CONFLICT, CS_QUANTITY, CS_LINES, CS_MISSING, CS_COUPONS, CS_NONE
} cart_status;

typedef struct cart_result {
	cart_status st;
	int64_t     version;	/* after the change (or the current one on refusal) */
	int64_t     extra;	/* quantity already in the line / lines / dropped lines */
} cart_result;

/* The state every change script needs besides its own arguments. */
typedef struct cart_target {
	const char *key;	/* "cart:u:<uuid>" or "cart:g:<hex>" */
	int64_t     expected;	/* < 0: any version */
	int64_t     ttl_s;
	const char *id;		/* the id a new cart gets */
	const char *user_id;	/* "" for guests */
	const char *event;	/* the change's event envelope (cart_event) */
} cart_target;

ecode store_cart_read(arena *a, const char *key, cart_raw *out, error *e);
ecode store_cart_count(arena *a, const char *key, int64_t *n, error *e);
ecode store_cart_add(arena *a, const cart_target *t, const char *pid, const char *vid,
    int64_t qty, int64_t price, cart_result *r, error *e);
/* qty 0 removes; a missing line is CS_MISSING. */
ecode store_cart_set(arena *a, const cart_target *t, const char *pid, const char *vid,
    int64_t qty, cart_result *r, error *e);
ecode store_cart_remove(arena *a, const cart_target *t, const char *pid, const char *vid,
    cart_result *r, error *e);
ecode store_cart_clear(arena *a, const cart_target *t, cart_result *r, error *e);
ecode store_cart_coupon_add(arena *a, const cart_target *t, const char *code,
    cart_result *r, error *e);
ecode store_cart_coupon_remove(arena *a, const cart_target *t, const char *code,
    cart_result *r, error *e);
/* Guest into user (t describes the user's cart); CS_NONE without a guest cart. */
ecode store_cart_merge(arena *a, const char *guest_key, const cart_target *t,
    cart_result *r, error *e);

/* Price c (its lines already read, flags set, codes as given): subtotal
 * of the purchasable lines, shipping estimate, campaigns' discounts and
 * warnings, total (read.c). */
ecode cart_price(arena *a, cart *c, error *e);

#endif
