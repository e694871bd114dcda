/*
 * login.c — register and sign in, the context of a request, events and
 * security log lines.
 *
 * Sign-in must not tell an attacker which e-mails have accounts: an
 * unknown e-mail still costs one bcrypt verification (against
 * password_dummy_hash()), and unknown e-mail, wrong password and inactive
 * account all give the same error.  Failures feed the throttle
 * (throttle.c) before anything else is decided, and the throttle is
 * consulted before the password is even looked at, so a locked account
 * stays locked whatever is typed.
 *
 * bcrypt runs outside transactions: a quarter of a second holding row
 * locks would serialise every login behind it.
 */
#include <string.h>

#include "auth/auth.h"
#include "auth/password.h"
#include "core/config.h"
#include "core/log.h"
#include "core/outbox.h"
#include "core/util.h"
#include "user/internal.h"

#define GENERIC_LOGIN_ERROR "wrong e-mail or password"

user_ctx
user_ctx_of(const request *req)
{
	user_ctx c;

	memset(&c, 0, sizeof c);
	c.actor_id = req->user_id;
	c.actor_role = req->user_role;
	c.request_id = req->request_id;
	c.client_ip = req->client_ip;
	c.user_agent = req_header(req, "User-Agent");
	return c;
}

/* ------------------------------------------------------------ e-mail */

const char *
users_email_trim(arena *a, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	/* anything longer than this is refused by users_email_valid anyway */
	n = strnlen(s, USER_EMAIL_MAX + 64);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n'))
		n--;
	return arena_strndup(a, s, n);
}

bool
users_email_valid(const char *email)
{
	const char *at, *dot;
	size_t n;

	if (email == NULL || (n = strnlen(email, USER_EMAIL_MAX + 1)) < 3 || n > USER_EMAIL_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)email; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' ||
		    *p == ';' || *p == '"' || *p == '\\')
			return false;
	at = strchr(email, '@');
	if (at == NULL || at == email || strchr(at + 1, '@') != NULL || at - email > 64)
		return false;
	/* a dotted domain without empty labels: "a@b.c", not "a@b", "a@.b" */
	dot = strrchr(at + 1, '.');
	if (dot == NULL || at[1] == '.' || dot[1] == '\0' || strstr(at, "..") != NULL)
		return false;
	return true;
}

const char *
users_email_key(arena *a, const char *email)
{
	char *k = arena_strdup(a, email);

	for (char *p = k; p != NULL && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k;
}

/* ------------------------------------------------------------ events and logs */

static db_stmt outbox_stmt = DB_STMT("users_outbox_insert",
    "INSERT INTO users.outbox (id, event_type, aggregate_type, aggregate_id, payload)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::uuid, $5::jsonb)", 5);

ecode
users_emit(db_conn *c, arena *a, const user_ctx *ctx, const char *what,
    const user *u, error *e)
{
	event_origin o;
	const char *type = arena_printf(a, "user.%s", what);
	json_object *data = user_to_json(u);

	if (type == NULL || data == NULL) {
		json_object_put(data);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	memset(&o, 0, sizeof o);
	o.source = "users";
	o.correlation_id = ctx != NULL ? ctx->request_id : NULL;
	o.actor_id = ctx != NULL ? ctx->actor_id : NULL;
	o.actor_role = ctx != NULL ? ctx->actor_role : ROLE_PUBLIC;
	return outbox_emit(c, a, &outbox_stmt, &o, type, "user", u->id, data, e);
}

void
users_security_log(const user_ctx *ctx, const char *event, const char *user_id,
    const char *detail)
{
	json_object *o = json_object_new_object();
	bool bad = strstr(event, "fail") != NULL || strcmp(event, "lockout") == 0 ||
	    strstr(event, "reuse") != NULL;

	if (o == NULL)
		return;
	json_object_object_add(o, "event", json_object_new_string(event));
	if (user_id != NULL)
		json_object_object_add(o, "user_id", json_object_new_string(user_id));
	if (ctx != NULL && ctx->client_ip != NULL)
		json_object_object_add(o, "client_ip", json_object_new_string(ctx->client_ip));
	if (ctx != NULL && ctx->actor_id != NULL)
		json_object_object_add(o, "actor_id", json_object_new_string(ctx->actor_id));
	if (detail != NULL)
		json_object_object_add(o, "detail", json_object_new_string(detail));
	log_fields(bad ? LOG_WARN : LOG_INFO, "security event", o);
	json_object_put(o);
}

/* ------------------------------------------------------------ register */

typedef struct register_tx {
	const user_ctx *ctx;
	const char     *email, *hash, *first, *last;
	user           *out;
	user_tokens    *tok;
} register_tx;

static ecode
register_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	register_tx *t = ud;
	char id[37];

	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (store_user_insert(c, a, id, t->email, t->hash, t->first, t->last, ROLE_CUSTOMER,
	    false, t->out, e) != E_OK ||
	    users_emit(c, a, t->ctx, "registered", t->out, e) != E_OK ||
	    session_open(c, a, t->ctx, t->out, t->tok, e) != E_OK)
		return e->code;
	/* inside the transaction: an account whose mail could not be written
	 * is rolled back, and the client can simply try again */
	return tokens_send_verification(c, a, t->out, e);
}

ecode
user_register(arena *a, const user_ctx *ctx, const user_register_input *in,
    user *out, user_tokens *tok, error *e)
{
	char hash[PASSWORD_HASH_MAX];
	register_tx t = { ctx, NULL, hash, NULL, NULL, out, tok };
	db_conn *c;

	memset(out, 0, sizeof *out);
	memset(tok, 0, sizeof *tok);
	err_clear(e);
	if (in->email == NULL || *in->email == '\0')
		err_field(e, "email", "is required");
	else if ((t.email = users_email_trim(a, in->email)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	else if (!users_email_valid(t.email))
		err_field(e, "email", "must be an e-mail address of at most %d bytes", USER_EMAIL_MAX);
	if (in->password == NULL || *in->password == '\0')
		err_field(e, "password", "is required");
	else
		password_check_policy(in->password, t.email, "password", e);
	if (in->first_name == NULL)
		err_field(e, "first_name", "is required");
	else
		t.first = users_name_checked(a, in->first_name, "first_name", e);
	if (in->last_name == NULL)
		err_field(e, "last_name", "is required");
	else
		t.last = users_name_checked(a, in->last_name, "last_name", e);
	if (e->code != E_OK)
		return e->code;
	if (password_hash(in->password, hash) != 0)
		return err_set(e, E_INTERNAL, "could not hash the password");
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (db_tx(c, a, register_in_tx, &t, e) != E_OK) {
		memset(out, 0, sizeof *out);
		memset(tok, 0, sizeof *tok);
		return e->code;
	}
	users_security_log(ctx, "registered", out->id, NULL);
	return E_OK;
}

/* ------------------------------------------------------------ login */

typedef struct login_tx {
	const user_ctx *ctx;
	const char     *password, *otp, *old_hash;
	user           *out;
	user_tokens    *tok;
	bool            otp_ok;
} login_tx;

static ecode
login_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	login_tx *t = ud;
	char hash[PASSWORD_HASH_MAX];

	if (t->out->totp_enabled) {
		if (twofactor_check(c, a, t->out->id, t->otp, &t->otp_ok, e) != E_OK)
			return e->code;
		if (!t->otp_ok) {
			err_field(e, "otp", "invalid");
			return err_set(e, E_UNAUTHORIZED, "the one-time code is wrong");
		}
	}
	/* the cost went up since this hash was made: upgrade it now, while
	 * we hold the password in the clear */
	if (t->password != NULL && password_needs_rehash(t->old_hash)) {
		if (password_hash(t->password, hash) != 0)
			return err_set(e, E_INTERNAL, "could not hash the password");
		if (store_user_set_password(c, a, t->out->id, hash, e) != E_OK)
			return e->code;
	}
	if (store_user_touch_login(c, a, t->out->id, e) != E_OK ||
	    store_user_get(c, a, t->out->id, t->out, e) != E_OK)
		return e->code;
	return session_open(c, a, t->ctx, t->out, t->tok, e);
}

static ecode
login_refused(arena *a, const user_ctx *ctx, const char *email, const char *user_id,
    const char *why, error *e)
{
	throttle_failure(a, ctx, email, user_id);
	users_security_log(ctx, "login_failed", user_id, why);
	return err_set(e, E_UNAUTHORIZED, GENERIC_LOGIN_ERROR);
}

/* The end of both sign-in paths once the password (or, for the code
 * step, the caller's signed proof of it) is settled: the code if the
 * account has 2FA, the session, the throttle reset and the logs. */
static ecode
login_finish(db_conn *c, arena *a, const user_ctx *ctx, const char *addr,
    const char *password, const char *stored, const char *otp, user *out,
    user_tokens *tok, bool *need_2fa_enrolment, error *e)
{
	login_tx t = { ctx, password, NULL, stored, out, tok, false };

	if (otp != NULL && strnlen(otp, USER_OTP_MAX + 1) > USER_OTP_MAX)
		otp = "";
	t.otp = otp;
	if (db_tx(c, a, login_in_tx, &t, e) != E_OK) {
		const char *uid = arena_strdup(a, out->id);

		memset(out, 0, sizeof *out);
		memset(tok, 0, sizeof *tok);
		if (e->code == E_UNAUTHORIZED) {
			/* a wrong code counts like a wrong password, so codes
			 * cannot be guessed faster than passwords */
			throttle_failure(a, ctx, addr, uid);
			users_security_log(ctx, "login_failed", uid, "wrong one-time code");
		}
		return e->code;
	}
	throttle_success(a, addr);
	if (need_2fa_enrolment != NULL)
		*need_2fa_enrolment = out->role == ROLE_ADMIN && !out->totp_enabled &&
		    strcmp(cfg->admin_2fa, "required") == 0;
	users_security_log(ctx, "login_success", out->id, tok->session_id);
	return E_OK;
}

ecode
user_login(arena *a, const user_ctx *ctx, const char *email, const char *password,
    const char *otp, user *out, user_tokens *tok, bool *need_2fa_enrolment, error *e)
{
	const char *addr, *stored = NULL;
	bool found, match;
	db_conn *c;

	memset(out, 0, sizeof *out);
	memset(tok, 0, sizeof *tok);
	if (need_2fa_enrolment != NULL)
		*need_2fa_enrolment = false;
	err_clear(e);
	if (email == NULL || *email == '\0')
		err_field(e, "email", "is required");
	if (password == NULL || *password == '\0')
		err_field(e, "password", "is required");
	if (e->code != E_OK)
		return e->code;
	if ((addr = users_email_trim(a, email)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (throttle_check(a, ctx, addr, e) != E_OK)
		return e->code;
	if ((c = users_db(e)) == NULL)
		return e->code;
	found = users_email_valid(addr) && strnlen(password, PASSWORD_MAX_BYTES + 1) <= PASSWORD_MAX_BYTES;
	if (found && store_user_by_email(c, a, addr, out, &stored, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);
		found = false;
	}
	/* the same bcrypt work whether or not the account exists */
	match = password_verify(password, found ? stored : password_dummy_hash());
	if (!found || !match || !out->active) {
		const char *why = !found ? "unknown e-mail" : !match ? "wrong password" : "inactive";
		const char *uid = found ? arena_strdup(a, out->id) : NULL;

		memset(out, 0, sizeof *out);
		return login_refused(a, ctx, addr, uid, why, e);
	}
	if (out->totp_enabled && (otp == NULL || *otp == '\0')) {
		/* the password was right: the client now asks for the code;
		 * not a failure for the throttle */
		memset(out, 0, sizeof *out);
		err_field(e, "otp", "required");
		return err_set(e, E_UNAUTHORIZED, "enter the code from your authenticator app");
	}
	return login_finish(c, a, ctx, addr, password, stored, otp, out, tok,
	    need_2fa_enrolment, e);
}

ecode
user_login_otp(arena *a, const user_ctx *ctx, const char *email, const char *otp,
    user *out, user_tokens *tok, bool *need_2fa_enrolment, error *e)
{
	const char *addr, *stored = NULL;
	db_conn *c;

	memset(out, 0, sizeof *out);
	memset(tok, 0, sizeof *tok);
	if (need_2fa_enrolment != NULL)
		*need_2fa_enrolment = false;
	err_clear(e);
	if (email == NULL || *email == '\0' || otp == NULL || *otp == '\0') {
		err_field(e, "otp", "required");
		return err_set(e, E_UNAUTHORIZED, "enter the code from your authenticator app");
	}
	if ((addr = users_email_trim(a, email)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (throttle_check(a, ctx, addr, e) != E_OK)
		return e->code;
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (store_user_by_email(c, a, addr, out, &stored, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);
		memset(out, 0, sizeof *out);
		return login_refused(a, ctx, addr, NULL, "unknown e-mail", e);
	}
	if (!out->active || !out->totp_enabled) {
		const char *uid = arena_strdup(a, out->id);

		memset(out, 0, sizeof *out);
		return login_refused(a, ctx, addr, uid, "code step without 2FA", e);
	}
	return login_finish(c, a, ctx, addr, NULL, stored, otp, out, tok, need_2fa_enrolment, e);
}
