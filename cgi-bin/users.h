/*
 * users.h — the handlers of the accounts responder (cgi-bin/users*.c).
 *
 * Each handler reads its JSON body or query, calls lib/user and renders
 * the api-v1 envelope; the gates (route, body, auth, role, rate limit)
 * already ran from the route table in users.c.  On failure a handler
 * returns the code of the error it filled and app_main renders the JSON
 * error envelope.
 */
#ifndef ECOM_CGI_USERS_H
#define ECOM_CGI_USERS_H

#include "core/app.h"
#include "core/json.h"
#include "user/user.h"

/* users_auth.c: /api/v1/auth/... and the 2FA routes under /users/me/2fa */
ecode h_register(request *req, response *res, error *e);
ecode h_login(request *req, response *res, error *e);
ecode h_refresh(request *req, response *res, error *e);
ecode h_logout(request *req, response *res, error *e);
ecode h_forgot_password(request *req, response *res, error *e);
ecode h_reset_password(request *req, response *res, error *e);
ecode h_change_password(request *req, response *res, error *e);
ecode h_verify_email(request *req, response *res, error *e);
ecode h_2fa_setup(request *req, response *res, error *e);
ecode h_2fa_confirm(request *req, response *res, error *e);
ecode h_2fa_disable(request *req, response *res, error *e);

/* users_me.c: the caller's profile, addresses and wishlist; admin users */
ecode h_me_get(request *req, response *res, error *e);
ecode h_me_update(request *req, response *res, error *e);
ecode h_address_list(request *req, response *res, error *e);
ecode h_address_create(request *req, response *res, error *e);
ecode h_address_update(request *req, response *res, error *e);
ecode h_address_delete(request *req, response *res, error *e);
ecode h_wishlist_list(request *req, response *res, error *e);
ecode h_wishlist_get(request *req, response *res, error *e);
ecode h_wishlist_add(request *req, response *res, error *e);
ecode h_wishlist_remove(request *req, response *res, error *e);
ecode h_user_list(request *req, response *res, error *e);
ecode h_user_get(request *req, response *res, error *e);
ecode h_user_update(request *req, response *res, error *e);

/* Shared by the handler files (users.c). */

/* Reply {"data": v} with status; a NULL v (json-c out of memory) is a 500. */
ecode users_reply(request *req, response *res, int status, json_object *v, error *e);
/* Reply {"data":{key: value}} — the small acknowledgements. */
ecode users_reply_msg(request *req, response *res, const char *key, const char *value,
    error *e);
/* The body must be a JSON object: E_OK, or E_INVALID_INPUT saying so. */
ecode users_body(const request *req, error *e);

/* For the routes whose body is optional (BODY_RAW): none is fine; one is
 * parsed into req->json and must be a JSON object sent as
 * application/json (else 415 / 400). */
ecode users_optional_body(request *req, error *e);

/*
 * Read the string field `key` of the request's JSON object into *out
 * (left NULL when absent or null).  A value that is not a string, holds
 * NUL or is longer than max characters adds a field error; so does an
 * absent, null or empty value when `required`.  Field errors accumulate in
 * e (the code becomes E_VALIDATION) so one 400 lists every bad field;
 * callers check e->code once after reading all fields.
 */
void users_str(const request *req, const char *key, size_t max, bool required,
    const char **out, error *e);

#endif
