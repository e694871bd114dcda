-- The outbox as the relay (lib/events/relay.c) drains it, the same shape
-- in every schema: seq orders the events (per aggregate, the order the
-- relay hands them over), attempts / last_error / next_attempt_at carry
-- the retries with backoff, and a statement trigger wakes a relay that
-- waits on LISTEN ecom_outbox.
--
-- Rows written before this migration are numbered in the order they were
-- written, so their order survives.

ALTER TABLE orders.outbox
	ADD COLUMN seq bigserial NOT NULL,
	ADD COLUMN attempts integer NOT NULL DEFAULT 0,
	ADD COLUMN last_error text,
	ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();

UPDATE orders.outbox o SET seq = n.rn
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn FROM orders.outbox) n
WHERE o.id = n.id;
SELECT setval(pg_get_serial_sequence('orders.outbox', 'seq'),
	greatest((SELECT max(seq) FROM orders.outbox), 1),
	EXISTS (SELECT 1 FROM orders.outbox));

DROP INDEX orders.outbox_unpublished_idx;
CREATE INDEX outbox_pending_idx ON orders.outbox (seq) WHERE published_at IS NULL;
-- "is an earlier event of this aggregate still pending?" (the relay's
-- per-aggregate order)
CREATE INDEX outbox_pending_aggregate_idx ON orders.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION orders.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'orders'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON orders.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION orders.outbox_notify();
