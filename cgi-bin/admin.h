/*
 * admin.h — the admin panel responder's shared pieces (cgi-bin/admin*.c).
 *
 * Pages: the dashboard (admin.c), sign-in with its code step, sign-out and
 * TOTP enrolment (admin_login.c), user management (admin_users.c).  Every
 * page is a plain link or form, so the panel works without JavaScript, and
 * every form carries the CSRF token.
 *
 * Every page but the sign-in ones starts with admin_begin(): it loads the
 * signed-in admin and, while the 2FA policy is not met (ECOM_ADMIN_2FA=
 * required and no TOTP yet), answers with a redirect to /admin/2fa/enrol
 * instead of the page.  The account is read from the database on every
 * page rather than trusted from the token, so a demoted or deactivated
 * admin loses the panel at once, not when the access token expires.
 */
#ifndef ECOM_ADMIN_H
#define ECOM_ADMIN_H

#include <stdbool.h>

#include "core/app.h"
#include "core/json.h"
#include "core/view.h"
#include "user/user.h"

#define ADMIN_PAGE_SIZE   25
#define ADMIN_ENROL_URL   "/admin/2fa/enrol"
#define ADMIN_FLASH_COOKIE "admin_flash"

/* Shared by the admin pages (admin.c). */
/* 303 to url after a POST; E_INTERNAL if the location is refused. */
ecode admin_see_other(response *res, const char *url, error *e);
/* 303 after a POST that did something to one item: to base/<id>?done=<done>
 * (id url-encoded), the item's page, which then says what was done. */
ecode admin_see_done(request *req, response *res, const char *base, const char *id,
    const char *done, error *e);
/*
 * How a POST action on the item base/<id> ends once the domain answered
 * rc (its problem in le).  Done (*status 0, the ecode to return): on
 * success admin_see_done(base, id, done); a refusal the item's page does
 * not show (shown false) is le as the error page.  Otherwise *status is
 * the status to show the item's page again with le.
 */
ecode admin_action_outcome(request *req, response *res, ecode rc, const error *le, bool shown,
    const char *base, const char *id, const char *done, int *status, error *e);
void  admin_put_str(json_object *o, const char *k, const char *v);	/* NULL -> "" */
/* Always present, false included: a list wrapped in {{#rows.0}} has its
 * first row on the context stack, and a missing key would be looked up
 * there instead (a row would show the first row's flag). */
void  admin_put_flag(json_object *o, const char *k, bool v);
/* Copy src's field messages into dst; a field dst already names keeps its
 * own (the form's "not a number" beats the domain's "is required"). */
void  admin_take_fields(error *dst, const error *src);
/* Query parameter key, a day "2026-11-24", as Unix seconds at 00:00 UTC
 * (the next day's when end, so a range includes its last day); 0 when
 * empty.  Anything else is E_INVALID_PARAMETER naming key. */
ecode admin_day_param(request *req, const char *key, bool end, int64_t *out, error *e);
/* Query parameter "page" (1 when absent) into pg->page, and pg->offset
 * from it and pg->per_page; anything else is E_INVALID_PARAMETER. */
ecode admin_page_param(request *req, page *pg, error *e);
/* base with the query parameters keys (NULL-terminated) that are set and
 * not empty, url-encoded: a list's URL with its filters, for its links. */
const char *admin_list_url(request *req, const char *base, const char *const *keys);
/* s, or NULL when it is NULL or empty (an empty filter field). */
const char *admin_nonempty(const char *s);

ecode h_dashboard(request *req, response *res, error *e);
ecode h_login_form(request *req, response *res, error *e);
ecode h_login(request *req, response *res, error *e);
ecode h_login_otp_form(request *req, response *res, error *e);
ecode h_login_otp(request *req, response *res, error *e);
ecode h_logout(request *req, response *res, error *e);
ecode h_enrol_form(request *req, response *res, error *e);
ecode h_enrol(request *req, response *res, error *e);
ecode h_users(request *req, response *res, error *e);
ecode h_user(request *req, response *res, error *e);
ecode h_user_update(request *req, response *res, error *e);
/* admin_inventory.c */
ecode h_inventory(request *req, response *res, error *e);
ecode h_low_stock(request *req, response *res, error *e);
ecode h_inventory_item(request *req, response *res, error *e);
ecode h_inventory_adjust(request *req, response *res, error *e);
ecode h_warehouses(request *req, response *res, error *e);
ecode h_warehouse_create(request *req, response *res, error *e);
ecode h_warehouse_update(request *req, response *res, error *e);
/* The low-stock rows of page pg as template rows (product and variant
 * named through the catalog), and how many there are in all. */
ecode admin_low_stock_rows(request *req, const page *pg, json_object **rows, int64_t *total,
    error *e);
/* admin_catalog_io.c */
ecode h_catalog_io(request *req, response *res, error *e);
ecode h_catalog_export(request *req, response *res, error *e);
/* admin_dashboard.c: the dashboard's figures and charts, added to ctx. */
ecode admin_dashboard_figures(request *req, json_object *ctx, error *e);
/* admin_campaigns.c */
ecode h_campaigns(request *req, response *res, error *e);
ecode h_campaign_new(request *req, response *res, error *e);
ecode h_campaign_create(request *req, response *res, error *e);
ecode h_campaign(request *req, response *res, error *e);
ecode h_campaign_update(request *req, response *res, error *e);
ecode h_campaign_pause(request *req, response *res, error *e);
ecode h_campaign_rule_add(request *req, response *res, error *e);
ecode h_campaign_rule_delete(request *req, response *res, error *e);
/* admin_orders.c */
ecode h_orders(request *req, response *res, error *e);
ecode h_order(request *req, response *res, error *e);
ecode h_order_status(request *req, response *res, error *e);
ecode h_order_refund(request *req, response *res, error *e);
ecode h_order_note(request *req, response *res, error *e);
ecode h_order_invoice(request *req, response *res, error *e);
/* admin_audit.c */
ecode h_audit(request *req, response *res, error *e);
ecode h_audit_entry(request *req, response *res, error *e);
/* admin_events.c */
ecode h_events(request *req, response *res, error *e);
ecode h_event(request *req, response *res, error *e);
ecode h_event_replay(request *req, response *res, error *e);
/* admin_mail.c */
ecode h_mail(request *req, response *res, error *e);
ecode h_mail_message(request *req, response *res, error *e);
ecode h_mail_retry(request *req, response *res, error *e);
ecode h_mail_templates(request *req, response *res, error *e);
ecode h_mail_template(request *req, response *res, error *e);
ecode h_mail_template_save(request *req, response *res, error *e);
ecode h_mail_template_reset(request *req, response *res, error *e);
/* admin_search_terms.c */
ecode h_search_terms(request *req, response *res, error *e);
ecode h_search_terms_csv(request *req, response *res, error *e);
/* admin_settings.c */
ecode h_settings(request *req, response *res, error *e);
ecode h_settings_update(request *req, response *res, error *e);

/*
 * The signed-in admin into *me.  When the page must not be shown because
 * enrolment is pending (and allow_enrol is false), a 303 to the enrolment
 * page is already in res and *done is true: the handler returns E_OK.
 */
ecode admin_begin(request *req, response *res, bool allow_enrol, user *me, bool *done,
    error *e);

/*
 * admin_begin for the pages a seller may use too (their own products):
 * an active seller or admin, 2FA policy met.
 */
ecode admin_begin_seller(request *req, response *res, user *me, bool *done, error *e);
/* Where a signed-in seller goes: next when it is under /admin/products,
 * else /admin/products (the rest of the panel is the admins'). */
const char *admin_seller_next(const char *next);

/*
 * 303 to url with a flash message shown once by the next admin page:
 * code is one of the fixed sentences of admin.c (a cookie, so the URL
 * stays clean and a reload does not show it again).
 */
ecode admin_flash(request *req, response *res, const char *url, const char *code, error *e);

/*
 * Render templates/<name> in the admin layout with ctx (consumed): adds
 * the signed-in admin (me may be NULL on the sign-in pages), the CSRF
 * token, the title, and the no-store / noindex headers.
 */
ecode admin_render(request *req, response *res, int status, const char *name,
    json_object *ctx, const user *me, const char *title, error *e);

/* A "next" target that is safe to redirect to: a path under /admin made of
 * URL-safe bytes, else "/admin". */
const char *admin_safe_next(const char *next);

/* Field problems of e as {"<field>": "message", ...} for the templates. */
json_object *admin_field_errors(const error *e);

/* "24 Nov 2026 06:45 UTC", or "never" for 0. */
const char *admin_time(arena *a, int64_t t);

#endif
