#!/usr/bin/env node
// Prints vitest's JSON report as one plain closing line, "tests: N passed, N failed, N skipped", preceded by
// one line per file with skipped tests: what this run did not run (the reasons are printed once at its start).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'test-output/vitest.json', 'utf8'));
const notRun = new Set(['skipped', 'pending', 'todo']);
for (const file of report.testResults) {
  const skipped = file.assertionResults.filter((t) => notRun.has(t.status)).length;
  if (skipped > 0) console.log(`skipped ${skipped} of ${file.assertionResults.length} in ${relative('.', file.name)}`);
}
// numPendingTests counts the skipped tests (describe.skipIf, it.skipIf), numTodoTests the it.todo ones.
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
