/*
 * store_form.h — what the storefront's form pages share (store_form.c):
 * flash messages, safe ?next= paths, redirect-after-POST, reading fields,
 * and the context a refused form is re-displayed with.  Used by
 * store_signin.c (sign in, register, passwords, sign out) and
 * store_account.c (the account pages).
 */
#ifndef ECOM_STORE_FORM_H
#define ECOM_STORE_FORM_H

#include <stdbool.h>
#include "store.h"

#define NEXT_MAX	512		/* bytes of a ?next= path */
#define PASSWORD_HINT	"15 or more characters recommended."

/* Flash message by code (a fixed sentence of store_form.c), shown once by
 * the next page. */
void form_flash_set(request *req, response *res, const char *code);
const char *form_flash_take(request *req, response *res);
/* s if it is a local path ("/account", never "//host" or a URL), else NULL. */
const char *form_local_path(const char *s);
/* 303 to `to`, with an optional flash code; always E_OK. */
ecode form_see_other(request *req, response *res, const char *to, const char *flash, error *e);
json_object *form_jstr(const char *s);		/* a JSON string, "" for NULL */
const char *form_val(const request *req, const char *key);	/* trimmed field or "" */
const char *form_opt(const request *req, const char *key);	/* field or NULL if absent */
/* {field: message} of a validation error, and the sent values of keys. */
json_object *form_errors_json(const error *err);
json_object *form_values_json(const request *req, const char *const *keys);
/* The context every form page starts from (csrf token, flash). */
json_object *form_ctx(request *req, response *res, error *e);
/* The status a refused form comes back with (and sets it on res). */
int form_refusal_status(response *res, const error *err);
/* Whether a domain refusal is shown on the form (else the error page). */
bool form_shown(ecode rc);
const char *form_field_message(const error *err, const char *name);

#endif
