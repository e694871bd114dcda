/*
 * store.h — the storefront responder's shared pieces (cgi-bin/store*.c).
 *
 * Each page lives in its own file (home, category, product, search); they
 * share the navigation cache, the product-card builders and
 * store_render(), which adds the layout's context (navigation, search box,
 * title, description) and renders through the template engine.
 */
#ifndef ECOM_STORE_H
#define ECOM_STORE_H

#include "core/app.h"
#include "core/json.h"
#include "core/view.h"
#include "media/media.h"
#include "product/product.h"

#define STORE_PAGE_SIZE 24

ecode h_home(request *req, response *res, error *e);
ecode h_category(request *req, response *res, error *e);
ecode h_product(request *req, response *res, error *e);
ecode h_search(request *req, response *res, error *e);
/* The product page of slug (?variant= chosen, may be NULL) with status;
 * form (borrowed, may be NULL) is a refused back-in-stock form:
 * {email, errors{email}, error}. */
ecode store_product_page(request *req, response *res, const char *slug, const char *chosen,
    json_object *form, int status, error *e);

/* Back-in-stock alerts (store_restock.c): the product page's form, and
 * the unsubscribe link's page and its button. */
ecode h_restock_subscribe(request *req, response *res, error *e);
ecode h_restock_unsubscribe_form(request *req, response *res, error *e);
ecode h_restock_unsubscribe(request *req, response *res, error *e);

/* Accounts (store_account.c): sign in/out, registration, passwords, e-mail
 * verification, the account pages, two-step sign-in and the wishlist. */
ecode h_login_form(request *req, response *res, error *e);
ecode h_login(request *req, response *res, error *e);
ecode h_register_form(request *req, response *res, error *e);
ecode h_register(request *req, response *res, error *e);
ecode h_forgot_form(request *req, response *res, error *e);
ecode h_forgot(request *req, response *res, error *e);
ecode h_reset_form(request *req, response *res, error *e);
ecode h_reset(request *req, response *res, error *e);
ecode h_verify_email(request *req, response *res, error *e);
ecode h_logout(request *req, response *res, error *e);
ecode h_account(request *req, response *res, error *e);
ecode h_account_profile(request *req, response *res, error *e);
ecode h_account_password(request *req, response *res, error *e);
ecode h_account_verification(request *req, response *res, error *e);
ecode h_address_create(request *req, response *res, error *e);
ecode h_address_update(request *req, response *res, error *e);
ecode h_address_delete(request *req, response *res, error *e);
ecode h_account_2fa(request *req, response *res, error *e);
ecode h_2fa_setup(request *req, response *res, error *e);
ecode h_2fa_confirm(request *req, response *res, error *e);
ecode h_2fa_disable(request *req, response *res, error *e);
ecode h_wishlist(request *req, response *res, error *e);
ecode h_wishlist_add(request *req, response *res, error *e);
ecode h_wishlist_remove(request *req, response *res, error *e);

/* The cart (store_cart.c): the page and its forms. */
ecode h_cart(request *req, response *res, error *e);
ecode h_cart_add(request *req, response *res, error *e);
ecode h_cart_update(request *req, response *res, error *e);
ecode h_cart_coupon(request *req, response *res, error *e);
ecode h_cart_coupon_remove(request *req, response *res, error *e);

/* Orders (store_orders.c): confirmation/detail (owner or guest link),
 * invoice, the owner's cancel form, the account's order history. */
ecode h_order(request *req, response *res, error *e);
ecode h_order_invoice(request *req, response *res, error *e);
ecode h_order_cancel(request *req, response *res, error *e);
ecode h_account_orders(request *req, response *res, error *e);
/* Checkout (store_checkout.c): the form steps and "Place order". */
ecode h_checkout(request *req, response *res, error *e);
ecode h_checkout_address(request *req, response *res, error *e);
ecode h_checkout_shipping(request *req, response *res, error *e);
ecode h_checkout_payment(request *req, response *res, error *e);
ecode h_checkout_place(request *req, response *res, error *e);

/* The layout's account part: the pending flash message (consumed), and
 * for a signed-in visitor {account: {email, csrf}} for the header's
 * "Account" link and sign-out form. */
void store_account_layout(request *req, response *res, json_object *ctx);

/*
 * The category tree and brand list as template values, loaded once per
 * process and refreshed after ECOM_CACHE_TTL seconds (every page needs
 * the navigation; it changes rarely).  Borrowed references: take a
 * json_object_get() before adding them to a context.
 */
typedef struct store_nav {
	json_object *roots;	/* [{id, slug, name, url, image_url, description, children[]}] */
	json_object *by_slug;	/* slug -> the same node objects, with "parent" slug */
	json_object *brands;	/* [{id, slug, name}] by name */
} store_nav;

ecode store_nav_get(request *req, const store_nav **out, error *e);

/* A product card: name, url, price text, data-price cents, image, rating. */
/* The sizes attribute of a listing card's image and of a product page's. */
#define STORE_CARD_SIZES "(max-width: 40em) 50vw, 16em"
#define STORE_MAIN_SIZES "(max-width: 50em) 100vw, 36em"
#define STORE_THUMB_SIZES "(max-width: 50em) 33vw, 12em"
/* For an image from the media library: src, width and height of its
 * largest JPEG, srcset (JPEG) and webp (WebP srcset) and sizes, into im.
 * An image by URL, or a media id no longer there, keeps what im has. */
void store_image_srcset(arena *a, json_object *im, const char *media_id, const char *sizes);
/* The same for an image known by its URL only (search hits, cart lines):
 * an uploaded image's URL finds its item; any other URL stays src alone. */
void store_image_srcset_url(arena *a, json_object *im, const char *url, const char *sizes);
/* The same from a srcset already read (media_srcsets_of_owners). */
void store_image_put_srcset(json_object *im, const media_srcset *ss, const char *sizes);
/* The srcsets of the first uploads of owner_type's ids[0..n) in one query
 * (at most MEDIA_BATCH_MAX; any more are not looked up); found[i] says
 * which have one.  NULL when out of memory; a failed lookup is logged and
 * finds nothing: a page shows its pictures' plain URLs rather than fail. */
media_srcset *store_pictures(arena *a, const char *owner_type, const char *const *ids,
    size_t n, bool **found);
/* A category tile's image: a fifth of the page, half of a phone's. */
#define STORE_TILE_SIZES "(max-width: 40em) 50vw, 15em"
/* Category tiles [{name, url, image}] of navigation nodes, their pictures
 * read in one query. */
json_object *store_tiles(arena *a, json_object *nodes);
json_object *store_card(arena *a, const product_summary *p);
json_object *store_cards(arena *a, const product_summary *v, size_t n);

/* Previous/next/numbered page links for `base` (a path plus "?k=v&..." of
 * the current filters, without page). */

/* Display price of minor units in the shop's currency. */
const char *store_money(arena *a, int64_t minor, const char *currency);

/* Render `name` with the layout context added; ctx is consumed. */
ecode store_render(request *req, response *res, const char *name, json_object *ctx,
    const char *title, const char *description, error *e);
/* The same with another status (a form shown again with its errors). */
ecode store_render_status(request *req, response *res, int status, const char *name,
    json_object *ctx, const char *title, const char *description, error *e);

#endif
