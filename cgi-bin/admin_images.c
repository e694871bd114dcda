/*
 * admin_images.c — a product's images on its admin page: alt text, order
 * and which one is primary (one small form per image), removal behind a
 * confirmation page, and the upload.
 *
 * The list of a product's images is the catalog's (image_update,
 * image_delete: making one primary demotes the other in the same
 * transaction); the files are the media library's, which an upload goes
 * through (lib/media: the bytes are sniffed, decoded under limits,
 * stripped and resized, and the catalog image is made from the result).
 * Owners as everywhere on these pages: an admin, or the product's seller.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "admin.h"
#include "admin_catalog.h"
#if ADMIN_IMAGE_UPLOADS
#include "media/media.h"
#endif

#define PRODUCTS_URL "/admin/products"

typedef struct img_target {
	product p;
	const product_image *im;
} img_target;

static ecode
load_image(request *req, const user *me, img_target *t, error *e)
{
	const char *iid = req_param(req, "iid");

	t->im = NULL;
	if (admin_product_load(req, me, req_param(req, "id"), &t->p, e) != E_OK)
		return e->code;
	for (size_t i = 0; iid != NULL && i < t->p.nimages; i++)
		if (strcmp(t->p.images[i].id, iid) == 0)
			t->im = &t->p.images[i];
	if (t->im == NULL)
		return err_set(e, E_NOT_FOUND, "this product has no such image");
	return E_OK;
}

static const char *
images_url(request *req, const product *p)
{
	return arena_printf(req->a, PRODUCTS_URL "/%s#images", p->s.id);
}

/* POST alt_text, sort_order, primary=1. */
ecode
h_image_update(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *alt = req_form(req, "alt_text"), *order = req_form(req, "sort_order");
	image_input in = { 0 };
	product_image out = { 0 };
	img_target t = { 0 };
	int64_t n = 0;
	error v;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_image(req, &me, &t, e)) != E_OK)
		return rc;
	if (order != NULL && order[0] != '\0' &&
	    parse_i64(order, SORT_ORDER_MIN, SORT_ORDER_MAX, &n) != 0)
		return admin_product_page(req, res, 400, &me, &t.p, "The image's order must be a "
		    "whole number (lower comes first).", e);
	in.set = II_ALT;
	in.alt_text = alt != NULL ? alt : "";
	if (order != NULL && order[0] != '\0') {
		in.set |= II_SORT;
		in.sort_order = (int32_t)n;
	}
	/* an unticked box demotes nothing: a product always has a primary */
	if (req_form(req, "primary") != NULL) {
		in.set |= II_PRIMARY;
		in.is_primary = true;
	}
	err_clear(&v);
	if ((rc = image_input_validate(&in, false, &v)) == E_OK)
		rc = image_update(req->a, &who, t.p.s.id, t.im->id, &in, &out, &v);
	if (rc == E_OK)
		return admin_flash(req, res, images_url(req, &t.p), "image-saved", e);
	if (!admin_form_refusal(rc)) {
		*e = v;
		return rc;
	}
	return admin_product_page(req, res, 400, &me, &t.p, v.nfields > 0 ?
	    arena_printf(req->a, "The image's %s: %s", v.fields[0].name, v.fields[0].message) :
	    v.message, e);
}

ecode
h_image_delete_confirm(request *req, response *res, error *e)
{
	const char *purl;
	img_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_image(req, &me, &t, e)) != E_OK)
		return rc;
	purl = arena_printf(req->a, PRODUCTS_URL "/%s", t.p.s.id);
	return admin_confirm_render(req, res, &me,
	    admin_item_crumbs("Products", PRODUCTS_URL, t.p.s.name, purl), "Remove image",
	    arena_printf(req->a, "Remove the image “%s” from %s?%s",
	    t.im->alt_text[0] != '\0' ? t.im->alt_text : "without alt text", t.p.s.name,
	    t.im->is_primary ? " It is the primary image: the next one becomes primary." : ""),
	    arena_printf(req->a, "%s/images/%s/delete", purl, t.im->id), "Remove image",
	    images_url(req, &t.p), e);
}

ecode
h_image_delete(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	img_target t = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin_seller(req, res, &me, &done, e)) != E_OK || done)
		return rc;
	if ((rc = load_image(req, &me, &t, e)) != E_OK)
		return rc;
#if ADMIN_IMAGE_UPLOADS
	/* the catalog's rules decide; an uploaded image also releases its media
	 * item and the files no other item uses, whoever uploaded it */
	{
		media_actor mw = media_actor_of(req);

		(void)who;
		rc = media_delete_product_image(req->a, &mw, t.p.s.id, t.im->id, e);
	}
#else
	rc = image_delete(req->a, &who, t.p.s.id, t.im->id, e);
#endif
	if (rc != E_OK)
		return rc;
	return admin_flash(req, res, images_url(req, &t.p), "image-deleted", e);
}

#if ADMIN_IMAGE_UPLOADS
/* POST (multipart): image, alt_text. */
ecode
h_image_upload(request *req, response *res, error *e)
{
	media_actor mw = media_actor_of(req);
	const mp_part *file = req_part(req, "image");
	const char *alt = req_form(req, "alt_text");
	media_upload_req in = { 0 };
	media_item out = { 0 };
	product p = { 0 };
	user me;
	bool done;
	error v;
	ecode rc;

	if ((rc = admin_begin_product(req, res, &me, &p, &done, e)) != E_OK || done)
		return rc;
	if (file == NULL || file->filename == NULL || file->len == 0)
		return admin_product_page(req, res, 400, &me, &p, "Choose an image file to upload.", e);
	in.data = file->data;
	in.len = file->len;
	in.owner_type = "product";
	in.owner_id = p.s.id;
	in.alt_text = alt != NULL ? alt : "";
	err_clear(&v);
	rc = media_upload(req->a, &mw, &in, &out, &v);
	if (rc == E_OK)
		return admin_flash(req, res, images_url(req, &p), "image-added", e);
	/* the file itself was refused: say why on the product's page */
	if (rc == E_VALIDATION || rc == E_UNSUPPORTED_MEDIA_TYPE || rc == E_PAYLOAD_TOO_LARGE ||
	    rc == E_INVALID_INPUT)
		return admin_product_page(req, res, ecode_status(rc), &me, &p, v.nfields > 0 ?
		    arena_printf(req->a, "The upload's %s: %s", v.fields[0].name,
		    v.fields[0].message) : v.message, e);
	*e = v;
	return rc;
}
#else
ecode
h_image_upload(request *req, response *res, error *e)
{
	(void)req;
	(void)res;
	return err_set(e, E_NOT_FOUND, "image uploads need the media library");
}
#endif
