-- 001_catalog.sql — the demo shop: 19 categories in a two-level tree,
-- 10 brands, 300 products with colours and sizes, their images, 3 banners
-- (one whose window has closed) and a few hundred reviews.
--
-- Rows are generated here from word lists, with every choice taken from md5
-- of the product number, so every load gives the same shop and the file
-- stays small.  Ids are md5-derived UUIDs and every INSERT is ON CONFLICT DO
-- NOTHING, so loading the file again changes nothing (the rating summaries
-- move only when a review row is really inserted).  Parents, brands and
-- categories are looked up by slug, so a shop that already has a "women"
-- category adopts it; rows below a product are inserted only for products
-- that exist, so a demo product skipped because a real product already took
-- its slug leaves no orphans.
--
-- Image URLs name the files tools/demo-images draws: /media/demo/<group>-
-- <colour>.jpg, one per image group and colour of that group's palette.  The
-- palettes below and the script's must stay in step.
--
-- Reviewers are twelve fixed UUIDs 5eed0000-0000-4000-8000-0000000000NN
-- (NN = 01..12): user accounts arrive with a later issue (sql/demo/README.md).

SET client_min_messages = warning;
-- The temporary tables below have no statistics, so the planner's guesses are
-- large enough to start JIT compilation, which alone would take seconds.
SET jit = off;

-- Fixed ids: md5 of a name, stamped as a version-4 UUID so that anything
-- checking the version and variant bits accepts them.
CREATE OR REPLACE FUNCTION pg_temp.demo_id(name text) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
	SELECT overlay(overlay(md5('demo-' || name) placing '4' from 13) placing '8' from 17)::uuid
$$;

-- ---------------------------------------------------------------- brands

INSERT INTO catalog.brands (id, slug, name, description)
SELECT pg_temp.demo_id('brand-' || slug), slug, name, descr
FROM (VALUES
	('northfield', 'Northfield', 'Outdoor-ready basics from the north coast, built for wind and rain.'),
	('alder-co', 'Alder & Co', 'Natural fibres and quiet colours, made to be worn for years and mended.'),
	('kestrel', 'Kestrel', 'Lightweight footwear for walking the city, resoled rather than replaced.'),
	('marlowe', 'Marlowe', 'Tailoring without the stiffness: soft shoulders, honest cloth.'),
	('tidewater', 'Tidewater', 'Linen and cotton for long, warm days.'),
	('oakhaven', 'Oakhaven', 'Home goods thrown, woven and finished by hand in small workshops.'),
	('linden-row', 'Linden Row', 'Everyday leather goods and accessories, vegetable tanned.'),
	('sable-street', 'Sable Street', 'Watches with a clean line and a five-year guarantee.'),
	('fellrunner', 'Fellrunner', 'Running kit tested on hills, trails and wet Tuesday evenings.'),
	('stillwater', 'Stillwater', 'Yoga and rest-day wear in soft, recycled fabrics.')
) AS b (slug, name, descr)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- categories

INSERT INTO catalog.categories (id, slug, name, description, image_url, sort_order)
SELECT pg_temp.demo_id('cat-' || slug), slug, name, descr, '/media/demo/cat-' || slug || '.jpg', ord
FROM (VALUES
	('women', 'Women', 'Dresses, tops and shoes for every day and the days that matter.', 1),
	('men', 'Men', 'Shirts, trousers and shoes cut for comfort.', 2),
	('home', 'Home', 'Kitchen, decor and bedding that make a house feel lived in.', 3),
	('accessories', 'Accessories', 'Bags, watches and scarves to finish the look.', 4),
	('sports', 'Sports', 'Running and yoga kit that keeps up with you.', 5)
) AS c (slug, name, descr, ord)
ON CONFLICT DO NOTHING;

INSERT INTO catalog.categories (id, parent_id, slug, name, description, image_url, sort_order)
SELECT pg_temp.demo_id('cat-' || c.slug),
	(SELECT x.id FROM catalog.categories AS x WHERE x.slug = c.parent), c.slug, name, descr,
	'/media/demo/cat-' || slug || '.jpg', ord
FROM (VALUES
	('women', 'dresses', 'Dresses', 'Midi, shirt and slip dresses in linen, cotton and crepe.', 1),
	('women', 'tops', 'Tops', 'Tees, knits and cardigans to layer all year.', 2),
	('women', 'womens-shoes', 'Women''s Shoes', 'Flats, boots and sneakers you can walk in all day.', 3),
	('men', 'shirts', 'Shirts', 'Oxford, linen and flannel shirts.', 1),
	('men', 'trousers', 'Trousers', 'Chinos, cords and relaxed trousers.', 2),
	('men', 'mens-shoes', 'Men''s Shoes', 'Derbies, boots and trainers built to be resoled.', 3),
	('home', 'kitchen', 'Kitchen', 'Stoneware and porcelain for the everyday table.', 1),
	('home', 'decor', 'Decor', 'Vases, candle holders and planters that soften a room.', 2),
	('home', 'bedding', 'Bedding', 'Washed linen and cotton bedding in three sizes.', 3),
	('accessories', 'bags', 'Bags', 'Totes, backpacks and crossbody bags.', 1),
	('accessories', 'watches', 'Watches', 'Minimal watches with steel, titanium and brass cases.', 2),
	('accessories', 'scarves', 'Scarves', 'Wool, cashmere and silk scarves.', 3),
	('sports', 'running', 'Running', 'Tees, jackets and vests for road and trail.', 1),
	('sports', 'yoga', 'Yoga', 'Leggings, joggers and shorts that move with you.', 2)
) AS c (parent, slug, name, descr, ord)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- word lists

DROP TABLE IF EXISTS pg_temp.demo_colour, pg_temp.demo_leaf, pg_temp.demo_product,
	pg_temp.demo_product_colour;

CREATE TEMP TABLE demo_colour (name text PRIMARY KEY, code text NOT NULL);
INSERT INTO demo_colour VALUES
	('Navy', 'NAV'), ('Blush', 'BLS'), ('Sage', 'SGE'), ('Rust', 'RST'), ('Ivory', 'IVR'),
	('White', 'WHT'), ('Sand', 'SND'), ('Black', 'BLK'), ('Tan', 'TAN'), ('Sky', 'SKY'),
	('Olive', 'OLV'), ('Stone', 'STN'), ('Charcoal', 'CHR'), ('Terracotta', 'TER'),
	('Mustard', 'MUS'), ('Silver', 'SLV'), ('Gold', 'GLD'), ('Forest', 'FOR'),
	('Burgundy', 'BUR'), ('Coral', 'COR');

-- One row per leaf category.  Any adjective goes with any material and any
-- item of the same leaf, so every combination reads as a real product; notes
-- run parallel to mats.  Prices are whole euros from lo to hi in steps of 5;
-- sizes NULL means one size; palette is the five colours the leaf comes in
-- (tools/demo-images draws <grp>-<colour>.jpg for each); grams is a typical
-- shipping weight; kind picks the review phrases.
CREATE TEMP TABLE demo_leaf (
	i int PRIMARY KEY, slug text, code text, grp text, kind text,
	adjs text[], mats text[], notes text[], items text[], blurbs text[],
	lo int, hi int, sizes text[], brands text[], palette text[], grams int
);
INSERT INTO demo_leaf VALUES
(0, 'dresses', 'DRS', 'dress', 'wear',
 '{Relaxed,Belted,Tiered,Smocked,Pleated}', '{Linen,Cotton,Tencel,Crepe,Poplin}',
 '{"washed linen that gets softer with every wear","breathable organic cotton","fluid Tencel lyocell that drapes beautifully","a weighty crepe that shrugs off creases","crisp cotton poplin"}',
 '{Midi Dress,Shirt Dress,Slip Dress,Maxi Dress,Tea Dress}',
 '{"It has a relaxed bodice, a gently flared skirt and deep side pockets.","The length falls just right with flat sandals or ankle boots.","A half lining means it works on its own from spring to autumn."}',
 50, 160, '{XS,S,M,L,XL}', '{tidewater,alder-co,marlowe}', '{Navy,Blush,Sage,Rust,Ivory}', 350),
(1, 'tops', 'TOP', 'top', 'wear',
 '{Boxy,Ribbed,Cropped,Easy,Fitted}', '{Cotton,Merino,Linen,Organic Cotton,Cashmere-Blend}',
 '{"heavyweight cotton jersey","fine merino wool that regulates warmth","a slubby linen knit","GOTS-certified organic cotton","a soft cashmere blend"}',
 '{T-Shirt,Top,Cardigan,Long-Sleeve Tee,Sweater}',
 '{"Dropped shoulders and a slightly longer back make it easy to tuck or wear loose.","The neckline is finished with a narrow rib that keeps its shape.","Wear it alone in summer or layered under a jacket in winter."}',
 20, 100, '{XS,S,M,L,XL}', '{northfield,alder-co,tidewater}', '{White,Navy,Blush,Sand,Sage}', 250),
(2, 'womens-shoes', 'WSH', 'shoe', 'shoe',
 '{Soft,Classic,Lightweight,Cushioned,Handmade}', '{Suede,Leather,Nubuck,Calfskin,Patent Leather}',
 '{"water-repellent suede","full-grain leather that moulds to your foot","brushed nubuck","supple calfskin","glossy patent leather"}',
 '{Ballet Flats,Ankle Boots,Sneakers,Loafers,Mules}',
 '{"A cushioned footbed and a flexible rubber sole make them easy to wear from the first day.","They are Blake-stitched, so a cobbler can resole them again and again.","A leather lining keeps them breathable through long days."}',
 60, 180, '{37,38,39,40,41}', '{kestrel,marlowe}', '{Black,Tan,Blush,Ivory,Navy}', 700),
(3, 'shirts', 'SHT', 'shirt', 'wear',
 '{Relaxed,Slim,Camp-Collar,Washed,Button-Down}', '{Oxford,Linen,Flannel,Chambray,Poplin}',
 '{"a substantial oxford cloth","garment-washed European linen","brushed cotton flannel","lightweight indigo chambray","smooth two-ply poplin"}',
 '{Shirt,Overshirt,Work Shirt,Short-Sleeve Shirt,Popover Shirt}',
 '{"Corozo buttons and a curved hem make it equally good tucked in or worn out.","A single chest pocket and a soft collar keep it relaxed.","Cut a little longer in the body so it stays tucked in."}',
 40, 110, '{S,M,L,XL,XXL}', '{northfield,marlowe,tidewater}', '{White,Sky,Navy,Olive,Sand}', 300),
(4, 'trousers', 'TRS', 'trousers', 'wear',
 '{Tapered,Straight,Pleated,Relaxed,Cropped}', '{Cotton Twill,Corduroy,Wool,Canvas,Linen}',
 '{"a sturdy cotton twill","soft eight-wale corduroy","a year-round wool flannel","a garment-dyed cotton canvas","breezy washed linen"}',
 '{Chinos,Trousers,Work Pants,Drawstring Pants,Carpenter Pants}',
 '{"A mid rise and a touch of room through the thigh make them comfortable all day.","Deep pockets and a reinforced waistband are made to be used.","The hem is left generous so it can be taken up to your length."}',
 50, 140, '{30,32,34,36,38}', '{northfield,marlowe}', '{Navy,Stone,Olive,Charcoal,Sand}', 500),
(5, 'mens-shoes', 'MSH', 'shoe', 'shoe',
 '{Classic,Lightweight,Handmade,Everyday,Crepe-Sole}', '{Leather,Suede,Nubuck,Calfskin,Oiled Leather}',
 '{"full-grain leather","water-repellent suede","brushed nubuck","smooth calfskin","oiled leather that takes on a patina"}',
 '{Derby Shoes,Chelsea Boots,Trainers,Desert Boots,Loafers}',
 '{"They are Goodyear-welted, so they can be resoled for years.","A cork midsole slowly takes the shape of your foot.","A padded collar and a grippy sole make them ready for a long walk."}',
 70, 220, '{41,42,43,44,45}', '{kestrel,marlowe}', '{Black,Tan,Charcoal,Sand,Navy}', 950),
(6, 'kitchen', 'KIT', 'kitchen', 'home',
 '{Speckled,Glazed,Matte,Rustic,Hand-Thrown}', '{Stoneware,Porcelain,Earthenware,Terracotta,Ceramic}',
 '{"dense stoneware fired at high temperature","fine porcelain that is light but strong","earthenware with a soft, warm body","Portuguese terracotta","lead-free glazed ceramic"}',
 '{Serving Bowl,Mug Set,Dinner Plates,Pasta Bowls,Jug}',
 '{"Every piece is glazed by hand, so each one is slightly different.","It is safe in the dishwasher, the microwave and the oven.","Everything stacks neatly and feels good in the hand."}',
 15, 90, NULL, '{oakhaven,alder-co}', '{Ivory,Sage,Charcoal,Rust,Sky}', 1200),
(7, 'decor', 'DEC', 'decor', 'home',
 '{Ribbed,Textured,Fluted,Sculpted,Minimal}', '{Ceramic,Glass,Stoneware,Terracotta,Concrete}',
 '{"hand-finished ceramic","mouth-blown recycled glass","raw-edged stoneware","unglazed terracotta","cast concrete with a sealed finish"}',
 '{Vase,Candle Holder,Bud Vase,Bowl,Planter}',
 '{"It looks as good empty on a shelf as it does filled.","Small variations in the finish are the mark of the maker.","A felt base keeps it from scratching furniture."}',
 15, 130, NULL, '{oakhaven}', '{Terracotta,Ivory,Sage,Charcoal,Mustard}', 1100),
(8, 'bedding', 'BED', 'bedding', 'home',
 '{Washed,Organic,Classic,Garment-Dyed,Striped}', '{Linen,Cotton Percale,Cotton Sateen,Flannel,Bamboo Lyocell}',
 '{"stonewashed French flax linen","cool, crisp cotton percale","a silky cotton sateen","brushed cotton flannel for cold nights","breathable bamboo lyocell"}',
 '{Duvet Cover,Sheet Set,Pillowcase Pair,Bedspread,Fitted Sheet}',
 '{"It arrives pre-washed, so it is soft from the first night and will not shrink.","Hidden buttons and generous tucks keep everything in place.","Made in a certified mill that treats its water and its people well."}',
 40, 190, '{Single,Double,King}', '{oakhaven,alder-co}', '{White,Sand,Sage,Blush,Charcoal}', 1400),
(9, 'bags', 'BAG', 'bag', 'acc',
 '{Structured,Slouchy,Everyday,Compact,Classic}', '{Leather,Canvas,Recycled Nylon,Suede,Waxed Cotton}',
 '{"vegetable-tanned leather that darkens beautifully","heavy cotton canvas","recycled nylon that shrugs off rain","soft split suede","waxed cotton that can be re-proofed"}',
 '{Tote,Backpack,Crossbody Bag,Weekender,Belt Bag}',
 '{"An inside zip pocket and a key clip keep the small things in reach.","The strap adjusts so it sits right on any frame.","Brass hardware and stitched edges are made to last."}',
 35, 250, NULL, '{linden-row,northfield}', '{Black,Tan,Olive,Navy,Stone}', 800),
(10, 'watches', 'WAT', 'watch', 'acc',
 '{Minimal,Classic,Slim,Everyday,Heritage}', '{Steel,Titanium,Brass,Gold-Tone,Black Steel}',
 '{"brushed 316L stainless steel","light grade 2 titanium","solid brass that ages gently","gold-tone steel","black PVD-coated steel"}',
 '{Watch,Automatic Watch,Chronograph,Quartz Watch,Field Watch}',
 '{"A sapphire crystal and 50 m water resistance make it ready for every day.","The strap changes in seconds without tools.","It comes with a five-year guarantee and a recycled-card box."}',
 90, 450, NULL, '{sable-street}', '{Silver,Gold,Black,Navy,Forest}', 110),
(11, 'scarves', 'SCF', 'scarf', 'acc',
 '{Fringed,Oversized,Lightweight,Checked,Striped}', '{Wool,Cashmere,Cotton,Silk,Alpaca}',
 '{"lambswool from Scottish mills","pure Mongolian cashmere","soft brushed cotton","washed silk twill","baby alpaca that is warm without weight"}',
 '{Scarf,Wrap,Neckerchief,Stole,Blanket Scarf}',
 '{"Generous enough to wrap twice or wear as a shawl.","The edges are hand-knotted and finished with care.","It folds small enough for a coat pocket."}',
 20, 150, NULL, '{alder-co,linden-row}', '{Burgundy,Mustard,Charcoal,Forest,Sand}', 180),
(12, 'running', 'RUN', 'run', 'wear',
 '{Lightweight,Breathable,Reflective,Seamless,Quick-Dry}', '{Mesh,Merino,Recycled,Technical,Jersey}',
 '{"an open mesh that dumps heat fast","merino that stays fresh for days","recycled polyester","a technical knit with four-way stretch","a soft performance jersey"}',
 '{Running Tee,Half-Zip Top,Running Jacket,Running Vest,Long-Sleeve Top}',
 '{"Flat seams and a longer back mean nothing rubs on long runs.","Reflective details keep you visible after dark.","A zipped back pocket holds a phone without bouncing."}',
 25, 140, '{XS,S,M,L,XL}', '{fellrunner,northfield}', '{Black,Coral,Sky,Navy,Forest}', 220),
(13, 'yoga', 'YOG', 'yoga', 'wear',
 '{High-Rise,Seamless,Ribbed,Soft-Touch,Everyday}', '{Organic Cotton,Recycled,Bamboo,Modal,Sculpt-Knit}',
 '{"organic cotton with a little stretch","recycled nylon with a brushed finish","soft bamboo viscose","silky modal","a supportive sculpt knit"}',
 '{Leggings,Flare Pants,Joggers,Bike Shorts,Capri Leggings}',
 '{"A wide waistband stays put through every pose.","Squat-proof, with a hidden key pocket at the waist.","Soft enough for rest days, supportive enough for class."}',
 30, 100, '{XS,S,M,L,XL}', '{stillwater}', '{Black,Sage,Blush,Burgundy,Charcoal}', 260);

-- n = 0..299 goes to leaf n % 14 as its k-th product (k = n / 14 < 25):
-- (k % 5, k / 5) is a distinct (adjective, material) pair within the leaf,
-- so every name, and so every slug, is unique.  h and g are two
-- independent 31-bit hashes of the product number.
CREATE TEMP TABLE demo_product AS
SELECT n, pg_temp.demo_id('product-' || n) AS id, l.*, name, h, g,
	1 + h % 4 AS ncolours,
	l.notes[mi] AS note,
	(l.lo + 5 * (h % ((l.hi - l.lo) / 5 + 1))) * 100
		- (ARRAY[1, 5, 0, 1])[1 + (h / 7) % 4] AS price,
	CASE WHEN n % 37 = 5 THEN 'draft' WHEN n % 53 = 7 THEN 'archived' ELSE 'published' END AS status,
	now() - make_interval(days => g % 90, mins => h % 1440) AS created
FROM generate_series(0, 299) AS n
JOIN demo_leaf AS l ON l.i = n % 14
CROSS JOIN LATERAL (SELECT 1 + (n / 14) % 5 AS ai, 1 + (n / 70) % 5 AS mi,
	1 + (n / 14 + n / 70) % 5 AS ii) AS pick
CROSS JOIN LATERAL (SELECT l.adjs[ai] || ' ' || l.mats[mi] || ' ' || l.items[ii] AS name,
	('x' || substr(md5('demo-' || n), 1, 8))::bit(32)::int & 2147483647 AS h,
	('x' || substr(md5('demo-' || n), 9, 8))::bit(32)::int & 2147483647 AS g) AS hashes;

-- The colours each product comes in: ncolours consecutive colours of its
-- leaf's palette from a per-product start.
CREATE TEMP TABLE demo_product_colour AS
SELECT p.n, p.id, j, c.name AS colour, c.code AS colour_code,
	pg_temp.demo_id('variant-' || p.n || '-' || c.code || '-' || coalesce(p.sizes[1], 'OS')) AS first_variant
FROM demo_product AS p
CROSS JOIN LATERAL generate_series(0, p.ncolours - 1) AS j
JOIN demo_colour AS c ON c.name = p.palette[1 + (p.g + j) % 5];
ANALYZE demo_product, demo_product_colour;

-- ---------------------------------------------------------------- products

INSERT INTO catalog.products (id, slug, name, description, status, base_price, currency,
	brand_id, category_id, metadata, created_at, updated_at, published_at)
SELECT p.id,
	trim(both '-' FROM lower(regexp_replace(p.name, '[^A-Za-z0-9]+', '-', 'g'))),
	p.name,
	format('The %s is %s, made from %s. %s %s',
		p.name,
		(ARRAY['one of our best-loved pieces', 'new this season', 'a quiet favourite in the studio',
		       'designed for every single day', 'back by popular demand'])[1 + p.h % 5],
		p.note,
		p.blurbs[1 + (p.g / 5) % 3],
		(ARRAY['Free returns within 30 days.', 'Ships in recycled, plastic-free packaging.',
		       'Part of our permanent collection.', 'A limited run: once it is gone, it is gone.',
		       'Made in a small family workshop we have worked with for years.'])[1 + (p.h / 11) % 5]),
	p.status, p.price, 'EUR',
	(SELECT b.id FROM catalog.brands AS b WHERE b.slug = p.brands[1 + p.g % cardinality(p.brands)]),
	(SELECT c.id FROM catalog.categories AS c WHERE c.slug = p.slug),
	jsonb_build_object('material', p.mats[1 + (p.n / 70) % 5],
		'origin', (ARRAY['Portugal', 'Italy', 'India', 'Lithuania', 'Japan', 'Turkey'])[1 + p.g % 6],
		'care', CASE p.kind WHEN 'wear' THEN 'Machine wash at 30 °C, dry flat'
		                    WHEN 'shoe' THEN 'Brush clean; use a protector spray'
		                    WHEN 'home' THEN 'See the care card in the box'
		                    ELSE 'Wipe clean with a soft cloth' END),
	p.created,
	least(p.created + make_interval(days => p.h % 6), now()),
	CASE WHEN p.status <> 'draft' THEN least(p.created + interval '2 hours', now()) END
FROM demo_product AS p
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- variants
-- One variant per colour and size.  Prices differ where a shop's would:
-- bedding by bed size, gold watches, and the largest size of every fourth
-- garment; everything else takes the product's base price (NULL).
INSERT INTO catalog.variants (id, product_id, sku, name, price, attributes, weight_grams, is_active, sort_order)
SELECT pg_temp.demo_id('variant-' || p.n || '-' || pc.colour_code || '-' || coalesce(s.size, 'OS')),
	p.id,
	p.code || '-' || lpad(p.n::text, 4, '0') || '-' || pc.colour_code || coalesce('-' || upper(s.size), ''),
	pc.colour || coalesce(' / ' || s.size, ''),
	CASE WHEN p.grp = 'bedding' AND s.ord > 1 THEN p.price + (s.ord - 1) * 2000
	     WHEN p.grp = 'watch' AND pc.colour = 'Gold' THEN p.price + 3000
	     WHEN p.n % 4 = 0 AND s.ord = cardinality(p.sizes) AND s.ord > 1 THEN p.price + 500
	END,
	jsonb_strip_nulls(jsonb_build_object('color', pc.colour, 'size', s.size)),
	p.grams + (p.h % 21 - 10) * p.grams / 100 + coalesce(s.ord - 1, 0) * p.grams / 20,
	NOT (p.n % 23 = 4 AND pc.j = 0 AND coalesce(s.ord, 0) = 1),
	pc.j * 10 + coalesce(s.ord::int, 0)
FROM demo_product AS p
JOIN demo_product_colour AS pc ON pc.n = p.n
LEFT JOIN LATERAL unnest(p.sizes) WITH ORDINALITY AS s (size, ord) ON true
WHERE EXISTS (SELECT 1 FROM catalog.products AS x WHERE x.id = p.id)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- images
-- One image for each of the first three colours; the first is primary and
-- each points at the first variant of its colour.  Files are shared by every
-- product of the same image group and colour.
INSERT INTO catalog.images (id, product_id, variant_id, url, alt_text, width, height,
	sort_order, is_primary, created_at, updated_at)
SELECT pg_temp.demo_id('image-' || p.n || '-' || pc.j), p.id,
	(SELECT v.id FROM catalog.variants AS v WHERE v.id = pc.first_variant AND v.product_id = p.id),
	'/media/demo/' || p.grp || '-' || lower(pc.colour) || '.jpg',
	p.name || ' in ' || lower(pc.colour), 800, 800, pc.j, pc.j = 0, p.created, p.created
FROM demo_product AS p
JOIN demo_product_colour AS pc ON pc.n = p.n AND pc.j < 3
WHERE EXISTS (SELECT 1 FROM catalog.products AS x WHERE x.id = p.id)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- banners
-- Windows are relative to the first load; the third ended weeks ago, so the
-- public list (window filter) shows two while the admin sees three.
INSERT INTO catalog.banners (id, title, subtitle, image_url, link_url, link_type, position,
	sort_order, starts_at, ends_at)
SELECT pg_temp.demo_id('banner-' || ord), title, subtitle, '/media/demo/banner-' || ord || '.jpg',
	link, 'category', 'hero', ord, s, e
FROM (VALUES
	(1, 'The linen edit', 'Light layers for long days: dresses, shirts and bedding in washed linen.',
	 '/c/dresses', now() - interval '10 days', now() + interval '365 days'),
	(2, 'Made for the kitchen table', 'Hand-glazed stoneware from the Oakhaven workshops.',
	 '/c/kitchen', now() - interval '30 days', NULL::timestamptz),
	(3, 'Winter scarves, 30% off', 'Cashmere, alpaca and lambswool. The sale has ended.',
	 '/c/scarves', now() - interval '80 days', now() - interval '20 days')
) AS b (ord, title, subtitle, link, s, e)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- reviews
-- Two of every three published or archived products get one to five
-- reviews from distinct reviewers (5r mod 12 differs for r < 12).  Ratings
-- lean to 4 and 5 as real shops' do, and one product in seven is a
-- disappointment that draws more low ratings.  A few await moderation.
INSERT INTO catalog.reviews (id, product_id, user_id, rating, title, body, status, created_at, updated_at)
SELECT pg_temp.demo_id('review-' || p.n || '-' || r), p.id,
	('5eed0000-0000-4000-8000-' || lpad((1 + (p.h + 5 * r) % 12)::text, 12, '0'))::uuid,
	rt.rating,
	CASE rt.rating
		WHEN 5 THEN (ARRAY['Love it', 'Perfect', 'Exactly what I wanted', 'Beautifully made',
		                   'Buying another', 'Worth every cent'])[1 + q % 6]
		WHEN 4 THEN (ARRAY['Really good', 'Very happy', 'Nearly perfect', 'Good quality',
		                   'Would recommend'])[1 + q % 5]
		WHEN 3 THEN (ARRAY['It is fine', 'Decent', 'Mixed feelings', 'Okay for the price'])[1 + q % 4]
		WHEN 2 THEN (ARRAY['Disappointing', 'Not as pictured', 'Expected more'])[1 + q % 3]
		ELSE (ARRAY['Sent it back', 'Not for me', 'Poor quality'])[1 + q % 3]
	END,
	CASE rt.rating
		WHEN 5 THEN (ARRAY['Exactly as pictured and beautifully made.',
		                   'Great quality for the price, and it arrived in two days.',
		                   'The colour is lovely in real life.',
		                   'I have had so many compliments already.',
		                   'Well packed, no plastic, and even better than I expected.'])[1 + (q / 7) % 5]
		WHEN 4 THEN (ARRAY['Very nice, though the colour is a shade darker than on my screen.',
		                   'Good quality and quick delivery.',
		                   'Really pleased overall, only the packaging could be smaller.',
		                   'Lovely, just a little more expensive than I would like.'])[1 + (q / 7) % 4]
		WHEN 3 THEN (ARRAY['Decent, but not quite what I expected from the photos.',
		                   'Does the job. Nothing special.',
		                   'Fine, but delivery took over a week.'])[1 + (q / 7) % 3]
		WHEN 2 THEN (ARRAY['The finish was rougher than I hoped.',
		                   'The colour looked quite different in person.',
		                   'Arrived with a small mark on it; customer service were helpful.'])[1 + (q / 7) % 3]
		ELSE (ARRAY['Returned it, and the refund was quick at least.',
		            'Did not survive the first month.',
		            'Not the quality I expected from this brand.'])[1 + (q / 7) % 3]
	END || ' ' ||
	CASE WHEN rt.rating >= 4 THEN
		CASE p.kind
			WHEN 'wear' THEN (ARRAY['Fits true to size.', 'I took my usual size and it is perfect.',
			                        'Washes well and keeps its shape.'])[1 + (q / 50) % 3]
			WHEN 'shoe' THEN (ARRAY['Comfortable from the first day.', 'True to size, no breaking in needed.',
			                        'I walk to work in them every day.'])[1 + (q / 50) % 3]
			WHEN 'home' THEN (ARRAY['It looks great on our table.', 'Sturdy and well finished.',
			                        'Bought one as a gift and kept another for us.'])[1 + (q / 50) % 3]
			ELSE (ARRAY['Goes with everything.', 'Feels more expensive than it is.',
			            'I use it every day.'])[1 + (q / 50) % 3]
		END
	ELSE
		CASE p.kind
			WHEN 'wear' THEN (ARRAY['It runs small, so size up.', 'The fabric pilled after a few washes.',
			                        'The cut did not suit me.'])[1 + (q / 50) % 3]
			WHEN 'shoe' THEN (ARRAY['They pinch at the toes.', 'The sole is harder than I hoped.',
			                        'They run half a size large.'])[1 + (q / 50) % 3]
			WHEN 'home' THEN (ARRAY['Smaller than it looks in the photos.', 'The glaze is uneven.',
			                        'It chipped within a week.'])[1 + (q / 50) % 3]
			ELSE (ARRAY['The strap feels flimsy.', 'Smaller than I expected.',
			            'The hardware scratches easily.'])[1 + (q / 50) % 3]
		END
	END,
	CASE WHEN q % 29 = 0 THEN 'pending' ELSE 'published' END,
	p.created + (now() - p.created) * (0.15 + 0.85 * (q % 1000) / 1000.0),
	p.created + (now() - p.created) * (0.15 + 0.85 * (q % 1000) / 1000.0)
FROM demo_product AS p
CROSS JOIN LATERAL generate_series(0, p.g % 5) AS r
CROSS JOIN LATERAL (SELECT ('x' || substr(md5('demo-review-' || p.n || '-' || r), 1, 8))::bit(32)::int
	& 2147483647 AS q) AS qq
CROSS JOIN LATERAL (SELECT (CASE
		WHEN least(99, q % 100 + CASE WHEN p.h % 7 = 3 THEN 25 ELSE 0 END) < 50 THEN 5
		WHEN least(99, q % 100 + CASE WHEN p.h % 7 = 3 THEN 25 ELSE 0 END) < 78 THEN 4
		WHEN least(99, q % 100 + CASE WHEN p.h % 7 = 3 THEN 25 ELSE 0 END) < 89 THEN 3
		WHEN least(99, q % 100 + CASE WHEN p.h % 7 = 3 THEN 25 ELSE 0 END) < 95 THEN 2
		ELSE 1 END)::smallint AS rating) AS rt
WHERE p.status <> 'draft' AND p.h % 3 <> 0
	AND EXISTS (SELECT 1 FROM catalog.products AS x WHERE x.id = p.id)
ON CONFLICT DO NOTHING;

DROP TABLE pg_temp.demo_product_colour, pg_temp.demo_product, pg_temp.demo_leaf, pg_temp.demo_colour;
DROP FUNCTION pg_temp.demo_id(text);
