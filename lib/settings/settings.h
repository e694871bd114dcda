/*
 * settings.h — the shop's settings as an admin sees and changes them
 * (schema `settings`; issue 7): store name, contact e-mail, currency,
 * e-mail sender, shipping methods and tax rates (the syntax of
 * lib/checkout/checkout.h), prices with or without tax, and who is told
 * of a new order (DECISIONS 101).
 *
 * Reading them for use is lib/core/site.h's job (a per-process copy,
 * filled by the loader this module registers); this module validates,
 * stores and reads them.  A value equal to the
 * configuration's is stored all the same once an admin saved it, so a
 * later change of the configuration does not silently override the
 * admin's choice.
 */
#ifndef ECOM_SETTINGS_H
#define ECOM_SETTINGS_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"

/* Addresses that can be told of every new order. */
#define SETTINGS_NOTIFY_MAX	5
#define SETTINGS_ADDRESS_MAX	254

typedef struct shop_settings {
	const char *store_name;		/* 1..100 characters */
	const char *contact_email;	/* "" = none */
	const char *currency;		/* ISO 4217 */
	const char *mail_from;		/* "" = no-reply@<shop host> */
	const char *shipping_methods;	/* "standard=495/5000;express=1495" */
	const char *tax_rates;		/* "DE=1900,*=0" */
	bool        prices_include_tax;
	const char *orders_notify_email;	/* "a@x.example, b@y.example"; "" = every admin */
} shop_settings;

/* The addresses of an orders_notify_email value. */
typedef struct settings_recipients {
	char   addr[SETTINGS_NOTIFY_MAX][SETTINGS_ADDRESS_MAX + 1];
	size_t n;
} settings_recipients;

/*
 * Parse s, a comma-separated list of at most SETTINGS_NOTIFY_MAX plain
 * addresses (local@domain.tld; spaces around the commas allowed, no
 * address twice, any case), into out.  "" (or only spaces) is a list of
 * none.  0, or -1 with why (a sentence naming the bad address's place)
 * and out->n 0.
 */
int settings_recipients_parse(const char *s, settings_recipients *out, char *why,
    size_t whylen);

typedef struct settings_actor {
	const char *user_id;
	role        role;
	const char *request_id;
} settings_actor;

/* The settings in force (stored, else configured), read from the
 * database now (not the per-process copy). */
ecode settings_get(arena *a, shop_settings *out, error *e);

/*
 * Validate every field (E_VALIDATION with a message per field, nothing
 * stored), then store the ones that changed and write settings.updated
 * (the whole settings as data, the actor in its metadata) in one
 * transaction.  *changed counts the fields that changed (0: nothing
 * written, no event).
 */
ecode settings_update(arena *a, const settings_actor *who, const shop_settings *in,
    int *changed, error *e);

/*
 * Make this process's lib/core/site.h copy read the settings schema: every
 * process that reads site_* values (each responder, worker and tool) calls
 * it once in main, before its first request or batch.
 */
void settings_site_register(void);

#endif
