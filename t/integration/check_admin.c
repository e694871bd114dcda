/*
 * check_admin.c — the admin panel through lighttpd with the real
 * PostgreSQL and Redis: sign-in with a TOTP code, the enrolment an admin
 * without 2FA is held to, a customer refused, the user list and its
 * filters, a role change, an admin's own demotion refused, CSRF refusals,
 * and that an anonymous browser is sent to the sign-in page.
 *
 * Every test makes its own accounts (ecomctl user create, unique e-mails)
 * so a code is never used twice within its 30 seconds, and reruns against
 * the same stack (release and sanitizer builds) do not collide.  A small
 * cookie jar plays the browser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "../check_run.h"
#include "auth/totp.h"

#include "browser.h"
#include "http_client.h"

/* Whether the jar holds a live cookie whose name contains `part`. */
static int
jar_has(const jar *j, const char *part)
{
	for (int i = 0; i < j->n; i++)
		if (strstr(j->name[i], part) != NULL)
			return 1;
	return 0;
}

static void
location_is(const http_result *r, const char *want)
{
	char v[1024];

	ck_assert_msg(r->status == 303, "status %ld, want 303: %.400s", r->status, r->body);
	ck_assert(http_header(r, "location", v, sizeof v));
	ck_assert_msg(strcmp(v, want) == 0, "Location %s, want %s", v, want);
}

/* ------------------------------------------------------------ accounts */

static const char *
unique(const char *what)
{
	static char buf[8][128];
	static int k;
	char *b = buf[k++ % 8];

	snprintf(b, 128, "%s-%ld-%d-%d@admin-test.example", what, (long)time(NULL),
	    (int)getpid(), k);
	return b;
}

static char *
form_escape(const char *s)
{
	char *out = malloc(3 * strlen(s) + 1), *o = out;

	ck_assert_ptr_nonnull(out);
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '.' || *s == '_')
			*o++ = *s;
		else
			o += snprintf(o, 4, "%%%02X", (unsigned char)*s);
	}
	*o = '\0';
	return out;
}

/* The first step of the sign-in form; returns the response (caller frees). */
static http_result *
submit_password(jar *j, const char *email, const char *pw)
{
	http_result *r = browse(j, "GET", "/admin/login", NULL);
	char body[1024], *e = form_escape(email), *p = form_escape(pw);

	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&email=%s&password=%s",
	    csrf_of(r), e, p);
	free(e);
	free(p);
	http_result_free(r);
	return browse(j, "POST", "/admin/login", body);
}

/*
 * Sign in a new admin without 2FA and enrol it (the path that needs only
 * the password step); the jar then holds a session past enrolment.
 */
static void
sign_in_enrolling(jar *j, const char *email)
{
	http_result *r = submit_password(j, email, browser_password());
	char secret[TOTP_SECRET_B32_MAX], body[256];
	const char *p;
	size_t n;

	location_is(r, "/admin/2fa/enrol");
	http_result_free(r);
	r = browse(j, "GET", "/admin/2fa/enrol", NULL);
	ck_assert_int_eq(r->status, 200);
	p = strstr(r->body, "<code id=\"secret\">");
	ck_assert_ptr_nonnull(p);
	p += strlen("<code id=\"secret\">");
	n = strcspn(p, "<");
	ck_assert(n > 16 && n < sizeof secret);
	memcpy(secret, p, n);
	secret[n] = '\0';
	snprintf(body, sizeof body, "csrf_token=%s&secret=%s&code=%06d", csrf_of(r), secret,
	    totp_code(secret, time(NULL)));
	http_result_free(r);
	r = browse(j, "POST", "/admin/2fa/enrol", body);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	http_result_free(r);
}

static void
new_secret(char out[TOTP_SECRET_B32_MAX])
{
	ck_assert_int_eq(totp_secret_new(out), 0);
}

/* ------------------------------------------------------------ tests */

START_TEST(anonymous_is_sent_to_sign_in)
{
	jar j = { .n = 0 };
	http_result *r = browse(&j, "GET", "/admin/users?q=x", NULL);

	location_is(r, "/admin/login?next=%2Fadmin%2Fusers%3Fq%3Dx");
	http_result_free(r);
	r = browse(&j, "GET", "/admin/login", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "name=\"password\""));
	http_result_free(r);
}
END_TEST

START_TEST(totp_admin_signs_in_in_two_steps)
{
	jar j = { .n = 0 };
	char secret[TOTP_SECRET_B32_MAX], body[256], v[256];
	const char *email = unique("totp");
	char *id;
	http_result *r;

	new_secret(secret);
	id = create_user(email, "admin", secret);

	r = submit_password(&j, email, browser_password());
	location_is(r, "/admin/login/code?next=%2Fadmin");
	ck_assert_ptr_null(strstr(r->headers, browser_password()));
	ck_assert(!jar_has(&j, "access"));	/* not signed in before the code */
	http_result_free(r);

	r = browse(&j, "GET", "/admin/login/code?next=%2Fadmin", NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, email));
	ck_assert_ptr_null(strstr(r->body, browser_password()));	/* never echoed */
	ck_assert_ptr_null(strstr(r->body, "name=\"password\""));

	/* a wrong code keeps the code form */
	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&code=%06d", csrf_of(r),
	    (totp_code(secret, time(NULL)) + 500000) % 1000000);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/login/code", body);
	ck_assert_msg(r->status == 401, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "name=\"code\""));
	ck_assert(!jar_has(&j, "access"));

	/* a forged pending cookie (another e-mail) is refused */
	{
		jar forged = j;
		for (int i = 0; i < forged.n; i++)
			if (strstr(forged.name[i], "admin-2fa") != NULL)
				forged.value[i][0] = forged.value[i][0] == '6' ? '7' : '6';
		http_result *f = browse(&forged, "GET", "/admin/login/code", NULL);
		location_is(f, "/admin/login");
		http_result_free(f);
	}

	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&code=%06d", csrf_of(r),
	    totp_code(secret, time(NULL)));
	http_result_free(r);
	r = browse(&j, "POST", "/admin/login/code", body);
	location_is(r, "/admin");
	ck_assert(jar_has(&j, "access"));
	ck_assert(!jar_has(&j, "admin-2fa"));	/* the pending cookie is spent */
	http_result_free(r);

	r = browse(&j, "GET", "/admin", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, email));
	ck_assert(http_header(r, "cache-control", v, sizeof v));
	ck_assert_str_eq(v, "no-store");
	ck_assert(http_header(r, "x-robots-tag", v, sizeof v));
	ck_assert_ptr_nonnull(strstr(v, "noindex"));
	ck_assert_ptr_nonnull(strstr(r->body, "<meta name=\"robots\" content=\"noindex"));

	/* sign out: the cookies go and the panel is closed */
	snprintf(body, sizeof body, "csrf_token=%s", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", "/admin/logout", body);
	location_is(r, "/admin/login");
	http_result_free(r);
	ck_assert(!jar_has(&j, "access"));
	r = browse(&j, "GET", "/admin", NULL);
	ck_assert_int_ne(r->status, 200);
	http_result_free(r);
	free(id);
}
END_TEST

START_TEST(admin_without_2fa_must_enrol)
{
	jar j = { .n = 0 };
	const char *email = unique("enrol");
	char *id = create_user(email, "admin", NULL), secret[TOTP_SECRET_B32_MAX], body[256];
	const char *p;
	http_result *r;
	size_t n;
	int codes = 0;

	r = submit_password(&j, email, browser_password());
	location_is(r, "/admin/2fa/enrol");
	ck_assert(jar_has(&j, "access"));
	http_result_free(r);

	/* every page sends the admin back to enrolment */
	r = browse(&j, "GET", "/admin", NULL);
	location_is(r, "/admin/2fa/enrol");
	http_result_free(r);
	r = browse(&j, "GET", "/admin/users", NULL);
	location_is(r, "/admin/2fa/enrol");
	http_result_free(r);

	r = browse(&j, "GET", "/admin/2fa/enrol", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	p = strstr(r->body, "<code id=\"secret\">");
	ck_assert_ptr_nonnull(p);
	p += strlen("<code id=\"secret\">");
	n = strcspn(p, "<");
	ck_assert(n > 16 && n < sizeof secret);
	memcpy(secret, p, n);
	secret[n] = '\0';
	ck_assert_ptr_nonnull(strstr(r->body, "otpauth://totp/"));

	snprintf(body, sizeof body, "csrf_token=%s&secret=%s&code=%06d", csrf_of(r), secret,
	    (totp_code(secret, time(NULL)) + 500000) % 1000000);
	http_result_free(r);
	r = browse(&j, "POST", "/admin/2fa/enrol", body);
	ck_assert_msg(r->status == 400, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, secret));	/* the same secret shown again */

	snprintf(body, sizeof body, "csrf_token=%s&secret=%s&code=%06d", csrf_of(r), secret,
	    totp_code(secret, time(NULL)));
	http_result_free(r);
	r = browse(&j, "POST", "/admin/2fa/enrol", body);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	for (p = strstr(r->body, "id=\"recovery-codes\""); p != NULL && (p = strstr(p, "<li><code>")) != NULL; p++)
		codes++;
	ck_assert_int_eq(codes, RECOVERY_CODES);
	http_result_free(r);

	r = browse(&j, "GET", "/admin", NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	http_result_free(r);
	free(id);
}
END_TEST

START_TEST(customer_is_refused)
{
	jar j = { .n = 0 };
	const char *email = unique("customer");
	char *id = create_user(email, "customer", NULL);
	http_result *r = submit_password(&j, email, browser_password());

	ck_assert_msg(r->status == 403, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "no admin access"));
	ck_assert(!jar_has(&j, "access"));
	ck_assert(!jar_has(&j, "refresh"));
	http_result_free(r);
	r = browse(&j, "GET", "/admin", NULL);
	ck_assert_int_ne(r->status, 200);
	http_result_free(r);

	/* wrong password: the form again, the password not in it */
	r = submit_password(&j, email, "Not-the-password-42");
	ck_assert_msg(r->status == 401, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_null(strstr(r->body, "Not-the-password-42"));
	http_result_free(r);
	free(id);
}
END_TEST

START_TEST(users_list_search_and_role_change)
{
	jar j = { .n = 0 };
	char path[512], body[512], *row;
	const char *admin = unique("lister"), *cust = unique("findme");
	char *admin_id, *cust_id, *tag;
	http_result *r;

	admin_id = create_user(admin, "admin", NULL);
	cust_id = create_user(cust, "customer", NULL);
	sign_in_enrolling(&j, admin);

	/* search by a part of the e-mail finds exactly that account */
	tag = strndup(cust, strcspn(cust, "@"));
	snprintf(path, sizeof path, "/admin/users?q=%s", tag);
	r = browse(&j, "GET", path, NULL);
	ck_assert_msg(r->status == 200, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, cust));
	ck_assert_ptr_nonnull(strstr(r->body, ">1 accounts<"));
	/* the header names the signed-in admin; the list is in <main> */
	ck_assert_ptr_nonnull(strstr(r->body, "<main"));
	ck_assert_ptr_null(strstr(strstr(r->body, "<main"), admin));
	http_result_free(r);
	snprintf(path, sizeof path, "/admin/users?q=%s&role=admin", tag);
	r = browse(&j, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_null(strstr(r->body, cust));
	http_result_free(r);
	r = browse(&j, "GET", "/admin/users?role=emperor", NULL);
	ck_assert_int_eq(r->status, 400);
	http_result_free(r);
	snprintf(path, sizeof path, "/admin/users?role=admin&active=1&q=%.*s", (int)strcspn(admin, "@"),
	    admin);
	r = browse(&j, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(strstr(r->body, "<main"), admin));
	http_result_free(r);

	/* details, then customer -> seller */
	snprintf(path, sizeof path, "/admin/users/%s", cust_id);
	r = browse(&j, "GET", path, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, cust));
	snprintf(body, sizeof body, "csrf_token=%s&role=seller&active_sent=1&active=1", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", path, body);
	snprintf(body, sizeof body, "/admin/users/%s?saved=1", cust_id);
	location_is(r, body);
	http_result_free(r);
	snprintf(body, sizeof body, "SELECT role FROM users.users WHERE id = '%s'", cust_id);
	row = psql_value(body);
	ck_assert_str_eq(row, "seller");
	free(row);

	/* a bad role value is shown by the field */
	r = browse(&j, "GET", path, NULL);
	snprintf(body, sizeof body, "csrf_token=%s&role=emperor&active_sent=1&active=1", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", path, body);
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"role-error\""));
	http_result_free(r);

	/* the admin's own demotion is refused with the domain's message */
	snprintf(path, sizeof path, "/admin/users/%s", admin_id);
	r = browse(&j, "GET", path, NULL);
	snprintf(body, sizeof body, "csrf_token=%s&role=customer&active_sent=1&active=1", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", path, body);
	ck_assert_msg(r->status == 409, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"role-error\""));
	http_result_free(r);
	/* and so is deactivating themself (the box left unticked) */
	r = browse(&j, "GET", path, NULL);
	snprintf(body, sizeof body, "csrf_token=%s&role=admin&active_sent=1", csrf_of(r));
	http_result_free(r);
	r = browse(&j, "POST", path, body);
	ck_assert_msg(r->status == 409, "%ld %.300s", r->status, r->body);
	ck_assert_ptr_nonnull(strstr(r->body, "id=\"active-error\""));
	http_result_free(r);
	snprintf(body, sizeof body, "SELECT role || ' ' || active FROM users.users WHERE id = '%s'",
	    admin_id);
	row = psql_value(body);
	ck_assert_str_eq(row, "admin true");
	free(row);

	r = browse(&j, "GET", "/admin/users/00000000-0000-4000-8000-00000000dead", NULL);
	ck_assert_int_eq(r->status, 404);
	http_result_free(r);
	free(tag);
	free(admin_id);
	free(cust_id);
}
END_TEST

START_TEST(forms_need_the_csrf_token)
{
	jar j = { .n = 0 };
	char path[256], *id, *row, q[256];
	const char *admin = unique("csrf");
	http_result *r;

	id = create_user(admin, "admin", NULL);
	/* the sign-in form itself */
	r = browse(&j, "POST", "/admin/login", "email=x%40example.com&password=whatever");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);

	sign_in_enrolling(&j, admin);
	snprintf(path, sizeof path, "/admin/users/%s", id);
	r = browse(&j, "POST", path, "role=customer&active_sent=1&active=1");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	r = browse(&j, "POST", path, "csrf_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&role=seller");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	snprintf(q, sizeof q, "SELECT role FROM users.users WHERE id = '%s'", id);
	row = psql_value(q);
	ck_assert_str_eq(row, "admin");
	free(row);
	/* sign-out too: another site cannot sign the admin out */
	r = browse(&j, "POST", "/admin/logout", "");
	ck_assert_int_eq(r->status, 403);
	http_result_free(r);
	ck_assert(jar_has(&j, "access"));
	free(id);
}
END_TEST

/* The dashboard as plain CGI, under each ECOM_ADMIN_2FA policy (the running
 * stack has one policy; the binary in the build tree can be given the
 * other).  A Bearer token stands in for the browser session. */
static char *
dashboard_cgi(const char *policy, const char *token)
{
	char cmd[4096];

	ck_assert_int_eq(access("cgi-bin/admin.fcgi", X_OK), 0);
	snprintf(cmd, sizeof cmd, "env ECOM_ADMIN_2FA=%s ECOM_LOG_LEVEL=error GATEWAY_INTERFACE=CGI/1.1 "
	    "REQUEST_METHOD=GET REQUEST_URI=/admin SCRIPT_NAME=/admin PATH_INFO= QUERY_STRING= "
	    "SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 HTTP_AUTHORIZATION='Bearer %s' "
	    "./cgi-bin/admin.fcgi </dev/null 2>/dev/null", policy, token);
	return run_capture(cmd);
}

START_TEST(optional_2fa_is_a_visible_warning)
{
	char secret[TOTP_SECRET_B32_MAX], *id, *tok, *page;
	const char *email = unique("policy"), *ctl = getenv("ECOM_TEST_ECOMCTL");
	char cmd[1024];

	new_secret(secret);
	id = create_user(email, "admin", secret);
	snprintf(cmd, sizeof cmd, "%s token --sub %s --email %s --role admin --ttl 600", ctl, id, email);
	tok = run_capture(cmd);
	ck_assert_ptr_nonnull(tok);
	page = dashboard_cgi("optional", tok);
	ck_assert_ptr_nonnull(page);
	ck_assert_msg(strncmp(page, "Status: 200", 11) == 0, "%.300s", page);
	ck_assert_ptr_nonnull(strstr(page, "<strong>optional</strong>"));
	free(page);
	page = dashboard_cgi("required", tok);
	ck_assert_ptr_nonnull(page);
	ck_assert_msg(strncmp(page, "Status: 200", 11) == 0, "%.300s", page);
	ck_assert_ptr_null(strstr(page, "<strong>optional</strong>"));
	ck_assert_ptr_nonnull(strstr(page, email));
	free(page);
	free(tok);
	free(id);
}
END_TEST

static Suite *
admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("panel");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, anonymous_is_sent_to_sign_in);
	tcase_add_test(tc, totp_admin_signs_in_in_two_steps);
	tcase_add_test(tc, admin_without_2fa_must_enrol);
	tcase_add_test(tc, customer_is_refused);
	tcase_add_test(tc, users_list_search_and_role_change);
	tcase_add_test(tc, forms_need_the_csrf_token);
	tcase_add_test(tc, optional_2fa_is_a_visible_warning);
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
	return check_run(admin_suite());
}
