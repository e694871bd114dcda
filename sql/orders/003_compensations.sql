-- 003_compensations.sql — what a cancel or refund still owes the other
-- domains.  The status change commits first (orders schema); returning the
-- stock and the money run after it in their own domains.  The row is
-- written in the status change's transaction and each flag is cleared
-- when its step succeeded, so a step that failed, or a process that died
-- between them, leaves a row the janitor finishes
-- (order_compensations_retry).
CREATE TABLE orders.compensations (
	order_id    uuid PRIMARY KEY REFERENCES orders.orders (id) ON DELETE CASCADE,
	restock     boolean NOT NULL,
	refund      boolean NOT NULL,
	reason      text CHECK (length(reason) <= 500),
	actor_id    uuid,
	actor_role  text NOT NULL DEFAULT 'system' CHECK (length(actor_role) <= 16),
	attempts    integer NOT NULL DEFAULT 0,
	last_error  text CHECK (length(last_error) <= 2000),
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT compensations_owed CHECK (restock OR refund)
);
CREATE INDEX compensations_age_idx ON orders.compensations (updated_at);
