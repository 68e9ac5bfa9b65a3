/**
 * Non-HTTP trigger events for upload-event: FC 3.0 OSS triggers and timer triggers (a Buffer of JSON, like HTTP
 * trigger events), and on Lambda a schedule (EventBridge Scheduler / a scheduled rule) for the sweep. The only
 * code that knows these shapes; the handler sees `TriggerEvent`.
 * @see ../../../shared/spec/oss-events-multipart.md §2 and ../../../shared/vectors/fc-events/ (published samples)
 */
import { isJsonObject } from '../decode';
import { normalizeEtag } from '../oss/etag';
import { ossRequestIdOf } from '../oss/request-id';
import { eventJson, UnsupportedEventError } from './index';

export type CreatedOperation = 'PutObject' | 'PostObject' | 'CompleteMultipartUpload';
/** `DeleteObjects` (a batch delete) carries one record per key. */
export type RemovedOperation = 'DeleteObject' | 'DeleteObjects';
const CREATED: readonly string[] = ['PutObject', 'PostObject', 'CompleteMultipartUpload'];
const REMOVED: readonly string[] = ['DeleteObject', 'DeleteObjects'];

/**
 * One `ObjectCreated:*` or `ObjectRemoved:*` record. Strict about what the handler uses (event name, bucket
 * name, key); tolerant about the rest, so a record is never skipped over a field we ignore: the event's etag,
 * size, time and region are hints only (HeadObject is the truth), undefined when absent or malformed. Removed
 * records may carry no etag or size at all.
 * @see https://www.alibabacloud.com/help/en/eventbridge/user-guide/oss-events (event types)
 */
export interface ObjectEvent {
  change: 'created' | 'removed';
  operation: CreatedOperation | RemovedOperation;
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
  time?: Date;
  region?: string;
  /** The upload request's id (`responseElements.requestId`). */
  requestId?: string;
  /** `requestParameters.sourceIPAddress` (masked in published samples). */
  sourceIp?: string;
}

/** An object-created record (what the callback missed). */
export type ObjectCreated = ObjectEvent & { change: 'created'; operation: CreatedOperation };

/** Each record on its own: one malformed record must not hide the others. */
export type OssRecord = { ok: true; record: ObjectEvent } | { ok: false; index: number; reason: string };

export type TriggerEvent =
  | { kind: 'oss'; records: OssRecord[] }
  /** FC timer trigger (`triggerTime`, `triggerName`, `payload`). */
  | { kind: 'timer'; time: Date; name: string; payload: string }
  /** Lambda: EventBridge Scheduler with Input `{"action":"sweep"}`, or a scheduled EventBridge rule. */
  | { kind: 'schedule'; time: Date }
  /** Lambda: a schedule with Input `{"action":"hooks"}` (the hooks' timer; FC's is a timer with payload `hooks`). */
  | { kind: 'hooks'; time: Date };

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** An IPv4 or IPv6 address, or one masked as the published samples mask it (`140.205.XX.XX`, `140.205.***.***`). */
const SOURCE_IP = /^[0-9A-Za-z.:%*]{1,64}$/;
const sourceIpOf = (v: string | undefined) => (v !== undefined && SOURCE_IP.test(v) ? v : undefined);

function parseRecord(raw: unknown, index: number): OssRecord {
  const bad = (reason: string): OssRecord => ({ ok: false, index, reason });
  if (!isJsonObject(raw)) return bad('record is not an object');
  const eventName = text(raw.eventName) ?? '';
  const [kind, operation] = eventName.split(':');
  const change =
    kind === 'ObjectCreated' && CREATED.includes(operation ?? '')
      ? 'created'
      : kind === 'ObjectRemoved' && REMOVED.includes(operation ?? '')
        ? 'removed'
        : undefined;
  if (!change) return bad(`not an object event we handle: ${eventName.slice(0, 64)}`);
  const oss = isJsonObject(raw.oss) ? raw.oss : {};
  const bucket = isJsonObject(oss.bucket) ? text(oss.bucket.name) : undefined;
  const object = isJsonObject(oss.object) ? oss.object : {};
  const key = text(object.key);
  if (!bucket || !key) return bad('record names no bucket or key');
  // Hints: kept when well-formed, dropped (never a reason to skip the record) when not.
  const time = new Date(text(raw.eventTime) ?? '');
  const size = typeof object.size === 'number' && Number.isSafeInteger(object.size) ? object.size : undefined;
  const etag = text(object.eTag);
  const region = text(raw.region);
  // Stored on the record: only when shaped like what OSS sends (a U+0000 failed the write on every retry).
  const requestId = ossRequestIdOf(
    isJsonObject(raw.responseElements) ? text(raw.responseElements.requestId) : undefined,
  );
  const sourceIp = sourceIpOf(
    isJsonObject(raw.requestParameters) ? text(raw.requestParameters.sourceIPAddress) : undefined,
  );
  return {
    ok: true,
    record: {
      change,
      operation: operation as ObjectEvent['operation'],
      bucket,
      key,
      ...(etag ? { etag: normalizeEtag(etag) } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(Number.isNaN(time.getTime()) ? {} : { time }),
      ...(region ? { region } : {}),
      ...(requestId ? { requestId } : {}),
      ...(sourceIp ? { sourceIp } : {}),
    },
  };
}

export function parseTriggerEvent(input: unknown): TriggerEvent {
  const event = eventJson(input);
  if (!isJsonObject(event)) throw new UnsupportedEventError('event is not a JSON object');
  if (Array.isArray(event.events)) return { kind: 'oss', records: event.events.map(parseRecord) };
  if (typeof event.triggerTime === 'string' && typeof event.triggerName === 'string') {
    const time = new Date(event.triggerTime);
    if (Number.isNaN(time.getTime())) throw new UnsupportedEventError('triggerTime is not a time');
    return { kind: 'timer', time, name: event.triggerName, payload: text(event.payload) ?? '' };
  }
  // EventBridge scheduled rule: {"detail-type":"Scheduled Event","source":"aws.events","time":…}
  if (event['detail-type'] === 'Scheduled Event' && event.source === 'aws.events') {
    const time = new Date(text(event.time) ?? '');
    return { kind: 'schedule', time: Number.isNaN(time.getTime()) ? new Date(0) : time };
  }
  if (event.action === 'sweep') return { kind: 'schedule', time: new Date(0) };
  if (event.action === 'hooks') return { kind: 'hooks', time: new Date(0) };
  throw new UnsupportedEventError('not an OSS trigger, timer trigger or schedule event');
}

/** What OSS knows about an object it just stored: the local OSS plays the trigger with it. */
export interface StoredObjectNotice {
  operation: CreatedOperation;
  key: string;
  etag: string;
  size: number;
  time: Date;
  requestId: string;
  sourceIp: string;
}

/** An object OSS just deleted (one notice per key of a batch delete). */
export interface RemovedObjectNotice {
  operation: RemovedOperation;
  key: string;
  time: Date;
  requestId: string;
  sourceIp: string;
}

const isRemoval = (n: StoredObjectNotice | RemovedObjectNotice): n is RemovedObjectNotice =>
  REMOVED.includes(n.operation);

/**
 * The FC 3.0 OSS trigger event for `notices`, as a Buffer of JSON, in the published sample's shape (a removal
 * names the key only: the published type list gives no removed sample, and size or etag are hints we never need).
 */
export function buildOssTriggerEvent(
  notices: (StoredObjectNotice | RemovedObjectNotice)[],
  where: { bucket: string; region: string; accountId: string },
): Buffer {
  return Buffer.from(
    JSON.stringify({
      events: notices.map((n) => ({
        eventName: `${isRemoval(n) ? 'ObjectRemoved' : 'ObjectCreated'}:${n.operation}`,
        eventSource: 'acs:oss',
        eventTime: n.time.toISOString(),
        eventVersion: '1.0',
        oss: {
          bucket: {
            arn: `acs:oss:${where.region}:${where.accountId}:${where.bucket}`,
            name: where.bucket,
            ownerIdentity: where.accountId,
          },
          object: isRemoval(n) ? { key: n.key } : { deltaSize: n.size, eTag: n.etag, key: n.key, size: n.size },
          ossSchemaVersion: '1.0',
          ruleId: 'local',
        },
        region: where.region,
        requestParameters: { sourceIPAddress: n.sourceIp },
        responseElements: { requestId: n.requestId },
        userIdentity: { principalId: where.accountId },
      })),
    }),
  );
}
