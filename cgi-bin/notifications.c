/*
 * notifications.c — /api/v1/notifications (scaffold: the routes arrive with the notifications domain).
 */
#include "core/app.h"

static ecode
h_none(request *req, response *res, error *e)
{
	return err_set(e, E_NOT_FOUND, "not here yet");
}

static const route notifications_routes[] = {
	{ "GET", "/api/v1/notifications/scaffold", h_none, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ },
};

static const app notifications_app = {
	"notifications", APP_JSON, notifications_routes, sizeof notifications_routes / sizeof notifications_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	return app_main(&notifications_app, argc, argv);
}
