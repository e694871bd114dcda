-- Demo campaigns (issue 4): one of each discount type, an automatic
-- seasonal sale, an expired and a scheduled coupon, so the storefront, the
-- coupon endpoints and the admin show every state.  Idempotent: fixed
-- md5-derived ids and ON CONFLICT DO NOTHING, so a second load changes no
-- row (and keeps the dates of the first load).
--
--   WELCOME10      10 % off, at most €20, once per customer
--   FREESHIP       free shipping from €50
--   SCARVES3FOR2   buy 2 scarves, get the cheapest 1 free (category "scarves")
--   (automatic)    Winter sale: 5 % off everything, stacks with coupons
--   SUMMER25       expired;  SPRING15  scheduled (starts in 30 days)
--
-- The scarves category is looked up by slug in the catalog: demo data is a
-- loader of the whole shop, not domain code, so it may read across schemas.

CREATE OR REPLACE FUNCTION pg_temp.demo_id(name text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT overlay(overlay(md5('demo-' || name) placing '4' from 13) placing '8' from 17)::uuid
$$;

INSERT INTO campaigns.campaigns (id, name, description, type, status, discount_value, buy_quantity,
	currency, min_order_amount, max_discount_amount, code, is_automatic, max_usage_count,
	max_usage_per_user, is_stackable, priority, exclusion_group, start_date, end_date)
SELECT pg_temp.demo_id('campaign-' || v.key), v.name, v.descr, v.type,
	CASE WHEN now() < v.starts THEN 'scheduled' WHEN now() >= v.ends THEN 'expired' ELSE 'active' END,
	v.value, v.buy, 'EUR', v.min_order, v.cap, v.code, v.code IS NULL, v.max_uses, v.per_user,
	v.stackable, v.priority, v.grp, v.starts, v.ends
FROM (VALUES
	('welcome10', 'Welcome 10 %', 'Ten percent off your first order, up to €20.', 'percentage',
	 1000::bigint, 0, 0::bigint, 2000::bigint, 'WELCOME10', NULL::int, 1, true, 0, 'welcome',
	 now() - interval '30 days', now() + interval '365 days'),
	('freeship', 'Free shipping from €50', 'No shipping costs on orders of €50 or more.', 'free_shipping',
	 0, 0, 5000, NULL, 'FREESHIP', NULL, NULL, true, 0, NULL,
	 now() - interval '30 days', now() + interval '365 days'),
	('scarves3for2', 'Scarves: 3 for 2', 'Buy two scarves and the cheapest third one is free.', 'buy_x_get_y',
	 1, 2, 0, NULL, 'SCARVES3FOR2', NULL, NULL, false, 5, NULL,
	 now() - interval '7 days', now() + interval '90 days'),
	('winter-sale', 'Winter sale', 'Five percent off everything, automatically.', 'percentage',
	 500, 0, 0, NULL, NULL, NULL, NULL, true, 10, NULL,
	 now() - interval '7 days', now() + interval '60 days'),
	('summer25', 'Summer 25 %', 'Last summer''s sale.', 'percentage',
	 2500, 0, 0, 5000, 'SUMMER25', 1000, NULL, false, 0, NULL,
	 now() - interval '200 days', now() - interval '100 days'),
	('spring15', 'Spring 15 %', 'Fifteen percent off when spring starts.', 'percentage',
	 1500, 0, 3000, NULL, 'SPRING15', 500, 1, false, 0, NULL,
	 now() + interval '30 days', now() + interval '120 days')
) AS v(key, name, descr, type, value, buy, min_order, cap, code, max_uses, per_user, stackable,
	priority, grp, starts, ends)
ON CONFLICT DO NOTHING;

INSERT INTO campaigns.campaign_categories (campaign_id, category_id)
SELECT pg_temp.demo_id('campaign-scarves3for2'), c.id
FROM catalog.categories c WHERE c.slug = 'scarves'
	AND EXISTS (SELECT 1 FROM campaigns.campaigns WHERE id = pg_temp.demo_id('campaign-scarves3for2'))
ON CONFLICT DO NOTHING;
