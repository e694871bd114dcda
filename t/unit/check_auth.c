/*
 * check_auth.c — the JWT gate, token minting, roles and CSRF (lib/auth).
 *
 * A throwaway RSA key pair (and a second, foreign one) is made with openssl
 * for the run, and the ECOM_* variables are set before config_init() reads
 * them.  Beyond the round trip, every forgery ENVIRONMENT.md §5 warns about
 * is a table row: tampered signatures and spliced payloads, alg "none",
 * HS256 MACed with the public key (libjwt 1.10 accepts it unless the
 * application pins RS256), expiry, issuer, typ=refresh and bad claims.
 * Each row carries its __LINE__ and runs as its own loop test.
 */
#include <limits.h>
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

#define NROWS(t) ((int)(sizeof(t) / sizeof((t)[0])))
#define SUB	"00000000-0000-4000-8000-0000000000a1"
#define ISS	"ecommerce"	/* config's default ECOM_JWT_ISSUER */

static char dir[] = "/tmp/ecom-auth-XXXXXX";
static char pub_path[64], priv_path[64], other_path[64];
static char pub_pem[16384], priv_pem[16384], other_pem[16384];
static arena *A;

/* What the fake server environment answers (CGI variable names). */
static const char *env_auth, *env_cookie, *env_csrf;

static const char *
fake_env(const request *r, const char *name)
{
	(void)r;
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return env_auth;
	if (strcmp(name, "HTTP_COOKIE") == 0)
		return env_cookie;
	if (strcmp(name, "HTTP_X_CSRF_TOKEN") == 0)
		return env_csrf;
	return NULL;
}

/* A request as request_build() would leave it: cookies parsed from the env. */
static void
new_request(request *req)
{
	error e;

	memset(req, 0, sizeof *req);
	req->a = A;
	req->getenv = fake_env;
	err_clear(&e);
	ck_assert_int_eq(cookie_parse(A, env_cookie, &req->cookies, &req->ncookies, &e), E_OK);
}

/* Run the gate with "Authorization: Bearer tok". */
static ecode
gate(const char *tok, request *req)
{
	error e;

	env_auth = arena_printf(A, "Bearer %s", tok);
	env_cookie = NULL;
	new_request(req);
	err_clear(&e);
	return auth_gate(req, &e);
}

/* Read a PEM file into buf (Check's asserts are not usable before main). */
static int
slurp(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(out, 1, cap - 1, f);
	fclose(f);
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* ------------------------------------------------------------ forged tokens */

enum key_kind { K_PRIV, K_OTHER, K_PUB, K_NONE };

typedef struct claims {
	jwt_alg_t     alg;
	enum key_kind key;
	const char   *sub, *role, *typ, *iss, *email;	/* NULL: claim left out */
	int           has_exp;
	long          exp_off;	/* seconds from now */
	int           has_iat;
	long          iat_off;
} claims;

/* A token signed by hand with libjwt; malloc'd. */
static char *
forge(const claims *c)
{
	const char *key = c->key == K_PRIV ? priv_pem : c->key == K_OTHER ? other_pem :
	    c->key == K_PUB ? pub_pem : NULL;
	long now = (long)time(NULL);
	jwt_t *j;
	char *t;

	ck_assert_int_eq(jwt_new(&j), 0);
	if (c->sub != NULL)
		jwt_add_grant(j, "sub", c->sub);
	if (c->role != NULL)
		jwt_add_grant(j, "role", c->role);
	if (c->typ != NULL)
		jwt_add_grant(j, "typ", c->typ);
	if (c->iss != NULL)
		jwt_add_grant(j, "iss", c->iss);
	if (c->email != NULL)
		jwt_add_grant(j, "email", c->email);
	if (c->has_iat)
		jwt_add_grant_int(j, "iat", now + c->iat_off);
	if (c->has_exp)
		jwt_add_grant_int(j, "exp", c->exp_off == LONG_MAX ? LONG_MAX : now + c->exp_off);
	ck_assert_int_eq(jwt_set_alg(j, c->alg, (const unsigned char *)key,
	    key != NULL ? (int)strlen(key) : 0), 0);
	t = jwt_encode_str(j);
	jwt_free(j);
	ck_assert_ptr_nonnull(t);
	return t;
}

#define GOOD JWT_ALG_RS256, K_PRIV, SUB, "admin", "access", ISS

static const struct {
	int line;
	claims c;
	ecode want;
} forge_rows[] = {
	/* the control: well-formed claims signed with our key pass */
	{ __LINE__, { GOOD, "a@example.com", 1, 60, 1, 0 }, E_OK },
	{ __LINE__, { GOOD, NULL, 1, 60, 1, -600 }, E_OK },
	{ __LINE__, { GOOD, NULL, 1, -10, 1, -600 }, E_OK },		/* within the 30 s leeway */
	/* an exp near LONG_MAX must not overflow the leeway arithmetic
	 * (verify() compares exp < now - LEEWAY_S) */
	{ __LINE__, { GOOD, NULL, 1, LONG_MAX, 1, 0 }, E_OK },
	/* the algorithm is pinned */
	{ __LINE__, { JWT_ALG_NONE, K_NONE, SUB, "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_HS256, K_PUB, SUB, "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_HS512, K_PUB, SUB, "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS512, K_PRIV, SUB, "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	/* someone else's key */
	{ __LINE__, { JWT_ALG_RS256, K_OTHER, SUB, "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	/* time */
	{ __LINE__, { GOOD, NULL, 1, -3600, 1, -7200 }, E_UNAUTHORIZED },	/* expired */
	{ __LINE__, { GOOD, NULL, 1, -60, 1, -600 }, E_UNAUTHORIZED },	/* past the leeway */
	{ __LINE__, { GOOD, NULL, 0, 0, 1, 0 }, E_UNAUTHORIZED },		/* no exp */
	{ __LINE__, { GOOD, NULL, 1, 60, 0, 0 }, E_UNAUTHORIZED },		/* no iat */
	{ __LINE__, { GOOD, NULL, 1, 7200, 1, 3600 }, E_UNAUTHORIZED },	/* issued in the future */
	/* claims */
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "admin", "access", "someone-else", NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "admin", "access", NULL, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "admin", "access", "Ecommerce", NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "admin", "refresh", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "admin", NULL, ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "admin", "id", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, "admin", "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, NULL, "admin", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "root", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, "public", "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
	{ __LINE__, { JWT_ALG_RS256, K_PRIV, SUB, NULL, "access", ISS, NULL, 1, 60, 1, 0 }, E_UNAUTHORIZED },
};

START_TEST(forged_row)
{
	char *t = forge(&forge_rows[_i].c);
	request req;
	ecode rc = gate(t, &req);

	free(t);	/* before any assert, so a failing row leaks nothing */

	ck_assert_msg(rc == forge_rows[_i].want, "row at line %d: %d", forge_rows[_i].line, rc);
	if (rc == E_OK) {
		ck_assert_msg(req.user_role == ROLE_ADMIN && req.user_id != NULL &&
		    strcmp(req.user_id, SUB) == 0, "row at line %d", forge_rows[_i].line);
	} else {
		ck_assert_msg(req.user_id == NULL && req.user_role == ROLE_PUBLIC,
		    "row at line %d: a refused token left a principal", forge_rows[_i].line);
	}
}
END_TEST

/* ------------------------------------------------------------ minted tokens */

START_TEST(mint_and_verify_round_trip)
{
	error e;
	request req;
	char *tok;

	err_clear(&e);
	tok = auth_mint(SUB, "a@example.com", ROLE_SELLER, "access", NULL, 60, NULL, &e);
	ck_assert_msg(tok != NULL, "%s", e.message);
	ck_assert_int_eq(gate(tok, &req), E_OK);
	ck_assert_str_eq(req.user_id, SUB);
	ck_assert_str_eq(req.user_email, "a@example.com");
	ck_assert_int_eq(req.user_role, ROLE_SELLER);
	/* the scheme name is case-insensitive (RFC 7235) */
	env_auth = arena_printf(A, "bearer %s", tok);
	new_request(&req);
	ck_assert_int_eq(auth_gate(&req, &e), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_SELLER);
	/* the same token from the access cookie, no header (plain http: the
	 * cookie without its __Host- prefix, see session_access_cookie) */
	env_auth = NULL;
	env_cookie = arena_printf(A, "theme=dark; access=%s", tok);
	new_request(&req);
	ck_assert_int_eq(auth_gate(&req, &e), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_SELLER);
	ck_assert_str_eq(req.user_id, SUB);
	env_cookie = NULL;
	free(tok);
	/* no email: none in the principal */
	tok = auth_mint(SUB, NULL, ROLE_CUSTOMER, "access", NULL, 60, NULL, &e);
	ck_assert_ptr_nonnull(tok);
	ck_assert_int_eq(gate(tok, &req), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_CUSTOMER);
	ck_assert_ptr_null(req.user_email);
	free(tok);
}
END_TEST

START_TEST(no_credentials_is_a_guest)
{
	request req;
	error e;

	env_auth = NULL;
	env_cookie = "theme=dark";
	new_request(&req);
	req.user_id = "stale";
	req.user_role = ROLE_ADMIN;
	err_clear(&e);
	ck_assert_int_eq(auth_gate(&req, &e), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_PUBLIC);
	ck_assert_ptr_null(req.user_id);
	env_auth = "";
	new_request(&req);
	ck_assert_int_eq(auth_gate(&req, &e), E_OK);
	ck_assert_int_eq(req.user_role, ROLE_PUBLIC);
	env_cookie = NULL;
}
END_TEST

START_TEST(mint_refuses_bad_input)
{
	error e;

	err_clear(&e);
	ck_assert_ptr_null(auth_mint("not-a-uuid", NULL, ROLE_ADMIN, "access", NULL, 60, NULL, &e));
	ck_assert_int_eq(e.code, E_INVALID_INPUT);
	err_clear(&e);
	ck_assert_ptr_null(auth_mint(SUB, NULL, ROLE_PUBLIC, "access", NULL, 60, NULL, &e));
	ck_assert_int_eq(e.code, E_INVALID_INPUT);
	err_clear(&e);
	ck_assert_ptr_null(auth_mint(SUB, NULL, ROLE_ADMIN, "access", NULL, 0, NULL, &e));
	ck_assert_int_eq(e.code, E_INVALID_INPUT);
	err_clear(&e);
	ck_assert_ptr_null(auth_mint(SUB, NULL, ROLE_ADMIN, "access", NULL, -5, NULL, &e));
	ck_assert_int_eq(e.code, E_INVALID_INPUT);
	err_clear(&e);
	ck_assert_ptr_null(auth_mint(SUB, NULL, ROLE_ADMIN, "id", NULL, 60, NULL, &e));
	ck_assert_int_eq(e.code, E_INVALID_INPUT);
}
END_TEST

/* Damage a minted token in the ways an attacker would. */
enum tamper { T_SIG_CHAR, T_SIG_TRUNC, T_SIG_EMPTY, T_SIG_DROP, T_SPLICE, T_PAYLOAD_CHAR,
	T_HEADER_CHAR, T_GARBAGE, T_LONG, T_NOT_BEARER, T_REFRESH_TOKEN };

static const struct {
	int line;
	enum tamper how;
} tamper_rows[] = {
	{ __LINE__, T_SIG_CHAR },	/* one signature character changed */
	{ __LINE__, T_SIG_TRUNC },	/* signature cut short */
	{ __LINE__, T_SIG_EMPTY },	/* "header.payload." */
	{ __LINE__, T_SIG_DROP },	/* "header.payload" */
	{ __LINE__, T_SPLICE },		/* admin payload with a customer's signature */
	{ __LINE__, T_PAYLOAD_CHAR },
	{ __LINE__, T_HEADER_CHAR },
	{ __LINE__, T_GARBAGE },
	{ __LINE__, T_LONG },		/* beyond the 8 KiB token bound */
	{ __LINE__, T_NOT_BEARER },	/* Basic credentials */
	{ __LINE__, T_REFRESH_TOKEN },	/* a real refresh token, minted by us */
};

static char
other_b64(char c)
{
	return c == 'A' ? 'B' : 'A';
}

START_TEST(tamper_row)
{
	error e;
	request req;
	char *cust, *admin, *t;
	char *d1, *d2;
	ecode rc;

	err_clear(&e);
	cust = auth_mint(SUB, NULL, ROLE_CUSTOMER, "access", NULL, 60, NULL, &e);
	admin = auth_mint(SUB, NULL, ROLE_ADMIN, "access", NULL, 60, NULL, &e);
	ck_assert_ptr_nonnull(cust);
	ck_assert_ptr_nonnull(admin);
	ck_assert_int_eq(gate(cust, &req), E_OK);	/* the unspoilt control */
	t = arena_strdup(A, cust);
	d1 = strchr(t, '.');
	d2 = strchr(d1 + 1, '.');
	switch (tamper_rows[_i].how) {
	case T_SIG_CHAR:
		d2[20] = other_b64(d2[20]);
		break;
	case T_SIG_TRUNC:
		t[strlen(t) - 8] = '\0';
		break;
	case T_SIG_EMPTY:
		d2[1] = '\0';
		break;
	case T_SIG_DROP:
		*d2 = '\0';
		break;
	case T_SPLICE: {
		const char *ad1 = strchr(admin, '.'), *ad2 = strchr(ad1 + 1, '.');
		t = arena_printf(A, "%.*s%.*s%s", (int)(d1 - t), t, (int)(ad2 - ad1), ad1, d2);
		break;
	}
	case T_PAYLOAD_CHAR:
		d1[5] = other_b64(d1[5]);
		break;
	case T_HEADER_CHAR:
		t[3] = other_b64(t[3]);
		break;
	case T_GARBAGE:
		t = "not.a.jwt";
		break;
	case T_LONG: {
		char *big = arena_alloc(A, 9001);
		memset(big, 'A', 9000);
		big[9000] = '\0';
		t = arena_printf(A, "%s%s", cust, big);
		break;
	}
	case T_NOT_BEARER:
		env_auth = "Basic dXNlcjpwYXNz";
		env_cookie = NULL;
		new_request(&req);
		ck_assert_msg(auth_gate(&req, &e) == E_UNAUTHORIZED, "row at line %d", tamper_rows[_i].line);
		goto out;
	case T_REFRESH_TOKEN:
		free(cust);
		cust = auth_mint(SUB, NULL, ROLE_CUSTOMER, "refresh", NULL, 60, NULL, &e);
		ck_assert_ptr_nonnull(cust);
		t = cust;
		break;
	}
	rc = gate(t, &req);
	ck_assert_msg(rc == E_UNAUTHORIZED, "row at line %d: %d", tamper_rows[_i].line, rc);
	ck_assert_msg(req.user_id == NULL && req.user_role == ROLE_PUBLIC, "row at line %d", tamper_rows[_i].line);
out:
	free(cust);
	free(admin);
}
END_TEST

/* ------------------------------------------------------------ roles */

static const struct {
	int line;
	const char *s;
	int rc;
	role r;
} role_rows[] = {
	{ __LINE__, "customer", 0, ROLE_CUSTOMER },
	{ __LINE__, "seller", 0, ROLE_SELLER },
	{ __LINE__, "admin", 0, ROLE_ADMIN },
	{ __LINE__, "public", -1, ROLE_PUBLIC },	/* not a role a token can carry */
	{ __LINE__, "Admin", -1, ROLE_PUBLIC },
	{ __LINE__, "admin ", -1, ROLE_PUBLIC },
	{ __LINE__, "root", -1, ROLE_PUBLIC },
	{ __LINE__, "", -1, ROLE_PUBLIC },
	{ __LINE__, NULL, -1, ROLE_PUBLIC },
};

START_TEST(role_row)
{
	role r = (role)99;
	int rc = role_parse(role_rows[_i].s, &r);

	ck_assert_msg(rc == role_rows[_i].rc, "row at line %d", role_rows[_i].line);
	if (rc == 0) {
		ck_assert_msg(r == role_rows[_i].r, "row at line %d", role_rows[_i].line);
		ck_assert_msg(strcmp(role_name(r), role_rows[_i].s) == 0, "row at line %d", role_rows[_i].line);
	} else {
		ck_assert_msg(r == (role)99, "row at line %d: *out written on refusal", role_rows[_i].line);
	}
}
END_TEST

START_TEST(role_names)
{
	ck_assert_str_eq(role_name(ROLE_PUBLIC), "public");
	ck_assert_str_eq(role_name(ROLE_CUSTOMER), "customer");
	ck_assert_str_eq(role_name(ROLE_SELLER), "seller");
	ck_assert_str_eq(role_name(ROLE_ADMIN), "admin");
	ck_assert_str_eq(role_name((role)42), "public");	/* out of range: the least */
}
END_TEST

/* ------------------------------------------------------------ CSRF */

static response res;
static buf res_body = BUF_INIT;

static void
new_response(void)
{
	memset(&res, 0, sizeof res);
	res.a = A;
	res.body = &res_body;
}

/* The "name=value" part of the Set-Cookie the response carries, or NULL. */
static const char *
set_cookie_pair(void)
{
	for (const header *h = res.headers; h != NULL; h = h->next)
		if (strcmp(h->name, "Set-Cookie") == 0)
			return arena_strndup(A, h->value, strcspn(h->value, ";"));
	return NULL;
}

/* A form post carrying csrf_token=tok (tok NULL: no field). */
static void
post_form(request *req, const char *tok)
{
	error e;
	const char *form = tok != NULL ? arena_printf(A, "x=1&csrf_token=%s", tok) : "x=1";

	new_request(req);
	err_clear(&e);
	ck_assert_int_eq(form_parse(A, form, strlen(form), 8, &req->form, &req->nform, &e), E_OK);
}

START_TEST(csrf_round_trip)
{
	request req;
	const char *tok, *again, *pair;
	char wrong[64];

	/* first visit: no binding cookie, so one is set with the token */
	env_auth = NULL;
	env_cookie = NULL;
	env_csrf = NULL;
	new_request(&req);
	new_response();
	tok = csrf_token(&req, &res);
	ck_assert_ptr_nonnull(tok);
	ck_assert_uint_eq(strlen(tok), 43);
	pair = set_cookie_pair();
	ck_assert_ptr_nonnull(pair);
	ck_assert(strncmp(pair, "csrf=", 5) == 0);
	ck_assert_ptr_nonnull(strstr(res.headers->value, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(res.headers->value, "SameSite=Lax"));

	/* the browser comes back with the cookie: same token, no new cookie */
	env_cookie = pair;
	new_request(&req);
	new_response();
	again = csrf_token(&req, &res);
	ck_assert_str_eq(again, tok);
	ck_assert_ptr_null(res.headers);

	/* the form post verifies with the field or the X-CSRF-Token header */
	post_form(&req, tok);
	ck_assert(csrf_check(&req));
	env_csrf = tok;
	post_form(&req, NULL);
	ck_assert(csrf_check(&req));
	env_csrf = NULL;

	/* refusals: no token, a wrong one, a truncated one, an empty one */
	post_form(&req, NULL);
	ck_assert(!csrf_check(&req));
	snprintf(wrong, sizeof wrong, "%s", tok);
	wrong[10] = other_b64(wrong[10]);
	post_form(&req, wrong);
	ck_assert(!csrf_check(&req));
	wrong[10] = tok[10];
	wrong[42] = other_b64(wrong[42]);
	post_form(&req, wrong);
	ck_assert(!csrf_check(&req));
	post_form(&req, arena_strndup(A, tok, 42));
	ck_assert(!csrf_check(&req));
	post_form(&req, "");
	ck_assert(!csrf_check(&req));

	/* the right token without its cookie, or with another browser's */
	env_cookie = NULL;
	post_form(&req, tok);
	ck_assert(!csrf_check(&req));
	env_cookie = "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	post_form(&req, tok);
	ck_assert(!csrf_check(&req));
	env_cookie = NULL;
}
END_TEST

START_TEST(csrf_https_cookie_and_bearer)
{
	request req;
	const char *tok, *pair;
	char *bearer;
	error e;

	/* over https the binding is a __Host- cookie with Secure */
	env_auth = NULL;
	env_cookie = NULL;
	new_request(&req);
	req.https = true;
	new_response();
	tok = csrf_token(&req, &res);
	ck_assert_ptr_nonnull(tok);
	pair = set_cookie_pair();
	ck_assert(strncmp(pair, "__Host-csrf=", 12) == 0);
	ck_assert_ptr_nonnull(strstr(res.headers->value, "Secure"));
	ck_assert_ptr_nonnull(strstr(res.headers->value, "Path=/"));
	env_cookie = pair;
	post_form(&req, tok);
	req.https = true;
	ck_assert(csrf_check(&req));
	/* a plain "csrf" cookie does not count over https */
	env_cookie = arena_printf(A, "csrf=%s", pair + 12);
	post_form(&req, tok);
	req.https = true;
	ck_assert(!csrf_check(&req));

	/* a verified Bearer caller needs no token: browsers never add that header */
	err_clear(&e);
	bearer = auth_mint(SUB, NULL, ROLE_CUSTOMER, "access", NULL, 60, NULL, &e);
	ck_assert_ptr_nonnull(bearer);
	env_cookie = NULL;
	ck_assert_int_eq(gate(bearer, &req), E_OK);
	ck_assert(csrf_check(&req));
	/* but an unverified header is no excuse */
	env_auth = "Bearer forged";
	post_form(&req, NULL);
	ck_assert(!csrf_check(&req));
	env_auth = NULL;
	free(bearer);
}
END_TEST

/* ------------------------------------------------------------ main */

static void
fixture_up(void)
{
	env_auth = env_cookie = env_csrf = NULL;
}

static void
fixture_down(void)
{
	buf_free(&res_body);
	arena_reset(A);
}

/* Keys and config, before Check runs anything; failures end the run here. */
static int
setup_once(void)
{
	char cmd[1024];

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(priv_path, sizeof priv_path, "%s/jwt.pem", dir);
	snprintf(pub_path, sizeof pub_path, "%s/jwt.pub", dir);
	snprintf(other_path, sizeof other_path, "%s/other.pem", dir);
	snprintf(cmd, sizeof cmd, "openssl genrsa -out %s 2048 2>/dev/null && "
	    "openssl rsa -in %s -pubout -out %s 2>/dev/null && "
	    "openssl genrsa -out %s 2048 2>/dev/null", priv_path, priv_path, pub_path, other_path);
	if (system(cmd) != 0)
		return -1;
	if (slurp(pub_path, pub_pem, sizeof pub_pem) != 0 ||
	    slurp(priv_path, priv_pem, sizeof priv_pem) != 0 ||
	    slurp(other_path, other_pem, sizeof other_pem) != 0)
		return -1;
	setenv("ECOM_JWT_PUBLIC_KEY", pub_path, 1);
	setenv("ECOM_JWT_PRIVATE_KEY", priv_path, 1);
	setenv("ECOM_ENV", "test", 1);
	unsetenv("ECOM_JWT_ISSUER");
	unsetenv("ECOM_SECRET_FILE");
	unsetenv("ECOM_CONFIG");
	if (config_init() != 0 || strcmp(cfg->jwt_issuer, ISS) != 0)
		return -1;
	log_init("check_auth", "error");
	if (auth_init() != 0 || (A = arena_new(16384)) == NULL)
		return -1;
	return 0;
}

int
main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");
	int failed;
	char cmd[300];

	if (setup_once() != 0) {
		fprintf(stderr, "check_auth: cannot make keys, read config or load keys\n");
		return 1;
	}
	tcase_add_checked_fixture(tc, fixture_up, fixture_down);
	tcase_add_test(tc, mint_and_verify_round_trip);
	tcase_add_test(tc, no_credentials_is_a_guest);
	tcase_add_test(tc, mint_refuses_bad_input);
	tcase_add_loop_test(tc, forged_row, 0, NROWS(forge_rows));
	tcase_add_loop_test(tc, tamper_row, 0, NROWS(tamper_rows));
	tcase_add_loop_test(tc, role_row, 0, NROWS(role_rows));
	tcase_add_test(tc, role_names);
	tcase_add_test(tc, csrf_round_trip);
	tcase_add_test(tc, csrf_https_cookie_and_bearer);
	suite_add_tcase(s, tc);
	failed = check_run(s);
	arena_free(A);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		failed++;
	return failed == 0 ? 0 : 1;
}
