-- How each record was learned (issue 11): the callback, the OSS event, or the sweep, each counted, and which
-- came first. Existing rows all came from callbacks, so the defaults describe them exactly; callback_count keeps
-- its meaning (new rows set every count explicitly, so its old default of 1 no longer applies).
-- Idempotent: safe to run twice.
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS event_count integer NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS sweep_count integer NOT NULL DEFAULT 0;
ALTER TABLE uploads ADD COLUMN IF NOT EXISTS first_source text NOT NULL DEFAULT 'callback';
ALTER TABLE uploads ALTER COLUMN callback_count SET DEFAULT 0;
DO $$ BEGIN
  ALTER TABLE uploads ADD CONSTRAINT uploads_first_source_check CHECK (first_source IN ('callback', 'event', 'sweep'));
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
