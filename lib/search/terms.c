/*
 * terms.c — what shoppers search for (search.h, "search terms"): each
 * search a shopper typed is counted under its normalised text for the
 * day, with how many found nothing; the admin's report sums the days of a
 * period; the janitor forgets days older than SEARCH_LOG_KEEP_DAYS.
 *
 * Counting is one UPSERT on the search's own connection after the results
 * are known.  It must not cost the shopper the search: a failure is
 * logged and forgotten, and nothing is retried.  Searches are not tied to
 * a shopper, a session or an address: the table holds terms and counts
 * only.
 */
#include <string.h>

#include "core/log.h"
#include "core/parse.h"
#include "search/internal.h"

/* ASCII whitespace and control bytes, and U+00A0 (two bytes), separate. */
static size_t
space_len(const unsigned char *p)
{
	if (*p != '\0' && (*p <= 0x20 || *p == 0x7f))
		return 1;
	if (p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	return 0;
}

const char *
search_term_normalise(arena *a, const char *q)
{
	const unsigned char *p = (const unsigned char *)q;
	size_t len, chars = 0, o = 0, sp;
	bool gap = false;
	char *out;

	if (q == NULL || !utf8_valid(q, len = strlen(q)) || !(out = arena_alloc(a, len + 1)))
		return NULL;
	while (*p != '\0') {
		if ((sp = space_len(p)) > 0) {
			gap = o > 0;
			p += sp;
			continue;
		}
		/* a character starts here (not a continuation byte) */
		if ((*p & 0xC0) != 0x80) {
			if (chars + (gap ? 1 : 0) >= SEARCH_LOG_TERM_MAX)
				break;
			if (gap) {
				out[o++] = ' ';
				chars++;
				gap = false;
			}
			chars++;
		}
		out[o++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		p++;
	}
	out[o] = '\0';
	return o > 0 ? out : NULL;
}

/* A search as a shopper typed it: words, first page, relevance order, no
 * filter (a facet or sort link re-runs the same words). */
static bool
typed_search(arena *a, const search_query *q)
{
	const char **words;
	size_t n = 0;
	error e;

	err_clear(&e);
	if (q->q == NULL || q->q[0] == '\0' || q->pg.page != 1 || q->sort != SEARCH_SORT_RELEVANCE ||
	    q->category_id != NULL || q->brand_id != NULL || q->min_price >= 0 ||
	    q->max_price >= 0 || q->in_stock >= 0 || q->nattrs > 0)
		return false;
	return search_words(a, q->q, &words, &n, &e) == E_OK && n > 0;
}

void
search_log_query(arena *a, const search_query *q, const search_result *r)
{
	const char *term;
	db_conn *c;
	error e;

	err_clear(&e);
	if (!typed_search(a, q) || !(term = search_term_normalise(a, q->q)))
		return;
	if (!(c = search_db(&e)) || sstore_term_count(c, a, term, r->total == 0, &e) != E_OK)
		log_msg(LOG_ERROR, "search terms: not counted: %s", e.message);
}

ecode
search_terms_top(arena *a, int days, bool zero_only, const page *pg, search_term_stat **out,
    size_t *n, int64_t *total, error *e)
{
	db_conn *c;

	if (days < 1 || days > SEARCH_LOG_KEEP_DAYS)
		return err_set(e, E_INVALID_PARAMETER, "days must be between 1 and %d",
		    SEARCH_LOG_KEEP_DAYS);
	if (!(c = search_db(e)))
		return e->code;
	return sstore_term_top(c, a, days, zero_only, pg, out, n, total, e);
}

ecode
search_terms_prune(arena *a, int64_t *deleted, error *e)
{
	db_conn *c;

	*deleted = 0;
	if (!(c = search_db(e)))
		return e->code;
	return sstore_term_prune(c, a, SEARCH_LOG_KEEP_DAYS, deleted, e);
}
