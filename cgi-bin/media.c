/*
 * media.c — /api/v1/media: image uploads (multipart/form-data), an item's
 * alt text and order, deletion, and an owner's images (api-v1.md).
 *
 * The handlers only read the request and render; what an upload may be and
 * who may attach it to what is lib/media's (media.h).
 */
#include <string.h>

#include "core/app.h"
#include "core/json.h"
#include "core/parse.h"
#include "media/media.h"
#include "settings/settings.h"

/* multipart: file*, owner_id*, owner_type*, alt_text, sort_order */
static ecode
h_upload(request *req, response *res, error *e)
{
	media_actor who = media_actor_of(req);
	const mp_part *file = req_part(req, "file");
	const char *sort = req_form(req, "sort_order");
	media_upload_req in;
	media_item m;
	int64_t v;

	memset(&in, 0, sizeof in);
	if (file == NULL || file->filename == NULL)
		return err_field(e, "file", "is required (a file input named \"file\")");
	in.data = file->data;
	in.len = file->len;
	in.owner_type = req_form(req, "owner_type");
	in.owner_id = req_form(req, "owner_id");
	in.alt_text = req_form(req, "alt_text");
	if (sort != NULL && *sort != '\0') {
		if (parse_i64(sort, -1000000, 1000000, &v) != 0)
			return err_field(e, "sort_order", "must be an integer from -1000000 to 1000000");
		in.has_sort = true;
		in.sort_order = (int32_t)v;
	}
	if (media_upload(req->a, &who, &in, &m, e) != E_OK)
		return e->code;
	resp_header(res, "Location", arena_printf(req->a, "/api/v1/media/%s", m.id));
	json_reply(req, res, 201, media_json(&m));
	return E_OK;
}

static ecode
h_get(request *req, response *res, error *e)
{
	media_actor who = media_actor_of(req);
	media_item m;

	if (media_get(req->a, &who, req_param(req, "id"), &m, e) != E_OK)
		return e->code;
	json_reply(req, res, 200, media_json(&m));
	return E_OK;
}

/* JSON: alt_text (string or null for ""), sort_order */
static ecode
h_update(request *req, response *res, error *e)
{
	media_actor who = media_actor_of(req);
	const char *alt = NULL;
	int64_t sort = 0;
	int32_t s32;
	int has_alt, has_sort;
	media_item m;

	if (!json_object_is_type(req->json, json_type_object))
		return err_set(e, E_INVALID_INPUT, "send a JSON object");
	has_alt = json_get_str(req->json, "alt_text", 0, 4 * MEDIA_ALT_MAX, &alt, e);
	has_sort = json_get_i64(req->json, "sort_order", -1000000, 1000000, &sort, e);
	if (has_alt < 0 || has_sort < 0)
		return e->code;
	if (has_alt == 0 && json_object_object_get_ex(req->json, "alt_text", NULL))
		alt = "";	/* null clears it */
	s32 = (int32_t)sort;
	if (media_update(req->a, &who, req_param(req, "id"), alt, has_sort > 0 ? &s32 : NULL,
	    &m, e) != E_OK)
		return e->code;
	json_reply(req, res, 200, media_json(&m));
	return E_OK;
}

static ecode
h_delete(request *req, response *res, error *e)
{
	media_actor who = media_actor_of(req);
	const char *id = req_param(req, "id");
	json_object *o;

	if (media_delete(req->a, &who, id, e) != E_OK)
		return e->code;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "status", json_object_new_string("deleted"));
	json_reply(req, res, 200, o);
	return E_OK;
}

static ecode
h_owner(request *req, response *res, error *e)
{
	media_item *items;
	size_t n;
	json_object *arr;

	if (media_list_owner(req->a, req_param(req, "ownerType"), req_param(req, "ownerId"),
	    &items, &n, e) != E_OK)
		return e->code;
	arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, media_json(&items[i]));
	json_reply(req, res, 200, arr);
	return E_OK;
}

static const route media_routes[] = {
	{ "POST", "/api/v1/media", h_upload, ROLE_SELLER, CSRF_NONE, BODY_MULTIPART,
	  MEDIA_UPLOAD_BODY_MAX, RL_WRITE },
	{ "GET", "/api/v1/media/owner/{ownerType}/{ownerId}", h_owner, ROLE_PUBLIC, CSRF_NONE,
	  BODY_NONE, 0, RL_READ },
	{ "GET", "/api/v1/media/{id}", h_get, ROLE_SELLER, CSRF_NONE, BODY_NONE, 0, RL_READ },
	{ "PUT", "/api/v1/media/{id}", h_update, ROLE_SELLER, CSRF_NONE, BODY_JSON, 4096, RL_WRITE },
	{ "DELETE", "/api/v1/media/{id}", h_delete, ROLE_SELLER, CSRF_NONE, BODY_NONE, 0, RL_WRITE },
};

static const app media_app = {
	"media", APP_JSON, media_routes, sizeof media_routes / sizeof media_routes[0],
	media_init, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&media_app, argc, argv);
}
