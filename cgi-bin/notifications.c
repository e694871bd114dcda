/*
 * notifications.c — /api/v1/notifications (api-v1.md §Search, notifications,
 * media): a user's messages (the user or an admin), one message, "read",
 * and an admin's retry of a failed one.
 *
 * A customer reaching someone else's list or message gets 404, so ids
 * cannot be probed; lib/notification answers 404 for a message that is
 * not the caller's when asked on their behalf.
 */
#include <string.h>

#include "core/app.h"
#include "core/json.h"
#include "core/util.h"
#include "notification/notification.h"
#include "settings/settings.h"

/* The user a customer acts for: themself; NULL (anyone's) for an admin. */
static const char *
acting_for(const request *req)
{
	return req->user_role == ROLE_ADMIN ? NULL : req->user_id;
}

static ecode
h_user_list(request *req, response *res, error *e)
{
	const char *uid = req_param(req, "userId");
	notification_filter f = { uid, NULL, NULL, NULL };
	notification_page np;
	json_object *items;
	page pg;

	if (uid == NULL || !uuid_valid(uid) ||
	    (req->user_role != ROLE_ADMIN && strcmp(uid, req->user_id) != 0))
		return err_set(e, E_NOT_FOUND, "no such user");
	if (page_from_query(req, &pg, e) != E_OK)
		return e->code;
	f.status = req_query(req, "status");
	f.kind = req_query(req, "type");
	if (notification_list(req->a, &f, &pg, &np, e) != E_OK)
		return e->code;
	if (!(items = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < np.n; i++)
		json_object_array_add(items, notification_to_json(&np.items[i]));
	json_reply_page(req, res, items, &pg, np.total);
	return E_OK;
}

static ecode
h_get(request *req, response *res, error *e)
{
	notification n;

	if (notification_get(req->a, req_param(req, "id"), acting_for(req), &n, e) != E_OK)
		return e->code;
	json_reply(req, res, 200, notification_to_json(&n));
	return E_OK;
}

static ecode
h_read(request *req, response *res, error *e)
{
	notification n;

	if (notification_mark_read(req->a, req_param(req, "id"), acting_for(req), &n, e) != E_OK)
		return e->code;
	json_reply(req, res, 200, notification_to_json(&n));
	return E_OK;
}

static ecode
h_retry(request *req, response *res, error *e)
{
	notification n = { 0 };

	if (notification_retry(req->a, req_param(req, "id"), req->user_id, req->request_id,
	    &n, e) != E_OK)
		return e->code;
	json_reply(req, res, 200, notification_to_json(&n));
	return E_OK;
}

static const route notifications_routes[] = {
	/* before /{id}: the router takes the first row that matches */
	{ "GET", "/api/v1/notifications/user/{userId}", h_user_list, ROLE_CUSTOMER, CSRF_NONE,
	    BODY_NONE, 0, RL_READ },
	{ "GET", "/api/v1/notifications/{id}", h_get, ROLE_CUSTOMER, CSRF_NONE, BODY_NONE, 0,
	    RL_READ },
	{ "PUT", "/api/v1/notifications/{id}/read", h_read, ROLE_CUSTOMER, CSRF_NONE, BODY_RAW, 1024,
	    RL_WRITE },
	{ "POST", "/api/v1/notifications/{id}/retry", h_retry, ROLE_ADMIN, CSRF_NONE, BODY_RAW, 1024,
	    RL_WRITE },
};

static const app notifications_app = {
	"notifications", APP_JSON, notifications_routes,
	sizeof notifications_routes / sizeof notifications_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&notifications_app, argc, argv);
}
