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

/** Runs `fn` `ops` times per round (after one warm-up round) and returns the median rate. */
export async function rate(fn: (i: number) => unknown, ops: number, rounds: number): Promise<Rate> {
  const perRound: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < ops; i++) await fn(i);
    const ms = performance.now() - started;
    if (round >= 0) perRound.push(ms / ops);
  }
  const msPerOp = median(perRound);
  return { opsPerSec: 1000 / msPerOp, usPerOp: msPerOp * 1000 };
}

/** Like `rate`, for synchronous work: no await per operation. */
export function rateSync(fn: (i: number) => unknown, ops: number, rounds: number): Rate {
  const perRound: number[] = [];
  for (let round = -1; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < ops; i++) fn(i);
    const ms = performance.now() - started;
    if (round >= 0) perRound.push(ms / ops);
  }
  const msPerOp = median(perRound);
  return { opsPerSec: 1000 / msPerOp, usPerOp: msPerOp * 1000 };
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
