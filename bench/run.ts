/**
 * `npm run bench` prints one table of figures; every speed is also a ratio against a peer measured in the same
 * run (ali-oss, raw crypto), with medians of several rounds. `--smoke` runs tiny counts (CI keeps it alive).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { benchCallbackCpu, benchCallbackHandler, benchCallbackHttp, benchVerify } from './callback';
import { benchColdStart } from './cold-start';
import { fmt, printTable, type Row } from './harness';
import { benchSign } from './sign';
import { benchSignPart } from './sign-part';

const smoke = process.argv.includes('--smoke');
const n = smoke
  ? { sign: 100, rounds: 2, verify: 200, handler: 30, http: 60, httpSeconds: 10, cold: 2, rss: 300 }
  : { sign: 3000, rounds: 5, verify: 5000, handler: 1000, http: 3000, httpSeconds: 30, cold: 21, rss: 10_000 };

// `--only=sign,cold` runs some sections (while working on one); the full table needs every section.
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const rows: Row[] = [];
const step = async (name: string, run: () => Promise<Row[]>) => {
  if (only && !only.some((part) => name.startsWith(part))) return;
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await run()));
};

await step('sign', () => benchSign(n.sign, n.rounds));
await step('sign part', () => benchSignPart(n.sign, n.rounds));
await step('verify', () => benchVerify(n.verify, n.rounds));
await step('callback cpu', () => benchCallbackCpu(n.handler, n.rounds));
await step('callback handler', () => benchCallbackHandler(n.handler, Math.min(n.rounds, 3)));
await step('callback over HTTP', () => benchCallbackHttp(n.http, n.httpSeconds));
await step('cold start and size', () => benchColdStart(n.cold));
await step('memory', async () =>
  ['sign', 'callback'].map((what): Row => {
    const out = execFileSync(process.execPath, ['scripts/run-ts.mjs', 'bench/rss.ts', what, String(n.rss)], {
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
  }),
);

console.log(`\noss-upload-callback benchmarks${smoke ? ' (smoke: tiny counts, figures not meaningful)' : ''}`);
console.log(
  `${new Date().toISOString()} · node ${process.version} · ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'} · ${fmt(totalmem() / 2 ** 30, 0)} GiB · store: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL) and PGlite' : 'PGlite only (set DATABASE_URL for PostgreSQL)'}\n`,
);
console.log(printTable(rows));
