/**
 * `POST /dev/reconcile` (local only): `npm run reconcile -- --local` handed to the running npm start, whose PGlite
 * no other process may open. The body is the command's window (`{"since":"<ISO>","dryRun":false,"after":"<key>",
 * "budgetSeconds":3600}`), read by the command's own parser; the sweep is the command's code path
 * (scripts/reconcile-cli.ts `sweepWindow`) on this server's store and local OSS, queued behind a timer sweep under
 * way. Answers the summary (200), a usage error (400), or why it stopped (503: OSS or the database).
 */
import type { EventConfig } from '../functions/upload-event/config';
import { parseReconcileArgs, stoppedReason, sweepWindow, UsageError } from '../scripts/reconcile-cli';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import type { OssClient } from '../shared/oss-client';
import type { RecordStore } from '../shared/records/types';
import type { KeyLayout } from '../shared/routes';
import type { SerialQueue } from './timer';

export interface DevReconcileDeps {
  config: EventConfig;
  client: OssClient;
  store: RecordStore;
  logger: Logger;
  clock: Clock;
  queue: SerialQueue;
  layouts: readonly KeyLayout[];
}

/** The JSON body as the command's arguments, so both are checked by one parser with one set of messages. */
function argvOf(body: Buffer): string[] {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new UsageError('the body must be JSON: {"since":"<ISO date>","dryRun":false,"after":"<key>"}');
  }
  const argv: string[] = [];
  if (typeof parsed.since === 'string') argv.push('--since', parsed.since);
  if (parsed.dryRun === true) argv.push('--dry-run');
  if (typeof parsed.after === 'string') argv.push('--after', parsed.after);
  if (parsed.budgetSeconds !== undefined) argv.push('--budget-seconds', String(parsed.budgetSeconds));
  return argv;
}

export async function devReconcile(deps: DevReconcileDeps, body: Buffer): Promise<{ status: number; body: unknown }> {
  try {
    const window = parseReconcileArgs(argvOf(body), deps.clock.now());
    const summary = await deps.queue(() => sweepWindow(deps, deps.config, window));
    // The marker is an object key, which holds the user id: logs never show one.
    const { marker: _marker, ...counts } = summary;
    deps.logger.info('reconcile', counts);
    return { status: 200, body: summary };
  } catch (error) {
    if (error instanceof UsageError)
      return { status: 400, body: { error: { code: 'InvalidRequest', message: error.message } } };
    const reason = stoppedReason(error);
    if (reason === undefined) throw error;
    return { status: 503, body: { error: { code: 'ReconcileStopped', message: reason } } };
  }
}
