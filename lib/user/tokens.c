/*
 * tokens.c — one-time tokens (password reset, e-mail verification), the
 * password changes built on them, and the profile.
 *
 * A token is 32 bytes from getrandom(2), written into the link as
 * base64url (43 characters, no padding) and stored only as the SHA-256 hex
 * of that text, so a copy of the table opens no account.  Spending one is
 * a single guarded UPDATE (used_at IS NULL AND expires_at > now()), so a
 * link works once even when clicked twice at the same moment.  Issuing a
 * new token of a purpose spends the user's older ones: only the newest
 * mail works.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/sha.h>

#include "auth/password.h"
#include "core/config.h"
#include "core/util.h"
#include "notification/notification.h"
#include "user/internal.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43		/* base64url of 32 bytes, unpadded */

#define PURPOSE_RESET  "password_reset"
#define PURPOSE_VERIFY "email_verify"

void
sha256_hex(const char *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)s, strlen(s), d);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static db_stmt retire_tokens = DB_STMT("users_ott_retire",
    "UPDATE users.one_time_tokens SET used_at = now()"
    " WHERE user_id = $1::uuid AND purpose = $2::text AND used_at IS NULL", 2);

static db_stmt insert_token = DB_STMT("users_ott_insert",
    "INSERT INTO users.one_time_tokens (token_hash, user_id, purpose, expires_at)"
    " VALUES ($1::text, $2::uuid, $3::text, now() + make_interval(secs => $4::int))", 4);

static db_stmt spend_token = DB_STMT("users_ott_spend",
    "UPDATE users.one_time_tokens SET used_at = now()"
    " WHERE token_hash = $1::text AND purpose = $2::text AND used_at IS NULL"
    " AND expires_at > now() RETURNING user_id", 2);

/* 43 base64url characters of fresh randomness into out[44]; 0 or -1. */
static int
token_new(char out[TOKEN_CHARS + 1])
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[TOKEN_BYTES + 1];
	size_t o = 0;

	if (getrandom(r, TOKEN_BYTES, 0) != TOKEN_BYTES)
		return -1;
	r[TOKEN_BYTES] = 0;
	/* 33 bytes in 3-byte groups give 44 characters; the last is padding
	 * of the zero byte added above and is dropped */
	for (size_t i = 0; i < TOKEN_BYTES + 1; i += 3) {
		unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 | r[i + 2];

		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = b64[v >> 6 & 63];
		out[o++] = b64[v & 63];
	}
	out[TOKEN_CHARS] = '\0';
	return 0;
}

/* Whether s has the shape of a token we issue (saves a query on junk). */
static bool
token_shaped(const char *s)
{
	if (s == NULL || strnlen(s, TOKEN_CHARS + 1) != TOKEN_CHARS)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

/* Issue a token for user_id; the clear text into out (the mail's link). */
static ecode
token_issue(db_conn *c, arena *a, const char *user_id, const char *purpose, int ttl_s,
    char out[TOKEN_CHARS + 1], error *e)
{
	char hash[65], ttl[16];
	const char *rp[2] = { user_id, purpose }, *ip[4];

	if (token_new(out) != 0)
		return err_set(e, E_INTERNAL, "no randomness for a token");
	if (db_exec(c, a, &retire_tokens, rp, e) == NULL)
		return e->code;
	sha256_hex(out, hash);
	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	ip[0] = hash;
	ip[1] = user_id;
	ip[2] = purpose;
	ip[3] = ttl;
	return db_exec(c, a, &insert_token, ip, e) != NULL ? E_OK : e->code;
}

/* Spend a token: *user_id of its owner, or E_VALIDATION on "token". */
static ecode
token_spend(db_conn *c, arena *a, const char *token, const char *purpose,
    const char **user_id, error *e)
{
	char hash[65];
	const char *p[2] = { hash, purpose };
	PGresult *r;

	*user_id = NULL;
	if (!token_shaped(token))
		return err_field(e, "token", "is invalid, used or expired");
	sha256_hex(token, hash);
	if ((r = db_exec(c, a, &spend_token, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1)
		return err_field(e, "token", "is invalid, used or expired");
	*user_id = db_val(r, 0, 0);
	return E_OK;
}

/* The mail of a token: link, name and validity for the templates. */
static ecode
token_mail(arena *a, const user *u, const char *tmpl, const char *path,
    const char *token, int ttl_s, error *e)
{
	json_object *ctx = json_object_new_object();
	const char *link = arena_printf(a, "%s%s?token=%s", cfg->base_url, path, token);
	ecode rc;

	if (ctx == NULL || link == NULL) {
		json_object_put(ctx);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	json_object_object_add(ctx, "first_name", json_object_new_string(u->first_name));
	json_object_object_add(ctx, "email", json_object_new_string(u->email));
	json_object_object_add(ctx, "link", json_object_new_string(link));
	json_object_object_add(ctx, "valid_hours", json_object_new_int(ttl_s / 3600));
	/* the link is a secret: queued directly, never as an event */
	rc = notification_send_account_mail(a, tmpl, u->id, u->email, ctx, true, NULL, e);
	json_object_put(ctx);
	return rc;
}

ecode
tokens_send_verification(db_conn *c, arena *a, const user *u, error *e)
{
	char token[TOKEN_CHARS + 1];

	if (token_issue(c, a, u->id, PURPOSE_VERIFY, VERIFY_TTL_S, token, e) != E_OK)
		return e->code;
	return token_mail(a, u, "verify-email", "/verify-email", token, VERIFY_TTL_S, e);
}

/* ------------------------------------------------------------ forgot / reset */

typedef struct forgot_tx {
	const char *email;
	bool        sent;
	user        u;
} forgot_tx;

static ecode
forgot_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	forgot_tx *t = ud;
	char token[TOKEN_CHARS + 1];

	t->sent = false;
	if (store_user_by_email(c, a, t->email, &t->u, NULL, e) != E_OK) {
		if (e->code != E_NOT_FOUND)
			return e->code;
		err_clear(e);
		return E_OK;
	}
	if (!t->u.active)
		return E_OK;
	if (token_issue(c, a, t->u.id, PURPOSE_RESET, RESET_TTL_S, token, e) != E_OK)
		return e->code;
	t->sent = true;
	return token_mail(a, &t->u, "reset-password", "/reset-password", token, RESET_TTL_S, e);
}

ecode
user_forgot_password(arena *a, const user_ctx *ctx, const char *email, error *e)
{
	forgot_tx t;
	db_conn *c;

	memset(&t, 0, sizeof t);
	t.email = email != NULL ? users_email_trim(a, email) : NULL;
	if (email != NULL && t.email == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (t.email == NULL || !users_email_valid(t.email))
		return err_field(e, "email", "must be an e-mail address");
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (db_tx(c, a, forgot_in_tx, &t, e) != E_OK)
		return e->code;
	if (t.sent)
		users_security_log(ctx, "password_reset_requested", t.u.id, NULL);
	return E_OK;
}

typedef struct reset_tx {
	const user_ctx *ctx;
	const char     *token, *password;
	user            u;
} reset_tx;

static ecode
reset_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	reset_tx *t = ud;
	const char *uid;
	char hash[PASSWORD_HASH_MAX];

	if (token_spend(c, a, t->token, PURPOSE_RESET, &uid, e) != E_OK)
		return e->code;
	if (store_user_get(c, a, uid, &t->u, e) != E_OK)
		return e->code;
	/* a refused password rolls back, so the link can be used again */
	if (password_check_policy(t->password, t->u.email, "new_password", e) != E_OK)
		return e->code;
	if (password_hash(t->password, hash) != 0)
		return err_set(e, E_INTERNAL, "could not hash the password");
	if (store_user_set_password(c, a, t->u.id, hash, e) != E_OK ||
	    session_revoke_all(c, a, t->u.id, NULL, "password_reset", e) != E_OK)
		return e->code;
	/* the link came by mail, so the address is proven as well */
	if (store_user_set_verified(c, a, t->u.id, &t->u, e) != E_OK)
		return e->code;
	return users_emit(c, a, t->ctx, "password_reset", &t->u, e);
}

ecode
user_reset_password(arena *a, const user_ctx *ctx, const char *token,
    const char *new_password, error *e)
{
	reset_tx t;
	db_conn *c;

	memset(&t, 0, sizeof t);
	t.ctx = ctx;
	t.token = token;
	t.password = new_password;
	if (!token_shaped(token))
		err_field(e, "token", "is invalid, used or expired");
	if (new_password == NULL)
		err_field(e, "new_password", "is required");
	if (e->code != E_OK)
		return e->code;
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (db_tx(c, a, reset_in_tx, &t, e) != E_OK)
		return e->code;
	throttle_success(a, t.u.email);
	users_security_log(ctx, "password_reset", t.u.id, NULL);
	return E_OK;
}

/* ------------------------------------------------------------ change password */

typedef struct change_tx {
	const char *user_id, *hash, *keep;
} change_tx;

static ecode
change_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	change_tx *t = ud;

	if (store_user_set_password(c, a, t->user_id, t->hash, e) != E_OK)
		return e->code;
	return session_revoke_all(c, a, t->user_id, t->keep, "password_change", e);
}

ecode
user_change_password(arena *a, const user_ctx *ctx, const char *user_id,
    const char *current_password, const char *new_password,
    const char *keep_session_id, error *e)
{
	user u;
	const char *old;
	char hash[PASSWORD_HASH_MAX];
	change_tx t = { user_id, hash, keep_session_id };
	db_conn *c;

	if ((c = users_db(e)) == NULL)
		return e->code;
	if (store_user_get(c, a, user_id, &u, e) != E_OK ||
	    store_user_password_hash(c, a, user_id, &old, e) != E_OK)
		return e->code;
	if (current_password == NULL || !password_verify(current_password, old))
		err_field(e, "current_password", "is wrong");
	if (new_password == NULL)
		err_field(e, "new_password", "is required");
	else
		password_check_policy(new_password, u.email, "new_password", e);
	if (e->code != E_OK)
		return e->code;
	if (password_hash(new_password, hash) != 0)
		return err_set(e, E_INTERNAL, "could not hash the password");
	if (db_tx(c, a, change_in_tx, &t, e) != E_OK)
		return e->code;
	users_security_log(ctx, "password_changed", user_id, NULL);
	return E_OK;
}

/* ------------------------------------------------------------ verify e-mail */

typedef struct verify_tx {
	const user_ctx *ctx;
	const char     *token;
	user            u;
} verify_tx;

static ecode
verify_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	verify_tx *t = ud;
	const char *uid;

	if (token_spend(c, a, t->token, PURPOSE_VERIFY, &uid, e) != E_OK ||
	    store_user_set_verified(c, a, uid, &t->u, e) != E_OK)
		return e->code;
	return users_emit(c, a, t->ctx, "updated", &t->u, e);
}

ecode
user_verify_email(arena *a, const user_ctx *ctx, const char *token, error *e)
{
	verify_tx t;
	db_conn *c;

	memset(&t, 0, sizeof t);
	t.ctx = ctx;
	t.token = token;
	if (!token_shaped(token))
		return err_field(e, "token", "is invalid, used or expired");
	if ((c = users_db(e)) == NULL)
		return e->code;
	return db_tx(c, a, verify_in_tx, &t, e);
}

typedef struct resend_tx {
	const char *user_id;
	user        u;
} resend_tx;

static ecode
resend_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	resend_tx *t = ud;

	if (store_user_get(c, a, t->user_id, &t->u, e) != E_OK)
		return e->code;
	/* nothing to prove any more: no mail, and no error to a stale page */
	if (t->u.email_verified)
		return E_OK;
	return tokens_send_verification(c, a, &t->u, e);
}

ecode
user_resend_verification(arena *a, const user_ctx *ctx, const char *user_id, error *e)
{
	resend_tx t;
	db_conn *c;

	(void)ctx;
	memset(&t, 0, sizeof t);
	t.user_id = user_id;
	if ((c = users_db(e)) == NULL)
		return e->code;
	return db_tx(c, a, resend_in_tx, &t, e);
}

/* ------------------------------------------------------------ profile */

ecode
user_get(arena *a, const char *id, user *out, error *e)
{
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if ((c = users_db(e)) == NULL)
		return e->code;
	return store_user_get(c, a, id, out, e);
}

/* Code points of valid UTF-8, or -1 for a control character. */
static long
text_chars(const char *s)
{
	long n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return -1;
		if ((*p & 0xC0) != 0x80)
			n++;
	}
	return n;
}

const char *
users_name_checked(arena *a, const char *s, const char *field, error *e)
{
	size_t n;
	long chars;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strnlen(s, USER_NAME_MAX * 4 + 1);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > (size_t)USER_NAME_MAX * 4) {
		err_field(e, field, "must be at most %d characters", USER_NAME_MAX);
		return NULL;
	}
	if ((s = arena_strndup(a, s, n)) == NULL) {
		err_set(e, E_INTERNAL, "out of memory");
		return NULL;
	}
	chars = text_chars(s);
	if (chars < 1 || chars > USER_NAME_MAX) {
		err_field(e, field, "%s", chars < 0 ? "must not contain control characters" :
		    chars == 0 ? "is required" : "must be at most 100 characters");
		return NULL;
	}
	return s;
}

/* "" or digits with + ( ) - . and spaces, at most USER_PHONE_MAX bytes. */
static bool
phone_valid(const char *s)
{
	int digits = 0;
	size_t n = strnlen(s, USER_PHONE_MAX + 1);

	if (n == 0)
		return true;
	if (n > USER_PHONE_MAX)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (strchr("+()-. ", *p) == NULL)
			return false;
	}
	return digits >= 3;
}

typedef struct profile_tx {
	const user_ctx *ctx;
	const char     *id, *first, *last, *phone;
	user           *out;
} profile_tx;

static ecode
profile_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	profile_tx *t = ud;

	if (store_user_update_profile(c, a, t->id, t->first, t->last, t->phone, t->out, e) != E_OK)
		return e->code;
	return users_emit(c, a, t->ctx, "updated", t->out, e);
}

ecode
user_update_profile(arena *a, const user_ctx *ctx, const char *user_id,
    const user_profile_input *in, user *out, error *e)
{
	profile_tx t = { ctx, user_id, NULL, NULL, NULL, out };
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (!uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	t.first = users_name_checked(a, in->first_name, "first_name", e);
	t.last = users_name_checked(a, in->last_name, "last_name", e);
	if (in->phone != NULL) {
		if (phone_valid(in->phone))
			t.phone = in->phone;
		else
			err_field(e, "phone", "must be up to %d characters of digits, spaces and + ( ) - .",
			    USER_PHONE_MAX);
	}
	if (e->code != E_OK)
		return e->code;
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (db_tx(c, a, profile_in_tx, &t, e) != E_OK) {
		memset(out, 0, sizeof *out);
		return e->code;
	}
	return E_OK;
}
