/*
 * wishlist.c — the products a user keeps for later.
 *
 * A product id belongs to the catalog domain: whether it exists and may be
 * wished for is asked through product.h as the public sees the shop (a
 * published product), never by reading catalog tables (DESIGN §1).  The
 * list keeps only ids; a product archived later simply stops rendering, and
 * can still be removed.  Adds lock the user's row so two concurrent adds
 * cannot both slip under WISHLIST_MAX.
 */
#include <string.h>

#include "core/util.h"
#include "product/product.h"
#include "user/internal.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static db_stmt list_stmt = DB_STMT("users_wishlist_list",
    "SELECT product_id, extract(epoch FROM added_at)::bigint FROM users.wishlist"
    " WHERE user_id = $1::uuid ORDER BY added_at DESC, product_id"
    " LIMIT " STR(WISHLIST_MAX), 1);

static db_stmt has_stmt = DB_STMT("users_wishlist_has",
    "SELECT 1 FROM users.wishlist WHERE user_id = $1::uuid AND product_id = $2::uuid", 2);

/* The user's row locked, with whether the product is already listed and how
 * many are; no row means no such user. */
static db_stmt lock_user_stmt = DB_STMT("users_wishlist_lock_user",
    "SELECT (SELECT count(*) FROM users.wishlist w WHERE w.user_id = u.id),"
    " EXISTS (SELECT 1 FROM users.wishlist w WHERE w.user_id = u.id"
    " AND w.product_id = $2::uuid)"
    " FROM users.users u WHERE u.id = $1::uuid FOR UPDATE", 2);

static db_stmt insert_stmt = DB_STMT("users_wishlist_insert",
    "INSERT INTO users.wishlist (user_id, product_id) VALUES ($1::uuid, $2::uuid)"
    " ON CONFLICT DO NOTHING", 2);

static db_stmt delete_stmt = DB_STMT("users_wishlist_delete",
    "DELETE FROM users.wishlist WHERE user_id = $1::uuid AND product_id = $2::uuid", 2);

static ecode
fail(error *e, ecode code)
{
	if (e->code == E_OK)
		err_set(e, code, "the wishlist could not be changed");
	return e->code;
}

ecode
wishlist_list(arena *a, const char *user_id, wishlist_item **out, size_t *n,
    error *e)
{
	const char *p[1] = { user_id };
	db_conn    *c;
	PGresult   *r;
	int         rows;

	*out = NULL;
	*n = 0;
	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (!(r = db_exec(c, a, &list_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if ((rows = PQntuples(r)) == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)rows, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		(*out)[i].product_id = db_val(r, i, 0);
		(*out)[i].added_at = db_i64(r, i, 1);
	}
	*n = (size_t)rows;
	return E_OK;
}

typedef struct add_tx {
	const char *user_id;
	const char *product_id;
} add_tx;

static ecode
add_tx_fn(db_conn *c, arena *a, void *ud, error *e)
{
	add_tx     *t = ud;
	const char *p[2] = { t->user_id, t->product_id };
	PGresult   *r;

	if (!(r = db_exec(c, a, &lock_user_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (PQntuples(r) != 1)
		return err_set(e, E_NOT_FOUND, "user not found");
	/* Adding twice is E_OK, even with a full list. */
	if (db_bool(r, 0, 1))
		return E_OK;
	if (db_i64(r, 0, 0) >= WISHLIST_MAX)
		return err_set(e, E_CONFLICT, "a wishlist holds at most %d products; "
		    "remove one before adding another", WISHLIST_MAX);
	return db_exec(c, a, &insert_stmt, p, e) ? E_OK : fail(e, E_INTERNAL);
}

ecode
wishlist_add(arena *a, const user_ctx *ctx, const char *user_id,
    const char *product_id, error *e)
{
	catalog_actor public_view = { NULL, ROLE_PUBLIC, ctx ? ctx->request_id : NULL };
	add_tx        t = { user_id, product_id };
	product       p;
	db_conn      *c;

	if (!user_id || !uuid_valid(user_id))
		return err_set(e, E_NOT_FOUND, "user not found");
	/* An id only: product_get would also take a slug. */
	if (!product_id || !uuid_valid(product_id))
		return err_set(e, E_NOT_FOUND, "product not found");
	/* The public's view: a draft or archived product is not found, even
	 * for a seller or admin adding it to their own list. */
	if (product_get(a, &public_view, product_id, &p, e) != E_OK) {
		if (e->code == E_NOT_FOUND)
			err_set(e, E_NOT_FOUND, "product not found");
		return e->code;
	}
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	/* the catalog's canonical spelling, so lists compare equal */
	t.product_id = p.s.id;
	return db_tx(c, a, add_tx_fn, &t, e);
}

ecode
wishlist_remove(arena *a, const user_ctx *ctx, const char *user_id,
    const char *product_id, error *e)
{
	const char *p[2] = { user_id, product_id };
	db_conn    *c;
	PGresult   *r;

	(void)ctx;
	if (!user_id || !product_id || !uuid_valid(user_id) || !uuid_valid(product_id))
		return err_set(e, E_NOT_FOUND, "product is not in the wishlist");
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (!(r = db_exec(c, a, &delete_stmt, p, e)))
		return fail(e, E_INTERNAL);
	if (strcmp(PQcmdTuples(r), "1") != 0)
		return err_set(e, E_NOT_FOUND, "product is not in the wishlist");
	return E_OK;
}

ecode
wishlist_has(arena *a, const char *user_id, const char *product_id, bool *out,
    error *e)
{
	const char *p[2] = { user_id, product_id };
	db_conn    *c;
	PGresult   *r;

	*out = false;
	/* A malformed id cannot be listed; asking is not an error. */
	if (!user_id || !product_id || !uuid_valid(user_id) || !uuid_valid(product_id))
		return E_OK;
	if (!(c = users_db(e)))
		return fail(e, E_UNAVAILABLE);
	if (!(r = db_exec(c, a, &has_stmt, p, e)))
		return fail(e, E_INTERNAL);
	*out = PQntuples(r) > 0;
	return E_OK;
}
