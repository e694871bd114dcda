-- 001_init.sql — the shop's settings an admin changes at run time
-- (issue 7): one row per setting that differs from the configuration,
-- which gives the defaults.  Every process keeps a copy it reloads within
-- ECOM_SETTINGS_TTL_MS (lib/core/site.c); lib/settings validates and
-- writes them, with settings.updated in the same transaction.

CREATE SCHEMA IF NOT EXISTS settings;

CREATE TABLE settings.settings (
	key        text PRIMARY KEY CHECK (key IN ('store_name', 'contact_email', 'currency',
	           'mail_from', 'shipping_methods', 'tax_rates', 'prices_include_tax')),
	value      text NOT NULL CHECK (length(value) <= 4000),
	updated_by uuid,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox, in the shape the relay drains (*/002_outbox_relay.sql).
CREATE TABLE settings.outbox (
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
CREATE INDEX outbox_pending_idx ON settings.outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_aggregate_idx ON settings.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION settings.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'settings'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON settings.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION settings.outbox_notify();
