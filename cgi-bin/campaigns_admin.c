/*
 * campaigns_admin.c — /api/v1/campaigns*: list, read, create, update,
 * deactivate, and the pairwise stacking rules.  The route table makes all
 * of them admin-only; lib/campaign validates and answers 404 for ids that
 * are not campaigns.
 */
#include <stdio.h>
#include <string.h>

#include "campaigns.h"

ecode
campaigns_reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

static const char *const statuses[] = { "scheduled", "active", "expired", "inactive" };

ecode
h_campaign_list(request *req, response *res, error *e)
{
	const char  *status = req_query(req, "status");
	page         pg;
	campaign    *items;
	size_t       n;
	int64_t      total;
	json_object *arr;
	bool         ok = !status || !*status;

	for (size_t i = 0; !ok && i < sizeof statuses / sizeof statuses[0]; i++)
		ok = strcmp(status, statuses[i]) == 0;
	if (!ok) {
		err_field(e, "status", "must be scheduled, active, expired or inactive");
		e->code = E_INVALID_PARAMETER;
		snprintf(e->message, sizeof e->message, "invalid query parameters");
		return e->code;
	}
	if (status && !*status)
		status = NULL;
	if (page_from_query(req, &pg, e) != E_OK ||
	    campaign_list(req->a, &pg, status, &items, &n, &total, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, campaign_to_json(&items[i]));
	json_reply_page(req, res, arr, &pg, total);
	return E_OK;
}

ecode
h_campaign_get(request *req, response *res, error *e)
{
	campaign c = { 0 };

	if (campaign_get(req->a, req_param(req, "id"), &c, e) != E_OK)
		return e->code;
	return campaigns_reply(req, res, 200, campaign_to_json(&c), e);
}

ecode
h_campaign_create(request *req, response *res, error *e)
{
	campaign_actor who = campaign_actor_of(req);
	campaign_input in = { 0 };
	campaign       c = { 0 };

	if (campaign_input_from_json(req->a, req->json, true, &in, e) != E_OK ||
	    campaign_create(req->a, &who, &in, &c, e) != E_OK)
		return e->code;
	return campaigns_reply(req, res, 201, campaign_to_json(&c), e);
}

ecode
h_campaign_update(request *req, response *res, error *e)
{
	campaign_actor who = campaign_actor_of(req);
	campaign_input in = { 0 };
	campaign       c = { 0 };

	if (campaign_input_from_json(req->a, req->json, false, &in, e) != E_OK ||
	    campaign_update(req->a, &who, req_param(req, "id"), &in, &c, e) != E_OK)
		return e->code;
	return campaigns_reply(req, res, 200, campaign_to_json(&c), e);
}

ecode
h_campaign_deactivate(request *req, response *res, error *e)
{
	campaign_actor who = campaign_actor_of(req);
	campaign       c = { 0 };

	if (campaign_deactivate(req->a, &who, req_param(req, "id"), &c, e) != E_OK)
		return e->code;
	return campaigns_reply(req, res, 200, campaign_to_json(&c), e);
}

ecode
h_rule_create(request *req, response *res, error *e)
{
	const char   *other = NULL, *rule = NULL;
	stacking_rule r = { 0 };
	campaign_actor who = campaign_actor_of(req);

	if (!req->json || !json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "the body must be a JSON object");
	if (json_get_str(req->json, "campaign_id", 1, 64, &other, e) == 0)
		err_field(e, "campaign_id", "is required");
	if (json_get_str(req->json, "rule", 1, 16, &rule, e) == 0)
		err_field(e, "rule", "is required: allowed or forbidden");
	if (e->nfields)
		return e->code;
	if (campaign_rule_add(req->a, &who, req_param(req, "id"), other, rule, &r, e) != E_OK)
		return e->code;
	return campaigns_reply(req, res, 201, stacking_rule_to_json(&r), e);
}

ecode
h_rule_list(request *req, response *res, error *e)
{
	stacking_rule *rules;
	size_t         n;
	json_object   *arr;

	if (campaign_rule_list(req->a, req_param(req, "id"), &rules, &n, e) != E_OK)
		return e->code;
	if (!(arr = json_object_new_array()))
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, stacking_rule_to_json(&rules[i]));
	return campaigns_reply(req, res, 200, arr, e);
}

ecode
h_rule_delete(request *req, response *res, error *e)
{
	const char  *id = req_param(req, "rid");
	json_object *o;
	campaign_actor who = campaign_actor_of(req);

	if (campaign_rule_delete(req->a, &who, id, e) != E_OK)
		return e->code;
	if (!(o = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string("deleted"));
	return campaigns_reply(req, res, 200, o, e);
}
