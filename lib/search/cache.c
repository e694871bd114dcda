/*
 * cache.c — the facet counts of recent queries, per process.
 *
 * Counting facets over a whole shop is the one expensive part of a search
 * without words (every document is counted once per facet), and the same
 * few such pages — a category, "everything" — are asked for again and
 * again.  Each process keeps the facet rows of its last FCACHE_SLOTS
 * queries, keyed by the filters and stamped with the index generation
 * (the sequence search.generation, which the indexer advances after every
 * change it commits).  An entry is used only while the generation is the
 * one it was counted at, so the counts are exactly those a fresh query
 * would give, at the cost of reading the generation (one tiny statement).
 * FCACHE_TTL_US bounds what the generation cannot see: a change whose
 * advance was lost (the database went away between the commit and the
 * advance) or rows written behind the indexer's back.
 *
 * Ownership: each entry owns an arena; a hit is copied into the request's
 * arena, so evicting never leaves a request holding freed memory.
 * FastCGI responders are single-threaded: no locking.
 */
#include <string.h>

#include "core/util.h"
#include "search/internal.h"

#define FCACHE_SLOTS	64
#define FCACHE_TTL_US	(60ULL * 1000 * 1000)
#define FCACHE_KEY_MAX	4096

typedef struct fslot {
	char             *key;		/* NULL: empty */
	int64_t           gen;
	uint64_t          stored_us, used_us;
	search_facet_row *rows;
	size_t            n;
	arena            *mem;		/* owns key and rows */
} fslot;

static fslot slots[FCACHE_SLOTS];

static const char *
dup_or_null(arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* rows copied into a; NULL on OOM. */
static search_facet_row *
copy_rows(arena *a, const search_facet_row *rows, size_t n)
{
	search_facet_row *out = arena_calloc(a, n ? n : 1, sizeof *out);

	for (size_t i = 0; out && i < n; i++) {
		out[i] = rows[i];
		out[i].kind = dup_or_null(a, rows[i].kind);
		out[i].value = dup_or_null(a, rows[i].value);
		out[i].label = dup_or_null(a, rows[i].label);
		out[i].parent = dup_or_null(a, rows[i].parent);
		if ((rows[i].kind && !out[i].kind) || (rows[i].value && !out[i].value) ||
		    (rows[i].label && !out[i].label) || (rows[i].parent && !out[i].parent))
			return NULL;
	}
	return out;
}

bool
search_fcache_get(arena *a, const char *key, int64_t gen, search_facet_row **rows, size_t *n)
{
	uint64_t now = now_us();

	for (size_t i = 0; key && i < FCACHE_SLOTS; i++) {
		fslot *s = &slots[i];

		if (!s->key || s->gen != gen || strcmp(s->key, key) != 0 ||
		    now - s->stored_us > FCACHE_TTL_US)
			continue;
		if (!(*rows = copy_rows(a, s->rows, s->n)))
			return false;
		*n = s->n;
		s->used_us = now;
		return true;
	}
	return false;
}

void
search_fcache_put(const char *key, int64_t gen, const search_facet_row *rows, size_t n)
{
	fslot *victim = &slots[0];
	arena *mem;

	if (!key || strlen(key) > FCACHE_KEY_MAX)
		return;
	for (size_t i = 0; i < FCACHE_SLOTS; i++) {
		if (!slots[i].key || strcmp(slots[i].key, key) == 0) {
			victim = &slots[i];
			break;
		}
		if (slots[i].used_us < victim->used_us)
			victim = &slots[i];
	}
	if (!(mem = arena_new(8192)))
		return;
	if (victim->mem)
		arena_free(victim->mem);
	memset(victim, 0, sizeof *victim);
	victim->key = arena_strdup(mem, key);
	victim->rows = copy_rows(mem, rows, n);
	if (!victim->key || !victim->rows) {
		arena_free(mem);
		memset(victim, 0, sizeof *victim);
		return;
	}
	victim->mem = mem;
	victim->n = n;
	victim->gen = gen;
	victim->stored_us = victim->used_us = now_us();
}
