/*
 * catalog.h — the handlers of the catalog responder (cgi-bin/catalog*.c).
 *
 * Each handler parses its input, calls lib/product and renders JSON; the
 * gates (route, body, auth, role) already ran from the route table in
 * catalog.c.  On failure a handler returns the code of the error it filled
 * and app_main renders the JSON error envelope.
 */
#ifndef ECOM_CGI_CATALOG_H
#define ECOM_CGI_CATALOG_H

#include "core/app.h"
#include "core/json.h"
#include "product/product.h"

/* catalog_products.c */
ecode h_product_list(request *req, response *res, error *e);
ecode h_product_get(request *req, response *res, error *e);
ecode h_product_create(request *req, response *res, error *e);
ecode h_product_update(request *req, response *res, error *e);
ecode h_product_delete(request *req, response *res, error *e);
ecode h_variant_list(request *req, response *res, error *e);
ecode h_variant_get(request *req, response *res, error *e);
ecode h_variant_create(request *req, response *res, error *e);
ecode h_variant_update(request *req, response *res, error *e);
ecode h_variant_delete(request *req, response *res, error *e);
ecode h_image_list(request *req, response *res, error *e);
ecode h_image_create(request *req, response *res, error *e);
ecode h_image_update(request *req, response *res, error *e);
ecode h_image_delete(request *req, response *res, error *e);
ecode h_review_list(request *req, response *res, error *e);
ecode h_review_create(request *req, response *res, error *e);

/* catalog_taxonomy.c */
ecode h_category_list(request *req, response *res, error *e);
ecode h_category_get(request *req, response *res, error *e);
ecode h_category_create(request *req, response *res, error *e);
ecode h_category_update(request *req, response *res, error *e);
ecode h_category_delete(request *req, response *res, error *e);
ecode h_brand_list(request *req, response *res, error *e);
ecode h_brand_get(request *req, response *res, error *e);
ecode h_brand_create(request *req, response *res, error *e);
ecode h_brand_update(request *req, response *res, error *e);
ecode h_brand_delete(request *req, response *res, error *e);
ecode h_banner_list(request *req, response *res, error *e);
ecode h_banner_get(request *req, response *res, error *e);
ecode h_banner_create(request *req, response *res, error *e);
ecode h_banner_update(request *req, response *res, error *e);
ecode h_banner_delete(request *req, response *res, error *e);

/* Shared by both files (catalog_products.c). */

/* Reply {"data": v} with status; a NULL v (json-c out of memory) is a 500. */
ecode reply_json(request *req, response *res, int status, json_object *v, error *e);
/* Reply {"data":{"id": id, "status":"deleted"}}. */
ecode reply_deleted(request *req, response *res, const char *id, error *e);
/* A new JSON array, or NULL with e = E_INTERNAL. */
json_object *new_array(error *e);

#endif
