/* users.c — responder being written (accounts issue). */
#include "core/app.h"

static const route users_routes[] = {
	{ "GET", "/__placeholder_users", NULL, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ },
};

static const app users_app = { "users", APP_JSON, users_routes, 0, NULL };

int
main(int argc, char **argv)
{
	return app_main(&users_app, argc, argv);
}
