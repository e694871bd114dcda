/*
 * arena.c — the per-request arena (see arena.h).
 *
 * A singly linked list of chunks; allocation bumps a pointer in the newest
 * chunk and opens a larger one when it does not fit.  Reset runs the
 * deferred destructors newest first, frees every chunk but the first and
 * rewinds it, so a steady stream of small requests never calls malloc.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ALIGN 16

struct chunk {
	struct chunk *next;
	size_t        size;	/* usable bytes after the header */
	size_t        used;
	max_align_t   data[];	/* aligned start of the usable bytes */
};

struct deferred {
	void (*fn)(void *);
	void *p;
	struct deferred *next;
};

struct arena {
	struct chunk    *head;	/* newest chunk first */
	struct chunk    *first;	/* kept across resets */
	struct deferred *defers;
	size_t           chunk;
	size_t           total;	/* bytes handed out */
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk *c;

	if (size > SIZE_MAX - sizeof *c)
		return NULL;
	c = malloc(sizeof *c + size);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

arena *
arena_new(size_t chunk)
{
	arena *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->chunk = chunk < 1024 ? 1024 : chunk;
	a->first = a->head = chunk_new(a->chunk);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

static void
run_defers(arena *a)
{
	while (a->defers != NULL) {
		struct deferred *d = a->defers;
		a->defers = d->next;
		d->fn(d->p);	/* the record itself lives in the arena */
	}
}

void
arena_reset(arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	run_defers(a);
	for (c = a->head; c != NULL && c != a->first; c = next) {
		next = c->next;
		free(c);
	}
	a->head = a->first;
	a->first->next = NULL;
	a->first->used = 0;
	a->total = 0;
}

void
arena_free(arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *
arena_alloc(arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t need, size;

	if (n > SIZE_MAX - ALIGN)
		return NULL;
	need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (need == 0)
		need = ALIGN;
	if (c->size - c->used < need) {
		size = need > a->chunk ? need : a->chunk;
		/* grow geometrically for big requests so many of them stay cheap */
		if (c->size > size && c->size <= SIZE_MAX / 2)
			size = c->size * 2 > need ? c->size * 2 : need;
		c = chunk_new(size);
		if (c == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	a->total += need;
	return p;
}

void *
arena_calloc(arena *a, size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

char *
arena_strndup(arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(arena *a, const char *fmt, va_list ap)
{
	va_list cp;
	char small[256], *p;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof small, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof small)
		return arena_strndup(a, small, (size_t)n);
	p = arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

int
arena_defer(arena *a, void (*fn)(void *), void *p)
{
	struct deferred *d = arena_alloc(a, sizeof *d);

	if (d == NULL) {
		fn(p);
		return -1;
	}
	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
	return 0;
}

size_t
arena_used(const arena *a)
{
	return a->total;
}
