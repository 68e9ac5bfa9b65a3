/** What a sweep takes and reports (sweep.ts walks the folders, sweep-folder.ts handles one). */
import type { Clock } from '../clock';
import type { ObjectDeps } from './record-object';

export type SweepDeps = ObjectDeps & { clock: Clock };

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
  /** Records marked removed: their object changed and failed its check, or was gone where the sweep looked. */
  removed: number;
  /** Older than the maximum age, gone before we looked, or failed (see failed). */
  skipped: number;
  failed: number;
  dryRun: boolean;
  complete: boolean;
  /** When incomplete: pass as `after` (`--after`) to go on from here. */
  marker?: string;
}
