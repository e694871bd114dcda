-- 001_init.sql — the ledger of the built-in sandbox card processor
-- (cgi-bin/sandbox.c).  It stands in for a remote processor, so it keeps
-- its own books in its own schema: what it authorized, captured and
-- refunded, by the merchant's idempotency key, and the webhook events it
-- would send.  Never a card number: brand and last four only.

CREATE SCHEMA IF NOT EXISTS sandbox;

-- version grows with every change, and every answer and event carries it,
-- so the merchant can order out-of-order webhooks.
CREATE TABLE sandbox.authorizations (
	id              text PRIMARY KEY CHECK (id ~ '^auth_[0-9a-f]{24}$'),
	idempotency_key text NOT NULL CONSTRAINT authorizations_key UNIQUE
	                CHECK (length(idempotency_key) BETWEEN 1 AND 160),
	amount          bigint NOT NULL CHECK (amount > 0),
	currency        text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	status          text NOT NULL CHECK (status IN ('authorized', 'declined', 'captured',
	                'voided', 'partially_refunded', 'refunded')),
	captured_amount bigint NOT NULL DEFAULT 0,
	refunded_amount bigint NOT NULL DEFAULT 0,
	brand           text NOT NULL,
	last4           text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
	decline_code    text,
	message         text,
	version         bigint NOT NULL DEFAULT 1,
	created_at      timestamptz NOT NULL DEFAULT now(),
	updated_at      timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT authorizations_amounts CHECK (captured_amount BETWEEN 0 AND amount
	           AND refunded_amount BETWEEN 0 AND captured_amount)
);

CREATE TABLE sandbox.refunds (
	id               text PRIMARY KEY CHECK (id ~ '^re_[0-9a-f]{24}$'),
	authorization_id text NOT NULL REFERENCES sandbox.authorizations (id),
	idempotency_key  text NOT NULL CONSTRAINT refunds_key UNIQUE,
	amount           bigint NOT NULL CHECK (amount > 0),
	created_at       timestamptz NOT NULL DEFAULT now()
);

-- The webhooks this processor sends: the state of the authorization after
-- each change.  GET /sandbox/v1/events signs them at delivery time.
CREATE TABLE sandbox.events (
	id               text PRIMARY KEY CHECK (id ~ '^evt_[0-9a-f]{24}$'),
	authorization_id text NOT NULL REFERENCES sandbox.authorizations (id),
	type             text NOT NULL,
	payload          jsonb NOT NULL,
	created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_authorization_idx ON sandbox.events (authorization_id, created_at);
