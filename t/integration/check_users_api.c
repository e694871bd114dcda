/*
 * check_users_api.c — the accounts API (api-v1.md §Accounts) through
 * lighttpd to users.fcgi, with the real PostgreSQL and Redis behind it.
 *
 * Covers: the whole register -> login -> me -> addresses -> wishlist ->
 * refresh rotation -> reuse refused -> logout -> token refused flow;
 * validation errors with their fields; body type and size refusals; 401
 * without a token; a customer's 403 on the admin routes and 404 on another
 * customer's address; the admin's list, search and deactivation; two-factor
 * enrolment over the API; and the same answer from the plain-CGI server.
 *
 * Every account is new (a per-run e-mail), and each test names its own
 * client address with X-Forwarded-For (the test stack trusts loopback as a
 * proxy), so per-IP login throttling in one test cannot leak into another.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "auth/totp.h"

#include "http_client.h"

#define ADMIN_SUB "00000000-0000-4000-8000-0000000000a1"
#define PASSWORD  "correct horse battery staple 7"
#define BIG_BODY  (17 * 1024)

static char client_ip[32];	/* this test's X-Forwarded-For */

/* A fresh client address per test (fork mode: one process per test). */
static void
new_client(void)
{
	snprintf(client_ip, sizeof client_ip, "10.%d.%d.%d", (int)(getpid() % 250) + 1,
	    (int)(time(NULL) % 250) + 1, rand() % 250 + 1);
}

/* method + path with an optional JSON body, optional Bearer token and an
 * optional content type (NULL = application/json). */
static http_result *
call_ct(const char *method, const char *path, const char *body, const char *token,
    const char *ctype)
{
	char auth[4096], ct[128], xff[64];
	const char *hdrs[4] = { ct, xff, NULL, NULL };

	snprintf(ct, sizeof ct, "Content-Type: %s", ctype ? ctype : "application/json");
	snprintf(xff, sizeof xff, "X-Forwarded-For: %s", client_ip);
	if (token) {
		ck_assert_int_lt(snprintf(auth, sizeof auth, "Authorization: Bearer %s", token),
		    (int)sizeof auth);
		hdrs[2] = auth;
	}
	return http_do(test_base_url(), method, path, body, hdrs);
}

static http_result *
call(const char *method, const char *path, const char *body, const char *token)
{
	return call_ct(method, path, body, token, NULL);
}

static void
expect(const http_result *r, long status, const char *code)
{
	ck_assert_msg(r->status == status, "status %ld, want %ld: %s", r->status, status,
	    r->body);
	ck_assert_msg(r->json != NULL, "not JSON: %s", r->body);
	if (code) {
		ck_assert_ptr_nonnull(jstr(r->json, "error.code"));
		ck_assert_str_eq(jstr(r->json, "error.code"), code);
		ck_assert_ptr_nonnull(jstr(r->json, "error.request_id"));
	}
}

/* The field error `field` is present in r's envelope. */
static void
expect_field(const http_result *r, const char *field)
{
	char p[128];

	snprintf(p, sizeof p, "error.fields.%s", field);
	ck_assert_msg(jpath(r->json, p) != NULL, "no fields.%s in %s", field, r->body);
}

static char *
dupe(const char *s)
{
	ck_assert_ptr_nonnull(s);
	return strdup(s);
}

/* A new unique e-mail address for this run. */
static char *
new_email(const char *tag)
{
	static int n;
	char buf[128];

	snprintf(buf, sizeof buf, "%s-%ld-%d-%d@example.com", tag, (long)time(NULL),
	    (int)getpid(), n++);
	return strdup(buf);
}

typedef struct account {
	char *email, *id, *access, *refresh;
} account;

static void
account_free(account *a)
{
	free(a->email);
	free(a->id);
	free(a->access);
	free(a->refresh);
}

/* Take user and tokens from a register/login/refresh answer. */
static void
take_session(account *a, const http_result *r)
{
	free(a->id);
	free(a->access);
	free(a->refresh);
	a->id = dupe(jstr(r->json, "data.user.id"));
	a->access = dupe(jstr(r->json, "data.tokens.access_token"));
	a->refresh = dupe(jstr(r->json, "data.tokens.refresh_token"));
}

static account
register_account(const char *tag)
{
	account a = { new_email(tag), NULL, NULL, NULL };
	char body[512];
	http_result *r;

	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\","
	    "\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}", a.email, PASSWORD);
	r = call("POST", "/api/v1/auth/register", body, NULL);
	expect(r, 201, NULL);
	take_session(&a, r);
	http_result_free(r);
	return a;
}

static http_result *
login(const char *email, const char *password, const char *otp)
{
	char body[512];

	if (otp)
		snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\",\"otp\":\"%s\"}",
		    email, password, otp);
	else
		snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email,
		    password);
	return call("POST", "/api/v1/auth/login", body, NULL);
}

static http_result *
refresh(const char *token)
{
	char body[4096];

	snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", token);
	return call("POST", "/api/v1/auth/refresh", body, NULL);
}

/* Status of GET /users/me with this access token. */
static long
me_status(const char *access)
{
	http_result *r = call("GET", "/api/v1/users/me", NULL, access);
	long st = r->status;

	http_result_free(r);
	return st;
}

static char *
some_product_id(void)
{
	http_result *r = http_get("/api/v1/products?per_page=1");
	char *id;

	ck_assert_int_eq(r->status, 200);
	id = dupe(jstr(r->json, "data.0.id"));
	http_result_free(r);
	return id;
}

static const char address_body[] =
    "{\"label\":\"Home\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\","
    "\"address_line1\":\"12 St James's Square\",\"city\":\"London\","
    "\"postal_code\":\"SW1Y 4JH\",\"country_code\":\"GB\"}";

/* ------------------------------------------------------------ the flow */

START_TEST(register_login_me_addresses)
{
	account a;
	http_result *r;
	char path[256], body[512], *addr;

	new_client();
	a = register_account("flow");
	/* no secret ever leaves */
	r = call("GET", "/api/v1/users/me", NULL, a.access);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.id"), a.id);
	ck_assert_str_eq(jstr(r->json, "data.email"), a.email);
	ck_assert_str_eq(jstr(r->json, "data.role"), "customer");
	ck_assert_ptr_null(strstr(r->body, "password"));
	ck_assert_ptr_null(strstr(r->body, "$2b$"));
	http_result_free(r);

	/* the same e-mail again */
	snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\","
	    "\"first_name\":\"A\",\"last_name\":\"B\"}", a.email, PASSWORD);
	r = call("POST", "/api/v1/auth/register", body, NULL);
	expect(r, 409, "ALREADY_EXISTS");
	http_result_free(r);

	/* wrong password, then the right one */
	r = login(a.email, "not the password at all", NULL);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	r = login(a.email, PASSWORD, NULL);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.user.id"), a.id);
	ck_assert_int_eq(jint(r->json, "data.tokens.expires_in"), 900);
	take_session(&a, r);
	http_result_free(r);

	/* profile */
	r = call("PUT", "/api/v1/users/me", "{\"first_name\":\"Augusta\",\"phone\":\"+44 20 7946 0958\"}",
	    a.access);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.first_name"), "Augusta");
	ck_assert_str_eq(jstr(r->json, "data.last_name"), "Lovelace");
	http_result_free(r);
	r = call("PUT", "/api/v1/users/me", "{\"phone\":null}", a.access);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.first_name"), "Augusta");
	http_result_free(r);

	/* addresses: create (first is the default), list, update, delete */
	r = call("POST", "/api/v1/users/me/addresses", address_body, a.access);
	expect(r, 201, NULL);
	addr = dupe(jstr(r->json, "data.id"));
	ck_assert(json_object_get_boolean(jpath(r->json, "data.is_default")));
	http_result_free(r);
	r = call("GET", "/api/v1/users/me/addresses", NULL, a.access);
	expect(r, 200, NULL);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data")), 1);
	ck_assert_str_eq(jstr(r->json, "data.0.id"), addr);
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/users/me/addresses/%s", addr);
	r = call("PUT", path, "{\"city\":\"Leeds\",\"address_line2\":\"Flat 2\"}", a.access);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.city"), "Leeds");
	ck_assert_str_eq(jstr(r->json, "data.address_line1"), "12 St James's Square");
	http_result_free(r);
	r = call("DELETE", path, NULL, a.access);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.status"), "deleted");
	http_result_free(r);
	r = call("DELETE", path, NULL, a.access);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = call("GET", "/api/v1/users/me/addresses", NULL, a.access);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data")), 0);
	http_result_free(r);

	free(addr);
	account_free(&a);
}
END_TEST

START_TEST(wishlist)
{
	account a;
	http_result *r;
	char path[256], *pid = some_product_id();

	new_client();
	a = register_account("wish");
	snprintf(path, sizeof path, "/api/v1/users/wishlist/%s", pid);
	r = call("GET", path, NULL, a.access);
	expect(r, 200, NULL);
	ck_assert(!json_object_get_boolean(jpath(r->json, "data.in_wishlist")));
	http_result_free(r);

	r = call("POST", path, "", a.access);
	expect(r, 201, NULL);
	http_result_free(r);
	r = call("POST", path, "", a.access);	/* twice is fine */
	ck_assert_int_lt(r->status, 300);
	http_result_free(r);
	r = call("GET", path, NULL, a.access);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.product_id"), pid);
	ck_assert(json_object_get_boolean(jpath(r->json, "data.in_wishlist")));
	http_result_free(r);
	r = call("GET", "/api/v1/users/wishlist", NULL, a.access);
	expect(r, 200, NULL);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data")), 1);
	ck_assert_str_eq(jstr(r->json, "data.0.product_id"), pid);
	http_result_free(r);

	r = call("DELETE", path, NULL, a.access);
	expect(r, 200, NULL);
	http_result_free(r);
	r = call("DELETE", path, NULL, a.access);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);

	/* no such product, and not even an id */
	r = call("GET", "/api/v1/users/wishlist/00000000-0000-4000-8000-00000000dead", NULL, a.access);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = call("POST", "/api/v1/users/wishlist/00000000-0000-4000-8000-00000000dead", "", a.access);
	ck_assert_msg(r->status == 404 || r->status == 400, "%ld %s", r->status, r->body);
	http_result_free(r);
	r = call("GET", "/api/v1/users/wishlist/not-a-uuid", NULL, a.access);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	free(pid);
	account_free(&a);
}
END_TEST

START_TEST(refresh_rotation_reuse_and_logout)
{
	account a, s2 = { 0 };
	http_result *r;
	char *old_refresh, body[4096];

	new_client();
	a = register_account("sess");

	/* rotation: a new pair, and the old refresh token is spent */
	r = refresh(a.refresh);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.user.id"), a.id);
	old_refresh = a.refresh;
	a.refresh = NULL;
	take_session(&a, r);
	ck_assert_str_ne(a.refresh, old_refresh);
	http_result_free(r);
	ck_assert_int_eq(me_status(a.access), 200);

	/* a refresh token is never an access token */
	ck_assert_int_eq(me_status(a.refresh), 401);

	/* reuse of the rotated token: refused, and the whole family dies */
	r = refresh(old_refresh);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	r = refresh(a.refresh);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	ck_assert_int_eq(me_status(a.access), 401);

	/* two sessions; logout ends only the one it is called with */
	r = login(a.email, PASSWORD, NULL);
	expect(r, 200, NULL);
	take_session(&a, r);
	http_result_free(r);
	r = login(a.email, PASSWORD, NULL);
	expect(r, 200, NULL);
	take_session(&s2, r);
	http_result_free(r);

	snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", a.refresh);
	r = call("POST", "/api/v1/auth/logout", body, a.access);
	expect(r, 200, NULL);
	http_result_free(r);
	ck_assert_int_eq(me_status(a.access), 401);
	r = refresh(a.refresh);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	ck_assert_int_eq(me_status(s2.access), 200);

	/* logout without a body ends the access token's session */
	r = http_do(test_base_url(), "POST", "/api/v1/auth/logout", "",
	    (const char *const[]){ "Authorization: Bearer ", NULL });
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	{
		char auth[4096];
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", s2.access);
		r = http_do(test_base_url(), "POST", "/api/v1/auth/logout", "",
		    (const char *const[]){ auth, NULL });
	}
	expect(r, 200, NULL);
	http_result_free(r);
	ck_assert_int_eq(me_status(s2.access), 401);
	r = refresh(s2.refresh);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);

	free(old_refresh);
	account_free(&a);
	account_free(&s2);
}
END_TEST

/* ------------------------------------------------------------ refusals */

START_TEST(validation_errors_have_fields)
{
	account a;
	http_result *r;
	char big[BIG_BODY + 64];

	new_client();
	/* wrong JSON types are field errors */
	r = call("POST", "/api/v1/auth/register",
	    "{\"email\":42,\"password\":true,\"first_name\":[],\"last_name\":\"L\"}", NULL);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "email");
	expect_field(r, "password");
	expect_field(r, "first_name");
	http_result_free(r);
	/* every bad value in one answer */
	r = call("POST", "/api/v1/auth/register",
	    "{\"email\":\"not-an-email\",\"password\":\"short\",\"last_name\":\"L\"}", NULL);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "email");
	expect_field(r, "password");
	expect_field(r, "first_name");
	http_result_free(r);
	r = call("POST", "/api/v1/auth/login", "{}", NULL);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "email");
	expect_field(r, "password");
	http_result_free(r);
	r = call("POST", "/api/v1/auth/refresh", "{\"refresh_token\":1}", NULL);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "refresh_token");
	http_result_free(r);

	/* not an object, not JSON, not declared JSON, too big */
	r = call("POST", "/api/v1/auth/login", "[1,2]", NULL);
	expect(r, 400, "INVALID_INPUT");
	http_result_free(r);
	r = call("POST", "/api/v1/auth/login", "{\"email\":", NULL);
	expect(r, 400, NULL);
	http_result_free(r);
	r = call_ct("POST", "/api/v1/auth/login", "email=a@b.c&password=x", NULL,
	    "application/x-www-form-urlencoded");
	expect(r, 415, "UNSUPPORTED_MEDIA_TYPE");
	http_result_free(r);
	r = call_ct("POST", "/api/v1/auth/register", "{}", NULL, "text/plain");
	expect(r, 415, "UNSUPPORTED_MEDIA_TYPE");
	http_result_free(r);
	memset(big, ' ', sizeof big - 1);
	big[0] = '{';
	big[sizeof big - 2] = '}';
	big[sizeof big - 1] = '\0';
	r = call("POST", "/api/v1/auth/login", big, NULL);
	expect(r, 413, "PAYLOAD_TOO_LARGE");
	http_result_free(r);

	/* signed-in bodies too */
	a = register_account("valid");
	r = call("POST", "/api/v1/users/me/addresses", "{\"city\":\"London\",\"is_default\":\"yes\"}",
	    a.access);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "is_default");
	http_result_free(r);
	r = call("POST", "/api/v1/users/me/addresses", "{\"city\":\"London\"}", a.access);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "first_name");
	expect_field(r, "address_line1");
	expect_field(r, "postal_code");
	expect_field(r, "country_code");
	http_result_free(r);
	r = call("PUT", "/api/v1/users/me", "{\"first_name\":7}", a.access);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "first_name");
	http_result_free(r);
	r = call("POST", "/api/v1/auth/change-password",
	    "{\"current_password\":\"wrong password here\",\"new_password\":\"another fine passphrase\"}",
	    a.access);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "current_password");
	http_result_free(r);
	r = call("POST", "/api/v1/auth/logout", "not json", a.access);
	expect(r, 400, NULL);
	http_result_free(r);
	account_free(&a);
}
END_TEST

START_TEST(who_may_do_what)
{
	account a, b;
	http_result *r;
	char path[256], *addr, *admin = mint_token("admin", ADMIN_SUB);

	new_client();
	/* no token, a bad token */
	r = call("GET", "/api/v1/users/me", NULL, NULL);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	r = call("GET", "/api/v1/users/wishlist", NULL, "not.a.token");
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	r = call("POST", "/api/v1/auth/logout", "", NULL);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);

	a = register_account("owner");
	b = register_account("other");
	/* a customer is not an admin */
	r = call("GET", "/api/v1/users", NULL, a.access);
	expect(r, 403, "FORBIDDEN");
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/users/%s", b.id);
	r = call("GET", path, NULL, a.access);
	expect(r, 403, "FORBIDDEN");
	http_result_free(r);
	r = call("PUT", path, "{\"role\":\"admin\"}", a.access);
	expect(r, 403, "FORBIDDEN");
	http_result_free(r);

	/* b's address is not there for a */
	r = call("POST", "/api/v1/users/me/addresses", address_body, b.access);
	expect(r, 201, NULL);
	addr = dupe(jstr(r->json, "data.id"));
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/users/me/addresses/%s", addr);
	r = call("PUT", path, "{\"city\":\"Paris\"}", a.access);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = call("DELETE", path, NULL, a.access);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = call("GET", "/api/v1/users/me/addresses", NULL, a.access);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data")), 0);
	http_result_free(r);
	r = call("GET", "/api/v1/users/me/addresses", NULL, b.access);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data")), 1);
	ck_assert_str_eq(jstr(r->json, "data.0.city"), "London");
	http_result_free(r);

	free(addr);
	free(admin);
	account_free(&a);
	account_free(&b);
}
END_TEST

START_TEST(admin_lists_searches_and_deactivates)
{
	account a;
	http_result *r;
	char path[512], *admin = mint_token("admin", ADMIN_SUB), *local;

	new_client();
	ck_assert_ptr_nonnull(admin);
	a = register_account("listme");
	/* search by the unique part of the e-mail */
	local = strndup(a.email, strcspn(a.email, "@"));
	snprintf(path, sizeof path, "/api/v1/users?search=%s&role=customer&active=true", local);
	r = call("GET", path, NULL, admin);
	expect(r, 200, NULL);
	ck_assert_int_eq(jint(r->json, "total_count"), 1);
	ck_assert_int_eq(jint(r->json, "page"), 1);
	ck_assert_int_eq(jint(r->json, "per_page"), 20);
	ck_assert_int_eq(jint(r->json, "total_pages"), 1);
	ck_assert(!json_object_get_boolean(jpath(r->json, "has_next")));
	ck_assert_str_eq(jstr(r->json, "data.0.id"), a.id);
	ck_assert_str_eq(jstr(r->json, "data.0.email"), a.email);
	http_result_free(r);
	snprintf(path, sizeof path, "/api/v1/users?search=%s&role=admin", local);
	r = call("GET", path, NULL, admin);
	expect(r, 200, NULL);
	ck_assert_int_eq(jint(r->json, "total_count"), 0);
	http_result_free(r);
	r = call("GET", "/api/v1/users?per_page=2", NULL, admin);
	expect(r, 200, NULL);
	ck_assert_int_le(json_object_array_length(jpath(r->json, "data")), 2);
	ck_assert_int_ge(jint(r->json, "total_count"), 1);
	http_result_free(r);
	static const char *bad[] = { "/api/v1/users?role=root", "/api/v1/users?active=maybe",
	    "/api/v1/users?per_page=0", "/api/v1/users?page=x" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = call("GET", bad[i], NULL, admin);
		ck_assert_msg(r->status == 400, "%s: %ld", bad[i], r->status);
		ck_assert_str_eq(jstr(r->json, "error.code"), "INVALID_PARAMETER");
		http_result_free(r);
	}

	/* one user; bad ids; bad changes */
	snprintf(path, sizeof path, "/api/v1/users/%s", a.id);
	r = call("GET", path, NULL, admin);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.email"), a.email);
	http_result_free(r);
	r = call("GET", "/api/v1/users/not-a-uuid", NULL, admin);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = call("GET", "/api/v1/users/00000000-0000-4000-8000-00000000beef", NULL, admin);
	expect(r, 404, "NOT_FOUND");
	http_result_free(r);
	r = call("PUT", path, "{\"role\":\"superuser\",\"active\":\"no\"}", admin);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "role");
	expect_field(r, "active");
	http_result_free(r);

	/* deactivation ends the sessions and the logins */
	ck_assert_int_eq(me_status(a.access), 200);
	r = call("PUT", path, "{\"active\":false}", admin);
	expect(r, 200, NULL);
	ck_assert(!json_object_get_boolean(jpath(r->json, "data.is_active")));
	http_result_free(r);
	ck_assert_int_eq(me_status(a.access), 401);
	r = login(a.email, PASSWORD, NULL);
	expect(r, 401, "UNAUTHORIZED");
	http_result_free(r);
	r = call("PUT", path, "{\"active\":true,\"role\":\"seller\"}", admin);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.role"), "seller");
	http_result_free(r);
	r = login(a.email, PASSWORD, NULL);
	expect(r, 200, NULL);
	ck_assert_str_eq(jstr(r->json, "data.user.role"), "seller");
	http_result_free(r);

	/* an admin without 2FA (ECOM_ADMIN_2FA=required, the default) gets
	 * no tokens from the API: enrolment happens in the admin panel */
	r = call("PUT", path, "{\"role\":\"admin\"}", admin);
	expect(r, 200, NULL);
	http_result_free(r);
	r = login(a.email, PASSWORD, NULL);
	expect(r, 403, "FORBIDDEN");
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "error.message"), "/admin/login"));
	ck_assert_ptr_null(strstr(r->body, "access_token"));
	http_result_free(r);

	free(local);
	free(admin);
	account_free(&a);
}
END_TEST

START_TEST(forgot_password_says_the_same)
{
	account a;
	http_result *r1, *r2;
	char body[512];

	new_client();
	a = register_account("forgot");
	snprintf(body, sizeof body, "{\"email\":\"%s\"}", a.email);
	r1 = call("POST", "/api/v1/auth/forgot-password", body, NULL);
	r2 = call("POST", "/api/v1/auth/forgot-password",
	    "{\"email\":\"nobody-ever-registered-this@example.com\"}", NULL);
	expect(r1, 200, NULL);
	expect(r2, 200, NULL);
	ck_assert_str_eq(r1->body, r2->body);
	http_result_free(r1);
	http_result_free(r2);
	r1 = call("POST", "/api/v1/auth/reset-password",
	    "{\"token\":\"0123456789abcdef\",\"new_password\":\"a brand new passphrase\"}", NULL);
	expect(r1, 400, "VALIDATION_ERROR");
	expect_field(r1, "token");
	http_result_free(r1);
	r1 = call("POST", "/api/v1/auth/verify-email", "{}", NULL);
	expect(r1, 400, "VALIDATION_ERROR");
	expect_field(r1, "token");
	http_result_free(r1);
	account_free(&a);
}
END_TEST

/* Enrol with the secret the API hands out, then the login wants the
 * second factor (fields.otp), takes a recovery code, and 2FA goes off
 * again with the password. */
START_TEST(two_factor_over_the_api)
{
	account a;
	http_result *r;
	char body[256], *secret, *recovery;

	new_client();
	a = register_account("totp");
	r = call("POST", "/api/v1/users/me/2fa/setup", "", a.access);
	expect(r, 200, NULL);
	secret = dupe(jstr(r->json, "data.secret"));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "data.otpauth_uri"), "otpauth://totp/"));
	http_result_free(r);

	r = call("POST", "/api/v1/users/me/2fa/confirm", "{\"otp\":\"000000x\"}", a.access);
	expect(r, 400, "VALIDATION_ERROR");
	expect_field(r, "otp");
	http_result_free(r);
	snprintf(body, sizeof body, "{\"otp\":\"%06d\"}", totp_code(secret, time(NULL)));
	r = call("POST", "/api/v1/users/me/2fa/confirm", body, a.access);
	expect(r, 200, NULL);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "data.recovery_codes")),
	    RECOVERY_CODES);
	recovery = dupe(jstr(r->json, "data.recovery_codes.0"));
	http_result_free(r);

	r = login(a.email, PASSWORD, NULL);
	expect(r, 401, "UNAUTHORIZED");
	expect_field(r, "otp");
	ck_assert_ptr_null(jpath(r->json, "data"));
	http_result_free(r);
	r = login(a.email, PASSWORD, "999999x");
	expect(r, 401, "UNAUTHORIZED");
	expect_field(r, "otp");
	http_result_free(r);
	r = login(a.email, PASSWORD, recovery);
	expect(r, 200, NULL);
	take_session(&a, r);
	http_result_free(r);
	r = call("GET", "/api/v1/users/me", NULL, a.access);
	ck_assert(json_object_get_boolean(jpath(r->json, "data.two_factor_enabled")));
	http_result_free(r);

	r = call("POST", "/api/v1/users/me/2fa/disable", "{\"password\":\"wrong password here\"}",
	    a.access);
	ck_assert_msg(r->status == 400 || r->status == 401, "%ld %s", r->status, r->body);
	http_result_free(r);
	snprintf(body, sizeof body, "{\"password\":\"%s\"}", PASSWORD);
	r = call("POST", "/api/v1/users/me/2fa/disable", body, a.access);
	expect(r, 200, NULL);
	http_result_free(r);
	r = login(a.email, PASSWORD, NULL);
	expect(r, 200, NULL);
	http_result_free(r);

	free(secret);
	free(recovery);
	account_free(&a);
}
END_TEST

/* The plain-CGI server routes /api/v1/users to the same binary. */
START_TEST(cgi_serves_the_accounts_api)
{
	const char *cgi = getenv("ECOM_TEST_CGI_URL");
	account a;
	char auth[4096];
	http_result *f, *c;

	if (cgi == NULL || *cgi == '\0')
		return;
	new_client();
	a = register_account("cgi");
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", a.access);
	f = http_do(test_base_url(), "GET", "/api/v1/users/me", NULL, (const char *const[]){ auth, NULL });
	c = http_do(cgi, "GET", "/api/v1/users/me", NULL, (const char *const[]){ auth, NULL });
	expect(f, 200, NULL);
	expect(c, 200, NULL);
	ck_assert_str_eq(f->body, c->body);
	http_result_free(f);
	http_result_free(c);
	c = http_do(cgi, "GET", "/api/v1/users", NULL, (const char *const[]){ auth, NULL });
	expect(c, 403, "FORBIDDEN");
	http_result_free(c);
	account_free(&a);
}
END_TEST

static Suite *
users_suite(void)
{
	Suite *s = suite_create("users_api");
	TCase *tc = tcase_create("accounts");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, register_login_me_addresses);
	tcase_add_test(tc, wishlist);
	tcase_add_test(tc, refresh_rotation_reuse_and_logout);
	tcase_add_test(tc, validation_errors_have_fields);
	tcase_add_test(tc, who_may_do_what);
	tcase_add_test(tc, admin_lists_searches_and_deactivates);
	tcase_add_test(tc, forgot_password_says_the_same);
	tcase_add_test(tc, two_factor_over_the_api);
	tcase_add_test(tc, cgi_serves_the_accounts_api);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (test_base_url() == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL not set (./check sets it)");
		return 77;
	}
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	return check_run(users_suite());
}
