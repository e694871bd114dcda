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

/* ---------------------------------------------------------------- store */
{ "store", "GET", "/", "/", ALL(200) },
{ "store", "GET", "/c/{slug}", "/c/{cslug}", ALL(200) },
{ "store", "GET", "/p/{slug}", "/p/{pslug}", ALL(200) },
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
{ "admin", "GET", "/admin/login", "/admin/login", { 200, 200, 200, 200, 303 } },
{ "admin", "POST", "/admin/login", "/admin/login", { 403, 400, 400, 400, 400 } },
{ "admin", "GET", "/admin/login/code", "/admin/login/code", ALL(303) },
{ "admin", "POST", "/admin/login/code", "/admin/login/code", { 403, 401, 401, 401, 401 } },
{ "admin", "GET", "/admin/2fa/enrol", "/admin/2fa/enrol", { 303, 403, 403, 403, 303 } },
{ "admin", "POST", "/admin/2fa/enrol", "/admin/2fa/enrol", { 401, 403, 403, 403, 303 } },
{ "admin", "GET", "/admin/users", "/admin/users", { 303, 403, 403, 403, 200 } },
{ "admin", "GET", "/admin/users/{id}", "/admin/users/{user_a}", { 303, 403, 403, 403, 200 } },
{ "admin", "POST", "/admin/users/{id}", "/admin/users/{user_a}", { 401, 403, 403, 403, 200 } },
/* ---------------------------------------------------------------- last: sign-outs
 * (run with tokens outside the matrix's sessions, see check_authz.c) */
{ "users", "POST", "/api/v1/auth/logout", "/api/v1/auth/logout", { 401, 200, 200, 200, 200 } },
{ "store", "POST", "/logout", "/logout", { 403, 303, 303, 303, 303 } },
{ "admin", "POST", "/admin/logout", "/admin/logout", { 401, 403, 403, 403, 303 } },
