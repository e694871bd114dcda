/*
 * store.c — every SQL statement of the search schema (internal.h).
 *
 * Queries read search.documents, search.categories and search.words only.
 * A query's filters are one set of parameters shared by the page of hits
 * and by the facets: each facet applies every filter but its own, so a
 * shopper sees how many products each other choice would give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "search/internal.h"

#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"

/* The fixed price buckets, minor units, bounds inclusive. */
const int64_t search_price_buckets[SEARCH_PRICE_BUCKETS][2] = {
	{ 0, 2499 }, { 2500, 4999 }, { 5000, 9999 }, { 10000, 19999 }, { 20000, -1 },
};

static db_stmt claim_stmt = DB_STMT("search_claim",
    "INSERT INTO search.processed_events (event_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING", 1);
static db_stmt lock_stmt = DB_STMT("search_lock_product",
    "SELECT pg_advisory_xact_lock(hashtextextended('search:' || $1::text, 0))", 1);

static db_stmt doc_put_stmt = DB_STMT("search_doc_put",
    "INSERT INTO search.documents (product_id, slug, name, description, brand_id, brand_name,"
    " category_id, category_ids, category_names, attrs, attr_text, price_min, price_max, currency, in_stock,"
    " popularity, image_url, image_alt, image_width, image_height, rating_x100, rating_count,"
    " created_at, indexed_at, image_media_id)"
    " VALUES ($1::uuid, $2::text, $3::text, $4::text, $5::uuid, $6::text, $7::uuid, $8::uuid[],"
    " $9::text, $10::text[], $22::text, $11::bigint, $12::bigint, $13::text, $14::boolean,"
    " COALESCE((SELECT sold FROM search.popularity WHERE product_id = $1::uuid), 0),"
    " $15::text, $16::text, $17::integer, $18::integer, $19::integer, $20::bigint,"
    " to_timestamp($21::bigint), now(), $23::uuid)"
    " ON CONFLICT (product_id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name,"
    " description = EXCLUDED.description, brand_id = EXCLUDED.brand_id,"
    " brand_name = EXCLUDED.brand_name, category_id = EXCLUDED.category_id,"
    " category_ids = EXCLUDED.category_ids, category_names = EXCLUDED.category_names,"
    " attrs = EXCLUDED.attrs, attr_text = EXCLUDED.attr_text, price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max,"
    " currency = EXCLUDED.currency, in_stock = EXCLUDED.in_stock,"
    " popularity = EXCLUDED.popularity, image_url = EXCLUDED.image_url,"
    " image_alt = EXCLUDED.image_alt, image_width = EXCLUDED.image_width,"
    " image_height = EXCLUDED.image_height, rating_x100 = EXCLUDED.rating_x100,"
    " rating_count = EXCLUDED.rating_count, created_at = EXCLUDED.created_at,"
    " indexed_at = now(), image_media_id = EXCLUDED.image_media_id", 23);
/* The words a misspelling may be corrected to; in word order, so two
 * indexers inserting the same words cannot deadlock. */
static db_stmt words_stmt = DB_STMT("search_words_put",
    "INSERT INTO search.words (word) SELECT DISTINCT w FROM search.documents d,"
    " regexp_split_to_table(lower(d.name || ' ' || regexp_replace(d.name,"
    " '([[:alnum:]])-([[:alnum:]])', '\\1\\2', 'g') || ' ' || d.brand_name || ' ' ||"
    " d.category_names || ' ' || d.attr_text), '[^[:alnum:]]+') w"
    " WHERE d.product_id = $1::uuid AND length(w) BETWEEN 2 AND 60 ORDER BY w"
    " ON CONFLICT DO NOTHING", 1);
static db_stmt doc_drop_stmt = DB_STMT("search_doc_drop",
    "DELETE FROM search.documents WHERE product_id = $1::uuid", 1);

static db_stmt cat_put_stmt = DB_STMT("search_cat_put",
    "INSERT INTO search.categories (id, parent_id, slug, name, path, is_active)"
    " VALUES ($1::uuid, $2::uuid, $3::text, $4::text, $5::uuid[], COALESCE($6::boolean, true))"
    " ON CONFLICT (id) DO UPDATE SET parent_id = EXCLUDED.parent_id, slug = EXCLUDED.slug,"
    " name = EXCLUDED.name, path = EXCLUDED.path,"
    " is_active = COALESCE($6::boolean, search.categories.is_active)", 6);
/* A moved category takes its subtree along. */
static db_stmt cat_repath_stmt = DB_STMT("search_cat_repath",
    "UPDATE search.categories c SET path = p.path || c.path[array_position(c.path, p.id) + 1 :]"
    " FROM search.categories p WHERE p.id = $1::uuid AND c.id <> p.id"
    " AND c.path @> ARRAY[p.id] AND c.path[1 : array_position(c.path, p.id)] <> p.path", 1);
static db_stmt cat_docs_stmt = DB_STMT("search_cat_docs",
    "UPDATE search.documents d SET category_ids = c.path, category_names ="
    " (SELECT coalesce(string_agg(x.name, ' ' ORDER BY u.k), '')"
    "  FROM unnest(c.path) WITH ORDINALITY u(id, k) JOIN search.categories x ON x.id = u.id)"
    " FROM search.categories c WHERE c.id = d.category_id"
    " AND (d.category_ids @> ARRAY[$1::uuid] OR c.path @> ARRAY[$1::uuid])", 1);
static db_stmt cat_drop_stmt = DB_STMT("search_cat_drop",
    "DELETE FROM search.categories WHERE id = $1::uuid", 1);
static db_stmt brand_stmt = DB_STMT("search_brand_rename",
    "WITH b AS (UPDATE search.brands SET name = $2::text WHERE id = $1::uuid)"
    " UPDATE search.documents SET brand_name = $2::text"
    " WHERE brand_id = $1::uuid AND brand_name <> $2::text", 2);
/* The brands' names for the facet's labels, as the documents have them. */
static db_stmt brand_put_stmt = DB_STMT("search_brand_put",
    "INSERT INTO search.brands (id, name) VALUES ($1::uuid, $2::text)"
    " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name WHERE search.brands.name <> EXCLUDED.name", 2);
/* An order's units of one product: recorded once (order, product), and
 * only then added to the product's popularity. */
static db_stmt counted_stmt = DB_STMT("search_order_counted",
    "INSERT INTO search.orders_counted (order_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING", 1);
static db_stmt sold_stmt = DB_STMT("search_sold",
    "WITH u AS (INSERT INTO search.order_units (order_id, product_id, units)"
    " VALUES ($1::uuid, $2::uuid, $3::bigint) ON CONFLICT DO NOTHING RETURNING product_id, units),"
    " p AS (INSERT INTO search.popularity (product_id, sold) SELECT product_id, units FROM u"
    " ON CONFLICT (product_id) DO UPDATE SET sold = search.popularity.sold + EXCLUDED.sold"
    " RETURNING product_id, sold)"
    " UPDATE search.documents d SET popularity = p.sold FROM p WHERE d.product_id = p.product_id", 3);
/* A canceled or refunded order: marked once (also before it was counted,
 * so a late order.created adds nothing), then what it added taken back. */
static db_stmt reversed_stmt = DB_STMT("search_order_reversed",
    "INSERT INTO search.orders_counted (order_id, reversed) VALUES ($1::uuid, true)"
    " ON CONFLICT (order_id) DO UPDATE SET reversed = true WHERE NOT search.orders_counted.reversed", 1);
static db_stmt unsold_stmt = DB_STMT("search_unsold",
    "WITH u AS (DELETE FROM search.order_units WHERE order_id = $1::uuid RETURNING product_id, units),"
    " p AS (UPDATE search.popularity q SET sold = greatest(q.sold - u.units, 0) FROM u"
    " WHERE q.product_id = u.product_id RETURNING q.product_id, q.sold)"
    " UPDATE search.documents d SET popularity = p.sold FROM p WHERE d.product_id = p.product_id", 1);

static db_stmt gen_stmt = DB_STMT("search_generation",
    "SELECT last_value + CASE WHEN is_called THEN 0 ELSE -1 END FROM search.generation", 0);
static db_stmt advance_stmt = DB_STMT("search_advance", "SELECT nextval('search.generation')", 0);
static db_stmt now_stmt = DB_STMT("search_now", "SELECT now()::text", 0);
static db_stmt reset_stmt = DB_STMT("search_reindex_reset",
    "WITH w AS (DELETE FROM search.words) DELETE FROM search.categories", 0);
static db_stmt drop_older_stmt = DB_STMT("search_drop_older",
    "DELETE FROM search.documents WHERE indexed_at < $1::timestamptz", 1);
static db_stmt run_insert_stmt = DB_STMT("search_run_insert",
    "INSERT INTO search.reindex_runs (id, requested_by, status, started_at)"
    " VALUES ($1::uuid, $2::uuid, $3::text, CASE WHEN $3::text = 'running' THEN now() END)", 3);
static db_stmt run_take_stmt = DB_STMT("search_run_take",
    "UPDATE search.reindex_runs SET status = 'running', started_at = now()"
    " WHERE id = (SELECT id FROM search.reindex_runs WHERE status = 'pending'"
    " ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id", 0);
static db_stmt run_finish_stmt = DB_STMT("search_run_finish",
    "UPDATE search.reindex_runs SET status = CASE WHEN $3::text IS NULL THEN 'done'"
    " ELSE 'failed' END, documents = $2::bigint, error = left($3::text, 1000),"
    " finished_at = now() WHERE id = $1::uuid", 3);

/* For each word: a stop word?  found (the last one as a prefix)?  The most
 * similar known word (pg_trgm's % at its default threshold 0.3). */
static db_stmt terms_stmt = DB_STMT("search_terms",
    "SELECT t.w, to_tsvector('english', t.w) = ''::tsvector,"
    " to_tsvector('english', t.w) <> ''::tsvector AND EXISTS (SELECT 1 FROM search.documents d"
    "  WHERE d.tsv @@ to_tsquery('english', t.w || CASE WHEN t.k = $2::bigint THEN ':*' ELSE '' END)),"
    " (SELECT x.word FROM search.words x WHERE x.word % t.w"
    "  ORDER BY similarity(x.word, t.w) DESC, x.word LIMIT 1)"
    " FROM unnest($1::text[]) WITH ORDINALITY t(w, k) ORDER BY t.k", 2);

/* The filters, each one a boolean; $1 tsquery text, $2 category, $3 brand,
 * $4/$5 price bounds, $6 in stock, $7 attributes "key=value". */
#define F_TEXT_Q	"d.tsv @@ to_tsquery('english', $1::text)"
#define F_TEXT_ALL	"$1::text IS NULL"
#define F_CAT	"($2::uuid IS NULL OR d.category_ids @> ARRAY[$2::uuid])"
#define F_BRAND	"($3::uuid IS NULL OR d.brand_id = $3::uuid)"
#define F_PRICE	"(($4::bigint IS NULL OR d.price_min >= $4::bigint) AND" \
		" ($5::bigint IS NULL OR d.price_min <= $5::bigint))"
#define F_STOCK	"($6::boolean IS NULL OR d.in_stock = $6::boolean)"
/* every key asked for has one of its values */
#define F_ATTR	"(cardinality($7::text[]) = 0 OR NOT EXISTS (SELECT 1 FROM unnest($7::text[]) f(kv)" \
		" GROUP BY split_part(f.kv, '=', 1) HAVING NOT bool_or(d.attrs @> ARRAY[f.kv])))"

/* The page of hits with words: the text match through the GIN index,
 * then ranked and sorted.  Without words one statement per order, each
 * walking the index of that order until the page is full. */
#define HIT_COLS \
    "SELECT d.product_id, d.slug, d.name, d.brand_id, d.brand_name, d.category_id, d.price_min," \
    " d.price_max, d.currency, d.in_stock, d.popularity, d.image_url, d.image_alt," \
    " d.image_width, d.image_height, d.rating_x100, d.rating_count, " EPOCH("d.created_at") "," \
    " d.image_media_id,"
#define HIT_FILTERS \
    " AND " F_CAT " AND " F_BRAND " AND " F_PRICE " AND " F_STOCK " AND " F_ATTR
#define NAME_ORDER "lower(d.name) COLLATE \"C\""
static db_stmt hits_q_stmt = DB_STMT("search_hits_q",
    HIT_COLS " ts_rank(d.tsv, to_tsquery('english', $1::text)) AS score"
    " FROM search.documents d WHERE " F_TEXT_Q HIT_FILTERS
    " ORDER BY CASE WHEN $8::text = 'relevance' THEN ts_rank(d.tsv,"
    " to_tsquery('english', $1::text)) END DESC,"
    " CASE WHEN $8::text = 'relevance' THEN d.popularity END DESC,"
    " CASE WHEN $8::text = 'price_asc' THEN d.price_min END ASC,"
    " CASE WHEN $8::text = 'price_desc' THEN d.price_min END DESC,"
    " CASE WHEN $8::text = 'newest' THEN d.created_at END DESC,"
    " " NAME_ORDER ", d.product_id LIMIT $9::bigint OFFSET $10::bigint", 10);
/* $8 is unused but kept so every hits statement takes the same parameters */
#define HITS_ALL(name, order) DB_STMT(name, HIT_COLS " 0::real AS score"	\
    " FROM search.documents d WHERE " F_TEXT_ALL " AND $8::text IS NOT NULL" HIT_FILTERS \
    " ORDER BY " order " LIMIT $9::bigint OFFSET $10::bigint", 10)
static db_stmt hits_popular_stmt = HITS_ALL("search_hits_popular",
    "d.popularity DESC, " NAME_ORDER ", d.product_id");
static db_stmt hits_price_asc_stmt = HITS_ALL("search_hits_price_asc",
    "d.price_min, " NAME_ORDER ", d.product_id");
/* the price index backwards: equal prices by name from Z */
static db_stmt hits_price_desc_stmt = HITS_ALL("search_hits_price_desc",
    "d.price_min DESC, " NAME_ORDER " DESC, d.product_id DESC");
static db_stmt hits_newest_stmt = HITS_ALL("search_hits_newest",
    "d.created_at DESC, d.product_id");
static db_stmt hits_name_stmt = HITS_ALL("search_hits_name", NAME_ORDER ", d.product_id");

/* The text match once into a narrow working set with each filter as a
 * flag; then each facet counts the rows with every flag but its own.  The
 * total, brands, stock and price buckets come out of one pass (GROUPING
 * SETS, told apart by GROUPING(): 7 the total, 3 brands, 5 stock, 6
 * prices).  Categories and attributes are counted per distinct array
 * first (there are few), then spread over its elements; an attribute
 * value is counted with the attribute filters of the other keys only.
 * The price buckets are those of search_price_buckets. */
#define FACETS_SQL(TEXT) \
    "WITH x AS MATERIALIZED (SELECT d.brand_id, d.in_stock, CASE WHEN d.price_min < 2500 THEN '0'" \
    " WHEN d.price_min < 5000 THEN '2500' WHEN d.price_min < 10000 THEN '5000'" \
    " WHEN d.price_min < 20000 THEN '10000' ELSE '20000' END AS pb, d.category_ids, d.attrs," \
    " " F_CAT " AS fc, " F_BRAND " AS fb, " F_PRICE " AS fp, " F_STOCK " AS fs, " F_ATTR " AS fa" \
    " FROM search.documents d WHERE " TEXT ")," \
    " s AS (SELECT x.brand_id, x.in_stock, x.pb, GROUPING(x.brand_id, x.in_stock, x.pb) AS gs," \
    " count(*) FILTER (WHERE x.fc AND x.fb AND x.fp AND x.fs AND x.fa) AS n_all," \
    " count(*) FILTER (WHERE x.fc AND x.fp AND x.fs AND x.fa) AS n_brand," \
    " count(*) FILTER (WHERE x.fc AND x.fb AND x.fp AND x.fa) AS n_stock," \
    " count(*) FILTER (WHERE x.fc AND x.fb AND x.fs AND x.fa) AS n_price" \
    " FROM x GROUP BY GROUPING SETS ((), (x.brand_id), (x.in_stock), (x.pb)))" \
    " (SELECT 'total', NULL, NULL, NULL, s.n_all FROM s WHERE s.gs = 7)" \
    " UNION ALL (SELECT 'brand', s.brand_id::text, coalesce(b.name, ''), NULL, s.n_brand" \
    "  FROM s LEFT JOIN search.brands b ON b.id = s.brand_id" \
    "  WHERE s.gs = 3 AND s.brand_id IS NOT NULL AND s.n_brand > 0" \
    "  ORDER BY s.n_brand DESC, b.name LIMIT 50)" \
    " UNION ALL (SELECT 'in_stock', s.in_stock::text, NULL, NULL, s.n_stock FROM s" \
    "  WHERE s.gs = 5 AND s.n_stock > 0)" \
    " UNION ALL (SELECT 'price', s.pb, NULL, NULL, s.n_price FROM s WHERE s.gs = 6)" \
    " UNION ALL (SELECT 'category', c.id::text, c.name, c.parent_id::text, sum(g.n)::bigint" \
    "  FROM (SELECT x.category_ids, count(*) AS n FROM x WHERE x.fb AND x.fp AND x.fs AND x.fa" \
    "  GROUP BY x.category_ids) g CROSS JOIN unnest(g.category_ids) u(id)" \
    "  JOIN search.categories c ON c.id = u.id GROUP BY c.id ORDER BY sum(g.n) DESC, c.name" \
    "  LIMIT 200)" \
    " UNION ALL (SELECT 'attr', a.kv, NULL, NULL, sum(g.n)::bigint" \
    "  FROM (SELECT x.attrs, count(*) AS n FROM x WHERE x.fc AND x.fb AND x.fp AND x.fs" \
    "  GROUP BY x.attrs) g CROSS JOIN unnest(g.attrs) a(kv)" \
    "  WHERE cardinality($7::text[]) = 0 OR NOT EXISTS (SELECT 1 FROM unnest($7::text[]) f(kv)" \
    "  WHERE split_part(f.kv, '=', 1) <> split_part(a.kv, '=', 1) GROUP BY split_part(f.kv, '=', 1)" \
    "  HAVING NOT bool_or(g.attrs @> ARRAY[f.kv]))" \
    "  GROUP BY a.kv ORDER BY sum(g.n) DESC, a.kv LIMIT 500)"
static db_stmt facets_q_stmt = DB_STMT("search_facets_q", FACETS_SQL(F_TEXT_Q), 7);
static db_stmt facets_all_stmt = DB_STMT("search_facets_all", FACETS_SQL(F_TEXT_ALL), 7);

/* Names that start with what was typed first, then by units sold (no
 * ranking: a short prefix matches thousands of documents). */
static db_stmt suggest_stmt = DB_STMT("search_suggest",
    "SELECT d.name FROM search.documents d WHERE d.tsv @@ to_tsquery('english', $1::text)"
    " GROUP BY d.name ORDER BY bool_or(starts_with(lower(d.name), $2::text)) DESC,"
    " max(d.popularity) DESC, lower(d.name) COLLATE \"C\" LIMIT $3::bigint", 3);

/* ------------------------------------------------------------ helpers */

db_conn *
search_db(error *e)
{
	db_conn *c = db_for(SEARCH_DOMAIN, e);

	if (c == NULL && e->code == E_OK)
		err_set(e, E_UNAVAILABLE, "the search database is unavailable");
	return c;
}

static ecode
run(db_conn *c, arena *a, db_stmt *st, const char *const *p, error *e)
{
	return db_exec(c, a, st, p, e) != NULL ? E_OK : e->code;
}

static char *
arg_i64(arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

char *
search_pg_array(arena *a, const char *const *v, size_t n)
{
	size_t len = 3;
	char *out, *o;

	for (size_t i = 0; i < n; i++)
		len += 2 * strlen(v[i]) + 3;
	if (!(o = out = arena_alloc(a, len)))
		return NULL;
	*o++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		for (const char *s = v[i]; *s; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

/* ------------------------------------------------------------ indexing */

ecode
sstore_claim(db_conn *c, arena *a, const char *event_id, bool *fresh, error *e)
{
	const char *p[1] = { event_id };
	PGresult *r = db_exec(c, a, &claim_stmt, p, e);

	if (r == NULL)
		return e->code;
	*fresh = PQcmdTuples(r)[0] == '1';
	return E_OK;
}

ecode
sstore_lock_product(db_conn *c, arena *a, const char *product_id, error *e)
{
	const char *p[1] = { product_id };

	return run(c, a, &lock_stmt, p, e);
}

ecode
sstore_doc_put(db_conn *c, arena *a, const search_doc *d, error *e)
{
	const char *p[23] = {
		d->product_id, d->slug, d->name, d->description, d->brand_id,
		d->brand_name ? d->brand_name : "", d->category_id,
		d->category_ids ? d->category_ids : "{}", d->category_names ? d->category_names : "",
		d->attrs ? d->attrs : "{}", arg_i64(a, d->price_min), arg_i64(a, d->price_max),
		d->currency, d->in_stock ? "true" : "false", d->image_url, d->image_alt,
		arg_i64(a, d->image_width), arg_i64(a, d->image_height), arg_i64(a, d->rating_x100),
		arg_i64(a, d->rating_count), arg_i64(a, d->created_at),
		d->attr_text ? d->attr_text : "", d->image_media_id,
	};
	const char *w[1] = { d->product_id };
	const char *b[2] = { d->brand_id, d->brand_name };

	if (run(c, a, &doc_put_stmt, p, e) != E_OK)
		return e->code;
	if (d->brand_id && d->brand_name && run(c, a, &brand_put_stmt, b, e) != E_OK)
		return e->code;
	return run(c, a, &words_stmt, w, e);
}

ecode
sstore_doc_drop(db_conn *c, arena *a, const char *product_id, error *e)
{
	const char *p[1] = { product_id };

	return run(c, a, &doc_drop_stmt, p, e);
}

ecode
sstore_cat_put(db_conn *c, arena *a, const search_cat *k, bool cascade, error *e)
{
	const char *p[6] = { k->id, k->parent_id, k->slug, k->name, k->path,
	    k->is_active < 0 ? NULL : (k->is_active ? "true" : "false") };
	const char *id[1] = { k->id };

	if (run(c, a, &cat_put_stmt, p, e) != E_OK)
		return e->code;
	/* a product's own path changes nothing below it: its document is
	 * being written with that path anyway */
	if (!cascade)
		return E_OK;
	if (run(c, a, &cat_repath_stmt, id, e) != E_OK)
		return e->code;
	return run(c, a, &cat_docs_stmt, id, e);
}

ecode
sstore_cat_drop(db_conn *c, arena *a, const char *id, error *e)
{
	const char *p[1] = { id };

	return run(c, a, &cat_drop_stmt, p, e);
}

ecode
sstore_brand_rename(db_conn *c, arena *a, const char *id, const char *name, error *e)
{
	const char *p[2] = { id, name };

	return run(c, a, &brand_stmt, p, e);
}

/* Run a one-row insert or upsert; *done tells whether it wrote. */
static ecode
run_once(db_conn *c, arena *a, db_stmt *st, const char *const *p, bool *done, error *e)
{
	PGresult *r = db_exec(c, a, st, p, e);

	if (r == NULL)
		return e->code;
	*done = PQcmdTuples(r)[0] == '1';
	return E_OK;
}

ecode
sstore_order_counted(db_conn *c, arena *a, const char *order_id, bool *fresh, error *e)
{
	const char *p[1] = { order_id };

	return run_once(c, a, &counted_stmt, p, fresh, e);
}

ecode
sstore_sold(db_conn *c, arena *a, const char *order_id, const char *product_id, int64_t units,
    error *e)
{
	const char *p[3] = { order_id, product_id, arg_i64(a, units) };

	return run(c, a, &sold_stmt, p, e);
}

ecode
sstore_order_reversed(db_conn *c, arena *a, const char *order_id, bool *fresh, error *e)
{
	const char *p[1] = { order_id };

	return run_once(c, a, &reversed_stmt, p, fresh, e);
}

ecode
sstore_unsold(db_conn *c, arena *a, const char *order_id, error *e)
{
	const char *p[1] = { order_id };

	return run(c, a, &unsold_stmt, p, e);
}

/* ------------------------------------------------------------ reindex */

ecode
sstore_now(db_conn *c, arena *a, const char **now, error *e)
{
	PGresult *r = db_exec(c, a, &now_stmt, NULL, e);

	if (r == NULL)
		return e->code;
	*now = db_val(r, 0, 0);
	return E_OK;
}

ecode
sstore_reindex_reset(db_conn *c, arena *a, error *e)
{
	return run(c, a, &reset_stmt, NULL, e);
}

ecode
sstore_drop_older(db_conn *c, arena *a, const char *since, int64_t *dropped, error *e)
{
	const char *p[1] = { since };
	PGresult *r = db_exec(c, a, &drop_older_stmt, p, e);

	if (r == NULL)
		return e->code;
	*dropped = strtoll(PQcmdTuples(r), NULL, 10);
	return E_OK;
}

ecode
sstore_run_insert(db_conn *c, arena *a, const char *id, const char *admin_id,
    const char *status, error *e)
{
	const char *p[3] = { id, admin_id, status };

	return run(c, a, &run_insert_stmt, p, e);
}

ecode
sstore_run_take(db_conn *c, arena *a, const char **id, error *e)
{
	PGresult *r = db_exec(c, a, &run_take_stmt, NULL, e);

	if (r == NULL)
		return e->code;
	*id = PQntuples(r) > 0 ? db_val(r, 0, 0) : NULL;
	return E_OK;
}

ecode
sstore_run_finish(db_conn *c, arena *a, const char *id, int64_t docs, const char *failure,
    error *e)
{
	const char *p[3] = { id, arg_i64(a, docs), failure };

	return run(c, a, &run_finish_stmt, p, e);
}

/* ------------------------------------------------------------ queries */

ecode
sstore_terms(db_conn *c, arena *a, search_term *t, size_t n, error *e)
{
	const char **w = arena_calloc(a, n ? n : 1, sizeof *w);
	const char *p[2];
	PGresult *r;

	if (!w)
		return err_set(e, E_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++)
		w[i] = t[i].word;
	if (!(p[0] = search_pg_array(a, w, n)) || !(p[1] = arg_i64(a, (int64_t)n)))
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &terms_stmt, p, e)))
		return e->code;
	for (int i = 0; i < PQntuples(r) && (size_t)i < n; i++) {
		t[i].stop = db_bool(r, i, 1);
		t[i].found = db_bool(r, i, 2);
		t[i].better = db_val(r, i, 3);
	}
	return E_OK;
}

static const char *const *
filter_args(const search_params *p, const char **v)
{
	v[0] = p->tsq; v[1] = p->category_id; v[2] = p->brand_id; v[3] = p->min;
	v[4] = p->max; v[5] = p->in_stock; v[6] = p->attrs ? p->attrs : "{}";
	v[7] = p->sort; v[8] = p->limit; v[9] = p->offset;
	return v;
}

static db_stmt *
hits_stmt_for(const search_params *p)
{
	if (p->tsq)
		return &hits_q_stmt;
	if (strcmp(p->sort, "price_asc") == 0)
		return &hits_price_asc_stmt;
	if (strcmp(p->sort, "price_desc") == 0)
		return &hits_price_desc_stmt;
	if (strcmp(p->sort, "newest") == 0)
		return &hits_newest_stmt;
	if (strcmp(p->sort, "name") == 0)
		return &hits_name_stmt;
	return &hits_popular_stmt;
}

ecode
sstore_hits(db_conn *c, arena *a, const search_params *p, search_hit **out, size_t *n,
    error *e)
{
	const char *v[10];
	PGresult *r = db_exec(c, a, hits_stmt_for(p), filter_args(p, v), e);
	int rows;

	*out = NULL;
	*n = 0;
	if (r == NULL)
		return e->code;
	rows = PQntuples(r);
	if (rows == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)rows, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		search_hit *h = &(*out)[i];

		h->product_id = db_val(r, i, 0);
		h->slug = db_val(r, i, 1);
		h->name = db_val(r, i, 2);
		h->brand_id = db_val(r, i, 3);
		h->brand_name = db_val(r, i, 4);
		h->category_id = db_val(r, i, 5);
		h->price_min = db_i64(r, i, 6);
		h->price_max = db_i64(r, i, 7);
		h->currency = db_val(r, i, 8);
		h->in_stock = db_bool(r, i, 9);
		h->popularity = db_i64(r, i, 10);
		h->image_url = db_val(r, i, 11);
		h->image_alt = db_val(r, i, 12);
		h->image_width = (int32_t)db_i64(r, i, 13);
		h->image_height = (int32_t)db_i64(r, i, 14);
		h->rating_x100 = (int32_t)db_i64(r, i, 15);
		h->rating_count = db_i64(r, i, 16);
		h->created_at = db_i64(r, i, 17);
		h->image_media_id = db_val(r, i, 18);
		h->score = db_val(r, i, 19) ? strtod(db_val(r, i, 19), NULL) : 0;
	}
	*n = (size_t)rows;
	return E_OK;
}

ecode
sstore_facets(db_conn *c, arena *a, const search_params *p, search_facet_row **out,
    size_t *n, error *e)
{
	const char *v[10];
	PGresult *r = db_exec(c, a, p->tsq ? &facets_q_stmt : &facets_all_stmt, filter_args(p, v), e);
	int rows;

	*out = NULL;
	*n = 0;
	if (r == NULL)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		search_facet_row *f = &(*out)[i];

		f->kind = db_val(r, i, 0);
		f->value = db_val(r, i, 1);
		f->label = db_val(r, i, 2);
		f->parent = db_val(r, i, 3);
		f->count = db_i64(r, i, 4);
	}
	*n = (size_t)rows;
	return E_OK;
}

ecode
sstore_generation(db_conn *c, arena *a, int64_t *gen, error *e)
{
	PGresult *r = db_exec(c, a, &gen_stmt, NULL, e);

	if (r == NULL)
		return e->code;
	*gen = db_i64(r, 0, 0);
	return E_OK;
}

ecode
sstore_advance(db_conn *c, arena *a, error *e)
{
	return run(c, a, &advance_stmt, NULL, e);
}

ecode
sstore_suggest(db_conn *c, arena *a, const char *tsq, const char *prefix, int limit,
    const char ***out, size_t *n, error *e)
{
	const char *p[3] = { tsq, prefix, arg_i64(a, limit) };
	PGresult *r = db_exec(c, a, &suggest_stmt, p, e);
	int rows;

	*out = NULL;
	*n = 0;
	if (r == NULL)
		return e->code;
	rows = PQntuples(r);
	if (!(*out = arena_calloc(a, rows ? (size_t)rows : 1, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++)
		(*out)[i] = db_val(r, i, 0);
	*n = (size_t)rows;
	return E_OK;
}
