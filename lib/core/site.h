/*
 * site.h — the shop's settings an admin changes at run time (issue 7:
 * store name, contact e-mail, currency, e-mail sender, shipping and tax
 * tables), as every process reads them.
 *
 * The values live in the settings schema (lib/settings writes and
 * validates them, and reads them for this copy through the loader it
 * registers: core touches no domain's tables); the configuration
 * (ECOM_STORE_NAME, ECOM_CURRENCY,
 * ECOM_MAIL_FROM, ECOM_SHIPPING_METHODS, ...) gives the defaults.  Each
 * process keeps a copy and reloads it when it is older than
 * ECOM_SETTINGS_TTL_MS (default 1000, 0 = every read), so a change is in
 * effect on every responder within that time, without a restart.  When
 * the database cannot be read the last copy (or the configuration) stays.
 */
#ifndef ECOM_SITE_H
#define ECOM_SITE_H

#include <stdint.h>

#include "arena.h"
#include "error.h"

/* One stored setting as a loader hands it over. */
typedef struct site_row {
	const char *key;
	const char *value;
} site_row;

/*
 * A loader fills rows[0..max) with every stored setting (strings owned by
 * a, which the caller resets) and returns how many, or -1 with e set when
 * they could not be read (the last copy stays).  The settings module's is
 * registered once per process, before the first read, by
 * settings_site_register() (settings/settings.h); every main calls it.
 * Without a loader every value is the configuration's (and a warning
 * says so once).
 */
typedef int (*site_loader_fn)(arena *a, site_row *rows, int max, error *e);
void site_set_loader(site_loader_fn load);

/* The stored value of key, or NULL when the configuration's applies.
 * Valid until the value changes (old copies are kept, never freed). */
const char *site_setting(const char *key);
/* Grows whenever a reload found a value changed: for caches built from
 * settings (the checkout's parsed tables). */
uint64_t    site_generation(void);
/* Forget the copy: the next read reloads (the process that just wrote). */
void        site_invalidate(void);

/* The effective values: the setting, else the configuration. */
const char *site_store_name(void);
const char *site_currency(void);
const char *site_contact_email(void);	/* "" when none is set anywhere */
const char *site_mail_from(void);	/* "" = no-reply@<base host> */
/* Who is told of a new order: a comma-separated list (settings.h parses
 * it); "" = every active admin. */
const char *site_orders_notify_email(void);

#endif
