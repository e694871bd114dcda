/*
 * admin.c — user management: the admin's user list, role and active
 * changes, and accounts created directly by tools (ecomctl, ./serve).
 *
 * The route table lets only admins in; the functions repeat that check for
 * a signed-in actor so no other caller can skip it, and tools (no actor)
 * are trusted.  An admin cannot demote or deactivate themself, so a shop
 * that has an admin keeps one.  Taking rights away (a demotion, a
 * deactivation) revokes every session of the user in the same transaction:
 * their access tokens still name the old role and would otherwise work for
 * up to ACCESS_TTL_S.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/parse.h"
#include "core/util.h"
#include "user/internal.h"

/* ILIKE's default escape is '\', which user_list puts before % _ and \. */
#define USER_FILTER \
	" WHERE ($1::text IS NULL OR u.email ILIKE $1::text OR u.first_name ILIKE $1::text" \
	" OR u.last_name ILIKE $1::text OR (u.first_name || ' ' || u.last_name) ILIKE $1::text)" \
	" AND ($2::text IS NULL OR u.role = $2::text)" \
	" AND ($3::boolean IS NULL OR u.active = $3::boolean)"

static db_stmt count_stmt = DB_STMT("users_admin_count",
    "SELECT count(*) FROM users.users u" USER_FILTER, 3);

static db_stmt page_stmt = DB_STMT("users_admin_page",
    "SELECT " USER_COLS " FROM users.users u" USER_FILTER
    " ORDER BY u.created_at DESC, u.id LIMIT $4::bigint OFFSET $5::bigint", 5);

static db_stmt lock_stmt = DB_STMT("users_admin_lock",
    "SELECT role, active FROM users.users WHERE id = $1::uuid FOR UPDATE", 1);

static db_stmt update_stmt = DB_STMT("users_admin_update",
    "UPDATE users.users SET role = coalesce($2::text, role),"
    " active = coalesce($3::boolean, active), updated_at = now()"
    " WHERE id = $1::uuid", 3);

static ecode
fail(error *e, ecode code)
{
	if (e->code == E_OK)
		err_set(e, code, "the user could not be changed");
	return e->code;
}

static bool
role_valid(int r)
{
	return r >= ROLE_CUSTOMER && r <= ROLE_ADMIN;
}

/* ------------------------------------------------------------ list */

/* s as an ILIKE substring pattern with its wildcards taken literally. */
static char *
like_pattern(arena *a, const char *s)
{
	size_t n = strlen(s);
	char  *out = arena_alloc(a, 2 * n + 3), *w;

	if (!out)
		return NULL;
	w = out;
	*w++ = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*w++ = '\\';
		*w++ = *s;
	}
	*w++ = '%';
	*w = '\0';
	return out;
}

ecode
user_list(arena *a, const user_filter *f, const page *pg, user_page *out, error *e)
{
	page        dflt = { 1, PAGE_DEFAULT_SIZE, 0 };
	const char *p[5] = { NULL, NULL, NULL, NULL, NULL };
	char        limit[24], offset[24];
	db_conn    *c;
	PGresult   *r;
	int         rows;

	memset(out, 0, sizeof *out);
	if (!pg)
		pg = &dflt;
	if (pg->per_page < 1 || pg->per_page > PAGE_MAX_SIZE)
		return err_set(e, E_INVALID_PARAMETER, "per_page must be between 1 and %d",
		    PAGE_MAX_SIZE);
	if (pg->offset < 0 || pg->page < 1 || pg->page > PAGE_MAX_PAGE)
		return err_set(e, E_INVALID_PARAMETER, "page must be between 1 and %d",
		    PAGE_MAX_PAGE);
	if (f && f->search && *f->search) {
		size_t n = strlen(f->search);

		if (!utf8_valid(f->search, n) || utf8_len(f->search, n) > USER_SEARCH_MAX)
			return err_set(e, E_INVALID_PARAMETER,
			    "search must be text of at most %d characters", USER_SEARCH_MAX);
		if (!(p[0] = like_pattern(a, f->search)))
			return err_set(e, E_INTERNAL, "out of memory");
	}
	if (f && f->role != -1) {
		if (!role_valid(f->role))
			return err_set(e, E_INVALID_PARAMETER,
			    "role must be customer, seller or admin");
		p[1] = role_name((role)f->role);
	}
	if (f && f->active != -1) {
		if (f->active != 0 && f->active != 1)
			return err_set(e, E_INVALID_PARAMETER, "active must be true or false");
		p[2] = f->active ? "true" : "false";
	}
	snprintf(limit, sizeof limit, "%lld", (long long)pg->per_page);
	snprintf(offset, sizeof offset, "%lld", (long long)pg->offset);
	p[3] = limit;
	p[4] = offset;
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (!(r = db_exec(c, a, &count_stmt, p, e)))
		return fail(e, E_INTERNAL);
	out->total = db_i64(r, 0, 0);
	if (!(r = db_exec(c, a, &page_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if ((rows = PQntuples(r)) == 0)
		return E_OK;
	if (!(out->items = arena_calloc(a, (size_t)rows, sizeof *out->items)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		user_from_row(r, i, &out->items[i]);
	out->n = (size_t)rows;
	return E_OK;
}

/* ------------------------------------------------------------ role/active */

typedef struct admin_tx {
	const user_ctx         *ctx;
	const char             *id;
	const user_admin_input *in;
	user                   *out;
	role                    old_role;
	bool                    old_active;
	bool                    changed;
} admin_tx;

static ecode
admin_update_fn(db_conn *c, arena *a, void *ud, error *e)
{
	admin_tx   *t = ud;
	const char *p[3] = { t->id, NULL, NULL };
	PGresult   *r;
	role        new_role;
	bool        new_active;

	if (!(r = db_exec(c, a, &lock_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "user not found");
	if (role_parse(db_val(r, 0, 0), &t->old_role) != 0)
		return err_set(e, E_INTERNAL, "a user has an unknown role");
	t->old_active = db_bool(r, 0, 1);
	new_role = t->in->role == -1 ? t->old_role : (role)t->in->role;
	new_active = t->in->active == -1 ? t->old_active : t->in->active == 1;
	t->changed = new_role != t->old_role || new_active != t->old_active;
	if (t->changed) {
		p[1] = role_name(new_role);
		p[2] = new_active ? "true" : "false";
		if (!db_exec(c, a, &update_stmt, p, e))
			return fail(e, E_INTERNAL);
		if ((t->old_active && !new_active) || new_role < t->old_role) {
			if (session_revoke_all(c, a, t->id, NULL,
			    !new_active ? "deactivated" : "role_changed", e) != E_OK)
				return fail(e, E_INTERNAL);
		}
	}
	if (store_user_get(c, a, t->id, t->out, e) != E_OK)
		return e->code;
	return t->changed ? users_emit(c, a, t->ctx, "updated", t->out, e) : E_OK;
}

ecode
user_admin_update(arena *a, const user_ctx *ctx, const char *id,
    const user_admin_input *in, user *out, error *e)
{
	admin_tx t = { ctx, id, in, NULL, ROLE_CUSTOMER, false, false };
	db_conn *c;

	/* apart from the initializer: cppcheck's whole-program check reads a
	 * pointer to a caller's unfilled struct there as a use */
	t.out = out;
	if (ctx && ctx->actor_id && ctx->actor_role != ROLE_ADMIN)
		return err_set(e, E_FORBIDDEN, "only admins can change users");
	if (in->role != -1 && !role_valid(in->role))
		err_field(e, "role", "must be customer, seller or admin");
	if (in->active < -1 || in->active > 1)
		err_field(e, "active", "must be true or false");
	if (e->code != E_OK)
		return e->code;
	if (!id || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (ctx && ctx->actor_id && strcasecmp(ctx->actor_id, id) == 0) {
		if (in->role != -1 && in->role != ROLE_ADMIN)
			return err_set(e, E_CONFLICT, "you cannot take away your own admin role; "
			    "another admin has to");
		if (in->active == 0)
			return err_set(e, E_CONFLICT, "you cannot deactivate your own account; "
			    "another admin has to");
	}
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (db_tx(c, a, admin_update_fn, &t, e) != E_OK)
		return e->code;
	if (out->role != t.old_role)
		users_security_log(ctx, "role_changed", id,
		    arena_printf(a, "%s -> %s", role_name(t.old_role), role_name(out->role)));
	if (t.old_active && !out->active)
		users_security_log(ctx, "deactivated", id, NULL);
	else if (!t.old_active && out->active)
		users_security_log(ctx, "reactivated", id, NULL);
	return E_OK;
}

/* ------------------------------------------------------------ tools */

/* The secret upper-cased without spaces or padding, or NULL if it is not
 * base32 of at least 80 bits within the column's 16..64 characters. */
static const char *
totp_secret_clean(arena *a, const char *s)
{
	unsigned char raw[64];
	char         *out = arena_alloc(a, strlen(s) + 1), *w;
	int           nbytes;

	if (!out)
		return NULL;
	w = out;
	for (; *s; s++)
		if (*s != ' ' && *s != '=')
			*w++ = (char)toupper((unsigned char)*s);
	*w = '\0';
	nbytes = base32_decode(out, raw, sizeof raw);
	explicit_bzero(raw, sizeof raw);
	if (nbytes < 10 || strlen(out) < 16 || strlen(out) > 64)
		return NULL;
	return out;
}

typedef struct create_tx {
	const char *id, *email, *hash, *first, *last, *secret;
	role        r;
	user       *out;
} create_tx;

static db_stmt totp_on_stmt = DB_STMT("users_admin_totp_on",
    "UPDATE users.users SET totp_secret = $2::text, totp_enabled = true"
    " WHERE id = $1::uuid", 2);

static ecode
create_fn(db_conn *c, arena *a, void *ud, error *e)
{
	create_tx  *t = ud;
	user_ctx    tool = { NULL, ROLE_ADMIN, NULL, NULL, NULL };
	const char *p[2] = { t->id, t->secret };

	if (store_user_insert(c, a, t->id, t->email, t->hash, t->first, t->last, t->r,
	    true, t->out, e) != E_OK)
		return fail(e, E_INTERNAL);
	if (t->secret) {
		if (!db_exec(c, a, &totp_on_stmt, p, e))
			return fail(e, E_INTERNAL);
		if (store_user_get(c, a, t->id, t->out, e) != E_OK)
			return e->code;
	}
	return users_emit(c, a, &tool, "registered", t->out, e);
}

ecode
user_create_direct(arena *a, const char *email, const char *password,
    const char *first_name, const char *last_name, role r, const char *totp_secret,
    user *out, error *e)
{
	char      id[37], hash[PASSWORD_HASH_MAX];
	create_tx t = { id, NULL, hash, NULL, NULL, NULL, r, NULL };
	db_conn  *c;
	ecode     rc;

	t.out = out;	/* see user_admin_update */
	/* The same rules as a registration, so a tool cannot create an
	 * account the sign-in form would refuse. */
	if (email && !(t.email = users_email_trim(a, email)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!t.email || !users_email_valid(t.email))
		err_field(e, "email", "must be an e-mail address of at most %d characters",
		    USER_EMAIL_MAX);
	if (!(t.first = users_name_checked(a, first_name, "first_name", e)) && !first_name)
		err_field(e, "first_name", "is required");
	if (!(t.last = users_name_checked(a, last_name, "last_name", e)) && !last_name)
		err_field(e, "last_name", "is required");
	if (!password)
		err_field(e, "password", "is required");
	else
		password_check_policy(password, t.email, "password", e);
	if (!role_valid((int)r))
		err_field(e, "role", "must be customer, seller or admin");
	if (totp_secret && !(t.secret = totp_secret_clean(a, totp_secret)))
		err_field(e, "totp_secret", "must be a base32 secret of 16 to 64 characters");
	if (e->code != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if (password_hash(password, hash) != 0)
		return err_set(e, E_INTERNAL, "the password could not be hashed");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	rc = db_tx(c, a, create_fn, &t, e);
	explicit_bzero(hash, sizeof hash);
	return rc;
}
