-- 001_init.sql — the checkout schema: checkouts (the quote and where its
-- saga stands), the saga log, and the idempotency keys of /process.
--
-- Users, carts, stock, coupons, payments and orders live in other domains;
-- their ids are kept here without foreign keys, because each domain may
-- move to its own database (DESIGN §1).

CREATE SCHEMA IF NOT EXISTS checkout;

-- One row per checkout.  lines, codes, discounts and the address are JSON
-- because they are a snapshot taken for the order, read and written whole.
-- token_hash is the hex HMAC (server secret) of a guest's checkout token;
-- the token itself is never stored.  saga_at is when the saga last wrote
-- its log, so the janitor finds sagas that stopped moving.
CREATE TABLE checkout.checkouts (
	id               uuid PRIMARY KEY,
	user_id          uuid,
	token_hash       text CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	status           text NOT NULL DEFAULT 'open'
	                 CHECK (status IN ('open', 'processing', 'completed', 'failed', 'canceled', 'expired')),
	currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	lines            jsonb NOT NULL,
	codes            jsonb NOT NULL DEFAULT '[]',
	discounts        jsonb NOT NULL DEFAULT '[]',
	address          jsonb,
	shipping_method  text CHECK (length(shipping_method) <= 32),
	payment_method   text CHECK (payment_method IN ('card', 'bank_transfer', 'cash_on_delivery')),
	card_brand       text CHECK (length(card_brand) <= 32),
	card_last4       text CHECK (card_last4 ~ '^[0-9]{4}$'),
	subtotal         bigint NOT NULL DEFAULT 0 CHECK (subtotal >= 0),
	discount_total   bigint NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
	shipping         bigint NOT NULL DEFAULT 0 CHECK (shipping >= 0),
	tax              bigint NOT NULL DEFAULT 0 CHECK (tax >= 0),
	total            bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
	reservation_id   uuid,
	payment_id       uuid,
	order_id         uuid,
	order_number     text,
	failure_code     text,
	failure_message  text CHECK (length(failure_message) <= 500),
	cart_user_id     uuid,
	cart_guest_id    text CHECK (cart_guest_id ~ '^[0-9a-f]{32}$'),
	expires_at       timestamptz NOT NULL,
	saga_at          timestamptz,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT checkouts_owner CHECK (user_id IS NOT NULL OR token_hash IS NOT NULL),
	CONSTRAINT checkouts_completed_order CHECK (status <> 'completed' OR order_id IS NOT NULL)
);
CREATE INDEX checkouts_user_idx ON checkout.checkouts (user_id, created_at DESC);
CREATE INDEX checkouts_processing_idx ON checkout.checkouts (saga_at) WHERE status = 'processing';
CREATE INDEX checkouts_open_idx ON checkout.checkouts (expires_at) WHERE status = 'open';

-- The saga log: one row per (checkout, step), written 'started' before the
-- step runs and 'done' / 'failed' after; compensation moves a done (or
-- uncertain 'started') step to 'compensated'.  The janitor reads it to
-- decide between finishing and undoing.
CREATE TABLE checkout.saga_steps (
	checkout_id uuid NOT NULL REFERENCES checkout.checkouts (id) ON DELETE CASCADE,
	step        text NOT NULL
	            CHECK (step IN ('validate', 'inventory', 'campaign', 'payment', 'order', 'confirm')),
	seq         smallint NOT NULL CHECK (seq BETWEEN 1 AND 6),
	state       text NOT NULL CHECK (state IN ('started', 'done', 'failed', 'compensated')),
	detail      text CHECK (length(detail) <= 500),
	started_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (checkout_id, step)
);

-- Idempotency-Key of POST /checkout/{id}/process, scoped to the checkout
-- (two customers can never collide on a key).  request_hash is the hex
-- HMAC of the checkout id and the body (never a plain digest: the body
-- holds a card number).  state 'running' while the first request works;
-- 'done' with the status and JSON body to replay.  Kept 48 hours.
CREATE TABLE checkout.idempotency_keys (
	checkout_id   uuid NOT NULL,
	key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
	request_hash  text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
	state         text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done')),
	status        integer,
	response      text,
	created_at    timestamptz NOT NULL DEFAULT now(),
	completed_at  timestamptz,
	PRIMARY KEY (checkout_id, key),
	CONSTRAINT idempotency_done CHECK (state <> 'done' OR (status IS NOT NULL AND response IS NOT NULL))
);
CREATE INDEX idempotency_keys_age_idx ON checkout.idempotency_keys (created_at);
