/*
 * copy.c — deep copies of catalog structs from one arena to another.
 *
 * The read cache (cache.c) stores answers in arenas of its own and hands
 * each hit to the request as a fresh copy in the request's arena, so the
 * two lifetimes never mix.  Every function returns the copy, or NULL when
 * the destination arena is out of memory.
 */
#include <string.h>

#include "product/internal.h"

static bool
dup(arena *a, const char **s)
{
	if (!*s)
		return true;
	*s = arena_strdup(a, *s);
	return *s != NULL;
}

/* A copy of n elements of size sz, or NULL; n == 0 still gives a pointer. */
static void *
dup_array(arena *a, const void *src, size_t n, size_t sz)
{
	void *p = arena_calloc(a, n ? n : 1, sz);

	if (p && n)
		memcpy(p, src, n * sz);
	return p;
}

static bool
image_strings(arena *a, product_image *im)
{
	return dup(a, &im->id) && dup(a, &im->product_id) && dup(a, &im->variant_id) &&
	    dup(a, &im->url) && dup(a, &im->alt_text) && dup(a, &im->media_id);
}

static bool
summary_strings(arena *a, product_summary *s)
{
	return dup(a, &s->id) && dup(a, &s->slug) && dup(a, &s->name) &&
	    dup(a, &s->description) && dup(a, &s->currency) && dup(a, &s->brand_id) &&
	    dup(a, &s->category_id) && dup(a, &s->seller_id) &&
	    (!s->has_image || image_strings(a, &s->primary_image));
}

static bool
ref_strings(arena *a, catalog_ref *r)
{
	return dup(a, &r->id) && dup(a, &r->slug) && dup(a, &r->name);
}

static bool
variant_strings(arena *a, product_variant *v)
{
	variant_attr *attrs;

	if (!(dup(a, &v->id) && dup(a, &v->product_id) && dup(a, &v->sku) &&
	    dup(a, &v->name) && dup(a, &v->currency) && dup(a, &v->attributes_json)))
		return false;
	attrs = dup_array(a, v->attributes, v->nattributes, sizeof *attrs);
	if (!attrs)
		return false;
	for (size_t i = 0; i < v->nattributes; i++)
		if (!dup(a, &attrs[i].key) || !dup(a, &attrs[i].value))
			return false;
	v->attributes = attrs;
	return true;
}

const void *
copy_product(arena *a, const void *src, size_t n)
{
	const product *from = src;
	product       *p = arena_alloc(a, sizeof *p);

	(void)n;
	if (!p)
		return NULL;
	*p = *from;
	p->images = dup_array(a, from->images, from->nimages, sizeof *p->images);
	p->variants = dup_array(a, from->variants, from->nvariants, sizeof *p->variants);
	p->category_path = dup_array(a, from->category_path, from->ncategory_path,
	    sizeof *p->category_path);
	if (!p->images || !p->variants || !p->category_path ||
	    !summary_strings(a, &p->s) || !dup(a, &p->metadata) ||
	    !ref_strings(a, &p->category) || !ref_strings(a, &p->brand))
		return NULL;
	for (size_t i = 0; i < p->nimages; i++)
		if (!image_strings(a, &p->images[i]))
			return NULL;
	for (size_t i = 0; i < p->nvariants; i++)
		if (!variant_strings(a, &p->variants[i]))
			return NULL;
	for (size_t i = 0; i < p->ncategory_path; i++)
		if (!ref_strings(a, &p->category_path[i]))
			return NULL;
	return p;
}

const void *
copy_product_page(arena *a, const void *src, size_t n)
{
	const product_page *from = src;
	product_page       *pg = arena_alloc(a, sizeof *pg);

	(void)n;
	if (!pg)
		return NULL;
	*pg = *from;
	if (!(pg->items = dup_array(a, from->items, from->n, sizeof *pg->items)))
		return NULL;
	for (size_t i = 0; i < pg->n; i++)
		if (!summary_strings(a, &pg->items[i]))
			return NULL;
	return pg;
}

const void *
copy_review_page(arena *a, const void *src, size_t n)
{
	const review_page *from = src;
	review_page       *rp = arena_alloc(a, sizeof *rp);

	(void)n;
	if (!rp)
		return NULL;
	*rp = *from;
	if (!(rp->items = dup_array(a, from->items, from->n, sizeof *rp->items)))
		return NULL;
	for (size_t i = 0; i < rp->n; i++) {
		review *r = &rp->items[i];
		if (!(dup(a, &r->id) && dup(a, &r->product_id) && dup(a, &r->user_id) &&
		    dup(a, &r->title) && dup(a, &r->body) && dup(a, &r->status)))
			return NULL;
	}
	return rp;
}

const void *
copy_categories(arena *a, const void *src, size_t n)
{
	category *c = dup_array(a, src, n, sizeof *c);

	for (size_t i = 0; c && i < n; i++)
		if (!(dup(a, &c[i].id) && dup(a, &c[i].parent_id) && dup(a, &c[i].slug) &&
		    dup(a, &c[i].name) && dup(a, &c[i].description) &&
		    dup(a, &c[i].image_url) && dup(a, &c[i].icon_url)))
			return NULL;
	return c;
}

const void *
copy_banners(arena *a, const void *src, size_t n)
{
	banner *b = dup_array(a, src, n, sizeof *b);

	for (size_t i = 0; b && i < n; i++)
		if (!(dup(a, &b[i].id) && dup(a, &b[i].title) && dup(a, &b[i].subtitle) &&
		    dup(a, &b[i].image_url) && dup(a, &b[i].link_url) &&
		    dup(a, &b[i].link_type) && dup(a, &b[i].position)))
			return NULL;
	return b;
}

const void *
copy_text(arena *a, const void *src, size_t n)
{
	return arena_strndup(a, src, n);
}
