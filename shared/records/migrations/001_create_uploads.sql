-- One row per signed upload, written by the upload-callback function. Idempotent: safe to run twice.
CREATE TABLE IF NOT EXISTS uploads (
  upload_id      uuid PRIMARY KEY,
  bucket         text        NOT NULL,
  object_key     text        NOT NULL,
  etag           text        NOT NULL,
  size           bigint      NOT NULL CHECK (size >= 0),
  mime_type      text        NOT NULL,
  -- crc64ecma is an unsigned 64-bit value: kept exact as decimal text (it does not fit bigint or a JS number).
  crc64          text        CHECK (crc64 ~ '^[0-9]{1,20}$'),
  content_md5    text,
  image_width    integer,
  image_height   integer,
  image_format   text,
  vpc_id         text,
  client_ip      text,
  oss_request_id text,
  operation      text,
  user_id        text        NOT NULL,
  vars           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  callback_count integer     NOT NULL DEFAULT 1
);

CREATE INDEX IF NOT EXISTS uploads_created_at_idx ON uploads (created_at DESC);
CREATE INDEX IF NOT EXISTS uploads_user_created_at_idx ON uploads (user_id, created_at DESC);
