/** Timing helpers: medians of several rounds, so one noisy moment on a shared machine does not decide. */
export interface Rate {
  opsPerSec: number;
  /** Median microseconds per operation. */
  usPerOp: number;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

async function msPerOp(fn: (i: number) => unknown, ops: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ops; i++) await fn(i);
  return (performance.now() - started) / ops;
}

/**
 * Measures `a` and `b` alternately, round by round, so both see the same moments of a noisy machine; the
 * ratio is the median of the per-round ratios (how many times faster `a` is than `b`). Which goes first
 * alternates too: the first of a pair pays for garbage the other leaves and the JIT state it finds (two
 * identical handlers measured always in one order differed by 7%, measured while the machine was busy).
 */
export async function paired(
  a: (i: number) => unknown,
  b: (i: number) => unknown,
  ops: number,
  rounds: number,
): Promise<{ a: Rate; b: Rate; times: number }> {
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const aFirst = round % 2 === 0;
    const first = await msPerOp(aFirst ? a : b, ops);
    const second = await msPerOp(aFirst ? b : a, ops);
    const [ta, tb] = aFirst ? [first, second] : [second, first];
    if (round < 0) continue;
    as.push(ta);
    bs.push(tb);
    ratios.push(tb / ta);
  }
  const toRate = (ms: number) => ({ opsPerSec: 1000 / ms, usPerOp: ms * 1000 });
  return { a: toRate(median(as)), b: toRate(median(bs)), times: median(ratios) };
}

export type Row = [section: string, measure: string, value: string, ratio: string];

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;

export function printTable(rows: Row[]): string {
  const header: Row = ['section', 'measure', 'value', 'ratio'];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => (r[c] ?? '').length)));
  const line = (r: Row) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * Throughput with `concurrency` requests in flight (what an instance serving several requests sees, and where
 * an asynchronous check can overlap its thread-pool work), ops per second over `ops` operations.
 */
export async function inFlight(fn: (i: number) => unknown, ops: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) await fn(next++);
    }),
  );
  return ops / ((performance.now() - started) / 1000);
}

/** `a` and `b` in flight alternately, round by round; median ops/s and the median of per-round ratios. */
export async function pairedInFlight(
  a: (i: number) => unknown,
  b: (i: number) => unknown,
  ops: number,
  rounds: number,
  concurrency: number,
): Promise<{ a: number; b: number; times: number }> {
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const ra = await inFlight(a, ops, concurrency);
    const rb = await inFlight(b, ops, concurrency);
    if (round < 0) continue;
    as.push(ra);
    bs.push(rb);
    ratios.push(ra / rb);
  }
  return { a: median(as), b: median(bs), times: median(ratios) };
}

/** Process CPU (user + system) in microseconds spent by `fn` per operation, and its wall time per operation. */
export async function cpuPerOp(fn: (i: number) => unknown, ops: number): Promise<{ cpuUs: number; wallUs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ops; i++) await fn(i);
  const wallUs = ((performance.now() - started) * 1000) / ops;
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / ops, wallUs };
}

/** A goal printed beside its figure: `goal ≥ 3x: met`. */
export function goal(value: number, op: '≥' | '≤', target: number): string {
  const met = op === '≥' ? value >= target : value <= target;
  return `goal ${op} ${Number.isInteger(target) ? target : fmt(target, 2)}x: ${met ? 'met' : 'not met'}`;
}

/** A progress line on stderr (the table goes to stdout). */
export const progress = (line: string) => process.stderr.write(`${line}\n`);
