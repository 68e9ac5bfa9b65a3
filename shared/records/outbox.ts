/**
 * The outbox of processing hooks, as the delivering worker and `npm run hooks` see it: claim what is due (with
 * its record), settle each attempt, list, replay. The rows are queued by the record writes themselves
 * (record-sql.ts, sql-store.ts), never through this interface.
 */
import { isUploadId } from '../proof';
import { ATTEMPT_FAILED_SQL, CLAIM_SQL, DELIVERED_SQL, LIST_DELIVERIES_SQL, RETRY_SQL } from './outbox-sql';
import { type Row, toRecord } from './rows';
import type { DeliveryRow, DeliveryStatus, HookEventType, HookOutbox, Queryable } from './types';

const nullableDate = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
const nullableInt = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toDeliveryRow(row: Record<string, unknown>): DeliveryRow {
  return {
    uploadId: String(row.upload_id),
    type: String(row.type) as HookEventType,
    url: String(row.url),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    queuedAt: new Date(row.created_at as string),
    nextAttemptAt: new Date(row.next_attempt_at as string),
    lockedUntil: nullableDate(row.locked_until),
    lastStatus: nullableInt(row.last_status),
    lastError: row.last_error === null || row.last_error === undefined ? null : String(row.last_error),
    deliveredAt: nullableDate(row.delivered_at),
  };
}

/** An error text as the row keeps it: short, one line. */
const errorText = (error: string) => error.replace(/\s+/g, ' ').slice(0, 200);

export function createOutbox(db: Queryable): HookOutbox {
  return {
    async claim({ limit, leaseMs, uploadIds }) {
      const ids = uploadIds?.filter(isUploadId);
      if (ids && ids.length === 0) return [];
      const { rows } = await db.query(CLAIM_SQL, [limit, Math.ceil(leaseMs), ids ?? null]);
      return rows.map((row) => ({
        uploadId: String(row.claimed_id),
        type: String(row.event_type) as HookEventType,
        url: String(row.hook_url),
        attempt: Number(row.attempt),
        claim: String(row.claim_token),
        queuedAt: new Date(row.queued_at as string),
        record: toRecord(row as Row),
      }));
    },
    async delivered(c, status) {
      const { rows } = await db.query(DELIVERED_SQL, [c.uploadId, c.type, c.claim, status]);
      return rows.length > 0;
    },
    async attemptFailed(c, outcome) {
      const retryIn = outcome.retryInMs === null ? null : Math.max(0, Math.round(outcome.retryInMs));
      const { rows } = await db.query(ATTEMPT_FAILED_SQL, [
        c.uploadId,
        c.type,
        c.claim,
        outcome.status,
        retryIn,
        errorText(outcome.error),
      ]);
      return rows.length > 0;
    },
    async list(filter = {}) {
      const ids = filter.uploadIds?.filter(isUploadId);
      if (ids && ids.length === 0) return [];
      const status = filter.status ?? ['pending', 'delivered', 'failed'];
      const { rows } = await db.query(LIST_DELIVERIES_SQL, [status, ids ?? null, filter.limit ?? 100]);
      return rows.map(toDeliveryRow);
    },
    async retry(uploadId) {
      if (uploadId !== undefined && !isUploadId(uploadId)) return 0;
      const { rows } = await db.query(RETRY_SQL, [uploadId ?? null]);
      return rows.length;
    },
  };
}
