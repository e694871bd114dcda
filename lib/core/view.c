/*
 * view.c — HTML pages from the template set (view.h).
 *
 * Templates compile on first use and stay cached for the life of the
 * process.  Every page gets the same "site" object, so layouts never need
 * a handler's help to print the store name, asset URLs or the canonical
 * link.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "page.h"
#include "site.h"
#include "view.h"

static tmpl_set *templates;

int
view_init(void)
{
	if (templates != NULL)
		return 0;
	templates = tmpl_set_new_dir(cfg->template_dir);
	if (templates == NULL) {
		log_msg(LOG_ERROR, "cannot use template directory %s", cfg->template_dir);
		return -1;
	}
	return 0;
}

tmpl_set *
view_templates(void)
{
	return templates;
}

static json_object *
site_context(const request *req)
{
	json_object *site = json_object_new_object();
	char canonical[2048 + 256];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(canonical, sizeof canonical, "%s%s", cfg->base_url, req->path);
	json_object_object_add(site, "name", json_object_new_string(site_store_name()));
	if (*site_contact_email())	/* absent rather than "": the footer's section test */
		json_object_object_add(site, "contact_email",
		    json_object_new_string(site_contact_email()));
	json_object_object_add(site, "static_url", json_object_new_string(cfg->static_url));
	json_object_object_add(site, "media_url", json_object_new_string(cfg->media_url));
	json_object_object_add(site, "base_url", json_object_new_string(cfg->base_url));
	json_object_object_add(site, "path", json_object_new_string(req->path));
	json_object_object_add(site, "canonical", json_object_new_string(canonical));
	json_object_object_add(site, "request_id",
	    json_object_new_string(req->request_id != NULL ? req->request_id : ""));
	json_object_object_add(site, "year", json_object_new_int(tm.tm_year + 1900));
	/* <script nonce="{{site.csp_nonce}}">: only scripts carrying this
	 * response's nonce (or served from 'self') run under the CSP */
	json_object_object_add(site, "csp_nonce",
	    json_object_new_string(req->csp_nonce != NULL ? req->csp_nonce : ""));
	return site;
}

ecode
view_render(request *req, response *res, int status, const char *name,
    json_object *ctx, error *e)
{
	char msg[256];
	size_t start = res->body->len;
	int rc;

	if (ctx == NULL)
		ctx = json_object_new_object();
	if (!json_object_object_get_ex(ctx, "site", NULL))
		json_object_object_add(ctx, "site", site_context(req));
	if (!json_object_object_get_ex(ctx, "csp_nonce", NULL))
		json_object_object_add(ctx, "csp_nonce",
		    json_object_new_string(req->csp_nonce != NULL ? req->csp_nonce : ""));
	rc = templates != NULL ? tmpl_render(templates, name, ctx, buf_sink, res->body,
	    msg, sizeof msg) : -1;
	json_object_put(ctx);
	if (rc != 0) {
		res->body->len = start;
		if (templates == NULL)
			snprintf(msg, sizeof msg, "%s", "templates not loaded");
		log_msg(LOG_ERROR, "template %s: %s", name, msg);
		return err_set(e, E_INTERNAL, "page could not be rendered");
	}
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	return E_OK;
}

char *
url_encode(arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc(a, n * 3 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* ------------------------------------------------------------ pagination */

static json_object *
page_link(arena *a, const char *base, int64_t p, const char *label, bool current)
{
	json_object *o = json_object_new_object();
	const char *sep = strchr(base, '?') != NULL ? "&" : "?";

	json_object_object_add(o, "url", json_object_new_string(p == 1 && strchr(base, '?') == NULL ?
	    base : arena_printf(a, "%s%spage=%lld", base, sep, (long long)p)));
	json_object_object_add(o, "label", json_object_new_string(label));
	if (current)
		json_object_object_add(o, "current", json_object_new_boolean(1));
	return o;
}

json_object *
view_pagination(arena *a, const char *base, const page *pg, int64_t total)
{
	int64_t pages = page_total_pages(pg, total), from, to;
	json_object *o, *nums;

	if (pages <= 1)
		return NULL;
	o = json_object_new_object();
	nums = json_object_new_array();
	if (pg->page > 1)
		json_object_object_add(o, "prev", page_link(a, base, pg->page - 1, "Previous", false));
	if (pg->page < pages)
		json_object_object_add(o, "next", page_link(a, base, pg->page + 1, "Next", false));
	from = pg->page - 3 > 1 ? pg->page - 3 : 1;
	to = from + 6 < pages ? from + 6 : pages;
	for (int64_t p = from; p <= to; p++)
		json_object_array_add(nums, page_link(a, base, p,
		    arena_printf(a, "%lld", (long long)p), p == pg->page));
	json_object_object_add(o, "pages", nums);
	json_object_object_add(o, "summary", json_object_new_string(
	    arena_printf(a, "Page %lld of %lld", (long long)pg->page, (long long)pages)));
	return o;
}
