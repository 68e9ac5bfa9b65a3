-- The processing hooks' outbox (issue "processing hooks"): one row per (upload, event type), written by the same
-- statement that changes the record, so neither exists without the other; the primary key makes a replayed
-- callback, a duplicate event or a second sweep queue nothing new. Rows are claimed with FOR UPDATE SKIP LOCKED
-- and a lease (locked_until, claim); a worker that dies mid-delivery only delays its row until the lease ends.
-- `url` is the hook the upload's route named when the event was queued (a later change of the declaration does
-- not redirect queued events). Delivered and failed rows are kept: failed ones are visible and replayable.
-- Idempotent: safe to run twice.
CREATE TABLE IF NOT EXISTS hook_deliveries (
  upload_id       uuid        NOT NULL REFERENCES uploads (upload_id) ON DELETE CASCADE,
  type            text        NOT NULL CHECK (type IN ('upload.recorded', 'upload.removed', 'upload.replaced')),
  url             text        NOT NULL,
  status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  claim           uuid,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  PRIMARY KEY (upload_id, type)
);
-- What the timer asks: pending rows that are due, oldest first.
CREATE INDEX IF NOT EXISTS hook_deliveries_due_idx ON hook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS hook_deliveries_failed_idx ON hook_deliveries (created_at) WHERE status = 'failed';
