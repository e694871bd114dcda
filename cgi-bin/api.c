/*
 * api.c — the JSON responder for the /api/ paths no domain responder claims,
 * and for the health checks.
 *
 * lighttpd (httpd/lighttpd.conf) sends each endpoint group to its own
 * responder; whatever is left under /api/ lands here, so an unknown API
 * route still answers with the JSON error envelope of api-v1.md rather than
 * the storefront's HTML 404.  Health checks live here because they belong to
 * no domain.
 */
#include "core/app.h"
#include "core/health.h"
#include "settings/settings.h"

static const route api_routes[] = {
	{ "GET", "/api/v1/health/live",  health_live,  ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_NONE },
	{ "GET", "/api/v1/health/ready", health_ready, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_NONE },
	{ "GET", "/health/live",         health_live,  ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_NONE },
	{ "GET", "/health/ready",        health_ready, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_NONE },
};

static const app api_app = {
	"api", APP_JSON, api_routes, sizeof api_routes / sizeof api_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&api_app, argc, argv);
}
