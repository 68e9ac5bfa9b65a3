/**
 * `npm run bench` options: `--smoke` (tiny counts, what CI runs), `--only=sign,cold` (sections whose names start
 * so), `--compare <ref>` (before/after against another git ref), `--no-compare`. BENCH_BEFORE_DIR names an
 * already built checkout to compare against instead of a ref.
 */
export interface Options {
  smoke: boolean;
  only?: string[];
  /** The git ref to build and compare against; `--smoke` compares against HEAD unless told otherwise. */
  compareRef?: string;
  beforeDir?: string;
  counts: typeof FULL;
}

const FULL = {
  sign: 3000,
  rounds: 5,
  verify: 5000,
  handler: 1000,
  http: 3000,
  httpSeconds: 30,
  cold: 21,
  rss: 10_000,
  latency: 200,
};
const SMOKE: typeof FULL = {
  sign: 100,
  rounds: 2,
  verify: 200,
  handler: 30,
  http: 60,
  httpSeconds: 10,
  cold: 2,
  rss: 300,
  latency: 12,
};

/** A bad option: one line, exit code 2. */
export class UsageError extends Error {}

function compareRef(argv: string[]): string | undefined {
  const at = argv.findIndex((arg) => arg === '--compare' || arg.startsWith('--compare='));
  if (at < 0) return undefined;
  const arg = argv[at] as string;
  const ref = arg === '--compare' ? argv[at + 1] : arg.slice('--compare='.length);
  if (!ref || ref.startsWith('--')) throw new UsageError('--compare needs a git ref, e.g. --compare HEAD~3');
  return ref;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const smoke = argv.includes('--smoke');
  const only = argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const beforeDir = env.BENCH_BEFORE_DIR || undefined;
  let ref = compareRef(argv);
  if (argv.includes('--no-compare')) {
    if (ref !== undefined) throw new UsageError('give either --compare or --no-compare');
  } else if (smoke && ref === undefined && beforeDir === undefined) {
    // CI's smoke run keeps the comparison path alive at tiny counts: HEAD against itself.
    ref = 'HEAD';
  }
  return {
    smoke,
    counts: smoke ? SMOKE : FULL,
    ...(only ? { only } : {}),
    ...(ref !== undefined ? { compareRef: ref } : {}),
    ...(beforeDir !== undefined ? { beforeDir } : {}),
  };
}
