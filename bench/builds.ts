/**
 * A build under comparison: a folder whose dist/<fn>/index.js bundles (each exporting `handler(event, context)`)
 * are the stable interface between refs, whatever their sources look like.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Build {
  /** The folder whose dist/ holds the bundles. */
  dir: string;
  /** Short commit id, when the folder is a git checkout. */
  commit: string;
  /** How the build was named: the ref given, or the folder. */
  label: string;
}

/** The two sides of a comparison: `after` is always this checkout's own dist/. */
export interface Comparison {
  before: Build;
  after: Build;
}

/** Why a before/after row of upload-callback is skipped without PostgreSQL. */
export const NEEDS_POSTGRES = 'DATABASE_URL is not set; this row needs PostgreSQL';

export const FUNCTIONS = ['sign-upload', 'upload-callback', 'upload-event'] as const;

export const bundlePath = (build: Build, fn: string) => join(build.dir, 'dist', fn, 'index.js');

export const bundleSize = (build: Build, fn: string): number | undefined => {
  const path = bundlePath(build, fn);
  return existsSync(path) ? statSync(path).size : undefined;
};

function git(dir: string, ...args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** A folder's build as it is (BENCH_BEFORE_DIR, or this checkout): its commit, and whether files differ from it. */
export function folderBuild(dir: string, label = dir): Build {
  const path = resolve(dir);
  const commit = git(path, 'rev-parse', '--short', 'HEAD');
  const dirty = commit !== undefined && git(path, 'status', '--porcelain', '--untracked-files=no') !== '';
  return {
    dir: path,
    commit: commit ? `${commit}${dirty ? ' with uncommitted changes' : ''}` : 'not a git checkout',
    label,
  };
}

export const describeBuild = (build: Build) => `${build.label} (${build.commit})`;
