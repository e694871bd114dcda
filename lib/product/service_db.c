/*
 * service_db.c — what the service files share around the database: the
 * catalog connection, turning a constraint the database reported into a
 * field error the client can act on, and race-safe inserts of rows with
 * unique slugs.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "product/internal.h"

db_conn *
catalog_db(error *e)
{
	return db_for(CATALOG_DOMAIN, e);
}

ecode
catalog_fail(error *e, ecode code)
{
	if (e->code == E_OK)
		err_set(e, code, "the catalog could not complete the request");
	return e->code;
}

/* Constraint names (sql/catalog/001_init.sql) -> JSON field names. */
static const struct {
	const char *constraint;
	const char *field;
	const char *message;
	ecode       code;
} constraint_map[] = {
	{ "products_slug_key", "slug", "is already used by another product", E_ALREADY_EXISTS },
	{ "products_brand_id_fkey", "brand_id", "no such brand", E_VALIDATION },
	{ "products_category_id_fkey", "category_id", "no such category", E_VALIDATION },
	{ "variants_sku_key", "sku", "is already used by another variant", E_ALREADY_EXISTS },
	{ "images_variant_fkey", "variant_id", "no such variant of this product", E_VALIDATION },
	{ "images_one_primary_key", "is_primary", "another image became primary at the same time; retry", E_CONFLICT },
	{ "categories_slug_key", "slug", "is already used by another category", E_ALREADY_EXISTS },
	{ "categories_parent_id_fkey", "parent_id", "no such category", E_VALIDATION },
	{ "categories_no_cycle", "parent_id", "cannot be the category itself or one of its descendants", E_VALIDATION },
	{ "categories_not_own_parent", "parent_id", "cannot be the category itself", E_VALIDATION },
	{ "categories_max_depth", "parent_id", "would nest categories deeper than 8 levels", E_VALIDATION },
	{ "brands_slug_key", "slug", "is already used by another brand", E_ALREADY_EXISTS },
	{ "banners_window", "ends_at", "must be after starts_at", E_VALIDATION },
	{ "reviews_user_product_key", NULL, "you have already reviewed this product", E_ALREADY_EXISTS },
};

ecode
catalog_map_constraint(db_conn *c, error *e)
{
	const char *name = db_last_constraint(c);

	for (size_t i = 0; name && *name && i < sizeof constraint_map / sizeof constraint_map[0]; i++) {
		if (strcmp(name, constraint_map[i].constraint) != 0)
			continue;
		err_clear(e);
		/* err_field makes the code VALIDATION_ERROR; a 409 keeps the
		 * field but takes its own code and message afterwards. */
		if (constraint_map[i].field)
			err_field(e, constraint_map[i].field, "%s", constraint_map[i].message);
		if (constraint_map[i].code != E_VALIDATION)
			err_set(e, constraint_map[i].code, "%s%s%s",
			    constraint_map[i].field ? constraint_map[i].field : "",
			    constraint_map[i].field ? " " : "", constraint_map[i].message);
		return e->code;
	}
	return catalog_fail(e, E_INTERNAL);
}

/* ------------------------------------------------------------ slugged inserts */

/* A small random number below n (n > 0); spreading retries needs no
 * cryptographic quality, only different values in different processes. */
static unsigned
rand_below(unsigned n)
{
	unsigned r = 0;

	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned)getpid();
	return r % n;
}

ecode
catalog_insert_slugged(db_conn *c, arena *a, slug_table t,
    const char *explicit_slug, const char *name, const char *fallback,
    slug_insert_fn fn, void *ud, error *e)
{
	const char *base;
	bool        inserted = false;

	if (explicit_slug) {
		if (fn(c, a, explicit_slug, ud, &inserted, e) != E_OK)
			return e->code;
		if (!inserted) {
			err_field(e, "slug", "is already taken");
			err_set(e, E_ALREADY_EXISTS, "slug is already taken");
		}
		return e->code;
	}
	if (!(base = slug_base(a, name, fallback)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int attempt = 0; attempt < SLUG_ATTEMPTS && !inserted; attempt++) {
		const char **taken;
		size_t       ntaken;
		char        *slug;
		unsigned     skip;

		if (store_slugs_taken(c, a, t, base, &taken, &ntaken, e) != E_OK)
			return e->code;
		/* After a lost race, spread the racers over the next few free
		 * suffixes instead of all retrying the same smallest one. */
		skip = attempt == 0 ? 0 : (unsigned)(rand_below(2u * (unsigned)attempt + 2u));
		if (!(slug = slug_unique_nth(a, base, taken, ntaken, skip)))
			return err_set(e, E_INTERNAL, "out of memory");
		if (fn(c, a, slug, ud, &inserted, e) != E_OK)
			return e->code;
	}
	if (!inserted)
		return err_set(e, E_CONFLICT, "could not find a free slug; retry");
	return E_OK;
}
