/*
 * admin_users.c — /admin/users: the account list (search, role and active
 * filters, pagination), one account's details, and changing its role or
 * whether it may sign in.
 *
 * Query of the list: q=<e-mail or name part>, role=customer|seller|admin,
 * active=1|0, page=N.  A bad value is a 400 page that says which one.  The
 * rules (an admin cannot demote or deactivate themself, deactivation
 * revokes every session) are the domain's; this file shows its answers
 * next to the field they concern.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/parse.h"
#include "core/util.h"
#include "admin.h"

static const char *const role_values[] = { "customer", "seller", "admin" };

/* "customer" -> ROLE_CUSTOMER; -1 for anything else (ROLE_PUBLIC included). */
static int
role_from_form(const char *s)
{
	role r;

	if (s == NULL || role_parse(s, &r) != 0 || r == ROLE_PUBLIC)
		return -1;
	return (int)r;
}

static json_object *
role_options(int selected)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < sizeof role_values / sizeof role_values[0]; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "value", json_object_new_string(role_values[i]));
		if (role_from_form(role_values[i]) == selected)
			json_object_object_add(o, "selected", json_object_new_boolean(1));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *
user_row(arena *a, const user *u)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(u->id));
	json_object_object_add(o, "url", json_object_new_string(arena_printf(a, "/admin/users/%s", u->id)));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "name", json_object_new_string(
	    arena_printf(a, "%s %s", u->first_name, u->last_name)));
	json_object_object_add(o, "role", json_object_new_string(role_name(u->role)));
	json_object_object_add(o, "active", json_object_new_boolean(u->active));
	json_object_object_add(o, "email_verified", json_object_new_boolean(u->email_verified));
	json_object_object_add(o, "totp_enabled", json_object_new_boolean(u->totp_enabled));
	json_object_object_add(o, "created", json_object_new_string(admin_time(a, u->created_at)));
	json_object_object_add(o, "last_login", json_object_new_string(admin_time(a, u->last_login_at)));
	return o;
}

/* ------------------------------------------------------------ list */

static ecode
read_list_query(request *req, user_filter *f, page *pg, error *e)
{
	const char *q = req_query(req, "q"), *r = req_query(req, "role");
	const char *act = req_query(req, "active");

	f->search = NULL;
	f->role = -1;
	f->active = -1;
	pg->page = 1;
	pg->per_page = ADMIN_PAGE_SIZE;
	if (q != NULL && q[0] != '\0') {
		if (strlen(q) > USER_SEARCH_MAX)
			return err_set(e, E_INVALID_PARAMETER, "the search is longer than %d bytes",
			    USER_SEARCH_MAX);
		f->search = q;
	}
	if (r != NULL && r[0] != '\0' && (f->role = role_from_form(r)) < 0)
		return err_set(e, E_INVALID_PARAMETER, "role must be customer, seller or admin");
	if (act != NULL && act[0] != '\0') {
		if (strcmp(act, "1") != 0 && strcmp(act, "0") != 0)
			return err_set(e, E_INVALID_PARAMETER, "active must be 1 or 0");
		f->active = act[0] == '1';
	}
	return admin_page_param(req, pg, e);
}

/* "/admin/users?q=..&role=..&active=.." — the current filters, for links. */
static const char *
list_base(arena *a, const user_filter *f)
{
	const char *u = "/admin/users";
	char sep = '?';

	if (f->search != NULL) {
		u = arena_printf(a, "%s%cq=%s", u, sep, url_encode(a, f->search));
		sep = '&';
	}
	if (f->role >= 0) {
		u = arena_printf(a, "%s%crole=%s", u, sep, role_name((role)f->role));
		sep = '&';
	}
	if (f->active >= 0)
		u = arena_printf(a, "%s%cactive=%d", u, sep, f->active);
	return u;
}

ecode
h_users(request *req, response *res, error *e)
{
	json_object *ctx, *rows;
	user_filter f;
	user_page up;
	page pg;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = read_list_query(req, &f, &pg, e)) != E_OK ||
	    (rc = user_list(req->a, &f, &pg, &up, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < up.n; i++)
		json_object_array_add(rows, user_row(req->a, &up.items[i]));
	json_object_object_add(ctx, "users", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(up.total));
	json_object_object_add(ctx, "q", json_object_new_string(f.search != NULL ? f.search : ""));
	json_object_object_add(ctx, "roles", role_options(f.role));
	if (f.active == 1)
		json_object_object_add(ctx, "active_yes", json_object_new_boolean(1));
	if (f.active == 0)
		json_object_object_add(ctx, "active_no", json_object_new_boolean(1));
	json_object_object_add(ctx, "pagination",
	    view_pagination(req->a, list_base(req->a, &f), &pg, up.total));
	return admin_render(req, res, 200, "admin/users", ctx, &me, "Users", e);
}

/* ------------------------------------------------------------ one user */

static ecode
load_target(request *req, user *u, error *e)
{
	const char *id = req_param(req, "id");

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no user with this id");
	return user_get(req->a, id, u, e);
}

/* The details page; form_err (may be NULL) puts messages next to fields. */
static ecode
user_page_render(request *req, response *res, int status, const user *me, const user *u,
    const error *form_err, bool saved, error *e)
{
	json_object *ctx = json_object_new_object();

	json_object_object_add(ctx, "user", user_row(req->a, u));
	json_object_object_add(ctx, "roles", role_options((int)u->role));
	json_object_object_add(ctx, "self", json_object_new_boolean(strcmp(me->id, u->id) == 0));
	if (u->phone[0] != '\0')
		json_object_object_add(ctx, "phone", json_object_new_string(u->phone));
	if (form_err != NULL) {
		json_object_object_add(ctx, "errors", admin_field_errors(form_err));
		json_object_object_add(ctx, "error", json_object_new_string(form_err->message));
	}
	if (saved)
		json_object_object_add(ctx, "saved", json_object_new_boolean(1));
	return admin_render(req, res, status, "admin/user", ctx, me, "User account", e);
}

ecode
h_user(request *req, response *res, error *e)
{
	const char *saved = req_query(req, "saved");
	user me, u;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_target(req, &u, e)) != E_OK)
		return rc;
	return user_page_render(req, res, 200, &me, &u, NULL, saved != NULL && strcmp(saved, "1") == 0, e);
}

ecode
h_user_update(request *req, response *res, error *e)
{
	const char *r = req_form(req, "role"), *act = req_form(req, "active");
	user_ctx ctx = user_ctx_of(req);
	user_admin_input in = { -1, -1 };
	user me, u, out;
	error ferr;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_target(req, &u, e)) != E_OK)
		return rc;
	err_clear(&ferr);
	if (r != NULL && (in.role = role_from_form(r)) < 0)
		err_field(&ferr, "role", "choose customer, seller or admin");
	/* a checkbox: absent means off; the hidden "active_sent" tells an
	 * unticked box from a form without the field */
	if (act != NULL && strcmp(act, "1") != 0)
		err_field(&ferr, "active", "tick the box or leave it empty");
	else if (req_form(req, "active_sent") != NULL)
		in.active = act != NULL;
	if (ferr.nfields > 0)
		return user_page_render(req, res, 400, &me, &u, &ferr, false, e);
	/* send only what changed, so the domain's self-protection answers for
	 * the change that was really asked */
	if (in.role == (int)u.role)
		in.role = -1;
	if (in.active == (int)u.active)
		in.active = -1;
	if (in.role < 0 && in.active < 0)
		return user_page_render(req, res, 200, &me, &u, NULL, true, e);
	rc = user_admin_update(req->a, &ctx, u.id, &in, &out, e);
	if (rc == E_VALIDATION || rc == E_CONFLICT) {
		ferr = *e;
		if (rc == E_CONFLICT)
			/* the domain's sentence, shown by the field that caused it */
			err_field(&ferr, in.role >= 0 ? "role" : "active", "%s", e->message);
		ferr.code = rc;
		snprintf(ferr.message, sizeof ferr.message, "%s", e->message);
		err_clear(e);
		return user_page_render(req, res, rc == E_CONFLICT ? 409 : 400, &me, &u, &ferr, false, e);
	}
	if (rc != E_OK)
		return rc;
	if (resp_redirect(res, 303, arena_printf(req->a, "/admin/users/%s?saved=1", out.id)) != 0)
		return err_set(e, E_INTERNAL, "redirect refused");
	return E_OK;
}
