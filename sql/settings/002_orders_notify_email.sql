-- 002_orders_notify_email.sql — who is told of a new order (DECISIONS
-- 101): a comma-separated list of at most 5 addresses, validated by
-- lib/settings; empty (or no row and no ECOM_ORDERS_NOTIFY_EMAIL) means
-- every active admin.
ALTER TABLE settings.settings DROP CONSTRAINT settings_key_check;
ALTER TABLE settings.settings ADD CONSTRAINT settings_key_check CHECK (key IN ('store_name',
	'contact_email', 'currency', 'mail_from', 'shipping_methods', 'tax_rates',
	'prices_include_tax', 'orders_notify_email'));
