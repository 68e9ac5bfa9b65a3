/**
 * `npm run check:deploy` as a user runs it after `cp .env.example .env`: it passes with the sample, and a real
 * problem is one line on stderr naming what to change (exit 1), never a stack trace. `--budget-only` stops after
 * the render and the connection budget, so these runs need no built bundles.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEnvFile } from '../../../scripts/check-deploy/render';

const dir = mkdtempSync(join(tmpdir(), 'ouc-check-deploy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = readFileSync('.env.example', 'utf8');

/** An env file from .env.example with `edit` applied to its lines. */
function envFile(name: string, edit: (lines: string[]) => string[] = (l) => l): string {
  const path = join(dir, name);
  writeFileSync(path, edit(sample.split('\n')).join('\n'));
  return path;
}

/** The command as package.json runs it (`node --`: Node 20 would take a later `--env-file` as its own flag). */
function checkDeploy(...args: string[]) {
  const run = spawnSync(
    process.execPath,
    ['--', 'scripts/run-ts.mjs', 'scripts/check-deploy.ts', ...args, '--budget-only'],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      timeout: 120_000,
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.trim() };
}

const without = (name: string) => (lines: string[]) => lines.filter((l) => !l.startsWith(`${name}=`));
const set = (name: string, value: string) => (lines: string[]) =>
  lines.map((l) => (l.startsWith(`${name}=`) ? `${name}=${value}` : l));

describe('npm run check:deploy from the command line', () => {
  it('passes with .env copied from .env.example, and its ok lines state what held', () => {
    const run = checkDeploy('--env-file', envFile('.env'));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ok - connection budget: upload-callback 40 × 2 \+ upload-event 5 × 2 = 90 ≤ /m);
  }, 120_000);

  it.each([
    ['DATABASE_URL', without('DATABASE_URL')],
    ['DB_MAX_CONNECTIONS', without('DB_MAX_CONNECTIONS')],
    ['CALLBACK_ROLE_ARN', set('CALLBACK_ROLE_ARN', '')],
  ])(
    'names the required variable left unset (%s) in one line',
    (name, edit) => {
      const file = envFile(`missing-${name}`, edit);
      const run = checkDeploy('--env-file', file);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `check failed: s preview: ${name} is not set in ${file} (every variable without a default is required)`,
      );
    },
    120_000,
  );

  it('fails in one line for an env file that is not there, or a budget that does not fit', () => {
    const missing = checkDeploy('--env-file', join(dir, 'nothing-here'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      `check failed: cannot read ${join(dir, 'nothing-here')} (no such file): cp .env.example .env and fill it in, or name it with --env-file`,
    );
    const small = checkDeploy('--env-file', envFile('small', set('DB_MAX_CONNECTIONS', '50')));
    expect(small.status).toBe(1);
    expect(small.stderr).toBe(
      'check failed: connection budget exceeded: upload-callback 40 instances × DB_POOL_MAX 2 + upload-event 5 instances × DB_POOL_MAX 2 = 90 connections > DB_MAX_CONNECTIONS 50',
    );
    for (const run of [missing, small]) expect(run.stderr).not.toMatch(/\n|\bat .*:\d+:\d+/);
  }, 120_000);
});

describe("check:deploy's env file reader", () => {
  it('reads values as s reads .env: quotes and an export prefix taken off, CRLF lines', () => {
    const path = join(dir, 'quoted');
    writeFileSync(path, '# a comment\r\nexport A=1\r\nB="@every 30m"\r\nC=\'x y\'\r\nD=\r\n');
    expect(readEnvFile(path)).toEqual({ A: '1', B: '@every 30m', C: 'x y', D: '' });
  });
});
