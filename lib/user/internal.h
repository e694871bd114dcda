/*
 * internal.h — what the files of lib/user share; never included outside.
 *
 *   store_user.c   users table: the row mapping and its statements
 *   login.c        register, login, user_ctx_of
 *   throttle.c     login throttling in Redis (per account, per IP)
 *   session.c      sessions (refresh-token families): open, rotate, revoke
 *   tokens.c       one-time tokens: forgot/reset/change password, verify e-mail
 *   mail.c         e-mails rendered from templates/email/ into cfg->mail_dir
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

/* ------------------------------------------------------------ mail.c */

/* Render templates/email/<name>.{subject,txt,html}.mustache with ctx (a
 * JSON object, borrowed) and write one .eml file to cfg->mail_dir. */
ecode mail_write(arena *a, const char *to, const char *name, json_object *ctx, error *e);

/* ------------------------------------------------------------ tokens.c */

/* 64-char lower-case hex SHA-256 of s, into out[65]. */
void sha256_hex(const char *s, char out[65]);

#endif
