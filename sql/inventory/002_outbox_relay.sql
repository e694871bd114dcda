-- The outbox as the relay (lib/events/relay.c) drains it, the same shape
-- in every schema: seq orders the events (per aggregate, the order the
-- relay hands them over), attempts / last_error / next_attempt_at carry
-- the retries with backoff, and a statement trigger wakes a relay that
-- waits on LISTEN ecom_outbox.
--
-- Rows written before this migration are numbered in the order they were
-- written, so their order survives.

ALTER TABLE inventory.outbox
	ADD COLUMN seq bigserial NOT NULL,
	ADD COLUMN attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN last_error text,
	ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();

UPDATE inventory.outbox o SET seq = n.rn
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn FROM inventory.outbox) n
WHERE o.id = n.id;
SELECT setval(pg_get_serial_sequence('inventory.outbox', 'seq'),
	greatest((SELECT max(seq) FROM inventory.outbox), 1),
	EXISTS (SELECT 1 FROM inventory.outbox));

DROP INDEX inventory.outbox_unpublished_idx;
CREATE INDEX outbox_pending_idx ON inventory.outbox (seq) WHERE published_at IS NULL;
-- "is an earlier event of this aggregate still pending?" (the relay's
-- per-aggregate order)
CREATE INDEX outbox_pending_aggregate_idx ON inventory.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION inventory.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'inventory'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON inventory.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION inventory.outbox_notify();
