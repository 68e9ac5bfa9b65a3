/**
 * Before/after: this checkout's bundles (after) against another build's (before), interleaved in the same run.
 * The other build is a git ref built in a temporary worktree (`--compare <ref>`, bench/worktree.ts) or an
 * already built folder (BENCH_BEFORE_DIR). Cold starts and sizes are rows of bench/cold-start.ts; the
 * in-process rates run in a child process that requires both bundles (bench/bundle-pair.ts).
 */
import { spawnSync } from 'node:child_process';
import { type Comparison, describeBuild, folderBuild, NEEDS_POSTGRES } from './builds';
import { progress, type Row } from './harness';
import { buildRef, CompareError } from './worktree';

export { CompareError };

export interface OpenComparison {
  comparison: Comparison;
  /** Lines for the printed header: which two commits, and how the before build was made. */
  header: string[];
  close(): void;
}

/** Builds (or finds) the before side; `close` removes what was made for it. */
export function openComparison(ref: string | undefined, beforeDir: string | undefined): OpenComparison | undefined {
  if (ref === undefined && beforeDir === undefined) return undefined;
  if (ref !== undefined && beforeDir !== undefined) throw new CompareError('give either --compare or BENCH_BEFORE_DIR');
  const after = folderBuild('.', 'this checkout');
  if (beforeDir !== undefined) {
    const before = folderBuild(beforeDir);
    return {
      comparison: { before, after },
      header: [`compare: before = ${describeBuild(before)}, its built dist/ (BENCH_BEFORE_DIR)`, afterLine(after)],
      close: () => {},
    };
  }
  const made = buildRef(ref as string);
  let closed = false;
  return {
    comparison: { before: made.build, after },
    header: [
      `compare: before = ${describeBuild(made.build)}, built in a temporary worktree with ${made.dependencies}`,
      afterLine(after),
    ],
    close: () => {
      if (!closed) made.remove();
      closed = true;
    },
  };
}

const afterLine = (after: Comparison['after']) => `         after  = ${describeBuild(after)}, its dist/`;

/**
 * The in-process before/after rows of one function, from a child process that loads both bundles with the same
 * environment; the callback rows need PostgreSQL and are skipped, with the reason, without DATABASE_URL.
 */
export function benchBundlePair(what: 'sign' | 'callback', c: Comparison, ops: number, rounds: number): Row[] {
  const databaseUrl = process.env.DATABASE_URL;
  if (what === 'callback' && !databaseUrl) {
    progress(`bench: upload-callback bundles in-process skipped: ${NEEDS_POSTGRES}`);
    return [['compare', 'upload-callback bundle in-process, PostgreSQL', 'skipped', NEEDS_POSTGRES]];
  }
  const args = ['scripts/run-ts.mjs', 'bench/bundle-pair.ts', what, c.before.dir, c.after.dir, `${ops}`, `${rounds}`];
  const out = spawnSync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  if (out.status !== 0) throw new Error(`bench/bundle-pair.ts ${what} failed: ${out.stderr}`);
  return JSON.parse(String(out.output[3])) as Row[];
}
