/*
 * browser.c — see browser.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>

#include "auth/totp.h"
#include "browser.h"

static const char *client;

void
browser_client(const char *addr)
{
	client = addr;
}

static void
jar_store(jar *j, const char *line)
{
	const char *eq = strchr(line, '='), *end;
	size_t nn, vn;
	int i;

	if (eq == NULL || (nn = (size_t)(eq - line)) == 0 || nn >= sizeof j->name[0])
		return;
	end = eq + 1 + strcspn(eq + 1, ";\r\n");
	vn = (size_t)(end - eq - 1);
	ck_assert_uint_lt(vn, sizeof j->value[0]);
	for (i = 0; i < j->n && (strlen(j->name[i]) != nn || strncmp(j->name[i], line, nn) != 0); i++)
		;
	if (vn == 0 || strcasestr(end, "max-age=0") != NULL) {
		if (i < j->n && i != --j->n) {
			memcpy(j->name[i], j->name[j->n], sizeof j->name[i]);
			memcpy(j->value[i], j->value[j->n], sizeof j->value[i]);
		}
		return;
	}
	if (i == j->n) {
		ck_assert_int_lt(j->n, JAR_MAX);
		j->n++;
	}
	memcpy(j->name[i], line, nn);
	j->name[i][nn] = '\0';
	memcpy(j->value[i], eq + 1, vn);
	j->value[i][vn] = '\0';
}

http_result *
browse_as(jar *j, const char *method, const char *path, const char *body, const char *ctype)
{
	return browse_len(j, method, path, body, body != NULL ? strlen(body) : 0, ctype);
}

http_result *
browse_len(jar *j, const char *method, const char *path, const char *body, size_t len,
    const char *ctype)
{
	char cookie[8192] = "Cookie: ", ct[256], xff[128];
	const char *hdrs[4] = { NULL, NULL, NULL, NULL };
	size_t used = strlen(cookie);
	int nh = 0;
	http_result *r;

	if (client != NULL) {
		ck_assert_int_lt(snprintf(xff, sizeof xff, "X-Forwarded-For: %s", client),
		    (int)sizeof xff);
		hdrs[nh++] = xff;
	}
	for (int i = 0; i < j->n; i++)
		used += (size_t)snprintf(cookie + used, sizeof cookie - used, "%s%s=%s",
		    i > 0 ? "; " : "", j->name[i], j->value[i]);
	ck_assert_uint_lt(used, sizeof cookie);
	if (j->n > 0)
		hdrs[nh++] = cookie;
	if (body != NULL) {
		snprintf(ct, sizeof ct, "Content-Type: %s",
		    ctype != NULL ? ctype : "application/x-www-form-urlencoded");
		hdrs[nh++] = ct;
	}
	r = http_do_len(test_base_url(), method, path, body, len, hdrs);
	for (const char *p = r->headers; p != NULL && *p != '\0'; ) {
		if (strncmp(p, "set-cookie:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ')
				v++;
			jar_store(j, v);
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return r;
}

http_result *
browse(jar *j, const char *method, const char *path, const char *form)
{
	return browse_as(j, method, path, form, NULL);
}

const char *
csrf_of(const http_result *r)
{
	static char tok[128];
	const char *p = strstr(r->body, "name=\"csrf_token\" value=\"");
	size_t n;

	ck_assert_msg(p != NULL, "no csrf_token field in: %.400s", r->body);
	p += strlen("name=\"csrf_token\" value=\"");
	n = strcspn(p, "\"");
	ck_assert_uint_lt(n, sizeof tok);
	memcpy(tok, p, n);
	tok[n] = '\0';
	return tok;
}

const char *
token_for(jar *j, const char *path)
{
	http_result *r = browse(j, "GET", path, NULL);
	const char *t;

	ck_assert_msg(r->status == 200, "GET %s: %ld %.300s", path, r->status, r->body);
	t = csrf_of(r);
	http_result_free(r);
	return t;
}

void
see_other(const http_result *r, char *out, size_t outlen)
{
	ck_assert_msg(r->status == 303, "status %ld, want 303: %.600s", r->status, r->body);
	ck_assert(http_header(r, "location", out, outlen));
}

const char *
run_tag(void)
{
	static char b[8][48];
	static int k;
	char *s = b[k++ % 8];

	snprintf(s, 48, "T%ld%d%d", (long)time(NULL) % 100000000, (int)getpid() % 10000, k);
	return s;
}

const char *
browser_password(void)
{
	static char password[64];

	if (password[0] == '\0')
		snprintf(password, sizeof password, "Amber-orchard-%d-compass", (int)getpid());
	return password;
}

char *
create_user(const char *email, const char *role, const char *secret)
{
	const char *ctl = getenv("ECOM_TEST_ECOMCTL");
	char cmd[1024], *id;

	ck_assert_msg(ctl != NULL, "ECOM_TEST_ECOMCTL not set");
	ck_assert_int_lt(snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | %s user create"
	    " --email '%s' --role %s --first-name Test --last-name %s%s%s", browser_password(), ctl,
	    email, role, role, secret != NULL ? " --totp-secret " : "",
	    secret != NULL ? secret : ""), (int)sizeof cmd);
	id = run_capture(cmd);
	ck_assert_msg(id != NULL && strlen(id) == 36, "ecomctl user create failed: %s", cmd);
	return id;
}

void
post_password(jar *j, const char *email, char *loc, size_t loclen)
{
	char body[512];
	http_result *r = browse(j, "GET", "/admin/login", NULL);

	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&email=", csrf_of(r));
	for (const char *p = email; *p != '\0'; p++)
		snprintf(body + strlen(body), sizeof body - strlen(body), *p == '@' ? "%%40" : "%c", *p);
	snprintf(body + strlen(body), sizeof body - strlen(body), "&password=%s",
	    browser_password());
	http_result_free(r);
	r = browse(j, "POST", "/admin/login", body);
	see_other(r, loc, loclen);
	http_result_free(r);
}

void
sign_in_admin(jar *j, const char *prefix)
{
	char secret[TOTP_SECRET_B32_MAX], email[128], body[512], loc[512];
	http_result *r;

	ck_assert_int_eq(totp_secret_new(secret), 0);
	snprintf(email, sizeof email, "%s-%s@admin-test.example", prefix, run_tag());
	free(create_user(email, "admin", secret));
	post_password(j, email, loc, sizeof loc);
	r = browse(j, "GET", "/admin/login/code?next=%2Fadmin", NULL);
	ck_assert_int_eq(r->status, 200);
	snprintf(body, sizeof body, "csrf_token=%s&next=%%2Fadmin&code=%06d", csrf_of(r),
	    totp_code(secret, time(NULL)));
	http_result_free(r);
	r = browse(j, "POST", "/admin/login/code", body);
	see_other(r, loc, sizeof loc);
	ck_assert_str_eq(loc, "/admin");
	http_result_free(r);
}
