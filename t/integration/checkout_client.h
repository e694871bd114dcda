/*
 * checkout_client.h — the buyer's side of the checkout suites
 * (check_checkout, check_checkout_more): fixed SQL through psql, an API
 * client with its own client address, cart and tokens that walks the
 * saga, and a cookie jar for the storefront's form pages.
 *
 * The suite's fixtures put its products and variants into pid[] and
 * vid[] (add_to_cart's i).
 */
#ifndef ECOM_T_CHECKOUT_CLIENT_H
#define ECOM_T_CHECKOUT_CLIENT_H

#include <stddef.h>

#include "http_client.h"

#define NVAR 3
#define WAREHOUSE "00000000-0000-4000-8000-0000000c4e01"	/* the suites' own */
#define CAMPAIGN "00000000-0000-4000-8000-0000000c4e02"
#define COUPON "CHKTEST5"	/* CAMPAIGN's: 5 % off */
#define CARD_OK "4242424242424242"

extern char pid[NVAR][37], vid[NVAR][37];

/* psql of ECOM_TEST_PSQL (-tAq, stop on error): its output, malloc'd. */
char *psql(const char *sql);
/* psql of a printf-built query that answers one number. */
long long psql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The fixtures: WAREHOUSE with plenty of stock of three published
 * variants (pid[], vid[]) and the coupon COUPON. */
void load_fixtures(void);

typedef struct client {
	char ip[32];
	char cart[64];
	char bearer[4200];
	char token[80];		/* the guest's checkout token */
	char email[64];		/* the guest's e-mail, when not the default */
	char checkout[40];
} client;

/* A new client with an address of its own. */
void client_init(client *c);
/* method path as c (cart, bearer, checkout token sent), with an extra
 * header line or NULL; the first answer's X-Cart-ID becomes c's cart. */
http_result *api_h(client *c, const char *method, const char *path, const char *body,
    const char *extra);
http_result *api(client *c, const char *method, const char *path, const char *body);
/* qty of fixture variant i into c's cart. */
void add_to_cart(client *c, int i, int qty);
long long cart_items(client *c);
/* POST /checkout, shipping, payment: ready to process. */
void prepare(client *c, const char *card_number);
void card_body(char *out, size_t n, const char *number);
/* POST .../process with the card (and Idempotency-Key key unless NULL). */
http_result *process(client *c, const char *number, const char *key);
/* What the other domains hold for a checkout. */
long long orders_of(const char *id);
long long held_of(const char *id);

/* A tiny cookie jar for the form pages: "a=1; b=2" of every Set-Cookie. */
typedef struct jar { char cookies[4096]; char ip[32]; } jar;

void jar_take(jar *j, const http_result *r);
/* A page request as the browser of j (its address, its cookies). */
http_result *page(jar *j, const char *method, const char *path, const char *form);
/* value="..." of the named hidden field in a page; malloc'd. */
char *field(const http_result *r, const char *name);
/* POST form to path with the CSRF token of the page from: a 303. */
void post_form(jar *j, const char *from, const char *path, const char *form);
/* post_form from /checkout (a step of the checkout's form pages). */
void post_step(jar *j, const char *path, const char *form);

#endif
