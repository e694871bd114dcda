/*
 * users.c — the JSON responder for /api/v1/auth/... and /api/v1/users/...
 * (api-v1.md §Accounts), and the helpers its handler files share.
 *
 * The route table is the whole access policy: every row names its minimum
 * role, body kind and rate-limit class, and app_main runs the gates from it
 * before any handler.  Ownership (a customer reaching someone else's
 * address gets 404) is lib/user's business: every per-user call takes the
 * caller's id.
 *
 * Rows are matched first to last, so the literal /users/me and
 * /users/wishlist rows come before the admin's /users/{id}.  Account
 * bodies are a handful of short strings: 16 KiB is generous and keeps a
 * flood of large bodies away from bcrypt and the database.
 */
#include <string.h>
#include <strings.h>

#include "users.h"
#include "settings/settings.h"

#define BODY_MAX	(16 * 1024)

#define GET(path, h, r)		{ "GET", path, h, r, CSRF_NONE, BODY_NONE, 0, RL_READ }
#define POST(path, h, r, rl)	{ "POST", path, h, r, CSRF_NONE, BODY_JSON, BODY_MAX, rl }
#define PUT(path, h, r)		{ "PUT", path, h, r, CSRF_NONE, BODY_JSON, BODY_MAX, RL_WRITE }
#define DELETE(path, h, r)	{ "DELETE", path, h, r, CSRF_NONE, BODY_NONE, 0, RL_WRITE }
/* Logout and 2FA setup need nothing from a body, and clients commonly send
 * none (nor a Content-Type); the handler parses one if it is there. */
#define POST_OPT(path, h, r, rl) { "POST", path, h, r, CSRF_NONE, BODY_RAW, BODY_MAX, rl }

static const route users_routes[] = {
	POST("/api/v1/auth/register", h_register, ROLE_PUBLIC, RL_REGISTER),
	POST("/api/v1/auth/login", h_login, ROLE_PUBLIC, RL_LOGIN),
	POST("/api/v1/auth/refresh", h_refresh, ROLE_PUBLIC, RL_LOGIN),
	POST_OPT("/api/v1/auth/logout", h_logout, ROLE_CUSTOMER, RL_WRITE),
	POST("/api/v1/auth/forgot-password", h_forgot_password, ROLE_PUBLIC, RL_PASSWORD),
	POST("/api/v1/auth/reset-password", h_reset_password, ROLE_PUBLIC, RL_PASSWORD),
	POST("/api/v1/auth/change-password", h_change_password, ROLE_CUSTOMER, RL_WRITE),
	POST("/api/v1/auth/verify-email", h_verify_email, ROLE_PUBLIC, RL_PASSWORD),

	GET("/api/v1/users/me", h_me_get, ROLE_CUSTOMER),
	PUT("/api/v1/users/me", h_me_update, ROLE_CUSTOMER),
	GET("/api/v1/users/me/addresses", h_address_list, ROLE_CUSTOMER),
	POST("/api/v1/users/me/addresses", h_address_create, ROLE_CUSTOMER, RL_WRITE),
	PUT("/api/v1/users/me/addresses/{id}", h_address_update, ROLE_CUSTOMER),
	DELETE("/api/v1/users/me/addresses/{id}", h_address_delete, ROLE_CUSTOMER),
	POST_OPT("/api/v1/users/me/2fa/setup", h_2fa_setup, ROLE_CUSTOMER, RL_WRITE),
	POST("/api/v1/users/me/2fa/confirm", h_2fa_confirm, ROLE_CUSTOMER, RL_WRITE),
	POST("/api/v1/users/me/2fa/disable", h_2fa_disable, ROLE_CUSTOMER, RL_WRITE),

	GET("/api/v1/users/wishlist", h_wishlist_list, ROLE_CUSTOMER),
	GET("/api/v1/users/wishlist/{productId}", h_wishlist_get, ROLE_CUSTOMER),
	POST_OPT("/api/v1/users/wishlist/{productId}", h_wishlist_add, ROLE_CUSTOMER, RL_WRITE),
	DELETE("/api/v1/users/wishlist/{productId}", h_wishlist_remove, ROLE_CUSTOMER),

	GET("/api/v1/users", h_user_list, ROLE_ADMIN),
	GET("/api/v1/users/{id}", h_user_get, ROLE_ADMIN),
	PUT("/api/v1/users/{id}", h_user_update, ROLE_ADMIN),
};

static const app users_app = {
	"users", APP_JSON, users_routes,
	sizeof users_routes / sizeof users_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&users_app, argc, argv);
}

/* ------------------------------------------------------------ shared */

ecode
users_reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

ecode
users_reply_msg(request *req, response *res, const char *key, const char *value,
    error *e)
{
	json_object *o = json_object_new_object(), *v = json_object_new_string(value);

	if (!o || !v) {
		json_object_put(o);
		json_object_put(v);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	json_object_object_add(o, key, v);
	return users_reply(req, res, 200, o, e);
}

ecode
users_body(const request *req, error *e)
{
	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	return E_OK;
}

ecode
users_optional_body(request *req, error *e)
{
	const char *ct = req->content_type;
	size_t      n = strlen("application/json");

	if (req->body_len == 0)
		return E_OK;
	/* the same media-type rule app.c applies to BODY_JSON routes */
	if (strncasecmp(ct, "application/json", n) != 0 ||
	    (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' '))
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
	if (json_body_parse(req->a, req->body, req->body_len, &req->json, e) != E_OK)
		return e->code;
	return users_body(req, e);
}

void
users_str(const request *req, const char *key, size_t max, bool required,
    const char **out, error *e)
{
	int st;

	*out = NULL;
	st = json_get_str(req->json, key, 0, max, out, e);
	if (st < 0) {
		*out = NULL;
		return;
	}
	/* Blank-but-present names are the domain's to judge (it says why);
	 * here only "nothing sent" counts as missing. */
	if (required && (st == 0 || **out == '\0'))
		err_field(e, key, "is required");
}
