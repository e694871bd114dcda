/*
 * csv.c — the catalog as CSV: export, and import that checks every row
 * before it changes anything (product.h, catalog_csv_*).
 *
 * One row per variant (a product without variants has one row with the
 * variant columns empty).  The product's columns repeat on each of its
 * rows and must agree.  Prices are in major units ("19.90"); attributes are
 * "key=value; key=value".  The import is two passes over the file:
 *
 *   1. every row is parsed and validated with the same rules as the API
 *      (product_input_validate, variant_input_validate), category and brand
 *      slugs and ownership are checked against the catalog, and every
 *      problem is reported by line and column;
 *   2. only when nothing is wrong, all rows are applied in one
 *      transaction: products by slug and variants by SKU are updated or
 *      created, and each product touched emits one product.created or
 *      product.updated event.
 *
 * So an import either changes everything it says or nothing at all.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/csv.h"
#include "core/parse.h"
#include "core/util.h"
#include "product/internal.h"

enum col {
	C_SLUG, C_NAME, C_DESCRIPTION, C_STATUS, C_CATEGORY, C_BRAND, C_CURRENCY,
	C_BASE_PRICE, C_SKU, C_VARIANT_NAME, C_VARIANT_PRICE, C_ATTRIBUTES, C_WEIGHT,
	C_ACTIVE, C__N
};

static const char *const col_names[C__N] = {
	"product_slug", "product_name", "description", "status", "category_slug",
	"brand_slug", "currency", "base_price", "sku", "variant_name", "variant_price",
	"attributes", "weight_grams", "active",
};

/* Without these an import cannot create what it names. */
static const enum col required[] = { C_SLUG, C_NAME, C_CURRENCY, C_BASE_PRICE };

/* ------------------------------------------------------------ export */

/* "key=value; key=value" of a variant's attributes JSON. */
static const char *
attrs_text(arena *a, const char *json)
{
	json_object *o = json != NULL ? json_tokener_parse(json) : NULL;
	buf b = BUF_INIT;
	const char *s;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return "";
	}
	json_object_object_foreach(o, k, v) {
		if (b.len)
			buf_puts(&b, "; ");
		buf_printf(&b, "%s=%s", k, json_object_get_string(v));
	}
	json_object_put(o);
	s = arena_strdup(a, b.len ? b.data : "");
	buf_free(&b);
	return s;
}

static const char *
money_text(arena *a, const PGresult *r, int row, int col, const char *currency)
{
	return db_val(r, row, col) == NULL ? "" :
	    decimal_format(a, db_i64(r, row, col), currency_digits(currency));
}

ecode
catalog_csv_export(arena *a, const catalog_actor *who, catalog_csv_out out, void *ud,
    error *e)
{
	const char *seller, *after_slug = "", *after_sku = "";
	buf b = BUF_INIT;
	db_conn *c;
	int n;

	if (!who || !who->user_id || who->role < ROLE_SELLER)
		return err_set(e, E_FORBIDDEN, "only sellers and admins can export the catalog");
	seller = catalog_is_admin(who) ? NULL : who->user_id;
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	for (int i = 0; i < C__N; i++)
		csv_put(&b, col_names[i], i == 0);
	csv_end(&b);
	do {
		PGresult *r;

		if (store_csv_export_page(c, a, seller, after_slug, after_sku, &r, e) != E_OK)
			break;
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			const char *cur = db_val(r, i, 6), *wt = db_val(r, i, 12);
			bool has_variant = db_val(r, i, 8)[0] != '\0';
			const char *f[C__N] = {
				db_val(r, i, 0), db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3),
				db_val(r, i, 4) ? db_val(r, i, 4) : "",
				db_val(r, i, 5) ? db_val(r, i, 5) : "", cur,
				money_text(a, r, i, 7, cur), db_val(r, i, 8),
				has_variant ? db_val(r, i, 9) : "", money_text(a, r, i, 10, cur),
				has_variant ? attrs_text(a, db_val(r, i, 11)) : "", wt ? wt : "",
				!has_variant ? "" : db_bool(r, i, 13) ? "true" : "false",
			};

			for (int k = 0; k < C__N; k++)
				csv_put(&b, f[k] != NULL ? f[k] : "", k == 0);
			csv_end(&b);
		}
		if (n > 0) {
			after_slug = db_val(r, n - 1, 0);
			after_sku = db_val(r, n - 1, 8);
		}
		if (b.oom) {
			err_set(e, E_INTERNAL, "out of memory");
			break;
		}
		if (out(ud, b.data, b.len) != 0) {
			err_set(e, E_UNAVAILABLE, "the export could not be written");
			break;
		}
		buf_reset(&b);
	} while (n == CSV_EXPORT_PAGE);
	buf_free(&b);
	return e->code;
}

/* ------------------------------------------------------------ import: rows */

/* A string -> index map in the arena (open addressing), so a file of
 * CATALOG_CSV_ROWS_MAX rows is checked in linear time. */
typedef struct strmap {
	arena       *a;
	const char **keys;
	size_t      *vals;
	size_t       cap, n;
} strmap;

static size_t
hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The value of key; when absent, insert val (SIZE_MAX: only look) and
 * return it.  Keys must outlive the map (arena strings). */
static size_t
strmap_put(strmap *m, const char *key, size_t val)
{
	size_t i;

	if (m->cap == 0 || (m->n + 1) * 2 > m->cap) {
		strmap old = *m;

		m->cap = old.cap ? old.cap * 2 : 1024;
		m->n = 0;
		m->keys = arena_calloc(m->a, m->cap, sizeof *m->keys);
		m->vals = arena_calloc(m->a, m->cap, sizeof *m->vals);
		if (m->keys == NULL || m->vals == NULL) {
			*m = old;	/* out of memory: keep answering from the old table */
			return val;
		}
		for (size_t k = 0; k < old.cap; k++)
			if (old.keys[k] != NULL)
				strmap_put(m, old.keys[k], old.vals[k]);
	}
	for (i = hash(key) & (m->cap - 1); m->keys[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->keys[i], key) == 0)
			return m->vals[i];
	if (val == SIZE_MAX)
		return val;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return val;
}

/* One row, parsed. */
typedef struct row {
	size_t        line;
	const char   *cells[C__N];	/* NULL: column absent from the file */
	product_input p;
	variant_input v;
	bool          has_variant;
	size_t        first;	/* index of the first row of the same product */
} row;

typedef struct import {
	arena                *a;
	const catalog_actor  *who;
	int                   cols[C__N];	/* file column of each, -1 absent */
	size_t                ncols;		/* in the header row */
	strmap                slugs, skus;	/* first row of each product / SKU */
	strmap                product_index, variant_index;	/* rows of the results */
	row                  *rows;
	size_t                n;
	catalog_csv_report   *rep;
	PGresult             *taxonomy, *products, *variants;
} import;

static bool
report(import *im, size_t line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Add a problem; false once the report is full (the caller stops). */
static bool
report(import *im, size_t line, const char *column, const char *fmt, ...)
{
	catalog_csv_report *rep = im->rep;
	va_list ap;

	if (rep->nerrors >= CATALOG_CSV_ERRORS_MAX) {
		rep->truncated = true;
		return false;
	}
	va_start(ap, fmt);
	rep->errors[rep->nerrors].line = line;
	rep->errors[rep->nerrors].column = column;
	rep->errors[rep->nerrors].message = arena_vprintf(im->a, fmt, ap);
	va_end(ap);
	rep->nerrors++;
	return true;
}

/* The validation errors of e as row problems (field names mapped to the
 * file's column names). */
static void
report_fields(import *im, size_t line, const error *e, bool variant)
{
	static const struct { const char *field; enum col col; } map[] = {
		{ "name", C_NAME }, { "description", C_DESCRIPTION }, { "slug", C_SLUG },
		{ "status", C_STATUS }, { "currency", C_CURRENCY }, { "base_price", C_BASE_PRICE },
		{ "sku", C_SKU }, { "price", C_VARIANT_PRICE }, { "attributes", C_ATTRIBUTES },
		{ "weight_grams", C_WEIGHT },
	};

	if (e->nfields == 0) {
		report(im, line, "", "%s", e->message);
		return;
	}
	for (int i = 0; i < e->nfields; i++) {
		const char *col = e->fields[i].name;

		for (size_t k = 0; k < sizeof map / sizeof *map; k++)
			if (strcmp(map[k].field, col) == 0)
				col = col_names[map[k].col];
		if (variant && strcmp(e->fields[i].name, "name") == 0)
			col = col_names[C_VARIANT_NAME];
		report(im, line, col, "%s", e->fields[i].message);
	}
}

const char *
variant_attrs_from_text(arena *a, const char *s)
{
	json_object *o = json_object_new_object();
	const char *res = NULL;

	while (o != NULL && *s) {
		size_t n = strcspn(s, ";"), kn, vn;
		const char *eq = memchr(s, '=', n), *k, *v;

		if (strspn(s, " ") >= n) {	/* "a=1;" or ";;" */
			s += n + (s[n] == ';');
			continue;
		}
		if (eq == NULL)
			goto out;
		k = s + strspn(s, " ");
		kn = (size_t)(eq - k);
		while (kn > 0 && k[kn - 1] == ' ')
			kn--;
		v = eq + 1 + strspn(eq + 1, " ");
		if (v > s + n)		/* "k=" with the spaces running into ';' */
			v = s + n;
		vn = (size_t)(s + n - v);
		while (vn > 0 && v[vn - 1] == ' ')
			vn--;
		json_object_object_add(o, arena_strndup(a, k, kn), json_object_new_string_len(v,
		    (int)vn));
		s += n + (s[n] == ';');
	}
	if (o != NULL)
		res = arena_strdup(a, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
out:
	json_object_put(o);
	return res;
}

/* The attributes cell as JSON; NULL with a reported problem. */
static const char *
attrs_json(import *im, size_t line, const char *s)
{
	const char *res = variant_attrs_from_text(im->a, s);

	if (res == NULL)
		report(im, line, col_names[C_ATTRIBUTES], "write attributes as key=value; key=value");
	return res;
}

static const char *
cell(const row *r, enum col c)
{
	return r->cells[c];
}

static bool
given(const row *r, enum col c)
{
	return r->cells[c] != NULL && r->cells[c][0] != '\0';
}

/* The id of a category ('c') or brand ('b') slug, or NULL. */
static const char *
taxonomy_id(const import *im, char kind, const char *slug)
{
	for (int i = 0; i < PQntuples(im->taxonomy); i++)
		if (db_val(im->taxonomy, i, 0)[0] == kind && strcmp(db_val(im->taxonomy, i, 1), slug) == 0)
			return db_val(im->taxonomy, i, 2);
	return NULL;
}

/* An amount column in the row's currency; false (reported) if bad. */
static bool
amount(import *im, row *r, enum col c, int64_t *out)
{
	int digits = currency_digits(given(r, C_CURRENCY) ? cell(r, C_CURRENCY) : "");

	if (digits < 0)
		return false;	/* the currency is reported on its own */
	if (parse_decimal(cell(r, c), digits, PRODUCT_PRICE_MAX / 100, out) != 0) {
		report(im, r->line, col_names[c], "\"%s\" is not an amount such as 19.90"
		    " (at most %d decimals, no currency sign)", cell(r, c), digits);
		return false;
	}
	return true;
}

/* Parse row r's cells into its product and variant inputs. */
static void
parse_row(import *im, row *r)
{
	const error none = { 0 };
	error e = none;
	int64_t v;
	bool b;

	r->p.set = PI_NAME | PI_SLUG | PI_CURRENCY | PI_BASE_PRICE;
	r->p.slug = cell(r, C_SLUG);
	r->p.name = cell(r, C_NAME);
	r->p.currency = cell(r, C_CURRENCY);
	if (given(r, C_BASE_PRICE) && amount(im, r, C_BASE_PRICE, &v))
		r->p.base_price = v;
	if (r->cells[C_DESCRIPTION] != NULL) {
		r->p.set |= PI_DESCRIPTION;
		r->p.description = cell(r, C_DESCRIPTION);
	}
	if (given(r, C_STATUS)) {
		r->p.set |= PI_STATUS;
		if (product_status_parse(cell(r, C_STATUS), &r->p.status) != 0)
			report(im, r->line, col_names[C_STATUS], "must be draft, published or archived");
	}
	if (r->cells[C_CATEGORY] != NULL) {
		r->p.set |= PI_CATEGORY;
		if (given(r, C_CATEGORY) &&
		    !(r->p.category_id = taxonomy_id(im, 'c', cell(r, C_CATEGORY))))
			report(im, r->line, col_names[C_CATEGORY], "no category has the slug \"%s\"",
			    cell(r, C_CATEGORY));
	}
	if (r->cells[C_BRAND] != NULL) {
		r->p.set |= PI_BRAND;
		if (given(r, C_BRAND) && !(r->p.brand_id = taxonomy_id(im, 'b', cell(r, C_BRAND))))
			report(im, r->line, col_names[C_BRAND], "no brand has the slug \"%s\"",
			    cell(r, C_BRAND));
	}
	if (product_input_validate(&r->p, true, &e) != E_OK)
		report_fields(im, r->line, &e, false);

	r->has_variant = given(r, C_SKU);
	if (!r->has_variant)
		return;
	r->v.set = VI_SKU | VI_NAME;
	r->v.sku = cell(r, C_SKU);
	r->v.name = given(r, C_VARIANT_NAME) ? cell(r, C_VARIANT_NAME) : "";
	if (r->cells[C_VARIANT_PRICE] != NULL) {
		r->v.set |= VI_PRICE;
		r->v.has_price = given(r, C_VARIANT_PRICE) && amount(im, r, C_VARIANT_PRICE, &r->v.price);
	}
	if (r->cells[C_ATTRIBUTES] != NULL) {
		r->v.attributes = attrs_json(im, r->line, cell(r, C_ATTRIBUTES));
		if (r->v.attributes != NULL)	/* else reported already */
			r->v.set |= VI_ATTRIBUTES;
	}
	if (r->cells[C_WEIGHT] != NULL) {
		r->v.set |= VI_WEIGHT;
		r->v.has_weight = given(r, C_WEIGHT);
		if (r->v.has_weight) {
			if (parse_i64(cell(r, C_WEIGHT), 0, VARIANT_WEIGHT_MAX, &v) != 0)
				report(im, r->line, col_names[C_WEIGHT],
				    "must be a whole number of grams from 0 to %d", VARIANT_WEIGHT_MAX);
			r->v.weight_grams = (int32_t)v;
		}
	}
	if (given(r, C_ACTIVE)) {
		r->v.set |= VI_ACTIVE;
		if (parse_bool(cell(r, C_ACTIVE), &b) != 0)
			report(im, r->line, col_names[C_ACTIVE], "must be true or false");
		r->v.is_active = b;
	}
	e = none;
	if (variant_input_validate(&r->v, true, &e) != E_OK)
		report_fields(im, r->line, &e, true);
}

static bool
same(const char *x, const char *y)
{
	return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

/* The product columns of r agree with those of the product's first row. */
static void
check_agrees(import *im, row *r)
{
	const row *f = &im->rows[r->first];
	static const enum col cols[] = {
		C_NAME, C_DESCRIPTION, C_STATUS, C_CATEGORY, C_BRAND, C_CURRENCY, C_BASE_PRICE,
	};

	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
		if (!same(cell(r, cols[i]), cell(f, cols[i])))
			report(im, r->line, col_names[cols[i]],
			    "differs from line %zu of the same product (\"%s\")", f->line,
			    cell(f, cols[i]) ? cell(f, cols[i]) : "");
}

/* The header row: known names, no repeats, the required ones present. */
static ecode
read_header(import *im, const csv_record *h, error *e)
{
	im->ncols = h->n;
	for (int c = 0; c < C__N; c++)
		im->cols[c] = -1;
	for (size_t i = 0; i < h->n; i++) {
		int c;

		for (c = 0; c < C__N && strcmp(col_names[c], h->fields[i]) != 0; c++)
			;
		if (c == C__N)
			report(im, 1, h->fields[i], "unknown column (the columns are those of an export)");
		else if (im->cols[c] >= 0)
			report(im, 1, h->fields[i], "the column appears twice");
		else
			im->cols[c] = (int)i;
	}
	for (size_t i = 0; i < sizeof required / sizeof *required; i++)
		if (im->cols[required[i]] < 0)
			report(im, 1, col_names[required[i]], "this column is required");
	if (im->cols[C_SKU] >= 0 && im->cols[C_VARIANT_NAME] < 0)
		report(im, 1, col_names[C_VARIANT_NAME], "required with sku");
	return im->rep->nerrors ? err_set(e, E_VALIDATION, "the header row has problems") : E_OK;
}

/* A PostgreSQL text[] literal of the distinct values of column c (values
 * were validated as slugs / SKUs, so they need no escaping beyond quotes). */
static const char *
array_of(import *im, enum col c)
{
	buf b = BUF_INIT;
	const char *s;

	buf_putc(&b, '{');
	for (size_t i = 0; i < im->n; i++) {
		const char *v = cell(&im->rows[i], c);

		if (v == NULL || v[0] == '\0' || strpbrk(v, "\"\\{},") != NULL)
			continue;
		buf_printf(&b, "%s\"%s\"", b.len > 1 ? "," : "", v);
	}
	buf_putc(&b, '}');
	s = b.oom ? NULL : arena_strndup(im->a, b.data, b.len);
	buf_free(&b);
	return s;
}

/* The row of r whose first column is key, or -1 (r is indexed once). */
static int
find(import *im, const PGresult *r, strmap *index, const char *key)
{
	size_t i;

	if (index->cap == 0)
		for (int k = 0; k < PQntuples(r); k++)
			strmap_put(index, db_val(r, k, 0), (size_t)k);
	i = strmap_put(index, key, SIZE_MAX);
	return i == SIZE_MAX ? -1 : (int)i;
}

/* Pass 1 against the catalog: who owns the named products, where the
 * named SKUs live, duplicates within the file. */
static ecode
check_catalog(import *im, db_conn *c, error *e)
{
	const char *slugs = array_of(im, C_SLUG), *skus = array_of(im, C_SKU);

	if (!slugs || !skus)
		return err_set(e, E_INTERNAL, "out of memory");
	if (store_csv_products(c, im->a, slugs, &im->products, e) != E_OK ||
	    store_csv_variants(c, im->a, skus, &im->variants, e) != E_OK)
		return e->code;
	for (size_t i = 0; i < im->n; i++) {
		row *r = &im->rows[i];
		int p = find(im, im->products, &im->product_index, cell(r, C_SLUG)), v;
		size_t k;

		if (r->first == i && p >= 0 && !catalog_can_edit(im->who, db_val(im->products, p, 2)))
			report(im, r->line, col_names[C_SLUG], "another seller's product has this slug");
		if (!r->has_variant)
			continue;
		if ((k = strmap_put(&im->skus, r->v.sku, i)) != i)
			report(im, r->line, col_names[C_SKU], "SKU %s is also on line %zu", r->v.sku,
			    im->rows[k].line);
		v = find(im, im->variants, &im->variant_index, r->v.sku);
		if (v >= 0 && strcmp(db_val(im->variants, v, 2), cell(r, C_SLUG)) != 0)
			report(im, r->line, col_names[C_SKU], "SKU %s belongs to product %s", r->v.sku,
			    db_val(im->variants, v, 2));
	}
	return E_OK;
}

/* ------------------------------------------------------------ import: apply */

typedef struct apply_tx {
	import *im;
	void  (*progress)(void *ud, int64_t done, int64_t total);
	void   *ud;
} apply_tx;

static ecode
insert_product(db_conn *c, arena *a, const char *slug, void *ud, bool *inserted, error *e)
{
	void **args = ud;

	return store_product_insert(c, a, args[0], slug, args[1], args[2], inserted, e);
}

/* Create or update the product of rows[first] and its variants. */
static ecode
apply_product(db_conn *c, apply_tx *t, size_t first, error *e)
{
	import *im = t->im;
	row *r = &im->rows[first];
	product_head h;
	product out;
	char id[37];
	bool created = false;

	if (store_product_head(c, im->a, NULL, r->p.slug, true, &h, e) == E_OK) {
		snprintf(id, sizeof id, "%s", h.id);
		if (store_product_update(c, im->a, id, &r->p, e) != E_OK)
			return e->code;
		im->rep->products_updated++;
	} else if (e->code == E_NOT_FOUND) {
		void *args[3] = { id, &r->p, catalog_is_admin(im->who) ? NULL : (void *)im->who->user_id };

		err_clear(e);
		if (uuid_v4(id) != 0)
			return err_set(e, E_INTERNAL, "no randomness for an id");
		if (catalog_insert_slugged(c, im->a, SLUG_PRODUCTS, r->p.slug, r->p.name, "product",
		    insert_product, args, e) != E_OK)
			return e->code;
		created = true;
		im->rep->products_created++;
	} else {
		return e->code;
	}
	for (size_t i = first; i < im->n; i++) {
		row *v = &im->rows[i];
		int k;
		char vid[37];

		if (v->first != first || !v->has_variant)
			continue;
		k = find(im, im->variants, &im->variant_index, v->v.sku);
		if (k >= 0) {
			if (store_variant_update(c, im->a, id, db_val(im->variants, k, 1), &v->v, e) != E_OK)
				return e->code;
			im->rep->variants_updated++;
		} else {
			if (uuid_v4(vid) != 0)
				return err_set(e, E_INTERNAL, "no randomness for an id");
			if (store_variant_insert(c, im->a, vid, id, &v->v, e) != E_OK)
				return e->code;
			im->rep->variants_created++;
		}
		if (t->progress)
			t->progress(t->ud, (int64_t)i + 1, (int64_t)im->n);
	}
	if (store_product_get(c, im->a, id, NULL, &out, e) != E_OK)
		return e->code;
	return catalog_emit_product(c, im->a, im->who, created ? "created" : "updated", &out, e);
}

static ecode
apply_tx_fn(db_conn *c, arena *a, void *ud, error *e)
{
	apply_tx *t = ud;

	t->im->rep->products_created = t->im->rep->products_updated = 0;
	t->im->rep->variants_created = t->im->rep->variants_updated = 0;
	for (size_t i = 0; i < t->im->n; i++) {
		if (t->im->rows[i].first != i)
			continue;
		if (apply_product(c, t, i, e) != E_OK) {
			/* name the line: the file is what the merchant can fix */
			const char *msg = arena_printf(a, "line %zu: %s", t->im->rows[i].line,
			    e->message);

			if (msg != NULL)
				snprintf(e->message, sizeof e->message, "%.*s",
				    (int)sizeof e->message - 1, msg);
			return e->code;
		}
	}
	return E_OK;
}

/* ------------------------------------------------------------ import */

/* Problems in file order (the catalog checks come after the row checks),
 * each row's own in the order found: an insertion sort, which is stable,
 * over at most CATALOG_CSV_ERRORS_MAX entries. */
static void
sort_by_line(catalog_csv_report *rep)
{
	for (size_t i = 1; i < rep->nerrors; i++) {
		catalog_csv_error x = rep->errors[i];
		size_t k = i;

		for (; k > 0 && rep->errors[k - 1].line > x.line; k--)
			rep->errors[k] = rep->errors[k - 1];
		rep->errors[k] = x;
	}
}

ecode
catalog_csv_import(arena *a, const catalog_actor *who, const char *data, size_t len,
    bool dry_run, void (*progress)(void *ud, int64_t done, int64_t total), void *ud,
    catalog_csv_report *rep, error *e)
{
	import im = { .a = a, .who = who, .rep = rep, .slugs.a = a, .skus.a = a,
	    .product_index.a = a, .variant_index.a = a };
	apply_tx t = { &im, progress, ud };
	csv_reader rd;
	csv_record rec;
	db_conn *c;
	int rc;

	memset(rep, 0, sizeof *rep);
	if (!who || !who->user_id || who->role < ROLE_SELLER)
		return err_set(e, E_FORBIDDEN, "only sellers and admins can import products");
	if (len > CATALOG_CSV_BYTES_MAX)
		return err_set(e, E_PAYLOAD_TOO_LARGE, "the file is larger than %d MiB; split it",
		    CATALOG_CSV_BYTES_MAX >> 20);
	if (!(rep->errors = arena_calloc(a, CATALOG_CSV_ERRORS_MAX, sizeof *rep->errors)) ||
	    !(im.rows = arena_calloc(a, CATALOG_CSV_ROWS_MAX, sizeof *im.rows)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(c = catalog_db(e)))
		return catalog_fail(e, E_UNAVAILABLE);
	if (store_csv_taxonomy(c, a, &im.taxonomy, e) != E_OK)
		return e->code;
	csv_reader_init(&rd, data, len);
	if ((rc = csv_next(&rd, a, &rec, e)) <= 0) {
		if (rc == 0)
			err_set(e, E_INVALID_INPUT, "the file is empty: it needs a header row");
		return e->code;
	}
	if (read_header(&im, &rec, e) != E_OK)
		return e->code;
	while ((rc = csv_next(&rd, a, &rec, e)) == 1) {
		row *r;

		if (im.n >= CATALOG_CSV_ROWS_MAX)
			return err_set(e, E_PAYLOAD_TOO_LARGE, "more than %d rows; split the file",
			    CATALOG_CSV_ROWS_MAX);
		r = &im.rows[im.n];
		r->line = rec.line;
		if (rec.n != im.ncols) {
			/* its cells cannot be told apart: one problem, not one per column */
			if (!report(&im, rec.line, "", "has %zu columns, the header row has %zu",
			    rec.n, im.ncols))
				break;
			continue;
		}
		for (int col = 0; col < C__N; col++)
			r->cells[col] = im.cols[col] >= 0 && (size_t)im.cols[col] < rec.n ?
			    rec.fields[im.cols[col]] : (im.cols[col] >= 0 ? "" : NULL);
		r->first = strmap_put(&im.slugs, cell(r, C_SLUG), im.n);
		im.n++;
		parse_row(&im, r);
		if (r->first != im.n - 1)
			check_agrees(&im, r);
		if (progress)
			progress(ud, (int64_t)im.n, 0);
		if (rep->truncated)
			break;
	}
	if (rc < 0)
		return e->code;
	rep->rows = (int64_t)im.n;
	if (im.n == 0)
		return err_set(e, E_INVALID_INPUT, "the file has a header but no rows");
	if (!rep->truncated && check_catalog(&im, c, e) != E_OK)
		return e->code;
	sort_by_line(rep);
	if (rep->nerrors > 0)
		return err_set(e, E_VALIDATION, "%zu%s problem%s found; nothing was changed",
		    rep->nerrors, rep->truncated ? " or more" : "", rep->nerrors == 1 ? "" : "s");
	if (dry_run)
		return E_OK;
	return catalog_written(db_tx(c, a, apply_tx_fn, &t, e));
}
