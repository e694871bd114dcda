-- 001_catalog.sql — the demo shop "Northwind Goods": 16 categories in a
-- two-level tree, 8 brands, 300 products with sizes and colours, images,
-- 3 banners (one expired) and a few hundred reviews.
--
-- Generated here from word lists with deterministic choices (md5 of the
-- product number), so every load gives the same shop.  Ids are derived
-- from names (md5 → uuid) and every insert is ON CONFLICT DO NOTHING, so
-- running the file again changes nothing.  Images are the files that
-- tools/demo-images writes under /media/demo/.  Reviewers are a dozen fixed
-- UUIDs: user accounts arrive with the accounts issue.

SET client_min_messages = warning;

-- ---------------------------------------------------------------- brands
INSERT INTO catalog.brands (id, slug, name, description)
SELECT md5('demo-brand-' || slug)::uuid, slug, name, descr
FROM (VALUES
	('northfield', 'Northfield', 'Outdoor-ready basics from the coast.'),
	('alder-co', 'Alder & Co', 'Natural fibres, quiet colours, made to be mended.'),
	('kestrel', 'Kestrel', 'Lightweight footwear for the city.'),
	('marlowe', 'Marlowe', 'Tailoring without the stiffness.'),
	('tidewater', 'Tidewater', 'Linen and cotton for warm days.'),
	('oakhaven', 'Oakhaven', 'Home goods thrown, woven and finished by hand.'),
	('linden-row', 'Linden Row', 'Everyday leather goods and small accessories.'),
	('sable-street', 'Sable Street', 'Watches and jewellery with a clean line.')
) AS b (slug, name, descr)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- categories
INSERT INTO catalog.categories (id, slug, name, description, image_url, sort_order)
SELECT md5('demo-cat-' || slug)::uuid, slug, name, descr, '/media/demo/cat-' || slug || '.jpg', ord
FROM (VALUES
	('women', 'Women', 'Dresses, tops and shoes for every day and the days that matter.', 1),
	('men', 'Men', 'Shirts, trousers and shoes cut for comfort.', 2),
	('home', 'Home', 'Kitchen, decor and bedding that make a house feel lived in.', 3),
	('accessories', 'Accessories', 'Bags, watches and scarves to finish the look.', 4)
) AS c (slug, name, descr, ord)
ON CONFLICT DO NOTHING;

INSERT INTO catalog.categories (id, parent_id, slug, name, description, sort_order)
SELECT md5('demo-cat-' || slug)::uuid, md5('demo-cat-' || parent)::uuid, slug, name, descr, ord
FROM (VALUES
	('women', 'dresses', 'Dresses', 'Easy midi, wrap and shirt dresses in natural fabrics.', 1),
	('women', 'tops', 'Tops', 'Tees, blouses and knits to layer all year.', 2),
	('women', 'womens-shoes', 'Women''s Shoes', 'Flats, boots and sneakers you can walk in.', 3),
	('men', 'shirts', 'Shirts', 'Oxford, linen and flannel shirts.', 1),
	('men', 'trousers', 'Trousers', 'Chinos, cords and relaxed trousers.', 2),
	('men', 'mens-shoes', 'Men''s Shoes', 'Derbies, boots and trainers built to last.', 3),
	('home', 'kitchen', 'Kitchen', 'Stoneware, linen and tools for the everyday cook.', 1),
	('home', 'decor', 'Decor', 'Vases, cushions and throws that soften a room.', 2),
	('home', 'bedding', 'Bedding', 'Washed linen and cotton bedding.', 3),
	('accessories', 'bags', 'Bags', 'Totes, backpacks and crossbody bags.', 1),
	('accessories', 'watches', 'Watches', 'Minimal watches with leather and steel straps.', 2),
	('accessories', 'scarves', 'Scarves', 'Wool, cashmere and cotton scarves.', 3)
) AS c (parent, slug, name, descr, ord)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- products
-- One row per leaf category: its word lists, SKU code, price band (whole
-- euros), sizes (NULL = one size), brands it carries and image group.
DROP TABLE IF EXISTS demo_leaf, demo_colour, demo_product;
CREATE TEMP TABLE demo_leaf (
	i int, slug text, code text, adjs text[], mats text[], items text[],
	lo int, hi int, sizes text[], brands text[], grp text
);
INSERT INTO demo_leaf VALUES
 (0, 'dresses', 'DRS', '{Relaxed,Belted,Tiered,Wrap,Pleated}', '{Linen,Cotton,Tencel,Crepe,Poplin}',
  '{Midi Dress,Shirt Dress,Slip Dress,Maxi Dress,Tea Dress}', 49, 149, '{XS,S,M,L,XL}', '{tidewater,alder-co,marlowe}', 'dress'),
 (1, 'tops', 'TOP', '{Boxy,Ribbed,Cropped,Easy,Fitted}', '{Cotton,Merino,Linen,Jersey,Silk}',
  '{T-Shirt,Blouse,Cardigan,Tank,Sweater}', 19, 89, '{XS,S,M,L,XL}', '{northfield,alder-co,tidewater}', 'top'),
 (2, 'womens-shoes', 'WSH', '{Soft,Classic,Lightweight,Padded,Low}', '{Suede,Leather,Canvas,Knit,Nubuck}',
  '{Ballet Flats,Ankle Boots,Sneakers,Loafers,Sandals}', 59, 169, '{37,38,39,40,41}', '{kestrel,marlowe}', 'shoe'),
 (3, 'shirts', 'SHT', '{Relaxed,Slim,Camp-Collar,Washed,Button-Down}', '{Oxford,Linen,Flannel,Chambray,Poplin}',
  '{Shirt,Overshirt,Work Shirt,Short-Sleeve Shirt,Popover}', 39, 99, '{S,M,L,XL}', '{northfield,marlowe,tidewater}', 'shirt'),
 (4, 'trousers', 'TRS', '{Tapered,Straight,Pleated,Relaxed,Cropped}', '{Cotton,Corduroy,Wool,Twill,Linen}',
  '{Chinos,Trousers,Work Pants,Drawstring Pants,Carpenter Pants}', 49, 129, '{30,32,34,36}', '{northfield,marlowe}', 'trousers'),
 (5, 'mens-shoes', 'MSH', '{Rugged,Classic,Lightweight,Waxed,Low}', '{Leather,Suede,Canvas,Nubuck,Mesh}',
  '{Derby Shoes,Chelsea Boots,Trainers,Desert Boots,Boat Shoes}', 69, 189, '{41,42,43,44,45}', '{kestrel,marlowe}', 'shoe'),
 (6, 'kitchen', 'KIT', '{Speckled,Glazed,Matte,Rustic,Everyday}', '{Stoneware,Porcelain,Linen,Olive Wood,Enamel}',
  '{Serving Bowl,Mug Set,Dinner Plates,Tea Towels,Utensil Jar}', 12, 79, NULL, '{oakhaven,alder-co}', 'kitchen'),
 (7, 'decor', 'DEC', '{Woven,Ribbed,Textured,Hand-Thrown,Soft}', '{Ceramic,Wool,Rattan,Cotton,Glass}',
  '{Vase,Cushion Cover,Throw,Basket,Candle Holder}', 15, 119, NULL, '{oakhaven}', 'decor'),
 (8, 'bedding', 'BED', '{Washed,Stonewashed,Crisp,Brushed,Waffle}', '{Linen,Cotton Percale,Cotton Sateen,Flannel,Bamboo}',
  '{Duvet Cover,Sheet Set,Pillowcases,Bedspread,Fitted Sheet}', 29, 189, '{Single,Double,King}', '{oakhaven,alder-co}', 'bedding'),
 (9, 'bags', 'BAG', '{Structured,Slouchy,Everyday,Foldable,Roll-Top}', '{Leather,Canvas,Nylon,Suede,Waxed Cotton}',
  '{Tote,Backpack,Crossbody Bag,Weekender,Belt Bag}', 35, 229, NULL, '{linden-row,northfield}', 'bag'),
 (10, 'watches', 'WAT', '{Minimal,Classic,Field,Dress,Slim}', '{Steel,Titanium,Brass,Ceramic,Leather-Strap}',
  '{Watch,Automatic Watch,Chronograph,Quartz Watch,Diver Watch}', 89, 449, NULL, '{sable-street}', 'watch'),
 (11, 'scarves', 'SCF', '{Fringed,Oversized,Lightweight,Chunky,Checked}', '{Wool,Cashmere,Cotton,Silk,Alpaca}',
  '{Scarf,Wrap,Snood,Bandana,Stole}', 19, 139, NULL, '{alder-co,linden-row}', 'scarf');

CREATE TEMP TABLE demo_colour (i int, name text, code text);
INSERT INTO demo_colour VALUES (0, 'Navy', 'NAV'), (1, 'Sand', 'SND'), (2, 'Olive', 'OLV'),
	(3, 'Rust', 'RST'), (4, 'Charcoal', 'CHR'), (5, 'Ivory', 'IVR'), (6, 'Sage', 'SGE'), (7, 'Blush', 'BLS');

-- n = 0..299: leaf n % 12, k = n / 12 picks a unique (adjective, material)
-- pair within the leaf, so every name — and so every slug — is unique.
CREATE TEMP TABLE demo_product AS
SELECT n, l.*, k,
	l.adjs[1 + k % 5] || ' ' || l.mats[1 + (k / 5) % 5] || ' ' || l.items[1 + (k + k / 5) % 5] AS name,
	('x' || substr(md5('demo-' || n), 1, 8))::bit(32)::int & 2147483647 AS h,
	3 + n % 3 AS ncolours
FROM generate_series(0, 299) AS n
JOIN demo_leaf AS l ON l.i = n % 12
CROSS JOIN LATERAL (SELECT n / 12 AS k) AS kk;

INSERT INTO catalog.products (id, slug, name, description, status, base_price, currency,
	brand_id, category_id, metadata, created_at, updated_at, published_at)
SELECT md5('demo-product-' || p.n)::uuid,
	trim(both '-' FROM lower(regexp_replace(p.name, '[^A-Za-z0-9]+', '-', 'g'))),
	p.name,
	format('Our %s is cut from %s and finished by hand. %s %s',
		lower(p.items[1 + (p.k + p.k / 5) % 5]), lower(p.mats[1 + (p.k / 5) % 5]),
		(ARRAY['It softens with every wash and keeps its shape.',
		       'Easy to care for: machine wash cold, dry flat.',
		       'A quiet everyday piece that works with everything you own.',
		       'Made in small batches by a family workshop we have known for years.',
		       'Designed to be worn — or used — every single day.'])[1 + p.h % 5],
		(ARRAY['Free returns within 30 days.',
		       'Ships in recycled packaging.',
		       'Part of our permanent collection.',
		       'Limited run: once it is gone, it is gone.'])[1 + (p.h / 7) % 4]),
	CASE WHEN p.n % 37 = 5 THEN 'draft' WHEN p.n % 53 = 7 THEN 'archived' ELSE 'published' END,
	((p.lo + p.h % (p.hi - p.lo + 1)) * 100 + (ARRAY[99, 95, 0, 99])[1 + p.h % 4] - CASE WHEN p.h % 4 = 2 THEN 0 ELSE 100 END),
	'EUR',
	md5('demo-brand-' || p.brands[1 + p.h % array_length(p.brands, 1)])::uuid,
	md5('demo-cat-' || p.slug)::uuid,
	jsonb_build_object('care', CASE WHEN p.grp IN ('watch', 'bag') THEN 'Wipe clean' ELSE 'Machine wash 30°' END,
		'origin', (ARRAY['Portugal', 'Italy', 'India', 'Lithuania', 'Japan'])[1 + p.h % 5]),
	now() - make_interval(days => (p.n * 7919) % 90, hours => p.n % 24),
	now() - make_interval(days => (p.n * 7919) % 90, hours => p.n % 24),
	CASE WHEN p.n % 37 = 5 THEN NULL ELSE now() - make_interval(days => (p.n * 7919) % 90, hours => p.n % 24) END
FROM demo_product AS p
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- variants
-- Colours: ncolours consecutive colours from a per-product start; sizes
-- from the leaf (or one size).  The largest size costs €5 more on every
-- fourth product, so some variants carry their own price.
INSERT INTO catalog.variants (id, product_id, sku, name, price, attributes, weight_grams, is_active, sort_order)
SELECT md5('demo-variant-' || p.n || '-' || c.code || '-' || coalesce(s.size, 'OS'))::uuid,
	md5('demo-product-' || p.n)::uuid,
	p.code || '-' || lpad(p.n::text, 4, '0') || '-' || c.code || coalesce('-' || s.size, ''),
	c.name || coalesce(' / ' || s.size, ''),
	CASE WHEN p.n % 4 = 0 AND s.ord = array_length(p.sizes, 1) THEN
		(SELECT base_price + 500 FROM catalog.products WHERE id = md5('demo-product-' || p.n)::uuid) END,
	CASE WHEN s.size IS NULL THEN jsonb_build_object('color', c.name)
	     ELSE jsonb_build_object('color', c.name, 'size', s.size) END,
	200 + p.h % 1500,
	NOT (p.n % 29 = 3 AND c.i = (p.h % 8)),
	ci * 100 + coalesce(s.ord, 0)
FROM demo_product AS p
CROSS JOIN LATERAL generate_series(0, p.ncolours - 1) AS ci
JOIN demo_colour AS c ON c.i = (p.h + ci) % 8
LEFT JOIN LATERAL unnest(p.sizes) WITH ORDINALITY AS s (size, ord) ON true
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- images
-- One image per colour (the first is primary); files are shared by every
-- product of the same image group and colour.
INSERT INTO catalog.images (id, product_id, url, alt_text, width, height, sort_order, is_primary)
SELECT md5('demo-image-' || p.n || '-' || ci)::uuid, md5('demo-product-' || p.n)::uuid,
	'/media/demo/' || p.grp || '-' || lower(c.name) || '.jpg',
	p.name || ' in ' || lower(c.name), 800, 800, ci, ci = 0
FROM demo_product AS p
CROSS JOIN LATERAL generate_series(0, p.ncolours - 1) AS ci
JOIN demo_colour AS c ON c.i = (p.h + ci) % 8
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- banners
INSERT INTO catalog.banners (id, title, subtitle, image_url, link_url, link_type, position, sort_order, starts_at, ends_at)
SELECT md5('demo-banner-' || ord)::uuid, title, subtitle, '/media/demo/banner-' || ord || '.jpg', link, kind, 'hero', ord, s, e
FROM (VALUES
	(1, 'The linen edit', 'Light layers for long days — dresses, shirts and bedding.', '/c/dresses', 'category',
	 now() - interval '10 days', now() + interval '365 days'),
	(2, 'Made for the kitchen table', 'Stoneware and linen from Oakhaven.', '/c/kitchen', 'category',
	 now() - interval '30 days', NULL::timestamptz),
	(3, 'Winter sale — ended', 'This banner''s window has closed, so shoppers never see it.', '/c/scarves', 'category',
	 now() - interval '120 days', now() - interval '30 days')
) AS b (ord, title, subtitle, link, kind, s, e)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- reviews
-- Two of every three published products get 1..6 reviews from distinct
-- reviewers; ratings lean to 4 and 5 as real shops' do.
INSERT INTO catalog.reviews (id, product_id, user_id, rating, title, body, created_at)
SELECT md5('demo-review-' || p.n || '-' || r)::uuid, md5('demo-product-' || p.n)::uuid,
	md5('demo-reviewer-' || ((p.h + r) % 12))::uuid,
	rt.rating,
	(ARRAY['Not for me', 'Disappointing', 'It is fine', 'Really good', 'Love it'])[rt.rating],
	CASE rt.rating
		WHEN 5 THEN (ARRAY['Exactly as pictured and beautifully made. I have already ordered another colour.',
			'Great quality for the price. Fits true to size.',
			'Lovely material, arrived quickly and well packed.'])[1 + (p.h + r) % 3]
		WHEN 4 THEN (ARRAY['Very nice, slightly different shade than on my screen.',
			'Good quality; I would size up if you are between sizes.'])[1 + (p.h + r) % 2]
		WHEN 3 THEN 'Decent, but not quite what I expected from the photos.'
		WHEN 2 THEN 'The finish was rougher than I hoped.'
		ELSE 'Returned it: the fit did not work for me.'
	END,
	now() - make_interval(days => (p.n + r * 3) % 60)
FROM demo_product AS p
CROSS JOIN LATERAL generate_series(0, p.h % 6) AS r
CROSS JOIN LATERAL (SELECT (ARRAY[5, 5, 4, 5, 4, 3, 5, 4, 2, 5, 4, 1])[1 + (p.h / 3 + r * 7) % 12]::smallint AS rating) AS rt
WHERE p.n % 3 <> 0 AND p.n % 37 <> 5 AND p.n % 53 <> 7
ON CONFLICT DO NOTHING;
