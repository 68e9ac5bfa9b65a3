/**
 * The processing hooks' outbox (migrations/005_hook_outbox.sql): the statements that queue an event beside a
 * record change, claim what is due, and settle each attempt. Every statement stands alone (one transaction):
 * no session state, no advisory lock, no LISTEN/NOTIFY, so all of it works through PgBouncer in transaction mode.
 * @see ../../../shared/spec/records-routes-hooks.md "Transactional outbox"
 */
import { RECORD_COLUMNS } from './rows';

/**
 * Queues `type` for the records a CTE named `changed` returned (their upload_id), to the URL their
 * `upload.recorded` delivery went to: only an upload that had a hook when it was recorded gets its later events,
 * and to the same place, whatever the declaration says now.
 */
export const queueFollowing = (type: 'upload.removed' | 'upload.replaced', changed: string) => `queued AS (
  INSERT INTO hook_deliveries (upload_id, type, url)
  SELECT d.upload_id, '${type}', d.url FROM hook_deliveries d JOIN ${changed} c ON c.upload_id = d.upload_id
  WHERE d.type = 'upload.recorded'
  ON CONFLICT (upload_id, type) DO NOTHING
)`;

/**
 * Claims up to $1 due deliveries for $2 ms (the lease), optionally only those of the upload ids $3: pending,
 * due, and not leased to another worker. `FOR UPDATE SKIP LOCKED` lets workers that claim at once take
 * different rows instead of waiting; the lease (locked_until, and a fresh `claim` token each settle must name)
 * keeps a row from being claimed again while its HTTP request runs, after this statement's row locks are gone.
 * A later event of an upload waits while its `upload.recorded` is still pending, so a receiver sees an upload
 * recorded before it sees it removed (as far as deliveries succeed in order). Answers each with its record.
 */
export const CLAIM_SQL = `WITH due AS (
  SELECT d.upload_id, d.type FROM hook_deliveries d
  WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.locked_until IS NULL OR d.locked_until <= now())
    AND ($3::uuid[] IS NULL OR d.upload_id = ANY($3::uuid[]))
    AND (d.type = 'upload.recorded' OR NOT EXISTS (
      SELECT 1 FROM hook_deliveries r
      WHERE r.upload_id = d.upload_id AND r.type = 'upload.recorded' AND r.status = 'pending'))
  ORDER BY d.next_attempt_at
  LIMIT $1
  FOR UPDATE OF d SKIP LOCKED
), claimed AS (
  UPDATE hook_deliveries h SET attempts = h.attempts + 1, claim = gen_random_uuid(),
    locked_until = now() + $2::int * interval '1 millisecond'
  FROM due WHERE h.upload_id = due.upload_id AND h.type = due.type
  RETURNING h.upload_id AS claimed_id, h.type AS event_type, h.url AS hook_url, h.attempts AS attempt,
    h.claim AS claim_token, h.created_at AS queued_at
)
SELECT claimed.*, ${RECORD_COLUMNS} FROM claimed JOIN uploads ON uploads.upload_id = claimed.claimed_id`;

/** A 2xx: delivered, if this worker still holds the claim (else the lease ran out and another worker has it). */
export const DELIVERED_SQL = `UPDATE hook_deliveries SET status = 'delivered', delivered_at = now(), locked_until = NULL,
  claim = NULL, last_status = $4, last_error = NULL
WHERE upload_id = $1 AND type = $2 AND claim = $3
RETURNING upload_id`;

/** Anything else: due again in $5 ms, or failed ($5 null: the schedule is spent); kept either way. */
export const ATTEMPT_FAILED_SQL = `UPDATE hook_deliveries SET
  status = CASE WHEN $5::int IS NULL THEN 'failed' ELSE 'pending' END,
  next_attempt_at = CASE WHEN $5::int IS NULL THEN next_attempt_at ELSE now() + $5::int * interval '1 millisecond' END,
  locked_until = NULL, claim = NULL, last_status = $4, last_error = $6
WHERE upload_id = $1 AND type = $2 AND claim = $3
RETURNING upload_id`;

const LIST_COLUMNS = `upload_id, type, url, status, attempts, created_at, next_attempt_at, locked_until, last_status,
  last_error, delivered_at`;

/** Deliveries by status ($1) and, optionally, upload ids ($2), newest first, at most $3. */
export const LIST_DELIVERIES_SQL = `SELECT ${LIST_COLUMNS} FROM hook_deliveries
WHERE status = ANY($1::text[]) AND ($2::uuid[] IS NULL OR upload_id = ANY($2::uuid[]))
ORDER BY created_at DESC, upload_id, type LIMIT $3`;

/**
 * Replay: the deliveries of upload $1 (or, $1 null, every failed one) are due now with a fresh schedule; a
 * delivery still pending keeps its place (it is due anyway). The webhook-id stays (receivers dedupe on it).
 */
export const RETRY_SQL = `UPDATE hook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),
  locked_until = NULL, claim = NULL
WHERE ($1::uuid IS NULL AND status = 'failed') OR (upload_id = $1::uuid AND status <> 'pending')
RETURNING upload_id`;
