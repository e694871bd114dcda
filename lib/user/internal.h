/*
 * internal.h — what the files of lib/user share; never included outside.
 *
 *   store_user.c   users table: the row mapping and its statements
 *   login.c        register, login, user_ctx_of
 *   throttle.c     login throttling in Redis (per account, per IP)
 *   session.c      sessions (refresh-token families): open, rotate, revoke
 *   tokens.c       one-time tokens: forgot/reset/change password, verify e-mail
 *   json.c         user, tokens and address as api-v1 JSON
 *   twofactor.c    TOTP enrolment, the otp check at login, recovery codes
 *   address.c      addresses
 *   wishlist.c     wishlist
 *   admin.c        user list, role/active changes, user_create_direct
 */
#ifndef ECOM_USER_INTERNAL_H
#define ECOM_USER_INTERNAL_H

#include <libpq-fe.h>

#include "core/db.h"
#include "user/user.h"

/* The users connection; NULL with e = E_UNAVAILABLE. */
db_conn *users_db(error *e);

/* ------------------------------------------------------------ store_user.c */

/* The column list every users query selects, in user_from_row()'s order
 * (times as Unix seconds). */
#define USER_COLS \
	"u.id, u.email, u.first_name, u.last_name, u.phone, u.role, u.active," \
	" u.email_verified, u.totp_enabled, extract(epoch FROM u.created_at)::bigint," \
	" extract(epoch FROM u.updated_at)::bigint," \
	" coalesce(extract(epoch FROM u.last_login_at)::bigint, 0)"
#define USER_NCOLS 12

/* Map row i (columns from USER_COLS starting at col 0) into u; strings
 * point into r (released at arena reset). */
void user_from_row(const PGresult *r, int i, user *u);

/* By id / by e-mail (case-insensitive); E_NOT_FOUND if none. */
ecode store_user_get(db_conn *c, arena *a, const char *id, user *out, error *e);
ecode store_user_by_email(db_conn *c, arena *a, const char *email, user *out,
    const char **password_hash, error *e);
/* The current hash of a user (E_NOT_FOUND if none). */
ecode store_user_password_hash(db_conn *c, arena *a, const char *id,
    const char **password_hash, error *e);
ecode store_user_set_password(db_conn *c, arena *a, const char *id,
    const char *password_hash, error *e);

/* ------------------------------------------------------------ events */

/* Write ecommerce.user.<what> (registered, updated, password_reset) with u
 * as data into users.outbox, in c's open transaction. */
ecode users_emit(db_conn *c, arena *a, const user_ctx *ctx, const char *what,
    const user *u, error *e);

/* A JSON security-event log line: {"security":"login_failed","user_id":..}. */
void users_security_log(const user_ctx *ctx, const char *event, const char *user_id,
    const char *detail);

/* ------------------------------------------------------------ session.c */

/* Open a family for u and issue its first pair (inside c's transaction). */
ecode session_open(db_conn *c, arena *a, const user_ctx *ctx, const user *u,
    user_tokens *tok, error *e);
/* Revoke every live family of a user except keep (may be NULL). */
ecode session_revoke_all(db_conn *c, arena *a, const char *user_id, const char *keep,
    const char *reason, error *e);

/* ------------------------------------------------------------ twofactor.c */

/*
 * The login's second step for a user with totp_enabled: code is a TOTP code
 * (stored step advanced, so it cannot be replayed) or an unused recovery
 * code (marked used).  *ok tells whether it matched; errors are only for
 * the database.
 */
ecode twofactor_check(db_conn *c, arena *a, const char *user_id, const char *code,
    bool *ok, error *e);

/* ------------------------------------------------------------ tokens.c */

/* 64-char lower-case hex SHA-256 of s, into out[65]. */
void sha256_hex(const char *s, char out[65]);

/* ------------------------------------------------------------ additions (h1) */

#define USERS_DOMAIN "users"

/* store_user.c: insert a new account (role by name); a taken e-mail is
 * E_ALREADY_EXISTS with field "email". */
ecode store_user_insert(db_conn *c, arena *a, const char *id, const char *email,
    const char *password_hash, const char *first_name, const char *last_name,
    role r, bool email_verified, user *out, error *e);
/* Stamp last_login_at = now(). */
ecode store_user_touch_login(db_conn *c, arena *a, const char *id, error *e);
/* Mark the e-mail verified; *out re-read. */
ecode store_user_set_verified(db_conn *c, arena *a, const char *id, user *out, error *e);
/* Change first/last name and phone (NULL = unchanged); *out re-read. */
ecode store_user_update_profile(db_conn *c, arena *a, const char *id,
    const char *first_name, const char *last_name, const char *phone,
    user *out, error *e);

/* login.c: e-mail checks shared by register, login and forgot-password.
 * users_email_trim: s without surrounding white space (arena; NULL on OOM).
 * users_email_valid: the shape we accept (3..254 bytes, one '@', a local
 * part of 1..64 bytes, a dotted domain, no spaces or control bytes). */
const char *users_email_trim(arena *a, const char *s);
bool users_email_valid(const char *email);
/* tokens.c: a first or last name trimmed of surrounding blanks, 1 to
 * USER_NAME_MAX characters, no control characters (arena copy); NULL for
 * NULL input or after adding a field error on `field` to e. */
const char *users_name_checked(arena *a, const char *s, const char *field, error *e);
/* The e-mail as a Redis/throttle key: lower-cased (ASCII) copy. */
const char *users_email_key(arena *a, const char *email);

/* throttle.c: login throttling.  throttle_check: E_OK, or E_RATE_LIMITED
 * with e->retry_after while the account or the IP is in a delay (Redis
 * down -> E_OK, logged).  throttle_failure counts a failed attempt and
 * starts the next delay past the thresholds; throttle_success clears the
 * account's count. */
ecode throttle_check(arena *a, const user_ctx *ctx, const char *email, error *e);
void  throttle_failure(arena *a, const user_ctx *ctx, const char *email,
    const char *user_id);
void  throttle_success(arena *a, const char *email);

/* session.c: revoke one family (reason "logout", "reuse", ...) and mark it
 * in Redis; *revoked tells whether a live family was found (may be NULL). */
ecode session_revoke(db_conn *c, arena *a, const char *session_id, const char *user_id,
    const char *reason, bool *revoked, error *e);

/* tokens.c: write the verification mail for u (a fresh single-use token),
 * inside c's transaction. */
ecode tokens_send_verification(db_conn *c, arena *a, const user *u, error *e);

#endif
