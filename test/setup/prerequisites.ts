/**
 * vitest globalSetup: says once per run which tests are skipped and why (test/helpers/prerequisites.ts), and in
 * CI fails the run before any test when a prerequisite `.ci/run` sets up is missing.
 */
import { inCi, prerequisites } from '../helpers/prerequisites';

export default function setup() {
  const missing = Object.values(prerequisites()).filter((p) => !p.present);
  const fatal = missing.filter((p) => p.requiredInCi);
  if (inCi() && fatal.length > 0) {
    throw new Error(
      `CI must run every test, but:\n${fatal.map((p) => `  ${p.whenMissing}`).join('\n')}\n(.ci/run sets these up)`,
    );
  }
  for (const p of missing) console.warn(`skipped: ${p.whenMissing}`);
}
