-- notifications: back-in-stock alerts ("Tell me when it's back").
--
-- A shopper on the page of an out-of-stock variant leaves an address
-- (cgi-bin/store_restock.c); when inventory.back_in_stock says the
-- variant's available went from 0 to more, lib/notification/restock.c
-- queues one back-in-stock mail per open subscription and sets its
-- notified_at in the transaction that claims the event.  A subscription
-- is "open" until then; at most RESTOCK_OPEN_MAX are open per address.
-- The unsubscribe link in the mail (an HMAC of the id) deletes the row.

CREATE TABLE notifications.restock_subscriptions (
	id          uuid PRIMARY KEY,
	product_id  uuid NOT NULL,
	variant_id  uuid NOT NULL,
	email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	user_id     uuid,		-- the signed-in customer who asked, if any
	created_at  timestamptz NOT NULL DEFAULT now(),
	notified_at timestamptz,
	event_id    uuid		-- the inventory.back_in_stock that notified it
);
-- one open subscription per variant and address (any case)
CREATE UNIQUE INDEX restock_open_key ON notifications.restock_subscriptions
	(variant_id, lower(email)) WHERE notified_at IS NULL;
-- the per-address bound
CREATE INDEX restock_open_email_idx ON notifications.restock_subscriptions (lower(email))
	WHERE notified_at IS NULL;
