/*
 * site.c — the per-process copy of the settings schema (site.h).
 *
 * The loader lib/settings registers reads every row (there are a handful)
 * in one query, so this file holds no SQL of another schema; values are
 * copied into the heap.  A value that changed gets a new copy and the old
 * one is kept: a caller may still hold it in this request, and changes
 * are rare admin actions, so the few bytes are cheaper than a lifetime
 * rule.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "config.h"
#include "log.h"
#include "parse.h"
#include "site.h"

#define SITE_KEYS 16

static site_loader_fn loader;
static struct { char *key; const char *value; } vals[SITE_KEYS];
static size_t   nvals;
static uint64_t generation = 1;
static int64_t  loaded_ms = -1;	/* monotonic; -1 = never */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
ttl_ms(void)
{
	static int64_t ms = -1;
	const char *v;

	if (ms < 0 && (!(v = config_raw("ECOM_SETTINGS_TTL_MS")) ||
	    parse_i64(v, 0, 3600000, &ms) != 0))
		ms = 1000;
	return ms;
}

static bool
same(const char *x, const char *y)
{
	return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

/* Every value copy ever made, newest first.  A caller may still hold the
 * old value of a changed setting, so copies are never freed; the list keeps
 * them reachable (and a leak checker quiet) for the life of the process. */
static struct kept {
	struct kept *next;
	char         s[];
} *kept;

static const char *
keep(const char *value)
{
	size_t n = strlen(value) + 1;
	struct kept *k = malloc(sizeof *k + n);

	if (!k)
		return NULL;
	memcpy(k->s, value, n);
	k->next = kept;
	kept = k;
	return k->s;
}

/* Set key to value (NULL = absent) in the copy; true if it changed. */
static bool
put(const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < nvals; i++)
		if (strcmp(vals[i].key, key) == 0)
			break;
	if (i < nvals && same(vals[i].value, value))
		return false;
	if (i == nvals) {
		char *k;
		if (nvals == SITE_KEYS || !value || !(k = strdup(key)))
			return false;
		vals[nvals].key = k;
		vals[nvals++].value = NULL;
	}
	if (value) {
		const char *v = keep(value);
		if (!v)
			return false;
		vals[i].value = v;	/* the old copy is kept (see above) */
	} else
		vals[i].value = NULL;
	return true;
}

void
site_set_loader(site_loader_fn load)
{
	loader = load;
	loaded_ms = -1;
}

static void
reload(void)
{
	static arena *a;
	static bool warned;
	site_row rows[SITE_KEYS];
	error e;
	int n;
	bool changed = false, seen[SITE_KEYS] = { false };

	loaded_ms = now_ms();
	if (!loader) {
		if (!warned)
			log_msg(LOG_WARN, "no settings loader registered: the configuration's"
			    " values apply (settings_site_register() missing in main?)");
		warned = true;
		return;
	}
	err_clear(&e);
	if (!a && !(a = arena_new(8 * 1024)))
		return;
	if ((n = loader(a, rows, SITE_KEYS, &e)) < 0) {
		log_msg(LOG_DEBUG, "settings not read (the last copy stays): %s", e.message);
		arena_reset(a);
		return;
	}
	for (int i = 0; i < n && i < SITE_KEYS; i++) {
		const char *k = rows[i].key;

		changed |= put(k, rows[i].value);
		for (size_t j = 0; j < nvals; j++)
			if (strcmp(vals[j].key, k) == 0)
				seen[j] = true;
	}
	for (size_t j = 0; j < nvals; j++)
		if (!seen[j] && vals[j].value) {
			vals[j].value = NULL;	/* deleted: the configuration again */
			changed = true;
		}
	if (changed)
		generation++;
	arena_reset(a);
}

static void
fresh(void)
{
	int64_t ttl = ttl_ms();

	if (loaded_ms < 0 || ttl == 0 || now_ms() - loaded_ms >= ttl)
		reload();
}

const char *
site_setting(const char *key)
{
	fresh();
	for (size_t i = 0; i < nvals; i++)
		if (strcmp(vals[i].key, key) == 0)
			return vals[i].value;
	return NULL;
}

uint64_t
site_generation(void)
{
	fresh();
	return generation;
}

void
site_invalidate(void)
{
	loaded_ms = -1;
}

static const char *
or_config(const char *key, const char *configured)
{
	const char *v = site_setting(key);

	return v ? v : configured ? configured : "";
}

const char *
site_store_name(void)
{
	return or_config("store_name", cfg ? cfg->store_name : "ecommerce");
}

const char *
site_currency(void)
{
	return or_config("currency", cfg ? cfg->currency : "EUR");
}

const char *
site_contact_email(void)
{
	return or_config("contact_email", config_raw("ECOM_CONTACT_EMAIL"));
}

const char *
site_mail_from(void)
{
	return or_config("mail_from", cfg ? cfg->mail_from : "");
}

const char *
site_orders_notify_email(void)
{
	return or_config("orders_notify_email", config_raw("ECOM_ORDERS_NOTIFY_EMAIL"));
}
