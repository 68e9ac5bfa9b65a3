/**
 * s.yaml as `s deploy` would see it, offline: `s preview -o json` renders vars and `env()`, and leaves
 * `${resources…output}` unresolved. It renders a copy of s.yaml in an empty temporary folder, because s also
 * loads the `.env` beside the template (and in its working directory): a user's own `.env` must not change
 * what a sample env renders, nor hide a variable a check leaves unset.
 * @see ../../../shared/spec/function-compute.md §7
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type Env = Record<string, string>;

/**
 * `NAME=value` lines of an env file (comments and blank lines skipped), read as `s` reads `.env` (dotenv): an
 * optional `export `, and one pair of surrounding quotes taken off, so `SWEEP_SCHEDULE="@every 30m"` checks as
 * it deploys.
 */
export function readEnvFile(path: string): Env {
  const env: Env = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const value = (m[2] ?? '').trim();
    const quoted = /^(["'`])(.*)\1$/.exec(value);
    env[m[1]] = quoted ? (quoted[2] ?? '') : value;
  }
  return env;
}

export interface Preview {
  ok: boolean;
  /** The rendered JSON (when ok). */
  spec?: unknown;
  /** What s printed (stdout and stderr), for a failure's reason. */
  output: string;
}

/** `s preview -o json --silent` of this repository's s.yaml with exactly `env` (and PATH, HOME) set. */
export function preview(env: Env): Preview {
  const cwd = mkdtempSync(join(tmpdir(), 'ouc-preview-'));
  try {
    const s = resolve('node_modules/.bin/s');
    copyFileSync('s.yaml', join(cwd, 's.yaml'));
    const result = spawnSync(s, ['preview', '-t', 's.yaml', '-o', 'json', '--silent'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, CI: 'true' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0) return { ok: false, output };
    return { ok: true, spec: JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))), output };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The first `env('NAME') not found` s reports, if any. */
export const missingVariable = (output: string): string | undefined =>
  /env\('([A-Za-z0-9_]+)'\) not found/.exec(output)?.[1];
