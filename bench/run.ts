/**
 * `npm run bench` prints one table of figures; every speed is also a ratio against a peer measured in the same
 * run (the handler a user would write, ali-oss, raw crypto, another build), with medians of several rounds.
 * Options: bench/options.ts (`--smoke`, `--only=…`, `--compare <ref>`).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import {
  benchCallbackConfirm,
  benchCallbackCpu,
  benchCallbackHandler,
  benchCallbackHttp,
  benchVerify,
} from './callback';
import { benchColdStart } from './cold-start';
import { benchBundlePair, CompareError, type OpenComparison, openComparison } from './compare';
import { fmt, printTable, progress, type Row } from './harness';
import { benchHooks } from './hooks';
import { benchLatency } from './latency';
import { type Options, parseOptions, UsageError } from './options';
import { benchSign } from './sign';
import { benchSignPart } from './sign-part';

function memoryRow(what: string, count: number): Row {
  const out = execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/rss.ts', what, String(count)], {
    encoding: 'utf8',
    env: process.env,
  });
  const r = JSON.parse(out.trim().split('\n').pop() ?? '{}');
  return [
    'memory',
    `RSS after ${fmt(r.n)} ${what}s (in-process handler)`,
    `${fmt(r.rssMb, 1)} MiB`,
    `started at ${fmt(r.startRssMb, 1)} MiB, heap ${fmt(r.heapUsedMb, 1)} MiB`,
  ];
}

/** The plot docs/benchmarks.md links. */
const LATENCY_PLOT = 'docs/images/latency.svg';

async function runSections(options: Options, open: OpenComparison | undefined): Promise<Row[]> {
  const n = options.counts;
  const c = open?.comparison;
  const rows: Row[] = [];
  // `--only=sign,cold` runs the sections whose names start so (while working on one).
  const step = async (name: string, run: () => Promise<Row[]> | Row[], when = true) => {
    if (!when || (options.only && !options.only.some((part) => name.startsWith(part)))) return;
    progress(`bench: ${name}…`);
    const started = performance.now();
    rows.push(...(await run()));
    progress(`bench: ${name} took ${fmt((performance.now() - started) / 1000, 1)} s`);
  };
  await step('sign', () => benchSign(n.sign, n.rounds));
  await step('sign: before/after bundles', () => benchBundlePair('sign', c!, n.sign, n.rounds), c !== undefined);
  await step('sign part', () => benchSignPart(n.sign, n.rounds));
  await step('verify', () => benchVerify(n.verify, n.rounds));
  await step('callback cpu', () => benchCallbackCpu(n.handler, n.rounds));
  await step('callback handler', () => benchCallbackHandler(n.handler, Math.min(n.rounds, 3)));
  await step(
    'callback: before/after bundles',
    () => benchBundlePair('callback', c!, n.handler, Math.min(n.rounds, 3)),
    c !== undefined,
  );
  await step('callback over HTTP', () => benchCallbackHttp(n.http, n.httpSeconds));
  await step('callback confirmation over HTTP', () =>
    benchCallbackConfirm(Math.ceil(n.http / 6), Math.min(n.rounds, 5), n.httpSeconds),
  );
  // The plot is docs/images/latency.svg from a full run; a smoke run draws it where it harms nothing.
  await step('latency', () => benchLatency(n.latency, options.smoke ? '.cache/latency-smoke.svg' : LATENCY_PLOT));
  await step('hooks', () => benchHooks(n, options.smoke));
  await step('cold start and size', () => benchColdStart(n.cold, c));
  await step('memory', () => ['sign', 'callback'].map((what) => memoryRow(what, n.rss)));
  return rows;
}

function header(options: Options, open: OpenComparison | undefined): string {
  const cpu = `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}`;
  const store = process.env.DATABASE_URL
    ? 'PostgreSQL (DATABASE_URL) and PGlite'
    : 'PGlite only (set DATABASE_URL for PostgreSQL)';
  return [
    `\noss-upload-callback benchmarks${options.smoke ? ' (smoke: tiny counts, figures not meaningful)' : ''}`,
    `${new Date().toISOString()} · node ${process.version} · ${cpu} · ${fmt(totalmem() / 2 ** 30, 0)} GiB · store: ${store}`,
    ...(open?.header ?? []),
    '',
  ].join('\n');
}

/** A bad option or a ref that cannot be built: one line, exit code 2, nothing measured. */
function openOrExit(options: Options): OpenComparison | undefined {
  try {
    return openComparison(options.compareRef, options.beforeDir);
  } catch (error) {
    if (!(error instanceof CompareError)) throw error;
    progress(`bench: cannot compare: ${error.message}`);
    process.exit(2);
  }
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  progress(`bench: ${error.message}`);
  process.exit(2);
}
const open = openOrExit(options);
// The temporary worktree goes on an interrupt too.
const interrupted = (signal: NodeJS.Signals) => {
  open?.close();
  process.kill(process.pid, signal);
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
let rows: Row[];
try {
  rows = await runSections(options, open);
} finally {
  open?.close();
  process.off('SIGINT', interrupted);
  process.off('SIGTERM', interrupted);
}
console.log(header(options, open));
console.log(printTable(rows));
