/*
 * admin_banners.c — /admin/banners (admins only): the banners by
 * position with their date windows and whether the shop shows them now,
 * a create form, one banner's edit page, and deletion behind a
 * confirmation page.
 *
 * The picture is an uploaded file or an image URL.  A chosen file (the
 * form is multipart/form-data) goes through lib/media as a product
 * image's does (sniffed, decoded under limits, stripped, resized) before
 * anything is written, so a refused file leaves no banner and no media
 * behind; the banner then names the largest JPEG it will have as its
 * image_url, and the upload is stored as the banner's media item once the
 * banner is (the storefront shows it with srcset).  A file wins over the
 * URL field; a new picture releases the banner's earlier uploads, and so
 * does a changed URL, so the shop shows what the form says.  A form with
 * neither is refused naming image_url.
 *
 * The window is typed as two local date-times (<input type=
 * "datetime-local">, no script) read as UTC, and sent to the catalog as
 * the RFC 3339 strings its JSON input takes; an empty field means "no
 * bound".  Every rule (title, URLs, link type, position, a window that
 * ends after it starts) is banner_input_validate's.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/parse.h"
#include "core/util.h"
#include "core/log.h"
#include "admin.h"
#include "admin_catalog.h"
#include "media/media.h"

#define BANNERS_URL "/admin/banners"

static const char *const link_types[] = { "product", "category", "brand", "page", "external" };

typedef struct banner_form {
	const char *title, *subtitle, *image_url, *link_url, *link_type, *position;
	const char *sort_order, *active, *starts_at, *ends_at;
} banner_form;

static void
form_read(request *req, banner_form *f)
{
	f->title = req_form(req, "title");
	f->subtitle = req_form(req, "subtitle");
	f->image_url = req_form(req, "image_url");
	f->link_url = req_form(req, "link_url");
	f->link_type = req_form(req, "link_type");
	f->position = req_form(req, "position");
	f->sort_order = req_form(req, "sort_order");
	f->active = req_form(req, "active");
	f->starts_at = req_form(req, "starts_at");
	f->ends_at = req_form(req, "ends_at");
}

/* "2026-12-01T09:30" as typed -> "2026-12-01T09:30:00Z"; NULL when it is
 * not that shape (the catalog then names the field). */
static const char *
local_to_rfc3339(request *req, const char *s)
{
	int64_t t;
	const char *z;

	if (s == NULL || strlen(s) != 16)
		return NULL;
	z = arena_printf(req->a, "%s:00Z", s);
	return z != NULL && time_parse_rfc3339(z, &t) == 0 ? z : NULL;
}

/* Unix seconds -> the value a datetime-local input shows; "" for 0. */
static const char *
rfc3339_to_local(request *req, int64_t t)
{
	char out[21];

	if (t <= 0)
		return "";
	time_rfc3339(t, out);
	out[16] = '\0';		/* drop ":SSZ" */
	return arena_strdup(req->a, out);
}

static void
put_time(request *req, json_object *o, const char *k, const char *v, error *ferr)
{
	const char *z;

	if (v == NULL || v[0] == '\0') {
		json_object_object_add(o, k, NULL);
		return;
	}
	if ((z = local_to_rfc3339(req, v)) == NULL)
		err_field(ferr, k, "enter a date and time such as 2026-12-01T09:30 (UTC)");
	else
		admin_put_str(o, k, z);
}

static json_object *
form_json(request *req, const banner_form *f, error *ferr)
{
	json_object *o = json_object_new_object();
	int64_t n;

	admin_put_str(o, "title", f->title);
	admin_put_str(o, "subtitle", f->subtitle);
	admin_put_str(o, "image_url", f->image_url);
	admin_put_str(o, "link_url", f->link_url);
	admin_put_str(o, "link_type", f->link_type);
	admin_put_str(o, "position", f->position);
	if (f->sort_order != NULL && f->sort_order[0] != '\0') {
		if (parse_i64(f->sort_order, SORT_ORDER_MIN, SORT_ORDER_MAX, &n) != 0)
			err_field(ferr, "sort_order", "enter a whole number (lower comes first)");
		else
			json_object_object_add(o, "sort_order", json_object_new_int64(n));
	}
	json_object_object_add(o, "is_active", json_object_new_boolean(f->active != NULL));
	put_time(req, o, "starts_at", f->starts_at, ferr);
	put_time(req, o, "ends_at", f->ends_at, ferr);
	return o;
}

static json_object *
form_ctx(const banner_form *f, const error *ferr)
{
	json_object *o = json_object_new_object(), *types = json_object_new_array();

	admin_put_str(o, "title", f->title);
	admin_put_str(o, "subtitle", f->subtitle);
	admin_put_str(o, "image_url", f->image_url);
	admin_put_str(o, "link_url", f->link_url);
	admin_put_str(o, "position", f->position);
	admin_put_str(o, "sort_order", f->sort_order);
	admin_put_str(o, "starts_at", f->starts_at);
	admin_put_str(o, "ends_at", f->ends_at);
	admin_put_flag(o, "active", f->active != NULL);
	for (size_t i = 0; i < sizeof link_types / sizeof link_types[0]; i++) {
		json_object *t = json_object_new_object();

		admin_put_str(t, "value", link_types[i]);
		admin_put_flag(t, "selected", f->link_type != NULL &&
		    strcmp(f->link_type, link_types[i]) == 0);
		json_object_array_add(types, t);
	}
	json_object_object_add(o, "link_types", types);
	json_object_object_add(o, "errors", ferr != NULL ? admin_field_errors(ferr) :
	    json_object_new_object());
	return o;
}

/* The form's picture: a chosen file, judged and resized but not stored
 * yet (prep), and the image_url the banner is saved with. */
typedef struct banner_picture {
	media_prepared *prep;
	const char     *url;
} banner_picture;

/*
 * Read the picture: a file wins over the URL field.  E_OK with pic
 * filled, or a field error in ferr (neither given; *status stays 0), or
 * the file's refusal with *status its 4xx; other failures are returned.
 */
static ecode
picture_read(request *req, const banner_form *f, banner_picture *pic, error *ferr,
    int *status, error *e)
{
	const mp_part *file = req_part(req, "image");
	error v;
	ecode rc;

	pic->prep = NULL;
	pic->url = f->image_url;
	*status = 0;
	if (file != NULL && file->filename != NULL && file->len > 0) {
		err_clear(&v);
		if ((rc = media_prepare(req->a, file->data, file->len, &pic->prep, &v)) != E_OK) {
			if (rc != E_VALIDATION && rc != E_UNSUPPORTED_MEDIA_TYPE &&
			    rc != E_PAYLOAD_TOO_LARGE && rc != E_INVALID_INPUT) {
				*e = v;
				return rc;
			}
			err_field(ferr, "image", "%s", v.nfields > 0 ? v.fields[0].message : v.message);
			snprintf(ferr->message, sizeof ferr->message,
			    "The image file was refused: nothing was saved.");
			*status = ecode_status(rc);
			return E_OK;
		}
		if ((pic->url = media_prepared_url(req->a, pic->prep, NULL, NULL)) == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
		return E_OK;
	}
	if (f->image_url == NULL || f->image_url[0] == '\0')
		err_field(ferr, "image_url", "upload an image file or enter an image URL");
	return E_OK;
}

/* The prepared file becomes the banner's media item; the banner's other
 * uploads are released (the shop shows an owner's first item). */
static ecode
picture_store(request *req, const char *banner_id, const banner_picture *pic, error *e)
{
	media_actor mw = media_actor_of(req);
	media_upload_req up = { 0 };
	media_item item = { 0 }, *old;
	size_t n;
	error e2;

	up.prepared = pic->prep;
	up.data = req_part(req, "image")->data;
	up.len = req_part(req, "image")->len;
	up.owner_type = "banner";
	up.owner_id = banner_id;
	up.alt_text = "";
	if (media_upload(req->a, &mw, &up, &item, e) != E_OK)
		return e->code;
	err_clear(&e2);
	if (media_list_owner(req->a, "banner", banner_id, &old, &n, &e2) != E_OK) {
		log_msg(LOG_ERROR, "admin: earlier pictures of banner %s not released: %s",
		    banner_id, e2.message);
		return E_OK;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(old[i].id, item.id) == 0)
			continue;
		err_clear(&e2);
		if (media_delete(req->a, &mw, old[i].id, &e2) != E_OK && e2.code != E_NOT_FOUND)
			log_msg(LOG_ERROR, "admin: picture %s of banner %s not released: %s",
			    old[i].id, banner_id, e2.message);
	}
	return E_OK;
}

/* Whether the shop shows b now (active and inside its window). */
static const char *
showing(const banner *b, int64_t now)
{
	if (!b->is_active)
		return "inactive";
	if (b->starts_at > 0 && now < b->starts_at)
		return "scheduled";
	if (b->ends_at > 0 && now >= b->ends_at)
		return "ended";
	return "showing";
}

static ecode
banners_render(request *req, response *res, int status, const user *me, const banner_form *f,
    const error *ferr, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *pos = req_query(req, "position");
	banner_filter bf = { NULL, -1 };
	banner_form blank = { .link_type = "page", .position = "hero", .active = "1" };
	json_object *ctx, *rows;
	int64_t now = (int64_t)time(NULL);
	banner *b;
	size_t n;
	ecode rc;

	if (pos != NULL && pos[0] != '\0') {
		if (strlen(pos) > 32 || strspn(pos, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(pos))
			return err_set(e, E_INVALID_PARAMETER, "position is 1 to 32 of a-z, 0-9, _ and -");
		bf.position = pos;
	}
	if ((rc = banner_list(req->a, &who, &bf, &b, &n, e)) != E_OK)
		return rc;
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "title", b[i].title);
		admin_put_str(o, "url", arena_printf(req->a, BANNERS_URL "/%s", b[i].id));
		admin_put_str(o, "position", b[i].position);
		admin_put_str(o, "state", showing(&b[i], now));
		admin_put_str(o, "from", b[i].starts_at > 0 ? admin_time(req->a, b[i].starts_at) : "—");
		admin_put_str(o, "until", b[i].ends_at > 0 ? admin_time(req->a, b[i].ends_at) : "—");
		json_object_object_add(o, "sort_order", json_object_new_int(b[i].sort_order));
		json_object_array_add(rows, o);
	}
	json_object_object_add(ctx, "rows", rows);
	json_object_object_add(ctx, "total", json_object_new_int64((int64_t)n));
	admin_put_str(ctx, "position", bf.position);
	json_object_object_add(ctx, "form", form_ctx(f != NULL ? f : &blank, ferr));
	return admin_render_form(req, res, status, "admin/banners", ctx,
	    admin_crumb(json_object_new_array(), "Banners", NULL), ferr, me, "Banners", e);
}

ecode
h_banners(request *req, response *res, error *e)
{
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	return banners_render(req, res, 200, &me, NULL, NULL, e);
}

ecode
h_banner_create(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner_input in = { 0 };
	banner_form f, send;
	banner_picture pic;
	json_object *body;
	banner out = { 0 };
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	if ((rc = picture_read(req, &f, &pic, &ferr, &status, e)) != E_OK)
		return rc;
	if (status != 0)
		return banners_render(req, res, status, &me, &f, &ferr, e);
	send = f;
	send.image_url = pic.url;
	body = form_json(req, &send, &ferr);
	rc = banner_input_from_json(req->a, body, true, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = banner_create(req->a, &who, &in, &out, &v);
	json_object_put(body);
	if (rc == E_OK && ferr.nfields == 0 && pic.prep != NULL &&
	    picture_store(req, out.id, &pic, e) != E_OK) {
		/* the banner would name files that are not there: take it back */
		err_clear(&v);
		if (banner_delete(req->a, &who, out.id, &v) != E_OK)
			log_msg(LOG_ERROR, "admin: banner %s left without its picture: %s", out.id,
			    v.message);
		return e->code;
	}
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "title", BANNERS_URL, "banner-created",
	    &status, e);
	if (status == 0)
		return rc;
	return banners_render(req, res, status, &me, &f, &ferr, e);
}

static ecode
load_banner(request *req, banner *b, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *id = req_param(req, "id");

	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "there is no banner with this id");
	return banner_get(req->a, &who, id, b, e);
}

static ecode
banner_render(request *req, response *res, int status, const user *me, const banner *b,
    const banner_form *f, const error *ferr, error *e)
{
	json_object *ctx = json_object_new_object();
	banner_form cur = { b->title, b->subtitle, b->image_url, b->link_url, b->link_type,
	    b->position, arena_printf(req->a, "%d", (int)b->sort_order), b->is_active ? "1" : NULL,
	    rfc3339_to_local(req, b->starts_at), rfc3339_to_local(req, b->ends_at) };

	json_object_object_add(ctx, "form", form_ctx(f != NULL ? f : &cur, ferr));
	admin_put_str(ctx, "title", b->title);
	admin_put_str(ctx, "url", arena_printf(req->a, BANNERS_URL "/%s", b->id));
	admin_put_str(ctx, "state", showing(b, (int64_t)time(NULL)));
	return admin_render_form(req, res, status, "admin/banner", ctx,
	    admin_item_crumbs("Banners", BANNERS_URL, b->title, NULL), ferr, me, b->title, e);
}

ecode
h_banner(request *req, response *res, error *e)
{
	banner b = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_banner(req, &b, e)) != E_OK)
		return rc;
	return banner_render(req, res, 200, &me, &b, NULL, NULL, e);
}

ecode
h_banner_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner_input in = { 0 }, back = { 0 };
	banner_form f, send;
	banner_picture pic;
	json_object *body;
	banner b = { 0 }, out = { 0 };
	error ferr, v;
	int status;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_banner(req, &b, e)) != E_OK)
		return rc;
	form_read(req, &f);
	err_clear(&ferr);
	err_clear(&v);
	if ((rc = picture_read(req, &f, &pic, &ferr, &status, e)) != E_OK)
		return rc;
	if (status != 0)
		return banner_render(req, res, status, &me, &b, &f, &ferr, e);
	send = f;
	send.image_url = pic.url;
	body = form_json(req, &send, &ferr);
	rc = banner_input_from_json(req->a, body, false, &in, &v);
	if (rc == E_OK && ferr.nfields == 0)
		rc = banner_update(req->a, &who, b.id, &in, &out, &v);
	json_object_put(body);
	if (rc == E_OK && ferr.nfields == 0 && pic.prep != NULL &&
	    picture_store(req, b.id, &pic, e) != E_OK) {
		/* back to the picture it had, whose files are still there */
		back.set = NI_IMAGE;
		back.image_url = b.image_url;
		err_clear(&v);
		if (banner_update(req->a, &who, b.id, &back, &out, &v) != E_OK)
			log_msg(LOG_ERROR, "admin: banner %s names a picture not stored: %s", b.id,
			    v.message);
		return e->code;
	}
	/* a new URL typed: the shop shows it, not an earlier upload */
	if (rc == E_OK && ferr.nfields == 0 && pic.prep == NULL &&
	    strcmp(pic.url, b.image_url) != 0)
		admin_release_media(req, "banner", b.id);
	rc = admin_form_outcome(req, res, rc, &ferr, &v, "title",
	    arena_printf(req->a, BANNERS_URL "/%s", b.id), "banner-saved", &status, e);
	if (status == 0)
		return rc;
	return banner_render(req, res, status, &me, &b, &f, &ferr, e);
}

ecode
h_banner_delete_confirm(request *req, response *res, error *e)
{
	banner b = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_banner(req, &b, e)) != E_OK)
		return rc;
	return admin_confirm_delete(req, res, &me, "Banners", BANNERS_URL, b.id, b.title, "banner",
	    arena_printf(req->a, "Delete the banner “%s”? To take it off the shop for a while, "
	    "untick Active instead.", b.title), e);
}

ecode
h_banner_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	banner b = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_banner(req, &b, e)) != E_OK ||
	    (rc = banner_delete(req->a, &who, b.id, e)) != E_OK)
		return rc;
	admin_release_media(req, "banner", b.id);
	return admin_flash(req, res, BANNERS_URL, "banner-deleted", e);
}
