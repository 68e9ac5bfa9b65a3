#!/usr/bin/env node
// Prints the functions with the most self time in a V8 .cpuprofile (node --cpu-prof), as text for notes:
//   node scripts/cpu-profile-top.mjs <file.cpuprofile> [count]
import { readFileSync } from 'node:fs';

const [file, countArg = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/cpu-profile-top.mjs <file.cpuprofile> [count]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const self = new Map();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const deltas = profile.timeDeltas;
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules\/|\.cache\/|dist\/)/, '$1')}:${lineNumber + 1}` : '';
  const name = `${functionName || '(anonymous)'} ${where}`.trim();
  const us = deltas[i] ?? 0;
  total += us;
  self.set(name, (self.get(name) ?? 0) + us);
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg));
console.log(`total ${(total / 1000).toFixed(0)} ms sampled`);
for (const [name, us] of rows) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
