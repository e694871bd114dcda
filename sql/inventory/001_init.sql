-- 001_init.sql — the inventory schema: warehouses, stock per (variant,
-- warehouse), reservations held for checkouts, the movement log and the
-- outbox that carries inventory events out of this schema.
--
-- Products and variants live in the catalog schema; this schema keeps
-- their ids without foreign keys, because a domain may move to its own
-- database (DESIGN §1).  The service validates every field with a message
-- for the client; the CHECK constraints repeat the invariants that must
-- hold whoever writes (demo data, psql): stock never negative, never more
-- reserved than on hand.  Applied by `ecomctl migrate` in one transaction.

CREATE SCHEMA IF NOT EXISTS inventory;

-- ---------------------------------------------------------------- warehouses

-- Reservations take stock from active warehouses in ascending priority
-- (then code), so priority 1 ships first.
CREATE TABLE inventory.warehouses (
	id         uuid PRIMARY KEY,
	code       text NOT NULL CONSTRAINT warehouses_code_key UNIQUE
	           CONSTRAINT warehouses_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	address    text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
	priority   integer NOT NULL DEFAULT 100 CHECK (priority BETWEEN 0 AND 1000000),
	is_active  boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- stock

-- available = on_hand - reserved.  low_alerted remembers that
-- inventory.low_stock was emitted for the current dip below the threshold,
-- so the event goes out once per crossing, not on every sale below it.
CREATE TABLE inventory.stock (
	variant_id          uuid NOT NULL,
	warehouse_id        uuid NOT NULL CONSTRAINT stock_warehouse_id_fkey
	                    REFERENCES inventory.warehouses (id),
	product_id          uuid NOT NULL,
	on_hand             bigint NOT NULL DEFAULT 0,
	reserved            bigint NOT NULL DEFAULT 0,
	low_stock_threshold bigint NOT NULL DEFAULT 5,
	low_alerted         boolean NOT NULL DEFAULT false,
	updated_at          timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (variant_id, warehouse_id),
	CONSTRAINT stock_on_hand_bounds CHECK (on_hand >= 0 AND on_hand <= 1000000000),
	CONSTRAINT stock_reserved_bounds CHECK (reserved >= 0 AND reserved <= on_hand),
	CONSTRAINT stock_threshold_bounds CHECK (low_stock_threshold BETWEEN 0 AND 1000000000)
);
CREATE INDEX stock_product_idx ON inventory.stock (product_id, variant_id);
CREATE INDEX stock_low_idx ON inventory.stock (warehouse_id)
	WHERE on_hand - reserved <= low_stock_threshold;

-- ---------------------------------------------------------------- reservations

-- One reservation per checkout (key = checkout id), all-or-nothing; its
-- lines say which warehouse gave how much.  active -> confirmed (the order
-- took the stock) or released (failure, cancel, or expiry by the janitor).
CREATE TABLE inventory.reservations (
	id             uuid PRIMARY KEY,
	key            text NOT NULL CONSTRAINT reservations_key_key UNIQUE
	               CHECK (length(key) BETWEEN 1 AND 128),
	status         text NOT NULL DEFAULT 'active'
	               CHECK (status IN ('active', 'confirmed', 'released')),
	expires_at     timestamptz NOT NULL,
	order_id       uuid,
	release_reason text CHECK (length(release_reason) <= 200),
	created_at     timestamptz NOT NULL DEFAULT now(),
	updated_at     timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT reservations_confirmed_order CHECK (status <> 'confirmed' OR order_id IS NOT NULL)
);
CREATE INDEX reservations_expiry_idx ON inventory.reservations (expires_at)
	WHERE status = 'active';

CREATE TABLE inventory.reservation_lines (
	reservation_id uuid NOT NULL REFERENCES inventory.reservations (id) ON DELETE CASCADE,
	variant_id     uuid NOT NULL,
	warehouse_id   uuid NOT NULL REFERENCES inventory.warehouses (id),
	product_id     uuid NOT NULL,
	quantity       bigint NOT NULL CHECK (quantity > 0),
	PRIMARY KEY (reservation_id, variant_id, warehouse_id)
);

-- ---------------------------------------------------------------- movements

-- Every change of a stock row, with what it was after the change: the log
-- explains any number on a stock row.  actor_id is the user who caused it
-- (NULL for the system: checkout, janitor); reference is the reservation
-- or order id, or free text an admin gave.
CREATE TABLE inventory.movements (
	id             uuid PRIMARY KEY,
	variant_id     uuid NOT NULL,
	warehouse_id   uuid NOT NULL REFERENCES inventory.warehouses (id),
	product_id     uuid NOT NULL,
	delta_on_hand  bigint NOT NULL,
	delta_reserved bigint NOT NULL,
	on_hand_after  bigint NOT NULL,
	reserved_after bigint NOT NULL,
	reason         text NOT NULL CHECK (reason IN ('stock_set', 'adjustment', 'order',
	               'return', 'reservation', 'release', 'expired')),
	reference      text CHECK (length(reference) <= 200),
	actor_id       uuid,
	actor          text NOT NULL DEFAULT 'system' CHECK (length(actor) <= 64),
	-- clock_timestamp: several movements of one transaction keep their order
	created_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX movements_variant_idx ON inventory.movements (variant_id, created_at DESC, id);

-- ---------------------------------------------------------------- outbox

-- Events written in the same transaction as the change they describe
-- (DESIGN §1); the relay in workers/ publishes them and sets published_at.
CREATE TABLE inventory.outbox (
	id             uuid PRIMARY KEY,
	event_type     text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   uuid NOT NULL,
	payload        jsonb NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON inventory.outbox (created_at, id) WHERE published_at IS NULL;
