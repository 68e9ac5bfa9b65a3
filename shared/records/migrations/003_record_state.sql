-- Whether a record still describes an object in the bucket (issue "records tell the truth"): `active` while its
-- object is there as recorded; `removed` once the object was deleted or replaced by one that fails its check
-- (never deleted: records are the history); `replaced` once a newer upload of the same user took its place in a
-- route that keeps one. `state_reason` says why (a short code), `state_changed_at` when. `last_modified` is the
-- object's Last-Modified as HeadObject gave it when the record was confirmed. Existing rows were written for
-- objects that were there, and nothing has marked any of them since, so the defaults describe them exactly
-- (`active`, never changed; their Last-Modified was not kept). Idempotent: safe to run twice.
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'active';
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS state_reason text;
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS state_changed_at timestamptz;
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS last_modified timestamptz;
DO $$ BEGIN
  ALTER TABLE uploads ADD CONSTRAINT uploads_state_check CHECK (state IN ('active', 'removed', 'replaced'));
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
-- The sweep asks, per month folder it lists, which active records lie under it (a key prefix).
CREATE INDEX IF NOT EXISTS uploads_object_key_idx ON uploads (bucket, object_key text_pattern_ops);
