/*
 * cache.c — availability for display, kept per process for a few seconds
 * (inventory.h).
 *
 * A product page shows "In stock" / "Only 3 left" for its variants; reading
 * that from PostgreSQL on every view costs more than the rest of the page
 * (README, Performance).  The shown figure may lag the database by
 * INV_DISPLAY_TTL_S; nothing that takes stock reads it — the cart, the
 * reservation and the checkout always ask the database.
 */
#include <string.h>
#include <time.h>

#include "inventory/inventory.h"

#define SLOTS 4096	/* variants remembered per process; a power of two */

static struct slot {
	char    product_id[37], variant_id[37];
	int64_t available;
	bool    tracked;
	time_t  until;
} slots[SLOTS];

static struct slot *
slot_of(const char *variant_id)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (const char *p = variant_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &slots[h & (SLOTS - 1)];
}

static bool
fresh(const struct slot *s, const inv_item *it, time_t now)
{
	return s->until > now && strcmp(s->variant_id, it->variant_id) == 0 &&
	    strcmp(s->product_id, it->product_id) == 0;
}

static void
fill(inv_availability *out, const inv_item *it, int64_t available, bool tracked)
{
	int64_t want = it->quantity > 0 ? it->quantity : 1;

	out->product_id = it->product_id;
	out->variant_id = it->variant_id;
	out->tracked = tracked;
	out->available = available;
	out->in_stock = tracked && available >= want;
}

ecode
inventory_availability_display(arena *a, const inv_item *items, size_t n,
    inv_availability *out, error *e)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < n && fresh(slot_of(items[i].variant_id), &items[i], now); i++)
		;
	if (i == n) {
		for (i = 0; i < n; i++) {
			const struct slot *s = slot_of(items[i].variant_id);
			fill(&out[i], &items[i], s->available, s->tracked);
		}
		return E_OK;
	}
	if (inventory_availability(a, items, n, out, e) != E_OK)
		return e->code;
	for (i = 0; i < n; i++) {
		struct slot *s = slot_of(items[i].variant_id);

		if (strlen(items[i].variant_id) != 36 || strlen(items[i].product_id) != 36)
			continue;
		memcpy(s->product_id, items[i].product_id, 37);
		memcpy(s->variant_id, items[i].variant_id, 37);
		s->available = out[i].available;
		s->tracked = out[i].tracked;
		s->until = now + INV_DISPLAY_TTL_S;
	}
	return E_OK;
}
