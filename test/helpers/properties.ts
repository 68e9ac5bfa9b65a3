/**
 * Shared settings and arbitraries for the property tests. Every property runs NUM_RUNS cases; on failure
 * fc.assert throws with the seed and the counterexample path, so
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run <file> -t "<test name>"` replays it.
 */
import fc from 'fast-check';

export const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);
/**
 * Cases for a property whose every case is a whole round trip (sign, callback, a PGlite write: about 6 ms), where
 * 1,000 cases cost seconds of CPU on every run; FC_NUM_RUNS sets it as well, for a deeper run.
 */
export const ROUND_TRIP_RUNS = Number(process.env.FC_NUM_RUNS ?? 300);

/** fc.assert parameters: `numRuns` cases, or the replay of one failure given by FC_SEED (and FC_PATH). */
export const runs = (numRuns = NUM_RUNS): fc.Parameters<unknown> =>
  process.env.FC_SEED
    ? {
        numRuns,
        seed: Number(process.env.FC_SEED),
        ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}),
      }
    : { numRuns };

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
