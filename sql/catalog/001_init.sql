-- 001_init.sql — the catalog schema: products with their variants, images
-- and reviews; the taxonomy (categories, brands); storefront banners; and
-- the outbox that carries product events out of this schema.
--
-- Conventions (DESIGN §3): ids are UUIDs made here or by the service; money
-- is bigint minor units beside a char(3) ISO 4217 code; times are
-- timestamptz.  The service validates every field with a message for the
-- client; the CHECK constraints below repeat the essential bounds so that no
-- other writer (demo data, a psql session) can store what the service would
-- refuse.  Applied by `ecomctl migrate` inside one transaction, so this file
-- has no BEGIN/COMMIT of its own.

CREATE SCHEMA IF NOT EXISTS catalog;

-- URL columns hold http(s) URLs or site-relative paths ("/media/…"), never
-- protocol-relative ("//host") or other schemes.
CREATE DOMAIN catalog.url AS text
	CHECK (length(VALUE) BETWEEN 1 AND 2048
	       AND VALUE ~ '^(https?://[^[:space:]]+|/([^/[:space:]][^[:space:]]*)?)$');

-- Slugs compare bytewise (COLLATE "C") so the unique index also serves the
-- prefix scan that finds "name", "name-2", ... when a new slug is made.
CREATE DOMAIN catalog.slug AS text COLLATE "C"
	CHECK (length(VALUE) BETWEEN 1 AND 128
	       AND VALUE ~ '^[a-z0-9]+(-[a-z0-9]+)*$');

-- ---------------------------------------------------------------- taxonomy

CREATE TABLE catalog.categories (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	parent_id   uuid REFERENCES catalog.categories (id) ON DELETE RESTRICT,
	slug        catalog.slug NOT NULL,
	name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 20000),
	image_url   catalog.url,
	icon_url    catalog.url,
	sort_order  integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN -1000000 AND 1000000),
	is_active   boolean NOT NULL DEFAULT true,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT categories_slug_key UNIQUE (slug),
	CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX categories_parent_idx ON catalog.categories (parent_id, sort_order, name);

-- The tree may not contain a cycle and may not be deeper than 8 levels
-- (breadcrumbs and menus stay bounded).  The check walks up from the new
-- parent; a transaction-scoped advisory lock serialises every move so two
-- concurrent moves (A under B, B under A) cannot each pass on the old tree.
CREATE FUNCTION catalog.categories_check_tree() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	up_depth   integer;
	loops      boolean;
	sub_height integer;
BEGIN
	IF NEW.parent_id IS NULL THEN
		RETURN NEW;
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN
		RETURN NEW;
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('catalog.categories.tree'));

	WITH RECURSIVE up (id, parent_id, depth) AS (
		SELECT c.id, c.parent_id, 1 FROM catalog.categories c WHERE c.id = NEW.parent_id
		UNION ALL
		SELECT c.id, c.parent_id, up.depth + 1
		FROM catalog.categories c JOIN up ON c.id = up.parent_id
		WHERE up.id <> NEW.id AND up.depth < 64
	)
	SELECT max(depth), bool_or(id = NEW.id) INTO up_depth, loops FROM up;

	IF loops THEN
		RAISE EXCEPTION 'a category cannot be moved under itself or one of its descendants'
			USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_no_cycle';
	END IF;

	WITH RECURSIVE down (id, height) AS (
		SELECT NEW.id, 1
		UNION ALL
		SELECT c.id, down.height + 1
		FROM catalog.categories c JOIN down ON c.parent_id = down.id
		WHERE down.height < 64
	)
	SELECT max(height) INTO sub_height FROM down;

	IF coalesce(up_depth, 0) + sub_height > 8 THEN
		RAISE EXCEPTION 'categories may be nested at most 8 levels deep'
			USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_max_depth';
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER categories_check_tree
	BEFORE INSERT OR UPDATE OF parent_id ON catalog.categories
	FOR EACH ROW EXECUTE FUNCTION catalog.categories_check_tree();

CREATE TABLE catalog.brands (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug        catalog.slug NOT NULL,
	name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	logo_url    catalog.url,
	description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 20000),
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT brands_slug_key UNIQUE (slug)
);
CREATE INDEX brands_name_idx ON catalog.brands (name, id);

-- ---------------------------------------------------------------- products

CREATE TABLE catalog.products (
	id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug         catalog.slug NOT NULL,
	name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	description  text NOT NULL DEFAULT '' CHECK (char_length(description) <= 20000),
	status       text NOT NULL DEFAULT 'draft'
	             CHECK (status IN ('draft', 'published', 'archived')),
	base_price   bigint NOT NULL CHECK (base_price BETWEEN 0 AND 100000000000),
	currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	-- Taxonomy rows referenced by products cannot be deleted (409 in the
	-- API): a product silently losing its category would vanish from menus.
	brand_id     uuid REFERENCES catalog.brands (id) ON DELETE RESTRICT,
	category_id  uuid REFERENCES catalog.categories (id) ON DELETE RESTRICT,
	-- The owning seller (role S); NULL for products of the shop itself.
	seller_id    uuid,
	metadata     jsonb NOT NULL DEFAULT '{}'
	             CHECK (jsonb_typeof(metadata) = 'object' AND octet_length(metadata::text) <= 16384),
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	published_at timestamptz,
	CONSTRAINT products_slug_key UNIQUE (slug)
);
-- published_at records the first publication, whoever writes the row (the
-- service, demo data, a psql session), so it is the database's rule.
CREATE FUNCTION catalog.products_stamp_published() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.status = 'published' AND NEW.published_at IS NULL THEN
		NEW.published_at := now();
	END IF;
	RETURN NEW;
END $$;

CREATE TRIGGER products_stamp_published
	BEFORE INSERT OR UPDATE OF status ON catalog.products
	FOR EACH ROW EXECUTE FUNCTION catalog.products_stamp_published();

-- One index per list filter and sort of GET /products (status is always
-- part of the public query).
CREATE INDEX products_status_created_idx ON catalog.products (status, created_at DESC, id DESC);
CREATE INDEX products_status_price_idx   ON catalog.products (status, base_price, id);
CREATE INDEX products_status_name_idx    ON catalog.products (status, name, id);
CREATE INDEX products_category_idx       ON catalog.products (category_id, status);
CREATE INDEX products_brand_idx          ON catalog.products (brand_id, status);
CREATE INDEX products_seller_idx         ON catalog.products (seller_id, status) WHERE seller_id IS NOT NULL;
CREATE INDEX products_created_idx        ON catalog.products (created_at DESC, id DESC);

-- `search` is a case-insensitive substring match on name and description
-- until the search issue brings full-text search; trigram indexes make it
-- indexable where pg_trgm (postgresql-contrib) is available, and its absence
-- only makes the match slower.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
		CREATE EXTENSION IF NOT EXISTS pg_trgm;
		EXECUTE 'CREATE INDEX products_name_trgm_idx ON catalog.products USING gin (name gin_trgm_ops)';
		EXECUTE 'CREATE INDEX products_description_trgm_idx ON catalog.products USING gin (description gin_trgm_ops)';
	END IF;
END $$;

CREATE TABLE catalog.variants (
	id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	product_id   uuid NOT NULL REFERENCES catalog.products (id) ON DELETE CASCADE,
	sku          text NOT NULL CHECK (sku ~ '^[A-Za-z0-9._-]{1,64}$'),
	name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
	-- NULL: the product's base_price applies.
	price        bigint CHECK (price BETWEEN 0 AND 100000000000),
	attributes   jsonb NOT NULL DEFAULT '{}'
	             CHECK (jsonb_typeof(attributes) = 'object' AND octet_length(attributes::text) <= 8192),
	weight_grams integer CHECK (weight_grams BETWEEN 0 AND 10000000),
	is_active    boolean NOT NULL DEFAULT true,
	sort_order   integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN -1000000 AND 1000000),
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT variants_sku_key UNIQUE (sku),
	-- Lets images reference (variant, product) so an image can only point
	-- at a variant of its own product.
	CONSTRAINT variants_id_product_key UNIQUE (id, product_id)
);
CREATE INDEX variants_product_idx ON catalog.variants (product_id, sort_order, created_at);

CREATE TABLE catalog.images (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	product_id  uuid NOT NULL REFERENCES catalog.products (id) ON DELETE CASCADE,
	variant_id  uuid,
	url         catalog.url NOT NULL,
	alt_text    text NOT NULL DEFAULT '' CHECK (char_length(alt_text) <= 255),
	width       integer CHECK (width BETWEEN 1 AND 100000),
	height      integer CHECK (height BETWEEN 1 AND 100000),
	sort_order  integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN -1000000 AND 1000000),
	is_primary  boolean NOT NULL DEFAULT false,
	-- The media library's id when the image came from an upload.
	media_id    uuid,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT images_variant_fkey FOREIGN KEY (variant_id, product_id)
		REFERENCES catalog.variants (id, product_id) ON DELETE SET NULL (variant_id)
);
CREATE INDEX images_product_idx ON catalog.images (product_id, sort_order, created_at);
-- At most one primary image per product.
CREATE UNIQUE INDEX images_one_primary_key ON catalog.images (product_id) WHERE is_primary;

-- ---------------------------------------------------------------- reviews

CREATE TABLE catalog.reviews (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	product_id  uuid NOT NULL REFERENCES catalog.products (id) ON DELETE CASCADE,
	user_id     uuid NOT NULL,
	rating      smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
	title       text NOT NULL DEFAULT '' CHECK (char_length(title) <= 255),
	body        text NOT NULL DEFAULT '' CHECK (char_length(body) <= 5000),
	status      text NOT NULL DEFAULT 'published'
	            CHECK (status IN ('pending', 'published', 'rejected')),
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT reviews_user_product_key UNIQUE (user_id, product_id)
);
CREATE INDEX reviews_product_idx ON catalog.reviews (product_id, status, created_at DESC, id DESC);

-- The rating summary of each product, maintained by a trigger so the
-- product page reads one row instead of aggregating every review.  Only
-- published reviews count.  Upserts with increments are atomic per row, so
-- concurrent reviews never lose a count.
CREATE TABLE catalog.rating_summaries (
	product_id uuid PRIMARY KEY REFERENCES catalog.products (id) ON DELETE CASCADE,
	count      bigint NOT NULL DEFAULT 0 CHECK (count >= 0),
	sum        bigint NOT NULL DEFAULT 0 CHECK (sum >= 0),
	r1 bigint NOT NULL DEFAULT 0 CHECK (r1 >= 0),
	r2 bigint NOT NULL DEFAULT 0 CHECK (r2 >= 0),
	r3 bigint NOT NULL DEFAULT 0 CHECK (r3 >= 0),
	r4 bigint NOT NULL DEFAULT 0 CHECK (r4 >= 0),
	r5 bigint NOT NULL DEFAULT 0 CHECK (r5 >= 0)
);

-- CHECK constraints are evaluated on the row an INSERT proposes before ON
-- CONFLICT arbitrates, so a decrement is a plain UPDATE (the row exists:
-- the review being removed was counted into it) and only an increment
-- upserts.
CREATE FUNCTION catalog.rating_add(p uuid, rating smallint, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF delta < 0 THEN
		UPDATE catalog.rating_summaries SET
			count = count + delta,
			sum   = sum + delta * rating,
			r1 = r1 + CASE WHEN rating = 1 THEN delta ELSE 0 END,
			r2 = r2 + CASE WHEN rating = 2 THEN delta ELSE 0 END,
			r3 = r3 + CASE WHEN rating = 3 THEN delta ELSE 0 END,
			r4 = r4 + CASE WHEN rating = 4 THEN delta ELSE 0 END,
			r5 = r5 + CASE WHEN rating = 5 THEN delta ELSE 0 END
		WHERE product_id = p;
		RETURN;
	END IF;
	INSERT INTO catalog.rating_summaries AS s (product_id, count, sum, r1, r2, r3, r4, r5)
	VALUES (p, delta, delta * rating,
	        CASE WHEN rating = 1 THEN delta ELSE 0 END,
	        CASE WHEN rating = 2 THEN delta ELSE 0 END,
	        CASE WHEN rating = 3 THEN delta ELSE 0 END,
	        CASE WHEN rating = 4 THEN delta ELSE 0 END,
	        CASE WHEN rating = 5 THEN delta ELSE 0 END)
	ON CONFLICT (product_id) DO UPDATE SET
		count = s.count + EXCLUDED.count,
		sum   = s.sum + EXCLUDED.sum,
		r1 = s.r1 + EXCLUDED.r1, r2 = s.r2 + EXCLUDED.r2, r3 = s.r3 + EXCLUDED.r3,
		r4 = s.r4 + EXCLUDED.r4, r5 = s.r5 + EXCLUDED.r5;
END $$;

CREATE FUNCTION catalog.reviews_summarise() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
		-- The product row may already be gone (cascade); then so is its summary.
		IF EXISTS (SELECT 1 FROM catalog.products WHERE id = OLD.product_id) THEN
			PERFORM catalog.rating_add(OLD.product_id, OLD.rating, -1);
		END IF;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
		PERFORM catalog.rating_add(NEW.product_id, NEW.rating, 1);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER reviews_summarise
	AFTER INSERT OR UPDATE OF rating, status, product_id OR DELETE ON catalog.reviews
	FOR EACH ROW EXECUTE FUNCTION catalog.reviews_summarise();

-- ---------------------------------------------------------------- banners

CREATE TABLE catalog.banners (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	title       text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
	subtitle    text NOT NULL DEFAULT '' CHECK (char_length(subtitle) <= 500),
	image_url   catalog.url NOT NULL,
	link_url    catalog.url NOT NULL,
	link_type   text NOT NULL CHECK (link_type IN ('product', 'category', 'brand', 'page', 'external')),
	position    text NOT NULL CHECK (position ~ '^[a-z0-9_-]{1,32}$'),
	sort_order  integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN -1000000 AND 1000000),
	is_active   boolean NOT NULL DEFAULT true,
	starts_at   timestamptz,
	ends_at     timestamptz,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT banners_window CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX banners_position_idx ON catalog.banners (position, sort_order, created_at);
CREATE INDEX banners_active_idx ON catalog.banners (position, sort_order) WHERE is_active;

-- ---------------------------------------------------------------- outbox

-- Events written in the same transaction as the change they describe
-- (DESIGN §1); the relay in workers/ publishes them and sets published_at.
-- payload is the whole envelope of api-v1.md §Events.
CREATE TABLE catalog.outbox (
	id             uuid PRIMARY KEY,
	event_type     text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   uuid NOT NULL,
	payload        jsonb NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON catalog.outbox (created_at, id) WHERE published_at IS NULL;
