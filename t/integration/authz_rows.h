/*
 * authz_rows.h — the rows of the authorization matrix (check_authz.c):
 * { responder, method, route pattern, concrete path,
 *   { anonymous, customer A, customer B, seller, admin } }.
 * {name} in a path is a fixture made by setup_fixtures(); {none} is an id
 * that exists nowhere.  Demo products belong to no seller, so a seller
 * touching one gets 404 like any id they may not see.
 */
#define ALL(s) { s, s, s, s, s }

/* ---------------------------------------------------------------- api */
{ "api", "GET", "/api/v1/health/live", "/api/v1/health/live", ALL(200) },
{ "api", "GET", "/api/v1/health/ready", "/api/v1/health/ready", ALL(200) },
{ "api", "GET", "/health/live", "/health/live", ALL(200) },
{ "api", "GET", "/health/ready", "/health/ready", ALL(200) },

/* ---------------------------------------------------------------- catalog */
{ "catalog", "GET", "/api/v1/products", "/api/v1/products", ALL(200) },
{ "catalog", "POST", "/api/v1/products", "/api/v1/products", { 401, 403, 403, 400, 400 } },
{ "catalog", "GET", "/api/v1/products/{id}", "/api/v1/products/{product}", ALL(200) },
{ "catalog", "PUT", "/api/v1/products/{id}", "/api/v1/products/{product}", { 401, 403, 403, 404, 200 } },
{ "catalog", "DELETE", "/api/v1/products/{id}", "/api/v1/products/{none}", { 401, 403, 403, 404, 404 } },
{ "catalog", "GET", "/api/v1/products/{id}/variants", "/api/v1/products/{product}/variants", ALL(200) },
/* the body is validated before the product is looked up, so an empty one
 * is 400 for any seller; whose product it is cannot be learnt from that */
{ "catalog", "POST", "/api/v1/products/{id}/variants", "/api/v1/products/{product}/variants", { 401, 403, 403, 400, 400 } },
{ "catalog", "GET", "/api/v1/products/{id}/variants/{vid}", "/api/v1/products/{product}/variants/{none}", ALL(404) },
{ "catalog", "PUT", "/api/v1/products/{id}/variants/{vid}", "/api/v1/products/{product}/variants/{none}", { 401, 403, 403, 404, 404 } },
{ "catalog", "DELETE", "/api/v1/products/{id}/variants/{vid}", "/api/v1/products/{product}/variants/{none}", { 401, 403, 403, 404, 404 } },
{ "catalog", "GET", "/api/v1/products/{id}/images", "/api/v1/products/{product}/images", ALL(200) },
{ "catalog", "POST", "/api/v1/products/{id}/images", "/api/v1/products/{product}/images", { 401, 403, 403, 400, 400 } },
{ "catalog", "PUT", "/api/v1/products/{id}/images/{iid}", "/api/v1/products/{product}/images/{none}", { 401, 403, 403, 404, 404 } },
{ "catalog", "DELETE", "/api/v1/products/{id}/images/{iid}", "/api/v1/products/{product}/images/{none}", { 401, 403, 403, 404, 404 } },
{ "catalog", "GET", "/api/v1/products/{id}/reviews", "/api/v1/products/{product}/reviews", ALL(200) },
{ "catalog", "POST", "/api/v1/products/{id}/reviews", "/api/v1/products/{product}/reviews", { 401, 400, 400, 400, 400 } },
{ "catalog", "GET", "/api/v1/categories", "/api/v1/categories", ALL(200) },
{ "catalog", "POST", "/api/v1/categories", "/api/v1/categories", { 401, 403, 403, 403, 400 } },
{ "catalog", "GET", "/api/v1/categories/{id}", "/api/v1/categories/{category}", ALL(200) },
{ "catalog", "PUT", "/api/v1/categories/{id}", "/api/v1/categories/{category}", { 401, 403, 403, 403, 200 } },
{ "catalog", "DELETE", "/api/v1/categories/{id}", "/api/v1/categories/{none}", { 401, 403, 403, 403, 404 } },
{ "catalog", "GET", "/api/v1/brands", "/api/v1/brands", ALL(200) },
{ "catalog", "POST", "/api/v1/brands", "/api/v1/brands", { 401, 403, 403, 403, 400 } },
{ "catalog", "GET", "/api/v1/brands/{id}", "/api/v1/brands/{brand}", ALL(200) },
{ "catalog", "PUT", "/api/v1/brands/{id}", "/api/v1/brands/{brand}", { 401, 403, 403, 403, 200 } },
{ "catalog", "DELETE", "/api/v1/brands/{id}", "/api/v1/brands/{none}", { 401, 403, 403, 403, 404 } },
{ "catalog", "GET", "/api/v1/banners", "/api/v1/banners", ALL(200) },
{ "catalog", "POST", "/api/v1/banners", "/api/v1/banners", { 401, 403, 403, 403, 400 } },
{ "catalog", "GET", "/api/v1/banners/{id}", "/api/v1/banners/{none}", ALL(404) },
{ "catalog", "PUT", "/api/v1/banners/{id}", "/api/v1/banners/{none}", { 401, 403, 403, 403, 404 } },
{ "catalog", "DELETE", "/api/v1/banners/{id}", "/api/v1/banners/{none}", { 401, 403, 403, 403, 404 } },

/* ---------------------------------------------------------------- search */
{ "search", "GET", "/api/v1/search", "/api/v1/search?q=shirt", ALL(200) },
{ "search", "GET", "/api/v1/search/suggest", "/api/v1/search/suggest?q=sh", ALL(200) },
{ "search", "POST", "/api/v1/search/reindex", "/api/v1/search/reindex", { 401, 403, 403, 403, 202 } },

/* ---------------------------------------------------------------- store */
{ "store", "GET", "/", "/", ALL(200) },
{ "store", "GET", "/c/{slug}", "/c/{cslug}", ALL(200) },
{ "store", "GET", "/p/{slug}", "/p/{pslug}", ALL(200) },
/* back-in-stock alerts: a form without its token is refused; an empty
 * one names the missing option; a link without a valid token is 404 */
{ "store", "POST", "/p/{slug}/restock", "/p/{pslug}/restock", { 403, 400, 400, 400, 400 } },
{ "store", "GET", "/restock/unsubscribe", "/restock/unsubscribe", ALL(404) },
{ "store", "POST", "/restock/unsubscribe", "/restock/unsubscribe", { 403, 404, 404, 404, 404 } },
{ "store", "GET", "/search", "/search?q=a", ALL(200) },
/* ---------------------------------------------------------------- accounts (JSON)
 * Public forms answer 400 to an empty body whoever asks; /me routes act on
 * the caller's own data; someone else's address is 404. */
{ "users", "POST", "/api/v1/auth/register", "/api/v1/auth/register", ALL(400) },
{ "users", "POST", "/api/v1/auth/login", "/api/v1/auth/login", ALL(400) },
{ "users", "POST", "/api/v1/auth/refresh", "/api/v1/auth/refresh", ALL(400) },
{ "users", "POST", "/api/v1/auth/forgot-password", "/api/v1/auth/forgot-password", ALL(400) },
{ "users", "POST", "/api/v1/auth/reset-password", "/api/v1/auth/reset-password", ALL(400) },
{ "users", "POST", "/api/v1/auth/change-password", "/api/v1/auth/change-password", { 401, 400, 400, 400, 400 } },
{ "users", "POST", "/api/v1/auth/verify-email", "/api/v1/auth/verify-email", ALL(400) },
{ "users", "GET", "/api/v1/users/me", "/api/v1/users/me", { 401, 200, 200, 200, 200 } },
{ "users", "PUT", "/api/v1/users/me", "/api/v1/users/me", { 401, 200, 200, 200, 200 } },
{ "users", "GET", "/api/v1/users/me/addresses", "/api/v1/users/me/addresses", { 401, 200, 200, 200, 200 } },
{ "users", "POST", "/api/v1/users/me/addresses", "/api/v1/users/me/addresses", { 401, 400, 400, 400, 400 } },
{ "users", "PUT", "/api/v1/users/me/addresses/{id}", "/api/v1/users/me/addresses/{addr_a}", { 401, 200, 404, 404, 404 } },
{ "users", "DELETE", "/api/v1/users/me/addresses/{id}", "/api/v1/users/me/addresses/{none}", { 401, 404, 404, 404, 404 } },
{ "users", "POST", "/api/v1/users/me/2fa/setup", "/api/v1/users/me/2fa/setup", { 401, 200, 200, 200, 409 } },
{ "users", "POST", "/api/v1/users/me/2fa/confirm", "/api/v1/users/me/2fa/confirm", { 401, 400, 400, 400, 400 } },
{ "users", "POST", "/api/v1/users/me/2fa/disable", "/api/v1/users/me/2fa/disable", { 401, 400, 400, 400, 400 } },
{ "users", "GET", "/api/v1/users/wishlist", "/api/v1/users/wishlist", { 401, 200, 200, 200, 200 } },
{ "users", "GET", "/api/v1/users/wishlist/{productId}", "/api/v1/users/wishlist/{product}", { 401, 200, 200, 200, 200 } },
{ "users", "POST", "/api/v1/users/wishlist/{productId}", "/api/v1/users/wishlist/{product}", { 401, 201, 201, 201, 201 } },
{ "users", "DELETE", "/api/v1/users/wishlist/{productId}", "/api/v1/users/wishlist/{none}", { 401, 404, 404, 404, 404 } },
{ "users", "GET", "/api/v1/users", "/api/v1/users", { 401, 403, 403, 403, 200 } },
{ "users", "GET", "/api/v1/users/{id}", "/api/v1/users/{user_a}", { 401, 403, 403, 403, 200 } },
{ "users", "PUT", "/api/v1/users/{id}", "/api/v1/users/{user_a}", { 401, 403, 403, 403, 200 } },
/* ---------------------------------------------------------------- store accounts
 * A guest GET of an account page is sent to /login (303); a guest POST
 * there is 401, and a guest form post without a token is 403 (CSRF).
 * Signed-in callers on /login and /register are sent on to /account. */
{ "store", "GET", "/login", "/login", { 200, 303, 303, 303, 303 } },
{ "store", "POST", "/login", "/login", { 403, 400, 400, 400, 400 } },
{ "store", "GET", "/register", "/register", { 200, 303, 303, 303, 303 } },
{ "store", "POST", "/register", "/register", { 403, 400, 400, 400, 400 } },
{ "store", "GET", "/forgot-password", "/forgot-password", ALL(200) },
{ "store", "POST", "/forgot-password", "/forgot-password", { 403, 400, 400, 400, 400 } },
{ "store", "GET", "/reset-password", "/reset-password", ALL(400) },
{ "store", "POST", "/reset-password", "/reset-password", { 403, 400, 400, 400, 400 } },
{ "store", "GET", "/verify-email", "/verify-email", ALL(400) },
{ "store", "GET", "/account", "/account", { 303, 200, 200, 200, 200 } },
{ "store", "POST", "/account/profile", "/account/profile", { 401, 400, 400, 400, 400 } },
{ "store", "POST", "/account/password", "/account/password", { 401, 400, 400, 400, 400 } },
{ "store", "POST", "/account/verification", "/account/verification", { 401, 303, 303, 303, 303 } },
{ "store", "POST", "/account/addresses", "/account/addresses", { 401, 400, 400, 400, 400 } },
{ "store", "POST", "/account/addresses/{id}", "/account/addresses/{addr_a}", { 401, 303, 404, 404, 404 } },
{ "store", "POST", "/account/addresses/{id}/delete", "/account/addresses/{none}/delete", { 401, 404, 404, 404, 404 } },
{ "store", "GET", "/account/2fa", "/account/2fa", { 303, 200, 200, 200, 200 } },
{ "store", "POST", "/account/2fa/setup", "/account/2fa/setup", { 401, 200, 200, 200, 409 } },
{ "store", "POST", "/account/2fa/confirm", "/account/2fa/confirm", { 401, 400, 400, 400, 400 } },
{ "store", "POST", "/account/2fa/disable", "/account/2fa/disable", { 401, 400, 400, 400, 400 } },
{ "store", "GET", "/account/wishlist", "/account/wishlist", { 303, 200, 200, 200, 200 } },
{ "store", "POST", "/wishlist/{productId}", "/wishlist/{product}", { 401, 303, 303, 303, 303 } },
{ "store", "POST", "/wishlist/{productId}/remove", "/wishlist/{product}/remove", { 401, 303, 303, 303, 303 } },
/* ---------------------------------------------------------------- admin
 * Guests are sent to /admin/login; signed-in non-admins get 403. */
{ "admin", "GET", "/admin", "/admin", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/login", "/admin/login", { 200, 200, 200, 303, 303 } },
{ "admin", "POST", "/admin/login", "/admin/login", { 403, 400, 400, 400, 400 } },
{ "admin", "GET", "/admin/login/code", "/admin/login/code", ALL(303) },
{ "admin", "POST", "/admin/login/code", "/admin/login/code", { 403, 401, 401, 401, 401 } },
{ "admin", "GET", "/admin/2fa/enrol", "/admin/2fa/enrol", { 303, 403, 403, 403, 303 } },
{ "admin", "POST", "/admin/2fa/enrol", "/admin/2fa/enrol", { 401, 403, 403, 403, 303 } },
{ "admin", "GET", "/admin/users", "/admin/users", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/users/{id}", "/admin/users/{user_a}", { 303, 403, 403, 403, 200 } },
{ "admin", "POST", "/admin/users/{id}", "/admin/users/{user_a}", { 401, 403, 403, 403, 200 } },
/* ---------------------------------------------------------------- cart
 * Everyone has a cart (a guest's is the cookie's or X-Cart-ID's), so the
 * same answer for every principal: an empty body is 400, removing a line
 * that is not there is 200 (nothing to do), the forms need their token. */
{ "cart", "GET", "/api/v1/cart", "/api/v1/cart", ALL(200) },
{ "cart", "DELETE", "/api/v1/cart", "/api/v1/cart", ALL(200) },
{ "cart", "POST", "/api/v1/cart/items", "/api/v1/cart/items", ALL(400) },
{ "cart", "PUT", "/api/v1/cart/items/{productId}/{variantId}", "/api/v1/cart/items/{none}/{none}", ALL(400) },
{ "cart", "DELETE", "/api/v1/cart/items/{productId}/{variantId}", "/api/v1/cart/items/{none}/{none}", ALL(200) },
{ "cart", "POST", "/api/v1/cart/coupon", "/api/v1/cart/coupon", ALL(400) },
{ "cart", "DELETE", "/api/v1/cart/coupon", "/api/v1/cart/coupon", ALL(400) },
{ "store", "GET", "/cart", "/cart", ALL(200) },
{ "store", "POST", "/cart/items", "/cart/items", { 403, 400, 400, 400, 400 } },
{ "store", "POST", "/cart/items/{productId}/{variantId}", "/cart/items/{none}/{none}", { 403, 400, 400, 400, 400 } },
{ "store", "POST", "/cart/coupon", "/cart/coupon", { 403, 400, 400, 400, 400 } },
{ "store", "POST", "/cart/coupon/remove", "/cart/coupon/remove", { 403, 400, 400, 400, 400 } },
/* ---------------------------------------------------------------- inventory
 * Admin only, except the public availability check.  An admin's empty body
 * is 400 (the body is validated first); unknown ids are 404, and a
 * variant's movement log is an empty page, not 404 (the log outlives
 * stock rows). */
#define ADMIN_ONLY(s) { 401, 403, 403, 403, s }
{ "inventory", "POST", "/api/v1/inventory", "/api/v1/inventory", ADMIN_ONLY(400) },
{ "inventory", "POST", "/api/v1/inventory/check", "/api/v1/inventory/check", ALL(400) },
{ "inventory", "POST", "/api/v1/inventory/reserve", "/api/v1/inventory/reserve", ADMIN_ONLY(400) },
{ "inventory", "POST", "/api/v1/inventory/release", "/api/v1/inventory/release", ADMIN_ONLY(400) },
{ "inventory", "POST", "/api/v1/inventory/confirm", "/api/v1/inventory/confirm", ADMIN_ONLY(400) },
{ "inventory", "GET", "/api/v1/inventory/low-stock", "/api/v1/inventory/low-stock", ADMIN_ONLY(200) },
{ "inventory", "GET", "/api/v1/inventory/reservations/{id}", "/api/v1/inventory/reservations/{none}", ADMIN_ONLY(404) },
{ "inventory", "GET", "/api/v1/inventory/{pid}/variants/{vid}", "/api/v1/inventory/{product}/variants/{none}", ADMIN_ONLY(404) },
{ "inventory", "PUT", "/api/v1/inventory/{pid}/variants/{vid}", "/api/v1/inventory/{product}/variants/{none}", ADMIN_ONLY(400) },
{ "inventory", "GET", "/api/v1/inventory/{pid}/variants/{vid}/movements", "/api/v1/inventory/{product}/variants/{none}/movements", ADMIN_ONLY(200) },
{ "inventory", "GET", "/api/v1/warehouses", "/api/v1/warehouses", ADMIN_ONLY(200) },
{ "inventory", "POST", "/api/v1/warehouses", "/api/v1/warehouses", ADMIN_ONLY(400) },
{ "inventory", "GET", "/api/v1/warehouses/{id}", "/api/v1/warehouses/{none}", ADMIN_ONLY(404) },
{ "inventory", "PUT", "/api/v1/warehouses/{id}", "/api/v1/warehouses/{none}", ADMIN_ONLY(404) },
#undef ADMIN_ONLY
/* ---------------------------------------------------------------- admin: inventory and campaigns
 * Guests are sent to /admin/login (GET) or refused (POST, no session);
 * signed-in non-admins get 403; an admin's empty form is 400 and every
 * write aims at an id that exists nowhere (404). */
#define ADMIN_PAGE(s) { 303, 403, 403, 403, s }
#define ADMIN_FORM(s) { 401, 403, 403, 403, s }
{ "admin", "GET", "/admin/inventory", "/admin/inventory", ADMIN_PAGE(200) },
{ "admin", "GET", "/admin/inventory/low-stock", "/admin/inventory/low-stock", ADMIN_PAGE(200) },
{ "admin", "GET", "/admin/inventory/{productId}/{variantId}", "/admin/inventory/{product}/{none}", ADMIN_PAGE(404) },
{ "admin", "POST", "/admin/inventory/{productId}/{variantId}", "/admin/inventory/{product}/{none}", ADMIN_FORM(404) },
{ "admin", "GET", "/admin/warehouses", "/admin/warehouses", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/warehouses", "/admin/warehouses", ADMIN_FORM(400) },
{ "admin", "POST", "/admin/warehouses/{id}", "/admin/warehouses/{none}", ADMIN_FORM(404) },
/* ---------------------------------------------------------------- admin: catalog
 * Products are sellers' pages too, for their own products only: a demo
 * product (the shop's own) is 404 to a seller like an id that exists
 * nowhere.  Categories and brands are the admins'. */
#define SELLER_PAGE(s, a) { 303, 403, 403, s, a }
#define SELLER_FORM(s, a) { 401, 403, 403, s, a }
{ "admin", "GET", "/admin/products", "/admin/products", SELLER_PAGE(200, 200) },
{ "admin", "GET", "/admin/products/new", "/admin/products/new", SELLER_PAGE(200, 200) },
{ "admin", "POST", "/admin/products/new", "/admin/products/new", SELLER_FORM(400, 400) },
{ "admin", "GET", "/admin/products/{id}", "/admin/products/{product}", SELLER_PAGE(404, 200) },
{ "admin", "POST", "/admin/products/{id}", "/admin/products/{none}", SELLER_FORM(404, 404) },
{ "admin", "POST", "/admin/products/{id}/status", "/admin/products/{none}/status", SELLER_FORM(404, 404) },
{ "admin", "GET", "/admin/products/{id}/archive", "/admin/products/{product}/archive", SELLER_PAGE(404, 200) },
{ "admin", "POST", "/admin/products/{id}/archive", "/admin/products/{none}/archive", SELLER_FORM(404, 404) },
{ "admin", "POST", "/admin/products/{id}/variants", "/admin/products/{none}/variants", SELLER_FORM(404, 404) },
{ "admin", "GET", "/admin/products/{id}/variants/{vid}", "/admin/products/{product}/variants/{none}", SELLER_PAGE(404, 404) },
{ "admin", "POST", "/admin/products/{id}/variants/{vid}", "/admin/products/{none}/variants/{none}", SELLER_FORM(404, 404) },
{ "admin", "GET", "/admin/products/{id}/variants/{vid}/delete", "/admin/products/{product}/variants/{none}/delete", SELLER_PAGE(404, 404) },
{ "admin", "POST", "/admin/products/{id}/variants/{vid}/delete", "/admin/products/{none}/variants/{none}/delete", SELLER_FORM(404, 404) },
{ "admin", "POST", "/admin/products/{id}/images", "/admin/products/{none}/images", SELLER_FORM(415, 415) },
{ "admin", "POST", "/admin/products/{id}/images/{iid}", "/admin/products/{none}/images/{none}", SELLER_FORM(404, 404) },
{ "admin", "GET", "/admin/products/{id}/images/{iid}/delete", "/admin/products/{product}/images/{none}/delete", SELLER_PAGE(404, 404) },
{ "admin", "POST", "/admin/products/{id}/images/{iid}/delete", "/admin/products/{none}/images/{none}/delete", SELLER_FORM(404, 404) },
{ "admin", "GET", "/admin/categories", "/admin/categories", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/categories", "/admin/categories", ADMIN_FORM(400) },
{ "admin", "GET", "/admin/categories/{id}", "/admin/categories/{category}", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/categories/{id}", "/admin/categories/{none}", ADMIN_FORM(404) },
{ "admin", "POST", "/admin/categories/{id}/move", "/admin/categories/{none}/move", ADMIN_FORM(404) },
{ "admin", "GET", "/admin/categories/{id}/delete", "/admin/categories/{category}/delete", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/categories/{id}/delete", "/admin/categories/{none}/delete", ADMIN_FORM(404) },
{ "admin", "GET", "/admin/brands", "/admin/brands", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/brands", "/admin/brands", ADMIN_FORM(400) },
{ "admin", "GET", "/admin/brands/{id}", "/admin/brands/{brand}", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/brands/{id}", "/admin/brands/{none}", ADMIN_FORM(404) },
{ "admin", "GET", "/admin/brands/{id}/delete", "/admin/brands/{brand}/delete", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/brands/{id}/delete", "/admin/brands/{none}/delete", ADMIN_FORM(404) },
{ "admin", "GET", "/admin/banners", "/admin/banners", ADMIN_PAGE(200) },
/* the banner form carries its picture: multipart, so an admin's
 * url-encoded post is 415 */
{ "admin", "POST", "/admin/banners", "/admin/banners", ADMIN_FORM(415) },
{ "admin", "GET", "/admin/banners/{id}", "/admin/banners/{none}", ADMIN_PAGE(404) },
{ "admin", "POST", "/admin/banners/{id}", "/admin/banners/{none}", ADMIN_FORM(415) },
{ "admin", "GET", "/admin/banners/{id}/delete", "/admin/banners/{none}/delete", ADMIN_PAGE(404) },
{ "admin", "POST", "/admin/banners/{id}/delete", "/admin/banners/{none}/delete", ADMIN_FORM(404) },
{ "admin", "GET", "/admin/reviews", "/admin/reviews", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/reviews/{id}/status", "/admin/reviews/{none}/status", ADMIN_FORM(400) },
#undef SELLER_PAGE
#undef SELLER_FORM
{ "admin", "GET", "/admin/campaigns", "/admin/campaigns", ADMIN_PAGE(200) },
{ "admin", "GET", "/admin/campaigns/new", "/admin/campaigns/new", ADMIN_PAGE(200) },
{ "admin", "POST", "/admin/campaigns/new", "/admin/campaigns/new", ADMIN_FORM(400) },
{ "admin", "GET", "/admin/campaigns/{id}", "/admin/campaigns/{none}", ADMIN_PAGE(404) },
{ "admin", "POST", "/admin/campaigns/{id}", "/admin/campaigns/{none}", ADMIN_FORM(404) },
{ "admin", "POST", "/admin/campaigns/{id}/pause", "/admin/campaigns/{none}/pause", ADMIN_FORM(404) },
{ "admin", "POST", "/admin/campaigns/{id}/stacking-rules", "/admin/campaigns/{none}/stacking-rules", ADMIN_FORM(404) },
{ "admin", "POST", "/admin/campaigns/stacking-rules/{ruleId}/delete", "/admin/campaigns/stacking-rules/{none}/delete", ADMIN_FORM(404) },
#undef ADMIN_PAGE
#undef ADMIN_FORM
/* ---------------------------------------------------------------- campaigns
 * Campaigns carry the coupon codes: admin only.  An admin's empty body is
 * 400 where the body is validated first, unknown ids 404.  Validating
 * codes is public; an empty body is 400 for everyone. */
{ "campaigns", "GET", "/api/v1/campaigns", "/api/v1/campaigns", { 401, 403, 403, 403, 200 } },
{ "campaigns", "POST", "/api/v1/campaigns", "/api/v1/campaigns", { 401, 403, 403, 403, 400 } },
{ "campaigns", "GET", "/api/v1/campaigns/{id}", "/api/v1/campaigns/{none}", { 401, 403, 403, 403, 404 } },
{ "campaigns", "PUT", "/api/v1/campaigns/{id}", "/api/v1/campaigns/{none}", { 401, 403, 403, 403, 404 } },
{ "campaigns", "POST", "/api/v1/campaigns/{id}/deactivate", "/api/v1/campaigns/{none}/deactivate", { 401, 403, 403, 403, 404 } },
{ "campaigns", "POST", "/api/v1/campaigns/{id}/stacking-rules", "/api/v1/campaigns/{none}/stacking-rules", { 401, 403, 403, 403, 400 } },
{ "campaigns", "GET", "/api/v1/campaigns/{id}/stacking-rules", "/api/v1/campaigns/{none}/stacking-rules", { 401, 403, 403, 403, 404 } },
{ "campaigns", "DELETE", "/api/v1/campaigns/stacking-rules/{rid}", "/api/v1/campaigns/stacking-rules/{none}", { 401, 403, 403, 403, 404 } },
{ "campaigns", "POST", "/api/v1/coupons/validate", "/api/v1/coupons/validate", ALL(400) },
{ "campaigns", "POST", "/api/v1/coupons/validate-multiple", "/api/v1/coupons/validate-multiple", ALL(400) },
/* ---------------------------------------------------------------- payments
 * A payment is its owner's or an admin's; anyone else gets 404, so ids
 * cannot be probed (a user's list likewise: only self or an admin; the
 * admin's list of a user without payments is empty).  Refunds are admin
 * only; an empty body is 400 before the id is looked up.  Webhooks are
 * public routes refused without the provider's signature. */
{ "payments", "GET", "/api/v1/payments/{id}", "/api/v1/payments/{none}", { 401, 404, 404, 404, 404 } },
{ "payments", "GET", "/api/v1/payments/checkout/{checkoutId}", "/api/v1/payments/checkout/{none}", { 401, 404, 404, 404, 404 } },
{ "payments", "GET", "/api/v1/payments/user/{userId}", "/api/v1/payments/user/{none}", { 401, 404, 404, 404, 200 } },
{ "payments", "POST", "/api/v1/payments/{id}/refund", "/api/v1/payments/{none}/refund", { 401, 403, 403, 403, 400 } },
{ "payments", "POST", "/api/v1/payments/webhook/{provider}", "/api/v1/payments/webhook/sandbox", ALL(401) },
/* ---------------------------------------------------------------- sandbox
 * The sandbox card processor plays a third party: it has no users, only
 * input checks (400) and unknown authorizations (404).  It refuses to
 * start with ECOM_ENV=prod. */
{ "sandbox", "POST", "/sandbox/v1/authorizations", "/sandbox/v1/authorizations", ALL(400) },
{ "sandbox", "GET", "/sandbox/v1/authorizations", "/sandbox/v1/authorizations", ALL(400) },
{ "sandbox", "POST", "/sandbox/v1/authorizations/{id}/capture", "/sandbox/v1/authorizations/{none}/capture", ALL(400) },
{ "sandbox", "POST", "/sandbox/v1/authorizations/{id}/void", "/sandbox/v1/authorizations/{none}/void", ALL(404) },
{ "sandbox", "POST", "/sandbox/v1/authorizations/{id}/refunds", "/sandbox/v1/authorizations/{none}/refunds", ALL(400) },
{ "sandbox", "GET", "/sandbox/v1/events", "/sandbox/v1/events", ALL(400) },
/* ---------------------------------------------------------------- orders
 * Customers see and cancel their own orders only: anyone else's (or one
 * that does not exist) is 404, so ids cannot be probed; a customer's list
 * is always their own.  Status changes are admin only (an empty body is
 * 400 before the id is looked up).  The store's order pages answer 404 to
 * anyone without the order or its guest link; the admin's need an admin. */
{ "orders", "GET", "/api/v1/orders", "/api/v1/orders", { 401, 200, 200, 200, 200 } },
{ "orders", "GET", "/api/v1/orders/{id}", "/api/v1/orders/{none}", { 401, 404, 404, 404, 404 } },
{ "orders", "PUT", "/api/v1/orders/{id}/status", "/api/v1/orders/{none}/status", { 401, 403, 403, 403, 400 } },
{ "orders", "POST", "/api/v1/orders/{id}/cancel", "/api/v1/orders/{none}/cancel", { 401, 404, 404, 404, 404 } },
{ "store", "GET", "/orders/{number}", "/orders/{none}", ALL(404) },
{ "store", "GET", "/orders/{number}/invoice", "/orders/{none}/invoice", ALL(404) },
{ "store", "POST", "/orders/{number}/cancel", "/orders/{none}/cancel", { 401, 404, 404, 404, 404 } },
{ "store", "GET", "/account/orders", "/account/orders", { 303, 200, 200, 200, 200 } },
{ "admin", "GET", "/admin/catalog/io", "/admin/catalog/io", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/catalog/export.csv", "/admin/catalog/export.csv", { 303, 403, 403, 403, 200 } },
/* a multipart route checks the caller before the body: an admin's form
 * that is not multipart is 415 */
{ "admin", "POST", "/admin/catalog/import", "/admin/catalog/import", { 401, 403, 403, 403, 415 } },
{ "admin", "GET", "/admin/catalog/import/{id}", "/admin/catalog/import/{none}", { 303, 403, 403, 403, 404 } },
{ "admin", "GET", "/admin/orders", "/admin/orders", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/orders/{id}", "/admin/orders/{none}", { 303, 403, 403, 403, 404 } },
{ "admin", "GET", "/admin/orders/{id}/invoice", "/admin/orders/{none}/invoice", { 303, 403, 403, 403, 404 } },
{ "admin", "POST", "/admin/orders/{id}/status", "/admin/orders/{none}/status", { 401, 403, 403, 403, 404 } },
{ "admin", "POST", "/admin/orders/{id}/refund", "/admin/orders/{none}/refund", { 401, 403, 403, 403, 404 } },
{ "admin", "POST", "/admin/orders/{id}/notes", "/admin/orders/{none}/notes", { 401, 403, 403, 403, 404 } },
{ "admin", "GET", "/admin/events", "/admin/events", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/events/{id}", "/admin/events/{none}", { 303, 403, 403, 403, 404 } },
{ "admin", "POST", "/admin/events/{id}/replay", "/admin/events/{none}/replay", { 401, 403, 403, 403, 404 } },
{ "admin", "GET", "/admin/audit", "/admin/audit", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/audit/{id}", "/admin/audit/{none}", { 303, 403, 403, 403, 404 } },
{ "admin", "GET", "/admin/search-terms", "/admin/search-terms", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/search-terms/export.csv", "/admin/search-terms/export.csv", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/mail", "/admin/mail", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/mail/templates", "/admin/mail/templates", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/mail/templates/{name}", "/admin/mail/templates/order-confirmation", { 303, 403, 403, 403, 200 } },
{ "admin", "POST", "/admin/mail/templates/{name}", "/admin/mail/templates/{none}", { 401, 403, 403, 403, 404 } },
{ "admin", "POST", "/admin/mail/templates/{name}/reset", "/admin/mail/templates/{none}/reset", { 401, 403, 403, 403, 404 } },
{ "admin", "GET", "/admin/mail/{id}", "/admin/mail/{none}", { 303, 403, 403, 403, 404 } },
{ "admin", "POST", "/admin/mail/{id}/retry", "/admin/mail/{none}/retry", { 401, 403, 403, 403, 404 } },
/* ---------------------------------------------------------------- notifications
 * A user's own messages, or an admin's view of anyone's; another user's
 * list or message is 404.  Only an admin retries. */
{ "notifications", "GET", "/api/v1/notifications/user/{userId}", "/api/v1/notifications/user/{user_a}", { 401, 200, 404, 404, 200 } },
{ "notifications", "GET", "/api/v1/notifications/{id}", "/api/v1/notifications/{none}", { 401, 404, 404, 404, 404 } },
{ "notifications", "PUT", "/api/v1/notifications/{id}/read", "/api/v1/notifications/{none}/read", { 401, 404, 404, 404, 404 } },
{ "notifications", "POST", "/api/v1/notifications/{id}/retry", "/api/v1/notifications/{none}/retry", { 401, 403, 403, 403, 404 } },
/* ---------------------------------------------------------------- checkout
 * Public at the gate: a checkout belongs to the signed-in user who made it
 * or to whoever holds its guest token, and anyone else gets 404.  An empty
 * body is 400 for everyone (a guest needs an e-mail, these carts are
 * empty; shipping and payment fields are checked before the id). */
{ "checkout", "POST", "/api/v1/checkout", "/api/v1/checkout", ALL(400) },
{ "checkout", "GET", "/api/v1/checkout/{id}", "/api/v1/checkout/{none}", ALL(404) },
{ "checkout", "PUT", "/api/v1/checkout/{id}/shipping", "/api/v1/checkout/{none}/shipping", ALL(400) },
{ "checkout", "PUT", "/api/v1/checkout/{id}/payment", "/api/v1/checkout/{none}/payment", ALL(400) },
{ "checkout", "POST", "/api/v1/checkout/{id}/process", "/api/v1/checkout/{none}/process", ALL(404) },
{ "checkout", "POST", "/api/v1/checkout/{id}/cancel", "/api/v1/checkout/{none}/cancel", ALL(404) },
/* The storefront's checkout forms: a guest's are refused without the
 * CSRF token; an empty address form is 400; the later steps without a
 * checkout of one's own are 404. */
{ "store", "GET", "/checkout", "/checkout", ALL(200) },
{ "store", "POST", "/checkout/address", "/checkout/address", { 403, 400, 400, 400, 400 } },
{ "store", "POST", "/checkout/shipping", "/checkout/shipping", { 403, 404, 404, 404, 404 } },
{ "store", "POST", "/checkout/payment", "/checkout/payment", { 403, 404, 404, 404, 404 } },
{ "store", "POST", "/checkout/place", "/checkout/place", { 403, 404, 404, 404, 404 } },
/* ---------------------------------------------------------------- media
 * The upload's role is checked before its body is read: the matrix's JSON
 * body then reaches only sellers and admins, who get 415 for it. */
{ "media", "POST", "/api/v1/media", "/api/v1/media", { 401, 403, 403, 415, 415 } },
{ "media", "GET", "/api/v1/media/owner/{ownerType}/{ownerId}", "/api/v1/media/owner/product/{product}", ALL(200) },
{ "media", "GET", "/api/v1/media/{id}", "/api/v1/media/{none}", { 401, 403, 403, 404, 404 } },
{ "media", "PUT", "/api/v1/media/{id}", "/api/v1/media/{none}", { 401, 403, 403, 404, 404 } },
{ "media", "DELETE", "/api/v1/media/{id}", "/api/v1/media/{none}", { 401, 403, 403, 404, 404 } },

/* The shop's settings: admins only; an admin's empty form is 400 (the
 * store name is required) and changes nothing. */
{ "admin", "GET", "/admin/settings", "/admin/settings", { 303, 403, 403, 403, 200 } },
{ "admin", "POST", "/admin/settings", "/admin/settings", { 401, 403, 403, 403, 400 } },
/* ---------------------------------------------------------------- last: sign-outs
 * (run with tokens outside the matrix's sessions, see check_authz.c) */
{ "users", "POST", "/api/v1/auth/logout", "/api/v1/auth/logout", { 401, 200, 200, 200, 200 } },
{ "store", "POST", "/logout", "/logout", { 403, 303, 303, 303, 303 } },
/* sellers sign in to the panel for their products, and out of it */
{ "admin", "POST", "/admin/logout", "/admin/logout", { 401, 403, 403, 303, 303 } },
