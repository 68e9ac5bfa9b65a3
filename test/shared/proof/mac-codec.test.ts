/** The codec under tokens and grants: bounded fields, a strict reader, one MAC over the bound object. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  boundMac,
  boundMacInput,
  joinSigned,
  lengthPrefixed,
  PayloadReader,
  secretOf,
  splitSigned,
} from '../../../shared/proof/mac-codec';

class Refused extends Error {}
const DOMAIN = Buffer.from('test', 'latin1');
const OBJECT = { bucket: 'b', key: 'uploads/ü.png' };

describe('the MAC codec', () => {
  it('MACs domain ‖ lp(bucket) ‖ lp16(key) ‖ payload, the layout tokens and grants are pinned to', () => {
    const payload = Buffer.from([1, 2, 3]);
    const key = Buffer.from(OBJECT.key, 'utf8');
    const expected = createHmac('sha256', 's')
      .update(Buffer.concat([DOMAIN, Buffer.from([1]), Buffer.from('b'), Buffer.from([0, key.length]), key, payload]))
      .digest();
    expect(boundMac('s', DOMAIN, OBJECT, payload, Refused)).toEqual(expected);
    const { input, payloadAt } = boundMacInput(DOMAIN, OBJECT, 3, Refused);
    payload.copy(input, payloadAt);
    expect(payloadAt).toBe(input.length - 3);
    expect(createHmac('sha256', 's').update(input).digest()).toEqual(expected);
  });

  it('refuses, with the caller error type, a bucket or key no token can name and text that is not Unicode', () => {
    expect(() => boundMac('s', DOMAIN, { bucket: 'b'.repeat(256), key: 'k' }, Buffer.alloc(0), Refused)).toThrow(
      Refused,
    );
    expect(() => boundMac('s', DOMAIN, { bucket: 'b', key: 'k'.repeat(65_536) }, Buffer.alloc(0), Refused)).toThrow(
      Refused,
    );
    expect(() => lengthPrefixed('\ud800', 255, 'user', Refused)).toThrow('user is not well-formed Unicode');
    expect(() => lengthPrefixed('é'.repeat(128), 255, 'user', Refused)).toThrow('user is longer than 255 bytes');
  });

  it('reads back exactly what was written, and nothing from short or non-UTF-8 bytes', () => {
    const bytes = Buffer.concat([
      lengthPrefixed('ab', 255, 'a', Refused),
      lengthPrefixed('ü', 65_535, 'b', Refused, true),
    ]);
    const reader = new PayloadReader(bytes);
    expect([reader.text(), reader.text(true), reader.done()]).toEqual(['ab', 'ü', true]);
    expect(new PayloadReader(Buffer.from([3, 97])).text()).toBeUndefined();
    expect(new PayloadReader(Buffer.from([2, 0xc3, 0x28])).text()).toBeUndefined();
  });

  it('splits only canonical payload.mac text within the length bound', () => {
    const mac = Buffer.alloc(32, 7);
    const text = joinSigned(Buffer.from('hello'), mac);
    expect(splitSigned(text, 100)).toEqual({ payload: Buffer.from('hello'), mac });
    expect(splitSigned(text, text.length - 1)).toBeUndefined();
    // "aGVsbG9" and "aGVsbG8" spell the same bytes; only the canonical one is accepted.
    const other = text.replace(/^aGVsbG8/, 'aGVsbG9');
    expect(other).not.toBe(text);
    expect(splitSigned(other, 100)).toBeUndefined();
  });

  it('names which secret made a MAC: the current one first, then previous ones by position', () => {
    const macFor = (s: string) => createHmac('sha256', s).update('x').digest();
    expect(secretOf(macFor('now'), 'now', ['old1', 'old2'], macFor)).toBe(0);
    expect(secretOf(macFor('old2'), 'now', ['old1', 'old2'], macFor)).toBe(2);
    expect(secretOf(macFor('never'), 'now', ['old1'], macFor)).toBe(-1);
  });
});
