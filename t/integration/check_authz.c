/*
 * check_authz.c — the authorization matrix: every route of every responder
 * x {anonymous, customer A, customer B, seller, admin} -> the expected
 * status, through lighttpd with the real database behind it.
 *
 * The routes come from the responders themselves (`<name>.fcgi --routes`
 * prints the table app_main runs), so a route added without a row here
 * fails the suite, and so does a row left behind for a route that is gone.
 *
 * Requests carry Bearer tokens from real logins (POST /api/v1/auth/login;
 * the admin answers a TOTP code), so the whole chain is exercised: session,
 * role gate, then the handler's ownership rule (someone else's resource is
 * 404, never 403).  Bodies are empty objects or empty forms: a principal
 * that passes the gates gets the handler's own answer (often 400 for the
 * missing fields), which is what tells "refused at the gate" from
 * "allowed".  Destructive rows aim at ids that do not exist, so running the
 * matrix changes nothing a later row depends on.
 *
 * ECOM_AUTHZ_PRINT=1 prints the observed matrix as rows instead of
 * asserting, to review when routes are added.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"

#include "auth/totp.h"
#include "http_client.h"

enum { ANON, CUST_A, CUST_B, SELLER, ADMIN, NPRINC };
static const char *const princ_name[NPRINC] = { "anon", "custA", "custB", "seller", "admin" };

typedef struct row {
	const char *app;	/* responder name */
	const char *method;
	const char *pattern;	/* exactly as in the route table */
	const char *path;	/* concrete; {name} replaced by a fixture */
	int         status[NPRINC];
} row;

#define NONE_ID "00000000-0000-4000-8000-00000000dead"

/* Statuses: 2xx/3xx/4xx exact.  For HTML routes, an anonymous caller on a
 * signed-in page is sent to the login form (303). */
static const row rows[] = {
#include "authz_rows.h"
};
#define NROWS (sizeof rows / sizeof rows[0])

/* Rows whose point needs a valid body: an update of customer A's address
 * must reach the ownership rule (404 for anyone else), not stop at
 * validation. */
static const struct {
	const char *app, *method, *pattern, *body;
} bodies[] = {
	{ "store", "POST", "/account/addresses/{id}", "first_name=Ada&last_name=Matrix&"
	  "address_line1=1+Gate+St&city=Lyon&postal_code=69001&country_code=FR" },
};

static const char *
body_of(const row *rw)
{
	int html = strcmp(rw->app, "store") == 0 || strcmp(rw->app, "admin") == 0;

	if (strcmp(rw->method, "GET") == 0 || strcmp(rw->method, "DELETE") == 0)
		return NULL;
	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		if (strcmp(bodies[i].app, rw->app) == 0 && strcmp(bodies[i].method, rw->method) == 0 &&
		    strcmp(bodies[i].pattern, rw->pattern) == 0)
			return bodies[i].body;
	return html ? "" : "{}";
}

/* ------------------------------------------------------------ fixtures */

static char *token[NPRINC];
/* Tokens outside any session (ecomctl token) for the logout rows, so that
 * signing out does not end the sessions the other rows use. */
static char *loose_token[NPRINC];
static struct { const char *name; char *val; } fix[16];
static size_t nfix;

static void
fix_set(const char *name, const char *val)
{
	ck_assert_msg(val != NULL && *val != '\0', "fixture %s is empty", name);
	fix[nfix].name = name;
	fix[nfix].val = strdup(val);
	nfix++;
}

static const char *
fix_get(const char *name, size_t n)
{
	for (size_t i = 0; i < nfix; i++)
		if (strlen(fix[i].name) == n && strncmp(fix[i].name, name, n) == 0)
			return fix[i].val;
	ck_abort_msg("no fixture {%.*s}", (int)n, name);
	return NULL;
}

static void
expand(const char *path, char *out, size_t cap)
{
	size_t o = 0;

	for (const char *p = path; *p != '\0' && o + 1 < cap; p++) {
		const char *end;

		if (*p == '{' && (end = strchr(p, '}')) != NULL) {
			o += (size_t)snprintf(out + o, cap - o, "%s", fix_get(p + 1, (size_t)(end - p - 1)));
			p = end;
		} else {
			out[o++] = *p;
		}
	}
	out[o < cap ? o : cap - 1] = '\0';
}

static char *
cred(const char *key)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, ". '%s' && printf %%s \"$%s\"", getenv("ECOM_TEST_CREDENTIALS"), key);
	return run_capture(cmd);
}

/* Create an account with ecomctl (exit 3: it exists from an earlier run). */
static void
make_user(const char *email, const char *pw, const char *role, const char *totp)
{
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | '%s' user create --email '%s' --role %s%s%s"
	    " >/dev/null 2>&1", pw, getenv("ECOM_TEST_ECOMCTL"), email, role,
	    totp != NULL ? " --totp-secret " : "", totp != NULL ? totp : "");
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && (WEXITSTATUS(rc) == 0 || WEXITSTATUS(rc) == 3),
	    "ecomctl user create %s failed", email);
}

static char *
login(const char *email, const char *pw, const char *totp)
{
	const char *hdrs[] = { "Content-Type: application/json", "X-Forwarded-For: 198.51.100.77", NULL };

	for (int attempt = 0; attempt < 3; attempt++) {
		char body[512];
		http_result *r;
		char *tok;

		if (totp != NULL)
			snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\",\"otp\":\"%06d\"}",
			    email, pw, totp_code(totp, (int64_t)time(NULL)));
		else
			snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, pw);
		r = http_do(test_base_url(), "POST", "/api/v1/auth/login", body, hdrs);
		if (r->status == 200) {
			tok = strdup(jstr(r->json, "data.tokens.access_token"));
			http_result_free(r);
			return tok;
		}
		/* a TOTP code is single use: another suite may have just used
		 * this step's code; the next step brings a new one */
		ck_assert_msg(totp != NULL && r->status == 401, "login %s: %ld %s", email, r->status, r->body);
		http_result_free(r);
		sleep(TOTP_STEP_S - (unsigned)(time(NULL) % TOTP_STEP_S) + 1);
	}
	ck_abort_msg("login %s failed three times", email);
	return NULL;
}

static http_result *
call(int who, const row *rw, const char *path)
{
	const char *app = rw->app, *method = rw->method;
	const char *tok = strstr(rw->pattern, "logout") != NULL ? loose_token[who] : token[who];
	char auth[4096];
	const char *hdrs[4];
	int json = strcmp(app, "store") != 0 && strcmp(app, "admin") != 0;
	int n = 0;

	/* the matrix is about roles: rate limits get a bucket of their own */
	hdrs[n++] = "X-Forwarded-For: 198.51.100.78";
	if (tok != NULL) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
		hdrs[n++] = auth;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0)
		hdrs[n++] = json ? "Content-Type: application/json" :
		    "Content-Type: application/x-www-form-urlencoded";
	hdrs[n] = NULL;
	return http_do(test_base_url(), method, path, body_of(rw), hdrs);
}

static void
setup_fixtures(void)
{
	static const char totp[] = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
	const char *pw = "matrix-pass-4f9c2e7a1b";
	char *email_a = cred("customer_email"), *pw_a = cred("customer_password");
	const char *hdrs[] = { NULL, "Content-Type: application/json", NULL };
	char auth[4096];
	http_result *r;

	make_user("matrix.b@example.com", pw, "customer", NULL);
	make_user("matrix.seller@example.com", pw, "seller", NULL);
	make_user("matrix.admin@example.com", pw, "admin", totp);
	token[ANON] = NULL;
	token[CUST_A] = login(email_a, pw_a, NULL);
	token[CUST_B] = login("matrix.b@example.com", pw, NULL);
	token[SELLER] = login("matrix.seller@example.com", pw, NULL);
	token[ADMIN] = login("matrix.admin@example.com", pw, totp);

	/* catalog: a published demo product with a variant, image and reviews */
	r = http_get("/api/v1/products?per_page=1&sort_by=name_asc");
	ck_assert_int_eq(r->status, 200);
	fix_set("product", jstr(r->json, "data.0.id"));
	fix_set("pslug", jstr(r->json, "data.0.slug"));
	http_result_free(r);
	/* the first category the storefront shows: other suites sharing this
	 * database leave categories of their own, some inactive */
	r = http_get("/api/v1/categories");
	ck_assert_int_eq(r->status, 200);
	for (int i = 0; i < 100; i++) {
		char key[32], path[300];
		const char *slug;
		http_result *page;
		long st;

		snprintf(key, sizeof key, "data.%d.slug", i);
		ck_assert_msg((slug = jstr(r->json, key)) != NULL, "no category the storefront shows");
		snprintf(path, sizeof path, "/c/%s", slug);
		page = http_get(path);
		st = page->status;
		http_result_free(page);
		if (st == 200) {
			snprintf(key, sizeof key, "data.%d.id", i);
			fix_set("category", jstr(r->json, key));
			fix_set("cslug", slug);
			break;
		}
	}
	http_result_free(r);
	r = http_get("/api/v1/brands");
	ck_assert_int_eq(r->status, 200);
	fix_set("brand", jstr(r->json, "data.0.id"));
	http_result_free(r);

	/* accounts: customer A's own address, and A's user id */
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token[CUST_A]);
	hdrs[0] = auth;
	r = http_do(test_base_url(), "POST", "/api/v1/users/me/addresses",
	    "{\"first_name\":\"Ada\",\"last_name\":\"Matrix\",\"address_line1\":\"1 Gate St\","
	    "\"city\":\"Lyon\",\"postal_code\":\"69001\",\"country_code\":\"FR\"}", hdrs);
	ck_assert_msg(r->status == 201, "address: %ld %s", r->status, r->body);
	fix_set("addr_a", jstr(r->json, "data.id"));
	http_result_free(r);
	r = http_do(test_base_url(), "GET", "/api/v1/users/me", NULL, hdrs);
	ck_assert_int_eq(r->status, 200);
	fix_set("user_a", jstr(r->json, "data.id"));
	http_result_free(r);
	fix_set("none", NONE_ID);
	for (int w = CUST_A; w < NPRINC; w++) {
		static const char *const roles[NPRINC] = { NULL, "customer", "customer", "seller", "admin" };

		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token[w]);
		r = http_do(test_base_url(), "GET", "/api/v1/users/me", NULL, hdrs);
		ck_assert_int_eq(r->status, 200);
		loose_token[w] = mint_token(roles[w], jstr(r->json, "data.id"));
		http_result_free(r);
	}
	free(email_a);
	free(pw_a);
}

/* ------------------------------------------------------------ routes */

typedef struct live_route {
	char app[32], method[8], pattern[256];
	int  seen;
} live_route;

static live_route live[512];
static size_t nlive;

static void
load_routes(void)
{
	const char *bin = getenv("ECOM_TEST_BIN");
	struct dirent *d;
	DIR *dir;

	ck_assert_msg(bin != NULL, "ECOM_TEST_BIN not set");
	ck_assert_ptr_nonnull(dir = opendir(bin));
	while ((d = readdir(dir)) != NULL) {
		size_t n = strlen(d->d_name);
		char cmd[1024], line[512];
		FILE *p;

		if (n < 6 || strcmp(d->d_name + n - 5, ".fcgi") != 0)
			continue;
		snprintf(cmd, sizeof cmd, "'%s/%s' --routes", bin, d->d_name);
		ck_assert_ptr_nonnull(p = popen(cmd, "r"));
		while (fgets(line, sizeof line, p) != NULL) {
			live_route *lr = &live[nlive++];

			ck_assert(nlive < sizeof live / sizeof live[0]);
			snprintf(lr->app, sizeof lr->app, "%.*s", (int)(n - 5), d->d_name);
			ck_assert(sscanf(line, "%7s %255s", lr->method, lr->pattern) == 2);
			lr->seen = 0;
		}
		ck_assert_int_eq(pclose(p), 0);
	}
	closedir(dir);
	ck_assert_msg(nlive > 0, "no responder printed routes");
}

START_TEST(every_route_has_a_row)
{
	int missing = 0, stale = 0;

	load_routes();
	for (size_t i = 0; i < NROWS; i++) {
		size_t k;

		for (k = 0; k < nlive; k++)
			if (strcmp(live[k].app, rows[i].app) == 0 &&
			    strcmp(live[k].method, rows[i].method) == 0 &&
			    strcmp(live[k].pattern, rows[i].pattern) == 0)
				break;
		if (k == nlive) {
			fprintf(stderr, "stale row: %s %s %s (no such route)\n", rows[i].app,
			    rows[i].method, rows[i].pattern);
			stale++;
		} else {
			live[k].seen = 1;
		}
	}
	for (size_t k = 0; k < nlive; k++)
		if (!live[k].seen) {
			fprintf(stderr, "route without a row: %s %s %s\n", live[k].app,
			    live[k].method, live[k].pattern);
			missing++;
		}
	ck_assert_msg(missing == 0 && stale == 0, "%d routes without a row, %d stale rows", missing,
	    stale);
}
END_TEST

START_TEST(matrix)
{
	int print = getenv("ECOM_AUTHZ_PRINT") != NULL, bad = 0;

	setup_fixtures();
	for (size_t i = 0; i < NROWS; i++) {
		const row *rw = &rows[i];
		char path[1024];
		long got[NPRINC];

		expand(rw->path, path, sizeof path);
		for (int w = 0; w < NPRINC; w++) {
			http_result *r = call(w, rw, path);

			got[w] = r->status;
			if (!print && got[w] != rw->status[w]) {
				fprintf(stderr, "%s %s %s as %s: %ld, want %d: %.300s\n", rw->app,
				    rw->method, path, princ_name[w], got[w], rw->status[w], r->body);
				bad++;
			}
			http_result_free(r);
		}
		if (print)
			printf("\t{ \"%s\", \"%s\", \"%s\", \"%s\",\n\t    { %ld, %ld, %ld, %ld, %ld } },\n",
			    rw->app, rw->method, rw->pattern, rw->path, got[0], got[1], got[2], got[3], got[4]);
	}
	ck_assert_msg(bad == 0, "%d cells of the matrix differ (see above)", bad);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;

	if (test_base_url() == NULL || getenv("ECOM_TEST_CREDENTIALS") == NULL) {
		puts("SKIP: ECOM_TEST_BASE_URL / ECOM_TEST_CREDENTIALS not set (./check sets them)");
		return 77;
	}
	s = suite_create("authz");
	tc = tcase_create("matrix");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, every_route_has_a_row);
	tcase_add_test(tc, matrix);
	suite_add_tcase(s, tc);
	return check_run(s);
}
