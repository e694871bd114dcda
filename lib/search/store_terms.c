/*
 * store_terms.c — the SQL of search.term_days (internal.h): what shoppers
 * search for, one row per UTC day and normalised term.
 *
 * A search is counted by one UPSERT on the row's primary key, so a busy
 * term costs an index probe and an update of one small row, and the
 * table grows with distinct terms a day, not with searches.
 */
#include <stdlib.h>

#include "search/internal.h"

#define TODAY "(now() AT TIME ZONE 'UTC')::date"

/* lower() takes the non-ASCII letters the C side left (the database's
 * ctype), left() keeps the bound if lower-casing made it longer.  The
 * count is worth no disk flush on the shopper's time: set_config(...,
 * true) lasts for this statement's own transaction, and its commit, the
 * only one it has, does not wait for the WAL (a crash may lose the last
 * fraction of a second of counts, never the shop's data). */
static db_stmt count_stmt = DB_STMT("search_term_count",
    "WITH async AS (SELECT set_config('synchronous_commit', 'off', true))"
    " INSERT INTO search.term_days AS t (day, term, searches, zero_results, last_at)"
    " SELECT " TODAY ", left(lower($1::text), 100), 1, CASE WHEN $2::boolean THEN 1 ELSE 0 END,"
    " now() FROM async"
    " ON CONFLICT (day, term) DO UPDATE SET searches = t.searches + 1,"
    " zero_results = t.zero_results + EXCLUDED.zero_results,"
    " last_at = greatest(t.last_at, EXCLUDED.last_at)", 2);

/* $1 days (today included), $2 only terms with zero-result searches, by
 * those, $3 limit, $4 offset; the last column is the number of terms */
static db_stmt top_stmt = DB_STMT("search_term_top",
    "SELECT term, sum(searches)::bigint, sum(zero_results)::bigint,"
    " floor(extract(epoch FROM max(last_at)))::bigint, count(*) OVER ()"
    " FROM search.term_days WHERE day > " TODAY " - $1::integer"
    " GROUP BY term HAVING NOT $2::boolean OR sum(zero_results) > 0"
    " ORDER BY CASE WHEN $2::boolean THEN sum(zero_results) END DESC, sum(searches) DESC, term"
    " LIMIT $3::bigint OFFSET $4::bigint", 4);

static db_stmt prune_stmt = DB_STMT("search_term_prune",
    "DELETE FROM search.term_days WHERE day <= " TODAY " - $1::integer", 1);

ecode
sstore_term_count(db_conn *c, arena *a, const char *term, bool zero, error *e)
{
	const char *p[2] = { term, zero ? "true" : "false" };

	return db_exec(c, a, &count_stmt, p, e) != NULL ? E_OK : e->code;
}

ecode
sstore_term_top(db_conn *c, arena *a, int days, bool zero_only, const page *pg,
    search_term_stat **out, size_t *n, int64_t *total, error *e)
{
	const char *p[4] = { arena_printf(a, "%d", days), zero_only ? "true" : "false",
	    arena_printf(a, "%lld", (long long)pg->per_page),
	    arena_printf(a, "%lld", (long long)pg->offset) };
	PGresult *r;
	int rows;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (!p[0] || !p[2] || !p[3])
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &top_stmt, p, e)))
		return e->code;
	rows = PQntuples(r);
	if (rows == 0)
		return E_OK;
	if (!(*out = arena_calloc(a, (size_t)rows, sizeof **out)))
		return err_set(e, E_INTERNAL, "out of memory");
	for (int i = 0; i < rows; i++) {
		search_term_stat *s = &(*out)[i];

		s->term = db_val(r, i, 0);
		s->searches = db_i64(r, i, 1);
		s->zero_results = db_i64(r, i, 2);
		s->last_seen = db_i64(r, i, 3);
	}
	*n = (size_t)rows;
	*total = db_i64(r, 0, 4);
	return E_OK;
}

ecode
sstore_term_prune(db_conn *c, arena *a, int keep_days, int64_t *deleted, error *e)
{
	const char *p[1] = { arena_printf(a, "%d", keep_days) };
	PGresult *r;

	if (!p[0])
		return err_set(e, E_INTERNAL, "out of memory");
	if (!(r = db_exec(c, a, &prune_stmt, p, e)))
		return e->code;
	*deleted = strtoll(PQcmdTuples(r), NULL, 10);
	return E_OK;
}
