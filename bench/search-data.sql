-- bench/search-data.sql — 100,000 generated search documents for the
-- search scenario of bench/run (BENCH_SEARCH=1): written straight into the
-- search schema (the indexer is not what is measured), in 5 root
-- categories of 4 children each, 12 brands, 5 sizes and 8 colours, with
-- names and descriptions from a small vocabulary so that queries, typos
-- and facets have realistic fan-out.  Ids start with b0/b1/b2/b3 so a
-- rerun replaces them.
\set ON_ERROR_STOP on
BEGIN;
DELETE FROM search.documents WHERE product_id::text LIKE 'b0000000-%';
INSERT INTO search.categories (id, parent_id, slug, name, path)
SELECT ('b1000000-0000-4000-8000-' || lpad(r::text, 12, '0'))::uuid, NULL, 'bench-root-' || r,
       (ARRAY['Clothing', 'Shoes', 'Outdoor', 'Home', 'Accessories'])[r],
       ARRAY[('b1000000-0000-4000-8000-' || lpad(r::text, 12, '0'))::uuid]
FROM generate_series(1, 5) r
ON CONFLICT (id) DO NOTHING;
INSERT INTO search.categories (id, parent_id, slug, name, path)
SELECT ('b2000000-0000-4000-8000-' || lpad((r * 10 + c)::text, 12, '0'))::uuid,
       ('b1000000-0000-4000-8000-' || lpad(r::text, 12, '0'))::uuid, 'bench-cat-' || r || '-' || c,
       (ARRAY['Tops', 'Bottoms', 'Layers', 'Basics'])[c] || ' ' || r,
       ARRAY[('b1000000-0000-4000-8000-' || lpad(r::text, 12, '0'))::uuid,
             ('b2000000-0000-4000-8000-' || lpad((r * 10 + c)::text, 12, '0'))::uuid]
FROM generate_series(1, 5) r, generate_series(1, 4) c
ON CONFLICT (id) DO NOTHING;
INSERT INTO search.brands (id, name)
SELECT ('b3000000-0000-4000-8000-' || lpad(b::text, 12, '0'))::uuid,
       (ARRAY['Northfield', 'Tidewater', 'Alder & Co', 'Marlowe', 'Greywell', 'Fenwick', 'Oakhurst',
              'Halden', 'Brightwater', 'Kestrel', 'Larkspur', 'Wexford'])[b]
FROM generate_series(1, 12) b
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;
WITH v AS (SELECT
	ARRAY['Classic', 'Relaxed', 'Slim', 'Heavy', 'Light', 'Waxed', 'Quilted', 'Organic', 'Vintage',
	      'Everyday', 'Technical', 'Merino', 'Brushed', 'Washed', 'Tailored', 'Cropped', 'Oversized',
	      'Ribbed', 'Striped', 'Plain'] AS adj,
	ARRAY['Cotton', 'Linen', 'Wool', 'Denim', 'Leather', 'Canvas', 'Fleece', 'Cashmere', 'Silk',
	      'Corduroy', 'Twill', 'Jersey', 'Nylon', 'Suede', 'Hemp'] AS mat,
	ARRAY['Shirt', 'T-Shirt', 'Jacket', 'Parka', 'Sweater', 'Hoodie', 'Trousers', 'Shorts', 'Dress',
	      'Skirt', 'Coat', 'Vest', 'Cardigan', 'Blazer', 'Boots', 'Sneakers', 'Scarf', 'Beanie',
	      'Backpack', 'Tote', 'Blanket', 'Cushion', 'Apron', 'Gloves', 'Socks'] AS noun,
	ARRAY['Northfield', 'Tidewater', 'Alder & Co', 'Marlowe', 'Greywell', 'Fenwick', 'Oakhurst',
	      'Halden', 'Brightwater', 'Kestrel', 'Larkspur', 'Wexford'] AS brand,
	ARRAY['XS', 'S', 'M', 'L', 'XL'] AS size,
	ARRAY['Navy', 'Olive', 'Sand', 'White', 'Black', 'Rust', 'Sky', 'Sage'] AS colour)
INSERT INTO search.documents (product_id, slug, name, description, brand_id, brand_name,
	category_id, category_ids, category_names, attrs, attr_text, price_min, price_max, currency,
	in_stock, popularity, created_at)
SELECT ('b0000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'bench-' || i,
       v.adj[1 + i % 20] || ' ' || v.mat[1 + (i / 20) % 15] || ' ' || v.noun[1 + (i / 300) % 25],
       'A ' || lower(v.adj[1 + (i / 7) % 20]) || ' piece in ' || lower(v.mat[1 + (i / 11) % 15]) ||
       ', made to last and easy to care for. Pairs well with ' ||
       lower(v.noun[1 + (i / 13) % 25]) || 's.',
       ('b3000000-0000-4000-8000-' || lpad((1 + i % 12)::text, 12, '0'))::uuid, v.brand[1 + i % 12],
       ('b2000000-0000-4000-8000-' || lpad(((1 + i % 5) * 10 + 1 + (i / 5) % 4)::text, 12, '0'))::uuid,
       ARRAY[('b1000000-0000-4000-8000-' || lpad((1 + i % 5)::text, 12, '0'))::uuid,
             ('b2000000-0000-4000-8000-' || lpad(((1 + i % 5) * 10 + 1 + (i / 5) % 4)::text, 12, '0'))::uuid],
       (ARRAY['Clothing', 'Shoes', 'Outdoor', 'Home', 'Accessories'])[1 + i % 5] || ' ' ||
       (ARRAY['Tops', 'Bottoms', 'Layers', 'Basics'])[1 + (i / 5) % 4] || ' ' || (1 + i % 5),
       ARRAY['size=' || v.size[1 + (i / 5) % 5], 'size=' || v.size[1 + (i / 5 + 2) % 5],
             'color=' || v.colour[1 + (i / 3) % 8]],
       v.size[1 + (i / 5) % 5] || ' ' || v.size[1 + (i / 5 + 2) % 5] || ' ' || v.colour[1 + (i / 3) % 8],
       500 + (i * 7919) % 30000, 500 + (i * 7919) % 30000 + (i % 3) * 1000, 'EUR',
       i % 7 <> 0, (i * 31) % 1000, now() - make_interval(mins => i)
FROM v, generate_series(1, 100000) i;
INSERT INTO search.words (word)
SELECT DISTINCT w FROM search.documents d, regexp_split_to_table(lower(d.name || ' ' ||
       regexp_replace(d.name, '([[:alnum:]])-([[:alnum:]])', '\1\2', 'g') || ' ' || d.brand_name ||
       ' ' || d.category_names || ' ' || d.attr_text), '[^[:alnum:]]+') w
WHERE d.product_id::text LIKE 'b0000000-%' AND length(w) BETWEEN 2 AND 60
ON CONFLICT DO NOTHING;
COMMIT;
VACUUM ANALYZE search.documents;
VACUUM ANALYZE search.words;
-- the responders' facet counts are of the documents before these
SELECT nextval('search.generation');
