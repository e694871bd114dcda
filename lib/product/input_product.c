/*
 * input_product.c — JSON bodies of the product, variant, image and review
 * writes, read into the *_input structs of product.h and validated.
 *
 * Reading and validating are separate so that admin forms (which build the
 * structs themselves) get the same rules, but the JSON readers run the
 * validator too, so one response lists every bad field: wrong types while
 * reading, bounds and formats in *_validate.  A field with a wrong type is
 * not also reported as missing.
 */
#include <ctype.h>
#include <string.h>

#include "core/util.h"
#include "product/input.h"

/* A string field read into *dst with its bit recorded in set or bad. */
static void
rd_str(json_object *o, const char *key, unsigned bit, const char **dst,
    unsigned *set, unsigned *bad, error *e)
{
	int st = input_str(o, key, dst, e);

	if (st == JF_VALUE)
		*set |= bit;
	else if (st == JF_BAD)
		*bad |= bit;
}

/* ------------------------------------------------------------ products */

static ecode
product_check(const product_input *in, bool create, unsigned bad, error *e)
{
	require(e, create, in->set, bad, PI_NAME, "name");
	require(e, create, in->set, bad, PI_BASE_PRICE, "base_price");
	require(e, create, in->set, bad, PI_CURRENCY, "currency");
	if (in->set & PI_NAME)
		check_text(e, "name", in->name, 1, PRODUCT_NAME_MAX);
	if (in->set & PI_DESCRIPTION)
		check_text(e, "description", in->description, 0, PRODUCT_DESC_MAX);
	if (in->set & PI_SLUG)
		check_slug(e, in->slug);
	if (in->set & PI_BRAND)
		check_uuid(e, "brand_id", in->brand_id);
	if (in->set & PI_CATEGORY)
		check_uuid(e, "category_id", in->category_id);
	if (in->set & PI_SELLER)
		check_uuid(e, "seller_id", in->seller_id);
	if ((in->set & PI_BASE_PRICE) &&
	    (in->base_price < 0 || in->base_price > PRODUCT_PRICE_MAX))
		err_field(e, "base_price", "must be 0..%lld minor units",
		    (long long)PRODUCT_PRICE_MAX);
	if ((in->set & PI_CURRENCY) && (!in->currency || !currency_valid(in->currency)))
		err_field(e, "currency", "must be an ISO 4217 code such as EUR");
	if ((in->set & PI_STATUS) && (unsigned)in->status > PRODUCT_ARCHIVED)
		err_field(e, "status", "must be draft, published or archived");
	if ((in->set & PI_METADATA) &&
	    (!in->metadata || strlen(in->metadata) > PRODUCT_METADATA_MAX))
		err_field(e, "metadata", "must be a JSON object of at most %d bytes",
		    PRODUCT_METADATA_MAX);
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
product_input_validate(const product_input *in, bool create, error *e)
{
	return product_check(in, create, 0, e);
}

/* A nullable UUID: null clears (value NULL with the bit set). */
static void
rd_uuid_null(json_object *o, const char *key, unsigned bit, const char **dst,
    unsigned *set, unsigned *bad, error *e)
{
	int st = juuid(o, key, dst, e);

	if (st == JF_NULL)
		*dst = NULL;
	if (st == JF_VALUE || st == JF_NULL)
		*set |= bit;
	else if (st == JF_BAD)
		*bad |= bit;
}

static char *
upper3(arena *a, const char *s)
{
	char *u = arena_strdup(a, s);

	for (char *p = u; p && *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

ecode
product_input_from_json(arena *a, json_object *o, bool create,
    product_input *in, error *e)
{
	unsigned    bad = 0;
	const char *st = NULL;
	int64_t     price;

	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	rd_str(o, "name", PI_NAME, &in->name, &in->set, &bad, e);
	rd_str(o, "slug", PI_SLUG, &in->slug, &in->set, &bad, e);
	switch (input_str(o, "description", &in->description, e)) {
	case JF_NULL:	in->description = ""; /* FALLTHROUGH */
	case JF_VALUE:	in->set |= PI_DESCRIPTION; break;
	case JF_BAD:	bad |= PI_DESCRIPTION; break;
	}
	rd_uuid_null(o, "brand_id", PI_BRAND, &in->brand_id, &in->set, &bad, e);
	rd_uuid_null(o, "category_id", PI_CATEGORY, &in->category_id, &in->set, &bad, e);
	rd_uuid_null(o, "seller_id", PI_SELLER, &in->seller_id, &in->set, &bad, e);
	switch (input_int(o, "base_price", 0, PRODUCT_PRICE_MAX, &price, e)) {
	case JF_VALUE:	in->base_price = price; in->set |= PI_BASE_PRICE; break;
	case JF_BAD:	bad |= PI_BASE_PRICE; break;
	}
	rd_str(o, "currency", PI_CURRENCY, &in->currency, &in->set, &bad, e);
	if ((in->set & PI_CURRENCY) && strlen(in->currency) == 3)
		in->currency = upper3(a, in->currency);
	rd_str(o, "status", PI_STATUS, &st, &in->set, &bad, e);
	if ((in->set & PI_STATUS) && product_status_parse(st, &in->status) != 0) {
		err_field(e, "status", "must be draft, published or archived");
		in->set &= ~(unsigned)PI_STATUS;
		bad |= PI_STATUS;
	}
	switch (jobject_text(a, o, "metadata", PRODUCT_METADATA_MAX, &in->metadata, e)) {
	case JF_VALUE:	in->set |= PI_METADATA; break;
	case JF_BAD:	bad |= PI_METADATA; break;
	}
	if (e->code == E_INTERNAL)
		return E_INTERNAL;
	product_check(in, create, bad, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}

/* ------------------------------------------------------------ variants */

/* Attributes: an object of at most VARIANT_ATTRS_MAX scalar values. */
static void
attrs_check(json_object *obj, error *e)
{
	size_t n = 0;

	json_object_object_foreach(obj, key, val) {
		size_t klen = catalog_chars(key);

		if (++n > VARIANT_ATTRS_MAX) {
			err_field(e, "attributes", "must have at most %d keys", VARIANT_ATTRS_MAX);
			return;
		}
		if (klen == 0 || klen > VARIANT_ATTR_LEN_MAX) {
			err_field(e, "attributes", "keys must be 1 to %d characters",
			    VARIANT_ATTR_LEN_MAX);
			return;
		}
		switch (json_object_get_type(val)) {
		case json_type_string:
			if (catalog_chars(json_object_get_string(val)) > VARIANT_ATTR_LEN_MAX) {
				err_field(e, "attributes", "values must be at most %d characters",
				    VARIANT_ATTR_LEN_MAX);
				return;
			}
			break;
		case json_type_int: case json_type_double: case json_type_boolean:
			break;
		default:
			err_field(e, "attributes", "values must be strings, numbers or booleans");
			return;
		}
	}
}

static ecode
variant_check(const variant_input *in, bool create, unsigned bad, error *e)
{
	require(e, create, in->set, bad, VI_SKU, "sku");
	require(e, create, in->set, bad, VI_NAME, "name");
	if ((in->set & VI_SKU) && !sku_valid(in->sku))
		err_field(e, "sku", "must be 1 to %d of A-Z a-z 0-9 . _ -", VARIANT_SKU_MAX);
	if (in->set & VI_NAME)
		check_text(e, "name", in->name, 1, PRODUCT_NAME_MAX);
	if ((in->set & VI_PRICE) && in->has_price &&
	    (in->price < 0 || in->price > PRODUCT_PRICE_MAX))
		err_field(e, "price", "must be 0..%lld minor units or null",
		    (long long)PRODUCT_PRICE_MAX);
	if ((in->set & VI_WEIGHT) && in->has_weight &&
	    (in->weight_grams < 0 || in->weight_grams > VARIANT_WEIGHT_MAX))
		err_field(e, "weight_grams", "must be 0..%d or null", VARIANT_WEIGHT_MAX);
	if ((in->set & VI_SORT) &&
	    (in->sort_order < SORT_ORDER_MIN || in->sort_order > SORT_ORDER_MAX))
		err_field(e, "sort_order", "must be between %d and %d", SORT_ORDER_MIN,
		    SORT_ORDER_MAX);
	if ((in->set & VI_ATTRIBUTES) && !(bad & VI_ATTRIBUTES)) {
		json_object *obj = in->attributes ? json_tokener_parse(in->attributes) : NULL;

		if (!obj || !json_object_is_type(obj, json_type_object))
			err_field(e, "attributes", "must be a JSON object");
		else
			attrs_check(obj, e);
		json_object_put(obj);
	}
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
variant_input_validate(const variant_input *in, bool create, error *e)
{
	return variant_check(in, create, 0, e);
}

static void
rd_i32(json_object *o, const char *key, int64_t min, int64_t max, unsigned bit,
    int32_t *dst, unsigned *set, unsigned *bad, error *e)
{
	int64_t v;

	switch (input_int(o, key, min, max, &v, e)) {
	case JF_VALUE:	*dst = (int32_t)v; *set |= bit; break;
	case JF_NULL:	err_field(e, key, "must not be null"); *bad |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

static void
rd_bool(json_object *o, const char *key, unsigned bit, bool *dst,
    unsigned *set, unsigned *bad, error *e)
{
	switch (jbool(o, key, dst, e)) {
	case JF_VALUE:	*set |= bit; break;
	case JF_NULL:	err_field(e, key, "must not be null"); *bad |= bit; break;
	case JF_BAD:	*bad |= bit; break;
	}
}

ecode
variant_input_from_json(arena *a, json_object *o, bool create,
    variant_input *in, error *e)
{
	unsigned bad = 0;
	int64_t  v;

	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	rd_str(o, "sku", VI_SKU, &in->sku, &in->set, &bad, e);
	rd_str(o, "name", VI_NAME, &in->name, &in->set, &bad, e);
	switch (input_int(o, "price", 0, PRODUCT_PRICE_MAX, &v, e)) {
	case JF_VALUE:	in->has_price = true; in->price = v; /* FALLTHROUGH */
	case JF_NULL:	in->set |= VI_PRICE; break;
	case JF_BAD:	bad |= VI_PRICE; break;
	}
	switch (input_int(o, "weight_grams", 0, VARIANT_WEIGHT_MAX, &v, e)) {
	case JF_VALUE:	in->has_weight = true; in->weight_grams = (int32_t)v; /* FALLTHROUGH */
	case JF_NULL:	in->set |= VI_WEIGHT; break;
	case JF_BAD:	bad |= VI_WEIGHT; break;
	}
	switch (jobject_text(a, o, "attributes", 8192, &in->attributes, e)) {
	case JF_VALUE:	in->set |= VI_ATTRIBUTES; break;
	case JF_BAD:	bad |= VI_ATTRIBUTES; break;
	}
	rd_bool(o, "is_active", VI_ACTIVE, &in->is_active, &in->set, &bad, e);
	rd_i32(o, "sort_order", SORT_ORDER_MIN, SORT_ORDER_MAX, VI_SORT,
	    &in->sort_order, &in->set, &bad, e);
	if (create && !(in->set & VI_ACTIVE))
		in->is_active = true;
	if (e->code == E_INTERNAL)
		return E_INTERNAL;
	variant_check(in, create, bad, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}

/* ------------------------------------------------------------ images */

static ecode
image_check(const image_input *in, bool create, unsigned bad, error *e)
{
	require(e, create, in->set, bad, II_URL, "url");
	if (in->set & II_URL)
		check_url(e, "url", in->url);
	if (in->set & II_ALT)
		check_text(e, "alt_text", in->alt_text, 0, CATALOG_TEXT_MAX);
	if (in->set & II_VARIANT)
		check_uuid(e, "variant_id", in->variant_id);
	if (in->set & II_MEDIA)
		check_uuid(e, "media_id", in->media_id);
	if ((in->set & II_SORT) &&
	    (in->sort_order < SORT_ORDER_MIN || in->sort_order > SORT_ORDER_MAX))
		err_field(e, "sort_order", "must be between %d and %d", SORT_ORDER_MIN,
		    SORT_ORDER_MAX);
	if ((in->set & II_SIZE) && (in->width < 0 || in->width > 100000 ||
	    in->height < 0 || in->height > 100000))
		err_field(e, "width", "width and height must be 1..100000 pixels or null");
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
image_input_validate(const image_input *in, bool create, error *e)
{
	return image_check(in, create, 0, e);
}

static void
rd_dim(json_object *o, const char *key, int32_t *dst, unsigned *set,
    unsigned *bad, error *e)
{
	int64_t v;

	switch (input_int(o, key, 1, 100000, &v, e)) {
	case JF_VALUE:	*dst = (int32_t)v; *set |= II_SIZE; break;
	case JF_NULL:	*dst = 0; *set |= II_SIZE; break;
	case JF_BAD:	*bad |= II_SIZE; break;
	}
}

ecode
image_input_from_json(arena *a, json_object *o, bool create,
    image_input *in, error *e)
{
	unsigned    bad = 0;
	const char *media = NULL;

	(void)a;
	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	rd_str(o, "url", II_URL, &in->url, &in->set, &bad, e);
	if (input_str(o, "media_id", &media, e) == JF_VALUE) {
		/* An upload with owner_type product already adds the image
		 * (lib/media); attaching an id here would list it twice. */
		err_field(e, "media_id", "upload the file with POST /api/v1/media "
		    "(owner_type product), which adds it to the product's images; "
		    "or send url (http(s) or a /media/ path)");
		bad |= II_URL;
	}
	switch (input_str(o, "alt_text", &in->alt_text, e)) {
	case JF_NULL:	in->alt_text = ""; /* FALLTHROUGH */
	case JF_VALUE:	in->set |= II_ALT; break;
	case JF_BAD:	bad |= II_ALT; break;
	}
	rd_i32(o, "sort_order", SORT_ORDER_MIN, SORT_ORDER_MAX, II_SORT,
	    &in->sort_order, &in->set, &bad, e);
	rd_bool(o, "is_primary", II_PRIMARY, &in->is_primary, &in->set, &bad, e);
	rd_uuid_null(o, "variant_id", II_VARIANT, &in->variant_id, &in->set, &bad, e);
	rd_dim(o, "width", &in->width, &in->set, &bad, e);
	rd_dim(o, "height", &in->height, &in->set, &bad, e);
	image_check(in, create, bad, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}

/* ------------------------------------------------------------ reviews */

ecode
review_input_validate(const review_input *in, error *e)
{
	if (in->rating < 1 || in->rating > 5)
		err_field(e, "rating", "must be an integer from 1 to 5");
	check_text(e, "title", in->title, 0, CATALOG_TEXT_MAX);
	check_text(e, "body", in->body, 0, REVIEW_BODY_MAX);
	return e->nfields > 0 ? E_VALIDATION : e->code;
}

ecode
review_input_from_json(arena *a, json_object *o, review_input *in, error *e)
{
	int64_t r = 0;
	int     st;

	(void)a;
	memset(in, 0, sizeof *in);
	if (jbody(o, e) != E_OK)
		return e->code;
	st = input_int(o, "rating", 1, 5, &r, e);
	if (st == JF_ABSENT || st == JF_NULL)
		err_field(e, "rating", "is required");
	in->rating = (int32_t)r;
	if (input_str(o, "title", &in->title, e) == JF_BAD)
		in->title = NULL;
	if (input_str(o, "body", &in->body, e) == JF_BAD)
		in->body = NULL;
	check_text(e, "title", in->title, 0, CATALOG_TEXT_MAX);
	check_text(e, "body", in->body, 0, REVIEW_BODY_MAX);
	if (st == JF_VALUE && e->nfields == 0)
		review_input_validate(in, e);
	return e->nfields > 0 ? E_VALIDATION : E_OK;
}
