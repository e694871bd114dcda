/*
 * search.c — /api/v1/search (scaffold: the routes arrive with the search domain).
 */
#include "core/app.h"

static ecode
h_none(request *req, response *res, error *e)
{
	return err_set(e, E_NOT_FOUND, "not here yet");
}

static const route search_routes[] = {
	{ "GET", "/api/v1/search/scaffold", h_none, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ },
};

static const app search_app = {
	"search", APP_JSON, search_routes, sizeof search_routes / sizeof search_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	return app_main(&search_app, argc, argv);
}
