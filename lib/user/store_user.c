/*
 * store_user.c — the SQL of users.users: the row mapping and the
 * statements the login, token and profile code need.
 *
 * E-mails are stored as typed and matched case-insensitively through the
 * unique index on lower(email) (sql/users/001_init.sql), so every lookup by
 * e-mail compares lower(email) = lower($1) and can use that index.
 */
#include <string.h>

#include "auth/auth.h"
#include "core/util.h"
#include "user/internal.h"

db_conn *
users_db(error *e)
{
	return db_for(USERS_DOMAIN, e);
}

void
user_from_row(const PGresult *r, int i, user *u)
{
	const char *rl = db_val(r, i, 5);

	memset(u, 0, sizeof *u);
	u->id = db_val(r, i, 0);
	u->email = db_val(r, i, 1);
	u->first_name = db_val(r, i, 2);
	u->last_name = db_val(r, i, 3);
	u->phone = db_val(r, i, 4) != NULL ? db_val(r, i, 4) : "";
	/* the CHECK constraint allows only the three names; anything else
	 * would be a schema drift and gets the least privilege */
	if (role_parse(rl, &u->role) != 0)
		u->role = ROLE_CUSTOMER;
	u->active = db_bool(r, i, 6);
	u->email_verified = db_bool(r, i, 7);
	u->totp_enabled = db_bool(r, i, 8);
	u->created_at = db_i64(r, i, 9);
	u->updated_at = db_i64(r, i, 10);
	u->last_login_at = db_i64(r, i, 11);
}

static db_stmt get_stmt = DB_STMT("users_user_get",
    "SELECT " USER_COLS " FROM users.users u WHERE u.id = $1::uuid", 1);

static db_stmt by_email_stmt = DB_STMT("users_user_by_email",
    "SELECT " USER_COLS ", u.password_hash FROM users.users u"
    " WHERE lower(u.email) = lower($1::text)", 1);

static db_stmt hash_stmt = DB_STMT("users_user_password_hash",
    "SELECT u.password_hash FROM users.users u WHERE u.id = $1::uuid", 1);

static db_stmt set_password_stmt = DB_STMT("users_user_set_password",
    "UPDATE users.users SET password_hash = $2::text, updated_at = now()"
    " WHERE id = $1::uuid", 2);

static db_stmt insert_stmt = DB_STMT("users_user_insert",
    "INSERT INTO users.users AS u (id, email, password_hash, first_name, last_name,"
    " role, email_verified)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::text, $6::text, $7::boolean)"
    " RETURNING " USER_COLS, 7);

static db_stmt touch_login_stmt = DB_STMT("users_user_touch_login",
    "UPDATE users.users SET last_login_at = now() WHERE id = $1::uuid", 1);

static db_stmt set_verified_stmt = DB_STMT("users_user_set_verified",
    "UPDATE users.users AS u SET email_verified = true,"
    " updated_at = CASE WHEN u.email_verified THEN u.updated_at ELSE now() END"
    " WHERE u.id = $1::uuid RETURNING " USER_COLS, 1);

static db_stmt update_profile_stmt = DB_STMT("users_user_update_profile",
    "UPDATE users.users AS u SET first_name = coalesce($2::text, u.first_name),"
    " last_name = coalesce($3::text, u.last_name), phone = coalesce($4::text, u.phone),"
    " updated_at = now() WHERE u.id = $1::uuid RETURNING " USER_COLS, 4);

/* One row into *out, or E_NOT_FOUND. */
static ecode
one_user(const PGresult *r, user *out, error *e)
{
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "user not found");
	user_from_row(r, 0, out);
	return E_OK;
}

ecode
store_user_get(db_conn *c, arena *a, const char *id, user *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	memset(out, 0, sizeof *out);
	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if ((r = db_exec(c, a, &get_stmt, p, e)) == NULL)
		return e->code;
	return one_user(r, out, e);
}

ecode
store_user_by_email(db_conn *c, arena *a, const char *email, user *out,
    const char **password_hash, error *e)
{
	const char *p[1] = { email };
	PGresult *r;

	memset(out, 0, sizeof *out);
	if (password_hash != NULL)
		*password_hash = NULL;
	if ((r = db_exec(c, a, &by_email_stmt, p, e)) == NULL)
		return e->code;
	if (one_user(r, out, e) != E_OK)
		return e->code;
	if (password_hash != NULL)
		*password_hash = db_val(r, 0, USER_NCOLS);
	return E_OK;
}

ecode
store_user_password_hash(db_conn *c, arena *a, const char *id,
    const char **password_hash, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	*password_hash = NULL;
	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if ((r = db_exec(c, a, &hash_stmt, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "user not found");
	*password_hash = db_val(r, 0, 0);
	return E_OK;
}

ecode
store_user_set_password(db_conn *c, arena *a, const char *id,
    const char *password_hash, error *e)
{
	const char *p[2] = { id, password_hash };
	PGresult *r;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if ((r = db_exec(c, a, &set_password_stmt, p, e)) == NULL)
		return e->code;
	if (strcmp(PQcmdTuples(r), "1") != 0)
		return err_set(e, E_NOT_FOUND, "user not found");
	return E_OK;
}

ecode
store_user_insert(db_conn *c, arena *a, const char *id, const char *email,
    const char *password_hash, const char *first_name, const char *last_name,
    role r, bool email_verified, user *out, error *e)
{
	const char *p[7] = { id, email, password_hash, first_name, last_name,
	    role_name(r), email_verified ? "true" : "false" };
	PGresult *res;

	memset(out, 0, sizeof *out);
	if ((res = db_exec(c, a, &insert_stmt, p, e)) == NULL) {
		if (e->code == E_ALREADY_EXISTS) {
			err_clear(e);
			err_field(e, "email", "is already registered");
			err_set(e, E_ALREADY_EXISTS, "an account with this e-mail already exists");
		}
		return e->code;
	}
	return one_user(res, out, e);
}

ecode
store_user_touch_login(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };

	return db_exec(c, a, &touch_login_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
store_user_set_verified(db_conn *c, arena *a, const char *id, user *out, error *e)
{
	const char *p[1] = { id };
	PGresult *r;

	memset(out, 0, sizeof *out);
	if ((r = db_exec(c, a, &set_verified_stmt, p, e)) == NULL)
		return e->code;
	return one_user(r, out, e);
}

ecode
store_user_update_profile(db_conn *c, arena *a, const char *id,
    const char *first_name, const char *last_name, const char *phone,
    user *out, error *e)
{
	const char *p[4] = { id, first_name, last_name, phone };
	PGresult *r;

	memset(out, 0, sizeof *out);
	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if ((r = db_exec(c, a, &update_profile_stmt, p, e)) == NULL)
		return e->code;
	return one_user(r, out, e);
}
