/*
 * check_user.c — the accounts core (lib/user) against real PostgreSQL and
 * Redis: register, duplicate e-mail in another case, the verification
 * link taken from the written .eml, login and its generic failure,
 * refresh rotation and reuse detection (family revoked, the gate refuses
 * its access token), logout, forgot/reset single use and expiry, change
 * password, the throttle's growing delay, and the events in users.outbox.
 *
 * The servers are the ones ECOM_DB_URL and ECOM_REDIS_URL name (from the
 * environment or the ECOM_CONFIG file ./check writes), with the schema
 * migrated and JWT keys configured; without a database and Redis the suite
 * is skipped (exit 77).  Mail goes to a fresh directory of our own, and
 * bcrypt runs at cost 4 so the suite stays quick.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#include <openssl/evp.h>

#include "../check_run.h"

#include "core/parse.h"
#include "auth/auth.h"
#include "core/config.h"
#include "core/db.h"
#include "core/log.h"
#include "core/redis.h"
#include "core/util.h"
#include "user/user.h"

static arena *a;
static db_conn *c;
static char mail_dir[256];

static void
setup(void)
{
	error e;

	log_init("check_user", "error");
	ck_assert_int_eq(auth_init(), 0);
	a = arena_new(64 * 1024);
	ck_assert_ptr_nonnull(a);
	err_clear(&e);
	c = db_for("users", &e);
	ck_assert_msg(c != NULL, "no database: %s", e.message);
}

static void
teardown(void)
{
	arena_free(a);
	a = NULL;
}

/* Test plumbing: one value of a parameterised query (plain libpq). */
static const char *
sql1(const char *q, const char *p1, const char *p2)
{
	const char *p[2] = { p1, p2 };
	int n = p2 != NULL ? 2 : p1 != NULL ? 1 : 0;
	PGresult *r = PQexecParams(db_pg(c), q, n, NULL, p, NULL, NULL, 0);
	const char *v = NULL;

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", q, PQerrorMessage(db_pg(c)));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = arena_strdup(a, PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

/* A fresh address for each test and run: "<tag>.<random>@Example.com". */
static const char *
fresh_email(const char *tag)
{
	char id[37];

	ck_assert_int_eq(uuid_v4(id), 0);
	return arena_printf(a, "%s.%.8s@Example.com", tag, id);
}

static user_ctx
ctx_from(const char *ip)
{
	user_ctx x = { NULL, ROLE_PUBLIC, "check-user", ip, "check_user/1.0" };

	return x;
}

/* A client IP of its own per test, so IP counters of other tests and runs
 * never add up. */
static const char *
fresh_ip(void)
{
	unsigned char r[3];
	char id[37];

	ck_assert_int_eq(uuid_v4(id), 0);
	for (int i = 0; i < 3; i++)
		r[i] = (unsigned char)strtol((char[3]){ id[2 * i], id[2 * i + 1], 0 }, NULL, 16);
	return arena_printf(a, "10.%u.%u.%u", r[0], r[1], r[2]);
}

#define STORE_NAME "Zoë's Café & Co"
#define PASSWORD  "correct horse battery staple"
#define PASSWORD2 "a much better passphrase 2026"

static const char *
register_ok(const char *email, const user_ctx *x, user *u, user_tokens *t)
{
	user_register_input in = { email, PASSWORD, "Ann", "Example" };
	error e;

	err_clear(&e);
	ck_assert_msg(user_register(a, x, &in, u, t, &e) == E_OK, "register: %s", e.message);
	ck_assert_ptr_nonnull(t->access_token);
	ck_assert_ptr_nonnull(t->refresh_token);
	return u->id;
}

/* Every .eml addressed to `to`, joined (NULL if none). */
static const char *
mails_text(const char *to)
{
	DIR *d = opendir(mail_dir);
	struct dirent *de;
	const char *all = NULL;
	const char *want = arena_printf(a, "\r\nTo: <%s>\r\n", to);

	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		char path[600], *text;
		FILE *f;
		long n;

		if (strstr(de->d_name, ".eml") == NULL || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", mail_dir, de->d_name);
		ck_assert_ptr_nonnull(f = fopen(path, "rb"));
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		text = arena_alloc(a, (size_t)n + 1);
		ck_assert_int_eq(fread(text, 1, (size_t)n, f), (size_t)n);
		text[n] = '\0';
		fclose(f);
		if (strstr(text, want) != NULL)
			all = arena_printf(a, "%s%s", all != NULL ? all : "", text);
	}
	closedir(d);
	return all;
}

/* How many .eml files are addressed to `to`. */
static int
mails_to(const char *to)
{
	DIR *d = opendir(mail_dir);
	struct dirent *de;
	int n = 0;
	const char *want = arena_printf(a, "To: <%s>", to);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[600], line[512];
		FILE *f;

		if (strstr(de->d_name, ".eml") == NULL || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", mail_dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		while (fgets(line, sizeof line, f) != NULL)
			if (strncmp(line, want, strlen(want)) == 0)
				n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The tokens of the links "<path>?token=..." in text (at most max);
 * their number. */
static int
link_tokens(const char *text, const char *path, const char **out, int max)
{
	const char *needle = arena_printf(a, "%s?token=", path), *p = text;
	int found = 0;

	ck_assert_ptr_nonnull(text);
	while ((p = strstr(p, needle)) != NULL && found < max) {
		size_t n = 0;
		const char *tok;
		bool seen = false;

		p += strlen(needle);
		while (p[n] != '\0' && (p[n] == '-' || p[n] == '_' || (p[n] >= '0' && p[n] <= '9') ||
		    (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z')))
			n++;
		ck_assert_uint_eq(n, 43);
		tok = arena_strndup(a, p, n);
		/* each mail has the link twice (text and HTML part) */
		for (int i = 0; i < found; i++)
			seen = seen || strcmp(out[i], tok) == 0;
		if (!seen)
			out[found++] = tok;
	}
	return found;
}

/* SHA-256 hex, as the store keeps tokens. */
static const char *
sha256_of(const char *s)
{
	unsigned char d[32];
	unsigned int n = 0;
	char *hex = arena_alloc(a, 65);

	ck_assert(EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL) == 1 && n == 32);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return hex;
}

static const char *bearer;

static const char *
fake_env(const request *r, const char *name)
{
	(void)r;
	return strcmp(name, "HTTP_AUTHORIZATION") == 0 ? bearer : NULL;
}

/* Run the real gate on an access token. */
static ecode
gate(const char *access, request *req)
{
	error e;

	memset(req, 0, sizeof *req);
	req->a = a;
	req->getenv = fake_env;
	bearer = arena_printf(a, "Bearer %s", access);
	err_clear(&e);
	return auth_gate(req, &e);
}

static int
outbox_count(const char *user_id, const char *type)
{
	const char *v = sql1("SELECT count(*) FROM users.outbox WHERE aggregate_id = $1::uuid"
	    " AND event_type = $2::text", user_id, type);

	int64_t n;

	return v != NULL && parse_i64(v, 0, INT32_MAX, &n) == 0 ? (int)n : -1;
}

/* ------------------------------------------------------------ tests */

START_TEST(register_validates_every_field_together)
{
	user_register_input in = { "not an e-mail", "short", "", NULL };
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t;
	error e;
	const char *seen = "";

	err_clear(&e);
	ck_assert_int_eq(user_register(a, &x, &in, &u, &t, &e), E_VALIDATION);
	for (int i = 0; i < e.nfields; i++)
		seen = arena_printf(a, "%s%s,", seen, e.fields[i].name);
	ck_assert_str_eq(seen, "email,password,first_name,last_name,");
	ck_assert_ptr_null(t.access_token);
}
END_TEST

START_TEST(register_duplicate_verify_and_events)
{
	const char *email = fresh_email("Ann"), *mail, *token, *id, *toks[4];
	user_ctx x = ctx_from(fresh_ip());
	user u, u2;
	user_tokens t, t2;
	user_register_input dup;
	error e;
	request req;
	char *lower;

	id = register_ok(email, &x, &u, &t);
	/* stored as typed; a customer, unverified, with a session */
	ck_assert_str_eq(u.email, email);
	ck_assert_int_eq(u.role, ROLE_CUSTOMER);
	ck_assert(!u.email_verified);
	ck_assert_ptr_nonnull(t.session_id);
	ck_assert_int_eq(t.expires_in, ACCESS_TTL_S);
	ck_assert_int_eq(gate(t.access_token, &req), E_OK);
	ck_assert_str_eq(req.user_id, id);
	ck_assert_str_eq(req.session_id, t.session_id);
	ck_assert_int_eq(req.user_role, ROLE_CUSTOMER);

	/* the same address in another case (and with blanks around it) */
	lower = arena_printf(a, "  %s ", email);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	dup = (user_register_input){ lower, PASSWORD, "Bob", "Other" };
	err_clear(&e);
	ck_assert_int_eq(user_register(a, &x, &dup, &u2, &t2, &e), E_ALREADY_EXISTS);
	ck_assert_int_eq(ecode_status(e.code), 409);

	/* the verification mail: headers and the single-use link */
	mail = mails_text(email);
	ck_assert_msg(mail != NULL, "no verification mail in %s", mail_dir);
	/* "Zoë's Café & Co" and "Confirm ... for Zoë's Café & Co" as
	 * encoded-words; the HTML part escaped, the text part not */
	ck_assert_msg(strncmp(mail, "From: =?UTF-8?B?Wm/DqydzIENhZsOpICYgQ28=?= <no-reply@", 51) == 0,
	    "%.80s", mail);
	ck_assert_ptr_nonnull(strstr(mail, "\r\nSubject: =?UTF-8?B?"));
	ck_assert_ptr_nonnull(strstr(mail, "Zoë&#39;s Café &amp; Co</a>"));
	ck_assert_ptr_nonnull(strstr(mail, "\r\nZoë's Café & Co\r\n"));
	ck_assert_ptr_nonnull(strstr(mail, "\r\nDate: "));
	ck_assert_ptr_nonnull(strstr(mail, "\r\nMessage-ID: <"));
	ck_assert_ptr_nonnull(strstr(mail, "\r\nMIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(mail, "multipart/alternative"));
	ck_assert_ptr_nonnull(strstr(mail, "text/plain; charset=utf-8"));
	ck_assert_ptr_nonnull(strstr(mail, "text/html; charset=utf-8"));
	ck_assert_int_eq(link_tokens(mail, arena_printf(a, "%s/verify-email", cfg->base_url),
	    toks, 4), 1);
	token = toks[0];
	/* only the hash is stored */
	ck_assert_ptr_null(sql1("SELECT 1 FROM users.one_time_tokens WHERE token_hash = $1", token, NULL));
	ck_assert_str_eq(sql1("SELECT purpose FROM users.one_time_tokens WHERE token_hash = $1",
	    sha256_of(token), NULL), "email_verify");
	err_clear(&e);
	ck_assert_int_eq(user_verify_email(a, &x, token, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(user_get(a, id, &u2, &e), E_OK);
	ck_assert(u2.email_verified);
	err_clear(&e);
	ck_assert_int_eq(user_verify_email(a, &x, token, &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "token");
	/* a verified account gets no further verification mail */
	err_clear(&e);
	ck_assert_int_eq(user_resend_verification(a, &x, id, &e), E_OK);
	ck_assert_int_eq(mails_to(email), 1);

	ck_assert_int_eq(outbox_count(id, "ecommerce.user.registered"), 1);
	ck_assert_int_eq(outbox_count(id, "ecommerce.user.updated"), 1);
	ck_assert_str_eq(sql1("SELECT payload->'data'->>'email' FROM users.outbox"
	    " WHERE aggregate_id = $1::uuid AND event_type = 'ecommerce.user.registered'", id, NULL),
	    email);
	ck_assert_str_eq(sql1("SELECT payload->>'correlation_id' FROM users.outbox"
	    " WHERE aggregate_id = $1::uuid AND event_type = 'ecommerce.user.registered'", id, NULL),
	    "check-user");
	/* the password is stored as bcrypt, never in the clear */
	ck_assert_ptr_nonnull(strstr(sql1("SELECT password_hash FROM users.users WHERE id = $1::uuid",
	    id, NULL), "$2b$04$"));
}
END_TEST

START_TEST(login_and_generic_failure)
{
	const char *email = fresh_email("login"), *id;
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t;
	error e, e2;
	bool enrol = true;

	id = register_ok(email, &x, &u, &t);
	ck_assert_int_eq(u.last_login_at, 0);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t, &enrol, &e), E_OK);
	ck_assert_str_eq(u.id, id);
	ck_assert(!enrol);
	ck_assert_int_ne(u.last_login_at, 0);
	ck_assert_ptr_nonnull(t.refresh_token);
	/* the e-mail in any case */
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, arena_printf(a, " %s", email), PASSWORD, NULL, &u, &t,
	    NULL, &e), E_OK);

	/* wrong password and unknown e-mail: the same answer */
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, "wrong password!", NULL, &u, &t, NULL, &e),
	    E_UNAUTHORIZED);
	ck_assert_ptr_null(u.id);
	ck_assert_ptr_null(t.access_token);
	err_clear(&e2);
	ck_assert_int_eq(user_login(a, &x, fresh_email("nobody"), PASSWORD, NULL, &u, &t, NULL,
	    &e2), E_UNAUTHORIZED);
	ck_assert_str_eq(e.message, e2.message);
	ck_assert_int_eq(e.nfields, 0);
	ck_assert_int_eq(e2.nfields, 0);

	/* an inactive account: the same answer, even with the right password */
	sql1("UPDATE users.users SET active = false WHERE id = $1::uuid", id, NULL);
	err_clear(&e2);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t, NULL, &e2), E_UNAUTHORIZED);
	ck_assert_str_eq(e.message, e2.message);
}
END_TEST

START_TEST(refresh_rotates_and_reuse_revokes_the_family)
{
	const char *email = fresh_email("refresh");
	long long ttl;
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t, t1, t2;
	error e;
	request req;

	register_ok(email, &x, &u, &t);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t, NULL, &e), E_OK);
	/* an access token is no refresh token */
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t.access_token, &u, &t1, &e), E_UNAUTHORIZED);
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, "garbage", &u, &t1, &e), E_UNAUTHORIZED);

	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t.refresh_token, &u, &t1, &e), E_OK);
	ck_assert_str_eq(t1.session_id, t.session_id);
	ck_assert_str_ne(t1.refresh_token, t.refresh_token);
	ck_assert_str_eq(u.email, email);
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t1.refresh_token, &u, &t2, &e), E_OK);
	ck_assert_int_eq(gate(t2.access_token, &req), E_OK);
	ck_assert(!user_session_revoked(a, t.session_id));

	/* the first token again: theft assumed, the whole family ends */
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t.refresh_token, &u, &t1, &e), E_UNAUTHORIZED);
	ck_assert_ptr_null(t1.access_token);
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t2.refresh_token, &u, &t1, &e), E_UNAUTHORIZED);
	ck_assert(user_session_revoked(a, t.session_id));
	ck_assert_int_eq(gate(t2.access_token, &req), E_UNAUTHORIZED);
	ck_assert_ptr_null(req.user_id);
	ck_assert_str_eq(sql1("SELECT revoke_reason FROM users.sessions WHERE id = $1::uuid",
	    t.session_id, NULL), "reuse");
	ttl = redis_cmd(a, &e, "TTL revoked:%s", t.session_id)->integer;
	ck_assert_msg(ttl > 0 && ttl <= ACCESS_TTL_S, "TTL %lld", ttl);
}
END_TEST

START_TEST(cookie_refresh_tolerates_a_racing_tab_only_briefly)
{
	const char *email = fresh_email("tabs");
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t, t1, t2;
	error e;
	request req;

	register_ok(email, &x, &u, &t);
	err_clear(&e);
	ck_assert_int_eq(user_refresh_cookie(a, &x, t.refresh_token, &u, &t1, &e), E_OK);
	ck_assert_ptr_nonnull(t1.refresh_token);
	/* the second tab presents the same cookie a moment later: access only */
	err_clear(&e);
	ck_assert_int_eq(user_refresh_cookie(a, &x, t.refresh_token, &u, &t2, &e), E_OK);
	ck_assert_ptr_nonnull(t2.access_token);
	ck_assert_ptr_null(t2.refresh_token);
	ck_assert_str_eq(t2.session_id, t.session_id);
	ck_assert_int_eq(gate(t2.access_token, &req), E_OK);
	ck_assert(!user_session_revoked(a, t.session_id));
	/* the API path has no grace: an API client never shares its token */
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t1.refresh_token, &u, &t2, &e), E_OK);
	sql1("UPDATE users.refresh_tokens SET used_at = now() - interval '1 minute'"
	    " WHERE session_id = $1::uuid AND used_at IS NOT NULL", t.session_id, NULL);
	/* after the grace window the same reuse is theft: the family ends */
	err_clear(&e);
	ck_assert_int_eq(user_refresh_cookie(a, &x, t.refresh_token, &u, &t1, &e), E_UNAUTHORIZED);
	ck_assert(user_session_revoked(a, t.session_id));
	ck_assert_int_eq(gate(t2.access_token, &req), E_UNAUTHORIZED);
}
END_TEST

START_TEST(logout_revokes_the_session)
{
	const char *email = fresh_email("logout"), *id;
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t, other, t1;
	error e;
	request req;

	id = register_ok(email, &x, &u, &other);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t, NULL, &e), E_OK);
	/* someone else's session id is not ours to end */
	err_clear(&e);
	ck_assert_int_eq(user_logout(a, &x, "00000000-0000-4000-8000-000000000000", t.session_id, &e),
	    E_OK);
	ck_assert(!user_session_revoked(a, t.session_id));
	err_clear(&e);
	ck_assert_int_eq(user_logout(a, &x, id, t.session_id, &e), E_OK);
	ck_assert(user_session_revoked(a, t.session_id));
	ck_assert_int_eq(gate(t.access_token, &req), E_UNAUTHORIZED);
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t.refresh_token, &u, &t1, &e), E_UNAUTHORIZED);
	/* the other session (from registration) lives on */
	ck_assert(!user_session_revoked(a, other.session_id));
	ck_assert_int_eq(gate(other.access_token, &req), E_OK);
}
END_TEST

START_TEST(forgot_and_reset_single_use_and_expiry)
{
	const char *email = fresh_email("reset"), *id, *token, *token2, *toks[4], *link;
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t, t1;
	error e;

	id = register_ok(email, &x, &u, &t);
	link = arena_printf(a, "%s/reset-password", cfg->base_url);
	/* unknown and malformed addresses */
	err_clear(&e);
	ck_assert_int_eq(user_forgot_password(a, &x, fresh_email("ghost"), &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(user_forgot_password(a, &x, "nope", &e), E_VALIDATION);

	err_clear(&e);
	ck_assert_int_eq(user_forgot_password(a, &x, email, &e), E_OK);
	ck_assert_int_eq(link_tokens(mails_text(email), link, toks, 4), 1);
	token = toks[0];
	/* a policy failure leaves the link usable */
	err_clear(&e);
	ck_assert_int_eq(user_reset_password(a, &x, token, "short", &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "new_password");
	err_clear(&e);
	ck_assert_int_eq(user_reset_password(a, &x, token, PASSWORD2, &e), E_OK);
	/* every session ended, the old password gone, the new one works */
	ck_assert(user_session_revoked(a, t.session_id));
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t.refresh_token, &u, &t1, &e), E_UNAUTHORIZED);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t1, NULL, &e), E_UNAUTHORIZED);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD2, NULL, &u, &t1, NULL, &e), E_OK);
	/* single use */
	err_clear(&e);
	ck_assert_int_eq(user_reset_password(a, &x, token, PASSWORD, &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "token");
	ck_assert_int_eq(outbox_count(id, "ecommerce.user.password_reset"), 1);
	ck_assert_str_eq(sql1("SELECT revoke_reason FROM users.sessions WHERE id = $1::uuid",
	    t.session_id, NULL), "password_reset");

	/* expiry: a link past its hour no longer works */
	err_clear(&e);
	ck_assert_int_eq(user_forgot_password(a, &x, email, &e), E_OK);
	ck_assert_int_eq(mails_to(email), 3);
	ck_assert_int_eq(link_tokens(mails_text(email), link, toks, 4), 2);
	token2 = strcmp(toks[0], token) == 0 ? toks[1] : toks[0];
	ck_assert_str_ne(token2, token);
	ck_assert_str_eq(sql1("UPDATE users.one_time_tokens SET expires_at = now() - interval '1 second'"
	    " WHERE token_hash = $1 AND used_at IS NULL RETURNING 'expired'", sha256_of(token2), NULL),
	    "expired");
	err_clear(&e);
	ck_assert_int_eq(user_reset_password(a, &x, token2, PASSWORD, &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "token");
	/* a token of another purpose (the unspent verification link) is no
	 * reset token */
	ck_assert_int_eq(link_tokens(mails_text(email), arena_printf(a, "%s/verify-email",
	    cfg->base_url), toks, 4), 1);
	err_clear(&e);
	ck_assert_int_eq(user_reset_password(a, &x, toks[0], PASSWORD, &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "token");
}
END_TEST

START_TEST(change_password_keeps_only_this_session)
{
	const char *email = fresh_email("change"), *id;
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens first, t, t1;
	error e;
	request req;

	id = register_ok(email, &x, &u, &first);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t, NULL, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(user_change_password(a, &x, id, "not my password", PASSWORD2, t.session_id,
	    &e), E_VALIDATION);
	ck_assert_str_eq(e.fields[0].name, "current_password");
	err_clear(&e);
	ck_assert_int_eq(user_change_password(a, &x, id, PASSWORD, PASSWORD2, t.session_id, &e), E_OK);
	ck_assert(user_session_revoked(a, first.session_id));
	ck_assert(!user_session_revoked(a, t.session_id));
	ck_assert_int_eq(gate(t.access_token, &req), E_OK);
	ck_assert_int_eq(gate(first.access_token, &req), E_UNAUTHORIZED);
	err_clear(&e);
	ck_assert_int_eq(user_refresh(a, &x, t.refresh_token, &u, &t1, &e), E_OK);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD, NULL, &u, &t1, NULL, &e), E_UNAUTHORIZED);
	err_clear(&e);
	ck_assert_int_eq(user_login(a, &x, email, PASSWORD2, NULL, &u, &t1, NULL, &e), E_OK);
}
END_TEST

START_TEST(profile_update_emits_updated)
{
	const char *email = fresh_email("profile"), *id;
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t;
	user_profile_input in = { "  Annabel ", NULL, "+1 555 0100" };
	user_profile_input bad = { "", NULL, "call me" };
	error e;

	id = register_ok(email, &x, &u, &t);
	err_clear(&e);
	ck_assert_int_eq(user_update_profile(a, &x, id, &in, &u, &e), E_OK);
	ck_assert_str_eq(u.first_name, "Annabel");
	ck_assert_str_eq(u.last_name, "Example");
	ck_assert_str_eq(u.phone, "+1 555 0100");
	ck_assert_int_eq(outbox_count(id, "ecommerce.user.updated"), 1);
	err_clear(&e);
	ck_assert_int_eq(user_update_profile(a, &x, id, &bad, &u, &e), E_VALIDATION);
	ck_assert_int_eq(e.nfields, 2);
}
END_TEST

/* One login attempt; its code, and retry_after for E_RATE_LIMITED. */
static ecode
attempt(const user_ctx *x, const char *email, const char *pw, int *retry)
{
	user u;
	user_tokens t;
	error e;
	ecode rc;

	err_clear(&e);
	rc = user_login(a, x, email, pw, NULL, &u, &t, NULL, &e);
	*retry = e.retry_after;
	return rc;
}

START_TEST(throttle_delays_grow_and_success_clears)
{
	const char *email = fresh_email("throttle");
	user_ctx x = ctx_from(fresh_ip());
	user u;
	user_tokens t;
	int retry;

	register_ok(email, &x, &u, &t);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(attempt(&x, email, "wrong password!", &retry), E_UNAUTHORIZED);
	/* locked for 1 s: even the right password waits */
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_RATE_LIMITED);
	ck_assert_int_eq(retry, 1);
	/* the lock is the account's, whatever the case of the e-mail */
	{
		char *up = arena_strdup(a, email);

		for (char *p = up; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 32);
		ck_assert_int_eq(attempt(&x, up, PASSWORD, &retry), E_RATE_LIMITED);
	}
	usleep(1100 * 1000);
	ck_assert_int_eq(attempt(&x, email, "wrong password!", &retry), E_UNAUTHORIZED);
	/* the sixth failure doubles the delay */
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_RATE_LIMITED);
	ck_assert_int_eq(retry, 2);
	usleep(1100 * 1000);
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_RATE_LIMITED);
	usleep(1000 * 1000);
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_OK);
	/* success cleared the count: one failure is no lock */
	ck_assert_int_eq(attempt(&x, email, "wrong password!", &retry), E_UNAUTHORIZED);
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_OK);
}
END_TEST

START_TEST(throttle_per_ip)
{
	user_ctx x = ctx_from(fresh_ip());
	const char *email = fresh_email("ipvictim");
	user u;
	user_tokens t;
	int retry;

	register_ok(email, &x, &u, &t);
	/* 20 failures spread over many accounts from one address */
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(attempt(&x, fresh_email("spray"), PASSWORD, &retry), E_UNAUTHORIZED);
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_RATE_LIMITED);
	ck_assert_int_eq(retry, 1);
	/* another address is not affected */
	x.client_ip = fresh_ip();
	ck_assert_int_eq(attempt(&x, email, PASSWORD, &retry), E_OK);
}
END_TEST

int
main(void)
{
	Suite *s;
	TCase *tc;
	char tmpl[] = "/tmp/check_user.XXXXXX";

	/* bcrypt at its cheapest, and mail into a directory of our own that
	 * does not exist yet (mail_write creates it) */
	setenv("ECOM_PASSWORD_COST", "4", 1);
	/* a store name that needs RFC 2047 in headers and escaping in HTML */
	setenv("ECOM_STORE_NAME", STORE_NAME, 1);
	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(mail_dir, sizeof mail_dir, "%s/mail/new", tmpl);
	setenv("ECOM_MAIL_DIR", mail_dir, 1);
	if (config_init() != 0)
		return 1;
	if (config_raw("ECOM_DB_URL") == NULL || config_raw("ECOM_REDIS_URL") == NULL) {
		puts("SKIP: set ECOM_DB_URL and ECOM_REDIS_URL (or ECOM_CONFIG) to real servers");
		return 77;
	}
	s = suite_create("user");
	tc = tcase_create("accounts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, register_validates_every_field_together);
	tcase_add_test(tc, register_duplicate_verify_and_events);
	tcase_add_test(tc, login_and_generic_failure);
	tcase_add_test(tc, refresh_rotates_and_reuse_revokes_the_family);
	tcase_add_test(tc, cookie_refresh_tolerates_a_racing_tab_only_briefly);
	tcase_add_test(tc, logout_revokes_the_session);
	tcase_add_test(tc, forgot_and_reset_single_use_and_expiry);
	tcase_add_test(tc, change_password_keeps_only_this_session);
	tcase_add_test(tc, profile_update_emits_updated);
	tcase_add_test(tc, throttle_delays_grow_and_success_clears);
	tcase_add_test(tc, throttle_per_ip);
	suite_add_tcase(s, tc);
	return check_run(s);
}
