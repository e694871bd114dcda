/*
 * cache.c — the catalog's per-process read cache.
 *
 * The storefront's hot reads (a product page, a page of products, the
 * category tree, the banners) are the same for every anonymous visitor, and
 * one PostgreSQL round trip per request costs more CPU than the whole
 * FastCGI request around it.  So each process keeps recent answers of the
 * published-only views for at most ECOM_CACHE_TTL seconds (0 disables).
 *
 * Coherence: every catalog write bumps a generation counter after it
 * commits; an entry remembers the generation read before its query ran and
 * is dropped once the counter has moved.  The counter lives in POSIX shared
 * memory named after the catalog's database, so all processes on a host see
 * a write at once; the TTL only bounds what the counter cannot see (edits
 * made with psql, other hosts).  Without shared memory the counter is
 * per-process and the TTL is the bound.
 *
 * Ownership: entries live in their own arenas; a hit is copied into the
 * request's arena, so evicting an entry never leaves a request holding
 * freed memory.  FastCGI responders are single-threaded: no locking.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "core/util.h"
#include "product/internal.h"

#define CACHE_SLOTS	128
#define CACHE_KEY_MAX	512

typedef struct slot {
	uint64_t    hash;
	cache_kind  kind;
	char       *key;
	arena      *mem;	/* owns key and value */
	const void *val;
	size_t      n;
	uint64_t    gen;
	uint64_t    expires_us;
	uint64_t    used_us;
} slot;

static slot      slots[CACHE_SLOTS];
static uint64_t  local_gen;
static uint64_t *shared_gen;
static int       shared_tried;

/* ------------------------------------------------------------ the generation */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Map the host-wide counter once; on failure fall back to the local one. */
static uint64_t *
generation(void)
{
	const char *db;
	char        name[64];
	int         fd;
	void       *p;

	if (shared_tried)
		return shared_gen ? shared_gen : &local_gen;
	shared_tried = 1;
	db = config_raw("ECOM_DB_URL_CATALOG");
	if (!db && cfg)
		db = cfg->db_url;
	/* One counter per catalog database, so two shops on a host (or a test
	 * stack next to a dev stack) never invalidate each other. */
	snprintf(name, sizeof name, "/ecom-catalog-%016llx", (unsigned long long)fnv1a(db));
	fd = shm_open(name, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)sizeof(uint64_t)) != 0) {
		log_msg(LOG_WARN, "catalog cache: no shared generation (%s); "
		    "other processes' writes show after ECOM_CACHE_TTL", name);
		if (fd >= 0)
			close(fd);
		return &local_gen;
	}
	p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return &local_gen;
	shared_gen = p;
	return shared_gen;
}

uint64_t
catalog_cache_generation(void)
{
	return __atomic_load_n(generation(), __ATOMIC_ACQUIRE);
}

void
catalog_cache_bump(void)
{
	__atomic_fetch_add(generation(), 1, __ATOMIC_ACQ_REL);
}

ecode
catalog_written(ecode rc)
{
	if (rc == E_OK)
		catalog_cache_bump();
	return rc;
}

/* ------------------------------------------------------------ slots */

static uint64_t
ttl_us(void)
{
	return cfg && cfg->cache_ttl_s > 0 ? (uint64_t)cfg->cache_ttl_s * 1000000u : 0;
}

static void
evict(slot *s)
{
	arena_free(s->mem);
	memset(s, 0, sizeof *s);
}

static slot *
find(cache_kind kind, const char *key, uint64_t h)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (slots[i].mem && slots[i].hash == h && slots[i].kind == kind &&
		    strcmp(slots[i].key, key) == 0)
			return &slots[i];
	return NULL;
}

bool
cache_get(cache_kind kind, const char *key, const void **val, size_t *n)
{
	uint64_t h, now;
	slot    *s;

	if (ttl_us() == 0 || !key || strlen(key) > CACHE_KEY_MAX)
		return false;
	h = fnv1a(key);
	if (!(s = find(kind, key, h)))
		return false;
	now = now_us();
	if (s->gen != catalog_cache_generation() || now >= s->expires_us) {
		evict(s);
		return false;
	}
	s->used_us = now;
	*val = s->val;
	*n = s->n;
	return true;
}

/* An empty slot, else an expired or stale one, else the least recently used. */
static slot *
victim(uint64_t now, uint64_t gen)
{
	slot *lru = &slots[0];

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		slot *s = &slots[i];

		if (!s->mem || s->gen != gen || now >= s->expires_us)
			return s;
		if (s->used_us < lru->used_us)
			lru = s;
	}
	return lru;
}

void
cache_put(cache_kind kind, const char *key, uint64_t gen_before,
    cache_copy_fn copy, const void *val, size_t n)
{
	uint64_t now = now_us(), h;
	slot    *s;

	/* A write since the query began may have changed what it read. */
	if (ttl_us() == 0 || !key || strlen(key) > CACHE_KEY_MAX ||
	    gen_before != catalog_cache_generation())
		return;
	h = fnv1a(key);
	if (!(s = find(kind, key, h)))
		s = victim(now, gen_before);
	evict(s);
	if (!(s->mem = arena_new(4096)))
		return;
	s->key = arena_strdup(s->mem, key);
	s->val = s->key ? copy(s->mem, val, n) : NULL;
	if (!s->val) {		/* out of memory: simply not cached */
		evict(s);
		return;
	}
	s->hash = h;
	s->kind = kind;
	s->n = n;
	s->gen = gen_before;
	s->expires_us = now + ttl_us();
	s->used_us = now;
}

void
cache_clear(void)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (slots[i].mem)
			evict(&slots[i]);
}

/* ------------------------------------------------------------ response bodies */

/* Bodies above this are rebuilt each time rather than held per process. */
#define BODY_MAX (256 * 1024)

const char *
catalog_body_get(arena *a, const char *key)
{
	const void *val;
	size_t      n;

	if (!cache_get(CK_BODY, key, &val, &n))
		return NULL;
	return copy_text(a, val, n);
}

void
catalog_body_put(const char *key, uint64_t gen_before, const char *body)
{
	size_t n = body ? strlen(body) : 0;

	if (n > 0 && n <= BODY_MAX)
		cache_put(CK_BODY, key, gen_before, copy_text, body, n);
}
