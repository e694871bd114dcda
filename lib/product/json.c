/*
 * json.c — the catalog's structs as JSON, one shape per type, used by the
 * JSON API, the event payloads and any responder that embeds catalog data
 * (the storefront's templates take the same objects).
 *
 * Money is integer minor units next to its currency; times are RFC 3339
 * UTC strings (null when unset); absent optional values are null rather
 * than missing, so clients see every key every time.
 */
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "product/product.h"

/* json-c's add ignores a NULL object; a NULL value becomes JSON null. */
static void
put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *
str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *
i64(int64_t v)
{
	return json_object_new_int64(v);
}

/* A positive int or null (unknown sizes and weights). */
static json_object *
pos_or_null(int64_t v)
{
	return v > 0 ? json_object_new_int64(v) : NULL;
}

json_object *
catalog_time_to_json(int64_t t)
{
	char s[21];

	if (t == 0)
		return NULL;
	time_rfc3339(t, s);
	return json_object_new_string(s);
}

/* A stored JSON text as a value, or an empty object if it does not parse. */
static json_object *
parsed_object(const char *text)
{
	json_object *v = text ? json_tokener_parse(text) : NULL;

	if (v && json_object_is_type(v, json_type_object))
		return v;
	json_object_put(v);
	return json_object_new_object();
}

/* Two decimals computed in integers (433 -> 4.33, 400 -> 4.0), written
 * exactly as formatted rather than through a double's shortest form. */
static json_object *
average_to_json(int x100)
{
	char   text[16];
	size_t n;

	snprintf(text, sizeof text, "%d.%02d", x100 / 100, x100 % 100);
	n = strlen(text);
	if (text[n - 1] == '0')
		text[--n] = '\0';
	return json_object_new_double_s(x100 / 100.0, text);
}

json_object *
rating_summary_to_json(const rating_summary *r)
{
	json_object *o = json_object_new_object(), *h = json_object_new_object();
	int          avg = rating_average_x100(r);
	static const char *const stars[5] = { "1", "2", "3", "4", "5" };

	if (!o || !h) {
		json_object_put(o);
		json_object_put(h);
		return NULL;
	}
	put(o, "count", i64(r->count));
	put(o, "average", average_to_json(avg));
	for (int k = 0; k < 5; k++)
		put(h, stars[k], i64(r->histogram[k]));
	put(o, "histogram", h);
	return o;
}

json_object *
image_to_json(const product_image *im)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(im->id));
	put(o, "product_id", str_or_null(im->product_id));
	put(o, "variant_id", str_or_null(im->variant_id));
	put(o, "url", str_or_null(im->url));
	put(o, "alt_text", json_object_new_string(im->alt_text ? im->alt_text : ""));
	put(o, "width", pos_or_null(im->width));
	put(o, "height", pos_or_null(im->height));
	put(o, "sort_order", json_object_new_int(im->sort_order));
	put(o, "is_primary", json_object_new_boolean(im->is_primary));
	put(o, "media_id", str_or_null(im->media_id));
	put(o, "created_at", catalog_time_to_json(im->created_at));
	return o;
}

/* The list's compact image: what a product card needs. */
static json_object *
primary_image_to_json(const product_summary *p)
{
	json_object *o;

	if (!p->has_image || !(o = json_object_new_object()))
		return NULL;
	put(o, "id", str_or_null(p->primary_image.id));
	put(o, "url", str_or_null(p->primary_image.url));
	put(o, "alt_text", json_object_new_string(p->primary_image.alt_text ?
	    p->primary_image.alt_text : ""));
	put(o, "width", pos_or_null(p->primary_image.width));
	put(o, "height", pos_or_null(p->primary_image.height));
	return o;
}

static void
summary_fields(json_object *o, const product_summary *p)
{
	put(o, "id", str_or_null(p->id));
	put(o, "slug", str_or_null(p->slug));
	put(o, "name", str_or_null(p->name));
	put(o, "description", json_object_new_string(p->description ? p->description : ""));
	put(o, "status", json_object_new_string(product_status_name(p->status)));
	put(o, "base_price", i64(p->base_price));
	put(o, "currency", str_or_null(p->currency));
	put(o, "brand_id", str_or_null(p->brand_id));
	put(o, "category_id", str_or_null(p->category_id));
	put(o, "seller_id", str_or_null(p->seller_id));
	put(o, "primary_image", primary_image_to_json(p));
	put(o, "rating", rating_summary_to_json(&p->rating));
	put(o, "created_at", catalog_time_to_json(p->created_at));
	put(o, "updated_at", catalog_time_to_json(p->updated_at));
	put(o, "published_at", catalog_time_to_json(p->published_at));
}

json_object *
product_summary_to_json(const product_summary *p)
{
	json_object *o = json_object_new_object();

	if (o)
		summary_fields(o, p);
	return o;
}

json_object *
catalog_ref_to_json(const catalog_ref *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(r->id));
	put(o, "slug", str_or_null(r->slug));
	put(o, "name", str_or_null(r->name));
	return o;
}

json_object *
variant_to_json(const product_variant *v)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(v->id));
	put(o, "product_id", str_or_null(v->product_id));
	put(o, "sku", str_or_null(v->sku));
	put(o, "name", str_or_null(v->name));
	put(o, "price", v->has_price ? i64(v->price) : NULL);
	put(o, "effective_price", i64(v->effective_price));
	put(o, "currency", str_or_null(v->currency));
	put(o, "attributes", parsed_object(v->attributes_json));
	put(o, "weight_grams", v->has_weight ? i64(v->weight_grams) : NULL);
	put(o, "is_active", json_object_new_boolean(v->is_active));
	put(o, "sort_order", json_object_new_int(v->sort_order));
	put(o, "created_at", catalog_time_to_json(v->created_at));
	put(o, "updated_at", catalog_time_to_json(v->updated_at));
	return o;
}

json_object *
product_to_json(const product *p)
{
	json_object *o = json_object_new_object();
	json_object *images = json_object_new_array(), *variants = json_object_new_array();
	json_object *path = json_object_new_array();

	if (!o || !images || !variants || !path) {
		json_object_put(o);
		json_object_put(images);
		json_object_put(variants);
		json_object_put(path);
		return NULL;
	}
	summary_fields(o, &p->s);
	put(o, "metadata", parsed_object(p->metadata));
	for (size_t i = 0; i < p->nimages; i++)
		json_object_array_add(images, image_to_json(&p->images[i]));
	for (size_t i = 0; i < p->nvariants; i++)
		json_object_array_add(variants, variant_to_json(&p->variants[i]));
	for (size_t i = 0; i < p->ncategory_path; i++)
		json_object_array_add(path, catalog_ref_to_json(&p->category_path[i]));
	put(o, "images", images);
	put(o, "variants", variants);
	put(o, "category", p->has_category ? catalog_ref_to_json(&p->category) : NULL);
	put(o, "category_path", path);
	put(o, "brand", p->has_brand ? catalog_ref_to_json(&p->brand) : NULL);
	return o;
}

json_object *
review_to_json(const review *r)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(r->id));
	put(o, "product_id", str_or_null(r->product_id));
	put(o, "user_id", str_or_null(r->user_id));
	put(o, "rating", json_object_new_int(r->rating));
	put(o, "title", json_object_new_string(r->title ? r->title : ""));
	put(o, "body", json_object_new_string(r->body ? r->body : ""));
	put(o, "status", str_or_null(r->status));
	put(o, "created_at", catalog_time_to_json(r->created_at));
	put(o, "updated_at", catalog_time_to_json(r->updated_at));
	return o;
}

json_object *
category_to_json(const category *c)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(c->id));
	put(o, "parent_id", str_or_null(c->parent_id));
	put(o, "slug", str_or_null(c->slug));
	put(o, "name", str_or_null(c->name));
	put(o, "description", json_object_new_string(c->description ? c->description : ""));
	put(o, "image_url", str_or_null(c->image_url));
	put(o, "icon_url", str_or_null(c->icon_url));
	put(o, "sort_order", json_object_new_int(c->sort_order));
	put(o, "is_active", json_object_new_boolean(c->is_active));
	put(o, "created_at", catalog_time_to_json(c->created_at));
	put(o, "updated_at", catalog_time_to_json(c->updated_at));
	return o;
}

json_object *
category_node_to_json(const category_node *n)
{
	json_object *o = category_to_json(&n->cat), *kids;

	if (!o)
		return NULL;
	if (!(kids = json_object_new_array())) {
		json_object_put(o);
		return NULL;
	}
	/* Depth is bounded by CATEGORY_DEPTH_MAX, so recursion is too. */
	for (size_t i = 0; i < n->nchildren; i++)
		json_object_array_add(kids, category_node_to_json(n->children[i]));
	put(o, "children", kids);
	return o;
}

json_object *
brand_to_json(const brand *b)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(b->id));
	put(o, "slug", str_or_null(b->slug));
	put(o, "name", str_or_null(b->name));
	put(o, "logo_url", str_or_null(b->logo_url));
	put(o, "description", json_object_new_string(b->description ? b->description : ""));
	put(o, "created_at", catalog_time_to_json(b->created_at));
	put(o, "updated_at", catalog_time_to_json(b->updated_at));
	return o;
}

json_object *
banner_to_json(const banner *b)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "id", str_or_null(b->id));
	put(o, "title", str_or_null(b->title));
	put(o, "subtitle", json_object_new_string(b->subtitle ? b->subtitle : ""));
	put(o, "image_url", str_or_null(b->image_url));
	put(o, "link_url", str_or_null(b->link_url));
	put(o, "link_type", str_or_null(b->link_type));
	put(o, "position", str_or_null(b->position));
	put(o, "sort_order", json_object_new_int(b->sort_order));
	put(o, "is_active", json_object_new_boolean(b->is_active));
	put(o, "starts_at", catalog_time_to_json(b->starts_at));
	put(o, "ends_at", catalog_time_to_json(b->ends_at));
	put(o, "created_at", catalog_time_to_json(b->created_at));
	put(o, "updated_at", catalog_time_to_json(b->updated_at));
	return o;
}
