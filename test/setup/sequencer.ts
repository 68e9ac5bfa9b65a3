/**
 * Starts the longest files first, so that with several files at once none of them begins near the end and
 * stretches the run (a fresh clone has no timing cache, and vitest then orders by file size, which puts the
 * minute-long outage test late). The rest keep vitest's order: by the last run's durations once cached.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first, from measured runs (see the slow tag in vitest.config.ts). */
export const LONGEST = [
  'test/e2e/outage-heal.test.ts',
  'test/e2e/fault-injection.test.ts',
  'test/e2e/browser-uppy.test.ts',
  'test/e2e/truthful-records.test.ts',
  'test/e2e/overwrite-race.test.ts',
];

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const at = LONGEST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return at < 0 ? LONGEST.length : at;
    };
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: within the rest, vitest's order stands.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
