/*
 * admin.c — the server-rendered admin panel: route table, main, what every
 * page shares (the layout context, the enrolment redirect) and the
 * dashboard.
 *
 * Pages (one area per file): sign-in, code step, sign-out and TOTP
 * enrolment (admin_login.c), users (admin_users.c).  Every route but the
 * sign-in ones needs ROLE_ADMIN; the gates run before any handler.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "core/config.h"
#include "core/parse.h"
#include "core/util.h"
#include "admin.h"
#include "admin_catalog.h"
#include "media/media.h"
#include "settings/settings.h"

#define PAGE(m, path, h, role, rate) \
	{ m, path, h, role, CSRF_NONE, BODY_NONE, 0, rate }
#define FORM(path, h, role, rate) \
	{ "POST", path, h, role, CSRF_REQUIRED, BODY_FORM, 16 * 1024, rate }
/* A form with a file: multipart, the caller checked before the body. */
#define UPLOAD(path, h, role, rate) \
	{ "POST", path, h, role, CSRF_REQUIRED, BODY_MULTIPART, MEDIA_UPLOAD_BODY_MAX, rate }

static const route admin_routes[] = {
	PAGE("GET", "/admin", h_dashboard, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/login", h_login_form, ROLE_PUBLIC, RL_READ),
	FORM("/admin/login", h_login, ROLE_PUBLIC, RL_LOGIN),
	PAGE("GET", "/admin/login/code", h_login_otp_form, ROLE_PUBLIC, RL_READ),
	FORM("/admin/login/code", h_login_otp, ROLE_PUBLIC, RL_LOGIN),
	FORM("/admin/logout", h_logout, ROLE_SELLER, RL_WRITE),
	PAGE("GET", ADMIN_ENROL_URL, h_enrol_form, ROLE_ADMIN, RL_READ),
	FORM(ADMIN_ENROL_URL, h_enrol, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/users", h_users, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/users/{id}", h_user, ROLE_ADMIN, RL_READ),
	FORM("/admin/users/{id}", h_user_update, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/inventory", h_inventory, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/inventory/low-stock", h_low_stock, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/inventory/{productId}/{variantId}", h_inventory_item, ROLE_ADMIN, RL_READ),
	FORM("/admin/inventory/{productId}/{variantId}", h_inventory_adjust, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/warehouses", h_warehouses, ROLE_ADMIN, RL_READ),
	FORM("/admin/warehouses", h_warehouse_create, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/warehouses/{id}", h_warehouse_update, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/campaigns", h_campaigns, ROLE_ADMIN, RL_READ),
	/* before /{id}: the router takes the first row that matches */
	PAGE("GET", "/admin/campaigns/new", h_campaign_new, ROLE_ADMIN, RL_READ),
	FORM("/admin/campaigns/new", h_campaign_create, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/campaigns/{id}", h_campaign, ROLE_ADMIN, RL_READ),
	FORM("/admin/campaigns/{id}", h_campaign_update, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/campaigns/{id}/pause", h_campaign_pause, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/campaigns/{id}/stacking-rules", h_campaign_rule_add, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/campaigns/stacking-rules/{ruleId}/delete", h_campaign_rule_delete,
	    ROLE_ADMIN, RL_WRITE),
	/* products: sellers too, their own only (admin_products.c) */
	PAGE("GET", "/admin/products", h_products, ROLE_SELLER, RL_READ),
	PAGE("GET", "/admin/products/new", h_product_new, ROLE_SELLER, RL_READ),
	FORM("/admin/products/new", h_product_create, ROLE_SELLER, RL_WRITE),
	PAGE("GET", "/admin/products/{id}", h_product, ROLE_SELLER, RL_READ),
	FORM("/admin/products/{id}", h_product_update, ROLE_SELLER, RL_WRITE),
	FORM("/admin/products/{id}/status", h_product_status, ROLE_SELLER, RL_WRITE),
	PAGE("GET", "/admin/products/{id}/archive", h_product_archive_confirm, ROLE_SELLER, RL_READ),
	FORM("/admin/products/{id}/archive", h_product_archive, ROLE_SELLER, RL_WRITE),
	FORM("/admin/products/{id}/variants", h_variant_create, ROLE_SELLER, RL_WRITE),
	PAGE("GET", "/admin/products/{id}/variants/{vid}", h_variant, ROLE_SELLER, RL_READ),
	FORM("/admin/products/{id}/variants/{vid}", h_variant_update, ROLE_SELLER, RL_WRITE),
	PAGE("GET", "/admin/products/{id}/variants/{vid}/delete", h_variant_delete_confirm,
	    ROLE_SELLER, RL_READ),
	FORM("/admin/products/{id}/variants/{vid}/delete", h_variant_delete, ROLE_SELLER, RL_WRITE),
	/* an image file (MEDIA_UPLOAD_BODY_MAX), judged by lib/media */
	{ "POST", "/admin/products/{id}/images", h_image_upload, ROLE_SELLER, CSRF_REQUIRED,
	  BODY_MULTIPART, MEDIA_UPLOAD_BODY_MAX, RL_WRITE },
	FORM("/admin/products/{id}/images/{iid}", h_image_update, ROLE_SELLER, RL_WRITE),
	PAGE("GET", "/admin/products/{id}/images/{iid}/delete", h_image_delete_confirm,
	    ROLE_SELLER, RL_READ),
	FORM("/admin/products/{id}/images/{iid}/delete", h_image_delete, ROLE_SELLER, RL_WRITE),
	/* categories and brands (admin_taxonomy.c) */
	PAGE("GET", "/admin/categories", h_categories, ROLE_ADMIN, RL_READ),
	FORM("/admin/categories", h_category_create, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/categories/{id}", h_category, ROLE_ADMIN, RL_READ),
	FORM("/admin/categories/{id}", h_category_update, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/categories/{id}/move", h_category_move, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/categories/{id}/delete", h_category_delete_confirm, ROLE_ADMIN, RL_READ),
	FORM("/admin/categories/{id}/delete", h_category_delete, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/brands", h_brands, ROLE_ADMIN, RL_READ),
	FORM("/admin/brands", h_brand_create, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/brands/{id}", h_brand, ROLE_ADMIN, RL_READ),
	FORM("/admin/brands/{id}", h_brand_update, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/brands/{id}/delete", h_brand_delete_confirm, ROLE_ADMIN, RL_READ),
	FORM("/admin/brands/{id}/delete", h_brand_delete, ROLE_ADMIN, RL_WRITE),
	/* banners (admin_banners.c) */
	PAGE("GET", "/admin/banners", h_banners, ROLE_ADMIN, RL_READ),
	/* the banner's form carries its picture (MEDIA_UPLOAD_BODY_MAX) */
	UPLOAD("/admin/banners", h_banner_create, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/banners/{id}", h_banner, ROLE_ADMIN, RL_READ),
	UPLOAD("/admin/banners/{id}", h_banner_update, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/banners/{id}/delete", h_banner_delete_confirm, ROLE_ADMIN, RL_READ),
	FORM("/admin/banners/{id}/delete", h_banner_delete, ROLE_ADMIN, RL_WRITE),
	/* review moderation (admin_reviews.c) */
	PAGE("GET", "/admin/reviews", h_reviews, ROLE_ADMIN, RL_READ),
	FORM("/admin/reviews/{id}/status", h_review_status, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/catalog/io", h_catalog_io, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/catalog/export.csv", h_catalog_export, ROLE_ADMIN, RL_READ),
	/* the file is bounded by the catalog's CSV limit, not the form limit */
	{ "POST", "/admin/catalog/import", h_catalog_import, ROLE_ADMIN, CSRF_REQUIRED,
	  BODY_MULTIPART, CATALOG_CSV_BYTES_MAX + 64 * 1024, RL_WRITE },
	PAGE("GET", "/admin/catalog/import/{id}", h_catalog_import_job, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/orders", h_orders, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/orders/{id}", h_order, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/orders/{id}/invoice", h_order_invoice, ROLE_ADMIN, RL_READ),
	FORM("/admin/orders/{id}/status", h_order_status, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/orders/{id}/refund", h_order_refund, ROLE_ADMIN, RL_WRITE),
	FORM("/admin/orders/{id}/notes", h_order_note, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/audit", h_audit, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/audit/{id}", h_audit_entry, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/events", h_events, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/events/{id}", h_event, ROLE_ADMIN, RL_READ),
	FORM("/admin/events/{id}/replay", h_event_replay, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/mail", h_mail, ROLE_ADMIN, RL_READ),
	/* before /{id}: the router takes the first row that matches */
	PAGE("GET", "/admin/mail/templates", h_mail_templates, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/mail/templates/{name}", h_mail_template, ROLE_ADMIN, RL_READ),
	{ "POST", "/admin/mail/templates/{name}", h_mail_template_save, ROLE_ADMIN, CSRF_REQUIRED,
	    BODY_FORM, 320 * 1024, RL_WRITE },
	FORM("/admin/mail/templates/{name}/reset", h_mail_template_reset, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/mail/{id}", h_mail_message, ROLE_ADMIN, RL_READ),
	FORM("/admin/mail/{id}/retry", h_mail_retry, ROLE_ADMIN, RL_WRITE),
	PAGE("GET", "/admin/search-terms", h_search_terms, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/search-terms/export.csv", h_search_terms_csv, ROLE_ADMIN, RL_READ),
	PAGE("GET", "/admin/settings", h_settings, ROLE_ADMIN, RL_READ),
	FORM("/admin/settings", h_settings_update, ROLE_ADMIN, RL_WRITE),
};

static const app admin_app = {
	.name = "admin",
	.kind = APP_HTML,
	.routes = admin_routes,
	.nroutes = sizeof admin_routes / sizeof admin_routes[0],
	.login_url = "/admin/login",
	.init = NULL,
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&admin_app, argc, argv);
}

/* ------------------------------------------------------------ shared */

/* The signed-in account, active, with at least role `least`. */
static ecode
begin(request *req, response *res, bool allow_enrol, role least, user *me, bool *done,
    error *e)
{
	ecode rc;

	*done = false;
	/* the gate let a valid token through; the row may have changed since */
	if ((rc = user_get(req->a, req->user_id, me, e)) != E_OK) {
		if (rc == E_NOT_FOUND)
			return err_set(e, E_FORBIDDEN, "this account no longer exists");
		return rc;
	}
	if (!me->active || me->role < least)
		return err_set(e, E_FORBIDDEN, "this account has no admin access");
	if (!allow_enrol && !user_2fa_ok(me)) {
		if (resp_redirect(res, 303, ADMIN_ENROL_URL) != 0)
			return err_set(e, E_INTERNAL, "redirect refused");
		*done = true;
	}
	return E_OK;
}

ecode
admin_begin(request *req, response *res, bool allow_enrol, user *me, bool *done, error *e)
{
	return begin(req, res, allow_enrol, ROLE_ADMIN, me, done, e);
}

ecode
admin_begin_seller(request *req, response *res, user *me, bool *done, error *e)
{
	return begin(req, res, false, ROLE_SELLER, me, done, e);
}

const char *
admin_seller_next(const char *next)
{
	next = admin_safe_next(next);
	if (strncmp(next, "/admin/products", 15) == 0 &&
	    (next[15] == '\0' || next[15] == '/' || next[15] == '?'))
		return next;
	return "/admin/products";
}

/* ------------------------------------------------------------ flash */

/* Codes in the cookie, sentences here: a cookie set by someone else can
 * only pick one of these. */
static const struct {
	const char *code, *text;
} flashes[] = {
	{ "product-created", "The product is created. Add its variants and images below." },
	{ "product-saved", "The product is saved." },
	{ "product-published", "The product is published: the shop shows it now." },
	{ "product-unpublished", "The product is back to draft: the shop no longer shows it." },
	{ "product-archived", "The product is archived." },
	{ "variant-added", "The variant is added." },
	{ "variant-saved", "The variant is saved." },
	{ "variant-deleted", "The variant is deleted." },
	{ "image-added", "The image is added." },
	{ "image-saved", "The image is saved." },
	{ "image-deleted", "The image is deleted." },
	{ "category-created", "The category is created." },
	{ "category-saved", "The category is saved." },
	{ "category-moved", "The category is moved." },
	{ "category-deleted", "The category is deleted." },
	{ "brand-created", "The brand is created." },
	{ "brand-saved", "The brand is saved." },
	{ "brand-deleted", "The brand is deleted." },
	{ "banner-created", "The banner is created." },
	{ "banner-saved", "The banner is saved." },
	{ "banner-deleted", "The banner is deleted." },
	{ "review-published", "The review is published." },
	{ "review-rejected", "The review is rejected: the shop no longer shows it." },
	{ "review-held", "The review is held as pending." },
	{ "import-applied", "The import is applied." },
	{ "import-checked", "The file is valid; nothing was changed (check only)." },
};

static const char *
flash_attrs(const request *req, int max_age)
{
	return arena_printf(req->a, "Path=/admin; Max-Age=%d; HttpOnly; SameSite=Strict%s",
	    max_age, req->https ? "; Secure" : "");
}

/* The pending flash sentence (and the cookie cleared), or NULL. */
static const char *
flash_take(request *req, response *res)
{
	const char *code = req_cookie(req, ADMIN_FLASH_COOKIE), *attrs;

	if (code == NULL || code[0] == '\0')
		return NULL;
	if ((attrs = flash_attrs(req, 0)) != NULL)
		resp_cookie(res, ADMIN_FLASH_COOKIE, "", attrs);
	for (size_t i = 0; i < sizeof flashes / sizeof flashes[0]; i++)
		if (strcmp(flashes[i].code, code) == 0)
			return flashes[i].text;
	return NULL;
}

ecode
admin_flash(request *req, response *res, const char *url, const char *code, error *e)
{
	const char *attrs = flash_attrs(req, 60);

	if (attrs == NULL || resp_cookie(res, ADMIN_FLASH_COOKIE, code, attrs) != 0)
		return err_set(e, E_INTERNAL, "flash cookie refused");
	return admin_see_other(res, url, e);
}

/* A page title of at most ADMIN_TITLE_MAX characters (the layout adds the
 * shop's name; titles built from data, such as a recipient's address, can
 * be long): clipped on a UTF-8 boundary with an ellipsis. */
#define ADMIN_TITLE_MAX 40

static const char *
short_title(arena *a, const char *title)
{
	size_t n = strlen(title), cut = 0, chars = 0;

	if (utf8_len(title, n) <= ADMIN_TITLE_MAX)
		return title;
	while (cut < n && chars < ADMIN_TITLE_MAX - 1) {
		cut++;
		while (cut < n && ((unsigned char)title[cut] & 0xC0) == 0x80)
			cut++;
		chars++;
	}
	return arena_printf(a, "%.*s\u2026", (int)cut, title);
}

ecode
admin_render(request *req, response *res, int status, const char *name,
    json_object *ctx, const user *me, const char *title, error *e)
{
	const char *tok = csrf_token(req, res), *flash;

	if (tok == NULL) {
		json_object_put(ctx);
		return err_set(e, E_INTERNAL, "no CSRF token (server secret unreadable)");
	}
	if (me != NULL) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(me->id));
		json_object_object_add(o, "email", json_object_new_string(me->email));
		json_object_object_add(o, "name", json_object_new_string(
		    arena_printf(req->a, "%s %s", me->first_name, me->last_name)));
		/* a seller's navigation shows their products only */
		admin_put_flag(o, "admin", me->role == ROLE_ADMIN);
		json_object_object_add(ctx, "me", o);
	}
	if ((flash = flash_take(req, res)) != NULL)
		admin_put_str(ctx, "flash", flash);
	json_object_object_add(ctx, "csrf_token", json_object_new_string(tok));
	json_object_object_add(ctx, "title", json_object_new_string(short_title(req->a, title)));
	/* account data: never in a shared cache, never in a search engine */
	if (resp_set_header(res, "Cache-Control", "no-store") != 0 ||
	    resp_set_header(res, "X-Robots-Tag", "noindex, nofollow") != 0) {
		json_object_put(ctx);
		return err_set(e, E_INTERNAL, "header refused");
	}
	return view_render(req, res, status, name, ctx, e);
}

const char *
admin_safe_next(const char *next)
{
	size_t n;

	if (next == NULL || strncmp(next, "/admin", 6) != 0 ||
	    (next[6] != '\0' && next[6] != '/' && next[6] != '?'))
		return "/admin";
	n = strlen(next);
	if (n > 512 || strstr(next, "//") != NULL || strstr(next, "/login") != NULL)
		return "/admin";
	/* only bytes that need no escaping in a Location header or an attribute */
	if (strspn(next, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/_-.?=&%+") != n)
		return "/admin";
	return next;
}

json_object *
admin_field_errors(const error *e)
{
	json_object *o = json_object_new_object();

	for (int i = 0; i < e->nfields; i++)
		json_object_object_add(o, e->fields[i].name,
		    json_object_new_string(e->fields[i].message));
	return o;
}

const char *
admin_time(arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[40];

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return "never";
	strftime(out, sizeof out, "%d %b %Y %H:%M UTC", &tm);
	return arena_strdup(a, out);
}

/* ------------------------------------------------------------ dashboard */

ecode
h_dashboard(request *req, response *res, error *e)
{
	json_object *ctx;
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	ctx = json_object_new_object();
	json_object_object_add(ctx, "totp_enabled", json_object_new_boolean(me.totp_enabled));
	json_object_object_add(ctx, "last_login", json_object_new_string(
	    admin_time(req->a, me.last_login_at)));
	if (strcmp(cfg->admin_2fa, "optional") == 0)
		json_object_object_add(ctx, "twofa_optional", json_object_new_boolean(1));
	if ((rc = admin_dashboard_figures(req, ctx, e)) != E_OK) {
		json_object_put(ctx);
		return rc;
	}
	return admin_render(req, res, 200, "admin/dashboard", ctx, &me, "Dashboard", e);
}

/* ------------------------------------------------------------ page helpers */

ecode
admin_see_other(response *res, const char *url, error *e)
{
	if (resp_redirect(res, 303, url) != 0)
		return err_set(e, E_INTERNAL, "redirect refused");
	return E_OK;
}

ecode
admin_action_outcome(request *req, response *res, ecode rc, const error *le, bool shown,
    const char *base, const char *id, const char *done, int *status, error *e)
{
	*status = 0;
	if (rc == E_OK)
		return admin_see_done(req, res, base, id, done, e);
	if (!shown) {
		*e = *le;
		return rc;
	}
	*status = ecode_status(rc);
	return E_OK;
}

ecode
admin_page_param(request *req, page *pg, error *e)
{
	const char *p = req_query(req, "page");

	if (p != NULL && parse_i64(p, 1, PAGE_MAX_PAGE, &pg->page) != 0)
		return err_set(e, E_INVALID_PARAMETER, "page must be a whole number from 1");
	pg->offset = (pg->page - 1) * pg->per_page;
	return E_OK;
}

const char *
admin_list_url(request *req, const char *base, const char *const *keys)
{
	const char *url = arena_printf(req->a, "%s?", base);

	for (size_t i = 0; url != NULL && keys[i] != NULL; i++) {
		const char *v = admin_nonempty(req_query(req, keys[i]));

		if (v != NULL)
			url = arena_printf(req->a, "%s%s=%s&", url, keys[i], url_encode(req->a, v));
	}
	if (url != NULL)	/* the trailing '?' or '&' */
		url = arena_strndup(req->a, url, strlen(url) - 1);
	return url != NULL ? url : base;
}

const char *
admin_nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

ecode
admin_see_done(request *req, response *res, const char *base, const char *id, const char *done,
    error *e)
{
	const char *enc = url_encode(req->a, id);
	const char *url = enc != NULL ? arena_printf(req->a, "%s/%s?done=%s", base, enc, done) : NULL;

	return url != NULL ? admin_see_other(res, url, e) : err_set(e, E_INTERNAL, "out of memory");
}

void
admin_put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v != NULL ? v : ""));
}

void
admin_put_flag(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

ecode
admin_day_param(request *req, const char *key, bool end, int64_t *out, error *e)
{
	const char *s = req_query(req, key);
	char day[32];

	*out = 0;
	if (s == NULL || *s == '\0')
		return E_OK;
	if (strlen(s) != 10 || snprintf(day, sizeof day, "%sT00:00:00Z", s) >= (int)sizeof day ||
	    time_parse_rfc3339(day, out) != 0 || *out < 0)
		return err_set(e, E_INVALID_PARAMETER, "%s must be a date like 2026-11-24", key);
	if (end)
		*out += 86400;
	return E_OK;
}

void
admin_take_fields(error *dst, const error *src)
{
	for (int i = 0; i < src->nfields; i++) {
		int k;

		for (k = 0; k < dst->nfields && strcmp(dst->fields[k].name, src->fields[i].name) != 0; k++)
			;
		if (k == dst->nfields)
			err_field(dst, src->fields[i].name, "%s", src->fields[i].message);
	}
}
