/**
 * The sweep, for events that never came: list the month folders of a time window, learn in one query per page
 * which uploads are recorded, then HeadObject + check + record (or reject) the rest, as the event path does.
 *
 * Enumeration: keys are `<prefix><user>/<yyyy>/<mm>/<uuid>-<name>` (functions/sign-upload/object-key.ts), so the
 * month is a folder under each user. We list the user folders once (delimiter "/"), then each
 * `<prefix><user>/<yyyy>/<mm>/` of the window. Cost: 1 + ⌈U/1000⌉ + U × M list calls for U users and M months,
 * whatever the bucket's history; the alternative (list everything under the prefix and filter) costs one call
 * per 1000 objects ever uploaded. Bounded by a time budget; resumable after the last key handled (`after`).
 */
import type { Clock } from '../clock';
import { type ListedObject, listObjectsV2, type OssClient } from '../oss-client';
import { uploadIdOfKey } from '../proof';
import type { ObjectDeps, ObjectOutcome } from './record-object';
import { recordObject } from './record-object';

export interface SweepOptions {
  prefix: string;
  /** Objects whose Last-Modified is at or after this are handled. */
  since: Date;
  /**
   * The longest time from signing an upload (which names the key's month folder) to OSS storing it: a multipart
   * upload signed on the 31st and completed on the 1st is in the previous month's folder. Month folders are
   * listed from `since` minus this. Default 0.
   */
  signingLookbackSeconds?: number;
  /**
   * Start at the user folder this number picks (modulo their count) and wrap around, so runs that stop at the
   * budget reach every user over successive runs. The timer passes one derived from its trigger time. A rotated
   * run reports no marker: `after` resumes only a run that went through the users in order.
   */
  rotate?: number;
  /** Stop starting new pages after this many milliseconds. */
  budgetMs: number;
  /** Resume after this key (a previous run's `marker`). */
  after?: string;
  /** HeadObject calls at once. */
  concurrency?: number;
  pageSize?: number;
}

export interface SweepSummary {
  scanned: number;
  alreadyRecorded: number;
  recordedNow: number;
  rejected: number;
  deleted: number;
  /** Older than the maximum age, gone before we looked, or failed (see failed). */
  skipped: number;
  failed: number;
  dryRun: boolean;
  complete: boolean;
  /** When incomplete: pass as `after` (`--after`) to go on from here. */
  marker?: string;
}

/** `yyyy/mm/` folders from `since`'s month to `now`'s, oldest first. */
export function monthFolders(since: Date, now: Date): string[] {
  const out: string[] = [];
  const at = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
  while (at <= now) {
    out.push(`${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/`);
    at.setUTCMonth(at.getUTCMonth() + 1);
  }
  return out;
}

/** All user folders, or undefined when the time budget ran out first (its pages count against it too). */
async function userFolders(
  client: OssClient,
  prefix: string,
  overBudget: () => boolean,
): Promise<string[] | undefined> {
  const folders: string[] = [];
  let continuationToken: string | undefined;
  do {
    if (continuationToken && overBudget()) return undefined;
    const page = await listObjectsV2(client, {
      prefix,
      delimiter: '/',
      continuationToken,
    });
    folders.push(...page.prefixes);
    continuationToken = page.nextContinuationToken;
  } while (continuationToken);
  return folders;
}

/** `folders` starting at index `rotate mod length`, wrapping around. */
function rotated(folders: string[], rotate: number | undefined): string[] {
  if (rotate === undefined || folders.length === 0) return folders;
  const start = ((Math.trunc(rotate) % folders.length) + folders.length) % folders.length;
  return [...folders.slice(start), ...folders.slice(0, start)];
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

export type SweepDeps = ObjectDeps & { clock: Clock };

/** The summary's counts for one object's outcome. */
function count(summary: SweepSummary, outcome: ObjectOutcome): void {
  if (outcome === 'recorded') summary.recordedNow++;
  else if (outcome === 'rejected-deleted' || outcome === 'rejected-kept') {
    summary.rejected++;
    if (outcome === 'rejected-deleted') summary.deleted++;
  } else if (outcome === 'rejected-but-recorded') summary.alreadyRecorded++;
  else summary.skipped++;
}

/**
 * Lists the user folders (within the budget), then each user's month folders of the window, page by page;
 * stops starting pages once over the budget and says where (`marker`), unless its order was rotated.
 */
export async function sweep(deps: SweepDeps, options: SweepOptions): Promise<SweepSummary> {
  const started = deps.clock.now().getTime();
  const summary: SweepSummary = {
    scanned: 0,
    alreadyRecorded: 0,
    recordedNow: 0,
    rejected: 0,
    deleted: 0,
    skipped: 0,
    failed: 0,
    dryRun: !!deps.dryRun,
    complete: false,
  };
  const after = options.after ?? '';
  const overBudget = () => deps.clock.now().getTime() - started > options.budgetMs;
  const listed = await userFolders(deps.client, options.prefix, overBudget);
  if (!listed) {
    deps.logger.warn('sweep: the time budget ran out while listing the user folders', {});
    return summary;
  }
  // A rotated run's order is not the keys' order, so its last key is no place to resume from.
  const rotating = !after && options.rotate !== undefined;
  const users = after ? listed : rotated(listed, options.rotate);
  const monthsFrom = new Date(options.since.getTime() - (options.signingLookbackSeconds ?? 0) * 1000);
  const walk = { marker: after, pages: 0, overBudget };
  for (const user of users) {
    if (after && !after.startsWith(user) && user < after) continue;
    for (const month of monthFolders(monthsFrom, deps.clock.now())) {
      const folder = `${user}${month}`;
      if (after && !after.startsWith(folder) && folder < after) continue;
      if (!(await sweepFolder(deps, options, folder, after, walk, summary))) {
        return rotating ? summary : { ...summary, marker: walk.marker };
      }
    }
  }
  return { ...summary, complete: true };
}

/** Where a sweep is: the last key handled, pages done, and its budget. */
interface Walk {
  marker: string;
  pages: number;
  overBudget: () => boolean;
}

/** Every page of one month folder; false when the budget stopped it before a page. */
async function sweepFolder(
  deps: SweepDeps,
  options: SweepOptions,
  folder: string,
  after: string,
  walk: Walk,
  summary: SweepSummary,
): Promise<boolean> {
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
    await sweepPage(deps, options, page.objects, summary);
    walk.marker = page.objects.at(-1)?.key ?? walk.marker;
    walk.pages++;
    continuationToken = page.nextContinuationToken;
  } while (continuationToken);
  return true;
}

/** One listed page: one query learns which uploads are recorded; the rest get HeadObject, check, record or reject. */
async function sweepPage(
  deps: SweepDeps,
  options: SweepOptions,
  listed: ListedObject[],
  summary: SweepSummary,
): Promise<void> {
  const objects = listed.filter((o) => o.lastModified >= options.since);
  summary.scanned += objects.length;
  const recorded = await deps.store.recordedIds(objects.flatMap((o) => uploadIdOfKey(o.key) ?? []));
  const todo = objects.filter((o) => {
    const id = uploadIdOfKey(o.key);
    return !(id && recorded.has(id));
  });
  summary.alreadyRecorded += objects.length - todo.length;
  await inBatches(todo, options.concurrency ?? 4, async (o) => {
    try {
      count(summary, await recordObject(deps, o.key, 'sweep'));
    } catch (error) {
      summary.failed++;
      deps.logger.error('sweep could not handle an object', {
        keyHash: deps.hash(o.key),
        uploadId: uploadIdOfKey(o.key),
        error: String(error),
      });
    }
  });
}
