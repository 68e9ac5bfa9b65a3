import { describe } from 'vitest';
import { DRIVERS, type TestDatabase } from '../../local/fixtures/db';

/**
 * `describe.each(DRIVERS)` that keeps the drivers this run cannot reach as skipped suites (counted, reason
 * printed once by test/setup/prerequisites.ts) instead of leaving them out. `%s` in `title` is the driver's name.
 */
export function describeEachDriver(title: string, body: (name: string, open: () => Promise<TestDatabase>) => void) {
  for (const [name, open, available] of DRIVERS)
    describe.skipIf(!available)(title.replace('%s', name), () => body(name, open));
}
