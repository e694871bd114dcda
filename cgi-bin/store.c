/*
 * store.c — the HTML storefront: route table, main, and what every page
 * shares (navigation cache, cards, the layout context).
 *
 * Pages (one file each): / (store_home.c), /c/{slug} (store_category.c),
 * /p/{slug} (store_product.c), its back-in-stock form and the alert's
 * unsubscribe page (store_restock.c), /search (store_search.c), sign in, register,
 * passwords and sign out (store_signin.c), the account pages
 * (store_account.c), the cart page and its forms (store_cart.c), and what
 * their forms share (store_form.c).  Everything is a plain link or an HTML form, so
 * the shop works with JavaScript switched off.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cart/cart.h"
#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "checkout/checkout.h"
#include "media/media.h"
#include "settings/settings.h"
#include "store.h"

#define GET(path, h) { "GET", path, h, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_READ }
/* A form post: url-encoded, token checked by the gate, small. */
#define FORM_BODY_MAX (16 * 1024)
#define ACCOUNT_PAGE(path, h) { "GET", path, h, ROLE_CUSTOMER, CSRF_NONE, BODY_NONE, 0, RL_READ }
#define POST(path, h, r, rl) { "POST", path, h, r, CSRF_REQUIRED, BODY_FORM, FORM_BODY_MAX, rl }

/*
 * Account pages need a signed-in customer; a guest's GET is sent to
 * /login?next=... by the gate (login_url below), a POST is refused.
 * /logout is public so an already-expired session can still sign out.
 */
static const route store_routes[] = {
	GET("/", h_home),
	GET("/c/{slug}", h_category),
	GET("/p/{slug}", h_product),
	/* "E-mail me when it is back": anyone may ask, like forgot-password,
	 * and both may mail an address typed by a stranger: the same brake */
	POST("/p/{slug}/restock", h_restock_subscribe, ROLE_PUBLIC, RL_PASSWORD),
	{ "GET", "/restock/unsubscribe", h_restock_unsubscribe_form, ROLE_PUBLIC, CSRF_NONE,
	    BODY_NONE, 0, RL_PASSWORD },
	POST("/restock/unsubscribe", h_restock_unsubscribe, ROLE_PUBLIC, RL_PASSWORD),
	GET("/search", h_search),
	GET("/login", h_login_form),
	POST("/login", h_login, ROLE_PUBLIC, RL_LOGIN),
	GET("/register", h_register_form),
	POST("/register", h_register, ROLE_PUBLIC, RL_REGISTER),
	GET("/forgot-password", h_forgot_form),
	POST("/forgot-password", h_forgot, ROLE_PUBLIC, RL_PASSWORD),
	GET("/reset-password", h_reset_form),
	POST("/reset-password", h_reset, ROLE_PUBLIC, RL_PASSWORD),
	{ "GET", "/verify-email", h_verify_email, ROLE_PUBLIC, CSRF_NONE, BODY_NONE, 0, RL_PASSWORD },
	POST("/logout", h_logout, ROLE_PUBLIC, RL_WRITE),
	ACCOUNT_PAGE("/account", h_account),
	POST("/account/profile", h_account_profile, ROLE_CUSTOMER, RL_WRITE),
	POST("/account/password", h_account_password, ROLE_CUSTOMER, RL_PASSWORD),
	POST("/account/verification", h_account_verification, ROLE_CUSTOMER, RL_PASSWORD),
	POST("/account/addresses", h_address_create, ROLE_CUSTOMER, RL_WRITE),
	POST("/account/addresses/{id}", h_address_update, ROLE_CUSTOMER, RL_WRITE),
	POST("/account/addresses/{id}/delete", h_address_delete, ROLE_CUSTOMER, RL_WRITE),
	ACCOUNT_PAGE("/account/2fa", h_account_2fa),
	POST("/account/2fa/setup", h_2fa_setup, ROLE_CUSTOMER, RL_WRITE),
	POST("/account/2fa/confirm", h_2fa_confirm, ROLE_CUSTOMER, RL_LOGIN),
	POST("/account/2fa/disable", h_2fa_disable, ROLE_CUSTOMER, RL_PASSWORD),
	ACCOUNT_PAGE("/account/wishlist", h_wishlist),
	POST("/wishlist/{productId}", h_wishlist_add, ROLE_CUSTOMER, RL_WRITE),
	POST("/wishlist/{productId}/remove", h_wishlist_remove, ROLE_CUSTOMER, RL_WRITE),
	/* the cart: guests too (their cart is the cookie's) */
	GET("/cart", h_cart),
	POST("/cart/items", h_cart_add, ROLE_PUBLIC, RL_WRITE),
	POST("/cart/items/{productId}/{variantId}", h_cart_update, ROLE_PUBLIC, RL_WRITE),
	POST("/cart/coupon", h_cart_coupon, ROLE_PUBLIC, RL_WRITE),
	POST("/cart/coupon/remove", h_cart_coupon_remove, ROLE_PUBLIC, RL_WRITE),
	/* orders: owners, or guests holding the signed link */
	GET("/orders/{number}", h_order),
	GET("/orders/{number}/invoice", h_order_invoice),
	POST("/orders/{number}/cancel", h_order_cancel, ROLE_CUSTOMER, RL_WRITE),
	ACCOUNT_PAGE("/account/orders", h_account_orders),
	/* checkout: guests too; the steps are forms, the last one places the order */
	GET("/checkout", h_checkout),
	POST("/checkout/address", h_checkout_address, ROLE_PUBLIC, RL_WRITE),
	POST("/checkout/shipping", h_checkout_shipping, ROLE_PUBLIC, RL_WRITE),
	POST("/checkout/payment", h_checkout_payment, ROLE_PUBLIC, RL_WRITE),
	POST("/checkout/place", h_checkout_place, ROLE_PUBLIC, RL_WRITE),
};

static const app store_app = {
	"store", APP_HTML, store_routes, sizeof store_routes / sizeof store_routes[0],
	checkout_config_init,	/* a bad shipping or tax table refuses to start */
	"/login"
};

int
main(int argc, char **argv)
{
	settings_site_register();
	return app_main(&store_app, argc, argv);
}

/* ------------------------------------------------------------ navigation */

static store_nav nav;
static time_t nav_loaded;

static json_object *
nav_node(arena *a, const category_node *n, json_object *by_slug)
{
	json_object *o = json_object_new_object(), *kids = json_object_new_array();
	const category *c = &n->cat;

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "slug", json_object_new_string(c->slug));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "url", json_object_new_string(arena_printf(a, "/c/%s", c->slug)));
	json_object_object_add(o, "description", json_object_new_string(c->description != NULL ? c->description : ""));
	if (c->image_url != NULL)
		json_object_object_add(o, "image_url", json_object_new_string(c->image_url));
	if (n->parent != NULL)
		json_object_object_add(o, "parent", json_object_new_string(n->parent->cat.slug));
	for (size_t i = 0; i < n->nchildren; i++)
		json_object_array_add(kids, nav_node(a, n->children[i], by_slug));
	json_object_object_add(o, "children", kids);
	json_object_object_add(by_slug, c->slug, json_object_get(o));
	return o;
}

static void
nav_release(void)
{
	json_object_put(nav.roots);
	json_object_put(nav.by_slug);
	json_object_put(nav.brands);
	memset(&nav, 0, sizeof nav);
}

ecode
store_nav_get(request *req, const store_nav **out, error *e)
{
	catalog_actor who = { NULL, ROLE_PUBLIC, req->request_id };
	time_t now = time(NULL);
	category_forest f;
	brand_page bp;
	page pg = { 1, PAGE_MAX_SIZE, 0 };
	ecode rc;

	if (nav.roots != NULL && now - nav_loaded < (time_t)cfg->cache_ttl_s) {
		*out = &nav;
		return E_OK;
	}
	if ((rc = category_tree(req->a, &who, false, &f, e)) != E_OK ||
	    (rc = brand_list(req->a, &pg, &bp, e)) != E_OK) {
		if (nav.roots != NULL) {	/* stale beats broken */
			log_msg(LOG_WARN, "navigation refresh failed: %s", e->message);
			err_clear(e);
			*out = &nav;
			return E_OK;
		}
		return rc;
	}
	nav_release();
	nav.roots = json_object_new_array();
	nav.by_slug = json_object_new_object();
	nav.brands = json_object_new_array();
	for (size_t i = 0; i < f.nroots; i++)
		json_object_array_add(nav.roots, nav_node(req->a, f.roots[i], nav.by_slug));
	for (size_t i = 0; i < bp.n; i++) {
		json_object *b = json_object_new_object();
		json_object_object_add(b, "id", json_object_new_string(bp.items[i].id));
		json_object_object_add(b, "slug", json_object_new_string(bp.items[i].slug));
		json_object_object_add(b, "name", json_object_new_string(bp.items[i].name));
		json_object_array_add(nav.brands, b);
	}
	nav_loaded = now;
	*out = &nav;
	return E_OK;
}

/* ------------------------------------------------------------ cards, pages */

const char *
store_money(arena *a, int64_t minor, const char *currency)
{
	const char *s = money_format_a(a, minor, currency);

	return s != NULL ? s : "";
}

void
store_image_srcset(arena *a, json_object *im, const char *media_id, const char *sizes)
{
	media_srcset ss;
	error e;

	if (media_id == NULL)
		return;		/* an image by URL (the demo data): src alone */
	err_clear(&e);
	if (media_srcset_of(a, media_id, &ss, &e) != E_OK) {
		if (e.code != E_NOT_FOUND)
			log_msg(LOG_WARN, "store: srcset of media %s: %s", media_id, e.message);
		return;
	}
	store_image_put_srcset(im, &ss, sizes);
}

void
store_image_srcset_url(arena *a, json_object *im, const char *url, const char *sizes)
{
	media_srcset ss;
	error e;

	err_clear(&e);
	if (media_srcset_of_url(a, url, &ss, &e) != E_OK) {
		if (e.code != E_NOT_FOUND)
			log_msg(LOG_WARN, "store: srcset of %s: %s", url, e.message);
		return;		/* not an upload (the demo data): src alone */
	}
	store_image_put_srcset(im, &ss, sizes);
}

void
store_image_put_srcset(json_object *im, const media_srcset *ss, const char *sizes)
{
	json_object_object_add(im, "url", json_object_new_string(ss->src));
	json_object_object_add(im, "width", json_object_new_int(ss->width));
	json_object_object_add(im, "height", json_object_new_int(ss->height));
	json_object_object_add(im, "webp", json_object_new_string(ss->webp));
	json_object_object_add(im, "srcset", json_object_new_string(ss->jpeg));
	json_object_object_add(im, "sizes", json_object_new_string(sizes));
}

media_srcset *
store_pictures(arena *a, const char *owner_type, const char *const *ids, size_t n,
    bool **found)
{
	size_t nref = n < MEDIA_BATCH_MAX ? n : MEDIA_BATCH_MAX;
	media_owner_ref *refs = arena_calloc(a, n ? n : 1, sizeof *refs);
	media_srcset *ss = arena_calloc(a, n ? n : 1, sizeof *ss);
	error e;

	*found = arena_calloc(a, n ? n : 1, sizeof **found);
	if (refs == NULL || ss == NULL || *found == NULL)
		return NULL;
	for (size_t i = 0; i < nref; i++) {
		refs[i].owner_type = owner_type;
		refs[i].owner_id = ids[i];
	}
	err_clear(&e);
	if (media_srcsets_of_owners(a, refs, nref, ss, *found, &e) != E_OK)
		log_msg(LOG_WARN, "store: pictures of %s: %s", owner_type, e.message);
	return ss;
}

/*
 * Category tiles: name, url and a picture, the category's first upload
 * (POST /api/v1/media with owner_type category) with srcset as product
 * cards have, else its image_url alone.  The uploads of every tile are
 * looked up in one query.  nodes is an array of navigation nodes (not
 * changed: they are the process's cached navigation).
 */
json_object *
store_tiles(arena *a, json_object *nodes)
{
	size_t n = nodes != NULL ? json_object_array_length(nodes) : 0;
	json_object *arr = json_object_new_array();
	const char **ids = arena_calloc(a, n ? n : 1, sizeof *ids);
	media_srcset *ss;
	bool *found;

	if (ids == NULL)
		return arr;
	for (size_t i = 0; i < n; i++) {
		json_object *id;
		if (json_object_object_get_ex(json_object_array_get_idx(nodes, i), "id", &id))
			ids[i] = json_object_get_string(id);
	}
	if ((ss = store_pictures(a, "category", ids, n, &found)) == NULL)
		return arr;
	for (size_t i = 0; i < n; i++) {
		json_object *node = json_object_array_get_idx(nodes, i), *o = json_object_new_object();
		json_object *v, *im = NULL;

		if (json_object_object_get_ex(node, "name", &v))
			json_object_object_add(o, "name", json_object_get(v));
		if (json_object_object_get_ex(node, "url", &v))
			json_object_object_add(o, "url", json_object_get(v));
		if (found[i] || json_object_object_get_ex(node, "image_url", &v)) {
			im = json_object_new_object();
			if (!found[i])
				json_object_object_add(im, "url", json_object_get(v));
			/* the name is the link's text: the picture adds nothing to say */
			json_object_object_add(im, "alt", json_object_new_string(""));
			json_object_object_add(im, "width", json_object_new_int(400));
			json_object_object_add(im, "height", json_object_new_int(400));
			json_object_object_add(im, "lazy", json_object_new_boolean(1));
			if (found[i])
				store_image_put_srcset(im, &ss[i], STORE_TILE_SIZES);
			json_object_object_add(o, "image", im);
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *
store_card(arena *a, const product_summary *p)
{
	json_object *o = json_object_new_object();
	int avg = rating_average_x100(&p->rating);

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "url", json_object_new_string(arena_printf(a, "/p/%s", p->slug)));
	json_object_object_add(o, "price", json_object_new_string(store_money(a, p->base_price, p->currency)));
	json_object_object_add(o, "price_minor", json_object_new_int64(p->base_price));
	if (p->has_image) {
		json_object *im = json_object_new_object();
		json_object_object_add(im, "url", json_object_new_string(p->primary_image.url));
		json_object_object_add(im, "alt", json_object_new_string(
		    p->primary_image.alt_text[0] != '\0' ? p->primary_image.alt_text : p->name));
		json_object_object_add(im, "width", json_object_new_int(p->primary_image.width > 0 ? p->primary_image.width : 800));
		json_object_object_add(im, "height", json_object_new_int(p->primary_image.height > 0 ? p->primary_image.height : 800));
		json_object_object_add(im, "lazy", json_object_new_boolean(1));
		if (p->primary_image.media_id != NULL)
			store_image_srcset(a, im, p->primary_image.media_id, STORE_CARD_SIZES);
		else	/* a search hit knows the URL only */
			store_image_srcset_url(a, im, p->primary_image.url, STORE_CARD_SIZES);
		json_object_object_add(o, "image", im);
	}
	if (p->rating.count > 0) {
		json_object_object_add(o, "rating", json_object_new_string(
		    arena_printf(a, "%d.%d", avg / 100, (avg % 100) / 10)));
		json_object_object_add(o, "rating_count", json_object_new_int64(p->rating.count));
	}
	if (p->published_at > 0 && time(NULL) - p->published_at < 14 * 86400)
		json_object_object_add(o, "is_new", json_object_new_boolean(1));
	return o;
}

json_object *
store_cards(arena *a, const product_summary *v, size_t n)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, store_card(a, &v[i]));
	return arr;
}

ecode
store_render(request *req, response *res, const char *name, json_object *ctx,
    const char *title, const char *description, error *e)
{
	return store_render_status(req, res, 200, name, ctx, title, description, e);
}

ecode
store_render_status(request *req, response *res, int status, const char *name,
    json_object *ctx, const char *title, const char *description, error *e)
{
	const store_nav *n;
	const char *q = req_query(req, "q");
	ecode rc;

	if ((rc = store_nav_get(req, &n, e)) != E_OK) {
		json_object_put(ctx);
		return rc;
	}
	json_object_object_add(ctx, "nav", json_object_get(n->roots));
	json_object_object_add(ctx, "title", json_object_new_string(title));
	json_object_object_add(ctx, "description", json_object_new_string(description));
	if (q != NULL)
		json_object_object_add(ctx, "q", json_object_new_string(q));
	store_account_layout(req, res, ctx);
	/* the header's mini-cart: one Redis call, 0 when Redis is down */
	json_object_object_add(ctx, "cart_count", json_object_new_int64(cart_count_of(req)));
	return view_render(req, res, status, name, ctx, e);
}
