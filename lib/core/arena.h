/*
 * arena.h — the per-request memory arena.
 *
 * Every allocation a request makes comes from its arena and is released in
 * one place, arena_reset(), at the end of the FastCGI loop iteration.  Chunks
 * are malloc'd as needed; reset keeps the first chunk so a steady stream of
 * requests allocates nothing from the system.  Objects that need their own
 * destructor (json-c values, PGresults) register it with arena_defer().
 *
 * All functions return NULL on allocation failure; callers turn that into a
 * 500 for the request, never an abort of the process.
 */
#ifndef ECOM_ARENA_H
#define ECOM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

/* A new arena whose chunks are at least `chunk` bytes.  Owned by the caller. */
arena *arena_new(size_t chunk);
/* Release everything, including the arena itself.  NULL is ignored. */
void arena_free(arena *a);
/* Run deferred destructors (newest first), free all chunks but the first. */
void arena_reset(arena *a);

/* `n` bytes aligned to 16, uninitialised; NULL on failure or overflow. */
void *arena_alloc(arena *a, size_t n);
/* `n * size` zeroed bytes, the multiplication checked for overflow. */
void *arena_calloc(arena *a, size_t n, size_t size);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Call fn(p) at the next reset or free.  Returns 0, or -1 if out of memory
 * (in which case fn(p) is called at once so nothing leaks). */
int arena_defer(arena *a, void (*fn)(void *), void *p);

/* Bytes currently handed out (for tests and the request log). */
size_t arena_used(const arena *a);

#endif
