-- 002_inventory.sql — demo stock: two warehouses and a stock row for every
-- demo variant, with varied quantities so the shop shows all three states:
-- "In stock", "Only N left" and "Out of stock".
--
-- Every variant gets a row in the main warehouse (priority 1); about half
-- also get one in the overflow warehouse (priority 2), so reservations can
-- be seen spilling over.  Quantities come from md5 of the variant id, so
-- every load gives the same numbers: about 1 in 10 variants is sold out
-- everywhere, about 1 in 6 is low (1 to 4 units), the rest have 5 to 60.
-- Rows are inserted ON CONFLICT DO NOTHING, so loading again changes
-- nothing and never overwrites stock a shop has since counted.

SET client_min_messages = warning;

CREATE OR REPLACE FUNCTION pg_temp.demo_id(name text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT overlay(overlay(md5('demo-' || name) placing '4' from 13) placing '8' from 17)::uuid
$$;

-- A number 0..n-1 from md5 of a text and a salt.
CREATE OR REPLACE FUNCTION pg_temp.pick(t text, salt text, n integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT (('x' || substr(md5(salt || t), 1, 8))::bit(32)::bigint % n)::integer
$$;

INSERT INTO inventory.warehouses (id, code, name, address, priority)
VALUES
	(pg_temp.demo_id('wh-main'), 'MAIN', 'Main warehouse', 'Harbour Road 12, Hamburg', 1),
	(pg_temp.demo_id('wh-overflow'), 'OVERFLOW', 'Overflow store', 'Industriestraße 4, Leipzig', 2)
ON CONFLICT DO NOTHING;

WITH v AS (
	SELECT v.id, v.product_id, pg_temp.pick(v.id::text, 'state', 20) AS state
	FROM catalog.variants v
), q AS (
	SELECT id, product_id,
	       CASE WHEN state < 2 THEN 0                                     -- sold out
	            WHEN state < 5 THEN 1 + pg_temp.pick(id::text, 'low', 4)   -- 1..4
	            ELSE 5 + pg_temp.pick(id::text, 'main', 56) END AS main,  -- 5..60
	       CASE WHEN state >= 5 AND pg_temp.pick(id::text, 'second', 2) = 0
	            THEN pg_temp.pick(id::text, 'overflow', 30) END AS overflow
	FROM v
)
INSERT INTO inventory.stock (variant_id, warehouse_id, product_id, on_hand,
	low_stock_threshold, low_alerted)
SELECT q.id, w.id, q.product_id, w.qty, 5, w.qty <= 5
FROM q
CROSS JOIN LATERAL (VALUES (pg_temp.demo_id('wh-main'), main),
                           (pg_temp.demo_id('wh-overflow'), overflow)) AS w (id, qty)
WHERE w.qty IS NOT NULL
  AND EXISTS (SELECT 1 FROM inventory.warehouses x WHERE x.id = w.id)
ON CONFLICT DO NOTHING;
