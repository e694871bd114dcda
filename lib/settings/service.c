/*
 * service.c — the settings' rules and SQL (settings.h).
 *
 * The shipping and tax tables are checked by the very parsers the
 * checkout quotes with (lib/checkout), so a table the page accepts is a
 * table the checkout can use.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "checkout/checkout.h"
#include "core/config.h"
#include "core/db.h"
#include "core/json.h"
#include "core/outbox.h"
#include "core/parse.h"
#include "core/site.h"
#include "core/util.h"
#include "settings/settings.h"

#define DOMAIN "settings"
/* the shop's settings are one aggregate */
#define SETTINGS_ID "00000000-0000-4000-8000-000000005e77"
#define TABLE_MAX 2000

static db_stmt load_stmt = DB_STMT("settings_load",
    "SELECT key, value FROM settings.settings", 0);
static db_stmt lock_stmt = DB_STMT("settings_lock",
    "SELECT pg_advisory_xact_lock(hashtext('settings.settings'))", 0);
static db_stmt upsert_stmt = DB_STMT("settings_upsert",
    "INSERT INTO settings.settings (key, value, updated_by) VALUES ($1::text, $2::text, $3::uuid)"
    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by,"
    " updated_at = now()", 3);
static db_stmt outbox_stmt = DB_STMT("settings_outbox_insert",
    "INSERT INTO settings.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

/* ------------------------------------------------------------ defaults */

static void
configured(shop_settings *s)
{
	const char *inc = config_raw("ECOM_PRICES_INCLUDE_TAX"), *v;
	bool b = false;

	s->store_name = cfg->store_name;
	v = config_raw("ECOM_CONTACT_EMAIL");
	s->contact_email = v ? v : "";
	s->currency = cfg->currency;
	s->mail_from = cfg->mail_from ? cfg->mail_from : "";
	v = config_raw("ECOM_SHIPPING_METHODS");
	s->shipping_methods = v ? v : "standard=495/5000;express=1495";
	v = config_raw("ECOM_TAX_RATES");
	s->tax_rates = v ? v : "*=0";
	s->prices_include_tax = inc && parse_bool(inc, &b) == 0 && b;
	v = config_raw("ECOM_ORDERS_NOTIFY_EMAIL");
	s->orders_notify_email = v ? v : "";
}

static ecode
load(db_conn *c, arena *a, shop_settings *s, error *e)
{
	PGresult *r;

	configured(s);
	if (!(r = db_exec(c, a, &load_stmt, NULL, e)))
		return e->code;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *k = db_val(r, i, 0), *v = db_val(r, i, 1);
		bool b;

		if (strcmp(k, "store_name") == 0)
			s->store_name = v;
		else if (strcmp(k, "contact_email") == 0)
			s->contact_email = v;
		else if (strcmp(k, "currency") == 0)
			s->currency = v;
		else if (strcmp(k, "mail_from") == 0)
			s->mail_from = v;
		else if (strcmp(k, "shipping_methods") == 0)
			s->shipping_methods = v;
		else if (strcmp(k, "tax_rates") == 0)
			s->tax_rates = v;
		else if (strcmp(k, "prices_include_tax") == 0 && parse_bool(v, &b) == 0)
			s->prices_include_tax = b;
		else if (strcmp(k, "orders_notify_email") == 0)
			s->orders_notify_email = v;
	}
	return E_OK;
}

ecode
settings_get(arena *a, shop_settings *out, error *e)
{
	db_conn *c = db_for(DOMAIN, e);

	return c ? load(c, a, out, e) : e->code;
}

/* ------------------------------------------------------------ validation */

static bool
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* local@domain.tld, no spaces, quotes or angle brackets: an address that
 * is safe in a From: header as it is */
static bool
address_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') ||
	    !strchr(at + 1, '.') || at[1] == '.' || s[n - 1] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>()[]\\,;:\"", *p))
			return false;
	return true;
}

int
settings_recipients_parse(const char *s, settings_recipients *out, char *why, size_t whylen)
{
	static const char *const nth[SETTINGS_NOTIFY_MAX] = { "first", "second", "third",
	    "fourth", "fifth" };
	const char *p = s;

	out->n = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		const char *end = strchr(p, ','), *stop;
		size_t len;

		if (!end)
			end = p + strlen(p);
		for (stop = end; stop > p && (stop[-1] == ' ' || stop[-1] == '\t'); stop--)
			;
		len = (size_t)(stop - p);
		if (out->n == SETTINGS_NOTIFY_MAX) {
			snprintf(why, whylen, "list at most %d addresses", SETTINGS_NOTIFY_MAX);
			goto bad;
		}
		if (len == 0 || len > SETTINGS_ADDRESS_MAX) {
			snprintf(why, whylen, "the %s address is %s", nth[out->n],
			    len == 0 ? "empty" : "too long");
			goto bad;
		}
		memcpy(out->addr[out->n], p, len);
		out->addr[out->n][len] = '\0';
		if (!address_ok(out->addr[out->n])) {
			snprintf(why, whylen, "the %s address is not like shop@example.com", nth[out->n]);
			goto bad;
		}
		for (size_t i = 0; i < out->n; i++)
			if (strcasecmp(out->addr[i], out->addr[out->n]) == 0) {
				snprintf(why, whylen, "the %s address is listed twice", nth[out->n]);
				goto bad;
			}
		out->n++;
		if (*end == '\0')
			return 0;
		for (p = end + 1; *p == ' ' || *p == '\t'; p++)
			;
	}
bad:
	out->n = 0;
	return -1;
}

static ecode
validate(const shop_settings *in, error *e)
{
	settings_recipients rcpt;
	char why[160];
	ship_table st;
	tax_table tt;

	if (!in->store_name || !*in->store_name || strlen(in->store_name) > 100 ||
	    !printable(in->store_name))
		err_field(e, "store_name", "enter 1 to 100 characters, without line breaks");
	if (!in->contact_email || (*in->contact_email && !address_ok(in->contact_email)))
		err_field(e, "contact_email", "enter an e-mail address like shop@example.com, or leave it empty");
	if (!in->currency || !currency_valid(in->currency))
		err_field(e, "currency", "enter a three-letter ISO 4217 code such as EUR or USD");
	if (!in->mail_from || (*in->mail_from && !address_ok(in->mail_from)))
		err_field(e, "mail_from", "enter the sender's address like orders@example.com, or leave"
		    " it empty for no-reply at the shop's host");
	if (!in->shipping_methods || strlen(in->shipping_methods) > TABLE_MAX)
		err_field(e, "shipping_methods", "enter at most %d characters", TABLE_MAX);
	else if (ship_table_parse(in->shipping_methods, &st, why, sizeof why) != 0)
		err_field(e, "shipping_methods", "%s (write code=price[/free-from][@CC:price,...[!]];...)", why);
	if (!in->tax_rates || strlen(in->tax_rates) > TABLE_MAX)
		err_field(e, "tax_rates", "enter at most %d characters", TABLE_MAX);
	else if (tax_table_parse(in->tax_rates, in->prices_include_tax, &tt, why, sizeof why) != 0)
		err_field(e, "tax_rates", "%s (write CC=basis points,...,*=basis points; 1900 is 19 %%)", why);
	if (!in->orders_notify_email || strlen(in->orders_notify_email) > TABLE_MAX)
		err_field(e, "orders_notify_email", "enter at most %d characters", TABLE_MAX);
	else if (settings_recipients_parse(in->orders_notify_email, &rcpt, why, sizeof why) != 0)
		err_field(e, "orders_notify_email", "%s (write up to %d addresses separated by commas,"
		    " or leave it empty to tell every admin)", why, SETTINGS_NOTIFY_MAX);
	return e->code;
}

/* ------------------------------------------------------------ update */

static json_object *
settings_json(const shop_settings *s)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "store_name", json_object_new_string(s->store_name));
	json_object_object_add(o, "contact_email", json_object_new_string(s->contact_email));
	json_object_object_add(o, "currency", json_object_new_string(s->currency));
	json_object_object_add(o, "mail_from", json_object_new_string(s->mail_from));
	json_object_object_add(o, "shipping_methods", json_object_new_string(s->shipping_methods));
	json_object_object_add(o, "tax_rates", json_object_new_string(s->tax_rates));
	json_object_object_add(o, "prices_include_tax", json_object_new_boolean(s->prices_include_tax));
	json_object_object_add(o, "orders_notify_email", json_object_new_string(s->orders_notify_email));
	return o;
}

typedef struct update_tx {
	const settings_actor *who;
	const shop_settings  *in;
	int                   changed;
} update_tx;

static ecode
put(db_conn *c, arena *a, const char *key, const char *now, const char *want,
    const char *by, int *changed, error *e)
{
	const char *p[3] = { key, want, by };

	if (strcmp(now, want) == 0)
		return E_OK;
	(*changed)++;
	return db_exec(c, a, &upsert_stmt, p, e) ? E_OK : e->code;
}

static ecode
update_body(db_conn *c, arena *a, void *ud, error *e)
{
	update_tx *t = ud;
	const shop_settings *in = t->in;
	shop_settings now;
	const char *by = t->who ? t->who->user_id : NULL;
	event_origin o = { DOMAIN, t->who ? t->who->request_id : NULL, by,
	    t->who ? t->who->role : ROLE_PUBLIC };
	json_object *d;

	t->changed = 0;
	/* one writer at a time, so the event's whole picture is the stored one */
	if (!db_exec(c, a, &lock_stmt, NULL, e) || load(c, a, &now, e) != E_OK)
		return e->code;
	if (put(c, a, "store_name", now.store_name, in->store_name, by, &t->changed, e) != E_OK ||
	    put(c, a, "contact_email", now.contact_email, in->contact_email, by, &t->changed, e) != E_OK ||
	    put(c, a, "currency", now.currency, in->currency, by, &t->changed, e) != E_OK ||
	    put(c, a, "mail_from", now.mail_from, in->mail_from, by, &t->changed, e) != E_OK ||
	    put(c, a, "shipping_methods", now.shipping_methods, in->shipping_methods, by,
	    &t->changed, e) != E_OK ||
	    put(c, a, "tax_rates", now.tax_rates, in->tax_rates, by, &t->changed, e) != E_OK ||
	    put(c, a, "prices_include_tax", now.prices_include_tax ? "true" : "false",
	    in->prices_include_tax ? "true" : "false", by, &t->changed, e) != E_OK ||
	    put(c, a, "orders_notify_email", now.orders_notify_email, in->orders_notify_email, by,
	    &t->changed, e) != E_OK)
		return e->code;
	if (t->changed == 0)
		return E_OK;
	if (!(d = settings_json(in)))
		return err_set(e, E_INTERNAL, "out of memory");
	return outbox_emit(c, a, &outbox_stmt, &o, "settings.updated", "settings", SETTINGS_ID, d, e);
}

ecode
settings_update(arena *a, const settings_actor *who, const shop_settings *in, int *changed,
    error *e)
{
	update_tx t = { who, in, 0 };
	db_conn *c;

	*changed = 0;
	if (validate(in, e) != E_OK)
		return e->code;
	if (!(c = db_for(DOMAIN, e)) || db_tx(c, a, update_body, &t, e) != E_OK)
		return e->code;
	*changed = t.changed;
	site_invalidate();	/* this process sees it at once; the others within the TTL */
	return E_OK;
}
