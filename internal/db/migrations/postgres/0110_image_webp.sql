-- A WebP encoding of each kept size of an image, beside the JPEG or PNG one
-- (data): pages offer it in <picture> to the browsers that read WebP, and
-- the others keep the JPEG/PNG. NULL for images stored before: the first
-- request of one encodes it and keeps it (pages.Store.ImageVariant).
ALTER TABLE image_variants ADD COLUMN webp BYTEA;
