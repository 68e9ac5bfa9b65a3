/**
 * `npm run hooks -- --list | --failed | --retry <uploadId> | --deliver`: the processing hooks' outbox, by hand.
 *   --list             what is pending and failed (newest first), one line each
 *   --failed           replays every failed delivery (due now, a fresh retry schedule, the same webhook-id)
 *   --retry <uploadId> replays that upload's deliveries (failed or delivered)
 *   --deliver          sends what is due now, as upload-event's hooks timer does (HOOK_* settings)
 * DATABASE_URL names the database the functions write to.
 */
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { type Clock, systemClock } from '../shared/clock';
import { type Env, int, parseConfig, storeFields, withDefault } from '../shared/config';
import { ConfigError } from '../shared/errors';
import { deliverDue, hookDeliveryFields, leaseMs, secretKey } from '../shared/hooks';
import { createLogger } from '../shared/log';
import { openStore } from '../shared/records/drivers';
import type { DeliveryRow, HookOutbox } from '../shared/records/types';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USAGE = 'usage: npm run hooks -- --list | --failed | --retry <uploadId> | --deliver';

const cliConfigSchema = z.object({
  ...storeFields(),
  DB_STATEMENT_TIMEOUT_MS: withDefault(int(100, 60_000), 5000),
  ...hookDeliveryFields(),
});

type Command = { kind: 'list' } | { kind: 'failed' } | { kind: 'retry'; uploadId: string } | { kind: 'deliver' };

export function parseHooksArgs(argv: string[]): Command {
  let values: { list?: boolean; failed?: boolean; retry?: string; deliver?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        list: { type: 'boolean' },
        failed: { type: 'boolean' },
        retry: { type: 'string' },
        deliver: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const given = [values.list, values.failed, values.retry !== undefined, values.deliver].filter(Boolean).length;
  if (given !== 1) throw new UsageError(`give exactly one of --list, --failed, --retry, --deliver\n${USAGE}`);
  if (values.retry !== undefined) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(values.retry))
      throw new UsageError(`--retry takes an upload id (a UUID)\n${USAGE}`);
    return { kind: 'retry', uploadId: values.retry.toLowerCase() };
  }
  return values.list ? { kind: 'list' } : values.failed ? { kind: 'failed' } : { kind: 'deliver' };
}

export const deliveryLine = (d: DeliveryRow) =>
  [
    d.status.padEnd(9),
    d.type.padEnd(16),
    d.uploadId,
    `attempts ${d.attempts}`,
    d.status === 'pending' ? `next ${d.nextAttemptAt.toISOString()}` : '',
    d.lastStatus !== null ? `last ${d.lastStatus}` : d.lastError ? `last ${d.lastError}` : '',
    new URL(d.url).host,
  ]
    .filter(Boolean)
    .join('  ');

export async function runHooks(
  argv: string[],
  env: Env,
  out: (line: string) => void = console.log,
  clock: Clock = systemClock,
): Promise<number> {
  const command = parseHooksArgs(argv);
  const config = parseConfig(cliConfigSchema, env);
  if (!config.DATABASE_URL)
    throw new ConfigError('Invalid configuration: DATABASE_URL: required (the records database)');
  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    poolMax: 2,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  });
  try {
    const outbox = store.outbox as HookOutbox;
    if (command.kind === 'list') {
      const rows = await outbox.list({ status: ['pending', 'failed'], limit: 1000 });
      for (const row of rows) out(deliveryLine(row));
      out(
        `${rows.filter((r) => r.status === 'pending').length} pending, ${rows.filter((r) => r.status === 'failed').length} failed`,
      );
      return 0;
    }
    if (command.kind !== 'deliver') {
      const n = await outbox.retry(command.kind === 'retry' ? command.uploadId : undefined);
      out(`${n} deliver${n === 1 ? 'y' : 'ies'} due again`);
      return command.kind === 'retry' && n === 0 ? 1 : 0;
    }
    if (config.HOOK_SECRETS.length === 0)
      throw new ConfigError('Invalid configuration: HOOK_SECRETS: required to deliver');
    const summary = await deliverDue(
      {
        outbox,
        keys: config.HOOK_SECRETS.map(secretKey),
        timeoutMs: config.HOOK_TIMEOUT_MS,
        leaseMs: leaseMs(config),
        schedule: config.HOOK_RETRY_SCHEDULE,
        batch: config.HOOK_BATCH,
        clock,
        logger: createLogger({ function_name: 'hooks-cli' }, { level: env.LOG_LEVEL }),
      },
      { budgetMs: config.HOOK_BUDGET_SECONDS * 1000 },
    );
    out(
      `claimed ${summary.claimed}, delivered ${summary.delivered}, retrying ${summary.retrying}, failed ${summary.failed}, unsettled ${summary.unsettled}`,
    );
    return summary.unsettled ? 1 : 0;
  } finally {
    await store.close();
  }
}
