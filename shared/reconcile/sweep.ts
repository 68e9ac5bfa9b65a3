/**
 * The sweep, for events that never came: list the folders of a time window, compare each page with its
 * records in one query, then HeadObject + check + record (or reject) what no record describes, as the event
 * path does; and mark removed the records whose object a folder no longer holds (sweep-folder.ts).
 *
 * Enumeration, per route folder (shared/routes: each layout's literal folder, `<prefix><folder><user>/…`): we
 * list its user folders once (delimiter "/"), then, for a layout whose months follow the user
 * (`{user}/{yyyy}/{mm}/…`, the default), each `<user>/<yyyy>/<mm>/` of the window; for any other layout the
 * whole user folder. Cost for a monthly route: 1 + ⌈U/1000⌉ + U × M list calls for U users and M months,
 * whatever the bucket's history; the alternative (list everything under the prefix and filter) costs one call
 * per 1000 objects ever uploaded. A route without months (an avatar's one file per user) lists what each user
 * has in it. Bounded by a time budget; resumable after the last key handled (`after`).
 */
import { listObjectsV2, type OssClient } from '../oss-client';
import type { KeyLayout } from '../routes';
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
function rotated<T>(folders: T[], rotate: number | undefined): T[] {
  if (rotate === undefined || folders.length === 0) return folders;
  const start = ((Math.trunc(rotate) % folders.length) + folders.length) % folders.length;
  return [...folders.slice(start), ...folders.slice(0, start)];
}

/** Where the sweep looks: one user folder of a route, by month or whole. */
interface Unit {
  folder: string;
  monthly: boolean;
}

/** The route folders of these layouts; a folder some layout walks whole is walked whole. */
export function routeFolders(layouts: readonly KeyLayout[]): Map<string, boolean> {
  const monthly = new Map<string, boolean>();
  for (const layout of layouts) monthly.set(layout.folder, (monthly.get(layout.folder) ?? true) && layout.monthly);
  return monthly;
}

/**
 * Every user folder of every route folder: listed (within the budget), and those holding active records since
 * `monthsFrom` (a folder whose objects are all gone no longer lists), in key order.
 */
async function units(deps: SweepDeps, prefix: string, monthsFrom: Date, overBudget: () => boolean) {
  const out = new Map<string, Unit>();
  for (const [base, monthly] of routeFolders(deps.layouts)) {
    const listed = await userFolders(deps.client, `${prefix}${base}`, overBudget);
    if (!listed) return undefined;
    const recorded = await deps.store.activeFolders(deps.client.location.bucket, `${prefix}${base}`, monthsFrom);
    for (const folder of [...listed, ...recorded]) {
      const known = out.get(folder);
      out.set(folder, { folder, monthly: (known?.monthly ?? true) && monthly });
    }
  }
  return [...out.values()].sort((a, b) => Buffer.compare(Buffer.from(a.folder), Buffer.from(b.folder)));
}

/**
 * Lists the user folders (within the budget), then each user's month folders of the window (or the whole
 * folder), page by page; stops starting pages once over the budget and says where (`marker`), unless its
 * order was rotated.
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
  const monthsFrom = new Date(options.since.getTime() - (options.signingLookbackSeconds ?? 0) * 1000);
  const folders = await units(deps, options.prefix, monthsFrom, overBudget);
  if (!folders) {
    deps.logger.warn('sweep: the time budget ran out while listing the user folders', {});
    return summary;
  }
  // A rotated run's order is not the keys' order, so its last key is no place to resume from.
  const rotating = !after && options.rotate !== undefined;
  const users = after ? folders : rotated(folders, options.rotate);
  const walk = { marker: after, pages: 0, overBudget };
  for (const { folder: user, monthly } of users) {
    if (after && !after.startsWith(user) && user < after) continue;
    for (const month of monthly ? monthFolders(monthsFrom, deps.clock.now()) : ['']) {
      const folder = `${user}${month}`;
      if (after && !after.startsWith(folder) && folder < after) continue;
      if (!(await sweepFolder(deps, options, folder, after, walk, summary))) {
        return rotating ? summary : { ...summary, marker: walk.marker };
      }
    }
  }
  return { ...summary, complete: true };
}
