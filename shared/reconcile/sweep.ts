/**
 * The sweep, for events that never came: list the month folders of a time window, compare each page with its
 * records in one query, then HeadObject + check + record (or reject) what no record describes, as the event
 * path does; and mark removed the records whose object a folder no longer holds (sweep-folder.ts).
 *
 * Enumeration: keys are `<prefix><user>/<yyyy>/<mm>/<uuid>-<name>` (shared/proof/object-key.ts), so the
 * month is a folder under each user. We list the user folders once (delimiter "/"), then each
 * `<prefix><user>/<yyyy>/<mm>/` of the window. Cost: 1 + ⌈U/1000⌉ + U × M list calls for U users and M months,
 * whatever the bucket's history; the alternative (list everything under the prefix and filter) costs one call
 * per 1000 objects ever uploaded. Bounded by a time budget; resumable after the last key handled (`after`).
 */
import { listObjectsV2, type OssClient } from '../oss-client';
import { sweepFolder } from './sweep-folder';
import type { SweepDeps, SweepOptions, SweepSummary } from './sweep-types';

export type { SweepDeps, SweepOptions, SweepSummary } from './sweep-types';

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
    removed: 0,
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
  const monthsFrom = new Date(options.since.getTime() - (options.signingLookbackSeconds ?? 0) * 1000);
  // A folder whose objects are all gone no longer lists: its records' folders are walked too.
  const recorded = await deps.store.activeFolders(deps.client.location.bucket, options.prefix, monthsFrom);
  const folders = [...new Set([...listed, ...recorded])].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  // A rotated run's order is not the keys' order, so its last key is no place to resume from.
  const rotating = !after && options.rotate !== undefined;
  const users = after ? folders : rotated(folders, options.rotate);
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
