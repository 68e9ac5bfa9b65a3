/**
 * docs/deploy-fc.md's offline commands (its ```sh offline blocks), run in order as a new user would: on a clean
 * copy of this working tree (the files git tracks or would track: no node_modules, dist, .env or .local-data),
 * with nothing in the environment but PATH and HOME. `npm ci` is the one command not run as written: the copy
 * gets this checkout's node_modules as a symlink instead (the same package-lock.json, so the same install), which
 * keeps the test within a minute; DEPLOY_PAGE_NPM_CI=1 runs it for real.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The commands of every ```sh offline block, in page order (comments and blank lines dropped). */
function offlineCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```sh offline\n([\s\S]*?)^```$/gm))
    for (const line of (block[1] ?? '').split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) commands.push(command);
    }
  return commands;
}

const copy = mkdtempSync(join(tmpdir(), 'ouc-deploy-page-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The working tree as a fresh clone would have it, with what is not yet committed. */
function cleanCopy(): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(f));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(file, join(copy, file));
  }
}

describe('docs/deploy-fc.md, offline', () => {
  it('lists its offline commands: install, .env from .env.example, build, check:deploy, the RAM policies', () => {
    const commands = offlineCommands(readFileSync('docs/deploy-fc.md', 'utf8'));
    expect(commands[0]).toMatch(/^npm ci\b/);
    expect(commands).toContain('cp .env.example .env');
    expect(commands).toEqual(
      expect.arrayContaining(['npm run build', expect.stringMatching(/^npm run check:deploy\b/)]),
    );
  });

  it('runs them in order on a clean copy, each exiting 0 with no stack trace or engine warning', () => {
    cleanCopy();
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    expect(existsSync(join(copy, '.env'))).toBe(false);
    const commands = offlineCommands(readFileSync(join(copy, 'docs/deploy-fc.md'), 'utf8'));
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    for (const command of commands) {
      if (command.startsWith('npm ci') && process.env.DEPLOY_PAGE_NPM_CI !== '1') {
        symlinkSync(resolve('node_modules'), join(copy, 'node_modules'), 'dir');
        continue;
      }
      const run = spawnSync('bash', ['-c', command], { cwd: copy, env, encoding: 'utf8', timeout: 240_000 });
      const output = `${run.stdout}${run.stderr}`;
      expect({ command, status: run.status, output }).toMatchObject({ command, status: 0 });
      expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(output).not.toMatch(/EBADENGINE/);
      if (command.startsWith('npm run check:deploy')) {
        const lines = run.stdout.split('\n').filter((l) => l.startsWith('ok - '));
        expect(lines.length).toBeGreaterThan(10);
        // Each ok line states what held; none tells the reader to do something.
        for (const line of lines) expect(line).not.toMatch(/\((run|set|add) /);
      }
    }
    expect(readFileSync(join(copy, '.env'), 'utf8')).toBe(readFileSync('.env.example', 'utf8'));
    // CI's form (the sample, no --env-file) with that .env beside s.yaml: it must not change what is rendered.
    const ci = spawnSync('bash', ['-c', 'npm run -s check:deploy'], { cwd: copy, env, encoding: 'utf8' });
    expect({ status: ci.status, stderr: ci.stderr }).toEqual({ status: 0, stderr: '' });
  }, 240_000);
});
