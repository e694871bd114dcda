/*
 * check_settings.c — /admin/settings (issue 7) against the running shop:
 * an admin changes the shipping rates, store name, contact e-mail and
 * sender on the page, and within ECOM_SETTINGS_TTL_MS, with no restart,
 * the next checkout quote (another responder), the storefront and the
 * users responder's e-mails use them; invalid values are a 400 with a
 * message beside each field and change nothing; the change is
 * settings.updated in the settings outbox with the admin as its actor
 * and, after a relay pass, an entry of the audit log; a form without the
 * CSRF token is refused; the new-order addresses (orders_notify_email)
 * are a list of at most 5 valid addresses, anything else a 400 naming
 * the field.  The suite puts the settings back as it found them (the
 * configuration's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#include <dirent.h>

#include "../check_run.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/parse.h"

#include "browser.h"
#include "http_client.h"

/* ------------------------------------------------------------ helpers */

static long long
psql_int(const char *sql)
{
	const char *psql = getenv("ECOM_TEST_PSQL");
	char cmd[4096], *out;
	int64_t v;

	ck_assert_msg(psql != NULL, "ECOM_TEST_PSQL not set");
	snprintf(cmd, sizeof cmd, "%s -v ON_ERROR_STOP=1 -tAqc \"%s\"", psql, sql);
	out = run_capture(cmd);
	ck_assert_msg(out && parse_i64(out, INT64_MIN, INT64_MAX, &v) == 0, "%s: %s", sql,
	    out ? out : "(failed)");
	free(out);
	return v;
}

static void
psql_do(const char *sql)
{
	const char *psql = getenv("ECOM_TEST_PSQL");
	char cmd[4096];

	snprintf(cmd, sizeof cmd, "%s -v ON_ERROR_STOP=1 -tAqc \"%s\"", psql, sql);
	free(run_capture(cmd));
}

/* application/x-www-form-urlencoded value into out */
static void
enc(char *out, size_t n, const char *s)
{
	size_t k = 0;

	for (; *s && k + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, n - k, "%%%02X", c);
	}
	out[k] = '\0';
}

static http_result *
post_settings(jar *j, const char *csrf, const char *name, const char *contact,
    const char *currency, const char *from, const char *ship, const char *tax)
{
	char body[4096], a[256], b[256], c[64], d[256], s[1024], t[1024];

	enc(a, sizeof a, name);
	enc(b, sizeof b, contact);
	enc(c, sizeof c, currency);
	enc(d, sizeof d, from);
	enc(s, sizeof s, ship);
	enc(t, sizeof t, tax);
	snprintf(body, sizeof body, "%s%s&store_name=%s&contact_email=%s&currency=%s&mail_from=%s"
	    "&shipping_methods=%s&tax_rates=%s", csrf ? "csrf_token=" : "", csrf ? csrf : "",
	    a, b, c, d, s, t);
	return browse(j, "POST", "/admin/settings", body);
}

/* A guest's checkout to DE with one line; its id and token into out. */
typedef struct buyer { char ip[40], cart[64], id[40], token[80]; } buyer;

static http_result *
buyer_api(buyer *b, const char *method, const char *path, const char *body)
{
	char xff[64], cart[128], tok[128];
	const char *h[6] = { xff, NULL };
	int n = 1;
	http_result *r;

	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", b->ip);
	if (body)
		h[n++] = "Content-Type: application/json";
	if (b->cart[0]) {
		snprintf(cart, sizeof cart, "X-Cart-ID: %s", b->cart);
		h[n++] = cart;
	}
	if (b->token[0]) {
		snprintf(tok, sizeof tok, "X-Checkout-Token: %s", b->token);
		h[n++] = tok;
	}
	r = http_do(test_base_url(), method, path, body, h);
	if (!b->cart[0])
		http_header(r, "x-cart-id", b->cart, sizeof b->cart);
	return r;
}

static void
buyer_start(buyer *b)
{
	const char *psql = getenv("ECOM_TEST_PSQL");
	char cmd[1024], body[256], *ids, pid[40], vid[40];
	http_result *r;

	memset(b, 0, sizeof *b);
	snprintf(b->ip, sizeof b->ip, "10.61.%d.%d", (int)getpid() % 250 + 1, (int)time(NULL) % 250 + 1);
	snprintf(cmd, sizeof cmd, "%s -tAqc \"SELECT p.id || ' ' || v.id FROM catalog.products p"
	    " JOIN catalog.variants v ON v.product_id = p.id JOIN inventory.stock s"
	    " ON s.variant_id = v.id WHERE p.status = 'published' AND v.is_active"
	    " AND p.currency = 'EUR' AND s.on_hand - s.reserved > 5 ORDER BY p.slug, v.sku LIMIT 1\"", psql);
	ids = run_capture(cmd);
	ck_assert_msg(ids && sscanf(ids, "%36s %36s", pid, vid) == 2, "no product in stock");
	free(ids);
	snprintf(body, sizeof body, "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":1}",
	    pid, vid);
	r = buyer_api(b, "POST", "/api/v1/cart/items", body);
	ck_assert_msg(r->status == 200, "add: %ld %s", r->status, r->body);
	http_result_free(r);
	r = buyer_api(b, "POST", "/api/v1/checkout", "{\"email\":\"settings@example.com\"}");
	ck_assert_msg(r->status == 201, "checkout: %ld %s", r->status, r->body);
	snprintf(b->id, sizeof b->id, "%s", jstr(r->json, "data.id"));
	snprintf(b->token, sizeof b->token, "%s", jstr(r->json, "data.checkout_token"));
	http_result_free(r);
}

/* The shipping price quoted for method to DE. */
static long long
quote(buyer *b, const char *method)
{
	char path[128], body[512];
	http_result *r;
	long long v;

	snprintf(path, sizeof path, "/api/v1/checkout/%s/shipping", b->id);
	snprintf(body, sizeof body, "{\"full_name\":\"Ada Lovelace\",\"address_line\":\"1 Test Street\","
	    "\"city\":\"Berlin\",\"postal_code\":\"10115\",\"country\":\"DE\",\"shipping_method\":\"%s\"}",
	    method);
	r = buyer_api(b, "PUT", path, body);
	ck_assert_msg(r->status == 200, "shipping: %ld %s", r->status, r->body);
	v = jint(r->json, "data.shipping");
	http_result_free(r);
	return v;
}

/* The text of the newest .eml in the mail folder addressed to `to`
 * (malloc'd), or NULL. */
static char *
mail_to(const char *to)
{
	char want[300], path[1200];
	char *found = NULL;
	DIR *d;
	struct dirent *de;

	ck_assert_int_eq(config_init(), 0);
	snprintf(want, sizeof want, "\r\nTo: <%s>\r\n", to);
	if (!(d = opendir(cfg->mail_dir)))
		return NULL;
	while ((de = readdir(d)) != NULL) {
		FILE *f;
		long n;
		char *text;

		if (!strstr(de->d_name, ".eml") || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", cfg->mail_dir, de->d_name);
		if (!(f = fopen(path, "rb")))
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)n + 1);
		ck_assert_ptr_nonnull(text);
		ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		if (strstr(text, want)) {
			free(found);
			found = text;
		} else
			free(text);
	}
	closedir(d);
	return found;
}

static void
wait_ttl(void)
{
	usleep(1300 * 1000);	/* ECOM_SETTINGS_TTL_MS defaults to 1000 */
}

static void
restore(void)
{
	psql_do("DELETE FROM settings.settings");
	wait_ttl();
}

/* ------------------------------------------------------------ tests */

#define AUDIT_SQL "SELECT count(*) FROM audit.entries WHERE" \
    " event_type = 'settings.updated' AND actor_role = 'admin'" \
    " AND after->>'shipping_methods' = 'standard=495/5000;express=1234'"

/* One pass of the outbox relay with the in-tree consumers (the audit
 * log), when the suite knows where the workers are. */
static void
relay(void)
{
	char cmd[1024];

	if (!getenv("ECOM_TEST_BIN"))
		return;
	snprintf(cmd, sizeof cmd, "ECOM_LOG_LEVEL=error %s/../workers/relay --budget 0"
	    " >/dev/null 2>&1", getenv("ECOM_TEST_BIN"));
	ck_assert_int_eq(system(cmd), 0);
}

/* the events of this test's change: by an admin, with its table */
#define EVENT_SQL "SELECT count(*) FROM settings.outbox WHERE" \
    " event_type = 'ecommerce.settings.updated'" \
    " AND payload->'metadata'->>'actor_role' = 'admin'" \
    " AND payload->'metadata'->>'actor_id' IS NOT NULL" \
    " AND payload->'data'->>'shipping_methods' = 'standard=495/5000;express=1234'"


START_TEST(a_change_is_used_by_the_next_quote_without_a_restart)
{
	jar j = { .n = 0 };
	buyer b;
	http_result *r;
	char name[64], csrf[128], loc[256];
	long long before, events, audit, matching;

	restore();
	buyer_start(&b);
	before = quote(&b, "express");
	ck_assert_int_ne(before, 1234);
	sign_in_admin(&j, "shop");
	r = browse(&j, "GET", "/admin/settings", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "name=\"shipping_methods\""));
	snprintf(csrf, sizeof csrf, "%s", csrf_of(r));
	http_result_free(r);
	relay();	/* what earlier runs left is in the log before we count */
	audit = psql_int(AUDIT_SQL);
	events = psql_int("SELECT count(*) FROM settings.outbox");
	matching = psql_int(EVENT_SQL);
	snprintf(name, sizeof name, "Settings Shop %s", run_tag());
	r = post_settings(&j, csrf, name, "help@example.com", "EUR", "orders@example.com",
	    "standard=495/5000;express=1234", "*=0");
	see_other(r, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin/settings?saved=1");
	http_result_free(r);
	/* the checkout responder was not restarted: it notices by itself */
	wait_ttl();
	ck_assert_int_eq(quote(&b, "express"), 1234);
	r = browse(&j, "GET", "/", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_msg(strstr(r->body, name) != NULL, "the storefront does not show %s", name);
	ck_assert_ptr_nonnull(strstr(r->body, "href=\"mailto:help@example.com\""));
	http_result_free(r);
	/* the users responder sends from the new sender, under the new name */
	{
		char email[128], body[256], *mail;

		snprintf(email, sizeof email, "mailed-%s@settings-test.example", run_tag());
		free(create_user(email, "customer", NULL));
		snprintf(body, sizeof body, "{\"email\":\"%s\"}", email);
		r = http_do(test_base_url(), "POST", "/api/v1/auth/forgot-password", body,
		    (const char *[]){ "Content-Type: application/json",
		    "X-Forwarded-For: 10.62.0.7", NULL });
		ck_assert_msg(r->status == 200, "forgot: %ld %s", r->status, r->body);
		http_result_free(r);
		mail = mail_to(email);
		ck_assert_msg(mail != NULL, "no mail to %s", email);
		ck_assert_msg(strstr(mail, "<orders@example.com>\r\n") != NULL &&
		    strstr(mail, name) != NULL, "sender: %.400s", mail);
		free(mail);
	}
	/* one event, naming the admin, with the settings as they are now */
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.outbox"), events + 1);
	ck_assert_int_eq(psql_int(EVENT_SQL), matching + 1);
	/* the relay hands it to the audit log: who changed what */
	if (getenv("ECOM_TEST_BIN")) {
		relay();
		ck_assert_int_eq(psql_int(AUDIT_SQL), audit + 1);
	}
	/* saving the same again changes nothing and says nothing */
	r = browse(&j, "GET", "/admin/settings", NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "express=1234"));
	snprintf(csrf, sizeof csrf, "%s", csrf_of(r));
	http_result_free(r);
	r = post_settings(&j, csrf, name, "help@example.com", "EUR", "orders@example.com",
	    "standard=495/5000;express=1234", "*=0");
	see_other(r, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin/settings?saved=0");
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.outbox"), events + 1);
	restore();
	ck_assert_int_eq(quote(&b, "express"), before);
}
END_TEST

START_TEST(invalid_values_are_refused_field_by_field_and_change_nothing)
{
	jar j = { .n = 0 };
	http_result *r;
	char csrf[128];
	long long rows, events;
	static const char *const ids[] = { "store_name-error", "contact_email-error",
	    "currency-error", "mail_from-error", "shipping_methods-error", "tax_rates-error" };

	restore();
	sign_in_admin(&j, "shop");
	r = browse(&j, "GET", "/admin/settings", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(csrf, sizeof csrf, "%s", csrf_of(r));
	http_result_free(r);
	rows = psql_int("SELECT count(*) FROM settings.settings");
	events = psql_int("SELECT count(*) FROM settings.outbox");
	r = post_settings(&j, csrf, "", "not an address", "EURO", "a@b", "standard=abc",
	    "DE=20000");
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		ck_assert_msg(strstr(r->body, ids[i]) != NULL, "no %s in %.2000s", ids[i], r->body);
	/* what was typed is shown again, escaped */
	ck_assert_ptr_nonnull(strstr(r->body, "standard=abc"));
	http_result_free(r);
	/* one bad field is enough to store nothing */
	r = post_settings(&j, csrf, "Fine Name", "", "EUR", "", "standard=495;express=1495",
	    "DE=1900,*=abc");
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(r->body, "tax_rates-error"));
	ck_assert_ptr_null(strstr(r->body, "store_name-error"));
	http_result_free(r);
	/* a header injection through the sender is a field error too */
	r = post_settings(&j, csrf, "Fine Name", "", "EUR", "x@example.com\r\nBcc: y@example.com",
	    "standard=495", "*=0");
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(r->body, "mail_from-error"));
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.settings"), rows);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.outbox"), events);
	/* without the CSRF token: refused before anything is read */
	r = post_settings(&j, NULL, "Other Name", "", "EUR", "", "standard=1", "*=0");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.settings"), rows);
}
END_TEST

/* The page's valid defaults with orders_notify_email = list. */
static http_result *
post_notify(jar *j, const char *csrf, const char *list)
{
	char body[4096], l[2048];

	enc(l, sizeof l, list);
	snprintf(body, sizeof body, "csrf_token=%s&store_name=Notify+Shop&contact_email=&currency=EUR"
	    "&mail_from=&shipping_methods=standard%%3D495&tax_rates=*%%3D0&orders_notify_email=%s",
	    csrf, l);
	return browse(j, "POST", "/admin/settings", body);
}

START_TEST(new_order_addresses_are_validated)
{
	static const struct { const char *list, *why; } bad[] = {
		{ "ops@example.com, not an address", "the second address is not like" },
		{ "a@example.com,b@example.com,c@example.com,d@example.com,e@example.com,"
		  "f@example.com", "list at most 5 addresses" },
		{ "ops@example.com,,x@example.com", "the second address is empty" },
		{ "ops@example.com, OPS@example.com", "the second address is listed twice" },
		{ "x@example.com\r\nBcc: y@example.com", "the first address is not like" },
	};
	jar j = { .n = 0 };
	http_result *r;
	char csrf[128], loc[256];
	long long rows, events;

	restore();
	sign_in_admin(&j, "shop");
	r = browse(&j, "GET", "/admin/settings", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "name=\"orders_notify_email\""));
	snprintf(csrf, sizeof csrf, "%s", csrf_of(r));
	http_result_free(r);
	rows = psql_int("SELECT count(*) FROM settings.settings");
	events = psql_int("SELECT count(*) FROM settings.outbox");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = post_notify(&j, csrf, bad[i].list);
		ck_assert_msg(r->status == 400, "%s: %ld %.300s", bad[i].list, r->status, r->body);
		/* the field is named: its message beside it, marked invalid */
		ck_assert_msg(strstr(r->body, "<p class=\"field-error\" id=\"orders_notify_email-error\">")
		    != NULL, "no field error for %s", bad[i].list);
		ck_assert_msg(strstr(r->body, bad[i].why) != NULL, "no \"%s\" in %.3000s", bad[i].why,
		    r->body);
		ck_assert_ptr_null(strstr(r->body, "store_name-error"));
		http_result_free(r);
	}
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.settings"), rows);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.outbox"), events);
	/* five good ones (spaces around the commas) are stored as typed */
	r = post_notify(&j, csrf, "ops@example.com , boss@example.org,c@example.com,"
	    "d@example.com,e@example.com");
	see_other(r, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin/settings?saved=1");
	http_result_free(r);
	ck_assert_int_eq(psql_int("SELECT count(*) FROM settings.settings WHERE key ="
	    " 'orders_notify_email' AND value = 'ops@example.com , boss@example.org,c@example.com,"
	    "d@example.com,e@example.com'"), 1);
	r = browse(&j, "GET", "/admin/settings", NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "value=\"ops@example.com , boss@example.org,"));
	http_result_free(r);
	restore();
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (test_base_url() == NULL || getenv("ECOM_TEST_PSQL") == NULL ||
	    getenv("ECOM_TEST_ECOMCTL") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL / ECOM_TEST_PSQL / ECOM_TEST_ECOMCTL not set");
		return 77;
	}
	s = suite_create("settings");
	tc = tcase_create("settings");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_change_is_used_by_the_next_quote_without_a_restart);
	tcase_add_test(tc, invalid_values_are_refused_field_by_field_and_change_nothing);
	tcase_add_test(tc, new_order_addresses_are_validated);
	suite_add_tcase(s, tc);
	browser_client("10.77.4.9");
	return check_run(s);
}
