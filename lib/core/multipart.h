/*
 * multipart.h — a streaming, bounded multipart/form-data parser (RFC 7578,
 * RFC 2046 §5.1).
 *
 * The body gate (app.c, BODY_MULTIPART routes) feeds the parser the body
 * as it reads it, in chunks of any size; the whole body is never held in
 * one piece.  Each part's headers are bounded (MP_MAX_HEADER bytes), the
 * number of parts is bounded, text fields are bounded and must be valid
 * UTF-8 without NUL, and the total is bounded by the caller's limit.  Any
 * refusal is a typed error naming the problem: 400 for malformed input,
 * 413 for a bound crossed, 415 for a body that is not multipart/form-data.
 *
 * What the parser keeps, in the request arena:
 *   - every part: field name, the filename as sent (or NULL when the part
 *     has no filename parameter), the declared Content-Type (or ""), and
 *     its bytes (NUL-terminated one past len for convenience);
 *   - nothing else: the preamble, the epilogue and unknown part headers
 *     are dropped.
 *
 * The filename and the declared type are the client's words: they are
 * never used as a path or trusted for the content's kind (lib/media sniffs
 * the bytes and names files itself).  Filenames are refused if they hold
 * control characters (CR, LF, NUL, ...) or invalid UTF-8.
 */
#ifndef ECOM_MULTIPART_H
#define ECOM_MULTIPART_H

#include <stddef.h>

#include "arena.h"
#include "error.h"

#define MP_MAX_BOUNDARY	70		/* RFC 2046 */
#define MP_MAX_PARTS	32
#define MP_MAX_HEADER	4096		/* one part's header block */
#define MP_MAX_FIELD	(64 * 1024)	/* a part without a filename */
#define MP_MAX_NAME	256		/* field name and filename, bytes */

typedef struct mp_part {
	const char *name;		/* the form field name, never NULL */
	const char *filename;		/* as sent, or NULL: a plain field */
	const char *content_type;	/* as sent, or "" */
	const char *data;		/* len bytes, plus a NUL */
	size_t      len;
} mp_part;

typedef struct mp_limits {
	size_t max_total;	/* bytes of the whole body; 0 = no bound here */
	size_t max_parts;	/* 0 = MP_MAX_PARTS */
	size_t max_field;	/* 0 = MP_MAX_FIELD */
} mp_limits;

/*
 * The boundary parameter of a Content-Type header that must be
 * multipart/form-data.  Returns E_OK with out (MP_MAX_BOUNDARY + 1 bytes)
 * filled, or E_UNSUPPORTED_MEDIA_TYPE (another type) or E_INVALID_INPUT
 * (no boundary, or one with characters RFC 2046 does not allow).
 */
ecode mp_boundary(const char *content_type, char *out, error *e);

typedef struct mp_parser mp_parser;

/* A parser for one body, allocated in the arena; NULL with e filled. */
mp_parser *mp_new(arena *a, const char *boundary, const mp_limits *lim, error *e);
/* Feed the next n bytes (n may be 0).  After an error the parser refuses
 * further input with the same error. */
ecode mp_feed(mp_parser *p, const char *data, size_t n, error *e);
/* End of input: E_OK only if the closing delimiter was seen.  The parts
 * (arena-owned) and their count are returned in order of arrival. */
ecode mp_finish(mp_parser *p, mp_part **parts, size_t *nparts, error *e);

/* The whole body at once: mp_boundary + mp_new + mp_feed + mp_finish. */
ecode mp_parse(arena *a, const char *content_type, const char *body, size_t len,
    const mp_limits *lim, mp_part **parts, size_t *nparts, error *e);

/* The first part named `name`, or NULL. */
const mp_part *mp_find(const mp_part *parts, size_t n, const char *name);

#endif
