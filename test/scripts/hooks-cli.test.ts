/**
 * `npm run hooks`: --list shows pending and failed deliveries, --retry replays one upload's, --failed every failed
 * one (same webhook-id: the rows keep their key), bad usage exits 2 with one line. On PostgreSQL (DATABASE_URL).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, freshPostgres, recordInput, type TestDatabase } from '../../local/fixtures/db';
import { parseHooksArgs, runHooks, UsageError } from '../../scripts/hooks-cli';
import { migrate } from '../../shared/records/migrate';
import { createSqlStore } from '../../shared/records/sql-store';
import type { HookOutbox } from '../../shared/records/types';

describe('npm run hooks: usage', () => {
  it('takes exactly one command, and an upload id for --retry', () => {
    expect(parseHooksArgs(['--list'])).toEqual({ kind: 'list' });
    expect(parseHooksArgs(['--retry', '6F1C1C3E-8A0E-4F57-9A43-1B8E6C1D2A01'])).toEqual({
      kind: 'retry',
      uploadId: '6f1c1c3e-8a0e-4f57-9a43-1b8e6c1d2a01',
    });
    expect(() => parseHooksArgs([])).toThrow(UsageError);
    expect(() => parseHooksArgs(['--list', '--failed'])).toThrow('give exactly one of');
    expect(() => parseHooksArgs(['--retry', 'abc'])).toThrow('--retry takes an upload id');
    expect(() => parseHooksArgs(['--purge'])).toThrow(UsageError);
  });
});

describe.skipIf(!DATABASE_URL)('npm run hooks on PostgreSQL', () => {
  let t: TestDatabase;
  let outbox: HookOutbox;
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  beforeAll(async () => {
    t = await freshPostgres();
    await migrate(t.db);
    const store = createSqlStore(t.db, async () => {}, { hookUrl: () => 'https://hooks.example.com/h' });
    outbox = store.outbox as HookOutbox;
    for (const uploadId of ids) await store.record(recordInput({ uploadId }), 'callback');
    // Two fail for good, one is delivered.
    for (const d of await outbox.claim({ limit: 10, leaseMs: 60_000 })) {
      if (d.uploadId === ids[2]) await outbox.delivered(d, 200);
      else await outbox.attemptFailed(d, { status: 503, error: 'answered 503', retryInMs: null });
    }
  });
  afterAll(async () => t?.drop());
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const code = await runHooks(argv, { DATABASE_URL: t.url }, (l) => lines.push(l));
    return { code, lines };
  };

  it('lists the failed deliveries with their last answer, not the delivered one', async () => {
    const { code, lines } = await run(['--list']);
    expect(code).toBe(0);
    expect(lines).toHaveLength(3);
    expect(
      lines
        .slice(0, 2)
        .every((l) => /^failed\s+upload\.recorded\s+\S+\s+attempts 1\s+last 503\s+hooks\.example\.com$/.test(l)),
    ).toBe(true);
    expect(lines.join('\n')).not.toContain(ids[2]);
    expect(lines.at(-1)).toBe('0 pending, 2 failed');
  });

  it('replays one upload, then every failed one; an upload with nothing to replay exits 1', async () => {
    expect(await run(['--retry', ids[0] as string])).toEqual({ code: 0, lines: ['1 delivery due again'] });
    expect(await run(['--failed'])).toEqual({ code: 0, lines: ['1 delivery due again'] });
    expect(await run(['--retry', randomUUID()])).toEqual({ code: 1, lines: ['0 deliveries due again'] });
    const pending = await outbox.list({ status: ['pending'] });
    expect(pending.map((d) => d.uploadId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(pending.every((d) => d.attempts === 0)).toBe(true);
  });
});
