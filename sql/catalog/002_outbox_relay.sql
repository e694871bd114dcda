-- The outbox as the relay (lib/events/relay.c) drains it, the same shape
-- in every schema: seq orders the events (per aggregate, the order the
-- relay hands them over), attempts / last_error / next_attempt_at carry
-- the retries with backoff, and a statement trigger wakes a relay that
-- waits on LISTEN ecom_outbox.
--
-- Rows written before this migration are numbered in the order they were
-- written, so their order survives.

ALTER TABLE catalog.outbox
	ADD COLUMN seq bigserial NOT NULL,
	ADD COLUMN attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN last_error text,
	ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();

UPDATE catalog.outbox o SET seq = n.rn
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn FROM catalog.outbox) n
WHERE o.id = n.id;
SELECT setval(pg_get_serial_sequence('catalog.outbox', 'seq'),
	greatest((SELECT max(seq) FROM catalog.outbox), 1),
	EXISTS (SELECT 1 FROM catalog.outbox));

DROP INDEX catalog.outbox_unpublished_idx;
CREATE INDEX outbox_pending_idx ON catalog.outbox (seq) WHERE published_at IS NULL;
-- "is an earlier event of this aggregate still pending?" (the relay's
-- per-aggregate order)
CREATE INDEX outbox_pending_aggregate_idx ON catalog.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION catalog.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'catalog'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON catalog.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION catalog.outbox_notify();
