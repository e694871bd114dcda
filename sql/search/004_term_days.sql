-- What shoppers search for (/admin/search-terms): one row per UTC day and
-- normalised query (lower case, whitespace collapsed, at most 100
-- characters), counted by one UPSERT per search (lib/search/terms.c), so
-- the table holds distinct terms per day, not one row per search.  The
-- janitor deletes days older than 400 (search_terms_prune).
CREATE TABLE search.term_days (
	day          date NOT NULL,
	term         text NOT NULL CHECK (length(term) BETWEEN 1 AND 100),
	searches     bigint NOT NULL DEFAULT 0 CHECK (searches >= 0),
	zero_results bigint NOT NULL DEFAULT 0 CHECK (zero_results BETWEEN 0 AND searches),
	last_at      timestamptz NOT NULL DEFAULT now(),
	-- the report and the pruning read a range of days
	PRIMARY KEY (day, term)
);
