/**
 * The hand-written dotted-quad check against node:net's isIPv4, which it replaces to keep node:net out of
 * sign-upload's cold start.
 */
import { isIPv4 as netIsIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIPv4 } from '../../../shared/oss/callback-build';
import { anyText, runs } from '../../helpers/properties';

/** Near-misses of a dotted quad: parts from digits with leading zeros, signs, spaces, big numbers, and few or many parts. */
const part = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.integer({ min: 0, max: 99999 }).map(String),
  fc.stringMatching(/^[0-9]{1,4}$/),
  fc.constantFrom('', ' 1', '1 ', '+1', '-1', '0x1', '1e1', '٣', '１', '1\n'),
);
const quads = fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.'));

describe('isIPv4', () => {
  it('answers as net.isIPv4 for dotted near-misses and any text', () => {
    fc.assert(
      fc.property(fc.oneof(quads, anyText(20)), (host) => {
        expect(isIPv4(host)).toBe(netIsIPv4(host));
      }),
      runs(),
    );
  });

  it('accepts every address net.isIPv4 accepts, at the edges too', () => {
    for (const host of ['0.0.0.0', '255.255.255.255', '10.0.0.1', '100.100.100.200', '199.249.250.251'])
      expect(isIPv4(host)).toBe(true);
    for (const host of ['256.0.0.0', '01.0.0.0', '1.2.3', '1.2.3.4.5', '1.2.3.4\n', '::1', ''])
      expect(isIPv4(host)).toBe(false);
  });
});
