-- What each order added to search.popularity, so that its cancellation
-- (or its full refund) takes back exactly that, once, and never below 0.
-- An order is counted once (its row here); `reversed` marks one taken
-- back, including one whose cancellation arrived before its
-- order.created (which then adds nothing).  Orders placed before this
-- table existed have no row: their cancellation takes nothing back.
CREATE TABLE search.orders_counted (
	order_id   uuid PRIMARY KEY,
	reversed   boolean NOT NULL DEFAULT false,
	counted_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE search.order_units (
	order_id   uuid NOT NULL REFERENCES search.orders_counted ON DELETE CASCADE,
	product_id uuid NOT NULL,
	units      bigint NOT NULL CHECK (units > 0),
	PRIMARY KEY (order_id, product_id)
);
