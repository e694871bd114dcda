/*
 * users_me.c — handlers for the caller's own account (/api/v1/users/me,
 * its addresses, the wishlist) and the admin's user management
 * (/api/v1/users, /api/v1/users/{id}).
 *
 * Every per-user call passes the caller's id from the token, never one
 * from the request, so a customer can only reach their own rows; lib/user
 * answers 404 for anyone else's.  Path ids that are not UUIDs are 404 here
 * already: no such row can exist, and the database never sees them.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/parse.h"
#include "core/util.h"
#include "product/product.h"
#include "users.h"

/* A path id that cannot name anything: the same 404 lib/user would give. */
static ecode
need_uuid(const char *id, const char *what, error *e)
{
	if (id && uuid_valid(id))
		return E_OK;
	return err_set(e, E_NOT_FOUND, "no such %s", what);
}

/*
 * An optional text the client may clear: absent stays NULL (unchanged),
 * null becomes "" (cleared, as lib/user spells it), a string is read as
 * users_str reads it.
 */
static void
clearable_str(const request *req, const char *key, size_t max, const char **out,
    error *e)
{
	json_object *v;

	if (json_object_object_get_ex(req->json, key, &v) && v == NULL) {
		*out = "";
		return;
	}
	users_str(req, key, max, false, out, e);
}

/* ------------------------------------------------------------ profile */

ecode
h_me_get(request *req, response *res, error *e)
{
	user u = { 0 };

	if (user_get(req->a, req->user_id, &u, e) != E_OK)
		return e->code;
	return users_reply(req, res, 200, user_to_json(&u), e);
}

ecode
h_me_update(request *req, response *res, error *e)
{
	user_ctx           ctx = user_ctx_of(req);
	user_profile_input in = { 0 };
	user               u = { 0 };

	if (users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "first_name", USER_NAME_MAX, false, &in.first_name, e);
	users_str(req, "last_name", USER_NAME_MAX, false, &in.last_name, e);
	clearable_str(req, "phone", USER_PHONE_MAX, &in.phone, e);
	if (e->code != E_OK ||
	    user_update_profile(req->a, &ctx, req->user_id, &in, &u, e) != E_OK)
		return e->code;
	return users_reply(req, res, 200, user_to_json(&u), e);
}

/* ------------------------------------------------------------ addresses */

/* The body of an address create or update; on create, lib/user reports
 * each missing required field together with the bad ones. */
static ecode
address_from_json(const request *req, address_input *in, error *e)
{
	bool def;
	int  st;

	if (users_body(req, e) != E_OK)
		return e->code;
	memset(in, 0, sizeof *in);
	clearable_str(req, "label", ADDRESS_LABEL_MAX, &in->label, e);
	users_str(req, "first_name", ADDRESS_FIELD_MAX, false, &in->first_name, e);
	users_str(req, "last_name", ADDRESS_FIELD_MAX, false, &in->last_name, e);
	users_str(req, "address_line1", ADDRESS_FIELD_MAX, false, &in->address_line1, e);
	clearable_str(req, "address_line2", ADDRESS_FIELD_MAX, &in->address_line2, e);
	users_str(req, "city", ADDRESS_FIELD_MAX, false, &in->city, e);
	clearable_str(req, "state", ADDRESS_FIELD_MAX, &in->state, e);
	users_str(req, "postal_code", ADDRESS_POSTAL_MAX, false, &in->postal_code, e);
	/* the exact two-letter rule is lib/user's, which says it better */
	users_str(req, "country_code", ADDRESS_FIELD_MAX, false, &in->country_code, e);
	clearable_str(req, "phone", USER_PHONE_MAX, &in->phone, e);
	in->is_default = -1;
	st = json_get_bool(req->json, "is_default", &def, e);
	if (st == 1)
		in->is_default = def ? 1 : 0;
	return e->code;
}

ecode
h_address_list(request *req, response *res, error *e)
{
	address     *ads;
	size_t       n;
	json_object *arr;

	if (address_list(req->a, req->user_id, &ads, &n, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, address_to_json(&ads[i]));
	return users_reply(req, res, 200, arr, e);
}

ecode
h_address_create(request *req, response *res, error *e)
{
	user_ctx      ctx = user_ctx_of(req);
	address_input in;
	address       ad = { 0 };

	if (address_from_json(req, &in, e) != E_OK ||
	    address_create(req->a, &ctx, req->user_id, &in, &ad, e) != E_OK)
		return e->code;
	return users_reply(req, res, 201, address_to_json(&ad), e);
}

ecode
h_address_update(request *req, response *res, error *e)
{
	user_ctx      ctx = user_ctx_of(req);
	const char   *id = req_param(req, "id");
	address_input in;
	address       ad = { 0 };

	if (need_uuid(id, "address", e) != E_OK ||
	    address_from_json(req, &in, e) != E_OK ||
	    address_update(req->a, &ctx, req->user_id, id, &in, &ad, e) != E_OK)
		return e->code;
	return users_reply(req, res, 200, address_to_json(&ad), e);
}

/* {"id": id, "status": "deleted"}, api-v1's answer to a delete. */
static ecode
reply_deleted(request *req, response *res, const char *id, error *e)
{
	json_object *o = json_object_new_object();

	if (!o)
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string("deleted"));
	return users_reply(req, res, 200, o, e);
}

ecode
h_address_delete(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *id = req_param(req, "id");

	if (need_uuid(id, "address", e) != E_OK ||
	    address_delete(req->a, &ctx, req->user_id, id, e) != E_OK)
		return e->code;
	return reply_deleted(req, res, id, e);
}

/* ------------------------------------------------------------ wishlist */

/* {"product_id": id, "in_wishlist": in} */
static ecode
reply_wish(request *req, response *res, int status, const char *id, bool in, error *e)
{
	json_object *o = json_object_new_object();

	if (!o)
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "product_id", json_object_new_string(id));
	json_object_object_add(o, "in_wishlist", json_object_new_boolean(in));
	return users_reply(req, res, status, o, e);
}

ecode
h_wishlist_list(request *req, response *res, error *e)
{
	wishlist_item *items;
	size_t         n;
	json_object   *arr, *o;
	char           when[21];

	if (wishlist_list(req->a, req->user_id, &items, &n, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (!(o = json_object_new_object())) {
			json_object_put(arr);
			return err_set(e, E_INTERNAL, "out of memory");
		}
		time_rfc3339(items[i].added_at, when);
		json_object_object_add(o, "product_id", json_object_new_string(items[i].product_id));
		json_object_object_add(o, "added_at", json_object_new_string(when));
		json_object_array_add(arr, o);
	}
	return users_reply(req, res, 200, arr, e);
}

/*
 * In the list -> true.  Otherwise false for a product the caller could
 * add, and 404 for one that does not exist (or is not visible to them),
 * so a client can tell "not saved" from "no such product".
 */
ecode
h_wishlist_get(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char   *id = req_param(req, "productId");
	bool          in = false;
	product       p = { 0 };

	if (need_uuid(id, "product", e) != E_OK ||
	    wishlist_has(req->a, req->user_id, id, &in, e) != E_OK)
		return e->code;
	if (!in && product_get(req->a, &who, id, &p, e) != E_OK)
		return e->code;
	return reply_wish(req, res, 200, id, in, e);
}

ecode
h_wishlist_add(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *id = req_param(req, "productId");

	if (need_uuid(id, "product", e) != E_OK ||
	    users_optional_body(req, e) != E_OK ||
	    wishlist_add(req->a, &ctx, req->user_id, id, e) != E_OK)
		return e->code;
	return reply_wish(req, res, 201, id, true, e);
}

ecode
h_wishlist_remove(request *req, response *res, error *e)
{
	user_ctx    ctx = user_ctx_of(req);
	const char *id = req_param(req, "productId");

	if (need_uuid(id, "product", e) != E_OK ||
	    wishlist_remove(req->a, &ctx, req->user_id, id, e) != E_OK)
		return e->code;
	return reply_deleted(req, res, id, e);
}

/* ------------------------------------------------------------ admin */

/* ?search=&role=&active= into f; a bad value is INVALID_PARAMETER naming
 * the parameter. */
static ecode
filter_from_query(const request *req, user_filter *f, error *e)
{
	const char *search = req_query(req, "search"), *r = req_query(req, "role");
	const char *active = req_query(req, "active");
	role        rl;
	bool        b;

	f->search = NULL;
	f->role = -1;
	f->active = -1;
	/* the query parser already refused invalid UTF-8 and NUL */
	if (search && *search) {
		if (utf8_len(search, strlen(search)) > USER_SEARCH_MAX)
			err_field(e, "search", "must be at most %d characters", USER_SEARCH_MAX);
		else
			f->search = search;
	}
	if (r && *r) {
		if (role_parse(r, &rl) != 0)
			err_field(e, "role", "must be customer, seller or admin");
		else
			f->role = (int)rl;
	}
	if (active && *active) {
		if (parse_bool(active, &b) != 0)
			err_field(e, "active", "must be true or false");
		else
			f->active = b ? 1 : 0;
	}
	if (e->code != E_OK) {
		e->code = E_INVALID_PARAMETER;
		snprintf(e->message, sizeof e->message, "invalid query parameters");
	}
	return e->code;
}

ecode
h_user_list(request *req, response *res, error *e)
{
	user_filter  f;
	page         pg;
	user_page    up = { 0 };
	json_object *items;

	if (filter_from_query(req, &f, e) != E_OK ||
	    page_from_query(req, &pg, e) != E_OK ||
	    user_list(req->a, &f, &pg, &up, e) != E_OK)
		return e->code;
	if (!(items = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < up.n; i++)
		json_object_array_add(items, user_to_json(&up.items[i]));
	json_reply_page(req, res, items, &pg, up.total);
	return E_OK;
}

ecode
h_user_get(request *req, response *res, error *e)
{
	const char *id = req_param(req, "id");
	user        u = { 0 };

	if (need_uuid(id, "user", e) != E_OK ||
	    user_get(req->a, id, &u, e) != E_OK)
		return e->code;
	return users_reply(req, res, 200, user_to_json(&u), e);
}

ecode
h_user_update(request *req, response *res, error *e)
{
	user_ctx         ctx = user_ctx_of(req);
	const char      *id = req_param(req, "id"), *r = NULL;
	user_admin_input in = { -1, -1 };
	user             u = { 0 };
	role             rl;
	bool             active;

	if (need_uuid(id, "user", e) != E_OK || users_body(req, e) != E_OK)
		return e->code;
	users_str(req, "role", 16, false, &r, e);
	if (r) {
		if (role_parse(r, &rl) != 0)
			err_field(e, "role", "must be customer, seller or admin");
		else
			in.role = (int)rl;
	}
	if (json_get_bool(req->json, "active", &active, e) == 1)
		in.active = active ? 1 : 0;
	if (e->code != E_OK ||
	    user_admin_update(req->a, &ctx, id, &in, &u, e) != E_OK)
		return e->code;
	return users_reply(req, res, 200, user_to_json(&u), e);
}
