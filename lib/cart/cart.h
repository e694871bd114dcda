/*
 * cart.h — shopping carts, kept in Redis (DESIGN §1: "Redis: carts").
 *
 * A cart is one Redis hash: its version, id, owner, coupon codes and one
 * field per line keyed by (product, variant).  A stored line keeps only the
 * quantity and the unit price the customer saw when adding it; everything
 * a page or the API shows — name, sku, image, current price, availability,
 * stock, totals — is read from the catalog (lib/product), the inventory
 * (lib/inventory) and the campaigns (lib/campaign) every time the cart is
 * read, never taken from a client.  A product that stopped being sold or
 * changed price stays in the cart, flagged, instead of vanishing.
 *
 * Guest carts are found by a random 128-bit id (32 hex digits) in the
 * "cart" cookie or the X-Cart-ID header and live 7 days; a signed-in
 * user's cart is found by the user id and lives 30 days.  Every write
 * refreshes the expiry.  At login the guest cart is merged into the
 * user's and removed (cart_merge).
 *
 * Every mutation is one Lua script, so "check the expected version, change,
 * bump the version, refresh the expiry" is atomic: a client that sends the
 * version it read gets E_CONFLICT when someone changed the cart since.
 *
 * Events: ecommerce.cart.updated/cleared are not emitted yet.  The cart
 * lives in Redis, not in a PostgreSQL schema, so there is no transaction an
 * outbox row could join; when the outbox relay learns to read a Redis
 * stream, the scripts will XADD the event in the same atomic step.
 *
 * All functions take the request arena (results live there) and fill `e`
 * on failure.
 */
#ifndef ECOM_CART_H
#define ECOM_CART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"

#define CART_QTY_MAX		100	/* of one (product, variant) */
#define CART_LINES_MAX		50
#define CART_COUPONS_MAX	5
#define CART_CODE_MAX		64	/* characters of a coupon code */
#define CART_GUEST_TTL_S	(7 * 86400)
#define CART_USER_TTL_S		(30 * 86400)
#define CART_GUEST_ID_LEN	32	/* hex digits of 128 random bits */
#define CART_COOKIE		"cart"

/* Which cart: the user's when user_id is set, else the guest's (guest_id
 * NULL = this visitor has none yet; a write then creates one and sets
 * guest_id and created). */
typedef struct cart_ref {
	const char *user_id;
	const char *guest_id;
	bool        created;
	const char *request_id;	/* the events' correlation id; may be NULL */
} cart_ref;

/*
 * The cart of a request: the signed-in user's, else the guest id from the
 * X-Cart-ID header or the cart cookie.  A malformed X-Cart-ID is
 * E_INVALID_PARAMETER (an API client's mistake); a malformed cookie is
 * ignored (the visitor simply has no cart yet).
 */
ecode cart_ref_of(const request *req, cart_ref *out, error *e);

typedef struct cart_line {
	const char *product_id, *variant_id;
	int64_t     quantity;
	int64_t     added_unit_price;	/* what the customer saw when adding */
	/* from the catalog; NULL when the product is no longer sold */
	const char *slug, *name, *variant_name, *sku, *image_url, *category_id;
	int64_t     unit_price;		/* current, minor units of cart.currency */
	int64_t     line_total;		/* unit_price * quantity */
	bool        available;		/* published, variant active, shop currency */
	bool        in_stock;
	int64_t     stock;		/* available units (inventory) */
	bool        price_changed;	/* unit_price != added_unit_price */
	bool        purchasable;	/* counted in the totals */
	const char *issue;		/* a sentence for the customer, or NULL */
} cart_line;

typedef struct cart_discount {
	const char *campaign_id, *code, *name, *type;
	int64_t     amount;
	bool        free_shipping;
} cart_discount;

typedef struct cart {
	const char  *id;		/* NULL when the cart does not exist yet */
	const char  *user_id;
	int64_t      version;		/* 0 for a cart never written */
	int64_t      expires_at;	/* Unix seconds, 0 when not stored */
	const char  *currency;
	cart_line   *lines;		/* in the order they were added */
	size_t       nlines;
	const char **codes;		/* coupon codes as entered */
	size_t       ncodes;
	int64_t      item_count;	/* sum of quantities */
	int64_t      subtotal, discount_total, shipping, total;
	/* The shipping line is an estimate before an address is known: the
	 * first method of ECOM_SHIPPING_METHODS (the checkout's) at its base
	 * price, free from its threshold (< 0: never) on the subtotal before
	 * discounts. */
	int64_t      free_shipping_from;
	cart_discount *discounts;
	size_t       ndiscounts;
	const char **warnings;		/* from pricing: codes not applied and why */
	size_t       nwarnings;
	const char **invalid_codes;
	size_t       ninvalid;
	bool         has_issues;	/* some line is flagged */
} cart;

/* The cart with live names, prices, stock flags and totals.  A missing
 * cart is an empty one (E_OK). */
ecode cart_get(arena *a, const cart_ref *ref, cart *out, error *e);

/*
 * Changes.  expected_version < 0 means "whatever it is now"; otherwise a
 * different current version is E_CONFLICT.  Each fills *out with the cart
 * as cart_get reads it afterwards (out may be NULL).
 *
 * cart_add adds quantity (1..CART_QTY_MAX) of a published, active, in-stock
 * variant; the sum in the line may not pass CART_QTY_MAX and a new line may
 * not be the 51st (E_VALIDATION on quantity / product_id, saying the
 * limit).  cart_set_quantity sets a line's quantity (0 removes it); a line
 * not in the cart is E_NOT_FOUND.  cart_remove removes it (absent = E_OK).
 * cart_clear empties lines and coupons (the version still increases).
 * cart_apply_coupon adds a code the campaigns accept for this cart (one
 * they reject is E_VALIDATION on code with their reason);
 * cart_remove_coupon drops one (absent = E_NOT_FOUND).
 */
ecode cart_add(arena *a, cart_ref *ref, const char *product_id, const char *variant_id,
    int64_t quantity, int64_t expected_version, cart *out, error *e);
ecode cart_set_quantity(arena *a, cart_ref *ref, const char *product_id,
    const char *variant_id, int64_t quantity, int64_t expected_version, cart *out,
    error *e);
ecode cart_remove(arena *a, cart_ref *ref, const char *product_id, const char *variant_id,
    int64_t expected_version, cart *out, error *e);
ecode cart_clear(arena *a, cart_ref *ref, int64_t expected_version, error *e);
ecode cart_apply_coupon(arena *a, cart_ref *ref, const char *code, int64_t expected_version,
    cart *out, error *e);
ecode cart_remove_coupon(arena *a, cart_ref *ref, const char *code,
    int64_t expected_version, cart *out, error *e);

/* At login, the responders call this (guest cart id from the cookie /
 * X-Cart-ID): quantities summed, capped at 100 per line and 50 lines; guest
 * cart removed.  No guest cart = E_OK. */
ecode cart_merge(arena *a, const char *guest_cart_id, const char *user_id, error *e);

/*
 * What a sign-in handler does after a successful login: merge the
 * request's guest cart (X-Cart-ID or cookie) into user_id's and drop the
 * cart cookie.  A failure is logged, never fails the login.
 */
void cart_login_merge(request *req, response *res, const char *user_id);

/* The mini-cart: total quantity in the cart of this request (user or guest
 * cookie), 0 if none; never fails the page (0 on error). */
int64_t cart_count_of(request *req);

/* The guest cookie: HttpOnly, SameSite=Lax, Path=/, 7 days, Secure over
 * https.  cart_cookie_clear expires it. */
void cart_cookie_set(request *req, response *res, const char *guest_id);
void cart_cookie_clear(request *req, response *res);

/* Whether s is a guest cart id (32 lower-case hex digits). */
bool cart_guest_id_valid(const char *s);

/* {id, user_id, items[], item_count, subtotal, discount_total, shipping,
 * total, currency, coupons[], discounts[], warnings[], version,
 * expires_at, has_issues}; a new reference (NULL on OOM). */
json_object *cart_to_json(const cart *c);

#endif
