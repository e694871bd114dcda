/*
 * media.h — the media library: uploaded images, their normalised sizes on
 * disk, and their owners (product, category, brand, banner, user).
 *
 * An upload is judged by its bytes, never by its name or declared type:
 *   1. media_sniff() recognises JPEG, PNG, WebP or GIF by magic bytes;
 *      anything else is E_UNSUPPORTED_MEDIA_TYPE (415).
 *   2. media_dimensions() reads the width and height from the format's own
 *      header (PNG IHDR, GIF screen, JPEG SOF, WebP VP8/VP8L/VP8X) without
 *      decoding; more than MEDIA_MAX_SIDE on a side or MEDIA_MAX_PIXELS in
 *      all is refused (413) before any decoder runs, so a decompression
 *      bomb costs a few bytes of parsing.
 *   3. MagickWand pings the image (headers only) and must agree, then
 *      decodes it under explicit resource limits (memory, map, area, width,
 *      height, time, one thread; a bounded disk cache).  A decoder warning
 *      (truncated data, corrupt stream) or error is a 415: a file whose
 *      magic says "GIF" but whose body is HTML is refused here.
 *   4. The first frame is auto-oriented, stripped of metadata (EXIF, GPS,
 *      ICC comments) and resized to each of MEDIA_WIDTHS narrower than the
 *      original plus the original width up to the largest (never upscaled),
 *      each written as WebP and JPEG.
 *   5. Each output is stored content-addressed under ECOM_MEDIA_ROOT as
 *      u/<2 hex>/<sha256>.<webp|jpg> (written to a temporary name in the
 *      same directory, then renamed): server-generated names only; the
 *      uploaded filename is never used.  The web server serves them under
 *      ECOM_MEDIA_URL with a year-long immutable cache lifetime.
 * Nothing is written (no row, no file) when any step refuses.
 *
 * Rows live in the `media` schema; media.uploaded and media.deleted events
 * leave through media.outbox in the same transaction.  A file is unlinked
 * when the last row referring to it is deleted (the same bytes uploaded
 * twice share files).  Upload and delete serialise their file work on one
 * advisory lock, so a delete never unlinks a file an upload just reused.
 *
 * Who may do what (media_actor):
 *   - owner_type product: the product's seller or an admin (E_NOT_FOUND for
 *     a product the caller may not edit, so ids cannot be probed);
 *     category, brand, banner: admins, and the owner must exist
 *     (E_NOT_FOUND naming the id); user: that user or an admin.
 *   - get/update/delete by id: whoever uploaded it, or an admin.
 *   - media_list_owner: anyone (the public API lists an owner's images).
 * For owner_type product an upload also becomes one of the product's
 * images (catalog image_create with media_id, the largest JPEG as url and
 * its width/height), and deleting the media removes that product image:
 * the catalog stays the list of a product's images, media its files.
 */
#ifndef ECOM_MEDIA_H
#define ECOM_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/http.h"

#define MEDIA_MAX_BYTES		(10 * 1024 * 1024)	/* one uploaded file */
#define MEDIA_MAX_SIDE		12000			/* pixels on either side */
#define MEDIA_MAX_PIXELS	(40 * 1000 * 1000)	/* width * height */
#define MEDIA_MAX_FRAMES	200			/* GIF frames, pinged */
#define MEDIA_ALT_MAX		255			/* characters of alt_text */
/* The widths produced (never wider than the original). */
#define MEDIA_NWIDTHS		4
extern const int media_widths[MEDIA_NWIDTHS];	/* 160, 480, 960, 1600 */
/* A route's body limit for an upload form: the file plus its fields. */
#define MEDIA_UPLOAD_BODY_MAX	(MEDIA_MAX_BYTES + 64 * 1024)

typedef enum media_kind {
	MEDIA_UNKNOWN = 0, MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP, MEDIA_GIF
} media_kind;

/* The kind the bytes say they are, by magic number alone. */
media_kind media_sniff(const void *data, size_t len);
const char *media_kind_name(media_kind k);	/* "jpeg", "png", "webp", "gif", "unknown" */
/* Width and height from the kind's header; 0 or -1 if the header is
 * malformed or cut short.  Does not decode anything. */
int media_dimensions(media_kind k, const void *data, size_t len,
    uint32_t *width, uint32_t *height);

typedef struct media_actor {
	const char *user_id;	/* UUID, or NULL for the public */
	role        role;
	const char *request_id;	/* correlation id for events; may be NULL */
} media_actor;

/* The actor of a request (its principal and request id). */
media_actor media_actor_of(const request *req);

typedef struct media_variant {
	int32_t     width, height;
	const char *format;	/* "webp" or "jpeg" */
	const char *url;	/* ECOM_MEDIA_URL + "/u/ab/<sha256>.webp" */
	int64_t     bytes;
} media_variant;

typedef struct media_item {
	const char    *id;
	const char    *owner_type;	/* "product", "category", "brand", "banner", "user" */
	const char    *owner_id;	/* UUID */
	const char    *alt_text;	/* "" when none */
	int32_t        sort_order;
	const char    *source_format;	/* what was uploaded: "jpeg", "png", "webp", "gif" */
	int32_t        width, height;	/* of the largest variant */
	const char    *uploaded_by;	/* user UUID */
	media_variant *variants;	/* by width, then webp before jpeg */
	size_t         nvariants;
	int64_t        created_at;
} media_item;

/*
 * An upload judged, decoded and resized (steps 1-4) but not yet stored:
 * nothing is written until media_upload takes it.  In the arena.  A form
 * that creates its owner in the same request (an admin's banner with its
 * picture) prepares first, so a refused file leaves no owner behind, and
 * can name the owner's picture by URL before the files exist (the URLs
 * are content-addressed).
 */
typedef struct media_prepared media_prepared;

typedef struct media_upload_req {
	const void *data;		/* the file's bytes */
	size_t      len;
	const media_prepared *prepared;	/* from media_prepare(data, len), or NULL */
	const char *owner_type;		/* required */
	const char *owner_id;		/* required, a UUID */
	const char *alt_text;		/* NULL = "" */
	bool        has_sort;		/* else 0 (products: after the last) */
	int32_t     sort_order;
} media_upload_req;

/*
 * Check, decode, normalise and store an upload (the steps above).  E_OK
 * with *out filled; else: E_VALIDATION (owner_type, owner_id, alt_text
 * fields), E_UNSUPPORTED_MEDIA_TYPE (not JPEG/PNG/WebP/GIF by content, or
 * undecodable), E_PAYLOAD_TOO_LARGE (bytes or pixels over the caps),
 * E_FORBIDDEN / E_NOT_FOUND (owner the actor may not change),
 * E_UNAVAILABLE, E_INTERNAL.
 */
ecode media_upload(arena *a, const media_actor *who, const media_upload_req *in,
    media_item *out, error *e);

/*
 * Steps 1-4 of an upload without storing anything: E_VALIDATION (field
 * "file": no bytes), E_PAYLOAD_TOO_LARGE, E_UNSUPPORTED_MEDIA_TYPE as
 * media_upload refuses them.  *out is in the arena; pass it to
 * media_upload as in->prepared with the same bytes.
 */
ecode media_prepare(arena *a, const void *data, size_t len, media_prepared **out, error *e);
/* The URL the largest JPEG of a prepared upload will have once stored,
 * and its size (the URL a catalog row names it by); NULL if out of memory. */
const char *media_prepared_url(arena *a, const media_prepared *p, int32_t *width,
    int32_t *height);

/* One item by id (uploader or admin, else E_NOT_FOUND). */
ecode media_get(arena *a, const media_actor *who, const char *id, media_item *out,
    error *e);

/* An owner's items by sort_order, then upload time (at most 100). */
ecode media_list_owner(arena *a, const char *owner_type, const char *owner_id,
    media_item **out, size_t *n, error *e);

/* Change alt_text and/or sort_order (NULL = keep); uploader or admin. */
ecode media_update(arena *a, const media_actor *who, const char *id,
    const char *alt_text, const int32_t *sort_order, media_item *out, error *e);
ecode media_set_alt(arena *a, const media_actor *who, const char *id,
    const char *alt_text, error *e);
ecode media_set_sort(arena *a, const media_actor *who, const char *id,
    int32_t sort_order, error *e);

/* Delete the row (and a product's image made from it), emit media.deleted,
 * and unlink the files no other row refers to.  Uploader or admin. */
ecode media_delete(arena *a, const media_actor *who, const char *id, error *e);

/*
 * Remove image `image_id` of product `product_id` as the catalog allows
 * (the product's seller or an admin; E_NOT_FOUND otherwise, or for an
 * image not the product's).  An image made from an upload also releases
 * its media item (media.deleted) and unlinks the files no other item uses,
 * whoever uploaded it: the catalog API's and the admin's image removal.
 */
ecode media_delete_product_image(arena *a, const media_actor *who, const char *product_id,
    const char *image_id, error *e);

/*
 * Release every item of an owner that is gone (a deleted category, brand
 * or banner): rows, media.deleted events, unreferenced files.  The caller
 * has already been allowed to delete the owner; no further check.
 * Archiving a product releases nothing (it can be published again, and
 * orders still show it).
 */
ecode media_release_owner(arena *a, const media_actor *who, const char *owner_type,
    const char *owner_id, error *e);

/*
 * For templates: the srcset attributes of a media id, "url 160w, url 480w,
 * ..." for WebP and for JPEG, the largest JPEG as a fallback src and its
 * size.  Read through a small per-process cache (variants never change
 * once stored).  E_NOT_FOUND for an unknown id.
 */
typedef struct media_srcset {
	const char *webp;	/* srcset of the WebP variants */
	const char *jpeg;	/* srcset of the JPEG variants */
	const char *src;	/* the largest JPEG */
	int32_t     width, height;
} media_srcset;
ecode media_srcset_of(arena *a, const char *media_id, media_srcset *out, error *e);
/* The same for an image known only by its URL (a search hit, a cart line):
 * an uploaded variant's URL finds the item; E_NOT_FOUND for any other. */
ecode media_srcset_of_url(arena *a, const char *url, media_srcset *out, error *e);

/*
 * The srcsets of many owners' first images (by sort_order, then upload
 * time, as media_list_owner orders them) in one query: for each
 * owners[i] found[i] says whether it has an upload and out[i] is its
 * srcset (zeroed when not).  n is at most MEDIA_BATCH_MAX; owners with an
 * unknown type or an id that is not a UUID are simply not found.
 */
#define MEDIA_BATCH_MAX 200
typedef struct media_owner_ref {
	const char *owner_type;
	const char *owner_id;
} media_owner_ref;
ecode media_srcsets_of_owners(arena *a, const media_owner_ref *owners, size_t n,
    media_srcset *out, bool *found, error *e);

/* JSON of an item as the API returns it: id, owner_type, owner_id,
 * alt_text, sort_order, source_format, width, height, urls {"160": {"webp":
 * ..., "jpeg": ...}, ...}, variants [...], created_at. */
json_object *media_json(const media_item *m);

/* Initialise MagickWand with the resource limits (once per process; the
 * responders' init calls it).  0 or -1. */
int media_init(void);

#endif
