/*
 * campaigns.c — the JSON responder for /api/v1/campaigns and
 * /api/v1/coupons (api-v1.md §Campaigns and coupons).
 *
 * The route table is the access policy: campaigns (which carry the coupon
 * codes) are admin-only; validating codes against a basket is public so a
 * guest checkout can show its discount, and limited like writes because a
 * validate answer tells whether a guessed code exists.
 */
#include "campaigns.h"
#include "settings/settings.h"

#define SMALL	(32 * 1024)

#define ADMIN_GET(path, h)	{ "GET", path, h, ROLE_ADMIN, CSRF_NONE, BODY_NONE, 0, RL_READ }
#define ADMIN_WRITE(m, path, h)	{ m, path, h, ROLE_ADMIN, CSRF_NONE, BODY_JSON, SMALL, RL_WRITE }

static const route campaign_routes[] = {
	ADMIN_GET("/api/v1/campaigns", h_campaign_list),
	ADMIN_WRITE("POST", "/api/v1/campaigns", h_campaign_create),
	ADMIN_GET("/api/v1/campaigns/{id}", h_campaign_get),
	ADMIN_WRITE("PUT", "/api/v1/campaigns/{id}", h_campaign_update),
	/* no input: any body a client sends along is ignored, up to 1 KiB */
	{ "POST", "/api/v1/campaigns/{id}/deactivate", h_campaign_deactivate, ROLE_ADMIN,
	    CSRF_NONE, BODY_RAW, 1024, RL_WRITE },
	ADMIN_WRITE("POST", "/api/v1/campaigns/{id}/stacking-rules", h_rule_create),
	ADMIN_GET("/api/v1/campaigns/{id}/stacking-rules", h_rule_list),
	{ "DELETE", "/api/v1/campaigns/stacking-rules/{rid}", h_rule_delete, ROLE_ADMIN,
	    CSRF_NONE, BODY_NONE, 0, RL_WRITE },

	{ "POST", "/api/v1/coupons/validate", h_coupon_validate, ROLE_PUBLIC,
	    CSRF_NONE, BODY_JSON, SMALL, RL_WRITE },
	{ "POST", "/api/v1/coupons/validate-multiple", h_coupon_validate_multiple, ROLE_PUBLIC,
	    CSRF_NONE, BODY_JSON, SMALL, RL_WRITE },
};

static const app campaigns_app = {
	"campaigns", APP_JSON, campaign_routes,
	sizeof campaign_routes / sizeof campaign_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&campaigns_app, argc, argv);
}
