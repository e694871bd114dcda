/*
 * render.c — an e-mail's parts from templates/email/<kind>.{subject,txt,html}
 * or from the admin's override of a part (notifications.templates), read
 * at every render so a change takes effect without a restart.
 *
 * The subject and the text part render with {{{ }}} (plain text); the
 * HTML part with the engine's escaping.  Any line break in the rendered
 * subject becomes a space, so nothing rendered can add a header (and
 * mime_build refuses one anyway).  An override is compiled without
 * caching (tmpl_render_string); its partials come from the file set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/site.h"
#include "core/log.h"
#include "core/view.h"
#include "notification/internal.h"

const char *const notification_kinds[] = {
	"verify-email", "reset-password", "order-confirmation", "payment-failed",
	"order-shipped", "order-canceled", "order-refunded", "low-stock", "new-order",
	"back-in-stock", NULL
};

bool
render_kind_known(const char *kind)
{
	for (size_t i = 0; kind != NULL && notification_kinds[i] != NULL; i++)
		if (strcmp(kind, notification_kinds[i]) == 0)
			return true;
	return false;
}

void
render_add_site(json_object *ctx)
{
	json_object *site;

	if (json_object_object_get_ex(ctx, "site", NULL) || !(site = json_object_new_object()))
		return;
	json_object_object_add(site, "name", json_object_new_string(site_store_name()));
	json_object_object_add(site, "base_url", json_object_new_string(cfg->base_url));
	json_object_object_add(ctx, "site", site);
}

/* The subject on one line, trimmed; line breaks and tabs become spaces. */
static const char *
flatten(arena *a, const buf *b)
{
	size_t start = 0, n = b->len;
	char *s;

	while (start < n && strchr(" \t\r\n", b->data[start]) != NULL)
		start++;
	while (n > start && strchr(" \t\r\n", b->data[n - 1]) != NULL)
		n--;
	if (!(s = arena_strndup(a, b->data + start, n - start)))
		return NULL;
	for (char *p = s; *p; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

/* One part: the override text when not NULL, else the file. */
static int
render_part(const char *kind, const char *part, const char *override, json_object *ctx,
    buf *b)
{
	char tname[128], msg[256];
	int rc;

	if (view_init() != 0)
		return -1;
	snprintf(tname, sizeof tname, "email/%s.%s", kind, part);
	if (override != NULL)
		rc = tmpl_render_string(view_templates(), override, strlen(override), ctx, buf_sink, b,
		    msg, sizeof msg);
	else
		rc = tmpl_render(view_templates(), tname, ctx, buf_sink, b, msg, sizeof msg);
	if (rc != 0 || b->oom) {
		log_msg(LOG_ERROR, "mail template %s%s: %s", tname, override ? " (override)" : "",
		    b->oom ? "out of memory" : msg);
		return -1;
	}
	return 0;
}

ecode
render_mail(db_conn *c, arena *a, const char *kind, json_object *ctx,
    const char **subject, const char **text, const char **html, error *e)
{
	buf s = BUF_INIT, t = BUF_INIT, h = BUF_INIT;
	const char *os, *ot, *oh;
	int64_t at;
	bool found;
	ecode rc = E_INTERNAL;

	if (nstore_template_get(c, a, kind, &os, &ot, &oh, &at, &found, e) != E_OK)
		return e->code;
	render_add_site(ctx);
	if (render_part(kind, "subject", os, ctx, &s) != 0 ||
	    render_part(kind, "txt", ot, ctx, &t) != 0 ||
	    render_part(kind, "html", oh, ctx, &h) != 0)
		goto out;
	*subject = flatten(a, &s);
	*text = arena_strndup(a, t.data != NULL ? t.data : "", t.len);
	*html = arena_strndup(a, h.data != NULL ? h.data : "", h.len);
	if (*subject && *text && *html)
		rc = E_OK;
out:
	buf_free(&s);
	buf_free(&t);
	buf_free(&h);
	if (rc != E_OK)
		return err_set(e, E_INTERNAL, "the e-mail %s could not be rendered", kind);
	return E_OK;
}

const char *
render_file_part(arena *a, const char *kind, const char *part)
{
	char path[4096];
	FILE *f;
	char *text;
	long n;

	if (!render_kind_known(kind) ||
	    snprintf(path, sizeof path, "%s/email/%s.%s.mustache", cfg->template_dir, kind, part) >=
	    (int)sizeof path || (f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > NOTIFY_TEMPLATE_MAX ||
	    fseek(f, 0, SEEK_SET) != 0 || !(text = arena_alloc(a, (size_t)n + 1)) ||
	    fread(text, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	text[n] = '\0';
	return text;
}

static int
discard(void *sink, const char *data, size_t len)
{
	(void)sink;
	(void)data;
	(void)len;
	return 0;
}

int
render_check(const char *text, char *msg, size_t msglen)
{
	json_object *ctx = json_object_new_object();
	int rc;

	if (ctx == NULL || view_init() != 0) {
		json_object_put(ctx);
		snprintf(msg, msglen, "%s", "templates are not available");
		return -1;
	}
	render_add_site(ctx);
	rc = tmpl_render_string(view_templates(), text, strlen(text), ctx, discard, NULL, msg, msglen);
	json_object_put(ctx);
	return rc;
}
