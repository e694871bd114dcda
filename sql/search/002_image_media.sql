-- search documents keep the primary image's media item, so result cards
-- get the same srcset as the catalog's listing cards (lib/media variants).
ALTER TABLE search.documents ADD COLUMN image_media_id uuid;
