/*
 * campaigns.h — the handlers of the campaigns responder (cgi-bin/campaigns*.c).
 *
 * campaigns_admin.c: /api/v1/campaigns* (admin only, by the route table);
 * campaigns_coupons.c: /api/v1/coupons/validate and validate-multiple
 * (public; a signed-in caller's per-user limits are checked too).  Coupon
 * codes are never listed publicly: only the admin routes render campaigns.
 */
#ifndef ECOM_CGI_CAMPAIGNS_H
#define ECOM_CGI_CAMPAIGNS_H

#include "core/app.h"
#include "core/json.h"
#include "campaign/campaign.h"

ecode h_campaign_list(request *req, response *res, error *e);
ecode h_campaign_create(request *req, response *res, error *e);
ecode h_campaign_get(request *req, response *res, error *e);
ecode h_campaign_update(request *req, response *res, error *e);
ecode h_campaign_deactivate(request *req, response *res, error *e);
ecode h_rule_create(request *req, response *res, error *e);
ecode h_rule_list(request *req, response *res, error *e);
ecode h_rule_delete(request *req, response *res, error *e);

ecode h_coupon_validate(request *req, response *res, error *e);
ecode h_coupon_validate_multiple(request *req, response *res, error *e);

/* Reply {"data": v}; a NULL v (json-c out of memory) is a 500. */
ecode campaigns_reply(request *req, response *res, int status, json_object *v, error *e);

#endif
