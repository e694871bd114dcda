-- 002_outbox.sql — the checkout schema's outbox (checkout.initiated,
-- checkout.completed, checkout.failed), written in the same transaction as
-- the checkout's status change (lib/checkout/events.c) and drained by the
-- relay like every other schema's (the shape of */002_outbox_relay.sql).

CREATE TABLE checkout.outbox (
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
CREATE INDEX outbox_pending_idx ON checkout.outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_aggregate_idx ON checkout.outbox (aggregate_id, seq)
	WHERE published_at IS NULL;

CREATE FUNCTION checkout.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS
	$$ BEGIN PERFORM pg_notify('ecom_outbox', 'checkout'); RETURN NULL; END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON checkout.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION checkout.outbox_notify();
