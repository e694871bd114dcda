-- 001_init.sql — the payments schema: one payment per checkout, its
-- refunds, the provider webhooks already seen, and the outbox.
--
-- Card numbers never reach this schema: only the brand and the last four
-- digits.  The invariant "refunds never exceed the captured amount" is held
-- by the database, not only by the service: refunded_amount is a CHECKed
-- column that every refund raises in the same guarded statement that
-- inserts it (lib/payment/store.c), so concurrent refunds serialize on the
-- payment row and a refund that would exceed the capture inserts nothing.

CREATE SCHEMA IF NOT EXISTS payments;

-- status: pending (intent recorded, provider not yet answered, or an
-- offline method awaiting the money) -> authorized -> captured ->
-- partially_refunded -> refunded; or failed / voided.  idempotency_key is
-- what the provider knows the charge by (checkout id + attempt), so a
-- retry after a crash or timeout finds the same charge instead of a new one.
CREATE TABLE payments.payments (
	id               uuid PRIMARY KEY,
	checkout_id      text NOT NULL CONSTRAINT payments_checkout_key UNIQUE
	                 CHECK (length(checkout_id) BETWEEN 1 AND 128),
	order_id         uuid,
	user_id          uuid,
	amount           bigint NOT NULL CHECK (amount > 0 AND amount <= 100000000000),
	refunded_amount  bigint NOT NULL DEFAULT 0,
	currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	method           text NOT NULL CHECK (method IN ('card', 'bank_transfer', 'cash_on_delivery')),
	status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'authorized',
	                 'captured', 'failed', 'voided', 'refunded', 'partially_refunded')),
	provider         text,
	provider_ref     text CHECK (length(provider_ref) <= 128),
	provider_version bigint NOT NULL DEFAULT 0,
	idempotency_key  text NOT NULL CONSTRAINT payments_idempotency_key UNIQUE
	                 CHECK (length(idempotency_key) BETWEEN 1 AND 160),
	attempt          integer NOT NULL DEFAULT 1 CHECK (attempt BETWEEN 1 AND 100),
	card_brand       text CHECK (length(card_brand) <= 32),
	card_last4       text CHECK (card_last4 ~ '^[0-9]{4}$'),
	failure_code     text CHECK (length(failure_code) <= 64),
	failure_message  text CHECK (length(failure_message) <= 200),
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT payments_refund_bounds CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
	CONSTRAINT payments_captured_ref CHECK (status NOT IN ('authorized', 'captured',
	           'partially_refunded', 'refunded') OR method <> 'card' OR provider_ref IS NOT NULL)
);
CREATE INDEX payments_order_idx ON payments.payments (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX payments_user_idx ON payments.payments (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX payments_pending_idx ON payments.payments (created_at)
	WHERE status = 'pending' AND method = 'card';

-- pending (reserved against the payment, provider not yet answered) ->
-- succeeded | failed.  A failed refund gives its amount back.
CREATE TABLE payments.refunds (
	id              uuid PRIMARY KEY,
	payment_id      uuid NOT NULL REFERENCES payments.payments (id),
	amount          bigint NOT NULL CHECK (amount > 0),
	reason          text NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
	idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 160),
	status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
	provider_ref    text CHECK (length(provider_ref) <= 128),
	actor_id        uuid,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT refunds_idempotency_key UNIQUE (payment_id, idempotency_key)
);

-- The second line of defence behind the guarded statement: whoever writes
-- a refund (psql included), the live refunds of a payment never sum past
-- its amount.  The payment row is locked first so two writers serialize.
CREATE FUNCTION payments.refunds_within_amount() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cap bigint;
	total bigint;
BEGIN
	SELECT amount INTO cap FROM payments.payments WHERE id = NEW.payment_id FOR UPDATE;
	SELECT coalesce(sum(amount), 0) INTO total FROM payments.refunds
	 WHERE payment_id = NEW.payment_id AND status <> 'failed';
	IF total > cap THEN
		RAISE EXCEPTION 'refunds exceed the captured amount'
		      USING ERRCODE = 'check_violation', CONSTRAINT = 'refunds_within_amount';
	END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER refunds_within_amount AFTER INSERT OR UPDATE ON payments.refunds
	FOR EACH ROW EXECUTE FUNCTION payments.refunds_within_amount();

-- Provider callbacks arrive possibly several times and out of order; the
-- first delivery of an event id is applied, the rest are acknowledged.
CREATE TABLE payments.webhook_events (
	provider    text NOT NULL CHECK (length(provider) BETWEEN 1 AND 32),
	event_id    text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 128),
	event_type  text NOT NULL CHECK (length(event_type) <= 64),
	payment_id  uuid,
	received_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (provider, event_id)
);

-- Events written in the same transaction as the change they describe
-- (DESIGN §1); the relay in workers/ publishes them and sets published_at.
CREATE TABLE payments.outbox (
	id             uuid PRIMARY KEY,
	event_type     text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   uuid NOT NULL,
	payload        jsonb NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	published_at   timestamptz
);
CREATE INDEX payments_outbox_unpublished_idx ON payments.outbox (created_at) WHERE published_at IS NULL;
