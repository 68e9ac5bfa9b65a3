/**
 * Shared settings and arbitraries for the property tests. Every property runs NUM_RUNS cases; on failure
 * fc.assert throws with the seed and the counterexample path, so
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run <file> -t "<test name>"` replays it.
 */
import fc from 'fast-check';

export const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);

/** fc.assert parameters: NUM_RUNS cases, or the replay of one failure given by FC_SEED (and FC_PATH). */
export const runs = (): fc.Parameters<unknown> =>
  process.env.FC_SEED
    ? {
        numRuns: NUM_RUNS,
        seed: Number(process.env.FC_SEED),
        ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
      }
    : { numRuns: NUM_RUNS };

/** Any UTF-16 code unit, lone surrogates included: what JSON.parse can hand us from a "\ud800" escape. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Text of every kind: printable, any code point, raw code units (lone surrogates), ASCII. */
export const anyText = (maxLength = 64) =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: codeUnit, maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
  );
