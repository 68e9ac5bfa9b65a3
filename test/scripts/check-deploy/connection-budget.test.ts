import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connectionBudget, type RenderedSpec } from '../../../scripts/check-deploy/connection-budget';

const fn = (instances: unknown, poolMax?: string, database = true) => ({
  props: {
    concurrencyConfig: { reservedConcurrency: instances },
    environmentVariables: {
      ...(database ? { DATABASE_URL: 'postgres://x' } : {}),
      ...(poolMax ? { DB_POOL_MAX: poolMax } : {}),
    },
  },
});

describe('connectionBudget', () => {
  it('sums instances × DB_POOL_MAX over the functions that use the database only', () => {
    const spec: RenderedSpec = {
      vars: { dbMaxConnections: 100 },
      resources: { callback: fn(40, '2'), event: fn(5, '1'), sign: fn(500, undefined, false) },
    };
    expect(connectionBudget(spec)).toMatchObject({ ok: true, total: 85, max: 100 });
  });

  it('fails with one line naming every term when the sum is over DB_MAX_CONNECTIONS', () => {
    const result = connectionBudget({ vars: { dbMaxConnections: 100 }, resources: { callback: fn(60, '2') } });
    expect(result).toEqual({
      ok: false,
      message:
        'connection budget exceeded: callback 60 instances × DB_POOL_MAX 2 = 120 connections > DB_MAX_CONNECTIONS 100',
    });
  });

  it('refuses a database-using function without an instance cap, and a missing DB_MAX_CONNECTIONS', () => {
    const uncapped = { props: { environmentVariables: { DATABASE_URL: 'postgres://x' } } };
    expect(connectionBudget({ vars: { dbMaxConnections: 100 }, resources: { callback: uncapped } })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^callback uses DATABASE_URL but has no concurrencyConfig\.reservedConcurrency/),
    });
    expect(connectionBudget({ vars: {}, resources: { callback: fn(1) } })).toMatchObject({
      ok: false,
      message: 'DB_MAX_CONNECTIONS must be a positive integer',
    });
  });

  it('counts the default pool of 2 when DB_POOL_MAX is unset', () => {
    expect(connectionBudget({ vars: { dbMaxConnections: 10 }, resources: { callback: fn(5) } })).toMatchObject({
      ok: true,
      total: 10,
    });
  });
});

describe('npm run check:deploy (the budget stage, s preview of s.yaml)', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['scripts/run-ts.mjs', 'scripts/check-deploy.ts', '--budget-only', ...args], {
      env: { ...process.env, CI: 'true' },
    });

  it('passes for .env.example', async () => {
    const { stdout } = await run();
    expect(stdout).toContain(
      'ok - connection budget: upload-callback 40 × 2 + upload-event 5 × 2 = 90 ≤ DB_MAX_CONNECTIONS 100',
    );
  });

  it('fails with one clear line for an over-budget configuration', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ouc-budget-'));
    try {
      const file = join(dir, '.env');
      const sample = await readFile('.env.example', 'utf8');
      await writeFile(file, sample.replace('CALLBACK_MAX_INSTANCES=40', 'CALLBACK_MAX_INSTANCES=200'));
      const error = (await run('--env-file', file).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(error.code).toBe(1);
      expect(error.stderr.trim().split('\n')).toEqual([
        'check failed: connection budget exceeded: upload-callback 200 instances × DB_POOL_MAX 2 + upload-event 5 instances × DB_POOL_MAX 2 = 410 connections > DB_MAX_CONNECTIONS 100',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
