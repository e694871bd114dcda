/*
 * admin_catalog.h — the admin panel's catalog pages: products and their
 * variants and images (admin_products.c, admin_variants.c,
 * admin_images.c), categories and brands (admin_taxonomy.c), banners
 * (admin_banners.c), review moderation (admin_reviews.c) and the CSV
 * import (admin_catalog_io.c); what they share is admin_catalog.c.
 *
 * Products are also a seller's pages (their own products only); the rest
 * is the admins'.  The rules are lib/product's: these files turn forms
 * into the domain's inputs and show its answers next to the fields.
 */
#ifndef ECOM_ADMIN_CATALOG_H
#define ECOM_ADMIN_CATALOG_H

#include <stdbool.h>

#include "admin.h"
#include "product/product.h"

/* Image uploads go through the media library (lib/media); 0 leaves the
 * panel without the upload form (a build without it). */
#ifndef ADMIN_IMAGE_UPLOADS
#define ADMIN_IMAGE_UPLOADS 1
#endif

/* Product `id` as these pages may show it to me: an admin any product, a
 * seller only their own (anything else E_NOT_FOUND, like a wrong id). */
ecode admin_product_load(request *req, const user *me, const char *id, product *p, error *e);
/* admin_begin_seller, then the product of the route's {id} as
 * admin_product_load gives it to me (*done as for admin_begin). */
ecode admin_begin_product(request *req, response *res, user *me, product *p, bool *done,
    error *e);

/* The product's page (status, with message as its alert when not NULL). */
ecode admin_product_page(request *req, response *res, int status, const user *me,
    const product *p, const char *message, error *e);

/* The product's page with a refused "add a variant" form (vform, consumed)
 * and its message. */
ecode admin_product_with_variant_form(request *req, response *res, int status,
    const user *me, const product *p, json_object *vform, const char *verror, error *e);
/* admin_variants.c: the empty "add a variant" form's context. */
json_object *admin_variant_form_blank(void);
/* "size=M; colour=Red" of a variant's attributes (arena). */
const char *admin_variant_attrs(request *req, const product_variant *v);
/* An <option> row {value, label, selected}. */
json_object *admin_option(const char *value, const char *label, bool selected);

/* Append {name, url} to the breadcrumb array crumbs (url NULL: the current
 * page); returns crumbs. */
json_object *admin_crumb(json_object *crumbs, const char *name, const char *url);
/* New breadcrumbs "list_name > name": the list page, then the item at url
 * (url NULL: the item is the current page). */
json_object *admin_item_crumbs(const char *list_name, const char *list_url, const char *name,
    const char *url);

/* Whether a domain refusal is shown on the form rather than the error page. */
bool admin_form_refusal(ecode rc);
/* Fold the domain's error v into the form's ferr (field defaults to the
 * field a fieldless message belongs to); the status to re-show it with. */
int admin_refusal_status(ecode rc, error *ferr, const error *v, const char *field);
/*
 * How a form's POST ends once the domain answered rc (its problems in v,
 * the form's own in ferr).  Done (*status 0, the ecode to return): on
 * success with no field problem the 303 to url with the flash; an error
 * that is not the form's is v into *e and its code.  Otherwise *status is
 * the status to show the form again with (v folded into ferr, field as
 * for admin_refusal_status).
 */
ecode admin_form_outcome(request *req, response *res, ecode rc, error *ferr, const error *v,
    const char *field, const char *url, const char *flash, int *status, error *e);

/* The category tree, inactive included, with all[] in tree order. */
ecode admin_category_forest(request *req, category_forest *cf, error *e);
/* Its nodes as <option> rows indented by depth, selected marked. */
json_object *admin_category_options(request *req, const category_forest *cf,
    const char *selected);

/* A form page: ferr's message as its alert (ferr NULL: none), crumbs (consumed), then
 * admin_render of templates/<name> with ctx. */
ecode admin_render_form(request *req, response *res, int status, const char *name,
    json_object *ctx, json_object *crumbs, const error *ferr, const user *me, const char *title,
    error *e);

/* The confirmation page of a destructive action: the question, a form
 * POSTing to action with the CSRF token, and a way back to cancel. */
ecode admin_confirm_render(request *req, response *res, const user *me, json_object *crumbs,
    const char *title, const char *question, const char *action, const char *button,
    const char *cancel, error *e);
/* The confirmation page "Delete <what>" of the item list_url/<id> called
 * name: POSTs to list_url/<id>/delete, cancelling goes back to the item. */
ecode admin_confirm_delete(request *req, response *res, const user *me, const char *list_name,
    const char *list_url, const char *id, const char *name, const char *what,
    const char *question, error *e);

/* admin_catalog_io.c: the upload and one import's page */
ecode h_catalog_import(request *req, response *res, error *e);
ecode h_catalog_import_job(request *req, response *res, error *e);
/* admin_products.c */
ecode h_products(request *req, response *res, error *e);
ecode h_product_new(request *req, response *res, error *e);
ecode h_product_create(request *req, response *res, error *e);
ecode h_product(request *req, response *res, error *e);
ecode h_product_update(request *req, response *res, error *e);
ecode h_product_status(request *req, response *res, error *e);
ecode h_product_archive_confirm(request *req, response *res, error *e);
ecode h_product_archive(request *req, response *res, error *e);
ecode h_variant_create(request *req, response *res, error *e);
ecode h_variant(request *req, response *res, error *e);
ecode h_variant_update(request *req, response *res, error *e);
ecode h_variant_delete_confirm(request *req, response *res, error *e);
ecode h_variant_delete(request *req, response *res, error *e);
/* admin_images.c */
ecode h_image_upload(request *req, response *res, error *e);
ecode h_image_update(request *req, response *res, error *e);
ecode h_image_delete_confirm(request *req, response *res, error *e);
ecode h_image_delete(request *req, response *res, error *e);
/* admin_banners.c */
ecode h_banners(request *req, response *res, error *e);
ecode h_banner_create(request *req, response *res, error *e);
ecode h_banner(request *req, response *res, error *e);
ecode h_banner_update(request *req, response *res, error *e);
ecode h_banner_delete_confirm(request *req, response *res, error *e);
ecode h_banner_delete(request *req, response *res, error *e);
/* admin_reviews.c */
ecode h_reviews(request *req, response *res, error *e);
ecode h_review_status(request *req, response *res, error *e);
/* admin_taxonomy.c */
ecode h_categories(request *req, response *res, error *e);
ecode h_category_create(request *req, response *res, error *e);
ecode h_category(request *req, response *res, error *e);
ecode h_category_update(request *req, response *res, error *e);
ecode h_category_move(request *req, response *res, error *e);
ecode h_category_delete_confirm(request *req, response *res, error *e);
ecode h_category_delete(request *req, response *res, error *e);
ecode h_brands(request *req, response *res, error *e);
ecode h_brand_create(request *req, response *res, error *e);
ecode h_brand(request *req, response *res, error *e);
ecode h_brand_update(request *req, response *res, error *e);
ecode h_brand_delete_confirm(request *req, response *res, error *e);
ecode h_brand_delete(request *req, response *res, error *e);

/* After deleting a category, brand or banner: release its uploaded images. */
void admin_release_media(request *req, const char *type, const char *id);

#endif
