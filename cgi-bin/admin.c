/* admin.c — responder being written (accounts issue). */
#include "core/app.h"

static const route admin_routes[] = {
	{ "GET", "/__placeholder_admin", NULL, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ },
};

static const app admin_app = { "admin", APP_JSON, admin_routes, 0, NULL };

int
main(int argc, char **argv)
{
	return app_main(&admin_app, argc, argv);
}
