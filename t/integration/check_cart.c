/*
 * check_cart.c — carts through lighttpd against the real Redis, PostgreSQL
 * and responders: the JSON API (/api/v1/cart) and the storefront forms.
 *
 * Covers: a guest cart created on first write (X-Cart-ID and the cookie
 * with its attributes), its TTL in Redis (7 days, 30 for a user), a
 * tampered price/name in the body ignored, a stale version answered 409,
 * concurrent writers losing no update,
 * the limits (101 of a line, a 51st line) refused with messages naming
 * them, guest -> login merge (quantities summed and capped at 100) over
 * the API and over the storefront's sign-in form, a changed price and an
 * unpublished product flagged on the cart instead of dropped, a coupon
 * applied (the discount in the totals) and removed, and the
 * cart page's forms with and without their CSRF token.
 *
 * The suite gives its own test variants stock in its own warehouse
 * (CARTTEST) so the results do not depend on the demo inventory.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#include <curl/curl.h>

#include "../check_run.h"
#include "core/config.h"
#include "core/outbox.h"
#include "core/redis.h"
#include "events/events.h"

#include "http_client.h"

#define PASSWORD "correct horse battery staple 42"
#define MAXC 16
#define NVAR 52		/* test variants: 51 lines + spare */
#define WAREHOUSE "00000000-0000-4000-8000-00000000ca27"

/* ------------------------------------------------------------ a cookie jar */

typedef struct browser {
	char name[MAXC][64];
	char val[MAXC][4096];
	int  n;
	char ip[32];		/* X-Forwarded-For: one client per browser */
} browser;

static int counter;

static void
browser_init(browser *b)
{
	memset(b, 0, sizeof *b);
	/* the test stack trusts loopback as a proxy, so each browser is its
	 * own client for the rate limits and the login throttle */
	snprintf(b->ip, sizeof b->ip, "10.%d.%d.%d", (int)(getpid() % 250) + 1,
	    (int)(time(NULL) % 250) + 1, ++counter % 250 + 1);
}

static const char *
cookie(const browser *b, const char *name)
{
	for (int i = 0; i < b->n; i++)
		if (strcmp(b->name[i], name) == 0)
			return b->val[i];
	return NULL;
}

static void
cookie_set(browser *b, const char *name, const char *val)
{
	int i;

	for (i = 0; i < b->n && strcmp(b->name[i], name) != 0; i++)
		;
	if (val == NULL) {		/* delete */
		if (i < b->n) {
			b->n--;
			memmove(b->name[i], b->name[b->n], sizeof b->name[i]);
			memmove(b->val[i], b->val[b->n], sizeof b->val[i]);
		}
		return;
	}
	ck_assert_int_lt(i, MAXC);
	snprintf(b->name[i], sizeof b->name[i], "%s", name);
	snprintf(b->val[i], sizeof b->val[i], "%s", val);
	if (i == b->n)
		b->n++;
}

/* The Set-Cookie line (attributes included, no CRLF) for name, or NULL;
 * malloc'd. */
static char *
set_cookie_line(const http_result *r, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = r->headers; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "set-cookie:", 11) != 0)
			continue;
		const char *v = p + 11;
		while (*v == ' ')
			v++;
		if (strncmp(v, name, nl) == 0 && v[nl] == '=')
			return strndup(v, strcspn(v, "\r\n"));
	}
	return NULL;
}

/* Take every Set-Cookie of r into the jar (Max-Age=0 deletes). */
static void
browser_take(browser *b, const http_result *r)
{
	for (const char *p = r->headers; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char name[64], val[4096];
		const char *v, *eq;
		size_t n, vl;

		if (strncmp(p, "set-cookie:", 11) != 0)
			continue;
		for (v = p + 11; *v == ' '; v++)
			;
		eq = strchr(v, '=');
		ck_assert_ptr_nonnull(eq);
		n = (size_t)(eq - v);
		ck_assert_uint_lt(n, sizeof name);
		memcpy(name, v, n);
		name[n] = '\0';
		vl = strcspn(eq + 1, ";\r\n");
		ck_assert_uint_lt(vl, sizeof val);
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		n = strcspn(v, "\r\n");
		cookie_set(b, name, strstr(strndupa(v, n), "Max-Age=0") != NULL ? NULL : val);
	}
}

static http_result *
browse(browser *b, const char *method, const char *path, const char *body)
{
	char ck[MAXC * 4200] = "Cookie: ", xff[64];
	const char *hdrs[4] = { NULL };
	int h = 0;
	http_result *r;

	for (int i = 0; i < b->n; i++) {
		size_t used = strlen(ck);
		snprintf(ck + used, sizeof ck - used, "%s%s=%s", i > 0 ? "; " : "", b->name[i], b->val[i]);
	}
	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", b->ip);
	hdrs[h++] = xff;
	if (b->n > 0)
		hdrs[h++] = ck;
	if (body != NULL)
		hdrs[h++] = "Content-Type: application/x-www-form-urlencoded";
	r = http_do(test_base_url(), method, path, body, hdrs);
	browser_take(b, r);
	return r;
}

static http_result *
bget(browser *b, const char *path)
{
	return browse(b, "GET", path, NULL);
}

/* "k=v&k=v" from NULL-terminated pairs, values url-encoded; malloc'd. */
static char *
form(const char *k, ...)
{
	char *out = calloc(1, 16384);
	va_list ap;

	ck_assert_ptr_nonnull(out);
	va_start(ap, k);
	for (; k != NULL; k = va_arg(ap, const char *)) {
		const char *v = va_arg(ap, const char *);
		char *ev = curl_easy_escape(NULL, v, 0);
		size_t used = strlen(out);
		snprintf(out + used, 16384 - used, "%s%s=%s", used > 0 ? "&" : "", k, ev);
		curl_free(ev);
	}
	va_end(ap);
	return out;
}

static http_result *
bpost(browser *b, const char *path, char *body)
{
	http_result *r = browse(b, "POST", path, body);

	free(body);
	return r;
}

/* The value of the first csrf_token field in a page; malloc'd. */
static char *
page_token(const http_result *r)
{
	const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");

	ck_assert_msg(p != NULL, "no csrf_token in the page: %.300s", r->body);
	p += strlen("name=\"csrf_token\" value=\"");
	return strndup(p, strcspn(p, "\""));
}

/* GET path and return the form token it carries. */
static char *
token_from(browser *b, const char *path)
{
	http_result *r = bget(b, path);
	char *t;

	ck_assert_msg(r->status == 200, "GET %s: %ld", path, r->status);
	t = page_token(r);
	http_result_free(r);
	return t;
}

static void
assert_redirect(const http_result *r, const char *to)
{
	char loc[1024];

	ck_assert_msg(r->status == 303, "status %ld, want 303: %.400s", r->status, r->body);
	ck_assert(http_header(r, "location", loc, sizeof loc));
	ck_assert_str_eq(loc, to);
}

/* ------------------------------------------------------------ fixtures */

static char pid[NVAR][37], vid[NVAR][37];

static char *
psql(const char *sql)
{
	char cmd[8192];
	const char *p = getenv("ECOM_TEST_PSQL");

	ck_assert_msg(p != NULL, "ECOM_TEST_PSQL not set");
	snprintf(cmd, sizeof cmd, "%s -v ON_ERROR_STOP=1 -tAqc \"%s\"", p, sql);
	return run_capture(cmd);
}

/* NVAR active variants of published EUR products (two of the first
 * product), each given 1000 in the suite's own warehouse. */
static void
load_variants(void)
{
	char *out, *line, *save = NULL;
	int n = 0;

	free(psql("INSERT INTO inventory.warehouses (id, code, name) VALUES ('" WAREHOUSE "',"
	    " 'CARTTEST', 'Cart tests') ON CONFLICT DO NOTHING"));
	out = psql("SELECT p.id || ' ' || v.id FROM catalog.products p JOIN catalog.variants v"
	    " ON v.product_id = p.id WHERE p.status = 'published' AND v.is_active"
	    " AND p.currency = 'EUR' ORDER BY p.slug DESC, v.sku LIMIT 52");
	ck_assert_ptr_nonnull(out);
	for (line = strtok_r(out, "\n", &save); line != NULL && n < NVAR; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_int_eq(sscanf(line, "%36s %36s", pid[n], vid[n]), 2);
		n++;
	}
	free(out);
	ck_assert_int_eq(n, NVAR);
	ck_assert_str_eq(pid[0], pid[1]);	/* two options of one product */
	free(psql("INSERT INTO inventory.stock (variant_id, warehouse_id, product_id, on_hand)"
	    " SELECT v.id, '" WAREHOUSE "', p.id, 1000 FROM catalog.products p JOIN catalog.variants v"
	    " ON v.product_id = p.id WHERE p.status = 'published' AND v.is_active"
	    " AND p.currency = 'EUR' ORDER BY p.slug DESC, v.sku LIMIT 52"
	    " ON CONFLICT (variant_id, warehouse_id) DO UPDATE SET on_hand = 1000"));
}

static int ipn;

/* One API client: its own address and, once it has one, its cart id. */
typedef struct client {
	char ip[32];
	char cart[64];
	char bearer[4200];
} client;

static void
client_init(client *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->ip, sizeof c->ip, "10.77.%d.%d", (int)(getpid() % 250) + 1, ++ipn % 250 + 1);
}

static http_result *
api(client *c, const char *method, const char *path, const char *body)
{
	char xff[64], cid[128], auth[4300];
	const char *h[5] = { NULL };
	int n = 0;
	http_result *r;

	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", c->ip);
	h[n++] = xff;
	if (body != NULL)
		h[n++] = "Content-Type: application/json";
	if (c->cart[0] != '\0') {
		snprintf(cid, sizeof cid, "X-Cart-ID: %s", c->cart);
		h[n++] = cid;
	}
	if (c->bearer[0] != '\0') {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->bearer);
		h[n++] = auth;
	}
	r = http_do(test_base_url(), method, path, body, h);
	if (c->cart[0] == '\0' && c->bearer[0] == '\0')
		http_header(r, "x-cart-id", c->cart, sizeof c->cart);
	return r;
}

static http_result *
add(client *c, int i, int qty)
{
	char body[512];

	snprintf(body, sizeof body, "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":%d}",
	    pid[i], vid[i], qty);
	return api(c, "POST", "/api/v1/cart/items", body);
}

/* The quantity of test variant i in a cart reply, 0 when absent. */
static long long
qty_of(const http_result *r, int i)
{
	json_object *items = jpath(r->json, "data.items");

	for (size_t k = 0; items != NULL && k < json_object_array_length(items); k++) {
		json_object *it = json_object_array_get_idx(items, k);
		if (strcmp(jstr(it, "variant_id"), vid[i]) == 0)
			return jint(it, "quantity");
	}
	return 0;
}

static json_object *
line_of(const http_result *r, int i)
{
	json_object *items = jpath(r->json, "data.items");

	for (size_t k = 0; items != NULL && k < json_object_array_length(items); k++) {
		json_object *it = json_object_array_get_idx(items, k);
		if (strcmp(jstr(it, "variant_id"), vid[i]) == 0)
			return it;
	}
	return NULL;
}

/* A fresh customer account (ecomctl); its e-mail into email. */
static void
new_user(char *email, size_t n)
{
	char cmd[1024];
	int rc;

	snprintf(email, n, "cart-%d-%ld-%d@example.com", (int)getpid(), (long)time(NULL), ++ipn);
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | '%s' user create --email '%s' --role customer"
	    " >/dev/null 2>&1", PASSWORD, getenv("ECOM_TEST_ECOMCTL"), email);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "ecomctl user create %s", email);
}

/* TTL of a Redis key, through redis-cli and the stack's ECOM_REDIS_URL. */
static long long
redis_ttl(const char *key)
{
	char cmd[1024], *url = NULL, *out;
	long long ttl;
	const char *path = getenv("ECOM_CONFIG");
	FILE *f;
	char line[1024];

	url = getenv("ECOM_REDIS_URL") != NULL ? strdup(getenv("ECOM_REDIS_URL")) : NULL;
	if (url == NULL && path != NULL && (f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, "ECOM_REDIS_URL=", 15) == 0) {
				line[strcspn(line, "\r\n")] = '\0';
				free(url);
				url = strdup(line + 15);
			}
		fclose(f);
	}
	ck_assert_msg(url != NULL, "no ECOM_REDIS_URL");
	if (url == NULL)
		return -1;
	if (strncmp(url, "unix:", 5) == 0)
		snprintf(cmd, sizeof cmd, "redis-cli -s '%.*s' TTL '%s'", (int)strcspn(url + 5, "?"),
		    url + 5, key);
	else
		snprintf(cmd, sizeof cmd, "redis-cli -u '%s' TTL '%s'", url, key);
	free(url);
	out = run_capture(cmd);
	ck_assert_ptr_nonnull(out);
	ttl = strtoll(out, NULL, 10);
	free(out);
	return ttl;
}

/* ------------------------------------------------------------ API */

START_TEST(guest_cart_created_with_ttl_and_server_prices)
{
	client c;
	http_result *r;
	char body[512], *line, *price;
	long long ttl;

	client_init(&c);
	r = api(&c, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.items")), 0);
	ck_assert_int_eq(jint(r->json, "data.version"), 0);
	http_result_free(r);
	c.cart[0] = '\0';

	/* a price, name and sku in the body are not the server's: ignored */
	snprintf(body, sizeof body, "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":2,"
	    "\"unit_price\":1,\"price\":1,\"name\":\"Free stuff\",\"sku\":\"HACK\"}", pid[0], vid[0]);
	r = api(&c, "POST", "/api/v1/cart/items", body);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_eq(strlen(c.cart), 32);
	line = set_cookie_line(r, "cart");
	ck_assert_msg(line != NULL, "no cart cookie");
	ck_assert(strstr(line, "HttpOnly") != NULL && strstr(line, "SameSite=Lax") != NULL &&
	    strstr(line, "Path=/") != NULL && strstr(line, "Max-Age=604800") != NULL);
	ck_assert(strncmp(line + 5, c.cart, 32) == 0);
	free(line);
	snprintf(body, sizeof body, "SELECT coalesce(v.price, p.base_price) FROM catalog.variants v"
	    " JOIN catalog.products p ON p.id = v.product_id WHERE v.id = '%s'", vid[0]);
	price = psql(body);
	ck_assert_ptr_nonnull(price);
	ck_assert_int_eq(jint(line_of(r, 0), "unit_price"), strtoll(price, NULL, 10));
	ck_assert_int_eq(jint(r->json, "data.subtotal"), 2 * strtoll(price, NULL, 10));
	ck_assert_str_ne(jstr(line_of(r, 0), "name"), "Free stuff");
	ck_assert_str_ne(jstr(line_of(r, 0), "sku"), "HACK");
	ck_assert_int_eq(jint(r->json, "data.version"), 1);
	free(price);
	http_result_free(r);

	snprintf(body, sizeof body, "cart:g:%s", c.cart);
	ttl = redis_ttl(body);
	ck_assert_msg(ttl > 7 * 86400 - 60 && ttl <= 7 * 86400, "guest ttl %lld", ttl);

	/* a malformed X-Cart-ID is the client's mistake, said so */
	snprintf(c.cart, sizeof c.cart, "not-a-cart");
	r = api(&c, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(r->status, 400);
	ck_assert(strstr(r->body, "X-Cart-ID") != NULL);
	http_result_free(r);
}
END_TEST

START_TEST(stale_version_conflicts)
{
	client c;
	http_result *r;
	char body[256], path[256];
	long long v;

	client_init(&c);
	r = add(&c, 0, 1);
	ck_assert_int_eq(r->status, 200);
	v = jint(r->json, "data.version");
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/cart/items/%s/%s", pid[0], vid[0]);
	/* two writers read version v; the first wins, the second is told */
	snprintf(body, sizeof body, "{\"quantity\":3,\"version\":%lld}", v);
	r = api(&c, "PUT", path, body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "data.version"), v + 1);
	http_result_free(r);
	snprintf(body, sizeof body, "{\"quantity\":7,\"version\":%lld}", v);
	r = api(&c, "PUT", path, body);
	ck_assert_msg(r->status == 409, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "error.code"), "CONFLICT");
	http_result_free(r);
	r = api(&c, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(qty_of(r, 0), 3);
	http_result_free(r);
	/* without a version the write simply applies; 0 removes */
	r = api(&c, "PUT", path, "{\"quantity\":0}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(qty_of(r, 0), 0);
	http_result_free(r);
	r = api(&c, "PUT", path, "{\"quantity\":2}");
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
}
END_TEST

/* Writers without a version at the same moment: every script runs alone
 * in Redis, so no increment is lost. */
START_TEST(concurrent_adds_lose_nothing)
{
	client c;
	http_result *r;
	pid_t kids[8];

	client_init(&c);
	r = add(&c, 6, 1);
	ck_assert_int_eq(r->status, 200);
	http_result_free(r);
	for (int k = 0; k < 8; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			int ok = 1;
			for (int j = 0; j < 3; j++) {
				http_result *x = add(&c, 6, 1);
				ok &= x->status == 200;
				http_result_free(x);
			}
			_exit(ok ? 0 : 1);
		}
	}
	for (int k = 0; k < 8; k++) {
		int st;
		ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed", k);
	}
	r = api(&c, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(qty_of(r, 6), 1 + 8 * 3);
	ck_assert_int_eq(jint(r->json, "data.version"), 1 + 8 * 3);
	http_result_free(r);
}
END_TEST

START_TEST(limits_are_refused_with_reasons)
{
	client c;
	http_result *r;

	client_init(&c);
	r = add(&c, 0, 101);
	ck_assert_int_eq(r->status, 400);
	ck_assert_msg(strstr(jstr(r->json, "error.fields.quantity"), "100") != NULL, "%s", r->body);
	http_result_free(r);
	r = add(&c, 0, 60);
	ck_assert_msg(r->status == 200, "%s", r->body);
	http_result_free(r);
	r = add(&c, 0, 41);	/* 101 in the line */
	ck_assert_int_eq(r->status, 400);
	ck_assert_msg(strstr(jstr(r->json, "error.fields.quantity"), "at most 100") != NULL, "%s", r->body);
	http_result_free(r);
	r = add(&c, 0, 40);	/* exactly 100 is fine */
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(qty_of(r, 0), 100);
	http_result_free(r);
	for (int i = 1; i < 50; i++) {
		r = add(&c, i, 1);
		ck_assert_msg(r->status == 200, "line %d: %s", i, r->body);
		http_result_free(r);
	}
	r = add(&c, 50, 1);	/* the 51st line */
	ck_assert_int_eq(r->status, 400);
	ck_assert_msg(strstr(jstr(r->json, "error.fields.product_id"), "at most 50") != NULL, "%s", r->body);
	http_result_free(r);
	r = api(&c, "DELETE", "/api/v1/cart", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "data.status"), "cleared");
	http_result_free(r);
	r = api(&c, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.items")), 0);
	http_result_free(r);
}
END_TEST

START_TEST(api_login_merges_guest_cart_capped)
{
	client g, u;
	http_result *r;
	char email[128], body[512], key[128];
	long long ttl;

	new_user(email, sizeof email);
	client_init(&u);
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, PASSWORD);
	/* the user's own cart first: 70 of line 0, 1 of line 1 */
	r = api(&u, "POST", "/api/v1/auth/login", body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	snprintf(u.bearer, sizeof u.bearer, "%s", jstr(r->json, "data.tokens.access_token"));
	http_result_free(r);
	http_result_free(add(&u, 0, 70));
	r = add(&u, 1, 1);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(jstr(r->json, "data.user_id"));
	http_result_free(r);

	client_init(&g);
	http_result_free(add(&g, 0, 50));
	http_result_free(add(&g, 2, 4));
	ck_assert_int_eq(strlen(g.cart), 32);
	/* log in carrying the guest cart */
	r = api(&g, "POST", "/api/v1/auth/login", body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	http_result_free(r);

	r = api(&u, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(qty_of(r, 0), 100);	/* 70 + 50, capped */
	ck_assert_int_eq(qty_of(r, 1), 1);
	ck_assert_int_eq(qty_of(r, 2), 4);
	http_result_free(r);
	/* the guest cart is gone */
	r = api(&g, "GET", "/api/v1/cart", NULL);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.items")), 0);
	http_result_free(r);
	r = api(&u, "GET", "/api/v1/users/me", NULL);
	snprintf(key, sizeof key, "cart:u:%s", jstr(r->json, "data.id"));
	http_result_free(r);
	ttl = redis_ttl(key);
	ck_assert_msg(ttl > 30 * 86400 - 60 && ttl <= 30 * 86400, "user ttl %lld", ttl);
}
END_TEST

START_TEST(changed_price_and_unpublished_are_flagged)
{
	client c;
	http_result *r;
	char sql[512], *old;
	json_object *l;

	client_init(&c);
	http_result_free(add(&c, 3, 1));
	http_result_free(add(&c, 4, 1));
	snprintf(sql, sizeof sql, "SELECT coalesce(v.price::text, 'null') FROM catalog.variants v WHERE v.id = '%s'", vid[3]);
	old = psql(sql);
	ck_assert_ptr_nonnull(old);
	snprintf(sql, sizeof sql, "UPDATE catalog.variants SET price = coalesce(price, 0) + 12345 WHERE id = '%s'", vid[3]);
	free(psql(sql));
	snprintf(sql, sizeof sql, "UPDATE catalog.variants SET is_active = false WHERE id = '%s'", vid[4]);
	free(psql(sql));
	r = api(&c, "GET", "/api/v1/cart", NULL);
	snprintf(sql, sizeof sql, "UPDATE catalog.variants SET price = %s WHERE id = '%s'", old, vid[3]);
	free(psql(sql));
	snprintf(sql, sizeof sql, "UPDATE catalog.variants SET is_active = true WHERE id = '%s'", vid[4]);
	free(psql(sql));
	free(old);
	ck_assert_int_eq(r->status, 200);
	ck_assert(json_object_get_boolean(jpath(r->json, "data.has_issues")));
	l = line_of(r, 3);
	ck_assert_ptr_nonnull(l);
	ck_assert(json_object_get_boolean(jpath(l, "price_changed")));
	ck_assert_int_ne(jint(l, "previous_unit_price"), jint(l, "unit_price"));
	l = line_of(r, 4);
	ck_assert_msg(l != NULL, "the unavailable line must stay in the cart");
	ck_assert(!json_object_get_boolean(jpath(l, "available")));
	ck_assert(!json_object_get_boolean(jpath(l, "purchasable")));
	ck_assert_ptr_nonnull(jstr(l, "issue"));
	/* the flagged line is left out of the totals */
	ck_assert_int_eq(jint(r->json, "data.subtotal"), jint(line_of(r, 3), "line_total"));
	http_result_free(r);
}
END_TEST

/* The amount of the discount with this code in a cart reply, -1 if none. */
static long long
discount_of(const http_result *r, const char *code)
{
	json_object *ds = jpath(r->json, "data.discounts");

	for (size_t k = 0; ds != NULL && k < json_object_array_length(ds); k++) {
		json_object *d = json_object_array_get_idx(ds, k);
		const char *c = jstr(d, "code");
		if (c != NULL && strcmp(c, code) == 0)
			return jint(d, "amount");
	}
	return -1;
}

START_TEST(coupon_apply_and_remove)
{
	client c;
	http_result *r;
	long long sub, before;

	/* the suite's own 10 % code, stackable, so the demo campaigns (some
	 * automatic) may change freely */
	free(psql("INSERT INTO campaigns.campaigns (id, name, type, status, discount_value, code,"
	    " is_stackable, priority, start_date, end_date) VALUES"
	    " ('00000000-0000-4000-8000-00000000ca28', 'Cart test 10', 'percentage', 'active', 1000,"
	    " 'CARTTEST10', true, 1000, now() - interval '1 day', now() + interval '3650 days')"
	    " ON CONFLICT DO NOTHING"));
	client_init(&c);
	r = add(&c, 5, 2);
	ck_assert_int_eq(r->status, 200);
	before = jint(r->json, "data.discount_total");
	/* the shipping line estimates the first configured method (the
	 * default "standard=495/5000": 4.95, free from 50.00) */
	sub = jint(r->json, "data.subtotal");
	ck_assert_int_eq(jint(r->json, "data.shipping"), sub >= 5000 ? 0 : 495);
	http_result_free(r);
	r = api(&c, "POST", "/api/v1/cart/coupon", "{\"code\":\"NO-SUCH-CODE-42\"}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(jstr(r->json, "error.fields.code"));
	http_result_free(r);
	r = api(&c, "POST", "/api/v1/cart/coupon", "{\"code\":\" carttest10 \"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	sub = jint(r->json, "data.subtotal");
	/* 10 %, whichever way the campaigns round a half cent */
	ck_assert_msg(discount_of(r, "CARTTEST10") >= sub / 10 &&
	    discount_of(r, "CARTTEST10") <= (sub + 9) / 10, "%s", r->body);
	ck_assert_int_gt(jint(r->json, "data.discount_total"), before);
	ck_assert_int_eq(jint(r->json, "data.total"), sub - jint(r->json, "data.discount_total") +
	    jint(r->json, "data.shipping"));
	ck_assert_str_eq(jstr(r->json, "data.coupons.0"), "carttest10");
	http_result_free(r);
	r = api(&c, "DELETE", "/api/v1/cart/coupon?code=CARTTEST10", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "data.discount_total"), before);
	ck_assert_int_eq(discount_of(r, "CARTTEST10"), -1);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.coupons")), 0);
	http_result_free(r);
	r = api(&c, "DELETE", "/api/v1/cart/coupon?code=CARTTEST10", NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ storefront */

/* The value of the quantity box of variant i on the cart page; malloc'd. */
static char *
page_quantity(const char *body, int i)
{
	char pat[128];
	const char *p, *q;

	snprintf(pat, sizeof pat, "id=\"q-%s\"", vid[i]);
	p = strstr(body, pat);
	ck_assert_msg(p != NULL, "no quantity box for %s", vid[i]);
	q = strstr(p, "value=\"");
	ck_assert_ptr_nonnull(q);
	q += strlen("value=\"");
	return strndup(q, strcspn(q, "\""));
}

START_TEST(store_forms_and_login_merge)
{
	browser b;
	http_result *r;
	char *tok, path[256], email[128], *q;

	browser_init(&b);
	new_user(email, sizeof email);
	tok = token_from(&b, "/login");	/* the empty cart page has no form yet */
	/* without the token nothing happens */
	r = bpost(&b, "/cart/items", form("product_id", pid[0], "variant_id", vid[0], "quantity", "2", (char *)NULL));
	ck_assert_int_eq(r->status, 403);
	ck_assert_ptr_null(cookie(&b, "cart"));
	http_result_free(r);
	r = bpost(&b, "/cart/items", form("csrf_token", tok, "product_id", pid[0], "variant_id", vid[0],
	    "quantity", "2", (char *)NULL));
	assert_redirect(r, "/cart");
	http_result_free(r);
	ck_assert_ptr_nonnull(cookie(&b, "cart"));
	r = bpost(&b, "/cart/items", form("csrf_token", tok, "product_id", pid[1], "variant_id", vid[1],
	    "unit_price", "1", (char *)NULL));
	assert_redirect(r, "/cart");
	http_result_free(r);
	r = bget(&b, "/cart");
	ck_assert_int_eq(r->status, 200);
	ck_assert(strstr(r->body, "Added to your cart.") != NULL);
	ck_assert(strstr(r->body, "<span class=\"count\">3</span>") != NULL);
	http_result_free(r);
	/* change a quantity; 101 is refused on the page */
	snprintf(path, sizeof path, "/cart/items/%s/%s", pid[0], vid[0]);
	r = bpost(&b, path, form("csrf_token", tok, "quantity", "101", (char *)NULL));
	ck_assert_int_eq(r->status, 400);
	ck_assert(strstr(r->body, "form-error") != NULL);
	http_result_free(r);
	r = bpost(&b, path, form("csrf_token", tok, "quantity", "5", (char *)NULL));
	assert_redirect(r, "/cart");
	http_result_free(r);
	/* a stale version from another tab is refused, and the page says so */
	r = bpost(&b, path, form("csrf_token", tok, "quantity", "6", "version", "1", (char *)NULL));
	ck_assert_int_eq(r->status, 409);
	ck_assert(strstr(r->body, "changed in another window") != NULL);
	http_result_free(r);
	free(tok);

	/* sign in: the guest cart becomes the account's, the cookie goes */
	tok = token_from(&b, "/login");
	r = bpost(&b, "/login", form("csrf_token", tok, "email", email, "password", PASSWORD,
	    "next", "/cart", (char *)NULL));
	assert_redirect(r, "/cart");
	http_result_free(r);
	free(tok);
	ck_assert_ptr_null(cookie(&b, "cart"));
	r = bget(&b, "/cart");
	ck_assert_int_eq(r->status, 200);
	ck_assert(strstr(r->body, "<span class=\"count\">6</span>") != NULL);
	q = page_quantity(r->body, 0);
	ck_assert_str_eq(q, "5");
	free(q);
	q = page_quantity(r->body, 1);
	ck_assert_str_eq(q, "1");
	free(q);
	http_result_free(r);
}
END_TEST

/* ------------------------------------------------------------ events */

/* A sink that records what it is handed and fails while `failing`. */
typedef struct test_sink {
	event_sink s;
	bool       failing;
	const char *want;	/* the event id this test follows */
	int        seen;	/* how often it was handed `want` */
	long       handed;	/* events handed to it in all */
} test_sink;

static int
test_deliver(event_sink *s, arena *a, const event *evs, size_t n, bool *ok, const char **errs)
{
	test_sink *t = (test_sink *)s;

	t->handed += (long)n;
	for (size_t i = 0; i < n; i++) {
		if (t->want != NULL && strcmp(evs[i].id, t->want) == 0)
			t->seen++;
		ok[i] = !t->failing;
		errs[i] = t->failing ? "test sink refuses" : NULL;
	}
	return 0;
}

/* The stream entry whose envelope has this correlation id: its entry id
 * into entry, the parsed event into ev. */
static bool
find_event(arena *a, const char *rid, char *entry, size_t n, event *ev)
{
	error e;
	redisReply *r;

	err_clear(&e);
	r = redis_cmd(a, &e, "XRANGE %s - +", OUTBOX_STREAM);
	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *f = r->element[i]->element[1];

		for (size_t k = 0; k + 1 < f->elements; k += 2)
			if (strcmp(f->element[k]->str, "e") == 0 &&
			    event_parse(a, f->element[k + 1]->str, strlen(f->element[k + 1]->str), ev,
			    &e) == E_OK && ev->correlation_id != NULL &&
			    strcmp(ev->correlation_id, rid) == 0) {
				snprintf(entry, n, "%s", r->element[i]->element[0]->str);
				return true;
			}
	}
	return false;
}

/* Make entry look idle for a minute, so the next relay claims it again. */
static void
age(arena *a, const char *entry)
{
	error e;

	err_clear(&e);
	ck_assert_ptr_nonnull(redis_cmd(a, &e, "XCLAIM %s relay test 0 %s IDLE 60000 JUSTID",
	    OUTBOX_STREAM, entry));
}

START_TEST(cart_changes_are_events_on_the_stream)
{
	client c;
	char rid[64], hrid[96], xff[64], cid[128], entry[64], uuid[37], body[512], sql[256];
	const char *h[4];
	test_sink t = { .s = { .name = "test", .deliver = test_deliver } };
	relay_stats st = { 0 };
	arena *a;
	event ev;
	error e;
	http_result *r;
	char *dead;

	ck_assert_int_eq(config_init(), 0);
	ck_assert_ptr_nonnull(a = arena_new(64 * 1024));
	client_init(&c);
	snprintf(rid, sizeof rid, "cart-ev-%d-%ld", (int)getpid(), (long)time(NULL));
	snprintf(hrid, sizeof hrid, "X-Request-ID: %s", rid);
	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", c.ip);
	snprintf(body, sizeof body, "{\"product_id\":\"%s\",\"variant_id\":\"%s\",\"quantity\":3}",
	    pid[0], vid[0]);
	h[0] = hrid, h[1] = xff, h[2] = "Content-Type: application/json", h[3] = NULL;

	/* Start from an empty backlog: no relay runs beside the suites, so
	 * every cart event of the other suites (and of earlier runs on this
	 * stack) is still unread or pending, and more than two batches of
	 * them would hide this test's event from the relay calls below. */
	{
		test_sink d = { .s = { .name = "test", .deliver = test_deliver } };
		relay_stats ds = { 0 };
		long before;

		for (int i = 0; i < 10000; i++) {
			before = d.handed;
			err_clear(&e);
			ck_assert_int_eq(relay_stream(&d.s, a, EVENT_BATCH_MAX, &ds, &e), E_OK);
			if (d.handed == before)
				break;
		}
	}
	r = http_do(test_base_url(), "POST", "/api/v1/cart/items", body, h);
	ck_assert_msg(r->status == 200 || r->status == 201, "add: %ld", r->status);
	ck_assert(http_header(r, "x-cart-id", c.cart, sizeof c.cart));
	http_result_free(r);

	/* the event is on the stream with the cart's id, version and line */
	ck_assert_msg(find_event(a, rid, entry, sizeof entry, &ev), "no event for %s", rid);
	snprintf(uuid, sizeof uuid, "%.8s-%.4s-%.4s-%.4s-%.12s", c.cart, c.cart + 8, c.cart + 12,
	    c.cart + 16, c.cart + 20);
	ck_assert_str_eq(ev.type, "ecommerce.cart.updated");
	ck_assert_str_eq(ev.aggregate_type, "cart");
	ck_assert_str_eq(ev.aggregate_id, uuid);
	ck_assert_str_eq(ev.source, "cart");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(ev.data, "operation")), "add");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(ev.data, "variant_id")), vid[0]);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(ev.data, "quantity")), 3);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(ev.data, "version")), 1);
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(ev.data, "line_count")), 1);

	/* a refusing sink: kept pending, not handed out again at once */
	t.want = arena_strdup(a, ev.id);
	t.failing = true;
	err_clear(&e);
	ck_assert_int_eq(relay_stream(&t.s, a, EVENT_BATCH_MAX, &st, &e), E_OK);
	ck_assert_int_eq(relay_stream(&t.s, a, EVENT_BATCH_MAX, &st, &e), E_OK);
	ck_assert_int_eq(t.seen, 1);
	ck_assert(find_event(a, rid, entry, sizeof entry, &ev));
	/* once idle long enough it is claimed again; delivered, it is gone */
	age(a, entry);
	t.failing = false;
	ck_assert_int_eq(relay_stream(&t.s, a, EVENT_BATCH_MAX, &st, &e), E_OK);
	ck_assert_int_eq(t.seen, 2);
	ck_assert(!find_event(a, rid, entry, sizeof entry, &ev));
	ck_assert_int_ge(st.published, 1);

	/* clearing is its own event; one that never gets through is parked */
	snprintf(cid, sizeof cid, "X-Cart-ID: %s", c.cart);
	h[2] = cid;
	r = http_do(test_base_url(), "DELETE", "/api/v1/cart", NULL, h);
	ck_assert_msg(r->status == 200 || r->status == 204, "clear: %ld", r->status);
	http_result_free(r);
	ck_assert(find_event(a, rid, entry, sizeof entry, &ev));
	ck_assert_str_eq(ev.type, "ecommerce.cart.cleared");
	ck_assert_int_eq(json_object_get_int64(json_object_object_get(ev.data, "line_count")), 0);
	t.want = arena_strdup(a, ev.id);
	t.seen = 0;
	t.failing = true;
	for (int i = 0; i < EVENT_MAX_ATTEMPTS; i++) {
		if (i > 0)
			age(a, entry);
		ck_assert_int_eq(relay_stream(&t.s, a, EVENT_BATCH_MAX, &st, &e), E_OK);
	}
	ck_assert_int_eq(t.seen, EVENT_MAX_ATTEMPTS);
	ck_assert(!find_event(a, rid, entry, sizeof entry, &ev));
	snprintf(sql, sizeof sql, "SELECT count(*) FROM events.dead_letters WHERE event_id = '%s'",
	    t.want);
	dead = psql(sql);
	ck_assert_str_eq(dead, "1");
	free(dead);
	arena_free(a);
}
END_TEST

static Suite *
cart_suite(void)
{
	Suite *s = suite_create("cart");
	TCase *tc = tcase_create("cart");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, load_variants, NULL);
	tcase_add_test(tc, guest_cart_created_with_ttl_and_server_prices);
	tcase_add_test(tc, stale_version_conflicts);
	tcase_add_test(tc, concurrent_adds_lose_nothing);
	tcase_add_test(tc, limits_are_refused_with_reasons);
	tcase_add_test(tc, api_login_merges_guest_cart_capped);
	tcase_add_test(tc, changed_price_and_unpublished_are_flagged);
	tcase_add_test(tc, coupon_apply_and_remove);
	tcase_add_test(tc, store_forms_and_login_merge);
	tcase_add_test(tc, cart_changes_are_events_on_the_stream);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (test_base_url() == NULL || getenv("ECOM_TEST_PSQL") == NULL ||
	    getenv("ECOM_TEST_ECOMCTL") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL / ECOM_TEST_PSQL / ECOM_TEST_ECOMCTL not set (./check sets them)");
		return 77;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return check_run(cart_suite());
}
