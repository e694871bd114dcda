/*
 * media.c — /api/v1/media (scaffold: the routes arrive with the media domain).
 */
#include "core/app.h"

static ecode
h_none(request *req, response *res, error *e)
{
	return err_set(e, E_NOT_FOUND, "not here yet");
}

static const route media_routes[] = {
	{ "GET", "/api/v1/media/scaffold", h_none, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ },
};

static const app media_app = {
	"media", APP_JSON, media_routes, sizeof media_routes / sizeof media_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	return app_main(&media_app, argc, argv);
}
