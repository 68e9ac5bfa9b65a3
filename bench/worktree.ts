/**
 * `--compare <ref>`: the other ref checked out in a temporary, detached git worktree, its dependencies there
 * (this checkout's node_modules by symlink when the ref's package-lock.json is byte-identical, else `npm ci`),
 * built with that ref's own `npm run build`; the worktree is removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Build } from './builds';
import { progress } from './harness';

/** A ref that cannot be built: one line for the user, exit code 2. */
export class CompareError extends Error {}

export interface TemporaryBuild {
  build: Build;
  /** How its node_modules came to be, for the header. */
  dependencies: string;
  remove(): void;
}

function git(args: string[], cwd = process.cwd()): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function resolveCommit(ref: string): string {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new CompareError(`${ref} is not a commit of this repository`);
  }
}

/** The line that says what went wrong: the first naming an error, else the last one written. */
function summary(out: { stdout?: string; stderr?: string; error?: Error }): string {
  const lines = (text = '') =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  const all = [...lines(out.stderr), ...lines(out.stdout)];
  return all.find((line) => /error/i.test(line)) ?? all.pop() ?? out.error?.message ?? 'no output';
}

/** Runs one build step in `cwd`; on failure its output goes to a log file, and the error says where. */
function step(what: string, command: string, args: string[], cwd: string): void {
  const out = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (out.status === 0) return;
  const log = join(tmpdir(), `ouc-bench-compare-${Date.now()}.log`);
  writeFileSync(log, `${command} ${args.join(' ')} in ${cwd}\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  throw new CompareError(`${what} failed (exit ${out.status ?? out.signal}): ${summary(out)} (full output: ${log})`);
}

function sameLockfile(commit: string): boolean {
  try {
    const theirs = execFileSync('git', ['cat-file', 'blob', `${commit}:package-lock.json`], {
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 2 ** 20,
    });
    return theirs.equals(readFileSync('package-lock.json'));
  } catch {
    return false;
  }
}

function removeWorktree(root: string, dir: string): void {
  try {
    // Our own node_modules is only linked there: unlink it first, so nothing can follow the link.
    if (lstatSync(join(dir, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink()) {
      unlinkSync(join(dir, 'node_modules'));
    }
    git(['worktree', 'remove', '--force', dir]);
  } catch (error) {
    progress(`bench: could not remove the worktree ${dir} (${String(error)}); run git worktree prune`);
  }
  rmSync(root, { recursive: true, force: true });
}

export function buildRef(ref: string): TemporaryBuild {
  const commit = resolveCommit(ref);
  const short = commit.slice(0, 7);
  const root = mkdtempSync(join(tmpdir(), 'ouc-bench-compare-'));
  const dir = join(root, short);
  progress(`bench: --compare ${ref}: a detached worktree of ${short} in ${dir}`);
  try {
    step('git worktree add', 'git', ['worktree', 'add', '--detach', '--quiet', dir, commit], process.cwd());
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const remove = () => removeWorktree(root, dir);
  try {
    let dependencies: string;
    if (sameLockfile(commit)) {
      symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
      dependencies = "this checkout's node_modules (package-lock.json identical)";
    } else {
      progress(`bench: --compare ${ref}: package-lock.json differs, npm ci there`);
      step('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], dir);
      dependencies = 'its own npm ci (package-lock.json differs)';
    }
    progress(`bench: --compare ${ref}: npm run build there`);
    step('npm run build', 'npm', ['run', 'build'], dir);
    return { build: { dir, commit: short, label: ref }, dependencies, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
