-- campaigns 001 — promotions and coupons (issue 4): campaigns with their
-- optional coupon code, the products and categories a campaign is limited
-- to, pairwise stacking rules, the usage ledger the checkout saga writes,
-- and the outbox that carries campaign events out of this schema.
--
-- Money is bigint minor units beside the campaign's char(3) currency; a
-- percentage is in basis points (1000 = 10 %).  buy_x_get_y stores the
-- "buy" quantity in buy_quantity and the "get" quantity in discount_value
-- (buy 2 get 1: buy_quantity 2, discount_value 1).  The service validates
-- every field with a message for the client; the CHECKs repeat the
-- essentials so no other writer can store what the service would refuse.
-- Applied by `ecomctl migrate` in one transaction: no BEGIN/COMMIT here.

CREATE SCHEMA IF NOT EXISTS campaigns;

CREATE TABLE campaigns.campaigns (
	id                  uuid PRIMARY KEY,
	name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description         text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
	type                text NOT NULL CHECK (type IN ('percentage', 'fixed_amount', 'free_shipping', 'buy_x_get_y')),
	-- scheduled/active/expired follow the dates (campaign_janitor);
	-- inactive is an admin's deactivation and is never flipped back
	status              text NOT NULL CHECK (status IN ('scheduled', 'active', 'expired', 'inactive')),
	discount_value      bigint NOT NULL CHECK (discount_value >= 0),
	buy_quantity        integer NOT NULL DEFAULT 0 CHECK (buy_quantity BETWEEN 0 AND 100),
	currency            char(3) NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
	min_order_amount    bigint NOT NULL DEFAULT 0 CHECK (min_order_amount >= 0),
	max_discount_amount bigint CHECK (max_discount_amount > 0),	-- NULL: no cap
	-- NULL only for automatic campaigns, which apply without a code
	code                text CHECK (code ~ '^[A-Za-z0-9_-]{3,32}$'),
	is_automatic        boolean NOT NULL DEFAULT false,
	max_usage_count     integer CHECK (max_usage_count > 0),	-- NULL: unlimited
	max_usage_per_user  integer CHECK (max_usage_per_user > 0),
	is_stackable        boolean NOT NULL DEFAULT false,
	priority            integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
	exclusion_group     text CHECK (length(exclusion_group) BETWEEN 1 AND 64),
	start_date          timestamptz NOT NULL,
	end_date            timestamptz NOT NULL,
	created_at          timestamptz NOT NULL DEFAULT now(),
	updated_at          timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT campaigns_window CHECK (end_date > start_date),
	CONSTRAINT campaigns_code_or_automatic CHECK ((code IS NULL) = is_automatic),
	CONSTRAINT campaigns_percentage CHECK (type <> 'percentage' OR discount_value BETWEEN 1 AND 10000),
	CONSTRAINT campaigns_fixed CHECK (type <> 'fixed_amount' OR discount_value > 0),
	CONSTRAINT campaigns_bxgy CHECK (type <> 'buy_x_get_y' OR (buy_quantity >= 1 AND discount_value BETWEEN 1 AND 100))
);
-- codes are case-insensitive: WELCOME10 and welcome10 are one code
CREATE UNIQUE INDEX campaigns_code_key ON campaigns.campaigns (lower(code));
CREATE INDEX campaigns_automatic_idx ON campaigns.campaigns (status) WHERE is_automatic;
CREATE INDEX campaigns_status_idx ON campaigns.campaigns (status, start_date, end_date);

-- A campaign with rows here discounts only matching lines (a line matches
-- if its product or its category is listed); none = the whole basket.
CREATE TABLE campaigns.campaign_products (
	campaign_id uuid NOT NULL REFERENCES campaigns.campaigns (id) ON DELETE CASCADE,
	product_id  uuid NOT NULL,
	PRIMARY KEY (campaign_id, product_id)
);
CREATE TABLE campaigns.campaign_categories (
	campaign_id uuid NOT NULL REFERENCES campaigns.campaigns (id) ON DELETE CASCADE,
	category_id uuid NOT NULL,
	PRIMARY KEY (campaign_id, category_id)
);

-- One rule per unordered pair: 'forbidden' keeps two campaigns apart even
-- when both are stackable; 'allowed' lets them combine even when one is
-- not stackable or both share an exclusion group.
CREATE TABLE campaigns.stacking_rules (
	id          uuid PRIMARY KEY,
	campaign_a  uuid NOT NULL REFERENCES campaigns.campaigns (id) ON DELETE CASCADE,
	campaign_b  uuid NOT NULL REFERENCES campaigns.campaigns (id) ON DELETE CASCADE,
	rule        text NOT NULL CHECK (rule IN ('allowed', 'forbidden')),
	created_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT stacking_rules_distinct CHECK (campaign_a <> campaign_b)
);
CREATE UNIQUE INDEX stacking_rules_pair_key ON campaigns.stacking_rules
	(LEAST(campaign_a, campaign_b), GREATEST(campaign_a, campaign_b));

-- The usage ledger.  A use counts against the limits while reserved or
-- confirmed; the janitor releases reservations older than an hour.
CREATE TABLE campaigns.usage (
	checkout_id  text NOT NULL CHECK (length(checkout_id) BETWEEN 1 AND 128),
	campaign_id  uuid NOT NULL REFERENCES campaigns.campaigns (id) ON DELETE CASCADE,
	user_id      uuid,
	code         text,
	amount       bigint NOT NULL DEFAULT 0,
	order_id     text,
	status       text NOT NULL CHECK (status IN ('reserved', 'confirmed', 'released')),
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (checkout_id, campaign_id)
);
CREATE INDEX usage_campaign_idx ON campaigns.usage (campaign_id, user_id) WHERE status <> 'released';
CREATE INDEX usage_reserved_idx ON campaigns.usage (created_at) WHERE status = 'reserved';

-- ---------------------------------------------------------------- outbox
CREATE TABLE campaigns.outbox (
	id             uuid PRIMARY KEY,
	event_type     text NOT NULL,
	aggregate_type text NOT NULL,
	aggregate_id   uuid NOT NULL,
	payload        jsonb NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT now(),
	published_at   timestamptz
);
CREATE INDEX outbox_unpublished_idx ON campaigns.outbox (created_at, id) WHERE published_at IS NULL;
