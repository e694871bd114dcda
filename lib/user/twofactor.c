/*
 * twofactor.c — TOTP two-factor authentication: enrolment, turning it off,
 * the second step of a login, and recovery codes.
 *
 * Enrolment is two steps so an account never depends on a secret its
 * owner's app does not hold: begin stores a new secret while totp_enabled
 * stays false; confirm proves the app has it (one valid code) and only then
 * turns 2FA on and hands out RECOVERY_CODES single-use codes, shown once
 * and stored as SHA-256 hex of their canonical form.
 *
 * Replay: a TOTP code is accepted only for a step later than the stored
 * totp_last_step, and the step is stored by an UPDATE guarded on
 * `totp_last_step < $step`, so two logins racing with one code cannot both
 * win.  A recovery code is spent by an UPDATE guarded on `used_at IS NULL`
 * for the same reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/password.h"
#include "auth/totp.h"
#include "core/config.h"
#include "core/site.h"
#include "core/util.h"
#include "user/internal.h"

/* The 2FA state of a user, row locked for the enclosing transaction. */
static db_stmt lock_stmt = DB_STMT("users_totp_lock",
    "SELECT email, totp_secret, totp_enabled, totp_last_step, role"
    " FROM users.users WHERE id = $1::uuid FOR UPDATE", 1);

static db_stmt begin_stmt = DB_STMT("users_totp_begin",
    "UPDATE users.users SET totp_secret = $2::text, updated_at = now()"
    " WHERE id = $1::uuid AND NOT totp_enabled", 2);

static db_stmt enable_stmt = DB_STMT("users_totp_enable",
    "UPDATE users.users SET totp_enabled = true, totp_last_step = $2::bigint,"
    " updated_at = now()"
    " WHERE id = $1::uuid AND NOT totp_enabled AND totp_secret = $3::text"
    " AND totp_last_step < $2::bigint", 3);

static db_stmt disable_stmt = DB_STMT("users_totp_disable",
    "UPDATE users.users SET totp_enabled = false, totp_secret = NULL,"
    " updated_at = now() WHERE id = $1::uuid AND totp_enabled", 1);

static db_stmt codes_clear_stmt = DB_STMT("users_recovery_clear",
    "DELETE FROM users.recovery_codes WHERE user_id = $1::uuid", 1);

/* $2 is an array literal of hex digests: no character of it needs quoting. */
static db_stmt codes_insert_stmt = DB_STMT("users_recovery_insert",
    "INSERT INTO users.recovery_codes (user_id, code_hash)"
    " SELECT $1::uuid, h FROM unnest($2::text[]) AS h", 2);

static db_stmt check_stmt = DB_STMT("users_totp_state",
    "SELECT totp_secret, totp_last_step FROM users.users"
    " WHERE id = $1::uuid AND totp_enabled", 1);

static db_stmt step_stmt = DB_STMT("users_totp_step",
    "UPDATE users.users SET totp_last_step = $2::bigint"
    " WHERE id = $1::uuid AND totp_enabled AND totp_last_step < $2::bigint", 2);

/* The count still unused after this one (the subquery sees the row before
 * the update). */
static db_stmt code_use_stmt = DB_STMT("users_recovery_use",
    "UPDATE users.recovery_codes SET used_at = now()"
    " WHERE user_id = $1::uuid AND code_hash = $2::text AND used_at IS NULL"
    " RETURNING (SELECT count(*) FROM users.recovery_codes r"
    " WHERE r.user_id = $1::uuid AND r.used_at IS NULL) - 1", 2);

static ecode
fail(error *e, ecode code)
{
	if (e->code == E_OK)
		err_set(e, code, "two-factor authentication could not be changed");
	return e->code;
}

static bool
admin_2fa_required(void)
{
	return cfg && cfg->admin_2fa && strcmp(cfg->admin_2fa, "required") == 0;
}

bool
user_2fa_ok(const user *u)
{
	return u->role != ROLE_ADMIN || u->totp_enabled || !admin_2fa_required();
}

typedef struct totp_state {
	const char *email;
	const char *secret;	/* NULL when none */
	bool        enabled;
	int64_t     last_step;
	const char *role;
} totp_state;

static ecode
lock_state(db_conn *c, arena *a, const char *user_id, totp_state *st, error *e)
{
	const char *p[1] = { user_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &lock_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "user not found");
	st->email = db_val(r, 0, 0);
	st->secret = db_val(r, 0, 1);
	st->enabled = db_bool(r, 0, 2);
	st->last_step = db_i64(r, 0, 3);
	st->role = db_val(r, 0, 4);
	return E_OK;
}

static bool
updated_one(PGresult *r)
{
	return strcmp(PQcmdTuples(r), "1") == 0;
}

/* ------------------------------------------------------------ begin */

typedef struct begin_tx {
	const char *user_id;
	const char *secret;
	const char *email;	/* out */
} begin_tx;

static ecode
begin_fn(db_conn *c, arena *a, void *ud, error *e)
{
	begin_tx   *t = ud;
	totp_state  st;
	const char *p[2] = { t->user_id, t->secret };
	PGresult   *r;

	if (lock_state(c, a, t->user_id, &st, e) != E_OK)
		return e->code;
	if (st.enabled)
		return err_set(e, E_CONFLICT, "two-factor authentication is already on; "
		    "turn it off before enrolling a new authenticator");
	if (!(r = db_exec(c, a, &begin_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (!updated_one(r))
		return err_set(e, E_CONFLICT, "two-factor authentication changed meanwhile; retry");
	t->email = st.email;
	return E_OK;
}

ecode
user_totp_begin(arena *a, const user_ctx *ctx, const char *user_id,
    const char **secret_b32, const char **otpauth_uri, error *e)
{
	char     secret[TOTP_SECRET_B32_MAX];
	begin_tx t = { user_id, NULL, NULL };
	db_conn *c;
	char    *uri;

	(void)ctx;
	*secret_b32 = *otpauth_uri = NULL;
	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (totp_secret_new(secret) != 0)
		return err_set(e, E_INTERNAL, "no randomness for a secret");
	if (!(t.secret = arena_strdup(a, secret)))
		return err_set(e, E_INTERNAL, "out of memory");
	explicit_bzero(secret, sizeof secret);
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (db_tx(c, a, begin_fn, &t, e) != E_OK)
		return e->code;
	uri = totp_uri(site_store_name(), t.email, t.secret);
	if (!uri)
		return err_set(e, E_INTERNAL, "out of memory");
	*otpauth_uri = arena_strdup(a, uri);
	free(uri);
	if (!*otpauth_uri)
		return err_set(e, E_INTERNAL, "out of memory");
	*secret_b32 = t.secret;
	return E_OK;
}

/* ------------------------------------------------------------ confirm */

typedef struct confirm_tx {
	const user_ctx *ctx;
	const char     *user_id;
	const char     *code;
	const char    **codes;	/* out: RECOVERY_CODES plain codes + NULL */
} confirm_tx;

/* RECOVERY_CODES new codes into t->codes and their digests as a Postgres
 * array literal. */
static ecode
new_codes(arena *a, confirm_tx *t, const char **array, error *e)
{
	char  *lit = arena_alloc(a, RECOVERY_CODES * 66 + 3), *w;

	if (!lit)
		return err_set(e, E_INTERNAL, "out of memory");
	w = lit;
	*w++ = '{';
	for (int i = 0; i < RECOVERY_CODES; i++) {
		char code[RECOVERY_CODE_MAX], norm[RECOVERY_CODE_MAX], hex[65];

		if (recovery_code_new(code) != 0 || recovery_code_normalize(code, norm) != 0)
			return err_set(e, E_INTERNAL, "no randomness for recovery codes");
		if (!(t->codes[i] = arena_strdup(a, code)))
			return err_set(e, E_INTERNAL, "out of memory");
		sha256_hex(norm, hex);
		if (i > 0)
			*w++ = ',';
		memcpy(w, hex, 64);
		w += 64;
	}
	*w++ = '}';
	*w = '\0';
	t->codes[RECOVERY_CODES] = NULL;
	*array = lit;
	return E_OK;
}

static ecode
confirm_fn(db_conn *c, arena *a, void *ud, error *e)
{
	confirm_tx *t = ud;
	totp_state  st;
	int64_t     step;
	char        step_s[24];
	const char *array = NULL;
	const char *p[3];
	PGresult   *r;
	user        u;

	if (lock_state(c, a, t->user_id, &st, e) != E_OK)
		return e->code;
	if (st.enabled)
		return err_set(e, E_CONFLICT, "two-factor authentication is already on");
	if (!st.secret)
		return err_set(e, E_CONFLICT, "start enrolment first: no authenticator secret is pending");
	step = totp_verify(st.secret, t->code, (int64_t)time(NULL), st.last_step);
	if (step < 0)
		return err_field(e, "otp", "is not the current code of your authenticator app");
	snprintf(step_s, sizeof step_s, "%lld", (long long)step);
	p[0] = t->user_id;
	p[1] = step_s;
	p[2] = st.secret;
	if (!(r = db_exec(c, a, &enable_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (!updated_one(r))
		return err_field(e, "otp", "is not the current code of your authenticator app");
	if (new_codes(a, t, &array, e) != E_OK)
		return e->code;
	p[1] = array;
	if (!db_exec(c, a, &codes_clear_stmt, p, e) ||
	    !db_exec(c, a, &codes_insert_stmt, p, e))
		return fail(e, E_INTERNAL);
	if (store_user_get(c, a, t->user_id, &u, e) != E_OK)
		return e->code;
	return users_emit(c, a, t->ctx, "updated", &u, e);
}

ecode
user_totp_confirm(arena *a, const user_ctx *ctx, const char *user_id,
    const char *code, const char ***recovery_codes, error *e)
{
	confirm_tx t = { ctx, user_id, code, NULL };
	db_conn   *c;

	*recovery_codes = NULL;
	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (!code || !*code)
		return err_field(e, "otp", "is required");
	if (strlen(code) > USER_OTP_MAX)
		return err_field(e, "otp", "is not the current code of your authenticator app");
	if (!(t.codes = arena_calloc(a, RECOVERY_CODES + 1, sizeof *t.codes)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (db_tx(c, a, confirm_fn, &t, e) != E_OK)
		return e->code;
	users_security_log(ctx, "2fa_enabled", user_id, NULL);
	*recovery_codes = t.codes;
	return E_OK;
}

/* ------------------------------------------------------------ disable */

typedef struct disable_tx {
	const user_ctx *ctx;
	const char     *user_id;
} disable_tx;

static ecode
refuse_admin(error *e)
{
	return err_set(e, E_FORBIDDEN, "two-factor authentication is required for admin "
	    "accounts on this shop and cannot be turned off");
}

static ecode
disable_fn(db_conn *c, arena *a, void *ud, error *e)
{
	disable_tx *t = ud;
	totp_state  st;
	const char *p[1] = { t->user_id };
	PGresult   *r;
	user        u;

	/* again under the lock: the role may have changed since the check */
	if (lock_state(c, a, t->user_id, &st, e) != E_OK)
		return e->code;
	if (st.role && strcmp(st.role, "admin") == 0 && admin_2fa_required())
		return refuse_admin(e);
	if (!(r = db_exec(c, a, &disable_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (!updated_one(r))
		return err_set(e, E_CONFLICT, "two-factor authentication is not on");
	if (!db_exec(c, a, &codes_clear_stmt, p, e))
		return fail(e, E_INTERNAL);
	if (store_user_get(c, a, t->user_id, &u, e) != E_OK)
		return e->code;
	return users_emit(c, a, t->ctx, "updated", &u, e);
}

ecode
user_totp_disable(arena *a, const user_ctx *ctx, const char *user_id,
    const char *password, error *e)
{
	disable_tx  t = { ctx, user_id };
	db_conn    *c;
	user        u;
	const char *hash;

	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (!password || !*password)
		return err_field(e, "password", "is required");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (store_user_get(c, a, user_id, &u, e) != E_OK)
		return e->code;
	/* The policy first: no password needs guessing to learn it. */
	if (u.role == ROLE_ADMIN && admin_2fa_required())
		return refuse_admin(e);
	if (!u.totp_enabled)
		return err_set(e, E_CONFLICT, "two-factor authentication is not on");
	if (store_user_password_hash(c, a, user_id, &hash, e) != E_OK)
		return e->code;
	/* bcrypt reads a bounded prefix anyway; an over-long one is wrong */
	if (strlen(password) > PASSWORD_MAX_BYTES || !password_verify(password, hash)) {
		users_security_log(ctx, "2fa_disable_refused", user_id, "wrong password");
		return err_field(e, "password", "is not your current password");
	}
	if (db_tx(c, a, disable_fn, &t, e) != E_OK)
		return e->code;
	users_security_log(ctx, "2fa_disabled", user_id, NULL);
	return E_OK;
}

/* ------------------------------------------------------------ login check */

static ecode
check_totp(db_conn *c, arena *a, const char *user_id, const char *code, bool *ok,
    error *e)
{
	const char *p[2] = { user_id, NULL };
	char        step_s[24];
	int64_t     step;
	PGresult   *r;

	if (!(r = db_exec(c, a, &check_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1 || !db_val(r, 0, 0))
		return E_OK;
	step = totp_verify(db_val(r, 0, 0), code, (int64_t)time(NULL), db_i64(r, 0, 1));
	if (step < 0)
		return E_OK;
	snprintf(step_s, sizeof step_s, "%lld", (long long)step);
	p[1] = step_s;
	/* Loses to a concurrent login that stored this step or a later one. */
	if (!(r = db_exec(c, a, &step_stmt, p, e)))
		return fail(e, E_INTERNAL);
	*ok = updated_one(r);
	return E_OK;
}

static ecode
check_recovery(db_conn *c, arena *a, const char *user_id, const char *code, bool *ok,
    error *e)
{
	char        norm[RECOVERY_CODE_MAX], hex[65], left[24];
	const char *p[2] = { user_id, hex };
	user_ctx    who = { user_id, ROLE_PUBLIC, NULL, NULL, NULL };	/* not signed in yet */
	PGresult   *r;

	if (recovery_code_normalize(code, norm) != 0)
		return E_OK;
	sha256_hex(norm, hex);
	if (!(r = db_exec(c, a, &code_use_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return E_OK;
	*ok = true;
	snprintf(left, sizeof left, "%lld left", (long long)db_i64(r, 0, 0));
	users_security_log(&who, "recovery_code_used", user_id, left);
	return E_OK;
}

ecode
twofactor_check(db_conn *c, arena *a, const char *user_id, const char *code,
    bool *ok, error *e)
{
	*ok = false;
	if (!user_id || !uuid_valid(user_id) || !code || !*code ||
	    strlen(code) > USER_OTP_MAX)
		return E_OK;
	if (check_totp(c, a, user_id, code, ok, e) != E_OK)
		return e->code;
	if (*ok)
		return E_OK;
	return check_recovery(c, a, user_id, code, ok, e);
}
