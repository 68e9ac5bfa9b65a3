/**
 * An object that OSS says it deleted (an `ObjectRemoved:*` event), or that the sweep no longer finds where it
 * looked: once HeadObject confirms it is gone, the record of its key is marked removed, with why and when
 * (records are never deleted: they are the history). If the object is there after all (written again since, or
 * the events came out of order), it is checked and recorded like any object.
 */
import { headObject } from '../oss-client';
import { uploadIdOfKey } from '../proof';
import type { RecordSource } from '../records/types';
import { addressable, type ObjectDeps, type ObjectOutcome, recordObject } from './record-object';

export interface Removal {
  /** Why the record is marked: `deleted` (an OSS event), `not-found` (the sweep). */
  reason: 'deleted' | 'not-found';
  source: Exclude<RecordSource, 'callback'>;
  /** When the object went, if the notice says (an event's time); else now. */
  at?: Date;
}

export async function removeObject(deps: ObjectDeps, key: string, removal: Removal): Promise<ObjectOutcome> {
  const uploadId = uploadIdOfKey(key);
  const named = { keyHash: deps.hash(key), uploadId, source: removal.source };
  if (!addressable(key)) {
    deps.logger.warn('object left alone: its key cannot be named in a request (over 1023 bytes, or . or ..)', named);
    return 'unaddressable';
  }
  if (await headObject(deps.client, key)) {
    deps.logger.info('object said to be gone is there: checked as any object', named);
    return recordObject(deps, key, removal.source);
  }
  if (!uploadId || deps.dryRun) return 'gone-unrecorded';
  const marked = await deps.store.markRemoved({ uploadId, key }, removal.reason, removal.at ?? deps.proof.now);
  if (!marked) return 'gone-unrecorded';
  deps.logger.info('record marked removed: its object is gone', { ...named, reason: removal.reason });
  return 'removed';
}
