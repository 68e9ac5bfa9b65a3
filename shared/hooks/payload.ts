/**
 * The event a hook receives: `{ type, timestamp, data }` (Standard Webhooks' body), `data` the record as it is
 * when the attempt is made (a hook reads the record, never the callback: whatever path recorded the upload, the event is the same).
 * The `webhook-id` is derived from the upload and the type, so it is the same on every attempt and replay: the
 * receiver's idempotency key.
 */
import type { HookEventType, UploadRecord } from '../records/types';

export interface HookRecord {
  uploadId: string;
  route: string;
  bucket: string;
  key: string;
  size: number;
  etag: string;
  contentType: string;
  user: string;
  vars: Record<string, string>;
  /** What OSS read of an image (the callback's imageInfo, or image/info); null when unknown or not an image. */
  image: { width: number | null; height: number | null; format: string | null } | null;
  /** Which path recorded the upload first: `callback`, `event` or `sweep`. */
  source: string;
  state: string;
  stateReason: string | null;
  lastModified: string | null;
  recordedAt: string;
}

export interface HookEvent {
  type: HookEventType;
  /** When the change happened (the event was queued with it), ISO 8601. */
  timestamp: string;
  data: HookRecord;
}

export const webhookId = (uploadId: string, type: HookEventType) =>
  `msg_${uploadId.replaceAll('-', '')}_${type.slice('upload.'.length)}`;

export function hookRecord(r: UploadRecord): HookRecord {
  const imageKnown = r.imageWidth !== null || r.imageHeight !== null || r.imageFormat !== null;
  return {
    uploadId: r.uploadId,
    route: r.route,
    bucket: r.bucket,
    key: r.key,
    size: r.size,
    etag: r.etag,
    contentType: r.mimeType,
    user: r.user,
    vars: r.vars,
    image: imageKnown ? { width: r.imageWidth, height: r.imageHeight, format: r.imageFormat } : null,
    source: r.firstSource,
    state: r.state,
    stateReason: r.stateReason,
    lastModified: r.lastModified ? r.lastModified.toISOString() : null,
    recordedAt: r.createdAt.toISOString(),
  };
}

export const hookEvent = (type: HookEventType, queuedAt: Date, record: UploadRecord): HookEvent => ({
  type,
  timestamp: queuedAt.toISOString(),
  data: hookRecord(record),
});
