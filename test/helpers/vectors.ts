import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Byte-exact copies of ../shared/vectors (checked by test/fixtures.test.ts). */
export const VECTOR_DIR = fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));
export const SHARED_VECTOR_DIR = fileURLToPath(new URL('../../../shared/vectors/', import.meta.url));

export function loadVectors<T = any>(name: 'signing-vectors.json' | 'callback-vectors.json'): T {
  return JSON.parse(readFileSync(`${VECTOR_DIR}${name}`, 'utf8')) as T;
}

/** `[id, vector]` rows for `it.each`, so the test name carries the vector id. */
export function byId<T extends { id: string }>(list: T[]): [string, T][] {
  return list.map((item) => [item.id, item]);
}
