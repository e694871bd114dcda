/*
 * page.c — ?page= and ?per_page= with the bounds of api-v1.md (page.h).
 */
#include "http.h"
#include "page.h"
#include "parse.h"

ecode
page_from_query(const struct request *r, page *out, error *e)
{
	const char *p = req_query(r, "page"), *pp = req_query(r, "per_page");

	out->page = 1;
	out->per_page = PAGE_DEFAULT_SIZE;
	if (p != NULL && parse_i64(p, 1, PAGE_MAX_PAGE, &out->page) != 0)
		return err_set(e, E_INVALID_PARAMETER,
		    "page must be an integer between 1 and %d", PAGE_MAX_PAGE);
	if (pp != NULL && parse_i64(pp, 1, PAGE_MAX_SIZE, &out->per_page) != 0)
		return err_set(e, E_INVALID_PARAMETER,
		    "per_page must be an integer between 1 and %d", PAGE_MAX_SIZE);
	out->offset = (out->page - 1) * out->per_page;
	return E_OK;
}

int64_t
page_total_pages(const page *p, int64_t total)
{
	return total <= 0 ? 0 : (total + p->per_page - 1) / p->per_page;
}
