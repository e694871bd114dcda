/*
 * input_taxonomy.c — JSON bodies of the category, brand and banner writes
 * (admin only), read into their *_input structs and validated, on the same
 * pattern as input.c: types here, rules in *_validate, every bad field
 * reported at once.
 */
#include <string.h>

#include "core/util.h"
#include "product/input.h"

/* A nullable string: null clears (value NULL with the bit set). */
static void
rd_str_null(json_object *o, const char *key, unsigned bit, const char **dst,
    unsigned *set, unsigned *bad, error *e)
{
	switch (input_str(o, key, dst, e)) {
	case JF_NULL:	*dst = NULL; /* FALLTHROUGH */
	case JF_VALUE:	*set |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

/* A string that may not be null (null is "is required"-worthy on create,
 * a type error otherwise). */
static void
rd_str(json_object *o, const char *key, unsigned bit, const char **dst,
    unsigned *set, unsigned *bad, error *e)
{
	switch (input_str(o, key, dst, e)) {
	case JF_VALUE:	*set |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

/* Text that null resets to "". */
static void
rd_text(json_object *o, const char *key, unsigned bit, const char **dst,
    unsigned *set, unsigned *bad, error *e)
{
	switch (input_str(o, key, dst, e)) {
	case JF_NULL:	*dst = ""; /* FALLTHROUGH */
	case JF_VALUE:	*set |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

static void
rd_sort(json_object *o, unsigned bit, int32_t *dst, unsigned *set,
    unsigned *bad, error *e)
{
	int64_t v;

	switch (input_int(o, "sort_order", SORT_ORDER_MIN, SORT_ORDER_MAX, &v, e)) {
	case JF_VALUE:	*dst = (int32_t)v; *set |= bit; break;
	case JF_NULL:	err_field(e, "sort_order", "must not be null"); *bad |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

static void
rd_active(json_object *o, unsigned bit, bool *dst, unsigned *set,
    unsigned *bad, error *e)
{
	switch (jbool(o, "is_active", dst, e)) {
	case JF_VALUE:	*set |= bit; break;
	case JF_NULL:	err_field(e, "is_active", "must not be null"); *bad |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

static void
check_sort(error *e, unsigned set, unsigned bit, int32_t v)
{
	if ((set & bit) && (v < SORT_ORDER_MIN || v > SORT_ORDER_MAX))
		err_field(e, "sort_order", "must be between %d and %d",
		    SORT_ORDER_MIN, SORT_ORDER_MAX);
}

/* ------------------------------------------------------------ categories */

static ecode
category_check(const category_input *in, bool create, unsigned bad, error *e)
{
	require(e, create, in->set, bad, CI_NAME, "name");
	if (in->set & CI_NAME)
		check_text(e, "name", in->name, 1, PRODUCT_NAME_MAX);
	if (in->set & CI_PARENT)
		check_uuid(e, "parent_id", in->parent_id);
	if (in->set & CI_SLUG)
		check_slug(e, in->slug);
	if (in->set & CI_DESCRIPTION)
		check_text(e, "description", in->description, 0, PRODUCT_DESC_MAX);
	if (in->set & CI_IMAGE)
		check_url(e, "image_url", in->image_url);
	if (in->set & CI_ICON)
		check_url(e, "icon_url", in->icon_url);
	check_sort(e, in->set, CI_SORT, in->sort_order);
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
category_input_validate(const category_input *in, bool create, error *e)
{
	return category_check(in, create, 0, e);
}

ecode
category_input_from_json(arena *a, json_object *o, bool create,
    category_input *in, error *e)
{
	unsigned bad = 0;
	int      st;

	(void)a;
	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	rd_str(o, "name", CI_NAME, &in->name, &in->set, &bad, e);
	rd_str(o, "slug", CI_SLUG, &in->slug, &in->set, &bad, e);
	st = juuid(o, "parent_id", &in->parent_id, e);
	if (st == JF_NULL)
		in->parent_id = NULL;
	if (st == JF_VALUE || st == JF_NULL)
		in->set |= CI_PARENT;
	rd_text(o, "description", CI_DESCRIPTION, &in->description, &in->set, &bad, e);
	rd_str_null(o, "image_url", CI_IMAGE, &in->image_url, &in->set, &bad, e);
	rd_str_null(o, "icon_url", CI_ICON, &in->icon_url, &in->set, &bad, e);
	rd_sort(o, CI_SORT, &in->sort_order, &in->set, &bad, e);
	rd_active(o, CI_ACTIVE, &in->is_active, &in->set, &bad, e);
	if (create && !(in->set & CI_ACTIVE))
		in->is_active = true;
	category_check(in, create, bad, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}

/* ------------------------------------------------------------ brands */

static ecode
brand_check(const brand_input *in, bool create, unsigned bad, error *e)
{
	require(e, create, in->set, bad, BI_NAME, "name");
	if (in->set & BI_NAME)
		check_text(e, "name", in->name, 1, PRODUCT_NAME_MAX);
	if (in->set & BI_SLUG)
		check_slug(e, in->slug);
	if (in->set & BI_LOGO)
		check_url(e, "logo_url", in->logo_url);
	if (in->set & BI_DESCRIPTION)
		check_text(e, "description", in->description, 0, PRODUCT_DESC_MAX);
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
brand_input_validate(const brand_input *in, bool create, error *e)
{
	return brand_check(in, create, 0, e);
}

ecode
brand_input_from_json(arena *a, json_object *o, bool create,
    brand_input *in, error *e)
{
	unsigned bad = 0;

	(void)a;
	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	rd_str(o, "name", BI_NAME, &in->name, &in->set, &bad, e);
	rd_str(o, "slug", BI_SLUG, &in->slug, &in->set, &bad, e);
	rd_str_null(o, "logo_url", BI_LOGO, &in->logo_url, &in->set, &bad, e);
	rd_text(o, "description", BI_DESCRIPTION, &in->description, &in->set, &bad, e);
	brand_check(in, create, bad, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}

/* ------------------------------------------------------------ banners */

static const char *const link_types[] = {
	"product", "category", "brand", "page", "external"
};

static bool
link_type_valid(const char *s)
{
	for (size_t i = 0; s && i < sizeof link_types / sizeof link_types[0]; i++)
		if (strcmp(s, link_types[i]) == 0)
			return true;
	return false;
}

static bool
position_valid(const char *s)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		    s[n] == '_' || s[n] == '-') || n >= 32)
			return false;
	return n > 0;
}

static ecode
banner_check(const banner_input *in, bool create, unsigned bad, error *e)
{
	require(e, create, in->set, bad, NI_TITLE, "title");
	require(e, create, in->set, bad, NI_IMAGE, "image_url");
	require(e, create, in->set, bad, NI_LINK_URL, "link_url");
	require(e, create, in->set, bad, NI_LINK_TYPE, "link_type");
	require(e, create, in->set, bad, NI_POSITION, "position");
	if (in->set & NI_TITLE)
		check_text(e, "title", in->title, 1, PRODUCT_NAME_MAX);
	if (in->set & NI_SUBTITLE)
		check_text(e, "subtitle", in->subtitle, 0, 500);
	if (in->set & NI_IMAGE)
		check_url(e, "image_url", in->image_url);
	if (in->set & NI_LINK_URL)
		check_url(e, "link_url", in->link_url);
	if ((in->set & NI_LINK_TYPE) && !link_type_valid(in->link_type))
		err_field(e, "link_type", "must be product, category, brand, page or external");
	if ((in->set & NI_POSITION) && !position_valid(in->position))
		err_field(e, "position", "must be 1 to 32 of a-z 0-9 _ -");
	check_sort(e, in->set, NI_SORT, in->sort_order);
	if ((in->set & NI_STARTS) && (in->set & NI_ENDS) && in->starts_at &&
	    in->ends_at && in->ends_at <= in->starts_at)
		err_field(e, "ends_at", "must be after starts_at");
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
banner_input_validate(const banner_input *in, bool create, error *e)
{
	return banner_check(in, create, 0, e);
}

static void
rd_time(json_object *o, const char *key, unsigned bit, int64_t *dst,
    unsigned *set, unsigned *bad, error *e)
{
	const char *s = NULL;

	switch (input_str(o, key, &s, e)) {
	case JF_NULL:
		*dst = 0;
		*set |= bit;
		break;
	case JF_VALUE:
		if (time_parse_rfc3339(s, dst) != 0) {
			err_field(e, key, "must be an RFC 3339 time such as 2026-01-31T09:00:00Z");
			*bad |= bit;
		} else
			*set |= bit;
		break;
	case JF_BAD:
		*bad |= bit;
		break;
	}
}

ecode
banner_input_from_json(arena *a, json_object *o, bool create,
    banner_input *in, error *e)
{
	unsigned bad = 0;

	(void)a;
	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	rd_str(o, "title", NI_TITLE, &in->title, &in->set, &bad, e);
	rd_text(o, "subtitle", NI_SUBTITLE, &in->subtitle, &in->set, &bad, e);
	rd_str(o, "image_url", NI_IMAGE, &in->image_url, &in->set, &bad, e);
	rd_str(o, "link_url", NI_LINK_URL, &in->link_url, &in->set, &bad, e);
	rd_str(o, "link_type", NI_LINK_TYPE, &in->link_type, &in->set, &bad, e);
	rd_str(o, "position", NI_POSITION, &in->position, &in->set, &bad, e);
	rd_sort(o, NI_SORT, &in->sort_order, &in->set, &bad, e);
	rd_active(o, NI_ACTIVE, &in->is_active, &in->set, &bad, e);
	rd_time(o, "starts_at", NI_STARTS, &in->starts_at, &in->set, &bad, e);
	rd_time(o, "ends_at", NI_ENDS, &in->ends_at, &in->set, &bad, e);
	if (create && !(in->set & NI_ACTIVE))
		in->is_active = true;
	banner_check(in, create, bad, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}
