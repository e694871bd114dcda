/*
 * session.c — sessions (refresh-token families): open, rotate, revoke.
 *
 * A login opens a family; every token it issues carries the family's id as
 * `sid`.  Only the SHA-256 of each refresh token's jti is stored.  Rotation
 * is one guarded UPDATE (used_at IS NULL) so two presentations of the same
 * token cannot both win: the loser sees a used token and, as theft
 * detection demands, revokes the whole family.
 *
 * A revoked family is also marked in Redis ("revoked:<sid>") for the
 * access-token lifetime, so the gate refuses its still-valid access tokens
 * at once without asking the database on every request.  When Redis is
 * down the gate asks the database instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/redis.h"
#include "core/util.h"
#include "user/internal.h"

static db_stmt insert_session = DB_STMT("users_session_insert",
    "INSERT INTO users.sessions (id, user_id, expires_at, client_ip, user_agent)"
    " VALUES ($1::uuid, $2::uuid, now() + make_interval(secs => $3::int), $4::text, $5::text)", 5);

static db_stmt insert_refresh = DB_STMT("users_refresh_insert",
    "INSERT INTO users.refresh_tokens (jti_hash, session_id, expires_at)"
    " VALUES ($1::text, $2::uuid, now() + make_interval(secs => $3::int))", 3);

/* The guarded rotation: only the first presentation of a token finds it. */
static db_stmt use_refresh = DB_STMT("users_refresh_use",
    "UPDATE users.refresh_tokens SET used_at = now()"
    " WHERE jti_hash = $1::text AND used_at IS NULL AND expires_at > now()"
    " RETURNING session_id", 1);

/* Column 2: rotated so recently that a concurrent request of the same
 * browser is the likely presenter (REFRESH_GRACE_S, user.h). */
static db_stmt find_refresh = DB_STMT("users_refresh_find",
    "SELECT session_id, used_at IS NOT NULL,"
    " used_at > now() - make_interval(secs => $2::int) AND expires_at > now()"
    " FROM users.refresh_tokens WHERE jti_hash = $1::text", 2);

/* Lock the family so a concurrent revoke and this rotation serialise. */
static db_stmt lock_session = DB_STMT("users_session_lock",
    "SELECT user_id, revoked_at IS NULL AND expires_at > now() FROM users.sessions"
    " WHERE id = $1::uuid FOR UPDATE", 1);

/* Sliding lifetime: each rotation keeps an active family alive. */
static db_stmt touch_session = DB_STMT("users_session_touch",
    "UPDATE users.sessions SET last_used_at = now(),"
    " expires_at = now() + make_interval(secs => $2::int) WHERE id = $1::uuid", 2);

static db_stmt revoke_one = DB_STMT("users_session_revoke",
    "UPDATE users.sessions SET revoked_at = now(), revoke_reason = $3::text"
    " WHERE id = $1::uuid AND ($2::uuid IS NULL OR user_id = $2::uuid)"
    " AND revoked_at IS NULL RETURNING id", 3);

static db_stmt revoke_all = DB_STMT("users_session_revoke_all",
    "UPDATE users.sessions SET revoked_at = now(), revoke_reason = $3::text"
    " WHERE user_id = $1::uuid AND revoked_at IS NULL"
    " AND ($2::uuid IS NULL OR id <> $2::uuid) RETURNING id", 3);

static db_stmt is_revoked = DB_STMT("users_session_is_revoked",
    "SELECT revoked_at IS NOT NULL FROM users.sessions WHERE id = $1::uuid", 1);

#define REVOKED_PREFIX "revoked:"

/* Tell the gates at once; a failure leaves the access tokens valid until
 * they expire (at most ACCESS_TTL_S), so it is logged, not fatal. */
static void
mark_revoked(arena *a, const char *sid)
{
	error e;
	char key[sizeof REVOKED_PREFIX + 37], ttl[16];

	err_clear(&e);
	snprintf(key, sizeof key, REVOKED_PREFIX "%s", sid);
	snprintf(ttl, sizeof ttl, "%d", ACCESS_TTL_S);
	if (redis_cmd(a, &e, "SET %s 1 EX %s", key, ttl) == NULL)
		log_msg(LOG_WARN, "session %s revoked but not marked in Redis: %s", sid, e.message);
}

/* A bounded copy of an optional header for the sessions row. */
static const char *
bounded(arena *a, const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return "";
	n = strnlen(s, max + 1);
	if (n <= max)
		return s;
	/* back up to a UTF-8 boundary so the column stays valid text */
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return arena_strndup(a, s, n);
}

/* Mint an access token alone for u in family sid. */
static ecode
issue_access(arena *a, const user *u, const char *sid, user_tokens *tok, error *e)
{
	char *acc;

	memset(tok, 0, sizeof *tok);
	if ((acc = auth_mint(u->id, u->email, u->role, "access", sid, ACCESS_TTL_S, NULL, e)) == NULL)
		return e->code;
	tok->access_token = arena_strdup(a, acc);
	tok->session_id = arena_strdup(a, sid);
	free(acc);
	if (tok->access_token == NULL || tok->session_id == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	tok->expires_in = ACCESS_TTL_S;
	return E_OK;
}

/* Mint access + refresh for u in family sid and store the refresh jti. */
static ecode
issue_pair(db_conn *c, arena *a, const user *u, const char *sid, user_tokens *tok, error *e)
{
	char jti[37], hash[65], ttl[16];
	char *acc, *ref;
	const char *p[3];

	memset(tok, 0, sizeof *tok);
	acc = auth_mint(u->id, u->email, u->role, "access", sid, ACCESS_TTL_S, NULL, e);
	if (acc == NULL)
		return e->code;
	ref = auth_mint(u->id, u->email, u->role, "refresh", sid, REFRESH_TTL_S, jti, e);
	if (ref == NULL) {
		free(acc);
		return e->code;
	}
	tok->access_token = arena_strdup(a, acc);
	tok->refresh_token = arena_strdup(a, ref);
	tok->session_id = arena_strdup(a, sid);
	free(acc);
	free(ref);
	if (tok->access_token == NULL || tok->refresh_token == NULL || tok->session_id == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	tok->expires_in = ACCESS_TTL_S;
	tok->refresh_expires_in = REFRESH_TTL_S;
	sha256_hex(jti, hash);
	snprintf(ttl, sizeof ttl, "%d", REFRESH_TTL_S);
	p[0] = hash;
	p[1] = sid;
	p[2] = ttl;
	return db_exec(c, a, &insert_refresh, p, e) != NULL ? E_OK : e->code;
}

ecode
session_open(db_conn *c, arena *a, const user_ctx *ctx, const user *u,
    user_tokens *tok, error *e)
{
	char sid[37], ttl[16];
	const char *p[5];

	if (uuid_v4(sid) != 0)
		return err_set(e, E_INTERNAL, "no randomness for a session id");
	snprintf(ttl, sizeof ttl, "%d", REFRESH_TTL_S);
	p[0] = sid;
	p[1] = u->id;
	p[2] = ttl;
	p[3] = bounded(a, ctx != NULL ? ctx->client_ip : NULL, 64);
	p[4] = bounded(a, ctx != NULL ? ctx->user_agent : NULL, 512);
	if (p[3] == NULL || p[4] == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	if (db_exec(c, a, &insert_session, p, e) == NULL)
		return e->code;
	return issue_pair(c, a, u, sid, tok, e);
}

ecode
session_revoke(db_conn *c, arena *a, const char *session_id, const char *user_id,
    const char *reason, bool *revoked, error *e)
{
	const char *p[3] = { session_id, user_id, reason };
	PGresult *r;

	if (revoked != NULL)
		*revoked = false;
	if (!uuid_valid(session_id) || (user_id != NULL && !uuid_valid(user_id)))
		return E_OK;
	if ((r = db_exec(c, a, &revoke_one, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) == 1) {
		mark_revoked(a, session_id);
		if (revoked != NULL)
			*revoked = true;
	}
	return E_OK;
}

ecode
session_revoke_all(db_conn *c, arena *a, const char *user_id, const char *keep,
    const char *reason, error *e)
{
	const char *p[3] = { user_id, keep != NULL && uuid_valid(keep) ? keep : NULL, reason };
	PGresult *r;

	if (!uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if ((r = db_exec(c, a, &revoke_all, p, e)) == NULL)
		return e->code;
	for (int i = 0; i < PQntuples(r); i++)
		mark_revoked(a, db_val(r, i, 0));
	return E_OK;
}

/* ------------------------------------------------------------ refresh */

typedef struct refresh_tx {
	const user_ctx            *ctx;
	const auth_refresh_claims *cl;
	const char                *hash;
	user                      *out;
	user_tokens               *tok;
	bool                       grace;	/* the cookie path: see user_refresh_cookie */
	bool                       reused;	/* commit the revoke, then refuse */
} refresh_tx;

static ecode
refused(error *e)
{
	return err_set(e, E_UNAUTHORIZED, "invalid or expired refresh token");
}

static ecode
refresh_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	refresh_tx *t = ud;
	const char *p[1] = { t->hash }, *sp[1] = { t->cl->sid };
	PGresult *r;
	char ttl[16];
	const char *tp[2];

	char grace[16];
	const char *fp[2] = { t->hash, grace };
	bool access_only = false;

	t->reused = false;
	if ((r = db_exec(c, a, &use_refresh, p, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1) {
		snprintf(grace, sizeof grace, "%d", REFRESH_GRACE_S);
		if ((r = db_exec(c, a, &find_refresh, fp, e)) == NULL)
			return e->code;
		if (PQntuples(r) != 1 || !db_bool(r, 0, 1))
			return refused(e);
		if (!t->grace || !db_bool(r, 0, 2)) {
			/* used before: someone holds a copy; end the family */
			t->reused = true;
			return session_revoke(c, a, db_val(r, 0, 0), NULL, "reuse", NULL, e);
		}
		/* a second tab raced the one that rotated it: the browser already
		 * holds the successor, so this request gets an access token only */
		access_only = true;
	}
	if (strcmp(db_val(r, 0, 0), t->cl->sid) != 0)
		return refused(e);
	if ((r = db_exec(c, a, &lock_session, sp, e)) == NULL)
		return e->code;
	if (PQntuples(r) != 1 || !db_bool(r, 0, 1) || strcmp(db_val(r, 0, 0), t->cl->sub) != 0)
		return refused(e);
	if (store_user_get(c, a, t->cl->sub, t->out, e) != E_OK)
		return e->code == E_NOT_FOUND ? refused(e) : e->code;
	if (!t->out->active)
		return refused(e);
	if (access_only)
		return issue_access(a, t->out, t->cl->sid, t->tok, e);
	snprintf(ttl, sizeof ttl, "%d", REFRESH_TTL_S);
	tp[0] = t->cl->sid;
	tp[1] = ttl;
	if (db_exec(c, a, &touch_session, tp, e) == NULL)
		return e->code;
	return issue_pair(c, a, t->out, t->cl->sid, t->tok, e);
}

static ecode
refresh(arena *a, const user_ctx *ctx, const char *refresh_token, bool grace,
    user *out, user_tokens *tok, error *e)
{
	auth_refresh_claims cl;
	refresh_tx t = { ctx, &cl, NULL, out, tok, grace, false };
	char hash[65];
	db_conn *c;

	memset(out, 0, sizeof *out);
	memset(tok, 0, sizeof *tok);
	if (refresh_token == NULL || auth_verify_refresh(refresh_token, &cl) != 0)
		return refused(e);
	sha256_hex(cl.jti, hash);
	t.hash = hash;
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (db_tx(c, a, refresh_in_tx, &t, e) != E_OK) {
		memset(out, 0, sizeof *out);
		memset(tok, 0, sizeof *tok);
		return e->code;
	}
	if (t.reused) {
		users_security_log(ctx, "refresh_reuse", cl.sub, cl.sid);
		memset(out, 0, sizeof *out);
		memset(tok, 0, sizeof *tok);
		return refused(e);
	}
	return E_OK;
}

ecode
user_refresh(arena *a, const user_ctx *ctx, const char *refresh_token,
    user *out, user_tokens *tok, error *e)
{
	return refresh(a, ctx, refresh_token, false, out, tok, e);
}

ecode
user_refresh_cookie(arena *a, const user_ctx *ctx, const char *refresh_token,
    user *out, user_tokens *tok, error *e)
{
	return refresh(a, ctx, refresh_token, true, out, tok, e);
}

/* ------------------------------------------------------------ logout */

typedef struct logout_tx {
	const char *user_id, *sid;
	bool        revoked;
} logout_tx;

static ecode
logout_in_tx(db_conn *c, arena *a, void *ud, error *e)
{
	logout_tx *t = ud;

	return session_revoke(c, a, t->sid, t->user_id, "logout", &t->revoked, e);
}

ecode
user_logout(arena *a, const user_ctx *ctx, const char *user_id,
    const char *session_id, error *e)
{
	logout_tx t = { user_id, session_id, false };
	db_conn *c;

	if (!uuid_valid(user_id) || !uuid_valid(session_id))
		return E_OK;
	if ((c = users_db(e)) == NULL)
		return e->code;
	if (db_tx(c, a, logout_in_tx, &t, e) != E_OK)
		return e->code;
	if (t.revoked)
		users_security_log(ctx, "logout", user_id, session_id);
	return E_OK;
}

/* ------------------------------------------------------------ the gate's question */

bool
user_session_revoked(arena *a, const char *session_id)
{
	error e;
	char key[sizeof REVOKED_PREFIX + 37];
	const char *p[1] = { session_id };
	redisReply *rr;
	db_conn *c;
	PGresult *r;

	if (!uuid_valid(session_id))
		return true;
	err_clear(&e);
	snprintf(key, sizeof key, REVOKED_PREFIX "%s", session_id);
	if ((rr = redis_cmd(a, &e, "EXISTS %s", key)) != NULL && rr->type == REDIS_REPLY_INTEGER)
		return rr->integer != 0;
	/* Redis cannot answer: the database knows every revoke */
	err_clear(&e);
	if ((c = users_db(&e)) == NULL || (r = db_exec(c, a, &is_revoked, p, &e)) == NULL) {
		/* neither can answer: the token is still signed and at most
		 * ACCESS_TTL_S old, and refusing every signed-in user for a
		 * monitoring blip would be worse */
		log_msg(LOG_WARN, "cannot check session revocation (Redis and database down): %s",
		    e.message);
		return false;
	}
	/* a family that no longer exists (its user deleted) is over */
	return PQntuples(r) != 1 || db_bool(r, 0, 0);
}
