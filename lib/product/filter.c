/*
 * filter.c — the product list's filter, read from a query string.
 *
 * Shared by GET /api/v1/products and the storefront's category and search
 * pages, so both accept the same parameters with the same bounds.  Every
 * bad parameter is reported in one 400 INVALID_PARAMETER with per-field
 * details.
 */
#include <stdio.h>
#include <string.h>

#include "core/parse.h"
#include "core/util.h"
#include "product/internal.h"

void
product_filter_init(product_filter *f)
{
	memset(f, 0, sizeof *f);
	f->pg.page = 1;
	f->pg.per_page = PAGE_DEFAULT_SIZE;
	f->pg.offset = 0;
	f->min_price = -1;
	f->max_price = -1;
	f->sort = SORT_NEWEST;
}

/* A query value, with "" treated as absent (forms send empty fields). */
static const char *
qval(const request *req, const char *key)
{
	const char *v = req_query(req, key);

	return v && *v ? v : NULL;
}

static void
filter_uuid(const request *req, const char *key, const char **out, error *e)
{
	const char *v = qval(req, key);

	if (!v)
		return;
	if (!uuid_valid(v))
		err_field(e, key, "must be a UUID");
	else
		*out = v;
}

static void
filter_price(const request *req, const char *key, int64_t *out, error *e)
{
	const char *v = qval(req, key);

	if (v && parse_i64(v, 0, PRODUCT_PRICE_MAX, out) != 0)
		err_field(e, key, "must be an integer amount in minor units, 0..%lld",
		    (long long)PRODUCT_PRICE_MAX);
}

/* Carry page_from_query's complaint over as a field error, keyed by the
 * parameter its message names ("per_page must be ..."), so it joins the
 * other bad parameters in one answer. */
static void
page_fields(const error *pe, error *e)
{
	static const char *const names[] = { "per_page", "page" };

	for (int i = 0; i < pe->nfields; i++)
		err_field(e, pe->fields[i].name, "%s", pe->fields[i].message);
	if (pe->nfields > 0)
		return;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		size_t n = strlen(names[i]);

		if (strncmp(pe->message, names[i], n) == 0 && pe->message[n] == ' ') {
			err_field(e, names[i], "%s", pe->message + n + 1);
			return;
		}
	}
	err_field(e, "page", "%s", pe->message);
}

ecode
product_filter_from_query(const request *req, product_filter *f, error *e)
{
	const char *v;
	error       pe;

	product_filter_init(f);
	err_clear(&pe);
	if (page_from_query(req, &f->pg, &pe) != E_OK)
		page_fields(&pe, e);
	filter_uuid(req, "category_id", &f->category_id, e);
	filter_uuid(req, "brand_id", &f->brand_id, e);
	if ((v = qval(req, "status")) != NULL) {
		if (product_status_parse(v, &f->status) == 0)
			f->has_status = true;
		else
			err_field(e, "status", "must be draft, published or archived");
	}
	if ((v = qval(req, "search")) != NULL) {
		if (catalog_chars(v) > PRODUCT_SEARCH_MAX)
			err_field(e, "search", "must be at most %d characters",
			    PRODUCT_SEARCH_MAX);
		else
			f->search = v;
	}
	filter_price(req, "min_price", &f->min_price, e);
	filter_price(req, "max_price", &f->max_price, e);
	if (f->min_price >= 0 && f->max_price >= 0 && f->min_price > f->max_price)
		err_field(e, "max_price", "must not be less than min_price");
	if ((v = qval(req, "sort_by")) != NULL && product_sort_parse(v, &f->sort) != 0)
		err_field(e, "sort_by",
		    "must be newest, price_asc, price_desc, name_asc or name_desc");
	if (e->nfields > 0) {
		/* Query parameters are INVALID_PARAMETER (api-v1.md), with the
		 * same per-field details a body gets. */
		e->code = E_INVALID_PARAMETER;
		snprintf(e->message, sizeof e->message, "invalid query parameters");
		return E_INVALID_PARAMETER;
	}
	return E_OK;
}
