/*
 * admin_reviews.c — /admin/reviews (admins only): review moderation.
 *
 * The list shows reviews of every product, newest first, filtered by
 * status; each row has the buttons for the moves it can make (publish,
 * hold as pending, reject).  Every move is reversible, so none needs a
 * confirmation page.  Only published reviews show in the shop and count
 * in a product's rating (the catalog's trigger keeps the summary in step
 * with the status).
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "admin.h"
#include "admin_catalog.h"

#define REVIEWS_URL  "/admin/reviews"
#define EXCERPT_MAX  280	/* bytes of a review body in the list */

static const char *const review_states[] = { "pending", "published", "rejected" };

static const char *
excerpt(request *req, const char *s)
{
	size_t n = strlen(s);

	if (n <= EXCERPT_MAX)
		return s;
	/* cut on a UTF-8 boundary */
	for (n = EXCERPT_MAX; n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
		;
	return arena_printf(req->a, "%.*s…", (int)n, s);
}

ecode
h_reviews(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *status = req_query(req, "status"), **names;
	const char *back = REVIEWS_URL;
	page pg = { 1, ADMIN_PAGE_SIZE, 0 };
	json_object *ctx, *rows, *opts;
	review_page rp = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (status != NULL && status[0] == '\0')
		status = NULL;
	if ((rc = admin_page_param(req, &pg, e)) != E_OK)
		return rc;
	if ((rc = review_moderation_list(req->a, &who, status, &pg, &rp, &names, e)) != E_OK)
		return rc;
	if (status != NULL)
		back = arena_printf(req->a, REVIEWS_URL "?status=%s", status);
	if (pg.page > 1)
		back = arena_printf(req->a, "%s%cpage=%lld", back, status != NULL ? '&' : '?',
		    (long long)pg.page);
	ctx = json_object_new_object();
	rows = json_object_new_array();
	for (size_t i = 0; i < rp.n; i++) {
		const review *r = &rp.items[i];
		json_object *o = json_object_new_object(), *moves = json_object_new_array();

		admin_put_str(o, "product", names[i]);
		admin_put_str(o, "product_url", arena_printf(req->a, "/admin/products/%s", r->product_id));
		json_object_object_add(o, "rating", json_object_new_int(r->rating));
		admin_put_str(o, "review_title", r->title);
		admin_put_str(o, "body", excerpt(req, r->body));
		admin_put_str(o, "status", r->status);
		admin_put_str(o, "when", admin_time(req->a, r->created_at));
		admin_put_str(o, "action", arena_printf(req->a, REVIEWS_URL "/%s/status", r->id));
		for (size_t k = 0; k < sizeof review_states / sizeof review_states[0]; k++) {
			json_object *m;

			if (strcmp(r->status, review_states[k]) == 0)
				continue;
			m = json_object_new_object();
			admin_put_str(m, "value", review_states[k]);
			admin_put_str(m, "label", k == 0 ? "Hold" : k == 1 ? "Publish" : "Reject");
			json_object_array_add(moves, m);
		}
		json_object_object_add(o, "moves", moves);
		json_object_array_add(rows, o);
	}
	json_object_object_add(ctx, "rows", rows);
	json_object_object_add(ctx, "total", json_object_new_int64(rp.total));
	opts = json_object_new_array();
	for (size_t k = 0; k < sizeof review_states / sizeof review_states[0]; k++) {
		json_object *o = json_object_new_object();

		admin_put_str(o, "value", review_states[k]);
		admin_put_flag(o, "selected", status != NULL && strcmp(status, review_states[k]) == 0);
		json_object_array_add(opts, o);
	}
	json_object_object_add(ctx, "statuses", opts);
	admin_put_str(ctx, "back", back);
	json_object_object_add(ctx, "pagination", view_pagination(req->a, status != NULL ?
	    arena_printf(req->a, REVIEWS_URL "?status=%s", status) : REVIEWS_URL, &pg, rp.total));
	json_object_object_add(ctx, "crumbs", admin_crumb(json_object_new_array(), "Reviews", NULL));
	return admin_render(req, res, 200, "admin/reviews", ctx, &me, "Reviews", e);
}

/* POST status=published|pending|rejected, back=<the list's URL>. */
ecode
h_review_status(request *req, response *res, error *e)
{
	catalog_actor who = catalog_actor_of(req);
	const char *status = req_form(req, "status");
	const char *back = admin_safe_next(req_form(req, "back"));
	review out = { 0 };
	user me;
	bool done;
	ecode rc;

	if ((rc = admin_begin(req, res, false, &me, &done, e)) != E_OK || done)
		return rc;
	if (strncmp(back, REVIEWS_URL, strlen(REVIEWS_URL)) != 0)
		back = REVIEWS_URL;
	if ((rc = review_set_status(req->a, &who, req_param(req, "id"), status, &out, e)) != E_OK)
		return rc;
	return admin_flash(req, res, back, strcmp(out.status, "published") == 0 ?
	    "review-published" : strcmp(out.status, "rejected") == 0 ? "review-rejected" :
	    "review-held", e);
}
