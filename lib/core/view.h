/*
 * view.h — HTML pages from templates.
 *
 * The templates directory (ECOM_TEMPLATE_DIR) is compiled lazily into one
 * process-wide tmpl_set.  view_render() adds the site-wide context under
 * "site" (store name, static and media URLs, base URL, canonical path,
 * request id, year) and writes text/html into the response.  Every value
 * reaches HTML through the template engine's escaping; nothing else in the
 * code base writes HTML.
 */
#ifndef ECOM_VIEW_H
#define ECOM_VIEW_H

#include <json-c/json.h>
#include "http.h"
#include "tmpl.h"

int       view_init(void);		/* once per process, after config */
tmpl_set *view_templates(void);

/* Render `name` ("store/product") with ctx (ownership taken) as the body. */
ecode view_render(request *req, response *res, int status, const char *name,
    json_object *ctx, error *e);

/* The shape templates/partials/pagination.mustache reads (prev, next,
 * up to seven page links, "Page P of T"), or NULL for a single page; base
 * is the list's URL with its filters, page= is appended. */
struct page;
json_object *view_pagination(arena *a, const char *base, const struct page *pg, int64_t total);

/* Percent-encode for a URL query value or path segment, from the arena. */
char *url_encode(arena *a, const char *s);

#endif
