/*
 * checkout.h — the checkout domain (api-v1.md §Checkout, DESIGN §1 "the
 * checkout saga runs inside one request").  The only header other code
 * includes.
 *
 * A checkout is a quote taken from the caller's cart: lines with the
 * catalog's prices, the coupons the cart holds, a shipping address and
 * method, a payment method, and the totals this module computes (shipping
 * from the configured methods, discounts from lib/campaign, tax from the
 * per-country table).  Its owner is the signed-in user who made it, or,
 * for a guest, whoever holds the random checkout token answered at
 * creation (only an HMAC of it is stored).
 *
 * Processing runs the saga: validate → inventory → campaign → payment →
 * order → confirm.  Each step commits in its own domain; the saga log in
 * checkout.saga_steps is written before ("started") and after ("done" or
 * "failed") every step, so checkout_janitor can finish a saga whose
 * process died after the money was taken, or compensate one that died
 * before.  A failed saga leaves the checkout 'failed' (terminal) with its
 * reason; the cart is never touched unless the order exists, so the
 * customer starts a new checkout from the same cart.  One saga per
 * checkout keeps every downstream key (reservation key, coupon ledger,
 * payment idempotency key, the one-order-per-checkout rule) equal to the
 * checkout id.
 *
 * Card numbers: PUT /payment stores the method and, for cards, only brand
 * and last 4 digits.  The full card is sent again with /process, lives
 * only in that request's arena and goes straight to lib/payment; it is
 * never stored nor logged (the idempotency hash covers it through an HMAC
 * with the server secret, never a plain digest of the number).
 *
 * Money is int64 minor units of the checkout's currency.  Every function
 * takes the request arena first, the error last, and returns E_OK or the
 * error's code.
 */
#ifndef ECOM_CHECKOUT_H
#define ECOM_CHECKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"

#define CHECKOUT_TTL_S		3600	/* an open checkout expires (410) after an hour */
#define CHECKOUT_TOKEN_LEN	64	/* hex of 32 random bytes */
#define CHECKOUT_EMAIL_MAX	254
#define CHECKOUT_IDEM_KEY_MAX	128
#define CHECKOUT_IDEM_TTL_S	(48 * 3600)	/* idempotency keys are kept 48 h (≥ 24 h) */
#define CHECKOUT_STUCK_DEFAULT	120
#define CHECKOUT_HEADER_TOKEN	"X-Checkout-Token"
#define CHECKOUT_COOKIE		"checkout"

/* ------------------------------------------------------------ money (pure) */

/*
 * Shipping methods, from ECOM_SHIPPING_METHODS (default
 * "standard=495/5000;express=1495"):
 *
 *   methods := method (';' method)*
 *   method  := code '=' price ['/' free_from] ['@' rates ['!']]
 *   rates   := CC ':' price (',' CC ':' price)*
 *
 * code is 1..32 of [a-z0-9_-]; prices are non-negative integers in minor
 * units of the shop currency; CC is an ISO 3166 alpha-2 code, upper case.
 * A country listed in rates pays its own price instead of the base price;
 * '!' after the rates restricts the method to the listed countries.  When
 * free_from is given, a merchandise subtotal (before discounts, as the
 * cart's estimate) at or above it ships free, in every country.
 */
#define SHIP_METHODS_MAX	16
#define SHIP_RATES_MAX		32
#define SHIP_CODE_MAX		32

typedef struct ship_rate { char country[3]; int64_t price; } ship_rate;
typedef struct ship_method {
	char      code[SHIP_CODE_MAX + 1];
	int64_t   price;
	int64_t   free_from;		/* < 0: never free */
	ship_rate rates[SHIP_RATES_MAX];
	size_t    nrates;
	bool      only_listed;
} ship_method;
typedef struct ship_table { ship_method m[SHIP_METHODS_MAX]; size_t n; } ship_table;

/* Parse the compact syntax; 0, or -1 with a reason in why[whylen]. */
int ship_table_parse(const char *s, ship_table *out, char *why, size_t whylen);
/* The method by code, or NULL. */
const ship_method *ship_method_find(const ship_table *t, const char *code);
/* Price of a method for a destination and merchandise subtotal: 0 and
 * *price, or -1 when the method does not ship to that country. */
int ship_quote(const ship_method *m, const char *country, int64_t subtotal, int64_t *price);

/*
 * Taxes, from ECOM_TAX_RATES (default "*=0"): `CC=bp (',' CC=bp)*` with
 * rates in basis points (1900 = 19 %), 0..10000, and '*' the rate of every
 * country not listed.  ECOM_PRICES_INCLUDE_TAX (bool, default false) says
 * whether catalog prices and shipping already contain the tax.
 *
 * Rounding (written down here and tested in check_checkout_money.c):
 *  1. Order-level discounts are spread over the lines in proportion to
 *     their totals, each share rounded down, the cents left over going one
 *     each to the lines with the largest remainders (ties: earlier line), so
 *     the shares add up to the discount exactly.
 *  2. Tax is computed per line on (line total - its discount share) and
 *     once on the shipping, each rounded half up to the cent:
 *       exclusive: tax = round(base * bp / 10000)
 *       inclusive: tax = base - round(base * 10000 / (10000 + bp))
 *  3. The checkout's tax is the sum of those; exclusive prices add it to
 *     the total, inclusive prices already contain it.
 * Everything is integer arithmetic; a product that would overflow is
 * refused (-1), never wrapped.
 */
#define TAX_RATES_MAX	64
typedef struct tax_rate { char country[3]; int64_t bp; } tax_rate;
typedef struct tax_table {
	tax_rate r[TAX_RATES_MAX];
	size_t   n;
	int64_t  default_bp;
	bool     prices_include_tax;
} tax_table;

int tax_table_parse(const char *s, bool inclusive, tax_table *out, char *why, size_t whylen);
int64_t tax_rate_for(const tax_table *t, const char *country);
/* Round-half-up of num / den for num >= 0, den > 0. */
int64_t money_div_round(int64_t num, int64_t den);
/* Tax contained in (inclusive) or due on (exclusive) base; -1 on overflow. */
int64_t tax_on(int64_t base, int64_t bp, bool inclusive);
/* Spread `discount` over n line totals (rule 1) into shares[n]; 0 or -1
 * (discount larger than the sum, or overflow). */
int discount_allocate(const int64_t *totals, size_t n, int64_t discount, int64_t *shares);

/* The totals of a quote. */
typedef struct money_in {
	const int64_t *line_totals; size_t n;	/* unit price * quantity per line */
	int64_t discount;			/* on the lines, from lib/campaign */
	int64_t shipping;			/* after a free-shipping discount */
	int64_t tax_bp;
	bool    inclusive;
} money_in;
typedef struct money_out {
	int64_t subtotal, discount_total, shipping, tax, total;
	int64_t *line_discount, *line_tax;	/* n each, caller's arrays */
} money_out;
/* 0, or -1 when the input is inconsistent or would overflow. */
int money_compute(const money_in *in, money_out *out);

/* Load both tables from the configuration once per process (ECOM_*);
 * 0, or -1 after printing which variable is wrong.  Called by the
 * responders' init and the janitor; the functions below call it too. */
int checkout_config_init(void);
const ship_table *checkout_ship_table(void);
const tax_table  *checkout_tax_table(void);

/* ------------------------------------------------------------ checkouts */

typedef struct checkout_line {
	const char *product_id, *variant_id, *category_id, *name, *sku;
	int64_t     unit_price, quantity, line_total, discount, tax;
} checkout_line;

typedef struct checkout_address {
	const char *full_name, *address_line1, *address_line2, *city, *state,
	           *postal_code, *country, *phone;
} checkout_address;

typedef struct checkout {
	const char *id, *user_id, *email, *status, *currency;
	/* open | processing | completed | failed | canceled | expired */
	checkout_line *lines; size_t nlines;
	const char **codes; size_t ncodes;	/* coupon codes from the cart */
	json_object *discounts;			/* applied discounts as priced (owned by the arena) */
	bool        has_address;
	checkout_address address;
	const char *shipping_method;		/* NULL until chosen */
	const char *payment_method, *card_brand, *card_last4;	/* NULL until chosen */
	int64_t     subtotal, discount_total, shipping, tax, total;
	const char *order_id, *order_number, *payment_id;	/* NULL until made */
	const char *failure_code, *failure_message;
	const char *cart_user_id, *cart_guest_id;	/* the cart it came from */
	int64_t     expires_at, created_at, updated_at;
} checkout;

/* Who asks: the signed-in user, or a guest with the checkout token. */
typedef struct checkout_caller {
	const char *user_id;	/* NULL for guests */
	const char *email;	/* the signed-in user's e-mail, or NULL */
	const char *token;	/* guest: X-Checkout-Token header or cookie */
	const char *request_id;
} checkout_caller;

/* Create from the caller's cart (ref: lib/cart).  A guest must give an
 * e-mail; an empty cart or a line that cannot be bought is E_VALIDATION.
 * For a guest *token receives the new token (shown once). */
struct cart_ref;
ecode checkout_create(arena *a, const checkout_caller *who, const struct cart_ref *cart,
    const char *email, checkout *out, const char **token, error *e);
/* The caller's checkout; someone else's, or a wrong token, is E_NOT_FOUND. */
ecode checkout_get(arena *a, const checkout_caller *who, const char *id, checkout *out, error *e);
/* Address and method (method NULL: the cheapest that ships there). */
ecode checkout_set_shipping(arena *a, const checkout_caller *who, const char *id,
    const checkout_address *addr, const char *method, checkout *out, error *e);
/* method: card | bank_transfer | cash_on_delivery; for card, only
 * brand and last4 are kept (from card_number, which is then forgotten). */
ecode checkout_set_payment(arena *a, const checkout_caller *who, const char *id,
    const char *method, const char *card_number, checkout *out, error *e);
ecode checkout_cancel(arena *a, const checkout_caller *who, const char *id,
    checkout *out, error *e);

/* Length 12..19, digits only, Luhn check digit right. */
bool checkout_card_number_ok(const char *number);

/* The card for /process; never stored. */
typedef struct checkout_card { const char *number, *exp_month, *exp_year, *cvc; } checkout_card;

/* Run the saga.  E_GONE for an expired checkout, E_CONFLICT while it is
 * being processed, E_PAYMENT_FAILED for a decline (stock and coupons
 * released, cart intact); a completed checkout answers itself again. */
ecode checkout_process(arena *a, const checkout_caller *who, const char *id,
    const checkout_card *card, checkout *out, error *e);

/*
 * Idempotency for /process (api-v1.md §Conventions), keys scoped to the
 * checkout.  checkout_idem_begin claims `key` for this request (hash = HMAC of checkout id + body):
 *   *replay true: the first response was stored; *status and *body (the
 *     JSON text of the reply) are to be sent again;
 *   E_IDEMPOTENCY_MISMATCH: the key was used with another body;
 *   E_CONFLICT: the first request with this key is still running.
 * checkout_idem_finish stores the response (status, body JSON text);
 * checkout_idem_abandon drops the claim (a 5xx: the client may retry).
 */
ecode checkout_idem_begin(arena *a, const char *key, const char *checkout_id,
    const char *body, size_t body_len, bool *replay, int *status, const char **body_out,
    error *e);
ecode checkout_idem_finish(arena *a, const char *key, const char *checkout_id, int status,
    const char *body, error *e);
void  checkout_idem_abandon(arena *a, const char *key, const char *checkout_id);

/*
 * The janitor: sagas stuck in 'processing' longer than ECOM_SAGA_STUCK_S
 * (default 120) are finished when the order exists or the money was taken
 * (order created from the stored quote, reservations and coupon uses
 * confirmed, cart cleared), else compensated in reverse order; open
 * checkouts past their expiry become 'expired'; idempotency keys older
 * than CHECKOUT_IDEM_TTL_S are deleted.
 */
ecode checkout_janitor(arena *a, int64_t *finished, int64_t *compensated, error *e);

/* {id, status, email, currency, items[], coupons[], discounts[],
 * shipping_address, shipping_method, payment{method, card_brand,
 * card_last4}, subtotal, discount_total, shipping, tax, total, order_id,
 * order_number, payment_id, failure{code,message}, expires_at,
 * created_at, updated_at, shipping_methods[] (quotes for the address)}. */
json_object *checkout_to_json(const checkout *c);

#endif
