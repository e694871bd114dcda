-- 001_init.sql — the orders schema: orders with their human-readable
-- numbers, the line snapshot taken at purchase, the status history, the
-- admins' internal notes and the outbox for order events.
--
-- Users, products, payments and reservations live in other schemas; their
-- ids are kept without foreign keys (a domain may move to its own
-- database, DESIGN §1).  A line copies name, sku and prices as they were
-- when the order was placed: later catalog edits never rewrite an order.
-- The status CHECK repeats the set of states; which moves between them
-- are legal is decided in one place, order_transition_allowed()
-- (lib/order/state.c), and every change is a guarded UPDATE.

CREATE SCHEMA IF NOT EXISTS orders;

-- One counter per year: "EC-2026-000123".  The increment happens in the
-- transaction that inserts the order, so a rolled-back create gives its
-- number back and the numbers of a year stay gap-free and sequential; the
-- row lock also serialises creates, which keeps the per-checkout
-- uniqueness check race-free.
CREATE TABLE orders.number_counters (
	year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
	last bigint NOT NULL CHECK (last BETWEEN 0 AND 999999999)
);

CREATE TABLE orders.orders (
	id               uuid PRIMARY KEY,
	number           text NOT NULL CONSTRAINT orders_number_key UNIQUE
	                 CHECK (number ~ '^EC-[0-9]{4}-[0-9]{6,9}$'),
	checkout_id      text NOT NULL CONSTRAINT orders_checkout_id_key UNIQUE
	                 CHECK (length(checkout_id) BETWEEN 1 AND 128),
	user_id          uuid,
	email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	status           text NOT NULL CHECK (status IN ('pending', 'confirmed', 'processing',
	                 'shipped', 'delivered', 'canceled', 'refunded')),
	currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	subtotal         bigint NOT NULL CHECK (subtotal >= 0),
	discount_total   bigint NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
	shipping         bigint NOT NULL DEFAULT 0 CHECK (shipping >= 0),
	tax              bigint NOT NULL DEFAULT 0 CHECK (tax >= 0),
	total            bigint NOT NULL CHECK (total >= 0),
	shipping_method  text CHECK (length(shipping_method) <= 64),
	ship_full_name   text NOT NULL CHECK (length(ship_full_name) BETWEEN 1 AND 200),
	ship_line1       text NOT NULL CHECK (length(ship_line1) BETWEEN 1 AND 200),
	ship_line2       text CHECK (length(ship_line2) <= 200),
	ship_city        text NOT NULL CHECK (length(ship_city) BETWEEN 1 AND 100),
	ship_state       text CHECK (length(ship_state) <= 100),
	ship_postal_code text NOT NULL CHECK (length(ship_postal_code) BETWEEN 1 AND 20),
	ship_country     text NOT NULL CHECK (ship_country ~ '^[A-Z]{2}$'),
	ship_phone       text CHECK (length(ship_phone) <= 32),
	payment_id       uuid,
	reservation_id   uuid,
	coupon_codes     jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(coupon_codes) = 'array'),
	-- set once, by the change that gives the stock back (cancel, or a
	-- refund with restock), so a retried cancel never restocks twice
	stock_returned   boolean NOT NULL DEFAULT false,
	created_at       timestamptz NOT NULL DEFAULT now(),
	updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_idx ON orders.orders (user_id, created_at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX orders_guest_email_idx ON orders.orders (lower(email)) WHERE user_id IS NULL;
CREATE INDEX orders_status_idx ON orders.orders (status, created_at DESC);
CREATE INDEX orders_created_idx ON orders.orders (created_at DESC, id);

CREATE TABLE orders.items (
	order_id   uuid NOT NULL REFERENCES orders.orders (id) ON DELETE CASCADE,
	line       integer NOT NULL CHECK (line BETWEEN 1 AND 100),
	product_id uuid NOT NULL,
	variant_id uuid,
	name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
	sku        text CHECK (length(sku) <= 64),
	unit_price bigint NOT NULL CHECK (unit_price >= 0),
	quantity   bigint NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
	tax        bigint NOT NULL DEFAULT 0 CHECK (tax >= 0),
	discount   bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
	PRIMARY KEY (order_id, line)
);

-- Who moved the order, when and why; the first row (from_status NULL)
-- records the creation.  actor_id NULL = the system (checkout, janitor).
CREATE TABLE orders.status_history (
	id          uuid PRIMARY KEY,
	order_id    uuid NOT NULL REFERENCES orders.orders (id) ON DELETE CASCADE,
	from_status text,
	to_status   text NOT NULL,
	actor_id    uuid,
	actor       text NOT NULL DEFAULT 'system' CHECK (length(actor) <= 64),
	reason      text CHECK (length(reason) <= 500),
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX status_history_order_idx ON orders.status_history (order_id, created_at);

-- Internal notes: admins only, never shown to the customer.  Refunds add
-- one too, so the order page tells the whole story.
CREATE TABLE orders.notes (
	id         uuid PRIMARY KEY,
	order_id   uuid NOT NULL REFERENCES orders.orders (id) ON DELETE CASCADE,
	author_id  uuid,
	author     text NOT NULL DEFAULT 'system' CHECK (length(author) <= 254),
	body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
	created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notes_order_idx ON orders.notes (order_id, created_at);

CREATE TABLE orders.outbox (
	id             uuid PRIMARY KEY,
	event_type     text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   uuid NOT NULL,
	payload        jsonb NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON orders.outbox (created_at, id) WHERE published_at IS NULL;
