-- search: the storefront's product search (lib/search), built by the
-- "search-indexer" event consumer from the catalog's, the inventory's and
-- the orders' events (DESIGN §1, api-v1.md §Search).
--
-- Every document is denormalised: a query reads this schema only and never
-- another domain's tables.  The indexer rebuilds a product's document from
-- the catalog's and the inventory's public functions whenever an event
-- touches the product, so an event that carries only part of the state is
-- enough.  Applied by `ecomctl migrate` in one transaction.

CREATE SCHEMA IF NOT EXISTS search;
-- typo tolerance (similar words) and prefix lookups on names
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- the consumer's claim (events.h: event_claim): each event once in effect
CREATE TABLE search.processed_events (
	event_id   uuid PRIMARY KEY,
	handled_at timestamptz NOT NULL DEFAULT now()
);

-- The category tree as search needs it: path holds the ids from the root
-- to the category itself, so a document can carry all its ancestors and a
-- filter on a category finds its descendants with one array lookup.
CREATE TABLE search.categories (
	id        uuid PRIMARY KEY,
	parent_id uuid,
	slug      text NOT NULL CHECK (length(slug) BETWEEN 1 AND 200),
	name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
	path      uuid[] NOT NULL,
	is_active boolean NOT NULL DEFAULT true
);

-- The brands' names for the facet's labels, as the documents have them.
CREATE TABLE search.brands (
	id   uuid PRIMARY KEY,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 500)
);

-- Units sold per product, from ecommerce.order.created (kept apart from
-- the documents so a rebuilt document keeps it).
CREATE TABLE search.popularity (
	product_id uuid PRIMARY KEY,
	sold       bigint NOT NULL DEFAULT 0 CHECK (sold >= 0)
);

-- One document per published product.
CREATE TABLE search.documents (
	product_id     uuid PRIMARY KEY,
	slug           text NOT NULL,
	name           text NOT NULL,
	description    text NOT NULL DEFAULT '',
	brand_id       uuid,
	brand_name     text NOT NULL DEFAULT '',
	category_id    uuid,
	category_ids   uuid[] NOT NULL DEFAULT '{}',	-- the category and its ancestors
	category_names text NOT NULL DEFAULT '',	-- their names, root first
	attrs          text[] NOT NULL DEFAULT '{}',	-- "size=M", key lower-cased
	attr_text      text NOT NULL DEFAULT '',	-- the attribute values, for the text
	price_min      bigint NOT NULL CHECK (price_min >= 0),	-- over active variants
	price_max      bigint NOT NULL CHECK (price_max >= price_min),
	currency       text NOT NULL CHECK (length(currency) = 3),
	in_stock       boolean NOT NULL DEFAULT false,
	popularity     bigint NOT NULL DEFAULT 0,
	image_url      text,
	image_alt      text,
	image_width    integer NOT NULL DEFAULT 0,
	image_height   integer NOT NULL DEFAULT 0,
	rating_x100    integer NOT NULL DEFAULT 0,
	rating_count   bigint NOT NULL DEFAULT 0,
	created_at     timestamptz NOT NULL,	-- the product's
	indexed_at     timestamptz NOT NULL DEFAULT now(),
	-- name (A) > brand and category names (B) > description, attributes (C).
	-- The name is indexed also with its hyphens removed, so "tshirt" finds
	-- "T-Shirt".
	tsv            tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('english'::regconfig,
		    name || ' ' || regexp_replace(name, '([[:alnum:]])-([[:alnum:]])', '\1\2', 'g')), 'A') ||
		setweight(to_tsvector('english'::regconfig, brand_name || ' ' || category_names), 'B') ||
		setweight(to_tsvector('english'::regconfig,
		    description || ' ' || attr_text), 'C')) STORED
);
CREATE INDEX documents_tsv_idx ON search.documents USING gin (tsv);
CREATE INDEX documents_category_ids_idx ON search.documents USING gin (category_ids);
CREATE INDEX documents_attrs_idx ON search.documents USING gin (attrs);
CREATE INDEX documents_brand_idx ON search.documents (brand_id);
-- a page without words walks one of these in the order asked for
CREATE INDEX documents_popular_idx ON search.documents
	(popularity DESC, (lower(name) COLLATE "C"), product_id);
CREATE INDEX documents_price_idx ON search.documents
	(price_min, (lower(name) COLLATE "C"), product_id);
CREATE INDEX documents_created_idx ON search.documents (created_at DESC, product_id);
CREATE INDEX documents_name_idx ON search.documents ((lower(name) COLLATE "C"), product_id);
CREATE INDEX documents_name_trgm_idx ON search.documents USING gin (lower(name) gin_trgm_ops);

-- The words of names, brands, categories and attribute values: the
-- candidates a misspelt query term is corrected to (by trigram
-- similarity).  Only ever grows between reindexes; a word whose products
-- are gone corrects to a query that finds nothing, which is harmless.
CREATE TABLE search.words (
	word text PRIMARY KEY CHECK (length(word) BETWEEN 2 AND 60)
);
CREATE INDEX words_trgm_idx ON search.words USING gin (word gin_trgm_ops);

-- The index generation: the indexer advances it after every change it
-- commits, and each responder keeps the facet counts of recent queries
-- only while it has not moved (lib/search/cache.c).
CREATE SEQUENCE search.generation;

-- Reindexes an admin asked for (POST /api/v1/search/reindex): the janitor
-- runs the oldest pending one; `ecomctl search reindex` runs one at once.
CREATE TABLE search.reindex_runs (
	id           uuid PRIMARY KEY,
	requested_by uuid,
	status       text NOT NULL DEFAULT 'pending'
	             CHECK (status IN ('pending', 'running', 'done', 'failed')),
	documents    bigint NOT NULL DEFAULT 0,
	error        text CHECK (length(error) <= 1000),
	requested_at timestamptz NOT NULL DEFAULT now(),
	started_at   timestamptz,
	finished_at  timestamptz
);
CREATE INDEX reindex_runs_pending_idx ON search.reindex_runs (requested_at) WHERE status = 'pending';
