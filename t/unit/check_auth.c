/*
 * check_auth.c — the JWT gate and CSRF tokens (lib/auth).
 *
 * A throwaway RSA key pair is made with openssl for the run.  Beyond the
 * round trip, every refusal ENVIRONMENT.md §5 warns about is exercised:
 * tampered signatures, alg "none", HS256 MACed with the public key (libjwt
 * 1.10 accepts it unless the application pins RS256), expiry, issuer and a
 * refresh token used as an access token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jwt.h>
#include <check.h>

#include "../check_run.h"

#include "auth/auth.h"
#include "core/config.h"
#include "core/log.h"

#define SUB "00000000-0000-4000-8000-0000000000a1"

static char dir[] = "/tmp/ecom-auth-XXXXXX";
static char pub_path[256], priv_path[256];
static arena *A;
static const char *auth_header, *cookie_header;

static const char *
fake_env(const request *r, const char *name)
{
	(void)r;
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return auth_header;
	if (strcmp(name, "HTTP_COOKIE") == 0)
		return cookie_header;
	return NULL;
}

static void
new_request(request *req)
{
	memset(req, 0, sizeof *req);
	req->a = A;
	req->getenv = fake_env;
}

/* Run the gate with "Authorization: Bearer tok". */
static ecode
gate(const char *tok, request *req)
{
	char *h = arena_printf(A, "Bearer %s", tok);
	error e;

	auth_header = h;
	new_request(req);
	err_clear(&e);
	return auth_gate(req, &e);
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char data[16384];
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(data, 1, sizeof data - 1, f);
	fclose(f);
	data[n] = '\0';
	return data;
}

/* A token signed by hand with libjwt (for the forged cases). */
static char *
forge(jwt_alg_t alg, const unsigned char *key, int keylen, long exp, const char *iss, const char *typ)
{
	jwt_t *j;
	char *t;

	jwt_new(&j);
	jwt_add_grant(j, "sub", SUB);
	jwt_add_grant(j, "role", "admin");
	jwt_add_grant(j, "typ", typ);
	jwt_add_grant(j, "iss", iss);
	jwt_add_grant_int(j, "iat", (long)time(NULL));
	jwt_add_grant_int(j, "exp", exp);
	jwt_set_alg(j, alg, key, keylen);
	t = jwt_encode_str(j);
	jwt_free(j);
	return t;
}

/* Outside any test: Check's asserts cannot run here, so fail loudly by hand. */
static void
setup_once(void)
{
	char cmd[1024];

	snprintf(priv_path, sizeof priv_path, "%s/jwt.pem", dir);
	snprintf(pub_path, sizeof pub_path, "%s/jwt.pub", dir);
	snprintf(cmd, sizeof cmd, "openssl genrsa -out %s 2048 2>/dev/null && "
	    "openssl rsa -in %s -pubout -out %s 2>/dev/null", priv_path, priv_path, pub_path);
	setenv("ECOM_JWT_PUBLIC_KEY", pub_path, 1);
	setenv("ECOM_JWT_PRIVATE_KEY", priv_path, 1);
	setenv("ECOM_ENV", "test", 1);
	unsetenv("ECOM_CONFIG");
	if (system(cmd) != 0 || config_init() != 0) {
		fprintf(stderr, "check_auth: cannot make keys or read config\n");
		exit(1);
	}
	log_init("check_auth", "error");
	if (auth_init() != 0 || (A = arena_new(16384)) == NULL) {
		fprintf(stderr, "check_auth: cannot load keys\n");
		exit(1);
	}
}

START_TEST(mint_and_verify_round_trip)
{
	error e;
	request req;
	char *tok;

	err_clear(&e);
	tok = auth_mint(SUB, "a@example.com", ROLE_SELLER, "access", 60, &e);
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(gate(tok, &req), E_OK);
	ck_assert_str_eq(req.user_id, SUB);
	ck_assert_str_eq(req.user_email, "a@example.com");
	ck_assert_int_eq(req.user_role, ROLE_SELLER);
	/* the same token from the cookie */
	auth_header = NULL;
	cookie_header = arena_printf(A, "%s=%s", AUTH_ACCESS_COOKIE, tok);
	new_request(&req);
	ck_assert_int_eq(cookie_parse(A, cookie_header, &req.cookies, &req.ncookies, &e), E_OK);
	ck_assert_int_eq(auth_gate(&req, &e), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_SELLER);
	cookie_header = NULL;
	free(tok);
	/* no credentials: a guest, not an error */
	auth_header = NULL;
	new_request(&req);
	ck_assert_int_eq(auth_gate(&req, &e), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_PUBLIC);
	ck_assert_ptr_null(req.user_id);
}
END_TEST

START_TEST(forgeries_are_refused)
{
	const char *pub = read_file(pub_path);
	char *pubcopy = strdup(pub), *priv = strdup(read_file(priv_path));
	error e;
	request req;
	char *tok, *t;

	err_clear(&e);
	tok = auth_mint(SUB, NULL, ROLE_ADMIN, "access", 60, &e);
	/* tampered payload */
	t = strdup(tok);
	t[strchr(t, '.') - t + 5] ^= 1;
	ck_assert_int_eq(gate(t, &req), E_UNAUTHORIZED);
	free(t);
	/* HS256 MACed with the public key as the secret */
	t = forge(JWT_ALG_HS256, (unsigned char *)pubcopy, (int)strlen(pubcopy), (long)time(NULL) + 60, "ecommerce", "access");
	ck_assert_int_eq(gate(t, &req), E_UNAUTHORIZED);
	free(t);
	/* alg none */
	t = forge(JWT_ALG_NONE, NULL, 0, (long)time(NULL) + 60, "ecommerce", "access");
	ck_assert_int_eq(gate(t, &req), E_UNAUTHORIZED);
	free(t);
	/* properly signed, but expired / wrong issuer / a refresh token */
	t = forge(JWT_ALG_RS256, (unsigned char *)priv, (int)strlen(priv), (long)time(NULL) - 3600, "ecommerce", "access");
	ck_assert_int_eq(gate(t, &req), E_UNAUTHORIZED);
	free(t);
	t = forge(JWT_ALG_RS256, (unsigned char *)priv, (int)strlen(priv), (long)time(NULL) + 60, "someone-else", "access");
	ck_assert_int_eq(gate(t, &req), E_UNAUTHORIZED);
	free(t);
	t = forge(JWT_ALG_RS256, (unsigned char *)priv, (int)strlen(priv), (long)time(NULL) + 60, "ecommerce", "refresh");
	ck_assert_int_eq(gate(t, &req), E_UNAUTHORIZED);
	free(t);
	/* a control: the same forge with good claims passes */
	t = forge(JWT_ALG_RS256, (unsigned char *)priv, (int)strlen(priv), (long)time(NULL) + 60, "ecommerce", "access");
	ck_assert_int_eq(gate(t, &req), E_OK);
	free(t);
	/* not a Bearer scheme, garbage */
	auth_header = "Basic dXNlcjpwYXNz";
	new_request(&req);
	ck_assert_int_eq(auth_gate(&req, &e), E_UNAUTHORIZED);
	ck_assert_int_eq(gate("not.a.jwt", &req), E_UNAUTHORIZED);
	free(tok);
	free(pubcopy);
	free(priv);
}
END_TEST

START_TEST(roles_parse)
{
	role r;

	ck_assert_int_eq(role_parse("admin", &r), 0);
	ck_assert_int_eq(r, ROLE_ADMIN);
	ck_assert_int_eq(role_parse("public", &r), -1);
	ck_assert_int_eq(role_parse("root", &r), -1);
	ck_assert_str_eq(role_name(ROLE_CUSTOMER), "customer");
}
END_TEST

START_TEST(csrf_tokens)
{
	request req;
	response res;
	buf body = BUF_INIT;
	const char *tok;
	error e;

	auth_header = NULL;
	new_request(&req);
	memset(&res, 0, sizeof res);
	res.a = A;
	res.body = &body;
	tok = csrf_token(&req, &res);	/* sets the binding cookie */
	ck_assert_ptr_nonnull(tok);
	ck_assert_ptr_nonnull(res.headers);
	ck_assert(strncmp(res.headers->value, "csrf=", 5) == 0);
	{
		/* the browser comes back with the cookie and the form field */
		char cookie[128];
		size_t n = strcspn(res.headers->value, ";");
		snprintf(cookie, sizeof cookie, "%.*s", (int)n, res.headers->value);
		new_request(&req);
		err_clear(&e);
		ck_assert_int_eq(cookie_parse(A, cookie, &req.cookies, &req.ncookies, &e), E_OK);
		ck_assert_int_eq(form_parse(A, "x=1", 3, 8, &req.form, &req.nform, &e), E_OK);
		ck_assert(!csrf_check(&req));			/* no token */
		char *form = arena_printf(A, "csrf_token=%s", tok);
		ck_assert_int_eq(form_parse(A, form, strlen(form), 8, &req.form, &req.nform, &e), E_OK);
		ck_assert(csrf_check(&req));
		form = arena_printf(A, "csrf_token=%.42sA", tok);
		ck_assert_int_eq(form_parse(A, form, strlen(form), 8, &req.form, &req.nform, &e), E_OK);
		ck_assert(tok[42] == 'A' || !csrf_check(&req));
	}
	/* a token without its cookie is worthless */
	new_request(&req);
	{
		char *form = arena_printf(A, "csrf_token=%s", tok);
		ck_assert_int_eq(form_parse(A, form, strlen(form), 8, &req.form, &req.nform, &e), E_OK);
	}
	ck_assert(!csrf_check(&req));
	buf_free(&body);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");
	int failed;
	char cmd[300];

	if (mkdtemp(dir) == NULL)
		return 1;
	setup_once();
	tcase_add_test(tc, mint_and_verify_round_trip);
	tcase_add_test(tc, forgeries_are_refused);
	tcase_add_test(tc, roles_parse);
	tcase_add_test(tc, csrf_tokens);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	arena_free(A);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		failed++;
	return failed == 0 ? 0 : 1;
}
