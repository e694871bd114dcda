/*
 * user.h — the accounts domain: users, passwords, sessions (refresh-token
 * families), one-time tokens, two-factor authentication, addresses,
 * wishlists and admin user management.  The only header other code
 * includes.
 *
 * Every function takes the request arena (everything it returns lives
 * there until the arena is reset), an `error` to fill on failure, and
 * returns E_OK or the error's code.  Writes run in one transaction on
 * db_for("users") and write their events (user.registered, user.updated,
 * user.password_reset) to users.outbox in that transaction.
 *
 * Sessions: a login opens a refresh-token family (a "session", its id is
 * the `sid` claim of every token it issues).  Each refresh rotates the
 * refresh token; presenting a rotated one again revokes the whole family
 * (theft detection).  Revoking a family also marks it in Redis for the
 * access-token lifetime, so the gate refuses its access tokens at once.
 *
 * Who may do what is the router's job (route min_role); ownership is this
 * module's: every per-user function takes the acting user's id and treats
 * someone else's row as E_NOT_FOUND.
 *
 * Security events (login success/failure, lockout, role change, 2FA change,
 * password reset) are logged as JSON lines with the request id.
 */
#ifndef ECOM_USER_H
#define ECOM_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/http.h"
#include "core/page.h"

/* ------------------------------------------------------------ bounds */

#define USER_EMAIL_MAX		254	/* bytes (RFC 5321 path limit) */
#define USER_NAME_MAX		100	/* characters, first and last name */
#define USER_PHONE_MAX		32
#define USER_SEARCH_MAX		100
#define ADDRESS_FIELD_MAX	200	/* characters, every address line */
#define ADDRESS_LABEL_MAX	50
#define ADDRESS_POSTAL_MAX	20
#define ADDRESSES_MAX		20	/* per user */
#define WISHLIST_MAX		200	/* products per user */
#define USER_OTP_MAX		32	/* bytes of an otp / recovery code input */

#define ACCESS_TTL_S		900		/* 15 min */
#define REFRESH_TTL_S		(7 * 86400)	/* 7 days */
#define RESET_TTL_S		3600		/* password reset link: 1 h */
#define VERIFY_TTL_S		(48 * 3600)	/* e-mail verification link: 48 h */

/* ------------------------------------------------------------ context */

/* Who is acting and from where: written into events and security logs. */
typedef struct user_ctx {
	const char *actor_id;	/* the signed-in user, or NULL */
	role        actor_role;
	const char *request_id;
	const char *client_ip;	/* for login throttling and logs */
	const char *user_agent;	/* stored on the session; may be NULL */
} user_ctx;

/* The context of a request (principal, request id, client IP, agent). */
user_ctx user_ctx_of(const request *req);

/* ------------------------------------------------------------ users */

typedef struct user {
	const char *id;
	const char *email;
	const char *first_name;
	const char *last_name;
	const char *phone;		/* "" when none */
	role        role;
	bool        active;
	bool        email_verified;
	bool        totp_enabled;
	int64_t     created_at;		/* Unix seconds */
	int64_t     updated_at;
	int64_t     last_login_at;	/* 0 = never */
} user;

/* The user as api-v1 JSON (no secrets); a new object. */
json_object *user_to_json(const user *u);

typedef struct user_tokens {
	const char *access_token;
	const char *refresh_token;
	int64_t     expires_in;		/* seconds, of the access token */
	int64_t     refresh_expires_in;
	const char *session_id;		/* the family (sid claim) */
} user_tokens;

/* {access_token, refresh_token, expires_in, token_type:"Bearer"} */
json_object *user_tokens_to_json(const user_tokens *t);

typedef struct user_register_input {
	const char *email;
	const char *password;
	const char *first_name;
	const char *last_name;
} user_register_input;

/*
 * Create a customer, open a session, and queue the e-mail verification
 * message (templates/email/verify-email.*, notification.h).  Every bad
 * field is reported (E_VALIDATION keyed email/password/first_name/
 * last_name); a taken e-mail is E_ALREADY_EXISTS.
 */
ecode user_register(arena *a, const user_ctx *ctx, const user_register_input *in,
    user *out, user_tokens *tok, error *e);

/*
 * Sign in.  Unknown e-mail, wrong password and inactive account give the
 * same E_UNAUTHORIZED "wrong e-mail or password" in the same time.  An
 * account with 2FA needs `otp` (a TOTP code or a recovery code): missing ->
 * E_UNAUTHORIZED with field "otp" = "required"; wrong -> E_UNAUTHORIZED
 * with field "otp" = "invalid".  Failures are counted in Redis per account
 * and per IP; past the threshold the next attempts wait a growing delay
 * (E_RATE_LIMITED with retry_after), even with the right password.
 * `need_2fa_enrolment` is set for an admin without 2FA when
 * ECOM_ADMIN_2FA=required: the tokens are still issued, and the admin
 * responder sends the admin to enrolment before anything else.
 */
ecode user_login(arena *a, const user_ctx *ctx, const char *email, const char *password,
    const char *otp, user *out, user_tokens *tok, bool *need_2fa_enrolment, error *e);

/*
 * The second step of a two-step sign-in form: `email` passed user_login's
 * password check moments ago (the caller vouches with a signed,
 * short-lived cookie; the password is never carried forward).  Same
 * throttle, logs and answers as user_login; an unknown or inactive account,
 * or one without 2FA, is E_UNAUTHORIZED.
 */
ecode user_login_otp(arena *a, const user_ctx *ctx, const char *email, const char *otp,
    user *out, user_tokens *tok, bool *need_2fa_enrolment, error *e);

/* Rotate: a valid, unused refresh token of a live family gives a new pair;
 * a used one revokes its family.  Anything else E_UNAUTHORIZED. */
ecode user_refresh(arena *a, const user_ctx *ctx, const char *refresh_token,
    user *out, user_tokens *tok, error *e);
/*
 * The session cookie's rotation: as user_refresh, except that a token
 * rotated less than REFRESH_GRACE_S ago is taken for a concurrent request
 * of the same browser (two tabs refreshing at once) and gives an access
 * token only (tok->refresh_token NULL): the browser already holds the
 * successor the first request set.  Later reuse still revokes the family.
 */
#define REFRESH_GRACE_S 20
ecode user_refresh_cookie(arena *a, const user_ctx *ctx, const char *refresh_token,
    user *out, user_tokens *tok, error *e);

/* Revoke the family `session_id` of user_id (logout).  Unknown is E_OK. */
ecode user_logout(arena *a, const user_ctx *ctx, const char *user_id,
    const char *session_id, error *e);

/* Whether the family is revoked (the gate asks Redis; fail open to the
 * database when Redis is down).  Used by lib/auth for every token. */
bool user_session_revoked(arena *a, const char *session_id);

/* Always E_OK for a well-formed e-mail (whether or not it exists); writes
 * the reset message for an active account.  Rate limits apply upstream. */
ecode user_forgot_password(arena *a, const user_ctx *ctx, const char *email, error *e);
/* Single-use token from the reset mail; sets the password, revokes every
 * session of the user, emits user.password_reset.  Bad/used/expired token
 * -> E_VALIDATION on field "token". */
ecode user_reset_password(arena *a, const user_ctx *ctx, const char *token,
    const char *new_password, error *e);
/* Wrong current password -> E_VALIDATION on "current_password".  Revokes
 * the user's other sessions (keep_session_id stays). */
ecode user_change_password(arena *a, const user_ctx *ctx, const char *user_id,
    const char *current_password, const char *new_password,
    const char *keep_session_id, error *e);
/* Single-use token from the verification mail. */
ecode user_verify_email(arena *a, const user_ctx *ctx, const char *token, error *e);
/* Write a fresh verification mail (account page "send again"). */
ecode user_resend_verification(arena *a, const user_ctx *ctx, const char *user_id, error *e);

ecode user_get(arena *a, const char *id, user *out, error *e);

typedef struct user_profile_input {
	const char *first_name;		/* NULL = unchanged */
	const char *last_name;
	const char *phone;		/* "" clears */
} user_profile_input;

ecode user_update_profile(arena *a, const user_ctx *ctx, const char *user_id,
    const user_profile_input *in, user *out, error *e);

/* ------------------------------------------------------------ 2FA */

/* Start enrolment: a new secret (kept pending until confirmed). */
ecode user_totp_begin(arena *a, const user_ctx *ctx, const char *user_id,
    const char **secret_b32, const char **otpauth_uri, error *e);
/* Confirm with a code from the app: 2FA on, RECOVERY_CODES fresh codes
 * returned (shown once, stored hashed).  Wrong code -> field "otp". */
ecode user_totp_confirm(arena *a, const user_ctx *ctx, const char *user_id,
    const char *code, const char ***recovery_codes, error *e);
/* Turn 2FA off (needs the password); admins may not while it is required. */
ecode user_totp_disable(arena *a, const user_ctx *ctx, const char *user_id,
    const char *password, error *e);
/* Whether the admin 2FA policy is satisfied for u. */
bool user_2fa_ok(const user *u);

/* ------------------------------------------------------------ addresses */

typedef struct address {
	const char *id;
	const char *user_id;
	const char *label;		/* "" when none */
	const char *first_name;
	const char *last_name;
	const char *address_line1;
	const char *address_line2;	/* "" when none */
	const char *city;
	const char *state;		/* "" when none */
	const char *postal_code;
	const char *country_code;	/* ISO 3166-1 alpha-2, upper case */
	const char *phone;		/* "" when none */
	bool        is_default;
	int64_t     created_at;
	int64_t     updated_at;
} address;

json_object *address_to_json(const address *ad);

/* Input fields: NULL = not sent (on update: unchanged). */
typedef struct address_input {
	const char *label, *first_name, *last_name, *address_line1, *address_line2;
	const char *city, *state, *postal_code, *country_code, *phone;
	int         is_default;		/* -1 not sent, 0, 1 */
} address_input;

ecode address_list(arena *a, const char *user_id, address **out, size_t *n, error *e);
ecode address_get(arena *a, const char *user_id, const char *id, address *out, error *e);
/* The first address becomes the default; setting is_default clears it on
 * the others in the same transaction. */
ecode address_create(arena *a, const user_ctx *ctx, const char *user_id,
    const address_input *in, address *out, error *e);
ecode address_update(arena *a, const user_ctx *ctx, const char *user_id, const char *id,
    const address_input *in, address *out, error *e);
ecode address_delete(arena *a, const user_ctx *ctx, const char *user_id, const char *id,
    error *e);

/* ------------------------------------------------------------ wishlist */

typedef struct wishlist_item {
	const char *product_id;
	int64_t     added_at;
} wishlist_item;

ecode wishlist_list(arena *a, const char *user_id, wishlist_item **out, size_t *n,
    error *e);
/* The product must exist and be published (catalog); adding twice is E_OK. */
ecode wishlist_add(arena *a, const user_ctx *ctx, const char *user_id,
    const char *product_id, error *e);
/* Not in the list -> E_NOT_FOUND. */
ecode wishlist_remove(arena *a, const user_ctx *ctx, const char *user_id,
    const char *product_id, error *e);
ecode wishlist_has(arena *a, const char *user_id, const char *product_id, bool *out,
    error *e);

/* ------------------------------------------------------------ admin */

typedef struct user_filter {
	const char *search;	/* e-mail or name substring, NULL = all */
	int         role;	/* -1 any, else a role */
	int         active;	/* -1 any, 0, 1 */
} user_filter;

typedef struct user_page {
	user   *items;
	size_t  n;
	int64_t total;
} user_page;

ecode user_list(arena *a, const user_filter *f, const page *pg, user_page *out, error *e);

typedef struct user_admin_input {
	int role;		/* -1 unchanged, else a role */
	int active;		/* -1 unchanged, 0, 1 */
} user_admin_input;

/* Change role and/or active; deactivation revokes every session.  An admin
 * cannot demote or deactivate themself (E_CONFLICT), so a shop always keeps
 * an admin.  Emits user.updated; logs role changes. */
ecode user_admin_update(arena *a, const user_ctx *ctx, const char *id,
    const user_admin_input *in, user *out, error *e);

/*
 * For tools (ecomctl, ./serve): create an account with a role, verified,
 * with an optional TOTP secret already enabled (base32, may be NULL).
 * Policy applies to the password.  E_ALREADY_EXISTS if taken.
 */
ecode user_create_direct(arena *a, const char *email, const char *password,
    const char *first_name, const char *last_name, role r, const char *totp_secret,
    user *out, error *e);

#endif
