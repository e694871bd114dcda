-- media: the media library (lib/media): uploaded images, the normalised
-- sizes made from each, and the outbox that carries media.uploaded and
-- media.deleted out of this schema.
--
-- An item belongs to one owner (a product, category, brand, banner or user
-- of another domain, by id only: no foreign key crosses schemas).  Its
-- variants are files named by the SHA-256 of their bytes, so the same
-- image uploaded twice shares files; path is relative to ECOM_MEDIA_ROOT
-- and is what decides when a file may be unlinked (no variant row left
-- with that path).  Applied by `ecomctl migrate` in one transaction.

CREATE SCHEMA IF NOT EXISTS media;

CREATE TABLE media.items (
	id            uuid PRIMARY KEY,
	owner_type    text NOT NULL CHECK (owner_type IN ('product', 'category', 'brand', 'banner', 'user')),
	owner_id      uuid NOT NULL,
	alt_text      text NOT NULL DEFAULT '' CHECK (char_length(alt_text) <= 255),
	sort_order    integer NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN -1000000 AND 1000000),
	source_format text NOT NULL CHECK (source_format IN ('jpeg', 'png', 'webp', 'gif')),
	source_bytes  bigint NOT NULL CHECK (source_bytes > 0),
	width         integer NOT NULL CHECK (width BETWEEN 1 AND 100000),
	height        integer NOT NULL CHECK (height BETWEEN 1 AND 100000),
	uploaded_by   uuid NOT NULL,
	created_at    timestamptz NOT NULL DEFAULT now(),
	updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_owner_idx ON media.items (owner_type, owner_id, sort_order, created_at);

CREATE TABLE media.variants (
	media_id  uuid NOT NULL REFERENCES media.items (id) ON DELETE CASCADE,
	width     integer NOT NULL CHECK (width BETWEEN 1 AND 100000),
	height    integer NOT NULL CHECK (height BETWEEN 1 AND 100000),
	format    text NOT NULL CHECK (format IN ('webp', 'jpeg')),
	-- "u/ab/<64 hex>.webp": server-made, never from the client
	path      text NOT NULL CHECK (path ~ '^u/[0-9a-f]{2}/[0-9a-f]{64}\.(webp|jpg)$'),
	bytes     bigint NOT NULL CHECK (bytes > 0),
	PRIMARY KEY (media_id, width, format)
);
CREATE INDEX variants_path_idx ON media.variants (path);

-- The outbox in the relay's shape (sql/catalog/002_outbox_relay.sql).
CREATE TABLE media.outbox (
	id              uuid PRIMARY KEY,
	event_type      text NOT NULL,
	aggregate_type  text NOT NULL,
	aggregate_id    uuid NOT NULL,
	payload         jsonb NOT NULL,
	created_at      timestamptz NOT NULL DEFAULT now(),
	published_at    timestamptz,
	seq             bigserial NOT NULL,
	attempts        integer NOT NULL DEFAULT 0,
	last_error      text,
	next_attempt_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending_idx ON media.outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_aggregate_idx ON media.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION media.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'media'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON media.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION media.outbox_notify();
