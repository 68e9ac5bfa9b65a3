import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED_VECTOR_DIR, VECTOR_DIR } from '../local/fixtures/vectors';
import { has } from './helpers/prerequisites';

const FILES = [
  'signing-vectors.json',
  'callback-vectors.json',
  'fc-events/oss-trigger-fc-help.json',
  'fc-events/oss-trigger-fc3-template.json',
  'fc-events/timer-trigger-fc-help.json',
];

describe('golden vector copies', () => {
  it.skipIf(!has.sharedVectors).each(FILES)('%s is a byte-exact copy of ../shared/vectors', (file) => {
    expect(readFileSync(`${VECTOR_DIR}${file}`).equals(readFileSync(`${SHARED_VECTOR_DIR}${file}`))).toBe(true);
  });
});
