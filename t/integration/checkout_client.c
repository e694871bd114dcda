/*
 * checkout_client.c — see checkout_client.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "core/parse.h"
#include "checkout_client.h"

char pid[NVAR][37], vid[NVAR][37];

static int ipn;

char *
psql(const char *sql)
{
	char cmd[16384];
	const char *p = getenv("ECOM_TEST_PSQL");

	ck_assert_msg(p != NULL, "ECOM_TEST_PSQL not set");
	snprintf(cmd, sizeof cmd, "%s -v ON_ERROR_STOP=1 -tAqc \"%s\"", p, sql);
	return run_capture(cmd);
}

long long
psql_int(const char *fmt, ...)
{
	char sql[4096];
	char *out;
	int64_t v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	out = psql(sql);
	ck_assert_msg(out != NULL && *out != '\0', "psql failed: %s", sql);
	ck_assert_msg(parse_i64(out, INT64_MIN, INT64_MAX, &v) == 0, "not a number: %s", out);
	free(out);
	return v;
}

void
load_fixtures(void)
{
	char *out, *line, *save = NULL;
	int n = 0;

	free(psql("INSERT INTO inventory.warehouses (id, code, name, priority) VALUES ('" WAREHOUSE "',"
	    " 'CHKTEST', 'Checkout tests', 0) ON CONFLICT DO NOTHING"));
	out = psql("SELECT p.id || ' ' || v.id FROM catalog.products p JOIN catalog.variants v"
	    " ON v.product_id = p.id WHERE p.status = 'published' AND v.is_active"
	    " AND p.currency = 'EUR' ORDER BY p.slug, v.sku LIMIT 3");
	ck_assert_ptr_nonnull(out);
	for (line = strtok_r(out, "\n", &save); line && n < NVAR; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_eq(sscanf(line, "%36s %36s", pid[n], vid[n]), 2);
		n++;
	}
	free(out);
	ck_assert_int_eq(n, NVAR);
	for (int i = 0; i < NVAR; i++) {
		char sql[1024];

		snprintf(sql, sizeof sql, "INSERT INTO inventory.stock (variant_id, warehouse_id,"
		    " product_id, on_hand) VALUES ('%s', '" WAREHOUSE "', '%s', 100000)"
		    " ON CONFLICT (variant_id, warehouse_id) DO UPDATE SET on_hand = 100000",
		    vid[i], pid[i]);
		free(psql(sql));
	}
	free(psql("INSERT INTO campaigns.campaigns (id, name, type, status, discount_value, code,"
	    " is_stackable, priority, start_date, end_date) VALUES"
	    " ('" CAMPAIGN "', 'Checkout test 5', 'percentage', 'active', 500,"
	    " '" COUPON "', true, 1000, now() - interval '1 day', now() + interval '3650 days')"
	    " ON CONFLICT DO NOTHING"));
}

void
client_init(client *c)
{
	memset(c, 0, sizeof *c);
	ipn++;
	snprintf(c->ip, sizeof c->ip, "10.%d.%d.%d", 90 + (int)(getpid() % 100),
	    (ipn / 250) % 250 + 1, ipn % 250 + 1);
}

http_result *
api_h(client *c, const char *method, const char *path, const char *body, const char *extra)
{
	char xff[64], cid[128], auth[4300], tok[128];
	const char *h[7] = { NULL };
	int n = 0;
	http_result *r;

	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", c->ip);
	h[n++] = xff;
	if (body)
		h[n++] = "Content-Type: application/json";
	if (c->cart[0]) {
		snprintf(cid, sizeof cid, "X-Cart-ID: %s", c->cart);
		h[n++] = cid;
	}
	if (c->bearer[0]) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->bearer);
		h[n++] = auth;
	}
	if (c->token[0]) {
		snprintf(tok, sizeof tok, "X-Checkout-Token: %s", c->token);
		h[n++] = tok;
	}
	if (extra)
		h[n++] = extra;
	r = http_do(test_base_url(), method, path, body, h);
	if (!c->cart[0] && !c->bearer[0])
		http_header(r, "x-cart-id", c->cart, sizeof c->cart);
	return r;
}

http_result *
api(client *c, const char *method, const char *path, const char *body)
{
	return api_h(c, method, path, body, NULL);
}

void
add_to_cart(client *c, int i, int qty)
{
	char body[256];
	http_result *r;

	snprintf(body, sizeof body, "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":%d}",
	    pid[i], vid[i], qty);
	r = api(c, "POST", "/api/v1/cart/items", body);
	ck_assert_msg(r->status == 200, "add: %ld %s", r->status, r->body);
	http_result_free(r);
}

long long
cart_items(client *c)
{
	http_result *r = api(c, "GET", "/api/v1/cart", NULL);
	long long n;

	ck_assert_int_eq(r->status, 200);
	n = jint(r->json, "data.item_count");
	http_result_free(r);
	return n;
}

/* POST /checkout, shipping, payment: ready to process. */
void
prepare(client *c, const char *card_number)
{
	char path[128], body[512];
	http_result *r;

	snprintf(body, sizeof body, "{\"email\":\"%s\"}", c->email[0] ? c->email : "guest@example.com");
	r = api(c, "POST", "/api/v1/checkout", c->bearer[0] ? "{}" : body);
	ck_assert_msg(r->status == 201, "create: %ld %s", r->status, r->body);
	snprintf(c->checkout, sizeof c->checkout, "%s", jstr(r->json, "data.id"));
	if (!c->bearer[0]) {
		ck_assert_ptr_nonnull(jstr(r->json, "data.checkout_token"));
		snprintf(c->token, sizeof c->token, "%s", jstr(r->json, "data.checkout_token"));
	}
	ck_assert_str_eq(jstr(r->json, "data.status"), "open");
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/checkout/%s/shipping", c->checkout);
	r = api(c, "PUT", path, "{\"full_name\":\"Ada Lovelace\",\"address_line\":\"1 Test Street\","
	    "\"city\":\"Berlin\",\"postal_code\":\"10115\",\"country\":\"DE\",\"shipping_method\":\"standard\"}");
	ck_assert_msg(r->status == 200, "shipping: %ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.shipping_method"), "standard");
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/checkout/%s/payment", c->checkout);
	snprintf(body, sizeof body, "{\"payment_method\":\"card\",\"card\":{\"number\":\"%s\"}}",
	    card_number);
	r = api(c, "PUT", path, body);
	ck_assert_msg(r->status == 200, "payment: %ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "data.payment.card_last4"), card_number + 12);
	http_result_free(r);
}

void
card_body(char *out, size_t n, const char *number)
{
	snprintf(out, n, "{\"card\":{\"number\":\"%s\",\"exp_month\":\"12\",\"exp_year\":\"2034\","
	    "\"cvc\":\"123\"}}", number);
}

http_result *
process(client *c, const char *number, const char *key)
{
	char path[128], body[256], hdr[200];

	snprintf(path, sizeof path, "/api/v1/checkout/%s/process", c->checkout);
	card_body(body, sizeof body, number);
	if (key)
		snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key);
	return api_h(c, "POST", path, body, key ? hdr : NULL);
}

/* What the other domains hold for a checkout. */
long long
orders_of(const char *id)
{
	return psql_int("SELECT count(*) FROM orders.orders WHERE checkout_id = '%s'", id);
}

long long
held_of(const char *id)
{
	return psql_int("SELECT count(*) FROM inventory.reservations WHERE key = '%s'"
	    " AND status = 'active'", id);
}

void
jar_take(jar *j, const http_result *r)
{
	for (const char *p = r->headers; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char pair[1024], name[80], cur[4096] = "";
		const char *v;
		size_t n;

		if (strncmp(p, "set-cookie:", 11) != 0)
			continue;
		v = p + 11 + strspn(p + 11, " ");
		n = strcspn(v, ";\r\n");
		snprintf(pair, sizeof pair, "%.*s", (int)n, v);
		snprintf(name, sizeof name, "%.*s", (int)strcspn(pair, "="), pair);
		/* drop the old value of this cookie, keep the others */
		for (char *q = strtok(j->cookies, ";"); q; q = strtok(NULL, ";")) {
			q += strspn(q, " ");
			if (strncmp(q, name, strlen(name)) == 0 && q[strlen(name)] == '=')
				continue;
			snprintf(cur + strlen(cur), sizeof cur - strlen(cur), "%s%s", cur[0] ? "; " : "", q);
		}
		if (pair[strlen(name) + 1] != '\0')	/* an empty value deletes */
			snprintf(cur + strlen(cur), sizeof cur - strlen(cur), "%s%s", cur[0] ? "; " : "", pair);
		snprintf(j->cookies, sizeof j->cookies, "%s", cur);
	}
}

http_result *
page(jar *j, const char *method, const char *path, const char *form)
{
	char c[4200], x[64];
	const char *h[4] = { NULL };
	int n = 0;
	http_result *r;

	snprintf(x, sizeof x, "X-Forwarded-For: %s", j->ip);
	h[n++] = x;
	if (j->cookies[0]) {
		snprintf(c, sizeof c, "Cookie: %s", j->cookies);
		h[n++] = c;
	}
	if (form)
		h[n++] = "Content-Type: application/x-www-form-urlencoded";
	r = http_do(test_base_url(), method, path, form, h);
	jar_take(j, r);
	return r;
}

/* value="..." of the named hidden field in a page; malloc'd. */
char *
field(const http_result *r, const char *name)
{
	char pat[96];
	const char *p;

	snprintf(pat, sizeof pat, "name=\"%s\" value=\"", name);
	p = r->body ? strstr(r->body, pat) : NULL;
	ck_assert_msg(p != NULL, "no %s in the page", name);
	p += strlen(pat);
	return strndup(p, strcspn(p, "\""));
}

void
post_form(jar *j, const char *from, const char *path, const char *form)
{
	http_result *r = page(j, "GET", from, NULL);
	char *csrf = field(r, "csrf_token"), body[1200];

	http_result_free(r);
	snprintf(body, sizeof body, "csrf_token=%s&%s", csrf, form);
	free(csrf);
	r = page(j, "POST", path, body);
	ck_assert_msg(r->status == 303, "%s: %ld %s", path, r->status, r->body);
	http_result_free(r);
}

void
post_step(jar *j, const char *path, const char *form)
{
	post_form(j, "/checkout", path, form);
}
