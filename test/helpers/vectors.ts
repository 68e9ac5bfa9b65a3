import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// Paths from the repository root, where npm runs tests and benchmarks (bundled helpers have no stable import.meta.url).
/** Byte-exact copies of ../shared/vectors (checked by test/fixtures.test.ts). */
export const VECTOR_DIR = `${resolve('test/fixtures/vectors')}/`;
export const SHARED_VECTOR_DIR = `${resolve('../shared/vectors')}/`;

export function loadVectors<T = any>(name: 'signing-vectors.json' | 'callback-vectors.json'): T {
  return JSON.parse(readFileSync(`${VECTOR_DIR}${name}`, 'utf8')) as T;
}

/** `[id, vector]` rows for `it.each`, so the test name carries the vector id. */
export function byId<T extends { id: string }>(list: T[]): [string, T][] {
  return list.map((item) => [item.id, item]);
}
