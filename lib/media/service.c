/*
 * service.c — the rules of the media library (media.h): who may attach an
 * image to what, the upload pipeline from bytes to rows and files, and the
 * cleanup when an item goes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "core/parse.h"
#include "core/util.h"
#include "media/internal.h"
#include "product/product.h"

media_actor
media_actor_of(const request *req)
{
	media_actor who;

	who.user_id = req->user_id;
	who.role = req->user_id != NULL ? req->user_role : ROLE_PUBLIC;
	who.request_id = req->request_id;
	return who;
}

static bool
owner_type_ok(const char *t)
{
	static const char *const types[] = { "product", "category", "brand", "banner", "user" };

	for (size_t i = 0; t != NULL && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(t, types[i]) == 0)
			return true;
	return false;
}

static ecode
check_alt(const char *alt, error *e)
{
	if (alt != NULL && (!utf8_valid(alt, strlen(alt)) || utf8_len(alt, strlen(alt)) > MEDIA_ALT_MAX))
		return err_field(e, "alt_text", "must be at most %d characters", MEDIA_ALT_MAX);
	return E_OK;
}

static catalog_actor
as_catalog(const media_actor *who)
{
	catalog_actor c = { who->user_id, who->role, who->request_id };
	return c;
}

/* An admin's category, brand or banner upload names one that exists, so no
 * item is left owned by nothing (E_NOT_FOUND, naming the id). */
static ecode
owner_exists(arena *a, const media_actor *who, const char *type, const char *id, error *e)
{
	catalog_actor ca = as_catalog(who);
	error e2;
	ecode rc;

	err_clear(&e2);
	if (strcmp(type, "category") == 0) {
		category cat;
		rc = category_get(a, &ca, id, &cat, NULL, NULL, &e2);
	} else if (strcmp(type, "brand") == 0) {
		brand b;
		rc = brand_get(a, id, &b, &e2);
	} else if (strcmp(type, "banner") == 0) {
		banner b;
		rc = banner_get(a, &ca, id, &b, &e2);
	} else {
		return E_OK;
	}
	if (rc == E_NOT_FOUND)
		return err_set(e, E_NOT_FOUND, "no %s with id %s: upload to an existing %s",
		    type, id, type);
	if (rc != E_OK)
		*e = e2;
	return rc;
}

/* Whether who may attach images to (owner_type, owner_id). */
static ecode
check_owner(arena *a, const media_actor *who, const char *type, const char *id, error *e)
{
	if (who->user_id == NULL || who->role < ROLE_SELLER) {
		if (strcmp(type, "user") != 0 || who->user_id == NULL)
			return err_set(e, E_FORBIDDEN, "only sellers and admins can upload images");
	}
	if (strcmp(type, "product") == 0) {
		catalog_actor ca = as_catalog(who);
		product p;
		error e2;

		err_clear(&e2);
		if (product_get(a, &ca, id, &p, &e2) != E_OK) {
			*e = e2;
			return e->code;
		}
		if (who->role != ROLE_ADMIN && (p.s.seller_id == NULL ||
		    strcmp(p.s.seller_id, who->user_id) != 0))
			return err_set(e, E_NOT_FOUND, "product not found");
		return E_OK;
	}
	if (strcmp(type, "user") == 0) {
		if (who->role != ROLE_ADMIN && strcmp(id, who->user_id) != 0)
			return err_set(e, E_FORBIDDEN, "you may only upload your own picture");
		return E_OK;
	}
	if (who->role != ROLE_ADMIN)
		return err_set(e, E_FORBIDDEN, "only admins can upload %s images", type);
	return owner_exists(a, who, type, id, e);
}

/* Who may read or change an existing item: its uploader or an admin. */
static bool
may_change(const media_actor *who, const media_item *m)
{
	return who->user_id != NULL && (who->role == ROLE_ADMIN ||
	    (who->role >= ROLE_SELLER && strcmp(who->user_id, m->uploaded_by) == 0));
}

typedef struct upload_tx {
	const media_actor      *who;
	const media_upload_req *in;
	const char             *id;
	media_kind              kind;
	media_out              *outs;
	size_t                  nout;
	int32_t                 w, h;
	media_item             *out;
} upload_tx;

static ecode
upload_tx_fn(db_conn *c, arena *a, void *ud, error *e)
{
	upload_tx *t = ud;
	bool created[MEDIA_MAX_OUTPUTS] = { false };
	ecode rc;

	if (store_media_lock(c, a, e) != E_OK)
		return e->code;
	if (media_files_write(t->outs, t->nout, created, e) != E_OK)
		return e->code;
	rc = store_media_insert(c, a, t->id, t->in, t->who->user_id, t->kind, t->w, t->h, e);
	for (size_t i = 0; rc == E_OK && i < t->nout; i++)
		rc = store_media_variant(c, a, t->id, &t->outs[i], e);
	if (rc == E_OK)
		rc = store_media_get(c, a, t->id, false, t->out, e);
	if (rc == E_OK)
		rc = store_media_emit(c, a, t->who, "media.uploaded", t->out, e);
	if (rc != E_OK) {
		/* still under the lock: nobody can have started using them */
		for (size_t i = 0; i < t->nout; i++)
			if (created[i])
				media_file_unlink(t->outs[i].path);
	}
	return rc;
}

static ecode delete_item(arena *a, const media_actor *who, const char *id, bool catalog, error *e);

/* An uploaded product image becomes one of the product's images. */
static ecode
attach_to_product(arena *a, const media_actor *who, const media_item *m, error *e)
{
	catalog_actor ca = as_catalog(who);
	const media_variant *big = NULL;
	image_input in;
	product_image im = { 0 };

	for (size_t i = 0; i < m->nvariants; i++)
		if (strcmp(m->variants[i].format, "jpeg") == 0)
			big = &m->variants[i];
	if (big == NULL)
		return err_set(e, E_INTERNAL, "no JPEG variant");
	memset(&in, 0, sizeof in);
	in.set = II_URL | II_ALT | II_SIZE | II_SORT | II_MEDIA;
	in.url = big->url;
	in.alt_text = m->alt_text;
	in.width = big->width;
	in.height = big->height;
	in.sort_order = m->sort_order;
	in.media_id = m->id;
	return image_create(a, &ca, m->owner_id, &in, &im, e);
}

struct media_prepared {
	media_kind kind;
	media_out  outs[MEDIA_MAX_OUTPUTS];
	size_t     nout;
	int32_t    w, h;
};

static ecode
check_bytes(const void *data, size_t len, error *e)
{
	if (data == NULL || len == 0)
		return err_field(e, "file", "is required");
	if (len > MEDIA_MAX_BYTES)
		return err_set(e, E_PAYLOAD_TOO_LARGE, "an image may have at most %d MiB",
		    MEDIA_MAX_BYTES / (1024 * 1024));
	return E_OK;
}

ecode
media_prepare(arena *a, const void *data, size_t len, media_prepared **out, error *e)
{
	media_prepared *p;

	*out = NULL;
	if (check_bytes(data, len, e) != E_OK)
		return e->code;
	if ((p = arena_calloc(a, 1, sizeof *p)) == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	p->kind = media_sniff(data, len);
	if (p->kind == MEDIA_UNKNOWN)
		return err_set(e, E_UNSUPPORTED_MEDIA_TYPE,
		    "the file is not a JPEG, PNG, WebP or GIF image (judged by its content, "
		    "not its name or declared type)");
	if (media_image_process(a, data, len, p->kind, p->outs, &p->nout, &p->w, &p->h, e) != E_OK)
		return e->code;
	*out = p;
	return E_OK;
}

const char *
media_prepared_url(arena *a, const media_prepared *p, int32_t *width, int32_t *height)
{
	const media_out *big = NULL;

	for (size_t i = 0; i < p->nout; i++)
		if (strcmp(p->outs[i].format, "jpeg") == 0)
			big = &p->outs[i];
	if (big == NULL)
		return NULL;
	if (width != NULL)
		*width = big->width;
	if (height != NULL)
		*height = big->height;
	return arena_printf(a, "%s/%s", cfg->media_url, big->path);
}

ecode
media_upload(arena *a, const media_actor *who, const media_upload_req *in,
    media_item *out, error *e)
{
	media_prepared *p;
	upload_tx t;
	char id[37];
	db_conn *c;

	memset(&t, 0, sizeof t);
	if (!owner_type_ok(in->owner_type))
		err_field(e, "owner_type", "must be one of product, category, brand, banner, user");
	if (in->owner_id == NULL || !uuid_valid(in->owner_id))
		err_field(e, "owner_id", "must be a UUID");
	check_alt(in->alt_text, e);
	if (in->has_sort && (in->sort_order < -1000000 || in->sort_order > 1000000))
		err_field(e, "sort_order", "must be between -1000000 and 1000000");
	if (e->nfields > 0)
		return E_VALIDATION;
	if (check_bytes(in->data, in->len, e) != E_OK ||
	    check_owner(a, who, in->owner_type, in->owner_id, e) != E_OK)
		return e->code;
	/* a prepared upload was judged already; else judge the bytes now */
	if ((p = (media_prepared *)in->prepared) == NULL &&
	    media_prepare(a, in->data, in->len, &p, e) != E_OK)
		return e->code;
	if (uuid_v4(id) != 0)
		return err_set(e, E_INTERNAL, "no randomness for an id");
	if ((c = media_db(e)) == NULL)
		return e->code;
	t.who = who;
	t.in = in;
	t.id = id;
	t.kind = p->kind;
	t.outs = p->outs;
	t.nout = p->nout;
	t.w = p->w;
	t.h = p->h;
	t.out = out;
	if (db_tx(c, a, upload_tx_fn, &t, e) != E_OK)
		return e->code;
	if (strcmp(out->owner_type, "product") == 0) {
		error e2;
		if (attach_to_product(a, who, out, e) != E_OK) {
			err_clear(&e2);
			if (delete_item(a, who, id, false, &e2) != E_OK)
				log_msg(LOG_ERROR, "media: upload %s not attached and not removed: %s",
				    id, e2.message);
			return e->code;
		}
	}
	return E_OK;
}

ecode
media_get(arena *a, const media_actor *who, const char *id, media_item *out, error *e)
{
	db_conn *c;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "media not found");
	if ((c = media_db(e)) == NULL)
		return e->code;
	if (store_media_get(c, a, id, false, out, e) != E_OK)
		return e->code;
	if (!may_change(who, out))
		return err_set(e, E_NOT_FOUND, "media not found");
	return E_OK;
}

ecode
media_list_owner(arena *a, const char *owner_type, const char *owner_id,
    media_item **out, size_t *n, error *e)
{
	db_conn *c;

	*out = NULL;
	*n = 0;
	if (!owner_type_ok(owner_type))
		return err_set(e, E_INVALID_PARAMETER,
		    "ownerType must be one of product, category, brand, banner, user");
	if (!uuid_valid(owner_id))
		return err_set(e, E_INVALID_PARAMETER, "ownerId must be a UUID");
	if ((c = media_db(e)) == NULL)
		return e->code;
	return store_media_list_owner(c, a, owner_type, owner_id, out, n, e);
}

typedef struct update_tx {
	const media_actor *who;
	const char        *id;
	const char        *alt;
	const int32_t     *sort;
	media_item        *out;
} update_tx;

static ecode
update_tx_fn(db_conn *c, arena *a, void *ud, error *e)
{
	update_tx *t = ud;

	if (store_media_get(c, a, t->id, true, t->out, e) != E_OK)
		return e->code;
	if (!may_change(t->who, t->out))
		return err_set(e, E_NOT_FOUND, "media not found");
	if (store_media_update(c, a, t->id, t->alt, t->sort, e) != E_OK ||
	    store_media_get(c, a, t->id, false, t->out, e) != E_OK)
		return e->code;
	/* alt text and order are the owner's changes too (the audit log) */
	return store_media_emit(c, a, t->who, "media.updated", t->out, e);
}

ecode
media_update(arena *a, const media_actor *who, const char *id, const char *alt_text,
    const int32_t *sort_order, media_item *out, error *e)
{
	update_tx t = { who, id, alt_text, sort_order, out };
	db_conn *c;

	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "media not found");
	check_alt(alt_text, e);
	if (sort_order != NULL && (*sort_order < -1000000 || *sort_order > 1000000))
		err_field(e, "sort_order", "must be between -1000000 and 1000000");
	if (e->nfields > 0)
		return E_VALIDATION;
	if ((c = media_db(e)) == NULL)
		return e->code;
	return db_tx(c, a, update_tx_fn, &t, e);
}

ecode
media_set_alt(arena *a, const media_actor *who, const char *id, const char *alt_text,
    error *e)
{
	media_item m = { 0 };

	return media_update(a, who, id, alt_text != NULL ? alt_text : "", NULL, &m, e);
}

ecode
media_set_sort(arena *a, const media_actor *who, const char *id, int32_t sort_order,
    error *e)
{
	media_item m = { 0 };

	return media_update(a, who, id, NULL, &sort_order, &m, e);
}

typedef struct delete_tx {
	const media_actor *who;
	const char        *id;
	/* set when the caller has already been allowed to remove the owner's
	 * images (the catalog's rules): the item must be that owner's */
	const char        *owner_type, *owner_id;
	media_item         m;
} delete_tx;

static ecode
delete_tx_fn(db_conn *c, arena *a, void *ud, error *e)
{
	delete_tx *t = ud;
	const char **orphans;
	size_t n;

	if (store_media_lock(c, a, e) != E_OK ||
	    store_media_get(c, a, t->id, true, &t->m, e) != E_OK)
		return e->code;
	if (t->owner_type != NULL ? (strcmp(t->m.owner_type, t->owner_type) != 0 ||
	    strcmp(t->m.owner_id, t->owner_id) != 0) : !may_change(t->who, &t->m))
		return err_set(e, E_NOT_FOUND, "media not found");
	if (store_media_delete(c, a, t->id, &orphans, &n, e) != E_OK ||
	    store_media_emit(c, a, t->who, "media.deleted", &t->m, e) != E_OK)
		return e->code;
	/* last, under the lock: no upload can start reusing these meanwhile */
	for (size_t i = 0; i < n; i++)
		media_file_unlink(orphans[i]);
	return E_OK;
}

/* The product image made from this item (if any), then the item. */
static ecode
delete_item(arena *a, const media_actor *who, const char *id, bool catalog, error *e)
{
	delete_tx t;
	db_conn *c;

	memset(&t, 0, sizeof t);
	t.who = who;
	t.id = id;
	if ((c = media_db(e)) == NULL)
		return e->code;
	if (catalog) {
		media_item m;
		if (store_media_get(c, a, id, false, &m, e) != E_OK)
			return e->code;
		if (!may_change(who, &m))
			return err_set(e, E_NOT_FOUND, "media not found");
		if (strcmp(m.owner_type, "product") == 0) {
			catalog_actor ca = as_catalog(who);
			product_image *ims;
			size_t nim;
			if (image_list(a, &ca, m.owner_id, &ims, &nim, e) == E_OK) {
				for (size_t i = 0; i < nim; i++)
					if (ims[i].media_id != NULL && strcmp(ims[i].media_id, id) == 0 &&
					    image_delete(a, &ca, m.owner_id, ims[i].id, e) != E_OK)
						return e->code;
			} else if (e->code != E_NOT_FOUND) {
				return e->code;
			} else {
				err_clear(e);	/* the product is gone: nothing to detach */
			}
		}
	}
	return db_tx(c, a, delete_tx_fn, &t, e);
}

ecode
media_delete(arena *a, const media_actor *who, const char *id, error *e)
{
	if (!uuid_valid(id))
		return err_set(e, E_NOT_FOUND, "media not found");
	return delete_item(a, who, id, true, e);
}

/* The item of an owner whose images the caller was allowed to remove. */
static ecode
release_item(arena *a, const media_actor *who, const char *owner_type, const char *owner_id,
    const char *id, error *e)
{
	delete_tx t;
	db_conn *c;

	memset(&t, 0, sizeof t);
	t.who = who;
	t.id = id;
	t.owner_type = owner_type;
	t.owner_id = owner_id;
	if ((c = media_db(e)) == NULL)
		return e->code;
	return db_tx(c, a, delete_tx_fn, &t, e);
}

ecode
media_delete_product_image(arena *a, const media_actor *who, const char *product_id,
    const char *image_id, error *e)
{
	catalog_actor ca = as_catalog(who);
	product_image *ims;
	const char *media_id = NULL;
	size_t n, i;
	error e2;

	if (!uuid_valid(product_id) || !uuid_valid(image_id))
		return err_set(e, E_NOT_FOUND, "image not found");
	if (image_list(a, &ca, product_id, &ims, &n, e) != E_OK)
		return e->code;
	for (i = 0; i < n && strcmp(ims[i].id, image_id) != 0; i++)
		;
	if (i == n)
		return err_set(e, E_NOT_FOUND, "image not found");
	media_id = ims[i].media_id;
	/* the catalog decides who may remove it (the product's seller, an admin) */
	if (image_delete(a, &ca, product_id, image_id, e) != E_OK)
		return e->code;
	for (i = 0; media_id != NULL && i < n; i++)
		if (ims[i].media_id != NULL && strcmp(ims[i].media_id, media_id) == 0 &&
		    strcmp(ims[i].id, image_id) != 0)
			return E_OK;	/* another image still shows it */
	if (media_id == NULL)
		return E_OK;		/* an image by URL: no files of ours */
	err_clear(&e2);
	if (release_item(a, who, "product", product_id, media_id, &e2) != E_OK &&
	    e2.code != E_NOT_FOUND) {
		/* the image is gone; the item is an orphan the log names */
		log_msg(LOG_ERROR, "media: item %s of removed image %s not released: %s",
		    media_id, image_id, e2.message);
	}
	return E_OK;
}

ecode
media_release_owner(arena *a, const media_actor *who, const char *owner_type,
    const char *owner_id, error *e)
{
	media_item *items;
	size_t n;

	do {
		if (media_list_owner(a, owner_type, owner_id, &items, &n, e) != E_OK)
			return e->code;
		for (size_t i = 0; i < n; i++)
			if (release_item(a, who, owner_type, owner_id, items[i].id, e) != E_OK &&
			    e->code != E_NOT_FOUND)
				return e->code;
		err_clear(e);
	} while (n == 100);
	return E_OK;
}

/* ------------------------------------------------------------ srcset */

#define SRCSET_CACHE 256
#define SRCSET_TTL_S 300

static struct srcset_entry {
	char    id[37];
	time_t  at;
	char   *webp, *jpeg, *src;
	int32_t width, height;
} srcset_cache[SRCSET_CACHE];

static void
srcset_entry_free(struct srcset_entry *s)
{
	free(s->webp);
	free(s->jpeg);
	free(s->src);
	memset(s, 0, sizeof *s);
}

static unsigned
slot_of(const char *id)
{
	unsigned h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % SRCSET_CACHE;
}

/* The srcsets of one item, in the arena: WebP and JPEG lists by width,
 * the largest JPEG as src. */
static ecode
srcset_of_item(arena *a, const media_item *m, media_srcset *out, error *e)
{
	buf wb = BUF_INIT, jb = BUF_INIT;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < m->nvariants; i++) {
		const media_variant *v = &m->variants[i];
		buf *b = strcmp(v->format, "webp") == 0 ? &wb : &jb;
		buf_printf(b, "%s%s %dw", b->len > 0 ? ", " : "", v->url, (int)v->width);
		if (b == &jb) {
			out->src = v->url;
			out->width = v->width;
			out->height = v->height;
		}
	}
	out->webp = wb.data != NULL && !wb.oom ? arena_strdup(a, wb.data) : NULL;
	out->jpeg = jb.data != NULL && !jb.oom ? arena_strdup(a, jb.data) : NULL;
	buf_free(&wb);
	buf_free(&jb);
	if (out->src == NULL || out->webp == NULL || out->jpeg == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

ecode
media_srcset_of(arena *a, const char *media_id, media_srcset *out, error *e)
{
	struct srcset_entry *s;
	media_item m;
	media_srcset fresh;
	db_conn *c;
	time_t now = time(NULL);

	memset(out, 0, sizeof *out);
	if (media_id == NULL || !uuid_valid(media_id))
		return err_set(e, E_NOT_FOUND, "media not found");
	s = &srcset_cache[slot_of(media_id)];
	if (strcmp(s->id, media_id) != 0 || now - s->at > SRCSET_TTL_S) {
		if ((c = media_db(e)) == NULL || store_media_get(c, a, media_id, false, &m, e) != E_OK ||
		    srcset_of_item(a, &m, &fresh, e) != E_OK)
			return e->code;
		srcset_entry_free(s);
		s->webp = strdup(fresh.webp);
		s->jpeg = strdup(fresh.jpeg);
		s->src = strdup(fresh.src);
		s->width = fresh.width;
		s->height = fresh.height;
		if (s->src == NULL || s->webp == NULL || s->jpeg == NULL) {
			srcset_entry_free(s);
			return err_set(e, E_INTERNAL, "out of memory");
		}
		snprintf(s->id, sizeof s->id, "%s", media_id);
		s->at = now;
	}
	out->webp = arena_strdup(a, s->webp);
	out->jpeg = arena_strdup(a, s->jpeg);
	out->src = arena_strdup(a, s->src);
	out->width = s->width;
	out->height = s->height;
	if (out->webp == NULL || out->jpeg == NULL || out->src == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	return E_OK;
}

ecode
media_srcsets_of_owners(arena *a, const media_owner_ref *owners, size_t n,
    media_srcset *out, bool *found, error *e)
{
	const char **types, **ids;
	media_item *items;
	size_t k = 0, nitems;
	db_conn *c;

	if (n > MEDIA_BATCH_MAX)
		return err_set(e, E_INVALID_INPUT, "at most %d owners at once", MEDIA_BATCH_MAX);
	memset(out, 0, n * sizeof *out);
	memset(found, 0, n * sizeof *found);
	types = arena_calloc(a, n ? n : 1, sizeof *types);
	ids = arena_calloc(a, n ? n : 1, sizeof *ids);
	if (types == NULL || ids == NULL)
		return err_set(e, E_INTERNAL, "out of memory");
	/* only well-formed refs reach the query (they become array literals) */
	for (size_t i = 0; i < n; i++)
		if (owner_type_ok(owners[i].owner_type) && owners[i].owner_id != NULL &&
		    uuid_valid(owners[i].owner_id)) {
			types[k] = owners[i].owner_type;
			ids[k++] = owners[i].owner_id;
		}
	if (k == 0)
		return E_OK;
	if ((c = media_db(e)) == NULL ||
	    store_media_first_of_owners(c, a, types, ids, k, &items, &nitems, e) != E_OK)
		return e->code;
	for (size_t j = 0; j < nitems; j++)
		for (size_t i = 0; i < n; i++) {
			if (found[i] || owners[i].owner_id == NULL || owners[i].owner_type == NULL ||
			    strcmp(owners[i].owner_type, items[j].owner_type) != 0 ||
			    strcasecmp(owners[i].owner_id, items[j].owner_id) != 0)
				continue;
			if (srcset_of_item(a, &items[j], &out[i], e) != E_OK)
				return e->code;
			found[i] = true;
		}
	return E_OK;
}

/* A page's image URL back to the item it was made from: an upload's URL
 * names a variant's file (ECOM_MEDIA_URL/u/ab/<sha256>.jpg), which any
 * item sharing those bytes has in the same sizes.  Cached like srcsets. */
static struct url_entry {
	char   *url;
	char    id[37];
	time_t  at;
} url_cache[SRCSET_CACHE];

ecode
media_srcset_of_url(arena *a, const char *url, media_srcset *out, error *e)
{
	size_t plen = strlen(cfg->media_url);
	struct url_entry *u;
	const char *id;
	time_t now = time(NULL);
	db_conn *c;

	memset(out, 0, sizeof *out);
	if (url == NULL || strncmp(url, cfg->media_url, plen) != 0 ||
	    strncmp(url + plen, "/u/", 3) != 0 || strlen(url) > 256)
		return err_set(e, E_NOT_FOUND, "not an uploaded image");
	u = &url_cache[slot_of(url)];
	if (u->url == NULL || strcmp(u->url, url) != 0 || now - u->at > SRCSET_TTL_S) {
		if ((c = media_db(e)) == NULL ||
		    store_media_by_path(c, a, url + plen + 1, &id, e) != E_OK)
			return e->code;
		free(u->url);
		if ((u->url = strdup(url)) == NULL)
			return err_set(e, E_INTERNAL, "out of memory");
		snprintf(u->id, sizeof u->id, "%s", id);
		u->at = now;
	}
	return media_srcset_of(a, u->id, out, e);
}

/* ------------------------------------------------------------ JSON */

json_object *
media_json(const media_item *m)
{
	json_object *o = json_object_new_object(), *urls = json_object_new_object();
	json_object *vs = json_object_new_array();
	char t[21];

	json_object_object_add(o, "id", json_object_new_string(m->id));
	json_object_object_add(o, "owner_type", json_object_new_string(m->owner_type));
	json_object_object_add(o, "owner_id", json_object_new_string(m->owner_id));
	json_object_object_add(o, "alt_text", json_object_new_string(m->alt_text));
	json_object_object_add(o, "sort_order", json_object_new_int(m->sort_order));
	json_object_object_add(o, "source_format", json_object_new_string(m->source_format));
	json_object_object_add(o, "width", json_object_new_int(m->width));
	json_object_object_add(o, "height", json_object_new_int(m->height));
	for (size_t i = 0; i < m->nvariants; i++) {
		const media_variant *v = &m->variants[i];
		json_object *jv = json_object_new_object(), *size;
		char key[16];

		json_object_object_add(jv, "width", json_object_new_int(v->width));
		json_object_object_add(jv, "height", json_object_new_int(v->height));
		json_object_object_add(jv, "format", json_object_new_string(v->format));
		json_object_object_add(jv, "url", json_object_new_string(v->url));
		json_object_object_add(jv, "bytes", json_object_new_int64(v->bytes));
		json_object_array_add(vs, jv);
		snprintf(key, sizeof key, "%d", (int)v->width);
		if (!json_object_object_get_ex(urls, key, &size)) {
			size = json_object_new_object();
			json_object_object_add(urls, key, size);
		}
		json_object_object_add(size, v->format, json_object_new_string(v->url));
	}
	json_object_object_add(o, "urls", urls);
	json_object_object_add(o, "variants", vs);
	time_rfc3339(m->created_at, t);
	json_object_object_add(o, "created_at", json_object_new_string(t));
	return o;
}
