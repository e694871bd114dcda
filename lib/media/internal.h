/*
 * internal.h — shared between the files of lib/media only.
 */
#ifndef ECOM_MEDIA_INTERNAL_H
#define ECOM_MEDIA_INTERNAL_H

#include <stdint.h>	/* before core/db.h */

#include "core/db.h"
#include "media/media.h"

#define MEDIA_DOMAIN "media"
#define MEDIA_MAX_OUTPUTS (MEDIA_NWIDTHS * 2)

/* One encoded size, in the arena. */
typedef struct media_out {
	int32_t        width, height;
	const char    *format;		/* "webp" or "jpeg" */
	unsigned char *data;
	size_t         len;
	char           path[80];	/* "u/ab/<sha256>.webp", relative to the root */
} media_out;

/*
 * Steps 2-4 of media.h for bytes already sniffed as k: header dimensions
 * and caps, ping, decode under limits, orient, strip, resize, encode.
 * Fills outs (MEDIA_MAX_OUTPUTS) and the largest size made.
 */
ecode media_image_process(arena *a, const void *data, size_t len, media_kind k,
    media_out *outs, size_t *nout, int32_t *width, int32_t *height, error *e);

/* The widths made from an original `w` pixels wide (media.h step 4). */
size_t media_plan_widths(uint32_t w, int out[MEDIA_NWIDTHS]);

/* ------------------------------------------------------------ files.c */

/* Write each output under the media root unless the same file exists;
 * created[i] says whether this call made it.  On failure nothing it made
 * is left behind. */
ecode media_files_write(media_out *outs, size_t n, bool *created, error *e);
/* Unlink root/path; a missing file is not an error. */
void media_file_unlink(const char *path);

/* ------------------------------------------------------------ store.c */

db_conn *media_db(error *e);
ecode store_media_lock(db_conn *c, arena *a, error *e);
ecode store_media_insert(db_conn *c, arena *a, const char *id, const media_upload_req *in,
    const char *uploaded_by, media_kind k, int32_t w, int32_t h, error *e);
ecode store_media_variant(db_conn *c, arena *a, const char *id, const media_out *o, error *e);
/* E_NOT_FOUND when there is no such row. */
ecode store_media_get(db_conn *c, arena *a, const char *id, bool lock, media_item *out, error *e);
ecode store_media_list_owner(db_conn *c, arena *a, const char *owner_type,
    const char *owner_id, media_item **out, size_t *n, error *e);
/* The first item (list_owner's order) of each (types[i], ids[i]) that has
 * one, in one statement; types and ids are checked by the caller. */
ecode store_media_first_of_owners(db_conn *c, arena *a, const char *const *types,
    const char *const *ids, size_t n, media_item **out, size_t *nout, error *e);
ecode store_media_update(db_conn *c, arena *a, const char *id, const char *alt,
    const int32_t *sort, error *e);
/* Delete the row; the paths it used that no other row uses now. */
/* The id of an item with a variant stored at path (u/ab/<sha256>.jpg). */
ecode store_media_by_path(db_conn *c, arena *a, const char *path, const char **id, error *e);
ecode store_media_delete(db_conn *c, arena *a, const char *id, const char ***orphans,
    size_t *n, error *e);
ecode store_media_emit(db_conn *c, arena *a, const media_actor *who, const char *type,
    const media_item *m, error *e);

#endif
