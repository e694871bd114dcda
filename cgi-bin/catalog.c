/*
 * catalog.c — the JSON responder for /api/v1/products, /categories,
 * /brands and /banners (api-v1.md §Catalog).
 *
 * The route table is the whole access policy: every row names its minimum
 * role and body kind, and app_main runs the gates from it before any
 * handler.  Handlers (catalog_products.c, catalog_taxonomy.c) only add what
 * a table cannot say — a seller may change only their own products, which
 * lib/product checks on the locked row.
 *
 * Body limits: product, category and brand bodies carry descriptions of up
 * to 20000 characters (up to 4 bytes each) plus metadata, so they get
 * 128 KiB; every other body is small.
 */
#include "catalog.h"
#include "settings/settings.h"

#define BIG	(128 * 1024)
#define SMALL	(32 * 1024)

#define GET(path, h)		{ "GET", path, h, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ }
#define WRITE(m, path, h, r, lim) { m, path, h, r, CSRF_NONE, BODY_JSON, lim, RL_WRITE }
#define DELETE(path, h, r)	{ "DELETE", path, h, r, CSRF_NONE, BODY_NONE, 0, RL_WRITE }

static const route catalog_routes[] = {
	GET("/api/v1/products", h_product_list),
	WRITE("POST", "/api/v1/products", h_product_create, ROLE_SELLER, BIG),
	GET("/api/v1/products/{id}", h_product_get),
	WRITE("PUT", "/api/v1/products/{id}", h_product_update, ROLE_SELLER, BIG),
	DELETE("/api/v1/products/{id}", h_product_delete, ROLE_SELLER),

	GET("/api/v1/products/{id}/variants", h_variant_list),
	WRITE("POST", "/api/v1/products/{id}/variants", h_variant_create, ROLE_SELLER, SMALL),
	GET("/api/v1/products/{id}/variants/{vid}", h_variant_get),
	WRITE("PUT", "/api/v1/products/{id}/variants/{vid}", h_variant_update, ROLE_SELLER, SMALL),
	DELETE("/api/v1/products/{id}/variants/{vid}", h_variant_delete, ROLE_SELLER),

	GET("/api/v1/products/{id}/images", h_image_list),
	WRITE("POST", "/api/v1/products/{id}/images", h_image_create, ROLE_SELLER, SMALL),
	WRITE("PUT", "/api/v1/products/{id}/images/{iid}", h_image_update, ROLE_SELLER, SMALL),
	DELETE("/api/v1/products/{id}/images/{iid}", h_image_delete, ROLE_SELLER),

	GET("/api/v1/products/{id}/reviews", h_review_list),
	WRITE("POST", "/api/v1/products/{id}/reviews", h_review_create, ROLE_CUSTOMER, SMALL),

	GET("/api/v1/categories", h_category_list),
	WRITE("POST", "/api/v1/categories", h_category_create, ROLE_ADMIN, BIG),
	GET("/api/v1/categories/{id}", h_category_get),
	WRITE("PUT", "/api/v1/categories/{id}", h_category_update, ROLE_ADMIN, BIG),
	DELETE("/api/v1/categories/{id}", h_category_delete, ROLE_ADMIN),

	GET("/api/v1/brands", h_brand_list),
	WRITE("POST", "/api/v1/brands", h_brand_create, ROLE_ADMIN, BIG),
	GET("/api/v1/brands/{id}", h_brand_get),
	WRITE("PUT", "/api/v1/brands/{id}", h_brand_update, ROLE_ADMIN, BIG),
	DELETE("/api/v1/brands/{id}", h_brand_delete, ROLE_ADMIN),

	GET("/api/v1/banners", h_banner_list),
	WRITE("POST", "/api/v1/banners", h_banner_create, ROLE_ADMIN, SMALL),
	GET("/api/v1/banners/{id}", h_banner_get),
	WRITE("PUT", "/api/v1/banners/{id}", h_banner_update, ROLE_ADMIN, SMALL),
	DELETE("/api/v1/banners/{id}", h_banner_delete, ROLE_ADMIN),
};

static const app catalog_app = {
	"catalog", APP_JSON, catalog_routes,
	sizeof catalog_routes / sizeof catalog_routes[0], NULL, NULL
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&catalog_app, argc, argv);
}
