/*
 * search.c — /api/v1/search: the product search with facets, the search
 * box's suggestions, and an admin's request for a reindex
 * (api-v1.md §Search).
 *
 * Each handler is parse -> lib/search -> render; the gates ran from the
 * route table.  Results come from the search schema only, which the
 * "search-indexer" consumer keeps (lib/search/indexer.c).
 */
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/app.h"
#include "core/json.h"
#include "core/log.h"
#include "core/parse.h"
#include "search/search.h"
#include "settings/settings.h"

static ecode
reply(request *req, response *res, int status, json_object *v, error *e)
{
	if (!v)
		return err_set(e, E_INTERNAL, "out of memory");
	json_reply(req, res, status, v);
	return E_OK;
}

/* GET /api/v1/search: q, category_id, brand_id, min_price, max_price,
 * in_stock, attr.<name>, sort, page, per_page. */
static ecode
h_search(request *req, response *res, error *e)
{
	search_query q;
	search_result r;

	if (search_query_from_request(req, &q, e) != E_OK || search_run(req->a, &q, &r, e) != E_OK)
		return e->code;
	search_log_query(req->a, &q, &r);
	return reply(req, res, 200, search_result_to_json(&r), e);
}

/* GET /api/v1/search/suggest: q, limit (1..20, default 8). */
static ecode
h_suggest(request *req, response *res, error *e)
{
	const char *q = req_query(req, "q"), *l = req_query(req, "limit"), **s;
	int64_t limit = SEARCH_SUGGEST_DEFAULT;
	json_object *o, *arr;
	size_t n;

	if (l != NULL && parse_i64(l, 1, SEARCH_SUGGEST_MAX, &limit) != 0)
		return err_set(e, E_INVALID_PARAMETER, "limit must be between 1 and %d",
		    SEARCH_SUGGEST_MAX);
	if (search_suggest(req->a, q ? q : "", (int)limit, &s, &n, e) != E_OK)
		return e->code;
	if (!(o = json_object_new_object()) || !(arr = json_object_new_array())) {
		json_object_put(o);
		return err_set(e, E_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(s[i]));
	json_object_object_add(o, "suggestions", arr);
	return reply(req, res, 200, o, e);
}

static void
put_json(void *p)
{
	json_object_put(p);
}

/* A reindex is an operation on derived data, not a domain change with an
 * event (search has no outbox): its audit entry is written directly
 * (audit_record) after the request is queued; a failure is logged, the
 * run row keeps who asked anyway. */
static void
audit_reindex(request *req, const char *run_id)
{
	audit_entry en = { 0 };
	json_object *after = json_object_new_object();
	error le;

	err_clear(&le);
	if (after == NULL || arena_defer(req->a, put_json, after) != 0) {
		json_object_put(after);
		log_msg(LOG_ERROR, "the audit entry of reindex %s: out of memory", run_id);
		return;
	}
	json_object_object_add(after, "id", json_object_new_string(run_id));
	json_object_object_add(after, "status", json_object_new_string("queued"));
	en.actor_id = req->user_id;
	en.actor_role = role_name(req->user_role);
	en.event_type = "search.reindex_requested";
	en.aggregate_type = "search_reindex";
	en.aggregate_id = run_id;
	en.summary = "Search reindex requested";
	en.source = "search";
	en.correlation_id = req->request_id;
	en.after = after;
	if (audit_record(req->a, &en, &le) != E_OK)
		log_msg(LOG_ERROR, "the audit entry of reindex %s: %s", run_id, le.message);
}

/* POST /api/v1/search/reindex: queued for the janitor's next run. */
static ecode
h_reindex(request *req, response *res, error *e)
{
	const char *id;
	json_object *o;

	if (search_reindex_request(req->a, req->user_id, &id, e) != E_OK)
		return e->code;
	audit_reindex(req, id);
	if (!(o = json_object_new_object()))
		return err_set(e, E_INTERNAL, "out of memory");
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string("queued"));
	return reply(req, res, 202, o, e);
}

static const route search_routes[] = {
	{ "GET", "/api/v1/search", h_search, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "GET", "/api/v1/search/suggest", h_suggest, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ },
	/* no input: any body a client sends along is ignored, up to 1 KiB */
	{ "POST", "/api/v1/search/reindex", h_reindex, ROLE_ADMIN, CSRF_NONE, BODY_RAW, 1024, RL_WRITE },
};

static const app search_app = {
	"search", APP_JSON, search_routes, sizeof search_routes / sizeof search_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&search_app, argc, argv);
}
