/**
 * One month folder of the sweep: its pages compared with their records (one query per page), what no record
 * describes checked and recorded or rejected as the event path does, then the records under the folder whose
 * object it no longer holds marked removed (once HeadObject confirms the object is gone).
 */
import type { ListedObject } from '../oss-client';
import { listObjectsV2 } from '../oss-client';
import { uploadIdOfKey } from '../proof';
import { describesObject, type ObjectOutcome, recordObject } from './record-object';
import { removeObject } from './remove-object';
import type { SweepDeps, SweepOptions, SweepSummary } from './sweep-types';

/** Where a sweep is: the last key handled, pages done, and its budget. */
export interface Walk {
  marker: string;
  pages: number;
  overBudget: () => boolean;
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** The summary's counts for one object's outcome. */
function count(summary: SweepSummary, outcome: ObjectOutcome): void {
  if (outcome === 'recorded') summary.recordedNow++;
  else if (outcome === 'rejected-deleted' || outcome === 'rejected-kept') {
    summary.rejected++;
    if (outcome === 'rejected-deleted') summary.deleted++;
  } else if (outcome === 'rejected-but-recorded') summary.alreadyRecorded++;
  else if (outcome === 'removed') summary.removed++;
  else summary.skipped++;
}

/** Runs `work` for each item, `concurrency` at once, counting outcomes and failures (logged, never thrown). */
async function handleEach<T extends { key: string }>(
  deps: SweepDeps,
  items: T[],
  concurrency: number,
  summary: SweepSummary,
  work: (item: T) => Promise<ObjectOutcome>,
): Promise<void> {
  await inBatches(items, concurrency, async (item) => {
    try {
      count(summary, await work(item));
    } catch (error) {
      summary.failed++;
      deps.logger.error('sweep could not handle an object', {
        keyHash: deps.hash(item.key),
        uploadId: uploadIdOfKey(item.key),
        error: String(error),
      });
    }
  });
}

/**
 * Every page of one month folder; false when the budget stopped it before a page. A folder walked to its end
 * is then compared with its records: those whose object it no longer holds are checked and marked removed.
 */
export async function sweepFolder(
  deps: SweepDeps,
  options: SweepOptions,
  folder: string,
  after: string,
  walk: Walk,
  summary: SweepSummary,
): Promise<boolean> {
  const listed = new Set<string>();
  let continuationToken: string | undefined;
  do {
    // Every run handles at least one page of objects, so a resumed run always makes progress.
    if (walk.pages > 0 && walk.overBudget()) return false;
    const page = await listObjectsV2(deps.client, {
      prefix: folder,
      continuationToken,
      ...(after.startsWith(folder) && !continuationToken ? { startAfter: after } : {}),
      maxKeys: options.pageSize ?? 1000,
    });
    for (const o of page.objects) listed.add(o.key);
    await sweepPage(deps, options, page.objects, summary);
    walk.marker = page.objects.at(-1)?.key ?? walk.marker;
    walk.pages++;
    continuationToken = page.nextContinuationToken;
  } while (continuationToken);
  // A resumed run listed only the folder's tail: what it skipped is not missing.
  if (!after.startsWith(folder)) await sweepMissing(deps, options, folder, listed, summary);
  return true;
}

/**
 * One listed page: one query finds the records of its uploads; an active record whose ETag and size are the
 * listed object's describes it; everything else (no record, another object under a record, a removed record
 * whose key holds an object again) gets HeadObject, check, and record or reject.
 */
async function sweepPage(
  deps: SweepDeps,
  options: SweepOptions,
  listed: ListedObject[],
  summary: SweepSummary,
): Promise<void> {
  const objects = listed.filter((o) => o.lastModified >= options.since);
  summary.scanned += objects.length;
  const records = await deps.store.recordedObjects(objects.flatMap((o) => uploadIdOfKey(o.key) ?? []));
  const todo = objects.filter((o) => {
    const record = records.get(uploadIdOfKey(o.key) ?? '');
    // A replaced record's object is the route's to keep or delete, never recorded again.
    return !(record && (record.state === 'replaced' || (record.state === 'active' && describesObject(record, o))));
  });
  summary.alreadyRecorded += objects.length - todo.length;
  await handleEach(deps, todo, options.concurrency ?? 4, summary, (o) => recordObject(deps, o.key, 'sweep'));
}

/** Active records under `folder` whose object the listing did not show: gone (HeadObject confirms) → removed. */
async function sweepMissing(
  deps: SweepDeps,
  options: SweepOptions,
  folder: string,
  listed: Set<string>,
  summary: SweepSummary,
): Promise<void> {
  const records = await deps.store.activeUnder(deps.client.location.bucket, folder);
  const missing = records.filter((r) => !listed.has(r.key));
  await handleEach(deps, missing, options.concurrency ?? 4, summary, (r) =>
    removeObject(deps, r.key, { reason: 'not-found', source: 'sweep' }),
  );
}
